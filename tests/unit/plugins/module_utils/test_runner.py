"""_runner: the one error path and exit path of a module's logic, and its AnsibleModule launcher."""

import json

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

TOKEN = "sandbox-secret-token"
SPEC = dict(argument_spec=dict(token=dict(type="str", no_log=True), name=dict(type="str")), supports_check_mode=True)


def api_error():
    return ApiError("Cloudflare", "create zone", "POST", "/zones?page=1", status=400,
                    message="1061 example.com already exists")


def raising(error):
    def run(_ctx):
        raise error
    return run


# --- outcome() ------------------------------------------------------------------------------------


def test_outcome_is_the_result_with_the_diff_only_in_diff_mode():
    def run(ctx):
        return dict(changed=True, check=ctx.check_mode, diff=dict(before={}, after={"a": 1}))

    assert runner.outcome(run, runner.Context({}, check_mode=True)) == dict(changed=True, check=True)
    assert runner.outcome(run, runner.Context({}, diff=True))["diff"] == dict(before={}, after={"a": 1})


def test_outcome_turns_an_api_error_into_a_failure_with_its_fields():
    result = runner.outcome(raising(api_error()), runner.Context({}))

    assert result["failed"] is True
    assert result["msg"] == "Cloudflare: create zone failed: POST /zones -> HTTP 400: 1061 example.com already exists"
    assert (result["service"], result["operation"], result["status"]) == ("Cloudflare", "create zone", 400)
    assert (result["method"], result["path"], result["maybe_applied"]) == ("POST", "/zones", False)


def test_outcome_turns_a_spec_error_into_a_failure_naming_the_field():
    result = runner.outcome(raising(SpecError("records[2].ttl", "1 (automatic) or 60..86400 expected, got 5")),
                            runner.Context({}))

    assert result == dict(failed=True, msg="records[2].ttl: 1 (automatic) or 60..86400 expected, got 5",
                          field="records[2].ttl")


def test_outcome_turns_a_failure_into_its_message_and_fields_diff_included():
    result = runner.outcome(raising(Failure("refused", changed=True, diff={"before": 1})), runner.Context({}))

    assert result == dict(failed=True, msg="refused", changed=True, diff={"before": 1})


def test_outcome_lets_programming_errors_surface():
    with pytest.raises(KeyError):
        runner.outcome(lambda ctx: {}["missing"], runner.Context({}))


def test_context_collects_warnings_and_shares_the_no_log_set():
    secrets = {"a"}
    ctx = runner.Context({"x": 1}, no_log_values=secrets)
    ctx.warn("careful")
    ctx.no_log_values.add("b")

    assert ctx.warnings == ["careful"]
    assert secrets == {"a", "b"}


# --- main(): the AnsibleModule launcher -----------------------------------------------------------


def module_result(run, capsys, check_mode=False, diff=False, **args):
    """``runner.main`` of ``run`` under a real AnsibleModule: (exit code, JSON result)."""
    with patch_module_args(dict(dict(token=TOKEN), _ansible_check_mode=check_mode, _ansible_diff=diff, **args)):
        with pytest.raises(SystemExit) as exited:
            runner.main(AnsibleModule(**SPEC), run)
    return exited.value.code, json.loads(capsys.readouterr().out)


def test_main_exits_with_the_outcome_and_the_warnings(capsys, monkeypatch):
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda _module, warning: warned.append(warning))

    def run(ctx):
        ctx.warn("zone missing")
        return dict(changed=True, name=ctx.params["name"], check=ctx.check_mode, diff=dict(before=1, after=2))

    code, result = module_result(run, capsys, check_mode=True, name="site")

    assert code == 0
    assert (result["changed"], result["name"], result["check"], "diff" in result) == (True, "site", True, False)
    assert warned == ["zone missing"]


def test_main_fails_with_the_outcome_of_an_error(capsys):
    code, result = module_result(raising(api_error()), capsys)

    assert code == 1
    assert result["failed"] is True and result["status"] == 400
    assert "Traceback" not in result["msg"]


def test_main_masks_no_log_values_and_the_secrets_a_module_adds(capsys):
    def run(ctx):
        ctx.no_log_values.add("read-secret-value")
        return dict(changed=False, echo="token %s, read read-secret-value" % ctx.params["token"])

    code, result = module_result(run, capsys)

    assert code == 0
    assert result["echo"] == "token ********, read ********"
