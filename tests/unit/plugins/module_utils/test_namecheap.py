"""Unit tests of the Namecheap client: parsing, validation, host planning, wire form, transport."""

import threading
from urllib.parse import parse_qs

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from ansible_collections.fabrik.deploy.plugins.module_utils import _namecheap as nc
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, CheckModeViolation

KEY = "unit-test-secret-key-123"
ENVELOPE_TAIL = "<Server>X</Server><GMTTimeDifference>--4:00</GMTTimeDifference><ExecutionTime>0.1</ExecutionTime>"


def envelope(command_response, requested="namecheap.domains.dns.gethosts"):
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<ApiResponse Status="OK" xmlns="http://api.namecheap.com/xml.response"><Errors /><Warnings />'
        "<RequestedCommand>%s</RequestedCommand>%s%s</ApiResponse>" % (requested, command_response, ENVELOPE_TAIL)
    )


def error_envelope(*errors, requested=""):
    items = "".join('<Error Number="%d">%s</Error>' % error for error in errors)
    return (
        '<ApiResponse Status="ERROR" xmlns="http://api.namecheap.com/xml.response"><Errors>%s</Errors><Warnings />'
        "<RequestedCommand>%s</RequestedCommand>%s</ApiResponse>" % (items, requested, ENVELOPE_TAIL)
    )


def hosts_response(row_tag="host", email_type="MX"):
    return envelope(
        '<CommandResponse Type="namecheap.domains.dns.getHosts">'
        '<DomainDNSGetHostsResult Domain="example.com" EmailType="%s" IsUsingOurDNS="true">'
        '<%s HostId="877748" Name="@" Type="MX" Address="mx1.mail.example." MXPref="10" TTL="1800" '
        'AssociatedAppTitle="" FriendlyName="" IsActive="true" IsDDNSEnabled="false" />'
        '<%s HostId="877749" Name="www" Type="A" Address="192.0.2.10" MXPref="10" TTL="1800" '
        'AssociatedAppTitle="" FriendlyName="" IsActive="true" IsDDNSEnabled="false" />'
        "</DomainDNSGetHostsResult></CommandResponse>" % (email_type, row_tag, row_tag)
    )


def host(name, rtype, address, ttl=1800, mx_pref=None):
    return nc.normalise_host(name, rtype, address, ttl, mx_pref)


def client_for(url, **options):
    return nc.NamecheapClient("apiuser", KEY, "127.0.0.1", api_url=url + "/xml.response", **options)


def form_of(received):
    return {key: values[0] for key, values in parse_qs(received.body.decode()).items()}


# --------------------------------------------------------------------- parsing


@pytest.mark.parametrize("row_tag", ["host", "Host", "HOST"])
def test_get_hosts_rows_are_found_whatever_the_element_case(server, row_tag):
    server.enqueue(body=hosts_response(row_tag))
    snapshot = client_for(server.url).dns_get_hosts("example.com")
    assert snapshot.email_type == "MX"
    assert snapshot.is_using_our_dns is True
    assert snapshot.hosts == [
        {"name": "@", "type": "MX", "address": "mx1.mail.example", "ttl": 1800, "mx_pref": 10},
        {"name": "www", "type": "A", "address": "192.0.2.10", "ttl": 1800, "mx_pref": None},
    ]


def test_parse_response_ignores_the_namespace_and_returns_the_command_response():
    body = envelope('<CommandResponse Type="namecheap.domains.dns.setHosts">'
                    '<DomainDNSSetHostsResult Domain="example.com" IsSuccess="true" /></CommandResponse>')
    response = nc.parse_response(body.encode(), "namecheap.domains.dns.setHosts")
    assert [child.tag.rsplit("}", 1)[-1] for child in response] == ["DomainDNSSetHostsResult"]


def test_parse_response_works_without_a_namespace_too():
    body = ('<ApiResponse Status="OK"><Errors/><CommandResponse><DomainDNSSetHostsResult IsSuccess="true"/>'
            "</CommandResponse></ApiResponse>")
    assert len(nc.parse_response(body, "namecheap.domains.dns.setHosts")) == 1


def test_error_envelope_becomes_an_api_error_naming_command_numbers_and_text():
    body = error_envelope((2030166, "Edit permission for domain is not supported"), requested="namecheap.domains.dns.sethosts")
    with pytest.raises(nc.NamecheapError) as caught:
        nc.parse_response(body, "namecheap.domains.dns.setHosts")
    err = caught.value
    assert isinstance(err, ApiError)
    assert err.numbers == {2030166}
    assert err.status == 200
    assert str(err) == ("Namecheap: namecheap.domains.dns.setHosts failed: POST /xml.response -> HTTP 200: "
                        "API error 2030166: Edit permission for domain is not supported")
    assert err.details()["api_errors"] == [2030166]


def test_every_error_of_an_envelope_is_reported():
    body = error_envelope((2019166, "Domain not found"), (3050900, "Unknown error"))
    with pytest.raises(nc.NamecheapError) as caught:
        nc.parse_response(body, "namecheap.domains.dns.getList")
    assert caught.value.numbers == {2019166, 3050900}
    assert "API error 2019166: Domain not found; API error 3050900: Unknown error" in str(caught.value)


@pytest.mark.parametrize("body, expected", [
    ("<html>gateway</html>", "not <ApiResponse>"),
    ("not xml at all", "not acceptable XML"),
    ('<!DOCTYPE x [<!ENTITY a "b">]><ApiResponse Status="OK"/>', "not acceptable XML"),
    ('<ApiResponse Status="OK"><Errors/></ApiResponse>', "no <CommandResponse>"),
])
def test_unusable_bodies_raise_a_clear_api_error(body, expected):
    with pytest.raises(ApiError, match=expected):
        nc.parse_response(body, "namecheap.domains.check")


def test_check_result_reports_premium_price_only_for_premium_names(server):
    server.enqueue(body=envelope(
        '<CommandResponse Type="namecheap.domains.check">'
        '<DomainCheckResult Domain="free-example.com" Available="true" ErrorNo="0" Description="" IsPremiumName="false" '
        'PremiumRegistrationPrice="0" EapFee="0" />'
        '<DomainCheckResult Domain="Gold.com" Available="true" ErrorNo="0" Description="" IsPremiumName="true" '
        'PremiumRegistrationPrice="2500.00" EapFee="0" />'
        "</CommandResponse>", requested="namecheap.domains.check"))
    regular, premium = client_for(server.url).check(["free-example.com", "gold.com"])
    assert (regular["available"], regular["premium"], regular["premium_price"]) == (True, False, None)
    assert (premium["domain"], premium["premium"], premium["premium_price"]) == ("gold.com", True, 2500.0)


def test_get_info_parses_the_documented_example_and_maps_not_found_to_none(server):
    server.enqueue(body=envelope(
        '<CommandResponse Type="namecheap.domains.getInfo">'
        '<DomainGetInfoResult Status="Ok" ID="1706717" DomainName="example.com" OwnerName="me" IsOwner="true" IsPremium="false">'
        "<DomainDetails><CreatedDate>11/26/2021</CreatedDate><ExpiredDate>11/26/2027</ExpiredDate></DomainDetails>"
        '<DnsDetails ProviderType="FreeDNS" IsUsingOurDNS="true" HostCount="2" EmailType="No Email Service">'
        "<Nameserver>DNS1.registrar-servers.com</Nameserver><Nameserver>dns2.registrar-servers.com.</Nameserver>"
        "</DnsDetails></DomainGetInfoResult></CommandResponse>", requested="namecheap.domains.getinfo"))
    server.enqueue(body=error_envelope((2019166, "Domain not found")))
    client = client_for(server.url)
    info = client.get_info("example.com")
    assert info["status"] == "Ok" and info["expires"] == "11/26/2027" and info["dns_provider_type"] == "FreeDNS"
    assert info["nameservers"] == ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
    assert client.get_info("example.com") is None


# ------------------------------------------------------------------- transport


def test_globals_and_command_are_posted_form_encoded_and_the_key_never_leaks(server):
    server.enqueue(body=error_envelope((1011150, "Invalid request IP: 203.0.113.9 key " + KEY)))
    client = nc.NamecheapClient("apiuser", KEY, "203.0.113.9", user_name="reseller", api_url=server.url + "/xml.response")
    with pytest.raises(ApiError) as caught:
        client.get_balance()
    request = server.requests[0]
    assert request.method == "POST" and request.path == "/xml.response"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {"ApiUser": "apiuser", "ApiKey": KEY, "UserName": "reseller",
                                "ClientIp": "203.0.113.9", "Command": "namecheap.users.getBalances"}
    assert KEY not in str(caught.value)
    assert "1011150" in str(caught.value)


def test_user_name_defaults_to_api_user(server):
    server.enqueue(body=error_envelope((1011102, "API Key is invalid")))
    with pytest.raises(ApiError):
        client_for(server.url).get_balance()
    assert form_of(server.requests[0])["UserName"] == "apiuser"


def test_throttled_reads_are_retried_with_bounded_backoff(server, sleeps):
    server.enqueue(status=405, body="throttled", times=2)
    server.enqueue(body=error_envelope((500000, "Too many requests")))
    server.enqueue(body=hosts_response())
    snapshot = client_for(server.url, sleep=sleeps).dns_get_hosts("example.com")
    assert len(snapshot.hosts) == 2
    assert len(server.requests) == 4
    assert len(sleeps.delays) == 3
    assert sleeps.delays[0] < sleeps.delays[1] < sleeps.delays[2] <= nc.THROTTLE_MAX_DELAY


def test_throttling_gives_up_after_the_maximum_attempts(server, sleeps):
    server.enqueue(status=405, body="throttled", times=10)
    with pytest.raises(ApiError) as caught:
        client_for(server.url, sleep=sleeps).dns_get_list("example.com")
    assert caught.value.status == 405
    assert len(server.requests) == nc.THROTTLE_MAX_ATTEMPTS
    assert sum(sleeps.delays) <= nc.THROTTLE_BUDGET


def test_create_is_never_retried_even_when_throttled(server, sleeps):
    server.enqueue(status=405, body="throttled", times=3)
    contacts = nc.validate_contacts({"registrant": valid_contact()})
    with pytest.raises(ApiError) as caught:
        client_for(server.url, sleep=sleeps).create("example.com", 1, contacts)
    assert caught.value.status == 405
    assert len(server.requests) == 1
    assert sleeps.delays == []


def test_create_whose_response_is_lost_is_reported_as_maybe_applied(server, sleeps):
    server.enqueue(reset=True, times=3)
    contacts = nc.validate_contacts({"registrant": valid_contact()})
    with pytest.raises(ApiError) as caught:
        client_for(server.url, sleep=sleeps).create("example.com", 1, contacts)
    assert caught.value.maybe_applied is True
    assert len(server.requests) == 1


def test_check_mode_allows_reads_and_refuses_writes_before_sending(server):
    server.enqueue(body=hosts_response())
    client = client_for(server.url, check_mode=True)
    client.dns_get_hosts("example.com")
    with pytest.raises(CheckModeViolation):
        client.dns_set_hosts("example.com", "MX", [host("@", "A", "192.0.2.1")])
    with pytest.raises(CheckModeViolation):
        client.dns_set_default("example.com")
    assert len(server.requests) == 1


# ----------------------------------------------------------------- domain split


@pytest.mark.parametrize("domain, expected", [
    ("example.com", ("example", "com")),
    ("Example.COM.", ("example", "com")),
    ("example.co.uk", ("example", "co.uk")),
    ("shop.com.au", ("shop", "com.au")),
    ("my-site.co.nz", ("my-site", "co.nz")),
    ("xn--bcher-kva.de", ("xn--bcher-kva", "de")),
])
def test_split_domain(domain, expected):
    assert nc.split_domain(domain) == expected


@pytest.mark.parametrize("domain", ["www.example.com", "a.b.co.uk", "example.com.xx"])
def test_split_domain_refuses_subdomains_and_unknown_multi_label_suffixes(domain):
    with pytest.raises(SpecError, match="^domain: a registrable domain"):
        nc.split_domain(domain)


# ------------------------------------------------------------------ validation


def valid_contact(**overrides):
    contact = {
        "first_name": "Ada", "last_name": "Lovelace", "address1": "1 Analytical Way", "city": "London",
        "state_province": "London", "postal_code": "N1 9GU", "country": "gb", "phone": "+44.2071234567",
        "email": "ada@example.org",
    }
    contact.update(overrides)
    return contact


def valid_record(**overrides):
    record = {"name": "www", "type": "A", "address": "192.0.2.10", "ttl": 1800, "mx_pref": None, "state": "present"}
    record.update(overrides)
    return record


@pytest.mark.parametrize("call, field, text", [
    (lambda: nc.validate_client_ip("2001:db8::1"), "client_ip", "IPv4"),
    (lambda: nc.validate_client_ip("300.1.1.1"), "client_ip", "IPv4"),
    (lambda: nc.split_api_url("https://api.namecheap.com"), "api_url", "full endpoint URL"),
    (lambda: nc.split_domain("exa_mple.com"), "domain", "labels of 1..63"),
    (lambda: nc.split_domain("bücher.de"), "domain", "punycode"),
    (lambda: nc.split_domain("localhost"), "domain", "two labels"),
    (lambda: nc.validate_nameservers(["ns1.example.net"]), "nameservers", "at least 2"),
    (lambda: nc.validate_nameservers(["ns1.example.net", "bad host"]), "nameservers[1]", "host name"),
    (lambda: nc.validate_nameservers(["NS1.example.net.", "ns1.example.net"]), "nameservers[1]", "duplicate"),
    (lambda: nc.validate_contacts({}), "contacts.registrant", "required"),
    (lambda: nc.validate_contacts({"registrant": valid_contact(phone="555-1234")}), "contacts.registrant.phone", "+CC.NUMBER"),
    (lambda: nc.validate_contacts({"registrant": valid_contact(), "tech": valid_contact(country="GBR")}),
     "contacts.tech.country", "two-letter"),
    (lambda: nc.validate_contacts({"registrant": valid_contact(email="nope")}), "contacts.registrant.email", "e-mail"),
    (lambda: nc.validate_contacts({"registrant": valid_contact(city="")}), "contacts.registrant.city", "required"),
    (lambda: nc.validate_contacts({"registrant": valid_contact(), "billing": {}}), "contacts", "unknown role"),
    (lambda: nc.validate_contacts({"registrant": valid_contact(fax="+1.5")}), "contacts.registrant", "unknown field"),
    (lambda: nc.validate_records([valid_record(), valid_record(ttl=5)]), "records[1].ttl", "60..60000 expected, got 5"),
    (lambda: nc.validate_records([valid_record(ttl=60001)]), "records[0].ttl", "60..60000"),
    (lambda: nc.validate_records([valid_record(type="SRV")]), "records[0].type", "one of"),
    (lambda: nc.validate_records([valid_record(address="192.0.2")]), "records[0].address", "IPv4"),
    (lambda: nc.validate_records([valid_record(type="AAAA", address="192.0.2.1")]), "records[0].address", "IPv6"),
    (lambda: nc.validate_records([valid_record(type="CNAME", address="http://x")]), "records[0].address", "host name"),
    (lambda: nc.validate_records([valid_record(type="CAA", address="letsencrypt.org")]), "records[0].address", "issue"),
    (lambda: nc.validate_records([valid_record(address=None)]), "records[0].address", "required"),
    (lambda: nc.validate_records([valid_record(name="bad name")]), "records[0].name", "'@'"),
    (lambda: nc.validate_records([valid_record(mx_pref=5)]), "records[0].mx_pref", "only valid for MX"),
    (lambda: nc.validate_records([valid_record(type="MX", address="mx.example", mx_pref=70000)]),
     "records[0].mx_pref", "0..65535"),
    (lambda: nc.validate_records([valid_record(), valid_record(name="WWW.")]), "records[1]", "same record identity"),
    (lambda: nc.validate_records([valid_record(state="gone")]), "records[0].state", "present or absent"),
])
def test_bad_input_is_refused_naming_the_field(call, field, text):
    with pytest.raises(SpecError) as caught:
        call()
    assert caught.value.field == field
    assert text in str(caught.value)
    assert str(caught.value).startswith(field + ": ")


def test_missing_contact_roles_copy_the_registrant():
    contacts = nc.validate_contacts({"registrant": valid_contact(), "admin": valid_contact(first_name="Grace")})
    assert set(contacts) == {"registrant", "tech", "admin", "aux_billing"}
    assert contacts["tech"] == contacts["registrant"] and contacts["registrant"]["country"] == "GB"
    assert contacts["admin"]["first_name"] == "Grace"


def test_records_are_normalised():
    present, absent = nc.validate_records([
        {"name": "WWW.", "type": "cname", "address": "Target.Example.NET."},
        {"name": "@", "type": "mx", "address": "MX1.mail.example."},
        {"name": "@", "type": "AAAA", "address": "2001:DB8:0:0::1"},
        {"name": "@", "type": "TXT", "address": "Keep Case"},
        {"name": "old", "type": "A", "state": "absent"},
    ])
    assert present == [
        {"name": "www", "type": "CNAME", "address": "target.example.net", "ttl": 1800, "mx_pref": None},
        {"name": "@", "type": "MX", "address": "mx1.mail.example", "ttl": 1800, "mx_pref": 10},
        {"name": "@", "type": "AAAA", "address": "2001:db8::1", "ttl": 1800, "mx_pref": None},
        {"name": "@", "type": "TXT", "address": "Keep Case", "ttl": 1800, "mx_pref": None},
    ]
    assert absent == [("old", "A", None)]


# --------------------------------------------------------------------- planner


CURRENT = [
    host("@", "A", "192.0.2.10"),
    host("www", "CNAME", "example.com."),
    host("@", "MX", "mx1.mail.example.", mx_pref=10),
    host("@", "TXT", "v=spf1 -all"),
]


def plan(records, prune=False, current=None):
    present, absent = nc.validate_records(records)
    return nc.plan_hosts(CURRENT if current is None else current, present, absent, prune)


def test_planner_keeps_unmanaged_records_and_adds_new_ones():
    result = plan([{"name": "blog", "type": "A", "address": "192.0.2.20"}])
    assert result == CURRENT + [host("blog", "A", "192.0.2.20")]


def test_planner_is_a_no_op_for_records_already_there_in_another_spelling():
    result = plan([{"name": "WWW", "type": "CNAME", "address": "Example.COM."}, {"name": "@", "type": "A", "address": "192.0.2.10"}])
    assert nc.sort_hosts(result) == nc.sort_hosts(CURRENT)


def test_cname_identity_is_name_and_type_so_a_new_target_replaces_it():
    result = plan([{"name": "www", "type": "CNAME", "address": "other.example.net", "ttl": 300}])
    assert host("www", "CNAME", "other.example.net", ttl=300) in result
    assert [row for row in result if row["type"] == "CNAME"] == [host("www", "CNAME", "other.example.net", ttl=300)]


def test_multi_value_identity_includes_the_address_so_a_second_a_record_is_added():
    result = plan([{"name": "@", "type": "A", "address": "192.0.2.11"}])
    assert [row["address"] for row in result if row["type"] == "A"] == ["192.0.2.10", "192.0.2.11"]


def test_a_changed_ttl_updates_the_record_in_place():
    result = plan([{"name": "@", "type": "A", "address": "192.0.2.10", "ttl": 60}])
    assert result[0] == host("@", "A", "192.0.2.10", ttl=60) and len(result) == len(CURRENT)


def test_absent_removes_by_address_or_every_record_of_name_and_type():
    current = CURRENT + [host("@", "A", "192.0.2.11")]
    assert host("@", "A", "192.0.2.11") not in plan([{"name": "@", "type": "A", "address": "192.0.2.11", "state": "absent"}],
                                                    current=current)
    remaining = plan([{"name": "@", "type": "A", "state": "absent"}], current=current)
    assert [row for row in remaining if row["type"] == "A"] == []
    assert len(remaining) == len(CURRENT) - 1


def test_prune_drops_everything_not_listed():
    result = plan([{"name": "@", "type": "A", "address": "192.0.2.10"}, {"name": "new", "type": "TXT", "address": "x"}], prune=True)
    assert result == [host("@", "A", "192.0.2.10"), host("new", "TXT", "x")]


@pytest.mark.parametrize("current, requested, hosts, expected", [
    ("MX", None, [], "MX"),
    ("GMAIL", None, [host("@", "MX", "mx.example")], "GMAIL"),
    ("NONE", None, [host("@", "MX", "mx.example")], "MX"),
    ("NONE", None, [host("@", "A", "192.0.2.1")], "NONE"),
    ("MX", "FWD", [], "FWD"),
])
def test_email_type_is_kept_unless_asked_or_mx_records_need_it(current, requested, hosts, expected):
    assert nc.choose_email_type(current, requested, hosts) == expected


# ---------------------------------------------------------------- wire forms


def test_set_hosts_form_numbers_rows_from_one_and_sends_mx_pref_only_for_mx():
    form = nc.build_set_hosts_form("example", "com", "MX", [
        host("@", "A", "192.0.2.10"), host("@", "MX", "mx1.mail.example", mx_pref=20), host("www", "CNAME", "example.com"),
    ])
    assert form == {
        "SLD": "example", "TLD": "com", "EmailType": "MX",
        "HostName1": "@", "RecordType1": "A", "Address1": "192.0.2.10", "TTL1": "1800",
        "HostName2": "@", "RecordType2": "MX", "Address2": "mx1.mail.example", "TTL2": "1800", "MXPref2": "20",
        "HostName3": "www", "RecordType3": "CNAME", "Address3": "example.com", "TTL3": "1800",
    }


def test_set_hosts_posts_the_whole_list_with_sld_and_tld(server):
    server.enqueue(body=envelope('<CommandResponse Type="namecheap.domains.dns.setHosts">'
                                 '<DomainDNSSetHostsResult Domain="example.co.uk" IsSuccess="true" /></CommandResponse>'))
    client_for(server.url).dns_set_hosts("example.co.uk", "NONE", [host("@", "A", "192.0.2.1"), host("w", "A", "192.0.2.2")])
    form = form_of(server.requests[0])
    assert (form["Command"], form["SLD"], form["TLD"], form["EmailType"]) == ("namecheap.domains.dns.setHosts", "example", "co.uk", "NONE")
    assert sorted(key for key in form if key.startswith("HostName")) == ["HostName1", "HostName2"]


def test_create_form_sends_all_four_roles_privacy_and_premium_fields():
    contacts = nc.validate_contacts({"registrant": valid_contact(organization="Analytical Ltd")})
    form = nc.build_create_form("gold.com", 2, contacts, ["ns1.example.net", "ns2.example.net"], True, 2500.0)
    for prefix in ("Registrant", "Tech", "Admin", "AuxBilling"):
        assert form[prefix + "Phone"] == "+44.2071234567"
        assert form[prefix + "EmailAddress"] == "ada@example.org"
        assert form[prefix + "OrganizationName"] == "Analytical Ltd"
        assert prefix + "Address2" not in form
    assert (form["Years"], form["AddFreeWhoisguard"], form["WGEnabled"]) == ("2", "yes", "yes")
    assert (form["IsPremiumDomain"], form["PremiumPrice"]) == ("true", "2500.00")
    assert form["Nameservers"] == "ns1.example.net,ns2.example.net"
    assert "IsPremiumDomain" not in nc.build_create_form("plain.com", 1, contacts, whois_privacy=False)


# --------------------------------------------------------- against the emulator


@pytest.fixture(scope="module")
def emulator_url():
    emulator_module = pytest.importorskip("tests.sandbox.namecheap")
    emulator = emulator_module.NamecheapEmulator(rate_limit_per_minute=0, rate_limit_per_hour=0)

    def app(environ, start_response):
        return emulator.dispatch(Request(environ))(environ, start_response)

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield emulator, "http://127.0.0.1:%d/xml.response" % httpd.server_port
    httpd.shutdown()
    thread.join(5)


@pytest.fixture
def sandbox(emulator_url):
    emulator, url = emulator_url
    emulator.configure(rate_limit_per_minute=0)
    emulator.reset()
    return emulator, nc.NamecheapClient("sandboxuser", "sandbox-namecheap-key", "127.0.0.1", api_url=url)


def test_emulator_host_round_trip_keeps_unmanaged_records(sandbox):
    emulator, client = sandbox
    before = client.dns_get_hosts("fabrik-owned.com")
    present, absent = nc.validate_records([{"name": "blog", "type": "A", "address": "192.0.2.30"}])
    hosts = nc.plan_hosts(before.hosts, present, absent)
    client.dns_set_hosts("fabrik-owned.com", before.email_type, hosts)
    after = client.dns_get_hosts("fabrik-owned.com")
    assert after.email_type == "MX"
    assert nc.sort_hosts(after.hosts) == nc.sort_hosts(before.hosts + present)
    assert len(emulator.snapshot()["domains"]["fabrik-owned.com"]["hosts"]) == 5


def test_emulator_nameservers_and_ownership(sandbox):
    _emulator, client = sandbox
    client.dns_set_custom("fabrik-owned.com", ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"])
    assert client.dns_get_list("fabrik-owned.com") == {
        "is_using_our_dns": False, "nameservers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]}
    client.dns_set_default("fabrik-owned.com")
    assert client.dns_get_list("fabrik-owned.com")["is_using_our_dns"] is True
    assert client.get_info("someone-elses.com") is None
    assert client.get_info("fabrik-legacy.com")["dns_provider_type"] == "CUSTOM"


def test_emulator_registration_of_a_premium_name_charges_the_premium_price(sandbox):
    emulator, client = sandbox
    emulator.configure(balance="3000.00")
    availability = client.check(["premium.com"])[0]
    contacts = nc.validate_contacts({"registrant": valid_contact()})
    created = client.create("premium.com", 1, contacts, premium_price=availability["premium_price"])
    assert created["registered"] is True and created["charged_amount"] == 2500.0
    assert client.get_info("premium.com")["is_premium"] is True


def test_emulator_throttling_is_retried_until_the_window_frees(sandbox, emulator_url, sleeps, monkeypatch):
    emulator, url = emulator_url
    emulator.configure(rate_limit_per_minute=1)
    now = [1000.0]
    monkeypatch.setattr(emulator, "clock", lambda: now[0])
    sleeps.on_sleep = lambda seconds: now.__setitem__(0, now[0] + 61)
    client = nc.NamecheapClient("sandboxuser", "sandbox-namecheap-key", "127.0.0.1", api_url=url, sleep=sleeps)
    client.get_balance()
    assert client.dns_get_list("fabrik-owned.com")["is_using_our_dns"] is True
    assert len(sleeps.delays) == 1


def test_set_hosts_form_writes_rows_back_as_the_api_spelled_them():
    """A row read as ``Example.TEST.`` is sent back verbatim, not rewritten as ``example.test``."""
    kept = nc.normalise_host("WWW", "CNAME", "Example.TEST.", "1800", "10")
    new = nc.normalise_host("api", "A", "192.0.2.7", None, None)
    wire = {nc.host_key(kept): {"name": "WWW", "address": "Example.TEST."}}
    form = nc.build_set_hosts_form("example", "test", "NONE", [kept, new], wire)
    assert (form["HostName1"], form["Address1"]) == ("WWW", "Example.TEST.")
    assert (form["HostName2"], form["Address2"]) == ("api", "192.0.2.7")
