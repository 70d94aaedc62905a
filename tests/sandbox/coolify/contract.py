"""Coolify emulator: constants, the controllers' field lists, routes and the spec corrections.

Each correction cites NOTES.md or says why (tests/sandbox/README.md lists them)."""

import copy
import re

from werkzeug.routing import Map, Rule

from ..openapi import nullable_as_type_union, operations


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
