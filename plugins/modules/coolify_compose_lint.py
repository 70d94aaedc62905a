#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_compose_lint
short_description: Check a compose file against the collection's house rules before it is deployed
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Parses a rendered compose file and fails with every violation of the house rules, each naming the service
    and the key, for example C(services.web.ports).
  - 'The rules: images pinned to a tag other than C(latest) (or a digest); a C(healthcheck) with a C(test) and a
    C(restart) policy (C(unless-stopped), C(always), C(on-failure)) on every service; named volumes only,
    declared at the top level (no bind mounts, no C(file:) configs or secrets); no C(ports) (the proxy reaches
    C(expose)d ports); environment values that look like secrets (by key such as C(*_PASSWORD), C(*_TOKEN),
    C(*_KEY), or by value) must be C(${VAR}) references; no privileges over the host (C(privileged),
    C(network_mode: host), C(pid: host), C(ipc: host), the Docker socket mounted, C(cap_add: [ALL])) unless O(allow)
    lists that rule.'
  - With O(urls), each named compose service must exist and each URL must be a valid http(s) URL. With
    O(env_keys), each key must be a valid variable name and every variable the compose file references must
    be among them, except C(SERVICE_FQDN_*) and C(SERVICE_URL_*), which Coolify derives from the domains, and
    the secrets to generate, C(SERVICE_PASSWORD_*), C(SERVICE_USER_*) and C(SERVICE_BASE64_*), which are
    returned in RV(generated_keys) for M(fabrik.deploy.coolify_envs) to generate.
  - Runs on the controller and sends no request.
extends_documentation_fragment:
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  compose:
    description:
      - The compose file, as text.
    type: str
    required: true
  urls:
    description:
      - The domains per compose service, as given to M(fabrik.deploy.coolify_service).
    type: list
    elements: dict
  env_keys:
    description:
      - Keys of the environment variables the deployment provides (M(fabrik.deploy.coolify_envs)).
    type: list
    elements: str
  allow:
    description:
      - The privilege rules the site opts out of, one by one; each is refused unless listed here.
      - "V(privileged) (C(privileged: true)), V(host_network) (C(network_mode: host)), V(host_pid) (C(pid: host)),
        V(host_ipc) (C(ipc: host)), V(docker_socket) (C(/var/run/docker.sock) mounted, the only bind mount an
        opt-in allows), V(all_capabilities) (C(cap_add: [ALL]))."
    type: list
    elements: str
    choices: [privileged, host_network, host_pid, host_ipc, docker_socket, all_capabilities]
    default: []
"""

EXAMPLES = r"""
- name: Lint the rendered compose file
  fabrik.deploy.coolify_compose_lint:
    compose: "{{ lookup('ansible.builtin.template', 'compose.yml.j2') }}"
    urls: [{name: web, urls: ["https://example.com"]}]
    env_keys: [WORDPRESS_TABLE_PREFIX, SERVICE_PASSWORD_MARIADB, SERVICE_PASSWORD_MARIADBROOT]
"""

RETURN = r"""
services:
  description: Names of the compose services.
  returned: always
  type: list
  elements: str
  sample: [db, web]
references:
  description: Variables the compose file references.
  returned: always
  type: list
  elements: str
generated_keys:
  description:
    - Referenced C(SERVICE_PASSWORD_*), C(SERVICE_USER_*) and C(SERVICE_BASE64_*) variables that are not in
      O(env_keys); give them to M(fabrik.deploy.coolify_envs) with O(fabrik.deploy.coolify_envs#module:envs[].generate).
  returned: always
  type: list
  elements: str
  sample: [SERVICE_PASSWORD_MARIADB]
errors:
  description: The violations found (the module fails when there is any).
  returned: always
  type: list
  elements: str
  sample: ["services.web.image: nginx uses the latest tag; pin a version"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _compose, _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import compose_input_errors, generated_keys

SPEC = dict(
    argument_spec=dict(
        compose=dict(type="str", required=True),
        urls=dict(type="list", elements="dict"),
        env_keys=dict(type="list", elements="str", no_log=False),
        allow=dict(type="list", elements="str", choices=list(_compose.PRIVILEGE_RULES), default=[]),
    ),
    supports_check_mode=True,
)


def run(ctx):
    params = ctx.params
    try:
        document = _compose.parse(params["compose"])
    except SpecError as err:
        raise Failure(str(err), errors=[str(err)], services=[], references=[], generated_keys=[]) from None
    errors = _compose.lint(document, params["allow"]) + compose_input_errors(document, params["urls"], params["env_keys"])
    references = sorted(_compose.references(document))
    result = dict(changed=False, services=sorted(document["services"]), references=references, errors=errors,
                  generated_keys=generated_keys(document, params["env_keys"]))
    if errors:
        raise Failure("The compose file breaks %d house rule(s): %s" % (len(errors), "; ".join(errors)), **result)
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
