"""site.yml run the way Semaphore UI runs a task template.

Semaphore clones the repository and runs, from the clone's root,
``ansible-playbook site.yml -i <inventory file> --extra-vars '<environment JSON>'``, with the
environment's variables (the credentials) in the process environment. The inventory file (a per-site
static inventory) and the extra vars carry no credential.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

import observe

pytest.importorskip("boto3")
pytest.importorskip("uptime_kuma_api")

REPO = Path(__file__).resolve().parents[2]
TAGS = "domain,dns,gate,monitoring,storage"
SITE = "demo"
SITE_SPEC = REPO / "inventories" / "sandbox" / "host_vars" / ("%s.yml" % SITE)
KUMA_PORT_OFFSET = 4
SECRET_VARIABLES = ("CLOUDFLARE_API_TOKEN", "NAMECHEAP_API_KEY", "UPTIME_KUMA_PASSWORD", "R2_SECRET_ACCESS_KEY")
# site.yml validates the wordpress role's arguments whatever the tags (the validation task is tagged
# `always`), so a site needs these even when the wordpress stage is not run. No task of the stages
# run here uses them; the password is a placeholder, not a credential.
WORDPRESS_ROLE_ARGUMENTS = {"wordpress_url": "https://fabrik-demo.com",
                            "wordpress_admin_password": "placeholder-unused-by-these-stages"}
RECAP = re.compile(r"^%s\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % SITE, re.M)


def environment_variables(sandbox_json):
    """The Semaphore environment's "Environment variables" (and secrets) for the sandbox."""
    services = json.loads(sandbox_json.read_text())["services"]
    cloudflare, namecheap, kuma, r2 = (services[name] for name in ("cloudflare", "namecheap", "uptime_kuma", "r2"))
    return {
        "CLOUDFLARE_API_URL": cloudflare["url"],
        "CLOUDFLARE_API_TOKEN": cloudflare["api_token"],
        "CLOUDFLARE_ACCOUNT_ID": cloudflare["account_id"],
        "NAMECHEAP_API_URL": namecheap["url"],
        "NAMECHEAP_API_USER": namecheap["api_user"],
        "NAMECHEAP_API_KEY": namecheap["api_key"],
        "NAMECHEAP_CLIENT_IP": namecheap["client_ip"],
        "UPTIME_KUMA_URL": kuma["url"],
        "UPTIME_KUMA_USERNAME": kuma["username"],
        "UPTIME_KUMA_PASSWORD": kuma["password"],
        "R2_ENDPOINT_URL": r2["url"],
        "R2_ACCESS_KEY_ID": r2["access_key_id"],
        "R2_SECRET_ACCESS_KEY": r2["secret_access_key"],
    }


def inventory_file(path):
    """A static per-site inventory as Semaphore stores it (a YAML file without extension)."""
    host_vars = yaml.safe_load(SITE_SPEC.read_text())
    host_vars.update(WORDPRESS_ROLE_ARGUMENTS, ansible_connection="local",
                     ansible_python_interpreter="{{ ansible_playbook_python }}")
    path.write_text(yaml.safe_dump({"sites": {"hosts": {SITE: host_vars}}}))
    return path


class Task:
    """One Semaphore task: the command, its output and the play recap of the site."""

    def __init__(self, inventory, extra_vars, variables, home, verbosity=0):
        self.args = ["ansible-playbook", "site.yml", "-i", str(inventory), "--extra-vars", json.dumps(extra_vars),
                     "--tags", TAGS] + (["-" + "v" * verbosity] if verbosity else [])
        env = dict(variables, PATH="%s:/usr/local/bin:/usr/bin:/bin" % Path(sys.executable).parent, HOME=str(home))
        proc = subprocess.run(self.args, cwd=str(REPO), env=env, capture_output=True, text=True, timeout=900,
                              check=False)
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        recap = RECAP.findall(proc.stdout)
        self.ok, self.changed, self.unreachable, self.failed = map(int, recap[-1]) if recap else (0, 0, 0, 0)

    def explain(self):
        return "%s\nrc=%s\n%s" % (" ".join(self.args), self.rc, self.output[-12000:])


@pytest.fixture()
def kuma(sandbox):
    """The Uptime Kuma emulator of the session's sandbox, emptied (the sandbox fixture resets the others)."""
    url = "http://127.0.0.1:%d/_sandbox" % (sandbox.port_base + KUMA_PORT_OFFSET)
    requests.post(url + "/reset", timeout=10).raise_for_status()
    return url


def test_site_run_as_a_semaphore_task_converges_then_changes_nothing(sandbox, kuma, tmp_path):
    sandbox_json = REPO / "tests" / "output" / ("sandbox-%d" % sandbox.port_base) / "sandbox.json"
    variables = environment_variables(sandbox_json)
    secrets = [variables[name] for name in SECRET_VARIABLES]
    inventory = inventory_file(tmp_path / "inventory_1")
    extra_vars = {"monitoring_interval": 120,
                  "semaphore_vars": {"task_details": {"id": 1, "type": "job", "username": "admin"}}}
    assert not [secret for secret in secrets if secret in inventory.read_text() + json.dumps(extra_vars)]

    # Semaphore's "debug" option runs ansible-playbook with -vvvv
    first = Task(inventory, extra_vars, variables, tmp_path, verbosity=4)
    assert first.rc == 0, first.explain() + sandbox.logs()
    assert first.changed > 0 and first.failed == 0
    assert observe.cloudflare(sandbox)["fabrik-demo.com"]["status"] == "active"
    assert [bucket["name"] for bucket in sandbox.state("r2")["buckets"]] == ["fabrik-demo-com"]
    monitors = requests.get(kuma + "/state", timeout=10).json()["monitors"].values()
    assert sorted((m["name"], m["interval"]) for m in monitors) == [
        ("fabrik-demo.com", 120), ("fabrik-demo.com content", 120)]

    sandbox.reset_log()
    second = Task(inventory, extra_vars, variables, tmp_path)
    assert second.rc == 0, second.explain()
    assert (second.changed, second.failed) == (0, 0), second.explain()
    assert sandbox.writes() == []

    for task in (first, second):
        assert [secret for secret in secrets if secret in task.output] == []
