"""The sandbox's real WordPress behind the launcher's control API.

:class:`WordPressFront` is an emulator in the launcher's sense (``__main__.py`` serves it on
``base + 6`` through :class:`~tests.sandbox.framework.SandboxApp`), but it emulates nothing: it
forwards every request, byte for byte, to a real WordPress (:mod:`tests.sandbox.wordpress`) whose
PHP server listens on a private loopback port and whose MariaDB listens on ``base + 7``.
WordPress's ``WP_HOME`` is the front's URL, so links, redirects and cookies all point back here.

Being a SandboxApp, the front gives WordPress the same control API as every emulator: the request
log (method, path, query, status), faults (``after: true`` lets WordPress apply the request and then
answers the fault: "applied, response lost"), latency and reset.  ``POST /_sandbox/reset`` gives a
fresh, un-installed WordPress with the fabrik connector in ``wp-content/mu-plugins`` (as a real
deployment's compose template installs it); so does the launcher's start.  ``GET /_sandbox/state`` lists
the e-mails WordPress sent since (``mails``: PHP's mail goes to a file of the state directory, never out).

Tenants: ``/t/<tenant>/...`` (``<tenant>`` a DNS-like name such as ``fleet-3.test``) reaches
another, independent WordPress in that sub-directory (own tables, plugins and uploads; see
:mod:`tests.sandbox.wordpress`), created un-installed by its first request; an invalid name
is answered 400 here.  Log entries of tenant requests carry ``tenant`` (faults may match on
it too); reset drops every tenant.  Coolify's edge proxies a host to the tenant of that name
when it exists (:meth:`WordPressFront.existing_tenant_url`).

State lives in ``$FABRIK_SANDBOX_DIR/wordpress`` (default ``<repo>/.sandbox/wordpress``).
"""

import atexit
import http.client
import os
import re
import socket
import threading
from pathlib import Path

from werkzeug.wrappers import Response

from .base import Emulator
from .wordpress import (
    PHP_WORKERS,
    WordPressSandbox,
    install_connector,
    missing_requirements,
    tenant_name_problem,
    tenant_of_path,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PORT_OFFSET = 6
DB_PORT_OFFSET = 7
FORWARD_TIMEOUT = 120.0

# Fixed, fake credentials for the installer (sandbox.json publishes them); the application password
# is created by fabrik.deploy.wordpress_install at each fresh install.
ADMIN_USER = "admin"
ADMIN_PASSWORD = "sandbox-wordpress-admin-password"
ADMIN_EMAIL = "admin@sandbox.invalid"

# Headers that describe one hop of a connection, not the message (RFC 9110 7.6.1), plus the ones
# recomputed for the body as forwarded.
HOP_HEADERS = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length"}

# The installer's form submission (default site or tenant).  While it runs, WordPress tests pretty
# permalinks by requesting one of its own pages (through this front, 5 s timeout): that needs a second
# PHP worker.  More installs at once than half the workers (a fleet installing its tenants) would leave
# the tests no worker, time out, and give the sites plain permalinks, where /wp-json/ does not route.
INSTALL_PATH = re.compile(r"^(/t/[^/]+)?/wp-admin/install\.php$")
CONCURRENT_INSTALLS = max(1, PHP_WORKERS // 2)


def connection(root_url):
    """The ``sandbox.json`` entry of WordPress: its URL and the installer's credentials."""
    return {"url": root_url, "admin_user": ADMIN_USER, "admin_password": ADMIN_PASSWORD, "admin_email": ADMIN_EMAIL}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _PublicWordPress(WordPressSandbox):
    """A sandbox WordPress whose PHP listens on a private port while its URLs name the front's."""

    def __init__(self, state_dir, php_port, db_port, public_url):
        super().__init__(state_dir, php_port, db_port)
        self.public_url = public_url

    @property
    def url(self):
        return self.public_url


class _NoLock:
    """The framework serialises dispatch through ``emulator.lock``; PHP serves requests in parallel."""

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False


class WordPressFront(Emulator):
    """Forwards vendor requests to the real WordPress; reset gives a fresh un-installed site."""

    name = "wordpress"

    def __init__(self, shared=None, **options):
        """Options (all optional; by default from the launcher's environment): ``port`` (where the front is
        served: WordPress's URLs name it), ``db_port`` and ``state_dir`` (the WordPress state directory)."""
        super().__init__(shared, **options)
        self.lock = _NoLock()
        self._installs = threading.BoundedSemaphore(CONCURRENT_INSTALLS)
        base = int(os.environ.get("FABRIK_SANDBOX_PORT_BASE", "18400"))
        state_root = Path(os.environ.get("FABRIK_SANDBOX_DIR") or REPO_ROOT / ".sandbox")
        port = int(options.get("port") or base + PORT_OFFSET)
        db_port = int(options.get("db_port") or base + DB_PORT_OFFSET)
        state_dir = Path(options.get("state_dir") or state_root / "wordpress")
        self.unavailable = ", ".join(missing_requirements())
        self.wordpress = _PublicWordPress(state_dir, _free_port(), db_port, "http://127.0.0.1:%d" % port)
        if not self.unavailable:
            atexit.register(self.wordpress.stop)  # the launcher returns from run() on SIGTERM/SIGINT
            self.reset()

    def reset(self):
        """Fresh, un-installed WordPress (stopping whatever an earlier run left on this state directory)."""
        if self.unavailable:
            return
        self.wordpress.state_dir.mkdir(parents=True, exist_ok=True)
        self.wordpress.reset()
        install_connector(self.wordpress.mu_plugins_dir)

    def existing_tenant_url(self, tenant, base_url):
        """``<base_url>/t/<tenant>`` when ``base_url`` is this front's URL and that tenant exists (created
        since the last reset), else None."""
        if self.unavailable or base_url.rstrip("/") != self.wordpress.url or not self.wordpress.has_tenant(tenant):
            return None
        return self.wordpress.site_url(tenant)

    def describe(self, request):
        tenant = tenant_of_path(request.path)
        return {"tenant": tenant} if tenant is not None and tenant_name_problem(tenant) is None else {}

    def dispatch(self, request):
        if self.unavailable:
            return Response("WordPress sandbox unavailable, missing: %s\n" % self.unavailable, status=503,
                            mimetype="text/plain")
        tenant = tenant_of_path(request.path)
        if tenant is not None:
            problem = tenant_name_problem(tenant)
            if problem:
                return Response("sandbox: /t/<tenant>/ addresses a tenant WordPress: %s\n" % problem, status=400,
                                mimetype="text/plain")
            self.wordpress.create_tenant(tenant)  # lazily, on its first request
        if request.method == "POST" and INSTALL_PATH.match(request.path):
            with self._installs:
                return self._forward(request)
        return self._forward(request)

    def _forward(self, request):
        body = request.get_data()
        headers = {key: value for key, value in request.headers.items() if key.lower() not in HOP_HEADERS}
        if body or request.method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        target = request.environ.get("REQUEST_URI") or request.full_path  # as sent: still percent-encoded
        upstream = http.client.HTTPConnection("127.0.0.1", self.wordpress.port, timeout=FORWARD_TIMEOUT)
        try:
            upstream.request(request.method, target, body=body or None, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            kept = [(key, value) for key, value in answer.getheaders() if key.lower() not in HOP_HEADERS]
            status = answer.status
        except (OSError, http.client.HTTPException) as error:
            return Response("sandbox: WordPress did not answer: %s\n" % error, status=502, mimetype="text/plain")
        finally:
            upstream.close()
        response = Response(content, status=status, headers=kept)
        if not any(key.lower() == "content-type" for key, _value in kept):
            del response.headers["Content-Type"]
        return response

    def snapshot(self):
        if self.unavailable:
            return {"available": False, "missing": self.unavailable}
        return dict(self.wordpress.info(), available=True, php_port=self.wordpress.port, mails=self.wordpress.mails())
