# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Page sections rendered to Gutenberg block markup, for the WordPress version of the site.

Each section type is a small Python function composing core blocks; :mod:`._block_markup` writes
each block exactly as the block library of the site's WordPress version saves it (6.1 and 6.8
differ), so the block editor opens the page without "unexpected or invalid content" warnings and
an editor save changes nothing (``tests/blockvalidator`` checks both against the real WordPress
bundles). :func:`render` takes that version (``wordpress_version``; the newest when not given).

Safety rules, applied to every value of a section (text is never markup):

* every text is HTML-escaped (a spec can never inject markup, scripts or block delimiters), and
  no shortcode runs in it (an invisible word joiner follows each ``[``); alt texts stay literal too;
* block comment attributes are JSON-encoded like WordPress's ``serializeAttributes``
  (``--``, ``<``, ``>``, ``&`` and escaped quotes as unicode escapes);
* URLs are read with their character references resolved (as a browser and the block editor
  would: ``javascript&colon;`` is ``javascript:``), then must be http(s), mailto or tel, or
  relative; anything else (``javascript:``, ``data:``) is refused, as are control characters or
  spaces in a URL;
* ``{{ dotted.name }}`` placeholders are replaced, in one pass, by values of the render
  context (e.g. ``{{ company.name }}`` in the legal templates); the value is inserted as
  text and escaped like any other, never evaluated.

Unknown section fields are errors, named by their path (``sections[2].items[0].titel``).
"""

from __future__ import annotations

import json
import re

from ansible_collections.fabrik.deploy.plugins.module_utils._block_markup import (
    Markup,
    block,
    decode_references,
    escape_label,
    escape_text,
    inner,
)
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._sections_forms import contact_form, product_cells
from ansible_collections.fabrik.deploy.plugins.module_utils._types import describe, to_bool, to_int

ALLOWED_URL_SCHEMES = ("http", "https", "mailto", "tel")
SECTION_CLASS = "fabrik-section"
DEFAULT_COLUMNS = 3
MAX_COLUMNS = 6

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
_ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_LIST_LINE = re.compile(r"^[-*]\s+")
_EMAIL = re.compile(r"^[^\s@<>\"\\]+@[^\s@<>\"\\]+\.[^\s@<>\"\\]+$")
_PHONE_DIGITS = re.compile(r"^\+?[0-9]{3,20}$")
# No "&": WordPress 6.1's shortcode block writes it back as "&amp;" on an editor save.
_SHORTCODE = re.compile(r"^\[[A-Za-z0-9_-]+( [^\[\]<>&]*)?\]$")


def navigation(links):
    """Content of a ``wp_navigation`` post: navigation links, submenus for links with children.

    ``links``: ``[{"label": text, "url": url, "page_id": int or None, "children": [...]}]``;
    labels are escaped here, URLs must be validated by the caller.
    """
    return inner([_navigation_link(link) for link in links])


def _navigation_link(link):
    attributes = {"label": escape_label(link["label"])}
    if link.get("page_id"):
        attributes.update(type="page", id=link["page_id"], url=link["url"], kind="post-type")
    else:
        attributes.update(url=link["url"], kind="custom")
    children = link.get("children") or []
    if not children:
        return block("navigation-link", attributes)
    return block("navigation-submenu", attributes, inner([_navigation_link(child) for child in children]))


# ---------------------------------------------------------------- section input


class Fields:
    """One section (or item) of the spec: typed, validated access that records which keys were read.

    ``markup``: the :class:`Markup` the section's blocks are written with (the site's WordPress version).
    """

    def __init__(self, data, field, context, markup=None):
        if not isinstance(data, dict):
            raise SpecError(field, "a mapping expected, got %s" % _describe(data))
        self.data = data
        self.field = field
        self.context = context
        self.markup = markup or Markup()
        self.read = set()
        self.children = []

    def _get(self, key, required):
        self.read.add(key)
        value = self.data.get(key)
        if value is None and required:
            raise SpecError("%s.%s" % (self.field, key), "required")
        return value

    def plain(self, key, required=False, default=None):
        """A text with placeholders filled, not escaped (for values used as data, not markup)."""
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise SpecError("%s.%s" % (self.field, key), "a text expected, got %s" % _describe(value))
        return fill_placeholders(str(value), self.context, "%s.%s" % (self.field, key))

    def text(self, key, required=False):
        """A text, HTML-escaped for the page; None when absent or empty."""
        value = self.plain(key, required)
        return escape_text(value) if value else None

    def url(self, key, required=False):
        value = self.plain(key, required)
        return validate_url(value, "%s.%s" % (self.field, key)) if value is not None else None

    def flag(self, key):
        value = self._get(key, False)
        return False if value is None else to_bool(value, "%s.%s" % (self.field, key))

    def choice(self, key, choices, default):
        value = self.plain(key) or default
        if value not in choices:
            raise SpecError("%s.%s" % (self.field, key), "one of %s expected, got %s"
                            % (", ".join(choices), json.dumps(value)))
        return value

    def number(self, key, low, high, default):
        value = self._get(key, False)
        if value is None:
            return default
        where = "%s.%s" % (self.field, key)
        try:
            value = to_int(value, where)
        except SpecError:
            value = None
        if value is None or not low <= value <= high:
            raise SpecError(where, "a whole number %d..%d expected, got %s" % (low, high, _describe(self.data[key])))
        return value

    def items(self, key, required=False):
        """A list of mappings, each as Fields."""
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or (required and not value):
            raise SpecError("%s.%s" % (self.field, key), "a non-empty list expected, got %s" % _describe(value))
        children = [Fields(item, "%s.%s[%d]" % (self.field, key, index), self.context, self.markup)
                    for index, item in enumerate(value)]
        self.children.extend(children)
        return children

    def strings(self, key):
        """A list of texts, each HTML-escaped."""
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise SpecError("%s.%s" % (self.field, key), "a list of texts expected, got %s" % _describe(value))
        holder = Fields(dict(enumerate(value)), "%s.%s" % (self.field, key), self.context, self.markup)
        return [holder.text(index) or "" for index in range(len(value))]

    def check_unknown(self):
        unknown = sorted(set(self.data) - self.read, key=str)
        if unknown:
            raise SpecError("%s.%s" % (self.field, unknown[0]), "unknown field")
        for child in self.children:
            child.check_unknown()


def placeholder_value(name, context, field):
    """The text the placeholder ``{{ name }}`` (a dotted name) stands for in ``context``; SpecError naming ``field``
    when the context has no such text."""
    found = context
    for part in name.split("."):
        if not isinstance(found, dict) or part not in found:
            raise SpecError(field, "unknown placeholder {{ %s }}" % name)
        found = found[part]
    if isinstance(found, bool) or not isinstance(found, (str, int, float)):
        raise SpecError(field, "placeholder {{ %s }} is not a text" % name)
    return str(found)


def fill_placeholders(value, context, field):
    """``value`` with each ``{{ dotted.name }}`` replaced by the context's value (one pass)."""
    return _PLACEHOLDER.sub(lambda match: placeholder_value(match.group(1), context, field), value)


def validate_url(value, field):
    """``value`` with its character references resolved and stripped, if that is an http(s)/mailto/tel or
    relative URL; SpecError otherwise.

    References are resolved first, as a browser (and the block editor, on saving) resolves them in an
    attribute: ``javascript&colon;alert(1)`` is a javascript URL and refused; ``?a=1&amp;b=2`` is ``?a=1&b=2``.
    """
    url = decode_references(value).strip()
    if not url or _URL_FORBIDDEN.search(url):
        raise SpecError(field, "a URL without spaces, control characters or backslashes expected, got %s"
                        % json.dumps(value))
    scheme = _URL_SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
        raise SpecError(field, "URL scheme %s refused (allowed: %s, or a relative URL)"
                        % (json.dumps(scheme.group(1)), ", ".join(ALLOWED_URL_SCHEMES)))
    return url


def _describe(value):
    return describe(value)


# ---------------------------------------------------------------- shared pieces


def _title(fields, key="headline", level=2, align=None):
    markup = fields.markup
    text = fields.text(key)
    return [markup.heading(text, level, align)] if text else []


def _body(fields, key, align=None):
    return body_blocks(fields.plain(key), align, fields.markup)


def body_blocks(value, align=None, markup=None):
    """Paragraph blocks from a text; blank lines separate paragraphs, ``- `` lines make a list."""
    markup = markup or Markup()
    blocks = []
    for chunk in re.split(r"\n\s*\n", (value or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_LIST_LINE.match(line) for line in lines):
            blocks.append(markup.bullet_list([escape_text(_LIST_LINE.sub("", line)) for line in lines]))
        else:
            blocks.append(markup.paragraph(escape_text("\n".join(lines)), align))
    return blocks


def _buttons(fields, justify=None):
    markup = fields.markup
    entries = [markup.button(item.text("text", required=True), item.url("url", required=True),
                             item.choice("style", ("fill", "outline"), "fill") == "outline")
               for item in fields.items("buttons")]
    return [markup.buttons(entries, justify)] if entries else []


def _grid(fields, cells):
    """Cells (lists of blocks) as rows of ``columns`` columns."""
    markup = fields.markup
    per_row = fields.number("columns", 1, MAX_COLUMNS, DEFAULT_COLUMNS)
    rows = [cells[start:start + per_row] for start in range(0, len(cells), per_row)]
    return [markup.columns([markup.column(cell) for cell in row], "wide") for row in rows]


# ---------------------------------------------------------------- section types


def _hero(fields):
    markup = fields.markup
    content = _title(fields, level=1, align="center")
    content += [markup.paragraph(text, "center") for text in [fields.text("subheadline")] if text]
    content += _buttons(fields, justify="center")
    return content, fields.url("image")


def _features(fields):
    cells = [_title(item, "title", level=3) + _body(item, "text") for item in fields.items("items", required=True)]
    return _title(fields) + _body(fields, "intro") + _grid(fields, cells)


def _cta(fields):
    markup = fields.markup
    return (_title(fields, align="center") + [markup.paragraph(text, "center") for text in [fields.text("text")] if text]
            + _buttons(fields, justify="center"))


def _pricing(fields):
    markup = fields.markup
    cells = []
    for plan in fields.items("plans", required=True):
        price = plan.text("price", required=True)
        period = plan.text("period")
        cell = _title(plan, "name", level=3)
        cell.append(markup.paragraph("<strong>%s</strong>%s" % (price, " / " + period if period else "")))
        features = plan.strings("features")
        if features:
            cell.append(markup.bullet_list(features))
        cell += _buttons(plan)
        cells.append(cell)
    return _title(fields) + _body(fields, "intro") + _grid(fields, cells)


def _testimonials(fields):
    markup = fields.markup
    cells = []
    for item in fields.items("items", required=True):
        who = ", ".join(text for text in (item.text("author", required=True), item.text("role")) if text)
        cells.append([markup.quote([markup.paragraph(item.text("quote", required=True))], who)])
    return _title(fields) + _grid(fields, cells)


def _faq(fields):
    markup = fields.markup
    blocks = _title(fields)
    for item in fields.items("items", required=True):
        blocks.append(markup.heading(item.text("question", required=True), 3))
        blocks += _body(item, "answer")
    return blocks


def _contact(fields):
    markup = fields.markup
    entries = []
    email = fields.plain("email")
    if email:
        if not _EMAIL.match(email):
            raise SpecError(fields.field + ".email", "an e-mail address expected, got %s" % json.dumps(email))
        entries.append("E-mail: " + markup.link(validate_url("mailto:" + email, fields.field + ".email"),
                                                escape_text(email)))
    phone = fields.plain("phone")
    if phone:
        number = re.sub(r"[^0-9+]", "", phone)
        if not _PHONE_DIGITS.match(number):
            raise SpecError(fields.field + ".phone", "a phone number expected, got %s" % json.dumps(phone))
        entries.append("Phone: " + markup.link("tel:" + number, escape_text(phone)))
    address = fields.text("address")
    if address:
        entries.append(address)
    blocks = _title(fields) + _body(fields, "text")
    if entries:
        blocks.append(markup.bullet_list(entries))
    return blocks + _buttons(fields)


def _team(fields):
    markup = fields.markup
    cells = []
    for member in fields.items("members", required=True):
        cell = []
        photo = member.url("photo")
        if photo:
            cell.append(markup.image(photo, member.plain("name", required=True)))
        cell += _title(member, "name", level=3)
        cell += [markup.paragraph("<em>%s</em>" % text) for text in [member.text("role")] if text]
        cell += _body(member, "bio")
        cells.append(cell)
    return _title(fields) + _grid(fields, cells)


def _stats(fields):
    markup = fields.markup
    cells = [[markup.heading(item.text("value", required=True), 3, "center"),
              markup.paragraph(item.text("label", required=True), "center")] for item in fields.items("items", required=True)]
    return _title(fields, align="center") + _grid(fields, cells)


def _logos(fields):
    markup = fields.markup
    images = [markup.image(item.url("image", required=True), item.plain("alt", required=True), href=item.url("url"))
              for item in fields.items("items", required=True)]
    return _title(fields, align="center") + [markup.gallery(images, fields.number("columns", 1, 8, None), "wide")]


def _gallery(fields):
    markup = fields.markup
    images = [markup.image(item.url("url", required=True), item.plain("alt") or "", caption=item.text("caption"))
              for item in fields.items("images", required=True)]
    return _title(fields) + _body(fields, "intro") + [markup.gallery(images, fields.number("columns", 1, 8, None),
                                                                     "wide")]


def _posts(fields):
    """The site's latest posts as cards (WordPress renders them on each visit)."""
    markup = fields.markup
    return (_title(fields) + _body(fields, "intro")
            + [markup.latest_posts(fields.number("count", 1, 24, 6), fields.number("columns", 1, 4, 3), "wide")]
            + _buttons(fields))


def _text(fields):
    return _title(fields) + _body(fields, "body") + _buttons(fields)


def _image_text(fields):
    markup = fields.markup
    content = _title(fields) + _body(fields, "text") + _buttons(fields)
    right = fields.choice("image_position", ("left", "right"), "left") == "right"
    return [markup.media_text(content, fields.url("image", required=True), fields.plain("image_alt") or "", right)]


def _newsletter(fields):
    """A sign-up call to action: core has no form block, so the button leads to the sign-up page."""
    return _cta(fields)


def _services(fields):
    markup = fields.markup
    cells = []
    for item in fields.items("items", required=True):
        cell = []
        picture = item.url("image")
        if picture:
            cell.append(markup.image(picture, item.plain("image_alt") or ""))
        cell += _title(item, "title", level=3) + _body(item, "text")
        target = item.url("url")
        if target:
            cell.append(markup.buttons([markup.button(item.text("link_text") or "Learn more", target, outline=True)]))
        cells.append(cell)
    return _title(fields) + _body(fields, "intro") + _grid(fields, cells)


def _timeline(fields):
    markup = fields.markup
    blocks = _title(fields)
    for item in fields.items("items", required=True):
        when = [markup.heading(item.text("date", required=True), 3)]
        what = _title(item, "title", level=4) + _body(item, "text")
        blocks.append(markup.columns([markup.column(when, "25%"), markup.column(what, "75%")]))
    return blocks


def _legal(fields):
    markup = fields.markup
    blocks = _title(fields)
    updated = fields.text("updated")
    if updated:
        blocks.append(markup.paragraph("<em>%s</em>" % updated))
    for part in fields.items("parts", required=True):
        blocks += _title(part, "heading") + _body(part, "body")
    return blocks


def _shortcode(fields):
    """A plugin's shortcode (its contact form, say), which WordPress runs: the one field that is no text."""
    code = (fields.plain("shortcode", required=True) or "").strip()
    if not _SHORTCODE.match(code):
        raise SpecError(fields.field + ".shortcode", 'a shortcode like [contact-form-7 id="12"] (without <, > or &) '
                        'expected, got %s' % json.dumps(code))
    return _title(fields) + [block("shortcode", None, code)]


def _contact_form(fields):
    """The fabrik connector's contact form (``_sections_forms``), after a headline and a text."""
    return _title(fields) + _body(fields, "text") + contact_form(fields)


def _products(fields):
    """Products with prices and "enquire" buttons to the contact form (``_sections_forms``), in a grid."""
    return _title(fields) + _body(fields, "intro") + _grid(fields, product_cells(fields, _body))


def _separator(fields):
    markup = fields.markup
    return [markup.separator()]


def _spacer(fields):
    markup = fields.markup
    return [markup.spacer("%dpx" % fields.number("height", 1, 1000, 48))]


SECTION_TYPES = {
    "hero": _hero,
    "features": _features,
    "cta": _cta,
    "pricing": _pricing,
    "testimonials": _testimonials,
    "faq": _faq,
    "contact": _contact,
    "team": _team,
    "stats": _stats,
    "logos": _logos,
    "gallery": _gallery,
    "posts": _posts,
    "text": _text,
    "image-text": _image_text,
    "newsletter": _newsletter,
    "services": _services,
    "timeline": _timeline,
    "legal": _legal,
    "shortcode": _shortcode,
    "contact-form": _contact_form,
    "products": _products,
    "separator": _separator,
    "spacer": _spacer,
}


# ---------------------------------------------------------------- entry points


def render_section(section, context=None, field="section", wordpress_version=None):
    """Block markup of one section: a group (or cover, for a hero with an image) of core blocks, as WordPress
    ``wordpress_version`` (e.g. ``"6.8.12"``; None: the newest supported) saves them."""
    markup = Markup(wordpress_version)
    fields = Fields(section, field, context or {}, markup)
    kind = fields.plain("type", required=True)
    renderer = SECTION_TYPES.get(kind)
    if renderer is None:
        raise SpecError(field + ".type", "one of %s expected, got %s" % (", ".join(SECTION_TYPES), json.dumps(kind)))
    anchor = fields.plain("id")
    if anchor is not None and not _ANCHOR.match(anchor):
        raise SpecError(field + ".id", "an HTML id (a letter, then letters, digits, - or _) expected, got %s"
                        % json.dumps(anchor))
    class_name = "%s fabrik-%s" % (SECTION_CLASS, kind)
    if kind == "hero":
        content, background = renderer(fields)
        fields.check_unknown()
        if background:
            return markup.cover(content, background, class_name, anchor)
        return markup.group(content, class_name, anchor, align="full")
    content = renderer(fields)
    fields.check_unknown()
    # Every section spans the page (its background may too); its texts keep the theme's reading width and its
    # grids the theme's wide width.
    return markup.group(content, class_name, anchor, align="full")


def render(sections, context=None, field="sections", wordpress_version=None):
    """Block markup of a page made of ``sections`` (a list of section mappings), for WordPress
    ``wordpress_version`` (see :func:`render_section`)."""
    if not isinstance(sections, list):
        raise SpecError(field, "a list of sections expected, got %s" % _describe(sections))
    return inner([render_section(section, context, "%s[%d]" % (field, index), wordpress_version)
                  for index, section in enumerate(sections)])


def render_raw(content, raw_html=False, wordpress_version=None):
    """Markup of a page given as ``content``: a paragraph per text block, or the HTML as is when trusted."""
    if raw_html:
        return content.strip()
    return inner(body_blocks(content, markup=Markup(wordpress_version)))
