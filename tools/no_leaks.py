"""Usage: tools/no-leaks COMMAND [ARGS...]

Runs COMMAND and fails when a process it started outlives it.

This process makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER): every process COMMAND
starts stays a descendant of it, including daemons that double-fork or start a new session (the
sandbox, MariaDB, PHP's server). Once COMMAND has exited, the rest get a few seconds to end
(FABRIK_LEAK_GRACE, default 10); whatever is still alive then is listed, terminated (SIGTERM, then
SIGKILL), and the exit status is 1 unless COMMAND failed already (its own status is kept).
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
GRACE = float(os.environ.get("FABRIK_LEAK_GRACE", "10"))


def children_by_parent():
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        if state != "Z":
            tree.setdefault(int(ppid), []).append(int(entry))
    return tree


def descendants(pid):
    tree = children_by_parent()
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def reap():
    while True:
        try:
            pid = os.waitpid(-1, os.WNOHANG)[0]
        except ChildProcessError:
            return
        if pid == 0:
            return


def command_line(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()[:300]
    except OSError:
        return "?"


def main(argv):
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("no-leaks: cannot become a child subreaper; running %s unchecked" % argv[0], file=sys.stderr)
        return subprocess.call(argv)
    command = subprocess.Popen(argv)  # pylint: disable=consider-using-with
    while True:
        try:
            status = command.wait()
            break
        except KeyboardInterrupt:
            command.send_signal(signal.SIGINT)
    me = os.getpid()
    deadline = time.monotonic() + GRACE
    while descendants(me) and time.monotonic() < deadline:
        reap()
        time.sleep(0.2)
    leaked = descendants(me)
    if not leaked:
        return status
    print("no-leaks: %d process(es) started by `%s` still alive after it ended:" % (len(leaked), " ".join(argv)),
          file=sys.stderr)
    for pid in leaked:
        print("  %d %s" % (pid, command_line(pid)), file=sys.stderr)
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid in descendants(me):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while descendants(me) and time.monotonic() < deadline:
            reap()
            time.sleep(0.2)
    reap()
    return status or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
