#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudflare_zone_settings
short_description: Set Cloudflare zone settings such as the SSL mode
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Reads the settings named in O(settings) (one request per setting, or a single read of all settings when
    more than two are managed) and updates only the ones whose value differs, one PATCH per setting.
  - Settings not named are left alone.
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
  zone:
    description:
      - Name of the zone. One of O(zone) and O(zone_id) is required.
      - In check mode a zone that does not exist yet (an earlier task would create it) is reported with
        every setting as a change, with a warning.
    type: str
  zone_id:
    description:
      - Id of the zone. One of O(zone) and O(zone_id) is required. With both, the zone is not looked up.
    type: str
  settings:
    description:
      - Setting id to value, using Cloudflare's setting ids.
      - V(ssl) is one of V(off), V(flexible), V(full), V(strict) (V(strict) is "Full (strict)").
      - V(min_tls_version) is one of V("1.0"), V("1.1"), V("1.2"), V("1.3"); numbers such as V(1.2) are accepted.
      - V(always_use_https) and every other setting given a boolean take V(true)/V(false) or V(on)/V(off)
        and are sent as C(on)/C(off) (YAML reads a bare V(on) as a boolean).
      - Any other value is sent as given.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Strict TLS for the site
  fabrik.deploy.cloudflare_zone_settings:
    zone: example.com
    settings:
      ssl: strict
      always_use_https: true
      min_tls_version: "1.2"
"""

RETURN = r"""
settings:
  description:
    - The managed settings and their values after the change (in check mode, the values they would have).
  returned: always
  type: dict
  sample: {ssl: strict, always_use_https: "on", min_tls_version: "1.2"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import client_for, cloudflare_argument_spec
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare_settings import normalize_settings, settings_changes
from ansible_collections.fabrik.deploy.plugins.module_utils._common import validate_domain_name

SPEC = dict(
    argument_spec=dict(
        cloudflare_argument_spec(),
        zone=dict(type="str"),
        zone_id=dict(type="str"),
        settings=dict(type="dict", required=True),
    ),
    required_one_of=[("zone", "zone_id")],
    supports_check_mode=True,
)


def zone_id_of(ctx, client):
    """The zone's id; None in check mode when the zone does not exist yet."""
    params = ctx.params
    if params["zone"]:
        name = validate_domain_name(params["zone"], "zone")
    if params["zone_id"]:
        return params["zone_id"]
    zone = client.find_zone_or_placeholder(name, ctx.check_mode)
    if zone["id"] is None:
        ctx.warn("Zone %s does not exist yet; every setting is reported as a change." % name)
    return zone["id"]


def run(ctx):
    desired = normalize_settings(ctx.params["settings"])
    client = client_for(ctx)
    zone_id = zone_id_of(ctx, client)
    before = client.get_settings(zone_id, sorted(desired)) if zone_id else {}
    changes = settings_changes(desired, before)
    after = dict(before, **changes)
    if not ctx.check_mode:
        for setting_id in sorted(changes):
            after[setting_id] = client.patch_setting(zone_id, setting_id, changes[setting_id])
    return dict(changed=bool(changes), settings=after, diff=dict(before=before, after=after))


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
