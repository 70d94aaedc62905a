# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WordPress REST API client (application passwords), installer and login flows, shared helpers.

Core routes are reached under ``<url>/wp-json``; the fabrik connector must-use plugin
(``files/connector/fabrik-connector.php``) adds the ``fabrik/v1`` namespace for what the
core API of WordPress 6.1 cannot do.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import random
import re
import threading
from urllib.parse import quote, urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.fabrik.deploy.plugins.module_utils._block_markup import LATEST as LATEST_MARKUP
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._http import (
    READ_AHEAD,
    ApiError,
    HttpClient,
    default_error_parser,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_api import WordPressApi

SERVICE = "WordPress"
REST_PREFIX = "/wp-json"
CONNECTOR_NAMESPACE = "/fabrik/v1/"
CONNECTOR_MIN_VERSION = (1, 0)
PAGE_SIZE = 100
INSTALLER_PATH = "/wp-admin/install.php"
INSTALLER_FORM_MARKER = 'id="setup"'
LOGGED_IN_COOKIE_PREFIX = "wordpress_logged_in_"
# A login whose session another login of the same user overwrote at once (WordPress keeps a user's sessions
# in one user meta value, read and written back by each login: two at the same moment keep one) is sent
# back to the login form (reauth); it is tried this many times in all, a little apart. A session lost later
# (a REST request refused as not logged in) is renewed as many times.
LOGIN_ATTEMPTS = 5
LOGIN_PAUSE = 0.5
# The REST API's refusals of a request whose login session is gone (logged in again, then sent again).
SESSION_LOST_CODES = ("rest_cookie_invalid_nonce:", "rest_not_logged_in:")
ERROR_TEXT_LIMIT = 300
# The reads a run sends ahead go this many at once (fewer than _http_transport.POOL_SIZE connections).
READ_AHEAD_THREADS = 8

GA4_ID = re.compile(r"^G-[A-Z0-9]{4,20}$")
GTM_ID = re.compile(r"^GTM-[A-Z0-9]{4,12}$")
VERIFICATION_TOKEN = re.compile(r"^[A-Za-z0-9_=-]{4,128}$")
# Search engine or platform -> the name of its site verification meta tag.
VERIFICATION_META = {
    "google": "google-site-verification",
    "bing": "msvalidate.01",
    "yandex": "yandex-verification",
    "pinterest": "p:domain_verify",
    "facebook": "facebook-domain-verification",
}

# The page meta holding a page's SEO title and description, by the SEO plugin the connector reports
# active (``none``: the connector's own meta, which it prints itself).
SEO_PAGE_META = {
    "none": {"title": "fabrik_seo_title", "description": "fabrik_seo_description"},
    "yoast": {"title": "_yoast_wpseo_title", "description": "_yoast_wpseo_metadesc"},
    "rankmath": {"title": "rank_math_title", "description": "rank_math_description"},
}
# Where the site-wide SEO settings go while an SEO plugin is active: the plugin's settings option, the
# keys of it each setting is written to, and the plugin's variables for the title template's placeholders.
SEO_SITE_OPTIONS = {
    "yoast": {
        "option": "wpseo_titles",
        "keys": {"title_template": ("title-page", "title-post"), "description": ("metadesc-home-wpseo", "metadesc-page")},
        "variables": {"{title}": "%%title%%", "{site}": "%%sitename%%", "{tagline}": "%%sitedesc%%"},
    },
    "rankmath": {
        "option": "rank-math-options-titles",
        "keys": {"title_template": ("pt_page_title", "pt_post_title"),
                 "description": ("homepage_description", "pt_page_description")},
        "variables": {"{title}": "%title%", "{site}": "%sitename%", "{tagline}": "%sitedesc%"},
    },
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def connection_argument_spec():
    """Connection options shared by every WordPress module (see the ``wordpress`` doc fragment)."""
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["WORDPRESS_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["WORDPRESS_USERNAME"])),
        app_password=dict(type="str", no_log=True, fallback=(env_fallback, ["WORDPRESS_APP_PASSWORD"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["WORDPRESS_PASSWORD"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def client_for(ctx, require_credentials=True):
    """A :class:`WordPressClient` from a module's connection options (validated)."""
    params = ctx.params
    if params["timeout"] < 1:
        raise SpecError("timeout", "a positive number of seconds expected, got %d" % params["timeout"])
    if require_credentials:
        if not params["username"]:
            raise SpecError("username", "required (or set WORDPRESS_USERNAME)")
        if not params["app_password"] and not params.get("password"):
            raise SpecError("app_password", "an application password (or WORDPRESS_APP_PASSWORD) or the user's "
                                            "login password (password, or WORDPRESS_PASSWORD) is required")
    return WordPressClient(
        url=params["url"],
        username=params["username"],
        app_password=params["app_password"],
        password=params.get("password"),
        validate_certs=params["validate_certs"],
        timeout=params["timeout"],
        check_mode=ctx.check_mode,
    )


def validate_site_url(value, field="url"):
    """The site's base URL without a trailing slash; http(s) with a host, no query or fragment."""
    parts = urlsplit(str(value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SpecError(field, "the site's http(s) base URL expected (e.g. https://example.com), got %r" % value)
    return "%s://%s%s" % (parts.scheme, parts.netloc, parts.path.rstrip("/"))


def parse_error(response):
    """WordPress's ``{code, message, data}`` error as ``code: message``, else the generic text."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict) and payload.get("code") and payload.get("message"):
        return "%s: %s" % (payload["code"], _plain_text(payload["message"]))
    if "html" in response.headers.get("Content-Type", ""):
        return page_message(response.text) or default_error_parser(response)
    return default_error_parser(response)


def page_message(html):
    """The first message of a WordPress HTML page (installer, login, wp_die), as plain text."""
    for pattern in (r'<div id="login_error"[^>]*>(.*?)</div>', r'<p class="message">(.*?)</p>',
                    r'<div class="wp-die-message">(.*?)</div>', r"<p>(.*?)</p>"):
        match = re.search(pattern, html or "", re.S)
        if match:
            return _plain_text(match.group(1))[:ERROR_TEXT_LIMIT]
    return ""


def _plain_text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(html))).strip()


def content_disposition(filename):
    """A ``Content-Disposition`` header naming ``filename`` (its base name, safe for any characters)."""
    name = re.split(r"[\\/]", filename)[-1] or "upload"
    ascii_name = re.sub(r'[^A-Za-z0-9._ -]', "_", name)
    return "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (ascii_name, quote(name, safe=""))


def version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", str(text or ""))[:3])


class WordPressClient(WordPressApi):
    """WordPress over :class:`HttpClient`: Basic authentication with an application password, or else a login
    session of ``username`` with its login ``password`` (cookie and REST nonce, opened before the first REST
    call: two requests per client).

    Without ``username`` and either password the client is anonymous (installer, login form).
    ``secrets``: further values to redact from every message (e.g. a login password).
    """

    def __init__(self, url, username=None, app_password=None, validate_certs=True, timeout=30,
                 check_mode=False, secrets=(), password=None):
        self.url = validate_site_url(url)
        self.username = username
        headers, hidden = {}, [app_password, password, *secrets]
        # A session login is used only without an application password.
        self._login_password = password if username and password and not app_password else None
        self._session_password = self._login_password  # for a new login when the session is lost
        self._session_number = 0  # how many logins this client made
        self._session_lock = threading.Lock()  # reads may run in parallel: one login, before any of them
        self._status, self._status_read = None, False  # site_status(), read once
        if username and app_password:
            token = base64.b64encode(("%s:%s" % (username, app_password)).encode()).decode()
            headers["Authorization"] = "Basic " + token
            hidden += [token, app_password.replace(" ", "")]
        self.http = HttpClient(
            service=SERVICE,
            base_url=self.url,
            headers=headers,
            secrets=[value for value in hidden if value],
            timeout=timeout,
            validate_certs=validate_certs,
            error_parser=parse_error,
            check_mode=check_mode,
            rate_limit=("wordpress", username or ""),
            # The REST reads are handed to the later tasks of the run (module_utils/_run_reads.py), per user and
            # password; the next run sends the ones this run made ahead (read_ahead).
            reads_scope="%s\n%s" % (username, app_password or password) if username and (app_password or password)
            else None,
            learn_reads=True,
        )

    # -- REST

    def _rest_response(self, method, route, operation, **kwargs):
        number = self._ensure_session()
        for attempt in range(1, LOGIN_ATTEMPTS):
            try:
                return self.http.request(method, REST_PREFIX + route, operation=operation, cache=method == "GET",
                                         **kwargs)
            except ApiError as err:
                if not self._session_lost(err.status, err.message):
                    raise
            # Refused before anything was done (the cookie check comes first): log in again, send it again.
            number = self._renew_session(number, attempt)
        return self.http.request(method, REST_PREFIX + route, operation=operation, cache=method == "GET", **kwargs)

    def _ensure_session(self):
        """Log in once, before the first authenticated request, when the client uses the login password;
        the number of this client's logins so far."""
        with self._session_lock:
            if self._login_password is not None:
                self.login(self.username, self._login_password)
                self._login_password = None
                self._session_number += 1
            return self._session_number

    def _session_lost(self, status, message):
        """Whether a refusal says the login session is gone: another login of the same user at the same
        moment can drop it (WordPress keeps a user's sessions in one user meta value that each login reads and
        writes back)."""
        return (self._session_password is not None and status in (401, 403)
                and str(message or "").startswith(SESSION_LOST_CODES))

    def _renew_session(self, number, attempt):
        """Log in again, unless another thread did since the session ``number``; the new session's number.
        Other logins of the user may go on dropping sessions while they last: from the second renewal on, a
        pause first (growing, and drawn at random so that clients that collided do not collide again)."""
        if attempt > 1:
            self.http.sleep(LOGIN_PAUSE * attempt * random.uniform(0.5, 1.5))
        with self._session_lock:
            if self._session_number == number:
                self.login(self.username, self._session_password)
                self._session_number += 1
            return self._session_number

    def _json(self, response, method, route, operation):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(SERVICE, operation, method, REST_PREFIX + route, status=response.status_code,
                           message="the answer is not JSON: %s" % self.http.redact(page_message(response.text)
                                                                                   or response.text[:200])) from None

    def rest(self, method, route, operation, params=None, json=None, data=None, headers=None, expected=None):
        """Call a REST route (``/wp/v2/pages``); return the parsed JSON answer (None when empty)."""
        response = self._rest_response(method, route, operation, params=params, json=json, data=data,
                                       headers=headers, expected=expected)
        return self._json(response, method, route, operation)

    def list_all(self, route, operation, params=None):
        """Every item of a collection route, all pages (``per_page=100``, ``X-WP-TotalPages``)."""
        items, page = [], 1
        while True:
            query = dict(params or {}, per_page=PAGE_SIZE, page=page)
            response = self._rest_response("GET", route, operation, params=query)
            batch = self._json(response, "GET", route, operation) or []
            if not isinstance(batch, list):
                raise ApiError(SERVICE, operation, "GET", REST_PREFIX + route, status=response.status_code,
                               message="a JSON list expected")
            items.extend(batch)
            total_pages = int(response.headers.get("X-WP-TotalPages") or 1)
            if page >= total_pages or not batch:
                return items
            page += 1

    def upload(self, route, filename, content_bytes, content_type, operation, params=None):
        """POST a file as the raw request body (how ``/wp/v2/media`` and the connector take files)."""
        headers = {"Content-Type": content_type, "Content-Disposition": content_disposition(filename)}
        return self.rest("POST", route, operation, params=params, data=content_bytes, headers=headers)

    def connector(self, method, action, operation, json=None, params=None):
        """Call the fabrik connector's ``/fabrik/v1/<action>`` route."""
        try:
            return self.rest(method, CONNECTOR_NAMESPACE.rstrip("/") + "/" + action.lstrip("/"), operation,
                             params=params, json=json)
        except ApiError as err:
            if err.status == 404 and err.message.startswith("rest_no_route"):
                err.message = ("the fabrik connector is not installed: copy files/connector/fabrik-connector.php "
                               "of the fabrik.deploy collection into wp-content/mu-plugins/")
            raise

    def connector_status(self, min_version=CONNECTOR_MIN_VERSION, feature=None):
        """The connector's ``/status``; fails when the connector is older than ``min_version`` (what this collection
        needs, or what ``feature`` needs) or some of its parts are missing."""
        status = self.connector("GET", "status", "read connector status")
        if version_tuple(status.get("connector_version"))[:2] < tuple(min_version):
            raise ApiError(SERVICE, "read connector status", "GET", REST_PREFIX + CONNECTOR_NAMESPACE + "status",
                           status=200, message="connector %s is too old%s, %s or later needed: update "
                           "wp-content/mu-plugins/fabrik-connector.php and its directory fabrik-connector/ (the app "
                           "stage installs both)" % (status.get("connector_version"), " for " + feature if feature else "",
                                                     ".".join(map(str, min_version))))
        missing = status.get("missing_parts") or []
        if missing:
            raise ApiError(SERVICE, "read connector status", "GET", REST_PREFIX + CONNECTOR_NAMESPACE + "status",
                           status=200, message="the fabrik connector is incomplete: wp-content/mu-plugins/"
                           "fabrik-connector/ lacks %s: install the whole files/connector directory of the "
                           "collection (the app stage does)" % ", ".join("%s.php" % part for part in missing))
        return status

    def site_status(self):
        """The connector's ``/status``, read once per client; None when the connector is not installed."""
        if not self._status_read:
            try:
                self._status = self.connector_status()
            except ApiError as err:
                if err.status != 404:
                    raise
                self._status = None
            self._status_read = True
        return self._status

    def wordpress_version(self):
        """The site's WordPress version (``6.8.12``) as the connector reports it; None without the connector."""
        status = self.site_status()
        return status.get("wordpress_version") if status else None

    def seo_plugin(self):
        """The SEO plugin the connector writes SEO fields for (``yoast``, ``rankmath``) or ``none``.

        Also ``none`` when the connector is not installed (the connector's own meta is then not exposed
        either, which the caller reports). The second value is True when another SEO plugin, one with no
        mapping, is active.
        """
        status = self.site_status()
        if status is None:
            return "none", False
        if status.get("seo_plugin") not in SEO_PAGE_META:
            raise ApiError(SERVICE, "read connector status", "GET", REST_PREFIX + CONNECTOR_NAMESPACE + "status",
                           status=200, message="the connector does not report the active SEO plugin: update "
                           "wp-content/mu-plugins/fabrik-connector.php")
        return status["seo_plugin"], status["seo_plugin"] == "none" and bool(status.get("seo_plugin_active"))

    def current_user(self):
        """The authenticated user (``context=edit``), or None when the credentials are refused."""
        number = self._ensure_session()
        response = self._users_me()
        for attempt in range(1, LOGIN_ATTEMPTS):
            if not self._session_lost(response.status_code, parse_error(response)):
                break
            number = self._renew_session(number, attempt)
            response = self._users_me()
        if response.status_code != 200:
            return None
        try:
            user = response.json()
        except ValueError:
            return None  # not the REST API answering (e.g. the installer of a site not installed yet)
        return user if isinstance(user, dict) and "username" in user else None

    def _users_me(self):
        return self.http.request("GET", REST_PREFIX + "/wp/v2/users/me", operation="check credentials",
                                 params={"context": "edit", "_fields": "id,username"},
                                 expected=(200, 401, 403), raw=True, cache=True)

    def read_ahead(self):
        """Send at once the REST reads this site's last run made with these credentials (noted by the HTTP
        layer), so that the tasks after this one find their answers kept (module_utils/_run_reads.py) instead
        of reading one round after the other. An answer that is not a success is left to the task that reads
        it. The number of reads sent."""
        reads = self.http.reads
        wanted = [(path, params) for path, params in (reads.learned() if reads is not None else [])
                  if path.startswith(REST_PREFIX + "/")]
        if not wanted:
            return 0

        def read(path, params):
            try:
                # Not retried (idempotent=False): a read that fails here is the task's to make and retry.
                self.http.request("GET", path, operation="read ahead", params=params, raw=True, cache=READ_AHEAD,
                                  idempotent=False)
            except ApiError:
                pass

        self._ensure_session()
        parallel(*[functools.partial(read, path, params) for path, params in wanted], limit=READ_AHEAD_THREADS)
        return len(wanted)

    # -- installer and login (anonymous client)

    def installer_shown(self):
        """True while WordPress is not installed (``install.php`` shows its setup form)."""
        response = self.http.request("GET", INSTALLER_PATH, operation="read installer", expected=(200,))
        return INSTALLER_FORM_MARKER in response.text

    def install(self, title, admin_user, admin_password, admin_email, public=True):
        """Submit the installer's form; verify the site is installed afterwards."""
        form = {
            "weblog_title": title,
            "user_name": admin_user,
            "admin_password": admin_password,
            "admin_password2": admin_password,
            "pw_weak": "1",
            "admin_email": admin_email,
            "blog_public": "1" if public else "0",
            "language": "",
        }
        response = self.http.request("POST", INSTALLER_PATH, operation="install WordPress",
                                     params={"step": "2"}, data=form, expected=(200,))
        if self.installer_shown():
            raise ApiError(SERVICE, "install WordPress", "POST", INSTALLER_PATH, status=response.status_code,
                           message=self.http.redact(page_message(response.text) or "the installer refused the form"))

    def login(self, username, password):
        """Log in through ``wp-login.php`` and set the REST nonce: later REST calls act as that user."""
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            if self._login_once(username, password, last=attempt == LOGIN_ATTEMPTS):
                return
            self.http.sleep(LOGIN_PAUSE * attempt * random.uniform(0.5, 1.5))

    def _login_once(self, username, password, last):
        """One login; False when its session was lost at once (another login of the user at the same moment)
        and ``last`` is false, so that the caller tries again."""
        self.http.set_cookie("wordpress_test_cookie", "WP Cookie check")
        # A login opens a session and changes no content: allowed in check mode.
        response = self.http.request("POST", "/wp-login.php", operation="log in",
                                     data={"log": username, "pwd": password, "testcookie": "1"}, mutates=False)
        # wp-admin sent the fresh login back to the form (reauth=1): its session is gone already.
        if "reauth=1" in str(getattr(response, "url", "")) and 'id="login_error"' not in response.text and not last:
            return False
        if not any(cookie.name.startswith(LOGGED_IN_COOKIE_PREFIX) for cookie in self.http.cookies):
            raise ApiError(SERVICE, "log in", "POST", "/wp-login.php", status=response.status_code,
                           message=self.http.redact(page_message(response.text) or "no session cookie was set"))
        answer = self.http.request("GET", "/wp-admin/admin-ajax.php", operation="read REST nonce",
                                   params={"action": "rest-nonce"}, expected=(200, 400), raw=True)
        nonce = answer.text.strip()
        if answer.status_code == 400 and nonce == "0" and not last:  # logged out meanwhile: the session is gone
            return False
        if answer.status_code != 200 or not re.match(r"^[0-9a-f]{6,32}$", nonce):
            raise ApiError(SERVICE, "read REST nonce", "GET", "/wp-admin/admin-ajax.php", status=answer.status_code,
                           message="no REST nonce in the answer")
        self.http.headers["X-WP-Nonce"] = nonce
        return True


# ----------------------------------------------------------------- helpers


NO_VERSION_WARNING = ("the fabrik connector is not installed, so the WordPress version of the site is unknown: the "
                      "block markup of WordPress %s is written (set wordpress_version to the site's version)")


def site_wordpress_version(client, warn):
    """The site's WordPress version as the connector reports it (one read per client); without the connector,
    None (the newest supported markup) after a warning through ``warn``."""
    version = client.wordpress_version()
    if version is None:
        warn(NO_VERSION_WARNING % ".".join(map(str, LATEST_MARKUP)))
    return version


def sha256_of(content_bytes):
    return hashlib.sha256(content_bytes).hexdigest()


def seo_text(value):
    """SEO text as the connector stores it in an SEO plugin's fields: control characters and tags dropped,
    runs of white space made one space."""
    text = re.sub(r"<[^>]*>", "", CONTROL_CHARACTERS.sub("", value))
    return re.sub(r"[\t\n\r ]+", " ", text).strip(" ")


def merge_by_key(base, updates, key):
    """``base`` (a list of dicts) with each of ``updates`` merged over the item with the same ``key``.

    Items of ``base`` keep their order; updates for new keys are appended in their order.
    """
    merged = [dict(item) for item in base or []]
    positions = {item.get(key): index for index, item in enumerate(merged)}
    for update in updates:
        index = positions.get(update[key])
        if index is None:
            positions[update[key]] = len(merged)
            merged.append(dict(update))
        else:
            merged[index].update(update)
    return merged


# Scripts that wait for the visitor's consent: inert (type text/plain) until the fabrik connector's consent banner
# runs them (data-src becomes src), after the visitor agreed.
CONSENT_SCRIPT = '<script type="text/plain" data-fabrik-consent="analytics"'


def ga4_snippet(measurement_id):
    """The gtag.js loader for a GA4 measurement id (``G-XXXX``), run only after consent."""
    return (
        CONSENT_SCRIPT + ' data-src="https://www.googletagmanager.com/gtag/js?id={id}"></script>\n'
        + CONSENT_SCRIPT + ">window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}"
        "gtag('js',new Date());gtag('config','{id}');</script>"
    ).format(id=measurement_id)


def gtm_snippet(container_id):
    """The Google Tag Manager head loader for a container id (``GTM-XXXX``), run only after consent."""
    return (
        CONSENT_SCRIPT + ">(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':new Date().getTime(),"
        "event:'gtm.js'}});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';"
        "j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
        "}})(window,document,'script','dataLayer','{id}');</script>"
    ).format(id=container_id)


def verification_snippet(service, token):
    return '<meta name="%s" content="%s" />' % (VERIFICATION_META[service], token)


def head_snippets(ga4_id=None, gtm_id=None, verification=None, snippets=None):
    """The name -> HTML snippets to store: given ``snippets`` plus generated analytics and verification tags.

    Raises SpecError for a malformed id or token, an unknown verification service or a name clash.
    """
    result = {}
    for name, html in (snippets or {}).items():
        if not re.match(r"^[a-z0-9_-]{1,64}$", str(name)):
            raise SpecError("snippets.%s" % name, "names of lower-case letters, digits, _ and - expected")
        if not isinstance(html, str) or not html.strip():
            raise SpecError("snippets.%s" % name, "a non-empty HTML string expected")
        result[name] = html.strip()
    generated = {}
    if ga4_id:
        if not GA4_ID.match(ga4_id):
            raise SpecError("ga4_id", "a GA4 measurement id like G-XXXXXXX expected, got %r" % ga4_id)
        generated["ga4"] = ga4_snippet(ga4_id)
    if gtm_id:
        if not GTM_ID.match(gtm_id):
            raise SpecError("gtm_id", "a Tag Manager container id like GTM-XXXXXX expected, got %r" % gtm_id)
        generated["gtm"] = gtm_snippet(gtm_id)
    for service, token in sorted((verification or {}).items()):
        if service not in VERIFICATION_META:
            raise SpecError("verification.%s" % service, "one of %s expected" % ", ".join(sorted(VERIFICATION_META)))
        if not VERIFICATION_TOKEN.match(str(token)):
            raise SpecError("verification.%s" % service, "a verification token (letters, digits, _ - =) expected")
        generated["verify-%s" % service] = verification_snippet(service, token)
    for name in generated:
        if name in result:
            raise SpecError("snippets.%s" % name, "this name is reserved for the generated snippet")
    result.update(generated)
    return result
