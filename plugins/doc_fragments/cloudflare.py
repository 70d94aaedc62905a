# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options of the Cloudflare modules."""

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - "Cloudflare API token, sent as C(Authorization: Bearer <token>)."
      - Zone and DNS modules need the C(Zone Read/Edit), C(DNS Edit) and C(Zone Settings Edit) permissions
        for what they manage; creating zones needs account-level C(Zone Edit).
      - If not set, the value of the E(CLOUDFLARE_API_TOKEN) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the Cloudflare API v4.
      - If not set, the value of the E(CLOUDFLARE_API_URL) environment variable is used.
    type: str
    default: https://api.cloudflare.com/client/v4
  account_id:
    description:
      - Cloudflare account id (32 hexadecimal characters).
      - Zones are looked up by name B(and) account, because zone names are not unique across accounts.
        Without it a zone name must be visible in one account only.
      - If not set, the value of the E(CLOUDFLARE_ACCOUNT_ID) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url).
      - Certificates are checked against the bundle of the Python package C(certifi) (what C(requests) uses),
        or the one named by the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment variable.
    type: bool
    default: true
  timeout:
    description:
      - Read timeout of each request, in seconds (connect timeout is at most 10 s).
    type: int
    default: 30
requirements:
  - requests
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) environment
    variables (any case), as C(requests) reads them.
  - The modules belong to the C(fabrik.deploy.cloudflare) action group, so the connection options can be set
    once with C(module_defaults).
  - Requests that fail with HTTP 429 are retried after C(Retry-After); reads are retried on 502/503/504.
"""
