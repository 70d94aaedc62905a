"""Unit tests of the Uptime Kuma Socket.IO emulator, served over real HTTP/WebSocket on loopback.

Wire compatibility is proven with a real third-party client (``uptime-kuma-api2``,
import name ``uptime_kuma_api``) against both release lines; the payload rules
that bite clients are driven with a raw python-socketio client.
"""

import json
import time

import pytest
import requests

socketio = pytest.importorskip("socketio")
kuma_api = pytest.importorskip("uptime_kuma_api")

from tests.sandbox.uptime_kuma import (  # noqa: E402 - after the optional-dependency skips
    SANDBOX_PASSWORD,
    SANDBOX_USERNAME,
    serve,
    totp,
)

V1 = "1.23.16"
V2 = "2.5.3"
TWOFA_SECRET = "JBSWY3DPEHPK3PXP"
HTTP_MONITOR = {"type": "http", "name": "site", "url": "https://example.org", "interval": 60,
                "retryInterval": 60, "maxretries": 0, "accepted_statuscodes": ["200-299"], "notificationIDList": {}}


@pytest.fixture(scope="module")
def served():
    server, thread = serve(0, V2)
    yield server.emulator, f"http://127.0.0.1:{server.server_port}"
    server.emulator.close()
    server.shutdown()
    thread.join(5)


@pytest.fixture(params=[V1, V2])
def kuma(request, served):
    """The emulator reset to ``request.param``: (emulator, base URL, version)."""
    emulator, url = served
    return reconfigure(emulator, url, request.param)


def reconfigure(emulator, url, version, **options):
    emulator.configure(version=version, twofa_secret=options.get("twofa_secret"),
                       seed_user=options.get("seed_user", True))
    emulator.app.reset()  # state, faults, latency, log and violations
    return emulator, url, version


@pytest.fixture
def api(kuma):
    emulator, url, version = kuma
    client = kuma_api.UptimeKumaApi(url, timeout=5, wait_events=0.01)
    client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
    yield client, emulator, url, version
    client.disconnect()


class RawClient:
    """A python-socketio client that records every pushed event."""

    def __init__(self, url):
        self.pushed = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", lambda event, *args: self.pushed.append((event, args)))
        self.sio.connect(url, transports=["websocket"], wait_timeout=5)
        self.wait_for("loginRequired")  # the last of the events the server sends on connect

    def wait_for(self, name, timeout=3):
        deadline = time.time() + timeout
        while not self.events(name):
            assert time.time() < deadline, f"no {name} event within {timeout} s"
            time.sleep(0.01)

    def call(self, event, *args, timeout=5):
        return self.sio.call(event, args[0] if len(args) == 1 else tuple(args), timeout=timeout)

    def login(self, password=SANDBOX_PASSWORD, token=""):
        return self.call("login", {"username": SANDBOX_USERNAME, "password": password, "token": token})

    def events(self, name):
        return [args for event, args in self.pushed if event == name]

    def close(self):
        self.sio.disconnect()


@pytest.fixture
def raw(kuma):
    clients = []

    def connect(login=True):
        client = RawClient(kuma[1])
        clients.append(client)
        if login:
            assert client.login()["ok"] is True
        return client

    yield connect
    for client in clients:
        client.close()


def control(url, method, name, body=None):
    response = requests.request(method, f"{url}/_sandbox/{name}", json=body, timeout=5)
    return response.status_code, response.json()


# -- through uptime-kuma-api2 ------------------------------------------------------------------


def test_client_sees_the_configured_version(api):
    client, _emulator, _url, version = api
    assert client.version == version
    assert client.info()["version"] == version


def test_client_monitor_lifecycle_with_read_merge_write(api):
    client, emulator, _url, version = api
    http_id = client.add_monitor(type=kuma_api.MonitorType.HTTP, name="site", url="https://example.org")["monitorID"]
    keyword_id = client.add_monitor(type=kuma_api.MonitorType.KEYWORD, name="kw", url="https://example.org/health",
                                    keyword="ok")["monitorID"]
    assert {m["name"] for m in client.get_monitors()} == {"site", "kw"}

    client.edit_monitor(http_id, interval=90)
    edited = client.get_monitor(http_id)
    assert (edited["interval"], edited["url"]) == (90, "https://example.org")
    assert edited["accepted_statuscodes"] == ["200-299"]
    assert client.get_monitor(keyword_id)["keyword"] == "ok"
    assert ("conditions" in edited) is (version == V2)

    client.pause_monitor(http_id)
    assert client.get_monitor(http_id)["active"] is False
    client.resume_monitor(http_id)
    assert client.get_monitor(http_id)["active"] is True

    client.delete_monitor(keyword_id)
    assert [m["id"] for m in client.get_monitors()] == [http_id]
    assert list(emulator.snapshot()["monitors"]) == [str(http_id)]
    assert emulator.violations == []


def test_client_tags(api):
    client, *_unused = api
    monitor_id = client.add_monitor(type=kuma_api.MonitorType.HTTP, name="site", url="https://example.org")["monitorID"]
    tag = client.add_tag(name="fabrik", color="#2563eb")
    client.add_monitor_tag(tag_id=tag["id"], monitor_id=monitor_id, value="prod")
    tags = client.get_monitor(monitor_id)["tags"]
    assert [(t["tag_id"], t["name"], t["color"], t["value"]) for t in tags] == [
        (tag["id"], "fabrik", "#2563eb", "prod")]

    client.edit_tag(tag["id"], color="#000000")
    assert client.get_tag(tag["id"])["color"] == "#000000"
    client.delete_monitor_tag(tag_id=tag["id"], monitor_id=monitor_id, value="prod")
    assert client.get_monitor(monitor_id)["tags"] == []
    client.delete_tag(tag["id"])
    assert client.get_tags() == []


def test_client_notifications_roundtrip_config_string(api):
    client, emulator, *_unused = api
    added = client.add_notification(name="ops", type=kuma_api.NotificationType.WEBHOOK, isDefault=True,
                                    webhookURL="https://hooks.example.org/x", webhookContentType="json")
    notification = client.get_notification(added["id"])
    assert (notification["webhookURL"], notification["isDefault"]) == ("https://hooks.example.org/x", True)
    pushed = emulator.snapshot()["notifications"][0]
    assert isinstance(pushed["config"], str) and json.loads(pushed["config"])["webhookURL"].startswith("https://")

    monitor_id = client.add_monitor(type=kuma_api.MonitorType.HTTP, name="site", url="https://example.org",
                                    notificationIDList=[added["id"]])["monitorID"]
    assert client.get_monitor(monitor_id)["notificationIDList"] == [added["id"]]

    client.edit_notification(added["id"], name="ops-renamed")
    assert client.get_notification(added["id"])["name"] == "ops-renamed"
    client.delete_notification(added["id"])
    assert client.get_notifications() == []
    assert client.get_monitor(monitor_id)["notificationIDList"] == []


def test_client_status_page(api):
    client, _emulator, url, version = api
    monitor_id = client.add_monitor(type=kuma_api.MonitorType.HTTP, name="site", url="https://example.org")["monitorID"]
    client.add_status_page("fabrik", "Fabrik status")
    client.save_status_page("fabrik", description="All systems",
                            publicGroupList=[{"name": "Web", "monitorList": [{"id": monitor_id}]}])
    page = client.get_status_page("fabrik")
    assert (page["title"], page["description"]) == ("Fabrik status", "All systems")
    assert [[m["id"] for m in g["monitorList"]] for g in page["publicGroupList"]] == [[monitor_id]]

    public = requests.get(f"{url}/api/status-page/fabrik", timeout=5).json()
    assert ("incidents" in public, "incident" in public) == ((True, False) if version == V2 else (False, True))
    assert ("analyticsType" in public["config"]) is (version == V2)
    assert ("googleAnalyticsId" in public["config"]) is (version == V1)

    client.delete_status_page("fabrik")
    assert requests.get(f"{url}/api/status-page/fabrik", timeout=5).status_code == 404


def test_client_maintenance(api):
    client, *_unused = api
    added = client.add_maintenance(title="window", strategy=kuma_api.MaintenanceStrategy.MANUAL)
    maintenance_id = added["maintenanceID"]
    assert client.get_maintenance(maintenance_id)["status"] == "under-maintenance"
    client.edit_maintenance(maintenance_id, title="window 2")
    assert client.get_maintenance(maintenance_id)["title"] == "window 2"
    client.pause_maintenance(maintenance_id)
    assert client.get_maintenance(maintenance_id)["status"] == "inactive"
    client.resume_maintenance(maintenance_id)
    client.delete_maintenance(maintenance_id)
    assert client.get_maintenances() == []


# -- connection and auth ----------------------------------------------------------------------------


def test_connect_hides_the_version_until_login(raw, kuma):
    client = raw(login=False)
    assert client.events("loginRequired") and not client.events("setup")
    assert "version" not in client.events("info")[0][0]
    assert client.call("getMonitorList") == {"ok": False, "msg": "You are not logged in."}

    assert client.login()["token"].count(".") == 2
    assert client.events("info")[-1][0]["version"] == kuma[2]
    assert client.events("monitorList") == [({},)]
    assert isinstance(client.events("notificationList")[0][0], list)
    assert ("remoteBrowserList" in {event for event, _unused in client.pushed}) is (kuma[2] == V2)


def test_messages_are_english_on_1_23_and_i18n_keys_on_2(raw, kuma):
    client = raw(login=False)
    failed = client.login(password="wrong-password1")
    expected = ({"ok": False, "msg": "Incorrect username or password."} if kuma[2] == V1
                else {"ok": False, "msg": "authIncorrectCreds", "msgi18n": True})
    assert failed == expected


def test_login_by_token_and_logout(raw):
    first = raw(login=False)
    token = first.login()["token"]
    second = raw(login=False)
    assert second.call("loginByToken", token) == {"ok": True}
    assert second.call("getMonitorList") == {"ok": True}
    second.call("logout")
    assert second.call("getMonitorList")["ok"] is False
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert second.call("loginByToken", tampered)["ok"] is False


def test_totp_matches_rfc_6238_vector():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp(secret, at=59) == "287082"
    assert totp(secret, at=1111111109) == "081804"


def test_two_factor_login(served):
    emulator, url, _unused = reconfigure(*served, V2, twofa_secret=TWOFA_SECRET)
    client = RawClient(url)
    try:
        assert client.login() == {"tokenRequired": True}
        assert client.login(token="000000" if totp(TWOFA_SECRET) != "000000" else "111111")["ok"] is False
        code = totp(TWOFA_SECRET)
        assert client.login(token=code)["ok"] is True
        client.call("logout")
        assert client.login(token=code)["ok"] is False  # a code cannot be used twice
    finally:
        client.close()
    assert emulator.snapshot()["users"][0]["twofa"] is True


def test_setup_when_no_user_exists(served):
    _emulator, url, _unused = reconfigure(*served, V1, seed_user=False)
    client = RawClient(url)
    try:
        assert client.events("setup")
        assert client.call("needSetup") is True
        assert client.call("setup", "owner", "short")["ok"] is False
        assert client.call("setup", "owner", "long-enough-1") == {"ok": True, "msg": "Added Successfully."}
        assert client.call("needSetup") is False
        assert client.call("setup", "again", "long-enough-1")["ok"] is False
        assert client.call("login", {"username": "owner", "password": "long-enough-1", "token": ""})["ok"] is True
    finally:
        client.close()


# -- monitor payload rules --------------------------------------------------------------------------


def monitor_payload(version, **changes):
    payload = dict(HTTP_MONITOR, **({"conditions": []} if version != V1 else {}))
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not ...}


def test_accepted_statuscodes_is_required(raw, kuma):
    client = raw()
    reply = client.call("add", monitor_payload(kuma[2], accepted_statuscodes=...))
    assert reply == {"ok": False, "msg": "Cannot read properties of undefined (reading 'every')"}
    assert kuma[0].snapshot()["monitors"] == {}
    assert [v["detail"] for v in kuma[0].violations] == ["accepted_statuscodes missing"]


def test_conditions_rules_per_line(served):
    emulator, url, _unused = reconfigure(*served, V1)
    client = RawClient(url)
    client.login()
    reply = client.call("add", monitor_payload(V2))  # carries conditions
    assert reply == {"ok": False, "msg": "SQLITE_ERROR: table monitor has no column named conditions"}
    reply = client.call("add", monitor_payload(V1, ipFamily="ipv4"))
    assert reply["msg"] == "SQLITE_ERROR: table monitor has no column named ip_family"
    client.close()

    reconfigure(emulator, url, V2)
    client = RawClient(url)
    client.login()
    reply = client.call("add", monitor_payload(V1))  # no conditions
    assert reply == {"ok": False, "msg": "SQLITE_CONSTRAINT: NOT NULL constraint failed: monitor.conditions"}
    monitor_id = client.call("add", monitor_payload(V2))["monitorID"]
    stored = client.call("getMonitor", monitor_id)["monitor"]
    del stored["conditions"]
    assert client.call("editMonitor", stored)["msg"].endswith("monitor.conditions")
    client.close()


def test_notification_id_list_as_list_links_indices(raw, kuma):
    client = raw()
    monitor_id = client.call("add", monitor_payload(kuma[2], notificationIDList=[7]))["monitorID"]
    assert client.call("getMonitor", monitor_id)["monitor"]["notificationIDList"] == {"0": True}
    assert "notificationIDList is a list" in kuma[0].violations[0]["detail"]


def test_edit_monitor_overwrites_every_column(raw, kuma):
    client = raw()
    monitor_id = client.call("add", monitor_payload(kuma[2], description="kept?"))["monitorID"]
    partial = monitor_payload(kuma[2], id=monitor_id, name="renamed", url=..., description=...)
    assert client.call("editMonitor", partial)["ok"] is True
    stored = client.call("getMonitor", monitor_id)["monitor"]
    assert (stored["name"], stored["url"], stored["description"]) == ("renamed", None, None)


@pytest.mark.parametrize("version, interval, accepted", [
    (V1, 20, True), (V1, 19, False), (V1, 2073601, False),
    ("2.0.2", 19, False), ("2.0.2", 2073601, False),
    (V2, 1, True), (V2, 0, False), (V2, 3000000, True),
])
def test_interval_bounds(served, version, interval, accepted):
    _emulator, url, _unused = reconfigure(*served, version)
    client = RawClient(url)
    try:
        client.login()
        payload = monitor_payload(V1 if version == V1 else V2, interval=interval)
        assert client.call("add", payload)["ok"] is accepted
    finally:
        client.close()


def test_mutation_pushes_full_list_on_1_23_and_deltas_on_2(raw, kuma):
    client = raw()
    before = len(client.events("monitorList"))
    monitor_id = client.call("add", monitor_payload(kuma[2]))["monitorID"]
    client.call("pauseMonitor", monitor_id)
    client.call("deleteMonitor", monitor_id)
    if kuma[2] == V1:
        lists = client.events("monitorList")[before:]
        assert [list(args[0]) for args in lists] == [[str(monitor_id)], [str(monitor_id)], []]
        assert lists[1][0][str(monitor_id)]["active"] == 0
        assert not client.events("updateMonitorIntoList")
    else:
        deltas = client.events("updateMonitorIntoList")
        assert [args[0][str(monitor_id)]["active"] for args in deltas] == [True, False]
        assert client.events("deleteMonitorFromList") == [(monitor_id,)]
        assert len(client.events("monitorList")) == before


def test_delete_group_children_flag(served):
    for version, children_left in ((V2, 0), ("2.0.2", 1)):
        emulator, url, _unused = reconfigure(*served, version)
        client = RawClient(url)
        client.login()
        group_id = client.call("add", monitor_payload(V2, type="group", name="g", url=None))["monitorID"]
        client.call("add", monitor_payload(V2, name="child", parent=group_id))
        if version == V2:
            assert client.call("deleteMonitor", group_id, True)["ok"] is True
        else:
            with pytest.raises(socketio.exceptions.TimeoutError):
                client.call("deleteMonitor", group_id, True, timeout=0.5)
        remaining = emulator.snapshot()["monitors"]
        assert len(remaining) == children_left
        assert all(m["parent"] is None for m in remaining.values())
        client.close()


# -- status pages ----------------------------------------------------------------------------------------


def test_add_status_page_validates_and_lowercases_slug(raw, kuma):
    client = raw()
    assert client.call("addStatusPage", "Title", "bad slug!") == {"ok": False, "msg": "Invalid Slug"}
    assert client.call("addStatusPage", "Title", "Fabrik-Main")["ok"] is True
    assert client.call("getStatusPage", "fabrik-main")["config"]["slug"] == "fabrik-main"
    assert client.events("statusPageList")[-1] == ({},)  # nothing pushed after addStatusPage


@pytest.mark.parametrize("version, accepted", [(V2, False), ("2.0.2", True), (V1, True)])
def test_save_status_page_requires_analytics_type_from_2_1(served, version, accepted):
    _emulator, url, _unused = reconfigure(*served, version)
    client = RawClient(url)
    try:
        client.login()
        client.call("addStatusPage", "Title", "page")
        config = client.call("getStatusPage", "page")["config"]
        config.pop("analyticsType", None)
        reply = client.call("saveStatusPage", "page", config, "/icon.svg", [])
        assert reply["ok"] is accepted
        if not accepted:
            assert reply["msg"] == "Invalid analytics type"
    finally:
        client.close()


# -- control API -----------------------------------------------------------------------------------------


def test_error_fault_acks_failure_without_applying(raw, kuma):
    emulator, url, version = kuma
    assert control(url, "POST", "faults", {"event": "add", "times": 1, "error": "boom"})[0] == 200
    client = raw()
    assert client.call("add", monitor_payload(version)) == {"ok": False, "msg": "boom"}
    assert emulator.snapshot()["monitors"] == {}
    assert client.call("add", monitor_payload(version))["ok"] is True
    assert control(url, "GET", "faults") == (200, [])


def test_after_fault_applies_and_never_acks(raw, kuma):
    emulator, url, version = kuma
    control(url, "POST", "faults", {"event": "add", "after": True})
    client = raw()
    with pytest.raises(socketio.exceptions.TimeoutError):
        client.call("add", monitor_payload(version), timeout=0.5)
    assert len(emulator.snapshot()["monitors"]) == 1


def test_drop_fault_disconnects(raw, kuma):
    emulator, url, version = kuma
    control(url, "POST", "faults", {"event": "add", "drop": True})
    client = raw()
    with pytest.raises(socketio.exceptions.TimeoutError):
        client.call("add", monitor_payload(version), timeout=0.5)
    deadline = time.time() + 3
    while client.sio.connected and time.time() < deadline:
        time.sleep(0.02)
    assert client.sio.connected is False
    assert emulator.snapshot()["monitors"] == {}


def test_fault_bodies_are_validated(kuma):
    url = kuma[1]
    assert control(url, "POST", "faults", {"event": "add"})[0] == 400
    assert control(url, "POST", "faults", {"event": "add", "error": "x", "drop": True})[0] == 400
    assert control(url, "POST", "faults", {"event": "add", "error": "x", "times": 0})[0] == 400
    assert control(url, "POST", "latency", {"ms": -1})[0] == 400
    assert control(url, "POST", "config", {"version": "3.0.0"})[0] == 400
    assert control(url, "GET", "nothing")[0] == 404


def test_event_log_redacts_secrets(raw, kuma):
    emulator, url, version = kuma
    client = raw()
    client.call("add", monitor_payload(version, basic_auth_pass="hunter2-secret"))
    status, log = control(url, "GET", "requests")
    assert status == 200
    assert [entry["event"] for entry in log] == ["connect", "login", "add"]
    assert [entry["ok"] for entry in log[1:]] == [True, True]
    text = json.dumps(log)
    assert SANDBOX_PASSWORD not in text and "hunter2-secret" not in text
    assert log[1]["args"][0]["username"] == SANDBOX_USERNAME
    assert log[2]["args"][0]["url"] == "https://example.org"


def test_unknown_event_is_a_violation(raw, kuma):
    emulator, url, _unused = kuma
    client = raw()
    with pytest.raises(socketio.exceptions.TimeoutError):
        client.call("addProxy", {"host": "p"}, None, timeout=0.3)
    status, violations = control(url, "GET", "violations")
    assert status == 200 and [v["kind"] for v in violations] == ["unhandled"]


def test_reset_config_state_and_http_routes(raw, kuma):
    emulator, url, version = kuma
    client = raw()
    client.call("add", monitor_payload(version))
    assert len(control(url, "GET", "state")[1]["monitors"]) == 1
    assert control(url, "POST", "latency", {"ms": 30}) == (200, {"ms": 30})
    started = time.time()
    client.call("getTags")
    assert time.time() - started >= 0.03

    assert control(url, "POST", "reset") == (200, {"reset": True})
    state = control(url, "GET", "state")[1]
    assert (state["monitors"], [u["username"] for u in state["users"]]) == ({}, [SANDBOX_USERNAME])
    assert control(url, "GET", "requests")[1] == [] and control(url, "GET", "latency")[1] == {"ms": 0}

    assert control(url, "POST", "config", {"version": "2.0.2"})[0] == 200
    assert emulator.snapshot()["version"] == "2.0.2"
    entry = requests.get(f"{url}/api/entry-page", timeout=5)
    assert entry.json() == {"type": "entryPage", "entryPage": "dashboard"}
    assert control(url, "GET", "requests")[1][-1]["path"] == "/api/entry-page"


# -- the server's connection order and login limiter (server.js, server/rate-limiter.js) -----------------


def connect_only(url):
    """A raw Socket.IO client that does not wait for anything the server sends."""
    pushed = []
    sio = socketio.Client(reconnection=False)
    sio.on("*", lambda event, *args: pushed.append(event))
    sio.connect(url, transports=["websocket"], wait_timeout=5)
    return sio, pushed


def test_v2_attaches_its_handlers_only_after_the_first_info(kuma):
    emulator, url, version = kuma
    control(url, "POST", "config", {"info_delay": 0.6})
    try:
        sio, pushed = connect_only(url)
        login = {"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD, "token": ""}
        if version == V2:
            with pytest.raises(socketio.exceptions.TimeoutError):  # nothing answers a login sent before info
                sio.call("login", login, timeout=0.3)
            deadline = time.time() + 3
            while "loginRequired" not in pushed and time.time() < deadline:
                time.sleep(0.02)
            assert pushed[:2] == ["info", "loginRequired"]
            assert sio.call("login", login, timeout=3)["ok"] is True
            dropped = [e for e in control(url, "GET", "requests")[1] if e.get("dropped")]
            assert [e["event"] for e in dropped] == ["login"]
        else:  # 1.23: sendInfo is not awaited, the login handler is there at once
            assert sio.call("login", login, timeout=3)["ok"] is True
        sio.disconnect()
    finally:
        control(url, "POST", "config", {"info_delay": 0})


def test_login_rate_limit(raw, kuma):
    emulator, url, _version = kuma
    assert control(url, "POST", "config", {"login_rate_limit_per_minute": 3}) == (
        200, {"configured": ["login_rate_limit_per_minute"]})
    now = [1000.0]
    emulator.clock = lambda: now[0]
    try:
        client = raw(login=False)
        assert [client.login()["ok"] for _attempt in range(3)] == [True, True, True]
        assert client.login() == {"ok": False, "msg": "Too frequently, try again later."}
        assert client.call("logout") == {"ok": False, "msg": "Too frequently, try again later."}
        now[0] += 20  # 3 a minute: one token back after 20 s
        assert client.login()["ok"] is True
        assert client.login()["ok"] is False
    finally:
        emulator.clock = time.monotonic
        control(url, "POST", "config", {"login_rate_limit_per_minute": None})
    assert control(url, "POST", "config", {"login_rate_limit_per_minute": 0})[0] == 400
