# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How fabrik.deploy dresses the block themes it supports: the one place for theme-specific choices.

A *theme profile* (``templates/themes/<stylesheet>.yml``, read by the wordpress role) says, for one theme:

* ``colors``: brand colour role -> the theme's palette slug it recolours (``primary: accent-1``);
* ``fonts``: brand font role -> the theme's font family slug it replaces (``body: manrope``); a slug the
  theme lacks is added;
* ``styles``: brand role -> a fragment of theme.json ``styles`` set in the site's global styles while the
  brand gives that role (``primary`` -> the buttons' colours), so that the role shows where the theme
  would not use the slot on its own. A value ``brand:on-<role>`` is white or black, whichever reads on
  that brand colour (:func:`readable_on`);
* ``parts``: template parts that replace the theme's (slug -> ``{area, content}``): block markup with
  ``{{ name.path }}`` text placeholders (``site.title``, ``company.name``, escaped as text) and
  ``{{ menu.<location> }}`` (the id of the navigation menu the spec gives that ``location``); a
  self-closing block using a menu placeholder is left out when the site has no such menu.

:func:`brand_styles` turns a spec's ``wordpress_brand`` into ``fabrik.deploy.wordpress_theme``'s
``styles`` option; :func:`render_part` renders a part for ``fabrik.deploy.wordpress_template_parts``.
Colour or font keys that are no role of the profile are palette / font family slugs of the theme as
they are (also for a theme without a profile).
"""

from __future__ import annotations

import copy
import re

from ansible_collections.fabrik.deploy.plugins.module_utils._block_markup import escape_text
from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import placeholder_value
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

PROFILE_KEYS = frozenset(("name", "wordpress", "colors", "fonts", "styles", "parts"))
ON_COLOR = re.compile(r"^brand:on-([a-z0-9-]+)$")
HEX_COLOR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MENU_PLACEHOLDER = re.compile(r"\{\{\s*menu\.([a-z0-9_-]+)\s*\}\}")
TEXT_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
# A self-closing block (its comment holds no "-->") that uses a menu placeholder, with the blank line
# that separates it from its neighbours.
_MENU_BLOCK = r"<!-- wp:[a-z][a-z0-9/-]*\s+\{(?:(?!-->).)*\{\{\s*menu\.%s\s*\}\}(?:(?!-->).)*/-->"
BLACK, WHITE = "#000000", "#ffffff"


def check_profile(profile, field="profile"):
    """The profile (a mapping, possibly empty), or SpecError naming what is wrong with it."""
    if profile is None:
        return {}
    if not isinstance(profile, dict):
        raise SpecError(field, "a theme profile mapping expected")
    unknown = sorted(set(profile) - PROFILE_KEYS)
    if unknown:
        raise SpecError("%s.%s" % (field, unknown[0]), "unknown key (known: %s)" % ", ".join(sorted(PROFILE_KEYS)))
    for key in ("colors", "fonts", "styles", "parts"):
        if not isinstance(profile.get(key) or {}, dict):
            raise SpecError("%s.%s" % (field, key), "a mapping expected")
    for slug, part in (profile.get("parts") or {}).items():
        if not isinstance(part, dict) or not isinstance(part.get("content"), str):
            raise SpecError("%s.parts.%s" % (field, slug), "a mapping with the part's content expected")
    return profile


# ---------------------------------------------------------------- brand colours and fonts


def _luminance(color):
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[index:index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_on(color):
    """White text on ``color`` (``#RRGGBB`` or ``#RGB``) when it reaches WCAG AA's 4.5:1, else black or white,
    whichever contrasts more."""
    luminance = _luminance(color)
    on_white, on_black = 1.05 / (luminance + 0.05), (luminance + 0.05) / 0.05
    return WHITE if on_white >= 4.5 or on_white >= on_black else BLACK


def _resolve(value, colors, field):
    """A styles fragment with ``brand:on-<role>`` values resolved."""
    if isinstance(value, dict):
        return {key: _resolve(item, colors, "%s.%s" % (field, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, colors, field) for item in value]
    match = ON_COLOR.match(value) if isinstance(value, str) else None
    if match:
        role = match.group(1)
        if role not in colors:
            raise SpecError(field, "brand:on-%s needs wordpress_brand.colors.%s" % (role, role))
        return readable_on(colors[role])
    return value


def deep_merge(base, update):
    """``update`` merged over ``base``, mappings key by key (inputs untouched)."""
    merged = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def css_values(value):
    """``value`` (a styles fragment) with theme.json's ``var:preset|color|x`` shorthands written out as
    ``var(--wp--preset--color--x)``, the form WordPress stores and reads back."""
    if isinstance(value, dict):
        return {key: css_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [css_values(item) for item in value]
    if isinstance(value, str) and value.startswith("var:"):
        return "var(--wp--%s)" % value[4:].replace("|", "--")
    return value


def rules_view(styles, rules):
    """``{"rules": ...}``: the parts of global ``styles`` that ``rules`` sets (for diffs); {} without rules."""

    def subset(value, shape):
        if not isinstance(shape, dict) or not isinstance(value, dict):
            return value
        return {key: subset(value.get(key), item) for key, item in shape.items()}

    return {"rules": subset(styles, rules)} if rules else {}


def brand_styles(brand, profile=None):
    """``wordpress_theme``'s ``styles`` for a spec's ``brand`` ({colors, fonts, ...}) on the profiled theme.

    Returns ``{palette: [{slug, color}], font_families: [{slug, font_family}], rules: {...}}`` (empty lists and
    mapping when the brand gives nothing); colours must be ``#RRGGBB`` or ``#RGB``.
    """
    profile = check_profile(profile)
    colors = dict((brand or {}).get("colors") or {})
    fonts = dict((brand or {}).get("fonts") or {})
    for role, color in colors.items():
        if not isinstance(color, str) or not HEX_COLOR.match(color):
            raise SpecError("wordpress_brand.colors.%s" % role, "#RRGGBB or #RGB expected, got %r" % (color,))
    palette = _slots(colors, profile.get("colors") or {}, "color", "wordpress_brand.colors")
    families = _slots(fonts, profile.get("fonts") or {}, "font_family", "wordpress_brand.fonts")
    rules = {}
    for role, fragment in sorted((profile.get("styles") or {}).items()):
        if role in colors or role in fonts:
            rules = deep_merge(rules, _resolve(fragment, colors, "styles.%s" % role))
    return {"palette": palette, "font_families": families, "rules": rules}


def _slots(values, mapping, value_key, field):
    """Entries ``{slug, <value_key>}``: each role's value on the slot the mapping names (one entry per slot)."""
    entries = {}
    for role, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise SpecError("%s.%s" % (field, role), "a non-empty string expected")
        slug = mapping.get(role) or role
        if slug in entries:
            raise SpecError("%s.%s" % (field, role), "the theme's slot %r is already given by another role" % slug)
        entries[slug] = {"slug": slug, value_key: value.strip()}
    return list(entries.values())


# ---------------------------------------------------------------- template parts


def render_part(content, placeholders, menus, field="part"):
    """A template part's markup: menu placeholders as navigation ids (blocks of missing menus left out), text
    placeholders filled and escaped as text.

    ``menus``: location -> id of the site's navigation menu (``None`` or absent: no such menu).
    """
    for location in sorted(set(MENU_PLACEHOLDER.findall(content))):
        placeholder = r"\{\{\s*menu\.%s\s*\}\}" % re.escape(location)
        menu_id = (menus or {}).get(location)
        if menu_id:
            content = re.sub(placeholder, str(int(menu_id)), content)
            continue
        content = _drop_blocks(content, _MENU_BLOCK % re.escape(location))
        if re.search(placeholder, content):
            raise SpecError(field, "{{ menu.%s }} is only allowed in the attributes of a self-closing block" % location)

    return TEXT_PLACEHOLDER.sub(lambda match: escape_text(placeholder_value(match.group(1), placeholders, field)),
                                content).strip()


def _drop_blocks(content, pattern):
    """``content`` without the blocks ``pattern`` matches, and without the blank line each leaves behind."""
    content = re.sub(r"\n\n" + pattern, "", content, flags=re.S)
    content = re.sub(pattern + r"\n\n", "", content, flags=re.S)
    return re.sub(pattern, "", content, flags=re.S)
