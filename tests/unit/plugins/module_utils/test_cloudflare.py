"""Cloudflare client (against a local HTTP server), record validation and planning, batch chunking, settings."""

import json
from urllib.parse import parse_qs

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import BATCH_LIMIT, CloudflareClient, batch_chunks
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare_records import (
    plan_records,
    resolve_record_name,
    validate_records,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare_settings import normalize_settings, settings_changes
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, CheckModeViolation

ZONE = "example.com"
TOKEN = "cf-T0ken/secret+value"
ACCOUNT = "0123456789abcdef0123456789abcdef"


def envelope(result, **extra):
    body = {"success": True, "errors": [], "messages": [], "result": result}
    body.update(extra)
    return body


def failure(code, message):
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}


def existing(rtype, name, content=None, record_id=None, **fields):
    record = {"id": record_id or "id-%s-%s-%s" % (rtype, name, content), "type": rtype, "name": name,
              "content": content, "ttl": 1, "proxied": False, "comment": None, "tags": []}
    record.update(fields)
    return record


def plan(records, current, prune=False):
    return plan_records(validate_records(records, ZONE), current, ZONE, prune)


# --- validation -------------------------------------------------------------------------------

GOOD = {"type": "A", "name": "@", "content": "192.0.2.1"}

BAD_RECORDS = [
    ({"type": "XYZ", "name": "www", "content": "x"}, "records[1].type"),
    ({"type": "A", "name": "www.other.com", "content": "192.0.2.1"}, "records[1].name"),
    ({"type": "A", "name": "host.other.org.", "content": "192.0.2.1"}, "records[1].name"),
    ({"type": "A", "name": "-bad-.www", "content": "192.0.2.1"}, "records[1].name"),
    ({"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 30}, "records[1].ttl"),
    ({"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 86401}, "records[1].ttl"),
    ({"type": "TXT", "name": "www", "content": "hello", "proxied": True}, "records[1].proxied"),
    ({"type": "A", "name": "www", "content": "192.0.2.1", "proxied": True, "ttl": 300}, "records[1].ttl"),
    ({"type": "A", "name": "www", "content": "2001:db8::1"}, "records[1].content"),
    ({"type": "AAAA", "name": "www", "content": "192.0.2.1"}, "records[1].content"),
    ({"type": "MX", "name": "@", "content": "mx.example.net"}, "records[1].priority"),
    ({"type": "A", "name": "www", "content": "192.0.2.1", "priority": 10}, "records[1].priority"),
    ({"type": "MX", "name": "@", "content": "mx.example.net", "priority": 70000}, "records[1].priority"),
    ({"type": "CNAME", "name": "@", "content": "target.example.net"}, "records[1].name"),
    ({"type": "A", "name": "@", "content": "192.0.2.1"}, "records[1]"),
    ({"type": "TXT", "name": "@", "content": "x" * 2049}, "records[1].content"),
    ({"type": "TXT", "name": "@", "content": "x", "comment": "two\nlines"}, "records[1].comment"),
    ({"type": "TXT", "name": "@", "content": "x", "tags": ["env:prod", "no-colon"]}, "records[1].tags[1]"),
    ({"type": "TXT", "name": "@", "content": "x", "tags": ["bad name:x"]}, "records[1].tags[0]"),
    ({"type": "TXT", "name": "@"}, "records[1].content"),
    ({"type": "CAA", "name": "@", "content": "0 issue", "data": {"flags": 0}}, "records[1].data"),
    ({"type": "CAA", "name": "@", "content": "zero issue letsencrypt.org"}, "records[1].content"),
    ({"type": "SRV", "name": "_sip._tcp", "data": {"weight": 5, "port": 5060, "target": "sip.example.com"}},
     "records[1].data"),
    ({"type": "CNAME", "name": "www", "content": "bad..target"}, "records[1].content"),
    ({"type": "A", "name": "@", "content": "192.0.2.2", "exclusive": True}, "records[1]"),
    ({"type": "A", "name": "x", "content": "192.0.2.2", "exclusive": True, "state": "absent"},
     "records[1].exclusive"),
]


@pytest.mark.parametrize("record, field", BAD_RECORDS, ids=["%s:%d" % (case[1], i) for i, case in enumerate(BAD_RECORDS)])
def test_bad_record_is_refused_naming_the_field(record, field):
    with pytest.raises(SpecError) as caught:
        validate_records([GOOD, record], ZONE)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ": ")


def test_messages_explain_the_problem():
    with pytest.raises(SpecError, match=r"records\[0\]\.ttl: 1 \(automatic\) or 60\.\.86400 expected, got 5"):
        validate_records([{"type": "A", "name": "@", "content": "192.0.2.1", "ttl": 5}], ZONE)
    with pytest.raises(SpecError, match="www.other.com is not in zone example.com"):
        validate_records([{"type": "A", "name": "www.other.com", "content": "192.0.2.1"}], ZONE)
    with pytest.raises(SpecError, match=r"duplicate of records\[0\]"):
        validate_records([GOOD, dict(GOOD, name="example.com.")], ZONE)


def test_cname_next_to_another_desired_record_is_refused_but_absent_ones_do_not_count():
    with pytest.raises(SpecError, match=r"records\[1\]\.name: a CNAME at www\.example\.com cannot coexist"):
        validate_records([{"type": "TXT", "name": "www", "content": "x"},
                          {"type": "CNAME", "name": "www", "content": "example.com"}], ZONE)
    validate_records([{"type": "A", "name": "www", "content": "192.0.2.1", "state": "absent"},
                      {"type": "CNAME", "name": "www", "content": "example.com"}], ZONE)


def test_zone_name_itself_is_validated():
    with pytest.raises(SpecError) as caught:
        validate_records([GOOD], "not a zone")
    assert caught.value.field == "zone"


@pytest.mark.parametrize("name, fqdn", [
    ("@", "example.com"),
    ("www", "www.example.com"),
    ("WWW", "www.example.com"),
    ("www.example.com", "www.example.com"),
    ("www.example.com.", "www.example.com"),
    ("Example.COM", "example.com"),
    ("_dmarc", "_dmarc.example.com"),
    ("s1._domainkey", "s1._domainkey.example.com"),
    ("_sip._tcp", "_sip._tcp.example.com"),
    ("*", "*.example.com"),
    ("*.dev.example.com", "*.dev.example.com"),
])
def test_record_names_resolve_to_fqdns(name, fqdn):
    assert resolve_record_name(name, ZONE, "records[0].name") == fqdn


@pytest.mark.parametrize("name", ["host.other-zone.net", "www.staging", "example.com.org", "www.example.org.",
                                  "a..b", "under_score-.x.example.com", "x" * 64])
def test_ambiguous_or_foreign_names_are_refused(name):
    with pytest.raises(SpecError) as caught:
        resolve_record_name(name, ZONE, "records[4].name")
    assert caught.value.field == "records[4].name"


def test_normalised_record_carries_defaults_and_parsed_data():
    desired = validate_records([
        {"type": "caa", "name": "@", "content": '0 issue "letsencrypt.org"'},
        {"type": "SRV", "name": "_sip._tcp", "content": "10 5 5060 SIP.example.com."},
        {"type": "SRV", "name": "_xmpp._tcp", "data": {"weight": 1, "port": 5222, "target": "x.example.com"},
         "priority": 20},
        {"type": "TXT", "name": "@", "content": "v=1", "tags": ["Env:prod", "a:b"]},
        {"type": "CNAME", "name": "www", "content": "Target.Example.NET."},
    ], ZONE)
    assert desired[0]["type"] == "CAA"
    assert desired[0]["data"] == {"flags": 0, "tag": "issue", "value": "letsencrypt.org"}
    assert desired[1]["data"] == {"priority": 10, "weight": 5, "port": 5060, "target": "SIP.example.com."}
    assert desired[2]["data"]["priority"] == 20 and desired[2]["priority"] is None
    assert desired[3]["tags"] == ["a:b", "env:prod"]
    assert desired[4]["content"] == "target.example.net"


# --- planning ---------------------------------------------------------------------------------


def test_identical_records_need_nothing():
    current = [existing("A", "example.com", "192.0.2.1"), existing("MX", "example.com", "mx.example.net", priority=10)]
    result = plan([GOOD, {"type": "MX", "name": "@", "content": "MX.example.net.", "priority": 10}], current)
    assert not result.changed
    assert result.final_records() == current


def test_new_content_of_a_non_cname_record_is_a_new_identity():
    current = [existing("A", "example.com", "192.0.2.1")]
    result = plan([dict(GOOD, content="192.0.2.2")], current)
    assert result.posts == [{"type": "A", "name": "example.com", "content": "192.0.2.2", "ttl": 1, "proxied": False}]
    assert result.deletes == [] and result.patches == []
    pruned = plan([dict(GOOD, content="192.0.2.2")], current, prune=True)
    assert [record["content"] for record in pruned.deletes] == ["192.0.2.1"]


def test_cname_is_identified_by_name_and_its_content_is_patched():
    current = [existing("CNAME", "www.example.com", "old.example.net", record_id="c1", proxied=True)]
    result = plan([{"type": "CNAME", "name": "www", "content": "new.example.net"}], current)
    assert result.posts == [] and result.deletes == []
    assert result.batch_arguments()[1] == [{"id": "c1", "content": "new.example.net"}]


def test_ipv6_text_forms_match():
    current = [existing("AAAA", "example.com", "2001:db8::1")]
    assert not plan([{"type": "AAAA", "name": "@", "content": "2001:0DB8:0:0::1"}], current).changed


def test_unspecified_proxied_keeps_existing_value_and_new_records_are_not_proxied():
    current = [existing("A", "example.com", "192.0.2.1", proxied=True)]
    result = plan([GOOD, {"type": "A", "name": "new", "content": "192.0.2.9"}], current)
    assert result.patches == []
    assert result.posts[0]["proxied"] is False


def test_explicit_proxied_false_is_patched_alone():
    current = [existing("A", "example.com", "192.0.2.1", record_id="a1", proxied=True)]
    result = plan([dict(GOOD, proxied=False)], current)
    assert result.batch_arguments()[1] == [{"id": "a1", "proxied": False}]


def test_explicit_ttl_on_a_record_proxied_in_cloudflare_is_refused():
    current = [existing("A", "example.com", "192.0.2.1", proxied=True)]
    with pytest.raises(SpecError) as caught:
        plan([dict(GOOD, ttl=300)], current)
    assert caught.value.field == "records[0].ttl"


def test_update_patches_only_differing_managed_fields():
    current = [existing("MX", "example.com", "mx.example.net", record_id="m1", priority=10, ttl=300,
                        comment="keep me", tags=["owner:ops"])]
    result = plan([{"type": "MX", "name": "@", "content": "mx.example.net", "priority": 20, "ttl": 300}], current)
    assert result.batch_arguments()[1] == [{"id": "m1", "priority": 20}]
    tagged = plan([{"type": "MX", "name": "@", "content": "mx.example.net", "priority": 10, "ttl": 300,
                    "comment": "", "tags": ["Owner:ops"]}], current)
    assert tagged.batch_arguments()[1] == [{"id": "m1", "comment": ""}]


def test_omitted_ttl_means_automatic():
    current = [existing("TXT", "example.com", "v=1", record_id="t1", ttl=3600)]
    result = plan([{"type": "TXT", "name": "@", "content": "v=1"}], current)
    assert result.batch_arguments()[1] == [{"id": "t1", "ttl": 1}]


def test_caa_and_srv_match_existing_data():
    current = [
        existing("CAA", "example.com", '0 issue "letsencrypt.org"',
                 data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"}),
        existing("SRV", "_sip._tcp.example.com", "5 5060 sip.example.com",
                 data={"priority": 10, "weight": 5, "port": 5060, "target": "sip.example.com"}),
    ]
    result = plan([
        {"type": "CAA", "name": "@", "content": '0 issue "letsencrypt.org"'},
        {"type": "SRV", "name": "_sip._tcp", "data": {"priority": 10.0, "weight": "5", "port": 5060,
                                                      "target": "SIP.example.com."}},
    ], current)
    assert not result.changed


def test_absent_records_are_deleted_when_present_only():
    current = [existing("TXT", "_old.example.com", "token", record_id="t1"),
               existing("CNAME", "docs.example.com", "x.example.net", record_id="c1")]
    result = plan([
        {"type": "TXT", "name": "_old", "content": "token", "state": "absent"},
        {"type": "TXT", "name": "_never", "content": "token", "state": "absent"},
        {"type": "CNAME", "name": "docs", "state": "absent"},
    ], current)
    assert [record["id"] for record in result.deletes] == ["t1", "c1"]
    assert result.final_records() == []
    assert sorted(record["id"] for record in result.before) == ["c1", "t1"]


def test_prune_deletes_unmanaged_records_but_keeps_apex_ns_and_soa():
    current = [
        existing("NS", "example.com", "ada.ns.cloudflare.com", record_id="ns1"),
        existing("SOA", "example.com", "ada.ns.cloudflare.com dns.cloudflare.com 1 2 3 4 5", record_id="soa"),
        existing("NS", "sub.example.com", "ns.elsewhere.net", record_id="ns-sub"),
        existing("A", "old.example.com", "192.0.2.50", record_id="old"),
        existing("A", "example.com", "192.0.2.1", record_id="apex"),
    ]
    without = plan([GOOD], current)
    assert not without.changed
    assert [record["id"] for record in without.before] == ["apex"]
    pruned = plan([GOOD], current, prune=True)
    assert sorted(record["id"] for record in pruned.deletes) == ["ns-sub", "old"]
    assert sorted(record["id"] for record in pruned.before) == ["apex", "ns-sub", "old"]


def test_record_next_to_an_existing_cname_is_refused_unless_the_cname_goes():
    current = [existing("CNAME", "www.example.com", "example.com", record_id="c1")]
    wanted = [{"type": "A", "name": "www", "content": "192.0.2.1"}]
    with pytest.raises(SpecError, match=r"records\[0\]\.name: www\.example\.com already has a CNAME"):
        plan(wanted, current)
    pruned = plan(wanted, current, prune=True)
    assert [record["id"] for record in pruned.deletes] == ["c1"] and len(pruned.posts) == 1
    removed = plan(wanted + [{"type": "CNAME", "name": "www", "state": "absent"}], current)
    assert [record["id"] for record in removed.deletes] == ["c1"]


def test_cname_next_to_an_existing_record_is_refused():
    current = [existing("A", "example.com", "192.0.2.1", record_id="a1")]
    with pytest.raises(SpecError, match="already has a A record"):
        plan([{"type": "CNAME", "name": "@", "content": "target.example.net"}], current)


def test_final_records_follow_batch_results_in_desired_order():
    current = [existing("A", "example.com", "192.0.2.1", record_id="keep"),
               existing("TXT", "example.com", "v=1", record_id="t1", ttl=300)]
    result = plan([{"type": "TXT", "name": "@", "content": "v=1"}, GOOD,
                   {"type": "A", "name": "www", "content": "192.0.2.2"}], current)
    applied = {"deletes": [], "patches": [dict(current[1], ttl=1)],
               "posts": [existing("A", "www.example.com", "192.0.2.2", record_id="new")]}
    assert [r["id"] for r in result.final_records(applied)] == ["t1", "keep", "new"]
    predicted = result.final_records()
    assert predicted[0]["ttl"] == 1 and predicted[2]["id"] is None


# --- chunking ---------------------------------------------------------------------------------


def items(prefix, count):
    return [{"id": "%s%d" % (prefix, n)} for n in range(count)]


def test_small_change_sets_are_one_batch_and_empty_ones_none():
    assert batch_chunks(items("d", 3), items("p", 2), items("n", 1)) == [
        {"deletes": items("d", 3), "patches": items("p", 2), "posts": items("n", 1)}]
    assert len(batch_chunks(posts=items("n", BATCH_LIMIT))) == 1
    assert len(batch_chunks(posts=items("n", BATCH_LIMIT + 1))) == 2
    assert batch_chunks() == []


def test_chunks_hold_at_most_200_and_run_deletes_then_patches_then_posts():
    deletes, patches, posts = items("d", 450), items("p", 10), items("n", 5)
    chunks = batch_chunks(deletes, patches, posts)
    assert [sum(len(v) for v in chunk.values()) for chunk in chunks] == [200, 200, 65]
    sequence = [(kind, item) for chunk in chunks for kind in ("deletes", "patches", "posts")
                for item in chunk.get(kind, [])]
    assert [step[0] for step in sequence] == ["deletes"] * 450 + ["patches"] * 10 + ["posts"] * 5
    assert [step[1] for step in sequence] == deletes + patches + posts
    assert "posts" not in chunks[0] and "patches" not in chunks[1]


# --- settings ---------------------------------------------------------------------------------


def test_settings_are_normalised():
    assert normalize_settings({
        "ssl": "Strict", "always_use_https": True, "min_tls_version": 1.2,
        "http3": False, "browser_cache_ttl": 14400, "security_level": "medium",
    }) == {"ssl": "strict", "always_use_https": "on", "min_tls_version": "1.2",
           "http3": "off", "browser_cache_ttl": 14400, "security_level": "medium"}
    assert normalize_settings({"min_tls_version": 1})["min_tls_version"] == "1.0"
    assert normalize_settings({"min_tls_version": "1.3"})["min_tls_version"] == "1.3"
    assert normalize_settings({"always_use_https": "OFF"})["always_use_https"] == "off"


@pytest.mark.parametrize("settings, field", [
    ({"ssl": "full (strict)"}, "settings.ssl"),
    ({"ssl": True}, "settings.ssl"),
    ({"min_tls_version": 1.4}, "settings.min_tls_version"),
    ({"min_tls_version": "TLS1.2"}, "settings.min_tls_version"),
    ({"min_tls_version": True}, "settings.min_tls_version"),
    ({"min_tls_version": "1.25"}, "settings.min_tls_version"),
    ({"always_use_https": "sometimes"}, "settings.always_use_https"),
    ({"Always-Use-HTTPS": "on"}, "settings.Always-Use-HTTPS"),
    ({"http3": None}, "settings.http3"),
])
def test_bad_settings_name_the_field(settings, field):
    with pytest.raises(SpecError) as caught:
        normalize_settings(settings)
    assert caught.value.field == field


def test_settings_changes_are_the_differing_values():
    assert settings_changes({"ssl": "strict", "always_use_https": "on"},
                            {"ssl": "full", "always_use_https": "on"}) == {"ssl": "strict"}


# --- client over HTTP -------------------------------------------------------------------------


def client_for(server, sleeps, **options):
    client = CloudflareClient(TOKEN, server.url + "/client/v4", account_id=ACCOUNT, timeout=2, **options)
    client.http.sleep = sleeps
    return client


def query(received):
    return {key: values[0] for key, values in parse_qs(received.query).items()}


def test_api_errors_carry_code_and_message_but_no_token(server, sleeps):
    server.enqueue(status=403, body=failure(10000, "Authentication error"))
    with pytest.raises(ApiError) as caught:
        client_for(server, sleeps).get_zone("abc")
    text = str(caught.value)
    assert text == "Cloudflare: get zone failed: GET /zones/abc -> HTTP 403: 10000 Authentication error"
    assert TOKEN not in text
    assert server.requests[0].headers["authorization"] == "Bearer " + TOKEN


def test_unsuccessful_envelope_with_http_200_is_an_error(server, sleeps):
    server.enqueue(status=200, body=failure(7003, "No route for the URI"))
    with pytest.raises(ApiError, match="HTTP 200: 7003 No route for the URI"):
        client_for(server, sleeps).list_records("z1")


def test_records_are_read_page_by_page_with_1000_per_page(server, sleeps):
    for page in (1, 2, 3):
        server.enqueue(body=envelope([{"id": "r%d" % page}], result_info={
            "page": page, "per_page": 1000, "count": 1, "total_count": 3, "total_pages": 3}))
    records = client_for(server, sleeps).list_records("z1")
    assert [record["id"] for record in records] == ["r1", "r2", "r3"]
    assert [query(r) for r in server.requests] == [{"page": str(n), "per_page": "1000"} for n in (1, 2, 3)]
    assert server.requests[0].path == "/client/v4/zones/z1/dns_records"


def test_zone_lookup_filters_by_name_and_account(server, sleeps):
    server.enqueue(body=envelope([{"id": "z1", "name": "example.com"}],
                                 result_info={"page": 1, "per_page": 50, "total_pages": 1}))
    zone = client_for(server, sleeps).find_zone("Example.com.")
    assert zone["id"] == "z1"
    assert query(server.requests[0]) == {"name": "example.com", "account.id": ACCOUNT, "page": "1", "per_page": "50"}


def test_zone_lookup_without_account_refuses_an_ambiguous_name(server, sleeps):
    server.enqueue(body=envelope([{"id": "z1", "name": "example.com"}, {"id": "z2", "name": "example.com"}],
                                 result_info={"page": 1, "per_page": 50, "total_pages": 1}))
    client = CloudflareClient(TOKEN, server.url, timeout=2)
    with pytest.raises(SpecError) as caught:
        client.find_zone("example.com")
    assert caught.value.field == "account_id"
    assert "account.id" not in query(server.requests[0])


def test_duplicate_zone_on_create_is_read_back(server, sleeps):
    server.enqueue(status=400, body=failure(1061, "example.com already exists"), method="POST")
    server.enqueue(body=envelope([{"id": "z1", "name": "example.com", "status": "pending"}],
                                 result_info={"page": 1, "per_page": 50, "total_pages": 1}), method="GET")
    zone = client_for(server, sleeps).create_zone("example.com")
    assert zone["id"] == "z1"
    body = json.loads(server.requests[0].body)
    assert body == {"name": "example.com", "account": {"id": ACCOUNT}, "type": "full"}


def test_other_create_errors_are_raised(server, sleeps):
    server.enqueue(status=400, body=failure(1099, "invalid domain"), method="POST")
    with pytest.raises(ApiError, match="1099 invalid domain"):
        client_for(server, sleeps).create_zone("example.com")
    assert server.count("GET") == 0


def test_batch_is_sent_in_chunks_and_results_concatenated(server, sleeps):
    posts = [{"type": "TXT", "name": "t%d.example.com" % n, "content": "x"} for n in range(250)]
    server.enqueue(body=envelope({"posts": [{"id": "a"}]}))
    server.enqueue(body=envelope({"deletes": [], "posts": [{"id": "b"}]}))
    applied = client_for(server, sleeps).apply_batch("z1", [], [], posts)
    assert applied == {"deletes": [], "patches": [], "posts": [{"id": "a"}, {"id": "b"}]}
    sent = [json.loads(r.body) for r in server.requests]
    assert [len(body["posts"]) for body in sent] == [200, 50]
    assert {r.path for r in server.requests} == {"/client/v4/zones/z1/dns_records/batch"}


def test_check_mode_client_refuses_writes_before_sending(server, sleeps):
    with pytest.raises(CheckModeViolation):
        client_for(server, sleeps, check_mode=True).apply_batch("z1", posts=[{"type": "A"}])
    assert server.requests == []


def test_few_settings_are_read_one_by_one_and_many_in_one_request(server, sleeps):
    client = client_for(server, sleeps)
    server.enqueue(body=envelope({"id": "ssl", "value": "full"}))
    server.enqueue(body=envelope({"id": "min_tls_version", "value": "1.0"}))
    assert client.get_settings("z1", ["ssl", "min_tls_version"]) == {"ssl": "full", "min_tls_version": "1.0"}
    assert [r.path for r in server.requests] == ["/client/v4/zones/z1/settings/ssl",
                                                 "/client/v4/zones/z1/settings/min_tls_version"]
    server.requests.clear()
    server.enqueue(body=envelope([{"id": "ssl", "value": "full"}, {"id": "http3", "value": "on"},
                                  {"id": "always_use_https", "value": "off"}, {"id": "ipv6", "value": "on"}]))
    assert client.get_settings("z1", ["ssl", "http3", "always_use_https"]) == {
        "ssl": "full", "http3": "on", "always_use_https": "off"}
    assert [r.path for r in server.requests] == ["/client/v4/zones/z1/settings"]


def test_setting_is_patched_with_a_value_body(server, sleeps):
    server.enqueue(body=envelope({"id": "ssl", "value": "strict", "editable": True}))
    assert client_for(server, sleeps).patch_setting("z1", "ssl", "strict") == "strict"
    assert server.requests[0].method == "PATCH"
    assert json.loads(server.requests[0].body) == {"value": "strict"}


def test_existing_tags_compare_case_insensitively_by_name_whatever_their_form():
    current = [existing("TXT", "example.com", "v=1", record_id="t1", tags=["Owner:ops", "legacy"])]
    same = plan([{"type": "TXT", "name": "@", "content": "v=1", "tags": ["owner:ops"]}], current)
    assert same.batch_arguments()[1] == [{"id": "t1", "tags": ["owner:ops"]}]
    current[0]["tags"] = ["Owner:ops"]
    assert not plan([{"type": "TXT", "name": "@", "content": "v=1", "tags": ["owner:ops"]}], current).changed


def test_exclusive_record_replaces_the_content_of_its_type_and_name():
    current = [existing("A", "example.com", "192.0.2.1", record_id="a1", proxied=True),
               existing("A", "example.com", "192.0.2.3", record_id="a3"),
               existing("AAAA", "example.com", "2001:db8::1", record_id="v6")]
    result = plan([dict(GOOD, content="192.0.2.2", exclusive=True)], current)
    assert result.batch_arguments() == ([{"id": "a3"}], [{"id": "a1", "content": "192.0.2.2"}], [])
    assert sorted(record["id"] for record in result.before) == ["a1", "a3"]
    kept = plan([dict(GOOD, content="192.0.2.3", exclusive=True)], current)
    assert kept.batch_arguments() == ([{"id": "a1"}], [], [])


def test_exclusive_record_is_created_when_its_type_is_absent_at_the_name():
    result = plan([dict(GOOD, exclusive=True)], [existing("TXT", "example.com", "v=1")])
    assert [body["content"] for body in result.posts] == ["192.0.2.1"] and result.deletes == []


# -- SPF and DMARC: one policy per name --------------------------------------------------------------


SPF_OLD = "v=spf1 include:_spf.old.example ~all"
SPF_NEW = "v=spf1 include:_spf.new.example -all"


def test_a_changed_spf_text_replaces_the_spf_record_instead_of_adding_a_second():
    verification = existing("TXT", ZONE, "google-site-verification=abc", record_id="verify")
    result = plan([{"type": "TXT", "name": "@", "content": SPF_NEW}],
                  [existing("TXT", ZONE, SPF_OLD, record_id="spf"), verification])
    assert result.posts == [] and result.deletes == []
    assert [(record["id"], changes) for record, changes in result.patches] == [("spf", {"content": SPF_NEW})]


def test_duplicate_spf_records_collapse_to_the_desired_one_and_other_txt_records_stay():
    current = [existing("TXT", ZONE, SPF_OLD, record_id="spf-1"), existing("TXT", ZONE, SPF_NEW, record_id="spf-2"),
               existing("TXT", ZONE, "other text", record_id="other")]
    result = plan([{"type": "TXT", "name": "@", "content": SPF_NEW}], current)
    assert result.patches == [] and result.posts == []
    assert [record["id"] for record in result.deletes] == ["spf-1"]


def test_a_dmarc_policy_is_unique_at_its_name_too():
    old = existing("TXT", "_dmarc." + ZONE, "v=DMARC1; p=none", record_id="dmarc")
    result = plan([{"type": "TXT", "name": "_dmarc", "content": "v=DMARC1; p=reject; rua=mailto:d@example.com"}], [old])
    assert result.posts == [] and result.deletes == []
    assert result.patches[0][0]["id"] == "dmarc"
    # an SPF policy at that name is another kind: added next to it
    assert plan([{"type": "TXT", "name": "_dmarc", "content": SPF_NEW}], [old]).posts


def test_two_spf_policies_at_one_name_are_refused_before_any_request():
    with pytest.raises(SpecError, match=r"records\[1\].*one SPF policy"):
        validate_records([{"type": "TXT", "name": "@", "content": SPF_OLD},
                          {"type": "TXT", "name": "@", "content": SPF_NEW}], ZONE)


def test_an_absent_spf_record_is_matched_by_its_content_only():
    current = [existing("TXT", ZONE, SPF_OLD, record_id="spf")]
    assert plan([{"type": "TXT", "name": "@", "content": SPF_NEW, "state": "absent"}], current).deletes == []
    assert [r["id"] for r in plan([{"type": "TXT", "name": "@", "content": SPF_OLD, "state": "absent"}],
                                  current).deletes] == ["spf"]
