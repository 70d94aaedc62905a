"""The official ``cloudflare`` Python SDK against the Cloudflare emulator: what its users do.

Zone create and lookup by name, records of the types the collection writes (and OPENPGPKEY),
auto-paginated listing, edit, overwrite, delete, the batch endpoint, zone settings, typed errors,
and the legacy Global API Key authentication (``X-Auth-Email`` + ``X-Auth-Key``).
"""

import cloudflare
from _common import CONNECTION, check, control, finish, sending_invalid_requests, step

CF = CONNECTION["cloudflare"]
ZONE = "fabrik-conformance.com"
client = cloudflare.Cloudflare(api_token=CF["api_token"], base_url=CF["url"], max_retries=0)


def create_zone():
    zone = client.zones.create(account={"id": CF["account_id"]}, name=ZONE, type="full")
    check(zone.name == ZONE and zone.status == "pending", "zone: %r", zone)
    check(len(zone.name_servers) == 2, "two assigned nameservers expected: %r", zone.name_servers)
    return zone


def find_zone():
    found = list(client.zones.list(name=ZONE))
    check([zone.name for zone in found] == [ZONE], "lookup by name: %r", found)
    every = list(client.zones.list(per_page=50))
    check(ZONE in [zone.name for zone in every], "zone list: %r", every)
    return found[0]


def create_records(zone_id):
    made = [
        client.dns.records.create(zone_id=zone_id, type="A", name="@", content="192.0.2.10", ttl=1, proxied=True),
        client.dns.records.create(zone_id=zone_id, type="CNAME", name="www", content=ZONE, ttl=1, proxied=True),
        client.dns.records.create(zone_id=zone_id, type="MX", name="@", content="mx.mail.example", priority=10,
                                  ttl=3600),
        client.dns.records.create(zone_id=zone_id, type="TXT", name="@", content='"v=spf1 -all"', ttl=3600,
                                  comment="managed by the conformance test"),
        client.dns.records.create(zone_id=zone_id, type="AAAA", name="v6", content="2001:db8::1", ttl=300),
        client.dns.records.create(zone_id=zone_id, type="CAA", name="@", ttl=3600,
                                  data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"}),
        client.dns.records.create(zone_id=zone_id, type="OPENPGPKEY", name="key", ttl=3600,
                                  content="mQINBGNlc2FuZGJveA=="),
    ]
    check(made[0].name == ZONE and made[0].proxied is True, "apex A: %r", made[0])
    check(made[2].priority == 10, "MX priority: %r", made[2])
    return made


def list_records(zone_id):
    records = list(client.dns.records.list(zone_id=zone_id, per_page=5))  # two pages, auto-paginated
    check(len(records) == 7, "7 records expected over the pages, got %d", len(records))
    txt = list(client.dns.records.list(zone_id=zone_id, type="TXT", name={"exact": ZONE}))
    check(len(txt) == 1 and txt[0].content == '"v=spf1 -all"', "TXT by type+name: %r", txt)
    return records


def edit_and_overwrite(zone_id, records):
    a_record = next(r for r in records if r.type == "A")
    edited = client.dns.records.edit(a_record.id, zone_id=zone_id, type="A", name="@", ttl=1, content="192.0.2.11")
    check(edited.content == "192.0.2.11" and edited.proxied is True, "PATCH keeps proxied: %r", edited)
    replaced = client.dns.records.update(a_record.id, zone_id=zone_id, type="A", name="@", content="192.0.2.12",
                                         ttl=300)
    check(replaced.content == "192.0.2.12" and replaced.ttl == 300, "PUT: %r", replaced)
    fetched = client.dns.records.get(a_record.id, zone_id=zone_id)
    check(fetched.content == "192.0.2.12", "GET after PUT: %r", fetched)


def batch(zone_id, records):
    cname = next(r for r in records if r.type == "CNAME")
    result = client.dns.records.batch(
        zone_id=zone_id, deletes=[{"id": cname.id}],
        posts=[{"type": "A", "name": "app", "content": "192.0.2.20", "ttl": 1}])
    check(len(result.deletes) == 1 and len(result.posts) == 1, "batch result: %r", result)


def delete_record(zone_id, records):
    aaaa = next(r for r in records if r.type == "AAAA")
    deleted = client.dns.records.delete(aaaa.id, zone_id=zone_id)
    check(deleted.id == aaaa.id, "delete answers the id: %r", deleted)
    try:
        client.dns.records.get(aaaa.id, zone_id=zone_id)
    except cloudflare.NotFoundError:
        return
    raise AssertionError("a deleted record is still there")


def settings(zone_id):
    for setting_id, value in (("ssl", "full"), ("always_use_https", "on"), ("min_tls_version", "1.2"),
                              ("automatic_https_rewrites", "on"), ("brotli", "on"), ("http3", "on")):
        edited = client.zones.settings.edit(setting_id, zone_id=zone_id, value=value)
        check(edited.value == value, "%s: %r", setting_id, edited)
        check(client.zones.settings.get(setting_id, zone_id=zone_id).value == value, "%s read back", setting_id)


def errors(zone_id):
    sending_invalid_requests("cloudflare", bad_address, zone_id)
    bad = cloudflare.Cloudflare(api_token="not-the-token", base_url=CF["url"], max_retries=0)
    try:
        bad.zones.list()
    except (cloudflare.AuthenticationError, cloudflare.PermissionDeniedError):
        return
    raise AssertionError("a wrong token was accepted")


def bad_address(zone_id):
    try:
        client.dns.records.create(zone_id=zone_id, type="A", name="bad", content="not-an-address", ttl=1)
    except cloudflare.BadRequestError as error:
        body = error.body if isinstance(error.body, dict) else {}
        check(error.status_code == 400, "status %r", error.status_code)
        check(body.get("success") is False and body.get("errors"), "error envelope: %r", error.body)
    else:
        raise AssertionError("an A record with a bad address was accepted")


def legacy_auth():
    legacy = cloudflare.Cloudflare(api_email=CF["auth_email"], api_key=CF["global_key"], base_url=CF["url"],
                                   max_retries=0)
    check(ZONE in [zone.name for zone in legacy.zones.list()], "Global API Key: zone list")
    wrong = cloudflare.Cloudflare(api_email=CF["auth_email"], api_key="0" * 37, base_url=CF["url"], max_retries=0)
    try:
        wrong.zones.list()
    except (cloudflare.AuthenticationError, cloudflare.PermissionDeniedError):
        return
    raise AssertionError("a wrong Global API Key was accepted")


def delete_zone(zone_id):
    client.zones.delete(zone_id=zone_id)
    check(not list(client.zones.list(name=ZONE)), "zone deleted")


zone = step("create a zone", create_zone)
zone = step("find the zone by name", find_zone) or zone
if zone is not None:
    made = step("create A, CNAME, MX, TXT, AAAA, CAA, OPENPGPKEY records", create_records, zone.id) or []
    listed = step("list records (auto-paginated, filtered)", list_records, zone.id) or made
    step("edit (PATCH) and overwrite (PUT) a record", edit_and_overwrite, zone.id, listed)
    step("batch: a delete and a post", batch, zone.id, listed)
    step("delete a record", delete_record, zone.id, listed)
    step("zone settings", settings, zone.id)
    step("errors are typed exceptions with the envelope", errors, zone.id)
    step("legacy X-Auth-Email / X-Auth-Key", legacy_auth)
    step("delete the zone", delete_zone, zone.id)
step("the emulator logged the requests", lambda: check(control("cloudflare", "GET", "requests"), "no requests"))
finish()
