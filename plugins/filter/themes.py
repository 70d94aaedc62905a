# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters applying a theme's profile (``templates/themes/<stylesheet>.yml``) to a site spec.

``{{ wordpress_brand | fabrik.deploy.brand_styles(profile) }}`` maps the brand's colours and fonts onto
the theme's own slots: the ``styles`` option of fabrik.deploy.wordpress_theme.

``{{ profile | fabrik.deploy.theme_parts }}`` lists the profile's template parts in the form of the
``parts`` option of fabrik.deploy.wordpress_template_parts.

The format and the logic are in ``plugins/module_utils/_themes.py``.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import brand_styles as _brand_styles
from ansible_collections.fabrik.deploy.plugins.module_utils._themes import check_profile
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import plain


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


class FilterModule:
    """fabrik.deploy theme profile filters."""

    def filters(self):
        return {"brand_styles": brand_styles, "theme_parts": theme_parts}
