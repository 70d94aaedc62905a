"""Unit tests of the Namecheap XML API emulator, served over real HTTP on loopback."""

import threading

import pytest
import requests
from defusedxml import ElementTree as SafeET
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.sandbox.namecheap import (
    API_KEY,
    API_USER,
    DEFAULT_NAMESERVERS,
    NAMESPACE,
    NamecheapEmulator,
)

NS = "{" + NAMESPACE + "}"
AUTH = {"ApiUser": API_USER, "ApiKey": API_KEY, "UserName": API_USER, "ClientIp": "127.0.0.1"}
ENVELOPE_ORDER_OK = ["Errors", "Warnings", "RequestedCommand", "CommandResponse", "Server", "GMTTimeDifference", "ExecutionTime"]
ENVELOPE_ORDER_ERROR = ["Errors", "Warnings", "RequestedCommand", "Server", "GMTTimeDifference", "ExecutionTime"]
HOST_ATTRIBUTES = {
    "HostId", "Name", "Type", "Address", "MXPref", "TTL", "AssociatedAppTitle", "FriendlyName", "IsActive", "IsDDNSEnabled",
}


def contacts(**overrides):
    fields = {
        "FirstName": "Ada", "LastName": "Lovelace", "Address1": "1 Analytical St", "City": "London",
        "StateProvince": "London", "PostalCode": "N1 1AA", "Country": "GB", "Phone": "+44.2071234567",
        "EmailAddress": "ada@example.org",
    }
    result = {}
    for role in ("Registrant", "Tech", "Admin", "AuxBilling"):
        for suffix, value in fields.items():
            result[role + suffix] = value
    result.update(overrides)
    return result


def wsgi_app(emulator):
    def app(environ, start_response):
        return emulator.dispatch(Request(environ))(environ, start_response)
    return app


@pytest.fixture(scope="module")
def served():
    emulator = NamecheapEmulator()
    server = make_server("127.0.0.1", 0, wsgi_app(emulator), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield emulator, f"http://127.0.0.1:{server.server_port}/xml.response"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def emulator(served):
    emulator = served[0]
    emulator.clock = NamecheapEmulator().clock
    emulator.configure(balance="100.00", rate_limit_per_minute=0, rate_limit_per_hour=0, premium_names=None)
    emulator.reset()
    return emulator


@pytest.fixture
def api(emulator, served):
    url = served[1]

    def call(command, method="POST", auth=None, **fields):
        params = dict(AUTH if auth is None else auth, Command=command, **fields)
        if method == "GET":
            response = requests.get(url, params=params, timeout=5)
        else:
            response = requests.post(url, data=params, timeout=5)
        return response, SafeET.fromstring(response.content)

    return call


def ok(result):
    response, root = result
    assert response.status_code == 200
    assert root.get("Status") == "OK", error_of(root)
    return root.find(NS + "CommandResponse")


def error_of(root):
    errors = root.findall(f"{NS}Errors/{NS}Error")
    return [(int(e.get("Number")), e.text) for e in errors]


def failed(result):
    """The single (number, text) of an ERROR envelope answered with HTTP 200."""
    response, root = result
    assert response.status_code == 200
    assert root.get("Status") == "ERROR"
    assert root.find(NS + "CommandResponse") is None
    assert [child.tag for child in root] == [NS + tag for tag in ENVELOPE_ORDER_ERROR]
    (error,) = error_of(root)
    return error


def hosts_of(api, sld="fabrik-owned", tld="com"):
    result = ok(api("namecheap.domains.dns.getHosts", SLD=sld, TLD=tld)).find(NS + "DomainDNSGetHostsResult")
    return result, [dict(row.attrib) for row in result]


def create(api, name, **fields):
    return api("namecheap.domains.create", DomainName=name, **contacts(**dict({"Years": "1"}, **fields)))


# -- envelope, transport, authentication --------------------------------------------


def test_envelope_is_namespaced_and_ordered(api):
    response, root = api("namecheap.users.getBalances")
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b"<?xml")
    assert root.tag == NS + "ApiResponse"
    assert root.get("Status") == "OK"
    assert [child.tag for child in root] == [NS + tag for tag in ENVELOPE_ORDER_OK]
    assert root.findtext(NS + "RequestedCommand") == "namecheap.users.getbalances"
    assert root.find(NS + "CommandResponse").get("Type") == "namecheap.users.getBalances"
    assert root.findtext(NS + "Server")
    assert root.findtext(NS + "GMTTimeDifference") == "--5:00"
    assert float(root.findtext(NS + "ExecutionTime")) >= 0
    balances = root.find(f"{NS}CommandResponse/{NS}UserGetBalancesResult")
    assert balances.get("AvailableBalance") == "100.00"
    assert balances.get("Currency") == "USD"


@pytest.mark.parametrize("field, value, number", [
    ("ApiUser", None, 1010101),
    ("ApiKey", None, 1010102),
    ("UserName", None, 1010103),
    ("ClientIp", None, 1010105),
    ("ApiKey", "not-the-key", 1011102),
    ("ApiUser", "intruder", 1011102),
    ("UserName", "reseller-child", 1016103),
    ("ClientIp", "203.0.113.9", 1011150),
    ("ClientIp", "::1", 1011150),
])
def test_authentication_errors(api, field, value, number):
    auth = {k: v for k, v in AUTH.items() if k != field}
    if value is not None:
        auth[field] = value
    response, root = api("namecheap.users.getBalances", auth=auth)
    assert failed((response, root))[0] == number
    assert root.find(NS + "RequestedCommand").text is None
    assert b"not-the-key" not in response.content


def test_invalid_ip_message_names_the_ip(api):
    auth = dict(AUTH, ClientIp="203.0.113.9")
    assert failed(api("namecheap.users.getBalances", auth=auth)) == (1011150, "Invalid request IP: 203.0.113.9")


def test_missing_and_unknown_command(api):
    assert failed(api(""))[0] == 1010104
    assert failed(api("namecheap.domains.transfer.create"))[0] == 1010104


def test_get_with_lower_case_parameter_names(api):
    auth = {key.lower(): value for key, value in AUTH.items()}
    root = ok(api("namecheap.domains.dns.getList", method="GET", auth=auth, sld="fabrik-owned", tld="com"))
    assert root.find(NS + "DomainDNSGetListResult").get("Domain") == "fabrik-owned.com"


def test_post_with_globals_in_query_and_fields_in_body(served, emulator):
    url = served[1]
    query = dict({key.upper(): value for key, value in AUTH.items()}, COMMAND="namecheap.domains.getInfo")
    response = requests.post(url, params=query, data={"domainname": "fabrik-owned.com"}, timeout=5)
    root = ok((response, SafeET.fromstring(response.content)))
    assert root.find(NS + "DomainGetInfoResult").get("DomainName") == "fabrik-owned.com"


def test_unknown_path_is_404(served, emulator):
    assert requests.get(served[1].replace("xml.response", "json.response"), timeout=5).status_code == 404


# -- namecheap.domains.check ---------------------------------------------------------


def test_check_availability_rules(api):
    names = "free-name.com,fabrik-owned.com,someone-elses.com,taken-by-anyone.com,foo.taken,premium.com,foo.museum"
    root = ok(api("namecheap.domains.check", DomainList=names))
    results = {r.get("Domain"): r for r in root.findall(NS + "DomainCheckResult")}
    assert list(results) == names.split(",")
    expected_attributes = {
        "Domain", "Available", "ErrorNo", "Description", "IsPremiumName", "PremiumRegistrationPrice",
        "PremiumRenewalPrice", "PremiumRestorePrice", "PremiumTransferPrice", "IcannFee", "EapFee",
    }
    assert all(set(r.attrib) == expected_attributes for r in results.values())
    available = {name: r.get("Available") for name, r in results.items()}
    assert available == {
        "free-name.com": "true", "fabrik-owned.com": "false", "someone-elses.com": "false",
        "taken-by-anyone.com": "false", "foo.taken": "false", "premium.com": "true", "foo.museum": "false",
    }
    assert results["premium.com"].get("IsPremiumName") == "true"
    assert results["premium.com"].get("PremiumRegistrationPrice") == "2500.00"
    assert results["free-name.com"].get("IsPremiumName") == "false"
    assert results["foo.museum"].get("ErrorNo") != "0"


def test_check_configured_premium_names(api, emulator):
    emulator.configure(premium_names={"gold.test": "49.50"})
    results = ok(api("namecheap.domains.check", DomainList="gold.test,premium.com")).findall(NS + "DomainCheckResult")
    assert [(r.get("IsPremiumName"), r.get("PremiumRegistrationPrice")) for r in results] == [("true", "49.50"), ("false", "0")]


def test_check_limits_to_50_names(api):
    ok(api("namecheap.domains.check", DomainList=",".join(f"name{i}.com" for i in range(50))))
    number, _text = failed(api("namecheap.domains.check", DomainList=",".join(f"name{i}.com" for i in range(51))))
    assert number == 2011169


# -- namecheap.domains.create -----------------------------------------------------------


def test_create_registers_with_default_dns_and_charges(api, emulator):
    root = ok(create(api, "New-Site.com", Years="2"))
    result = root.find(NS + "DomainCreateResult")
    assert result.get("Domain") == "new-site.com"
    assert result.get("Registered") == "true"
    assert result.get("ChargedAmount") == "20.56"
    assert result.get("DomainID").isdigit()
    assert ok(api("namecheap.users.getBalances")).find(NS + "UserGetBalancesResult").get("AvailableBalance") == "79.44"
    assert emulator.nameservers_for("new-site.com") == list(DEFAULT_NAMESERVERS)
    check = ok(api("namecheap.domains.check", DomainList="new-site.com")).find(NS + "DomainCheckResult")
    assert check.get("Available") == "false"
    assert failed(create(api, "new-site.com"))[0] == 3019166


def test_create_with_custom_nameservers(api, emulator):
    ok(create(api, "custom-ns.com", Nameservers="NS1.Cloudflare.example, ns2.cloudflare.example"))
    assert emulator.nameservers_for("custom-ns.com") == ["ns1.cloudflare.example", "ns2.cloudflare.example"]
    listing = ok(api("namecheap.domains.dns.getList", SLD="custom-ns", TLD="com")).find(NS + "DomainDNSGetListResult")
    assert listing.get("IsUsingOurDNS") == "false"


@pytest.mark.parametrize("missing, number", [
    ("RegistrantFirstName", 2010324),
    ("TechCity", 2010325),
    ("AdminPhone", 2010326),
    ("AuxBillingEmailAddress", 2010323),
])
def test_create_requires_every_contact_role(api, emulator, missing, number):
    response, root = api("namecheap.domains.create", DomainName="contacts.com", Years="1",
                         **{k: v for k, v in contacts().items() if k != missing})
    assert failed((response, root)) == (number, f"Parameter {missing} is missing")
    assert root.findtext(NS + "RequestedCommand") == "namecheap.domains.create"
    assert emulator.nameservers_for("contacts.com") is None


@pytest.mark.parametrize("fields, number", [
    ({"TechPhone": "555-1234"}, 2015182),
    ({"RegistrantPhone": "+1.123"}, 2015182),
    ({"Years": "0"}, 2015167),
    ({"Years": "11"}, 2015167),
    ({"Years": "two"}, 2015167),
    ({"Nameservers": "ns1.only.example"}, 2011168),
    ({"Nameservers": "ns1.ok.example,not a host"}, 2011168),
    ({"WGEnabled": "yes", "AddFreeWhoisguard": "no"}, 2033407),
])
def test_create_validation_errors(api, emulator, fields, number):
    assert failed(create(api, "validate.com", **fields))[0] == number
    assert emulator.snapshot()["balance"] == "100.00"
    assert "validate.com" not in emulator.snapshot()["domains"]


def test_create_refuses_unsupported_tld_and_reserved_names(api):
    assert failed(create(api, "something.museum"))[0] == 2030280
    assert failed(create(api, "taken-already.com"))[0] == 3019166
    assert failed(create(api, "someone-elses.com"))[0] == 3019166


def test_create_fails_when_the_balance_runs_out(api, emulator):
    emulator.configure(balance="15.00")
    ok(create(api, "first.com"))
    number, text = failed(create(api, "second.com"))
    assert number == 2528166
    assert "insufficient funds" in text
    assert emulator.snapshot()["balance"] == "4.72"
    assert emulator.nameservers_for("second.com") is None


def test_premium_guard(api, emulator):
    emulator.configure(premium_names={"gold.test": "50.00"})
    assert failed(create(api, "gold.test"))[0] == 2515623
    assert failed(create(api, "gold.test", IsPremiumDomain="true", PremiumPrice="40.00"))[0] == 2515610
    assert failed(create(api, "plain.test", IsPremiumDomain="true", PremiumPrice="5.00"))[0] == 2515623
    result = ok(create(api, "gold.test", IsPremiumDomain="True", PremiumPrice="50")).find(NS + "DomainCreateResult")
    assert result.get("ChargedAmount") == "50.00"
    info = ok(api("namecheap.domains.getInfo", DomainName="gold.test")).find(NS + "DomainGetInfoResult")
    assert info.get("IsPremium") == "true"


# -- namecheap.domains.getList / getInfo ----------------------------------------------------


def test_get_list_pages_sorts_and_filters(api, emulator):
    for i in range(12):
        ok(create(api, f"bulk{i:02d}.xyz"))
    listing = ok(api("namecheap.domains.getList", PageSize="10", Page="2", SortBy="NAME_DESC"))
    names = [d.get("Name") for d in listing.findall(f"{NS}DomainGetListResult/{NS}Domain")]
    assert names == ["bulk03.xyz", "bulk02.xyz", "bulk01.xyz", "bulk00.xyz"]
    paging = listing.find(NS + "Paging")
    assert [paging.findtext(NS + tag) for tag in ("TotalItems", "CurrentPage", "PageSize")] == ["14", "2", "10"]

    searched = ok(api("namecheap.domains.getList", SearchTerm="FABRIK"))
    domains = searched.findall(f"{NS}DomainGetListResult/{NS}Domain")
    assert [d.get("Name") for d in domains] == ["fabrik-legacy.com", "fabrik-owned.com"]
    assert [d.get("IsOurDNS") for d in domains] == ["false", "true"]
    assert all(d.get("User") == API_USER for d in domains)

    expiring = ok(api("namecheap.domains.getList", ListType="expiring"))
    assert [d.get("Name") for d in expiring.iter(NS + "Domain")] == ["fabrik-legacy.com"]
    assert list(ok(api("namecheap.domains.getList", ListType="EXPIRED")).iter(NS + "Domain")) == []


@pytest.mark.parametrize("fields", [{"PageSize": "5"}, {"PageSize": "101"}, {"SortBy": "SIZE"}, {"ListType": "SOME"}])
def test_get_list_rejects_bad_parameters(api, fields):
    number, text = failed(api("namecheap.domains.getList", **fields))
    assert number == 2011166
    assert next(iter(fields)) in text


def test_get_info(api):
    info = ok(api("namecheap.domains.getInfo", DomainName="fabrik-owned.com")).find(NS + "DomainGetInfoResult")
    assert info.get("DomainName") == "fabrik-owned.com"
    assert info.get("IsOwner") == "true"
    assert info.find(f"{NS}DomainDetails/{NS}ExpiredDate").text.count("/") == 2
    dns = info.find(NS + "DnsDetails")
    assert dns.get("IsUsingOurDNS") == "true"
    assert dns.get("ProviderType") == "FreeDNS"
    assert dns.get("HostCount") == "4"
    assert [ns.text for ns in dns.findall(NS + "Nameserver")] == list(DEFAULT_NAMESERVERS)


def test_get_info_errors(api):
    assert failed(api("namecheap.domains.getInfo", DomainName="nowhere.com")) == (2030166, "Domain is invalid")
    assert failed(api("namecheap.domains.getInfo", DomainName="someone-elses.com"))[0] == 4011103
    assert failed(api("namecheap.domains.getInfo"))[0] == 2011166


# -- namecheap.domains.dns.* -------------------------------------------------------------


def test_nameserver_switching(api, emulator):
    result = ok(api("namecheap.domains.dns.setCustom", SLD="fabrik-owned", TLD="com",
                    Nameservers="Ada.NS.Cloudflare.com,bob.ns.cloudflare.com"))
    assert result.find(NS + "DomainDNSSetCustomResult").attrib == {"Domain": "fabrik-owned.com", "Updated": "true"}
    listing = ok(api("namecheap.domains.dns.getList", SLD="fabrik-owned", TLD="com")).find(NS + "DomainDNSGetListResult")
    assert listing.get("IsUsingOurDNS") == "false"
    assert [n.text for n in listing] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    assert emulator.nameservers_for("fabrik-owned.com") == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]

    hosts_result, rows = hosts_of(api)
    assert (hosts_result.get("IsUsingOurDNS"), rows) == ("false", [])
    refused = api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com",
                  HostName1="@", RecordType1="A", Address1="192.0.2.1")
    assert failed(refused)[0] == 2030166

    ok(api("namecheap.domains.dns.setDefault", SLD="fabrik-owned", TLD="com"))
    assert emulator.nameservers_for("fabrik-owned.com") == list(DEFAULT_NAMESERVERS)
    assert len(hosts_of(api)[1]) == 4


@pytest.mark.parametrize("command, fields, number", [
    ("namecheap.domains.dns.setCustom", {"SLD": "fabrik-owned", "TLD": "com", "Nameservers": "ns1.one.example"}, 2011168),
    ("namecheap.domains.dns.setCustom", {"SLD": "fabrik-owned", "TLD": "com"}, 2011168),
    ("namecheap.domains.dns.setCustom", {"SLD": "someone-elses", "TLD": "com", "Nameservers": "a.b.example,c.d.example"}, 2016166),
    ("namecheap.domains.dns.setDefault", {"SLD": "nowhere", "TLD": "test"}, 2019166),
    ("namecheap.domains.dns.getList", {"SLD": "someone-elses", "TLD": "com"}, 2016166),
    ("namecheap.domains.dns.getHosts", {"SLD": "nowhere", "TLD": "test"}, 2019166),
    ("namecheap.domains.dns.getHosts", {"TLD": "test"}, 2011166),
])
def test_dns_command_errors(api, emulator, command, fields, number):
    assert failed(api(command, **fields))[0] == number
    assert emulator.nameservers_for("fabrik-owned.com") == list(DEFAULT_NAMESERVERS)


def test_multi_label_tld_split(api, emulator):
    emulator.configure(balance="50")
    ok(create(api, "example.co.uk"))
    assert ok(api("namecheap.domains.dns.getList", SLD="example", TLD="co.uk")) is not None
    assert failed(api("namecheap.domains.dns.getList", SLD="example.co", TLD="uk"))[0] == 2019166


def test_get_hosts_rows(api):
    result, rows = hosts_of(api)
    assert result.get("EmailType") == "MX"
    assert result.get("IsUsingOurDNS") == "true"
    assert [child.tag for child in result] == [NS + "host"] * 4
    assert all(set(row) == HOST_ATTRIBUTES for row in rows)
    assert {(r["Type"], r["Name"]) for r in rows} == {("A", "@"), ("CNAME", "www"), ("MX", "@"), ("TXT", "@")}
    assert all(r["MXPref"] == "10" and r["TTL"] == "1800" for r in rows)


def test_set_hosts_replaces_the_whole_list(api, emulator):
    _result, before = hosts_of(api)
    fields = {
        "EmailType": "MX",
        "HostName1": "@", "RecordType1": "A", "Address1": "198.51.100.20",
        "HostName2": "@", "RecordType2": "MX", "Address2": "mx.example.net.", "MXPref2": "5", "TTL2": "300",
        "HostName3": "_acme", "RecordType3": "TXT", "Address3": 'a<b & "c"',
    }
    result = ok(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", **fields))
    assert result.find(NS + "DomainDNSSetHostsResult").attrib == {"Domain": "fabrik-owned.com", "IsSuccess": "true"}
    _result, first = hosts_of(api)
    assert [(r["Name"], r["Type"], r["Address"], r["MXPref"], r["TTL"]) for r in first] == [
        ("@", "A", "198.51.100.20", "10", "1800"),
        ("@", "MX", "mx.example.net.", "5", "300"),
        ("_acme", "TXT", 'a<b & "c"', "10", "1800"),
    ]
    assert not {r["HostId"] for r in first} & {r["HostId"] for r in before}

    ok(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", **fields))
    _result, second = hosts_of(api)
    assert not {r["HostId"] for r in second} & {r["HostId"] for r in first}
    assert emulator.snapshot()["domains"]["fabrik-owned.com"]["email_type"] == "MX"

    ok(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", EmailType="NONE",
           HostName1="www", RecordType1="CNAME", Address1="fabrik-owned.com."))
    result, last = hosts_of(api)
    assert [(r["Name"], r["Type"]) for r in last] == [("www", "CNAME")]
    assert result.get("EmailType") == "NONE"


@pytest.mark.parametrize("fields", [
    {"HostName1": "@", "RecordType1": "A", "Address1": "192.0.2.1", "HostName3": "x", "RecordType3": "A", "Address3": "192.0.2.3"},
    {"HostName2": "@", "RecordType2": "A", "Address2": "192.0.2.1"},
    {"HostName1": "@", "RecordType1": "SRV", "Address1": "x"},
    {"HostName1": "@", "RecordType1": "A", "Address1": "not-an-ip"},
    {"HostName1": "@", "RecordType1": "AAAA", "Address1": "192.0.2.1"},
    {"HostName1": "@", "RecordType1": "A", "Address1": "192.0.2.1", "TTL1": "59"},
    {"HostName1": "@", "RecordType1": "A", "Address1": "192.0.2.1", "TTL1": "60001"},
    {"HostName1": "@", "RecordType1": "A"},
    {"HostName1": "bad host", "RecordType1": "A", "Address1": "192.0.2.1"},
    {"EmailType": "MX", "HostName1": "@", "RecordType1": "MX", "Address1": "mx.example."},
    {"EmailType": "MXE", "HostName1": "@", "RecordType1": "A", "Address1": "192.0.2.1"},
    {"EmailType": "POSTAL", "HostName1": "@", "RecordType1": "A", "Address1": "192.0.2.1"},
])
def test_set_hosts_validation_leaves_the_zone_alone(api, fields):
    _result, before = hosts_of(api)
    assert failed(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", **fields))[0] == 2011166
    assert hosts_of(api)[1] == before


def test_set_hosts_without_email_type_drops_mx_rows(api, emulator):
    """Accepted as the live API does; MX rows are kept only in an MX/OX/GMAIL zone (README, live behaviour)."""
    mx = {"HostName1": "@", "RecordType1": "MX", "Address1": "mx.example.", "MXPref1": "10",
          "HostName2": "@", "RecordType2": "TXT", "Address2": "v=spf1 -all"}
    ok(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", **mx))
    assert [r["Type"] for r in hosts_of(api)[1]] == ["TXT"]
    assert emulator.snapshot()["domains"]["fabrik-owned.com"]["email_type"] == "NONE"
    ok(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", EmailType="OX", **mx))
    assert sorted(r["Type"] for r in hosts_of(api)[1]) == ["MX", "TXT"]


def test_account_and_catalogue_commands(api, emulator):
    pricing = ok(api("namecheap.users.getPricing", ProductType="DOMAIN", ActionName="RENEW", ProductName="com"))
    [price] = [p for p in pricing.iter(NS + "Price") if p.get("Duration") == "2"]
    assert (price.get("YourPrice"), price.get("Currency")) == ("20.56", "USD")
    tlds = [tld.get("Name") for tld in ok(api("namecheap.domains.getTldList")).iter(NS + "Tld")]
    assert "com" in tlds and "co.uk" in tlds
    contacts = ok(api("namecheap.domains.getContacts", DomainName="fabrik-owned.com")).find(NS + "DomainContactsResult")
    assert contacts.find(NS + "Registrant").find(NS + "EmailAddress").text == "owner@fabrik-sandbox.com"
    assert failed(api("namecheap.domains.getContacts", DomainName="someone-elses.com"))[0] == 4011103
    before = emulator.snapshot()["domains"]["fabrik-owned.com"]["expires"]
    renewed = ok(api("namecheap.domains.renew", DomainName="fabrik-owned.com", Years="2")).find(NS + "DomainRenewResult")
    assert (renewed.get("Renew"), renewed.get("ChargedAmount")) == ("true", "20.56")
    after = emulator.snapshot()["domains"]["fabrik-owned.com"]["expires"]
    assert int(after[:4]) == int(before[:4]) + 2
    assert failed(api("namecheap.domains.renew", DomainName="fabrik-owned.com", Years="11"))[0] == 2015167


def test_hourly_rate_limit(api, emulator):
    assert NamecheapEmulator().options["rate_limit_per_hour"] == 700
    emulator.configure(rate_limit_per_minute=20, rate_limit_per_hour=3)
    now = [5000.0]
    emulator.clock = lambda: now[0]
    try:
        for _minute in range(3):
            ok(api("namecheap.users.getBalances"))
            now[0] += 61
        response, root = api("namecheap.users.getBalances")
        assert response.status_code == 405 and error_of(root) == [(500000, "Too many requests")]
        now[0] += 3600
        ok(api("namecheap.users.getBalances"))
    finally:
        emulator.configure(rate_limit_per_minute=0, rate_limit_per_hour=0)
        emulator.reset()


def test_set_hosts_accepts_ttl_bounds_and_mxe(api):
    ok(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", EmailType="MXE",
           HostName1="@", RecordType1="MXE", Address1="192.0.2.5", TTL1="60",
           HostName2="www", RecordType2="A", Address2="192.0.2.6", TTL2="60000"))
    assert [r["TTL"] for r in hosts_of(api)[1]] == ["60", "60000"]


def test_set_hosts_refuses_too_many_records(api):
    fields = {}
    for n in range(1, 152):
        fields.update({f"HostName{n}": f"h{n}", f"RecordType{n}": "A", f"Address{n}": "192.0.2.1"})
    assert failed(api("namecheap.domains.dns.setHosts", SLD="fabrik-owned", TLD="com", **fields))[0] == 3013288
    assert len(hosts_of(api)[1]) == 4


# -- rate limit ------------------------------------------------------------------------


def test_rate_limit_answers_405_and_resets(api, emulator):
    assert NamecheapEmulator().options["rate_limit_per_minute"] == 20
    emulator.configure(rate_limit_per_minute=3)
    now = [1000.0]
    emulator.clock = lambda: now[0]
    for _unused in range(3):
        ok(api("namecheap.users.getBalances"))
    response, root = api("namecheap.users.getBalances")
    assert response.status_code == 405
    assert error_of(root) == [(500000, "Too many requests")]

    other_key = dict(AUTH, ApiKey="another-key")
    assert failed(api("namecheap.users.getBalances", auth=other_key))[0] == 1011102

    now[0] += 60
    ok(api("namecheap.users.getBalances"))
    ok(api("namecheap.users.getBalances"))
    ok(api("namecheap.users.getBalances"))
    assert api("namecheap.users.getBalances")[0].status_code == 405
    emulator.reset()
    ok(api("namecheap.users.getBalances"))


# -- framework interface ------------------------------------------------------------------


@pytest.mark.parametrize("data, expected", [
    ({"Command": "namecheap.domains.dns.setHosts"}, {"command": "namecheap.domains.dns.sethosts", "write": True}),
    ({"command": "NAMECHEAP.DOMAINS.CREATE"}, {"command": "namecheap.domains.create", "write": True}),
    ({"Command": "namecheap.domains.dns.setCustom"}, {"command": "namecheap.domains.dns.setcustom", "write": True}),
    ({"Command": "namecheap.domains.dns.setDefault"}, {"command": "namecheap.domains.dns.setdefault", "write": True}),
    ({"Command": "namecheap.domains.getList"}, {"command": "namecheap.domains.getlist", "write": False}),
    ({}, {"command": "", "write": False}),
])
def test_describe(emulator, data, expected):
    request = Request(EnvironBuilder(method="POST", path="/xml.response", data=data).get_environ())
    assert emulator.describe(request) == expected
    query_request = Request(EnvironBuilder(method="GET", path="/xml.response", query_string=data).get_environ())
    assert emulator.describe(query_request) == expected


def test_nameservers_for(emulator):
    assert emulator.nameservers_for("FABRIK-OWNED.com.") == list(DEFAULT_NAMESERVERS)
    assert emulator.nameservers_for("fabrik-legacy.com") == ["ns1.legacy-dns.example", "ns2.legacy-dns.example"]
    assert emulator.nameservers_for("someone-elses.com") is None
    assert emulator.nameservers_for("unregistered.test") is None


def test_snapshot_and_reset(api, emulator):
    ok(create(api, "fresh.com"))
    state = emulator.snapshot()
    assert state["balance"] == "89.72"
    assert state["domains"]["fresh.com"]["nameservers"] == list(DEFAULT_NAMESERVERS)
    owned = state["domains"]["fabrik-owned.com"]
    assert owned["email_type"] == "MX"
    assert {h["type"] for h in owned["hosts"]} == {"A", "CNAME", "MX", "TXT"}
    emulator.reset()
    assert "fresh.com" not in emulator.snapshot()["domains"]
    assert emulator.snapshot()["balance"] == "100.00"


def test_configure_rejects_unknown_or_bad_options(emulator):
    with pytest.raises(ValueError):
        emulator.configure(colour="blue")
    with pytest.raises(ValueError):
        emulator.configure(rate_limit_per_minute=-1)
    with pytest.raises(ValueError):
        emulator.configure(balance="lots")
    assert NamecheapEmulator(balance=7).snapshot()["balance"] == "7.00"
