"""The preflight's validators: types as Ansible converts them, problems named by inventory variable, all at once."""

from pathlib import Path

import pytest
import yaml

from ansible_collections.fabrik.deploy.plugins.module_utils import _preflight
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._preflight_credentials import Refused, prove_credentials
from ansible_collections.fabrik.deploy.plugins.module_utils._types import check, describe, to_bool, to_float, to_int

REPO = Path(__file__).resolve().parents[4]


def argument_spec_options(role, entry="main"):
    """The options of a role's entry point, as the stage_argument_spec lookup gives them to the preflight (read here:
    under ansible-test units a module_utils test has no controller code to import)."""
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return specs[entry].get("options", {})


SPECS = {stage: argument_spec_options(*_preflight.STAGE_ROLES[stage]) for stage in _preflight.STAGES}
CONNECTIONS = {
    "cloudflare_api_token": "token", "cloudflare_account_id": "0123456789abcdef0123456789abcdef",
    "namecheap_api_user": "user", "namecheap_api_key": "key", "namecheap_client_ip": "192.0.2.1",
    "coolify_api_url": "https://coolify.example.com", "coolify_api_token": "1|token", "coolify_server": "main",
    "uptime_kuma_url": "https://status.example.com", "uptime_kuma_username": "admin", "uptime_kuma_password": "pw",
    "r2_access_key_id": "key", "r2_secret_access_key": "secret",
    "wordpress_url": "https://example.com", "wordpress_admin_password": "pw",
}


def problems_of(stages, tmp_path=None, errors=None, **variables):
    given = dict(CONNECTIONS, site_domain="example.com", wordpress_site={"title": "Example"},
                 inventory_dir=str(tmp_path or REPO))
    given.update(variables)
    _site, problems = _preflight.check_site(stages, given, {stage: SPECS[stage] for stage in _preflight.selected(stages)},
                                            errors, credentials=False, collection_dir=str(REPO))
    return [str(item) for item in problems.items]


# ------------------------------------------------------------------ types


@pytest.mark.parametrize("value, expected", [("123", 123), (" 60 ", 60), (60.0, 60), ("12.0", 12)])
def test_integers_as_ansible_converts_them(value, expected):
    assert to_int(value, "x") == expected


@pytest.mark.parametrize("value", ["abc", True, [1], "1.5"])
def test_what_is_no_integer_is_refused_by_its_kind(value):
    with pytest.raises(SpecError, match="^x: an integer expected, got "):
        to_int(value, "x")


@pytest.mark.parametrize("value, expected", [("yes", True), ("Off", False), ("1", True), (0, False), ("t", True)])
def test_booleans_as_ansible_converts_them(value, expected):
    assert to_bool(value, "x") is expected


def test_numbers_and_refusals():
    assert to_float("1.5", "x") == 1.5
    with pytest.raises(SpecError, match="true or false expected"):
        to_bool("maybe", "x")


def test_a_wrong_value_is_described_never_dumped():
    assert describe(list(range(300))) == "a list of 300 items"
    assert describe({"b": 1, "a": 2}) == "a mapping (keys: a, b)"
    assert describe("x" * 100).endswith('..."') and len(describe("x" * 100)) < 70
    problems = []
    assert check(["line"] * 300, {"type": "dict"}, "wordpress_site", problems) is None
    assert [str(p) for p in problems] == ["wordpress_site: a mapping expected, got a list of 300 items"]


def test_options_unknown_keys_required_keys_and_conversion():
    problems = []
    options = {"name": {"type": "str", "required": True}, "port": {"type": "int"}}
    assert check({"port": "80", "nmae": "x"}, {"type": "dict", "options": options}, "item", problems) == \
        {"name": None, "port": 80}
    assert sorted(str(p) for p in problems) == ["item.name: required", "item.nmae: unknown field; allowed: name, port"]


def test_a_role_variable_keeps_only_its_keys_a_module_option_gets_them_all():
    options = {"a": {"type": "str"}, "b": {"type": "int", "default": 3}}
    assert check({"a": "x"}, {"type": "dict", "options": options}, "v", [], fill=False) == {"a": "x"}
    assert check({"a": "x"}, {"type": "dict", "options": options}, "v", []) == {"a": "x", "b": 3}


def test_a_string_for_a_list_of_strings_splits_as_ansible_does_a_string_for_a_list_of_mappings_does_not():
    problems = []
    assert check("a, b", {"type": "list", "elements": "str"}, "v", problems) == ["a", "b"]
    assert check("MX mail", {"type": "list", "elements": "dict"}, "dns_extra_records", problems) is None
    assert str(problems[0]) == 'dns_extra_records: a list expected, got the string "MX mail"'


# ------------------------------------------------------------------ the site


def test_the_stage_roles_are_the_preflight_roles_list():
    defaults = yaml.safe_load((REPO / "roles" / "preflight" / "defaults" / "main.yml").read_text())
    assert {item["tag"]: (item["role"], item["entry"]) for item in defaults["preflight_stage_roles"]} == \
        _preflight.STAGE_ROLES


def test_a_valid_spec_has_no_problem_and_the_domain_is_canonical():
    site, problems = _preflight.check_site(["dns"], dict(CONNECTIONS, site_domain="Example.COM."), {"dns": SPECS["dns"]},
                                           credentials=False)
    assert not problems and site.domain == "example.com"


def test_every_problem_at_once_by_inventory_variable():
    extra = [{"type": "MX", "name": "@", "content": "mx.example.net"}]
    found = problems_of(["dns", "monitoring"], monitoring_interval="abc", dns_extra_records=extra,
                        dns_web_records=[], dns_records=extra, dns_zone_settings={"ssl": "maximum"},
                        monitoring_tag_color="blue")
    assert found == [
        "monitoring_interval: an integer expected, got the string \"abc\"",
        "dns_extra_records[0].priority: MX records need a priority",
        "dns_zone_settings.ssl: one of off, flexible, full, strict expected, got 'maximum'",
        "monitoring_tag_color: a colour as #rrggbb expected, got 'blue'",
    ]


def test_an_extra_var_string_for_an_integer_is_accepted():
    monitors = [{"name": "example.com", "type": "http", "url": "https://example.com", "interval": "123"}]
    assert problems_of(["monitoring"], monitoring_interval="123", monitoring_monitors=monitors) == []


def test_a_derived_variable_that_cannot_be_computed_is_left_out_when_its_input_is_wrong():
    errors = {"dns_records": 'can only concatenate list (not "str") to list'}
    assert problems_of(["dns"], errors=errors, dns_extra_records="oops") == [
        'dns_extra_records: a list expected, got the string "oops"']
    assert problems_of(["dns"], errors=errors)[0].startswith("dns_records: cannot be computed from ")


def test_site_domain_is_required_by_every_stage_but_wordpress():
    assert problems_of(["dns"], site_domain=None) == ["site_domain: required: the site's domain, for example example.com"]
    company = {"name": "Example Ltd", "email": "a@example.com", "address": "1 Street", "country": "France"}
    assert problems_of(["wordpress"], site_domain=None, wordpress_company=company) == []


def test_credentials_missing_name_their_variable_and_environment_variable():
    assert problems_of(["gate"], cloudflare_api_token="") == [
        "cloudflare_api_token: required: set it in the inventory (or a vault file) or export CLOUDFLARE_API_TOKEN"]
    site, problems = _preflight.check_site(["gate"], {"site_domain": "example.com"}, {"gate": SPECS["gate"]},
                                           environ={"CLOUDFLARE_API_TOKEN": "from-env"}, credentials=False)
    assert not problems and site.get("cloudflare_api_token") == "from-env"


def test_files_must_exist_inside_the_site_directories(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"x")
    assert problems_of(["storage"], tmp_path, storage_assets=[{"src": "logo.png", "key": "k"}]) == []
    assets = [{"src": "../../etc/passwd", "key": "k"}, {"src": "missing.png", "key": "m"}]
    found = problems_of(["storage"], tmp_path, storage_assets=assets)
    assert found[0].startswith("storage_assets[0].src: ../../etc/passwd is outside the site's directories")
    assert found[1].startswith("storage_assets[1].src: no such file: missing.png")
    outside = tmp_path.parent / ("outside-" + tmp_path.name)
    outside.mkdir()
    (outside / "logo.png").write_bytes(b"x")
    assert problems_of(["storage"], tmp_path, storage_assets=[{"src": str(outside / "logo.png"), "key": "k"}])
    assert problems_of(["storage"], tmp_path, storage_assets=[{"src": str(outside / "logo.png"), "key": "k"}],
                       site_files_dirs=[str(outside)]) == []


def test_compose_privileges_are_refused_unless_the_site_opts_in():
    compose = ("services:\n  web:\n    image: nginx:1.27\n    restart: always\n    healthcheck: {test: [CMD, x]}\n"
               "    privileged: true\n    network_mode: host\n")
    found = problems_of(["app"], app_compose=compose, app_urls=[], app_server="main")
    assert [line.split(";")[0] for line in found] == [
        "app_compose: house rule: services.web.privileged: a privileged container has every capability and device "
        "of the host",
        "app_compose: house rule: services.web.network_mode: network_mode: host shares the host's network stack "
        "(and bypasses the proxy)"]
    assert problems_of(["app"], app_compose=compose, app_urls=[], app_server="main",
                       app_compose_allow=["privileged", "host_network"]) == []


def test_wordpress_pages_menus_and_ids_named_where_they_were_written(tmp_path):
    content = tmp_path / "content.yml"
    content.write_text(yaml.safe_dump({"pages": [{"slug": "offer", "title": ""}]}))
    found = problems_of(["wordpress"], tmp_path, wordpress_content_file="content.yml",
                        wordpress_pages=[{"slug": "about", "title": "A", "sections": []},
                                         {"slug": "about", "title": "B", "sections": []}],
                        wordpress_menus=[{"name": "Main", "items": [{"page": "nosuch"}]}],
                        wordpress_analytics={"ga4_id": "UA-1"})
    assert found[0] == ("wordpress_pages[1].slug: 'about' is listed twice (also wordpress_pages[0]): the second "
                        "would replace the first")
    assert "wordpress_analytics.ga4_id: a GA4 measurement id like G-XXXXXXX expected, got 'UA-1'" in found
    found = problems_of(["wordpress"], tmp_path, wordpress_content_file="content.yml",
                        wordpress_menus=[{"name": "Main", "items": [{"page": "nosuch"}]}])
    assert "wordpress_content_file.pages[0].title: required for a present page" in found
    assert any(line.startswith("wordpress_menus[0].items[0].page: no page with slug 'nosuch'") for line in found)


def test_an_unknown_preset_and_a_missing_logo(tmp_path):
    found = problems_of(["wordpress"], tmp_path, wordpress_preset="nosuch", wordpress_brand={"logo": "logo.png"})
    assert found[0].startswith("wordpress_preset: one of company, landing, saas, ecommerce, content or the path")
    assert found[1].startswith("wordpress_brand.logo: no such file: logo.png")


def test_a_legal_page_condition_that_names_nothing_is_the_legal_pages_problem(tmp_path):
    (tmp_path / "notice.yml").write_text(yaml.safe_dump({"slug": "notice", "title": "Notice", "sections": [
        {"type": "legal", "parts": [{"heading": "Tax", "when": "taxes", "body": "VAT"}]}]}))
    found = problems_of(["wordpress"], tmp_path, wordpress_legal=["notice.yml"])
    assert found == ["wordpress_legal: legal page Tax: when: one of analytics, form, hosting or a placeholder such "
                     "as company.vat_id expected, got 'taxes'"], found


# ------------------------------------------------------------------ credentials


def test_credentials_are_proven_in_parallel_refusals_named_once_and_skipped_after_an_input_problem():
    calls = []

    def refused(field):
        def probe(site, check_mode=False):
            calls.append(field)
            raise Refused(field, "refused")
        return probe

    probes = {"cloudflare": (refused("cloudflare_api_token"), ("cloudflare_api_token",)),
              "r2": (refused("cloudflare_api_token"), ("cloudflare_api_token",)),
              "coolify": (lambda site, check_mode=False: "fine", ("coolify_api_token",))}
    site = _preflight.Site(["dns", "app", "storage"], {})
    site.domain = "example.com"
    problems = _preflight.Problems()
    prove_credentials(site, problems, probes=probes)
    assert [str(item) for item in problems.items] == ["cloudflare_api_token: refused"]
    assert site.facts["credentials"] == {"cloudflare": "refused", "r2": "refused", "coolify": "fine"}
    problems = _preflight.Problems()
    problems.add("coolify_api_token", "required")
    calls.clear()
    prove_credentials(site, problems, probes=probes)
    assert site.facts["credentials"]["coolify"].startswith("not proven")
