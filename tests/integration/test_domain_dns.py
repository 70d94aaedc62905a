"""The domain, dns and gate stages of site.yml, end to end against the sandbox."""

import copy
import re

import pytest

import observe

STAGES = ["domain", "dns", "gate"]
CONTACT = {
    "first_name": "Ada", "last_name": "Example", "organization": "Test Ltd",
    "address1": "1 Example Street", "city": "Exampleville", "state_province": "EX",
    "postal_code": "12345", "country": "GB", "phone": "+44.2071234567", "email": "ada@example.invalid",
}


def site(domain="site-one.test", **overrides):
    spec = {
        "site_domain": domain,
        "site_server_ip": "192.0.2.10",
        "domain_register": True,
        "domain_contacts": {"registrant": CONTACT},
        "dns_extra_records": [
            {"type": "MX", "name": "@", "content": "mx1.mail.example.net", "priority": 10},
            {"type": "TXT", "name": "@", "content": "v=spf1 include:_spf.mail.example.net ~all"},
            {"type": "TXT", "name": "_verify", "content": "token=\"quoted\" & <angle>"},
        ],
        "dns_gate_timeout": 30,
        "dns_gate_interval": 1,
    }
    spec.update(overrides)
    return spec


@pytest.fixture()
def one_site(sandbox, tmp_path):
    return sandbox.inventory(tmp_path / "inv", {"site-one": site()})


def converge(sandbox, inventory, **kwargs):
    run = sandbox.playbook("site.yml", inventory, tags=STAGES, **kwargs)
    assert run.rc == 0, run.explain() + sandbox.logs()
    return run


def test_fresh_run_reaches_an_active_zone_with_records(sandbox, one_site):
    run = converge(sandbox, one_site)
    assert run.changed > 0
    state = observe.everything(sandbox)
    zone = state["cloudflare"]["site-one.test"]
    assert zone["status"] == "active"
    assert state["namecheap"]["site-one.test"]["nameservers"] == zone["name_servers"]
    records = {(r[0], r[1]) for r in zone["records"]}
    assert ("A", "site-one.test") in records
    assert ("CNAME", "www.site-one.test") in records
    assert ("MX", "site-one.test") in records
    assert ("TXT", "_verify.site-one.test") in records
    txt = [r for r in zone["records"] if r[1] == "_verify.site-one.test"][0]
    assert txt[2] == 'token="quoted" & <angle>'
    assert zone["settings"] == {"ssl": "strict", "always_use_https": "on", "min_tls_version": "1.2"}


def test_second_run_changes_nothing_and_writes_nothing(sandbox, one_site):
    converge(sandbox, one_site)
    sandbox.reset_log()
    again = converge(sandbox, one_site)
    assert again.changed == 0, again.explain()
    assert sandbox.writes() == []


def test_check_mode_on_a_fresh_sandbox_sends_no_write(sandbox, one_site):
    run = sandbox.playbook("site.yml", one_site, tags=["domain", "dns"], check=True, diff=True)
    assert run.rc == 0, run.explain()
    assert run.changed > 0
    assert sandbox.writes() == []
    assert "site-one.test" in run.stdout
    assert observe.cloudflare(sandbox) == {}


def test_check_diff_on_a_converged_site_shows_only_the_planned_record_change(sandbox, tmp_path, one_site):
    converge(sandbox, one_site)
    before = observe.everything(sandbox)
    changed_spec = site(site_server_ip="192.0.2.99")
    inventory = sandbox.inventory(tmp_path / "inv2", {"site-one": changed_spec})
    sandbox.reset_log()
    plan = sandbox.playbook("site.yml", inventory, tags=STAGES, check=True, diff=True)
    assert plan.rc == 0, plan.explain()
    assert plan.changed == 1, plan.explain()
    assert "192.0.2.99" in plan.stdout and "192.0.2.10" in plan.stdout
    assert sandbox.writes() == []
    assert observe.everything(sandbox) == before


def test_removed_record_is_kept_without_prune_and_deleted_with_prune(sandbox, tmp_path, one_site):
    converge(sandbox, one_site)
    fewer = site(dns_extra_records=[])
    inventory = sandbox.inventory(tmp_path / "fewer", {"site-one": fewer})
    run = converge(sandbox, inventory)
    assert run.changed == 0
    assert len(observe.cloudflare(sandbox)["site-one.test"]["records"]) == 5
    pruned = sandbox.inventory(tmp_path / "pruned", {"site-one": dict(fewer, dns_prune=True)})
    run = converge(sandbox, pruned)
    assert run.changed == 1
    types = sorted(r[0] for r in observe.cloudflare(sandbox)["site-one.test"]["records"])
    assert types == ["A", "CNAME"]


def test_a_changed_spf_or_dmarc_text_replaces_the_record_without_prune(sandbox, tmp_path, one_site):
    converge(sandbox, one_site)
    records = site()["dns_extra_records"]
    changed = [dict(record, content="v=spf1 include:_spf.other.example.net -all")
               if record["content"].startswith("v=spf1") else record for record in records]
    changed.append({"type": "TXT", "name": "_dmarc", "content": "v=DMARC1; p=none"})
    inventory = sandbox.inventory(tmp_path / "spf", {"site-one": site(dns_extra_records=changed)})
    converge(sandbox, inventory)
    stricter = [dict(record, content="v=DMARC1; p=reject") if record["name"] == "_dmarc" else record
                for record in changed]
    inventory = sandbox.inventory(tmp_path / "dmarc", {"site-one": site(dns_extra_records=stricter)})
    sandbox.reset_log()
    run = converge(sandbox, inventory)
    assert run.changed == 1
    txt = sorted((r[1], r[2]) for r in observe.cloudflare(sandbox)["site-one.test"]["records"] if r[0] == "TXT")
    assert txt == [("_dmarc.site-one.test", "v=DMARC1; p=reject"), ("_verify.site-one.test", 'token="quoted" & <angle>'),
                   ("site-one.test", "v=spf1 include:_spf.other.example.net -all")]
    # one batch request, patching the record in place
    batches = [entry for entry in sandbox.writes("cloudflare") if entry["path"].endswith("/dns_records/batch")]
    assert len(batches) == 1 and len(sandbox.writes("cloudflare")) == 1


def test_gate_timeout_says_what_registrar_has_and_cloudflare_expects(sandbox, tmp_path):
    spec = site(domain="site-gate.test", domain_manage_nameservers=False, dns_gate_timeout=2)
    inventory = sandbox.inventory(tmp_path / "inv", {"site-gate": spec})
    run = sandbox.playbook("site.yml", inventory, tags=STAGES)
    assert run.rc != 0
    zone = observe.cloudflare(sandbox)["site-gate.test"]
    assert zone["status"] == "pending"
    assert "dns1.registrar-servers.com" in run.stdout
    for ns in zone["name_servers"]:
        assert ns in run.stdout


# Writes whose failure a run may absorb: Cloudflare rate-limits activation checks, so the gate only
# warns when one is refused and goes on polling the zone's status.
ABSORBED = {("cloudflare", "PUT", "/zones/*/activation_check")}
# Writes whose lost answer (applied, then a 500) a run absorbs by reading again: a domain order that went
# through is found in the account (as when a concurrent run bought it), with a warning.
ABSORBED_AFTER = {("namecheap", "POST", "namecheap.domains.create")}


def _writes_key(entry):
    """A fault point: service, method and the path with resource ids as wildcards (or the Namecheap command)."""
    target = entry.get("command") or re.sub(r"/[0-9a-f]{32}(?=/|$)", "/*", entry["path"])
    return (entry["service"], entry["method"], target)


def test_fault_at_each_write_then_rerun_converges_without_duplicates(sandbox, tmp_path, one_site):
    """Walk every mutating request of a fresh run; fail it (before and after it is applied); rerun."""
    converge(sandbox, one_site)
    clean_state = observe.everything(sandbox)
    sandbox.reset()
    sandbox.configure("namecheap", rate_limit_per_minute=100000)
    converge(sandbox, one_site)
    fault_points = sorted(set(_writes_key(w) for w in sandbox.writes()))
    assert len(fault_points) >= 6, fault_points
    covered = []
    for service, method, target in fault_points:
        for after in (False, True):
            sandbox.reset()
            sandbox.configure("namecheap", rate_limit_per_minute=100000)
            spec = {"method": method, "status": 500, "times": 1, "after": after}
            if service == "namecheap":
                spec.update(command=target, path="/xml.response")
            else:
                spec.update(path=target)
            sandbox.fault(service, **spec)
            failed = sandbox.playbook("site.yml", one_site, tags=STAGES)
            sandbox.clear_faults()
            absorbed = (service, method, target) in ABSORBED or (after and (service, method, target) in ABSORBED_AFTER)
            if not absorbed:
                assert failed.rc != 0, "the fault at %s %s %s (after=%s) did not fail the run" % (
                    service, method, target, after)
            rerun = sandbox.playbook("site.yml", one_site, tags=STAGES)
            assert rerun.rc == 0, "fault at %s %s %s (after=%s)\n%s" % (service, method, target, after, rerun.explain())
            assert observe.everything(sandbox) == clean_state, "state differs after fault at %s %s %s (after=%s)" % (
                service, method, target, after)
            covered.append("%s %s %s after=%s first_rc=%s" % (service, method, target, after, failed.rc))
    print("fault points covered:\n" + "\n".join(covered))


def test_registrar_host_list_keeps_records_the_site_does_not_manage(sandbox, tmp_path):
    inventory = sandbox.inventory(tmp_path / "inv", {"owned": {"site_domain": "fabrik-owned.com"}})
    before = observe.namecheap(sandbox)["fabrik-owned.com"]
    assert before["hosts"], "the sandbox seeds fabrik-owned.com with records"
    playbook = tmp_path / "hosts.yml"
    playbook.write_text(HOSTS_PLAYBOOK)
    run = sandbox.playbook(str(playbook), inventory)
    assert run.rc == 0, run.explain()
    assert run.changed == 1
    after = observe.namecheap(sandbox)["fabrik-owned.com"]
    assert set(before["hosts"]) < set(after["hosts"])
    assert ("www", "A", "192.0.2.44", "1800") in after["hosts"]
    assert after["email_type"] == before["email_type"]
    again = sandbox.playbook(str(playbook), inventory)
    assert again.rc == 0 and again.changed == 0, again.explain()


HOSTS_PLAYBOOK = """
- name: Registrar host records
  hosts: sites
  gather_facts: false
  module_defaults:
    group/fabrik.deploy.namecheap:
      api_url: "{{ namecheap_api_url }}"
      api_user: "{{ namecheap_api_user }}"
      api_key: "{{ namecheap_api_key }}"
      client_ip: "{{ namecheap_client_ip }}"
  tasks:
    - name: The www record, leaving the rest alone
      fabrik.deploy.namecheap_dns_hosts:
        domain: "{{ site_domain }}"
        records:
          - name: www
            type: A
            address: 192.0.2.44
"""


BAD_SPECS = [
    ("site_domain", {"site_domain": "not a domain"}),
    ("site_domain", {"site_domain": "-bad-.test"}),
    ("records[", {"dns_extra_records": [{"type": "BOGUS", "name": "x", "content": "y"}]}),
    ("ttl", {"dns_extra_records": [{"type": "TXT", "name": "x", "content": "y", "ttl": 5}]}),
    ("ttl", {"dns_extra_records": [{"type": "TXT", "name": "x", "content": "y", "ttl": 100000}]}),
    ("content", {"dns_extra_records": [{"type": "A", "name": "x", "content": "999.1.1.1"}]}),
    ("content", {"dns_extra_records": [{"type": "AAAA", "name": "x", "content": "192.0.2.1"}]}),
    ("priority", {"dns_extra_records": [{"type": "MX", "name": "@", "content": "mx.example.net"}]}),
    ("CNAME", {"dns_extra_records": [{"type": "CNAME", "name": "@", "content": "elsewhere.example.net"}]}),
    ("proxied", {"dns_extra_records": [{"type": "TXT", "name": "x", "content": "y", "proxied": True}]}),
    ("name", {"dns_extra_records": [{"type": "A", "name": "host.other-zone.net", "content": "192.0.2.1"}]}),
    ("ssl", {"dns_zone_settings": {"ssl": "maximum"}}),
    ("min_tls_version", {"dns_zone_settings": {"min_tls_version": "0.9"}}),
    ("phone", {"domain_contacts": {"registrant": dict(CONTACT, phone="12345")}}),
    ("api_token", {"cloudflare_api_token": ""}),
    ("client_ip", {"namecheap_client_ip": "not-an-ip"}),
]


@pytest.mark.parametrize("field,override", BAD_SPECS, ids=["%s-%d" % (b[0], i) for i, b in enumerate(BAD_SPECS)])
def test_bad_input_fails_before_any_write_naming_the_field(sandbox, tmp_path, field, override):
    spec = site(domain="site-bad.test")
    group_vars = {}
    for key, value in override.items():
        if key.startswith(("cloudflare_", "namecheap_")):
            group_vars[key] = value
        else:
            spec[key] = copy.deepcopy(value)
    inventory = sandbox.inventory(tmp_path / "inv", {"site-bad": spec}, group_vars=group_vars)
    run = sandbox.playbook("site.yml", inventory, tags=STAGES)
    assert run.rc != 0, run.explain()
    assert field in run.output, run.explain()
    assert sandbox.writes() == [], run.explain()


def test_no_secret_in_output_at_vvv(sandbox, one_site):
    run = converge(sandbox, one_site, verbosity=3, diff=True)
    for secret in ("sandbox-cloudflare-token", "sandbox-namecheap-key"):
        assert secret not in run.output
