#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uptime_kuma_notification
short_description: Manage Uptime Kuma notification channels
version_added: 0.1.0
description:
  - Creates, updates or deletes a notification (a channel such as a webhook, e-mail or chat service that
    monitors report to), or with O(notifications) several at once, with one login and one read.
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
    description: The notification's name. One of O(name) and O(notifications) is required.
    type: str
  notifications:
    description:
      - Several notifications, each with the options of a single one (O(name), O(type), O(config),
        O(is_default), O(apply_existing), O(state)). Notifications not listed are left alone.
    type: list
    elements: dict
    suboptions:
      name:
        description: The notification's name.
        type: str
        required: true
      type:
        description: Provider id, see O(type).
        type: str
      config:
        description: Provider settings, see O(config). Never logged.
        type: dict
        default: {}
      is_default:
        description: See O(is_default).
        type: bool
      apply_existing:
        description: See O(apply_existing).
        type: bool
        default: false
      state:
        description: Whether the notification must exist.
        type: str
        choices: [present, absent]
        default: present
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
      webhookURL: https://hooks.example.com/uptime-kuma/ops
      webhookContentType: json

- name: Several channels in one task (one login, one read)
  fabrik.deploy.uptime_kuma_notification:
    notifications:
      - name: ops
        type: webhook
        config:
          webhookURL: https://hooks.example.com/uptime-kuma/ops
          webhookContentType: json
      - name: on-call
        type: webhook
        is_default: true
        config:
          webhookURL: https://hooks.example.com/uptime-kuma/on-call
          webhookContentType: json
"""

RETURN = r"""
notifications:
  description: With O(notifications), each notification as RV(notification) describes it, in the order given.
  returned: with O(notifications)
  type: list
  elements: dict
notification:
  description:
    - The notification after the run (in check mode, as it would be), without provider values;
      empty when absent.
  returned: with O(name)
  type: dict
  sample: {id: 1, name: ops, type: webhook, is_default: false, active: true,
           config_keys: [webhookContentType, webhookURL]}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import (
    NOTIFICATION_OPTIONS,
    client_for,
    connected,
    connection_argument_spec,
    require_library,
    validate_notification,
)

SET = "(set)"
CHANGED = "(changed)"

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        name=dict(type="str"),
        notifications=dict(type="list", elements="dict", options=NOTIFICATION_OPTIONS),
        type=dict(type="str"),
        config=dict(type="dict", default={}, no_log=True),
        is_default=dict(type="bool"),
        apply_existing=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ),
    required_one_of=[("name", "notifications")],
    mutually_exclusive=[("name", "notifications")],
    supports_check_mode=True,
)


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


def converge_one(ctx, client, spec, existing, field=""):
    """(changed, public view, diff before, diff after) of one notification against the ``existing`` list."""
    name = spec["name"].strip()
    config = spec["config"] or {}
    matches = sorted((item for item in existing if item["name"] == name), key=lambda n: n["id"])
    current = matches[0] if matches else None
    if spec["state"] == "absent":
        if current and not ctx.check_mode:
            client.delete_notification(current["id"])
        return bool(current), {}, diff_view(current), {}
    if current is None and spec["type"] is None:
        raise SpecError(field + "type", "required to create the notification %r" % name)
    base = current or {"id": None, "name": name, "type": spec["type"], "active": True, "isDefault": False,
                       "config": {}}
    changed_keys = sorted(key for key, value in config.items() if base["config"].get(key) != value)
    desired = dict(base, config=dict(base["config"], **config))
    for key, option in (("type", "type"), ("isDefault", "is_default")):
        if spec[option] is not None:
            desired[key] = spec[option]
    changed = current is None or bool(changed_keys) or any(desired[key] != base[key] for key in ("type", "isDefault"))
    if changed and not ctx.check_mode:
        payload = dict(desired["config"], name=name, type=desired["type"], isDefault=desired["isDefault"],
                       applyExisting=spec["apply_existing"])
        desired["id"] = client.save_notification(payload, current["id"] if current else None)
        if current is None:
            desired["id"] = settle_created(ctx, client, name, desired["id"])
    return changed, public_view(desired), diff_view(current), diff_view(desired, changed_keys)


def settle_created(ctx, client, name, created_id):
    """After adding ``name``: of two runs adding it at once, both continue with the oldest, and this run's
    newer one (nothing uses it yet) is deleted. The id kept."""
    oldest = min((item["id"] for item in client.notifications() if item["name"] == name), default=created_id)
    if oldest != created_id:
        client.delete_notification(created_id)
        ctx.warn("notification %r was added by a concurrent run too: kept the oldest (id %s), deleted this run's "
                 "(id %s)" % (name, oldest, created_id))
    return oldest


def run(ctx):
    require_library()
    params = ctx.params
    if params["notifications"] is None:
        specs, fields = [params], [""]
    else:
        specs = params["notifications"]
        fields = ["notifications[%d]." % index for index in range(len(specs))]
    names = [validate_notification(spec, field) for spec, field in zip(specs, fields)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise SpecError("notifications", "listed more than once: %s" % ", ".join(duplicates))
    client = client_for(ctx)
    with connected(client):
        existing = client.notifications()
        outcomes = [converge_one(ctx, client, spec, existing, field) for spec, field in zip(specs, fields)]
    changed = any(outcome[0] for outcome in outcomes)
    if params["notifications"] is None:
        changed, view, before, after = outcomes[0]
        return dict(changed=changed, notification=view, diff={"before": before, "after": after})
    return dict(changed=changed, notifications=[outcome[1] for outcome in outcomes],
                diff={"before": {"notifications": [outcome[2] for outcome in outcomes if outcome[2]]},
                      "after": {"notifications": [outcome[3] for outcome in outcomes if outcome[3]]}})


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
