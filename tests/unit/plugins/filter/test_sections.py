"""The filters of plugins/filter/sections.py: render_sections (the _blocks renderer for templates) and
deep_merge (a preset with the site's spec over it). They run on the controller, hence here and not beside
the module_utils tests."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fabrik.deploy.plugins.filter.sections import FilterModule, deep_merge, render_sections
from ansible_collections.fabrik.deploy.plugins.module_utils import _blocks


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"render_sections", "deep_merge", "domain_name"}


def test_render_sections_filter_matches_the_renderer_and_reports_errors():
    sections = [{"type": "text", "headline": "{{ site.title }}"}]
    assert render_sections(sections, {"site": {"title": "T"}}) == _blocks.render(sections, {"site": {"title": "T"}})
    with pytest.raises(AnsibleFilterError, match=r"render_sections: sections\[0\]\.type: one of"):
        render_sections([{"type": "nope"}])


def test_deep_merge_merges_pages_by_slug_and_menus_by_name():
    preset = {
        "theme": {"slug": "twentytwentythree", "colors": {"primary": "#000"}},
        "plugins": ["a", "b"],
        "pages": [{"slug": "home", "title": "Home", "sections": [{"type": "hero"}]},
                  {"slug": "about", "title": "About"}],
        "menus": [{"name": "Primary", "location": "primary", "items": [{"page": "home"}]}],
    }
    spec = {
        "theme": {"colors": {"secondary": "#fff"}},
        "plugins": ["c"],
        "pages": [{"slug": "about", "title": "About us"}, {"slug": "jobs", "title": "Jobs"}],
        "menus": [{"name": "Primary", "items": [{"page": "jobs"}]}],
    }
    merged = deep_merge(preset, spec)
    assert merged["theme"] == {"slug": "twentytwentythree", "colors": {"primary": "#000", "secondary": "#fff"}}
    assert merged["plugins"] == ["c"]
    assert [(page["slug"], page["title"]) for page in merged["pages"]] == [
        ("home", "Home"), ("about", "About us"), ("jobs", "Jobs")]
    assert merged["pages"][0]["sections"] == [{"type": "hero"}]
    assert merged["menus"] == [{"name": "Primary", "location": "primary", "items": [{"page": "jobs"}]}]
    assert preset["pages"][1]["title"] == "About"  # inputs untouched


def test_deep_merge_lets_the_spec_replace_scalars_and_remove_pages():
    merged = deep_merge({"pages": [{"slug": "team", "title": "Team"}], "tagline": "x"},
                        {"pages": [{"slug": "team", "state": "absent"}], "tagline": None})
    assert merged == {"pages": [{"slug": "team", "title": "Team", "state": "absent"}], "tagline": None}


@pytest.mark.parametrize("value, expected", [("Example.COM.", "example.com"), (" example.com ", "example.com"),
                                             ("example.com", "example.com")])
def test_domain_name_is_the_canonical_form_that_names_a_sites_objects(value, expected):
    assert FilterModule().filters()["domain_name"](value) == expected
