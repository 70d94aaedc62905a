"""Coolify emulator: ``CoolifyEmulator`` (state, options, routing, authentication, server, team, tags).

The handlers of each resource live in their own module of this package (mixins).
"""

import copy
import itertools
import time

from werkzeug.exceptions import MethodNotAllowed, NotFound

from ..base import Emulator
from ..openapi import ContractValidator, contract_path
from .applications import ApplicationHandlers
from .contract import (
    BASE_PATH,
    DEFAULT_OPTIONS,
    DESTINATION_UUID,
    HEALTH_PATHS,
    POST_ONLY_ENDPOINTS,
    ROUTES,
    SENSITIVE,
    SERVER_IP,
    SERVER_UUID,
    SPEC_CORRECTIONS,
    SPEC_FILE,
    TEAM_ID,
    TOKEN_ABILITIES,
)
from .databases import DatabaseHandlers
from .deployments import DeploymentHandlers
from .envs import EnvHandlers
from .helpers import (
    ApiFailure,
    Call,
    check_fields,
    json_response,
    new_public_id,
    not_found,
    text_response,
    timestamp,
    validation_failed,
)
from .projects import ProjectHandlers
from .resources import ResourceHandlers
from .services import ServiceHandlers


class CoolifyEmulator(ProjectHandlers, ApplicationHandlers, ServiceHandlers, DatabaseHandlers, ResourceHandlers,
                      EnvHandlers, DeploymentHandlers, Emulator):
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
