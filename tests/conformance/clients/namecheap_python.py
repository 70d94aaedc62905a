"""namecheap-python against the Namecheap emulator: what its users do.

Check and register a domain, list and inspect domains, prices and the TLD list, contacts,
renewal, DNS host records (get, add, set, delete), nameservers, balances.  The client's API
URL is redirected to the emulator (its ``api_url``); nothing else is changed.
"""

from decimal import Decimal

import namecheap._api.base
import namecheap.client
from namecheap import Namecheap
from namecheap._api.dns import DNSRecordBuilder
from namecheap.models import DNSRecord

from _common import CONNECTION, check, control, finish, step

NC = CONNECTION["namecheap"]
# The endpoint (module-level ``api_url`` as each module imported it), before any client exists.
namecheap._api.base.api_url = namecheap.client.api_url = lambda *, sandbox: NC["url"]
nc = Namecheap(api_key=NC["api_key"], username=NC["api_user"], api_user=NC["api_user"],
               client_ip=NC["client_ip"], sandbox=False)
NEW = "fabrik-np-new.com"
CONTACT = {"FirstName": "Ada", "LastName": "Lovelace", "Address1": "1 Example Road", "City": "London",
           "StateProvince": "London", "PostalCode": "N1 1AA", "Country": "GB", "Phone": "+44.2071234567",
           "EmailAddress": "ada@fabrik-np-new.com"}


def check_availability():
    results = {result.domain: result for result in nc.domains.check(NEW, "fabrik-owned.com", "premium.com")}
    check(results[NEW].available is True, "a free name: %r", results[NEW])
    check(results["fabrik-owned.com"].available is False, "an owned name: %r", results["fabrik-owned.com"])
    check(results["premium.com"].premium is True, "a premium name: %r", results["premium.com"])


def prices_and_tlds():
    pricing = nc.users.get_pricing("DOMAIN", action="REGISTER", product_name="com")
    one_year = pricing["REGISTER"]["com"][0]
    check(one_year.duration == 1 and one_year.your_price == Decimal("10.28"), "price: %r", one_year)
    tlds = {tld.name: tld for tld in nc.domains.get_tld_list()}
    check(tlds["com"].is_api_registerable and tlds["com"].max_register_years == 10, "tld: %r", tlds.get("com"))


def register():
    balance = nc.users.get_balances()
    result = nc.domains.register(NEW, years=1, contact=CONTACT)
    check(str(result.get("@Registered")).lower() == "true", "registered: %r", result)
    check(nc.users.get_balances().available_balance == balance.available_balance - Decimal("10.28"), "charged")


def inspect():
    names = [domain.name for domain in nc.domains.list()]
    check(NEW in names and "fabrik-owned.com" in names, "domain list: %r", names)
    info = nc.domains.get_info(NEW)
    check(info.domain_name == NEW if hasattr(info, "domain_name") else True, "info: %r", info)
    contacts = nc.domains.get_contacts(NEW)
    check(contacts.registrant.email == CONTACT["EmailAddress"], "registrant: %r", contacts.registrant)
    check(contacts.tech.first_name == "Ada", "tech: %r", contacts.tech)


def renew():
    result = nc.domains.renew(NEW, years=2)
    check(str(result.get("@Renew")).lower() == "true", "renewed: %r", result)


def dns_records():
    nc.dns.set(NEW, DNSRecordBuilder().a("@", "192.0.2.50").cname("www", NEW + ".").txt("@", "v=spf1 -all"))
    records = nc.dns.get(NEW)
    check(sorted((r.type, r.name) for r in records) == [("A", "@"), ("CNAME", "www"), ("TXT", "@")],
          "records: %r", records)
    nc.dns.add(NEW, DNSRecord(name="blog", type="A", value="192.0.2.51"))
    nc.dns.add(NEW, DNSRecord(name="blog", type="A", value="192.0.2.51"))  # a duplicate is a no-op
    check(len(nc.dns.get(NEW)) == 4, "add: %r", nc.dns.get(NEW))
    nc.dns.delete(NEW, name="blog", record_type="A")
    check(len(nc.dns.get(NEW)) == 3, "delete: %r", nc.dns.get(NEW))


def nameservers():
    nc.dns.set_custom_nameservers(NEW, ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"])
    current = nc.dns.get_nameservers(NEW)
    check(sorted(current.nameservers) == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"], "custom: %r", current)
    nc.dns.set_default_nameservers(NEW)
    check(nc.dns.get_nameservers(NEW).is_default, "default again")
    state = control("namecheap", "GET", "state")["domains"][NEW]
    check(state["using_our_dns"] is True, "emulator state: %r", state)


step("check availability", check_availability)
step("prices and the TLD list", prices_and_tlds)
step("register a domain", register)
step("list, info and contacts", inspect)
step("renew", renew)
step("DNS host records", dns_records)
step("nameservers", nameservers)
finish()
