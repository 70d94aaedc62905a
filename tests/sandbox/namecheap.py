"""Emulator of the Namecheap XML API (``/xml.response``) for the local sandbox.

Wire format and error numbers follow ``tests/contracts/namecheap/NOTES.md``: form or
query parameters in (names case-insensitive, query and body merged, the body
wins on a clash), an ``ApiResponse`` document in the
``http://api.namecheap.com/xml.response`` namespace out, always HTTP 200 except
for throttling, which answers HTTP 405.

Sandbox account: api user ``sandboxuser`` (``UserName`` must be the same),
key ``sandbox-namecheap-key``, whitelisted ``ClientIp`` ``127.0.0.1``.

Rules of this emulator that the real API does not spell out:

* Availability: a name is unavailable when any user of the emulator owns it
  (see ``SEED_DOMAINS``; one seeded domain belongs to another user) or when it
  is *reserved*: its second-level label starts with ``taken-``
  (``taken-anything.com``) or its last label is ``taken`` (``foo.taken``).
  Everything else with a TLD from ``TLD_PRICES`` is available.
* Premium names come from the ``premium_names`` option (name -> registration
  price in USD, default ``DEFAULT_PREMIUM_NAMES``); their renewal and transfer
  price is the TLD's regular price.
* Prices: ``TLD_PRICES`` per year; a premium registration costs its premium
  price for the first year plus the regular price for each further year.
  ``Years`` defaults to 2 as the docs say.  An order larger than the account
  balance fails with 2528166.
* A missing or malformed command parameter that has no documented number
  answers ``ERR_BAD_PARAMETER`` (2011166) with a message naming the parameter.
  Missing contact fields answer per role: Registrant 2010324, Tech 2010325,
  Admin 2010326, AuxBilling 2010323.  Missing ``UserName`` answers 1010103.
  An unknown command answers 1010104.
* ``domains.getInfo`` on another user's domain answers 4011103 (access
  denied), on a domain no user has 2030166 "Domain is invalid" (a live
  recording); the DNS commands answer 2016166 on another user's domain.
  Unknown or reserved domains answer 2019166 elsewhere.
* ``dns.setHosts`` on a domain that uses custom nameservers answers 2030166;
  more than ``MAX_HOSTS`` rows answer 3013288.
* ``SLD``/``TLD`` must split the domain the way the public suffix does
  (``example`` + ``co.uk``, not ``example.co`` + ``uk``), else 2019166.
* Throttling: sliding windows of calls per ``ApiKey`` value, 60 s
  (``rate_limit_per_minute``, default 20 as the real API) and one hour
  (``rate_limit_per_hour``, default 700 as the real API); 0 disables a limit; a
  throttled call is not counted and answers HTTP 405 with error 500000.
* ``dns.setHosts`` without ``EmailType`` is accepted (the Go SDK's rule that
  MX rows need ``EmailType=MX`` is its own); MX rows are stored only in an
  ``MX``, ``OX`` or ``GMAIL`` zone and dropped otherwise (tests/sandbox/README.md).
* Account and catalogue commands: ``namecheap_account.py``.
"""

import ipaddress
import re
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from werkzeug.wrappers import Response

from .base import Emulator
from .namecheap_account import CONTACT_FIELDS, NamecheapAccountCommands

API_USER = "sandboxuser"
API_KEY = "sandbox-namecheap-key"
WHITELISTED_IPS = frozenset({"127.0.0.1"})
OTHER_USER = "someoneelse"

NAMESPACE = "http://api.namecheap.com/xml.response"
ENDPOINT = "/xml.response"
SERVER_NAME = "SANDBOX-NC01"
GMT_TIME_DIFFERENCE = "--5:00"
CURRENCY = "USD"

DEFAULT_NAMESERVERS = ("dns1.registrar-servers.com", "dns2.registrar-servers.com")
DEFAULT_OPTIONS = {
    "balance": "100.00",
    "rate_limit_per_minute": 20,
    "rate_limit_per_hour": 700,
    "premium_names": None,  # None: DEFAULT_PREMIUM_NAMES
}
DEFAULT_PREMIUM_NAMES = {"premium.com": "2500.00", "shop.test": "850.00"}

# Regular registration/renewal price per year, USD.  Also the supported TLDs.
TLD_PRICES = {
    "com": Decimal("10.28"),
    "net": Decimal("12.48"),
    "org": Decimal("9.58"),
    "io": Decimal("39.98"),
    "dev": Decimal("13.98"),
    "app": Decimal("14.98"),
    "co": Decimal("11.98"),
    "xyz": Decimal("1.98"),
    "test": Decimal("5.00"),
    "co.uk": Decimal("7.98"),
    "org.uk": Decimal("7.98"),
    "com.au": Decimal("11.98"),
}
MULTI_LABEL_TLDS = frozenset({
    "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "com.au", "net.au", "org.au",
    "co.nz", "com.br", "co.za", "com.mx", "co.jp", "co.in",
})

CONTACT_ROLES = (("Registrant", 2010324), ("Tech", 2010325), ("Admin", 2010326), ("AuxBilling", 2010323))
CONTACT_REQUIRED_FIELDS = (
    "FirstName", "LastName", "Address1", "City", "StateProvince", "PostalCode", "Country", "Phone", "EmailAddress",
)
PHONE_PATTERN = re.compile(r"^\+\d{1,3}\.\d{4,}$")
LABEL_PATTERN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HOST_LABEL_PATTERN = re.compile(r"^(\*|_?[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?)$", re.IGNORECASE)

RECORD_TYPES = frozenset({"A", "AAAA", "ALIAS", "CAA", "CNAME", "MX", "MXE", "NS", "TXT", "URL", "URL301", "FRAME"})
EMAIL_TYPES = frozenset({"NONE", "MXE", "MX", "FWD", "OX", "GMAIL"})
# Zones whose MX host rows setHosts keeps (the others accept the call and drop them).
MX_KEEPING_EMAIL_TYPES = frozenset({"MX", "OX", "GMAIL"})
EMAIL_TYPE_LABELS = {
    "NONE": "No Email Service",
    "MXE": "MXE Record",
    "MX": "User Custom MX",
    "FWD": "Email Forwarding",
    "OX": "Private Email",
    "GMAIL": "Gmail",
}
TTL_MIN, TTL_MAX, TTL_DEFAULT = 60, 60000, 1800
MXPREF_DEFAULT = 10
MAX_HOSTS = 150
MAX_CHECK_DOMAINS = 50
MAX_NAMESERVERS = 12
YEARS_MIN, YEARS_MAX, YEARS_DEFAULT = 1, 10, 2
PAGE_SIZE_MIN, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT = 10, 100, 20
EXPIRING_WITHIN_DAYS = 30
LIST_TYPES = frozenset({"ALL", "EXPIRING", "EXPIRED"})
SORT_KEYS = {
    "NAME": (lambda d: d.name, False),
    "NAME_DESC": (lambda d: d.name, True),
    "EXPIREDATE": (lambda d: (d.expires, d.name), False),
    "EXPIREDATE_DESC": (lambda d: (d.expires, d.name), True),
    "CREATEDATE": (lambda d: (d.created, d.name), False),
    "CREATEDATE_DESC": (lambda d: (d.created, d.name), True),
}

ERR_BAD_PARAMETER = 2011166
ERR_THROTTLED = 500000

# State after every reset().  ``age_days``: how long ago the domain was
# registered; ``years``: registration period.  ``nameservers`` None means
# Namecheap's own DNS.  fabrik-owned.com carries records a site does not
# manage (MX + TXT) so set-modules must keep them; fabrik-legacy.com is on
# custom nameservers and expires within EXPIRING_WITHIN_DAYS.
SEED_DOMAINS = {
    "fabrik-owned.com": {
        "owner": API_USER,
        "age_days": 200,
        "years": 2,
        "whoisguard": True,
        "auto_renew": True,
        "nameservers": None,
        "email_type": "MX",
        "hosts": [
            {"name": "@", "type": "A", "address": "192.0.2.10", "ttl": 1800},
            {"name": "www", "type": "CNAME", "address": "fabrik-owned.com.", "ttl": 1800},
            {"name": "@", "type": "MX", "address": "mx1.mail.example.", "mxpref": 10, "ttl": 1800},
            {"name": "@", "type": "TXT", "address": "v=spf1 include:mail.example ~all", "ttl": 1800},
        ],
    },
    "fabrik-legacy.com": {
        "owner": API_USER,
        "age_days": 350,
        "years": 1,
        "whoisguard": False,
        "auto_renew": False,
        "nameservers": ["ns1.legacy-dns.example", "ns2.legacy-dns.example"],
        "email_type": "NONE",
        "hosts": [],
    },
    "someone-elses.com": {
        "owner": OTHER_USER,
        "age_days": 100,
        "years": 1,
        "whoisguard": True,
        "auto_renew": True,
        "nameservers": None,
        "email_type": "NONE",
        "hosts": [{"name": "@", "type": "A", "address": "198.51.100.7", "ttl": 1800}],
    },
}


class NamecheapError(Exception):
    """An API-level error: answered as ``Status="ERROR"`` with this number and text."""

    def __init__(self, number, text):
        super().__init__(text)
        self.number = number
        self.text = text


@dataclass
class HostRecord:
    host_id: int
    name: str
    type: str
    address: str
    mxpref: int
    ttl: int


@dataclass
class Domain:
    name: str
    owner: str
    domain_id: int
    created: date
    expires: date
    premium: bool = False
    whoisguard: bool = False
    auto_renew: bool = False
    nameservers: list | None = None  # None: Namecheap's own DNS
    email_type: str = "NONE"
    hosts: list = field(default_factory=list)
    contacts: dict = field(default_factory=dict)  # role -> {field: value}; empty: the sandbox contact

    @property
    def uses_our_dns(self):
        return self.nameservers is None

    def effective_nameservers(self):
        return list(DEFAULT_NAMESERVERS) if self.uses_our_dns else list(self.nameservers)


def split_domain(name):
    """``example.co.uk`` -> (``example``, ``co.uk``); the SLD is the label left of the public suffix."""
    labels = name.split(".")
    suffix_labels = 2 if len(labels) >= 3 and ".".join(labels[-2:]) in MULTI_LABEL_TLDS else 1
    return ".".join(labels[:-suffix_labels]), ".".join(labels[-suffix_labels:])


def is_valid_domain_name(name):
    labels = name.split(".")
    sld, _tld = split_domain(name)
    return len(labels) >= 2 and "." not in sld and all(LABEL_PATTERN.match(label) for label in labels)


def is_reserved(name):
    sld, tld = split_domain(name)
    return sld.startswith("taken-") or tld.rsplit(".", maxsplit=1)[-1] == "taken"


def is_valid_hostname(name):
    labels = name.rstrip(".").split(".")
    return len(name) <= 255 and len(labels) >= 2 and all(LABEL_PATTERN.match(label) for label in labels)


def is_ip(value, family):
    """True when ``value`` is an address of ``family`` (``ipaddress.IPv4Address`` or ``IPv6Address``)."""
    try:
        return isinstance(ipaddress.ip_address(value), family)
    except ValueError:
        return False


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def money(amount):
    return f"{amount:.2f}"


def xml_bool(value):
    return "true" if value else "false"


def truthy(value):
    return (value or "").strip().lower() in ("yes", "true", "1")


def to_decimal(value, what):
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{what}: a decimal amount expected, got {value!r}") from exc


def require(params, name, number=ERR_BAD_PARAMETER):
    value = (params.get(name.lower()) or "").strip()
    if not value:
        raise NamecheapError(number, f"Parameter {name} is missing")
    return value


def int_param(params, name, default, low, high, number=ERR_BAD_PARAMETER):
    raw = (params.get(name.lower()) or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"-?\d+", raw) or not low <= int(raw) <= high:
        raise NamecheapError(number, f"Parameter {name} is invalid: {low}..{high} expected, got {raw}")
    return int(raw)


def parse_nameservers(raw):
    """Comma-separated nameservers -> lower-case list; 2011168 unless 2..12 valid host names."""
    names = [part.strip().lower().rstrip(".") for part in raw.split(",") if part.strip()]
    if len(raw) > 1200 or not 2 <= len(names) <= MAX_NAMESERVERS or not all(is_valid_hostname(n) for n in names):
        raise NamecheapError(2011168, f"Nameservers are not valid: 2 to {MAX_NAMESERVERS} host names expected")
    return names


def request_params(request):
    """Query and form fields merged, names lower-cased, the form winning on a clash."""
    params = {}
    for source in (request.args, request.form):
        for key in source:
            params[key.lower()] = source.get(key)
    return params


class NamecheapEmulator(NamecheapAccountCommands, Emulator):
    """Stateful Namecheap XML API: domains, nameservers, host records, balance, prices, contacts."""

    name = "namecheap"
    ERRORS_MODULE = sys.modules[__name__]  # helpers shared with namecheap_account.py

    # command (lower-case) -> (name as documented, handler method, mutates state)
    COMMANDS = {
        "namecheap.domains.check": ("namecheap.domains.check", "_domains_check", False),
        "namecheap.domains.create": ("namecheap.domains.create", "_domains_create", True),
        "namecheap.domains.getlist": ("namecheap.domains.getList", "_domains_get_list", False),
        "namecheap.domains.getinfo": ("namecheap.domains.getInfo", "_domains_get_info", False),
        "namecheap.domains.dns.setcustom": ("namecheap.domains.dns.setCustom", "_dns_set_custom", True),
        "namecheap.domains.dns.setdefault": ("namecheap.domains.dns.setDefault", "_dns_set_default", True),
        "namecheap.domains.dns.getlist": ("namecheap.domains.dns.getList", "_dns_get_list", False),
        "namecheap.domains.dns.gethosts": ("namecheap.domains.dns.getHosts", "_dns_get_hosts", False),
        "namecheap.domains.dns.sethosts": ("namecheap.domains.dns.setHosts", "_dns_set_hosts", True),
        "namecheap.users.getbalances": ("namecheap.users.getBalances", "_users_get_balances", False),
        **NamecheapAccountCommands.ACCOUNT_COMMANDS,
    }

    def __init__(self, shared=None, **options):
        super().__init__(shared)
        self.options = dict(DEFAULT_OPTIONS)
        self.clock = time.monotonic
        self.configure(**options)
        self.reset()

    # -- framework interface -------------------------------------------------

    def configure(self, **options):
        """Change options (``balance``, ``rate_limit_per_minute``, ``premium_names``) from now on."""
        unknown = sorted(set(options) - set(DEFAULT_OPTIONS))
        if unknown:
            raise ValueError(f"unknown Namecheap emulator option(s): {', '.join(unknown)}")
        with self.lock:
            if "balance" in options:
                to_decimal(options["balance"], "balance")
            for option in ("rate_limit_per_minute", "rate_limit_per_hour"):
                limit = options.get(option, 0)
                if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                    raise ValueError(f"{option}: an integer >= 0 expected, got {limit!r}")
            if options.get("premium_names") is not None:
                for premium_name, price in options["premium_names"].items():
                    to_decimal(price, f"premium_names[{premium_name}]")
            self.options.update(options)
            if "balance" in options:
                self.balance = to_decimal(options["balance"], "balance")

    def reset(self):
        with self.lock:
            self.balance = to_decimal(self.options["balance"], "balance")
            self.calls_by_key = {}
            self.next_id = 100001
            self.domains = {}
            today = date.today()
            for domain_name, seed in SEED_DOMAINS.items():
                created = today - timedelta(days=seed["age_days"])
                domain = Domain(
                    name=domain_name,
                    owner=seed["owner"],
                    domain_id=self._new_id(),
                    created=created,
                    expires=add_years(created, seed["years"]),
                    whoisguard=seed["whoisguard"],
                    auto_renew=seed["auto_renew"],
                    nameservers=list(seed["nameservers"]) if seed["nameservers"] else None,
                    email_type=seed["email_type"],
                )
                domain.hosts = [self._host_from_seed(host) for host in seed["hosts"]]
                self.domains[domain_name] = domain

    def describe(self, request):
        command = (request_params(request).get("command") or "").strip().lower()
        entry = self.COMMANDS.get(command)
        return {"command": command, "write": bool(entry and entry[2])}

    def snapshot(self):
        with self.lock:
            return {
                "balance": money(self.balance),
                "currency": CURRENCY,
                "domains": {
                    domain.name: {
                        "owner": domain.owner,
                        "created": domain.created.isoformat(),
                        "expires": domain.expires.isoformat(),
                        "premium": domain.premium,
                        "whoisguard": domain.whoisguard,
                        "using_our_dns": domain.uses_our_dns,
                        "nameservers": domain.effective_nameservers(),
                        "email_type": domain.email_type,
                        "hosts": [asdict(host) for host in domain.hosts],
                    }
                    for domain in sorted(self.domains.values(), key=lambda d: d.name)
                },
            }

    def nameservers_for(self, domain_name):
        """Lower-case nameservers of a domain in the sandbox account, None when it is not there."""
        with self.lock:
            domain = self.domains.get(domain_name.strip().lower().rstrip("."))
            if domain is None or domain.owner != API_USER:
                return None
            return domain.effective_nameservers()

    def dispatch(self, request):
        started = time.perf_counter()
        if request.path != ENDPOINT:
            return Response("Not Found", status=404, mimetype="text/plain")
        if request.method not in ("GET", "POST"):
            return Response("Method Not Allowed", status=405, mimetype="text/plain", headers={"Allow": "GET, POST"})
        params = request_params(request)
        command = (params.get("command") or "").strip().lower()
        with self.lock:
            if self._throttled(params.get("apikey") or ""):
                error = NamecheapError(ERR_THROTTLED, "Too many requests")
                return self._respond(self._envelope(started, command, error=error), status=405)
            try:
                self._authenticate(params)
                entry = self.COMMANDS.get(command)
                if entry is None:
                    raise NamecheapError(1010104, f"Parameter Command is invalid: {command}")
                documented_name, handler, _write = entry
                results = getattr(self, handler)(params)
            except NamecheapError as error:
                return self._respond(self._envelope(started, self._echo(command, error), error=error))
            return self._respond(self._envelope(started, command, results=(documented_name, results)))

    # -- envelope, auth, throttling -----------------------------------------------

    @staticmethod
    def _echo(command, error):
        """RequestedCommand is empty for global (auth) failures, the lower-cased command otherwise."""
        return "" if 1000000 <= error.number < 2000000 else command

    @staticmethod
    def _envelope(started, requested_command, error=None, results=None):
        root = ET.Element("ApiResponse", {"xmlns": NAMESPACE, "Status": "ERROR" if error else "OK"})
        errors = ET.SubElement(root, "Errors")
        if error:
            ET.SubElement(errors, "Error", {"Number": str(error.number)}).text = error.text
        ET.SubElement(root, "Warnings")
        ET.SubElement(root, "RequestedCommand").text = requested_command or None
        if results:
            documented_name, children = results
            command_response = ET.SubElement(root, "CommandResponse", {"Type": documented_name})
            command_response.extend(children)
        ET.SubElement(root, "Server").text = SERVER_NAME
        ET.SubElement(root, "GMTTimeDifference").text = GMT_TIME_DIFFERENCE
        ET.SubElement(root, "ExecutionTime").text = f"{time.perf_counter() - started:.3f}"
        return root

    @staticmethod
    def _respond(root, status=200):
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return Response(body, status=status, content_type="text/xml; charset=utf-8")

    def _throttled(self, api_key):
        """Namecheap's documented limits per key: ``rate_limit_per_minute`` and ``rate_limit_per_hour``."""
        limits = [(60, self.options["rate_limit_per_minute"]), (3600, self.options["rate_limit_per_hour"])]
        limits = [(seconds, limit) for seconds, limit in limits if limit]
        if not limits:
            return False
        now = self.clock()
        window = self.calls_by_key.setdefault(api_key, deque())
        while window and now - window[0] >= 3600:
            window.popleft()
        for seconds, limit in limits:
            if sum(1 for call in window if now - call < seconds) >= limit:
                return True
        window.append(now)
        return False

    @staticmethod
    def _authenticate(params):
        api_user = require(params, "ApiUser", 1010101)
        api_key = require(params, "ApiKey", 1010102)
        user_name = require(params, "UserName", 1010103)
        client_ip = require(params, "ClientIp", 1010105)
        if api_user != API_USER or api_key != API_KEY:
            raise NamecheapError(1011102, "API Key is invalid or API access has not been enabled")
        if user_name != API_USER:
            raise NamecheapError(1016103, f"UserName is unauthorized: {user_name}")
        if not is_ip(client_ip, ipaddress.IPv4Address) or client_ip not in WHITELISTED_IPS:
            raise NamecheapError(1011150, f"Invalid request IP: {client_ip}")
        require(params, "Command", 1010104)

    # -- helpers ---------------------------------------------------------------

    def _new_id(self):
        self.next_id += 1
        return self.next_id

    def _host_from_seed(self, seed):
        return HostRecord(
            host_id=self._new_id(),
            name=seed["name"],
            type=seed["type"],
            address=seed["address"],
            mxpref=seed.get("mxpref", MXPREF_DEFAULT),
            ttl=seed["ttl"],
        )

    def _premium_names(self):
        configured = self.options["premium_names"]
        names = DEFAULT_PREMIUM_NAMES if configured is None else configured
        return {name.lower(): to_decimal(price, name) for name, price in names.items()}

    def _is_available(self, name):
        return name not in self.domains and not is_reserved(name)

    def _domain_from_sld_tld(self, params):
        sld = require(params, "SLD").lower()
        tld = require(params, "TLD").lower()
        name = f"{sld}.{tld}"
        if split_domain(name) != (sld, tld):
            raise NamecheapError(2019166, "Domain not found")
        return self._owned_domain(name, not_owned_number=2016166)

    def _owned_domain(self, name, not_owned_number):
        domain = self.domains.get(name)
        if domain is None:
            raise NamecheapError(2019166, "Domain not found")
        if domain.owner != API_USER:
            raise NamecheapError(not_owned_number, "Domain is not associated with your account")
        return domain

    # -- namecheap.domains.* -------------------------------------------------------

    def _domains_check(self, params):
        names = [part.strip().lower() for part in require(params, "DomainList").split(",") if part.strip()]
        if len(names) > MAX_CHECK_DOMAINS:
            raise NamecheapError(2011169, f"Only {MAX_CHECK_DOMAINS} domains are allowed in a single check command")
        premium_names = self._premium_names()
        return [self._check_result(name, premium_names) for name in names]

    def _check_result(self, name, premium_names):
        attributes = {"Domain": name, "Available": "false", "ErrorNo": "0", "Description": ""}
        if not is_valid_domain_name(name):
            attributes.update(ErrorNo=str(ERR_BAD_PARAMETER), Description="Domain name is not valid")
        elif split_domain(name)[1] not in TLD_PRICES:
            attributes.update(ErrorNo="2030280", Description="TLD is not supported in API")
        else:
            attributes["Available"] = xml_bool(self._is_available(name))
        premium_price = premium_names.get(name)
        regular_price = TLD_PRICES.get(split_domain(name)[1], Decimal(0))
        attributes.update(
            IsPremiumName=xml_bool(premium_price is not None),
            PremiumRegistrationPrice=money(premium_price) if premium_price is not None else "0",
            PremiumRenewalPrice=money(regular_price) if premium_price is not None else "0",
            PremiumRestorePrice="0",
            PremiumTransferPrice=money(regular_price) if premium_price is not None else "0",
            IcannFee="0",
            EapFee="0",
        )
        return ET.Element("DomainCheckResult", attributes)

    def _domains_create(self, params):
        name = require(params, "DomainName").lower()
        if not is_valid_domain_name(name):
            raise NamecheapError(2011280, f"Domain name is not valid: {name}")
        tld = split_domain(name)[1]
        if tld not in TLD_PRICES:
            raise NamecheapError(2030280, f"TLD is not supported in API: {tld}")
        years = int_param(params, "Years", YEARS_DEFAULT, YEARS_MIN, YEARS_MAX, number=2015167)
        self._validate_contacts(params)
        nameservers = parse_nameservers(params["nameservers"]) if (params.get("nameservers") or "").strip() else None
        add_whoisguard = truthy(params.get("addfreewhoisguard"))
        whoisguard = truthy(params.get("wgenabled"))
        if whoisguard and not add_whoisguard:
            raise NamecheapError(2033407, "Cannot enable Whoisguard when AddFreeWhoisguard is set to NO")
        if not self._is_available(name):
            raise NamecheapError(3019166, "Domain not available")
        charge = self._order_total(name, years, params)
        if charge > self.balance:
            raise NamecheapError(
                2528166,
                f"Order creation failed: insufficient funds, the order costs {money(charge)} {CURRENCY} "
                f"and the available balance is {money(self.balance)} {CURRENCY}",
            )
        self.balance -= charge
        today = date.today()
        domain = Domain(
            name=name,
            owner=API_USER,
            domain_id=self._new_id(),
            created=today,
            expires=add_years(today, years),
            premium=name in self._premium_names(),
            whoisguard=whoisguard,
            nameservers=nameservers,
            contacts={role: {field: params.get((role + field).lower()) for field in CONTACT_FIELDS
                             if params.get((role + field).lower())} for role, _number in CONTACT_ROLES},
        )
        self.domains[name] = domain
        return [ET.Element("DomainCreateResult", {
            "Domain": name,
            "Registered": "true",
            "ChargedAmount": money(charge),
            "DomainID": str(domain.domain_id),
            "OrderID": str(self._new_id()),
            "TransactionID": str(self._new_id()),
            "WhoisguardEnable": xml_bool(whoisguard),
            "NonRealTimeDomain": "false",
        })]

    @staticmethod
    def _validate_contacts(params):
        for role, missing_number in CONTACT_ROLES:
            for suffix in CONTACT_REQUIRED_FIELDS:
                require(params, role + suffix, missing_number)
            for suffix in ("Phone", "Fax"):
                value = (params.get((role + suffix).lower()) or "").strip()
                if value and not PHONE_PATTERN.match(value):
                    raise NamecheapError(2015182, f"{role}{suffix} is invalid: the format is +NNN.NNNNNNNNNN")

    def _order_total(self, name, years, params):
        """Price of the order; enforces the premium guard (IsPremiumDomain + exact PremiumPrice)."""
        regular = TLD_PRICES[split_domain(name)[1]]
        premium_price = self._premium_names().get(name)
        says_premium = truthy(params.get("ispremiumdomain"))
        if (premium_price is not None) != says_premium:
            raise NamecheapError(
                2515623,
                "Domain is premium; IsPremiumDomain and PremiumPrice are required" if premium_price is not None
                else "Domain is not premium; IsPremiumDomain must not be set",
            )
        if premium_price is None:
            return regular * years
        sent_price = (params.get("premiumprice") or "").strip()
        try:
            matches = Decimal(sent_price) == premium_price
        except InvalidOperation:
            matches = False
        if not matches:
            raise NamecheapError(2515610, f"PremiumPrice does not match the premium price of {name}")
        return premium_price + regular * (years - 1)

    def _domains_get_list(self, params):
        list_type = (params.get("listtype") or "ALL").strip().upper()
        if list_type not in LIST_TYPES:
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter ListType is invalid: {list_type}")
        sort_by = (params.get("sortby") or "NAME").strip().upper()
        if sort_by not in SORT_KEYS:
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter SortBy is invalid: {sort_by}")
        search_term = (params.get("searchterm") or "").strip().lower()
        if len(search_term) > 70:
            raise NamecheapError(ERR_BAD_PARAMETER, "Parameter SearchTerm is invalid: at most 70 characters")
        page = int_param(params, "Page", 1, 1, 1000000)
        page_size = int_param(params, "PageSize", PAGE_SIZE_DEFAULT, PAGE_SIZE_MIN, PAGE_SIZE_MAX)

        today = date.today()
        selected = [
            domain for domain in self.domains.values()
            if domain.owner == API_USER and search_term in domain.name and self._listed(domain, list_type, today)
        ]
        key, descending = SORT_KEYS[sort_by]
        selected.sort(key=key, reverse=descending)
        page_items = selected[(page - 1) * page_size:page * page_size]

        result = ET.Element("DomainGetListResult")
        for domain in page_items:
            ET.SubElement(result, "Domain", {
                "ID": str(domain.domain_id),
                "Name": domain.name,
                "User": domain.owner,
                "Created": domain.created.strftime("%m/%d/%Y"),
                "Expires": domain.expires.strftime("%m/%d/%Y"),
                "IsExpired": xml_bool(domain.expires < today),
                "IsLocked": "false",
                "AutoRenew": xml_bool(domain.auto_renew),
                "WhoisGuard": "ENABLED" if domain.whoisguard else "NOTPRESENT",
                "IsPremium": xml_bool(domain.premium),
                "IsOurDNS": xml_bool(domain.uses_our_dns),
            })
        paging = ET.Element("Paging")
        ET.SubElement(paging, "TotalItems").text = str(len(selected))
        ET.SubElement(paging, "CurrentPage").text = str(page)
        ET.SubElement(paging, "PageSize").text = str(page_size)
        return [result, paging]

    @staticmethod
    def _listed(domain, list_type, today):
        if list_type == "EXPIRED":
            return domain.expires < today
        if list_type == "EXPIRING":
            return today <= domain.expires <= today + timedelta(days=EXPIRING_WITHIN_DAYS)
        return True

    def _domains_get_info(self, params):
        name = require(params, "DomainName").lower()
        if name not in self.domains:
            # live (dns-lexicon's cassette of 2020-05-20): a domain not in the account is "invalid"
            raise NamecheapError(2030166, "Domain is invalid")
        domain = self._owned_domain(name, not_owned_number=4011103)
        result = ET.Element("DomainGetInfoResult", {
            "Status": "Ok",
            "ID": str(domain.domain_id),
            "DomainName": domain.name,
            "OwnerName": domain.owner,
            "IsOwner": "true",
            "IsPremium": xml_bool(domain.premium),
        })
        details = ET.SubElement(result, "DomainDetails")
        ET.SubElement(details, "CreatedDate").text = domain.created.strftime("%m/%d/%Y")
        ET.SubElement(details, "ExpiredDate").text = domain.expires.strftime("%m/%d/%Y")
        ET.SubElement(details, "NumYears").text = "0"
        ET.SubElement(result, "LockDetails")
        whoisguard = ET.SubElement(result, "Whoisguard", {"Enabled": "True" if domain.whoisguard else "False"})
        ET.SubElement(whoisguard, "ID").text = str(domain.domain_id) if domain.whoisguard else "0"
        if domain.whoisguard:  # as recorded live (tests/contracts/namecheap/live-objects.json)
            ET.SubElement(whoisguard, "ExpiredDate").text = domain.expires.strftime("%m/%d/%Y")
            ET.SubElement(whoisguard, "EmailDetails", {
                "WhoisGuardEmail": f"{domain.domain_id}.protect@withheldforprivacy.com",
                "ForwardedTo": "owner@fabrik-sandbox.com", "LastAutoEmailChangeDate": domain.created.strftime("%m/%d/%Y"),
                "AutoEmailChangeFrequencyDays": "3"})
        premium_dns = ET.SubElement(result, "PremiumDnsSubscription")
        for tag, text in (("UseAutoRenew", "false"), ("SubscriptionId", "-1"), ("CreatedDate", "0001-01-01T00:00:00"),
                          ("ExpirationDate", "0001-01-01T00:00:00"), ("IsActive", "false")):
            ET.SubElement(premium_dns, tag).text = text
        dns = ET.SubElement(result, "DnsDetails", {
            "ProviderType": "FreeDNS" if domain.uses_our_dns else "CUSTOM",
            "IsUsingOurDNS": xml_bool(domain.uses_our_dns),
            "HostCount": str(len(domain.hosts) if domain.uses_our_dns else 0),
            "EmailType": EMAIL_TYPE_LABELS[domain.email_type],
            "DynamicDNSStatus": "false",
            "IsFailover": "false",
        })
        for nameserver in domain.effective_nameservers():
            ET.SubElement(dns, "Nameserver").text = nameserver
        ET.SubElement(result, "Modificationrights", {"All": "true"})
        return [result]

    # -- namecheap.domains.dns.* ---------------------------------------------------

    def _dns_set_custom(self, params):
        domain = self._domain_from_sld_tld(params)
        domain.nameservers = parse_nameservers(require(params, "Nameservers", 2011168))
        return [ET.Element("DomainDNSSetCustomResult", {"Domain": domain.name, "Updated": "true"})]

    def _dns_set_default(self, params):
        domain = self._domain_from_sld_tld(params)
        domain.nameservers = None
        return [ET.Element("DomainDNSSetDefaultResult", {"Domain": domain.name, "Updated": "true"})]

    def _dns_get_list(self, params):
        domain = self._domain_from_sld_tld(params)
        result = ET.Element("DomainDNSGetListResult", {
            "Domain": domain.name,
            "IsUsingOurDNS": xml_bool(domain.uses_our_dns),
            "IsPremiumDNS": "false",
            "IsUsingFreeDNS": xml_bool(domain.uses_our_dns),
        })
        for nameserver in domain.effective_nameservers():
            ET.SubElement(result, "Nameserver").text = nameserver
        return [result]

    def _dns_get_hosts(self, params):
        domain = self._domain_from_sld_tld(params)
        result = ET.Element("DomainDNSGetHostsResult", {
            "Domain": domain.name,
            "EmailType": domain.email_type,
            "IsUsingOurDNS": xml_bool(domain.uses_our_dns),
        })
        for host in domain.hosts if domain.uses_our_dns else []:
            ET.SubElement(result, "host", {
                "HostId": str(host.host_id),
                "Name": host.name,
                "Type": host.type,
                "Address": host.address,
                "MXPref": str(host.mxpref),
                "TTL": str(host.ttl),
                "AssociatedAppTitle": "",
                "FriendlyName": "",
                "IsActive": "true",
                "IsDDNSEnabled": "false",
            })
        return [result]

    def _dns_set_hosts(self, params):
        domain = self._domain_from_sld_tld(params)
        if not domain.uses_our_dns:
            raise NamecheapError(2030166, "Edit permission for domain is not supported: it uses custom nameservers")
        rows = self._host_rows(params)
        email_type = (params.get("emailtype") or "NONE").strip().upper()
        self._validate_email_type(email_type, rows)
        if email_type not in MX_KEEPING_EMAIL_TYPES:
            # Accepted, but MX rows are kept only in an MX (or a provider's OX/GMAIL) zone:
            # tests/sandbox/README.md, "Namecheap: live behaviour".
            rows = [row for row in rows if row["type"] != "MX"]
        domain.hosts = [HostRecord(host_id=self._new_id(), **row) for row in rows]
        domain.email_type = email_type
        return [ET.Element("DomainDNSSetHostsResult", {"Domain": domain.name, "IsSuccess": "true"})]

    def _host_rows(self, params):
        """HostName{n}/RecordType{n}/Address{n}/MXPref{n}/TTL{n}, n contiguous from 1."""
        indices = sorted({
            int(match.group(2)) for key in params
            if (match := re.fullmatch(r"(hostname|recordtype|address|mxpref|ttl)(\d+)", key))
        })
        if indices != list(range(1, len(indices) + 1)):
            raise NamecheapError(ERR_BAD_PARAMETER, "Host record parameters must be numbered contiguously from 1")
        if len(indices) > MAX_HOSTS:
            raise NamecheapError(3013288, f"Too many records: at most {MAX_HOSTS} are allowed")
        return [self._host_row(params, n) for n in indices]

    @staticmethod
    def _host_row(params, n):
        name = require(params, f"HostName{n}")
        record_type = require(params, f"RecordType{n}").upper()
        address = require(params, f"Address{n}")
        if record_type not in RECORD_TYPES:
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter RecordType{n} is invalid: {record_type}")
        labels = name.split(".")
        if name != "@" and (len(name) > 255 or len(labels) > 127 or not all(HOST_LABEL_PATTERN.match(x) for x in labels)):
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter HostName{n} is invalid: {name}")
        address_family = {"A": ipaddress.IPv4Address, "AAAA": ipaddress.IPv6Address}.get(record_type)
        if address_family and not is_ip(address, address_family):
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter Address{n} is invalid for a {record_type} record")
        if record_type == "MX" and not (params.get(f"mxpref{n}") or "").strip():
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter MXPref{n} is missing")
        return {
            "name": name,
            "type": record_type,
            "address": address,
            "mxpref": int_param(params, f"MXPref{n}", MXPREF_DEFAULT, 0, 65535),
            "ttl": int_param(params, f"TTL{n}", TTL_DEFAULT, TTL_MIN, TTL_MAX),
        }

    @staticmethod
    def _validate_email_type(email_type, rows):
        if email_type not in EMAIL_TYPES:
            raise NamecheapError(ERR_BAD_PARAMETER, f"Parameter EmailType is invalid: {email_type}")
        types = [row["type"] for row in rows]
        if ("MXE" in types or email_type == "MXE") and (email_type != "MXE" or types.count("MXE") != 1):
            raise NamecheapError(ERR_BAD_PARAMETER, "EmailType MXE requires exactly one MXE record")

    # -- namecheap.users.* ---------------------------------------------------------

    def _users_get_balances(self, _params):
        balance = money(self.balance)
        return [ET.Element("UserGetBalancesResult", {
            "Currency": CURRENCY,
            "AvailableBalance": balance,
            "AccountBalance": balance,
            "EarnedAmount": "0.00",
            "WithdrawableAmount": "0.00",
            "FundsRequiredForAutoRenew": "0.00",
        })]
