"""octodns with octodns-cloudflare against the Cloudflare emulator: sync a zone, re-plan, dump.

The desired zone is a YAML zone file (octodns' own YamlProvider); the target is the emulator
(``api_url``).  A first sync creates the zone and its records, a second plan must find no change,
a changed zone file syncs only the difference, and a dump of the emulator reads back what was
written.
"""

import os
import tempfile

import yaml
from octodns.manager import Manager

from _common import CONNECTION, check, finish, step

CF = CONNECTION["cloudflare"]
ZONE = "fabrik-octodns.com."
WORK = tempfile.mkdtemp(prefix="octodns-")
RECORDS = {
    "": [{"type": "A", "values": ["192.0.2.10", "192.0.2.11"], "ttl": 300},
         {"type": "MX", "values": [{"preference": 10, "exchange": "mx1.mail.example."},
                                   {"preference": 20, "exchange": "mx2.mail.example."}], "ttl": 3600},
         {"type": "TXT", "values": ["v=spf1 include:mail.example -all", "google-site-verification=abc123"],
          "ttl": 3600},
         {"type": "CAA", "values": [{"flags": 0, "tag": "issue", "value": "letsencrypt.org"}], "ttl": 3600}],
    "www": {"type": "CNAME", "value": "fabrik-octodns.com.", "ttl": 300,
            "octodns": {"cloudflare": {"proxied": True}}},
    "v6": {"type": "AAAA", "value": "2001:db8::10", "ttl": 600},
    "_dmarc": {"type": "TXT", "value": "v=DMARC1\\; p=reject\\; rua=mailto:dmarc@fabrik-octodns.com", "ttl": 3600},
    "sub": {"type": "NS", "values": ["ns1.other-dns.example.", "ns2.other-dns.example."], "ttl": 3600},
}


def write_config(records):
    zones = os.path.join(WORK, "zones")
    os.makedirs(zones, exist_ok=True)
    with open(os.path.join(zones, ZONE + "yaml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(records, handle)
    config = {
        "providers": {
            "config": {"class": "octodns.provider.yaml.YamlProvider", "directory": zones,
                       "default_ttl": 3600, "enforce_order": False},
            "cloudflare": {"class": "octodns_cloudflare.CloudflareProvider", "token": CF["api_token"],
                           "account_id": CF["account_id"], "api_url": CF["url"], "retry_period": 1},
        },
        "zones": {ZONE: {"sources": ["config"], "targets": ["cloudflare"]}},
    }
    path = os.path.join(WORK, "config.yaml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle)
    return path


def sync(records):
    """``octodns-sync --doit``: the number of changes applied."""
    return Manager(write_config(records)).sync(dry_run=False)


def plan(records):
    """``octodns-sync`` without ``--doit``: the changes the Cloudflare target would make.

    (``Manager.sync(dry_run=True)`` returns 0 whatever it plans, so the plan is asked for directly.)
    """
    manager = Manager(write_config(records))
    desired = manager.get_zone(ZONE)
    manager.providers["config"].populate(desired)
    planned = manager.providers["cloudflare"].plan(desired)
    return [] if planned is None else planned.changes


def first_sync():
    check(len(plan(RECORDS)) == len(RECORDS) + 3, "one create per record expected: %r", plan(RECORDS))
    changes = sync(RECORDS)
    check(changes == len(RECORDS) + 3, "the first sync applied %d change(s)", changes)


def replan_no_changes():
    changes = plan(RECORDS)
    check(not changes, "a re-plan after the sync wants changes: %r", changes)


def change_and_resync():
    changed = dict(RECORDS, v6={"type": "AAAA", "value": "2001:db8::11", "ttl": 600})
    del changed["sub"]
    planned = sorted(type(change).__name__ for change in plan(changed))
    check(planned == ["Delete", "Update"], "one update and one delete expected, got %r", planned)
    check(sync(changed) == 2, "the second sync applied other changes")
    check(not plan(changed), "a re-plan after the second sync found changes")
    return changed


def dump(expected):
    out = os.path.join(WORK, "dump")
    Manager(write_config(expected)).dump(zone=ZONE, output_dir=out, sources=["cloudflare"], lenient=False,
                                         split=False, output_provider=None)
    with open(os.path.join(out, ZONE + "yaml"), encoding="utf-8") as handle:
        dumped = yaml.safe_load(handle)
    check(sorted(dumped) == sorted(expected), "dumped names %s, expected %s", sorted(dumped), sorted(expected))
    check(dumped["v6"]["value"] == "2001:db8::11", "dumped AAAA: %r", dumped["v6"])
    check(dumped["www"]["octodns"]["cloudflare"]["proxied"] is True, "proxied CNAME: %r", dumped["www"])
    apex = {entry["type"]: entry for entry in dumped[""]}
    check(sorted(apex["A"]["values"]) == ["192.0.2.10", "192.0.2.11"], "apex A: %r", apex["A"])
    check(len(apex["MX"]["values"]) == 2 and len(apex["TXT"]["values"]) == 2, "apex MX/TXT: %r", apex)
    check(apex["CAA"]["value"]["value"] == "letsencrypt.org", "CAA: %r", apex["CAA"])


step("sync a new zone (created by octodns)", first_sync)
step("re-plan finds no changes", replan_no_changes)
current = step("change the zone file, sync only the difference", change_and_resync)
step("dump the zone from Cloudflare", dump, current or RECORDS)
finish()
