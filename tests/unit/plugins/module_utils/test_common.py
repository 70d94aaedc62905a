"""Shared module helpers: diff and change helpers, domain names (the error path is tested in test_runner.py)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils import _http
from ansible_collections.fabrik.deploy.plugins.module_utils._common import (
    SpecError,
    changed_fields,
    hostname_problem,
    sorted_for_diff,
    validate_domain_name,
    wait_for,
)

# Modules whose HTTP goes through module_utils/_http.py: one per service client (the Uptime Kuma modules
# use the uptime-kuma-api2 library and share _http's ApiError).
HTTP_MODULES = ("cloudflare_dns_records", "coolify_service", "namecheap_domain", "wordpress_pages",
                "wordpress_settings", "r2_bucket", "uptime_kuma_monitors")


def _import_modules_in_a_fresh_python(prelude="", then=""):
    # the folder holding ansible_collections/, as this test imported it (the checkout's collections/, or
    # the copy ansible-test units runs in)
    collections_root = Path(_http.__file__).parents[5]
    script = textwrap.dedent("""
        import importlib, json, sys
        %s
        for name in %r:
            importlib.import_module("ansible_collections.fabrik.deploy.plugins.modules." + name)
        loaded = sorted(name for name in ("requests", "urllib3", "certifi") if sys.modules.get(name) is not None)
        %s
        print(json.dumps(loaded))
    """) % (prelude, HTTP_MODULES, then)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                               env={"PYTHONPATH": str(collections_root)})
    return json.loads(completed.stdout)


def test_modules_import_requests_when_they_are_imported():
    # an action plugin imports its module in the controller's parent process, once, before the workers fork:
    # requests must be loaded then, not on each task's first request
    assert _import_modules_in_a_fresh_python() == ["certifi", "requests", "urllib3"]


def test_without_requests_the_modules_import_and_a_client_names_the_missing_library():
    # "import requests" raises ImportError in the child: the modules still import (ansible-doc, sanity), and a
    # client fails with Ansible's usual text for a missing library
    then = textwrap.dedent("""
        from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import CloudflareClient
        from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
        try:
            CloudflareClient("token")
        except ApiError as err:
            loaded.append(str(err))
    """)
    loaded = _import_modules_in_a_fresh_python('sys.modules["requests"] = None', then)
    assert loaded[:-1] == []
    assert loaded[-1].startswith("Cloudflare: Failed to import the required Python library (requests) on ")


# --- diff helpers ---------------------------------------------------------------------------------


def test_sorted_for_diff_orders_by_keys_and_sorts_dict_keys():
    items = [
        {"type": "TXT", "name": "example.com", "content": "v=spf1"},
        {"type": "A", "name": "www.example.com", "content": "192.0.2.1"},
        {"type": "A", "name": "example.com", "content": "192.0.2.1"},
    ]

    result = sorted_for_diff(items, ("type", "name"))

    assert [(item["type"], item["name"]) for item in result] == [
        ("A", "example.com"), ("A", "www.example.com"), ("TXT", "example.com")]
    assert list(result[0]) == ["content", "name", "type"]


def test_sorted_for_diff_copies_and_tolerates_mixed_and_missing_values():
    items = [{"k": "b", "nested": {"z": 1, "a": [3]}}, {"k": 2}, {"other": True}, {"k": {"x": 1}}]

    result = sorted_for_diff(items, "k")

    assert result == [{"other": True}, {"k": 2}, {"k": "b", "nested": {"a": [3], "z": 1}}, {"k": {"x": 1}}]
    result[2]["nested"]["a"].append(4)
    assert items[0]["nested"]["a"] == [3]


def test_changed_fields_reports_only_differing_desired_values():
    current = {"ssl": "full", "min_tls": "1.0", "cache": "basic", "tags": ["a"]}
    desired = {"ssl": "strict", "min_tls": "1.0", "tags": ["a", "b"], "http3": "on"}

    assert changed_fields(current, desired) == {"ssl": "strict", "tags": ["a", "b"], "http3": "on"}


def test_changed_fields_treats_none_as_leave_as_is():
    assert changed_fields({"ssl": "full"}, {"ssl": None, "min_tls": None}) == {}


def test_changed_fields_keeps_falsy_but_set_values():
    assert changed_fields({"enabled": True, "count": 3}, {"enabled": False, "count": 0}) == {
        "enabled": False, "count": 0}


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, normalized", [
    ("example.com", "example.com"),
    ("Sub.Example.COM.", "sub.example.com"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("a-b.co.uk", "a-b.co.uk"),
    ("%s.%s.com" % ("a" * 63, "b" * 63), "%s.%s.com" % ("a" * 63, "b" * 63)),
])
def test_validate_domain_name_accepts(value, normalized):
    assert validate_domain_name(value, "domain") == normalized


@pytest.mark.parametrize("value, expected_text", [
    ("localhost", "at least two labels"),
    ("-bad.com", "label \"-bad\""),
    ("bad-.com", "label \"bad-\""),
    ("under_score.com", "label \"under_score\""),
    ("double..dot.com", "label \"\""),
    ("%s.com" % ("a" * 64), "1..63"),
    (".".join(["abcdefghi"] * 26) + ".com", "at most 253"),
    ("bücher.de", "punycode"),
    ("192.0.2.1", "not all digits"),
    ("", "a domain name expected"),
    (42, "a domain name expected, got 42"),
])
def test_validate_domain_name_rejects_naming_the_field(value, expected_text):
    with pytest.raises(SpecError) as caught:
        validate_domain_name(value, "sites[0].domain")

    assert caught.value.field == "sites[0].domain"
    assert str(caught.value).startswith("sites[0].domain: ")
    assert expected_text in str(caught.value)


# --- hostname_problem: the one host name rule ------------------------------------------------------


@pytest.mark.parametrize("name, options", [
    ("example.com", {}),
    ("_dmarc.example.com", {}),
    ("s1._domainkey.example.com", {}),
    ("localhost", {}),
    ("*.example.com", {"wildcard": True}),
    ("xn--bcher-kva.example", {"underscores": False, "min_labels": 2}),
    ("a" * 63 + ".com", {}),
])
def test_hostname_problem_accepts(name, options):
    assert hostname_problem(name, **options) is None


@pytest.mark.parametrize("name, options, expected", [
    ("bücher.example", {}, "ASCII expected"),
    ("a" * 250 + ".com", {}, "at most 253 characters expected"),
    ("localhost", {"min_labels": 2}, "at least two labels"),
    ("-a.example.com", {}, 'hyphens or underscores expected, not starting or ending with a hyphen (label "-a")'),
    ("a-.example.com", {}, '(label "a-")'),
    ("a..example.com", {}, '(label "")'),
    ("a" * 64 + ".com", {}, "1..63"),
    ("_dmarc.example.com", {"underscores": False}, 'letters, digits or hyphens expected'),
    ("*.example.com", {}, '(label "*")'),
    ("www.*.example.com", {"wildcard": True}, "'*' only as the first label (label \"*\")"),
])
def test_hostname_problem_says_what_is_wrong(name, options, expected):
    assert expected in hostname_problem(name, **options)


def test_the_clients_share_the_host_name_rule():
    from ansible_collections.fabrik.deploy.plugins.module_utils import _cloudflare_records, _coolify, _namecheap

    with pytest.raises(SpecError, match=r"labels of 1\.\.63 letters, digits, hyphens or underscores"):
        _cloudflare_records.resolve_record_name("bad-", "example.com", "records[0].name")
    with pytest.raises(SpecError, match="a host name expected"):
        _namecheap.validate_nameservers(["ns1.example.net", "ns_-.example..net"])
    with pytest.raises(SpecError, match="an http.s. URL of a host"):
        _coolify.validate_url("https://-bad.example.com", "urls[0]")
    assert _coolify.validate_url("https://App.Example.com:3000", "urls[0]") == "https://app.example.com:3000"


# --- wait_for: the one wait loop ------------------------------------------------------------------


class Clock:
    """A clock that only moves when slept on."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_for_reads_until_done_sleeping_the_interval_between_reads():
    clock, reads = Clock(), iter(["pending", "pending", "active", "never read"])
    assert wait_for(lambda: next(reads), lambda value: value == "active", clock.now + 60, 10,
                    sleep=clock.sleep, clock=clock) == (True, "active")
    assert clock.sleeps == [10, 10]


def test_wait_for_checks_a_value_already_read_before_reading_again():
    clock, reads = Clock(), []
    assert wait_for(reads.append, lambda value: value == "active", clock.now + 60, 10, value="active",
                    sleep=clock.sleep, clock=clock) == (True, "active")
    assert reads == [] and clock.sleeps == []


def test_wait_for_gives_up_with_the_last_value_before_a_wait_past_the_deadline():
    clock, count = Clock(), iter(range(100))
    assert wait_for(lambda: next(count), lambda value: False, clock.now + 25, 10,
                    sleep=clock.sleep, clock=clock) == (False, 2)
    assert clock.sleeps == [10, 10]


def test_wait_for_gives_up_after_a_number_of_reads():
    clock, count = Clock(), iter(range(100))
    assert wait_for(lambda: next(count), lambda value: False, None, 5, tries=3,
                    sleep=clock.sleep, clock=clock) == (False, 2)
    assert clock.sleeps == [5, 5]
