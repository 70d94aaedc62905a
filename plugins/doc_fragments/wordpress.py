# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options of the WordPress modules."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the WordPress site, for example V(https://example.com) (the REST API is under
        C(<url>/wp-json)).
      - If not set, the value of the E(WORDPRESS_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - The WordPress user the modules act as; it needs the capabilities of an administrator.
      - If not set, the value of the E(WORDPRESS_USERNAME) environment variable is used.
    type: str
  app_password:
    description:
      - An application password of O(username) (Users, Profile, Application Passwords), not the login
        password. Never logged.
      - If not set, the value of the E(WORDPRESS_APP_PASSWORD) environment variable is used.
      - One of O(app_password) and O(password) is needed; with both, O(app_password) is used.
    type: str
  password:
    description:
      - The login password of O(username), used only when there is no O(app_password). The module then
        logs in through C(wp-login.php) and uses the session's cookie and REST nonce (two more requests per
        task). Nothing needs to be kept between runs, so it suits job runners without persistent storage
        (AWX). Never logged.
      - The login opens a session only and changes no content, so it is also sent in check mode.
      - If not set, the value of the E(WORDPRESS_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the site's TLS certificate.
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
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) environment
    variables (any case), as C(requests) reads them.
  - WordPress offers application passwords only over HTTPS, unless the site declares itself a local
    environment (C(WP_ENVIRONMENT_TYPE=local)).
  - Modules that use the fabrik connector need C(files/connector/fabrik-connector.php) of this collection
    in the site's C(wp-content/mu-plugins/); the collection's compose template installs it.
"""
