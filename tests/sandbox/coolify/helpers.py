"""Coolify emulator: errors, responses, value checks, and the request/resource records."""

import base64
import binascii
import copy
import json
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import yaml
from werkzeug.wrappers import Request, Response

from .contract import FIELD_TYPES, NULLABLE_FIELDS, TYPE_MESSAGES


# -- helpers ---------------------------------------------------------------------------------------

class ApiFailure(Exception):
    """An API error answered as ``{"message": ..., **extra}``."""

    def __init__(self, status, message, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, **extra}
        self.headers = headers

    def response(self):
        return json_response(self.body, self.status, self.headers)


def validation_failed(errors):
    return ApiFailure(422, "Validation failed.", errors=errors)


def not_found(thing):
    return ApiFailure(404, f"{thing} not found.")


def json_response(data, status=200, headers=None):
    return Response(json.dumps(data), status=status, headers=headers, mimetype="application/json")


def text_response(text, status=200):
    return Response(text, status=status, content_type="text/html; charset=UTF-8")


def timestamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_public_id():
    """Coolify's ``new_public_id()``: 24 random lowercase letters and digits."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _unused in range(24))


def query_flag(args, name, default):
    raw = args.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def decode_base64(value, field_name):
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise validation_failed({field_name: f"The {field_name} should be base64 encoded."}) from None


def normalise_urls(raw, field_name):
    """A comma-separated list of http(s) URLs: hosts lower-cased, blanks dropped (NOTES.md "domains")."""
    urls = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise validation_failed({field_name: [f"Invalid URL: {item}. Only http and https URLs are allowed."]})
        netloc = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
        urls.append(f"{parts.scheme.lower()}://{netloc}{parts.path}")
    return urls


def url_hosts(fqdn):
    return {urlsplit(url).hostname for url in (fqdn or "").split(",") if url.strip()}


def image_name(compose_service):
    image = str(compose_service.get("image") or "")
    return image.rsplit("/", 1)[-1].split(":", 1)[0].lower()


def dump_compose(document):
    """Coolify stores a re-dumped compose: other key order and indentation than the client sent."""
    return yaml.safe_dump(document, sort_keys=True, indent=4, default_flow_style=False, allow_unicode=True)


def with_coolify_labels(document, service_uuid):
    """The ``docker_compose`` Coolify derives from the raw one: labels and container names added."""
    processed = copy.deepcopy(document)
    for name, service in processed["services"].items():
        labels = {"coolify.managed": "true", "coolify.type": "service",
                  "coolify.serviceId": service_uuid, "coolify.service.subName": name}
        existing = service.get("labels")
        if isinstance(existing, list):
            service["labels"] = existing + [f"{key}={value}" for key, value in labels.items()]
        else:
            service["labels"] = {**(existing or {}), **labels}
        service["container_name"] = f"{name}-{service_uuid}"
    return processed


def check_types(body, errors):
    for name, value in body.items():
        wanted = FIELD_TYPES.get(name)
        if wanted is None or (value is None and name in NULLABLE_FIELDS):
            continue
        if not isinstance(value, wanted) or (isinstance(value, bool) and wanted is not bool):
            label = name.replace("_", " ")
            errors.setdefault(name, []).append(f"The {label} {TYPE_MESSAGES[wanted]}.")


def check_fields(body, allowed):
    """422 for unknown fields (each "This field is not allowed.") and wrongly typed known ones."""
    errors = {name: ["This field is not allowed."] for name in body if name not in allowed}
    check_types({k: v for k, v in body.items() if k in allowed}, errors)
    if errors:
        raise validation_failed(errors)


@dataclass
class Call:
    """One authenticated vendor request."""

    request: Request
    abilities: frozenset

    @property
    def sensitive(self):
        return bool({"root", "read:sensitive"} & self.abilities)

    def json(self):
        """The JSON object body; 400 as Coolify answers for a wrong type or malformed body (NOTES.md)."""
        if self.request.mimetype != "application/json":
            raise ApiFailure(400, "Invalid request.", error="Content-Type must be application/json.")
        raw = self.request.get_data()
        if not raw.strip():
            raise ApiFailure(400, "Invalid request.", error="Content is empty.")
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiFailure(400, "Invalid request.", error="Invalid JSON.") from None
        if not isinstance(body, dict):
            raise ApiFailure(400, "Invalid request.", error="Invalid JSON.")
        return body


@dataclass
class Resource:
    """An application, service or database and what hangs off it."""

    kind: str  # application | service | database
    data: dict  # the API object, sensitive fields included
    environment: str  # uuid of its environment
    engine: str = None  # databases: postgresql | mariadb
    envs: dict = field(default_factory=dict)  # env uuid -> env object
    tags: list = field(default_factory=list)
    started_at: float = None  # services/databases: when the last start was asked
    wordpress: bool = False  # its image is WordPress (the edge proxies it to the sandbox's WordPress)
