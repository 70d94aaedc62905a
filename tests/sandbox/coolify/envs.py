"""Coolify emulator: environment variables."""

from .contract import ENV_FIELDS, ENV_KEY, KINDS
from .helpers import (
    ApiFailure,
    check_types,
    json_response,
    new_public_id,
    not_found,
    timestamp,
    validation_failed,
)


class EnvHandlers:
    """Handlers of environment variables; ``self`` is the ``CoolifyEmulator``."""

    @staticmethod
    def _env_fields(resource):
        return tuple(f for f in ENV_FIELDS if not (resource.kind == "database" and f == "is_preview"))

    def _check_env_item(self, resource, item, need_value=True, prefix=""):
        if not isinstance(item, dict):
            raise validation_failed({prefix or "data": ["Each item must be an object."]})
        allowed = self._env_fields(resource)
        errors = {prefix + name: ["This field is not allowed."] for name in item if name not in allowed}
        check_types({k: v for k, v in item.items() if k in allowed}, errors)
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            errors.setdefault(prefix + "key", []).append("The key field is required.")
        elif not ENV_KEY.match(key.strip()):
            errors.setdefault(prefix + "key", []).append(
                "The key must start with a letter or underscore and contain only letters, numbers, "
                "underscores and dots.")
        if need_value and item.get("value") is not None and not isinstance(item["value"], str):
            errors.setdefault(prefix + "value", []).append("The value field must be a string.")
        if "comment" in item and item["comment"] is not None and (
                not isinstance(item["comment"], str) or len(item["comment"]) > 256):
            errors.setdefault(prefix + "comment", []).append("The comment may not be greater than 256 characters.")
        if errors:
            raise validation_failed(errors)

    @staticmethod
    def _env_by_key(resource, key, is_preview):
        for env in resource.envs.values():
            if env["key"] == key and env["is_preview"] == is_preview:
                return env
        return None

    def _insert_env(self, resource, item):
        stamp = timestamp()
        env = {"uuid": new_public_id(), "key": item["key"].strip(), "value": item.get("value"),
               "real_value": item.get("value"),
               "is_preview": bool(item.get("is_preview", False)), "is_literal": bool(item.get("is_literal", False)),
               "is_multiline": bool(item.get("is_multiline", False)),
               "is_shown_once": bool(item.get("is_shown_once", False)),
               "is_runtime": bool(item.get("is_runtime", True)), "is_buildtime": bool(item.get("is_buildtime", True)),
               "is_shared": False, "comment": item.get("comment"), "version": self.config["version"],
               "created_at": stamp, "updated_at": stamp}
        resource.envs[env["uuid"]] = env
        return env

    @staticmethod
    def _change_env(env, item):
        """is_literal/is_multiline/is_shown_once are overwritten (omitted = false: the controller assigns
        ``$request->is_literal ?? false``); is_runtime, is_buildtime and comment change only when sent."""
        env.update(value=item.get("value"), real_value=item.get("value"), is_literal=bool(item.get("is_literal")),
                   is_multiline=bool(item.get("is_multiline")), is_shown_once=bool(item.get("is_shown_once")),
                   updated_at=timestamp())
        for name in ("is_runtime", "is_buildtime", "comment"):
            if name in item:
                env[name] = item[name]

    def _list_envs(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        return json_response([self._visible("env", env, call.sensitive) for env in resource.envs.values()])

    def _create_env(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        body = call.json()
        self._check_env_item(resource, body)
        if self._env_by_key(resource, body["key"].strip(), bool(body.get("is_preview", False))):
            raise ApiFailure(409, "Environment variable already exists. Use PATCH request to update it.")
        env = self._insert_env(resource, body)
        return json_response({"uuid": env["uuid"]}, 201)

    def _update_env(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        body = call.json()
        self._check_env_item(resource, body)
        env = self._env_by_key(resource, body["key"].strip(), bool(body.get("is_preview", False)))
        if env is None:
            raise not_found("Environment variable")
        self._change_env(env, body)
        return json_response(self._visible("env", env, call.sensitive), 201)

    def _bulk_envs(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        data = call.json().get("data")
        if not data or not isinstance(data, list):
            raise ApiFailure(400, "Bulk data is required.")
        for index, item in enumerate(data):
            self._check_env_item(resource, item, prefix=f"data.{index}.")
        changed = []
        for item in data:
            env = self._env_by_key(resource, item["key"].strip(), bool(item.get("is_preview", False)))
            if env is None:
                env = self._insert_env(resource, item)
            else:
                self._change_env(env, item)
            changed.append(env)
        return json_response([self._visible("env", env, call.sensitive) for env in changed], 201)

    def _delete_env(self, _call, kind, uuid, env_uuid):
        resource = self._resource(KINDS[kind], uuid)
        if resource.envs.pop(env_uuid, None) is None:
            raise not_found("Environment variable")
        return json_response({"message": "Environment variable deleted."})
