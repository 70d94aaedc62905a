"""coolipy (a Coolify API client) against the Coolify emulator: what its users do.

Version and team, servers and their resources, projects and environments, a docker-image
application (create, env vars, deploy by uuid, deployment status), a raw-compose service (create,
env vars with and without a value, bulk update, start, start again), deploy by tag, cleanup.
Calls where coolipy follows the spec and the live API differs are left out and listed in
tests/sandbox/README.md ("Client bugs"): ``deployments.application_deployments`` (the live
answer is ``{count, deployments}``, coolipy expects a list) and ``deployments.deploy(tag=...)`` (the
live answer is ``{message: [...], details: [...]}``, coolipy reads ``deployments``).
"""

import base64
import time
from urllib.parse import urlsplit

from coolipy import Coolipy
from coolipy.exceptions import CoolipyHTTPError
from coolipy.models.applications import ApplicationDockerImageModelCreate
from coolipy.models.common import BulkEnvsUpdate, EnvironmentVariableCreate
from coolipy.models.projects import EnvironmentCreateModel, ProjectCreateModel
from coolipy.models.services import ServiceCreateModel

from _common import CONNECTION, check, finish, step

CO = CONNECTION["coolify"]
root = urlsplit(CO["root"])
client = Coolipy(coolify_api_key=CO["api_token"], coolify_endpoint=root.hostname, coolify_port=root.port,
                 http_protocol="http")
SERVER = {}
COMPOSE = """services:
  web:
    image: nginx:1.27-alpine
    environment:
      - GREETING=${GREETING:-hello}
"""


def version_and_team():
    check(client.version().data.startswith("4."), "version: %r", client.version().data)
    team = client.teams.current().data
    check(team.id is not None and team.name, "team: %r", team)
    check([t.id for t in client.teams.list().data] == [team.id], "teams list")


def servers():
    listed = client.servers.list().data
    check(len(listed) == 1, "one sandbox server: %r", listed)
    SERVER["uuid"] = listed[0].uuid
    server = client.servers.get(SERVER["uuid"]).data
    check(server.ip == "127.0.0.1", "server: %r", server)
    check(client.servers.resources(SERVER["uuid"]).data == [], "no resources yet")


def projects():
    created = client.projects.create(ProjectCreateModel(name="coolipy-site", description="conformance")).data
    SERVER["project"] = created.uuid
    project = client.projects.get(created.uuid).data
    check(project.name == "coolipy-site", "project: %r", project)
    staging = client.projects.create_environment(created.uuid, EnvironmentCreateModel(name="staging")).data
    names = sorted(env.name for env in client.projects.environments(created.uuid).data)
    check(names == ["production", "staging"], "environments: %r", names)
    check(client.projects.environment(created.uuid, "staging").data.name == "staging", "by name")
    check(client.projects.environment(created.uuid, staging.uuid).data.name == "staging", "by uuid")


def wait_deployment(uuid):
    for _attempt in range(100):
        status = client.deployments.get(uuid).data.status
        if status in ("finished", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError("deployment %s never finished" % uuid)


def application():
    model = ApplicationDockerImageModelCreate(
        project_uuid=SERVER["project"], server_uuid=SERVER["uuid"], environment_name="production",
        docker_registry_image_name="nginx", docker_registry_image_tag="1.27-alpine", ports_exposes="80",
        name="coolipy-app", domains="https://app.fabrik-coolipy.com")
    app = client.applications.create(model).data
    SERVER["app"] = app.uuid
    client.applications.create_env(app.uuid, EnvironmentVariableCreate(key="MODE", value="production"))
    envs = {env.key: env for env in client.applications.envs(app.uuid).data}
    check(envs["MODE"].value == "production", "env: %r", envs)
    deployed = client.deployments.deploy(uuid=app.uuid).data.deployments
    check(len(deployed) == 1 and deployed[0].deployment_uuid, "deploy by uuid: %r", deployed)
    check(wait_deployment(deployed[0].deployment_uuid) == "finished", "deployment finished")
    check(client.applications.get(app.uuid).data.status.startswith("running"), "application running")


def service():
    model = ServiceCreateModel(
        name="coolipy-compose", project_uuid=SERVER["project"], server_uuid=SERVER["uuid"],
        environment_name="production", docker_compose_raw=base64.b64encode(COMPOSE.encode()).decode())
    created = client.services.create(model).data
    uuid = created["uuid"]
    SERVER["service"] = uuid
    client.services.create_env(uuid, EnvironmentVariableCreate(key="GREETING", value="hi"))
    client.services.create_env(uuid, EnvironmentVariableCreate(key="EMPTY"))  # no value: nullable live
    client.services.bulk_update_envs(uuid, BulkEnvsUpdate(data=[{"key": "GREETING", "value": "hello"},
                                                                {"key": "OTHER", "value": "x"}]))
    envs = {env.key: env.value for env in client.services.envs(uuid).data}
    check(envs.get("GREETING") == "hello" and envs.get("OTHER") == "x" and "EMPTY" in envs, "envs: %r", envs)
    client.services.start(uuid)
    for _attempt in range(50):
        if str(client.services.get(uuid).data.model_dump().get("status", "running")).startswith("running"):
            break
        time.sleep(0.1)
    try:
        client.services.start(uuid)
    except CoolipyHTTPError as error:
        check(error.status_code == 400 and "already running" in str(error), "second start: %s", error)
    else:
        raise AssertionError("starting a running service answered 2xx (live: 400)")
    resources = client.servers.resources(SERVER["uuid"]).data
    check(sorted(r["uuid"] for r in resources) == sorted([SERVER["app"], uuid]), "server resources: %r", resources)


def cleanup():
    client.services.delete(SERVER["service"])
    client.applications.delete(SERVER["app"])
    client.projects.delete(SERVER["project"])
    check(all(p.uuid != SERVER["project"] for p in client.projects.list().data), "project deleted")


step("version and team", version_and_team)
step("servers", servers)
step("projects and environments", projects)
step("a docker-image application: env, deploy by uuid, status", application)
step("a raw-compose service: envs, bulk update, start twice", service)
step("delete everything", cleanup)
finish()
