# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WordPress site spec: the preset with the site's spec merged over it, and the validation of its parts.

Shared by the WordPress modules (each validates its own option with these functions before any request)
and the preflight (``site_spec``), which validates the whole stage with the same functions before the
first request of a run, so that the two never disagree:

* :func:`build_spec`: the spec the wordpress role gives its modules (the ``fabrik.deploy.wordpress_spec``
  filter), with :func:`deep_merge` (the ``fabrik.deploy.deep_merge`` filter);
* pages (:func:`desired_pages`), menus (:func:`desired_menus`), theme (:func:`validate_theme`), plugins
  (:func:`validate_plugins`) and users (:func:`validate_users`).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import (
    fill_placeholders,
    render,
    render_raw,
    validate_url,
)
from ansible_collections.fabrik.deploy.plugins.module_utils import _wordpress_forms as forms_lib
from ansible_collections.fabrik.deploy.plugins.module_utils import _wordpress_site as site_lib
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

MERGE_KEYS = ("slug", "name")
DEFAULT_FORM_PAGE = "contact"
DEFAULT_FORM_TITLE = "Contact"

PAGE_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_OPTIONS = dict(
    slug=dict(type="str", required=True),
    title=dict(type="str"),
    status=dict(type="str", choices=["publish", "draft", "pending", "private"], default="publish"),
    parent=dict(type="str"),
    template=dict(type="str"),
    menu_order=dict(type="int"),
    excerpt=dict(type="str"),
    featured_media=dict(type="int"),
    sections=dict(type="list", elements="dict"),
    content=dict(type="str"),
    raw_html=dict(type="bool", default=False),
    seo=dict(type="dict", options=dict(title=dict(type="str"), description=dict(type="str"))),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
MENU_OPTIONS = dict(
    name=dict(type="str", required=True),
    location=dict(type="str"),
    items=dict(type="list", elements="dict"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
MENU_ITEM_KEYS = frozenset(("title", "page", "url", "children"))
MENU_MAX_DEPTH = 8

STYLESHEET = re.compile(r"^[A-Za-z0-9._-]+$")
STYLE_SLUG = re.compile(r"^[a-z0-9-]+$")
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
THEME_MOD_NAME = re.compile(r"^[a-z0-9_-]+$")
# The value field of each kind of global style preset (palette colours, font families).
STYLE_VALUE_KEYS = {"palette": "color", "font_families": "font_family"}

PLUGIN_SLUG = re.compile(r"^[A-Za-z0-9._-]+$")
ZIP_MAGIC = b"PK\x03\x04"

# The contact form plugin's shortcode (wordpress_forms.contact.shortcode), stored as given.
SHORTCODE = re.compile(r"^\[[A-Za-z0-9_-]+( [^\[\]<>]*)?\]$")

USER_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME = re.compile(r"^[A-Za-z0-9 _.@-]{1,60}$")


# ------------------------------------------------------------------ the spec: a preset with the site's merged over it


def plain(value):
    """Ansible's tagged/lazy containers and strings as plain Python values."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def deep_merge(base, override):
    """``override`` merged over ``base``: mappings key by key, lists of mappings that all carry a ``slug`` (pages)
    or all a ``name`` (menus) item by item on that key (new items appended), any other value replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        key = _merge_key(base, override)
        if key:
            return _merge_lists(base, override, key)
    return override


def _merge_key(base, override):
    items = base + override
    for key in MERGE_KEYS:
        if items and all(isinstance(item, dict) and key in item for item in items):
            return key
    return None


def _merge_lists(base, override, key):
    merged = list(base)
    positions = {item[key]: index for index, item in enumerate(merged)}
    for item in override:
        index = positions.get(item[key])
        if index is None:
            positions[item[key]] = len(merged)
            merged.append(item)
        else:
            merged[index] = deep_merge(merged[index], item)
    return merged


def build_spec(preset, legal_pages=None, pages=None, menus=None, theme=None, plugins=None, site=None,
               company=None, url=None, forms=None, content=None, seo=None, shop=None, brand=None, preset_dir="",
               domain=None, analytics=False, posts=None):
    """The spec the wordpress role gives its modules (see the ``wordpress_spec`` filter's documentation).

    ``content`` is the site's content file (``site``, ``company``, ``pages``, ``menus``, ``seo``), merged over
    the variables of the same names."""
    content = plain(content or {})
    preset = plain(preset or {})
    site = deep_merge(plain(site or {}), content.get("site") or {})
    company = deep_merge(plain(company or {}), content.get("company") or {})
    pages = deep_merge(plain(pages or []), content.get("pages") or [])
    menus = deep_merge(plain(menus or []), content.get("menus") or [])
    placeholders = site_placeholders(site, company, str(url or ""), domain)
    contact = plain((forms or {}).get("contact") or {})
    # The legal pages' parts that hold for this site (analytics, the form, hosting, a company detail).
    flags = {"analytics": bool(analytics), "form": bool(contact), "hosting": bool(company.get("hosting"))}
    legal = [site_lib.legal_page(page, flags, placeholders) if isinstance(page, dict) else page
             for page in plain(legal_pages or [])]
    merged_pages = deep_merge(plain(preset.get("pages", [])) + legal, pages)
    merged_shop = deep_merge(plain(preset.get("shop") or {}), plain(shop or {}))
    merged_brand = deep_merge(site_lib.preset_files(preset.get("brand") or {}, preset_dir), plain(brand or {}))
    media = [dict(item, path=site_lib.in_preset_dir(item["path"], preset_dir)) for item in preset.get("media") or []
             if isinstance(item, dict) and item.get("name") and item.get("path")]
    # {{ media.<name> }}: where each picture will be (the role fills in the URLs the upload returns).
    placeholders["media"] = {item["name"]: site_lib.MEDIA_STAND_IN for item in media + (merged_brand.get("assets") or [])
                             if isinstance(item, dict) and item.get("name")}
    page_mappings = [page for page in merged_pages if isinstance(page, dict)]
    merged_pages = deep_merge(merged_pages, forms_lib.contact_form_pages(
        contact, page_mappings, company, lambda sections: render(sections, placeholders)))
    page_mappings = [page for page in merged_pages if isinstance(page, dict)]
    merged_pages = deep_merge(merged_pages, forms_lib.shop_pages(merged_shop, page_mappings, contact))
    extra_plugins = forms_lib.shop_plugins(merged_shop) + forms_lib.contact_form_plugins(contact)
    return {
        "placeholders": placeholders,
        "pages": merged_pages,
        "menus": site_lib.footer_menu(deep_merge(preset.get("menus", []), menus),
                                      [page for page in legal if isinstance(page, dict)]),
        "theme": deep_merge(preset.get("theme", {}), plain(theme or {})),
        "plugins": with_plugins(plugin_list(preset.get("plugins", []) if plugins is None else plain(plugins)),
                                extra_plugins),
        "settings": deep_merge(preset.get("settings", {}), site),
        "contact_form": forms_lib.contact_form_settings(contact, company),
        "site": site,
        "company": company,
        "seo": deep_merge(plain(seo or {}), content.get("seo") or {}),
        "brand": merged_brand,
        "media": media,
        "posts": deep_merge(plain(preset.get("posts") or []), plain(posts or [])),
    }


def site_placeholders(site, company, url, domain=None):
    """What ``{{ company.* }}``, ``{{ site.* }}`` and ``{{ legal.* }}`` in the pages' texts stand for."""
    title = site.get("title", "")
    return {
        "company": company,
        "site": {
            "title": title,
            "tagline": site.get("tagline", ""),
            "domain": site.get("domain") or domain or urlsplit(url).hostname,
            "url": url,
            "owner": company.get("name") or title,
        },
        "legal": {"law": site_lib.applicable_law(company.get("country"))},
    }


def plugin_list(items):
    """Mappings as they are, then slugs as ``{slug: ...}`` (a preset lists slugs, a site may give mappings)."""
    return [item for item in items if isinstance(item, dict)] + [{"slug": item} for item in items
                                                                 if isinstance(item, str)]


def with_plugins(plugins, extra):
    """``plugins`` followed by the ``extra`` ones it does not list yet (by slug)."""
    listed = {item.get("slug") for item in plugins if isinstance(item, dict)}
    return plugins + [item for item in extra if item["slug"] not in listed]


# ------------------------------------------------------------------ pages


def title_text(value):
    """A title or menu label stored so that it shows as text: ``<`` and ``>`` escaped (``&`` kept readable)."""
    return value.replace("<", "&lt;").replace(">", "&gt;")


def normalise_content(value):
    return (value or "").replace("\r\n", "\n").strip()


def desired_pages(pages, placeholders, version=None, post_type="page"):
    """Validate and render every page (for WordPress ``version``): (present pages by slug, absent slugs).

    ``pages`` are wordpress_pages' ``pages`` (validated against :data:`PAGE_OPTIONS`); posts
    (``post_type="post"``) have no parent and no menu order."""
    present, absent = {}, []
    for index, page in enumerate(pages):
        field = "pages[%d]" % index
        if post_type == "post":
            for key in ("parent", "menu_order"):
                if page[key] is not None:
                    raise SpecError("%s.%s" % (field, key), "posts have none (post_type=post)")
        slug = check_page_slug(page["slug"], field + ".slug")
        if slug in present or slug in absent:
            raise SpecError(field + ".slug", "%r is listed twice" % slug)
        if page["state"] == "absent":
            absent.append(slug)
        else:
            present[slug] = desired_page(page, field, placeholders, version)
    check_page_tree(present, absent)
    return present, absent


def check_page_slug(slug, field):
    if not PAGE_SLUG.match(slug or ""):
        raise SpecError(field, "lower-case letters, digits and inner hyphens expected, got %r" % slug)
    return slug


def check_page_tree(present, absent):
    """Parents: no cycle, none listed as absent."""
    for slug, page in present.items():
        check_ancestry(slug, present)
        if page["parent"] in absent:
            raise SpecError("pages.%s.parent" % slug, "the parent %r is listed as absent" % page["parent"])


def desired_page(page, field, placeholders, version=None):
    if not page["title"]:
        raise SpecError(field + ".title", "required for a present page")
    if (page["sections"] is None) == (page["content"] is None):
        raise SpecError(field, "exactly one of sections and content expected")
    if page["sections"] is not None:
        content = render(page["sections"], placeholders, field + ".sections", version)
    else:
        content = render_raw(page["content"], page["raw_html"], version)
    desired = {
        "slug": page["slug"],
        "title": title_text(fill_placeholders(page["title"], placeholders, field + ".title")),
        "status": page["status"],
        "parent": page["parent"] or None,
        "content": normalise_content(content),
    }
    for key in ("template", "menu_order", "featured_media"):
        if page[key] is not None:
            desired[key] = page[key]
    if page["excerpt"] is not None:
        desired["excerpt"] = title_text(fill_placeholders(page["excerpt"], placeholders, field + ".excerpt"))
    seo = {key: fill_placeholders(text, placeholders, "%s.seo.%s" % (field, key))
           for key, text in (page["seo"] or {}).items() if text is not None}
    if seo:
        desired["seo"] = seo
    return desired


def check_ancestry(slug, present):
    seen = [slug]
    parent = present[slug]["parent"]
    while parent in present:
        if parent in seen:
            raise SpecError("pages.%s.parent" % slug, "parent cycle: %s" % " -> ".join(seen + [parent]))
        seen.append(parent)
        parent = present[parent]["parent"]


# ------------------------------------------------------------------ menus


def desired_menus(menus):
    """(present menus with their items flattened, absent menu names); ``menus`` as wordpress_menus' option."""
    present, absent = [], []
    for index, menu in enumerate(menus):
        field = "menus[%d]" % index
        if any(menu["name"] == other["name"] for other in present) or menu["name"] in absent:
            raise SpecError(field + ".name", "%r is listed twice" % menu["name"])
        if menu["state"] == "absent":
            absent.append(menu["name"])
            continue
        if not menu["items"]:
            raise SpecError(field + ".items", "required for a present menu")
        present.append({"name": menu["name"], "location": menu["location"],
                        "items": flatten_menu_items(menu["items"], field + ".items")})
    return present, absent


def flatten_menu_items(items, field, parent=None, flat=None, level=0):
    """Items depth-first as ``{title, page, url, parent}`` (``parent``: index in the flat list)."""
    flat = [] if flat is None else flat
    if level >= MENU_MAX_DEPTH:
        raise SpecError(field, "menus nest at most %d levels deep" % MENU_MAX_DEPTH)
    for index, item in enumerate(items):
        where = "%s[%d]" % (field, index)
        if not isinstance(item, dict):
            raise SpecError(where, "a mapping expected")
        unknown = sorted(set(item) - MENU_ITEM_KEYS)
        if unknown:
            raise SpecError("%s.%s" % (where, unknown[0]), "unknown field; allowed: %s" % ", ".join(sorted(MENU_ITEM_KEYS)))
        if bool(item.get("page")) == bool(item.get("url")):
            raise SpecError(where, "exactly one of page and url expected")
        if item.get("url") and not item.get("title"):
            raise SpecError(where + ".title", "required for a url item")
        flat.append({
            "title": title_text(str(item["title"])) if item.get("title") else None,
            "page": item.get("page"),
            "url": validate_url(str(item["url"]), where + ".url") if item.get("url") else None,
            "parent": parent,
        })
        children = item.get("children") or []
        if not isinstance(children, list):
            raise SpecError(where + ".children", "a list of items expected")
        flatten_menu_items(children, where + ".children", len(flat) - 1, flat, level + 1)
    return flat


# ------------------------------------------------------------------ theme, plugins, users


def validate_theme(stylesheet, styles, theme_mods):
    """wordpress_theme's options (``styles`` as validated against its suboptions)."""
    if stylesheet is not None and not STYLESHEET.match(stylesheet):
        raise SpecError("stylesheet", "a theme directory name expected, got %r" % stylesheet)
    for option, entries in (styles or {}).items():
        if option in STYLE_VALUE_KEYS:  # the presets; rules are a fragment of theme.json's styles
            validate_style_presets(option, entries or [])
    for name, value in (theme_mods or {}).items():
        if not THEME_MOD_NAME.match(name):
            raise SpecError("theme_mods.%s" % name, "names of lower-case letters, digits, _ and - expected")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise SpecError("theme_mods.%s" % name, "a string, number, boolean or null expected")


def validate_style_presets(option, entries):
    value_key = STYLE_VALUE_KEYS[option]
    seen = set()
    for index, entry in enumerate(entries):
        where = "styles.%s[%d]" % (option, index)
        slug, value = entry["slug"], entry[value_key]
        if not STYLE_SLUG.match(slug):
            raise SpecError(where + ".slug", "lower-case letters, digits and - expected, got %r" % slug)
        if slug in seen:
            raise SpecError(where + ".slug", "duplicate slug %r" % slug)
        seen.add(slug)
        if not value.strip():
            raise SpecError("%s.%s" % (where, value_key), "a non-empty string expected")
        if option == "palette" and not HEX_COLOR.match(value):
            raise SpecError(where + ".color", "#RRGGBB or #RGB expected, got %r" % value)


def is_url(src):
    return src.lower().startswith(("http://", "https://"))


def validate_plugins(items):
    """wordpress_plugins' ``plugins``: slugs distinct, a local ``src`` an existing zip file."""
    seen = set()
    for index, item in enumerate(items):
        where = "plugins[%d]" % index
        if not PLUGIN_SLUG.match(item["slug"]):
            raise SpecError(where + ".slug", "letters, digits, ., _ and - expected, got %r" % item["slug"])
        if item["slug"] in seen:
            raise SpecError(where + ".slug", "duplicate slug %r" % item["slug"])
        seen.add(item["slug"])
        src = item["src"]
        if src and not is_url(src):
            if not os.path.isfile(src):
                raise SpecError(where + ".src", "no such file on the controller: %s" % src)
            with open(src, "rb") as handle:
                if handle.read(4) != ZIP_MAGIC:
                    raise SpecError(where + ".src", "a zip file expected: %s" % src)


def validate_users(items):
    """wordpress_users' ``users``: usernames valid and distinct, e-mail addresses valid."""
    seen = set()
    for index, item in enumerate(items):
        where = "users[%d]" % index
        if not USERNAME.match(item["username"]):
            raise SpecError(where + ".username", "1..60 letters, digits, space, _ . @ - expected")
        if item["username"].lower() in seen:
            raise SpecError(where + ".username", "duplicate username %r" % item["username"])
        seen.add(item["username"].lower())
        if item["email"] is not None and not USER_EMAIL.match(item["email"]):
            raise SpecError(where + ".email", "an e-mail address expected, got %r" % item["email"])
