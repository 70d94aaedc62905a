"""docs/troubleshooting.md documents every error message the collection raises, and the guides' links work.

The messages are collected from the source, not from a list kept by hand: an AST scan of plugins/ finds
the texts given to ``Failure(msg)``, ``fail_json(msg=...)``, ``SpecError(field, message)``, ``ApiError(..., message=...)``
and the other error constructors and helpers, and the failure messages of the roles' and playbooks'
``ansible.builtin.fail`` / ``assert`` tasks. A message is documented when a code span of
docs/troubleshooting.md holds its fixed parts in order (``%s``-style and ``{{ }}`` placeholders may stand
for anything there, e.g. ``zone <name> not found``). A new message without an entry fails the test and
names it.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TROUBLESHOOTING = REPO / "docs" / "troubleshooting.md"
PYTHON_SOURCES = sorted(
    path for folder in ("module_utils", "modules", "filter", "inventory")
    for path in (REPO / "plugins" / folder).glob("*.py")
)
YAML_SOURCES = sorted([REPO / "site.yml", *(REPO / "playbooks").glob("*.yml"), *(REPO / "roles").glob("*/tasks/*.yml")])

# Callee name -> (position, keyword) of the message argument.
MESSAGE_ARGUMENTS = {
    "fail_json": (None, "msg"),
    "Failure": (0, "msg"),
    "SpecError": (1, "message"),
    "ApiError": (5, "message"),
    "CheckModeViolation": (5, "message"),
    "UptimeKumaError": (1, "message"),
    "_error": (1, "message"),            # UptimeKumaClient._error(operation, message)
    "error": (0, "message"),             # the HTTP layer's _Call.error(message)
    "unexpected_response": (2, "message"),
    "_gave_up": (1, "why"),
    "Refused": (1, "message"),           # the preflight's credential probes: Refused(variable, message)
}
# Any other callee ending like this is an exception whose first argument is its message.
EXCEPTION_SUFFIXES = ("Error", "Failed", "Exception")
# Lists collecting messages that end up in one failure (compose lint, site spec problems).
MESSAGE_LISTS = ("errors", "problems")
# Functions whose returned texts become (part of) a message.
MESSAGE_FUNCTIONS = re.compile(r"(_errors|_reason|_refusal|_problem)$")
# Wrappers that only redact or pass their first argument through.
PASS_THROUGH = {"redact", "_redact"}
# Message arguments that are not texts of this collection: the API's own words, an exception
# caught and passed on, Ansible's missing-library message. Anything else that the scan cannot read
# as a text must be added here on purpose (or, better, be a literal).
DYNAMIC_MESSAGES = {
    "str(err)", "err.message", "err", "command", "message", "reason", "str(err) or type(err).__name__",
    "missing_required_lib('requests')", "missing_required_lib('defusedxml')", "missing_required_lib('boto3')",
    "missing_required_lib(LIBRARY)",
    "_join_errors(envelope.get('errors')) or 'success is false'",
    "reply.get('msg') or 'refused without a message'",
    "page_message(response.text) or 'the installer refused the form'",
    "page_message(response.text) or 'no session cookie was set'",
    "_renamed(_renamed(err, 'dns_records', 'records'), 'site_domain', 'zone')",
    "_renamed(err, 'dns_zone_settings', 'settings')",
    "_renamed(err, 'storage_cors_rules', 'cors_rules')",
    "SpecError(name, 'required: set it in the inventory (or a vault file) or export %s' % env)",
    "self.redact(message)", "client.redact(message)", "self.redact(str(err))", "self._redact(message)",
    "verdict.message",  # the preflight: a credential probe's Refused(variable, message), scanned where raised
}
# %-placeholders, Jinja expressions and statements, regex back-references (\1) of the roles' messages.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrfgixX]|\{\{.*?\}\}|\{%.*?%\}|\\\d")
MIN_FRAGMENT_LETTERS = 3


def _callee(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _argument(call, position, keyword):
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _templates(node):
    """The texts an expression may produce, with ``%s`` for every part that is not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _templates(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        lefts, rights = _templates(node.left) or ["%s"], _templates(node.right) or ["%s"]
        return [left + right for left in lefts for right in rights]
    if isinstance(node, ast.JoinedStr):
        return ["".join(part.value if isinstance(part, ast.Constant) else "%s" for part in node.values)]
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in _templates(value)]
    if isinstance(node, ast.IfExp):
        return _templates(node.body) + _templates(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return [re.sub(r"\{[^{}]*\}", "%s", text) for text in _templates(node.func.value)]
    if isinstance(node, ast.Call) and _callee(node) in PASS_THROUGH and node.args:
        return _templates(node.args[0])
    return []


class _Scan:
    """Messages of one Python file: (line, text) pairs, and the expressions that are not texts."""

    def __init__(self, path):
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.functions = {node.name: node for node in ast.walk(self.tree) if isinstance(node, ast.FunctionDef)}
        self.parents = {child: parent for parent in ast.walk(self.tree) for child in ast.iter_child_nodes(parent)}
        self.messages, self.unresolved = [], []

    def run(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(target, ast.Attribute) and target.attr == "message" for target in targets):
                    self._add(node, node.value)
            elif isinstance(node, ast.FunctionDef) and MESSAGE_FUNCTIONS.search(node.name):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Return) and sub.value is not None:
                        values = sub.value.elts if isinstance(sub.value, ast.List) else [sub.value]
                        for value in values:
                            self.messages.extend((sub.lineno, text) for text in _templates(value))
        return self

    def _call(self, call):
        name = _callee(call)
        if name in MESSAGE_ARGUMENTS:
            message = _argument(call, *MESSAGE_ARGUMENTS[name])
            if message is None:
                return
            if name in ("SpecError", "Refused"):
                self._add(call, message, prefix=_argument(call, 0, "field"))
            elif name in ("fail_json", "Failure") and isinstance(message, ast.Name):
                self._add_name(call, message)
            else:
                self._add(call, message)
        elif name and name.endswith(EXCEPTION_SUFFIXES) and call.args:
            self._add(call, call.args[0])
        elif name == "append" and isinstance(call.func.value, ast.Name) and call.func.value.id in MESSAGE_LISTS \
                and call.args and _templates(call.args[0]):
            self._add(call, call.args[0])
        elif name == "add" and isinstance(call.func.value, ast.Name) and call.func.value.id == "problems" \
                and len(call.args) == 2:
            # The preflight's problems.add(variable, message)
            self._add(call, call.args[1], prefix=call.args[0])

    def _add(self, node, message, prefix=None):
        texts = _templates(message)
        if not texts:
            self.unresolved.append((node.lineno, ast.unparse(message)))
            return
        prefixes = [text + ": " for text in _templates(prefix)] if prefix is not None else [""]
        self.messages.extend((node.lineno, head + text) for head in prefixes or ["%s: "] for text in texts)

    def _add_name(self, call, name):
        """``Failure(refusal)``: the texts of the local function whose result the name holds."""
        scope = self.parents.get(call)
        while scope is not None and not isinstance(scope, ast.FunctionDef):
            scope = self.parents.get(scope)
        for node in ast.walk(scope) if scope is not None else []:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets) \
                    and isinstance(node.value, ast.Call) and _callee(node.value) in self.functions:
                function = self.functions[_callee(node.value)]
                for sub in ast.walk(function):
                    if isinstance(sub, ast.Return) and sub.value is not None:
                        self.messages.extend((sub.lineno, text) for text in _templates(sub.value))
                return
        self.unresolved.append((call.lineno, name.id))


def _yaml_messages(path):
    """Failure texts of ``ansible.builtin.fail`` / ``assert`` tasks, and the problem texts they join."""
    found = []

    def visit(node):
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            for key in ("ansible.builtin.fail", "ansible.builtin.assert"):
                args = node.get(key)
                if isinstance(args, dict):
                    found.append(str(args.get("msg") or args.get("fail_msg") or ""))
                    found.extend(_problem_texts(node.get("vars") or {}))
            for key in ("block", "rescue", "always", "tasks"):
                visit(node.get(key))

    visit(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [text for text in found if text.strip() and not text.strip().startswith("{{ _problems")]


def _problem_texts(task_vars):
    """The quoted ``'field: message'`` texts a ``_problems`` list is built from."""
    source = str(task_vars.get("_problems") or "")
    return re.findall(r"'([a-z_][\w.\\]*: [^'\[]*)", source)


def _fragments(text):
    """The fixed parts of a message, white space collapsed, without the ones that carry no words."""
    parts = (re.sub(r"\s+", " ", part).strip() for part in PLACEHOLDER.split(text.replace("%%", "%")))
    return [part for part in parts if sum(char.isalpha() for char in part) >= MIN_FRAGMENT_LETTERS]


def _code_spans(markdown):
    spans = re.findall(r"``(.+?)``|`([^`\n]+)`", markdown)
    return [re.sub(r"\s+", " ", double or single).strip() for double, single in spans]


def _documented(fragments, spans):
    pattern = re.compile(".*?".join(re.escape(fragment) for fragment in fragments))
    return any(pattern.search(span) for span in spans)


def collect_messages():
    """{(fragments...): [where, ...]} of every message of plugins/, roles/, site.yml and playbooks/."""
    messages = {}
    for path in PYTHON_SOURCES:
        for line, text in _Scan(path).run().messages:
            fragments = tuple(_fragments(text))
            if fragments:
                messages.setdefault(fragments, []).append("%s:%d %r" % (path.relative_to(REPO), line, text))
    for path in YAML_SOURCES:
        for text in _yaml_messages(path):
            fragments = tuple(_fragments(text))
            if fragments:
                messages.setdefault(fragments, []).append("%s %r" % (path.relative_to(REPO), text.strip()[:120]))
    return messages


def test_the_scan_finds_the_messages():
    """A scan that silently found nothing would make the documentation test pass vacuously."""
    messages = collect_messages()
    assert len(messages) > 200
    texts = [" ".join(fragments) for fragments in messages]
    for known in ("is still", "the API token lacks the", "refusing to send a mutating request in check mode",
                  "The compose file breaks", "is not available for registration",
                  "every asset needs a key and an existing src file"):
        assert any(known in text for text in texts), known


SAMPLE_MODULE = '''
def refusal(domain):
    if domain:
        return "%s is taken; set allow=true" % domain
    return None

def check(module, client, field):
    if not field:
        raise SpecError("records[%d].ttl" % 1, "1 (automatic) or %d..%d expected, got %s" % (60, 86400, 5))
    raise ApiError("Svc", "read", "GET", "/x", status=200, message="no result for %s in the answer" % field)
    errors.append("%s.ports: host ports are not allowed" % field)
    why = refusal(field)
    module.fail_json(msg=why)
    module.fail_json(msg="Zone %s is still %s after %d s" % (1, 2, 3))
    raise DeployFailed(f"deployment {field} ended")
    raise SpecError(field, client.text)
'''


def test_the_scan_reads_each_kind_of_message(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(SAMPLE_MODULE, encoding="utf-8")
    scan = _Scan(source).run()
    texts = sorted(text for _line, text in scan.messages)
    assert texts == sorted([
        "%s is taken; set allow=true",
        "records[%d].ttl: 1 (automatic) or %d..%d expected, got %s",
        "no result for %s in the answer",
        "%s.ports: host ports are not allowed",
        "Zone %s is still %s after %d s",
        "deployment %s ended",
    ])
    assert [source for _line, source in scan.unresolved] == ["client.text"]
    spans = _code_spans("| `Zone example.com is still pending after 600 s` | wait |\n"
                        "`records[2].ttl: 1 (automatic) or 60..86400 expected, got 5`")
    documented = {text for _line, text in scan.messages if _documented(tuple(_fragments(text)), spans)}
    assert documented == {"Zone %s is still %s after %d s", "records[%d].ttl: 1 (automatic) or %d..%d expected, got %s"}


def test_every_message_argument_is_a_text_or_known_to_be_dynamic():
    unresolved = []
    for path in PYTHON_SOURCES:
        for line, source in _Scan(path).run().unresolved:
            if source not in DYNAMIC_MESSAGES:
                unresolved.append("%s:%d %s" % (path.relative_to(REPO), line, source))
    assert not unresolved, (
        "error messages the scan cannot read as text: make them literals (with %-placeholders) or add the "
        "expression to DYNAMIC_MESSAGES when it is not the collection's own text:\n  " + "\n  ".join(unresolved))


def test_every_error_message_is_documented():
    spans = _code_spans(TROUBLESHOOTING.read_text(encoding="utf-8"))
    missing = [
        "%s\n      raised at %s" % (" ... ".join(fragments), ", ".join(where[:3]))
        for fragments, where in sorted(collect_messages().items()) if not _documented(fragments, spans)
    ]
    assert not missing, (
        "%d error message(s) have no entry in docs/troubleshooting.md (quote each in a code span, placeholders "
        "written as <something>, and say what to do):\n  %s" % (len(missing), "\n  ".join(missing)))


def test_the_matching_needs_the_fixed_parts_in_order():
    spans = ["zone <name> not found in account <id>"]
    assert _documented(tuple(_fragments("zone %s not found%s")), spans)
    assert not _documented(tuple(_fragments("zone %s is gone")), spans)
    assert not _documented(("not found", "zone"), spans)
    assert _fragments("%s: a value is required") == [": a value is required"]
    assert _fragments("{{ x }} did not answer {{ y }} after") == ["did not answer", "after"]


# -- README's module table -------------------------------------------------------------------------

def _short_descriptions():
    """{module name: short_description} of every module in plugins/modules."""
    found = {}
    for path in sorted((REPO / "plugins" / "modules").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
                found[path.stem] = yaml.safe_load(node.value.value)["short_description"]
    return found


def test_readme_lists_every_module_with_its_short_description():
    rows = dict(re.findall(r"^\| `([a-z0-9_]+)` \| (.+?) \|$", (REPO / "README.md").read_text(encoding="utf-8"), re.M))
    modules = _short_descriptions()
    assert len(modules) > 30
    assert {name: rows.get(name) for name in modules} == modules
    assert not set(rows) - set(modules) - {"domain", "dns", "gate", "app", "verify", "wordpress", "monitoring",
                                           "storage", "lint", "sanity", "unit", "integration", "molecule",
                                           "docs-lint", "compat", "build-check"}


# -- links ---------------------------------------------------------------------------------------

GUIDES = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|^\[[^\]]+\]:\s*(\S+)", re.M)


def _relative_links(path):
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for inline, reference in LINK.findall(text):
        target = (inline or reference).split("#", 1)[0]
        if target and not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            yield target


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: str(path.relative_to(REPO)))
def test_relative_links_point_to_existing_files(guide):
    broken = [target for target in _relative_links(guide) if not (guide.parent / target).exists()]
    assert not broken, "%s links to missing files: %s" % (guide.relative_to(REPO), ", ".join(broken))
