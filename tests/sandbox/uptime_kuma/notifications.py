"""Uptime Kuma emulator: notifications and their links to monitors."""

import json

from .protocol import (
    KumaError,
    _as_id,
)


class NotificationEvents:
    """Event handlers: notifications and their links to monitors. ``self``: the emulator."""

    def _ev_add_notification(self, _sid, user_id, notification=None, notification_id=None):
        if not isinstance(notification, dict):
            raise KumaError("Cannot read properties of undefined (reading 'name')")
        if notification_id:
            stored = self._notifications.get(_as_id(notification_id))
            if stored is None or stored["user_id"] != user_id:
                raise KumaError("notification not found")
        else:
            stored = {"id": self._new_id("notification"), "user_id": user_id, "active": True}
            self._notifications[stored["id"]] = stored
        stored.update(name=notification.get("name"), config=json.dumps(notification),
                      is_default=bool(notification.get("isDefault")))
        if notification.get("applyExisting"):
            for monitor_id, row in self._monitors.items():
                if row["user_id"] == user_id:
                    self._monitor_notifications.add((monitor_id, stored["id"]))
        self._push(user_id, "notificationList", self._notification_list(user_id))
        return self._ok("saved", id=stored["id"])

    def _ev_delete_notification(self, _sid, user_id, notification_id=None):
        stored = self._notifications.get(_as_id(notification_id))
        if stored is None or stored["user_id"] != user_id:
            raise KumaError("notification not found")
        del self._notifications[stored["id"]]
        self._monitor_notifications = {link for link in self._monitor_notifications if link[1] != stored["id"]}
        self._push(user_id, "notificationList", self._notification_list(user_id))
        return self._ok("deleted")

    def _notification_json(self, notification_id):
        stored = self._notifications[notification_id]
        return {"id": stored["id"], "name": stored["name"], "config": stored["config"], "active": stored["active"],
                "userId": stored["user_id"], "isDefault": stored["is_default"]}

    def _notification_list(self, user_id):
        return [self._notification_json(nid) for nid, stored in sorted(self._notifications.items())
                if stored["user_id"] == user_id]
