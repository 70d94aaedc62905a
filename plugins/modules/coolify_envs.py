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

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, run, sorted_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    COOLIFY_MANAGED_ENV,
    ENV_FLAGS,
    ENV_OPTIONAL_FIELDS,
    SENSITIVE_HINT,
    client_from_module,
    coolify_argument_spec,
    generate_secret,
    validate_env_key,
)

MASK = "********"
# Values shorter than this are not secrets worth the name; masking them would garble messages.
MIN_MASKED_LENGTH = 8
VIEW_FLAGS = ("is_preview",) + ENV_FLAGS + ("is_runtime", "is_buildtime")


def validate(envs):
    """The desired entries with validated keys; duplicates and value/generate mistakes are errors."""
    seen = {}
    for index, entry in enumerate(envs):
        where = "envs[%d]" % index
        entry["key"] = validate_env_key(entry["key"], where + ".key")
        identity = (entry["key"], entry["is_preview"])
        if identity in seen:
            raise SpecError(where + ".key", "%s is also envs[%d]" % (entry["key"], seen[identity]))
        seen[identity] = index
        if entry["state"] == "absent":
            continue
        if (entry["value"] is None) == (entry["generate"] is None):
            raise SpecError(where, "exactly one of value and generate is required for %s" % entry["key"])
        if entry["generate"] is not None:
            generate_secret(entry["generate"], where + ".generate")  # validates the spec only
    return envs


def identity(item):
    return (item.get("key"), bool(item.get("is_preview")))


class EnvPlan:
    """What converging takes: bulk items, deletions, and the views before/after."""

    def __init__(self):
        self.bulk = []
        self.deletes = []
        self.created = []
        self.updated = []
        self.generated = []
        self.values = {}
        self.before = []
        self.after = []


def plan_entry(plan, entry, current, module):
    """Add one desired present entry to the plan."""
    if entry["generate"] is not None and current is not None:
        value = current.get("value")
    elif entry["generate"] is not None:
        value = generate_secret(entry["generate"], "envs")
        module.no_log_values.add(value)
        plan.generated.append(entry["key"])
    else:
        value = entry["value"]
    item = {"key": entry["key"], "value": value, "is_preview": entry["is_preview"]}
    for flag in ENV_FLAGS:
        item[flag] = entry[flag] if entry[flag] is not None else bool((current or {}).get(flag))
    for field in ENV_OPTIONAL_FIELDS:
        if entry[field] is not None:
            item[field] = entry[field]
    if not entry["is_preview"]:
        plan.values[entry["key"]] = value
    if current is None:
        plan.created.append(entry["key"])
        plan.bulk.append(item)
        plan.after.append(view(item, changed=True))
        return
    plan.before.append(view(current))
    if value is None:
        # A generated value Coolify shows only once: it cannot be resent, so the variable stays as it is.
        plan.after.append(view(current))
        return
    value_changed = not current.get("is_shown_once") and current.get("value") != value
    flags_changed = any(item[key] != _flag(current, key) for key in ENV_FLAGS + ENV_OPTIONAL_FIELDS if key in item)
    if value_changed or flags_changed:
        plan.updated.append(entry["key"])
        plan.bulk.append(item)
    plan.after.append(view(dict(current, **item), changed=value_changed))


def _flag(current, key):
    value = current.get(key)
    return value if key == "comment" else bool(value)


def view(item, changed=False):
    shown = {"key": item.get("key")}
    shown.update({flag: bool(item.get(flag)) for flag in VIEW_FLAGS})
    if item.get("comment"):
        shown["comment"] = item["comment"]
    shown["value"] = MASK + " (changed)" if changed else MASK
    return shown


def plan_envs(module, envs, existing):
    by_identity = {identity(item): item for item in existing}
    plan = EnvPlan()
    for entry in envs:
        current = by_identity.pop((entry["key"], entry["is_preview"]), None)
        if entry["state"] == "absent":
            if current is not None:
                plan.deletes.append(current)
                plan.before.append(view(current))
            continue
        plan_entry(plan, entry, current, module)
    if module.params["prune"]:
        for item in by_identity.values():
            if not COOLIFY_MANAGED_ENV.match(item.get("key", "")):
                plan.deletes.append(item)
                plan.before.append(view(item))
    return plan


def read_current(module, client):
    params = module.params
    if not params["uuid"]:
        if not module.check_mode:
            raise SpecError("uuid", "the uuid of the %s is required" % params["kind"])
        module.warn("The %s does not exist yet; planning against no variables." % params["kind"])
        return []
    existing = client.list_envs(params["kind"], params["uuid"])
    for item in existing:
        if "value" not in item and not item.get("is_shown_once"):
            raise SpecError("api_token", "cannot compare environment variables: Coolify omitted their values "
                                         "(%s)" % SENSITIVE_HINT)
        if item.get("value") and len(item["value"]) >= MIN_MASKED_LENGTH:
            module.no_log_values.add(item["value"])
    return existing


def converge(module):
    params = module.params
    envs = validate(params["envs"])
    client = client_from_module(module)
    version = client.version()
    existing = read_current(module, client)
    plan = plan_envs(module, envs, existing)
    changed = bool(plan.bulk or plan.deletes)
    if changed and not module.check_mode:
        if plan.bulk:
            client.bulk_envs(params["kind"], params["uuid"], plan.bulk)
        for item in plan.deletes:
            client.delete_env(params["kind"], params["uuid"], item["uuid"])
    result = dict(
        changed=changed,
        version=version,
        envs=sorted_for_diff([dict(item, value=None) for item in plan.after], ("key", "is_preview")),
        created=sorted(plan.created),
        updated=sorted(plan.updated),
        deleted=sorted(item["key"] for item in plan.deletes),
        generated=sorted(plan.generated),
        diff=dict(before={"envs": sorted_for_diff(plan.before, ("key", "is_preview"))},
                  after={"envs": sorted_for_diff(plan.after, ("key", "is_preview"))}),
    )
    for item in result["envs"]:
        item.pop("value")
    if params["return_values"]:
        module.no_log_values.difference_update(plan.values.values())
        result["env_values"] = plan.values
    return result


def unmask_short_values(module):
    """Stop masking values too short to be secrets (``0``, ``true``): Ansible would garble every message."""
    module.no_log_values.difference_update(
        entry["value"] for entry in module.params["envs"] if entry["value"] and len(entry["value"]) < MIN_MASKED_LENGTH)


def main():
    env_options = dict(
        key=dict(type="str", required=True, no_log=False),
        value=dict(type="str", no_log=True),
        generate=dict(type="dict", options=dict(
            length=dict(type="int", default=32),
            charset=dict(type="str", choices=["alnum", "hex", "urlsafe"], default="alnum"),
        )),
        is_preview=dict(type="bool", default=False),
        is_literal=dict(type="bool"),
        is_multiline=dict(type="bool"),
        is_shown_once=dict(type="bool"),
        is_runtime=dict(type="bool"),
        is_buildtime=dict(type="bool"),
        comment=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec = coolify_argument_spec()
    argument_spec.update(
        kind=dict(type="str", choices=["application", "service", "database"], required=True),
        uuid=dict(type="str", required=True),
        envs=dict(type="list", elements="dict", required=True, options=env_options),
        prune=dict(type="bool", default=False),
        return_values=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    unmask_short_values(module)
    result = run(module, lambda: converge(module))
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
