#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_application
short_description: Manage a Coolify application built from git, a Dockerfile or a Docker image
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Ensures an application exists in a project environment with the given source, ports and domains,
    or does not exist.
  - 'Three kinds: V(git) (a public git repository, built with O(build_pack)), V(dockerfile) (a Dockerfile
    given as text) and V(dockerimage) (an image from a registry). A compose file is a service:
    see M(fabrik.deploy.coolify_service).'
  - 'Identity: Coolify does not keep application names unique. The application is the one with the pinned
    O(uuid), else the only application called O(name) in the O(project) and O(environment); several are
    an error that lists their uuids.'
  - Only the fields set here are sent and compared; everything else is left as Coolify has it.
  - The module does not deploy; use M(fabrik.deploy.coolify_deploy) after a change.
extends_documentation_fragment:
  - fabrik.deploy.coolify
  - fabrik.deploy.coolify.scope
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: C(before) and C(after) hold the managed fields.
  action_group:
    description: Use C(group/fabrik.deploy.coolify) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.coolify
options:
  name:
    description:
      - Name of the application.
    type: str
    required: true
  uuid:
    description:
      - Uuid of the application, when known; it takes precedence over O(name) for the lookup.
    type: str
  kind:
    description:
      - Where the application comes from. Required with O(state=present).
    type: str
    choices: [git, dockerfile, dockerimage]
  git_repository:
    description:
      - URL of a public git repository (O(kind=git)).
    type: str
  git_branch:
    description:
      - Branch to build (O(kind=git)).
    type: str
    default: main
  build_pack:
    description:
      - How Coolify builds a git application.
    type: str
    choices: [nixpacks, railpack, static, dockerfile, dockercompose]
    default: nixpacks
  dockerfile:
    description:
      - The Dockerfile, as text (O(kind=dockerfile)). Comparing it needs the C(read:sensitive) ability.
    type: str
  image:
    description:
      - Image name without tag, for example V(ghcr.io/example/api) (O(kind=dockerimage)).
    type: str
  image_tag:
    description:
      - Image tag (O(kind=dockerimage)); pin a version rather than V(latest).
    type: str
  ports_exposes:
    description:
      - Container ports the proxy may reach, comma-separated, for example V(3000).
    type: str
  domains:
    description:
      - Full URLs with scheme the application answers on, for example V(https://api.example.com).
        Left as they are when omitted (a new application then gets a generated domain).
    type: list
    elements: str
  description:
    description:
      - Description of the application. Left as it is when omitted.
    type: str
  settings:
    description:
      - Further fields of Coolify's application API sent as given (for example C(health_check_path),
        C(limits_memory), C(start_command)), compared with the values Coolify returns.
    type: dict
    default: {}
  state:
    description:
      - V(absent) deletes the application.
    type: str
    choices: [present, absent]
    default: present
  delete_volumes:
    description:
      - With O(state=absent), also delete the application's volumes (its data). Coolify's own default is to
        delete them; this module keeps them unless this is V(true).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: An API from a pinned image
  fabrik.deploy.coolify_application:
    project: example.com
    server: main
    name: example-api
    kind: dockerimage
    image: ghcr.io/example/api
    image_tag: "1.4.2"
    ports_exposes: "8000"
    domains: [https://api.example.com]
    settings:
      health_check_enabled: true
      health_check_path: /health

- name: A site built from git with nixpacks
  fabrik.deploy.coolify_application:
    project: example.com
    server: main
    name: example-site
    kind: git
    git_repository: https://github.com/example/site
    git_branch: main
    ports_exposes: "3000"
"""

RETURN = r"""
application:
  description:
    - The application after the change (C(uuid), C(name), C(description), C(build_pack), C(fqdn), C(status)
      and the managed fields); V(null) when absent. In check mode one that would be created has C(uuid=null).
  returned: always
  type: dict
version:
  description: The Coolify version of the instance.
  returned: always
  type: str
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    Scope,
    b64,
    client_for,
    compact,
    coolify_argument_spec,
    require_field,
    resource_status,
    scope_argument_spec,
    url_set,
    validate_url,
)

CREATE_PATHS = {"git": "/applications/public", "dockerfile": "/applications/dockerfile",
                "dockerimage": "/applications/dockerimage"}
PORTS = re.compile(r"^\d{1,5}(,\d{1,5})*$")
RESERVED_SETTINGS = ("domains", "fqdn", "project_uuid", "server_uuid", "environment_name", "environment_uuid",
                     "destination_uuid", "docker_compose_raw")
VIEW_FIELDS = ("uuid", "name", "description", "build_pack", "git_repository", "git_branch",
               "docker_registry_image_name", "docker_registry_image_tag", "ports_exposes", "fqdn")

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        **scope_argument_spec(),
        name=dict(type="str", required=True),
        uuid=dict(type="str"),
        kind=dict(type="str", choices=["git", "dockerfile", "dockerimage"]),
        git_repository=dict(type="str"),
        git_branch=dict(type="str", default="main"),
        build_pack=dict(type="str", choices=["nixpacks", "railpack", "static", "dockerfile", "dockercompose"],
                        default="nixpacks"),
        dockerfile=dict(type="str"),
        image=dict(type="str"),
        image_tag=dict(type="str"),
        ports_exposes=dict(type="str"),
        domains=dict(type="list", elements="str"),
        description=dict(type="str"),
        settings=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        delete_volumes=dict(type="bool", default=False),
    ),
    required_one_of=[("project", "project_uuid", "uuid")],
    supports_check_mode=True,
)


def validate(params):
    """The desired API fields (plain values) and domains, checked before any request."""
    kind = params["kind"]
    if kind is None:
        raise SpecError("kind", "one of git, dockerfile, dockerimage is required with state=present")
    required = {"git": "git_repository", "dockerfile": "dockerfile", "dockerimage": "image"}[kind]
    if not params[required]:
        raise SpecError(required, "required with kind=%s" % kind)
    if params["ports_exposes"] is not None and not PORTS.match(params["ports_exposes"].replace(" ", "")):
        raise SpecError("ports_exposes", "comma-separated port numbers expected, got %s" % params["ports_exposes"])
    for key in params["settings"]:
        if key in RESERVED_SETTINGS:
            raise SpecError("settings.%s" % key, "set through its own option or the scope options, not settings")
    domains = None
    if params["domains"] is not None:
        domains = [validate_url(url, "domains[%d]" % index) for index, url in enumerate(params["domains"])]
    fields = dict(params["settings"], **compact({
        "name": params["name"],
        "description": params["description"],
        "ports_exposes": params["ports_exposes"].replace(" ", "") if params["ports_exposes"] else None,
    }))
    if kind == "git":
        fields.update(git_repository=params["git_repository"], git_branch=params["git_branch"],
                      build_pack=params["build_pack"])
    elif kind == "dockerfile":
        fields.update(dockerfile=params["dockerfile"])
    else:
        fields.update(compact({"docker_registry_image_name": params["image"],
                               "docker_registry_image_tag": params["image_tag"]}))
    return fields, domains


def changes_for(existing, fields, domains):
    """The PATCH body for ``existing``: the fields that differ, encoded as Coolify wants them."""
    changes = {}
    for key, value in fields.items():
        current = require_field(existing, key, "Dockerfile") if key == "dockerfile" else existing.get(key)
        if current != value and not (isinstance(value, (int, float, bool)) and str(current) == str(value)):
            changes[key] = b64(value) if key == "dockerfile" else value
    if domains is not None and set(domains) != url_set(existing.get("fqdn")):
        changes["domains"] = ",".join(domains)
    return changes


def view(application):
    if application is None:
        return None
    shown = {key: application.get(key) for key in VIEW_FIELDS}
    shown["status"] = resource_status(application) if application.get("uuid") else None
    return shown


def diff_side(application, fields):
    if application is None:
        return {}
    side = {key: application.get(key) for key in sorted(set(fields) | {"fqdn"}) if key != "dockerfile"}
    if "dockerfile" in fields:
        side["dockerfile"] = application.get("dockerfile")
    return side


def present(ctx, client, scope, existing, fields, domains):
    kind = ctx.params["kind"]
    if existing is None:
        body = dict(scope.placement(), **fields)
        if kind == "dockerfile":
            body["dockerfile"] = b64(fields["dockerfile"])
        if domains is not None:
            body["domains"] = ",".join(domains)
        predicted = dict(fields, uuid=None, fqdn=",".join(domains or []) or None)
        if ctx.check_mode:
            application = predicted
        else:
            lookup = scope.lookup("application", ctx.params["name"])
            application = client.create_resource("application", CREATE_PATHS[kind], body, lookup)
            application = scope.settle_created("application", ctx.params["name"], application)
        return dict(changed=True, application=view(application),
                    diff=dict(before={}, after=diff_side(predicted, fields)))
    changes = changes_for(existing, fields, domains)
    application = existing
    if changes:
        predicted = dict(existing, **fields)
        if domains is not None:
            predicted["fqdn"] = ",".join(domains)
        application = predicted if ctx.check_mode else client.update_resource("application", existing["uuid"], changes)
    return dict(changed=bool(changes), application=view(application),
                diff=dict(before=diff_side(existing, fields), after=diff_side(application, fields)))


def run(ctx):
    params = ctx.params
    fields, domains = validate(params) if params["state"] == "present" else ({}, None)
    client = client_for(ctx)
    version = client.version()
    scope = Scope(client, params)
    existing = scope.find("application", params["name"], params["uuid"])
    if params["state"] == "absent":
        if existing is not None and not ctx.check_mode:
            client.delete_resource("application", existing["uuid"], params["delete_volumes"])
        return dict(changed=existing is not None, application=None, version=version,
                    diff=dict(before=view(existing) or {}, after={}))
    if existing is None:
        scope.require_for_create(ctx)
    return dict(present(ctx, client, scope, existing, fields, domains), version=version)


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
