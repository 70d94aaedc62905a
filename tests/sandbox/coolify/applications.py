"""Coolify emulator: the placement of new resources and applications."""

import copy
import re
from urllib.parse import urlsplit

from .contract import (
    APPLICATION_DEFAULTS,
    APPLICATION_SETTING_DEFAULTS,
    APP_CREATE_FIELDS,
    APP_PATCH_FIELDS,
    APP_REQUIRED,
    BUILD_PACKS,
    DESTINATION_TYPE,
    DESTINATION_UUID,
    PLACEMENT_FIELDS,
    SERVER_IP,
    SERVER_UUID,
)
from .helpers import (
    ApiFailure,
    Resource,
    check_fields,
    decode_base64,
    json_response,
    new_public_id,
    normalise_urls,
    not_found,
    timestamp,
    url_hosts,
    validation_failed,
)


class ApplicationHandlers:
    """Handlers of the placement of new resources and applications; ``self`` is the ``CoolifyEmulator``."""

    def _placement(self, body):
        """The environment a create call targets (project, environment, server, destination checks)."""
        errors = {}
        for name in ("project_uuid", "server_uuid"):
            if not body.get(name):
                errors[name] = [f"The {name.replace('_', ' ')} field is required."]
        if not body.get("environment_name") and not body.get("environment_uuid"):
            errors["environment_name"] = [
                "The environment name field is required when environment uuid is not present."]
        if errors:
            raise validation_failed(errors)
        project = self._project(body["project_uuid"])
        environment = self._environment(project, body.get("environment_uuid") or body["environment_name"])
        if body["server_uuid"] != SERVER_UUID:
            raise not_found("Server")
        if body.get("destination_uuid") not in (None, DESTINATION_UUID):
            raise not_found("Destination")
        return environment

    def _new_resource_data(self, environment, name, description):
        stamp = timestamp()
        uuid = new_public_id()
        return uuid, {"id": self._new_id(), "uuid": uuid, "name": name, "description": description,
                      "environment_id": environment["id"], "destination_id": 0, "destination_type": DESTINATION_TYPE,
                      "created_at": stamp, "updated_at": stamp}

    def _resource(self, kind, uuid):
        resource = self.resources.get(uuid)
        if resource is None or resource.kind != kind:
            raise not_found(kind.capitalize())
        return resource

    def _hosts_in_use(self, exclude_uuid):
        """hostname -> (resource, domain) of every domain of the other resources."""
        used = {}
        for resource in self.resources.values():
            if resource.data["uuid"] == exclude_uuid:
                continue
            for fqdn in self._resource_fqdns(resource):
                for host in url_hosts(fqdn):
                    used[host] = resource
        return used

    @staticmethod
    def _resource_fqdns(resource):
        if resource.kind == "application":
            return [resource.data.get("fqdn")]
        if resource.kind == "service":
            return [app.get("fqdn") for app in resource.data["applications"]]
        return []

    def _check_domain_conflicts(self, urls, uuid, force):
        used = self._hosts_in_use(uuid)
        conflicts = []
        for url in urls:
            host = urlsplit(url).hostname
            other = used.get(host)
            if other is not None:
                conflicts.append({
                    "domain": host, "resource_name": other.data["name"], "resource_uuid": other.data["uuid"],
                    "resource_type": other.kind,
                    "message": f"Domain {host} is already in use by {other.kind} '{other.data['name']}'"})
        if conflicts and not force:
            raise ApiFailure(409, "Domain conflicts detected. Use force_domain_override=true to proceed.",
                             conflicts=conflicts, warning="Using the same domain for multiple resources can cause "
                             "routing conflicts and unpredictable behavior.")

    # -- applications ----------------------------------------------------------------------------

    def _list_applications(self, call):
        tag = call.request.args.get("tag")
        return json_response([self._visible("application", r.data, call.sensitive) for r in self.resources.values()
                              if r.kind == "application" and (tag is None or tag in r.tags)])

    def _create_application(self, call, variant):
        body = call.json()
        check_fields(body, APP_CREATE_FIELDS[variant])
        missing = {name: [f"The {name.replace('_', ' ')} field is required."]
                   for name in APP_REQUIRED[variant] if body.get(name) in (None, "")}
        if missing:
            raise validation_failed(missing)
        if body.get("build_pack", "dockerfile" if variant == "dockerfile" else "nixpacks") not in BUILD_PACKS:
            raise validation_failed({"build_pack": ["The selected build pack is invalid."]})
        environment = self._placement(body)
        uuid, data = self._new_resource_data(environment, body.get("name"), body.get("description"))
        defaults = {k: v for k, v in copy.deepcopy(APPLICATION_DEFAULTS).items() if k not in data}
        data = {**data, **defaults, "settings": dict(APPLICATION_SETTING_DEFAULTS)}
        data["name"] = body.get("name") or f"{variant}-{uuid}"
        resource = Resource("application", data, environment["uuid"])
        self._store_application_fields(resource, body, variant)
        if "domains" not in body and body.get("autogenerate_domain", True):
            data["fqdn"] = f"http://{uuid}.{SERVER_IP}.sslip.io"
        self.resources[uuid] = resource
        self._apply_tags(resource, body.get("tags"))
        if body.get("instant_deploy"):
            self._queue_deployment(resource)
        return json_response({"uuid": uuid, "domains": data["fqdn"].split(",") if data["fqdn"] else []}, 201)

    def _store_application_fields(self, resource, body, variant=None):
        """Domains, Dockerfile and the modelled fields of a create or PATCH body."""
        data = resource.data
        if "domains" in body:
            urls = normalise_urls(body["domains"] or "", "domains")
            self._check_domain_conflicts(urls, data["uuid"], body.get("force_domain_override", False))
            data["fqdn"] = ",".join(urls) or None
        if body.get("dockerfile") is not None:
            data["dockerfile"] = decode_base64(body["dockerfile"], "dockerfile")
        if variant == "dockerfile":
            data["build_pack"] = "dockerfile"
        elif variant == "dockerimage":
            data["build_pack"] = "dockerimage"
            data["docker_registry_image_tag"] = body.get("docker_registry_image_tag") or "latest"
        for name, value in body.items():
            if name in ("domains", "dockerfile"):
                continue
            if name in APPLICATION_DEFAULTS or name in ("name", "build_pack"):
                data[name] = value
            elif name in APPLICATION_SETTING_DEFAULTS:
                data["settings"][name] = value
        data["updated_at"] = timestamp()
        resource.wordpress = self._is_wordpress_application(data)

    @staticmethod
    def _is_wordpress_application(data):
        image = (data.get("docker_registry_image_name") or "").rsplit("/", 1)[-1].split(":", 1)[0].lower()
        dockerfile = (data.get("dockerfile") or "").lower()
        return image == "wordpress" or re.search(r"^\s*from\s+(\S+/)?wordpress\b", dockerfile, re.M) is not None

    def _update_application(self, call, resource):
        body = call.json()
        check_fields(body, APP_PATCH_FIELDS)
        if body.get("build_pack") is not None and body["build_pack"] not in BUILD_PACKS:
            raise validation_failed({"build_pack": ["The selected build pack is invalid."]})
        self._store_application_fields(resource, {k: v for k, v in body.items() if k not in PLACEMENT_FIELDS})
        if body.get("instant_deploy"):
            self._queue_deployment(resource)
        return json_response({"uuid": resource.data["uuid"]})
