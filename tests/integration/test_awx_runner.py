"""site.yml through ansible-runner, the way AWX / AAP runs a job template.

AWX clones the project, writes the inventory (no credentials in it), renders the attached
credentials' env injectors into ``env/envvars`` and calls ansible-runner on that private data
directory. This test does the same with the credential types of ``awx/credential_types/``, rendered
as AWX renders them (an empty field becomes an empty variable), and the sandbox's fake credentials.
"""

import json
import os
import sys
from pathlib import Path

import pytest
import requests
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

import observe

ansible_runner = pytest.importorskip("ansible_runner")
pytest.importorskip("boto3")
pytest.importorskip("uptime_kuma_api")

REPO = Path(__file__).resolve().parents[2]
TAGS = "domain,dns,gate,monitoring,storage"
SITE = "demo"
SITE_SPEC = REPO / "inventories" / "sandbox" / "host_vars" / ("%s.yml" % SITE)
CREDENTIAL_TYPES = REPO / "awx" / "credential_types"
KUMA_PORT_OFFSET = 4
# site.yml validates the wordpress role's arguments whatever the tags (the validation task is tagged
# `always`), so a site needs these even when the wordpress stage is not run. No task of the stages
# run here uses them; the password is a placeholder, not a credential.
WORDPRESS_ROLE_ARGUMENTS = {"wordpress_url": "https://fabrik-demo.test",
                            "wordpress_admin_password": "placeholder-unused-by-these-stages"}


class AwxDefinitionLoader(yaml.SafeLoader):
    """Reads a credential type definition; ``!unsafe`` values are plain strings for AWX."""


AwxDefinitionLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def credential_type(service):
    return yaml.load((CREDENTIAL_TYPES / ("%s.yml" % service)).read_text(), Loader=AwxDefinitionLoader)  # noqa: S506


def credentials_from(sandbox_json):
    """The credentials an AWX admin would create for the sandbox: service -> inputs of its credential type."""
    services = json.loads(sandbox_json.read_text())["services"]
    cloudflare, namecheap, kuma, r2 = (services[name] for name in ("cloudflare", "namecheap", "uptime_kuma", "r2"))
    return {
        "cloudflare": {"api_token": cloudflare["api_token"], "account_id": cloudflare["account_id"],
                       "api_url": cloudflare["url"]},
        "namecheap": {"api_user": namecheap["api_user"], "api_key": namecheap["api_key"],
                      "client_ip": namecheap["client_ip"], "api_url": namecheap["url"]},
        "uptime_kuma": {"url": kuma["url"], "username": kuma["username"], "password": kuma["password"]},
        "r2": {"account_id": r2["account_id"], "access_key_id": r2["access_key_id"],
               "secret_access_key": r2["secret_access_key"], "endpoint_url": r2["url"]},
    }


def inject(credentials):
    """The job's environment as AWX builds it from the credentials' env injectors."""
    templates = ImmutableSandboxedEnvironment()
    env = {}
    for service, inputs in credentials.items():
        definition = credential_type(service)
        known = {field["id"] for field in definition["inputs"]["fields"]}
        assert set(inputs) <= known, "%s: inputs %s are not fields of the credential type" % (service, set(inputs) - known)
        missing = set(definition["inputs"].get("required", [])) - set(inputs)
        assert not missing, "%s: AWX would refuse the credential without %s" % (service, missing)
        namespace = {name: value for name, value in inputs.items() if value}
        for var, template in definition["injectors"]["env"].items():
            env[var] = templates.from_string(template).render(**namespace)
    return env


def secrets_of(credentials):
    """The values of the credentials' secret fields."""
    found = []
    for service, inputs in credentials.items():
        secret_fields = {field["id"] for field in credential_type(service)["inputs"]["fields"] if field.get("secret")}
        found += [value for name, value in inputs.items() if name in secret_fields and value]
    return found


def private_data_dir(root, envvars):
    """project/ (the checkout), inventory/ (the site, no credentials), env/ (credentials and runner settings)."""
    root.mkdir()
    (root / "project").symlink_to(REPO, target_is_directory=True)
    host_vars = yaml.safe_load(SITE_SPEC.read_text())
    host_vars.update(WORDPRESS_ROLE_ARGUMENTS, ansible_connection="local",
                     ansible_python_interpreter="{{ ansible_playbook_python }}")
    (root / "inventory").mkdir()
    (root / "inventory" / "hosts.yml").write_text(yaml.safe_dump({"sites": {"hosts": {SITE: host_vars}}}))
    (root / "env").mkdir()
    (root / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (root / "env" / "settings").write_text(yaml.safe_dump({"job_timeout": 900, "idle_timeout": 600}))
    return root


def run_job(root, ident, verbosity=0):
    return ansible_runner.run(private_data_dir=str(root), playbook="site.yml", tags=TAGS, ident=ident,
                              verbosity=verbosity, quiet=True)


def changed(result):
    return sum(result.stats["changed"].values())


def secrets_in_artifacts(artifacts, secrets):
    """(file, secret) for every secret found in the artifacts of every job. A job's ``command`` file
    records the environment the job was given (the envvars) by design; the rest of it is checked."""
    leaks = []
    for path in sorted(p for p in artifacts.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        if path.name == "command" and path.parent.parent == artifacts:
            text = json.dumps({key: value for key, value in json.loads(text).items() if key != "env"})
        leaks += [(str(path.relative_to(artifacts)), secret) for secret in secrets if secret in text]
    return leaks


@pytest.fixture()
def kuma(sandbox):
    """The Uptime Kuma emulator of the session's sandbox, emptied (the sandbox fixture resets the others)."""
    url = "http://127.0.0.1:%d/_sandbox" % (sandbox.port_base + KUMA_PORT_OFFSET)
    requests.post(url + "/reset", timeout=10).raise_for_status()
    return url


def test_site_through_ansible_runner_with_credentials_only_in_envvars(sandbox, kuma, tmp_path, monkeypatch):
    sandbox_json = REPO / "tests" / "output" / ("sandbox-%d" % sandbox.port_base) / "sandbox.json"
    credentials = credentials_from(sandbox_json)
    secrets = secrets_of(credentials)
    assert len(secrets) == 4
    root = private_data_dir(tmp_path / "job", inject(credentials))
    inventory_text = (root / "inventory" / "hosts.yml").read_text()
    assert not [secret for secret in secrets if secret in inventory_text]
    # ansible-runner starts the ansible-playbook found on PATH: the one of this venv.
    monkeypatch.setenv("PATH", "%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")))

    # a job template at verbosity 3 (Debug): the most a job's events and stdout ever show
    first = run_job(root, "converge", verbosity=3)
    stdout = (root / "artifacts" / "converge" / "stdout").read_text()
    assert (first.status, first.rc) == ("successful", 0), stdout[-12000:] + sandbox.logs()
    assert changed(first) > 0
    assert first.stats["failures"] == {} and first.stats["dark"] == {}
    assert observe.cloudflare(sandbox)["fabrik-demo.test"]["status"] == "active"
    assert [bucket["name"] for bucket in sandbox.state("r2")["buckets"]] == ["fabrik-demo-test"]
    monitors = requests.get(kuma + "/state", timeout=10).json()["monitors"].values()
    assert sorted(monitor["name"] for monitor in monitors) == ["fabrik-demo.test", "fabrik-demo.test content"]
    assert len(list((root / "artifacts" / "converge" / "job_events").glob("*.json"))) > 0

    sandbox.reset_log()
    second = run_job(root, "rerun")
    stdout = (root / "artifacts" / "rerun" / "stdout").read_text()
    assert (second.status, second.rc) == ("successful", 0), stdout[-12000:]
    assert changed(second) == 0, stdout[-12000:]
    assert sandbox.writes() == []

    assert secrets_in_artifacts(root / "artifacts", secrets) == []
