#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: site_spec
short_description: Validate a whole site spec before any API call
version_added: "0.1.0"
description:
  - Checks the parts of a site spec that the selected stages will use, with the same validators
    the service modules use, and reports every problem at once, each naming its inventory variable.
  - Makes no request to any service, so a bad spec fails before the first write of a run.
  - M(fabrik.deploy.site_spec) runs first in C(site.yml), tagged C(always).
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
      - The stages of this run, usually C(ansible_run_tags). C(all) selects every stage.
    type: list
    elements: str
    default: [all]
  site_domain:
    description: The site's registrable domain.
    type: str
    required: true
  domain_registrar:
    description: Where the domain is registered.
    type: str
    choices: [namecheap, external]
    default: namecheap
  domain_register:
    description: Whether the run may buy the domain.
    type: bool
    default: false
  domain_contacts:
    description: Registration contacts, see M(fabrik.deploy.namecheap_domain).
    type: dict
    default: {}
  dns_records:
    description: The site's records, see M(fabrik.deploy.cloudflare_dns_records).
    type: list
    elements: dict
    default: []
  dns_zone_settings:
    description: Zone settings, see M(fabrik.deploy.cloudflare_zone_settings).
    type: dict
    default: {}
  cloudflare_api_token:
    description: Cloudflare API token; only checked for presence.
    type: str
  cloudflare_account_id:
    description: Cloudflare account id; only checked for presence.
    type: str
  namecheap_api_user:
    description: Namecheap API user; only checked for presence.
    type: str
  namecheap_api_key:
    description: Namecheap API key; only checked for presence.
    type: str
  namecheap_client_ip:
    description: The whitelisted IPv4 address Namecheap sees.
    type: str
  monitoring_monitors:
    description: The site's monitors, see M(fabrik.deploy.uptime_kuma_monitors).
    type: list
    elements: dict
  monitoring_tag:
    description: The tag owning the site's monitors (C(name) or C(name:value)).
    type: str
  monitoring_status_page_slug:
    description: Slug of the site's status page, when it has one.
    type: str
  uptime_kuma_url:
    description: Uptime Kuma's URL; only checked for presence and form.
    type: str
  storage_bucket:
    description: The site's R2 bucket, see M(fabrik.deploy.r2_bucket).
    type: str
  storage_cors_rules:
    description: The bucket's CORS rules, see M(fabrik.deploy.r2_bucket).
    type: list
    elements: dict
  storage_asset_objects:
    description: The assets to upload, see M(fabrik.deploy.r2_object); their files must exist.
    type: list
    elements: dict
  app_compose:
    description:
      - The site's rendered compose file. With the C(app) stage, it must pass the house rules of
        M(fabrik.deploy.coolify_compose_lint), with O(app_urls) and O(app_env_keys).
    type: str
  app_urls:
    description: Domains per compose service, see M(fabrik.deploy.coolify_service).
    type: list
    elements: dict
  app_env_keys:
    description:
      - Keys of the variables the site provides; every variable the compose file references must be among
        them, unless Coolify derives it (C(SERVICE_FQDN_*), C(SERVICE_URL_*)) or it is a secret to generate
        (C(SERVICE_PASSWORD_*), C(SERVICE_USER_*), C(SERVICE_BASE64_*)).
    type: list
    elements: str
notes:
  - The credential options fall back to the same environment variables as the service modules
    (C(CLOUDFLARE_API_TOKEN), C(CLOUDFLARE_ACCOUNT_ID), C(NAMECHEAP_API_USER), C(NAMECHEAP_API_KEY),
    C(NAMECHEAP_CLIENT_IP), C(UPTIME_KUMA_URL)).
  - Each stage is checked only when its part of the spec is given (the stage's role is in the play).
"""

EXAMPLES = r"""
# site.yml passes the site's inventory variables (site_domain, dns_records, ...); the
# credentials are only checked for presence and fall back to the environment.
- name: Preflight | validate the site spec before any API call
  fabrik.deploy.site_spec:
    stages: "{{ ansible_run_tags }}"
    site_domain: example.com
    dns_records:
      - {type: A, name: "@", content: 192.0.2.10, proxied: true}
      - {type: CNAME, name: www, content: example.com, proxied: true}
    dns_zone_settings:
      ssl: strict
      always_use_https: true
  tags: [always]
"""

RETURN = r"""
stages:
  description: The stages whose part of the spec was checked.
  returned: always
  type: list
  elements: str
  sample: [domain, dns, gate]
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.fabrik.deploy.plugins.module_utils import _cloudflare_records, _cloudflare_settings, _compose
from ansible_collections.fabrik.deploy.plugins.module_utils import _namecheap, _r2, _r2_buckets, _uptime_kuma
from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError, validate_domain_name
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import compose_input_errors

KNOWN_STAGES = ("domain", "dns", "gate", "app", "monitoring", "storage")

SPEC = dict(
    argument_spec=dict(
        stages=dict(type="list", elements="str", default=["all"]),
        site_domain=dict(type="str", required=True),
        domain_registrar=dict(type="str", choices=["namecheap", "external"], default="namecheap"),
        domain_register=dict(type="bool", default=False),
        domain_contacts=dict(type="dict", default={}),
        dns_records=dict(type="list", elements="dict", default=[]),
        dns_zone_settings=dict(type="dict", default={}),
        cloudflare_api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["CLOUDFLARE_API_TOKEN"])),
        cloudflare_account_id=dict(type="str", fallback=(env_fallback, ["CLOUDFLARE_ACCOUNT_ID"])),
        namecheap_api_user=dict(type="str", fallback=(env_fallback, ["NAMECHEAP_API_USER"])),
        namecheap_api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["NAMECHEAP_API_KEY"])),
        namecheap_client_ip=dict(type="str", fallback=(env_fallback, ["NAMECHEAP_CLIENT_IP"])),
        monitoring_monitors=dict(type="list", elements="dict"),
        monitoring_tag=dict(type="str"),
        monitoring_status_page_slug=dict(type="str"),
        uptime_kuma_url=dict(type="str", fallback=(env_fallback, ["UPTIME_KUMA_URL"])),
        storage_bucket=dict(type="str"),
        storage_cors_rules=dict(type="list", elements="dict"),
        storage_asset_objects=dict(type="list", elements="dict"),
        app_compose=dict(type="str"),
        app_urls=dict(type="list", elements="dict"),
        app_env_keys=dict(type="list", elements="str", no_log=False),
    ),
    supports_check_mode=True,
)


def _selected(stages):
    wanted = set(stages or ["all"])
    if "all" in wanted:
        return list(KNOWN_STAGES)
    return [stage for stage in KNOWN_STAGES if stage in wanted]


def _renamed(err, prefix, old):
    """A validator's SpecError re-labelled with the inventory variable it came from."""
    field = err.field
    if field == old or field.startswith(old + ".") or field.startswith(old + "["):
        field = prefix + field[len(old):]
    return SpecError(field, err.message)


def _require(params, name, env, problems):
    if not (params.get(name) or "").strip():
        problems.append(SpecError(name, "required: set it in the inventory (or a vault file) or export %s" % env))


def check_domain_stage(params, problems):
    if params["domain_registrar"] == "namecheap":
        try:
            _namecheap.split_domain(params["site_domain"], "site_domain")
        except SpecError as err:
            problems.append(err)
        for name, env in (("namecheap_api_user", "NAMECHEAP_API_USER"), ("namecheap_api_key", "NAMECHEAP_API_KEY"),
                          ("namecheap_client_ip", "NAMECHEAP_CLIENT_IP")):
            _require(params, name, env, problems)
        if params.get("namecheap_client_ip"):
            try:
                _namecheap.validate_client_ip(params["namecheap_client_ip"], "namecheap_client_ip")
            except SpecError as err:
                problems.append(err)
        if params["domain_register"] and params["domain_contacts"]:
            try:
                _namecheap.validate_contacts(params["domain_contacts"], "domain_contacts")
            except SpecError as err:
                problems.append(err)
    _require(params, "cloudflare_api_token", "CLOUDFLARE_API_TOKEN", problems)
    _require(params, "cloudflare_account_id", "CLOUDFLARE_ACCOUNT_ID", problems)


def check_dns_stage(params, problems):
    _require(params, "cloudflare_api_token", "CLOUDFLARE_API_TOKEN", problems)
    try:
        _cloudflare_records.validate_records(params["dns_records"], params["site_domain"])
    except SpecError as err:
        problems.append(_renamed(_renamed(err, "dns_records", "records"), "site_domain", "zone"))
    try:
        _cloudflare_settings.normalize_settings(params["dns_zone_settings"])
    except SpecError as err:
        problems.append(_renamed(err, "dns_zone_settings", "settings"))


def check_gate_stage(params, problems):
    _require(params, "cloudflare_api_token", "CLOUDFLARE_API_TOKEN", problems)


def check_monitoring_stage(params, problems):
    if params.get("monitoring_monitors") is None:
        return
    _require(params, "uptime_kuma_url", "UPTIME_KUMA_URL", problems)
    checks = [
        (lambda: _uptime_kuma.validate_monitors(params["monitoring_monitors"], "monitoring_monitors"), True),
        (lambda: _uptime_kuma.validate_tag_option(params.get("monitoring_tag"), "monitoring_tag"), True),
        (lambda: _uptime_kuma.validate_slug(params["monitoring_status_page_slug"], "monitoring_status_page_slug"),
         params.get("monitoring_status_page_slug") is not None),
        (lambda: _uptime_kuma.validate_url(params["uptime_kuma_url"], "uptime_kuma_url"),
         bool(params.get("uptime_kuma_url"))),
    ]
    for check, applies in checks:
        if applies:
            try:
                check()
            except SpecError as err:
                problems.append(err)


def check_storage_stage(params, problems):
    if params.get("storage_bucket") is None:
        return
    _require(params, "cloudflare_api_token", "CLOUDFLARE_API_TOKEN", problems)
    checks = [
        lambda: _r2.validate_bucket_name(params["storage_bucket"], "storage_bucket"),
        lambda: _r2_buckets.validate_cors_rules(params.get("storage_cors_rules")),
    ]
    if params.get("storage_asset_objects"):
        checks.append(lambda: _r2.validate_objects(params["storage_asset_objects"], "storage_assets"))
    for check in checks:
        try:
            check()
        except SpecError as err:
            problems.append(_renamed(err, "storage_cors_rules", "cors_rules"))


def check_app_stage(params, problems):
    """The compose file's house rules, with the domains and variables given with it."""
    if params.get("app_compose") is None:
        return
    try:
        document = _compose.parse(params["app_compose"], "app_compose")
    except SpecError as err:
        problems.append(err)
        return
    errors = _compose.lint(document) + compose_input_errors(document, params.get("app_urls"), params.get("app_env_keys"))
    problems.extend(SpecError("app_compose", "house rule: " + error) for error in errors)


CHECKS = {"domain": check_domain_stage, "dns": check_dns_stage, "gate": check_gate_stage, "app": check_app_stage,
          "monitoring": check_monitoring_stage, "storage": check_storage_stage}


def validate(params):
    """Every problem of the selected stages' spec, de-duplicated, in a stable order."""
    problems = []
    try:
        validate_domain_name(params["site_domain"], "site_domain")
    except SpecError as err:
        return [err]
    for stage in _selected(params["stages"]):
        CHECKS[stage](params, problems)
    unique = {}
    for problem in problems:
        unique.setdefault(str(problem), problem)
    return list(unique.values())


def run(ctx):
    problems = validate(ctx.params)
    stages = _selected(ctx.params["stages"])
    if problems:
        raise Failure("The site spec is invalid (nothing was changed): " + "; ".join(str(p) for p in problems),
                      problems=[{"field": p.field, "message": p.message} for p in problems], stages=stages)
    return dict(changed=False, stages=stages)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
