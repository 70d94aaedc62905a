"""Tenants of the sandbox WordPress: independent sites under ``/t/<tenant>/`` behind the control API.

One front (``tests/sandbox/wordpress_front.py``, with its real WordPress) serves the module,
next to a Coolify emulator and its edge sharing its state, as the launcher wires them.  Every
test starts from a reset; tenants are installed through WordPress's own installer form.
Run with ``-s`` to see the measured times.
"""

import base64
import http.client
import socket
import sys
import time

import pytest
import requests

from tests.sandbox.base import SharedState
from tests.sandbox.coolify import ROOT_TOKEN, SERVER_UUID, CoolifyEdge, CoolifyEmulator
from tests.sandbox.framework import SandboxApp, serve
from tests.sandbox.wordpress import missing_requirements, tenant_table_prefix
from tests.sandbox.wordpress_front import WordPressFront

ADMIN_USER = "admin"
PASSWORDS = {"alpha.test": "alpha-admin-password", "fleet-2.test": "fleet-2-admin-password"}
TENANTS = sorted(PASSWORDS)
WORDPRESS_COMPOSE = "services:\n  wordpress:\n    image: wordpress:6-apache\n    ports: ['80']\n"

pytestmark = pytest.mark.skipif(
    bool(missing_requirements()),
    reason="WordPress sandbox needs Debian packages (make setup installs them from bindep.txt); missing: %s"
    % ", ".join(missing_requirements()),
)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _report(what, seconds):
    sys.stdout.write("\n[wordpress tenants] %s: %.2f s\n" % (what, seconds))


def _png(marker):
    """Bytes WordPress accepts as a PNG upload (a 1x1 image), distinct per ``marker``."""
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    ) + marker.encode()


def _upload_headers(filename):
    return {"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="%s"' % filename}


class Box:
    """The served front, Coolify and its edge; helpers for the control API and the tenants' REST API."""

    def __init__(self, front, url, coolify_url, edge_url):
        self.front = front
        self.url = url
        self.coolify_url = coolify_url
        self.edge_url = edge_url
        self.app_passwords = {}

    def control(self, method, path, body=None):
        response = requests.request(method, "%s/_sandbox/%s" % (self.url, path), json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def site(self, tenant):
        return "%s/t/%s" % (self.url, tenant)

    def install(self, tenant, title=None):
        """The installer form (as fabrik.deploy.wordpress_install sends it), then an application password."""
        wordpress = self.front.wordpress
        wordpress.install(title or "Site " + tenant, ADMIN_USER, PASSWORDS[tenant], "admin@%s" % tenant, tenant=tenant)
        self.app_passwords[tenant] = wordpress.create_application_password(
            ADMIN_USER, PASSWORDS[tenant], "tests", tenant=tenant)

    def rest(self, method, tenant, route, password=None, **kwargs):
        auth = (ADMIN_USER, password or self.app_passwords[tenant])
        return requests.request(method, self.site(tenant) + "/wp-json" + route, auth=auth, timeout=60, **kwargs)

    def coolify(self, method, path, **kwargs):
        response = requests.request(method, self.coolify_url + "/api/v1" + path, timeout=10,
                                    headers={"Authorization": "Bearer " + ROOT_TOKEN}, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = _free_port()
    shared = SharedState()
    started = time.monotonic()
    front = WordPressFront(shared, port=port, db_port=_free_port(), state_dir=tmp_path_factory.mktemp("wordpress"))
    _report("cold start", time.monotonic() - started)
    coolify = CoolifyEmulator(shared, validate=False, queued_seconds=0.05, in_progress_seconds=0.05)
    coolify.use_wordpress("http://127.0.0.1:%d" % port)
    apps = [SandboxApp(front), SandboxApp(coolify)]
    servers = [serve(apps[0], port), serve(apps[1])]
    edge = CoolifyEdge(coolify)
    servers.append(serve(edge))
    yield Box(front, "http://127.0.0.1:%d" % port, "http://127.0.0.1:%d" % servers[1].server_port,
              "http://127.0.0.1:%d" % servers[2].server_port)
    for app in apps:
        app.close()
    edge.close()
    for server in servers:
        server.shutdown()
        server.server_close()
    front.wordpress.stop()


@pytest.fixture
def box(served):
    """The served sandbox after a reset (WordPress, tenants, faults, log and Coolify state)."""
    served.control("POST", "reset")
    requests.post(served.coolify_url + "/_sandbox/reset", timeout=10).raise_for_status()
    served.app_passwords.clear()
    return served


def _assert_uninstalled(site):
    front = requests.get(site + "/", allow_redirects=False, timeout=30)
    assert (front.status_code, front.headers.get("Location")) == (302, site + "/wp-admin/install.php")
    installer = requests.get(site + "/wp-admin/install.php", timeout=30)
    assert '<form id="setup" method="post" action="install.php?step=2"' in installer.text


def test_tenants_install_independently_and_keep_their_content_apart(box):
    for tenant in TENANTS:
        _assert_uninstalled(box.site(tenant))  # created by this first request, un-installed
    started = time.monotonic()
    box.install("alpha.test", title="Alpha")
    _report("tenant install + application password", time.monotonic() - started)
    _assert_uninstalled(box.site("fleet-2.test"))
    _assert_uninstalled(box.url)
    box.install("fleet-2.test", title="Fleet two")

    for tenant, title in (("alpha.test", "Alpha"), ("fleet-2.test", "Fleet two")):
        settings = box.rest("GET", tenant, "/wp/v2/settings")
        assert settings.status_code == 200, settings.text
        assert (settings.json()["title"], settings.json()["url"]) == (title, box.site(tenant))
        index = requests.get(box.site(tenant) + "/wp-json/", timeout=30).json()
        assert (index["name"], index["home"]) == (title, box.site(tenant))
    # Same user name, separate users tables: one tenant's application password means nothing to the other.
    foreign = box.rest("GET", "fleet-2.test", "/wp/v2/users/me", password=box.app_passwords["alpha.test"])
    assert foreign.status_code == 401

    created = box.rest("POST", "alpha.test", "/wp/v2/pages",
                       json={"slug": "only-in-alpha", "title": "Alpha only", "status": "publish"})
    assert created.status_code == 201, created.text
    assert created.json()["link"].startswith(box.site("alpha.test") + "/")
    page = requests.get(created.json()["link"], timeout=30)
    assert page.status_code == 200 and "Alpha only" in page.text
    for tenant, expected in (("alpha.test", ["only-in-alpha"]), ("fleet-2.test", [])):
        pages = box.rest("GET", tenant, "/wp/v2/pages", params={"slug": "only-in-alpha", "status": "publish,draft"})
        assert [item["slug"] for item in pages.json()] == expected, tenant
    assert box.rest("GET", "fleet-2.test", "/wp/v2/pages/%d" % created.json()["id"]).status_code == 404
    _assert_uninstalled(box.url)  # the default site saw none of it

    # Media: the same file name in both tenants, each in its own uploads directory, served under its prefix.
    sources = {}
    for tenant in TENANTS:
        uploaded = box.rest("POST", tenant, "/wp/v2/media", data=_png(tenant), headers=_upload_headers("logo.png"))
        assert uploaded.status_code == 201, uploaded.text
        sources[tenant] = uploaded.json()["source_url"]
        assert sources[tenant].startswith(box.site(tenant) + "/wp-content/tenants/%s/uploads/" % tenant)
        assert sources[tenant].endswith("/logo.png")
    for tenant, source in sources.items():
        served_file = requests.get(source, timeout=30)
        assert (served_file.status_code, served_file.headers["Content-Type"]) == (200, "image/png")
        assert served_file.content == _png(tenant)
    assert not any((box.front.wordpress.docroot / "wp-content" / "uploads").iterdir())

    # Plugins: each tenant has its own directory with the packaged plugins; the connector (mu-plugin) serves all.
    for tenant in TENANTS:
        plugins = box.rest("GET", tenant, "/wp/v2/plugins")
        assert [item["plugin"] for item in plugins.json()] == ["akismet/akismet"]
        status = box.rest("GET", tenant, "/fabrik/v1/status")
        assert status.status_code == 200 and status.json()["permalink_structure"], status.text

    state = box.control("GET", "state")
    assert [(item["name"], item["url"], item["table_prefix"]) for item in state["tenants"]] == [
        (tenant, box.site(tenant), tenant_table_prefix(tenant)) for tenant in TENANTS]


def test_static_files_and_scripts_under_a_tenant_prefix(box):
    site = box.site("alpha.test")
    stylesheet = requests.get(site + "/wp-includes/css/dashicons.min.css", timeout=30)
    assert stylesheet.status_code == 200
    assert stylesheet.headers["Content-Type"].startswith("text/css")
    assert stylesheet.content == (box.front.wordpress.docroot / "wp-includes/css/dashicons.min.css").read_bytes()
    bare = requests.get(site + "?p=1", allow_redirects=False, timeout=30)
    assert (bare.status_code, bare.headers["Location"]) == (301, "/t/alpha.test/?p=1")
    box.install("alpha.test")
    admin = requests.get(site + "/wp-admin/", allow_redirects=False, timeout=30)
    assert admin.status_code == 302
    assert admin.headers["Location"].startswith(site + "/wp-login.php?redirect_to=")
    missing = requests.get(site + "/no-such-page.html", timeout=30)
    assert missing.status_code == 404 and "Site alpha.test" in missing.text
    # A path climbing out of the tenant's prefix is refused by the router (sent as is, not normalised).
    connection = http.client.HTTPConnection("127.0.0.1", int(box.url.rsplit(":", 1)[1]), timeout=30)
    try:
        connection.request("GET", "/t/alpha.test/../../wp-config.php")
        climbing = connection.getresponse()
        assert (climbing.status, climbing.read()) == (404, b"sandbox: no such file\n")
    finally:
        connection.close()


@pytest.mark.parametrize("name", ["Upper.test", "a..b", "-a.test", "under_score.test", "a" * 64 + ".test", ""])
def test_invalid_tenant_names_are_refused(served, name):
    answer = requests.get("%s/t/%s/wp-json/" % (served.url, name), timeout=30)
    assert answer.status_code == 400
    assert "DNS-like name" in answer.text or "tenant name is required" in answer.text
    assert name not in [tenant["name"] for tenant in served.control("GET", "state")["tenants"]]
    last = served.control("GET", "requests")[-1]
    assert (last["path"], last["status"], "tenant" in last) == ("/t/%s/wp-json/" % name, 400, False)


def test_request_log_names_the_tenant_and_faults_and_latency_apply(box):
    requests.get(box.site("alpha.test") + "/wp-json/", allow_redirects=False, timeout=30)
    requests.get(box.url + "/wp-json/", allow_redirects=False, timeout=30)
    log = box.control("GET", "requests")
    assert [(entry["path"], entry.get("tenant")) for entry in log] == [
        ("/t/alpha.test/wp-json/", "alpha.test"), ("/wp-json/", None)]
    assert "tenant" not in log[1]

    box.control("POST", "faults", {"tenant": "fleet-2.test", "status": 503, "times": 1})
    box.control("POST", "faults", {"path": "/t/alpha.test/wp-admin/install.php", "status": 500, "times": 1})
    assert requests.get(box.site("alpha.test") + "/", allow_redirects=False, timeout=30).status_code == 302
    assert requests.get(box.site("fleet-2.test") + "/", allow_redirects=False, timeout=30).status_code == 503
    assert requests.get(box.site("alpha.test") + "/wp-admin/install.php", timeout=30).status_code == 500
    assert box.control("GET", "faults") == []
    fired = [(entry["path"], entry["tenant"], entry["fault"]) for entry in box.control("GET", "requests")
             if entry.get("fault")]
    assert fired == [("/t/fleet-2.test/", "fleet-2.test", "before"),
                     ("/t/alpha.test/wp-admin/install.php", "alpha.test", "before")]

    box.control("POST", "latency", {"ms": 300})
    started = time.monotonic()
    requests.get(box.site("alpha.test") + "/wp-includes/css/dashicons.min.css", timeout=30)
    assert time.monotonic() - started >= 0.3


def test_reset_drops_every_tenant(box):
    box.install("alpha.test")
    uploaded = box.rest("POST", "alpha.test", "/wp/v2/media", data=_png("alpha"), headers=_upload_headers("a.png"))
    assert uploaded.status_code == 201, uploaded.text
    requests.get(box.site("fleet-2.test") + "/", timeout=30)
    tenants_dir = box.front.wordpress.tenants_dir
    assert sorted(path.name for path in tenants_dir.iterdir()) == TENANTS

    started = time.monotonic()
    box.control("POST", "reset")
    elapsed = time.monotonic() - started
    _report("reset with two tenants", elapsed)
    assert elapsed < 15

    assert not tenants_dir.exists()
    assert box.control("GET", "state")["tenants"] == []
    assert box.control("GET", "requests") == []
    _assert_uninstalled(box.site("alpha.test"))  # its tables are gone: the installer again
    assert list((tenants_dir / "alpha.test" / "uploads").iterdir()) == []


def test_coolify_edge_proxies_a_host_to_its_tenant_once_it_exists(box):
    project = box.coolify("POST", "/projects", json={"name": "fleet"})["uuid"]
    service = box.coolify("POST", "/services", json={
        "project_uuid": project, "server_uuid": SERVER_UUID, "environment_name": "production",
        "docker_compose_raw": base64.b64encode(WORDPRESS_COMPOSE.encode()).decode(),
        "urls": [{"name": "wordpress", "url": "https://alpha.test"}]})["uuid"]
    box.coolify("POST", "/services/%s/start" % service)

    def edge_get(path="/"):
        return requests.get(box.edge_url + path, headers={"Host": "alpha.test"}, allow_redirects=False, timeout=30)

    deadline = time.monotonic() + 5
    while edge_get().status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.05)
    # No tenant yet: the default site answers (un-installed, so its installer).
    assert edge_get().headers["Location"] == box.url + "/wp-admin/install.php"
    assert box.control("GET", "state")["tenants"] == []

    requests.get(box.site("alpha.test") + "/", timeout=30)  # the tenant's first request creates it
    box.control("DELETE", "requests")
    answer = edge_get("/?x=1")
    assert (answer.status_code, answer.headers["Location"]) == (302, box.site("alpha.test") + "/wp-admin/install.php")
    assert [(entry["path"], entry["query"], entry.get("tenant")) for entry in box.control("GET", "requests")] == [
        ("/t/alpha.test/", {"x": "1"}, "alpha.test")]
