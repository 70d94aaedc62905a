"""What the in-process tests of the WordPress modules share.

A real sandbox WordPress (6.8 by default, 6.1 with ``FABRIK_WORDPRESS_VERSION=6.1``) on free loopback ports (tests/sandbox/wordpress.py), a runner that calls a
module's ``main()`` with arguments and turns ``exit_json``/``fail_json`` into a result (asserting that no
secret is in it), and a recorder of every request the collection's HTTP layer sends.
"""

import json
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.fabrik.deploy.plugins.module_utils._http import HttpClient
from tests.sandbox.wordpress import CONNECTOR, WordPressSandbox, install_connector, missing_requirements, remove_connector

REPO = Path(__file__).resolve().parents[3]
__all__ = ["CONNECTOR", "install_connector", "remove_connector"]  # for the tests that add or remove it
ADMIN = "admin"
ADMIN_PASSWORD = "sandbox-admin-password"
HTTP_TIMEOUT = 30

NEEDS_WORDPRESS = pytest.mark.skipif(bool(missing_requirements()), reason="WordPress sandbox needs Debian packages: %s"
                                     % ", ".join(missing_requirements()))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_sandbox(tmp_path_factory):
    """A started, not yet installed sandbox WordPress (stop it when done)."""
    wordpress = WordPressSandbox(tmp_path_factory.mktemp("wordpress"), free_port(), free_port())
    wordpress.start()
    return wordpress


@contextmanager
def installed_wordpress(tmp_path_factory, title, connector=False):
    """``(wordpress, app password of the admin)``: an installed sandbox, with the connector when asked."""
    wordpress = new_sandbox(tmp_path_factory)
    try:
        if connector:  # in place before the install, as on a site from the compose template
            install_connector(wordpress.mu_plugins_dir)
        wordpress.install(title, ADMIN, ADMIN_PASSWORD, "admin@example.com")
        yield wordpress, wordpress.create_application_password(ADMIN, ADMIN_PASSWORD, "tests")
    finally:
        wordpress.stop()


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


def record_requests(monkeypatch, keep_query=True):
    """The list every ``(method, path)`` the HTTP layer sends from now on is appended to."""
    log = []
    original = HttpClient.send

    def recording(client, method, path, send_args):
        log.append((method, path if keep_query else path.split("?", 1)[0]))
        return original(client, method, path, send_args)

    monkeypatch.setattr(HttpClient, "send", recording)
    return log


def writes(log):
    return [entry for entry in log if entry[0] not in ("GET", "HEAD")]


def module_runner(monkeypatch, base_args, secrets, log=None):
    """``run(module, check_mode=False, **args)`` -> the module's result (``failed`` set on failure).

    ``base_args()`` and ``secrets()`` are read at each call (credentials may change between tests); with
    ``log``, the recorded requests are cleared before each call.
    """

    warnings = []

    def exit_json(_module, **result):
        raise ModuleExit(dict(result, failed=False, warnings=list(warnings)))

    def fail_json(_module, msg, **result):
        raise ModuleExit(dict(result, msg=msg, failed=True, warnings=list(warnings)))

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(AnsibleModule, "warn", lambda _module, warning: warnings.append(warning))

    def run_module(module, check_mode=False, **args):
        warnings.clear()
        merged = dict(base_args(), **args)
        merged.update(_ansible_check_mode=check_mode, _ansible_diff=True)
        if log is not None:
            log.clear()
        with patch_module_args(merged), pytest.raises(ModuleExit) as caught:
            module.main()
        result = caught.value.result
        text = json.dumps(result, default=str)
        for secret in secrets():
            assert not secret or secret not in text
        return result

    return run_module
