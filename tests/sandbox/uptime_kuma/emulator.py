"""Uptime Kuma emulator: ``UptimeKumaEmulator`` (state, options, Socket.IO plumbing, HTTP routes) and ``serve``.

The event handlers live in the resource modules of this package (mixins); the control API is
``framework.SandboxApp``'s, which this emulator uses through its hooks (``self.app``).
"""

import inspect
import re
import secrets
import time

import socketio

from ..base import Emulator
from ..framework import SandboxApp, json_response, serve as serve_app
from .auth import AuthEvents
from .maintenance import MaintenanceEvents
from .monitors import MonitorEvents
from .notifications import NotificationEvents
from .protocol import (
    DEFAULT_VERSION, MESSAGES, NOT_LOGGED_IN, PUBLIC_EVENTS, SANDBOX_PASSWORD, SANDBOX_USERNAME, KumaError,
    _base32_key, _password_hash, release, summarise_args,
)
from .status_pages import StatusPageEvents
from .tags import TagEvents

TOO_FREQUENTLY = "Too frequently, try again later."  # server/rate-limiter.js (plain text, no msgi18n)
RATE_LIMITED_EVENTS = ("login", "logout")  # loginRateLimiter.pass() in server.js
OPTIONS = ("version", "twofa_secret", "seed_user", "login_rate_limit_per_minute", "info_delay")


class UptimeKumaEmulator(AuthEvents, MonitorEvents, TagEvents, NotificationEvents, StatusPageEvents,
                         MaintenanceEvents, Emulator):
    """Stateful Uptime Kuma: Socket.IO events and a few HTTP routes."""

    name = "uptime_kuma"

    def __init__(self, shared=None, version=DEFAULT_VERSION, twofa_secret=None, seed_user=True,
                 login_rate_limit_per_minute=None, info_delay=0):
        super().__init__(shared)
        self.version = version
        self._release = release(version)
        self.twofa_secret = twofa_secret
        self.seed_user = seed_user
        self.login_rate_limit_per_minute = None
        self.info_delay = 0
        self.configure(login_rate_limit_per_minute=login_rate_limit_per_minute, info_delay=info_delay)
        self.clock = time.monotonic
        self._jwt_secret = secrets.token_bytes(32)
        self._sessions = {}  # sid -> user id, or None before login
        self._ready = set()  # sids whose handlers are attached (2.x: after the first info event)
        self._login_bucket = None  # (tokens, last refill) of the login limiter
        self.sio = socketio.Server(async_mode="threading", always_connect=True, logger=False, engineio_logger=False)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("*", self._on_event)
        self._socket_app = socketio.WSGIApp(self.sio)
        self._handlers = self._event_handlers()
        self._wipe()

    # -- framework interface -----------------------------------------------------------------

    def wsgi_app_for(self, path):
        """Socket.IO's own WSGI app serves ``/socket.io``; the framework everything else."""
        return self._socket_app if path.startswith("/socket.io") else None

    def describe(self, request):
        """HTTP requests are logged with ``event: "http"`` beside the Socket.IO events."""
        return {"event": "http"}

    def dispatch(self, request):
        """The vendor HTTP routes."""
        with self.lock:
            return self._http_route(request)

    def prepare_reset(self):
        """Disconnect every client first, without the lock: a disconnect waits for the socket's handlers,
        which take the lock."""
        for sid in list(self._sessions):
            self.sio.disconnect(sid)

    def reset(self):
        """Forget state and sessions; reseed the user (the framework clears faults, latency, log, violations)."""
        with self.lock:
            self._sessions.clear()
            self._ready.clear()
            self._login_bucket = None
            self._wipe()

    def configure(self, **settings):
        """``version``, ``twofa_secret`` (None: off), ``login_rate_limit_per_minute`` (None: off),
        ``info_delay`` (seconds) apply now; ``seed_user`` at the next reset."""
        unknown = set(settings) - set(OPTIONS)
        if unknown:
            raise ValueError(f"{self.name} has no option {', '.join(sorted(unknown))}")
        limit = settings.get("login_rate_limit_per_minute")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"login_rate_limit_per_minute: an integer >= 1 or null expected, got {limit!r}")
        delay = settings.get("info_delay", 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= 60:
            raise ValueError(f"info_delay: seconds 0..60 expected, got {delay!r}")
        with self.lock:
            if "version" in settings:
                self._release = release(settings["version"])
                self.version = settings["version"]
            if "twofa_secret" in settings:
                if settings["twofa_secret"] is not None:
                    _base32_key(settings["twofa_secret"])  # refuse a secret that is not base32
                self.twofa_secret = settings["twofa_secret"]
                for user in getattr(self, "_users", {}).values():
                    user["twofa_secret"] = self.twofa_secret
            if "seed_user" in settings:
                self.seed_user = bool(settings["seed_user"])
            if "login_rate_limit_per_minute" in settings:
                self.login_rate_limit_per_minute = limit
                self._login_bucket = None
            if "info_delay" in settings:
                self.info_delay = delay

    def snapshot(self):
        with self.lock:
            return {
                "version": self.version,
                "options": {"login_rate_limit_per_minute": self.login_rate_limit_per_minute,
                            "info_delay": self.info_delay, "twofa": bool(self.twofa_secret)},
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
        """The request log (``GET /_sandbox/requests``): events and HTTP requests."""
        return self.app._get_requests(None) if self.app is not None else []  # pylint: disable=protected-access

    def add_fault(self, body):
        """Add a fault as ``POST /_sandbox/faults`` does (e.g. ``{"event": "addTag", "drop": True}``)."""
        return self.app._add_fault(body)  # pylint: disable=protected-access

    def close(self):
        """Disconnect every client and stop Socket.IO background tasks."""
        for sid in list(self._sessions):
            self.sio.disconnect(sid)
        self.sio.shutdown()

    # -- state -------------------------------------------------------------------------------

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

    # -- Socket.IO plumbing -----------------------------------------------------------------

    def _log(self, entry):
        if self.app is not None:
            self.app.log(entry)

    def _on_connect(self, sid, _environ, _auth=None):
        with self.lock:
            self._sessions[sid] = None
            if not self._v2:
                self._ready.add(sid)  # 1.23: sendInfo is not awaited, the handlers are attached at once
        self._log({"event": "connect", "args": [], "ok": True, "time": time.time()})
        if self.info_delay:
            self.sio.start_background_task(self._greet, sid, self.info_delay)
        else:
            self._greet(sid, 0)

    def _greet(self, sid, delay):
        """What the server sends on a new connection: info, setup (no user yet), loginRequired.

        2.x awaits ``sendInfo`` before it attaches its handlers (server.js), so the socket is
        ready for events only from the first ``info`` on.
        """
        if delay:
            time.sleep(delay)
        with self.lock:
            if sid not in self._sessions:
                return  # gone meanwhile
            self.sio.emit("info", self._info(with_version=False), to=sid)
            if not self._users:
                self.sio.emit("setup", to=sid)
            self._ready.add(sid)
            self.sio.emit("loginRequired", to=sid)

    def _on_disconnect(self, sid, *_reason):
        with self.lock:
            self._sessions.pop(sid, None)
            self._ready.discard(sid)

    def _on_event(self, event, sid, *args):
        entry = {"event": event, "args": summarise_args(event, args), "ok": None, "time": time.time()}
        if self.app is not None:
            self.app.sleep_latency()
        with self.lock:
            ready = sid in self._ready
        if not ready:  # 2.x before its first info event: no handler is attached, nothing answers
            entry.update(acked=False, dropped="before the first info event")
            self._log(entry)
            return self.sio.not_handled
        fault = self.app.take_event_fault({"event": event}) if self.app is not None else None
        if fault is not None and fault.drop:
            entry["fault"] = "drop"
            self._log(entry)
            self.sio.disconnect(sid)
            return self.sio.not_handled
        if fault is not None and not fault.after:
            entry.update(fault="error", ok=False)
            self._log(entry)
            return {"ok": False, "msg": fault.error}
        result = self._handle(event, sid, args)
        if isinstance(result, dict) and "ok" in result:
            entry["ok"] = result["ok"]
        if result is self.sio.not_handled:
            entry["acked"] = False
        if fault is not None:
            entry["fault"] = "after"
            result = self.sio.not_handled
        self._log(entry)
        return result

    def _rate_limited(self):
        """The login limiter (a token bucket refilled continuously, as the ``limiter`` package's)."""
        limit = self.login_rate_limit_per_minute
        if not limit:
            return False
        now = self.clock()
        tokens, last = self._login_bucket or (float(limit), now)
        tokens = min(float(limit), tokens + (now - last) * limit / 60.0)
        if tokens < 1:
            self._login_bucket = (tokens, now)
            return True
        self._login_bucket = (tokens - 1, now)
        return False

    def _handle(self, event, sid, args):
        handler = self._handlers.get(event)
        if handler is None:
            self.record_violation("unhandled", "SOCKET", event, "event not emulated: the client gets no ack")
            return self.sio.not_handled
        with self.lock:
            if event in RATE_LIMITED_EVENTS and self._rate_limited():
                return {"ok": False, "msg": TOO_FREQUENTLY}
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

    # -- HTTP routes ----------------------------------------------------------------------------

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


def serve(port=0, version=DEFAULT_VERSION, host="127.0.0.1", emulator=None):
    """Serve an emulator (with the control API) on ``host:port`` (0: any free port) in a daemon thread.

    Returns ``(server, thread)``; ``server.emulator`` is the emulator, ``server.app`` its
    ``SandboxApp`` and ``server.server_port`` the port.  Stop with ``server.emulator.close()``,
    ``server.shutdown()``, ``thread.join()``.
    """
    emulator = emulator if emulator is not None else UptimeKumaEmulator(version=version)
    app = SandboxApp(emulator)
    server = serve_app(app, port, host)
    server.emulator = emulator
    server.app = app
    return server, server.thread
