"""Every module's EXAMPLES are run by tests/integration/test_module_examples.py, and can be.

The integration test runs the examples against the sandbox (minutes of set-up); this checks in
a second that no module is left out of its run order (a new module without a running example
fails here), that each example is self-contained (no variable it does not define itself), and
that the playbook the integration test builds holds each example's tasks unchanged.
"""

import importlib.util
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("module_examples_run", REPO / "tests" / "integration" / "test_module_examples.py")
EXAMPLES = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(EXAMPLES)

MODULES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
RUN_ORDER = [module for runs in EXAMPLES.GROUPS.values() for run in runs for module in run]


def test_every_module_has_its_examples_run_once():
    missing = sorted(set(MODULES) - set(RUN_ORDER))
    unknown = sorted(set(RUN_ORDER) - set(MODULES))
    twice = sorted({module for module in RUN_ORDER if RUN_ORDER.count(module) > 1})
    assert (missing, unknown, twice) == ([], [], []), (
        "GROUPS of tests/integration/test_module_examples.py: missing %s, unknown %s, listed twice %s"
        % (missing, unknown, twice))


@pytest.mark.parametrize("module", MODULES)
def test_examples_are_self_contained(module):
    tasks = EXAMPLES.example_tasks(module)
    fqcn = "fabrik.deploy." + module
    assert any(fqcn in task for task in tasks), "%s: no example task uses %s" % (module, fqcn)
    for task in tasks:
        assert task.get("name"), "%s: an example task without a name: %s" % (module, task)
        actions = [key for key in task if "." in key]
        assert len(actions) == 1 and actions[0].startswith(("fabrik.deploy.", "ansible.builtin.")), (
            "%s: task %r does not call one fully qualified module" % (module, task["name"]))
    assert EXAMPLES.undefined_variables(tasks) == [], (
        "%s: its EXAMPLES use variables they do not define (task, variable)" % module)


@pytest.mark.parametrize("module", MODULES)
def test_the_playbook_holds_the_examples_unchanged(module):
    plays = yaml.load(EXAMPLES.playbook_text([module]), Loader=EXAMPLES._ExampleLoader)  # nosec - SafeLoader subclass
    assert [play["name"] for play in plays] == ["%s examples" % module]
    assert plays[0]["hosts"] == "localhost" and plays[0]["connection"] == "local" and plays[0]["gather_facts"] is False
    assert plays[0]["tasks"] == EXAMPLES.example_tasks(module)


def test_undefined_variables_are_found():
    tasks = [
        {"name": "read", "fabrik.deploy.cloudflare_zone_info": {"name": "example.com"}, "register": "info"},
        {"name": "uses its own register", "ansible.builtin.debug": {"msg": "{{ info.zone.id }}"}, "when": "info.exists"},
        {"name": "uses an inventory variable", "fabrik.deploy.cloudflare_zone": {"name": "{{ site_domain }}"}},
        {"name": "uses a later register", "ansible.builtin.debug": {"msg": "{{ later | default(omit) }}"}},
        {"name": "bare condition", "ansible.builtin.debug": {"msg": "x"}, "when": "zone.changed"},
        {"name": "placeholder for the module", "fabrik.deploy.wordpress_pages": {
            "pages": [{"slug": "home", "title": EXAMPLES._Unsafe("{{ company.name }}"), "content": "x"}]}},
        {"name": "lookup", "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.env', 'HOME') }}"},
         "register": "later"},
    ]
    assert EXAMPLES.undefined_variables(tasks) == [
        ("uses an inventory variable", "site_domain"), ("uses a later register", "later"), ("bare condition", "zone")]


def test_a_failed_task_is_named_with_its_module():
    stdout = "\n".join([
        "PLAY [cloudflare_zone examples] ****", "TASK [Ensure the zone exists] ****", "ok: [localhost]",
        "PLAY [wordpress_pages examples] ****", "TASK [Pages of the site from sections] ****",
        "fatal: [localhost]: FAILED! => ", "    changed: false", "    msg: 'pages[0].slug: bad slug'", "PLAY RECAP ****",
        "localhost                  : ok=1    changed=0    unreachable=0    failed=1    skipped=0",
    ])

    class Proc:
        returncode = 2
        stderr = ""

    Proc.stdout = stdout
    run = EXAMPLES.ExampleRun(["cloudflare_zone", "wordpress_pages"], Proc, 1.0)
    assert run.failures() == ["wordpress_pages: task 'Pages of the site from sections' failed msg: 'pages[0].slug: bad slug'"]
    assert run.recap == {"ok": 1, "changed": 0, "unreachable": 0, "failed": 1, "skipped": 0}
