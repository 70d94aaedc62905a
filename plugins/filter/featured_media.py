# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``featured_media`` filter: posts whose ``image`` names an uploaded picture get its media id."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: featured_media
version_added: "0.3.0"
short_description: Posts with the media id of the picture their C(image) names
description:
  - Each post (or page) with an C(image) - the C(name) of a picture uploaded by M(fabrik.deploy.wordpress_media) -
    gets that picture's id as C(featured_media), and loses C(image), so that the list fits the
    O(fabrik.deploy.wordpress_pages#module:pages) option.
  - A picture without an id (one check mode would upload) leaves C(featured_media) unset.
author:
  - fabrik.deploy contributors (@fabrik)
options:
  _input:
    description: The posts.
    type: list
    elements: dict
    required: true
  media:
    description: The uploaded media, M(fabrik.deploy.wordpress_media)'s RV(fabrik.deploy.wordpress_media#module:media).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The preset's articles with their pictures
  fabrik.deploy.wordpress_pages:
    post_type: post
    pages: "{{ wordpress_spec.posts | fabrik.deploy.featured_media(wordpress_media_result.media) }}"
"""

RETURN = r"""
_value:
  description: The posts, C(featured_media) set from C(image).
  type: list
  elements: dict
"""


def featured_media(posts, media):
    """``posts`` with ``image`` (a picture's name) replaced by ``featured_media`` (its id)."""
    ids = {item.get("name"): item.get("id") for item in media or [] if isinstance(item, dict)}
    result = []
    for post in posts or []:
        post = dict(post)
        image = post.pop("image", None)
        if image is not None:
            if image not in ids:
                raise AnsibleFilterError("featured_media: post %s: image: the name of an uploaded picture (%s) "
                                         "expected, got %r" % (post.get("slug"), ", ".join(sorted(map(str, ids))),
                                                               image))
            if ids[image]:
                post["featured_media"] = ids[image]
        result.append(post)
    return result


class FilterModule:
    """fabrik.deploy's featured image filter."""

    def filters(self):
        return {"featured_media": featured_media}
