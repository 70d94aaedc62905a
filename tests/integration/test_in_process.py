"""The collection's modules run inside Ansible's worker process (plugins/plugin_utils/in_process.py).

* a whole site run builds no AnsiballZ payload: ``-vvv`` prints ``Using module file <path>`` for every
  module Ansible ships to a host, and no such line appears, while every module of the collection that ran
  says ``Running <module> in the worker process``; the rerun forced onto the module path
  (``fabrik_deploy_in_process=false``) does ship them (so the observable is live), and finds nothing to
  change: both paths converge to the same state;
* a representative playbook (every service's client and library: Cloudflare, Namecheap's XML, Coolify with
  generated secrets, Uptime Kuma's Socket.IO, R2's boto3, WordPress; check and diff mode; a SpecError, an
  ApiError, a Failure with fields, an unknown option; env fallbacks through ``environment:``; no_log
  values of options, suboptions and of what a module reads) registers the same results on both paths,
  ids aside, and shows no secret.
"""

import json
import re

import yaml

from test_performance import BENCH_ENV
from test_site import converge, site_vars, whole

MODULE_FILE = re.compile(r"^Using module file (\S+)$", re.M)
IN_WORKER = re.compile(r"^Running (fabrik\.deploy\.\w+) in the worker process", re.M)
COLLECTION_MODULE = "/fabrik/deploy/plugins/modules/"
FORCE_MODULE_PATH = {"fabrik_deploy_in_process": False}
ZONE = "both-paths.test"
COOLIFY_SECRET = "both-paths-database-password"
KUMA_WEBHOOK = "https://hooks.example.invalid/both-paths-webhook-secret"
SECRETS = ("sandbox-cloudflare-token", "sandbox-namecheap-key", "1|sandbox-coolify-root", "sandbox-kuma-password1",
           "sandbox-r2-secret-key", COOLIFY_SECRET, KUMA_WEBHOOK)
COMPOSE = """\
services:
  web:
    image: nginx:1.27-alpine
    restart: unless-stopped
    expose: ["80"]
    environment:
      DB_PASSWORD: ${SERVICE_PASSWORD_DB}
      SITE_SECRET: ${SITE_SECRET}
"""
# The sandbox inventory's connection settings, as site.yml hands them to the modules.
MODULE_DEFAULTS = {
    "group/fabrik.deploy.cloudflare": {"api_url": "{{ cloudflare_api_url }}", "api_token": "{{ cloudflare_api_token }}",
                                       "account_id": "{{ cloudflare_account_id }}"},
    "group/fabrik.deploy.namecheap": {"api_url": "{{ namecheap_api_url }}", "api_user": "{{ namecheap_api_user }}",
                                      "api_key": "{{ namecheap_api_key }}", "client_ip": "{{ namecheap_client_ip }}"},
    "group/fabrik.deploy.coolify": {"api_url": "{{ coolify_api_url }}", "api_token": "{{ coolify_api_token }}"},
    "group/fabrik.deploy.uptime_kuma": {"url": "{{ uptime_kuma_url }}", "username": "{{ uptime_kuma_username }}",
                                        "password": "{{ uptime_kuma_password }}"},
    "group/fabrik.deploy.r2": {"endpoint_url": "{{ r2_endpoint_url }}", "access_key_id": "{{ r2_access_key_id }}",
                               "secret_access_key": "{{ r2_secret_access_key }}", "api_url": "{{ cloudflare_api_url }}",
                               "api_token": "{{ cloudflare_api_token }}", "account_id": "{{ cloudflare_account_id }}"},
    "group/fabrik.deploy.wordpress": {"url": "{{ wordpress_url }}"},
}
# Values that differ from one sandbox run to the next, whatever the path.
VOLATILE_KEYS = re.compile(r"(^|_)(id|ids|uuid|on|at|date|time|etag|last_modified|version|link|url)$")


def modules_shipped(output):
    return sorted(set(MODULE_FILE.findall(output)))


def test_a_site_run_builds_no_payload_for_the_collection_and_the_module_path_agrees(sandbox, tmp_path):
    box = whole(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"site": site_vars(tmp_path)})

    counts_file = tmp_path / "counts.json"
    fresh = converge(sandbox, inventory, verbosity=3, env=dict(BENCH_ENV, FABRIK_BENCH_COUNTS=str(counts_file)))

    ran = {action for action in json.loads(counts_file.read_text())["by_action"] if action.startswith("fabrik.deploy.")}
    assert fresh.changed > 0 and len(ran) >= 15, ran
    # Every module of the collection ran in the worker, and no module of any collection was shipped.
    assert set(IN_WORKER.findall(fresh.output)) >= ran, ran
    assert modules_shipped(fresh.output) == []

    box.reset_log()
    rerun = converge(sandbox, inventory, verbosity=3, extra_vars=FORCE_MODULE_PATH)

    shipped = [path.rsplit("/", 1)[-1] for path in modules_shipped(rerun.output) if COLLECTION_MODULE in path]
    assert {"site_spec.py", "cloudflare_dns_records.py", "coolify_service.py", "wordpress_pages.py",
            "uptime_kuma_monitors.py", "r2_bucket.py", "r2_object.py", "site_check.py"} <= set(shipped), shipped
    assert rerun.changed == 0, rerun.explain()
    assert box.writes() == []


def both_paths_playbook(tmp_path):
    results = tmp_path / "results.json"
    tasks = [
        {"name": "zone", "fabrik.deploy.cloudflare_zone": {"name": ZONE}, "register": "zone"},
        {"name": "records, the token in a record", "fabrik.deploy.cloudflare_dns_records": {
            "zone": ZONE, "records": [{"type": "A", "name": "@", "content": "192.0.2.10"},
                                      {"type": "TXT", "name": "@", "content": "token {{ cloudflare_api_token }}"}]},
         "diff": True, "register": "records"},
        {"name": "records again, planned", "fabrik.deploy.cloudflare_dns_records": {
            "zone": ZONE, "records": [{"type": "A", "name": "@", "content": "192.0.2.20"}]},
         "check_mode": True, "diff": True, "register": "records_plan"},
        {"name": "settings, the token from the task's environment", "fabrik.deploy.cloudflare_zone_settings": {
            "zone": ZONE, "settings": {"ssl": "strict"}, "api_token": "{{ omit }}"},
         "environment": {"CLOUDFLARE_API_TOKEN": "{{ cloudflare_api_token }}"}, "register": "settings"},
        {"name": "a bad zone name", "fabrik.deploy.cloudflare_dns_records": {"zone": "not a zone", "records": []},
         "register": "bad_zone", "ignore_errors": True},
        {"name": "an unknown option", "fabrik.deploy.cloudflare_zone_info": {"name": ZONE, "colour": "red"},
         "register": "unknown_option", "ignore_errors": True},
        {"name": "registrar", "fabrik.deploy.namecheap_domain_info": {"domain": ZONE}, "register": "registrar"},
        {"name": "a whole service with a secret and generated ones", "fabrik.deploy.coolify_service": {
            "project": ZONE, "create_scope": True, "server": "sandbox-server", "name": "both-paths",
            "compose": COMPOSE, "envs": [{"key": "SITE_SECRET", "value": COOLIFY_SECRET}],
            "generate_referenced": {"length": 24}},
         "diff": True, "register": "service"},
        {"name": "a refused token", "fabrik.deploy.coolify_project": {"name": ZONE, "api_token": "1|wrong-token"},
         "register": "refused", "ignore_errors": True},
        {"name": "monitoring tag", "fabrik.deploy.uptime_kuma_tag": {"name": ZONE, "color": "#2563eb"},
         "register": "tag"},
        {"name": "a notification with a secret webhook", "fabrik.deploy.uptime_kuma_notification": {
            "name": "both paths", "type": "webhook",
            "config": {"webhookURL": KUMA_WEBHOOK, "webhookContentType": "json"}},
         "diff": True, "register": "notification"},
        {"name": "bucket", "fabrik.deploy.r2_bucket": {"name": "both-paths"}, "register": "bucket"},
        {"name": "object", "fabrik.deploy.r2_object": {"bucket": "both-paths", "key": "hello.txt", "content": "hello\n"},
         "register": "object"},
        {"name": "wordpress", "fabrik.deploy.wordpress_info": {}, "register": "wordpress"},
        {"name": "an invalid site spec", "fabrik.deploy.site_spec": {
            "variables": {"site_domain": "bad domain"}, "stages": ["domain"], "credentials": False},
         "register": "spec", "ignore_errors": True},
    ]
    names = [task["register"] for task in tasks]
    tasks.append({"name": "results", "ansible.builtin.copy": {
        "dest": str(results), "mode": "0600",
        "content": "{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (name, name) for name in names)}})
    play = [{"name": "Both paths", "hosts": "sites", "gather_facts": False, "tasks": tasks,
             "module_defaults": MODULE_DEFAULTS}]
    path = tmp_path / "both-paths.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path, results


def stable(value, key=""):
    """``value`` with what differs between two sandbox runs whatever the path (ids, times) blanked."""
    if isinstance(value, dict):
        return {name: stable(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [stable(item, key) for item in value]
    if VOLATILE_KEYS.search(key) and isinstance(value, (str, int)) and not isinstance(value, bool):
        return "<%s>" % key
    return value


def run_both_paths(sandbox, tmp_path, extra_vars=None):
    tmp_path.mkdir()
    whole(sandbox)
    sandbox.configure("namecheap", rate_limit_per_minute=100000)
    playbook, results = both_paths_playbook(tmp_path)
    inventory = sandbox.inventory(tmp_path / "inv", {"site": {"site_domain": ZONE}})
    run = sandbox.playbook(playbook, inventory, extra_vars=extra_vars, env={"ANSIBLE_INJECT_INVOCATION": "1"})
    assert run.rc == 0, run.explain() + sandbox.logs()
    for secret in SECRETS:
        assert secret not in run.output
        assert secret not in results.read_text()
    return json.loads(results.read_text()), run


def test_both_paths_register_the_same_results(sandbox, tmp_path):
    in_process, run = run_both_paths(sandbox, tmp_path / "in-process")
    module_path, forced = run_both_paths(sandbox, tmp_path / "module-path", FORCE_MODULE_PATH)

    assert not [path for path in modules_shipped(run.output) if COLLECTION_MODULE in path]
    assert stable(in_process) == stable(module_path)
    # What the comparison covers: changes, plans, failures of each kind, masked values.
    assert in_process["records"]["changed"] and in_process["records"]["diff"]["after"]
    assert in_process["records_plan"]["changed"] and not in_process["zone"].get("diff")
    assert "********" in json.dumps(in_process["records"]["records"])
    assert in_process["settings"]["changed"] is True
    assert in_process["bad_zone"]["failed"] and in_process["bad_zone"]["field"] == "zone"
    assert in_process["unknown_option"]["msg"].startswith("Unsupported parameters for")
    assert in_process["refused"]["failed"] and in_process["refused"]["status"] == 401
    assert in_process["spec"]["failed"] and "- site_domain: " in in_process["spec"]["msg"]
    assert {env["key"]: env["value"][:8] for env in in_process["service"]["diff"]["after"]["envs"]} == {
        "SITE_SECRET": "********", "SERVICE_PASSWORD_DB": "********"}  # the generated value too
    assert in_process["object"]["changed"] and in_process["tag"]["changed"]
    assert in_process["service"]["invocation"]["module_args"]["api_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert forced.recap == run.recap


def test_the_settings_variables_reach_the_modules_on_both_paths(sandbox, tmp_path):
    """``fabrik_deploy_state_dir`` and ``fabrik_deploy_rate_limits`` (in_process.SETTING_VARIABLES) hold in a
    worker and in a module process alike: the limiter counts in that directory, with those limits."""
    whole(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"site": {"site_domain": ZONE}})
    tasks = [{"name": "zones", "fabrik.deploy.cloudflare_zone_info": {}},
             {"name": "monitors", "fabrik.deploy.uptime_kuma_info": {}},
             {"name": "monitors again", "fabrik.deploy.uptime_kuma_info": {}}]
    playbook = tmp_path / "settings.yml"
    playbook.write_text(yaml.safe_dump([{"name": "Settings", "hosts": "sites", "gather_facts": False,
                                         "module_defaults": MODULE_DEFAULTS, "tasks": tasks}], sort_keys=False))
    kept = {}
    for name, switch in (("in-process", {}), ("module-path", FORCE_MODULE_PATH)):
        state = tmp_path / name
        settings = {"fabrik_deploy_state_dir": str(state),
                    "fabrik_deploy_rate_limits": "cloudflare=500/60,uptime_kuma_login=50/60"}
        run = sandbox.playbook(playbook, inventory, extra_vars=dict(switch, **settings), verbosity=3)
        assert run.rc == 0, run.explain() + sandbox.logs()
        assert bool(modules_shipped(run.output)) is (name == "module-path")
        counts = {path.name.split("-", 1)[0]: len(json.loads(path.read_text()))
                  for path in (state / "limits").glob("*.json")}
        assert counts.get("cloudflare", 0) >= 1, counts
        kept[name] = (counts.get("uptime_kuma_login"), sorted(path.name for path in (state / "sessions").glob("*")))
    # In the workers the run's login token is kept: one password login; a module process has no run key.
    assert kept["in-process"][0] == 1 and len(kept["in-process"][1]) == 1, kept
    assert kept["module-path"] == (2, []), kept
