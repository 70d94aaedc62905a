"""Namecheap: namecheap-python against the emulator (dns-lexicon's provider: test_cloudflare_clients.py)."""


def test_namecheap_python(emulators):
    emulators.run_client("namecheap-python", "namecheap_python.py")
