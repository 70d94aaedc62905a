#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uptime_kuma_tag
short_description: Manage an Uptime Kuma tag
version_added: 0.1.0
description:
  - Creates a tag, sets its colour, or deletes it.
  - "Identity: the tag's name. Uptime Kuma allows several tags of one name; the module works on the one
    with the lowest id and reports how many share the name."
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.uptime_kuma
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description: The tag's name.
    type: str
    required: true
  color:
    description:
      - Colour as V(#rrggbb). Required to create the tag; when unset an existing tag keeps its colour.
    type: str
  state:
    description:
      - Whether the tag must exist. Deleting a tag removes it from every monitor carrying it.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: The tag marking the collection's monitors
  fabrik.deploy.uptime_kuma_tag:
    name: fabrik
    color: "#2563eb"
"""

RETURN = r"""
tag:
  description: The tag after the run (in check mode, as it would be); empty when absent.
  returned: always
  type: dict
  sample: {id: 1, name: fabrik, color: "#2563eb"}
duplicates:
  description: How many other tags have the same name.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import (
    client_for,
    connected,
    connection_argument_spec,
    require_library,
    validate_color,
)

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        name=dict(type="str", required=True),
        color=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ),
    supports_check_mode=True,
)


def tag_view(tag):
    return {"id": tag["id"], "name": tag["name"], "color": str(tag["color"]).lower()} if tag else {}


def run(ctx):
    require_library()
    params = ctx.params
    name = (params["name"] or "").strip()
    if not name:
        raise SpecError("name", "a tag name expected")
    color = validate_color(params["color"], "color") if params["color"] is not None else None
    client = client_for(ctx)
    with connected(client):
        matches = sorted((tag for tag in client.tags() if tag["name"] == name), key=lambda tag: tag["id"])
        current = tag_view(matches[0]) if matches else {}
        after = dict(current)
        if params["state"] == "absent":
            after = {}
        elif not current:
            if color is None:
                raise SpecError("color", "required to create the tag %r" % name)
            after = {"id": None, "name": name, "color": color}
        elif color is not None:
            after["color"] = color
        changed = after != current
        if changed and not ctx.check_mode:
            if not after:
                client.delete_tag(current["id"])
            elif not current:
                after = tag_view(client.add_tag_once(name, color, ctx.warnings))
            else:
                client.edit_tag(current["id"], name, color)
        return dict(changed=changed, tag=after, duplicates=max(0, len(matches) - 1),
                    diff={"before": _diff(current), "after": _diff(after)})


def _diff(view):
    return {key: value for key, value in view.items() if key != "id"}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
