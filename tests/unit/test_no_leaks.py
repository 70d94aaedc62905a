"""tools/no-leaks, which make test wraps around every stage: a stage that leaves a process behind fails."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NO_LEAKS = REPO / "tools" / "no-leaks"


def run(*command, grace="1"):
    return subprocess.run([str(NO_LEAKS), *command], capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin", "FABRIK_LEAK_GRACE": grace})


def test_a_command_that_cleans_up_passes_with_its_own_status():
    assert run("true").returncode == 0
    assert run("sh", "-c", "sleep 0.2 & wait").returncode == 0
    assert run("sh", "-c", "exit 3").returncode == 3


def test_a_daemonised_process_left_behind_fails_the_command_and_is_ended():
    marker = "sleep 59.%d" % (id(run) % 100000)  # a command line no other process has
    result = run("sh", "-c", "setsid %s </dev/null >/dev/null 2>&1 &" % marker)
    assert result.returncode == 1, result
    assert "still alive after it ended" in result.stderr and marker in result.stderr
    alive = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True, check=False)
    assert alive.stdout == "", "the leaked process was not ended"


def test_make_test_runs_every_stage_under_the_leak_check(tmp_path):
    fake_make = tmp_path / "make"
    fake_make.write_text("#!/bin/sh\n# a stage that leaves a process behind\nsleep 30 &\nexit 0\n")
    fake_make.chmod(0o755)
    result = subprocess.run([str(REPO / "tools" / "run-stages"), str(tmp_path / "timings.tsv"), "leaky"],
                            capture_output=True, text=True, timeout=120, check=False,
                            env={"PATH": "/usr/bin:/bin", "MAKE": str(fake_make), "FABRIK_LEAK_GRACE": "1"})
    assert result.returncode == 1, result
    assert "no-leaks" in result.stderr and "stages: 0 passed, 1 failed" in result.stdout
