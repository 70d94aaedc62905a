# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parts of a site's WordPress spec that come from the site rather than from its pages: the legal pages'
conditional parts (``when``), the law that applies, the preset's own files (logo, icon, pictures) and the
footer menu of the legal pages (:func:`._wordpress_spec.build_spec` uses them)."""

from __future__ import annotations

import os

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

# Countries whose English name takes "the" ("the law of the United Kingdom"), and country codes spelt out.
COUNTRIES_WITH_THE = frozenset((
    "bahamas", "central african republic", "comoros", "czech republic", "democratic republic of the congo",
    "dominican republic", "gambia", "maldives", "marshall islands", "netherlands", "philippines", "seychelles",
    "solomon islands", "united arab emirates", "united kingdom", "united states", "united states of america"))
COUNTRY_CODES = {
    "AT": "Austria", "AU": "Australia", "BE": "Belgium", "CA": "Canada", "CH": "Switzerland", "CZ": "Czech Republic",
    "DE": "Germany", "DK": "Denmark", "ES": "Spain", "FI": "Finland", "FR": "France", "GB": "United Kingdom",
    "IE": "Ireland", "IT": "Italy", "LU": "Luxembourg", "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand",
    "PL": "Poland", "PT": "Portugal", "SE": "Sweden", "UK": "United Kingdom", "US": "United States"}
LEGAL_FLAGS = ("analytics", "form", "hosting")
MEDIA_STAND_IN = "/wp-content/uploads/"


def footer_menu(menus, legal):
    """``menus`` and, when none has the footer location, a footer menu of the legal pages."""
    if not legal or any(isinstance(menu, dict) and menu.get("location") == "footer" for menu in menus):
        return menus
    return menus + [{"name": "Footer", "location": "footer", "items": [{"page": page["slug"]} for page in legal]}]


def in_preset_dir(path, preset_dir):
    return path if not preset_dir or os.path.isabs(path) else os.path.join(preset_dir, path)


def preset_files(brand, preset_dir):
    """The preset's brand with its logo and icon as paths in the preset's directory."""
    brand = dict(brand)
    for key in ("logo", "favicon"):
        if isinstance(brand.get(key), str):
            brand[key] = in_preset_dir(brand[key], preset_dir)
    return brand


def applicable_law(country):
    """``the law of <country>`` in English, with the article where the name takes one."""
    name = str(country or "").strip()
    name = COUNTRY_CODES.get(name.upper(), name) if len(name) == 2 else name
    if not name:
        return "the law of the country where the operator of this site has its seat"
    if name.lower().startswith("the "):
        name = name[4:]
    return "the law of %s%s" % ("the " if name.lower() in COUNTRIES_WITH_THE else "", name)


def legal_page(page, flags, placeholders):
    """A legal page with the parts whose ``when`` does not hold left out (``when`` removed from the others)."""
    page = dict(page)
    sections = []
    for section in page.get("sections") or []:
        if isinstance(section, dict) and isinstance(section.get("parts"), list):
            parts = [part for part in section["parts"] if holds(part, flags, placeholders)]
            section = dict(section, parts=[{key: value for key, value in part.items() if key != "when"}
                                           if isinstance(part, dict) else part for part in parts])
        sections.append(section)
    page["sections"] = sections
    return page


def holds(part, flags, placeholders):
    """Whether a legal part's ``when`` holds: a flag that is on, or a placeholder with a value."""
    when = part.get("when") if isinstance(part, dict) else None
    if when is None:
        return True
    if when in LEGAL_FLAGS:
        return flags[when]
    found = placeholders
    for key in str(when).split("."):
        found = found.get(key) if isinstance(found, dict) else None
    if isinstance(found, dict) or (found is None and "." not in str(when)):
        raise SpecError("legal page %s: when" % part_heading(part), "one of %s or a placeholder such as company.vat_id "
                        "expected, got %r" % (", ".join(LEGAL_FLAGS), when))
    return bool(str(found).strip()) if found is not None else False


def part_heading(part):
    return part.get("heading", "?") if isinstance(part, dict) else "?"
