"""Coolify emulator: databases."""

import secrets

from .contract import DB_COMMON_FIELDS, DB_ENGINES, DB_PATCH_FIELDS, PLACEMENT_FIELDS, SERVER_IP
from .helpers import Resource, check_fields, json_response, timestamp, validation_failed


class DatabaseHandlers:
    """Handlers of databases; ``self`` is the ``CoolifyEmulator``."""

    def _list_databases(self, call):
        return json_response([self._visible("database", r.data, call.sensitive)
                              for r in self.resources.values() if r.kind == "database"])

    def _create_database(self, call, engine):
        spec = DB_ENGINES[engine]
        body = call.json()
        check_fields(body, DB_COMMON_FIELDS + spec["fields"])
        environment = self._placement(body)
        uuid, data = self._new_resource_data(environment, body.get("name"), body.get("description"))
        user_field, password_field, db_field = spec["credentials"]
        data.update(name=body.get("name") or f"{engine}-database-{uuid}", image=spec["image"],
                    status="exited:unhealthy", database_type=f"standalone-{engine}", is_public=False, public_port=None,
                    limits_memory="0", limits_cpus="0", limits_cpu_shares=1024)
        data.update({user_field: spec["user"], password_field: secrets.token_urlsafe(24),
                     db_field: spec["user"] if engine == "postgresql" else "default"})
        if engine == "mariadb":
            data["mariadb_root_password"] = secrets.token_urlsafe(24)
        resource = Resource("database", data, environment["uuid"], engine=engine)
        self._store_database_fields(resource, body)
        self.resources[uuid] = resource
        self._apply_tags(resource, body.get("tags"))
        if body.get("instant_deploy"):
            self._start(resource)
        created = {"uuid": uuid, "internal_db_url": data["internal_db_url"]}
        if data.get("external_db_url"):
            created["external_db_url"] = data["external_db_url"]
        return json_response(created, 201)

    def _store_database_fields(self, resource, body):
        data = resource.data
        spec = DB_ENGINES[resource.engine]
        for name, value in body.items():
            if name not in PLACEMENT_FIELDS + ("instant_deploy", "tags") and (
                    name in DB_COMMON_FIELDS or name in spec["fields"]):
                data[name] = value
        user, password, database = (data[name] for name in spec["credentials"])
        data["internal_db_url"] = f"{spec['scheme']}://{user}:{password}@{data['uuid']}:{spec['port']}/{database}"
        if data.get("is_public") and data.get("public_port"):
            data["external_db_url"] = (f"{spec['scheme']}://{user}:{password}@{SERVER_IP}:"
                                       f"{data['public_port']}/{database}")
        else:
            data.pop("external_db_url", None)
        data["updated_at"] = timestamp()

    def _update_database(self, call, resource):
        body = call.json()
        check_fields(body, DB_PATCH_FIELDS)
        foreign = [name for name in body if name.split("_", 1)[0] in ("postgres", "mariadb")
                   and name not in DB_ENGINES[resource.engine]["fields"]]
        if foreign:
            raise validation_failed({name: ["This field is not allowed."] for name in foreign})
        self._store_database_fields(resource, body)
        return json_response({"message": "Database updated."})
