"""``make bench``: how fast a site run is against the sandbox with 50 ms added to every request.

Measures, in one go (own sandbox on ``$FABRIK_BENCH_PORT_BASE``, default 18900, state in build/bench), on
both paths a module can take: **in-process** (the default: the action plugin runs the module's logic in
Ansible's worker, plugins/plugin_utils/in_process.py) and the **module path** forced
(``FABRIK_DEPLOY_IN_PROCESS=0``: AnsiballZ payload, interpreter, imports, as every module used to run):

* ``fresh_s``: a full ``site.yml`` of the company-preset demo site (inventories/sandbox) on a fresh sandbox;
* ``noop_s``: the same run again, which changes nothing;
* ``floor_s``: a playbook of as many ``ansible.builtin.ping`` tasks as the no-op run executed, on the same
  host with the same inventory and settings: what Ansible costs for that many module tasks;
* the no-op rerun and the floor run ``FABRIK_BENCH_SAMPLES`` times each (3), in turns: their medians (wall
  and CPU seconds, each on its own) are reported, every sample under ``samples``;
* ``paths``: per path, those runs' wall and CPU seconds (Ansible's: the playbook and every process it
  started; the machine's: the sandbox's servers too);
* ``module_invocations`` and ``tasks`` per run (tests/bench/plugins/bench_counts.py);
* ``requests``: per run, service -> method -> count (Uptime Kuma's Socket.IO events as method ``EVENT``),
  and ``requests_by_target`` with the path or event;
* ``fleet_s``: the no-op rerun of a fleet of 20 sandbox sites (each with its own WordPress, a sandbox tenant)
  with forks 10, after ``fleet_fresh_s``, their first run; then the same no-op rerun on the module path;
  ``fleet_floor_s``: the pings on those 20 hosts at forks 10;
* ``limited_fleet``: 50 new sites in one run with forks 10, the sandbox enforcing the vendors' limits and the
  controller's limiter on its defaults: wall time, failed hosts, and the minimum the tightest limit allows
  (tests/bench/limits.py; ``FABRIK_BENCH_LIMITED_FLEET`` sets the size, 0 leaves it out).

Writes tests/bench/results.json and prints a table with the targets of issue 15. Timings are noisy: the
deterministic counts are asserted by tests/integration/test_performance.py, the timings nowhere.
"""

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from tests.bench import counting, limits

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORT_BASE = int(os.environ.get("FABRIK_BENCH_PORT_BASE", "18900"))
WORK = REPO / "build" / "bench"
SANDBOX_DIR = WORK / "sandbox"
RESULTS = Path(os.environ.get("FABRIK_BENCH_RESULTS", str(REPO / "tests" / "bench" / "results.json")))
LATENCY_MS = int(os.environ.get("FABRIK_BENCH_LATENCY_MS", "50"))
# How many times the no-op rerun and its floor run, in turns (their medians are reported).
SAMPLES = max(1, int(os.environ.get("FABRIK_BENCH_SAMPLES", "3")))
FLEET_SIZE = int(os.environ.get("FABRIK_BENCH_FLEET", "20"))
FORKS = 10
SERVICES = {"cloudflare": 1, "namecheap": 2, "coolify": 3, "uptime_kuma": 4, "r2": 5, "wordpress": 6}
TARGETS = {
    "noop_over_floor": 0.6,
    "noop_cpu_over_floor": 0.4,
    "module_invocations": 30,
    "fresh_s": 12.0,
    "fleet_over_floor": 0.5,
}
# The switch of plugins/plugin_utils/in_process.py: every module of the collection on the module path.
MODULE_PATH_ENV = {"FABRIK_DEPLOY_IN_PROCESS": "0"}


def control(service, method, action, body=None, timeout=120):
    url = "http://127.0.0.1:%d/_sandbox/%s" % (PORT_BASE + SERVICES[service], action)
    resp = requests.request(method, url, json=body, timeout=timeout)
    resp.raise_for_status()
    return resp.json() if resp.content else None


def sandbox(command):
    env = dict(os.environ, FABRIK_SANDBOX_PORT_BASE=str(PORT_BASE), FABRIK_SANDBOX_DIR=str(SANDBOX_DIR))
    subprocess.run([sys.executable, "-m", "tests.sandbox", command], cwd=str(REPO), env=env, check=True,
                   stdout=subprocess.DEVNULL)


def reset():
    for service in SERVICES:
        control(service, "POST", "reset")
        control(service, "POST", "latency", {"ms": LATENCY_MS})


def marks():
    return {service: len(control(service, "GET", "requests")) for service in SERVICES}


def logs_since(start):
    return {service: control(service, "GET", "requests")[start[service]:] for service in SERVICES}


CPU = {}


MACHINE_CPU = {}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu():
    """Busy CPU seconds of the whole machine so far (/proc/stat): Ansible's, the sandbox's and anything else."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def playbook(path, inventory, label, forks=None, environment=None):
    """Run a playbook; (seconds, counts, output). Fails loudly when the run fails.

    The CPU seconds of ansible-playbook and every module process it started go to ``CPU[label]``: on a
    2-core machine the sandbox's servers compete for the same cores, so wall time alone hides who used them.
    """
    counts_file = WORK / ("counts-%s.json" % label)
    env = dict(os.environ)
    env.update({
        "FABRIK_SANDBOX_PORT_BASE": str(PORT_BASE),
        "FABRIK_SANDBOX_DIR": str(SANDBOX_DIR),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "bench" / "plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "fabrik.deploy.summary,bench_counts",
        "FABRIK_BENCH_COUNTS": str(counts_file),
        "ANSIBLE_NOCOLOR": "1",
        "PATH": "%s:%s" % (BIN, os.environ.get("PATH", "")),
        # The sandbox enforces no vendor limit in these runs (tests/bench/limits.py measures them).
        "FABRIK_DEPLOY_RATE_LIMITS": "off",
        "FABRIK_DEPLOY_STATE_DIR": str(WORK / "state"),
    })
    if forks:
        env["ANSIBLE_FORKS"] = str(forks)
    env.update(environment or {})
    started, cpu, busy = time.monotonic(), children_cpu(), machine_cpu()
    proc = subprocess.run([str(BIN / "ansible-playbook"), str(path), "-i", str(inventory)], cwd=str(REPO), env=env,
                          capture_output=True, text=True, check=False)
    seconds = round(time.monotonic() - started, 2)
    CPU[label] = round(children_cpu() - cpu, 2)
    MACHINE_CPU[label] = round(machine_cpu() - busy, 2)
    (WORK / ("%s.log" % label)).write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit("bench: the %s run failed (rc %d), see %s\n%s"
                         % (label, proc.returncode, WORK / ("%s.log" % label), proc.stdout[-3000:]))
    return seconds, json.loads(counts_file.read_text()), proc.stdout


def sample(label, seconds):
    """One run's wall time and the CPU seconds ``playbook`` noted for it."""
    return {"seconds": seconds, "ansible_cpu_s": CPU[label], "machine_cpu_s": MACHINE_CPU[label]}


def median(samples, label):
    """The median wall time of ``label``'s samples; its CPU seconds become their medians too."""
    runs = samples[label]
    CPU[label] = statistics.median(run["ansible_cpu_s"] for run in runs)
    MACHINE_CPU[label] = statistics.median(run["machine_cpu_s"] for run in runs)
    return statistics.median(run["seconds"] for run in runs)


def floor_playbook(tasks, name):
    path = WORK / ("floor-%s.yml" % name)
    play = [{"name": "Floor: %d ping tasks" % tasks, "hosts": "sites", "connection": "local", "gather_facts": False,
             "tasks": [{"name": "Ping %d" % number, "ansible.builtin.ping": None} for number in range(tasks)]}]
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def fleet_inventory(size):
    """inventories/sandbox's settings for ``size`` company sites, each on its own WordPress tenant."""
    directory = WORK / "fleet-inventory"
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "group_vars").mkdir(parents=True)
    (directory / "host_vars").mkdir()
    shutil.copytree(REPO / "inventories" / "sandbox" / "group_vars" / "all", directory / "group_vars" / "all")
    demo = yaml.safe_load((REPO / "inventories" / "sandbox" / "host_vars" / "demo.yml").read_text())
    hosts = {}
    for number in range(1, size + 1):
        name = "fleet-%02d" % number
        domain = "%s.test" % name
        site = dict(demo, site_domain=domain)
        site["wordpress_url"] = "http://127.0.0.1:%d/t/%s" % (PORT_BASE + SERVICES["wordpress"], domain)
        site["wordpress_app_password_file"] = str(WORK / "fleet-passwords" / domain)
        site["wordpress_company"] = dict(demo["wordpress_company"], email="hello@%s" % domain)
        (directory / "host_vars" / ("%s.yml" % name)).write_text(yaml.safe_dump(site, sort_keys=False))
        hosts[name] = None
    (directory / "hosts.yml").write_text(yaml.safe_dump({"sites": {"hosts": hosts}}))
    shutil.rmtree(WORK / "fleet-passwords", ignore_errors=True)
    (WORK / "fleet-passwords").mkdir()
    return directory


def measure():
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                           "latency_ms": LATENCY_MS}}
    inventory = REPO / "inventories" / "sandbox"
    reset()
    password = SANDBOX_DIR / "wordpress" / "app-password"
    if password.exists():
        password.unlink()
    runs = {}
    for label in ("fresh", "noop"):
        start = marks()
        seconds, counts, output = playbook(REPO / "site.yml", inventory, label)
        logs = logs_since(start)
        runs[label] = {"seconds": seconds, "counts": counts, "logs": logs, "output": output}
    # The no-op rerun and its floor, SAMPLES times each in turns: each reports its median (a single run of a few
    # seconds moves by a tenth on this machine); the counts and requests are the first no-op's.
    floor = floor_playbook(runs["noop"]["counts"]["tasks"], "site")
    samples = {"noop": [sample("noop", runs["noop"]["seconds"])], "floor": []}
    for number in range(SAMPLES):
        if number:
            samples["noop"].append(sample("noop", playbook(REPO / "site.yml", inventory, "noop")[0]))
        floor_s, floor_counts = playbook(floor, inventory, "floor")[:2]
        samples["floor"].append(sample("floor", floor_s))
    runs["noop"]["seconds"] = median(samples, "noop")
    floor_s = median(samples, "floor")
    results["samples"] = samples
    # The module path, on a fresh sandbox of its own: the same two runs.
    reset()
    if password.exists():
        password.unlink()
    module_path = {label: playbook(REPO / "site.yml", inventory, "module-" + label, environment=MODULE_PATH_ENV)[0]
                   for label in ("fresh", "noop")}
    results["paths"] = {
        "in_process": {"%s_s" % label: runs[label]["seconds"] for label in runs},
        "module": {"%s_s" % label: seconds for label, seconds in module_path.items()},
    }
    for path, prefix in (("in_process", ""), ("module", "module-")):
        for label in ("fresh", "noop"):
            results["paths"][path]["%s_ansible_cpu_s" % label] = CPU[prefix + label]
            results["paths"][path]["%s_machine_cpu_s" % label] = MACHINE_CPU[prefix + label]
    results.update({
        "fresh_s": runs["fresh"]["seconds"],
        "noop_s": runs["noop"]["seconds"],
        "floor_s": floor_s,
        "floor_tasks": floor_counts["tasks"],
        "tasks": {label: run["counts"]["tasks"] for label, run in runs.items()},
        "module_invocations": {label: run["counts"]["module_invocations"] for label, run in runs.items()},
        "module_invocations_by_action": {label: run["counts"]["by_action"] for label, run in runs.items()},
        "requests": {label: counting.by_method(run["logs"]) for label, run in runs.items()},
        "requests_by_target": {label: counting.by_target(run["logs"]) for label, run in runs.items()},
        "noop_writes": len(counting.write_entries(runs["noop"]["logs"])),
        "noop_repeated_reads": counting.repeated_reads(runs["noop"]["logs"]),
        "slowest_tasks_noop": sorted(runs["noop"]["counts"]["task_seconds"], key=lambda item: -item[1])[:8],
    })
    if FLEET_SIZE:
        fleet = fleet_inventory(FLEET_SIZE)
        reset()
        # Each site's WordPress is a sandbox tenant, created by its first request: created up front so that the
        # verify stage (before the wordpress stage) reaches the site's own WordPress through the Coolify edge.
        for number in range(1, FLEET_SIZE + 1):
            requests.get("http://127.0.0.1:%d/t/fleet-%02d.test/" % (PORT_BASE + SERVICES["wordpress"], number),
                         timeout=120)
        results["fleet_size"] = FLEET_SIZE
        results["fleet_forks"] = FORKS
        results["fleet_fresh_s"] = playbook(REPO / "site.yml", fleet, "fleet-fresh", forks=FORKS)[0]
        results["fleet_s"], fleet_counts = playbook(REPO / "site.yml", fleet, "fleet-noop", forks=FORKS)[:2]
        results["fleet_module_s"] = playbook(REPO / "site.yml", fleet, "fleet-module-noop", forks=FORKS,
                                             environment=MODULE_PATH_ENV)[0]
        per_host = fleet_counts["tasks"] // FLEET_SIZE
        results["fleet_floor_s"] = playbook(floor_playbook(per_host, "fleet"), fleet, "fleet-floor", forks=FORKS)[0]
    return results


def verdicts(results):
    noop_ratio = results["noop_s"] / results["floor_s"]
    cpu_ratio = CPU["noop"] / CPU["floor"] if CPU.get("floor") else float("inf")
    rows = [
        ("no-op rerun / floor", noop_ratio, "<= %.1f" % TARGETS["noop_over_floor"],
         noop_ratio <= TARGETS["noop_over_floor"]),
        ("no-op Ansible CPU / floor's", cpu_ratio, "<= %.1f" % TARGETS["noop_cpu_over_floor"],
         cpu_ratio <= TARGETS["noop_cpu_over_floor"]),
        ("module invocations (fresh)", results["module_invocations"]["fresh"], "<= %d" % TARGETS["module_invocations"],
         results["module_invocations"]["fresh"] <= TARGETS["module_invocations"]),
        ("module invocations (no-op)", results["module_invocations"]["noop"], "<= %d" % TARGETS["module_invocations"],
         results["module_invocations"]["noop"] <= TARGETS["module_invocations"]),
        ("no-op writes", results["noop_writes"], "0", results["noop_writes"] == 0),
        ("no-op repeated reads", len(results["noop_repeated_reads"]), "0", not results["noop_repeated_reads"]),
        ("fresh run (s)", results["fresh_s"], "< %d" % TARGETS["fresh_s"], results["fresh_s"] < TARGETS["fresh_s"]),
    ]
    if "fleet_s" in results:
        ratio = results["fleet_s"] / results["fleet_floor_s"]
        rows.append(("fleet no-op / fleet floor", ratio, "<= %.1f" % TARGETS["fleet_over_floor"],
                     ratio <= TARGETS["fleet_over_floor"]))
    return rows


def table(results):
    lines = ["", "fabrik.deploy bench (%d ms added per request, %s CPUs)" % (LATENCY_MS, results["machine"]["cpus"]), ""]
    lines.append("%-28s %10s %12s %12s" % ("run", "seconds", "ansible CPU", "machine CPU"))
    labels = {"fresh_s": "fresh", "noop_s": "noop", "module_fresh_s": "module-fresh", "module_noop_s": "module-noop",
              "floor_s": "floor", "fleet_fresh_s": "fleet-fresh", "fleet_s": "fleet-noop",
              "fleet_module_s": "fleet-module-noop", "fleet_floor_s": "fleet-floor"}
    shown = dict(results, **{"module_%s_s" % label: results["paths"]["module"]["%s_s" % label]
                             for label in ("fresh", "noop")})
    for key, label in labels.items():
        if key in shown:
            lines.append("%-28s %10.2f %12.2f %12.2f" % (key, shown[key], CPU.get(label, 0.0),
                                                         MACHINE_CPU.get(label, 0.0)))
    lines += ["", "%-28s %10s %10s" % ("", "fresh", "no-op")]
    lines.append("%-28s %10d %10d" % ("tasks", results["tasks"]["fresh"], results["tasks"]["noop"]))
    lines.append("%-28s %10d %10d" % ("module invocations", results["module_invocations"]["fresh"],
                                      results["module_invocations"]["noop"]))
    services = sorted(set(results["requests"]["fresh"]) | set(results["requests"]["noop"]))
    for service in services:
        methods = sorted(set(results["requests"]["fresh"].get(service, {})) | set(results["requests"]["noop"].get(service, {})))
        for method in methods:
            lines.append("%-28s %10d %10d" % ("%s %s" % (service, method),
                                              results["requests"]["fresh"].get(service, {}).get(method, 0),
                                              results["requests"]["noop"].get(service, {}).get(method, 0)))
    lines += ["", "%-28s %10s %10s %6s" % ("target", "measured", "wanted", "")]
    for name, value, wanted, ok in verdicts(results):
        shown = ("%.2f" % value) if isinstance(value, float) else str(value)
        lines.append("%-28s %10s %10s %6s" % (name, shown, wanted, "ok" if ok else "MISSED"))
    return "\n".join(lines)


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    sandbox("start")
    try:
        results = measure()
        if limits.SIZE:
            results["limited_fleet"] = limits.measure(WORK, PORT_BASE, SANDBOX_DIR, control, reset,
                                                      PORT_BASE + SERVICES["wordpress"])
    finally:
        sandbox("stop")
    results["ansible_cpu_s"] = dict(CPU)
    results["machine_cpu_s"] = dict(MACHINE_CPU)
    results["targets"] = {name: {"measured": value, "wanted": wanted, "met": ok}
                          for name, value, wanted, ok in verdicts(results)}
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(table(results))
    if "limited_fleet" in results:
        print(limits.table(results["limited_fleet"]))
    print("\nwritten: %s" % RESULTS.relative_to(REPO) if RESULTS.is_relative_to(REPO) else RESULTS)


if __name__ == "__main__":
    main()
