# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cloudflare API v4 client: zones, DNS records (batch), zone settings.

What goes into it is validated and planned elsewhere: DNS records in ``_cloudflare_records.py``, zone
settings in ``_cloudflare_settings.py``; R2 buckets have their own client in ``_r2_buckets.py``.
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import env_fallback

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient

DEFAULT_API_URL = "https://api.cloudflare.com/client/v4"
SERVICE = "Cloudflare"

ZONE_PAGE_SIZE = 50
RECORD_PAGE_SIZE = 1000
BATCH_LIMIT = 200
DUPLICATE_ZONE_CODE = 1061

ZONE_FIELDS = (
    "id", "name", "status", "name_servers", "original_name_servers",
    "activated_on", "account", "type", "paused",
)

SETTINGS_BULK_READ_THRESHOLD = 2


def cloudflare_argument_spec():
    """Connection options shared by every Cloudflare module (see the ``cloudflare`` doc fragment)."""
    return dict(
        api_token=dict(type="str", required=True, no_log=True,
                       fallback=(env_fallback, ["CLOUDFLARE_API_TOKEN"])),
        api_url=dict(type="str", default=DEFAULT_API_URL,
                     fallback=(env_fallback, ["CLOUDFLARE_API_URL"])),
        account_id=dict(type="str", fallback=(env_fallback, ["CLOUDFLARE_ACCOUNT_ID"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def client_for(ctx):
    params = ctx.params
    if not params["api_token"].strip():
        raise SpecError("api_token", "a Cloudflare API token is required (or CLOUDFLARE_API_TOKEN in the environment)")
    return CloudflareClient(
        api_token=params["api_token"],
        api_url=params["api_url"],
        account_id=params["account_id"],
        validate_certs=params["validate_certs"],
        timeout=params["timeout"],
        check_mode=ctx.check_mode,
    )


def parse_error(response):
    """The API's own error text from a Cloudflare envelope: ``<code> <message>`` joined by ``; ``."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if not isinstance(body, dict):
        return ""
    return _join_errors(body.get("errors"))


def _join_errors(errors):
    parts = []
    for error in errors or []:
        if isinstance(error, dict):
            parts.append(("%s %s" % (error.get("code", ""), error.get("message", ""))).strip())
    return "; ".join(parts)


def error_codes(err):
    """The Cloudflare error codes in an ApiError's response body."""
    try:
        body = json.loads(err.body or "")
    except ValueError:
        return set()
    errors = body.get("errors") if isinstance(body, dict) else None
    return {error.get("code") for error in errors or [] if isinstance(error, dict)}


def lower_name(name):
    """A DNS name lower-cased, without surrounding blanks and trailing dot."""
    return (name or "").strip().rstrip(".").lower()


def zone_view(zone):
    """The zone fields modules return."""
    return {key: zone.get(key) for key in ZONE_FIELDS}


class CloudflareClient:
    """Cloudflare API v4 through the collection's HTTP layer."""

    def __init__(self, api_token, api_url=DEFAULT_API_URL, account_id=None, validate_certs=True,
                 timeout=30, check_mode=False):
        self.account_id = account_id
        self.http = HttpClient(
            service=SERVICE,
            base_url=api_url.rstrip("/"),
            headers={"Authorization": "Bearer " + api_token},
            secrets=[api_token],
            timeout=timeout,
            rate_limit=("cloudflare", api_token),
            validate_certs=validate_certs,
            error_parser=parse_error,
            check_mode=check_mode,
            # Listings are handed to the later tasks of the run (module_utils/_run_reads.py), per token.
            reads_scope=api_token,
        )

    # -- envelope and paging -------------------------------------------------------------

    def call(self, method, path, operation, params=None, json=None, headers=None, cache=False):
        """One request; returns the envelope (dict) after checking ``success``. ``cache``: see HttpClient.request."""
        response = self.http.request(method, path, operation=operation, params=params, json=json, headers=headers,
                                     cache=cache)
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            raise ApiError(SERVICE, operation, method, path, status=response.status_code,
                           message="the response is not a JSON envelope")
        if not envelope.get("success", False):
            redact = self.http.redact
            raise ApiError(SERVICE, operation, method, redact(path), status=response.status_code,
                           message=redact(_join_errors(envelope.get("errors")) or "success is false"),
                           body=redact(response.text))
        return envelope

    def result(self, method, path, operation, params=None, json=None, headers=None):
        return self.call(method, path, operation, params=params, json=json, headers=headers).get("result")

    def paged(self, path, operation, params=None, per_page=ZONE_PAGE_SIZE):
        """Every item of a page-paginated listing."""
        items = []
        page = 1
        while True:
            query = dict(params or {}, page=page, per_page=per_page)
            # A listing is never polled (a wait reads one resource): its answer may be kept for the run.
            envelope = self.call("GET", path, operation, params=query, cache=True)
            batch = envelope.get("result") or []
            items.extend(batch)
            info = envelope.get("result_info") or {}
            total_pages = info.get("total_pages")
            if total_pages is not None:
                if page >= total_pages:
                    return items
            elif len(batch) < per_page:
                return items
            page += 1

    # -- zones ---------------------------------------------------------------------------

    def _account_filter(self):
        return {"account.id": self.account_id} if self.account_id else {}

    def list_zones(self, name=None):
        params = self._account_filter()
        if name:
            params["name"] = name
        return self.paged("/zones", "list zones", params=params)

    def find_zone(self, name):
        """The zone called ``name`` in the account, or None.  Without an account id the name must be unique."""
        name = lower_name(name)
        zones = [zone for zone in self.list_zones(name) if zone.get("name", "").lower() == name]
        if len(zones) > 1:
            raise SpecError("account_id", "zone %s exists in %d accounts; set account_id to choose one"
                            % (name, len(zones)))
        return zones[0] if zones else None

    def find_zone_or_placeholder(self, name, check_mode):
        """The zone called ``name``; in check mode a missing zone (an earlier task would create it)
        is ``{"id": None, "name": name}`` so that the caller plans against an empty zone."""
        zone = self.find_zone(name)
        if zone is not None:
            return zone
        if check_mode:
            return {"id": None, "name": lower_name(name)}
        where = " in account %s" % self.account_id if self.account_id else ""
        raise SpecError("zone", "zone %s not found%s" % (lower_name(name), where))

    def get_zone(self, zone_id):
        return self.result("GET", "/zones/%s" % zone_id, "get zone")

    def create_zone(self, name, zone_type="full"):
        """Create a zone; a lost response or a duplicate (1061) is resolved by reading it back."""
        body = {"name": name, "account": {"id": self.account_id}, "type": zone_type}
        try:
            return self.result("POST", "/zones", "create zone", json=body)
        except ApiError as err:
            if not (err.maybe_applied or DUPLICATE_ZONE_CODE in error_codes(err)):
                raise
            zone = self.find_zone(name)
            if zone is None:
                raise
            return zone

    def update_zone(self, zone_id, changes):
        return self.result("PATCH", "/zones/%s" % zone_id, "update zone", json=changes)

    def delete_zone(self, zone_id):
        return self.result("DELETE", "/zones/%s" % zone_id, "delete zone")

    def activation_check(self, zone_id):
        return self.result("PUT", "/zones/%s/activation_check" % zone_id, "request activation check")

    # -- DNS records ---------------------------------------------------------------------

    def list_records(self, zone_id):
        return self.paged("/zones/%s/dns_records" % zone_id, "list DNS records", per_page=RECORD_PAGE_SIZE)

    def apply_batch(self, zone_id, deletes=(), patches=(), posts=()):
        """Apply changes through the batch endpoint, ``BATCH_LIMIT`` items per request.

        Returns the concatenated ``deletes``/``patches``/``posts`` result lists.
        """
        applied = {"deletes": [], "patches": [], "posts": []}
        path = "/zones/%s/dns_records/batch" % zone_id
        for body in batch_chunks(deletes, patches, posts):
            result = self.result("POST", path, "apply DNS record batch", json=body) or {}
            for kind, records in applied.items():
                records.extend(result.get(kind) or [])
        return applied

    # -- zone settings -------------------------------------------------------------------

    def get_settings(self, zone_id, setting_ids):
        """Current values of ``setting_ids`` (one bulk read when there are more than a couple)."""
        values = {}
        if len(setting_ids) > SETTINGS_BULK_READ_THRESHOLD:
            every = self.result("GET", "/zones/%s/settings" % zone_id, "get zone settings") or []
            wanted = set(setting_ids)
            values = {item["id"]: item.get("value") for item in every if item.get("id") in wanted}
        for setting_id in setting_ids:
            if setting_id not in values:
                item = self.result("GET", "/zones/%s/settings/%s" % (zone_id, setting_id),
                                   "get zone setting %s" % setting_id)
                values[setting_id] = item.get("value")
        return values

    def patch_setting(self, zone_id, setting_id, value):
        item = self.result("PATCH", "/zones/%s/settings/%s" % (zone_id, setting_id),
                           "update zone setting %s" % setting_id, json={"value": value})
        return item.get("value")


def batch_chunks(deletes=(), patches=(), posts=(), limit=BATCH_LIMIT):
    """Split changes into batch bodies of at most ``limit`` items.

    Every delete comes before every patch, and every patch before every post, across chunks
    as well as inside one (the server runs deletes, patches, puts, posts in that order).
    """
    operations = ([("deletes", item) for item in deletes] + [("patches", item) for item in patches]
                  + [("posts", item) for item in posts])
    chunks = []
    for start in range(0, len(operations), limit):
        body = {}
        for kind, item in operations[start:start + limit]:
            body.setdefault(kind, []).append(item)
        chunks.append(body)
    return chunks
