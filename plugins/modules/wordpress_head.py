#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_head
short_description: Manage the analytics, verification snippets and SEO defaults printed in every page's head
version_added: 0.1.0
description:
  - Stores, through the fabrik connector, the HTML snippets the connector prints once in the C(<head>) of
    every page - Google Analytics 4 and Tag Manager loaders built from their ids, search engine
    verification tags, and any snippet given as HTML.
  - The stored set of snippets is exactly what the task gives - a snippet left out is removed.
  - Stores site-wide SEO defaults - a meta description and a title template. While Yoast SEO
    (C(wordpress-seo/wp-seo.php)) or Rank Math (C(seo-by-rank-math/rank-math.php)) is active, as the fabrik
    connector reports, they go into that plugin's settings - Yoast's C(wpseo_titles) keys C(title-page) and
    C(title-post) (title template), C(metadesc-home-wpseo) and C(metadesc-page) (description); Rank Math's
    C(rank-math-options-titles) keys C(pt_page_title) and C(pt_post_title), C(homepage_description) and
    C(pt_page_description). The template's placeholders become the plugin's variables (C(%%title%%),
    C(%%sitename%%), C(%%sitedesc%%) for Yoast; C(%title%), C(%sitename%), C(%sitedesc%) for Rank Math).
  - With neither active, the defaults are stored for the connector, which applies them only while no SEO
    plugin (Yoast SEO, Rank Math, All in One SEO, SEOPress, The SEO Framework) is active. The connector then also
    prints, on every page, a meta description (the page's own, its excerpt or its first paragraph, else the default),
    Open Graph and Twitter card tags with a picture (the page's featured or first image, else the site's logo) and
    the organisation's JSON-LD (O(organization)).
  - Google Analytics and Tag Manager load only after the visitor's consent - their snippets are stored inert and the
    connector shows a consent banner (accessible, remembered in the browser, opened again by a link to
    C(#cookie-settings)); before the visitor agrees, nothing loads and no cookie is set.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.wordpress
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  ga4_id:
    description: Google Analytics 4 measurement id, V(G-) followed by letters and digits. Stored as snippet C(ga4).
    type: str
  gtm_id:
    description: Google Tag Manager container id, V(GTM-) followed by letters and digits. Stored as snippet C(gtm).
    type: str
  verification:
    description:
      - Site verification tokens by service - V(google), V(bing), V(yandex), V(pinterest), V(facebook).
        Each is stored as the snippet C(verify-<service>).
    type: dict
  snippets:
    description:
      - Further snippets, name (lower-case letters, digits, C(_), C(-)) to HTML, printed as given.
      - Storing raw HTML needs the C(unfiltered_html) capability (administrators of a single site have it).
    type: dict
  organization:
    description:
      - The organisation behind the site, which the fabrik connector (1.1 or later) prints on every page as JSON-LD
        (schema.org C(Organization), with the site's address and logo) while no SEO plugin is active. Stored as
        plain text; not managed when unset, V({}) removes it.
    type: dict
    suboptions:
      name:
        description: Its name (the site's title when not set).
        type: str
      email:
        description: Contact e-mail address.
        type: str
      telephone:
        description: Phone number.
        type: str
      address:
        description: Postal address.
        type: str
  seo:
    description:
      - Site-wide SEO defaults, stored as plain text (tags dropped, white space collapsed). Not set means not managed.
      - Without an SEO plugin, the stored defaults are exactly what is given - V({}) removes them.
        Under Yoast SEO or Rank Math, only the given fields are written; a field left out keeps the plugin's value.
    type: dict
    suboptions:
      title_template:
        description:
          - Template of the document title of every page but the front page, with V({title}), V({site}) and
            V({tagline}), for example V({title} | {site}).
        type: str
      description:
        description: Meta description of pages without an excerpt of their own.
        type: str
"""

EXAMPLES = r"""
- name: Analytics, verification and SEO defaults
  fabrik.deploy.wordpress_head:
    ga4_id: G-ABCDE12345
    verification:
      google: 4f9d7Xy2Abc_dEfGhI
    seo:
      title_template: "{title} | {site}"
      description: Example builds things that last.
"""

RETURN = r"""
snippets:
  description: The stored snippets after the run, name to HTML.
  returned: always
  type: dict
seo:
  description:
    - The stored SEO defaults after the run - the connector's (C(title_template), C(description)) without an SEO
      plugin, else the managed keys of the plugin's settings option.
  returned: always
  type: dict
  sample: {title_template: "{title} | {site}", description: Example builds things that last.}
organization:
  description: The stored organisation after the run.
  returned: when O(organization) is set
  type: dict
  sample: {name: Example Ltd, email: hello@example.com}
seo_plugin:
  description: The SEO plugin whose settings hold the defaults - V(yoast), V(rankmath) or V(none).
  returned: always
  type: str
  sample: none
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    SEO_SITE_OPTIONS,
    client_for,
    connection_argument_spec,
    head_snippets,
    seo_text,
)

SNIPPETS_OPTION = "fabrik_head_snippets"
ORGANIZATION_OPTION = "fabrik_organization"
SEO_OPTION = "fabrik_seo"
UNMAPPED_SEO_PLUGIN = ("an SEO plugin other than Yoast SEO or Rank Math is active: the SEO defaults are stored "
                       "for the fabrik connector, which does not apply them while that plugin is active")

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        ga4_id=dict(type="str"),
        gtm_id=dict(type="str"),
        verification=dict(type="dict"),
        snippets=dict(type="dict"),
        seo=dict(type="dict", options=dict(
            title_template=dict(type="str"),
            description=dict(type="str"),
        )),
        organization=dict(type="dict", options=dict(
            name=dict(type="str"),
            email=dict(type="str"),
            telephone=dict(type="str"),
            address=dict(type="str"),
        )),
    ),
    supports_check_mode=True,
)


def desired_seo(seo):
    return {key: seo_text(value) for key, value in (seo or {}).items() if value and seo_text(value)}


def plugin_settings(plugin, seo):
    """The SEO defaults as keys of ``plugin``'s settings option, the title template's placeholders as its variables."""
    target = SEO_SITE_OPTIONS[plugin]
    settings = {}
    for field, text in seo.items():
        if field == "title_template":
            for placeholder, variable in target["variables"].items():
                text = text.replace(placeholder, variable)
        settings.update(dict.fromkeys(target["keys"][field], text))
    return settings


def wanted_seo(plugin, current, seo):
    """The SEO defaults to have stored: the connector's exactly as given, a plugin's with the given fields set."""
    if seo is None:
        return current
    if plugin not in SEO_SITE_OPTIONS:
        return seo
    return dict(current, **plugin_settings(plugin, seo))


def run(ctx):
    params = ctx.params
    snippets = head_snippets(params["ga4_id"], params["gtm_id"], params["verification"], params["snippets"])
    seo = None if params["seo"] is None else desired_seo(params["seo"])
    client = client_for(ctx)
    (plugin, unmapped_plugin_active), options = parallel(
        client.seo_plugin, lambda: client.options("read head options"))
    if unmapped_plugin_active and seo:
        ctx.warn(UNMAPPED_SEO_PLUGIN)
    seo_option = SEO_SITE_OPTIONS[plugin]["option"] if plugin in SEO_SITE_OPTIONS else SEO_OPTION
    current = {"snippets": options[SNIPPETS_OPTION] or {}, "seo": options[seo_option] or {}}
    wanted = {"snippets": snippets, "seo": wanted_seo(plugin, current["seo"], seo)}
    changes = {}
    if wanted["snippets"] != current["snippets"]:
        changes[SNIPPETS_OPTION] = wanted["snippets"]
    if wanted["seo"] != current["seo"]:
        # The connector's option is replaced as a whole; a plugin's settings get only the differing keys.
        changes[seo_option] = wanted["seo"] if plugin not in SEO_SITE_OPTIONS else {
            key: value for key, value in wanted["seo"].items() if current["seo"].get(key) != value}
    if params["organization"] is not None:
        if ORGANIZATION_OPTION not in options:
            raise SpecError("organization", "the site's fabrik connector does not print the organisation: update "
                                            "wp-content/mu-plugins/fabrik-connector.php to the collection's (1.1 or later)")
        current["organization"] = options[ORGANIZATION_OPTION] or {}
        wanted["organization"] = {key: seo_text(value) for key, value in params["organization"].items()
                                  if value and seo_text(value)}
        if wanted["organization"] != current["organization"]:
            changes[ORGANIZATION_OPTION] = wanted["organization"]
    after = wanted
    if changes and not ctx.check_mode:
        stored = client.update_options(changes, "update head options")
        after = dict(wanted, snippets=stored[SNIPPETS_OPTION] or {}, seo=stored[seo_option] or {})
        if "organization" in wanted:
            after["organization"] = stored[ORGANIZATION_OPTION] or {}
    return dict(after, seo_plugin=plugin, changed=bool(changes), diff={"before": current, "after": after})


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
