"""What a run sent to the sandbox, counted: shared by ``make bench`` and the integration test of the counts.

A request log entry (see tests/sandbox/framework.py) is classified by service into

* its *method*: the HTTP method, ``EVENT`` for an Uptime Kuma Socket.IO event;
* its *target*: the path with ids as ``*`` (Namecheap: the XML API command; Uptime Kuma: the event name),
  which names the collection or resource a read reads;
* whether it *writes*.
"""

import re

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Socket.IO events of Uptime Kuma that change nothing (besides get* and login*).
KUMA_READ_EVENTS = {"connect", "disconnect", "http", "needSetup", "logout"}
# coolify_info's and coolify_service's ability probes target an object that cannot exist: reads.
COOLIFY_PROBE = "fabrik-ability-probe"
# Namecheap commands that change nothing.
NAMECHEAP_READ = re.compile(r"\.(check|get[a-z]*)$", re.I)


def method_of(entry):
    return "EVENT" if "event" in entry else entry["method"]


def target_of(entry):
    if "event" in entry:
        return entry["event"]
    if entry.get("command"):
        return entry["command"].lower()
    path = entry["path"].split("?", 1)[0]
    path = re.sub(r"/(?=[0-9a-z]*\d)[0-9a-z]{20,}(?=/|$)", "/*", path)  # Cloudflare/Coolify ids
    path = re.sub(r"/\d+(?=/|$)", "/*", path)  # WordPress ids
    return path


def writes(service, entry):
    if "event" in entry:
        event = entry["event"]
        return event not in KUMA_READ_EVENTS and not event.startswith(("get", "login"))
    if service == "namecheap" or entry.get("command"):
        if "write" in entry:
            return bool(entry["write"])
        return not NAMECHEAP_READ.search(entry.get("command") or "")
    return entry["method"] not in READ_METHODS and COOLIFY_PROBE not in entry["path"]


def by_method(logs):
    """{service: {method: count}} of ``logs`` ({service: [entries]})."""
    counts = {}
    for service, entries in sorted(logs.items()):
        per = counts.setdefault(service, {})
        for entry in entries:
            method = method_of(entry)
            per[method] = per.get(method, 0) + 1
    return counts


def by_target(logs):
    """{service: {"METHOD target": count}} of ``logs``."""
    counts = {}
    for service, entries in sorted(logs.items()):
        per = counts.setdefault(service, {})
        for entry in entries:
            key = "%s %s" % (method_of(entry), target_of(entry))
            per[key] = per.get(key, 0) + 1
    return counts


def write_entries(logs):
    return [dict(entry, service=service) for service, entries in sorted(logs.items()) for entry in entries
            if writes(service, entry)]


# Reads a no-op rerun may repeat, with the reason: handshakes, like logins, not collections.
HANDSHAKES = {
    ("coolify", "GET /version"): "each Coolify module checks the version it talks to",
    ("wordpress", "GET /wp-json/fabrik/v1/status"):
        "connector handshake (version, active theme, SEO plugin) of the theme and head modules",
    ("uptime_kuma", "EVENT connect"): "Socket.IO connection",
    ("uptime_kuma", "EVENT login"): "login",
    ("wordpress", "GET /wp-json/wp/v2/users/me"):
        "credential check: the preflight proves the application password, then wordpress_install uses it",
}
# Reads of one endpoint that serve distinct managed sets.
SHARED_ENDPOINTS = {
    ("namecheap", "POST namecheap.domains.getinfo"): (2, "the preflight proves the API key with the domain's details "
                                                         "(is it in the account, may it be bought?), the domain stage "
                                                         "reads them again"),
    ("cloudflare", "GET /zones"): (2, "the preflight proves the token with the lookup of the site's zone (the domain "
                                      "stage looks it up again: one request per run, the price of failing before "
                                      "anything is bought)"),
    ("wordpress", "GET /wp-json/fabrik/v1/options"): (3, "site options (settings), head options (head) and the "
                                                         "design stylesheet (theme) are all WordPress options, "
                                                         "read through the connector"),
    ("wordpress", "GET /wp-json/wp/v2/settings"): (2, "the site's settings (settings) and its logo and icon "
                                                      "(media, which sets site_logo and site_icon)"),
}


def repeated_reads(logs):
    """Reads of one target made more than once (handshakes and shared endpoints allowed as listed)."""
    found = {}
    for service, per in by_target({s: [e for e in entries if not writes(s, e)] for s, entries in logs.items()}).items():
        for key, count in per.items():
            if (service, key) in HANDSHAKES:
                continue
            allowed = SHARED_ENDPOINTS.get((service, key), (1, ""))[0]
            if count > allowed:
                found["%s %s" % (service, key)] = count
    return found
