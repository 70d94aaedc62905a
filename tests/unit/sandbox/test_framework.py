"""Unit tests of the sandbox framework (control API, faults, latency) and of the launcher."""

import json
import os
import random
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from werkzeug.wrappers import Response

from tests.sandbox.__main__ import is_sandbox_process
from tests.sandbox.base import Emulator
from tests.sandbox.framework import SandboxApp, serve

REPO_ROOT = Path(__file__).resolve().parents[3]


class RecorderEmulator(Emulator):
    """Answers every request with 200 and remembers what it applied."""

    name = "recorder"
    base_path = "/api"

    def __init__(self, shared=None):
        super().__init__(shared)
        self.settings = {}
        self.reset()

    def reset(self):
        self.applied = []

    def configure(self, **settings):
        unknown = set(settings) - {"colour"}
        if unknown:
            raise ValueError(f"unknown option(s): {sorted(unknown)}")
        self.settings.update(settings)

    def describe(self, request):
        return {"command": request.args.get("command", "")}

    def dispatch(self, request):
        if request.path == "/api/boom":
            raise RuntimeError("emulator bug")
        self.applied.append(f"{request.method} {request.path}")
        return Response(json.dumps({"ok": True}), mimetype="application/json")

    def snapshot(self):
        return {"applied": list(self.applied)}


class FakeContract:
    """Stands in for ContractValidator: keeps the exchanges it was given."""

    def __init__(self):
        self.exchanges = []
        self.counted = 0
        self.drained = 0

    def submit_later(self):
        self.counted += 1
        return self.exchanges.append

    def drain(self):
        self.drained += 1
        return True

    def wait_for_exchanges(self):
        deadline = time.monotonic() + 2
        while len(self.exchanges) < self.counted and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.exchanges


@pytest.fixture(scope="module")
def served():
    emulator = RecorderEmulator()
    app = SandboxApp(emulator)
    server = serve(app)
    yield emulator, app, f"http://127.0.0.1:{server.server_port}"
    app.close()
    server.shutdown()
    server.server_close()


@pytest.fixture()
def box(served):
    emulator, _app, root = served
    emulator.contract = None
    assert requests.post(root + "/_sandbox/reset", timeout=5).json() == {"reset": True}
    return Box(emulator, root)


class Box:
    def __init__(self, emulator, root):
        self.emulator = emulator
        self.root = root

    def call(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 5)
        return requests.request(method, self.root + "/api" + path, **kwargs)

    def control(self, method, path, body=None, expect=200):
        resp = requests.request(method, f"{self.root}/_sandbox/{path}", json=body, timeout=5)
        assert resp.status_code == expect, resp.text
        return resp.json()


def test_request_log_records_vendor_requests_without_base_path(box):
    box.call("GET", "/things", params={"command": "list", "page": "2"})
    box.call("POST", "/things", json={"a": 1})
    box.control("GET", "state")  # control requests are not logged
    log = box.control("GET", "requests")
    assert [(e["method"], e["path"], e["status"]) for e in log] == [("GET", "/things", 200), ("POST", "/things", 200)]
    assert log[0]["query"] == {"command": "list", "page": "2"}
    assert log[0]["command"] == "list"
    assert log[0]["time"] <= log[1]["time"] and log[0]["duration_ms"] >= 0
    assert "fault" not in log[0]


def test_clearing_the_log_keeps_state(box):
    box.call("POST", "/things")
    box.control("DELETE", "requests")
    assert box.control("GET", "requests") == []
    assert box.control("GET", "state") == {"applied": ["POST /api/things"]}


def test_fault_fires_before_the_emulator_and_only_the_given_times(box):
    box.control("POST", "faults", {"method": "POST", "path": "/things", "status": 503, "times": 2})
    statuses = [box.call("POST", "/things").status_code for _attempt in range(3)]
    assert statuses == [503, 503, 200]
    assert box.emulator.applied == ["POST /api/things"]
    assert [e.get("fault") for e in box.control("GET", "requests")] == ["before", "before", None]
    assert box.control("GET", "faults") == []


def test_fault_after_applies_the_request_then_answers_the_fault(box):
    box.control("POST", "faults", {"path": "/things", "status": 500, "after": True})
    resp = box.call("POST", "/things")
    assert resp.status_code == 500
    assert box.emulator.applied == ["POST /api/things"]
    assert box.control("GET", "requests")[0]["fault"] == "after"


def test_fault_matching_on_method_glob_full_path_and_described_fields(box):
    box.control("POST", "faults", {"method": "DELETE", "path": "/things/*", "status": 409})
    box.control("POST", "faults", {"path": "/api/other/*/x", "status": 418})
    box.control("POST", "faults", {"path": "*", "command": "explode", "status": 502})
    assert box.call("GET", "/things/1").status_code == 200
    assert box.call("DELETE", "/things/1").status_code == 409
    assert box.call("GET", "/other/7/x").status_code == 418
    assert box.call("GET", "/third", params={"command": "calm"}).status_code == 200
    assert box.call("GET", "/third", params={"command": "explode"}).status_code == 502


def test_429_fault_carries_retry_after(box):
    box.control("POST", "faults", {"status": 429, "retry_after": 2})
    resp = box.call("GET", "/things")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "2"


def test_hang_then_504(box):
    box.control("POST", "faults", {"hang": 0.3})
    started = time.monotonic()
    resp = box.call("GET", "/things")
    assert resp.status_code == 504
    assert time.monotonic() - started >= 0.3
    assert box.emulator.applied == []


def test_hang_and_drop_after_applying_loses_the_response(box):
    box.control("POST", "faults", {"method": "POST", "hang": 0.1, "drop": True, "after": True})
    with pytest.raises(requests.ConnectionError):
        box.call("POST", "/things")
    assert box.emulator.applied == ["POST /api/things"]
    assert box.control("GET", "requests")[0]["status"] is None


def test_hang_past_the_client_timeout_and_reset_releases_it(box):
    box.control("POST", "faults", {"hang": 30})
    with pytest.raises(requests.ReadTimeout):
        box.call("GET", "/things", timeout=0.3)
    started = time.monotonic()
    box.control("POST", "reset")
    assert box.call("GET", "/things").status_code == 200
    assert time.monotonic() - started < 2
    time.sleep(0.1)  # the released request must not reappear in the fresh log
    assert [e["path"] for e in box.control("GET", "requests")] == ["/things"]


def test_latency_is_added_to_vendor_requests_only(box):
    assert box.control("POST", "latency", {"ms": 150}) == {"ms": 150}
    started = time.monotonic()
    box.call("GET", "/things")
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    box.control("GET", "requests")
    assert time.monotonic() - started < 0.15


@pytest.mark.parametrize("fault", [
    {}, {"status": 99}, {"status": "500"}, {"status": 500, "times": 0}, {"status": 500, "drop": True},
    {"hang": -1}, ["status", 500],
])
def test_invalid_faults_are_refused(box, fault):
    assert "error" in box.control("POST", "faults", fault, expect=400)
    assert box.control("GET", "faults") == []


def test_config_reaches_emulator_configure(box):
    assert box.control("POST", "config", {"colour": "blue"}) == {"configured": ["colour"]}
    assert box.emulator.settings == {"colour": "blue"}
    assert "unknown option" in box.control("POST", "config", {"size": 3}, expect=400)["error"]


def test_emulator_crash_answers_500_and_is_a_violation(box):
    assert box.call("GET", "/boom").status_code == 500
    violations = box.control("GET", "violations")
    assert [(v["kind"], v["path"]) for v in violations] == [("crash", "/api/boom")]
    assert "emulator bug" in violations[0]["detail"]
    box.control("DELETE", "violations")
    assert box.control("GET", "violations") == []


def test_exchanges_go_to_the_contract_and_violations_wait_for_it(box):
    contract = FakeContract()
    box.emulator.contract = contract
    box.call("POST", "/things", json={"name": "x"})
    box.control("POST", "faults", {"method": "GET", "status": 500})
    box.call("GET", "/things")  # faulted before the emulator: nothing to validate
    box.control("POST", "faults", {"method": "PUT", "status": 502, "after": True})
    box.call("PUT", "/things/1", json={"name": "y"})  # applied: validated although its answer was replaced
    box.control("GET", "violations")
    assert contract.drained == 1
    first, second = contract.wait_for_exchanges()
    assert contract.counted == 2
    assert (first.method, first.path, first.status) == ("POST", "/api/things", 200)
    assert json.loads(first.body) == {"name": "x"}
    assert json.loads(first.response_body) == {"ok": True}
    assert (second.method, second.status) == ("PUT", 200)


def test_reset_forgets_faults_latency_log_violations_and_state(box):
    box.call("POST", "/things")
    box.call("GET", "/boom")
    box.control("POST", "faults", {"status": 500})
    box.control("POST", "latency", {"ms": 20})
    box.control("POST", "reset")
    assert box.control("GET", "faults") == []
    assert box.control("GET", "latency") == {"ms": 0}
    assert box.control("GET", "requests") == []
    assert box.control("GET", "violations") == []
    assert box.control("GET", "state") == {"applied": []}


def test_unknown_control_route(box):
    assert "no control route" in box.control("GET", "nope", expect=404)["error"]


def test_fault_counting_is_thread_safe(box):
    box.control("POST", "faults", {"status": 503, "times": 5})
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _index: box.call("POST", "/things").status_code, range(40)))
    assert statuses.count(503) == 5
    assert len(box.emulator.applied) == 35
    assert len(box.control("GET", "requests")) == 40


# -- launcher ------------------------------------------------------------------------------

def free_port_base():
    for _attempt in range(50):
        # Below Linux's ephemeral range (32768+), so no outgoing connection takes one meanwhile;
        # every port the launcher may serve (base + 1 .. base + 9) must be free.
        base = random.randint(20000, 32000)
        if all(port_is_free(base + offset) for offset in range(1, 10)):
            return base
    raise RuntimeError("no free ports")


def port_is_free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def launcher(command, env):
    return subprocess.run([sys.executable, "-m", "tests.sandbox", command], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture()
def launcher_env(tmp_path):
    env = dict(os.environ, FABRIK_SANDBOX_PORT_BASE=str(free_port_base()), FABRIK_SANDBOX_DIR=str(tmp_path))
    yield env
    launcher("stop", env)


def test_launcher_start_status_stop(launcher_env, tmp_path):
    base = int(launcher_env["FABRIK_SANDBOX_PORT_BASE"])
    started = time.monotonic()
    result = launcher("start", launcher_env)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 15.0, "the sandbox should start within seconds"
    cloudflare = json.loads((tmp_path / "sandbox.json").read_text())["services"]["cloudflare"]
    assert cloudflare == {
        "url": f"http://127.0.0.1:{base + 1}/client/v4", "control": f"http://127.0.0.1:{base + 1}/_sandbox",
        "api_token": "sandbox-cloudflare-token", "account_id": "0123456789abcdef0123456789abcdef",
        "auth_email": "sandbox@fabrik-sandbox.com", "global_key": "0123456789abcdef0123456789abcdef5a4db"}
    assert cloudflare["url"] in result.stdout
    pid = int((tmp_path / "sandbox.pid").read_text())
    zones = requests.get(cloudflare["url"] + "/zones", headers={"Authorization": "Bearer " + cloudflare["api_token"]},
                         timeout=5)
    assert zones.json()["success"] is True

    again = launcher("start", launcher_env)
    assert again.returncode == 1 and "already running" in again.stderr

    status = launcher("status", launcher_env)
    assert status.returncode == 0
    assert json.loads(status.stdout)["services"]["cloudflare"]["answering"] is True

    assert launcher("stop", launcher_env).returncode == 0
    assert not is_sandbox_process(pid)
    assert not (tmp_path / "sandbox.pid").exists()
    assert port_is_free(base + 1)
    assert launcher("stop", launcher_env).returncode == 0
    assert launcher("status", launcher_env).returncode == 3


def test_launcher_namecheap_credentials_authenticate(launcher_env, tmp_path):
    pytest.importorskip("tests.sandbox.namecheap")
    assert launcher("start", launcher_env).returncode == 0
    namecheap = json.loads((tmp_path / "sandbox.json").read_text())["services"]["namecheap"]
    resp = requests.post(namecheap["url"], timeout=5, data={
        "ApiUser": namecheap["api_user"], "ApiKey": namecheap["api_key"], "UserName": namecheap["api_user"],
        "ClientIp": namecheap["client_ip"], "Command": "namecheap.users.getBalances"})
    assert 'Status="OK"' in resp.text


def test_launcher_refuses_when_a_port_already_answers(launcher_env, tmp_path):
    base = int(launcher_env["FABRIK_SANDBOX_PORT_BASE"])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 1))
        squatter.listen()
        result = launcher("start", launcher_env)
    assert result.returncode == 1
    assert str(base + 1) in result.stderr
    assert not (tmp_path / "sandbox.pid").exists()


def test_run_serves_in_the_foreground_until_terminated(launcher_env, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "tests.sandbox", "run"], cwd=REPO_ROOT, env=launcher_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "sandbox.json").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert (tmp_path / "sandbox.json").exists(), proc.stdout.read() if proc.poll() is not None else "not ready"
        control = json.loads((tmp_path / "sandbox.json").read_text())["services"]["cloudflare"]["control"]
        assert requests.get(control + "/requests", timeout=5).json() == []
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert not (tmp_path / "sandbox.json").exists()


def test_a_check_is_queued_even_when_the_server_never_closes_the_response(monkeypatch):
    """werkzeug skips close() when the client hangs up while an unread body is discarded: the check is
    queued after QUEUE_CHECK_AFTER all the same, once, so drain() never waits on it forever."""
    from tests.sandbox import framework

    monkeypatch.setattr(framework, "QUEUE_CHECK_AFTER", 0.05)
    contract = FakeContract()
    queue = SandboxApp._queue_check(contract, "exchange")  # pylint: disable=protected-access
    deadline = time.monotonic() + 2
    while not contract.exchanges and time.monotonic() < deadline:
        time.sleep(0.01)
    queue()  # a late close() does not queue it twice
    assert (contract.counted, contract.exchanges) == (1, ["exchange"])
