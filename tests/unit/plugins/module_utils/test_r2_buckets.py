"""_r2_buckets: the validation of a bucket's CORS rules (the REST client runs against the emulator in
tests/unit/plugins/modules/test_r2_modules.py)."""

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._r2_buckets import (
    canonical_cors,
    cors_option_view,
    validate_cors_rules,
)


def test_cors_rules_become_the_apis_camel_case_and_back():
    option = [{"allowed_origins": ["HTTPS://Site.Test"], "allowed_methods": ["get", "HEAD"],
               "allowed_headers": ["range"], "expose_headers": ["etag"], "max_age_seconds": 600, "id": "site"}]
    api = validate_cors_rules(option)
    assert api == [{"allowed": {"origins": ["https://site.test"], "methods": ["GET", "HEAD"], "headers": ["range"]},
                    "exposeHeaders": ["etag"], "maxAgeSeconds": 600, "id": "site"}]
    assert cors_option_view(api) == [{"allowed_origins": ["https://site.test"], "allowed_methods": ["GET", "HEAD"],
                                      "allowed_headers": ["range"], "expose_headers": ["etag"],
                                      "max_age_seconds": 600, "id": "site"}]


def test_unset_suboptions_are_ignored_and_none_leaves_cors_unmanaged():
    rule = {"allowed_origins": ["*"], "allowed_methods": ["GET"], "allowed_headers": None, "expose_headers": None,
            "max_age_seconds": None, "id": None}
    assert validate_cors_rules([rule]) == [{"allowed": {"origins": ["*"], "methods": ["GET"]}}]
    assert validate_cors_rules(None) is None


def test_equal_cors_configurations_compare_equal_whatever_the_order_inside_a_rule():
    mine = validate_cors_rules([{"allowed_origins": ["https://b.test", "https://a.test"],
                                 "allowed_methods": ["HEAD", "GET"]}])
    theirs = [{"allowed": {"origins": ["https://a.test", "https://b.test"], "methods": ["GET", "HEAD"]}}]
    assert canonical_cors(mine) == canonical_cors(theirs)
    assert canonical_cors(mine) != canonical_cors([dict(theirs[0], maxAgeSeconds=60)])


@pytest.mark.parametrize("rule, field", [
    ({"allowed_origins": ["https://a.test"], "allowed_methods": ["PATCH"]}, "cors_rules[0].allowed_methods"),
    ({"allowed_origins": ["https://a.test"], "allowed_methods": []}, "cors_rules[0].allowed_methods"),
    ({"allowed_origins": ["a.test"], "allowed_methods": ["GET"]}, "cors_rules[0].allowed_origins"),
    ({"allowed_origins": ["https://a.test/path"], "allowed_methods": ["GET"]}, "cors_rules[0].allowed_origins"),
    ({"allowed_methods": ["GET"]}, "cors_rules[0].allowed_origins"),
    ({"allowed_origins": ["*"], "allowed_methods": ["GET"], "max_age_seconds": -1}, "cors_rules[0].max_age_seconds"),
    ({"allowed_origins": ["*"], "allowed_methods": ["GET"], "origin": "x"}, "cors_rules[0]"),
])
def test_invalid_cors_rules_name_the_field(rule, field):
    with pytest.raises(SpecError) as caught:
        validate_cors_rules([rule])
    assert caught.value.field == field


# --- objects ---------------------------------------------------------------------------------------
