# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records what each host's tasks did, for tests that run several sites in one ansible-playbook run.

Written as JSON to ``$FABRIK_TASK_RESULTS`` at the end of the run: ``{host: [{task, status, msg}]}`` in the
order the results came, ``status`` one of ok, changed, failed, skipped, unreachable.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: task_results
type: aggregate
short_description: Per-host task results of a run as JSON (integration tests)
description:
  - Writes every task result (task name, status, message) per host to E(FABRIK_TASK_RESULTS).
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = {}

    def _record(self, result, status):
        task = result.task if hasattr(result, "task") else result._task
        data = result.result if hasattr(result, "task") else result._result
        host = result.host.get_name() if hasattr(result, "host") else result._host.get_name()
        if status == "ok" and data.get("changed"):
            status = "changed"
        self.results.setdefault(host, []).append({"task": task.get_name(), "status": status,
                                                  "msg": str(data.get("msg", ""))})

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["FABRIK_TASK_RESULTS"], "w", encoding="utf-8") as handle:
            json.dump(self.results, handle, indent=1)
