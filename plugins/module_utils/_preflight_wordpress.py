# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight of the wordpress stage: the spec the role will build, checked as its modules check it.

The spec is built as the role builds it (:func:`~._wordpress_spec.build_spec`): the preset (a built-in one or a
file), the legal pages, the site's ``wordpress_*`` variables and its content file (``wordpress_content_file``,
read as data: never a template). Every page, menu, plugin, user, media file, colour and id is then checked with
the validators of the module that will receive it. A problem is named by where the user wrote the value:

* ``wordpress_pages[2].sections[0].type``: the site's own variable;
* ``wordpress_content_file.pages[1].title``: the content file;
* ``wordpress_preset.pages[0]...``, ``wordpress_legal[1]...``: the preset or legal page file (a file of the site
  when it is not a built-in one);
* ``wordpress_forms.contact``: the contact form's page.

A field of a page the site merges over a preset's page belongs to whichever of them gives that field last.
"""

from __future__ import annotations

import mimetypes
import os
import re

from ansible_collections.fabrik.deploy.plugins.module_utils import _wordpress_spec as spec_lib
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._yaml import AVAILABLE as YAML_AVAILABLE
from ansible_collections.fabrik.deploy.plugins.module_utils._yaml import YAMLError, safe_load
from ansible_collections.fabrik.deploy.plugins.module_utils._preflight import check_file, renamer, require
from ansible_collections.fabrik.deploy.plugins.module_utils._types import check, describe
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import head_snippets, validate_site_url

BUILTIN_PRESETS = ("company", "landing", "saas", "ecommerce", "content")
CONTENT_KEYS = ("site", "company", "pages", "menus", "seo")
PLUGIN_OPTIONS = dict(
    slug=dict(type="str", required=True),
    state=dict(type="str", default="active", choices=["present", "active", "inactive", "absent"]),
    src=dict(type="str"),
    required_by=dict(type="str"),
    hint=dict(type="str"),
)
USER_OPTIONS = dict(username=dict(type="str", required=True), email=dict(type="str"), role=dict(type="str"),
                    display_name=dict(type="str"), password=dict(type="str"),
                    state=dict(type="str", default="present", choices=["present", "absent"]))
MEDIA_OPTIONS = dict(path=dict(type="str", required=True), name=dict(type="str"), title=dict(type="str"),
                     alt_text=dict(type="str"),
                     role=dict(type="str", default="none", choices=["logo", "site_icon", "none"]))
STAND_IN_URL = "https://site.invalid"
FIELD_HEAD = re.compile(r"^page(?:\.([a-z_]+))?(.*)$")


class Sources:
    """The entries of one kind (pages by slug, menus by name) each source gave, in merge order."""

    def __init__(self, key):
        self.key = key
        self.by_key = {}

    def add(self, label, entries):
        for index, entry in enumerate(entries or []):
            if isinstance(entry, dict) and isinstance(entry.get(self.key), str):
                self.by_key.setdefault(entry[self.key], []).append(("%s[%d]" % (label, index), entry))

    def owner(self, key, field=None):
        """The label of the entry that gave ``field`` of the item ``key`` last (the last entry otherwise)."""
        contributions = self.by_key.get(key) or [("%s %r" % (self.key, key), {})]
        for label, entry in reversed(contributions):
            if field is None or field in entry:
                return label
        return contributions[-1][0]


def load_yaml(site, problems, path, field, allowed=()):
    """The data of the YAML file ``path`` (a site file, checked) or None after a problem."""
    full = check_file(site, problems, path, field, allowed=allowed)
    if full is None:
        return None
    try:
        with open(full, encoding="utf-8") as handle:
            return safe_load(handle)
    except (OSError, UnicodeDecodeError, YAMLError) as err:
        mark = getattr(err, "problem_mark", None)
        where = " at line %d" % (mark.line + 1) if mark else ""
        problems.add(field, "%s is not readable YAML%s: %s" % (path, where, getattr(err, "problem", None) or err))
        return None


def check_wordpress(site, problems):
    """The whole wordpress stage (see the module docstring)."""
    check_connection(site, problems)
    if not YAML_AVAILABLE:
        return
    preset = load_preset(site, problems)
    content = load_content(site, problems)
    legal = load_legal(site, problems, preset)
    # A file that could not be read is its problem; the rest of the spec is checked without it.
    files_ok = preset is not None and content is not None and legal is not None
    preset, content, legal = preset or {}, content or {}, legal or ("wordpress_legal", [])
    inventory_pages = site.get("wordpress_pages") or []
    content_pages = content.get("pages") or []
    pages_ok = all([check_page_entries(problems, "wordpress_preset.pages", preset.get("pages")),
                    check_page_entries(problems, legal[0], legal[1]),
                    check_page_entries(problems, "wordpress_pages", inventory_pages),
                    check_page_entries(problems, "wordpress_content_file.pages", content_pages)])
    menus_ok = all([check_menu_entries(problems, "wordpress_preset.menus", preset.get("menus")),
                    check_menu_entries(problems, "wordpress_menus", site.get("wordpress_menus")),
                    check_menu_entries(problems, "wordpress_content_file.menus", content.get("menus"))])
    site_values = spec_lib.deep_merge(spec_lib.plain(site.get("wordpress_site") or {}), content.get("site") or {})
    if not str(site_values.get("title") or "").strip() and not problems.about("wordpress_site"):
        problems.add("wordpress_site.title", "required: the site's title (or site.title in wordpress_content_file)")
    forms = site.get("wordpress_forms") or {}
    check_forms(problems, forms)
    whole = pages_ok and menus_ok and files_ok
    if problems.about("wordpress_forms"):
        forms = {"contact": {key: value for key, value in (forms.get("contact") or {}).items()
                             if key not in ("shortcode", "page")}}
    analytics = site.get("wordpress_analytics") or {}
    try:
        # Without valid page and menu entries, the rest of the spec (theme, plugins, SEO) is checked alone.
        spec = spec_lib.build_spec(
            preset if whole else dict(preset, pages=[], menus=[]), legal_pages=legal[1] if whole else [],
            pages=inventory_pages if whole else [], menus=site.get("wordpress_menus") if whole else [],
            theme=site.get("wordpress_theme"), plugins=site.get("wordpress_plugins"), site=site.get("wordpress_site"),
            company=site.get("wordpress_company"), url=_url(site, problems),
            forms=forms if whole else {"contact": {key: value for key, value in (forms.get("contact") or {}).items()
                                                   if key in ("plugin", "plugin_src")}},
            content=content if whole else dict(content, pages=[], menus=[]), seo=site.get("wordpress_seo"),
            shop=site.get("wordpress_shop"), brand=site.get("wordpress_brand"), preset_dir=preset_dir(site),
            domain=site.get("site_domain"), analytics=bool(analytics.get("ga4_id") or analytics.get("gtm_id")),
            posts=site.get("wordpress_posts") if whole else [])
    except SpecError as err:
        # The form's and the shop's own checks name the inventory variable; a legal page's condition, the legal
        # pages' variable; a page of the form's, its field.
        if (err.field or "").startswith("wordpress_"):
            problems.add(err.field, err.message)
        elif (err.field or "").startswith("legal page"):
            problems.add(legal[0], "%s: %s" % (err.field, err.message))
        else:
            problems.add("wordpress_forms.contact" + _tail(err.field), err.message)
        return
    if whole:
        check_content(site, problems, spec, preset, legal, inventory_pages, content_pages, content, forms)
    check_theme(site, problems, spec["theme"], files_ok)
    check_plugins(site, problems, spec["plugins"])
    check_media(site, problems)
    check_preset_media(site, problems, spec)
    check_users(site, problems)
    seo = spec["seo"]
    problems.attempt(lambda: head_snippets(analytics.get("ga4_id"), analytics.get("gtm_id"), seo.get("verification"),
                                           analytics.get("snippets")),
                     renamer(("ga4_id", "wordpress_analytics.ga4_id"), ("gtm_id", "wordpress_analytics.gtm_id"),
                             ("verification", "wordpress_seo.verification"),
                             ("snippets", "wordpress_analytics.snippets")))


def check_content(site, problems, spec, preset, legal, inventory_pages, content_pages, content, forms):
    """Pages, menus and reading settings of the whole spec, each problem named by the entry that gave it."""
    pages = Sources("slug")
    pages.add("wordpress_preset.pages", preset.get("pages"))
    pages.add(legal[0], legal[1])
    pages.add("wordpress_pages", inventory_pages)
    pages.add("wordpress_content_file.pages", content_pages)
    if (forms.get("contact") or {}).get("shortcode") is not None:
        # The form replaces the page's content with its sections rendered and the shortcode.
        pages.by_key.setdefault(forms["contact"].get("page", spec_lib.DEFAULT_FORM_PAGE), []).append(
            ("wordpress_forms.contact", {"content": None, "raw_html": True}))
    present = check_pages(problems, spec, pages)
    menus = Sources("name")
    menus.add("wordpress_preset.menus", preset.get("menus"))
    menus.add("wordpress_menus", site.get("wordpress_menus"))
    menus.add("wordpress_content_file.menus", content.get("menus"))
    check_menus(problems, spec["menus"], menus, present)
    check_settings(site, problems, spec["settings"], present, preset)


def _url(site, problems):
    """The site's URL for the placeholders (a stand-in while wordpress_url has a problem of its own)."""
    return STAND_IN_URL if problems.about("wordpress_url") or not site.get("wordpress_url") else site.get("wordpress_url")


def _tail(field):
    """The part of a module field after its first component (``pages[0].title`` -> ``.title``)."""
    match = re.match(r"^[a-z_]+(?:\[\d+\])?(.*)$", field or "")
    return match.group(1) if match else ""


def check_connection(site, problems):
    if site.has("wordpress_url"):
        problems.attempt(lambda: validate_site_url(site.get("wordpress_url"), "wordpress_url"))
    else:
        require(site, problems, "wordpress_url")
    require(site, problems, "wordpress_username", "wordpress_admin_password")


# ------------------------------------------------------------------ files: preset, legal pages, content


def collection_file(site, *parts):
    return os.path.join(site.get("collection_dir") or "", "templates", *parts)


def preset_dir(site):
    """The directory of the preset's file, where the preset's own pictures are (as the role computes it)."""
    name = site.get("wordpress_preset") or "company"
    if name in (site.get("wordpress_builtin_presets") or BUILTIN_PRESETS):
        return collection_file(site, "presets")
    return os.path.dirname(os.path.normpath(os.path.join(site.base_dir(), os.path.expanduser(str(name).strip()))))


def load_preset(site, problems):
    """The preset's data: a built-in preset by name, else a site file; None after a problem."""
    name = site.get("wordpress_preset") or "company"
    builtin = site.get("wordpress_builtin_presets") or BUILTIN_PRESETS
    if name in builtin:
        data = load_yaml(site, problems, collection_file(site, "presets", name + ".yml"), "wordpress_preset",
                         allowed=[collection_file(site)])
    elif name.endswith((".yml", ".yaml")) or os.sep in name:
        data = load_yaml(site, problems, name, "wordpress_preset")
    else:
        problems.add("wordpress_preset", "one of %s or the path of a preset file (.yml) expected, got %s"
                     % (", ".join(builtin), describe(name)))
        return None
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add("wordpress_preset", "a preset (a mapping of pages, menus, theme, plugins, settings) expected in "
                                         "%s, got %s" % (name, describe(data)))
        return None
    return data


def load_legal(site, problems, preset):
    """(label, the legal pages): wordpress_legal when set, else the preset's; None after a problem."""
    names = site.get("wordpress_legal")
    label = "wordpress_legal"
    if names is None:
        names, label = (preset or {}).get("legal") or [], "wordpress_preset.legal"
    pages, failed = [], False
    for index, name in enumerate(names if isinstance(names, list) else []):
        field = "%s[%d]" % (label, index)
        if isinstance(name, str) and re.match(r"^[a-z0-9-]+$", name):
            data = load_yaml(site, problems, collection_file(site, "legal", name + ".yml"), field,
                             allowed=[collection_file(site)])
        else:
            data = load_yaml(site, problems, name, field)
        if data is not None and not isinstance(data, dict):
            problems.add(field, "a page (a mapping with slug, title and sections) expected, got %s" % describe(data))
            data = None
        failed = failed or data is None
        pages.append(data)
    return None if failed else (label, pages)


def load_content(site, problems):
    """The content file's data (``{}`` without one): read as data, never templated; None after a problem."""
    path = site.get("wordpress_content_file")
    if not path:
        return {}
    data = load_yaml(site, problems, path, "wordpress_content_file")
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add("wordpress_content_file", "a mapping of %s expected in %s, got %s"
                     % (", ".join(CONTENT_KEYS), path, describe(data)))
        return None
    errors = []
    checked = {}
    for key, value in data.items():
        if key not in CONTENT_KEYS:
            errors.append(SpecError("wordpress_content_file.%s" % key, "unknown key; allowed: %s"
                                    % ", ".join(CONTENT_KEYS)))
            continue
        kind = "list" if key in ("pages", "menus") else "dict"
        checked[key] = check(value, {"type": kind, "elements": "dict"} if kind == "list" else {"type": "dict"},
                             "wordpress_content_file.%s" % key, errors)
    problems.extend(errors)
    return None if errors else checked


# ------------------------------------------------------------------ pages and menus


def check_page_entries(problems, label, entries):
    """Each page entry of a source: a mapping with a slug, the pages module's fields; slugs listed once."""
    seen, ok = {}, True
    for index, entry in enumerate(entries or []):
        field = "%s[%d]" % (label, index)
        errors = []
        check(entry, {"type": "dict", "options": spec_lib.PAGE_OPTIONS}, field, errors)
        if not errors and entry.get("slug") is not None:
            try:
                spec_lib.check_page_slug(entry["slug"], field + ".slug")
            except SpecError as err:
                errors.append(err)
        if not errors and entry["slug"] in seen:
            errors.append(SpecError(field + ".slug", "%r is listed twice (also %s[%d]): the second would replace "
                                                     "the first" % (entry["slug"], label, seen[entry["slug"]])))
        if not errors:
            seen[entry["slug"]] = index
        problems.extend(errors)
        ok = ok and not errors
    return ok


def check_menu_entries(problems, label, entries):
    seen, ok = {}, True
    for index, entry in enumerate(entries or []):
        field = "%s[%d]" % (label, index)
        errors = []
        check(entry, {"type": "dict", "options": spec_lib.MENU_OPTIONS}, field, errors)
        if not errors and entry["name"] in seen:
            errors.append(SpecError(field + ".name", "%r is listed twice (also %s[%d])"
                                    % (entry["name"], label, seen[entry["name"]])))
        if not errors:
            seen[entry["name"]] = index
        problems.extend(errors)
        ok = ok and not errors
    return ok


def check_pages(problems, spec, sources):
    """Every page of the spec rendered as wordpress_pages renders it; the present slugs."""
    present, absent = {}, []
    for page in spec["pages"]:
        errors = []
        typed = check(page, {"type": "dict", "options": spec_lib.PAGE_OPTIONS}, "page", errors)
        for err in errors:
            problems.add(_page_field(sources, page["slug"], err.field), err.message)
        if errors:
            continue
        if typed["state"] == "absent":
            absent.append(typed["slug"])
            continue
        try:
            present[typed["slug"]] = spec_lib.desired_page(typed, "page", spec["placeholders"])
        except SpecError as err:
            problems.add(_page_field(sources, typed["slug"], err.field), err.message)
            present[typed["slug"]] = {"parent": typed["parent"] or None}
    try:
        spec_lib.check_page_tree(present, absent)
    except SpecError as err:
        slug = err.field.split(".")[1]
        problems.add(sources.owner(slug, "parent") + ".parent", err.message)
    return present


def _page_field(sources, slug, field):
    match = FIELD_HEAD.match(field)
    key, rest = (match.group(1), match.group(2)) if match else (None, "")
    owner = sources.owner(slug, key)
    return owner + ("." + key if key else "") + rest


def check_menus(problems, menus, sources, present):
    """Menus as wordpress_menus checks them; every page an item names is a page of the spec."""
    for menu in menus:
        errors = []
        typed = check(menu, {"type": "dict", "options": spec_lib.MENU_OPTIONS}, "menu", errors)
        if errors or typed["state"] == "absent":
            problems.extend(errors, lambda field, name=menu["name"]: _menu_field(sources, name, field))
            continue
        try:
            spec_lib.desired_menus([typed])
        except SpecError as err:
            problems.add(_menu_field(sources, menu["name"], err.field.replace("menus[0]", "menu", 1)), err.message)
            continue
        for path, slug in menu_pages(typed["items"], ".items"):
            if slug not in present:
                problems.add(sources.owner(menu["name"], "items") + path + ".page",
                             "no page with slug %r in the site's pages (the preset's, the legal ones, wordpress_pages, "
                             "the content file)%s" % (slug, "" if not present else "; pages: " + ", ".join(sorted(present))))


def _menu_field(sources, name, field):
    match = re.match(r"^menu(?:\.([a-z_]+))?(.*)$", field)
    key, rest = (match.group(1), match.group(2)) if match else (None, "")
    return sources.owner(name, key) + ("." + key if key else "") + rest


def menu_pages(items, path):
    for index, item in enumerate(items or []):
        where = "%s[%d]" % (path, index)
        if isinstance(item, dict):
            if item.get("page"):
                yield where, item["page"]
            yield from menu_pages(item.get("children"), where + ".children")


# ------------------------------------------------------------------ settings, theme, plugins, media, users, forms


def check_settings(site, problems, settings, present, preset):
    given = site.get("wordpress_site") or {}
    for option, legacy in (("front_page", "page_on_front"), ("posts_page", "page_for_posts")):
        slug = settings.get(option) or settings.get(legacy)
        if slug and slug not in present:
            field = "wordpress_site.%s" % option if given.get(option) else "wordpress_preset.settings.%s" % legacy \
                if (preset.get("settings") or {}).get(legacy) == slug else "wordpress_site.%s" % legacy
            problems.add(field, "no page with slug %r in the site's pages" % slug)
    start = settings.get("start_of_week")
    if start is not None and not (isinstance(start, int) and 0 <= start <= 6):
        problems.add("wordpress_site.start_of_week", "0 (Sunday) to 6 (Saturday) expected, got %s" % describe(start))
    per_page = settings.get("posts_per_page")
    if per_page is not None and not (isinstance(per_page, int) and per_page >= 1):
        problems.add("wordpress_site.posts_per_page", "a positive number expected, got %s" % describe(per_page))


def check_theme(site, problems, theme, preset_read=True):
    if not theme.get("slug") and preset_read:
        problems.add("wordpress_theme.slug", "required: the theme's directory name (the preset names none)")
    problems.attempt(lambda: spec_lib.validate_theme(theme.get("slug"), None, theme.get("theme_mods")),
                     renamer(("stylesheet", "wordpress_theme.slug"), ("theme_mods", "wordpress_theme.theme_mods")))
    brand = site.get("wordpress_brand") or {}
    for kind, value_key in (("colors", "color"), ("fonts", "font_family")):
        for slug, value in (brand.get(kind) or {}).items():
            field = "wordpress_brand.%s.%s" % (kind, slug)
            if not spec_lib.STYLE_SLUG.match(str(slug)):
                problems.add(field, "names of lower-case letters, digits and - expected")
            elif not isinstance(value, str) or not value.strip():
                problems.add(field, "a non-empty %s expected" % ("colour" if value_key == "color" else "font family"))
            elif kind == "colors" and not spec_lib.HEX_COLOR.match(value):
                problems.add(field, "#RRGGBB or #RGB expected, got %s" % describe(value))


def check_plugins(site, problems, plugins):
    label = "wordpress_plugins" if site.get("wordpress_plugins") is not None else "wordpress_preset.plugins"
    items, failed = [], False
    for index, item in enumerate(plugins):
        field = "%s[%d]" % (label, index)
        if item.get("required_by"):  # a plugin the form or the shop needs: named by the variable that asks for it
            field = item["required_by"]
        errors = []
        typed = check(item, {"type": "dict", "options": PLUGIN_OPTIONS}, field, errors)
        problems.extend(errors)
        if errors:
            failed = True
            continue
        src = typed.get("src")
        if src and not spec_lib.is_url(src):
            typed["src"] = check_file(site, problems, src, field + ".src")
            failed = failed or typed["src"] is None
        items.append((field, typed))
    if not failed:
        problems.attempt(lambda: spec_lib.validate_plugins([typed for _field, typed in items]),
                         lambda field: _indexed(field, "plugins", [name for name, _typed in items]))


def _indexed(field, option, labels):
    match = re.match(r"^%s\[(\d+)\](.*)$" % option, field)
    return labels[int(match.group(1))] + match.group(2) if match else field


def check_media(site, problems):
    brand = site.get("wordpress_brand") or {}
    entries = []
    for key in ("logo", "favicon"):
        if brand.get(key):
            entries.append(("wordpress_brand.%s" % key, brand[key]))
    for index, asset in enumerate(brand.get("assets") or []):
        errors = []
        typed = check(asset, {"type": "dict", "options": MEDIA_OPTIONS}, "wordpress_brand.assets[%d]" % index, errors)
        problems.extend(errors)
        if not errors:
            entries.append(("wordpress_brand.assets[%d].path" % index, typed["path"]))
    for field, path in entries:
        full = check_file(site, problems, path, field)
        if full and not mimetypes.guess_type(full)[0]:
            problems.add(field, "cannot tell the type of %s from its extension" % path)


def check_preset_media(site, problems, spec):
    """The preset's own pictures (its brand's logo and icon, its ``media``), which are paths in the preset's
    directory: a preset copied without its pictures fails here, not after the first upload."""
    directory = preset_dir(site)
    brand = (spec.get("brand") or {})
    own = site.get("wordpress_brand") or {}
    entries = [("wordpress_preset.brand.%s" % key, brand[key]) for key in ("logo", "favicon")
               if isinstance(brand.get(key), str) and not own.get(key)]
    entries += [("wordpress_preset.media[%d].path" % index, item["path"]) for index, item in enumerate(spec.get("media") or [])]
    for field, path in entries:
        full = check_file(site, problems, path, field, base=directory, allowed=[directory])
        if full and not mimetypes.guess_type(full)[0]:
            problems.add(field, "cannot tell the type of %s from its extension" % path)


def check_users(site, problems):
    items, failed = [], False
    for index, user in enumerate(site.get("wordpress_users") or []):
        errors = []
        typed = check(user, {"type": "dict", "options": USER_OPTIONS}, "wordpress_users[%d]" % index, errors)
        problems.extend(errors)
        failed = failed or bool(errors)
        items.append(typed)
    if not failed:
        problems.attempt(lambda: spec_lib.validate_users(items), renamer(("users", "wordpress_users")))


def check_forms(problems, forms):
    contact = forms.get("contact") or {}
    if contact.get("shortcode") is not None and not spec_lib.SHORTCODE.match(str(contact["shortcode"])):
        problems.add("wordpress_forms.contact.shortcode", "a shortcode like [contact-form-7 id=\"12\"] expected, got %s"
                     % describe(contact["shortcode"]))
    if contact.get("page") is not None:
        problems.attempt(lambda: spec_lib.check_page_slug(contact["page"], "wordpress_forms.contact.page"))
