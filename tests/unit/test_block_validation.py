"""Acceptance test of the section renderer: the block editor of each supported WordPress accepts it as is.

``tests/blockvalidator/validate.js`` loads WordPress's own ``wp-includes/js/dist`` bundles into
jsdom and validates each document with ``wp.blocks.parse`` plus ``wp.blocks.validateBlock``, as
the editor does when it opens a page, then serializes it back with ``wp.blocks.serialize``, as the
editor does when it saves: every document (every section type, every preset and legal page,
hostile inputs) must be valid *and* come back unchanged, for WordPress 6.8 (Debian 13's, from
``make wordpress-debian13``) and 6.1 (Debian 12's), each document rendered for that version. One
Node process per version validates every document (the bundles load once); run with ``-s`` to see
the measured time.
"""

import html
import json
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from ansible_collections.fabrik.deploy.plugins.module_utils import _block_markup, _blocks, _themes
from tests.sandbox.wordpress import VERSIONS, wordpress_release

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = REPO / "tests" / "blockvalidator"

HOSTILE_TEXTS = (
    '<script>alert("x")</script> & \'quotes\' "double"',
    "--> <!-- wp:paragraph --><p>injected</p><!-- /wp:paragraph --> <!--",
    "😀 emoji, مرحبا بالعالم, 你好世界, Привет мир",
    '</div></figure>{"json":"--"} \\ backslash </p>',
    '[video src="https://example.com/x.mp4"] [gallery ids="1,2"] [[caption]] [/video] [',
    "Fish &amp; Chips &#91;x&#93; &copy; R&D; AT&T &#x27; &notit; &",
)
HOSTILE_URL = 'https://example.com/a?q=<b>&x="y"--><!--wp:x-->'
# URLs written with character references: read as a browser reads them (and as the editor stores them).
REFERENCE_URLS = ("https://example.com/?a=1&amp;b=2&copy=3&amp;amp;c=4", "&#x2F;contact&#47;?q=[x]'&apos;",
                  "https://example.com/&foo;&notin;")
URL_FIELDS = {"url", "image", "photo"}
UNTOUCHED_FIELDS = {"type", "id", "style", "image_position", "columns", "height", "page_id", "shortcode", "provider",
                    "form_id", "count"}
IMAGE = "https://example.com/image.jpg"

SAMPLES = {
    "hero": {"headline": "Build faster", "subheadline": "Sites from a domain name",
             "buttons": [{"text": "Start", "url": "/start"},
                         {"text": "Docs", "url": "https://example.com/docs", "style": "outline"}]},
    "features": {"headline": "Features", "intro": "Why us", "columns": 2,
                 "items": [{"title": "Fast", "text": "Very"}, {"title": "Safe", "text": "Escaped\nalways"},
                           {"title": "Open"}]},
    "cta": {"headline": "Ready?", "text": "Go now", "buttons": [{"text": "Buy", "url": "#pricing"}]},
    "pricing": {"headline": "Plans", "plans": [
        {"name": "Basic", "price": "9 €", "period": "month", "features": ["One site", "E-mail"],
         "buttons": [{"text": "Choose", "url": "/signup?plan=basic&x=1"}]},
        {"name": "Pro", "price": "29 €"}]},
    "testimonials": {"headline": "Clients", "items": [{"quote": "Great", "author": "Ada", "role": "CTO"},
                                                      {"quote": "Fine", "author": "Bob"}]},
    "faq": {"headline": "FAQ", "items": [{"question": "Why?", "answer": "Because.\n\n- one\n- two"}]},
    "contact": {"headline": "Contact", "text": "Write us", "email": "hello@example.com",
                "phone": "+1 (555) 010-0000", "address": "1 Main St\nSpringfield"},
    "team": {"headline": "Team", "members": [{"name": "Ada", "role": "Founder", "photo": IMAGE, "bio": "Math"},
                                             {"name": "Bob"}]},
    "stats": {"headline": "Numbers",
              "items": [{"value": "99%", "label": "Uptime"}, {"value": "24/7", "label": "Support"}]},
    "logos": {"headline": "Trusted by", "items": [{"image": IMAGE, "alt": "Acme", "url": "https://acme.example"},
                                                  {"image": IMAGE, "alt": "Globex"}]},
    "gallery": {"headline": "Gallery", "columns": 3, "images": [{"url": IMAGE, "alt": "One", "caption": "First"},
                                                                {"url": IMAGE}]},
    "posts": {"headline": "Latest articles", "intro": "From the blog", "count": 3, "columns": 2,
              "buttons": [{"text": "All articles", "url": "/articles/"}]},
    "text": {"headline": "About", "body": "First paragraph.\n\nSecond\nline.",
             "buttons": [{"text": "More", "url": "/about"}]},
    "image-text": {"headline": "Story", "text": "We build.", "image": IMAGE, "image_alt": "Office",
                   "image_position": "right", "buttons": [{"text": "Read", "url": "/story"}]},
    "newsletter": {"headline": "News", "text": "Monthly", "buttons": [{"text": "Subscribe",
                                                                       "url": "https://list.example/join"}]},
    "services": {"headline": "Services", "intro": "What we do", "items": [
        {"title": "Design", "text": "Pretty", "image": IMAGE, "url": "/design", "link_text": "See design"},
        {"title": "Hosting", "text": "Reliable"}]},
    "timeline": {"headline": "History", "items": [{"date": "2020", "title": "Founded", "text": "In a garage"},
                                                  {"date": "2024", "title": "Grew"}]},
    "legal": {"headline": "Privacy", "updated": "Last updated: 2026-01-01",
              "parts": [{"heading": "Data", "body": "We keep little.\n\n- logs\n- e-mail"}]},
    "shortcode": {"headline": "Write to us", "shortcode": '[contact-form-7 id="12" title="Contact us"]'},
    "contact-form": {"headline": "Write to us", "text": "We answer within a day.", "provider": "wpforms", "form_id": 7},
    "products": {"headline": "Products", "intro": "Ask about any", "columns": 2, "button_text": "Ask", "url": "/contact/",
                 "items": [{"title": "Mug & cup", "price": "12 €", "text": "Nice.\n\n- blue\n- red", "image": IMAGE,
                            "image_alt": "A mug"}, {"title": "Tee"}, {"title": "Card", "url": "/cards/?a=1&b=2"}]},
    "separator": {},
    "spacer": {"height": 32},
}
HERO_WITH_IMAGE = {"type": "hero", "id": "top", "headline": "Cover", "image": IMAGE,
                   "buttons": [{"text": "Go", "url": "/go"}]}
PART_PLACEHOLDERS = {"site": {"title": HOSTILE_TEXTS[0] + " " + HOSTILE_TEXTS[4],
                              "owner": HOSTILE_TEXTS[1] + " " + HOSTILE_TEXTS[4]}}
NAVIGATION = [
    {"label": "About", "url": "https://example.com/about/", "page_id": 6, "children": [
        {"label": "Team", "url": "https://example.com/team/", "page_id": 7},
        {"label": "Docs", "url": "https://docs.example.com/"}]},
    {"label": "Home", "url": "/"},
]

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed for the block validator"),
    pytest.mark.skipif(shutil.which("php") is None, reason="php is needed to read WordPress's script list"),
]
# WordPress's shortcode pattern (get_shortcode_regex) for a few core tags: none may match a rendered text.
SHORTCODE = re.compile(r"\[(\[?)(video|gallery|caption|audio|embed)(?![\w-])")


def _wordpress(version):
    """The WordPress tree of ``version``; the test skips when it is not there."""
    source = VERSIONS[version][0]
    if not (source / "wp-includes" / "js" / "dist" / "blocks.min.js").is_file():
        pytest.skip("WordPress %s is needed at %s (%s)" % (version, source, VERSIONS[version][2]))
    return source


def _hostile(value, key=None, text_index=0):
    """``value`` with every text replaced by a hostile one (URLs by a hostile URL)."""
    if isinstance(value, dict):
        return {k: (v if k in UNTOUCHED_FIELDS else _hostile(v, k, index)) for index, (k, v) in
                enumerate(value.items())}
    if isinstance(value, list):
        return [_hostile(item, key, index) for index, item in enumerate(value)]
    if key in URL_FIELDS:
        return HOSTILE_URL
    if key == "email":
        return "o'brien&co+news@example.com"
    if key == "phone":
        return "+1 <555> 010 & 0000"
    return HOSTILE_TEXTS[text_index % len(HOSTILE_TEXTS)]


def _reference_sections():
    """Sections whose URLs are written with character references and whose alt texts hold some."""
    alt = HOSTILE_TEXTS[5] + " " + HOSTILE_TEXTS[4]
    return [
        {"type": "cta", "headline": HOSTILE_TEXTS[4], "buttons": [{"text": HOSTILE_TEXTS[5], "url": url}
                                                                  for url in REFERENCE_URLS]},
        {"type": "logos", "items": [{"image": url, "alt": alt, "url": url} for url in REFERENCE_URLS]},
        {"type": "gallery", "images": [{"url": REFERENCE_URLS[0], "alt": alt, "caption": HOSTILE_TEXTS[4]}]},
        {"type": "image-text", "image": REFERENCE_URLS[1], "image_alt": alt, "text": HOSTILE_TEXTS[5]},
        {"type": "team", "members": [{"name": alt, "photo": REFERENCE_URLS[2], "bio": HOSTILE_TEXTS[4]}]},
        {"type": "hero", "headline": HOSTILE_TEXTS[4], "image": REFERENCE_URLS[0]},
    ]


def _documents(version):
    def render(sections, context=None):
        return _blocks.render(sections, context, wordpress_version=version)

    documents = []
    for kind, sample in SAMPLES.items():
        section = dict(sample, type=kind)
        documents.append({"name": kind, "content": render([section])})
        documents.append({"name": kind + " (hostile)", "content": render([_hostile(section)])})
    documents.append({"name": "hero with image", "content": render([HERO_WITH_IMAGE])})
    documents.append({"name": "hero with image (hostile)", "content": render([_hostile(HERO_WITH_IMAGE)])})
    for index, section in enumerate(_reference_sections()):
        documents.append({"name": "%s with references (hostile %d)" % (section["type"], index),
                          "content": render([section])})
    documents.append({"name": "navigation", "content": _blocks.navigation(NAVIGATION)})
    documents.append({"name": "navigation (hostile)", "content": _blocks.navigation(_hostile(NAVIGATION))})
    for path in sorted((REPO / "templates").glob("*/*.yml")):
        if path.parent.name != "themes":
            documents += _template_documents(path, render)
            documents += _catalogue_documents(path, render)
    documents += _theme_part_documents(version)
    return documents


def _theme_part_documents(version):
    """The template parts of every theme profile that supports ``version``, with and without the menus, and the
    profile's own templates (sent as they are)."""
    documents = []
    for path in sorted((REPO / "templates" / "themes").glob("*.yml")):
        profile = yaml.safe_load(path.read_text())
        if _block_markup.markup_version(profile["wordpress"]) > _block_markup.markup_version(version):
            continue
        for slug, template in profile.get("templates", {}).items():
            documents.append({"name": "themes/%s/templates/%s" % (path.stem, slug), "content": template["content"]})
        for slug, part in profile.get("parts", {}).items():
            for menus in ({"footer": 12, "primary": 11}, {}):
                documents.append({"name": "themes/%s/%s%s" % (path.stem, slug, "" if menus else " (no menus)"),
                                  "content": _themes.render_part(part["content"], PART_PLACEHOLDERS, menus)})
    return documents


def _sample_context(data):
    """The placeholders of a sample spec for the template ``data`` (its media where the uploads would be)."""
    return {"company": {"name": "Acme <GmbH> & Co", "email": "legal@acme.example",
                        "address": "1 Main St, Springfield", "country": "Germany", "phone": "+49 30 1234567",
                        "representative": "Ada Example", "register": "HRB 12345", "vat_id": "DE123456789",
                        "hosting": "Host & Co"},
            "site": {"domain": "acme.example", "title": "Acme", "owner": "Acme <GmbH> & Co"},
            "legal": {"law": "the law of Germany"},
            "media": {item["name"]: "/wp-content/uploads/%s.png" % item["name"] for item in data.get("media", [])}}


def _template_documents(path, render):
    """Every page of a preset or legal template, placeholders filled from a sample spec."""
    data = yaml.safe_load(path.read_text())
    context = _sample_context(data)
    pages = data.get("pages", []) + data.get("posts", []) if "pages" in data else [data]
    for page in pages:  # every part of a legal page, whatever its condition (the wordpress_spec filter's)
        for section in page.get("sections") or []:
            if section.get("parts"):
                section["parts"] = [{key: value for key, value in part.items() if key != "when"}
                                    for part in section["parts"]]
    return [{"name": "%s/%s" % (path.relative_to(REPO / "templates"), page["slug"]),
             "content": render(page["sections"], context)} for page in pages if page.get("sections")]


def _catalogue_documents(path, render):
    """The catalogue page of a preset with a shop (its products as the products section the role makes)."""
    data = yaml.safe_load(path.read_text())
    shop = data.get("shop") or {}
    if not shop.get("products"):
        return []
    section = {"type": "products", "headline": shop.get("headline"), "intro": shop.get("intro"),
               "items": shop["products"], "url": "/contact/"}
    return [{"name": "%s/shop (catalogue)" % path.relative_to(REPO / "templates"),
             "content": render([section], _sample_context(data))}]


def validate(documents, wordpress):
    """The validator's report on ``documents`` with the bundles of the WordPress tree ``wordpress``."""
    if not (VALIDATOR / "node_modules" / "jsdom").is_dir():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=VALIDATOR, check=True,
                       capture_output=True, timeout=300)
    started = time.monotonic()
    proc = subprocess.run(["node", str(VALIDATOR / "validate.js"), "--wordpress", str(wordpress)],
                          input=json.dumps(documents), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    sys.stdout.write("\n[block validator] WordPress %s: %d documents, bundles loaded in %d ms, validated in %d ms, "
                     "%.2f s in all\n" % (report["wordpress"], len(documents), report["load_ms"],
                                          report["validate_ms"], time.monotonic() - started))
    assert report["wordpress"] == wordpress_release(Path(wordpress))
    assert (proc.returncode == 0) == all(result["valid"] for result in report["results"])
    return {result["name"]: result for result in report["results"]}


@pytest.fixture(scope="module", params=sorted(VERSIONS, reverse=True))
def validated(request):
    wordpress = _wordpress(request.param)
    documents = _documents(wordpress_release(wordpress))
    return documents, validate(documents, wordpress)


def test_every_section_type_has_a_sample():
    assert set(SAMPLES) == set(_blocks.SECTION_TYPES)


def test_every_document_is_valid_and_an_editor_save_changes_nothing(validated):
    documents, results = validated
    assert len(results) == len(documents)
    invalid = {name: result["problems"] for name, result in results.items() if not result["valid"]}
    assert invalid == {}
    changed = {name: result["reserialized"] for name, result in results.items() if result["reserialized"]}
    assert changed == {}
    assert all(result["blocks"] >= 2 for result in results.values())


def test_the_versions_write_different_markup():
    """6.2+ added wp-block-heading, 6.5+ wp-block-list, 6.8 put the cover's image first: one page shows all."""
    page = [HERO_WITH_IMAGE, dict(SAMPLES["faq"], type="faq")]
    old, new = (_blocks.render(page, wordpress_version=version) for version in ("6.1.9", "6.8.12"))
    assert '<h2 class="wp-block-heading">FAQ</h2>' in new and "<h2>FAQ</h2>" in old
    assert '<ul class="wp-block-list">' in new and "<ul>" in old
    assert new.index("wp-block-cover__image-background") < new.index("wp-block-cover__background")
    assert old.index("wp-block-cover__image-background") > old.index("wp-block-cover__background")
    assert _blocks.render(page) == new  # the newest when the version is unknown


def _elements(content):
    """The names of the HTML elements a browser finds in ``content``."""
    names = set()

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names.add(tag)

    Collector().feed(content)
    return names


def test_hostile_text_survives_as_text_only(validated):
    documents = validated[0]
    for document in documents:
        if "(hostile" not in document["name"]:
            continue
        content = document["content"]
        assert "script" not in _elements(content)
        # WordPress leaves "<" unescaped in attribute values ("-->" is never there): outside them, no markup
        outside = re.sub(r'="[^"]*"', "", content)
        assert "<script" not in outside
        assert outside.count("<!-- wp:paragraph") == outside.count("<!-- /wp:paragraph -->")
        assert "-->" not in "".join(re.findall(r'="([^"]*)"', content))
        assert "--><!--wp:x" not in content  # the hostile URL, in HTML or in a block comment, is escaped
        if "navigation" not in document["name"]:
            assert not SHORTCODE.search(content), document["name"]


def test_shortcodes_and_references_in_text_are_shown_literally(validated):
    """The text as a browser shows it is the text of the spec, whatever WordPress would do with [ and &."""
    documents = {document["name"]: document["content"] for document in validated[0]}
    cta = documents["cta with references (hostile 0)"]
    assert '[\u2060video src="https://example.com/x.mp4"] [\u2060gallery ids="1,2"] [\u2060[\u2060caption]]' in cta
    assert "Fish &amp;amp; Chips &amp;#91;x&amp;#93; &amp;copy; R&amp;D; AT&amp;T" in cta
    gallery = documents["gallery with references (hostile 2)"]
    alt = re.search(r'alt="([^"]*)"', gallery).group(1)
    # the word joiner (U+2060) keeps WordPress's serializer from reading references or shortcodes there
    assert html.unescape(alt).replace("\u2060", "") == HOSTILE_TEXTS[5] + " " + HOSTILE_TEXTS[4].replace('"', '"')
    assert not SHORTCODE.search(html.unescape(alt))
    assert not re.search(r"&(?:[a-z0-9]+|#[0-9]+|#x[0-9a-f]+);", html.unescape(alt), re.I)


def test_urls_with_references_are_stored_as_a_browser_reads_them(validated):
    documents = {document["name"]: document["content"] for document in validated[0]}
    cta = documents["cta with references (hostile 0)"]
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]*)"', cta)]
    assert hrefs == ["https://example.com/?a=1&b=2&copy=3&c=4", "/contact/?q=[x]''", "https://example.com/&foo;∉"]


@pytest.mark.parametrize("version", sorted(VERSIONS, reverse=True))
def test_broken_markup_is_reported_invalid(version):
    wordpress = _wordpress(version)
    good = _blocks.render([dict(SAMPLES["cta"], type="cta")], wordpress_version=version)
    documents = [
        {"name": "tag changed", "content": good.replace("<h2", "<h3", 1).replace("</h2>", "</h3>", 1)},
        {"name": "class dropped", "content": good.replace(' class="wp-block-buttons"', "", 1)},
        {"name": "unknown block", "content": "<!-- wp:fabrik/nothing /-->"},
        {"name": "html outside blocks", "content": good + "\n\n<p>stray</p>"},
        {"name": "deprecated markup", "content": "<!-- wp:paragraph -->\n<div>old</div>\n<!-- /wp:paragraph -->"},
        {"name": "other version", "content": _blocks.render([dict(SAMPLES["cta"], type="cta")],
                                                            wordpress_version="6.1" if version == "6.8" else "6.8")},
        {"name": "control", "content": good},
    ]
    results = validate(documents, wordpress)
    assert [name for name, result in results.items() if result["valid"]] in (["control"], ["other version", "control"])
    assert "Expected tag name" in " ".join(results["tag changed"]["problems"])
    assert results["unknown block"]["problems"] == ["#0 core/missing: unknown block fabrik/nothing"]
    assert results["control"]["reserialized"] is None
    # 6.8 refuses 6.1's headings; 6.1 takes 6.8's heading class for a custom one: an editor save changes both
    assert not results["other version"]["valid"] or results["other version"]["reserialized"] not in (None, good)


def test_attribute_json_is_what_wordpress_would_accept_back():
    hostile_cover = _blocks.render([_hostile(HERO_WITH_IMAGE)])
    comment = hostile_cover.split("\n", 1)[0]
    assert "\\u003c" in comment and "\\u002d\\u002d" in comment and "\\u0026" in comment
    assert "\\u0022" in comment
    # the JSON still decodes to the original URL
    attributes = json.loads(comment[len("<!-- wp:cover "):-len(" -->")])
    assert attributes["url"] == HOSTILE_URL
