"""An example module for tests/unit/plugins/plugin_utils/test_in_process.py: every kind of option and outcome."""

from ansible.module_utils.basic import env_fallback

from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

NAME = "fabrik.deploy.example"
TOKEN = "example-api-token-value"
ENV_TOKEN = "example-token-from-the-environment"
PASSWORD = "example-user-password"
READ_SECRET = "example-secret-read-from-the-service"

SPEC = dict(
    argument_spec=dict(
        url=dict(type="str", required=True),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["FABRIK_EXAMPLE_TOKEN"])),
        mode=dict(type="str", choices=["plain", "strict"], default="plain"),
        count=dict(type="int", default=3),
        users=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True, aliases=["login"]),
            password=dict(type="str", no_log=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )),
        first=dict(type="str"),
        second=dict(type="str"),
        src=dict(type="path"),
        key=dict(type="str", no_log=False),
        fail=dict(type="str", choices=["spec", "api", "failure", "bug"]),
    ),
    mutually_exclusive=[("first", "second")],
    required_if=[("mode", "strict", ("first",))],
    required_by={"src": "key"},
    supports_check_mode=True,
)


def run(ctx):
    params = ctx.params
    if params["fail"] == "spec":
        raise SpecError("users[0].name", "a name expected")
    if params["fail"] == "api":
        raise ApiError("Example", "read things", "GET", "/things", status=503, message="down for %s" % params["url"])
    if params["fail"] == "failure":
        raise Failure("refused: token %s" % params["token"], changed=True, diff={"before": 1, "after": 2})
    ctx.warn("planning %d users with token %s" % (len(params["users"] or []), params["token"]))
    ctx.no_log_values.add(READ_SECRET)
    passwords = [user["password"] for user in params["users"] or [] if user["password"]]
    return dict(changed=not ctx.check_mode, params=dict(params), seen="read %s, passwords %s" % (READ_SECRET, passwords),
                flag=True, nothing=None, diff=dict(before={"count": 0}, after={"count": params["count"]}))
