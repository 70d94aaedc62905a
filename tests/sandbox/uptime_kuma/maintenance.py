"""Uptime Kuma emulator: maintenance windows and their monitors and status pages."""

import copy

from .protocol import (
    KumaError,
    MAINTENANCE_STRATEGIES,
    _as_id,
)


class MaintenanceEvents:
    """Event handlers: maintenance windows and their monitors and status pages. ``self``: the emulator."""

    def _owned_maintenance(self, user_id, maintenance_id):
        stored = self._maintenances.get(_as_id(maintenance_id))
        if stored is None or stored["user_id"] != user_id:
            raise KumaError("Maintenance not found.")
        return stored

    def _maintenance_fields(self, maintenance):
        if not isinstance(maintenance, dict):
            raise KumaError("Cannot read properties of undefined (reading 'title')")
        if maintenance.get("strategy") not in MAINTENANCE_STRATEGIES:
            raise KumaError(f"Unknown maintenance strategy: {maintenance.get('strategy')}")
        if not isinstance(maintenance.get("dateRange"), list):
            raise KumaError("Cannot read properties of undefined (reading '0')")
        return {
            "title": maintenance.get("title"), "description": maintenance.get("description") or "",
            "strategy": maintenance["strategy"], "active": maintenance.get("active", True) is not False,
            "intervalDay": maintenance.get("intervalDay"), "dateRange": list(maintenance["dateRange"]),
            "timeRange": copy.deepcopy(maintenance.get("timeRange") or []),
            "weekdays": list(maintenance.get("weekdays") or []),
            "daysOfMonth": list(maintenance.get("daysOfMonth") or []),
            "cron": maintenance.get("cron"), "durationMinutes": maintenance.get("durationMinutes"),
            "timezoneOption": maintenance.get("timezoneOption"),
        }

    def _ev_add_maintenance(self, _sid, user_id, maintenance=None):
        fields = self._maintenance_fields(maintenance)
        maintenance_id = self._new_id("maintenance")
        self._maintenances[maintenance_id] = {"id": maintenance_id, "user_id": user_id, **fields}
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok("added", maintenanceID=maintenance_id)

    def _ev_edit_maintenance(self, _sid, user_id, maintenance=None):
        stored = self._owned_maintenance(user_id, maintenance.get("id") if isinstance(maintenance, dict) else None)
        stored.update(self._maintenance_fields(maintenance))
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok("saved", maintenanceID=stored["id"])

    def _ev_get_maintenance(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        return {"ok": True, "maintenance": self._maintenance_json(stored["id"])}

    def _ev_get_maintenance_list(self, sid, user_id):
        self.sio.emit("maintenanceList", self._maintenance_list(user_id), to=sid)
        return {"ok": True}

    def _ev_delete_maintenance(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        del self._maintenances[stored["id"]]
        self._maintenance_monitors.pop(stored["id"], None)
        self._maintenance_pages.pop(stored["id"], None)
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok("deleted")

    def _ev_pause_maintenance(self, _sid, user_id, maintenance_id=None):
        return self._set_maintenance_active(user_id, maintenance_id, False, "paused")

    def _ev_resume_maintenance(self, _sid, user_id, maintenance_id=None):
        return self._set_maintenance_active(user_id, maintenance_id, True, "resumed")

    def _set_maintenance_active(self, user_id, maintenance_id, active, message):
        stored = self._owned_maintenance(user_id, maintenance_id)
        stored["active"] = active
        self._push(user_id, "maintenanceList", self._maintenance_list(user_id))
        return self._ok(message)

    def _ev_add_monitor_maintenance(self, _sid, user_id, maintenance_id=None, monitors=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        ids = [_as_id((entry or {}).get("id")) for entry in monitors or []]
        if any(monitor_id not in self._monitors for monitor_id in ids):
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        self._maintenance_monitors[stored["id"]] = ids
        return self._ok("added")

    def _ev_get_monitor_maintenance(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        return {"ok": True, "monitors": [{"id": mid, "name": self._monitors[mid]["name"]}
                                         for mid in self._maintenance_monitors.get(stored["id"], [])]}

    def _ev_add_maintenance_status_page(self, _sid, user_id, maintenance_id=None, status_pages=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        ids = [_as_id((entry or {}).get("id")) for entry in status_pages or []]
        if any(page_id not in self._status_pages for page_id in ids):
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        self._maintenance_pages[stored["id"]] = ids
        return self._ok("added")

    def _ev_get_maintenance_status_page(self, _sid, user_id, maintenance_id=None):
        stored = self._owned_maintenance(user_id, maintenance_id)
        return {"ok": True, "statusPages": [{"id": pid, "title": self._status_pages[pid]["title"]}
                                            for pid in self._maintenance_pages.get(stored["id"], [])]}

    def _maintenance_status(self, maintenance_id):
        stored = self._maintenances[maintenance_id]
        if not stored["active"]:
            return "inactive"
        return "under-maintenance" if stored["strategy"] == "manual" else "scheduled"

    def _maintenance_json(self, maintenance_id):
        stored = self._maintenances[maintenance_id]
        data = {key: copy.deepcopy(value) for key, value in stored.items() if key != "user_id"}
        timezone = stored["timezoneOption"] if stored["timezoneOption"] not in (None, "SAME_AS_SERVER") else "UTC"
        data.update(timezone=timezone, timezoneOffset="+00:00", timeslotList=[],
                    status=self._maintenance_status(maintenance_id))
        return data

    def _maintenance_list(self, user_id):
        return {str(mid): self._maintenance_json(mid) for mid, stored in sorted(self._maintenances.items())
                if stored["user_id"] == user_id}

    def _under_maintenance(self, monitor_id):
        return any(monitor_id in ids and self._maintenance_status(mid) == "under-maintenance"
                   for mid, ids in self._maintenance_monitors.items())
