#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_environment
short_description: Create or delete an environment of a Coolify project
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Ensures an environment exists in a project, or does not.
  - Environment names are unique within a project, so the environment is found by O(name).
  - The project is found by O(project_uuid), else by O(project) (its name, which must be unique).
extends_documentation_fragment:
  - fabrik.deploy.coolify
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  action_group:
    description: Use C(group/fabrik.deploy.coolify) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.coolify
options:
  name:
    description:
      - Name of the environment, for example V(production) or V(staging).
    type: str
    required: true
  project:
    description:
      - Name of the project. One of O(project) and O(project_uuid) is required.
      - In check mode a project that does not exist yet (an earlier task would create it) is planned as
        empty, with a warning.
    type: str
  project_uuid:
    description:
      - Uuid of the project.
    type: str
  state:
    description:
      - V(absent) deletes the environment; Coolify refuses while it still has resources.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: A staging environment next to production
  fabrik.deploy.coolify_environment:
    project: example.com
    name: staging
"""

RETURN = r"""
environment:
  description:
    - The environment (C(uuid), C(name)) after the change; V(null) when absent. In check mode an
      environment that would be created has C(uuid=null).
  returned: always
  type: dict
  sample: {uuid: rk4ksk0c8wso0sgkww8k0gc4, name: production}
project_uuid:
  description: Uuid of the project; V(null) in check mode when the project does not exist yet.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import client_for, coolify_argument_spec
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        name=dict(type="str", required=True),
        project=dict(type="str"),
        project_uuid=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ),
    required_one_of=[("project", "project_uuid")],
    supports_check_mode=True,
)


def environment_view(environment):
    if environment is None:
        return None
    return {"uuid": environment.get("uuid"), "name": environment.get("name")}


def find_project(ctx, client):
    params = ctx.params
    project = client.find_project(params["project"], params["project_uuid"])
    if project is None:
        what = params["project_uuid"] or params["project"]
        if not ctx.check_mode:
            raise SpecError("project", "project %s not found: create it first with fabrik.deploy.coolify_project" % what)
        ctx.warn("Project %s does not exist yet; planning against an empty project." % what)
    return project


def run(ctx):
    params = ctx.params
    name = (params["name"] or "").strip()
    if not name:
        raise SpecError("name", "an environment name is required")
    client = client_for(ctx)
    client.version()
    project = find_project(ctx, client)
    project_uuid = project["uuid"] if project else None
    existing = client.get_environment(project_uuid, name) if project else None
    before = environment_view(existing)
    result = dict(changed=False, project_uuid=project_uuid, environment=before)
    if params["state"] == "absent":
        if existing is not None:
            if not ctx.check_mode:
                client.call("DELETE", "/projects/%s/environments/%s" % (project_uuid, existing.get("uuid") or name),
                            "delete environment")
            result.update(changed=True, environment=None)
    elif existing is None:
        environment = {"uuid": None, "name": name} if ctx.check_mode else client.create_environment(project_uuid, name)
        result.update(changed=True, environment=environment_view(environment))
    result["diff"] = dict(before=before or {}, after=result["environment"] or {})
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
