"""The wordpress stage end to end: the real ansible-playbook against the sandbox's real WordPress.

WordPress sits behind the sandbox's control API (``tests/sandbox/wordpress_front.py``), so the
request log proves what was written and faults (``after: true``: applied, answer lost) hit any
write.  A reset costs about a second, a fresh converge of the company preset about 8 s: the
finished company site is built once and shared by the tests that only read it (rebuilt when
another test reset WordPress in between).
"""

import html
import json
import os
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
import requests
import yaml

from tests.integration.browser import CHROMIUM_FLAGS, WIDTHS, chromium, look, problems
from tests.integration.contact_form import FIELDS, SUCCESS, parse_form, post_form, read_form, stored_submissions
from tests.sandbox.wordpress import default_theme, selected_version, wordpress_source

REPO = Path(__file__).resolve().parents[2]
PRESETS = REPO / "templates" / "presets"
LEGAL = REPO / "templates" / "legal"
VALIDATOR = REPO / "tests" / "blockvalidator"
WORDPRESS_PORT_OFFSET = 6
ADMIN_PASSWORD = "sandbox-wordpress-admin-password"
READ_METHODS = {"GET", "HEAD", "OPTIONS"}

# The lines site.yml has for this stage (module_defaults of the wordpress action group, the preflight of the
# stage, the role under its tag): a playbook of one's own, as docs/stages.md describes it.
PLAYBOOK = """---
- name: WordPress stage
  hosts: sites
  connection: local
  gather_facts: false
  module_defaults:
    group/fabrik.deploy.wordpress:
      url: "{{ wordpress_url | default(omit) }}"
      username: "{{ wordpress_username | default(omit) }}"
      app_password: "{{ wordpress_app_password | default(omit) }}"
  tasks:
    - name: Preflight of the stage
      ansible.builtin.import_role:
        name: fabrik.deploy.preflight
      vars:
        preflight_stages: [wordpress]
      tags: [always]
    - name: WordPress stage
      ansible.builtin.import_role:
        name: fabrik.deploy.wordpress
        rolespec_validate: false
      tags: [wordpress]
"""

COMPANY = {"name": "Acme & Söhne", "email": "hello@acme.example", "address": "1 Main Street, Springfield",
           "phone": "+49 30 1234567", "country": "Germany"}
SHORTCODES = "[video src=x.mp4] [gallery] [[caption]]"
REFERENCES = "Fish &amp; Chips &#91;video&#93; &copy;"
HOSTILE = (
    '<script>alert("x")</script> & \'quotes\' "double"',
    "--> <!-- wp:paragraph --><p>injected</p><!-- /wp:paragraph --> <!--",
    "😀 emoji, مرحبا بالعالم, 你好世界, Привет мир",
    '</div></figure>{"json":"--"} backslash \\ </p>',
)


# ------------------------------------------------------------------ helpers


def png(size):
    """A valid ``size`` x ``size`` single-colour PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x10\x6c\xff" * size for _unused in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class WordPress:
    """The sandbox WordPress: control API (log, faults, reset) and its REST API as the admin."""

    def __init__(self, port_base):
        self.url = "http://127.0.0.1:%d" % (port_base + WORDPRESS_PORT_OFFSET)
        self.generation = 0  # bumped at every reset: a cached converged site is stale after one
        self.company_site = None

    def control(self, method, path, body=None):
        response = requests.request(method, "%s/_sandbox/%s" % (self.url, path), json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def reset(self):
        self.control("POST", "reset")
        self.generation += 1

    def requests(self):
        return self.control("GET", "requests")

    def clear_log(self):
        self.control("DELETE", "requests")

    def writes(self):
        return [(entry["method"], entry["path"]) for entry in self.requests() if entry["method"] not in READ_METHODS]

    def rest(self, password_file, route, **params):
        response = requests.get(self.url + "/wp-json" + route, params=dict(params, per_page=100),
                                auth=("admin", Path(password_file).read_text().strip()), timeout=30)
        assert response.status_code == 200, response.text[:500]
        return response.json()


class Site:
    """One site spec in its own directory: inventory, playbook and the kept application password."""

    def __init__(self, sandbox, wordpress, directory, host_vars):
        self.sandbox = sandbox
        self.wordpress = wordpress
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.password_file = self.directory / "app-password"
        self.playbook_file = self.directory / "wordpress.yml"
        self.playbook_file.write_text(PLAYBOOK)
        self.host_vars = host_vars
        self.inventory = self.write_inventory(host_vars)

    def write_inventory(self, host_vars, name="inv"):
        group_vars = {
            "wordpress_url": self.wordpress.url,
            "wordpress_username": "admin",
            "wordpress_admin_password": ADMIN_PASSWORD,
            "wordpress_admin_email": "admin@sandbox.invalid",
            "wordpress_app_password_file": str(self.password_file),
        }
        return self.sandbox.inventory(self.directory / name, {"site": host_vars}, group_vars)

    def run(self, inventory=None, **kwargs):
        return self.sandbox.playbook(self.playbook_file, inventory or self.inventory, tags=["wordpress"], **kwargs)

    def converge(self, **kwargs):
        run = self.run(**kwargs)
        assert run.rc == 0, run.explain()
        return run

    def rest(self, route, **params):
        return self.wordpress.rest(self.password_file, route, **params)

    def pages(self):
        return self.rest("/wp/v2/pages", context="edit", status="publish,draft,private,pending,future")

    def snapshot(self):
        """What duplicates would show in: pages, navigation menus and their links, media, app passwords."""
        navigation = self.rest("/wp/v2/navigation", context="edit", status="publish,draft")
        return {
            "pages": sorted((page["slug"], page["title"]["raw"], page["status"]) for page in self.pages()),
            "navigation": sorted((menu["title"]["raw"], menu["content"]["raw"].count("<!-- wp:navigation-"))
                                 for menu in navigation),
            "media": sorted(item["meta"]["fabrik_sha256"] for item in self.rest("/wp/v2/media", context="edit")),
            "app_passwords": sorted(item["name"] for item in self.rest("/wp/v2/users/me/application-passwords")),
        }


def company_spec(assets, **overrides):
    spec = {
        "wordpress_preset": "company",
        "wordpress_site": {"title": "Acme Demo", "tagline": "Things done well", "timezone": "Europe/Paris",
                           "domain": "acme.example"},
        "wordpress_company": dict(COMPANY),
        "wordpress_theme": {"slug": default_theme()},  # Twenty Twenty-Five on 6.8, Twenty Twenty-Three on 6.1
        "wordpress_brand": {"colors": {"primary": "#0a6cff", "secondary": "#10243e"},
                            "fonts": {"body": "Inter, sans-serif"},
                            "logo": str(assets / "logo.png"), "favicon": str(assets / "icon.png")},
        "wordpress_seo": {"title_template": "{title} | {site}", "description": "Acme builds things that last."},
        "wordpress_analytics": {"ga4_id": "G-ACME12345"},
        "wordpress_users": [{"username": "editor", "email": "editor@acme.example", "role": "editor",
                             "display_name": "Ed Itor"}],
        # The brand files live beside the test, not the inventory: their directory is the site's too.
        "site_files_dirs": [str(assets)],
    }
    spec.update(overrides)
    return spec


def fill(text, placeholders):
    def value(match):
        found = placeholders
        for part in match.group(1).split("."):
            found = found[part]
        return str(found)

    return re.sub(r"\{\{\s*([a-z_.]+)\s*\}\}", value, text)


def expected_headlines(preset, placeholders):
    """slug -> the headlines of each section of the preset's pages and its legal pages, placeholders filled."""
    data = yaml.safe_load((PRESETS / (preset + ".yml")).read_text())
    pages = data["pages"] + [yaml.safe_load((LEGAL / (name + ".yml")).read_text()) for name in data["legal"]]
    return {page["slug"]: [fill(section["headline"], placeholders) for section in page["sections"]
                           if section.get("headline")] for page in pages}


def validate_blocks(documents):
    """The block editor's verdict (tests/blockvalidator) on each {name, content}, with the bundles of the
    sandbox's WordPress version: ``valid``, and ``reserialized`` (what an editor save would store; None: itself)."""
    if not (VALIDATOR / "node_modules" / "jsdom").is_dir():
        pytest.skip("tests/blockvalidator needs `npm ci` (jsdom)")
    done = subprocess.run(["node", str(VALIDATOR / "validate.js"), "--wordpress", str(wordpress_source())],
                          input=json.dumps(documents), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["results"]


def write_pattern(method, path):
    """A fault pattern for a logged write: numeric ids as ``*``."""
    return method, re.sub(r"/\d+(?=/|$)", "/*", path)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def wordpress(sandbox_session):
    box = WordPress(sandbox_session.port_base)
    state = box.control("GET", "state")
    if not state.get("available"):
        pytest.skip("sandbox WordPress unavailable: %s" % state.get("missing"))
    return box


@pytest.fixture(scope="session")
def assets(tmp_path_factory):
    directory = tmp_path_factory.mktemp("assets")
    (directory / "logo.png").write_bytes(png(64))
    (directory / "icon.png").write_bytes(png(512))
    return directory


@pytest.fixture()
def fresh(wordpress):
    """A fresh, un-installed WordPress with an empty request log; faults cleared afterwards."""
    wordpress.reset()
    yield wordpress
    wordpress.control("DELETE", "faults")


@pytest.fixture()
def company(sandbox_session, wordpress, assets, tmp_path_factory):
    """The finished company-preset site (built on a fresh WordPress once, again after any reset)."""
    cached = wordpress.company_site
    if cached is None or cached["generation"] != wordpress.generation:
        wordpress.reset()
        site = Site(sandbox_session, wordpress, tmp_path_factory.mktemp("company"), company_spec(assets))
        first = site.converge()
        cached = wordpress.company_site = {"site": site, "first": first, "writes": wordpress.writes(),
                                           "snapshot": site.snapshot(), "generation": wordpress.generation}
    return cached


# ------------------------------------------------------------------ the company site


def test_fresh_wordpress_becomes_the_finished_company_site(company):
    site, first = company["site"], company["first"]
    assert first.changed > 0
    slugs = {page["slug"]: page for page in site.pages()}
    for slug in ("home", "about", "services", "team", "contact", "privacy-policy", "terms"):
        assert slugs[slug]["status"] == "publish", slug
    settings = site.rest("/wp/v2/settings")
    assert (settings["title"], settings["description"], settings["timezone"]) == (
        "Acme Demo", "Things done well", "Europe/Paris")
    assert settings["show_on_front"] == "page" and settings["page_on_front"] == slugs["home"]["id"]
    assert settings["site_logo"] and settings["site_icon"]
    theme = site.rest("/wp/v2/themes", status="active")[0]
    assert theme["stylesheet"] == default_theme()
    menus = {menu["title"]["raw"]: menu["content"]["raw"]
             for menu in site.rest("/wp/v2/navigation", context="edit")}
    assert set(menus) == {"Primary", "Footer"}  # and no "Navigation" of WordPress's own (connector)
    assert '"id":%d' % slugs["team"]["id"] in menus["Primary"]  # team is a submenu item of about
    assert "wp:navigation-submenu" in menus["Primary"]
    editors = site.rest("/wp/v2/users", context="edit", roles="editor")
    assert [(user["username"], user["name"]) for user in editors] == [("editor", "Ed Itor")]
    front = requests.get(site.wordpress.url + "/", timeout=30).text
    assert front.count("gtag/js?id=G-ACME12345") == 1
    about = requests.get(slugs["about"]["link"], timeout=30).text
    assert "<title>About us | Acme Demo</title>" in about
    # The description of a page is its first text (the site-wide one stands in where a page has none).
    assert '<meta name="description" content="Acme &amp; Söhne started small and grew with its clients." />' in about
    assert '<meta property="og:title" content="About us | Acme Demo" />' in about
    assert re.search(r'<meta property="og:image" content="%s/wp-content/uploads/[^"]+\.png" />' % site.wordpress.url,
                     about)
    organisation = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', about).group(1))
    assert organisation == {"@context": "https://schema.org", "@type": "Organization", "name": "Acme & Söhne",
                            "url": site.wordpress.url + "/", "logo": organisation["logo"],
                            "email": "hello@acme.example", "telephone": "+49 30 1234567",
                            "address": "1 Main Street, Springfield"}
    assert organisation["logo"].startswith(site.wordpress.url + "/wp-content/uploads/")
    # GA4 waits for the visitor's consent: stored inert, no script loads it before (browser test: after)
    assert 'data-fabrik-consent="analytics" data-src="https://www.googletagmanager.com/gtag/js?id=G-ACME12345"' in front
    assert '<script async src="https://www.googletagmanager.com' not in front
    # The brand on the theme's own slots: primary is Twenty Twenty-Five's accent-1, Twenty Twenty-Three's primary.
    slot = {"twentytwentyfive": "accent-1", "twentytwentythree": "primary"}[default_theme()]
    assert "--wp--preset--color--%s: #0a6cff" % slot in front


def test_the_footer_shows_the_sites_footer_menu_and_no_placeholder_links(company):
    site = company["site"]
    slugs = {page["slug"]: page for page in site.pages()}
    front = requests.get(site.wordpress.url + "/", timeout=30).text
    footer = front[front.rindex("<footer"):]
    assert slugs["privacy-policy"]["link"] in footer and slugs["terms"]["link"] in footer
    assert 'href="#"' not in footer and ">Patterns<" not in footer and "Proudly powered" not in footer
    assert "© Acme &amp; Söhne" in footer  # the company's name (the site's title without one)
    header = front[front.index("<header"):front.index("</header>")]
    assert "wp-block-site-logo" in header or default_theme() == "twentytwentyfive"  # its logo is in the footer
    assert "custom-logo" in front  # the site's logo shows
    parts = {part["slug"]: part for part in site.rest("/wp/v2/template-parts", context="edit")}
    assert parts["footer"]["source"] == "custom"


def test_the_contact_page_has_the_connectors_form_and_a_message_reaches_the_company(company):
    site = company["site"]
    contact = next(page for page in site.pages() if page["slug"] == "contact")
    raw = contact["content"]["raw"]
    assert raw.count("<!-- wp:shortcode -->\n[fabrik_contact_form]\n<!-- /wp:shortcode -->") == 1
    assert "\\n" not in raw  # no literal backslash-n around the shortcode
    assert "mailto:" not in raw  # the form replaces the preset's e-mail list; the phone and address stay
    assert "Get in touch" in raw and COMPANY["address"] in raw
    visitor = requests.Session()
    form = read_form(visitor, contact["link"])
    answer = post_form(visitor, form, contact["link"], name="Grace Hopper", email="grace@example.com",
                       message="Can you build us a site?")
    assert answer.status_code == 303, answer.text[:500]
    confirmation = visitor.get(answer.headers["Location"], timeout=30)
    assert parse_form(confirmation.text)["notices"] == [SUCCESS + " Send another message"]
    latest = stored_submissions(site.wordpress.url, ("admin", site.password_file.read_text().strip()))[0]["meta"]
    assert (latest["fabrik_name"], latest["fabrik_message"], latest["fabrik_mail"]) == (
        "Grace Hopper", "Can you build us a site?", "sent")
    mail = site.wordpress.control("GET", "state")["mails"][-1]
    assert mail["to"] == COMPANY["email"] and mail["reply_to"] == "grace@example.com"
    assert mail["subject"] == "[Acme Demo] Message from Grace Hopper"
    assert "Can you build us a site?" in mail["body"]


def test_second_run_changes_nothing_and_uploads_nothing(company):
    site = company["site"]
    site.wordpress.clear_log()
    again = site.converge()
    assert again.changed == 0, again.explain()
    assert site.wordpress.writes() == []
    assert site.snapshot() == company["snapshot"]


def test_check_diff_after_a_spec_change_shows_page_diffs_and_writes_nothing(company):
    site = company["site"]
    changed_spec = dict(site.host_vars, wordpress_pages=[
        {"slug": "services", "title": "Our services"},
        {"slug": "contact", "sections": [{"type": "contact", "headline": "Write to us", "email": COMPANY["email"]}]},
    ])
    inventory = site.write_inventory(changed_spec, name="inv-changed")
    site.wordpress.clear_log()
    run = site.run(inventory=inventory, check=True, diff=True)
    assert run.rc == 0, run.explain()
    assert run.changed >= 1, run.explain()
    assert site.wordpress.writes() == []
    assert "page services (site)" in run.stdout and "page services (desired)" in run.stdout
    assert "-title: Services" in run.stdout and "+title: Our services" in run.stdout
    assert re.search(r"^-.*Get in touch", run.stdout, re.M) and re.search(r"^\+.*Write to us", run.stdout, re.M)
    assert "page home (" not in run.stdout  # unchanged pages show no diff
    assert site.snapshot() == company["snapshot"]


def test_every_generated_page_is_valid_for_the_block_editor(company):
    pages = company["site"].pages()
    results = validate_blocks([{"name": page["slug"], "content": page["content"]["raw"]} for page in pages
                               if page["slug"] != "sample-page"])
    assert len(results) == 7
    assert [result for result in results if not result["valid"]] == []
    assert [result["name"] for result in results if result["reserialized"] is not None] == []
    parts = company["site"].rest("/wp/v2/template-parts", context="edit")
    results = validate_blocks([{"name": part["slug"], "content": part["content"]["raw"]} for part in parts
                               if part["source"] == "custom"])
    assert results and [result for result in results if not result["valid"] or result["reserialized"]] == []


def test_an_editor_save_of_every_page_then_a_rerun_changes_nothing(company):
    """Each stored page as the block editor of the site's version saves it (parse, serialize), written back
    through REST like the editor's save; the next run finds nothing to change."""
    site = company["site"]
    pages = [page for page in site.pages() if page["slug"] != "sample-page"]
    results = validate_blocks([{"name": page["slug"], "content": page["content"]["raw"]} for page in pages])
    password = site.password_file.read_text().strip()
    for page, result in zip(pages, results):
        saved = result["reserialized"] if result["reserialized"] is not None else page["content"]["raw"]
        response = requests.post("%s/wp-json/wp/v2/pages/%d" % (site.wordpress.url, page["id"]),
                                 json={"content": saved}, auth=("admin", password), timeout=30)
        assert response.status_code == 200, response.text[:300]
    site.wordpress.clear_log()
    again = site.converge()
    assert again.changed == 0, again.explain()
    assert site.wordpress.writes() == []


def test_pages_are_written_for_the_sites_wordpress_version(company):
    contents = {page["slug"]: page["content"]["raw"] for page in company["site"].pages()}
    heading_class = 'class="wp-block-heading' in contents["about"]
    assert heading_class == (selected_version() == "6.8")


def test_pages_render_with_every_section_headline(company):
    site = company["site"]
    placeholders = {"company": COMPANY, "site": {"title": "Acme Demo", "domain": "acme.example"}}
    links = {page["slug"]: page["link"] for page in site.pages()}
    for slug, headlines in expected_headlines("company", placeholders).items():
        response = requests.get(links[slug], timeout=30)
        assert response.status_code == 200, slug
        text = html.unescape(response.text)
        for headline in headlines:
            assert headline in text, "%s: %r missing" % (slug, headline)


# ------------------------------------------------------------------ faults


def test_a_fault_at_each_write_then_reruns_leave_no_duplicates(sandbox_session, company, fresh, assets, tmp_path):
    patterns = sorted({write_pattern(method, path) for method, path in company["writes"]})
    assert len(patterns) >= 8, patterns
    for method, path in patterns:
        fresh.control("POST", "faults", {"method": method, "path": path, "status": 500, "after": True})
    site = Site(sandbox_session, fresh, tmp_path, company_spec(assets))
    runs = [site.run()]
    while runs[-1].rc != 0 and len(runs) <= len(patterns):  # each failed run used up at least one fault
        runs.append(site.run())
    assert runs[-1].rc == 0, runs[-1].explain()
    assert len(runs) > 1
    assert fresh.control("GET", "faults") == [], "faults never hit"
    fired = [entry for entry in fresh.requests() if entry.get("fault")]
    assert {write_pattern(entry["method"], entry["path"]) for entry in fired} == set(patterns)
    assert site.snapshot() == company["snapshot"]
    fresh.clear_log()
    again = site.converge()
    assert again.changed == 0, again.explain()
    assert fresh.writes() == []


# ------------------------------------------------------------------ hostile content


def test_hostile_spec_content_ends_up_as_escaped_text(sandbox_session, fresh, assets, tmp_path):
    evil_company = dict(COMPANY, name=HOSTILE[0], address=HOSTILE[1])
    page = {"slug": "hostile", "title": HOSTILE[0],
            "sections": [{"type": "hero", "headline": HOSTILE[0], "subheadline": HOSTILE[2],
                          "buttons": [{"text": HOSTILE[3], "url": "/contact/?a=1&b=\"2\""}]},
                         {"type": "text", "headline": HOSTILE[2], "body": HOSTILE[1]},
                         {"type": "faq", "items": [{"question": HOSTILE[3], "answer": HOSTILE[0]}]},
                         {"type": "text", "headline": SHORTCODES, "body": SHORTCODES},
                         {"type": "gallery", "images": [{"url": "/logo.png?a=1&amp;b=2", "alt": REFERENCES,
                                                         "caption": SHORTCODES}]}],
            "seo": {"title": HOSTILE[0], "description": HOSTILE[1]}}
    form = {"contact": {"page": "contact", "shortcode": '[contact-form-7 id="12" title="Contact"]'}}
    site = Site(sandbox_session, fresh, tmp_path, company_spec(assets, wordpress_company=evil_company,
                                                               wordpress_pages=[page], wordpress_forms=form))
    site.converge()
    stored = {page["slug"]: page for page in site.pages()}
    # the form's shortcode is the one thing that runs: a shortcode block of its own, no stray "\n"
    contact = stored["contact"]["content"]["raw"]
    assert '<!-- wp:shortcode -->\n[contact-form-7 id="12" title="Contact"]\n<!-- /wp:shortcode -->' in contact
    assert "\\n" not in contact
    shown = requests.get(stored["hostile"]["link"], timeout=30).text
    players = re.findall(r".{0,200}(?:wp-video-shortcode|class=.wp-video.|id=.gallery-1.).{0,100}", shown)
    assert players == []  # what [video] and [gallery] would print
    assert html.unescape(shown).replace("\u2060", "").count("[video src=x.mp4]") == 3  # headline, text, caption
    assert 'src="/logo.png?a=1&amp;b=2"' in stored["hostile"]["content"]["raw"]
    content = stored["hostile"]["content"]["raw"]
    assert "<script>" not in content
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in content
    assert "<p>injected</p>" not in content and "&lt;p&gt;injected&lt;/p&gt;" in content
    assert HOSTILE[2] in content
    results = validate_blocks([{"name": slug, "content": page["content"]["raw"]} for slug, page in stored.items()
                               if slug != "sample-page"])
    assert [result for result in results if not result["valid"]] == []
    assert [result["name"] for result in results if result["reserialized"] is not None] == []
    for slug in ("hostile", "privacy-policy", "terms", "home"):
        rendered = requests.get(stored[slug]["link"], timeout=30).text
        assert '<script>alert("x")</script>' not in rendered, slug
        assert "<p>injected</p>" not in rendered, slug
        assert "&lt;script&gt;" in rendered or "&#060;script&#062;" in rendered, slug
    hostile_page = requests.get(stored["hostile"]["link"], timeout=30).text
    assert HOSTILE[2] in hostile_page
    assert 'content="--&gt; &lt;!-- wp:paragraph --&gt;&lt;p&gt;injected' in hostile_page  # SEO description


# ------------------------------------------------------------------ presets


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (tests/integration/browser.py), one for the module."""
    executable = chromium()
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def gallery_index(directory):
    """build/gallery/index.html: every screenshot, by preset and page, desktop beside mobile."""
    rows = []
    for preset in sorted(path for path in directory.iterdir() if path.is_dir()):
        rows.append("<h2>%s</h2>" % html.escape(preset.name))
        for desktop in sorted(preset.glob("*-desktop.png")):
            page = desktop.name[:-len("-desktop.png")]
            mobile = preset / (page + "-mobile.png")
            shot = '<a href="{0}"><img src="{0}" width="{1}" alt="{2}, {3}"></a>'
            rows.append("<figure><figcaption>%s</figcaption>%s%s</figure>" % (
                html.escape(page),
                shot.format(html.escape(preset.name + "/" + desktop.name), 640, html.escape(page), "1280 px"),
                shot.format(html.escape(preset.name + "/" + mobile.name), 195, html.escape(page), "390 px")
                if mobile.exists() else ""))
    (directory / "index.html").write_text(
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>fabrik.deploy presets</title>'
        "<style>body{font-family:sans-serif;margin:2rem}figure{display:flex;gap:1rem;align-items:flex-start;"
        "margin:0 0 2rem}figcaption{width:8rem}img{border:1px solid #ccc}</style>"
        "<h1>fabrik.deploy presets</h1>%s</html>\n" % "\n".join(rows))


@pytest.mark.parametrize("preset", ["company", "landing", "saas", "ecommerce", "content"])
def test_all_five_presets_look_finished(sandbox_session, wordpress, assets, tmp_path, browser, preset):
    """Each preset on a fresh WordPress, then every page in the browser at 1280 and 390 px wide
    (screenshots into $FABRIK_GALLERY when set: make gallery)."""
    wordpress.reset()
    overrides = {"wordpress_preset": preset, "wordpress_users": []}
    if preset == "ecommerce":  # WooCommerce cannot come from wordpress.org offline: the catalogue instead
        overrides["wordpress_shop"] = {"mode": "catalogue"}
    spec = company_spec(assets, **overrides)
    site = Site(sandbox_session, wordpress, tmp_path / preset, spec)
    run = site.run()
    assert run.rc == 0, preset + "\n" + run.explain()
    data = yaml.safe_load((PRESETS / (preset + ".yml")).read_text())
    pages = site.rest("/wp/v2/pages", status="publish")
    slugs = {page["slug"] for page in pages}
    wanted = {page["slug"] for page in data["pages"]} | {"privacy-policy", "terms", "contact"}
    assert wanted <= slugs, preset
    settings = site.rest("/wp/v2/settings")
    assert settings["show_on_front"] == data["settings"]["show_on_front"], preset
    by_slug = {page["slug"]: page for page in pages}
    # every preset's contact page has the connector's form (the landing preset's is made for it)
    contact = by_slug["contact"]
    raw = site.rest("/wp/v2/pages/%d" % contact["id"], context="edit")["content"]["raw"]
    assert raw.count("[fabrik_contact_form]") == 1, preset
    assert parse_form(requests.get(contact["link"], timeout=30).text)["action"], preset
    assert "mailto:" not in raw and "\\n" not in raw, preset
    if preset == "ecommerce":
        assert "woocommerce" not in {plugin["plugin"].split("/")[0] for plugin in site.rest("/wp/v2/plugins")}
        shop = requests.get(by_slug["shop"]["link"], timeout=30).text
        for product in data["shop"]["products"]:
            assert ">%s</h3>" % product["title"] in shop
        assert "<strong>24 €</strong>" in shop
        # each product with its picture from the media library (the preset's, as on the home page)
        pictures = re.findall(r'<img[^>]* src="([^"]+)"[^>]* alt="([^"]*)"', shop)
        uploads = {item["source_url"] for item in site.rest("/wp/v2/media")}
        for product in data["shop"]["products"]:
            assert any(alt == product["image_alt"] and src in uploads for src, alt in pictures), (product, pictures)
        enquiry = re.search(r'href="([^"]*enquiry=Harbour\+mug)"', shop).group(1)
        form = read_form(requests.Session(), site.wordpress.url + html.unescape(enquiry))
        assert form["fields"][FIELDS["message"]] == "I would like to know more about: Harbour mug\n\n"
    # No sample content: WordPress's Sample Page and Hello world! are gone.
    assert "sample-page" not in slugs, preset
    assert "hello-world" not in {post["slug"] for post in site.rest("/wp/v2/posts", status="publish,draft")}
    # Every picture of the preset is in the media library (uploaded once; the pages use it from there).
    media = {item["source_url"] for item in site.rest("/wp/v2/media")}
    assert len(media) >= len(data.get("media") or []) + 2, preset  # the preset's pictures, logo and icon

    gallery = Path(os.environ["FABRIK_GALLERY"]) if os.environ.get("FABRIK_GALLERY") else None
    front = [page for page in pages if page["id"] == settings.get("page_on_front")]
    urls = [("home", wordpress.url + "/", True)] + [
        (page["slug"], page["link"], False) for page in sorted(pages, key=lambda page: page["slug"])
        if page not in front]
    posts = site.rest("/wp/v2/posts", status="publish")
    urls += [(post["slug"], post["link"], False) for post in posts]  # the content preset's articles
    found = {}
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        for slug, url, is_front in urls:
            page = context.new_page()
            shot = gallery / preset / ("%s-%s.png" % (slug, width_name)) if gallery else None
            first = gallery / preset / ("%s-first-visit-%s.png" % (slug, width_name)) if gallery and is_front else None
            measured = look(page, url, screenshot=shot, first_screen=first)
            page.close()
            for problem in problems(measured, url, spec["wordpress_brand"]["colors"]["primary"], front=is_front):
                found.setdefault("%s %s" % (slug, width_name), []).append(problem)
            if is_front and width_name == "desktop":
                front_page = measured
        context.close()
    if gallery:
        gallery_index(gallery)
    assert not found, "%s:\n%s" % (preset, "\n".join("%s: %s" % item for item in sorted(found.items())))
    # Before consent no analytics loads (look() fails a page that asks another host for anything).
    assert "googletagmanager" not in " ".join(front_page["scripts"])
    if preset == "content":  # the client's own articles, each with its picture, not the theme's demo blog
        assert sorted(post["slug"] for post in posts) == sorted(post["slug"] for post in data["posts"])
        assert all(post["featured_media"] for post in posts)
        for post in data["posts"]:
            assert post["title"] in front_page["body_text"], post["title"]
    assert front_page["cookies"] == ""
    if preset == "company":  # the visitor agrees: then, and only then, GA4 loads
        page = browser.new_page()
        page.route(re.compile(r"^https://www\.googletagmanager\.com/"), lambda route: route.abort())
        page.goto(wordpress.url + "/", wait_until="load")
        page.get_by_role("button", name="Accept analytics").click()
        page.wait_for_selector('script[src*="googletagmanager.com/gtag/js?id=G-ACME12345"]', state="attached")
        page.goto(wordpress.url + "/about/", wait_until="load")  # remembered: no banner, GA4 at once
        assert page.locator("#fabrik-consent").is_hidden()
        page.wait_for_selector('script[src*="googletagmanager.com/gtag/js"]', state="attached")
        page.close()


# ------------------------------------------------------------------ bad input


BAD_INPUTS = [
    ({"wordpress_preset": "nosuch"}, "wordpress_preset: one of company"),
    ({"wordpress_pages": [{"slug": "x", "title": "X", "sections": [{"type": "carousel"}]}]},
     "sections[0].type: one of hero"),
    ({"wordpress_brand": {"colors": {"primary": "blue"}}}, "wordpress_brand.colors.primary: #RRGGBB"),
    ({"wordpress_pages": [{"slug": "x", "title": "X", "sections": [
        {"type": "hero", "headline": "Hi", "buttons": [{"text": "Go", "url": "javascript:alert(1)"}]}]}]},
     "URL scheme \"javascript\" refused"),
    ({"wordpress_pages": [{"slug": "x", "title": "X", "sections": [
        {"type": "hero", "headline": "Hi", "buttons": [{"text": "Go", "url": "javascript&colon;alert(1)"}]}]}]},
     "URL scheme \"javascript\" refused"),
    ({"wordpress_pages": [{"slug": "x", "sections": [{"type": "text", "body": "No title"}]}]},
     "wordpress_pages[0].title: required for a present page"),
    ({"wordpress_analytics": {"ga4_id": "UA-12345-1"}}, "wordpress_analytics.ga4_id: a GA4 measurement id"),
    ({"wordpress_site": {"tagline": "No title"}}, "title"),
    ({"wordpress_forms": {"contact": {"shortcode": "<script>x</script>"}}}, "wordpress_forms.contact.shortcode"),
    ({"wordpress_forms": {"contact": {"provider": "typeform"}}}, "wordpress_forms.contact.provider: one of fabrik"),
    ({"wordpress_forms": {"contact": {"rate_limit": -5}}}, "wordpress_forms.contact.rate_limit: a whole number"),
    ({"wordpress_shop": {"mode": "dropship"}}, "wordpress_shop.mode: one of woocommerce, catalogue"),
    ({"wordpress_preset": "ecommerce", "wordpress_shop": {"mode": "catalogue", "products": []}},
     "wordpress_shop.products: the catalogue's products expected"),
]


@pytest.mark.parametrize("override, message", BAD_INPUTS, ids=[
    "unknown-preset", "unknown-section", "bad-colour", "bad-button-url", "referenced-javascript-url", "missing-title",
    "bad-ga4", "no-site-title", "bad-shortcode", "bad-form-provider", "bad-rate-limit", "bad-shop-mode",
    "catalogue-without-products"])
def test_bad_input_fails_before_any_write(sandbox_session, wordpress, assets, tmp_path, override, message):
    site = Site(sandbox_session, wordpress, tmp_path, company_spec(assets, **override))
    wordpress.clear_log()
    run = site.run()
    assert run.rc != 0
    assert message in run.output, run.explain()
    # The preflight only reads (it proves the credentials, a login included); nothing is written.
    assert [entry for entry in wordpress.requests() if entry["method"] not in READ_METHODS
            and entry["path"] != "/wp-login.php"] == []


# ------------------------------------------------------------------ the shop without WooCommerce


def test_woocommerce_that_the_site_cannot_download_stops_the_run_naming_wordpress_shop(
        sandbox_session, fresh, assets, tmp_path):
    """The sandbox has no internet (and its WordPress blocks outside requests): WooCommerce cannot be had. The run
    stops before anything but the install has changed (no theme, no plugin, no page), naming the variable and the way
    out; check mode says the same."""
    spec = company_spec(assets, wordpress_preset="ecommerce", wordpress_shop={"mode": "woocommerce"})
    site = Site(sandbox_session, fresh, tmp_path, spec)
    for check in (False, True):  # check mode after the install (on a fresh site, a plan stops at the install)
        fresh.clear_log()
        run = site.run(check=check)
        assert run.rc != 0
        assert ("wordpress_shop.mode: the plugin woocommerce is not installed and this site cannot download it from "
                "WordPress.org (User has blocked requests through HTTP.): set wordpress_shop.mode: catalogue") \
            in run.output, run.explain()
        assert [entry for entry in fresh.requests() if "plugins" in entry["path"] and entry["method"] != "GET"] == []
        # the installer and the application password are the only writes: the check comes before the theme step
        assert [(method, path) for method, path in fresh.writes()
                if "/wp-json/" in path and "application-passwords" not in path] == [], fresh.writes()
    assert "shop" not in {page["slug"] for page in site.pages()}
