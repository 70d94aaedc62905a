"""The AWX / AAP credential types in awx/credential_types/ and the playbook that loads them.

Each definition must be a valid AWX custom credential type whose env injectors are exactly the
environment fallbacks of the service's connection options (read from the collection's own argument
specs), and awx/credential_types.yml must hand the injector templates to awx.awx.credential_type
without rendering them.
"""

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from ansible_collections.fabrik.deploy.plugins.module_utils import (_cloudflare, _coolify, _namecheap, _r2,
                                                                    _uptime_kuma, _wordpress)

REPO = Path(__file__).resolve().parents[2]
AWX_DIR = REPO / "awx"
DEFINITIONS_DIR = AWX_DIR / "credential_types"
PLUGINS_DIR = REPO / "plugins"

# credential type file -> the connection argument spec of that service's modules
CONNECTION_SPECS = {
    "cloudflare": _cloudflare.cloudflare_argument_spec,
    "namecheap": _namecheap.connection_argument_spec,
    "coolify": _coolify.coolify_argument_spec,
    "uptime_kuma": _uptime_kuma.connection_argument_spec,
    "r2": _r2.r2_argument_spec,
    "wordpress": _wordpress.connection_argument_spec,
}
TOP_LEVEL_KEYS = {"name", "description", "kind", "inputs", "injectors"}
FIELD_KEYS = {"id", "label", "type", "secret", "help_text", "default", "multiline", "choices", "format"}
TEMPLATE = re.compile(r"^\{\{ ([a-z_]+) \}\}$")


class Unsafe(str):
    """A scalar tagged ``!unsafe`` in a definition file."""


class DefinitionLoader(yaml.SafeLoader):
    """YAML loader that keeps track of Ansible's ``!unsafe`` tag."""


DefinitionLoader.add_constructor("!unsafe", lambda loader, node: Unsafe(loader.construct_scalar(node)))


def load(path):
    return yaml.load(path.read_text(), Loader=DefinitionLoader)  # noqa: S506 - a SafeLoader subclass


def definitions():
    return {path.stem: load(path) for path in sorted(DEFINITIONS_DIR.glob("*.yml"))}


def fields(definition):
    return {field["id"]: field for field in definition["inputs"]["fields"]}


def injected(definition):
    """env var -> id of the field it carries."""
    return {var: TEMPLATE.match(value).group(1) for var, value in definition["injectors"]["env"].items()}


def env_fallbacks(spec):
    """option -> the environment variables it falls back to."""
    return {option: list(settings["fallback"][1]) for option, settings in spec.items() if "fallback" in settings}


def env_variables_read_by_plugins():
    """Every environment variable named in an ``(env_fallback, [...])`` of the collection's Python code."""
    found = set()
    for path in PLUGINS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Name)
                    and node.elts[0].id == "env_fallback" and isinstance(node.elts[1], ast.List)):
                found.update(item.value for item in node.elts[1].elts)
    return found


def plain(value):
    """The definition as JSON would carry it (tags dropped)."""
    return json.loads(json.dumps(value))


def test_one_definition_per_service():
    assert sorted(definitions()) == sorted(CONNECTION_SPECS)


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_definition_has_the_awx_credential_type_schema(service):
    definition = definitions()[service]
    assert set(definition) == TOP_LEVEL_KEYS
    assert definition["kind"] == "cloud"
    assert definition["name"].startswith("fabrik.deploy ")
    items = definition["inputs"]["fields"]
    assert set(definition["inputs"]) <= {"fields", "required"}
    for field in items:
        assert set(field) <= FIELD_KEYS, field
        assert re.match(r"^[a-z][a-z_]*$", field["id"]), field
        assert field["label"] and field["type"] == "string", field
        assert isinstance(field.get("secret", False), bool), field
    assert len({f["id"] for f in items}) == len(items), "field ids must be unique"
    assert len({f["label"] for f in items}) == len(items), "field labels must be unique"
    assert set(definition["inputs"].get("required", [])) <= set(fields(definition))
    assert list(definition["injectors"]) == ["env"]


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_each_injector_is_an_unsafe_template_of_one_field_and_each_field_is_injected_once(service):
    definition = definitions()[service]
    for var, value in definition["injectors"]["env"].items():
        assert isinstance(value, Unsafe), "%s: tag the injector !unsafe" % var
        assert TEMPLATE.match(value), "%s: %r is not '{{ field }}'" % (var, value)
    assert sorted(injected(definition).values()) == sorted(fields(definition))


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_each_injected_variable_is_the_env_fallback_of_the_option_named_like_the_field(service):
    fallbacks = env_fallbacks(CONNECTION_SPECS[service]())
    for var, field_id in injected(definitions()[service]).items():
        assert field_id in fallbacks, "%s: the modules have no option %r with an env fallback" % (service, field_id)
        assert var in fallbacks[field_id], "%s: option %r falls back to %s, not %s" % (
            service, field_id, fallbacks[field_id], var)


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_secret_fields_are_the_no_log_options(service):
    spec = CONNECTION_SPECS[service]()
    for field_id, field in fields(definitions()[service]).items():
        assert field.get("secret", False) == bool(spec[field_id].get("no_log")), field_id


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_options_the_modules_require_are_required_fields(service):
    spec = CONNECTION_SPECS[service]()
    definition = definitions()[service]
    required_options = {option for option, settings in spec.items() if settings.get("required")}
    assert required_options <= set(definition["inputs"]["required"])


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_a_field_with_a_module_default_is_required_and_prefilled_with_it(service):
    # AWX injects an empty string for an empty field, which the modules would take as the value.
    spec = CONNECTION_SPECS[service]()
    definition = definitions()[service]
    for field_id, field in fields(definition).items():
        default = spec[field_id].get("default")
        if default is not None:
            assert field.get("default") == default, field_id
            assert field_id in definition["inputs"]["required"], field_id


@pytest.mark.parametrize("service", sorted(CONNECTION_SPECS))
def test_injected_variables_are_the_ones_the_service_doc_fragment_documents(service):
    fragment = (PLUGINS_DIR / "doc_fragments" / ("%s.py" % service)).read_text()
    documented = set(re.findall(r"E\(([A-Z0-9_]+)\)", fragment))
    assert set(definitions()[service]["injectors"]["env"]) <= documented


def test_every_environment_variable_the_collection_reads_is_injected_by_one_credential_type():
    injected_by = {}
    for service, definition in definitions().items():
        for var in definition["injectors"]["env"]:
            injected_by.setdefault(var, []).append(service)
    assert set(injected_by) == env_variables_read_by_plugins()
    assert {var: services for var, services in injected_by.items() if len(services) > 1} == {}


STUB_MODULE = '''
import json
import os

from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec=dict(
    name=dict(type="str", required=True), description=dict(type="str"), kind=dict(type="str"),
    inputs=dict(type="dict"), injectors=dict(type="dict"), state=dict(type="str", default="present")))
with open(os.environ["AWX_STUB_RECORD"], "a") as record:
    record.write(json.dumps(module.params) + "\\n")
module.exit_json(changed=True)
'''


def test_playbook_passes_each_definition_to_awx_credential_type_untemplated(tmp_path):
    """awx.awx is not installable here: a stand-in module records the arguments the playbook passes."""
    modules = tmp_path / "collections" / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    modules.mkdir(parents=True)
    (modules / "credential_type.py").write_text(textwrap.dedent(STUB_MODULE))
    record = tmp_path / "record.jsonl"
    env = {
        "PATH": "%s:/usr/bin:/bin" % Path(sys.executable).parent,
        "HOME": str(tmp_path),
        "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (tmp_path / "collections", REPO / "collections"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "AWX_STUB_RECORD": str(record),
    }
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
                           str(AWX_DIR / "credential_types.yml")],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    calls = {call["name"]: call for call in map(json.loads, record.read_text().splitlines())}
    expected = {definition["name"]: definition for definition in definitions().values()}
    assert sorted(calls) == sorted(expected)
    for name, definition in expected.items():
        call = calls[name]
        assert call["state"] == "present"
        assert {key: call[key] for key in TOP_LEVEL_KEYS} == plain(definition), name
    assert calls["fabrik.deploy Cloudflare"]["injectors"]["env"]["CLOUDFLARE_API_TOKEN"] == "{{ api_token }}"
