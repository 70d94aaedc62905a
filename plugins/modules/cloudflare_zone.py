#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudflare_zone
short_description: Create or delete a Cloudflare zone and wait for it to become active
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Ensures a zone exists in a Cloudflare account (or does not), optionally asks Cloudflare to re-check
    a pending zone's delegation and waits until the zone is active.
  - The zone is found by name B(and) account id, since zone names are not unique across accounts.
  - A newly created full zone is C(pending) until the registrar delegates the domain to the nameservers
    returned in RV(zone.name_servers).
extends_documentation_fragment:
  - fabrik.deploy.cloudflare
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  action_group:
    description: Use C(group/fabrik.deploy.cloudflare) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.cloudflare
options:
  name:
    description:
      - Domain name of the zone, for example V(example.com).
    type: str
    required: true
  state:
    description:
      - V(present) creates the zone when it does not exist; V(absent) deletes it with all its records.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - Zone type. V(full) means Cloudflare is the authoritative DNS; V(partial) is a CNAME setup.
      - An existing zone of another type is changed with a PATCH (the plan must allow it).
    type: str
    choices: [full, partial]
    default: full
  activation_check:
    description:
      - When the zone is C(pending), ask Cloudflare to re-check its nameserver delegation now.
      - Cloudflare allows this once an hour on Free zones (every 5 minutes on paid plans); a refused
        request becomes a warning. Not sent in check mode.
    type: bool
    default: false
  wait_active:
    description:
      - Poll the zone until its status is C(active), failing after O(wait_timeout) seconds with the
        nameservers Cloudflare expects. Skipped in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for an active zone with O(wait_active=true).
    type: int
    default: 300
  wait_interval:
    description:
      - Seconds between two reads of the zone with O(wait_active=true).
    type: int
    default: 10
notes:
  - O(account_id) is required to create a zone.
"""

EXAMPLES = r"""
# The account id and the API token come from CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN
# (or module_defaults for group/fabrik.deploy.cloudflare).
- name: Ensure the zone exists
  fabrik.deploy.cloudflare_zone:
    name: example.com
  register: zone

- name: Tell the registrar the zone's nameservers
  fabrik.deploy.namecheap_nameservers:
    domain: example.com
    nameservers: "{{ zone.zone.name_servers }}"

- name: Wait until Cloudflare sees the delegation
  fabrik.deploy.cloudflare_zone:
    name: example.com
    activation_check: true
    wait_active: true
    wait_timeout: 1800
    wait_interval: 60

- name: Delete the zone
  fabrik.deploy.cloudflare_zone:
    name: example.com
    state: absent
"""

RETURN = r"""
zone:
  description:
    - The zone as Cloudflare has it after the change; V(null) when absent.
    - In check mode, a zone that would be created is returned with C(id=null) and C(status=pending).
  returned: always
  type: dict
  contains:
    id:
      description: Zone id.
      type: str
      sample: 023e105f4ecef8ad9ca31a8372d0c353
    name:
      description: Domain name.
      type: str
      sample: example.com
    status:
      description: One of C(initializing), C(pending), C(active), C(moved).
      type: str
      sample: pending
    name_servers:
      description: The nameservers Cloudflare assigned to the zone; give these to the registrar.
      type: list
      elements: str
      sample: [ada.ns.cloudflare.com, bob.ns.cloudflare.com]
    original_name_servers:
      description: The nameservers the domain had before moving to Cloudflare.
      type: list
      elements: str
    activated_on:
      description: When the zone became active, V(null) until then.
      type: str
    account:
      description: C(id) and C(name) of the owning account.
      type: dict
    type:
      description: Zone type.
      type: str
      sample: full
    paused:
      description: Whether Cloudflare's proxy is paused for the zone.
      type: bool
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import (
    client_for,
    cloudflare_argument_spec,
    zone_view,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError, validate_domain_name, wait_for
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

SPEC = dict(
    argument_spec=dict(
        cloudflare_argument_spec(),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        type=dict(type="str", choices=["full", "partial"], default="full"),
        activation_check=dict(type="bool", default=False),
        wait_active=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
        wait_interval=dict(type="int", default=10),
    ),
    supports_check_mode=True,
)


def ensure_present(ctx, client, name, zone):
    """(changed, zone after) for state=present, given the zone found by name (or None)."""
    params = ctx.params
    if zone is None:
        if not params["account_id"]:
            raise SpecError("account_id", "required to create zone %s" % name)
        if ctx.check_mode:
            return True, {"id": None, "name": name, "status": "pending", "type": params["type"],
                          "account": {"id": params["account_id"]}, "paused": False}
        return True, client.create_zone(name, params["type"])
    if zone.get("type") != params["type"]:
        if ctx.check_mode:
            return True, dict(zone, type=params["type"])
        return True, client.update_zone(zone["id"], {"type": params["type"]})
    return False, zone


def request_activation_check(ctx, client, zone):
    """Ask Cloudflare to check the delegation now; True when it accepted."""
    if not ctx.params["activation_check"] or ctx.check_mode or zone.get("status") != "pending":
        return False
    try:
        client.activation_check(zone["id"])
    except ApiError as err:
        ctx.warn("Activation check not accepted (Cloudflare rate-limits it): %s" % err)
        return False
    return True


def wait_until_active(ctx, client, zone):
    params = ctx.params
    active, zone = wait_for(lambda: client.get_zone(zone["id"]), lambda found: found.get("status") == "active",
                            time.monotonic() + params["wait_timeout"], params["wait_interval"], value=zone)
    if not active:
        raise Failure("Zone %s is still %s after %d s; Cloudflare expects the nameservers %s"
                      % (zone["name"], zone.get("status"), params["wait_timeout"],
                         ", ".join(zone.get("name_servers") or []) or "(none assigned yet)"),
                      zone=zone_view(zone))
    return zone


def run(ctx):
    params = ctx.params
    name = validate_domain_name(params["name"], "name")
    client = client_for(ctx)
    existing = client.find_zone(name)
    before = zone_view(existing) if existing else None
    if params["state"] == "absent":
        if existing is not None and not ctx.check_mode:
            client.delete_zone(existing["id"])
        return dict(changed=existing is not None, zone=None, diff=dict(before=before, after=None))
    changed, zone = ensure_present(ctx, client, name, existing)
    checked = request_activation_check(ctx, client, zone)
    if params["wait_active"] and not ctx.check_mode:
        if checked:
            zone = client.get_zone(zone["id"])  # the check may have been quick: look before the first wait
        zone = wait_until_active(ctx, client, zone)
    return dict(changed=changed, zone=zone_view(zone), diff=dict(before=before, after=zone_view(zone)))


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
