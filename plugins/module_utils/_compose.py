# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose files: parse, normalise for comparison, and the house lint.

Coolify parses a stored compose file and dumps it again, so the text it returns differs from
the text sent: comparisons use :func:`normalise` on parsed documents, never strings.

The house lint (:func:`lint`) enforces the conventions of the collection's templates:

* every ``image`` is pinned to a tag (not ``latest``) or a digest;
* every service has a ``healthcheck`` with a ``test`` and a ``restart`` policy other than ``no``;
* volumes are named volumes declared at the top level: no bind mounts, and ``configs``/``secrets``
  carry inline ``content``/``environment`` instead of a host ``file``;
* no ``ports`` (the proxy reaches containers on their ``expose``d ports);
* environment values that look like secrets are ``${VAR}`` references, filled in by Coolify;
* no privileges over the host, unless the site opts in to that one rule (:data:`PRIVILEGE_RULES`, the
  ``allow`` argument of :func:`lint`): ``privileged``, the host's network, PID or IPC namespace, the Docker
  socket mounted (the only bind mount an opt-in can allow), ``cap_add: [ALL]``.
"""

from __future__ import annotations

import re

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._yaml import AVAILABLE as YAML_AVAILABLE
from ansible_collections.fabrik.deploy.plugins.module_utils._yaml import YAMLError, safe_dump, safe_load

SECRET_KEY = re.compile(r"(PASS(WORD)?|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE|CREDENTIALS?|SALT|AUTH_KEY|_KEY)$",
                        re.IGNORECASE)
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([:?+-][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
WHOLE_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
# A reference without a default value (``${VAR:-inline}`` would carry the secret inline).
PLAIN_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s:]+:([^@\s]+)@", re.IGNORECASE)
TOKEN_LIKE = re.compile(r"^[A-Za-z0-9+/=_-]{24,}$")
RESTART_POLICIES = re.compile(r"^(always|unless-stopped|on-failure(:\d+)?)$")
BIND_SOURCE = re.compile(r"^([./~$]|[A-Za-z]:\\)")
# The house rules about privileges over the host, each with the opt-in that lifts it.
PRIVILEGE_RULES = {
    "privileged": "a privileged container has every capability and device of the host",
    "host_network": "network_mode: host shares the host's network stack (and bypasses the proxy)",
    "host_pid": "pid: host lets the container see and signal every process of the host",
    "host_ipc": "ipc: host shares the host's IPC namespace",
    "docker_socket": "the Docker socket mounted gives the container control of the host's Docker",
    "all_capabilities": "cap_add: [ALL] grants every Linux capability",
}
DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def parse(text, field="compose"):
    """The compose document of ``text``; SpecError naming ``field`` when it is not one."""
    if not YAML_AVAILABLE:
        raise SpecError(field, "the PyYAML library is required")
    if not isinstance(text, str) or not text.strip():
        raise SpecError(field, "a compose file (YAML text) is required")
    try:
        document = safe_load(text)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        raise SpecError(field, "not valid YAML%s: %s" % (where, getattr(err, "problem", None) or err)) from None
    if not isinstance(document, dict) or not isinstance(document.get("services"), dict) or not document["services"]:
        raise SpecError(field, "a compose file with a non-empty services mapping expected")
    for name, service in document["services"].items():
        if not isinstance(service, dict):
            raise SpecError("%s: services.%s" % (field, name), "a mapping expected")
    return document


def _as_mapping(value, separator="="):
    """A compose list (``KEY=value``) or mapping as a mapping of strings (None stays None)."""
    if isinstance(value, dict):
        return {str(key): _scalar(item) for key, item in value.items()}
    mapping = {}
    for item in value or []:
        key, found, rest = str(item).partition(separator)
        mapping[key] = rest if found else None
    return mapping


def _scalar(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


LIST_TO_MAPPING = ("environment", "labels", "extra_hosts", "sysctls", "annotations")
STRING_LISTS = ("expose", "dns", "cap_add", "cap_drop")


def normalise(document):
    """A comparable form: ``version`` dropped, list-or-mapping fields as mappings, scalars as text."""
    if document is None:
        return None
    normal = {key: value for key, value in document.items() if key != "version"}
    services = {}
    for name, service in (document.get("services") or {}).items():
        service = dict(service or {})
        for key in LIST_TO_MAPPING:
            if key in service:
                service[key] = _as_mapping(service[key], ":" if key == "extra_hosts" else "=")
        for key in STRING_LISTS:
            if isinstance(service.get(key), list):
                service[key] = sorted(str(item) for item in service[key])
        if isinstance(service.get("depends_on"), list):
            service["depends_on"] = {str(item): {"condition": "service_started"} for item in service["depends_on"]}
        services[str(name)] = service
    normal["services"] = services
    return normal


def dump_normalised(document):
    """The normalised document as YAML with sorted keys (for diffs)."""
    return safe_dump(normalise(document), sort_keys=True, default_flow_style=False)


def same(left, right):
    """Whether two compose documents (parsed) mean the same."""
    return normalise(left) == normalise(right)


def references(document):
    """Names of the variables the document interpolates (``${VAR}``/``$VAR``; ``$$`` is a literal)."""
    found = set()
    _collect_references(document, found)
    return found


def _collect_references(value, found):
    if isinstance(value, dict):
        for item in value.values():
            _collect_references(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_references(item, found)
    elif isinstance(value, str):
        for match in REFERENCE.finditer(value.replace("$$", "")):
            found.add(match.group(1) or match.group(3))


# -- the house lint ---------------------------------------------------------------------------


def lint(document, allow=()):
    """The house-rule violations of a parsed compose document, each naming service and key; ``allow`` lists the
    privilege rules (:data:`PRIVILEGE_RULES`) the site opted out of."""
    errors = []
    declared_volumes = set((document.get("volumes") or {}).keys())
    for name, service in document["services"].items():
        where = "services.%s" % name
        errors.extend(_image_errors(where, service))
        errors.extend(_health_errors(where, service))
        errors.extend(_restart_errors(where, service))
        if "ports" in service:
            errors.append("%s.ports: host ports are not allowed (the proxy reaches the container); use expose" % where)
        errors.extend(_privilege_errors(where, service, allow))
        errors.extend(_volume_errors(where, service.get("volumes") or [], declared_volumes,
                                     docker_socket="docker_socket" in allow))
        errors.extend(_environment_errors(where, service.get("environment")))
    for section in ("configs", "secrets"):
        for name, item in (document.get(section) or {}).items():
            if isinstance(item, dict) and "file" in item:
                errors.append("%s.%s.file: a file from the host is a bind mount; use inline content "
                              "(or environment)" % (section, name))
    return errors


def _image_errors(where, service):
    image = service.get("image")
    if image is None:
        return [] if "build" in service else ["%s.image: an image (or a build) is required" % where]
    image = str(image)
    if "@sha256:" in image:
        return []
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return ["%s.image: %s has no tag; pin a version (e.g. %s:1.2.3)" % (where, image, image)]
    tag = last.rsplit(":", 1)[1]
    if tag == "latest" or not tag:
        return ["%s.image: %s uses the latest tag; pin a version" % (where, image)]
    return []


def _health_errors(where, service):
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") or not check.get("test"):
        return ["%s.healthcheck: a health check with a test is required" % where]
    if isinstance(check["test"], list) and check["test"] and check["test"][0] == "NONE":
        return ["%s.healthcheck.test: NONE disables the health check; a real test is required" % where]
    return []


def _restart_errors(where, service):
    policy = service.get("restart")
    if policy is None:
        return ["%s.restart: a restart policy is required (unless-stopped, always or on-failure)" % where]
    if not RESTART_POLICIES.match(str(policy)):
        return ["%s.restart: %s does not restart the service; use unless-stopped, always or on-failure"
                % (where, policy)]
    return []


def _privilege_refusal(rule, field):
    return "%s: %s; refused unless the site opts in to %s" % (field, PRIVILEGE_RULES[rule], rule)


def _privilege_errors(where, service, allow):
    errors = []
    if "privileged" not in allow and str(service.get("privileged", False)).lower() in ("true", "yes", "on", "1"):
        errors.append(_privilege_refusal("privileged", where + ".privileged"))
    for key, rule in (("network_mode", "host_network"), ("pid", "host_pid"), ("ipc", "host_ipc")):
        if rule not in allow and str(service.get(key) or "").strip().lower() == "host":
            errors.append(_privilege_refusal(rule, "%s.%s" % (where, key)))
    if "all_capabilities" not in allow:
        added = service.get("cap_add") or []
        if any(str(cap).strip().upper() in ("ALL", "CAP_ALL") for cap in (added if isinstance(added, list) else [added])):
            errors.append(_privilege_refusal("all_capabilities", where + ".cap_add"))
    return errors


def _is_docker_socket(source):
    return str(source or "").rstrip("/") in DOCKER_SOCKETS


def _volume_errors(where, volumes, declared, docker_socket=False):
    errors = []
    for index, volume in enumerate(volumes):
        field = "%s.volumes[%d]" % (where, index)
        source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":", maxsplit=1)[0]
        if _is_docker_socket(source):
            if not docker_socket:
                errors.append(_privilege_refusal("docker_socket", field))
            continue
        if isinstance(volume, dict):
            kind = volume.get("type", "volume")
            source = volume.get("source")
            if kind == "tmpfs":
                continue
            if kind != "volume":
                errors.append("%s: type %s is a host mount; only named volumes are allowed" % (field, kind))
                continue
        else:
            parts = str(volume).split(":")
            source = parts[0] if len(parts) > 1 else None
        if not source:
            errors.append("%s: an anonymous volume loses its data; name it" % field)
        elif BIND_SOURCE.match(str(source)) or "/" in str(source):
            errors.append("%s: %s is a bind mount; only named volumes are allowed" % (field, source))
        elif source not in declared:
            errors.append("%s: volume %s is not declared in the top-level volumes" % (field, source))
    return errors


def _environment_errors(where, environment):
    errors = []
    for key, value in _as_mapping(environment).items():
        if value is None or WHOLE_REFERENCE.match(value):
            continue
        field = "%s.environment.%s" % (where, key)
        if SECRET_KEY.search(key) and not PLAIN_REFERENCE.search(value.replace("$$", "")):
            errors.append("%s: a secret must be a ${VAR} reference, not an inline value" % field)
        elif URL_CREDENTIALS.match(value) and not PLAIN_REFERENCE.search(URL_CREDENTIALS.match(value).group(1)):
            errors.append("%s: the URL carries an inline password; use a ${VAR} reference" % field)
        elif TOKEN_LIKE.match(value) and re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value):
            errors.append("%s: the value looks like a secret; use a ${VAR} reference" % field)
    return errors
