"""UptimeKumaClient and the Uptime Kuma validation helpers (the client against the emulator on loopback)."""

import os
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("uptime_kuma_api")
emulator_module = pytest.importorskip("tests.sandbox.uptime_kuma")

from ansible_collections.fabrik.deploy.plugins.module_utils import _uptime_kuma as uk  # noqa: E402
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError  # noqa: E402

V1 = "1.23.16"
V2 = "2.5.3"
PASSWORD = emulator_module.SANDBOX_PASSWORD


@pytest.fixture(scope="module")
def served():
    server, thread = emulator_module.serve(0, V2)
    yield server.emulator, "http://127.0.0.1:%d" % server.server_port
    server.emulator.close()
    server.shutdown()
    thread.join(5)


@pytest.fixture(params=[V1, V2])
def kuma(request, served):
    emulator, url = served
    emulator.configure(version=request.param, twofa_secret=None)
    emulator.app.reset()  # state, faults, latency, log and violations
    return emulator, url, request.param


@pytest.fixture
def connect(kuma):
    clients = []

    def make(**options):
        options = dict({"username": "admin", "password": PASSWORD, "timeout": 3}, **options)  # the product's wait_events
        client = uk.UptimeKumaClient(kuma[1], **options)
        clients.append(client)
        client.login()
        return client

    yield make
    for client in clients:
        client.close()


def logged_events(emulator, name):
    return [entry for entry in emulator.events() if entry["event"] == name]


# ------------------------------------------------------------------ pure helpers


@pytest.mark.parametrize("version, release", [
    ("1.23.16", (1, 23, 16)), ("2.0.0-beta.2", (2, 0, 0)), ("2.0.0-dev-nightly-20240101", (2, 0, 0)),
    ("2.1", (2, 1, 0)), ("v2.5.3", (2, 5, 3)), ("nightly", None), (None, None),
])
def test_parse_release_keeps_only_the_release_segment(version, release):
    assert uk.parse_release(version) == release


def test_interval_bounds_change_at_2_1():
    assert uk.interval_bounds((1, 23, 16)) == (20, 2073600)
    assert uk.interval_bounds((2, 0, 2)) == (20, 2073600)
    assert uk.interval_bounds((2, 1, 0)) == (1, None)


def test_totp_code_matches_rfc_6238_and_the_emulator():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert uk.totp_code(secret, at=59) == "287082"
    assert uk.totp_code(secret, at=1111111109) == "081804"
    assert uk.totp_code(secret, at=29, step_offset=1) == uk.totp_code(secret, at=59)
    assert uk.totp_code("jbsw y3dp ehpk 3pxp", at=1000) == emulator_module.totp("JBSWY3DPEHPK3PXP", at=1000)


@pytest.mark.parametrize("credentials, message", [
    ({}, "username: username and password (or a login token) are required"),
    ({"username": "admin"}, "username: username and password"),
    ({"username": "a", "password": "p", "token": "t"}, "token: give either a login token"),
    ({"username": "a", "password": "p", "totp": "12345"}, "totp: a 6-digit code expected"),
    ({"username": "a", "password": "p", "totp": "123456", "totp_secret": "JBSWY3DP"}, "totp: give either"),
    ({"username": "a", "password": "p", "totp_secret": "not base32!"}, "totp_secret: the base32 secret"),
])
def test_validate_auth_refuses_unusable_credentials_without_showing_them(credentials, message):
    args = dict({"username": None, "password": None, "token": None, "totp": None, "totp_secret": None}, **credentials)
    with pytest.raises(SpecError) as caught:
        uk.validate_auth(**args)
    assert str(caught.value).startswith(message)
    assert "not base32!" not in str(caught.value)


def test_validate_monitors_cleans_and_checks_groups():
    cleaned = uk.validate_monitors([
        {"name": " web ", "type": "http", "url": " https://a.test/ ", "method": "post", "parent": "g",
         "notifications": ["b", "a"], "keyword": None},
        {"name": "g", "type": "group"},
    ])
    assert cleaned[0] == {"name": "web", "type": "http", "url": "https://a.test/", "method": "POST", "parent": "g",
                          "notifications": ["a", "b"]}
    with pytest.raises(SpecError, match=r"monitors\[0\]\.parent: groups may not contain themselves"):
        uk.validate_monitors([{"name": "g1", "type": "group", "parent": "g2"},
                              {"name": "g2", "type": "group", "parent": "g1"}])
    with pytest.raises(SpecError, match=r"monitors\[1\]\.parent: the name of a group monitor"):
        uk.validate_monitors([{"name": "p", "type": "ping", "hostname": "a.test"},
                              {"name": "c", "type": "ping", "hostname": "b.test", "parent": "p"}])
    with pytest.raises(SpecError, match=r"monitors\[0\]\.accepted_status_codes\[0\]"):
        uk.validate_monitors([{"name": "w", "type": "http", "url": "https://a.test", "accepted_status_codes": ["299-200"]}])
    with pytest.raises(SpecError, match=r"monitors\[0\]\.notifications: a list of distinct"):
        uk.validate_monitors([{"name": "w", "type": "push", "notifications": ["a", "a"]}])


def test_check_interval_bounds_names_the_version():
    monitors = [{"name": "a", "interval": 60, "retry_interval": 10}]
    uk.check_interval_bounds(monitors, (2, 1, 0))
    with pytest.raises(SpecError) as caught:
        uk.check_interval_bounds(monitors, (2, 0, 2))
    assert str(caught.value) == "monitors[0].retry_interval: 20..2073600 seconds expected on Uptime Kuma 2.0, got 10"


def test_monitor_fields_fill_defaults_only_when_creating():
    spec = {"name": "d", "type": "dns", "hostname": "a.test", "interval": 30}
    assert uk.monitor_fields(spec, creating=False) == {"name": "d", "type": "dns", "hostname": "a.test", "interval": 30}
    created = uk.monitor_fields(spec, creating=True)
    assert (created["port"], created["dns_resolve_type"], created["retryInterval"]) == (53, "A", 60)
    assert "url" not in created and "timeout" not in created
    http = uk.monitor_fields({"name": "h", "type": "http", "url": "https://a.test", "interval": 100}, creating=True)
    assert (http["timeout"], http["accepted_statuscodes"], http["maxredirects"]) == (80, ["200-299"], 10)


def test_validate_tag_option_and_slug():
    assert uk.validate_tag_option("fabrik:site-one") == ("fabrik", "site-one")
    assert uk.validate_tag_option("fabrik") == ("fabrik", "")
    assert uk.validate_tag_option("a:b:c") == ("a", "b:c")
    with pytest.raises(SpecError):
        uk.validate_tag_option(" :value")
    assert uk.validate_slug("site-one") == "site-one"
    with pytest.raises(SpecError):
        uk.validate_slug("-site")


# ------------------------------------------------------------- client vs emulator


def test_client_reads_version_and_gates_conditions(connect, kuma):
    emulator, _url, version = kuma
    client = connect()
    assert (client.version, client.release) == (version, uk.parse_release(version))
    monitor_id = client.add_monitor({"type": "http", "name": "a", "url": "https://a.test", "interval": 60})
    sent = logged_events(emulator, "add")[0]["args"][0]
    assert ("conditions" in sent) is (version == V2)
    assert sent["notificationIDList"] == {}
    client.edit_monitor(monitor_id, {"interval": 90, "notificationIDList": []})
    assert client.get_monitor(monitor_id)["interval"] == 90
    assert [m["name"] for m in client.monitors(refresh=True)] == ["a"]
    assert emulator.violations == []


def test_client_interval_below_the_library_floor_reaches_a_2_1_server(served):
    emulator, url = served
    emulator.configure(version=V2, twofa_secret=None)
    emulator.app.reset()  # state, faults, latency, log and violations
    client = uk.UptimeKumaClient(url, "admin", PASSWORD, timeout=3)
    with uk.connected(client):
        monitor_id = client.add_monitor({"type": "ping", "name": "p", "hostname": "a.test", "interval": 5})
    assert emulator.snapshot()["monitors"][str(monitor_id)]["interval"] == 5


def test_check_mode_client_refuses_writes_before_sending(connect, kuma):
    emulator = kuma[0]
    client = connect(check_mode=True)
    assert client.tags() == []
    for call in (lambda: client.add_monitor({"type": "push", "name": "p"}), lambda: client.edit_monitor(1, {}),
                 lambda: client.add_tag("t", "#000000"), lambda: client.save_notification({"name": "n"})):
        with pytest.raises(uk.UptimeKumaError) as caught:
            call()
        assert "refused in check mode" in str(caught.value)
    assert [entry["event"] for entry in emulator.events()] == ["connect", "login", "getTags"]


def test_errors_name_the_operation_and_hide_secrets(connect, kuma):
    emulator = kuma[0]
    client = connect()
    emulator.add_fault({"event": "addTag", "error": "rejected %s for admin" % PASSWORD})
    with pytest.raises(uk.UptimeKumaError) as caught:
        client.add_tag("fabrik", "#000000")
    assert str(caught.value) == "Uptime Kuma: add tag fabrik failed: rejected ******** for admin"
    assert caught.value.details()["maybe_applied"] is False


def test_dropped_connection_is_reported_as_maybe_applied(connect, kuma):
    emulator = kuma[0]
    client = connect(timeout=1)
    emulator.add_fault({"event": "addTag", "drop": True})
    with pytest.raises(uk.UptimeKumaError) as caught:
        client.add_tag("fabrik", "#000000")
    assert caught.value.maybe_applied is True
    assert "it may have been applied" in str(caught.value)


def test_status_page_keys_follow_the_version(connect, kuma):
    keys = connect().status_page_config_keys()
    assert ("analyticsType" in keys, "googleAnalyticsId" in keys, "autoRefreshInterval" in keys) == (
        (False, True, False) if kuma[2] == V1 else (True, False, True))


def test_status_page_added_in_the_session_is_found(connect):
    client = connect()
    assert client.get_status_page("page") is None
    client.add_status_page("page", "Title")
    assert client.get_status_page("page")["title"] == "Title"
    client.delete_status_page("page")
    assert client.status_page_slugs() == []


class FutureServer:
    """A stand-in for the library reporting a server line the client does not support."""

    def __init__(self, url, **_options):
        self.url = url

    def login(self, *_args):
        return {"token": "x"}

    def info(self):
        return {"version": "3.0.0-beta.0"}

    def disconnect(self):
        """Nothing to close."""


def test_unsupported_server_line_is_refused():
    client = uk.UptimeKumaClient("http://kuma.test", "admin", PASSWORD, api_class=FutureServer)
    with pytest.raises(uk.UptimeKumaError) as caught:
        client.login()
    assert str(caught.value) == ("Uptime Kuma: read server info failed: server version '3.0.0-beta.0' is not "
                                 "supported (1.23.x and 2.x are)")


class SilentServer(FutureServer):
    """A stand-in for the library on a server that never sends its version after the login."""

    def __init__(self, url, **_options):
        super().__init__(url)
        self.versioned = threading.Event()
        self.server_version = None


def test_a_server_that_sends_no_version_after_the_login_is_an_error_within_the_timeout():
    client = uk.UptimeKumaClient("http://kuma.test", "admin", PASSWORD, timeout=1, api_class=SilentServer)
    started = time.monotonic()
    with pytest.raises(uk.UptimeKumaError) as caught:
        client.login()
    assert str(caught.value) == "Uptime Kuma: read server info failed: the server sent no version within 1 s of the login"
    assert 1 <= time.monotonic() - started < 5


def test_client_options_are_validated():
    with pytest.raises(SpecError, match="url: an http"):
        uk.UptimeKumaClient("kuma.test", "admin", PASSWORD)
    with pytest.raises(SpecError, match="timeout: a positive number"):
        uk.UptimeKumaClient("http://kuma.test", "admin", PASSWORD, timeout=0)


def test_the_library_loads_without_aiohttp_which_only_its_asyncio_client_would_use():
    # aiohttp is most of the import's time and 90 modules in Ansible's process, which every worker forks from.
    script = ("import sys\nfrom ansible_collections.fabrik.deploy.plugins.module_utils import _uptime_kuma\n"
              "assert _uptime_kuma.KUMA_LIBRARY.load() is not None\n"
              "print('aiohttp' in sys.modules)\nimport aiohttp\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    assert completed.stdout.strip() == "False"


# --- one login per run, the login limiter, the 2.x greeting -------------------------------------------


def test_one_password_login_per_run_key_the_other_clients_use_its_token(connect, kuma, monkeypatch):
    from ansible_collections.fabrik.deploy.plugins.module_utils import _uptime_kuma_session as session
    emulator = kuma[0]
    session.new_run_key()
    for _client in range(3):
        assert connect().tags() == []
    assert [entry["event"] for entry in emulator.events() if entry["event"].startswith("login")] == \
        ["login", "loginByToken", "loginByToken"]
    sessions = os.path.join(os.environ["FABRIK_DEPLOY_STATE_DIR"], "sessions")
    kept = os.listdir(sessions)
    for name in kept:
        with open(os.path.join(sessions, name), "rb") as handle:
            assert PASSWORD.encode() not in handle.read()
    assert kept
    # another run (another key) cannot read the token: it logs in with the password
    session.new_run_key()
    connect().tags()
    assert [entry["event"] for entry in emulator.events() if entry["event"].startswith("login")][-1] == "login"
    # a token the server no longer takes (a password change): a password login, and the new token kept
    monkeypatch.setattr(emulator, "_read_jwt", lambda token: None)
    connect().tags()
    assert [entry["event"] for entry in emulator.events() if entry["event"].startswith("login")][-2:] == \
        ["loginByToken", "login"]


def test_a_wrong_password_is_never_let_in_by_the_token_the_right_one_earned(connect, kuma):
    """Many sites in one run share the run's key: a site with a wrong password must fail at its own login."""
    from ansible_collections.fabrik.deploy.plugins.module_utils import _uptime_kuma_session as session
    session.new_run_key()
    assert connect().tags() == []
    with pytest.raises(uk.UptimeKumaError, match="login"):
        connect(password="not-" + PASSWORD)
    assert connect().tags() == []  # the right password still uses the kept token
    logins = [entry["event"] for entry in kuma[0].events() if entry["event"].startswith("login")]
    assert logins == ["login", "login", "loginByToken"], logins


def test_password_logins_wait_for_the_controller_limiter(connect, kuma, monkeypatch):
    emulator = kuma[0]
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "uptime_kuma_login=2/1.5")
    started = time.monotonic()
    for _client in range(3):
        connect().tags()
    assert time.monotonic() - started >= 1.4
    assert [entry["event"] for entry in emulator.events()].count("login") == 3


def test_the_servers_own_login_limit_is_waited_out(connect, kuma, monkeypatch):
    emulator = kuma[0]
    monkeypatch.setattr(uk, "THROTTLED_PAUSE", 0.2)
    emulator.add_fault({"event": "login", "error": uk.TOO_FREQUENTLY, "times": 2})
    assert connect().tags() == []
    assert [entry["event"] for entry in emulator.events()].count("login") == 3


def test_on_2_x_the_login_waits_for_the_first_info_event(served):
    """Uptime Kuma 2.x attaches its handlers after its first info event: a login sent before gets no answer."""
    emulator, url = served
    emulator.configure(version=V2, twofa_secret=None, info_delay=1.5)
    emulator.app.reset()
    try:
        client = uk.UptimeKumaClient(url, "admin", PASSWORD, timeout=5)
        started = time.monotonic()
        with uk.connected(client):
            assert client.tags() == []
        assert time.monotonic() - started >= 1.4
        events = emulator.events()
        assert not [entry for entry in events if entry.get("dropped")], events
    finally:
        emulator.configure(info_delay=0)
