# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``wordpress_spec`` filter: what the wordpress role builds, the preset with the site's spec merged over it.

The role loads the files (the preset, the legal pages) and hands their content over; everything else is
here, one function per concern, so that a new preset feature or form kind is a function and a line of
:func:`wordpress_spec`.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.filter.sections import _plain, deep_merge
from ansible_collections.fabrik.deploy.plugins.module_utils import _wordpress_forms as forms_lib
from ansible_collections.fabrik.deploy.plugins.module_utils._blocks import render
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

DOCUMENTATION = r"""
name: wordpress_spec
version_added: "0.1.0"
short_description: The WordPress site spec, a preset with the site's spec merged over it
description:
  - Builds what the C(fabrik.deploy.wordpress) role gives its modules from a preset (loaded from
    C(templates/presets) or a file of the site's own) and the site's C(wordpress_*) variables.
  - Pages, menus, theme and settings are the preset's with the site's merged over them as
    P(fabrik.deploy.deep_merge#filter) merges (pages by C(slug), menus by C(name)); the legal pages come
    after the preset's pages.
  - "Plugins are the site's list when given, else the preset's; a slug stands for C({slug: <slug>}); WooCommerce
    (the shop in C(woocommerce) mode) and the contact form's plugin come last."
  - "The contact form (O(forms).contact), by its C(provider): C(fabrik) (the default), C(contact-form-7) and
    C(wpforms) add a C(contact-form) section (the fabrik connector's form, or that plugin's while it is active) to
    the form's page unless it has one, and the form's settings are the spec's C(contact_form); C(shortcode) (implied
    by a C(shortcode)) makes the page its sections then a C(shortcode) section; C(links) adds a C(contact) section
    (e-mail, phone and address links of O(company)) unless the page has one."
  - "The shop (the preset's C(shop) with O(shop) merged over it): in C(catalogue) mode, its products as a
    C(products) section on the shop's page (C(shop) by default), each with an \"enquire\" button to the form's
    page; in C(woocommerce) mode, the plugin C(woocommerce)."
  - "The placeholders the pages may use: C(company), C(site) (C(title), C(tagline), C(domain), C(url), C(owner): the
    company's name, else the site's title) and C(legal) (C(law): the applicable law named from C(company.country),
    for example C(the law of the United Kingdom))."
  - "Legal pages: a part with C(when) (a flag, C(analytics), C(form) or C(hosting), or a placeholder such as
    C(company.vat_id)) is kept only when the flag is on or the placeholder has a value."
  - "Without a menu of the footer location, a C(Footer) menu lists the legal pages."
  - "The brand is the preset's (C(brand)) with the site's merged over it; the preset's files (C(brand.logo),
    C(brand.favicon), C(media[].path)) are relative to O(preset_dir)."
author:
  - fabrik.deploy contributors (@fabrik)
options:
  _input:
    description: The preset, a dictionary with C(pages), C(menus), C(theme), C(plugins), C(settings) (each optional).
    type: dict
    required: true
  legal_pages:
    description: The legal pages to add (the content of C(templates/legal) files).
    type: list
    elements: dict
    default: []
  pages:
    description: The site's pages (C(wordpress_pages)).
    type: list
    elements: dict
    default: []
  menus:
    description: The site's menus (C(wordpress_menus)).
    type: list
    elements: dict
    default: []
  theme:
    description: The site's theme (C(wordpress_theme)).
    type: dict
    default: {}
  plugins:
    description: The site's plugins (C(wordpress_plugins)), slugs or dictionaries; V(null) keeps the preset's.
    type: list
    elements: raw
  site:
    description: The site's identity and settings (C(wordpress_site)).
    type: dict
    default: {}
  company:
    description: The company (C(wordpress_company)).
    type: dict
    default: {}
  url:
    description: The site's URL (C(wordpress_url)).
    type: str
    required: true
  forms:
    description:
      - The forms (C(wordpress_forms)); C(contact) has C(page), C(provider), C(headline), C(shortcode), C(plugin),
        C(plugin_src), C(form_id), C(recipient), C(rate_limit), C(retention_days), C(language) and C(texts).
    type: dict
    default: {}
  shop:
    description:
      - The shop (C(wordpress_shop)), merged over the preset's C(shop) - C(mode) (C(woocommerce) or C(catalogue)),
        C(plugin_src), C(page), C(title), C(headline), C(intro), C(columns), C(button_text), C(products).
    type: dict
    default: {}
  brand:
    description: The site's brand (C(wordpress_brand)), merged over the preset's C(brand).
    type: dict
    default: {}
  preset_dir:
    description: The directory of the preset's file, where its own files (pictures, logo) are.
    type: str
    default: ""
  domain:
    description: The site's domain (C(site_domain)) for the legal texts, unless O(site) has a C(domain); else the
      host of O(url).
    type: str
  analytics:
    description: Whether the site loads analytics (after the visitor's consent), for the legal pages' C(when).
    type: bool
    default: false
  posts:
    description: The site's posts (C(wordpress_posts)), merged over the preset's C(posts) by C(slug).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: The site's WordPress spec
  ansible.builtin.set_fact:
    wordpress_spec: >-
      {{ preset | fabrik.deploy.wordpress_spec(legal_pages=legal_pages, pages=wordpress_pages, menus=wordpress_menus,
                                               theme=wordpress_theme, plugins=wordpress_plugins, site=wordpress_site,
                                               company=wordpress_company, url=wordpress_url, forms=wordpress_forms,
                                               shop=wordpress_shop) }}
"""

RETURN = r"""
_value:
  description:
    - The spec, a dictionary with C(placeholders), C(pages), C(menus), C(theme), C(plugins), C(settings),
      C(contact_form) (the settings of the connector's form - C(recipient), C(rate_limit), C(retention_days),
      C(language), C(texts) - or V(null) without it), C(brand), C(media) (the preset's pictures, C(name),
      C(path), C(alt_text)) and C(posts).
  type: dict
"""


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


def wordpress_spec(preset, legal_pages=None, pages=None, menus=None, theme=None, plugins=None, site=None,
                   company=None, url=None, forms=None, shop=None, brand=None, preset_dir="", domain=None,
                   analytics=False, posts=None):
    """The spec the wordpress role gives its modules (see DOCUMENTATION)."""
    preset, site, company = _plain(preset or {}), _plain(site or {}), _plain(company or {})
    placeholders = site_placeholders(site, company, str(url or ""), domain)
    contact = _plain((forms or {}).get("contact") or {})
    flags = {"analytics": bool(analytics), "form": bool(contact), "hosting": bool(company.get("hosting"))}
    try:
        legal = [legal_page(page, flags, placeholders) for page in _plain(legal_pages or [])]
    except SpecError as err:
        raise AnsibleFilterError("wordpress_spec: %s" % err) from None
    merged_pages = deep_merge(_plain(preset.get("pages", [])) + legal, _plain(pages or []))
    merged_shop = deep_merge(_plain(preset.get("shop") or {}), _plain(shop or {}))
    merged_brand = deep_merge(preset_files(preset.get("brand") or {}, preset_dir), _plain(brand or {}))
    media = [dict(item, path=in_preset_dir(item["path"], preset_dir)) for item in _plain(preset.get("media") or [])
             if isinstance(item, dict) and item.get("name") and item.get("path")]
    # {{ media.<name> }}: where each picture will be (the role fills in the URLs the upload returns).
    placeholders["media"] = {item["name"]: MEDIA_STAND_IN for item in media + (merged_brand.get("assets") or [])
                             if isinstance(item, dict) and item.get("name")}
    try:
        form_pages = forms_lib.contact_form_pages(contact, merged_pages, company,
                                                  lambda sections: render(sections, placeholders))
        merged_pages = deep_merge(merged_pages, form_pages)
        merged_pages = deep_merge(merged_pages, forms_lib.shop_pages(merged_shop, merged_pages, contact))
        extra_plugins = forms_lib.shop_plugins(merged_shop) + forms_lib.contact_form_plugins(contact)
        contact_form = forms_lib.contact_form_settings(contact, company)
    except SpecError as err:
        raise AnsibleFilterError("wordpress_spec: %s" % err) from None
    return {
        "placeholders": placeholders,
        "pages": merged_pages,
        "menus": footer_menu(deep_merge(preset.get("menus", []), _plain(menus or [])), legal),
        "theme": deep_merge(preset.get("theme", {}), _plain(theme or {})),
        "plugins": with_plugins(plugin_list(preset.get("plugins", []) if plugins is None else _plain(plugins)),
                                extra_plugins),
        "settings": deep_merge(preset.get("settings", {}), site),
        "contact_form": contact_form,
        "brand": merged_brand,
        "media": media,
        "posts": deep_merge(_plain(preset.get("posts") or []), _plain(posts or [])),
    }


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
        "legal": {"law": applicable_law(company.get("country"))},
    }


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
        raise SpecError("legal page %s: when" % page_slug(part), "one of %s or a placeholder such as company.vat_id "
                        "expected, got %r" % (", ".join(LEGAL_FLAGS), when))
    return bool(str(found).strip()) if found is not None else False


def page_slug(part):
    return part.get("heading", "?") if isinstance(part, dict) else "?"


def plugin_list(items):
    """Mappings as they are, then slugs as ``{slug: ...}`` (a preset lists slugs, a site may give mappings)."""
    return [item for item in items if isinstance(item, dict)] + [{"slug": item} for item in items
                                                                 if isinstance(item, str)]


def with_plugins(plugins, extra):
    """``plugins`` followed by the ``extra`` ones it does not list yet (by slug)."""
    listed = {item.get("slug") for item in plugins}
    return plugins + [item for item in extra if item["slug"] not in listed]


class FilterModule:
    """fabrik.deploy's WordPress spec filter."""

    def filters(self):
        return {"wordpress_spec": wordpress_spec}
