"""The deterministic targets of issue 7 for a company-preset site (the timings are make bench's):

* at most 30 module invocations per site, fresh and on a rerun;
* a no-op rerun sends no write and reads each managed collection at most once (logins and handshakes
  aside, see tests/bench/counting.py);
* the fresh run writes to every service (so the counts above are of a real run).
"""

from pathlib import Path

import yaml

from tests.bench import counting
from test_site import whole

REPO = Path(__file__).resolve().parents[2]
MAX_MODULE_INVOCATIONS = 30
SERVICES = ("cloudflare", "namecheap", "coolify", "uptime_kuma", "r2", "wordpress")
BENCH_ENV = {
    "ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "bench" / "plugins"),
    "ANSIBLE_CALLBACKS_ENABLED": "fabrik.deploy.summary,bench_counts",
}


def logs(sandbox, box, marks):
    found = {service: sandbox.requests(service)[marks.get(service, 0):] for service in SERVICES if service != "wordpress"}
    found["wordpress"] = box.wordpress_log()[marks.get("wordpress", 0):]
    return found


def run_counted(sandbox, box, inventory, tmp_path, label):
    marks = {service: len(entries) for service, entries in logs(sandbox, box, {}).items()}
    counts_file = tmp_path / ("counts-%s.json" % label)
    run = sandbox.playbook("site.yml", inventory, env=dict(BENCH_ENV, FABRIK_BENCH_COUNTS=str(counts_file)))
    assert run.rc == 0, run.explain() + sandbox.logs()
    return run, yaml.safe_load(counts_file.read_text()), logs(sandbox, box, marks)


def test_company_site_module_invocations_and_requests(sandbox, tmp_path):
    box = whole(sandbox)
    site = yaml.safe_load((REPO / "inventories" / "sandbox" / "host_vars" / "demo.yml").read_text())
    site.update(site_domain="perf-company.test", wordpress_app_password_file=str(tmp_path / "app-password"),
                dns_gate_timeout=30)
    assert site["wordpress_preset"] == "company"
    inventory = sandbox.inventory(tmp_path / "inv", {"perf": site})

    fresh, fresh_counts, fresh_logs = run_counted(sandbox, box, inventory, tmp_path, "fresh")
    assert fresh.changed > 0
    assert {entry["service"] for entry in counting.write_entries(fresh_logs)} == set(SERVICES) - {"r2"}, \
        counting.by_target(fresh_logs)
    assert fresh_counts["module_invocations"] <= MAX_MODULE_INVOCATIONS, fresh_counts["by_action"]

    noop, noop_counts, noop_logs = run_counted(sandbox, box, inventory, tmp_path, "noop")
    assert noop.changed == 0, noop.explain()
    assert noop_counts["module_invocations"] <= MAX_MODULE_INVOCATIONS, noop_counts["by_action"]
    assert counting.write_entries(noop_logs) == []
    assert counting.repeated_reads(noop_logs) == {}, counting.by_target(noop_logs)
    # No module runs in a loop: one invocation per action (the preflight's argument check is not a module),
    # but for two that serve two collections each: wordpress_template_parts (the theme's templates before the
    # pages that use them, its parts after the menus they show) and wordpress_pages (pages, then posts when the
    # site has any); each collection is read once (above).
    twice = {"fabrik.deploy.wordpress_template_parts", "fabrik.deploy.wordpress_pages"}
    assert all(count == 1 or (count == 2 and action in twice) for action, count in noop_counts["by_action"].items()), \
        noop_counts["by_action"]
