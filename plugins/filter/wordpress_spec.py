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
  - "Plugins are the site's list when given, else the preset's; a slug stands for C({slug: <slug>}); the contact
    form's plugin comes last."
  - "The contact form (O(forms).contact): with a C(shortcode), the form's page is its sections, then a C(shortcode)
    section with it; without, a C(contact) section (e-mail, phone and address links of O(company)) is added to the
    page unless it has one."
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
    description: The forms (C(wordpress_forms)); C(contact) has C(page), C(shortcode), C(plugin), C(plugin_src), C(headline).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The site's WordPress spec
  ansible.builtin.set_fact:
    wordpress_spec: >-
      {{ preset | fabrik.deploy.wordpress_spec(legal_pages=legal_pages, pages=wordpress_pages, menus=wordpress_menus,
                                               theme=wordpress_theme, plugins=wordpress_plugins, site=wordpress_site,
                                               company=wordpress_company, url=wordpress_url, forms=wordpress_forms) }}
"""

RETURN = r"""
_value:
  description: The spec, a dictionary with C(placeholders), C(pages), C(menus), C(theme), C(plugins) and C(settings).
  type: dict
"""

DEFAULT_FORM_PAGE = "contact"
DEFAULT_FORM_TITLE = "Contact"


def wordpress_spec(preset, legal_pages=None, pages=None, menus=None, theme=None, plugins=None, site=None,
                   company=None, url=None, forms=None):
    """The spec the wordpress role gives its modules (see DOCUMENTATION)."""
    preset, site, company = _plain(preset or {}), _plain(site or {}), _plain(company or {})
    placeholders = site_placeholders(site, company, str(url or ""))
    merged_pages = deep_merge(_plain(preset.get("pages", [])) + _plain(legal_pages or []), _plain(pages or []))
    contact = _plain((forms or {}).get("contact", {}))
    try:
        form_pages = contact_form_pages(contact, merged_pages, company, placeholders)
    except SpecError as err:
        raise AnsibleFilterError("wordpress_spec: %s" % err) from None
    return {
        "placeholders": placeholders,
        "pages": deep_merge(merged_pages, form_pages),
        "menus": deep_merge(preset.get("menus", []), _plain(menus or [])),
        "theme": deep_merge(preset.get("theme", {}), _plain(theme or {})),
        "plugins": plugin_list(preset.get("plugins", []) if plugins is None else _plain(plugins))
        + contact_form_plugins(contact),
        "settings": deep_merge(preset.get("settings", {}), site),
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


def contact_form_pages(form, pages, company, placeholders):
    """The page the contact form changes, as a page to merge over ``pages`` (none when nothing changes)."""
    if not form:
        return []
    slug = form.get("page", DEFAULT_FORM_PAGE)
    page = next((item for item in pages if item.get("slug") == slug), {})
    sections = page.get("sections") or []
    title = page.get("title", DEFAULT_FORM_TITLE)
    if "shortcode" in form:
        # The page's sections (rendered here only to refuse what would not render), then the form plugin's
        # shortcode as a section the pages module renders for the site's WordPress version (the role checks
        # the shortcode itself, naming wordpress_forms.contact.shortcode).
        render(sections, placeholders)
        return [{"slug": slug, "title": title, "sections": sections + [{"type": "shortcode",
                                                                        "shortcode": form["shortcode"]}]}]
    if any(section.get("type") == "contact" for section in sections):
        return []
    # The core fallback: a contact section with the company's e-mail, phone and address links.
    fallback = {
        "type": "contact",
        "headline": form.get("headline", DEFAULT_FORM_TITLE),
        "email": company.get("email", ""),
        "phone": company.get("phone", ""),
        "address": company.get("address", ""),
    }
    return [{"slug": slug, "title": title, "sections": sections + [fallback]}]


def contact_form_plugins(form):
    """The contact form's plugin, to install and activate."""
    if "plugin" not in form:
        return []
    plugin = {"slug": form["plugin"]}
    if "plugin_src" in form:
        plugin["src"] = form["plugin_src"]
    return [plugin]


class FilterModule:
    """fabrik.deploy's WordPress spec filter."""

    def filters(self):
        return {"wordpress_spec": wordpress_spec}
