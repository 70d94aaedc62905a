"""The fabrik.deploy.coolify inventory plugin through ``ansible-inventory`` against the in-process emulator."""

import base64
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

emulator_module = pytest.importorskip("tests.sandbox.coolify")
from tests.sandbox.base import SharedState  # noqa: E402 - after the optional-emulator skip
from tests.sandbox.framework import SandboxApp, serve  # noqa: E402

# The folder holding ansible_collections/ as this test imported the collection: the checkout's collections/,
# or the copy ansible-test units runs in.
COLLECTIONS_ROOT = Path(importlib.import_module("ansible_collections.fabrik.deploy.plugins.inventory.coolify")
                        .__file__).parents[5]
ROOT = emulator_module.ROOT_TOKEN
COMPOSE = "services:\n  web:\n    image: nginx:1.27-alpine\n"


@pytest.fixture(scope="module")
def served():
    app = SandboxApp(emulator_module.CoolifyEmulator(SharedState()))
    server = serve(app)
    yield "http://127.0.0.1:%d" % server.server_port
    app.close()
    server.shutdown()


@pytest.fixture
def coolify(served):
    requests.post(served + "/_sandbox/reset", timeout=10).raise_for_status()
    yield served
    assert requests.get(served + "/_sandbox/violations", timeout=10).json() == []


def call(root, method, path, **kwargs):
    response = requests.request(method, root + "/api/v1" + path, headers={"Authorization": "Bearer " + ROOT},
                                timeout=10, **kwargs)
    response.raise_for_status()
    return response.json()


def seed(root):
    """Project ``shop`` with a service (two domains) in production and an application in staging."""
    project = call(root, "POST", "/projects", json={"name": "shop"})["uuid"]
    call(root, "POST", "/projects/%s/environments" % project, json={"name": "staging"})
    placement = {"project_uuid": project, "server_uuid": emulator_module.SERVER_UUID}
    service = call(root, "POST", "/services", json=dict(
        placement, name="site", environment_name="production", docker_compose_raw=base64.b64encode(COMPOSE.encode()).decode(),
        urls=[{"name": "web", "url": "https://shop.test,https://www.shop.test"}]))["uuid"]
    application = call(root, "POST", "/applications/dockerimage", json=dict(
        placement, name="api", environment_name="staging", docker_registry_image_name="ghcr.io/shop/api",
        docker_registry_image_tag="1.0.0", ports_exposes="8000", domains="https://api.shop.test"))["uuid"]
    return project, service, application


def inventory(root, tmp_path, token=ROOT, extra=""):
    source = tmp_path / "coolify.yml"
    source.write_text("plugin: fabrik.deploy.coolify\napi_url: %s\n%s" % (root, extra))
    env = dict(os.environ, COOLIFY_API_TOKEN=token, ANSIBLE_INVENTORY_ENABLED="fabrik.deploy.coolify",
               ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT), ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    binary = Path(sys.executable).parent / "ansible-inventory"
    return subprocess.run([str(binary), "-i", str(source), "--list"], capture_output=True, text=True, env=env,
                          timeout=120, cwd=str(tmp_path), check=False)


def plain(value):
    """The JSON without ansible-inventory's markers of untrusted strings (API data is never templated)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def listed(result):
    assert result.returncode == 0, result.stderr
    return plain(json.loads(result.stdout))


def test_hosts_groups_and_variables(coolify, tmp_path):
    project, service, application = seed(coolify)
    data = listed(inventory(coolify, tmp_path, extra="keyed_groups:\n  - key: coolify_kind\n    prefix: kind\n"))
    hostvars = data["_meta"]["hostvars"]
    assert set(hostvars) == {"site", "api"}
    assert hostvars["site"]["coolify_uuid"] == service and hostvars["site"]["coolify_kind"] == "service"
    assert hostvars["site"]["coolify_fqdns"] == ["https://shop.test", "https://www.shop.test"]
    assert hostvars["site"]["coolify_project_uuid"] == project
    assert hostvars["api"]["coolify_uuid"] == application and hostvars["api"]["coolify_environment"] == "staging"
    assert hostvars["api"]["coolify_fqdns"] == ["https://api.shop.test"]
    assert sorted(data["coolify_project_shop"]["hosts"]) == ["api", "site"]
    assert data["coolify_env_shop_staging"]["hosts"] == ["api"]
    assert data["coolify_env_shop_production"]["hosts"] == ["site"]
    assert data["coolify_services"]["hosts"] == ["site"] and data["coolify_applications"]["hosts"] == ["api"]
    assert data["kind_service"]["hosts"] == ["site"]


def test_duplicate_names_get_the_uuid(coolify, tmp_path):
    project, _service, _application = seed(coolify)
    second = call(coolify, "POST", "/services", json={
        "project_uuid": project, "server_uuid": emulator_module.SERVER_UUID, "environment_name": "staging",
        "name": "site", "docker_compose_raw": base64.b64encode(COMPOSE.encode()).decode()})["uuid"]
    hosts = set(listed(inventory(coolify, tmp_path))["_meta"]["hostvars"])
    assert hosts == {"site", "site_%s" % second, "api"}


def test_cache_serves_the_second_run_without_requests(coolify, tmp_path):
    seed(coolify)
    cache = "cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\ncache_timeout: 600\n" % (
        tmp_path / "cache")
    first = listed(inventory(coolify, tmp_path, extra=cache))
    requests.delete(coolify + "/_sandbox/requests", timeout=10)
    second = listed(inventory(coolify, tmp_path, extra=cache))
    assert second["_meta"]["hostvars"] == first["_meta"]["hostvars"]
    assert requests.get(coolify + "/_sandbox/requests", timeout=10).json() == []


def test_bad_token_is_a_clear_error_without_the_token(coolify, tmp_path):
    result = inventory(coolify, tmp_path, token="9|wrong-token-value")
    assert result.returncode != 0
    assert "HTTP 401" in result.stderr and "wrong-token-value" not in result.stderr
