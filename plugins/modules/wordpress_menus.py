#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_menus
short_description: Manage the navigation menus of a WordPress site, for classic and block themes
version_added: 0.1.0
description:
  - Takes the menus a site should have, each a tree of items pointing to pages (by slug) or to URLs.
  - With a classic theme (for example Twenty Twenty-One) a menu is a nav menu (C(/wp/v2/menus),
    C(/wp/v2/menu-items)) assigned to the theme's O(menus[].location).
  - With a block theme (for example Twenty Twenty-Three) a menu is a C(wp_navigation) post (C(/wp/v2/navigation))
    made of navigation link and submenu blocks. Block themes have no locations; a navigation block of the theme
    that references no menu (the header of Twenty Twenty-Three, for example) shows the most recently published
    one, so the first menu with a O(menus[].location) is made the most recently published (its date is moved
    one second past the newest other menu's when needed).
  - "Identity: a menu is found by its name. Its items are exactly O(menus[].items): the existing items are
    reused in order, updated where they differ, missing ones created and extra ones deleted."
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
  menus:
    description:
      - The menus to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The menu's name, its identity.
        type: str
        required: true
      location:
        description:
          - Theme location of a classic theme to show the menu at (for example V(primary), V(footer)); the
            location must exist in the active theme. Not managed when unset.
        type: str
      items:
        description:
          - The menu's items in order. Each item is a mapping with C(page) (a page slug) or C(url) (http(s),
            mailto, tel or relative), an optional C(title) (required with C(url); a page item without one shows
            the page's title), and optional C(children), a list of items of the same form.
          - Required when O(menus[].state=present).
        type: list
        elements: dict
      state:
        description: V(absent) deletes the menu.
        type: str
        choices: [present, absent]
        default: present
  mode:
    description:
      - V(classic) for nav menus, V(block) for C(wp_navigation) posts, V(auto) to choose from the active theme.
    type: str
    choices: [auto, classic, block]
    default: auto
  prune:
    description:
      - Delete every menu of the chosen kind that is not listed with O(menus[].state=present).
    type: bool
    default: false
  known_pages:
    description:
      - Pages already read, as returned in RV(fabrik.deploy.wordpress_pages#module:pages) by
        M(fabrik.deploy.wordpress_pages) (each with C(id), C(slug), C(title), C(link)), so that slugs found there are not looked
        up again, which saves a request. Pages without an id (to be created in check mode) are looked up.
    type: list
    elements: dict
notes:
  - Pages must exist (run M(fabrik.deploy.wordpress_pages) first). In check mode a missing page is reported
    in a warning, since an earlier task of the same check run would have created it.
"""

EXAMPLES = r"""
- name: Header and footer menus
  fabrik.deploy.wordpress_menus:
    menus:
      - name: Primary
        location: primary
        items:
          - {page: home}
          - page: about
            children:
              - {page: team}
              - {title: Blog, url: "https://blog.example.com/"}
          - {page: contact, title: Write to us}
      - name: Footer
        location: footer
        items:
          - {page: privacy-policy}
"""

RETURN = r"""
shown_by_theme:
  description:
    - With a block theme, the name of the menu made the most recently published, which the theme's navigation
      blocks without a menu of their own show; V(null) otherwise.
  returned: always
  type: str
  sample: Primary
mode:
  description: The kind of menus managed, V(classic) or V(block).
  returned: always
  type: str
  sample: classic
menus:
  description: The managed menus after the run (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name.
      type: str
    id:
      description: Menu (classic) or navigation post (block) id; null for one check mode would create.
      type: int
    locations:
      description: Theme locations showing the menu (classic themes).
      type: list
      elements: str
    outline:
      description: The items as an indented outline, C(title -> target) per line.
      type: list
      elements: str
by_location:
  description:
    - The id of each menu given a O(menus[].location), by location (null for one check mode would create), for
      M(fabrik.deploy.wordpress_template_parts) (the footer shows the menu of location V(footer)).
  returned: always
  type: dict
  sample: {primary: 12, footer: 14}
deleted:
  description: Names of the menus deleted.
  returned: always
  type: list
  elements: str
"""

from datetime import datetime, timedelta

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import navigation
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, keyed_for_diff
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import MENU_OPTIONS, desired_menus

PAGE_STATUSES = "publish,future,draft,pending,private"
WP_DATE = "%Y-%m-%dT%H:%M:%S"  # WordPress's date_gmt in the REST API
SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        menus=dict(type="list", elements="dict", required=True, options=MENU_OPTIONS),
        mode=dict(type="str", choices=["auto", "classic", "block"], default="auto"),
        prune=dict(type="bool", default=False),
        known_pages=dict(type="list", elements="dict"),
    ),
    supports_check_mode=True,
)


# ------------------------------------------------------------------ desired state


def find_pages(ctx, client, menus, known=None):
    """Pages named by the items, by slug: ``{slug: {id, title, link}}`` (None for a page not found in check mode).

    Pages in ``known`` (wordpress_pages' result) are taken from there; only the others are looked up."""
    slugs = sorted({item["page"] for menu in menus for item in menu["items"] if item["page"]})
    pages = {page["slug"]: {"id": page["id"], "title": page["title"], "link": page["link"]}
             for page in known or [] if page.get("id") and page["slug"] in slugs}
    missing = [slug for slug in slugs if slug not in pages]
    if missing:
        found = client.pages("find menu pages", slug=",".join(missing), status=PAGE_STATUSES, context="edit",
                             _fields="id,slug,title,link")
        pages.update({page["slug"]: {"id": page["id"], "title": page["title"]["raw"], "link": page["link"]}
                      for page in found})
    for slug in slugs:
        if slug not in pages:
            if not ctx.check_mode:
                raise SpecError("menus", "no page with slug %r (create it with wordpress_pages first)" % slug)
            ctx.warn("page %r does not exist yet; its menu items are shown without a target" % slug)
            pages[slug] = None
    return pages


def effective_title(item, pages):
    if item["title"] is not None:
        return item["title"]
    page = pages.get(item["page"])
    return page["title"] if page else item["page"]


def outline(items, titles, targets):
    """Items as indented ``title -> target`` lines (diffs and results)."""
    lines = []
    for index, item in enumerate(items):
        level, parent = 0, item["parent"]
        while parent is not None:
            level, parent = level + 1, items[parent]["parent"]
        lines.append("%s%s -> %s" % ("  " * level, titles[index], targets[index]))
    return lines


def desired_outline(menu, pages):
    items = menu["items"]
    return outline(items, [effective_title(item, pages) for item in items],
                   ["page " + item["page"] if item["page"] else item["url"] for item in items])


# ------------------------------------------------------------------ mode


def theme_is_block(client):
    theme = client.active_theme()
    if "is_block_theme" in theme:
        return bool(theme["is_block_theme"])
    # WordPress 6.1 does not expose is_block_theme; block themes get the block-templates support.
    return bool((theme.get("theme_supports") or {}).get("block-templates"))


# ------------------------------------------------------------------ classic menus


class ClassicMenus:
    """Nav menus with items and theme locations."""

    def __init__(self, client, pages, check_mode):
        self.client = client
        self.pages = pages
        self.check_mode = check_mode
        self.changed = False

    def current(self):
        return {menu["name"]: menu for menu in self.client.menus()}

    def check_locations(self, menus):
        wanted = sorted({menu["location"] for menu in menus if menu["location"]})
        if not wanted:
            return
        known = self.client.menu_locations()
        for location in wanted:
            if location not in known:
                raise SpecError("menus", "the active theme has no menu location %r (it has: %s)"
                                % (location, ", ".join(sorted(known)) or "none"))

    def converge(self, menu, existing):
        items = self.items_of(existing) if existing else []
        before = self.view(existing, items) if existing else None
        locations = sorted(existing["locations"]) if existing else []
        wanted = sorted(set(locations) | {menu["location"]}) if menu["location"] else locations
        if existing is None or wanted != locations:
            body = {"name": menu["name"], "locations": wanted}
            menu_id = existing["id"] if existing else None
            existing = self.write(body, existing, self.client.save_menu, menu_id, menu["name"], body)
        self.sync_items(menu, existing.get("id"), items)
        after = {"name": menu["name"], "locations": wanted, "items": desired_outline(menu, self.pages)}
        return before, after, existing.get("id")

    def write(self, body, existing, save, *args):
        """``save(*args)``, which writes ``body`` over ``existing``; in check mode, what it would save."""
        self.changed = True
        if self.check_mode:
            return dict(existing or {}, **body)
        return save(*args)

    def items_of(self, menu):
        items = self.client.menu_items(menu["id"], menu["name"])
        return sorted(items, key=lambda item: (item["menu_order"], item["id"]))

    def view(self, menu, items):
        positions = {item["id"]: index for index, item in enumerate(items)}
        flat = [{"parent": positions.get(item["parent"])} for item in items]
        targets = ["page " + self.slug_of(item["object_id"]) if item["type"] == "post_type" else item["url"]
                   for item in items]
        return {"name": menu["name"], "locations": sorted(menu["locations"]),
                "items": outline(flat, [item["title"]["raw"] for item in items], targets)}

    def slug_of(self, page_id):
        return next((slug for slug, page in self.pages.items() if page and page["id"] == page_id), str(page_id))

    def sync_items(self, menu, menu_id, current):
        """Reuse existing items by position, update what differs, create the rest, delete extras."""
        ids = []
        for index, item in enumerate(menu["items"]):
            existing = current[index] if index < len(current) else None
            parent_id = ids[item["parent"]] if item["parent"] is not None else 0
            body = self.item_body(item, index, parent_id, menu_id)
            if existing is None or self.differs(existing, body, item, current):
                item_id = existing["id"] if existing else None
                saved = self.write(body, existing, self.client.save_menu_item, item_id, body)
            else:
                saved = existing
            ids.append(saved.get("id"))
        for extra in current[len(menu["items"]):]:
            self.changed = True
            if not self.check_mode:
                self.client.delete_menu_item(extra["id"])

    def item_body(self, item, index, parent_id, menu_id):
        body = {"title": item["title"] or "", "menus": menu_id, "menu_order": index + 1, "parent": parent_id or 0,
                "status": "publish"}
        if item["page"]:
            page = self.pages.get(item["page"])
            body.update(type="post_type", object="page", object_id=page["id"] if page else 0)
        else:
            body.update(type="custom", url=item["url"])
        return body

    def differs(self, existing, body, item, current):
        positions = {entry["id"]: index for index, entry in enumerate(current)}
        wanted_parent = item["parent"]
        if existing["title"]["raw"] != effective_title(item, self.pages):
            return True
        if positions.get(existing["parent"]) != wanted_parent or existing["menu_order"] != body["menu_order"]:
            return True
        if body["type"] == "custom":
            return existing["type"] != "custom" or existing["url"] != body["url"]
        return existing["type"] != "post_type" or existing["object_id"] != body["object_id"]

    def delete(self, menu):
        self.changed = True
        if not self.check_mode:
            self.client.delete_menu(menu["id"], menu["name"])


# ------------------------------------------------------------------ block menus


class BlockMenus:
    """wp_navigation posts holding navigation link and submenu blocks."""

    def __init__(self, client, pages, check_mode):
        self.client = client
        self.pages = pages
        self.check_mode = check_mode
        self.changed = False
        self.published = {}  # id -> date_gmt of the published navigation menus

    def current(self):
        posts = self.client.navigation_menus()
        self.published = {post["id"]: post["date_gmt"] for post in posts if post["status"] == "publish"}
        found = {}
        for post in sorted(posts, key=lambda post: post["id"]):
            found.setdefault(post["title"]["raw"], post)
        return found

    def check_locations(self, menus):
        """Block themes have no menu locations: nothing to check."""

    def show_in_theme(self, menu, menu_id, deleted_ids):
        """Make ``menu`` the most recently published navigation, the one a theme's navigation block without a
        menu of its own shows (the header of Twenty Twenty-Three, for example): its date is set one second
        after the newest other menu's when it is not the newest already. True when that was (or would be)
        needed; a menu still to be created in check mode would be the newest anyway."""
        if menu_id is None or menu_id not in self.published:
            return False
        others = [date for post_id, date in self.published.items() if post_id != menu_id and post_id not in deleted_ids]
        if not others or self.published[menu_id] > max(others):
            return False
        newest = datetime.strptime(max(others), WP_DATE) + timedelta(seconds=1)
        self.changed = True
        if not self.check_mode:
            # Less than a minute ahead of the server's clock: WordPress keeps the post published.
            saved = self.client.save_navigation(menu_id, {"date_gmt": newest.strftime(WP_DATE), "status": "publish"},
                                                "show navigation %s" % menu["name"])
            self.published[menu_id] = saved["date_gmt"]
        return True

    def content(self, menu):
        links = [self.link(item) for item in menu["items"]]
        roots = []
        for item, link in zip(menu["items"], links):
            (links[item["parent"]]["children"] if item["parent"] is not None else roots).append(link)
        return navigation(roots)

    def link(self, item):
        page = self.pages.get(item["page"]) if item["page"] else None
        return {"label": effective_title(item, self.pages), "url": page["link"] if page else item["url"] or "#",
                "page_id": page["id"] if page else None, "children": []}

    def converge(self, menu, existing):
        content = self.content(menu)
        before = after = None
        if existing:
            before = {"name": menu["name"], "status": existing["status"], "content": existing["content"]["raw"]}
        after = {"name": menu["name"], "status": "publish", "content": content}
        menu_id = existing["id"] if existing else None
        if before != after:
            self.changed = True
            if not self.check_mode:
                body = {"title": menu["name"], "content": content, "status": "publish"}
                saved = self.client.save_navigation(menu_id, body, "save navigation %s" % menu["name"])
                menu_id = saved["id"]
                self.published[menu_id] = saved["date_gmt"]
        return before, after, menu_id

    def delete(self, menu):
        self.changed = True
        if not self.check_mode:
            self.client.trash_navigation(menu["id"], menu["title"]["raw"])


# ------------------------------------------------------------------ module


def run(ctx):
    params = ctx.params
    present, absent = desired_menus(params["menus"])
    client = client_for(ctx)
    mode = params["mode"]
    if mode == "auto":
        mode = "block" if theme_is_block(client) else "classic"
    pages = find_pages(ctx, client, present, params["known_pages"])
    kind = (BlockMenus if mode == "block" else ClassicMenus)(client, pages, ctx.check_mode)
    kind.check_locations(present)
    current = kind.current()

    before, after, results = [], [], []
    for menu in present:
        old, new, menu_id = kind.converge(menu, current.get(menu["name"]))
        before += [old] if old else []
        after.append(new)
        results.append({"name": menu["name"], "id": menu_id, "locations": new.get("locations", []),
                        "outline": desired_outline(menu, pages)})
    listed = {menu["name"] for menu in present}
    doomed = [name for name in absent if name in current]
    if params["prune"]:
        doomed += sorted(name for name in current if name not in listed and name not in doomed)
    for name in doomed:
        kind.delete(current[name])
    shown = None
    if mode == "block":
        # Block themes have no locations: the menu given one (the first) is the one the theme shows.
        located = [(menu, result["id"]) for menu, result in zip(present, results) if menu["location"]]
        if located:
            shown = located[0][0]["name"]
            if kind.show_in_theme(located[0][0], located[0][1], {current[name]["id"] for name in doomed}):
                after = [dict(item, shown_by_theme=True) if item["name"] == shown else item for item in after]
    return {
        "by_location": {menu["location"]: result["id"] for menu, result in zip(present, results) if menu["location"]},
        "shown_by_theme": shown,
        "changed": kind.changed,
        "mode": mode,
        "menus": results,
        "deleted": doomed,
        # Menus by name (a diff side Ansible's callbacks can render); a deleted menu is absent after.
        "diff": {"before": keyed_for_diff(before + [{"name": name} for name in doomed], "name"),
                 "after": keyed_for_diff(after, "name")},
    }


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
