"""Every module's EXAMPLES run as written, with the real ansible-playbook, against the sandbox.

The EXAMPLES string of each module is read from its source (``ast``, no import) and pasted,
byte for byte, as the task list of a play ``hosts: localhost, connection: local,
gather_facts: false`` named ``<module> examples``.  The examples of one service run in one
ansible-playbook run, in the order of ``GROUPS``, each module in its own play.

What a test adds around the tasks, and nothing else:

* the environment variables the modules document as fallbacks for their connection options
  (``CLOUDFLARE_API_TOKEN``, ``NAMECHEAP_API_URL``, ``COOLIFY_API_URL``, ``UPTIME_KUMA_URL``,
  ``R2_ENDPOINT_URL``, ``WORDPRESS_APP_PASSWORD`` ...), pointing at the sandbox;
* the files the examples name (a compose template, brand images, a plugin zip), written into
  the play directory, which is also the working directory of the run (relative paths on the
  controller resolve there, as they do for someone running the playbook from its directory);
* state that exists before the examples in real life, made through the vendors' APIs: the
  Cloudflare zone that the record and settings examples work on, Coolify's server (renamed to the
  ``main`` of the examples), the WordPress pages that the menu and settings examples point at, and
  the plugins that the plugin example would download from wordpress.org or a URL (the sandbox
  has no internet, so they are put into ``wp-content/plugins`` as if installed earlier; the example
  then activates, keeps or removes them, and installs the zip from the controller for real).

Every task of every example runs: there is no list of exceptions.  A run must end with rc 0,
every task ``ok`` or ``changed`` (none skipped), no secret in the output and no contract
violation recorded by an emulator; a failure names the module and the task.
"""

import ast
import json
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import requests
import yaml
from jinja2 import Environment, meta

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "plugins" / "modules"
BIN = Path(sys.executable).parent
WORDPRESS_OFFSET = 6
COOLIFY_SERVER = "main"  # the server name the Coolify examples use
EXAMPLE_ZONE = "example.com"

# Run order. Each inner list is one ansible-playbook run; earlier examples make the state later ones
# need (the zone is deleted last, the WordPress pages are pruned after the menus and settings used
# them, the Coolify service is deleted before coolify_envs creates it again).
GROUPS = {
    "domain": [[
        "site_spec", "site_lock", "namecheap_domain", "namecheap_domain_info", "namecheap_dns_hosts", "namecheap_nameservers",
        "cloudflare_zone_info", "cloudflare_dns_records", "cloudflare_zone_settings", "cloudflare_zone",
    ]],
    "coolify": [[
        "coolify_compose_lint", "coolify_project", "coolify_environment", "coolify_info", "coolify_application",
        "coolify_database", "coolify_service", "coolify_envs", "coolify_deploy",
    ]],
    "uptime_kuma": [[
        "uptime_kuma_tag", "uptime_kuma_notification", "uptime_kuma_monitors", "uptime_kuma_status_page",
        "uptime_kuma_info",
    ]],
    "r2": [["r2_bucket", "r2_object", "r2_info"]],
    "wordpress": [
        ["wordpress_install"],  # it keeps the new application password in a file for the next run
        # the template parts while the fresh site's block theme is active (the theme examples end on a classic one)
        ["wordpress_info", "wordpress_users", "wordpress_settings", "wordpress_template_parts", "wordpress_theme",
         "wordpress_media", "wordpress_menus", "wordpress_pages", "wordpress_contact_form", "wordpress_head",
         "wordpress_plugins", "site_check"],
    ],
}

# Names a self-contained example may use without defining them: Jinja globals and Ansible's magic variables.
KNOWN_NAMES = {"lookup", "query", "q", "omit", "playbook_dir", "ansible_run_tags", "ansible_check_mode",
               "inventory_hostname", "true", "false", "none", "True", "False", "None"}
# Task keywords holding a bare Jinja expression rather than a template.
EXPRESSION_KEYWORDS = ("when", "changed_when", "failed_when", "until")

COMPOSE_TEMPLATE = """\
# The WordPress site of the Coolify examples: WordPress and MariaDB, secrets as ${VARIABLES}.
services:
  web:
    image: wordpress:6.6-apache
    restart: unless-stopped
    expose: ["80"]
    environment:
      WORDPRESS_DB_HOST: db
      WORDPRESS_DB_NAME: wordpress
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_PASSWORD: ${SERVICE_PASSWORD_MARIADB}
      WORDPRESS_TABLE_PREFIX: ${WORDPRESS_TABLE_PREFIX}
    volumes: [wordpress:/var/www/html]
    healthcheck:
      test: [CMD, curl, -fsS, http://127.0.0.1/wp-login.php]
      interval: 30s
    depends_on: [db]
  db:
    image: mariadb:11.4
    restart: unless-stopped
    environment:
      MARIADB_DATABASE: wordpress
      MARIADB_USER: wordpress
      MARIADB_PASSWORD: ${SERVICE_PASSWORD_MARIADB}
      MARIADB_ROOT_PASSWORD: ${SERVICE_PASSWORD_MARIADBROOT}
    volumes: [db:/var/lib/mysql]
    healthcheck:
      test: [CMD, healthcheck.sh, --connect, --innodb_initialized]
      interval: 30s
volumes:
  wordpress: {}
  db: {}
"""
LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle cx="16" cy="16" r="15"/></svg>\n'


# ------------------------------------------------------------------ reading the examples


class _Unsafe(str):
    """A ``!unsafe`` string: Ansible never templates it."""


class _ExampleLoader(yaml.SafeLoader):
    """yaml.safe_load plus Ansible's ``!unsafe`` tag."""


_ExampleLoader.add_constructor("!unsafe", lambda loader, node: _Unsafe(loader.construct_scalar(node)))


def examples_text(module):
    """The EXAMPLES string of ``plugins/modules/<module>.py``, read from the source."""
    tree = ast.parse((MODULES / (module + ".py")).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("%s has no EXAMPLES" % module)


def example_tasks(module):
    tasks = yaml.load(examples_text(module), Loader=_ExampleLoader)  # nosec - SafeLoader subclass
    assert isinstance(tasks, list) and tasks, "%s: EXAMPLES is not a list of tasks" % module
    return tasks


def _templates(value, expression=False):
    """Every string of a task value that Ansible would template, as Jinja template text."""
    if isinstance(value, _Unsafe):
        return
    if isinstance(value, str):
        if expression:
            yield "{{ %s }}" % value
        elif "{{" in value or "{%" in value:
            yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _templates(child, expression)
    elif isinstance(value, list):
        for child in value:
            yield from _templates(child, expression)


def undefined_variables(tasks):
    """(task name, variable) for each variable example ``tasks`` use before (or without) defining it.

    An example must be self-contained: variables it uses come from its own earlier ``register``
    or are Ansible's own (``KNOWN_NAMES``); anything else would be a variable of the reader's
    inventory that the example does not show.
    """
    environment = Environment()
    defined = set(KNOWN_NAMES)
    found = []
    for task in tasks:
        for key, value in task.items():
            for text in _templates(value, expression=key in EXPRESSION_KEYWORDS):
                for name in sorted(meta.find_undeclared_variables(environment.parse(text))):
                    if name not in defined:
                        found.append((task.get("name"), name))
        if task.get("register"):
            defined.add(task["register"])
    return found


def playbook_text(modules):
    """One play per module, its EXAMPLES pasted unchanged (re-indented) as the play's tasks."""
    plays = ["---"]
    for module in modules:
        body = "\n".join(("    " + line) if line.strip() else "" for line in examples_text(module).strip("\n").splitlines())
        plays.append("- name: %s examples\n  hosts: localhost\n  connection: local\n  gather_facts: false\n"
                     "  tasks:\n%s\n" % (module, body))
    return "\n".join(plays)


# ------------------------------------------------------------------ running them


class ExampleRun:
    """One ansible-playbook run of the examples of ``modules``."""

    RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+"
                       r"skipped=(\d+)", re.M)

    def __init__(self, modules, proc, seconds):
        self.modules = modules
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.stdout = proc.stdout
        self.seconds = seconds
        found = self.RECAP.search(proc.stdout)
        self.recap = dict(zip(("ok", "changed", "unreachable", "failed", "skipped"), map(int, found.groups()))) \
            if found else None

    def failures(self):
        """``<module>: task '<name>' failed`` for each failed task, from the play and task headers."""
        play = task = None
        failed = []
        lines = self.stdout.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("PLAY [") and line.rstrip("* ").endswith("]"):
                play = line[6:line.rindex("]")].replace(" examples", "")
            elif line.startswith("TASK ["):
                task = line[6:line.rindex("]")]
            elif line.startswith(("fatal: ", "failed: ")):
                message = next((following.strip() for following in lines[index + 1:index + 40]
                                if following.lstrip().startswith("msg: ")), "")
                failed.append(("%s: task %r failed %s" % (play, task, message)).rstrip())
        return failed

    def explain(self):
        return "%s\nrc=%s recap=%s\n--- output ---\n%s" % (
            "\n".join(self.failures()) or "(no failed task reported)", self.rc, self.recap, self.output[-15000:])


def sandbox_env(sandbox, extra=None):
    """The documented fallback variables of every service, pointing at the sandbox (sandbox.json)."""
    services = json.loads((sandbox_dir(sandbox) / "sandbox.json").read_text())["services"]
    cloudflare, namecheap, coolify = services["cloudflare"], services["namecheap"], services["coolify"]
    kuma, r2, wordpress = services["uptime_kuma"], services["r2"], services["wordpress"]
    env = {
        "CLOUDFLARE_API_URL": cloudflare["url"], "CLOUDFLARE_API_TOKEN": cloudflare["api_token"],
        "CLOUDFLARE_ACCOUNT_ID": cloudflare["account_id"],
        "NAMECHEAP_API_URL": namecheap["url"], "NAMECHEAP_API_USER": namecheap["api_user"],
        "NAMECHEAP_API_KEY": namecheap["api_key"], "NAMECHEAP_CLIENT_IP": namecheap["client_ip"],
        "COOLIFY_API_URL": coolify["url"], "COOLIFY_API_TOKEN": coolify["api_token"],
        "UPTIME_KUMA_URL": kuma["url"], "UPTIME_KUMA_USERNAME": kuma["username"],
        "UPTIME_KUMA_PASSWORD": kuma["password"],
        "R2_ENDPOINT_URL": r2["url"], "R2_ACCOUNT_ID": r2["account_id"], "R2_ACCESS_KEY_ID": r2["access_key_id"],
        "R2_SECRET_ACCESS_KEY": r2["secret_access_key"],
        "WORDPRESS_URL": wordpress["url"], "WORDPRESS_USERNAME": wordpress["admin_user"],
    }
    env.update(extra or {})
    return env


def sandbox_dir(sandbox):
    return REPO / "tests" / "output" / ("sandbox-%d" % sandbox.port_base)


def secrets_of(env):
    return [value for key, value in env.items() if key.endswith(("_TOKEN", "_KEY", "_PASSWORD"))]


def run_examples(directory, modules, env):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "examples.yml").write_text(playbook_text(modules))
    (directory / "inventory.yml").write_text("all: {}\n")
    run_env = {key: value for key, value in os.environ.items()
               if not key.startswith(("CLOUDFLARE_", "NAMECHEAP_", "COOLIFY_", "UPTIME_KUMA_", "R2_", "WORDPRESS_"))}
    run_env.update(env, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_LOCALHOST_WARNING="0",
                   ANSIBLE_LOCAL_TEMP=str(REPO / "tests" / "output" / "tmp"),
                   PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    started = time.monotonic()
    # --diff: every module's diff must render in Ansible's default callback.
    proc = subprocess.run([str(BIN / "ansible-playbook"), "examples.yml", "-i", "inventory.yml", "--diff"],
                          cwd=str(directory),
                          env=run_env, capture_output=True, text=True, timeout=600, check=False)
    return ExampleRun(modules, proc, time.monotonic() - started)


def check_run(sandbox, run, env, secrets=()):
    """rc 0, every task of the examples run (none failed or skipped), no secret shown, no violation."""
    assert run.rc == 0, run.explain()
    tasks = sum(len(example_tasks(module)) for module in run.modules)
    assert run.recap is not None, run.explain()
    assert run.recap == {"ok": tasks, "changed": run.recap["changed"], "unreachable": 0, "failed": 0, "skipped": 0}, \
        "expected all %d example tasks of %s to run\n%s" % (tasks, ", ".join(run.modules), run.explain())
    assert "Callback dispatch" not in run.output, "a diff the default callback cannot render\n" + run.explain()
    shown = [secret for secret in secrets_of(env) + list(secrets) if secret in run.output]
    assert not shown, "secrets in the output of the examples of %s" % ", ".join(run.modules)
    violations = sandbox.violations()
    assert not violations, "contract violations during the examples of %s: %s" % (
        ", ".join(run.modules), json.dumps(violations, indent=1)[:4000])


def converge_group(sandbox, directory, group, env):
    runs = []
    for modules in GROUPS[group]:
        run = run_examples(directory, modules, env)
        check_run(sandbox, run, env)
        runs.append(run)
    return runs


# ------------------------------------------------------------------ files and vendor state


def png(size):
    """A valid ``size`` x ``size`` single-colour PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x25\x63\xeb" * size for _row in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg(path, width, height):
    """A JPEG written by PHP's GD (the sandbox WordPress needs PHP with GD anyway)."""
    script = "$i = imagecreatetruecolor(%d, %d); imagefill($i, 0, 0, 0x2563eb); imagejpeg($i, $argv[1]);" % (
        width, height)
    subprocess.run(["php", "-r", script, str(path)], check=True, capture_output=True, timeout=30)


def ico(size=16):
    """A one-image ICO holding a PNG."""
    image = png(size)
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 22) + image


def cloudflare_zone(sandbox, env, name):
    """Create a zone through Cloudflare's API (the records and settings examples work on one)."""
    response = requests.post(env["CLOUDFLARE_API_URL"] + "/zones", timeout=30,
                             headers={"Authorization": "Bearer " + env["CLOUDFLARE_API_TOKEN"]},
                             json={"name": name, "account": {"id": env["CLOUDFLARE_ACCOUNT_ID"]}, "type": "full"})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def coolify_server_named(env, name):
    """Give the sandbox's one server the name the examples use, through Coolify's API."""
    headers = {"Authorization": "Bearer " + env["COOLIFY_API_TOKEN"]}
    servers = requests.get(env["COOLIFY_API_URL"] + "/servers", headers=headers, timeout=30).json()
    response = requests.patch(env["COOLIFY_API_URL"] + "/servers/" + servers[0]["uuid"], json={"name": name},
                              headers=headers, timeout=30)
    assert response.status_code == 201, response.text


class SandboxWordPress:
    """The sandbox's real WordPress: its control API and REST API."""

    def __init__(self, sandbox):
        self.url = "http://127.0.0.1:%d" % (sandbox.port_base + WORDPRESS_OFFSET)

    def control(self, method, path):
        response = requests.request(method, "%s/_sandbox/%s" % (self.url, path), timeout=120)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self):
        self.control("POST", "reset")

    def create_pages(self, auth, pages):
        for slug, title in pages:
            response = requests.post(self.url + "/wp-json/wp/v2/pages", auth=auth, timeout=30,
                                     json={"slug": slug, "title": title, "status": "publish",
                                           "content": "<!-- wp:paragraph --><p>%s</p><!-- /wp:paragraph -->" % title})
            assert response.status_code == 201, response.text[:500]

    def get(self, auth, route, **params):
        response = requests.get(self.url + "/wp-json" + route, auth=auth, params=dict(params, per_page=100), timeout=30)
        assert response.status_code == 200, response.text[:500]
        return response.json()


def installed_plugin(plugins_dir, slug, name, main_file=None):
    """A plugin as WordPress finds it in wp-content/plugins (the header is all it needs)."""
    directory = plugins_dir / slug
    directory.mkdir(parents=True, exist_ok=True)
    (directory / (main_file or slug + ".php")).write_text(
        "<?php\n/*\n * Plugin Name: %s\n * Version: 1.0.0\n */\n" % name)


# ------------------------------------------------------------------ the tests


def test_domain_examples(sandbox, tmp_path):
    """Namecheap then Cloudflare: register, records, delegation, zone read, records, settings, wait, delete."""
    env = sandbox_env(sandbox)
    # A zone turns active as soon as a read sees the registrar's delegation (real Cloudflare: minutes later).
    sandbox.configure("cloudflare", activation_delay=0)
    cloudflare_zone(sandbox, env, EXAMPLE_ZONE)
    converge_group(sandbox, tmp_path, "domain", env)

    namecheap = sandbox.state("namecheap")
    assert EXAMPLE_ZONE in json.dumps(namecheap), "namecheap_domain registered nothing"
    zones = requests.get(env["CLOUDFLARE_API_URL"] + "/zones", params={"name": EXAMPLE_ZONE}, timeout=30,
                         headers={"Authorization": "Bearer " + env["CLOUDFLARE_API_TOKEN"]}).json()["result"]
    assert zones == [], "the last cloudflare_zone example deletes the zone"


def test_coolify_examples(sandbox, tmp_path):
    env = sandbox_env(sandbox)
    coolify_server_named(env, COOLIFY_SERVER)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "compose.yml.j2").write_text(COMPOSE_TEMPLATE)
    converge_group(sandbox, tmp_path, "coolify", env)

    projects = {project["name"]: project for project in sandbox.state("coolify")["projects"]}
    assert set(projects) == {"example.com", "example.org"}
    environments = {env_["name"]: {r["name"] for r in env_["resources"]} for env_ in projects["example.com"]["environments"]}
    assert environments == {"production": {"example-api", "example-site", "example-db", "example-com"},
                            "staging": set()}, environments
    site = {env_["name"]: {r["name"] for r in env_["resources"]} for env_ in projects["example.org"]["environments"]}
    assert site == {"production": {"example-org"}}, site


def test_uptime_kuma_examples(sandbox, tmp_path):
    env = sandbox_env(sandbox)
    converge_group(sandbox, tmp_path, "uptime_kuma", env)
    state = json.dumps(sandbox.state("uptime_kuma"))
    for name in ("example.com content", "example-com", "hooks.example.com"):
        assert name in state, name


def test_r2_examples(sandbox, tmp_path):
    env = sandbox_env(sandbox)
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "logo.svg").write_text(LOGO_SVG)
    (tmp_path / "files" / "favicon.ico").write_bytes(ico())
    converge_group(sandbox, tmp_path, "r2", env)
    state = json.dumps(sandbox.state("r2"))
    for key in ("brand/logo.svg", "brand/favicon.ico", "robots.txt"):
        assert key in state, key


def test_wordpress_examples(sandbox, tmp_path):
    wordpress = SandboxWordPress(sandbox)
    state = wordpress.control("GET", "state")
    if not state.get("available"):
        pytest.skip("sandbox WordPress unavailable: %s" % state.get("missing"))
    wordpress.reset()
    try:
        env = sandbox_env(sandbox)
        install, rest = GROUPS["wordpress"]
        run = run_examples(tmp_path, install, env)
        assert run.rc == 0, run.explain()
        admin_password = (tmp_path / "credentials" / "wordpress-admin").read_text().split()[0]
        app_password = (tmp_path / "credentials" / "wordpress-app-password").read_text().strip()
        check_run(sandbox, run, env, secrets=[admin_password, app_password])
        # The install example keeps the new application password beside the playbook: the other
        # examples get it the documented way, WORDPRESS_APP_PASSWORD.
        env["WORDPRESS_APP_PASSWORD"] = app_password
        auth = (env["WORDPRESS_USERNAME"], app_password)

        # Pages the menu and settings examples point at, as a site being built already has them.
        wordpress.create_pages(auth, [("home", "Home"), ("about", "About"), ("team", "Team"),
                                      ("contact", "Contact"), ("blog", "Blog")])
        # Plugins the example would download (wordpress.org, a URL): installed earlier, as if by hand.
        plugins_dir = Path(state["docroot"]) / "wp-content" / "plugins"
        installed_plugin(plugins_dir, "wordpress-seo", "Yoast SEO (sandbox stand-in)", "wp-seo.php")
        installed_plugin(plugins_dir, "acme-cache", "Acme Cache")
        installed_plugin(plugins_dir, "hello-dolly", "Hello Dolly", "hello.php")
        files = tmp_path / "files"
        files.mkdir()
        with zipfile.ZipFile(files / "acme-forms-2.1.zip", "w") as archive:
            archive.writestr("acme-forms/acme-forms.php", "<?php\n/*\n * Plugin Name: Acme Forms\n * Version: 2.1\n */\n")
        brand = tmp_path / "brand"
        brand.mkdir()
        (brand / "logo.png").write_bytes(png(64))
        (brand / "icon-512.png").write_bytes(png(512))
        jpeg(brand / "team.jpg", 96, 64)

        check_run(sandbox, run_examples(tmp_path, rest, env), env, secrets=[admin_password])

        pages = {page["slug"]: page["status"] for page in wordpress.get(auth, "/wp/v2/pages", status="publish,draft")}
        assert pages == {"home": "publish"}, "the last wordpress_pages example leaves one page: %s" % pages
        plugins = {item["plugin"]: item["status"] for item in wordpress.get(auth, "/wp/v2/plugins")}
        assert plugins.get("acme-forms/acme-forms") == "active", plugins
        assert plugins.get("acme-cache/acme-cache") == "inactive", plugins
        assert "hello-dolly/hello" not in plugins, plugins
        users = {user["slug"] for user in wordpress.get(auth, "/wp/v2/users", context="edit")}
        assert "marie" in users, users
    finally:
        wordpress.reset()  # leaves a fresh WordPress, as the other tests expect to find it
