"""site_check against a local HTTP server whose answers the tests program, run in-process as its action plugin
runs it in site.yml (a controller test: ansible-test units gives the tests under plugins/modules only what a
module has on a target host)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.fabrik.deploy.plugins.modules import site_check
from ansible_collections.fabrik.deploy.plugins.plugin_utils.in_process import run_in_process


class Site(BaseHTTPRequestHandler):
    answers = []  # (status, body) in order; the last one repeats
    seen = []  # (path, Host header)

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).seen.append((self.path, self.headers.get("Host")))
        status, body = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.answers, Site.seen = [(200, "<html>up</html>")], []
    yield "http://127.0.0.1:%d" % server.server_port
    server.shutdown()
    server.server_close()


def check(**args):
    return run_in_process(site_check, args, name="fabrik.deploy.site_check", inject_invocation=False)


def test_a_site_that_answers_is_up_at_the_first_try(site):
    result = check(url=site + "/blog?x=1", headers={"Host": "example.com"})
    assert result == {"changed": False, "url": site + "/blog?x=1", "status": 200, "tries": 1}
    assert Site.seen == [("/blog?x=1", "example.com")]


def test_it_tries_again_until_the_status_is_one_expected(site):
    Site.answers = [(503, "starting"), (502, "starting"), (200, "up")]
    result = check(url=site + "/", tries=5, delay=0)
    assert (result["status"], result["tries"]) == (200, 3)
    Site.answers = [(301, "moved")]
    assert check(url=site + "/", status_code=[301, 302])["status"] == 301


def test_it_fails_with_the_last_status_and_the_start_of_the_body(site):
    Site.answers = [(503, "<h1>Service\n   Unavailable</h1>" + "x" * 400)]
    result = check(url=site + "/", headers={"Host": "example.com"}, tries=2, delay=0)
    assert result["failed"] is True and (result["status"], result["tries"]) == (503, 2)
    assert result["msg"].startswith("%s/ (Host: example.com) did not answer 200 after 2 tries: last status 503 "
                                    "(Service Unavailable); body: <h1>Service Unavailable</h1>xxx" % site)
    assert len(result["msg"].split("body: ")[1]) == 300


def test_no_answer_is_status_none_with_the_reason(site):
    closed = site.rsplit(":", 1)[0] + ":9"  # the discard port: nothing listens there
    result = check(url=closed + "/", tries=1, timeout=2)
    assert result["failed"] is True and result["status"] is None
    assert "last status none (" in result["msg"]


@pytest.mark.parametrize("url", ["ftp://example.com/", "example.com", "https://exa mple.com/", "https://-bad.example/"])
def test_a_bad_url_fails_before_any_request(site, url):
    result = check(url=url)
    assert result["failed"] is True and result["field"] == "url"
    assert Site.seen == []
