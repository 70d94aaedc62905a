"""Reads handed from task to task of one run (_run_reads.py) through HttpClient, against a real local server.

The tests act as a task's worker of a run: the run's key is drawn here and the process that drew it is taken
to be another one (only forked workers keep and take answers).
"""

import json
import os
import time

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils import _run_reads
from ansible_collections.fabrik.deploy.plugins.module_utils._http import READ_AHEAD, ApiError, HttpClient
from ansible_collections.fabrik.deploy.plugins.module_utils._namecheap import _answered_ok
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import WordPressClient

pytestmark = pytest.mark.skipif(_run_reads.AESGCM is None, reason="cryptography is not installed")


def new_run(monkeypatch):
    """A new run, as ansible-playbook's process draws it; this process plays one of its task workers."""
    key = os.urandom(32)
    monkeypatch.setattr(_run_reads, "RUN_KEY", key)
    monkeypatch.setattr(_run_reads, "RUN_ID", key.hex()[:24])
    monkeypatch.setattr(_run_reads, "RUN_PID", -1)
    monkeypatch.setattr(_run_reads, "_LOCAL_WRITES", [0])  # a task's worker starts with no write of its own


@pytest.fixture
def run(monkeypatch, output_dir):
    """The run's state directory, in the checkout's tests/output/unit/<test>."""
    monkeypatch.setenv("FABRIK_DEPLOY_STATE_DIR", str(output_dir / "state"))
    new_run(monkeypatch)
    return output_dir / "state"


def client_of(server, sleeps, scope="token-1", **options):
    return HttpClient("Svc", server.url, timeout=2, sleep=sleeps, reads_scope=scope, **options)


def paths(server, method="GET"):
    return [received.path for received in server.requests if received.method == method]


def test_a_read_kept_by_one_task_is_answered_to_the_next_without_a_request(server, sleeps, run):
    first = client_of(server, sleeps).request("GET", "/zones", "list zones", params={"name": "example.com"},
                                              cache=True)
    # the next task: a new client (its own session), the same credentials
    again = client_of(server, sleeps).request("GET", "/zones", "list zones", params={"name": "example.com"},
                                              cache=True)

    assert paths(server) == ["/zones"]
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Content-Type"] == "application/json"
    assert again.url.endswith("/zones?name=example.com")


def test_other_query_parameters_or_credentials_are_other_reads(server, sleeps, run):
    client_of(server, sleeps).request("GET", "/zones", "list zones", params={"page": 1}, cache=True)
    client_of(server, sleeps).request("GET", "/zones", "list zones", params={"page": 2}, cache=True)
    client_of(server, sleeps, scope="token-2").request("GET", "/zones", "list zones", params={"page": 1}, cache=True)
    client_of(server, sleeps).request("GET", "/zones", "list zones", params=[("page", "1")], cache=True)

    assert [received.query for received in server.requests] == ["page=1", "page=2", "page=1"]


def test_only_reads_marked_for_it_are_kept(server, sleeps, run):
    client = client_of(server, sleeps)
    client.request("GET", "/zones/1", "get zone")
    client.request("GET", "/zones/1", "get zone")
    client_of(server, sleeps, scope=None).request("GET", "/zones", "list zones", cache=True)
    client_of(server, sleeps, scope=None).request("GET", "/zones", "list zones", cache=True)

    assert paths(server) == ["/zones/1"] * 2 + ["/zones"] * 2


@pytest.mark.parametrize("writer_scope", ["token-1", None])
def test_any_write_of_the_run_makes_the_kept_answers_stale(server, sleeps, run, writer_scope):
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    # a write by any client of the run, of this service or another, with reads kept or not
    HttpClient("Other", server.url, timeout=2, sleep=sleeps, reads_scope=writer_scope).request(
        "POST", "/zones", "create zone", json={"name": "example.com"})
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)

    # the read after the write went to the service, and is kept again
    assert paths(server) == ["/zones", "/zones"]


def test_a_write_of_another_task_makes_the_kept_answers_stale(server, sleeps, run):
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    # another task's worker of the run writes: it appends to the run's generation file (its own counter of
    # writes is not this process's)
    with open(run / "reads" / _run_reads.RUN_ID / "generation", "ab") as handle:
        handle.write(b"w")
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)

    assert paths(server) == ["/zones", "/zones"]


def test_a_read_sent_while_a_write_was_on_its_way_is_not_kept(server, sleeps, run):
    client = client_of(server, sleeps)
    reads = client.reads
    key = _run_reads.request_key("GET", "/zones")
    before = reads.generation()
    response = client.request("GET", "/zones", "list zones")
    _run_reads.invalidate()  # another thread of the task wrote meanwhile
    reads.put(key, response, before)

    assert reads.get(key) is None


def test_failures_and_answers_the_caller_refuses_are_not_kept(server, sleeps, run):
    server.enqueue(status=404, body={"message": "no such zone"})
    with pytest.raises(ApiError):
        client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    server.enqueue(status=200, body={"success": False})
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True, keep=lambda response: False)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)

    assert paths(server) == ["/zones"] * 3


def test_a_kept_answer_the_caller_does_not_expect_is_read_again(server, sleeps, run):
    client_of(server, sleeps).request("GET", "/users/me", "check", cache=True)
    answer = client_of(server, sleeps).request("GET", "/users/me", "check", cache=True, expected=(401,), raw=True)

    assert paths(server) == ["/users/me"] * 2
    assert answer.status_code == 200


def test_nothing_is_kept_outside_the_task_workers_of_a_run(server, sleeps, run, monkeypatch):
    monkeypatch.setattr(_run_reads, "RUN_PID", os.getpid())  # the process of the run itself (or a test)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    monkeypatch.setattr(_run_reads, "RUN_KEY", None)  # no run: a module started as a process of its own
    monkeypatch.setattr(_run_reads, "RUN_PID", -1)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)

    assert paths(server) == ["/zones"] * 3


def test_a_new_run_takes_nothing_kept_by_another(server, sleeps, run, monkeypatch):
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)
    new_run(monkeypatch)
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)

    assert paths(server) == ["/zones"] * 2


def test_the_kept_answers_are_unreadable_without_the_run_and_private(server, sleeps, run):
    server.enqueue(body={"site": "answer-marker-7319", "owner": "someone@example.com"})
    client = client_of(server, sleeps, scope="token-SECRET-1")
    client.request("GET", "/zones", "list zones", params={"q": "query-marker"}, cache=True)

    files = [path for path in run.rglob("*") if path.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for marker in (b"answer-marker-7319", b"someone@example.com", b"token-SECRET-1", b"query-marker"):
            assert marker not in data, path
        assert path.stat().st_mode & 0o077 == 0, path


def test_the_reads_of_a_run_are_sent_ahead_by_the_next_one(server, sleeps, run, monkeypatch):
    def client():
        return WordPressClient(server.url, username="deployer", app_password="abcd efgh ijkl", timeout=2)

    first = client()
    first.rest("GET", "/wp/v2/settings", "read settings")
    first.rest("GET", "/wp/v2/pages", "list pages", params={"context": "edit"})
    first.rest("GET", "/wp/v2/settings", "read settings")
    first.rest("POST", "/wp/v2/settings", "update settings", json={"title": "x"})  # writes are not noted
    assert client().read_ahead() == 0  # nothing learned from an earlier run yet

    new_run(monkeypatch)
    sent = len(server.requests)
    ahead = client()
    assert ahead.read_ahead() == 2
    assert sorted((received.path, received.query) for received in server.requests[sent:]) == [
        ("/wp-json/wp/v2/pages", "context=edit"), ("/wp-json/wp/v2/settings", "")]
    task = client()
    task.rest("GET", "/wp/v2/settings", "read settings")
    task.rest("GET", "/wp/v2/pages", "list pages", params={"context": "edit"})
    assert len(server.requests) == sent + 2

    # What a run's tasks read is what the next run sends ahead: a read sent ahead that no task took is dropped.
    new_run(monkeypatch)
    assert client().read_ahead() == 2
    client().rest("GET", "/wp/v2/settings", "read settings")
    new_run(monkeypatch)
    sent = len(server.requests)
    assert client().read_ahead() == 1
    assert [received.path for received in server.requests[sent:]] == ["/wp-json/wp/v2/settings"]
    # A run whose tasks read nothing (stopped before the stage, say) leaves the list as it was.
    new_run(monkeypatch)
    assert client().read_ahead() == 1


def test_what_is_sent_ahead_is_only_what_a_task_read(server, sleeps, run, monkeypatch):
    client_of(server, sleeps, learn_reads=True).request("GET", "/a", "read", cache=READ_AHEAD)
    client_of(server, sleeps, learn_reads=True).request("GET", "/b", "read", cache=True)
    new_run(monkeypatch)

    assert client_of(server, sleeps, learn_reads=True).reads.learned() == [("/b", [])]


def test_a_namecheap_error_answered_with_status_200_is_not_kept():
    class Answer:
        def __init__(self, status):
            self.content = ('<?xml version="1.0" encoding="utf-8"?><ApiResponse Status="%s" '
                            'xmlns="http://api.namecheap.com/xml.response"><Errors><Error Number="500000">Too many '
                            'requests</Error></Errors><CommandResponse Type="namecheap.domains.getInfo"/>'
                            '</ApiResponse>' % status).encode()

    assert not _answered_ok(Answer("ERROR"))
    assert _answered_ok(Answer("OK"))


def test_the_learned_reads_name_no_answer(server, sleeps, run):
    server.enqueue(body={"secret": "answer-marker-7319"})
    client_of(server, sleeps, learn_reads=True).request("GET", "/a", "read", params={"context": "edit"}, cache=True)

    (learned,) = (run / "reads" / "learned").iterdir()
    found = json.loads(learned.read_text())
    assert found["reads"] == [["GET", "/a", [["context", "edit"]], []]]
    assert "answer-marker-7319" not in learned.read_text()


def test_after_a_write_only_the_first_read_of_a_path_is_noted(server, sleeps, run, monkeypatch):
    """A run that changes the site reads again what it wrote (a page after its creation): not what the next
    run, which changes nothing, reads."""
    def read(path, **params):
        client_of(server, sleeps, learn_reads=True).request("GET", path, "read", params=params, cache=True)

    read("/settings")
    read("/pages", page=1)
    read("/pages", page=2)  # before any write: every read is noted
    client_of(server, sleeps).request("POST", "/pages", "create page", json={"slug": "home"})
    read("/pages", slug="home")  # the check after the write
    read("/media", sha256="ab")  # the first read of a collection after the write
    read("/media", sha256="cd")
    new_run(monkeypatch)

    assert client_of(server, sleeps, learn_reads=True).reads.learned() == [
        ("/settings", []), ("/pages", [["page", "1"]]), ("/pages", [["page", "2"]]), ("/media", [["sha256", "ab"]])]


def test_past_runs_and_unused_learned_reads_are_removed(server, sleeps, run, monkeypatch):
    reads = run / "reads"
    (reads / "learned").mkdir(parents=True)
    for path, age in ((reads / "0123456789abcdef01234567", 2 * 24 * 3600), (reads / "fedcba9876543210fedcba98", 600),
                      (reads / "learned" / "old.json", 40 * 24 * 3600), (reads / "learned" / "recent.json", 3600)):
        if path.suffix:
            path.write_text("{}")
        else:
            path.mkdir()
        os.utime(path, (time.time() - age, time.time() - age))
    client_of(server, sleeps).request("GET", "/zones", "list zones", cache=True)  # the run's first kept answer

    kept = sorted(["fedcba9876543210fedcba98", "learned", _run_reads.RUN_ID])
    assert sorted(path.name for path in reads.iterdir()) == kept
    assert [path.name for path in (reads / "learned").iterdir()] == ["recent.json"]


def test_a_read_sent_ahead_that_fails_is_not_retried_nor_kept(server, run, monkeypatch):
    def client():
        return WordPressClient(server.url, username="deployer", app_password="abcd efgh ijkl", timeout=2)

    client().rest("GET", "/wp/v2/settings", "read settings")
    new_run(monkeypatch)
    sent = len(server.requests)
    server.enqueue(status=503, body={"code": "busy", "message": "try later"})
    assert client().read_ahead() == 1
    assert len(server.requests) == sent + 1  # a retry would have sent it again
    client().rest("GET", "/wp/v2/settings", "read settings")  # the task reads it itself

    assert len(server.requests) == sent + 2
