# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Counts what a playbook run executes, for tests/bench and the invocation-count test.

Written as JSON to ``$FABRIK_BENCH_COUNTS`` at the end of the run:

* ``tasks``: task executions that ran on a host (skipped ones are not counted; a loop counts once);
* ``module_invocations``: executions of a module, that is of anything but a controller-only action
  (``set_fact``, ``assert``, ``debug``, ...); every loop item counts;
* ``by_action``: module invocations per action name.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_counts
type: aggregate
short_description: Counts task executions and module invocations of a run (tests/bench)
description:
  - Writes the counts as JSON to E(FABRIK_BENCH_COUNTS).
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

# Actions that run on the controller only: no module is shipped or executed.
CONTROLLER_ONLY = {
    "set_fact", "assert", "debug", "fail", "validate_argument_spec", "meta", "include_tasks", "import_tasks",
    "include_role", "import_role", "include_vars", "add_host", "group_by", "set_stats", "pause", "end_play",
}


def _short(action):
    return action.rsplit(".", 1)[-1] if action.startswith("ansible.builtin.") or action.startswith("ansible.legacy.") \
        else action


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_counts"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = {"tasks": 0, "module_invocations": 0, "by_action": {}, "task_seconds": []}
        self._started = {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()

    def _count(self, result):
        task = result.task if hasattr(result, "task") else result._task
        data = result.result if hasattr(result, "task") else result._result
        action = _short(task.action)
        self.counts["tasks"] += 1
        started = self._started.get(task._uuid)
        if started is not None:
            self.counts["task_seconds"].append([task.get_name(), round(time.monotonic() - started, 3)])
        if action in CONTROLLER_ONLY:
            return
        items = data.get("results") if isinstance(data.get("results"), list) and task.loop else None
        runs = len([item for item in items if not item.get("skipped")]) if items is not None else 1
        self.counts["module_invocations"] += runs
        self.counts["by_action"][action] = self.counts["by_action"].get(action, 0) + runs

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("FABRIK_BENCH_COUNTS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self.counts, handle, indent=1, sort_keys=True)
