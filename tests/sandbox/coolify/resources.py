"""Coolify emulator: any resource: read, update, delete, start, stop, restart."""

from .contract import KINDS
from .helpers import ApiFailure, json_response, query_flag


class ResourceHandlers:
    """Handlers of any resource: read, update, delete, start, stop, restart; ``self`` is the ``CoolifyEmulator``."""

    def _get_resource(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        return json_response(self._visible(resource.kind, resource.data, call.sensitive))

    def _update_resource(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        update = {"application": self._update_application, "service": self._update_service,
                  "database": self._update_database}[resource.kind]
        return update(call, resource)

    def _delete_resource(self, call, kind, uuid):
        resource = self._resource(KINDS[kind], uuid)
        args = call.request.args
        self.deletions.append({
            "kind": resource.kind, "uuid": uuid, "name": resource.data["name"],
            **{flag: query_flag(args, flag, True) for flag in (
                "delete_configurations", "delete_volumes", "docker_cleanup", "delete_connected_networks")}})
        del self.resources[uuid]
        message = {"application": "Application deleted.", "service": "Service deletion request queued.",
                   "database": "Database deleted."}[resource.kind]
        return json_response({"message": message})

    def _lifecycle(self, call, kind, uuid, action):
        resource = self._resource(KINDS[kind], uuid)
        label = resource.kind.capitalize()
        if action == "stop":
            self._stop(resource)
            return json_response({"message": f"{label} stopping request queued."})
        if resource.kind == "application":
            deployment = self._queue_deployment(resource, restart_only=action == "restart",
                                                force=query_flag(call.request.args, "force", False))
            message = "Restart request queued." if action == "restart" else "Deployment request queued."
            return json_response({"message": message, "deployment_uuid": deployment["deployment_uuid"]})
        if action == "start" and resource.data.get("status", "").startswith(("running", "starting")):
            raise ApiFailure(400, f"{label} is already running.")
        self._start(resource)
        verb = "restarting" if action == "restart" else "starting"
        return json_response({"message": f"{label} {verb} request queued."})

    def _start(self, resource):
        resource.started_at = self.clock()
        self._set_status(resource, "starting:unknown")

    def _stop(self, resource):
        resource.started_at = None
        self._set_status(resource, "exited:unhealthy")

    @staticmethod
    def _set_status(resource, status):
        resource.data["status"] = status
        for sub in resource.data.get("applications", []) + resource.data.get("databases", []):
            sub["status"] = status
