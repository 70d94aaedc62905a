#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uptime_kuma_status_page
short_description: Manage an Uptime Kuma status page
version_added: 0.1.0
description:
  - Creates a status page, sets its texts and the monitors it shows, or deletes it.
  - "Identity: the slug."
  - The page is saved whole (Uptime Kuma has no partial update); the keys sent depend on the server
    version (C(analyticsType) from 2.1, C(googleAnalyticsId) before), settings the module does not manage
    are sent back unchanged.
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
  slug:
    description: The page's address part, C(/status/<slug>); lower-case letters, digits and inner hyphens.
    type: str
    required: true
  title:
    description: The page's title. Required to create the page.
    type: str
  description:
    description: Text under the title.
    type: str
  footer_text:
    description: Text in the page's footer.
    type: str
  published:
    description: Whether the page is public.
    type: bool
  show_powered_by:
    description: Show the "Powered by Uptime Kuma" line.
    type: bool
  show_certificate_expiry:
    description: Show the days left on the monitored sites' certificates.
    type: bool
  analytics_type:
    description:
      - Web analytics of the page, V(none) to remove it. Uptime Kuma before 2.1 only knows V(google).
    type: str
    choices: [google, umami, plausible, matomo, rybbit, none]
  analytics_id:
    description: The analytics property or site id; required with O(analytics_type) other than V(none).
    type: str
  monitors:
    description:
      - Names of the monitors shown, in this order, in one group named O(group_name); the page's other
        groups are removed. Unset keeps the page's groups as they are.
      - A name must match exactly one monitor (among those carrying O(tag) when it is set).
    type: list
    elements: str
  group_name:
    description: Name of the group holding O(monitors).
    type: str
    default: Services
  tag:
    description:
      - Resolve O(monitors) among the monitors carrying this tag (V(name) or V(name:value)), as
        M(fabrik.deploy.uptime_kuma_monitors) sets it.
    type: str
  state:
    description: Whether the page must exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Public status of a site
  fabrik.deploy.uptime_kuma_status_page:
    slug: example-com
    title: example.com status
    description: Availability of example.com
    tag: fabrik:example.com
    monitors: [example.com, example.com content]
"""

RETURN = r"""
status_page:
  description: The page after the run (in check mode, as it would be); empty when absent.
  returned: always
  type: dict
  sample:
    slug: example-com
    title: example.com status
    description: Availability of example.com
    published: true
    groups: [{name: Services, monitors: [example.com]}]
    url: https://status.example.com/status/example-com
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import (
    client_for,
    connected,
    connection_argument_spec,
    has_tag,
    require_library,
    validate_slug,
    validate_tag_option,
)

# option -> config key, the same on every version
CONFIG_OPTIONS = {
    "title": "title",
    "description": "description",
    "footer_text": "footerText",
    "published": "published",
    "show_powered_by": "showPoweredBy",
    "show_certificate_expiry": "showCertificateExpiry",
}
NEW_PAGE_ICON = "/icon.svg"

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        slug=dict(type="str", required=True),
        title=dict(type="str"),
        description=dict(type="str"),
        footer_text=dict(type="str"),
        published=dict(type="bool"),
        show_powered_by=dict(type="bool"),
        show_certificate_expiry=dict(type="bool"),
        analytics_type=dict(type="str", choices=["google", "umami", "plausible", "matomo", "rybbit", "none"]),
        analytics_id=dict(type="str"),
        monitors=dict(type="list", elements="str"),
        group_name=dict(type="str", default="Services"),
        tag=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ),
    supports_check_mode=True,
)


def validate(params):
    slug = validate_slug(params["slug"])
    if params["analytics_type"] not in (None, "none") and not params["analytics_id"]:
        raise SpecError("analytics_id", "required with analytics_type %s" % params["analytics_type"])
    if params["monitors"] is not None:
        names = [str(name).strip() for name in params["monitors"]]
        if any(not name for name in names) or len(set(names)) != len(names):
            raise SpecError("monitors", "a list of distinct monitor names expected")
    if not str(params["group_name"] or "").strip():
        raise SpecError("group_name", "a group name expected")
    return slug, validate_tag_option(params["tag"]) if params["tag"] else None


def analytics_changes(params, client):
    """The version-specific analytics keys for the options given."""
    kind = params["analytics_type"]
    if kind is None:
        return {}
    identifier = None if kind == "none" else params["analytics_id"]
    if client.at_least(2, 1):
        return {"analyticsType": None if kind == "none" else kind, "analyticsId": identifier}
    if kind not in ("google", "none"):
        raise SpecError("analytics_type", "Uptime Kuma %s only supports google analytics, got %s"
                        % (client.version, kind))
    return {"googleAnalyticsId": identifier}


def resolve_monitors(names, monitors, tag):
    """Monitor ids of ``names`` in order; each must match exactly one monitor."""
    if tag:
        monitors = [monitor for monitor in monitors if has_tag(monitor, tag[0], tag[1])]
    ids = []
    for index, name in enumerate(names):
        found = [monitor["id"] for monitor in monitors if monitor["name"] == name]
        if len(found) != 1:
            problem = "no monitor" if not found else "%d monitors" % len(found)
            scope = " carrying the tag %s" % ":".join(tag) if tag else ""
            raise SpecError("monitors[%d]" % index, "%s called %r%s" % (problem, name, scope))
        ids.append(found[0])
    return ids


def group_shape(groups):
    """[(group name, [monitor ids])] of a publicGroupList."""
    return [(group["name"], [entry["id"] for entry in group.get("monitorList") or []]) for group in groups]


def page_view(config, groups, names, base_url):
    if config is None:
        return {}
    view = {option: config.get(key) for option, key in CONFIG_OPTIONS.items()}
    view["slug"] = config["slug"]
    view["analytics_type"] = config.get("analyticsType", "google" if config.get("googleAnalyticsId") else None)
    view["analytics_id"] = config.get("analyticsId", config.get("googleAnalyticsId"))
    view["groups"] = [{"name": name, "monitors": [names.get(item, item) for item in ids]} for name, ids in groups]
    view["url"] = "%s/status/%s" % (base_url, config["slug"])
    return view


def run(ctx):
    require_library()
    params = ctx.params
    slug, tag = validate(params)
    client = client_for(ctx)
    with connected(client):
        analytics = analytics_changes(params, client)
        page = client.get_status_page(slug)
        monitors = client.monitors()
        names = {monitor["id"]: monitor["name"] for monitor in monitors}
        wanted_ids = resolve_monitors(params["monitors"], monitors, tag) if params["monitors"] is not None else None
        if params["state"] == "absent":
            if page and not ctx.check_mode:
                client.delete_status_page(slug)
            before = page_view(page, group_shape(page["publicGroupList"]), names, client.url) if page else {}
            return dict(changed=bool(page), status_page={}, diff={"before": before, "after": {}})
        if page is None and not params["title"]:
            raise SpecError("title", "required to create the status page %r" % slug)
        current_groups = group_shape(page["publicGroupList"]) if page else []
        config = {key: (page or {}).get(key) for key in client.status_page_config_keys()}
        config.update(slug=slug, **analytics)
        config.update({key: params[option] for option, key in CONFIG_OPTIONS.items() if params[option] is not None})
        groups = current_groups if wanted_ids is None else [(params["group_name"], wanted_ids)]
        before_config = {key: (page or {}).get(key) for key in config}
        changed = page is None or config != before_config or groups != current_groups
        if changed and not ctx.check_mode:
            save_page(client, page, slug, config, groups)
        before = page_view(page, current_groups, names, client.url) if page else {}
        after = page_view(dict(config), groups, names, client.url)
        return dict(changed=changed, status_page=after, diff={"before": before, "after": after})


def save_page(client, page, slug, config, groups):
    """Create the page if needed, then save it whole (keeping the ids of groups that stay)."""
    if page is None:
        client.add_status_page(slug, config["title"])
        page = client.get_status_page(slug)
        config = dict({key: page.get(key) for key in client.status_page_config_keys()},
                      **{key: value for key, value in config.items() if value is not None})
    existing = {group["name"]: group["id"] for group in page["publicGroupList"]}
    public_groups = []
    for name, ids in groups:
        group = {"name": name, "monitorList": [{"id": monitor_id} for monitor_id in ids]}
        if name in existing:
            group["id"] = existing[name]
        public_groups.append(group)
    client.save_status_page(slug, config, page.get("icon") or NEW_PAGE_ICON, public_groups)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
