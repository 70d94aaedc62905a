"""HttpClient against a real local HTTP server: retries, timeouts, errors, redaction, guards."""

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
