# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options of the R2 modules."""

    DOCUMENTATION = r"""
options:
  account_id:
    description:
      - Cloudflare account id (32 hexadecimal characters) that owns the buckets.
      - Used in the REST paths of bucket management and to build the default S3 endpoint
        C(https://<account_id>.r2.cloudflarestorage.com).
      - If not set, the value of the E(R2_ACCOUNT_ID) or else the E(CLOUDFLARE_ACCOUNT_ID) environment
        variable is used.
    type: str
  access_key_id:
    description:
      - Access Key ID of an R2 API token (created under "Manage R2 API tokens"), for object operations
        through R2's S3 endpoint. Not the Cloudflare API token.
      - If not set, the value of the E(R2_ACCESS_KEY_ID) environment variable is used.
    type: str
  secret_access_key:
    description:
      - Secret Access Key of that R2 API token. Never logged.
      - If not set, the value of the E(R2_SECRET_ACCESS_KEY) environment variable is used.
    type: str
  endpoint_url:
    description:
      - R2's S3 endpoint. Defaults to C(https://<account_id>.r2.cloudflarestorage.com), or the
        jurisdiction's own host (C(<account_id>.eu.r2.cloudflarestorage.com)) for buckets in the C(eu) or
        C(fedramp) jurisdiction.
      - If not set, the value of the E(R2_ENDPOINT_URL) environment variable is used.
    type: str
  api_token:
    description:
      - "Cloudflare API token with the account permission C(Workers R2 Storage Edit) (C(Read) for reading),
        sent as C(Authorization: Bearer <token>) for bucket management through the REST API. Never logged."
      - If not set, the value of the E(CLOUDFLARE_API_TOKEN) environment variable is used.
    type: str
  api_url:
    description:
      - Base URL of the Cloudflare API v4, for bucket management.
      - If not set, the value of the E(CLOUDFLARE_API_URL) environment variable is used.
    type: str
    default: https://api.cloudflare.com/client/v4
  validate_certs:
    description:
      - Verify the TLS certificates of O(api_url) and O(endpoint_url).
      - For O(api_url) certificates are checked against the bundle of the Python package C(certifi) (what
        C(requests) uses), or the one named by the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment
        variable; boto3 reads E(AWS_CA_BUNDLE) for O(endpoint_url).
    type: bool
    default: true
  timeout:
    description:
      - Read timeout of each request, in seconds (connect timeout is at most 10 s).
    type: int
    default: 30
requirements:
  - requests (bucket management through the REST API)
  - boto3 (object operations through R2's S3 endpoint)
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) environment
    variables (any case), as C(requests) reads them.
  - The modules belong to the C(fabrik.deploy.r2) action group, so the connection options can be set once
    with C(module_defaults).
  - Buckets and their CORS rules are managed through Cloudflare's REST API (O(api_token)); objects through
    R2's S3 endpoint (O(access_key_id) and O(secret_access_key)). The S3 client uses region C(auto),
    path-style addressing and sends checksums only where an operation requires one, since R2 refuses the
    checksum headers recent SDKs add by default.
"""
