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
  - Stores site-wide SEO defaults - a meta description and a title template - that the connector applies
    only while no SEO plugin (Yoast SEO, Rank Math, All in One SEO, SEOPress, The SEO Framework) is active.
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
  seo:
    description:
      - Site-wide SEO defaults. Not set means not managed; V({}) removes them.
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
  description: The stored SEO defaults after the run.
  returned: always
  type: dict
  sample: {title_template: "{title} | {site}", description: Example builds things that last.}
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils._common import run
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import (
    client_from_module,
    connection_argument_spec,
    head_snippets,
)

SNIPPETS_OPTION = "fabrik_head_snippets"
SEO_OPTION = "fabrik_seo"


def plain_text(value):
    """The text as WordPress's sanitize_text_field stores it (tags dropped, whitespace collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", value)).strip()


def desired_seo(seo):
    return {key: plain_text(value) for key, value in (seo or {}).items() if value and plain_text(value)}


def apply_head(module):
    params = module.params
    snippets = head_snippets(params["ga4_id"], params["gtm_id"], params["verification"], params["snippets"])
    client = client_from_module(module)
    options = client.connector("GET", "options", "read head options")
    current = {"snippets": options[SNIPPETS_OPTION] or {}, "seo": options[SEO_OPTION] or {}}
    wanted = {"snippets": snippets, "seo": current["seo"] if params["seo"] is None else desired_seo(params["seo"])}
    changes = {}
    if wanted["snippets"] != current["snippets"]:
        changes[SNIPPETS_OPTION] = wanted["snippets"]
    if wanted["seo"] != current["seo"]:
        changes[SEO_OPTION] = wanted["seo"]
    after = wanted
    if changes and not module.check_mode:
        stored = client.connector("POST", "options", "update head options", json=changes)
        after = {"snippets": stored[SNIPPETS_OPTION] or {}, "seo": stored[SEO_OPTION] or {}}
    return dict(after, changed=bool(changes), diff={"before": current, "after": after})


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        ga4_id=dict(type="str"),
        gtm_id=dict(type="str"),
        verification=dict(type="dict"),
        snippets=dict(type="dict"),
        seo=dict(type="dict", options=dict(
            title_template=dict(type="str"),
            description=dict(type="str"),
        )),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    module.exit_json(**run(module, lambda: apply_head(module)))


if __name__ == "__main__":
    main()
