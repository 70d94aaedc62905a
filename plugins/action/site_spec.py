# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabrik.deploy.site_spec in Ansible's worker process (see plugins/plugin_utils/in_process.py).

Unlike the other modules' action plugins it also gathers the module's input from the host's variables:
every variable of the selected stages' roles (their ``meta/argument_specs.yml``), the connection variables
of their services and the site's directories, each templated on its own, so that one variable that cannot
be templated (a string concatenated to a list, an undefined name) is reported as a problem of that variable
among the others instead of stopping the task.
"""

from __future__ import annotations

from pathlib import Path

from ansible.errors import AnsibleError

from ansible_collections.fabrik.deploy.plugins.lookup.stage_argument_spec import argument_spec_options
from ansible_collections.fabrik.deploy.plugins.module_utils import _preflight

# What the preflight imports on its first use, imported here, in Ansible's parent process: the stages'
# validators and the clients that prove the credentials, with their libraries (boto3, the Socket.IO client).
# Imported in the preflight's worker instead, they cost it about 0.2 s of CPU on every run, 0.1 s of it before
# its first request.
from ansible_collections.fabrik.deploy.plugins.module_utils import (  # pylint: disable=unused-import
    _cloudflare, _coolify, _namecheap, _preflight_credentials, _preflight_stages, _r2, _r2_buckets, _uptime_kuma,
    _wordpress,
)
from ansible_collections.fabrik.deploy.plugins.modules import site_spec
from ansible_collections.fabrik.deploy.plugins.plugin_utils.in_process import ModuleAction

# plugins/action/<this file> -> the collection's root
COLLECTION_DIR = Path(__file__).resolve().parents[2]


class ActionModule(ModuleAction):
    module = site_spec

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        args = dict(self._task.args)
        stages = _preflight.selected(args.get("stages") or ["all"])
        args.setdefault("collection_dir", str(COLLECTION_DIR))
        if args.get("argument_specs") is None:
            args["argument_specs"] = {stage: argument_spec_options(*_preflight.STAGE_ROLES[stage]) for stage in stages}
        if args.get("variables") is None:
            args["variables"], args["template_errors"] = self.site_variables(stages, args["argument_specs"], task_vars)
        self._task.args = args
        return super().run(tmp, task_vars)

    def site_variables(self, stages, argument_specs, task_vars):
        """({name: templated value}, {name: templating error}) of the variables the preflight reads."""
        values, errors = {}, {}
        for name in _preflight.variable_names(stages, argument_specs):
            if name not in task_vars:
                continue
            try:
                values[name] = self._templar.template(task_vars[name])
            except AnsibleError as err:
                errors[name] = getattr(err, "message", None) or str(err)
        return values, errors
