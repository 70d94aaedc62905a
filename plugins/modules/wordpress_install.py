#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_install
short_description: Install WordPress and make sure the API user has a working application password
version_added: 0.1.0
description:
  - Runs WordPress's installer when the site still shows it (C(/wp-admin/install.php)), creating the
    site with its title and administrator.
  - Then, with O(create_app_password=true), makes sure the administrator has a working application password
    for the other modules. When O(app_password) is given and authenticates O(admin_user), nothing is done.
    Otherwise the module logs in with O(admin_password), removes any application password named
    O(app_password_name) and creates a new one, returned as RV(app_password).
  - With O(create_app_password=false) no application password is created. A given O(app_password) must
    authenticate O(admin_user), and without one the other modules log in with the administrator's password
    (their O(password) option). Nothing needs to be kept between runs.
  - An installed site with a working O(app_password), or installed and with O(create_app_password=false) and no
    O(app_password), reports no change.
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
  title:
    description:
      - Site title given to the installer (later changes belong to M(fabrik.deploy.wordpress_settings)).
    type: str
    required: true
  admin_user:
    description:
      - Login name of the administrator created by the installer, and the user the application
        password is for.
      - O(username), when set, must be the same user.
    type: str
    required: true
  admin_password:
    description:
      - Login password of O(admin_user), set by the installer and used to log in when an application
        password must be created. Never logged.
    type: str
    required: true
  admin_email:
    description:
      - E-mail address of the administrator and of the site.
    type: str
    required: true
  search_engine_visibility:
    description:
      - Whether the installer lets search engines index the site.
    type: bool
    default: true
  app_password_name:
    description:
      - Name of the application password the module creates.
    type: str
    default: fabrik.deploy
  create_app_password:
    description:
      - Whether to create an application password when O(app_password) is not given or does not work.
      - Set it to V(false) where the new password could not be kept for the next run (a job runner without
        persistent storage), where each run would otherwise replace the password and report a change.
    type: bool
    default: true
  app_password_file:
    description:
      - A file to keep a newly created application password in, for the next run, written where the module
        runs (mode C(0600), replaced as a whole).
      - Nothing is written when no password is created, nor in check mode.
    type: path
notes:
  - The new application password is returned in the result. Ansible prints results, so a task using this
    module must set C(no_log=true) (the collection's C(wordpress) role does and registers the result).
"""

EXAMPLES = r"""
# The site's URL comes from WORDPRESS_URL. The administrator's password is generated at the
# first run and kept beside the playbook, in credentials/, as is the new application password
# (for the other modules: WORDPRESS_APP_PASSWORD).
- name: Install WordPress and get the API credentials
  fabrik.deploy.wordpress_install:
    title: Example
    admin_user: admin
    admin_password: "{{ lookup('ansible.builtin.password', 'credentials/wordpress-admin length=32') }}"
    admin_email: admin@example.com
    app_password_file: "{{ playbook_dir }}/credentials/wordpress-app-password"
  register: wordpress_install
  no_log: true
"""

RETURN = r"""
installed:
  description: Whether the installer was run (in check mode, would be run).
  returned: always
  type: bool
app_password_created:
  description: Whether a new application password was created (in check mode, would be created).
  returned: always
  type: bool
ready:
  description:
    - Whether the site takes content now, that is the tasks after this one can run. False only in check mode
      when WordPress is not installed yet or the application password they need does not exist yet, where a
      plan stops.
  returned: always
  type: bool
  version_added: "0.1.0"
app_password:
  description:
    - The new application password, only when one was created. Keep it secret (C(no_log=true)).
  returned: when a password was created
  type: str
app_password_uuid:
  description: Identifier of the new application password.
  returned: when a password was created
  type: str
"""

import os
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    WordPressClient,
    connection_argument_spec,
)

# How many times (a second apart) a failed install looks whether a concurrent run installed WordPress.
INSTALLED_CHECKS = 5
# While a concurrent run's install creates the tables, WordPress answers every page with HTTP 500 and this
# message; a read waits this many seconds at most for that install to end.
TABLES_UNAVAILABLE = "One or more database tables are unavailable"
TABLES_WAIT = 60

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        title=dict(type="str", required=True),
        admin_user=dict(type="str", required=True),
        admin_password=dict(type="str", required=True, no_log=True),
        admin_email=dict(type="str", required=True),
        search_engine_visibility=dict(type="bool", default=True),
        app_password_name=dict(type="str", default="fabrik.deploy", no_log=False),
        create_app_password=dict(type="bool", default=True),
        app_password_file=dict(type="path"),
    ),
    supports_check_mode=True,
)


def _client(ctx, username=None, app_password=None, secrets=()):
    params = ctx.params
    return WordPressClient(params["url"], username=username, app_password=app_password,
                           validate_certs=params["validate_certs"], timeout=params["timeout"],
                           check_mode=ctx.check_mode, secrets=secrets)


def app_password_works(ctx):
    params = ctx.params
    if not params["app_password"]:
        return False
    user = _client(ctx, params["admin_user"], params["app_password"]).current_user()
    return user is not None and user["username"] == params["admin_user"]


def ensure_installed_without_app_password(ctx, anonymous):
    """``create_app_password=false``: install when needed; a given application password must work."""
    params = ctx.params
    if params["app_password"]:
        if app_password_works(ctx):
            return dict(changed=False, installed=False, app_password_created=False,
                        diff={"before": {"installed": True}, "after": {"installed": True}})
        if not installer_shown(ctx, anonymous):
            raise SpecError("app_password", "does not authenticate %s on %s (create_app_password is false: "
                                            "give a working one, or none to log in with the administrator's password)"
                                            % (params["admin_user"], params["url"]))
    needs_install = installer_shown(ctx, anonymous)
    if needs_install and not ctx.check_mode:
        install(ctx, anonymous)
    return dict(changed=needs_install, installed=needs_install, app_password_created=False,
                diff={"before": {"installed": not needs_install}, "after": {"installed": True}})


def installer_shown(ctx, anonymous):
    """Whether WordPress' installer shows; while a concurrent run of the site is installing it (some tables
    made, not all) wait for that install to end, up to ``TABLES_WAIT`` seconds."""
    deadline = time.monotonic() + TABLES_WAIT
    waited = False
    while True:
        try:
            shown = anonymous.installer_shown()
        except ApiError as err:
            if err.status != 500 or TABLES_UNAVAILABLE not in str(err) or time.monotonic() >= deadline:
                raise
            waited = True
            time.sleep(1)
            continue
        if waited:
            ctx.warn("WordPress' tables were being created (a concurrent run installing it): waited for that "
                     "install to end")
        return shown


def install(ctx, anonymous):
    """Run the installer; when it fails because a concurrent run of the site installed WordPress meanwhile
    (the installer is gone), carry on."""
    params = ctx.params
    try:
        anonymous.install(params["title"], params["admin_user"], params["admin_password"], params["admin_email"],
                          public=params["search_engine_visibility"])
    except ApiError as err:
        # The other run's install may still be writing its tables: look a few times.
        for _attempt in range(INSTALLED_CHECKS):
            time.sleep(1)
            try:
                if not installer_shown(ctx, anonymous):
                    ctx.warn("WordPress was installed meanwhile by a concurrent run (this run's install "
                             "answered: %s)" % err)
                    return
            except ApiError:
                continue
        raise err from None


def create_app_password(ctx, client):
    """Log in, drop any application password with our name, create a new one; return it."""
    params = ctx.params
    name = params["app_password_name"]
    client.login(params["admin_user"], params["admin_password"])
    for existing in client.application_passwords():
        if existing["name"] == name:
            client.delete_application_password(existing["uuid"])
    return client.create_application_password(name)


def validate(params):
    if params["username"] and params["username"] != params["admin_user"]:
        raise SpecError("username", "the application password is for admin_user %r; got username %r"
                        % (params["admin_user"], params["username"]))
    if params["timeout"] < 1:
        raise SpecError("timeout", "a positive number of seconds expected, got %d" % params["timeout"])


def keep_secret(path, secret):
    """Write ``secret`` to ``path`` (mode 0600) through a file beside it, so that no reader sees half of it."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
    except OSError as err:
        raise SpecError("app_password_file", "cannot write %s: %s (the application password was created: "
                                             "run again once it can be written)" % (path, err.strerror)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(secret)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def run(ctx):
    result = converge(ctx)
    result["ready"] = not (ctx.check_mode and (result["installed"] or result["app_password_created"]))
    return result


def converge(ctx):
    params = ctx.params
    validate(params)
    anonymous = _client(ctx, secrets=[params["admin_password"], params["password"]])
    if not params["create_app_password"]:
        return ensure_installed_without_app_password(ctx, anonymous)
    # A working application password proves the site is installed: one request on a converged site.
    password_works = app_password_works(ctx)
    needs_install = not password_works and installer_shown(ctx, anonymous)
    if needs_install and not ctx.check_mode:
        install(ctx, anonymous)
    needs_password = not password_works
    result = {"installed": needs_install, "app_password_created": needs_password}
    if needs_password and not ctx.check_mode:
        created = create_app_password(ctx, anonymous)
        result.update(app_password=created["password"], app_password_uuid=created["uuid"])
        if params["app_password_file"]:
            keep_secret(params["app_password_file"], created["password"])
    before = {"installed": not needs_install, "app_password_works": not needs_password}
    return dict(result, changed=needs_password,
                diff={"before": before, "after": {"installed": True, "app_password_works": True}})


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
