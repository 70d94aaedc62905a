# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Template parts of the active block theme (``fabrik.deploy.wordpress_template_parts``).

The site's parts are read once (the theme's files and the site's own versions alike); a part whose
content differs is stored as the site's version (the Site Editor's save), a new one created, one given
``state: absent`` deleted (its theme file, if any, shows again). The REST calls are the client's
(``_wordpress_api.py``). Placeholders are filled by :func:`._themes.render_part`.
"""

from __future__ import annotations

import re

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import MENU_PLACEHOLDER, render_part

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def normalise(content):
    return (content or "").replace("\r\n", "\n").strip()


def desired_parts(parts):
    """Validate the parts before any request: [(slug, part)]."""
    seen = set()
    for index, part in enumerate(parts):
        field = "parts[%d]" % index
        if not SLUG.match(part["slug"] or ""):
            raise SpecError(field + ".slug", "lower-case letters, digits, _ and - expected, got %r" % part["slug"])
        if part["slug"] in seen:
            raise SpecError(field + ".slug", "%r is listed twice" % part["slug"])
        seen.add(part["slug"])
        if part["state"] == "present" and not (part["content"] or "").strip():
            raise SpecError(field + ".content", "required for a present part")
    return [(part["slug"], part) for part in parts]


def active_theme(client, current):
    """The active theme's stylesheet (the parts name it); SpecError for a classic theme, which has no parts."""
    if current:
        return next(iter(current.values()))["theme"]
    theme = client.active_theme()
    # WordPress 6.1 does not expose is_block_theme; block themes get the block-templates support.
    if not theme.get("is_block_theme", (theme.get("theme_supports") or {}).get("block-templates")):
        raise SpecError("parts", "the active theme %r is a classic theme: it has no template parts"
                        % theme.get("stylesheet"))
    return theme["stylesheet"]


def current_parts(client):
    """The active theme's parts by slug (theme files and the site's versions: the site's wins)."""
    return {part["slug"]: part for part in client.template_parts()}


def navigation_ids(client, menus):
    """Location -> id of its navigation menu: ids as given, names looked up among the published navigation menus
    (the oldest when names repeat; one read, only when a name is given)."""
    for location, menu in menus.items():
        if menu is not None and (isinstance(menu, bool) or not isinstance(menu, (int, str)) or menu == ""):
            raise SpecError("menus.%s" % location, "the id or the name of a navigation menu expected, got %r" % (menu,))
    by_name = {}
    if any(isinstance(menu, str) for menu in menus.values()):
        posts = [post for post in client.navigation_menus() if post["status"] == "publish"]
        for post in sorted(posts, key=lambda post: post["id"]):
            by_name.setdefault(post["title"]["raw"], post["id"])
    return {location: by_name.get(menu) if isinstance(menu, str) else menu for location, menu in menus.items()}


def part_diff(slug, before, after):
    return {"before_header": "template part %s (site)" % slug, "after_header": "template part %s (desired)" % slug,
            "before": (before or "") + "\n", "after": (after or "") + "\n"}


def apply_template_parts(client, params, check_mode):
    wanted = desired_parts(params["parts"])
    for slug, part in wanted:  # placeholders checked before any request
        if part["state"] == "present":
            render_part(part["content"], params["placeholders"], {}, "parts.%s.content" % slug)
    current = current_parts(client)
    theme = active_theme(client, current)
    uses_menus = any(part["state"] == "present" and MENU_PLACEHOLDER.search(part["content"]) for _slug, part in wanted)
    menus = navigation_ids(client, params["menus"] or {}) if uses_menus else {}

    results, updated, diffs = [], [], []
    for slug, part in wanted:
        existing = current.get(slug)
        before = normalise(existing["content"]["raw"]) if existing and existing["source"] == "custom" else None
        part_id = existing["id"] if existing else "%s//%s" % (theme, slug)
        if part["state"] == "absent":
            after, source = None, "theme" if existing and existing["source"] == "custom" else None
            if before is not None:
                updated.append(slug)
                diffs.append(part_diff(slug, before, ""))
                if not check_mode:
                    client.delete_template_part(part_id, slug)
            results.append({"slug": slug, "id": part_id, "source": source})
            continue
        after = normalise(render_part(part["content"], params["placeholders"], menus, "parts.%s.content" % slug))
        if after != before:
            updated.append(slug)
            diffs.append(part_diff(slug, before if before is not None else (
                normalise(existing["content"]["raw"]) if existing else ""), after))
            if not check_mode:
                write_part(client, slug, part, existing, part_id, theme, after)
        results.append({"slug": slug, "id": part_id, "source": "custom"})
    return {"changed": bool(updated), "theme": theme, "parts": results, "updated": updated, "diff": diffs}


def write_part(client, slug, part, existing, part_id, theme, content):
    if existing:
        return client.save_template_part(part_id, slug, content)
    return client.create_template_part(slug, {"theme": theme, "area": part["area"], "content": content,
                                              "title": slug.replace("-", " ").capitalize(), "status": "publish"})
