# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Environment variables of a Coolify resource as a set: validate, read once, plan, apply in one bulk request.

Shared by ``coolify_envs`` (variables of any resource) and ``coolify_service`` (a service with its variables
in one invocation).
"""

from __future__ import annotations

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, sorted_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    COOLIFY_MANAGED_ENV,
    ENV_FLAGS,
    ENV_OPTIONAL_FIELDS,
    SENSITIVE_HINT,
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


def default_entry(key):
    """An ``envs`` entry for ``key`` with every option at its default."""
    entry = {name: None for name in env_options()}
    entry.update(key=key, is_preview=False, state="present")
    return entry


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


def plan_entry(plan, entry, current, ctx):
    """Add one desired present entry to the plan."""
    if entry["generate"] is not None and current is not None:
        value = current.get("value")
    elif entry["generate"] is not None:
        value = generate_secret(entry["generate"], "envs")
        ctx.no_log_values.add(value)
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


def plan_envs(ctx, envs, existing, prune=False):
    by_identity = {identity(item): item for item in existing}
    plan = EnvPlan()
    for entry in envs:
        current = by_identity.pop((entry["key"], entry["is_preview"]), None)
        if entry["state"] == "absent":
            if current is not None:
                plan.deletes.append(current)
                plan.before.append(view(current))
            continue
        plan_entry(plan, entry, current, ctx)
    if prune:
        for item in by_identity.values():
            if not COOLIFY_MANAGED_ENV.match(item.get("key", "")):
                plan.deletes.append(item)
                plan.before.append(view(item))
    return plan


def read_current(ctx, client, kind, uuid):
    """The resource's variables (none when it does not exist yet); values found are masked in the output."""
    if not uuid:
        return []
    existing = client.list_envs(kind, uuid)
    for item in existing:
        if "value" not in item and not item.get("is_shown_once"):
            raise SpecError("api_token", "cannot compare environment variables: Coolify omitted their values "
                                         "(%s)" % SENSITIVE_HINT)
        if item.get("value") and len(item["value"]) >= MIN_MASKED_LENGTH:
            ctx.no_log_values.add(item["value"])
    return existing


def apply(client, kind, uuid, plan):
    """Send the plan: every creation and update in one bulk request, then the deletions."""
    if plan.bulk:
        client.bulk_envs(kind, uuid, plan.bulk)
    for item in plan.deletes:
        client.delete_env(kind, uuid, item["uuid"])


def summary(ctx, plan, return_values):
    """The result fields describing the variables (values only when asked for)."""
    result = dict(
        envs=sorted_for_diff([dict(item, value=None) for item in plan.after], ("key", "is_preview")),
        created=sorted(plan.created),
        updated=sorted(plan.updated),
        deleted=sorted(item["key"] for item in plan.deletes),
        generated=sorted(plan.generated),
    )
    for item in result["envs"]:
        item.pop("value")
    if return_values:
        ctx.no_log_values.difference_update(plan.values.values())
        result["env_values"] = plan.values
    return result


def diff_sides(plan):
    return ({"envs": sorted_for_diff(plan.before, ("key", "is_preview"))},
            {"envs": sorted_for_diff(plan.after, ("key", "is_preview"))})


def unmask_short_values(ctx, envs):
    """Stop masking values too short to be secrets (``0``, ``true``): Ansible would garble every message."""
    ctx.no_log_values.difference_update(
        entry["value"] for entry in envs or [] if entry["value"] and len(entry["value"]) < MIN_MASKED_LENGTH)


def env_options():
    """The argument spec of one entry of ``envs``."""
    return dict(
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
