"""The four Cloudflare modules' main() against the Cloudflare emulator served in-process on loopback."""

import json

import pytest
import requests
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fabrik.deploy.plugins.modules import (
    cloudflare_dns_records,
    cloudflare_zone,
    cloudflare_zone_info,
    cloudflare_zone_settings,
)
from tests.sandbox.base import Emulator, SharedState
from tests.sandbox.cloudflare import SANDBOX_ACCOUNT_ID, SANDBOX_TOKEN, CloudflareEmulator
from tests.sandbox.framework import SandboxApp, serve

ZONE = "site.test"
SITE_RECORDS = [
    {"type": "A", "name": "@", "content": "192.0.2.10", "proxied": True},
    {"type": "CNAME", "name": "www", "content": ZONE, "proxied": True},
    {"type": "MX", "name": "@", "content": "mx1.mail.example.net", "priority": 10},
    {"type": "TXT", "name": "@", "content": "v=spf1 -all", "comment": "mail policy", "tags": ["owner:ops"]},
    {"type": "CAA", "name": "@", "content": '0 issue "letsencrypt.org"'},
]


class Registrar(Emulator):
    """The registrar side of zone activation: nameservers per domain."""

    name = "namecheap"

    def __init__(self, shared):
        super().__init__(shared)
        self.nameservers = {}

    def reset(self):
        self.nameservers = {}

    def nameservers_for(self, domain):
        return self.nameservers.get(domain)


class Sandbox:
    def __init__(self, root, registrar):
        self.root = root
        self.registrar = registrar

    def control(self, method, path, body=None):
        response = requests.request(method, "%s/_sandbox/%s" % (self.root, path), json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def requests(self):
        return [(entry["method"], entry["path"]) for entry in self.control("GET", "requests")]

    def writes(self):
        return [entry for entry in self.requests() if entry[0] != "GET"]

    def forget_requests(self):
        self.control("DELETE", "requests")

    def zone_state(self, name=ZONE):
        zones = [zone for zone in self.control("GET", "state")["zones"] if zone["name"] == name]
        return zones[0] if zones else None


@pytest.fixture(scope="module")
def served():
    shared = SharedState()
    registrar = Registrar(shared)
    app = SandboxApp(CloudflareEmulator(shared, activation_delay=0))
    server = serve(app)
    yield Sandbox("http://127.0.0.1:%d" % server.server_port, registrar)
    app.close()
    server.shutdown()


@pytest.fixture
def sandbox(served):
    served.control("POST", "reset")
    served.registrar.reset()
    yield served
    assert served.control("GET", "violations") == []


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


@pytest.fixture
def run(monkeypatch, sandbox):
    """run(module, check=False, diff=False, **args) -> the module's result (``failed`` set on failure)."""

    warnings = []

    def exit_json(_module, **result):
        raise ModuleExit(dict(result, warnings=list(warnings)))

    def fail_json(_module, msg, **result):
        raise ModuleExit(dict(result, msg=msg, failed=True, warnings=list(warnings)))

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(AnsibleModule, "warn", lambda _module, warning: warnings.append(warning))

    def invoke(module, check=False, diff=False, **args):
        warnings.clear()
        connection = {"api_token": SANDBOX_TOKEN, "api_url": sandbox.root + "/client/v4",
                      "account_id": SANDBOX_ACCOUNT_ID}
        with patch_module_args(dict(connection, _ansible_check_mode=check, _ansible_diff=diff, **args)):
            with pytest.raises(ModuleExit) as caught:
                module.main()
        assert SANDBOX_TOKEN not in json.dumps(caught.value.result, default=str)
        return caught.value.result

    return invoke


def create_zone(run, name=ZONE):
    result = run(cloudflare_zone, name=name)
    assert not result.get("failed"), result
    return result["zone"]


# --- cloudflare_zone / cloudflare_zone_info ---------------------------------------------------


def test_zone_is_created_once_and_rerun_writes_nothing(run, sandbox):
    result = run(cloudflare_zone, name="Site.Test", diff=True)
    assert result["changed"] is True
    zone = result["zone"]
    assert (zone["name"], zone["status"], zone["type"]) == (ZONE, "pending", "full")
    assert len(zone["name_servers"]) == 2
    assert result["diff"] == {"before": None, "after": zone}
    assert sandbox.writes() == [("POST", "/zones")]

    sandbox.forget_requests()
    again = run(cloudflare_zone, name=ZONE)
    assert again["changed"] is False and again["zone"]["id"] == zone["id"]
    assert sandbox.writes() == []


def test_zone_check_mode_reports_creation_without_writing(run, sandbox):
    result = run(cloudflare_zone, check=True, name=ZONE)
    assert result["changed"] is True and result["zone"]["id"] is None
    assert sandbox.writes() == [] and sandbox.zone_state() is None


def test_zone_creation_needs_an_account(run, sandbox):
    result = run(cloudflare_zone, name=ZONE, account_id=None)
    assert result["failed"] and result["field"] == "account_id"
    assert sandbox.writes() == []


def test_bad_zone_name_fails_before_any_request(run, sandbox):
    result = run(cloudflare_zone, name="not_a domain")
    assert result["failed"] and result["msg"].startswith("name: ")
    assert sandbox.requests() == []


def test_zone_absent_deletes_and_check_mode_only_reports(run, sandbox):
    create_zone(run)
    planned = run(cloudflare_zone, check=True, name=ZONE, state="absent")
    assert planned["changed"] is True and sandbox.zone_state() is not None
    deleted = run(cloudflare_zone, name=ZONE, state="absent")
    assert deleted["changed"] is True and deleted["zone"] is None
    assert sandbox.zone_state() is None
    assert run(cloudflare_zone, name=ZONE, state="absent")["changed"] is False


def test_wait_active_times_out_naming_status_and_expected_nameservers(run, sandbox):
    zone = create_zone(run)
    result = run(cloudflare_zone, name=ZONE, wait_active=True, wait_timeout=0, wait_interval=1)
    assert result["failed"]
    assert result["msg"] == "Zone site.test is still pending after 0 s; Cloudflare expects the nameservers %s" \
        % ", ".join(zone["name_servers"])
    assert result["zone"]["status"] == "pending"


def test_activation_check_and_wait_reach_an_active_zone(run, sandbox):
    sandbox.control("POST", "config", {"activation_delay": 60})  # only an activation check is fast enough
    zone = create_zone(run)
    sandbox.registrar.nameservers[ZONE] = list(zone["name_servers"])
    sandbox.forget_requests()
    result = run(cloudflare_zone, name=ZONE, activation_check=True, wait_active=True, wait_timeout=30,
                 wait_interval=1)
    assert result["changed"] is False
    assert result["zone"]["status"] == "active" and result["zone"]["activated_on"]
    assert ("PUT", "/zones/%s/activation_check" % zone["id"]) in sandbox.writes()


def test_zone_info_reads_one_zone_or_all(run, sandbox):
    missing = run(cloudflare_zone_info, name=ZONE)
    assert (missing["exists"], missing["zone"], missing["changed"]) == (False, None, False)
    create_zone(run)
    create_zone(run, "other.test")
    found = run(cloudflare_zone_info, name=ZONE)
    assert found["exists"] is True and found["zone"]["name"] == ZONE
    listed = run(cloudflare_zone_info)
    assert [zone["name"] for zone in listed["zones"]] == ["other.test", ZONE]
    assert sandbox.writes() == [("POST", "/zones"), ("POST", "/zones")]


# --- cloudflare_dns_records -------------------------------------------------------------------


def records_in_sandbox(sandbox):
    return sorted((r["type"], r["name"], r["content"]) for r in sandbox.zone_state()["records"])


def test_records_converge_in_one_batch_and_rerun_changes_nothing(run, sandbox):
    zone = create_zone(run)
    sandbox.forget_requests()
    result = run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS, diff=True)
    assert result["changed"] is True, result
    assert sandbox.writes() == [("POST", "/zones/%s/dns_records/batch" % zone["id"])]
    assert len(result["created"]) == 5 and result["updated"] == [] and result["deleted"] == []
    assert all(record["id"] for record in result["records"])
    assert result["diff"]["before"] == {"records": []}
    assert {"type": "CNAME", "name": "www.site.test", "content": ZONE, "ttl": 1, "proxied": True} \
        in result["diff"]["after"]["records"]
    assert records_in_sandbox(sandbox) == [
        ("A", ZONE, "192.0.2.10"), ("CAA", ZONE, '0 issue "letsencrypt.org"'),
        ("CNAME", "www.site.test", ZONE), ("MX", ZONE, "mx1.mail.example.net"), ("TXT", ZONE, "v=spf1 -all")]

    sandbox.forget_requests()
    again = run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS)
    assert again["changed"] is False, again
    assert sandbox.writes() == []
    assert len(sandbox.requests()) == 2  # zone lookup + one page of records


def test_records_check_mode_plans_without_writing(run, sandbox):
    create_zone(run)
    run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS)
    sandbox.forget_requests()
    changed = [dict(SITE_RECORDS[0], content="192.0.2.99")] + SITE_RECORDS[1:]
    result = run(cloudflare_dns_records, check=True, diff=True, zone=ZONE, records=changed, prune=True)
    assert result["changed"] is True
    assert result["created"] == [{"type": "A", "name": ZONE, "content": "192.0.2.99"}]
    assert result["deleted"] == [{"type": "A", "name": ZONE, "content": "192.0.2.10"}]
    before = [view for view in result["diff"]["before"]["records"] if view["type"] == "A"]
    after = [view for view in result["diff"]["after"]["records"] if view["type"] == "A"]
    assert [v["content"] for v in before] == ["192.0.2.10"] and [v["content"] for v in after] == ["192.0.2.99"]
    assert sandbox.writes() == []
    assert ("A", ZONE, "192.0.2.10") in records_in_sandbox(sandbox)


def test_records_update_patches_and_prune_deletes(run, sandbox):
    create_zone(run)
    run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS)
    changed = [dict(SITE_RECORDS[0], proxied=False, ttl=300),
               dict(SITE_RECORDS[1], content="target.example.net")] + SITE_RECORDS[2:4]
    result = run(cloudflare_dns_records, zone=ZONE, records=changed, prune=True)
    assert result["changed"] is True
    assert sorted(item["type"] for item in result["updated"]) == ["A", "CNAME"]
    assert result["deleted"] == [{"type": "CAA", "name": ZONE,
                                  "data": {"flags": 0, "tag": "issue", "value": "letsencrypt.org"}}]
    state = {r["type"]: r for r in sandbox.zone_state()["records"]}
    assert (state["A"]["proxied"], state["A"]["ttl"]) == (False, 300)
    assert state["CNAME"]["content"] == "target.example.net" and state["CNAME"]["proxied"] is True
    assert state["TXT"]["comment"] == "mail policy" and "CAA" not in state
    assert run(cloudflare_dns_records, zone=ZONE, records=changed, prune=True)["changed"] is False


def test_records_by_zone_id(run, sandbox):
    zone = create_zone(run)
    result = run(cloudflare_dns_records, zone_id=zone["id"], records=SITE_RECORDS[:1])
    assert result["changed"] is True and result["records"][0]["name"] == ZONE


def test_invalid_records_fail_before_any_request(run, sandbox):
    bad = SITE_RECORDS[:2] + [{"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 5}]
    result = run(cloudflare_dns_records, zone=ZONE, records=bad)
    assert result["failed"]
    assert result["field"] == "records[2].ttl"
    assert result["msg"] == "records[2].ttl: 1 (automatic) or 60..86400 expected, got 5"
    assert sandbox.requests() == []


def test_unknown_zone_fails_clearly(run, sandbox):
    result = run(cloudflare_dns_records, zone="missing.test", records=SITE_RECORDS[:1])
    assert result["failed"] and "zone missing.test not found" in result["msg"]


def test_lost_batch_response_is_reread_and_not_applied_twice(run, sandbox):
    create_zone(run)
    sandbox.control("POST", "faults", {"method": "POST", "path": "/zones/*/dns_records/batch",
                                       "status": 504, "after": True})
    result = run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS)
    assert result["changed"] is True and not result.get("failed"), result
    assert len(result["records"]) == 5
    assert len(sandbox.zone_state()["records"]) == 5
    batches = [entry for entry in sandbox.writes() if entry[1].endswith("/batch")]
    assert len(batches) == 1


def test_api_rejection_is_reported_with_code_and_message(run, sandbox):
    create_zone(run)
    sandbox.control("POST", "faults", {"method": "POST", "path": "/zones/*/dns_records/batch", "status": 500})
    result = run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS[:1])
    assert result["failed"]
    assert result["msg"].startswith("Cloudflare: apply DNS record batch failed: POST /zones/")
    assert "HTTP 500" in result["msg"]


# --- cloudflare_zone_settings -----------------------------------------------------------------


def test_settings_patch_only_differences_and_rerun_is_quiet(run, sandbox):
    zone = create_zone(run)
    sandbox.forget_requests()
    settings = {"ssl": "strict", "always_use_https": True, "min_tls_version": 1.2}
    result = run(cloudflare_zone_settings, zone=ZONE, settings=settings, diff=True)
    assert result["changed"] is True
    assert result["settings"] == {"ssl": "strict", "always_use_https": "on", "min_tls_version": "1.2"}
    assert result["diff"]["before"] == {"ssl": "off", "always_use_https": "off", "min_tls_version": "1.0"}
    reads = [path for method, path in sandbox.requests() if method == "GET" and "/settings" in path]
    assert reads == ["/zones/%s/settings" % zone["id"]]
    assert len(sandbox.writes()) == 3

    sandbox.forget_requests()
    again = run(cloudflare_zone_settings, zone_id=zone["id"], settings=settings)
    assert again["changed"] is False and sandbox.writes() == []


def test_settings_check_mode_and_single_setting_reads(run, sandbox):
    zone = create_zone(run)
    run(cloudflare_zone_settings, zone=ZONE, settings={"ssl": "full"})
    sandbox.forget_requests()
    result = run(cloudflare_zone_settings, check=True, zone_id=zone["id"], settings={"ssl": "strict"})
    assert result["changed"] is True and result["settings"] == {"ssl": "strict"}
    assert sandbox.requests() == [("GET", "/zones/%s/settings/ssl" % zone["id"])]


def test_bad_setting_value_fails_before_any_request(run, sandbox):
    result = run(cloudflare_zone_settings, zone=ZONE, settings={"min_tls_version": "1.5"})
    assert result["failed"] and result["field"] == "settings.min_tls_version"
    assert sandbox.requests() == []


def test_check_mode_plans_records_and_settings_of_a_zone_not_created_yet(run, sandbox):
    records = run(cloudflare_dns_records, check=True, zone=ZONE, records=SITE_RECORDS)
    assert records["changed"] is True and not records.get("failed"), records
    assert len(records["created"]) == 5
    assert any("does not exist yet" in warning for warning in records.get("warnings", []))
    settings = run(cloudflare_zone_settings, check=True, zone=ZONE, settings={"ssl": "strict"})
    assert settings["changed"] is True and settings["settings"] == {"ssl": "strict"}
    assert sandbox.writes() == []
    assert sandbox.requests() == [("GET", "/zones"), ("GET", "/zones")]


def test_exclusive_apex_record_follows_a_new_address(run, sandbox):
    create_zone(run)
    web = [dict(SITE_RECORDS[0], exclusive=True), SITE_RECORDS[1]]
    run(cloudflare_dns_records, zone=ZONE, records=web)
    moved = [dict(web[0], content="192.0.2.99"), web[1]]
    planned = run(cloudflare_dns_records, check=True, diff=True, zone=ZONE, records=moved)
    assert [v["content"] for v in planned["diff"]["before"]["records"] if v["type"] == "A"] == ["192.0.2.10"]
    assert [v["content"] for v in planned["diff"]["after"]["records"] if v["type"] == "A"] == ["192.0.2.99"]
    result = run(cloudflare_dns_records, zone=ZONE, records=moved)
    assert result["updated"] == [{"type": "A", "name": ZONE, "content": "192.0.2.99"}]
    assert [r for r in records_in_sandbox(sandbox) if r[0] == "A"] == [("A", ZONE, "192.0.2.99")]


def test_empty_token_is_refused_before_any_request(run, sandbox):
    result = run(cloudflare_zone_info, name=ZONE, api_token="")
    assert result["failed"] and result["msg"].startswith("api_token: ")
    assert sandbox.requests() == []


def test_a_batch_refused_because_a_concurrent_run_wrote_first_is_replanned_once(run, sandbox, monkeypatch):
    """Both runs planned the same records; the other one's batch went first, ours is refused (81058)."""
    from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import CloudflareClient
    create_zone(run)
    original = CloudflareClient.apply_batch
    raced = []

    def apply_batch(client, zone_id, deletes=(), patches=(), posts=()):
        if not raced:
            raced.append(original(client, zone_id, deletes, patches, list(posts)[:2]))  # the other run's records
        return original(client, zone_id, deletes, patches, posts)

    monkeypatch.setattr(CloudflareClient, "apply_batch", apply_batch)
    result = run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS)
    assert result["changed"] is True and not result.get("failed"), result
    assert len(sandbox.zone_state()["records"]) == 5
    batches = [entry for entry in sandbox.writes() if entry[1].endswith("/batch")]
    assert len(batches) == 3  # the other run's, ours refused, ours with the remainder
    monkeypatch.setattr(CloudflareClient, "apply_batch", original)
    assert run(cloudflare_dns_records, zone=ZONE, records=SITE_RECORDS)["changed"] is False
