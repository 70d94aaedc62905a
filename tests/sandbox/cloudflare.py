"""Emulator of Cloudflare's API v4 (``/client/v4``) for the local sandbox.

Wire contract: ``tests/contracts/cloudflare/NOTES.md`` and ``openapi-subset.json``
(zones, DNS records, the DNS batch endpoint, zone settings).  Every request
and response of a path in the subset is validated against it (see
``openapi.py`` and ``SPEC_CORRECTIONS`` below); the batch endpoint, which the
subset lacks, is validated against ``BATCH_REQUEST_SCHEMA`` /
``BATCH_RESPONSE_SCHEMA``, written from NOTES.md.

Sandbox account: token ``sandbox-cloudflare-token`` (``Authorization: Bearer``),
account id ``0123456789abcdef0123456789abcdef``.

Rules of this emulator that the sources do not pin down:

* Assigned nameservers are two ``<word>.ns.cloudflare.com`` names derived
  from a hash of the zone name: the same name always gets the same pair.
* A ``pending`` zone becomes ``active`` when the registrar emulator
  (``shared.get("namecheap").nameservers_for(name)``) lists exactly the
  zone's nameservers: at once on ``PUT .../activation_check``, otherwise on
  the first zone read at least ``activation_delay`` seconds (option, default
  1.0) after a read first saw them match.
* Relative record names (``www``, ``@``) get the zone name appended; so does
  any name that does not end in the zone name.  Responses carry full names.
* Records without a comment have no ``comment`` key (the spec types it as a
  non-nullable string); ``""`` or ``null`` clears a comment.
* ``rate_limit_per_5_minutes`` (option, default off; the API's documented limit is
  1,200): a sliding five-minute window of the account's requests, then 429 with
  ``retry-after``; tests ask for it through ``/_sandbox/config``.
* ``request_budget`` (option, default unlimited): after that many vendor
  requests every request answers 429 with ``retry-after`` (option
  ``retry_after``, default 1 s) until reset or until the budget is set again.
* Error codes: ``ERRORS`` below; the comment there says which codes come from
  the sources and which are the sandbox's own choice.
* R2 buckets (``/accounts/{id}/r2/buckets``) are stored by the R2 emulator
  (``shared.get("r2")``, ``r2.py``), so they are the buckets of its S3
  endpoint; without it every R2 call answers 10042 (R2 not enabled).  The
  bucket list's ``result`` is ``{"buckets": [...]}`` (NOTES.md and the SDK;
  the 2024 spec's array is corrected below); the cursor is the last name
  returned.  ``GET .../cors`` of a bucket without rules answers 404 with
  10059 (sandbox choice); PATCH and the CORS routes, which the subset lacks,
  are validated against ``R2_*_SCHEMA`` (written from the SDK's types).
"""

import collections
import copy
import hashlib
import ipaddress
import json
import math
import re
import time
import uuid
from datetime import datetime, timezone

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from .base import Emulator
from .cloudflare_settings import zone_settings
from .openapi import ContractValidator, JsonSchemaRoute, contract_path, operations

SANDBOX_TOKEN = "sandbox-cloudflare-token"
# The legacy Global API Key authentication (X-Auth-Email + X-Auth-Key): a key is 37 hex digits.
SANDBOX_AUTH_EMAIL = "sandbox@fabrik-sandbox.com"
SANDBOX_GLOBAL_KEY = "0123456789abcdef0123456789abcdef5a4db"
SANDBOX_ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
SANDBOX_ACCOUNT_NAME = "Sandbox Account"
BASE_PATH = "/client/v4"
SPEC_FILE = "openapi-subset.json"

# Codes from NOTES.md or from API responses quoted in public issue threads:
# 1004 1061 1067 7003 9005 9021 9022 9109 10000 81053 81054 81058; R2 codes 10005 10006
# 10008 10042 10073 from NOTES.md and R2's error codes page (developers.cloudflare.com/r2/api/error-codes).
# Sandbox choice for R2: 10059 (no CORS configuration).
# Sandbox choices (no source found): 1007 1099 6007 7001 81044; 1015 is the code of
# Cloudflare's edge "You are being rate limited" page (the spec wants codes >= 1000).
# Header errors 6003 (with error_chain 6102/6103/6111) and 9103, 10000: live responses quoted in
# public issue threads (tests/sandbox/README.md, "Cloudflare: live behaviour").
ERRORS = {
    "bad_headers": 6003,
    "unknown_key": 9103,
    "dns_validation": 1004,
    "zone_exists": 1061,
    "bad_account": 1067,
    "bad_zone_name": 1099,
    "bad_field": 1007,
    "no_route": 7003,
    "method": 7001,
    "bad_json": 6007,
    "bad_address": 9005,
    "bad_ttl": 9021,
    "ttl_type": 9022,
    "bad_token": 9109,
    "authentication": 10000,
    "rate_limited": 1015,
    "record_not_found": 81044,
    "cname_conflict": 81053,
    "cname_exists": 81054,
    "identical": 81058,
    "r2_bucket_name": 10005,
    "r2_no_bucket": 10006,
    "r2_not_empty": 10008,
    "r2_not_enabled": 10042,
    "r2_no_cors": 10059,
    "r2_bucket_exists": 10073,
}

DEFAULT_OPTIONS = {"activation_delay": 1.0, "request_budget": None, "retry_after": 1, "rate_limit_per_5_minutes": None}
RATE_WINDOW = 300.0  # seconds: Cloudflare's API limit is 1,200 requests per five minutes (per user)
NAMESERVER_WORDS = (
    "ada", "bob", "cruz", "dana", "elle", "finn", "gina", "hugo",
    "iris", "jack", "kara", "liam", "mona", "nick", "olga", "pete",
)
ZONE_NAME = re.compile(r"^([a-z0-9][-a-z0-9]*\.)+[-a-z0-9]{2,20}$")
ZONE_TYPES = ("full", "partial", "secondary")
# The spec's maximum is 50, but the live API accepts per_page=100 (dns-lexicon 3.25 sends it on every
# zone lookup); the real bound is not documented: the sandbox accepts up to 1000.
ZONE_PAGE_SIZE = (5, 1000, 20)  # min, max, default
RECORD_PAGE_SIZE = (1, 5_000_000, 100)
RECORD_TYPES = (
    "A", "AAAA", "CAA", "CERT", "CNAME", "DNSKEY", "DS", "HTTPS", "LOC", "MX", "NAPTR", "NS",
    "OPENPGPKEY", "PTR", "SMIMEA", "SRV", "SSHFP", "SVCB", "TLSA", "TXT", "URI",
)
TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]+$")
GLOBAL_KEY_FORMAT = re.compile(r"^[0-9a-f]{37}$")
PROXIABLE_TYPES = frozenset({"A", "AAAA", "CNAME"})
HOSTNAME_TYPES = frozenset({"CNAME", "MX", "NS", "PTR"})
PRIORITY_TYPES = frozenset({"MX", "SRV", "URI"})
DNS_LABEL = re.compile(r"^(\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$")
TAG = re.compile(r"^[A-Za-z0-9_-]+:.*$")
COMMENT_MAX = 100
RECORD_INPUT_FIELDS = ("type", "name", "content", "ttl", "proxied", "comment", "tags", "priority", "data", "settings")
BATCH_LIMIT = 200  # Free plan (NOTES.md); the sandbox zones are Free zones
FREE_PLAN = {
    "id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "Free Website", "price": 0, "currency": "USD",
    "frequency": "", "is_subscribed": False, "can_subscribe": False, "legacy_id": "free",
    "legacy_discount": False, "externally_managed": False,
}

ROUTES = Map([
    Rule("/zones", endpoint="zones", methods=["GET", "POST"]),
    Rule("/zones/<zone_id>", endpoint="zone", methods=["GET", "PATCH", "DELETE"]),
    Rule("/zones/<zone_id>/activation_check", endpoint="activation_check", methods=["PUT"]),
    Rule("/zones/<zone_id>/dns_records", endpoint="records", methods=["GET", "POST"]),
    Rule("/zones/<zone_id>/dns_records/batch", endpoint="batch", methods=["POST"]),
    Rule("/zones/<zone_id>/dns_records/<record_id>", endpoint="record", methods=["GET", "PUT", "PATCH", "DELETE"]),
    Rule("/zones/<zone_id>/settings", endpoint="settings", methods=["GET"]),
    Rule("/zones/<zone_id>/settings/<setting_id>", endpoint="setting", methods=["GET", "PATCH"]),
    Rule("/zones/<zone_id>/pagerules", endpoint="pagerules", methods=["GET"]),
    Rule("/accounts/<account_id>/r2/buckets", endpoint="r2_buckets", methods=["GET", "POST"]),
    Rule("/accounts/<account_id>/r2/buckets/<bucket>", endpoint="r2_bucket", methods=["GET", "PATCH", "DELETE"]),
    Rule("/accounts/<account_id>/r2/buckets/<bucket>/cors", endpoint="r2_cors", methods=["GET", "PUT", "DELETE"]),
], strict_slashes=False)
R2_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
R2_LOCATIONS = ("apac", "eeur", "enam", "weur", "wnam", "oc")
R2_STORAGE_CLASSES = ("Standard", "InfrequentAccess")
R2_JURISDICTIONS = ("default", "eu", "fedramp")
R2_CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
R2_PAGE_SIZE = (1, 1000, 20)
R2_PROBLEMS = {  # R2 store refusal -> (HTTP status, error)
    "missing": (404, "r2_no_bucket"),
    "exists": (409, "r2_bucket_exists"),
    "not_empty": (409, "r2_not_empty"),
    "no_cors": (404, "r2_no_cors"),
}


# -- contract: corrections of the 2024 spec and the batch schemas ---------------

DNS_RECORD_PATHS = ("/zones/{zone_id}/dns_records", "/zones/{zone_id}/dns_records/{dns_record_id}")


def _dns_operations(spec):
    return [(path, method, op) for path, method, op in operations(spec) if path in DNS_RECORD_PATHS]


def accept_api_tokens_on_dns(spec):
    """The DNS operations list only the legacy X-Auth-Email/X-Auth-Key pair; tokens work there too (NOTES.md)."""
    for _path, _method, operation in _dns_operations(spec):
        if {"api_token": []} not in operation.get("security", []):
            operation.setdefault("security", []).insert(0, {"api_token": []})


def dns_error_envelope(spec):
    """The DNS ``4xx`` schemas are ``allOf`` a success envelope (``success: [true]``) and the failure one.

    No document can satisfy both, so they are replaced by the failure envelope alone.
    """
    failure = {"$ref": "#/components/schemas/dns-records_api-response-common-failure"}
    for _path, _method, operation in _dns_operations(spec):
        error = operation["responses"].get("4XX")
        if error:
            error["content"]["application/json"]["schema"] = failure


def dns_request_bodies(spec):
    """Request bodies of the DNS operations reuse the *response* record schema.

    That schema requires the server-set ``id``, ``proxiable``, ``created_on`` and
    ``modified_on``: POST/PUT bodies are checked against the record types
    without those, PATCH bodies against a partial record, and DELETE needs no body.
    """
    schemas = spec["components"]["schemas"]
    ref = "#/components/schemas/"
    schemas["fabrik_dns-record-input"] = {"oneOf": schemas["dns-records_dns-record"]["oneOf"]}
    schemas["fabrik_dns-record-patch"] = {"type": "object", "properties": {
        "type": {"$ref": ref + "dns-records_type"}, "name": {"$ref": ref + "dns-records_name"},
        "content": {"type": "string"}, "ttl": {"$ref": ref + "dns-records_ttl"},
        "proxied": {"$ref": ref + "dns-records_proxied"}, "comment": {"$ref": ref + "dns-records_comment"},
        "tags": {"$ref": ref + "dns-records_tags"}, "priority": {"$ref": ref + "dns-records_priority"},
        "data": {"type": "object"}, "settings": {"type": "object"},
    }}
    replacements = {"post": "fabrik_dns-record-input", "put": "fabrik_dns-record-input", "patch": "fabrik_dns-record-patch"}
    for _path, method, operation in _dns_operations(spec):
        if method in replacements:
            operation["requestBody"]["content"]["application/json"]["schema"] = {"$ref": ref + replacements[method]}
        elif method == "delete" and "requestBody" in operation:
            operation["requestBody"]["required"] = False


def zones_per_page_above_50(spec):
    """The zone list's ``per_page`` has maximum 50; the live API accepts 100 (``ZONE_PAGE_SIZE``)."""
    for parameter in spec["paths"]["/zones"]["get"]["parameters"]:
        if parameter.get("name") == "per_page":
            parameter["schema"]["maximum"] = ZONE_PAGE_SIZE[1]


def openpgpkey_records(spec):
    """OPENPGPKEY records (RFC 7929) are served by the live API and the SDK, the 2024 spec lacks them."""
    schemas = spec["components"]["schemas"]
    ref = "#/components/schemas/"
    schemas["fabrik_OPENPGPKEYRecord"] = {
        "allOf": [{"properties": {"content": {"type": "string"}, "name": {"$ref": ref + "dns-records_name"},
                                  "type": {"enum": ["OPENPGPKEY"], "type": "string"}}},
                  {"$ref": ref + "dns-records_base"}],
        "required": ["type", "name", "content"], "title": "OPENPGPKEY Record"}
    records = schemas["dns-records_dns-record"]["oneOf"]
    if {"$ref": ref + "fabrik_OPENPGPKEYRecord"} not in records:
        records.append({"$ref": ref + "fabrik_OPENPGPKEYRecord"})
    type_schema = schemas.get("dns-records_type", {})
    if "enum" in type_schema and "OPENPGPKEY" not in type_schema["enum"]:
        type_schema["enum"].append("OPENPGPKEY")


def writable_paused_flag(spec):
    """``PATCH /zones/{zone_id}`` documents ``paused`` through a schema marked readOnly; make it writable there."""
    body = spec["paths"]["/zones/{zone_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    body["properties"]["paused"] = {"type": "boolean"}


def r2_bucket_list_result(spec):
    """The 2024 spec types the bucket list's ``result`` as an array of buckets (and, through
    ``r2_v4_response``, as an object at once); the API and the SDK send ``{"buckets": [...]}``."""
    ref = "#/components/schemas/"
    ok = spec["paths"]["/accounts/{account_id}/r2/buckets"]["get"]["responses"]["200"]["content"]["application/json"]
    ok["schema"] = {"allOf": [{"$ref": ref + "r2_v4_response_list"}, {"type": "object", "properties": {
        "result": {"type": "object", "properties": {
            "buckets": {"type": "array", "items": {"$ref": ref + "r2_bucket"}}}}}}]}


def r2_location_oc(spec):
    """The 2025 SDK adds the ``oc`` location (Oceania) to the 2024 enum."""
    locations = spec["components"]["schemas"]["r2_bucket_location"]["enum"]
    if "oc" not in locations:
        locations.append("oc")


SPEC_CORRECTIONS = (openpgpkey_records, accept_api_tokens_on_dns, dns_error_envelope, dns_request_bodies,
                    writable_paused_flag, zones_per_page_above_50, r2_bucket_list_result, r2_location_oc)

_ID = {"type": "string", "maxLength": 32}
_RECORD_FIELDS = {
    "type": {"enum": list(RECORD_TYPES)}, "name": {"type": "string", "maxLength": 255},
    "content": {"type": "string"}, "ttl": {"type": "number"}, "proxied": {"type": "boolean"},
    "comment": {"type": ["string", "null"]}, "tags": {"type": "array", "items": {"type": "string"}},
    "priority": {"type": "number", "minimum": 0, "maximum": 65535},
    "data": {"type": "object"}, "settings": {"type": "object"},
}
BATCH_REQUEST_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "deletes": {"type": "array", "items": {"type": "object", "required": ["id"], "properties": {"id": _ID}}},
        "patches": {"type": "array", "items": {
            "type": "object", "required": ["id"], "properties": {"id": _ID, **_RECORD_FIELDS}}},
        "puts": {"type": "array", "items": {
            "type": "object", "required": ["id", "type", "name"], "properties": {"id": _ID, **_RECORD_FIELDS}}},
        "posts": {"type": "array", "items": {
            "type": "object", "required": ["type", "name"], "properties": _RECORD_FIELDS}},
    },
}
_RECORD = {
    "type": "object",
    "required": ["id", "type", "name", "content", "proxiable", "proxied", "ttl", "created_on", "modified_on"],
    "properties": {"id": _ID, **_RECORD_FIELDS, "proxiable": {"type": "boolean"},
                   "created_on": {"type": "string", "format": "date-time"},
                   "modified_on": {"type": "string", "format": "date-time"}},
}
_MESSAGES = {"type": "array", "items": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "integer", "minimum": 1000}, "message": {"type": "string"}}}}
BATCH_RESPONSE_SCHEMA = {"oneOf": [
    {"type": "object", "required": ["success", "errors", "messages", "result"], "properties": {
        "success": {"const": True}, "errors": {"maxItems": 0, **_MESSAGES}, "messages": _MESSAGES,
        "result": {"type": "object", "additionalProperties": False, "properties": {
            key: {"type": "array", "items": _RECORD} for key in ("deletes", "patches", "puts", "posts")}}}},
    {"type": "object", "required": ["success", "errors", "messages", "result"], "properties": {
        "success": {"const": False}, "errors": {"minItems": 1, **_MESSAGES}, "messages": _MESSAGES,
        "result": {"type": "null"}}},
]}
_R2_FAILURE = BATCH_RESPONSE_SCHEMA["oneOf"][1]
_R2_CORS_RULE = {
    "type": "object", "required": ["allowed"], "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "allowed": {"type": "object", "required": ["methods", "origins"], "additionalProperties": False,
                    "properties": {"methods": {"type": "array", "items": {"enum": list(R2_CORS_METHODS)}},
                                   "origins": {"type": "array", "items": {"type": "string"}},
                                   "headers": {"type": "array", "items": {"type": "string"}}}},
        "exposeHeaders": {"type": "array", "items": {"type": "string"}},
        "maxAgeSeconds": {"type": "number"},
    },
}


def _r2_success(result_schema):
    return {"oneOf": [{"type": "object", "required": ["success", "errors", "messages", "result"], "properties": {
        "success": {"const": True}, "errors": {"maxItems": 0}, "messages": {"type": "array"},
        "result": result_schema}}, _R2_FAILURE]}


R2_CORS_SCHEMA = {"type": "object", "properties": {"rules": {"type": "array", "items": _R2_CORS_RULE}}}
R2_BUCKET_SCHEMA = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string"}, "creation_date": {"type": "string"}, "location": {"enum": list(R2_LOCATIONS)},
    "storage_class": {"enum": list(R2_STORAGE_CLASSES)}, "jurisdiction": {"enum": list(R2_JURISDICTIONS)}}}
_R2_BUCKET_PATH = re.escape(BASE_PATH) + r"/accounts/[^/]+/r2/buckets/[^/]+"
R2_ROUTES = [
    JsonSchemaRoute("PATCH", _R2_BUCKET_PATH, {"type": "null"}, _r2_success(R2_BUCKET_SCHEMA)),
    JsonSchemaRoute("GET", _R2_BUCKET_PATH + "/cors", {"type": "null"}, _r2_success(R2_CORS_SCHEMA)),
    JsonSchemaRoute("PUT", _R2_BUCKET_PATH + "/cors", {**R2_CORS_SCHEMA, "required": ["rules"]},
                    _r2_success({"type": "object"})),
    JsonSchemaRoute("DELETE", _R2_BUCKET_PATH + "/cors", {"type": "null"}, _r2_success({"type": "object"})),
]
BATCH_ROUTE = JsonSchemaRoute("POST", re.escape(BASE_PATH) + r"/zones/[^/]+/dns_records/batch",
                              BATCH_REQUEST_SCHEMA, BATCH_RESPONSE_SCHEMA)


# -- helpers -------------------------------------------------------------------------

class ApiFailure(Exception):
    """An API error: answered as the failure envelope."""

    def __init__(self, status, error, message, headers=None, chain=None):
        super().__init__(message)
        self.status = status
        self.code = ERRORS[error]
        self.message = message
        self.headers = headers
        self.chain = chain  # [(code, message)]: the error's ``error_chain`` (root causes)

    def response(self):
        error = {"code": self.code, "message": self.message}
        if self.chain:
            error["error_chain"] = [{"code": code, "message": message} for code, message in self.chain]
        body = {"success": False, "errors": [error], "messages": [], "result": None}
        return envelope_response(body, self.status, self.headers)


def invalid(error, message, prefix=""):
    return ApiFailure(400, error, prefix + message)


def envelope_response(body, status=200, headers=None):
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def success(result, result_info=None):
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return envelope_response(body)


def timestamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id():
    return uuid.uuid4().hex


def assigned_nameservers(zone_name):
    digest = hashlib.sha256(zone_name.encode()).digest()
    first = digest[0] % len(NAMESERVER_WORDS)
    second = (first + 1 + digest[1] % (len(NAMESERVER_WORDS) - 1)) % len(NAMESERVER_WORDS)
    return [f"{NAMESERVER_WORDS[i]}.ns.cloudflare.com" for i in sorted((first, second))]


def int_arg(args, name, bounds):
    low, high, default = bounds
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid("bad_field", f"{name}: an integer expected, got {raw!r}") from None
    if not low <= value <= high:
        raise invalid("bad_field", f"{name}: {low}..{high} expected, got {value}")
    return value


def choice_arg(args, name, choices, default):
    value = args.get(name, default)
    if value not in choices:
        raise invalid("bad_field", f"{name}: one of {', '.join(choices)} expected, got {value!r}")
    return value


def paginate(items, page, per_page):
    total = len(items)
    chunk = items[(page - 1) * per_page:page * per_page]
    info = {"page": page, "per_page": per_page, "count": len(chunk), "total_count": total,
            "total_pages": max(1, math.ceil(total / per_page))}
    return chunk, info


# Operators of the list filters: DNS records spell them ``startswith``, zones ``starts_with``.
TEXT_OPERATORS = {
    "exact": lambda actual, wanted: actual == wanted,
    "equal": lambda actual, wanted: actual == wanted,
    "not_equal": lambda actual, wanted: actual != wanted,
    "contains": lambda actual, wanted: wanted in actual,
    "startswith": str.startswith,
    "starts_with": str.startswith,
    "endswith": str.endswith,
    "ends_with": str.endswith,
}


def text_matches(op, actual, wanted):
    """Case-insensitive comparison of a list filter."""
    return TEXT_OPERATORS[op]((actual or "").lower(), wanted.lower())


def zone_name_filter(value):
    """``name=`` of the zone list: ``[operator:]value`` (equal by default)."""
    op, sep, rest = value.partition(":")
    if sep and op in ("equal", "not_equal", "contains", "starts_with", "ends_with"):
        return op, rest
    return "equal", value


def record_tags(record):
    tags = {}
    for tag in record.get("tags", []):
        tag_name, _colon, tag_value = tag.partition(":")
        tags[tag_name.lower()] = tag_value
    return tags


# -- DNS record validation -----------------------------------------------------------------

def normalise_record_name(raw, zone_name, prefix):
    if not isinstance(raw, str) or not raw.strip():
        raise invalid("dns_validation", "DNS record name is required.", prefix)
    name = raw.strip().lower().rstrip(".")
    if name in ("@", ""):
        return zone_name
    if name != zone_name and not name.endswith("." + zone_name):
        name = f"{name}.{zone_name}"
    if len(name) > 255 or not all(DNS_LABEL.match(label) for label in name.split(".")):
        raise invalid("dns_validation", f"DNS name is invalid: {raw!r}.", prefix)
    return name


def record_content(rtype, name, body, prefix):
    if rtype == "CAA":
        return caa_content(body.get("data"), prefix)
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise invalid("dns_validation", f"Content for {rtype} record is required.", prefix)
    content = content.strip()
    if rtype == "A":
        try:
            return str(ipaddress.IPv4Address(content))
        except ValueError:
            raise invalid("bad_address", "Content for A record must be a valid IPv4 address.", prefix) from None
    if rtype == "AAAA":
        try:
            return str(ipaddress.IPv6Address(content))
        except ValueError:
            raise invalid("bad_address", "Content for AAAA record must be a valid IPv6 address.", prefix) from None
    if rtype in HOSTNAME_TYPES:
        host = content.lower().rstrip(".")
        if not all(DNS_LABEL.match(label) for label in host.split(".")):
            raise invalid("dns_validation", f"Content for {rtype} record must be a valid hostname.", prefix)
        if rtype == "CNAME" and host == name:
            raise invalid("dns_validation", "CNAME content cannot reference itself.", prefix)
        return host
    if rtype == "TXT" and len(content) > 2048:
        raise invalid("dns_validation", "TXT content must be at most 2048 characters.", prefix)
    return content


def caa_content(data, prefix):
    if not (isinstance(data, dict) and isinstance(data.get("flags"), int) and not isinstance(data["flags"], bool)
            and 0 <= data["flags"] <= 255 and isinstance(data.get("tag"), str) and isinstance(data.get("value"), str)):
        raise invalid("dns_validation", "CAA records need data with flags (0..255), tag and value.", prefix)
    return f'{data["flags"]} {data["tag"]} "{data["value"]}"'


def record_ttl(body, prefix):
    ttl = body.get("ttl", 1)
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        raise invalid("ttl_type", "TTL must be a number, not a string.", prefix)
    if ttl != int(ttl) or (ttl != 1 and not 60 <= ttl <= 86400):
        raise invalid("bad_ttl", "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for automatic.", prefix)
    return int(ttl)


def record_comment(body, prefix):
    comment = body.get("comment")
    if comment in (None, ""):
        return None
    if not isinstance(comment, str) or "\n" in comment or "\r" in comment:
        raise invalid("dns_validation", "The comment must be text without line breaks.", prefix)
    if len(comment) > COMMENT_MAX:
        raise invalid("dns_validation", f"The comment must be at most {COMMENT_MAX} characters.", prefix)
    return comment


def record_tag_list(body, prefix):
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) and TAG.match(tag) for tag in tags):
        raise invalid("dns_validation", "Tags must be strings of the form name:value "
                      "(the name made of letters, digits, '-' and '_').", prefix)
    return sorted(set(tags))


def record_priority(rtype, body, prefix):
    if rtype not in PRIORITY_TYPES:
        return None
    priority = body.get("priority")
    if priority is None and rtype == "MX":
        raise invalid("dns_validation", "MX records need a priority.", prefix)
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)
                                 or not 0 <= priority <= 65535):
        raise invalid("dns_validation", "priority must be an integer 0..65535.", prefix)
    return priority


def build_record(zone_name, body, prefix=""):
    """Validate a record body as Cloudflare does; return the record's stored fields (no id/timestamps)."""
    if not isinstance(body, dict):
        raise invalid("dns_validation", "A DNS record is a JSON object.", prefix)
    rtype = body.get("type")
    if rtype not in RECORD_TYPES:
        raise invalid("dns_validation", f"Invalid DNS record type {rtype!r}.", prefix)
    name = normalise_record_name(body.get("name"), zone_name, prefix)
    proxied = body.get("proxied", False)
    if not isinstance(proxied, bool):
        raise invalid("dns_validation", "proxied must be true or false.", prefix)
    if proxied and rtype not in PROXIABLE_TYPES:
        raise invalid("dns_validation", f"{rtype} records cannot be proxied.", prefix)
    settings = body.get("settings") or {}
    if not isinstance(settings, dict):
        raise invalid("dns_validation", "settings must be an object.", prefix)
    record = {
        "name": name, "type": rtype, "content": record_content(rtype, name, body, prefix),
        "proxiable": rtype in PROXIABLE_TYPES, "proxied": proxied, "ttl": record_ttl(body, prefix),
        "settings": settings, "meta": {"auto_added": False, "source": "primary"},
        "tags": record_tag_list(body, prefix),
    }
    comment = record_comment(body, prefix)
    if comment is not None:
        record["comment"] = comment
    priority = record_priority(rtype, body, prefix)
    if priority is not None:
        record["priority"] = priority
    if rtype == "CAA":
        record["data"] = dict(body["data"])
    return record


def check_conflicts(records, candidate, exclude_id, prefix):
    """Cloudflare's uniqueness rules for a new or changed record against the zone's others."""
    same_name = [r for r in records.values() if r["name"] == candidate["name"] and r["id"] != exclude_id]
    for other in same_name:
        if other["type"] == candidate["type"] and other["content"].lower() == candidate["content"].lower():
            raise ApiFailure(400, "identical", prefix + "An identical record already exists.")
    if candidate["type"] == "CNAME" and same_name:
        raise ApiFailure(400, "cname_conflict", prefix + "An A, AAAA, or CNAME record with that host already exists.")
    if any(other["type"] == "CNAME" for other in same_name):
        raise ApiFailure(400, "cname_exists", prefix + "A CNAME record with that host already exists.")


class CloudflareEmulator(Emulator):
    """Stateful Cloudflare API: zones, DNS records (with batch), zone settings."""

    name = "cloudflare"
    base_path = BASE_PATH

    HANDLERS = {
        ("zones", "GET"): "_list_zones",
        ("zones", "POST"): "_create_zone",
        ("zone", "GET"): "_get_zone",
        ("zone", "PATCH"): "_edit_zone",
        ("zone", "DELETE"): "_delete_zone",
        ("activation_check", "PUT"): "_activation_check",
        ("records", "GET"): "_list_records",
        ("records", "POST"): "_create_record",
        ("batch", "POST"): "_batch",
        ("record", "GET"): "_get_record",
        ("record", "PUT"): "_put_record",
        ("record", "PATCH"): "_patch_record",
        ("record", "DELETE"): "_delete_record",
        ("settings", "GET"): "_list_settings",
        ("setting", "GET"): "_get_setting",
        ("setting", "PATCH"): "_edit_setting",
        ("pagerules", "GET"): "_list_pagerules",
        ("r2_buckets", "GET"): "_list_r2_buckets",
        ("r2_buckets", "POST"): "_create_r2_bucket",
        ("r2_bucket", "GET"): "_get_r2_bucket",
        ("r2_bucket", "PATCH"): "_edit_r2_bucket",
        ("r2_bucket", "DELETE"): "_delete_r2_bucket",
        ("r2_cors", "GET"): "_get_r2_cors",
        ("r2_cors", "PUT"): "_put_r2_cors",
        ("r2_cors", "DELETE"): "_delete_r2_cors",
    }

    def __init__(self, shared=None, validate=True, **options):
        super().__init__(shared)
        self.clock = time.monotonic
        self.defaults = dict(DEFAULT_OPTIONS)
        self.config = {}
        self._check_options(options)
        self.defaults.update(options)
        self.zone_settings = zone_settings(contract_path("cloudflare", SPEC_FILE))
        if validate:
            self.contract = ContractValidator(contract_path("cloudflare", SPEC_FILE), self.record_violation,
                                              corrections=SPEC_CORRECTIONS,
                                              extra_routes=[BATCH_ROUTE, *R2_ROUTES])
        self.reset()

    # -- framework interface ---------------------------------------------------

    def reset(self):
        with self.lock:
            self.config = dict(self.defaults)
            self.requests_spent = 0
            self.recent_requests = collections.deque()  # monotonic times, for rate_limit_per_5_minutes
            self.zones = {}
            self.records = {}
            self.settings = {}
            self.ns_matched_at = {}

    def configure(self, **options):
        """Runtime options: ``activation_delay`` (s), ``request_budget`` (int or null), ``retry_after`` (s)."""
        self._check_options(options)
        with self.lock:
            self.config.update(options)
            if "request_budget" in options:
                self.requests_spent = 0
            if "rate_limit_per_5_minutes" in options:
                self.recent_requests.clear()

    def snapshot(self):
        with self.lock:
            zones = []
            for zone in self.zones.values():
                self._refresh_activation(zone)
                zones.append({**zone, "records": list(self.records[zone["id"]].values()),
                              "settings": {key: s["value"] for key, s in self.settings[zone["id"]].items()}})
            return {"zones": zones, "config": dict(self.config), "requests_spent": self.requests_spent}

    def dispatch(self, request):
        with self.lock:
            try:
                self._spend_budget()
                self._authenticate(request)
                self._rate_limit()
                handler, args = self._route(request)
                return getattr(self, handler)(request, **args)
            except ApiFailure as failure:
                return failure.response()

    # -- plumbing --------------------------------------------------------------

    @staticmethod
    def _check_options(options):
        unknown = sorted(set(options) - set(DEFAULT_OPTIONS))
        if unknown:
            raise ValueError(f"unknown Cloudflare emulator option(s): {', '.join(unknown)}")
        delay = options.get("activation_delay", 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise ValueError(f"activation_delay: seconds >= 0 expected, got {delay!r}")
        limit = options.get("rate_limit_per_5_minutes")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"rate_limit_per_5_minutes: an integer >= 1 or null expected, got {limit!r}")
        budget = options.get("request_budget")
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 0):
            raise ValueError(f"request_budget: an integer >= 0 or null expected, got {budget!r}")
        retry_after = options.get("retry_after", 0)
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
            raise ValueError(f"retry_after: whole seconds >= 0 expected, got {retry_after!r}")

    def _spend_budget(self):
        budget = self.config["request_budget"]
        if budget is None:
            return
        if self.requests_spent >= budget:
            raise ApiFailure(429, "rate_limited", "You are being rate limited",
                             headers={"retry-after": str(self.config["retry_after"])})
        self.requests_spent += 1

    def _rate_limit(self):
        """``rate_limit_per_5_minutes`` (the API's 1,200): a sliding five-minute window of the account's
        authenticated requests (the limit is per user, and the sandbox account is one user whatever the
        credential); beyond it 429 with ``retry-after`` until the oldest request leaves the window."""
        limit = self.config["rate_limit_per_5_minutes"]
        if limit is None:
            return
        now = self.clock()
        while self.recent_requests and now - self.recent_requests[0] >= RATE_WINDOW:
            self.recent_requests.popleft()
        if len(self.recent_requests) >= limit:
            wait = math.ceil(RATE_WINDOW - (now - self.recent_requests[0]))
            raise ApiFailure(429, "rate_limited", "Rate limited. Please wait and consider throttling your request "
                             "speed", headers={"retry-after": str(max(1, wait))})
        self.recent_requests.append(now)

    @staticmethod
    def _authenticate(request):
        """An API token (``Authorization: Bearer``) or the legacy Global API Key (``X-Auth-Email`` + ``X-Auth-Key``).

        A header of the wrong format is answered 400 ``6003 Invalid request headers`` with the
        header's own code in ``error_chain``, as the live API does.
        """
        headers = request.headers
        if "X-Auth-Key" in headers or "X-Auth-Email" in headers:
            key = headers.get("X-Auth-Key", "").strip()
            email = headers.get("X-Auth-Email", "").strip()
            if not GLOBAL_KEY_FORMAT.match(key):
                raise ApiFailure(400, "bad_headers", "Invalid request headers",
                                 chain=[(6103, "Invalid format for X-Auth-Key header")])
            if "@" not in email:
                raise ApiFailure(400, "bad_headers", "Invalid request headers",
                                 chain=[(6102, "Invalid format for X-Auth-Email header")])
            if (email.lower(), key) != (SANDBOX_AUTH_EMAIL, SANDBOX_GLOBAL_KEY):
                raise ApiFailure(403, "unknown_key", "Unknown X-Auth-Key or X-Auth-Email")
            return
        authorization = headers.get("Authorization")
        if authorization is None:
            raise ApiFailure(403, "authentication", "Authentication error")
        scheme, _space, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not TOKEN_FORMAT.match(token.strip()):
            raise ApiFailure(400, "bad_headers", "Invalid request headers",
                             chain=[(6111, "Invalid format for Authorization header")])
        if token.strip() != SANDBOX_TOKEN:
            raise ApiFailure(403, "bad_token", "Invalid access token")

    def _route(self, request):
        path = request.path
        if path != BASE_PATH and not path.startswith(BASE_PATH + "/"):
            raise ApiFailure(404, "no_route", f"Could not route to {path}, perhaps your object identifier is invalid?")
        method = "GET" if request.method == "HEAD" else request.method
        try:
            endpoint, args = ROUTES.bind("sandbox").match(path[len(BASE_PATH):] or "/", method=method)
        except NotFound:
            raise ApiFailure(404, "no_route", f"Could not route to {path}, perhaps your object identifier is invalid?") from None
        except MethodNotAllowed:
            raise ApiFailure(405, "method", f"Method {request.method} not available for that URI.") from None
        return self.HANDLERS[(endpoint, method)], args

    @staticmethod
    def _json(request):
        raw = request.get_data()
        if not raw.strip():
            raise invalid("bad_json", "A JSON request body is required.")
        try:
            body = json.loads(raw)
        except ValueError:
            raise invalid("bad_json", "Malformed JSON in request body.") from None
        if not isinstance(body, dict):
            raise invalid("bad_json", "The request body must be a JSON object.")
        return body

    def _zone(self, zone_id):
        zone = self.zones.get(zone_id)
        if zone is None:
            raise ApiFailure(404, "no_route", f"Could not route to {BASE_PATH}/zones/{zone_id}, "
                             "perhaps your object identifier is invalid?")
        self._refresh_activation(zone)
        return zone

    # -- zones ---------------------------------------------------------------

    def _registrar_nameservers(self, zone_name):
        registrar = self.shared.get("namecheap")
        if registrar is None or not hasattr(registrar, "nameservers_for"):
            return None
        found = registrar.nameservers_for(zone_name)
        return sorted(ns.lower().rstrip(".") for ns in found) if found else None

    def _refresh_activation(self, zone, immediate=False):
        if zone["status"] != "pending":
            return
        if self._registrar_nameservers(zone["name"]) != sorted(zone["name_servers"]):
            self.ns_matched_at.pop(zone["id"], None)
            return
        now = self.clock()
        matched_at = self.ns_matched_at.setdefault(zone["id"], now)
        if immediate or now - matched_at >= self.config["activation_delay"]:
            stamp = timestamp()
            zone.update(status="active", activated_on=stamp, modified_on=stamp)
            self.ns_matched_at.pop(zone["id"], None)

    def _list_zones(self, request):
        args = request.args
        page = int_arg(args, "page", (1, 1_000_000, 1))
        per_page = int_arg(args, "per_page", ZONE_PAGE_SIZE)
        match = choice_arg(args, "match", ("all", "any"), "all")
        order = choice_arg(args, "order", ("name", "status", "account.id", "account.name"), "name")
        direction = choice_arg(args, "direction", ("asc", "desc"), "asc")
        fields = {"name": lambda z: z["name"], "status": lambda z: z["status"],
                  "account.id": lambda z: z["account"]["id"], "account.name": lambda z: z["account"]["name"]}
        tests = []
        for key in ("name", "account.name"):
            if key in args:
                op, wanted = zone_name_filter(args[key])
                tests.append(lambda z, get=fields[key], op=op, wanted=wanted: text_matches(op, get(z), wanted))
        for key in ("status", "account.id"):
            if key in args:
                tests.append(lambda z, get=fields[key], wanted=args[key]: get(z) == wanted)
        combine = all if match == "all" else any
        for zone in self.zones.values():
            self._refresh_activation(zone)
        found = [z for z in self.zones.values() if not tests or combine(test(z) for test in tests)]
        found.sort(key=fields[order], reverse=direction == "desc")
        chunk, info = paginate(found, page, per_page)
        return success([dict(z) for z in chunk], info)

    def _create_zone(self, request):
        body = self._json(request)
        name = body.get("name")
        if not isinstance(name, str) or len(name) > 253 or not ZONE_NAME.match(name.lower().rstrip(".")):
            raise invalid("bad_zone_name", f"Invalid zone name {name!r}: letters, digits and hyphens in dot-separated labels expected.")
        name = name.lower().rstrip(".")
        account = body.get("account")
        if not isinstance(account, dict) or account.get("id") != SANDBOX_ACCOUNT_ID:
            raise invalid("bad_account", "Invalid account identifier")
        zone_type = body.get("type", "full")
        if zone_type not in ZONE_TYPES:
            raise invalid("bad_field", f"type: one of {', '.join(ZONE_TYPES)} expected, got {zone_type!r}")
        if any(z["name"] == name for z in self.zones.values()):
            raise invalid("zone_exists", f"{name} already exists")
        zone = self._new_zone(name, zone_type)
        self.zones[zone["id"]] = zone
        self.records[zone["id"]] = {}
        self.settings[zone["id"]] = {
            key: {"id": key, "value": copy.deepcopy(setting.default), "editable": True, "modified_on": None}
            for key, setting in self.zone_settings.items()}
        return success(dict(zone))

    def _new_zone(self, name, zone_type):
        stamp = timestamp()
        original = self._registrar_nameservers(name)
        return {
            "id": new_id(), "name": name, "status": "pending", "paused": False, "type": zone_type,
            "development_mode": 0, "name_servers": assigned_nameservers(name),
            "original_name_servers": original, "original_registrar": "namecheap" if original else None,
            "original_dnshost": None, "vanity_name_servers": [], "activated_on": None,
            "created_on": stamp, "modified_on": stamp,
            "account": {"id": SANDBOX_ACCOUNT_ID, "name": SANDBOX_ACCOUNT_NAME},
            "owner": {"id": SANDBOX_ACCOUNT_ID, "type": "organization", "name": SANDBOX_ACCOUNT_NAME},
            "plan": dict(FREE_PLAN),
            "meta": {"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3, "phishing_detected": False},
        }

    def _get_zone(self, _request, zone_id):
        return success(dict(self._zone(zone_id)))

    def _edit_zone(self, request, zone_id):
        zone = self._zone(zone_id)
        body = self._json(request)
        unknown = sorted(set(body) - {"paused", "type", "vanity_name_servers"})
        if unknown:
            raise invalid("bad_field", f"cannot edit {', '.join(unknown)} (paused, type, vanity_name_servers are editable)")
        if "paused" in body and not isinstance(body["paused"], bool):
            raise invalid("bad_field", "paused must be true or false")
        if "type" in body and body["type"] not in ZONE_TYPES:
            raise invalid("bad_field", f"type: one of {', '.join(ZONE_TYPES)} expected")
        vanity = body.get("vanity_name_servers", [])
        if not isinstance(vanity, list) or not all(isinstance(ns, str) for ns in vanity):
            raise invalid("bad_field", "vanity_name_servers must be a list of hostnames")
        zone.update(body)
        zone["modified_on"] = timestamp()
        return success(dict(zone))

    def _delete_zone(self, _request, zone_id):
        self._zone(zone_id)
        for table in (self.zones, self.records, self.settings):
            del table[zone_id]
        self.ns_matched_at.pop(zone_id, None)
        return success({"id": zone_id})

    def _activation_check(self, _request, zone_id):
        self._refresh_activation(self._zone(zone_id), immediate=True)
        return success({"id": zone_id})

    # -- DNS records -------------------------------------------------------------

    def _list_records(self, request, zone_id):
        self._zone(zone_id)
        args = request.args
        page = int_arg(args, "page", (1, 1_000_000, 1))
        per_page = int_arg(args, "per_page", RECORD_PAGE_SIZE)
        order = choice_arg(args, "order", ("type", "name", "content", "ttl", "proxied"), "type")
        direction = choice_arg(args, "direction", ("asc", "desc"), "asc")
        tests = self._record_filters(args)
        tag_tests = self._tag_filters(args)
        if tag_tests:
            tag_combine = all if choice_arg(args, "tag_match", ("all", "any"), "all") == "all" else any
            tests.append(lambda r: tag_combine(test(r) for test in tag_tests))
        combine = all if choice_arg(args, "match", ("all", "any"), "all") == "all" else any
        found = [r for r in self.records[zone_id].values() if not tests or combine(test(r) for test in tests)]
        found.sort(key=lambda r: (r[order], r["name"], r["type"]), reverse=direction == "desc")
        chunk, info = paginate(found, page, per_page)
        return success([copy.deepcopy(r) for r in chunk], info)

    @staticmethod
    def _record_filters(args):
        tests = []
        if "type" in args:
            tests.append(lambda r, wanted=args["type"].upper(): r["type"] == wanted)
        if "proxied" in args:
            wanted = choice_arg(args, "proxied", ("true", "false"), "false") == "true"
            tests.append(lambda r, wanted=wanted: r["proxied"] == wanted)
        for field_name in ("name", "content", "comment"):
            for op in ("exact", "contains", "startswith", "endswith"):
                key = f"{field_name}.{op}"
                if key in args:
                    wanted = args[key].rstrip(".") if field_name == "name" else args[key]
                    tests.append(lambda r, f=field_name, op=op, w=wanted: text_matches(op, r.get(f), w))
            if field_name in args and f"{field_name}.exact" not in args:
                wanted = args[field_name].rstrip(".") if field_name == "name" else args[field_name]
                tests.append(lambda r, f=field_name, w=wanted: text_matches("exact", r.get(f), w))
        if "comment.present" in args:
            tests.append(lambda r: "comment" in r)
        if "comment.absent" in args:
            tests.append(lambda r: "comment" not in r)
        if "search" in args:
            needle = args["search"].lower()
            tests.append(lambda r: any(needle in str(r.get(f, "")).lower() for f in ("name", "content", "comment")))
        return tests

    @staticmethod
    def _tag_filters(args):
        tests = []
        for key, op in (("tag", "exact"), ("tag.exact", "exact"), ("tag.contains", "contains"),
                        ("tag.startswith", "startswith"), ("tag.endswith", "endswith")):
            for wanted in args.getlist(key):
                tag_name, has_value, tag_value = wanted.partition(":")
                tests.append(lambda r, n=tag_name.lower(), v=tag_value, op=op, has=bool(has_value): (
                    n in record_tags(r) and (not has or text_matches(op, record_tags(r)[n], v))))
        for tag_name in args.getlist("tag.present"):
            tests.append(lambda r, n=tag_name.lower(): n in record_tags(r))
        for tag_name in args.getlist("tag.absent"):
            tests.append(lambda r, n=tag_name.lower(): n not in record_tags(r))
        return tests

    @staticmethod
    def _record(records, record_id, prefix=""):
        record = records.get(record_id)
        if record is None:
            raise ApiFailure(404, "record_not_found", prefix + "Record does not exist.")
        return record

    def _insert_record(self, zone, records, body, prefix=""):
        fields = build_record(zone["name"], body, prefix)
        check_conflicts(records, fields, None, prefix)
        stamp = timestamp()
        record = {"id": new_id(), **fields, "created_on": stamp, "modified_on": stamp}
        self._stamp_annotations(record, {}, stamp)
        records[record["id"]] = record
        return record

    def _replace_record(self, zone, records, record_id, body, partial, prefix=""):
        existing = self._record(records, record_id, prefix)
        if partial:
            body = {**{k: existing[k] for k in RECORD_INPUT_FIELDS if k in existing}, **body}
        fields = build_record(zone["name"], body, prefix)
        check_conflicts(records, fields, record_id, prefix)
        stamp = timestamp()
        record = {"id": record_id, **fields, "created_on": existing["created_on"], "modified_on": stamp}
        self._stamp_annotations(record, existing, stamp)
        records[record_id] = record
        return record

    @staticmethod
    def _stamp_annotations(record, previous, stamp):
        for field_name in ("comment", "tags"):
            key = f"{field_name}_modified_on"
            if record.get(field_name) != previous.get(field_name, [] if field_name == "tags" else None):
                record[key] = stamp
            elif key in previous:
                record[key] = previous[key]

    def _create_record(self, request, zone_id):
        zone = self._zone(zone_id)
        return success(copy.deepcopy(self._insert_record(zone, self.records[zone_id], self._json(request))))

    def _get_record(self, _request, zone_id, record_id):
        self._zone(zone_id)
        return success(copy.deepcopy(self._record(self.records[zone_id], record_id)))

    def _put_record(self, request, zone_id, record_id):
        zone = self._zone(zone_id)
        record = self._replace_record(zone, self.records[zone_id], record_id, self._json(request), partial=False)
        return success(copy.deepcopy(record))

    def _patch_record(self, request, zone_id, record_id):
        zone = self._zone(zone_id)
        record = self._replace_record(zone, self.records[zone_id], record_id, self._json(request), partial=True)
        return success(copy.deepcopy(record))

    def _delete_record(self, _request, zone_id, record_id):
        self._zone(zone_id)
        self._record(self.records[zone_id], record_id)
        del self.records[zone_id][record_id]
        return success({"id": record_id})

    def _batch(self, request, zone_id):
        """deletes -> patches -> puts -> posts on a copy; committed only when every item succeeded."""
        zone = self._zone(zone_id)
        body = self._json(request)
        by_kind = {key: body.get(key) or [] for key in ("deletes", "patches", "puts", "posts")}
        unknown = sorted(set(body) - set(by_kind))
        if unknown:
            raise invalid("dns_validation", f"Unknown batch field(s): {', '.join(unknown)}.")
        for key, items in by_kind.items():
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise invalid("dns_validation", f"{key} must be a list of objects.")
            if key != "posts" and not all(isinstance(item.get("id"), str) for item in items):
                raise invalid("dns_validation", f"Every item of {key} needs an id.")
        total = sum(len(items) for items in by_kind.values())
        if total > BATCH_LIMIT:
            raise invalid("dns_validation", f"A batch may change at most {BATCH_LIMIT} records, got {total}.")
        work = copy.deepcopy(self.records[zone_id])
        result = {key: [] for key in by_kind}
        for index, item in enumerate(by_kind["deletes"]):
            result["deletes"].append(work.pop(self._record(work, item["id"], f"deletes[{index}]: ")["id"]))
        for key, partial in (("patches", True), ("puts", False)):
            for index, item in enumerate(by_kind[key]):
                changes = {k: v for k, v in item.items() if k != "id"}
                result[key].append(self._replace_record(zone, work, item["id"], changes, partial, f"{key}[{index}]: "))
        for index, item in enumerate(by_kind["posts"]):
            result["posts"].append(self._insert_record(zone, work, item, f"posts[{index}]: "))
        self.records[zone_id] = work
        return success(copy.deepcopy(result))

    # -- zone settings -------------------------------------------------------------

    def _setting(self, zone_id, setting_id):
        setting = self.settings[zone_id].get(setting_id)
        if setting is None:
            raise ApiFailure(404, "no_route", f"Unknown zone setting {setting_id!r} "
                             f"(the sandbox emulates the {len(self.zone_settings)} settings the spec types).")
        return setting

    def _list_settings(self, _request, zone_id):
        self._zone(zone_id)
        return success([copy.deepcopy(s) for s in self.settings[zone_id].values()])

    def _get_setting(self, _request, zone_id, setting_id):
        self._zone(zone_id)
        return success(copy.deepcopy(self._setting(zone_id, setting_id)))

    def _edit_setting(self, request, zone_id, setting_id):
        self._zone(zone_id)
        setting = self._setting(zone_id, setting_id)
        value = self._json(request).get("value")
        rule = self.zone_settings[setting_id]
        if not rule.accepts(value):
            raise invalid("bad_field", f"Invalid value for zone setting {setting_id}: "
                          f"{rule.describe()} expected, got {value!r}")
        setting.update(value=copy.deepcopy(value), modified_on=timestamp())
        return success(copy.deepcopy(setting))

    def _list_pagerules(self, _request, zone_id):
        """Page rules are not emulated: every zone has none (octodns-cloudflare reads them)."""
        self._zone(zone_id)
        return success([])

    # -- R2 buckets (stored by the R2 emulator) ----------------------------------------

    def _r2(self, account_id, request):
        """(the R2 store, the request's jurisdiction); 10042 when the sandbox serves no R2."""
        if account_id != SANDBOX_ACCOUNT_ID:
            raise ApiFailure(403, "authentication", "Authentication error")
        store = self.shared.get("r2")
        if store is None:
            raise ApiFailure(403, "r2_not_enabled", "Please enable R2 through the Cloudflare Dashboard.")
        jurisdiction = request.headers.get("cf-r2-jurisdiction", "default")
        if jurisdiction not in R2_JURISDICTIONS:
            raise invalid("bad_field", f"cf-r2-jurisdiction: one of {', '.join(R2_JURISDICTIONS)} expected, "
                          f"got {jurisdiction!r}")
        return store, jurisdiction

    @staticmethod
    def _r2_call(operation, *args, **kwargs):
        from .r2 import BucketProblem

        try:
            return operation(*args, **kwargs)
        except BucketProblem as problem:
            status, error = R2_PROBLEMS[problem.kind]
            raise ApiFailure(status, error, problem.message) from None

    def _list_r2_buckets(self, request, account_id):
        store, jurisdiction = self._r2(account_id, request)
        args = request.args
        per_page = int_arg(args, "per_page", R2_PAGE_SIZE)
        direction = choice_arg(args, "direction", ("asc", "desc"), "asc")
        choice_arg(args, "order", ("name",), "name")
        buckets = [b for b in store.rest_list(jurisdiction) if args.get("name_contains", "") in b["name"]]
        after = args.get("cursor") or args.get("start_after")
        if direction == "desc":
            buckets.reverse()
        if after:
            buckets = [b for b in buckets if (b["name"] < after if direction == "desc" else b["name"] > after)]
        page = buckets[:per_page]
        info = {"per_page": per_page}
        if len(buckets) > per_page:
            info["cursor"] = page[-1]["name"]
        return success({"buckets": page}, info)

    def _create_r2_bucket(self, request, account_id):
        store, jurisdiction = self._r2(account_id, request)
        body = self._json(request)
        name = body.get("name")
        if not isinstance(name, str) or not R2_BUCKET_NAME.match(name):
            raise invalid("r2_bucket_name", "The specified bucket name is not valid.")
        location = body.get("locationHint")
        if location is not None and location not in R2_LOCATIONS:
            raise invalid("bad_field", f"locationHint: one of {', '.join(R2_LOCATIONS)} expected, got {location!r}")
        storage_class = body.get("storageClass")
        if storage_class is not None and storage_class not in R2_STORAGE_CLASSES:
            raise invalid("bad_field", f"storageClass: one of {', '.join(R2_STORAGE_CLASSES)} expected, "
                          f"got {storage_class!r}")
        return success(self._r2_call(store.rest_create, name, location, storage_class, jurisdiction))

    def _get_r2_bucket(self, request, account_id, bucket):
        store, jurisdiction = self._r2(account_id, request)
        return success(self._r2_call(store.rest_get, bucket, jurisdiction))

    def _edit_r2_bucket(self, request, account_id, bucket):
        store, jurisdiction = self._r2(account_id, request)
        storage_class = request.headers.get("cf-r2-storage-class")
        if storage_class not in R2_STORAGE_CLASSES:
            raise invalid("bad_field", f"cf-r2-storage-class: one of {', '.join(R2_STORAGE_CLASSES)} expected, "
                          f"got {storage_class!r}")
        return success(self._r2_call(store.rest_set_storage_class, bucket, storage_class, jurisdiction))

    def _delete_r2_bucket(self, request, account_id, bucket):
        store, jurisdiction = self._r2(account_id, request)
        self._r2_call(store.rest_delete, bucket, jurisdiction)
        return success({})

    def _get_r2_cors(self, request, account_id, bucket):
        store, jurisdiction = self._r2(account_id, request)
        return success({"rules": self._r2_call(store.rest_cors, bucket, jurisdiction)})

    def _put_r2_cors(self, request, account_id, bucket):
        store, jurisdiction = self._r2(account_id, request)
        rules = self._json(request).get("rules")
        if not isinstance(rules, list):
            raise invalid("bad_field", "rules: a list of CORS rules expected")
        for index, rule in enumerate(rules):
            check_cors_rule(rule, f"rules[{index}]")
        self._r2_call(store.rest_put_cors, bucket, rules, jurisdiction)
        return success({})

    def _delete_r2_cors(self, request, account_id, bucket):
        store, jurisdiction = self._r2(account_id, request)
        self._r2_call(store.rest_delete_cors, bucket, jurisdiction)
        return success({})


def check_cors_rule(rule, where):
    """An R2 CORS rule in the REST API's camelCase shape (the SDK's ``CORSUpdateParams.Rule``)."""
    allowed = rule.get("allowed") if isinstance(rule, dict) else None
    if not isinstance(allowed, dict):
        raise invalid("bad_field", f"{where}.allowed: an object with origins and methods expected")
    methods, origins = allowed.get("methods"), allowed.get("origins")
    if not isinstance(methods, list) or not methods or any(m not in R2_CORS_METHODS for m in methods):
        raise invalid("bad_field", f"{where}.allowed.methods: a list of {', '.join(R2_CORS_METHODS)} expected")
    if not isinstance(origins, list) or not origins or not all(isinstance(o, str) for o in origins):
        raise invalid("bad_field", f"{where}.allowed.origins: a list of origins expected")
    for key, value in (("allowed.headers", allowed.get("headers")), ("exposeHeaders", rule.get("exposeHeaders"))):
        if value is not None and not (isinstance(value, list) and all(isinstance(h, str) for h in value)):
            raise invalid("bad_field", f"{where}.{key}: a list of header names expected")
    max_age = rule.get("maxAgeSeconds")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, (int, float)) or max_age < 0):
        raise invalid("bad_field", f"{where}.maxAgeSeconds: a number of seconds >= 0 expected")
