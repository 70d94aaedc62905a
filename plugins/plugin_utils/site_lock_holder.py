# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The process that holds a site's lock for a whole ``ansible-playbook`` run (see ``plugins/action/site_lock.py``).

Each task of a run is a worker process that ends with the task, so the lock cannot live in one: the
action starts this script (the standard library only, in a session of its own) as
``python site_lock_holder.py LOCK_FILE RUN_PID INFO``. It takes ``fcntl.flock`` on the file, writes ``INFO``
(who holds it, as JSON) into it, answers ``locked`` on its standard output, then waits for the process
``RUN_PID`` (``ansible-playbook``) to end and exits: the kernel releases the lock whenever this process
ends, however the run ends (a crash and ``kill -9`` included). While another run holds the lock it answers
``busy`` once and keeps trying; it gives up when its standard input closes (the action's timeout). The file's
modification time is set when it takes the lock (INFO) and again when the run ends.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import sys
import time

POLL = 0.2
RUN_CHECK = 1.0


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_for_exit(pid):
    """Return once the process ``pid`` has ended (a pidfd where the system has them, else polling)."""
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
        return
    while _alive(pid):
        time.sleep(RUN_CHECK)


def _asked_to_stop(stream):
    """Whether the action closed our standard input (it gave up waiting)."""
    ready, _w, _x = select.select([stream], [], [], 0)
    return bool(ready) and not os.read(stream.fileno(), 1)


def _say(text):
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        pass


def main(argv):
    path, run_pid, info = argv[1], int(argv[2]), argv[3]
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of the run ends the run, which releases the lock
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    told = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            pass
        if not told:
            _say("busy")
            told = True
        if _asked_to_stop(sys.stdin) or not _alive(run_pid):
            return 1
        time.sleep(POLL)
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(dict(json.loads(info), holder_pid=os.getpid())).encode("utf-8"), 0)
    _say("locked")
    # Nothing more to say: let the action's worker end without waiting for this process.
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    _wait_for_exit(run_pid)
    # The file's time says when a run last held the lock: a run that began meanwhile takes nothing it read
    # before its own lock (module_utils/_run_reads.py, plugins/action/site_lock.py).
    os.utime(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
