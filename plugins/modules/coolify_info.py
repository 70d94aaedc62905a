#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_info
short_description: Read a Coolify instance, and check it can take a deployment before anything is changed
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Returns the version, servers and projects of the token's team; with O(project), the environment and its
    resources; with O(uuid) and O(kind), one resource and the keys of its environment variables.
  - As a preflight it fails when the version is not supported, when O(server) does not exist, or when the token
    lacks an ability in O(require_abilities), so that a playbook stops before its first change.
extends_documentation_fragment:
  - fabrik.deploy.coolify
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: The module changes nothing; the ability probes run in check mode too.
  diff_mode:
    support: none
  action_group:
    description: Use C(group/fabrik.deploy.coolify) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.coolify
options:
  project:
    description:
      - Name of a project (unique name) whose environment O(environment) to return.
    type: str
  project_uuid:
    description:
      - Uuid of the project, instead of O(project).
    type: str
  environment:
    description:
      - Name of the environment to return with O(project).
    type: str
    default: production
  server:
    description:
      - Name of a server that must exist (returned in RV(server)).
    type: str
  server_uuid:
    description:
      - Uuid of a server that must exist, instead of O(server).
    type: str
  kind:
    description:
      - Kind of the resource O(uuid).
    type: str
    choices: [application, service, database]
  uuid:
    description:
      - Uuid of a resource to return (with O(kind)).
    type: str
  require_abilities:
    description:
      - Abilities the token must have, checked with requests that change nothing (Coolify has no token
        introspection; each probe addresses an object that cannot exist and reads the 403 or 404 answer).
    type: list
    elements: str
    choices: [write, deploy]
    default: []
"""

EXAMPLES = r"""
- name: Preflight - supported version, the server exists, the token may write and deploy
  fabrik.deploy.coolify_info:
    server: main
    require_abilities: [write, deploy]

- name: What the site's environment holds
  fabrik.deploy.coolify_info:
    project: example.com
    environment: production
  register: coolify
"""

RETURN = r"""
version:
  description: The Coolify version.
  returned: always
  type: str
  sample: 4.3.11
servers:
  description: Servers of the team (C(uuid), C(name), C(ip)).
  returned: always
  type: list
  elements: dict
projects:
  description: Projects of the team (C(uuid), C(name), C(description)).
  returned: always
  type: list
  elements: dict
server:
  description: The server named by O(server) or O(server_uuid).
  returned: when O(server) or O(server_uuid) is set
  type: dict
environment:
  description:
    - The environment (C(uuid), C(name)) with C(applications), C(services) and C(databases)
      (C(uuid), C(name), C(status)); V(null) when project or environment does not exist.
  returned: when O(project) or O(project_uuid) is set
  type: dict
resource:
  description: The resource O(uuid) (without sensitive fields) and C(env_keys), the keys of its variables.
  returned: when O(uuid) is set
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    Scope,
    client_for,
    coolify_argument_spec,
    environment_resources,
    resource_status,
)

HIDDEN_FIELDS = ("docker_compose_raw", "docker_compose", "dockerfile", "custom_labels", "custom_nginx_configuration")

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        project=dict(type="str"),
        project_uuid=dict(type="str"),
        environment=dict(type="str", default="production"),
        server=dict(type="str"),
        server_uuid=dict(type="str"),
        kind=dict(type="str", choices=["application", "service", "database"]),
        uuid=dict(type="str"),
        require_abilities=dict(type="list", elements="str", choices=["write", "deploy"], default=[]),
    ),
    required_together=[("kind", "uuid")],
    supports_check_mode=True,
)


def summary(resource):
    return {"uuid": resource.get("uuid"), "name": resource.get("name"), "status": resource_status(resource)}


def environment_view(environment):
    if environment is None:
        return None
    view = {"uuid": environment.get("uuid"), "name": environment.get("name")}
    for kind, key in (("application", "applications"), ("service", "services"), ("database", "databases")):
        view[key] = [summary(item) for item in environment_resources(environment, kind)]
    return view


def resource_view(client, kind, uuid):
    resource = client.get_resource(kind, uuid)
    if resource is None:
        raise SpecError("uuid", "no %s with uuid %s" % (kind, uuid))
    view = {key: value for key, value in resource.items() if key not in HIDDEN_FIELDS and "password" not in key}
    view["env_keys"] = sorted({item.get("key") for item in client.list_envs(kind, uuid)})
    return view


def run(ctx):
    params = ctx.params
    client = client_for(ctx)
    result = dict(changed=False, version=client.version())
    if params["require_abilities"]:
        client.require_abilities(params["require_abilities"])
    servers = client.call("GET", "/servers", "list servers") or []
    result["servers"] = [{key: server.get(key) for key in ("uuid", "name", "ip")} for server in servers]
    result["projects"] = [{key: project.get(key) for key in ("uuid", "name", "description")}
                          for project in client.list_projects()]
    if params["server"] is not None or params["server_uuid"]:
        server = client.find_server(params["server"], params["server_uuid"], servers=servers)
        result["server"] = {key: server.get(key) for key in ("uuid", "name", "ip")}
    if params["project"] or params["project_uuid"]:
        result["environment"] = environment_view(Scope(client, params).environment)
    if params["uuid"]:
        result["resource"] = resource_view(client, params["kind"], params["uuid"])
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
