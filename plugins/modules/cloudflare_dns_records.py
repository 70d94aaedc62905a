#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudflare_dns_records
short_description: Converge a set of DNS records of a Cloudflare zone
version_added: 0.1.0
author: fabrik.deploy contributors (@fabrik)
description:
  - Takes the desired records of a zone, reads the zone's records once, and creates, updates and deletes
    only what differs, through Cloudflare's DNS batch endpoint (one request for up to 200 changes).
  - 'Identity: a C(CNAME) record is identified by its type and name (one CNAME per name); every other record
    by type, name and content (or data), so several A, MX or TXT records can share a name. Changing the
    content of such a record creates a new record next to the old one, which stays unless it is listed
    with O(records[].state=absent), pruned, or the new record is O(records[].exclusive).'
  - 'Except SPF and DMARC policies: a C(TXT) record whose content starts with C(v=spf1) (or C(v=DMARC1)) is
    identified by its name and that kind, since a name holds one policy (two SPF records make SPF fail).
    Changing its text updates the policy record in place, without O(prune); other policy records of that kind
    at that name are deleted, other TXT records there stay.'
  - An update is a PATCH of only the fields that differ among O(records[].ttl), O(records[].proxied),
    O(records[].priority), O(records[].comment), O(records[].tags) (and the content of a CNAME, an
    exclusive record or an SPF or DMARC policy).
  - Every record is validated before the first request; an error names the field, for example
    C(records[3].ttl).
extends_documentation_fragment:
  - fabrik.deploy.cloudflare
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: C(before) and C(after) hold C(records), sorted lists of the records in scope (the ones named in
      O(records) and the ones pruned).
  action_group:
    description: Use C(group/fabrik.deploy.cloudflare) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - fabrik.deploy.cloudflare
options:
  zone:
    description:
      - Name of the zone. One of O(zone) and O(zone_id) is required.
      - With O(zone), the records are validated before any request is sent.
      - In check mode a zone that does not exist yet (an earlier task would create it) is planned as an
        empty zone, with a warning.
    type: str
  zone_id:
    description:
      - Id of the zone. One of O(zone) and O(zone_id) is required.
      - With both, the zone is not looked up (for example with the id from the result of
        M(fabrik.deploy.cloudflare_zone)), and the records are named relative to O(zone).
    type: str
  records:
    description:
      - The records to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      type:
        description:
          - Record type, for example V(A), V(AAAA), V(CAA), V(CNAME), V(MX), V(NS), V(SRV), V(TXT), V(HTTPS),
            V(SVCB), V(PTR), V(URI).
        type: str
        required: true
      name:
        description:
          - V(@) for the zone apex, a label relative to the zone (V(www)) or the full name in the zone
            (V(www.example.com), a trailing dot is allowed).
          - A relative name of several labels could as well be a name outside the zone, so it is accepted only
            when its last label starts with C(_) (V(s1._domainkey), V(_sip._tcp)); write other names in full
            (V(www.staging.example.com)). A name outside the zone is refused.
        type: str
        required: true
      content:
        description:
          - Record content (an address, a hostname, text).
          - Required except when O(records[].data) is given. For V(CAA) (C(flags tag value)) and V(SRV)
            (C(priority weight port target)) the content is parsed into data.
          - With O(records[].state=absent) a CNAME needs no content.
        type: str
      data:
        description:
          - Structured data for types that use it (V(CAA) C(flags), C(tag), C(value); V(SRV) C(priority),
            C(weight), C(port), C(target); and the other structured types as Cloudflare defines them).
          - Mutually exclusive with O(records[].content).
        type: dict
      ttl:
        description:
          - V(1) for automatic, or 60..86400 seconds. Defaults to V(1).
          - Proxied records always use V(1); any other value with a proxied record is an error.
        type: int
      proxied:
        description:
          - Whether Cloudflare proxies the traffic (V(A), V(AAAA) and V(CNAME) only).
          - When omitted, an existing record keeps its value and a new record is not proxied.
        type: bool
      priority:
        description:
          - Priority of V(MX) (required), V(URI) and V(SRV) records (for SRV it goes into the data).
        type: int
      comment:
        description:
          - Comment on the record, without newlines. When omitted the existing comment is left as is;
            V("") clears it.
        type: str
      tags:
        description:
          - Tags as C(name:value) strings (names of letters, digits, C(-) and C(_); case-insensitive).
            When omitted the existing tags are left as is; V([]) clears them.
        type: list
        elements: str
      exclusive:
        description:
          - This is the only record of its type at its name, like every CNAME. It is identified by type and
            name, an existing record of that type and name gets its content updated, and any other record of
            that type and name is deleted. Use it for records that must be replaced rather than added to,
            such as a site's apex C(A) record.
          - Only for O(records[].state=present).
        type: bool
        default: false
      state:
        description:
          - V(absent) deletes the record with this identity if it exists.
        type: str
        choices: [present, absent]
        default: present
  prune:
    description:
      - Also delete every record of the zone that is not in O(records), except the C(SOA) record and the
        C(NS) records at the zone apex (Cloudflare's own).
    type: bool
    default: false
notes:
  - Records are applied in chunks of 200 (the Free plan's batch limit); all deletions are sent before
    all updates, and all updates before all creations, so a CNAME can replace an A record in one run.
  - A CNAME cannot share its name with another record. Such conflicts, within O(records) or with records
    already in the zone that are not being removed, are reported before anything is sent.
"""

EXAMPLES = r"""
- name: Records of the site
  fabrik.deploy.cloudflare_dns_records:
    zone: example.com
    records:
      - {type: A, name: "@", content: 192.0.2.10, proxied: true, exclusive: true}
      - {type: CNAME, name: www, content: example.com, proxied: true}
      - {type: MX, name: "@", content: mx1.mail.example.net, priority: 10}
      - {type: TXT, name: "@", content: "v=spf1 include:mail.example.net -all"}
      - {type: CAA, name: "@", content: '0 issue "letsencrypt.org"'}
      - {type: TXT, name: _old-verification, content: abc123, state: absent}

- name: Exactly these records, nothing else (apex NS and SOA are kept)
  fabrik.deploy.cloudflare_dns_records:
    zone: example.com
    prune: true
    records:
      - {type: A, name: "@", content: 192.0.2.10, proxied: true}
      - {type: CNAME, name: www, content: example.com, proxied: true}
"""

RETURN = r"""
records:
  description:
    - The managed records (state present) as Cloudflare has them after the change.
    - In check mode, the records as they would be; records that would be created have C(id=null).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 372e67954025e0ba6aaa6d586b9e0b59
      type: A
      name: example.com
      content: 192.0.2.10
      proxied: true
      ttl: 1
created:
  description: Identities (C(type), C(name), C(content) or C(data)) of the records created.
  returned: always
  type: list
  elements: dict
  sample: [{type: CNAME, name: www.example.com, content: example.com}]
updated:
  description: Identities of the records updated (with their new content for a CNAME or an exclusive record).
  returned: always
  type: list
  elements: dict
deleted:
  description: Identities of the records deleted (O(records[].state=absent) and pruned).
  returned: always
  type: list
  elements: dict
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import client_for, cloudflare_argument_spec
from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare_records import (
    RECORD_OPTIONS,
    plan_records,
    record_identity,
    record_view,
    validate_records,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._common import sorted_for_diff, validate_domain_name
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

DIFF_SORT_KEYS = ("type", "name", "content", "data")

SPEC = dict(
    argument_spec=dict(
        cloudflare_argument_spec(),
        zone=dict(type="str"),
        zone_id=dict(type="str"),
        records=dict(type="list", elements="dict", required=True, options=RECORD_OPTIONS),
        prune=dict(type="bool", default=False),
    ),
    required_one_of=[("zone", "zone_id")],
    supports_check_mode=True,
)


def resolve_zone(ctx, client):
    """(zone, desired records): validation happens before any request when the zone is named."""
    params = ctx.params
    if params["zone"]:
        name = validate_domain_name(params["zone"], "zone")
        desired = validate_records(params["records"], name)
        if params["zone_id"]:
            # Both known (e.g. from cloudflare_zone's result): no lookup.
            return {"id": params["zone_id"], "name": name}, desired
        zone = client.find_zone_or_placeholder(name, ctx.check_mode)
        if zone["id"] is None:
            ctx.warn("Zone %s does not exist yet; planning against an empty zone." % name)
        return zone, desired
    zone = client.get_zone(params["zone_id"])
    return zone, validate_records(params["records"], zone["name"])


# Cloudflare's answers to a record that exists already (identical, or a host a CNAME cannot share): what a
# concurrent run of the site that wrote first causes. The batch is applied whole or not at all.
CONFLICT_CODES = re.compile(r"\b810(?:53|54|57|58)\b")


def apply_plan(ctx, client, zone, desired):
    """Apply the plan; a batch whose response was lost, or refused because a concurrent run wrote the same
    records first, is re-read and only the remainder is sent."""
    existing = client.list_records(zone["id"]) if zone["id"] else []
    plan = plan_records(desired, existing, zone["name"], ctx.params["prune"])
    if not plan.changed or ctx.check_mode:
        return plan, plan, None
    try:
        return plan, plan, client.apply_batch(zone["id"], *plan.batch_arguments())
    except ApiError as err:
        conflict = err.status == 400 and CONFLICT_CODES.search(err.message or "")
        if not (err.maybe_applied or conflict):
            raise
    remaining = plan_records(desired, client.list_records(zone["id"]), zone["name"], ctx.params["prune"])
    if not remaining.changed:
        return plan, remaining, None
    return plan, remaining, client.apply_batch(zone["id"], *remaining.batch_arguments())


def run(ctx):
    client = client_for(ctx)
    zone, desired = resolve_zone(ctx, client)
    plan, last_plan, applied = apply_plan(ctx, client, zone, desired)
    records = last_plan.final_records(applied)
    return dict(
        changed=plan.changed,
        records=records,
        created=[record_identity(body) for body in plan.posts],
        updated=[record_identity(dict(record, **changes)) for record, changes in plan.patches],
        deleted=[record_identity(record) for record in plan.deletes],
        # Ansible renders a diff side only when it is a mapping or a string, so the lists are wrapped.
        diff=dict(
            before={"records": sorted_for_diff([record_view(record) for record in plan.before], DIFF_SORT_KEYS)},
            after={"records": sorted_for_diff([record_view(record) for record in records], DIFF_SORT_KEYS)},
        ),
    )


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
