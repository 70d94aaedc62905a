# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP layer of fabrik.deploy.

Every service client sends its requests through :class:`HttpClient`: one ``requests`` Session per client
(kept-alive connections shared by threads, cookies, redirects, proxies and a CA bundle from the environment,
all as requests does) under the collection's policy: explicit timeouts, bounded retries that never resend a
write blindly, a check mode guard and one error type, :class:`ApiError`, whose text never carries a header,
a URL's query or a secret.

This file is the policy; the requests side (the Session, the environment, the mapping of requests'
exceptions) is in ``_http_transport.py``, which imports requests at its top: an action plugin imports
both once, in the controller's parent process, before the workers fork.
"""

from __future__ import annotations

import email.utils
import random
import time
from datetime import datetime, timezone
from urllib.parse import quote, quote_plus

from ansible_collections.fabrik.deploy.plugins.module_utils import _http_transport as transport
from ansible_collections.fabrik.deploy.plugins.module_utils import _run_reads
from ansible_collections.fabrik.deploy.plugins.module_utils._limits import LimitError, limiter_for
from ansible_collections.fabrik.deploy.plugins.module_utils._http_transport import MAX_REDIRECTS, TransportFailure

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "fabrik.deploy/" + COLLECTION_VERSION

REDACTED = "********"
# request(cache=READ_AHEAD): a read sent ahead of the task that needs it (see _run_reads.py).
READ_AHEAD = "read ahead"
READ_ONLY_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
RETRYABLE_STATUSES = frozenset((502, 503, 504))
# Statuses from a gateway that may have forwarded the request before failing.
GATEWAY_MAYBE_APPLIED = frozenset((502, 504))

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
MAX_CONNECT_TIMEOUT = 10.0
ERROR_TEXT_LIMIT = 300


class ApiError(Exception):
    """A request that did not get the expected answer.

    ``status`` is the HTTP status, or None when no response arrived (``message``
    then says why). ``maybe_applied`` is True when a non-idempotent request may
    have reached the service: the caller must re-read before deciding anything.
    """

    def __init__(self, service, operation, method, path, status=None, message="", maybe_applied=False, body=None):
        self.service = service
        self.operation = operation
        self.method = method.upper()
        self.path = path.split("?", 1)[0]
        self.status = status
        self.message = message
        self.maybe_applied = maybe_applied
        self.body = body
        super().__init__(message)

    def __str__(self):
        head = "%s: %s failed: %s %s -> " % (self.service, self.operation, self.method, self.path)
        if self.status is None:
            return head + (self.message or "no response")
        if self.message:
            return head + "HTTP %s: %s" % (self.status, self.message)
        return head + "HTTP %s" % self.status

    def details(self):
        """The structured fields, for a module result."""
        return {
            "service": self.service,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "maybe_applied": self.maybe_applied,
        }


class CheckModeViolation(ApiError):
    """A mutating request attempted by a client running in check mode."""


class MissingLibrary(ApiError):
    """The requests library is not installed where the module runs (an ApiError, so every caller reports it)."""

    def __init__(self, service):
        from ansible.module_utils.basic import missing_required_lib  # only on this failure

        super().__init__(service, "prepare the client", "GET", "/", message=missing_required_lib("requests"))
        self.exception = transport.REQUESTS_IMPORT_ERROR

    def __str__(self):
        return "%s: %s" % (self.service, self.message)


def default_error_parser(response):
    """The API's own error text: JSON ``message``/``error``/``errors``, else the start of the body."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        parts = [_error_text(payload.get(key)) for key in ("message", "error", "errors")]
        text = "; ".join(part for part in parts if part)
        if text:
            return text
    return response.text.strip()[:ERROR_TEXT_LIMIT]


def _error_text(value):
    if not value:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(text for text in (_error_text(item) for item in value) if text)
    if isinstance(value, dict):
        if "message" in value:
            code = value.get("code")
            message = _error_text(value["message"])
            return "%s %s" % (code, message) if code is not None else message
        return "; ".join("%s: %s" % (key, _error_text(item)) for key, item in sorted(value.items()))
    return str(value)


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return max(0.0, seconds)


def backoff_delay(attempt):
    """Jittered exponential backoff: between half and all of min(cap, base * 2**attempt)."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class _Retry(Exception):
    """Internal: the attempt failed in a way that may be retried after ``delay`` seconds."""

    def __init__(self, error, delay=None, rate_limited=False):
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        self.rate_limited = rate_limited


class HttpClient:
    """One service's base URL on a requests Session, with the collection's retries and redaction.

    ``headers`` are sent with every request (``client.headers`` can be changed later); cookies the service
    sets are kept in ``client.cookies`` and sent back. One client may be used from several threads at once.

    ``rate_limit``: ``(name, scope)`` of the controller-wide limiter (``_limits.py``) every attempt waits for,
    e.g. ``("cloudflare", base_url + token)``; the limits in force for ``name`` apply (none: no waiting).

    ``reads_scope``: the credentials (hashed, never kept) under which the answers of the reads sent with
    ``cache=True`` are handed to the later tasks of the run (``_run_reads.py``); ``learn_reads``: note those
    reads for the site's next run, which sends them ahead (``read_ahead``).
    """

    def __init__(self, service, base_url, headers=None, secrets=None, timeout=30, validate_certs=True,
                 error_parser=None, check_mode=False, retry_after_cap=30, retry_budget=120,
                 max_retries=5, sleep=time.sleep, rate_limit=None, reads_scope=None, learn_reads=False):
        if transport.requests is None:
            raise MissingLibrary(service)
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(MAX_CONNECT_TIMEOUT, timeout), timeout)
        self.validate_certs = validate_certs
        self.error_parser = error_parser or default_error_parser
        self.check_mode = check_mode
        self.retry_after_cap = retry_after_cap
        self.retry_budget = retry_budget
        self.max_retries = max_retries
        self.sleep = sleep
        self._secrets = _secret_forms(secrets or [])
        self.limiter = None
        if rate_limit is not None:
            try:
                self.limiter = limiter_for(rate_limit[0], "%s\n%s" % (self.base_url, rate_limit[1]), sleep=sleep)
            except LimitError as err:
                raise ApiError(service, "prepare the client", "GET", "/", message=str(err)) from None
        self.reads = _run_reads.store(service, self.base_url, reads_scope, learn_reads)
        self.session = transport.new_session(USER_AGENT)
        self.session.headers.update(headers or {})
        if not validate_certs:
            transport.quiet_unverified(self.base_url)

    @property
    def headers(self):
        """The headers sent with every request (case-insensitive; a request's own ``None`` drops one)."""
        return self.session.headers

    @property
    def cookies(self):
        """The cookie jar (a ``http.cookiejar.CookieJar``) of the session."""
        return self.session.cookies

    def set_cookie(self, name, value):
        """Set a cookie for the base URL's host as if the service had set it (path ``/``, session)."""
        transport.set_cookie(self.session.cookies, self.base_url, name, value)

    def close(self):
        """Close the kept-alive connections (later requests open new ones)."""
        self.session.close()

    def redact(self, text):
        """``text`` with every secret replaced by ``********``."""
        if not text:
            return text
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def request(self, method, path, operation, params=None, json=None, data=None, headers=None,
                expected=None, idempotent=None, raw=False, mutates=None, cache=False, keep=None):
        """Send one logical request, retrying where safe; return the ``requests.Response``.

        ``params``: query parameters (a dict or pairs; a list value repeats the key; None values are left out).
        ``json``: a body sent as JSON; ``data``: a body sent as is (bytes, str as UTF-8) or form-encoded (a dict).
        ``expected``: statuses that count as success (default: any 2xx).
        ``idempotent``: override the method's idempotency (e.g. a POST that is safe to resend).
        ``raw``: return the final response whatever its status instead of raising.
        ``mutates``: override whether the request writes (e.g. a GET-style write command),
        which decides the check mode guard.
        ``cache``: a read whose answer may be handed to the later tasks of the run, and taken from an earlier
        one (never a read polled for a change); any write of the run makes those answers stale. ``READ_AHEAD``:
        the same for a read sent ahead of the task that needs it, which is not noted for the next run.
        ``keep``: whether a successful answer may be kept (e.g. not an error the API sends with status 200).
        """
        method = method.upper()
        if mutates is None:
            mutates = method not in READ_ONLY_METHODS
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        if self.check_mode and mutates:
            raise CheckModeViolation(self.service, operation, method, self.redact(path),
                                     message="refusing to send a mutating request in check mode")
        if mutates:
            _run_reads.invalidate()
        reads = self.reads if cache and not mutates else None
        if reads is not None:
            key = _run_reads.request_key(method, path, params, data if isinstance(data, dict) else None)
            kept = reads.get(key)
            if kept is not None and _is_expected(kept["status"], expected):
                if cache is not READ_AHEAD:
                    reads.record(key)
                return transport.replayed(kept, self.base_url + "/" + path.lstrip("/"))
            generation = reads.generation()
        send_args = {
            "params": params,
            "json": json,
            "data": data.encode("utf-8") if isinstance(data, str) else data,
            "headers": headers,
        }
        call = _Call(self, method, path, operation, idempotent)
        while True:
            try:
                response = call.attempt(send_args, expected, raw)
                break
            except _Retry as retry:
                call.wait_or_raise(retry)
        if reads is not None:
            if keep is None or keep(response):
                reads.put(key, response, generation)
            if cache is not READ_AHEAD:
                reads.record(key)
        return response

    def error_for(self, response, method, path, operation, maybe_applied=False):
        """The ApiError for an unexpected response (API error text extracted and redacted)."""
        try:
            message = self.error_parser(response)
        except Exception:  # a service parser must never hide the real error
            message = default_error_parser(response)
        return ApiError(self.service, operation, method, self.redact(path), status=response.status_code,
                        message=self.redact(message), maybe_applied=maybe_applied,
                        body=self.redact(response.text))

    def send(self, method, path, send_args):
        """One attempt, redirects followed: the ``requests.Response``, or a :class:`TransportFailure`."""
        return transport.send(self.session, method, self.base_url + "/" + path.lstrip("/"), timeout=self.timeout,
                              verify=self.validate_certs, **send_args)


class _Call:
    """One logical request across its attempts: tracks retries and the time budget."""

    def __init__(self, client, method, path, operation, idempotent):
        self.client = client
        self.method = method
        self.path = path
        self.operation = operation
        self.idempotent = idempotent
        self.started = time.monotonic()
        self.slept = 0.0
        self.backoffs = 0

    def error(self, message, status=None, maybe_applied=False):
        client = self.client
        return ApiError(client.service, self.operation, self.method, client.redact(self.path), status=status,
                        message=client.redact(message), maybe_applied=maybe_applied)

    def attempt(self, send_args, expected, raw):
        limiter = self.client.limiter
        if limiter is not None:
            try:
                waited = limiter.acquire()
            except (LimitError, OSError) as err:
                raise self.error("rate limiter: %s" % err) from None
            # Waiting for the controller's own limiter spends none of the retry budget.
            self.started += waited
        try:
            response = self.client.send(self.method, self.path, send_args)
        except TransportFailure as exc:
            raise self._transport_failure(exc) from None
        status = response.status_code
        if _is_expected(status, expected):
            return response
        if status == 429:
            delay = parse_retry_after(response.headers.get("Retry-After"))
            if delay is not None:
                delay = min(delay, self.client.retry_after_cap)
            raise _Retry(self.client.error_for(response, self.method, self.path, self.operation),
                         delay=delay, rate_limited=True)
        if status in RETRYABLE_STATUSES and self.idempotent:
            raise _Retry(self.client.error_for(response, self.method, self.path, self.operation))
        if raw:
            return response
        maybe_applied = status in GATEWAY_MAYBE_APPLIED and not self.idempotent
        raise self.client.error_for(response, self.method, self.path, self.operation, maybe_applied)

    def _transport_failure(self, exc):
        """Map a TransportFailure to a retry or to the final ApiError."""
        connect_timeout, read_timeout = self.client.timeout
        kind = exc.kind
        if kind == "connect_timeout":
            return _Retry(self.error("connect timed out after %ss" % _seconds(connect_timeout)))
        if kind == "tls":
            return self.error("TLS error: %s" % exc.reason)
        if kind == "resolve":
            return self.error("cannot resolve host")
        if kind == "refused":
            return _Retry(self.error("connection refused"))
        if kind == "connect":
            return _Retry(self.error("cannot connect"))
        if kind == "proxy":
            return self.error("the proxy refused the tunnel: %s" % exc.reason)
        if kind == "redirects":
            return self.error("more than %d redirects" % MAX_REDIRECTS)
        if kind == "timeout":
            return self._lost_response("timed out after %ss" % _seconds(read_timeout))
        if kind == "lost":
            return self._lost_response("connection lost before a response")
        if exc.sent:
            return self._lost_response("request failed: %s" % exc.reason)
        return self.error("request failed: %s" % exc.reason)

    def _lost_response(self, reason):
        if self.idempotent:
            return _Retry(self.error(reason))
        return self.error(reason + " (the request may have been applied)", maybe_applied=True)

    def wait_or_raise(self, retry):
        """Sleep before the next attempt, or raise the last error when retries or budget are spent."""
        client = self.client
        delay = retry.delay
        if delay is None:
            if not retry.rate_limited and self.backoffs >= client.max_retries:
                raise _gave_up(retry.error, "after %d retries" % self.backoffs)
            delay = backoff_delay(self.backoffs)
            self.backoffs += 1
        # With an injected sleep no real time passes, so count the slept time too.
        spent = max(time.monotonic() - self.started, self.slept)
        if spent + delay > client.retry_budget:
            raise _gave_up(retry.error, "retry budget of %ss exhausted" % _seconds(client.retry_budget))
        client.sleep(delay)
        self.slept += delay


def _gave_up(error, why):
    error.message = "%s (gave up: %s)" % (error.message, why) if error.message else "gave up: " + why
    return error


def _is_expected(status, expected):
    if expected is None:
        return 200 <= status < 300
    return status in expected


def _secret_forms(secrets):
    """Each secret as given and URL-encoded, longest first so overlapping secrets redact fully."""
    forms = set()
    for secret in secrets:
        if secret:
            secret = str(secret)
            forms.update((secret, quote(secret), quote(secret, safe=""), quote_plus(secret)))
    return sorted(forms, key=len, reverse=True)


def _seconds(value):
    return ("%g" % value) if isinstance(value, float) else str(value)
