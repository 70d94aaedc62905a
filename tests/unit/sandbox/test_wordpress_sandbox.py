"""The sandbox's real WordPress (Debian's packages, PHP's built-in server, a private MariaDB).

One sandbox serves the module; tests that need an installed site get it through the ``site``
fixture, which installs again whenever an earlier test reset it, so the tests hold in any order.
Run with ``-s`` to see the measured start, reset and install times.
"""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.sandbox.wordpress import (
    DEBIAN13_DIR,
    VERSIONS,
    SandboxError,
    WordPressSandbox,
    default_theme,
    missing_requirements,
    selected_version,
    wordpress_release,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
ADMIN_USER = "admin"
ADMIN_PASSWORD = "sandbox-admin-password"
SITE_TITLE = "Fabrik Sandbox"

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
    sys.stdout.write("\n[wordpress sandbox] %s: %.2f s\n" % (what, seconds))


def _processes_of(state_dir):
    """Live (non-zombie) processes whose command line names ``state_dir``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state != "Z" and "%s/" % state_dir in cmdline:
            found.append(cmdline)
    return found


def _assert_uninstalled(wordpress):
    front = requests.get(wordpress.url + "/", allow_redirects=False, timeout=30)
    assert front.status_code == 302
    assert front.headers["Location"] == wordpress.url + "/wp-admin/install.php"
    installer = requests.get(wordpress.url + "/wp-admin/install.php", timeout=30)
    assert installer.status_code == 200
    assert '<form id="setup" method="post" action="install.php?step=2"' in installer.text
    assert not wordpress.is_installed()


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory):
    wordpress = WordPressSandbox(tmp_path_factory.mktemp("wordpress"), _free_port(), _free_port())
    started = time.monotonic()
    wordpress.start()
    _report("cold start (template database built, WordPress copied)", time.monotonic() - started)
    yield wordpress
    wordpress.stop()


@pytest.fixture
def sandbox(module_sandbox):
    """The module's sandbox, running (started again if a test stopped it)."""
    module_sandbox.start()
    return module_sandbox


@pytest.fixture(scope="module")
def credentials():
    return {}


@pytest.fixture
def site(sandbox, credentials):
    """The sandbox with WordPress installed; yields the admin's application password."""
    if not sandbox.is_installed():
        started = time.monotonic()
        sandbox.install(SITE_TITLE, ADMIN_USER, ADMIN_PASSWORD, "admin@example.com")
        credentials["app_password"] = sandbox.create_application_password(ADMIN_USER, ADMIN_PASSWORD, "tests")
        elapsed = time.monotonic() - started
        _report("install + application password", elapsed)
        assert elapsed < 30
    return credentials["app_password"]


def test_fresh_sandbox_is_not_installed(sandbox):
    sandbox.reset()
    _assert_uninstalled(sandbox)


def test_application_password_authenticates_an_administrator(sandbox, site):
    me = requests.get(
        sandbox.url + "/wp-json/wp/v2/users/me", params={"context": "edit"}, auth=(ADMIN_USER, site), timeout=30
    )
    assert me.status_code == 200
    assert me.json()["username"] == ADMIN_USER
    assert me.json()["roles"] == ["administrator"]

    wrong = requests.get(sandbox.url + "/wp-json/wp/v2/users/me", auth=(ADMIN_USER, "not-the-password"), timeout=30)
    assert wrong.status_code == 401


def test_install_refuses_an_installed_site(sandbox, site):
    with pytest.raises(SandboxError, match="already installed"):
        sandbox.install("Other", "other", "other-password", "other@example.com")


def test_settings_endpoint_returns_the_installed_title(sandbox, site):
    settings = requests.get(sandbox.url + "/wp-json/wp/v2/settings", auth=(ADMIN_USER, site), timeout=30)
    assert settings.status_code == 200
    assert settings.json()["title"] == SITE_TITLE

    anonymous = requests.get(sandbox.url + "/wp-json/wp/v2/settings", timeout=30)
    assert anonymous.status_code == 401


def test_router_serves_permalinks_static_files_and_admin(sandbox, site):
    index = requests.get(sandbox.url + "/wp-json/", timeout=30)
    assert index.status_code == 200
    assert index.json()["name"] == SITE_TITLE

    stylesheet = requests.get(sandbox.url + "/wp-includes/css/dashicons.min.css", timeout=30)
    assert stylesheet.status_code == 200
    assert stylesheet.headers["Content-Type"].startswith("text/css")
    assert stylesheet.content == (sandbox.docroot / "wp-includes/css/dashicons.min.css").read_bytes()

    # A dotted path that is no file reaches WordPress (its 404 page), not the built-in server's 404.
    missing = requests.get(sandbox.url + "/no-such-page.html", timeout=30)
    assert missing.status_code == 404
    assert "was not found on this server" not in missing.text
    assert SITE_TITLE in missing.text

    admin = requests.get(sandbox.url + "/wp-admin/", allow_redirects=False, timeout=30)
    assert admin.status_code == 302
    assert admin.headers["Location"].startswith(sandbox.url + "/wp-login.php?redirect_to=")


def test_mu_plugins_dir_loads_plugins(sandbox, site):
    plugin = sandbox.mu_plugins_dir / "sandbox-test-ping.php"
    plugin.write_text(
        "<?php\n"
        "add_action('rest_api_init', function () {\n"
        "    register_rest_route('sandbox-test/v1', '/ping', array(\n"
        "        'methods' => 'GET', 'permission_callback' => '__return_true',\n"
        "        'callback' => function () { return array('pong' => true); },\n"
        "    ));\n"
        "});\n"
    )
    try:
        ping = requests.get(sandbox.url + "/wp-json/sandbox-test/v1/ping", timeout=30)
    finally:
        plugin.unlink()
    assert ping.status_code == 200
    assert ping.json() == {"pong": True}


def test_reset_returns_to_an_uninstalled_pristine_site(sandbox, site):
    (sandbox.mu_plugins_dir / "leftover.php").write_text("<?php\n")
    (sandbox.docroot / "wp-content/plugins/leftover").mkdir()
    core_file = "wp-includes/version.php"
    with open(sandbox.docroot / core_file, "a") as changed:
        changed.write("// changed by a test\n")

    started = time.monotonic()
    sandbox.reset()
    elapsed = time.monotonic() - started
    _report("reset", elapsed)

    _assert_uninstalled(sandbox)
    assert list(sandbox.mu_plugins_dir.iterdir()) == []
    assert not (sandbox.docroot / "wp-content/plugins/leftover").exists()
    assert (sandbox.docroot / core_file).read_bytes() == (sandbox.source / core_file).read_bytes()
    assert elapsed < 15


def test_it_runs_the_selected_version_with_its_themes(sandbox, site):
    version = selected_version()
    assert sandbox.version == version and wordpress_release(sandbox.source).startswith(version + ".")
    front = requests.get(sandbox.url + "/", timeout=30).text
    assert '<meta name="generator" content="WordPress %s" />' % wordpress_release(sandbox.source) in front
    themes = requests.get(sandbox.url + "/wp-json/wp/v2/themes", params={"_fields": "stylesheet"},
                          auth=(ADMIN_USER, site), timeout=30).json()
    # the version's default theme, Twenty Twenty-Three on both, and a classic theme (Twenty Twenty-One)
    assert {default_theme(), "twentytwentythree", "twentytwentyone"} <= {theme["stylesheet"] for theme in themes}
    status = sandbox.info()
    assert (status["version"], status["wordpress_version"]) == (version, wordpress_release(sandbox.source))


def test_an_unknown_version_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FABRIK_WORDPRESS_VERSION", "5.0")
    with pytest.raises(SandboxError, match="FABRIK_WORDPRESS_VERSION=5.0: one of 6.1, 6.8 expected"):
        WordPressSandbox(tmp_path / "wordpress", _free_port(), _free_port())


@pytest.mark.skipif(any(missing_requirements(version) for version in VERSIONS), reason="both WordPress versions needed")
def test_a_state_directory_changes_version_only_when_stopped_and_starts_fresh(tmp_path):
    state = tmp_path / "wordpress"
    ports = {"port": _free_port(), "db_port": _free_port()}
    old = WordPressSandbox(state, version="6.1", **ports)
    old.start()
    try:
        old.install(SITE_TITLE, ADMIN_USER, ADMIN_PASSWORD, "admin@example.com")
        with pytest.raises(SandboxError, match="runs WordPress 6.1; stop it before starting 6.8"):
            WordPressSandbox(state, version="6.8", **ports).start()
    finally:
        old.stop()
    new = WordPressSandbox(state, version="6.8", **ports)
    new.start()
    try:
        _assert_uninstalled(new)
        assert (new.docroot / "wp-includes/version.php").read_bytes() == \
            (VERSIONS["6.8"][0] / "wp-includes/version.php").read_bytes()
    finally:
        new.stop()


@pytest.mark.skipif(missing_requirements("6.8"), reason="needs make wordpress-debian13")
def test_debian13_wordpress_is_cached_and_complete():
    """tools/wordpress-debian13 (make setup) does nothing once done; every link of the unpacked tree resolves."""
    started = time.monotonic()
    again = subprocess.run([str(REPO_ROOT / "tools" / "wordpress-debian13"), str(DEBIAN13_DIR)], capture_output=True,
                           text=True, check=False, timeout=60)
    assert again.returncode == 0, again.stderr
    assert "(Debian 13) is in %s" % (DEBIAN13_DIR / "root") in again.stdout
    assert time.monotonic() - started < 5  # no download, no apt
    manifest = dict(line.split(" ", 1) for line in (DEBIAN13_DIR / "manifest").read_text().splitlines())
    assert manifest["wordpress"].startswith("6.8.")
    assert {"wordpress-theme-twentytwentyfive", "libjs-lodash", "libjs-underscore", "libjs-cropper",
            "php-getid3"} <= set(manifest)
    tree = VERSIONS["6.8"][0]
    dangling = [str(link) for link in tree.rglob("*") if link.is_symlink() and not link.exists()
                and not str(link.readlink()).startswith("/etc/wordpress/")]
    assert dangling == []
    assert (tree / "wp-includes" / "js" / "dist" / "vendor" / "lodash.min.js").resolve().is_file()
    assert (tree / "wp-includes" / "ID3" / "getid3.php").resolve().is_file()


def test_start_is_idempotent(sandbox):
    groups = (sandbox.php.process_group(), sandbox.mariadb.process_group())
    sandbox.start()
    assert (sandbox.php.process_group(), sandbox.mariadb.process_group()) == groups
    assert sandbox.is_running()


def test_stop_leaves_no_process_behind(sandbox):
    assert len(_processes_of(sandbox.state_dir)) >= 2  # mariadbd, php and its workers

    sandbox.stop()

    assert _processes_of(sandbox.state_dir) == []
    assert not sandbox.is_running()
    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox.url + "/", timeout=5)


@pytest.mark.parametrize("busy", ["port", "db_port"])
def test_start_refuses_a_port_that_already_answers(tmp_path, busy):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        ports = {"port": _free_port(), "db_port": _free_port()}
        ports[busy] = listener.getsockname()[1]
        wordpress = WordPressSandbox(tmp_path / "wordpress", **ports)

        with pytest.raises(SandboxError, match="port %d on 127.0.0.1 already answers" % ports[busy]):
            wordpress.start()

    assert not wordpress.is_running()
    assert _processes_of(wordpress.state_dir) == []


def test_cli_status_reports_the_running_sandbox(sandbox):
    status = subprocess.run(
        [
            sys.executable, "-m", "tests.sandbox.wordpress", "status",
            "--dir", str(sandbox.state_dir), "--port", str(sandbox.port), "--db-port", str(sandbox.db_port),
        ],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60,
    )
    info = json.loads(status.stdout)
    assert info["running"] is True
    assert info["url"] == sandbox.url
    assert info["admin_url"] == sandbox.url + "/wp-admin/"
    assert info["mu_plugins_dir"] == str(sandbox.mu_plugins_dir)
    assert ADMIN_PASSWORD not in status.stdout
