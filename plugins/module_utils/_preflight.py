# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight: the whole site spec of a run's stages, and the credentials they need, before any write.

:func:`check_site` takes the site's inventory variables (templated by the ``site_spec`` action plugin, one by
one) and returns every problem at once, each as a :class:`~._common.SpecError` whose field is the inventory
variable the user wrote (``wordpress_pages[2].slug``, ``coolify_api_token``), never a module option or a
variable the roles derive from it:

1. each selected stage's variables against its role's argument spec (``meta/argument_specs.yml``), coerced as
   Ansible coerces them (:mod:`._types`);
2. the connection variables of the services the stages use, with the modules' environment fallbacks;
3. each stage's spec with the validators its modules use (:mod:`._preflight_stages`,
   :mod:`._preflight_wordpress`);
4. one read-only request per service to prove its credentials (:mod:`._preflight_credentials`), in parallel.

A variable the roles compute from others (``dns_records`` from ``dns_extra_records``) that cannot be computed
is reported only when none of its inputs has a problem of its own: that problem is the cause.
"""

from __future__ import annotations

import os
import re

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, validate_domain_name
from ansible_collections.fabrik.deploy.plugins.module_utils._types import check, describe

STAGES = ("domain", "dns", "gate", "app", "verify", "wordpress", "monitoring", "storage")
# The role and argument-spec entry point of each stage (site.yml's imports).
STAGE_ROLES = {
    "domain": ("domain", "main"),
    "dns": ("dns", "main"),
    "gate": ("dns", "gate"),
    "app": ("app", "main"),
    "verify": ("app", "verify"),
    "wordpress": ("wordpress", "main"),
    "monitoring": ("monitoring", "main"),
    "storage": ("storage", "main"),
}
# The services each stage talks to (whose credentials it needs).
STAGE_SERVICES = {
    "domain": ("cloudflare", "namecheap"),
    "dns": ("cloudflare",),
    "gate": ("cloudflare",),
    "app": ("coolify",),
    "verify": (),
    "wordpress": ("wordpress",),
    "monitoring": ("uptime_kuma",),
    "storage": ("cloudflare", "r2"),
}
# The connection variables of each service (site.yml's module_defaults) and the environment variables the
# modules fall back to when a variable is not set.
CONNECTIONS = {
    "cloudflare": (("cloudflare_api_url", ("CLOUDFLARE_API_URL",)), ("cloudflare_api_token", ("CLOUDFLARE_API_TOKEN",)),
                   ("cloudflare_account_id", ("CLOUDFLARE_ACCOUNT_ID",))),
    "namecheap": (("namecheap_api_url", ("NAMECHEAP_API_URL",)), ("namecheap_api_user", ("NAMECHEAP_API_USER",)),
                  ("namecheap_api_key", ("NAMECHEAP_API_KEY",)), ("namecheap_client_ip", ("NAMECHEAP_CLIENT_IP",))),
    "coolify": (("coolify_api_url", ("COOLIFY_API_URL",)), ("coolify_api_token", ("COOLIFY_API_TOKEN",))),
    "uptime_kuma": (("uptime_kuma_url", ("UPTIME_KUMA_URL",)), ("uptime_kuma_username", ("UPTIME_KUMA_USERNAME",)),
                    ("uptime_kuma_password", ("UPTIME_KUMA_PASSWORD",)), ("uptime_kuma_token", ("UPTIME_KUMA_TOKEN",)),
                    ("uptime_kuma_totp_secret", ("UPTIME_KUMA_TOTP_SECRET",)), ("uptime_kuma_timeout", ())),
    "r2": (("r2_account_id", ("R2_ACCOUNT_ID", "CLOUDFLARE_ACCOUNT_ID")), ("r2_endpoint_url", ("R2_ENDPOINT_URL",)),
           ("r2_access_key_id", ("R2_ACCESS_KEY_ID",)), ("r2_secret_access_key", ("R2_SECRET_ACCESS_KEY",))),
    "wordpress": (("wordpress_url", ("WORDPRESS_URL",)), ("wordpress_username", ("WORDPRESS_USERNAME",)),
                  ("wordpress_app_password", ("WORDPRESS_APP_PASSWORD",)),
                  ("wordpress_admin_password", ("WORDPRESS_PASSWORD",))),
}
SECRET_VARIABLES = frozenset((
    "cloudflare_api_token", "namecheap_api_key", "coolify_api_token", "uptime_kuma_password", "uptime_kuma_token",
    "uptime_kuma_totp_secret", "r2_secret_access_key", "wordpress_app_password", "wordpress_admin_password",
))
# Variables the checks read besides the roles' options and the connections: for every stage, and per stage.
CONTEXT_VARIABLES = ("inventory_dir", "playbook_dir", "inventory_hostname", "site_files_dirs")
STAGE_CONTEXT = {"app": ("coolify_server", "app_compose", "app_urls"), "wordpress": ("wordpress_builtin_presets",)}
# Variables the roles' defaults compute from others, with those inputs.
DERIVED = {
    "dns_server_ip": ("site_server_ip",),
    "dns_web_records": ("site_domain", "site_server_ip", "dns_server_ip", "dns_proxied"),
    "dns_records": ("site_domain", "site_server_ip", "dns_server_ip", "dns_proxied", "dns_web_records",
                    "dns_extra_records"),
    "app_project": ("site_domain",),
    "app_name": ("site_domain",),
    "app_domains": ("site_domain",),
    "app_urls": ("site_domain", "app_template", "app_public_service", "app_domains"),
    "app_public_service": ("app_template",),
    "app_compose": ("app_template", "app_template_vars", "app_connector_path"),
    "app_server": ("coolify_server",),
    "app_verify_url": ("site_domain",),
    "monitoring_url": ("site_domain",),
    "monitoring_tag": ("site_domain",),
    "monitoring_monitors": ("site_domain", "monitoring_url", "monitoring_interval", "monitoring_keyword",
                            "monitoring_expiry_notification", "monitoring_notifications"),
    "monitoring_status_page_slug": ("site_domain",),
    "monitoring_status_page_title": ("site_domain",),
    "storage_bucket": ("site_domain",),
    "storage_cors_origins": ("site_domain",),
    "storage_cors_rules": ("site_domain", "storage_cors_origins", "storage_cors_methods", "storage_cors_max_age"),
    "storage_asset_objects": ("storage_assets", "storage_assets_dir", "storage_asset_cache_control"),
    "wordpress_admin_email": ("wordpress_company",),
}
EXCERPT = 300


class Problems:
    """Every problem found, each a SpecError naming an inventory variable; the same one once."""

    def __init__(self):
        self.items = []
        self._seen = set()

    def add(self, field, message):
        if (field, message) not in self._seen:
            self._seen.add((field, message))
            self.items.append(SpecError(field, message))

    def extend(self, errors, rename=None):
        for err in errors:
            self.add(rename(err.field) if rename else err.field, err.message)

    def attempt(self, call, rename=None):
        """``call()``, or None after recording the SpecError it raised (renamed)."""
        try:
            return call()
        except SpecError as err:
            self.extend([err], rename)
            return None

    def about(self, *names):
        """Whether a problem names one of the variables ``names`` (or a part of one)."""
        return any(_within(item.field, name) for item in self.items for name in names)

    def __len__(self):
        return len(self.items)


def _within(field, name):
    return field == name or field.startswith((name + ".", name + "["))


def renamer(*pairs):
    """A function renaming a module's field (``records[2].ttl``) to the variable it came from: the first
    ``(option, variable)`` pair whose option is the field or its start wins."""

    def rename(field):
        for option, variable in pairs:
            if _within(field, option):
                return variable + field[len(option):]
        return field

    return rename


INDEXED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\](.*)$")


def split_owner(field, option, owners):
    """``records[5].ttl`` -> ``dns_extra_records[3].ttl`` when ``owners`` (a list of (variable, length)) says
    that item 5 of the concatenated list is item 3 of ``dns_extra_records``."""
    match = INDEXED.match(field)
    if not match or match.group(1) != option:
        return field
    index = int(match.group(2))
    for variable, length in owners:
        if index < length:
            return "%s[%d]%s" % (variable, index, match.group(3))
        index -= length
    return field


class Site:
    """A run's site: its variables as given, the checked values, where relative files are, what was found."""

    def __init__(self, stages, variables, environ=None):
        self.stages = stages
        self.given = variables
        self.values = {}
        self.environ = os.environ if environ is None else environ
        self.domain = None  # site_domain, canonical
        self.facts = {}  # what the checks learned (credentials proven, zone found...)

    def get(self, name, default=None):
        value = self.values.get(name)
        return default if value is None else value

    def has(self, name):
        return self.values.get(name) not in (None, "")

    def base_dir(self):
        """The directory relative site files are read from: the site's inventory directory."""
        return self.get("inventory_dir") or self.get("playbook_dir") or os.getcwd()


def selected(stages):
    """The stages of ``stages`` (``all`` for every one), in run order."""
    wanted = set(stages or ["all"])
    if "all" in wanted:
        return list(STAGES)
    return [stage for stage in STAGES if stage in wanted]


def services_of(stages):
    found = []
    for stage in stages:
        for service in STAGE_SERVICES[stage]:
            if service not in found:
                found.append(service)
    return found


def variable_names(stages, argument_specs):
    """Every variable the preflight of ``stages`` reads: the roles' options, the connections, the context."""
    names = set(CONTEXT_VARIABLES) | {"site_domain"}
    for stage in stages:
        names.update((argument_specs or {}).get(stage) or {})
        names.update(STAGE_CONTEXT.get(stage, ()))
    for service in services_of(stages):
        names.update(name for name, _env in CONNECTIONS[service])
    return sorted(names)


def template_message(text):
    """The first line of a templating error, short."""
    first = str(text).strip().splitlines()[0] if str(text).strip() else "cannot be templated"
    return first if len(first) <= EXCERPT else first[:EXCERPT] + "..."


# ------------------------------------------------------------------ the checks


def check_role_options(site, argument_specs, template_errors, problems):
    """Each selected stage's variables against its role's argument spec, coerced (step 1). A connection
    variable that is not set is left to step 2 (it may come from the environment)."""
    connections = {name for service in CONNECTIONS.values() for name, _env in service}
    for stage in site.stages:
        for name, spec in ((argument_specs or {}).get(stage) or {}).items():
            if name in site.values or name in template_errors or name == "site_domain":
                continue
            value = site.given.get(name)
            if value is None:
                if spec.get("required") and name not in DERIVED and name not in connections:
                    problems.add(name, "required (set it in the inventory)")
                elif "default" in spec and not _is_template(spec["default"]):
                    site.values[name] = spec["default"]
                continue
            errors = []
            checked = check(value, spec, name, errors, fill=False)
            problems.extend(errors)
            if not errors:
                site.values[name] = checked


def check_connections(site, problems):
    """The connection variables of the stages' services: given, else from the environment (step 2)."""
    for service in services_of(site.stages):
        for name, env_names in CONNECTIONS[service]:
            value = site.given.get(name)
            if value in (None, ""):
                value = next((site.environ[env] for env in env_names if site.environ.get(env)), None)
            if value is None:
                continue
            if name == "uptime_kuma_timeout":
                errors = []
                value = check(value, {"type": "int"}, name, errors)
                problems.extend(errors)
            elif not isinstance(value, str):
                problems.add(name, "a string expected, got %s" % describe(value))
                continue
            site.values[name] = value.strip() if isinstance(value, str) else value


def report_template_errors(template_errors, problems):
    """A variable that could not be templated; a derived one only when none of its inputs has a problem."""
    for name, message in sorted((template_errors or {}).items()):
        inputs = DERIVED.get(name, ())
        if inputs and problems.about(*inputs):
            continue
        if inputs:
            problems.add(name, "cannot be computed from %s: %s" % (", ".join(inputs), template_message(message)))
        else:
            problems.add(name, "cannot be templated: %s" % template_message(message))


ROOT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*")


def drop_consequences(problems):
    """Leave out the problems of a derived variable whose inputs have problems of their own: an invalid
    site_domain makes its URLs, slug and origins invalid too, but the one thing to fix is site_domain."""
    roots = {ROOT.match(item.field).group(0) for item in problems.items if ROOT.match(item.field)}

    def consequence(item):
        match = ROOT.match(item.field)
        root = match.group(0) if match else None
        return any(source in roots and source != root for source in DERIVED.get(root, ()))

    problems.items = [item for item in problems.items if not consequence(item)]


def require(site, problems, *names, why=""):
    """Problems for the variables of ``names`` that are not set (a connection: its environment variable too)."""
    env = {name: env_names for service in CONNECTIONS.values() for name, env_names in service}
    for name in names:
        if site.has(name):
            continue
        hint = " or export %s" % " or ".join(env[name]) if env.get(name) else ""
        problems.add(name, "required%s: set it in the inventory (or a vault file)%s" % (why, hint))


def check_site(stages, variables, argument_specs=None, template_errors=None, environ=None, credentials=True,
               check_mode=False, probes=None, collection_dir=None):
    """(site, problems) of the run's ``stages``: see the module docstring for the steps."""
    from ansible_collections.fabrik.deploy.plugins.module_utils import _preflight_stages as stage_checks
    from ansible_collections.fabrik.deploy.plugins.module_utils._preflight_credentials import prove_credentials

    stages = selected(stages)
    template_errors = dict(template_errors or {})
    site = Site(stages, dict(variables or {}), environ)
    problems = Problems()
    for name in CONTEXT_VARIABLES + tuple(name for stage in stages for name in STAGE_CONTEXT.get(stage, ())):
        if name not in template_errors and site.given.get(name) is not None:
            site.values[name] = site.given[name]
    site.values["collection_dir"] = collection_dir or site.given.get("collection_dir")
    required = any(((argument_specs or {}).get(stage) or {}).get("site_domain", {}).get("required")
                   for stage in stages) or not argument_specs
    check_domain(site, template_errors, problems, required)
    check_role_options(site, argument_specs, template_errors, problems)
    check_connections(site, problems)
    report_template_errors(template_errors, problems)
    for stage in stages:
        stage_checks.CHECKS[stage](site, problems)
    drop_consequences(problems)
    if credentials:
        prove_credentials(site, problems, check_mode=check_mode, probes=probes)
    return site, problems


def check_domain(site, template_errors, problems, required=True):
    """site_domain: a domain name (required by every stage but wordpress); its canonical form (lower case, no
    trailing dot) names the site."""
    if "site_domain" in template_errors:
        return
    value = site.given.get("site_domain")
    if value in (None, ""):
        if required:
            problems.add("site_domain", "required: the site's domain, for example example.com")
        return
    site.domain = problems.attempt(lambda: validate_domain_name(value, "site_domain"))
    if site.domain:
        site.values["site_domain"] = site.domain


def check_file(site, problems, path, field, base=None, allowed=()):
    """The absolute path of the site file ``path`` (relative to ``base``, else the inventory's directory), or
    None after a problem: it must exist and lie inside the site's directories (``site_files_dirs``, default
    the inventory's directory, plus ``allowed``), so that a spec cannot publish a file of the controller
    such as ``../../etc/passwd``."""
    if not isinstance(path, str) or not path.strip():
        problems.add(field, "a file path expected, got %s" % describe(path))
        return None
    base = base or site.base_dir()
    full = os.path.normpath(os.path.join(base, os.path.expanduser(path.strip())))
    directories = [os.path.realpath(d) for d in list(site_directories(site)) + list(allowed) if d]
    real = os.path.realpath(full)
    if not any(real == d or real.startswith(d.rstrip(os.sep) + os.sep) for d in directories):
        problems.add(field, "%s is outside the site's directories (%s): keep site files beside the inventory, "
                            "or list their directory in site_files_dirs" % (path, ", ".join(directories) or "none"))
        return None
    if not os.path.isfile(real):
        problems.add(field, "no such file: %s (relative paths start at %s)" % (path, base))
        return None
    return full


def site_directories(site):
    """Where site files may come from: ``site_files_dirs`` (relative to the inventory's directory), by default
    the inventory's directory."""
    dirs = site.get("site_files_dirs")
    if dirs is None:
        return [site.base_dir()]
    if isinstance(dirs, str):
        dirs = [dirs]
    return [os.path.join(site.base_dir(), str(item)) for item in dirs if item]


def _is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)
