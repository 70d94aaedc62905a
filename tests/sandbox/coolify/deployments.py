"""Coolify emulator: deployments and the deploy endpoint."""

from .contract import RETRY_AFTER_QUEUE
from .edge import deployment_logs
from .helpers import (
    ApiFailure,
    json_response,
    new_public_id,
    not_found,
    query_flag,
    timestamp,
    url_hosts,
    validation_failed,
)


class DeploymentHandlers:
    """Handlers of deployments and the deploy endpoint; ``self`` is the ``CoolifyEmulator``."""

    def _check_queue(self):
        limit = self.config["queue_limit"]
        active = sum(1 for d in self.deployments.values() if d["data"]["status"] in ("queued", "in_progress"))
        if limit is not None and active >= limit:
            raise ApiFailure(429, "Deployment queue is full. Please try again later.",
                             headers={"Retry-After": str(RETRY_AFTER_QUEUE)})

    def _takes_failure(self, resource):
        if {resource.data["uuid"], resource.data["name"]} & set(self.config["failing_resources"]):
            return True
        if self.config["fail_next_deployments"] > 0:
            self.config["fail_next_deployments"] -= 1
            return True
        return False

    def _queue_deployment(self, resource, restart_only=False, force=False):
        self._check_queue()
        now = self.clock()
        previous_ends = [d["ends"] for d in self.deployments.values() if d["resource"] == resource.data["uuid"]]
        begins = max([now, *previous_ends])
        queued, running = self.config["queued_seconds"], self.config["in_progress_seconds"]
        stamp = timestamp()
        uuid = new_public_id()
        environment = self.environments[resource.environment]
        project = next(p for p in self.projects.values() if p["id"] == environment["project_id"])
        data = {
            "id": self._new_id(), "application_id": str(resource.data["id"]), "deployment_uuid": uuid,
            "pull_request_id": 0, "force_rebuild": force, "commit": "HEAD", "status": "queued",
            "is_webhook": False, "is_api": True, "created_at": stamp, "updated_at": stamp, "logs": "[]",
            "restart_only": restart_only, "server_id": 0, "application_name": resource.data["name"],
            "server_name": self.server["name"], "destination_id": "0", "only_this_server": False, "rollback": False,
            "deployment_url": f"/project/{project['uuid']}/environment/{environment['uuid']}"
                              f"/application/{resource.data['uuid']}/deployment/{uuid}",
        }
        self.deployments[uuid] = {"data": data, "resource": resource.data["uuid"], "starts": begins + queued,
                                  "ends": begins + queued + running, "fails": self._takes_failure(resource),
                                  "done": False}
        return data

    def _advance(self):
        """Move deployments and starting resources along the clock; apply what finished."""
        now = self.clock()
        for deployment in self.deployments.values():
            if deployment["done"]:
                continue
            data = deployment["data"]
            if now >= deployment["ends"]:
                self._finish_deployment(deployment)
            elif now >= deployment["starts"] and data["status"] == "queued":
                data.update(status="in_progress", updated_at=timestamp(),
                            logs=deployment_logs(["Starting deployment of " + data["application_name"] + "."]))
        warmup = self.config["queued_seconds"] + self.config["in_progress_seconds"]
        for resource in self.resources.values():
            if resource.started_at is not None and now >= resource.started_at + warmup:
                resource.started_at = None
                self._set_status(resource, "running:healthy")

    def _finish_deployment(self, deployment):
        data = deployment["data"]
        deployment["done"] = True
        lines = ["Starting deployment of " + data["application_name"] + "."]
        resource = self.resources.get(deployment["resource"])
        if deployment["fails"]:
            lines.append("Deployment failed: the sandbox injected a failure "
                         "(fail_next_deployments / failing_resources).")
            data.update(status="failed", logs=deployment_logs(lines, failed=True), updated_at=timestamp())
            return
        lines.append("New container started. Rolling update completed.")
        data.update(status="finished", logs=deployment_logs(lines), updated_at=timestamp())
        if resource is not None:
            self._set_status(resource, "running:healthy")

    def _deploy(self, call):
        args = call.request.args
        body = {}
        if call.request.mimetype == "application/json" and call.request.get_data().strip():
            body = call.json()  # Laravel's $request->input(): the JSON body, then the query string
        uuids = body.get("uuid") if body.get("uuid") is not None else args.get("uuid")
        tags = body.get("tag") if body.get("tag") is not None else args.get("tag")
        if isinstance(uuids, list):
            uuids = ",".join(str(u) for u in uuids)
        if isinstance(tags, list):
            tags = ",".join(str(t) for t in tags)
        if uuids and tags:
            raise ApiFailure(400, "You can only use uuid or tag, not both.")
        if not uuids and not tags:
            raise ApiFailure(400, "You must provide uuid or tag.")
        if uuids:
            wanted = [u.strip() for u in str(uuids).split(",") if u.strip()]
            targets = [self.resources[u] for u in wanted if u in self.resources]
        else:
            names = {t.strip() for t in str(tags).split(",") if t.strip()}
            targets = [r for r in self.resources.values() if names & set(r.tags)]
        if not targets:
            raise ApiFailure(404, "No resources found." if uuids else "No resources found with this tag.")
        force = query_flag(args, "force", False) or body.get("force") is True
        if not uuids:
            return self._deploy_by_tags(targets, force)
        results = []
        for resource in targets:
            if resource.kind == "application":
                data = self._queue_deployment(resource, force=force)
                results.append({"message": f"Application {resource.data['name']} deployment queued.",
                                "resource_uuid": resource.data["uuid"], "deployment_uuid": data["deployment_uuid"]})
            else:
                self._start(resource)
                results.append({"message": f"{resource.kind.capitalize()} {resource.data['name']} started. "
                                           "It could take a while, be patient.",
                                "resource_uuid": resource.data["uuid"]})
        return json_response({"deployments": results})

    def _deploy_by_tags(self, targets, force):
        """``{message: [...], details: [{resource_uuid, deployment_uuid}]}``: DeployController::by_tags."""
        messages, details = [], []
        for resource in targets:
            if resource.kind == "application":
                data = self._queue_deployment(resource, force=force)
                messages.append(f"Application {resource.data['name']} deployment queued.")
                details.append({"resource_uuid": resource.data["uuid"], "deployment_uuid": data["deployment_uuid"]})
            else:
                self._start(resource)
                messages.append(f"{resource.kind.capitalize()} {resource.data['name']} started. "
                                "It could take a while, be patient.")
        payload = {"message": messages}
        if details:
            payload["details"] = details
        return json_response(payload)

    def _list_deployments(self, call):
        return json_response([self._visible("deployment", d["data"], call.sensitive) for d in self.deployments.values()
                              if d["data"]["status"] in ("queued", "in_progress")])

    def _get_deployment(self, call, uuid):
        deployment = self.deployments.get(uuid)
        if deployment is None:
            raise not_found("Deployment")
        return json_response(self._visible("deployment", deployment["data"], call.sensitive))

    def _list_application_deployments(self, call, uuid):
        self._resource("application", uuid)
        args = call.request.args
        try:
            skip, take = int(args.get("skip", 0)), int(args.get("take", 10))
        except ValueError:
            raise validation_failed({"skip": ["The skip and take must be integers."]}) from None
        if skip < 0 or take < 1:
            raise validation_failed({"take": ["The skip must be >= 0 and take >= 1."]})
        found = [d["data"] for d in self.deployments.values() if d["resource"] == uuid]
        found.reverse()  # newest first
        return json_response({"count": len(found), "deployments": [
            self._visible("deployment", d, call.sensitive) for d in found[skip:skip + take]]})

    # -- the edge ------------------------------------------------------------------------------------

    def edge_target(self, host):
        """What answers on ``host``: ``(name, running, wordpress)`` or None for an unknown host."""
        with self.lock:
            self._advance()
            for resource in self.resources.values():
                if any(host in url_hosts(fqdn) for fqdn in self._resource_fqdns(resource)):
                    return resource.data["name"], resource.data["status"].startswith("running"), resource.wordpress
        return None
