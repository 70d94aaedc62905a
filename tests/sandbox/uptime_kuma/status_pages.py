"""Uptime Kuma emulator: status pages, their groups and incidents, the public status page."""

import copy
import time

from .protocol import (
    ANALYTICS_TYPES,
    KumaError,
    STATUS_PAGE_SLUG,
    _as_id,
)


class StatusPageEvents:
    """Event handlers: status pages, their groups and incidents, the public status page. ``self``: the emulator."""

    @staticmethod
    def _check_slug(slug):
        if not isinstance(slug, str):
            raise KumaError("Slug must be string")
        if not slug.strip():
            raise KumaError("Slug cannot be empty")
        if not STATUS_PAGE_SLUG.match(slug.strip()):
            raise KumaError("Invalid Slug")

    def _page_by_slug(self, slug):
        return next((page for page in self._status_pages.values()
                     if isinstance(slug, str) and page["slug"] == slug), None)

    def _ev_add_status_page(self, _sid, _user_id, title=None, slug=None):
        title = title.strip() if isinstance(title, str) else title
        slug = slug.strip() if isinstance(slug, str) else slug
        if not title or not slug:
            raise KumaError("Please input all fields")
        slug = slug.lower()
        self._check_slug(slug)
        if self._page_by_slug(slug):
            raise KumaError("SQLITE_CONSTRAINT: UNIQUE constraint failed: status_page.slug")
        page_id = self._new_id("status_page")
        page = {"id": page_id, "slug": slug, "title": title, "description": None, "icon": "/icon.svg",
                "theme": "auto", "published": True, "showTags": False, "domainNameList": [], "customCSS": "",
                "footerText": None, "showPoweredBy": True, "showCertificateExpiry": False,
                "googleAnalyticsId": None, "autoRefreshInterval": 300, "analyticsType": None, "analyticsId": None,
                "analyticsScriptUrl": None, "showOnlyLastHeartbeat": False, "rssTitle": None}
        self._status_pages[page_id] = page
        return self._ok("added", slug=slug)

    def _status_page_keys(self):
        keys = ["id", "slug", "title", "description", "icon", "theme"]
        if self._v2:
            keys.append("autoRefreshInterval")
        keys += ["published", "showTags", "domainNameList", "customCSS", "footerText", "showPoweredBy"]
        if self._at_least(2, 1):
            keys += ["analyticsType", "analyticsId", "analyticsScriptUrl"]
        else:
            keys.append("googleAnalyticsId")
        keys.append("showCertificateExpiry")
        if self._at_least(2, 1):
            keys += ["showOnlyLastHeartbeat", "rssTitle"]
        return keys

    def _status_page_json(self, page):
        return {key: copy.deepcopy(page[key]) for key in self._status_page_keys()}

    def _ev_get_status_page(self, _sid, _user_id, slug=None):
        page = self._page_by_slug(slug)
        if page is None:
            raise KumaError("No slug?")
        return {"ok": True, "config": self._status_page_json(page)}

    def _ev_save_status_page(self, _sid, _user_id, slug=None, config=None, img_data_url=None, public_group_list=None):
        page = self._page_by_slug(slug)
        if page is None:
            raise KumaError("No slug?")
        config = config if isinstance(config, dict) else {}
        self._check_slug(config.get("slug"))
        if self._at_least(2, 1) and ("analyticsType" not in config or config["analyticsType"] not in ANALYTICS_TYPES):
            self._violation("saveStatusPage", "analyticsType missing or unknown (2.1+)")
            raise KumaError("Invalid analytics type")
        if not isinstance(img_data_url, str):
            raise KumaError(f"Cannot read properties of {'null' if img_data_url is None else 'undefined'} "
                            "(reading 'startsWith')")
        if not isinstance(public_group_list, list):
            raise KumaError("publicGroupList is not iterable")
        self._check_group_monitors(public_group_list)
        if img_data_url.startswith("data:"):
            if not img_data_url.startswith("data:image/png;base64,"):
                raise KumaError("Only allowed PNG logo.")
            page["icon"] = f"/upload/logo{page['id']}.png?t={int(time.time() * 1000)}"
        else:
            page["icon"] = img_data_url
        saved = [key for key in self._status_page_keys() if key not in ("id", "icon")]
        for key in saved:
            page[key] = copy.deepcopy(config.get(key, [] if key == "domainNameList" else None))
        return {"ok": True, "publicGroupList": self._save_groups(page["id"], public_group_list)}

    def _check_group_monitors(self, public_group_list):
        for group in public_group_list:
            for entry in (group or {}).get("monitorList") or []:
                if _as_id((entry or {}).get("id")) not in self._monitors:
                    raise KumaError("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")

    def _save_groups(self, page_id, public_group_list):
        result = []
        kept = set()
        for weight, group in enumerate(public_group_list, start=1):
            group = copy.deepcopy(group)
            stored = self._groups.get(_as_id(group.get("id")))
            if stored is None or stored["status_page_id"] != page_id:
                stored = {"id": self._new_id("group"), "status_page_id": page_id}
                self._groups[stored["id"]] = stored
            stored.update(name=group.get("name"), weight=weight,
                          monitors=[(_as_id(entry["id"]), bool(entry.get("sendUrl")))
                                    for entry in group.get("monitorList") or []])
            kept.add(stored["id"])
            group["id"] = stored["id"]
            result.append(group)
        for group_id in [gid for gid, g in self._groups.items() if g["status_page_id"] == page_id and gid not in kept]:
            del self._groups[group_id]
        return result

    def _ev_delete_status_page(self, _sid, _user_id, slug=None):
        page = self._page_by_slug(slug)
        if page is not None:
            del self._status_pages[page["id"]]
            self._groups = {gid: g for gid, g in self._groups.items() if g["status_page_id"] != page["id"]}
            self._incidents = {iid: i for iid, i in self._incidents.items() if i["status_page_id"] != page["id"]}
            for page_ids in self._maintenance_pages.values():
                if page["id"] in page_ids:
                    page_ids.remove(page["id"])
        return {"ok": True}

    def _ev_post_incident(self, _sid, _user_id, slug=None, incident=None):
        page = self._page_by_slug(slug)
        if page is None:
            raise KumaError("slug is not found")
        incident = incident if isinstance(incident, dict) else {}
        if not self._at_least(2, 1):
            for stored in self._incidents.values():
                if stored["status_page_id"] == page["id"]:
                    stored["pin"] = False
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        stored = self._incidents.get(_as_id(incident.get("id")))
        if stored is None:
            stored = {"id": self._new_id("incident"), "status_page_id": page["id"], "createdDate": now,
                      "lastUpdatedDate": None}
            self._incidents[stored["id"]] = stored
        else:
            stored["lastUpdatedDate"] = now
        stored.update(title=incident.get("title"), content=incident.get("content"),
                      style=incident.get("style", "primary"), pin=True)
        return {"ok": True, "incident": self._incident_json(stored)}

    def _ev_unpin_incident(self, _sid, _user_id, slug=None):
        page = self._page_by_slug(slug)
        for stored in self._incidents.values():
            if page is not None and stored["status_page_id"] == page["id"]:
                stored["pin"] = False
        return {"ok": True}

    @staticmethod
    def _incident_json(stored):
        return {key: value for key, value in stored.items() if key != "status_page_id"}

    def _status_page_state(self, page):
        return {"config": self._status_page_json(page), "publicGroupList": self._public_groups(page["id"]),
                "incidents": [self._incident_json(i) for i in self._incidents.values()
                              if i["status_page_id"] == page["id"]]}

    def _public_groups(self, page_id):
        groups = sorted((g for g in self._groups.values() if g["status_page_id"] == page_id), key=lambda g: g["weight"])
        result = []
        for group in groups:
            monitors = []
            for monitor_id, send_url in group["monitors"]:
                row = self._monitors[monitor_id]
                entry = {"id": monitor_id, "name": row["name"], "sendUrl": int(send_url), "type": row["type"]}
                if send_url:
                    entry["url"] = row["url"]
                monitors.append(entry)
            result.append({"id": group["id"], "name": group["name"], "weight": group["weight"],
                           "monitorList": monitors})
        return result

    def _public_status_page(self, page):
        config = {key: value for key, value in self._status_page_json(page).items()
                  if key not in ("id", "domainNameList")}
        pinned = sorted((self._incident_json(i) for i in self._incidents.values()
                         if i["status_page_id"] == page["id"] and i["pin"]), key=lambda i: i["id"], reverse=True)
        data = {"config": config}
        if self._at_least(2, 1):
            data["incidents"] = pinned
        else:
            data["incident"] = pinned[0] if pinned else None
        maintenances = [self._maintenance_json(mid) for mid, page_ids in self._maintenance_pages.items()
                        if page["id"] in page_ids and self._maintenance_status(mid) == "under-maintenance"]
        data.update(publicGroupList=self._public_groups(page["id"]), maintenanceList=maintenances)
        return data
