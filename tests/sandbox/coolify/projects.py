"""Coolify emulator: projects and environments."""

from .contract import DB_ENGINES, ENV_LIST_KEYS, PROJECT_NAME, TEAM_ID
from .helpers import (
    ApiFailure,
    check_fields,
    json_response,
    new_public_id,
    not_found,
    timestamp,
    validation_failed,
)


class ProjectHandlers:
    """Handlers of projects and environments; ``self`` is the ``CoolifyEmulator``."""

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
        """``id``, ``name`` and ``uuid`` of each: the controller selects only those columns."""
        return json_response([{key: env[key] for key in ("id", "name", "uuid")}
                              for env in self._project_environments(self._project(uuid))])

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
