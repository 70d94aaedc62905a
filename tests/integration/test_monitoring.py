"""The monitoring stage of site.yml (role fabrik.deploy.monitoring) against the Uptime Kuma emulator.

Uptime Kuma's control API logs Socket.IO events, not HTTP requests, so this module
drives it itself: the emulator of the sandbox launcher on port base + 4, or one
served from this process while the launcher has none.
"""

import os

import pytest
import requests
from conftest import STATE_DIR

pytest.importorskip("uptime_kuma_api")
uptime_kuma = pytest.importorskip("tests.sandbox.uptime_kuma")

PORT = int(os.environ.get("FABRIK_TEST_PORT_BASE", "18500")) + 4
V1 = "1.23.16"
V2 = "2.5.3"
DOMAIN = "site-one.test"
WEBHOOK_SECRET = "hooks-secret-path-4711"
# Events that change nothing; every other event of the log is a write.
READ_EVENTS = {"connect", "http", "needSetup", "logout"}
KUMA_VARS = {
    "uptime_kuma_url": "http://127.0.0.1:{{ sandbox_port_base | int + 4 }}",
    "uptime_kuma_username": uptime_kuma.SANDBOX_USERNAME,
    "uptime_kuma_password": uptime_kuma.SANDBOX_PASSWORD,
}


class Kuma:
    """The Uptime Kuma emulator's control API."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        self.mark = 0

    def control(self, method, path, body=None):
        response = self.http.request(method, "%s/_sandbox/%s" % (self.url, path), json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def answering(self):
        try:
            self.control("GET", "latency")
        except requests.RequestException:
            return False
        return True

    def reset(self, version):
        self.control("POST", "config", {"version": version, "twofa_secret": None})
        self.control("POST", "reset")
        self.mark = 0

    def forget_log(self):
        self.mark = len(self.control("GET", "requests"))

    def writes(self):
        return [entry["event"] for entry in self.control("GET", "requests")[self.mark:]
                if entry["event"] not in READ_EVENTS and not entry["event"].startswith(("get", "login"))]

    def state(self):
        return self.control("GET", "state")

    def fault(self, **spec):
        self.control("POST", "faults", spec)


@pytest.fixture(scope="session")
def kuma_service(sandbox_session):
    service = Kuma("http://127.0.0.1:%d" % PORT)
    server = None
    if not service.answering():
        server, thread = uptime_kuma.serve(PORT, V2)
    yield service
    if server is not None:
        server.emulator.close()
        server.shutdown()
        thread.join(5)


@pytest.fixture(params=[V1, V2])
def kuma(request, sandbox, kuma_service):
    kuma_service.reset(request.param)
    yield kuma_service
    violations = kuma_service.control("GET", "violations")
    kuma_service.control("DELETE", "faults")
    assert not violations, violations


@pytest.fixture()
def kuma_v2(sandbox, kuma_service):
    kuma_service.reset(V2)
    yield kuma_service
    kuma_service.control("DELETE", "faults")


def site(**overrides):
    spec = {
        "site_domain": DOMAIN,
        "monitoring_status_page": True,
        "monitoring_notifications": [{"name": "ops", "type": "webhook",
                                      "config": {"webhookURL": "https://hooks.example.invalid/" + WEBHOOK_SECRET,
                                                 "webhookContentType": "json"}}],
    }
    spec.update(overrides)
    return spec


def playbook(tmp_path):  # pylint: disable=unused-argument
    """The site playbook: it imports every stage's role behind the stage's tag."""
    return "site.yml"


def deploy(sandbox, tmp_path, spec=None, **kwargs):
    inventory = sandbox.inventory(tmp_path / "inv", {"site-one": spec or site()}, group_vars=KUMA_VARS)
    return sandbox.playbook(playbook(tmp_path), inventory, tags=["monitoring"], **kwargs)


def converged(kuma):
    """(monitors by name with their tag, notification names, tag names, status page groups) of the emulator."""
    state = kuma.state()
    monitors = {m["name"]: m for m in state["monitors"].values()}
    pages = {slug: [[entry["name"] for entry in group["monitorList"]] for group in page["publicGroupList"]]
             for slug, page in state["status_pages"].items()}
    return (monitors, sorted(n["name"] for n in state["notifications"]), sorted(t["name"] for t in state["tags"]),
            pages)


def assert_site_converged(kuma):
    monitors, notifications, tags, pages = converged(kuma)
    assert sorted(monitors) == [DOMAIN, DOMAIN + " content"]
    http = monitors[DOMAIN]
    assert (http["type"], http["url"], http["expiryNotification"]) == ("http", "https://" + DOMAIN, True)
    assert monitors[DOMAIN + " content"]["keyword"] == "</html>"
    assert all([(t["name"], t["value"]) for t in m["tags"]] == [("fabrik", DOMAIN)] for m in monitors.values())
    assert all(len(m["notificationIDList"]) == 1 for m in monitors.values())
    assert (notifications, tags) == (["ops"], ["fabrik"])
    assert pages == {"site-one-test": [[DOMAIN, DOMAIN + " content"]]}


def test_check_mode_then_converge_then_rerun_changes_nothing(sandbox, kuma, tmp_path):
    planned = deploy(sandbox, tmp_path, check=True, diff=True)
    assert planned.rc == 0, planned.explain()
    assert planned.changed > 0
    assert kuma.writes() == []
    assert converged(kuma)[0] == {}

    run = deploy(sandbox, tmp_path, verbosity=1)
    assert run.rc == 0, run.explain()
    assert run.changed > 0
    assert_site_converged(kuma)
    assert WEBHOOK_SECRET not in run.output and uptime_kuma.SANDBOX_PASSWORD not in run.output

    kuma.forget_log()
    again = deploy(sandbox, tmp_path, diff=True)
    assert again.rc == 0, again.explain()
    assert again.changed == 0, again.explain()
    assert kuma.writes() == []


@pytest.mark.parametrize("event", ["addNotification", "addTag", "add", "addMonitorTag", "addStatusPage",
                                   "saveStatusPage"])
def test_a_failed_write_then_rerun_converges_without_duplicates(sandbox, kuma_v2, tmp_path, event):
    kuma_v2.fault(event=event, error="sandbox fault on " + event)
    failed = deploy(sandbox, tmp_path)
    assert failed.rc != 0 and "failed: sandbox fault on %s" % event in failed.output, failed.explain()
    rerun = deploy(sandbox, tmp_path)
    assert rerun.rc == 0, rerun.explain()
    assert_site_converged(kuma_v2)
    kuma_v2.forget_log()
    assert deploy(sandbox, tmp_path).changed == 0
    assert kuma_v2.writes() == []


def test_an_unanswered_write_then_rerun_converges(sandbox, kuma_v2, tmp_path):
    kuma_v2.fault(event="add", after=True)
    failed = deploy(sandbox, tmp_path, spec=site(uptime_kuma_timeout=2))
    assert failed.rc != 0 and "no answer within 2 s" in failed.output, failed.explain()
    rerun = deploy(sandbox, tmp_path)
    assert rerun.rc == 0, rerun.explain()
    assert_site_converged(kuma_v2)


def no_channels(**overrides):
    """Monitor inputs without notification channels: the channel task, which comes first, would write."""
    return dict(overrides, monitoring_notifications=[])


def extra(*monitors):
    return no_channels(monitoring_extra_monitors=list(monitors))


BAD_INPUTS = [
    # The preflight names the variable the user wrote: the one that filled a default monitor's option, or the
    # entry of monitoring_extra_monitors.
    (no_channels(monitoring_url="ftp://site-one.test"), "monitoring_url: an http:// or https:// URL"),
    (no_channels(monitoring_url="site-one.test"), "monitoring_url: an http:// or https:// URL"),
    (no_channels(monitoring_interval=0), "monitoring_interval: >= 1 expected"),
    (no_channels(monitoring_keyword=""), "monitoring_keyword: required for keyword monitors"),
    (no_channels(monitoring_tag=":site-one"), "monitoring_tag: a tag name expected"),
    (extra({"name": DOMAIN, "type": "ping", "hostname": DOMAIN}),
     "monitoring_extra_monitors[0].name: duplicate monitor name"),
    (extra({"name": "mail", "type": "smtp", "hostname": DOMAIN}), "monitoring_extra_monitors[0].type: one of http"),
    (extra({"name": "db", "type": "port", "hostname": DOMAIN, "port": 70000}),
     "monitoring_extra_monitors[0].port: 1..65535"),
    (extra({"name": "api", "type": "http", "url": "https://api.site-one.test", "accepted_status_codes": ["2xx"]}),
     "monitoring_extra_monitors[0].accepted_status_codes[0]: a status code"),
    (extra({"name": "ping", "type": "ping", "hostname": DOMAIN, "keyword": "x"}),
     "monitoring_extra_monitors[0].keyword: not an option of ping monitors"),
    (extra({"name": "api", "type": "http", "url": "https://api.site-one.test", "notifications": ["pager"]}),
     "monitors[2].notifications: no notification called 'pager'"),
    ({"monitoring_notifications": [{"name": "ops", "type": "carrier-pigeon", "config": {}}]},
     "type: an Uptime Kuma provider id"),
]


@pytest.mark.parametrize("overrides, message", BAD_INPUTS, ids=[message for _unused, message in BAD_INPUTS])
def test_bad_input_fails_before_any_write(sandbox, kuma_v2, tmp_path, overrides, message):
    run = deploy(sandbox, tmp_path, spec=site(**overrides))
    assert run.rc != 0 and message in run.output, run.explain()
    assert kuma_v2.writes() == []


def test_interval_below_20_fails_on_1_23_before_any_write(sandbox, kuma, tmp_path):
    run = deploy(sandbox, tmp_path, spec=site(monitoring_notifications=[], monitoring_interval=5))
    if kuma.state()["version"] == V1:
        assert run.rc != 0 and "monitors[0].interval: 20..2073600 seconds expected on Uptime Kuma 1.23" in run.output
        assert kuma.writes() == []
    else:
        assert run.rc == 0, run.explain()
        assert converged(kuma)[0][DOMAIN]["interval"] == 5


def logins(kuma):
    events = [entry["event"] for entry in kuma.control("GET", "requests")[kuma.mark:]]
    return events.count("login"), events.count("loginByToken")


# The Uptime Kuma logins of one site's run: the preflight's credential probe, then three monitoring tasks.
LOGINS_PER_SITE = 4


def test_one_password_login_per_run_whatever_the_number_of_sites(sandbox, kuma, tmp_path):
    """Four tasks log in for each site (the preflight's credential probe and three of the monitoring stage): the
    first one of the run with the password, every other one with the token it kept. The server allows 3 password
    logins a minute here (a real one 20), and 2.x answers only after its first info event, which comes late:
    sixteen password logins would be refused."""
    kuma.control("POST", "config", {"login_rate_limit_per_minute": 3, "info_delay": 0.5})
    sites = {"site-%d" % number: site(site_domain="site-%d.test" % number) for number in range(4)}
    inventory = sandbox.inventory(tmp_path / "inv", sites, group_vars=KUMA_VARS)
    try:
        run = sandbox.playbook(playbook(tmp_path), inventory, tags=["monitoring"])
    finally:
        kuma.control("POST", "config", {"login_rate_limit_per_minute": None, "info_delay": 0})
    assert run.rc == 0 and run.failed == 0, run.explain()
    assert logins(kuma) == (1, 4 * LOGINS_PER_SITE - 1)
    kuma.forget_log()
    again = sandbox.playbook(playbook(tmp_path), inventory, tags=["monitoring"])
    assert again.rc == 0 and again.changed == 0, again.explain()
    # a new run draws a new key: the token of the last run cannot be read, one password login again
    assert logins(kuma) == (1, 4 * LOGINS_PER_SITE - 1)
    kept = list((STATE_DIR / "sessions").glob("*"))
    assert kept and all(uptime_kuma.SANDBOX_PASSWORD.encode() not in path.read_bytes() for path in kept)
