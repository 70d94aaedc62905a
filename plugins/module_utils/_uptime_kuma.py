# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Uptime Kuma client, input validation and the monitor field mapping.

Uptime Kuma (1.23.x and 2.x) has no CRUD REST API: everything goes over the web
UI's Socket.IO channel.  :class:`UptimeKumaClient` is the only code that touches
the third-party library ``uptime-kuma-api2`` (import name ``uptime_kuma_api``),
so the library can be swapped without changing a module:

* the library connects, logs in and keeps the lists the server pushes
  (monitors, notifications, status pages, server info);
* every write is emitted by this client with a payload it builds itself,
  gated on the server version read from ``info.version`` after login
  (``conditions`` from 2.0, interval bounds, status page analytics keys), so the
  library's own payload rules (a 20 s interval floor even on 2.1+, a status page
  save that breaks on unknown keys) do not apply;
* in check mode every mutating event is refused, so a slip is an error and never
  a write.

Errors are :class:`UptimeKumaError`: ``Uptime Kuma: <operation> failed: <msg>``,
with passwords, tokens and TOTP values removed from the text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import sys
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, LazyImport, SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._limits import LimitError, limiter_for
from ansible_collections.fabrik.deploy.plugins.module_utils._types import to_bool, to_int
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma_session import token_cache

SERVICE = "Uptime Kuma"
LIBRARY = "uptime-kuma-api2"
DEFAULT_TIMEOUT = 30
# Pause the library makes after reading a pushed list, waiting for a later copy: none. The lists a login pushes
# have arrived once the version that follows them has (UptimeKumaClient._server_version), each arrives whole,
# and the library reads the monitor list again itself after a change.
WAIT_EVENTS = 0
TOTP_STEP = 30
# The server's answer when its login limiter (20 a minute for the instance) is spent; waited out this often.
TOO_FREQUENTLY = "Too frequently, try again later."
THROTTLED_ATTEMPTS = 12
THROTTLED_PAUSE = 5.0
TOTP_DIGITS = 6
REDACTED = "********"

# Events that only read: everything else is refused in check mode.
READ_EVENTS = frozenset({"getMonitor", "getMonitorList", "getTags", "getStatusPage"})

MONITOR_TYPES = ("http", "keyword", "json-query", "ping", "port", "dns", "push", "group")
URL_TYPES = frozenset({"http", "keyword", "json-query"})
HOST_TYPES = frozenset({"ping", "port", "dns"})
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
DNS_RESOLVE_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT")
INTERVAL_LEGACY = (20, 2073600)  # 1.23 and 2.0
INTERVAL_FROM_2_1 = (1, None)
STATUS_CODES = re.compile(r"^([1-9]\d\d)(?:-([1-9]\d\d))?$")
STATUS_PAGE_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
ANALYTICS_TYPES = ("google", "umami", "plausible", "matomo", "rybbit")
PUSH_TOKEN_LENGTH = 32
# Monitor options that are booleans (given as strings by extra vars: converted as Ansible converts them).
BOOL_OPTIONS = ("invert_keyword", "expiry_notification", "ignore_tls", "upside_down")

# Monitor options (snake case, as the modules take them) -> the server's field names.
MONITOR_FIELDS = {
    "name": "name",
    "type": "type",
    "description": "description",
    "url": "url",
    "method": "method",
    "hostname": "hostname",
    "port": "port",
    "keyword": "keyword",
    "invert_keyword": "invertKeyword",
    "json_path": "jsonPath",
    "expected_value": "expectedValue",
    "interval": "interval",
    "retry_interval": "retryInterval",
    "resend_interval": "resendInterval",
    "max_retries": "maxretries",
    "timeout": "timeout",
    "accepted_status_codes": "accepted_statuscodes",
    "expiry_notification": "expiryNotification",
    "ignore_tls": "ignoreTls",
    "max_redirects": "maxredirects",
    "upside_down": "upsideDown",
    "dns_resolve_type": "dns_resolve_type",
    "dns_resolve_server": "dns_resolve_server",
}
COMMON_OPTIONS = ("name", "type", "description", "interval", "retry_interval", "resend_interval", "max_retries",
                  "upside_down", "notifications", "parent")
HTTP_OPTIONS = ("url", "method", "timeout", "accepted_status_codes", "expiry_notification", "ignore_tls",
                "max_redirects")
# The options that mean something for each type (the rest are refused).
TYPE_OPTIONS = {
    "http": COMMON_OPTIONS + HTTP_OPTIONS,
    "keyword": COMMON_OPTIONS + HTTP_OPTIONS + ("keyword", "invert_keyword"),
    "json-query": COMMON_OPTIONS + HTTP_OPTIONS + ("json_path", "expected_value"),
    "ping": COMMON_OPTIONS + ("hostname",),
    "port": COMMON_OPTIONS + ("hostname", "port"),
    "dns": COMMON_OPTIONS + ("hostname", "port", "dns_resolve_type", "dns_resolve_server"),
    "push": COMMON_OPTIONS,
    "group": COMMON_OPTIONS,
}
REQUIRED_OPTIONS = {
    "http": ("url",),
    "keyword": ("url", "keyword"),
    "json-query": ("url", "json_path", "expected_value"),
    "ping": ("hostname",),
    "port": ("hostname", "port"),
    "dns": ("hostname",),
    "push": (),
    "group": (),
}
# Values a new monitor gets for options left unset (None: the server's default).
CREATE_DEFAULTS = {
    "interval": 60,
    "retry_interval": 60,
    "resend_interval": 0,
    "max_retries": 0,
    "upside_down": False,
    "accepted_status_codes": ["200-299"],
    "method": "GET",
    "expiry_notification": False,
    "ignore_tls": False,
    "max_redirects": 10,
    "invert_keyword": False,
    "dns_resolve_type": "A",
    "dns_resolve_server": "1.1.1.1",
}
DNS_PORT = 53
# HTTP-like timeout of a new monitor: 0.8 x interval, as the web UI proposes.
TIMEOUT_SHARE = 0.8


def _import_library():
    """uptime-kuma-api2 and its transports, without aiohttp: python-socketio's package imports its asyncio
    client too, whose aiohttp costs twice the rest of the import and 90 modules in every process that forks
    from Ansible's (engineio's asyncio client does without it: the synchronous client is the one used)."""
    import requests

    hidden = "aiohttp" not in sys.modules
    if hidden:
        sys.modules["aiohttp"] = None  # "import aiohttp" raises ImportError
    try:
        import socketio
        from uptime_kuma_api import NotificationType, UptimeKumaApi, UptimeKumaException
    finally:
        if hidden:
            del sys.modules["aiohttp"]

    class GreetedApi(UptimeKumaApi):
        """The library's client, which also tells when the server's first ``info`` event arrived (Uptime Kuma
        2.x attaches its event handlers, login included, only after sending it, and an event sent earlier
        gets no answer at all), and when one with the server's version did: the server sends its version only
        to a logged-in connection, in the ``info`` event that follows the monitor list after a login."""

        def __init__(self, *args, **kwargs):
            self.greeted = threading.Event()
            self.versioned = threading.Event()
            self.server_version = None
            super().__init__(*args, **kwargs)

        def _event_info(self, data):
            super()._event_info(data)
            if isinstance(data, dict) and data.get("version"):
                self.server_version = data["version"]
                self.versioned.set()
            self.greeted.set()

    return SimpleNamespace(requests=requests, socketio=socketio, api_class=GreetedApi,
                           exception=UptimeKumaException, notification_type=NotificationType)


KUMA_LIBRARY = LazyImport(_import_library)


def require_library():
    """Fail the module cleanly when uptime-kuma-api2 is not installed."""
    if KUMA_LIBRARY.load() is None:
        raise Failure(missing_required_lib(LIBRARY), exception=KUMA_LIBRARY.error)


def connection_argument_spec():
    """Connection options shared by every Uptime Kuma module (see the uptime_kuma doc fragment)."""
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["UPTIME_KUMA_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["UPTIME_KUMA_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["UPTIME_KUMA_PASSWORD"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["UPTIME_KUMA_TOKEN"])),
        totp=dict(type="str", no_log=True),
        totp_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["UPTIME_KUMA_TOTP_SECRET"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    )


def client_for(ctx):
    """A :class:`UptimeKumaClient` from a module's connection options (validated, not yet logged in)."""
    params = ctx.params
    return UptimeKumaClient(
        url=params["url"],
        username=params["username"],
        password=params["password"],
        token=params["token"],
        totp=params["totp"],
        totp_secret=params["totp_secret"],
        timeout=params["timeout"],
        validate_certs=params["validate_certs"],
        check_mode=ctx.check_mode,
    )


@contextmanager
def connected(client):
    """Log ``client`` in, yield it, always disconnect (the library's socket threads would outlive the module)."""
    try:
        client.login()
        yield client
    finally:
        client.close()


# ------------------------------------------------------------------ errors


class UptimeKumaError(ApiError):
    """A failed operation: ``Uptime Kuma: <operation> failed: <message>``."""

    def __init__(self, operation, message, event=None, maybe_applied=False):
        super().__init__(SERVICE, operation, "EMIT", event or operation, status=None, message=message,
                         maybe_applied=maybe_applied)

    def __str__(self):
        return "%s: %s failed: %s" % (self.service, self.operation, self.message or "no details")


# ---------------------------------------------------------------- versions


def parse_release(version):
    """``"2.0.0-beta.2"`` -> ``(2, 0, 0)``: only the release segment counts (betas are gated as their release)."""
    match = re.match(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?", str(version or ""))
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


def interval_bounds(release):
    """(minimum, maximum or None) of a monitor's interval on a server of ``release``."""
    return INTERVAL_FROM_2_1 if release >= (2, 1) else INTERVAL_LEGACY


# -------------------------------------------------------------------- TOTP


def totp_code(secret, at=None, step_offset=0):
    """RFC 6238 code (HMAC-SHA1, 30 s steps, 6 digits) of a base32 ``secret``; ``step_offset`` shifts the step."""
    key = _totp_key(secret)
    counter = int((time.time() if at is None else at) // TOTP_STEP) + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** TOTP_DIGITS
    return "%0*d" % (TOTP_DIGITS, number)


def _totp_key(secret):
    cleaned = re.sub(r"[\s-]", "", str(secret)).upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise SpecError("totp_secret", "the base32 secret shown when two-factor authentication was set up expected")
    return key


def validate_auth(username, password, token, totp, totp_secret):
    """Refuse a combination of credentials that cannot log in; messages never show a value."""
    if token:
        if username or password or totp or totp_secret:
            raise SpecError("token", "give either a login token or username and password, not both")
        return
    if not username or not password:
        raise SpecError("username", "username and password (or a login token) are required")
    if totp and totp_secret:
        raise SpecError("totp", "give either totp or totp_secret, not both")
    if totp and not re.match(r"^\d{6}$", str(totp)):
        raise SpecError("totp", "a 6-digit code expected")
    if totp_secret:
        _totp_key(totp_secret)


def validate_url(value, field):
    """An http(s) URL with a host; returned stripped."""
    text = str(value or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpecError(field, "an http:// or https:// URL with a host expected, got %r" % text)
    return text


# ------------------------------------------------------------------ client


class UptimeKumaClient:
    """One logged-in session with Uptime Kuma over Socket.IO (via ``uptime_kuma_api.UptimeKumaApi``).

    ``api_class`` builds the library object (tests may pass another); ``wait_events``
    is the library's pause after reading a pushed list.
    """

    def __init__(self, url, username=None, password=None, token=None, totp=None, totp_secret=None,
                 timeout=DEFAULT_TIMEOUT, validate_certs=True, check_mode=False, wait_events=WAIT_EVENTS,
                 api_class=None):
        self.url = validate_url(url, "url").rstrip("/")
        timeout = to_int(timeout, "timeout")
        if timeout < 1:
            raise SpecError("timeout", "a positive number of seconds expected, got %r" % (timeout,))
        validate_auth(username, password, token, totp, totp_secret)
        self._username = username
        self._password = password
        self._token = token
        self._totp = totp
        self._totp_secret = totp_secret
        self._secrets = [value for value in (password, token, totp, totp_secret) if value]
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.check_mode = check_mode
        self.wait_events = wait_events
        self._api_class = api_class
        self._api = None
        self._pages_added = set()  # the library's status page list is only pushed at login
        self._pages_deleted = set()
        self.version = None
        self.release = None

    # -- session

    def login(self):
        """Connect and authenticate once; read the server version."""
        if self._api is not None:
            return
        library = KUMA_LIBRARY.load()
        api_class = self._api_class or library.api_class
        try:
            self._api = api_class(self.url, timeout=self.timeout, ssl_verify=self.validate_certs,
                                  wait_events=self.wait_events)
        except library.exception as err:
            raise self._error("connect", "cannot connect to %s (%s)" % (self.url, err)) from None
        self._wait_for_greeting()
        self._authenticate()
        self.version = self._server_version()
        self.release = parse_release(self.version)
        if self.release is None or self.release[0] not in (1, 2):
            raise self._error("read server info", "server version %r is not supported (1.23.x and 2.x are)"
                              % self.version)

    def _wait_for_greeting(self):
        """Wait (at most the timeout) for the server's first ``info`` event: Uptime Kuma 2.x answers no event
        before it (every version sends it on connection)."""
        greeted = getattr(self._api, "greeted", None)
        if greeted is not None:
            greeted.wait(self.timeout)

    def _server_version(self):
        """The version the server sent after the login (waited for, at most the timeout): by then the lists it
        pushes on a login before it (the monitor list first) have arrived too. A library object that does not
        tell (a test's stand-in) is asked through ``info()``."""
        versioned = getattr(self._api, "versioned", None)
        if versioned is None:
            return self._library("read server info", lambda: self._api.info().get("version"))
        if not versioned.wait(self.timeout):
            raise self._error("read server info", "the server sent no version within %d s of the login"
                              % self.timeout)
        return self._api.server_version

    def _authenticate(self):
        """Login by the given token; else by the token an earlier task of this run kept, or by username +
        password (+ TOTP code), keeping the server's token for the next tasks (``_uptime_kuma_session``).
        The one auth step to replace for 3.x."""
        if self._token:
            self._library("login", self._api.login_by_token, self._token)
            return
        cache = token_cache(self.url, self._username, self._password)
        if cache is None:
            self._password_login()
            return
        with cache.locked() as kept:
            token = kept.read()
            if token:
                try:
                    self._library("login", self._api.login_by_token, token)
                    return
                except UptimeKumaError:  # expired by a password change, or another server: log in again
                    kept.forget()
            reply = self._password_login()
            if isinstance(reply, dict) and reply.get("token"):
                kept.write(reply["token"])

    def _password_login(self):
        """Login by username + password (+ TOTP code), within the controller's login limiter; the reply."""
        codes = [self._totp] if self._totp else [""]
        if self._totp_secret:
            # The server refuses the code used by the last login: the next step's code is valid too.
            codes = [totp_code(self._totp_secret), totp_code(self._totp_secret, step_offset=1)]
        for attempt, code in enumerate(codes, start=1):
            try:
                reply = self._limited_login(code)
            except UptimeKumaError as err:
                if attempt < len(codes) and _is_bad_totp(err.message):
                    continue
                raise
            if isinstance(reply, dict) and reply.get("tokenRequired"):
                raise self._error("login", "two-factor authentication is on for this user: give totp_secret "
                                           "(or totp, or a login token)")
            return reply
        return None

    def _limited_login(self, code):
        """One password login, sent when the controller-wide login limiter allows; the server's own limiter
        (other clients count too) is waited out."""
        try:
            limiter = limiter_for("uptime_kuma_login", self.url)
        except LimitError as err:
            raise self._error("login", str(err)) from None
        for attempt in range(1, THROTTLED_ATTEMPTS + 1):
            if limiter is not None:
                try:
                    limiter.acquire()
                except (LimitError, OSError) as err:
                    raise self._error("login", "rate limiter: %s" % err) from None
            try:
                return self._library("login", self._api.login, self._username, self._password, code)
            except UptimeKumaError as err:
                if err.message != TOO_FREQUENTLY or attempt == THROTTLED_ATTEMPTS:
                    raise
            time.sleep(THROTTLED_PAUSE)
        return None

    def close(self):
        if self._api is not None:
            # Nothing is left to save on the way out: a failing disconnect must not hide the result.
            try:
                self._api.disconnect()
            except Exception:  # pylint: disable=broad-except
                pass
            self._api = None

    def at_least(self, *floor):
        return self.release >= floor

    def interval_bounds(self):
        return interval_bounds(self.release)

    # -- transport

    def _redact(self, text):
        text = str(text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _error(self, operation, message, event=None, maybe_applied=False):
        return UptimeKumaError(operation, self._redact(message), event, maybe_applied)

    def _library(self, operation, fn, *args):
        """Call the library; its exceptions become :class:`UptimeKumaError`."""
        library = KUMA_LIBRARY.load()
        try:
            return fn(*args)
        except (library.exception, library.socketio.exceptions.SocketIOError, library.requests.RequestException) as err:
            raise self._error(operation, str(err) or type(err).__name__) from None

    def _emit(self, operation, event, *args):
        """Send one event, return the server's answer (``ok: false`` raises)."""
        writes = event not in READ_EVENTS
        if writes and self.check_mode:
            raise self._error(operation, "refused in check mode: %s would change the server" % event, event)
        payload = None if not args else args[0] if len(args) == 1 else tuple(args)
        try:
            reply = self._api.sio.call(event, payload, timeout=self.timeout)
        except KUMA_LIBRARY.load().socketio.exceptions.SocketIOError as err:
            hint = "; it may have been applied, rerun to converge" if writes else ""
            raise self._error(operation, "no answer within %d s (%s)%s" % (self.timeout, type(err).__name__, hint),
                              event, maybe_applied=writes) from None
        if isinstance(reply, dict) and reply.get("ok") is False:
            raise self._error(operation, reply.get("msg") or "refused without a message", event)
        return reply

    # -- monitors

    def monitors(self, refresh=False):
        """Every monitor of the user, as the server sends them (notificationIDList as a list of ids)."""
        if refresh:
            self._emit("list monitors", "getMonitorList")
        return [_plain_monitor(monitor) for monitor in self._library("list monitors", self._api.get_monitors)]

    def get_monitor(self, monitor_id):
        """One monitor exactly as the server sends it (the base of a read-merge-write)."""
        return self._emit("read monitor %s" % monitor_id, "getMonitor", monitor_id)["monitor"]

    def add_monitor(self, fields):
        """Create a monitor from server-named ``fields``; returns its id."""
        payload = dict(fields)
        payload.setdefault("accepted_statuscodes", list(CREATE_DEFAULTS["accepted_status_codes"]))
        payload["notificationIDList"] = _id_map(payload.get("notificationIDList") or [])
        if payload.get("type") == "push" and not payload.get("pushToken"):
            payload["pushToken"] = secrets.token_urlsafe(PUSH_TOKEN_LENGTH)[:PUSH_TOKEN_LENGTH]
        if self.at_least(2, 0):
            payload.setdefault("conditions", [])
        reply = self._emit("add monitor %s" % payload.get("name"), "add", payload)
        return reply["monitorID"]

    def edit_monitor(self, monitor_id, changes):
        """Read the monitor, merge server-named ``changes``, send the whole monitor back."""
        operation = "edit monitor %s" % monitor_id
        self._refuse_in_check_mode(operation, "editMonitor")
        monitor = self.get_monitor(monitor_id)
        monitor.update(changes)
        if "notificationIDList" in changes:
            monitor["notificationIDList"] = _id_map(changes["notificationIDList"])
        if self.at_least(2, 0) and monitor.get("conditions") is None:
            monitor["conditions"] = []
        self._emit(operation, "editMonitor", monitor)

    def delete_monitor(self, monitor_id):
        self._emit("delete monitor %s" % monitor_id, "deleteMonitor", monitor_id)

    def _refuse_in_check_mode(self, operation, event):
        if self.check_mode:
            raise self._error(operation, "refused in check mode: %s would change the server" % event, event)

    # -- tags

    def tags(self):
        return self._emit("list tags", "getTags")["tags"]

    def add_tag(self, name, color):
        return self._emit("add tag %s" % name, "addTag", {"name": name, "color": color, "new": True})["tag"]

    def add_tag_once(self, name, color, notes=None):
        """Add the tag, then read the tags again: of two runs adding one name at once, both continue with the
        oldest and the newer one (nothing links to it yet) is deleted. The tag as kept."""
        created = self.add_tag(name, color)
        oldest = min((tag for tag in self.tags() if tag["name"] == name), key=lambda tag: tag["id"], default=created)
        if oldest["id"] != created["id"]:
            self.delete_tag(created["id"])
            if notes is not None:
                notes.append("tag %r was added by a concurrent run too: kept the oldest (id %s), deleted this run's "
                             "(id %s)" % (name, oldest["id"], created["id"]))
        return oldest

    def settle_duplicate_tags(self, name, monitors, notes):
        """Delete the newer tags called ``name`` no monitor carries (left by concurrent runs before this
        version); warn about the others. The oldest tag, or None."""
        same = sorted((tag for tag in self.tags() if tag["name"] == name), key=lambda tag: tag["id"])
        for tag in same[1:]:
            users = sorted(monitor["name"] for monitor in monitors
                           if any(link.get("tag_id") == tag["id"] for link in monitor.get("tags") or []))
            if users:
                notes.append("tag %r exists twice: ids %s (the oldest, used) and %s, which monitors %s carry; merge "
                             "them in Uptime Kuma" % (name, same[0]["id"], tag["id"], ", ".join(users)))
            elif self.check_mode:
                notes.append("tag %r exists twice: ids %s (the oldest, used) and %s, unused: a run would delete it"
                             % (name, same[0]["id"], tag["id"]))
            else:
                self.delete_tag(tag["id"])
                notes.append("tag %r existed twice: ids %s (the oldest, used) and %s, unused: deleted"
                             % (name, same[0]["id"], tag["id"]))
        return same[0] if same else None

    def edit_tag(self, tag_id, name, color):
        self._emit("edit tag %s" % name, "editTag", {"id": tag_id, "name": name, "color": color})

    def delete_tag(self, tag_id):
        self._emit("delete tag %s" % tag_id, "deleteTag", tag_id)

    def add_monitor_tag(self, tag_id, monitor_id, value=""):
        self._emit("tag monitor %s" % monitor_id, "addMonitorTag", tag_id, monitor_id, value)

    # -- notifications

    def notifications(self):
        """Every notification: ``{id, name, type, active, isDefault, config}`` with the provider fields in ``config``."""
        return [_split_notification(item) for item in self._library("list notifications", self._api.get_notifications)]

    def save_notification(self, notification, notification_id=None):
        """Add (no id) or replace a notification; returns its id."""
        operation = "%s notification %s" % ("edit" if notification_id else "add", notification.get("name"))
        return self._emit(operation, "addNotification", notification, notification_id)["id"]

    def delete_notification(self, notification_id):
        self._emit("delete notification %s" % notification_id, "deleteNotification", notification_id)

    # -- status pages

    def status_page_slugs(self):
        pushed = {page["slug"] for page in self._library("list status pages", self._api.get_status_pages)}
        return sorted((pushed | self._pages_added) - self._pages_deleted)

    def get_status_page(self, slug):
        """The page's config merged with its public data (``publicGroupList``), or None when it does not exist."""
        if slug not in self.status_page_slugs():
            return None
        return self._library("read status page %s" % slug, self._api.get_status_page, slug)

    def add_status_page(self, slug, title):
        self._emit("add status page %s" % slug, "addStatusPage", title, slug)
        self._pages_added.add(slug)
        self._pages_deleted.discard(slug)

    def save_status_page(self, slug, config, icon, groups):
        """Save the whole page: ``config`` (version-gated keys), logo URL ``icon`` and the monitor groups."""
        reply = self._emit("save status page %s" % slug, "saveStatusPage", slug, config, icon, groups)
        return reply.get("publicGroupList", [])

    def delete_status_page(self, slug):
        self._emit("delete status page %s" % slug, "deleteStatusPage", slug)
        self._pages_deleted.add(slug)
        self._pages_added.discard(slug)

    def status_page_config_keys(self):
        """The config keys ``saveStatusPage`` stores on this server version."""
        keys = ["slug", "title", "description", "theme", "published", "showTags", "domainNameList", "customCSS",
                "footerText", "showPoweredBy", "showCertificateExpiry"]
        if self.at_least(2, 0):
            keys.append("autoRefreshInterval")
        if self.at_least(2, 1):
            keys += ["analyticsType", "analyticsId", "analyticsScriptUrl", "showOnlyLastHeartbeat", "rssTitle"]
        else:
            keys.append("googleAnalyticsId")
        return keys


def _is_bad_totp(message):
    return message in ("Invalid Token!", "authInvalidToken")


def _id_map(ids):
    """The object form of ``notificationIDList`` the server reads (a list would link its indices)."""
    return {str(item): True for item in ids}


def _plain(value):
    """A library enum (a str subclass) as its plain value."""
    return getattr(value, "value", value)


def _plain_monitor(monitor):
    monitor = dict(monitor)
    monitor["type"] = _plain(monitor.get("type"))
    monitor["authMethod"] = _plain(monitor.get("authMethod"))
    ids = monitor.get("notificationIDList") or []
    monitor["notificationIDList"] = sorted(int(item) for item in (ids.keys() if isinstance(ids, dict) else ids))
    return monitor


NOTIFICATION_META = ("id", "name", "type", "active", "isDefault", "userId", "applyExisting")


def _split_notification(item):
    config = {key: value for key, value in item.items() if key not in NOTIFICATION_META}
    return {
        "id": item["id"],
        "name": item.get("name"),
        "type": _plain(item.get("type")),
        "active": bool(item.get("active", True)),
        "isDefault": bool(item.get("isDefault")),
        "config": config,
    }


def notification_types():
    """Provider ids the library knows (empty when it is missing)."""
    library = KUMA_LIBRARY.load()
    if library is None:
        return frozenset()
    return frozenset(item.value for item in library.notification_type)


# ------------------------------------------------------------- option specs

# One entry of uptime_kuma_monitors' monitors.
MONITOR_OPTIONS = dict(
    {key: dict(type="str") for key in MONITOR_FIELDS},
    name=dict(type="str", required=True),
    type=dict(type="str", required=True),
    port=dict(type="int"),
    keyword=dict(type="str", no_log=False),
    invert_keyword=dict(type="bool"),
    interval=dict(type="int"),
    retry_interval=dict(type="int"),
    resend_interval=dict(type="int"),
    max_retries=dict(type="int"),
    timeout=dict(type="int"),
    accepted_status_codes=dict(type="list", elements="str"),
    expiry_notification=dict(type="bool"),
    ignore_tls=dict(type="bool"),
    max_redirects=dict(type="int"),
    upside_down=dict(type="bool"),
    notifications=dict(type="list", elements="str"),
    parent=dict(type="str"),
)
# One entry of uptime_kuma_notification's notifications.
NOTIFICATION_OPTIONS = dict(
    name=dict(type="str", required=True),
    type=dict(type="str"),
    config=dict(type="dict", default={}, no_log=True),
    is_default=dict(type="bool"),
    apply_existing=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


# ------------------------------------------------------------- validation


def validate_notification(spec, field=""):
    """One notification (uptime_kuma_notification's options) -> its name; SpecError naming the field."""
    name = (spec["name"] or "").strip()
    if not name:
        raise SpecError(field + "name", "a notification name expected")
    known = notification_types()
    if spec["type"] is not None and known and spec["type"] not in known:
        raise SpecError(field + "type", "an Uptime Kuma provider id such as webhook, smtp or telegram expected, "
                                        "got %r" % spec["type"])
    reserved = sorted(set(spec["config"] or {}) & {"name", "type", "isDefault", "applyExisting", "id"})
    if reserved:
        raise SpecError(field + "config.%s" % reserved[0], "set with the module's own option, not in config")
    return name


def validate_tag_option(value, field="tag"):
    """``"name"`` or ``"name:value"`` -> (name, value); the name may not be empty."""
    text = str(value or "").strip()
    name, _sep, tag_value = text.partition(":")
    if not name.strip():
        raise SpecError(field, "a tag name expected, optionally with a value as name:value, got %r" % text)
    return name.strip(), tag_value.strip()


def validate_color(value, field):
    if not TAG_COLOR.match(str(value or "")):
        raise SpecError(field, "a colour as #rrggbb expected, got %r" % value)
    return str(value).lower()


def validate_slug(value, field="slug"):
    slug = str(value or "").strip()
    if not STATUS_PAGE_SLUG.match(slug):
        raise SpecError(field, "lower-case letters, digits and inner hyphens expected, got %r" % slug)
    return slug


def _int_option(spec, key, field, minimum, maximum=None):
    """``spec[key]`` as an integer (``"60"`` too, as Ansible converts it) within the bounds."""
    value = spec.get(key)
    if value is None:
        return
    value = spec[key] = to_int(value, "%s.%s" % (field, key))
    if value < minimum or (maximum is not None and value > maximum):
        bounds = "%d..%d" % (minimum, maximum) if maximum is not None else ">= %d" % minimum
        raise SpecError("%s.%s" % (field, key), "%s expected, got %d" % (bounds, value))


def _status_codes(value, field):
    if not isinstance(value, list) or not value:
        raise SpecError(field, "a non-empty list of codes such as 200-299 or 301 expected")
    codes = []
    for index, item in enumerate(value):
        text = str(item).strip()
        match = STATUS_CODES.match(text)
        if not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            raise SpecError("%s[%d]" % (field, index), "a status code (100..999) or a range low-high expected, "
                                                       "got %r" % (item,))
        codes.append(text)
    return codes


def validate_monitor(spec, field):
    """One monitor spec (option names) -> a cleaned copy; raises SpecError naming the field."""
    spec = {key: value for key, value in spec.items() if value is not None}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise SpecError("%s.name" % field, "a monitor name expected")
    spec["name"] = name
    monitor_type = spec.get("type")
    if monitor_type not in MONITOR_TYPES:
        raise SpecError("%s.type" % field, "one of %s expected, got %r" % (", ".join(MONITOR_TYPES), monitor_type))
    allowed = TYPE_OPTIONS[monitor_type]
    extra = sorted(key for key in spec if key not in allowed)
    if extra:
        raise SpecError("%s.%s" % (field, extra[0]), "not an option of %s monitors" % monitor_type)
    for key in REQUIRED_OPTIONS[monitor_type]:
        if spec.get(key) in (None, ""):
            raise SpecError("%s.%s" % (field, key), "required for %s monitors" % monitor_type)
    if "url" in spec:
        spec["url"] = validate_url(spec["url"], "%s.url" % field)
    for key in BOOL_OPTIONS:
        if key in spec:
            spec[key] = to_bool(spec[key], "%s.%s" % (field, key))
    _int_option(spec, "interval", field, INTERVAL_FROM_2_1[0])
    _int_option(spec, "retry_interval", field, INTERVAL_FROM_2_1[0])
    _int_option(spec, "resend_interval", field, 0)
    _int_option(spec, "max_retries", field, 0)
    _int_option(spec, "timeout", field, 1)
    _int_option(spec, "max_redirects", field, 0)
    _int_option(spec, "port", field, 1, 65535)
    if "accepted_status_codes" in spec:
        spec["accepted_status_codes"] = _status_codes(spec["accepted_status_codes"], "%s.accepted_status_codes" % field)
    if "method" in spec:
        spec["method"] = str(spec["method"]).upper()
        if spec["method"] not in HTTP_METHODS:
            raise SpecError("%s.method" % field, "one of %s expected" % ", ".join(HTTP_METHODS))
    if spec.get("dns_resolve_type") is not None and spec["dns_resolve_type"] not in DNS_RESOLVE_TYPES:
        raise SpecError("%s.dns_resolve_type" % field, "one of %s expected" % ", ".join(DNS_RESOLVE_TYPES))
    if "notifications" in spec:
        names = [str(item).strip() for item in spec["notifications"]]
        if any(not item for item in names) or len(set(names)) != len(names):
            raise SpecError("%s.notifications" % field, "a list of distinct notification names expected")
        spec["notifications"] = sorted(names)
    return spec


def validate_monitors(monitors, field="monitors"):
    """Every monitor spec validated; names distinct; parents name group monitors of the list without cycles."""
    if not isinstance(monitors, list):
        raise SpecError(field, "a list of monitors expected")
    cleaned = []
    for index, spec in enumerate(monitors):
        if not isinstance(spec, dict):
            raise SpecError("%s[%d]" % (field, index), "a monitor (a dict) expected")
        cleaned.append(validate_monitor(spec, "%s[%d]" % (field, index)))
    by_name = {}
    for index, spec in enumerate(cleaned):
        if spec["name"] in by_name:
            raise SpecError("%s[%d].name" % (field, index), "duplicate monitor name %r (also at %s[%d])"
                            % (spec["name"], field, by_name[spec["name"]]))
        by_name[spec["name"]] = index
    for index, spec in enumerate(cleaned):
        parent = spec.get("parent")
        if parent is None:
            continue
        if parent not in by_name or cleaned[by_name[parent]]["type"] != "group":
            raise SpecError("%s[%d].parent" % (field, index), "the name of a group monitor of this list expected, "
                                                              "got %r" % parent)
        seen = {spec["name"]}
        while parent is not None:
            if parent in seen:
                raise SpecError("%s[%d].parent" % (field, index), "groups may not contain themselves")
            seen.add(parent)
            parent = cleaned[by_name[parent]].get("parent")
    return cleaned


def check_interval_bounds(monitors, release, field="monitors"):
    """Version-specific interval rules, checked after login and before any write."""
    minimum, maximum = interval_bounds(release)
    version = "%d.%d" % release[:2]
    for index, spec in enumerate(monitors):
        for key in ("interval", "retry_interval"):
            value = spec.get(key)
            if value is None:
                continue
            if value < minimum or (maximum is not None and value > maximum):
                bounds = "%d..%d" % (minimum, maximum) if maximum is not None else ">= %d" % minimum
                raise SpecError("%s[%d].%s" % (field, index, key), "%s seconds expected on Uptime Kuma %s, got %d"
                                % (bounds, version, value))


def monitor_fields(spec, creating, timeout_from_interval=True):
    """Server-named fields of a validated spec; with ``creating``, unset options get their defaults."""
    values = dict(spec)
    if creating:
        allowed = TYPE_OPTIONS[spec["type"]]
        for key, default in CREATE_DEFAULTS.items():
            if key in allowed and values.get(key) is None:
                values[key] = list(default) if isinstance(default, list) else default
        if spec["type"] == "dns" and values.get("port") is None:
            values["port"] = DNS_PORT
        if timeout_from_interval and "timeout" in allowed and values.get("timeout") is None:
            values["timeout"] = max(1, int(values["interval"] * TIMEOUT_SHARE))
    return {MONITOR_FIELDS[key]: value for key, value in values.items() if key in MONITOR_FIELDS}


def monitor_view(monitor, notification_names, monitor_names):
    """A server monitor in option names, with the fields its type uses, notifications and parent by name."""
    allowed = TYPE_OPTIONS.get(monitor.get("type"), COMMON_OPTIONS)
    view = {key: monitor.get(api_key) for key, api_key in MONITOR_FIELDS.items() if key in allowed}
    if "accepted_status_codes" in view:
        view["accepted_status_codes"] = sorted(view["accepted_status_codes"] or [])
    view["notifications"] = sorted(notification_names.get(item, str(item))
                                   for item in monitor.get("notificationIDList") or [])
    parent = monitor.get("parent")
    view["parent"] = monitor_names.get(parent, parent) if parent is not None else None
    view["id"] = monitor.get("id")
    view["active"] = bool(monitor.get("active", True))
    return view


def has_tag(monitor, tag_name, tag_value=None):
    """Whether ``monitor`` carries the tag ``tag_name`` (with ``tag_value`` unless None)."""
    return any(link.get("name") == tag_name and (tag_value is None or (link.get("value") or "") == tag_value)
               for link in monitor.get("tags") or [])
