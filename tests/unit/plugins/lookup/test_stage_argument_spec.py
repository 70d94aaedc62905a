"""The stage_argument_spec lookup: the options of a role's entry point, as the preflight validates a stage."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleLookupError

from ansible_collections.fabrik.deploy.plugins.lookup.stage_argument_spec import argument_spec_options

REPO = Path(__file__).resolve().parents[4]


def test_the_options_of_a_role_entry_point():
    specs = yaml.safe_load((REPO / "roles" / "app" / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    assert argument_spec_options("app") == specs["main"]["options"]
    assert argument_spec_options("app", "verify") == specs["verify"].get("options", {})


def test_an_unknown_role_or_entry_point_names_the_known_ones():
    with pytest.raises(AnsibleLookupError, match=r"no role 'nosuch' in fabrik.deploy \(roles: .*app.*\)"):
        argument_spec_options("nosuch")
    with pytest.raises(AnsibleLookupError, match=r"role app has no entry point 'nosuch' \(entry points: .*main"):
        argument_spec_options("app", "nosuch")
