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
  ``<!-- fabrik:contact-details /-->`` stands for paragraphs with the company's address, e-mail and phone
  (links), each left out when the spec has none;
* ``templates``: templates the site gets in addition to (or instead of) the theme's (slug -> ``{title,
  content}``), block markup without placeholders;
* ``no_title_template``: the page template (the theme's or one of ``templates``) without the page title, which
  pages that open with a hero get (:func:`page_templates`);
* ``font_library``: the fonts the theme ships (name -> ``{fontFamily, fontFace}``, theme.json's form, sources
  ``file:./`` in the theme): a brand font of that name loads from the theme's files; ``font_generic`` names the
  library font standing in for a generic family (``serif: Literata``) when the brand's font is not in it.

:func:`design_css` prefixes the presets' stylesheet (``templates/design/fabrik.css``) with the CSS variables
it uses (``--fabrik-primary``...), each pointing at the theme's slot of that role.

:func:`brand_styles` turns a spec's ``wordpress_brand`` into ``fabrik.deploy.wordpress_theme``'s
``styles`` option; :func:`render_part` renders a part for ``fabrik.deploy.wordpress_template_parts``.
Colour or font keys that are no role of the profile are palette / font family slugs of the theme as
they are (also for a theme without a profile).
"""

from __future__ import annotations

import copy
import re

from ansible_collections.fabrik.deploy.plugins.module_utils._block_markup import escape_attribute, escape_text
from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import placeholder_value
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

PROFILE_KEYS = frozenset(("name", "wordpress", "colors", "fonts", "styles", "parts", "templates", "no_title_template",
                          "font_library", "font_generic"))
# The roles the design stylesheet uses, with the colour each stands for when the theme has no such slot.
DESIGN_COLORS = {"primary": "#1d4ed8", "secondary": "#0f172a", "background": "#ffffff", "text": "#1e293b",
                 "surface": "#f1f5f9", "muted": "#64748b"}
DESIGN_FONTS = ("body", "heading")
GENERIC_FAMILIES = frozenset(("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"))
CONTACT_DETAILS = re.compile(r"<!-- fabrik:contact-details /-->")
ON_COLOR = re.compile(r"^brand:on-([a-z0-9-]+)$")
HEX_COLOR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MENU_PLACEHOLDER = re.compile(r"\{\{\s*menu\.([a-z0-9_-]+)\s*\}\}")
TEXT_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
# A self-closing block (its comment holds no "-->") that uses a menu placeholder, with the blank line
# that separates it from its neighbours.
_MENU_BLOCK = r"<!-- wp:[a-z][a-z0-9/-]*\s+\{(?:(?!-->).)*\{\{\s*menu\.%s\s*\}\}(?:(?!-->).)*/-->"
BLACK, WHITE = "#000000", "#ffffff"
EMAIL = re.compile(r"^[^\s@<>\"\\]+@[^\s@<>\"\\]+\.[^\s@<>\"\\]+$")
PHONE = re.compile(r"^\+?[0-9]{3,20}$")


def check_profile(profile, field="profile"):
    """The profile (a mapping, possibly empty), or SpecError naming what is wrong with it."""
    if profile is None:
        return {}
    if not isinstance(profile, dict):
        raise SpecError(field, "a theme profile mapping expected")
    unknown = sorted(set(profile) - PROFILE_KEYS)
    if unknown:
        raise SpecError("%s.%s" % (field, unknown[0]), "unknown key (known: %s)" % ", ".join(sorted(PROFILE_KEYS)))
    for key in ("colors", "fonts", "styles", "parts", "templates", "font_library", "font_generic"):
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
    for family in families:
        family.update(library_font(family["font_family"], profile))
    rules = {}
    for role, fragment in sorted((profile.get("styles") or {}).items()):
        if role in colors or role in fonts:
            rules = deep_merge(rules, _resolve(fragment, colors, "styles.%s" % role))
    return {"palette": palette, "font_families": families, "rules": rules}


def _family_names(value):
    return [name.strip().strip("'\"").strip() for name in value.split(",") if name.strip()]


def library_font(value, profile):
    """``{font_family, font_face}`` of the theme's own font for a brand font (``"Literata, serif"``), so that it
    loads from the theme's files: the font of that name in the profile's ``font_library``, else the library font
    the profile names for the value's generic family; {} when neither (the value stays a CSS font stack)."""
    library = profile.get("font_library") or {}
    names = _family_names(value)
    found = next((library[name] for name in names if name in library), None)
    if found is None:
        generic = next((name for name in names if name in GENERIC_FAMILIES), None)
        stand_in = (profile.get("font_generic") or {}).get(generic)
        found = library.get(stand_in) if stand_in else None
    if not isinstance(found, dict) or not found.get("fontFamily"):
        return {}
    entry = {"font_family": found["fontFamily"]}
    if found.get("fontFace"):
        entry["font_face"] = copy.deepcopy(found["fontFace"])
    return entry


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


# ---------------------------------------------------------------- design stylesheet


def design_css(css, profile=None, brand=None):
    """``css`` (the presets' stylesheet) after a ``:root`` rule that sets its variables from the theme's slots:
    ``--fabrik-<role>`` for each colour role (``var(--wp--preset--color--<slot>, <stand-in>)``),
    ``--fabrik-on-<role>`` for the text on it (white or black, whichever reads on the brand's colour) and
    ``--fabrik-<role>-font`` for each font role."""
    profile = check_profile(profile)
    colors, fonts = profile.get("colors") or {}, profile.get("fonts") or {}
    brand_colors = dict(DESIGN_COLORS, **{role: color for role, color in ((brand or {}).get("colors") or {}).items()
                                          if isinstance(color, str) and HEX_COLOR.match(color)})
    lines = ["--fabrik-%s: var(--wp--preset--color--%s, %s);" % (role, colors.get(role, role), fallback)
             for role, fallback in DESIGN_COLORS.items()]
    lines += ["--fabrik-on-%s: %s;" % (role, readable_on(brand_colors[role])) for role in ("primary", "secondary")]
    lines += ["--fabrik-%s-font: var(--wp--preset--font-family--%s, inherit);" % (role, fonts.get(role, role))
              for role in DESIGN_FONTS]
    return ":root {\n  %s\n}\n%s" % ("\n  ".join(lines), (css or "").strip() + "\n")


# ---------------------------------------------------------------- page templates


def opens_with_hero(page):
    sections = page.get("sections") or []
    return bool(sections) and isinstance(sections[0], dict) and sections[0].get("type") == "hero"


def page_templates(pages, profile=None):
    """``pages`` with the profile's ``no_title_template`` set on each present page that opens with a hero and sets no
    template of its own (the theme would print the page's title above the hero)."""
    profile = check_profile(profile)
    template = profile.get("no_title_template")
    result = []
    for page in pages:
        if (template and isinstance(page, dict) and page.get("template") is None
                and page.get("state", "present") == "present" and opens_with_hero(page)):
            page = dict(page, template=template)
        result.append(page)
    return result


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

    content = TEXT_PLACEHOLDER.sub(lambda match: escape_text(placeholder_value(match.group(1), placeholders, field)),
                                   content)
    # After the placeholders: the company's texts are never read for placeholders.
    details = contact_details(placeholders)
    if not details:
        return _drop_blocks(content, CONTACT_DETAILS.pattern).strip()
    return CONTACT_DETAILS.sub(lambda _match: details, content).strip()


def contact_details(placeholders):
    """Paragraph blocks with the company's address, e-mail and phone (links), as a part shows them; the blank
    lines of a missing one are dropped with it."""
    company = (placeholders or {}).get("company") or {}
    blocks = []
    address = company.get("address")
    if isinstance(address, str) and address.strip():
        blocks.append(escape_text(address.strip()))
    email = company.get("email")
    if isinstance(email, str) and EMAIL.match(email.strip()):
        email = email.strip()
        blocks.append('<a href="mailto:%s">%s</a>' % (escape_attribute(email), escape_text(email)))
    phone = company.get("phone")
    if isinstance(phone, str) and phone.strip():
        number = re.sub(r"[^0-9+]", "", phone)
        if PHONE.match(number):
            blocks.append('<a href="tel:%s">%s</a>' % (number, escape_text(phone.strip())))
    detail = ('<!-- wp:paragraph {"className":"fabrik-contact-detail"} -->\n'
              '<p class="fabrik-contact-detail">%s</p>\n<!-- /wp:paragraph -->')
    return "\n\n".join(detail % text for text in blocks)


def _drop_blocks(content, pattern):
    """``content`` without the blocks ``pattern`` matches, and without the blank line each leaves behind."""
    content = re.sub(r"\n\n" + pattern, "", content, flags=re.S)
    content = re.sub(pattern + r"\n\n", "", content, flags=re.S)
    return re.sub(pattern, "", content, flags=re.S)
