"""The wordpress_spec filter: a preset with the site's spec merged over it, the contact form folded in."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.filter.wordpress_spec import FilterModule, wordpress_spec
from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import render

REPO = Path(__file__).resolve().parents[4]
URL = "https://www.example.test/"
COMPANY = {"name": "Example Ltd", "email": "hello@example.test", "phone": "+44 20 7123 4567", "address": "1 Road"}
PRESET = {
    "pages": [
        {"slug": "home", "title": "Home", "sections": [{"type": "hero", "headline": "{{ site.title }}"}]},
        {"slug": "contact", "title": "Contact us", "sections": [{"type": "text", "body": "Write to us."}]},
    ],
    "menus": [{"name": "Primary", "location": "primary", "items": [{"page": "home"}]}],
    "theme": {"slug": "twentytwentyfour", "theme_mods": {"a": 1}},
    "plugins": ["akismet"],
    "settings": {"timezone": "UTC", "show_on_front": "page"},
}
LEGAL = [{"slug": "privacy-policy", "title": "Privacy", "sections": [{"type": "text", "body": "Private."}]}]


def spec(**site):
    args = dict(legal_pages=LEGAL, url=URL, company=COMPANY, forms={})
    args.update(site)
    return wordpress_spec(PRESET, **args)


def page(result, slug):
    return next(item for item in result["pages"] if item["slug"] == slug)


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"wordpress_spec": wordpress_spec}


def test_the_site_merges_over_the_preset_and_the_legal_pages_follow_the_presets():
    result = spec(pages=[{"slug": "home", "title": "Welcome"}, {"slug": "blog", "title": "Blog"}],
                  menus=[{"name": "Primary", "items": [{"page": "blog"}]}, {"name": "Footer", "items": []}],
                  theme={"theme_mods": {"b": 2}}, site={"title": "Example", "timezone": "Europe/London"})

    assert [item["slug"] for item in result["pages"]] == ["home", "contact", "privacy-policy", "blog"]
    assert page(result, "home") == dict(PRESET["pages"][0], title="Welcome")
    assert result["menus"] == [{"name": "Primary", "location": "primary", "items": [{"page": "blog"}]},
                               {"name": "Footer", "items": []}]
    assert result["theme"] == {"slug": "twentytwentyfour", "theme_mods": {"a": 1, "b": 2}}
    assert result["settings"] == {"timezone": "Europe/London", "show_on_front": "page", "title": "Example"}


def test_placeholders_are_the_company_and_the_site_with_the_domain_from_the_url_by_default():
    assert spec()["placeholders"] == {
        "company": COMPANY, "site": {"title": "", "tagline": "", "domain": "www.example.test", "url": URL}}
    site = {"title": "T", "tagline": "G", "domain": "example.test"}
    assert spec(site=site)["placeholders"]["site"] == dict(site, url=URL)


def test_plugins_are_the_sites_when_given_mappings_first_then_slugs_then_the_forms():
    assert spec()["plugins"] == [{"slug": "akismet"}]
    assert spec(plugins=[])["plugins"] == []
    forms = {"contact": {"shortcode": "[wpforms id=\"3\"]", "plugin": "wpforms-lite"}}
    assert spec(plugins=["akismet", {"slug": "seo", "state": "inactive"}], forms=forms)["plugins"] == [
        {"slug": "seo", "state": "inactive"}, {"slug": "akismet"}, {"slug": "wpforms-lite"}]
    forms["contact"]["plugin_src"] = "https://example.test/wpforms.zip"
    assert spec(forms=forms)["plugins"][-1] == {"slug": "wpforms-lite", "src": "https://example.test/wpforms.zip"}


def test_without_a_contact_form_the_pages_are_left_alone():
    assert page(spec(), "contact") == PRESET["pages"][1]
    assert page(spec(forms={"contact": {}}), "contact") == PRESET["pages"][1]


def test_a_form_shortcode_follows_the_pages_sections_as_a_shortcode_section():
    result = spec(forms={"contact": {"shortcode": '[contact-form-7 id="12"]'}})

    contact = page(result, "contact")
    assert contact == {"slug": "contact", "title": "Contact us", "sections": PRESET["pages"][1]["sections"] + [
        {"type": "shortcode", "shortcode": '[contact-form-7 id="12"]'}]}
    # rendered by the pages module for the site's version: a shortcode block, no stray "\n"
    assert render(contact["sections"], result["placeholders"]).endswith(
        '<!-- wp:shortcode -->\n[contact-form-7 id="12"]\n<!-- /wp:shortcode --></div>\n<!-- /wp:group -->')


def test_a_form_on_a_page_the_spec_does_not_have_makes_that_page():
    result = spec(forms={"contact": {"page": "get-in-touch", "shortcode": "[form]"}})

    assert page(result, "get-in-touch") == {
        "slug": "get-in-touch", "title": "Contact", "sections": [{"type": "shortcode", "shortcode": "[form]"}]}


def test_without_a_shortcode_the_core_contact_section_is_added_unless_the_page_has_one():
    result = spec(forms={"contact": {"headline": "Say hello"}})

    assert page(result, "contact")["sections"] == PRESET["pages"][1]["sections"] + [{
        "type": "contact", "headline": "Say hello", "email": COMPANY["email"], "phone": COMPANY["phone"],
        "address": COMPANY["address"]}]
    own = [{"type": "contact", "headline": "Here", "email": "x@example.test"}]
    result = spec(pages=[{"slug": "contact", "sections": own}], forms={"contact": {"page": "contact"}})
    assert page(result, "contact")["sections"] == own
    assert page(spec(company={}, forms={"contact": {"page": "contact"}}), "contact")["sections"][-1] == {
        "type": "contact", "headline": "Contact", "email": "", "phone": "", "address": ""}


def test_a_section_that_does_not_render_names_the_filter():
    with pytest.raises(AnsibleFilterError, match=r"^wordpress_spec: sections\[0\]\.type: one of"):
        spec(pages=[{"slug": "contact", "sections": [{"type": "nope"}]}], forms={"contact": {"shortcode": "[f]"}})


@pytest.mark.parametrize("preset", ["company", "landing", "saas", "ecommerce", "content"])
def test_every_builtin_preset_builds(preset):
    loaded = yaml.safe_load((REPO / "templates" / "presets" / ("%s.yml" % preset)).read_text())
    legal = [yaml.safe_load((REPO / "templates" / "legal" / ("%s.yml" % name)).read_text())
             for name in loaded.get("legal", [])]

    result = wordpress_spec(loaded, legal_pages=legal, url=URL, company=COMPANY, site={"title": "Example"},
                            forms={"contact": {"page": "contact"}})

    assert {item["slug"] for item in result["pages"]} >= {item["slug"] for item in loaded["pages"] + legal}
    assert all(item.get("sections") or item.get("content") for item in result["pages"])
