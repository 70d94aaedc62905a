# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters applying a theme's profile (``templates/themes/<stylesheet>.yml``) to a site spec.

``{{ wordpress_brand | fabrik.deploy.brand_styles(profile) }}`` maps the brand's colours and fonts onto
the theme's own slots: the ``styles`` option of fabrik.deploy.wordpress_theme.

``{{ profile | fabrik.deploy.theme_parts }}`` lists the profile's template parts in the form of the
``parts`` option of fabrik.deploy.wordpress_template_parts; ``{{ profile | fabrik.deploy.theme_templates }}``
its templates in the form of the ``templates`` option.

``{{ pages | fabrik.deploy.page_templates(profile) }}`` gives the pages that open with a hero the theme's page
template without the page title.

``{{ css | fabrik.deploy.design_css(profile) }}`` puts the CSS variables of the presets' stylesheet (the
theme's slots of each brand role) before it.

``{{ stylesheet | fabrik.deploy.theme_profile }}`` is the collection's profile of a theme, ``{}`` for a theme
without one. The profiles are parsed when this file is loaded, which plugins/plugin_utils/in_process.py does in
``ansible-playbook``'s own process: no task's worker parses one again.

The format and the logic are in ``plugins/module_utils/_themes.py``.
"""

from __future__ import annotations

import copy
import os

from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import brand_styles as _brand_styles
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import check_profile
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import design_css as _design_css
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import page_templates as _page_templates
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import plain
from ansible_collections.fabrik.deploy.plugins.module_utils._yaml import safe_load

# plugins/filter/<this file> -> the collection's templates/themes
THEMES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                          "templates", "themes")


def _load_profiles(directory=THEMES_DIR):
    """{stylesheet: profile} of every ``<stylesheet>.yml`` in ``directory``."""
    profiles = {}
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    for name in names:
        if name.endswith(".yml"):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                profiles[name[:-len(".yml")]] = safe_load(handle.read()) or {}
    return profiles


PROFILES = _load_profiles()


def theme_profile(stylesheet):
    """The collection's profile of the theme ``stylesheet`` (``templates/themes/<stylesheet>.yml``, a copy), or
    ``{}`` for a theme without one."""
    profile = PROFILES.get(str(stylesheet or ""))
    return copy.deepcopy(profile) if profile is not None else {}


def brand_styles(brand, profile=None):
    """``{palette, font_families, rules}`` for ``brand`` ({colors, fonts}) on the theme ``profile`` describes."""
    try:
        return _brand_styles(plain(brand or {}), plain(profile or {}))
    except SpecError as err:
        raise AnsibleFilterError("brand_styles: %s" % err) from None


def theme_parts(profile):
    """The profile's template parts as ``[{slug, area, content}]`` (sorted by slug)."""
    try:
        parts = check_profile(plain(profile or {})).get("parts") or {}
    except SpecError as err:
        raise AnsibleFilterError("theme_parts: %s" % err) from None
    return [{"slug": slug, "area": part.get("area") or "uncategorized", "content": part["content"]}
            for slug, part in sorted(parts.items())]


def theme_templates(profile):
    """The profile's templates as ``[{slug, title, content}]`` (sorted by slug)."""
    try:
        templates = check_profile(plain(profile or {})).get("templates") or {}
    except SpecError as err:
        raise AnsibleFilterError("theme_templates: %s" % err) from None
    for slug, template in templates.items():
        if not isinstance(template, dict) or not isinstance(template.get("content"), str):
            raise AnsibleFilterError("theme_templates: templates.%s: a mapping with the template's content expected"
                                     % slug)
    return [{"slug": slug, "title": template.get("title") or slug, "content": template["content"]}
            for slug, template in sorted(templates.items())]


def page_templates(pages, profile=None):
    """``pages`` with the theme's page template without title on those that open with a hero."""
    try:
        return _page_templates(plain(pages or []), plain(profile or {}))
    except SpecError as err:
        raise AnsibleFilterError("page_templates: %s" % err) from None


def design_css(css, profile=None, brand=None):
    """The presets' stylesheet with its CSS variables set from the theme's slots (and the brand's colours)."""
    try:
        return _design_css(str(css or ""), plain(profile or {}), plain(brand or {}))
    except SpecError as err:
        raise AnsibleFilterError("design_css: %s" % err) from None


class FilterModule:
    """fabrik.deploy theme profile filters."""

    def filters(self):
        return {"brand_styles": brand_styles, "theme_parts": theme_parts, "theme_templates": theme_templates,
                "page_templates": page_templates, "design_css": design_css, "theme_profile": theme_profile}
