"""Uptime Kuma: uptime-kuma-api2 and uptime-kuma-api-ng against the emulator, in 1.23 and 2.x mode."""

import pytest

VERSIONS = ("1.23.16", "2.5.3")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("client", ("uptime-kuma-api2", "uptime-kuma-api-ng"))
def test_uptime_kuma_clients(emulators, client, version):
    emulators.run_client(client, "uptime_kuma_client.py", version)
