"""Cloudflare: the official SDK, octodns-cloudflare and dns-lexicon against the emulator."""


def test_cloudflare_sdk(emulators):
    emulators.run_client("cloudflare", "cloudflare_sdk.py")


def test_octodns_cloudflare(emulators):
    emulators.run_client("octodns", "octodns_sync.py")


def test_dns_lexicon_cloudflare_and_namecheap(emulators):
    emulators.run_client("lexicon", "lexicon_dns.py")
