"""WordPressClient against a programmable loopback server, and the pure helpers of _wordpress."""

import base64
import json
from urllib.parse import parse_qs

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, CheckModeViolation
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    LOGIN_ATTEMPTS,
    WordPressClient,
    content_disposition,
    head_snippets,
    merge_by_key,
    validate_site_url,
    version_tuple,
)

APP_PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"


def client_for(server, **options):
    return WordPressClient(server.url + "/", username="deployer", app_password=APP_PASSWORD, **options)


# ------------------------------------------------------------------ client


def test_rest_sends_basic_auth_under_wp_json_and_parses_json(server):
    server.enqueue(body={"id": 7})
    assert client_for(server).rest("GET", "/wp/v2/pages/7", "read page", params={"context": "edit"}) == {"id": 7}
    request = server.requests[0]
    assert (request.path, request.query) == ("/wp-json/wp/v2/pages/7", "context=edit")
    expected = base64.b64encode(("deployer:" + APP_PASSWORD).encode()).decode()
    assert request.headers["authorization"] == "Basic " + expected


def test_anonymous_client_sends_no_authorization(server):
    server.enqueue(body=[])
    WordPressClient(server.url).rest("GET", "/", "read index")
    assert "authorization" not in server.requests[0].headers


def test_wordpress_errors_read_code_and_message_and_never_the_password(server):
    server.enqueue(status=400, body={"code": "rest_invalid_param", "message": "Invalid parameter(s): "
                                     "password " + APP_PASSWORD, "data": {"status": 400}})
    with pytest.raises(ApiError) as caught:
        client_for(server).rest("POST", "/wp/v2/users", "create user", json={"username": "x"})
    text = str(caught.value)
    assert text.startswith("WordPress: create user failed: POST /wp-json/wp/v2/users -> HTTP 400: rest_invalid_param: ")
    assert APP_PASSWORD not in text and APP_PASSWORD.replace(" ", "") not in text
    assert caught.value.status == 400


def test_html_error_pages_give_their_message(server):
    server.enqueue(status=500, body="<html><body><div class=\"wp-die-message\"><p>Error establishing a database "
                                    "connection</p></div></body></html>", headers={"Content-Type": "text/html"})
    with pytest.raises(ApiError, match="HTTP 500: Error establishing a database connection"):
        client_for(server).rest("POST", "/wp/v2/settings", "update settings", json={})


def test_an_answer_that_is_not_json_is_an_error(server):
    server.enqueue(body="<br />Notice: something")
    with pytest.raises(ApiError, match="the answer is not JSON"):
        client_for(server).rest("GET", "/wp/v2/settings", "read settings")


def test_list_all_follows_total_pages(server):
    server.enqueue(body=[{"id": 1}, {"id": 2}], headers={"X-WP-TotalPages": "2"})
    server.enqueue(body=[{"id": 3}], headers={"X-WP-TotalPages": "2"})
    items = client_for(server).list_all("/wp/v2/media", "list media", params={"media_type": "image"})
    assert [item["id"] for item in items] == [1, 2, 3]
    queries = [parse_qs(request.query) for request in server.requests]
    assert [query["page"] for query in queries] == [["1"], ["2"]]
    assert all(query["per_page"] == ["100"] and query["media_type"] == ["image"] for query in queries)


def test_upload_posts_the_raw_file_with_its_name_and_type(server):
    server.enqueue(status=201, body={"id": 9})
    answer = client_for(server).upload("/wp/v2/media", "/tmp/brand/Logo été.png", b"\x89PNG-bytes", "image/png",
                                       "upload logo", params={"title": "Logo"})
    assert answer == {"id": 9}
    request = server.requests[0]
    assert request.body == b"\x89PNG-bytes"
    assert request.headers["content-type"] == "image/png"
    assert request.headers["content-disposition"] == \
        "attachment; filename=\"Logo _t_.png\"; filename*=UTF-8''Logo%20%C3%A9t%C3%A9.png"
    assert request.query == "title=Logo"


def test_connector_calls_its_namespace(server):
    server.enqueue(body={"blog_public": True})
    assert client_for(server).connector("POST", "options", "update options", json={"blog_public": True}) == \
        {"blog_public": True}
    assert server.requests[0].path == "/wp-json/fabrik/v1/options"
    assert json.loads(server.requests[0].body) == {"blog_public": True}


def test_a_missing_connector_says_how_to_install_it(server):
    server.enqueue(status=404, body={"code": "rest_no_route", "message": "No route was found", "data": {"status": 404}})
    with pytest.raises(ApiError, match="the fabrik connector is not installed: copy files/connector/"):
        client_for(server).connector("GET", "status", "read connector status")


def test_an_old_connector_is_refused(server):
    server.enqueue(body={"connector_version": "0.9.0"})
    with pytest.raises(ApiError, match="connector 0.9.0 is too old, 1.0 or later needed"):
        client_for(server).connector_status()


def test_check_mode_sends_no_write(server):
    client = client_for(server, check_mode=True)
    with pytest.raises(CheckModeViolation):
        client.rest("POST", "/wp/v2/settings", "update settings", json={"title": "x"})
    with pytest.raises(CheckModeViolation):
        client.upload("/wp/v2/media", "a.png", b"x", "image/png", "upload")
    assert server.requests == []


def test_installer_shown_reads_the_setup_form(server):
    server.enqueue(body='<form id="setup" method="post" action="install.php?step=2">')
    server.enqueue(body="<h1>Already Installed</h1>")
    client = WordPressClient(server.url)
    assert client.installer_shown() is True
    assert client.installer_shown() is False
    assert [request.path for request in server.requests] == ["/wp-admin/install.php"] * 2


def test_a_failed_login_reports_the_page_message_without_the_password(server):
    server.enqueue(body='<div id="login_error">	<strong>Error:</strong> The password you entered for the username '
                        '<strong>admin</strong> is incorrect.<br /></div>', headers={"Content-Type": "text/html"})
    client = WordPressClient(server.url, secrets=["hunter2-password"])
    with pytest.raises(ApiError) as caught:
        client.login("admin", "hunter2-password")
    assert "Error: The password you entered for the username admin is incorrect." in str(caught.value)
    assert b"pwd=hunter2-password" in server.requests[0].body
    assert "hunter2-password" not in str(caught.value)


LOGGED_IN = {"Set-Cookie": "wordpress_logged_in_abc=admin%7Ctoken; path=/"}
SESSION_GONE = {"code": "rest_cookie_invalid_nonce", "message": "Cookie check failed", "data": {"status": 403}}


def session_client(server, sleeps):
    client = WordPressClient(server.url, username="admin", password="hunter2-password")
    client.http.sleep = sleeps
    return client


def enqueue_logins_losing(server, lost, answer):
    """Each login (form, nonce) followed by the REST answer: the session lost ``lost`` times, then ``answer``."""
    for number in range(lost + 1):
        server.enqueue(method="POST", headers=LOGGED_IN, body="<html>dashboard</html>")
        server.enqueue(method="GET", body="abcdef%04d" % number)
        server.enqueue(**(dict(method="GET", status=403, body=SESSION_GONE) if number < lost else answer))


@pytest.mark.parametrize("call", ["current_user", "rest"])
def test_a_session_lost_again_and_again_is_renewed_until_it_holds(server, sleeps, call):
    """Logins of the same user at once keep dropping each other's sessions: each loss is a new login, after a
    pause drawn at random, until a request is answered (four logins here, of at most LOGIN_ATTEMPTS)."""
    enqueue_logins_losing(server, 3, {"method": "GET", "body": {"id": 1, "username": "admin"}})
    client = session_client(server, sleeps)
    if call == "current_user":
        assert client.current_user() == {"id": 1, "username": "admin"}
    else:
        assert client.rest("GET", "/wp/v2/users/me", "read user") == {"id": 1, "username": "admin"}
    assert server.count("POST") == 4 and server.requests[-1].headers["x-wp-nonce"] == "abcdef0003"
    assert len(sleeps.delays) == 2 and all(0 < delay < 3 for delay in sleeps.delays)


def test_a_session_that_never_holds_is_an_error_after_the_last_login(server, sleeps):
    enqueue_logins_losing(server, LOGIN_ATTEMPTS, {"method": "GET", "body": {}})
    client = session_client(server, sleeps)
    with pytest.raises(ApiError, match="HTTP 403: rest_cookie_invalid_nonce"):
        client.rest("GET", "/wp/v2/pages", "list pages")
    assert server.count("POST") == LOGIN_ATTEMPTS


@pytest.mark.parametrize("value", ["example.com", "ftp://example.com", "https://", "https://example.com/?p=1", None])
def test_site_url_must_be_an_http_base_url(value):
    with pytest.raises(SpecError, match="^url: the site's http"):
        validate_site_url(value)


def test_site_url_keeps_a_sub_directory_without_trailing_slash():
    assert validate_site_url(" https://example.com/blog/ ") == "https://example.com/blog"


# ------------------------------------------------------------------ helpers


def test_merge_by_key_updates_in_place_and_appends_new_keys():
    base = [{"slug": "a", "color": "#000", "name": "A"}, {"slug": "b", "color": "#111", "name": "B"}]
    merged = merge_by_key(base, [{"slug": "b", "color": "#222"}, {"slug": "c", "color": "#333"}], "slug")
    assert merged == [{"slug": "a", "color": "#000", "name": "A"}, {"slug": "b", "color": "#222", "name": "B"},
                      {"slug": "c", "color": "#333"}]
    assert base[1]["color"] == "#111"


def test_head_snippets_generate_analytics_and_verification():
    snippets = head_snippets(ga4_id="G-ABC123XYZ", gtm_id="GTM-K9X2LM", verification={"google": "tok_EN-1"},
                             snippets={"chat": " <script src=\"https://chat.example/w.js\"></script> "})
    assert sorted(snippets) == ["chat", "ga4", "gtm", "verify-google"]
    assert 'src="https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ"' in snippets["ga4"]
    assert "gtag('config','G-ABC123XYZ')" in snippets["ga4"]
    assert "'dataLayer','GTM-K9X2LM'" in snippets["gtm"]
    assert snippets["verify-google"] == '<meta name="google-site-verification" content="tok_EN-1" />'
    assert snippets["chat"] == '<script src="https://chat.example/w.js"></script>'


@pytest.mark.parametrize("args, field", [
    ({"ga4_id": "G-abc"}, "ga4_id"),
    ({"ga4_id": "UA-12345-1"}, "ga4_id"),
    ({"gtm_id": "GTM-12\"><script>"}, "gtm_id"),
    ({"verification": {"google": "a\" onload=\"x"}}, "verification.google"),
    ({"verification": {"duckduckgo": "abcd"}}, "verification.duckduckgo"),
    ({"snippets": {"Bad Name": "<meta>"}}, "snippets.Bad Name"),
    ({"snippets": {"empty": "  "}}, "snippets.empty"),
    ({"snippets": {"gtm": "<meta>"}, "gtm_id": "GTM-ABCD12"}, "snippets.gtm"),
])
def test_head_snippets_refuse_bad_input_naming_the_field(args, field):
    with pytest.raises(SpecError) as caught:
        head_snippets(**args)
    assert caught.value.field == field


def test_content_disposition_keeps_only_the_base_name():
    assert content_disposition("C:\\files\\plugin.zip").startswith('attachment; filename="plugin.zip"')


def test_version_tuple():
    assert version_tuple("6.1.9") == (6, 1, 9)
    assert version_tuple("1.0.0-beta") == (1, 0, 0)
    assert version_tuple(None) == ()
