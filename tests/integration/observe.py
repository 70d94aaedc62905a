"""Read the sandbox's state through the vendors' own APIs, normalised for comparisons."""

import requests
from defusedxml import ElementTree

CF_TOKEN = "sandbox-cloudflare-token"
CF_ACCOUNT = "0123456789abcdef0123456789abcdef"
NC_GLOBALS = {"ApiUser": "sandboxuser", "ApiKey": "sandbox-namecheap-key", "UserName": "sandboxuser", "ClientIp": "127.0.0.1"}


def _local(tag):
    return tag.rsplit("}", 1)[-1].lower()


def cloudflare(sandbox):
    """Zones of the sandbox account with their records and managed settings."""
    base = sandbox.urls["cloudflare"] + "/client/v4"
    headers = {"Authorization": "Bearer " + CF_TOKEN}
    zones = requests.get(base + "/zones", params={"account.id": CF_ACCOUNT, "per_page": 50}, headers=headers, timeout=10).json()["result"]
    state = {}
    for zone in zones:
        records = requests.get(base + "/zones/%s/dns_records" % zone["id"], params={"per_page": 1000}, headers=headers, timeout=10).json()["result"]
        settings = {}
        for setting in ("ssl", "always_use_https", "min_tls_version"):
            settings[setting] = requests.get(base + "/zones/%s/settings/%s" % (zone["id"], setting), headers=headers, timeout=10).json()["result"]["value"]
        state[zone["name"]] = {
            "status": zone["status"],
            "name_servers": sorted(zone["name_servers"]),
            "records": sorted(
                (r["type"], r["name"], r["content"], r["ttl"], r.get("proxied", False), r.get("priority"))
                for r in records
            ),
            "settings": settings,
        }
    return state


def namecheap_call(sandbox, command, **params):
    data = dict(NC_GLOBALS, Command=command, **params)
    resp = requests.post(sandbox.urls["namecheap"] + "/xml.response", data=data, timeout=10)
    root = ElementTree.fromstring(resp.content)
    assert root.get("Status") == "OK", resp.text
    return root


def namecheap(sandbox):
    """Domains of the sandbox account with their nameservers and host records."""
    root = namecheap_call(sandbox, "namecheap.domains.getList", PageSize="100")
    state = {}
    for element in root.iter():
        if _local(element.tag) != "domain" or not element.get("Name"):
            continue
        name = element.get("Name")
        sld, tld = name.split(".", 1)
        ns_root = namecheap_call(sandbox, "namecheap.domains.dns.getList", SLD=sld, TLD=tld)
        nameservers = sorted(e.text.lower() for e in ns_root.iter() if _local(e.tag) == "nameserver")
        hosts_root = namecheap_call(sandbox, "namecheap.domains.dns.getHosts", SLD=sld, TLD=tld)
        result = [e for e in hosts_root.iter() if _local(e.tag) == "domaindnsgethostsresult"][0]
        hosts = sorted(
            (h.get("Name"), h.get("Type"), h.get("Address"), h.get("TTL"))
            for h in result if _local(h.tag) == "host"
        )
        state[name] = {"nameservers": nameservers, "email_type": result.get("EmailType"), "hosts": hosts}
    return state


def everything(sandbox):
    return {"cloudflare": cloudflare(sandbox), "namecheap": namecheap(sandbox)}
