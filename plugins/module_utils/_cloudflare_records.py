# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloudflare DNS records: validation of the desired records and the plan against the zone's records.

``validate_records`` checks and normalises the module's ``records`` before any request (names relative to
the zone, content by type, TTL, proxying, tags, exclusive sets); ``plan_records`` compares them with the
zone's records and returns the deletes, patches and posts of one batch (see ``CloudflareClient.apply_batch``).
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field

from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import lower_name
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, hostname_problem, validate_domain_name

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

TAG_PATTERN = re.compile(r"^([A-Za-z0-9_-]+):(.+)$")
# TXT records a name may hold only one of (two SPF policies, or two DMARC policies, make the check fail): a
# desired one replaces the one of its kind at its name instead of being added next to it.
UNIQUE_TXT = (
    ("SPF", re.compile(r'^"?v=spf1(\s|"|$)', re.IGNORECASE)),
    ("DMARC", re.compile(r'^"?v=dmarc1\s*(;|"|$)', re.IGNORECASE)),
)


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
    problem = hostname_problem(fqdn, wildcard=True)
    if problem:
        raise SpecError(field_path, "%s: %s" % (fqdn, problem))


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


def unique_kind(rtype, content):
    """``SPF`` or ``DMARC`` for a TXT record a name may hold only one of (its policy), else None."""
    if rtype != "TXT" or not isinstance(content, str):
        return None
    for kind, pattern in UNIQUE_TXT:
        if pattern.match(content.strip()):
            return kind
    return None


def record_key(rtype, fqdn, content_id, exclusive=False, unique=None):
    """Identity of a record: (type, name) for a CNAME or an exclusive record, (type, name, kind) for an SPF
    or DMARC policy, else (type, name, content)."""
    if exclusive or rtype == "CNAME":
        return (rtype, fqdn)
    if unique:
        return (rtype, fqdn, "policy:" + unique)
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
    unique = unique_kind(rtype, content) if state == "present" and not exclusive else None
    return {
        "position": position, "state": state, "type": rtype, "name": name, "content": content,
        "data": data, "ttl": ttl, "proxied": proxied, "priority": priority, "comment": comment,
        "tags": tags, "exclusive": exclusive, "unique": unique, "content_key": content_id,
        "key": record_key(rtype, name, content_id, exclusive, unique),
    }


# One entry of cloudflare_dns_records' records.
RECORD_OPTIONS = dict(
    type=dict(type="str", required=True),
    name=dict(type="str", required=True),
    content=dict(type="str"),
    data=dict(type="dict"),
    ttl=dict(type="int"),
    proxied=dict(type="bool"),
    priority=dict(type="int"),
    comment=dict(type="str"),
    tags=dict(type="list", elements="str"),
    exclusive=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


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
    if record.get("unique"):
        return "name: a name holds one %s policy, two make the check fail" % record["unique"]
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
    if (want["exclusive"] or want.get("unique")) and existing_content_key(have) != want["content_key"]:
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

    Identity is (type, name) for a CNAME or an exclusive record, (type, name, SPF or DMARC) for a TXT
    record holding such a policy (a name has one: a new policy replaces the old one), and
    (type, name, content/data) otherwise.  Matching records get a PATCH of the differing managed fields; missing ones are
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
    there is one, else the first; the others of that type and name are deleted. An SPF or DMARC policy
    (TXT) does the same among the TXT records of its kind at its name, leaving other TXT records alone.
    """
    if want.get("unique"):
        candidates = [record for record in by_type_name.get((want["type"], want["name"]), [])
                      if unique_kind(record.get("type", "").upper(), record.get("content")) == want["unique"]]
    elif not want["exclusive"]:
        return (by_identity.get(want["key"]) or [None])[0], []
    else:
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
