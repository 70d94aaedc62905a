"""The whole site: site.yml over every stage against every sandbox service.

* a fresh run converges and a rerun changes nothing and writes nothing, anywhere;
* the plan (``--check --diff``) on a fresh and on a converged sandbox sends no mutating request
  to any of the six services and ends with the per-stage summary;
* the resume walk: every distinct mutating request of a fresh run is made to fail once after it
  was applied (the response is lost), then a rerun must converge to a clean run's state with
  nothing duplicated. ``make test`` walks the first fault point of each service;
  ``FABRIK_RESUME_WALK=all`` walks every point (about 15 minutes on 2 cores);
* a fleet: several sites of one inventory converge side by side with forks.
"""

import json
import os
import re
from pathlib import Path

import requests

import observe

WORDPRESS_OFFSET = 6
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
DOMAIN = "whole-site.test"
CONTACT = {
    "first_name": "Ada", "last_name": "Example", "organization": "Whole Site Ltd",
    "address1": "1 Example Street", "city": "Exampleville", "state_province": "EX",
    "postal_code": "12345", "country": "GB", "phone": "+44.2071234567", "email": "ada@example.invalid",
}
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>\n'


class WholeSandbox:
    """The sandbox with its WordPress too (reset and request log through the same control API)."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.wordpress = "http://127.0.0.1:%d" % (sandbox.port_base + WORDPRESS_OFFSET)
        self.wordpress_mark = 0

    def reset(self):
        self.sandbox.reset()
        requests.post(self.wordpress + "/_sandbox/reset", timeout=120).raise_for_status()
        self.wordpress_mark = 0

    def wordpress_log(self):
        return requests.get(self.wordpress + "/_sandbox/requests", timeout=30).json()[self.wordpress_mark:]

    def reset_log(self):
        self.sandbox.reset_log()
        self.wordpress_mark += len(self.wordpress_log())

    def writes(self):
        found = self.sandbox.writes()
        found += [dict(entry, service="wordpress") for entry in self.wordpress_log() if entry["method"] not in READ_METHODS]
        return found

    def fault(self, service, **spec):
        if service == "wordpress":
            requests.post(self.wordpress + "/_sandbox/faults", json=spec, timeout=30).raise_for_status()
        else:
            self.sandbox.fault(service, **spec)

    def clear_faults(self):
        self.sandbox.clear_faults()
        requests.delete(self.wordpress + "/_sandbox/faults", timeout=30).raise_for_status()

    def state(self, password_file):
        """What a site run leaves behind, normalised (ids and timestamps left out)."""
        coolify = self.sandbox.state("coolify")
        kuma = self.sandbox.state("uptime_kuma")
        r2 = self.sandbox.state("r2")
        auth = ("admin", Path(password_file).read_text().strip())
        pages = requests.get(self.wordpress + "/wp-json/wp/v2/pages", params={"per_page": 100, "status": "any",
                                                                              "context": "edit"},
                             auth=auth, timeout=30).json()
        media = requests.get(self.wordpress + "/wp-json/wp/v2/media", params={"per_page": 100}, auth=auth,
                             timeout=30).json()
        items = requests.get(self.wordpress + "/wp-json/wp/v2/menu-items", params={"per_page": 100}, auth=auth,
                             timeout=30).json()
        return {
            "domain": observe.everything(self.sandbox),
            "coolify": _names(coolify),
            "uptime_kuma": _names(kuma),
            "r2": _names(r2),
            "pages": sorted((page["slug"], page["status"]) for page in pages),
            "media": sorted(item["slug"] for item in media),
            "menu_items": len(items) if isinstance(items, list) else items,
        }


def _names(snapshot):
    """Counts of named things in an emulator snapshot: duplicates show as counts above one."""
    counts = {}

    def walk(value, path):
        if isinstance(value, dict):
            name = value.get("name") or value.get("key") or value.get("slug")
            if isinstance(name, str) and path:
                key = "%s:%s" % (path, name)
                counts[key] = counts.get(key, 0) + 1
            for child_key, child in value.items():
                if child_key not in ("logs", "requests", "deletions", "deployments"):
                    walk(child, child_key if not path else path.split(".")[0] + "." + str(child_key))
        elif isinstance(value, list):
            for child in value:
                walk(child, path)

    walk(snapshot, "")
    return counts


def site_vars(tmp_path, domain=DOMAIN):
    assets = tmp_path / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "logo.svg").write_text(LOGO)
    return {
        "site_domain": domain,
        "site_server_ip": "192.0.2.10",
        "domain_register": True,
        "domain_contacts": {"registrant": CONTACT},
        "dns_gate_timeout": 30,
        "dns_gate_interval": 1,
        "app_template": "wordpress",
        "wordpress_preset": "landing",
        "wordpress_site": {"title": "Whole Site", "tagline": "Every stage, every rerun"},
        "wordpress_company": {"name": "Whole Site Ltd", "email": "hello@whole-site.test",
                              "address": "1 Example Street", "country": "United Kingdom"},
        "wordpress_app_password_file": str(tmp_path / "app-password"),
        "storage_assets_dir": str(assets),
        "storage_assets": [{"src": "logo.svg", "key": "brand/logo.svg"}],
        # A write whose answer never comes fails the task after this many seconds.
        "uptime_kuma_timeout": 5,
    }


def whole(sandbox):
    box = WholeSandbox(sandbox)
    box.reset()
    return box


def converge(sandbox, inventory, **kwargs):
    run = sandbox.playbook("site.yml", inventory, **kwargs)
    assert run.rc == 0, run.explain() + sandbox.logs()
    return run


def test_whole_site_converges_then_a_rerun_writes_nothing_anywhere(sandbox, tmp_path):
    box = whole(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": site_vars(tmp_path)})
    first = converge(sandbox, inventory)
    assert first.changed > 0
    services = {entry["service"] for entry in box.writes()}
    assert services == {"cloudflare", "namecheap", "coolify", "uptime_kuma", "r2", "wordpress"}, services
    box.reset_log()
    again = converge(sandbox, inventory)
    assert again.changed == 0, again.explain()
    assert box.writes() == []
    assert "run: 0 changes in 0 stages" in again.stdout


def test_plan_on_a_fresh_and_on_a_converged_sandbox_sends_no_write(sandbox, tmp_path):
    box = whole(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": site_vars(tmp_path)})
    plan = sandbox.playbook("site.yml", inventory, check=True, diff=True)
    assert plan.rc == 0, plan.explain()
    assert box.writes() == []
    assert re.search(r"plan: \d+ changes in \d+ stages \(check mode: nothing was written\)", plan.stdout), plan.stdout
    for stage in ("domain", "dns", "app", "wordpress", "monitoring", "storage"):
        assert re.search(r"^  %s +[1-9]\d* would change" % stage, plan.stdout, re.M), (stage, plan.stdout[-3000:])
    converge(sandbox, inventory)
    box.reset_log()
    plan = sandbox.playbook("site.yml", inventory, check=True, diff=True)
    assert plan.rc == 0, plan.explain()
    assert "plan: 0 changes in 0 stages" in plan.stdout
    assert box.writes() == []


def test_the_plan_shows_one_change_in_every_stage_without_a_callback_warning(sandbox, tmp_path):
    """After a converged run, one thing changes per stage; ``--check --diff`` must show each of them,
    render every diff in Ansible's default callback (no warning of a diff it could not print) and
    write nothing."""
    box = whole(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": site_vars(tmp_path)})
    converge(sandbox, inventory)
    # domain: the registrar's name servers were changed by hand since the last run
    sld, tld = DOMAIN.split(".", 1)
    observe.namecheap_call(sandbox, "namecheap.domains.dns.setCustom", SLD=sld, TLD=tld,
                           Nameservers="ns1.elsewhere-plan.example,ns2.elsewhere-plan.example")
    changes = {
        "dns_extra_records": [{"type": "TXT", "name": "@", "content": "plan-check-dns-token"}],
        "app_envs": [{"key": "PLAN_CHECK_APP", "value": "on"}],
        "wordpress_menus": [{"name": "Plan check menu", "items": [{"page": "home", "title": "Plan check item"}]}],
        "monitoring_interval": 123,
        "storage_cors_max_age": 4321,
    }
    box.reset_log()
    plan = sandbox.playbook("site.yml", inventory, check=True, diff=True, extra_vars=changes)
    assert plan.rc == 0, plan.explain()
    assert box.writes() == []
    assert "[WARNING]" not in plan.output, plan.explain()
    expected = {
        "domain": "ns1.elsewhere-plan.example",
        "dns": "plan-check-dns-token",
        "app": "PLAN_CHECK_APP",
        "wordpress": "Plan check item",
        "monitoring": "interval: 123",
        "storage": "4321",
    }
    missing = {stage: text for stage, text in expected.items() if text not in plan.stdout}
    assert not missing, "changes not shown in the plan: %s\n%s" % (missing, plan.stdout[-8000:])
    for stage in expected:
        assert re.search(r"^  %s +[1-9]\d* would change" % stage, plan.stdout, re.M), (stage, plan.stdout[-3000:])


def _fault_point(entry):
    """service, method and target of a write: the path with ids as wildcards, the command or the event."""
    if "event" in entry:
        return (entry["service"], "EVENT", entry["event"])
    if entry.get("command"):
        return (entry["service"], entry["method"], entry["command"])
    path = re.sub(r"/(?=[0-9a-z]*\d)[0-9a-z]{20,}(?=/|$)", "/*", entry["path"])  # Cloudflare/Coolify ids
    path = re.sub(r"/\d+(?=/|$)", "/*", path)  # WordPress ids
    return (entry["service"], entry["method"], path)


def _inject(box, point):
    service, method, target = point
    if method == "EVENT":
        box.fault(service, event=target, after=True)
    elif service == "namecheap":
        box.fault(service, method=method, path="/xml.response", command=target, status=500, after=True)
    else:
        box.fault(service, method=method, path=target, status=500, after=True)


def test_resume_walk_a_lost_response_at_each_write_then_a_rerun_converges_without_duplicates(sandbox, tmp_path):
    box = whole(sandbox)
    spec = site_vars(tmp_path)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": spec})
    converge(sandbox, inventory)
    points = []
    for entry in box.writes():
        point = _fault_point(entry)
        if point not in points:
            points.append(point)
    clean = box.state(spec["wordpress_app_password_file"])
    if os.environ.get("FABRIK_RESUME_WALK") != "all":
        firsts = {}
        for point in points:
            firsts.setdefault(point[0], point)
        points = list(firsts.values())
    report = []
    for point in points:
        box.reset()
        _inject(box, point)
        failed = sandbox.playbook("site.yml", inventory)
        box.clear_faults()
        rerun = sandbox.playbook("site.yml", inventory)
        assert rerun.rc == 0, "rerun after a fault at %s\n%s" % (point, rerun.explain())
        assert box.state(spec["wordpress_app_password_file"]) == clean, "state differs after a fault at %s" % (point,)
        report.append({"point": point, "first_run_rc": failed.rc, "duplicates": 0})
    output = Path(os.environ.get("FABRIK_RESUME_REPORT", str(tmp_path / "resume-walk.json")))
    output.write_text(json.dumps(report, indent=1))
    print("resume walk: %d fault points, 0 duplicates\n%s" % (len(report), json.dumps(report, indent=1)))


def test_a_fleet_of_sites_converges_side_by_side(sandbox, tmp_path):
    """Independent sites of one inventory, run with forks (stages without the single sandbox WordPress)."""
    whole(sandbox)
    hosts = {}
    for number in range(1, 4):
        directory = tmp_path / ("site%d" % number)
        directory.mkdir()
        hosts["fleet-%d" % number] = site_vars(directory, domain="fleet-%d.test" % number)
    inventory = sandbox.inventory(tmp_path / "inv", hosts)
    tags = ["domain", "dns", "gate", "app", "verify", "monitoring", "storage"]
    # Shared APIs throttle a fleet: the HTTP layer's backoff absorbs 429s (Retry-After honoured).
    sandbox.fault("cloudflare", method="GET", path="/zones", status=429, retry_after=1, times=4)
    sandbox.fault("coolify", method="GET", path="/projects", status=429, retry_after=1, times=3)
    first = sandbox.playbook("site.yml", inventory, tags=tags, env={"ANSIBLE_FORKS": "3"})
    assert first.rc == 0, first.explain()
    throttled = [entry for service in ("cloudflare", "coolify") for entry in sandbox.requests(service)
                 if entry["status"] == 429]
    assert len(throttled) == 7, throttled
    assert set(first.recap) == set(hosts) and all(stats["failed"] == 0 for stats in first.recap.values())
    zones = observe.cloudflare(sandbox)
    assert sorted(zones) == ["fleet-1.test", "fleet-2.test", "fleet-3.test"]
    assert all(zone["status"] == "active" for zone in zones.values())
    again = sandbox.playbook("site.yml", inventory, tags=tags, env={"ANSIBLE_FORKS": "3"})
    assert again.rc == 0 and again.changed == 0, again.explain()
