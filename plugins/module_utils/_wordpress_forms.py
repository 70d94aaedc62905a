# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contact form and the shop of a WordPress site spec: what they add to its pages, plugins and settings.

Used by the ``fabrik.deploy.wordpress_spec`` filter (and so by the wordpress role) on the site's
``wordpress_forms.contact`` and ``wordpress_shop`` (merged over the preset's ``shop``). Problems are
:class:`~._common.SpecError` naming those variables.

Contact form providers (``wordpress_forms.contact.provider``):

* ``fabrik`` (the default): the fabrik connector's own form (a ``contact-form`` section), whose settings
  (recipient, rate limit, retention, language, texts) the role writes with ``wordpress_contact_form``;
* ``contact-form-7``, ``wpforms``: that plugin's form while it is active (its ``form_id``, else its first form),
  the connector's form otherwise;
* ``shortcode``: any form plugin's shortcode as given (``shortcode``; giving one implies this provider);
* ``links``: no form, the company's e-mail, phone and address as links (a ``contact`` section).

Shop modes (``wordpress_shop.mode``): ``woocommerce`` installs WooCommerce, whose shop page is at ``/shop/``;
``catalogue`` makes that page from the products (a ``products`` section), each with an "enquire" button to the
contact form's page, and needs no plugin.
"""

from __future__ import annotations

import re

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

DEFAULT_FORM_PAGE = "contact"
DEFAULT_FORM_TITLE = "Contact"
FORM_PROVIDERS = ("fabrik", "contact-form-7", "wpforms", "shortcode", "links")
# The providers whose page holds the connector's form (the plugin's forms stand in for it while active).
CONNECTOR_FORM_PROVIDERS = ("fabrik", "contact-form-7", "wpforms")
FORM_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
FORM_TEXTS = ("name_label", "email_label", "message_label", "required_note", "submit", "success", "another",
              "error_summary", "name_missing", "email_missing", "email_invalid", "message_missing", "too_long",
              "expired", "rate_limited", "server_error", "honeypot_label", "privacy", "privacy_link", "enquiry",
              "mail_subject", "mail_page")
FORM_DEFAULTS = {"rate_limit": 5, "retention_days": 90}
FORM_LIMITS = {"rate_limit": 1000, "retention_days": 3650, "form_id": 10 ** 9}
MAX_FORM_TEXT = 500
FORM_KEYS = ("page", "provider", "headline", "plugin", "plugin_src", "shortcode", "form_id", "recipient",
             "rate_limit", "retention_days", "language", "texts")

SHOP_MODES = ("woocommerce", "catalogue")
SHOP_KEYS = ("mode", "plugin_src", "page", "title", "headline", "intro", "columns", "button_text", "products")
DEFAULT_SHOP_PAGE = "shop"
DEFAULT_SHOP_TITLE = "Shop"
WOOCOMMERCE = "woocommerce"
SHOP_HINT = ("set wordpress_shop.mode: catalogue to show the products as a page with \"enquire\" buttons instead, "
             "or give wordpress_shop.plugin_src (a WooCommerce zip on the controller, or a URL the site can reach)")

EMAIL = re.compile(r"^[^@\s<>\"\\]+@[^@\s<>\"\\]+\.[^@\s<>\"\\]+$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _unknown_keys(value, known, field):
    unknown = sorted(set(value) - set(known), key=str)
    if unknown:
        raise SpecError("%s.%s" % (field, unknown[0]), "unknown field (known: %s)" % ", ".join(known))


def _whole_number(value, field, high, low=0):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(field, "a whole number %d..%d expected, got %r" % (low, high, value))
    return value


def _slug(value, field):
    if not isinstance(value, str) or not SLUG.match(value):
        raise SpecError(field, "a page slug (lower-case letters, digits and inner hyphens) expected, got %r" % (value,))
    return value


# ------------------------------------------------------------------ the contact form


def form_provider(form):
    """The contact form's provider (``shortcode`` when a shortcode is given), checked against its other fields."""
    field = "wordpress_forms.contact"
    _unknown_keys(form, FORM_KEYS, field)
    provider = form.get("provider") or ("shortcode" if "shortcode" in form else "fabrik")
    if provider not in FORM_PROVIDERS:
        raise SpecError(field + ".provider", "one of %s expected, got %r" % (", ".join(FORM_PROVIDERS), provider))
    if "shortcode" in form and provider != "shortcode":
        raise SpecError(field + ".shortcode", "only with provider shortcode (the provider is %s)" % provider)
    if provider == "shortcode" and not form.get("shortcode"):
        raise SpecError(field + ".shortcode", "required with provider shortcode")
    if "form_id" in form:
        if provider not in ("contact-form-7", "wpforms"):
            raise SpecError(field + ".form_id", "only with provider contact-form-7 or wpforms")
        _whole_number(form["form_id"], field + ".form_id", FORM_LIMITS["form_id"], low=1)
    _slug(form.get("page", DEFAULT_FORM_PAGE), field + ".page")
    return provider


def contact_form_pages(form, pages, company, render):
    """The page the contact form changes, as a page to merge over ``pages`` (none when nothing changes).

    ``render(sections)`` renders a page's sections (to refuse, naming them, sections that would not render).
    """
    if not form:
        return []
    provider = form_provider(form)
    slug = form.get("page", DEFAULT_FORM_PAGE)
    page = next((item for item in pages if item.get("slug") == slug), None)
    sections = (page or {}).get("sections") or []
    title = (page or {}).get("title", DEFAULT_FORM_TITLE)
    if provider == "shortcode":
        # The page's sections (rendered here only to refuse what would not render), then the form plugin's
        # shortcode as a section the pages module renders for the site's WordPress version (the role checks
        # the shortcode itself, naming wordpress_forms.contact.shortcode).
        render(sections)
        return [{"slug": slug, "title": title, "sections": sections + [{"type": "shortcode",
                                                                        "shortcode": form["shortcode"]}]}]
    details = {
        "type": "contact",
        "headline": form.get("headline", DEFAULT_FORM_TITLE),
        "email": company.get("email", ""),
        "phone": company.get("phone", ""),
        "address": company.get("address", ""),
    }
    if provider == "links":
        if any(section.get("type") == "contact" for section in sections):
            return []
        return [{"slug": slug, "title": title, "sections": sections + [details]}]
    if any(section.get("type") == "contact-form" for section in sections):
        return []
    form_section = {"type": "contact-form"}
    if provider != "fabrik":
        form_section["provider"] = provider
    if "form_id" in form:
        form_section["form_id"] = form["form_id"]
    index = next((number for number, section in enumerate(sections) if section.get("type") == "contact"), None)
    if index is None:
        # No contact list to replace: the form after the page's sections (a page of its own: the form, then the
        # company's phone and address).
        headline = form.get("headline") or (None if page else DEFAULT_FORM_TITLE)
        if headline:
            form_section["headline"] = headline
        after = [] if page else _without_email(details)
        return [{"slug": slug, "title": title, "sections": sections + [form_section] + after}]
    # The form takes the place of the page's contact list (its headline and text), and what the list gave besides
    # the e-mail address (phone, address, buttons) follows the form.
    listed = sections[index]
    for key in ("headline", "text"):
        if listed.get(key):
            form_section[key] = listed[key]
    if form.get("headline"):
        form_section["headline"] = form["headline"]
    rest = _without_email({key: value for key, value in listed.items() if key not in ("headline", "text")})
    return [{"slug": slug, "title": title, "sections": sections[:index] + [form_section] + rest + sections[index + 1:]}]


def _without_email(section):
    """A contact section without its e-mail address (the form replaces it), as a list: empty when nothing is left."""
    kept = {key: value for key, value in section.items() if key not in ("email", "headline") and value}
    return [kept] if set(kept) - {"type"} else []


def contact_form_settings(form, company):
    """The settings of the connector's form (``wordpress_contact_form``'s options), or None without that form."""
    if not form or form_provider(form) not in CONNECTOR_FORM_PROVIDERS:
        return None
    field = "wordpress_forms.contact"
    recipient = form.get("recipient", company.get("email") or "")
    if not isinstance(recipient, str) or (recipient and not EMAIL.match(recipient)):
        raise SpecError(field + ".recipient", "an e-mail address expected, got %r" % (recipient,))
    settings = {"recipient": recipient}
    for key, default in FORM_DEFAULTS.items():
        settings[key] = _whole_number(form.get(key, default), "%s.%s" % (field, key), FORM_LIMITS[key])
    language = form.get("language") or ""
    if language and language not in FORM_LANGUAGES:
        raise SpecError(field + ".language", "empty (the site's) or one of %s expected, got %r"
                        % (", ".join(FORM_LANGUAGES), language))
    settings["language"] = language
    texts = form.get("texts") or {}
    if not isinstance(texts, dict):
        raise SpecError(field + ".texts", "a mapping of text name to text expected")
    _unknown_keys(texts, FORM_TEXTS, field + ".texts")
    for key, text in texts.items():
        if not isinstance(text, str) or not text.strip() or len(text.encode()) > MAX_FORM_TEXT:
            raise SpecError("%s.texts.%s" % (field, key), "a text of 1 to %d bytes expected" % MAX_FORM_TEXT)
    settings["texts"] = dict(texts)
    return settings


def contact_form_plugins(form):
    """The contact form's plugin, to install and activate."""
    if not form or "plugin" not in form:
        return []
    plugin = {"slug": form["plugin"], "required_by": "wordpress_forms.contact.plugin"}
    if "plugin_src" in form:
        plugin["src"] = form["plugin_src"]
    return [plugin]


# ------------------------------------------------------------------ the shop


def shop_mode(shop):
    """The shop's mode, its fields checked; None without a shop."""
    if not shop:
        return None
    _unknown_keys(shop, SHOP_KEYS, "wordpress_shop")
    mode = shop.get("mode", WOOCOMMERCE)
    if mode not in SHOP_MODES:
        raise SpecError("wordpress_shop.mode", "one of %s expected, got %r" % (", ".join(SHOP_MODES), mode))
    return mode


def shop_pages(shop, pages, form):
    """The catalogue page (catalogue mode) as a page to merge over ``pages``; none in woocommerce mode (WooCommerce
    makes its own) or when the page already has a ``products`` section."""
    if shop_mode(shop) != "catalogue":
        return []
    products = shop.get("products")
    if not isinstance(products, list) or not products:
        raise SpecError("wordpress_shop.products", "the catalogue's products expected (a list of {title, price, text, "
                        "image, image_alt}): catalogue mode shows them instead of WooCommerce's shop")
    slug = _slug(shop.get("page", DEFAULT_SHOP_PAGE), "wordpress_shop.page")
    page = next((item for item in pages if item.get("slug") == slug), {})
    sections = page.get("sections") or []
    if any(section.get("type") == "products" for section in sections):
        return []
    section = {"type": "products", "items": products,
               "url": "/%s/" % ((form or {}).get("page") or DEFAULT_FORM_PAGE)}
    for key in ("headline", "intro", "columns", "button_text"):
        if shop.get(key) is not None:
            section[key] = shop[key]
    title = page.get("title") or shop.get("title") or DEFAULT_SHOP_TITLE
    return [{"slug": slug, "title": title, "sections": sections + [section]}]


def shop_plugins(shop):
    """WooCommerce in woocommerce mode (from ``plugin_src`` when given, else wordpress.org)."""
    if shop_mode(shop) != WOOCOMMERCE:
        return []
    plugin = {"slug": WOOCOMMERCE, "required_by": "wordpress_shop.mode", "hint": SHOP_HINT}
    if shop.get("plugin_src"):
        plugin["src"] = shop["plugin_src"]
    return [plugin]
