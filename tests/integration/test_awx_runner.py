"""site.yml run the way AWX / AAP runs a job template, all eight stages, then the same job again.

AWX prepares a private data directory and hands it to ansible-runner:
* ``project/``: a clean clone of the project (not the checkout under test: nothing of it leaks in);
* ``inventory/hosts``: an executable script printing the inventory as JSON (groups, ``_meta.hostvars``),
  which is how AWX gives a job its inventory. It holds the site spec and no credential;
* ``env/envvars``: the credentials' env injectors, rendered as AWX renders them from the credential
  types of ``awx/credential_types/`` (an empty field becomes an empty variable);
* ``env/extravars``: the job template's extra variables; ``env/settings``: runner settings.
ansible-runner runs under ``env -i`` with only what an execution environment sets (PATH, HOME, a
UTF-8 locale), so nothing comes in from the test harness or the Makefile. AWX keeps no file between
jobs: the WordPress stage creates no application password and logs in with the administrator's
password from the WordPress credential, so the second job changes nothing.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

import observe

pytest.importorskip("ansible_runner")
pytest.importorskip("boto3")
pytest.importorskip("uptime_kuma_api")

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE = "demo"
SITE_SPEC = REPO / "inventories" / "sandbox" / "host_vars" / ("%s.yml" % SITE)
SANDBOX_VARS = REPO / "inventories" / "sandbox" / "group_vars" / "all" / "sandbox.yml"
CREDENTIAL_TYPES = REPO / "awx" / "credential_types"
KUMA_OFFSET, WORDPRESS_OFFSET, EDGE_OFFSET = 4, 6, 8
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class AwxDefinitionLoader(yaml.SafeLoader):
    """Reads a credential type definition; ``!unsafe`` values are plain strings for AWX."""


AwxDefinitionLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def credential_type(service):
    return yaml.load((CREDENTIAL_TYPES / ("%s.yml" % service)).read_text(), Loader=AwxDefinitionLoader)  # noqa: S506


def credentials_from(sandbox_json):
    """The credentials an AWX admin would create for the sandbox: service -> inputs of its credential type."""
    services = json.loads(sandbox_json.read_text())["services"]
    cloudflare, namecheap, coolify, kuma, r2, wordpress = (
        services[name] for name in ("cloudflare", "namecheap", "coolify", "uptime_kuma", "r2", "wordpress"))
    return {
        "cloudflare": {"api_token": cloudflare["api_token"], "account_id": cloudflare["account_id"],
                       "api_url": cloudflare["url"]},
        "namecheap": {"api_user": namecheap["api_user"], "api_key": namecheap["api_key"],
                      "client_ip": namecheap["client_ip"], "api_url": namecheap["url"]},
        "coolify": {"api_url": coolify["url"], "api_token": coolify["api_token"]},
        "uptime_kuma": {"url": kuma["url"], "username": kuma["username"], "password": kuma["password"]},
        "r2": {"account_id": r2["account_id"], "access_key_id": r2["access_key_id"],
               "secret_access_key": r2["secret_access_key"], "endpoint_url": r2["url"]},
        # No application password: a job keeps nothing, so the modules log in with the admin's password.
        "wordpress": {"url": wordpress["url"], "username": "admin",
                      "password": yaml.safe_load(SANDBOX_VARS.read_text())["wordpress_admin_password"]},
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


def host_vars(port_base, domain_spec):
    """What an AWX admin gives the site's host: the site spec and the sandbox's non-secret settings, as values."""
    hostvars = dict(domain_spec)
    hostvars.update({
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "coolify_server": "sandbox-server",
        "app_verify_url": "http://127.0.0.1:%d/" % (port_base + EDGE_OFFSET),
        "app_verify_host": domain_spec["site_domain"],
        "wordpress_url": "http://127.0.0.1:%d" % (port_base + WORDPRESS_OFFSET),
        "wordpress_username": "admin",
        "wordpress_admin_email": "admin@sandbox.invalid",
    })
    return hostvars


def inventory_script(hostvars):
    """An executable inventory script printing the JSON AWX generates for a job."""
    inventory = {
        "all": {"children": ["sites", "ungrouped"]},
        "sites": {"hosts": [SITE]},
        "ungrouped": {"hosts": []},
        "_meta": {"hostvars": {SITE: hostvars}},
    }
    return "#!/bin/sh\ncat <<'EOF'\n%s\nEOF\n" % json.dumps(inventory, indent=1)


def private_data_dir(root, hostvars, envvars, extravars):
    root.mkdir()
    cloned = subprocess.run(["git", "clone", "--quiet", str(REPO), str(root / "project")], capture_output=True,
                            text=True, check=False)
    assert cloned.returncode == 0, cloned.stderr
    (root / "inventory").mkdir()
    script = root / "inventory" / "hosts"
    script.write_text(inventory_script(hostvars))
    script.chmod(0o755)
    (root / "env").mkdir()
    (root / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (root / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    (root / "env" / "settings").write_text(yaml.safe_dump({"job_timeout": 900, "idle_timeout": 600}))
    return root


def run_job(root, ident):
    """ansible-runner on the private data directory, in an environment holding only what an EE sets."""
    env = ["env", "-i", "PATH=%s:/usr/local/bin:/usr/bin:/bin" % BIN, "HOME=%s" % (root / "home"),
           "LANG=C.UTF-8", "LC_ALL=C.UTF-8"]
    (root / "home").mkdir(exist_ok=True)
    proc = subprocess.run(env + [str(BIN / "ansible-runner"), "run", str(root), "-p", "site.yml", "--ident", ident],
                          capture_output=True, text=True, timeout=900, check=False)
    artifacts = root / "artifacts" / ident
    status = (artifacts / "status").read_text().strip() if (artifacts / "status").exists() else "none"
    stdout = (artifacts / "stdout").read_text() if (artifacts / "stdout").exists() else proc.stdout
    return proc.returncode, status, stdout


def recap(stdout):
    import re  # pylint: disable=import-outside-toplevel

    found = re.findall(r"^%s\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % SITE, stdout, re.M)
    assert found, stdout[-6000:]
    ok, changed, unreachable, failed = map(int, found[-1])
    return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}


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
def wordpress(sandbox):
    """The sandbox's WordPress, back to a fresh, un-installed site; returns a reader of its request log."""
    url = "http://127.0.0.1:%d/_sandbox" % (sandbox.port_base + WORDPRESS_OFFSET)
    requests.post(url + "/reset", timeout=120).raise_for_status()
    requests.post("http://127.0.0.1:%d/_sandbox/reset" % (sandbox.port_base + KUMA_OFFSET), timeout=10).raise_for_status()
    return lambda: requests.get(url + "/requests", timeout=30).json()


def test_all_stages_as_an_awx_job_then_the_same_job_changes_nothing(sandbox, wordpress, tmp_path):
    sandbox_json = REPO / "tests" / "output" / ("sandbox-%d" % sandbox.port_base) / "sandbox.json"
    credentials = credentials_from(sandbox_json)
    secrets = secrets_of(credentials)
    assert len(secrets) == 6
    spec = yaml.safe_load(SITE_SPEC.read_text())
    root = private_data_dir(tmp_path / "job", host_vars(sandbox.port_base, spec), inject(credentials),
                            {"app_deploy_interval": 0.5, "app_verify_delay": 1})
    inventory_text = (root / "inventory" / "hosts").read_text()
    assert not [secret for secret in secrets if secret in inventory_text]

    rc, status, stdout = run_job(root, "converge")
    assert (rc, status) == (0, "successful"), stdout[-12000:] + sandbox.logs()
    first = recap(stdout)
    assert first["changed"] > 0 and first["failed"] == 0 and first["unreachable"] == 0, stdout[-6000:]
    for stage in ("preflight", "domain", "dns", "gate", "app", "verify", "wordpress", "monitoring", "storage"):
        assert "fabrik.deploy.%s" % ("dns" if stage == "gate" else "app" if stage == "verify" else stage) in stdout
    services = {entry["service"] for entry in sandbox.writes()}
    # The bucket is made through Cloudflare's API; the demo site uploads no asset to R2.
    assert services == {"cloudflare", "namecheap", "coolify", "uptime_kuma"}, services
    domain = spec["site_domain"]
    assert observe.cloudflare(sandbox)[domain]["status"] == "active"
    assert [bucket["name"] for bucket in sandbox.state("r2")["buckets"]] == [domain.replace(".", "-")]
    resources = [resource for project in sandbox.state("coolify")["projects"]
                 for environment in project["environments"] for resource in environment["resources"]]
    assert [(resource["kind"], resource["name"]) for resource in resources] == [("service", domain.replace(".", "-"))]
    pages = requests.get(credentials["wordpress"]["url"] + "/", params={"rest_route": "/wp/v2/pages"}, timeout=30).json()
    assert len(pages) >= 3, pages
    # No application password was made: the job logged in with the administrator's password.
    assert "/wp-admin/authorize-application.php" not in json.dumps(wordpress())
    assert not [entry for entry in wordpress() if "application-passwords" in entry["path"]]

    sandbox.reset_log()
    marker = len(wordpress())
    rc, status, stdout = run_job(root, "rerun")
    assert (rc, status) == (0, "successful"), stdout[-12000:]
    assert recap(stdout)["changed"] == 0, stdout[-12000:]
    assert sandbox.writes() == []
    wordpress_writes = [entry for entry in wordpress()[marker:]
                        if entry["method"] not in READ_METHODS and entry["path"] != "/wp-login.php"]
    assert wordpress_writes == []

    assert secrets_in_artifacts(root / "artifacts", secrets) == []
