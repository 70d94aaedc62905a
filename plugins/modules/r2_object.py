#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: r2_object
short_description: Upload files or text to a Cloudflare R2 bucket, skipping objects that are already current
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Uploads one object (O(key) with O(src) or O(content)) or many (O(objects)) to an R2 bucket through R2's
    S3 endpoint, in one invocation that lists the bucket once and uploads only what differs.
  - An object is current when its ETag equals the MD5 of the local content (objects are uploaded in a
    single request, so their ETag is that MD5), or, for objects uploaded in parts by other tools, when its
    C(sha256) metadata equals the SHA-256 of the local content. The module stores that C(sha256) metadata
    with every upload.
  - Only the content decides; a changed O(content_type), O(cache_control) or O(metadata) alone is applied
    with O(force=true).
  - No ACL is ever sent (R2 has none; objects are private unless the bucket is exposed by a domain).
  - In check mode a missing bucket counts as empty (an earlier task would create it).
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
  bucket:
    description:
      - Name of the bucket.
    type: str
    required: true
  jurisdiction:
    description:
      - Jurisdiction of the bucket; selects the default endpoint of that jurisdiction.
    type: str
    choices: [default, eu, fedramp]
    default: default
  key:
    description:
      - Key of the single object to upload, for example V(assets/logo.svg). Use O(objects) for several.
    type: str
  src:
    description:
      - Path on the controller of the file to upload as O(key).
    type: path
  content:
    description:
      - Text to upload as O(key) (encoded as UTF-8), instead of O(src).
    type: str
  content_type:
    description:
      - Media type of O(key). Guessed from the key's (or else the file's) extension when not set, falling
        back to C(application/octet-stream).
    type: str
  cache_control:
    description:
      - C(Cache-Control) header stored with O(key).
    type: str
  metadata:
    description:
      - User metadata of O(key) (C(x-amz-meta-*)); names are letters, digits, C(-) and C(_). C(sha256) is
        reserved.
    type: dict
  objects:
    description:
      - Several objects to upload in one invocation, each with C(key), C(src) or C(content), and optionally
        C(content_type), C(cache_control) and C(metadata) as described for the single-object options.
      - Mutually exclusive with O(key).
    type: list
    elements: dict
  force:
    description:
      - Upload even when the object is current.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Brand assets of the site
  fabrik.deploy.r2_object:
    bucket: example-com
    objects:
      - key: brand/logo.svg
        src: files/logo.svg
        cache_control: public, max-age=86400
      - key: brand/favicon.ico
        src: files/favicon.ico

- name: A small text object
  fabrik.deploy.r2_object:
    bucket: example-com
    key: robots.txt
    content: "User-agent: *\nDisallow:\n"
"""

RETURN = r"""
objects:
  description: Every requested object, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Object key.
      type: str
    action:
      description: V(uploaded), or V(unchanged) when the object was current. In check mode V(uploaded) means
        it would be uploaded.
      type: str
    etag:
      description: The object's ETag after the run (the MD5 of its content).
      type: str
    size:
      description: Size in bytes.
      type: int
    content_type:
      description: Media type sent with an upload.
      type: str
uploaded:
  description: Keys that were (or, in check mode, would be) uploaded.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import keyed_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._r2 import (
    HASH_METADATA,
    JURISDICTIONS,
    UPLOAD_WORKERS,
    common_prefix,
    is_current,
    r2_argument_spec,
    require_boto3,
    run_concurrently,
    s3_client_for,
    validate_bucket_name,
    validate_objects,
)

SINGLE_OBJECT_OPTIONS = ("key", "src", "content", "content_type", "cache_control", "metadata")

SPEC = dict(
    argument_spec=dict(
        r2_argument_spec(),
        bucket=dict(type="str", required=True),
        jurisdiction=dict(type="str", choices=list(JURISDICTIONS), default="default"),
        key=dict(type="str", no_log=False),
        src=dict(type="path"),
        content=dict(type="str"),
        content_type=dict(type="str"),
        cache_control=dict(type="str"),
        metadata=dict(type="dict"),
        objects=dict(type="list", elements="dict"),
        force=dict(type="bool", default=False),
    ),
    mutually_exclusive=[("objects", name) for name in SINGLE_OBJECT_OPTIONS] + [("src", "content")],
    required_one_of=[("objects", "key")],
    required_by={"src": "key", "content": "key"},
    supports_check_mode=True,
)


def requested_objects(params):
    """The ``objects`` option, or the single object of ``key``/``src``/``content``, validated and hashed."""
    if params["objects"] is not None:
        return validate_objects(params["objects"])
    item = {name: params[name] for name in SINGLE_OBJECT_OPTIONS if params[name] is not None}
    return validate_objects([item], field="object")


def stale_objects(client, bucket, objects, force, check_mode):
    """The objects to upload: one listing of the bucket, plus a HEAD for multipart objects whose
    ETag cannot be compared with the MD5."""
    try:
        remote = client.list_objects(bucket, common_prefix(obj["key"] for obj in objects))
    except ApiError as err:
        if not (check_mode and err.status == 404):
            raise
        remote = {}  # the bucket an earlier task would create
    stale = []
    for obj in objects:
        found = remote.get(obj["key"])
        head = None
        if found is not None and "-" in found["etag"] and not force:
            head = client.head_object(bucket, obj["key"])
        if force or not is_current(obj, found, head):
            stale.append(obj)
    return remote, stale


def upload(client, bucket, obj):
    metadata = dict(obj["metadata"], **{HASH_METADATA: obj["sha256"]})
    if obj["content"] is not None:
        return client.put_object(bucket, obj["key"], obj["content"].encode("utf-8"), obj["content_type"],
                                 obj["cache_control"], metadata)
    with open(obj["src"], "rb") as body:
        return client.put_object(bucket, obj["key"], body, obj["content_type"], obj["cache_control"], metadata)


def run(ctx):
    require_boto3()
    params = ctx.params
    bucket = validate_bucket_name(params["bucket"], "bucket")
    objects = requested_objects(params)
    client = s3_client_for(ctx, params["jurisdiction"])
    remote, stale = stale_objects(client, bucket, objects, params["force"], ctx.check_mode)
    if not ctx.check_mode:
        run_concurrently(lambda obj: upload(client, bucket, obj), stale, UPLOAD_WORKERS)
    uploaded = {obj["key"] for obj in stale}
    views = [{"key": obj["key"], "action": "uploaded" if obj["key"] in uploaded else "unchanged",
              "etag": obj["md5"] if obj["key"] in uploaded else remote[obj["key"]]["etag"],
              "size": obj["size"], "content_type": obj["content_type"]} for obj in objects]
    before = [{"key": obj["key"], "etag": remote[obj["key"]]["etag"]} for obj in objects if obj["key"] in remote]
    after = [{"key": view["key"], "etag": view["etag"]} for view in views]
    return dict(changed=bool(stale), objects=views, uploaded=[obj["key"] for obj in stale],
                diff=dict(before=keyed_for_diff(before, "key"), after=keyed_for_diff(after, "key")))


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
