"""The operator playbooks (new_site, status, teardown) and the summary callback, against the sandbox."""

import json

import pytest
import requests
import yaml

import observe
from tests.integration.conftest import PORT_BASE, REPO

coolify = pytest.importorskip("tests.sandbox.coolify")
uptime_kuma = pytest.importorskip("tests.sandbox.uptime_kuma")

DOMAIN = "site-ops.test"
HOST = "site-ops"
BUCKET = "site-ops-test"
CONVERGE_STAGES = ["domain", "dns", "gate", "monitoring", "storage"]
SUMMARY = {"ANSIBLE_CALLBACKS_ENABLED": "fabrik.deploy.summary"}
KUMA_URL = "http://127.0.0.1:%d" % (PORT_BASE + 4)
# Socket.IO events of the Uptime Kuma emulator that change nothing.
KUMA_READ_EVENTS = {"connect", "disconnect", "http", "needSetup", "logout"}
COOLIFY_VARS = {
    "coolify_api_url": "http://127.0.0.1:{{ sandbox_port_base | int + 3 }}",
    "coolify_api_token": coolify.ROOT_TOKEN,
    "coolify_server": "sandbox-server",
    "app_deploy_interval": 0.3,
    "app_deploy_timeout": 60,
}
CONTACT = {
    "first_name": "Ada", "last_name": "Example", "organization": "Ops Ltd", "address1": "1 Example Street",
    "city": "Exampleville", "state_province": "EX", "postal_code": "12345", "country": "GB",
    "phone": "+44.2071234567", "email": "ada@example.invalid",
}


def site(**overrides):
    spec = {
        "site_domain": DOMAIN,
        "site_server_ip": "192.0.2.10",
        "domain_register": True,
        "domain_contacts": {"registrant": CONTACT},
        "dns_gate_timeout": 30,
        "dns_gate_interval": 1,
        "wordpress_site": {"title": "Site Ops"},
        "app_envs": [{"key": "WORDPRESS_DEBUG", "value": "0"}],
        # the site answers on the sandbox's WordPress, the page count comes from there
        "app_verify_url": "http://127.0.0.1:{{ sandbox_port_base | int + 6 }}/",
    }
    spec.update(overrides)
    return spec


class Kuma:
    """Uptime Kuma's emulator, served by the sandbox launcher; its log holds Socket.IO events."""

    def __init__(self):
        self.http = requests.Session()
        self.mark = 0

    def control(self, method, path):
        response = self.http.request(method, "%s/_sandbox/%s" % (KUMA_URL, path), timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self):
        self.control("POST", "reset")
        self.mark = 0

    def forget_log(self):
        self.mark = len(self.control("GET", "requests"))

    def writes(self):
        return [entry for entry in self.control("GET", "requests")[self.mark:]
                if entry["event"] not in KUMA_READ_EVENTS and not entry["event"].startswith(("get", "login"))]

    def monitors(self):
        return sorted(monitor["name"] for monitor in self.control("GET", "state")["monitors"].values())


@pytest.fixture()
def kuma(sandbox):
    service = Kuma()
    service.reset()
    return service


@pytest.fixture()
def inventory(sandbox, tmp_path):
    return sandbox.inventory(tmp_path / "inv", {HOST: site()}, group_vars=COOLIFY_VARS)


def app_playbook(tmp_path):  # pylint: disable=unused-argument
    """The site playbook: it imports every stage's role behind the stage's tag."""
    return "site.yml"


def converge(sandbox, inventory, tmp_path, with_app=True):
    run = sandbox.playbook("site.yml", inventory, tags=CONVERGE_STAGES)
    assert run.rc == 0, run.explain() + sandbox.logs()
    if with_app:
        app = sandbox.playbook(app_playbook(tmp_path), inventory, tags=["app"])
        assert app.rc == 0, app.explain() + sandbox.logs()


def coolify_services():
    response = requests.get("http://127.0.0.1:%d/api/v1/services" % (PORT_BASE + 3), timeout=10,
                            headers={"Authorization": "Bearer " + coolify.ROOT_TOKEN})
    response.raise_for_status()
    return response.json()


def buckets(sandbox):
    return sorted(bucket["name"] for bucket in sandbox.state("r2")["buckets"])


def no_writes_anywhere(sandbox, kuma):
    """Every write the emulators logged since the last reset_log/forget_log (none expected)."""
    return sandbox.writes() + kuma.writes()


# --- new_site ----------------------------------------------------------------------------------------------------

def new_site(sandbox, directory, **answers):
    extra = {"domain": "new-site.test", "company": 'Nova "Widgets": Ltd', "preset": "landing",
             "new_site_dir": str(directory)}
    extra.update(answers)
    # new_site plays on localhost; an empty directory is no inventory (ansible.cfg: unparsed_is_failed)
    return sandbox.playbook("playbooks/new_site.yml", "localhost,", extra_vars=extra)


def test_new_site_writes_an_inventory_that_passes_the_preflight_of_a_check_run(sandbox, kuma, tmp_path):
    directory = tmp_path / "inventories"
    directory.mkdir()
    run = new_site(sandbox, directory, server_ip="192.0.2.20", address="1 Main Street", country="France")
    assert run.rc == 0, run.explain()
    inventory = directory / "new-site-test"
    assert yaml.safe_load((inventory / "hosts.yml").read_text()) == {"sites": {"hosts": {"new-site-test": None}}}
    spec = yaml.safe_load((inventory / "host_vars" / "new-site-test.yml").read_text())
    assert spec["site_domain"] == "new-site.test" and spec["site_server_ip"] == "192.0.2.20"
    assert spec["wordpress_preset"] == "landing" and spec["domain_register"] is False
    # the texts are in the content file, read as data (never a template)
    assert spec["wordpress_content_file"] == "content/new-site-test.yml"
    content = yaml.safe_load((inventory / "content" / "new-site-test.yml").read_text())
    assert content == {"site": {"title": 'Nova "Widgets": Ltd'},
                       "company": {"name": 'Nova "Widgets": Ltd', "email": "hello@new-site.test",
                                   "address": "1 Main Street", "country": "France"}}
    connection = yaml.safe_load((inventory / "group_vars" / "all" / "connection.yml").read_text())
    assert connection == {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}

    # the sandbox's endpoints and fake credentials stand in for the operator's environment
    (inventory / "group_vars" / "all" / "sandbox.yml").write_text(
        (REPO / "inventories" / "sandbox" / "group_vars" / "all" / "sandbox.yml").read_text())
    sandbox.reset_log()
    kuma.forget_log()
    plan = sandbox.playbook("site.yml", inventory, tags=["dns", "monitoring", "storage"], check=True, env=SUMMARY)
    assert plan.rc == 0, plan.explain()
    assert "Preflight" in plan.stdout and plan.recap["new-site-test"]["failed"] == 0
    assert plan.changed > 0
    assert "plan: %d changes in 3 stages (check mode: nothing was written)" % plan.changed in plan.stdout
    assert no_writes_anywhere(sandbox, kuma) == []


def test_new_site_refuses_to_overwrite_an_inventory_unless_forced(sandbox, tmp_path):
    directory = tmp_path / "inventories"
    directory.mkdir()
    assert new_site(sandbox, directory).rc == 0
    content = directory / "new-site-test" / "content" / "new-site-test.yml"
    (directory / "new-site-test" / "group_vars" / "all" / "vault.yml").write_text("kept: true\n")
    refused = new_site(sandbox, directory, company="Other Ltd")
    assert refused.rc != 0 and "already exists: refusing to overwrite it" in refused.stdout, refused.explain()
    assert yaml.safe_load(content.read_text())["company"]["name"] == 'Nova "Widgets": Ltd'
    forced = new_site(sandbox, directory, company="Other Ltd", force=True)
    assert forced.rc == 0, forced.explain()
    assert yaml.safe_load(content.read_text())["company"]["name"] == "Other Ltd"
    assert (directory / "new-site-test" / "group_vars" / "all" / "vault.yml").read_text() == "kept: true\n"


@pytest.mark.parametrize("answers, message", [
    ({"domain": "not a domain"}, "domain: a domain name like example.com expected"),
    ({"domain": "localhost"}, "domain: a domain name like example.com expected"),
    ({"domain": "-bad.example.com"}, "domain: a domain name like example.com expected"),
    ({"domain": "example.123"}, "domain: a domain name like example.com expected"),
    ({"preset": "blog"}, "preset: one of company, content, ecommerce, landing, saas expected"),
    ({"company": "  "}, "company: the company name is required"),
    ({"server_ip": "server.example"}, "server_ip: an IPv4 address expected"),
])
def test_new_site_validates_its_answers_before_writing(sandbox, tmp_path, answers, message):
    run = new_site(sandbox, tmp_path, **answers)
    assert run.rc != 0 and message in run.stdout, run.explain()
    assert sorted(path.name for path in tmp_path.iterdir()) == []


# --- status ------------------------------------------------------------------------------------------------------

def test_status_reports_a_converged_site_as_table_and_json_without_writing(sandbox, kuma, tmp_path, inventory):
    converge(sandbox, inventory, tmp_path)
    sandbox.reset_log()
    kuma.forget_log()
    output = tmp_path / "status.json"
    run = sandbox.playbook("playbooks/status.yml", inventory, extra_vars={"status_output": str(output)})
    assert run.rc == 0, run.explain()
    assert no_writes_anywhere(sandbox, kuma) == []

    report = json.loads(output.read_text())["sites"]
    assert len(report) == 1
    status = report[0]
    assert (status["site"], status["domain"]) == (HOST, DOMAIN)
    assert status["zone"]["status"] == "active"
    assert status["records"] == {"status": "in sync", "create": [], "update": [], "delete": []}
    assert status["app"]["status"].startswith("running")
    assert status["http"]["status"] == 200
    assert status["monitors"] == {"status": "ok", "count": 2, "active": 2, "names": [DOMAIN, DOMAIN + " content"]}
    pages = requests.get("http://127.0.0.1:%d/" % (PORT_BASE + 6), params={"rest_route": "/wp/v2/pages"}, timeout=30)
    if "X-WP-Total" in pages.headers:
        assert status["pages"] == {"status": "ok", "count": int(pages.headers["X-WP-Total"])}
    else:
        assert status["pages"]["status"] == "error", status["pages"]
    assert status["bucket"] == {"status": "present", "name": BUCKET}
    header = [line for line in run.stdout.splitlines() if line.strip().startswith("SITE ")]
    row = [line for line in run.stdout.splitlines() if line.strip().startswith(HOST + " ")]
    assert header and row, run.stdout
    assert row[0].split()[:5] == [HOST, DOMAIN, "active", "in", "sync"]


def test_status_shows_records_drift_and_a_missing_bucket(sandbox, kuma, tmp_path, inventory):
    converge(sandbox, inventory, tmp_path, with_app=False)
    sandbox.control("r2", "POST", "reset")
    moved = sandbox.inventory(tmp_path / "moved", {HOST: site(site_server_ip="192.0.2.99")}, group_vars=COOLIFY_VARS)
    sandbox.reset_log()
    kuma.forget_log()
    output = tmp_path / "status.json"
    run = sandbox.playbook("playbooks/status.yml", moved, extra_vars={"status_output": str(output)})
    assert run.rc == 0, run.explain()
    status = json.loads(output.read_text())["sites"][0]
    assert status["records"]["status"] == "drift"
    assert [record["content"] for record in status["records"]["update"]] == ["192.0.2.99"]
    assert status["app"]["status"] == "absent"
    assert status["bucket"]["status"] == "absent"
    assert "drift +0 ~1 -0" in run.stdout
    assert no_writes_anywhere(sandbox, kuma) == []


# --- teardown ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra_vars", [None, {"confirm_teardown": "site-ops"}, {"confirm_teardown": DOMAIN + " "}])
def test_teardown_refuses_without_the_exact_domain_and_writes_nothing(sandbox, kuma, tmp_path, inventory, extra_vars):
    converge(sandbox, inventory, tmp_path, with_app=False)
    sandbox.reset_log()
    kuma.forget_log()
    run = sandbox.playbook("playbooks/teardown.yml", inventory, extra_vars=extra_vars)
    assert run.rc != 0 and "Refusing to tear down %s" % DOMAIN in run.stdout, run.explain()
    assert "-e confirm_teardown=%s" % DOMAIN in run.stdout
    assert sandbox.requests("cloudflare") == [] and sandbox.requests("coolify") == []
    assert no_writes_anywhere(sandbox, kuma) == []


def writers_in_order(sandbox, kuma):
    """The service of every write since the logs were forgotten, in the order the writes were sent."""
    found = [(entry["time"], entry["service"]) for entry in sandbox.writes()]
    found += [(entry["time"], "uptime_kuma") for entry in kuma.writes()]
    return [service for when, service in sorted(found)]


def test_teardown_removes_in_reverse_order_keeps_bucket_and_volumes_then_changes_nothing(
        sandbox, kuma, tmp_path, inventory):
    converge(sandbox, inventory, tmp_path)
    assert [service["name"] for service in coolify_services()] == ["site-ops-test"]
    sandbox.reset_log()
    kuma.forget_log()
    run = sandbox.playbook("playbooks/teardown.yml", inventory, extra_vars={"confirm_teardown": DOMAIN}, env=SUMMARY)
    assert run.rc == 0, run.explain() + sandbox.logs()

    order = writers_in_order(sandbox, kuma)
    services_in_order = [service for index, service in enumerate(order) if service not in order[:index]]
    assert services_in_order == ["uptime_kuma", "coolify", "cloudflare"], order
    deletions = [entry for entry in sandbox.writes("coolify") if entry["method"] == "DELETE"]
    assert len(deletions) == 1 and deletions[0]["query"].get("delete_volumes") == "false", deletions
    assert kuma.monitors() == []
    assert coolify_services() == []
    assert DOMAIN not in observe.cloudflare(sandbox)
    assert buckets(sandbox) == [BUCKET]
    assert "kept: %s" % BUCKET in run.stdout
    assert "run: 3 changes in 3 stages" in run.stdout
    # the registrar keeps pointing at Cloudflare unless asked
    assert observe.namecheap(sandbox)[DOMAIN]["nameservers"][0].endswith(".ns.cloudflare.com")

    sandbox.reset_log()
    kuma.forget_log()
    again = sandbox.playbook("playbooks/teardown.yml", inventory, extra_vars={"confirm_teardown": DOMAIN})
    assert again.rc == 0, again.explain()
    assert again.changed == 0, again.explain()
    assert no_writes_anywhere(sandbox, kuma) == []


def test_teardown_deletes_bucket_volumes_and_delegation_only_when_asked(sandbox, kuma, tmp_path, inventory):
    converge(sandbox, inventory, tmp_path)
    asked = {"confirm_teardown": DOMAIN, "teardown_delete_bucket": True, "teardown_delete_volumes": True,
             "teardown_registrar_default_dns": True}
    run = sandbox.playbook("playbooks/teardown.yml", inventory, extra_vars=asked)
    assert run.rc == 0, run.explain() + sandbox.logs()
    deletions = [entry for entry in sandbox.writes("coolify") if entry["method"] == "DELETE"]
    assert len(deletions) == 1 and deletions[0]["query"].get("delete_volumes") == "true", deletions
    assert buckets(sandbox) == []
    assert observe.namecheap(sandbox)[DOMAIN]["nameservers"] == ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
    sandbox.reset_log()
    kuma.forget_log()
    again = sandbox.playbook("playbooks/teardown.yml", inventory, extra_vars=asked)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert no_writes_anywhere(sandbox, kuma) == []


# --- summary callback --------------------------------------------------------------------------------------------

def test_summary_plans_per_stage_in_check_mode_then_reports_no_change_when_converged(sandbox, kuma, tmp_path,
                                                                                     inventory):
    summary_file = tmp_path / "summary.json"
    env = dict(SUMMARY, FABRIK_SUMMARY_JSON=str(summary_file))
    plan = sandbox.playbook("site.yml", inventory, tags=["domain", "dns", "monitoring", "storage"], check=True,
                            env=env)
    assert plan.rc == 0, plan.explain()
    assert no_writes_anywhere(sandbox, kuma) == []
    assert "FABRIK SUMMARY" in plan.stdout
    assert "plan: %d changes in 4 stages (check mode: nothing was written)" % plan.changed in plan.stdout
    summary = json.loads(summary_file.read_text())
    assert summary["check_mode"] is True and summary["changes"] == plan.changed
    assert summary["changed_stages"] == ["domain", "dns", "monitoring", "storage"]
    stages = summary["hosts"][HOST]["stages"]
    assert "Cloudflare | the zone exists" in stages["domain"]["changed_tasks"]
    assert stages["dns"]["changed_tasks"] == ["Cloudflare | the site's record set", "Cloudflare | zone settings"]
    assert stages["storage"]["changed_tasks"] == ["R2 | the site's bucket and its CORS rules"]
    assert stages["preflight"]["changed"] == 0
    assert "    ~ Cloudflare | the site's record set" in plan.stdout

    converge(sandbox, inventory, tmp_path, with_app=False)
    again = sandbox.playbook("site.yml", inventory, tags=CONVERGE_STAGES, env=env)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert "run: 0 changes in 0 stages" in again.stdout
    summary = json.loads(summary_file.read_text())
    assert summary["check_mode"] is False and summary["changes"] == 0
    assert sorted(summary["hosts"][HOST]["stages"]) == sorted(["preflight"] + CONVERGE_STAGES)
