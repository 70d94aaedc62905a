"""Make ``ansible_collections.fabrik.deploy`` importable from a plain checkout; settings that hold under
``make unit`` and ``ansible-test units`` alike."""

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

COLLECTIONS_ROOT = Path(__file__).resolve().parents[2] / "collections"

if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))


def pytest_configure(config):
    """Under pytest-xdist (``ansible-test units`` runs ``pytest -n auto``) keep each test file on one worker.

    The WordPress module tests share one real WordPress per file (module-scoped fixtures), and their
    tests build on each other's state in file order; xdist's default ``load`` scheduling would spread a
    file's tests over workers, each with a WordPress of its own that missed the earlier tests.
    """
    if getattr(config.option, "numprocesses", None) and getattr(config.option, "dist", "no") in ("no", "load"):
        config.option.dist = "loadfile"


def pytest_collection_modifyitems(config, items):
    """Every test gets pytest-timeout's bound even when pytest runs with another configuration file than
    ours (``ansible-test units`` passes its own ``-c``, without our ``timeout``): a hung test fails."""
    if config.getini("timeout"):
        return
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(600))


# tests/output/unit of the checkout (or of ansible-test's copy of it): every file a unit test writes lands here.
UNIT_OUTPUT = Path(__file__).resolve().parents[1] / "output" / "unit"


def output_name(nodeid):
    """The name of a test's directory under UNIT_OUTPUT."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", nodeid)[-150:]


@pytest.fixture
def output_dir(request):
    """A fresh directory of the test's own inside the checkout, ``tests/output/unit/<test>`` (UNIT_OUTPUT), as the
    integration tests keep theirs: nothing of the limiter, the locks or the kept reads lands outside the
    repository."""
    directory = UNIT_OUTPUT / output_name(request.node.nodeid)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(autouse=True)
def _controller_state(monkeypatch):
    """The rate limiter and the site locks keep their files in the checkout's tests/output, and no vendor limit
    applies unless a test sets one (tests of the limiter set FABRIK_DEPLOY_RATE_LIMITS)."""
    monkeypatch.setenv("FABRIK_DEPLOY_STATE_DIR", str(UNIT_OUTPUT / ("state-%d" % os.getpid())))
    monkeypatch.setenv("FABRIK_DEPLOY_RATE_LIMITS", "off")
    # No run's Uptime Kuma token is kept unless a test draws a run key (in_process draws one on import).
    from ansible_collections.fabrik.deploy.plugins.module_utils import _uptime_kuma_session
    monkeypatch.setattr(_uptime_kuma_session, "RUN_KEY", None)


def pytest_sessionfinish(session):
    """This process's controller state goes with the session (each xdist worker removes its own)."""
    shutil.rmtree(UNIT_OUTPUT / ("state-%d" % os.getpid()), ignore_errors=True)
