# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``wordpress_spec`` filter: what the wordpress role builds, the preset with the site's spec merged over it.

The role loads the files (the preset, the legal pages) and hands their content over; everything else is
here, one function per concern, so that a new preset feature or form kind is a function and a line of
:func:`wordpress_spec`.
"""

from __future__ import annotations

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
  - "The placeholders the pages may use: C(company) and C(site) (C(title), C(tagline), C(domain), C(url))."
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
    - The spec, a dictionary with C(placeholders), C(pages), C(menus), C(theme), C(plugins), C(settings) and
      C(contact_form) (the settings of the connector's form - C(recipient), C(rate_limit), C(retention_days),
      C(language), C(texts) - or V(null) without it).
  type: dict
"""


def wordpress_spec(preset, legal_pages=None, pages=None, menus=None, theme=None, plugins=None, site=None,
                   company=None, url=None, forms=None, shop=None):
    """The spec the wordpress role gives its modules (see DOCUMENTATION)."""
    preset, site, company = _plain(preset or {}), _plain(site or {}), _plain(company or {})
    placeholders = site_placeholders(site, company, str(url or ""))
    merged_pages = deep_merge(_plain(preset.get("pages", [])) + _plain(legal_pages or []), _plain(pages or []))
    contact = _plain((forms or {}).get("contact") or {})
    merged_shop = deep_merge(_plain(preset.get("shop") or {}), _plain(shop or {}))
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
        "menus": deep_merge(preset.get("menus", []), _plain(menus or [])),
        "theme": deep_merge(preset.get("theme", {}), _plain(theme or {})),
        "plugins": with_plugins(plugin_list(preset.get("plugins", []) if plugins is None else _plain(plugins)),
                                extra_plugins),
        "settings": deep_merge(preset.get("settings", {}), site),
        "contact_form": contact_form,
    }


def site_placeholders(site, company, url):
    """What ``{{ company.* }}`` and ``{{ site.* }}`` in the pages' texts stand for."""
    return {
        "company": company,
        "site": {
            "title": site.get("title", ""),
            "tagline": site.get("tagline", ""),
            "domain": site.get("domain", urlsplit(url).hostname),
            "url": url,
        },
    }


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
