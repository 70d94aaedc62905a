# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP layer of fabrik.deploy.

Every service client sends its requests through :class:`HttpClient`, which adds
explicit timeouts, bounded retries that never resend a write blindly, a check
mode guard and one error type, :class:`ApiError`, whose text never carries a
header or a secret.

The transport is Python's own ``http.client`` (no third-party library to import
in every module run): kept-alive connections per client, shared safely by
threads, cookies, redirects, proxies from the environment and TLS verification.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import random
import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import MutableMapping
from datetime import datetime, timezone
from json import dumps as json_dumps
from json import loads as json_loads
from urllib.parse import quote, quote_plus, unquote, urlencode, urljoin, urlsplit

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "fabrik.deploy/" + COLLECTION_VERSION

REDACTED = "********"
READ_ONLY_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
RETRYABLE_STATUSES = frozenset((502, 503, 504))
# Statuses from a gateway that may have forwarded the request before failing.
GATEWAY_MAYBE_APPLIED = frozenset((502, 504))

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
MAX_CONNECT_TIMEOUT = 10.0
ERROR_TEXT_LIMIT = 300

# Redirects are followed like browsers (and the requests library) do: 301/302 of a POST and 303 become a GET.
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
MAX_REDIRECTS = 30
DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_HEADERS = (
    ("User-Agent", USER_AGENT),
    ("Accept-Encoding", "gzip, deflate"),
    ("Accept", "*/*"),
    ("Connection", "keep-alive"),
)
# Characters left as they are when a URL is (re)quoted: RFC 3986 reserved ones, ``%`` and ``~``.
URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


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


class Headers(MutableMapping):
    """HTTP headers: a dict whose keys compare case-insensitively (the spelling last set is kept)."""

    def __init__(self, data=None):
        self._store = {}
        if data:
            self.update(data)

    def __setitem__(self, name, value):
        self._store[name.lower()] = (name, value)

    def __getitem__(self, name):
        return self._store[name.lower()][1]

    def __delitem__(self, name):
        del self._store[name.lower()]

    def __iter__(self):
        return (name for name, value in self._store.values())

    def __len__(self):
        return len(self._store)

    def copy(self):
        return Headers(self)

    def __repr__(self):
        return "Headers(%r)" % sorted(self._store)


class Response:
    """What one request got back: ``status_code``, ``headers``, ``content`` (bytes), ``text``, ``json()``."""

    def __init__(self, status_code, reason, headers, content, url):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content
        self.url = url

    @property
    def encoding(self):
        """The charset the ``Content-Type`` header names, else UTF-8."""
        for parameter in (self.headers.get("Content-Type") or "").split(";")[1:]:
            name, sep, value = parameter.partition("=")
            if sep and name.strip().lower() == "charset":
                return value.strip().strip("\"'") or "utf-8"
        return "utf-8"

    @property
    def text(self):
        """The body decoded with its charset (undecodable bytes replaced)."""
        try:
            return self.content.decode(self.encoding, "replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", "replace")

    def json(self):
        """The body parsed as JSON; ValueError when it is not JSON."""
        return json_loads(self.content)


class TransportFailure(Exception):
    """No usable answer arrived.

    ``kind`` says where the exchange failed: ``resolve``, ``refused``, ``connect``, ``connect_timeout``,
    ``tls``, ``proxy`` (nothing was sent), ``timeout``, ``lost`` (after sending), ``redirects`` or
    ``failed``; ``sent`` is True once the request may have reached the service.
    """

    def __init__(self, kind, reason="", sent=False):
        super().__init__("%s: %s" % (kind, reason) if reason else kind)
        self.kind = kind
        self.reason = reason
        self.sent = sent


class HttpClient:
    """One service's base URL with kept-alive connections, retries and redaction.

    ``headers`` are sent with every request (``client.headers`` can be changed later); cookies the
    service sets are kept in ``client.cookies`` and sent back like a browser does. One client may be
    used from several threads at once: each request takes an idle connection or opens one.
    """

    def __init__(self, service, base_url, headers=None, secrets=None, timeout=30, validate_certs=True,
                 error_parser=None, check_mode=False, retry_after_cap=30, retry_budget=120,
                 max_retries=5, sleep=time.sleep):
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
        self.stats = {}
        self.headers = Headers(DEFAULT_HEADERS)
        self.headers.update(headers or {})
        self._secrets = _secret_forms(secrets or [])
        self._lock = threading.Lock()
        self._idle = {}          # connection key -> idle connections
        self._proxies = {}       # (scheme, host, port) -> _Proxy or None
        self._tls = None
        self._jar = None

    @property
    def cookies(self):
        """The cookie jar (``http.cookiejar.CookieJar``, thread-safe), created on first use."""
        with self._lock:
            if self._jar is None:
                import http.cookiejar  # only clients that meet a cookie pay the import

                self._jar = http.cookiejar.CookieJar()
            return self._jar

    def set_cookie(self, name, value):
        """Set a cookie for the base URL's host as if the service had set it (path ``/``, session)."""
        import http.cookiejar

        host = http.cookiejar.eff_request_host(_CookieRequest(self.base_url, Headers()))[1]
        self.cookies.set_cookie(http.cookiejar.Cookie(
            version=0, name=name, value=value, port=None, port_specified=False, domain=host,
            domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False,
            expires=None, discard=True, comment=None, comment_url=None, rest={}))

    def close(self):
        """Close the idle connections (later requests open new ones)."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def redact(self, text):
        """``text`` with every secret replaced by ``********``."""
        if not text:
            return text
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def request(self, method, path, operation, params=None, json=None, data=None, headers=None,
                expected=None, idempotent=None, raw=False, mutates=None):
        """Send one logical request, retrying where safe; return the :class:`Response`.

        ``params``: query parameters (a dict or pairs; a list value repeats the key; None values are left out).
        ``json``: a body sent as JSON; ``data``: a body sent as is (bytes, str) or form-encoded (a dict).
        ``expected``: statuses that count as success (default: any 2xx).
        ``idempotent``: override the method's idempotency (e.g. a POST that is safe to resend).
        ``raw``: return the final response whatever its status instead of raising.
        ``mutates``: override whether the request writes (e.g. a GET-style write command),
        which decides the check mode guard.
        """
        method = method.upper()
        if mutates is None:
            mutates = method not in READ_ONLY_METHODS
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        if self.check_mode and mutates:
            raise CheckModeViolation(self.service, operation, method, self.redact(path),
                                     message="refusing to send a mutating request in check mode")
        send_args = {
            "params": params,
            "json": json,
            "data": data,
            "headers": _request_headers(headers, json),
        }
        call = _Call(self, method, path, operation, idempotent)
        while True:
            try:
                return call.attempt(send_args, expected, raw)
            except _Retry as retry:
                call.wait_or_raise(retry)

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
        """One attempt: the request, redirects followed; a :class:`Response` or a TransportFailure."""
        with self._lock:
            self.stats[method] = self.stats.get(method, 0) + 1
        url = _requote(_with_query(self.base_url + "/" + path.lstrip("/"), send_args.get("params")))
        headers = Headers(self.headers)
        headers.update(send_args.get("headers") or {})
        body = _body(send_args.get("data"), send_args.get("json"), headers)
        for name in [name for name, value in headers.items() if value is None]:
            del headers[name]
        for hop in range(MAX_REDIRECTS + 1):
            response = self._exchange(method, url, headers, body)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            if hop == MAX_REDIRECTS:
                break
            method, url, body = _redirect(method, response.status_code, url, location, headers, body)
        raise TransportFailure("redirects", sent=True)

    # -- one exchange on one connection

    def _exchange(self, method, url, headers, body):
        headers = headers.copy()
        if body is not None:
            headers["Content-Length"] = str(len(body))
        elif method not in ("GET", "HEAD") and "Content-Length" not in headers:
            headers["Content-Length"] = "0"
        if self._jar is not None:
            self._jar.add_cookie_header(_CookieRequest(url, headers))
        target = self._target(url)
        if target.credentials:  # user:password@ in the URL: Basic authentication, as the requests library did
            headers["Authorization"] = _basic(*target.credentials)
        if target.proxy and target.scheme == "http":
            headers.update(target.proxy.headers)  # an HTTPS tunnel sends them in its CONNECT instead
        answer, content = self._roundtrip(target, method, headers, body)
        if answer.msg.get_all("Set-Cookie"):
            self.cookies.extract_cookies(answer, _CookieRequest(url, headers))
        response_headers = Headers()
        for name, value in answer.getheaders():
            response_headers[name] = response_headers[name] + ", " + value if name in response_headers else value
        try:
            content = _decoded(content, response_headers.get("Content-Encoding"))
        except zlib.error:
            raise TransportFailure("failed", "ContentDecodingError", sent=True) from None
        return Response(answer.status, answer.reason, response_headers, content, url)

    def _roundtrip(self, target, method, headers, body):
        """Send on an idle connection (or a new one) and read the whole answer."""
        while True:
            connection, reused = self._checkout(target)
            try:
                connection.putrequest(method, target.request_target, skip_host="Host" in headers,
                                      skip_accept_encoding=True)
                for name, value in headers.items():
                    connection.putheader(name, value)
                connection.endheaders(body)
            except ConnectionError as exc:
                connection.close()
                if reused:
                    continue  # the service closed an idle connection: nothing was read, send on a new one
                raise TransportFailure("lost", type(exc).__name__, sent=True) from None
            except BaseException as exc:
                connection.close()
                raise _exchange_error(exc) from None
            try:
                answer = connection.getresponse()
                content = answer.read()
            except BaseException as exc:
                connection.close()
                raise _exchange_error(exc) from None
            if answer.will_close:
                connection.close()
            else:
                with self._lock:
                    self._idle.setdefault(target.key, []).append(connection)
            return answer, content

    def _checkout(self, target):
        """An idle connection still open to ``target``, else a new one: (connection, reused)."""
        while True:
            with self._lock:
                idle = self._idle.get(target.key)
                connection = idle.pop() if idle else None
            if connection is None:
                return self._connect(target), False
            if not _dropped(connection):
                return connection, True
            connection.close()

    def _connect(self, target):
        connect_timeout, read_timeout = self.timeout
        proxy = target.proxy
        host, port = (proxy.host, proxy.port) if proxy else (target.host, target.port)
        if target.scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=connect_timeout,
                                                     context=self._tls_context())
            if proxy:
                connection.set_tunnel(target.host, target.port, headers=proxy.headers)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        try:
            connection.connect()
            connection.sock.settimeout(read_timeout)
        except BaseException as exc:
            connection.close()
            raise _connect_error(exc, tunnel=bool(proxy and target.scheme == "https")) from None
        return connection

    def _tls_context(self):
        with self._lock:
            if self._tls is None:
                try:
                    self._tls = _tls_context(self.validate_certs)
                except (OSError, ssl.SSLError) as exc:
                    raise TransportFailure("tls", "cannot load the CA certificates: %s" % exc) from None
            return self._tls

    def _target(self, url):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise TransportFailure("failed", "not an http(s) URL")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            raise TransportFailure("failed", "invalid port in the URL") from None
        key = (scheme, parts.hostname, port)
        if key not in self._proxies:
            self._proxies[key] = _environment_proxy(scheme, parts.hostname, port)
        proxy = self._proxies[key]
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        # Through a proxy, plain HTTP asks for the absolute URL; HTTPS tunnels and asks for the path.
        netloc = parts.netloc.rpartition("@")[2]
        request_target = "%s://%s%s" % (scheme, netloc, path) if proxy and scheme == "http" else path
        credentials = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        return _Target(scheme, parts.hostname, port, proxy, request_target, credentials)


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


def _request_headers(headers, json):
    merged = dict(headers or {})
    if json is not None:
        merged.setdefault("Content-Type", "application/json")
    return merged


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


class _Target:
    """Where one request goes: scheme, host, port, the proxy if any, and the request line's target."""

    def __init__(self, scheme, host, port, proxy, request_target, credentials):
        self.scheme = scheme
        self.host = host
        self.port = port
        self.proxy = proxy
        self.request_target = request_target
        self.credentials = credentials
        self.key = (scheme, host, port, proxy.url if proxy else None)


class _Proxy:
    def __init__(self, url, host, port, headers):
        self.url = url
        self.host = host
        self.port = port
        self.headers = headers


def _environment_proxy(scheme, host, port):
    """The proxy for a URL from ``<scheme>_proxy``/``all_proxy`` and ``no_proxy`` (any case), or None."""
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return None
    import urllib.request  # only when proxies are configured

    proxies = urllib.request.getproxies_environment()
    url = proxies.get(scheme) or proxies.get("all")
    if not url or urllib.request.proxy_bypass_environment("%s:%d" % (host, port), proxies):
        return None
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise TransportFailure("failed", "proxy %s://... not supported (http:// proxies only)" % parts.scheme)
    headers = {}
    if parts.username is not None:
        headers["Proxy-Authorization"] = _basic(unquote(parts.username), unquote(parts.password or ""))
    return _Proxy(url, parts.hostname, parts.port or 80, headers)


def _basic(user, password):
    import base64  # only for credentials in a URL

    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


def _tls_context(verify):
    """Certificates checked against the system's CAs (or REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE), or not at all."""
    if not verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle and os.path.isdir(bundle):
            context = ssl.create_default_context(capath=bundle)
        else:
            context = ssl.create_default_context(cafile=bundle or None)
    context.set_alpn_protocols(["http/1.1"])
    return context


def _connect_error(exc, tunnel):
    """A failure to open a connection, which sent nothing."""
    if isinstance(exc, TransportFailure):
        return exc
    if isinstance(exc, socket.gaierror):
        return TransportFailure("resolve", str(exc))
    if isinstance(exc, (ssl.SSLError, ssl.CertificateError)):
        return TransportFailure("tls", str(exc))
    if isinstance(exc, TimeoutError):
        return TransportFailure("connect_timeout")
    if isinstance(exc, ConnectionRefusedError):
        return TransportFailure("refused", str(exc))
    text = str(exc)
    if tunnel and text.startswith("Tunnel connection failed: "):
        return TransportFailure("proxy", text[len("Tunnel connection failed: "):])
    if isinstance(exc, (OSError, http.client.HTTPException)):
        return TransportFailure("connect", text)
    raise exc


def _exchange_error(exc):
    """A failure once the request was (being) sent: it may have reached the service."""
    if isinstance(exc, TransportFailure):
        return exc
    if isinstance(exc, TimeoutError):
        return TransportFailure("timeout", sent=True)
    if isinstance(exc, ssl.SSLError):
        return TransportFailure("tls", str(exc), sent=True)
    if isinstance(exc, (ConnectionError, http.client.BadStatusLine, http.client.IncompleteRead)):
        return TransportFailure("lost", type(exc).__name__, sent=True)
    if isinstance(exc, (OSError, http.client.HTTPException)):
        return TransportFailure("failed", type(exc).__name__, sent=True)
    raise exc


def _dropped(connection):
    """True when an idle kept-alive connection was closed by the other end (or has unread data)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _redirect(method, status, url, location, headers, body):
    """The next hop after a redirect: (method, url, body); ``headers`` are adjusted in place."""
    new_url = _requote(urljoin(url, location))
    if (status in (302, 303) and method != "HEAD") or (status == 301 and method == "POST"):
        method = "GET"
    if status not in (307, 308):
        body = None
        for name in ("Content-Type", "Content-Length", "Transfer-Encoding"):
            headers.pop(name, None)
    headers.pop("Cookie", None)  # from the jar again, for the new URL
    if _strip_authorization(url, new_url):
        headers.pop("Authorization", None)
    return method, new_url, body


def _strip_authorization(old_url, new_url):
    """True when a redirect leaves the host (or its scheme or port, except http to https on default ports)."""
    old, new = urlsplit(old_url), urlsplit(new_url)
    if old.hostname != new.hostname:
        return True
    if old.scheme == "http" and old.port in (80, None) and new.scheme == "https" and new.port in (443, None):
        return False
    defaults = (DEFAULT_PORTS.get(old.scheme), None)
    if old.scheme == new.scheme and old.port in defaults and new.port in defaults:
        return False
    return old.port != new.port or old.scheme != new.scheme


class _CookieRequest:
    """The parts of ``urllib.request.Request`` that ``http.cookiejar`` reads and writes."""

    unverifiable = False

    def __init__(self, url, headers):
        parts = urlsplit(url)
        self.full_url = url
        self.type = parts.scheme
        self.host = parts.netloc
        self.origin_req_host = (parts.hostname or "").lower()
        self.headers = headers

    def get_full_url(self):
        return self.full_url

    def get_host(self):
        return self.host

    def get_type(self):
        return self.type

    def get_origin_req_host(self):
        return self.origin_req_host

    def is_unverifiable(self):
        return False

    def has_header(self, name):
        return name in self.headers

    def get_header(self, name, default=None):
        return self.headers.get(name, default)

    def add_unredirected_header(self, name, value):
        self.headers[name] = value

    def header_items(self):
        return list(self.headers.items())


def _with_query(url, params):
    """``url`` with the encoded ``params`` appended to its query."""
    encoded = params if isinstance(params, str) else _form(params) if params else ""
    if not encoded:
        return url
    base, sep, query = url.partition("?")
    return base + "?" + (query + "&" + encoded if query else encoded)


def _form(data):
    """``application/x-www-form-urlencoded`` of a dict or pairs: list values repeat the key, None is left out."""
    pairs = []
    for key, values in (data.items() if hasattr(data, "items") else data):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        pairs.extend((key, value) for value in values if value is not None)
    return urlencode(pairs, doseq=True)


def _body(data, payload, headers):
    """The request body as bytes (or None); sets the form Content-Type for a dict ``data``."""
    if not data and payload is not None:
        return json_dumps(payload, allow_nan=False).encode("utf-8")
    if not data:
        return None
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if "Content-Type" not in headers:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return _form(data).encode("ascii")


def _decoded(content, encoding):
    encoding = (encoding or "").strip().lower()
    if not content or encoding in ("", "identity"):
        return content
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content)
    if encoding == "deflate":
        try:
            return zlib.decompress(content)
        except zlib.error:  # raw deflate, without the zlib header
            return zlib.decompress(content, -zlib.MAX_WBITS)
    return content


def _requote(url):
    """``url`` with unsafe characters percent-encoded, existing escapes kept, unreserved ones decoded."""
    try:
        return quote(_unquote_unreserved(url), safe=URL_SAFE)
    except ValueError:  # a stray % that is not an escape: quote it too
        return quote(url, safe=URL_SAFE.replace("%", ""))


def _unquote_unreserved(url):
    parts = url.split("%")
    for index in range(1, len(parts)):
        pair = parts[index][:2]
        if len(pair) == 2 and pair.isalnum():
            character = chr(int(pair, 16))  # ValueError when not hexadecimal
            parts[index] = character + parts[index][2:] if character in UNRESERVED else "%" + parts[index]
        else:
            parts[index] = "%" + parts[index]
    return "".join(parts)
