"""Launcher of the sandbox: ``python -m tests.sandbox start|stop|status|run`` (run from the repo root).

* ``run``    serves every emulator from this process (one ``SharedState``), each
             on its own loopback port, until SIGTERM/SIGINT; writes
             ``sandbox.json`` (URLs and credentials) once all of them listen.
* ``start``  runs ``run`` in the background (own process group, output to
             ``sandbox.log``), waits until every emulator answers its control
             API, writes ``sandbox.pid`` and prints the URLs.  Refuses when a
             sandbox is already running or one of the ports already answers.
* ``stop``   terminates the process group named by ``sandbox.pid``; idempotent.
* ``status`` prints JSON (``running``, ``pid``, ``services`` with ``answering``);
             exit status 0 when running, 3 when not.

Ports: ``$FABRIK_SANDBOX_PORT_BASE`` (default 18400) + each service's offset.
State directory: ``$FABRIK_SANDBOX_DIR`` (default ``<repo>/.sandbox``).
To add an emulator, add a ``Service`` to ``SERVICES``.
"""

import argparse
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .base import SharedState
from .framework import SandboxApp, serve

REPO_ROOT = Path(__file__).resolve().parents[2]
PORT_BASE_ENV = "FABRIK_SANDBOX_PORT_BASE"
STATE_DIR_ENV = "FABRIK_SANDBOX_DIR"
DEFAULT_PORT_BASE = 18400
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
NOT_RUNNING = 3
EDGE_PORT_OFFSET = 8  # Coolify's edge: deployed resources answer there by Host header


def cloudflare_connection(root_url):
    from .cloudflare import BASE_PATH, SANDBOX_ACCOUNT_ID, SANDBOX_AUTH_EMAIL, SANDBOX_GLOBAL_KEY, SANDBOX_TOKEN

    return {"url": root_url + BASE_PATH, "api_token": SANDBOX_TOKEN, "account_id": SANDBOX_ACCOUNT_ID,
            "auth_email": SANDBOX_AUTH_EMAIL, "global_key": SANDBOX_GLOBAL_KEY}


def namecheap_connection(root_url):
    from .namecheap import API_KEY, API_USER, ENDPOINT

    return {"url": root_url + ENDPOINT, "api_user": API_USER, "api_key": API_KEY, "client_ip": "127.0.0.1"}


def coolify_connection(root_url):
    from .coolify import (BASE_PATH, DESTINATION_UUID, NODEPLOY_TOKEN, NOSENSITIVE_TOKEN, READ_TOKEN, ROOT_TOKEN,
                          SERVER_UUID)

    return {"url": root_url + BASE_PATH, "api_token": ROOT_TOKEN, "server_uuid": SERVER_UUID,
            "destination_uuid": DESTINATION_UUID,
            "tokens": {"root": ROOT_TOKEN, "read": READ_TOKEN, "nodeploy": NODEPLOY_TOKEN,
                       "nosensitive": NOSENSITIVE_TOKEN}}


def wordpress_connection(root_url):
    from .wordpress_front import connection

    return connection(root_url)


def uptime_kuma_connection(root_url):
    from .uptime_kuma import SANDBOX_PASSWORD, SANDBOX_USERNAME

    return {"url": root_url, "username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}


def r2_connection(root_url):
    from .cloudflare import SANDBOX_ACCOUNT_ID
    from .r2 import SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY

    return {"url": root_url, "account_id": SANDBOX_ACCOUNT_ID, "access_key_id": SANDBOX_ACCESS_KEY,
            "secret_access_key": SANDBOX_SECRET_KEY}


@dataclass(frozen=True)
class Service:
    name: str
    port_offset: int
    module: str  # module of this package holding the emulator class
    class_name: str
    connection: Callable[[str], dict]  # root URL -> its sandbox.json entry (URL, credentials)
    settings: dict = field(default_factory=dict)  # emulator.configure(**settings) at start


SERVICES = (
    Service("cloudflare", 1, "cloudflare", "CloudflareEmulator", cloudflare_connection),
    # The real API's 20 calls/minute and 700/hour would throttle day-to-day runs of the whole collection;
    # a test asks for them through POST /_sandbox/config (tests/sandbox/README.md, "Rate limits").
    Service("namecheap", 2, "namecheap", "NamecheapEmulator", namecheap_connection,
            settings={"rate_limit_per_minute": 600, "rate_limit_per_hour": 0}),
    Service("coolify", 3, "coolify", "CoolifyEmulator", coolify_connection),
    # Socket.IO; its mode (1.23 or 2.x) is set with POST /_sandbox/config {"version": ...}.
    Service("uptime_kuma", 4, "uptime_kuma", "UptimeKumaEmulator", uptime_kuma_connection),
    # moto's S3 server behind R2's differences; Cloudflare's R2 REST endpoints store their buckets here.
    Service("r2", 5, "r2", "R2Emulator", r2_connection),
    # A real WordPress (PHP on a private port, MariaDB on base + 7) behind the control API; fresh at start.
    Service("wordpress", 6, "wordpress_front", "WordPressFront", wordpress_connection),
)


# -- paths and processes ----------------------------------------------------------------

def port_base():
    raw = os.environ.get(PORT_BASE_ENV, str(DEFAULT_PORT_BASE))
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{PORT_BASE_ENV} must be a port number, got {raw!r}") from None


def state_dir():
    return Path(os.environ.get(STATE_DIR_ENV) or REPO_ROOT / ".sandbox")


def pid_file(directory):
    return directory / "sandbox.pid"


def json_file(directory):
    return directory / "sandbox.json"


def read_pid(directory):
    try:
        return int(pid_file(directory).read_text().strip())
    except (OSError, ValueError):
        return None


def is_sandbox_process(pid):
    """True when ``pid`` is alive (not a zombie) and is a ``tests.sandbox run`` process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state != "Z" and b"tests.sandbox" in cmdline and b"run" in cmdline


def port_answers(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def control_answers(control_url):
    try:
        with urllib.request.urlopen(control_url + "/requests", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def remove_state(directory):
    for path in (pid_file(directory), json_file(directory)):
        path.unlink(missing_ok=True)


def write_json(path, data):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(temporary, path)


# -- commands ----------------------------------------------------------------------------

def load_emulator_class(service):
    module_name = f"{__package__}.{service.module}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        print(f"warning: {module_name} not found, {service.name} is not served", file=sys.stderr)
        return None
    return getattr(module, service.class_name)


def run():
    directory, base = state_dir(), port_base()
    # Contract checks run in a background thread; a short switch interval hands the
    # interpreter back to request threads quickly (the default 5 ms adds up per request).
    sys.setswitchinterval(0.0005)
    directory.mkdir(parents=True, exist_ok=True)
    shared = SharedState()
    served = []
    services = {}
    for service in SERVICES:
        emulator_class = load_emulator_class(service)
        if emulator_class is None:
            continue
        emulator = emulator_class(shared)
        if service.settings:
            emulator.configure(**service.settings)
        app = SandboxApp(emulator)
        server = serve(app, base + service.port_offset)
        served.append((app, server))
        root = f"http://127.0.0.1:{server.server_port}"
        services[service.name] = {**service.connection(root), "control": root + "/_sandbox"}
        print(f"{service.name}: {services[service.name]['url']}", flush=True)
    serve_coolify_edge(shared, base, services, served)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    write_json(json_file(directory), {"services": services})
    stopping.wait()
    for app, server in served:
        app.close()
        server.shutdown()
        server.server_close()
    json_file(directory).unlink(missing_ok=True)
    return 0


def serve_coolify_edge(shared, base, services, served):
    """Serve Coolify's edge on ``base + 8`` (``coolify.edge`` in sandbox.json); its WordPress is the sandbox's."""
    emulator = shared.get("coolify")
    if emulator is None:
        return
    from .coolify import CoolifyEdge

    if "wordpress" in services:
        emulator.use_wordpress(services["wordpress"]["url"])
    edge = CoolifyEdge(emulator)
    served.append((edge, serve(edge, base + EDGE_PORT_OFFSET)))
    services["coolify"]["edge"] = f"http://127.0.0.1:{base + EDGE_PORT_OFFSET}"
    print(f"coolify edge: {services['coolify']['edge']}", flush=True)


def start():
    directory, base = state_dir(), port_base()
    directory.mkdir(parents=True, exist_ok=True)
    pid = read_pid(directory)
    if pid and is_sandbox_process(pid):
        print(f"the sandbox is already running (pid {pid}); stop it first", file=sys.stderr)
        return 1
    offsets = [s.port_offset for s in SERVICES] + [EDGE_PORT_OFFSET]
    busy = [base + offset for offset in offsets if port_answers(base + offset)]
    if busy:
        print(f"port(s) {', '.join(map(str, busy))} already answer: another sandbox or service uses them "
              f"(set {PORT_BASE_ENV} to use other ports)", file=sys.stderr)
        return 1
    remove_state(directory)
    log_path = directory / "sandbox.log"
    env = dict(os.environ, **{PORT_BASE_ENV: str(base), STATE_DIR_ENV: str(directory)})
    with open(log_path, "wb") as log:
        child = subprocess.Popen([sys.executable, "-m", "tests.sandbox", "run"], cwd=REPO_ROOT, env=env,
                                 stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    services = wait_until_ready(child, directory)
    if services is None:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        remove_state(directory)
        print(f"the sandbox did not start; its log ({log_path}):\n{log_path.read_text()[-4000:]}", file=sys.stderr)
        return 1
    pid_file(directory).write_text(f"{child.pid}\n")
    for name, service in services.items():
        print(f"{name:<12} {service['url']}  (control {service['control']})")
    print(f"credentials: {json_file(directory)}")
    return 0


def wait_until_ready(child, directory):
    """The services of ``sandbox.json`` once all answer; None if the child died or timed out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and child.poll() is None:
        try:
            services = json.loads(json_file(directory).read_text())["services"]
        except (OSError, ValueError, KeyError):
            services = None
        if services and all(control_answers(s["control"]) for s in services.values()):
            return services
        time.sleep(0.02)
    return None


def stop():
    directory = state_dir()
    pid = read_pid(directory)
    if pid and is_sandbox_process(pid):
        os.killpg(pid, signal.SIGTERM)
        if not wait_for_exit(pid, STOP_TIMEOUT):
            os.killpg(pid, signal.SIGKILL)
            wait_for_exit(pid, STOP_TIMEOUT)
        print(f"stopped the sandbox (pid {pid})")
    else:
        print("the sandbox is not running")
    remove_state(directory)
    return 0


def wait_for_exit(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_sandbox_process(pid):
            return True
        time.sleep(0.05)
    return False


def status():
    directory = state_dir()
    pid = read_pid(directory)
    running = bool(pid) and is_sandbox_process(pid)
    services = {}
    if running:
        try:
            services = json.loads(json_file(directory).read_text())["services"]
        except (OSError, ValueError, KeyError):
            services = {}
        for service in services.values():
            service["answering"] = control_answers(service["control"])
    print(json.dumps({"running": running, "pid": pid if running else None, "state_dir": str(directory),
                      "services": services}, indent=2))
    return 0 if running else NOT_RUNNING


COMMANDS = {"start": start, "stop": stop, "status": status, "run": run}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.sandbox", description="Local sandbox of emulated APIs.")
    parser.add_argument("command", choices=sorted(COMMANDS))
    return COMMANDS[parser.parse_args(argv).command]()


if __name__ == "__main__":
    sys.exit(main())
