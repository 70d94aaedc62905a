"""fabrik.deploy.theme_profile: the collection's theme profiles, parsed once when the filter file is loaded."""

from pathlib import Path

import yaml

from ansible_collections.fabrik.deploy.plugins.filter import themes

THEMES = Path(themes.__file__).resolve().parents[2] / "templates" / "themes"


def test_each_profile_of_the_collection_is_its_file():
    files = sorted(THEMES.glob("*.yml"))
    assert files
    assert sorted(themes.PROFILES) == [path.stem for path in files]
    for path in files:
        assert themes.theme_profile(path.stem) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_theme_without_a_profile_has_an_empty_one():
    for name in ("twentytwentyfour", "", None, "../themes/twentytwentyfive", "twentytwentyfive.yml"):
        assert themes.theme_profile(name) == {}


def test_each_use_gets_its_own_copy():
    first = themes.theme_profile("twentytwentyfive")
    first["colors"] = "changed"
    first.setdefault("parts", {}).clear()

    assert themes.theme_profile("twentytwentyfive") == yaml.safe_load(
        (THEMES / "twentytwentyfive.yml").read_text(encoding="utf-8"))


def test_the_filter_is_registered():
    assert themes.FilterModule().filters()["theme_profile"] is themes.theme_profile
