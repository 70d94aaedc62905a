#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coolify_deploy
short_description: Deploy a Coolify application, service or database and wait for the outcome
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Triggers a deployment with C(POST /deploy) and, with O(wait=true), waits until it ends.
  - An application deployment is followed through its deployment record until C(finished), C(failed) or
    C(cancelled-by-user); a failure returns the tail of the build log (readable with the C(read:sensitive)
    ability). Services and databases have no deployment record, so the module waits until the resource runs.
  - With O(only_if_not_running=true) a resource that already runs is left alone, so that a playbook deploys
    after a change, or when an earlier deployment never happened, and not on every run.
extends_documentation_fragment:
  - fabrik.deploy.coolify
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: Reports whether a deployment would be triggered; nothing is sent.
  diff_mode:
    support: none
  action_group:
    description: Use C(group/fabrik.deploy.coolify) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.coolify
options:
  kind:
    description:
      - Kind of the resource.
    type: str
    choices: [application, service, database]
    required: true
  uuid:
    description:
      - Uuid of the resource. In check mode an empty uuid (a resource an earlier task would create) reports a
        deployment.
    type: str
    required: true
  force:
    description:
      - Rebuild without the build cache (applications).
    type: bool
    default: false
  only_if_not_running:
    description:
      - Deploy only when the resource is not running (for example never deployed, stopped or exited). A
        resource that is starting is waited for (with O(wait=true)) rather than deployed again.
    type: bool
    default: false
  wait:
    description:
      - Wait for the outcome of the deployment.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true) before failing.
    type: int
    default: 900
  wait_interval:
    description:
      - Seconds between two reads while waiting.
    type: float
    default: 5
  log_lines:
    description:
      - How many lines of the build log a failure returns.
    type: int
    default: 40
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
  register: api

- name: Deploy after a change, or when the API never came up
  fabrik.deploy.coolify_deploy:
    kind: application
    uuid: "{{ api.application.uuid }}"
    only_if_not_running: "{{ not api.changed }}"
    wait_timeout: 600
"""

RETURN = r"""
deployment_uuid:
  description: Uuid of the application deployment; V(null) for services, databases and when nothing was deployed.
  returned: always
  type: str
status:
  description:
    - Outcome of the deployment (C(finished), C(failed), C(cancelled-by-user), C(queued), C(in_progress)),
      C(started) for a service or database, or C(skipped) when nothing was deployed.
  returned: always
  type: str
resource_status:
  description: Runtime state of the resource at the end, C(<state>:<health>) (for example C(running:healthy)).
  returned: always
  type: str
log_tail:
  description: The last O(log_lines) lines of the build log of a failed deployment.
  returned: on failure of an application deployment
  type: list
  elements: str
"""

import json
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError, wait_for
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    SENSITIVE_HINT,
    client_for,
    coolify_argument_spec,
    is_running,
    is_starting,
    resource_status,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

TERMINAL = ("finished", "failed", "cancelled-by-user", "cancelled")

SPEC = dict(
    argument_spec=dict(
        coolify_argument_spec(),
        kind=dict(type="str", choices=["application", "service", "database"], required=True),
        uuid=dict(type="str", required=True),
        force=dict(type="bool", default=False),
        only_if_not_running=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        wait_interval=dict(type="float", default=5),
        log_lines=dict(type="int", default=40),
    ),
    supports_check_mode=True,
)


class DeployFailed(Failure):
    """The deployment was started (``changed``) and did not end well."""

    def __init__(self, message, **details):
        super().__init__(message, changed=True, **details)


def log_tail(deployment, lines):
    """The last ``lines`` visible lines of a deployment's build log (a JSON-encoded list of entries)."""
    if "logs" not in deployment:
        return ["(the build log is not readable: %s)" % SENSITIVE_HINT]
    try:
        entries = json.loads(deployment.get("logs") or "[]")
    except ValueError:
        entries = [{"output": deployment.get("logs")}]
    output = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and not entry.get("hidden"):
            output.extend(str(entry.get("output") or "").splitlines())
    return output[-lines:]


def trigger(client, params):
    """Start the deployment; the deployment uuid for an application (None otherwise)."""
    try:
        entries = client.deploy(params["uuid"], params["force"])
    except ApiError as err:
        if not err.maybe_applied:
            raise
        entries = []
    for entry in entries:
        if entry.get("resource_uuid") == params["uuid"] and entry.get("deployment_uuid"):
            return entry["deployment_uuid"]
    if params["kind"] == "application":
        latest = client.latest_deployment(params["uuid"])
        return (latest or {}).get("deployment_uuid")
    return None


def wait_for_deployment(ctx, client, deployment_uuid, deadline):
    params = ctx.params
    ended, deployment = wait_for(lambda: client.get_deployment(deployment_uuid),
                                 lambda found: found.get("status") in TERMINAL, deadline, params["wait_interval"])
    status = deployment.get("status")
    if not ended:
        raise DeployFailed("Coolify deployment %s of %s is still %s after %d s"
                           % (deployment_uuid, params["uuid"], status, params["wait_timeout"]),
                           deployment_uuid=deployment_uuid, status=status)
    if status != "finished":
        raise DeployFailed("Coolify deployment %s of %s ended %s" % (deployment_uuid, params["uuid"], status),
                           deployment_uuid=deployment_uuid, status=status,
                           log_tail=log_tail(deployment, params["log_lines"]))
    return status


def wait_until_running(ctx, client, deadline):
    params = ctx.params
    # A missing resource is read as {} (not None, which would mean "not read yet").
    running, resource = wait_for(lambda: client.get_resource(params["kind"], params["uuid"]) or {},
                                 lambda found: bool(found) and is_running(found), deadline, params["wait_interval"])
    if not running:
        state = resource_status(resource) if resource else "missing"
        raise DeployFailed("Coolify %s %s is %s, not running, %d s after it was started"
                           % (params["kind"], params["uuid"], state, params["wait_timeout"]), status="started",
                           resource_status=state)
    return resource


def run(ctx):
    params = ctx.params
    client = client_for(ctx)
    client.version()
    if not params["uuid"]:
        if ctx.check_mode:
            return dict(changed=True, deployment_uuid=None, status="queued", resource_status="unknown")
        raise SpecError("uuid", "the uuid of the %s is required" % params["kind"])
    resource = client.get_resource(params["kind"], params["uuid"])
    if resource is None:
        raise SpecError("uuid", "no %s with uuid %s" % (params["kind"], params["uuid"]))
    if params["only_if_not_running"] and (is_running(resource) or is_starting(resource)):
        if is_starting(resource) and params["wait"] and not ctx.check_mode:
            resource = wait_until_running(ctx, client, time.monotonic() + params["wait_timeout"])
        return dict(changed=False, deployment_uuid=None, status="skipped", resource_status=resource_status(resource))
    if ctx.check_mode:
        return dict(changed=True, deployment_uuid=None, status="queued", resource_status=resource_status(resource))
    deadline = time.monotonic() + params["wait_timeout"]
    deployment_uuid = trigger(client, params)
    status = "queued" if deployment_uuid else "started"
    if params["wait"]:
        if deployment_uuid:
            status = wait_for_deployment(ctx, client, deployment_uuid, deadline)
        resource = wait_until_running(ctx, client, deadline)
    return dict(changed=True, deployment_uuid=deployment_uuid, status=status, resource_status=resource_status(resource))


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
