"""HttpClient against a real local HTTP server: retries, timeouts, errors, redaction, guards."""

import base64
import gzip
import json
import os
import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote_plus

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils import _http
from ansible_collections.fabrik.deploy.plugins.module_utils._http import (
    ApiError,
    CheckModeViolation,
    HttpClient,
    backoff_delay,
    parse_retry_after,
)

TOKEN = "tok-S3cr3t/value+1"


def make_client(url, sleeps, **options):
    settings = {"service": "Svc", "base_url": url, "timeout": 0.3, "sleep": sleeps}
    settings.update(options)
    return HttpClient(**settings)


def echo(response):
    return response.json()


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    """The tests choose their proxies: none from the environment they run in."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


# --- plain requests ---------------------------------------------------------------------------


def test_json_body_sent_with_content_type_and_user_agent(server, sleeps):
    client = make_client(server.url, sleeps, headers={"Authorization": "Bearer " + TOKEN})

    seen = echo(client.request("POST", "/zones", "create zone", json={"name": "example.com"}))

    assert seen["method"] == "POST"
    assert json.loads(seen["body"]) == {"name": "example.com"}
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["user-agent"] == "fabrik.deploy/%s" % _http.COLLECTION_VERSION
    assert seen["headers"]["authorization"] == "Bearer " + TOKEN


def test_base_url_and_path_are_joined_with_one_slash(server, sleeps):
    client = make_client(server.url + "/client/v4/", sleeps)

    seen = echo(client.request("GET", "/zones", "list zones", params={"page": 2}))

    assert (seen["path"], seen["query"]) == ("/client/v4/zones", "page=2")


def test_stats_count_every_attempt_per_method(server, sleeps):
    client = make_client(server.url, sleeps)
    server.enqueue(status=503)

    client.request("GET", "/a", "read a")
    client.request("PUT", "/a", "write a")

    assert client.stats == {"GET": 2, "PUT": 1}


# --- expected statuses --------------------------------------------------------------------------


def test_any_2xx_is_success_by_default(server, sleeps):
    server.enqueue(status=204, body="")
    response = make_client(server.url, sleeps).request("DELETE", "/a", "delete a")
    assert response.status_code == 204


def test_listed_non_2xx_status_is_returned(server, sleeps):
    server.enqueue(status=404, body={"message": "not found"})
    response = make_client(server.url, sleeps).request("GET", "/a", "read a", expected=(200, 404))
    assert response.status_code == 404


def test_unlisted_2xx_status_raises(server, sleeps):
    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("POST", "/a", "create a", expected=(201,))
    assert caught.value.status == 200


def test_raw_returns_the_error_response_instead_of_raising(server, sleeps):
    server.enqueue(status=422, body={"message": "invalid"})
    response = make_client(server.url, sleeps).request("POST", "/a", "create a", raw=True)
    assert response.status_code == 422


# --- 429 and Retry-After ----------------------------------------------------------------------


def test_429_retry_after_seconds_is_honoured(server, sleeps):
    server.enqueue(status=429, headers={"Retry-After": "3"}, times=2)

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert sleeps.delays == [3, 3]
    assert server.count() == 3


def test_429_retry_after_is_capped(server, sleeps):
    server.enqueue(status=429, headers={"Retry-After": "100"})

    make_client(server.url, sleeps, retry_after_cap=2).request("GET", "/a", "read a")

    assert sleeps.delays == [2]


def test_429_retry_after_http_date_is_honoured(server, sleeps):
    when = datetime.now(timezone.utc) + timedelta(seconds=6)
    server.enqueue(status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})

    make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert len(sleeps.delays) == 1
    assert 4 < sleeps.delays[0] <= 6


def test_429_without_retry_after_backs_off(server, sleeps):
    server.enqueue(status=429, times=2)

    make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert 0.25 <= sleeps.delays[0] <= 0.5
    assert 0.5 <= sleeps.delays[1] <= 1.0


def test_429_is_retried_for_post_because_it_was_not_applied(server, sleeps):
    server.enqueue(status=429, headers={"Retry-After": "1"})

    response = make_client(server.url, sleeps).request("POST", "/a", "create a")

    assert response.status_code == 200
    assert server.count("POST") == 2


def test_429_gives_up_when_the_retry_budget_is_spent(server, sleeps):
    server.enqueue(status=429, headers={"Retry-After": "10"}, body={"message": "slow down"}, times=10)
    client = make_client(server.url, sleeps, retry_budget=25)

    with pytest.raises(ApiError) as caught:
        client.request("GET", "/a", "read a")

    assert caught.value.status == 429
    assert sleeps.delays == [10, 10]
    assert server.count() == 3
    assert str(caught.value) == (
        "Svc: read a failed: GET /a -> HTTP 429: slow down (gave up: retry budget of 25s exhausted)")


# --- 5xx ------------------------------------------------------------------------------------


def test_503_is_retried_with_backoff_for_get(server, sleeps):
    server.enqueue(status=503, times=2)

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert server.count() == 3
    assert 0.25 <= sleeps.delays[0] <= 0.5
    assert 0.5 <= sleeps.delays[1] <= 1.0


def test_503_is_not_retried_for_post(server, sleeps):
    server.enqueue(status=503, body={"message": "maintenance"})

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("POST", "/a", "create a")

    assert (caught.value.status, caught.value.maybe_applied) == (503, False)
    assert server.count() == 1
    assert sleeps.delays == []


def test_504_on_post_may_have_been_applied(server, sleeps):
    server.enqueue(status=504)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("POST", "/a", "create a")

    assert caught.value.maybe_applied is True
    assert server.count() == 1


def test_post_marked_idempotent_is_retried(server, sleeps):
    server.enqueue(status=502)

    make_client(server.url, sleeps).request("POST", "/a", "create a", idempotent=True)

    assert server.count("POST") == 2


def test_500_is_not_retried(server, sleeps):
    server.enqueue(status=500)

    with pytest.raises(ApiError):
        make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert server.count() == 1


def test_retries_stop_after_max_retries(server, sleeps):
    server.enqueue(status=503, times=10)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps, max_retries=2).request("GET", "/a", "read a")

    assert caught.value.status == 503
    assert server.count() == 3
    assert len(sleeps.delays) == 2
    assert "gave up: after 2 retries" in str(caught.value)


# --- timeouts, resets, refused connections -----------------------------------------------------


def test_read_timeout_on_post_is_maybe_applied_and_not_resent(server, sleeps):
    server.enqueue(hang=5)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("POST", "/a", "create a", json={"x": 1})

    error = caught.value
    assert error.maybe_applied is True
    assert error.status is None
    assert str(error).startswith("Svc: create a failed: POST /a -> timed out after 0.3s")
    assert server.count() == 1
    assert sleeps.delays == []


def test_read_timeout_on_get_is_retried(server, sleeps):
    server.enqueue(hang=5)

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert server.count() == 2


def test_connection_reset_on_get_is_retried(server, sleeps):
    server.enqueue(reset=True)

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert server.count() == 2


def test_connection_reset_on_post_is_maybe_applied(server, sleeps):
    server.enqueue(reset=True)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("POST", "/a", "create a")

    assert caught.value.maybe_applied is True
    assert "connection lost before a response" in str(caught.value)
    assert server.count() == 1


def test_refused_connection_is_retried_even_for_post(server_factory, unused_port):
    started = []
    sleeps_then_start = _SleepThen(lambda: started.append(server_factory(port=unused_port)))
    client = make_client("http://127.0.0.1:%d" % unused_port, sleeps_then_start)

    response = client.request("POST", "/a", "create a")

    assert response.status_code == 200
    assert len(sleeps_then_start.delays) == 1
    assert started[0].count("POST") == 1


def test_refused_connection_gives_up_after_max_retries(sleeps, unused_port):
    client = make_client("http://127.0.0.1:%d" % unused_port, sleeps, max_retries=2)

    with pytest.raises(ApiError) as caught:
        client.request("POST", "/a", "create a")

    assert (caught.value.status, caught.value.maybe_applied) == (None, False)
    assert "-> connection refused (gave up: after 2 retries)" in str(caught.value)
    assert len(sleeps.delays) == 2


class _SleepThen:
    """A sleep stand-in that runs ``action`` once, on the first sleep."""

    def __init__(self, action):
        self.delays = []
        self._action = action

    def __call__(self, seconds):
        if not self.delays:
            self._action()
        self.delays.append(seconds)


# --- error text and redaction --------------------------------------------------------------------


@pytest.mark.parametrize("body, text", [
    ({"success": False, "errors": [{"code": 1061, "message": "example.com already exists"}]},
     "1061 example.com already exists"),
    ({"message": "Validation failed.", "errors": {"name": ["The name field is required."]}},
     "Validation failed.; name: The name field is required."),
    ({"error": "Unauthenticated."}, "Unauthenticated."),
    ({"error": {"message": "quota exceeded"}}, "quota exceeded"),
    ("x" * 400, "x" * 300),
])
def test_error_text_is_extracted_from_the_body(server, sleeps, body, text):
    server.enqueue(status=400, body=body)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("POST", "/zones", "create zone")

    assert caught.value.message == text
    assert str(caught.value) == "Svc: create zone failed: POST /zones -> HTTP 400: " + text


def test_service_error_parser_is_used(server, sleeps):
    server.enqueue(status=400, body="<Errors><Error Number='2019166'>Domain not found</Error></Errors>")
    client = make_client(server.url, sleeps, error_parser=lambda response: "parsed %d" % response.status_code)

    with pytest.raises(ApiError) as caught:
        client.request("GET", "/xml.response", "get hosts")

    assert caught.value.message == "parsed 400"


def test_failing_error_parser_falls_back_to_default(server, sleeps):
    server.enqueue(status=400, body={"message": "bad input"})
    client = make_client(server.url, sleeps, error_parser=lambda response: response.json()["missing"])

    with pytest.raises(ApiError) as caught:
        client.request("GET", "/a", "read a")

    assert caught.value.message == "bad input"


def test_secrets_never_appear_in_errors(server, sleeps):
    # the API echoes the token as sent and as it appears URL-encoded in a query string
    server.enqueue(status=403, body={"message": "token %s is invalid (%s)" % (TOKEN, quote_plus(TOKEN))})
    client = make_client(server.url, sleeps, headers={"Authorization": "Bearer " + TOKEN}, secrets=[TOKEN])

    with pytest.raises(ApiError) as caught:
        client.request("GET", "/zones", "list zones", params={"ApiKey": TOKEN})

    error = caught.value
    for text in (str(error), error.message, error.body, repr(error.details())):
        assert TOKEN not in text
        assert "S3cr3t" not in text
    assert "Authorization" not in str(error) and "Bearer" not in str(error)
    assert error.message == "token ******** is invalid (********)"
    assert error.path == "/zones"


def test_error_without_status_names_the_reason():
    error = ApiError("Cloudflare", "create zone", "post", "/zones?x=1", message="timed out after 30s")
    assert str(error) == "Cloudflare: create zone failed: POST /zones -> timed out after 30s"
    assert error.details()["path"] == "/zones"


# --- check mode guard -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_check_mode_refuses_writes_before_sending(server, sleeps, method):
    client = make_client(server.url, sleeps, check_mode=True)

    with pytest.raises(CheckModeViolation) as caught:
        client.request(method, "/a", "change a")

    assert isinstance(caught.value, ApiError)
    assert server.count() == 0


def test_check_mode_allows_reads(server, sleeps):
    client = make_client(server.url, sleeps, check_mode=True)
    for method in ("GET", "HEAD", "OPTIONS"):
        assert client.request(method, "/a", "read a").status_code == 200
    assert server.count() == 3


def test_check_mode_refuses_a_get_marked_as_mutating(server, sleeps):
    client = make_client(server.url, sleeps, check_mode=True)

    with pytest.raises(CheckModeViolation):
        client.request("GET", "/xml.response", "set hosts", params={"Command": "setHosts"}, mutates=True)

    assert server.count() == 0


# --- TLS ----------------------------------------------------------------------------------------


def test_certificates_are_verified_by_default(tls_server, sleeps):
    with pytest.raises(ApiError) as caught:
        make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert "TLS error" in str(caught.value) and "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert sleeps.delays == []


def test_validate_certs_false_accepts_a_self_signed_certificate(tls_server, sleeps):
    response = make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")
    assert response.status_code == 200
    assert tls_server.count() == 1


# --- helpers ------------------------------------------------------------------------------------


def test_parse_retry_after():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7", now) == 7
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:20 GMT", now) == 20
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize("attempt, low, high", [(0, 0.25, 0.5), (1, 0.5, 1), (3, 2, 4), (4, 4, 8), (9, 4, 8)])
def test_backoff_delay_is_jittered_and_capped(attempt, low, high):
    delays = [backoff_delay(attempt) for draw in range(50)]
    assert all(low <= delay <= high for delay in delays)
    assert len(set(delays)) > 1


# --- the response object ------------------------------------------------------------------------


def test_response_headers_text_and_json(server, sleeps):
    server.enqueue(body="caf\u00e9 is not JSON",
                   headers={"Content-Type": "text/plain; charset=utf-8", "X-WP-TotalPages": "3"})

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.headers.get("x-wp-totalpages") == response.headers["X-WP-TOTALPAGES"] == "3"
    assert response.headers.get("Retry-After") is None
    assert response.content == "caf\u00e9 is not JSON".encode()
    assert response.text == "caf\u00e9 is not JSON"
    with pytest.raises(ValueError):
        response.json()


def test_gzip_answers_are_decoded(server, sleeps):
    server.enqueue(body=gzip.compress(json.dumps({"zones": [1, 2]}).encode()),
                   headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})

    response = make_client(server.url, sleeps).request("GET", "/zones", "list zones")

    assert response.json() == {"zones": [1, 2]}
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_head_answer_has_no_body(server, sleeps):
    response = make_client(server.url, sleeps).request("HEAD", "/a", "check a")
    assert (response.status_code, response.content) == (200, b"")


# --- request encoding -----------------------------------------------------------------------------


def test_params_lists_repeat_the_key_and_none_is_left_out(server, sleeps):
    client = make_client(server.url, sleeps)

    seen = echo(client.request("GET", "/pages", "list pages",
                               params={"status": ["publish", "draft"], "search": "a b&c", "skip": None,
                                       "page": 2, "flag": True}))

    assert seen["query"] == "status=publish&status=draft&search=a+b%26c&page=2&flag=True"


def test_params_are_appended_to_a_query_in_the_path(server, sleeps):
    seen = echo(make_client(server.url, sleeps).request("GET", "/install.php?step=2", "install", params={"x": 1}))
    assert (seen["path"], seen["query"]) == ("/install.php", "step=2&x=1")


def test_unsafe_characters_of_the_path_are_quoted_and_escapes_kept(server, sleeps):
    client = make_client(server.url, sleeps)

    client.request("GET", "/themes/my theme/caf\u00e9%2Fx", "read theme")

    assert server.requests[0].target == "/themes/my%20theme/caf%C3%A9%2Fx"


def test_form_data_is_url_encoded(server, sleeps):
    client = make_client(server.url, sleeps)

    seen = echo(client.request("POST", "/xml.response", "set hosts",
                               data={"Command": "namecheap.domains.dns.setHosts", "TTL1": 1800, "Note": "a&b c"}))

    assert seen["body"] == "Command=namecheap.domains.dns.setHosts&TTL1=1800&Note=a%26b+c"
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert seen["headers"]["content-length"] == str(len(seen["body"]))


def test_bytes_data_is_sent_as_is_with_the_callers_headers(server, sleeps):
    content = bytes(range(256)) * 4
    client = make_client(server.url, sleeps)

    client.request("POST", "/wp-json/wp/v2/media", "upload logo", data=content,
                   headers={"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="logo.png"'})

    received = server.requests[0]
    assert received.body == content
    assert received.headers["content-type"] == "image/png"
    assert received.headers["content-disposition"] == 'attachment; filename="logo.png"'


def test_post_without_a_body_says_content_length_0(server, sleeps):
    make_client(server.url, sleeps).request("POST", "/deploy", "deploy")
    make_client(server.url, sleeps).request("GET", "/a", "read a")
    assert server.requests[0].headers["content-length"] == "0"
    assert "content-length" not in server.requests[1].headers


def test_sticky_headers_and_per_request_overrides(server, sleeps):
    client = make_client(server.url, sleeps, headers={"Authorization": "Bearer " + TOKEN})
    client.headers["X-WP-Nonce"] = "0123abcd"

    first = echo(client.request("GET", "/a", "read a", headers={"x-wp-nonce": "override"}))
    second = echo(client.request("GET", "/a", "read a", headers={"Authorization": None}))

    assert first["headers"]["x-wp-nonce"] == "override"
    assert second["headers"]["x-wp-nonce"] == "0123abcd"
    assert "authorization" not in second["headers"]


# --- cookies and redirects ------------------------------------------------------------------------


def test_cookies_set_by_the_service_are_sent_back(server, sleeps):
    server.enqueue(headers={"Set-Cookie": "session=abc123; Path=/; HttpOnly"})
    client = make_client(server.url, sleeps)

    client.request("GET", "/login", "log in")
    seen = echo(client.request("GET", "/a", "read a"))

    assert seen["headers"]["cookie"] == "session=abc123"
    assert [cookie.name for cookie in client.cookies] == ["session"]


def test_a_cookie_set_by_the_client_is_sent_to_the_service(server, sleeps):
    client = make_client(server.url + "/site", sleeps)
    client.set_cookie("wordpress_test_cookie", "WP Cookie check")

    seen = echo(client.request("POST", "/wp-login.php", "log in", data={"log": "admin"}))

    assert seen["headers"]["cookie"] == "wordpress_test_cookie=WP Cookie check"


def test_no_cookie_header_without_cookies(server, sleeps):
    seen = echo(make_client(server.url, sleeps).request("GET", "/a", "read a"))
    assert "cookie" not in seen["headers"]


def test_a_post_redirected_with_302_is_followed_as_a_get_with_the_new_cookies(server, sleeps):
    server.enqueue(method="POST", status=302, body="",
                   headers={"Location": "/wp-admin/", "Set-Cookie": "wordpress_logged_in_1=admin%7C1; Path=/"})
    client = make_client(server.url, sleeps)

    response = client.request("POST", "/wp-login.php", "log in", data={"log": "admin", "pwd": "secret"})

    assert response.status_code == 200
    login, admin = server.requests
    assert (login.method, login.body) == ("POST", b"log=admin&pwd=secret")
    assert (admin.method, admin.path, admin.body) == ("GET", "/wp-admin/", b"")
    assert "content-type" not in admin.headers and "content-length" not in admin.headers
    assert admin.headers["cookie"] == "wordpress_logged_in_1=admin%7C1"
    assert client.stats == {"POST": 1}


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_keep_the_method_and_body(server, sleeps, status):
    server.enqueue(method="PUT", status=status, headers={"Location": "/b"})

    seen = echo(make_client(server.url, sleeps).request("PUT", "/a", "write a", json={"x": 1}))

    assert (seen["method"], seen["path"], json.loads(seen["body"])) == ("PUT", "/b", {"x": 1})


def test_a_redirect_to_another_host_drops_the_authorization(server_factory, sleeps):
    first, second = server_factory(), server_factory()
    first.enqueue(status=301, headers={"Location": second.url + "/moved"})
    client = make_client(first.url, sleeps, headers={"Authorization": "Bearer " + TOKEN, "X-Keep": "1"})

    seen = echo(client.request("GET", "/a", "read a"))

    assert first.requests[0].headers["authorization"] == "Bearer " + TOKEN
    assert seen["path"] == "/moved" and seen["headers"]["x-keep"] == "1"
    assert "authorization" not in seen["headers"]


def test_endless_redirects_fail_without_retrying(server, sleeps):
    server.enqueue(status=302, headers={"Location": "/a"}, times=50)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert str(caught.value) == "Svc: read a failed: GET /a -> more than 30 redirects"
    assert server.count() == 31
    assert sleeps.delays == []


# --- kept-alive connections and threads -----------------------------------------------------------


def test_requests_share_one_kept_alive_connection(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    client = make_client(server.url, sleeps)

    for index in range(3):
        client.request("GET", "/a/%d" % index, "read a")
    client.request("POST", "/b", "create b", json={"x": 1})

    assert len({received.peer for received in server.requests}) == 1


def test_a_connection_the_service_closed_while_idle_is_replaced(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    server.enqueue(close=True)
    client = make_client(server.url, sleeps)
    client.request("GET", "/a", "read a")
    time.sleep(0.2)  # the server's close reaches the idle connection

    response = client.request("POST", "/b", "create b")

    assert response.status_code == 200
    assert server.count("POST") == 1
    assert len({received.peer for received in server.requests}) == 2
    assert sleeps.delays == []


def test_a_connection_is_not_reused_after_a_timeout(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    server.enqueue(hang=1)
    client = make_client(server.url, sleeps)

    response = client.request("GET", "/a", "read a")

    assert echo(response)["path"] == "/a"  # the late answer of the first attempt was not taken for this one
    assert len({received.peer for received in server.requests}) == 2


def test_threads_can_share_one_client(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    client = make_client(server.url, sleeps, timeout=5)

    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = ["/items/%d" % index for index in range(40)]
        answers = list(pool.map(lambda path: echo(client.request("GET", path, "read item"))["path"], paths))

    assert answers == paths
    assert client.stats == {"GET": 40}  # no attempt failed for sharing the client
    assert sleeps.delays == []
    assert len({received.peer for received in server.requests}) <= 4


# --- proxies from the environment -------------------------------------------------------------------


def test_http_goes_through_the_proxy_of_the_environment(server, sleeps, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://fabrik:p%%40ss@127.0.0.1:%d" % server.port)
    client = make_client("http://api.example.test:8080/v1", sleeps)

    client.request("GET", "/zones", "list zones", params={"page": 1})

    received = server.requests[0]
    assert received.target == "http://api.example.test:8080/v1/zones?page=1"
    assert received.headers["host"] == "api.example.test:8080"
    assert received.headers["proxy-authorization"] == "Basic " + base64.b64encode(b"fabrik:p@ss").decode()


def test_no_proxy_hosts_are_reached_directly(server, sleeps, monkeypatch, unused_port):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:%d" % unused_port)  # nothing listens there
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert server.requests[0].target == "/a"


def test_https_tunnels_through_the_proxy(tls_server, sleeps, monkeypatch):
    with _TunnelProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)

        response = make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert proxy.connects == ["127.0.0.1:%d" % tls_server.port]
    assert tls_server.count() == 1


def test_a_proxy_refusing_the_tunnel_is_reported(tls_server, sleeps, monkeypatch):
    with _TunnelProxy(refuse=407) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)

        with pytest.raises(ApiError) as caught:
            make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert str(caught.value).endswith("-> the proxy refused the tunnel: 407 Proxy Authentication Required")
    assert sleeps.delays == []
    assert tls_server.count() == 0


def test_a_proxy_scheme_other_than_http_is_refused(server, sleeps, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert "request failed: proxy socks5://... not supported (http:// proxies only)" in str(caught.value)
    assert server.count() == 0


class _TunnelProxy:
    """An HTTP proxy that answers CONNECT (or refuses it with ``refuse``) and relays the bytes."""

    def __init__(self, refuse=None):
        proxy = self
        self.connects = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                """Quiet."""

            def do_CONNECT(self):  # noqa: N802 (the HTTP method's name)
                proxy.connects.append(self.path)
                if refuse:
                    self.send_error(refuse)
                    return
                host, port = self.path.rsplit(":", 1)
                with socket.create_connection((host, int(port)), timeout=5) as upstream:
                    self.send_response(200, "Connection established")
                    self.end_headers()
                    _relay(self.connection, upstream)
                self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._httpd.shutdown()
        self._httpd.server_close()


def _relay(client, upstream):
    sockets = [client, upstream]
    while True:
        readable = select.select(sockets, [], [], 5)[0]
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)


# --- TLS with a CA bundle ------------------------------------------------------------------------


def test_a_ca_bundle_from_the_environment_verifies_the_certificate(tls_server, sleeps, monkeypatch,
                                                                   self_signed_cert):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", self_signed_cert[0])

    response = make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200


def test_credentials_in_the_url_become_basic_authentication(server, sleeps):
    client = make_client(server.url.replace("http://", "http://admin:s%40fe@"), sleeps)

    seen = echo(client.request("GET", "/a", "read a"))

    assert seen["headers"]["authorization"] == "Basic " + base64.b64encode(b"admin:s@fe").decode()
    assert seen["headers"]["host"] == "127.0.0.1:%d" % server.port
