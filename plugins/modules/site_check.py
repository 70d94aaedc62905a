#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: site_check
short_description: Check that a site answers over HTTP(S), trying again until it does
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Sends C(GET) requests to O(url) until the answer's status is one of O(status_code), at most O(tries) times
    with O(delay) seconds between two tries; redirects are followed.
  - Fails with the URL, the statuses expected, the last status (or why no answer came) and the start of the last
    body when the site does not answer as expected.
  - The verify stage of C(fabrik.deploy.site) checks the deployed site with it. It changes nothing; in check mode
    it sends its requests all the same.
extends_documentation_fragment:
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  url:
    description:
      - The http or https URL to check.
    type: str
    required: true
  headers:
    description:
      - Headers to send, for example C(Host) to reach a site through an address other than its DNS name.
    type: dict
    default: {}
  status_code:
    description:
      - The statuses that count as up.
    type: list
    elements: int
    default: [200]
  tries:
    description:
      - How many times to try at most.
    type: int
    default: 1
  delay:
    description:
      - Seconds between two tries.
    type: float
    default: 5
  timeout:
    description:
      - Seconds to wait for an answer to one request.
    type: int
    default: 30
  validate_certs:
    description:
      - Verify the TLS certificate of an https URL.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: The site answers 200 within five minutes of its deployment
  fabrik.deploy.site_check:
    url: "{{ lookup('ansible.builtin.env', 'WORDPRESS_URL') }}/"
    tries: 30
    delay: 10
  register: site

- name: Show how long it took
  ansible.builtin.debug:
    msg: "{{ site.url }} answered {{ site.status }} after {{ site.tries }} tries"
"""

RETURN = r"""
url:
  description: The URL checked.
  returned: always
  type: str
  sample: https://example.com/
status:
  description: The status of the last answer, V(null) when none came.
  returned: always
  type: int
  sample: 200
tries:
  description: The number of requests sent.
  returned: always
  type: int
  sample: 1
"""

import time
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, SpecError, hostname_problem, wait_for
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, HttpClient

SERVICE = "Site"
BODY_EXCERPT = 300
REASON_EXCERPT = 200
EVERY_STATUS = tuple(range(100, 600))  # any answer is returned as it is: the tries are this module's

SPEC = dict(
    argument_spec=dict(
        url=dict(type="str", required=True),
        headers=dict(type="dict", default={}),
        status_code=dict(type="list", elements="int", default=[200]),
        tries=dict(type="int", default=1),
        delay=dict(type="float", default=5),
        timeout=dict(type="int", default=30),
        validate_certs=dict(type="bool", default=True),
    ),
    supports_check_mode=True,
)


def split_url(url):
    """(origin, path with query) of an http(s) URL; SpecError otherwise."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or hostname_problem(parts.hostname) is not None:
        raise SpecError("url", "an http or https URL expected, got %r" % url)
    return "%s://%s" % (parts.scheme, parts.netloc), (parts.path or "/") + ("?" + parts.query if parts.query else "")


def excerpt(text, size):
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size - 3] + "..."


def run(ctx):
    params = ctx.params
    origin, path = split_url(params["url"])
    if params["tries"] < 1:
        raise SpecError("tries", "1 or more expected, got %d" % params["tries"])
    # One request per try: the tries are this module's, not the HTTP layer's retries.
    client = HttpClient(SERVICE, origin, timeout=params["timeout"], validate_certs=params["validate_certs"],
                        max_retries=0, check_mode=ctx.check_mode)
    headers = {str(name): str(value) for name, value in params["headers"].items()}
    sent = []

    def answer():
        sent.append(time.monotonic())
        try:
            response = client.request("GET", path, "check the site", headers=headers, expected=EVERY_STATUS)
        except ApiError as err:
            return {"status": None, "reason": err.message or str(err), "body": ""}
        return {"status": response.status_code, "reason": response.reason, "body": response.text}

    try:
        up, last = wait_for(answer, lambda found: found["status"] in params["status_code"], None, params["delay"],
                            tries=params["tries"])
    finally:
        client.close()
    result = dict(changed=False, url=params["url"], status=last["status"], tries=len(sent))
    if not up:
        host = headers.get("Host") or headers.get("host")
        raise Failure("%s%s did not answer %s after %d tries: last status %s (%s); body: %s" % (
            params["url"], " (Host: %s)" % host if host else "", " or ".join(map(str, params["status_code"])),
            len(sent), "none" if last["status"] is None else last["status"], excerpt(last["reason"], REASON_EXCERPT),
            excerpt(last["body"], BODY_EXCERPT)), **result)
    return result


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
