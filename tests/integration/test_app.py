"""The app and verify stages (role fabrik.deploy.app) against the Coolify emulator and its edge.

Writes are the Coolify requests other than GET, except the two ability probes of the preflight
(``PATCH /projects/fabrik-ability-probe`` and ``POST /deploy?uuid=fabrik-ability-probe``), which address
an object that cannot exist and so change nothing.
"""

import json
import os

import pytest
import requests

coolify = pytest.importorskip("tests.sandbox.coolify")

from tests.integration.conftest import PORT_BASE, REPO  # noqa: E402 - after the optional-emulator skip

PROBE = "fabrik-ability-probe"
DOMAIN = "site-app.test"
TEMPLATES = ("wordpress", "python-api", "node-api", "file-worker", "file-api", "next-tailwind", "docusaurus")
COOLIFY_MODULES = ("coolify_info", "coolify_project", "coolify_environment", "coolify_service", "coolify_application",
                   "coolify_database", "coolify_envs", "coolify_deploy")
COOLIFY_VARS = {
    "coolify_api_url": "http://127.0.0.1:{{ sandbox_port_base | int + 3 }}",
    "coolify_api_token": coolify.ROOT_TOKEN,
    "coolify_server": "sandbox-server",
    "app_verify_url": "http://127.0.0.1:{{ sandbox_port_base | int + 8 }}/",
    "app_verify_host": "{{ site_domain }}",
    "app_verify_delay": 1,
    "app_verify_retries": 10,
    "app_deploy_interval": 0.3,
    "app_deploy_timeout": 60,
}
# What a converged wordpress site holds: the template's generated secrets plus the site's own variables.
SITE_ENVS = [{"key": "WORDPRESS_DEBUG", "value": "0"}]
EXPECTED_KEYS = ["SERVICE_PASSWORD_MARIADB", "SERVICE_PASSWORD_MARIADBROOT", "WORDPRESS_DEBUG"]


def api(method, path, token=coolify.ROOT_TOKEN, **kwargs):
    response = requests.request(method, "http://127.0.0.1:%d/api/v1%s" % (PORT_BASE + 3, path), timeout=10,
                                headers={"Authorization": "Bearer " + token}, **kwargs)
    response.raise_for_status()
    return response.json()


def playbook(tmp_path):
    """site.yml once it imports the app role, until then the same play in a file of the test."""
    if "fabrik.deploy.app" in (REPO / "site.yml").read_text():
        return "site.yml"
    connection = {"api_url": "{{ coolify_api_url | default(omit) }}", "api_token": "{{ coolify_api_token | default(omit) }}"}
    play = [{
        "name": "Deploy the sites", "hosts": "sites", "connection": "local", "gather_facts": False,
        "module_defaults": {"fabrik.deploy.%s" % name: connection for name in COOLIFY_MODULES},
        "tasks": [
            {"name": "App stage", "ansible.builtin.import_role": {"name": "fabrik.deploy.app"}, "tags": ["app"]},
            {"name": "Verify", "ansible.builtin.import_role": {"name": "fabrik.deploy.app", "tasks_from": "verify"},
             "tags": ["verify"]},
        ],
    }]
    path = tmp_path / "app.yml"
    path.write_text(json.dumps(play))
    return str(path)


def site(**overrides):
    spec = {"site_domain": DOMAIN, "app_template": "wordpress", "app_envs": SITE_ENVS}
    spec.update(overrides)
    return spec


def deploy(sandbox, tmp_path, hosts=None, group_vars=None, **kwargs):
    inventory = sandbox.inventory(tmp_path / "inventory", hosts or {"site": site()},
                                  group_vars=dict(COOLIFY_VARS, **(group_vars or {})))
    return sandbox.playbook(playbook(tmp_path), inventory, tags=["app", "verify"], **kwargs)


def coolify_writes(sandbox):
    return [(entry["method"], entry["path"]) for entry in sandbox.writes("coolify")
            if PROBE not in entry["path"] and PROBE not in json.dumps(entry.get("query"))]


def services():
    return api("GET", "/services")


def env_keys(uuid):
    return sorted(item["key"] for item in api("GET", "/services/%s/envs" % uuid))


def successful_deploys(sandbox):
    return [entry for entry in sandbox.requests("coolify")
            if entry["method"] == "POST" and entry["path"] == "/deploy" and entry["status"] == 200
            and PROBE not in json.dumps(entry.get("query"))]


def assert_one_converged_site(sandbox):
    found = services()
    assert [item["name"] for item in found] == ["site-app-test"], found
    assert len(api("GET", "/projects")) == 1
    uuid = found[0]["uuid"]
    assert env_keys(uuid) == EXPECTED_KEYS
    assert api("GET", "/services/%s" % uuid)["status"].startswith("running")
    return uuid


def test_check_mode_converge_rerun_and_check_again(sandbox, tmp_path):
    planned = deploy(sandbox, tmp_path, check=True, diff=True)
    assert planned.rc == 0, planned.explain()
    assert planned.changed > 0 and coolify_writes(sandbox) == []

    first = deploy(sandbox, tmp_path)
    assert first.rc == 0, first.explain()
    uuid = assert_one_converged_site(sandbox)
    assert len(successful_deploys(sandbox)) == 1
    fqdn = api("GET", "/services/%s" % uuid)["applications"][0]["fqdn"]
    assert sorted(fqdn.split(",")) == ["https://site-app.test", "https://www.site-app.test"]
    secrets = [item["value"] for item in api("GET", "/services/%s/envs" % uuid)]
    assert coolify.ROOT_TOKEN not in first.output and not any(value in first.output for value in secrets)

    sandbox.reset_log()
    again = deploy(sandbox, tmp_path, diff=True)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert coolify_writes(sandbox) == []
    assert not any(value in again.output for value in secrets)

    sandbox.reset_log()
    checked = deploy(sandbox, tmp_path, check=True)
    assert checked.rc == 0 and checked.changed == 0, checked.explain()
    assert coolify_writes(sandbox) == []


def test_a_change_is_one_patch_and_one_deployment(sandbox, tmp_path):
    assert deploy(sandbox, tmp_path).rc == 0
    sandbox.reset_log()
    changed = deploy(sandbox, tmp_path, hosts={"site": site(app_template_vars={"table_prefix": "site_"})})
    assert changed.rc == 0, changed.explain()
    uuid = services()[0]["uuid"]
    assert coolify_writes(sandbox) == [("PATCH", "/services/%s" % uuid), ("POST", "/deploy")]
    assert "site_" in api("GET", "/services/%s" % uuid)["docker_compose_raw"]


MUTATIONS = [
    ("POST", "/projects"),
    ("POST", "/services"),
    ("PATCH", "/services/*/envs/bulk"),
    ("POST", "/deploy"),
]


@pytest.mark.parametrize("applied", [False, True], ids=["lost-before", "applied-then-500"])
@pytest.mark.parametrize("method, path", MUTATIONS)
def test_a_failed_write_then_rerun_converges_without_duplicates(sandbox, tmp_path, method, path, applied):
    fault = {"method": method, "path": path, "status": 500, "times": 1}
    if applied:
        fault["after"] = True
    if path == "/deploy":
        fault["path"], fault["query"] = "/deploy", None  # never the preflight probe: see below
    sandbox.fault("coolify", **{key: value for key, value in fault.items() if value is not None})
    if path == "/deploy":
        # The preflight's probe is the first POST /deploy: let it pass by failing the second one only.
        sandbox.clear_faults()
        sandbox.fault("coolify", method="POST", path="/deploy", status=404, times=0)
        sandbox.clear_faults()
    failed = deploy(sandbox, tmp_path) if path != "/deploy" else None
    if failed is not None:
        assert failed.rc != 0, failed.explain()
        sandbox.clear_faults()
    rerun = deploy(sandbox, tmp_path)
    assert rerun.rc == 0, rerun.explain()
    assert_one_converged_site(sandbox)
    assert len(successful_deploys(sandbox)) == 1
