#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudflare_zone_info
short_description: Read one Cloudflare zone or list the zones of an account
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - With O(name), returns that zone (looked up by name and O(account_id)) or V(null).
  - Without O(name), returns every zone of the account (every zone the token sees when O(account_id)
    is not set).
  - Never changes anything.
extends_documentation_fragment:
  - fabrik.deploy.cloudflare
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: N/A
    details: The module only reads.
  action_group:
    description: Use C(group/fabrik.deploy.cloudflare) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.cloudflare
options:
  name:
    description:
      - Domain name of the zone to read.
    type: str
"""

EXAMPLES = r"""
- name: Read the zone of the site
  fabrik.deploy.cloudflare_zone_info:
    name: example.com
  register: info

- name: Show what the registrar must delegate to
  ansible.builtin.debug:
    msg: "{{ info.zone.name_servers }}"
  when: info.exists

- name: List every zone of the account (CLOUDFLARE_ACCOUNT_ID)
  fabrik.deploy.cloudflare_zone_info:
  register: all_zones
"""

RETURN = r"""
exists:
  description: Whether the zone named O(name) exists.
  returned: when O(name) is set
  type: bool
  sample: true
zone:
  description: The zone named O(name), V(null) when it does not exist.
  returned: when O(name) is set
  type: dict
  contains:
    id:
      description: Zone id.
      type: str
    name:
      description: Domain name.
      type: str
    status:
      description: One of C(initializing), C(pending), C(active), C(moved).
      type: str
    name_servers:
      description: Nameservers assigned by Cloudflare.
      type: list
      elements: str
    original_name_servers:
      description: Nameservers before the move to Cloudflare.
      type: list
      elements: str
    activated_on:
      description: When the zone became active.
      type: str
    account:
      description: C(id) and C(name) of the owning account.
      type: dict
    type:
      description: Zone type.
      type: str
    paused:
      description: Whether Cloudflare's proxy is paused.
      type: bool
zones:
  description: Every zone of the account, sorted by name, each with the fields of RV(zone).
  returned: when O(name) is not set
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import (
    client_for,
    cloudflare_argument_spec,
    zone_view,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._common import validate_domain_name

SPEC = dict(
    argument_spec=dict(cloudflare_argument_spec(), name=dict(type="str")),
    supports_check_mode=True,
)


def run(ctx):
    client = client_for(ctx)
    if ctx.params["name"]:
        zone = client.find_zone(validate_domain_name(ctx.params["name"], "name"))
        return dict(changed=False, exists=zone is not None, zone=zone_view(zone) if zone else None)
    zones = sorted(client.list_zones(), key=lambda zone: zone.get("name", ""))
    return dict(changed=False, zones=[zone_view(zone) for zone in zones])


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
