# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabrik.deploy.site_lock: one run at a time per site on this controller (documented in plugins/modules/site_lock.py).

The lock is ``fcntl.flock`` on ``<state dir>/locks/<site>.lock``, held by a small process started here
(``plugins/plugin_utils/site_lock_holder.py``) until ``ansible-playbook`` ends: the task's own worker
process ends with the task. A run that already holds the lock (an earlier task, another play) takes it
again at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.fabrik.deploy.plugins.module_utils import _run_reads
from ansible_collections.fabrik.deploy.plugins.module_utils._limits import LimitError, state_dir
from ansible_collections.fabrik.deploy.plugins.modules import site_lock
from ansible_collections.fabrik.deploy.plugins.plugin_utils import site_lock_holder
from ansible_collections.fabrik.deploy.plugins.plugin_utils.in_process import (
    SETTING_VARIABLES,
    ModuleAction,
    task_environment,
)

display = Display()

SAFE_NAME = re.compile(r"^[a-z0-9._-]+$")


def canonical(name):
    """The site's identity as everything else names it: trimmed, lower-case, without a trailing dot."""
    return str(name or "").strip().rstrip(".").lower()


def lock_file(directory, site):
    """``<directory>/<site>.lock``; a name with other characters than a domain's is hex-encoded."""
    base = site if SAFE_NAME.match(site) and not site.startswith(".") else "x-" + site.encode("utf-8").hex()
    return os.path.join(directory, base + ".lock")


def read_holder(path):
    """Who holds the lock (the JSON its holder wrote), {} when unknown."""
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def held_by_someone(path):
    """Whether a process holds the lock now (tried without waiting, released at once)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def _last_held(path):
    """When a run last took or released the lock (the file's time, see site_lock_holder.py); 0 for never."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0


def describe(holder):
    if not holder:
        return "another run"
    return "ansible-playbook pid %s on %s (inventory host %s, since %s)" % (
        holder.get("run_pid", "?"), holder.get("controller", "?"), holder.get("host", "?"), holder.get("since", "?"))


class ActionModule(ModuleAction):
    """Takes the site's lock for the rest of this ansible-playbook run (waiting up to ``timeout`` seconds), always
    on the controller: the module's own ``run`` only refuses (a lock elsewhere would protect nothing)."""

    module = site_lock
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ModuleAction, self).run(tmp, task_vars)  # pylint: disable=bad-super-call
        display.vvv("Running %s in the worker process (the lock is the controller's)" % self._task.action)
        validation = ArgumentSpecValidator(site_lock.SPEC["argument_spec"]).validate(self._task.args)
        if validation.error_messages:
            return dict(result, failed=True, msg=validation.errors.msg)
        params = validation.validated_parameters
        site = canonical(params["name"])
        if not site:
            return dict(result, failed=True, msg="name: the site's identity (site_domain) expected, got nothing")
        if params["timeout"] < 0:
            return dict(result, failed=True, msg="timeout: seconds >= 0 expected, got %d" % params["timeout"])
        if self._task.check_mode:
            return dict(result, changed=False, skipped=True, site=site,
                        msg="check mode takes no lock: the plan is read-only")
        settings = {name: str(self._templar.template(task_vars[variable]))
                    for variable, name in SETTING_VARIABLES if task_vars.get(variable) not in (None, "")}
        try:
            with task_environment(settings):
                directory = os.path.join(state_dir(), "locks")
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except (LimitError, OSError) as err:
            return dict(result, failed=True, msg="site lock: %s" % err)
        host = task_vars.get("inventory_hostname", "?")
        outcome = self.take(lock_file(directory, site), site, host, params["timeout"])
        return dict(result, site=site, lock_file=lock_file(directory, site), **outcome)

    def take(self, path, site, host, timeout):
        run_pid = os.getppid()  # the worker's parent: ansible-playbook
        if held_by_someone(path):
            holder = read_holder(path)
            if holder.get("run_pid") == run_pid and holder.get("controller") == socket.gethostname():
                if holder.get("host") not in (None, host):
                    return dict(failed=True, msg="site %s is deployed by two hosts of this inventory, %s and %s: "
                                                 "give each site one inventory host" % (site, holder["host"], host))
                return dict(changed=False, waited=0, msg="site %s: this run holds the lock already" % site)
        info = json.dumps({"site": site, "run_pid": run_pid, "controller": socket.gethostname(), "host": host,
                           "since": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
        started = time.monotonic()
        last_held = _last_held(path)
        # pylint: disable-next=consider-using-with
        holder = subprocess.Popen([sys.executable, site_lock_holder.__file__, path, str(run_pid), info],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  close_fds=True, start_new_session=True, cwd="/")
        announced = False
        while True:
            left = timeout - (time.monotonic() - started)
            ready, _w, _x = select.select([holder.stdout], [], [], max(0.0, left))
            line = holder.stdout.readline().decode("utf-8", "replace").strip() if ready else None
            if line == "locked":
                if announced or last_held >= (_run_reads.RUN_STARTED or 0):
                    # Another run held the site since this run began, and may have changed it: what this run's
                    # earlier tasks (the preflight) read is read again.
                    _run_reads.invalidate()
                waited = round(time.monotonic() - started, 1)
                holder.stdout.close()
                holder.stdin.close()
                return dict(changed=False, waited=waited, msg="site %s locked for this run%s" % (
                    site, " after waiting %s s" % waited if announced else ""))
            if line == "busy":
                if not announced:
                    display.display("fabrik.deploy.site_lock: site %s is being deployed by %s; waiting up to %d s "
                                    "for that run to end (%s)" % (site, describe(read_holder(path)), timeout, path))
                    announced = True
                continue
            if ready and line == "":  # the holder ended without the lock (the run it watches is gone)
                holder.wait()
                return dict(failed=True, msg="site %s: the lock holder ended before it had the lock" % site)
            if left <= 0 or not ready:
                who = describe(read_holder(path))
                holder.stdin.close()  # tells the holder to give up
                try:
                    holder.wait(5)
                except subprocess.TimeoutExpired:
                    holder.kill()
                    holder.wait()
                return dict(failed=True, msg="site %s is locked by %s: gave up after %d s (site_lock timeout, "
                                             "fabrik_deploy_lock_timeout). The lock is released when that run "
                                             "ends; its file is %s" % (site, who, timeout, path))
