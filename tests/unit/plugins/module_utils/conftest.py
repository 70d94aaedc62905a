"""A real HTTP server on 127.0.0.1 whose answers the tests program.

``server.enqueue(...)`` queues behaviours consumed in order by matching requests:
a status with headers and body, a hang longer than the client's timeout, an
abrupt reset of the connection, or a silent close after the answer. Without a
queued behaviour the server answers 200 with a JSON echo of the request. Every
request received is recorded in ``server.requests`` (with the client's port,
``peer``, which tells connections apart) before the behaviour runs. With
``keep_alive=True`` the server speaks HTTP/1.1 and keeps connections open.
"""

import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict
    body: bytes
    peer: int = 0
    target: str = ""


@dataclass
class Behaviour:
    status: int = 200
    body: object = None
    headers: dict = field(default_factory=dict)
    times: int = 1
    hang: float = 0.0
    reset: bool = False
    close: bool = False
    method: str = None


class _Handler(BaseHTTPRequestHandler):
    server_version = "ProgrammableServer"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Keep the test output quiet."""

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        received = Received(self.command, url.path, url.query, {k.lower(): v for k, v in self.headers.items()}, body,
                            peer=self.client_address[1], target=self.path)
        behaviour = self.server.programmable.record_and_pick(received)
        if behaviour.reset:
            self._reset_connection()
            return
        if behaviour.hang:
            self.server.programmable.released.wait(behaviour.hang)
        try:
            self._respond(behaviour, received)
        except OSError:
            pass  # the client gave up while we hung
        if behaviour.close:
            self.close_connection = True  # without saying so: the client finds out on its next request

    def _respond(self, behaviour, received):
        payload = behaviour.body
        if payload is None:
            payload = {
                "method": received.method,
                "path": received.path,
                "query": received.query,
                "headers": received.headers,
                "body": received.body.decode("utf-8", "replace"),
            }
        if isinstance(payload, (dict, list)):
            data = json.dumps(payload).encode()
            content_type = "application/json"
        elif isinstance(payload, bytes):
            data = payload
            content_type = "application/octet-stream"
        else:
            data = str(payload).encode()
            content_type = "text/plain"
        self.send_response(behaviour.status)
        if "Content-Type" not in behaviour.headers:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in behaviour.headers.items():
            self.send_header(name, str(value))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _reset_connection(self):
        """Close with SO_LINGER 0 so the client gets a TCP reset instead of a response."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        socket.socket(fileno=self.connection.detach()).close()
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class ProgrammableServer:
    """ThreadingHTTPServer in a background thread, optionally over TLS, with a behaviour queue."""

    def __init__(self, port=0, certfile=None, keyfile=None, keep_alive=False):
        self.requests = []
        self.released = threading.Event()
        self._queue = []
        self._lock = threading.Lock()
        handler = type("_KeepAliveHandler", (_Handler,), {"protocol_version": "HTTP/1.1"}) if keep_alive else _Handler
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        # a kept-alive connection holds its handler thread until the client closes it: do not wait for those
        self._httpd.block_on_close = not keep_alive
        self._httpd.programmable = self
        scheme = "http"
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.port = self._httpd.server_address[1]
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def enqueue(self, **behaviour):
        with self._lock:
            self._queue.append(Behaviour(**behaviour))

    def record_and_pick(self, received):
        with self._lock:
            self.requests.append(received)
            for behaviour in self._queue:
                if behaviour.method in (None, received.method):
                    behaviour.times -= 1
                    if behaviour.times <= 0:
                        self._queue.remove(behaviour)
                    return behaviour
        return Behaviour()

    def count(self, method=None):
        return sum(1 for request in self.requests if method in (None, request.method))

    def close(self):
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class SleepRecorder:
    """Stands in for time.sleep: records each delay, waits for none, can run a hook."""

    def __init__(self):
        self.delays = []
        self.on_sleep = None

    def __call__(self, seconds):
        self.delays.append(seconds)
        if self.on_sleep:
            self.on_sleep(seconds)


@pytest.fixture
def unused_port():
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_factory():
    """Start servers on demand (``server_factory(port=...)``); all are closed after the test."""
    started = []

    def start(**options):
        started.append(ProgrammableServer(**options))
        return started[-1]

    yield start
    for instance in started:
        instance.close()


@pytest.fixture
def server(server_factory):
    return server_factory()


@pytest.fixture
def sleeps():
    return SleepRecorder()


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    """The tests choose their proxies and CA bundles: none from the environment they run in."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NETRC"):
            monkeypatch.delenv(name)


@dataclass
class CertificateAuthority:
    """A certificate authority made for the tests and a server certificate for 127.0.0.1 it signed."""

    ca_file: str
    cert_file: str
    key_file: str


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """A CA and a certificate for 127.0.0.1 signed by it, made with the openssl command."""
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("the openssl command is needed to make test certificates")
    directory = tmp_path_factory.mktemp("tls")
    ca_file, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    cert_file, key_file, request = directory / "cert.pem", directory / "key.pem", directory / "cert.csr"
    extensions = directory / "server.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                          "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                          "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n")
    for command in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=fabrik test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-keyout", ca_key, "-out", ca_file],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key_file, "-out", request],
        ["x509", "-req", "-in", request, "-CA", ca_file, "-CAkey", ca_key, "-CAcreateserial", "-days", "1",
         "-extfile", extensions, "-out", cert_file],
    ):
        subprocess.run([openssl, *map(str, command)], check=True, capture_output=True)
    return CertificateAuthority(str(ca_file), str(cert_file), str(key_file))


@pytest.fixture
def tls_server(test_ca):
    """A server whose certificate the test CA signed (so only that CA's bundle verifies it)."""
    instance = ProgrammableServer(certfile=test_ca.cert_file, keyfile=test_ca.key_file)
    yield instance
    instance.close()
