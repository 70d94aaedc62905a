"""The emulators' objects against what the live APIs answered (tests/contracts/<vendor>/live-objects.json).

Every key the recordings show on an object the project uses is on the emulator's object, with
the same JSON type (null where the recording has null); keys marked ``retired`` (gone from the
live API since) are left out on purpose.  Namecheap: the same for XML attributes and child
elements, with the format of their values.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import requests

from tests.sandbox.cloudflare import BASE_PATH, SANDBOX_ACCOUNT_ID, SANDBOX_TOKEN
from tests.sandbox.namecheap import API_KEY, API_USER, ENDPOINT, NAMESPACE, Domain

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts"
JSON_TYPES = {"string": str, "boolean": bool, "integer": int, "array": list, "object": dict, "null": type(None)}
NS = "{%s}" % NAMESPACE


def live(vendor):
    return json.loads((CONTRACTS / vendor / "live-objects.json").read_text())


def json_type(value):
    if isinstance(value, bool):
        return "boolean"
    return next(name for name, kind in JSON_TYPES.items() if isinstance(value, kind) and name != "boolean")


def compare(recorded, actual, where):
    """Differences between recorded keys (``{key: type | {type, retired}}``) and an emulator object."""
    problems = []
    for key, spec in recorded.items():
        spec = spec if isinstance(spec, dict) else {"type": spec}
        if spec.get("retired"):
            continue
        if key not in actual:
            problems.append("%s: %s missing (live: %s)" % (where, key, spec["type"]))
        elif spec["type"] != "any" and json_type(actual[key]) != spec["type"]:
            problems.append("%s: %s is %s, live %s" % (where, key, json_type(actual[key]), spec["type"]))
    return problems


def compare_object(recorded, actual, where):
    problems = compare(recorded["keys"], actual, where)
    for key, nested in recorded.get("nested", {}).items():
        problems += compare(nested, actual.get(key) or {}, "%s.%s" % (where, key))
    return problems


# -- Cloudflare -----------------------------------------------------------------------------------------


def cloudflare(emulators, method, path, **kwargs):
    url = emulators.urls["cloudflare"] + BASE_PATH + path
    return requests.request(method, url, headers={"Authorization": "Bearer " + SANDBOX_TOKEN}, timeout=10, **kwargs)


def active_zone(emulators, name):
    """A zone made as a site's is: the domain at the registrar first (its own DNS), then the zone, then the
    registrar's nameservers set to the zone's: the zone turns active."""
    registrar = emulators.apps["namecheap"].emulator
    today = datetime.date.today()
    with registrar.lock:
        registrar.domains[name] = Domain(name=name, owner=API_USER, domain_id=1, created=today, expires=today)
    zone = cloudflare(emulators, "POST", "/zones", json={"name": name, "account": {"id": SANDBOX_ACCOUNT_ID}}).json()
    with registrar.lock:
        registrar.domains[name].nameservers = list(zone["result"]["name_servers"])
    cloudflare(emulators, "PUT", "/zones/%s/activation_check" % zone["result"]["id"])
    return zone["result"]["id"]


def test_cloudflare_objects_match_the_live_recordings(emulators):
    objects = live("cloudflare")["objects"]
    zone_id = active_zone(emulators, "fabrik-live.com")
    listed = cloudflare(emulators, "GET", "/zones").json()
    [zone] = listed["result"]
    assert zone["status"] == "active"
    problems = compare_object(objects["zone"], zone, "zone")
    problems += compare(objects["zone_list_info"]["keys"], listed["result_info"], "zones result_info")
    problems += compare(objects["envelope"]["keys"], listed, "envelope")

    body = {"type": "TXT", "name": "_acme-challenge.noop.fabrik-live.com", "content": "challengetoken", "ttl": 3600}
    created = cloudflare(emulators, "POST", "/zones/%s/dns_records" % zone_id, json=body)
    assert created.status_code == objects["dns_record"]["status"]
    problems += compare_object(objects["dns_record"], created.json()["result"], "dns_record")
    a_record = cloudflare(emulators, "POST", "/zones/%s/dns_records" % zone_id,
                          json={"type": "A", "name": "localhost.fabrik-live.com", "content": "127.0.0.1", "ttl": 3600})
    problems += compare_object(objects["dns_record"], a_record.json()["result"], "dns_record (A)")

    query = {"per_page": 100, "type": "TXT", "name": body["name"]}
    records = cloudflare(emulators, "GET", "/zones/%s/dns_records" % zone_id, params=query).json()
    problems += compare(objects["record_list_info"]["keys"], records["result_info"], "records result_info")

    duplicate = cloudflare(emulators, "POST", "/zones/%s/dns_records" % zone_id, json=body)
    error = objects["identical_record_error"]
    assert duplicate.status_code == error["status"]
    problems += compare(error["keys"], duplicate.json(), "identical record error")
    problems += compare(error["error_keys"], duplicate.json()["errors"][0], "identical record error item")

    deleted = cloudflare(emulators, "DELETE", "/zones/%s/dns_records/%s" % (zone_id, created.json()["result"]["id"]))
    assert deleted.status_code == objects["record_delete"]["status"]
    problems += compare(objects["record_delete"]["keys"], deleted.json()["result"], "record delete")
    empty = cloudflare(emulators, "GET", "/zones/%s/dns_records" % zone_id, params=query).json()
    expected = objects["record_list_empty"]
    assert (empty["result"], empty["result_info"]) == (expected["result"], expected["result_info"])
    assert not problems, "\n".join(problems)


# -- Namecheap ----------------------------------------------------------------------------------------------


def namecheap(emulators, command, **params):
    query = {"ApiUser": API_USER, "ApiKey": API_KEY, "UserName": API_USER, "ClientIp": "127.0.0.1",
             "Command": command, **params}
    response = requests.post(emulators.urls["namecheap"] + ENDPOINT, params=query, timeout=10)
    return response, ET.fromstring(response.content)


def check_element(recorded, element, where):
    problems = []
    for name, pattern in recorded.get("attributes", {}).items():
        value = element.get(name)
        if value is None or not re.fullmatch(pattern, value):
            problems.append("%s@%s = %r, live format %s" % (where, name, value, pattern))
    children = recorded.get("children", {})
    names = [child.tag[len(NS):] for child in element]
    for name in children:
        if name not in names:
            problems.append("%s: child %s missing (has %s)" % (where, name, names))
        elif isinstance(children, dict):
            text = element.find(NS + name).text or ""
            if not re.fullmatch(children[name], text):
                problems.append("%s/%s = %r, live format %s" % (where, name, text, children[name]))
    return problems


def test_namecheap_answers_match_the_live_recordings(emulators):
    recorded = live("namecheap")
    elements = recorded["elements"]
    response, root = namecheap(emulators, "namecheap.domains.getInfo", DomainName="fabrik-owned.com")
    envelope = recorded["envelope"]
    assert response.status_code == envelope["http_status"]
    assert response.headers["Content-Type"] == envelope["content_type"]
    assert [child.tag[len(NS):] for child in root] == envelope["children"]
    assert root.find(NS + "RequestedCommand").text == "namecheap.domains.getinfo"
    info = root.find(NS + "CommandResponse/" + NS + "DomainGetInfoResult")
    problems = check_element(elements["DomainGetInfoResult"], info, "DomainGetInfoResult")
    assert [child.tag[len(NS):] for child in info] == elements["DomainGetInfoResult"]["children"]
    for name in ("DomainDetails", "Whoisguard", "PremiumDnsSubscription", "DnsDetails", "Modificationrights"):
        problems += check_element(elements[name], info.find(NS + name), name)
    guard = info.find(NS + "Whoisguard")
    assert [c.tag[len(NS):] for c in guard] == elements["Whoisguard"]["children_when_enabled"]
    assert sorted(guard.find(NS + "EmailDetails").attrib) == sorted(elements["Whoisguard"]["EmailDetails"])

    _response, root = namecheap(emulators, "namecheap.domains.dns.getHosts", SLD="fabrik-owned", TLD="com")
    hosts = root.find(NS + "CommandResponse/" + NS + "DomainDNSGetHostsResult")
    problems += check_element(elements["DomainDNSGetHostsResult"], hosts, "DomainDNSGetHostsResult")
    for host in hosts:
        problems += check_element(elements["host"], host, "host")
        assert sorted(host.attrib) == sorted(elements["host"]["attributes"])

    error = recorded["errors"]["get_info_not_in_account"]
    _response, root = namecheap(emulators, error["command"], DomainName="thisisadomainidonotown.com")
    assert root.get("Status") == "ERROR"
    failure = root.find(NS + "Errors/" + NS + "Error")
    assert (int(failure.get("Number")), failure.text) == (error["number"], error["text"])
    assert not problems, "\n".join(problems)
