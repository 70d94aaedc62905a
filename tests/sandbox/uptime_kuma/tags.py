"""Uptime Kuma emulator: tags and the tags of monitors."""

from .protocol import (
    KumaError,
    _as_id,
)


class TagEvents:
    """Event handlers: tags and the tags of monitors. ``self``: the emulator."""

    def _ev_get_tags(self, _sid, _user_id):
        return {"ok": True, "tags": [dict(tag) for tag in self._tags.values()]}

    def _ev_add_tag(self, _sid, _user_id, tag=None):
        tag = tag if isinstance(tag, dict) else {}
        self._require_tag_fields(tag)
        tag_id = self._new_id("tag")
        self._tags[tag_id] = {"id": tag_id, "name": tag["name"], "color": tag["color"]}
        return {"ok": True, "tag": dict(self._tags[tag_id])}

    def _ev_edit_tag(self, _sid, _user_id, tag=None):
        tag = tag if isinstance(tag, dict) else {}
        stored = self._tags.get(_as_id(tag.get("id")))
        if stored is None:
            raise KumaError("Cannot set properties of null (setting 'name')")
        self._require_tag_fields(tag)
        stored.update(name=tag["name"], color=tag["color"])
        return self._ok("saved", tag=dict(stored))

    @staticmethod
    def _require_tag_fields(tag):
        for field in ("name", "color"):
            if tag.get(field) is None:
                raise KumaError(f"SQLITE_CONSTRAINT: NOT NULL constraint failed: tag.{field}")

    def _ev_delete_tag(self, _sid, _user_id, tag_id=None):
        tag_id = _as_id(tag_id)
        self._tags.pop(tag_id, None)
        self._monitor_tags = [link for link in self._monitor_tags if link["tag_id"] != tag_id]
        return self._ok("deleted")

    def _ev_add_monitor_tag(self, _sid, user_id, tag_id=None, monitor_id=None, value=None):
        tag_id, monitor_id = _as_id(tag_id), _as_id(monitor_id)
        if tag_id not in self._tags or monitor_id not in self._monitors:
            raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
        self._monitor_tags.append({"id": self._new_id("monitor_tag"), "monitor_id": monitor_id, "tag_id": tag_id,
                                   "value": "" if value is None else str(value)})
        self._push_monitor_change(user_id, monitor_id)
        return self._ok("added")

    def _ev_edit_monitor_tag(self, _sid, user_id, tag_id=None, monitor_id=None, value=None):
        tag_id, monitor_id = _as_id(tag_id), _as_id(monitor_id)
        for link in self._monitor_tags:
            if link["tag_id"] == tag_id and link["monitor_id"] == monitor_id:
                link["value"] = "" if value is None else str(value)
        if monitor_id in self._monitors:
            self._push_monitor_change(user_id, monitor_id)
        return self._ok("edited")

    def _ev_delete_monitor_tag(self, _sid, user_id, tag_id=None, monitor_id=None, value=None):
        tag_id, monitor_id = _as_id(tag_id), _as_id(monitor_id)
        value = "" if value is None else str(value)
        self._monitor_tags = [link for link in self._monitor_tags
                              if (link["tag_id"], link["monitor_id"], link["value"]) != (tag_id, monitor_id, value)]
        if monitor_id in self._monitors:
            self._push_monitor_change(user_id, monitor_id)
        return self._ok("deleted")
