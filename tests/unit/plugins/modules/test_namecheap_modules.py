"""The Namecheap modules run in-process against the Namecheap emulator served on loopback."""

import json
import threading

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from ansible_collections.fabrik.deploy.plugins.module_utils import _namecheap as nc
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.modules import (
    namecheap_dns_hosts,
    namecheap_domain,
    namecheap_domain_info,
    namecheap_nameservers,
)

emulator_module = pytest.importorskip("tests.sandbox.namecheap")

API_KEY = emulator_module.API_KEY
CONTACT = {
    "first_name": "Ada", "last_name": "Lovelace", "address1": "1 Analytical Way", "city": "London",
    "state_province": "London", "postal_code": "N1 9GU", "country": "GB", "phone": "+44.2071234567",
    "email": "ada@example.org",
}


class Sandbox:
    """The emulator behind a real HTTP server, with the commands it received and a hook per request."""

    def __init__(self):
        self.emulator = emulator_module.NamecheapEmulator(rate_limit_per_minute=0, rate_limit_per_hour=0)
        self.commands = []
        self.before_request = None
        self.httpd = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = "http://127.0.0.1:%d/xml.response" % self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def app(self, environ, start_response):
        request = Request(environ)
        command = self.emulator.describe(request)["command"]
        if self.before_request:
            self.before_request(command)
        self.commands.append(command)
        return self.emulator.dispatch(request)(environ, start_response)

    def writes(self):
        return [command for command in self.commands if command.lower() in {c.lower() for c in nc.WRITE_COMMANDS}]

    def domain(self, name):
        return self.emulator.snapshot()["domains"].get(name)

    def reset(self):
        self.emulator.configure(rate_limit_per_minute=0, balance="100.00")
        self.emulator.reset()
        self.commands.clear()
        self.before_request = None

    def close(self):
        self.httpd.shutdown()
        self.thread.join(5)


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


@pytest.fixture(scope="module")
def shared_sandbox():
    sandbox = Sandbox()
    yield sandbox
    sandbox.close()


@pytest.fixture
def sandbox(shared_sandbox):
    shared_sandbox.reset()
    return shared_sandbox


@pytest.fixture
def run(sandbox, monkeypatch):
    """``run(module, check_mode=False, **args)`` -> the module's result dict (``failed`` set on failure)."""

    def exit_json(_module, **result):
        raise ModuleExit(dict(result, failed=False))

    def fail_json(_module, msg, **result):
        raise ModuleExit(dict(result, msg=msg, failed=True))

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)

    def run_module(module, check_mode=False, connection=True, **args):
        if connection:
            args = dict({"api_user": "sandboxuser", "api_key": API_KEY, "client_ip": "127.0.0.1",
                         "api_url": sandbox.url}, **args)
        args.update(_ansible_check_mode=check_mode, _ansible_diff=True)
        with patch_module_args(args), pytest.raises(ModuleExit) as caught:
            module.main()
        result = caught.value.result
        assert API_KEY not in json.dumps(result, default=str)
        return result

    return run_module


# -------------------------------------------------------------- domain_info


def test_domain_info_reports_an_owned_domain(run):
    result = run(namecheap_domain_info, domain="Fabrik-Legacy.com.", with_balance=True)
    assert result["failed"] is False and result["changed"] is False
    assert (result["domain"], result["owned"]) == ("fabrik-legacy.com", True)
    assert result["info"]["is_using_our_dns"] is False
    assert result["info"]["nameservers"] == ["ns1.legacy-dns.example", "ns2.legacy-dns.example"]
    assert result["balances"]["available_balance"] == 100.0


def test_domain_info_of_a_domain_outside_the_account(run):
    result = run(namecheap_domain_info, domain="someone-elses.com")
    assert (result["owned"], result["info"]) == (False, {})
    assert "balances" not in result


def test_connection_options_come_from_the_environment(run, sandbox, monkeypatch):
    for name, value in (("NAMECHEAP_API_USER", "sandboxuser"), ("NAMECHEAP_API_KEY", API_KEY),
                        ("NAMECHEAP_CLIENT_IP", "127.0.0.1"), ("NAMECHEAP_API_URL", sandbox.url)):
        monkeypatch.setenv(name, value)
    assert run(namecheap_domain_info, connection=False, domain="fabrik-owned.com")["owned"] is True


def test_wrong_credentials_fail_with_the_api_error_and_no_secret(run):
    result = run(namecheap_domain_info, domain="fabrik-owned.com", user_name="intruder")
    assert result["failed"] is True
    assert "namecheap.domains.getInfo failed" in result["msg"] and "1016103" in result["msg"]
    assert result["api_errors"] == [1016103]


@pytest.mark.parametrize("args, message", [
    ({"client_ip": "::1"}, "client_ip: an IPv4 address expected"),
    ({"domain": "www.fabrik-owned.com"}, "domain: a registrable domain"),
    ({"api_url": "https://api.namecheap.com"}, "api_url: the full endpoint URL expected"),
])
def test_bad_connection_or_domain_fails_before_any_request(run, sandbox, args, message):
    result = run(namecheap_domain_info, **dict({"domain": "fabrik-owned.com"}, **args))
    assert result["failed"] is True and result["msg"].startswith(message)
    assert sandbox.commands == []


# ------------------------------------------------------------- nameservers


def test_nameservers_switch_to_custom_then_rerun_is_a_no_op(run, sandbox):
    wanted = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    result = run(namecheap_nameservers, domain="fabrik-owned.com", nameservers=wanted)
    assert result["changed"] is True
    assert result["diff"] == {"before": {"default": True, "nameservers": []},
                              "after": {"default": False, "nameservers": wanted}}
    assert (result["nameservers"], result["is_using_our_dns"]) == (wanted, False)
    assert sandbox.domain("fabrik-owned.com")["nameservers"] == wanted
    sandbox.commands.clear()
    again = run(namecheap_nameservers, domain="fabrik-owned.com", nameservers=["BOB.ns.cloudflare.com.", "ada.ns.cloudflare.com"])
    assert again["changed"] is False
    assert sandbox.writes() == []


def test_nameservers_check_mode_reports_without_writing(run, sandbox):
    result = run(namecheap_nameservers, check_mode=True, domain="fabrik-legacy.com", use_default=True)
    assert result["changed"] is True and result["is_using_our_dns"] is True
    assert sandbox.writes() == []
    assert sandbox.domain("fabrik-legacy.com")["using_our_dns"] is False


def test_nameservers_back_to_default(run, sandbox):
    result = run(namecheap_nameservers, domain="fabrik-legacy.com", use_default=True)
    assert result["changed"] is True and result["is_using_our_dns"] is True
    assert result["nameservers"] == ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
    assert run(namecheap_nameservers, domain="fabrik-legacy.com", use_default=True)["changed"] is False


@pytest.mark.parametrize("args, message", [
    ({"use_default": False}, "nameservers: a list of name servers is required"),
    ({"nameservers": ["only.one.example"]}, "nameservers: a list of at least 2"),
    ({"nameservers": ["ns1.example.net", "-bad-.example"]}, "nameservers[1]: a host name expected"),
])
def test_nameservers_bad_input_fails_before_any_request(run, sandbox, args, message):
    result = run(namecheap_nameservers, domain="fabrik-owned.com", **args)
    assert result["failed"] is True and result["msg"].startswith(message)
    assert sandbox.commands == []


# --------------------------------------------------------------- dns_hosts


SITE_RECORDS = [
    {"name": "@", "type": "A", "address": "192.0.2.10"},
    {"name": "blog", "type": "CNAME", "address": "Sites.Example.NET."},
    {"name": "_dmarc", "type": "TXT", "address": "v=DMARC1; p=none", "ttl": 300},
]


def test_dns_hosts_adds_records_keeps_the_rest_and_reruns_clean(run, sandbox):
    result = run(namecheap_dns_hosts, domain="fabrik-owned.com", records=SITE_RECORDS)
    assert result["changed"] is True and result["email_type"] == "MX"
    stored = sandbox.domain("fabrik-owned.com")
    assert stored["email_type"] == "MX"
    assert sorted((h["name"], h["type"]) for h in stored["hosts"]) == [
        ("@", "A"), ("@", "MX"), ("@", "TXT"), ("_dmarc", "TXT"), ("blog", "CNAME"), ("www", "CNAME")]
    assert len(result["diff"]["after"]["records"]) == 6 and len(result["diff"]["before"]["records"]) == 4
    assert result["records"] == nc.sort_hosts(result["records"])
    sandbox.commands.clear()
    again = run(namecheap_dns_hosts, domain="fabrik-owned.com", records=SITE_RECORDS)
    assert again["changed"] is False
    assert sandbox.commands == ["namecheap.domains.dns.gethosts"]


def test_dns_hosts_check_mode_computes_the_change_without_writing(run, sandbox):
    result = run(namecheap_dns_hosts, check_mode=True, domain="fabrik-owned.com", records=SITE_RECORDS, prune=True)
    assert result["changed"] is True
    assert len(result["records"]) == 3
    assert sandbox.writes() == []
    assert len(sandbox.domain("fabrik-owned.com")["hosts"]) == 4


def test_dns_hosts_prune_and_absent(run, sandbox):
    result = run(namecheap_dns_hosts, domain="fabrik-owned.com", prune=True,
                 records=[{"name": "@", "type": "A", "address": "192.0.2.10"}, {"name": "@", "type": "MX", "address": "mx1.mail.example"}])
    assert [(h["type"], h["address"]) for h in result["records"]] == [("A", "192.0.2.10"), ("MX", "mx1.mail.example")]
    result = run(namecheap_dns_hosts, domain="fabrik-owned.com", records=[{"name": "@", "type": "MX", "state": "absent"}])
    assert [h["type"] for h in sandbox.domain("fabrik-owned.com")["hosts"]] == ["A"]
    assert result["email_type"] == "MX"


def test_dns_hosts_refuses_to_empty_the_zone_unless_allowed(run, sandbox):
    absent_all = [{"name": "@", "type": "A", "state": "absent"}]
    result = run(namecheap_dns_hosts, domain="fabrik-owned.com", prune=True, records=absent_all)
    assert result["failed"] is True and "allow_empty" in result["msg"]
    assert sandbox.writes() == []
    assert run(namecheap_dns_hosts, domain="fabrik-owned.com", prune=True, allow_empty=True, records=absent_all)["changed"]
    assert sandbox.domain("fabrik-owned.com")["hosts"] == []


def test_dns_hosts_refuses_a_domain_on_custom_nameservers(run, sandbox):
    result = run(namecheap_dns_hosts, domain="fabrik-legacy.com", records=SITE_RECORDS)
    assert result["failed"] is True and "does not use Namecheap's DNS" in result["msg"] and "force" in result["msg"]
    assert sandbox.writes() == []


def test_dns_hosts_switches_email_type_to_mx_for_new_mx_records(run, sandbox):
    run(namecheap_nameservers, domain="fabrik-legacy.com", use_default=True)
    result = run(namecheap_dns_hosts, domain="fabrik-legacy.com",
                 records=[{"name": "@", "type": "MX", "address": "mx.example.org", "mx_pref": 5}])
    assert result["changed"] is True and result["email_type"] == "MX"
    assert sandbox.domain("fabrik-legacy.com")["email_type"] == "MX"
    assert sandbox.domain("fabrik-legacy.com")["hosts"][0]["mxpref"] == 5


def test_dns_hosts_detects_a_concurrent_modification_and_writes_nothing(run, sandbox):
    reads = []

    def meddle(command):
        if command == "namecheap.domains.dns.gethosts":
            reads.append(command)
            if len(reads) == 2:
                sandbox.emulator.domains["fabrik-owned.com"].hosts.pop()

    sandbox.before_request = meddle
    result = run(namecheap_dns_hosts, domain="fabrik-owned.com", records=SITE_RECORDS)
    assert result["failed"] is True and result["msg"].startswith("concurrent modification")
    assert sandbox.writes() == []


def test_dns_hosts_validation_names_the_field_and_sends_nothing(run, sandbox):
    result = run(namecheap_dns_hosts, domain="fabrik-owned.com",
                 records=[{"name": "@", "type": "A", "address": "192.0.2.1"}, {"name": "x", "type": "A", "address": "192.0.2.2", "ttl": 5}])
    assert result["failed"] is True
    assert result["msg"] == "records[1].ttl: 60..60000 expected, got 5"
    assert sandbox.commands == []


# ------------------------------------------------------------------ domain


def registration(**args):
    return dict({"state": "registered", "allow_purchase": True, "contacts": {"registrant": CONTACT}}, **args)


def test_domain_checked_reports_availability_and_never_writes(run, sandbox):
    free = run(namecheap_domain, domain="brand-new-site.com")
    assert (free["changed"], free["owned"], free["available"], free["premium"]) == (False, False, True, False)
    premium = run(namecheap_domain, domain="premium.com")
    assert (premium["premium"], premium["premium_price"]) == (True, 2500.0)
    owned = run(namecheap_domain, domain="fabrik-owned.com")
    assert (owned["owned"], owned["available"]) == (True, False)
    assert sandbox.writes() == []


def test_domain_registration_needs_allow_purchase(run, sandbox):
    result = run(namecheap_domain, **registration(domain="brand-new-site.com", allow_purchase=False))
    assert result["failed"] is True and "allow_purchase=true" in result["msg"]
    assert sandbox.writes() == []


def test_domain_registration_and_idempotent_rerun(run, sandbox):
    result = run(namecheap_domain, **registration(domain="brand-new-site.com", years=2))
    assert (result["changed"], result["registered"], result["owned"]) == (True, True, True)
    assert result["charged_amount"] == pytest.approx(20.56) and result["order_id"]
    assert sandbox.domain("brand-new-site.com")["whoisguard"] is True
    sandbox.commands.clear()
    again = run(namecheap_domain, **registration(domain="brand-new-site.com"))
    assert (again["changed"], again["registered"], again["owned"]) == (False, False, True)
    assert sandbox.writes() == []


def test_domain_registration_in_check_mode(run, sandbox):
    result = run(namecheap_domain, check_mode=True, **registration(domain="brand-new-site.com"))
    assert (result["changed"], result["registered"], result["owned"]) == (True, False, False)
    assert result["diff"] == {"before": {"owned": False}, "after": {"owned": True}}
    assert sandbox.writes() == []


@pytest.mark.parametrize("args, message", [
    ({"domain": "premium.com"}, "premium name"),
    ({"domain": "premium.com", "allow_premium": True, "max_price": 100.0}, "more than max_price"),
    ({"domain": "taken-name.com"}, "not available"),
])
def test_domain_registration_guards(run, sandbox, args, message):
    result = run(namecheap_domain, **registration(**args))
    assert result["failed"] is True and message in result["msg"]
    assert sandbox.writes() == []


def test_domain_premium_registration_when_allowed(run, sandbox):
    sandbox.emulator.configure(balance="3000.00")
    result = run(namecheap_domain, **registration(domain="premium.com", allow_premium=True, max_price=2500.0))
    assert result["registered"] is True and result["charged_amount"] == 2500.0


@pytest.mark.parametrize("args, message", [
    ({"contacts": {"registrant": dict(CONTACT, phone="020 7123 4567")}}, "contacts.registrant.phone: +CC.NUMBER expected"),
    ({"contacts": {"registrant": CONTACT, "admin": dict(CONTACT, email="")}}, "contacts.admin.email: required"),
    ({"years": 11}, "years: 1..10 expected, got 11"),
    ({"nameservers": ["ns1.example.net"]}, "nameservers: a list of at least 2"),
])
def test_domain_registration_input_is_validated_before_any_request(run, sandbox, args, message):
    result = run(namecheap_domain, **registration(domain="brand-new-site.com", **args))
    assert result["failed"] is True and result["msg"].startswith(message)
    assert sandbox.commands == []


def lose_response(apply):
    original = nc.NamecheapClient.create

    def create(self, *args, **kwargs):
        if apply:
            original(self, *args, **kwargs)
        raise ApiError("Namecheap", "namecheap.domains.create", "POST", "/xml.response",
                       message="timed out after 30s (the request may have been applied)", maybe_applied=True)

    return create


def test_domain_lost_create_response_is_resolved_by_a_re_read(run, sandbox, monkeypatch):
    monkeypatch.setattr(nc.NamecheapClient, "create", lose_response(apply=True))
    result = run(namecheap_domain, **registration(domain="brand-new-site.com"))
    assert (result["failed"], result["changed"], result["registered"], result["owned"]) == (False, True, True, True)
    assert sandbox.commands.count("namecheap.domains.create") == 1
    assert sandbox.commands[-1] == "namecheap.domains.getinfo"


def test_domain_lost_create_response_without_registration_fails_without_retrying(run, sandbox, monkeypatch):
    monkeypatch.setattr(nc.NamecheapClient, "create", lose_response(apply=False))
    result = run(namecheap_domain, **registration(domain="brand-new-site.com"))
    assert result["failed"] is True and "check the account before running again" in result["msg"]
    assert result["maybe_applied"] is True


def test_domain_bought_meanwhile_by_a_concurrent_run_is_owned_not_a_failure(run, sandbox, monkeypatch):
    """Both runs saw the domain available; the other one's order went first, ours is refused."""
    original = nc.NamecheapClient.create

    def create(self, *args, **kwargs):
        original(self, *args, **kwargs)  # the concurrent run's order
        return original(self, *args, **kwargs)

    monkeypatch.setattr(nc.NamecheapClient, "create", create)
    result = run(namecheap_domain, **registration(domain="brand-new-site.com"))
    assert (result["failed"], result["changed"], result["registered"], result["owned"]) == (False, False, False, True)
    assert sandbox.commands.count("namecheap.domains.create") == 2
    assert sandbox.commands[-1] == "namecheap.domains.getinfo"


def test_domain_bought_by_a_concurrent_run_between_the_two_reads_is_owned(run, sandbox, monkeypatch):
    original = nc.NamecheapClient.check

    def check(self, domains):
        self.create(domains[0], 1, nc.validate_contacts(registration()["contacts"]))  # the concurrent run's order
        return original(self, domains)

    monkeypatch.setattr(nc.NamecheapClient, "check", check)
    result = run(namecheap_domain, **registration(domain="brand-new-site.com"))
    assert (result["failed"], result["changed"], result["owned"]) == (False, False, True), result
