"""The Coolify modules' main() against the Coolify emulator served in-process on loopback."""

import json

import pytest
import requests
import yaml
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fabrik.deploy.plugins.modules import (
    coolify_application,
    coolify_compose_lint,
    coolify_database,
    coolify_deploy,
    coolify_environment,
    coolify_envs,
    coolify_info,
    coolify_project,
    coolify_service,
)

emulator_module = pytest.importorskip("tests.sandbox.coolify")
from tests.sandbox.base import SharedState  # noqa: E402 - after the optional-emulator skip
from tests.sandbox.framework import SandboxApp, serve  # noqa: E402

ROOT = emulator_module.ROOT_TOKEN
SERVER = "sandbox-server"
PROJECT = "site.test"
STEP = 0.05
COMPOSE = """\
services:
  web:
    image: nginx:1.27-alpine
    restart: unless-stopped
    expose: ["80"]
    environment:
      APP_SECRET: ${APP_SECRET}
    healthcheck:
      test: ["CMD", "true"]
    volumes:
      - data:/usr/share/nginx/html
volumes:
  data: {}
"""


class Sandbox:
    def __init__(self, root, emulator):
        self.root = root
        self.emulator = emulator

    def control(self, method, path, body=None):
        response = requests.request(method, "%s/_sandbox/%s" % (self.root, path), json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json() if response.content else None

    def requests(self):
        return [(entry["method"], entry["path"]) for entry in self.control("GET", "requests")]

    def writes(self):
        return [entry for entry in self.requests() if entry[0] != "GET"]

    def forget_requests(self):
        self.control("DELETE", "requests")

    def state(self):
        return self.control("GET", "state")

    def api(self, method, path, token=ROOT, **kwargs):
        response = requests.request(method, self.root + "/api/v1" + path, timeout=10,
                                    headers={"Authorization": "Bearer " + token}, **kwargs)
        return response.json() if response.headers.get("Content-Type", "").startswith("application/json") \
            else response.text


@pytest.fixture(scope="module")
def served():
    emulator = emulator_module.CoolifyEmulator(SharedState(), queued_seconds=STEP, in_progress_seconds=STEP)
    app = SandboxApp(emulator)
    server = serve(app)
    yield Sandbox("http://127.0.0.1:%d" % server.server_port, emulator)
    app.close()
    server.shutdown()


@pytest.fixture
def sandbox(served):
    served.control("POST", "reset")
    served.control("POST", "config", {"queued_seconds": STEP, "in_progress_seconds": STEP})
    yield served
    assert served.control("GET", "violations") == []


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


@pytest.fixture
def run(monkeypatch, sandbox):
    """run(module, check=False, diff=False, token=ROOT, **args) -> the module's result (``failed`` on failure)."""
    warnings = []

    def exit_json(module, **result):
        raise ModuleExit(dict(_masked(module, result), warnings=list(warnings)))

    def fail_json(module, msg, **result):
        raise ModuleExit(dict(_masked(module, dict(result, msg=msg)), failed=True, warnings=list(warnings)))

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(AnsibleModule, "warn", lambda _module, warning: warnings.append(warning))

    def invoke(module, check=False, diff=False, token=ROOT, **args):
        warnings.clear()
        connection = {} if module is coolify_compose_lint else {"api_token": token, "api_url": sandbox.root}
        with patch_module_args(dict(connection, _ansible_check_mode=check, _ansible_diff=diff, **args)):
            with pytest.raises(ModuleExit) as caught:
                module.main()
        assert token not in json.dumps(caught.value.result, default=str)
        return caught.value.result

    return invoke


def _masked(module, result):
    """What Ansible would print: the module's no_log values replaced."""
    from ansible.module_utils.common.parameters import remove_values
    return remove_values(result, module.no_log_values)


def project_and_env(run, name=PROJECT):
    project = run(coolify_project, name=name)
    assert not project.get("failed"), project
    return project["project"]


def service(run, **extra):
    args = dict(project=PROJECT, server=SERVER, name="site", compose=COMPOSE,
                urls=[{"name": "web", "urls": ["https://site.test", "https://www.site.test"]}])
    args.update(extra)
    return run(coolify_service, **args)


# --- version gate -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["4.0.0", "4.0.0-beta.420", "5.0.0", "3.12.36"])
def test_unsupported_versions_are_refused_before_anything_else(run, sandbox, version):
    sandbox.control("POST", "config", {"version": version})
    result = run(coolify_project, name=PROJECT)
    assert result["failed"] and "Coolify %s is not supported" % version in result["msg"]
    assert sandbox.requests() == [("GET", "/version")]


# --- projects and environments -------------------------------------------------------------


def test_project_created_once_then_unchanged_and_updated(run, sandbox):
    first = run(coolify_project, name=PROJECT, description="Site", diff=True)
    assert first["changed"] and first["project"]["uuid"] and first["version"] == "4.3.11"
    assert first["diff"]["before"] == {} and first["diff"]["after"]["name"] == PROJECT
    sandbox.forget_requests()
    again = run(coolify_project, name=PROJECT, description="Site")
    assert not again["changed"] and sandbox.writes() == []
    updated = run(coolify_project, name=PROJECT, description="New")
    assert updated["changed"] and updated["project"]["description"] == "New"
    assert sandbox.writes() == [("PATCH", "/projects/%s" % first["project"]["uuid"])]


def test_duplicate_projects_keep_the_oldest_and_delete_an_empty_newer_one(run, sandbox):
    uuids = [sandbox.api("POST", "/projects", json={"name": PROJECT})["uuid"] for _unused in range(2)]
    sandbox.forget_requests()
    planned = run(coolify_project, name=PROJECT, check=True)
    assert planned["project"]["uuid"] == uuids[0] and sandbox.writes() == []
    assert "uuid %s, which is empty: a run would delete it" % uuids[1] in " ".join(planned["warnings"])
    result = run(coolify_project, name=PROJECT)
    assert not result.get("failed") and result["project"]["uuid"] == uuids[0]
    assert "uuid %s, which was empty (made by a concurrent run): deleted" % uuids[1] in " ".join(result["warnings"])
    assert sandbox.writes() == [("DELETE", "/projects/%s" % uuids[1])]
    assert [project["uuid"] for project in sandbox.api("GET", "/projects")] == [uuids[0]]


def test_a_newer_duplicate_project_holding_resources_names_both_and_a_pinned_uuid_wins(run, sandbox):
    uuids = [sandbox.api("POST", "/projects", json={"name": PROJECT})["uuid"] for _unused in range(2)]
    assert not service(run, project_uuid=uuids[1]).get("failed")
    result = run(coolify_project, name=PROJECT)
    assert result["failed"] and result["field"] == "project_uuid"
    assert "uuid %s (the oldest, kept) and uuid %s, which holds service \"site\"" % tuple(uuids) in result["msg"]
    pinned = run(coolify_project, name=PROJECT, uuid=uuids[1], description="chosen")
    assert pinned["changed"] and pinned["project"]["uuid"] == uuids[1]


def test_of_two_services_created_at_once_both_runs_keep_the_oldest(run, sandbox):
    from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import CoolifyClient, Scope
    project_and_env(run)
    client = CoolifyClient(sandbox.root, ROOT)
    scope = Scope(client, {"project": PROJECT, "project_uuid": None, "environment": "production", "server": SERVER})
    body = dict(scope.placement(), name="site", docker_compose_raw=_b64(COMPOSE))
    older, newer = (sandbox.api("POST", "/services", json=body) for _unused in range(2))
    assert scope.settle_created("service", "site", older) == older
    kept = scope.settle_created("service", "site", newer)
    assert kept["uuid"] == older["uuid"]
    assert "kept the oldest (uuid %s), deleted this run's (uuid %s)" % (older["uuid"], newer["uuid"]) in client.notes[0]
    assert [item["uuid"] for item in scope.refresh()["services"]] == [older["uuid"]]


def _b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


def test_project_check_mode_and_delete(run, sandbox):
    planned = run(coolify_project, name=PROJECT, check=True)
    assert planned["changed"] and planned["project"]["uuid"] is None and sandbox.writes() == []
    created = project_and_env(run)
    removed = run(coolify_project, name=PROJECT, state="absent")
    assert removed["changed"] and removed["project"] is None
    assert ("DELETE", "/projects/%s" % created["uuid"]) in sandbox.writes()


def test_environment_production_exists_staging_is_created_once(run, sandbox):
    project_and_env(run)
    production = run(coolify_environment, project=PROJECT, name="production")
    assert not production["changed"] and production["environment"]["name"] == "production"
    staging = run(coolify_environment, project=PROJECT, name="staging")
    assert staging["changed"] and staging["environment"]["uuid"]
    again = run(coolify_environment, project=PROJECT, name="staging")
    assert not again["changed"]


def test_environment_of_missing_project_fails_but_check_mode_plans(run, sandbox):
    failed = run(coolify_environment, project="nope.test", name="staging")
    assert failed["failed"] and "create it first" in failed["msg"]
    planned = run(coolify_environment, project="nope.test", name="staging", check=True)
    assert planned["changed"] and planned["warnings"]


# --- services -------------------------------------------------------------------------------


def test_service_created_with_domains_then_reformatted_compose_is_unchanged(run, sandbox):
    project_and_env(run)
    created = service(run)
    assert created["changed"] and created["compose_changed"]
    uuid = created["service"]["uuid"]
    assert created["service"]["urls"] == [{"name": "web", "urls": ["https://site.test", "https://www.site.test"]}]
    stored = sandbox.api("GET", "/services/%s" % uuid)["docker_compose_raw"]
    assert stored != COMPOSE and yaml.safe_load(stored) == yaml.safe_load(COMPOSE)  # Coolify re-serialised it
    sandbox.forget_requests()
    reformatted = yaml.safe_dump(yaml.safe_load(COMPOSE), default_flow_style=True)
    again = service(run, compose=reformatted, urls=[{"name": "web", "urls": ["https://WWW.site.test", "https://site.test/"]}])
    assert not again["changed"], again
    assert sandbox.writes() == []


def test_service_compose_and_domain_changes_are_one_patch(run, sandbox):
    project_and_env(run)
    uuid = service(run)["service"]["uuid"]
    sandbox.forget_requests()
    changed = service(run, compose=COMPOSE.replace("1.27-alpine", "1.28-alpine"),
                      urls=[{"name": "web", "urls": ["https://site.test"]}], diff=True)
    assert changed["changed"] and changed["compose_changed"]
    assert sandbox.writes() == [("PATCH", "/services/%s" % uuid)]
    assert "1.28-alpine" in changed["diff"]["after"]["compose"] and "1.27-alpine" in changed["diff"]["before"]["compose"]
    assert changed["service"]["urls"] == [{"name": "web", "urls": ["https://site.test"]}]


def test_service_check_mode_sends_no_write(run, sandbox):
    project_and_env(run)
    sandbox.forget_requests()
    planned = service(run, check=True)
    assert planned["changed"] and planned["service"]["uuid"] is None
    assert sandbox.writes() == []


def test_service_input_errors_fail_before_any_request(run, sandbox):
    bad = [
        dict(compose="services: [nope"),
        dict(urls=[{"name": "web", "urls": ["ftp://site.test"]}]),
        dict(urls=[{"name": "web", "urls": ["https://site.test/path"]}]),
        dict(urls=[{"name": "missing", "urls": ["https://site.test"]}]),
    ]
    for extra in bad:
        result = service(run, **extra)
        assert result["failed"], extra
        assert sandbox.requests() == [], (extra, sandbox.requests())


def test_service_missing_server_fails_before_a_write(run, sandbox):
    project_and_env(run)
    sandbox.forget_requests()
    result = service(run, server="no-such-server")
    assert result["failed"] and "no server called" in result["msg"] and "sandbox-server" in result["msg"]
    assert sandbox.writes() == []


def test_service_without_read_sensitive_cannot_compare(run, sandbox):
    project_and_env(run)
    service(run)
    result = service(run, token=emulator_module.NOSENSITIVE_TOKEN)
    assert result["failed"] and "read:sensitive" in result["msg"]


def test_service_delete_keeps_volumes_unless_asked(run, sandbox):
    project_and_env(run)
    uuid = service(run)["service"]["uuid"]
    removed = run(coolify_service, project=PROJECT, name="site", state="absent")
    assert removed["changed"]
    deletion = [item for item in sandbox.state()["deletions"] if item["uuid"] == uuid][0]
    assert deletion["delete_volumes"] is False
    assert not run(coolify_service, project=PROJECT, name="site", state="absent")["changed"]


def test_ambiguous_service_name_is_an_error(run, sandbox):
    project_uuid = project_and_env(run)["uuid"]
    first = service(run)["service"]["uuid"]
    environment = sandbox.api("GET", "/projects/%s/production" % project_uuid)
    second = sandbox.api("POST", "/services", json={
        "name": "site", "docker_compose_raw": coolify_service.b64(COMPOSE), "project_uuid": project_uuid,
        "server_uuid": emulator_module.SERVER_UUID, "environment_name": "production",
        "environment_uuid": environment["uuid"]})["uuid"]
    result = service(run)
    assert result["failed"] and result["field"] == "uuid" and "2 services" in result["msg"]
    assert first in result["msg"] and second in result["msg"]
    pinned = service(run, uuid=second, urls=[{"name": "web", "urls": ["https://second.site.test"]}])
    assert not pinned.get("failed"), pinned
    assert pinned["service"]["uuid"] == second


# --- applications and databases ---------------------------------------------------------------


def test_dockerimage_application_converges_and_domains_compare_normalised(run, sandbox):
    project_and_env(run)
    args = dict(project=PROJECT, server=SERVER, name="api", kind="dockerimage", image="ghcr.io/example/api",
                image_tag="1.4.2", ports_exposes="8000", domains=["https://api.site.test"],
                settings={"health_check_path": "/health"})
    created = run(coolify_application, **args)
    assert created["changed"] and created["application"]["fqdn"] == "https://api.site.test"
    sandbox.forget_requests()
    assert not run(coolify_application, **dict(args, domains=["https://API.site.test/"]))["changed"]
    assert sandbox.writes() == []
    bumped = run(coolify_application, **dict(args, image_tag="1.5.0"))
    assert bumped["changed"] and bumped["application"]["docker_registry_image_tag"] == "1.5.0"
    patch = [entry for entry in sandbox.control("GET", "requests") if entry["method"] == "PATCH"]
    assert len(patch) == 1


def test_dockerfile_application_is_sent_base64_and_compared_decoded(run, sandbox):
    project_and_env(run)
    args = dict(project=PROJECT, server=SERVER, name="worker", kind="dockerfile",
                dockerfile="FROM python:3.12-slim\nCMD [\"python\", \"-V\"]\n", ports_exposes="80")
    assert run(coolify_application, **args)["changed"]
    assert not run(coolify_application, **args)["changed"]


def test_git_application_requires_repository(run, sandbox):
    result = run(coolify_application, project=PROJECT, name="site", kind="git")
    assert result["failed"] and result["field"] == "git_repository" and sandbox.requests() == []


def test_database_created_once_password_never_returned(run, sandbox):
    project_and_env(run)
    args = dict(project=PROJECT, server=SERVER, name="db", engine="postgresql", image="postgres:16-alpine",
                password="sandbox-db-password-1", settings={"postgres_user": "app", "postgres_db": "app"})
    created = run(coolify_database, **args)
    assert created["changed"] and created["database"]["uuid"]
    assert "sandbox-db-password-1" not in json.dumps(created)
    assert not run(coolify_database, **args)["changed"]
    changed = run(coolify_database, **dict(args, password="sandbox-db-password-2"))
    assert changed["changed"]


# --- environment variables ----------------------------------------------------------------------


def service_uuid(run):
    project_and_env(run)
    return service(run)["service"]["uuid"]


def test_envs_one_bulk_request_generated_secret_kept_in_coolify(run, sandbox):
    uuid = service_uuid(run)
    envs = [{"key": "APP_MODE", "value": "production"}, {"key": "APP_SECRET", "generate": {"length": 40}}]
    sandbox.forget_requests()
    first = run(coolify_envs, kind="service", uuid=uuid, envs=envs)
    assert first["changed"] and first["created"] == ["APP_MODE", "APP_SECRET"] and first["generated"] == ["APP_SECRET"]
    assert sandbox.writes() == [("PATCH", "/services/%s/envs/bulk" % uuid)]
    stored = {item["key"]: item["value"] for item in sandbox.api("GET", "/services/%s/envs" % uuid)}
    assert len(stored["APP_SECRET"]) == 40 and stored["APP_SECRET"] not in json.dumps(first)
    sandbox.forget_requests()
    again = run(coolify_envs, kind="service", uuid=uuid, envs=envs, return_values=True)
    assert not again["changed"] and sandbox.writes() == []
    assert again["env_values"]["APP_SECRET"] == stored["APP_SECRET"]


def test_envs_update_flags_prune_and_absent(run, sandbox):
    uuid = service_uuid(run)
    run(coolify_envs, kind="service", uuid=uuid, envs=[
        {"key": "A", "value": "1"}, {"key": "B", "value": "2"}, {"key": "C", "value": "3"}])
    sandbox.forget_requests()
    result = run(coolify_envs, kind="service", uuid=uuid, prune=True, diff=True, envs=[
        {"key": "A", "value": "1", "is_literal": True}, {"key": "B", "state": "absent"}])
    assert result["updated"] == ["A"] and result["deleted"] == ["B", "C"]
    keys = sorted(item["key"] for item in sandbox.api("GET", "/services/%s/envs" % uuid))
    assert keys == ["A"]
    assert [entry[0] for entry in sandbox.writes()] == ["PATCH", "DELETE", "DELETE"]
    assert all(item["value"].startswith("********") for item in result["diff"]["after"]["envs"])


def test_envs_invalid_key_and_missing_value_fail_before_any_request(run, sandbox):
    for envs in ([{"key": "9BAD", "value": "x"}], [{"key": "GOOD"}], [{"key": "A", "value": "1"}, {"key": "A", "value": "2"}]):
        result = run(coolify_envs, kind="service", uuid="whatever", envs=envs)
        assert result["failed"] and result["field"].startswith("envs["), result
    assert sandbox.requests() == []


def test_envs_without_read_sensitive_refuse_to_compare(run, sandbox):
    uuid = service_uuid(run)
    run(coolify_envs, kind="service", uuid=uuid, envs=[{"key": "A", "value": "1"}])
    result = run(coolify_envs, kind="service", uuid=uuid, envs=[{"key": "A", "value": "1"}],
                 token=emulator_module.NOSENSITIVE_TOKEN)
    assert result["failed"] and "read:sensitive" in result["msg"]


def test_envs_check_mode_without_resource_plans_everything(run, sandbox):
    result = run(coolify_envs, check=True, kind="service", uuid="", envs=[{"key": "A", "value": "1"}])
    assert result["changed"] and result["created"] == ["A"] and sandbox.writes() == []


# --- deploy and info ---------------------------------------------------------------------------


def test_service_deploy_waits_until_running_and_only_if_not_running_skips(run, sandbox):
    uuid = service_uuid(run)
    deployed = run(coolify_deploy, kind="service", uuid=uuid, wait_interval=0.05, wait_timeout=10)
    assert deployed["changed"] and deployed["resource_status"].startswith("running")
    skipped = run(coolify_deploy, kind="service", uuid=uuid, only_if_not_running=True)
    assert not skipped["changed"] and skipped["status"] == "skipped"


def test_application_deploy_failure_returns_log_tail(run, sandbox):
    project_and_env(run)
    uuid = run(coolify_application, project=PROJECT, server=SERVER, name="api", kind="dockerimage",
               image="ghcr.io/example/api", image_tag="1.0.0", ports_exposes="80")["application"]["uuid"]
    ok = run(coolify_deploy, kind="application", uuid=uuid, wait_interval=0.05, wait_timeout=10)
    assert ok["status"] == "finished" and ok["deployment_uuid"] and ok["resource_status"] == "running:healthy"
    sandbox.control("POST", "config", {"fail_next_deployments": 1})
    failed = run(coolify_deploy, kind="application", uuid=uuid, wait_interval=0.05, wait_timeout=10)
    assert failed["failed"] and failed["status"] == "failed" and "ended failed" in failed["msg"]
    assert failed["log_tail"] and all(isinstance(line, str) for line in failed["log_tail"])


def test_deploy_check_mode_sends_nothing(run, sandbox):
    uuid = service_uuid(run)
    sandbox.forget_requests()
    planned = run(coolify_deploy, check=True, kind="service", uuid=uuid)
    assert planned["changed"] and sandbox.writes() == []


def test_info_preflight_server_and_abilities(run, sandbox):
    ok = run(coolify_info, server=SERVER, require_abilities=["write", "deploy"], check=True)
    assert ok["server"]["name"] == SERVER and ok["version"] == "4.3.11"
    missing = run(coolify_info, server=SERVER, require_abilities=["write", "deploy"],
                  token=emulator_module.NODEPLOY_TOKEN)
    assert missing["failed"] and "lacks the deploy ability" in missing["msg"]
    read_only = run(coolify_info, require_abilities=["write", "deploy"], token=emulator_module.READ_TOKEN)
    assert read_only["failed"] and "write, deploy" in read_only["msg"]
    no_server = run(coolify_info, server="nope")
    assert no_server["failed"] and "no server called" in no_server["msg"]
    assert list(sandbox.state().get("projects", [])) == []


def test_info_returns_environment_resources(run, sandbox):
    uuid = service_uuid(run)
    info = run(coolify_info, project=PROJECT, kind="service", uuid=uuid)
    assert [item["uuid"] for item in info["environment"]["services"]] == [uuid]
    assert "docker_compose_raw" not in info["resource"] and info["resource"]["name"] == "site"


# --- compose lint module --------------------------------------------------------------------


def test_compose_lint_module_reports_and_passes(run, sandbox):
    ok = run(coolify_compose_lint, compose=COMPOSE, env_keys=["APP_SECRET"],
             urls=[{"name": "web", "urls": ["https://site.test"]}])
    assert not ok.get("failed") and ok["services"] == ["web"] and ok["references"] == ["APP_SECRET"]
    bad = run(coolify_compose_lint, compose=COMPOSE.replace("1.27-alpine", "latest"), env_keys=[],
              urls=[{"name": "api", "urls": ["https://site.test"]}])
    assert bad["failed"]
    assert any(error.startswith("services.web.image") for error in bad["errors"])
    assert any(error.startswith("urls[0].name") for error in bad["errors"])
    assert any("${APP_SECRET}" in error for error in bad["errors"])
    assert sandbox.requests() == []


def test_a_service_created_meanwhile_by_a_concurrent_run_is_continued_with(run, sandbox, monkeypatch):
    """Both runs found no service; the other one's create went first and Coolify refuses ours (its URLs)."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import CoolifyClient
    project_and_env(run)
    original = CoolifyClient.create_resource
    theirs = []

    def create_resource(client, kind, path, body, environment_lookup):
        if not theirs:
            theirs.append(original(client, kind, path, dict(body), environment_lookup))
        return original(client, kind, path, body, environment_lookup)

    monkeypatch.setattr(CoolifyClient, "create_resource", create_resource)
    result = service(run, envs=[{"key": "APP_SECRET", "value": "s3cret-value"}])
    assert not result.get("failed"), result
    assert result["service"]["uuid"] == theirs[0]["uuid"]
    assert "created by a concurrent run meanwhile" in " ".join(result["warnings"])
    services = sandbox.api("GET", "/services")
    assert [item["uuid"] for item in services] == [theirs[0]["uuid"]]
