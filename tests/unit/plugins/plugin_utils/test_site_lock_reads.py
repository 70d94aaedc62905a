"""The site lock and the reads a run handed on before it (plugins/action/site_lock.py, module_utils/_run_reads.py).

The preflight reads before the run holds the site's lock: when another run held that lock since this run began
(it may have changed the site), taking the lock makes those answers stale; when nobody did, they stay.
"""

import os
import subprocess
import time

import pytest

from ansible_collections.fabrik.deploy.plugins.action import site_lock
from ansible_collections.fabrik.deploy.plugins.module_utils import _run_reads

pytestmark = pytest.mark.skipif(_run_reads.AESGCM is None, reason="cryptography is not installed")


class Answer:
    status_code = 200
    headers = {"Content-Type": "application/json"}
    content = b"[]"
    url = "http://example.test/zones"
    encoding = "utf-8"


@pytest.fixture
def kept(monkeypatch, output_dir):
    """A run (this process one of its task workers) that kept one answer; the Store and the answer's key."""
    monkeypatch.setenv("FABRIK_DEPLOY_STATE_DIR", str(output_dir / "state"))
    key = os.urandom(32)
    monkeypatch.setattr(_run_reads, "RUN_KEY", key)
    monkeypatch.setattr(_run_reads, "RUN_ID", key.hex()[:24])
    monkeypatch.setattr(_run_reads, "RUN_PID", -1)
    monkeypatch.setattr(_run_reads, "_LOCAL_WRITES", [0])  # a task's worker starts with no write of its own
    monkeypatch.setattr(_run_reads, "RUN_STARTED", time.time())
    store = _run_reads.store("Cloudflare", "http://example.test", "token")
    request = _run_reads.request_key("GET", "/zones")
    store.put(request, Answer(), store.generation())
    assert store.get(request) is not None
    return store, request


@pytest.fixture
def run_process(monkeypatch):
    """A stand-in for ansible-playbook's process, which the lock's holder waits for."""
    process = subprocess.Popen(["sleep", "60"])  # pylint: disable=consider-using-with
    monkeypatch.setattr(site_lock.os, "getppid", lambda: process.pid)
    yield process
    process.kill()
    process.wait()


def take(path):
    return site_lock.ActionModule.take(None, str(path), "example.com", "web", 30)


def test_a_lock_nobody_held_during_the_run_keeps_what_the_run_read(kept, run_process, output_dir):
    store, request = kept
    lock = output_dir / "example.com.lock"
    lock.write_text("{}")
    os.utime(lock, (time.time() - 3600, time.time() - 3600))  # last held an hour ago

    assert take(lock)["changed"] is False
    assert store.get(request) is not None


def test_a_lock_another_run_held_during_the_run_makes_what_it_read_stale(kept, run_process, output_dir):
    store, request = kept
    lock = output_dir / "example.com.lock"
    lock.write_text("{}")  # another run took or released it after this run began

    assert take(lock)["changed"] is False
    assert store.get(request) is None


def test_the_holder_marks_the_file_when_its_run_ends(output_dir, monkeypatch):
    lock = output_dir / "example.com.lock"
    short_run = subprocess.Popen(["sleep", "0.5"])  # pylint: disable=consider-using-with
    monkeypatch.setattr(site_lock.os, "getppid", lambda: short_run.pid)
    take(lock)
    taken = os.stat(lock).st_mtime
    os.utime(lock, (taken - 3600, taken - 3600))
    short_run.wait()
    deadline = time.time() + 10
    while os.stat(lock).st_mtime < taken and time.time() < deadline:
        time.sleep(0.1)

    assert os.stat(lock).st_mtime >= taken
