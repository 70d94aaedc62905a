"""fabrik.deploy.site_lock through real ansible-playbook runs (no sandbox needed): one run at a time per site,
released however the run ends, taken again at once by the run that holds it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def playbook(directory, plays):
    path = Path(directory) / ("play-%d.yml" % len(list(Path(directory).glob("play-*.yml"))))
    path.write_text(yaml.safe_dump(plays))
    return path


def lock_play(name="Example.COM.", timeout=60, hosts="localhost", then=None):
    tasks = [{"name": "Lock", "fabrik.deploy.site_lock": {"name": name, "timeout": timeout}}]
    tasks += then or []
    return {"hosts": hosts, "gather_facts": False, "connection": "local", "tasks": tasks}


def pause(seconds):
    return [{"name": "Work", "ansible.builtin.pause": {"seconds": seconds}}]


def start(path, state, inventory="localhost,", extra=()):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               FABRIK_DEPLOY_STATE_DIR=str(state), PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    return subprocess.Popen([str(BIN / "ansible-playbook"), "-i", inventory, str(path)] + list(extra), cwd=str(REPO),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc, timeout=120):
    out, _err = proc.communicate(timeout=timeout)
    return proc.returncode, out


def wait_for_holder(state, site="example.com", timeout=60):
    path = Path(state) / "locks" / ("%s.lock" % site)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return json.loads(path.read_text())
        time.sleep(0.1)
    pytest.fail("no holder wrote %s" % path)


def test_a_second_run_waits_for_the_first_and_says_why(tmp_path):
    state = tmp_path / "state"
    first = start(playbook(tmp_path, [lock_play(then=pause(12))]), state)
    holder = wait_for_holder(state)
    assert holder["site"] == "example.com" and holder["run_pid"] == first.pid and holder["host"] == "localhost"

    refused = start(playbook(tmp_path, [lock_play(name="example.com", timeout=0)]), state)
    code, out = finish(refused)
    assert code == 2 and "site example.com is locked by ansible-playbook pid %d" % first.pid in out, out
    assert "gave up after 0 s" in out

    started = time.monotonic()
    second = start(playbook(tmp_path, [lock_play(name="EXAMPLE.com", timeout=60)]), state, extra=["-v"])
    code, out = finish(second)
    assert code == 0, out
    assert "site example.com is being deployed by ansible-playbook pid %d" % first.pid in out
    assert "locked for this run after waiting" in out and time.monotonic() - started > 1.0
    assert finish(first)[0] == 0


def kill_runs_of(path):
    """SIGKILL every process running the playbook ``path``: ansible-playbook's workers start sessions of their
    own (they outlive a killed ansible-playbook and its process group)."""
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if entry.name.isdigit() and str(path).encode() in argv:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass  # gone meanwhile, or not ours


def test_the_lock_is_released_when_the_run_is_killed(tmp_path):
    """Only ansible-playbook itself is killed: its worker, still pausing, must not keep the lock."""
    state = tmp_path / "state"
    path = playbook(tmp_path, [lock_play(then=pause(300))])
    first = start(path, state)
    try:
        wait_for_holder(state)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        started = time.monotonic()
        code, out = finish(start(playbook(tmp_path, [lock_play(timeout=30)]), state))
        assert code == 0, out
        assert time.monotonic() - started < 20
    finally:
        kill_runs_of(path)  # the orphaned worker would pause on for minutes
        first.communicate(timeout=30)


def test_the_holding_run_takes_it_again_and_two_hosts_of_one_site_fail(tmp_path):
    state = tmp_path / "state"
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {
        "one": {"ansible_connection": "local", "site": "example.com"},
        "two": {"ansible_connection": "local", "site": "Example.com"},
        "other": {"ansible_connection": "local", "site": "example.org"}}}}))
    again = [lock_play(name="{{ site }}", hosts="one,other"), lock_play(name="{{ site }}", hosts="one,other")]
    code, out = finish(start(playbook(tmp_path, again), state, inventory=str(inventory), extra=["-v"]))
    assert code == 0, out
    assert "this run holds the lock already" in out
    both = [lock_play(name="{{ site }}", hosts="one"), lock_play(name="{{ site }}", hosts="two")]
    code, out = finish(start(playbook(tmp_path, both), state, inventory=str(inventory)))
    assert code == 2 and "site example.com is deployed by two hosts of this inventory, one and two" in out, out


def test_check_mode_takes_no_lock(tmp_path):
    state = tmp_path / "state"
    first = start(playbook(tmp_path, [lock_play(then=pause(3))]), state)
    wait_for_holder(state)
    code, out = finish(start(playbook(tmp_path, [lock_play(timeout=0)]), state, extra=["--check"]))
    assert code == 0 and "skipping" in out, out
    finish(first)
