# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``wordpress_spec`` filter: what the wordpress role builds, the preset with the site's spec merged over it.

The role loads the files (the preset, the legal pages) and hands their content over; everything else is
in ``module_utils/_wordpress_spec.py`` (:func:`build_spec`), which the preflight shares.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_spec import build_spec

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
  - "The site's content file (O(content)) is merged over O(site), O(company), O(pages), O(menus) and O(seo)."
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
  content:
    description:
      - The site's content file (C(wordpress_content_file)), loaded as data, never as a template; its C(site),
        C(company), C(pages), C(menus) and C(seo) are merged over O(site), O(company), O(pages), O(menus) and O(seo)
        (pages by slug, menus by name).
    type: dict
    default: {}
  seo:
    description: The site's SEO defaults (C(wordpress_seo)).
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
                                               shop=wordpress_shop, posts=wordpress_posts, brand=wordpress_brand,
                                               preset_dir=preset_file | dirname, domain=site_domain) }}
"""

RETURN = r"""
_value:
  description:
    - The spec, a dictionary with C(placeholders), C(pages), C(menus), C(theme), C(plugins), C(settings),
      C(contact_form) (the settings of the connector's form - C(recipient), C(rate_limit), C(retention_days),
      C(language), C(texts) - or V(null) without it), C(brand), C(media) (the preset's pictures, C(name),
      C(path), C(alt_text)), C(posts), and the site's C(site), C(company) and C(seo) with its content file merged
      in.
  type: dict
"""


def wordpress_spec(preset, legal_pages=None, pages=None, menus=None, theme=None, plugins=None, site=None,
                   company=None, url=None, forms=None, content=None, seo=None, shop=None, brand=None, preset_dir="",
                   domain=None, analytics=False, posts=None):
    """The spec the wordpress role gives its modules (see DOCUMENTATION)."""
    try:
        return build_spec(preset, legal_pages=legal_pages, pages=pages, menus=menus, theme=theme, plugins=plugins,
                          site=site, company=company, url=url, forms=forms, content=content, seo=seo, shop=shop,
                          brand=brand, preset_dir=preset_dir, domain=domain, analytics=analytics, posts=posts)
    except SpecError as err:
        raise AnsibleFilterError("wordpress_spec: %s" % err) from None


class FilterModule:
    """fabrik.deploy's WordPress spec filter."""

    def filters(self):
        return {"wordpress_spec": wordpress_spec}
