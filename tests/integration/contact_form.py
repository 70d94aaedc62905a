"""The fabrik connector's contact form as a visitor and an administrator meet it, for tests.

* over HTTP (:func:`read_form`, :func:`post_form`): GET a page, parse the form (its action, its hidden fields:
  the nonce), POST it as a browser would (no redirect followed);
* in a browser (:func:`fill_and_submit`): fill the fields by their labels and press the button, with a
  Playwright ``Page`` (the browser tests of the presets use it);
* as the administrator (:func:`stored_submissions`): the stored messages, over REST.

The field names and texts are the connector's (``files/connector/fabrik-connector/contact-form*.php``).
"""

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

FIELDS = {"name": "fabrik_name", "email": "fabrik_email", "message": "fabrik_message"}
HONEYPOT = "fabrik_website"
NONCE = "fabrik_nonce"
SENT = "fabrik_contact=sent"
SUBMISSIONS_ROUTE = "/wp/v2/fabrik-submissions"
# The English texts (the connector's defaults): labels, button, confirmation.
LABELS = {"name": "Name", "email": "E-mail", "message": "Message"}
SUBMIT = "Send message"
SUCCESS = "Thank you. Your message has been sent; we will get back to you soon."
HTTP_TIMEOUT = 30


class _FormParser(HTMLParser):
    """The first fabrik contact form of a page: action, input values, textarea text, errors and notices."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action = None
        self.inputs = {}
        self.attributes = {}
        self.textarea = None
        self.texts = {}
        self.notices = []
        self.errors = {}
        self._open = None  # (kind, key): collecting text into self.texts[key]
        self._depth = 0
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._open:
            self._depth += 1
            self.texts[self._open] += " "  # element boundaries separate words
        if tag == "form" and "fabrik-contact__form" in classes and not self._done:
            self.action, self._in_form = attrs.get("action"), True
        elif self._in_form and tag in ("input", "textarea") and attrs.get("name"):
            self.attributes[attrs["name"]] = attrs
            if tag == "input":
                self.inputs[attrs["name"]] = attrs.get("value") or ""
            else:
                self._start(("textarea", attrs["name"]))
        elif "fabrik-contact__notice" in classes and not self._done:
            self._start(("notice", len(self.notices)))
            self.notices.append("")
        elif "fabrik-contact__error" in classes and self._in_form:
            self._start(("error", attrs.get("id", "")))

    def _start(self, key):
        if self._open is None:
            self._open, self._depth = key, 1
            self.texts[key] = ""

    def handle_endtag(self, tag):
        if self._open:
            self._depth -= 1
            if self._open[0] != "textarea":
                self.texts[self._open] += " "
            if self._depth == 0:
                kind, key = self._open
                text = self.texts[self._open]
                if kind == "textarea":
                    self.inputs[key] = text
                elif kind == "notice":
                    self.notices[key] = " ".join(text.split())
                else:
                    self.errors[key] = " ".join(text.split())
                self._open = None
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True

    def handle_data(self, data):
        if self._open:
            self.texts[self._open] += data


def parse_form(html):
    """``{action, fields, attributes, notices, errors}`` of the page's first contact form (fields by name, values
    as shown; errors by the id of their element), or None when the page shows none (e.g. a confirmation)."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    if parser.action is None and not parser.notices:
        return None
    return {"action": parser.action, "fields": parser.inputs, "attributes": parser.attributes,
            "notices": parser.notices, "errors": parser.errors}


def read_form(session, page_url):
    """GET ``page_url`` with ``session`` (a ``requests.Session``); the page's form (:func:`parse_form`)."""
    response = session.get(page_url, timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    form = parse_form(response.text)
    assert form and form["action"], "no contact form on %s" % page_url
    return form


def post_form(session, form, page_url, name="", email="", message="", **overrides):
    """POST ``form`` (as read) back with the visitor's values; ``overrides`` replace any field (e.g.
    ``fabrik_nonce``, ``fabrik_website``; None leaves the field out). The response, redirects not followed."""
    data = dict(form["fields"], **{FIELDS["name"]: name, FIELDS["email"]: email, FIELDS["message"]: message})
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    target = urljoin(page_url, form["action"].split("#", 1)[0])
    return session.post(target, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)


def stored_submissions(site_url, auth, **params):
    """The stored messages, newest first, as the administrator ``auth`` (user, application password) reads them."""
    response = requests.get(site_url + "/wp-json" + SUBMISSIONS_ROUTE, auth=auth, timeout=HTTP_TIMEOUT,
                            params=dict({"status": "private", "context": "edit", "per_page": 100}, **params))
    assert response.status_code == 200, response.text[:300]
    return response.json()


def fill_and_submit(page, name, email, message, labels=None, submit=SUBMIT):
    """In a browser: fill the contact form of the Playwright ``page`` by its labels, press its button and wait for
    the page that follows (the confirmation after the redirect, or the form with its errors)."""
    labels = labels or LABELS
    page.get_by_label(labels["name"]).fill(name)
    page.get_by_label(labels["email"]).fill(email)
    page.get_by_label(labels["message"]).fill(message)
    with page.expect_navigation():
        page.get_by_role("button", name=submit).click()
