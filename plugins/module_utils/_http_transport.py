# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The requests side of the HTTP layer (``_http.py`` is the policy): one Session per client as the clients
need it, the environment read as requests reads it (proxies, CA bundle), one SSL context per CA bundle for
the process, and requests' exceptions mapped to :class:`TransportFailure` (was the request sent?).

requests is imported at the top: an action plugin imports this file once, in the controller's parent
process, before the workers fork (and the default CA bundle is loaded then too).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import ssl
import threading
import traceback
import warnings

try:
    import requests
    from urllib3.exceptions import HTTPError as Urllib3Error
    from urllib3.exceptions import InsecureRequestWarning, NameResolutionError, NewConnectionError, ReadTimeoutError
    from urllib3.util.ssl_ import create_urllib3_context
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

MAX_REDIRECTS = 30
# Kept-alive connections per host: more than the threads a module runs at once (_common.PARALLEL_READS and
# wordpress_pages' writers), so that none is dropped with urllib3's "pool is full" warning.
POOL_SIZE = 10
REASON_LIMIT = 300


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


def new_session(user_agent):
    """A requests Session as the clients need it: requests' defaults (environment proxies and CA bundle,
    redirects, cookies, gzip), ``user_agent``, no transport retries (the policy decides), no ~/.netrc."""
    session = _Session()
    session.headers["User-Agent"] = user_agent
    session.max_redirects = MAX_REDIRECTS
    # Set for every request, this hook keeps requests from reading ~/.netrc, whose entry for the host would
    # replace the client's own Authorization header; user:password in the URL still becomes Basic authentication.
    session.auth = _url_credentials
    adapter = _Adapter(pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def replayed(answer, url):
    """A ``requests.Response`` made of an answer kept by an earlier task of the run (``_run_reads.py``)."""
    response = requests.models.Response()
    response.status_code = answer["status"]
    response.headers = requests.structures.CaseInsensitiveDict(answer.get("headers") or {})
    response._content = answer["content"]  # pylint: disable=protected-access
    response.url = answer.get("url") or url
    response.encoding = answer.get("encoding") or "utf-8"
    response.reason = "kept from an earlier task of the run"
    return response


def send(session, method, url, **options):
    """One request on ``session``, redirects followed: the ``requests.Response``, or a TransportFailure."""
    try:
        response = session.request(method, url, **options)
    except (requests.exceptions.RequestException, Urllib3Error, OSError, UnicodeError) as exc:
        raise _failure(exc) from None
    if "charset=" not in response.headers.get("Content-Type", "").lower():
        # no charset named: UTF-8 (requests would take ISO-8859-1 for text/*, or guess at some CPU cost)
        response.encoding = "utf-8"
    return response


def set_cookie(jar, url, name, value):
    """Put a cookie in ``jar`` for the host of ``url`` as if it had set it (path ``/``, session)."""
    host = http.cookiejar.eff_request_host(requests.cookies.MockRequest(requests.Request("GET", url)))[1]
    jar.set_cookie(http.cookiejar.Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain=host,
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False,
        expires=None, discard=True, comment=None, comment_url=None, rest={}))


def quiet_unverified(url):
    """No InsecureRequestWarning for the host of ``url``, whose user chose validate_certs=false (other hosts,
    reached by a redirect for example, still warn)."""
    host = requests.utils.urlparse(url).hostname or ""
    warnings.filterwarnings("ignore", category=InsecureRequestWarning,
                            message="Unverified HTTPS request is being made to host '%s'" % re.escape(host))


if requests is not None:
    class _Session(requests.Session):
        """requests' Session, whose redirects drop the Authorization header on a host change but never take
        credentials from ~/.netrc."""

        def rebuild_auth(self, prepared_request, response):
            headers = prepared_request.headers
            if "Authorization" in headers and self.should_strip_auth(response.request.url, prepared_request.url):
                del headers["Authorization"]

    class _Adapter(requests.adapters.HTTPAdapter):
        """requests' adapter, whose verified HTTPS connections share one SSL context per CA bundle file.

        requests names the bundle (certifi's, or REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE) and urllib3 would load
        it into a new context for every connection, about 20 ms of CPU each; the contexts here are loaded
        once per process (the default one when this file is imported, before the workers fork).
        """

        def cert_verify(self, conn, url, verify, cert):
            super().cert_verify(conn, url, verify, cert)
            if conn.cert_reqs == "CERT_REQUIRED" and conn.ca_certs:
                context = _verifying_context(conn.ca_certs)
                if context is not None:
                    conn.conn_kw["ssl_context"] = context
                    conn.ca_certs = None


_CONTEXTS = {}
_CONTEXTS_LOCK = threading.Lock()


def _verifying_context(ca_file):
    """The SSL context verifying against ``ca_file`` (loaded again when the file changed); None when the file
    cannot be read (urllib3 then loads it itself and reports why)."""
    try:
        stat = os.stat(ca_file)
    except OSError:
        return None
    key = (ca_file, stat.st_mtime_ns, stat.st_size)
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(ca_file)
    if context is not None and context[0] == key:
        return context[1]
    try:
        loaded = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
        loaded.load_verify_locations(cafile=ca_file)
    except OSError:  # ssl.SSLError too
        return None
    with _CONTEXTS_LOCK:
        _CONTEXTS[ca_file] = (key, loaded)
    return loaded


def _preload_verifying_context():
    """The context of the CA bundle requests would use now, loaded at import time."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") \
        or requests.utils.DEFAULT_CA_BUNDLE_PATH
    if not os.path.isdir(bundle):
        _verifying_context(bundle)


def _url_credentials(request):
    """requests' auth hook: user:password in the URL becomes Basic authentication, as requests does."""
    user, password = requests.utils.get_auth_from_url(request.url)
    if user or password:
        requests.auth.HTTPBasicAuth(user, password)(request)
    return request


def _failure(exc):
    """The :class:`TransportFailure` for an exception of requests (or of urllib3 or the socket under it)."""
    exceptions = requests.exceptions
    reason = _innermost(exc)
    if isinstance(exc, exceptions.ConnectTimeout):
        return TransportFailure("connect_timeout")
    if isinstance(exc, exceptions.ProxyError):
        text = str(reason)
        if text.startswith("Tunnel connection failed: "):
            return TransportFailure("proxy", text[len("Tunnel connection failed: "):])
        return _connect_failure(reason) or TransportFailure("connect", _text(reason))
    if isinstance(exc, exceptions.SSLError):
        return TransportFailure("tls", _text(reason))
    if isinstance(exc, exceptions.ReadTimeout) or isinstance(reason, ReadTimeoutError):
        return TransportFailure("timeout", sent=True)
    if isinstance(exc, exceptions.TooManyRedirects):
        return TransportFailure("redirects", sent=True)
    if isinstance(exc, exceptions.ConnectionError):
        return _connect_failure(reason) or TransportFailure("lost", type(reason).__name__, sent=True)
    if isinstance(exc, (exceptions.ChunkedEncodingError, exceptions.ContentDecodingError)):
        return TransportFailure("failed", type(exc).__name__, sent=True)
    if isinstance(exc, exceptions.InvalidHeader):  # its text quotes the header's value, which may be a secret
        return TransportFailure("failed", "a header name or value is not allowed in HTTP")
    if isinstance(exc, UnicodeEncodeError):
        return TransportFailure("failed", "a header value is not Latin-1 text")
    if isinstance(exc, OSError) and "CA certificate bundle" in str(exc):  # REQUESTS_CA_BUNDLE names no file
        return TransportFailure("tls", "cannot load the CA certificates: " + _text(exc))
    return TransportFailure("failed", _text(exc))


def _connect_failure(reason):
    """The TransportFailure of a connection that could not be opened (nothing sent), else None."""
    if isinstance(reason, NameResolutionError):
        return TransportFailure("resolve", _text(reason))
    if isinstance(reason, NewConnectionError):
        refused = isinstance(reason.__cause__, ConnectionRefusedError) or "refused" in str(reason).lower()
        return TransportFailure("refused" if refused else "connect", _text(reason))
    return None


def _innermost(exc):
    """The underlying reason of an exception that requests and urllib3 wrapped (MaxRetryError and such)."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nested = getattr(exc, "reason", None)
        if not isinstance(nested, BaseException):
            nested = next((arg for arg in exc.args if isinstance(arg, BaseException)), None)
        if nested is None:
            break
        exc = nested
    return exc


# A URL's query and user:password, which requests' and urllib3's texts may quote (Namecheap's ApiKey, say).
_URL_QUERY = re.compile(r"\?[^\s'\")]*")
_URL_USERINFO = re.compile(r"(//)[^/\s@'\"]*@")


def _text(exc):
    """An exception's text without URL queries or credentials (the secrets are redacted later too)."""
    text = _URL_USERINFO.sub(r"\1", str(exc))
    return _URL_QUERY.sub("", text)[:REASON_LIMIT]


if requests is not None:
    _preload_verifying_context()
