#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_project
short_description: Create, update or delete a Coolify project
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Ensures a project exists in the token's team with the given description, or does not exist.
  - 'Identity: Coolify does not keep project names unique. The project is the one with the pinned
    O(uuid), else the only one called O(name); several projects with that name are an error that lists
    their uuids, so that one can be pinned.'
  - Coolify gives a new project an environment called C(production).
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
      - Name of the project (3 to 255 characters). With O(uuid) set, the project is renamed to it.
    type: str
    required: true
  uuid:
    description:
      - Uuid of the project, when known; it takes precedence over O(name) for the lookup.
    type: str
  description:
    description:
      - Description of the project. Left as it is when omitted.
    type: str
  state:
    description:
      - V(absent) deletes the project; Coolify refuses while it still has resources.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: The site's project
  fabrik.deploy.coolify_project:
    name: example.com
    description: Website of example.com
  register: project

- name: Remove an empty project
  fabrik.deploy.coolify_project:
    name: old.example.com
    state: absent
"""

RETURN = r"""
project:
  description:
    - The project as Coolify has it after the change (C(uuid), C(name), C(description)); V(null) when absent.
    - In check mode a project that would be created has C(uuid=null).
  returned: always
  type: dict
  sample: {uuid: og888os0k0gwsg4ogkcw8k4g, name: example.com, description: Website of example.com}
version:
  description: The Coolify version of the instance.
  returned: always
  type: str
  sample: 4.3.11
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    client_for,
    compact,
    coolify_argument_spec,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, changed_fields

MIN_NAME = 3
MAX_NAME = 255

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        name=dict(type="str", required=True),
        uuid=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ),
    supports_check_mode=True,
)


def project_view(project):
    if project is None:
        return None
    return {key: project.get(key) for key in ("uuid", "name", "description")}


def validate(params):
    name = (params["name"] or "").strip()
    if not MIN_NAME <= len(name) <= MAX_NAME:
        raise SpecError("name", "%d..%d characters expected, got %d" % (MIN_NAME, MAX_NAME, len(name)))
    return name


def run(ctx):
    params = ctx.params
    name = validate(params)
    client = client_for(ctx)
    version = client.version()
    existing = client.find_project(name, params["uuid"])
    before = project_view(existing)
    result = dict(changed=False, version=version, project=before)
    if params["state"] == "absent":
        if existing is not None:
            if not ctx.check_mode:
                client.call("DELETE", "/projects/%s" % existing["uuid"], "delete project")
            result.update(changed=True, project=None)
    elif existing is None:
        desired = compact({"name": name, "description": params["description"]})
        project = dict(desired, uuid=None) if ctx.check_mode else client.create_project(name, params["description"])
        result.update(changed=True, project=project_view(project))
    else:
        changes = changed_fields(existing, compact({"name": name, "description": params["description"]}))
        if changes:
            project = dict(existing, **changes)
            if not ctx.check_mode:
                client.call("PATCH", "/projects/%s" % existing["uuid"], "update project", body=changes, idempotent=True)
                project = client.call("GET", "/projects/%s" % existing["uuid"], "get project")
            result.update(changed=True, project=project_view(project))
    result["diff"] = dict(before=before or {}, after=result["project"] or {})
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
