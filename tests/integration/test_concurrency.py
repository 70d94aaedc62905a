"""Two runs of one site at once (issue 13): nothing is duplicated anywhere, and a rerun changes nothing.

* on one controller the site lock serialises them: the second waits, says for whom, then changes nothing;
* from two controllers (each its own state directory, so no shared lock) the create paths settle the
  race themselves: duplicates found on the next read, the oldest kept, the newer empty one deleted.

Every vendor request takes 300 ms more (the emulators' and WordPress' added latency), which widens the
window between a run's read and its write, as on a real network.
"""

import threading
from collections import Counter

import requests

from test_site import WholeSandbox, site_vars

LATENCY_MS = 300


def slow_sandbox(sandbox):
    box = WholeSandbox(sandbox)
    box.reset()
    for service in sandbox.urls:
        sandbox.control(service, "POST", "latency", {"ms": LATENCY_MS})
    requests.post(box.wordpress + "/_sandbox/latency", json={"ms": LATENCY_MS}, timeout=30).raise_for_status()
    return box


def at_once(sandbox, inventory, envs):
    """Start one site.yml run per environment in ``envs`` together; their Runs."""
    runs = [None] * len(envs)

    def start(index):
        runs[index] = sandbox.playbook("site.yml", inventory, env=envs[index], timeout=1500)

    threads = [threading.Thread(target=start, args=(index,)) for index in range(len(envs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs


def duplicates(box, password_file):
    """Everything that exists more than once under one identity, in every service."""
    sandbox = box.sandbox
    found = {}
    coolify = sandbox.state("coolify")
    found["coolify projects"] = Counter(project["name"] for project in coolify["projects"])
    found["coolify resources"] = Counter((project["name"], environment["name"], resource.get("name"))
                                         for project in coolify["projects"]
                                         for environment in project["environments"]
                                         for resource in environment["resources"])
    kuma = sandbox.state("uptime_kuma")
    found["kuma monitors"] = Counter(monitor["name"] for monitor in kuma["monitors"].values())
    found["kuma tags"] = Counter(tag["name"] for tag in kuma["tags"])
    found["kuma notifications"] = Counter(item["name"] for item in kuma["notifications"])
    found["kuma monitor tags"] = Counter((monitor["name"], tag["name"], tag["value"])
                                         for monitor in kuma["monitors"].values() for tag in monitor["tags"])
    cloudflare = sandbox.state("cloudflare")
    found["cloudflare zones"] = Counter(zone["name"] for zone in cloudflare["zones"])
    found["cloudflare records"] = Counter((record["type"], record["name"], record["content"])
                                          for zone in cloudflare["zones"] for record in zone["records"])
    auth = ("admin", open(password_file, encoding="utf-8").read().strip())
    pages = requests.get(box.wordpress + "/wp-json/wp/v2/pages", auth=auth, timeout=60,
                         params={"per_page": 100, "status": "any", "context": "edit"}).json()
    found["wordpress pages"] = Counter(page["title"]["raw"] for page in pages)
    media = requests.get(box.wordpress + "/wp-json/wp/v2/media", auth=auth, timeout=60,
                         params={"per_page": 100}).json()
    found["wordpress media"] = Counter(item["title"]["rendered"] for item in media)
    menus = requests.get(box.wordpress + "/wp-json/wp/v2/menus", auth=auth, timeout=60).json()
    found["wordpress menus"] = Counter(menu["name"] for menu in menus)
    return {kind: {key: count for key, count in counter.items() if count > 1}
            for kind, counter in found.items() if any(count > 1 for count in counter.values())}


def test_two_runs_at_once_on_one_controller_wait_for_each_other(sandbox, tmp_path):
    box = slow_sandbox(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": site_vars(tmp_path)})
    first, second = at_once(sandbox, inventory, [{}, {}])
    assert first.rc == 0, first.explain()
    assert second.rc == 0, second.explain()
    waited = [run for run in (first, second) if "site whole-site.test is being deployed by ansible-playbook" in run.stdout]
    assert len(waited) == 1, (first.stdout[-3000:], second.stdout[-3000:])
    assert waited[0].changed == 0, waited[0].explain()
    assert duplicates(box, tmp_path / "app-password") == {}
    box.reset_log()
    again = sandbox.playbook("site.yml", inventory, timeout=1500)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert box.writes() == []


def test_two_runs_at_once_from_two_controllers_duplicate_nothing(sandbox, tmp_path):
    """No shared lock (each run has its own state directory, as two AWX nodes would): whatever a run may
    fail on in the race, nothing is left twice, and after a rerun of each nothing changes."""
    box = slow_sandbox(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": site_vars(tmp_path)})
    envs = [{"FABRIK_DEPLOY_STATE_DIR": str(tmp_path / ("controller-%d" % number))} for number in (1, 2)]
    runs = at_once(sandbox, inventory, envs)
    for run in runs:  # what each run met in the race, for the log of a failure
        print("race run: rc=%s recap=%s" % (run.rc, run.recap))
        print(run.stdout[-2500:] if run.rc else "")
    assert any(run.rc == 0 for run in runs), "\n".join(run.explain() for run in runs)
    reruns = [sandbox.playbook("site.yml", inventory, env=env, timeout=1500) for env in envs]
    assert all(run.rc == 0 for run in reruns), "\n".join(run.explain() for run in reruns)
    assert duplicates(box, tmp_path / "app-password") == {}
    box.reset_log()
    again = sandbox.playbook("site.yml", inventory, env=envs[0], timeout=1500)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert box.writes() == []
