"""The WordPress modules and the fabrik connector against the sandbox's real WordPress.

One sandbox serves the file. The install tests reset it to an un-installed site first; every other
test takes the ``site`` fixture, which installs WordPress, the connector and the test users when
the site lacks them, so the tests hold in any order. Modules run in-process; every request they send
is recorded (``requests_log``) to prove check mode and reruns write nothing.
"""

import hashlib
import json
import re
import shutil
import struct
import time
import zipfile
import zlib
from types import SimpleNamespace

import pytest
import requests

from ansible_collections.fabrik.deploy.plugins.modules import (
    wordpress_contact_form,
    wordpress_head,
    wordpress_info,
    wordpress_install,
    wordpress_media,
    wordpress_plugins,
    wordpress_settings,
    wordpress_theme,
    wordpress_users,
)
from tests.integration.modules.wordpress_harness import (
    ADMIN,
    ADMIN_PASSWORD,
    CONNECTOR,
    HTTP_TIMEOUT,
    install_connector,
    remove_connector,
    NEEDS_WORDPRESS,
    module_runner,
    new_sandbox,
    record_requests,
    writes,
)

EDITOR = "editor-ed"
EDITOR_PASSWORD = "sandbox-editor-password"
TITLE = "Fabrik Test Site"

pytestmark = NEEDS_WORDPRESS


def png(width, height, rgb):
    """A valid RGB PNG of one colour (different colours give different contents)."""
    rows = b"".join(b"\x00" + bytes(rgb) * width for _row in range(height))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def plugin_zip(path, slug, version="1.0"):
    """A minimal plugin zip: ``<slug>/<slug>.php`` with a plugin header."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("%s/%s.php" % (slug, slug), "<?php\n/**\n * Plugin Name: %s\n * Version: %s\n */\n"
                         % (slug.replace("-", " ").title(), version))
    return path


class Site:
    """The sandbox WordPress with its credentials and helpers for direct (non-module) checks."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.url = sandbox.url
        self.admin_app_password = None
        self.editor_app_password = None

    def ensure_installed(self):
        if self.sandbox.is_installed() and (self.sandbox.mu_plugins_dir / CONNECTOR.name).is_file():
            return
        if not self.sandbox.is_installed():
            self.sandbox.install(TITLE, ADMIN, ADMIN_PASSWORD, "admin@example.com")
        install_connector(self.sandbox.mu_plugins_dir)
        self.admin_app_password = self.sandbox.create_application_password(ADMIN, ADMIN_PASSWORD, "tests")
        editor = {"username": EDITOR, "email": "ed@example.com", "password": EDITOR_PASSWORD, "roles": ["editor"]}
        self.api("POST", "/wp/v2/users", json=editor)
        self.editor_app_password = self.sandbox.create_application_password(EDITOR, EDITOR_PASSWORD, "tests")

    def api(self, method, route, as_editor=False, anonymous=False, **kwargs):
        auth = None
        if not anonymous:
            auth = (EDITOR, self.editor_app_password) if as_editor else (ADMIN, self.admin_app_password)
        response = requests.request(method, self.url + "/wp-json" + route, auth=auth, timeout=HTTP_TIMEOUT, **kwargs)
        return response

    def json(self, method, route, **kwargs):
        response = self.api(method, route, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def front_page(self, path="/"):
        response = requests.get(self.url + path, timeout=HTTP_TIMEOUT)
        assert response.status_code == 200
        return response.text


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    wordpress = new_sandbox(tmp_path_factory)
    yield wordpress
    wordpress.stop()


@pytest.fixture(scope="module")
def shared_site(sandbox):
    return Site(sandbox)


@pytest.fixture
def site(shared_site):
    shared_site.sandbox.start()
    shared_site.ensure_installed()
    return shared_site


@pytest.fixture
def requests_log(monkeypatch):
    """Every (method, path) the modules' HTTP layer sends during the test."""
    return record_requests(monkeypatch, keep_query=False)


@pytest.fixture
def run(monkeypatch, shared_site, requests_log):
    """``run(module, check_mode=False, credentials=True, **args)`` -> the result (``failed`` set on failure)."""
    runner = module_runner(monkeypatch, lambda: {"url": shared_site.url},
                           lambda: (ADMIN_PASSWORD, shared_site.admin_app_password), log=requests_log)

    def run_module(module, check_mode=False, credentials=True, **args):
        if credentials:
            args = dict({"username": ADMIN, "app_password": shared_site.admin_app_password}, **args)
        return runner(module, check_mode=check_mode, **args)

    return run_module


# ------------------------------------------------------------------ install


def install_args(**extra):
    return dict(title=TITLE, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, admin_email="admin@example.com",
                **extra)


def app_password_authenticates(site, password):
    response = requests.get(site.url + "/wp-json/wp/v2/users/me", params={"context": "edit"},
                            auth=(ADMIN, password), timeout=HTTP_TIMEOUT)
    return response.status_code == 200 and response.json()["username"] == ADMIN


def test_install_flow_check_mode_install_and_idempotence(shared_site, run, requests_log):
    sandbox = shared_site.sandbox
    sandbox.reset()

    planned = run(wordpress_install, check_mode=True, credentials=False, **install_args())
    assert (planned["changed"], planned["installed"], planned["app_password_created"]) == (True, True, True)
    assert planned["ready"] is False  # a plan stops here: nothing after it can be read yet
    assert "app_password" not in planned
    assert writes(requests_log) == []
    assert not sandbox.is_installed()

    done = run(wordpress_install, credentials=False, **install_args())
    assert done["failed"] is False, done
    assert (done["changed"], done["installed"], done["app_password_created"], done["ready"]) == (True, True, True, True)
    assert sandbox.is_installed()
    assert app_password_authenticates(shared_site, done["app_password"])
    shared_site.admin_app_password = done["app_password"]

    again = run(wordpress_install, credentials=False, app_password=done["app_password"], **install_args())
    assert (again["changed"], again["installed"], again["app_password_created"]) == (False, False, False)
    assert again["ready"] is True
    assert "app_password" not in again
    assert writes(requests_log) == []


def test_without_an_app_password_to_keep_the_modules_log_in_and_reruns_change_nothing(shared_site, run, requests_log):
    """create_app_password=false (a job runner that keeps no file): no application password is made; the
    other modules log in with the administrator's password, and a rerun changes nothing."""
    sandbox = shared_site.sandbox
    sandbox.reset()
    args = install_args(create_app_password=False)
    planned = run(wordpress_install, check_mode=True, credentials=False, **args)
    assert (planned["changed"], planned["installed"], planned["app_password_created"], planned["ready"]) == \
        (True, True, False, False)
    assert writes(requests_log) == []
    done = run(wordpress_install, credentials=False, **args)
    assert (done["failed"], done["changed"], done["installed"], "app_password" in done) == (False, True, True, False)
    again = run(wordpress_install, credentials=False, **args)
    assert (again["changed"], writes(requests_log)) == (False, [])

    login = dict(username=ADMIN, password=ADMIN_PASSWORD)
    changed = run(wordpress_settings, credentials=False, title="Logged in", **login)
    assert (changed["failed"], changed["changed"]) == (False, True), changed
    assert ("POST", "/wp-login.php") in requests_log
    plan = run(wordpress_settings, check_mode=True, credentials=False, title="Logged in", **login)
    assert plan["changed"] is False
    # The login opens a session only: the one POST a check-mode run sends.
    assert writes(requests_log) == [("POST", "/wp-login.php")]

    refused = run(wordpress_install, credentials=False, app_password="not a working password", **args)
    assert (refused["failed"], refused["field"]) == (True, "app_password"), refused
    missing = run(wordpress_settings, credentials=False, username=ADMIN, title="Logged in")
    assert missing["failed"] is True and "WORDPRESS_PASSWORD" in missing["msg"]
    wrong = run(wordpress_settings, credentials=False, username=ADMIN, password="definitely-wrong-password")
    assert wrong["failed"] is True and "log in" in wrong["msg"]
    assert "definitely-wrong-password" not in json.dumps(wrong)


def test_an_install_a_concurrent_run_made_first_is_carried_on_from(shared_site, run, monkeypatch):
    """Both runs saw the installer; the other one's install went first, so ours fails (WordPress answers 500
    while its tables are being made, or shows "already installed"): the installer is gone, carry on."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
    from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import WordPressClient
    sandbox = shared_site.sandbox
    sandbox.reset()
    real_install = WordPressClient.install

    def install(client, *args, **kwargs):
        real_install(client, *args, **kwargs)  # the concurrent run's
        raise ApiError("WordPress", "install WordPress", "POST", "/wp-admin/install.php", status=500,
                       message="One or more database tables are unavailable.")

    monkeypatch.setattr(WordPressClient, "install", install)
    monkeypatch.setattr(wordpress_install, "time", SimpleNamespace(sleep=lambda _s: None, monotonic=time.monotonic))
    done = run(wordpress_install, credentials=False, **install_args(create_app_password=False))
    assert (done["failed"], done["installed"]) == (False, True), done
    assert "WordPress was installed meanwhile by a concurrent run" in " ".join(done["warnings"])
    assert sandbox.is_installed()


def test_a_read_while_a_concurrent_run_creates_the_tables_waits_for_that_install(shared_site, run, monkeypatch):
    """WordPress answers 500 ("One or more database tables are unavailable") while another run's install is
    making its tables: the read waits for that install, then carries on; a database that stays so fails."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
    from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import WordPressClient
    sandbox = shared_site.sandbox
    sandbox.reset()
    real_shown = WordPressClient.installer_shown
    reads = []

    def shown(client, broken_for=2):
        reads.append(1)
        if len(reads) <= broken_for:
            raise ApiError("WordPress", "read installer", "GET", "/wp-admin/install.php", status=500,
                           message="One or more database tables are unavailable. The database may need to be "
                                   "repaired.")
        return real_shown(client)

    monkeypatch.setattr(WordPressClient, "installer_shown", shown)
    monkeypatch.setattr(wordpress_install, "time", SimpleNamespace(sleep=lambda _seconds: None, monotonic=time.monotonic))
    done = run(wordpress_install, credentials=False, **install_args(create_app_password=False))
    assert (done["failed"], done["installed"]) == (False, True), done
    assert len(reads) >= 3 and "tables were being created" in " ".join(done["warnings"])

    sandbox.reset()
    reads.clear()
    monkeypatch.setattr(WordPressClient, "installer_shown", lambda client: shown(client, broken_for=10 ** 6))
    monkeypatch.setattr(wordpress_install, "TABLES_WAIT", 0)
    broken = run(wordpress_install, credentials=False, **install_args(create_app_password=False))
    assert broken["failed"] is True and broken["status"] == 500 and len(reads) == 1, broken


def test_logins_of_one_user_at_once_all_keep_their_session(site):
    """WordPress keeps a user's sessions in one user meta value that each login reads and writes back: of two
    logins at the same moment one session is lost, and wp-admin sends that login back to the form (reauth).
    Two runs of a site without an application password log in together: each such login is tried again."""
    import threading
    from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import WordPressClient
    outcomes = []

    def session():
        client = WordPressClient(site.url, username=ADMIN, password=ADMIN_PASSWORD)
        try:
            user = client.current_user()
            outcomes.append(user and user["username"])
        except Exception as err:  # pylint: disable=broad-exception-caught
            outcomes.append(str(err))

    for _round in range(3):
        threads = [threading.Thread(target=session) for _login in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes == [ADMIN] * 18, outcomes


def test_install_replaces_a_broken_app_password_of_the_same_name(site, run):
    first = run(wordpress_install, credentials=False, app_password_name="deploy", **install_args())
    assert first["changed"] is True and first["installed"] is False

    replaced = run(wordpress_install, credentials=False, app_password="not a working password",
                   app_password_name="deploy", **install_args())
    assert replaced["changed"] is True and replaced["app_password_created"] is True
    assert app_password_authenticates(site, replaced["app_password"])
    assert not app_password_authenticates(site, first["app_password"])
    names = [item["name"] for item in site.json("GET", "/wp/v2/users/me/application-passwords")]
    assert names.count("deploy") == 1


def test_install_with_a_wrong_admin_password_fails_without_leaking_it(site, run):
    result = run(wordpress_install, credentials=False,
                 **dict(install_args(), admin_password="definitely-wrong-password"))
    assert result["failed"] is True
    assert "log in failed" in result["msg"]
    assert "definitely-wrong-password" not in json.dumps(result)


# ------------------------------------------------------------ connector routes


CONNECTOR_ROUTES = [
    ("GET", "status", None),
    ("POST", "theme", {"stylesheet": "twentytwentythree"}),
    ("GET", "theme-mods", None),
    ("POST", "theme-mods", {"background_color": "ffffff"}),
    ("GET", "options", None),
    ("POST", "options", {"blog_public": True}),
    ("POST", "plugins/upload", None),
    ("GET", "plugins/sources?slugs=akismet", None),
    ("GET", "contact-form", None),
    ("POST", "contact-form", {"rate_limit": 1}),
]


@pytest.mark.parametrize("method, action, body", CONNECTOR_ROUTES)
def test_connector_routes_refuse_an_editor_and_anonymous_callers(site, method, action, body):
    route = "/fabrik/v1/" + action
    as_editor = site.api(method, route, as_editor=True, json=body)
    assert as_editor.status_code == 403, as_editor.text
    assert as_editor.json()["code"] == "rest_forbidden"
    assert site.api(method, route, anonymous=True, json=body).status_code == 401


def test_connector_status_describes_the_site(site):
    status = site.json("GET", "/fabrik/v1/status")
    assert status["connector_version"] == "1.1.0"
    assert status["missing_parts"] == []
    assert status["wordpress_version"].startswith("6.")
    assert {"stylesheet", "block_theme", "permalink_structure", "site_icon", "site_logo"} <= set(status)
    assert status["seo_plugin_active"] is False


@pytest.mark.parametrize("body, code", [
    ({"admin_email": "x@example.com"}, "fabrik_unknown_option"),
    ({"permalink_structure": "no-tag"}, "fabrik_invalid_option"),
    ({"page_on_front": 999999}, "fabrik_invalid_option"),
    ({"blog_public": "yes"}, "fabrik_invalid_option"),
    ({"fabrik_seo": {"keywords": "x"}}, "fabrik_invalid_option"),
    ({"fabrik_head_snippets": {"Bad Name": "<meta>"}}, "fabrik_invalid_option"),
])
def test_connector_options_validate_before_writing(site, body, code):
    before = site.json("GET", "/fabrik/v1/options")
    response = site.api("POST", "/fabrik/v1/options", json=dict(body, show_on_front="page"))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert site.json("GET", "/fabrik/v1/options") == before


def test_connector_theme_mods_accept_scalars_only(site):
    refused = site.api("POST", "/fabrik/v1/theme-mods", json={"nav_menu_locations": {"primary": 3}})
    assert refused.status_code == 400 and refused.json()["code"] == "fabrik_invalid_theme_mod"
    mods = site.json("POST", "/fabrik/v1/theme-mods", json={"fabrik_test_mod": "on", "fabrik_gone": None})
    assert mods["fabrik_test_mod"] == "on" and "fabrik_gone" not in mods
    assert "fabrik_test_mod" not in site.json("POST", "/fabrik/v1/theme-mods", json={"fabrik_test_mod": None})


def test_connector_theme_switch_refuses_unknown_themes(site):
    response = site.api("POST", "/fabrik/v1/theme", json={"stylesheet": "no-such-theme"})
    assert response.status_code == 404 and response.json()["code"] == "fabrik_theme_not_found"
    response = site.api("POST", "/fabrik/v1/theme", json={"stylesheet": "../etc"})
    assert response.status_code == 400


def test_connector_plugin_upload_refuses_bad_packages(site):
    not_zip = site.api("POST", "/fabrik/v1/plugins/upload", data=b"hello", headers={"Content-Type": "application/zip"})
    assert not_zip.status_code == 400 and not_zip.json()["code"] == "fabrik_invalid_zip"
    file_url = site.api("POST", "/fabrik/v1/plugins/upload", params={"url": "file:///etc/passwd"})
    assert file_url.status_code == 400 and file_url.json()["code"] == "fabrik_invalid_url"


def test_media_lookup_by_hash_finds_only_matching_attachments(site):
    assert site.json("GET", "/wp/v2/media", params={"fabrik_sha256": "0" * 64}) == []


# ---------------------------------------------------------------- settings


def test_settings_apply_once_and_rerun_is_a_no_op(site, run, requests_log):
    for slug in ("home", "blog"):
        if not site.json("GET", "/wp/v2/pages", params={"slug": slug}):
            site.json("POST", "/wp/v2/pages", json={"title": slug.title(), "slug": slug, "status": "publish"})
    wanted = dict(title="Renamed & Co", tagline="Built by fabrik", timezone="Europe/Paris", date_format="Y-m-d",
                  start_of_week=1, posts_per_page=7, front_page="home", posts_page="blog",
                  permalink_structure="/%postname%/", search_engine_visibility=True)

    planned = run(wordpress_settings, check_mode=True, **wanted)
    assert planned["changed"] is True
    assert writes(requests_log) == []
    assert site.json("GET", "/wp/v2/settings")["title"] != "Renamed &amp; Co"

    done = run(wordpress_settings, **wanted)
    assert done["changed"] is True
    assert writes(requests_log) == [("POST", "/wp-json/wp/v2/settings"), ("POST", "/wp-json/fabrik/v1/options")]
    settings = site.json("GET", "/wp/v2/settings")
    home_id = site.json("GET", "/wp/v2/pages", params={"slug": "home"})[0]["id"]
    assert (settings["title"], settings["description"], settings["timezone"]) == \
        ("Renamed &amp; Co", "Built by fabrik", "Europe/Paris")
    assert (settings["show_on_front"], settings["page_on_front"]) == ("page", home_id)
    assert done["settings"]["page_on_front"] == home_id
    assert done["diff"]["before"]["title"] != done["diff"]["after"]["title"]
    # pretty permalinks work at once (rewrite rules flushed)
    assert requests.get(site.url + "/blog/", timeout=HTTP_TIMEOUT).status_code == 200

    again = run(wordpress_settings, **wanted)
    assert again["changed"] is False
    assert writes(requests_log) == []


def test_settings_refuse_an_unknown_front_page_before_writing(site, run, requests_log):
    result = run(wordpress_settings, title="Whatever", front_page="no-such-page")
    assert result["failed"] is True and result["msg"].startswith("front_page: no page with slug")
    assert writes(requests_log) == []


def test_missing_connector_is_reported_clearly(site, run):
    remove_connector(site.sandbox.mu_plugins_dir)
    try:
        result = run(wordpress_settings, permalink_structure="/%postname%/")
    finally:
        install_connector(site.sandbox.mu_plugins_dir)
    assert result["failed"] is True
    assert "fabrik connector is not installed" in result["msg"]


def test_a_connector_without_its_parts_is_reported_clearly_and_the_site_still_works(site, run):
    """Only the main file copied (an old habit): the site keeps working, the modules say what is missing."""
    parts = site.sandbox.mu_plugins_dir / CONNECTOR.stem
    aside = site.sandbox.mu_plugins_dir.parent / "fabrik-connector-parts-aside"
    parts.rename(aside)
    try:
        status = site.json("GET", "/fabrik/v1/status")
        front = requests.get(site.url + "/", timeout=HTTP_TIMEOUT)
        result = run(wordpress_contact_form, recipient="office@example.com")
    finally:
        aside.rename(parts)
    assert status["missing_parts"] == ["plugin-sources", "contact-form-texts", "submissions", "contact-form"]
    assert front.status_code == 200
    assert result["failed"] is True
    assert "the fabrik connector is incomplete: wp-content/mu-plugins/fabrik-connector/ lacks plugin-sources.php" \
        in result["msg"]


# ------------------------------------------------------------------- theme

BRAND = {
    "palette": [{"slug": "primary", "color": "#0a6cff"}, {"slug": "brand-dark", "name": "Brand dark", "color": "#10243e"}],
    "font_families": [{"slug": "body", "name": "Body", "font_family": "Georgia, serif"}],
}


def test_block_theme_activation_and_global_styles(site, run, requests_log):
    site.json("POST", "/fabrik/v1/theme", json={"stylesheet": "twentytwentyone"})
    planned = run(wordpress_theme, check_mode=True, stylesheet="twentytwentythree", styles=BRAND)
    assert planned["changed"] is True and planned["stylesheet"] == "twentytwentythree"
    assert writes(requests_log) == []
    assert site.json("GET", "/fabrik/v1/status")["stylesheet"] == "twentytwentyone"

    site.json("POST", "/fabrik/v1/theme", json={"stylesheet": "twentytwentythree"})
    styles_id = wordpress_theme_user_styles_id(site)
    # a global style the module does not manage must survive
    site.json("POST", "/wp/v2/global-styles/%d" % styles_id,
              json={"settings": {"layout": {"contentSize": "700px"}}, "styles": {"color": {"text": "#111111"}}})
    site.json("POST", "/fabrik/v1/theme", json={"stylesheet": "twentytwentyone"})

    done = run(wordpress_theme, stylesheet="twentytwentythree", styles=BRAND)
    assert done["failed"] is False, done
    assert (done["changed"], done["stylesheet"], done["block_theme"]) == (True, "twentytwentythree", True)
    palette = {entry["slug"]: entry for entry in done["styles"]["palette"]}
    assert palette["primary"] == {"slug": "primary", "name": "Primary", "color": "#0a6cff"}
    assert palette["brand-dark"]["color"] == "#10243e"
    assert palette["contrast"]["color"] == "#000000"  # the theme's other colours are kept
    stored = site.json("GET", "/wp/v2/global-styles/%d" % styles_id, params={"context": "edit"})
    assert stored["settings"]["layout"] == {"contentSize": "700px"}
    assert stored["styles"] == {"color": {"text": "#111111"}}
    html = site.front_page()
    assert "--wp--preset--color--primary: #0a6cff" in html
    assert "--wp--preset--font-family--body: Georgia, serif" in html

    again = run(wordpress_theme, stylesheet="twentytwentythree", styles=BRAND)
    assert again["changed"] is False
    assert writes(requests_log) == []


def wordpress_theme_user_styles_id(site):
    active = site.json("GET", "/wp/v2/themes", params={"status": "active"})[0]
    return int(active["_links"]["wp:user-global-styles"][0]["href"].rsplit("/", 1)[-1])


def test_classic_theme_mods_and_styles_refused(site, run, requests_log):
    mods = {"background_color": "f4f1ea", "respect_user_color_preference": False}
    done = run(wordpress_theme, stylesheet="twentytwentyone", theme_mods=mods)
    assert done["failed"] is False, done
    assert done["changed"] is True and done["block_theme"] is False
    assert done["diff"]["after"]["theme_mods"] == mods
    stored = site.json("GET", "/fabrik/v1/theme-mods")
    assert (stored["background_color"], stored["respect_user_color_preference"]) == ("f4f1ea", False)
    assert "background-color: #f4f1ea" in site.front_page()

    again = run(wordpress_theme, stylesheet="twentytwentyone", theme_mods=mods)
    assert again["changed"] is False and writes(requests_log) == []

    refused = run(wordpress_theme, stylesheet="twentytwentyone", styles=BRAND)
    assert refused["failed"] is True and "classic theme" in refused["msg"]


def test_theme_input_errors_name_the_field(site, run, requests_log):
    result = run(wordpress_theme, styles={"palette": [{"slug": "primary", "color": "blue"}]})
    assert result["failed"] is True and result["msg"].startswith("styles.palette[0].color")
    assert requests_log == []


# ----------------------------------------------------------------- plugins


def plugin_status(site, slug):
    for plugin in site.json("GET", "/wp/v2/plugins"):
        if plugin["plugin"].split("/")[0] == slug:
            return plugin["status"]
    return "absent"


def test_plugin_zip_install_activate_deactivate_remove(site, run, requests_log, tmp_path):
    src = str(plugin_zip(tmp_path / "fabrik-probe.zip", "fabrik-probe"))
    wanted = [{"slug": "fabrik-probe", "src": src}]

    planned = run(wordpress_plugins, check_mode=True, plugins=wanted)
    assert planned["changed"] is True
    assert planned["plugins"] == [{"slug": "fabrik-probe", "plugin": None, "status": "active"}]
    assert writes(requests_log) == [] and plugin_status(site, "fabrik-probe") == "absent"

    done = run(wordpress_plugins, plugins=wanted)
    assert done["failed"] is False, done
    assert done["plugins"] == [{"slug": "fabrik-probe", "plugin": "fabrik-probe/fabrik-probe", "status": "active"}]
    assert plugin_status(site, "fabrik-probe") == "active"

    assert run(wordpress_plugins, plugins=wanted)["changed"] is False
    assert writes(requests_log) == []

    deactivated = run(wordpress_plugins, plugins=[{"slug": "fabrik-probe", "state": "inactive"}])
    assert deactivated["changed"] is True and plugin_status(site, "fabrik-probe") == "inactive"
    site.json("PUT", "/wp/v2/plugins/fabrik-probe/fabrik-probe", json={"status": "active"})

    removed = run(wordpress_plugins, plugins=[{"slug": "fabrik-probe", "state": "absent"}])
    assert removed["changed"] is True
    assert removed["diff"]["before"]["fabrik-probe"]["status"] == "active"
    assert removed["plugins"] == [{"slug": "fabrik-probe", "plugin": None, "status": "absent"}]
    assert plugin_status(site, "fabrik-probe") == "absent"
    assert run(wordpress_plugins, plugins=[{"slug": "fabrik-probe", "state": "absent"}])["changed"] is False


def test_plugin_install_from_a_url_the_site_serves(site, run, tmp_path):
    # WordPress downloads only from allowed hosts and ports: its own address qualifies.
    plugin_zip(site.sandbox.docroot / "wp-content" / "uploads" / "fabrik-remote.zip", "fabrik-remote")
    url = site.url + "/wp-content/uploads/fabrik-remote.zip"
    done = run(wordpress_plugins, plugins=[{"name": "fabrik-remote", "src": url, "state": "present"}])
    assert done["failed"] is False, done
    assert done["plugins"][0]["status"] == "inactive"
    assert plugin_status(site, "fabrik-remote") == "inactive"
    run(wordpress_plugins, plugins=[{"slug": "fabrik-remote", "state": "absent"}])


def test_plugin_zip_of_another_slug_fails(site, run, tmp_path):
    src = str(plugin_zip(tmp_path / "other.zip", "fabrik-other"))
    result = run(wordpress_plugins, plugins=[{"slug": "fabrik-expected", "src": src}])
    assert result["failed"] is True and "fabrik-other" in result["msg"]
    run(wordpress_plugins, plugins=[{"slug": "fabrik-other", "state": "absent"}])


def test_plugin_src_must_be_a_zip_on_the_controller(site, run, requests_log, tmp_path):
    (tmp_path / "notes.txt").write_text("not a zip")
    result = run(wordpress_plugins, plugins=[{"slug": "x", "src": str(tmp_path / "notes.txt")}])
    assert result["failed"] is True and result["msg"].startswith("plugins[0].src: a zip file expected")
    assert requests_log == []


# ------------------------------------------------------------------- media


def test_media_upload_dedup_by_content_and_site_logo_icon(site, run, requests_log, tmp_path):
    logo, icon = tmp_path / "logo.png", tmp_path / "icon.png"
    logo.write_bytes(png(40, 20, (10, 108, 255)))
    icon.write_bytes(png(16, 16, (16, 36, 62)))
    wanted = [{"path": str(logo), "title": "Logo", "alt_text": "Fabrik", "role": "logo"},
              {"path": str(icon), "name": "icon", "role": "site_icon"}]

    planned = run(wordpress_media, check_mode=True, media=wanted)
    assert planned["changed"] is True and planned["ids"] == {"logo.png": None, "icon": None}
    assert writes(requests_log) == []

    done = run(wordpress_media, media=wanted)
    assert done["failed"] is False, done
    ids = done["ids"]
    assert writes(requests_log) == [("POST", "/wp-json/wp/v2/media"), ("POST", "/wp-json/wp/v2/media"),
                                    ("POST", "/wp-json/wp/v2/settings")]
    assert done["site"] == {"site_logo": ids["logo.png"], "site_icon": ids["icon"]}
    attachment = site.json("GET", "/wp/v2/media/%d" % ids["logo.png"], params={"context": "edit"})
    assert attachment["alt_text"] == "Fabrik" and attachment["title"]["raw"] == "Logo"
    assert attachment["meta"]["fabrik_sha256"] == done["media"][0]["sha256"]
    assert site.json("GET", "/fabrik/v1/status")["custom_logo"] == ids["logo.png"]

    # the same content under another name is not uploaded again; only the changed title is written
    renamed = tmp_path / "brand-logo.png"
    shutil.copy(logo, renamed)
    wanted[0] = dict(wanted[0], path=str(renamed), title="Brand logo")
    again = run(wordpress_media, media=wanted)
    assert again["changed"] is True
    assert again["ids"] == {"brand-logo.png": ids["logo.png"], "icon": ids["icon"]}
    assert writes(requests_log) == [("POST", "/wp-json/wp/v2/media/%d" % ids["logo.png"])]

    assert run(wordpress_media, media=wanted)["changed"] is False
    assert writes(requests_log) == []


def test_media_refuses_duplicate_content(site, run, requests_log, tmp_path):
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(png(2, 2, (1, 2, 3)))
    second.write_bytes(first.read_bytes())
    result = run(wordpress_media, media=[{"path": str(first)}, {"path": str(second)}])
    assert result["failed"] is True and result["msg"] == "media[1].path: same content as media[0]"
    assert requests_log == []


def media_with_hash(site, sha256):
    return [(item["id"], item["meta"]["fabrik_sha256"])
            for item in site.json("GET", "/wp/v2/media", params={"fabrik_sha256": sha256, "context": "edit"})]


def test_media_uploaded_meanwhile_by_a_concurrent_run_is_kept_and_ours_deleted(site, run, monkeypatch, tmp_path):
    """Both runs found no attachment for the file; the other one's upload went first: both keep the oldest."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_api import WordPressApi
    original = WordPressApi.upload_media
    theirs = []

    def upload_media(api, *args, **params):
        if not theirs:
            theirs.append(original(api, *args, **params))
        return original(api, *args, **params)

    monkeypatch.setattr(WordPressApi, "upload_media", upload_media)
    icon = tmp_path / "race-icon.png"
    icon.write_bytes(png(32, 32, (200, 30, 30)))
    wanted = [{"path": str(icon), "title": "Race icon", "role": "site_icon"}]
    result = run(wordpress_media, media=wanted)
    assert result["failed"] is False, result.get("msg")
    assert result["ids"] == {"race-icon.png": theirs[0]["id"]} and result["site"]["site_icon"] == theirs[0]["id"]
    assert "race-icon.png was uploaded twice" in " ".join(result["warnings"])
    assert media_with_hash(site, result["media"][0]["sha256"]) == [(theirs[0]["id"], result["media"][0]["sha256"])]
    monkeypatch.setattr(WordPressApi, "upload_media", original)
    assert run(wordpress_media, media=wanted)["changed"] is False


def test_media_uploaded_twice_before_is_settled_on_the_oldest(site, run, requests_log, tmp_path):
    """Copies left by runs at once (or by a release without the settling): check mode only warns; a run deletes
    the newer copies, so every controller finds the same attachment."""
    content = png(24, 24, (30, 200, 30))
    picture = tmp_path / "twice.png"
    picture.write_bytes(content)
    sha256 = hashlib.sha256(content).hexdigest()
    copies = [site.json("POST", "/wp/v2/media", params={"meta[fabrik_sha256]": sha256}, data=content,
                        headers={"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="twice.png"'})
              for _copy in range(2)]
    oldest = min(copy["id"] for copy in copies)
    wanted = [{"path": str(picture)}]
    planned = run(wordpress_media, check_mode=True, media=wanted)
    assert planned["ids"] == {"twice.png": oldest} and writes(requests_log) == []
    assert "a run would delete %d" % max(copy["id"] for copy in copies) in " ".join(planned["warnings"])
    done = run(wordpress_media, media=wanted)
    assert done["ids"] == {"twice.png": oldest}
    assert writes(requests_log) == [("DELETE", "/wp-json/wp/v2/media/%d" % max(copy["id"] for copy in copies))]
    assert media_with_hash(site, sha256) == [(oldest, sha256)]
    assert run(wordpress_media, media=wanted)["changed"] is False


# ------------------------------------------------------------------- users


def can_log_in(site, username, password):
    session = requests.Session()
    session.cookies.set("wordpress_test_cookie", "WP Cookie check")
    session.post(site.url + "/wp-login.php", data={"log": username, "pwd": password, "testcookie": "1"},
                 allow_redirects=False, timeout=HTTP_TIMEOUT)
    return any(name.startswith("wordpress_logged_in_") for name in session.cookies.keys())


def test_users_create_update_remove(site, run, requests_log):
    wanted = [{"username": "marie", "email": "marie@example.com", "display_name": "Marie", "password": "s3cret-Pass!"}]
    planned = run(wordpress_users, check_mode=True, users=wanted)
    assert planned["changed"] is True and writes(requests_log) == []

    done = run(wordpress_users, users=wanted)
    assert done["failed"] is False, done
    assert done["users"][0]["role"] == "editor" and done["users"][0]["id"]
    assert "s3cret-Pass!" not in json.dumps(done)
    assert can_log_in(site, "marie", "s3cret-Pass!")

    assert run(wordpress_users, users=wanted)["changed"] is False and writes(requests_log) == []

    updated = run(wordpress_users, users=[dict(wanted[0], display_name="Marie C.", role="author")])
    assert updated["changed"] is True
    assert (updated["users"][0]["display_name"], updated["users"][0]["role"]) == ("Marie C.", "author")

    removed = run(wordpress_users, users=[{"username": "marie", "state": "absent"}])
    assert removed["changed"] is True and removed["users"][0]["state"] == "absent"
    assert all(user["username"] != "marie" for user in site.json("GET", "/wp/v2/users", params={"context": "edit"}))


def test_users_refuse_to_delete_the_api_user(site, run):
    result = run(wordpress_users, users=[{"username": ADMIN, "state": "absent"}])
    assert result["failed"] is True and "refusing to delete the API user" in result["msg"]


# -------------------------------------------------------------------- head


def test_head_snippets_and_seo_printed_once(site, run, requests_log):
    wanted = dict(ga4_id="G-TEST12345", verification={"google": "abc123_XYZ"},
                  snippets={"consent": "<meta name=\"fabrik-consent\" content=\"granted\" />"},
                  seo={"title_template": "{title} | {site}", "description": "Fabrik builds sites."})
    planned = run(wordpress_head, check_mode=True, **wanted)
    assert planned["changed"] is True and writes(requests_log) == []

    done = run(wordpress_head, **wanted)
    assert done["failed"] is False, done
    assert sorted(done["snippets"]) == ["consent", "ga4", "verify-google"]

    html = site.front_page()
    assert html.count("googletagmanager.com/gtag/js?id=G-TEST12345") == 1
    assert html.count('<meta name="google-site-verification" content="abc123_XYZ" />') == 1
    assert html.count('name="fabrik-consent"') == 1
    assert html.count('<meta name="description" content="Fabrik builds sites." />') == 1
    page = site.json("POST", "/wp/v2/pages", json={"title": "About us", "status": "publish"})
    about = requests.get(page["link"], timeout=HTTP_TIMEOUT).text
    site_name = site.json("GET", "/wp/v2/settings")["title"]
    assert re.search(r"<title>About us \| %s</title>" % re.escape(site_name), about)

    assert run(wordpress_head, **wanted)["changed"] is False and writes(requests_log) == []

    removed = run(wordpress_head, seo={})
    assert removed["changed"] is True and removed["snippets"] == {} and removed["seo"] == {}
    assert "googletagmanager" not in site.front_page()


@pytest.mark.parametrize("args, message", [
    ({"ga4_id": "UA-1234-1"}, "ga4_id: a GA4 measurement id"),
    ({"gtm_id": "GTM-"}, "gtm_id: a Tag Manager container id"),
    ({"verification": {"altavista": "abcd"}}, "verification.altavista: one of"),
    ({"snippets": {"ga4": "<meta>"}, "ga4_id": "G-ABCD1234"}, "snippets.ga4: this name is reserved"),
])
def test_head_input_errors_before_any_request(site, run, requests_log, args, message):
    result = run(wordpress_head, **args)
    assert result["failed"] is True and result["msg"].startswith(message)
    assert requests_log == []


# -------------------------------------------------------------------- info


def test_info_reports_site_theme_plugins_and_connector(site, run, requests_log):
    result = run(wordpress_info)
    assert result["failed"] is False and result["changed"] is False
    assert (result["installed"], result["authenticated"]) == (True, True)
    assert result["version"].startswith("6.")
    assert result["theme"]["stylesheet"] == result["connector"]["stylesheet"]
    assert "akismet/akismet" in [plugin["plugin"] for plugin in result["plugins"]]
    assert writes(requests_log) == []

    anonymous = run(wordpress_info, credentials=False)
    assert (anonymous["installed"], anonymous["authenticated"]) == (True, False)
    assert "plugins" not in anonymous


def test_modules_need_credentials(site, run, requests_log):
    result = run(wordpress_settings, credentials=False, title="x")
    assert result["failed"] is True and result["msg"].startswith("username: required")
    assert requests_log == []


def test_connector_raised_no_php_warning(site):
    """Runs last: whatever the tests above made the connector do logged no PHP warning or notice."""
    log = site.sandbox.php.log_file.read_text(errors="replace")
    assert [line for line in log.splitlines() if "fabrik-connector.php" in line] == []
