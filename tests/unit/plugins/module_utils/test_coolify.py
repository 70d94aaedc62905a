"""CoolifyClient and the Coolify helpers against a programmable HTTP server on loopback."""

import base64
import json

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils import _coolify
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import CoolifyClient
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, CheckModeViolation

TOKEN = "7|unit-test-coolify-secret"


def client(server, check_mode=False):
    return CoolifyClient(server.url, TOKEN, timeout=5, check_mode=check_mode)


def body_of(request):
    return json.loads(request.body.decode())


# --- version gate -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["4.1.0", "4.3.11", "v4.2.0", "4.9.99\n"])
def test_supported_versions(text):
    assert _coolify.check_version(text) == text.strip()


@pytest.mark.parametrize("text", ["4.0.0", "4.0.0-beta.420", "4.1.0-beta.1", "3.12.36", "5.0.0", "5.0.0-rc.1"])
def test_unsupported_versions_name_the_version(text):
    with pytest.raises(SpecError, match=r"Coolify %s is not supported" % text.replace(".", r"\.")):
        _coolify.check_version(text)


def test_unreadable_version():
    with pytest.raises(SpecError, match="cannot read the Coolify version"):
        _coolify.check_version("<html>login</html>")


def test_version_is_read_once_as_text_and_sends_the_token(server):
    server.enqueue(body="4.3.11")
    coolify = client(server)
    assert coolify.version() == "4.3.11" and coolify.version() == "4.3.11"
    assert server.count() == 1
    request = server.requests[0]
    assert request.path == "/api/v1/version" and request.headers["authorization"] == "Bearer " + TOKEN


def test_api_root_accepts_instance_or_api_url():
    assert _coolify.api_root("https://c.example.com/") == "https://c.example.com/api/v1"
    assert _coolify.api_root("https://c.example.com/api/v1") == "https://c.example.com/api/v1"
    with pytest.raises(SpecError, match="api_url"):
        _coolify.api_root("c.example.com")


# --- input validation ---------------------------------------------------------------------


def test_urls_are_normalised_and_validated():
    assert _coolify.validate_url("HTTPS://WWW.Example.com/", "f") == "https://www.example.com"
    assert _coolify.validate_url("https://app.example.com:3000", "f") == "https://app.example.com:3000"
    for bad in ("ftp://x.example", "https://x.example/path", "https://x.example?a=1", "https://u:p@x.example",
                "https://a.example,https://b.example", "example.com", "https://bad_host.example", "https://x.example:99999"):
        with pytest.raises(SpecError) as caught:
            _coolify.validate_url(bad, "urls[0].urls[1]")
        assert caught.value.field == "urls[0].urls[1]", bad


def test_validate_urls_accepts_comma_separated_url_and_refuses_duplicates():
    assert _coolify.validate_urls([{"name": "web", "url": "https://a.example, https://b.example"}]) == [
        {"name": "web", "urls": ["https://a.example", "https://b.example"]}]
    with pytest.raises(SpecError, match="listed twice"):
        _coolify.validate_urls([{"name": "web", "urls": []}, {"name": "web", "urls": []}])


@pytest.mark.parametrize("key", ["9LIVES", "BAD-KEY", "has space", ".dot", "", None])
def test_env_keys_follow_coolifys_pattern(key):
    with pytest.raises(SpecError) as caught:
        _coolify.validate_env_key(key, "envs[3].key")
    assert caught.value.field == "envs[3].key"


def test_env_key_accepts_dots_and_underscores():
    assert _coolify.validate_env_key(" _APP.MODE_1 ", "k") == "_APP.MODE_1"


def test_generated_secrets_follow_the_spec():
    first = _coolify.generate_secret({"length": 40, "charset": "hex"}, "envs[0].generate")
    assert len(first) == 40 and set(first) <= set("0123456789abcdef")
    assert _coolify.generate_secret({}, "g") != _coolify.generate_secret({}, "g")
    with pytest.raises(SpecError, match=r"envs\[0\]\.generate\.length"):
        _coolify.generate_secret({"length": 8}, "envs[0].generate")
    with pytest.raises(SpecError, match=r"\.charset"):
        _coolify.generate_secret({"charset": "emoji"}, "envs[0].generate")


def test_service_status_from_its_parts():
    assert _coolify.resource_status({"status": "exited:unhealthy"}) == "exited:unhealthy"
    parts = {"applications": [{"status": "running:healthy"}], "databases": [{"status": "running:healthy"}]}
    assert _coolify.resource_status(parts) == "running:healthy"
    parts["databases"][0]["status"] = "exited:unhealthy"
    assert _coolify.resource_status(parts) == "exited:unhealthy" and not _coolify.is_running(parts)
    assert _coolify.resource_status({}) == "unknown"


# --- identity ---------------------------------------------------------------------------


def test_duplicate_projects_keep_the_oldest_and_an_empty_newer_one_is_deleted(server):
    projects = [{"id": 7, "uuid": "bbb", "name": "site"}, {"id": 3, "uuid": "aaa", "name": "site"},
                {"id": 1, "uuid": "ccc", "name": "other"}]
    server.enqueue(body=projects)
    server.enqueue(body={"uuid": "bbb", "environments": [{"uuid": "e1", "name": "production"}]})
    server.enqueue(body={"uuid": "e1", "name": "production", "services": [], "applications": []})
    server.enqueue(body={"message": "Project deleted."})
    coolify = client(server)
    assert coolify.find_project("site")["uuid"] == "aaa"
    assert [(item.method, item.path) for item in server.requests][-1] == ("DELETE", "/api/v1/projects/bbb")
    assert coolify.notes == ['project "site" exists twice in Coolify: uuid aaa (the oldest, kept) and uuid bbb, '
                             'which was empty (made by a concurrent run): deleted']


def test_a_newer_duplicate_project_with_resources_is_an_error_naming_both(server):
    projects = [{"id": 3, "uuid": "aaa", "name": "site"}, {"id": 7, "uuid": "bbb", "name": "site"}]
    server.enqueue(body=projects)
    server.enqueue(body={"uuid": "bbb", "environments": [{"uuid": "e1", "name": "production"}]})
    server.enqueue(body={"uuid": "e1", "name": "production", "services": [{"uuid": "s1", "name": "web"}]})
    with pytest.raises(SpecError) as caught:
        client(server, check_mode=True).find_project("site")
    assert caught.value.field == "project_uuid"
    assert "uuid aaa (the oldest, kept) and uuid bbb, which holds service \"web\"" in caught.value.message
    assert "app_project_uuid" in caught.value.message
    assert all(item.method == "GET" for item in server.requests)


def test_pinned_project_uuid_wins_and_404_means_absent(server):
    server.enqueue(status=404, body={"message": "Project not found."})
    assert client(server).find_project("site", uuid="zzz") is None
    assert server.requests[0].path == "/api/v1/projects/zzz"


def test_find_in_environment_covers_every_database_list():
    environment = {"postgresqls": [{"uuid": "p", "name": "db"}], "mariadbs": [{"uuid": "m", "name": "db"}],
                   "services": [{"uuid": "s", "name": "db"}]}
    assert _coolify.find_in_environment(environment, "service", "db")["uuid"] == "s"
    with pytest.raises(SpecError, match=r"database \"db\" is ambiguous.*m, p"):
        _coolify.find_in_environment(environment, "database", "db")


def test_missing_server_lists_the_known_ones(server):
    server.enqueue(body=[{"uuid": "s1", "name": "main"}, {"uuid": "s2", "name": "backup"}])
    with pytest.raises(SpecError, match=r"no server called \"edge\" \(servers: backup, main\)"):
        client(server).find_server("edge")


# --- writes -------------------------------------------------------------------------------


def test_create_with_a_lost_answer_is_resolved_by_name(server):
    server.enqueue(method="POST", status=504, body="gateway timeout")
    server.enqueue(method="GET", body={"uuid": "svc1", "name": "site"})
    found = []
    resource = client(server).create_resource("service", "/services", {"name": "site"},
                                              lambda: found.append(1) or {"uuid": "svc1"})
    assert resource == {"uuid": "svc1", "name": "site"} and found == [1]
    assert [request.method for request in server.requests] == ["POST", "GET"]


def test_create_without_uuid_in_the_answer_is_looked_up(server):
    server.enqueue(method="POST", status=200, body={"message": "Deployment skipped."})
    server.enqueue(method="GET", body={"uuid": "app1"})
    assert client(server).create_resource("application", "/applications/public", {"name": "a"},
                                          lambda: {"uuid": "app1"})["uuid"] == "app1"


def test_create_then_unreadable_is_an_error(server):
    server.enqueue(method="POST", status=201, body={"uuid": "svc1"})
    server.enqueue(method="GET", status=404, body={"message": "Service not found."})
    with pytest.raises(ApiError, match="created but not readable"):
        client(server).create_resource("service", "/services", {}, lambda: None)


def test_delete_keeps_volumes_by_default(server):
    server.enqueue(body={"message": "Deletion request queued."}, times=2)
    coolify = client(server)
    coolify.delete_resource("service", "s1")
    coolify.delete_resource("service", "s1", delete_volumes=True)
    assert [request.query for request in server.requests] == ["delete_volumes=false", "delete_volumes=true"]


def test_bulk_envs_is_one_patch_and_retried_as_idempotent(server):
    server.enqueue(method="PATCH", status=503, body={"message": "busy"})
    server.enqueue(method="PATCH", status=201, body=[{"key": "A"}])
    coolify = client(server)
    coolify.http.sleep = lambda _seconds: None
    assert coolify.bulk_envs("service", "s1", [{"key": "A", "value": "1"}]) == [{"key": "A"}]
    assert [(r.method, r.path) for r in server.requests] == [("PATCH", "/api/v1/services/s1/envs/bulk")] * 2
    assert body_of(server.requests[1]) == {"data": [{"key": "A", "value": "1"}]}


def test_check_mode_refuses_writes_but_allows_the_ability_probes(server):
    coolify = client(server, check_mode=True)
    with pytest.raises(CheckModeViolation):
        coolify.create_project("site")
    # The two probes go at once: each answer is the one for its method.
    server.enqueue(method="PATCH", status=404, body={"message": "Project not found."})
    server.enqueue(method="POST", status=403, body={"message": "Missing required permissions: deploy"})
    assert coolify.missing_abilities(["write", "deploy"]) == ["deploy"]
    assert sorted((r.method, r.path) for r in server.requests) == [
        ("PATCH", "/api/v1/projects/fabrik-ability-probe"), ("POST", "/api/v1/services/fabrik-ability-probe/start")]


def test_probe_server_error_is_raised_not_taken_as_an_ability(server):
    server.enqueue(status=500, body={"message": "Server Error"})
    with pytest.raises(ApiError, match="HTTP 500"):
        client(server).missing_abilities(["write"])


def test_errors_carry_coolifys_message_and_never_the_token(server):
    server.enqueue(status=422, body={"message": "Validation failed.", "errors": {
        "docker_compose_raw": "The docker_compose_raw should be base64 encoded.", "token": [TOKEN]}})
    with pytest.raises(ApiError) as caught:
        client(server).call("POST", "/services", "create service", body={"x": 1})
    text = str(caught.value)
    assert "Coolify: create service failed: POST /services -> HTTP 422: Validation failed." in text
    assert "should be base64 encoded" in text and TOKEN not in text and "unit-test-coolify-secret" not in text


def test_b64_round_trip():
    text = "services:\n  web:\n    image: nginx:1.27 # ünïcode\n"
    assert base64.b64decode(_coolify.b64(text)).decode("utf-8") == text
