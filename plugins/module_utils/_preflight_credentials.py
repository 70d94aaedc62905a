# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight's proof of each credential a run needs: one read-only request (or handshake) per service.

Each service the selected stages use is asked, in parallel, the cheapest question that only a working
credential answers, before anything is bought or written:

======================  ================================================================  =====================
service                 request                                                           proves
======================  ================================================================  =====================
Cloudflare              ``GET /zones?name=<site>&account.id=<account>``                   token, zone read; the
                                                                                          zone exists (dns, gate)
Namecheap               ``namecheap.domains.getInfo`` of the site's domain                API user, key, IP;
                                                                                          the domain is in the
                                                                                          account, or may be
                                                                                          bought
Coolify                 ``GET /version``, ``GET /servers``, the two ability probes        token, server, write
                                                                                          and deploy abilities
Uptime Kuma             Socket.IO connect and login                                       user and password (or
                                                                                          token, 2FA secret)
R2                      ``GET /accounts/<id>/r2/buckets`` (Cloudflare), with assets       R2 permission and
                        ``ListObjectsV2`` of the bucket (S3, one key)                     account; S3 key pair
WordPress               ``GET /wp-json/wp/v2/users/me`` with the application password,    application password,
                        else the login form with the administrator's password             or login password
======================  ================================================================  =====================

A refusal is a problem naming the variable that holds the credential. A service that cannot be reached is a
problem naming its URL variable, except WordPress when the run deploys it (the ``app`` stage): a new site does
not answer before its first run.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
from ansible_collections.fabrik.deploy.plugins.module_utils._preflight import services_of

PROBE_TIMEOUT = 20
REFUSED = (401, 403)


class Refused(Exception):
    """A probe's verdict: the credential in ``field`` does not work (``message`` says why)."""

    def __init__(self, field, message):
        super().__init__("%s: %s" % (field, message))
        self.field = field
        self.message = message


def _timeout(site, name=None):
    value = site.get(name) if name else None
    return min(value, PROBE_TIMEOUT) if isinstance(value, int) and value > 0 else PROBE_TIMEOUT


def _unreachable_or_refused(err, token_field, url_field, service):
    """The Refused for an ApiError of a probe: refused credential, or a service that cannot be reached."""
    if err.status in REFUSED:
        return Refused(token_field, "%s refused it (%s)" % (service, err.message or "HTTP %s" % err.status))
    if err.status is None:
        return Refused(url_field, "cannot reach %s: %s" % (service, err.message))
    return Refused(url_field, "%s answered HTTP %s: %s" % (service, err.status, err.message))


# ------------------------------------------------------------------ one probe per service


def probe_cloudflare(site, check_mode=False):
    from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import DEFAULT_API_URL, CloudflareClient

    client = CloudflareClient(api_token=site.get("cloudflare_api_token"),
                              api_url=site.get("cloudflare_api_url") or DEFAULT_API_URL,
                              account_id=site.get("cloudflare_account_id"), timeout=_timeout(site))
    try:
        zone = client.find_zone(site.domain)
    except SpecError as err:
        raise Refused("cloudflare_account_id", err.message) from None
    except ApiError as err:
        raise _unreachable_or_refused(err, "cloudflare_api_token", "cloudflare_api_url", "Cloudflare") from None
    site.facts["cloudflare_zone"] = zone.get("id") if zone else None
    if zone is None and "domain" not in site.stages and not check_mode and {"dns", "gate"} & set(site.stages):
        where = " in account %s" % site.get("cloudflare_account_id") if site.get("cloudflare_account_id") else ""
        raise Refused("site_domain", "no Cloudflare zone %s%s: run the domain stage first (or check "
                                     "cloudflare_account_id)" % (site.domain, where))
    return "token accepted; zone %s" % ("found" if zone else "not created yet")


def probe_namecheap(site, check_mode=False):
    from ansible_collections.fabrik.deploy.plugins.module_utils._namecheap import DEFAULT_API_URL, NamecheapClient

    client = NamecheapClient(api_user=site.get("namecheap_api_user"), api_key=site.get("namecheap_api_key"),
                             client_ip=site.get("namecheap_client_ip"),
                             api_url=site.get("namecheap_api_url") or DEFAULT_API_URL, timeout=_timeout(site))
    try:
        owned = client.get_info(site.domain) is not None
    except ApiError as err:
        numbers = getattr(err, "numbers", frozenset())
        if numbers & {1011150}:
            raise Refused("namecheap_client_ip", "Namecheap refused the request's IP address (%s): whitelist it in "
                                                 "the account's API access settings" % err.message) from None
        if numbers & {1010101, 1016103}:
            raise Refused("namecheap_api_user", "Namecheap refused it (%s)" % err.message) from None
        if numbers:
            raise Refused("namecheap_api_key", "Namecheap refused it (%s)" % err.message) from None
        raise _unreachable_or_refused(err, "namecheap_api_key", "namecheap_api_url", "Namecheap") from None
    if owned:
        return "account reached; the domain is in it"
    if not site.get("domain_register"):
        raise Refused("domain_register", "%s is not in the Namecheap account, and buying it charges the account: "
                                         "set domain_register: true (with domain_contacts) to buy it, or "
                                         "domain_registrar: external when it is registered elsewhere" % site.domain)
    if not (site.get("domain_contacts") or {}).get("registrant"):
        raise Refused("domain_contacts", "required to register %s: the registrant's contact (see "
                                         "inventories/example)" % site.domain)
    return "account reached; the domain is to be registered"


def probe_coolify(site, check_mode=False):
    from ansible_collections.fabrik.deploy.plugins.module_utils._coolify import CoolifyClient

    client = CoolifyClient(site.get("coolify_api_url"), site.get("coolify_api_token"), timeout=_timeout(site))

    def version():
        try:
            client.version()
        except SpecError as err:
            raise Refused("coolify_api_url", err.message) from None
        except ApiError as err:
            raise _unreachable_or_refused(err, "coolify_api_token", "coolify_api_url", "Coolify") from None

    server_field = "app_server" if site.given.get("app_server") and not site.get("coolify_server") else "coolify_server"

    def server():
        if site.get("app_server"):
            client.find_server(name=site.get("app_server"))

    # All at once; the version's verdict first (a wrong URL or token fails every request), as if sequential.
    try:
        missing = parallel(version, server, lambda: client.missing_abilities(["write", "deploy"]))[2]
    except SpecError as err:
        raise Refused(server_field, err.message) from None
    except ApiError as err:
        raise _unreachable_or_refused(err, "coolify_api_token", "coolify_api_url", "Coolify") from None
    if missing:
        raise Refused("coolify_api_token", "the token lacks the %s abilit%s (Coolify answered 403): create a token "
                                           "with %s, or root" % (" and ".join(missing), "ies" if len(missing) > 1 else "y",
                                                                 " + ".join(missing)))
    return "token accepted with write and deploy; server found"


def probe_uptime_kuma(site, check_mode=False):
    from ansible_collections.fabrik.deploy.plugins.module_utils._uptime_kuma import KUMA_LIBRARY, UptimeKumaClient

    if KUMA_LIBRARY.load() is None:
        return "not proven: the uptime-kuma-api2 library is not installed"
    token = site.get("uptime_kuma_token")
    client = UptimeKumaClient(site.get("uptime_kuma_url"), username=None if token else site.get("uptime_kuma_username"),
                              password=None if token else site.get("uptime_kuma_password"), token=token,
                              totp_secret=None if token else site.get("uptime_kuma_totp_secret"),
                              timeout=_timeout(site, "uptime_kuma_timeout"))
    try:
        client.login()
    except SpecError as err:
        raise Refused("uptime_kuma_" + err.field, err.message) from None
    except ApiError as err:
        field = "uptime_kuma_url" if err.operation in ("connect", "read server info") else \
            "uptime_kuma_token" if token else "uptime_kuma_password"
        raise Refused(field, "Uptime Kuma refused the login (%s)" % err.message if field != "uptime_kuma_url"
                      else err.message) from None
    finally:
        client.close()
    return "logged in"


def probe_r2(site, check_mode=False):
    from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import DEFAULT_API_URL
    from ansible_collections.fabrik.deploy.plugins.module_utils._r2_buckets import R2BucketClient

    account = site.get("r2_account_id") or site.get("cloudflare_account_id")
    account_field = "r2_account_id" if site.get("r2_account_id") else "cloudflare_account_id"
    client = R2BucketClient(api_token=site.get("cloudflare_api_token"),
                            api_url=site.get("cloudflare_api_url") or DEFAULT_API_URL, account_id=account,
                            timeout=_timeout(site))
    jurisdiction = site.get("storage_jurisdiction")
    try:
        client.list_buckets(jurisdiction if jurisdiction not in (None, "default") else None)
    except ApiError as err:
        if err.status in REFUSED:
            raise Refused("cloudflare_api_token", "Cloudflare refused to list the R2 buckets of account %s (%s): the "
                                                  "token needs Workers R2 Storage: Edit on that account (check %s too)"
                          % (account, err.message, account_field)) from None
        raise _unreachable_or_refused(err, "cloudflare_api_token", "cloudflare_api_url", "Cloudflare") from None
    if site.get("storage_assets"):
        probe_s3(site, account, jurisdiction)
    return "R2 reached%s" % (" (S3 key pair accepted)" if site.get("storage_assets") else "")


def probe_s3(site, account, jurisdiction):
    from ansible_collections.fabrik.deploy.plugins.module_utils._r2 import R2Client, require_boto3

    try:
        require_boto3()
    except Exception:  # pylint: disable=broad-except  # a missing boto3 is the r2 modules' own message
        return
    try:
        client = R2Client(site.get("r2_access_key_id"), site.get("r2_secret_access_key"), account_id=account,
                          endpoint_url=site.get("r2_endpoint_url"),
                          jurisdiction=jurisdiction if jurisdiction != "default" else None, timeout=_timeout(site))
        client.check_access(site.get("storage_bucket"))
    except SpecError as err:
        raise Refused("r2_account_id" if err.field == "account_id" else "r2_" + err.field, err.message) from None
    except ApiError as err:
        message = err.message or ""
        if "SignatureDoesNotMatch" in message:
            raise Refused("r2_secret_access_key", "R2 refused the signature (%s)" % message) from None
        if err.status in REFUSED or "InvalidAccessKeyId" in message:
            raise Refused("r2_access_key_id", "R2 refused the key pair (%s)" % message) from None
        raise Refused("r2_endpoint_url", "cannot use R2's S3 endpoint: %s" % message) from None


def probe_wordpress(site, check_mode=False):
    from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import WordPressClient

    url, username = site.get("wordpress_url"), site.get("wordpress_username")
    admin_password = site.get("wordpress_admin_password")
    app_password, from_file = stored_app_password(site)
    timeout = _timeout(site)
    try:
        if app_password:
            client = WordPressClient(url, username=username, app_password=app_password, timeout=timeout)
            if "wordpress" in site.stages:
                # The reads the stage's tasks made last run, sent at once now: each task finds them done.
                client.read_ahead()
            user = client.current_user()
            if user is not None and user.get("username") == username:
                return "application password accepted"
        anonymous = WordPressClient(url, timeout=timeout, secrets=[admin_password, app_password])
        if anonymous.installer_shown():
            return "not installed yet: the installer will create %s" % username
        if app_password and not from_file and not site.get("wordpress_app_password_file"):
            raise Refused("wordpress_app_password", "WordPress at %s does not accept it for %s" % (url, username))
        anonymous.login(username, admin_password)
    except ApiError as err:
        if err.status is None and "app" in site.stages:
            return "not reachable yet (the app stage deploys it): %s" % err.message
        if err.operation == "log in":
            raise Refused("wordpress_admin_password", "WordPress refused the login of %s (%s)"
                          % (username, err.message)) from None
        raise _unreachable_or_refused(err, "wordpress_admin_password", "wordpress_url", "WordPress") from None
    return "login password accepted"


def stored_app_password(site):
    """(the application password to try, whether it came from wordpress_app_password_file)."""
    if site.get("wordpress_app_password"):
        return site.get("wordpress_app_password"), False
    path = site.get("wordpress_app_password_file")
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None, True
    return None, False


PROBES = {
    "cloudflare": (probe_cloudflare, ("cloudflare_api_token", "cloudflare_api_url", "cloudflare_account_id")),
    "namecheap": (probe_namecheap, ("namecheap_api_user", "namecheap_api_key", "namecheap_client_ip",
                                    "namecheap_api_url", "site_domain")),
    "coolify": (probe_coolify, ("coolify_api_url", "coolify_api_token", "app_server", "coolify_server")),
    "uptime_kuma": (probe_uptime_kuma, ("uptime_kuma_url", "uptime_kuma_username", "uptime_kuma_password",
                                        "uptime_kuma_token", "uptime_kuma_totp_secret", "uptime_kuma_timeout")),
    "r2": (probe_r2, ("cloudflare_api_token", "cloudflare_api_url", "cloudflare_account_id", "r2_account_id",
                      "r2_access_key_id", "r2_secret_access_key", "r2_endpoint_url", "storage_bucket",
                      "storage_jurisdiction")),
    "wordpress": (probe_wordpress, ("wordpress_url", "wordpress_username", "wordpress_admin_password",
                                    "wordpress_app_password", "wordpress_app_password_file")),
}


def prove_credentials(site, problems, check_mode=False, probes=None):
    """Run the probe of each service of the run whose connection variables have no problem, all at once;
    record refusals as problems and each service's verdict in ``site.facts["credentials"]``."""
    probes = probes or PROBES
    verdicts = site.facts.setdefault("credentials", {})
    wanted = []
    for service in services_of(site.stages):
        probe, inputs = probes[service]
        if problems.about(*inputs) or (service in ("cloudflare", "namecheap", "r2") and not site.domain):
            verdicts[service] = "not proven: fix the problems above first"
            continue
        if service == "namecheap" and site.get("domain_registrar", "namecheap") != "namecheap":
            continue
        wanted.append((service, probe))
    if not wanted:
        return
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        futures = [(service, pool.submit(_verdict, probe, site, check_mode)) for service, probe in wanted]
    refused = set()
    for service, future in futures:
        verdict = future.result()
        if isinstance(verdict, Refused):
            # one problem per variable: Cloudflare's token serves R2 too, and the spec check may have named
            # the variable already (domain_register, domain_contacts)
            if verdict.field not in refused and not problems.about(verdict.field):
                problems.add(verdict.field, verdict.message)
            refused.add(verdict.field)
            verdicts[service] = "refused"
        else:
            verdicts[service] = verdict


def _verdict(probe, site, check_mode):
    try:
        return probe(site, check_mode)
    except Refused as refused:
        return refused
    except ApiError as err:
        return Refused(err.service.lower().replace(" ", "_") + "_api_token", str(err))
