# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Uptime Kuma login per run: the login token shared by the tasks of one ``ansible-playbook`` run.

Uptime Kuma allows 20 password logins a minute for the whole instance ("Too frequently, try again later."),
and every task of the monitoring stage is a process of its own; a fleet run would log in three times per
site. The first task of a run that logs in with the password keeps the server's login token (a JWT) for the
next ones, which log in with it (``loginByToken``, not limited) on their own connection.

The token is kept in ``<state dir>/sessions/`` (``_limits.state_dir``), encrypted (AES-GCM) with a key that
exists only in the memory of the run: :data:`RUN_KEY` is drawn when the action plugins are imported in
``ansible-playbook``'s own process, so every worker forked for a task has it, and nothing after the run can
read the file. Without the key (a module run the usual way, on a remote host) or without ``cryptography``
nothing is kept: each task logs in with the password, through the login limiter.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time

try:
    import fcntl
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:  # no cache: a login per task
    AESGCM = None

from ansible_collections.fabrik.deploy.plugins.module_utils._limits import LimitError, state_dir

# Set by plugins/plugin_utils/in_process.py in ansible-playbook's process; None elsewhere (no cache).
RUN_KEY = None
# Files of past runs (their key is gone) are removed after this many seconds.
STALE = 24 * 3600
NONCE = 12


def new_run_key():
    """Draw the run's key (called once, where the action plugins are imported)."""
    global RUN_KEY  # pylint: disable=global-statement
    RUN_KEY = os.urandom(32)


def token_cache(url, username, password):
    """The :class:`TokenCache` of this run for ``username`` with ``password`` on ``url``, or None when none can be
    kept. The password is part of the cache's identity (hashed into its key, never stored): a task with another
    password, right or wrong, never logs in with a token that the right one earned."""
    if RUN_KEY is None or AESGCM is None or not username:
        return None
    try:
        directory = os.path.join(state_dir(), "sessions")
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except (LimitError, OSError):
        return None
    return TokenCache(directory, url, username, password)


class TokenCache:
    """The login token of one user of one Uptime Kuma for this run, in a file only this run can read."""

    def __init__(self, directory, url, username, password):
        secret = hashlib.sha256(("%s" % (password or "")).encode("utf-8")).hexdigest()
        self.identity = ("%s\n%s\n%s" % (url, username, secret)).encode("utf-8")
        key = hashlib.sha256(RUN_KEY + b"\nuptime-kuma-token\n" + self.identity).digest()
        self._aead = AESGCM(key)
        name = hashlib.sha256(key + b"\nname").hexdigest()[:32]
        self.path = os.path.join(directory, "uptime-kuma-%s.bin" % name)
        self.directory = directory

    @contextlib.contextmanager
    def locked(self):
        """Hold the file exclusively: the tasks that start together wait for the first one's login."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield _Handle(self, descriptor)
        finally:
            os.close(descriptor)
        self._remove_stale()

    def _remove_stale(self):
        now = time.time()
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            path = os.path.join(self.directory, name)
            try:
                if now - os.stat(path).st_mtime > STALE:
                    os.unlink(path)
            except OSError:
                pass


class _Handle:
    def __init__(self, cache, descriptor):
        self.cache = cache
        self.descriptor = descriptor

    def read(self):
        """The token kept by an earlier task of this run, or None."""
        data = os.pread(self.descriptor, 65536, 0)
        if len(data) <= NONCE:
            return None
        try:
            return self.cache._aead.decrypt(data[:NONCE], data[NONCE:], self.cache.identity).decode("utf-8")
        except (InvalidTag, ValueError):
            return None

    def write(self, token):
        nonce = os.urandom(NONCE)
        data = nonce + self.cache._aead.encrypt(nonce, token.encode("utf-8"), self.cache.identity)
        os.ftruncate(self.descriptor, 0)
        os.pwrite(self.descriptor, data, 0)

    def forget(self):
        os.ftruncate(self.descriptor, 0)
