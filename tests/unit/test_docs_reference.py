"""tools/docs_reference.py: the generated site spec reference and the section type pages."""

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.fabrik.deploy.plugins.filter.sections import render_sections
from ansible_collections.fabrik.deploy.plugins.module_utils import _blocks

REPO = Path(__file__).resolve().parents[2]


def load_tool():
    spec = importlib.util.spec_from_file_location("docs_reference", REPO / "tools" / "docs_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs_reference = load_tool()


def test_site_spec_lists_every_option_of_every_entry_point():
    page = docs_reference.site_spec(docs_reference.Markup())
    for spec_file in sorted(REPO.glob("roles/*/meta/argument_specs.yml")):
        for entry, spec in yaml.safe_load(spec_file.read_text())["argument_specs"].items():
            for name, option in spec["options"].items():
                assert "| `%s` |" % name in page, (spec_file, entry, name)
                for field in option.get("options", {}):
                    assert "| `%s.%s` |" % (name, field) in page, (spec_file, entry, name, field)


def test_site_spec_takes_defaults_from_the_role_when_the_spec_has_none():
    page = docs_reference.site_spec(docs_reference.Markup())
    # dns_server_ip: no default in the argument spec, a Jinja default in roles/dns/defaults/main.yml
    assert "| `dns_server_ip` | `str` |   | `{{ site_server_ip \\| default('') }}` |" in page
    # a long default follows the table as written in defaults/main.yml
    assert "| `monitoring_monitors` | `list of dict` |   | see below the table |" in page
    assert "monitoring_monitors:\n  - name: \"{{ site_domain | fabrik.deploy.domain_name }}\"" in page


def test_sections_page_documents_every_section_type_with_the_filter_output():
    page = docs_reference.sections_page()
    headings = re.findall(r"^### (\S+)$", page, re.MULTILINE)
    assert headings == list(_blocks.SECTION_TYPES)
    for kind, (_summary, examples) in docs_reference.SECTION_DOCS.items():
        for example in examples:
            source = docs_reference.textwrap.dedent(example).strip("\n")
            markup = render_sections(yaml.safe_load(source), docs_reference.EXAMPLE_PLACEHOLDERS)
            assert "```yaml\n%s\n```" % source in page, kind
            assert "```html\n%s\n```" % markup in page, kind


def test_recorder_finds_kinds_and_required_fields_and_restores_the_renderers():
    original = _blocks.Fields.text
    source = "- {type: faq, items: [{question: Why, answer: Because.}]}"
    _sections, _markup, fields = docs_reference.render_example(source, None)
    assert fields["items"]["kind"] == "items" and fields["items"]["required"]
    assert fields["items[].question"] == {"kind": "text", "required": True}
    assert fields["items[].answer"] == {"kind": "long", "required": False}
    assert fields["headline"]["required"] is False
    assert _blocks.Fields.text is original


def test_a_section_type_without_documentation_fails(monkeypatch):
    monkeypatch.setitem(_blocks.SECTION_TYPES, "carousel", _blocks.SECTION_TYPES["gallery"])
    with pytest.raises(docs_reference.DocsError, match="undocumented.*carousel"):
        docs_reference.sections_page()


def test_an_example_that_leaves_out_a_field_the_renderer_reads_fails():
    with pytest.raises(docs_reference.DocsError, match="cta: the renderer reads buttons, text"):
        docs_reference.section_type("cta", "A call to action.", ["- {type: cta, headline: Hello}"])


def test_markdown_helpers_escape_table_cells():
    assert docs_reference.code("a | b", table=True) == "`a \\| b`"
    assert docs_reference.flow({"contact": {"page": "contact"}}) == "{contact: {page: contact}}"
    assert docs_reference.flow("") == '""'
    markup = docs_reference.Markup()
    text = markup.render("See M(fabrik.deploy.r2_bucket) and O(dns_prune=true), C(a|b).", table=True)
    assert text == "See [`fabrik.deploy.r2_bucket`](collection/r2_bucket_module.rst) and `dns_prune=true`, `a\\|b`."
    assert markup.links == {"collection/r2_bucket_module.rst"}
