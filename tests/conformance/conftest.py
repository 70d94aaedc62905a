"""Conformance: third-party clients, each in its own virtualenv, against the sandbox's emulators.

The emulators are served from this process (one ``SharedState``, each on its own free loopback
port, the same classes ``python -m tests.sandbox`` serves; no WordPress is needed here). A client
runs as a script of ``tests/conformance/clients/`` under the Python of
``.venv-conformance/<client>`` (built by ``make venv-conformance`` from
``tests/conformance/requirements-<client>.txt``) and gets the emulators' URLs and the sandbox
credentials in ``FABRIK_CONFORMANCE`` (JSON).  Each emulator is reset before every test, and a
test fails on any contract violation an emulator recorded during it.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

from tests.sandbox.base import SharedState
from tests.sandbox.cloudflare import BASE_PATH as CLOUDFLARE_BASE
from tests.sandbox.cloudflare import (SANDBOX_ACCOUNT_ID, SANDBOX_AUTH_EMAIL, SANDBOX_GLOBAL_KEY, SANDBOX_TOKEN,
                                      CloudflareEmulator)
from tests.sandbox.coolify import BASE_PATH as COOLIFY_BASE, ROOT_TOKEN, CoolifyEmulator
from tests.sandbox.framework import SandboxApp, serve
from tests.sandbox.namecheap import API_KEY, API_USER, ENDPOINT, NamecheapEmulator
from tests.sandbox.uptime_kuma import SANDBOX_PASSWORD, SANDBOX_USERNAME, UptimeKumaEmulator

REPO = Path(__file__).resolve().parents[2]
VENVS = REPO / ".venv-conformance"
CLIENTS = Path(__file__).resolve().parent / "clients"
CLIENT_TIMEOUT = 180  # seconds: a client that hangs (e.g. waiting for an ack) fails the test


class Emulators:
    """The served emulators: URLs, control API, and a way to run a client against them."""

    def __init__(self):
        self.shared = SharedState()
        self.apps = {}
        self.servers = []
        self.urls = {}
        for name, emulator in (("cloudflare", CloudflareEmulator(self.shared)),
                               ("namecheap", NamecheapEmulator(self.shared)),
                               ("coolify", CoolifyEmulator(self.shared)),
                               ("uptime_kuma", UptimeKumaEmulator(self.shared))):
            app = SandboxApp(emulator)
            server = serve(app)
            self.apps[name] = app
            self.servers.append((app, server))
            self.urls[name] = "http://127.0.0.1:%d" % server.server_port
        self.http = requests.Session()

    def connection(self):
        """What a client script gets in ``FABRIK_CONFORMANCE``."""
        return {
            "cloudflare": {"url": self.urls["cloudflare"] + CLOUDFLARE_BASE, "api_token": SANDBOX_TOKEN,
                           "account_id": SANDBOX_ACCOUNT_ID, "auth_email": SANDBOX_AUTH_EMAIL,
                           "global_key": SANDBOX_GLOBAL_KEY, "control": self.urls["cloudflare"] + "/_sandbox"},
            "namecheap": {"url": self.urls["namecheap"] + ENDPOINT, "api_user": API_USER, "api_key": API_KEY,
                          "client_ip": "127.0.0.1", "control": self.urls["namecheap"] + "/_sandbox"},
            "coolify": {"url": self.urls["coolify"] + COOLIFY_BASE, "root": self.urls["coolify"],
                        "api_token": ROOT_TOKEN, "control": self.urls["coolify"] + "/_sandbox"},
            "uptime_kuma": {"url": self.urls["uptime_kuma"], "username": SANDBOX_USERNAME,
                            "password": SANDBOX_PASSWORD, "control": self.urls["uptime_kuma"] + "/_sandbox"},
        }

    def control(self, service, method, path, body=None):
        # generous: a reset waits for the contract checks still pending, slow on a loaded 2-core machine
        response = self.http.request(method, "%s/_sandbox/%s" % (self.urls[service], path), json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def reset(self):
        for service in self.urls:
            self.control(service, "POST", "reset")
        # The real 20 calls a minute would throttle a client's whole run.
        self.control("namecheap", "POST", "config", {"rate_limit_per_minute": 0, "rate_limit_per_hour": 0})
        self.control("cloudflare", "POST", "config", {"activation_delay": 0.2})
        self.control("coolify", "POST", "config", {"queued_seconds": 0.1, "in_progress_seconds": 0.1})

    def violations(self):
        found = {}
        for service in self.urls:
            items = self.control(service, "GET", "violations")
            if items:
                found[service] = items
        return found

    def run_client(self, client, script, *args, timeout=CLIENT_TIMEOUT):
        """Run ``clients/<script>`` with the Python of ``.venv-conformance/<client>``; assert it passed.

        Returns its output (``ok: <step>`` lines).
        """
        python = VENVS / client / "bin" / "python"
        if not python.exists():
            message = "%s missing: run `make venv-conformance`" % python
            if os.environ.get("FABRIK_NO_SKIP"):
                pytest.fail(message)
            pytest.skip(message)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("PYTHON", "VIRTUAL_ENV")) and "proxy" not in key.lower()}
        # Every client talks to loopback only (the scripts redirect hard-coded vendor URLs, and
        # tldextract uses its bundled suffix list); NO_PROXY keeps any proxy out of the way.
        env.update(FABRIK_CONFORMANCE=json.dumps(self.connection()), HOME=str(self.home), NO_COLOR="1",
                   NO_PROXY="*", no_proxy="*", TLDEXTRACT_CACHE_PATH=str(self.home / "tldextract"))
        proc = subprocess.run([str(python), str(CLIENTS / script), *args], cwd=str(self.home), env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        assert proc.returncode == 0, "%s failed (rc=%d)\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            script, proc.returncode, proc.stdout[-6000:], proc.stderr[-6000:])
        return proc.stdout

    def close(self):
        for app, server in self.servers:
            app.close()
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def emulators_session(tmp_path_factory):
    served = Emulators()
    served.home = tmp_path_factory.mktemp("client-home")
    yield served
    served.close()


@pytest.fixture()
def emulators(emulators_session):
    """Emulators freshly reset; the test fails if any of them recorded a contract violation."""
    emulators_session.reset()
    yield emulators_session
    violations = emulators_session.violations()
    assert not violations, "contract violations: %s" % json.dumps(violations, indent=1)[:4000]
