# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: coolify
short_description: Coolify applications, services and databases as inventory hosts
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Reads the projects of a Coolify instance (the API token's team), their environments and the applications,
    services and databases in them, and makes one host per resource.
  - Hosts are grouped by project (C(coolify_project_<name>)), environment (C(coolify_env_<project>_<env>)), kind
    (C(coolify_applications), C(coolify_services), C(coolify_databases)) and tag (C(coolify_tag_<tag>)).
  - Resource names are not unique in Coolify; a host name taken already gets the resource's uuid appended.
  - 'The hosts are API objects, not machines: use them with C(connection: local).'
  - The inventory file's name must end with C(coolify.yml) or C(coolify.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin.
    type: str
    required: true
    choices: [fabrik.deploy.coolify]
  api_url:
    description:
      - URL of the Coolify instance (or its API root, C(.../api/v1)).
    type: str
    required: true
    env:
      - name: COOLIFY_API_URL
  api_token:
    description:
      - A Coolify API token with the C(read) ability.
    type: str
    required: true
    env:
      - name: COOLIFY_API_TOKEN
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url).
    type: bool
    default: true
  timeout:
    description:
      - Read timeout of each request, in seconds.
    type: int
    default: 30
"""

EXAMPLES = r"""
# inventory/coolify.yml
plugin: fabrik.deploy.coolify
api_url: https://coolify.example.com
# api_token from COOLIFY_API_TOKEN
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/fabrik-coolify
cache_timeout: 300
keyed_groups:
  - key: coolify_status.split(':')[0]
    prefix: status
"""

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import (
    ENVIRONMENT_LISTS,
    CoolifyClient,
    resource_status,
    url_set,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

KIND_GROUPS = {"application": "coolify_applications", "service": "coolify_services", "database": "coolify_databases"}


def resource_fqdns(resource):
    """The domains of an application (``fqdn``) or of a service's parts, as sorted URLs."""
    found = url_set(resource.get("fqdn"))
    for part in resource.get("applications") or []:
        found |= url_set(part.get("fqdn"))
    return sorted(found)


def resource_tags(resource):
    return sorted(tag.get("name") if isinstance(tag, dict) else str(tag) for tag in resource.get("tags") or [])


def read_resources(client):
    """Every resource with its project and environment, as plain dicts (what the cache stores)."""
    resources = []
    for project in client.list_projects():
        details = client.call("GET", "/projects/%s" % project["uuid"], "get project") or {}
        for environment in details.get("environments") or []:
            embedded = client.get_environment(project["uuid"], environment.get("uuid") or environment["name"]) or {}
            for kind, keys in ENVIRONMENT_LISTS.items():
                for key in keys:
                    for resource in embedded.get(key) or []:
                        resources.append({
                            "kind": kind,
                            "uuid": resource.get("uuid"),
                            "name": resource.get("name"),
                            "status": resource_status(resource),
                            "fqdns": resource_fqdns(resource),
                            "tags": resource_tags(resource),
                            "project": project.get("name"),
                            "project_uuid": project.get("uuid"),
                            "environment": environment.get("name"),
                            "environment_uuid": environment.get("uuid") or embedded.get("uuid"),
                        })
    return resources


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Coolify resources as hosts."""

    NAME = "fabrik.deploy.coolify"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("coolify.yml", "coolify.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        resources = None
        if use_cache:
            try:
                resources = self._cache[cache_key]
            except KeyError:
                resources = None
        if resources is None:
            resources = self._fetch()
            if self.get_option("cache"):
                self._cache[cache_key] = resources
        self._populate(resources)

    def _fetch(self):
        try:
            client = CoolifyClient(self.get_option("api_url"), self.get_option("api_token"),
                                   validate_certs=self.get_option("validate_certs"),
                                   timeout=self.get_option("timeout"), check_mode=True)
            client.version()
            return read_resources(client)
        except (ApiError, SpecError) as err:
            raise AnsibleParserError("fabrik.deploy.coolify inventory: %s" % err) from None

    def _group(self, name):
        return self.inventory.add_group(self._sanitize_group_name(name))

    def _populate(self, resources):
        strict = self.get_option("strict")
        for resource in resources:
            host = resource["name"] or resource["uuid"]
            if host in self.inventory.hosts:
                host = "%s_%s" % (host, resource["uuid"])
            self.inventory.add_host(host)
            variables = {"coolify_%s" % key: value for key, value in resource.items()}
            for key, value in variables.items():
                self.inventory.set_variable(host, key, value)
            groups = [KIND_GROUPS[resource["kind"]],
                      "coolify_project_%s" % resource["project"],
                      "coolify_env_%s_%s" % (resource["project"], resource["environment"])]
            groups.extend("coolify_tag_%s" % tag for tag in resource["tags"])
            for group in groups:
                self.inventory.add_child(self._group(group), host)
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
