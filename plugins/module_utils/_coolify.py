# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Coolify v4 API client: version gate, identity lookups, payload encodings, input validation.

Rules the client enforces for every module (see the contract notes of Coolify 4.3.11):

* ``GET /version`` (plain text) is read once per client; instances older than 4.1.0 or of
  another major version are refused with a message naming the version.
* Coolify rejects unknown body fields one by one, so bodies carry only the fields the user set.
* Names of projects, applications, services and databases are not unique: a lookup by name
  (scoped to a project and environment) that finds several objects is an error listing their
  uuids; a pinned uuid always wins.
* ``docker_compose_raw`` and ``dockerfile`` travel base64-encoded and are read back decoded.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import secrets
import string
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.fabrik.deploy.plugins.module_utils import _compose
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, hostname_problem, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient

SERVICE = "Coolify"
API_ROOT = "/api/v1"
MIN_VERSION = (4, 1, 0)
MAX_MAJOR = 5
VERSION_PATTERN = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-.+]?(.*))?$")

KIND_PATHS = {"application": "/applications", "service": "/services", "database": "/databases"}
# Lists an environment read (GET /projects/{uuid}/{env}) embeds, per resource kind.
ENVIRONMENT_LISTS = {
    "application": ("applications",),
    "service": ("services",),
    "database": ("postgresqls", "mysqls", "mariadbs", "mongodbs", "redis", "keydbs", "dragonflies", "clickhouses"),
}
DATABASE_ENGINES = ("postgresql", "mysql", "mariadb", "mongodb", "redis", "keydb", "dragonfly", "clickhouse")

ENV_KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
ENV_FLAGS = ("is_literal", "is_multiline", "is_shown_once")
ENV_OPTIONAL_FIELDS = ("is_runtime", "is_buildtime", "comment")
# Variables Coolify derives from a compose file's magic names; never pruned.
COOLIFY_MANAGED_ENV = re.compile(r"^SERVICE_(FQDN|URL)_")
CHARSETS = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "urlsafe": string.ascii_letters + string.digits + "-_",
}
MIN_GENERATED_LENGTH = 16
MAX_GENERATED_LENGTH = 256
# A uuid-shaped path segment no Coolify object can have (uuids are lowercase alphanumerics):
# probes with it can only answer 403 (ability missing) or 404 (ability present).
PROBE_UUID = "fabrik-ability-probe"
PROBES = {
    "write": ("PATCH", "/projects/%s" % PROBE_UUID, None, {"description": "probe"}),
    "deploy": ("POST", "/services/%s/start" % PROBE_UUID, None, None),
}
SENSITIVE_HINT = "the API token needs the read:sensitive (or root) ability"


def coolify_argument_spec():
    """Connection options shared by every Coolify module (see the ``coolify`` doc fragment)."""
    return dict(
        api_url=dict(type="str", required=True, fallback=(env_fallback, ["COOLIFY_API_URL"])),
        api_token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["COOLIFY_API_TOKEN"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def scope_argument_spec():
    """Options that place a resource: project, environment, server (for the resource modules)."""
    return dict(
        project=dict(type="str"),
        project_uuid=dict(type="str"),
        environment=dict(type="str", default="production"),
        server=dict(type="str"),
        server_uuid=dict(type="str"),
        destination_uuid=dict(type="str"),
    )


def client_for(ctx):
    params = ctx.params
    if not (params["api_token"] or "").strip():
        raise SpecError("api_token", "a Coolify API token is required (or COOLIFY_API_TOKEN in the environment)")
    client = CoolifyClient(params["api_url"], params["api_token"], validate_certs=params["validate_certs"],
                           timeout=params["timeout"], check_mode=ctx.check_mode)
    client.notes = ctx.warnings  # what the client settles on its own is reported as the module's warnings
    return client


def api_root(api_url):
    """The API root from an instance URL (``https://coolify.example.com``) or the root itself."""
    url = (api_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SpecError("api_url", "an http(s) URL of the Coolify instance expected, got %s" % json.dumps(api_url))
    return url if url.endswith(API_ROOT) else url + API_ROOT


def parse_version(text):
    """(major, minor, patch, suffix) of a Coolify version such as ``4.3.11`` or ``4.0.0-beta.420``."""
    match = VERSION_PATTERN.match((text or "").strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), match.group(4) or ""


def check_version(text):
    """Raise SpecError unless ``text`` is a supported version (4.1.0 <= v < 5)."""
    version = parse_version(text)
    shown = json.dumps((text or "").strip()[:40])
    if version is None:
        raise SpecError("api_url", "cannot read the Coolify version from GET /version (got %s)" % shown)
    numbers, suffix = version[:3], version[3]
    too_old = numbers < MIN_VERSION or (numbers == MIN_VERSION and suffix)
    if too_old or numbers[0] >= MAX_MAJOR:
        raise SpecError("api_url", "Coolify %s is not supported: fabrik.deploy needs 4.1.0 or later and "
                                   "earlier than 5" % (text or "").strip())
    return (text or "").strip()


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def compact(body):
    """``body`` without the fields the user did not set (None)."""
    return {key: value for key, value in body.items() if value is not None}


def validate_env_key(key, field):
    if not isinstance(key, str) or not ENV_KEY_PATTERN.match(key.strip()):
        raise SpecError(field, "letters, digits, '_' and '.' not starting with a digit or '.' expected, got %s"
                        % json.dumps(key, default=str))
    return key.strip()


def validate_url(url, field):
    """A lower-cased http(s) URL with a host (Coolify lower-cases hosts on save)."""
    if not isinstance(url, str):
        raise SpecError(field, "a URL such as https://www.example.com expected, got %s" % json.dumps(url, default=str))
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or port == -1 or "," in url \
            or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username is not None \
            or hostname_problem(host, underscores=False) is not None:
        raise SpecError(field, "an http(s) URL of a host without path, query or credentials expected "
                               "(e.g. https://www.example.com or https://app.example.com:3000), got %s" % json.dumps(url))
    netloc = host if parts.port is None else "%s:%d" % (host, parts.port)
    return "%s://%s" % (parts.scheme, netloc)


def validate_urls(urls, field="urls"):
    """Service domains ``[{name, urls: [...]}]`` (or ``url`` as a comma-separated string) normalised."""
    normalised = []
    seen = set()
    for index, item in enumerate(urls or []):
        where = "%s[%d]" % (field, index)
        if not isinstance(item, dict) or not item.get("name"):
            raise SpecError(where + ".name", "the name of a compose service is required")
        if item["name"] in seen:
            raise SpecError(where + ".name", "%s is listed twice" % item["name"])
        seen.add(item["name"])
        raw = item.get("urls")
        if raw is None:
            raw = [part for part in (item.get("url") or "").split(",") if part.strip()]
        normalised.append({"name": item["name"],
                           "urls": [validate_url(url, "%s.urls[%d]" % (where, position))
                                    for position, url in enumerate(raw)]})
    return normalised


def url_set(text):
    """The normalised URLs of a comma-separated ``fqdn`` value."""
    found = set()
    for part in (text or "").split(","):
        part = part.strip()
        if part:
            parts = urlsplit(part)
            netloc = (parts.hostname or "") + (":%d" % parts.port if parts.port else "")
            found.add("%s://%s" % (parts.scheme.lower(), netloc.lower()))
    return found


def generate_secret(spec, field):
    """A random value from ``spec`` = ``{length, charset}`` (never logged, never stored locally)."""
    spec = spec or {}
    length = spec.get("length", 32)
    charset = spec.get("charset", "alnum")
    if not isinstance(length, int) or isinstance(length, bool) \
            or not MIN_GENERATED_LENGTH <= length <= MAX_GENERATED_LENGTH:
        raise SpecError(field + ".length", "%d..%d expected, got %s"
                        % (MIN_GENERATED_LENGTH, MAX_GENERATED_LENGTH, json.dumps(length, default=str)))
    if charset not in CHARSETS:
        raise SpecError(field + ".charset", "one of %s expected, got %s" % (", ".join(sorted(CHARSETS)), json.dumps(charset)))
    alphabet = CHARSETS[charset]
    return "".join(secrets.choice(alphabet) for _position in range(length))


def resource_status(resource):
    """``<state>:<health>`` of an application/database, or of a service from its parts."""
    if resource.get("status"):
        return resource["status"]
    parts = [item.get("status") or "" for key in ("applications", "databases") for item in resource.get(key) or []]
    if not parts:
        return "unknown"
    if all(part.startswith("running") for part in parts):
        return "running:healthy" if all(part.endswith("healthy") and "unhealthy" not in part for part in parts) \
            else "running:unknown"
    return next(part for part in parts if not part.startswith("running")) or "exited"


def is_running(resource):
    return resource_status(resource).startswith("running")


def is_starting(resource):
    return resource_status(resource).startswith(("starting", "restarting"))


# Variables Coolify derives from a compose file's domains, and the secrets it is meant to generate.
DERIVED_VARIABLES = re.compile(r"^SERVICE_(FQDN|URL)_")
GENERATED_VARIABLES = re.compile(r"^SERVICE_(PASSWORD|USER|BASE64)_")


def compose_input_errors(document, urls, env_keys):
    """Violations in the domains and variables given with the compose file."""
    errors = []
    try:
        for index, item in enumerate(validate_urls(urls) if urls is not None else []):
            if item["name"] not in document["services"]:
                errors.append("urls[%d].name: no service %s in the compose file" % (index, item["name"]))
    except SpecError as err:
        errors.append(str(err))
    if env_keys is None:
        return errors
    keys = set()
    for index, key in enumerate(env_keys):
        try:
            keys.add(validate_env_key(key, "env_keys[%d]" % index))
        except SpecError as err:
            errors.append(str(err))
    for name in sorted(_compose.references(document)):
        if name not in keys and not DERIVED_VARIABLES.match(name) and not GENERATED_VARIABLES.match(name):
            errors.append("${%s}: referenced by the compose file but not among env_keys" % name)
    return errors


def generated_keys(document, provided):
    """The secrets to generate: ``SERVICE_PASSWORD_*`` and the like the compose file references, not ``provided``."""
    provided = set(provided or [])
    return [name for name in sorted(_compose.references(document))
            if GENERATED_VARIABLES.match(name) and name not in provided]


class CoolifyClient:
    """Coolify API v4 through the collection's HTTP layer."""

    def __init__(self, api_url, api_token, validate_certs=True, timeout=30, check_mode=False):
        token = api_token.strip()
        self.http = HttpClient(
            service=SERVICE,
            base_url=api_root(api_url),
            headers={"Authorization": "Bearer " + token, "Accept": "application/json"},
            secrets=[token, token.split("|", 1)[-1]],
            timeout=timeout,
            rate_limit=("coolify", token),
            validate_certs=validate_certs,
            check_mode=check_mode,
        )
        self.check_mode = check_mode
        self._version = None
        # What the client settled on its own (duplicates removed): the module reports these as warnings.
        self.notes = []

    # -- transport -----------------------------------------------------------------------

    def call(self, method, path, operation, params=None, body=None, expected=None, idempotent=None):
        """One request; the decoded JSON answer (None for an empty body)."""
        response = self.http.request(method, path, operation=operation, params=params, json=body,
                                     expected=expected, idempotent=idempotent)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(SERVICE, operation, method, self.http.redact(path), status=response.status_code,
                           message="the answer is not JSON") from None

    def get_or_none(self, path, operation, params=None):
        """GET ``path``; None when Coolify answers 404."""
        try:
            return self.call("GET", path, operation, params=params)
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    # -- version and abilities -----------------------------------------------------------

    def version(self):
        """The instance version, refused unless supported (read once per client)."""
        if self._version is None:
            response = self.http.request("GET", "/version", operation="read version")
            self._version = check_version(response.text)
        return self._version

    def missing_abilities(self, abilities):
        """Which of ``abilities`` (``write``, ``deploy``) the token lacks, probed without side effects.

        Coolify has no token introspection. Each probe targets an object that cannot exist, so the
        answer is 403 when the ability is missing and 404 otherwise; nothing is ever changed.
        """
        def probe(ability):
            method, path, params, body = PROBES[ability]
            response = self.http.request(method, path, operation="check the %s ability" % ability, params=params,
                                         json=body, raw=True, mutates=False, expected=(404,))
            if response.status_code in (400, 401) or response.status_code >= 500:
                raise self.http.error_for(response, method, path, "check the %s ability" % ability)
            return response.status_code == 403

        lacking = parallel(*(functools.partial(probe, ability) for ability in abilities))
        return [ability for ability, lacks in zip(abilities, lacking) if lacks]

    def require_abilities(self, abilities):
        """SpecError naming the abilities in ``abilities`` the token lacks (see :meth:`missing_abilities`)."""
        missing = self.missing_abilities(abilities or [])
        if missing:
            raise SpecError("api_token", "the API token lacks the %s abilit%s (Coolify answered 403); create a token "
                                         "with %s or root" % (", ".join(missing), "ies" if len(missing) > 1 else "y",
                                                              " + ".join(missing)))

    # -- projects and environments ----------------------------------------------------------

    def list_projects(self):
        return self.call("GET", "/projects", "list projects") or []

    def find_project(self, name=None, uuid=None):
        """The project with ``uuid``, else the one called ``name``; None when absent.

        Coolify allows several projects of one name, which concurrent runs of a site create: the oldest is
        the site's. A newer one without resources is deleted (a warning in ``self.notes``; in check mode it
        would be); one with resources is an error naming both.
        """
        if uuid:
            return self.get_or_none("/projects/%s" % uuid, "get project")
        matches = sorted((project for project in self.list_projects() if project.get("name") == name),
                         key=creation_order)
        for duplicate in matches[1:]:
            self.settle_duplicate_project(matches[0], duplicate)
        return matches[0] if matches else None

    def settle_duplicate_project(self, oldest, duplicate):
        """Delete ``duplicate`` (a newer project of the same name) if it holds no resource, else fail."""
        resources = self.project_resources(duplicate["uuid"])
        description = "project %s exists twice in Coolify: uuid %s (the oldest, kept) and uuid %s" % (
            json.dumps(oldest.get("name")), oldest.get("uuid"), duplicate.get("uuid"))
        if resources:
            raise SpecError("project_uuid", "%s, which holds %s. A concurrent run of the site made the second: move "
                                            "or delete what one of them holds in Coolify, or set project_uuid "
                                            "(app_project_uuid) to choose one" % (description, ", ".join(resources)))
        if self.check_mode:
            self.notes.append("%s, which is empty: a run would delete it" % description)
            return
        try:
            self.call("DELETE", "/projects/%s" % duplicate["uuid"], "delete duplicate project")
        except ApiError as err:
            if err.status != 404:  # a concurrent run deleted it first
                raise
        self.notes.append("%s, which was empty (made by a concurrent run): deleted" % description)

    def project_resources(self, project_uuid):
        """``kind name`` of every resource of the project's environments (an empty list: an empty project)."""
        project = self.get_or_none("/projects/%s" % project_uuid, "get project") or {}
        found = []
        for environment in project.get("environments") or []:
            details = self.get_environment(project_uuid, environment.get("uuid") or environment.get("name")) or {}
            for kind in ENVIRONMENT_LISTS:
                found.extend("%s %s" % (kind, json.dumps(item.get("name"))) for item in environment_resources(details, kind))
        return found

    def create_project(self, name, description=None):
        """Create the project; then read the projects of that name again, so that of two runs creating it at
        once both continue with the oldest (the newer one, still empty, is deleted by :meth:`find_project`)."""
        body = compact({"name": name, "description": description})
        try:
            self.call("POST", "/projects", "create project", body=body)
        except ApiError as err:
            if not err.maybe_applied:
                raise
        created = self.find_project(name)
        if created is None:
            raise ApiError(SERVICE, "create project", "GET", "/projects", status=404,
                           message="the project was created but cannot be read back")
        return self.call("GET", "/projects/%s" % created["uuid"], "get project")

    def get_environment(self, project_uuid, name_or_uuid):
        """The environment (with its resources embedded), or None."""
        return self.get_or_none("/projects/%s/%s" % (project_uuid, name_or_uuid), "get environment")

    def create_environment(self, project_uuid, name):
        """Create an environment; a lost answer or a 409 (it exists) is resolved by reading it."""
        try:
            self.call("POST", "/projects/%s/environments" % project_uuid, "create environment", body={"name": name})
        except ApiError as err:
            if not (err.maybe_applied or err.status == 409):
                raise
        environment = self.get_environment(project_uuid, name)
        if environment is None:
            raise ApiError(SERVICE, "create environment", "GET", "/projects/%s/%s" % (project_uuid, name),
                           status=404, message="the environment was created but cannot be read back")
        return environment

    # -- servers ---------------------------------------------------------------------------

    def find_server(self, name=None, uuid=None, servers=None):
        """The server with ``uuid`` or called ``name`` (among ``servers`` when already listed);
        SpecError when absent or ambiguous."""
        if uuid:
            server = self.get_or_none("/servers/%s" % uuid, "get server")
            if server is None:
                raise SpecError("server_uuid", "no server with uuid %s is visible to this token" % uuid)
            return server
        if not name:
            raise SpecError("server", "a server name (or server_uuid) is required to create a resource")
        if servers is None:
            servers = self.call("GET", "/servers", "list servers") or []
        server = unique([item for item in servers if item.get("name") == name], "server",
                        "server %s" % json.dumps(name), "server_uuid")
        if server is None:
            known = ", ".join(sorted(item.get("name", "?") for item in servers)) or "none"
            raise SpecError("server", "no server called %s (servers: %s)" % (json.dumps(name), known))
        return server

    # -- resources -------------------------------------------------------------------------

    def get_resource(self, kind, uuid):
        return self.get_or_none("%s/%s" % (KIND_PATHS[kind], uuid), "get %s" % kind)

    def create_resource(self, kind, path, body, environment_lookup):
        """POST a new resource; a lost answer is resolved with ``environment_lookup()`` (by name)."""
        try:
            created = self.call("POST", path, "create %s" % kind, body=body)
        except ApiError as err:
            if not err.maybe_applied:
                raise
            created = environment_lookup()
            if created is None:
                raise
        if not created or not created.get("uuid"):
            # The deployment queue may answer 200 {message} without a uuid (contract notes).
            created = environment_lookup()
            if created is None:
                raise ApiError(SERVICE, "create %s" % kind, "POST", path, message="no uuid in the answer")
        resource = self.get_resource(kind, created["uuid"])
        if resource is None:
            raise ApiError(SERVICE, "create %s" % kind, "GET", "%s/%s" % (KIND_PATHS[kind], created["uuid"]),
                           status=404, message="created but not readable (is the server reachable?)")
        return resource

    def update_resource(self, kind, uuid, changes):
        self.call("PATCH", "%s/%s" % (KIND_PATHS[kind], uuid), "update %s" % kind, body=changes, idempotent=True)
        return self.get_resource(kind, uuid)

    def delete_resource(self, kind, uuid, delete_volumes=False):
        """Delete; volumes are kept unless ``delete_volumes`` (Coolify's own default destroys them)."""
        params = {"delete_volumes": "true" if delete_volumes else "false"}
        try:
            self.call("DELETE", "%s/%s" % (KIND_PATHS[kind], uuid), "delete %s" % kind, params=params)
        except ApiError as err:
            if err.status != 404:
                raise

    # -- environment variables -----------------------------------------------------------

    def list_envs(self, kind, uuid):
        return self.call("GET", "%s/%s/envs" % (KIND_PATHS[kind], uuid), "list environment variables") or []

    def bulk_envs(self, kind, uuid, items):
        """Upsert ``items`` by key in one request (the same body can be resent safely)."""
        return self.call("PATCH", "%s/%s/envs/bulk" % (KIND_PATHS[kind], uuid), "update environment variables",
                         body={"data": items}, idempotent=True) or []

    def delete_env(self, kind, uuid, env_uuid):
        try:
            self.call("DELETE", "%s/%s/envs/%s" % (KIND_PATHS[kind], uuid, env_uuid), "delete environment variable")
        except ApiError as err:
            if err.status != 404:
                raise

    # -- deployments -----------------------------------------------------------------------

    def deploy(self, uuid, force=False):
        """Queue a deployment (applications) or a start (services, databases); the answer's entries."""
        params = {"uuid": uuid}
        if force:
            params["force"] = "true"
        answer = self.call("POST", "/deploy", "deploy", params=params) or {}
        return answer.get("deployments") or []

    def get_deployment(self, deployment_uuid):
        return self.call("GET", "/deployments/%s" % deployment_uuid, "get deployment")

    def latest_deployment(self, application_uuid):
        answer = self.call("GET", "/deployments/applications/%s" % application_uuid, "list deployments",
                           params={"skip": 0, "take": 1}) or {}
        deployments = answer.get("deployments") if isinstance(answer, dict) else answer
        return (deployments or [None])[0]


def creation_order(item):
    """Sort key putting the oldest first: Coolify's id, else the creation time, then the uuid."""
    number = item.get("id")
    return (number if isinstance(number, int) else float("inf"), str(item.get("created_at") or ""),
            str(item.get("uuid") or ""))


def unique(matches, what, description, uuid_option):
    """The only item of ``matches``, None when empty; several is an error listing their uuids."""
    if len(matches) > 1:
        uuids = ", ".join(sorted(item.get("uuid", "?") for item in matches))
        raise SpecError(uuid_option, "%s is ambiguous: %d %ss have that name (uuids %s; a concurrent run may have "
                                     "made the newer one: delete it in Coolify); set %s to choose one"
                        % (description, len(matches), what, uuids, uuid_option))
    return matches[0] if matches else None


def environment_resources(environment, kind):
    """The resources of ``kind`` an environment read embeds."""
    found = []
    for key in ENVIRONMENT_LISTS[kind]:
        found.extend(environment.get(key) or [])
    return found


def find_in_environment(environment, kind, name):
    """The resource of ``kind`` called ``name`` in ``environment``; None when absent."""
    if environment is None:
        return None
    matches = [item for item in environment_resources(environment, kind) if item.get("name") == name]
    return unique(matches, kind, "%s %s" % (kind, json.dumps(name)), "uuid")


class Scope:
    """Where a resource lives: the project and environment (either None if they do not exist yet)."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self.project = None
        if params.get("project") or params.get("project_uuid"):
            self.project = client.find_project(params.get("project"), params.get("project_uuid"))
        self.environment = None
        if self.project is not None:
            self.environment = client.get_environment(self.project["uuid"], params["environment"])

    def describe(self):
        project = self.params.get("project") or self.params.get("project_uuid")
        return "project %s, environment %s" % (json.dumps(project), json.dumps(self.params["environment"]))

    def require(self):
        """Fail unless project and environment exist (they are created by their own modules)."""
        if not (self.params.get("project") or self.params.get("project_uuid")):
            raise SpecError("project", "project (or project_uuid) is required to create a resource")
        if self.project is None:
            raise SpecError("project", "%s does not exist: create it first with fabrik.deploy.coolify_project"
                            % self.describe())
        if self.environment is None:
            raise SpecError("environment", "%s does not exist: create it first with "
                                           "fabrik.deploy.coolify_environment" % self.describe())

    def refresh(self):
        if self.project is not None:
            self.environment = self.client.get_environment(self.project["uuid"], self.params["environment"])
        return self.environment

    def find(self, kind, name, uuid=None):
        """The resource by pinned uuid, else by name in this scope."""
        if uuid:
            return self.client.get_resource(kind, uuid)
        return find_in_environment(self.environment, kind, name)

    def require_for_create(self, ctx):
        """Before creating: fail when project/environment are missing; check mode plans without them."""
        if self.environment is not None:
            return
        if not ctx.check_mode:
            self.require()
        ctx.warn("%s does not exist yet; planning against an empty environment." % self.describe())

    def settle_created(self, kind, name, created):
        """After creating ``created`` called ``name``: when a concurrent run created one of that name too,
        both runs continue with the oldest, and this run's newer one (not deployed yet) is deleted."""
        environment = self.refresh() or {}
        matches = sorted((item for item in environment_resources(environment, kind) if item.get("name") == name),
                         key=creation_order)
        if len(matches) < 2 or matches[0].get("uuid") == created.get("uuid"):
            return created
        self.client.delete_resource(kind, created["uuid"])
        self.client.notes.append("%s %s was created by a concurrent run too: kept the oldest (uuid %s), deleted "
                                 "this run's (uuid %s)" % (kind, json.dumps(name), matches[0].get("uuid"),
                                                           created.get("uuid")))
        oldest = self.client.get_resource(kind, matches[0]["uuid"])
        if oldest is None:
            raise ApiError(SERVICE, "create %s" % kind, "GET", "%s/%s" % (KIND_PATHS[kind], matches[0]["uuid"]),
                           status=404, message="the %s a concurrent run created cannot be read" % kind)
        return oldest

    def lookup(self, kind, name):
        """A callable re-reading the environment and finding ``name`` (after a lost create answer)."""
        def again():
            return find_in_environment(self.refresh(), kind, name)
        return again

    def placement(self, server=None):
        """Body fields placing a new resource; resolves the server unless given (SpecError when missing).

        Without an environment (check mode, see :meth:`require_for_create`) only the server is checked.
        """
        if server is None:
            server = self.client.find_server(self.params.get("server"), self.params.get("server_uuid"))
        if self.environment is None:
            return {"server_uuid": server["uuid"]}
        return compact({
            "project_uuid": self.project["uuid"],
            "environment_name": self.environment.get("name") or self.params["environment"],
            "environment_uuid": self.environment.get("uuid"),
            "server_uuid": server["uuid"],
            "destination_uuid": self.params.get("destination_uuid"),
        })


def require_field(resource, field, what):
    """The value of a sensitive ``field``; SpecError when the token cannot read it."""
    if field not in resource:
        raise SpecError("api_token", "cannot compare the %s: Coolify omitted %s from its answer (%s)"
                        % (what, field, SENSITIVE_HINT))
    return resource[field]
