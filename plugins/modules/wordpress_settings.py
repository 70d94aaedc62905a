#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_settings
short_description: Manage the general, reading and permalink settings of a WordPress site
version_added: 0.1.0
description:
  - Reads the site's settings once (core C(/wp/v2/settings) and the fabrik connector's options) and writes
    only the options given whose value differs.
  - Options left unset are not managed.
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
    description: Site title.
    type: str
  tagline:
    description: Site tagline (WordPress's C(description)).
    type: str
  timezone:
    description: A timezone identifier such as V(Europe/Paris) or V(UTC).
    type: str
  date_format:
    description: PHP date format, for example V(Y-m-d).
    type: str
  time_format:
    description: PHP time format, for example V(H:i).
    type: str
  start_of_week:
    description: First day of the week, V(0) for Sunday to V(6) for Saturday.
    type: int
  posts_per_page:
    description: Number of posts on blog pages.
    type: int
  show_on_front:
    description:
      - What the front page shows. Defaults to V(page) when O(front_page) is set.
    type: str
    choices: [posts, page]
  front_page:
    description:
      - Slug of the page shown as the front page (the page must exist).
    type: str
  posts_page:
    description:
      - Slug of the page listing the posts, or V("") for none.
    type: str
  permalink_structure:
    description:
      - Permalink structure such as V(/%postname%/), or V("") for plain links. Set through the connector,
        which also refreshes the rewrite rules.
    type: str
  search_engine_visibility:
    description:
      - Whether search engines may index the site (WordPress's C(blog_public)). Set through the connector.
    type: bool
  known_pages:
    description:
      - Pages already read, as returned in RV(fabrik.deploy.wordpress_pages#module:pages) by
        M(fabrik.deploy.wordpress_pages) (each with C(id), C(slug)), so that slugs found there are not looked
        up again, which saves a request. Pages without an id (to be created in check mode) are looked up.
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: Site identity, front page and pretty permalinks
  fabrik.deploy.wordpress_settings:
    title: Example
    tagline: Things done well
    timezone: Europe/Paris
    front_page: home
    posts_page: blog
    permalink_structure: /%postname%/
"""

RETURN = r"""
settings:
  description:
    - The managed settings after the run (in check mode, as they would be), under WordPress's names
      (C(description) for the tagline, C(page_on_front) and C(page_for_posts) as page ids, C(blog_public)
      for the search engine visibility).
  returned: always
  type: dict
  sample: {title: Example, show_on_front: page, page_on_front: 7, permalink_structure: /%postname%/}
"""

import html

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, changed_fields, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
)

# option -> key of /wp/v2/settings
CORE_SETTINGS = {
    "title": "title",
    "tagline": "description",
    "timezone": "timezone",
    "date_format": "date_format",
    "time_format": "time_format",
    "start_of_week": "start_of_week",
    "posts_per_page": "posts_per_page",
    "show_on_front": "show_on_front",
}
# option -> connector option
CONNECTOR_SETTINGS = {
    "permalink_structure": "permalink_structure",
    "search_engine_visibility": "blog_public",
}
PAGE_SETTINGS = {"front_page": "page_on_front", "posts_page": "page_for_posts"}
# WordPress stores these HTML-escaped ("A &amp; B"): compare and report them unescaped.
ESCAPED_SETTINGS = ("title", "description")

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        title=dict(type="str"),
        tagline=dict(type="str"),
        timezone=dict(type="str"),
        date_format=dict(type="str"),
        time_format=dict(type="str"),
        start_of_week=dict(type="int"),
        posts_per_page=dict(type="int"),
        show_on_front=dict(type="str", choices=["posts", "page"]),
        front_page=dict(type="str"),
        posts_page=dict(type="str"),
        permalink_structure=dict(type="str"),
        search_engine_visibility=dict(type="bool"),
        known_pages=dict(type="list", elements="dict"),
    ),
    supports_check_mode=True,
)


def validate(params):
    if params["start_of_week"] is not None and not 0 <= params["start_of_week"] <= 6:
        raise SpecError("start_of_week", "0 (Sunday) to 6 (Saturday) expected, got %d" % params["start_of_week"])
    if params["posts_per_page"] is not None and params["posts_per_page"] < 1:
        raise SpecError("posts_per_page", "a positive number expected, got %d" % params["posts_per_page"])
    if params["front_page"] == "":
        raise SpecError("front_page", "a page slug expected (use show_on_front=posts for the latest posts)")
    if params["show_on_front"] == "page" and not params["front_page"]:
        raise SpecError("front_page", "required when show_on_front is page")
    if params["show_on_front"] is None and params["front_page"]:
        params["show_on_front"] = "page"


def page_ids_by_slug(client, slugs, known=None):
    """The id of each page slug; SpecError naming the option of a missing page.

    Pages in ``known`` (wordpress_pages' result) are taken from there; only the others are looked up."""
    found = {page["slug"]: page["id"] for page in known or [] if page.get("id") and page.get("slug")}
    wanted = sorted({slug for slug in slugs.values() if slug and slug not in found})
    if wanted:
        pages = client.pages("find pages by slug", slug=",".join(wanted), status="publish,future,draft,pending,private",
                             _fields="id,slug")
        found.update({page["slug"]: page["id"] for page in pages})
    ids = {}
    for option, slug in slugs.items():
        if slug and slug not in found:
            raise SpecError(option, "no page with slug %r" % slug)
        ids[option] = found.get(slug, 0)
    return ids


def unescaped(settings):
    return dict(settings, **{key: html.unescape(settings[key]) for key in ESCAPED_SETTINGS
                             if isinstance(settings.get(key), str)})


def managed_view(settings, keys):
    return {key: settings.get(key) for key in sorted(keys)}


def run(ctx):
    params = ctx.params
    validate(params)
    client = client_for(ctx)
    desired_core = {key: params[option] for option, key in CORE_SETTINGS.items() if params[option] is not None}
    desired_connector = {key: params[option] for option, key in CONNECTOR_SETTINGS.items()
                         if params[option] is not None}
    core, page_ids, options = parallel(
        lambda: unescaped(client.settings()),
        lambda: page_ids_by_slug(client, {option: params[option] for option in PAGE_SETTINGS
                                          if params[option] is not None}, params["known_pages"]),
        lambda: client.options() if desired_connector else {})
    desired_core.update({PAGE_SETTINGS[option]: page_id for option, page_id in page_ids.items()})

    core_changes = changed_fields(core, desired_core)
    connector_changes = changed_fields(options, desired_connector)
    before = dict(managed_view(core, desired_core), **managed_view(options, desired_connector))
    if ctx.check_mode:
        core, options = dict(core, **core_changes), dict(options, **connector_changes)
    else:
        if core_changes:
            core = unescaped(client.update_settings(core_changes))
        if connector_changes:
            options = client.update_options(connector_changes)
    after = dict(managed_view(core, desired_core), **managed_view(options, desired_connector))
    return {"changed": bool(core_changes or connector_changes), "settings": after,
            "diff": {"before": before, "after": after}}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
