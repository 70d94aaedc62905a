#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_template_parts
short_description: Replace template parts (header, footer) and templates of the active block theme with the site's own
version_added: 0.2.0
description:
  - Sets the content of template parts of the active block theme, as the Site Editor does when a part is
    edited and saved (the part is stored in the site, C(/wp/v2/template-parts/<theme>//<slug>); the theme's
    file stays as it is).
  - "Identity: a part by its slug in the active theme. The site's parts are read once; a part is written only
    when its content differs (line endings and surrounding white space aside)."
  - Content is block markup with placeholders. C({{ menu.<location> }}) is the id of the navigation menu
    (C(wp_navigation) post) that O(menus) names for that location, for example in
    C(<!-- wp:navigation {"ref":{{ menu.footer }}} /-->); a self-closing block using it is left out when
    there is no such menu. C({{ name.path }}) is a value of O(placeholders), inserted as escaped text.
  - O(templates) does the same for templates (C(/wp/v2/templates/<theme>//<slug>)), for example a page template
    without the page's title for a theme that has none; a template the theme does not have is added as the site's
    own (the block editor offers it as a page template).
  - The wordpress role takes the parts and templates from the theme's profile, C(templates/themes/<stylesheet>.yml).
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
    details:
      - One diff per changed part, its block markup.
options:
  parts:
    description:
      - The template parts to manage, by slug.
    type: list
    elements: dict
    default: []
    suboptions:
      slug:
        description: Slug of the part in the theme, for example V(footer).
        type: str
        required: true
      content:
        description:
          - The part's block markup, with placeholders (see above). Required when O(parts[].state=present).
        type: str
      area:
        description: Area of a part the theme does not have.
        type: str
        choices: [header, footer, uncategorized]
        default: uncategorized
      state:
        description: V(absent) removes the site's version, so the theme's own part shows again.
        type: str
        choices: [present, absent]
        default: present
  templates:
    description:
      - The templates to manage, by slug (read only when some are given).
    type: list
    elements: dict
    default: []
    suboptions:
      slug:
        description: Slug of the template, for example V(page-no-title) or V(home).
        type: str
        required: true
      title:
        description: Title of a template the theme does not have (shown in the editor's template list).
        type: str
      content:
        description:
          - The template's block markup, with placeholders (see above). Required when O(templates[].state=present).
        type: str
      state:
        description: V(absent) removes the site's version (the theme's own template, if any, shows again).
        type: str
        choices: [present, absent]
        default: present
  menus:
    description:
      - "Location to the navigation menu shown there, for the C({{ menu.<location> }}) placeholders: its id (as
        RV(fabrik.deploy.wordpress_menus#module:by_location) of M(fabrik.deploy.wordpress_menus) gives them, which
        is what the wordpress role passes) or its name (for example V({footer: Footer}); names are looked up, one
        read). A null value, or no entry, is no menu."
    type: dict
    default: {}
  placeholders:
    description:
      - "Values for the C({{ name.path }}) text placeholders, for example C({site: {title: Acme}})."
    type: dict
    default: {}
notes:
  - Run it after M(fabrik.deploy.wordpress_menus), which creates the menus the parts show.
"""

EXAMPLES = r"""
- name: The footer shows the legal pages' menu
  fabrik.deploy.wordpress_template_parts:
    menus: {footer: Footer}
    placeholders: {site: {title: Acme}}
    parts:
      - slug: footer
        content: !unsafe |-
          <!-- wp:group {"layout":{"type":"constrained"}} -->
          <div class="wp-block-group"><!-- wp:navigation {"ref":{{ menu.footer }},"overlayMenu":"never"} /-->

          <!-- wp:paragraph -->
          <p>© {{ site.title }}</p>
          <!-- /wp:paragraph --></div>
          <!-- /wp:group -->
"""

RETURN = r"""
theme:
  description: The active theme, whose parts were managed.
  returned: always
  type: str
  sample: twentytwentyfive
parts:
  description: The managed parts after the run (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    slug:
      description: Slug.
      type: str
    id:
      description: The part's id, C(<theme>//<slug>).
      type: str
    source:
      description: V(custom) for the site's own version, V(theme) for the theme's file.
      type: str
  sample: [{slug: footer, id: twentytwentyfive//footer, source: custom}]
templates:
  description: The managed templates after the run, as RV(parts) describes the parts.
  returned: always
  type: list
  elements: dict
  sample: [{slug: page-no-title, id: twentytwentythree//page-no-title, source: custom}]
updated:
  description: Slugs of the parts and templates written or reverted to the theme's.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import client_for, connection_argument_spec
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_parts import apply_template_parts

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        parts=dict(type="list", elements="dict", default=[], options=dict(
            slug=dict(type="str", required=True),
            content=dict(type="str"),
            area=dict(type="str", choices=["header", "footer", "uncategorized"], default="uncategorized"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )),
        templates=dict(type="list", elements="dict", default=[], options=dict(
            slug=dict(type="str", required=True),
            title=dict(type="str"),
            content=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )),
        menus=dict(type="dict", default={}),
        placeholders=dict(type="dict", default={}),
    ),
    supports_check_mode=True,
)


def run(ctx):
    return apply_template_parts(client_for(ctx), ctx.params, ctx.check_mode)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
