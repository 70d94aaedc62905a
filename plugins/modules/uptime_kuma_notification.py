#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uptime_kuma_notification
short_description: Manage an Uptime Kuma notification channel
version_added: 0.1.0
description:
  - Creates, updates or deletes a notification (a channel such as a webhook, e-mail or chat service that
    monitors report to).
  - "Identity: the notification's name (the lowest id when several share it)."
  - The provider settings in O(config) are compared key by key with the stored ones; keys not given are
    kept. Their values are never returned or shown in the diff, which only names the keys that change.
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
    description: The notification's name.
    type: str
    required: true
  type:
    description:
      - Provider id as Uptime Kuma names it, for example V(webhook), V(smtp), V(telegram), V(discord),
        V(slack). Required to create the notification.
    type: str
  config:
    description:
      - Provider settings with Uptime Kuma's field names, for example C(webhookURL) and
        C(webhookContentType) for V(webhook). Never logged.
    type: dict
    default: {}
  is_default:
    description: Attach the notification to every new monitor. Unset keeps the current setting (new - V(false)).
    type: bool
  apply_existing:
    description: On this write, also attach the notification to every existing monitor (not compared).
    type: bool
    default: false
  state:
    description: Whether the notification must exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Alerts to the ops webhook
  fabrik.deploy.uptime_kuma_notification:
    name: ops
    type: webhook
    config:
      webhookURL: "{{ vault_ops_webhook }}"
      webhookContentType: json
"""

RETURN = r"""
notification:
  description:
    - The notification after the run (in check mode, as it would be), without provider values;
      empty when absent.
  returned: always
  type: dict
  sample: {id: 1, name: ops, type: webhook, is_default: false, active: true,
           config_keys: [webhookContentType, webhookURL]}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, run
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import (
    client_from_module,
    connected,
    connection_argument_spec,
    notification_types,
    require_library,
)

SET = "(set)"
CHANGED = "(changed)"


def validate(params):
    name = (params["name"] or "").strip()
    if not name:
        raise SpecError("name", "a notification name expected")
    known = notification_types()
    if params["type"] is not None and known and params["type"] not in known:
        raise SpecError("type", "an Uptime Kuma provider id such as webhook, smtp or telegram expected, got %r"
                        % params["type"])
    reserved = sorted(set(params["config"]) & {"name", "type", "isDefault", "applyExisting", "id"})
    if reserved:
        raise SpecError("config.%s" % reserved[0], "set with the module's own option, not in config")
    return name


def public_view(item):
    if not item:
        return {}
    return {"id": item["id"], "name": item["name"], "type": item["type"], "is_default": item["isDefault"],
            "active": item["active"], "config_keys": sorted(item["config"])}


def diff_view(item, changed_keys=()):
    if not item:
        return {}
    config = {key: CHANGED if key in changed_keys else SET for key in item["config"]}
    return {"name": item["name"], "type": item["type"], "is_default": item["isDefault"], "config": config}


def apply_notification(module):
    params = module.params
    name = validate(params)
    client = client_from_module(module)
    with connected(client):
        matches = sorted((item for item in client.notifications() if item["name"] == name), key=lambda n: n["id"])
        current = matches[0] if matches else None
        if params["state"] == "absent":
            if current and not module.check_mode:
                client.delete_notification(current["id"])
            return dict(changed=bool(current), notification={},
                        diff={"before": diff_view(current), "after": {}})
        if current is None and params["type"] is None:
            raise SpecError("type", "required to create the notification %r" % name)
        base = current or {"id": None, "name": name, "type": params["type"], "active": True, "isDefault": False,
                           "config": {}}
        changed_keys = sorted(key for key, value in params["config"].items() if base["config"].get(key) != value)
        desired = dict(base, config=dict(base["config"], **params["config"]))
        for key, option in (("type", "type"), ("isDefault", "is_default")):
            if params[option] is not None:
                desired[key] = params[option]
        changed = current is None or bool(changed_keys) or any(desired[key] != base[key] for key in ("type", "isDefault"))
        if changed and not module.check_mode:
            payload = dict(desired["config"], name=name, type=desired["type"], isDefault=desired["isDefault"],
                           applyExisting=params["apply_existing"])
            desired["id"] = client.save_notification(payload, current["id"] if current else None)
        return dict(changed=changed, notification=public_view(desired),
                    diff={"before": diff_view(current), "after": diff_view(desired, changed_keys)})


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        type=dict(type="str"),
        config=dict(type="dict", default={}, no_log=True),
        is_default=dict(type="bool"),
        apply_existing=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    require_library(module)
    module.exit_json(**run(module, lambda: apply_notification(module)))


if __name__ == "__main__":
    main()
