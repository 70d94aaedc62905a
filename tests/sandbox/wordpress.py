"""A real WordPress for the sandbox: Debian's packages, PHP's built-in server, a private MariaDB.

Two WordPress versions, chosen with ``FABRIK_WORDPRESS_VERSION`` (or the ``version`` argument):

* ``6.8`` (the default, what production sites run): Debian 13's packages, unpacked by
  ``tools/wordpress-debian13`` (``make setup``) into ``<repo>/.cache/wordpress-debian13/root``, with
  Twenty Twenty-Five and Twenty Twenty-Three;
* ``6.1``: Debian 12's own ``/usr/share/wordpress`` (the compatibility version), with Twenty
  Twenty-One, -Two and -Three.

Both run on the system's PHP.

Nothing here touches the system's WordPress, web server or database: each sandbox lives in
its own state directory with

* ``docroot/``: a copy of the chosen WordPress tree with symlinks resolved (Debian's tree points
  into ``/usr/share/javascript``, ``/usr/share/php`` ...), a real writable ``wp-content/``
  holding the packaged themes, and the sandbox's own ``wp-config.php``;
* ``db/``: a MariaDB data directory, copied from ``db-template/`` (built once with
  ``mariadb-install-db``, holding the ``wordpress`` database and user);
* pid files and logs of ``mariadbd`` and ``php -S``, each started in its own process group;
* ``mail/``: every message WordPress sends (``wp_mail``), one file each: PHP's ``sendmail_path`` is
  ``wordpress/capture-mail``, which writes there instead of sending (:meth:`WordPressSandbox.mails`).

The fabrik connector (``files/connector``: the must-use plugin and its directory of parts) is not installed by
a start or reset: :func:`install_connector` copies it into ``wp-content/mu-plugins``, as the compose template
installs it on a real site.

A fresh start (or :meth:`WordPressSandbox.reset`) gives an un-installed WordPress;
:meth:`~WordPressSandbox.install` and :meth:`~WordPressSandbox.create_application_password`
drive the same HTTP forms a person would use.

Tenants: besides the default site at ``/``, ``/t/<tenant>/`` is another WordPress installed in
that sub-directory (``<tenant>`` a DNS-like name such as ``fleet-3.test``): the same files and
database, its own tables (prefix ``wp_t_<first 12 hex digits of sha256(tenant)>_``) and its own
``wp-content/tenants/<tenant>/plugins`` (the packaged plugins, copied by :meth:`~WordPressSandbox.create_tenant`)
and ``uploads``.  ``router.php`` and ``wp-config.php.in`` do the PHP side.  A tenant starts
un-installed, like the default site after a reset; a reset drops every tenant with the rest.

Manual use::

    python -m tests.sandbox.wordpress start|stop|reset|status \\
        --dir .sandbox/wordpress --port 18406 --db-port 18407
"""

import argparse
import email
import email.policy
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
VERSION_ENV = "FABRIK_WORDPRESS_VERSION"
DEBIAN13_DIR = REPO_ROOT / ".cache" / "wordpress-debian13"
# Version -> (its WordPress tree, the default theme the tests use on it, how to get the tree).
VERSIONS = {
    "6.8": (DEBIAN13_DIR / "root" / "usr" / "share" / "wordpress", "twentytwentyfive",
            "make wordpress-debian13 (part of make setup)"),
    "6.1": (Path("/usr/share/wordpress"), "twentytwentythree", "make system-packages (Debian 12's wordpress)"),
}
DEFAULT_VERSION = "6.8"
# Themes added to a version's tree: Debian 13 ships no classic theme, so 6.8 gets Debian 12's Twenty
# Twenty-One (a classic theme, for the tests of classic menus and theme mods).
EXTRA_THEMES = {"6.8": (Path("/usr/share/wordpress/wp-content/themes/twentytwentyone"),)}
STATIC_DIR = Path(__file__).resolve().parent / "wordpress"
ROUTER = STATIC_DIR / "router.php"
WP_CONFIG_TEMPLATE = STATIC_DIR / "wp-config.php.in"
MAIL_CAPTURE = STATIC_DIR / "capture-mail"
# The fabrik connector: the must-use plugin and the directory of parts it loads (files/connector/README.md).
CONNECTOR_DIR = REPO_ROOT / "files" / "connector"
CONNECTOR = CONNECTOR_DIR / "fabrik-connector.php"
CONNECTOR_PARTS = CONNECTOR_DIR / "fabrik-connector"

DB_NAME = "wordpress"
DB_USER = "wordpress"
DB_PASSWORD = "sandbox-wordpress-db-password"  # fixed and fake, as in wp-config.php.in

PHP_WORKERS = 4
PHP_SETTINGS = ("memory_limit=256M", "upload_max_filesize=64M", "post_max_size=64M",
                # OPcache is off for the CLI SAPIs by default; on, a request takes half the time (no
                # recompiling of WordPress). Timestamps are checked on every request: tests change PHP files.
                "opcache.enable_cli=1", "opcache.revalidate_freq=0")
# Small InnoDB files keep the data directory (and so each reset's copy) small.
MARIADB_SETTINGS = ("--innodb-log-file-size=8M", "--innodb-buffer-pool-size=64M", "--skip-name-resolve")
REQUIRED_PROGRAMS = ("php", "mariadbd", "mariadb-install-db", "rsync")

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
HTTP_TIMEOUT = 60.0
UNIX_SOCKET_PATH_MAX = 107

TENANT_PREFIX = "/t/"
# Same rule as FABRIK_SANDBOX_TENANT_PATTERN in router.php (which adds the 253-character limit).
TENANT_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
TENANT_NAME = re.compile(r"%s(?:\.%s)*" % (TENANT_LABEL, TENANT_LABEL))
TENANT_NAME_MAX = 253


class SandboxError(RuntimeError):
    """The sandbox WordPress could not be started, stopped or driven."""


def selected_version(version=None):
    """The WordPress version to run: ``version``, else ``$FABRIK_WORDPRESS_VERSION``, else 6.8."""
    version = version or os.environ.get(VERSION_ENV) or DEFAULT_VERSION
    if version not in VERSIONS:
        raise SandboxError("%s=%s: one of %s expected" % (VERSION_ENV, version, ", ".join(sorted(VERSIONS))))
    return version


def wordpress_source(version=None):
    """The WordPress tree of ``version`` (see :func:`selected_version`)."""
    return VERSIONS[selected_version(version)][0]


def default_theme(version=None):
    """The theme the tests use on ``version``: Twenty Twenty-Five on 6.8, Twenty Twenty-Three on 6.1."""
    return VERSIONS[selected_version(version)][1]


def wordpress_release(source):
    """The ``$wp_version`` of a WordPress tree (e.g. ``6.8.12``), or None."""
    try:
        match = re.search(r"\$wp_version = '([^']+)'", (source / "wp-includes" / "version.php").read_text())
    except OSError:
        return None
    return match.group(1) if match else None


def missing_requirements(version=None):
    """Names of the programs and paths the sandbox needs that this machine lacks."""
    missing = [name for name in REQUIRED_PROGRAMS if _find_program(name) is None]
    version = selected_version(version)
    source, _theme, how = VERSIONS[version]
    if not (source / "wp-settings.php").is_file():
        missing.append("%s (%s)" % (source, how))
    missing += ["%s (make system-packages)" % theme for theme in EXTRA_THEMES.get(version, ())
                if not (theme / "style.css").is_file()]
    return missing


def tenant_name_problem(name):
    """Why ``name`` is no valid tenant name (a DNS-like name such as ``fleet-3.test``), or None."""
    if not isinstance(name, str) or not name:
        return "a tenant name is required"
    if len(name) > TENANT_NAME_MAX or not TENANT_NAME.fullmatch(name):
        return ("tenant %r: a DNS-like name expected (dot-separated labels of 1-63 lower-case letters, digits "
                "and inner hyphens, at most %d characters)" % (name[:300], TENANT_NAME_MAX))
    return None


def tenant_of_path(path):
    """The tenant a request path addresses (``/t/<tenant>`` or ``/t/<tenant>/...``), not validated; else None."""
    if not path.startswith(TENANT_PREFIX):
        return None
    return path[len(TENANT_PREFIX):].split("/", 1)[0]


def tenant_table_prefix(name):
    """The table prefix of a tenant's WordPress (as ``wp-config.php.in`` computes it)."""
    return "wp_t_%s_" % hashlib.sha256(name.encode()).hexdigest()[:12]


def install_connector(mu_plugins_dir):
    """Copy the fabrik connector (its main file and its parts) into ``mu_plugins_dir``, replacing any older copy."""
    mu_plugins_dir = Path(mu_plugins_dir)
    shutil.copyfile(CONNECTOR, mu_plugins_dir / CONNECTOR.name)
    parts = mu_plugins_dir / CONNECTOR_PARTS.name
    _remove_tree(parts)
    shutil.copytree(CONNECTOR_PARTS, parts)


def remove_connector(mu_plugins_dir):
    """Remove the fabrik connector from ``mu_plugins_dir`` (a site without it)."""
    mu_plugins_dir = Path(mu_plugins_dir)
    (mu_plugins_dir / CONNECTOR.name).unlink(missing_ok=True)
    _remove_tree(mu_plugins_dir / CONNECTOR_PARTS.name)


def read_mails(mail_dir):
    """The messages captured in ``mail_dir`` (oldest first), each ``{to, from, reply_to, subject, body, headers}``."""
    files = sorted(Path(mail_dir).glob("*.eml"), key=lambda path: tuple(int(part) for part in path.stem.split("-")))
    messages = []
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain", "html")) if message.is_multipart() else message
        messages.append({
            "to": str(message.get("To", "")),
            "from": str(message.get("From", "")),
            "reply_to": str(message.get("Reply-To", "")),
            "subject": str(message.get("Subject", "")),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
            "headers": {key: str(value) for key, value in message.items()},
        })
    return messages


def _find_program(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def _port_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _read_pid(pid_file):
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _command_line(pid):
    try:
        return Path("/proc/%d/cmdline" % pid).read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _group_members(pgid):
    """Pids of live (non-zombie) processes in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _copy_tree(source, destination):
    subprocess.run(["cp", "-r", "--preserve=mode,timestamps", "--", str(source), str(destination)], check=True)


def _remove_tree(path):
    subprocess.run(["rm", "-rf", "--", str(path)], check=True)


def _mirror_wordpress(source, destination, extra_themes=()):
    """Make ``destination`` a pristine copy of the WordPress tree ``source``, symlinks resolved into real files.

    rsync transfers only what differs from the source (by size and modification time; the packaged
    files are old, so anything WordPress or a test wrote differs) and deletes what the source lacks:
    restoring a used copy takes a fraction of a second where a full copy takes seconds on a busy disk.
    Our own ``wp-config.php`` is kept (rewritten at each start); Apache's ``.htaccess`` is left out
    (``router.php`` does its work). ``extra_themes`` (theme directories) are copied into ``wp-content/themes``.
    """
    kept = ["--exclude=/wp-content/themes/%s" % theme.name for theme in extra_themes]
    subprocess.run(
        [
            "rsync", "--archive", "--copy-links", "--delete",
            "--exclude=/wp-config.php", "--exclude=/.htaccess", *kept,
            "%s/" % source, "%s/" % destination,
        ],
        check=True,
    )
    for theme in extra_themes:
        subprocess.run(["rsync", "--archive", "--copy-links", "--delete", "%s/" % theme,
                        "%s/wp-content/themes/%s/" % (destination, theme.name)], check=True)
    for name in ("mu-plugins", "uploads", "upgrade"):
        (destination / "wp-content" / name).mkdir(exist_ok=True)


def _socket_path(state_dir, name):
    """Where MariaDB's Unix socket goes: in the state directory, unless a clone's deep path would
    make it longer than a socket address can be (107 bytes); then in a private directory under the
    system's temporary directory, named after the state directory (clients use TCP: nothing but
    mariadbd itself needs the socket)."""
    inside = state_dir / name
    if len(str(inside).encode()) <= UNIX_SOCKET_PATH_MAX:
        return inside
    digest = hashlib.sha256(str(state_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / ("fabrik-sandbox-%d-%s" % (os.getuid(), digest)) / name


class _Service:
    """One server process of the sandbox, started in its own process group, tracked by a pid file."""

    def __init__(self, name, port, state_dir):
        self.name = name
        self.port = port
        self.state_dir = state_dir
        self.pid_file = state_dir / (name + ".pid")
        self.log_file = state_dir / (name + ".log")
        self._process = None  # the Popen when this Python process started it (to reap it)

    def process_group(self):
        """This service's process group id while it has live processes, else None.

        A group recorded by another Python process counts only when one of its members runs on this
        state directory (a stale pid file may name an unrelated process by now).  A freshly spawned
        process's /proc cmdline can read empty for a moment, so our own spawn is trusted as is.
        """
        if self._process is not None:
            pgid = self._process.pid
            return pgid if _group_members(pgid) else None
        pgid = _read_pid(self.pid_file)
        if pgid is None:
            return None
        if any("%s/" % self.state_dir in _command_line(pid) for pid in _group_members(pgid)):
            return pgid
        return None

    def is_running(self):
        return self.process_group() is not None

    def refuse_busy_port(self):
        if _port_answers(self.port):
            raise SandboxError(
                "%s: port %d on 127.0.0.1 already answers and is not this sandbox's; "
                "stop whatever listens there or choose another port" % (self.name, self.port)
            )

    def spawn(self, argv, env=None):
        with open(self.log_file, "ab") as log:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self.pid_file.write_text("%d\n" % self._process.pid)

    def wait_until_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while not _port_answers(self.port):
            if not self.is_running() or time.monotonic() > deadline:
                self.stop(graceful=False)
                raise SandboxError("%s did not start on port %d; see %s" % (self.name, self.port, self.log_file))
            time.sleep(0.02)

    def stop(self, graceful=True):
        """Signal the whole process group (SIGTERM, or SIGKILL when not graceful) and wait until it is gone."""
        pgid = self.process_group()
        if pgid is not None:
            self._signal_group(pgid, signal.SIGTERM if graceful else signal.SIGKILL)
            self._wait_group_gone(pgid)
        if self._process is not None:
            self._process.wait(timeout=STOP_TIMEOUT)
            self._process = None
        self.pid_file.unlink(missing_ok=True)

    @staticmethod
    def _signal_group(pgid, signum):
        try:
            os.killpg(pgid, signum)
        except ProcessLookupError:
            pass

    def _wait_group_gone(self, pgid):
        deadline = time.monotonic() + STOP_TIMEOUT
        while _group_members(pgid):
            if time.monotonic() > deadline:
                self._signal_group(pgid, signal.SIGKILL)
                deadline = time.monotonic() + STOP_TIMEOUT
            if self._process is not None:
                self._process.poll()  # reap the group leader so it does not linger as a zombie
            time.sleep(0.02)


class WordPressSandbox:
    """A real WordPress on ``127.0.0.1:port`` backed by a private MariaDB on ``127.0.0.1:db_port``."""

    def __init__(self, state_dir, port, db_port, version=None):
        self.version = selected_version(version)
        self.source = wordpress_source(self.version)
        self.state_dir = Path(state_dir).resolve()
        self.port = int(port)
        self.db_port = int(db_port)
        self.docroot = self.state_dir / "docroot"
        self.datadir = self.state_dir / "db"
        self.db_template = self.state_dir / "db-template"
        self.db_socket = _socket_path(self.state_dir, "mariadbd.sock")
        self.version_file = self.state_dir / "wordpress-version"
        self.mail_dir = self.state_dir / "mail"
        self.mariadb = _Service("mariadbd", self.db_port, self.state_dir)
        self.php = _Service("php", self.port, self.state_dir)
        self._tenant_lock = threading.Lock()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def admin_url(self):
        return self.url + "/wp-admin/"

    @property
    def mu_plugins_dir(self):
        """``wp-content/mu-plugins`` of the sandbox's WordPress: PHP files dropped there load on every request."""
        return self.docroot / "wp-content" / "mu-plugins"

    @property
    def tenants_dir(self):
        """``wp-content/tenants``: one directory per tenant (its plugins and uploads)."""
        return self.docroot / "wp-content" / "tenants"

    def site_url(self, tenant=None):
        """The URL of the default site, or of ``tenant``'s site (``<url>/t/<tenant>``)."""
        if tenant is None:
            return self.url
        problem = tenant_name_problem(tenant)
        if problem:
            raise SandboxError(problem)
        return self.url + TENANT_PREFIX + tenant

    def mails(self):
        """Every message WordPress sent since the last reset (:func:`read_mails`), oldest first."""
        return read_mails(self.mail_dir)

    def clear_mails(self):
        _remove_tree(self.mail_dir)
        self.mail_dir.mkdir(parents=True)

    def tenant_dir(self, tenant):
        problem = tenant_name_problem(tenant)
        if problem:
            raise SandboxError(problem)
        return self.tenants_dir / tenant

    def has_tenant(self, tenant):
        """True once ``tenant`` was created (and no reset came since)."""
        return tenant_name_problem(tenant) is None and (self.tenants_dir / tenant).is_dir()

    def tenants(self):
        """Names of the tenants created since the last reset, sorted."""
        try:
            return sorted(entry.name for entry in self.tenants_dir.iterdir()
                          if entry.is_dir() and tenant_name_problem(entry.name) is None)
        except FileNotFoundError:
            return []

    def create_tenant(self, tenant):
        """Give ``tenant`` its directories (the packaged plugins, an empty uploads); no-op when it exists.

        Its tables need no creating: WordPress finds none with the tenant's prefix, so the site shows
        its installer, exactly like the default site after a reset.  The directory appears at once
        (built aside, then renamed), so concurrent first requests never see half a tenant.
        """
        directory = self.tenant_dir(tenant)
        with self._tenant_lock:
            if directory.is_dir():
                return False
            building = self.tenants_dir / (".building-" + tenant)
            _remove_tree(building)
            shutil.copytree(self.source / "wp-content" / "plugins", building / "plugins")
            (building / "uploads").mkdir()
            building.rename(directory)
            return True

    def is_running(self):
        return self.mariadb.is_running() and self.php.is_running()

    def start(self):
        """Start what is not running yet; a missing docroot or data directory is created fresh (un-installed)."""
        missing = missing_requirements(self.version)
        if missing:
            raise SandboxError("WordPress sandbox needs: %s (run make setup: bindep.txt lists them)" % ", ".join(missing))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        stopped = [service for service in (self.mariadb, self.php) if not service.is_running()]
        recorded = self._recorded_version()
        if self.docroot.is_dir() and recorded != self.version:
            if len(stopped) < 2:
                raise SandboxError("this state directory runs WordPress %s; stop it before starting %s"
                                   % (recorded or "of another version", self.version))
            # Another version's files and database: start from scratch (a database installed by 6.8
            # does not suit 6.1).
            _remove_tree(self.datadir)
            _mirror_wordpress(self.source, self.docroot, EXTRA_THEMES.get(self.version, ()))
            self.version_file.write_text(self.version + "\n")
        for service in stopped:
            service.refuse_busy_port()
        if self.mariadb in stopped:
            self._start_mariadb()
        if self.php in stopped:
            self._start_php()

    def stop(self, graceful=True):
        """Stop PHP's server and MariaDB (whole process groups) and wait until they are gone."""
        self.php.stop(graceful)
        self.mariadb.stop(graceful)

    def reset(self):
        """Back to a fresh, un-installed WordPress: new data directory, pristine WordPress tree, no tenants."""
        self.stop(graceful=False)  # the data is thrown away, so no clean shutdown is needed
        _remove_tree(self.datadir)
        _mirror_wordpress(self.source, self.docroot, EXTRA_THEMES.get(self.version, ()))
        self.version_file.write_text(self.version + "\n")
        self.clear_mails()
        self.start()

    def _recorded_version(self):
        """The version this state directory's files were copied from (None before the first copy)."""
        try:
            return self.version_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def _start_mariadb(self):
        self.db_socket.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.datadir.is_dir():
            self._ensure_db_template()
            _copy_tree(self.db_template, self.datadir)
        self.mariadb.spawn(
            [
                _find_program("mariadbd"),
                "--no-defaults",
                *self._run_as_root_option(),
                "--datadir=%s" % self.datadir,
                "--tmpdir=%s" % self._db_tmpdir(),
                "--socket=%s" % self.db_socket,
                "--port=%d" % self.db_port,
                "--bind-address=127.0.0.1",
                "--skip-networking=0",
                "--pid-file=%s" % self.mariadb.pid_file,
                "--log-error=%s" % self.mariadb.log_file,
                *MARIADB_SETTINGS,
            ]
        )
        self.mariadb.wait_until_listening()

    def _ensure_db_template(self):
        """Build, once per state directory, a data directory holding the ``wordpress`` database and user."""
        if self.db_template.is_dir():
            return
        building = self.state_dir / "db-template.building"
        _remove_tree(building)
        init_sql = self.state_dir / "db-init.sql"
        init_sql.write_text(
            # bootstrap mode starts without grant tables; FLUSH PRIVILEGES loads them so CREATE USER works
            "FLUSH PRIVILEGES;\n"
            "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n"
            "CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY '%s';\n"
            "GRANT ALL PRIVILEGES ON %s.* TO '%s'@'127.0.0.1';\n" % (DB_NAME, DB_USER, DB_PASSWORD, DB_NAME, DB_USER)
        )
        result = subprocess.run(
            [
                _find_program("mariadb-install-db"),
                "--no-defaults",
                *self._run_as_root_option(),
                "--datadir=%s" % building,
                "--tmpdir=%s" % self._db_tmpdir(),
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--extra-file=%s" % init_sql,
                *MARIADB_SETTINGS,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SandboxError("mariadb-install-db failed: %s" % (result.stdout + result.stderr).strip()[-2000:])
        building.rename(self.db_template)

    def _db_tmpdir(self):
        """MariaDB's temporary files in the state directory: not in /tmp, shared with every other process."""
        tmpdir = self.state_dir / "db-tmp"
        tmpdir.mkdir(parents=True, exist_ok=True)
        return tmpdir

    @staticmethod
    def _run_as_root_option():
        return ["--user=root"] if os.geteuid() == 0 else []

    def _start_php(self):
        if not self.docroot.is_dir():
            _mirror_wordpress(self.source, self.docroot, EXTRA_THEMES.get(self.version, ()))
            self.version_file.write_text(self.version + "\n")
        self._write_wp_config()
        # PHP runs sendmail_path through the shell: quoted, the state directory may hold any character.
        sendmail = "sendmail_path=%s %s" % (shlex.quote(str(MAIL_CAPTURE)), shlex.quote(str(self.mail_dir)))
        settings = [arg for setting in PHP_SETTINGS + (sendmail,) for arg in ("-d", setting)]
        env = dict(os.environ, PHP_CLI_SERVER_WORKERS=str(PHP_WORKERS))
        self.php.spawn(
            [_find_program("php"), *settings, "-S", "127.0.0.1:%d" % self.port, "-t", str(self.docroot), str(ROUTER)],
            env=env,
        )
        self.php.wait_until_listening()

    def _write_wp_config(self):
        config = WP_CONFIG_TEMPLATE.read_text()
        config = config.replace("@SITE_URL@", self.url).replace("@DB_PORT@", str(self.db_port))
        (self.docroot / "wp-config.php").write_text(config)

    def is_installed(self, tenant=None):
        """True once WordPress is installed (before that, every front-end request redirects to the installer)."""
        response = requests.get(self.site_url(tenant) + "/", params={"rest_route": "/"}, allow_redirects=False,
                                timeout=HTTP_TIMEOUT)
        return response.status_code == 200

    def install(self, title, admin_user, admin_password, admin_email, tenant=None):
        """Run WordPress's installer form (``/wp-admin/install.php?step=2``) on the un-installed site (or tenant)."""
        if tenant is not None:
            self.create_tenant(tenant)  # the front does it at the first request; PHP's server alone does not
        if self.is_installed(tenant):
            raise SandboxError("WordPress is already installed; reset() first")
        response = requests.post(
            self.site_url(tenant) + "/wp-admin/install.php",
            params={"step": "2"},
            data={
                "weblog_title": title,
                "user_name": admin_user,
                "admin_password": admin_password,
                "admin_password2": admin_password,
                "pw_weak": "1",
                "admin_email": admin_email,
                "blog_public": "0",
                "language": "",
            },
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code != 200 or not self.is_installed(tenant):
            raise SandboxError(
                "WordPress install failed: HTTP %d: %s" % (response.status_code, _page_message(response.text))
            )

    def create_application_password(self, user, password, name, tenant=None):
        """Log in with ``user``/``password`` (cookie + REST nonce) and create an application password; returns it."""
        site = self.site_url(tenant)
        session = requests.Session()
        session.cookies.set("wordpress_test_cookie", "WP Cookie check")
        login = session.post(
            site + "/wp-login.php",
            data={"log": user, "pwd": password, "testcookie": "1", "redirect_to": site + "/wp-admin/"},
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        if not any(cookie.startswith("wordpress_logged_in_") for cookie in session.cookies.keys()):
            raise SandboxError("WordPress login as %r failed: HTTP %d" % (user, login.status_code))
        nonce = session.get(
            site + "/wp-admin/admin-ajax.php", params={"action": "rest-nonce"}, timeout=HTTP_TIMEOUT
        )
        if nonce.status_code != 200 or not nonce.text.strip():
            raise SandboxError("WordPress REST nonce request failed: HTTP %d" % nonce.status_code)
        created = session.post(
            site + "/",
            params={"rest_route": "/wp/v2/users/me/application-passwords"},
            json={"name": name},
            headers={"X-WP-Nonce": nonce.text.strip()},
            timeout=HTTP_TIMEOUT,
        )
        if created.status_code != 201:
            raise SandboxError(
                "creating application password failed: HTTP %d: %s" % (created.status_code, created.text[:500])
            )
        return created.json()["password"]

    def info(self):
        """What ``sandbox.json`` records about this WordPress (the DB password is the fixed, fake sandbox one)."""
        return {
            "url": self.url,
            "admin_url": self.admin_url,
            "port": self.port,
            "db_port": self.db_port,
            "db_name": DB_NAME,
            "db_user": DB_USER,
            "db_password": DB_PASSWORD,
            "version": self.version,
            "wordpress_version": wordpress_release(self.source),
            "default_theme": default_theme(self.version),
            "source": str(self.source),
            "state_dir": str(self.state_dir),
            "docroot": str(self.docroot),
            "mu_plugins_dir": str(self.mu_plugins_dir),
            "mail_dir": str(self.mail_dir),
            "tenants": [{"name": name, "url": self.site_url(name), "table_prefix": tenant_table_prefix(name),
                         "dir": str(self.tenants_dir / name)} for name in self.tenants()],
            "php_log": str(self.php.log_file),
            "mariadb_log": str(self.mariadb.log_file),
        }


def _page_message(html):
    """The first error/message paragraph of a WordPress page, as plain text."""
    match = re.search(r'<p class="message">(.*?)</p>', html, re.S) or re.search(r"<p>(.*?)</p>", html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else "no message"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.sandbox.wordpress", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "reset", "status"))
    parser.add_argument("--dir", default=".sandbox/wordpress", help="state directory (default: %(default)s)")
    parser.add_argument("--port", type=int, default=18406, help="WordPress HTTP port (default: %(default)s)")
    parser.add_argument("--db-port", type=int, default=18407, help="MariaDB port (default: %(default)s)")
    parser.add_argument("--version", choices=sorted(VERSIONS), help="WordPress version (default: $%s or %s)"
                        % (VERSION_ENV, DEFAULT_VERSION))
    args = parser.parse_args(argv)
    try:
        sandbox = WordPressSandbox(args.dir, args.port, args.db_port, args.version)
    except SandboxError as err:
        sys.stderr.write("error: %s\n" % err)
        return 1
    actions = {"start": sandbox.start, "stop": sandbox.stop, "reset": sandbox.reset, "status": lambda: None}
    try:
        actions[args.command]()
    except SandboxError as err:
        sys.stderr.write("error: %s\n" % err)
        return 1
    status = dict(sandbox.info(), running=sandbox.is_running())
    sys.stdout.write(json.dumps(status, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
