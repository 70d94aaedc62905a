# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Template parts and templates of the active block theme (``fabrik.deploy.wordpress_template_parts``).

The site's parts (and templates, when some are given) are read once (the theme's files and the site's own
versions alike); one whose content differs is stored as the site's version (the Site Editor's save), a new
one created, one given ``state: absent`` deleted (its theme file, if any, shows again). The REST calls are
the client's (``_wordpress_api.py``). Placeholders are filled by :func:`._themes.render_part`.
"""

from __future__ import annotations

import json
import re

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import MENU_PLACEHOLDER, render_part

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# A self-closing template part block with attributes: its opening, the attributes' inside, its closing.
TEMPLATE_PART_BLOCK = re.compile(r'(<!-- wp:template-part \{)([^{}]*)(\} /-->)')


def normalise(content):
    return (content or "").replace("\r\n", "\n").strip()


class Kind:
    """Template parts or templates: the client's calls and the words for them."""

    def __init__(self, option, noun, listing, save, create, delete):
        self.option, self.noun = option, noun
        self.listing, self.save, self.create, self.delete = listing, save, create, delete


def kinds(client):
    return (Kind("parts", "template part", client.template_parts, client.save_template_part,
                 client.create_template_part, client.delete_template_part),
            Kind("templates", "template", client.templates, client.save_template, client.create_template,
                 client.delete_template))


def desired_parts(parts, option="parts"):
    """Validate the parts (or templates) before any request: [(slug, part)]."""
    seen = set()
    for index, part in enumerate(parts):
        field = "%s[%d]" % (option, index)
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


def with_part_themes(content, theme):
    """A template's content with the theme named in each template part block that names none, as WordPress
    stores a template (so that what it stores is what is written)."""
    def named(match):
        attributes = match.group(2)
        if '"theme":' in attributes:
            return match.group(0)
        return '%s%s,"theme":%s%s' % (match.group(1), attributes, json.dumps(theme), match.group(3))

    return TEMPLATE_PART_BLOCK.sub(named, content)


def part_diff(slug, before, after, noun="template part"):
    return {"before_header": "%s %s (site)" % (noun, slug), "after_header": "%s %s (desired)" % (noun, slug),
            "before": (before or "") + "\n", "after": (after or "") + "\n"}


def apply_template_parts(client, params, check_mode):
    """Parts and templates as the parameters give them; the result of the module."""
    wanted = {kind.option: desired_parts(params[kind.option] or [], kind.option) for kind in kinds(client)}
    for option, items in wanted.items():  # placeholders checked before any request
        for slug, part in items:
            if part["state"] == "present":
                render_part(part["content"], params["placeholders"], {}, "%s.%s.content" % (option, slug))
    current = {kind.option: {item["slug"]: item for item in kind.listing()} if wanted[kind.option] else {}
               for kind in kinds(client)}
    theme = active_theme(client, current["parts"] or current["templates"])
    uses_menus = any(part["state"] == "present" and MENU_PLACEHOLDER.search(part["content"])
                     for items in wanted.values() for _slug, part in items)
    menus = navigation_ids(client, params["menus"] or {}) if uses_menus else {}
    result = {"changed": False, "theme": theme, "updated": [], "diff": []}
    for kind in kinds(client):
        done = apply_kind(kind, wanted[kind.option], current[kind.option], theme, menus, params, check_mode)
        result[kind.option] = done["items"]
        result["updated"] += done["updated"]
        result["diff"] += done["diff"]
    result["changed"] = bool(result["updated"])
    return result


def apply_kind(kind, wanted, current, theme, menus, params, check_mode):
    """Write the parts (or templates) ``wanted`` that differ from ``current``."""
    results, updated, diffs = [], [], []
    for slug, part in wanted:
        existing = current.get(slug)
        before = normalise(existing["content"]["raw"]) if existing and existing["source"] == "custom" else None
        part_id = existing["id"] if existing else "%s//%s" % (theme, slug)
        if part["state"] == "absent":
            after, source = None, "theme" if existing and existing["source"] == "custom" else None
            if before is not None:
                updated.append(slug)
                diffs.append(part_diff(slug, before, "", kind.noun))
                if not check_mode:
                    kind.delete(part_id, slug)
            results.append({"slug": slug, "id": part_id, "source": source})
            continue
        after = normalise(render_part(part["content"], params["placeholders"], menus,
                                      "%s.%s.content" % (kind.option, slug)))
        if kind.option == "templates":
            after = with_part_themes(after, theme)
        if after != before:
            updated.append(slug)
            diffs.append(part_diff(slug, before if before is not None else (
                normalise(existing["content"]["raw"]) if existing else ""), after, kind.noun))
            if not check_mode:
                write_part(kind, slug, part, existing, part_id, theme, after)
        results.append({"slug": slug, "id": part_id, "source": "custom"})
    return {"items": results, "updated": updated, "diff": diffs}


def write_part(kind, slug, part, existing, part_id, theme, content):
    if existing:
        return kind.save(part_id, slug, content)
    body = {"theme": theme, "content": content, "status": "publish",
            "title": part.get("title") or slug.replace("-", " ").capitalize()}
    if kind.option == "parts":
        body["area"] = part["area"]
    return kind.create(slug, body)
