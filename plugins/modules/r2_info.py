#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: r2_info
short_description: Read Cloudflare R2 buckets, their CORS rules and objects
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Without O(name), lists the buckets of the account in O(jurisdiction).
  - With O(name), returns that bucket (or V(null)) and its CORS rules; with O(list_objects=true) also its
    objects, read through R2's S3 endpoint.
  - Never changes anything.
extends_documentation_fragment:
  - fabrik.deploy.r2
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: N/A
    details: The module only reads.
  action_group:
    description: Use C(group/fabrik.deploy.r2) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.r2
options:
  name:
    description:
      - Name of the bucket to read.
    type: str
  jurisdiction:
    description:
      - Jurisdiction of the buckets to read.
    type: str
    choices: [default, eu, fedramp]
    default: default
  list_objects:
    description:
      - With O(name), also list the bucket's objects (needs O(access_key_id) and O(secret_access_key)).
    type: bool
    default: false
  prefix:
    description:
      - With O(list_objects=true), only the objects whose key starts with this.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Every bucket of the account
  fabrik.deploy.r2_info:
  register: r2

- name: The site's bucket and its brand assets
  fabrik.deploy.r2_info:
    name: example-com
    list_objects: true
    prefix: brand/
  register: site_bucket
"""

RETURN = r"""
buckets:
  description: The buckets of the account (C(name), C(creation_date), C(location), C(storage_class),
    C(jurisdiction)).
  returned: when O(name) is not set
  type: list
  elements: dict
exists:
  description: Whether the bucket O(name) exists.
  returned: when O(name) is set
  type: bool
bucket:
  description: The bucket O(name), or V(null).
  returned: when O(name) is set
  type: dict
cors_rules:
  description: The bucket's CORS rules, in the form of the O(fabrik.deploy.r2_bucket#module:cors_rules) option.
  returned: when O(name) is set and the bucket exists
  type: list
  elements: dict
objects:
  description: The bucket's objects (C(key), C(etag), C(size), C(last_modified)), sorted by key.
  returned: when O(list_objects=true) and the bucket exists
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._r2 import (
    JURISDICTIONS,
    r2_argument_spec,
    require_boto3,
    s3_client_for,
    validate_bucket_name,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._r2_buckets import (
    bucket_client_for,
    bucket_view,
    cors_option_view,
)

SPEC = dict(
    argument_spec=dict(
        r2_argument_spec(),
        name=dict(type="str"),
        jurisdiction=dict(type="str", choices=list(JURISDICTIONS), default="default"),
        list_objects=dict(type="bool", default=False),
        prefix=dict(type="str", default=""),
    ),
    supports_check_mode=True,
)


def run(ctx):
    params = ctx.params
    jurisdiction = params["jurisdiction"]
    name = validate_bucket_name(params["name"]) if params["name"] is not None else None
    client = bucket_client_for(ctx)
    if name is None:
        return dict(changed=False, buckets=[bucket_view(b) for b in client.list_buckets(jurisdiction)])
    bucket = client.get_bucket(name, jurisdiction)
    result = dict(changed=False, exists=bucket is not None, bucket=bucket_view(bucket) if bucket else None)
    if bucket is None:
        return result
    result["cors_rules"] = cors_option_view(client.get_cors(name, jurisdiction))
    if params["list_objects"]:
        require_boto3()
        listing = s3_client_for(ctx, jurisdiction).list_objects(name, params["prefix"])
        result["objects"] = [dict(listing[key], key=key) for key in sorted(listing)]
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
