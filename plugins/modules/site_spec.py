#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: site_spec
short_description: The preflight of a site run, the whole spec and every credential, before any write
version_added: "0.1.0"
description:
  - Checks everything the selected stages of a run will use, before the first of them writes anything, and
    reports every problem at once, each naming the inventory variable the user wrote (for example
    C(wordpress_pages[2].sections[0].type) or C(coolify_api_token)), with the values it accepts.
  - "Per stage: the stage role's variables against its argument spec (values converted as Ansible converts them,
    so C(-e monitoring_interval=123) is the integer 123), then the parts of the spec with the validators of the
    modules that will receive them: registration contacts, DNS records and zone settings, the compose file's
    house rules, the site's URLs, the WordPress preset, pages (unique, valid slugs; sections), menus (pointing
    at pages of the spec), theme, brand colours, plugins, users, media and asset files (existing, inside the
    site's directories), analytics ids, monitors, tag, status page, bucket name, CORS rules."
  - Then proves each credential the stages need with one read-only request (or login) per service, all at once;
    see RV(credentials). With the domain stage, Namecheap's answer also tells whether the domain is in the account,
    or else may be bought (C(domain_register) and C(domain_contacts)). Nothing is created, changed or bought.
  - M(fabrik.deploy.site_spec) is the task of the C(fabrik.deploy.preflight) role, which C(site.yml) runs first,
    tagged C(always).
  - Its action plugin reads the site's variables itself (O(variables)), each templated on its own, so that a
    variable that cannot be templated is one problem among the others.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  stages:
    description:
      - The stages of this run (C(domain), C(dns), C(gate), C(app), C(verify), C(wordpress), C(monitoring),
        C(storage)); V(all) selects every stage.
    type: list
    elements: str
    default: [all]
  variables:
    description:
      - The site's variables by their inventory names (C(site_domain), C(dns_extra_records), C(wordpress_pages),
        C(coolify_api_token)...), templated.
      - By default the action plugin reads from the host's variables every variable of the selected stages'
        roles, the connection variables of their services and the site's directories (C(inventory_dir),
        C(site_files_dirs)).
    type: dict
  argument_specs:
    description:
      - The options of each selected stage's role argument spec, by stage. By default read from the roles of
        this collection (C(roles/<role>/meta/argument_specs.yml)).
    type: dict
  template_errors:
    description:
      - Variables that could not be templated, with the error, by name. Filled by the action plugin when it
        reads O(variables).
    type: dict
  collection_dir:
    description:
      - The root of this collection (its C(templates/presets) and C(templates/legal)). By default where the
        action plugin is installed.
    type: path
  credentials:
    description:
      - Prove the credentials of the stages' services with one read-only request each.
    type: bool
    default: true
notes:
  - The connection variables fall back to the same environment variables as the service modules
    (C(CLOUDFLARE_API_TOKEN), C(NAMECHEAP_API_KEY), C(COOLIFY_API_TOKEN), C(UPTIME_KUMA_PASSWORD),
    C(R2_SECRET_ACCESS_KEY), C(WORDPRESS_PASSWORD)...).
  - Site files (logo, favicon, media, assets, a preset or content file of the site) must lie inside the site's
    directories, C(site_files_dirs) (by default the inventory's directory); a relative path starts at the
    inventory's directory (assets at C(storage_assets_dir)).
  - WordPress may not answer yet on a site's first run; when the run also has the C(app) stage, which deploys
    it, that is not a problem.
"""

EXAMPLES = r"""
# In a site run, the fabrik.deploy.preflight role runs it, tagged always, with the stages the tags select
# (`stages: "{{ preflight_stages }}"`); it then reads every variable of the site itself.

# Given variables: the domain and dns stages of example.com and their credentials (here from the
# environment: CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID...). The domain is registered elsewhere, so
# Namecheap is not asked (at Namecheap, a domain not in the account needs domain_register: true).
- name: Preflight | the domain and dns stages of example.com, and their credentials
  fabrik.deploy.site_spec:
    stages: [domain, dns]
    variables:
      site_domain: example.com
      domain_registrar: external
      dns_records:
        - {type: A, name: "@", content: 192.0.2.10, proxied: true}
        - {type: CNAME, name: www, content: example.com, proxied: true}
      dns_zone_settings:
        ssl: strict
        always_use_https: true

# The spec alone, without any request.
- name: Check the records only
  fabrik.deploy.site_spec:
    stages: [dns]
    credentials: false
    variables:
      site_domain: example.com
      dns_records:
        - {type: TXT, name: "@", content: "v=spf1 include:_spf.example.net ~all"}
      cloudflare_api_token: not-used-without-credentials
"""

RETURN = r"""
stages:
  description: The stages whose spec was checked.
  returned: always
  type: list
  elements: str
  sample: [domain, dns, gate]
site_domain:
  description: The site's domain in its canonical form (lower case, no trailing dot), the one that names its objects.
  returned: success
  type: str
  sample: example.com
credentials:
  description: What each service's probe found, by service.
  returned: always
  type: dict
  sample: {cloudflare: "token accepted; zone found", namecheap: account reached}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _preflight
from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure
from ansible_collections.fabrik.deploy.plugins.module_utils._preflight_credentials import stored_app_password

SPEC = dict(
    argument_spec=dict(
        stages=dict(type="list", elements="str", default=["all"]),
        variables=dict(type="dict"),
        argument_specs=dict(type="dict"),
        template_errors=dict(type="dict"),
        collection_dir=dict(type="path"),
        credentials=dict(type="bool", default=True),
    ),
    supports_check_mode=True,
)


def run(ctx):
    params = ctx.params
    variables = dict(params["variables"] or {})
    if params["collection_dir"]:
        variables.setdefault("collection_dir", params["collection_dir"])
    for name in _preflight.SECRET_VARIABLES:
        if isinstance(variables.get(name), str) and variables[name]:
            ctx.no_log_values.add(variables[name])
    site, problems = _preflight.check_site(params["stages"], variables, params["argument_specs"],
                                           params["template_errors"], credentials=params["credentials"],
                                           check_mode=ctx.check_mode, collection_dir=params["collection_dir"])
    stored, _from_file = stored_app_password(site) if "wordpress" in site.stages else (None, False)
    if stored:
        ctx.no_log_values.add(stored)
    credentials = site.facts.get("credentials", {})
    if problems:
        count = len(problems)
        raise Failure("The site spec has %d problem%s; nothing was changed:\n%s"
                      % (count, "" if count == 1 else "s", "\n".join("- %s" % item for item in problems.items)),
                      stages=site.stages, credentials=credentials)
    return dict(changed=False, stages=site.stages, site_domain=site.domain, credentials=credentials)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
