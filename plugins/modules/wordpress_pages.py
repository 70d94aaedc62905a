#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_pages
short_description: Manage the pages or posts of a WordPress site, built from sections rendered to Gutenberg blocks
version_added: 0.1.0
description:
  - Takes the whole list of pages a site should have, reads the site's pages once, and creates,
    updates or trashes only what differs. With O(post_type=post), the same for its posts (articles).
  - "Identity: a page is found by its slug, whatever its status (published, draft, pending, private,
    scheduled); trashed pages are ignored. Two existing pages with a listed slug (possible under
    different parents) make the module fail rather than guess."
  - Page content comes from O(pages[].sections), rendered to core Gutenberg blocks exactly as the block
    library of the site's WordPress version saves them (see O(wordpress_version)), so the block editor
    accepts them as valid and saving a page in the editor changes nothing; or from O(pages[].content).
  - Text is never markup. Every text of a section is HTML-escaped and shown as written, and no shortcode runs in
    it (an invisible word joiner follows each C([)). URLs are read with their character references resolved,
    as a browser would, and must then be http(s), mailto, tel or relative (C(javascript&colon;...) is refused).
  - A page is updated when its rendered content (line endings and surrounding white space aside), title,
    status, parent, template, menu order, excerpt, featured image or SEO fields differ from what the site has.
  - "Section types: V(hero), V(features), V(cta), V(pricing), V(testimonials), V(faq), V(contact), V(team),
    V(stats), V(logos), V(gallery), V(text), V(image-text), V(newsletter), V(services), V(timeline),
    V(legal), V(separator), V(spacer). Their fields are described in the collection's
    C(templates/presets/*.yml) examples and in C(plugins/module_utils/_blocks.py); an unknown field is an error."
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
    details:
      - One diff per changed page, its fields then its block markup, shown as a unified diff.
options:
  pages:
    description:
      - The pages to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      slug:
        description:
          - The page's slug, its identity. Lower-case ASCII letters, digits and inner hyphens.
        type: str
        required: true
      title:
        description:
          - The page's title. C(<) and C(>) are stored escaped, so a title shows as text.
          - Required when O(pages[].state=present).
        type: str
      status:
        description:
          - Publication status.
        type: str
        choices: [publish, draft, pending, private]
        default: publish
      parent:
        description:
          - Slug of the parent page (listed in O(pages) or already on the site); unset for a top-level page.
        type: str
      template:
        description:
          - Page template of the theme (for example V(page-no-title) or V(templates/full-width.php));
            V("") for the default. Not managed when unset.
        type: str
      menu_order:
        description:
          - Order among sibling pages. Not managed when unset.
        type: int
      excerpt:
        description:
          - A post's or page's excerpt, plain text (HTML-escaped). Not managed when unset.
        type: str
      featured_media:
        description:
          - Id of the media item shown as the post's or page's featured image (for example from
            M(fabrik.deploy.wordpress_media)'s RV(fabrik.deploy.wordpress_media#module:media[].id)); V(0) for none.
            Not managed when unset.
        type: int
      sections:
        description:
          - The page's sections, each a mapping with a C(type) and that type's fields; rendered in order.
          - Texts may use C({{ name.path }}) placeholders, replaced by values of O(placeholders) (as text).
          - Mutually exclusive with O(pages[].content).
        type: list
        elements: dict
      content:
        description:
          - The page's content as text; blank lines separate paragraphs. HTML-escaped unless
            O(pages[].raw_html=true). Mutually exclusive with O(pages[].sections).
        type: str
      raw_html:
        description:
          - Store O(pages[].content) as is (block markup or HTML the site owner trusts).
        type: bool
        default: false
      seo:
        description:
          - Search engine title and description of the page, written to the fields of the SEO plugin the
            fabrik connector reports active (read once per run) - Yoast SEO (C(wordpress-seo/wp-seo.php)) the
            page meta C(_yoast_wpseo_title) and C(_yoast_wpseo_metadesc), Rank Math
            (C(seo-by-rank-math/rank-math.php)) C(rank_math_title) and C(rank_math_description).
            The texts are stored as plain text there (tags dropped, white space collapsed).
          - With neither active, the page meta C(fabrik_seo_title) and C(fabrik_seo_description), which the
            connector prints itself (as long as no other SEO plugin is active).
          - The site must expose these meta fields through its REST API (the connector registers them),
            otherwise the module fails.
        type: dict
        suboptions:
          title:
            description: Title for search engines and browser tabs.
            type: str
          description:
            description: Meta description.
            type: str
      state:
        description:
          - V(absent) moves the page to the trash.
        type: str
        choices: [present, absent]
        default: present
  post_type:
    description:
      - V(page) manages pages, V(post) posts (which have no O(pages[].parent) nor O(pages[].menu_order)).
      - O(prune) and the slugs' identity apply within that type only.
    type: str
    choices: [page, post]
    default: page
  placeholders:
    description:
      - "Values for the C({{ name.path }}) placeholders of titles, sections and SEO fields, for example
        C({company: {name: Acme}}). Inserted as text, never evaluated."
    type: dict
    default: {}
  wordpress_version:
    description:
      - The WordPress version of the site (for example V(6.8.12)), whose block library the markup is written
        for (WordPress 6.2 added the C(wp-block-heading) class, 6.5 C(wp-block-list), 6.8 moved the cover's
        image; 6.1 and 6.8 are tested).
      - When unset, the version the fabrik connector reports (C(GET /fabrik/v1/status), read once); without the
        connector, the newest supported markup with a warning.
    type: str
  prune:
    description:
      - Move to the trash every page of the site that is not listed in O(pages) with O(pages[].state=present),
        whether or not this module created it. Use it only in the task that lists all of the site's pages.
      - Trashed pages can be restored from the trash in wp-admin until WordPress empties it.
    type: bool
    default: false
notes:
  - Up to four pages are written at a time; parents are written before their children.
  - The page content is compared as stored; a page edited in wp-admin is overwritten on the next run.
"""

EXAMPLES = r"""
# The site and the credentials come from WORDPRESS_URL, WORDPRESS_USERNAME and WORDPRESS_APP_PASSWORD.
- name: Pages of the site from sections
  fabrik.deploy.wordpress_pages:
    placeholders:
      company: {name: Acme, email: hello@example.com}
    pages:
      - slug: home
        title: Home
        sections:
          - type: hero
            headline: !unsafe "{{ company.name }}"  # a placeholder for the module, not for Ansible
            subheadline: Websites from a domain name
            buttons: [{text: Contact us, url: /contact/}]
          - type: faq
            items:
              - {question: "How fast?", answer: "Minutes."}
        seo: {title: Acme - Home, description: What Acme does.}
      - slug: contact
        title: Contact
        parent: home
        content: "Write to hello@example.com.\n\nWe answer within a day."

- name: The site's articles, with their featured images
  fabrik.deploy.wordpress_pages:
    post_type: post
    pages:
      - slug: a-slower-kitchen
        title: A slower kitchen
        excerpt: Why we cook fewer dishes, better.
        featured_media: 42
        sections:
          - type: text
            body: We cut our weekly menu from fourteen dishes to seven.

- name: A one-page site, every other page moved to the trash
  fabrik.deploy.wordpress_pages:
    prune: true
    pages:
      - slug: home
        title: Acme
        content: Our new site opens soon. Write to hello@example.com meanwhile.
"""

RETURN = r"""
pages:
  description: The managed pages after the run (in check mode, as they would be), in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Page id (null for a page check mode would create).
      type: int
    slug:
      description: Slug.
      type: str
    title:
      description: Title as stored.
      type: str
    status:
      description: Status.
      type: str
    parent:
      description: Slug of the parent page, null for a top-level page.
      type: str
    link:
      description: Public URL (null for a page check mode would create).
      type: str
  sample:
    - {id: 12, slug: home, title: Home, status: publish, parent: null, link: "https://example.com/home/"}
created:
  description: Slugs of the pages created.
  returned: always
  type: list
  elements: str
updated:
  description: Slugs of the pages updated.
  returned: always
  type: list
  elements: str
deleted:
  description: Slugs of the pages moved to the trash.
  returned: always
  type: list
  elements: str
"""

from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_api import PAGES, POSTS
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    SEO_PAGE_META,
    client_for,
    connection_argument_spec,
    seo_text,
    site_wordpress_version,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import (
    PAGE_OPTIONS,
    desired_pages,
    normalise_content,
)

LISTED_STATUSES = "publish,future,draft,pending,private"
READ_FIELDS = "id,slug,title,status,parent,menu_order,template,content,excerpt,featured_media,meta,link"
UNMAPPED_SEO_PLUGIN = ("an SEO plugin other than Yoast SEO or Rank Math is active: the pages' seo fields are stored "
                       "in the fabrik connector's page meta, which the connector does not print while that plugin is active")
WRITERS = 4
DIFF_FIELDS = ("title", "status", "parent", "content")
SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        pages=dict(type="list", elements="dict", required=True, options=PAGE_OPTIONS),
        post_type=dict(type="str", choices=["page", "post"], default="page"),
        placeholders=dict(type="dict", default={}),
        wordpress_version=dict(type="str"),
        prune=dict(type="bool", default=False),
    ),
    supports_check_mode=True,
)


# ------------------------------------------------------------------ desired state


def with_seo_meta(page, plugin):
    """``page`` with its ``seo`` texts as the page meta of ``plugin`` (plain text in an SEO plugin's fields)."""
    page = dict(page)
    meta_keys = SEO_PAGE_META[plugin]
    page["meta"] = {meta_keys[key]: text if plugin == "none" else seo_text(text)
                    for key, text in page.pop("seo").items()}
    return page


def depth(slug, present):
    level, parent = 0, present[slug]["parent"]
    while parent in present:
        level, parent = level + 1, present[parent]["parent"]
    return level


# ------------------------------------------------------------------ current state


def current_pages(client, route):
    """The site's pages (or posts) by slug (trash excluded), the oldest of a slug; the newer ones of a slug
    several pages share are listed in the view's ``duplicates``."""
    pages = client.pages(context="edit", status=LISTED_STATUSES, _fields=READ_FIELDS, route=route)
    by_slug, slugs_by_id = {}, {page["id"]: page["slug"] for page in pages}
    for page in sorted(pages, key=lambda item: item["id"]):
        view = page_view(page, slugs_by_id)
        if view["slug"] in by_slug:
            by_slug[view["slug"]].setdefault("duplicates", []).append(view)
        else:
            by_slug[view["slug"]] = view
    return by_slug, slugs_by_id


def settle_duplicates(ctx, client, slug, page, route=PAGES):
    """Newer drafts sharing the slug of ``page`` (two concurrent installs each leave a draft privacy page, say)
    are trashed; a newer published one is an error naming both."""
    for duplicate in page.pop("duplicates", []):
        described = "pages %d (the oldest, kept) and %d (%s) have the slug %r" % (
            page["id"], duplicate["id"], duplicate["status"], slug)
        if duplicate["status"] not in ("draft", "auto-draft", "pending"):
            raise SpecError("pages.%s" % slug, "%s: a concurrent run of the site may have made the second; "
                                               "trash the wrong one in WordPress" % described)
        if ctx.check_mode:
            ctx.warn("%s: a run would trash the draft" % described)
            continue
        try:
            client.trash_page(duplicate["id"], slug, route=route)
        except ApiError as err:
            if err.status != 410:  # rest_already_trashed: a concurrent run settled it first
                raise
        ctx.warn("%s: the draft was trashed" % described)


def page_view(page, slugs_by_id):
    """A REST page as the fields this module manages (parent as a slug)."""
    return {
        "id": page["id"],
        "slug": page["slug"],
        "title": page["title"]["raw"],
        "status": page["status"],
        "parent": slugs_by_id.get(page["parent"]) if page.get("parent") else None,
        "content": normalise_content(page["content"]["raw"]),
        "excerpt": (page.get("excerpt") or {}).get("raw", ""),
        "featured_media": page.get("featured_media", 0),
        "template": page.get("template", ""),
        "menu_order": page.get("menu_order", 0),
        "meta": page.get("meta") or {},
        "link": page.get("link"),
    }


def changes_for(current, desired):
    """The managed fields of ``desired`` that differ from ``current`` (all of them for a new page)."""
    if current is None:
        return dict(desired)
    changes = {key: value for key, value in desired.items() if key != "meta" and current.get(key) != value}
    meta = {key: value for key, value in desired.get("meta", {}).items() if current["meta"].get(key) != value}
    if meta:
        changes["meta"] = meta
    return changes


def check_meta_exposed(slug, desired, exposed):
    """SpecError when the page sets meta the site does not expose (REST would drop it silently)."""
    missing = sorted(set(desired.get("meta", {})) - exposed)
    if missing:
        raise SpecError("pages.%s.seo" % slug, "the site does not expose the page meta %s through its REST API "
                        "(install or update the fabrik connector)" % ", ".join(missing))


# ------------------------------------------------------------------ diff


def diff_text(page):
    if page is None:
        return ""
    lines = ["%s: %s" % (key, page.get(key)) for key in ("title", "status", "parent", "template", "menu_order",
                                                         "excerpt", "featured_media")
             if key in page]
    lines += ["seo %s: %s" % (key, value) for key, value in sorted(page.get("meta", {}).items())]
    return "\n".join(lines) + "\n\n" + page.get("content", "") + "\n"


def page_diff(slug, before, after):
    return {"before_header": "page %s (site)" % slug, "after_header": "page %s (desired)" % slug,
            "before": diff_text(before), "after": diff_text(after)}


def managed_part(current, managed):
    """``current`` reduced to the keys of ``managed`` (so diffs show only managed fields)."""
    if current is None:
        return None
    part = {key: current.get(key) for key in managed if key != "meta"}
    if "meta" in managed:
        part["meta"] = {key: current["meta"].get(key) for key in managed["meta"]}
    return part


# ------------------------------------------------------------------ writing


class PageWriter:
    """Creates, updates and trashes pages; parent slugs resolve to ids as parents are written."""

    def __init__(self, client, ids_by_slug, route, notes=None):
        self.client = client
        self.ids = dict(ids_by_slug)
        self.route = route
        self.notes = [] if notes is None else notes

    def payload(self, changes):
        body = {key: value for key, value in changes.items() if key not in ("slug", "parent")}
        if "parent" in changes:
            body["parent"] = self.ids[changes["parent"]] if changes["parent"] else 0
        return body

    def save(self, slug, current, changes):
        body = self.payload(changes)
        if current is None:
            saved = self.settle_created(slug, self.client.create_page(slug, body, route=self.route), body)
        else:
            saved = self.client.update_page(current["id"], slug, body, route=self.route)
        check_meta_exposed(slug, changes, set(saved.get("meta") or {}))
        return saved

    def settle_created(self, slug, saved, body):
        """A concurrent run of the site may have created a page of ``slug`` meanwhile: WordPress gives the later
        one another slug (``home-2``), or the same one when both were saved at the same moment. Both runs
        continue with the oldest page holding ``slug``; this run's new page is deleted unless it is that one."""
        if not saved.get("id"):  # check mode: nothing was created
            return saved
        holders = [page for page in self.client.pages("read %s %s" % ("post" if self.route == POSTS else "page", slug),
                                                      route=self.route, slug=slug, status=LISTED_STATUSES,
                                                      context="edit", _fields=READ_FIELDS)
                   if page["id"] != saved["id"]]
        if saved.get("slug") in (None, slug):  # ours holds the slug too: only an older page wins
            holders = [page for page in holders if page["id"] < saved["id"]]
        if not holders:
            return saved
        older = min(holders, key=lambda page: page["id"])
        self.client.delete_page(saved["id"], saved.get("slug"), route=self.route)
        self.notes.append("page %s was created by a concurrent run too: kept the oldest (id %d), deleted this "
                          "run's (id %d)" % (slug, older["id"], saved["id"]))
        return self.client.update_page(older["id"], slug, {key: value for key, value in body.items() if key != "slug"},
                                       route=self.route)

    def trash(self, slug, page_id):
        self.client.trash_page(page_id, slug, route=self.route)


def write_levels(writer, plan, present):
    """Write planned pages level by level (parents first), up to WRITERS at a time; saved pages by slug."""
    saved = {}
    levels = sorted({depth(slug, present) for slug in plan})
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for level in levels:
            batch = [slug for slug in plan if depth(slug, present) == level]
            results = pool.map(lambda slug: writer.save(slug, *plan[slug]), batch)
            for slug, page in zip(batch, results):
                saved[slug] = page
                writer.ids[slug] = page["id"]
    return saved


# ------------------------------------------------------------------ module


def run(ctx):
    params = ctx.params
    post_type = params["post_type"]
    route = POSTS if post_type == "post" else PAGES
    present, absent = desired_pages(params["pages"], params["placeholders"] or {}, params["wordpress_version"],
                                    post_type)
    client = client_for(ctx)
    if not params["wordpress_version"]:  # everything was validated above: now render for the site's version
        present, absent = desired_pages(params["pages"], params["placeholders"] or {},
                                        site_wordpress_version(client, ctx.warn), post_type)
    if any("seo" in page for page in present.values()):
        (current, slugs_by_id), (plugin, unmapped_plugin_active) = parallel(lambda: current_pages(client, route),
                                                                            client.seo_plugin)
        if unmapped_plugin_active:
            ctx.warn(UNMAPPED_SEO_PLUGIN)
        present = {slug: with_seo_meta(page, plugin) if "seo" in page else page for slug, page in present.items()}
    else:
        current, slugs_by_id = current_pages(client, route)
    for slug in list(present) + absent:
        if current.get(slug, {}).get("duplicates"):
            settle_duplicates(ctx, client, slug, current[slug], route)
    # Every page carries every registered meta key; with no page yet, the first write tells.
    exposed = set(next(iter(current.values()))["meta"]) if current else None
    for slug, page in present.items():
        if exposed is not None:
            check_meta_exposed(slug, page, exposed)
        if page["parent"] and page["parent"] not in present and page["parent"] not in current:
            raise SpecError("pages.%s.parent" % slug, "no page with slug %r" % page["parent"])

    plan = {}
    for slug, page in present.items():
        changes = changes_for(current.get(slug), page)
        if changes:
            plan[slug] = (current.get(slug), changes)
    doomed = [slug for slug in absent if slug in current]
    if params["prune"]:
        doomed += sorted(slug for slug in current if slug not in present and slug not in doomed)

    diffs = [page_diff(slug, managed_part(current.get(slug), present[slug]), present[slug]) for slug in plan]
    diffs += [page_diff(slug, managed_part(current[slug], DIFF_FIELDS), None) for slug in doomed]

    saved = {}
    if not ctx.check_mode:
        writer = PageWriter(client, {slug: page["id"] for slug, page in current.items()}, route, ctx.warnings)
        saved = write_levels(writer, plan, present)
        for slug in doomed:
            writer.trash(slug, current[slug]["id"])
        slugs_by_id.update({page["id"]: slug for slug, page in saved.items()})

    pages = [result_page(slug, present[slug], current.get(slug), saved.get(slug), slugs_by_id) for slug in present]
    return {
        "changed": bool(plan or doomed),
        "pages": pages,
        "created": [slug for slug in plan if plan[slug][0] is None],
        "updated": [slug for slug in plan if plan[slug][0] is not None],
        "deleted": doomed,
        "diff": diffs,
    }


def result_page(slug, desired, current, saved, slugs_by_id):
    if saved is not None:
        view = page_view(saved, slugs_by_id)
    elif current is not None:
        view = dict(current, **{key: value for key, value in desired.items() if key != "meta"})
    else:
        view = dict(desired, id=None, link=None)
    return {key: view.get(key) for key in ("id", "slug", "title", "status", "parent", "link")}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
