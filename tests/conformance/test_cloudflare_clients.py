"""Cloudflare: the official SDK, octodns-cloudflare and dns-lexicon against the emulator."""


def test_cloudflare_sdk(emulators):
    emulators.run_client("cloudflare", "cloudflare_sdk.py")
