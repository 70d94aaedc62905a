# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's modules run inside Ansible's worker process: the base of every action plugin.

Each module ``plugins/modules/<name>.py`` has an action plugin ``plugins/action/<name>.py`` of a few lines::

    from ansible_collections.fabrik.deploy.plugins.modules import cloudflare_zone
    from ansible_collections.fabrik.deploy.plugins.plugin_utils.in_process import ModuleAction

    class ActionModule(ModuleAction):
        module = cloudflare_zone

The strategy loads an action plugin's class in Ansible's parent process before it forks the task's worker,
so the module, its clients and their libraries are imported once per run (:meth:`LazyImport.preload_all
<..module_utils._common.LazyImport.preload_all>`); each task then costs a fork and the module's own work,
not an interpreter, an AnsiballZ payload and the imports.

:func:`run_in_process` does what AnsibleModule does around the module's ``run(ctx)``: it validates the
task's arguments with the module's ``SPEC`` (types, choices, defaults, env fallbacks, required_*,
mutually_exclusive, suboptions), collects the ``no_log`` values, runs the logic with check and diff mode,
and returns the result as the module would: failures of the collection's error types with the same
fields, warnings, ``invocation`` when Ansible asks for it, every ``no_log`` value masked.

In-process execution is what a module run would do only on the controller itself. The module runs the
usual way (AnsiballZ, through ``_execute_module``) when the task's connection is not ``local`` (a task
on a remote host), with ``become`` or ``async``, or when the switch says so: the variable
``fabrik_deploy_in_process`` (e.g. ``-e fabrik_deploy_in_process=false``), else the environment variable
``FABRIK_DEPLOY_IN_PROCESS`` of ``ansible-playbook`` (``0``/``false``); both default to true.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import filter_loader, lookup_loader, test_loader
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.fabrik.deploy.plugins.module_utils import _run_reads, _uptime_kuma_session
from ansible_collections.fabrik.deploy.plugins.module_utils._common import LazyImport
from ansible_collections.fabrik.deploy.plugins.module_utils._runner import Context, outcome

try:
    from ansible.utils.vars import transform_to_native_types
except ImportError:  # ansible-core 2.18: task arguments hold plain values already

    def transform_to_native_types(value, redact=True):  # pylint: disable=unused-argument
        return value

# How _execute_module reads a module's result: internal to ansible-core, hence optional (see _as_read_by_ansible).
try:
    from ansible._internal._task import UnifiedTaskResult  # ansible-core 2.21
except ImportError:
    UnifiedTaskResult = None
try:
    from ansible._internal._errors._captured import AnsibleModuleCapturedError  # ansible-core 2.19, 2.20
except ImportError:
    AnsibleModuleCapturedError = None


SWITCH_VARIABLE = "fabrik_deploy_in_process"
SWITCH_ENVIRONMENT = "FABRIK_DEPLOY_IN_PROCESS"
# Variables read as the environment variables of the same meaning while a module runs on the controller,
# in process or as a module process (the controller-wide rate limiter, the site locks and the Uptime Kuma
# token, module_utils/_limits.py).
SETTING_VARIABLES = (
    ("fabrik_deploy_state_dir", "FABRIK_DEPLOY_STATE_DIR"),
    ("fabrik_deploy_rate_limits", "FABRIK_DEPLOY_RATE_LIMITS"),
)
# One filter of each file of plugins/filter: loading one loads its file (tests/unit/plugins/plugin_utils checks
# that every file has one here).
COLLECTION_FILTERS = ("fabrik.deploy.domain_name", "fabrik.deploy.wordpress_spec", "fabrik.deploy.design_css",
                      "fabrik.deploy.featured_media")
# The lookups the collection's roles use, and ``env``, which inventories use for their secrets: each worker
# that templates one would load it and parse its documentation again (1 to 2 ms each).
WARM_LOOKUPS = ("ansible.builtin.env", "ansible.builtin.file", "ansible.builtin.fileglob", "ansible.builtin.template",
                "fabrik.deploy.cwd")
VALIDATOR_RULES = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")

display = Display()

# Imported now, in Ansible's parent process: boto3, the Socket.IO client (and whatever a module declares).
LazyImport.preload_all()
# The key of this run's kept Uptime Kuma login token, drawn here, in ansible-playbook's own process: every
# task's worker is forked from it and has the same key; no later process can read what it encrypted.
_uptime_kuma_session.new_run_key()
# The key of this run's reads handed from task to task (module_utils/_run_reads.py), drawn here for the same reason.
_run_reads.new_run()


def warm_jinja_plugins():
    """Load Ansible's own filter and test plugins, the collection's filters and the lookups of WARM_LOOKUPS now,
    in the parent: a worker that evaluates a ``when``, a filter or a lookup would otherwise load them again (about
    15 ms per task, 20 ms for each file of the collection's filters, which Ansible compiles from source)."""
    for loader in (filter_loader, test_loader):
        for _plugin in loader.all():
            pass
    for loader, names in ((filter_loader, COLLECTION_FILTERS), (lookup_loader, WARM_LOOKUPS)):
        for name in names:
            try:
                loader.get(name, class_only=loader is lookup_loader)
            except (KeyError, AnsibleError, ImportError):
                pass  # outside a run (no collection loader yet): a worker loads it when a template uses it


warm_jinja_plugins()


def freeze_for_workers():
    """Leave the objects that exist now out of garbage collection: Ansible forks a worker per task from this
    process, and a collection in a worker would visit (and so copy) most of the parent's memory."""
    gc.freeze()


freeze_for_workers()


def run_in_process(module, args, check_mode=False, diff=False, name=None, inject_invocation=True):
    """The result of the module ``module`` (its ``SPEC`` and ``run``) for the task arguments ``args``, as
    the module's own process would report it."""
    spec = module.SPEC
    validator = ArgumentSpecValidator(spec["argument_spec"], **{rule: spec.get(rule) for rule in VALIDATOR_RULES})
    validation = validator.validate(args)
    params = validation.validated_parameters
    no_log_values = set(validation._no_log_values)  # pylint: disable=protected-access
    warnings = ["Both option %s and its alias %s are set." % (item["option"], item["alias"])
                for item in validation._warnings]  # pylint: disable=protected-access
    deprecations = list(validation._deprecations)  # pylint: disable=protected-access
    if validation.error_messages:
        msg = validation.errors.msg
        if isinstance(validation.errors[0], UnsupportedError):
            msg = "Unsupported parameters for (%s) module: %s" % (name or module.__name__.rsplit(".", 1)[-1], msg)
        result = dict(failed=True, msg=msg)
    else:
        ctx = Context(params, check_mode=check_mode, diff=diff, no_log_values=no_log_values)
        result = outcome(module.run, ctx)
        warnings.extend(ctx.warnings)
    return _as_module_reports(result, params, no_log_values, warnings, deprecations, inject_invocation)


def _as_module_reports(result, params, no_log_values, warnings, deprecations, inject_invocation):
    """``result`` as AnsibleModule's exit_json/fail_json format it (no module returns a top-level ``path``
    or ``dest``, whose file attributes AnsibleModule would add)."""
    if inject_invocation:
        result.setdefault("invocation", {"module_args": params})
    if warnings:
        result["warnings"] = warnings
    if deprecations:
        result["deprecations"] = deprecations
    preserved = {key: value for key, value in result.items() if value is None or isinstance(value, bool)}
    result = remove_values(result, no_log_values)
    result.update(preserved)
    return result


def _as_read_by_ansible(result):
    """``result`` as ``_execute_module`` reads a module's, so that a failure reads "Module failed: ..." as on
    the module path. This uses ansible-core's internals; where they differ, the result stays an action's
    (a failure then reads "Action failed: ...", the registered result is the same)."""
    if UnifiedTaskResult is not None:
        return UnifiedTaskResult.from_module_result_dict(result).as_result_dict(for_round_trip=True)
    if AnsibleModuleCapturedError is not None:
        AnsibleModuleCapturedError.normalize_result_exception(result)
    return result


@contextmanager
def task_environment(environment):
    """The task's ``environment:`` in ``os.environ`` while the module runs (env fallbacks, proxies, CA
    bundles read it there, as in the module's own process)."""
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update({key: str(value) for key, value in environment.items()})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class ModuleAction(ActionBase):
    """Runs the module ``module`` (a module of plugins/modules, imported) in the worker when the task runs
    on the controller; otherwise as a module, the usual way."""

    module = None
    _supports_check_mode = True
    _supports_async = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        freeze_for_workers()  # a module's action plugin is loaded: its objects too

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        if not self.runs_in_process(task_vars):
            # A module process on the controller inherits the worker's environment: the settings too.
            local = self._connection.transport == "local"
            with task_environment(self.settings(task_vars) if local else {}):
                return merge_hash(result, self._run_module(task_vars))
        display.vvv("Running %s in the worker process (%s)" % (self._task.action, SWITCH_VARIABLE))
        environment = {}
        self._compute_environment_string(environment)
        environment.update(self.settings(task_vars))
        with task_environment(environment):
            reported = run_in_process(self.module, transform_to_native_types(self._task.args, redact=False),
                                      check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                                      name=self._task.action, inject_invocation=self._inject_invocation(task_vars))
        return merge_hash(result, _as_read_by_ansible(reported))

    def settings(self, task_vars):
        """The collection's settings given as variables (``SETTING_VARIABLES``), as environment variables."""
        found = {}
        for variable, name in SETTING_VARIABLES:
            if variable in task_vars:
                value = self._templar.template(task_vars[variable])
                if value is not None and value != "":
                    found[name] = str(value)
        return found

    def runs_in_process(self, task_vars):
        """Whether the module may run here: on the controller, as the controller's user, not asynchronously,
        and not switched off."""
        if SWITCH_VARIABLE in task_vars:
            wanted = self._templar.template(task_vars[SWITCH_VARIABLE])
        else:
            wanted = os.environ.get(SWITCH_ENVIRONMENT, "true")
        return (boolean(wanted, strict=False) and self._connection.transport == "local"
                and not self._task.async_val and not self._play_context.become)

    def _run_module(self, task_vars):
        """The module the usual way (what ansible.builtin.normal does)."""
        wrap_async = self._task.async_val and not getattr(self._connection, "has_native_async", False)
        result = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    @staticmethod
    def _inject_invocation(task_vars):
        """ansible-core 2.21 reports ``invocation`` only when asked (INJECT_INVOCATION); before, always."""
        try:
            return boolean(C.config.get_config_value("INJECT_INVOCATION", variables=task_vars), strict=False)
        except AnsibleError:
            return True
