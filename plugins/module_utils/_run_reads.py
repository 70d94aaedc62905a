# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads handed from task to task within one ``ansible-playbook`` run.

Each task of a run is a process of its own, and several stages read the same thing: the preflight proves
the credentials with the reads the stages make again (a zone by name, a domain's details, the WordPress
user), and each task of the wordpress stage sends its reads one round after the other. A service client
that opts in (``HttpClient(reads_scope=...)``) keeps the answers of the reads its callers mark
(``request(..., cache=True)``: listings and settings, never a read that is polled for a change) for the
later tasks of the same run, which get them without a request, as long as nothing was written meanwhile:

* **any write** sent by any client of the run (a mutating request of ``_http.py``, whatever the service)
  makes every kept answer of the run stale (:func:`invalidate`): a later read goes to the service;
* an answer is kept only when it is a success (2xx) and no write was sent while it was on its way;
* ``scope`` separates credentials: the clients of one service URL with other credentials share nothing.

For the WordPress stage, whose reads go one task after the other, the client also learns which reads a run
made (``learn=True``: the paths and query parameters, no answers) and the preflight, which runs first, sends
that list of the site's last run at once (:meth:`Store.learned`, ``WordPressClient.read_ahead``): on a
rerun that changes nothing, each task of the stage finds its reads done.

The answers are kept in ``<state dir>/reads/<run>/`` (``_limits.state_dir``), encrypted (AES-GCM) with a
key that exists only in the memory of the run, as the Uptime Kuma login token (``_uptime_kuma_session``):
:func:`new_run` is called where the action plugins are imported, in ``ansible-playbook``'s own process,
so every worker forked for a task has the key and nothing after the run can read the files (removed after
a day; a site's learned reads after thirty days without a run that used them). Without the key (a module
run the usual way), without ``cryptography`` or a usable state directory nothing is kept and every read goes
to the service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import threading
import time

try:
    import fcntl
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:  # nothing kept: every read goes to the service
    AESGCM = None

from ansible_collections.fabrik.deploy.plugins.module_utils._limits import STATE_DIR_ENV, LimitError, state_dir

# Set by new_run() in ansible-playbook's process (plugins/plugin_utils/in_process.py); None elsewhere.
RUN_KEY = None
RUN_ID = None
# The process that drew the key: only the workers forked from it (the tasks) keep and take answers, not it.
RUN_PID = None
# When the run drew its key (time.time()): the site lock makes the answers kept before it stale when another run
# held the site's lock since then (plugins/action/site_lock.py).
RUN_STARTED = None
# Directories of past runs (their key is gone) are removed after this many seconds.
STALE = 24 * 3600
NONCE = 12
# The reads a site's runs learned are forgotten when no run used them for this many seconds (a site gone, or
# credentials changed: the list is kept per user and password).
LEARNED_STALE = 30 * 24 * 3600
# At most this many reads of a site's last run are sent ahead.
LEARNED_LIMIT = 64
# Headers of an answer that are not kept (the next task's client has its own session).
DROPPED_HEADERS = frozenset(("set-cookie", "content-encoding", "transfer-encoding", "content-length", "connection"))

_LOCK = threading.Lock()
# The directories this process made or found, by (state directory setting, run): made once per task.
_MADE = {}
# Writes this process sent (a write of another thread of the task makes an answer on its way stale).
_LOCAL_WRITES = [0]


def new_run():
    """Draw the run's key (called once, where the action plugins are imported)."""
    global RUN_KEY, RUN_ID, RUN_PID, RUN_STARTED  # pylint: disable=global-statement
    RUN_STARTED = time.time()
    RUN_KEY = os.urandom(32)
    RUN_ID = hashlib.sha256(RUN_KEY + b"\nrun").hexdigest()[:24]
    RUN_PID = os.getpid()
    if AESGCM is not None:
        AESGCM(RUN_KEY)  # the cipher's first use loads it (about 1 ms): once here, not in each task's worker


def enabled():
    """Whether this process keeps and takes answers: a task's worker, forked from the process of the run."""
    return RUN_KEY is not None and AESGCM is not None and os.getpid() != RUN_PID


def _run_dir(create=True):
    """This run's directory, or None when nothing can be kept (``create=False``: its path, made or not)."""
    if not enabled():
        return None
    made = _MADE.get((os.environ.get(STATE_DIR_ENV, ""), RUN_ID))
    if made is not None:
        return made
    try:
        base = os.path.join(state_dir(), "reads")
        path = os.path.join(base, RUN_ID)
        if not create:
            return path
        if not os.path.isdir(path):
            os.makedirs(path, mode=0o700, exist_ok=True)
            _remove_stale(base)
    except (LimitError, OSError):
        return None
    _MADE[(os.environ.get(STATE_DIR_ENV, ""), RUN_ID)] = path
    return path


def _learned_dir():
    """The directory of the sites' learned reads (made when missing), or None."""
    if not enabled():
        return None
    key = (os.environ.get(STATE_DIR_ENV, ""), "learned")
    if key not in _MADE:
        try:
            directory = os.path.join(state_dir(), "reads", "learned")
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except (LimitError, OSError):
            return None
        _MADE[key] = directory
    return _MADE[key]


def _remove_stale(base):
    """Remove the directories of past runs (a day old) and the learned reads no run used for LEARNED_STALE."""
    now = time.time()
    learned = os.path.join(base, "learned")
    try:
        paths = [os.path.join(base, name) for name in os.listdir(base) if name != "learned"]
        paths += [os.path.join(learned, name) for name in os.listdir(learned)] if os.path.isdir(learned) else []
    except OSError:
        return
    for path in paths:
        try:
            age = now - os.stat(path).st_mtime
            if os.path.dirname(path) == learned:
                if age > LEARNED_STALE:
                    os.unlink(path)
            elif age > STALE:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def invalidate():
    """A write is about to be sent: every answer kept by this run is stale from now on."""
    with _LOCK:
        _LOCAL_WRITES[0] += 1
    directory = _run_dir(create=False)
    if directory is None or not os.path.isdir(directory):
        return
    try:
        # The generation is the file's size: one byte more per write, appended atomically by any process.
        descriptor = os.open(os.path.join(directory, "generation"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, b"w")
        finally:
            os.close(descriptor)
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)


def store(service, base_url, scope, learn=False):
    """The :class:`Store` of this run for ``service`` at ``base_url`` with the credentials ``scope`` (hashed,
    never kept), or None when nothing can be kept."""
    if scope is None or not enabled():
        return None
    return Store(service, base_url, scope, learn)


def request_key(method, path, params=None, data=None):
    """A read as kept: method, path, query parameters and form fields in a stable order (a list value repeats
    its key)."""
    return [method.upper(), path, _pairs(params), _pairs(data)]


def _pairs(values):
    pairs = []
    items = values.items() if isinstance(values, dict) else (values or [])
    for name, value in items:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None:
                pairs.append([str(name), item if isinstance(item, str) else str(item)])  # as requests sends it
    return sorted(pairs)


class Store:
    """The answers one client of this run may reuse (see the module's docstring)."""

    def __init__(self, service, base_url, scope, learn):
        self.identity = ("%s\n%s\n%s" % (service, base_url, hashlib.sha256(str(scope).encode("utf-8")).hexdigest())
                         ).encode("utf-8")
        key = hashlib.sha256(RUN_KEY + b"\nreads\n" + self.identity).digest()
        self._aead = AESGCM(key)
        self._name_key = hashlib.sha256(key + b"\nnames").digest()
        self.learn = learn
        # The reads of a site's last run (the file outlives the run: paths and query parameters only).
        self._learned_name = hashlib.sha256(b"learned\n" + self.identity).hexdigest()[:32] if learn else None

    # -- answers

    def _path(self, key):
        directory = _run_dir()
        if directory is None:
            return None
        name = hashlib.sha256(self._name_key + json.dumps(key).encode("utf-8")).hexdigest()[:40]
        return os.path.join(directory, name + ".bin")

    @staticmethod
    def generation():
        """(writes sent by this process, writes sent by the run): an answer kept under another pair is stale."""
        directory = _run_dir(create=False)
        try:
            size = os.stat(os.path.join(directory, "generation")).st_size if directory else 0
        except OSError:
            size = 0
        return _LOCAL_WRITES[0], size

    def get(self, key):
        """The kept answer to ``key`` (a dict: status, headers, content, url, encoding), or None."""
        path = self._path(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            answer = json.loads(self._aead.decrypt(data[:NONCE], data[NONCE:], self.identity).decode("utf-8"))
        except (OSError, ValueError, InvalidTag):
            return None
        if answer.get("generation") != self.generation()[1]:
            return None
        answer["content"] = base64.b64decode(answer["content"])
        return answer

    def put(self, key, response, generation):
        """Keep a successful ``response`` read under ``generation`` (:meth:`generation` before it was sent),
        unless a write was sent meanwhile."""
        if not 200 <= response.status_code < 300 or self.generation() != generation:
            return
        path = self._path(key)
        if path is None:
            return
        answer = {
            "generation": generation[1],
            "status": response.status_code,
            "headers": {name: value for name, value in response.headers.items() if name.lower() not in DROPPED_HEADERS},
            "content": base64.b64encode(response.content or b"").decode("ascii"),
            "url": response.url,
            "encoding": response.encoding,
        }
        nonce = os.urandom(NONCE)
        data = nonce + self._aead.encrypt(nonce, json.dumps(answer).encode("utf-8"), self.identity)
        temporary = "%s.%d.%d" % (path, os.getpid(), threading.get_ident())
        try:
            with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass

    # -- the reads of the site's last run

    def _learned_path(self):
        directory = _learned_dir()
        return os.path.join(directory, self._learned_name + ".json") if directory else None

    def learned(self):
        """The GET reads (path, params) the last run made with this client's scope, when it was another run."""
        path = self._learned_path() if self.learn else None
        if path is None:
            return []
        try:
            with open(path, encoding="utf-8") as handle:
                found = json.load(handle)
        except (OSError, ValueError):
            return []
        if not isinstance(found, dict):
            return []
        # The first read this run recorded moved the last run's list to "previous".
        reads = found.get("previous") if found.get("run") == RUN_ID else found.get("reads")
        return [(key[1], key[2]) for key in reads or []
                if isinstance(key, list) and len(key) == 4 and key[0] == "GET" and not key[3]][:LEARNED_LIMIT]

    def record(self, key):
        """Note a GET read of this run (for the site's next run); the first of the run keeps the last run's list
        as ``previous`` (for :meth:`learned`). Once the run wrote, a path already noted is not noted again."""
        path = self._learned_path() if self.learn and key[0] == "GET" and not key[3] else None
        if path is None:
            return
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                found = json.loads(os.pread(descriptor, 1 << 22, 0).decode("utf-8") or "{}")
            except ValueError:
                found = {}
            found = found if isinstance(found, dict) else {}
            if found.get("run") != RUN_ID:
                found = {"run": RUN_ID, "reads": [], "previous": found.get("reads") or []}
            reads = found.get("reads") if isinstance(found.get("reads"), list) else []
            if key in reads or len(reads) >= LEARNED_LIMIT:
                return
            # After a write, only the first read of a path: the others check what this run just wrote (a page
            # read again after its creation, say), which a run that changes nothing does not read.
            if self.generation() != (0, 0) and any(entry[1] == key[1] for entry in reads if isinstance(entry, list)):
                return
            data = json.dumps(dict(found, reads=reads + [key])).encode("utf-8")
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, data, 0)
        except OSError:
            pass
        finally:
            os.close(descriptor)
