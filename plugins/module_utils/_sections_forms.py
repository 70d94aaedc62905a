# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The section types that lead to the contact form: the form itself and a catalogue of products.

:mod:`._blocks` renders their headline and introduction like every section's and calls these for the rest:

* ``contact-form``: the fabrik connector's form, a shortcode block with ``[fabrik_contact_form]`` (the connector
  renders the form on the site, in the site's language; ``provider`` hands over to Contact Form 7 or WPForms while
  that plugin is active);
* ``products``: a grid of products, each with its price and an "enquire" button to the contact form's page
  (``?enquiry=<product>`` pre-fills the form's message): the shop of a site without WooCommerce.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ansible_collections.fabrik.deploy.plugins.module_utils._block_markup import block

CONTACT_FORM_SHORTCODE = "fabrik_contact_form"
# fabrik: the connector's own form; the others: that plugin's form while it is active, the connector's otherwise.
FORM_PROVIDERS = ("fabrik", "contact-form-7", "wpforms")
MAX_FORM_ID = 10 ** 9
DEFAULT_ENQUIRY_URL = "/contact/"
DEFAULT_ENQUIRY_TEXT = "Enquire"
ENQUIRY_PARAMETER = "enquiry"


def contact_form_shortcode(provider="fabrik", form_id=None):
    """The connector's shortcode for a form of ``provider`` (form ``form_id`` of that plugin, else its first)."""
    attributes = ""
    if provider != "fabrik":
        attributes += ' provider="%s"' % provider
    if form_id:
        attributes += ' form="%d"' % form_id
    return "[%s%s]" % (CONTACT_FORM_SHORTCODE, attributes)


def contact_form(fields):
    """The form's shortcode block (after the section's headline and text)."""
    provider = fields.choice("provider", FORM_PROVIDERS, "fabrik")
    form_id = fields.number("form_id", 1, MAX_FORM_ID, None)
    return [block("shortcode", None, contact_form_shortcode(provider, form_id))]


def enquiry_url(url, product):
    """``url`` (already validated) with ``enquiry=<product>`` added to its query, before any fragment."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(ENQUIRY_PARAMETER, product)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def product_cells(fields, body):
    """One cell per product (image, title, price, text, button), for the section's grid; ``body(fields, key)`` makes
    the paragraphs of a long text. Each button leads to the section's ``url`` (the contact page) with the product
    named, or to the product's own ``url``."""
    markup = fields.markup
    target = fields.url("url") or DEFAULT_ENQUIRY_URL
    button_text = fields.text("button_text") or DEFAULT_ENQUIRY_TEXT
    cells = []
    for item in fields.items("items", required=True):
        name = item.plain("title", required=True)
        cell = []
        picture = item.url("image")
        if picture:
            cell.append(markup.image(picture, item.plain("image_alt") or name))
        cell.append(markup.heading(item.text("title", required=True), 3))
        price = item.text("price")
        if price:
            cell.append(markup.paragraph("<strong>%s</strong>" % price))
        cell += body(item, "text")
        link = item.url("url") or enquiry_url(target, name)
        cell.append(markup.buttons([markup.button(button_text, link)]))
        cells.append(cell)
    return cells
