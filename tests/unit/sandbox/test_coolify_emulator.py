"""Unit tests of the Coolify emulator and its edge, served through the sandbox framework on loopback."""

import base64
import json
import time

import pytest
import requests
import yaml
from werkzeug.wrappers import Request, Response

from tests.sandbox.coolify import (
    APP_CREATE_FIELDS, APP_PATCH_FIELDS, DB_COMMON_FIELDS, DB_ENGINES, DB_PATCH_FIELDS, DESTINATION_UUID, ENV_FIELDS,
    NODEPLOY_TOKEN, NOSENSITIVE_TOKEN, READ_TOKEN, ROOT_TOKEN, SERVER_UUID, SERVICE_CREATE_FIELDS,
    SERVICE_PATCH_FIELDS, SPEC_FILE, CoolifyEdge, CoolifyEmulator, json_response)
from tests.sandbox.framework import SandboxApp, serve
from tests.sandbox.openapi import contract_path, load_document

STEP = 0.1  # seconds per deployment state in these tests
SLOW = {"queued_seconds": 0.6, "in_progress_seconds": 0.6}  # for tests that must see a state before it passes
COMPOSE = """\
services:
  wordpress:
    image: wordpress:6-apache
    environment:
      WORDPRESS_DB_HOST: db
    ports: ["80"]
  db:
    image: mariadb:11
    volumes: [db-data:/var/lib/mysql]
volumes:
  db-data: {}
"""


def b64(text):
    return base64.b64encode(text.encode()).decode()


def wait_for(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


class Api:
    """A Coolify API client for the tests, plus the sandbox control API."""

    def __init__(self, root, emulator):
        self.root = root
        self.emulator = emulator
        self.sends_invalid_requests = False

    def call(self, method, path, token=ROOT_TOKEN, **kwargs):
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        return requests.request(method, self.root + "/api/v1" + path, headers=headers, timeout=5, **kwargs)

    def ok(self, method, path, status=200, **kwargs):
        resp = self.call(method, path, **kwargs)
        assert resp.status_code == status, resp.text
        return resp.json()

    def fails(self, method, path, status, **kwargs):
        resp = self.call(method, path, **kwargs)
        assert resp.status_code == status, resp.text
        return resp.json()

    def control(self, method, path, body=None):
        resp = requests.request(method, f"{self.root}/_sandbox/{path}", json=body, timeout=30)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def project(self, name="site"):
        return self.ok("POST", "/projects", 201, json={"name": name})["uuid"]

    def placement(self, project):
        return {"project_uuid": project, "server_uuid": SERVER_UUID, "environment_name": "production"}

    def service(self, project, compose=COMPOSE, **body):
        body = {**self.placement(project), "docker_compose_raw": b64(compose), **body}
        return self.ok("POST", "/services", 201, json=body)

    def image_app(self, project, **body):
        body = {**self.placement(project), "docker_registry_image_name": "nginx", "ports_exposes": "80", **body}
        return self.ok("POST", "/applications/dockerimage", 201, json=body)["uuid"]


@pytest.fixture(scope="module")
def served():
    emulator = CoolifyEmulator(queued_seconds=STEP, in_progress_seconds=STEP)
    app = SandboxApp(emulator)
    server = serve(app)
    edge = serve(CoolifyEdge(emulator))
    yield f"http://127.0.0.1:{server.server_port}", emulator, f"http://127.0.0.1:{edge.server_port}"
    app.close()
    for running in (server, edge):
        running.shutdown()
        running.server_close()


@pytest.fixture()
def api(served):
    """A reset emulator; afterwards no contract violation may have been recorded.

    Tests that send requests the spec forbids set ``api.sends_invalid_requests``:
    for them only the emulator's responses must be clean.
    """
    root, emulator, edge = served
    client = Api(root, emulator)
    client.edge = edge
    client.control("POST", "reset")
    yield client
    violations = client.control("GET", "violations")
    if client.sends_invalid_requests:
        violations = [v for v in violations if v["kind"] != "request"]
    assert violations == []


# -- auth, abilities, version --------------------------------------------------------------------

def test_health_needs_no_token_and_version_is_plain_text(api):
    health = requests.get(api.root + "/api/health", timeout=5)
    assert (health.status_code, health.text) == (200, "OK")
    version = api.call("GET", "/version")
    assert (version.status_code, version.text, version.headers["Content-Type"].split(";")[0]) == (
        200, "4.3.11", "text/html")
    api.control("POST", "config", {"version": "4.1.0"})
    assert api.call("GET", "/version").text == "4.1.0"


def test_missing_and_unknown_tokens_are_unauthenticated(api):
    api.sends_invalid_requests = True
    assert api.fails("GET", "/projects", 401, token=None) == {"message": "Unauthenticated."}
    assert api.fails("GET", "/projects", 401, token="9|not-a-token") == {"message": "Unauthenticated."}


def test_abilities_are_checked_per_route(api):
    project = api.project()
    app = api.image_app(project)
    assert api.ok("GET", "/projects", token=READ_TOKEN)[0]["uuid"] == project
    assert api.fails("POST", "/projects", 403, token=READ_TOKEN, json={"name": "other"}) == {
        "message": "Missing required permissions: write"}
    assert api.fails("POST", f"/applications/{app}/start", 403, token=NODEPLOY_TOKEN) == {
        "message": "Missing required permissions: deploy"}
    assert api.fails("POST", f"/deploy?uuid={app}", 403, token=NODEPLOY_TOKEN)["message"].endswith("deploy")
    assert "deployment_uuid" in api.ok("POST", f"/applications/{app}/start", token=NOSENSITIVE_TOKEN)
    assert len(api.ok("GET", "/projects")) == 1  # the refused POST created nothing


def test_sensitive_fields_are_omitted_without_read_sensitive(api):
    project = api.project()
    service = api.service(project)["uuid"]
    api.ok("POST", f"/services/{service}/envs", 201, json={"key": "DB_PASSWORD", "value": "s3cret"})
    database = api.ok("POST", "/databases/postgresql", 201, json=api.placement(project))["uuid"]
    for token, visible in ((NOSENSITIVE_TOKEN, False), (NODEPLOY_TOKEN, True), (ROOT_TOKEN, True)):
        got = api.ok("GET", f"/services/{service}", token=token)
        assert ("docker_compose_raw" in got, "docker_compose" in got) == (visible, visible)
        env = api.ok("GET", f"/services/{service}/envs", token=token)[0]
        assert env["key"] == "DB_PASSWORD"
        assert env.get("value") == ("s3cret" if visible else None)
        assert ("real_value" in env) == visible
        db = api.ok("GET", f"/databases/{database}", token=token)
        assert ("postgres_password" in db, "internal_db_url" in db) == (visible, visible)
        listed = api.ok("GET", f"/projects/{project}/production", token=token)["services"][0]
        assert ("docker_compose_raw" in listed) == visible


def test_shown_once_values_are_never_returned(api):
    app = api.image_app(api.project())
    api.ok("POST", f"/applications/{app}/envs", 201, json={"key": "TOKEN", "value": "x", "is_shown_once": True})
    env = api.ok("GET", f"/applications/{app}/envs")[0]
    assert env["is_shown_once"] is True and "value" not in env and "real_value" not in env


# -- routing and request format --------------------------------------------------------------------

def test_lifecycle_routes_and_deploy_are_post_only(api):
    app = api.image_app(api.project())
    for path in (f"/applications/{app}/start", f"/applications/{app}/stop", "/services/x/restart", "/deploy"):
        resp = api.call("GET", path)
        assert (resp.status_code, resp.headers["Allow"], resp.json()) == (
            405, "POST", {"message": "This endpoint has changed to a POST request."})
    other = api.call("DELETE", "/projects")
    assert other.status_code == 405 and set(other.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert api.fails("GET", "/nothing/here", 404) == {"message": "Not found."}


def test_bodies_must_be_json(api):
    api.sends_invalid_requests = True
    assert api.fails("POST", "/projects", 400, data="name=x", headers={"Content-Type": "text/plain"}) == {
        "message": "Invalid request.", "error": "Content-Type must be application/json."}
    assert api.fails("POST", "/projects", 400, data="{nope", headers={"Content-Type": "application/json"})[
        "error"] == "Invalid JSON."


# -- projects and environments ------------------------------------------------------------------------

def test_projects_get_production_and_names_are_not_unique(api):
    first, second = api.project("twin"), api.project("twin")
    assert first != second and len(first) == 24 and first.isalnum() and first.islower()
    assert [p["name"] for p in api.ok("GET", "/projects")] == ["twin", "twin"]
    assert [e["name"] for e in api.ok("GET", f"/projects/{first}/environments")] == ["production"]
    details = api.ok("GET", f"/projects/{first}")
    assert [e["name"] for e in details["environments"]] == ["production"]
    updated = api.ok("PATCH", f"/projects/{first}", 201, json={"description": "about it"})
    assert updated == {"uuid": first, "name": "twin", "description": "about it"}
    errors = api.fails("POST", "/projects", 422, json={"name": "x"})["errors"]
    assert list(errors) == ["name"]


def test_environments_are_unique_per_project_and_found_by_name_first(api):
    project = api.project()
    production = api.ok("GET", f"/projects/{project}/production")
    assert api.fails("POST", f"/projects/{project}/environments", 409, json={"name": "production"}) == {
        "message": "Environment with this name already exists."}
    # an environment *named* like production's uuid: the name wins
    impostor = api.ok("POST", f"/projects/{project}/environments", 201, json={"name": production["uuid"]})["uuid"]
    assert api.ok("GET", f"/projects/{project}/{production['uuid']}")["uuid"] == impostor
    assert api.ok("GET", f"/projects/{project}/{impostor}")["name"] == production["uuid"]
    staging = api.ok("POST", f"/projects/{project}/environments", 201, json={"name": "staging"})["uuid"]
    assert api.fails("PATCH", f"/projects/{project}/environments/staging", 409, json={"name": "production"})
    renamed = api.ok("PATCH", f"/projects/{project}/environments/{staging}", json={"name": "preview"})
    assert renamed["name"] == "preview"
    assert api.fails("GET", f"/projects/{project}/staging", 404) == {"message": "Environment not found."}


def test_projects_and_environments_with_resources_cannot_be_deleted(api):
    project = api.project()
    app = api.image_app(project)
    assert api.fails("DELETE", f"/projects/{project}", 400) == {
        "message": "Project has resources, so it cannot be deleted."}
    assert api.fails("DELETE", f"/projects/{project}/environments/production", 400)["message"].startswith(
        "Environment has resources")
    api.ok("DELETE", f"/applications/{app}")
    assert api.ok("DELETE", f"/projects/{project}") == {"message": "Project deleted."}
    assert api.ok("GET", "/projects") == []


def test_environment_details_embed_its_resources(api):
    project = api.project()
    app = api.image_app(project)
    service = api.service(project)["uuid"]
    postgres = api.ok("POST", "/databases/postgresql", 201, json=api.placement(project))["uuid"]
    mariadb = api.ok("POST", "/databases/mariadb", 201, json=api.placement(project))["uuid"]
    details = api.ok("GET", f"/projects/{project}/production")
    found = {key: [r["uuid"] for r in details[key]] for key in ("applications", "services", "postgresqls", "mariadbs")}
    assert found == {"applications": [app], "services": [service], "postgresqls": [postgres], "mariadbs": [mariadb]}
    assert details["redis"] == details["mysqls"] == details["mongodbs"] == []


# -- services ---------------------------------------------------------------------------------------

def test_service_compose_is_stored_reserialised(api):
    project = api.project()
    created = api.service(project, urls=[{"name": "wordpress", "url": "https://WWW.Example.com,https://example.com"}],
                          name="blog", description="the blog")
    assert created["domains"] == ["https://www.example.com", "https://example.com"]
    service = api.ok("GET", f"/services/{created['uuid']}")
    assert (service["name"], service["description"], service["status"]) == ("blog", "the blog", "exited:unhealthy")
    assert service["docker_compose_raw"] != COMPOSE
    assert yaml.safe_load(service["docker_compose_raw"]) == yaml.safe_load(COMPOSE)
    processed = yaml.safe_load(service["docker_compose"])["services"]["wordpress"]
    assert processed["labels"]["coolify.managed"] == "true"
    assert processed["container_name"] == f"wordpress-{created['uuid']}"
    assert [(a["name"], a["fqdn"]) for a in service["applications"]] == [
        ("wordpress", "https://www.example.com,https://example.com")]
    assert [d["name"] for d in service["databases"]] == ["db"]
    assert [a["name"] for a in api.ok("GET", f"/services/{created['uuid']}/applications")] == ["wordpress"]


def test_service_patch_changes_compose_and_urls(api):
    uuid = api.service(api.project(), urls=[{"name": "wordpress", "url": "https://a.example"}])["uuid"]
    changed = COMPOSE.replace("wordpress:6-apache", "wordpress:6.6-apache")
    patched = api.ok("PATCH", f"/services/{uuid}", json={
        "docker_compose_raw": b64(changed), "name": "renamed",
        "urls": [{"name": "wordpress", "url": "https://b.example"}]})
    assert patched == {"uuid": uuid, "domains": ["https://b.example"]}
    service = api.ok("GET", f"/services/{uuid}")
    assert service["name"] == "renamed"
    assert yaml.safe_load(service["docker_compose_raw"])["services"]["wordpress"]["image"] == "wordpress:6.6-apache"


def test_service_create_validation(api):
    project = api.project()
    body = {**api.placement(project), "docker_compose_raw": "services: {}"}
    assert api.fails("POST", "/services", 422, json=body) == {
        "message": "Validation failed.",
        "errors": {"docker_compose_raw": "The docker_compose_raw should be base64 encoded."}}
    body = {**api.placement(project), "docker_compose_raw": b64(COMPOSE), "type": "wordpress-with-mariadb"}
    assert list(api.fails("POST", "/services", 422, json=body)["errors"]) == ["type"]
    body = {**api.placement(project), "docker_compose_raw": b64(COMPOSE),
            "urls": [{"name": "nope", "url": "https://x.example"}]}
    assert "nope" in json.dumps(api.fails("POST", "/services", 422, json=body)["errors"])
    body = {**api.placement(project), "docker_compose_raw": b64(COMPOSE), "domains": "https://x.example"}
    assert api.fails("POST", "/services", 422, json=body)["errors"] == {"domains": ["This field is not allowed."]}
    assert api.ok("GET", "/services") == []


def test_one_click_services_get_generated_credentials(api):
    project = api.project()
    unknown = api.fails("POST", "/services", 404, json={**api.placement(project), "type": "no-such-thing"})
    assert unknown["message"] == "Service not found." and "wordpress-with-mariadb" in unknown["valid_service_types"]
    uuid = api.ok("POST", "/services", 201, json={**api.placement(project), "type": "wordpress-with-mariadb"})["uuid"]
    service = api.ok("GET", f"/services/{uuid}")
    assert service["name"] == f"wordpress-with-mariadb-{uuid}" and service["service_type"] == "wordpress-with-mariadb"
    keys = sorted(env["key"] for env in api.ok("GET", f"/services/{uuid}/envs"))
    assert keys == ["SERVICE_PASSWORD_ROOT", "SERVICE_PASSWORD_WORDPRESS", "SERVICE_USER_WORDPRESS"]


def test_delete_records_the_requested_flags(api):
    project = api.project()
    kept = api.service(project)["uuid"]
    gone = api.image_app(project)
    assert api.ok("DELETE", f"/services/{kept}?delete_volumes=false&docker_cleanup=false") == {
        "message": "Service deletion request queued."}
    api.ok("DELETE", f"/applications/{gone}")
    deletions = api.control("GET", "state")["deletions"]
    assert deletions == [
        {"kind": "service", "uuid": kept, "name": f"service-{kept}", "delete_configurations": True,
         "delete_volumes": False, "docker_cleanup": False, "delete_connected_networks": True},
        {"kind": "application", "uuid": gone, "name": f"dockerimage-{gone}", "delete_configurations": True,
         "delete_volumes": True, "docker_cleanup": True, "delete_connected_networks": True}]
    assert api.fails("GET", f"/services/{kept}", 404) == {"message": "Service not found."}


# -- applications ---------------------------------------------------------------------------------------

def test_application_domains_are_written_as_domains_and_read_as_fqdn(api):
    project = api.project()
    refused = api.fails("POST", "/applications/dockerimage", 422, json={
        **api.placement(project), "docker_registry_image_name": "nginx", "ports_exposes": "80",
        "fqdn": "https://a.example", "colour": "blue"})
    assert refused["errors"] == {"fqdn": ["This field is not allowed."], "colour": ["This field is not allowed."]}
    created = api.ok("POST", "/applications/dockerimage", 201, json={
        **api.placement(project), "docker_registry_image_name": "nginx", "ports_exposes": "80",
        "domains": "https://App.Example.com, https://www.example.com:8080"})
    app = api.ok("GET", f"/applications/{created['uuid']}")
    assert app["fqdn"] == "https://app.example.com,https://www.example.com:8080"
    expected = ("dockerimage", "latest", "exited:unhealthy")
    assert (app["build_pack"], app["docker_registry_image_tag"], app["status"]) == expected
    assert api.fails("PATCH", f"/applications/{created['uuid']}", 422, json={"fqdn": "https://b.example"})[
        "errors"] == {"fqdn": ["This field is not allowed."]}
    api.ok("PATCH", f"/applications/{created['uuid']}", json={"domains": "https://b.example", "name": "renamed"})
    app = api.ok("GET", f"/applications/{created['uuid']}")
    assert (app["fqdn"], app["name"]) == ("https://b.example", "renamed")


def test_domains_are_autogenerated_unless_disabled(api):
    project = api.project()
    auto = api.image_app(project)
    assert api.ok("GET", f"/applications/{auto}")["fqdn"] == f"http://{auto}.127.0.0.1.sslip.io"
    bare = api.image_app(project, autogenerate_domain=False)
    assert api.ok("GET", f"/applications/{bare}")["fqdn"] is None


def test_domain_conflicts_need_force_override(api):
    project = api.project()
    api.image_app(project, domains="https://taken.example", name="first")
    body = {**api.placement(project), "docker_registry_image_name": "nginx", "ports_exposes": "80",
            "domains": "https://taken.example"}
    conflict = api.fails("POST", "/applications/dockerimage", 409, json=body)
    assert conflict["conflicts"][0]["resource_name"] == "first"
    api.ok("POST", "/applications/dockerimage", 201, json={**body, "force_domain_override": True})


def test_public_and_dockerfile_applications(api):
    api.sends_invalid_requests = True
    project = api.project()
    missing = api.fails("POST", "/applications/public", 422, json={**api.placement(project), "git_branch": "main"})
    assert set(missing["errors"]) == {"git_repository", "build_pack", "ports_exposes"}
    public = api.ok("POST", "/applications/public", 201, json={
        **api.placement(project), "git_repository": "https://github.com/example/site", "git_branch": "main",
        "build_pack": "nixpacks", "ports_exposes": "3000", "is_static": True})["uuid"]
    app = api.ok("GET", f"/applications/{public}")
    assert (app["git_repository"], app["ports_exposes"], app["settings"]["is_static"]) == (
        "https://github.com/example/site", "3000", True)
    body = {**api.placement(project), "dockerfile": "FROM nginx"}
    assert api.fails("POST", "/applications/dockerfile", 422, json=body)["errors"] == {
        "dockerfile": "The dockerfile should be base64 encoded."}
    uuid = api.ok("POST", "/applications/dockerfile", 201, json={**body, "dockerfile": b64("FROM nginx:1\n")})["uuid"]
    app = api.ok("GET", f"/applications/{uuid}")
    assert (app["dockerfile"], app["build_pack"]) == ("FROM nginx:1\n", "dockerfile")
    assert "dockerfile" not in api.ok("GET", f"/applications/{uuid}", token=NOSENSITIVE_TOKEN)


def test_placement_errors(api):
    project = api.project()
    body = {"project_uuid": project, "server_uuid": SERVER_UUID, "docker_registry_image_name": "nginx",
            "ports_exposes": "80"}
    api.sends_invalid_requests = True
    assert list(api.fails("POST", "/applications/dockerimage", 422, json=body)["errors"]) == ["environment_name"]
    assert api.fails("POST", "/applications/dockerimage", 404, json={**body, "environment_name": "nope"})[
        "message"] == "Environment not found."
    assert api.fails("POST", "/applications/dockerimage", 404, json={
        **body, "environment_name": "production", "server_uuid": "elsewhere"})["message"] == "Server not found."
    env_uuid = api.ok("GET", f"/projects/{project}/production")["uuid"]
    api.ok("POST", "/applications/dockerimage", 201, json={
        **body, "environment_uuid": env_uuid, "destination_uuid": DESTINATION_UUID})


# -- environment variables ---------------------------------------------------------------------------------

def test_env_create_conflicts_and_key_rules(api):
    app = api.image_app(api.project())
    assert api.ok("POST", f"/applications/{app}/envs", 201, json={"key": " PORT ", "value": "80"})["uuid"]
    assert api.fails("POST", f"/applications/{app}/envs", 409, json={"key": "PORT", "value": "81"})[
        "message"].startswith("Environment variable already exists")
    assert list(api.fails("POST", f"/applications/{app}/envs", 422, json={"key": "9LIVES", "value": "x"})[
        "errors"]) == ["key"]
    assert api.fails("POST", f"/applications/{app}/envs", 422, json={"key": "A", "value": "x", "is_build_time": True})[
        "errors"] == {"is_build_time": ["This field is not allowed."]}
    api.ok("POST", f"/applications/{app}/envs", 201, json={"key": "PORT", "value": "82", "is_preview": True})
    assert sorted((e["key"], e["is_preview"]) for e in api.ok("GET", f"/applications/{app}/envs")) == [
        ("PORT", False), ("PORT", True)]


def test_env_update_by_key_overwrites_only_some_flags(api):
    app = api.image_app(api.project())
    api.ok("POST", f"/applications/{app}/envs", 201, json={
        "key": "TEXT", "value": "a", "is_multiline": True, "is_runtime": False, "comment": "kept"})
    env = api.ok("PATCH", f"/applications/{app}/envs", 201, json={"key": "TEXT", "value": "b"})
    assert (env["value"], env["is_multiline"], env["is_runtime"], env["comment"]) == ("b", False, False, "kept")
    env = api.ok("PATCH", f"/applications/{app}/envs", 201, json={
        "key": "TEXT", "value": "c", "is_runtime": True, "comment": None})
    assert (env["is_runtime"], env["comment"]) == (True, None)
    assert api.fails("PATCH", f"/applications/{app}/envs", 404, json={"key": "NOPE", "value": "x"}) == {
        "message": "Environment variable not found."}


def test_env_bulk_upserts_and_delete_by_uuid(api):
    api.sends_invalid_requests = True
    service = api.service(api.project())["uuid"]
    api.ok("POST", f"/services/{service}/envs", 201, json={"key": "KEEP", "value": "1"})
    api.ok("POST", f"/services/{service}/envs", 201, json={"key": "A", "value": "1", "is_shown_once": True})
    changed = api.ok("PATCH", f"/services/{service}/envs/bulk", 201, json={"data": [
        {"key": "A", "value": "2"}, {"key": "B", "value": "3", "is_buildtime": False}]})
    assert [(e["key"], e["value"], e["is_shown_once"]) for e in changed] == [("A", "2", False), ("B", "3", False)]
    envs = {e["key"]: e for e in api.ok("GET", f"/services/{service}/envs")}
    assert {k: e["value"] for k, e in envs.items()} == {"KEEP": "1", "A": "2", "B": "3"}
    assert envs["B"]["is_buildtime"] is False
    assert api.fails("PATCH", f"/services/{service}/envs/bulk", 400, json={"items": []}) == {
        "message": "Bulk data is required."}
    assert "data.1.key" in api.fails("PATCH", f"/services/{service}/envs/bulk", 422, json={"data": [
        {"key": "OK", "value": "1"}, {"key": "bad-key", "value": "2"}]})["errors"]
    assert api.ok("DELETE", f"/services/{service}/envs/{envs['KEEP']['uuid']}") == {
        "message": "Environment variable deleted."}
    assert sorted(e["key"] for e in api.ok("GET", f"/services/{service}/envs")) == ["A", "B"]
    api.fails("DELETE", f"/services/{service}/envs/{envs['KEEP']['uuid']}", 404)


# -- deployments ------------------------------------------------------------------------------------------

def test_deployment_moves_from_queued_to_finished(api):
    api.control("POST", "config", SLOW)
    app = api.image_app(api.project())
    started = api.ok("POST", f"/applications/{app}/start")
    assert started["message"] == "Deployment request queued."
    path = f"/deployments/{started['deployment_uuid']}"
    seen = [api.ok("GET", path)["status"]]
    assert seen == ["queued"]
    assert api.ok("GET", "/deployments")[0]["deployment_uuid"] == started["deployment_uuid"]
    wait_for(lambda: seen.append(api.ok("GET", path)["status"]) or seen[-1] == "finished")
    assert [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s] == ["queued", "in_progress", "finished"]
    assert api.ok("GET", f"/applications/{app}")["status"] == "running:healthy"
    assert api.ok("GET", "/deployments") == []


def test_deployments_by_application_newest_first(api):
    app = api.image_app(api.project())
    uuids = [api.ok("POST", f"/applications/{app}/start")["deployment_uuid"] for _unused in range(3)]
    listed = api.ok("GET", f"/deployments/applications/{app}?skip=1&take=1")
    assert listed["count"] == 3 and [d["deployment_uuid"] for d in listed["deployments"]] == [uuids[1]]
    every = api.ok("GET", f"/deployments/applications/{app}")["deployments"]
    assert [d["deployment_uuid"] for d in every] == uuids[::-1]
    api.fails("GET", "/deployments/applications/unknown", 404)


def test_injected_failure_gives_failed_deployment_with_logs(api):
    app = api.image_app(api.project())
    api.control("POST", "config", {"fail_next_deployments": 1})
    failing = api.ok("POST", f"/applications/{app}/start")["deployment_uuid"]
    wait_for(lambda: api.ok("GET", f"/deployments/{failing}")["status"] == "failed")
    logs = json.loads(api.ok("GET", f"/deployments/{failing}")["logs"])
    assert logs[-1]["type"] == "stderr" and "failed" in logs[-1]["output"]
    assert "logs" not in api.ok("GET", f"/deployments/{failing}", token=NOSENSITIVE_TOKEN)
    assert api.ok("GET", f"/applications/{app}")["status"] == "exited:unhealthy"
    fine = api.ok("POST", f"/applications/{app}/restart")["deployment_uuid"]
    wait_for(lambda: api.ok("GET", f"/deployments/{fine}")["status"] == "finished")
    assert api.ok("GET", f"/applications/{app}")["status"] == "running:healthy"


def test_failing_resources_fail_every_deployment(api):
    app = api.image_app(api.project(), name="broken")
    api.control("POST", "config", {"failing_resources": ["broken"]})
    for _unused in range(2):
        uuid = api.ok("POST", f"/deploy?uuid={app}")["deployments"][0]["deployment_uuid"]
        wait_for(lambda: api.ok("GET", f"/deployments/{uuid}")["status"] == "failed")


def test_deploy_starts_services_without_deployment_records(api):
    api.control("POST", "config", SLOW)
    project = api.project()
    app = api.image_app(project, tags=["site"])
    service = api.service(project, tags=["site"])["uuid"]
    answer = api.ok("POST", "/deploy?tag=site")  # DeployController::by_tags: {message: [...], details: [...]}
    assert [d["resource_uuid"] for d in answer["details"]] == [app] and len(answer["message"]) == 2
    assert api.ok("GET", f"/services/{service}")["status"] == "starting:unknown"
    wait_for(lambda: api.ok("GET", f"/services/{service}")["status"] == "running:healthy")
    assert api.ok("GET", f"/services/{service}")["applications"][0]["status"] == "running:healthy"
    assert api.ok("GET", "/tags")[0]["name"] == "site"
    assert [a["uuid"] for a in api.ok("GET", "/applications?tag=site")] == [app]
    assert api.fails("POST", f"/deploy?uuid={app}&tag=site", 400) == {
        "message": "You can only use uuid or tag, not both."}
    assert api.fails("POST", "/deploy?uuid=nothing", 404) == {"message": "No resources found."}
    assert api.ok("POST", f"/services/{service}/stop") == {"message": "Service stopping request queued."}
    assert api.ok("GET", f"/services/{service}")["status"] == "exited:unhealthy"


def test_instant_deploy_returns_no_deployment_uuid(api):
    api.control("POST", "config", SLOW)
    project = api.project()
    created = api.ok("POST", "/applications/dockerimage", 201, json={
        **api.placement(project), "docker_registry_image_name": "nginx", "ports_exposes": "80",
        "instant_deploy": True})
    assert set(created) == {"uuid", "domains"}
    latest = api.ok("GET", f"/deployments/applications/{created['uuid']}?take=1")["deployments"]
    assert len(latest) == 1 and latest[0]["status"] in ("queued", "in_progress")


def test_full_queue_answers_429_with_retry_after(api):
    app = api.image_app(api.project())
    api.control("POST", "config", {"queue_limit": 1, **SLOW})
    api.ok("POST", f"/applications/{app}/start")
    resp = api.call("POST", f"/deploy?uuid={app}")
    assert (resp.status_code, resp.headers["Retry-After"]) == (429, "60")


# -- databases, servers, team ----------------------------------------------------------------------------------

def test_databases_are_created_with_201_and_patched(api):
    project = api.project()
    created = api.ok("POST", "/databases/postgresql", 201, json={
        **api.placement(project), "name": "pg", "postgres_user": "site", "postgres_password": "pw",
        "postgres_db": "site"})
    assert created["internal_db_url"] == f"postgres://site:pw@{created['uuid']}:5432/site"
    assert api.ok("PATCH", f"/databases/{created['uuid']}", json={"is_public": True, "public_port": 5433})
    db = api.ok("GET", f"/databases/{created['uuid']}")
    assert (db["name"], db["external_db_url"]) == ("pg", "postgres://site:pw@127.0.0.1:5433/site")
    assert api.fails("PATCH", f"/databases/{created['uuid']}", 422, json={"mariadb_user": "x"})["errors"] == {
        "mariadb_user": ["This field is not allowed."]}
    mariadb = api.ok("POST", "/databases/mariadb", 201, json=api.placement(project))["uuid"]
    assert api.ok("GET", f"/databases/{mariadb}")["internal_db_url"].startswith("mysql://mariadb:")
    assert api.ok("POST", f"/databases/{mariadb}/start") == {"message": "Database starting request queued."}
    assert sorted(d["uuid"] for d in api.ok("GET", "/databases")) == sorted([created["uuid"], mariadb])


def test_server_destination_and_team(api):
    servers = api.ok("GET", "/servers")
    assert [(s["uuid"], s["name"], s["ip"], s["proxy_type"]) for s in servers] == [
        (SERVER_UUID, "sandbox-server", "127.0.0.1", "traefik")]
    assert api.ok("GET", f"/servers/{SERVER_UUID}")["uuid"] == SERVER_UUID
    assert [d["uuid"] for d in api.ok("GET", f"/servers/{SERVER_UUID}/destinations")] == [DESTINATION_UUID]
    assert api.fails("GET", "/servers/other", 404) == {"message": "Server not found."}
    assert api.ok("GET", "/team")["id"] == 0


def test_snapshot_masks_secrets(api):
    project = api.project()
    service = api.service(project)["uuid"]
    api.ok("POST", f"/services/{service}/envs", 201, json={"key": "SECRET", "value": "hunter2"})
    api.ok("POST", "/databases/postgresql", 201, json={**api.placement(project), "postgres_password": "pw-secret"})
    state = api.control("GET", "state")
    assert "hunter2" not in json.dumps(state) and "pw-secret" not in json.dumps(state)
    resources = state["projects"][0]["environments"][0]["resources"]
    assert [r["kind"] for r in resources] == ["service", "database"]
    assert resources[0]["envs"]["SECRET"]["value"] == "***"
    assert resources[0]["wordpress"] is True


# -- faults and the contract ------------------------------------------------------------------------------------

def test_faults_before_and_after(api):
    api.control("POST", "faults", {"method": "POST", "path": "/projects", "status": 500})
    assert api.call("POST", "/projects", json={"name": "lost"}).status_code == 500
    assert api.ok("GET", "/projects") == []
    api.control("POST", "faults", {"method": "POST", "path": "/projects", "status": 502, "after": True})
    assert api.call("POST", "/projects", json={"name": "applied"}).status_code == 502
    assert [p["name"] for p in api.ok("GET", "/projects")] == ["applied"]
    log = api.control("GET", "requests")
    assert [(e["method"], e["path"], e["status"], e.get("fault")) for e in log if e["method"] == "POST"] == [
        ("POST", "/projects", 500, "before"), ("POST", "/projects", 502, "after")]


def test_a_corrupted_response_is_a_violation(api, monkeypatch):
    project = api.project()
    monkeypatch.setattr(api.emulator, "_list_projects", lambda _call: json_response([{"uuid": 7, "name": project}]))
    api.ok("GET", "/projects")
    violations = api.control("GET", "violations")
    assert [(v["kind"], v["method"], v["path"]) for v in violations] == [("response", "GET", "/api/v1/projects")]
    assert "uuid" in violations[0]["detail"] or "7" in violations[0]["detail"]
    api.control("DELETE", "violations")


def test_an_invalid_request_is_a_violation(api):
    api.call("POST", "/projects", json={"name": 12})
    violations = api.control("GET", "violations")
    assert [(v["kind"], v["path"]) for v in violations] == [("request", "/api/v1/projects")]
    api.control("DELETE", "violations")


def test_allowed_fields_cover_the_spec():
    """Every body field the spec documents is accepted (the emulator may accept documented extras)."""
    spec = load_document(contract_path("coolify", SPEC_FILE))

    def documented(path, method):
        return set(spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["properties"])

    assert documented("/applications/public", "post") <= set(APP_CREATE_FIELDS["public"])
    assert documented("/applications/dockerfile", "post") <= set(APP_CREATE_FIELDS["dockerfile"])
    assert documented("/applications/dockerimage", "post") <= set(APP_CREATE_FIELDS["dockerimage"])
    assert documented("/applications/{uuid}", "patch") <= set(APP_PATCH_FIELDS)
    assert documented("/services", "post") <= set(SERVICE_CREATE_FIELDS)
    assert documented("/services/{uuid}", "patch") <= set(SERVICE_PATCH_FIELDS)
    for engine, spec_engine in DB_ENGINES.items():
        assert documented(f"/databases/{engine}", "post") <= set(DB_COMMON_FIELDS + spec_engine["fields"])
    db_patch = documented("/databases/{uuid}", "patch")
    assert {f for f in db_patch if f.split("_")[0] in ("postgres", "mariadb") or f in DB_COMMON_FIELDS} <= set(
        DB_PATCH_FIELDS)
    for kind in ("applications", "services", "databases"):
        assert documented(f"/{kind}/{{uuid}}/envs", "post") <= set(ENV_FIELDS)


# -- the edge --------------------------------------------------------------------------------------------------

def edge_get(api, host, path="/"):
    return requests.get(api.edge + path, headers={"Host": host}, timeout=5, allow_redirects=False)


def test_edge_routes_by_host(api):
    project = api.project()
    app = api.image_app(project, name="shop", domains="https://shop.example")
    assert edge_get(api, "nowhere.example").status_code == 404
    assert edge_get(api, "shop.example").status_code == 503  # not deployed yet
    api.ok("POST", f"/applications/{app}/start")
    wait_for(lambda: edge_get(api, "shop.example:8443").status_code == 200)
    assert "shop" in edge_get(api, "shop.example").text
    api.ok("POST", f"/applications/{app}/stop")
    assert edge_get(api, "shop.example").status_code == 503


def test_edge_proxies_wordpress_to_the_sandbox_wordpress(api):
    seen = []

    @Request.application
    def fake_wordpress(request):
        seen.append((request.method, request.full_path, request.headers.get("X-Forwarded-Host")))
        return Response("<p>real WordPress</p>", headers={"Set-Cookie": "wp=1"}, mimetype="text/html")

    upstream = serve(fake_wordpress)
    try:
        service = api.service(api.project(), urls=[{"name": "wordpress", "url": "https://blog.example"}])["uuid"]
        api.ok("POST", f"/services/{service}/start")
        wait_for(lambda: edge_get(api, "blog.example").status_code == 200)
        assert "WordPress (sandbox placeholder)" in edge_get(api, "blog.example").text
        api.control("POST", "config", {"wordpress_url": f"http://127.0.0.1:{upstream.server_port}"})
        answer = edge_get(api, "blog.example", "/wp-login.php?x=1")
        assert (answer.status_code, answer.text, answer.headers["Set-Cookie"]) == (200, "<p>real WordPress</p>", "wp=1")
        assert seen == [("GET", "/wp-login.php?x=1", "blog.example")]
    finally:
        upstream.shutdown()
        upstream.server_close()


def test_configure_refuses_unknown_or_bad_options():
    emulator = CoolifyEmulator(validate=False)
    with pytest.raises(ValueError, match="unknown"):
        emulator.configure(colour="blue")
    with pytest.raises(ValueError, match="queued_seconds"):
        emulator.configure(queued_seconds=-1)
    with pytest.raises(ValueError, match="wordpress_url"):
        emulator.configure(wordpress_url="ftp://x")


# -- live behaviour from the controllers (tests/sandbox/README.md, "Coolify: live behaviour") ------------

def test_live_controller_behaviour(api):
    project = api.project()
    service = api.service(project)["uuid"]
    app = api.image_app(project)
    assert "id" not in api.ok("GET", f"/services/{service}") and "id" not in api.ok("GET", f"/applications/{app}")
    api.ok("POST", f"/services/{service}/start")
    assert api.fails("POST", f"/services/{service}/start", 400) == {"message": "Service is already running."}
    created = api.ok("POST", f"/services/{service}/envs", 201, json={"key": "NO_VALUE"})
    api.ok("POST", f"/services/{service}/envs", 201, json={"key": "LIT", "value": "a", "is_literal": True})
    api.ok("PATCH", f"/services/{service}/envs", 201, json={"key": "LIT", "value": "b"})
    envs = {env["key"]: env for env in api.ok("GET", f"/services/{service}/envs")}
    assert envs["NO_VALUE"]["uuid"] == created["uuid"] and envs["NO_VALUE"]["value"] is None
    assert envs["LIT"]["is_literal"] is False  # an update that omits is_literal resets it
    answer = api.ok("POST", "/deploy", json={"uuid": app})
    assert [d["resource_uuid"] for d in answer["deployments"]] == [app]
    assert [team["id"] for team in api.ok("GET", "/teams")] == [api.ok("GET", "/team")["id"]]
    assert api.ok("GET", "/team/members")[0]["email"]
    assert [sorted(env) for env in api.ok("GET", f"/projects/{project}/environments")] == [["id", "name", "uuid"]]
    kinds = sorted((r["uuid"], r["type"]) for r in api.ok("GET", f"/servers/{SERVER_UUID}/resources"))
    assert kinds == sorted([(service, "service"), (app, "application")])
