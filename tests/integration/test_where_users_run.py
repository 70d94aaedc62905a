"""The collection where users run it: a clone in any directory, the installed tarball, the inventory
sources AWX and the collection's own plugin produce.

Each test runs outside the checkout's own harness: a fresh clone with nothing beside it, or an empty
directory with the collection installed from its built tarball and no ansible.cfg of ours.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import PORT_BASE, REPO, SANDBOX_DIR, Run

BIN = Path(sys.executable).parent
SANDBOX_INVENTORY = REPO / "inventories" / "sandbox"
# The clone's own sandbox, away from the session's (PORT_BASE .. +9).
CLONE_PORT_BASE = PORT_BASE + 20


def _run(args, cwd, env, timeout=900):
    started = time.monotonic()
    proc = subprocess.run(args, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return Run(args, proc, time.monotonic() - started)


def _clean_env(**extra):
    """The environment of a user's shell: no ANSIBLE_* of the test harness, no venv on PATH but ours."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "FABRIK_", "PYTEST", "VIRTUAL_ENV"))}
    env.update(PATH="%s:/usr/local/bin:/usr/bin:/bin" % BIN, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(extra)
    return env


# --- inventory sources -----------------------------------------------------------------------------

def test_an_executable_inventory_script_is_parsed_as_awx_writes_it(tmp_path):
    script = tmp_path / "hosts"
    script.write_text("#!/bin/sh\necho '%s'\n" % json.dumps(
        {"sites": {"hosts": ["demo"]}, "_meta": {"hostvars": {"demo": {"site_domain": "example.com"}}}}))
    script.chmod(0o755)
    result = _run([str(BIN / "ansible-inventory"), "-i", str(script), "--list"], REPO, _clean_env())
    assert result.rc == 0, result.explain()
    listed = json.loads(result.stdout)
    assert listed["sites"]["hosts"] == ["demo"]
    assert listed["_meta"]["hostvars"]["demo"]["site_domain"] == "example.com"


def test_an_unparsable_inventory_fails_the_run_instead_of_matching_no_host(tmp_path):
    broken = tmp_path / "hosts.yml"
    broken.write_text("sites: [\n")
    result = _run([str(BIN / "ansible-playbook"), "site.yml", "-i", str(broken), "--tags", "dns"], REPO, _clean_env())
    assert result.rc != 0, result.explain()
    assert "No inventory was parsed" in result.output
    assert "PLAY RECAP" not in result.stdout


def test_the_collections_coolify_inventory_plugin_loads_in_a_checkout(sandbox, tmp_path):
    source = tmp_path / "sites.coolify.yml"
    source.write_text(yaml.safe_dump({"plugin": "fabrik.deploy.coolify", "api_url": sandbox.urls["coolify"],
                                      "api_token": "1|sandbox-coolify-root"}))
    result = _run([str(BIN / "ansible-inventory"), "-i", str(source), "--list"], REPO, _clean_env())
    assert result.rc == 0, result.explain()
    assert "_meta" in json.loads(result.stdout)
    assert "/projects" in [entry["path"] for entry in sandbox.requests("coolify")], sandbox.logs()


# --- the installed collection ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built into its tarball and installed into an empty collections path."""
    root = tmp_path_factory.mktemp("installed")
    env = _clean_env()
    built = _run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(root / "dist"), str(REPO)],
                 root, env)
    assert built.rc == 0, built.explain()
    tarball = next((root / "dist").glob("fabrik-deploy-*.tar.gz"))
    installed_run = _run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", str(tarball),
                          "-p", str(root / "collections")], root, env)
    assert installed_run.rc == 0, installed_run.explain()
    assert (root / "collections" / "ansible_collections" / "fabrik" / "deploy" / "playbooks" / "site.yml").is_file()
    return root


def _site_inventory(directory):
    """The sandbox's demo site, copied where a user keeps a site's inventory."""
    shutil.copytree(SANDBOX_INVENTORY, directory)
    return directory


def _installed_env(installed, workdir):
    return _clean_env(ANSIBLE_COLLECTIONS_PATH=str(installed / "collections"),
                      ANSIBLE_LOCAL_TEMP=str(workdir / ".ansible-tmp"),
                      FABRIK_SANDBOX_PORT_BASE=str(PORT_BASE), FABRIK_SANDBOX_DIR=str(SANDBOX_DIR),
                      ANSIBLE_CALLBACKS_ENABLED="fabrik.deploy.summary")


def test_the_installed_collection_runs_its_site_playbook_by_name(sandbox, installed, tmp_path):
    workdir = tmp_path / "empty"
    workdir.mkdir()
    inventory = _site_inventory(tmp_path / "site")
    env = _installed_env(installed, workdir)

    first = _run([str(BIN / "ansible-playbook"), "fabrik.deploy.site", "-i", str(inventory)], workdir, env)
    assert first.rc == 0, first.explain() + sandbox.logs()
    assert first.changed > 0
    # The run used the installed copy: the checkout was not on any path Ansible looked at.
    assert str(REPO) not in first.output
    assert "wordpress" in first.stdout and "storage" in first.stdout  # the summary names every stage

    sandbox.reset_log()
    second = _run([str(BIN / "ansible-playbook"), "fabrik.deploy.site", "-i", str(inventory)], workdir, env)
    assert second.rc == 0, second.explain()
    assert second.changed == 0, second.explain()
    assert sandbox.writes() == []
    assert sorted(path.name for path in workdir.iterdir()) == [".ansible-tmp"]


def test_the_installed_new_site_playbook_writes_where_the_user_is(installed, tmp_path):
    workdir = tmp_path / "project"
    workdir.mkdir()
    env = _installed_env(installed, workdir)
    result = _run([str(BIN / "ansible-playbook"), "fabrik.deploy.new_site", "-e", "domain=example.com",
                   "-e", "company='Example Ltd'", "-e", "preset=landing"], workdir, env)
    assert result.rc == 0, result.explain()
    written = workdir / "inventories" / "example-com"
    assert (written / "host_vars" / "example-com.yml").is_file()
    assert yaml.safe_load((written / "host_vars" / "example-com.yml").read_text())["wordpress_preset"] == "landing"
    collection = installed / "collections" / "ansible_collections" / "fabrik" / "deploy"
    assert not (collection / "inventories" / "example-com").exists()


def test_a_users_own_playbook_runs_the_preflight_and_stages_of_the_installed_collection(sandbox, installed, tmp_path):
    workdir = tmp_path / "project"
    workdir.mkdir()
    inventory = _site_inventory(workdir / "inventory")
    (workdir / "site.yml").write_text(yaml.safe_dump([{
        "name": "Only the domain and DNS of my sites",
        "hosts": "sites",
        "gather_facts": False,
        "module_defaults": {
            "group/fabrik.deploy.cloudflare": {"api_url": "{{ cloudflare_api_url }}",
                                               "api_token": "{{ cloudflare_api_token }}",
                                               "account_id": "{{ cloudflare_account_id }}"},
            "group/fabrik.deploy.namecheap": {"api_url": "{{ namecheap_api_url }}", "api_user": "{{ namecheap_api_user }}",
                                              "api_key": "{{ namecheap_api_key }}", "client_ip": "{{ namecheap_client_ip }}"},
        },
        "roles": [{"role": "fabrik.deploy.preflight", "vars": {"preflight_stages": ["domain", "dns"]}},
                  {"role": "fabrik.deploy.domain"}, {"role": "fabrik.deploy.dns"}],
    }], sort_keys=False))
    env = _installed_env(installed, workdir)
    bad = _run([str(BIN / "ansible-playbook"), "site.yml", "-i", str(inventory), "-e", "dns_proxied=maybe"],
               workdir, env)
    assert bad.rc != 0 and "dns_proxied" in bad.output, bad.explain()
    assert sandbox.writes() == []  # the preflight proves the credentials with reads only
    good = _run([str(BIN / "ansible-playbook"), "site.yml", "-i", str(inventory)], workdir, env)
    assert good.rc == 0, good.explain()
    assert {entry["service"] for entry in sandbox.writes()} == {"cloudflare", "namecheap"}


# --- a clone in any directory ----------------------------------------------------------------------

def test_a_fresh_clone_alone_in_an_empty_directory_sets_up_and_deploys(tmp_path):
    """`git clone` into a directory with nothing beside it, `make setup`, the sandbox, `site.yml`."""
    root = tmp_path / "alone"
    root.mkdir()
    env = _clean_env(HOME=os.environ.get("HOME", "/root"))
    cloned = _run(["git", "clone", "--quiet", str(REPO), str(root / "fabrik")], root, env)
    assert cloned.rc == 0, cloned.explain()
    clone = root / "fabrik"
    assert sorted(path.name for path in root.iterdir()) == ["fabrik"]

    setup = _run(["make", "setup"], clone, env, timeout=1800)
    assert setup.rc == 0, setup.explain()
    clone_env = dict(env, FABRIK_SANDBOX_PORT_BASE=str(CLONE_PORT_BASE), FABRIK_SANDBOX_DIR=str(clone / ".sandbox"))
    python = str(clone / ".venv" / "bin" / "python")
    started = _run([python, "-m", "tests.sandbox", "start"], clone, clone_env, timeout=300)
    try:
        assert started.rc == 0, started.explain()
        deployed = _run([str(clone / ".venv" / "bin" / "ansible-playbook"), "site.yml", "-i", "inventories/sandbox",
                         "--tags", "domain,dns"], clone, clone_env)
        assert deployed.rc == 0, deployed.explain()
        assert deployed.changed > 0
        assert deployed.failed == 0
    finally:
        _run([python, "-m", "tests.sandbox", "stop"], clone, clone_env, timeout=120)
