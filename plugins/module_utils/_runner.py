# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a module's logic runs, whichever launcher starts it.

A module is a function ``run(ctx) -> result`` of a :class:`Context` (the validated parameters, check mode,
diff mode, warnings and the secrets to mask), with no dependency on AnsibleModule. It fails by raising
:class:`~._common.Failure`, :class:`~._common.SpecError` (invalid input) or :class:`~._http.ApiError` (a
service's error); :func:`outcome` turns the function's return or exception into the one result both
launchers report:

* :func:`main` runs it under AnsibleModule (the module's ``main()``, on any host);
* ``plugins/plugin_utils/in_process.py`` runs it inside Ansible's worker process on the controller.
"""

from __future__ import annotations

from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError


class Context:
    """What a module's logic sees of its run.

    ``params``: the validated parameters (defaults and fallbacks applied); ``check_mode`` and ``diff``: the
    modes asked for; ``warn(message)`` adds a warning to the result; ``no_log_values``: the values masked
    in the result (the ``no_log`` options' values; add a secret the module learns, e.g. a read variable).
    """

    def __init__(self, params, check_mode=False, diff=False, no_log_values=None):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.warnings = []
        self.no_log_values = set() if no_log_values is None else no_log_values

    def warn(self, message):
        self.warnings.append(message)


def outcome(run, ctx):
    """The result of ``run(ctx)``: on success its dict (``diff`` kept only in diff mode), on a failure of the
    collection's kinds ``failed=True`` with ``msg`` and the error's fields. Anything else is a bug and
    propagates (each launcher reports it as Ansible does an unexpected exception)."""
    try:
        result = run(ctx)
    except Failure as err:
        return dict(err.fields, failed=True, msg=err.msg)
    except SpecError as err:
        return dict(failed=True, msg=str(err), field=err.field)
    except ApiError as err:
        return dict(err.details(), failed=True, msg=str(err))
    if not ctx.diff:
        result.pop("diff", None)
    return result


def main(module, run):
    """Run ``run`` under ``module`` (an AnsibleModule built from the module's ``SPEC``) and exit with its
    outcome: the launcher of a module's ``main()``."""
    ctx = Context(module.params, check_mode=module.check_mode, diff=module._diff, no_log_values=module.no_log_values)
    result = outcome(run, ctx)
    for warning in ctx.warnings:
        module.warn(warning)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
