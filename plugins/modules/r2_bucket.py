#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: r2_bucket
short_description: Create or delete a Cloudflare R2 bucket and manage its CORS rules
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Ensures an R2 bucket exists (or does not) through Cloudflare's REST API, with its storage class and,
    when O(cors_rules) is given, exactly those CORS rules.
  - A bucket is identified by its name within the account and O(jurisdiction).
  - Deleting a bucket that still holds objects is refused unless O(force=true), which first deletes every
    object through R2's S3 endpoint (and so needs O(access_key_id) and O(secret_access_key)).
extends_documentation_fragment:
  - fabrik.deploy.r2
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  action_group:
    description: Use C(group/fabrik.deploy.r2) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.r2
options:
  name:
    description:
      - Bucket name, 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit.
    type: str
    required: true
  state:
    description:
      - V(present) creates the bucket when missing and converges its storage class and CORS rules;
        V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  location_hint:
    description:
      - Where R2 should place a new bucket. Only used at creation; an existing bucket keeps its location.
    type: str
    choices: [apac, eeur, enam, weur, wnam, oc]
  storage_class:
    description:
      - Default storage class of new objects. Changed on an existing bucket when it differs.
    type: str
    choices: [Standard, InfrequentAccess]
  jurisdiction:
    description:
      - Jurisdiction of the bucket, sent as the C(cf-r2-jurisdiction) header. It is chosen at creation and
        cannot be changed; a bucket of another jurisdiction with the same name is a different bucket.
    type: str
    choices: [default, eu, fedramp]
    default: default
  cors_rules:
    description:
      - The bucket's complete CORS configuration; rules not listed are removed. V([]) removes every rule.
      - When not set, the CORS rules are left as they are.
    type: list
    elements: dict
    suboptions:
      allowed_origins:
        description: Origins allowed to make cross-origin requests (C(https://example.com), or C(*)).
        type: list
        elements: str
        required: true
      allowed_methods:
        description: Methods allowed, among C(GET), C(PUT), C(POST), C(DELETE) and C(HEAD).
        type: list
        elements: str
        required: true
      allowed_headers:
        description: Request headers a browser may send.
        type: list
        elements: str
      expose_headers:
        description: Response headers the page's JavaScript may read.
        type: list
        elements: str
      max_age_seconds:
        description: How long browsers may cache the preflight response (0 to 86400).
        type: int
      id:
        description: Identifier of the rule.
        type: str
  force:
    description:
      - With O(state=absent), delete every object of the bucket first. Without it, deleting a bucket that
        holds objects fails.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The site's bucket, readable by the site's pages
  fabrik.deploy.r2_bucket:
    name: example-com
    location_hint: weur
    cors_rules:
      - allowed_origins: [https://example.com, https://www.example.com]
        allowed_methods: [GET, HEAD]
        max_age_seconds: 3600

- name: Delete a bucket and everything in it
  fabrik.deploy.r2_bucket:
    name: old-site
    state: absent
    force: true
"""

RETURN = r"""
bucket:
  description: The bucket as Cloudflare has it after the change; V(null) when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: example-com
    creation_date:
      description: When the bucket was created; V(null) for a bucket that check mode would create.
      type: str
    location:
      description: Where the bucket is placed.
      type: str
      sample: weur
    storage_class:
      description: Default storage class of new objects.
      type: str
      sample: Standard
    jurisdiction:
      description: The bucket's jurisdiction.
      type: str
      sample: default
cors_rules:
  description: The bucket's CORS rules after the change, in the form of O(cors_rules).
  returned: when O(state=present) and O(cors_rules) is set
  type: list
  elements: dict
deleted_objects:
  description: Keys of the objects deleted because of O(force=true).
  returned: when O(state=absent)
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, attempt, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._r2 import (
    JURISDICTIONS,
    r2_argument_spec,
    require_boto3,
    s3_client_for,
    validate_bucket_name,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._r2_buckets import (
    CORS_RULE_OPTIONS,
    LOCATION_HINTS,
    STORAGE_CLASSES,
    bucket_client_for,
    bucket_view,
    canonical_cors,
    cors_option_view,
    validate_cors_rules,
)

# R2 answers 409 (code 10008, BucketNotEmpty) to deleting a bucket that holds objects.
BUCKET_NOT_EMPTY_STATUS = 409

SPEC = dict(
    argument_spec=dict(
        r2_argument_spec(),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        location_hint=dict(type="str", choices=list(LOCATION_HINTS)),
        storage_class=dict(type="str", choices=list(STORAGE_CLASSES)),
        jurisdiction=dict(type="str", choices=list(JURISDICTIONS), default="default"),
        cors_rules=dict(type="list", elements="dict", options=CORS_RULE_OPTIONS),
        force=dict(type="bool", default=False),
    ),
    supports_check_mode=True,
)


def state_view(bucket, cors):
    """What the module manages, for the diff."""
    if bucket is None:
        return None
    view = {"name": bucket.get("name"), "storage_class": bucket.get("storage_class"),
            "jurisdiction": bucket.get("jurisdiction")}
    if cors is not None:
        view["cors_rules"] = cors_option_view(cors)
    return view


def converge_bucket(ctx, client, name, existing):
    """(changed, bucket after) for state=present."""
    params = ctx.params
    jurisdiction = params["jurisdiction"]
    if existing is None:
        if ctx.check_mode:
            return True, {"name": name, "creation_date": None, "location": params["location_hint"],
                          "storage_class": params["storage_class"] or "Standard", "jurisdiction": jurisdiction}
        return True, client.create_bucket(name, params["location_hint"], params["storage_class"], jurisdiction)
    wanted_class = params["storage_class"]
    if wanted_class and existing.get("storage_class") != wanted_class:
        if ctx.check_mode:
            return True, dict(existing, storage_class=wanted_class)
        return True, client.set_storage_class(name, wanted_class, jurisdiction) or dict(
            existing, storage_class=wanted_class)
    return False, existing


def converge_cors(ctx, client, name, desired, current):
    """True when the bucket's rules had to change (sent unless in check mode)."""
    if canonical_cors(desired) == canonical_cors(current):
        return False
    if not ctx.check_mode:
        if desired:
            client.put_cors(name, desired, ctx.params["jurisdiction"])
        else:
            client.delete_cors(name, ctx.params["jurisdiction"])
    return True


def present(ctx, client, name, existing, current_cors):
    desired_cors = validate_cors_rules(ctx.params["cors_rules"])
    changed, bucket = converge_bucket(ctx, client, name, existing)
    result = dict(bucket=bucket_view(bucket))
    if desired_cors is not None:
        changed = converge_cors(ctx, client, name, desired_cors, current_cors) or changed
        result["cors_rules"] = cors_option_view(desired_cors)
    result.update(changed=changed, diff=dict(before=state_view(existing, current_cors),
                                             after=state_view(bucket, desired_cors)))
    return result


def absent(ctx, client, name, existing):
    result = dict(changed=existing is not None, bucket=None, deleted_objects=[],
                  diff=dict(before=state_view(existing, None), after=None))
    if existing is None or ctx.check_mode:
        return result
    jurisdiction = ctx.params["jurisdiction"]
    if ctx.params["force"]:
        require_boto3()
        result["deleted_objects"] = s3_client_for(ctx, jurisdiction).empty_bucket(name)
    try:
        client.delete_bucket(name, jurisdiction)
    except ApiError as err:
        if err.status == BUCKET_NOT_EMPTY_STATUS:
            raise SpecError("force", "bucket %s still holds objects; delete them first or set force: true"
                            % name) from None
        raise
    return result


def run(ctx):
    params = ctx.params
    name = validate_bucket_name(params["name"])
    validate_cors_rules(params["cors_rules"])
    client = bucket_client_for(ctx)
    if params["state"] == "absent":
        return absent(ctx, client, name, client.get_bucket(name, params["jurisdiction"]))
    if params["cors_rules"] is None:
        return present(ctx, client, name, client.get_bucket(name, params["jurisdiction"]), None)
    # The bucket and its CORS rules are read at once; the rules' answer counts only if the bucket exists.
    existing, (current_cors, cors_error) = parallel(
        lambda: client.get_bucket(name, params["jurisdiction"]),
        lambda: attempt(lambda: client.get_cors(name, params["jurisdiction"]), ApiError))
    if existing is None:
        current_cors = []
    elif cors_error is not None:
        raise cors_error
    return present(ctx, client, name, existing, current_cors)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
