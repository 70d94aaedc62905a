"""Unit tests of the Cloudflare emulator, served through the sandbox framework on loopback."""

import re
import time

import pytest
import requests

from tests.sandbox.base import Emulator, SharedState
from tests.sandbox.cloudflare import SANDBOX_ACCOUNT_ID, SANDBOX_TOKEN, CloudflareEmulator, success
from tests.sandbox.framework import SandboxApp, serve

ACTIVATION_DELAY = 0.3


class FakeRegistrar(Emulator):
    """The Namecheap side of zone activation: nameservers per domain."""

    name = "namecheap"

    def __init__(self, shared):
        super().__init__(shared)
        self.nameservers = {}

    def reset(self):
        self.nameservers = {}

    def nameservers_for(self, domain):
        return self.nameservers.get(domain)


class Api:
    """A Cloudflare API client for the tests, plus the sandbox control API."""

    def __init__(self, root, emulator, registrar):
        self.root = root
        self.emulator = emulator
        self.registrar = registrar
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer " + SANDBOX_TOKEN
        self.sends_invalid_requests = False

    def call(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 5)
        return self.http.request(method, self.root + "/client/v4" + path, **kwargs)

    def ok(self, method, path, **kwargs):
        resp = self.call(method, path, **kwargs)
        body = resp.json()
        assert resp.status_code == 200 and body["success"] is True, resp.text
        return body["result"]

    def fails(self, method, path, status, code, **kwargs):
        resp = self.call(method, path, **kwargs)
        body = resp.json()
        assert (resp.status_code, body["success"], body["result"]) == (status, False, None), resp.text
        assert [e["code"] for e in body["errors"]] == [code], resp.text
        return body["errors"][0]["message"]

    def control(self, method, path, body=None):
        resp = requests.request(method, f"{self.root}/_sandbox/{path}", json=body, timeout=30)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def zone(self, name="example.com"):
        return self.ok("POST", "/zones", json={"name": name, "account": {"id": SANDBOX_ACCOUNT_ID}, "type": "full"})

    def record(self, zone_id, **body):
        return self.ok("POST", f"/zones/{zone_id}/dns_records", json=body)


@pytest.fixture(scope="module")
def served():
    shared = SharedState()
    registrar = FakeRegistrar(shared)
    emulator = CloudflareEmulator(shared, activation_delay=ACTIVATION_DELAY)
    app = SandboxApp(emulator)
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}", emulator, registrar
    app.close()
    server.shutdown()
    server.server_close()


@pytest.fixture()
def api(served):
    """A reset emulator; afterwards no contract violation may have been recorded.

    Tests that send requests the spec forbids set ``api.sends_invalid_requests``:
    for them only the emulator's responses must be clean.
    """
    root, emulator, registrar = served
    client = Api(root, emulator, registrar)
    client.control("POST", "reset")
    registrar.reset()
    yield client
    violations = client.control("GET", "violations")
    if client.sends_invalid_requests:
        violations = [v for v in violations if v["kind"] != "request"]
    assert violations == []


# -- auth, routing, envelope ------------------------------------------------------------------

def test_missing_and_wrong_tokens_are_refused(api):
    api.sends_invalid_requests = True
    api.http.headers.pop("Authorization")
    assert api.fails("GET", "/zones", 403, 10000) == "Authentication error"
    api.http.headers["Authorization"] = "Bearer not-the-token"
    assert api.fails("GET", "/zones", 403, 9109) == "Invalid access token"


def test_unknown_routes_and_methods(api):
    api.fails("GET", "/nothing/here", 404, 7003)
    api.fails("DELETE", "/zones", 405, 7001)


# -- zones ----------------------------------------------------------------------------------

def test_new_zone_is_pending_with_two_assigned_nameservers(api):
    zone = api.zone("Example.COM")
    assert re.fullmatch(r"[0-9a-f]{32}", zone["id"])
    assert (zone["name"], zone["status"], zone["type"], zone["activated_on"]) == ("example.com", "pending", "full", None)
    assert len(zone["name_servers"]) == 2
    assert all(re.fullmatch(r"[a-z]+\.ns\.cloudflare\.com", ns) for ns in zone["name_servers"])
    assert zone["account"]["id"] == SANDBOX_ACCOUNT_ID
    assert api.ok("GET", f"/zones/{zone['id']}") == zone


def test_nameservers_are_deterministic_per_zone_name(api):
    first = api.zone("stable.example")
    api.ok("DELETE", f"/zones/{first['id']}")
    second = api.zone("stable.example")
    assert second["id"] != first["id"]
    assert second["name_servers"] == first["name_servers"]
    assert len(set(second["name_servers"])) == 2


def test_registrar_nameservers_become_original_name_servers(api):
    api.registrar.nameservers["registered.example"] = ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
    zone = api.zone("registered.example")
    assert zone["original_name_servers"] == ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
    assert zone["original_registrar"] == "namecheap"


def test_zone_create_errors(api):
    zone = {"name": "example.com", "account": {"id": SANDBOX_ACCOUNT_ID}}
    api.ok("POST", "/zones", json=zone)
    assert api.fails("POST", "/zones", 400, 1061, json=zone) == "example.com already exists"
    api.sends_invalid_requests = True
    api.fails("POST", "/zones", 400, 1099, json={**zone, "name": "not a domain"})
    api.fails("POST", "/zones", 400, 1067, json={**zone, "name": "fine.example", "account": {"id": "f" * 32}})
    api.fails("POST", "/zones", 400, 1007, json={**zone, "name": "fine.example", "type": "huge"})
    api.fails("POST", "/zones", 400, 6007, data="{not json", headers={"Content-Type": "application/json"})


def test_zone_list_filters_and_paging(api):
    for index in range(7):
        api.zone(f"site{index}.example")
    api.zone("other.test")
    listed = api.call("GET", "/zones", params={"account.id": SANDBOX_ACCOUNT_ID, "per_page": 5}).json()
    assert [z["name"] for z in listed["result"]] == ["other.test"] + [f"site{i}.example" for i in range(4)]
    assert listed["result_info"] == {"page": 1, "per_page": 5, "count": 5, "total_count": 8, "total_pages": 2}
    page2 = api.call("GET", "/zones", params={"per_page": 5, "page": 2}).json()
    assert page2["result_info"]["count"] == 3
    assert [z["name"] for z in page2["result"]] == ["site4.example", "site5.example", "site6.example"]
    assert [z["name"] for z in api.ok("GET", "/zones", params={"name": "other.test"})] == ["other.test"]
    assert len(api.ok("GET", "/zones", params={"name": "contains:site"})) == 7
    assert len(api.ok("GET", "/zones", params={"name": "ends_with:.test"})) == 1
    assert api.ok("GET", "/zones", params={"name": "other.test", "account.id": "f" * 32}) == []
    either = api.ok("GET", "/zones", params={"name": "other.test", "status": "active", "match": "any"})
    assert [z["name"] for z in either] == ["other.test"]
    newest_first = api.ok("GET", "/zones", params={"order": "name", "direction": "desc", "per_page": 50})
    assert newest_first[0]["name"] == "site6.example"


def test_zone_list_page_size_bounds(api):
    assert api.ok("GET", "/zones", params={"per_page": 100}) == []  # live accepts 100 (the spec says 50)
    api.sends_invalid_requests = True
    api.fails("GET", "/zones", 400, 1007, params={"per_page": 3})
    api.fails("GET", "/zones", 400, 1007, params={"per_page": 1001})


def test_zone_edit_and_delete(api):
    zone = api.zone()
    edited = api.ok("PATCH", f"/zones/{zone['id']}", json={"paused": True})
    assert edited["paused"] is True and edited["name_servers"] == zone["name_servers"]
    assert api.ok("DELETE", f"/zones/{zone['id']}") == {"id": zone["id"]}
    api.fails("GET", f"/zones/{zone['id']}", 404, 7003)
    api.fails("GET", f"/zones/{zone['id']}/dns_records", 404, 7003)


# -- activation ------------------------------------------------------------------------------

def test_zone_activates_after_the_delay_once_the_registrar_has_its_nameservers(api):
    zone = api.zone()
    api.registrar.nameservers["example.com"] = ["ns1.elsewhere.net", "ns2.elsewhere.net"]
    api.ok("PUT", f"/zones/{zone['id']}/activation_check")
    time.sleep(ACTIVATION_DELAY)
    assert api.ok("GET", f"/zones/{zone['id']}")["status"] == "pending"

    api.registrar.nameservers["example.com"] = [ns.upper() for ns in reversed(zone["name_servers"])]
    assert api.ok("GET", f"/zones/{zone['id']}")["status"] == "pending"  # first seen now: the delay starts
    time.sleep(ACTIVATION_DELAY + 0.05)
    [listed] = api.ok("GET", "/zones", params={"name": "example.com"})
    assert listed["status"] == "active"
    assert listed["activated_on"] is not None


def test_activation_check_activates_at_once(api):
    zone = api.zone()
    api.registrar.nameservers["example.com"] = list(zone["name_servers"])
    assert api.ok("PUT", f"/zones/{zone['id']}/activation_check") == {"id": zone["id"]}
    assert api.ok("GET", f"/zones/{zone['id']}")["status"] == "active"


def test_zone_stays_pending_when_the_nameservers_change_back(api):
    zone = api.zone()
    api.registrar.nameservers["example.com"] = list(zone["name_servers"])
    api.ok("GET", f"/zones/{zone['id']}")
    api.registrar.nameservers["example.com"] = ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
    time.sleep(ACTIVATION_DELAY + 0.05)
    assert api.ok("GET", f"/zones/{zone['id']}")["status"] == "pending"


# -- DNS records -----------------------------------------------------------------------------

def test_record_names_are_expanded_and_fields_filled(api):
    zone = api.zone()
    apex = api.record(zone["id"], type="A", name="@", content="192.0.2.1", ttl=1, proxied=True)
    www = api.record(zone["id"], type="CNAME", name="www", content="Example.com.", ttl=300, comment="site")
    mail = api.record(zone["id"], type="MX", name="example.com", content="mx.example.net", priority=10, tags=["owner:ops"])
    assert (apex["name"], apex["proxiable"], apex["proxied"], apex["ttl"]) == ("example.com", True, True, 1)
    assert (www["name"], www["content"], www["comment"]) == ("www.example.com", "example.com", "site")
    assert (mail["priority"], mail["proxiable"], mail["tags"]) == (10, False, ["owner:ops"])
    assert "comment" not in apex
    assert re.fullmatch(r"[0-9a-f]{32}", apex["id"]) and apex["created_on"] == apex["modified_on"]
    assert api.ok("GET", f"/zones/{zone['id']}/dns_records/{www['id']}") == www


@pytest.mark.parametrize(("body", "code", "message"), [
    ({"type": "A", "name": "@", "content": "300.1.1.1"}, 9005, "IPv4"),
    ({"type": "AAAA", "name": "@", "content": "192.0.2.1"}, 9005, "IPv6"),
    ({"type": "A", "name": "@", "content": "192.0.2.1", "ttl": 5}, 9021, "TTL"),
    ({"type": "A", "name": "@", "content": "192.0.2.1", "ttl": "300"}, 9022, "number"),
    ({"type": "TXT", "name": "@", "content": "v=spf1 -all", "proxied": True}, 1004, "cannot be proxied"),
    ({"type": "MX", "name": "@", "content": "mx.example.net"}, 1004, "priority"),
    ({"type": "TXT", "name": "@", "content": "x", "comment": "two\nlines"}, 1004, "line breaks"),
    ({"type": "TXT", "name": "@", "content": "x", "tags": ["no value"]}, 1004, "name:value"),
    ({"type": "BOGUS", "name": "@", "content": "x"}, 1004, "type"),
    ({"type": "A", "name": "bad name", "content": "192.0.2.1"}, 1004, "DNS name"),
    ({"type": "CNAME", "name": "www", "content": "www.example.com"}, 1004, "itself"),
    ({"type": "CAA", "name": "@", "data": {"flags": "0", "tag": "issue", "value": "ca.example"}}, 1004, "CAA"),
])
def test_record_validation(api, body, code, message):
    api.sends_invalid_requests = True
    zone = api.zone()
    assert message in api.fails("POST", f"/zones/{zone['id']}/dns_records", 400, code, json=body)
    assert api.ok("GET", f"/zones/{zone['id']}/dns_records") == []


def test_record_conflicts(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/dns_records"
    api.record(zone["id"], type="A", name="@", content="192.0.2.1")
    api.record(zone["id"], type="A", name="@", content="192.0.2.2")  # round robin is fine
    api.record(zone["id"], type="CNAME", name="www", content="example.com")
    assert api.fails("POST", path, 400, 81058, json={"type": "A", "name": "@", "content": "192.0.2.1"}) == \
        "An identical record already exists."
    api.fails("POST", path, 400, 81053, json={"type": "CNAME", "name": "@", "content": "other.example"})
    api.fails("POST", path, 400, 81054, json={"type": "A", "name": "www", "content": "192.0.2.3"})
    api.fails("POST", path, 400, 81054, json={"type": "TXT", "name": "www", "content": "hello"})
    assert len(api.ok("GET", path)) == 3


def test_put_overwrites_and_patch_merges(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/dns_records"
    record = api.record(zone["id"], type="A", name="@", content="192.0.2.1", ttl=300, comment="keep", tags=["a:b"])
    time.sleep(0.01)
    patched = api.ok("PATCH", f"{path}/{record['id']}", json={"content": "192.0.2.9"})
    assert (patched["content"], patched["ttl"], patched["comment"], patched["tags"]) == ("192.0.2.9", 300, "keep", ["a:b"])
    assert patched["created_on"] == record["created_on"] and patched["modified_on"] > record["modified_on"]
    put = api.ok("PUT", f"{path}/{record['id']}", json={"type": "A", "name": "@", "content": "192.0.2.7"})
    assert (put["ttl"], put["tags"], "comment" in put) == (1, [], False)
    assert api.ok("DELETE", f"{path}/{record['id']}") == {"id": record["id"]}
    api.fails("GET", f"{path}/{record['id']}", 404, 81044)


def test_record_list_filters_order_and_paging(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/dns_records"
    api.record(zone["id"], type="A", name="@", content="192.0.2.1", proxied=True, tags=["env:prod"])
    api.record(zone["id"], type="A", name="api", content="192.0.2.2", comment="backend", tags=["env:dev"])
    api.record(zone["id"], type="TXT", name="@", content="v=spf1 -all")
    api.record(zone["id"], type="MX", name="@", content="mx.example.net", priority=5)

    def names(**params):
        return [(r["type"], r["name"]) for r in api.ok("GET", path, params=params)]

    assert names(type="A") == [("A", "api.example.com"), ("A", "example.com")]
    assert names(**{"name.exact": "API.example.com"}) == [("A", "api.example.com")]
    assert names(name="example.com", type="TXT") == [("TXT", "example.com")]
    assert names(content="192.0.2.2") == [("A", "api.example.com")]
    assert names(**{"content.startswith": "v=spf"}) == [("TXT", "example.com")]
    assert names(proxied="true") == [("A", "example.com")]
    assert names(**{"comment.present": "1"}) == [("A", "api.example.com")]
    assert names(tag="env:prod") == [("A", "example.com")]
    assert len(names(**{"tag.present": "env"})) == 2
    assert names(type="TXT", content="192.0.2.2", match="any") == [("A", "api.example.com"), ("TXT", "example.com")]
    assert [r["content"] for r in api.ok("GET", path, params={"order": "content", "direction": "desc", "type": "A"})] == \
        ["192.0.2.2", "192.0.2.1"]
    assert [r["type"] for r in api.ok("GET", path)] == ["A", "A", "MX", "TXT"]  # default order: type
    page = api.call("GET", path, params={"per_page": 3, "page": 2}).json()
    assert page["result_info"] == {"page": 2, "per_page": 3, "count": 1, "total_count": 4, "total_pages": 2}


# -- batch ---------------------------------------------------------------------------------

def test_batch_runs_deletes_patches_puts_posts_in_that_order(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/dns_records"
    old_www = api.record(zone["id"], type="A", name="www", content="192.0.2.1")
    apex = api.record(zone["id"], type="A", name="@", content="192.0.2.1")
    txt = api.record(zone["id"], type="TXT", name="@", content="old")
    # posts come first in the JSON but may only succeed after the delete of the A record on www
    body = {
        "posts": [{"type": "CNAME", "name": "www", "content": "example.com"}],
        "puts": [{"id": txt["id"], "type": "TXT", "name": "@", "content": "new"}],
        "patches": [{"id": apex["id"], "content": "192.0.2.5"}],
        "deletes": [{"id": old_www["id"]}],
    }
    result = api.ok("POST", f"{path}/batch", json=body)
    assert [r["id"] for r in result["deletes"]] == [old_www["id"]]
    assert [r["content"] for r in result["patches"]] == ["192.0.2.5"]
    assert [r["content"] for r in result["puts"]] == ["new"]
    assert [(r["type"], r["name"]) for r in result["posts"]] == [("CNAME", "www.example.com")]
    assert sorted((r["type"], r["content"]) for r in api.ok("GET", path)) == [
        ("A", "192.0.2.5"), ("CNAME", "example.com"), ("TXT", "new")]


def test_batch_is_all_or_nothing(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/dns_records"
    keep = api.record(zone["id"], type="A", name="@", content="192.0.2.1")
    before = api.ok("GET", path)
    message = api.fails("POST", f"{path}/batch", 400, 9005, json={
        "deletes": [{"id": keep["id"]}],
        "posts": [{"type": "A", "name": "ok", "content": "192.0.2.2"}, {"type": "A", "name": "bad", "content": "nope"}],
    })
    assert message.startswith("posts[1]: ")
    api.fails("POST", f"{path}/batch", 404, 81044, json={"patches": [{"id": "0" * 32, "ttl": 300}]})
    assert api.ok("GET", path) == before


def test_batch_limit(api):
    zone = api.zone()
    posts = [{"type": "TXT", "name": f"t{i}", "content": "x"} for i in range(201)]
    assert "200" in api.fails("POST", f"/zones/{zone['id']}/dns_records/batch", 400, 1004, json={"posts": posts})
    result = api.ok("POST", f"/zones/{zone['id']}/dns_records/batch", json={"posts": posts[:200]})
    assert len(result["posts"]) == 200


# -- settings ------------------------------------------------------------------------------

def test_zone_settings(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/settings"
    assert api.ok("GET", f"{path}/ssl") == {"id": "ssl", "value": "off", "editable": True, "modified_on": None}
    changed = api.ok("PATCH", f"{path}/ssl", json={"value": "strict"})
    assert changed["value"] == "strict" and changed["modified_on"]
    api.ok("PATCH", f"{path}/min_tls_version", json={"value": "1.2"})
    api.ok("PATCH", f"{path}/always_use_https", json={"value": "on"})
    api.ok("PATCH", f"{path}/brotli", json={"value": "on"})
    api.ok("PATCH", f"{path}/browser_cache_ttl", json={"value": 3600})
    api.ok("PATCH", f"{path}/minify", json={"value": {"css": "on", "html": "off", "js": "on"}})
    every = {s["id"]: s["value"] for s in api.ok("GET", path)}
    assert len(every) > 40 and every["cache_level"] == "aggressive"  # the spec's defaults
    assert {key: every[key] for key in ("ssl", "min_tls_version", "always_use_https", "brotli", "browser_cache_ttl")} \
        == {"ssl": "strict", "min_tls_version": "1.2", "always_use_https": "on", "brotli": "on",
            "browser_cache_ttl": 3600}
    api.sends_invalid_requests = True
    api.fails("PATCH", f"{path}/ssl", 400, 1007, json={"value": "full-strict"})
    api.fails("PATCH", f"{path}/min_tls_version", 400, 1007, json={"value": 1.2})
    api.fails("PATCH", f"{path}/browser_cache_ttl", 400, 1007, json={"value": 17})
    api.fails("GET", f"{path}/no_such_setting", 404, 7003)
    assert api.ok("GET", f"{path}/ssl")["value"] == "strict"


# -- sandbox behaviour ---------------------------------------------------------------------

def test_request_budget_then_429_until_reset(api):
    api.control("POST", "config", {"request_budget": 3, "retry_after": 2})
    for _attempt in range(3):
        api.ok("GET", "/zones")
    resp = api.call("GET", "/zones")
    assert resp.status_code == 429 and resp.headers["retry-after"] == "2"
    assert resp.json()["errors"][0]["code"] == 1015
    api.control("POST", "reset")
    api.ok("GET", "/zones")


def test_fault_before_is_not_applied_and_after_is(api):
    zone = api.zone()
    path = f"/zones/{zone['id']}/dns_records"
    api.control("POST", "faults", {"method": "POST", "path": "/zones/*/dns_records", "status": 500})
    assert api.call("POST", path, json={"type": "A", "name": "@", "content": "192.0.2.1"}).status_code == 500
    assert api.ok("GET", path) == []
    api.control("POST", "faults", {"method": "POST", "path": "/zones/*/dns_records", "status": 502, "after": True})
    assert api.call("POST", path, json={"type": "A", "name": "@", "content": "192.0.2.1"}).status_code == 502
    assert [r["content"] for r in api.ok("GET", path)] == ["192.0.2.1"]
    log = [e for e in api.control("GET", "requests") if e["method"] == "POST" and e["path"] == path]
    assert [(e["method"], e["path"], e["status"], e.get("fault")) for e in log] == [
        ("POST", path, 500, "before"), ("POST", path, 502, "after")]


def test_latency(api):
    api.control("POST", "latency", {"ms": 120})
    started = time.monotonic()
    api.ok("GET", "/zones")
    assert time.monotonic() - started >= 0.12


def test_reset_forgets_zones(api):
    api.zone()
    api.control("POST", "reset")
    assert api.ok("GET", "/zones") == []
    assert api.control("GET", "state")["zones"] == []


def test_state_snapshot_has_zones_records_and_settings(api):
    zone = api.zone()
    api.record(zone["id"], type="A", name="@", content="192.0.2.1")
    api.ok("PATCH", f"/zones/{zone['id']}/settings/ssl", json={"value": "full"})
    [snap] = api.control("GET", "state")["zones"]
    assert snap["name"] == "example.com"
    assert [r["content"] for r in snap["records"]] == ["192.0.2.1"]
    assert {key: snap["settings"][key] for key in ("ssl", "always_use_https", "min_tls_version")} == {
        "ssl": "full", "always_use_https": "off", "min_tls_version": "1.0"}


# -- contract validation ---------------------------------------------------------------------

def test_representative_traffic_has_no_violations(api):
    """Every route with success and state-caused error answers (the fixture asserts zero violations)."""
    zone = api.zone()
    zid = zone["id"]
    path = f"/zones/{zid}/dns_records"
    api.fails("POST", "/zones", 400, 1061, json={"name": "example.com", "account": {"id": SANDBOX_ACCOUNT_ID}})
    api.ok("GET", "/zones", params={"name": "example.com", "account.id": SANDBOX_ACCOUNT_ID, "page": 1, "per_page": 5})
    api.ok("PATCH", f"/zones/{zid}", json={"paused": False})
    api.ok("PUT", f"/zones/{zid}/activation_check")
    a = api.record(zid, type="A", name="@", content="192.0.2.1", ttl=1, proxied=True, comment="apex", tags=["env:prod"])
    api.record(zid, type="AAAA", name="@", content="2001:db8::1")
    api.record(zid, type="MX", name="@", content="mx.example.net", priority=10)
    txt = api.record(zid, type="TXT", name="_verify", content="token=abc", ttl=3600)
    api.record(zid, type="CAA", name="@", data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"})
    api.fails("POST", path, 400, 81058, json={"type": "A", "name": "@", "content": "192.0.2.1"})
    api.fails("POST", path, 400, 81053, json={"type": "CNAME", "name": "@", "content": "other.example"})
    api.ok("GET", path, params={"type": "A", "name": "example.com", "content": "192.0.2.1", "per_page": 50,
                                "order": "name", "direction": "asc", "match": "all", "proxied": "true"})
    api.ok("GET", f"{path}/{a['id']}")
    api.ok("PATCH", f"{path}/{a['id']}", json={"comment": "still apex", "ttl": 1})
    api.ok("PUT", f"{path}/{txt['id']}", json={"type": "TXT", "name": "_verify", "content": "token=def", "ttl": 300})
    api.fails("GET", f"{path}/{'0' * 32}", 404, 81044)
    api.ok("POST", f"{path}/batch", json={"deletes": [{"id": txt["id"]}], "patches": [{"id": a["id"], "ttl": 300}],
                                          "posts": [{"type": "CNAME", "name": "www", "content": "example.com"}]})
    api.fails("POST", f"{path}/batch", 400, 81058, json={"posts": [{"type": "AAAA", "name": "@", "content": "2001:db8::1"}]})
    api.ok("DELETE", f"{path}/{a['id']}")
    api.ok("GET", f"/zones/{zid}/settings")
    for setting, value in (("ssl", "strict"), ("always_use_https", "on"), ("min_tls_version", "1.2")):
        api.ok("GET", f"/zones/{zid}/settings/{setting}")
        api.ok("PATCH", f"/zones/{zid}/settings/{setting}", json={"value": value})
    api.control("POST", "config", {"request_budget": 0})
    assert api.call("GET", f"/zones/{zid}").status_code == 429
    api.control("POST", "config", {"request_budget": None})
    api.ok("DELETE", f"/zones/{zid}")
    api.fails("GET", f"/zones/{zid}", 404, 7003)
    assert len(api.control("GET", "requests")) >= 30
    assert api.emulator.contract.checked >= 30


def test_a_corrupted_response_is_a_violation(api, monkeypatch):
    zone = api.zone()
    monkeypatch.setattr(api.emulator, "_get_zone", lambda _request, zone_id: success({**zone, "name_servers": "x"}))
    api.ok("GET", f"/zones/{zone['id']}")
    violations = api.control("GET", "violations")
    assert [(v["kind"], v["method"]) for v in violations] == [("response", "GET")]
    assert "name_servers" in violations[0]["detail"]
    api.control("DELETE", "violations")


def test_an_invalid_request_is_a_violation(api):
    zone = api.zone()
    api.call("POST", "/zones", json={"name": "bad_name", "account": {"id": SANDBOX_ACCOUNT_ID}})
    api.call("POST", f"/zones/{zone['id']}/dns_records/batch", json={"inserts": []})
    violations = api.control("GET", "violations")
    assert [(v["kind"], v["path"].rsplit("/", 1)[-1]) for v in violations] == [("request", "zones"), ("request", "batch")]
    assert "inserts" in violations[1]["detail"]
    api.control("DELETE", "violations")


def test_a_corrupted_batch_response_is_a_violation(api, monkeypatch):
    zone = api.zone()
    monkeypatch.setattr(api.emulator, "_batch", lambda _request, zone_id: success({"posts": [{"id": 1}]}))
    api.ok("POST", f"/zones/{zone['id']}/dns_records/batch", json={"posts": []})
    violations = api.control("GET", "violations")
    assert [v["kind"] for v in violations] == ["response"]
    api.control("DELETE", "violations")


# -- authentication as the live API answers it ---------------------------------------------------

def test_legacy_global_api_key_and_header_errors(api):
    from tests.sandbox.cloudflare import SANDBOX_AUTH_EMAIL, SANDBOX_GLOBAL_KEY

    legacy = {"Authorization": None, "X-Auth-Email": SANDBOX_AUTH_EMAIL, "X-Auth-Key": SANDBOX_GLOBAL_KEY}
    response = api.call("GET", "/zones", headers=legacy)
    assert response.status_code == 200 and response.json()["success"] is True
    wrong = dict(legacy, **{"X-Auth-Key": "0" * 37})
    body = api.call("GET", "/zones", headers=wrong).json()
    assert body["errors"] == [{"code": 9103, "message": "Unknown X-Auth-Key or X-Auth-Email"}]
    malformed = api.call("GET", "/zones", headers=dict(legacy, **{"X-Auth-Key": "not-a-key"}))
    assert malformed.status_code == 400
    assert malformed.json()["errors"] == [{"code": 6003, "message": "Invalid request headers",
                                           "error_chain": [{"code": 6103,
                                                            "message": "Invalid format for X-Auth-Key header"}]}]
    bad_bearer = api.call("GET", "/zones", headers={"Authorization": "Bearer not a token"})
    assert bad_bearer.status_code == 400
    assert bad_bearer.json()["errors"][0]["error_chain"] == [
        {"code": 6111, "message": "Invalid format for Authorization header"}]


def test_openpgpkey_records_and_pagerules(api):
    zone = api.zone()
    record = api.record(zone["id"], type="OPENPGPKEY", name="key", content="mQINBGNlc2FuZGJveA==")
    assert (record["type"], record["name"]) == ("OPENPGPKEY", "key.example.com")
    assert api.ok("GET", f"/zones/{zone['id']}/pagerules") == []


def test_rate_limit_per_five_minutes(api):
    api.control("POST", "config", {"rate_limit_per_5_minutes": 3})
    now = [100.0]
    clock = api.emulator.clock
    api.emulator.clock = lambda: now[0]
    try:
        for _attempt in range(3):
            api.ok("GET", "/zones")
            now[0] += 10
        resp = api.call("GET", "/zones")
        assert resp.status_code == 429 and resp.headers["retry-after"] == "270"
        now[0] += 270
        api.ok("GET", "/zones")
    finally:
        api.emulator.clock = clock
        api.control("POST", "config", {"rate_limit_per_5_minutes": None})
