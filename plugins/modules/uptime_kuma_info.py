#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uptime_kuma_info
short_description: Read monitors, tags, notifications and status pages from Uptime Kuma
version_added: 0.1.0
description:
  - Returns the server version and what the other C(uptime_kuma_*) modules manage, in their option names.
  - Provider settings of notifications and credentials of monitors are never returned.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.uptime_kuma
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  tag:
    description:
      - Only return the monitors carrying this tag, as V(name) or V(name:value).
    type: str
"""

EXAMPLES = r"""
- name: What the site's monitoring looks like
  fabrik.deploy.uptime_kuma_info:
    tag: fabrik:example.com
  register: kuma
"""

RETURN = r"""
server_version:
  description: The version the server reports.
  returned: always
  type: str
  sample: 2.5.3
monitors:
  description: Monitors (filtered by O(tag)), sorted by name, as M(fabrik.deploy.uptime_kuma_monitors) returns them.
  returned: always
  type: list
  elements: dict
tags:
  description: Every tag, C(id), C(name), C(color), sorted by name.
  returned: always
  type: list
  elements: dict
notifications:
  description: Every notification with C(id), C(name), C(type), C(is_default), C(active) and C(config_keys).
  returned: always
  type: list
  elements: dict
status_pages:
  description: Slugs of the status pages.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import sorted_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import (
    client_for,
    connected,
    connection_argument_spec,
    has_tag,
    monitor_view,
    require_library,
    validate_tag_option,
)

SPEC = dict(
    argument_spec=dict(connection_argument_spec(), tag=dict(type="str")),
    supports_check_mode=True,
)


def run(ctx):
    require_library()
    tag = validate_tag_option(ctx.params["tag"]) if ctx.params["tag"] else None
    client = client_for(ctx)
    with connected(client):
        monitors = client.monitors()
        notifications = client.notifications()
        names = {monitor["id"]: monitor["name"] for monitor in monitors}
        notification_names = {item["id"]: item["name"] for item in notifications}
        selected = [monitor for monitor in monitors if tag is None or has_tag(monitor, *tag)]
        return dict(
            changed=False,
            server_version=client.version,
            monitors=sorted_for_diff([monitor_view(m, notification_names, names) for m in selected], "name"),
            tags=sorted_for_diff([{"id": t["id"], "name": t["name"], "color": t["color"]} for t in client.tags()],
                                 ("name", "id")),
            notifications=sorted_for_diff([
                {"id": n["id"], "name": n["name"], "type": n["type"], "is_default": n["isDefault"],
                 "active": n["active"], "config_keys": sorted(n["config"])} for n in notifications], ("name", "id")),
            status_pages=client.status_page_slugs(),
        )


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
