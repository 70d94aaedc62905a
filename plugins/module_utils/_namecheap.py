# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Namecheap XML API client, input validation and the DNS host-list planner.

Every call is a form-encoded POST to the single ``xml.response`` endpoint; the
outcome is in ``ApiResponse/@Status`` (HTTP status is 200 even on errors).
Element and attribute names are matched without namespace and case-insensitively
(real responses use ``<host>`` where the documentation draws ``<Host>``).
"""

from __future__ import annotations

import ipaddress
import random
import re
import time
import traceback
from typing import NamedTuple
from urllib.parse import urlsplit

try:
    from defusedxml import ElementTree as SafeElementTree
    from defusedxml.common import DefusedXmlException
    from xml.etree.ElementTree import ParseError as XmlParseError
except ImportError:
    HAS_DEFUSEDXML = False
    DEFUSEDXML_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_DEFUSEDXML = True
    DEFUSEDXML_IMPORT_ERROR = None

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError, hostname_problem, validate_domain_name
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient
from ansible_collections.fabrik.deploy.plugins.module_utils._types import describe

SERVICE = "Namecheap"
DEFAULT_API_URL = "https://api.namecheap.com/xml.response"
SANDBOX_API_URL = "https://api.sandbox.namecheap.com/xml.response"
ENDPOINT_PATH = "/xml.response"

# Multi-label public suffixes understood when splitting a domain into SLD + TLD.
# Deliberately small and offline: a domain under a multi-label suffix missing
# here is rejected (never split wrongly).
MULTI_LABEL_SUFFIXES = frozenset({
    "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk",
    "com.au", "net.au", "org.au", "id.au",
    "co.nz", "net.nz", "org.nz",
    "com.br", "net.br",
    "co.za",
    "com.mx", "co.jp",
    "co.in", "net.in", "org.in", "firm.in", "gen.in", "ind.in",
    "com.cn", "net.cn", "org.cn",
    "com.tw", "org.tw",
    "com.sg", "com.ph", "com.pe", "com.co", "net.co", "nom.co",
    "com.es", "org.es", "nom.es",
})

RECORD_TYPES = ("A", "AAAA", "ALIAS", "CAA", "CNAME", "MX", "MXE", "NS", "TXT", "URL", "URL301", "FRAME")
# Types of which a name holds one record: identity is name + type.  Every other
# type may hold several records per name: identity is name + type + address.
SINGLE_VALUE_TYPES = frozenset({"CNAME", "ALIAS", "URL", "URL301", "FRAME"})
HOSTNAME_VALUE_TYPES = frozenset({"CNAME", "ALIAS", "MX", "NS"})
EMAIL_TYPES = ("NONE", "MX", "MXE", "FWD", "OX", "GMAIL")
DEFAULT_TTL = 1800
DEFAULT_MX_PREF = 10
TTL_RANGE = (60, 60000)
CONTACT_ROLES = ("registrant", "tech", "admin", "aux_billing")
ROLE_PREFIXES = {"registrant": "Registrant", "tech": "Tech", "admin": "Admin", "aux_billing": "AuxBilling"}
# contact field -> (API suffix, required, max length)
CONTACT_FIELDS = {
    "first_name": ("FirstName", True, 255),
    "last_name": ("LastName", True, 255),
    "address1": ("Address1", True, 255),
    "address2": ("Address2", False, 255),
    "city": ("City", True, 50),
    "state_province": ("StateProvince", True, 50),
    "postal_code": ("PostalCode", True, 50),
    "country": ("Country", True, 50),
    "phone": ("Phone", True, 30),
    "email": ("EmailAddress", True, 255),
    "organization": ("OrganizationName", False, 255),
}

# Errors meaning "this domain is not in the account".
NOT_OWNED_ERRORS = frozenset({2019166, 2016166, 4011103})
# getInfo on a domain nobody has in the account answers "Domain is invalid" (a live recording; elsewhere
# 2030166 means a domain on custom nameservers, so it counts as "not owned" for getInfo only).
GET_INFO_NOT_OWNED_ERRORS = NOT_OWNED_ERRORS | {2030166}
THROTTLE_ERROR = 500000
THROTTLE_STATUS = 405
THROTTLE_MAX_ATTEMPTS = 4
THROTTLE_FIRST_DELAY = 5.0
THROTTLE_MAX_DELAY = 30.0
THROTTLE_BUDGET = 90.0
CHECK_BATCH = 50
NAMESERVERS_MAX_CHARS = 1200
WRITE_COMMANDS = frozenset({
    "namecheap.domains.create",
    "namecheap.domains.dns.setCustom",
    "namecheap.domains.dns.setDefault",
    "namecheap.domains.dns.setHosts",
})

# Reads whose answers may be handed to the later tasks of a run (never polled), when the API answered OK: the
# details of a domain the account does not hold are an error answer, never kept, so that a registration is
# always decided on a read of its own.
KEPT_READS = frozenset({"namecheap.domains.getInfo", "namecheap.domains.dns.getList"})

_PHONE_RE = re.compile(r"^\+\d{1,3}\.\d{4,14}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CAA_RE = re.compile(r"^\d{1,3} (issue|issuewild|iodef) \S.*$", re.IGNORECASE)


def require_defusedxml():
    """Fail the module cleanly when defusedxml is not installed."""
    if not HAS_DEFUSEDXML:
        raise Failure(missing_required_lib("defusedxml"), exception=DEFUSEDXML_IMPORT_ERROR)


def connection_argument_spec():
    """Connection options shared by every Namecheap module (see the namecheap doc fragment)."""
    return dict(
        api_user=dict(type="str", required=True, fallback=(env_fallback, ["NAMECHEAP_API_USER"])),
        api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["NAMECHEAP_API_KEY"])),
        user_name=dict(type="str", fallback=(env_fallback, ["NAMECHEAP_USER_NAME"])),
        client_ip=dict(type="str", required=True, fallback=(env_fallback, ["NAMECHEAP_CLIENT_IP"])),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["NAMECHEAP_API_URL"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def client_for(ctx):
    """Build a :class:`NamecheapClient` from a module's connection options (validated)."""
    params = ctx.params
    if params["timeout"] < 1:
        raise SpecError("timeout", "a positive number of seconds expected, got %d" % params["timeout"])
    return NamecheapClient(
        api_user=params["api_user"],
        api_key=params["api_key"],
        client_ip=params["client_ip"],
        user_name=params["user_name"],
        api_url=params["api_url"],
        validate_certs=params["validate_certs"],
        timeout=params["timeout"],
        check_mode=ctx.check_mode,
    )


# --------------------------------------------------------------------------- XML


def _name(element):
    """Local, lower-cased name of an element (namespace stripped)."""
    return element.tag.rsplit("}", 1)[-1].lower()


def _children(element, name):
    return [child for child in element if _name(child) == name.lower()]


def _child(element, name):
    found = _children(element, name)
    return found[0] if found else None


def _descendants(element, name):
    return [node for node in element.iter() if _name(node) == name.lower()]


def _attr(element, name, default=""):
    wanted = name.lower()
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1].lower() == wanted:
            return value
    return default


def _text(element, name, default=""):
    found = _child(element, name)
    if found is None or found.text is None:
        return default
    return found.text.strip()


def _bool(value):
    return str(value).strip().lower() == "true"


def _number(value, cast=float):
    try:
        return cast(str(value).strip())
    except ValueError:
        return None


class NamecheapError(ApiError):
    """``Status="ERROR"`` envelope; ``errors`` is the list of ``(number, text)`` pairs."""

    def __init__(self, command, errors, path=ENDPOINT_PATH):
        self.errors = errors
        self.numbers = frozenset(number for number, _text in errors)
        message = "; ".join("API error %s: %s" % (number, text) for number, text in errors)
        super().__init__(SERVICE, command, "POST", path, status=200, message=message or "API error without details")

    def details(self):
        return dict(super().details(), api_errors=sorted(self.numbers))


def parse_response(body, command, path=ENDPOINT_PATH, redact=str):
    """Parse an ``ApiResponse`` document; return its ``CommandResponse`` element.

    Raises :class:`NamecheapError` for ``Status="ERROR"`` (texts passed through
    ``redact``) and :class:`ApiError` for a body that is not a Namecheap envelope.
    """
    try:
        root = SafeElementTree.fromstring(body)
    except (XmlParseError, DefusedXmlException) as err:
        raise unexpected_response(command, path, "response is not acceptable XML (%s)" % type(err).__name__) from None
    if _name(root) != "apiresponse":
        raise unexpected_response(command, path, "response root is <%s>, not <ApiResponse>" % _name(root))
    if _attr(root, "Status").upper() != "OK":
        errors_node = _child(root, "Errors")
        errors = [] if errors_node is None else [
            (_number(_attr(err, "Number"), int) or 0, redact((err.text or "").strip()))
            for err in _children(errors_node, "Error")
        ]
        raise NamecheapError(command, errors, path)
    response = _child(root, "CommandResponse")
    if response is None:
        raise unexpected_response(command, path, "response has no <CommandResponse>")
    return response


def _answered_ok(response):
    """Whether an answer is the API's success (an error comes with HTTP 200 too): only those are kept."""
    try:
        parse_response(response.content, "keep")
    except ApiError:
        return False
    return True


def unexpected_response(command, path, message):
    return ApiError(SERVICE, command, "POST", path, status=200, message=message)


def _error_text(response):
    """HttpClient error parser: the envelope's error text when the body is one, else a short excerpt."""
    try:
        root = SafeElementTree.fromstring(response.content)
    except (XmlParseError, DefusedXmlException):
        return (response.text or "").strip()[:200]
    errors = ["API error %s: %s" % (_attr(err, "Number"), (err.text or "").strip()) for err in _descendants(root, "Error")]
    return "; ".join(errors) or (response.text or "").strip()[:200]


# ---------------------------------------------------------------- validation


def validate_client_ip(value, field="client_ip"):
    try:
        return str(ipaddress.IPv4Address(str(value).strip()))
    except ValueError:
        raise SpecError(field, "an IPv4 address expected (Namecheap accepts only IPv4), got %r" % value) from None


def split_api_url(value, field="api_url"):
    """``https://host/xml.response`` -> (``https://host``, ``/xml.response``)."""
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path in ("", "/"):
        raise SpecError(field, "the full endpoint URL expected, e.g. %s, got %r" % (DEFAULT_API_URL, value))
    return "%s://%s" % (parts.scheme, parts.netloc), parts.path


def split_domain(value, field="domain"):
    """Validate a registrable domain and split it into ``(sld, tld)``.

    Only two-label names and names under :data:`MULTI_LABEL_SUFFIXES` are
    accepted; no public-suffix lookup is made.
    """
    labels = validate_domain_name(value, field).split(".")
    suffix = ".".join(labels[-2:])
    if len(labels) == 2:
        return labels[0], labels[1]
    if len(labels) == 3 and suffix in MULTI_LABEL_SUFFIXES:
        return labels[0], suffix
    raise SpecError(field, "a registrable domain (SLD + TLD, no subdomain) expected, got %r; "
                           "multi-label suffixes understood: %s" % (value, ", ".join(sorted(MULTI_LABEL_SUFFIXES))))


def normalise_domain(value, field="domain"):
    sld, tld = split_domain(value, field)
    return sld + "." + tld


def _valid_hostname(value):
    return hostname_problem(value, min_labels=2) is None


def validate_nameservers(values, field="nameservers"):
    """Lower-cased, dot-stripped, duplicate-free list of at least two host names."""
    if not isinstance(values, (list, tuple)) or len(values) < 2:
        raise SpecError(field, "a list of at least 2 name servers expected, got %r" % (values,))
    result = []
    for index, raw in enumerate(values):
        name = str(raw or "").strip().lower().rstrip(".")
        if not _valid_hostname(name):
            raise SpecError("%s[%d]" % (field, index), "a host name expected, got %r" % raw)
        if name in result:
            raise SpecError("%s[%d]" % (field, index), "duplicate name server %r" % name)
        result.append(name)
    if len(",".join(result)) > NAMESERVERS_MAX_CHARS:
        raise SpecError(field, "at most %d characters once comma-joined" % NAMESERVERS_MAX_CHARS)
    return result


def validate_contacts(contacts, field="contacts"):
    """Validate the contact blocks; return all four roles (missing ones copy ``registrant``)."""
    if not isinstance(contacts, dict) or not contacts.get("registrant"):
        raise SpecError(field + ".registrant", "a contact (dict) is required to register a domain")
    unknown = sorted(set(contacts) - set(CONTACT_ROLES))
    if unknown:
        raise SpecError(field, "unknown role(s) %s; expected %s" % (", ".join(unknown), ", ".join(CONTACT_ROLES)))
    result = {}
    for role in CONTACT_ROLES:
        contact = contacts.get(role) or contacts["registrant"]
        result[role] = _validate_contact(contact, "%s.%s" % (field, role if contacts.get(role) else "registrant"))
    return result


def _validate_contact(contact, field):
    if not isinstance(contact, dict):
        raise SpecError(field, "a contact (a mapping) expected, got %s" % describe(contact))
    unknown = sorted(set(contact) - set(CONTACT_FIELDS))
    if unknown:
        raise SpecError(field, "unknown field(s) %s" % ", ".join(unknown))
    result = {}
    for key, (_suffix, required, max_len) in CONTACT_FIELDS.items():
        value = str(contact.get(key) or "").strip()
        where = "%s.%s" % (field, key)
        if not value:
            if required:
                raise SpecError(where, "required")
            continue
        if len(value) > max_len:
            raise SpecError(where, "at most %d characters expected, got %d" % (max_len, len(value)))
        result[key] = value
    result["country"] = result["country"].upper()
    if not re.match(r"^[A-Z]{2}$", result["country"]):
        raise SpecError(field + ".country", "a two-letter country code expected, got %r" % contact["country"])
    if not _PHONE_RE.match(result["phone"]):
        raise SpecError(field + ".phone", "+CC.NUMBER expected (e.g. +1.6613102107), got %r" % result["phone"])
    if not _EMAIL_RE.match(result["email"]):
        raise SpecError(field + ".email", "an e-mail address expected, got %r" % result["email"])
    return result


YEARS_RANGE = (1, 10)


def validate_registration(years, max_price, contacts, nameservers=None):
    """Validated registration inputs of namecheap_domain (contacts only when given: they are checked again when
    needed); fields named as the module's options."""
    if not YEARS_RANGE[0] <= years <= YEARS_RANGE[1]:
        raise SpecError("years", "%d..%d expected, got %d" % (YEARS_RANGE[0], YEARS_RANGE[1], years))
    if max_price is not None and max_price < 0:
        raise SpecError("max_price", "a positive amount expected, got %s" % max_price)
    return {
        "years": years,
        "contacts": validate_contacts(contacts) if contacts is not None else None,
        "nameservers": validate_nameservers(nameservers) if nameservers else None,
    }


def validate_records(records, field="records"):
    """Validate and normalise the ``records`` option of ``namecheap_dns_hosts``.

    Returns ``(present, absent)``: normalised host dicts to keep in the zone and
    ``(name, type, address-or-None)`` keys to remove.
    """
    if not isinstance(records, list):
        raise SpecError(field, "a list expected")
    present, absent, seen = [], [], {}
    for index, record in enumerate(records):
        where = "%s[%d]" % (field, index)
        if not isinstance(record, dict):
            raise SpecError(where, "a dict expected")
        state = record.get("state") or "present"
        if state not in ("present", "absent"):
            raise SpecError(where + ".state", "present or absent expected, got %r" % state)
        host = _validate_record(record, where, address_required=state == "present")
        key = host_key(host)
        if key in seen:
            raise SpecError(where, "same record identity as %s[%d] (%s)" % (field, seen[key], " ".join(map(str, key))))
        seen[key] = index
        if state == "present":
            present.append(host)
        else:
            absent.append((host["name"], host["type"], host["address"]))
    return present, absent


def _validate_record(record, where, address_required):
    name = normalise_host_name(record.get("name"))
    if not name or (name != "@" and hostname_problem(name, wildcard=True) is not None):
        raise SpecError(where + ".name", "'@' or a host name relative to the domain expected, got %r" % record.get("name"))
    rtype = str(record.get("type") or "").strip().upper()
    if rtype not in RECORD_TYPES:
        raise SpecError(where + ".type", "one of %s expected, got %r" % (", ".join(RECORD_TYPES), record.get("type")))
    ttl = DEFAULT_TTL if record.get("ttl") is None else record["ttl"]
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not TTL_RANGE[0] <= ttl <= TTL_RANGE[1]:
        raise SpecError(where + ".ttl", "%d..%d expected, got %r" % (TTL_RANGE[0], TTL_RANGE[1], ttl))
    mx_pref = record.get("mx_pref")
    if mx_pref is not None and rtype != "MX":
        raise SpecError(where + ".mx_pref", "only valid for MX records (type is %s)" % rtype)
    if rtype == "MX":
        mx_pref = DEFAULT_MX_PREF if mx_pref is None else mx_pref
        if isinstance(mx_pref, bool) or not isinstance(mx_pref, int) or not 0 <= mx_pref <= 65535:
            raise SpecError(where + ".mx_pref", "0..65535 expected, got %r" % (mx_pref,))
    raw_address = record.get("address")
    if raw_address in (None, ""):
        if address_required:
            raise SpecError(where + ".address", "required for a present record")
        address = None
    else:
        address = normalise_address(rtype, raw_address)
        problem = _address_problem(rtype, address)
        if problem:
            raise SpecError(where + ".address", "%s expected for a %s record, got %r" % (problem, rtype, raw_address))
    return {"name": name, "type": rtype, "address": address, "ttl": ttl, "mx_pref": mx_pref}


def _is_ip(value, cls):
    try:
        cls(value)
    except ValueError:
        return False
    return True


def _is_url(value):
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_IPV4_CHECK = ("an IPv4 address", lambda value: _is_ip(value, ipaddress.IPv4Address))
_HOSTNAME_CHECK = ("a host name", _valid_hostname)
_URL_CHECK = ("an http(s) URL", _is_url)
# record type -> (what is expected, predicate on the normalised address); other types: any non-empty text
ADDRESS_CHECKS = {
    "A": _IPV4_CHECK,
    "MXE": _IPV4_CHECK,
    "AAAA": ("an IPv6 address", lambda value: _is_ip(value, ipaddress.IPv6Address)),
    "CAA": ("'FLAGS issue|issuewild|iodef VALUE'", _CAA_RE.match),
    "CNAME": _HOSTNAME_CHECK,
    "ALIAS": _HOSTNAME_CHECK,
    "MX": _HOSTNAME_CHECK,
    "NS": _HOSTNAME_CHECK,
    "URL": _URL_CHECK,
    "URL301": _URL_CHECK,
    "FRAME": _URL_CHECK,
}


def _address_problem(rtype, address):
    """What was expected when ``address`` does not fit ``rtype``, else None."""
    expected, check = ADDRESS_CHECKS.get(rtype, ("a value", bool))
    return None if check(address) else expected


# ------------------------------------------------------------ host list model


def normalise_host_name(value):
    return str(value or "").strip().lower().rstrip(".")


def normalise_address(rtype, value):
    """Canonical form of an address so that equal records compare equal."""
    address = str(value).strip()
    if rtype in HOSTNAME_VALUE_TYPES:
        return address.lower().rstrip(".")
    if rtype in ("A", "AAAA", "MXE"):
        try:
            return ipaddress.ip_address(address).compressed
        except ValueError:
            return address.lower()
    return address


def normalise_host(name, rtype, address, ttl, mx_pref):
    """One host row in canonical form; ``mx_pref`` only kept for MX."""
    rtype = str(rtype).strip().upper()
    ttl_value = _number(ttl, int) if ttl not in (None, "") else None
    pref = _number(mx_pref, int) if mx_pref not in (None, "") else None
    return {
        "name": normalise_host_name(name) or "@",
        "type": rtype,
        "address": normalise_address(rtype, address),
        "ttl": ttl_value or DEFAULT_TTL,
        "mx_pref": (DEFAULT_MX_PREF if pref is None else pref) if rtype == "MX" else None,
    }


def host_key(host):
    """Identity of a record: name+type for single-value types, name+type+address otherwise."""
    if host["type"] in SINGLE_VALUE_TYPES:
        return (host["name"], host["type"])
    return (host["name"], host["type"], host["address"])


def sort_hosts(hosts):
    return sorted(hosts, key=lambda host: (host["name"], host["type"], host["address"] or "", host["ttl"], host["mx_pref"] or 0))


def _matches_absent(host, absent):
    name, rtype, address = absent
    return host["name"] == name and host["type"] == rtype and (address is None or host["address"] == address)


def plan_hosts(current, present, absent, prune=False):
    """Merge desired records into the current host list.

    ``present`` rows replace the current row of the same identity (or are
    appended), ``absent`` keys remove rows, and with ``prune`` every row not in
    ``present`` is dropped.  Rows the caller does not manage are kept in place.
    """
    desired = {host_key(host): host for host in present}
    placed = set()
    result = []
    for host in current:
        key = host_key(host)
        if key in desired:
            if key not in placed:
                result.append(desired[key])
                placed.add(key)
        elif not prune and not any(_matches_absent(host, item) for item in absent):
            result.append(host)
    result.extend(host for host in present if host_key(host) not in placed)
    return result


def choose_email_type(current, requested, hosts):
    """EmailType to send: the requested one, else the current one, switched from NONE to MX when MX rows exist."""
    if requested:
        return requested
    current = (current or "").upper()
    if current in ("", "NONE") and any(host["type"] == "MX" for host in hosts):
        return "MX"
    return current or "NONE"


def build_set_hosts_form(sld, tld, email_type, hosts, wire=None):
    """Form fields of ``domains.dns.setHosts``: rows numbered from 1, contiguous; MXPref only for MX.

    ``wire`` maps a row's identity to the name and address exactly as getHosts spelled them, so
    rows written back keep their original spelling (case, trailing dot) instead of being rewritten.
    """
    form = {"SLD": sld, "TLD": tld, "EmailType": email_type}
    for number, host in enumerate(hosts, start=1):
        spelled = (wire or {}).get(host_key(host), {})
        form["HostName%d" % number] = spelled.get("name", host["name"])
        form["RecordType%d" % number] = host["type"]
        form["Address%d" % number] = spelled.get("address", host["address"])
        form["TTL%d" % number] = str(host["ttl"])
        if host["type"] == "MX":
            form["MXPref%d" % number] = str(host["mx_pref"])
    return form


def build_create_form(domain, years, contacts, nameservers=None, whois_privacy=True, premium_price=None, eap_fee=None):
    """Form fields of ``domains.create`` (contacts as returned by :func:`validate_contacts`)."""
    flag = "yes" if whois_privacy else "no"
    form = {"DomainName": domain, "Years": str(years), "AddFreeWhoisguard": flag, "WGEnabled": flag}
    for role in CONTACT_ROLES:
        for key, value in contacts[role].items():
            form[ROLE_PREFIXES[role] + CONTACT_FIELDS[key][0]] = value
    if nameservers:
        form["Nameservers"] = ",".join(nameservers)
    if premium_price is not None:
        form["IsPremiumDomain"] = "true"
        form["PremiumPrice"] = "%.2f" % premium_price
        if eap_fee:
            form["EapFee"] = "%.2f" % eap_fee
    return form


class HostsSnapshot(NamedTuple):
    """The result of ``domains.dns.getHosts``."""

    email_type: str
    hosts: list
    is_using_our_dns: bool
    wire: dict = None  # identity -> {"name", "address"} as the API spelled them


# -------------------------------------------------------------------- client


class NamecheapClient:
    """Namecheap XML API over :class:`HttpClient`, one method per command used.

    ``sleep`` is the pause function used between throttled attempts (tests pass a fake).
    """

    def __init__(self, api_user, api_key, client_ip, user_name=None, api_url=DEFAULT_API_URL,
                 validate_certs=True, timeout=30, check_mode=False, sleep=time.sleep):
        base_url, self._path = split_api_url(api_url)
        self._sleep = sleep
        self._globals = {
            "ApiUser": api_user,
            "ApiKey": api_key,
            "UserName": user_name or api_user,
            "ClientIp": validate_client_ip(client_ip),
        }
        self.http = HttpClient(
            service=SERVICE,
            base_url=base_url,
            secrets=[api_key],
            timeout=timeout,
            validate_certs=validate_certs,
            error_parser=_error_text,
            check_mode=check_mode,
            sleep=sleep,
            rate_limit=("namecheap", api_user),
            # A domain's details and host records are handed to the later tasks of the run (_run_reads.py).
            reads_scope="%s\n%s" % (api_user, api_key),
        )

    # -- transport

    def _call(self, command, params=None, retry=True):
        """POST one command, return its ``CommandResponse``; retry throttling only when ``retry``.

        Throttling is HTTP 405 or API error 500000: at most
        ``THROTTLE_MAX_ATTEMPTS`` attempts within ``THROTTLE_BUDGET`` seconds.
        """
        form = dict(self._globals, Command=command, **(params or {}))
        deadline = time.monotonic() + THROTTLE_BUDGET
        delay, attempt = THROTTLE_FIRST_DELAY, 1
        while True:
            try:
                # Every call is a POST, reads included: tell the HTTP layer which ones write.
                response = self.http.request("POST", self._path, operation=command, data=form,
                                             idempotent=retry, mutates=command in WRITE_COMMANDS,
                                             cache=command in KEPT_READS, keep=_answered_ok)
                return parse_response(response.content, command, self._path, self.http.redact)
            except ApiError as err:
                pause = min(delay, THROTTLE_MAX_DELAY) * random.uniform(0.8, 1.0)
                if not (retry and _is_throttled(err)) or attempt >= THROTTLE_MAX_ATTEMPTS \
                        or time.monotonic() + pause > deadline:
                    raise
            self._sleep(pause)
            delay, attempt = delay * 2, attempt + 1

    def _result(self, command, element, params=None, retry=True):
        """The ``element`` child of the command's ``CommandResponse``."""
        node = _child(self._call(command, params, retry), element)
        if node is None:
            raise unexpected_response(command, self._path, "response has no <%s>" % element)
        return node

    # -- domains

    def check(self, domains):
        """Availability of each domain: list of dicts in response order."""
        results = []
        for start in range(0, len(domains), CHECK_BATCH):
            batch = domains[start:start + CHECK_BATCH]
            response = self._call("namecheap.domains.check", {"DomainList": ",".join(batch)})
            results.extend(_check_result(node) for node in _descendants(response, "DomainCheckResult"))
        return results

    def get_info(self, domain):
        """Details of a domain of the account, or None when the account does not hold it."""
        try:
            node = self._result("namecheap.domains.getInfo", "DomainGetInfoResult", {"DomainName": domain})
        except NamecheapError as err:
            if err.numbers & GET_INFO_NOT_OWNED_ERRORS:
                return None
            raise
        return _info_result(node)

    def create(self, domain, years, contacts, nameservers=None, whois_privacy=True, premium_price=None, eap_fee=None):
        """Register a domain (charges the account).  Never retried: on a lost response, re-read."""
        form = build_create_form(domain, years, contacts, nameservers, whois_privacy, premium_price, eap_fee)
        node = self._result("namecheap.domains.create", "DomainCreateResult", form, retry=False)
        return {
            "domain": _attr(node, "Domain").lower(),
            "registered": _bool(_attr(node, "Registered")),
            "charged_amount": _number(_attr(node, "ChargedAmount")),
            "domain_id": _attr(node, "DomainID"),
            "order_id": _attr(node, "OrderID"),
            "transaction_id": _attr(node, "TransactionID"),
            "whois_privacy": _bool(_attr(node, "WhoisguardEnable")),
            "non_real_time": _bool(_attr(node, "NonRealTimeDomain")),
        }

    def get_balance(self):
        node = self._result("namecheap.users.getBalances", "UserGetBalancesResult")
        return {
            "currency": _attr(node, "Currency"),
            "available_balance": _number(_attr(node, "AvailableBalance")),
            "account_balance": _number(_attr(node, "AccountBalance")),
            "earned_amount": _number(_attr(node, "EarnedAmount")),
            "withdrawable_amount": _number(_attr(node, "WithdrawableAmount")),
            "funds_required_for_auto_renew": _number(_attr(node, "FundsRequiredForAutoRenew")),
        }

    # -- DNS

    def dns_get_list(self, domain):
        """``{is_using_our_dns, nameservers}`` (name servers lower-cased, dot-stripped)."""
        node = self._result("namecheap.domains.dns.getList", "DomainDNSGetListResult", _sld_tld(domain))
        return {"is_using_our_dns": _bool(_attr(node, "IsUsingOurDNS")), "nameservers": _nameservers(node)}

    def dns_set_custom(self, domain, nameservers):
        params = dict(_sld_tld(domain), Nameservers=",".join(nameservers))
        self._call("namecheap.domains.dns.setCustom", params)

    def dns_set_default(self, domain):
        self._call("namecheap.domains.dns.setDefault", _sld_tld(domain))

    def dns_get_hosts(self, domain):
        """Current host rows (normalised) with the zone's EmailType code: a :class:`HostsSnapshot`."""
        node = self._result("namecheap.domains.dns.getHosts", "DomainDNSGetHostsResult", _sld_tld(domain))
        hosts, wire = [], {}
        for row in _children(node, "host"):
            host = normalise_host(_attr(row, "Name"), _attr(row, "Type"), _attr(row, "Address"),
                                  _attr(row, "TTL"), _attr(row, "MXPref"))
            hosts.append(host)
            wire[host_key(host)] = {"name": _attr(row, "Name"), "address": _attr(row, "Address")}
        return HostsSnapshot(_attr(node, "EmailType").upper() or "NONE", hosts,
                             _bool(_attr(node, "IsUsingOurDNS", "true")), wire)

    def dns_set_hosts(self, domain, email_type, hosts, wire=None):
        """Replace the whole host list of ``domain`` (idempotent, so retried when throttled)."""
        sld, tld = split_domain(domain)
        form = build_set_hosts_form(sld, tld, email_type, hosts, wire)
        node = self._result("namecheap.domains.dns.setHosts", "DomainDNSSetHostsResult", form)
        if not _bool(_attr(node, "IsSuccess", "true")):
            raise unexpected_response("namecheap.domains.dns.setHosts", self._path, "IsSuccess is false")


def _sld_tld(domain):
    sld, tld = split_domain(domain)
    return {"SLD": sld, "TLD": tld}


def _is_throttled(err):
    return err.status == THROTTLE_STATUS or THROTTLE_ERROR in getattr(err, "numbers", ())


def _nameservers(node):
    return [(ns.text or "").strip().lower().rstrip(".") for ns in _children(node, "Nameserver") if (ns.text or "").strip()]


def _check_result(node):
    premium = _bool(_attr(node, "IsPremiumName"))
    return {
        "domain": _attr(node, "Domain").lower(),
        "available": _bool(_attr(node, "Available")),
        "premium": premium,
        "premium_price": _number(_attr(node, "PremiumRegistrationPrice")) if premium else None,
        "eap_fee": _number(_attr(node, "EapFee", "0")) or 0.0,
        "description": _attr(node, "Description"),
    }


def _info_result(node):
    details = _child(node, "DomainDetails")
    dns = _child(node, "DnsDetails")
    return {
        "domain": _attr(node, "DomainName").lower(),
        "is_owner": _bool(_attr(node, "IsOwner")),
        "status": _attr(node, "Status"),
        "is_premium": _bool(_attr(node, "IsPremium")),
        "created": _text(details, "CreatedDate") if details is not None else "",
        "expires": _text(details, "ExpiredDate") if details is not None else "",
        "dns_provider_type": _attr(dns, "ProviderType") if dns is not None else "",
        "is_using_our_dns": _bool(_attr(dns, "IsUsingOurDNS")) if dns is not None else False,
        "nameservers": _nameservers(dns) if dns is not None else [],
    }
