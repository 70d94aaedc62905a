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
                               {"name": "Footer", "items": []},
                               # no menu of the footer location: one of the legal pages
                               {"name": "Footer", "location": "footer", "items": [{"page": "privacy-policy"}]}]
    assert result["theme"] == {"slug": "twentytwentyfour", "theme_mods": {"a": 1, "b": 2}}
    assert result["settings"] == {"timezone": "Europe/London", "show_on_front": "page", "title": "Example"}


def test_placeholders_are_the_company_and_the_site_with_the_domain_from_the_url_by_default():
    assert spec()["placeholders"] == {
        "company": COMPANY, "site": {"title": "", "tagline": "", "domain": "www.example.test", "url": URL,
                                     "owner": "Example Ltd"},
        "legal": {"law": "the law of the country where the operator of this site has its seat"}, "media": {}}
    site = {"title": "T", "tagline": "G", "domain": "example.test"}
    assert spec(site=site)["placeholders"]["site"] == dict(site, url=URL, owner="Example Ltd")


def test_the_legal_texts_name_the_sites_domain_not_the_host_of_the_wordpress_url():
    assert spec(domain="example.org")["placeholders"]["site"]["domain"] == "example.org"
    assert spec(domain="example.org", site={"domain": "shop.example.org"})["placeholders"]["site"]["domain"] == \
        "shop.example.org"


@pytest.mark.parametrize("country, law", [
    ("United Kingdom", "the law of the United Kingdom"), ("GB", "the law of the United Kingdom"),
    ("Germany", "the law of Germany"), ("the Netherlands", "the law of the Netherlands"), ("de", "the law of Germany")])
def test_the_applicable_law_is_named_with_the_article_where_the_country_takes_one(country, law):
    assert spec(company=dict(COMPANY, country=country))["placeholders"]["legal"]["law"] == law


def legal_text(name, **args):
    """The rendered text of the built-in legal page ``name`` (templates/legal)."""
    loaded = yaml.safe_load((REPO / "templates" / "legal" / ("%s.yml" % name)).read_text())
    result = wordpress_spec({}, **dict(dict(legal_pages=[loaded], url=URL, company=COMPANY, forms={}), **args))
    return render(page(result, loaded["slug"])["sections"], result["placeholders"], "sections")


def test_the_privacy_policy_mentions_analytics_the_form_and_hosting_only_when_they_are_on():
    bare = legal_text("privacy")
    assert "Analytics" not in bare and "Contact form" not in bare and "hosted by" not in bare
    assert "www.example.test is run by Example Ltd" in bare
    full = legal_text("privacy", analytics=True, forms={"contact": {"page": "contact"}}, domain="example.org",
                      company=dict(COMPANY, hosting="Host GmbH, Berlin"))
    assert "Google Analytics" in full and "consent" in full
    assert "contact form" in full
    assert "example.org is hosted by Host GmbH, Berlin" in full


def test_the_imprint_names_the_register_entry_and_vat_id_when_the_company_has_them():
    bare = legal_text("imprint", domain="example.org")
    assert "example.org is run by Example Ltd, 1 Road." in bare
    assert "VAT" not in bare and "Register" not in bare
    full = legal_text("imprint", company=dict(COMPANY, register="Amtsgericht Berlin, HRB 12345", vat_id="DE123456789",
                                              representative="Ada Example"))
    for text in ("Amtsgericht Berlin, HRB 12345", "DE123456789", "Ada Example", "+44 20 7123 4567"):
        assert text in full


def test_a_legal_part_with_an_unknown_condition_fails():
    legal = [{"slug": "x", "title": "X", "sections": [{"type": "legal", "parts": [{"heading": "H", "when": "nope"}]}]}]
    with pytest.raises(AnsibleFilterError, match="legal page H: when: one of analytics, form, hosting"):
        spec(legal_pages=legal)


def test_plugins_are_the_sites_when_given_mappings_first_then_slugs_then_the_forms():
    assert spec()["plugins"] == [{"slug": "akismet"}]
    assert spec(plugins=[])["plugins"] == []
    forms = {"contact": {"shortcode": "[wpforms id=\"3\"]", "plugin": "wpforms-lite"}}
    assert spec(plugins=["akismet", {"slug": "seo", "state": "inactive"}], forms=forms)["plugins"] == [
        {"slug": "seo", "state": "inactive"}, {"slug": "akismet"},
        {"slug": "wpforms-lite", "required_by": "wordpress_forms.contact.plugin"}]
    forms["contact"]["plugin_src"] = "https://example.test/wpforms.zip"
    assert spec(forms=forms)["plugins"][-1] == {"slug": "wpforms-lite", "src": "https://example.test/wpforms.zip",
                                                "required_by": "wordpress_forms.contact.plugin"}
    # a plugin the site lists already is not added twice
    assert spec(plugins=["wpforms-lite"], forms=forms)["plugins"] == [{"slug": "wpforms-lite"}]


def test_without_a_contact_form_the_pages_are_left_alone():
    assert page(spec(), "contact") == PRESET["pages"][1]
    assert page(spec(forms={"contact": {}}), "contact") == PRESET["pages"][1]
    assert spec()["contact_form"] is None


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


def test_by_default_the_connectors_form_follows_the_pages_sections_unless_the_page_has_one():
    result = spec(forms={"contact": {"page": "contact"}})

    assert page(result, "contact")["sections"] == PRESET["pages"][1]["sections"] + [{"type": "contact-form"}]
    assert result["contact_form"] == {"recipient": COMPANY["email"], "rate_limit": 5, "retention_days": 90,
                                      "language": "", "texts": {}}
    placed = [{"type": "contact-form", "headline": "Here"}, {"type": "text", "body": "After the form."}]
    result = spec(pages=[{"slug": "contact", "sections": placed}], forms={"contact": {"headline": "Say hello"}})
    assert page(result, "contact")["sections"] == placed
    headed = spec(forms={"contact": {"headline": "Say hello"}})
    assert page(headed, "contact")["sections"][-1] == {"type": "contact-form", "headline": "Say hello"}
    # rendered: the connector's shortcode in a shortcode block
    assert render(page(headed, "contact")["sections"], headed["placeholders"]).count(
        "<!-- wp:shortcode -->\n[fabrik_contact_form]\n<!-- /wp:shortcode -->") == 1


def test_a_new_form_page_shows_the_form_then_the_companys_phone_and_address():
    result = spec(forms={"contact": {"page": "write-to-us", "headline": "Say hello"}})

    assert page(result, "write-to-us") == {"slug": "write-to-us", "title": "Contact", "sections": [
        {"type": "contact-form", "headline": "Say hello"},
        {"type": "contact", "phone": COMPANY["phone"], "address": COMPANY["address"]}]}
    bare = spec(company={"name": "X", "email": "x@example.test"}, forms={"contact": {"page": "write-to-us"}})
    assert page(bare, "write-to-us")["sections"] == [{"type": "contact-form", "headline": "Contact"}]


def test_the_form_takes_the_place_of_the_pages_mailto_list_and_keeps_its_other_details():
    listed = [{"type": "text", "body": "Before."},
              {"type": "contact", "headline": "Get in touch", "text": "Within a day.", "email": "a@example.test",
               "address": "1 Road", "buttons": [{"text": "Map", "url": "https://maps.example.test/"}]},
              {"type": "text", "body": "After."}]
    result = spec(pages=[{"slug": "contact", "sections": listed}], forms={"contact": {"page": "contact"}})
    assert page(result, "contact")["sections"] == [
        listed[0], {"type": "contact-form", "headline": "Get in touch", "text": "Within a day."},
        {"type": "contact", "address": "1 Road", "buttons": [{"text": "Map", "url": "https://maps.example.test/"}]},
        listed[2]]
    rendered = render(page(result, "contact")["sections"], result["placeholders"])
    assert "mailto:" not in rendered and rendered.count("[fabrik_contact_form]") == 1
    # an e-mail list alone becomes the form; the spec's headline wins over the list's
    only_mail = [{"type": "contact", "headline": "Customer service", "email": "a@example.test"}]
    result = spec(pages=[{"slug": "contact", "sections": only_mail}], forms={"contact": {"headline": "Write"}})
    assert page(result, "contact")["sections"] == [{"type": "contact-form", "headline": "Write"}]
    # provider links keeps the list
    result = spec(pages=[{"slug": "contact", "sections": only_mail}], forms={"contact": {"provider": "links"}})
    assert page(result, "contact")["sections"] == only_mail


@pytest.mark.parametrize("preset", ["company", "saas", "ecommerce", "content", "landing"])
def test_every_presets_contact_page_has_the_form_and_no_mailto_list(preset):
    data = yaml.safe_load((REPO / "templates" / "presets" / (preset + ".yml")).read_text())
    result = wordpress_spec(data, legal_pages=[], url=URL, company=COMPANY, forms={"contact": {"page": "contact"}})
    rendered = render(page(result, "contact")["sections"], result["placeholders"])
    assert rendered.count("[fabrik_contact_form]") == 1
    assert "mailto:" not in rendered


def test_a_form_plugin_provider_shows_that_plugins_form_with_the_connectors_as_the_fallback():
    result = spec(forms={"contact": {"provider": "contact-form-7", "form_id": 12, "recipient": "office@example.test",
                                     "rate_limit": 0, "retention_days": 30, "language": "de",
                                     "texts": {"submit": "Absenden"}}})

    assert page(result, "contact")["sections"][-1] == {"type": "contact-form", "provider": "contact-form-7",
                                                       "form_id": 12}
    assert render(page(result, "contact")["sections"]).count('[fabrik_contact_form provider="contact-form-7" form="12"]') == 1
    assert result["contact_form"] == {"recipient": "office@example.test", "rate_limit": 0, "retention_days": 30,
                                      "language": "de", "texts": {"submit": "Absenden"}}
    assert spec(forms={"contact": {"provider": "wpforms"}})["contact_form"]["recipient"] == COMPANY["email"]
    assert spec(company={}, forms={"contact": {}})["contact_form"] is None
    assert spec(company={}, forms={"contact": {"page": "contact"}})["contact_form"]["recipient"] == ""


def test_the_links_provider_adds_the_core_contact_section_unless_the_page_has_one():
    result = spec(forms={"contact": {"provider": "links", "headline": "Say hello"}})

    assert page(result, "contact")["sections"] == PRESET["pages"][1]["sections"] + [{
        "type": "contact", "headline": "Say hello", "email": COMPANY["email"], "phone": COMPANY["phone"],
        "address": COMPANY["address"]}]
    assert result["contact_form"] is None
    own = [{"type": "contact", "headline": "Here", "email": "x@example.test"}]
    result = spec(pages=[{"slug": "contact", "sections": own}], forms={"contact": {"provider": "links"}})
    assert page(result, "contact")["sections"] == own
    assert page(spec(company={}, forms={"contact": {"provider": "links"}}), "contact")["sections"][-1] == {
        "type": "contact", "headline": "Contact", "email": "", "phone": "", "address": ""}


@pytest.mark.parametrize("contact, message", [
    ({"provider": "fax"}, r"wordpress_forms\.contact\.provider: one of fabrik, contact-form-7"),
    ({"provider": "fabrik", "shortcode": "[f]"}, r"wordpress_forms\.contact\.shortcode: only with provider shortcode"),
    ({"provider": "shortcode"}, r"wordpress_forms\.contact\.shortcode: required with provider shortcode"),
    ({"form_id": 3}, r"wordpress_forms\.contact\.form_id: only with provider contact-form-7 or wpforms"),
    ({"provider": "wpforms", "form_id": 0}, r"wordpress_forms\.contact\.form_id: a whole number 1\.\."),
    ({"page": "Contact Us"}, r"wordpress_forms\.contact\.page: a page slug"),
    ({"recipient": "not an address"}, r"wordpress_forms\.contact\.recipient: an e-mail address expected"),
    ({"rate_limit": -1}, r"wordpress_forms\.contact\.rate_limit: a whole number 0\.\.1000"),
    ({"retention_days": "30"}, r"wordpress_forms\.contact\.retention_days: a whole number 0\.\.3650"),
    ({"language": "tlh"}, r"wordpress_forms\.contact\.language: empty \(the site's\) or one of en, de"),
    ({"texts": {"sumbit": "Go"}}, r"wordpress_forms\.contact\.texts\.sumbit: unknown field"),
    ({"texts": {"submit": ""}}, r"wordpress_forms\.contact\.texts\.submit: a text of 1 to 500 bytes"),
    ({"colour": "red"}, r"wordpress_forms\.contact\.colour: unknown field"),
])
def test_a_bad_contact_form_names_its_field(contact, message):
    with pytest.raises(AnsibleFilterError, match="^wordpress_spec: " + message):
        spec(forms={"contact": contact})


SHOP = {"mode": "catalogue", "headline": "Our products", "products": [{"title": "Mug", "price": "12 €"}]}


def test_a_catalogue_shop_is_a_page_of_products_leading_to_the_contact_form():
    result = spec(shop=SHOP, forms={"contact": {"page": "write-to-us"}})

    assert page(result, "shop") == {"slug": "shop", "title": "Shop", "sections": [{
        "type": "products", "items": SHOP["products"], "url": "/write-to-us/", "headline": "Our products"}]}
    assert "woocommerce" not in [plugin["slug"] for plugin in result["plugins"]]
    rendered = render(page(result, "shop")["sections"])
    assert 'href="/write-to-us/?enquiry=Mug"' in rendered and "<strong>12 €</strong>" in rendered
    # the site's own shop page keeps its sections, the products follow (unless it places them itself)
    own = [{"type": "text", "body": "Opening hours"}]
    result = spec(shop=dict(SHOP, page="catalogue", title="Catalogue", columns=2, button_text="Ask"),
                  pages=[{"slug": "catalogue", "title": "Our range", "sections": own}])
    assert page(result, "catalogue")["title"] == "Our range"
    assert page(result, "catalogue")["sections"][0] == own[0]
    assert page(result, "catalogue")["sections"][1]["columns"] == 2
    placed = [{"type": "products", "items": [{"title": "Tea"}]}]
    assert page(spec(shop=SHOP, pages=[{"slug": "shop", "title": "S", "sections": placed}]), "shop")["sections"] == placed


def test_the_sites_shop_merges_over_the_presets_and_its_products_replace_the_presets():
    preset = dict(PRESET, shop={"mode": "woocommerce", "headline": "Preset", "products": [{"title": "Sample"}]})
    shop = {"mode": "catalogue", "products": [{"title": "Real"}]}
    result = wordpress_spec(preset, url=URL, company=COMPANY, forms={}, shop=shop)

    products = page(result, "shop")["sections"][-1]
    assert products["headline"] == "Preset" and products["items"] == [{"title": "Real"}]


def test_a_woocommerce_shop_installs_woocommerce_and_adds_no_page():
    result = spec(shop={"mode": "woocommerce", "products": [{"title": "Mug"}]})

    assert "shop" not in [item["slug"] for item in result["pages"]]
    assert result["plugins"][-1]["slug"] == "woocommerce"
    assert result["plugins"][-1]["required_by"] == "wordpress_shop.mode"
    assert "wordpress_shop.mode: catalogue" in result["plugins"][-1]["hint"]
    with_src = spec(shop={"mode": "woocommerce", "plugin_src": "/tmp/woocommerce.zip"})
    assert with_src["plugins"][-1]["src"] == "/tmp/woocommerce.zip"
    # no mode given: woocommerce
    assert spec(shop={"headline": "x"})["plugins"][-1]["slug"] == "woocommerce"


@pytest.mark.parametrize("shop, message", [
    ({"mode": "dropship"}, r"wordpress_shop\.mode: one of woocommerce, catalogue expected"),
    ({"mode": "catalogue"}, r"wordpress_shop\.products: the catalogue's products expected"),
    ({"mode": "catalogue", "products": [{"title": "A"}], "page": "/shop/"}, r"wordpress_shop\.page: a page slug"),
    ({"mode": "catalogue", "prodcuts": []}, r"wordpress_shop\.prodcuts: unknown field"),
])
def test_a_bad_shop_names_its_field(shop, message):
    with pytest.raises(AnsibleFilterError, match="^wordpress_spec: " + message):
        spec(shop=shop)


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
    posts_page = loaded["settings"].get("page_for_posts")  # WordPress fills the posts page
    assert all(item.get("sections") or item.get("content") for item in result["pages"] if item["slug"] != posts_page)
