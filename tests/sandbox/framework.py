"""WSGI wrapper that adds the ``/_sandbox/`` control API around an emulator.

``SandboxApp(emulator)`` answers ``/_sandbox/*`` itself and hands every other
request to ``emulator.dispatch(request)``: it logs the request, applies the
configured latency and faults, and submits the exchange to the emulator's
contract validator when it has one.

Control API (JSON in and out):

=========================== ==================================================
``GET /_sandbox/requests``  vendor requests since reset: ``{method, path, query,
                            status, time, duration_ms, **emulator.describe()}``
                            (``fault`` is added when a fault fired)
``DELETE /_sandbox/requests`` forget the log only (state is kept)
``GET|POST|DELETE /_sandbox/faults`` list / add / clear faults
``POST /_sandbox/latency``  ``{"ms": 50}`` added before every vendor request
``POST /_sandbox/config``   keys passed to ``emulator.configure(**body)``
``POST /_sandbox/reset``    forget state, faults, latency, log and violations
``GET|DELETE /_sandbox/violations`` contract mismatches (waits for pending checks)
``GET /_sandbox/state``     ``emulator.snapshot()``
=========================== ==================================================

A fault: ``{"method": "POST", "path": "/zones/*/dns_records/batch", "status":
500, "times": 1}``.  ``method`` (default ``*``) and ``path`` (an fnmatch glob,
default ``*``; ``*`` also crosses ``/``) are matched against the path without
the emulator's ``base_path`` or the full path.  Any other key that is not an
option below must equal the same key of ``emulator.describe(request)`` (e.g.
Namecheap's ``command``).  Options: ``times`` (default 1), ``retry_after``
(seconds, sent as ``Retry-After``), ``hang`` (seconds to stall, then answer
``status`` or 504), ``drop`` (with ``hang``: close the connection instead of
answering), ``after`` (apply the request first, then answer the fault: the
"applied but the response was lost" case).  Without ``after`` the emulator
never sees the request.  The first matching fault fires; each firing uses one
of its ``times``.

A fault with ``event`` matches a Socket.IO event instead (Uptime Kuma, through the hooks
``sleep_latency``, ``take_event_fault`` and ``log``) and takes exactly one of ``error`` (ack
``{ok: false, msg: error}`` without applying), ``after: true`` (apply, never ack) or
``drop: true`` (disconnect).  An emulator that serves some paths with a WSGI app of its own
(Socket.IO) returns it from ``wsgi_app_for(path)``.
"""

import fnmatch
import json
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .openapi import Exchange

CONTROL_PREFIX = "/_sandbox/"
QUEUE_CHECK_AFTER = 5.0  # seconds: see SandboxApp._queue_check
FAULT_OPTIONS = {"method", "path", "status", "times", "retry_after", "hang", "drop", "after", "error"}


class ControlError(ValueError):
    """A control request the framework refuses (answered with HTTP 400)."""


def json_response(data, status=200, headers=None):
    return Response(json.dumps(data), status=status, headers=headers, mimetype="application/json")


@dataclass
class Fault:
    method: str = "*"
    path: str = "*"
    status: int = None
    times: int = 1
    retry_after: float = None
    hang: float = None
    drop: bool = False
    after: bool = False
    error: str = None  # event faults: ack ``{ok: false, msg: error}`` without applying
    match: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, body):
        if not isinstance(body, dict):
            raise ControlError("a fault is a JSON object")
        options = {key: body[key] for key in FAULT_OPTIONS if key in body}
        fault = cls(match={key: value for key, value in body.items() if key not in FAULT_OPTIONS}, **options)
        fault.method = str(fault.method).upper()
        fault.validate()
        return fault

    @property
    def for_events(self):
        """A fault on Socket.IO events (``{"event": ...}``): exactly one of error, after, drop."""
        return "event" in self.match

    def validate(self):
        if self.for_events:
            self._validate_event_fault()
        else:
            self._validate_http_fault()
        if not (isinstance(self.times, int) and not isinstance(self.times, bool) and self.times >= 1):
            raise ControlError(f"times: an integer >= 1 expected, got {self.times!r}")

    def _validate_event_fault(self):
        if not isinstance(self.match["event"], str) or not self.match["event"]:
            raise ControlError("event: the Socket.IO event name expected")
        kinds = [kind for kind in ("error", "after", "drop") if getattr(self, kind)]
        if len(kinds) != 1 or any(getattr(self, name) is not None for name in ("status", "hang", "retry_after")):
            raise ControlError("an event fault needs exactly one of 'error' (message), 'after': true, 'drop': true")
        if self.error is not None and not isinstance(self.error, str):
            raise ControlError("error: the message to ack with expected")

    def _validate_http_fault(self):
        if self.error is not None:
            raise ControlError("error is an event fault option (with 'event')")
        if self.status is None and self.hang is None:
            raise ControlError("a fault needs 'status' or 'hang'")
        if self.status is not None and not (isinstance(self.status, int) and 100 <= self.status <= 599):
            raise ControlError(f"status: an HTTP status code expected, got {self.status!r}")
        for name in ("retry_after", "hang"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and value >= 0):
                raise ControlError(f"{name}: a number of seconds >= 0 expected, got {value!r}")
        if self.drop and self.hang is None:
            raise ControlError("drop needs hang (seconds to stall before closing the connection)")

    def matches(self, method, paths, described):
        if self.method not in ("*", method):
            return False
        if not any(fnmatch.fnmatchcase(path, self.path) for path in paths):
            return False
        return all(described.get(key) == value for key, value in self.match.items())

    def to_json(self):
        if self.for_events:
            data = {"times": self.times, **{kind: getattr(self, kind) for kind in ("error", "after", "drop")
                                            if getattr(self, kind)}}
        else:
            data = {key: getattr(self, key) for key in sorted(FAULT_OPTIONS - {"error"})}
        data.update(self.match)
        return data


class SandboxApp:
    """WSGI application: the control API plus the emulator's vendor routes."""

    def __init__(self, emulator):
        self.emulator = emulator
        emulator.app = self  # emulators with traffic besides HTTP requests (Socket.IO) use the hooks below
        self._lock = threading.Lock()
        self._faults = []
        self._log = []
        self._latency_ms = 0
        self._wake = threading.Event()  # set on reset/close: hanging requests stop waiting
        self._generation = 0  # bumped on reset: requests still in flight then are not logged
        self._control_routes = {
            ("GET", "requests"): self._get_requests,
            ("DELETE", "requests"): self._clear_requests,
            ("GET", "faults"): self._get_faults,
            ("POST", "faults"): self._add_fault,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "latency"): self._get_latency,
            ("POST", "latency"): self._set_latency,
            ("POST", "config"): self._configure,
            ("POST", "reset"): self._reset,
            ("GET", "violations"): self._get_violations,
            ("DELETE", "violations"): self._clear_violations,
            ("GET", "state"): self._get_state,
        }

    def __call__(self, environ, start_response):
        own_app = self.emulator.wsgi_app_for(environ.get("PATH_INFO", ""))
        if own_app is not None:  # e.g. Uptime Kuma's Socket.IO endpoint: its events use the hooks below
            return own_app(environ, start_response)
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self._vendor(request, environ)
        return response(environ, start_response)

    # -- hooks for traffic that is not one HTTP request per call (Socket.IO events) ----------

    def sleep_latency(self):
        """Sleep the configured latency (as before every vendor request)."""
        with self._lock:
            latency = self._latency_ms
        if latency:
            time.sleep(latency / 1000.0)

    def take_event_fault(self, described):
        """The first fault matching an event (``described`` holds ``event``), one of its ``times`` used."""
        with self._lock:
            for fault in self._faults:
                if fault.for_events and all(described.get(key) == value for key, value in fault.match.items()):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def log(self, entry):
        """Append an entry to the request log (``GET /_sandbox/requests``)."""
        with self._lock:
            self._log.append(entry)

    def close(self):
        """Release requests that are hanging on a fault (used at shutdown)."""
        self._wake.set()

    # -- vendor requests ----------------------------------------------------

    def _vendor(self, request, environ):
        started = time.time()
        with self._lock:
            latency = self._latency_ms
            generation = self._generation
        if latency:
            time.sleep(latency / 1000.0)
        described = self._describe(request)
        fault = self._take_fault(request, described)
        entry = {"method": request.method, "path": self._relative_path(request.path),
                 "query": request.args.to_dict(), "time": started, **described}
        if fault is not None:
            entry["fault"] = "after" if fault.after else "before"
        if fault is None:
            return self._finish(entry, self._dispatch(request), started, generation)
        if fault.after:
            self._dispatch(request).close()  # applied; its response is never sent
        response = self._fault_response(fault, environ)
        return self._finish(entry, response, started, generation)

    def _describe(self, request):
        try:
            return dict(self.emulator.describe(request))
        except Exception:  # an emulator bug: logged, and the request still gets an answer
            traceback.print_exc(file=sys.stderr)
            return {}

    def _relative_path(self, path):
        base = self.emulator.base_path
        if base and (path == base or path.startswith(base + "/")):
            return path[len(base):] or "/"
        return path

    def _take_fault(self, request, described):
        paths = (self._relative_path(request.path), request.path)
        with self._lock:
            for fault in self._faults:
                if not fault.for_events and fault.matches(request.method, paths, described):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, request):
        contract = self.emulator.contract
        if contract is not None:
            request.get_data()  # keep the body readable for the contract check
        try:
            with self.emulator.lock:
                response = self.emulator.dispatch(request)
        except Exception as error:  # an emulator bug: answer 500 and record it as a violation
            traceback.print_exc(file=sys.stderr)
            self.emulator.record_violation("crash", request.method, request.path, f"{type(error).__name__}: {error}")
            return Response(f"sandbox emulator error: {type(error).__name__}", status=500, mimetype="text/plain")
        if contract is not None:
            # checked once the response is sent, so the check does not slow the sending down
            response.call_on_close(self._queue_check(contract, self._exchange(request, response)))
        return response

    @staticmethod
    def _queue_check(contract, exchange):
        """The function that queues the exchange's check, once: on the response's close, or after
        ``QUEUE_CHECK_AFTER`` seconds when the server never closes it (werkzeug skips ``close()`` when
        the client hangs up while it discards an unread body): a counted check must never stay pending."""
        queue_exchange = contract.submit_later()
        once = threading.Lock()
        timers = []

        def queue():
            if once.acquire(blocking=False):
                for timer in timers:
                    timer.cancel()
                queue_exchange(exchange)

        timers.append(threading.Timer(QUEUE_CHECK_AFTER, queue))
        timers[0].daemon = True
        timers[0].start()
        return queue

    @staticmethod
    def _exchange(request, response):
        return Exchange(
            method=request.method, path=request.path, query=list(request.args.items(multi=True)),
            headers=dict(request.headers), body=request.get_data(), content_type=request.content_type or "",
            status=response.status_code, response_headers=dict(response.headers),
            response_body=response.get_data(), response_content_type=response.mimetype or "")

    def _fault_response(self, fault, environ):
        if fault.hang:
            self._wake.wait(fault.hang)
            if fault.drop:
                return DroppedConnection(environ)
        status = fault.status or 504
        headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else None
        return Response(f"sandbox fault: HTTP {status}\n", status=status, headers=headers, mimetype="text/plain")

    def _finish(self, entry, response, started, generation):
        entry["status"] = None if isinstance(response, DroppedConnection) else response.status_code
        entry["duration_ms"] = round((time.time() - started) * 1000.0, 3)
        with self._lock:
            if generation == self._generation:
                self._log.append(entry)
        return response

    # -- control API -----------------------------------------------------------

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

    def _get_requests(self, _body):
        with self._lock:
            return list(self._log)

    def _clear_requests(self, _body):
        self.clear_log()
        return {"cleared": True}

    def clear_log(self):
        """What ``DELETE /_sandbox/requests`` does: forget the log only."""
        with self._lock:
            self._log.clear()

    def _get_faults(self, _body):
        with self._lock:
            return [fault.to_json() for fault in self._faults]

    def _add_fault(self, body):
        fault = Fault.from_json(body)
        with self._lock:
            self._faults.append(fault)
        return fault.to_json()

    def _clear_faults(self, _body):
        with self._lock:
            self._faults.clear()
        return {"cleared": True}

    def _get_latency(self, _body):
        with self._lock:
            return {"ms": self._latency_ms}

    def _set_latency(self, body):
        ms = (body or {}).get("ms") if isinstance(body, dict) else None
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
            raise ControlError(f"ms: a number >= 0 expected, got {ms!r}")
        with self._lock:
            self._latency_ms = ms
        return {"ms": ms}

    def _configure(self, body):
        if not isinstance(body, dict):
            raise ControlError("config is a JSON object of option: value")
        with self.emulator.lock:
            self.emulator.configure(**body)
        return {"configured": sorted(body)}

    def _reset(self, _body):
        return self.reset()

    def reset(self):
        """What ``POST /_sandbox/reset`` does: forget state, faults, latency, the log and violations."""
        with self._lock:
            self._faults.clear()
            self._log.clear()
            self._latency_ms = 0
            self._generation += 1
            self._wake.set()
            self._wake = threading.Event()
        self._drain_contract()
        self.emulator.prepare_reset()  # outside the emulator's lock (e.g. disconnecting Socket.IO clients)
        with self.emulator.lock:
            self.emulator.violations.clear()
            self.emulator.reset()
        return {"reset": True}

    def _get_violations(self, _body):
        self._drain_contract()
        with self.emulator.lock:
            return list(self.emulator.violations)

    def _clear_violations(self, _body):
        self._drain_contract()
        with self.emulator.lock:
            self.emulator.violations.clear()
        return {"cleared": True}

    def _drain_contract(self):
        contract = self.emulator.contract
        if contract is not None and not contract.drain():
            self.emulator.record_violation("validator", "", "", "contract checks did not finish within the timeout")

    def _get_state(self, _body):
        with self.emulator.lock:
            return self.emulator.snapshot()


class DroppedConnection:
    """A WSGI response that closes the client's connection without answering."""

    def __init__(self, environ):
        self.sock = environ.get("werkzeug.socket")

    def __call__(self, environ, start_response):
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client already went away
        return []


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (the request log is the record); a WebSocket closes its connection."""

    def log_request(self, code="-", size="-"):
        pass

    def run_wsgi(self):
        super().run_wsgi()
        if self.headers.get("Upgrade", "").lower() == "websocket":
            # The WebSocket is over; reading the client's closing frame as the next
            # HTTP request would stall the client's close handshake for seconds.
            self.close_connection = True


def serve(app, port=0, host="127.0.0.1"):
    """Serve ``app`` from a background thread (threaded server); return the server.

    ``server.server_port`` is the port, ``server.thread`` the serving thread.
    """
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    server.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                     name=f"sandbox:{server.server_port}", daemon=True)
    server.thread.start()
    return server
