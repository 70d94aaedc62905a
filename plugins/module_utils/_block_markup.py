# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Core Gutenberg blocks as the block library of a given WordPress version saves them.

:class:`Markup` builds the markup of the core blocks the sections use, exactly as that version's
``save()`` functions and serializer write it, so that the block editor opens a page without
"unexpected or invalid content" warnings *and* saving it in the editor changes nothing (the next
run then finds nothing to update). ``tests/unit/test_block_validation.py`` proves both against
the real bundles of WordPress 6.1 and 6.8.

Versions differ: 6.2 added the ``wp-block-heading`` class, 6.3 made the media & text block's
``align`` explicit, 6.5 added the ``wp-block-list`` class and 6.8 put the cover's image before
its dim layer (``FEATURES``). 6.1 and 6.8 are tested; versions in between follow these release
thresholds. Older than 6.1 is treated as 6.1, unknown as the newest.

Escaping follows WordPress's serializer too: texts between tags are written with ``&``, ``<``
and ``>`` as references and line breaks as ``<br>``; attribute values are escaped like
``escapeAttribute`` of ``@wordpress/escape-html`` (``&`` unless it starts a character reference,
``"`` and ``>``). Text is never markup: a word joiner (U+2060, invisible) follows each ``[`` of a
text, so that WordPress runs no shortcode there (``&#91;`` would not do: 6.8's editor turns it
back into ``[`` on saving), and each ``&`` of an attribute text (an alt text) that would start a
character reference, which the editor would otherwise resolve on saving. URLs are decoded before
use (:func:`decode_references`), so they hold no character reference.
"""

from __future__ import annotations

import html
import html.entities
import json
import re

LATEST = (6, 8)
OLDEST = (6, 1)
# The WordPress version whose block library first saves each variant.
FEATURES = {
    "heading_class": (6, 2),
    "media_text_align": (6, 3),
    "list_class": (6, 5),
    "cover_image_first": (6, 8),
}
WORD_JOINER = "\u2060"

# What @wordpress/escape-html leaves unescaped after "&" (it takes it for a character reference).
_REFERENCE_LIKE = re.compile(r"&(?=(?:[a-z0-9]+|#[0-9]+|#x[0-9a-f]+);)", re.I)
_UNESCAPED_AMPERSAND = re.compile(r"&(?!(?:[a-z0-9]+|#[0-9]+|#x[0-9a-f]+);)", re.I)
# A character reference as an HTML parser reads it in an attribute value.
_REFERENCE = re.compile(r"&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]*)(;?))")
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")


def markup_version(version):
    """``(major, minor)`` of a WordPress version (``"6.8.12"``, ``(6, 8)``); None or unparsable: the newest."""
    if isinstance(version, (tuple, list)) and len(version) >= 2:
        parsed = (int(version[0]), int(version[1]))
    else:
        match = _VERSION.match(str(version or ""))
        parsed = (int(match.group(1)), int(match.group(2))) if match else LATEST
    return max(parsed, OLDEST)


# ---------------------------------------------------------------- escaping


def escape_text(value):
    """A text node: ``&``, ``<``, ``>`` as references, a word joiner after ``[``, line breaks as ``<br>``."""
    text = html.escape(value, quote=False).replace("[", "[" + WORD_JOINER)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def escape_label(value):
    """A label kept in block attributes (navigation links): ``&``, ``<``, ``>`` as references."""
    return html.escape(value, quote=False)


def escape_attribute(value):
    """An attribute value as WordPress's serializer writes it (``escapeAttribute``)."""
    return _UNESCAPED_AMPERSAND.sub("&amp;", value).replace('"', "&quot;").replace(">", "&gt;")


def literal_attribute_text(value):
    """A text for an attribute (alt text) that the editor keeps as written and in which no shortcode runs: a word
    joiner after ``[`` and after an ``&`` that starts a character reference."""
    return _REFERENCE_LIKE.sub("&" + WORD_JOINER, value).replace("[", "[" + WORD_JOINER)


def text_attribute(value):
    return escape_attribute(literal_attribute_text(value))


def _decode_reference(match):
    hexadecimal, decimal, name, semicolon = match.groups()
    if hexadecimal or decimal:
        return html.unescape("&#%s%s;" % ("x" + hexadecimal if hexadecimal else "", decimal or ""))
    if semicolon and name + ";" in html.entities.html5:
        return html.entities.html5[name + ";"]
    # A legacy reference without ";" counts in an attribute only when neither = nor an alphanumeric follows.
    following = match.string[match.end():match.end() + 1]
    if not semicolon and name in html.entities.html5 and following != "=":
        return html.entities.html5[name]
    return match.group(0)


def decode_references(value):
    """``value`` with character references resolved as a browser resolves them in an attribute, repeatedly
    until none is left (``javascript&amp;colon;`` becomes ``javascript:``)."""
    for _attempt in range(len(value)):
        decoded = _REFERENCE.sub(_decode_reference, value)
        if decoded == value:
            break
        value = decoded
    return value


# ---------------------------------------------------------------- block serialisation


def serialize_attributes(attributes):
    """JSON for a block comment, escaped exactly as WordPress's ``serializeAttributes``."""
    text = json.dumps(attributes, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("--", "\\u002d\\u002d"), ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ('\\"', "\\u0022")):
        text = text.replace(raw, escaped)
    return text


def block(name, attributes=None, content=""):
    """One block: comment delimiters around ``content`` (self-closing when there is none)."""
    attrs = serialize_attributes(attributes) + " " if attributes else ""
    if not content:
        return "<!-- wp:%s %s/-->" % (name, attrs)
    return "<!-- wp:%s %s-->\n%s\n<!-- /wp:%s -->" % (name, attrs, content, name)


def inner(blocks):
    """Inner blocks as the serialiser joins them."""
    return "\n\n".join(blocks)


def classes(*names):
    return " ".join(name for name in names if name)


def _wrapper_attributes(css, anchor, aligned):
    """``class`` and ``id`` in the order the block supports add them: the alignment support adds the class
    before the anchor support adds the id; without an alignment the class comes last."""
    ident = ' id="%s"' % anchor if anchor else ""
    return ' class="%s"%s' % (css, ident) if aligned else '%s class="%s"' % (ident, css)


# ---------------------------------------------------------------- core blocks


class Markup:
    """The core blocks as WordPress ``version``'s block library saves them.

    Texts passed as ``text`` are markup already escaped with :func:`escape_text`; ``alt`` texts are plain
    and escaped here; URLs must be validated (decoded) by the caller.
    """

    def __init__(self, version=None):
        self.version = markup_version(version)

    def has(self, feature):
        return self.version >= FEATURES[feature]

    def heading(self, text, level=2, align=None):
        attributes = {}
        if align:
            attributes["textAlign"] = align
        if level != 2:
            attributes["level"] = level
        css = classes("wp-block-heading" if self.has("heading_class") else None,
                      "has-text-align-%s" % align if align else None)
        return block("heading", attributes, "<h%d%s>%s</h%d>" % (level, ' class="%s"' % css if css else "", text,
                                                                 level))

    @staticmethod
    def paragraph(text, align=None):
        attributes = {"align": align} if align else {}
        css = ' class="has-text-align-%s"' % align if align else ""
        return block("paragraph", attributes, "<p%s>%s</p>" % (css, text))

    @staticmethod
    def link(url, text):
        return '<a href="%s">%s</a>' % (escape_attribute(url), text)

    def bullet_list(self, items):
        entries = [block("list-item", None, "<li>%s</li>" % item) for item in items]
        css = ' class="wp-block-list"' if self.has("list_class") else ""
        return block("list", None, "<ul%s>%s</ul>" % (css, inner(entries)))

    @staticmethod
    def button(text, url, outline=False):
        style = "is-style-outline" if outline else None
        attributes = {"className": style} if style else {}
        anchor = '<a class="wp-block-button__link wp-element-button" href="%s">%s</a>' % (escape_attribute(url), text)
        return block("button", attributes, '<div class="%s">%s</div>' % (classes("wp-block-button", style), anchor))

    @staticmethod
    def buttons(entries, justify=None):
        layout = {"type": "flex", "justifyContent": justify} if justify else None
        attributes = {"layout": layout} if layout else {}
        return block("buttons", attributes, '<div class="wp-block-buttons">%s</div>' % inner(entries))

    @staticmethod
    def image(url, alt="", caption=None, href=None, size=None):
        attributes = {}
        if size:
            attributes["sizeSlug"] = size
        if href:
            attributes["linkDestination"] = "custom"
        img = '<img src="%s" alt="%s"/>' % (escape_attribute(url), text_attribute(alt))
        if href:
            img = '<a href="%s">%s</a>' % (escape_attribute(href), img)
        if caption:
            img += '<figcaption class="wp-element-caption">%s</figcaption>' % caption
        css = classes("wp-block-image", "size-%s" % size if size else None)
        return block("image", attributes, '<figure class="%s">%s</figure>' % (css, img))

    @staticmethod
    def gallery(images, columns=None, align=None):
        attributes = {"columns": columns} if columns else {}
        attributes["linkTo"] = "none"
        if align:
            attributes["align"] = align
        css = classes("wp-block-gallery", "align%s" % align if align else None, "has-nested-images",
                      "columns-%s" % (columns or "default"), "is-cropped")
        return block("gallery", attributes, '<figure class="%s">%s</figure>' % (css, inner(images)))

    @staticmethod
    def column(blocks, width=None):
        attributes = {"width": width} if width else {}
        style = ' style="flex-basis:%s"' % width if width else ""
        return block("column", attributes, '<div class="wp-block-column"%s>%s</div>' % (style, inner(blocks)))

    @staticmethod
    def columns(column_blocks, align=None):
        attributes = {"align": align} if align else None
        css = classes("wp-block-columns", "align%s" % align if align else None)
        return block("columns", attributes, '<div class="%s">%s</div>' % (css, inner(column_blocks)))

    @staticmethod
    def quote(text_blocks, citation=None):
        cite = "<cite>%s</cite>" % citation if citation else ""
        return block("quote", None, '<blockquote class="wp-block-quote">%s%s</blockquote>'
                     % (inner(text_blocks), cite))

    @staticmethod
    def group(blocks, class_name=None, anchor=None, align=None):
        attributes = {}
        if align:
            attributes["align"] = align
        if class_name:
            attributes["className"] = class_name
        attributes["layout"] = {"type": "constrained"}
        css = classes("wp-block-group", "align%s" % align if align else None, class_name)
        wrapper = _wrapper_attributes(css, anchor, bool(align))
        return block("group", attributes, "<div%s>%s</div>" % (wrapper, inner(blocks)))

    def cover(self, blocks, url, class_name=None, anchor=None, dim_ratio=50):
        attributes = {"url": url, "dimRatio": dim_ratio, "align": "full"}
        if class_name:
            attributes["className"] = class_name
        css = classes("wp-block-cover", "alignfull", class_name)
        dim = "has-background-dim-%d has-background-dim" % dim_ratio if dim_ratio != 50 else "has-background-dim"
        background = '<span aria-hidden="true" class="wp-block-cover__background %s"></span>' % dim
        picture = ('<img class="wp-block-cover__image-background" alt="" src="%s" data-object-fit="cover"/>'
                   % escape_attribute(url))
        layers = picture + background if self.has("cover_image_first") else background + picture
        content = '<div%s>%s<div class="wp-block-cover__inner-container">%s</div></div>' % (
            _wrapper_attributes(css, anchor, True), layers, inner(blocks))
        return block("cover", attributes, content)

    def media_text(self, blocks, url, alt="", media_right=False):
        attributes = {"align": "wide"} if self.has("media_text_align") else {}
        if media_right:
            attributes["mediaPosition"] = "right"
        attributes["mediaType"] = "image"
        css = classes("wp-block-media-text alignwide", "has-media-on-the-right" if media_right else None,
                      "is-stacked-on-mobile")
        media = '<figure class="wp-block-media-text__media"><img src="%s" alt="%s"/></figure>' % (
            escape_attribute(url), text_attribute(alt))
        text = '<div class="wp-block-media-text__content">%s</div>' % inner(blocks)
        parts = (text, media) if media_right else (media, text)
        return block("media-text", attributes, '<div class="%s">%s</div>' % (css, "".join(parts)))

    @staticmethod
    def latest_posts(count, columns, align=None):
        """The latest posts as a grid of cards (a dynamic block: WordPress renders it, the markup is its comment)."""
        # In the order of the block's attributes, defaults left out (as the serializer writes them).
        attributes = {"postsToShow": count} if count != 5 else {}
        attributes.update(displayPostContent=True, excerptLength=24, displayPostDate=True, postLayout="grid")
        if columns != 3:
            attributes["columns"] = columns
        attributes.update(displayFeaturedImage=True, featuredImageSizeSlug="medium_large")
        if align:
            attributes["align"] = align
        return block("latest-posts", attributes)

    @staticmethod
    def separator():
        return block("separator", None, '<hr class="wp-block-separator has-alpha-channel-opacity"/>')

    @staticmethod
    def spacer(height):
        return block("spacer", {"height": height},
                     '<div style="height:%s" aria-hidden="true" class="wp-block-spacer"></div>' % height)
