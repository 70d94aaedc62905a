#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_service
short_description: Manage a Coolify service defined by a raw compose file
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Ensures a service built from a Docker Compose file exists in a project environment, with the given
    compose file, description and domains, or does not exist.
  - 'Identity: Coolify does not keep service names unique. The service is the one with the pinned O(uuid),
    else the only service called O(name) in the O(project) and O(environment); several are an error that
    lists their uuids.'
  - The compose file is compared as parsed YAML, because Coolify stores a re-serialised copy of it
    (different formatting and key order). Comparing it needs the C(read:sensitive) ability.
  - Domains are set through Coolify's C(urls) field, per compose service.
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
    details: C(before) and C(after) hold the name, description, domains and the normalised compose file.
  action_group:
    description: Use C(group/fabrik.deploy.coolify) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.coolify
options:
  name:
    description:
      - Name of the service.
    type: str
    required: true
  uuid:
    description:
      - Uuid of the service, when known; it takes precedence over O(name) for the lookup, and the service
        is renamed to O(name).
    type: str
  compose:
    description:
      - The Docker Compose file, as text. Required with O(state=present).
      - Secrets belong in environment variables (M(fabrik.deploy.coolify_envs)) referenced as C(${VAR}).
    type: str
  description:
    description:
      - Description of the service. Left as it is when omitted.
    type: str
  urls:
    description:
      - Domains per compose service. Compose services not listed keep their domains.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the service in the compose file.
        type: str
        required: true
      urls:
        description:
          - Full URLs with scheme, for example V(https://www.example.com); a port suffix
            (V(https://example.com:8080)) names the container port the proxy forwards to.
        type: list
        elements: str
        required: true
  state:
    description:
      - V(absent) deletes the service.
    type: str
    choices: [present, absent]
    default: present
  delete_volumes:
    description:
      - With O(state=absent), also delete the service's volumes (its data). Coolify's own default is to
        delete them; this module keeps them unless this is V(true).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The site as a compose service
  fabrik.deploy.coolify_service:
    project: example.com
    environment: production
    server: main
    name: example-com
    compose: "{{ lookup('ansible.builtin.template', 'compose.yml.j2') }}"
    urls:
      - name: web
        urls: [https://example.com, https://www.example.com]
  register: service

- name: Delete the service but keep its data volumes
  fabrik.deploy.coolify_service:
    project: example.com
    name: example-com
    state: absent
"""

RETURN = r"""
service:
  description:
    - The service after the change; V(null) when absent. In check mode a service that would be created has
      C(uuid=null).
  returned: always
  type: dict
  contains:
    uuid:
      description: Uuid of the service.
      type: str
    name:
      description: Name.
      type: str
    description:
      description: Description.
      type: str
    status:
      description: Runtime state, C(<state>:<health>) (for example C(running:healthy)).
      type: str
    urls:
      description: Domains per compose service, as given by Coolify.
      type: list
      elements: dict
compose_changed:
  description: Whether the compose file was (or would be) changed or created.
  returned: always
  type: bool
version:
  description: The Coolify version of the instance.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _compose
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, run
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    Scope,
    b64,
    client_from_module,
    compact,
    coolify_argument_spec,
    require_field,
    resource_status,
    scope_argument_spec,
    url_set,
    validate_urls,
)


def service_urls(client, service):
    """{compose service name: set of URLs} from the service's parts (embedded or read)."""
    parts = service.get("applications")
    if parts is None:
        parts = client.call("GET", "/services/%s/applications" % service["uuid"], "list service applications") or []
    return {part.get("name"): url_set(part.get("fqdn")) for part in parts}


def urls_body(urls):
    return [{"name": item["name"], "url": ",".join(item["urls"])} for item in urls]


def service_view(service, urls):
    if service is None:
        return None
    return {
        "uuid": service.get("uuid"),
        "name": service.get("name"),
        "description": service.get("description"),
        "status": resource_status(service) if service.get("uuid") else None,
        "urls": [{"name": name, "urls": sorted(found)} for name, found in sorted(urls.items())],
    }


def diff_side(service, urls, document):
    if service is None:
        return {}
    side = service_view(service, urls)
    side.pop("status")
    side["compose"] = _compose.dump_normalised(document) if document else None
    return side


def validate(params):
    """(compose document, urls): checked before any request."""
    if params["state"] == "absent":
        return None, None
    if params["compose"] is None:
        raise SpecError("compose", "a compose file is required with state=present")
    document = _compose.parse(params["compose"])
    urls = validate_urls(params["urls"]) if params["urls"] is not None else None
    for index, item in enumerate(urls or []):
        if item["name"] not in document["services"]:
            raise SpecError("urls[%d].name" % index, "no service %s in the compose file (services: %s)"
                            % (item["name"], ", ".join(sorted(document["services"]))))
    return document, urls


def plan_changes(client, params, existing, document, urls):
    """(PATCH body, current urls, current compose document) for an existing service."""
    current_document = _compose.parse(require_field(existing, "docker_compose_raw", "compose file"),
                                      "docker_compose_raw (as stored by Coolify)")
    changes = {}
    if not _compose.same(current_document, document):
        changes["docker_compose_raw"] = b64(params["compose"])
    for key in ("name", "description"):
        if params[key] is not None and params[key] != existing.get(key):
            changes[key] = params[key]
    current_urls = service_urls(client, existing) if urls is not None else {}
    if urls is not None and any(set(item["urls"]) != current_urls.get(item["name"], set()) for item in urls):
        changes["urls"] = urls_body(urls)
    return changes, current_urls, current_document


def present(module, client, scope, existing, document, urls):
    params = module.params
    wanted_urls = {item["name"]: set(item["urls"]) for item in urls or []}
    if existing is None:
        body = dict(scope.placement(), **compact({
            "name": params["name"], "description": params["description"],
            "docker_compose_raw": b64(params["compose"]), "urls": urls_body(urls) if urls else None,
        }))
        if module.check_mode:
            service = {"uuid": None, "name": params["name"], "description": params["description"]}
        else:
            service = client.create_resource("service", "/services", body, scope.lookup("service", params["name"]))
        return dict(changed=True, compose_changed=True, service=service_view(service, wanted_urls),
                    diff=dict(before={}, after=diff_side(service, wanted_urls, document)))
    changes, current_urls, current_document = plan_changes(client, params, existing, document, urls)
    after_urls = dict(current_urls, **wanted_urls)
    service = existing
    if changes:
        service = dict(existing, **{key: params[key] for key in ("name", "description") if key in changes})
        if not module.check_mode:
            service = client.update_resource("service", existing["uuid"], changes)
            if urls is not None:
                after_urls = service_urls(client, service)
    return dict(changed=bool(changes), compose_changed="docker_compose_raw" in changes,
                service=service_view(service, after_urls),
                diff=dict(before=diff_side(existing, current_urls, current_document),
                          after=diff_side(service, after_urls, document)))


def converge(module):
    params = module.params
    document, urls = validate(params)
    client = client_from_module(module)
    version = client.version()
    scope = Scope(client, params)
    existing = scope.find("service", params["name"], params["uuid"])
    if existing is None and params["state"] == "present":
        scope.require_for_create(module)
    if params["state"] == "absent":
        if existing is not None and not module.check_mode:
            client.delete_resource("service", existing["uuid"], params["delete_volumes"])
        before = service_view(existing, {}) if existing else None
        return dict(changed=existing is not None, compose_changed=False, service=None, version=version,
                    diff=dict(before=before or {}, after={}))
    return dict(present(module, client, scope, existing, document, urls), version=version)


def main():
    argument_spec = coolify_argument_spec()
    argument_spec.update(scope_argument_spec())
    argument_spec.update(
        name=dict(type="str", required=True),
        uuid=dict(type="str"),
        compose=dict(type="str"),
        description=dict(type="str"),
        urls=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            urls=dict(type="list", elements="str", required=True),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        delete_volumes=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_one_of=[("project", "project_uuid", "uuid")])
    result = run(module, lambda: converge(module))
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
