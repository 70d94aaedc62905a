#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_info
short_description: Report a WordPress site's installation, version, theme, plugins and connector
version_added: 0.1.0
description:
  - Tells whether WordPress is installed. With credentials, also reports the version, the active theme,
    the plugins and the fabrik connector's status.
  - Reads only; never changes anything.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.wordpress
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: State of the site
  fabrik.deploy.wordpress_info:
  register: wordpress_info

- name: Show the version and the active theme
  ansible.builtin.debug:
    msg: "WordPress {{ wordpress_info.version }} with {{ wordpress_info.theme.stylesheet }}"
  when: wordpress_info.authenticated
"""

RETURN = r"""
installed:
  description: Whether WordPress is installed (its installer no longer shows).
  returned: always
  type: bool
authenticated:
  description: Whether O(username) and O(app_password) were given and accepted.
  returned: always
  type: bool
version:
  description: WordPress version, from the connector (null without it).
  returned: when authenticated
  type: str
  sample: 6.1.9
theme:
  description: The active theme.
  returned: when authenticated
  type: dict
  sample: {stylesheet: twentytwentythree, name: Twenty Twenty-Three, version: "1.0", block_theme: true}
plugins:
  description: Installed plugins, sorted by their id.
  returned: when authenticated
  type: list
  elements: dict
  sample: [{plugin: akismet/akismet, name: Akismet Anti-Spam, version: 5.0.2, status: inactive}]
connector:
  description: The fabrik connector's status, or null when it is not installed.
  returned: when authenticated
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import sorted_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
)

SPEC = dict(argument_spec=connection_argument_spec(), supports_check_mode=True)


def connector_status(client):
    """The connector's status, or None when the route does not exist."""
    try:
        return client.connector("GET", "status", "read connector status")
    except ApiError as err:
        if err.status == 404:
            return None
        raise


def run(ctx):
    params = ctx.params
    client = client_for(ctx, require_credentials=False)
    result = {"changed": False, "installed": not client.installer_shown(), "authenticated": False}
    if not (result["installed"] and params["username"] and params["app_password"] and client.current_user()):
        return result
    theme = client.active_theme(fields="stylesheet,name,version")
    plugins = client.plugins(fields="plugin,name,version,status")
    connector = connector_status(client)
    result.update(
        authenticated=True,
        version=connector["wordpress_version"] if connector else None,
        theme={"stylesheet": theme.get("stylesheet"), "name": (theme.get("name") or {}).get("raw"),
               "version": theme.get("version"), "block_theme": connector["block_theme"] if connector else None},
        plugins=sorted_for_diff(plugins, "plugin"),
        connector=connector,
    )
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
