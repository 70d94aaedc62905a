# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: summary
type: aggregate
short_description: Per site and per stage summary of what changed, or would change in check mode
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - "At the end of a run, prints for every host (a site) and every stage of C(site.yml) (C(domain), C(dns),
    C(gate), C(app), C(verify), C(wordpress), C(monitoring), C(storage)) how many tasks changed, or in check
    mode would change, with the names of those tasks, and one total line such as
    C(plan: 3 changes in 2 stages (check mode: nothing was written))."
  - A task's stage is the stage tag it carries (C(site.yml) tags each stage's import), else its role's name;
    tasks tagged C(always) (the spec validations that run before every stage) are counted under C(preflight),
    tasks of no stage under C(other).
  - Failed and unreachable tasks are listed too, so a partial run says where it stopped.
  - Optionally writes the same summary as JSON to a file.
requirements:
  - enable the callback, for example C(callbacks_enabled = fabrik.deploy.summary) in the C([defaults]) section
    of C(ansible.cfg), or E(ANSIBLE_CALLBACKS_ENABLED=fabrik.deploy.summary).
options:
  json_path:
    description:
      - File the summary is written to as JSON (created or replaced). Not written when unset.
    type: path
    env:
      - name: FABRIK_SUMMARY_JSON
    ini:
      - section: callback_fabrik_summary
        key: json_path
notes:
  - Only task names are shown, never task arguments or results, so nothing secret can appear.
"""

import json

from ansible import context
from ansible.plugins.callback import CallbackBase

STAGES = ("domain", "dns", "gate", "app", "verify", "wordpress", "monitoring", "storage")
PREFLIGHT = "preflight"
OTHER = "other"


def _parts(result):
    """(host name, task, result dict) of a task result on ansible-core 2.19 and later."""
    if hasattr(result, "task"):
        return result.host.get_name(), result.task, result.result
    return result._host.get_name(), result._task, result._result


def stage_of(task):
    """The site.yml stage of a task: ``preflight`` when tagged always, its stage tag, its role's name, or ``other``."""
    tags = task.tags or []
    if "always" in tags:
        return PREFLIGHT
    for tag in tags:
        if tag in STAGES:
            return tag
    role = getattr(task, "_role", None)
    if role is not None:
        name = role.get_name(include_role_fqcn=False)
        if name in STAGES:
            return name
    return OTHER


def _stage_order(stage):
    """Preflight first, then the stages in site.yml's order, then the rest."""
    if stage == PREFLIGHT:
        return -1
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


class Summary:
    """What happened per host and stage: counts of tasks run and the names of changed and failed ones."""

    def __init__(self, check_mode):
        self.check_mode = check_mode
        self.hosts = {}

    def record(self, host, task, outcome):
        stages = self.hosts.setdefault(host, {})
        entry = stages.setdefault(stage_of(task), {"tasks": 0, "changed": [], "failed": []})
        entry["tasks"] += 1
        if outcome in ("changed", "failed"):
            entry[outcome].append(task.name or task.action)

    def changes(self):
        return sum(len(entry["changed"]) for stages in self.hosts.values() for entry in stages.values())

    def changed_stages(self):
        return sorted({stage for stages in self.hosts.values() for stage, entry in stages.items() if entry["changed"]},
                      key=_stage_order)

    def total_line(self):
        changes, stages = self.changes(), len(self.changed_stages())
        text = "%d change%s in %d stage%s" % (changes, "" if changes == 1 else "s", stages, "" if stages == 1 else "s")
        if self.check_mode:
            return "plan: %s (check mode: nothing was written)" % text
        return "run: %s" % text

    def lines(self):
        verb = "would change" if self.check_mode else "changed"
        lines = []
        for host in sorted(self.hosts):
            lines.append("%s:" % host)
            for stage in sorted(self.hosts[host], key=_stage_order):
                entry = self.hosts[host][stage]
                lines.append("  %-11s %d %s (%d task%s)" % (
                    stage, len(entry["changed"]), verb, entry["tasks"], "" if entry["tasks"] == 1 else "s"))
                lines.extend("      ~ %s" % name for name in entry["changed"])
                lines.extend("      ! failed: %s" % name for name in entry["failed"])
        lines.append(self.total_line())
        return lines

    def as_dict(self):
        return {
            "check_mode": self.check_mode,
            "changes": self.changes(),
            "changed_stages": self.changed_stages(),
            "summary": self.total_line(),
            "hosts": {
                host: {
                    "changes": sum(len(entry["changed"]) for entry in stages.values()),
                    "stages": {
                        stage: {"tasks": entry["tasks"], "changed": len(entry["changed"]),
                                "changed_tasks": entry["changed"], "failed_tasks": entry["failed"]}
                        for stage, entry in sorted(stages.items(), key=lambda item: _stage_order(item[0]))
                    },
                }
                for host, stages in sorted(self.hosts.items())
            },
        }


class CallbackModule(CallbackBase):
    """Prints the per-site, per-stage change summary at the end of a playbook run."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "fabrik.deploy.summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.summary = Summary(check_mode=False)

    def v2_playbook_on_start(self, playbook):
        self.summary = Summary(check_mode=bool(context.CLIARGS.get("check", False)))

    def _record(self, result, outcome):
        host, task, payload = _parts(result)
        if outcome == "ok" and payload.get("changed"):
            outcome = "changed"
        self.summary.record(host, task, outcome)

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ok" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        self._display.banner("FABRIK SUMMARY")
        for line in self.summary.lines():
            self._display.display(line)
        path = self.get_option("json_path")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self.summary.as_dict(), handle, indent=2)
                handle.write("\n")
