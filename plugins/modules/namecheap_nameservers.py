#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: namecheap_nameservers
short_description: Set the name servers of a domain registered at Namecheap
version_added: 0.1.0
description:
  - Points a domain at custom name servers (for example the two Cloudflare assigns to a zone)
    or back at Namecheap's own DNS.
  - Reads the current setting first and writes only when it differs. Name servers compare
    case-insensitively, without a trailing dot and in any order.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.namecheap
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  domain:
    description:
      - The registrable domain, for example V(example.com).
    type: str
    required: true
  nameservers:
    description:
      - The custom name servers, at least two host names.
      - Mutually exclusive with O(use_default); one of the two is required.
    type: list
    elements: str
  use_default:
    description:
      - Use Namecheap's own DNS (needed for Namecheap host records, URL and e-mail forwarding).
      - Mutually exclusive with O(nameservers).
    type: bool
notes:
  - Switching to custom name servers disables Namecheap's URL forwarding, e-mail forwarding and
    dynamic DNS for the domain.
"""

EXAMPLES = r"""
- name: Delegate the domain to Cloudflare
  fabrik.deploy.namecheap_nameservers:
    domain: example.com
    nameservers:
      - ada.ns.cloudflare.com
      - bob.ns.cloudflare.com

- name: Go back to Namecheap's DNS
  fabrik.deploy.namecheap_nameservers:
    domain: example.com
    use_default: true
"""

RETURN = r"""
domain:
  description: The domain, lower-cased.
  returned: always
  type: str
  sample: example.com
nameservers:
  description:
    - The name servers, lower-cased, as Namecheap reports them after the change.
    - In check mode, the ones the change would set (empty when it would switch to Namecheap's DNS).
  returned: always
  type: list
  elements: str
  sample: [ada.ns.cloudflare.com, bob.ns.cloudflare.com]
is_using_our_dns:
  description: Whether the domain uses Namecheap's own DNS.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._namecheap import (
    client_for,
    connection_argument_spec,
    normalise_domain,
    require_defusedxml,
    validate_nameservers,
)

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        domain=dict(type="str", required=True),
        nameservers=dict(type="list", elements="str"),
        use_default=dict(type="bool"),
    ),
    mutually_exclusive=[("nameservers", "use_default")],
    required_one_of=[("nameservers", "use_default")],
    supports_check_mode=True,
)


def diff_view(is_default, nameservers):
    """What the module manages: Namecheap's DNS, or a set of custom servers (sorted)."""
    return {"default": is_default, "nameservers": [] if is_default else sorted(nameservers)}


def desired_state(params):
    """``(use_default, nameservers)`` from the options, validated."""
    if params["use_default"]:
        return True, []
    if params["nameservers"] is None:
        raise SpecError("nameservers", "a list of name servers is required unless use_default is true")
    return False, validate_nameservers(params["nameservers"])


def run(ctx):
    require_defusedxml()
    params = ctx.params
    domain = normalise_domain(params["domain"])
    use_default, wanted = desired_state(params)
    client = client_for(ctx)
    current = client.dns_get_list(domain)
    before = diff_view(current["is_using_our_dns"], current["nameservers"])
    after = diff_view(use_default, wanted)
    result = {"domain": domain, "changed": before != after, "diff": {"before": before, "after": after}}
    if not result["changed"]:
        return dict(result, **current)
    if ctx.check_mode:
        return dict(result, nameservers=after["nameservers"], is_using_our_dns=use_default)
    if use_default:
        client.dns_set_default(domain)
    else:
        client.dns_set_custom(domain, wanted)
    return dict(result, **client.dns_get_list(domain))


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
