#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: namecheap_domain
short_description: Check a domain's availability at Namecheap and register it when allowed
version_added: 0.1.0
description:
  - With O(state=checked) reports whether the account already holds the domain, whether it is
    available, and whether it is a premium name and at what price. It never changes anything.
  - With O(state=registered) registers the domain when the account does not hold it yet. This
    charges the account, so it needs O(allow_purchase=true); premium names also need O(allow_premium=true).
  - A registration request is never retried. When its response is lost, the module reads the
    account again to find out whether the registration happened.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.namecheap
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: Reports availability and price, and C(changed=true) when the domain would be registered.
  diff_mode:
    support: full
options:
  domain:
    description:
      - The registrable domain, for example V(example.com) or V(example.co.uk).
    type: str
    required: true
  state:
    description:
      - V(checked) only reports; V(registered) makes sure the account holds the domain.
      - With V(registered) and a domain the account already holds, nothing is needed and
        O(allow_purchase) and O(contacts) are not required.
    type: str
    choices: [checked, registered]
    default: checked
  allow_purchase:
    description:
      - Allow the module to register (and pay for) the domain. Without it, a domain that would have
        to be registered makes the module fail before any write.
    type: bool
    default: false
  allow_premium:
    description:
      - Allow registering a premium name, at the premium price Namecheap reports.
    type: bool
    default: false
  max_price:
    description:
      - Refuse to register a premium name whose registration price is higher than this amount
        (in the account's currency). Regular prices are not checked.
    type: float
  years:
    description:
      - Registration period in years, 1 to 10 (the registry may allow fewer).
    type: int
    default: 1
  whois_privacy:
    description:
      - Enable Namecheap's free WHOIS privacy for the domain.
    type: bool
    default: true
  nameservers:
    description:
      - Custom name servers to register the domain with; Namecheap's own DNS when omitted.
    type: list
    elements: str
  contacts:
    description:
      - Contacts for the registration, required when the domain must be registered.
      - A dict with the key V(registrant) and optionally V(tech), V(admin) and V(aux_billing);
        a missing role uses the registrant's contact.
      - Each contact is a dict with V(first_name), V(last_name), V(address1), optional V(address2),
        V(city), V(state_province), V(postal_code), V(country) (two-letter code), V(phone)
        (V(+CC.NUMBER), for example V(+1.6613102107)), V(email) and optional V(organization).
      - All contacts are validated before any request.
    type: dict
notes:
  - Registration at Namecheap's sandbox endpoint is simulated and charges nothing.
  - Some TLDs need extra registry attributes that this module does not send; their registration fails
    with the registry's message.
"""

EXAMPLES = r"""
- name: Is the name free, and at what price?
  fabrik.deploy.namecheap_domain:
    domain: example.com
  register: availability

- name: Register it (charges the account)
  fabrik.deploy.namecheap_domain:
    domain: example.com
    state: registered
    allow_purchase: true
    years: 1
    contacts:
      registrant:
        first_name: Ada
        last_name: Lovelace
        address1: 1 Analytical Way
        city: London
        state_province: London
        postal_code: N1 9GU
        country: GB
        phone: "+44.2071234567"
        email: ada@example.org
"""

RETURN = r"""
domain:
  description: The domain, lower-cased.
  returned: always
  type: str
  sample: example.com
owned:
  description: Whether the account holds the domain after the run.
  returned: always
  type: bool
available:
  description: Whether the domain could be registered (false when the account already holds it).
  returned: always
  type: bool
premium:
  description: Whether it is a premium name.
  returned: always
  type: bool
premium_price:
  description: Registration price of a premium name; null for a regular one.
  returned: always
  type: float
registered:
  description: Whether this run registered the domain.
  returned: always
  type: bool
charged_amount:
  description: Amount charged for the registration; null when nothing was charged or the response was lost.
  returned: always
  type: float
order_id:
  description: Namecheap's order id of the registration; null when none.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._namecheap import (
    client_for,
    connection_argument_spec,
    normalise_domain,
    require_defusedxml,
    validate_registration,
)

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        domain=dict(type="str", required=True),
        state=dict(type="str", choices=["checked", "registered"], default="checked"),
        allow_purchase=dict(type="bool", default=False),
        allow_premium=dict(type="bool", default=False),
        max_price=dict(type="float"),
        years=dict(type="int", default=1),
        whois_privacy=dict(type="bool", default=True),
        nameservers=dict(type="list", elements="str"),
        contacts=dict(type="dict"),
    ),
    supports_check_mode=True,
)


def check_one(client, domain):
    """The availability entry of ``domain`` from ``domains.check``."""
    for entry in client.check([domain]):
        if entry["domain"] == domain:
            return entry
    raise ApiError("Namecheap", "namecheap.domains.check", "POST", "/xml.response", status=200,
                   message="no result for %s in the response" % domain)


def purchase_refusal(domain, params, availability):
    """Why the domain must not be bought with these options, or None."""
    if not availability["available"]:
        return "%s is not available for registration%s" % (
            domain, ": " + availability["description"] if availability["description"] else "")
    price = availability["premium_price"]
    if availability["premium"] and not params["allow_premium"]:
        return "%s is a premium name (registration price %s); set allow_premium=true to buy it" % (domain, price)
    if availability["premium"] and params["max_price"] is not None and (price is None or price > params["max_price"]):
        return "%s costs %s, more than max_price %s" % (domain, price, params["max_price"])
    if not params["allow_purchase"]:
        return "%s is not in the account and registering it charges the account; set allow_purchase=true" % domain
    if params["contacts"] is None:
        return "contacts are required to register %s" % domain
    return None


def register(ctx, client, domain, registration, availability):
    """Create the domain; after a lost response, re-read the account instead of retrying."""
    premium = availability["premium"]
    try:
        created = client.create(
            domain,
            registration["years"],
            registration["contacts"],
            nameservers=registration["nameservers"],
            whois_privacy=ctx.params["whois_privacy"],
            premium_price=availability["premium_price"] if premium else None,
            eap_fee=availability["eap_fee"] if premium else None,
        )
    except ApiError as err:
        if not err.maybe_applied:
            if client.get_info(domain) is not None:
                # Refused because the account got it meanwhile: a concurrent run of the site bought it.
                ctx.warn("%s was registered meanwhile by a concurrent run (the order was refused: %s); the domain "
                         "is in the account." % (domain, err.message))
                return {"changed": False, "owned": True, "registered": False, "charged_amount": None,
                        "order_id": None}
            raise
        if client.get_info(domain) is None:
            err.message += "; %s is not in the account now, but the order may still be processing: " \
                           "check the account before running again" % domain
            raise
        ctx.warn("The registration response of %s was lost; a re-read shows the domain in the account." % domain)
        return {"owned": True, "registered": True, "charged_amount": None, "order_id": None}
    if not created["registered"]:
        ctx.warn("Namecheap accepted the order of %s but does not report it registered yet (it completes later)."
                 % domain)
    return {"owned": created["registered"], "registered": True, "charged_amount": created["charged_amount"],
            "order_id": created["order_id"] or None}


def run(ctx):
    require_defusedxml()
    params = ctx.params
    domain = normalise_domain(params["domain"])
    registration = validate_registration(params["years"], params["max_price"], params["contacts"],
                                         params["nameservers"]) if params["state"] == "registered" else None
    client = client_for(ctx)
    info = client.get_info(domain)
    result = {"changed": False, "domain": domain, "owned": info is not None, "registered": False,
              "charged_amount": None, "order_id": None}
    if info is not None:
        return dict(result, available=False, premium=info["is_premium"], premium_price=None, diff=_diff(True, True))
    availability = check_one(client, domain)
    result.update(available=availability["available"], premium=availability["premium"],
                  premium_price=availability["premium_price"], diff=_diff(False, False))
    if registration is None:
        return result
    refusal = purchase_refusal(domain, params, availability)
    if refusal and not availability["available"] and client.get_info(domain) is not None:
        # Taken between the two reads: by a concurrent run of the site, into this account.
        ctx.warn("%s was registered meanwhile by a concurrent run; the domain is in the account." % domain)
        return dict(result, owned=True, diff=_diff(True, True))
    if refusal:
        raise Failure(refusal, **result)
    result.update(changed=True, diff=_diff(False, True))
    if ctx.check_mode:
        return result
    result.update(register(ctx, client, domain, registration, availability), available=False)
    return result


def _diff(owned_before, owned_after):
    return {"before": {"owned": owned_before}, "after": {"owned": owned_after}}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
