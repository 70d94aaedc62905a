#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_users
short_description: Manage WordPress user accounts such as the site's editors
version_added: 0.1.0
description:
  - Reads the users once and creates, updates or removes only the accounts that differ from the list.
  - "Identity: a user is found by O(users[].username) (login names cannot change)."
  - A password is only used when the account is created; an existing account's password is never changed.
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
  users:
    description: The accounts to manage; other accounts are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description: Login name.
        type: str
        required: true
      email:
        description: E-mail address; required to create the account.
        type: str
      role:
        description: Role, for example V(editor), V(author) or V(administrator).
        type: str
        default: editor
      display_name:
        description: Name shown on the site.
        type: str
      password:
        description:
          - Login password set at creation only. When not set, a random password is set and the person uses
            "Lost your password?" to choose one. Never logged.
        type: str
      state:
        description: Whether the account exists. Removing an account gives its content to the API user.
        type: str
        choices: [present, absent]
        default: present
"""

EXAMPLES = r"""
- name: The site's editors
  fabrik.deploy.wordpress_users:
    users:
      - username: marie
        email: marie@example.com
        display_name: Marie Curie
        role: editor
      - username: former-intern
        state: absent
"""

RETURN = r"""
users:
  description: The managed accounts after the run (in check mode, as they would be), sorted by username.
  returned: always
  type: list
  elements: dict
  contains:
    username:
      description: Login name.
      type: str
    id:
      description: User id (null when absent or not created yet).
      type: int
    email:
      description: E-mail address.
      type: str
    role:
      description: Role (null when absent).
      type: str
    display_name:
      description: Name shown on the site.
      type: str
    state:
      description: V(present) or V(absent).
      type: str
"""

import secrets

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, keyed_for_diff, sorted_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import validate_users

USER_FIELDS = "id,username,email,roles,name"

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        users=dict(type="list", elements="dict", required=True, options=dict(
            username=dict(type="str", required=True),
            email=dict(type="str"),
            role=dict(type="str", default="editor"),
            display_name=dict(type="str"),
            password=dict(type="str", no_log=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )),
    ),
    supports_check_mode=True,
)


def view(username, user):
    if not user:
        return {"username": username, "id": None, "email": None, "role": None, "display_name": None,
                "state": "absent"}
    return {"username": user["username"], "id": user["id"], "email": user["email"],
            "role": (user.get("roles") or [None])[0], "display_name": user["name"], "state": "present"}


def wanted_view(item, current):
    if item["state"] == "absent":
        return view(item["username"], None)
    wanted = dict(current, state="present", role=item["role"])
    for key in ("email", "display_name"):
        if item[key] is not None:
            wanted[key] = item[key]
    return wanted


def create(client, item):
    body = {"username": item["username"], "email": item["email"], "roles": [item["role"]],
            "password": item["password"] or secrets.token_urlsafe(24)}
    if item["display_name"] is not None:
        body["name"] = item["display_name"]
    return client.create_user(item["username"], body, USER_FIELDS)


def update(client, user, current, wanted):
    body = {}
    for key, field in (("email", "email"), ("display_name", "name")):
        if wanted[key] != current[key]:
            body[field] = wanted[key]
    if wanted["role"] != current["role"]:
        body["roles"] = [wanted["role"]]
    return client.update_user(user["id"], user["username"], body, USER_FIELDS)


def delete(client, user, reassign_to):
    client.delete_user(user["id"], user["username"], reassign_to)


def plan_users(items, users, api_user):
    """(item, existing user or None, current view, wanted view) per item; SpecError before any write."""
    plan = []
    for index, item in enumerate(items):
        user = users.get(item["username"].lower())
        current = view(item["username"], user)
        wanted = wanted_view(item, current)
        if user is None and wanted["state"] == "present" and not item["email"]:
            raise SpecError("users[%d].email" % index, "required to create user %r" % item["username"])
        if user is not None and wanted["state"] == "absent" and user["id"] == api_user["id"]:
            raise SpecError("users[%d]" % index, "refusing to delete the API user %r" % user["username"])
        plan.append((item, user, current, wanted))
    return plan


def converge(client, item, user, current, wanted, api_user):
    """Apply one planned change; return the user's view afterwards."""
    if user is None:
        return view(item["username"], create(client, item))
    if wanted["state"] == "absent":
        delete(client, user, api_user["id"])
        return wanted
    return view(item["username"], update(client, user, current, wanted))


def run(ctx):
    items = ctx.params["users"]
    validate_users(items)
    client = client_for(ctx)
    users = {user["username"].lower(): user for user in
             client.users(USER_FIELDS)}
    api_user = client.current_user()
    plan = plan_users(items, users, api_user)
    before, after = [], []
    for item, user, current, wanted in plan:
        before.append(current)
        if wanted == current or ctx.check_mode:
            after.append(wanted)
        else:
            after.append(converge(client, item, user, current, wanted, api_user))
    after = sorted_for_diff(after, "username")
    before = sorted_for_diff(before, "username")
    return {"changed": before != after, "users": after,
            "diff": {"before": keyed_for_diff(before, "username"), "after": keyed_for_diff(after, "username")}}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
