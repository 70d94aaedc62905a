"""Contract between the sandbox framework and each emulator.

An emulator is a class with a ``name``, a ``dispatch(request)`` method for the
vendor's own routes and a ``reset()``.  The framework (``framework.py``) wraps
it into a WSGI application that adds the ``/_sandbox/`` control API (request
log, faults, latency, reset), and the launcher (``__main__.py``) serves every
emulator on its own loopback port from one process, so emulators can see each
other's state through :class:`SharedState` (for example Cloudflare's zone
activation reads the nameservers the Namecheap emulator holds for a domain).
"""

import threading


class SharedState:
    """State that crosses emulator boundaries.  Guarded by ``lock``."""

    def __init__(self):
        self.lock = threading.RLock()
        self.emulators = {}

    def register(self, emulator):
        self.emulators[emulator.name] = emulator

    def get(self, name):
        return self.emulators.get(name)


class Emulator:
    """Base class of an emulator: subclasses implement ``dispatch`` and ``reset``."""

    name = "base"
    # Path prefix of the vendor's routes (e.g. "/client/v4"): the request log shows
    # paths without it and fault patterns may leave it out.
    base_path = ""
    # A ``ContractValidator`` (``openapi.py``) when the vendor publishes a spec:
    # the framework hands it every vendor request/response pair.
    contract = None
    # The ``SandboxApp`` serving this emulator (set by it): its hooks log, fault and delay
    # traffic that is not one HTTP request per call (Uptime Kuma's Socket.IO events).
    app = None

    def __init__(self, shared=None, **options):
        self.shared = shared if shared is not None else SharedState()
        self.options = options
        self.lock = threading.RLock()
        self.shared.register(self)
        self.violations = []  # contract mismatches (request/response vs. the vendor's spec)

    def reset(self):
        raise NotImplementedError

    def prepare_reset(self):
        """Called before ``reset`` without the emulator's lock held (work that must not hold it)."""

    def configure(self, **settings):
        """Change runtime options (``POST /_sandbox/config``); ValueError on anything unknown."""
        if settings:
            raise ValueError(f"{self.name} has no runtime options: {', '.join(sorted(settings))}")

    def dispatch(self, request):
        """Handle one vendor request: ``werkzeug.wrappers.Request`` -> ``werkzeug.wrappers.Response``."""
        raise NotImplementedError

    def wsgi_app_for(self, path):
        """A WSGI app of the emulator's own that serves ``path`` instead of ``dispatch`` (e.g. Socket.IO), or None."""
        return None

    def describe(self, request):
        """Extra fields for the request log and for fault matching (e.g. Namecheap's ``command``)."""
        return {}

    def snapshot(self):
        """The emulator's state as JSON-serialisable data (``GET /_sandbox/state``)."""
        return {}

    def record_violation(self, kind, method, path, detail):
        with self.lock:
            self.violations.append({"kind": kind, "method": method, "path": path, "detail": str(detail)[:2000]})
