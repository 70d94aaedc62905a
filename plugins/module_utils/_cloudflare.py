# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloudflare API v4 client, DNS record validation/planning and zone settings normalisation."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field

from ansible.module_utils.basic import env_fallback

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, validate_domain_name
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient

DEFAULT_API_URL = "https://api.cloudflare.com/client/v4"
SERVICE = "Cloudflare"

ZONE_PAGE_SIZE = 50
RECORD_PAGE_SIZE = 1000
BATCH_LIMIT = 200
DUPLICATE_ZONE_CODE = 1061
R2_PAGE_SIZE = 1000
R2_NO_BUCKET_CODE = 10006
R2_BUCKET_EXISTS_CODE = 10073

ZONE_FIELDS = (
    "id", "name", "status", "name_servers", "original_name_servers",
    "activated_on", "account", "type", "paused",
)

RECORD_TYPES = frozenset((
    "A", "AAAA", "CAA", "CERT", "CNAME", "DNSKEY", "DS", "HTTPS", "LOC", "MX", "NAPTR", "NS",
    "OPENPGPKEY", "PTR", "SMIMEA", "SRV", "SSHFP", "SVCB", "TLSA", "TXT", "URI",
))
PROXIABLE_TYPES = frozenset(("A", "AAAA", "CNAME"))
PRIORITY_TYPES = frozenset(("MX", "URI", "SRV"))
HOSTNAME_CONTENT_TYPES = frozenset(("CNAME", "MX", "NS", "PTR"))
# Types whose identity is their structured data; content, when given, is parsed into it.
DATA_FIELDS = {
    "CAA": ("flags", "tag", "value"),
    "SRV": ("priority", "weight", "port", "target"),
}
TTL_AUTO = 1
TTL_MIN = 60
TTL_MAX = 86400
PRIORITY_MAX = 65535
TXT_MAX_LENGTH = 2048
FQDN_MAX_LENGTH = 253

LABEL_PATTERN = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
TAG_PATTERN = re.compile(r"^([A-Za-z0-9_-]+):(.+)$")
SETTING_ID_PATTERN = re.compile(r"^[a-z0-9_]+$")

SSL_MODES = ("off", "flexible", "full", "strict")
TLS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
ON_OFF = {True: "on", False: "off", "on": "on", "off": "off"}
SETTINGS_BULK_READ_THRESHOLD = 2


def cloudflare_argument_spec():
    """Connection options shared by every Cloudflare module (see the ``cloudflare`` doc fragment)."""
    return dict(
        api_token=dict(type="str", required=True, no_log=True,
                       fallback=(env_fallback, ["CLOUDFLARE_API_TOKEN"])),
        api_url=dict(type="str", default=DEFAULT_API_URL,
                     fallback=(env_fallback, ["CLOUDFLARE_API_URL"])),
        account_id=dict(type="str", fallback=(env_fallback, ["CLOUDFLARE_ACCOUNT_ID"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def client_for(ctx):
    params = ctx.params
    if not params["api_token"].strip():
        raise SpecError("api_token", "a Cloudflare API token is required (or CLOUDFLARE_API_TOKEN in the environment)")
    return CloudflareClient(
        api_token=params["api_token"],
        api_url=params["api_url"],
        account_id=params["account_id"],
        validate_certs=params["validate_certs"],
        timeout=params["timeout"],
        check_mode=ctx.check_mode,
    )


def parse_error(response):
    """The API's own error text from a Cloudflare envelope: ``<code> <message>`` joined by ``; ``."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if not isinstance(body, dict):
        return ""
    return _join_errors(body.get("errors"))


def _join_errors(errors):
    parts = []
    for error in errors or []:
        if isinstance(error, dict):
            parts.append(("%s %s" % (error.get("code", ""), error.get("message", ""))).strip())
    return "; ".join(parts)


def _error_codes(err):
    """The Cloudflare error codes in an ApiError's response body."""
    try:
        body = json.loads(err.body or "")
    except ValueError:
        return set()
    errors = body.get("errors") if isinstance(body, dict) else None
    return {error.get("code") for error in errors or [] if isinstance(error, dict)}


def lower_name(name):
    """A DNS name lower-cased, without surrounding blanks and trailing dot."""
    return (name or "").strip().rstrip(".").lower()


def zone_view(zone):
    """The zone fields modules return."""
    return {key: zone.get(key) for key in ZONE_FIELDS}


class CloudflareClient:
    """Cloudflare API v4 through the collection's HTTP layer."""

    def __init__(self, api_token, api_url=DEFAULT_API_URL, account_id=None, validate_certs=True,
                 timeout=30, check_mode=False):
        self.account_id = account_id
        self.http = HttpClient(
            service=SERVICE,
            base_url=api_url.rstrip("/"),
            headers={"Authorization": "Bearer " + api_token},
            secrets=[api_token],
            timeout=timeout,
            validate_certs=validate_certs,
            error_parser=parse_error,
            check_mode=check_mode,
        )

    # -- envelope and paging -------------------------------------------------------------

    def call(self, method, path, operation, params=None, json=None, headers=None):
        """One request; returns the envelope (dict) after checking ``success``."""
        response = self.http.request(method, path, operation=operation, params=params, json=json, headers=headers)
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            raise ApiError(SERVICE, operation, method, path, status=response.status_code,
                           message="the response is not a JSON envelope")
        if not envelope.get("success", False):
            redact = self.http.redact
            raise ApiError(SERVICE, operation, method, redact(path), status=response.status_code,
                           message=redact(_join_errors(envelope.get("errors")) or "success is false"),
                           body=redact(response.text))
        return envelope

    def result(self, method, path, operation, params=None, json=None, headers=None):
        return self.call(method, path, operation, params=params, json=json, headers=headers).get("result")

    def paged(self, path, operation, params=None, per_page=ZONE_PAGE_SIZE):
        """Every item of a page-paginated listing."""
        items = []
        page = 1
        while True:
            query = dict(params or {}, page=page, per_page=per_page)
            envelope = self.call("GET", path, operation, params=query)
            batch = envelope.get("result") or []
            items.extend(batch)
            info = envelope.get("result_info") or {}
            total_pages = info.get("total_pages")
            if total_pages is not None:
                if page >= total_pages:
                    return items
            elif len(batch) < per_page:
                return items
            page += 1

    # -- zones ---------------------------------------------------------------------------

    def _account_filter(self):
        return {"account.id": self.account_id} if self.account_id else {}

    def list_zones(self, name=None):
        params = self._account_filter()
        if name:
            params["name"] = name
        return self.paged("/zones", "list zones", params=params)

    def find_zone(self, name):
        """The zone called ``name`` in the account, or None.  Without an account id the name must be unique."""
        name = lower_name(name)
        zones = [zone for zone in self.list_zones(name) if zone.get("name", "").lower() == name]
        if len(zones) > 1:
            raise SpecError("account_id", "zone %s exists in %d accounts; set account_id to choose one"
                            % (name, len(zones)))
        return zones[0] if zones else None

    def find_zone_or_placeholder(self, name, check_mode):
        """The zone called ``name``; in check mode a missing zone (an earlier task would create it)
        is ``{"id": None, "name": name}`` so that the caller plans against an empty zone."""
        zone = self.find_zone(name)
        if zone is not None:
            return zone
        if check_mode:
            return {"id": None, "name": lower_name(name)}
        where = " in account %s" % self.account_id if self.account_id else ""
        raise SpecError("zone", "zone %s not found%s" % (lower_name(name), where))

    def get_zone(self, zone_id):
        return self.result("GET", "/zones/%s" % zone_id, "get zone")

    def create_zone(self, name, zone_type="full"):
        """Create a zone; a lost response or a duplicate (1061) is resolved by reading it back."""
        body = {"name": name, "account": {"id": self.account_id}, "type": zone_type}
        try:
            return self.result("POST", "/zones", "create zone", json=body)
        except ApiError as err:
            if not (err.maybe_applied or DUPLICATE_ZONE_CODE in _error_codes(err)):
                raise
            zone = self.find_zone(name)
            if zone is None:
                raise
            return zone

    def update_zone(self, zone_id, changes):
        return self.result("PATCH", "/zones/%s" % zone_id, "update zone", json=changes)

    def delete_zone(self, zone_id):
        return self.result("DELETE", "/zones/%s" % zone_id, "delete zone")

    def activation_check(self, zone_id):
        return self.result("PUT", "/zones/%s/activation_check" % zone_id, "request activation check")

    # -- DNS records ---------------------------------------------------------------------

    def list_records(self, zone_id):
        return self.paged("/zones/%s/dns_records" % zone_id, "list DNS records", per_page=RECORD_PAGE_SIZE)

    def apply_batch(self, zone_id, deletes=(), patches=(), posts=()):
        """Apply changes through the batch endpoint, ``BATCH_LIMIT`` items per request.

        Returns the concatenated ``deletes``/``patches``/``posts`` result lists.
        """
        applied = {"deletes": [], "patches": [], "posts": []}
        path = "/zones/%s/dns_records/batch" % zone_id
        for body in batch_chunks(deletes, patches, posts):
            result = self.result("POST", path, "apply DNS record batch", json=body) or {}
            for kind, records in applied.items():
                records.extend(result.get(kind) or [])
        return applied

    # -- zone settings -------------------------------------------------------------------

    def get_settings(self, zone_id, setting_ids):
        """Current values of ``setting_ids`` (one bulk read when there are more than a couple)."""
        values = {}
        if len(setting_ids) > SETTINGS_BULK_READ_THRESHOLD:
            every = self.result("GET", "/zones/%s/settings" % zone_id, "get zone settings") or []
            wanted = set(setting_ids)
            values = {item["id"]: item.get("value") for item in every if item.get("id") in wanted}
        for setting_id in setting_ids:
            if setting_id not in values:
                item = self.result("GET", "/zones/%s/settings/%s" % (zone_id, setting_id),
                                   "get zone setting %s" % setting_id)
                values[setting_id] = item.get("value")
        return values

    def patch_setting(self, zone_id, setting_id, value):
        item = self.result("PATCH", "/zones/%s/settings/%s" % (zone_id, setting_id),
                           "update zone setting %s" % setting_id, json={"value": value})
        return item.get("value")

    # -- R2 buckets (REST management; objects go through the S3 endpoint, see _r2.py) -----

    def _r2_path(self, bucket=None, suffix=""):
        if not self.account_id:
            raise SpecError("account_id", "the Cloudflare account id is required for R2")
        path = "/accounts/%s/r2/buckets" % self.account_id
        return path + ("/%s" % bucket if bucket else "") + suffix

    @staticmethod
    def _r2_headers(jurisdiction, **extra):
        headers = {"cf-r2-jurisdiction": jurisdiction} if jurisdiction and jurisdiction != "default" else {}
        headers.update(extra)
        return headers

    def list_r2_buckets(self, jurisdiction=None):
        """Every bucket of the account in ``jurisdiction`` (cursor paging)."""
        buckets, params = [], {"per_page": R2_PAGE_SIZE}
        while True:
            envelope = self.call("GET", self._r2_path(), "list R2 buckets", params=params,
                                 headers=self._r2_headers(jurisdiction))
            buckets.extend((envelope.get("result") or {}).get("buckets") or [])
            cursor = (envelope.get("result_info") or {}).get("cursor")
            if not cursor:
                return buckets
            params = {"per_page": R2_PAGE_SIZE, "cursor": cursor}

    def get_r2_bucket(self, name, jurisdiction=None):
        """The bucket called ``name``, or None when it does not exist."""
        try:
            return self.result("GET", self._r2_path(name), "get R2 bucket", headers=self._r2_headers(jurisdiction))
        except ApiError as err:
            if err.status == 404 or R2_NO_BUCKET_CODE in _error_codes(err):
                return None
            raise

    def create_r2_bucket(self, name, location_hint=None, storage_class=None, jurisdiction=None):
        """Create a bucket; a lost response or "already exists" is resolved by reading it back."""
        body = {"name": name}
        if location_hint:
            body["locationHint"] = location_hint
        if storage_class:
            body["storageClass"] = storage_class
        try:
            return self.result("POST", self._r2_path(), "create R2 bucket", json=body,
                               headers=self._r2_headers(jurisdiction))
        except ApiError as err:
            if not (err.maybe_applied or R2_BUCKET_EXISTS_CODE in _error_codes(err)):
                raise
            bucket = self.get_r2_bucket(name, jurisdiction)
            if bucket is None:
                raise
            return bucket

    def set_r2_storage_class(self, name, storage_class, jurisdiction=None):
        return self.result("PATCH", self._r2_path(name), "update R2 bucket storage class",
                           headers=self._r2_headers(jurisdiction, **{"cf-r2-storage-class": storage_class}))

    def delete_r2_bucket(self, name, jurisdiction=None):
        self.result("DELETE", self._r2_path(name), "delete R2 bucket", headers=self._r2_headers(jurisdiction))

    def get_r2_cors(self, name, jurisdiction=None):
        """The bucket's CORS rules (camelCase, as the API has them); [] when it has none."""
        try:
            result = self.result("GET", self._r2_path(name, "/cors"), "get R2 bucket CORS",
                                 headers=self._r2_headers(jurisdiction))
        except ApiError as err:
            if err.status == 404 and R2_NO_BUCKET_CODE not in _error_codes(err):
                return []
            raise
        return (result or {}).get("rules") or []

    def put_r2_cors(self, name, rules, jurisdiction=None):
        self.result("PUT", self._r2_path(name, "/cors"), "set R2 bucket CORS", json={"rules": rules},
                    headers=self._r2_headers(jurisdiction))

    def delete_r2_cors(self, name, jurisdiction=None):
        self.result("DELETE", self._r2_path(name, "/cors"), "delete R2 bucket CORS",
                    headers=self._r2_headers(jurisdiction))


def batch_chunks(deletes=(), patches=(), posts=(), limit=BATCH_LIMIT):
    """Split changes into batch bodies of at most ``limit`` items.

    Every delete comes before every patch, and every patch before every post, across chunks
    as well as inside one (the server runs deletes, patches, puts, posts in that order).
    """
    operations = ([("deletes", item) for item in deletes] + [("patches", item) for item in patches]
                  + [("posts", item) for item in posts])
    chunks = []
    for start in range(0, len(operations), limit):
        body = {}
        for kind, item in operations[start:start + limit]:
            body.setdefault(kind, []).append(item)
        chunks.append(body)
    return chunks


# -- DNS record validation -----------------------------------------------------------------


def resolve_record_name(name, zone, field_path):
    """FQDN of a record name: ``@``, a name ending with ``zone``, or a name relative to ``zone``.

    A relative name of several labels is ambiguous with a name outside the zone, so it is accepted
    only when its last label is a service label starting with ``_`` (``s1._domainkey``, ``_sip._tcp``);
    other names must be written in full (``www.staging.example.com``).
    """
    raw = (name or "").strip()
    if raw == "@":
        return zone
    if not raw:
        raise SpecError(field_path, "a name is required ('@' for the zone apex)")
    if not raw.isascii():
        raise SpecError(field_path, "%r: use the punycode (xn--) form of internationalised names" % raw)
    lowered = lower_name(raw)
    if lowered == zone or lowered.endswith("." + zone):
        fqdn = lowered
    elif raw.endswith(".") or ("." in lowered and not lowered.rsplit(".", 1)[-1].startswith("_")):
        raise SpecError(field_path, "%s is not in zone %s: give '@', one label relative to the zone, or the "
                                    "full name ending in .%s" % (raw, zone, zone))
    else:
        fqdn = lowered + "." + zone
    _check_hostname(fqdn, field_path)
    return fqdn


def _check_hostname(fqdn, field_path):
    if len(fqdn) > FQDN_MAX_LENGTH:
        raise SpecError(field_path, "%s is longer than %d characters" % (fqdn, FQDN_MAX_LENGTH))
    for position, label in enumerate(fqdn.split(".")):
        if label == "*" and position == 0:
            continue
        if not LABEL_PATTERN.match(label):
            raise SpecError(field_path, "%s: invalid label %r (letters, digits, '-', '_', 1..63 "
                                        "characters; '*' only as the first label)" % (fqdn, label))


def _normalize_content(rtype, content):
    """Comparable form of a record's content."""
    if content is None:
        return None
    if rtype in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(content.strip()))
        except ValueError:
            return content.strip()
    if rtype in HOSTNAME_CONTENT_TYPES:
        return lower_name(content)
    return content


def _scalar_key(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _data_key(rtype, data):
    """Comparable form of structured record data (hostnames lowered, numbers as text)."""
    keys = DATA_FIELDS.get(rtype) or sorted(data)
    parts = []
    for key in keys:
        value = data.get(key)
        if key == "target" and isinstance(value, str):
            value = lower_name(value)
        parts.append((key, None if value is None else _scalar_key(value)))
    return json.dumps(parts)


def content_key(rtype, content=None, data=None):
    """Comparable form of a record's content or structured data."""
    if data is not None:
        return _data_key(rtype, data)
    return _normalize_content(rtype, content)


def record_key(rtype, fqdn, content_id, exclusive=False):
    """Identity of a record: (type, name) for a CNAME or an exclusive record, else (type, name, content)."""
    if exclusive or rtype == "CNAME":
        return (rtype, fqdn)
    return (rtype, fqdn, content_id)


def parse_data_content(rtype, content, field_path):
    """Structured data of a CAA (``flags tag value``) or SRV (``priority weight port target``) content."""
    fields = DATA_FIELDS[rtype]
    parts = content.split(None, len(fields) - 1)
    if len(parts) != len(fields):
        raise SpecError(field_path, "%s content must be '%s', got %r" % (rtype, " ".join(fields), content))
    data = dict(zip(fields, parts))
    numeric = fields[:-1] if rtype == "SRV" else ("flags",)
    for key in numeric:
        if not data[key].isdigit():
            raise SpecError(field_path, "%s content: %s must be a number, got %r" % (rtype, key, data[key]))
        data[key] = int(data[key])
    if rtype == "CAA":
        data["value"] = data["value"].strip('"')
    return data


def existing_content_key(record):
    rtype = record.get("type", "").upper()
    data = record.get("data") if rtype in DATA_FIELDS else None
    if rtype in DATA_FIELDS and not data and record.get("content"):
        try:
            data = parse_data_content(rtype, record["content"], "")
        except SpecError:
            data = None
    return content_key(rtype, record.get("content"), data)


def existing_key(record):
    return record_key(record.get("type", "").upper(), lower_name(record.get("name", "")),
                      existing_content_key(record))


def _canonical_tags(tags):
    """Tags sorted, with their case-insensitive names lower-cased."""
    canonical = []
    for tag in tags:
        name, separator, value = str(tag).partition(":")
        canonical.append(name.lower() + separator + value)
    return sorted(canonical)


def _validate_tags(tags, field_path):
    for position, tag in enumerate(tags):
        if not (isinstance(tag, str) and "\n" not in tag and TAG_PATTERN.match(tag)):
            raise SpecError("%s[%d]" % (field_path, position),
                            "%r: 'name:value' expected (name of letters, digits, '-', '_')" % (tag,))
    return _canonical_tags(tags)


def _check_ttl(ttl, field_path):
    if ttl is not None and ttl != TTL_AUTO and not TTL_MIN <= ttl <= TTL_MAX:
        raise SpecError(field_path, "1 (automatic) or %d..%d expected, got %s" % (TTL_MIN, TTL_MAX, ttl))


def _check_content(rtype, content, field_path):
    if rtype == "A":
        try:
            ipaddress.IPv4Address(content)
        except ValueError:
            raise SpecError(field_path, "an IPv4 address expected for an A record, got %r" % content) from None
    elif rtype == "AAAA":
        try:
            ipaddress.IPv6Address(content)
        except ValueError:
            raise SpecError(field_path, "an IPv6 address expected for an AAAA record, got %r" % content) from None
    elif rtype in HOSTNAME_CONTENT_TYPES:
        target = lower_name(content)
        if not target:
            raise SpecError(field_path, "a hostname expected for a %s record" % rtype)
        _check_hostname(target, field_path)
    elif rtype == "TXT" and len(content) > TXT_MAX_LENGTH:
        raise SpecError(field_path, "TXT content is %d characters, at most %d allowed"
                        % (len(content), TXT_MAX_LENGTH))


def _check_data(rtype, data, field_path):
    missing = [key for key in DATA_FIELDS.get(rtype, ()) if data is not None and data.get(key) in (None, "")]
    if missing:
        raise SpecError(field_path, "%s data needs %s" % (rtype, ", ".join(missing)))


def _normalize_record(position, item, zone):
    """One validated desired record as the planner's internal dict."""
    base = "records[%d]" % position
    rtype = str(item.get("type") or "").strip().upper()
    if rtype not in RECORD_TYPES:
        raise SpecError(base + ".type", "unknown record type %r (one of %s)"
                        % (item.get("type"), ", ".join(sorted(RECORD_TYPES))))
    state = item.get("state") or "present"
    name = resolve_record_name(item.get("name"), zone, base + ".name")
    content = item.get("content")
    data = item.get("data")
    if content is not None and data is not None:
        raise SpecError(base + ".data", "give either content or data, not both")
    if content is None and data is None and (state == "present" or rtype != "CNAME"):
        raise SpecError(base + ".content", "content (or data) is required for a %s record" % rtype)
    if content is not None:
        _check_content(rtype, content, base + ".content")
        if rtype in DATA_FIELDS:
            data, content = parse_data_content(rtype, content, base + ".content"), None
        else:
            content = _normalize_content(rtype, content)

    ttl = item.get("ttl")
    _check_ttl(ttl, base + ".ttl")
    proxied = item.get("proxied")
    if proxied and rtype not in PROXIABLE_TYPES:
        raise SpecError(base + ".proxied", "only A, AAAA and CNAME records can be proxied, not %s" % rtype)
    if proxied and ttl not in (None, TTL_AUTO):
        raise SpecError(base + ".ttl", "proxied records use the automatic TTL (1), got %s" % ttl)

    priority = item.get("priority")
    if priority is not None:
        if rtype not in PRIORITY_TYPES:
            raise SpecError(base + ".priority", "only MX, URI and SRV records take a priority, not %s" % rtype)
        if not 0 <= priority <= PRIORITY_MAX:
            raise SpecError(base + ".priority", "0..%d expected, got %s" % (PRIORITY_MAX, priority))
        if rtype == "SRV":
            data = dict(data or {})
            data.setdefault("priority", priority)
            priority = None
    elif rtype == "MX" and state == "present":
        raise SpecError(base + ".priority", "MX records need a priority")
    _check_data(rtype, data, base + ".data")
    exclusive = bool(item.get("exclusive")) or rtype == "CNAME"
    if item.get("exclusive") and state == "absent":
        raise SpecError(base + ".exclusive", "only records with state present can be exclusive")

    comment = item.get("comment")
    if comment is not None and ("\n" in comment or "\r" in comment):
        raise SpecError(base + ".comment", "comments cannot contain newlines")
    tags = item.get("tags")
    if tags is not None:
        tags = _validate_tags(tags, base + ".tags")

    content_id = content_key(rtype, content, data)
    return {
        "position": position, "state": state, "type": rtype, "name": name, "content": content,
        "data": data, "ttl": ttl, "proxied": proxied, "priority": priority, "comment": comment,
        "tags": tags, "exclusive": exclusive, "content_key": content_id,
        "key": record_key(rtype, name, content_id, exclusive),
    }


def validate_records(records, zone):
    """Validate the ``records`` option against ``zone``; returns the planner's normalised records.

    Raises :class:`SpecError` naming the field (``records[3].ttl``) before any request is sent.
    """
    zone = validate_domain_name(zone, "zone")
    desired = [_normalize_record(position, item, zone) for position, item in enumerate(records)]
    seen = {}
    for record in desired:
        first = seen.setdefault(record["key"], record)
        if first is not record:
            raise SpecError("records[%d]" % record["position"],
                            "duplicate of records[%d] (same %s)" % (first["position"], _identity_words(record)))
    _check_exclusive(desired)
    _check_cname_exclusive([r for r in desired if r["state"] == "present"], zone)
    return desired


def _identity_words(record):
    return "type and name" if record["exclusive"] else "type, name and content"


def _check_exclusive(records):
    """An exclusive record is the only one of its type at its name."""
    exclusive = {(r["type"], r["name"]): r for r in records if r["exclusive"]}
    for record in records:
        owner = exclusive.get((record["type"], record["name"]))
        if owner is not None and owner is not record:
            earlier, later = sorted((owner, record), key=lambda item: item["position"])
            raise SpecError("records[%d]" % later["position"],
                            "conflicts with records[%d]: records[%d] is the only %s record at %s "
                            "(a CNAME or exclusive: true)" % (earlier["position"], owner["position"],
                                                              record["type"], record["name"]))


def _check_cname_exclusive(records, zone):
    """A CNAME cannot share its name with any other record."""
    by_name = {}
    for record in records:
        by_name.setdefault(record["name"], []).append(record)
    for name, group in by_name.items():
        cnames = [r for r in group if r["type"] == "CNAME"]
        others = [r for r in group if r["type"] != "CNAME"]
        if cnames and others:
            where = "the zone apex %s" % zone if name == zone else name
            raise SpecError("records[%d].name" % cnames[0]["position"],
                            "a CNAME at %s cannot coexist with other records there (records[%d] is %s)"
                            % (where, others[0]["position"], others[0]["type"]))


# -- DNS record planning -------------------------------------------------------------------


@dataclass
class RecordPlan:
    """What converging the zone's records takes, and what the records look like before/after."""

    deletes: list = field(default_factory=list)      # existing records to delete
    patches: list = field(default_factory=list)      # (existing record, {field: new value})
    posts: list = field(default_factory=list)        # bodies of records to create
    kept: list = field(default_factory=list)         # ("keep", record) | ("patch", i) | ("post", i)
    before: list = field(default_factory=list)       # existing records in scope

    @property
    def changed(self):
        return bool(self.deletes or self.patches or self.posts)

    def batch_arguments(self):
        return (
            [{"id": record["id"]} for record in self.deletes],
            [dict(changes, id=record["id"]) for record, changes in self.patches],
            list(self.posts),
        )

    def final_records(self, applied=None):
        """Managed records after the change: from the batch results, or predicted when ``applied`` is None."""
        if applied is None:
            patched = [dict(record, **changes) for record, changes in self.patches]
            posted = [dict(body, id=None) for body in self.posts]
        else:
            patched, posted = applied["patches"], applied["posts"]
        records = []
        for kind, value in self.kept:
            if kind == "keep":
                records.append(value)
            else:
                source = patched if kind == "patch" else posted
                records.append(source[value] if value < len(source) else None)
        return [record for record in records if record is not None]


def _effective_ttl(want, have_proxied):
    proxied = want["proxied"] if want["proxied"] is not None else bool(have_proxied)
    if proxied and want["ttl"] not in (None, TTL_AUTO):
        raise SpecError("records[%d].ttl" % want["position"],
                        "the record is proxied in Cloudflare, so its TTL is automatic (1); set ttl: 1 "
                        "or proxied: false, got %s" % want["ttl"])
    return TTL_AUTO if want["ttl"] is None else want["ttl"]


def _record_changes(want, have):
    """The fields of ``have`` that differ from ``want`` (only fields the user manages)."""
    changes = {}
    if want["exclusive"] and existing_content_key(have) != want["content_key"]:
        if want["data"] is not None:
            changes["data"] = want["data"]
        else:
            changes["content"] = want["content"]
    if want["type"] in PROXIABLE_TYPES and want["proxied"] is not None \
            and want["proxied"] != bool(have.get("proxied")):
        changes["proxied"] = want["proxied"]
    ttl = _effective_ttl(want, have.get("proxied"))
    if ttl != have.get("ttl"):
        changes["ttl"] = ttl
    if want["priority"] is not None and want["priority"] != have.get("priority"):
        changes["priority"] = want["priority"]
    if want["comment"] is not None and (want["comment"] or None) != (have.get("comment") or None):
        changes["comment"] = want["comment"]
    if want["tags"] is not None and want["tags"] != _canonical_tags(have.get("tags") or []):
        changes["tags"] = want["tags"]
    return changes


def _new_record(want):
    body = {"type": want["type"], "name": want["name"], "ttl": _effective_ttl(want, False)}
    if want["data"] is not None:
        body["data"] = want["data"]
    else:
        body["content"] = want["content"]
    if want["type"] in PROXIABLE_TYPES:
        body["proxied"] = bool(want["proxied"])
    for key in ("priority", "comment", "tags"):
        if want[key] is not None:
            body[key] = want[key]
    return body


def _prunable(record, zone):
    rtype = record.get("type", "").upper()
    if rtype == "SOA":
        return False
    return not (rtype == "NS" and lower_name(record.get("name", "")) == zone)


def plan_records(desired, existing, zone, prune=False):
    """Compare validated ``desired`` records with the zone's ``existing`` ones.

    Identity is (type, name) for a CNAME or an exclusive record and (type, name, content/data)
    otherwise.  Matching records get a PATCH of the differing managed fields; missing ones are
    created; records with ``state: absent`` and records an exclusive one replaces are deleted;
    with ``prune`` every other record except SOA and the apex NS records is deleted too.
    """
    zone = lower_name(zone)
    by_identity, by_type_name = {}, {}
    for record in existing:
        by_identity.setdefault(existing_key(record), []).append(record)
        by_type_name.setdefault((record.get("type", "").upper(), lower_name(record.get("name", ""))),
                                []).append(record)
    plan = RecordPlan()
    matched_ids = set()
    for want in desired:
        have, extras = _match(want, by_identity, by_type_name)
        for record in ([have] if have is not None else []) + extras:
            matched_ids.add(record["id"])
            plan.before.append(record)
        plan.deletes.extend(extras)
        if want["state"] == "absent":
            if have is not None:
                plan.deletes.append(have)
        elif have is None:
            plan.posts.append(_new_record(want))
            plan.kept.append(("post", len(plan.posts) - 1))
        else:
            changes = _record_changes(want, have)
            if changes:
                plan.patches.append((have, changes))
                plan.kept.append(("patch", len(plan.patches) - 1))
            else:
                plan.kept.append(("keep", have))
    if prune:
        for record in existing:
            if record["id"] not in matched_ids and _prunable(record, zone):
                plan.deletes.append(record)
                plan.before.append(record)
    _check_cname_conflicts(plan, desired, existing)
    return plan


def _match(want, by_identity, by_type_name):
    """(the existing record ``want`` updates or None, the other records it replaces).

    An exclusive record (every CNAME) takes the record of its type and name with the same content if
    there is one, else the first; the others of that type and name are deleted.
    """
    if not want["exclusive"]:
        return (by_identity.get(want["key"]) or [None])[0], []
    candidates = by_type_name.get((want["type"], want["name"]), [])
    same = [record for record in candidates if existing_content_key(record) == want["content_key"]]
    have = (same or candidates or [None])[0]
    return have, [record for record in candidates if record is not have]


def _check_cname_conflicts(plan, desired, existing):
    """Refuse a plan that would leave a CNAME next to another record at the same name."""
    deleted = {record["id"] for record in plan.deletes}
    remaining = {}
    for record in existing:
        if record["id"] not in deleted:
            remaining.setdefault(lower_name(record.get("name", "")), []).append(record)
    for want in desired:
        if want["state"] != "present":
            continue
        for record in remaining.get(want["name"], []):
            if "CNAME" in (record.get("type"), want["type"]) and record.get("type") != want["type"]:
                raise SpecError("records[%d].name" % want["position"],
                                "%s already has a %s record (%s) that is not in records; a CNAME cannot "
                                "share its name: add it with state: absent or use prune: true"
                                % (want["name"], record.get("type"), record.get("content")))


def record_view(record):
    """Compact rendering of a record for diffs and results' identities."""
    view = {"type": record.get("type"), "name": record.get("name")}
    if (record.get("data") and record.get("type") in DATA_FIELDS) or record.get("content") is None:
        view["data"] = record.get("data")
    else:
        view["content"] = record.get("content")
    for key in ("ttl", "proxied", "priority", "comment"):
        if record.get(key) not in (None, ""):
            view[key] = record[key]
    if record.get("tags"):
        view["tags"] = sorted(record["tags"])
    return view


def record_identity(record):
    """Identity of a record as returned in ``created``/``updated``/``deleted``."""
    identity = {"type": record.get("type"), "name": record.get("name")}
    if record.get("type") in DATA_FIELDS and record.get("data"):
        identity["data"] = record["data"]
    else:
        identity["content"] = record.get("content")
    return identity


# -- zone settings ---------------------------------------------------------------------------


def _tls_version(value, field_path):
    if isinstance(value, bool):
        raise SpecError(field_path, "one of %s expected, got %r" % (", ".join(TLS_VERSIONS), value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    version = None if number is None else "%.1f" % number
    if version is not None and float(version) != number:
        version = None
    if version not in TLS_VERSIONS:
        raise SpecError(field_path, "one of %s expected, got %r" % (", ".join(TLS_VERSIONS), value))
    return version


def _on_off(value, field_path):
    key = value.strip().lower() if isinstance(value, str) else value
    if key not in ON_OFF:
        raise SpecError(field_path, "true/false or on/off expected, got %r" % (value,))
    return ON_OFF[key]


def normalize_settings(settings):
    """Values as Cloudflare represents them: ``ssl`` checked, ``min_tls_version`` as "1.x",
    ``always_use_https`` and every other boolean as "on"/"off"; anything else passed through."""
    normalized = {}
    for setting_id, value in (settings or {}).items():
        field_path = "settings.%s" % setting_id
        if not SETTING_ID_PATTERN.match(str(setting_id)):
            raise SpecError(field_path, "setting ids are lowercase letters, digits and '_'")
        if value is None:
            raise SpecError(field_path, "a value is required")
        if setting_id == "ssl":
            mode = str(value).strip().lower()
            if mode not in SSL_MODES:
                raise SpecError(field_path, "one of %s expected, got %r" % (", ".join(SSL_MODES), value))
            normalized[setting_id] = mode
        elif setting_id == "min_tls_version":
            normalized[setting_id] = _tls_version(value, field_path)
        elif setting_id == "always_use_https" or isinstance(value, bool):
            normalized[setting_id] = _on_off(value, field_path)
        else:
            normalized[setting_id] = value
    return normalized


def settings_changes(desired, current):
    """The desired settings whose value differs from the current one."""
    return {key: value for key, value in desired.items() if current.get(key) != value}
