"""The Uptime Kuma modules run in-process against the Socket.IO emulator, in 1.23 and 2.x modes."""

import json
import socket

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

pytest.importorskip("uptime_kuma_api")
emulator_module = pytest.importorskip("tests.sandbox.uptime_kuma")

from ansible_collections.fabrik.deploy.plugins.modules import (  # noqa: E402 - after the optional-dependency skips
    uptime_kuma_info,
    uptime_kuma_monitors,
    uptime_kuma_notification,
    uptime_kuma_status_page,
    uptime_kuma_tag,
)

V1 = "1.23.16"
V2 = "2.5.3"
PASSWORD = emulator_module.SANDBOX_PASSWORD
TWOFA_SECRET = "JBSWY3DPEHPK3PXP"
READ_EVENTS = {"connect", "http", "needSetup", "logout", "getMonitor", "getMonitorList", "getTags", "getStatusPage"}
TAG = "fabrik:site-one"
WEBHOOK = {"webhookURL": "https://hooks.example.org/very-secret-path", "webhookContentType": "json"}


class Kuma:
    """The emulator reset to one version, with its URL and event log helpers."""

    def __init__(self, emulator, url, version):
        self.emulator = emulator
        self.url = url
        self.version = version

    def events(self):
        return self.emulator.events()

    def writes(self):
        return [entry["event"] for entry in self.events()
                if entry["event"] not in READ_EVENTS and not entry["event"].startswith("login")]

    def clear_log(self):
        self.emulator.app.clear_log()

    def state(self):
        return self.emulator.snapshot()

    def monitors(self):
        return sorted(self.state()["monitors"].values(), key=lambda monitor: monitor["id"])

    def fault(self, event, **kind):
        self.emulator.add_fault(dict(event=event, **kind))


@pytest.fixture(scope="module")
def served():
    server, thread = emulator_module.serve(0, V2)
    yield server.emulator, "http://127.0.0.1:%d" % server.server_port
    server.emulator.close()
    server.shutdown()
    thread.join(5)


def reset(served, version, twofa_secret=None):
    emulator, url = served
    emulator.configure(version=version, twofa_secret=twofa_secret, seed_user=True)
    emulator.app.reset()  # state, faults, latency, log and violations
    return Kuma(emulator, url, version)


@pytest.fixture(params=[V1, V2])
def kuma(request, served):
    return reset(served, request.param)


@pytest.fixture
def unused_port():
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


@pytest.fixture
def run(served, monkeypatch):
    """``run(module, check_mode=False, **args)`` -> the module's result dict (``failed`` set on failure)."""

    warnings = []

    def exit_json(_module, **result):
        raise ModuleExit(dict(result, failed=False, warnings=list(warnings)))

    def fail_json(_module, msg, **result):
        raise ModuleExit(dict(result, msg=msg, failed=True, warnings=list(warnings)))

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(AnsibleModule, "warn", lambda _module, warning: warnings.append(warning))

    def run_module(module, check_mode=False, connection=True, **args):
        warnings.clear()
        if connection:
            args = dict({"url": served[1], "username": "admin", "password": PASSWORD, "timeout": 3}, **args)
        args.update(_ansible_check_mode=check_mode, _ansible_diff=True)
        with patch_module_args(args), pytest.raises(ModuleExit) as caught:
            module.main()
        result = caught.value.result
        assert PASSWORD not in json.dumps(result, default=str)
        return result

    return run_module


def site_monitors(interval=60):
    return [
        {"name": "site-one", "type": "http", "url": "https://site-one.test", "expiry_notification": True,
         "interval": interval, "notifications": ["ops"]},
        {"name": "site-one content", "type": "keyword", "url": "https://site-one.test", "keyword": "Welcome"},
    ]


def add_notification(run, name="ops"):
    result = run(uptime_kuma_notification, name=name, type="webhook", config=WEBHOOK)
    assert result["failed"] is False, result
    return result["notification"]["id"]


# -------------------------------------------------------------------- monitors


def test_monitors_converge_then_rerun_writes_nothing(run, kuma):
    notification_id = add_notification(run)
    result = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    assert result["failed"] is False, result
    assert (result["changed"], result["created"], result["server_version"]) == (
        True, ["site-one", "site-one content"], kuma.version)
    http, keyword = kuma.monitors()
    assert (http["type"], http["url"], http["interval"], http["expiryNotification"]) == (
        "http", "https://site-one.test", 60, True)
    assert http["notificationIDList"] == {str(notification_id): True}
    assert (keyword["keyword"], keyword["accepted_statuscodes"], keyword["timeout"]) == ("Welcome", ["200-299"], 48)
    assert [(t["name"], t["value"]) for t in http["tags"]] == [("fabrik", "site-one")]
    assert [r["notifications"] for r in result["monitors"]] == [["ops"], []]
    assert kuma.state()["tags"] == [{"id": 1, "name": "fabrik", "color": "#2563eb"}]
    assert kuma.emulator.violations == []

    kuma.clear_log()
    again = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    assert (again["changed"], again["created"], again["updated"]) == (False, [], [])
    assert kuma.writes() == []
    assert again["diff"]["before"] == again["diff"]["after"]


def test_monitors_check_mode_reports_and_writes_nothing(run, kuma):
    add_notification(run)
    kuma.clear_log()
    result = run(uptime_kuma_monitors, check_mode=True, tag=TAG, monitors=site_monitors())
    assert (result["failed"], result["changed"]) == (False, True), result
    assert kuma.writes() == []
    assert kuma.monitors() == [] and kuma.state()["tags"] == []
    assert list(result["diff"]["after"]) == ["site-one", "site-one content"]
    assert result["diff"]["before"] == {}
    assert result["monitors"][0]["interval"] == 60


def test_monitors_edit_only_what_differs_and_keep_the_rest(run, kuma):
    add_notification(run)
    add_notification(run, "pager")
    run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    http_id = kuma.monitors()[0]["id"]
    kuma.emulator._monitors[http_id]["body"] = "kept by the merge"  # pylint: disable=protected-access
    kuma.clear_log()
    wanted = site_monitors(interval=120)
    wanted[0]["notifications"] = ["pager"]
    result = run(uptime_kuma_monitors, tag=TAG, monitors=wanted)
    assert (result["changed"], result["updated"]) == (True, ["site-one"])
    assert kuma.writes() == ["editMonitor"]
    http = kuma.monitors()[0]
    assert (http["interval"], http["body"], http["url"]) == (120, "kept by the merge", "https://site-one.test")
    assert http["notificationIDList"] == {"2": True}
    assert result["diff"]["before"]["site-one"]["notifications"] == ["ops"]
    assert result["diff"]["after"]["site-one"]["notifications"] == ["pager"]


def test_monitors_prune_only_deletes_owned_unlisted(run, kuma):
    add_notification(run)
    run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    run(uptime_kuma_monitors, tag="fabrik:site-two", monitors=[{"name": "other", "type": "ping", "hostname": "x.test"}])
    kept = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors()[:1])
    assert (kept["changed"], len(kuma.monitors())) == (False, 3)
    assert [view["name"] for view in kept["monitors"]] == ["site-one", "site-one content"]

    pruned = run(uptime_kuma_monitors, tag=TAG, prune=True, monitors=site_monitors()[:1])
    assert (pruned["changed"], pruned["deleted"]) == (True, ["site-one content"])
    assert sorted(m["name"] for m in kuma.monitors()) == ["other", "site-one"]
    assert [view["name"] for view in pruned["monitors"]] == ["site-one"]


def test_monitors_groups_parents_and_push(run, kuma):
    monitors = [
        {"name": "web", "type": "http", "url": "https://site-one.test", "parent": "site"},
        {"name": "site", "type": "group"},
        {"name": "cron", "type": "push", "parent": "site"},
        {"name": "dns", "type": "dns", "hostname": "site-one.test", "dns_resolve_type": "AAAA"},
    ]
    result = run(uptime_kuma_monitors, tag=TAG, monitors=monitors)
    assert result["failed"] is False, result
    by_name = {m["name"]: m for m in kuma.monitors()}
    assert by_name["web"]["parent"] == by_name["site"]["id"] == by_name["cron"]["parent"]
    assert len(by_name["cron"]["pushToken"]) == 32
    assert (by_name["dns"]["port"], by_name["dns"]["dns_resolve_type"]) == (53, "AAAA")
    assert {view["name"]: view["parent"] for view in result["monitors"]}["web"] == "site"
    assert "pushToken" not in json.dumps(result)
    assert run(uptime_kuma_monitors, tag=TAG, monitors=monitors)["changed"] is False

    monitors[0].pop("parent")
    moved = run(uptime_kuma_monitors, tag=TAG, monitors=monitors)
    assert moved["updated"] == ["web"]
    assert {m["name"]: m for m in kuma.monitors()}["web"]["parent"] is None


@pytest.mark.parametrize("event", ["addTag", "add", "addMonitorTag", "editMonitor"])
def test_monitors_rerun_after_a_failed_write_converges_without_duplicates(run, kuma, event):
    add_notification(run)
    if event == "editMonitor":
        run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    kuma.fault(event, error="sandbox fault")
    failed = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors(interval=90))
    assert failed["failed"] is True
    assert failed["msg"].startswith("Uptime Kuma: ") and failed["msg"].endswith("failed: sandbox fault")
    again = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors(interval=90))
    assert again["failed"] is False, again
    names = sorted(m["name"] for m in kuma.monitors())
    assert names == ["site-one", "site-one content"]
    assert [t["name"] for t in kuma.state()["tags"]] == ["fabrik"]
    assert all([(t["name"], t["value"]) for t in m["tags"]] == [("fabrik", "site-one")] for m in kuma.monitors())
    assert run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors(interval=90))["changed"] is False


def test_monitors_unanswered_write_is_reported_as_maybe_applied_and_rerun_adopts(run, kuma):
    kuma.fault("add", after=True)
    failed = run(uptime_kuma_monitors, tag=TAG, timeout=1, monitors=site_monitors()[1:])
    assert failed["failed"] is True and failed["maybe_applied"] is True
    assert "no answer within 1 s" in failed["msg"]
    again = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors()[1:])
    assert again["updated"] == ["site-one content"] and again["created"] == []
    assert len(kuma.monitors()) == 1


def test_monitors_with_the_same_name_under_another_site_are_left_alone(run, kuma):
    run(uptime_kuma_monitors, tag="fabrik:site-two", monitors=site_monitors()[1:])
    result = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors()[1:])
    assert result["created"] == ["site-one content"]
    assert sorted((t["value"] for m in kuma.monitors() for t in m["tags"])) == ["site-one", "site-two"]


@pytest.mark.parametrize("interval, accepted", [(10, {V1: False, V2: True}), (3000000, {V1: False, V2: True})])
def test_monitors_interval_bounds_follow_the_server_version(run, kuma, interval, accepted):
    result = run(uptime_kuma_monitors, tag=TAG, monitors=[dict(site_monitors(interval)[0], notifications=[])])
    assert result["failed"] is not accepted[kuma.version], result
    if not accepted[kuma.version]:
        assert result["msg"].startswith("monitors[0].interval: 20..2073600 seconds expected on Uptime Kuma 1.23")
        assert kuma.writes() == []


def test_monitors_unknown_notification_fails_before_any_write(run, kuma):
    result = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    assert result["failed"] is True
    assert result["msg"] == "monitors[0].notifications: no notification called 'ops' on the server (known: none)"
    assert kuma.writes() == []


BAD_MONITORS = [
    ({"name": " ", "type": "http", "url": "https://a.test"}, "monitors[0].name: a monitor name expected"),
    ({"name": "a", "type": "smtp"}, "monitors[0].type: one of http, keyword"),
    ({"name": "a", "type": "http"}, "monitors[0].url: required for http monitors"),
    ({"name": "a", "type": "http", "url": "ftp://a.test"}, "monitors[0].url: an http:// or https:// URL"),
    ({"name": "a", "type": "http", "url": "https://"}, "monitors[0].url: an http:// or https:// URL"),
    ({"name": "a", "type": "keyword", "url": "https://a.test"}, "monitors[0].keyword: required for keyword"),
    ({"name": "a", "type": "http", "url": "https://a.test", "interval": 0}, "monitors[0].interval: >= 1 expected"),
    ({"name": "a", "type": "http", "url": "https://a.test", "max_retries": -1}, "monitors[0].max_retries: >= 0"),
    ({"name": "a", "type": "port", "hostname": "a.test", "port": 70000}, "monitors[0].port: 1..65535 expected"),
    ({"name": "a", "type": "ping", "hostname": "a.test", "keyword": "x"}, "monitors[0].keyword: not an option of ping"),
    ({"name": "a", "type": "http", "url": "https://a.test", "accepted_status_codes": ["2xx"]},
     "monitors[0].accepted_status_codes[0]: a status code"),
    ({"name": "a", "type": "http", "url": "https://a.test", "parent": "nowhere"}, "monitors[0].parent: the name of a group"),
    ({"name": "a", "type": "dns", "hostname": "a.test", "dns_resolve_type": "ANY"}, "monitors[0].dns_resolve_type: one of"),
    ({"name": "a", "type": "http", "url": "https://a.test", "method": "FETCH"}, "monitors[0].method: one of GET"),
]


@pytest.mark.parametrize("monitor, message", BAD_MONITORS, ids=[m for _unused, m in BAD_MONITORS])
def test_monitors_bad_input_fails_before_connecting(run, served, monitor, message):
    kuma = reset(served, V2)
    result = run(uptime_kuma_monitors, tag=TAG, monitors=[monitor])
    assert result["failed"] is True and result["msg"].startswith(message), result["msg"]
    assert kuma.events() == []


def test_monitors_duplicate_names_and_bad_tag_fail_before_connecting(run, served):
    kuma = reset(served, V1)
    twice = [{"name": "a", "type": "ping", "hostname": "a.test"}] * 2
    assert run(uptime_kuma_monitors, tag=TAG, monitors=twice)["msg"].startswith("monitors[1].name: duplicate")
    assert run(uptime_kuma_monitors, tag=":x", monitors=[])["msg"].startswith("tag: a tag name expected")
    assert run(uptime_kuma_monitors, tag=TAG, tag_color="blue", monitors=[])["msg"].startswith("tag_color:")
    assert kuma.events() == []


# ------------------------------------------------------------ connection and auth


def test_wrong_password_fails_cleanly(run, kuma):
    result = run(uptime_kuma_monitors, password="wrong-password-1", tag=TAG, monitors=[])
    assert result["failed"] is True
    expected = "Incorrect username or password." if kuma.version == V1 else "authIncorrectCreds"
    assert result["msg"] == "Uptime Kuma: login failed: %s" % expected
    assert "wrong-password-1" not in json.dumps(result)


def test_missing_credentials_and_unreachable_server(run, unused_port):
    assert run(uptime_kuma_info, password=None)["msg"].startswith("username: username and password")
    result = run(uptime_kuma_info, url="http://127.0.0.1:%d" % unused_port)
    assert result["msg"].startswith("Uptime Kuma: connect failed: cannot connect to http://127.0.0.1:%d" % unused_port)


def test_environment_provides_the_connection(run, served, monkeypatch):
    reset(served, V2)
    for name, value in (("UPTIME_KUMA_URL", served[1]), ("UPTIME_KUMA_USERNAME", "admin"),
                        ("UPTIME_KUMA_PASSWORD", PASSWORD)):
        monkeypatch.setenv(name, value)
    assert run(uptime_kuma_info, connection=False)["server_version"] == V2


def test_two_factor_login_with_the_secret_works_on_consecutive_runs(run, served):
    reset(served, V2, twofa_secret=TWOFA_SECRET)
    assert run(uptime_kuma_info)["msg"].startswith("Uptime Kuma: login failed: two-factor authentication is on")
    for _unused in range(3):  # the server refuses a code twice: the module alternates with the next step's code
        result = run(uptime_kuma_info, totp_secret=TWOFA_SECRET)
        assert result["failed"] is False, result
    assert TWOFA_SECRET not in json.dumps(result)


def test_login_token_replaces_the_password(run, served):
    kuma = reset(served, V1)
    token = kuma.emulator._make_jwt(kuma.emulator._users[1])  # pylint: disable=protected-access
    result = run(uptime_kuma_info, connection=False, url=served[1], token=token)
    assert (result["failed"], result["server_version"]) == (False, V1)
    assert run(uptime_kuma_info, token=token)["msg"].startswith("token: give either a login token")


# ------------------------------------------------------------------------ tag


def test_tag_lifecycle(run, kuma):
    created = run(uptime_kuma_tag, name="fabrik", color="#2563EB")
    assert (created["changed"], created["tag"]["color"]) == (True, "#2563eb")
    assert run(uptime_kuma_tag, name="fabrik", color="#2563eb")["changed"] is False
    assert run(uptime_kuma_tag, name="fabrik")["changed"] is False
    kuma.clear_log()
    planned = run(uptime_kuma_tag, check_mode=True, name="fabrik", color="#000000")
    assert (planned["changed"], planned["diff"]["after"]["color"], kuma.writes()) == (True, "#000000", [])
    assert run(uptime_kuma_tag, name="fabrik", color="#000000")["changed"] is True
    assert kuma.state()["tags"][0]["color"] == "#000000"
    assert run(uptime_kuma_tag, name="fabrik", state="absent")["changed"] is True
    assert kuma.state()["tags"] == []
    assert run(uptime_kuma_tag, name="fabrik", state="absent")["changed"] is False
    assert run(uptime_kuma_tag, name="fabrik")["msg"] == "color: required to create the tag 'fabrik'"


# --------------------------------------------------------------- notification


def test_notification_lifecycle_never_returns_provider_values(run, kuma):
    created = run(uptime_kuma_notification, name="ops", type="webhook", config=WEBHOOK, is_default=True)
    assert created["changed"] is True
    assert created["notification"]["config_keys"] == ["webhookContentType", "webhookURL"]
    stored = kuma.state()["notifications"][0]
    assert json.loads(stored["config"])["webhookURL"] == WEBHOOK["webhookURL"] and stored["isDefault"] is True
    assert run(uptime_kuma_notification, name="ops", type="webhook", config=WEBHOOK)["changed"] is False

    rotated = run(uptime_kuma_notification, name="ops", config={"webhookURL": "https://hooks.example.org/new-secret"})
    assert rotated["changed"] is True
    assert rotated["diff"]["after"]["config"] == {"webhookContentType": "(set)", "webhookURL": "(changed)"}
    text = json.dumps(created) + json.dumps(rotated)
    assert "very-secret-path" not in text and "new-secret" not in text
    assert json.loads(kuma.state()["notifications"][0]["config"])["webhookContentType"] == "json"

    kuma.clear_log()
    assert run(uptime_kuma_notification, check_mode=True, name="ops", state="absent")["changed"] is True
    assert kuma.writes() == []
    assert run(uptime_kuma_notification, name="ops", state="absent")["changed"] is True
    assert kuma.state()["notifications"] == []


def test_notification_bad_input(run, served):
    kuma = reset(served, V2)
    assert run(uptime_kuma_notification, name="ops", type="carrier-pigeon")["msg"].startswith("type: an Uptime Kuma provider")
    assert run(uptime_kuma_notification, name="ops", type="webhook", config={"name": "x"})["msg"].startswith("config.name:")
    assert kuma.events() == []
    assert run(uptime_kuma_notification, name="ops")["msg"] == "type: required to create the notification 'ops'"


# ---------------------------------------------------------------- status page


def test_status_page_with_monitors_by_name(run, kuma):
    run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors()[1:] + [
        {"name": "site-one", "type": "http", "url": "https://site-one.test"}])
    args = dict(slug="site-one", title="Site one", description="Availability", tag=TAG,
                monitors=["site-one", "site-one content"], analytics_type="google", analytics_id="G-123")
    created = run(uptime_kuma_status_page, **args)
    assert created["failed"] is False, created
    page = kuma.state()["status_pages"]["site-one"]
    assert (page["config"]["title"], page["config"]["description"]) == ("Site one", "Availability")
    analytics_key = "googleAnalyticsId" if kuma.version == V1 else "analyticsId"
    assert page["config"][analytics_key] == "G-123"
    ids = {m["name"]: m["id"] for m in kuma.monitors()}
    assert [[m["id"] for m in g["monitorList"]] for g in page["publicGroupList"]] == [
        [ids["site-one"], ids["site-one content"]]]
    assert created["status_page"]["groups"] == [{"name": "Services", "monitors": ["site-one", "site-one content"]}]
    assert created["status_page"]["url"] == "%s/status/site-one" % kuma.url

    kuma.clear_log()
    assert run(uptime_kuma_status_page, **args)["changed"] is False
    assert kuma.writes() == []
    reordered = run(uptime_kuma_status_page, **dict(args, monitors=["site-one content"], published=False))
    assert reordered["changed"] is True
    page = kuma.state()["status_pages"]["site-one"]
    assert page["config"]["published"] is False and len(page["publicGroupList"][0]["monitorList"]) == 1
    assert kuma.emulator.violations == []
    assert run(uptime_kuma_status_page, slug="site-one", state="absent")["changed"] is True
    assert kuma.state()["status_pages"] == {}


def test_status_page_check_mode_and_errors(run, kuma):
    kuma.clear_log()
    planned = run(uptime_kuma_status_page, check_mode=True, slug="new-page", title="New")
    assert (planned["changed"], planned["status_page"]["title"], kuma.writes()) == (True, "New", [])
    assert run(uptime_kuma_status_page, slug="Bad Slug", title="x")["msg"].startswith("slug: lower-case letters")
    assert run(uptime_kuma_status_page, slug="page")["msg"] == "title: required to create the status page 'page'"
    missing = run(uptime_kuma_status_page, slug="page", title="x", monitors=["ghost"])
    assert missing["msg"] == "monitors[0]: no monitor called 'ghost'"
    umami = run(uptime_kuma_status_page, slug="page", title="x", analytics_type="umami", analytics_id="u1")
    assert umami["failed"] is (kuma.version == V1)
    assert kuma.writes() == ([] if kuma.version == V1 else ["addStatusPage", "saveStatusPage"])


# ----------------------------------------------------------------------- info


def test_info_lists_everything_without_secrets(run, kuma):
    add_notification(run)
    run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    run(uptime_kuma_monitors, tag="fabrik:site-two", monitors=[{"name": "other", "type": "ping", "hostname": "a.test"}])
    kuma.clear_log()
    info = run(uptime_kuma_info, tag=TAG)
    assert info["server_version"] == kuma.version
    assert [m["name"] for m in info["monitors"]] == ["site-one", "site-one content"]
    assert info["tags"] == [{"id": 1, "name": "fabrik", "color": "#2563eb"}]
    assert info["notifications"][0]["config_keys"] == ["webhookContentType", "webhookURL"]
    assert "very-secret-path" not in json.dumps(info)
    assert len(run(uptime_kuma_info)["monitors"]) == 3
    assert kuma.writes() == []


def test_monitors_check_mode_only_warns_about_a_notification_still_to_create(run, kuma, monkeypatch):
    warnings = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda _module, text: warnings.append(text))
    result = run(uptime_kuma_monitors, check_mode=True, tag=TAG, monitors=site_monitors())
    assert (result["failed"], result["changed"]) == (False, True), result
    assert result["diff"]["after"]["site-one"]["notifications"] == ["ops"]
    assert warnings == ["monitors[0].notifications: no notification called 'ops' on the server yet; check mode "
                        "assumes an earlier task creates it"]
    assert kuma.writes() == []


# ------------------------------------------------------- concurrent runs of one site


def other_run(served):
    """A second client, standing for a concurrent run of the site."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import UptimeKumaClient
    client = UptimeKumaClient(served[1], username="admin", password=PASSWORD, timeout=3)
    client.login()
    return client


def test_duplicates_left_by_concurrent_runs_are_removed_keeping_the_oldest(run, kuma, served):
    add_notification(run)
    first = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    other = other_run(served)
    tag_id = next(tag["id"] for tag in kuma.state()["tags"])
    twin = other.add_monitor({"name": "site-one", "type": "http", "url": "https://site-one.test", "interval": 60})
    other.add_monitor_tag(tag_id, twin, "site-one")
    spare_tag = other.add_tag("fabrik", "#2563eb")["id"]
    other.close()
    kuma.clear_log()
    planned = run(uptime_kuma_monitors, check_mode=True, tag=TAG, monitors=site_monitors())
    assert planned["deleted"] == ["site-one"] and kuma.writes() == []
    assert "and %s, unused: a run would delete it" % spare_tag in " ".join(planned["warnings"])
    settled = run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())
    assert settled["changed"] is True and settled["deleted"] == ["site-one"]
    assert "and %s, unused: deleted" % spare_tag in " ".join(settled["warnings"])
    assert [m["id"] for m in kuma.monitors()] == sorted(m["id"] for m in first["monitors"])
    assert [t["id"] for t in kuma.state()["tags"]] == [tag_id]
    assert run(uptime_kuma_monitors, tag=TAG, monitors=site_monitors())["changed"] is False


def test_a_monitor_and_tag_added_by_a_concurrent_run_meanwhile_are_kept_and_ours_deleted(
        run, kuma, served, monkeypatch):
    """Both runs read no monitor and no tag, then both add them: each run keeps the oldest."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import UptimeKumaClient
    other = other_run(served)
    real_add_tag, real_add_monitor = UptimeKumaClient.add_tag, UptimeKumaClient.add_monitor
    theirs = {}

    def add_tag(client, name, color):
        if "tag" not in theirs:
            theirs["tag"] = real_add_tag(other, name, color)["id"]
        return real_add_tag(client, name, color)

    def add_monitor(client, fields):
        if fields["name"] not in theirs:
            theirs[fields["name"]] = real_add_monitor(other, dict(fields))
            if fields["name"] == "site-one":  # the other run has tagged this one already, not the other
                other.add_monitor_tag(theirs["tag"], theirs["site-one"], "site-one")
        return real_add_monitor(client, fields)

    monkeypatch.setattr(UptimeKumaClient, "add_tag", add_tag)
    monkeypatch.setattr(UptimeKumaClient, "add_monitor", add_monitor)
    monitors = site_monitors()[1:] + [dict(site_monitors()[0], notifications=[])]
    result = run(uptime_kuma_monitors, tag=TAG, monitors=monitors)
    other.close()
    assert result["failed"] is False, result
    warnings = " ".join(result["warnings"])
    assert "tag 'fabrik' was added by a concurrent run too: kept the oldest (id %s)" % theirs["tag"] in warnings
    assert "monitor 'site-one' was added by a concurrent run too" in warnings
    assert "monitor 'site-one content' was added by a concurrent run too" in warnings
    assert sorted((m["id"], m["name"]) for m in kuma.monitors()) == sorted(
        (theirs[name], name) for name in ("site-one", "site-one content"))
    assert [t["id"] for t in kuma.state()["tags"]] == [theirs["tag"]]
    # the untagged one is the other run's to tag (it was between its add and its tag); a rerun adopts it
    # should that run have died meanwhile
    monkeypatch.setattr(UptimeKumaClient, "add_tag", real_add_tag)
    monkeypatch.setattr(UptimeKumaClient, "add_monitor", real_add_monitor)
    again = run(uptime_kuma_monitors, tag=TAG, monitors=monitors)
    assert again["created"] == [] and again["deleted"] == []
    assert all([(t["name"], t["value"]) for t in m["tags"]] == [("fabrik", "site-one")] for m in kuma.monitors())


def test_a_notification_added_by_a_concurrent_run_meanwhile_is_kept_and_ours_deleted(run, kuma, served, monkeypatch):
    from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import UptimeKumaClient
    other = other_run(served)
    real_save = UptimeKumaClient.save_notification
    theirs = []

    def save_notification(client, notification, notification_id=None):
        if not theirs:
            theirs.append(real_save(other, dict(notification)))
        return real_save(client, notification, notification_id)

    monkeypatch.setattr(UptimeKumaClient, "save_notification", save_notification)
    result = run(uptime_kuma_notification, name="ops", type="webhook", config=WEBHOOK)
    other.close()
    assert result["failed"] is False and result["notification"]["id"] == theirs[0], result
    assert "notification 'ops' was added by a concurrent run too: kept the oldest (id %s)" % theirs[0] in \
        " ".join(result["warnings"])
    assert [item["id"] for item in kuma.state()["notifications"]] == theirs
