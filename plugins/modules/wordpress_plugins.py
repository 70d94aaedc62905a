#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_plugins
short_description: Install, activate, deactivate and remove WordPress plugins
version_added: 0.1.0
description:
  - Reads the installed plugins once (C(/wp/v2/plugins)) and changes only the plugins whose state differs.
  - A missing plugin is installed from O(plugins[].src) through the fabrik connector (a zip on the
    controller is uploaded, a URL is downloaded by the site), or, without O(plugins[].src), from the
    WordPress.org directory by its slug (core REST API).
  - Before installing anything, the plugins to install from WordPress.org are looked up from the site itself
    (fabrik connector 1.1 or later, C(/fabrik/v1/plugins/sources)); when the site cannot download one (no
    internet, a blocked or unknown plugin), the module fails without a change, naming each such plugin (by
    O(plugins[].required_by) when given), the reason and what to do (O(plugins[].hint)). Check mode looks them up
    too.
  - Activation, deactivation and removal use the core REST API. An active plugin is deactivated before
    it is removed.
  - "Identity: a plugin is found by its slug, the name of its directory under C(wp-content/plugins)
    (or of its file, for a single-file plugin)."
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.wordpress
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  plugins:
    description: The plugins to manage; plugins not listed are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      slug:
        description: The plugin's slug, for example V(wordpress-seo).
        type: str
        required: true
        aliases: [name]
      state:
        description:
          - V(present) installs without changing the activation, V(active) and V(inactive) install if needed
            and set the activation, V(absent) removes the plugin and its files.
        type: str
        choices: [present, active, inactive, absent]
        default: active
      src:
        description:
          - Where to install the plugin from when it is missing - a zip file on the controller or an
            C(http(s)) URL of a zip the site can download.
          - An installed plugin is not reinstalled from O(plugins[].src) (no upgrade).
        type: str
      required_by:
        description:
          - What asks for the plugin, for example the inventory variable V(wordpress_shop.mode); a plugin that
            cannot be installed is reported under this name (else as C(plugins[slug=<slug>])).
        type: str
      hint:
        description: What to do when the plugin cannot be installed, added to the failure message.
        type: str
"""

EXAMPLES = r"""
- name: Plugins of the site
  fabrik.deploy.wordpress_plugins:
    plugins:
      - slug: wordpress-seo
      - slug: acme-forms
        src: files/acme-forms-2.1.zip
      - slug: acme-cache
        src: https://downloads.example.com/acme-cache.zip
        state: inactive
      - slug: hello-dolly
        state: absent
"""

RETURN = r"""
plugins:
  description: The managed plugins after the run (in check mode, as they would be), sorted by slug.
  returned: always
  type: list
  elements: dict
  contains:
    slug:
      description: The plugin's slug.
      type: str
    plugin:
      description: The core REST API's id of the plugin (C(directory/file) without C(.php)); null when absent.
      type: str
    status:
      description: V(active), V(inactive), V(network-active) or V(absent).
      type: str
  sample:
    - {slug: acme-forms, plugin: acme-forms/acme-forms, status: active}
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import (
    Failure,
    SpecError,
    keyed_for_diff,
    sorted_for_diff,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import is_url, validate_plugins

ABSENT = "absent"
DEFAULT_HINT = "give its src (a zip on the controller, or a URL the site can download it from), or install it by hand"

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        plugins=dict(type="list", elements="dict", required=True, options=dict(
            slug=dict(type="str", required=True, aliases=["name"]),
            state=dict(type="str", choices=["present", "active", "inactive", "absent"], default="active"),
            src=dict(type="str"),
            required_by=dict(type="str"),
            hint=dict(type="str"),
        )),
    ),
    supports_check_mode=True,
)


def slug_of(plugin_id):
    """``dir/file`` -> ``dir``; a single-file plugin's id is its slug."""
    return plugin_id.split("/", 1)[0]


def view(slug, plugin):
    return {"slug": slug, "plugin": plugin["plugin"] if plugin else None,
            "status": plugin["status"] if plugin else ABSENT}


def target_status(state, current_status):
    if state == "present":
        return current_status if current_status != ABSENT else "inactive"
    return state if state != "absent" else ABSENT


def install(client, item):
    """Install a missing plugin; return its core REST record."""
    src, slug = item["src"], item["slug"]
    if not src:
        return client.install_plugin(slug)
    if is_url(src):
        answer = client.install_plugin_from_url(slug, src)
    else:
        with open(src, "rb") as handle:
            content = handle.read()
        answer = client.upload_plugin(slug, os.path.basename(src), content)
    if slug_of(answer["plugin"]) != slug:
        raise SpecError("plugins.%s.src" % slug, "the package installed plugin %r, not %r; it was left installed"
                        % (answer["plugin"], slug))
    return {"plugin": answer["plugin"], "status": "inactive"}


def set_status(client, plugin, status):
    return client.set_plugin_status(plugin["plugin"], status)


def unavailable_problem(item, reason):
    """Why a plugin the site must download from WordPress.org cannot be installed, and what to do."""
    where = item.get("required_by") or "plugins[slug=%s]" % item["slug"]
    return ("%s: the plugin %s is not installed and this site cannot download it from WordPress.org (%s): %s"
            % (where, item["slug"], reason or "no reason given", item.get("hint") or DEFAULT_HINT))


def check_sources(client, items, installed):
    """Fail, before any change, when a plugin to install from WordPress.org cannot be downloaded by the site."""
    from_directory = [item for item in items if item["state"] != ABSENT and not item["src"]
                      and item["slug"] not in installed]
    if not from_directory:
        return
    sources = client.plugin_sources([item["slug"] for item in from_directory])
    if sources is None:  # a connector older than 1.1 cannot tell: the install itself will
        return
    problems = []
    for item in from_directory:
        source = sources.get(item["slug"]) or {}
        if not source.get("installed") and not source.get("downloadable"):
            problems.append(unavailable_problem(item, source.get("error")))
    if problems:
        raise Failure("%d plugin(s) cannot be installed, nothing was changed: %s" % (len(problems), "; ".join(problems)))


def converge(client, item, plugin):
    """Bring one plugin to its wanted state; return its record afterwards (None when removed)."""
    wanted = target_status(item["state"], plugin["status"] if plugin else ABSENT)
    if wanted == ABSENT:
        if plugin["status"] != "inactive":
            set_status(client, plugin, "inactive")
        client.delete_plugin(plugin["plugin"])
        return None
    if plugin is None:
        plugin = install(client, item)
    if plugin["status"] != wanted:
        plugin = set_status(client, plugin, wanted)
    return plugin


def run(ctx):
    items = ctx.params["plugins"]
    validate_plugins(items)
    client = client_for(ctx)
    installed = {slug_of(plugin["plugin"]): plugin
                 for plugin in client.plugins(fields="plugin,status")}
    check_sources(client, items, installed)
    before, after = [], []
    for item in items:
        slug = item["slug"]
        current = view(slug, installed.get(slug))
        status = target_status(item["state"], current["status"])
        wanted = dict(current, status=status, plugin=None if status == ABSENT else current["plugin"])
        before.append(current)
        if wanted == current:
            after.append(current)
        elif ctx.check_mode:
            after.append(wanted)
        else:
            after.append(view(slug, converge(client, item, installed.get(slug))))
    changed = before != after
    after = sorted_for_diff(after, "slug")
    return {"changed": changed, "plugins": after,
            "diff": {"before": keyed_for_diff(before, "slug"), "after": keyed_for_diff(after, "slug")}}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
