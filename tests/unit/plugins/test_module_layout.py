"""How every module is built (docs/developing.md): SPEC, run(ctx) and main() on the shared runner, no second
error path, no REST route of WordPress outside its client."""

import ast
from pathlib import Path

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_api import WordPressApi

REPO = Path(__file__).resolve().parents[3]
MODULES = sorted((REPO / "plugins" / "modules").glob("*.py"))
DOC_NAMES = {"DOCUMENTATION", "EXAMPLES", "RETURN"}


def code_of(path):
    """The module's AST without its documentation strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tree.body = [node for node in tree.body
                 if not (isinstance(node, ast.Assign) and any(getattr(target, "id", None) in DOC_NAMES
                                                              for target in node.targets))
                 and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    return tree


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.stem)
def test_a_module_is_spec_run_and_main_on_the_runner(path):
    tree = code_of(path)
    names = {node.targets[0].id for node in tree.body if isinstance(node, ast.Assign)} | {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"SPEC", "run", "main"} <= names
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    assert ast.unparse(main.body[0]) == "runner.main(AnsibleModule(**SPEC), run)"
    calls = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute)}
    assert not calls & {"fail_json", "exit_json"}, "fail by raising Failure, SpecError or ApiError"


@pytest.mark.parametrize("path", [path for path in MODULES if path.stem.startswith("wordpress_")],
                         ids=lambda path: path.stem)
def test_wordpress_modules_use_the_clients_typed_methods(path):
    routes = [node.value for node in ast.walk(code_of(path)) if isinstance(node, ast.Constant)
              and isinstance(node.value, str) and "/wp/v2" in node.value]
    assert routes == []


class Recorder(WordPressApi):
    """The typed methods over a client that records what it would send."""

    def __init__(self):
        self.calls = []

    def rest(self, method, route, operation, **kwargs):
        self.calls.append((method, route, operation, kwargs))
        return [{"stylesheet": "twentytwentyfour"}] if route == "/wp/v2/themes" else {}

    def list_all(self, route, operation, params=None):
        self.calls.append(("GET*", route, operation, params))
        return []

    def upload(self, route, filename, content_bytes, content_type, operation, params=None):
        self.calls.append(("UPLOAD", route, operation, {"filename": filename, "params": params}))
        return {}

    def connector(self, method, action, operation, json=None, params=None):
        self.calls.append((method, "connector:" + action, operation, {"json": json, "params": params}))
        return {}


def test_the_typed_methods_send_the_routes_and_operations_of_the_api():
    api = Recorder()
    assert api.active_theme(fields="stylesheet") == {"stylesheet": "twentytwentyfour"}
    api.create_page("about", {"title": "About"})
    api.update_page(7, "about", {"title": "About us"})
    api.trash_page(7, "about")
    api.save_menu(None, "Primary", {"name": "Primary"})
    api.save_menu_item(12, {"title": "Home"})
    api.delete_menu_item(12)
    api.save_navigation(None, {"title": "Primary"}, "save navigation Primary")
    api.set_plugin_status("akismet/akismet.php", "active")
    api.upload_media("logo.svg", b"<svg/>", "image/svg+xml", "upload logo", _fields="id")
    api.update_settings({"title": "T"}, "set site logo and icon")

    assert [call[:3] for call in api.calls] == [
        ("GET", "/wp/v2/themes", "read active theme"),
        ("POST", "/wp/v2/pages", "create page about"),
        ("POST", "/wp/v2/pages/7", "update page about"),
        ("DELETE", "/wp/v2/pages/7", "trash page about"),
        ("POST", "/wp/v2/menus", "save menu Primary"),
        ("POST", "/wp/v2/menu-items/12", "update menu item"),
        ("DELETE", "/wp/v2/menu-items/12", "delete menu item"),
        ("POST", "/wp/v2/navigation", "save navigation Primary"),
        ("PUT", "/wp/v2/plugins/akismet/akismet.php", "set plugin akismet/akismet.php active"),
        ("UPLOAD", "/wp/v2/media", "upload logo"),
        ("POST", "/wp/v2/settings", "set site logo and icon"),
    ]
    assert api.calls[0][3]["params"] == {"status": "active", "_fields": "stylesheet"}
    assert api.calls[1][3] == {"json": {"title": "About", "slug": "about"}, "params": {"context": "edit"}}
    assert api.calls[6][3] == {"params": {"force": "true"}}
