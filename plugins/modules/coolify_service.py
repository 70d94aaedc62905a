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
  - With O(envs), the service's environment variables are converged in the same invocation, exactly as
    M(fabrik.deploy.coolify_envs) does (read once, one bulk request for every creation and update).
  - With O(create_scope=true), a missing project and environment are created too, so one task sets up a site.
  - Everything is read and planned before the first write; then the server (for a new service) and the token's
    abilities (O(require_abilities)) are checked, so bad input or a weak token fails before anything is
    changed. A run that changes nothing sends no probe and no write.
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
  create_scope:
    description:
      - Create the project O(project) (with O(project_description)) and its environment O(environment) when they
        do not exist. Without it, they must exist (see M(fabrik.deploy.coolify_project) and
        M(fabrik.deploy.coolify_environment)).
    type: bool
    default: false
  project_description:
    description:
      - Description of a project created by O(create_scope).
    type: str
  envs:
    description:
      - The service's environment variables, as O(fabrik.deploy.coolify_envs#module:envs) of
        M(fabrik.deploy.coolify_envs) (same suboptions, same identity and generated-secret rules). Left alone
        when omitted.
    type: list
    elements: dict
    suboptions:
      key:
        description: Name of the variable.
        type: str
        required: true
      value:
        description: The value (never returned; masked in the output when it has 8 characters or more).
        type: str
      generate:
        description: Generate a random value when the variable does not exist yet; keep Coolify's afterwards.
        type: dict
        suboptions:
          length:
            description: Number of characters.
            type: int
            default: 32
          charset:
            description: Characters to draw from.
            type: str
            choices: [alnum, hex, urlsafe]
            default: alnum
      is_preview:
        description: The copy used by preview deployments.
        type: bool
        default: false
      is_literal:
        description: Coolify does not interpolate the value.
        type: bool
      is_multiline:
        description: The value spans several lines.
        type: bool
      is_shown_once:
        description: Coolify shows the value only once.
        type: bool
      is_runtime:
        description: Available at run time.
        type: bool
      is_buildtime:
        description: Available at build time.
        type: bool
      comment:
        description: A comment stored with the variable.
        type: str
      state:
        description: V(absent) deletes the variable.
        type: str
        choices: [present, absent]
        default: present
  envs_prune:
    description:
      - With O(envs), delete the variables not listed (except those Coolify derives from the compose file).
    type: bool
    default: false
  generate_referenced:
    description:
      - With O(envs), also generate the secrets the compose file references as C(SERVICE_PASSWORD_*),
        C(SERVICE_USER_*) or C(SERVICE_BASE64_*) and O(envs) does not list, once, like O(envs[].generate).
    type: dict
    suboptions:
      length:
        description: Number of characters.
        type: int
        default: 32
      charset:
        description: Characters to draw from.
        type: str
        choices: [alnum, hex, urlsafe]
        default: alnum
  return_values:
    description:
      - Return the variables' values in RV(envs.env_values) (generated ones included), for example to hand a
        generated password to another system. They are then visible to anything that reads the task result.
    type: bool
    default: false
  house_rules:
    description:
      - Check the compose file against the house rules of M(fabrik.deploy.coolify_compose_lint) before any
        request, and with O(envs), that every variable it references is provided or generated.
    type: bool
    default: false
  house_rules_allow:
    description:
      - The privilege rules the site opts out of, one by one; each is refused unless listed here.
      - "V(privileged) (C(privileged: true)), V(host_network) (C(network_mode: host)), V(host_pid) (C(pid: host)),
        V(host_ipc) (C(ipc: host)), V(docker_socket) (C(/var/run/docker.sock) mounted, the only bind mount an
        opt-in allows), V(all_capabilities) (C(cap_add: [ALL]))."
    type: list
    elements: str
    choices: [privileged, host_network, host_pid, host_ipc, docker_socket, all_capabilities]
    default: []
  require_abilities:
    description:
      - Abilities of the API token checked (with requests that cannot change anything) before the first write,
        and only when something is to be written, for example V([write, deploy]) so that a token which could
        create the service but not deploy it fails before the first change.
    type: list
    elements: str
    choices: [write, deploy]
    default: []
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

- name: A whole site in one task - project, environment, service, domains and variables, deployable
  fabrik.deploy.coolify_service:
    project: example.org
    project_description: Website example.org
    create_scope: true
    environment: production
    server: main
    name: example-org
    compose: "{{ lookup('ansible.builtin.template', 'compose.yml.j2') }}"
    urls:
      - name: web
        urls: [https://example.org]
    envs:
      - key: WORDPRESS_TABLE_PREFIX
        value: wp_
    generate_referenced: {length: 32}  # SERVICE_PASSWORD_* the compose file uses, generated once
    house_rules: true
    require_abilities: [write, deploy]

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
project:
  description: Uuid and name of the project (V(null) when it does not exist yet, in check mode).
  returned: with O(state=present)
  type: dict
environment:
  description: Uuid and name of the environment (V(null) when it does not exist yet, in check mode).
  returned: with O(state=present)
  type: dict
envs_changed:
  description: Whether the variables were (or would be) changed.
  returned: with O(envs)
  type: bool
envs:
  description: The variables, as the results of M(fabrik.deploy.coolify_envs).
  returned: with O(envs)
  type: dict
  contains:
    envs:
      description: The managed variables with their flags, without values.
      type: list
      elements: dict
    created:
      description: Keys created (or to be created).
      type: list
      elements: str
    updated:
      description: Keys updated.
      type: list
      elements: str
    deleted:
      description: Keys deleted.
      type: list
      elements: str
    generated:
      description: Keys whose value was generated in this run.
      type: list
      elements: str
    env_values:
      description: Values by key, with O(return_values=true) only.
      type: dict
version:
  description: The Coolify version of the instance.
  returned: always
  type: str
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _compose, _coolify_envs, _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    Scope,
    b64,
    client_for,
    compact,
    compose_input_errors,
    coolify_argument_spec,
    generated_keys,
    require_field,
    resource_status,
    scope_argument_spec,
    url_set,
    validate_urls,
)

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        **scope_argument_spec(),
        name=dict(type="str", required=True),
        uuid=dict(type="str"),
        compose=dict(type="str"),
        description=dict(type="str"),
        urls=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            urls=dict(type="list", elements="str", required=True),
        )),
        create_scope=dict(type="bool", default=False),
        project_description=dict(type="str"),
        envs=dict(type="list", elements="dict", options=_coolify_envs.env_options()),
        envs_prune=dict(type="bool", default=False),
        generate_referenced=dict(type="dict", options=dict(
            length=dict(type="int", default=32),
            charset=dict(type="str", choices=["alnum", "hex", "urlsafe"], default="alnum"),
        )),
        return_values=dict(type="bool", default=False),
        house_rules=dict(type="bool", default=False),
        house_rules_allow=dict(type="list", elements="str", choices=list(_compose.PRIVILEGE_RULES), default=[]),
        require_abilities=dict(type="list", elements="str", choices=["write", "deploy"], default=[]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        delete_volumes=dict(type="bool", default=False),
    ),
    required_one_of=[("project", "project_uuid", "uuid")],
    supports_check_mode=True,
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
    """(compose document, urls, envs): checked before any request."""
    if params["state"] == "absent":
        return None, None, None
    if params["compose"] is None:
        raise SpecError("compose", "a compose file is required with state=present")
    document = _compose.parse(params["compose"])
    urls = validate_urls(params["urls"]) if params["urls"] is not None else None
    for index, item in enumerate(urls or []):
        if item["name"] not in document["services"]:
            raise SpecError("urls[%d].name" % index, "no service %s in the compose file (services: %s)"
                            % (item["name"], ", ".join(sorted(document["services"]))))
    envs = None
    if params["envs"] is not None:
        envs = _coolify_envs.validate(params["envs"])
        if params["generate_referenced"]:
            listed = [entry["key"] for entry in envs]
            envs += [dict(_coolify_envs.default_entry(key), generate=params["generate_referenced"])
                     for key in generated_keys(document, listed)]
    if params["house_rules"]:
        env_keys = [entry["key"] for entry in envs] if envs is not None else None
        errors = _compose.lint(document, params["house_rules_allow"]) \
            + compose_input_errors(document, params["urls"], env_keys)
        if errors:
            raise SpecError("compose", "the compose file breaks %d house rule(s): %s" % (len(errors), "; ".join(errors)))
    if params["create_scope"] and not params["project"]:
        raise SpecError("project", "create_scope needs the project's name")
    return document, urls, envs


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


class Converge:
    """One service with its project, environment and variables: everything is read and planned first, then the
    preconditions of the writes are checked (server, token abilities), then only the differences are written."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.params = ctx.params
        self.document, self.urls, self.envs = validate(self.params)
        self.client = client_for(ctx)
        # The version check and the project lookup are independent reads: sent at once.
        self.version, self.scope = parallel(self.client.version, lambda: Scope(self.client, self.params))
        self.existing = self.scope.find("service", self.params["name"], self.params["uuid"])

    def absent(self):
        existing = self.existing
        if existing is not None and not self.ctx.check_mode:
            self.client.delete_resource("service", existing["uuid"], self.params["delete_volumes"])
        before = service_view(existing, {}) if existing else None
        return dict(changed=existing is not None, compose_changed=False, service=None, version=self.version,
                    diff=dict(before=before or {}, after={}))

    def scope_creations(self):
        """What of the project and environment is missing (created only with create_scope)."""
        scope = self.scope
        if self.existing is not None:
            return []
        missing = [] if scope.project is not None else ["project"]
        if scope.environment is None:
            missing.append("environment")
        if missing and self.existing is None and not self.params["create_scope"]:
            scope.require_for_create(self.ctx)
        return missing if self.params["create_scope"] else []

    def present(self):
        params, ctx, client = self.params, self.ctx, self.client
        creations = self.scope_creations()
        wanted_urls = {item["name"]: set(item["urls"]) for item in self.urls or []}
        existing = self.existing
        if existing is None:
            changes, current_urls, current_document = None, {}, None
        else:
            changes, current_urls, current_document = plan_changes(client, params, existing, self.document, self.urls)
        plan = None
        if self.envs is not None:
            current_envs = _coolify_envs.read_current(ctx, client, "service", (existing or {}).get("uuid"))
            plan = _coolify_envs.plan_envs(ctx, self.envs, current_envs, params["envs_prune"])
        envs_changed = bool(plan and (plan.bulk or plan.deletes))
        server = None
        if existing is None:
            server = client.find_server(params.get("server"), params.get("server_uuid"))
        writes = bool(creations) or existing is None or bool(changes) or envs_changed
        if writes and not ctx.check_mode:
            client.require_abilities(params["require_abilities"])
        service, after_urls = existing, dict(current_urls, **wanted_urls)
        if ctx.check_mode:
            if existing is None:
                service = {"uuid": None, "name": params["name"], "description": params["description"]}
            elif changes:
                service = dict(existing, **{key: params[key] for key in ("name", "description") if key in changes})
        elif writes:
            service, after_urls = self.write(creations, server, changes, plan, after_urls)
        result = dict(changed=writes, compose_changed=existing is None or "docker_compose_raw" in (changes or {}),
                      service=service_view(service, after_urls), version=self.version,
                      project=_named(self.scope.project), environment=_named(self.scope.environment))
        before = diff_side(existing, current_urls, current_document)
        after = diff_side(service, after_urls, self.document)
        if plan is not None:
            result.update(envs_changed=envs_changed, envs=_coolify_envs.summary(ctx, plan, params["return_values"]))
            envs_before, envs_after = _coolify_envs.diff_sides(plan)
            before.update(envs_before)
            after.update(envs_after)
        result["diff"] = dict(before=before, after=after)
        return result

    def write(self, creations, server, changes, plan, after_urls):
        params, client, scope = self.params, self.client, self.scope
        if "project" in creations:
            scope.project = client.create_project(params["project"], params["project_description"])
        if "environment" in creations:
            scope.environment = client.create_environment(scope.project["uuid"], params["environment"])
        existing = self.existing
        if existing is None:
            body = dict(scope.placement(server), **compact({
                "name": params["name"], "description": params["description"],
                "docker_compose_raw": b64(params["compose"]),
                "urls": urls_body(self.urls) if self.urls else None,
            }))
            service = self.create(body)
        elif changes:
            service = client.update_resource("service", existing["uuid"], changes)
            if self.urls is not None:
                after_urls = service_urls(client, service)
        else:
            service = existing
        if plan is not None and (plan.bulk or plan.deletes):
            _coolify_envs.apply(client, "service", service["uuid"], plan)
        return service, after_urls

    def create(self, body):
        """Create the service. Of two runs creating it at once, both continue with the oldest: Coolify refuses
        the second one's URLs (409), or keeps both (:meth:`Scope.settle_created`)."""
        client, scope, name = self.client, self.scope, self.params["name"]
        try:
            service = client.create_resource("service", "/services", body, scope.lookup("service", name))
        except ApiError as err:
            found = scope.lookup("service", name)() if err.status == 409 else None
            if found is None:
                raise
            client.notes.append("service %s was created by a concurrent run meanwhile (Coolify refused this run's: "
                                "%s): continuing with it (uuid %s)" % (json.dumps(name), err.message, found["uuid"]))
            return client.get_resource("service", found["uuid"])
        return scope.settle_created("service", name, service)


def _named(item):
    return {"uuid": item.get("uuid"), "name": item.get("name")} if item else None


def run(ctx):
    _coolify_envs.unmask_short_values(ctx, ctx.params["envs"])
    work = Converge(ctx)
    if ctx.params["state"] == "absent":
        return work.absent()
    return work.present()


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
