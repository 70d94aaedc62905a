"""The sandbox's own tests (emulators, the WordPress sandbox, the launcher): tests of the test harness, not of
the collection. They start long-lived servers (MariaDB, PHP, emulators) shared by a file's tests, which
``ansible-test units`` cannot give them: it runs every test in a fork of its own (its ``ansible_forked``
plugin), so a server started by one test outlives it and is started again by the next. They run in
``make unit`` (plain pytest); under ``ansible-test units`` they are skipped, with this reason."""

import os

import pytest

UNDER_ANSIBLE_TEST = "ansible_forked" in os.environ.get("PYTEST_PLUGINS", "").split(",")


def pytest_collection_modifyitems(items):
    if not UNDER_ANSIBLE_TEST:
        return
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="tests of the sandbox harness: they need servers that outlive one test; "
                                   "`make unit` runs them")
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(skip)
