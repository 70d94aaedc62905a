"""Coolify emulator: the HTTP edge (``CoolifyEdge``) where deployed resources answer by ``Host``."""

import json

import requests
from werkzeug.wrappers import Request, Response

from .helpers import text_response, timestamp


def deployment_logs(lines, failed=False):
    """The ``logs`` field: a JSON-encoded list of log entries (NOTES.md "Deployments")."""
    stamp = timestamp()
    entries = [{"command": None, "output": line, "type": "stdout", "timestamp": stamp, "hidden": False,
                "batch": 1, "order": index + 1} for index, line in enumerate(lines)]
    if failed:
        entries[-1]["type"] = "stderr"
    return json.dumps(entries)


HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "content-length", "content-encoding"})


class CoolifyEdge:
    """WSGI app: the proxy in front of deployed resources, routing by ``Host``.

    A running WordPress resource is reverse-proxied to the emulator's ``wordpress_url``
    (a placeholder page while that is unset): when that is the sandbox WordPress and it has a
    tenant named like the host (``/t/<host>/``, see ``wordpress_front.py``), to that tenant, else
    to its default site.  Another running resource answers 200 with a page naming it; a stopped
    or not yet deployed one 503; an unknown host 404.
    """

    def __init__(self, emulator):
        self.emulator = emulator
        self.http = requests.Session()

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.answer(request)(environ, start_response)

    def close(self):
        """Drop the pooled upstream connections (the launcher calls it at shutdown)."""
        self.http.close()

    def answer(self, request):
        host = request.host.rsplit(":", 1)[0].lower() if request.host else ""
        target = self.emulator.edge_target(host)
        if target is None:
            return text_response(f"<h1>404</h1><p>No resource answers on {host}.</p>", 404)
        name, running, wordpress = target
        if not running:
            return text_response(f"<h1>503</h1><p>{name} is not running.</p>", 503)
        upstream = self.emulator.config["wordpress_url"]
        if wordpress and upstream:
            return self.proxy(request, self.tenant_upstream(upstream, host) or upstream, host)
        kind = "WordPress (sandbox placeholder)" if wordpress else "sandbox resource"
        return text_response(f"<!doctype html><title>{name}</title><h1>{name}</h1><p>{kind} on {host}</p>")

    def tenant_upstream(self, upstream, host):
        """The URL of the sandbox WordPress's tenant ``host`` when ``upstream`` is that WordPress and has it."""
        tenant_url = getattr(self.emulator.shared.get("wordpress"), "existing_tenant_url", None)
        return tenant_url(host, upstream) if tenant_url is not None else None

    def proxy(self, request, upstream, host):
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        headers.update({"X-Forwarded-Host": host, "X-Forwarded-Proto": request.scheme})
        try:
            target = request.environ.get("REQUEST_URI") or request.full_path.rstrip("?")
            answer = self.http.request(request.method, upstream.rstrip("/") + target,
                                       headers=headers, data=request.get_data(), allow_redirects=False, timeout=60)
        except requests.RequestException as error:
            return text_response(f"<h1>502</h1><p>WordPress upstream failed: {type(error).__name__}</p>", 502)
        passed = [(k, v) for k, v in answer.raw.headers.items() if k.lower() not in HOP_BY_HOP]
        return Response(answer.content, status=answer.status_code, headers=passed)
