"""Roles call each API module once per site: no ``loop:`` (or ``with_*``) over a fabrik.deploy module.

A loop costs one module invocation, process start-up included, per item; bulk set modules take the whole
list instead (DESIGN.md section 7, issue 7).
"""

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TASK_FILES = sorted((REPO / "roles").glob("*/tasks/*.yml")) + [REPO / "site.yml"]


def tasks_of(node):
    """Every task dict in a task list, plays and blocks included."""
    for item in node or []:
        if not isinstance(item, dict):
            continue
        yield item
        for key in ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always"):
            yield from tasks_of(item.get(key))


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda path: str(path.relative_to(REPO)))
def test_no_loop_over_an_api_module(path):
    looped = [task.get("name") for task in tasks_of(yaml.safe_load(path.read_text()))
              if any(key.startswith("fabrik.deploy.") for key in task)
              and any(key == "loop" or key.startswith("with_") for key in task)]
    assert looped == []
