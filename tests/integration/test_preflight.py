"""The preflight: a matrix of bad site specs, each refused before any write with one message per problem.

Every bad spec below is one site (one inventory host) of a valid base spec with one mistake (or a few,
when the point is that all of them are reported at once). All of them run together in one ``site.yml``
run over every stage (forks 10), so that the whole matrix costs one run:

* each host must fail at the preflight task, with exactly the expected problems, one line each, each
  naming the inventory variable the user wrote, and no other task of a stage may run for it;
* the request logs of all six sandbox services (Cloudflare, Namecheap, Coolify, Uptime Kuma, R2 and
  WordPress) must show no write at all during the run: the preflight's reads (the credential proofs)
  are allowed, as are the Coolify ability probes (they address an object that cannot exist) and a
  WordPress login (it changes no content).

The base spec itself passes the preflight (a run limited to the preflight, ``--tags preflight-only``, with
every stage selected through ``preflight_stages``), so each failure is the mistake's.
"""

import json
import struct
import zlib

import pytest

from test_site import WholeSandbox
from tests.bench import counting
from tests.integration.conftest import REPO

STAGES = ["domain", "dns", "gate", "app", "verify", "wordpress", "monitoring", "storage"]
ADMIN_PASSWORD = "sandbox-wordpress-admin-password"
PREFLIGHT_TASK = "Preflight | the site spec of every selected stage"
RESULTS_ENV = {"ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "integration" / "plugins"),
               "ANSIBLE_CALLBACKS_ENABLED": "fabrik.deploy.summary,task_results"}
CONTACT = {"first_name": "Ada", "last_name": "Example", "address1": "1 Example Street", "city": "Exampleville",
           "state_province": "EX", "postal_code": "12345", "country": "GB", "phone": "+44.2071234567",
           "email": "ada@example.invalid"}
PRIVILEGED_COMPOSE = """services:
  web:
    image: nginx:1.27
    restart: unless-stopped
    expose: ["80"]
    healthcheck: {test: [CMD, curl, -f, http://127.0.0.1/]}
    %s
"""
INTERNAL_TYPES = ("<class", "Ansible", "_Lazy", "Traceback", "concatenate")


def png(size=16):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x10\x6c\xff" * size for _unused in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def compose(line):
    return PRIVILEGED_COMPOSE % line


# (id, host variables over the base spec, the expected problems as (variable, a fragment of its message)).
# Every stage and every credential appears; the comment on a line names what the issue saw fail only after writes.
BAD_SPECS = [
    # -- domain
    ("domain-not-a-domain", {"site_domain": "not a domain"}, [("site_domain", "at least two labels")]),
    ("domain-subdomain", {"site_domain": "www.matrix-sub.test"}, [("site_domain", "a registrable domain")]),
    ("domain-registrar-choice", {"domain_registrar": "godaddy"}, [("domain_registrar", "one of namecheap, external")]),
    ("domain-register-not-bool", {"domain_register": "maybe"}, [("domain_register", "true or false expected")]),
    ("domain-years", {"domain_years": 20}, [("domain_years", "1..10 expected")]),
    ("domain-contact-phone", {"domain_contacts": {"registrant": dict(CONTACT, phone="12345")}},
     [("domain_contacts.registrant.phone", "+CC.NUMBER")]),
    ("domain-max-price", {"domain_max_price": "cheap"}, [("domain_max_price", "a number expected")]),
    # -- dns
    ("dns-extra-records-string", {"dns_extra_records": "MX mail.example.net"},
     [("dns_extra_records", "a list expected, got the string")]),
    ("dns-record-type", {"dns_extra_records": [{"type": "BOGUS", "name": "x", "content": "y"}]},
     [("dns_extra_records[0].type", "unknown record type")]),
    ("dns-mx-priority", {"dns_extra_records": [{"type": "MX", "name": "@", "content": "mx.example.net"}]},
     [("dns_extra_records[0].priority", "MX records need a priority")]),
    ("dns-cname-apex", {"dns_extra_records": [{"type": "CNAME", "name": "@", "content": "elsewhere.example.net"}]},
     [("dns_extra_records[0].name", "cannot coexist")]),
    ("dns-zone-settings-list", {"dns_zone_settings": ["ssl", "strict"]},
     [("dns_zone_settings", "a mapping expected, got a list of 2 items")]),
    ("dns-ssl-mode", {"dns_zone_settings": {"ssl": "maximum"}}, [("dns_zone_settings.ssl", "one of")]),
    ("dns-server-ip", {"site_server_ip": "999.1.1.1"}, [("site_server_ip", "an IPv4 address expected")]),
    # -- gate
    ("gate-timeout", {"dns_gate_timeout": "soon"}, [("dns_gate_timeout", "an integer expected")]),
    # -- app
    ("app-template", {"app_template": "joomla"}, [("app_template", "one of wordpress")]),
    ("app-privileged", {"app_compose": compose("privileged: true")}, [("app_compose", "opts in to privileged")]),
    ("app-host-network", {"app_compose": compose("network_mode: host")}, [("app_compose", "opts in to host_network")]),
    ("app-docker-socket", {"app_compose": compose("volumes: [/var/run/docker.sock:/var/run/docker.sock]")},
     [("app_compose", "opts in to docker_socket")]),
    ("app-cap-all", {"app_compose": compose("cap_add: [ALL]")}, [("app_compose", "opts in to all_capabilities")]),
    ("app-domain-url", {"app_domains": ["ftp://matrix.test"]}, [("app_domains[0]", "an http(s) URL")]),
    ("app-env-key", {"app_envs": [{"key": "1BAD", "value": "x"}]}, [("app_envs[0].key", "letters, digits")]),
    ("app-no-server", {"coolify_server": ""}, [("coolify_server", "required: the name of the Coolify server")]),
    ("app-unknown-server", {"coolify_server": "nosuch"}, [("coolify_server", "no server called \"nosuch\"")]),
    # -- verify
    ("verify-url", {"app_verify_url": "htp:/matrix.test"}, [("app_verify_url", "an http:// or https:// URL")]),
    # -- wordpress
    ("wp-url", {"wordpress_url": "htp:/matrix.test"}, [("wordpress_url", "the site's http(s) base URL")]),
    ("wp-preset", {"wordpress_preset": "nosuch"}, [("wordpress_preset", "one of company")]),
    ("wp-section-type", {"wordpress_pages": [{"slug": "x", "title": "X", "sections": [{"type": "carousel"}]}]},
     [("wordpress_pages[0].sections[0].type", "one of hero")]),
    ("wp-section-field", {"wordpress_pages": [{"slug": "x", "title": "X", "sections": [{"type": "features"}]}]},
     [("wordpress_pages[0].sections[0].items", "required")]),
    ("wp-empty-slug", {"wordpress_pages": [{"slug": "", "title": "X", "sections": []}]},
     [("wordpress_pages[0].slug", "lower-case letters, digits")]),
    ("wp-duplicate-slug", {"wordpress_pages": [{"slug": "offer", "title": "One", "sections": []},
                                               {"slug": "offer", "title": "Two", "sections": []}]},
     [("wordpress_pages[1].slug", "'offer' is listed twice")]),
    ("wp-menu-page", {"wordpress_menus": [{"name": "Main", "items": [{"page": "nosuch"}]}]},
     [("wordpress_menus[0].items[0].page", "no page with slug 'nosuch'")]),
    ("wp-logo-missing", {"wordpress_brand": {"logo": "missing.png"}}, [("wordpress_brand.logo", "no such file")]),
    ("wp-asset-outside", {"wordpress_brand": {"assets": [{"path": "../../../../etc/passwd"}]}},
     [("wordpress_brand.assets[0].path", "outside the site's directories")]),
    ("wp-ga4", {"wordpress_analytics": {"ga4_id": "UA-12345-1"}}, [("wordpress_analytics.ga4_id", "GA4")]),
    ("wp-colour", {"wordpress_brand": {"colors": {"primary": "blue"}}}, [("wordpress_brand.colors.primary", "#RRGGBB")]),
    ("wp-site-list", {"wordpress_site": ["line %d" % number for number in range(300)]},
     [("wordpress_site", "a mapping expected, got a list of 300 items")]),
    ("wp-content-file", {"wordpress_content_file": "content/missing.yml"},
     [("wordpress_content_file", "no such file")]),
    # -- monitoring
    ("kuma-interval", {"monitoring_interval": "every minute"}, [("monitoring_interval", "an integer expected")]),
    ("kuma-tag-color", {"monitoring_tag_color": "blue"}, [("monitoring_tag_color", "#rrggbb")]),
    ("kuma-extra-monitor", {"monitoring_extra_monitors": [{"name": "api", "type": "http"}]},
     [("monitoring_extra_monitors[0].url", "required for http monitors")]),
    ("kuma-status-slug", {"monitoring_status_page_slug": "Not A Slug"},
     [("monitoring_status_page_slug", "lower-case letters")]),
    # -- storage
    ("r2-bucket", {"storage_bucket": "Bad_Bucket"}, [("storage_bucket", "3..63 lowercase")]),
    ("r2-bucket-from-domain", {"site_domain": "a-very-long-domain-name-for-a-bucket-of-r2-which-stops-at-sixty.test"},
     [("site_domain", "the R2 bucket name derived from it")]),
    ("r2-asset-outside", {"storage_assets": [{"src": "../../../../etc/passwd", "key": "passwd"}]},
     [("storage_assets[0].src", "outside the site's directories")]),
    ("r2-asset-key", {"storage_assets": [{"src": "logo.png"}]}, [("storage_assets[0].key", "required")]),
    ("r2-cors-method", {"storage_cors_methods": ["GET", "FETCH"]}, [("storage_cors_methods", "R2 allows")]),
    # -- credentials, one per service (and the ones the issue saw fail after real writes)
    # the domain is not in the account: the base spec may buy it; a wrong Cloudflare token stops the run before
    ("cred-cloudflare-token", {"cloudflare_api_token": "wrong-token"}, [("cloudflare_api_token", "Cloudflare refused it")]),
    ("domain-not-owned", {"domain_register": False}, [("domain_register", "is not in the Namecheap account")]),
    ("domain-no-contacts", {"domain_contacts": {}}, [("domain_contacts", "required to register")]),
    ("cred-cloudflare-missing", {"cloudflare_api_token": ""}, [("cloudflare_api_token", "required")]),
    ("cred-cloudflare-account", {"cloudflare_account_id": "my-account"},
     [("cloudflare_account_id", "32 hexadecimal characters")]),
    ("cred-namecheap-key", {"namecheap_api_key": "wrong-key"}, [("namecheap_api_key", "Namecheap refused it")]),
    ("cred-namecheap-ip", {"namecheap_client_ip": "192.0.2.77"}, [("namecheap_client_ip", "whitelist it")]),
    ("cred-coolify-token", {"coolify_api_token": "1|wrong"}, [("coolify_api_token", "Coolify refused it")]),
    ("cred-coolify-missing", {"coolify_api_token": ""}, [("coolify_api_token", "required")]),
    ("cred-coolify-read-only", {"coolify_api_token": "2|sandbox-coolify-read"},
     [("coolify_api_token", "lacks the write and deploy abilities")]),
    ("cred-coolify-no-deploy", {"coolify_api_token": "3|sandbox-coolify-nodeploy"},
     [("coolify_api_token", "lacks the deploy ability")]),
    ("cred-kuma-password", {"uptime_kuma_password": "wrong-password"},
     [("uptime_kuma_password", "Uptime Kuma refused the login")]),
    ("cred-r2-key", {"r2_access_key_id": "wrongkey"}, [("r2_access_key_id", "R2 refused")]),
    ("cred-wordpress-app-password", {"wordpress_app_password": "aaaa bbbb cccc dddd eeee ffff"},
     [("wordpress_app_password", "does not accept it")]),
    ("cred-wordpress-login", {"wordpress_app_password": "", "wordpress_admin_password": "wrong-password"},
     [("wordpress_admin_password", "WordPress refused the login")]),
    # -- several problems at once, in several stages
    ("all-at-once", {"dns_extra_records": [{"type": "TXT", "name": "x", "content": "y", "ttl": 5}],
                     "wordpress_analytics": {"ga4_id": "UA-1"}, "monitoring_interval": "soon",
                     "coolify_api_token": "1|wrong"},
     [("dns_extra_records[0].ttl", "ttl"), ("wordpress_analytics.ga4_id", "GA4"),
      ("monitoring_interval", "an integer expected"), ("coolify_api_token", "Coolify refused it")]),
]


def host_name(spec_id):
    return spec_id.replace("_", "-")


def base_spec(password):
    return {
        "site_server_ip": "192.0.2.10",
        "domain_register": True,
        "domain_contacts": {"registrant": CONTACT},
        "dns_extra_records": [{"type": "MX", "name": "@", "content": "mx1.mail.example.net", "priority": 10}],
        "wordpress_preset": "company",
        "wordpress_site": {"title": "Matrix", "tagline": "One mistake each"},
        "wordpress_company": {"name": "Matrix Ltd", "email": "hello@matrix.test", "address": "1 Example Street",
                              "country": "United Kingdom"},
        "wordpress_brand": {"logo": "logo.png", "colors": {"primary": "#0a6cff"}},
        "wordpress_app_password": password,
        "wordpress_app_password_file": "",
        "storage_assets": [{"src": "logo.png", "key": "brand/logo.png"}],
        "monitoring_status_page": True,
    }


class Matrix:
    """The sandbox prepared for the matrix: WordPress installed with an application password."""

    def __init__(self, sandbox, directory):
        self.sandbox = sandbox
        self.box = WholeSandbox(sandbox)
        self.box.reset()
        self.directory = directory
        self.password = install_wordpress(sandbox, self.box.wordpress, directory)

    def inventory(self, name, hosts):
        inventory = self.sandbox.inventory(self.directory / name, hosts, group_vars=base_spec(self.password))
        (inventory / "logo.png").write_bytes(png())
        return inventory

    def run(self, inventory, **kwargs):
        results = inventory / "results.json"
        env = dict(RESULTS_ENV, FABRIK_TASK_RESULTS=str(results))
        run = self.sandbox.playbook("site.yml", inventory, env=env, **kwargs)
        return run, json.loads(results.read_text())

    def logs(self):
        found = {service: self.sandbox.requests(service) for service in self.sandbox.urls}
        found["wordpress"] = self.box.wordpress_log()
        return found


def install_wordpress(sandbox, url, directory):
    """Install the sandbox WordPress and create an application password (wordpress_install, as the role does)."""
    tasks = [
        {"name": "WordPress installed with an application password", "fabrik.deploy.wordpress_install": {
            "url": url, "title": "Matrix", "admin_user": "admin", "admin_password": ADMIN_PASSWORD,
            "admin_email": "admin@sandbox.invalid"}, "register": "installed"},
        {"name": "Keep it", "ansible.builtin.copy": {
            "content": "{{ installed.app_password }}", "dest": str(directory / "app-password"), "mode": "0600"}},
    ]
    play = [{"name": "Install", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": tasks}]
    directory.mkdir(parents=True, exist_ok=True)
    playbook = directory / "install.yml"
    playbook.write_text(json.dumps(play))
    run = sandbox.playbook(str(playbook), "localhost,")
    assert run.rc == 0, run.explain()
    return (directory / "app-password").read_text().strip()


@pytest.fixture(scope="module")
def matrix(sandbox_session, tmp_path_factory):
    """One site.yml run over every bad spec; what it left: (run, results per host, request logs)."""
    directory = tmp_path_factory.mktemp("matrix")
    prepared = Matrix(sandbox_session, directory)
    sandbox_session.reset_log()
    prepared.box.reset_log()
    hosts = {host_name(spec_id): dict(overrides, site_domain=overrides.get("site_domain", "%s.test" % host_name(spec_id)))
             for spec_id, overrides, _expected in BAD_SPECS}
    inventory = prepared.inventory("inv", hosts)
    run, results = prepared.run(inventory)
    return {"run": run, "results": results, "logs": prepared.logs(), "matrix": prepared}


def test_the_matrix_has_forty_bad_specs_covering_every_stage_and_service():
    assert len(BAD_SPECS) >= 40
    variables = {variable for _id, _overrides, expected in BAD_SPECS for variable, _fragment in expected}
    for prefix in ("site_domain", "domain_", "dns_", "app_", "wordpress_", "monitoring_", "storage_", "cloudflare_",
                   "namecheap_", "coolify_", "uptime_kuma_", "r2_"):
        assert any(variable.startswith(prefix) for variable in variables), prefix


def test_nothing_was_written_to_any_of_the_six_services(matrix):
    run, logs = matrix["run"], matrix["logs"]
    assert set(logs) == {"cloudflare", "namecheap", "coolify", "uptime_kuma", "r2", "wordpress"}
    writes = [entry for entry in counting.write_entries(logs)
              if not (entry["service"] == "wordpress" and entry["method"] == "POST"
                      and entry["path"].endswith("/wp-login.php"))]
    assert writes == [], run.explain()
    # The proofs were made: every service was asked something.
    assert all(logs[service] for service in logs), {service: len(entries) for service, entries in logs.items()}
    assert run.rc != 0
    assert run.recap and all(host["failed"] == 1 for host in run.recap.values()), run.recap


@pytest.mark.parametrize("spec_id,overrides,expected", BAD_SPECS, ids=[spec[0] for spec in BAD_SPECS])
def test_bad_spec_fails_at_the_preflight_with_one_message_per_problem(matrix, spec_id, overrides, expected):
    results = matrix["results"][host_name(spec_id)]
    failed = [result for result in results if result["status"] == "failed"]
    assert [result["task"] for result in failed] == [r["task"] for r in failed if PREFLIGHT_TASK in r["task"]] \
        and len(failed) == 1, results
    ran = [result["task"] for result in results if result["status"] != "skipped"]
    assert all("preflight" in task.lower() or "Validating arguments" in task for task in ran), ran
    msg = failed[0]["msg"]
    lines = [line[2:] for line in msg.splitlines() if line.startswith("- ")]
    assert msg.splitlines()[0].startswith("The site spec has %d problem" % len(expected)), msg
    assert len(lines) == len(expected), msg
    for variable, fragment in expected:
        found = [line for line in lines if line.startswith(variable + ": ")]
        assert len(found) == 1 and fragment in found[0], (variable, fragment, msg)
    assert len(msg) < 400 * len(expected) + 100, msg
    assert not any(marker in msg for marker in INTERNAL_TYPES), msg


def test_the_base_spec_passes_the_preflight(matrix):
    """The same base spec, with every stage selected but only the preflight run: no problem."""
    prepared = matrix["matrix"]
    inventory = prepared.inventory("valid", {"valid": {"site_domain": "Matrix-Valid.TEST."}})
    run, results = prepared.run(inventory, tags=["preflight-only"], extra_vars={"preflight_stages": STAGES})
    assert run.rc == 0, run.explain()
    assert [result["status"] for result in results["valid"] if PREFLIGHT_TASK in result["task"]] == ["ok"], results


def test_a_site_is_one_site_whatever_the_case_of_its_domain_and_extra_var_strings_convert(sandbox, tmp_path):
    """Example.COM. then example.com: one Coolify project, one set of monitors with one tag value, one bucket,
    the second run changes nothing. ``-e monitoring_interval=123`` (a string) is the integer 123."""
    runs = []
    for name, domain in (("upper", "Canon-Site.TEST."), ("lower", "canon-site.test")):
        inventory = sandbox.inventory(tmp_path / name, {"canon": {"site_domain": domain, "app_template": "python-api"}})
        run = sandbox.playbook("site.yml", inventory, tags=["app", "monitoring", "storage"],
                               extra_vars={"monitoring_interval": "123"})
        assert run.rc == 0, run.explain() + sandbox.logs()
        runs.append(run)
    assert runs[1].changed == 0, runs[1].explain()
    projects = sandbox.state("coolify")["projects"]
    assert [project["name"] for project in projects] == ["canon-site.test"]
    services = [resource["name"] for project in projects for env in project["environments"]
                for resource in env["resources"]]
    assert services == ["canon-site-test"]
    monitors = sandbox.state("uptime_kuma")["monitors"].values()
    assert sorted((monitor["name"], monitor["interval"]) for monitor in monitors) == [
        ("canon-site.test", 123), ("canon-site.test content", 123)]
    assert {tag["value"] for monitor in monitors for tag in monitor["tags"]} == {"canon-site.test"}
    assert sorted(bucket["name"] for bucket in sandbox.state("r2")["buckets"]) == ["canon-site-test"]
