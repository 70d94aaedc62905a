"""ChatCoolify's API client (``chatcoolify.client.CoolifyClient``) against the Coolify emulator.

Health, team(s), servers, projects, a public git application (its create payload names both
``environment_name`` and ``environment_uuid``), a deploy with the uuid in the JSON body (as the live
``/deploy`` accepts it), the application's deployments (``{count, deployments}``).
"""

import time

from chatcoolify.client import CoolifyAPIError, CoolifyClient, PublicApplicationSpec

from _common import CONNECTION, check, finish, step

CO = CONNECTION["coolify"]
client = CoolifyClient(CO["root"], token=CO["api_token"], allow_write=True, timeout=10)
STATE = {}


def read_only():
    check(client.health()["ok"] is True, "health")
    team = client.current_team()
    check([t["id"] for t in client.list_teams()] == [team["id"]], "teams")
    servers = client.list_servers()
    check(len(servers) == 1, "servers: %r", servers)
    STATE["server"] = servers[0]["uuid"]


def project():
    created = client.create_project("chatcoolify-site", description="conformance")
    STATE["project"] = created["uuid"]
    summary = client.get_project(created["uuid"])
    check([env["name"] for env in summary["environments"]] == ["production"], "project: %r", summary)
    STATE["environment"] = summary["environments"][0]["uuid"]
    check(any(p["uuid"] == created["uuid"] for p in client.list_projects()), "project listed")


def application():
    spec = PublicApplicationSpec(
        project_uuid=STATE["project"], server_uuid=STATE["server"], environment_name="production",
        environment_uuid=STATE["environment"], git_repository="https://github.com/coollabsio/coolify-examples",
        git_branch="main", build_pack="static", name="chat-site", domains="https://www.fabrik-chat.com", port=80)
    created = client.create_public_application(spec)
    STATE["app"] = created["uuid"]
    summary = client.get_application(created["uuid"])
    check(summary["name"] == "chat-site" and summary["build_pack"] == "static", "application: %r", summary)
    check(any(a["uuid"] == created["uuid"] for a in client.list_applications()), "application listed")


def deploy():
    answer = client.deploy(STATE["app"])
    [deployment] = answer["deployments"]
    check(deployment["resource_uuid"] == STATE["app"] and deployment["deployment_uuid"], "deploy: %r", answer)
    for _attempt in range(100):
        listed = client.list_deployments(STATE["app"])
        if listed and listed[0]["status"] in ("finished", "failed"):
            break
        time.sleep(0.1)
    check(listed[0]["deployment_uuid"] == deployment["deployment_uuid"], "deployments: %r", listed)
    check(listed[0]["status"] == "finished", "deployment status: %r", listed[0])


def errors():
    try:
        client.get_application("no-such-application")
    except CoolifyAPIError as error:
        check(error.status == 404, "status %r", error.status)
        return
    raise AssertionError("an unknown application was found")


step("health, teams, servers", read_only)
step("a project", project)
step("a public git application (environment name and uuid)", application)
step("deploy with the uuid in the JSON body, then its deployments", deploy)
step("an unknown application is a 404", errors)
finish()
