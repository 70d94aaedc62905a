# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options of the Coolify modules."""

    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - URL of the Coolify instance, for example V(https://coolify.example.com), or its API root
        (V(https://coolify.example.com/api/v1)); C(/api/v1) is added when missing.
      - If not set, the value of the E(COOLIFY_API_URL) environment variable is used.
    type: str
    required: true
  api_token:
    description:
      - "A Coolify API token (C(<id>|<secret>), sent as C(Authorization: Bearer <token>)), created under
        Keys & Tokens, API tokens. It belongs to one team; every object is looked up in that team."
      - Modules that compare compose files, Dockerfiles or environment variable values need the
        C(read:sensitive) ability (Coolify silently omits those fields otherwise); creating and changing
        needs C(write), deploying needs C(deploy). C(root) has them all.
      - If not set, the value of the E(COOLIFY_API_TOKEN) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url).
      - Certificates are checked against the bundle of the Python package C(certifi) (what C(requests) uses),
        or the one named by the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment variable.
    type: bool
    default: true
  timeout:
    description:
      - Read timeout of each request, in seconds (connect timeout is at most 10 s).
    type: int
    default: 30
requirements:
  - requests
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) environment
    variables (any case), as C(requests) reads them.
  - The modules belong to the C(fabrik.deploy.coolify) action group, so the connection options can be set
    once with C(module_defaults).
  - Supported Coolify versions are 4.1.0 and later 4.x releases; each module reads C(GET /version) first and
    refuses other versions before anything else.
  - Requests that fail with HTTP 429 are retried after C(Retry-After); reads are retried on 502/503/504.
"""

    # Where a resource (service, application, database) lives: fabrik.deploy.coolify.scope
    SCOPE = r"""
options:
  project:
    description:
      - Name of the project the resource belongs to (project names must be unique to be used here).
      - One of O(project), O(project_uuid) and O(uuid) is required; creating needs the project.
      - Project and environment are not created here (see M(fabrik.deploy.coolify_project) and
        M(fabrik.deploy.coolify_environment)). In check mode missing ones are planned as empty, with a warning.
    type: str
  project_uuid:
    description:
      - Uuid of the project, instead of O(project).
    type: str
  environment:
    description:
      - Name of the environment in the project.
    type: str
    default: production
  server:
    description:
      - Name of the server to create the resource on (server names must be unique to be used here).
        One of O(server) and O(server_uuid) is needed to create the resource.
    type: str
  server_uuid:
    description:
      - Uuid of the server, instead of O(server).
    type: str
  destination_uuid:
    description:
      - Uuid of the Docker network (destination) on the server; needed when the server has several.
    type: str
"""
