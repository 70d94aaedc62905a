#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_media
short_description: Upload files to the WordPress media library once, and set the site logo and icon
version_added: 0.1.0
description:
  - Uploads files from the controller to the media library. Each upload carries the SHA-256 of its content
    (attachment meta C(fabrik_sha256), registered by the fabrik connector), and the module looks the
    hashes up before uploading, so a file already uploaded is never uploaded again, whatever its name.
  - Updates the title and alternative text of an uploaded file when they differ.
  - Sets the site logo (WordPress's C(site_logo), which also serves classic themes' custom logo) and the
    site icon from the files with a O(media[].role).
  - "Identity: a file is the same as an attachment when their contents have the same SHA-256."
  - Two runs of a site at once may each upload a file. Both keep the oldest attachment with the file's hash
    and delete the other copy (with a warning), so a rerun finds one attachment per file and every controller
    points the logo and icon at the same one.
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
  media:
    description: The files to have in the media library. Attachments not listed are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Path of the file on the controller; a relative path starts at O(base_dir).
        type: path
        required: true
      name:
        description: Key of the file in RV(ids); defaults to the file's base name.
        type: str
      title:
        description: Title of the attachment; WordPress uses the file name when not set at upload.
        type: str
      alt_text:
        description: Alternative text of an image.
        type: str
      role:
        description: Use the file as the site logo, the site icon (square, 512 pixels or more), or neither.
        type: str
        choices: [logo, site_icon, none]
        default: none
  base_dir:
    description:
      - The directory a relative O(media[].path) starts at (the C(wordpress) role gives the inventory's directory).
        Without it, the current directory.
    type: path
"""

EXAMPLES = r"""
- name: Brand assets
  fabrik.deploy.wordpress_media:
    media:
      - {path: brand/logo.png, title: Example logo, alt_text: Example, role: logo}
      - {path: brand/icon-512.png, role: site_icon}
      - {path: brand/team.jpg, name: team, alt_text: The team at work}
  register: wordpress_media

- name: Use an id
  ansible.builtin.debug:
    msg: "{{ wordpress_media.ids.team }}"
"""

RETURN = r"""
ids:
  description: Attachment id of each file by O(media[].name) (null in check mode for a file not uploaded yet).
  returned: always
  type: dict
  sample: {logo.png: 12, team: 14}
media:
  description: The managed attachments after the run, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The file's key.
      type: str
    id:
      description: Attachment id.
      type: int
    url:
      description: URL of the file on the site.
      type: str
    sha256:
      description: SHA-256 of the content.
      type: str
    title:
      description: Title of the attachment.
      type: str
    alt_text:
      description: Alternative text.
      type: str
    role:
      description: V(logo), V(site_icon) or V(none).
      type: str
site:
  description: The site's C(site_logo) and C(site_icon) attachment ids after the run.
  returned: when a O(media[].role) is set
  type: dict
  sample: {site_logo: 12, site_icon: 13}
"""

import mimetypes
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
    sha256_of,
)

ROLE_SETTINGS = {"logo": "site_logo", "site_icon": "site_icon"}
MEDIA_FIELDS = "id,title,alt_text,source_url,meta"

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        media=dict(type="list", elements="dict", required=True, options=dict(
            path=dict(type="path", required=True),
            name=dict(type="str"),
            title=dict(type="str"),
            alt_text=dict(type="str"),
            role=dict(type="str", choices=["logo", "site_icon", "none"], default="none"),
        )),
        base_dir=dict(type="path"),
    ),
    supports_check_mode=True,
)


def load_files(items, base_dir=None):
    """Each item with its content, hash, content type and name; SpecError on a bad entry."""
    files, hashes, names, roles = [], {}, set(), set()
    for index, item in enumerate(items):
        where = "media[%d]" % index
        path = os.path.join(base_dir, item["path"]) if base_dir else item["path"]
        if not os.path.isfile(path):
            raise SpecError(where + ".path", "no such file on the controller: %s" % path)
        content_type = mimetypes.guess_type(path)[0]
        if not content_type:
            raise SpecError(where + ".path", "cannot tell the type of %s from its extension" % path)
        with open(path, "rb") as handle:
            content = handle.read()
        digest = sha256_of(content)
        name = item["name"] or os.path.basename(path)
        if digest in hashes:
            raise SpecError(where + ".path", "same content as media[%d]" % hashes[digest])
        if name in names:
            raise SpecError(where + ".name", "duplicate name %r" % name)
        if item["role"] in roles:
            raise SpecError(where + ".role", "only one file can be the %s" % item["role"])
        if item["role"] != "none":
            roles.add(item["role"])
        hashes[digest] = index
        names.add(name)
        files.append(dict(item, path=path, name=name, content=content, sha256=digest, content_type=content_type))
    return files


def uploads_by_hash(client, hashes):
    """Attachments carrying each hash, oldest first."""
    attachments = client.media("find uploaded media", fabrik_sha256=",".join(hashes), context="edit",
                               _fields=MEDIA_FIELDS)
    found = {}
    for item in sorted(attachments, key=lambda item: item["id"]):
        if isinstance(item.get("meta"), dict) and item["meta"].get("fabrik_sha256"):
            found.setdefault(item["meta"]["fabrik_sha256"], []).append(item)
    return found


def delete_copy(client, ctx, entry, kept, copy):
    """Delete ``copy``, a second attachment of the file ``kept`` holds (a concurrent run may delete it first)."""
    described = "%s was uploaded twice (attachments %d and %d, by concurrent runs of the site)" % (
        entry["name"], kept["id"], copy["id"])
    if ctx.check_mode:
        ctx.warn("%s: a run would delete %d and keep the oldest" % (described, copy["id"]))
        return
    try:
        client.delete_media(copy["id"], entry["name"])
    except ApiError as err:
        if err.status not in (404, 410):  # the other run deleted it already
            raise
    ctx.warn("%s: deleted %d, kept the oldest" % (described, copy["id"]))


def existing_by_hash(client, ctx, files):
    """(the oldest attachment of each file's hash, whether newer copies were deleted)."""
    found = uploads_by_hash(client, [entry["sha256"] for entry in files])
    existing, settled = {}, False
    for entry in files:
        copies = found.get(entry["sha256"], [])
        if copies:
            existing[entry["sha256"]] = copies[0]
        for copy in copies[1:]:
            delete_copy(client, ctx, entry, copies[0], copy)
            settled = True
    return existing, settled


def view(entry, attachment):
    return {
        "name": entry["name"],
        "id": attachment.get("id"),
        "url": attachment.get("source_url"),
        "sha256": entry["sha256"],
        "title": (attachment.get("title") or {}).get("raw"),
        "alt_text": attachment.get("alt_text"),
        "role": entry["role"],
    }


def wanted_fields(entry):
    return {key: entry[key] for key in ("title", "alt_text") if entry[key] is not None}


def differing_fields(entry, attachment):
    current = {"title": (attachment.get("title") or {}).get("raw"), "alt_text": attachment.get("alt_text")}
    return {key: value for key, value in wanted_fields(entry).items() if current[key] != value}


def upload(client, ctx, entry):
    """Upload ``entry``; when a concurrent run uploaded it first, keep that attachment and delete this one."""
    params = dict(wanted_fields(entry), **{"meta[fabrik_sha256]": entry["sha256"], "_fields": MEDIA_FIELDS})
    uploaded = client.upload_media(os.path.basename(entry["path"]), entry["content"], entry["content_type"],
                                   "upload %s" % entry["name"], **params)
    older = [item for item in uploads_by_hash(client, [entry["sha256"]]).get(entry["sha256"], [])
             if item["id"] < uploaded["id"]]
    if not older:
        return uploaded
    delete_copy(client, ctx, entry, older[0], uploaded)
    changes = differing_fields(entry, older[0])
    if not changes:
        return older[0]
    return client.update_media(older[0]["id"], changes, "update %s" % entry["name"], _fields=MEDIA_FIELDS,
                               context="edit")


def converge_file(client, ctx, entry, attachment):
    """Return (before view, after view, changed) for one file."""
    if attachment is None:
        before = view(entry, {})
        if ctx.check_mode:
            return before, dict(before, title=entry["title"], alt_text=entry["alt_text"]), True
        return before, view(entry, upload(client, ctx, entry)), True
    before = view(entry, attachment)
    changes = differing_fields(entry, attachment)
    if not changes:
        return before, before, False
    if ctx.check_mode:
        return before, dict(before, **changes), True
    updated = client.update_media(attachment["id"], changes, "update %s" % entry["name"], _fields=MEDIA_FIELDS,
                                  context="edit")
    return before, view(entry, updated), True


def apply_roles(client, ctx, after, settings):
    """Point site_logo/site_icon at the files with a role (``settings``: the site's, read before the uploads);
    return (before, after, changed)."""
    wanted = {ROLE_SETTINGS[item["role"]]: item["id"] for item in after if item["role"] in ROLE_SETTINGS}
    if not wanted:
        return None, None, False
    before = {key: settings.get(key) or 0 for key in sorted(wanted)}
    changes = {key: value for key, value in wanted.items() if before[key] != value}
    if changes and not ctx.check_mode:
        settings = client.update_settings(changes, "set site logo and icon")
        return before, {key: settings.get(key) or 0 for key in sorted(wanted)}, True
    return before, dict(before, **changes), bool(changes)


def run(ctx):
    files = load_files(ctx.params["media"], ctx.params["base_dir"])
    client = client_for(ctx)
    if any(entry["role"] in ROLE_SETTINGS for entry in files):
        (existing, changed), settings = parallel(lambda: existing_by_hash(client, ctx, files), client.settings)
    else:
        (existing, changed), settings = existing_by_hash(client, ctx, files), None
    before, after = [], []
    for entry in files:
        old, new, file_changed = converge_file(client, ctx, entry, existing.get(entry["sha256"]))
        before.append(old)
        after.append(new)
        changed = changed or file_changed
    site_before, site_after, site_changed = apply_roles(client, ctx, after, settings)
    result = {"ids": {item["name"]: item["id"] for item in after}, "media": after}
    diff = {"before": {"media": before}, "after": {"media": after}}
    if site_after is not None:
        result["site"] = site_after
        diff["before"]["site"], diff["after"]["site"] = site_before, site_after
    return dict(result, changed=changed or site_changed, diff=diff)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
