"""Uptime Kuma emulator: setup, login (password, TOTP, JWT), logout, what a login pushes."""

import hashlib
import hmac
import json
import re
import time

from .protocol import (
    ALREADY_SET_UP,
    KumaError,
    WEAK_PASSWORD,
    _b64url,
    _b64url_decode,
    _password_hash,
    _totp_matches,
)


class AuthEvents:
    """Event handlers: setup, login (password, TOTP, JWT), logout. ``self``: the emulator."""

    def _info(self, with_version):
        info = {"primaryBaseURL": None, "serverTimezone": "UTC", "serverTimezoneOffset": "+00:00",
                "isContainer": False}
        if with_version:
            info.update(version=self.version, latestVersion=self.version)
            if self._v2:
                info.update(dbType="sqlite", runtime={"platform": "linux", "arch": "x64"})
        return info

    def _ev_need_setup(self, _sid, _user_id):
        return not self._users

    def _ev_setup(self, _sid, _user_id, username=None, password=None):
        if self._users:
            raise KumaError(ALREADY_SET_UP)
        password = password or ""
        classes = sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
        if len(password) < 6 or classes < 2:
            raise KumaError(WEAK_PASSWORD)
        self._add_user(username, password)
        return self._ok("added")

    def _ev_login(self, sid, _user_id, data=None):
        data = data if isinstance(data, dict) else {}
        user = next((u for u in self._users.values() if u["username"] == data.get("username")), None)
        if user is None or user["password"] != _password_hash(str(data.get("password"))):
            return {"ok": False, **self._message("bad_credentials")}
        code = data.get("token")
        if user["twofa_secret"]:
            if not code:
                return {"tokenRequired": True}
            fresh = user["twofa_last_token"] != str(code)
            if not (fresh and _totp_matches(user["twofa_secret"], code, time.time())):
                return {"ok": False, **self._message("bad_totp")}
            user["twofa_last_token"] = str(code)
        self._after_login(sid, user)
        return {"ok": True, "token": self._make_jwt(user)}

    def _ev_login_by_token(self, sid, _user_id, token=None):
        claims = self._read_jwt(token)
        if claims is None:
            return {"ok": False, **self._message("bad_jwt")}
        user = next((u for u in self._users.values() if u["username"] == claims.get("username")), None)
        if user is None or claims.get("h") != user["password"][:32]:
            return {"ok": False, **self._message("user_gone")}
        self._after_login(sid, user)
        return {"ok": True}

    def _ev_logout(self, sid, _user_id):
        user_id = self._sessions.get(sid)
        if user_id is not None:
            self.sio.leave_room(sid, self._room(user_id))
        self._sessions[sid] = None

    def _make_jwt(self, user):
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = _b64url(json.dumps({"username": user["username"], "h": user["password"][:32],
                                     "iat": int(time.time())}).encode())
        signature = hmac.new(self._jwt_secret, f"{header}.{claims}".encode(), hashlib.sha256).digest()
        return f"{header}.{claims}.{_b64url(signature)}"

    def _read_jwt(self, token):
        parts = token.split(".") if isinstance(token, str) else []
        if len(parts) != 3:
            return None
        expected = hmac.new(self._jwt_secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(_b64url_decode(parts[2]), expected):
                return None
            return json.loads(_b64url_decode(parts[1]))
        except ValueError:
            return None

    def _after_login(self, sid, user):
        user_id = user["id"]
        self._sessions[sid] = user_id
        self.sio.enter_room(sid, self._room(user_id))
        monitor_list = self._monitor_list(user_id)
        self.sio.emit("monitorList", monitor_list, to=sid)
        self.sio.emit("info", self._info(with_version=True), to=sid)
        self.sio.emit("maintenanceList", self._maintenance_list(user_id), to=sid)
        self.sio.emit("notificationList", self._notification_list(user_id), to=sid)
        for event in ("proxyList", "dockerHostList", "apiKeyList") + (
                ("remoteBrowserList", "monitorTypeList") if self._v2 else ()):
            self.sio.emit(event, {} if event == "monitorTypeList" else [], to=sid)
        self.sio.emit("statusPageList", {str(page["id"]): self._status_page_json(page)
                                         for page in self._status_pages.values()}, to=sid)
        for monitor_id in monitor_list:
            self.sio.emit("heartbeatList", (monitor_id, [], True), to=sid)
            if not self._v2:
                self.sio.emit("importantHeartbeatList", (monitor_id, [], True), to=sid)
