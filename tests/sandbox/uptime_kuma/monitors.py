"""Uptime Kuma emulator: monitors (add, edit, delete, pause, resume, lists, groups)."""

import copy

from .protocol import (
    BOOLEAN_COLUMNS,
    KumaError,
    MAX_INTERVAL_LEGACY,
    MIN_INTERVAL_2_1,
    MIN_INTERVAL_LEGACY,
    MONITOR_COLUMNS_1_23,
    MONITOR_COLUMNS_2,
    NON_COLUMN_FIELDS,
    NOT_EDITABLE,
    _as_id,
    _snake,
)


class MonitorEvents:
    """Event handlers: monitors. ``self``: the emulator."""

    def _monitor_columns(self):
        columns = dict(MONITOR_COLUMNS_1_23)
        columns.update({name: default for name, (floor, default) in MONITOR_COLUMNS_2.items()
                        if self._at_least(*floor)})
        return columns

    def _owned_monitor(self, user_id, monitor_id):
        monitor = self._monitors.get(_as_id(monitor_id))
        if monitor is None or monitor["user_id"] != user_id:
            raise KumaError("You do not own this monitor.")
        return monitor

    def _check_monitor_payload(self, event, monitor):
        if not isinstance(monitor, dict):
            raise KumaError("Cannot read properties of undefined (reading 'notificationIDList')")
        codes = monitor.get("accepted_statuscodes")
        if codes is None:
            reading = "undefined" if "accepted_statuscodes" not in monitor else "null"
            self._violation(event, "accepted_statuscodes missing")
            raise KumaError(f"Cannot read properties of {reading} (reading 'every')")
        if not isinstance(codes, list):
            raise KumaError("monitor.accepted_statuscodes.every is not a function")
        if not all(isinstance(code, str) for code in codes):
            raise KumaError("Accepted status codes are not all strings")
        self._check_interval(monitor.get("interval", MONITOR_COLUMNS_1_23["interval"]))

    def _check_interval(self, interval):
        try:
            seconds = float(interval or 0)
        except (TypeError, ValueError):
            return  # NaN compares false both ways on the server too
        minimum = MIN_INTERVAL_2_1 if self._at_least(2, 1) else MIN_INTERVAL_LEGACY
        if not self._at_least(2, 1) and seconds > MAX_INTERVAL_LEGACY:
            raise KumaError(f"Interval cannot be more than {MAX_INTERVAL_LEGACY} seconds")
        if seconds < minimum:
            raise KumaError(f"Interval cannot be less than {minimum} seconds")

    def _check_conditions_column(self, event, monitor):
        if self._v2 and "conditions" not in monitor:
            self._violation(event, "conditions missing (NOT NULL on 2.x)")
            raise KumaError("SQLITE_CONSTRAINT: NOT NULL constraint failed: monitor.conditions")

    def _check_parent(self, user_id, monitor_id, parent):
        if parent is None:
            return
        parent_row = self._monitors.get(_as_id(parent))
        if parent_row is None or parent_row["user_id"] != user_id:
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        if monitor_id is not None and parent_row["id"] in {monitor_id, *self._descendants(monitor_id)}:
            raise KumaError("Cannot set parent to itself or one of its children")

    def _column_values(self, monitor, columns):
        row = {}
        for column, default in columns.items():
            value = monitor.get(column, default)
            if column in BOOLEAN_COLUMNS and value is not None:
                value = bool(value)
            row[column] = value
        row["parent"] = _as_id(row["parent"])
        return row

    def _ev_add_monitor(self, _sid, user_id, monitor=None):
        self._check_monitor_payload("add", monitor)
        columns = self._monitor_columns()
        unknown = [key for key in monitor if key not in columns and key not in NON_COLUMN_FIELDS]
        if unknown:
            self._violation("add", f"not a monitor column here: {', '.join(unknown)}")
            raise KumaError(f"SQLITE_ERROR: table monitor has no column named {_snake(unknown[0])}")
        self._check_conditions_column("add", monitor)
        self._check_parent(user_id, None, monitor.get("parent"))
        monitor_id = self._new_id("monitor")
        row = self._column_values(monitor, columns)
        row.update(id=monitor_id, user_id=user_id, accepted_statuscodes=list(monitor["accepted_statuscodes"]))
        if monitor.get("active") is None:
            row["active"] = True
        self._monitors[monitor_id] = row
        self._link_notifications("add", monitor_id, monitor.get("notificationIDList"))
        self._push_monitor_change(user_id, monitor_id)
        return self._ok("added", monitorID=monitor_id)

    def _ev_edit_monitor(self, _sid, user_id, monitor=None):
        if not isinstance(monitor, dict):
            raise KumaError("Cannot read properties of undefined (reading 'id')")
        row = self._monitors.get(_as_id(monitor.get("id")))
        if row is None:
            raise KumaError("Cannot read properties of null (reading 'user_id')")
        if row["user_id"] != user_id:
            raise KumaError("Permission denied.")
        self._check_monitor_payload("editMonitor", monitor)
        self._check_conditions_column("editMonitor", monitor)
        self._check_parent(user_id, row["id"], monitor.get("parent"))
        editable = {column: default for column, default in self._monitor_columns().items()
                    if column not in NOT_EDITABLE}
        row.update(self._column_values(monitor, editable))
        row["accepted_statuscodes"] = list(monitor["accepted_statuscodes"])
        self._link_notifications("editMonitor", row["id"], monitor.get("notificationIDList"))
        self._push_monitor_change(user_id, row["id"])
        return self._ok("saved", monitorID=row["id"])

    def _link_notifications(self, event, monitor_id, id_map):
        """Replace the monitor's notification links the way the server reads the map (``for...in``)."""
        self._monitor_notifications = {link for link in self._monitor_notifications if link[0] != monitor_id}
        if isinstance(id_map, list):
            self._violation(event, "notificationIDList is a list: the server links the list indices")
            id_map = {str(index): value for index, value in enumerate(id_map)}
        for notification_id, enabled in (id_map or {}).items():
            if enabled:
                self._monitor_notifications.add((monitor_id, _as_id(notification_id)))

    def _push_monitor_change(self, user_id, monitor_id):
        if self._v2:
            self._push(user_id, "updateMonitorIntoList", {str(monitor_id): self._monitor_json(monitor_id)})
        else:
            self._push(user_id, "monitorList", self._monitor_list(user_id))

    def _ev_get_monitor(self, _sid, user_id, monitor_id=None):
        monitor = self._monitors.get(_as_id(monitor_id))
        if monitor is None or monitor["user_id"] != user_id:
            raise KumaError("Cannot read properties of null (reading 'toJSON')")
        return {"ok": True, "monitor": self._monitor_json(monitor["id"])}

    def _ev_get_monitor_list(self, sid, user_id):
        self.sio.emit("monitorList", self._monitor_list(user_id), to=sid)
        return {"ok": True}

    def _ev_pause_monitor(self, _sid, user_id, monitor_id=None):
        return self._set_active(user_id, monitor_id, False, "paused")

    def _ev_resume_monitor(self, _sid, user_id, monitor_id=None):
        return self._set_active(user_id, monitor_id, True, "resumed")

    def _set_active(self, user_id, monitor_id, active, message):
        monitor = self._owned_monitor(user_id, monitor_id)
        monitor["active"] = active
        self._push_monitor_change(user_id, monitor["id"])
        return self._ok(message)

    def _ev_delete_monitor(self, _sid, user_id, monitor_id=None, *delete_children):
        monitor = self._owned_monitor(user_id, monitor_id)
        takes_flag = self._at_least(2, 1)
        children = self._children(monitor["id"])
        if takes_flag and delete_children and delete_children[0]:
            doomed = [monitor["id"], *self._descendants(monitor["id"])]
        else:
            doomed = [monitor["id"]]
            for child in children:
                self._monitors[child]["parent"] = None
        for doomed_id in doomed:
            self._drop_monitor(doomed_id)
            if self._v2:
                self._push(user_id, "deleteMonitorFromList", doomed_id)
        if not self._v2:
            self._push(user_id, "monitorList", self._monitor_list(user_id))
        if delete_children and not takes_flag:
            # Before 2.1 the second argument lands where the callback is expected: the
            # deletion happens, then calling a non-function throws and nothing is acked.
            self._violation("deleteMonitor", "deleteChildren sent to a server older than 2.1")
            return self.sio.not_handled
        return self._ok("deleted")

    def _drop_monitor(self, monitor_id):
        del self._monitors[monitor_id]
        self._monitor_notifications = {link for link in self._monitor_notifications if link[0] != monitor_id}
        self._monitor_tags = [link for link in self._monitor_tags if link["monitor_id"] != monitor_id]
        for group in self._groups.values():
            group["monitors"] = [entry for entry in group["monitors"] if entry[0] != monitor_id]
        for monitor_ids in self._maintenance_monitors.values():
            if monitor_id in monitor_ids:
                monitor_ids.remove(monitor_id)

    def _children(self, monitor_id):
        return sorted(mid for mid, row in self._monitors.items() if row["parent"] == monitor_id)

    def _descendants(self, monitor_id):
        found = []
        for child in self._children(monitor_id):
            found.extend([child, *self._descendants(child)])
        return found

    def _monitor_list(self, user_id):
        return {str(mid): self._monitor_json(mid) for mid, row in sorted(self._monitors.items())
                if row["user_id"] == user_id}

    def _path_name(self, row):
        names = [row["name"]]
        parent = self._monitors.get(row["parent"])
        while parent is not None:
            names.insert(0, parent["name"])
            parent = self._monitors.get(parent["parent"])
        return " / ".join(str(name) for name in names)

    def _monitor_json(self, monitor_id):
        row = self._monitors[monitor_id]
        data = {key: copy.deepcopy(value) for key, value in row.items() if key != "user_id"}
        data.update(
            pathName=self._path_name(row),
            childrenIDs=self._children(monitor_id),
            notificationIDList={str(nid): True for mid, nid in sorted(self._monitor_notifications)
                                if mid == monitor_id},
            tags=[{**link, "name": self._tags[link["tag_id"]]["name"], "color": self._tags[link["tag_id"]]["color"]}
                  for link in self._monitor_tags if link["monitor_id"] == monitor_id],
            maintenance=self._under_maintenance(monitor_id),
            screenshot=None,
            includeSensitiveData=True,
        )
        if self._v2:
            data["forceInactive"] = not self._parents_active(row)
        else:
            data["active"] = int(row["active"])
        return data

    def _parents_active(self, row):
        parent = self._monitors.get(row["parent"])
        while parent is not None:
            if not parent["active"]:
                return False
            parent = self._monitors.get(parent["parent"])
        return True
