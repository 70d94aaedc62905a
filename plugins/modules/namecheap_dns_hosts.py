#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: namecheap_dns_hosts
short_description: Manage the host records of a domain on Namecheap's DNS
version_added: 0.1.0
description:
  - Adds, updates and removes host records of a domain served by Namecheap's own DNS.
  - Namecheap can only replace a domain's whole host list, so the module reads the list, merges
    the desired records into it, and writes the full list back only when the result differs.
    Records it is not told about are kept unless O(prune=true), and so is the e-mail setting.
  - Just before writing it reads the list again and fails, writing nothing, if the list changed
    since the first read (a concurrent modification).
  - Records compare after normalisation, so reruns report no change - host names and host-name
    addresses (CNAME, ALIAS, MX, NS) are lower-cased without a trailing dot, IP addresses are
    compared in canonical form, TTL defaults to 1800, the MX preference only counts for MX records.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.namecheap
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  domain:
    description:
      - The registrable domain, for example V(example.com).
    type: str
    required: true
  records:
    description:
      - The records to manage.
      - "Identity: a record is the same as an existing one when name and type match and, except for
        the single-value types V(CNAME), V(ALIAS), V(URL), V(URL301) and V(FRAME), the address too.
        A single-value record therefore replaces the existing one of the same name and type, while
        for other types a new address adds a record next to the existing ones."
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Host name relative to the domain; V(@) for the domain itself, V(*) labels for wildcards.
        type: str
        required: true
      type:
        description:
          - Record type, one of V(A), V(AAAA), V(ALIAS), V(CAA), V(CNAME), V(MX), V(MXE), V(NS),
            V(TXT), V(URL), V(URL301), V(FRAME) (case-insensitive).
        type: str
        required: true
      address:
        description:
          - The record's value - an IP address, a host name, a URL, a text, or for CAA the whole
            value such as V(0 issue letsencrypt.org).
          - Required when O(records[].state=present). With O(records[].state=absent) and no address,
            every record of that name and type is removed.
        type: str
      ttl:
        description:
          - Time to live in seconds, 60 to 60000.
        type: int
        default: 1800
      mx_pref:
        description:
          - MX preference; only valid for MX records, where it defaults to V(10).
        type: int
      state:
        description:
          - Whether the record must exist or not.
        type: str
        choices: [present, absent]
        default: present
  prune:
    description:
      - Remove every existing record not listed with O(records[].state=present).
    type: bool
    default: false
  email_type:
    description:
      - Namecheap's e-mail setting for the domain, sent with every write.
      - When not set, the current setting is kept, except that V(NONE) becomes V(MX) when the
        resulting list holds MX records (Namecheap ignores MX records otherwise).
    type: str
    choices: [NONE, MX, MXE, FWD, OX, GMAIL]
  allow_empty:
    description:
      - Allow a change that leaves the domain with no host record at all.
    type: bool
    default: false
  force:
    description:
      - Write even when the domain does not use Namecheap's DNS (custom name servers). The records are
        then stored at Namecheap but not served until the domain goes back to Namecheap's DNS.
      - Without it the module fails on such a domain, because Namecheap reports no records for it and
        a write would replace whatever it has stored.
    type: bool
    default: false
notes:
  - Namecheap applies new records after a few minutes whatever their TTL.
"""

EXAMPLES = r"""
- name: Site and mail records, keeping anything else in the zone
  fabrik.deploy.namecheap_dns_hosts:
    domain: example.com
    records:
      - {name: "@", type: A, address: 192.0.2.10}
      - {name: www, type: CNAME, address: example.com}
      - {name: "@", type: MX, address: mx1.mail.example, mx_pref: 10}
      - {name: "@", type: TXT, address: "v=spf1 mx -all"}
      - {name: old, type: A, state: absent}

- name: Exactly these records, nothing else
  fabrik.deploy.namecheap_dns_hosts:
    domain: example.com
    prune: true
    records:
      - {name: "@", type: A, address: 192.0.2.10}
"""

RETURN = r"""
domain:
  description: The domain, lower-cased.
  returned: always
  type: str
  sample: example.com
email_type:
  description: The domain's e-mail setting after the run (in check mode, the one it would have).
  returned: always
  type: str
  sample: MX
records:
  description:
    - The domain's whole host list after the run (in check mode, the one it would have), normalised,
      sorted by name, type and address.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Host name, V(@) for the domain itself.
      type: str
    type:
      description: Record type.
      type: str
    address:
      description: Record value.
      type: str
    ttl:
      description: Time to live in seconds.
      type: int
    mx_pref:
      description: MX preference (null for other types).
      type: int
  sample:
    - {name: "@", type: A, address: 192.0.2.10, ttl: 1800, mx_pref: null}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure
from ansible_collections.fabrik.deploy.plugins.module_utils._namecheap import (
    EMAIL_TYPES,
    choose_email_type,
    client_for,
    connection_argument_spec,
    normalise_domain,
    plan_hosts,
    require_defusedxml,
    sort_hosts,
    validate_records,
)

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        domain=dict(type="str", required=True),
        records=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                type=dict(type="str", required=True),
                address=dict(type="str"),
                ttl=dict(type="int", default=1800),
                mx_pref=dict(type="int"),
                state=dict(type="str", choices=["present", "absent"], default="present"),
            ),
        ),
        prune=dict(type="bool", default=False),
        email_type=dict(type="str", choices=list(EMAIL_TYPES)),
        allow_empty=dict(type="bool", default=False),
        force=dict(type="bool", default=False),
    ),
    supports_check_mode=True,
)


def zone_view(email_type, hosts):
    return {"email_type": email_type, "records": sort_hosts(hosts)}


def run(ctx):
    require_defusedxml()
    params = ctx.params
    domain = normalise_domain(params["domain"])
    present, absent = validate_records(params["records"])
    client = client_for(ctx)
    current = client.dns_get_hosts(domain)
    if not current.is_using_our_dns and not params["force"]:
        raise Failure("%s does not use Namecheap's DNS (custom name servers): its host records are not "
                      "served and Namecheap reports none; set force=true to write them anyway" % domain)
    hosts = plan_hosts(current.hosts, present, absent, params["prune"])
    before = zone_view(current.email_type, current.hosts)
    after = zone_view(choose_email_type(current.email_type, params["email_type"], hosts), hosts)
    changed = before != after
    if changed and not hosts and not params["allow_empty"]:
        raise Failure("refusing to leave %s without any host record; set allow_empty=true to allow it" % domain)
    if changed and not ctx.check_mode:
        latest = client.dns_get_hosts(domain)
        if zone_view(latest.email_type, latest.hosts) != before:
            raise Failure("concurrent modification: the host records of %s changed since they were read; "
                          "nothing was written, run again" % domain)
        client.dns_set_hosts(domain, after["email_type"], hosts, latest.wire)
    return dict(after, domain=domain, changed=changed, diff={"before": before, "after": after})


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
