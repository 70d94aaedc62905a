#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_theme
short_description: Activate a WordPress theme and set its brand colours, fonts and theme mods
version_added: 0.1.0
description:
  - Activates an installed theme through the fabrik connector when it is not the active one.
  - For a block theme, sets colours and font families in the site's global styles
    (C(/wp/v2/global-styles/<id>)), the same place the Site Editor writes. Each colour or font family
    given replaces the theme's entry with the same slug (or is added); the theme's other entries and
    every other global style are kept. O(styles.rules) sets styles (for example the buttons' colours) there too.
  - The wordpress role maps the site's brand colours and fonts onto each supported theme's own slots with the
    theme's profile (C(templates/themes/<stylesheet>.yml)).
  - For any theme, sets theme mods (the Customizer's values; what classic themes use) through the connector.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.wordpress
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: When a theme switch is pending, the global styles of the new theme cannot be read, so any
      O(styles) given are reported as a change.
  diff_mode:
    support: full
options:
  stylesheet:
    description:
      - Directory name of the theme to activate, for example V(twentytwentythree). It must be installed.
      - When not set, the active theme is managed.
    type: str
  styles:
    description:
      - Global styles of a block theme. Fails on a classic theme.
    type: dict
    suboptions:
      palette:
        description: Colours of the theme palette, by slug (the theme's own slugs recolour the theme).
        type: list
        elements: dict
        suboptions:
          slug:
            description: Slug of the colour, for example V(primary).
            type: str
            required: true
          color:
            description: CSS colour, V(#RRGGBB) or V(#RGB).
            type: str
            required: true
          name:
            description: Name shown in the editor; defaults to the existing entry's, else the slug.
            type: str
      font_families:
        description: Font families of the theme, by slug.
        type: list
        elements: dict
        suboptions:
          slug:
            description: Slug of the font family, for example V(body).
            type: str
            required: true
          font_family:
            description: CSS C(font-family) value, for example V(Inter, sans-serif).
            type: str
            required: true
          font_face:
            description:
              - The font's faces in theme.json's C(fontFace) form (C(fontFamily), C(fontWeight), C(fontStyle), C(src)),
                for example the theme's own files as C(file:./assets/fonts/...), which WordPress serves from the theme.
              - The faces of the entry are exactly these (none when not given).
            type: list
            elements: dict
          name:
            description: Name shown in the editor; defaults to the existing entry's, else the slug.
            type: str
      rules:
        description:
          - "A fragment of theme.json's C(styles) (C(elements), C(blocks), C(color), C(typography) ...), merged
            key by key into the site's global styles, for example
            C({elements: {button: {color: {background: 'var:preset|color|accent-1'}}}}) (stored, and compared,
            as C(var(--wp--preset--color--accent-1)), the form WordPress keeps)."
        type: dict
  css:
    description:
      - The site's stylesheet, printed after the theme's global styles on every page and in the block editor
        (stored by the fabrik connector 1.1 or later in its option C(fabrik_css)). V("") removes it; not managed
        when unset.
      - The wordpress role gives it the presets' design (C(templates/design/fabrik.css)) with the theme profile's
        colour and font variables.
      - CSS text without C(<), at most 100,000 bytes.
    type: str
  theme_mods:
    description:
      - Theme mods of the active theme to set (name to string, number or boolean); V(null) removes a mod.
      - Only the mods given are managed.
    type: dict
"""

EXAMPLES = r"""
- name: Twenty Twenty-Three in the brand colours
  fabrik.deploy.wordpress_theme:
    stylesheet: twentytwentythree
    styles:
      palette:
        - {slug: primary, color: "#0a6cff"}
        - {slug: secondary, color: "#10243e"}
      font_families:
        - {slug: body, name: Body, font_family: "Inter, sans-serif"}

- name: A classic theme's Customizer values
  fabrik.deploy.wordpress_theme:
    stylesheet: twentytwentyone
    theme_mods:
      background_color: f4f1ea
      respect_user_color_preference: false
"""

RETURN = r"""
stylesheet:
  description: The active theme after the run (in check mode, the one that would be active).
  returned: always
  type: str
  sample: twentytwentythree
block_theme:
  description: Whether the active theme is a block theme (null in check mode before a switch).
  returned: always
  type: bool
wordpress_version:
  description:
    - The site's WordPress version, as the fabrik connector reports it; M(fabrik.deploy.wordpress_pages) writes
      the block markup of that version (O(fabrik.deploy.wordpress_pages#module:wordpress_version)).
  returned: always
  type: str
  sample: 6.8.12
styles:
  description:
    - The managed global styles (C(palette) and C(font_families) of the theme origin, and the C(rules) given, as
      the site has them) after the run.
  returned: when O(styles) is set
  type: dict
theme_mods:
  description: The managed theme mods after the run.
  returned: when O(theme_mods) is set
  type: dict
css_changed:
  description: Whether the site's stylesheet (O(css)) was (or, in check mode, would be) changed.
  returned: when O(css) is set
  type: bool
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_for,
    connection_argument_spec,
    merge_by_key,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import css_values, deep_merge, rules_view
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import validate_theme

# styles option -> (path of the preset in theme.json settings, value key, option value key)
PRESETS = {
    "palette": (("color", "palette"), "color", "color"),
    "font_families": (("typography", "fontFamilies"), "fontFamily", "font_family"),
}
PRESET_ORIGIN = "theme"

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        stylesheet=dict(type="str"),
        styles=dict(type="dict", options=dict(
            palette=dict(type="list", elements="dict", options=dict(
                slug=dict(type="str", required=True),
                color=dict(type="str", required=True),
                name=dict(type="str"),
            )),
            font_families=dict(type="list", elements="dict", options=dict(
                slug=dict(type="str", required=True),
                font_family=dict(type="str", required=True),
                font_face=dict(type="list", elements="dict"),
                name=dict(type="str"),
            )),
            rules=dict(type="dict"),
        )),
        theme_mods=dict(type="dict"),
        css=dict(type="str"),
    ),
    supports_check_mode=True,
)
CSS_OPTION = "fabrik_css"
MAX_CSS = 100000


def validate_css(css):
    """The design stylesheet: CSS text, never markup (no ``<``), of a bounded size."""
    if css is not None and ("<" in css or len(css.encode("utf-8")) > MAX_CSS):
        raise SpecError("css", "CSS text of at most %d bytes without < expected" % MAX_CSS)


def _get_path(data, path):
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _set_path(data, path, value):
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def preset_entries(option, entries, existing):
    """The theme.json entries of ``entries`` (module form), names taken from ``existing`` when not given."""
    _path, wp_key, value_key = PRESETS[option]
    names = {item.get("slug"): item.get("name") for item in existing}
    return [{"slug": entry["slug"], "name": entry.get("name") or names.get(entry["slug"]) or entry["slug"],
             wp_key: entry[value_key].strip()} for entry in entries]


def font_faces(families, entries):
    """``families`` (theme.json entries) with the faces of each given entry exactly as given."""
    faces = {entry["slug"]: entry.get("font_face") for entry in entries}
    result = []
    for family in families:
        family = dict(family)
        if family.get("slug") in faces:
            family.pop("fontFace", None)
            if faces[family["slug"]]:
                family["fontFace"] = faces[family["slug"]]
        result.append(family)
    return result


def desired_user_settings(user_settings, theme_settings, styles):
    """The user's global styles settings with the given presets merged into the theme origin."""
    settings = copy.deepcopy(user_settings)
    for option, entries in styles.items():
        path = PRESETS[option][0] + (PRESET_ORIGIN,)
        base = _get_path(user_settings, path) or _get_path(theme_settings, path) or []
        merged = merge_by_key(base, preset_entries(option, entries, base), "slug")
        if option == "font_families":
            merged = font_faces(merged, entries)
        _set_path(settings, path, merged)
    return settings


def styles_view(settings, styles):
    return {option: _get_path(settings, PRESETS[option][0] + (PRESET_ORIGIN,)) or [] for option in sorted(styles)}


def user_global_styles_id(client):
    links = client.active_theme().get("_links", {}).get("wp:user-global-styles")
    if not links:
        raise SpecError("styles", "the active theme has no global styles (is it a block theme?)")
    return int(links[0]["href"].rstrip("/").rsplit("/", 1)[-1])


def styles_reads(client, stylesheet):
    """The reads of the global styles of ``stylesheet`` as the active theme: the id of the user's global styles
    and the theme's own."""
    return [lambda: user_global_styles_id(client), lambda: client.theme_global_styles(stylesheet)]


def read_ahead(read):
    """``read`` sent with the connector's status, before it says whether its answer will be used: None
    when it fails (the read is made again, or the error reported, where the answer is needed)."""
    def attempt():
        try:
            return read()
        except (SpecError, ApiError):
            return None
    return attempt


def apply_styles(client, ctx, stylesheet, styles, result, known=None):
    """Merge the presets and rules into the user's global styles; record before/after in ``result``.
    ``known``: the answers of :func:`styles_reads`, read already."""
    rules = css_values(styles.pop("rules", None) or {})
    styles_id, theme = known or parallel(*styles_reads(client, stylesheet))
    user = client.global_styles(styles_id)
    current, current_rules = user.get("settings") or {}, user.get("styles") or {}
    desired = desired_user_settings(current, theme.get("settings") or {}, styles)
    desired_rules = deep_merge(current_rules, rules)
    result["before"]["styles"] = dict(styles_view(current, styles), **rules_view(current_rules, rules))
    changed = desired != current or desired_rules != current_rules
    if changed and not ctx.check_mode:
        updated = client.update_global_styles(styles_id, desired, desired_rules)
        desired, desired_rules = updated.get("settings") or {}, updated.get("styles") or {}
    result["after"]["styles"] = dict(styles_view(desired, styles), **rules_view(desired_rules, rules))
    return changed


def apply_theme_mods(client, ctx, mods, result):
    current = client.theme_mods()
    changes = {name: value for name, value in mods.items() if current.get(name) != value}
    result["before"]["theme_mods"] = {name: current.get(name) for name in sorted(mods)}
    after = dict(current, **changes)
    if changes and not ctx.check_mode:
        after = client.update_theme_mods(changes)
    result["after"]["theme_mods"] = {name: after.get(name) for name in sorted(mods)}
    return bool(changes)


def apply_css(client, ctx, css, result, current):
    """``current``: the connector's options, read with the connector's status."""
    if CSS_OPTION not in current:
        raise SpecError("css", "the site's fabrik connector has no stylesheet option: update "
                               "wp-content/mu-plugins/fabrik-connector.php to the collection's (1.1 or later)")
    before = current[CSS_OPTION] or ""
    result["before"]["css"], result["after"]["css"] = before, css
    if before != css and not ctx.check_mode:
        client.update_options({CSS_OPTION: css}, "update the site stylesheet")
    return before != css


def switch_theme(client, ctx, stylesheet, status):
    """Activate ``stylesheet``; return the connector status after the switch (None in check mode)."""
    if ctx.check_mode:
        if stylesheet not in client.installed_stylesheets():
            raise SpecError("stylesheet", "theme %r is not installed" % stylesheet)
        return dict(status, stylesheet=stylesheet, block_theme=None)
    return client.activate_theme(stylesheet)


def run(ctx):
    params = ctx.params
    validate_theme(params["stylesheet"], params["styles"], params["theme_mods"])
    validate_css(params["css"])
    client = client_for(ctx)
    styles = {option: entries for option, entries in (params["styles"] or {}).items() if entries}
    reads = [client.connector_status] + ([client.options] if params["css"] is not None else [])
    # The styles of the theme the task names are read with the status, in the likely case that it is the
    # active one already (a rerun): used only when the status says so.
    ahead = [read_ahead(read) for read in styles_reads(client, params["stylesheet"])] \
        if styles and params["stylesheet"] else []
    answers = parallel(*reads, *ahead)
    status, options, known = answers[0], answers[1] if len(reads) > 1 else None, answers[len(reads):]
    stylesheet = params["stylesheet"] or status["stylesheet"]
    diff = {"before": {"stylesheet": status["stylesheet"]}, "after": {"stylesheet": stylesheet}}
    switching = stylesheet != status["stylesheet"]
    changed = switching
    if switching:
        status = switch_theme(client, ctx, stylesheet, status)
    if styles:
        if status["block_theme"] is False:
            raise SpecError("styles", "theme %r is a classic theme: use theme_mods" % stylesheet)
        if status["block_theme"] is None:
            changed = True  # check mode before a switch: the new theme's styles cannot be read yet
        else:
            usable = not switching and known and None not in known
            changed = apply_styles(client, ctx, stylesheet, styles, diff, known if usable else None) or changed
    if params["theme_mods"]:
        changed = apply_theme_mods(client, ctx, params["theme_mods"], diff) or changed
    css_changed = None
    if params["css"] is not None:
        css_changed = apply_css(client, ctx, params["css"], diff, options)
        changed = changed or css_changed
    result = {"changed": changed, "stylesheet": stylesheet, "block_theme": status["block_theme"],
              "wordpress_version": status.get("wordpress_version"), "diff": diff}
    for key in ("styles", "theme_mods"):
        if key in diff["after"]:
            result[key] = diff["after"][key]
    if css_changed is not None:
        result["css_changed"] = css_changed
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
