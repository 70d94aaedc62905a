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

``{{ site_domain | fabrik.deploy.domain_name }}`` is the domain lower-cased without a trailing dot, the form
every name derived from it uses.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import render
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import deep_merge, plain


def render_sections(sections, placeholders=None):
    """Block markup of ``sections``; ``placeholders`` fill ``{{ name.path }}`` in their texts."""
    try:
        return render(plain(sections), plain(placeholders or {}))
    except SpecError as err:
        raise AnsibleFilterError("render_sections: %s" % err) from None


def domain_name(value):
    """``value`` stripped, lower-cased, without a trailing dot: the form that names a site's objects."""
    return str(value or "").strip().rstrip(".").lower()


class FilterModule:
    """fabrik.deploy site spec filters."""

    def filters(self):
        return {"render_sections": render_sections, "deep_merge": deep_merge, "domain_name": domain_name}
