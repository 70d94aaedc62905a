"""HttpClient's transport, requests, against real loopback servers: TLS and CA bundles, proxies from the
environment, redirects, cookies, kept-alive connections, failures before and after a request is sent, and
secrets kept out of every error."""

import base64
import json
import select
import socket
import struct
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import urllib3.connection
from urllib3.util.ssl_ import create_urllib3_context

from ansible_collections.fabrik.deploy.plugins.module_utils import _http_transport
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient

TOKEN = "tok-S3cr3t/value+1"


def make_client(url, sleeps, **options):
    settings = {"service": "Svc", "base_url": url, "timeout": 0.3, "sleep": sleeps}
    settings.update(options)
    return HttpClient(**settings)


def echo(response):
    return response.json()


# --- TLS: validate_certs and CA bundles ------------------------------------------------------------


def test_certificates_are_verified_by_default(tls_server, sleeps):
    with pytest.raises(ApiError) as caught:
        make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert str(caught.value).startswith(
        "Svc: read a failed: GET /a -> TLS error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert caught.value.status is None
    assert sleeps.delays == [] and tls_server.count() == 0


def test_validate_certs_false_accepts_any_certificate_without_a_warning(tls_server, sleeps, recwarn):
    response = make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert tls_server.count() == 1
    assert [str(warning.message) for warning in recwarn] == []


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_from_the_environment_verifies_the_certificate(tls_server, sleeps, monkeypatch, test_ca,
                                                                   variable):
    monkeypatch.setenv(variable, test_ca.ca_file)

    response = make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200


def test_ssl_cert_file_is_not_read_as_requests_does_not(tls_server, sleeps, monkeypatch, test_ca):
    # requests verifies against certifi's bundle, or REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, never OpenSSL's defaults
    monkeypatch.setenv("SSL_CERT_FILE", test_ca.ca_file)

    with pytest.raises(ApiError) as caught:
        make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)


def test_a_ca_bundle_that_does_not_exist_is_named(tls_server, sleeps, monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))

    with pytest.raises(ApiError) as caught:
        make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert str(caught.value) == (
        "Svc: read a failed: GET /a -> TLS error: cannot load the CA certificates: Could not find a suitable "
        "TLS CA certificate bundle, invalid path: %s" % (tmp_path / "missing.pem"))
    assert sleeps.delays == []


def test_validate_certs_false_ignores_the_ca_bundle(tls_server, sleeps, monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))

    response = make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert response.status_code == 200


def test_verified_connections_share_one_ssl_context_per_ca_bundle(server_factory, sleeps, monkeypatch, test_ca):
    # urllib3 would make a context and load the bundle for every connection (~20 ms of CPU each)
    made = []
    monkeypatch.setattr(urllib3.connection, "create_urllib3_context",
                        lambda *args, **kwargs: made.append(1) or create_urllib3_context(*args, **kwargs))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", test_ca.ca_file)
    server = server_factory(certfile=test_ca.cert_file, keyfile=test_ca.key_file)  # closes each connection
    clients = [make_client(server.url, sleeps) for index in range(2)]

    for client in clients * 2:
        assert client.request("GET", "/a", "read a").status_code == 200

    assert len({received.peer for received in server.requests}) == 4
    assert made == []
    assert sum(1 for key in _http_transport._CONTEXTS if key == test_ca.ca_file) == 1


def test_a_changed_ca_bundle_is_loaded_again(tls_server, sleeps, monkeypatch, test_ca, tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(Path(requests.certs.where()).read_text())  # loads, but lacks the test CA
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with pytest.raises(ApiError):
        make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    bundle.write_text(Path(test_ca.ca_file).read_text())

    assert make_client(tls_server.url, sleeps).request("GET", "/a", "read a").status_code == 200


# --- cookies and redirects ------------------------------------------------------------------------


def test_cookies_set_by_the_service_are_sent_back(server, sleeps):
    server.enqueue(headers={"Set-Cookie": "session=abc123; Path=/; HttpOnly"})
    client = make_client(server.url, sleeps)

    client.request("GET", "/login", "log in")
    seen = echo(client.request("GET", "/a", "read a"))

    assert seen["headers"]["cookie"] == "session=abc123"
    assert [cookie.name for cookie in client.cookies] == ["session"]


def test_a_cookie_set_by_the_client_is_sent_to_the_service(server, sleeps):
    client = make_client(server.url + "/site", sleeps)
    client.set_cookie("wordpress_test_cookie", "WP Cookie check")

    seen = echo(client.request("POST", "/wp-login.php", "log in", data={"log": "admin"}))

    assert seen["headers"]["cookie"] == "wordpress_test_cookie=WP Cookie check"


def test_no_cookie_header_without_cookies(server, sleeps):
    seen = echo(make_client(server.url, sleeps).request("GET", "/a", "read a"))
    assert "cookie" not in seen["headers"]


def test_a_post_redirected_with_302_is_followed_as_a_get_with_the_new_cookies(server, sleeps):
    server.enqueue(method="POST", status=302, body="",
                   headers={"Location": "/wp-admin/", "Set-Cookie": "wordpress_logged_in_1=admin%7C1; Path=/"})
    client = make_client(server.url, sleeps)

    response = client.request("POST", "/wp-login.php", "log in", data={"log": "admin", "pwd": "secret"})

    assert response.status_code == 200
    login, admin = server.requests
    assert (login.method, login.body) == ("POST", b"log=admin&pwd=secret")
    assert (admin.method, admin.path, admin.body) == ("GET", "/wp-admin/", b"")
    assert "content-type" not in admin.headers and "content-length" not in admin.headers
    assert admin.headers["cookie"] == "wordpress_logged_in_1=admin%7C1"


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_keep_the_method_and_body(server, sleeps, status):
    server.enqueue(method="PUT", status=status, headers={"Location": "/b"})

    seen = echo(make_client(server.url, sleeps).request("PUT", "/a", "write a", json={"x": 1}))

    assert (seen["method"], seen["path"], json.loads(seen["body"])) == ("PUT", "/b", {"x": 1})


def test_a_redirect_to_another_host_drops_the_authorization(server_factory, sleeps):
    first, second = server_factory(), server_factory()
    first.enqueue(status=301, headers={"Location": second.url + "/moved"})
    client = make_client(first.url, sleeps, headers={"Authorization": "Bearer " + TOKEN, "X-Keep": "1"})

    seen = echo(client.request("GET", "/a", "read a"))

    assert first.requests[0].headers["authorization"] == "Bearer " + TOKEN
    assert seen["path"] == "/moved" and seen["headers"]["x-keep"] == "1"
    assert "authorization" not in seen["headers"]


def test_endless_redirects_fail_without_retrying(server, sleeps):
    server.enqueue(status=302, headers={"Location": "/a"}, times=50)

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert str(caught.value) == "Svc: read a failed: GET /a -> more than 30 redirects"
    assert server.count() == 31
    assert sleeps.delays == []


def test_a_redirect_on_the_same_host_keeps_the_authorization(server, sleeps):
    server.enqueue(status=301, headers={"Location": server.url + "/moved"})
    client = make_client(server.url, sleeps, headers={"Authorization": "Bearer " + TOKEN})

    seen = echo(client.request("GET", "/a", "read a"))

    assert seen["path"] == "/moved" and seen["headers"]["authorization"] == "Bearer " + TOKEN


def test_netrc_never_replaces_the_clients_authorization(server_factory, sleeps, monkeypatch, tmp_path):
    # requests would take ~/.netrc's entry for the host over the Authorization header, and add it after a redirect
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    first, second = server_factory(), server_factory()
    first.enqueue(status=302, headers={"Location": second.url + "/moved"})
    client = make_client(first.url, sleeps, headers={"Authorization": "Bearer " + TOKEN})

    client.request("GET", "/a", "read a")

    assert first.requests[0].headers["authorization"] == "Bearer " + TOKEN
    assert "authorization" not in second.requests[0].headers


def test_credentials_in_the_url_become_basic_authentication(server, sleeps):
    client = make_client(server.url.replace("http://", "http://admin:s%40fe@"), sleeps)

    seen = echo(client.request("GET", "/a", "read a"))

    assert seen["headers"]["authorization"] == "Basic " + base64.b64encode(b"admin:s@fe").decode()
    assert seen["headers"]["host"] == "127.0.0.1:%d" % server.port


# --- kept-alive connections and threads -----------------------------------------------------------


def test_requests_share_one_kept_alive_connection(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    client = make_client(server.url, sleeps)

    for index in range(3):
        client.request("GET", "/a/%d" % index, "read a")
    client.request("POST", "/b", "create b", json={"x": 1})

    assert len({received.peer for received in server.requests}) == 1


def test_a_connection_the_service_closed_while_idle_is_replaced(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    server.enqueue(close=True)
    client = make_client(server.url, sleeps)
    client.request("GET", "/a", "read a")
    time.sleep(0.2)  # the server's close reaches the idle connection

    response = client.request("POST", "/b", "create b")

    assert response.status_code == 200
    assert server.count("POST") == 1
    assert len({received.peer for received in server.requests}) == 2
    assert sleeps.delays == []


def test_a_connection_is_not_reused_after_a_timeout(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    server.enqueue(hang=1)
    client = make_client(server.url, sleeps)

    response = client.request("GET", "/a", "read a")

    assert echo(response)["path"] == "/a"  # the late answer of the first attempt was not taken for this one
    assert len({received.peer for received in server.requests}) == 2


def test_threads_can_share_one_client(server_factory, sleeps):
    server = server_factory(keep_alive=True)
    client = make_client(server.url, sleeps, timeout=5)

    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = ["/items/%d" % index for index in range(40)]
        answers = list(pool.map(lambda path: echo(client.request("GET", path, "read item"))["path"], paths))

    assert answers == paths
    assert server.count() == 40  # no attempt failed for sharing the client
    assert sleeps.delays == []
    assert len({received.peer for received in server.requests}) <= 4


# --- proxies from the environment -------------------------------------------------------------------


def test_http_goes_through_the_proxy_of_the_environment(server, sleeps, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://fabrik:p%%40ss@127.0.0.1:%d" % server.port)
    client = make_client("http://api.example.test:8080/v1", sleeps)

    client.request("GET", "/zones", "list zones", params={"page": 1})

    received = server.requests[0]
    assert received.target == "http://api.example.test:8080/v1/zones?page=1"
    assert received.headers["host"] == "api.example.test:8080"
    assert received.headers["proxy-authorization"] == "Basic " + base64.b64encode(b"fabrik:p@ss").decode()


def test_no_proxy_hosts_are_reached_directly(server, sleeps, monkeypatch, unused_port):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:%d" % unused_port)  # nothing listens there
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")

    response = make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert server.requests[0].target == "/a"


def test_https_tunnels_through_the_proxy(tls_server, sleeps, monkeypatch):
    with _TunnelProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)

        response = make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert response.status_code == 200
    assert proxy.connects == ["127.0.0.1:%d" % tls_server.port]
    assert tls_server.count() == 1


def test_a_proxy_refusing_the_tunnel_is_reported(tls_server, sleeps, monkeypatch):
    with _TunnelProxy(refuse=407) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)

        with pytest.raises(ApiError) as caught:
            make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert str(caught.value).endswith("-> the proxy refused the tunnel: 407 Proxy Authentication Required")
    assert sleeps.delays == []
    assert tls_server.count() == 0


def test_a_socks_proxy_needs_pysocks_as_in_requests(server, sleeps, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")

    with pytest.raises(ApiError) as caught:
        make_client(server.url, sleeps).request("GET", "/a", "read a")

    assert str(caught.value) == "Svc: read a failed: GET /a -> request failed: Missing dependencies for SOCKS support."
    assert server.count() == 0


def test_https_through_the_proxy_still_verifies_the_service_certificate(tls_server, sleeps, monkeypatch, test_ca):
    with _TunnelProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)

        with pytest.raises(ApiError) as caught:
            make_client(tls_server.url, sleeps).request("GET", "/a", "read a")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", test_ca.ca_file)
        response = make_client(tls_server.url, sleeps).request("GET", "/a", "read a")

    assert "TLS error" in str(caught.value) and "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert response.status_code == 200
    assert len(proxy.connects) == 2 and tls_server.count() == 1


def test_no_proxy_applies_to_https_too(tls_server, sleeps, monkeypatch, unused_port):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:%d" % unused_port)  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    response = make_client(tls_server.url, sleeps, validate_certs=False).request("GET", "/a", "read a")

    assert response.status_code == 200


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_an_unreachable_proxy_is_retried_even_for_post(scheme, sleeps, monkeypatch, unused_port):
    # nothing was sent
    monkeypatch.setenv("%s_proxy" % scheme, "http://fabrik:pr0xy-pass@127.0.0.1:%d" % unused_port)
    client = make_client("%s://api.example.test/v1" % scheme, sleeps, max_retries=2)

    with pytest.raises(ApiError) as caught:
        client.request("POST", "/zones", "create zone", params={"ApiKey": TOKEN})

    error = caught.value
    assert str(error) == "Svc: create zone failed: POST /zones -> connection refused (gave up: after 2 retries)"
    assert error.maybe_applied is False and len(sleeps.delays) == 2


# --- failures before and after the request is sent ------------------------------------------------


def test_a_connect_timeout_is_retried_even_for_post(sleeps, full_backlog_port):
    client = make_client("http://127.0.0.1:%d" % full_backlog_port, sleeps, max_retries=1)

    with pytest.raises(ApiError) as caught:
        client.request("POST", "/a", "create a")

    assert str(caught.value) == ("Svc: create a failed: POST /a -> connect timed out after 0.3s "
                                 "(gave up: after 1 retries)")
    assert caught.value.maybe_applied is False and len(sleeps.delays) == 1


def test_a_reset_during_the_tls_handshake_counts_as_maybe_sent(sleeps, resetting_port):
    # requests reports a reset during the handshake as it reports one after sending: a write is not resent
    port, accepted = resetting_port
    client = make_client("https://127.0.0.1:%d" % port, sleeps, max_retries=2)

    with pytest.raises(ApiError) as post:
        client.request("POST", "/a", "create a")
    posts = len(accepted)
    with pytest.raises(ApiError) as get:
        client.request("GET", "/a", "read a")

    assert post.value.maybe_applied is True and posts == 1
    assert str(post.value) == ("Svc: create a failed: POST /a -> connection lost before a response "
                               "(the request may have been applied)")
    assert str(get.value) == ("Svc: read a failed: GET /a -> connection lost before a response "
                              "(gave up: after 2 retries)")
    assert len(accepted) == 1 + 3


@pytest.fixture
def full_backlog_port():
    """A port whose listen backlog is full: a new connection is neither accepted nor refused (connect timeout)."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())
        yield listener.getsockname()[1]


@pytest.fixture
def resetting_port():
    """A port that accepts each connection, reads the client's first message (a TLS ClientHello) and resets the
    connection; and the list of the connections accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []

    def serve():
        while True:
            try:
                connection = listener.accept()[0]
            except OSError:
                return
            accepted.append(connection)
            connection.recv(4096)  # the TLS ClientHello
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    listener.close()


# --- secrets in transport errors ------------------------------------------------------------------


def _exception_text(error):
    """What a traceback of ``error`` shows besides the code: the messages of it and of its chained exceptions."""
    return "".join(line for line in traceback.format_exception(error) if not line.startswith(" "))


def _failing_setups():
    """(name, set-up) pairs: each set-up takes (monkeypatch, ports) and returns the client's base URL."""
    return {
        "refused": lambda env, ports: "http://127.0.0.1:%d" % ports["unused"],
        "read timeout": lambda env, ports: ports["hang"],
        "reset": lambda env, ports: ports["reset"],
        "tls": lambda env, ports: ports["tls"],
        "proxy refused": lambda env, ports: (env.setenv("HTTPS_PROXY", ports["refusing_proxy"]), ports["tls"])[1],
        "bad url": lambda env, ports: "http://127.0.0.1:%d:%d" % (ports["unused"], ports["unused"]),
        "no scheme": lambda env, ports: "127.0.0.1:%d/api" % ports["unused"],
    }


@pytest.mark.parametrize("failure", sorted(_failing_setups()))
def test_secrets_are_kept_out_of_every_transport_error(failure, server_factory, tls_server, sleeps, monkeypatch,
                                                       unused_port):
    hanging, resetting = server_factory(), server_factory()
    hanging.enqueue(hang=5)
    resetting.enqueue(reset=True)
    with _TunnelProxy(refuse=407) as refusing_proxy:
        ports = {"unused": unused_port, "hang": hanging.url, "reset": resetting.url, "tls": tls_server.url,
                 "refusing_proxy": refusing_proxy.url.replace("//", "//fabrik:pr0xy-pass@")}
        base_url = _failing_setups()[failure](monkeypatch, ports)
        client = make_client(base_url, sleeps, headers={"Authorization": "Bearer " + TOKEN}, secrets=[TOKEN],
                             max_retries=0)

        with pytest.raises(ApiError) as caught:
            client.request("POST", "/xml.response", "create zone", params={"ApiKey": TOKEN, "Command": "x"},
                           data={"ApiKey": TOKEN})

    error = caught.value
    shown = _exception_text(error) + repr(error) + repr(error.details()) + str(error.body)
    for secret in (TOKEN, "S3cr3t", "pr0xy-pass", "ApiKey"):
        assert secret not in shown
    assert str(error).startswith("Svc: create zone failed: POST /xml.response -> ")


def test_an_invalid_header_value_is_reported_without_it(server, sleeps):
    # a token read from a file with its newline: requests' own message would quote the header's value
    client = make_client(server.url, sleeps, headers={"Authorization": "Bearer %s\n" % TOKEN}, secrets=[TOKEN])

    with pytest.raises(ApiError) as caught:
        client.request("GET", "/a", "read a")

    assert str(caught.value) == ("Svc: read a failed: GET /a -> request failed: "
                                 "a header name or value is not allowed in HTTP")
    assert "S3cr3t" not in _exception_text(caught.value)
    assert server.count() == 0


def test_a_header_value_that_is_not_latin_1_is_reported_without_it(server, sleeps):
    client = make_client(server.url, sleeps, headers={"Authorization": "Bearer t\u20ack\u00e9n"})

    with pytest.raises(ApiError) as caught:
        client.request("GET", "/a", "read a")

    assert str(caught.value) == "Svc: read a failed: GET /a -> request failed: a header value is not Latin-1 text"
    assert server.count() == 0


class _TunnelProxy:
    """An HTTP proxy that answers CONNECT (or refuses it with ``refuse``) and relays the bytes."""

    def __init__(self, refuse=None):
        proxy = self
        self.connects = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                """Quiet."""

            def do_CONNECT(self):  # noqa: N802 (the HTTP method's name)
                proxy.connects.append(self.path)
                if refuse:
                    self.send_error(refuse)
                    return
                host, port = self.path.rsplit(":", 1)
                with socket.create_connection((host, int(port)), timeout=5) as upstream:
                    self.send_response(200, "Connection established")
                    self.end_headers()
                    _relay(self.connection, upstream)
                self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._httpd.shutdown()
        self._httpd.server_close()


def _relay(client, upstream):
    sockets = [client, upstream]
    while True:
        readable = select.select(sockets, [], [], 5)[0]
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)
