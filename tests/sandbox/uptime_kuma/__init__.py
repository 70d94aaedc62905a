"""Emulator of Uptime Kuma's Socket.IO API (1.23.x and 2.x) for the local sandbox.

Uptime Kuma has no CRUD REST API: clients talk to the web UI's Socket.IO channel
(``/socket.io/``), every call is an event whose last argument is an ack
callback.  The wire contract is ``tests/contracts/uptime-kuma/NOTES.md``; this package
follows it for both release lines, chosen by the version string
(``UptimeKumaEmulator(version="1.23.16")`` or the default ``"2.5.3"``).

Layout (one module per resource, each a mixin of event handlers):

=================== ==================================================================
``emulator.py``     ``UptimeKumaEmulator``: state, options, the Socket.IO plumbing
                    (connection order, event dispatch, login rate limit), HTTP routes
``protocol.py``     constants, messages by version, TOTP, JWT helpers, log redaction
``auth.py``         setup, login, loginByToken, logout, what a login pushes
``monitors.py``     monitors
``tags.py``         tags and monitor tags
``notifications.py`` notifications
``status_pages.py`` status pages, groups, incidents, the public status page
``maintenance.py``  maintenance windows
=================== ==================================================================

It is served like every emulator by ``framework.SandboxApp``: the control API (request log,
faults, latency, config, reset, violations, state) is the shared one.  Socket.IO events are
logged as ``{event, args, ok, time}`` (secrets redacted) and faults match events:
``{"event": "add", "times": 1, "error": "msg"}`` acks ``{ok: false, msg}`` without applying,
``"after": true`` applies and never acks, ``"drop": true`` disconnects the socket; the latency
is slept before every event.

What differs by version (release segment of the version string):

* 1.23: English callback messages; the full ``monitorList`` is pushed after
  every monitor mutation; ``add`` with a 2.x-only column fails with
  ``SQLITE_ERROR: table monitor has no column named <column>``; monitor
  ``active`` is 0/1; status pages carry ``googleAnalyticsId``; the public status
  page data has ``incident``.  The connection's handlers are attached at once
  (``sendInfo`` is not awaited).
* 2.x: callback messages are i18n keys with ``msgi18n: true``; deltas
  ``updateMonitorIntoList`` / ``deleteMonitorFromList``; ``conditions`` is
  NOT NULL; extra login pushes (``remoteBrowserList``, ``monitorTypeList``);
  2.0 adds ``autoRefreshInterval``.  The server awaits ``sendInfo`` before it
  attaches its handlers: an event sent before the first ``info`` is dropped
  (no ack), and ``info_delay`` (option, seconds) delays that first ``info``.
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
* ``login`` and ``logout`` share the server's login limiter when
  ``login_rate_limit_per_minute`` is set (the real server's is 20, for the whole
  instance): a token bucket of that many, refilled continuously; a refused call
  is acked ``{ok: false, msg: "Too frequently, try again later."}`` (plain text,
  no ``msgi18n``).  Off by default: tests ask for it through ``/_sandbox/config``.
"""

from .emulator import UptimeKumaEmulator, serve
from .protocol import DEFAULT_VERSION, SANDBOX_PASSWORD, SANDBOX_USERNAME, release, summarise_args, totp

__all__ = ["DEFAULT_VERSION", "SANDBOX_PASSWORD", "SANDBOX_USERNAME", "UptimeKumaEmulator", "release", "serve",
           "summarise_args", "totp"]
