"""The section renderer (_blocks), without WordPress (the filters that wrap it: tests/unit/plugins/filter).

Validity for the block editor is proven separately against WordPress's own bundles
(tests/unit/test_block_validation.py); these tests pin escaping, validation and formats.
"""

import json

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils import _block_markup, _blocks
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError


def test_serialize_attributes_escapes_like_wordpress():
    attributes = {"url": 'https://x/?a=1&b=<2>--"q"', "label": "Ünïcødé 你好 \\ back"}
    text = _block_markup.serialize_attributes(attributes)
    # What WordPress 6.1's serializeAttributes produces for the same object.
    assert text == ('{"url":"https://x/?a=1\\u0026b=\\u003c2\\u003e\\u002d\\u002d\\u0022q\\u0022",'
                    '"label":"Ünïcødé 你好 \\\\ back"}')
    assert json.loads(text) == attributes
    assert "--" not in text and "<" not in text and ">" not in text and "&" not in text


def test_block_is_self_closing_without_content():
    assert _blocks.block("spacer", {"height": "8px"}) == '<!-- wp:spacer {"height":"8px"} /-->'
    assert _blocks.block("paragraph", None, "<p>x</p>") == "<!-- wp:paragraph -->\n<p>x</p>\n<!-- /wp:paragraph -->"


def test_text_is_escaped_and_line_breaks_kept():
    markup = _blocks.render([{"type": "text", "headline": "<b>Bold</b> & co", "body": "a < b\nnext line"}],
                            wordpress_version="6.1.9")
    assert "<h2>&lt;b&gt;Bold&lt;/b&gt; &amp; co</h2>" in markup
    assert "<p>a &lt; b<br>next line</p>" in markup


def test_no_shortcode_runs_in_text_and_references_stay_literal():
    markup = _blocks.render([{"type": "text", "headline": "[video src=x.mp4] &amp; [[caption]]"}])
    assert '<h2 class="wp-block-heading">[\u2060video src=x.mp4] &amp;amp; [\u2060[\u2060caption]]</h2>' in markup
    image = _blocks.render([{"type": "gallery", "images": [{"url": "/a.png", "alt": 'Fish &amp; [gallery] "x" <y> R&D'}]}])
    assert 'alt="Fish &amp;\u2060amp; [\u2060gallery] &quot;x&quot; <y&gt; R&amp;D"' in image


@pytest.mark.parametrize("version, expected", [
    ("6.8.12", (6, 8)), ("6.1", (6, 1)), ("5.9.3", (6, 1)), ((6, 4), (6, 4)), (None, (6, 8)), ("trunk", (6, 8)),
    ("7.0-beta1", (7, 0)),
])
def test_markup_version(version, expected):
    assert _block_markup.markup_version(version) == expected


@pytest.mark.parametrize("version, heading, items, media_text", [
    ("6.1", "<h2>", "<ul>", '{"mediaType":"image"}'),
    ("6.2", '<h2 class="wp-block-heading">', "<ul>", '{"mediaType":"image"}'),
    ("6.4", '<h2 class="wp-block-heading">', "<ul>", '{"align":"wide","mediaType":"image"}'),
    ("6.8", '<h2 class="wp-block-heading">', '<ul class="wp-block-list">', '{"align":"wide","mediaType":"image"}'),
])
def test_markup_follows_the_version(version, heading, items, media_text):
    markup = _blocks.render([{"type": "image-text", "headline": "H", "text": "- a\n- b", "image": "/a.png"}],
                            wordpress_version=version)
    assert heading + "H</h2>" in markup and items + "<!-- wp:list-item" in markup
    assert "<!-- wp:media-text %s -->" % media_text in markup


def test_escape_attribute_is_wordpress_escape_attribute():
    assert _block_markup.escape_attribute('a&b &amp; &#91; &x; <c> "d" \'e\'') == \
        'a&amp;b &amp; &#91; &x; <c&gt; &quot;d&quot; \'e\''


@pytest.mark.parametrize("value, decoded", [
    ("javascript&colon;alert(1)", "javascript:alert(1)"),
    ("&#106;avascript&#58;x", "javascript:x"),
    ("&#x6A;avascript&#x3A;x", "javascript:x"),
    ("&#106avascript&#58x", "javascript:x"),  # numeric references need no ";"
    ("javascript&amp;colon;x", "javascript:x"),  # resolved until none is left
    ("?a=1&amp;b=2", "?a=1&b=2"),
    ("?a=1&copy=2&not;", "?a=1&copy=2\u00ac"),  # a legacy reference before "=" is no reference in an attribute
    ("&copy 2026", "\u00a9 2026"),
    ("&foo; & &", "&foo; & &"),
])
def test_decode_references(value, decoded):
    assert _block_markup.decode_references(value) == decoded


def test_block_delimiters_in_text_cannot_open_a_block():
    markup = _blocks.render([{"type": "cta", "headline": "<!-- wp:html --><script>x()</script><!-- /wp:html -->"}])
    assert markup.count("<!-- wp:") == 2  # the group and the heading, nothing from the text
    assert "<script>" not in markup


def test_body_blank_lines_make_paragraphs_and_dash_lines_a_list():
    markup = _blocks.render([{"type": "text", "body": "One.\n\n- first\n- second\n\nTwo."}], wordpress_version="6.1")
    assert markup.count("<!-- wp:paragraph -->") == 2
    assert "<ul><!-- wp:list-item -->\n<li>first</li>" in markup


@pytest.mark.parametrize("url", ["https://example.com/a?b=1", "http://x", "mailto:a@example.com", "tel:+15550100",
                                 "/relative/path", "#anchor", "page.html", "//cdn.example.com/x.png"])
def test_accepted_urls(url):
    assert _blocks.validate_url(url, "f") == url


@pytest.mark.parametrize("url, message", [
    ("javascript:alert(1)", 'URL scheme "javascript" refused'),
    ("JavaScript:alert(1)", 'URL scheme "JavaScript" refused'),
    ("data:text/html,<script>", 'URL scheme "data" refused'),
    ("java\tscript:alert(1)", "a URL without spaces"),
    (" ", "a URL without spaces"),
    ("https://x/\\evil", "a URL without spaces, control characters or backslashes"),
    ("javascript&colon;alert(1)", 'URL scheme "javascript" refused'),
    ("&#106;avascript:alert(1)", 'URL scheme "javascript" refused'),
    ("javascript&amp;colon;alert(1)", 'URL scheme "javascript" refused'),
    ("java&#9;script:alert(1)", "a URL without spaces"),
    ("data&colon;text/html,x", 'URL scheme "data" refused'),
])
def test_refused_urls(url, message):
    with pytest.raises(SpecError) as caught:
        _blocks.render([{"type": "cta", "headline": "x", "buttons": [{"text": "Go", "url": url}]}])
    assert caught.value.field == "sections[0].buttons[0].url"
    assert message in str(caught.value)


def test_placeholders_are_filled_once_and_escaped():
    context = {"company": {"name": "A <B> {{ company.secret }}", "secret": "s3cret"}}
    markup = _blocks.render([{"type": "text", "headline": "About {{ company.name }}"}], context)
    assert '<h2 class="wp-block-heading">About A &lt;B&gt; {{ company.secret }}</h2>' in markup
    assert "s3cret" not in markup


@pytest.mark.parametrize("section, field, message", [
    ({"type": "text", "body": "{{ company.vat }}"}, "sections[0].body", "unknown placeholder {{ company.vat }}"),
    ({"type": "text", "body": "{{ company }}"}, "sections[0].body", "placeholder {{ company }} is not a text"),
    ({"type": "slider"}, "sections[0].type", "one of hero, features"),
    ({"type": "faq", "items": [{"question": "Q", "answr": "A"}]}, "sections[0].items[0].answr", "unknown field"),
    ({"type": "faq", "items": []}, "sections[0].items", "a non-empty list expected"),
    ({"type": "faq"}, "sections[0].items", "required"),
    ({"type": "features", "columns": 9, "items": [{"title": "x"}]}, "sections[0].columns", "1..6"),
    ({"type": "text", "id": "1bad id"}, "sections[0].id", "an HTML id"),
    ({"type": "text", "headline": ["list"]}, "sections[0].headline", "a text expected"),
    ({"type": "contact", "email": "not-an-address"}, "sections[0].email", "an e-mail address expected"),
    ({"type": "contact", "phone": "call us"}, "sections[0].phone", "a phone number expected"),
    ({"type": "shortcode", "shortcode": "<script>"}, "sections[0].shortcode", "a shortcode like"),
    ({"type": "shortcode", "shortcode": '[form title="A & B"]'}, "sections[0].shortcode", "(without <, > or &)"),
    ({"type": "image-text", "text": "x", "image": "/a.jpg", "image_position": "top"},
     "sections[0].image_position", "one of left, right"),
    ({"type": "contact-form", "provider": "gravity"}, "sections[0].provider", "one of fabrik, contact-form-7, wpforms"),
    ({"type": "contact-form", "form_id": 0}, "sections[0].form_id", "a whole number 1..1000000000"),
    ({"type": "contact-form", "shortcode": "[x]"}, "sections[0].shortcode", "unknown field"),
    ({"type": "products", "items": [{"price": "1 €"}]}, "sections[0].items[0].title", "required"),
    ({"type": "products", "url": "javascript:alert(1)", "items": [{"title": "A"}]}, "sections[0].url",
     'URL scheme "javascript" refused'),
    ({"type": "products", "items": [{"title": "A", "name": "B"}]}, "sections[0].items[0].name", "unknown field"),
])
def test_invalid_sections_name_the_field(section, field, message):
    with pytest.raises(SpecError) as caught:
        _blocks.render([section], {"company": {"name": "Acme"}})
    assert caught.value.field == field
    assert message in str(caught.value)


def test_hero_with_image_is_a_cover_and_anchor_is_kept():
    markup = _blocks.render([{"type": "hero", "id": "top", "headline": "Hi", "image": "https://x/a.jpg"}])
    assert markup.startswith('<!-- wp:cover {"url":"https://x/a.jpg","dimRatio":50,"align":"full",'
                             '"className":"fabrik-section fabrik-hero"} -->\n<div class="wp-block-cover alignfull '
                             'fabrik-section fabrik-hero" id="top"><img ')
    plain = _blocks.render([{"type": "hero", "headline": "Hi"}])
    assert plain.startswith('<!-- wp:group {"align":"full","className":"fabrik-section fabrik-hero"')


def test_non_latin_text_is_kept_verbatim():
    markup = _blocks.render([{"type": "stats", "items": [{"value": "١٠٠٪", "label": "Привет 你好 😀"}]}])
    assert "١٠٠٪" in markup and "Привет 你好 😀" in markup


def test_grid_rows_hold_the_asked_number_of_columns():
    items = [{"title": str(index)} for index in range(5)]
    markup = _blocks.render([{"type": "features", "columns": 2, "items": items}])
    assert markup.count("<!-- wp:columns {\"align\":\"wide\"} -->") == 3
    assert markup.count("<!-- wp:column -->") == 5


def test_raw_content_is_escaped_unless_trusted():
    assert _blocks.render_raw("<b>x</b>\n\nsecond") == (
        "<!-- wp:paragraph -->\n<p>&lt;b&gt;x&lt;/b&gt;</p>\n<!-- /wp:paragraph -->\n\n"
        "<!-- wp:paragraph -->\n<p>second</p>\n<!-- /wp:paragraph -->")
    assert _blocks.render_raw("  <!-- wp:html --><b>x</b><!-- /wp:html -->\n", raw_html=True) == \
        "<!-- wp:html --><b>x</b><!-- /wp:html -->"
    assert _blocks.render_raw("{{ not.a.placeholder }}") == \
        "<!-- wp:paragraph -->\n<p>{{ not.a.placeholder }}</p>\n<!-- /wp:paragraph -->"


def test_navigation_links_and_submenus():
    markup = _blocks.navigation([
        {"label": "About <us>", "url": "https://x/about/", "page_id": 4,
         "children": [{"label": "Docs", "url": "https://docs.x/"}]},
    ])
    assert markup == (
        '<!-- wp:navigation-submenu {"label":"About \\u0026lt;us\\u0026gt;","type":"page","id":4,'
        '"url":"https://x/about/","kind":"post-type"} -->\n'
        '<!-- wp:navigation-link {"label":"Docs","url":"https://docs.x/","kind":"custom"} /-->\n'
        "<!-- /wp:navigation-submenu -->")


# ------------------------------------------------------------------ filters


def test_the_contact_form_section_is_the_connectors_shortcode():
    markup = _blocks.render([{"type": "contact-form", "headline": "Write", "text": "[gallery] & more"}])
    assert markup.count("<!-- wp:shortcode -->\n[fabrik_contact_form]\n<!-- /wp:shortcode -->") == 1
    assert "<p>[\u2060gallery] &amp; more</p>" in markup  # the text runs no shortcode
    handed = _blocks.render([{"type": "contact-form", "provider": "contact-form-7", "form_id": 12}])
    assert '[fabrik_contact_form provider="contact-form-7" form="12"]' in handed
    assert '[fabrik_contact_form provider="wpforms"]' in _blocks.render([{"type": "contact-form", "provider": "wpforms"}])


def test_each_product_leads_to_the_contact_form_naming_it():
    markup = _blocks.render([{"type": "products", "url": "/contact/?from=shop#form", "items": [
        {"title": "Mug & {{ company.name }}", "price": "12 €", "image": "/mug.png"},
        {"title": "Card", "url": "https://cards.example/"}]}], {"company": {"name": "Acme"}})
    # the title, placeholder filled, in the query before the fragment
    assert 'href="/contact/?from=shop&amp;enquiry=Mug+%26+Acme#form"' in markup
    assert '<img src="/mug.png" alt="Mug &amp; Acme"/>' in markup
    assert "<strong>12 €</strong>" in markup and ">Enquire</a>" in markup
    assert 'href="https://cards.example/"' in markup
    assert 'href="/contact/?enquiry=Tea"' in _blocks.render([{"type": "products", "items": [{"title": "Tea"}]}])
