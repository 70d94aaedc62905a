#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uptime_kuma_monitors
short_description: Manage the set of Uptime Kuma monitors of a site
version_added: 0.1.0
description:
  - Makes the monitors carrying an ownership tag match a desired list, in one task.
  - Reads the monitor list, the tags and the notifications once, then creates, edits (reading the
    monitor, merging the change and sending it whole, as the server expects) or deletes only what differs.
  - "Identity: a monitor is the one of that name carrying the tag O(tag) (name and value). When there is
    none, a monitor of that name carrying no tag named like O(tag) at all is adopted: it gets the tag.
    This is also how a run interrupted between creating a monitor and tagging it is repaired, so reruns
    never leave duplicates."
  - Every input is checked before the first write, the version-specific rules (interval bounds) right
    after login, the notification names after the read.
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
  tag:
    description:
      - The tag marking the monitors this task owns, as V(name) or V(name:value), for example
        V(fabrik:site-one) (tag C(fabrik), value C(site-one)). The tag is created when missing.
    type: str
    required: true
  tag_color:
    description:
      - Colour of the tag when the module creates it, as V(#rrggbb). An existing tag keeps its colour
        (see M(fabrik.deploy.uptime_kuma_tag)).
    type: str
    default: "#2563eb"
  prune:
    description:
      - Delete the monitors carrying O(tag) that are not listed.
    type: bool
    default: false
  monitors:
    description:
      - The desired monitors. Options left unset keep their current value on an existing monitor and get
        the default shown on a new one.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Monitor name, unique in the list.
        type: str
        required: true
      type:
        description:
          - One of V(http), V(keyword), V(json-query), V(ping), V(port), V(dns), V(push), V(group).
          - An option that does not apply to the type is refused.
        type: str
        required: true
      description:
        description: Free text shown with the monitor.
        type: str
      url:
        description: The http(s) URL checked; required for V(http), V(keyword) and V(json-query).
        type: str
      method:
        description: HTTP method (new monitors - V(GET)).
        type: str
      hostname:
        description: Host name or IP address; required for V(ping), V(port) and V(dns).
        type: str
      port:
        description: TCP port (1..65535); required for V(port); V(dns) defaults to 53.
        type: int
      keyword:
        description: Text the page must contain; required for V(keyword).
        type: str
      invert_keyword:
        description: Up when the keyword is absent instead (new monitors - V(false)).
        type: bool
      json_path:
        description: JSONata expression evaluated on the response; required for V(json-query).
        type: str
      expected_value:
        description: Value the expression must return; required for V(json-query).
        type: str
      interval:
        description:
          - Seconds between two checks (new monitors - 60). Uptime Kuma 1.23 and 2.0 accept 20..2073600,
            2.1 and later any value from 1.
        type: int
      retry_interval:
        description: Seconds between checks while failing (new monitors - 60); same bounds as O(monitors[].interval).
        type: int
      resend_interval:
        description: Resend the down notification every this many failing checks, 0 for never (new monitors - 0).
        type: int
      max_retries:
        description: Failed checks before the monitor is down (new monitors - 0).
        type: int
      timeout:
        description: Request timeout in seconds for HTTP types (new monitors - 0.8 times the interval).
        type: int
      accepted_status_codes:
        description: Status codes counted as up, such as V(200-299) or V(301) (new monitors - V([200-299])).
        type: list
        elements: str
      expiry_notification:
        description: Notify before the site's TLS certificate expires (new monitors - V(false)).
        type: bool
      ignore_tls:
        description: Ignore TLS errors (new monitors - V(false)).
        type: bool
      max_redirects:
        description: Redirects followed, 0 for none (new monitors - 10).
        type: int
      upside_down:
        description: Up when the check fails (new monitors - V(false)).
        type: bool
      dns_resolve_type:
        description: Record type resolved by V(dns) monitors (new monitors - V(A)).
        type: str
      dns_resolve_server:
        description: Resolver of V(dns) monitors (new monitors - V(1.1.1.1)).
        type: str
      notifications:
        description:
          - Names of the notifications attached to the monitor; V([]) detaches all. Unset keeps them.
          - An unknown name fails the task before any write; in check mode it only warns, since an earlier
            task of the same run may be about to create the notification.
        type: list
        elements: str
      parent:
        description: Name of a V(group) monitor of this list containing this monitor; unset means top level.
        type: str
notes:
  - The push token of a new V(push) monitor is generated by the module and not returned; read it in
    the web interface.
"""

EXAMPLES = r"""
# The server and the login come from UPTIME_KUMA_URL, UPTIME_KUMA_USERNAME and UPTIME_KUMA_PASSWORD.
- name: Monitors of a site
  fabrik.deploy.uptime_kuma_monitors:
    tag: fabrik:example.com
    prune: true
    monitors:
      - name: example.com
        type: http
        url: https://example.com
        expiry_notification: true
        notifications: [ops]
      - name: example.com content
        type: keyword
        url: https://example.com
        keyword: Welcome
        interval: 300
"""

RETURN = r"""
monitors:
  description:
    - The monitors carrying the tag after the run (in check mode, as they would be), sorted by name,
      with the options their type uses; O(monitors[].notifications) and O(monitors[].parent) by name.
  returned: always
  type: list
  elements: dict
  sample:
    - {id: 3, name: example.com, type: http, url: "https://example.com", interval: 60, notifications: [ops],
       parent: null, active: true}
created:
  description: Names of the monitors created.
  returned: always
  type: list
  elements: str
updated:
  description: Names of the monitors edited or adopted.
  returned: always
  type: list
  elements: str
deleted:
  description: Names of the monitors deleted (O(prune=true)).
  returned: always
  type: list
  elements: str
server_version:
  description: The version the server reports.
  returned: always
  type: str
  sample: 2.5.3
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, keyed_for_diff, sorted_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import (
    MONITOR_OPTIONS,
    check_interval_bounds,
    client_for,
    connected,
    connection_argument_spec,
    has_tag,
    monitor_fields,
    monitor_view,
    require_library,
    validate_color,
    validate_monitors,
    validate_tag_option,
)

LIST_FIELDS = ("accepted_statuscodes", "notificationIDList")

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        tag=dict(type="str", required=True),
        tag_color=dict(type="str", default="#2563eb"),
        prune=dict(type="bool", default=False),
        monitors=dict(type="list", elements="dict", required=True, options=MONITOR_OPTIONS),
    ),
    supports_check_mode=True,
)


class Owner:
    """The ownership tag: name, value and (once known) id."""

    def __init__(self, name, value, tag_id=None):
        self.name = name
        self.value = value
        self.id = tag_id

    def owns(self, monitor):
        return has_tag(monitor, self.name, self.value)

    def may_adopt(self, monitor):
        return not has_tag(monitor, self.name)


def resolve_notifications(desired, notifications, check_mode=False):
    """(name -> id of the notifications the specs use, warnings); an unknown name is a SpecError.

    In check mode an unknown name gets a negative stand-in id and a warning instead: an earlier task of
    the same check run may be about to create it.
    """
    ids, warnings = {}, []
    for item in sorted(notifications, key=lambda item: item["id"]):
        ids.setdefault(item["name"], item["id"])
    known = ", ".join(sorted(ids)) or "none"
    for index, spec in enumerate(desired):
        for name in spec.get("notifications") or []:
            if name in ids:
                continue
            field = "monitors[%d].notifications" % index
            if not check_mode:
                raise SpecError(field, "no notification called %r on the server (known: %s)" % (name, known))
            ids[name] = -1 - len(warnings)
            warnings.append("%s: no notification called %r on the server yet; check mode assumes an earlier "
                            "task creates it" % (field, name))
    return ids, warnings


def creation_order(desired):
    """Specs with every group before the monitors it contains."""
    by_name = {spec["name"]: spec for spec in desired}

    def depth(spec):
        level = 0
        while spec.get("parent"):
            spec, level = by_name[spec["parent"]], level + 1
        return level

    return sorted(desired, key=depth)


def match_monitors(desired, monitors, owner):
    """name -> current monitor (owned first, else adoptable), the owned monitors no spec matches, and the
    newer owned monitors of a name the oldest one has (duplicates, which concurrent runs could leave)."""
    ordered = sorted(monitors, key=lambda monitor: monitor["id"])
    owned, adoptable = {}, {}
    surplus = []
    for monitor in ordered:
        if owner.owns(monitor):
            if monitor["name"] in owned:
                surplus.append(monitor)
            else:
                owned[monitor["name"]] = monitor
        elif owner.may_adopt(monitor):
            adoptable.setdefault(monitor["name"], monitor)
    wanted = {spec["name"] for spec in desired}
    matched = {}
    for name in wanted:
        current = owned.get(name) or adoptable.get(name)
        if current is not None:
            matched[name] = current
    unlisted = [monitor for name, monitor in owned.items() if name not in wanted]
    return matched, unlisted, surplus


def desired_fields(spec, notification_ids, creating):
    fields = monitor_fields(spec, creating)
    if "notifications" in spec:
        fields["notificationIDList"] = sorted(notification_ids[name] for name in spec["notifications"])
    elif creating:
        fields["notificationIDList"] = []
    return fields


def field_changes(current, fields):
    """The server fields whose desired value differs from ``current``."""
    changes = {}
    for key, value in fields.items():
        have = current.get(key)
        if key in LIST_FIELDS:
            differs = sorted(have or []) != sorted(value)
        else:
            differs = have != value
        if differs:
            changes[key] = value
    return changes


class Plan:
    """What to do, computed from one read; ``apply`` performs it."""

    def __init__(self, desired, monitors, notifications, owner, prune, check_mode=False):
        self.owner = owner
        self.notification_ids, self.warnings = resolve_notifications(desired, notifications, check_mode)
        self.notification_names = {item_id: name for name, item_id in self.notification_ids.items()}
        self.notification_names.update((item["id"], item["name"]) for item in notifications)
        self.ids_to_names = {monitor["id"]: monitor["name"] for monitor in monitors}
        self.matched, unlisted, surplus = match_monitors(desired, monitors, owner)
        self.desired = creation_order(desired)
        # A duplicate of an owned monitor is deleted whatever prune says: the oldest of the name is the one kept.
        self.deletions = (unlisted if prune else []) + surplus
        self.kept = [] if prune else unlisted
        self.created, self.updated = [], []
        self.after_views = []
        for spec in self.desired:
            self._plan_one(spec)

    def _current_parent_name(self, monitor):
        parent = monitor.get("parent")
        return self.ids_to_names.get(parent) if parent is not None else None

    def _plan_one(self, spec):
        current = self.matched.get(spec["name"])
        fields = desired_fields(spec, self.notification_ids, creating=current is None)
        if current is None:
            self.created.append(spec["name"])
            synthetic = dict(fields, parent=spec.get("parent"), id=None)
            self.after_views.append(monitor_view(synthetic, self.notification_names, {}))
            return
        changes = field_changes(current, fields)
        moved = self._current_parent_name(current) != spec.get("parent")
        adopted = not self.owner.owns(current)
        if changes or moved or adopted:
            self.updated.append(spec["name"])
        after = dict(current, **changes)
        after["parent"] = spec.get("parent")
        self.after_views.append(monitor_view(after, self.notification_names, {}))

    @property
    def changed(self):
        return bool(self.created or self.updated or self.deletions)

    def before_views(self):
        current = list(self.matched.values()) + self.deletions + self.kept
        return [monitor_view(monitor, self.notification_names, self.ids_to_names) for monitor in current]

    def after(self):
        kept = [monitor_view(monitor, self.notification_names, self.ids_to_names) for monitor in self.kept]
        return self.after_views + kept

    def apply(self, client, color, notes):
        if self.owner.id is None and self.desired:
            self.owner.id = client.add_tag_once(self.owner.name, color, notes)["id"]
        ids = {name: monitor["id"] for name, monitor in self.matched.items()}
        for spec in self.desired:
            parent_id = ids[spec["parent"]] if spec.get("parent") else None
            current = self.matched.get(spec["name"])
            if current is None:
                fields = desired_fields(spec, self.notification_ids, creating=True)
                ids[spec["name"]] = self._add(client, spec["name"], dict(fields, parent=parent_id), notes)
                continue
            if not self.owner.owns(current):
                client.add_monitor_tag(self.owner.id, current["id"], self.owner.value)
            changes = field_changes(current, desired_fields(spec, self.notification_ids, creating=False))
            if current.get("parent") != parent_id:
                changes["parent"] = parent_id
            if changes:
                client.edit_monitor(current["id"], changes)
        # Plain monitors first: deleting a group first would only move its children to the top level.
        for monitor in sorted(self.deletions, key=lambda item: item.get("type") == "group"):
            client.delete_monitor(monitor["id"])

    def _add(self, client, name, fields, notes):
        """Add the monitor and tag it; when a concurrent run added one of that name meanwhile (found by reading
        the list again), both runs keep the oldest and this run's is deleted. The id kept."""
        created = client.add_monitor(fields)
        older = [monitor for monitor in client.monitors(refresh=True)
                 if monitor["name"] == name and monitor["id"] < created
                 and (self.owner.owns(monitor) or self.owner.may_adopt(monitor))]
        if not older:
            client.add_monitor_tag(self.owner.id, created, self.owner.value)
            return created
        oldest = min(older, key=lambda monitor: monitor["id"])
        client.delete_monitor(created)
        notes.append("monitor %r was added by a concurrent run too: kept the oldest (id %s), deleted this run's "
                     "(id %s)" % (name, oldest["id"], created))
        # The run that added it tags it (a second link of the same tag would show twice).
        return oldest["id"]


def diff_view(views):
    """Monitors by name, without their ids: a diff side Ansible's callbacks can render."""
    return keyed_for_diff([{key: value for key, value in view.items() if key != "id"} for view in views], "name")


def run(ctx):
    require_library()
    params = ctx.params
    desired = validate_monitors(params["monitors"])
    tag_name, tag_value = validate_tag_option(params["tag"])
    color = validate_color(params["tag_color"], "tag_color")
    client = client_for(ctx)
    with connected(client):
        check_interval_bounds(desired, client.release)
        monitors = client.monitors()
        tag = client.settle_duplicate_tags(tag_name, monitors, ctx.warnings)
        owner = Owner(tag_name, tag_value, tag["id"] if tag else None)
        plan = Plan(desired, monitors, client.notifications(), owner, params["prune"], ctx.check_mode)
        for warning in plan.warnings:
            ctx.warn(warning)
        before, after = plan.before_views(), plan.after()
        if plan.changed and not ctx.check_mode:
            plan.apply(client, color, ctx.warnings)
            names = {monitor["id"]: monitor["name"] for monitor in client.monitors(refresh=True)}
            notification_names = {item["id"]: item["name"] for item in client.notifications()}
            after = [monitor_view(monitor, notification_names, names)
                     for monitor in client.monitors() if owner.owns(monitor)]
        return dict(
            changed=plan.changed,
            monitors=sorted_for_diff(after, "name"),
            created=sorted(plan.created),
            updated=sorted(plan.updated),
            deleted=sorted(monitor["name"] for monitor in plan.deletions),
            server_version=client.version,
            diff={"before": diff_view(before), "after": diff_view(after)},
        )


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
