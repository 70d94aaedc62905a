"""Acceptance test of the section renderer: the block editor of the WordPress under test must accept it.

``tests/blockvalidator/validate.js`` loads WordPress's own ``wp-includes/js/dist`` bundles into
jsdom and validates each document with ``wp.blocks.parse`` plus ``wp.blocks.validateBlock``, as
the editor does when it opens a page. One Node process validates every document (the bundles
load once); run with ``-s`` to see the measured time.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.fabrik.deploy.plugins.module_utils import _blocks

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = REPO / "tests" / "blockvalidator"
WORDPRESS = Path("/usr/share/wordpress")

HOSTILE_TEXTS = (
    '<script>alert("x")</script> & \'quotes\' "double"',
    "--> <!-- wp:paragraph --><p>injected</p><!-- /wp:paragraph --> <!--",
    "😀 emoji, مرحبا بالعالم, 你好世界, Привет мир",
    '</div></figure>{"json":"--"} \\ backslash </p>',
)
HOSTILE_URL = 'https://example.com/a?q=<b>&x="y"--><!--wp:x-->'
URL_FIELDS = {"url", "image", "photo"}
UNTOUCHED_FIELDS = {"type", "id", "style", "image_position", "columns", "height", "page_id"}
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
    "separator": {},
    "spacer": {"height": 32},
}
HERO_WITH_IMAGE = {"type": "hero", "id": "top", "headline": "Cover", "image": IMAGE,
                   "buttons": [{"text": "Go", "url": "/go"}]}
NAVIGATION = [
    {"label": "About", "url": "https://example.com/about/", "page_id": 6, "children": [
        {"label": "Team", "url": "https://example.com/team/", "page_id": 7},
        {"label": "Docs", "url": "https://docs.example.com/"}]},
    {"label": "Home", "url": "/"},
]

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed for the block validator"),
    pytest.mark.skipif(not (WORDPRESS / "wp-includes/js/dist/blocks.min.js").is_file(),
                       reason="WordPress is needed at %s" % WORDPRESS),
    pytest.mark.skipif(shutil.which("php") is None, reason="php is needed to read WordPress's script list"),
]


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


def _documents():
    documents = []
    for kind, sample in SAMPLES.items():
        section = dict(sample, type=kind)
        documents.append({"name": kind, "content": _blocks.render([section])})
        documents.append({"name": kind + " (hostile)", "content": _blocks.render([_hostile(section)])})
    documents.append({"name": "hero with image", "content": _blocks.render([HERO_WITH_IMAGE])})
    documents.append({"name": "hero with image (hostile)", "content": _blocks.render([_hostile(HERO_WITH_IMAGE)])})
    documents.append({"name": "navigation", "content": _blocks.navigation(NAVIGATION)})
    documents.append({"name": "navigation (hostile)", "content": _blocks.navigation(_hostile(NAVIGATION))})
    for path in sorted((REPO / "templates").glob("*/*.yml")):
        documents += _template_documents(path)
    return documents


def _template_documents(path):
    """Every page of a preset or legal template, placeholders filled from a sample spec."""
    data = yaml.safe_load(path.read_text())
    context = {"company": {"name": "Acme <GmbH> & Co", "email": "legal@acme.example",
                           "address": "1 Main St, Springfield", "country": "Germany"},
               "site": {"domain": "acme.example", "title": "Acme"}}
    pages = data.get("pages", []) if "pages" in data else [data]
    return [{"name": "%s/%s" % (path.relative_to(REPO / "templates"), page["slug"]),
             "content": _blocks.render(page["sections"], context)} for page in pages if page.get("sections")]


def _validate(documents):
    if not (VALIDATOR / "node_modules" / "jsdom").is_dir():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=VALIDATOR, check=True,
                       capture_output=True, timeout=300)
    started = time.monotonic()
    proc = subprocess.run(["node", str(VALIDATOR / "validate.js"), "--wordpress", str(WORDPRESS)],
                          input=json.dumps(documents), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    sys.stdout.write("\n[block validator] WordPress %s: %d documents, bundles loaded in %d ms, validated in %d ms, "
                     "%.2f s in all\n" % (report["wordpress"], len(documents), report["load_ms"],
                                          report["validate_ms"], time.monotonic() - started))
    assert (proc.returncode == 0) == all(result["valid"] for result in report["results"])
    return {result["name"]: result for result in report["results"]}


@pytest.fixture(scope="module")
def validated():
    documents = _documents()
    return documents, _validate(documents)


def test_every_section_type_has_a_sample():
    assert set(SAMPLES) == set(_blocks.SECTION_TYPES)


def test_every_section_and_template_page_is_valid_for_the_block_editor(validated):
    documents, results = validated
    assert len(results) == len(documents)
    invalid = {name: result["problems"] for name, result in results.items() if not result["valid"]}
    assert invalid == {}
    assert all(result["blocks"] >= 2 for result in results.values())


def test_hostile_text_survives_as_text_only(validated):
    documents = validated[0]
    for document in documents:
        if "(hostile)" not in document["name"]:
            continue
        content = document["content"]
        assert "<script" not in content
        assert content.count("<!-- wp:paragraph") == content.count("<!-- /wp:paragraph -->")
        assert "--><!--wp:x" not in content  # the hostile URL, in HTML or in a block comment, is escaped


def test_broken_markup_is_reported_invalid():
    good = _blocks.render([dict(SAMPLES["cta"], type="cta")])
    documents = [
        {"name": "tag changed", "content": good.replace("<h2", "<h3", 1).replace("</h2>", "</h3>", 1)},
        {"name": "class dropped", "content": good.replace(' class="wp-block-buttons"', "", 1)},
        {"name": "unknown block", "content": "<!-- wp:fabrik/nothing /-->"},
        {"name": "html outside blocks", "content": good + "\n\n<p>stray</p>"},
        {"name": "deprecated markup", "content": "<!-- wp:paragraph -->\n<div>old</div>\n<!-- /wp:paragraph -->"},
        {"name": "control", "content": good},
    ]
    results = _validate(documents)
    assert [name for name, result in results.items() if result["valid"]] == ["control"]
    assert "Expected tag name" in " ".join(results["tag changed"]["problems"])
    assert results["unknown block"]["problems"] == ["#0 core/missing: unknown block fabrik/nothing"]


def test_attribute_json_is_what_wordpress_would_accept_back():
    hostile_cover = _blocks.render([_hostile(HERO_WITH_IMAGE)])
    comment = hostile_cover.split("\n", 1)[0]
    assert "\\u003c" in comment and "\\u002d\\u002d" in comment and "\\u0026" in comment
    assert "\\u0022" in comment
    # the JSON still decodes to the original URL
    attributes = json.loads(comment[len("<!-- wp:cover "):-len(" -->")])
    assert attributes["url"] == HOSTILE_URL
