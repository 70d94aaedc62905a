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
ADMIN_PASSWORD = "sandbox-wordpress-admin-password"  # inventories/sandbox


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


def wordpress_session(box):
    """A REST session of the sandbox WordPress' administrator (cookie login and REST nonce, as a browser)."""
    session = requests.Session()
    session.post(box.wordpress + "/wp-login.php", timeout=60, allow_redirects=False,
                 data={"log": "admin", "pwd": ADMIN_PASSWORD, "testcookie": "1"},
                 cookies={"wordpress_test_cookie": "WP Cookie check"}).raise_for_status()
    nonce = session.get(box.wordpress + "/wp-admin/admin-ajax.php", params={"action": "rest-nonce"}, timeout=60)
    session.headers["X-WP-Nonce"] = nonce.text.strip()
    return session


def duplicates(box):
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
    wordpress = wordpress_session(box)
    pages = wordpress.get(box.wordpress + "/wp-json/wp/v2/pages", timeout=60,
                          params={"per_page": 100, "status": "any", "context": "edit"}).json()
    assert pages, "no page read from WordPress"
    found["wordpress pages"] = Counter(page["title"]["raw"] for page in pages)
    # a second upload of a file gets its own title (WordPress names it after the stored file, logo-1.png):
    # a copy is the same content hash twice
    media = wordpress.get(box.wordpress + "/wp-json/wp/v2/media", timeout=60,
                          params={"per_page": 100, "context": "edit"}).json()
    assert media, "no media read from WordPress"
    found["wordpress media"] = Counter(item["meta"].get("fabrik_sha256") or item["id"] for item in media)
    menus = wordpress.get(box.wordpress + "/wp-json/wp/v2/menus", timeout=60).json()
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
    assert duplicates(box) == {}
    box.reset_log()
    again = sandbox.playbook("site.yml", inventory, timeout=1500)
    assert again.rc == 0 and again.changed == 0, again.explain()
    assert box.writes() == []


def test_two_runs_at_once_from_two_controllers_duplicate_nothing(sandbox, tmp_path):
    """No shared lock (each run has its own state directory, as two AWX nodes would, and like AWX jobs no
    application password file: the WordPress modules log in with the administrator's password): nothing is
    left twice, and after a rerun of each nothing changes."""
    box = slow_sandbox(sandbox)
    inventory = sandbox.inventory(tmp_path / "inv", {"whole": dict(site_vars(tmp_path), wordpress_app_password_file="")})
    envs = [{"FABRIK_DEPLOY_STATE_DIR": str(tmp_path / ("controller-%d" % number))} for number in (1, 2)]
    runs = at_once(sandbox, inventory, envs)
    settled = [line.strip() for run in runs for line in run.output.splitlines() if "concurrent run" in line]
    print("what the racing runs settled:\n" + "\n".join(settled))
    assert all(run.rc == 0 for run in runs), "\n".join(run.explain() for run in runs)
    reruns = [sandbox.playbook("site.yml", inventory, env=env, timeout=1500) for env in envs]
    assert all(run.rc == 0 for run in reruns), "\n".join(run.explain() for run in reruns)
    assert duplicates(box) == {}
    # Both controllers must agree on the state: a run from each changes nothing (two controllers that found
    # different copies of an uploaded file went on pointing the site icon, and pages, at their own copy).
    box.reset_log()
    for env in (envs[1], envs[0]):
        settled = sandbox.playbook("site.yml", inventory, env=env, timeout=1500, diff=True)
        assert settled.rc == 0 and settled.changed == 0, settled.explain()
    # Without an application password each WordPress task logs in (a POST that changes nothing).
    assert [entry for entry in box.writes() if entry["path"] != "/wp-login.php"] == []
