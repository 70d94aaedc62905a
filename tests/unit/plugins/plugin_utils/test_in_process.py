"""plugin_utils/in_process.py: a module run in Ansible's worker reports what its own process would.

Each case runs one module logic twice, through a real AnsibleModule (the module path, its JSON output
parsed) and through ``run_in_process`` (the action plugin's path), and compares the results: argument
validation (types, choices, defaults, env fallbacks, aliases, required_*, mutually_exclusive, suboptions),
``no_log`` masking (nested suboptions, a value the module adds), failures of each error type, warnings,
check and diff mode, ``invocation``.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from ansible.module_utils.common.parameters import PASS_VARS, remove_values

from ansible_collections.fabrik.deploy.plugins.plugin_utils import in_process
from ansible_collections.fabrik.deploy.plugins.plugin_utils.in_process import ModuleAction, run_in_process

from tests.unit.plugins.plugin_utils import example_module as example
from tests.unit.plugins.plugin_utils.example_module import ENV_TOKEN, PASSWORD, READ_SECRET, TOKEN

REPO = Path(__file__).resolve().parents[4]
INJECTS_INVOCATION = "inject_invocation" in PASS_VARS  # ansible-core 2.21: invocation only when asked


@pytest.fixture(scope="module")
def module_results():
    """Every case through AnsibleModule, in a Python of its own as a module runs (ansible's controller code,
    loaded here, would take the warnings): case -> the printed result."""
    cases = {name: dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_module_name=example.NAME,
                        **({"_ansible_inject_invocation": True} if INJECTS_INVOCATION else {}))
             for name, (args, check_mode, diff) in CASES.items()}
    script = textwrap.dedent("""
        import io, json, sys
        from ansible.module_utils.basic import AnsibleModule
        from ansible.module_utils.common import warnings
        from ansible.module_utils.testing import patch_module_args
        from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
        sys.path.insert(0, sys.argv[1])
        import example_module as example
        results, stdout = {}, sys.stdout
        for name, args in json.load(sys.stdin).items():
            warnings._global_warnings.clear()
            warnings._global_deprecations.clear()
            sys.stdout = io.StringIO()
            with patch_module_args(args):
                try:
                    runner.main(AnsibleModule(**example.SPEC), example.run)
                except SystemExit:
                    pass
            results[name] = json.loads(sys.stdout.getvalue())
        sys.stdout = stdout
        print(json.dumps(results))
    """)
    # The child imports what this process imports (from a checkout, or ansible-test's copy of the collection).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path),
               FABRIK_EXAMPLE_TOKEN=example.ENV_TOKEN)
    completed = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)], input=json.dumps(cases),
                               capture_output=True, text=True, check=True, env=env)
    return json.loads(completed.stdout)


def comparable(result):
    """Warnings and deprecations as texts (the module path serialises them as structures), no_log values
    masked (AnsibleModule leaves them in warnings; the in-process path masks them there too)."""
    result = dict(result)
    for key in ("warnings", "deprecations"):
        if key in result:
            texts = [item["event"]["msg"] if isinstance(item, dict) and "event" in item
                     else item.get("msg") if isinstance(item, dict) else item for item in result[key]]
            result[key] = remove_values(texts, {TOKEN, ENV_TOKEN, PASSWORD})
    return result


CASES = {
    "converge": (dict(url="https://x.test", token=TOKEN, users=[{"name": "ann", "password": PASSWORD}]), False, True),
    "check mode without diff": (dict(url="https://x.test", token=TOKEN, count="7"), True, False),
    "env fallback": (dict(url="https://x.test"), False, False),
    "alias and defaults in suboptions": (dict(url="https://x.test", users=[{"login": "bob"}]), False, False),
    "alias and its option both set": (dict(url="https://x.test", users=[{"login": "bob", "name": "bob"}]), False, False),
    "bad type": (dict(url="https://x.test", count="many"), False, False),
    "bad choice": (dict(url="https://x.test", mode="lenient"), False, False),
    "missing required": (dict(token=TOKEN), False, False),
    "missing required suboption": (dict(url="https://x.test", users=[{"password": PASSWORD}]), False, False),
    "mutually exclusive": (dict(url="https://x.test", first="a", second="b"), False, False),
    "required if": (dict(url="https://x.test", mode="strict"), False, False),
    "required by": (dict(url="https://x.test", src="/tmp/a"), False, False),
    "unsupported option": (dict(url="https://x.test", colour="red", token=TOKEN), False, False),
    "unsupported suboption": (dict(url="https://x.test", users=[{"name": "a", "colour": "red"}]), False, False),
    "spec error": (dict(url="https://x.test", fail="spec"), False, True),
    "api error": (dict(url="https://x.test", token=TOKEN, fail="api"), False, False),
    "failure with fields": (dict(url="https://x.test", token=TOKEN, fail="failure"), False, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_in_process_reports_what_the_module_reports(case, module_results, monkeypatch, capfd):
    monkeypatch.setenv("FABRIK_EXAMPLE_TOKEN", ENV_TOKEN)
    args, check_mode, diff = CASES[case]
    expected = comparable(module_results[case])

    reported = run_in_process(example, args, check_mode=check_mode, diff=diff, name=example.NAME,
                              inject_invocation=True)

    # A suboption's alias warning comes from Ansible's validation code, which in the controller hands it to
    # Ansible's display (in a task, the task's warnings) instead of the module's result.
    displayed = [warning for warning in expected.get("warnings", []) if warning.startswith("Both option users[0]")]
    if displayed:
        expected["warnings"] = [warning for warning in expected["warnings"] if warning not in displayed]
        assert all(warning in capfd.readouterr().err for warning in displayed)
    assert comparable(reported) == expected
    text = json.dumps(reported)
    for secret in (TOKEN, ENV_TOKEN, PASSWORD, READ_SECRET):
        assert secret not in text


def test_the_cases_cover_success_failure_and_masking(monkeypatch):
    monkeypatch.setenv("FABRIK_EXAMPLE_TOKEN", ENV_TOKEN)
    converged = run_in_process(example, CASES["converge"][0], diff=True, name=example.NAME)
    assert converged["changed"] is True and converged["flag"] is True and converged["nothing"] is None
    assert converged["seen"] == "read ********, passwords ['********']"
    assert converged["params"]["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert converged["warnings"] == ["planning 1 users with token ********"]
    assert converged["diff"] == {"before": {"count": 0}, "after": {"count": 3}}
    assert converged["invocation"]["module_args"]["users"][0]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

    fallback = run_in_process(example, CASES["env fallback"][0], name=example.NAME, inject_invocation=False)
    assert "invocation" not in fallback and "diff" not in fallback
    assert fallback["params"]["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

    unsupported = run_in_process(example, CASES["unsupported option"][0], name=example.NAME)
    assert unsupported["failed"] is True
    assert unsupported["msg"].startswith("Unsupported parameters for (fabrik.deploy.example) module: colour.")

    failure = run_in_process(example, CASES["failure with fields"][0], name=example.NAME)
    assert (failure["failed"], failure["changed"], failure["msg"]) == (True, True, "refused: token ********")


def test_a_bug_in_a_module_is_raised_not_reported():
    def broken(_ctx):
        return {}["missing"]

    module = ModuleType("broken")
    module.SPEC, module.run = dict(argument_spec={}), broken
    with pytest.raises(KeyError):
        run_in_process(module, {})


def test_the_task_environment_is_set_while_the_module_runs(monkeypatch):
    monkeypatch.setenv("FABRIK_EXAMPLE_KEPT", "before")
    monkeypatch.delenv("FABRIK_EXAMPLE_TOKEN", raising=False)
    with in_process.task_environment({"FABRIK_EXAMPLE_TOKEN": "from-the-task", "FABRIK_EXAMPLE_KEPT": 1}):
        result = run_in_process(example, dict(url="https://x.test"))
        assert os.environ["FABRIK_EXAMPLE_KEPT"] == "1"
    assert result["params"]["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert "FABRIK_EXAMPLE_TOKEN" not in os.environ
    assert os.environ["FABRIK_EXAMPLE_KEPT"] == "before"


def action(transport="local", async_val=0, become=False):
    plugin = ModuleAction.__new__(ModuleAction)
    plugin._connection = SimpleNamespace(transport=transport)
    plugin._task = SimpleNamespace(async_val=async_val)
    plugin._play_context = SimpleNamespace(become=become)
    plugin._templar = SimpleNamespace(template=lambda value: value)
    return plugin


@pytest.mark.parametrize("plugin, task_vars, environment, expected", [
    (action(), {}, None, True),
    (action(), {}, "0", False),
    (action(), {}, "false", False),
    (action(), {"fabrik_deploy_in_process": "true"}, "0", True),
    (action(), {"fabrik_deploy_in_process": False}, None, False),
    (action(transport="ssh"), {}, None, False),
    (action(async_val=30), {}, None, False),
    (action(become=True), {}, None, False),
])
def test_in_process_only_on_the_controller_and_when_not_switched_off(plugin, task_vars, environment, expected,
                                                                     monkeypatch):
    if environment is None:
        monkeypatch.delenv("FABRIK_DEPLOY_IN_PROCESS", raising=False)
    else:
        monkeypatch.setenv("FABRIK_DEPLOY_IN_PROCESS", environment)
    assert plugin.runs_in_process(task_vars) is expected


def test_every_module_has_its_in_process_action_plugin():
    modules = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py"))
    actions = sorted(path.stem for path in (REPO / "plugins" / "action").glob("*.py"))
    assert actions == modules
    for name in modules:
        plugin = __import__("ansible_collections.fabrik.deploy.plugins.action." + name, fromlist=["ActionModule"])
        module = plugin.ActionModule.module
        assert module.__name__ == "ansible_collections.fabrik.deploy.plugins.modules." + name
        assert callable(module.run) and module.SPEC["supports_check_mode"] is True


def test_the_parent_loads_one_filter_of_each_file_of_the_collections_filters():
    """Ansible compiles a collection's filter file from source in each worker that uses one of its filters:
    the in-process runner loads one filter of each file in the parent, before the workers fork."""
    import importlib

    directory = Path(in_process.__file__).resolve().parents[1] / "filter"
    names = {}
    for path in sorted(directory.glob("*.py")):
        plugin = importlib.import_module("ansible_collections.fabrik.deploy.plugins.filter." + path.stem)
        names[path.stem] = {"fabrik.deploy." + name for name in plugin.FilterModule().filters()}
    assert names and all(filters & set(in_process.COLLECTION_FILTERS) for filters in names.values()), names
    assert set(in_process.COLLECTION_FILTERS) <= set().union(*names.values())


def test_the_parent_loads_every_lookup_the_roles_and_playbooks_use():
    """A worker that templates a lookup loads its plugin and parses its documentation again: the in-process
    runner loads, in the parent, every lookup the collection's roles and playbooks use (and env)."""
    import re

    root = Path(in_process.__file__).resolve().parents[2]
    used = set()
    for path in list((root / "roles").rglob("*.yml")) + list((root / "playbooks").rglob("*.yml")):
        for name in re.findall(r"""(?:lookup|query)\(\s*['"]([a-z0-9_.]+)['"]""", path.read_text(encoding="utf-8")):
            used.add(name if "." in name else "ansible.builtin." + name)
    assert used, "no lookup found in the roles"
    assert used <= set(in_process.WARM_LOOKUPS), sorted(used - set(in_process.WARM_LOOKUPS))
    assert "ansible.builtin.env" in in_process.WARM_LOOKUPS
