"""HttpClient against a real local HTTP server: retries, timeouts, errors, redaction, guards."""

import gzip
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
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


@pytest.mark.parametrize("content_type", ["text/plain", "text/xml", "application/octet-stream"])
def test_text_without_a_charset_is_utf_8(server, sleeps, content_type):
    # requests alone would read text/* as ISO-8859-1 and guess the others' encoding
    server.enqueue(body="caf\u00e9 \u2013 \u4f60\u597d".encode(), headers={"Content-Type": content_type})

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.text == "caf\u00e9 \u2013 \u4f60\u597d"


def test_a_charset_named_by_the_service_is_used(server, sleeps):
    server.enqueue(body="caf\u00e9".encode("iso-8859-1"), headers={"Content-Type": "text/plain; charset=ISO-8859-1"})

    assert make_client(server.url, sleeps).request("GET", "/a", "read a").text == "caf\u00e9"


def test_gzip_answers_are_decoded(server, sleeps):
    server.enqueue(body=gzip.compress(json.dumps({"zones": [1, 2]}).encode()),
                   headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})

    response = make_client(server.url, sleeps).request("GET", "/zones", "list zones")

    assert response.json() == {"zones": [1, 2]}
    assert "gzip" in server.requests[0].headers["accept-encoding"].split(", ")


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
