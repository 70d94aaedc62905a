# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for site specs: ``render_sections`` (sections to block markup) and ``deep_merge`` (preset + spec).

``{{ page.sections | fabrik.deploy.render_sections(placeholders) }}`` returns the block markup
fabrik.deploy.wordpress_pages would store for those sections.

``{{ preset | fabrik.deploy.deep_merge(site_spec) }}`` merges the site's spec over a preset:
mappings merge key by key, lists of mappings that all carry a ``slug`` (pages) or all a ``name``
(menus) merge item by item on that key (new items appended), any other list or value of the
spec replaces the preset's.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import render
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

MERGE_KEYS = ("slug", "name")


def render_sections(sections, placeholders=None):
    """Block markup of ``sections``; ``placeholders`` fill ``{{ name.path }}`` in their texts."""
    try:
        return render(_plain(sections), _plain(placeholders or {}))
    except SpecError as err:
        raise AnsibleFilterError("render_sections: %s" % err) from None


def deep_merge(base, override):
    """``override`` merged over ``base`` (see the module docstring for the rules)."""
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


def _plain(value):
    """Ansible's tagged/lazy containers and strings as plain Python values."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


class FilterModule:
    """fabrik.deploy site spec filters."""

    def filters(self):
        return {"render_sections": render_sections, "deep_merge": deep_merge}
