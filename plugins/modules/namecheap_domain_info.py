#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: namecheap_domain_info
short_description: Read a domain's registration and DNS details from Namecheap
version_added: 0.1.0
description:
  - Reports whether the Namecheap account holds a domain and, when it does, its status, dates,
    premium flag, DNS provider and name servers.
  - Optionally reports the account's balances.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.namecheap
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  domain:
    description:
      - The registrable domain, for example V(example.com) or V(example.co.uk).
    type: str
    required: true
  with_balance:
    description:
      - Also read the account's balances (one more API call).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Look up a domain
  fabrik.deploy.namecheap_domain_info:
    domain: example.com
  register: domain_info

- name: Show where its DNS is served
  ansible.builtin.debug:
    msg: "{{ domain_info.info.nameservers | default([]) }}"
  when: domain_info.owned
"""

RETURN = r"""
domain:
  description: The domain, lower-cased.
  returned: always
  type: str
  sample: example.com
owned:
  description: Whether the account holds the domain.
  returned: always
  type: bool
info:
  description: Details of the domain; empty when O(domain) is not in the account.
  returned: always
  type: dict
  contains:
    domain:
      description: The domain name as Namecheap reports it, lower-cased.
      type: str
    status:
      description: Registration status as Namecheap reports it (V(Ok), V(Locked), V(Expired)).
      type: str
    created:
      description: Registration date, V(MM/DD/YYYY).
      type: str
    expires:
      description: Expiry date, V(MM/DD/YYYY).
      type: str
    is_premium:
      description: Whether it is a premium name.
      type: bool
    is_owner:
      description: Whether the account is the domain's owner.
      type: bool
    dns_provider_type:
      description: Namecheap's DNS provider type, for example V(FreeDNS) or V(CUSTOM).
      type: str
    is_using_our_dns:
      description: Whether the domain uses Namecheap's own name servers.
      type: bool
    nameservers:
      description: Name servers, lower-cased.
      type: list
      elements: str
      sample: [dns1.registrar-servers.com, dns2.registrar-servers.com]
balances:
  description: The account's balances.
  returned: when O(with_balance=true)
  type: dict
  contains:
    currency:
      description: Currency of the amounts.
      type: str
    available_balance:
      description: Amount available for purchases.
      type: float
    account_balance:
      description: Total account balance.
      type: float
    earned_amount:
      description: Earned amount.
      type: float
    withdrawable_amount:
      description: Withdrawable amount.
      type: float
    funds_required_for_auto_renew:
      description: Funds needed for the coming automatic renewals.
      type: float
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._namecheap import (
    client_for,
    connection_argument_spec,
    normalise_domain,
    require_defusedxml,
)

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        domain=dict(type="str", required=True),
        with_balance=dict(type="bool", default=False),
    ),
    supports_check_mode=True,
)


def run(ctx):
    require_defusedxml()
    domain = normalise_domain(ctx.params["domain"])
    client = client_for(ctx)
    info = client.get_info(domain)
    result = {"changed": False, "domain": domain, "owned": info is not None, "info": info or {}}
    if ctx.params["with_balance"]:
        result["balances"] = client.get_balance()
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
