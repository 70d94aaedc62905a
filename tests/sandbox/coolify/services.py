"""Coolify emulator: services (raw compose and one-click templates)."""

import copy
import hashlib
import json
import secrets

import yaml

from .contract import (
    DATABASE_IMAGES,
    ONE_CLICK_TEMPLATES,
    SERVICE_CREATE_FIELDS,
    SERVICE_PATCH_FIELDS,
    TEMPLATE_VARIABLE,
)
from .helpers import (
    ApiFailure,
    Resource,
    check_fields,
    decode_base64,
    dump_compose,
    image_name,
    json_response,
    new_public_id,
    normalise_urls,
    timestamp,
    validation_failed,
    with_coolify_labels,
)


class ServiceHandlers:
    """Handlers of services (raw compose and one-click templates); ``self`` is the ``CoolifyEmulator``."""

    def _list_services(self, call):
        return json_response([self._visible("service", r.data, call.sensitive)
                              for r in self.resources.values() if r.kind == "service"])

    def _create_service(self, call):
        body = call.json()
        check_fields(body, SERVICE_CREATE_FIELDS)
        if "type" in body and "docker_compose_raw" in body:
            raise validation_failed({"type": ["The type field prohibits docker_compose_raw from being present."]})
        if not body.get("type") and not body.get("docker_compose_raw"):
            raise validation_failed({"docker_compose_raw": [
                "The docker_compose_raw field is required when type is not present."]})
        if body.get("type") and body["type"] not in ONE_CLICK_TEMPLATES:
            raise ApiFailure(404, "Service not found.", valid_service_types=sorted(ONE_CLICK_TEMPLATES))
        environment = self._placement(body)
        if body.get("type"):
            document = copy.deepcopy(ONE_CLICK_TEMPLATES[body["type"]])
        else:
            document = self._parse_compose(body["docker_compose_raw"])
        uuid, data = self._new_resource_data(environment, body.get("name"), body.get("description"))
        data["name"] = body.get("name") or f"{body.get('type') or 'service'}-{uuid}"
        data.update(server_id=0, connect_to_docker_network=bool(body.get("connect_to_docker_network", False)),
                    is_container_label_escape_enabled=body.get("is_container_label_escape_enabled", True),
                    is_container_label_readonly_enabled=True, status="exited:unhealthy", applications=[],
                    databases=[])
        if body.get("type"):
            data["service_type"] = body["type"]
        resource = Resource("service", data, environment["uuid"])
        self._store_compose(resource, document)
        domains = self._apply_service_urls(resource, body.get("urls"), body.get("force_domain_override", False))
        self.resources[uuid] = resource
        if body.get("type"):
            self._generate_template_envs(resource, document)
        self._apply_tags(resource, body.get("tags"))
        if body.get("instant_deploy"):
            self._start(resource)
        return json_response({"uuid": uuid, "domains": domains}, 201)

    @staticmethod
    def _parse_compose(encoded):
        text = decode_base64(encoded, "docker_compose_raw")
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise validation_failed({"docker_compose_raw": [f"Invalid YAML: {str(error).splitlines()[0]}"]}) from None
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict) or not services:
            raise validation_failed({"docker_compose_raw": ["The compose file must define services."]})
        for name, service in services.items():
            if not isinstance(service, dict) or not isinstance(service.get("image"), str):
                raise validation_failed({"docker_compose_raw": [f"Service {name} needs an image."]})
        return document

    def _store_compose(self, resource, document):
        """Keep the re-serialised raw compose, the processed one and one sub-resource per compose service."""
        data = resource.data
        data["docker_compose_raw"] = dump_compose(document)
        data["docker_compose"] = dump_compose(with_coolify_labels(document, data["uuid"]))
        data["config_hash"] = hashlib.sha256(data["docker_compose_raw"].encode()).hexdigest()[:32]
        previous = {app["name"]: app for app in data["applications"] + data["databases"]}
        applications, databases = [], []
        for name, service in document["services"].items():
            kept = previous.get(name, {})
            entry = {"uuid": kept.get("uuid") or new_public_id(), "name": name, "human_name": None,
                     "description": None, "image": service["image"], "status": data["status"],
                     "exclude_from_status": False}
            if image_name(service) in DATABASE_IMAGES:
                databases.append(entry)
            else:
                applications.append({**entry, "fqdn": kept.get("fqdn")})
        data.update(applications=applications, databases=databases, updated_at=timestamp())
        resource.wordpress = any(image_name(s) == "wordpress" for s in document["services"].values())

    def _apply_service_urls(self, resource, urls, force):
        """``urls: [{name, url}]`` sets the domains of compose services; returns every domain of the service."""
        if urls is not None:
            by_name = {app["name"]: app for app in resource.data["applications"]}
            wanted = {}
            for index, item in enumerate(urls):
                if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                        and isinstance(item.get("url"), str)):
                    raise validation_failed({f"urls.{index}": ["Each URL needs a name and a url string."]})
                if item["name"] not in by_name:
                    raise validation_failed({f"urls.{index}.name": [
                        f"Service container with '{item['name']}' not found."]})
                wanted[item["name"]] = normalise_urls(item["url"], f"urls.{index}.url")
            self._check_domain_conflicts([u for found in wanted.values() for u in found], resource.data["uuid"], force)
            for name, found in wanted.items():
                by_name[name]["fqdn"] = ",".join(found) or None
        return [url for app in resource.data["applications"] for url in (app.get("fqdn") or "").split(",") if url]

    def _generate_template_envs(self, resource, document):
        """One-click templates get generated ``SERVICE_USER_*``/``SERVICE_PASSWORD_*`` env vars (NOTES.md)."""
        names = sorted(set(TEMPLATE_VARIABLE.findall(json.dumps(document))))
        for name in names:
            value = secrets.token_hex(8) if "_USER_" in name else secrets.token_urlsafe(24)
            self._insert_env(resource, {"key": name, "value": value})

    def _update_service(self, call, resource):
        body = call.json()
        check_fields(body, SERVICE_PATCH_FIELDS)
        if "docker_compose_raw" in body:
            self._store_compose(resource, self._parse_compose(body["docker_compose_raw"]))
        domains = self._apply_service_urls(resource, body.get("urls"), body.get("force_domain_override", False))
        for name in ("name", "description", "connect_to_docker_network", "is_container_label_escape_enabled"):
            if name in body:
                resource.data[name] = body[name]
        resource.data["updated_at"] = timestamp()
        if body.get("instant_deploy"):
            self._start(resource)
        return json_response({"uuid": resource.data["uuid"], "domains": domains})

    def _list_service_applications(self, _call, uuid):
        resource = self._resource("service", uuid)
        return json_response(copy.deepcopy(resource.data["applications"]))
