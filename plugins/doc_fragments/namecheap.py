# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options of the Namecheap modules."""

    DOCUMENTATION = r"""
options:
  api_user:
    description:
      - Namecheap account that owns the API key.
      - If not set, the value of the E(NAMECHEAP_API_USER) environment variable is used.
    type: str
    required: true
  api_key:
    description:
      - Namecheap API key (Profile, Tools, API Access). Never logged.
      - If not set, the value of the E(NAMECHEAP_API_KEY) environment variable is used.
    type: str
    required: true
  user_name:
    description:
      - Account the commands act on; only differs from O(api_user) for resellers acting on a sub-account.
      - If not set, the value of the E(NAMECHEAP_USER_NAME) environment variable is used, else O(api_user).
    type: str
  client_ip:
    description:
      - Public IPv4 address the requests come from, as Namecheap sees it.
      - It must be whitelisted in the account's API access settings; a wrong value fails with
        API error 1011150 naming the address Namecheap saw.
      - If not set, the value of the E(NAMECHEAP_CLIENT_IP) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Full URL of the API endpoint.
      - Namecheap's sandbox (a separate account with its own key and whitelist) is
        V(https://api.sandbox.namecheap.com/xml.response).
      - If not set, the value of the E(NAMECHEAP_API_URL) environment variable is used.
    type: str
    default: https://api.namecheap.com/xml.response
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate.
      - Certificates are checked against the bundle of the Python package C(certifi) (what C(requests) uses),
        or the one named by the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment variable.
    type: bool
    default: true
  timeout:
    description:
      - Read timeout of each request, in seconds.
    type: int
    default: 30
requirements:
  - requests
  - defusedxml
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) environment
    variables (any case), as C(requests) reads them.
  - API access must be enabled in the Namecheap account and the controller's public IPv4 address whitelisted
    before any module works.
  - Namecheap allows about 20 API calls a minute per key. Throttled calls (HTTP 405 or API error 500000)
    of read and DNS commands are retried up to 4 times with backoff within 90 seconds; domain registration
    is never retried.
  - Namecheap takes a domain as SLD and TLD. Names under a multi-label suffix are split with a small
    built-in list (V(co.uk), V(org.uk), V(com.au), V(co.nz), V(com.br), V(co.za), V(com.mx), V(co.in) and a
    few more); any other name with more than two labels is refused rather than split wrongly.
"""
