# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight's check of each stage's spec, with the validators of the stage's modules.

Each ``check_<stage>(site, problems)`` reads the checked variables (``site.get``), runs the validators the
stage's modules run on the options the role gives them, and records each problem under the inventory
variable it comes from (:func:`~._preflight.renamer`, :func:`~._preflight.split_owner`). The role's argument
spec has checked the variables' types already.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ansible_collections.fabrik.deploy.plugins.module_utils import _cloudflare_records, _cloudflare_settings, _compose
from ansible_collections.fabrik.deploy.plugins.module_utils import _coolify, _coolify_envs, _namecheap, _r2, _r2_buckets
from ansible_collections.fabrik.deploy.plugins.module_utils import _uptime_kuma
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._preflight import check_file, renamer, require, split_owner
from ansible_collections.fabrik.deploy.plugins.module_utils._preflight_wordpress import check_wordpress
from ansible_collections.fabrik.deploy.plugins.module_utils._types import check, describe

ACCOUNT_ID_HINT = "32 hexadecimal characters (the account's overview page in the Cloudflare dashboard)"
# Variables of the default monitors (roles/monitoring/defaults) by the monitor option they fill.
MONITOR_VARIABLES = {"url": "monitoring_url", "interval": "monitoring_interval", "keyword": "monitoring_keyword",
                     "expiry_notification": "monitoring_expiry_notification",
                     "notifications": "monitoring_notifications"}
CORS_VARIABLES = {"allowed_origins": "storage_cors_origins", "allowed_methods": "storage_cors_methods",
                  "max_age_seconds": "storage_cors_max_age"}
MONITOR_FIELD = re.compile(r"^monitors\[(\d+)\]\.([a-z_]+)")
CORS_FIELD = re.compile(r"^cors_rules\[0\]\.([a-z_]+)(.*)$")


def check_url(site, problems, name, example="https://example.com"):
    """``name`` an http(s) URL with a host (when set)."""
    value = site.get(name)
    if value in (None, ""):
        return None
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in str(value).strip():
        problems.add(name, "an http:// or https:// URL with a host expected (e.g. %s), got %s"
                     % (example, describe(value)))
        return None
    return str(value).strip()


def check_items(site, problems, name, options, items=None):
    """The entries of the list variable ``name`` checked against a module's suboption spec: the coerced list,
    or None after a problem."""
    items = site.get(name) if items is None else items
    errors = []
    checked = [check(item, {"type": "dict", "options": options}, "%s[%d]" % (name, index), errors)
               for index, item in enumerate(items or [])]
    problems.extend(errors)
    return None if errors else checked


def check_ipv4(site, problems, name):
    value = site.get(name)
    if value in (None, ""):
        return
    try:
        ipaddress.IPv4Address(str(value).strip())
    except ValueError:
        problems.add(name, "an IPv4 address expected, got %s" % describe(value))


def check_account_id(site, problems, name):
    value = site.get(name)
    if value and not _r2.ACCOUNT_ID.match(str(value).strip().lower()):
        problems.add(name, "%s expected, got %s" % (ACCOUNT_ID_HINT, describe(value)))


def check_positive(site, problems, *names, minimum=1):
    for name in names:
        value = site.get(name)
        if value is not None and value < minimum:
            problems.add(name, "at least %s expected, got %s" % (minimum, value))


def cloudflare_connection(site, problems, account=True):
    require(site, problems, "cloudflare_api_token")
    check_url(site, problems, "cloudflare_api_url", "https://api.cloudflare.com/client/v4")
    if account:
        require(site, problems, "cloudflare_account_id", why=" to create the site's zone")
    check_account_id(site, problems, "cloudflare_account_id")


# ------------------------------------------------------------------ stages


def check_domain(site, problems):
    """Registrar and zone: the registrable name, the Namecheap connection, the registration inputs."""
    if site.get("domain_registrar", "namecheap") == "namecheap":
        if site.domain:
            problems.attempt(lambda: _namecheap.split_domain(site.domain, "site_domain"))
        require(site, problems, "namecheap_api_user", "namecheap_api_key", "namecheap_client_ip")
        if site.has("namecheap_client_ip"):
            problems.attempt(lambda: _namecheap.validate_client_ip(site.get("namecheap_client_ip"),
                                                                   "namecheap_client_ip"))
        if site.has("namecheap_api_url"):
            problems.attempt(lambda: _namecheap.split_api_url(site.get("namecheap_api_url"), "namecheap_api_url"))
        price = site.get("domain_max_price")
        if price not in (None, ""):
            price = problems.attempt(lambda: check_number(price, "domain_max_price"))
        contacts = site.get("domain_contacts") or None
        if site.get("domain_years") is not None:
            problems.attempt(lambda: _namecheap.validate_registration(site.get("domain_years"), price or None, contacts),
                             renamer(("years", "domain_years"), ("max_price", "domain_max_price"),
                                     ("contacts", "domain_contacts")))
    cloudflare_connection(site, problems)


def check_number(value, field):
    errors = []
    number = check(value, {"type": "float"}, field, errors)
    if errors:
        raise errors[0]
    return number


def check_dns(site, problems):
    """The record set (the web records from the server address, then dns_extra_records) and zone settings."""
    cloudflare_connection(site, problems, account=False)
    check_ipv4(site, problems, "site_server_ip")
    check_ipv4(site, problems, "dns_server_ip")
    records = site.get("dns_records")
    if records is not None and site.domain:
        web, extra = site.get("dns_web_records") or [], site.get("dns_extra_records") or []
        owners = [("dns_web_records", len(web)), ("dns_extra_records", len(extra))] \
            if records == web + extra else [("dns_records", len(records))]
        check_records(site, problems, records, owners)
    settings = site.get("dns_zone_settings")
    if settings:
        problems.attempt(lambda: _cloudflare_settings.normalize_settings(settings), renamer(("settings", "dns_zone_settings")))


def check_records(site, problems, records, owners):
    """Each record alone, then the set (duplicates, CNAME conflicts), named by the variable each comes from."""
    def rename(field):
        return "site_domain" if field == "zone" else split_owner(field, "records", owners)

    def each(record, index):
        try:
            _cloudflare_records.validate_records([record], site.domain)
        except SpecError as err:  # validated alone, the record is records[0]
            raise SpecError(err.field.replace("records[0]", "records[%d]" % index, 1), err.message) from None

    check_set(problems, records, "records", _cloudflare_records.RECORD_OPTIONS, rename, each,
              lambda typed: _cloudflare_records.validate_records(typed, site.domain))


def check_set(problems, items, option, options, rename, each, whole):
    """The list a set module takes (records, monitors): each item's types against ``options``, then each item
    alone (``each(item, index)``), then the whole set (``whole(items)``: duplicates, conflicts) once every item
    passed; every problem renamed to the variable it comes from."""
    errors = []
    typed = [check(item, {"type": "dict", "options": options}, "%s[%d]" % (option, index), errors)
             for index, item in enumerate(items)]
    problems.extend(errors, rename)
    if errors:
        return
    failed = False
    for index, item in enumerate(typed):
        try:
            each(item, index)
        except SpecError as err:
            failed = True
            problems.add(rename(err.field), err.message)
    if not failed:
        problems.attempt(lambda: whole(typed), rename)


def check_gate(site, problems):
    cloudflare_connection(site, problems, account=False)
    check_positive(site, problems, "dns_gate_timeout", "dns_gate_interval")


def check_app(site, problems):
    """The Coolify connection and server, the site's URLs and variables, the compose file's house rules."""
    require(site, problems, "coolify_api_token")
    if not site.has("coolify_api_url"):
        require(site, problems, "coolify_api_url")
    else:
        problems.attempt(lambda: _coolify.api_root(site.get("coolify_api_url")), renamer(("api_url", "coolify_api_url")))
    if not site.get("app_server"):
        name = "app_server" if site.has("coolify_server") or site.given.get("app_server") else "coolify_server"
        problems.add(name, "required: the name of the Coolify server the site runs on (Servers, in Coolify)")
    if "app_project" in site.values and not str(site.get("app_project", "")).strip():
        problems.add("app_project", "a project name expected, got an empty string")
    for index, url in enumerate(site.get("app_domains") or []):
        problems.attempt(lambda url=url, index=index: _coolify.validate_url(url, "app_domains[%d]" % index))
    envs = check_items(site, problems, "app_envs", _coolify_envs.env_options())
    if envs is not None:
        problems.attempt(lambda: _coolify_envs.validate(envs), renamer(("envs", "app_envs")))
    check_positive(site, problems, "app_deploy_timeout", "app_generated_length")
    check_positive(site, problems, "app_deploy_interval", minimum=0.1)
    check_compose(site, problems, envs)


def check_compose(site, problems, envs):
    """The compose file's house rules; its services and references against the site's domains and variables
    (when those are valid: their own problems are reported on their own)."""
    compose = site.get("app_compose")
    if compose is None:
        return
    document = problems.attempt(lambda: _compose.parse(compose, "app_compose"))
    if document is None:
        return
    allow = site.get("app_compose_allow") or []
    urls = None if problems.about("app_domains", "app_urls", "site_domain") else site.get("app_urls")
    keys = None if envs is None or problems.about("app_envs") else [entry["key"] for entry in envs]
    errors = _compose.lint(document, allow=allow) + _coolify.compose_input_errors(document, urls, keys)
    for error in errors:
        problems.add("app_compose", "house rule: %s" % error)


def check_verify(site, problems):
    check_url(site, problems, "app_verify_url")
    for index, status in enumerate(site.get("app_verify_status") or []):
        if not 100 <= status <= 599:
            problems.add("app_verify_status[%d]" % index, "an HTTP status 100..599 expected, got %s" % status)
    check_positive(site, problems, "app_verify_retries")
    check_positive(site, problems, "app_verify_delay", minimum=0)


def check_monitoring(site, problems):
    """The monitors (the default ones, then monitoring_extra_monitors), tag, channels, status page, login."""
    check_url(site, problems, "uptime_kuma_url", "https://status.example.com")
    if not site.has("uptime_kuma_url"):
        require(site, problems, "uptime_kuma_url")
    if not site.has("uptime_kuma_token"):
        require(site, problems, "uptime_kuma_username", "uptime_kuma_password", why=" (or uptime_kuma_token)")
    check_positive(site, problems, "uptime_kuma_timeout")
    monitors, extra = site.get("monitoring_monitors"), site.get("monitoring_extra_monitors") or []
    if monitors is not None:
        owners = [("monitoring_monitors", len(monitors)), ("monitoring_extra_monitors", len(extra))]
        check_monitors(site, problems, monitors + extra, owners, len(monitors))
    if site.has("monitoring_tag"):
        problems.attempt(lambda: _uptime_kuma.validate_tag_option(site.get("monitoring_tag"), "monitoring_tag"))
    if site.has("monitoring_tag_color"):
        problems.attempt(lambda: _uptime_kuma.validate_color(site.get("monitoring_tag_color"), "monitoring_tag_color"))
    notifications = check_items(site, problems, "monitoring_notifications", _uptime_kuma.NOTIFICATION_OPTIONS)
    for index, item in enumerate(notifications or []):
        problems.attempt(lambda item=item, index=index: _uptime_kuma.validate_notification(
            item, "monitoring_notifications[%d]." % index))
    if site.get("monitoring_status_page") and site.get("monitoring_status_page_slug") is not None:
        problems.attempt(lambda: _uptime_kuma.validate_slug(site.get("monitoring_status_page_slug"),
                                                            "monitoring_status_page_slug"))


def check_monitors(site, problems, monitors, owners, defaults):
    """Each monitor, then the set; a problem in a default monitor is the variable that filled the option."""
    def rename(field):
        match = MONITOR_FIELD.match(field)
        if match and int(match.group(1)) < defaults:
            variable = MONITOR_VARIABLES.get(match.group(2))
            value = monitors[int(match.group(1))].get(match.group(2))
            if variable and site.given.get(variable) is not None and str(value) == str(site.given[variable]):
                return variable + field[match.end():]
        return split_owner(field, "monitors", owners)

    check_set(problems, monitors, "monitors", _uptime_kuma.MONITOR_OPTIONS, rename,
              lambda monitor, index: _uptime_kuma.validate_monitor(dict(monitor), "monitors[%d]" % index),
              lambda typed: _uptime_kuma.validate_monitors([dict(item) for item in typed]))


def check_storage(site, problems):
    """Bucket name, CORS rules, assets (files inside the site's directories), the connections."""
    cloudflare_connection(site, problems, account=False)
    if not site.has("r2_account_id") and not site.has("cloudflare_account_id"):
        require(site, problems, "cloudflare_account_id", why=" for R2 (or r2_account_id)")
    check_account_id(site, problems, "r2_account_id")
    bucket = site.get("storage_bucket")
    if bucket is not None and site.domain:
        derived = bucket == site.domain.replace(".", "-")
        try:
            _r2.validate_bucket_name(bucket, "storage_bucket")
        except SpecError as err:
            if derived:
                problems.add("site_domain", "the R2 bucket name derived from it, %s, is not valid (%s); set "
                                            "storage_bucket to another name" % (bucket, err.message))
            else:
                problems.add(err.field, err.message)
    hint = site.get("storage_location_hint")
    if hint and hint not in _r2_buckets.LOCATION_HINTS:
        problems.add("storage_location_hint", "one of %s (or empty) expected, got %s"
                     % (", ".join(_r2_buckets.LOCATION_HINTS), describe(hint)))
    check_cors(site, problems)
    check_assets(site, problems)


def check_cors(site, problems):
    rules = site.get("storage_cors_rules")
    if rules is None:
        return
    derived = rules == [{"allowed_origins": site.get("storage_cors_origins"),
                         "allowed_methods": site.get("storage_cors_methods"),
                         "max_age_seconds": site.get("storage_cors_max_age")}]

    def rename(field):
        match = CORS_FIELD.match(field)
        if derived and match and match.group(1) in CORS_VARIABLES:
            return CORS_VARIABLES[match.group(1)] + match.group(2)
        return renamer(("cors_rules", "storage_cors_rules"))(field)

    errors = []
    typed = [check(item, {"type": "dict", "options": _r2_buckets.CORS_RULE_OPTIONS}, "cors_rules[%d]" % index, errors)
             for index, item in enumerate(rules)]
    problems.extend(errors, rename)
    if not errors:
        problems.attempt(lambda: _r2_buckets.validate_cors_rules(typed), rename)


def check_assets(site, problems):
    assets = site.get("storage_assets") or []
    if not assets:
        return
    base = site.get("storage_assets_dir") or site.base_dir()
    objects, failed = [], False
    for index, asset in enumerate(assets):
        where = "storage_assets[%d]" % index
        if not asset.get("key"):
            problems.add(where + ".key", "required: the object's key in the bucket, e.g. brand/logo.svg")
            failed = True
        if asset.get("src") is None:
            problems.add(where + ".src", "required: the file to upload")
            failed = True
            continue
        path = check_file(site, problems, asset["src"], where + ".src", base=base, allowed=[base])
        failed = failed or path is None
        objects.append(dict(asset, src=path))
    if not failed:
        problems.attempt(lambda: _r2.validate_objects(objects, "storage_assets"))
    require(site, problems, "r2_access_key_id", "r2_secret_access_key", why=" to upload storage_assets")


CHECKS = {
    "domain": check_domain,
    "dns": check_dns,
    "gate": check_gate,
    "app": check_app,
    "verify": check_verify,
    "wordpress": check_wordpress,
    "monitoring": check_monitoring,
    "storage": check_storage,
}
