"""Emulator of Uptime Kuma's Socket.IO API (1.23.x and 2.x) for the local sandbox.

Uptime Kuma has no CRUD REST API: clients talk to the web UI's Socket.IO channel
(``/socket.io/``), every call is an event whose last argument is an ack
callback.  The wire contract is ``tests/contracts/uptime-kuma/NOTES.md``; this module
follows it for both release lines, chosen by the version string
(``UptimeKumaEmulator(version="1.23.16")`` or the default ``"2.5.3"``).

What differs by version (release segment of the version string):

* 1.23: English callback messages; the full ``monitorList`` is pushed after
  every monitor mutation; ``add`` with a 2.x-only column fails with
  ``SQLITE_ERROR: table monitor has no column named <column>``; monitor
  ``active`` is 0/1; status pages carry ``googleAnalyticsId``; the public status
  page data has ``incident``.
* 2.x: callback messages are i18n keys with ``msgi18n: true``; deltas
  ``updateMonitorIntoList`` / ``deleteMonitorFromList``; ``conditions`` is
  NOT NULL; extra login pushes (``remoteBrowserList``, ``monitorTypeList``);
  2.0 adds ``autoRefreshInterval``.
* 2.1+: interval minimum 1 s and no maximum (else 20 s .. 2 073 600 s);
  ``deleteMonitor`` takes ``deleteChildren``; ``saveStatusPage`` needs
  ``analyticsType``; ``incidents`` (a list) in the public status page data.

Rules of this emulator that the notes leave open:

* One user is seeded (``admin`` / ``sandbox-kuma-password1``) unless
  ``seed_user=False``; ``twofa_secret`` (base32) turns on TOTP for that user.
  Options survive ``reset()``; state, faults, latency and the log do not.
* Events the emulator does not implement get no ack (as on a server that lacks
  them) and are recorded as violations, so a test notices instead of timing out
  silently.  A call whose argument count the handler cannot take, a list
  ``notificationIDList`` and every payload rule from NOTES section 4.2 that
  fires are recorded as violations too (``GET /_sandbox/violations``).
* ``login`` is not rate-limited.

Control API (same port, JSON, like ``framework.py`` for the HTTP emulators, but
the request log is an *event* log and faults match *events*):

================================ ===============================================
``GET|DELETE /_sandbox/requests`` event log ``{event, args, ok, time}`` (secrets
                                 redacted); HTTP requests appear as
                                 ``{event: "http", method, path, status, ok}``
``GET|POST|DELETE /_sandbox/faults`` ``{"event": "add", "times": 1, "error":
                                 "msg"}`` acks ``{ok: false, msg}`` without
                                 applying; ``"after": true`` applies and never
                                 acks; ``"drop": true`` disconnects the socket
``GET|POST /_sandbox/latency``   ``{"ms": 50}`` before every event
``POST /_sandbox/config``        ``{"version": "1.23.16", "twofa_secret": ...}``
``POST /_sandbox/reset``         forget state, faults, latency, log, violations
``GET|DELETE /_sandbox/violations`` payload-rule and protocol violations
``GET /_sandbox/state``          ``snapshot()``
================================ ===============================================
"""

import base64
import copy
import hashlib
import hmac
import inspect
import json
import re
import secrets
import struct
import threading
import time

import socketio
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request

from .base import Emulator
from .framework import CONTROL_PREFIX, ControlError, json_response

DEFAULT_VERSION = "2.5.3"
SANDBOX_USERNAME = "admin"
SANDBOX_PASSWORD = "sandbox-kuma-password1"

NOT_LOGGED_IN = "You are not logged in."
MIN_INTERVAL_LEGACY = 20
MAX_INTERVAL_LEGACY = 2073600
MIN_INTERVAL_2_1 = 1
TOTP_STEP = 30
TOTP_WINDOW = 1  # steps accepted either side of now, as the server's notp options
STATUS_PAGE_SLUG = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
ANALYTICS_TYPES = (None, "google", "umami", "plausible", "matomo", "rybbit")
MAINTENANCE_STRATEGIES = (
    "manual", "single", "recurring-interval", "recurring-weekday", "recurring-day-of-month", "cron",
)

# Callback messages: (1.23 English, 2.x i18n key).
MESSAGES = {
    "added": ("Added Successfully.", "successAdded"),
    "saved": ("Saved.", "Saved."),
    "edited": ("Edited Successfully.", "successEdited"),
    "deleted": ("Deleted Successfully.", "successDeleted"),
    "paused": ("Paused Successfully.", "successPaused"),
    "resumed": ("Resumed Successfully.", "successResumed"),
    "bad_credentials": ("Incorrect username or password.", "authIncorrectCreds"),
    "bad_totp": ("Invalid Token!", "authInvalidToken"),
    "bad_jwt": ("Invalid token.", "authInvalidToken"),
    "user_gone": ("The user is inactive or deleted.", "authUserInactiveOrDeleted"),
}
WEAK_PASSWORD = ("Password is too weak. It should contain alphabetic and numeric characters. "
                 "It must be at least 6 characters in length.")
ALREADY_SET_UP = ("Uptime Kuma has been initialized. If you want to run setup again, "
                  "please delete the database.")

# Columns of the monitor table in 1.23, by wire name -> value of a row that does
# not get the column (None: nullable).  ``accepted_statuscodes`` and
# ``notificationIDList`` are not columns: the server maps them itself.
MONITOR_COLUMNS_1_23 = {
    "name": None, "description": None, "parent": None, "type": None, "active": True, "weight": 2000,
    "url": None, "method": "GET", "body": None, "headers": None, "httpBodyEncoding": None,
    "hostname": None, "port": None, "interval": 20, "retryInterval": 0, "resendInterval": 0,
    "maxretries": 0, "timeout": 0, "keyword": None, "invertKeyword": False, "upsideDown": False,
    "ignoreTls": False, "expiryNotification": True, "maxredirects": 10,
    "dns_resolve_type": "A", "dns_resolve_server": "1.1.1.1", "dns_last_result": None,
    "pushToken": None, "proxyId": None, "authMethod": None, "basic_auth_user": None,
    "basic_auth_pass": None, "authDomain": None, "authWorkstation": None,
    "oauth_client_id": None, "oauth_client_secret": None, "oauth_token_url": None,
    "oauth_scopes": None, "oauth_auth_method": None, "tlsCa": None, "tlsCert": None, "tlsKey": None,
    "docker_container": None, "docker_host": None, "mqttTopic": "", "mqttSuccessMessage": "",
    "mqttUsername": "", "mqttPassword": "", "databaseConnectionString": None, "databaseQuery": None,
    "grpcUrl": None, "grpcProtobuf": None, "grpcBody": None, "grpcMetadata": None, "grpcMethod": None,
    "grpcServiceName": None, "grpcEnableTls": False, "radiusUsername": None, "radiusPassword": None,
    "radiusCallingStationId": None, "radiusCalledStationId": None, "radiusSecret": None,
    "packetSize": 56, "game": None, "gamedigGivenPortOnly": True, "jsonPath": None,
    "expectedValue": None, "kafkaProducerTopic": None, "kafkaProducerBrokers": None,
    "kafkaProducerSsl": False, "kafkaProducerAllowAutoTopicCreation": False,
    "kafkaProducerMessage": None, "kafkaProducerSaslOptions": None,
}
# Columns added by 2.x: wire name -> (first release with it, default).
MONITOR_COLUMNS_2 = {
    "conditions": ((2, 0), None), "ipFamily": ((2, 0), None), "cacheBust": ((2, 0), False),
    "retryOnlyOnStatusCodeFailure": ((2, 0), False), "bearer_token": ((2, 0), None),
    "oauth_audience": ((2, 0), None), "domainExpiryNotification": ((2, 0), False),
    "saveResponse": ((2, 0), False), "saveErrorResponse": ((2, 0), False),
    "responseMaxLength": ((2, 0), 1024), "responsecheck": ((2, 0), None), "subtype": ((2, 0), None),
    "wsSubprotocol": ((2, 0), None), "wsIgnoreSecWebsocketAcceptHeader": ((2, 0), False),
    "remoteBrowsersToggle": ((2, 0), False), "remote_browser": ((2, 0), None),
    "screenshot_delay": ((2, 0), None), "gamedigToken": ((2, 0), None), "protocol": ((2, 0), None),
    "jsonPathOperator": ((2, 0), None), "snmpOid": ((2, 0), None), "snmpVersion": ((2, 0), None),
    "snmp_v3_username": ((2, 0), None), "ping_count": ((2, 0), 1), "ping_numeric": ((2, 0), True),
    "ping_per_request_timeout": ((2, 0), 2), "mqttWebsocketPath": ((2, 0), None),
    "mqttCheckType": ((2, 0), None), "rabbitmqNodes": ((2, 0), None), "rabbitmqUsername": ((2, 0), None),
    "rabbitmqPassword": ((2, 0), None), "smtpSecurity": ((2, 0), None),
    "expected_tls_alert": ((2, 0), None), "system_service_name": ((2, 1), None),
    "ntpStratumThreshold": ((2, 5), None), "ntpTimeOffsetThreshold": ((2, 5), None),
    "ntpRootDispersionThreshold": ((2, 5), None),
}
NOT_NULL_WITHOUT_DEFAULT_2 = ("conditions",)
NOT_EDITABLE = ("active", "weight", "dns_last_result")
NON_COLUMN_FIELDS = ("accepted_statuscodes", "notificationIDList")  # mapped by the server itself
BOOLEAN_COLUMNS = frozenset({
    "active", "invertKeyword", "upsideDown", "ignoreTls", "expiryNotification", "grpcEnableTls",
    "gamedigGivenPortOnly", "kafkaProducerSsl", "kafkaProducerAllowAutoTopicCreation", "cacheBust",
    "retryOnlyOnStatusCodeFailure", "domainExpiryNotification", "saveResponse", "saveErrorResponse",
    "wsIgnoreSecWebsocketAcceptHeader", "remoteBrowsersToggle", "ping_numeric",
})

# Event-log redaction: keys that hold secrets, and secret positional arguments.
SECRET_KEY = re.compile(r"pass|secret|token|apikey|key$|connectionstring", re.IGNORECASE)
SECRET_POSITIONS = {
    "setup": {1}, "loginByToken": {0}, "prepare2FA": {0}, "save2FA": {0}, "disable2FA": {0},
    "verifyToken": {0, 1}, "setSettings": {1},
}
REDACTED = "<redacted>"
LOGGED_STRING_MAX = 200

PUBLIC_EVENTS = frozenset({"needSetup", "setup", "login", "loginByToken", "logout"})


class KumaError(Exception):
    """A handler failure: acked as ``{ok: false, msg}`` like the server's try/catch."""

    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg


# -- version, TOTP, JWT ------------------------------------------------------------


def release(version):
    """``"2.0.0-beta.2"`` -> ``(2, 0, 0)``: only the release segment counts."""
    match = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", str(version))
    if not match:
        raise ValueError(f"version: 'X.Y.Z' expected, got {version!r}")
    parsed = tuple(int(part or 0) for part in match.groups())
    if parsed[0] not in (1, 2):
        raise ValueError(f"version: only 1.x and 2.x are emulated, got {version!r}")
    return parsed


def totp(secret, at=None):
    """RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of a base32 ``secret`` at unix time ``at``."""
    return _hotp(_base32_key(secret), int((time.time() if at is None else at) // TOTP_STEP))


def _base32_key(secret):
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def _hotp(key, counter):
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _totp_matches(secret, code, now):
    counter = int(now // TOTP_STEP)
    key = _base32_key(secret)
    return any(
        hmac.compare_digest(_hotp(key, counter + step), str(code))
        for step in range(-TOTP_WINDOW, TOTP_WINDOW + 1)
    )


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _password_hash(password):
    return hashlib.sha256(password.encode()).hexdigest()


def _snake(column):
    """The SQLite column name the server's ORM derives from a wire name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column).lower()


def _as_id(value):
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _summarise(value):
    """A copy of an event argument that is safe and short enough for the log."""
    if isinstance(value, dict):
        return {key: REDACTED if SECRET_KEY.search(str(key)) and item not in (None, "")
                else _summarise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_summarise(item) for item in value]
    if isinstance(value, str) and len(value) > LOGGED_STRING_MAX:
        return value[:LOGGED_STRING_MAX] + "..."
    return value


def summarise_args(event, args):
    hidden = SECRET_POSITIONS.get(event, set())
    return [REDACTED if index in hidden else _summarise(arg) for index, arg in enumerate(args)]


class _RequestHandler(WSGIRequestHandler):
    """werkzeug's handler without the access log, closing the socket after a WebSocket."""

    def log_request(self, *args, **kwargs):
        """The event log replaces werkzeug's access log."""

    def run_wsgi(self):
        super().run_wsgi()
        if self.headers.get("Upgrade", "").lower() == "websocket":
            # The WebSocket is over; reading the client's closing frame as the next
            # HTTP request would stall the client's close handshake for seconds.
            self.close_connection = True


# -- the emulator ----------------------------------------------------------------------


class UptimeKumaEmulator(Emulator):
    """Stateful Uptime Kuma: Socket.IO events, a few HTTP routes, the control API."""

    name = "uptime_kuma"

    def __init__(self, shared=None, version=DEFAULT_VERSION, twofa_secret=None, seed_user=True):
        super().__init__(shared)
        self.version = version
        self._release = release(version)
        self.twofa_secret = twofa_secret
        self.seed_user = seed_user
        self._jwt_secret = secrets.token_bytes(32)
        self._control_lock = threading.Lock()
        self._faults = []
        self._log = []
        self._latency_ms = 0
        self._sessions = {}  # sid -> user id, or None before login
        self.sio = socketio.Server(async_mode="threading", always_connect=True, logger=False, engineio_logger=False)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("*", self._on_event)
        self._socket_app = socketio.WSGIApp(self.sio)
        self._handlers = self._event_handlers()
        self._control_routes = {
            ("GET", "requests"): self._control_get_log,
            ("DELETE", "requests"): self._control_clear_log,
            ("GET", "faults"): self._control_get_faults,
            ("POST", "faults"): self._control_add_fault,
            ("DELETE", "faults"): self._control_clear_faults,
            ("GET", "latency"): self._control_get_latency,
            ("POST", "latency"): self._control_set_latency,
            ("POST", "config"): self._control_configure,
            ("POST", "reset"): self._control_reset,
            ("GET", "violations"): self._control_get_violations,
            ("DELETE", "violations"): self._control_clear_violations,
            ("GET", "state"): self._control_get_state,
        }
        self._wipe()

    # -- public API ----------------------------------------------------------------------

    def wsgi_app(self, environ, start_response):
        """WSGI entry point: control API, then Socket.IO, then the vendor HTTP routes."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(Request(environ))(environ, start_response)
        if path.startswith("/socket.io"):
            return self._socket_app(environ, start_response)
        return self._http(Request(environ))(environ, start_response)

    def reset(self):
        """Forget state, faults, latency, the event log and violations; reseed the user."""
        for sid in list(self._sessions):
            self.sio.disconnect(sid)
        with self._control_lock:
            self._faults.clear()
            self._log.clear()
            self._latency_ms = 0
        with self.lock:
            self.violations.clear()
            self._wipe()

    def configure(self, **settings):
        """``version``, ``twofa_secret`` (None: off) apply now; ``seed_user`` at the next reset."""
        unknown = set(settings) - {"version", "twofa_secret", "seed_user"}
        if unknown:
            raise ValueError(f"{self.name} has no option {', '.join(sorted(unknown))}")
        with self.lock:
            if "version" in settings:
                self._release = release(settings["version"])
                self.version = settings["version"]
            if "twofa_secret" in settings:
                if settings["twofa_secret"] is not None:
                    _base32_key(settings["twofa_secret"])  # refuse a secret that is not base32
                self.twofa_secret = settings["twofa_secret"]
                for user in self._users.values():
                    user["twofa_secret"] = self.twofa_secret
            if "seed_user" in settings:
                self.seed_user = bool(settings["seed_user"])

    def snapshot(self):
        with self.lock:
            return {
                "version": self.version,
                "users": [{"id": user["id"], "username": user["username"], "twofa": bool(user["twofa_secret"])}
                          for user in self._users.values()],
                "sessions": len(self._sessions),
                "monitors": {str(mid): self._monitor_json(mid) for mid in sorted(self._monitors)},
                "tags": [dict(tag) for tag in self._tags.values()],
                "notifications": [self._notification_json(nid) for nid in sorted(self._notifications)],
                "status_pages": {page["slug"]: self._status_page_state(page) for page in self._status_pages.values()},
                "maintenances": {str(mid): self._maintenance_json(mid) for mid in sorted(self._maintenances)},
            }

    def events(self):
        """The event log (what ``GET /_sandbox/requests`` answers)."""
        with self._control_lock:
            return copy.deepcopy(self._log)

    def close(self):
        """Disconnect every client and stop Socket.IO background tasks."""
        for sid in list(self._sessions):
            self.sio.disconnect(sid)
        self.sio.shutdown()

    def dispatch(self, request):
        """The vendor HTTP routes (``Emulator`` contract)."""
        with self.lock:
            return self._http_route(request)

    # -- state ---------------------------------------------------------------------------

    def _wipe(self):
        self._users = {}
        self._monitors = {}
        self._monitor_notifications = set()  # (monitor id, notification id)
        self._tags = {}
        self._monitor_tags = []  # {id, monitor_id, tag_id, value}
        self._notifications = {}
        self._status_pages = {}
        self._groups = {}  # id -> {id, status_page_id, name, weight, monitors: [(monitor id, sendUrl)]}
        self._incidents = {}
        self._maintenances = {}
        self._maintenance_monitors = {}  # maintenance id -> [monitor id]
        self._maintenance_pages = {}  # maintenance id -> [status page id]
        self._next_ids = {}
        if self.seed_user:
            self._add_user(SANDBOX_USERNAME, SANDBOX_PASSWORD)

    def _new_id(self, table):
        self._next_ids[table] = self._next_ids.get(table, 0) + 1
        return self._next_ids[table]

    def _add_user(self, username, password):
        user_id = self._new_id("user")
        self._users[user_id] = {
            "id": user_id, "username": username, "password": _password_hash(password),
            "twofa_secret": self.twofa_secret, "twofa_last_token": None,
        }

    @property
    def _v2(self):
        return self._release[0] >= 2

    def _at_least(self, *floor):
        return self._release >= floor

    def _message(self, key):
        english, i18n_key = MESSAGES[key]
        return {"msg": i18n_key, "msgi18n": True} if self._v2 else {"msg": english}

    def _ok(self, key=None, **payload):
        return {"ok": True, **(self._message(key) if key else {}), **payload}

    def _violation(self, event, detail):
        self.record_violation("payload", "SOCKET", event, detail)

    # -- Socket.IO plumbing ---------------------------------------------------------------

    def _on_connect(self, sid, _environ, _auth=None):
        with self.lock:
            self._sessions[sid] = None
            self.sio.emit("info", self._info(with_version=False), to=sid)
            if not self._users:
                self.sio.emit("setup", to=sid)
            self.sio.emit("loginRequired", to=sid)
        self._append_log({"event": "connect", "args": [], "ok": True, "time": time.time()})

    def _on_disconnect(self, sid, *_reason):
        with self.lock:
            self._sessions.pop(sid, None)

    def _on_event(self, event, sid, *args):
        started = time.time()
        entry = {"event": event, "args": summarise_args(event, args), "ok": None, "time": started}
        with self._control_lock:
            latency = self._latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        fault = self._take_fault(event)
        if fault is not None and fault.get("drop"):
            entry["fault"] = "drop"
            self._append_log(entry)
            self.sio.disconnect(sid)
            return self.sio.not_handled
        if fault is not None and not fault.get("after"):
            entry.update(fault="error", ok=False)
            self._append_log(entry)
            return {"ok": False, "msg": fault["error"]}
        result = self._handle(event, sid, args)
        if isinstance(result, dict) and "ok" in result:
            entry["ok"] = result["ok"]
        if result is self.sio.not_handled:
            entry["acked"] = False
        if fault is not None:
            entry["fault"] = "after"
            result = self.sio.not_handled
        self._append_log(entry)
        return result

    def _handle(self, event, sid, args):
        handler = self._handlers.get(event)
        if handler is None:
            self.record_violation("unhandled", "SOCKET", event, "event not emulated: the client gets no ack")
            return self.sio.not_handled
        with self.lock:
            user_id = self._sessions.get(sid)
            if event not in PUBLIC_EVENTS and user_id is None:
                return {"ok": False, "msg": NOT_LOGGED_IN}
            try:
                inspect.signature(handler).bind(sid, user_id, *args)
            except TypeError:
                self.record_violation("arguments", "SOCKET", event, f"{len(args)} argument(s) sent")
                return {"ok": False, "msg": f"sandbox: {event} cannot take {len(args)} argument(s)"}
            try:
                return handler(sid, user_id, *args)
            except KumaError as error:
                return {"ok": False, "msg": error.msg}

    def _event_handlers(self):
        return {
            "needSetup": self._ev_need_setup, "setup": self._ev_setup, "login": self._ev_login,
            "loginByToken": self._ev_login_by_token, "logout": self._ev_logout,
            "add": self._ev_add_monitor, "editMonitor": self._ev_edit_monitor,
            "deleteMonitor": self._ev_delete_monitor, "getMonitor": self._ev_get_monitor,
            "getMonitorList": self._ev_get_monitor_list, "pauseMonitor": self._ev_pause_monitor,
            "resumeMonitor": self._ev_resume_monitor,
            "getTags": self._ev_get_tags, "addTag": self._ev_add_tag, "editTag": self._ev_edit_tag,
            "deleteTag": self._ev_delete_tag, "addMonitorTag": self._ev_add_monitor_tag,
            "editMonitorTag": self._ev_edit_monitor_tag, "deleteMonitorTag": self._ev_delete_monitor_tag,
            "addNotification": self._ev_add_notification, "deleteNotification": self._ev_delete_notification,
            "addStatusPage": self._ev_add_status_page, "getStatusPage": self._ev_get_status_page,
            "saveStatusPage": self._ev_save_status_page, "deleteStatusPage": self._ev_delete_status_page,
            "postIncident": self._ev_post_incident, "unpinIncident": self._ev_unpin_incident,
            "addMaintenance": self._ev_add_maintenance, "editMaintenance": self._ev_edit_maintenance,
            "getMaintenance": self._ev_get_maintenance, "getMaintenanceList": self._ev_get_maintenance_list,
            "deleteMaintenance": self._ev_delete_maintenance, "pauseMaintenance": self._ev_pause_maintenance,
            "resumeMaintenance": self._ev_resume_maintenance,
            "addMonitorMaintenance": self._ev_add_monitor_maintenance,
            "getMonitorMaintenance": self._ev_get_monitor_maintenance,
            "addMaintenanceStatusPage": self._ev_add_maintenance_status_page,
            "getMaintenanceStatusPage": self._ev_get_maintenance_status_page,
        }

    def _room(self, user_id):
        return f"user-{user_id}"

    def _push(self, user_id, event, *data):
        payload = data[0] if len(data) == 1 else (tuple(data) if data else None)
        self.sio.emit(event, payload, to=self._room(user_id))

    # -- auth events -----------------------------------------------------------------------

    def _info(self, with_version):
        info = {"primaryBaseURL": None, "serverTimezone": "UTC", "serverTimezoneOffset": "+00:00",
                "isContainer": False}
        if with_version:
            info.update(version=self.version, latestVersion=self.version)
            if self._v2:
                info.update(dbType="sqlite", runtime={"platform": "linux", "arch": "x64"})
        return info

    def _ev_need_setup(self, _sid, _user_id):
        return not self._users

    def _ev_setup(self, _sid, _user_id, username=None, password=None):
        if self._users:
            raise KumaError(ALREADY_SET_UP)
        password = password or ""
        classes = sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
        if len(password) < 6 or classes < 2:
            raise KumaError(WEAK_PASSWORD)
        self._add_user(username, password)
        return self._ok("added")

    def _ev_login(self, sid, _user_id, data=None):
        data = data if isinstance(data, dict) else {}
        user = next((u for u in self._users.values() if u["username"] == data.get("username")), None)
        if user is None or user["password"] != _password_hash(str(data.get("password"))):
            return {"ok": False, **self._message("bad_credentials")}
        code = data.get("token")
        if user["twofa_secret"]:
            if not code:
                return {"tokenRequired": True}
            fresh = user["twofa_last_token"] != str(code)
            if not (fresh and _totp_matches(user["twofa_secret"], code, time.time())):
                return {"ok": False, **self._message("bad_totp")}
            user["twofa_last_token"] = str(code)
        self._after_login(sid, user)
        return {"ok": True, "token": self._make_jwt(user)}

    def _ev_login_by_token(self, sid, _user_id, token=None):
        claims = self._read_jwt(token)
        if claims is None:
            return {"ok": False, **self._message("bad_jwt")}
        user = next((u for u in self._users.values() if u["username"] == claims.get("username")), None)
        if user is None or claims.get("h") != user["password"][:32]:
            return {"ok": False, **self._message("user_gone")}
        self._after_login(sid, user)
        return {"ok": True}

    def _ev_logout(self, sid, _user_id):
        user_id = self._sessions.get(sid)
        if user_id is not None:
            self.sio.leave_room(sid, self._room(user_id))
        self._sessions[sid] = None

    def _make_jwt(self, user):
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = _b64url(json.dumps({"username": user["username"], "h": user["password"][:32],
                                     "iat": int(time.time())}).encode())
        signature = hmac.new(self._jwt_secret, f"{header}.{claims}".encode(), hashlib.sha256).digest()
        return f"{header}.{claims}.{_b64url(signature)}"

    def _read_jwt(self, token):
        parts = token.split(".") if isinstance(token, str) else []
        if len(parts) != 3:
            return None
        expected = hmac.new(self._jwt_secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(_b64url_decode(parts[2]), expected):
                return None
            return json.loads(_b64url_decode(parts[1]))
        except ValueError:
            return None

    def _after_login(self, sid, user):
        user_id = user["id"]
        self._sessions[sid] = user_id
        self.sio.enter_room(sid, self._room(user_id))
        monitor_list = self._monitor_list(user_id)
        self.sio.emit("monitorList", monitor_list, to=sid)
        self.sio.emit("info", self._info(with_version=True), to=sid)
        self.sio.emit("maintenanceList", self._maintenance_list(user_id), to=sid)
        self.sio.emit("notificationList", self._notification_list(user_id), to=sid)
        for event in ("proxyList", "dockerHostList", "apiKeyList") + (
                ("remoteBrowserList", "monitorTypeList") if self._v2 else ()):
            self.sio.emit(event, {} if event == "monitorTypeList" else [], to=sid)
        self.sio.emit("statusPageList", {str(page["id"]): self._status_page_json(page)
                                         for page in self._status_pages.values()}, to=sid)
        for monitor_id in monitor_list:
            self.sio.emit("heartbeatList", (monitor_id, [], True), to=sid)
            if not self._v2:
                self.sio.emit("importantHeartbeatList", (monitor_id, [], True), to=sid)

    # -- monitors --------------------------------------------------------------------------

    def _monitor_columns(self):
        columns = dict(MONITOR_COLUMNS_1_23)
        columns.update({name: default for name, (floor, default) in MONITOR_COLUMNS_2.items()
                        if self._at_least(*floor)})
        return columns

    def _owned_monitor(self, user_id, monitor_id):
        monitor = self._monitors.get(_as_id(monitor_id))
        if monitor is None or monitor["user_id"] != user_id:
            raise KumaError("You do not own this monitor.")
        return monitor

    def _check_monitor_payload(self, event, monitor):
        if not isinstance(monitor, dict):
            raise KumaError("Cannot read properties of undefined (reading 'notificationIDList')")
        codes = monitor.get("accepted_statuscodes")
        if codes is None:
            reading = "undefined" if "accepted_statuscodes" not in monitor else "null"
            self._violation(event, "accepted_statuscodes missing")
            raise KumaError(f"Cannot read properties of {reading} (reading 'every')")
        if not isinstance(codes, list):
            raise KumaError("monitor.accepted_statuscodes.every is not a function")
        if not all(isinstance(code, str) for code in codes):
            raise KumaError("Accepted status codes are not all strings")
        self._check_interval(monitor.get("interval", MONITOR_COLUMNS_1_23["interval"]))

    def _check_interval(self, interval):
        try:
            seconds = float(interval or 0)
        except (TypeError, ValueError):
            return  # NaN compares false both ways on the server too
        minimum = MIN_INTERVAL_2_1 if self._at_least(2, 1) else MIN_INTERVAL_LEGACY
        if not self._at_least(2, 1) and seconds > MAX_INTERVAL_LEGACY:
            raise KumaError(f"Interval cannot be more than {MAX_INTERVAL_LEGACY} seconds")
        if seconds < minimum:
            raise KumaError(f"Interval cannot be less than {minimum} seconds")

    def _check_conditions_column(self, event, monitor):
        if self._v2 and "conditions" not in monitor:
            self._violation(event, "conditions missing (NOT NULL on 2.x)")
            raise KumaError("SQLITE_CONSTRAINT: NOT NULL constraint failed: monitor.conditions")

    def _check_parent(self, user_id, monitor_id, parent):
        if parent is None:
            return
        parent_row = self._monitors.get(_as_id(parent))
        if parent_row is None or parent_row["user_id"] != user_id:
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        if monitor_id is not None and parent_row["id"] in {monitor_id, *self._descendants(monitor_id)}:
            raise KumaError("Cannot set parent to itself or one of its children")

    def _column_values(self, monitor, columns):
        row = {}
        for column, default in columns.items():
            value = monitor.get(column, default)
            if column in BOOLEAN_COLUMNS and value is not None:
                value = bool(value)
            row[column] = value
        row["parent"] = _as_id(row["parent"])
        return row

    def _ev_add_monitor(self, _sid, user_id, monitor=None):
        self._check_monitor_payload("add", monitor)
        columns = self._monitor_columns()
        unknown = [key for key in monitor if key not in columns and key not in NON_COLUMN_FIELDS]
        if unknown:
            self._violation("add", f"not a monitor column here: {', '.join(unknown)}")
            raise KumaError(f"SQLITE_ERROR: table monitor has no column named {_snake(unknown[0])}")
        self._check_conditions_column("add", monitor)
        self._check_parent(user_id, None, monitor.get("parent"))
        monitor_id = self._new_id("monitor")
        row = self._column_values(monitor, columns)
        row.update(id=monitor_id, user_id=user_id, accepted_statuscodes=list(monitor["accepted_statuscodes"]))
        if monitor.get("active") is None:
            row["active"] = True
        self._monitors[monitor_id] = row
        self._link_notifications("add", monitor_id, monitor.get("notificationIDList"))
        self._push_monitor_change(user_id, monitor_id)
        return self._ok("added", monitorID=monitor_id)

    def _ev_edit_monitor(self, _sid, user_id, monitor=None):
        if not isinstance(monitor, dict):
            raise KumaError("Cannot read properties of undefined (reading 'id')")
        row = self._monitors.get(_as_id(monitor.get("id")))
        if row is None:
            raise KumaError("Cannot read properties of null (reading 'user_id')")
        if row["user_id"] != user_id:
            raise KumaError("Permission denied.")
        self._check_monitor_payload("editMonitor", monitor)
        self._check_conditions_column("editMonitor", monitor)
        self._check_parent(user_id, row["id"], monitor.get("parent"))
        editable = {column: default for column, default in self._monitor_columns().items()
                    if column not in NOT_EDITABLE}
        row.update(self._column_values(monitor, editable))
        row["accepted_statuscodes"] = list(monitor["accepted_statuscodes"])
        self._link_notifications("editMonitor", row["id"], monitor.get("notificationIDList"))
        self._push_monitor_change(user_id, row["id"])
        return self._ok("saved", monitorID=row["id"])

    def _link_notifications(self, event, monitor_id, id_map):
        """Replace the monitor's notification links the way the server reads the map (``for...in``)."""
        self._monitor_notifications = {link for link in self._monitor_notifications if link[0] != monitor_id}
        if isinstance(id_map, list):
            self._violation(event, "notificationIDList is a list: the server links the list indices")
            id_map = {str(index): value for index, value in enumerate(id_map)}
        for notification_id, enabled in (id_map or {}).items():
            if enabled:
                self._monitor_notifications.add((monitor_id, _as_id(notification_id)))

    def _push_monitor_change(self, user_id, monitor_id):
        if self._v2:
            self._push(user_id, "updateMonitorIntoList", {str(monitor_id): self._monitor_json(monitor_id)})
        else:
            self._push(user_id, "monitorList", self._monitor_list(user_id))

    def _ev_get_monitor(self, _sid, user_id, monitor_id=None):
        monitor = self._monitors.get(_as_id(monitor_id))
        if monitor is None or monitor["user_id"] != user_id:
            raise KumaError("Cannot read properties of null (reading 'toJSON')")
        return {"ok": True, "monitor": self._monitor_json(monitor["id"])}

    def _ev_get_monitor_list(self, sid, user_id):
        self.sio.emit("monitorList", self._monitor_list(user_id), to=sid)
        return {"ok": True}

    def _ev_pause_monitor(self, _sid, user_id, monitor_id=None):
        return self._set_active(user_id, monitor_id, False, "paused")

    def _ev_resume_monitor(self, _sid, user_id, monitor_id=None):
        return self._set_active(user_id, monitor_id, True, "resumed")

    def _set_active(self, user_id, monitor_id, active, message):
        monitor = self._owned_monitor(user_id, monitor_id)
        monitor["active"] = active
        self._push_monitor_change(user_id, monitor["id"])
        return self._ok(message)

    def _ev_delete_monitor(self, _sid, user_id, monitor_id=None, *delete_children):
        monitor = self._owned_monitor(user_id, monitor_id)
        takes_flag = self._at_least(2, 1)
        children = self._children(monitor["id"])
        if takes_flag and delete_children and delete_children[0]:
            doomed = [monitor["id"], *self._descendants(monitor["id"])]
        else:
            doomed = [monitor["id"]]
            for child in children:
                self._monitors[child]["parent"] = None
        for doomed_id in doomed:
            self._drop_monitor(doomed_id)
            if self._v2:
                self._push(user_id, "deleteMonitorFromList", doomed_id)
        if not self._v2:
            self._push(user_id, "monitorList", self._monitor_list(user_id))
        if delete_children and not takes_flag:
            # Before 2.1 the second argument lands where the callback is expected: the
            # deletion happens, then calling a non-function throws and nothing is acked.
            self._violation("deleteMonitor", "deleteChildren sent to a server older than 2.1")
            return self.sio.not_handled
        return self._ok("deleted")

    def _drop_monitor(self, monitor_id):
        del self._monitors[monitor_id]
        self._monitor_notifications = {link for link in self._monitor_notifications if link[0] != monitor_id}
        self._monitor_tags = [link for link in self._monitor_tags if link["monitor_id"] != monitor_id]
        for group in self._groups.values():
            group["monitors"] = [entry for entry in group["monitors"] if entry[0] != monitor_id]
        for monitor_ids in self._maintenance_monitors.values():
            if monitor_id in monitor_ids:
                monitor_ids.remove(monitor_id)

    def _children(self, monitor_id):
        return sorted(mid for mid, row in self._monitors.items() if row["parent"] == monitor_id)

    def _descendants(self, monitor_id):
        found = []
        for child in self._children(monitor_id):
            found.extend([child, *self._descendants(child)])
        return found

    def _monitor_list(self, user_id):
        return {str(mid): self._monitor_json(mid) for mid, row in sorted(self._monitors.items())
                if row["user_id"] == user_id}

    def _path_name(self, row):
        names = [row["name"]]
        parent = self._monitors.get(row["parent"])
        while parent is not None:
            names.insert(0, parent["name"])
            parent = self._monitors.get(parent["parent"])
        return " / ".join(str(name) for name in names)

    def _monitor_json(self, monitor_id):
        row = self._monitors[monitor_id]
        data = {key: copy.deepcopy(value) for key, value in row.items() if key != "user_id"}
        data.update(
            pathName=self._path_name(row),
            childrenIDs=self._children(monitor_id),
            notificationIDList={str(nid): True for mid, nid in sorted(self._monitor_notifications)
                                if mid == monitor_id},
            tags=[{**link, "name": self._tags[link["tag_id"]]["name"], "color": self._tags[link["tag_id"]]["color"]}
                  for link in self._monitor_tags if link["monitor_id"] == monitor_id],
            maintenance=self._under_maintenance(monitor_id),
            screenshot=None,
            includeSensitiveData=True,
        )
        if self._v2:
            data["forceInactive"] = not self._parents_active(row)
        else:
            data["active"] = int(row["active"])
        return data

    def _parents_active(self, row):
        parent = self._monitors.get(row["parent"])
        while parent is not None:
            if not parent["active"]:
                return False
            parent = self._monitors.get(parent["parent"])
        return True

    # -- tags ---------------------------------------------------------------------------------

    def _ev_get_tags(self, _sid, _user_id):
        return {"ok": True, "tags": [dict(tag) for tag in self._tags.values()]}

    def _ev_add_tag(self, _sid, _user_id, tag=None):
        tag = tag if isinstance(tag, dict) else {}
        self._require_tag_fields(tag)
        tag_id = self._new_id("tag")
        self._tags[tag_id] = {"id": tag_id, "name": tag["name"], "color": tag["color"]}
        return {"ok": True, "tag": dict(self._tags[tag_id])}

    def _ev_edit_tag(self, _sid, _user_id, tag=None):
        tag = tag if isinstance(tag, dict) else {}
        stored = self._tags.get(_as_id(tag.get("id")))
        if stored is None:
            raise KumaError("Cannot set properties of null (setting 'name')")
        self._require_tag_fields(tag)
        stored.update(name=tag["name"], color=tag["color"])
        return self._ok("saved", tag=dict(stored))

    @staticmethod
    def _require_tag_fields(tag):
        for field in ("name", "color"):
            if tag.get(field) is None:
                raise KumaError(f"SQLITE_CONSTRAINT: NOT NULL constraint failed: tag.{field}")

    def _ev_delete_tag(self, _sid, _user_id, tag_id=None):
        tag_id = _as_id(tag_id)
        self._tags.pop(tag_id, None)
        self._monitor_tags = [link for link in self._monitor_tags if link["tag_id"] != tag_id]
        return self._ok("deleted")

    def _ev_add_monitor_tag(self, _sid, user_id, tag_id=None, monitor_id=None, value=None):
        tag_id, monitor_id = _as_id(tag_id), _as_id(monitor_id)
        if tag_id not in self._tags or monitor_id not in self._monitors:
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        self._monitor_tags.append({"id": self._new_id("monitor_tag"), "monitor_id": monitor_id, "tag_id": tag_id,
                                   "value": "" if value is None else str(value)})
        self._push_monitor_change(user_id, monitor_id)
        return self._ok("added")

    def _ev_edit_monitor_tag(self, _sid, user_id, tag_id=None, monitor_id=None, value=None):
        tag_id, monitor_id = _as_id(tag_id), _as_id(monitor_id)
        for link in self._monitor_tags:
            if link["tag_id"] == tag_id and link["monitor_id"] == monitor_id:
                link["value"] = "" if value is None else str(value)
        if monitor_id in self._monitors:
            self._push_monitor_change(user_id, monitor_id)
        return self._ok("edited")

    def _ev_delete_monitor_tag(self, _sid, user_id, tag_id=None, monitor_id=None, value=None):
        tag_id, monitor_id = _as_id(tag_id), _as_id(monitor_id)
        value = "" if value is None else str(value)
        self._monitor_tags = [link for link in self._monitor_tags
                              if (link["tag_id"], link["monitor_id"], link["value"]) != (tag_id, monitor_id, value)]
        if monitor_id in self._monitors:
            self._push_monitor_change(user_id, monitor_id)
        return self._ok("deleted")

    # -- notifications -------------------------------------------------------------------------

    def _ev_add_notification(self, _sid, user_id, notification=None, notification_id=None):
        if not isinstance(notification, dict):
            raise KumaError("Cannot read properties of undefined (reading 'name')")
        if notification_id:
            stored = self._notifications.get(_as_id(notification_id))
            if stored is None or stored["user_id"] != user_id:
                raise KumaError("notification not found")
        else:
            stored = {"id": self._new_id("notification"), "user_id": user_id, "active": True}
            self._notifications[stored["id"]] = stored
        stored.update(name=notification.get("name"), config=json.dumps(notification),
                      is_default=bool(notification.get("isDefault")))
        if notification.get("applyExisting"):
            for monitor_id, row in self._monitors.items():
                if row["user_id"] == user_id:
                    self._monitor_notifications.add((monitor_id, stored["id"]))
        self._push(user_id, "notificationList", self._notification_list(user_id))
        return self._ok("saved", id=stored["id"])

    def _ev_delete_notification(self, _sid, user_id, notification_id=None):
        stored = self._notifications.get(_as_id(notification_id))
        if stored is None or stored["user_id"] != user_id:
            raise KumaError("notification not found")
        del self._notifications[stored["id"]]
        self._monitor_notifications = {link for link in self._monitor_notifications if link[1] != stored["id"]}
        self._push(user_id, "notificationList", self._notification_list(user_id))
        return self._ok("deleted")

    def _notification_json(self, notification_id):
        stored = self._notifications[notification_id]
        return {"id": stored["id"], "name": stored["name"], "config": stored["config"], "active": stored["active"],
                "userId": stored["user_id"], "isDefault": stored["is_default"]}

    def _notification_list(self, user_id):
        return [self._notification_json(nid) for nid, stored in sorted(self._notifications.items())
                if stored["user_id"] == user_id]

    # -- status pages --------------------------------------------------------------------------

    @staticmethod
    def _check_slug(slug):
        if not isinstance(slug, str):
            raise KumaError("Slug must be string")
        if not slug.strip():
            raise KumaError("Slug cannot be empty")
        if not STATUS_PAGE_SLUG.match(slug.strip()):
            raise KumaError("Invalid Slug")

    def _page_by_slug(self, slug):
        return next((page for page in self._status_pages.values()
                     if isinstance(slug, str) and page["slug"] == slug), None)

    def _ev_add_status_page(self, _sid, _user_id, title=None, slug=None):
        title = title.strip() if isinstance(title, str) else title
        slug = slug.strip() if isinstance(slug, str) else slug
        if not title or not slug:
            raise KumaError("Please input all fields")
        slug = slug.lower()
        self._check_slug(slug)
        if self._page_by_slug(slug):
            raise KumaError("SQLITE_CONSTRAINT: UNIQUE constraint failed: status_page.slug")
        page_id = self._new_id("status_page")
        page = {"id": page_id, "slug": slug, "title": title, "description": None, "icon": "/icon.svg",
                "theme": "auto", "published": True, "showTags": False, "domainNameList": [], "customCSS": "",
                "footerText": None, "showPoweredBy": True, "showCertificateExpiry": False,
                "googleAnalyticsId": None, "autoRefreshInterval": 300, "analyticsType": None, "analyticsId": None,
                "analyticsScriptUrl": None, "showOnlyLastHeartbeat": False, "rssTitle": None}
        self._status_pages[page_id] = page
        return self._ok("added", slug=slug)

    def _status_page_keys(self):
        keys = ["id", "slug", "title", "description", "icon", "theme"]
        if self._v2:
            keys.append("autoRefreshInterval")
        keys += ["published", "showTags", "domainNameList", "customCSS", "footerText", "showPoweredBy"]
        if self._at_least(2, 1):
            keys += ["analyticsType", "analyticsId", "analyticsScriptUrl"]
        else:
            keys.append("googleAnalyticsId")
        keys.append("showCertificateExpiry")
        if self._at_least(2, 1):
            keys += ["showOnlyLastHeartbeat", "rssTitle"]
        return keys

    def _status_page_json(self, page):
        return {key: copy.deepcopy(page[key]) for key in self._status_page_keys()}

    def _ev_get_status_page(self, _sid, _user_id, slug=None):
        page = self._page_by_slug(slug)
        if page is None:
            raise KumaError("No slug?")
        return {"ok": True, "config": self._status_page_json(page)}

    def _ev_save_status_page(self, _sid, _user_id, slug=None, config=None, img_data_url=None, public_group_list=None):
        page = self._page_by_slug(slug)
        if page is None:
            raise KumaError("No slug?")
        config = config if isinstance(config, dict) else {}
        self._check_slug(config.get("slug"))
        if self._at_least(2, 1) and ("analyticsType" not in config or config["analyticsType"] not in ANALYTICS_TYPES):
            self._violation("saveStatusPage", "analyticsType missing or unknown (2.1+)")
            raise KumaError("Invalid analytics type")
        if not isinstance(img_data_url, str):
            raise KumaError(f"Cannot read properties of {'null' if img_data_url is None else 'undefined'} "
                            "(reading 'startsWith')")
        if not isinstance(public_group_list, list):
            raise KumaError("publicGroupList is not iterable")
        self._check_group_monitors(public_group_list)
        if img_data_url.startswith("data:"):
            if not img_data_url.startswith("data:image/png;base64,"):
                raise KumaError("Only allowed PNG logo.")
            page["icon"] = f"/upload/logo{page['id']}.png?t={int(time.time() * 1000)}"
        else:
            page["icon"] = img_data_url
        saved = [key for key in self._status_page_keys() if key not in ("id", "icon")]
        for key in saved:
            page[key] = copy.deepcopy(config.get(key, [] if key == "domainNameList" else None))
        return {"ok": True, "publicGroupList": self._save_groups(page["id"], public_group_list)}

    def _check_group_monitors(self, public_group_list):
        for group in public_group_list:
            for entry in (group or {}).get("monitorList") or []:
                if _as_id((entry or {}).get("id")) not in self._monitors:
                    raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")

    def _save_groups(self, page_id, public_group_list):
        result = []
        kept = set()
        for weight, group in enumerate(public_group_list, start=1):
            group = copy.deepcopy(group)
            stored = self._groups.get(_as_id(group.get("id")))
            if stored is None or stored["status_page_id"] != page_id:
                stored = {"id": self._new_id("group"), "status_page_id": page_id}
                self._groups[stored["id"]] = stored
            stored.update(name=group.get("name"), weight=weight,
                          monitors=[(_as_id(entry["id"]), bool(entry.get("sendUrl")))
                                    for entry in group.get("monitorList") or []])
            kept.add(stored["id"])
            group["id"] = stored["id"]
            result.append(group)
        for group_id in [gid for gid, g in self._groups.items() if g["status_page_id"] == page_id and gid not in kept]:
            del self._groups[group_id]
        return result

    def _ev_delete_status_page(self, _sid, _user_id, slug=None):
        page = self._page_by_slug(slug)
        if page is not None:
            del self._status_pages[page["id"]]
            self._groups = {gid: g for gid, g in self._groups.items() if g["status_page_id"] != page["id"]}
            self._incidents = {iid: i for iid, i in self._incidents.items() if i["status_page_id"] != page["id"]}
            for page_ids in self._maintenance_pages.values():
                if page["id"] in page_ids:
                    page_ids.remove(page["id"])
        return {"ok": True}

    def _ev_post_incident(self, _sid, _user_id, slug=None, incident=None):
        page = self._page_by_slug(slug)
        if page is None:
            raise KumaError("slug is not found")
        incident = incident if isinstance(incident, dict) else {}
        if not self._at_least(2, 1):
            for stored in self._incidents.values():
                if stored["status_page_id"] == page["id"]:
                    stored["pin"] = False
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        stored = self._incidents.get(_as_id(incident.get("id")))
        if stored is None:
            stored = {"id": self._new_id("incident"), "status_page_id": page["id"], "createdDate": now,
                      "lastUpdatedDate": None}
            self._incidents[stored["id"]] = stored
        else:
            stored["lastUpdatedDate"] = now
        stored.update(title=incident.get("title"), content=incident.get("content"),
                      style=incident.get("style", "primary"), pin=True)
        return {"ok": True, "incident": self._incident_json(stored)}

    def _ev_unpin_incident(self, _sid, _user_id, slug=None):
        page = self._page_by_slug(slug)
        for stored in self._incidents.values():
            if page is not None and stored["status_page_id"] == page["id"]:
                stored["pin"] = False
        return {"ok": True}

    @staticmethod
    def _incident_json(stored):
        return {key: value for key, value in stored.items() if key != "status_page_id"}

    def _status_page_state(self, page):
        return {"config": self._status_page_json(page), "publicGroupList": self._public_groups(page["id"]),
                "incidents": [self._incident_json(i) for i in self._incidents.values()
                              if i["status_page_id"] == page["id"]]}

    def _public_groups(self, page_id):
        groups = sorted((g for g in self._groups.values() if g["status_page_id"] == page_id), key=lambda g: g["weight"])
        result = []
        for group in groups:
            monitors = []
            for monitor_id, send_url in group["monitors"]:
                row = self._monitors[monitor_id]
                entry = {"id": monitor_id, "name": row["name"], "sendUrl": int(send_url), "type": row["type"]}
                if send_url:
                    entry["url"] = row["url"]
                monitors.append(entry)
            result.append({"id": group["id"], "name": group["name"], "weight": group["weight"],
                           "monitorList": monitors})
        return result

    def _public_status_page(self, page):
        config = {key: value for key, value in self._status_page_json(page).items()
                  if key not in ("id", "domainNameList")}
        pinned = sorted((self._incident_json(i) for i in self._incidents.values()
                         if i["status_page_id"] == page["id"] and i["pin"]), key=lambda i: i["id"], reverse=True)
        data = {"config": config}
        if self._at_least(2, 1):
            data["incidents"] = pinned
        else:
            data["incident"] = pinned[0] if pinned else None
        maintenances = [self._maintenance_json(mid) for mid, page_ids in self._maintenance_pages.items()
                        if page["id"] in page_ids and self._maintenance_status(mid) == "under-maintenance"]
        data.update(publicGroupList=self._public_groups(page["id"]), maintenanceList=maintenances)
        return data

    # -- maintenance ------------------------------------------------------------------------------

    def _owned_maintenance(self, user_id, maintenance_id):
        stored = self._maintenances.get(_as_id(maintenance_id))
        if stored is None or stored["user_id"] != user_id:
            raise KumaError("Maintenance not found.")
        return stored

    def _maintenance_fields(self, maintenance):
        if not isinstance(maintenance, dict):
            raise KumaError("Cannot read properties of undefined (reading 'title')")
        if maintenance.get("strategy") not in MAINTENANCE_STRATEGIES:
            raise KumaError(f"Unknown maintenance strategy: {maintenance.get('strategy')}")
        if not isinstance(maintenance.get("dateRange"), list):
            raise KumaError("Cannot read properties of undefined (reading '0')")
        return {
            "title": maintenance.get("title"), "description": maintenance.get("description") or "",
            "strategy": maintenance["strategy"], "active": maintenance.get("active", True) is not False,
            "intervalDay": maintenance.get("intervalDay"), "dateRange": list(maintenance["dateRange"]),
            "timeRange": copy.deepcopy(maintenance.get("timeRange") or []),
            "weekdays": list(maintenance.get("weekdays") or []),
            "daysOfMonth": list(maintenance.get("daysOfMonth") or []),
            "cron": maintenance.get("cron"), "durationMinutes": maintenance.get("durationMinutes"),
            "timezoneOption": maintenance.get("timezoneOption"),
        }

    def _ev_add_maintenance(self, _sid, user_id, maintenance=None):
        fields = self._maintenance_fields(maintenance)
        maintenance_id = self._new_id("maintenance")
        self._maintenances[maintenance_id] = {"id": maintenance_id, "user_id": user_id, **fields}
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok("added", maintenanceID=maintenance_id)

    def _ev_edit_maintenance(self, _sid, user_id, maintenance=None):
        stored = self._owned_maintenance(user_id, maintenance.get("id") if isinstance(maintenance, dict) else None)
        stored.update(self._maintenance_fields(maintenance))
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok("saved", maintenanceID=stored["id"])

    def _ev_get_maintenance(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        return {"ok": True, "maintenance": self._maintenance_json(stored["id"])}

    def _ev_get_maintenance_list(self, sid, user_id):
        self.sio.emit("maintenanceList", self._maintenance_list(user_id), to=sid)
        return {"ok": True}

    def _ev_delete_maintenance(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        del self._maintenances[stored["id"]]
        self._maintenance_monitors.pop(stored["id"], None)
        self._maintenance_pages.pop(stored["id"], None)
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok("deleted")

    def _ev_pause_maintenance(self, _sid, user_id, maintenance_id=None):
        return self._set_maintenance_active(user_id, maintenance_id, False, "paused")

    def _ev_resume_maintenance(self, _sid, user_id, maintenance_id=None):
        return self._set_maintenance_active(user_id, maintenance_id, True, "resumed")

    def _set_maintenance_active(self, user_id, maintenance_id, active, message):
        stored = self._owned_maintenance(user_id, maintenance_id)
        stored["active"] = active
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok(message)

    def _ev_add_monitor_maintenance(self, _sid, user_id, maintenance_id=None, monitors=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        ids = [_as_id((entry or {}).get("id")) for entry in monitors or []]
        if any(monitor_id not in self._monitors for monitor_id in ids):
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        self._maintenance_monitors[stored["id"]] = ids
        return self._ok("added")

    def _ev_get_monitor_maintenance(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        return {"ok": True, "monitors": [{"id": mid, "name": self._monitors[mid]["name"]}
                                         for mid in self._maintenance_monitors.get(stored["id"], [])]}

    def _ev_add_maintenance_status_page(self, _sid, user_id, maintenance_id=None, status_pages=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        ids = [_as_id((entry or {}).get("id")) for entry in status_pages or []]
        if any(page_id not in self._status_pages for page_id in ids):
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        self._maintenance_pages[stored["id"]] = ids
        return self._ok("added")

    def _ev_get_maintenance_status_page(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        return {"ok": True, "statusPages": [{"id": pid, "title": self._status_pages[pid]["title"]}
                                            for pid in self._maintenance_pages.get(stored["id"], [])]}

    def _maintenance_status(self, maintenance_id):
        stored = self._maintenances[maintenance_id]
        if not stored["active"]:
            return "inactive"
        return "under-maintenance" if stored["strategy"] == "manual" else "scheduled"

    def _maintenance_json(self, maintenance_id):
        stored = self._maintenances[maintenance_id]
        data = {key: copy.deepcopy(value) for key, value in stored.items() if key != "user_id"}
        timezone = stored["timezoneOption"] if stored["timezoneOption"] not in (None, "SAME_AS_SERVER") else "UTC"
        data.update(timezone=timezone, timezoneOffset="+00:00", timeslotList=[],
                    status=self._maintenance_status(maintenance_id))
        return data

    def _maintenance_list(self, user_id):
        return {str(mid): self._maintenance_json(mid) for mid, stored in sorted(self._maintenances.items())
                if stored["user_id"] == user_id}

    def _under_maintenance(self, monitor_id):
        return any(monitor_id in ids and self._maintenance_status(mid) == "under-maintenance"
                   for mid, ids in self._maintenance_monitors.items())

    # -- HTTP routes ---------------------------------------------------------------------------------

    def _http(self, request):
        started = time.time()
        with self._control_lock:
            latency = self._latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        response = self.dispatch(request)
        self._append_log({"event": "http", "method": request.method, "path": request.path, "args": [],
                          "status": response.status_code, "ok": response.status_code < 400, "time": started})
        return response

    def _http_route(self, request):
        path = request.path.rstrip("/")
        if request.method == "GET" and path == "/api/entry-page":
            return json_response({"type": "entryPage", "entryPage": "dashboard"})
        match = re.fullmatch(r"/api/status-page/([^/]+)", path)
        if request.method == "GET" and match:
            page = self._page_by_slug(match.group(1).lower())
            if page is None:
                return json_response({"ok": False, "msg": "Status Page Not Found"}, status=404)
            return json_response(self._public_status_page(page))
        return json_response({"ok": False, "msg": "Not Found"}, status=404)

    # -- control API ------------------------------------------------------------------------------------

    def _append_log(self, entry):
        with self._control_lock:
            self._log.append(entry)

    def _take_fault(self, event):
        with self._control_lock:
            for fault in self._faults:
                if fault["event"] == event:
                    fault["times"] -= 1
                    if fault["times"] == 0:
                        self._faults.remove(fault)
                    return dict(fault)
        return None

    def _control(self, request):
        handler = self._control_routes.get((request.method, request.path[len(CONTROL_PREFIX):].strip("/")))
        if handler is None:
            return json_response({"error": f"no control route {request.method} {request.path}"}, status=404)
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            return json_response({"error": "the body is not JSON"}, status=400)
        try:
            return json_response(handler(body))
        except (ControlError, ValueError, TypeError) as error:
            return json_response({"error": str(error)}, status=400)

    def _control_get_log(self, _body):
        return self.events()

    def _control_clear_log(self, _body):
        with self._control_lock:
            self._log.clear()
        return {"cleared": True}

    def _control_get_faults(self, _body):
        with self._control_lock:
            return [dict(fault) for fault in self._faults]

    def _control_add_fault(self, body):
        fault = parse_fault(body)
        with self._control_lock:
            self._faults.append(fault)
        return dict(fault)

    def _control_clear_faults(self, _body):
        with self._control_lock:
            self._faults.clear()
        return {"cleared": True}

    def _control_get_latency(self, _body):
        with self._control_lock:
            return {"ms": self._latency_ms}

    def _control_set_latency(self, body):
        ms = body.get("ms") if isinstance(body, dict) else None
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
            raise ControlError(f"ms: a number >= 0 expected, got {ms!r}")
        with self._control_lock:
            self._latency_ms = ms
        return {"ms": ms}

    def _control_configure(self, body):
        if not isinstance(body, dict):
            raise ControlError("config is a JSON object of option: value")
        self.configure(**body)
        return {"configured": sorted(body)}

    def _control_reset(self, _body):
        self.reset()
        return {"reset": True}

    def _control_get_violations(self, _body):
        with self.lock:
            return list(self.violations)

    def _control_clear_violations(self, _body):
        with self.lock:
            self.violations.clear()
        return {"cleared": True}

    def _control_get_state(self, _body):
        return self.snapshot()


def parse_fault(body):
    """Validate a ``POST /_sandbox/faults`` body into ``{event, times, error|after|drop}``."""
    if not isinstance(body, dict):
        raise ControlError("a fault is a JSON object")
    unknown = set(body) - {"event", "times", "error", "after", "drop"}
    if unknown:
        raise ControlError(f"unknown fault option(s): {', '.join(sorted(unknown))}")
    if not isinstance(body.get("event"), str) or not body["event"]:
        raise ControlError("event: the Socket.IO event name expected")
    times = body.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ControlError(f"times: an integer >= 1 expected, got {times!r}")
    kinds = [kind for kind in ("error", "after", "drop") if body.get(kind)]
    if len(kinds) != 1:
        raise ControlError("a fault needs exactly one of 'error' (message), 'after': true, 'drop': true")
    fault = {"event": body["event"], "times": times, kinds[0]: body[kinds[0]]}
    if kinds[0] == "error" and not isinstance(body["error"], str):
        raise ControlError("error: the message to ack with expected")
    return fault


def serve(port=0, version=DEFAULT_VERSION, host="127.0.0.1", emulator=None):
    """Serve an emulator on ``host:port`` (0: any free port) in a daemon thread.

    Returns ``(server, thread)``; ``server.emulator`` is the emulator and
    ``server.server_port`` the port.  Stop with ``server.emulator.close()``,
    ``server.shutdown()``, ``thread.join()``.
    """
    emulator = emulator if emulator is not None else UptimeKumaEmulator(version=version)
    server = make_server(host, port, emulator.wsgi_app, threaded=True, request_handler=_RequestHandler)
    server.emulator = emulator
    thread = threading.Thread(target=server.serve_forever, name=f"uptime-kuma-{server.server_port}", daemon=True)
    thread.start()
    return server, thread
