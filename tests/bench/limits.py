"""``make bench``, the fleet at the vendors' limits (issue 13): 50 new sites in one run with forks 10, the
sandbox enforcing the documented limits, the controller's own limiter on its defaults.

The sandbox is asked for the vendors' limits (tests/sandbox/README.md, Rate limits): Namecheap 20 calls a
minute and 700 an hour, Cloudflare 1,200 requests per five minutes, Uptime Kuma 20 logins a minute. An
emulator that does not know an option says so, and the report lists the limit as not enforced.

Reported (``limited_fleet`` in tests/bench/results.json): the wall time, failed hosts (wanted: 0), the
requests each limited key received, and the minimum wall time each limit allows for that many requests
(requests 1..N of a window go at once, the next N one window later: ``floor((count - 1) / N) * W``); the
tightest limit is the one with the largest minimum, and the run is reported against it.
"""

import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SIZE = int(os.environ.get("FABRIK_BENCH_LIMITED_FLEET", "50"))
FORKS = 10
RECAP = re.compile(r"^(\S+)\s+:\s+ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
# emulator -> (its /_sandbox/config options, the windows they set: (requests, seconds, what counts, option))
LIMITS = {
    "namecheap": ({"rate_limit_per_minute": 20, "rate_limit_per_hour": 700},
                  [(20, 60, "Namecheap API calls", "rate_limit_per_minute"),
                   (700, 3600, "Namecheap API calls", "rate_limit_per_hour")]),
    "cloudflare": ({"rate_limit_per_5_minutes": 1200},
                   [(1200, 300, "Cloudflare API requests", "rate_limit_per_5_minutes")]),
    "uptime_kuma": ({"login_rate_limit_per_minute": 20},
                    [(20, 60, "Uptime Kuma logins", "login_rate_limit_per_minute")]),
}


def window_minimum(count, per, seconds):
    """The least wall time ``count`` requests take under ``per`` requests in any ``seconds``."""
    return math.floor((count - 1) / per) * seconds if count > 0 else 0


def enforce(control):
    """Ask every emulator for its vendor's limits, option by option; {option: "on" or why not}."""
    enforced = {}
    for service, (options, _windows) in LIMITS.items():
        for option, value in options.items():
            try:
                control(service, "POST", "config", {option: value})
                enforced[option] = "on"
            except requests.HTTPError as err:
                enforced[option] = "not enforced by this sandbox (%s)" % (err.response.text.strip()[:100])
    return enforced


def inventory(work, port_base, wordpress_port):
    """inventories/sandbox's settings for SIZE new company sites, each with its own WordPress tenant."""
    directory = work / "limited-fleet-inventory"
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "host_vars").mkdir(parents=True)
    shutil.copytree(REPO / "inventories" / "sandbox" / "group_vars", directory / "group_vars")
    demo = yaml.safe_load((REPO / "inventories" / "sandbox" / "host_vars" / "demo.yml").read_text())
    passwords = work / "limited-fleet-passwords"
    shutil.rmtree(passwords, ignore_errors=True)
    passwords.mkdir()
    hosts = {}
    for number in range(1, SIZE + 1):
        name = "limited-%02d" % number
        domain = "%s.test" % name
        site = dict(demo, site_domain=domain)
        site["wordpress_url"] = "http://127.0.0.1:%d/t/%s" % (wordpress_port, domain)
        site["wordpress_app_password_file"] = str(passwords / domain)
        site["wordpress_company"] = dict(demo["wordpress_company"], email="hello@%s" % domain)
        (directory / "host_vars" / ("%s.yml" % name)).write_text(yaml.safe_dump(site, sort_keys=False))
        hosts[name] = None
    (directory / "hosts.yml").write_text(yaml.safe_dump({"sites": {"hosts": hosts}}))
    return directory, [("limited-%02d.test" % number) for number in range(1, SIZE + 1)]


def counted(logs):
    """What each limit counts, from the emulators' request logs."""
    return {
        "Namecheap API calls": len(logs.get("namecheap", [])),
        "Cloudflare API requests": len(logs.get("cloudflare", [])),
        "Uptime Kuma logins": sum(1 for entry in logs.get("uptime_kuma", []) if entry.get("event") == "login"),
    }


def measure(work, port_base, sandbox_dir, control, reset, wordpress_port):
    """Run the fleet; the ``limited_fleet`` results."""
    reset()
    control("namecheap", "POST", "config", {"balance": "100000.00"})  # 50 registrations at about 10 USD each
    enforced = enforce(control)
    directory, domains = inventory(work, port_base, wordpress_port)
    for domain in domains:  # the tenants answer the verify stage through the Coolify edge
        requests.get("http://127.0.0.1:%d/t/%s/" % (wordpress_port, domain), timeout=300)
    start = {service: len(control(service, "GET", "requests")) for service in LIMITS}
    state = work / "limited-fleet-state"
    shutil.rmtree(state, ignore_errors=True)
    env = dict(os.environ, FABRIK_SANDBOX_PORT_BASE=str(port_base), FABRIK_SANDBOX_DIR=str(sandbox_dir),
               ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORKS=str(FORKS),
               FABRIK_DEPLOY_STATE_DIR=str(state), PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    env.pop("FABRIK_DEPLOY_RATE_LIMITS", None)  # the controller's limiter on its defaults: the vendors' limits
    started = time.monotonic()
    proc = subprocess.run([str(BIN / "ansible-playbook"), str(REPO / "site.yml"), "-i", str(directory)],
                          cwd=str(REPO), env=env, capture_output=True, text=True, check=False)
    seconds = round(time.monotonic() - started, 1)
    (work / "limited-fleet.log").write_text(proc.stdout + proc.stderr)
    logs = {service: control(service, "GET", "requests")[start[service]:] for service in LIMITS}
    throttled = {service: sum(1 for entry in entries if entry.get("status") in (405, 429)
                              or entry.get("ok") is False and "Too frequently" in str(entry))
                 for service, entries in logs.items()}
    counts = counted(logs)
    minimums = []
    for service, (_options, windows) in LIMITS.items():
        for per, window, what, option in windows:
            minimums.append({"limit": "%s: %d per %d s" % (what, per, window), "requests": counts[what],
                             "minimum_s": window_minimum(counts[what], per, window),
                             "enforced": enforced[option]})
    tightest = max(minimums, key=lambda item: item["minimum_s"])
    recap = RECAP.findall(proc.stdout)
    failed = sum(1 for _host, unreachable, failures in recap if int(unreachable) or int(failures))
    return {
        "sites": SIZE, "hosts_in_recap": len(recap), "forks": FORKS, "seconds": seconds, "rc": proc.returncode,
        "failed_hosts": failed,
        "limits": minimums, "tightest": tightest["limit"], "minimum_s": tightest["minimum_s"],
        "over_minimum": round(seconds / tightest["minimum_s"], 2) if tightest["minimum_s"] else None,
        "throttled_answers": throttled,
    }


def table(result):
    lines = ["", "fleet at the vendors' limits: %d new sites, forks %d" % (result["sites"], result["forks"]), ""]
    lines.append("%-48s %9s %11s  %s" % ("limit", "requests", "minimum s", "sandbox"))
    for item in result["limits"]:
        lines.append("%-48s %9d %11d  %s" % (item["limit"], item["requests"], item["minimum_s"], item["enforced"]))
    lines += ["", "wall time %.1f s, failed hosts %d (rc %d); tightest limit: %s, minimum %d s%s" % (
        result["seconds"], result["failed_hosts"], result["rc"], result["tightest"], result["minimum_s"],
        ", %.2f x the minimum" % result["over_minimum"] if result["over_minimum"] else "")]
    lines.append("answers refused by a limit (the HTTP layer waited and retried): %s" % result["throttled_answers"])
    return "\n".join(lines)
