"""The app and verify stages (role fabrik.deploy.app) against the Coolify emulator and its edge.

Writes are the Coolify requests other than GET, except the two ability probes of the preflight
(``PATCH /projects/fabrik-ability-probe`` and ``POST /services/fabrik-ability-probe/start``), which
address an object that cannot exist and so change nothing.
"""


from pathlib import Path

import pytest
import requests
import yaml

coolify = pytest.importorskip("tests.sandbox.coolify")

from tests.integration.conftest import PORT_BASE  # noqa: E402 - after the optional-emulator skip

PROBE = "fabrik-ability-probe"
DOMAIN = "site-app.test"
CONNECTOR_PARTS = Path(__file__).resolve().parents[2] / "files" / "connector" / "fabrik-connector"
TEMPLATES = ("wordpress", "python-api", "node-api", "file-worker", "file-api", "next-tailwind", "docusaurus")
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


def playbook(tmp_path):  # pylint: disable=unused-argument
    """The site playbook: it imports every stage's role behind the stage's tag."""
    return "site.yml"


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
            if PROBE not in entry["path"]]


def services():
    return api("GET", "/services")


def env_keys(uuid):
    return sorted(item["key"] for item in api("GET", "/services/%s/envs" % uuid))


def applied_deploys(sandbox):
    """POST /deploy requests the emulator applied (answered 200, or applied before a faulted answer)."""
    return [entry for entry in sandbox.requests("coolify")
            if entry["method"] == "POST" and entry["path"] == "/deploy"
            and (entry["status"] == 200 or entry.get("fault") == "after")]


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
    assert len(applied_deploys(sandbox)) == 1
    # the connector's main file and each of its parts (the contact form's among them), verbatim
    compose = yaml.safe_load(api("GET", "/services/%s" % uuid)["docker_compose_raw"])
    parts = {path.name: path.read_text() for path in CONNECTOR_PARTS.glob("*.php")}
    installed = {config["target"].rsplit("/", 1)[1]: compose["configs"][config["source"]]["content"]
                 for config in compose["services"]["web"]["configs"]
                 if "/mu-plugins/fabrik-connector/" in config["target"]}
    assert "contact-form.php" in parts
    assert {name: text.replace("$$", "$").rstrip("\n") for name, text in installed.items()} == {
        name: text.rstrip("\n") for name, text in parts.items()}
    fqdn = api("GET", "/services/%s" % uuid)["applications"][0]["fqdn"]
    assert sorted(fqdn.split(",")) == ["https://site-app.test", "https://www.site-app.test"]
    secrets = [item["value"] for item in api("GET", "/services/%s/envs" % uuid) if item["key"].startswith("SERVICE_")]
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


@pytest.mark.parametrize("applied", [False, True], ids=["not-applied", "applied-answer-lost"])
@pytest.mark.parametrize("method, path", MUTATIONS)
def test_a_failed_write_then_rerun_converges_without_duplicates(sandbox, tmp_path, method, path, applied):
    fault = {"method": method, "path": path, "status": 500, "times": 1}
    if applied:
        fault["after"] = True
    sandbox.fault("coolify", **fault)
    failed = deploy(sandbox, tmp_path)
    assert failed.rc != 0 and "HTTP 500" in failed.output, failed.explain()
    sandbox.clear_faults()
    rerun = deploy(sandbox, tmp_path)
    assert rerun.rc == 0, rerun.explain()
    assert_one_converged_site(sandbox)
    assert len(applied_deploys(sandbox)) == 1


def test_a_lost_service_creation_is_found_again_in_the_same_run(sandbox, tmp_path):
    sandbox.fault("coolify", method="POST", path="/services", status=504, after=True, times=1)
    run = deploy(sandbox, tmp_path)
    assert run.rc == 0, run.explain()
    assert_one_converged_site(sandbox)


def test_all_seven_templates_deploy_and_answer(sandbox, tmp_path):
    hosts = {name: {"site_domain": "%s.test" % name, "app_template": name} for name in TEMPLATES}
    first = deploy(sandbox, tmp_path, hosts=hosts)
    assert first.rc == 0 and first.failed == 0, first.explain()
    found = {item["name"]: item for item in services()}
    assert sorted(found) == sorted("%s-test" % name for name in TEMPLATES)
    for name in TEMPLATES:
        service = api("GET", "/services/%s" % found["%s-test" % name]["uuid"])
        assert service["status"].startswith("running"), (name, service["status"])
        if name != "file-worker":
            edge = requests.get("http://127.0.0.1:%d/" % (PORT_BASE + 8), headers={"Host": "%s.test" % name},
                                timeout=10, allow_redirects=False)
            assert edge.status_code < 500, (name, edge.status_code)
    sandbox.reset_log()
    again = deploy(sandbox, tmp_path, hosts=hosts)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert coolify_writes(sandbox) == []


def test_verify_fails_with_the_last_status_and_a_body_excerpt(sandbox, tmp_path):
    assert deploy(sandbox, tmp_path).rc == 0
    api("POST", "/services/%s/stop" % services()[0]["uuid"])
    inventory = sandbox.inventory(tmp_path / "inventory", {"site": site()},
                                  group_vars=dict(COOLIFY_VARS, app_verify_retries=2, app_verify_delay=0))
    run = sandbox.playbook(playbook(tmp_path), inventory, tags=["verify"])
    assert run.rc != 0, run.explain()
    assert "last status 503" in run.output and "body:" in run.output


BAD_INPUTS = {
    "unknown template": (dict(app_template="nope"), {}, "app_template"),
    "domain with another scheme": (dict(app_domains=["ftp://site-app.test"]), {}, "app_domains[0]: an http(s) URL"),
    "domain with a path": (dict(app_domains=["https://site-app.test/blog"]), {}, "without path"),
    "domain that is no URL": (dict(app_domains=["site-app.test"]), {}, "an http(s) URL"),
    "env key with invalid characters": (dict(app_envs=[{"key": "BAD-KEY", "value": "x"}]), {}, "app_envs[0].key"),
    "public service missing from the compose": (dict(app_public_service="api"), {}, "no service api"),
    "template variable breaking a house rule": (dict(app_template="docusaurus", app_template_vars={"image": "nginx"}),
                                                {}, "services.web.image: nginx has no tag"),
    "referenced variable not provided": (dict(app_template="file-api", app_template_vars={
        "object_storage": True, "s3_endpoint": "https://r2.example", "s3_bucket": "b"}), {}, "${S3_ACCESS_KEY_ID}"),
    "missing server": ({}, dict(coolify_server="no-such-server"), "coolify_server: no server called"),
    "no server at all": ({}, dict(coolify_server=""), "coolify_server: required"),
    "token lacking deploy": ({}, dict(coolify_api_token=coolify.NODEPLOY_TOKEN), "lacks the deploy ability"),
    "read-only token": ({}, dict(coolify_api_token=coolify.READ_TOKEN), "lacks the write and deploy abilities"),
    "unknown token": ({}, dict(coolify_api_token="9|not-a-token"), "coolify_api_token: Coolify refused it"),
    "unsupported Coolify": ({}, {}, "Coolify 4.0.0-beta.420 is not supported"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_before_any_write(sandbox, tmp_path, case):
    overrides, group_vars, expected = BAD_INPUTS[case]
    if case == "unsupported Coolify":
        sandbox.configure("coolify", version="4.0.0-beta.420")
    try:
        run = deploy(sandbox, tmp_path, hosts={"site": site(**overrides)}, group_vars=group_vars)
    finally:
        sandbox.configure("coolify", version=coolify.COOLIFY_VERSION)
    assert run.rc != 0 and expected in run.output, run.explain()
    assert coolify_writes(sandbox) == []
    assert api("GET", "/projects") == []
