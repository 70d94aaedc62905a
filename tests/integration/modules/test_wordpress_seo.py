"""SEO fields under Yoast SEO and Rank Math, against the sandbox's real WordPress 6.1.

The SEO plugins cannot be downloaded here, so the tests install stand-ins named exactly like them (the
plugin directory and main file WordPress and the connector know them by, a plugin header, nothing else)
through ``wordpress_plugins``. A stand-in prints nothing: the tests prove where fabrik.deploy writes
(page meta and settings read back over REST) and that the connector then prints no description of its
own; what the real plugin prints from those fields is the plugin's business.
"""

import re
import zipfile

import pytest
import requests

from ansible_collections.fabrik.deploy.plugins.modules import wordpress_head, wordpress_pages, wordpress_plugins
from tests.integration.modules.wordpress_harness import (
    ADMIN,
    HTTP_TIMEOUT,
    NEEDS_WORDPRESS,
    installed_wordpress,
    module_runner,
    record_requests,
    writes,
)

SITE_TITLE = "Fabrik SEO"
DESCRIPTION_TAG = re.compile(r'<meta name="description"')

# name -> (slug, main file, page meta for title and description, settings option)
STAND_INS = {
    "yoast": ("wordpress-seo", "wp-seo.php", ("_yoast_wpseo_title", "_yoast_wpseo_metadesc"), "wpseo_titles"),
    "rankmath": ("seo-by-rank-math", "rank-math.php", ("rank_math_title", "rank_math_description"),
                 "rank-math-options-titles"),
}
CORE_META = ("fabrik_seo_title", "fabrik_seo_description")
PAGE_SEO = {"title": "{{ company.name }} services", "description": "What <b>we</b>\n  do &  why"}
PLACEHOLDERS = {"company": {"name": "Acme"}}
HEAD_SEO = {"title_template": "{title} | {site}", "description": "Acme builds <em>sites</em>."}
EXPECTED_SETTINGS = {
    "yoast": {"title-page": "%%title%% | %%sitename%%", "title-post": "%%title%% | %%sitename%%",
              "metadesc-home-wpseo": "Acme builds sites.", "metadesc-page": "Acme builds sites."},
    "rankmath": {"pt_page_title": "%title% | %sitename%", "pt_post_title": "%title% | %sitename%",
                 "homepage_description": "Acme builds sites.", "pt_page_description": "Acme builds sites."},
}

pytestmark = NEEDS_WORDPRESS


def stand_in_zip(directory, name):
    """A zip of the stand-in for SEO plugin ``name``: its real directory and main file, a header, no code."""
    slug, main_file = STAND_INS[name][:2]
    path = directory / (slug + ".zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("%s/%s" % (slug, main_file),
                         "<?php\n/**\n * Plugin Name: Stand-in for %s\n * Version: 0.0.1\n */\n" % slug)
    return str(path)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An installed sandbox WordPress with the connector, and the admin's application password."""
    with installed_wordpress(tmp_path_factory, SITE_TITLE, connector=True) as installed:
        yield installed


@pytest.fixture
def sent(monkeypatch):
    """Every (method, path) the modules' HTTP layer sends during the test."""
    return record_requests(monkeypatch, keep_query=False)


@pytest.fixture
def run(site, monkeypatch, sent):
    """``run(module, check_mode=False, **args)`` -> the module's result (``failed`` set on failure)."""
    wordpress, app_password = site
    return module_runner(monkeypatch, lambda: {"url": wordpress.url, "username": ADMIN, "app_password": app_password},
                         lambda: (app_password,), log=sent)


def rest(site, method, route, **kwargs):
    wordpress, app_password = site
    response = requests.request(method, wordpress.url + "/wp-json" + route, auth=(ADMIN, app_password),
                                timeout=HTTP_TIMEOUT, **kwargs)
    assert response.status_code < 300, response.text
    return response.json()


def page_meta(site, slug):
    [page] = rest(site, "GET", "/wp/v2/pages", params={"slug": slug, "context": "edit"})
    return page["meta"]


def html_of(url):
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    assert response.status_code == 200
    return response.text


def pages_with_seo(slug):
    return [{"slug": slug, "title": "Services", "content": "We do things.", "seo": PAGE_SEO}]


@pytest.fixture
def seo_plugin(request, run, tmp_path):
    """The stand-in named by the test's parameter, installed and activated; removed afterwards."""
    name = request.param
    slug = STAND_INS[name][0]
    installed = run(wordpress_plugins, plugins=[{"slug": slug, "src": stand_in_zip(tmp_path, name)}])
    assert installed["failed"] is False, installed.get("msg")
    assert installed["plugins"][0]["status"] == "active"
    yield name
    removed = run(wordpress_plugins, plugins=[{"slug": slug, "state": "absent"}])
    assert removed["failed"] is False, removed.get("msg")


def test_without_a_seo_plugin_the_connector_meta_is_used_and_printed_once(site, run, sent):
    status = rest(site, "GET", "/fabrik/v1/status")
    assert (status["seo_plugin"], status["seo_plugin_active"]) == ("none", False)
    any_page = rest(site, "GET", "/wp/v2/pages", params={"context": "edit", "status": "publish,draft"})[0]
    assert set(CORE_META) <= set(any_page["meta"])
    assert not {"_yoast_wpseo_title", "rank_math_title"} & set(any_page["meta"])

    result = run(wordpress_pages, pages=pages_with_seo("core-seo"), placeholders=PLACEHOLDERS)
    assert result["failed"] is False, result.get("msg")
    meta = page_meta(site, "core-seo")
    assert (meta["fabrik_seo_title"], meta["fabrik_seo_description"]) == ("Acme services", PAGE_SEO["description"])
    html = html_of(result["pages"][0]["link"])
    assert len(DESCRIPTION_TAG.findall(html)) == 1
    assert "<title>Acme services</title>" in html


@pytest.mark.parametrize("seo_plugin", sorted(STAND_INS), indirect=True)
def test_page_seo_goes_to_the_active_plugins_meta(site, run, sent, seo_plugin):
    _slug, _file, (title_key, description_key), _option = STAND_INS[seo_plugin]
    assert rest(site, "GET", "/fabrik/v1/status")["seo_plugin"] == seo_plugin
    slug = "seo-" + seo_plugin
    pages = pages_with_seo(slug)

    planned = run(wordpress_pages, check_mode=True, pages=pages, placeholders=PLACEHOLDERS)
    assert planned["failed"] is False, planned.get("msg")
    assert planned["created"] == [slug] and writes(sent) == []
    assert "seo %s: Acme services" % title_key in planned["diff"][0]["after"]

    done = run(wordpress_pages, pages=pages, placeholders=PLACEHOLDERS)
    assert done["created"] == [slug]
    meta = page_meta(site, slug)
    # Plain text in the plugin's fields: tags dropped, white space collapsed; the core meta stays empty.
    assert (meta[title_key], meta[description_key]) == ("Acme services", "What we do & why")
    assert (meta["fabrik_seo_title"], meta["fabrik_seo_description"]) == ("", "")
    statuses = [request for request in sent if request[1].endswith("/fabrik/v1/status")]
    assert len(statuses) == 1

    again = run(wordpress_pages, pages=pages, placeholders=PLACEHOLDERS)
    assert (again["changed"], again["updated"]) == (False, [])
    assert writes(sent) == []

    changed = [dict(pages[0], seo={"title": "Acme services", "description": "Another description"})]
    preview = run(wordpress_pages, check_mode=True, pages=changed, placeholders=PLACEHOLDERS)
    assert preview["updated"] == [slug] and writes(sent) == []
    assert "seo %s: What we do & why" % description_key in preview["diff"][0]["before"]
    assert page_meta(site, slug)[description_key] == "What we do & why"
    assert run(wordpress_pages, pages=changed, placeholders=PLACEHOLDERS)["updated"] == [slug]
    assert page_meta(site, slug)[description_key] == "Another description"

    # The stand-in prints nothing and the connector stands back: no description, WordPress's own title.
    html = html_of(done["pages"][0]["link"])
    assert DESCRIPTION_TAG.findall(html) == []
    assert "<title>Services &#8211; %s</title>" % SITE_TITLE in html


@pytest.mark.parametrize("seo_plugin", sorted(STAND_INS), indirect=True)
def test_site_wide_seo_goes_to_the_active_plugins_settings(site, run, sent, seo_plugin):
    option = STAND_INS[seo_plugin][3]
    core_before = rest(site, "GET", "/fabrik/v1/options")["fabrik_seo"]

    planned = run(wordpress_head, check_mode=True, seo=HEAD_SEO)
    assert planned["failed"] is False, planned.get("msg")
    assert (planned["changed"], planned["seo_plugin"]) == (True, seo_plugin)
    assert planned["seo"] == EXPECTED_SETTINGS[seo_plugin] and writes(sent) == []

    done = run(wordpress_head, seo=HEAD_SEO)
    assert done["changed"] is True and done["seo"] == EXPECTED_SETTINGS[seo_plugin]
    options = rest(site, "GET", "/fabrik/v1/options")
    assert options[option] == EXPECTED_SETTINGS[seo_plugin]
    assert options["fabrik_seo"] == core_before

    assert run(wordpress_head, seo=HEAD_SEO)["changed"] is False and writes(sent) == []

    # Only the given fields are managed under a plugin: {} leaves its settings alone.
    untouched = run(wordpress_head, seo={})
    assert untouched["changed"] is False and untouched["seo"] == EXPECTED_SETTINGS[seo_plugin]
    description_only = run(wordpress_head, seo={"description": "Just this."})
    assert description_only["changed"] is True
    assert [path for _method, path in writes(sent)] == ["/wp-json/fabrik/v1/options"]
    expected = {key: "Just this." if "desc" in key else value for key, value in EXPECTED_SETTINGS[seo_plugin].items()}
    assert rest(site, "GET", "/fabrik/v1/options")[option] == expected

    assert DESCRIPTION_TAG.findall(html_of(site[0].url + "/")) == []


def test_plugin_settings_and_meta_are_refused_while_the_plugin_is_inactive(site):
    for option, key in (("wpseo_titles", "title-page"), ("rank-math-options-titles", "pt_page_title")):
        response = requests.post(site[0].url + "/wp-json/fabrik/v1/options", auth=(ADMIN, site[1]),
                                 json={option: {key: "x"}}, timeout=HTTP_TIMEOUT)
        assert response.status_code == 400
        assert response.json()["code"] == "fabrik_invalid_option"
        assert "is not active" in response.json()["message"]
    options = rest(site, "GET", "/fabrik/v1/options")
    assert "wpseo_titles" not in options and "rank-math-options-titles" not in options

    probe = {"title": "Meta probe", "status": "publish", "meta": {"_yoast_wpseo_title": "sneaky"}}
    assert "_yoast_wpseo_title" not in rest(site, "POST", "/wp/v2/pages", json=probe)["meta"]


@pytest.mark.parametrize("seo_plugin", ["yoast"], indirect=True)
def test_plugin_settings_accept_only_the_managed_keys(site, seo_plugin):
    for body in ({"wpseo_titles": {"company_name": "x"}}, {"wpseo_titles": ["title-page"]},
                 {"wpseo_titles": {"title-page": 3}}):
        response = requests.post(site[0].url + "/wp-json/fabrik/v1/options", auth=(ADMIN, site[1]), json=body,
                                 timeout=HTTP_TIMEOUT)
        assert response.status_code == 400, body
        assert response.json()["code"] == "fabrik_invalid_option"


def test_pages_fall_back_to_the_connector_meta_once_the_plugin_is_gone(site, run):
    """After the stand-ins were removed, the same spec writes the connector's meta again."""
    result = run(wordpress_pages, pages=pages_with_seo("seo-yoast"), placeholders=PLACEHOLDERS)
    assert result["updated"] == ["seo-yoast"]
    meta = page_meta(site, "seo-yoast")
    assert meta["fabrik_seo_title"] == "Acme services"
    assert "_yoast_wpseo_title" not in meta
    assert len(DESCRIPTION_TAG.findall(html_of(result["pages"][0]["link"]))) == 1


def test_connector_raised_no_php_warning(site):
    """Runs last: nothing the tests above made the connector do logged a PHP warning or notice."""
    log = site[0].php.log_file.read_text(errors="replace")
    assert [line for line in log.splitlines() if "fabrik-connector.php" in line] == []
