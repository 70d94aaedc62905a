"""Contract validation of emulator traffic against the vendor's OpenAPI document.

``ContractValidator`` checks every request/response pair an emulator handles
against the vendor's published spec (``tests/contracts/<vendor>/``, kept in the
repository with its source: ``tests/contracts/README.md``) with openapi-core, and reports each
mismatch through a callback (``Emulator.record_violation``).

* The spec is parsed and the validator built once, in a background thread that
  starts with the first exchange, so the sandbox starts at once.  Exchanges are
  validated by that same thread, off the request path (the framework queues an
  exchange once its response has been sent).  ``drain()`` waits until
  everything counted so far has been checked (``GET /_sandbox/violations``
  calls it first).
* Requests whose path or method the spec does not describe are skipped, unless
  a ``JsonSchemaRoute`` covers them (endpoints newer than the spec, checked
  against a hand-written JSON Schema instead).
* ``corrections`` are functions that patch the parsed spec before use, for
  upstream defects that would otherwise flag correct traffic.  One correction
  always applies: response keys written as lower-case ranges (``4xx``) are
  renamed to the upper-case form (``4XX``) that OpenAPI 3 defines and
  openapi-core matches; lower-case keys would otherwise never match and every
  error response would count as undocumented.

openapi-core and jsonschema are imported where they are first used (in the
worker thread): importing them costs ~0.4 s, which the launcher's start-up
should not wait for.
"""

import json
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.datastructures import Headers, ImmutableMultiDict

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = REPO_ROOT / "tests" / "contracts"
RANGE_KEY = re.compile(r"^[1-5]xx$")


def contract_path(vendor, filename):
    """Where a vendor's contract file lives: ``tests/contracts/<vendor>/`` in this repository."""
    return CONTRACTS_DIR / vendor / filename


def operations(spec):
    """Yield ``(path, method, operation)`` for every operation of a spec dict."""
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def uppercase_status_ranges(spec):
    """Rename ``4xx``-style response keys to ``4XX`` (the OpenAPI 3 spelling)."""
    for _path, _method, operation in operations(spec):
        responses = operation["responses"]
        for key in [k for k in responses if RANGE_KEY.match(k)]:
            responses[key.upper()] = responses.pop(key)


def nullable_as_type_union(spec):
    """OpenAPI 3.0's ``nullable: true`` in a 3.1 document: 3.1 ignores it, so add ``"null"`` to the type.

    Not applied by default: a 3.0 document (Cloudflare's) keeps its own meaning of the keyword.
    """
    def visit(node):
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if node.get("nullable") is True and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
                if "enum" in node:
                    node["enum"] = [*node["enum"], None]
            for value in node.values():
                visit(value)

    visit(spec)


def load_document(path):
    """Parse a spec file: YAML for ``.yaml``/``.yml`` (with libyaml when present: ~4x faster), else JSON."""
    text = path.read_text(encoding="utf-8")
    if path.suffix not in (".yaml", ".yml"):
        return json.loads(text)
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def resolve_pointer(document, ref):
    """The node a local reference (``#/components/schemas/x``) points at."""
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_local_refs(node, document, seen=()):
    """Replace each local ``$ref`` by a copy of its target; references in a cycle stay as they are.

    jsonschema looks a reference up on every visit; inlining them once at load
    makes each check about 1.6 times faster.  A ``$ref`` with sibling keywords
    is kept (OpenAPI 3.1 gives those siblings a meaning).
    """
    if isinstance(node, list):
        return [inline_local_refs(item, document, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and len(node) == 1 and ref not in seen:
        return inline_local_refs(resolve_pointer(document, ref), document, (*seen, ref))
    return {key: inline_local_refs(value, document, seen) for key, value in node.items()}


@dataclass
class Exchange:
    """A snapshot of one vendor request and the emulator's response."""

    method: str
    path: str  # full request path, base path included
    query: list  # [(name, value), ...]
    headers: dict
    body: bytes
    content_type: str
    status: int
    response_headers: dict
    response_body: bytes
    response_content_type: str


@dataclass
class JsonSchemaRoute:
    """A route absent from the spec, validated with plain JSON Schemas (Draft 2020-12)."""

    method: str
    path_pattern: str  # regular expression, full match against the request path
    request_schema: dict
    response_schema: dict

    def __post_init__(self):
        self._path = re.compile(self.path_pattern)

    def matches(self, method, path):
        return method == self.method and self._path.fullmatch(path) is not None


class _SpecRequest:
    """The openapi-core request protocol over an :class:`Exchange`."""

    def __init__(self, exchange, host_url):
        from openapi_core.datatypes import RequestParameters

        self.host_url = host_url
        self.path = exchange.path
        self.method = exchange.method.lower()
        self.body = exchange.body or None
        self.content_type = exchange.content_type
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(exchange.query), header=Headers(exchange.headers), cookie={})


class _SpecResponse:
    """The openapi-core response protocol over an :class:`Exchange`."""

    def __init__(self, exchange):
        self.status_code = exchange.status
        self.data = exchange.response_body
        self.content_type = exchange.response_content_type
        self.headers = Headers(exchange.response_headers)


def describe_error(error):
    """One line per problem: the openapi-core error plus the JSON Schema details behind it."""
    from jsonschema.exceptions import best_match

    lines = [f"{type(error).__name__}: {error}"]
    cause = error.__cause__
    for schema_error in getattr(cause, "schema_errors", ()) or ():
        detail = best_match(schema_error.context) if schema_error.context else schema_error
        lines.append(f"  at {detail.json_path}: {detail.message[:300]}")
    return "\n".join(lines)


class ContractValidator:
    """Validate exchanges against an OpenAPI document in a background thread."""

    def __init__(self, spec_path, on_violation, corrections=(), extra_routes=()):
        self.spec_path = Path(spec_path)
        if not self.spec_path.is_file():
            raise FileNotFoundError(
                f"contract {self.spec_path} not found (the vendor contracts live in tests/contracts/)")
        self.on_violation = on_violation
        self.corrections = (uppercase_status_ranges, *corrections)
        self.extra_routes = list(extra_routes)
        self.checked = 0
        self.seconds = 0.0
        self._app = None
        self._host_url = ""
        self._queue = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._pending = 0
        self._worker = None

    # -- public ------------------------------------------------------------

    def submit_later(self):
        """Count an exchange now, queue it later: returns the function that queues it.

        ``drain()`` waits for counted exchanges too, so a check cannot be missed
        between handing out a response and queueing its exchange.
        """
        with self._idle:
            if self._worker is None:
                self._start_worker()
            self._pending += 1
        return self._queue.put

    def drain(self, timeout=60.0):
        """Wait until every exchange counted so far has been validated; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def check(self, exchange):
        """Validate one exchange now; return a list of ``(kind, detail)`` problems."""
        for route in self.extra_routes:
            if route.matches(exchange.method, exchange.path):
                return self._check_json_schemas(route, exchange)
        return self._check_openapi(exchange)

    # -- worker ----------------------------------------------------------------

    def _start_worker(self):
        """Load the spec and start checking: on first use, so a server answers before it is loaded."""
        self._pending += 1
        self._queue.put(self._load)
        self._worker = threading.Thread(target=self._work, name=f"contract:{self.spec_path.name}", daemon=True)
        self._worker.start()

    def _work(self):
        while True:
            item = self._queue.get()
            try:
                if callable(item):
                    item()
                    continue
                started = time.perf_counter()
                problems = self.check(item)
                self.seconds += time.perf_counter() - started
                self.checked += 1
                for kind, detail in problems:
                    self.on_violation(kind, item.method, item.path, detail)
            except Exception as error:  # a validator crash must show up as a violation, not vanish
                self.on_violation("validator", getattr(item, "method", ""), getattr(item, "path", ""),
                                  f"{type(error).__name__}: {error}")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _load(self):
        from openapi_core import Config, OpenAPI

        spec = load_document(self.spec_path)
        for correct in self.corrections:
            correct(spec)
        spec["paths"] = inline_local_refs(spec["paths"], spec)
        server = urlsplit(spec.get("servers", [{"url": "/"}])[0]["url"])
        self._host_url = f"{server.scheme}://{server.netloc}" if server.netloc else "http://localhost"
        # The document was checked when it was extracted; skipping the meta-validation saves ~0.2 s.
        self._app = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))

    # -- checks ----------------------------------------------------------------

    def _check_openapi(self, exchange):
        from openapi_core.templating.paths.exceptions import PathError

        if self._app is None:
            return [("validator", f"spec {self.spec_path.name} could not be loaded")]
        request = _SpecRequest(exchange, self._host_url)
        problems = []
        for error in self._app.iter_request_errors(request):
            if isinstance(error, PathError):
                return []  # not a route of this spec
            problems.append(("request", describe_error(error)))
        for error in self._app.iter_response_errors(request, _SpecResponse(exchange)):
            problems.append(("response", describe_error(error)))
        return problems

    @staticmethod
    def _check_json_schemas(route, exchange):
        from jsonschema import Draft202012Validator

        problems = []
        for kind, raw, schema in (("request", exchange.body, route.request_schema),
                                  ("response", exchange.response_body, route.response_schema)):
            try:
                document = json.loads(raw or b"null")
            except ValueError as error:
                problems.append((kind, f"body is not JSON: {error}"))
                continue
            for error in Draft202012Validator(schema).iter_errors(document):
                problems.append((kind, f"at {error.json_path}: {error.message[:300]}"))
        return problems
