"""Emulator of the Coolify v4 API (``/api/v1``) for the local sandbox, plus its HTTP edge.

Wire contract: ``tests/contracts/coolify/NOTES.md`` and ``openapi.yaml`` (Coolify 4.3.11).
Every request and response is validated against the spec (``openapi.py``), with the
corrections in ``SPEC_CORRECTIONS`` below (each one cites NOTES.md or says why).

Sandbox tokens (fixed, fake; ``Authorization: Bearer <token>``), one team each:

=================================  ===========================================
``1|sandbox-coolify-root``         ``root``
``2|sandbox-coolify-read``         ``read``
``3|sandbox-coolify-nodeploy``     ``read``, ``read:sensitive``, ``write``
``4|sandbox-coolify-nosensitive``  ``read``, ``write``, ``deploy``
=================================  ===========================================

Seed: one team, the server ``sandbox-server`` (``SERVER_UUID``, 127.0.0.1, Traefik)
with one destination, no projects.

Rules of this emulator that the sources leave open:

* Deletions are applied at once (Coolify queues them); ``deletions`` in ``/_sandbox/state``
  records each one with the ``delete_*``/``docker_cleanup`` flags the client asked for.
* An application deployment is ``queued`` for ``queued_seconds``, ``in_progress`` for
  ``in_progress_seconds`` (options, default 0.3 s each; deployments of one application run
  one after the other), then ``finished`` (the application turns ``running:healthy``) or
  ``failed`` when a failure was injected: ``fail_next_deployments`` (N next deployments)
  or ``failing_resources`` (names or uuids whose every deployment fails).
* Services and databases have no deployment record: a start makes them ``starting:unknown``,
  then ``running:healthy`` after ``queued_seconds + in_progress_seconds``; stop makes
  them ``exited:unhealthy`` (also the state of a resource never started).
* ``queue_limit`` (option, default unlimited): deployments not yet finished beyond which
  ``/deploy`` and application start/restart answer 429 with ``Retry-After: 60``.
* A raw compose is stored re-serialised (keys sorted, 4-space indent), as Coolify stores a
  re-dumped text; ``docker_compose`` adds Coolify's labels and container names.
* One-click ``type`` services: only ``ONE_CLICK_TEMPLATES`` (a few WordPress ones).
* Create fields the emulator accepts but does not model are ignored (not stored).

The edge (``CoolifyEdge``): an HTTP server routing by ``Host`` to running resources; a
WordPress resource is reverse-proxied to ``wordpress_url`` (option) when set: to the sandbox
WordPress's tenant named like the host (``/t/<host>``) when that tenant exists, else to its
default site.
"""

import base64
import binascii
import copy
import hashlib
import itertools
import json
import re
import secrets
import string
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests
import yaml
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .base import Emulator
from .openapi import ContractValidator, contract_path, nullable_as_type_union, operations

BASE_PATH = "/api/v1"
HEALTH_PATHS = ("/api/health", "/api/v1/health")
SPEC_FILE = "openapi.yaml"
COOLIFY_VERSION = "4.3.11"

ROOT_TOKEN = "1|sandbox-coolify-root"
READ_TOKEN = "2|sandbox-coolify-read"
NODEPLOY_TOKEN = "3|sandbox-coolify-nodeploy"
NOSENSITIVE_TOKEN = "4|sandbox-coolify-nosensitive"
TOKEN_ABILITIES = {
    ROOT_TOKEN: frozenset({"root"}),
    READ_TOKEN: frozenset({"read"}),
    NODEPLOY_TOKEN: frozenset({"read", "read:sensitive", "write"}),
    NOSENSITIVE_TOKEN: frozenset({"read", "write", "deploy"}),
}

TEAM_ID = 0
SERVER_UUID = "sandboxserver00000000001"
DESTINATION_UUID = "sandboxdestination000001"
SERVER_IP = "127.0.0.1"
DESTINATION_TYPE = "App\\Models\\StandaloneDocker"
RETRY_AFTER_QUEUE = 60  # seconds, NOTES.md "Queue full"

DEFAULT_OPTIONS = {
    "version": COOLIFY_VERSION, "queued_seconds": 0.3, "in_progress_seconds": 0.3,
    "fail_next_deployments": 0, "failing_resources": [], "queue_limit": None, "wordpress_url": None,
}

# -- request fields (the controllers' allowed lists: spec properties plus documented extras) ----

PLACEMENT_FIELDS = ("project_uuid", "server_uuid", "environment_name", "environment_uuid", "destination_uuid")
APP_COMMON_FIELDS = PLACEMENT_FIELDS + tuple("""
    ports_exposes name description domains noindex_domains docker_registry_image_name docker_registry_image_tag
    is_force_https_enabled is_preview_deployments_enabled ports_mappings health_check_enabled health_check_path
    health_check_port health_check_host health_check_method health_check_return_code health_check_scheme
    health_check_response_text health_check_interval health_check_timeout health_check_retries
    health_check_start_period limits_memory limits_memory_swap limits_memory_swappiness limits_memory_reservation
    limits_cpus limits_cpuset limits_cpu_shares custom_labels custom_docker_run_options post_deployment_command
    post_deployment_command_container pre_deployment_command pre_deployment_command_container
    manual_webhook_secret_github manual_webhook_secret_gitlab manual_webhook_secret_bitbucket
    manual_webhook_secret_gitea redirect instant_deploy use_build_server use_build_secrets is_git_submodules_enabled
    is_git_lfs_enabled is_git_shallow_clone_enabled disable_build_cache inject_build_args_to_dockerfile
    include_source_commit_in_build is_env_sorting_enabled is_pr_deployments_public_enabled stop_grace_period
    docker_images_to_keep is_gzip_enabled is_stripprefix_enabled is_raw_compose_deployment_enabled
    is_log_drain_enabled is_gpu_enabled gpu_driver gpu_count gpu_device_ids gpu_options
    is_consistent_container_name_enabled custom_internal_name preview_url_template max_restart_count
    is_http_basic_auth_enabled http_basic_auth_username http_basic_auth_password connect_to_docker_network
    force_domain_override autogenerate_domain is_container_label_escape_enabled tags""".split())
APP_CREATE_FIELDS = {
    "public": APP_COMMON_FIELDS + tuple("""
        git_repository git_branch build_pack git_commit_sha is_static is_spa is_auto_deploy_enabled static_image
        install_command build_command start_command base_directory publish_directory dockerfile dockerfile_location
        docker_compose_location docker_compose_custom_start_command docker_compose_custom_build_command
        docker_compose_domains watch_paths is_preserve_repository_enabled""".split()),
    "dockerfile": APP_COMMON_FIELDS + ("dockerfile", "build_pack", "base_directory"),
    "dockerimage": APP_COMMON_FIELDS,
}
APP_REQUIRED = {
    "public": ("git_repository", "git_branch", "build_pack", "ports_exposes"),
    "dockerfile": ("dockerfile",),
    "dockerimage": ("docker_registry_image_name", "ports_exposes"),
}
APP_PATCH_FIELDS = tuple(
    f for f in APP_CREATE_FIELDS["public"]
    if f not in ("environment_uuid", "static_image", "is_http_basic_auth_enabled", "http_basic_auth_username",
                 "http_basic_auth_password", "autogenerate_domain", "tags")) + ("github_app_uuid",)
BUILD_PACKS = ("nixpacks", "railpack", "static", "dockerfile", "dockercompose")
SERVICE_CREATE_FIELDS = PLACEMENT_FIELDS + (
    "type", "name", "description", "instant_deploy", "docker_compose_raw", "urls", "force_domain_override",
    "is_container_label_escape_enabled", "tags", "connect_to_docker_network")  # the last: raw only (NOTES.md)
SERVICE_PATCH_FIELDS = ("name", "description", "instant_deploy", "connect_to_docker_network", "docker_compose_raw",
                        "urls", "force_domain_override", "is_container_label_escape_enabled")
DB_COMMON_FIELDS = PLACEMENT_FIELDS + tuple("""
    name description image is_public public_port public_port_timeout limits_memory limits_memory_swap
    limits_memory_swappiness limits_memory_reservation limits_cpus limits_cpuset limits_cpu_shares instant_deploy
    tags""".split())
DB_ENGINES = {
    "postgresql": {
        "fields": ("postgres_user", "postgres_password", "postgres_db", "postgres_initdb_args",
                   "postgres_host_auth_method", "postgres_conf"),
        "image": "postgres:16-alpine", "port": 5432, "scheme": "postgres", "list_key": "postgresqls",
        "credentials": ("postgres_user", "postgres_password", "postgres_db"), "user": "postgres",
    },
    "mariadb": {
        "fields": ("mariadb_conf", "mariadb_root_password", "mariadb_user", "mariadb_password", "mariadb_database"),
        "image": "mariadb:11", "port": 3306, "scheme": "mysql", "list_key": "mariadbs",
        "credentials": ("mariadb_user", "mariadb_password", "mariadb_database"), "user": "mariadb",
    },
}
DB_PATCH_FIELDS = tuple(f for f in DB_COMMON_FIELDS if f not in PLACEMENT_FIELDS + ("instant_deploy", "tags")) + (
    DB_ENGINES["postgresql"]["fields"] + DB_ENGINES["mariadb"]["fields"])
ENV_FIELDS = ("key", "value", "is_preview", "is_literal", "is_multiline", "is_shown_once",
              "is_runtime", "is_buildtime", "comment")
ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
PROJECT_NAME = re.compile(r"^[\w\s\-.@/&()#,:+']{3,255}$")
FIELD_TYPES = {
    **dict.fromkeys(("name", "description", "domains", "git_repository", "git_branch", "ports_exposes",
                     "docker_registry_image_name", "docker_registry_image_tag", "dockerfile", "type",
                     "docker_compose_raw", "image", "key", "value") + PLACEMENT_FIELDS, str),
    **dict.fromkeys(("instant_deploy", "autogenerate_domain", "force_domain_override", "is_force_https_enabled",
                     "connect_to_docker_network", "is_container_label_escape_enabled", "is_public",
                     "is_preview", "is_literal", "is_multiline", "is_shown_once", "is_runtime", "is_buildtime"), bool),
    **dict.fromkeys(("public_port", "public_port_timeout"), int),
    **dict.fromkeys(("tags", "urls", "noindex_domains"), list),
}
NULLABLE_FIELDS = ("description",)
TYPE_MESSAGES = {str: "must be a string", bool: "field must be true or false", int: "must be an integer",
                 list: "must be an array"}

# -- what GET returns and what it hides without read:sensitive (NOTES.md "Abilities") ----------

SENSITIVE = {
    "application": ("dockerfile", "docker_compose", "docker_compose_raw", "custom_labels", "custom_nginx_configuration",
                    "manual_webhook_secret_github", "manual_webhook_secret_gitlab", "manual_webhook_secret_bitbucket",
                    "manual_webhook_secret_gitea", "http_basic_auth_password"),
    "service": ("docker_compose_raw", "docker_compose"),
    "database": ("postgres_password", "mariadb_password", "mariadb_root_password", "internal_db_url",
                 "external_db_url"),
    "env": ("value", "real_value"),
    "deployment": ("logs",),
}
APPLICATION_DEFAULTS = {
    "description": None, "fqdn": None, "git_repository": "coollabsio/coolify", "git_branch": "main",
    "git_commit_sha": "HEAD", "docker_registry_image_name": None, "docker_registry_image_tag": None,
    "build_pack": "nixpacks", "static_image": "nginx:alpine", "install_command": "", "build_command": "",
    "start_command": "", "ports_exposes": "80", "ports_mappings": None, "base_directory": "/", "publish_directory": "/",
    "health_check_enabled": False, "health_check_path": "/", "health_check_port": None,
    "health_check_host": "localhost", "health_check_method": "GET", "health_check_return_code": 200,
    "health_check_scheme": "http", "health_check_response_text": None, "health_check_interval": 5,
    "health_check_timeout": 5, "health_check_retries": 10, "health_check_start_period": 5,
    "limits_memory": "0", "limits_memory_swap": "0", "limits_memory_swappiness": 60,
    "limits_memory_reservation": "0", "limits_cpus": "0", "limits_cpuset": None, "limits_cpu_shares": 1024,
    "status": "exited:unhealthy", "preview_url_template": "{{pr_id}}.{{domain}}", "max_restart_count": 10,
    "destination_type": DESTINATION_TYPE, "destination_id": 0, "dockerfile": None, "dockerfile_location": "/Dockerfile",
    "custom_labels": None, "custom_docker_run_options": None, "redirect": "both",
    "docker_compose_location": "/docker-compose.yaml",
    "docker_compose": None, "docker_compose_raw": None, "post_deployment_command": None,
    "post_deployment_command_container": None, "pre_deployment_command": None, "pre_deployment_command_container": None,
    "manual_webhook_secret_github": None, "manual_webhook_secret_gitlab": None,
    "manual_webhook_secret_bitbucket": None, "manual_webhook_secret_gitea": None,
    "is_http_basic_auth_enabled": False, "http_basic_auth_username": None, "http_basic_auth_password": None,
    "noindex_domains": None, "watch_paths": None,
}
APPLICATION_SETTING_DEFAULTS = {"is_static": False, "is_spa": False, "is_auto_deploy_enabled": True,
                                "is_force_https_enabled": True, "is_preview_deployments_enabled": False}
DATABASE_IMAGES = ("mysql", "mariadb", "postgres", "mongo", "redis", "keydb", "dragonfly", "clickhouse")
ENV_LIST_KEYS = ("applications", "services", "postgresqls", "redis", "mongodbs", "mysqls", "mariadbs")

ONE_CLICK_TEMPLATES = {
    "wordpress-without-database": {"services": {"wordpress": {
        "image": "wordpress:latest", "environment": ["SERVICE_URL_WORDPRESS"],
        "volumes": ["wordpress-files:/var/www/html"]}}},
    "wordpress-with-mariadb": {"services": {
        "wordpress": {"image": "wordpress:latest", "environment": [
            "SERVICE_URL_WORDPRESS", "WORDPRESS_DB_HOST=mariadb", "WORDPRESS_DB_USER=$SERVICE_USER_WORDPRESS",
            "WORDPRESS_DB_PASSWORD=$SERVICE_PASSWORD_WORDPRESS", "WORDPRESS_DB_NAME=wordpress"],
            "volumes": ["wordpress-files:/var/www/html"], "depends_on": ["mariadb"]},
        "mariadb": {"image": "mariadb:11", "environment": [
            "MYSQL_ROOT_PASSWORD=$SERVICE_PASSWORD_ROOT", "MYSQL_DATABASE=wordpress",
            "MYSQL_USER=$SERVICE_USER_WORDPRESS", "MYSQL_PASSWORD=$SERVICE_PASSWORD_WORDPRESS"],
            "volumes": ["mariadb-data:/var/lib/mysql"]}}},
}
TEMPLATE_VARIABLE = re.compile(r"\$\{?(SERVICE_(?:USER|PASSWORD)_[A-Z0-9_]+)")

ROUTES = Map([
    Rule("/version", endpoint="version", methods=["GET"]),
    Rule("/team", endpoint="team", methods=["GET"]),
    Rule("/team/members", endpoint="team_members", methods=["GET"]),
    Rule("/teams", endpoint="teams", methods=["GET"]),
    Rule("/teams/current", endpoint="team", methods=["GET"]),
    Rule("/teams/current/members", endpoint="team_members", methods=["GET"]),
    Rule("/teams/<int:team_id>", endpoint="team_by_id", methods=["GET"]),
    Rule("/teams/<int:team_id>/members", endpoint="team_members_by_id", methods=["GET"]),
    Rule("/tags", endpoint="tags", methods=["GET"]),
    Rule("/servers", endpoint="servers", methods=["GET"]),
    Rule("/servers/<uuid>", endpoint="server", methods=["GET", "PATCH"]),
    Rule("/servers/<uuid>/destinations", endpoint="destinations", methods=["GET"]),
    Rule("/servers/<uuid>/resources", endpoint="server_resources", methods=["GET"]),
    Rule("/projects", endpoint="projects", methods=["GET", "POST"]),
    Rule("/projects/<uuid>", endpoint="project", methods=["GET", "PATCH", "DELETE"]),
    Rule("/projects/<uuid>/environments", endpoint="environments", methods=["GET", "POST"]),
    Rule("/projects/<uuid>/environments/<env>", endpoint="environment", methods=["PATCH", "DELETE"]),
    Rule("/projects/<uuid>/<env>", endpoint="environment_details", methods=["GET"]),
    Rule("/applications", endpoint="applications", methods=["GET"]),
    Rule("/applications/<any(public,dockerfile,dockerimage):variant>", endpoint="create_application",
         methods=["POST"]),
    Rule("/services", endpoint="services", methods=["GET", "POST"]),
    Rule("/services/<uuid>/applications", endpoint="service_applications", methods=["GET"]),
    Rule("/databases", endpoint="databases", methods=["GET"]),
    Rule("/databases/<any(postgresql,mariadb):engine>", endpoint="create_database", methods=["POST"]),
    Rule("/<any(applications,services,databases):kind>/<uuid>", endpoint="resource",
         methods=["GET", "PATCH", "DELETE"]),
    Rule("/<any(applications,services,databases):kind>/<uuid>/<any(start,stop,restart):action>",
         endpoint="lifecycle", methods=["POST"]),
    Rule("/<any(applications,services,databases):kind>/<uuid>/envs", endpoint="envs",
         methods=["GET", "POST", "PATCH"]),
    Rule("/<any(applications,services,databases):kind>/<uuid>/envs/bulk", endpoint="envs_bulk", methods=["PATCH"]),
    Rule("/<any(applications,services,databases):kind>/<uuid>/envs/<env_uuid>", endpoint="env", methods=["DELETE"]),
    Rule("/deploy", endpoint="deploy", methods=["POST"]),
    Rule("/deployments", endpoint="deployments", methods=["GET"]),
    Rule("/deployments/<uuid>", endpoint="deployment", methods=["GET"]),
    Rule("/deployments/applications/<uuid>", endpoint="application_deployments", methods=["GET"]),
], strict_slashes=False)
POST_ONLY_ENDPOINTS = ("lifecycle", "deploy")  # GET -> 405 since v4.2.0 (NOTES.md)
KINDS = {"applications": "application", "services": "service", "databases": "database"}


# -- contract corrections ------------------------------------------------------------------------

def _error_body(**properties):
    return {"description": "Error.", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"message": {"type": "string"}, **properties}}}}}


def _json_schema(operation, status):
    return operation["responses"][status].setdefault("content", {}).setdefault(
        "application/json", {}).setdefault("schema", {})


def documented_error_responses(spec):
    """Errors NOTES.md documents for (nearly) every route, which the spec leaves out.

    403 missing ability ("Abilities"), 404 "<Thing> not found." ("Errors"; e.g. a create
    naming an unknown project, ``/deploy`` matching nothing, an unknown one-click type),
    429 rate limit ("Rate limiting"), 422 for any JSON body ("Unknown body keys are
    rejected individually"), 400 for malformed JSON, 409 on env POST ("409 if the key
    already exists").  The 422 ``errors`` values are sometimes a string, not a list
    ("inconsistent errors shape").
    """
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        if operation.get("security", spec.get("security")):
            for status in ("403", "404", "429"):
                responses.setdefault(status, _error_body())
        if "requestBody" in operation:
            responses.setdefault("400", _error_body(error={"type": "string"}))
            responses.setdefault("422", _error_body(errors={"type": "object"}))
        if path.endswith("/envs") and method == "post":
            responses.setdefault("409", _error_body())
    errors = spec["components"]["responses"]["422"]["content"]["application/json"]["schema"]["properties"]["errors"]
    errors["additionalProperties"] = {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}


def either_environment_field(spec):
    """Creates list both ``environment_name`` and ``environment_uuid`` as required; one of them is (NOTES.md)."""
    for _path, method, operation in operations(spec):
        if method != "post" or "requestBody" not in operation:
            continue
        schema = operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
        required = schema.get("required", [])
        if "environment_name" in required and "environment_uuid" in required:
            schema["required"] = [name for name in required if name not in ("environment_name", "environment_uuid")]
            schema["anyOf"] = [{"required": ["environment_name"]}, {"required": ["environment_uuid"]}]


def database_bodies(spec):
    """Database creates answer 201 {uuid, internal_db_url, ...}, not 200 (NOTES.md "Databases").

    Reads are typed ``string`` with the example "Content is very complex. Will be
    implemented later.": they are JSON objects (one, or an array for the list).
    """
    created = {"description": "Database created.", "content": {"application/json": {"schema": {
        "type": "object", "required": ["uuid"],
        "properties": {"uuid": {"type": "string"}, "internal_db_url": {"type": "string"},
                       "external_db_url": {"type": "string"}}}}}}
    for path, item in spec["paths"].items():
        if re.fullmatch(r"/databases/[a-z]+", path) and "post" in item:
            item["post"]["responses"].pop("200", None)
            item["post"]["responses"]["201"] = copy.deepcopy(created)
    _json_schema(spec["paths"]["/databases"]["get"], "200").update(type="array", items={"type": "object"})
    _json_schema(spec["paths"]["/databases/{uuid}"]["get"], "200").update(type="object")


def deployments_by_application(spec):
    """``GET /deployments/applications/{uuid}`` answers {count, deployments}, not Application objects (NOTES.md)."""
    operation = spec["paths"]["/deployments/applications/{uuid}"]["get"]
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "object", "required": ["count", "deployments"],
        "properties": {"count": {"type": "integer"}, "deployments": {
            "type": "array", "items": {"$ref": "#/components/schemas/ApplicationDeploymentQueue"}}}}


def docker_image_build_pack(spec):
    """Applications made by ``POST /applications/dockerimage`` read back ``build_pack: dockerimage``.

    The Application schema's enum lists only the build packs a client may choose.
    """
    spec["components"]["schemas"]["Application"]["properties"]["build_pack"]["enum"].append("dockerimage")


def nullable_descriptions(spec):
    """``description`` reads back null when none was given (nullable columns; Application's schema says so).

    The Project, Environment and Service schemas type it as a plain string, and so do
    the answers of the project and environment PATCHes.
    """
    nullable = ["string", "null"]
    for name in ("Project", "Environment", "Service"):
        spec["components"]["schemas"][name]["properties"]["description"]["type"] = nullable
    for path, method in (("/projects/{uuid}", "patch"),
                         ("/projects/{uuid}/environments/{environment_name_or_uuid}", "patch")):
        responses = spec["paths"][path][method]["responses"]
        status = "201" if "201" in responses else "200"
        _json_schema(spec["paths"][path][method], status)["properties"]["description"]["type"] = nullable


def nullable_env_values(spec):
    """An env variable's ``value`` is nullable: the controllers validate it ``string|nullable`` (a key may
    be created without a value), so ``value``/``real_value`` read back null; the schema says string."""
    properties = spec["components"]["schemas"]["EnvironmentVariable"]["properties"]
    for name in ("value", "real_value"):
        if name in properties:
            properties[name]["type"] = ["string", "null"]


SPEC_CORRECTIONS = (nullable_as_type_union, documented_error_responses, either_environment_field, database_bodies,
                    deployments_by_application, docker_image_build_pack, nullable_descriptions, nullable_env_values)


# -- helpers ---------------------------------------------------------------------------------------

class ApiFailure(Exception):
    """An API error answered as ``{"message": ..., **extra}``."""

    def __init__(self, status, message, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, **extra}
        self.headers = headers

    def response(self):
        return json_response(self.body, self.status, self.headers)


def validation_failed(errors):
    return ApiFailure(422, "Validation failed.", errors=errors)


def not_found(thing):
    return ApiFailure(404, f"{thing} not found.")


def json_response(data, status=200, headers=None):
    return Response(json.dumps(data), status=status, headers=headers, mimetype="application/json")


def text_response(text, status=200):
    return Response(text, status=status, content_type="text/html; charset=UTF-8")


def timestamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_public_id():
    """Coolify's ``new_public_id()``: 24 random lowercase letters and digits."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _unused in range(24))


def query_flag(args, name, default):
    raw = args.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def decode_base64(value, field_name):
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise validation_failed({field_name: f"The {field_name} should be base64 encoded."}) from None


def normalise_urls(raw, field_name):
    """A comma-separated list of http(s) URLs: hosts lower-cased, blanks dropped (NOTES.md "domains")."""
    urls = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise validation_failed({field_name: [f"Invalid URL: {item}. Only http and https URLs are allowed."]})
        netloc = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
        urls.append(f"{parts.scheme.lower()}://{netloc}{parts.path}")
    return urls


def url_hosts(fqdn):
    return {urlsplit(url).hostname for url in (fqdn or "").split(",") if url.strip()}


def image_name(compose_service):
    image = str(compose_service.get("image") or "")
    return image.rsplit("/", 1)[-1].split(":", 1)[0].lower()


def dump_compose(document):
    """Coolify stores a re-dumped compose: other key order and indentation than the client sent."""
    return yaml.safe_dump(document, sort_keys=True, indent=4, default_flow_style=False, allow_unicode=True)


def with_coolify_labels(document, service_uuid):
    """The ``docker_compose`` Coolify derives from the raw one: labels and container names added."""
    processed = copy.deepcopy(document)
    for name, service in processed["services"].items():
        labels = {"coolify.managed": "true", "coolify.type": "service",
                  "coolify.serviceId": service_uuid, "coolify.service.subName": name}
        existing = service.get("labels")
        if isinstance(existing, list):
            service["labels"] = existing + [f"{key}={value}" for key, value in labels.items()]
        else:
            service["labels"] = {**(existing or {}), **labels}
        service["container_name"] = f"{name}-{service_uuid}"
    return processed


def check_types(body, errors):
    for name, value in body.items():
        wanted = FIELD_TYPES.get(name)
        if wanted is None or (value is None and name in NULLABLE_FIELDS):
            continue
        if not isinstance(value, wanted) or (isinstance(value, bool) and wanted is not bool):
            label = name.replace("_", " ")
            errors.setdefault(name, []).append(f"The {label} {TYPE_MESSAGES[wanted]}.")


def check_fields(body, allowed):
    """422 for unknown fields (each "This field is not allowed.") and wrongly typed known ones."""
    errors = {name: ["This field is not allowed."] for name in body if name not in allowed}
    check_types({k: v for k, v in body.items() if k in allowed}, errors)
    if errors:
        raise validation_failed(errors)


@dataclass
class Call:
    """One authenticated vendor request."""

    request: Request
    abilities: frozenset

    @property
    def sensitive(self):
        return bool({"root", "read:sensitive"} & self.abilities)

    def json(self):
        """The JSON object body; 400 as Coolify answers for a wrong type or malformed body (NOTES.md)."""
        if self.request.mimetype != "application/json":
            raise ApiFailure(400, "Invalid request.", error="Content-Type must be application/json.")
        raw = self.request.get_data()
        if not raw.strip():
            raise ApiFailure(400, "Invalid request.", error="Content is empty.")
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiFailure(400, "Invalid request.", error="Invalid JSON.") from None
        if not isinstance(body, dict):
            raise ApiFailure(400, "Invalid request.", error="Invalid JSON.")
        return body


@dataclass
class Resource:
    """An application, service or database and what hangs off it."""

    kind: str  # application | service | database
    data: dict  # the API object, sensitive fields included
    environment: str  # uuid of its environment
    engine: str = None  # databases: postgresql | mariadb
    envs: dict = field(default_factory=dict)  # env uuid -> env object
    tags: list = field(default_factory=list)
    started_at: float = None  # services/databases: when the last start was asked
    wordpress: bool = False  # its image is WordPress (the edge proxies it to the sandbox's WordPress)


class CoolifyEmulator(Emulator):
    """Stateful Coolify API: projects, environments, applications, services, databases, envs, deployments."""

    name = "coolify"
    base_path = BASE_PATH

    HANDLERS = {
        ("version", "GET"): "_version",
        ("team", "GET"): "_team",
        ("teams", "GET"): "_list_teams",
        ("team_by_id", "GET"): "_team_by_id",
        ("team_members", "GET"): "_team_members",
        ("team_members_by_id", "GET"): "_team_members_by_id",
        ("server_resources", "GET"): "_server_resources",
        ("tags", "GET"): "_list_tags",
        ("servers", "GET"): "_list_servers",
        ("server", "GET"): "_get_server",
        ("server", "PATCH"): "_update_server",
        ("destinations", "GET"): "_list_destinations",
        ("projects", "GET"): "_list_projects",
        ("projects", "POST"): "_create_project",
        ("project", "GET"): "_get_project",
        ("project", "PATCH"): "_update_project",
        ("project", "DELETE"): "_delete_project",
        ("environments", "GET"): "_list_environments",
        ("environments", "POST"): "_create_environment",
        ("environment", "PATCH"): "_update_environment",
        ("environment", "DELETE"): "_delete_environment",
        ("environment_details", "GET"): "_get_environment",
        ("applications", "GET"): "_list_applications",
        ("create_application", "POST"): "_create_application",
        ("services", "GET"): "_list_services",
        ("services", "POST"): "_create_service",
        ("service_applications", "GET"): "_list_service_applications",
        ("databases", "GET"): "_list_databases",
        ("create_database", "POST"): "_create_database",
        ("resource", "GET"): "_get_resource",
        ("resource", "PATCH"): "_update_resource",
        ("resource", "DELETE"): "_delete_resource",
        ("lifecycle", "POST"): "_lifecycle",
        ("envs", "GET"): "_list_envs",
        ("envs", "POST"): "_create_env",
        ("envs", "PATCH"): "_update_env",
        ("envs_bulk", "PATCH"): "_bulk_envs",
        ("env", "DELETE"): "_delete_env",
        ("deploy", "POST"): "_deploy",
        ("deployments", "GET"): "_list_deployments",
        ("deployment", "GET"): "_get_deployment",
        ("application_deployments", "GET"): "_list_application_deployments",
    }

    def __init__(self, shared=None, validate=True, **options):
        super().__init__(shared)
        self.clock = time.monotonic
        self._check_options(options)
        self.defaults = {**copy.deepcopy(DEFAULT_OPTIONS), **options}
        if validate:
            self.contract = ContractValidator(contract_path("coolify", SPEC_FILE), self.record_violation,
                                              corrections=SPEC_CORRECTIONS)
        self.reset()

    # -- framework interface -------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.config = copy.deepcopy(self.defaults)
            self.ids = itertools.count(1)
            stamp = timestamp()
            self.team = {"id": TEAM_ID, "name": "Root Team", "description": "The sandbox team.",
                         "personal_team": True, "created_at": stamp, "updated_at": stamp, "show_boarding": False}
            self.user = {"id": 0, "name": "root", "email": "root@fabrik-sandbox.com", "email_verified_at": stamp,
                         "created_at": stamp, "updated_at": stamp, "two_factor_confirmed_at": stamp,
                         "force_password_reset": False, "marketing_emails": False}
            self.server = self._seed_server(stamp)
            self.destination = {"uuid": DESTINATION_UUID, "name": "sandbox-network", "network": "coolify",
                                "type": "standalone", "server_uuid": SERVER_UUID, "created_at": stamp,
                                "updated_at": stamp}
            self.projects = {}
            self.environments = {}
            self.resources = {}
            self.deployments = {}
            self.tags = {}
            self.deletions = []

    def configure(self, **options):
        """Runtime options: see ``DEFAULT_OPTIONS`` and the module docstring."""
        self._check_options(options)
        with self.lock:
            self.config.update(copy.deepcopy(options))

    def use_wordpress(self, url):
        """The WordPress the edge proxies WordPress resources to, kept across resets (the launcher's wiring)."""
        self._check_options({"wordpress_url": url})
        with self.lock:
            self.defaults["wordpress_url"] = url
            self.config["wordpress_url"] = url

    def dispatch(self, request):
        with self.lock:
            self._advance()
            try:
                if request.path in HEALTH_PATHS:
                    return text_response("OK")
                method = "GET" if request.method == "HEAD" else request.method
                endpoint, args = self._route(request, method)
                call = Call(request, self._authenticate(request))
                self._authorise(call, endpoint, method)
                return getattr(self, self.HANDLERS[(endpoint, method)])(call, **args)
            except ApiFailure as failure:
                return failure.response()

    def snapshot(self):
        with self.lock:
            self._advance()
            projects = []
            for project in self.projects.values():
                environments = []
                for env in self._project_environments(project):
                    resources = [self._snapshot_resource(r) for r in self.resources.values()
                                 if r.environment == env["uuid"]]
                    environments.append({**env, "resources": resources})
                projects.append({**project, "environments": environments})
            return {"projects": projects,
                    "deployments": [self._visible("deployment", d["data"], False) for d in self.deployments.values()],
                    "deletions": copy.deepcopy(self.deletions), "tags": sorted(self.tags),
                    "config": copy.deepcopy(self.config)}

    def _snapshot_resource(self, resource):
        data = copy.deepcopy(resource.data)
        for name in SENSITIVE[resource.kind]:
            if data.get(name) and "compose" not in name:
                data[name] = "***"
        envs = {env["key"]: {**{k: v for k, v in env.items() if k not in SENSITIVE["env"]}, "value": "***"}
                for env in resource.envs.values()}
        return {"kind": resource.kind, "uuid": data["uuid"], "name": data["name"], "data": data, "envs": envs,
                "tags": list(resource.tags), "wordpress": resource.wordpress}

    # -- plumbing --------------------------------------------------------------------------------

    @staticmethod
    def _check_options(options):
        unknown = sorted(set(options) - set(DEFAULT_OPTIONS))
        if unknown:
            raise ValueError(f"unknown Coolify emulator option(s): {', '.join(unknown)}")
        for name in ("queued_seconds", "in_progress_seconds"):
            value = options.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name}: seconds >= 0 expected, got {value!r}")
        for name in ("fail_next_deployments", "queue_limit"):
            value = options.get(name, 0)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"{name}: an integer >= 0 expected, got {value!r}")
        if not isinstance(options.get("version", ""), str):
            raise ValueError("version: a string expected")
        failing = options.get("failing_resources", [])
        if not isinstance(failing, list) or not all(isinstance(item, str) for item in failing):
            raise ValueError("failing_resources: a list of resource names or uuids expected")
        url = options.get("wordpress_url")
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            raise ValueError(f"wordpress_url: an http(s) URL or null expected, got {url!r}")

    def _route(self, request, method):
        path = request.path
        if path != BASE_PATH and not path.startswith(BASE_PATH + "/"):
            raise ApiFailure(404, "Not found.")
        try:
            return ROUTES.bind("sandbox").match(path[len(BASE_PATH):] or "/", method=method)
        except NotFound:
            raise ApiFailure(404, "Not found.") from None
        except MethodNotAllowed as error:
            allowed = ", ".join(m for m in error.valid_methods if m != "HEAD")
            if allowed == "POST" and request.method == "GET" and self._post_only(path):
                raise ApiFailure(405, "This endpoint has changed to a POST request.",
                                 headers={"Allow": "POST"}) from None
            raise ApiFailure(405, f"The {request.method} method is not supported for this route. "
                             f"Supported methods: {allowed}.", headers={"Allow": allowed}) from None

    @staticmethod
    def _post_only(path):
        endpoint, _args = ROUTES.bind("sandbox").match(path[len(BASE_PATH):], method="POST")
        return endpoint in POST_ONLY_ENDPOINTS

    @staticmethod
    def _authenticate(request):
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        abilities = TOKEN_ABILITIES.get(token.strip()) if scheme.lower() == "bearer" else None
        if abilities is None:
            raise ApiFailure(401, "Unauthenticated.")
        return abilities

    @staticmethod
    def _authorise(call, endpoint, method):
        needed = "deploy" if endpoint in POST_ONLY_ENDPOINTS else "read" if method == "GET" else "write"
        if "root" not in call.abilities and needed not in call.abilities:
            raise ApiFailure(403, f"Missing required permissions: {needed}")

    @staticmethod
    def _visible(kind, data, sensitive):
        shown = copy.deepcopy(data)
        if kind in ("application", "service", "database"):
            shown.pop("id", None)  # the controllers' removeSensitiveData: makeHidden(['id'])
        shown_once = kind == "env" and data.get("is_shown_once")  # never returned again (NOTES.md)
        hidden = SENSITIVE[kind] if not sensitive or shown_once else ()
        for name in hidden:
            shown.pop(name, None)
        return shown

    def _new_id(self):
        return next(self.ids)

    # -- server, team, tags ----------------------------------------------------------------------

    @staticmethod
    def _seed_server(stamp):
        return {
            "id": 0, "uuid": SERVER_UUID, "name": "sandbox-server", "description": "The sandbox's loopback server.",
            "ip": SERVER_IP, "user": "root", "port": 22, "proxy": {"type": "traefik", "status": "running"},
            "proxy_type": "traefik", "high_disk_usage_notification_sent": False,
            "unreachable_notification_sent": False, "unreachable_count": 0, "log_drain_notification_sent": False,
            "settings": {"id": 0, "server_id": 0, "concurrent_builds": 2, "deployment_queue_limit": 25,
                         "dynamic_timeout": 3600, "force_disabled": False, "is_build_server": False,
                         "is_reachable": True, "is_usable": True, "is_swarm_manager": False, "is_swarm_worker": False,
                         "wildcard_domain": "", "created_at": stamp, "updated_at": stamp},
        }

    def _version(self, _call):
        return text_response(self.config["version"])

    def _team(self, _call):
        return json_response(dict(self.team))

    def _list_teams(self, _call):
        """The token's team only: a token belongs to one team (NOTES.md)."""
        return json_response([dict(self.team)])

    def _team_by_id(self, _call, team_id):
        if team_id != TEAM_ID:
            raise not_found("Team")
        return json_response(dict(self.team))

    def _team_members(self, _call):
        return json_response([dict(self.user)])

    def _team_members_by_id(self, _call, team_id):
        if team_id != TEAM_ID:
            raise not_found("Team")
        return json_response([dict(self.user)])

    def _server_resources(self, _call, uuid):
        """Every resource on the server: ``{id, uuid, name, type, created_at, updated_at, status}`` (the spec's)."""
        if uuid != SERVER_UUID:
            raise not_found("Server")
        found = []
        for resource in self.resources.values():
            data = resource.data
            kind = f"standalone-{resource.engine}" if resource.kind == "database" else resource.kind
            found.append({"id": data["id"], "uuid": data["uuid"], "name": data["name"], "type": kind,
                          "created_at": data["created_at"], "updated_at": data["updated_at"],
                          "status": data.get("status", "exited:unhealthy")})
        return json_response(found)

    def _list_tags(self, _call):
        return json_response(list(self.tags.values()))

    def _list_servers(self, _call):
        return json_response([copy.deepcopy(self.server)])

    def _get_server(self, _call, uuid):
        if uuid != SERVER_UUID:
            raise not_found("Server")
        return json_response(copy.deepcopy(self.server))

    def _update_server(self, call, uuid):
        """Only the name and description are kept (e.g. a test naming the server as a real one is named)."""
        if uuid != SERVER_UUID:
            raise not_found("Server")
        body = call.json()
        check_fields(body, ("name", "description"))
        if "name" in body and not str(body["name"]).strip():
            raise validation_failed({"name": ["The name field is required."]})
        self.server.update(body)
        return json_response(copy.deepcopy(self.server), 201)

    def _list_destinations(self, _call, uuid):
        if uuid != SERVER_UUID:
            raise not_found("Server")
        return json_response([dict(self.destination)])

    def _apply_tags(self, resource, names):
        for tag_name in names or []:
            stamp = timestamp()
            self.tags.setdefault(tag_name, {"uuid": new_public_id(), "name": tag_name, "created_at": stamp,
                                            "updated_at": stamp})
            if tag_name not in resource.tags:
                resource.tags.append(tag_name)

    # -- projects and environments ---------------------------------------------------------------

    def _project(self, uuid):
        project = self.projects.get(uuid)
        if project is None:
            raise not_found("Project")
        return project

    def _project_environments(self, project):
        return [env for env in self.environments.values() if env["project_id"] == project["id"]]

    def _environment(self, project, name_or_uuid):
        """Name first, then uuid (NOTES.md)."""
        candidates = self._project_environments(project)
        for key in ("name", "uuid"):
            for env in candidates:
                if env[key] == name_or_uuid:
                    return env
        raise not_found("Environment")

    def _environment_resources(self, env):
        return [r for r in self.resources.values() if r.environment == env["uuid"]]

    def _check_project_body(self, body, required):
        check_fields(body, ("name", "description"))
        errors = {}
        name = body.get("name")
        if name is None and required:
            errors["name"] = ["The name field is required."]
        elif name is not None and not PROJECT_NAME.match(name.strip()):
            errors["name"] = ["The name must be 3-255 characters: letters, numbers, spaces and "
                              "- _ . @ / & ( ) # , : + '"]
        if errors:
            raise validation_failed(errors)

    def _list_projects(self, _call):
        return json_response([{k: p[k] for k in ("id", "uuid", "name", "description")} for p in self.projects.values()])

    def _create_project(self, call):
        body = call.json()
        self._check_project_body(body, required=True)
        stamp = timestamp()
        project = {"id": self._new_id(), "uuid": new_public_id(), "name": body["name"].strip(),
                   "description": body.get("description"), "team_id": TEAM_ID, "created_at": stamp,
                   "updated_at": stamp}
        self.projects[project["uuid"]] = project
        self._insert_environment(project, "production")
        return json_response({"uuid": project["uuid"]}, 201)

    def _get_project(self, _call, uuid):
        project = self._project(uuid)
        return json_response({**project, "environments": self._project_environments(project)})

    def _update_project(self, call, uuid):
        project = self._project(uuid)
        body = call.json()
        self._check_project_body(body, required=False)
        project.update({k: (v.strip() if k == "name" else v) for k, v in body.items()}, updated_at=timestamp())
        return json_response({k: project[k] for k in ("uuid", "name", "description")}, 201)

    def _delete_project(self, _call, uuid):
        project = self._project(uuid)
        environments = self._project_environments(project)
        if any(self._environment_resources(env) for env in environments):
            raise ApiFailure(400, "Project has resources, so it cannot be deleted.")
        for env in environments:
            del self.environments[env["uuid"]]
        del self.projects[uuid]
        return json_response({"message": "Project deleted."})

    def _insert_environment(self, project, name, description=None):
        stamp = timestamp()
        env = {"id": self._new_id(), "uuid": new_public_id(), "name": name, "description": description,
               "project_id": project["id"], "created_at": stamp, "updated_at": stamp}
        self.environments[env["uuid"]] = env
        return env

    def _check_environment_name(self, project, body, current=None):
        check_fields(body, ("name", "description"))
        name = body.get("name")
        if name is None:
            return
        if not name.strip():
            raise validation_failed({"name": ["The name field is required."]})
        if any(env["name"] == name.strip() and env is not current for env in self._project_environments(project)):
            raise ApiFailure(409, "Environment with this name already exists.")

    def _list_environments(self, _call, uuid):
        return json_response(self._project_environments(self._project(uuid)))

    def _create_environment(self, call, uuid):
        project = self._project(uuid)
        body = call.json()
        if "name" not in body:
            raise validation_failed({"name": ["The name field is required."]})
        self._check_environment_name(project, body)
        env = self._insert_environment(project, body["name"].strip(), body.get("description"))
        return json_response({"uuid": env["uuid"]}, 201)

    def _get_environment(self, call, uuid, env):
        environment = self._environment(self._project(uuid), env)
        details = dict(environment)
        for key in ENV_LIST_KEYS:
            details[key] = []
        for resource in self._environment_resources(environment):
            key = DB_ENGINES[resource.engine]["list_key"] if resource.kind == "database" else resource.kind + "s"
            details[key].append(self._visible(resource.kind, resource.data, call.sensitive))
        return json_response(details)

    def _update_environment(self, call, uuid, env):
        project = self._project(uuid)
        environment = self._environment(project, env)
        body = call.json()
        self._check_environment_name(project, body, current=environment)
        environment.update({k: (v.strip() if k == "name" else v) for k, v in body.items()}, updated_at=timestamp())
        return json_response({k: environment[k] for k in ("uuid", "name", "description")})

    def _delete_environment(self, _call, uuid, env):
        environment = self._environment(self._project(uuid), env)
        if self._environment_resources(environment):
            raise ApiFailure(400, "Environment has resources, so it cannot be deleted.")
        del self.environments[environment["uuid"]]
        return json_response({"message": "Environment deleted."})

    # -- placement of new resources --------------------------------------------------------------

    def _placement(self, body):
        """The environment a create call targets (project, environment, server, destination checks)."""
        errors = {}
        for name in ("project_uuid", "server_uuid"):
            if not body.get(name):
                errors[name] = [f"The {name.replace('_', ' ')} field is required."]
        if not body.get("environment_name") and not body.get("environment_uuid"):
            errors["environment_name"] = [
                "The environment name field is required when environment uuid is not present."]
        if errors:
            raise validation_failed(errors)
        project = self._project(body["project_uuid"])
        environment = self._environment(project, body.get("environment_uuid") or body["environment_name"])
        if body["server_uuid"] != SERVER_UUID:
            raise not_found("Server")
        if body.get("destination_uuid") not in (None, DESTINATION_UUID):
            raise not_found("Destination")
        return environment

    def _new_resource_data(self, environment, name, description):
        stamp = timestamp()
        uuid = new_public_id()
        return uuid, {"id": self._new_id(), "uuid": uuid, "name": name, "description": description,
                      "environment_id": environment["id"], "destination_id": 0, "destination_type": DESTINATION_TYPE,
                      "created_at": stamp, "updated_at": stamp}

    def _resource(self, kind, uuid):
        resource = self.resources.get(uuid)
        if resource is None or resource.kind != kind:
            raise not_found(kind.capitalize())
        return resource

    def _hosts_in_use(self, exclude_uuid):
        """hostname -> (resource, domain) of every domain of the other resources."""
        used = {}
        for resource in self.resources.values():
            if resource.data["uuid"] == exclude_uuid:
                continue
            for fqdn in self._resource_fqdns(resource):
                for host in url_hosts(fqdn):
                    used[host] = resource
        return used

    @staticmethod
    def _resource_fqdns(resource):
        if resource.kind == "application":
            return [resource.data.get("fqdn")]
        if resource.kind == "service":
            return [app.get("fqdn") for app in resource.data["applications"]]
        return []

    def _check_domain_conflicts(self, urls, uuid, force):
        used = self._hosts_in_use(uuid)
        conflicts = []
        for url in urls:
            host = urlsplit(url).hostname
            other = used.get(host)
            if other is not None:
                conflicts.append({
                    "domain": host, "resource_name": other.data["name"], "resource_uuid": other.data["uuid"],
                    "resource_type": other.kind,
                    "message": f"Domain {host} is already in use by {other.kind} '{other.data['name']}'"})
        if conflicts and not force:
            raise ApiFailure(409, "Domain conflicts detected. Use force_domain_override=true to proceed.",
                             conflicts=conflicts, warning="Using the same domain for multiple resources can cause "
                             "routing conflicts and unpredictable behavior.")

    # -- applications ----------------------------------------------------------------------------

    def _list_applications(self, call):
        tag = call.request.args.get("tag")
        return json_response([self._visible("application", r.data, call.sensitive) for r in self.resources.values()
                              if r.kind == "application" and (tag is None or tag in r.tags)])

    def _create_application(self, call, variant):
        body = call.json()
        check_fields(body, APP_CREATE_FIELDS[variant])
        missing = {name: [f"The {name.replace('_', ' ')} field is required."]
                   for name in APP_REQUIRED[variant] if body.get(name) in (None, "")}
        if missing:
            raise validation_failed(missing)
        if body.get("build_pack", "dockerfile" if variant == "dockerfile" else "nixpacks") not in BUILD_PACKS:
            raise validation_failed({"build_pack": ["The selected build pack is invalid."]})
        environment = self._placement(body)
        uuid, data = self._new_resource_data(environment, body.get("name"), body.get("description"))
        defaults = {k: v for k, v in copy.deepcopy(APPLICATION_DEFAULTS).items() if k not in data}
        data = {**data, **defaults, "settings": dict(APPLICATION_SETTING_DEFAULTS)}
        data["name"] = body.get("name") or f"{variant}-{uuid}"
        resource = Resource("application", data, environment["uuid"])
        self._store_application_fields(resource, body, variant)
        if "domains" not in body and body.get("autogenerate_domain", True):
            data["fqdn"] = f"http://{uuid}.{SERVER_IP}.sslip.io"
        self.resources[uuid] = resource
        self._apply_tags(resource, body.get("tags"))
        if body.get("instant_deploy"):
            self._queue_deployment(resource)
        return json_response({"uuid": uuid, "domains": data["fqdn"].split(",") if data["fqdn"] else []}, 201)

    def _store_application_fields(self, resource, body, variant=None):
        """Domains, Dockerfile and the modelled fields of a create or PATCH body."""
        data = resource.data
        if "domains" in body:
            urls = normalise_urls(body["domains"] or "", "domains")
            self._check_domain_conflicts(urls, data["uuid"], body.get("force_domain_override", False))
            data["fqdn"] = ",".join(urls) or None
        if body.get("dockerfile") is not None:
            data["dockerfile"] = decode_base64(body["dockerfile"], "dockerfile")
        if variant == "dockerfile":
            data["build_pack"] = "dockerfile"
        elif variant == "dockerimage":
            data["build_pack"] = "dockerimage"
            data["docker_registry_image_tag"] = body.get("docker_registry_image_tag") or "latest"
        for name, value in body.items():
            if name in ("domains", "dockerfile"):
                continue
            if name in APPLICATION_DEFAULTS or name in ("name", "build_pack"):
                data[name] = value
            elif name in APPLICATION_SETTING_DEFAULTS:
                data["settings"][name] = value
        data["updated_at"] = timestamp()
        resource.wordpress = self._is_wordpress_application(data)

    @staticmethod
    def _is_wordpress_application(data):
        image = (data.get("docker_registry_image_name") or "").rsplit("/", 1)[-1].split(":", 1)[0].lower()
        dockerfile = (data.get("dockerfile") or "").lower()
        return image == "wordpress" or re.search(r"^\s*from\s+(\S+/)?wordpress\b", dockerfile, re.M) is not None

    def _update_application(self, call, resource):
        body = call.json()
        check_fields(body, APP_PATCH_FIELDS)
        if body.get("build_pack") is not None and body["build_pack"] not in BUILD_PACKS:
            raise validation_failed({"build_pack": ["The selected build pack is invalid."]})
        self._store_application_fields(resource, {k: v for k, v in body.items() if k not in PLACEMENT_FIELDS})
        if body.get("instant_deploy"):
            self._queue_deployment(resource)
        return json_response({"uuid": resource.data["uuid"]})

    # -- services --------------------------------------------------------------------------------

    def _list_services(self, call):
        return json_response([self._visible("service", r.data, call.sensitive)
                              for r in self.resources.values() if r.kind == "service"])

    def _create_service(self, call):
        body = call.json()
        check_fields(body, SERVICE_CREATE_FIELDS)
        if "type" in body and "docker_compose_raw" in body:
            raise validation_failed({"type": ["The type field prohibits docker_compose_raw from being present."]})
        if not body.get("type") and not body.get("docker_compose_raw"):
            raise validation_failed({"docker_compose_raw": [
                "The docker_compose_raw field is required when type is not present."]})
        if body.get("type") and body["type"] not in ONE_CLICK_TEMPLATES:
            raise ApiFailure(404, "Service not found.", valid_service_types=sorted(ONE_CLICK_TEMPLATES))
        environment = self._placement(body)
        if body.get("type"):
            document = copy.deepcopy(ONE_CLICK_TEMPLATES[body["type"]])
        else:
            document = self._parse_compose(body["docker_compose_raw"])
        uuid, data = self._new_resource_data(environment, body.get("name"), body.get("description"))
        data["name"] = body.get("name") or f"{body.get('type') or 'service'}-{uuid}"
        data.update(server_id=0, connect_to_docker_network=bool(body.get("connect_to_docker_network", False)),
                    is_container_label_escape_enabled=body.get("is_container_label_escape_enabled", True),
                    is_container_label_readonly_enabled=True, status="exited:unhealthy", applications=[],
                    databases=[])
        if body.get("type"):
            data["service_type"] = body["type"]
        resource = Resource("service", data, environment["uuid"])
        self._store_compose(resource, document)
        domains = self._apply_service_urls(resource, body.get("urls"), body.get("force_domain_override", False))
        self.resources[uuid] = resource
        if body.get("type"):
            self._generate_template_envs(resource, document)
        self._apply_tags(resource, body.get("tags"))
        if body.get("instant_deploy"):
            self._start(resource)
        return json_response({"uuid": uuid, "domains": domains}, 201)

    @staticmethod
    def _parse_compose(encoded):
        text = decode_base64(encoded, "docker_compose_raw")
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise validation_failed({"docker_compose_raw": [f"Invalid YAML: {str(error).splitlines()[0]}"]}) from None
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict) or not services:
            raise validation_failed({"docker_compose_raw": ["The compose file must define services."]})
        for name, service in services.items():
            if not isinstance(service, dict) or not isinstance(service.get("image"), str):
                raise validation_failed({"docker_compose_raw": [f"Service {name} needs an image."]})
        return document

    def _store_compose(self, resource, document):
        """Keep the re-serialised raw compose, the processed one and one sub-resource per compose service."""
        data = resource.data
        data["docker_compose_raw"] = dump_compose(document)
        data["docker_compose"] = dump_compose(with_coolify_labels(document, data["uuid"]))
        data["config_hash"] = hashlib.sha256(data["docker_compose_raw"].encode()).hexdigest()[:32]
        previous = {app["name"]: app for app in data["applications"] + data["databases"]}
        applications, databases = [], []
        for name, service in document["services"].items():
            kept = previous.get(name, {})
            entry = {"uuid": kept.get("uuid") or new_public_id(), "name": name, "human_name": None,
                     "description": None, "image": service["image"], "status": data["status"],
                     "exclude_from_status": False}
            if image_name(service) in DATABASE_IMAGES:
                databases.append(entry)
            else:
                applications.append({**entry, "fqdn": kept.get("fqdn")})
        data.update(applications=applications, databases=databases, updated_at=timestamp())
        resource.wordpress = any(image_name(s) == "wordpress" for s in document["services"].values())

    def _apply_service_urls(self, resource, urls, force):
        """``urls: [{name, url}]`` sets the domains of compose services; returns every domain of the service."""
        if urls is not None:
            by_name = {app["name"]: app for app in resource.data["applications"]}
            wanted = {}
            for index, item in enumerate(urls):
                if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                        and isinstance(item.get("url"), str)):
                    raise validation_failed({f"urls.{index}": ["Each URL needs a name and a url string."]})
                if item["name"] not in by_name:
                    raise validation_failed({f"urls.{index}.name": [
                        f"Service container with '{item['name']}' not found."]})
                wanted[item["name"]] = normalise_urls(item["url"], f"urls.{index}.url")
            self._check_domain_conflicts([u for found in wanted.values() for u in found], resource.data["uuid"], force)
            for name, found in wanted.items():
                by_name[name]["fqdn"] = ",".join(found) or None
        return [url for app in resource.data["applications"] for url in (app.get("fqdn") or "").split(",") if url]

    def _generate_template_envs(self, resource, document):
        """One-click templates get generated ``SERVICE_USER_*``/``SERVICE_PASSWORD_*`` env vars (NOTES.md)."""
        names = sorted(set(TEMPLATE_VARIABLE.findall(json.dumps(document))))
        for name in names:
            value = secrets.token_hex(8) if "_USER_" in name else secrets.token_urlsafe(24)
            self._insert_env(resource, {"key": name, "value": value})

    def _update_service(self, call, resource):
        body = call.json()
        check_fields(body, SERVICE_PATCH_FIELDS)
        if "docker_compose_raw" in body:
            self._store_compose(resource, self._parse_compose(body["docker_compose_raw"]))
        domains = self._apply_service_urls(resource, body.get("urls"), body.get("force_domain_override", False))
        for name in ("name", "description", "connect_to_docker_network", "is_container_label_escape_enabled"):
            if name in body:
                resource.data[name] = body[name]
        resource.data["updated_at"] = timestamp()
        if body.get("instant_deploy"):
            self._start(resource)
        return json_response({"uuid": resource.data["uuid"], "domains": domains})

    def _list_service_applications(self, _call, uuid):
        resource = self._resource("service", uuid)
        return json_response(copy.deepcopy(resource.data["applications"]))

    # -- databases -------------------------------------------------------------------------------

    def _list_databases(self, call):
        return json_response([self._visible("database", r.data, call.sensitive)
                              for r in self.resources.values() if r.kind == "database"])

    def _create_database(self, call, engine):
        spec = DB_ENGINES[engine]
        body = call.json()
        check_fields(body, DB_COMMON_FIELDS + spec["fields"])
        environment = self._placement(body)
        uuid, data = self._new_resource_data(environment, body.get("name"), body.get("description"))
        user_field, password_field, db_field = spec["credentials"]
        data.update(name=body.get("name") or f"{engine}-database-{uuid}", image=spec["image"],
                    status="exited:unhealthy", database_type=f"standalone-{engine}", is_public=False, public_port=None,
                    limits_memory="0", limits_cpus="0", limits_cpu_shares=1024)
        data.update({user_field: spec["user"], password_field: secrets.token_urlsafe(24),
                     db_field: spec["user"] if engine == "postgresql" else "default"})
        if engine == "mariadb":
            data["mariadb_root_password"] = secrets.token_urlsafe(24)
        resource = Resource("database", data, environment["uuid"], engine=engine)
        self._store_database_fields(resource, body)
        self.resources[uuid] = resource
        self._apply_tags(resource, body.get("tags"))
        if body.get("instant_deploy"):
            self._start(resource)
        created = {"uuid": uuid, "internal_db_url": data["internal_db_url"]}
        if data.get("external_db_url"):
            created["external_db_url"] = data["external_db_url"]
        return json_response(created, 201)

    def _store_database_fields(self, resource, body):
        data = resource.data
        spec = DB_ENGINES[resource.engine]
        for name, value in body.items():
            if name not in PLACEMENT_FIELDS + ("instant_deploy", "tags") and (
                    name in DB_COMMON_FIELDS or name in spec["fields"]):
                data[name] = value
        user, password, database = (data[name] for name in spec["credentials"])
        data["internal_db_url"] = f"{spec['scheme']}://{user}:{password}@{data['uuid']}:{spec['port']}/{database}"
        if data.get("is_public") and data.get("public_port"):
            data["external_db_url"] = (f"{spec['scheme']}://{user}:{password}@{SERVER_IP}:"
                                       f"{data['public_port']}/{database}")
        else:
            data.pop("external_db_url", None)
        data["updated_at"] = timestamp()

    def _update_database(self, call, resource):
        body = call.json()
        check_fields(body, DB_PATCH_FIELDS)
        foreign = [name for name in body if name.split("_", 1)[0] in ("postgres", "mariadb")
                   and name not in DB_ENGINES[resource.engine]["fields"]]
        if foreign:
            raise validation_failed({name: ["This field is not allowed."] for name in foreign})
        self._store_database_fields(resource, body)
        return json_response({"message": "Database updated."})

    # -- any resource ------------------------------------------------------------------------------

    def _get_resource(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        return json_response(self._visible(resource.kind, resource.data, call.sensitive))

    def _update_resource(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        update = {"application": self._update_application, "service": self._update_service,
                  "database": self._update_database}[resource.kind]
        return update(call, resource)

    def _delete_resource(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        args = call.request.args
        self.deletions.append({
            "kind": resource.kind, "uuid": uuid, "name": resource.data["name"],
            **{flag: query_flag(args, flag, True) for flag in (
                "delete_configurations", "delete_volumes", "docker_cleanup", "delete_connected_networks")}})
        del self.resources[uuid]
        message = {"application": "Application deleted.", "service": "Service deletion request queued.",
                   "database": "Database deleted."}[resource.kind]
        return json_response({"message": message})

    def _lifecycle(self, call, kind, uuid, action):
        resource = self._resource(KINDS[kind], uuid)
        label = resource.kind.capitalize()
        if action == "stop":
            self._stop(resource)
            return json_response({"message": f"{label} stopping request queued."})
        if resource.kind == "application":
            deployment = self._queue_deployment(resource, restart_only=action == "restart",
                                                force=query_flag(call.request.args, "force", False))
            message = "Restart request queued." if action == "restart" else "Deployment request queued."
            return json_response({"message": message, "deployment_uuid": deployment["deployment_uuid"]})
        if action == "start" and resource.data.get("status", "").startswith(("running", "starting")):
            raise ApiFailure(400, f"{label} is already running.")
        self._start(resource)
        verb = "restarting" if action == "restart" else "starting"
        return json_response({"message": f"{label} {verb} request queued."})

    def _start(self, resource):
        resource.started_at = self.clock()
        self._set_status(resource, "starting:unknown")

    def _stop(self, resource):
        resource.started_at = None
        self._set_status(resource, "exited:unhealthy")

    @staticmethod
    def _set_status(resource, status):
        resource.data["status"] = status
        for sub in resource.data.get("applications", []) + resource.data.get("databases", []):
            sub["status"] = status

    # -- environment variables ---------------------------------------------------------------------

    @staticmethod
    def _env_fields(resource):
        return tuple(f for f in ENV_FIELDS if not (resource.kind == "database" and f == "is_preview"))

    def _check_env_item(self, resource, item, need_value=True, prefix=""):
        if not isinstance(item, dict):
            raise validation_failed({prefix or "data": ["Each item must be an object."]})
        allowed = self._env_fields(resource)
        errors = {prefix + name: ["This field is not allowed."] for name in item if name not in allowed}
        check_types({k: v for k, v in item.items() if k in allowed}, errors)
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            errors.setdefault(prefix + "key", []).append("The key field is required.")
        elif not ENV_KEY.match(key.strip()):
            errors.setdefault(prefix + "key", []).append(
                "The key must start with a letter or underscore and contain only letters, numbers, "
                "underscores and dots.")
        if need_value and item.get("value") is not None and not isinstance(item["value"], str):
            errors.setdefault(prefix + "value", []).append("The value field must be a string.")
        if "comment" in item and item["comment"] is not None and (
                not isinstance(item["comment"], str) or len(item["comment"]) > 256):
            errors.setdefault(prefix + "comment", []).append("The comment may not be greater than 256 characters.")
        if errors:
            raise validation_failed(errors)

    @staticmethod
    def _env_by_key(resource, key, is_preview):
        for env in resource.envs.values():
            if env["key"] == key and env["is_preview"] == is_preview:
                return env
        return None

    def _insert_env(self, resource, item):
        stamp = timestamp()
        env = {"uuid": new_public_id(), "key": item["key"].strip(), "value": item.get("value"),
               "real_value": item.get("value"),
               "is_preview": bool(item.get("is_preview", False)), "is_literal": bool(item.get("is_literal", False)),
               "is_multiline": bool(item.get("is_multiline", False)),
               "is_shown_once": bool(item.get("is_shown_once", False)),
               "is_runtime": bool(item.get("is_runtime", True)), "is_buildtime": bool(item.get("is_buildtime", True)),
               "is_shared": False, "comment": item.get("comment"), "version": self.config["version"],
               "created_at": stamp, "updated_at": stamp}
        resource.envs[env["uuid"]] = env
        return env

    @staticmethod
    def _change_env(env, item):
        """is_literal/is_multiline/is_shown_once are overwritten (omitted = false: the controller assigns
        ``$request->is_literal ?? false``); is_runtime, is_buildtime and comment change only when sent."""
        env.update(value=item.get("value"), real_value=item.get("value"), is_literal=bool(item.get("is_literal")),
                   is_multiline=bool(item.get("is_multiline")), is_shown_once=bool(item.get("is_shown_once")),
                   updated_at=timestamp())
        for name in ("is_runtime", "is_buildtime", "comment"):
            if name in item:
                env[name] = item[name]

    def _list_envs(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        return json_response([self._visible("env", env, call.sensitive) for env in resource.envs.values()])

    def _create_env(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        body = call.json()
        self._check_env_item(resource, body)
        if self._env_by_key(resource, body["key"].strip(), bool(body.get("is_preview", False))):
            raise ApiFailure(409, "Environment variable already exists. Use PATCH request to update it.")
        env = self._insert_env(resource, body)
        return json_response({"uuid": env["uuid"]}, 201)

    def _update_env(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        body = call.json()
        self._check_env_item(resource, body)
        env = self._env_by_key(resource, body["key"].strip(), bool(body.get("is_preview", False)))
        if env is None:
            raise not_found("Environment variable")
        self._change_env(env, body)
        return json_response(self._visible("env", env, call.sensitive), 201)

    def _bulk_envs(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        data = call.json().get("data")
        if not data or not isinstance(data, list):
            raise ApiFailure(400, "Bulk data is required.")
        for index, item in enumerate(data):
            self._check_env_item(resource, item, prefix=f"data.{index}.")
        changed = []
        for item in data:
            env = self._env_by_key(resource, item["key"].strip(), bool(item.get("is_preview", False)))
            if env is None:
                env = self._insert_env(resource, item)
            else:
                self._change_env(env, item)
            changed.append(env)
        return json_response([self._visible("env", env, call.sensitive) for env in changed], 201)

    def _delete_env(self, _call, kind, uuid, env_uuid):
        resource = self._resource(KINDS[kind], uuid)
        if resource.envs.pop(env_uuid, None) is None:
            raise not_found("Environment variable")
        return json_response({"message": "Environment variable deleted."})

    # -- deployments -------------------------------------------------------------------------------

    def _check_queue(self):
        limit = self.config["queue_limit"]
        active = sum(1 for d in self.deployments.values() if d["data"]["status"] in ("queued", "in_progress"))
        if limit is not None and active >= limit:
            raise ApiFailure(429, "Deployment queue is full. Please try again later.",
                             headers={"Retry-After": str(RETRY_AFTER_QUEUE)})

    def _takes_failure(self, resource):
        if {resource.data["uuid"], resource.data["name"]} & set(self.config["failing_resources"]):
            return True
        if self.config["fail_next_deployments"] > 0:
            self.config["fail_next_deployments"] -= 1
            return True
        return False

    def _queue_deployment(self, resource, restart_only=False, force=False):
        self._check_queue()
        now = self.clock()
        previous_ends = [d["ends"] for d in self.deployments.values() if d["resource"] == resource.data["uuid"]]
        begins = max([now, *previous_ends])
        queued, running = self.config["queued_seconds"], self.config["in_progress_seconds"]
        stamp = timestamp()
        uuid = new_public_id()
        environment = self.environments[resource.environment]
        project = next(p for p in self.projects.values() if p["id"] == environment["project_id"])
        data = {
            "id": self._new_id(), "application_id": str(resource.data["id"]), "deployment_uuid": uuid,
            "pull_request_id": 0, "force_rebuild": force, "commit": "HEAD", "status": "queued",
            "is_webhook": False, "is_api": True, "created_at": stamp, "updated_at": stamp, "logs": "[]",
            "restart_only": restart_only, "server_id": 0, "application_name": resource.data["name"],
            "server_name": self.server["name"], "destination_id": "0", "only_this_server": False, "rollback": False,
            "deployment_url": f"/project/{project['uuid']}/environment/{environment['uuid']}"
                              f"/application/{resource.data['uuid']}/deployment/{uuid}",
        }
        self.deployments[uuid] = {"data": data, "resource": resource.data["uuid"], "starts": begins + queued,
                                  "ends": begins + queued + running, "fails": self._takes_failure(resource),
                                  "done": False}
        return data

    def _advance(self):
        """Move deployments and starting resources along the clock; apply what finished."""
        now = self.clock()
        for deployment in self.deployments.values():
            if deployment["done"]:
                continue
            data = deployment["data"]
            if now >= deployment["ends"]:
                self._finish_deployment(deployment)
            elif now >= deployment["starts"] and data["status"] == "queued":
                data.update(status="in_progress", updated_at=timestamp(),
                            logs=deployment_logs(["Starting deployment of " + data["application_name"] + "."]))
        warmup = self.config["queued_seconds"] + self.config["in_progress_seconds"]
        for resource in self.resources.values():
            if resource.started_at is not None and now >= resource.started_at + warmup:
                resource.started_at = None
                self._set_status(resource, "running:healthy")

    def _finish_deployment(self, deployment):
        data = deployment["data"]
        deployment["done"] = True
        lines = ["Starting deployment of " + data["application_name"] + "."]
        resource = self.resources.get(deployment["resource"])
        if deployment["fails"]:
            lines.append("Deployment failed: the sandbox injected a failure "
                         "(fail_next_deployments / failing_resources).")
            data.update(status="failed", logs=deployment_logs(lines, failed=True), updated_at=timestamp())
            return
        lines.append("New container started. Rolling update completed.")
        data.update(status="finished", logs=deployment_logs(lines), updated_at=timestamp())
        if resource is not None:
            self._set_status(resource, "running:healthy")

    def _deploy(self, call):
        args = call.request.args
        body = {}
        if call.request.mimetype == "application/json" and call.request.get_data().strip():
            body = call.json()  # Laravel's $request->input(): the JSON body, then the query string
        uuids = body.get("uuid") if body.get("uuid") is not None else args.get("uuid")
        tags = body.get("tag") if body.get("tag") is not None else args.get("tag")
        if isinstance(uuids, list):
            uuids = ",".join(str(u) for u in uuids)
        if isinstance(tags, list):
            tags = ",".join(str(t) for t in tags)
        if uuids and tags:
            raise ApiFailure(400, "You can only use uuid or tag, not both.")
        if not uuids and not tags:
            raise ApiFailure(400, "You must provide uuid or tag.")
        if uuids:
            wanted = [u.strip() for u in str(uuids).split(",") if u.strip()]
            targets = [self.resources[u] for u in wanted if u in self.resources]
        else:
            names = {t.strip() for t in str(tags).split(",") if t.strip()}
            targets = [r for r in self.resources.values() if names & set(r.tags)]
        if not targets:
            raise ApiFailure(404, "No resources found." if uuids else "No resources found with this tag.")
        force = query_flag(args, "force", False) or body.get("force") is True
        if not uuids:
            return self._deploy_by_tags(targets, force)
        results = []
        for resource in targets:
            if resource.kind == "application":
                data = self._queue_deployment(resource, force=force)
                results.append({"message": f"Application {resource.data['name']} deployment queued.",
                                "resource_uuid": resource.data["uuid"], "deployment_uuid": data["deployment_uuid"]})
            else:
                self._start(resource)
                results.append({"message": f"{resource.kind.capitalize()} {resource.data['name']} started. "
                                           "It could take a while, be patient.",
                                "resource_uuid": resource.data["uuid"]})
        return json_response({"deployments": results})

    def _deploy_by_tags(self, targets, force):
        """``{message: [...], details: [{resource_uuid, deployment_uuid}]}``: DeployController::by_tags."""
        messages, details = [], []
        for resource in targets:
            if resource.kind == "application":
                data = self._queue_deployment(resource, force=force)
                messages.append(f"Application {resource.data['name']} deployment queued.")
                details.append({"resource_uuid": resource.data["uuid"], "deployment_uuid": data["deployment_uuid"]})
            else:
                self._start(resource)
                messages.append(f"{resource.kind.capitalize()} {resource.data['name']} started. "
                                "It could take a while, be patient.")
        payload = {"message": messages}
        if details:
            payload["details"] = details
        return json_response(payload)

    def _list_deployments(self, call):
        return json_response([self._visible("deployment", d["data"], call.sensitive) for d in self.deployments.values()
                              if d["data"]["status"] in ("queued", "in_progress")])

    def _get_deployment(self, call, uuid):
        deployment = self.deployments.get(uuid)
        if deployment is None:
            raise not_found("Deployment")
        return json_response(self._visible("deployment", deployment["data"], call.sensitive))

    def _list_application_deployments(self, call, uuid):
        self._resource("application", uuid)
        args = call.request.args
        try:
            skip, take = int(args.get("skip", 0)), int(args.get("take", 10))
        except ValueError:
            raise validation_failed({"skip": ["The skip and take must be integers."]}) from None
        if skip < 0 or take < 1:
            raise validation_failed({"take": ["The skip must be >= 0 and take >= 1."]})
        found = [d["data"] for d in self.deployments.values() if d["resource"] == uuid]
        found.reverse()  # newest first
        return json_response({"count": len(found), "deployments": [
            self._visible("deployment", d, call.sensitive) for d in found[skip:skip + take]]})

    # -- the edge ------------------------------------------------------------------------------------

    def edge_target(self, host):
        """What answers on ``host``: ``(name, running, wordpress)`` or None for an unknown host."""
        with self.lock:
            self._advance()
            for resource in self.resources.values():
                if any(host in url_hosts(fqdn) for fqdn in self._resource_fqdns(resource)):
                    return resource.data["name"], resource.data["status"].startswith("running"), resource.wordpress
        return None


def deployment_logs(lines, failed=False):
    """The ``logs`` field: a JSON-encoded list of log entries (NOTES.md "Deployments")."""
    stamp = timestamp()
    entries = [{"command": None, "output": line, "type": "stdout", "timestamp": stamp, "hidden": False,
                "batch": 1, "order": index + 1} for index, line in enumerate(lines)]
    if failed:
        entries[-1]["type"] = "stderr"
    return json.dumps(entries)


HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "content-length", "content-encoding"})


class CoolifyEdge:
    """WSGI app: the proxy in front of deployed resources, routing by ``Host``.

    A running WordPress resource is reverse-proxied to the emulator's ``wordpress_url``
    (a placeholder page while that is unset): when that is the sandbox WordPress and it has a
    tenant named like the host (``/t/<host>/``, see ``wordpress_front.py``), to that tenant, else
    to its default site.  Another running resource answers 200 with a page naming it; a stopped
    or not yet deployed one 503; an unknown host 404.
    """

    def __init__(self, emulator):
        self.emulator = emulator
        self.http = requests.Session()

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.answer(request)(environ, start_response)

    def close(self):
        """Drop the pooled upstream connections (the launcher calls it at shutdown)."""
        self.http.close()

    def answer(self, request):
        host = request.host.rsplit(":", 1)[0].lower() if request.host else ""
        target = self.emulator.edge_target(host)
        if target is None:
            return text_response(f"<h1>404</h1><p>No resource answers on {host}.</p>", 404)
        name, running, wordpress = target
        if not running:
            return text_response(f"<h1>503</h1><p>{name} is not running.</p>", 503)
        upstream = self.emulator.config["wordpress_url"]
        if wordpress and upstream:
            return self.proxy(request, self.tenant_upstream(upstream, host) or upstream, host)
        kind = "WordPress (sandbox placeholder)" if wordpress else "sandbox resource"
        return text_response(f"<!doctype html><title>{name}</title><h1>{name}</h1><p>{kind} on {host}</p>")

    def tenant_upstream(self, upstream, host):
        """The URL of the sandbox WordPress's tenant ``host`` when ``upstream`` is that WordPress and has it."""
        tenant_url = getattr(self.emulator.shared.get("wordpress"), "existing_tenant_url", None)
        return tenant_url(host, upstream) if tenant_url is not None else None

    def proxy(self, request, upstream, host):
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        headers.update({"X-Forwarded-Host": host, "X-Forwarded-Proto": request.scheme})
        try:
            target = request.environ.get("REQUEST_URI") or request.full_path.rstrip("?")
            answer = self.http.request(request.method, upstream.rstrip("/") + target,
                                       headers=headers, data=request.get_data(), allow_redirects=False, timeout=60)
        except requests.RequestException as error:
            return text_response(f"<h1>502</h1><p>WordPress upstream failed: {type(error).__name__}</p>", 502)
        passed = [(k, v) for k, v in answer.raw.headers.items() if k.lower() not in HOP_BY_HOP]
        return Response(answer.content, status=answer.status_code, headers=passed)
