"""Integration tests: the real ``ansible-playbook`` against the sandbox on loopback.

The session starts its own sandbox (own port base and state directory, so a
developer's ``make sandbox`` keeps running undisturbed), resets it before each
test, and fails any test during which an emulator recorded a contract
violation (a request or response that does not match the vendor's spec).
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORT_BASE = int(os.environ.get("FABRIK_TEST_PORT_BASE", "18500"))
SANDBOX_DIR = REPO / "tests" / "output" / ("sandbox-%d" % PORT_BASE)
STATE_DIR = REPO / "tests" / "output" / ("state-%d" % PORT_BASE)
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Uptime Kuma logs Socket.IO events: these (and get*/login*) change nothing.
KUMA_READ_EVENTS = {"connect", "disconnect", "http", "needSetup", "logout"}
# coolify_info's ability probes (Coolify has no token introspection) write to an object that cannot
# exist, so they can only be refused (403) or not found (404): they count as reads.
COOLIFY_PROBE = "fabrik-ability-probe"

SECRETS = ("sandbox-cloudflare-token", "sandbox-namecheap-key")


def _services(port_base):
    return {
        "cloudflare": "http://127.0.0.1:%d" % (port_base + 1),
        "namecheap": "http://127.0.0.1:%d" % (port_base + 2),
        "coolify": "http://127.0.0.1:%d" % (port_base + 3),
        "uptime_kuma": "http://127.0.0.1:%d" % (port_base + 4),
        "r2": "http://127.0.0.1:%d" % (port_base + 5),
    }


class Run:
    """The outcome of one ansible-playbook run."""

    RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)

    def __init__(self, args, proc, seconds):
        self.args = args
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.recap = {}
        for host, ok, changed, unreachable, failed, skipped in self.RECAP.findall(self.stdout):
            self.recap[host] = {
                "ok": int(ok), "changed": int(changed), "unreachable": int(unreachable),
                "failed": int(failed), "skipped": int(skipped),
            }

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def changed(self):
        return sum(h["changed"] for h in self.recap.values())

    @property
    def failed(self):
        return sum(h["failed"] + h["unreachable"] for h in self.recap.values())

    def __repr__(self):
        return "<Run rc=%s recap=%s>" % (self.rc, self.recap)

    def explain(self):
        return "ansible-playbook %s\nrc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            " ".join(self.args), self.rc, self.stdout[-12000:], self.stderr[-4000:])


class Sandbox:
    """Control of the sandbox emulators and a way to run playbooks against them."""

    def __init__(self, port_base):
        self.port_base = port_base
        self.urls = _services(port_base)
        self.http = requests.Session()
        self.marks = {}

    # --- control API -------------------------------------------------
    def control(self, service, method, path, body=None):
        resp = self.http.request(method, "%s/_sandbox/%s" % (self.urls[service], path), json=body, timeout=10)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def reset(self):
        self.marks = {}
        for service in self.urls:
            self.control(service, "POST", "reset")

    def requests(self, service):
        """Vendor requests since the last reset or :meth:`reset_log`."""
        return self.control(service, "GET", "requests")[self.marks.get(service, 0):]

    def reset_log(self):
        """Forget the requests seen so far (state is kept): later ``writes()`` start from here."""
        for service in self.urls:
            self.marks[service] = 0
            self.marks[service] = len(self.requests(service))

    def writes(self, service=None):
        """Mutating vendor requests (Namecheap: the commands that change state)."""
        services = [service] if service else list(self.urls)
        found = []
        for name in services:
            for entry in self.requests(name):
                if "event" in entry:
                    event = entry["event"]
                    if event not in KUMA_READ_EVENTS and not event.startswith(("get", "login")):
                        found.append(dict(entry, service=name))
                elif name == "namecheap":
                    if entry.get("write"):
                        found.append(dict(entry, service=name))
                elif entry["method"] not in READ_METHODS and COOLIFY_PROBE not in entry["path"]:
                    found.append(dict(entry, service=name))
        return found

    def logs(self):
        """Every service's request log, for failure messages."""
        return "\n".join("%s: %s" % (service, json.dumps(self.requests(service))[-3000:]) for service in self.urls)

    def fault(self, service, **spec):
        return self.control(service, "POST", "faults", spec)

    def clear_faults(self):
        for service in self.urls:
            self.control(service, "DELETE", "faults")

    def configure(self, service, **options):
        return self.control(service, "POST", "config", options)

    def state(self, service):
        return self.control(service, "GET", "state")

    def violations(self):
        found = {}
        for service in self.urls:
            try:
                items = self.control(service, "GET", "violations")
            except requests.HTTPError:
                continue
            if items:
                found[service] = items
        return found

    # --- playbooks ---------------------------------------------------
    def inventory(self, directory, hosts, group_vars=None):
        """Write a per-test inventory: ``hosts`` maps host name -> host vars."""
        directory = Path(directory)
        (directory / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
        (directory / "host_vars").mkdir(exist_ok=True)
        (directory / "hosts.yml").write_text(yaml.safe_dump({"sites": {"hosts": {h: None for h in hosts}}}))
        for host, host_vars in hosts.items():
            (directory / "host_vars" / ("%s.yml" % host)).write_text(yaml.safe_dump(host_vars))
        sandbox_vars = yaml.safe_load((REPO / "inventories" / "sandbox" / "group_vars" / "all" / "sandbox.yml").read_text())
        sandbox_vars.update(group_vars or {})
        (directory / "group_vars" / "all" / "sandbox.yml").write_text(yaml.safe_dump(sandbox_vars))
        return directory

    def playbook(self, playbook, inventory, tags=None, check=False, diff=False, extra_vars=None,
                 verbosity=0, env=None, timeout=600, limit=None):
        args = [str(BIN / "ansible-playbook"), str(REPO / playbook) if not os.path.isabs(str(playbook)) else str(playbook),
                "-i", str(inventory)]
        if tags:
            args += ["--tags", ",".join(tags) if isinstance(tags, (list, tuple)) else tags]
        if check:
            args.append("--check")
        if diff:
            args.append("--diff")
        if limit:
            args += ["--limit", limit]
        if extra_vars:
            args += ["--extra-vars", json.dumps(extra_vars)]
        if verbosity:
            args.append("-" + "v" * verbosity)
        run_env = dict(os.environ)
        run_env.update({
            "FABRIK_SANDBOX_PORT_BASE": str(self.port_base),
            "FABRIK_SANDBOX_DIR": str(SANDBOX_DIR),
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(REPO / "tests" / "output" / "tmp"),
            "PATH": "%s:%s" % (BIN, os.environ.get("PATH", "")),
            # The site locks and the rate limiter's counts of this sandbox; the vendors' limits only where a
            # test asks for them (the emulators enforce none unless asked, tests/sandbox/README.md).
            "FABRIK_DEPLOY_STATE_DIR": str(STATE_DIR),
            "FABRIK_DEPLOY_RATE_LIMITS": "off",
        })
        run_env.update(env or {})
        started = time.monotonic()
        proc = subprocess.run(args, cwd=str(REPO), env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        return Run(args, proc, time.monotonic() - started)


@pytest.fixture(scope="session")
def sandbox_session():
    env = dict(os.environ, FABRIK_SANDBOX_PORT_BASE=str(PORT_BASE), FABRIK_SANDBOX_DIR=str(SANDBOX_DIR))
    SANDBOX_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "tests.sandbox"]
    subprocess.run(cmd + ["stop"], cwd=str(REPO), env=env, capture_output=True, check=False)
    started = subprocess.run(cmd + ["start"], cwd=str(REPO), env=env, capture_output=True, text=True, check=False)
    if started.returncode != 0:
        pytest.fail("sandbox did not start:\n%s\n%s" % (started.stdout, started.stderr))
    box = Sandbox(PORT_BASE)
    box.configure("namecheap", rate_limit_per_minute=100000, rate_limit_per_hour=0)
    yield box
    subprocess.run(cmd + ["stop"], cwd=str(REPO), env=env, capture_output=True, check=False)


@pytest.fixture()
def sandbox(sandbox_session):
    """A freshly reset sandbox; the test fails if any contract violation was recorded."""
    sandbox_session.reset()
    sandbox_session.configure("namecheap", rate_limit_per_minute=100000, rate_limit_per_hour=0)
    yield sandbox_session
    violations = sandbox_session.violations()
    sandbox_session.clear_faults()
    assert not violations, "contract violations: %s" % json.dumps(violations, indent=1)[:4000]
