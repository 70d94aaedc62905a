"""The wordpress stage of site.yml for two sites at once, each on its own tenant of the sandbox WordPress.

A fleet run needs one WordPress per site: the sandbox serves independent sites under
``/t/<tenant>/`` (``tests/sandbox/wordpress_front.py``).  Two hosts whose ``wordpress_url`` names
two tenants converge side by side (forks 2), each writing only to its own tenant, and a rerun
changes nothing and writes nothing.
"""

from pathlib import Path

import requests

from tests.sandbox.wordpress import default_theme

WORDPRESS_OFFSET = 6
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
TENANTS = ("fleet-1.test", "fleet-2.test")


def _control(wordpress, method, path, body=None):
    response = requests.request(method, "%s/_sandbox/%s" % (wordpress, path), json=body, timeout=120)
    response.raise_for_status()
    return response.json()


def test_two_sites_on_two_tenants_converge_side_by_side_then_rerun_changes_nothing(sandbox, tmp_path):
    wordpress = "http://127.0.0.1:%d" % (sandbox.port_base + WORDPRESS_OFFSET)
    _control(wordpress, "POST", "reset")
    hosts = {}
    for number, tenant in enumerate(TENANTS, 1):
        hosts["site%d" % number] = {
            "site_domain": tenant,
            "wordpress_url": "%s/t/%s" % (wordpress, tenant),
            "wordpress_preset": "landing",
            "wordpress_theme": {"slug": default_theme()},  # the preset's Twenty Twenty-Five needs 6.7+
            "wordpress_site": {"title": "Fleet site %d" % number, "tagline": "Tenant %s" % tenant},
            "wordpress_company": {"name": "Fleet %d Ltd" % number, "email": "hello@%s" % tenant,
                                  "address": "%d Example Street" % number, "country": "United Kingdom"},
            "wordpress_app_password_file": str(tmp_path / ("app-password-%d" % number)),
        }
    inventory = sandbox.inventory(tmp_path / "inv", hosts)
    forks = {"ANSIBLE_FORKS": "2"}

    first = sandbox.playbook("site.yml", inventory, tags=["wordpress"], env=forks)
    assert first.rc == 0, first.explain()
    assert set(first.recap) == set(hosts) and all(stats["changed"] > 0 for stats in first.recap.values())
    log = _control(wordpress, "GET", "requests")
    assert {entry.get("tenant") for entry in log} == set(TENANTS), "a request missed its tenant"
    assert all(entry["path"].startswith("/t/%s/" % entry["tenant"]) for entry in log)
    assert sorted(item["name"] for item in _control(wordpress, "GET", "state")["tenants"]) == list(TENANTS)

    for number, (host, host_vars) in enumerate(sorted(hosts.items()), 1):
        auth = ("admin", Path(host_vars["wordpress_app_password_file"]).read_text().strip())
        site = host_vars["wordpress_url"]
        settings = requests.get(site + "/wp-json/wp/v2/settings", auth=auth, timeout=30).json()
        assert (settings["title"], settings["url"]) == ("Fleet site %d" % number, site), host
        pages = requests.get(site + "/wp-json/wp/v2/pages", params={"per_page": 100}, auth=auth, timeout=30).json()
        assert {"privacy-policy", "terms"} <= {page["slug"] for page in pages}, host
        assert all(page["link"].startswith(site + "/") for page in pages), host
        # The other tenant's admin and application password mean nothing here.
        other = hosts["site%d" % (3 - number)]["wordpress_url"]
        assert requests.get(other + "/wp-json/wp/v2/settings", auth=auth, timeout=30).status_code == 401
    default = requests.get(wordpress + "/", allow_redirects=False, timeout=30)
    assert default.headers.get("Location") == wordpress + "/wp-admin/install.php"  # the default site untouched

    _control(wordpress, "DELETE", "requests")
    again = sandbox.playbook("site.yml", inventory, tags=["wordpress"], env=forks)
    assert again.rc == 0 and again.changed == 0, again.explain()
    writes = [(entry["method"], entry["path"]) for entry in _control(wordpress, "GET", "requests")
              if entry["method"] not in READ_METHODS]
    assert writes == []
