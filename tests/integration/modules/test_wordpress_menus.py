"""wordpress_menus runs in-process against a real sandbox WordPress 6.1: classic menus on Twenty
Twenty-One (theme locations), wp_navigation posts on Twenty Twenty-Three (block theme).

The active theme is forced by a must-use plugin filtering ``stylesheet``/``template``, so the tests
need nothing from other modules; pages are created once through the REST API.
"""

import functools

import pytest
import requests

from ansible_collections.fabrik.deploy.plugins.modules import wordpress_menus
from tests.integration.modules.wordpress_harness import (
    ADMIN,
    ADMIN_PASSWORD,
    NEEDS_WORDPRESS,
    module_runner,
    new_sandbox,
    record_requests,
    writes,
)

PAGES = (("home", "Home", None), ("about", "About us", None), ("team", "Team", "about"),
         ("contact", "Contact", None), ("terms", "Terms", None))
THEME_PLUGIN = """<?php
add_filter('stylesheet', function () { return '%(theme)s'; });
add_filter('template', function () { return '%(theme)s'; });
"""
HOSTILE = '<script>alert("menu")</script>'

pytestmark = NEEDS_WORDPRESS


class Site:
    def __init__(self, wordpress, app_password):
        self.wordpress = wordpress
        self.app_password = app_password
        self.page_ids = {}

    def rest(self, method, route, **kwargs):
        response = requests.request(method, self.wordpress.url + "/wp-json" + route,
                                    auth=(ADMIN, self.app_password), timeout=30, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def use_theme(self, theme):
        # One file per theme: PHP's opcache may keep serving a file rewritten within its revalidation delay.
        for plugin in self.wordpress.mu_plugins_dir.glob("test-theme-*.php"):
            plugin.unlink()
        (self.wordpress.mu_plugins_dir / ("test-theme-%s.php" % theme)).write_text(THEME_PLUGIN % {"theme": theme})

    def front_page(self):
        response = requests.get(self.wordpress.url + "/", timeout=30)
        assert response.status_code == 200
        return response.text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    wordpress = new_sandbox(tmp_path_factory)
    try:
        wordpress.install("Fabrik Menus", ADMIN, ADMIN_PASSWORD, "admin@example.com")
        created = Site(wordpress, wordpress.create_application_password(ADMIN, ADMIN_PASSWORD, "tests"))
        for slug, title, parent in PAGES:
            page = created.rest("POST", "/wp/v2/pages", json={
                "slug": slug, "title": title, "status": "publish", "content": "<p>%s</p>" % title,
                "parent": created.page_ids[parent] if parent else 0})
            created.page_ids[slug] = page["id"]
        yield created
    finally:
        wordpress.stop()


@pytest.fixture
def sent(monkeypatch):
    return record_requests(monkeypatch)


@pytest.fixture
def run(site, monkeypatch):
    runner = module_runner(monkeypatch, lambda: {"url": site.wordpress.url, "username": ADMIN,
                                                 "app_password": site.app_password}, lambda: (site.app_password,))
    return functools.partial(runner, wordpress_menus)


def _menus():
    return [
        {"name": "Primary", "location": "primary", "items": [
            {"page": "home"},
            {"page": "about", "children": [{"page": "team"}, {"title": "Docs", "url": "https://docs.example.com/"}]},
            {"page": "contact", "title": "Write to us"},
        ]},
        {"name": "Footer", "location": "footer", "items": [{"page": "terms"}]},
    ]


# ------------------------------------------------------------------ classic theme


@pytest.fixture
def classic(site):
    site.use_theme("twentytwentyone")
    return site


def test_classic_menus_are_created_at_their_locations_then_rerun_changes_nothing(run, classic, sent):
    result = run(menus=_menus())
    assert result["failed"] is False, result.get("msg")
    assert (result["changed"], result["mode"]) == (True, "classic")
    by_name = {menu["name"]: menu for menu in result["menus"]}
    assert by_name["Primary"]["outline"] == [
        "Home -> page home", "About us -> page about", "  Team -> page team",
        "  Docs -> https://docs.example.com/", "Write to us -> page contact"]
    locations = classic.rest("GET", "/wp/v2/menu-locations")
    assert locations["primary"]["menu"] == by_name["Primary"]["id"]
    assert locations["footer"]["menu"] == by_name["Footer"]["id"]

    items = classic.rest("GET", "/wp/v2/menu-items", params={"menus": by_name["Primary"]["id"], "per_page": 100})
    about = next(item for item in items if item["object_id"] == classic.page_ids["about"])
    children = sorted(item["title"]["rendered"] for item in items if item["parent"] == about["id"])
    assert children == ["Docs", "Team"]
    front = classic.front_page()
    assert "Write to us" in front and "https://docs.example.com/" in front

    sent.clear()
    again = run(menus=_menus())
    assert again["changed"] is False
    assert writes(sent) == []
    assert again["diff"]["before"] == again["diff"]["after"]


def test_classic_menu_changes_touch_only_what_differs(run, classic, sent):
    run(menus=_menus())
    menus = _menus()
    menus[0]["items"] = [{"page": "home", "title": "Start"}, {"page": "contact"}]

    preview = run(check_mode=True, menus=menus)
    assert preview["changed"] is True
    assert writes(sent) == []
    after = preview["diff"]["after"]["Primary"]
    assert after["items"] == ["Start -> page home", "Contact -> page contact"]

    sent.clear()
    result = run(menus=menus)
    assert [request[0] for request in writes(sent)] == ["POST", "POST", "DELETE", "DELETE", "DELETE"]
    primary = next(menu for menu in result["menus"] if menu["name"] == "Primary")
    items = classic.rest("GET", "/wp/v2/menu-items", params={"menus": primary["id"], "context": "edit"})
    assert sorted((item["menu_order"], item["title"]["raw"]) for item in items) == [(1, "Start"), (2, "Contact")]
    assert run(menus=menus)["changed"] is False


def test_hostile_menu_label_is_text(run, classic):
    menus = [{"name": "Primary", "location": "primary", "items": [{"title": HOSTILE, "url": "/x?a=1&b=2"}]}]
    assert run(menus=menus)["failed"] is False
    front = classic.front_page()
    assert "<script>alert(\"menu\")" not in front
    assert "&lt;script&gt;alert" in front
    assert run(menus=menus)["changed"] is False


@pytest.mark.parametrize("menus, message", [
    ([{"name": "M", "location": "sidebar", "items": [{"page": "home"}]}], "menus: the active theme has no menu "
                                                                          "location 'sidebar' (it has: footer, primary)"),
    ([{"name": "M", "items": [{"page": "no-such-page"}]}], "menus: no page with slug 'no-such-page'"),
    ([{"name": "M", "items": [{"title": "X", "url": "javascript:alert(1)"}]}], 'menus[0].items[0].url: URL scheme'),
    ([{"name": "M", "items": [{"page": "home", "url": "/"}]}], "menus[0].items[0]: exactly one of page and url"),
    ([{"name": "M", "items": [{"page": "home", "children": [{"page": "team", "icon": "x"}]}]}],
     "menus[0].items[0].children[0].icon: unknown field"),
])
def test_bad_menus_fail_without_writing(run, classic, sent, menus, message):
    result = run(menus=menus)
    assert result["failed"] is True
    assert result["msg"].startswith(message)
    assert writes(sent) == []


def test_check_mode_warns_about_a_page_not_created_yet(run, classic, sent, monkeypatch):
    warned = []
    monkeypatch.setattr(wordpress_menus.AnsibleModule, "warn", lambda module, warning: warned.append(warning))
    result = run(check_mode=True, menus=[{"name": "Later", "items": [{"page": "coming-soon"}]}])
    assert result["failed"] is False and result["changed"] is True
    assert any("coming-soon" in warning for warning in warned)
    assert writes(sent) == []


def test_prune_and_absent_delete_menus(run, classic):
    run(menus=_menus() + [{"name": "Extra", "items": [{"page": "home"}]}])
    absent = run(menus=[{"name": "Extra", "state": "absent"}])
    assert absent["deleted"] == ["Extra"]
    run(menus=_menus() + [{"name": "Old", "items": [{"page": "home"}]}])
    pruned = run(menus=_menus()[:1], prune=True)
    assert sorted(pruned["deleted"]) == ["Footer", "Old"]
    assert [menu["name"] for menu in classic.rest("GET", "/wp/v2/menus")] == ["Primary"]


# ------------------------------------------------------------------ block theme


def test_block_theme_menus_are_navigation_posts(run, site, sent):
    site.use_theme("twentytwentythree")
    menus = [{"name": "Main navigation", "items": _menus()[0]["items"]}]
    result = run(menus=menus)
    assert result["failed"] is False, result.get("msg")
    assert (result["changed"], result["mode"]) == (True, "block")
    [menu] = result["menus"]
    post = site.rest("GET", "/wp/v2/navigation/%d" % menu["id"], params={"context": "edit"})
    content = post["content"]["raw"]
    assert post["status"] == "publish"
    assert content.startswith('<!-- wp:navigation-link {"label":"Home","type":"page","id":%d'
                              % site.page_ids["home"])
    assert '<!-- wp:navigation-submenu {"label":"About us"' in content
    assert '{"label":"Docs","url":"https://docs.example.com/","kind":"custom"}' in content
    front = site.front_page()
    assert "Write to us" in front and "https://docs.example.com/" in front

    sent.clear()
    assert run(menus=menus)["changed"] is False
    assert writes(sent) == []

    menus[0]["items"] = [{"page": "home", "title": HOSTILE}]
    changed = run(menus=menus)
    assert changed["changed"] is True and changed["menus"][0]["id"] == menu["id"]
    front = site.front_page()
    assert "<script>alert(\"menu\")" not in front
    assert run(menus=menus)["changed"] is False


def test_block_theme_header_shows_the_menu_with_a_location(run, site, sent):
    """The header's navigation block of a block theme shows the most recently published menu: the first menu
    given a location is made that one, even when another menu is created after it."""
    site.use_theme("twentytwentythree")
    menus = [{"name": "Header menu", "location": "primary", "items": [{"page": "about", "title": "About (header)"}]},
             {"name": "Footer menu", "items": [{"page": "terms", "title": "Terms (footer)"}]}]
    result = run(menus=menus, prune=True)
    assert result["failed"] is False, result.get("msg")
    assert result["shown_by_theme"] == "Header menu"
    newest = site.rest("GET", "/wp/v2/navigation", params={"orderby": "date", "order": "desc", "per_page": 1,
                                                           "context": "edit"})[0]
    assert newest["title"]["raw"] == "Header menu" and newest["status"] == "publish"
    front = site.front_page()
    assert "About (header)" in front and "Terms (footer)" not in front

    sent.clear()
    again = run(menus=menus, prune=True)
    assert again["changed"] is False and writes(sent) == []

    # When another menu is newer (here the header menu is moved back in time), the next run takes it back.
    site.rest("POST", "/wp/v2/navigation/%d" % newest["id"], json={"date_gmt": "2001-01-01T00:00:00"})
    assert "About (header)" not in site.front_page()
    planned = run(check_mode=True, menus=menus, prune=True)
    assert planned["changed"] is True
    assert [item for item in planned["diff"]["after"].values() if item.get("shown_by_theme")]
    assert run(menus=menus, prune=True)["changed"] is True
    assert "About (header)" in site.front_page()
    assert run(menus=menus, prune=True)["changed"] is False
