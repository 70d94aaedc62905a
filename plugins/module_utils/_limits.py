# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller-wide rate limiter: every process of the controller's user shares one count per service and
credential, so that a fleet run (forks, several ``ansible-playbook`` at once) stays within the vendors' limits.

Each key (service, base URL, credential) has a small file under ``<state dir>/limits/``: the times of the
requests sent within the longest window, read and rewritten under ``fcntl.flock``. A request is sent only
when every window of the key has room (``N`` requests in any ``W`` seconds, a sliding window: never more
than the vendor allows, whatever its own window looks like); otherwise the caller sleeps until the oldest
request leaves the window. File names carry a hash of the credential, never the credential.

Settings, as environment variables of ``ansible-playbook`` (or the variables ``fabrik_deploy_state_dir`` and
``fabrik_deploy_rate_limits``, which the action plugins export for the task):

* ``FABRIK_DEPLOY_STATE_DIR``: the directory of the limiter's files and of the site locks
  (default ``~/.ansible/fabrik.deploy``, else ``<temp>/fabrik.deploy-<uid>``);
* ``FABRIK_DEPLOY_RATE_LIMITS``: ``off``, or overrides of the defaults such as
  ``namecheap=50/60+700/3600,cloudflare=off,coolify=200/60`` (``N/W``: ``N`` requests in ``W`` seconds,
  several joined by ``+``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
import time

try:
    import fcntl
except ImportError:  # not a POSIX controller: no shared limiter, no site lock
    fcntl = None

STATE_DIR_ENV = "FABRIK_DEPLOY_STATE_DIR"
LIMITS_ENV = "FABRIK_DEPLOY_RATE_LIMITS"

# The vendors' documented limits: (requests, seconds) windows per key.
DEFAULT_LIMITS = {
    "namecheap": ((20, 60), (700, 3600)),  # per API user: 20 a minute, 700 an hour
    "cloudflare": ((1200, 300),),  # per token (Cloudflare counts per user): 1,200 per five minutes
    "uptime_kuma_login": ((20, 60),),  # per instance: 20 logins a minute (server/rate-limiter.js)
}
# A wait longer than this is a setting problem (a limit of 1 a day, say): the request fails instead.
MAX_WAIT = 3600
# Checked again at least this often while waiting (another process may have been throttled meanwhile).
POLL = 5.0
# Each window is counted this much longer (at most a tenth of it): a request let through here reaches the
# vendor a little later, and the one before it may have been slower on its way (latency, a busy controller).
MARGIN = 1.0


class LimitError(ValueError):
    """``FABRIK_DEPLOY_RATE_LIMITS`` or the state directory is not usable."""


def state_dir(create=True):
    """The directory for the limiter's files and the site locks (created 0700 when missing)."""
    configured = os.environ.get(STATE_DIR_ENV, "").strip()
    candidates = [os.path.expanduser(configured)] if configured else [
        os.path.join(os.path.expanduser("~"), ".ansible", "fabrik.deploy"),
        os.path.join(tempfile.gettempdir(), "fabrik.deploy-%d" % os.getuid()),
    ]
    problems = []
    for path in candidates:
        if not create:
            return path
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            if os.access(path, os.W_OK | os.X_OK):
                return path
            problems.append("%s: not writable" % path)
        except OSError as err:
            problems.append("%s: %s" % (path, err.strerror or err))
    raise LimitError("no usable state directory for the site locks and the rate limiter (%s); set %s or the "
                     "variable fabrik_deploy_state_dir" % ("; ".join(problems), STATE_DIR_ENV))


def parse_limits(text):
    """``FABRIK_DEPLOY_RATE_LIMITS`` -> {service: windows or None (off)}; None for ``off`` altogether."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.lower() in ("off", "false", "0", "no", "none"):
        return None
    limits = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise LimitError("%s: service=N/SECONDS items expected (e.g. namecheap=20/60+700/3600), got %r"
                             % (LIMITS_ENV, item.strip()))
        if value.lower() in ("off", "none", "0"):
            limits[name] = None
            continue
        windows = []
        for part in value.split("+"):
            count, slash, seconds = part.partition("/")
            try:
                window = (int(count), float(seconds))
            except ValueError:
                window = None
            if not slash or window is None or window[0] < 1 or window[1] <= 0:
                raise LimitError("%s: %s: N/SECONDS with N >= 1 expected, got %r" % (LIMITS_ENV, name, part))
            windows.append(window)
        limits[name] = tuple(windows)
    return limits


def windows_for(service):
    """The windows in force for ``service`` (a key of DEFAULT_LIMITS or any service name), None when off."""
    overrides = parse_limits(os.environ.get(LIMITS_ENV))
    if overrides is None:
        return None
    return overrides.get(service, DEFAULT_LIMITS.get(service))


def limiter_for(service, scope, sleep=time.sleep, clock=time.time):
    """The :class:`Limiter` of ``service`` for ``scope`` (what the vendor counts by: its URL and credential;
    hashed), or None when the service has no limit or the platform no file locks."""
    windows = windows_for(service)
    if not windows or fcntl is None:
        return None
    return Limiter(service, scope, windows, sleep=sleep, clock=clock)


class Limiter:
    """Sliding windows of ``(requests, seconds)`` shared through a file by every process of the user."""

    def __init__(self, service, scope, windows, directory=None, sleep=time.sleep, clock=time.time, margin=MARGIN):
        self.service = service
        self.windows = tuple(windows)
        self.counted = tuple((count, seconds + min(margin, seconds / 10.0)) for count, seconds in self.windows)
        self.span = max(seconds for _count, seconds in self.counted)
        digest = hashlib.sha256(("%s\n%s" % (service, scope)).encode("utf-8")).hexdigest()[:24]
        self.directory = directory
        self.name = "%s-%s.json" % (service, digest)
        self.sleep = sleep
        self.clock = clock

    def path(self):
        directory = self.directory or os.path.join(state_dir(), "limits")
        os.makedirs(directory, mode=0o700, exist_ok=True)
        return os.path.join(directory, self.name)

    def acquire(self):
        """Wait until every window has room, then count one request; the seconds waited."""
        path = self.path()
        waited = 0.0
        while True:
            delay = self._take(path)
            if delay <= 0:
                return waited
            if waited + delay > MAX_WAIT:
                raise LimitError("%s: the rate limit %s would hold this request for %d s (more than %d s); "
                                 "check %s" % (self.service, describe(self.windows), delay, MAX_WAIT, LIMITS_ENV))
            pause = min(delay, POLL)
            self.sleep(pause)
            waited += pause

    def _take(self, path):
        """Count a request now if every window has room (0), else the seconds until one has."""
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            now = self.clock()
            times = [stamp for stamp in _read(descriptor) if now - self.span < stamp <= now + 1]
            delay = 0.0
            for count, seconds in self.counted:
                inside = [stamp for stamp in times if stamp > now - seconds]
                if len(inside) >= count:
                    # The request that must leave the window before this one may go.
                    delay = max(delay, inside[len(inside) - count] + seconds - now)
            if delay <= 0:
                times.append(now)
                _write(descriptor, times)
            return delay
        finally:
            os.close(descriptor)  # releases the lock


def describe(windows):
    return " + ".join("%d per %gs" % window for window in windows)


def _read(descriptor):
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks = []
    while True:
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        times = json.loads(b"".join(chunks).decode("utf-8") or "[]")
    except ValueError:  # a file cut short by a crash: start counting afresh
        return []
    return sorted(float(stamp) for stamp in times if isinstance(stamp, (int, float))) if isinstance(times, list) else []


def _write(descriptor, times):
    data = json.dumps([round(stamp, 3) for stamp in times]).encode("utf-8")
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.ftruncate(descriptor, 0)
    written = 0
    while written < len(data):
        try:
            written += os.write(descriptor, data[written:])
        except OSError as err:
            if err.errno != errno.EINTR:
                raise
