"""Text is never a template: page text reaches the page as written, wherever it is written.

``{{ lookup('pipe', 'id') }}`` is put in every place a site's text can come from (the inventory, marked
``!unsafe``; the content file; a preset file of the site; a legal page file of the site; the company name and
site title the placeholders are filled with), the wordpress stage runs (preflight first, as in ``site.yml``),
and every page shows the text as written: no ``uid=`` (the command's output) anywhere, the lookup itself on
every page.
"""

import html
import json
import shutil

import requests
import yaml

from test_wordpress import ADMIN_PASSWORD, PLAYBOOK, wordpress  # noqa: F401  pylint: disable=unused-import
from tests.integration.conftest import REPO

MARKER = "{{ lookup('pipe', 'id') }}"
EXECUTED = "uid="

HOST_VARS = """---
wordpress_preset: my-preset.yml
wordpress_content_file: content/site.yml
wordpress_legal: [legal/notice.yml]
wordpress_users: []
wordpress_pages:
  - slug: inline
    title: !unsafe "Inline {{ lookup('pipe', 'id') }}"
    sections:
      - type: text
        headline: !unsafe "Inline headline {{ lookup('pipe', 'id') }}"
        body: !unsafe "Inline body {{ lookup('pipe', 'id') }}"
"""


def write_site(directory, wordpress_url):
    (directory / "host_vars").mkdir(parents=True)
    (directory / "group_vars" / "all").mkdir(parents=True)
    (directory / "content").mkdir()
    (directory / "legal").mkdir()
    (directory / "hosts.yml").write_text(yaml.safe_dump({"sites": {"hosts": {"site": None}}}))
    (directory / "host_vars" / "site.yml").write_text(HOST_VARS)
    (directory / "group_vars" / "all" / "connection.yml").write_text(yaml.safe_dump({
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "wordpress_url": wordpress_url, "wordpress_username": "admin",
        "wordpress_admin_password": ADMIN_PASSWORD, "wordpress_admin_email": "admin@sandbox.invalid",
        "wordpress_app_password_file": str(directory / "app-password"),
    }))
    # The content file, a preset and a legal page of the site: YAML read as data.
    (directory / "content" / "site.yml").write_text(yaml.safe_dump({
        "site": {"title": "Title " + MARKER, "tagline": "Tagline " + MARKER},
        "company": {"name": "Company " + MARKER, "email": "hello@text.example"},
        "pages": [{"slug": "from-content", "title": "Content " + MARKER, "sections": [
            {"type": "text", "headline": "Content headline " + MARKER, "body": "Made by {{ company.name }}"}]}],
    }))
    preset = yaml.safe_load((REPO / "templates" / "presets" / "landing.yml").read_text())
    preset["pages"].append({"slug": "from-preset", "title": "Preset " + MARKER, "sections": [
        {"type": "text", "headline": "Preset headline " + MARKER, "body": "Preset body " + MARKER}]})
    (directory / "my-preset.yml").write_text(yaml.safe_dump(preset))
    (directory / "legal" / "notice.yml").write_text(yaml.safe_dump({
        "slug": "notice", "title": "Notice " + MARKER, "sections": [
            {"type": "legal", "headline": "Notice", "parts": [{"heading": "Legal " + MARKER,
                                                               "body": "Run by {{ company.name }}"}]}]}))
    (directory / "site.yml").write_text(PLAYBOOK)


def test_text_from_every_source_is_shown_as_written(sandbox_session, wordpress, tmp_path):
    wordpress.reset()
    directory = tmp_path / "site"
    write_site(directory, wordpress.url)
    # A preset copied without its pictures is refused by the preflight (before the installer runs), naming them.
    run = sandbox_session.playbook(str(directory / "site.yml"), directory, tags=["wordpress"])
    assert run.rc != 0 and "wordpress_preset.brand.logo: no such file" in run.output, run.explain()
    assert "wordpress_preset.media[0].path: no such file" in run.output, run.explain()
    assert not (directory / "app-password").exists()
    shutil.copytree(REPO / "templates" / "presets" / "images", directory / "images")
    run = sandbox_session.playbook(str(directory / "site.yml"), directory, tags=["wordpress"])
    assert run.rc == 0, run.explain()
    assert EXECUTED not in run.output, run.explain()
    password = (directory / "app-password").read_text().strip()
    pages = requests.get(wordpress.url + "/wp-json/wp/v2/pages", auth=("admin", password), timeout=30,
                         params={"per_page": 100, "context": "edit"}).json()
    by_slug = {page["slug"]: page for page in pages}
    for slug in ("inline", "from-content", "from-preset", "notice", "home"):
        page = by_slug[slug]
        shown = html.unescape(page["title"]["raw"] + "\n" + page["content"]["raw"])
        assert MARKER in shown, (slug, shown[:2000])
        assert EXECUTED not in json.dumps(page), slug
    # the company name filled into a placeholder, and the site's title, as written
    assert "Made by Company " + MARKER in html.unescape(by_slug["from-content"]["content"]["raw"])
    settings = requests.get(wordpress.url + "/wp-json/wp/v2/settings", auth=("admin", password), timeout=30).json()
    assert html.unescape(settings["title"]) == "Title " + MARKER
    assert html.unescape(settings["description"]) == "Tagline " + MARKER
