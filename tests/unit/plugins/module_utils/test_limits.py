"""The controller-wide rate limiter: settings, sliding windows, one count shared by processes, HttpClient."""

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils import _limits
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient
from ansible_collections.fabrik.deploy.plugins.module_utils._limits import (
    DEFAULT_LIMITS,
    Limiter,
    LimitError,
    limiter_for,
    parse_limits,
    windows_for,
)


class FakeTime:
    """A clock that moves only when the limiter sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_settings_parse():
    assert parse_limits("") == {}
    assert parse_limits("off") is None
    assert parse_limits("namecheap=50/60+700/3600, cloudflare=off,coolify=200/60") == {
        "namecheap": ((50, 60.0), (700, 3600.0)), "cloudflare": None, "coolify": ((200, 60.0),)}
    for bad in ("namecheap", "namecheap=20", "namecheap=0/60", "namecheap=x/60", "=20/60", "cloudflare=20/-1"):
        with pytest.raises(LimitError, match="FABRIK_DEPLOY_RATE_LIMITS"):
            parse_limits(bad)


def test_defaults_are_the_vendors_documented_limits(monkeypatch):
    monkeypatch.delenv("FABRIK_DEPLOY_RATE_LIMITS")
    assert windows_for("namecheap") == ((20, 60), (700, 3600))
    assert windows_for("cloudflare") == ((1200, 300),)
    assert windows_for("uptime_kuma_login") == ((20, 60),)
    assert windows_for("coolify") is None
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "coolify=200/60,namecheap=off")
    assert windows_for("coolify") == ((200, 60.0),)
    assert windows_for("namecheap") is None
    assert windows_for("cloudflare") == DEFAULT_LIMITS["cloudflare"]
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "off")
    assert limiter_for("cloudflare", "scope") is None


def test_sliding_windows_hold_every_request_until_room(output_dir):
    fake = FakeTime()
    limiter = Limiter("svc", "scope", ((3, 10), (4, 100)), directory=str(output_dir), sleep=fake.sleep, clock=fake.clock,
                      margin=0)
    sent = []
    for _unused in range(6):
        limiter.acquire()
        sent.append(fake.now - 1000.0)
    # three at once, the fourth when the first leaves the 10 s window, then the 100 s window holds the rest
    assert sent[:4] == [0, 0, 0, 10]
    assert sent[4] == 100 and sent[5] == 100
    for start in sent:
        assert len([when for when in sent if start <= when < start + 10]) <= 3
        assert len([when for when in sent if start <= when < start + 100]) <= 4


def test_windows_are_counted_a_little_longer_than_the_vendors(output_dir):
    """A request reaches the vendor after it leaves here: 1 s more per window (a tenth of a short one)."""
    fake = FakeTime()
    limiter = Limiter("svc", "scope", ((2, 60), (100, 5)), directory=str(output_dir), sleep=fake.sleep, clock=fake.clock)
    assert limiter.counted == ((2, 61.0), (100, 5.5))
    for _unused in range(3):
        limiter.acquire()
    assert fake.now - 1000.0 == 61.0


def test_the_file_names_a_hash_never_the_credential(output_dir):
    limiter = Limiter("cloudflare", "https://api\nsecret-token-value", ((5, 1),), directory=str(output_dir))
    limiter.acquire()
    names = os.listdir(str(output_dir))
    assert len(names) == 1 and names[0].startswith("cloudflare-") and "secret" not in names[0]
    assert "secret" not in (output_dir / names[0]).read_text()
    assert oct(os.stat(str(output_dir / names[0])).st_mode & 0o777) == "0o600"


def test_a_damaged_file_starts_the_count_afresh(output_dir):
    limiter = Limiter("svc", "scope", ((1, 60),), directory=str(output_dir))
    limiter.acquire()
    (output_dir / limiter.name).write_text("[12")
    fake = FakeTime()
    limiter.sleep, limiter.clock = fake.sleep, fake.clock
    limiter.acquire()
    assert fake.sleeps == []


def test_an_impossible_wait_fails_instead_of_hanging(output_dir):
    fake = FakeTime()
    limiter = Limiter("svc", "scope", ((1, 86400),), directory=str(output_dir), sleep=fake.sleep, clock=fake.clock)
    limiter.acquire()
    with pytest.raises(LimitError, match="1 per 86400s"):
        limiter.acquire()


# The repository (or ansible-test's copy of it): every output_dir lies inside it (tests/output/unit).
CHECKOUT = Path(__file__).resolve().parents[4]
UNIT_OUTPUT = CHECKOUT / "tests" / "output" / "unit"  # as tests/unit/conftest.py's output_dir
WINDOWS = ((5, 1.0), (1000, 60.0))  # the second window only keeps every request's time in the file


def _worker(name, count):
    """One process's requests, counted in the checkout's tests/output/unit/<name> (the test's output_dir)."""
    limiter = Limiter("svc", "shared", WINDOWS, directory=str(UNIT_OUTPUT / name))
    for _unused in range(count):
        limiter.acquire()


# Forked as Ansible forks its workers; pytest's own threads (xdist, timeouts) make Python warn about that.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_processes_share_one_count(output_dir):
    """Four processes, 15 requests, 5 a second: never more than 5 in any second, so at least 2 s in all."""
    assert output_dir.resolve().is_relative_to(CHECKOUT)  # the limiter's shared file stays in the checkout
    assert output_dir.resolve().parent == UNIT_OUTPUT
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_worker, args=(output_dir.name, count)) for count in (4, 4, 4, 3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    limiter = Limiter("svc", "shared", WINDOWS, directory=str(UNIT_OUTPUT / output_dir.name))
    stamps = json.loads((output_dir / limiter.name).read_text())  # when each request was let through
    assert len(stamps) == 15
    for index in range(len(stamps) - 5):
        assert stamps[index + 5] - stamps[index] >= 0.99, stamps
    assert stamps[-1] - stamps[0] >= 1.99


def test_http_client_waits_for_the_limiter(server, monkeypatch):
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "svc=2/0.5")
    client = HttpClient("Svc", server.url, timeout=2, rate_limit=("svc", "token"))
    started = time.monotonic()
    for _unused in range(5):
        client.request("GET", "/ping", "ping")
    # 2 at once, 2 after 0.5 s, the fifth after 1 s
    assert time.monotonic() - started >= 0.99
    assert len(server.requests) == 5


def test_the_limiter_wait_spends_no_retry_budget(server, monkeypatch):
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "svc=1/2")
    client = HttpClient("Svc", server.url, timeout=2, rate_limit=("svc", "token"), retry_budget=1.5)
    client.request("GET", "/ping", "ping")
    server.enqueue(status=503)
    # waits 2 s for the limiter (more than the budget), then the 503's backoff (at most 0.5 s) still fits the
    # budget, with room for a busy machine's slow answers
    client.request("GET", "/ping", "ping again")
    assert [item.path for item in server.requests] == ["/ping"] * 3


def test_bad_settings_fail_as_an_api_error(monkeypatch):
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "namecheap=fast")
    with pytest.raises(ApiError, match="FABRIK_DEPLOY_RATE_LIMITS: namecheap"):
        HttpClient("Namecheap", "http://127.0.0.1:9", rate_limit=("namecheap", "user"))


def test_state_dir_setting_and_fallback(output_dir, monkeypatch):
    monkeypatch.setenv("FABRIK_DEPLOY_STATE_DIR", str(output_dir / "state"))
    assert _limits.state_dir() == str(output_dir / "state")
    assert oct(os.stat(str(output_dir / "state")).st_mode & 0o777) == "0o700"
    blocked = output_dir / "file"
    blocked.write_text("")
    monkeypatch.setenv("FABRIK_DEPLOY_STATE_DIR", str(blocked / "state"))
    with pytest.raises(LimitError, match="fabrik_deploy_state_dir"):
        _limits.state_dir()
