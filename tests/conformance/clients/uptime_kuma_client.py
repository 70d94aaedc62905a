"""An ``uptime_kuma_api`` client (uptime-kuma-api2 or uptime-kuma-api-ng: same import name, own
virtualenvs) against the Uptime Kuma emulator, in the mode of the version given as argument.

What its users do: log in, add HTTP and keyword monitors with a notification and a tag, read
and edit them, pause and resume, a status page with a group of monitors, delete, log out.  Then
the server's connection order: with the first ``info`` event delayed (``info_delay``), a 2.x server
answers a login only once that ``info`` was sent; neither client waits for it (client bug,
tests/sandbox/README.md): its early login goes unanswered, and a login after ``loginRequired``
(the script listens on the client's socket) succeeds.  Last, the login limiter: the 21st login
within a minute is refused with the server's own message.
"""

import sys
import threading

from uptime_kuma_api import MonitorType, NotificationType, Timeout, UptimeKumaApi, UptimeKumaException

from _common import CONNECTION, check, control, finish, step

UK = CONNECTION["uptime_kuma"]
VERSION = sys.argv[1]
V2 = not VERSION.startswith("1.")
control("uptime_kuma", "POST", "config", {"version": VERSION})
STATE = {}


def connect(**kwargs):
    return UptimeKumaApi(UK["url"], timeout=10, wait_events=0.05, **kwargs)


def login_and_monitors():
    api = connect()
    STATE["api"] = api
    check("token" in api.login(UK["username"], UK["password"]), "login")
    check(api.info().get("version") == VERSION, "info after login: %r", api.info())
    notification = api.add_notification(name="ops", type=NotificationType.WEBHOOK, isDefault=False,
                                        webhookURL="https://hooks.fabrik-kuma.com/x", webhookContentType="json")
    tag = api.add_tag(name="fabrik", color="#2563eb")
    http = api.add_monitor(type=MonitorType.HTTP, name="fabrik-kuma.com", url="https://fabrik-kuma.com",
                           interval=60, notificationIDList=[notification["id"]])
    keyword = api.add_monitor(type=MonitorType.KEYWORD, name="fabrik-kuma.com content",
                              url="https://fabrik-kuma.com", keyword="Welcome", interval=120)
    api.add_monitor_tag(tag_id=tag["id"], monitor_id=http["monitorID"], value="site")
    STATE.update(http=http["monitorID"], keyword=keyword["monitorID"])
    monitors = {m["name"]: m for m in api.get_monitors()}
    check(sorted(monitors) == ["fabrik-kuma.com", "fabrik-kuma.com content"], "monitors: %r", sorted(monitors))
    check(monitors["fabrik-kuma.com"]["tags"][0]["value"] == "site", "tag value: %r", monitors["fabrik-kuma.com"])
    check(monitors["fabrik-kuma.com content"]["keyword"] == "Welcome", "keyword")


def edit_pause_resume():
    api = STATE["api"]
    api.edit_monitor(STATE["http"], interval=300)
    check(api.get_monitor(STATE["http"])["interval"] == 300, "edited")
    api.pause_monitor(STATE["http"])
    check(not api.get_monitor(STATE["http"])["active"], "paused")
    api.resume_monitor(STATE["http"])
    check(api.get_monitor(STATE["http"])["active"], "resumed")


def status_page():
    api = STATE["api"]
    api.add_status_page("fabrik-kuma", "Fabrik status")
    api.save_status_page("fabrik-kuma", title="Fabrik status", description="All services",
                         publicGroupList=[{"name": "Site", "monitorList": [{"id": STATE["http"]}]}])
    page = api.get_status_page("fabrik-kuma")
    check(page["title"] == "Fabrik status", "status page: %r", page)
    check([m["id"] for m in page["publicGroupList"][0]["monitorList"]] == [STATE["http"]], "group: %r", page)


def delete_and_logout():
    api = STATE["api"]
    api.delete_monitor(STATE["keyword"])
    check([m["id"] for m in api.get_monitors()] == [STATE["http"]], "one monitor left")
    api.delete_status_page("fabrik-kuma")
    api.logout()
    api.disconnect()


def delayed_first_info():
    control("uptime_kuma", "POST", "config", {"info_delay": 0.5})
    api = None
    try:
        api = UptimeKumaApi(UK["url"], timeout=1, wait_events=0.05)
        ready = threading.Event()  # the client offers no way to wait: listen on its socket
        api.sio.on("loginRequired", lambda *_args: ready.set())
        if V2:
            try:
                api.login(UK["username"], UK["password"])
            except Timeout:
                pass  # sent before the first info: unanswered, as on a real 2.x server
            else:
                raise AssertionError("a 2.x server answered a login sent before its first info event")
        check(ready.wait(5), "no loginRequired after the delayed info")
        check("token" in api.login(UK["username"], UK["password"]), "login after the first info")
        dropped = [e["event"] for e in control("uptime_kuma", "GET", "requests") if e.get("dropped")]
        check(dropped == (["login"] if V2 else []), "events dropped before the first info: %r", dropped)
    finally:
        if api is not None:
            api.disconnect()
        control("uptime_kuma", "POST", "config", {"info_delay": 0})


def login_limit():
    control("uptime_kuma", "POST", "config", {"login_rate_limit_per_minute": 20})
    api = connect()
    try:
        for _attempt in range(20):
            api.login(UK["username"], UK["password"])
        try:
            api.login(UK["username"], UK["password"])
        except UptimeKumaException as error:
            check("Too frequently, try again later." in str(error), "refusal: %s", error)
        else:
            raise AssertionError("the 21st login within a minute was accepted")
    finally:
        api.disconnect()
        control("uptime_kuma", "POST", "config", {"login_rate_limit_per_minute": None})


step("log in, monitors with a notification and a tag", login_and_monitors)
step("edit, pause, resume", edit_pause_resume)
step("a status page with a group", status_page)
step("delete, log out", delete_and_logout)
step("a delayed first info event: wait for it, then log in", delayed_first_info)
step("the login limiter (20 a minute)", login_limit)
finish()
