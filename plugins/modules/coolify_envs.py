#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_envs
short_description: Converge the environment variables of a Coolify application, service or database
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Takes the whole desired set of variables of one resource, reads the current ones once and sends every
    creation and update in one bulk request (Coolify's C(PATCH .../envs/bulk), an upsert by key). Variables
    not listed are left alone unless O(prune=true).
  - 'Identity: a variable is its O(envs[].key) together with O(envs[].is_preview) (Coolify keeps preview
    copies apart).'
  - 'Generated secrets: an entry with O(envs[].generate) instead of a value is generated on the controller
    when the variable does not exist yet, sent to Coolify and from then on read back from Coolify. It is never
    written to the controller''s disk and not returned unless O(return_values=true).'
  - Comparing values needs the C(read:sensitive) ability (Coolify omits values otherwise); the module fails
    rather than report perpetual changes. Values of variables marked C(is_shown_once) cannot be read back,
    so they are only set when the variable is created.
extends_documentation_fragment:
  - fabrik.deploy.coolify
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: C(before) and C(after) list the managed variables with their flags; values are masked, a changed
      value is marked C(******** (changed)).
  action_group:
    description: Use C(group/fabrik.deploy.coolify) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.coolify
options:
  kind:
    description:
      - Kind of the resource that holds the variables.
    type: str
    choices: [application, service, database]
    required: true
  uuid:
    description:
      - Uuid of the resource, for example RV(fabrik.deploy.coolify_service#module:service.uuid).
      - In check mode an empty uuid (a resource an earlier task would create) plans against no variables.
    type: str
    required: true
  envs:
    description:
      - The desired variables.
    type: list
    elements: dict
    required: true
    suboptions:
      key:
        description:
          - Name of the variable (letters, digits, C(_) and C(.), not starting with a digit or C(.)).
        type: str
        required: true
      value:
        description:
          - The value. One of O(envs[].value) and O(envs[].generate) is required with O(envs[].state=present).
          - Never returned, and masked in Ansible's output when it has 8 characters or more (shorter values such
            as V(0) or V(true) cannot be secrets, and masking them would garble every message).
        type: str
      generate:
        description:
          - Generate a random value when the variable does not exist yet; keep Coolify's value afterwards.
        type: dict
        suboptions:
          length:
            description: Number of characters, 16 to 256.
            type: int
            default: 32
          charset:
            description: V(alnum) (letters and digits), V(hex) or V(urlsafe) (letters, digits, C(-), C(_)).
            type: str
            choices: [alnum, hex, urlsafe]
            default: alnum
      is_preview:
        description: The variable of preview deployments rather than the regular one.
        type: bool
        default: false
      is_literal:
        description: Use the value as is, without interpolating other variables. Kept as it is when omitted.
        type: bool
      is_multiline:
        description: The value spans several lines. Kept as it is when omitted.
        type: bool
      is_shown_once:
        description: Coolify shows the value once and never returns it again. Kept as it is when omitted.
        type: bool
      is_runtime:
        description: Available at run time. Kept as it is when omitted.
        type: bool
      is_buildtime:
        description: Available at build time. Kept as it is when omitted.
        type: bool
      comment:
        description: A comment on the variable. Kept as it is when omitted.
        type: str
      state:
        description: V(absent) deletes the variable.
        type: str
        choices: [present, absent]
        default: present
  prune:
    description:
      - Also delete the variables of the resource that are not in O(envs), except the C(SERVICE_FQDN_*) and
        C(SERVICE_URL_*) variables Coolify derives from a compose file.
    type: bool
    default: false
  return_values:
    description:
      - Return the values of the managed variables (generated ones included) in RV(env_values). Use C(no_log)
        on the task when this is V(true).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The WordPress service
  fabrik.deploy.coolify_service:
    project: example.com
    server: main
    name: example-com
    compose: "{{ lookup('ansible.builtin.template', 'compose.yml.j2') }}"
  register: service

- name: Variables of the WordPress service, database password generated once and kept in Coolify
  fabrik.deploy.coolify_envs:
    kind: service
    uuid: "{{ service.service.uuid }}"
    envs:
      - key: WORDPRESS_TABLE_PREFIX
        value: wp_
      - key: SERVICE_PASSWORD_MARIADB
        generate: {length: 32}
      - key: SERVICE_PASSWORD_MARIADBROOT
        generate: {length: 32, charset: hex}
"""

RETURN = r"""
envs:
  description: The managed variables after the change (key and flags, never values).
  returned: always
  type: list
  elements: dict
  sample: [{key: WORDPRESS_TABLE_PREFIX, is_preview: false, is_literal: false, is_multiline: false,
            is_shown_once: false}]
created:
  description: Keys of the variables created (or that would be).
  returned: always
  type: list
  elements: str
updated:
  description: Keys of the variables whose value or flags changed (or would).
  returned: always
  type: list
  elements: str
deleted:
  description: Keys of the variables deleted (O(envs[].state=absent) and pruned).
  returned: always
  type: list
  elements: str
generated:
  description: Keys of the variables whose value was generated in this run.
  returned: always
  type: list
  elements: str
env_values:
  description: Key to value of the managed regular (not preview) variables; only with O(return_values=true).
  returned: when O(return_values=true)
  type: dict
version:
  description: The Coolify version of the instance.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _coolify_envs, _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import client_for, coolify_argument_spec

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        kind=dict(type="str", choices=["application", "service", "database"], required=True),
        uuid=dict(type="str", required=True),
        envs=dict(type="list", elements="dict", required=True, options=_coolify_envs.env_options()),
        prune=dict(type="bool", default=False),
        return_values=dict(type="bool", default=False),
    ),
    supports_check_mode=True,
)


def run(ctx):
    params = ctx.params
    _coolify_envs.unmask_short_values(ctx, params["envs"])
    envs = _coolify_envs.validate(params["envs"])
    client = client_for(ctx)
    version = client.version()
    if not params["uuid"]:
        if not ctx.check_mode:
            raise SpecError("uuid", "the uuid of the %s is required" % params["kind"])
        ctx.warn("The %s does not exist yet; planning against no variables." % params["kind"])
    existing = _coolify_envs.read_current(ctx, client, params["kind"], params["uuid"])
    plan = _coolify_envs.plan_envs(ctx, envs, existing, params["prune"])
    changed = bool(plan.bulk or plan.deletes)
    if changed and not ctx.check_mode:
        _coolify_envs.apply(client, params["kind"], params["uuid"], plan)
    before, after = _coolify_envs.diff_sides(plan)
    return dict(changed=changed, version=version, diff=dict(before=before, after=after),
                **_coolify_envs.summary(ctx, plan, params["return_values"]))


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
