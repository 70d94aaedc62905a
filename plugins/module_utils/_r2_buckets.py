# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloudflare R2 buckets: their REST API (buckets, storage class, CORS) and the validation of their options.

Buckets and their CORS rules are managed through Cloudflare's REST API, with the Cloudflare API token;
objects go through R2's S3 endpoint with the R2 key pair (``_r2.py``).
"""

from __future__ import annotations

import json
import re

from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import CloudflareClient, error_codes
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

PAGE_SIZE = 1000
NO_BUCKET_CODE = 10006
BUCKET_EXISTS_CODE = 10073
LOCATION_HINTS = ("apac", "eeur", "enam", "weur", "wnam", "oc")
STORAGE_CLASSES = ("Standard", "InfrequentAccess")
CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
MAX_CORS_AGE = 86400


def bucket_client_for(ctx):
    """The Cloudflare client for bucket management; requires ``api_token`` and ``account_id``."""
    params = ctx.params
    if not (params["api_token"] or "").strip():
        raise SpecError("api_token", "a Cloudflare API token with R2 permissions is required "
                        "(or CLOUDFLARE_API_TOKEN in the environment)")
    if not (params["account_id"] or "").strip():
        raise SpecError("account_id", "the Cloudflare account id is required (or R2_ACCOUNT_ID in the environment)")
    return R2BucketClient(api_token=params["api_token"], api_url=params["api_url"],
                          account_id=params["account_id"].strip(), validate_certs=params["validate_certs"],
                          timeout=params["timeout"], check_mode=ctx.check_mode)


class R2BucketClient(CloudflareClient):
    """The R2 bucket routes of Cloudflare's API (``/accounts/<account>/r2/buckets``), by jurisdiction."""

    def _path(self, bucket=None, suffix=""):
        if not self.account_id:
            raise SpecError("account_id", "the Cloudflare account id is required for R2")
        path = "/accounts/%s/r2/buckets" % self.account_id
        return path + ("/%s" % bucket if bucket else "") + suffix

    @staticmethod
    def _headers(jurisdiction, **extra):
        headers = {"cf-r2-jurisdiction": jurisdiction} if jurisdiction and jurisdiction != "default" else {}
        headers.update(extra)
        return headers

    def list_buckets(self, jurisdiction=None):
        """Every bucket of the account in ``jurisdiction`` (cursor paging)."""
        buckets, params = [], {"per_page": PAGE_SIZE}
        while True:
            envelope = self.call("GET", self._path(), "list R2 buckets", params=params,
                                 headers=self._headers(jurisdiction))
            buckets.extend((envelope.get("result") or {}).get("buckets") or [])
            cursor = (envelope.get("result_info") or {}).get("cursor")
            if not cursor:
                return buckets
            params = {"per_page": PAGE_SIZE, "cursor": cursor}

    def get_bucket(self, name, jurisdiction=None):
        """The bucket called ``name``, or None when it does not exist."""
        try:
            return self.result("GET", self._path(name), "get R2 bucket", headers=self._headers(jurisdiction))
        except ApiError as err:
            if err.status == 404 or NO_BUCKET_CODE in error_codes(err):
                return None
            raise

    def create_bucket(self, name, location_hint=None, storage_class=None, jurisdiction=None):
        """Create a bucket; a lost response or "already exists" is resolved by reading it back."""
        body = {"name": name}
        if location_hint:
            body["locationHint"] = location_hint
        if storage_class:
            body["storageClass"] = storage_class
        try:
            return self.result("POST", self._path(), "create R2 bucket", json=body,
                               headers=self._headers(jurisdiction))
        except ApiError as err:
            if not (err.maybe_applied or BUCKET_EXISTS_CODE in error_codes(err)):
                raise
            bucket = self.get_bucket(name, jurisdiction)
            if bucket is None:
                raise
            return bucket

    def set_storage_class(self, name, storage_class, jurisdiction=None):
        return self.result("PATCH", self._path(name), "update R2 bucket storage class",
                           headers=self._headers(jurisdiction, **{"cf-r2-storage-class": storage_class}))

    def delete_bucket(self, name, jurisdiction=None):
        self.result("DELETE", self._path(name), "delete R2 bucket", headers=self._headers(jurisdiction))

    def get_cors(self, name, jurisdiction=None):
        """The bucket's CORS rules (camelCase, as the API has them); [] when it has none."""
        try:
            result = self.result("GET", self._path(name, "/cors"), "get R2 bucket CORS",
                                 headers=self._headers(jurisdiction))
        except ApiError as err:
            if err.status == 404 and NO_BUCKET_CODE not in error_codes(err):
                return []
            raise
        return (result or {}).get("rules") or []

    def put_cors(self, name, rules, jurisdiction=None):
        self.result("PUT", self._path(name, "/cors"), "set R2 bucket CORS", json={"rules": rules},
                    headers=self._headers(jurisdiction))

    def delete_cors(self, name, jurisdiction=None):
        self.result("DELETE", self._path(name, "/cors"), "delete R2 bucket CORS",
                    headers=self._headers(jurisdiction))


# -- options --------------------------------------------------------------------------------


def _string_list(value, field, allow_empty=True):
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise SpecError(field, "a list of non-empty strings expected, got %s" % json.dumps(value, default=str))
    if not value and not allow_empty:
        raise SpecError(field, "at least one value expected")
    return [item.strip() for item in value]


def _cors_origin(origin, field):
    if origin == "*":
        return origin
    if not re.match(r"^https?://[^/\s]+$", origin, re.IGNORECASE):
        raise SpecError(field, "an origin such as https://example.com (scheme and host, no path) or * expected, "
                               "got %s" % json.dumps(origin))
    return origin.lower()


def _cors_rule(position, rule):
    base = "cors_rules[%d]" % position
    if not isinstance(rule, dict):
        raise SpecError(base, "a dict expected")
    unknown = sorted(set(rule) - {"id", "allowed_origins", "allowed_methods", "allowed_headers",
                                  "expose_headers", "max_age_seconds"})
    if unknown:
        raise SpecError(base, "unknown field(s): %s" % ", ".join(unknown))
    origins = _string_list(rule.get("allowed_origins"), base + ".allowed_origins", allow_empty=False)
    if origins is None:
        raise SpecError(base + ".allowed_origins", "required")
    origins = [_cors_origin(origin, base + ".allowed_origins") for origin in origins]
    methods = _string_list(rule.get("allowed_methods"), base + ".allowed_methods", allow_empty=False)
    if methods is None:
        raise SpecError(base + ".allowed_methods", "required")
    methods = [method.upper() for method in methods]
    bad = [method for method in methods if method not in CORS_METHODS]
    if bad:
        raise SpecError(base + ".allowed_methods", "R2 allows %s, got %s" % (", ".join(CORS_METHODS), bad[0]))
    api_rule = {"allowed": {"origins": origins, "methods": methods}}
    headers = _string_list(rule.get("allowed_headers"), base + ".allowed_headers")
    if headers:
        api_rule["allowed"]["headers"] = headers
    expose = _string_list(rule.get("expose_headers"), base + ".expose_headers")
    if expose:
        api_rule["exposeHeaders"] = expose
    max_age = rule.get("max_age_seconds")
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int) or not 0 <= max_age <= MAX_CORS_AGE:
            raise SpecError(base + ".max_age_seconds", "0..%d expected, got %s" % (MAX_CORS_AGE, json.dumps(max_age)))
        api_rule["maxAgeSeconds"] = max_age
    if rule.get("id") not in (None, ""):
        api_rule["id"] = str(rule["id"])
    return api_rule


# One entry of r2_bucket's cors_rules.
CORS_RULE_OPTIONS = dict(
    allowed_origins=dict(type="list", elements="str", required=True),
    allowed_methods=dict(type="list", elements="str", required=True),
    allowed_headers=dict(type="list", elements="str"),
    expose_headers=dict(type="list", elements="str"),
    max_age_seconds=dict(type="int"),
    id=dict(type="str"),
)


def validate_cors_rules(rules):
    """The ``cors_rules`` option as the REST API's camelCase rules; None leaves CORS unmanaged."""
    if rules is None:
        return None
    if not isinstance(rules, list):
        raise SpecError("cors_rules", "a list of rules expected")
    return [_cors_rule(position, rule) for position, rule in enumerate(rules)]


def canonical_cors(rules):
    """Rules in a form where equal configurations compare equal (order of values inside a rule ignored)."""
    canonical = []
    for rule in rules or []:
        allowed = rule.get("allowed") or {}
        canonical.append({
            "id": rule.get("id") or None,
            "origins": sorted(origin.lower() for origin in allowed.get("origins") or []),
            "methods": sorted(method.upper() for method in allowed.get("methods") or []),
            "headers": sorted(header.lower() for header in allowed.get("headers") or []),
            "expose": sorted(header.lower() for header in rule.get("exposeHeaders") or []),
            "max_age": rule.get("maxAgeSeconds"),
        })
    return canonical


def cors_option_view(rules):
    """API rules rendered in the modules' snake_case option form."""
    views = []
    for rule in rules or []:
        allowed = rule.get("allowed") or {}
        view = {"allowed_origins": list(allowed.get("origins") or []),
                "allowed_methods": list(allowed.get("methods") or [])}
        for key, value in (("allowed_headers", allowed.get("headers")), ("expose_headers", rule.get("exposeHeaders")),
                           ("max_age_seconds", rule.get("maxAgeSeconds")), ("id", rule.get("id"))):
            if value not in (None, [], ""):
                view[key] = value
        views.append(view)
    return views


def bucket_view(bucket):
    """The bucket fields modules return."""
    return {key: bucket.get(key) for key in ("name", "creation_date", "location", "storage_class", "jurisdiction")}
