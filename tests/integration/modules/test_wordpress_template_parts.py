"""The theme's dressing in-process against a real sandbox WordPress with the connector: the brand on the theme's
own slots (wordpress_theme with the profile's styles), its template parts (wordpress_template_parts), and no
"Navigation" menu of WordPress's own.

The theme is the sandbox version's default: Twenty Twenty-Five on 6.8, Twenty Twenty-Three on 6.1.
"""

import functools
import re

import pytest
import requests
import yaml

from ansible_collections.fabrik.deploy.plugins.module_utils._themes import brand_styles, library_font, readable_on
from ansible_collections.fabrik.deploy.plugins.modules import wordpress_template_parts, wordpress_theme
from tests.sandbox.wordpress import default_theme
from tests.integration.modules.wordpress_harness import (
    ADMIN,
    NEEDS_WORDPRESS,
    REPO,
    installed_wordpress,
    module_runner,
    record_requests,
    writes,
)

THEME = default_theme()
PROFILE = yaml.safe_load((REPO / "templates" / "themes" / ("%s.yml" % THEME)).read_text())
PARTS = [{"slug": slug, "area": part["area"], "content": part["content"]} for slug, part in PROFILE["parts"].items()]
BRAND = {"colors": {"primary": "#0a6cff", "background": "#fffdf8"}, "fonts": {"body": "Inter, sans-serif",
                                                                              "heading": "Georgia, serif"}}
PLACEHOLDERS = {"site": {"title": "Acme <Demo> [video]", "owner": "Acme <Demo> [video]"}}

pytestmark = NEEDS_WORDPRESS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with installed_wordpress(tmp_path_factory, "Fabrik Parts", connector=True) as installed:
        yield installed


@pytest.fixture
def sent(monkeypatch):
    return record_requests(monkeypatch)


@pytest.fixture
def run(site, monkeypatch):
    wordpress, app_password = site
    runner = module_runner(monkeypatch, lambda: {"url": wordpress.url, "username": ADMIN,
                                                 "app_password": app_password}, lambda: (app_password,))
    return runner


def rest(site, method, route, **kwargs):
    wordpress, app_password = site
    response = requests.request(method, wordpress.url + "/wp-json" + route, auth=(ADMIN, app_password), timeout=30,
                                **kwargs)
    assert response.status_code < 300, response.text
    return response.json()


def front_page(site):
    response = requests.get(site[0].url + "/", timeout=30)
    assert response.status_code == 200
    return response.text


def test_a_new_site_has_no_navigation_menu_of_wordpress_own(site):
    """WordPress 6.3+ saves a "Navigation" menu when a block theme's navigation first renders; the connector
    stops that (the header shows the page list until the site's menus exist)."""
    assert rest(site, "GET", "/wp/v2/themes", params={"status": "active"})[0]["stylesheet"] == THEME
    front_page(site)
    assert rest(site, "GET", "/wp/v2/navigation", params={"status": "publish,draft", "context": "edit"}) == []


def test_the_brand_recolours_the_themes_own_slots_and_buttons(run, site, sent):
    styles = brand_styles(BRAND, PROFILE)
    primary_slot = PROFILE["colors"]["primary"]
    assert {"slug": primary_slot, "color": "#0a6cff"} in styles["palette"]
    # a font the theme ships loads from its files; another takes the theme's font of its generic family, if any
    body = library_font("Inter, sans-serif", PROFILE).get("font_family", "Inter, sans-serif")
    heading = library_font("Georgia, serif", PROFILE).get("font_family", "Georgia, serif")
    assert {"slug": PROFILE["fonts"]["body"], "font_family": body} in [
        {key: family[key] for key in ("slug", "font_family")} for family in styles["font_families"]]
    done = functools.partial(run, wordpress_theme)(stylesheet=THEME, styles=styles)
    assert done["failed"] is False, done.get("msg")
    assert done["changed"] is True and done["wordpress_version"]
    css = front_page(site)
    assert "--wp--preset--color--%s: #0a6cff" % primary_slot in css
    assert "--wp--preset--font-family--%s: %s" % (PROFILE["fonts"]["body"], body) in css
    assert "--wp--preset--font-family--%s: %s" % (PROFILE["fonts"]["heading"], heading) in css
    # the buttons show the brand colour, with readable text (white on this blue)
    assert readable_on("#0a6cff") == "#ffffff"
    button_rule = re.search(r"\.wp-element-button, \.wp-block-button__link\)?\{([^}]*)\}", css).group(1)
    assert "color: #ffffff" in button_rule
    if THEME == "twentytwentyfive":
        assert "background-color: var(--wp--preset--color--accent-1)" in button_rule
    sent.clear()
    again = functools.partial(run, wordpress_theme)(stylesheet=THEME, styles=brand_styles(BRAND, PROFILE))
    assert again["changed"] is False and writes(sent) == []


def test_template_parts_show_the_footer_menu_then_rerun_changes_nothing(run, site, sent):
    terms = rest(site, "POST", "/wp/v2/pages", json={"title": "Terms", "slug": "terms", "status": "publish"})
    footer = rest(site, "POST", "/wp/v2/navigation", json={
        "title": "Footer", "status": "publish",
        "content": '<!-- wp:navigation-link {"label":"Terms","type":"page","id":%d,"url":"%s","kind":"post-type"} /-->'
                   % (terms["id"], terms["link"])})
    parts = functools.partial(run, wordpress_template_parts)
    planned = parts(check_mode=True, parts=PARTS, menus={"footer": "Footer"}, placeholders=PLACEHOLDERS)
    assert planned["failed"] is False, planned.get("msg")
    assert planned["changed"] is True and sorted(planned["updated"]) == sorted(part["slug"] for part in PARTS)
    assert writes(sent) == []
    assert '"ref":%d' % footer["id"] in planned["diff"][0]["after"] or len(planned["diff"]) > 1

    done = parts(parts=PARTS, menus={"footer": "Footer"}, placeholders=PLACEHOLDERS)
    assert done["changed"] is True and done["theme"] == THEME
    assert {(part["slug"], part["source"]) for part in done["parts"]} == {(part["slug"], "custom") for part in PARTS}
    page = front_page(site)
    footer_html = page[page.rindex("<footer"):]
    assert terms["link"] in footer_html and 'href="#"' not in footer_html
    assert "© Acme &lt;Demo&gt; [\u2060video]" in footer_html
    stored = {part["slug"]: part for part in rest(site, "GET", "/wp/v2/template-parts", params={"context": "edit"})}
    assert '"ref":%d' % footer["id"] in stored["footer"]["content"]["raw"]

    sent.clear()
    again = parts(parts=PARTS, menus={"footer": "Footer"}, placeholders=PLACEHOLDERS)
    assert (again["changed"], again["updated"]) == (False, [])
    assert writes(sent) == []

    sent.clear()
    by_id = parts(parts=PARTS, menus={"footer": footer["id"]}, placeholders=PLACEHOLDERS)  # as the role gives it
    assert by_id["changed"] is False and not any("/wp/v2/navigation" in path for _method, path in sent)

    reverted = parts(parts=[{"slug": "footer", "state": "absent"}])
    assert reverted["updated"] == ["footer"]
    stored = {part["slug"]: part for part in rest(site, "GET", "/wp/v2/template-parts", params={"context": "edit"})}
    assert stored["footer"]["source"] == "theme"


def test_the_profiles_templates_are_the_sites_then_rerun_changes_nothing(run, site, sent):
    templates = [{"slug": slug, "title": template.get("title"), "content": template["content"]}
                 for slug, template in PROFILE.get("templates", {}).items()]
    if not templates:
        pytest.skip("the profile of %s has no templates" % THEME)
    write = functools.partial(run, wordpress_template_parts)
    done = write(templates=templates)
    assert done["failed"] is False, done.get("msg")
    wanted = {(item["slug"], "custom") for item in templates}
    assert {(item["slug"], item["source"]) for item in done["templates"]} == wanted
    # WordPress names the theme in each template part block it saves: the module writes it so
    sent.clear()
    again = write(templates=templates)
    assert (again["changed"], again["updated"]) == (False, []), again["diff"]
    assert writes(sent) == []


def test_a_missing_menu_leaves_its_navigation_out(run, site):
    parts = functools.partial(run, wordpress_template_parts)
    done = parts(parts=[part for part in PARTS if part["slug"] == "footer"], menus={"footer": "No such menu"},
                 placeholders=PLACEHOLDERS)
    assert done["failed"] is False, done.get("msg")
    stored = {part["slug"]: part for part in rest(site, "GET", "/wp/v2/template-parts", params={"context": "edit"})}
    assert "wp:navigation" not in stored["footer"]["content"]["raw"]


def test_a_classic_theme_has_no_parts(run, site):
    wordpress = site[0]
    plugin = wordpress.mu_plugins_dir / "test-classic-theme.php"
    plugin.write_text("<?php\nadd_filter('stylesheet', function () { return 'twentytwentyone'; });\n"
                      "add_filter('template', function () { return 'twentytwentyone'; });\n")
    try:
        result = functools.partial(run, wordpress_template_parts)(parts=PARTS, placeholders=PLACEHOLDERS)
    finally:
        plugin.unlink()
    assert result["failed"] is True
    assert result["msg"] == "parts: the active theme 'twentytwentyone' is a classic theme: it has no template parts"


@pytest.mark.parametrize("part, message", [
    ({"slug": "footer", "content": "<p>{{ company.vat }}</p>"}, "parts.footer.content: unknown placeholder"),
    ({"slug": "footer", "content": "<!-- wp:group -->{{ menu.footer }}<!-- /wp:group -->"},
     "{{ menu.footer }} is only allowed in the attributes of a self-closing block"),
    ({"slug": "Footer!", "content": "x"}, "parts[0].slug: lower-case letters"),
    ({"slug": "footer"}, "parts[0].content: required"),
])
def test_bad_parts_fail_before_any_request(run, sent, part, message):
    result = functools.partial(run, wordpress_template_parts)(parts=[part], placeholders=PLACEHOLDERS)
    assert result["failed"] is True
    assert message in result["msg"]
    assert sent == []
