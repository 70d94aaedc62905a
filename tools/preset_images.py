"""The presets' artwork (templates/presets/images/*.png), drawn as SVG here and rendered to PNG.

Every picture is original, made by this script for fabrik.deploy's presets (license:
templates/presets/images/LICENSE): flat geometric illustrations, logos and icons in the presets'
palettes. Run ``.venv/bin/python tools/preset_images.py`` to draw them again (Playwright with
Debian's Chromium renders each SVG at its size); the PNGs are committed, so a site build needs
neither this script nor a browser.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "templates" / "presets" / "images"
CHROMIUM = "/usr/bin/chromium"
FONT = "DejaVu Sans, sans-serif"


def svg(width, height, body, background=None):
    back = '<rect width="100%%" height="100%%" fill="%s"/>' % background if background else ""
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">%s%s</svg>'
            % (width, height, width, height, back, body))


def gradient(name, start, end, vertical=False):
    x2, y2 = ("0", "1") if vertical else ("1", "1")
    return ('<defs><linearGradient id="%s" x1="0" y1="0" x2="%s" y2="%s"><stop offset="0" stop-color="%s"/>'
            '<stop offset="1" stop-color="%s"/></linearGradient></defs>' % (name, x2, y2, start, end))


# ---------------------------------------------------------------- shop (ecommerce)


def shop_hero():
    """A shop window: shelves with vases, bowls and a lamp on a warm wall."""
    w, h = 1920, 1080
    body = gradient("wall", "#f6e7d8", "#e9cdb4", vertical=True)
    body += '<rect width="%d" height="%d" fill="url(#wall)"/>' % (w, h)
    body += '<circle cx="1500" cy="260" r="180" fill="#f2b880" opacity="0.55"/>'
    for y in (430, 760):
        body += '<rect x="180" y="%d" width="1560" height="26" rx="6" fill="#8a5a3c"/>' % y
    # upper shelf: vases
    items = [(300, "#3f6f5a", 150, 260), (520, "#d9825b", 110, 190), (700, "#2f4858", 90, 300),
             (930, "#c9a227", 160, 150), (1180, "#7a4e7e", 120, 240), (1420, "#3f6f5a", 100, 180),
             (1600, "#d9825b", 130, 220)]
    for x, color, width, height in items:
        top = 430 - height
        body += ('<path d="M%d %d q-%d %d 0 %d h%d q%d -%d 0 -%d z" fill="%s"/>'
                 % (x, top, width // 2, height // 2, height, width, width // 2, height // 2, height, color))
        body += '<rect x="%d" y="%d" width="%d" height="14" rx="4" fill="%s" opacity="0.6"/>' % (
            x + width // 4, top - 8, width // 2, color)
    # lower shelf: bowls, books, a plant
    body += '<path d="M300 760 a130 90 0 0 1 260 0 z" fill="#2f4858"/>'
    body += '<path d="M600 760 a90 70 0 0 1 180 0 z" fill="#e3b04b"/>'
    for index, color in enumerate(("#7a4e7e", "#3f6f5a", "#d9825b", "#2f4858", "#c9a227")):
        body += '<rect x="%d" y="%d" width="48" height="%d" rx="4" fill="%s"/>' % (
            860 + index * 54, 760 - 200 + index * 12, 200 - index * 12, color)
    body += '<rect x="1260" y="640" width="150" height="120" rx="14" fill="#d9825b"/>'
    for angle in (-40, -15, 10, 35, 60):
        body += ('<ellipse cx="1335" cy="560" rx="30" ry="90" fill="#3f6f5a" transform="rotate(%d 1335 640)"/>'
                 % angle)
    body += '<rect x="1500" y="560" width="14" height="200" fill="#2f4858"/>'
    body += '<path d="M1440 560 h134 l-30 -110 h-74 z" fill="#e3b04b"/>'
    body += '<rect x="1460" y="748" width="94" height="14" rx="6" fill="#2f4858"/>'
    body += '<rect y="%d" width="%d" height="%d" fill="#c79a78"/>' % (1000, w, 80)
    return w, h, svg(w, h, body)


def product(color, accent, shape):
    w = h = 800
    body = '<rect width="%d" height="%d" fill="#f6ece2"/>' % (w, h)
    body += '<ellipse cx="400" cy="660" rx="250" ry="36" fill="#e6d5c5"/>'
    if shape == "mug":
        body += '<rect x="240" y="280" width="280" height="380" rx="40" fill="%s"/>' % color
        body += ('<path d="M520 360 h50 a70 70 0 0 1 0 140 h-50" fill="none" stroke="%s" stroke-width="36"/>'
                 % color)
        body += '<rect x="240" y="380" width="280" height="40" fill="%s"/>' % accent
    elif shape == "plant":
        for angle in (-50, -25, 0, 25, 50):
            body += ('<ellipse cx="400" cy="250" rx="46" ry="150" fill="%s" transform="rotate(%d 400 420)"/>'
                     % (accent, angle))
        body += '<path d="M260 420 h280 l-40 240 h-200 z" fill="%s"/>' % color
        body += '<rect x="245" y="405" width="310" height="40" rx="12" fill="%s"/>' % color
    else:  # lamp
        body += '<rect x="388" y="300" width="24" height="340" fill="%s"/>' % accent
        body += '<path d="M250 320 h300 l-60 -170 h-180 z" fill="%s"/>' % color
        body += '<rect x="300" y="630" width="200" height="30" rx="14" fill="%s"/>' % accent
        body += '<circle cx="400" cy="340" r="26" fill="#fff4c2"/>'
    return w, h, svg(w, h, body)


# ---------------------------------------------------------------- software (saas, landing)


def dashboard(primary, secondary, accent):
    """A product screenshot: an application window with a chart, cards and a list."""
    w, h = 1200, 800
    body = gradient("bg", "#eef2ff", "#e0f2fe")
    body += '<rect width="%d" height="%d" fill="url(#bg)"/>' % (w, h)
    body += '<rect x="60" y="60" width="1080" height="680" rx="24" fill="#ffffff"/>'
    body += '<rect x="60" y="60" width="1080" height="64" rx="24" fill="%s"/>' % secondary
    body += '<rect x="60" y="100" width="1080" height="24" fill="%s"/>' % secondary
    for index, color in enumerate(("#f87171", "#fbbf24", "#34d399")):
        body += '<circle cx="%d" cy="92" r="9" fill="%s"/>' % (100 + index * 30, color)
    body += '<rect x="60" y="124" width="200" height="616" fill="#f8fafc"/>'
    for index in range(6):
        body += '<rect x="92" y="%d" width="%d" height="14" rx="7" fill="%s"/>' % (
            170 + index * 52, 120 - (index % 3) * 20, primary if index == 1 else "#cbd5e1")
    for index, value in enumerate(("#e0e7ff", "#dcfce7", "#fef3c7")):
        x = 300 + index * 270
        body += '<rect x="%d" y="160" width="240" height="110" rx="16" fill="%s"/>' % (x, value)
        body += '<rect x="%d" y="186" width="90" height="12" rx="6" fill="#64748b"/>' % (x + 24)
        body += '<rect x="%d" y="214" width="140" height="30" rx="8" fill="%s"/>' % (x + 24, secondary)
    body += '<rect x="300" y="300" width="510" height="400" rx="16" fill="#f8fafc"/>'
    rng = random.Random(7)
    points = [(330 + index * 40, 640 - rng.randint(40, 300)) for index in range(12)]
    path = " ".join("%s%d %d" % ("M" if index == 0 else "L", x, y) for index, (x, y) in enumerate(points))
    body += '<path d="%s L770 680 L330 680 Z" fill="%s" opacity="0.15"/>' % (path, primary)
    body += '<path d="%s" fill="none" stroke="%s" stroke-width="6" stroke-linejoin="round"/>' % (path, primary)
    body += '<rect x="840" y="300" width="270" height="400" rx="16" fill="#f8fafc"/>'
    for index in range(5):
        y = 330 + index * 72
        body += '<circle cx="880" cy="%d" r="18" fill="%s"/>' % (y + 14, accent if index % 2 else primary)
        body += '<rect x="912" y="%d" width="150" height="12" rx="6" fill="#94a3b8"/>' % (y + 2)
        body += '<rect x="912" y="%d" width="100" height="10" rx="5" fill="#cbd5e1"/>' % (y + 22)
    return w, h, svg(w, h, body)


CUSTOMERS = (
    ("Lumenfield", "#0f766e", "circle"),
    ("Orbitra", "#7c3aed", "ring"),
    ("Cascadia", "#1d4ed8", "wave"),
    ("Fieldstone", "#b45309", "square"),
    ("Northbeam", "#be123c", "triangle"),
)


def customer_logo(name, color, mark):
    """A customer's wordmark: a small geometric mark and the name, in one colour, on transparency."""
    w, h = 480, 140
    shapes = {
        "circle": '<circle cx="60" cy="70" r="34" fill="%s"/>' % color,
        "ring": '<circle cx="60" cy="70" r="30" fill="none" stroke="%s" stroke-width="12"/>' % color,
        "wave": '<path d="M24 84 q18 -40 36 0 t36 0" fill="none" stroke="%s" stroke-width="12"/>' % color,
        "square": '<rect x="28" y="38" width="64" height="64" rx="12" fill="%s"/>' % color,
        "triangle": '<path d="M60 32 L98 104 H22 Z" fill="%s"/>' % color,
    }
    body = shapes[mark]
    body += ('<text x="116" y="88" font-family="%s" font-size="46" font-weight="bold" fill="%s" '
             'letter-spacing="-1">%s</text>' % (FONT, color, name))
    return w, h, svg(w, h, body)


# ---------------------------------------------------------------- company, content, people


def office():
    """A studio: a desk, a window onto hills, shelves, a plant."""
    w, h = 1200, 900
    body = '<rect width="%d" height="%d" fill="#e8eef7"/>' % (w, h)
    body += '<rect x="120" y="110" width="520" height="380" rx="12" fill="#bfdbfe"/>'
    body += '<circle cx="520" cy="210" r="54" fill="#fde68a"/>'
    body += '<path d="M120 420 q140 -130 280 -20 t240 -40 v130 h-520 z" fill="#60a5fa"/>'
    body += '<path d="M120 460 q180 -90 340 -10 t180 10 v30 h-520 z" fill="#1d4ed8"/>'
    body += '<rect x="370" y="110" width="16" height="380" fill="#e8eef7"/>'
    body += '<rect x="120" y="290" width="520" height="16" fill="#e8eef7"/>'
    body += '<rect x="760" y="140" width="300" height="16" rx="4" fill="#334155"/>'
    body += '<rect x="760" y="300" width="300" height="16" rx="4" fill="#334155"/>'
    for index, color in enumerate(("#1d4ed8", "#f59e0b", "#0f172a", "#64748b", "#1d4ed8")):
        body += '<rect x="%d" y="%d" width="36" height="%d" rx="4" fill="%s"/>' % (
            780 + index * 44, 40 + index * 8, 100 - index * 8, color)
    body += '<circle cx="960" cy="255" r="40" fill="#f59e0b"/>'
    body += '<rect x="0" y="640" width="%d" height="260" fill="#cbd5e1"/>' % w
    body += '<rect x="180" y="600" width="760" height="30" rx="8" fill="#0f172a"/>'
    body += '<rect x="220" y="630" width="24" height="200" fill="#0f172a"/>'
    body += '<rect x="876" y="630" width="24" height="200" fill="#0f172a"/>'
    body += '<rect x="420" y="470" width="280" height="130" rx="10" fill="#334155"/>'
    body += '<rect x="436" y="486" width="248" height="98" rx="4" fill="#93c5fd"/>'
    body += '<rect x="540" y="600" width="40" height="10" fill="#334155"/>'
    body += '<path d="M1010 640 h120 l-20 160 h-80 z" fill="#f59e0b"/>'
    for angle in (-40, -10, 20, 50):
        body += ('<ellipse cx="1070" cy="520" rx="26" ry="100" fill="#15803d" transform="rotate(%d 1070 630)"/>'
                 % angle)
    return w, h, svg(w, h, body)


def article(seed, palette):
    """An abstract cover for an article: overlapping circles and bands."""
    w, h = 1200, 675
    rng = random.Random(seed)
    body = '<rect width="%d" height="%d" fill="%s"/>' % (w, h, palette[0])
    for _index in range(7):
        color = rng.choice(palette[1:])
        if rng.random() < 0.5:
            body += '<circle cx="%d" cy="%d" r="%d" fill="%s" opacity="%.2f"/>' % (
                rng.randint(0, w), rng.randint(0, h), rng.randint(80, 260), color, rng.uniform(0.55, 0.95))
        else:
            body += '<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s" opacity="%.2f" transform="rotate(%d %d %d)"/>' % (
                rng.randint(-100, w), rng.randint(0, h), rng.randint(200, 600), rng.randint(40, 120), 20, color,
                rng.uniform(0.55, 0.95), rng.randint(-30, 30), w // 2, h // 2)
    return w, h, svg(w, h, body)


def person(skin, hair, shirt, background):
    """A friendly portrait: head, hair and shoulders on a round colour field."""
    w = h = 480
    body = '<circle cx="240" cy="240" r="240" fill="%s"/>' % background
    body += '<path d="M80 480 q0 -150 160 -150 t160 150 z" fill="%s"/>' % shirt
    body += '<rect x="212" y="270" width="56" height="70" rx="20" fill="%s"/>' % skin
    body += '<ellipse cx="240" cy="200" rx="88" ry="100" fill="%s"/>' % skin
    body += '<path d="M148 196 q0 -120 96 -118 q96 2 92 122 q-30 -60 -92 -64 q-64 4 -96 60 z" fill="%s"/>' % hair
    body += '<circle cx="208" cy="208" r="8" fill="#1f2937"/><circle cx="272" cy="208" r="8" fill="#1f2937"/>'
    body += '<path d="M212 250 q28 22 56 0" fill="none" stroke="#1f2937" stroke-width="6" stroke-linecap="round"/>'
    return w, h, svg(w, h, body)


# ---------------------------------------------------------------- logos and icons


MARKS = {
    "company": ("#1d4ed8", "#f59e0b", "columns"),
    "landing": ("#7c3aed", "#22d3ee", "spark"),
    "saas": ("#0f766e", "#34d399", "stack"),
    "ecommerce": ("#b4532a", "#e3b04b", "bag"),
    "content": ("#9f1239", "#fb7185", "page"),
}


def mark(kind, size):
    """The preset's logo mark (a square picture; also its site icon at 512 pixels)."""
    primary, accent, shape = MARKS[kind]
    s = size / 100.0
    body = '<rect width="%d" height="%d" rx="%d" fill="%s"/>' % (size, size, 22 * s, primary)
    if shape == "columns":
        for index, height in enumerate((40, 56, 72)):
            body += '<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s"/>' % (
                (20 + index * 22) * s, (86 - height) * s, 16 * s, height * s, 3 * s, "#fff" if index < 2 else accent)
    elif shape == "spark":
        body += '<path d="M%d %d L%d %d L%d %d L%d %d Z" fill="#fff"/>' % (
            50 * s, 14 * s, 62 * s, 50 * s, 50 * s, 86 * s, 38 * s, 50 * s)
        body += '<circle cx="%d" cy="%d" r="%d" fill="%s"/>' % (72 * s, 28 * s, 8 * s, accent)
    elif shape == "stack":
        for index in range(3):
            body += '<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s"/>' % (
                20 * s, (22 + index * 22) * s, 60 * s, 14 * s, 7 * s, accent if index == 0 else "#fff")
    elif shape == "bag":
        body += '<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="#fff"/>' % (22 * s, 36 * s, 56 * s, 48 * s, 6 * s)
        body += ('<path d="M%d %d v%d a%d %d 0 0 1 %d 0 v%d" fill="none" stroke="%s" stroke-width="%d"/>'
                 % (38 * s, 40 * s, -8 * s, 12 * s, 12 * s, 24 * s, 8 * s, accent, 6 * s))
    else:  # page
        body += '<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="#fff"/>' % (26 * s, 16 * s, 48 * s, 68 * s, 5 * s)
        for index in range(4):
            body += '<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s"/>' % (
                34 * s, (28 + index * 13) * s, (32 if index else 22) * s, 6 * s, 3 * s, accent if index == 0 else "#cbd5e1")
    return size, size, svg(size, size, body)


def pictures():
    """name -> (width, height, svg)."""
    found = {
        "shop-hero.png": shop_hero(),
        "product-mug.png": product("#2f4858", "#e3b04b", "mug"),
        "product-plant.png": product("#d9825b", "#3f6f5a", "plant"),
        "product-lamp.png": product("#e3b04b", "#2f4858", "lamp"),
        "saas-dashboard.png": dashboard("#0f766e", "#134e4a", "#34d399"),
        "landing-product.png": dashboard("#7c3aed", "#312e81", "#22d3ee"),
        "company-studio.png": office(),
        "person-1.png": person("#f1c7a5", "#3b2a20", "#1d4ed8", "#dbeafe"),
        "person-2.png": person("#8d5b3e", "#111827", "#f59e0b", "#fef3c7"),
        "person-3.png": person("#e8b48f", "#b45309", "#0f766e", "#ccfbf1"),
    }
    for index, (name, color, shape) in enumerate(CUSTOMERS, 1):
        found["customer-%d.png" % index] = customer_logo(name, color, shape)
    palettes = (("#fff1f2", "#9f1239", "#fb7185", "#fda4af"), ("#f0f9ff", "#0369a1", "#38bdf8", "#f59e0b"),
                ("#f7fee7", "#3f6212", "#a3e635", "#9f1239"))
    for index, palette in enumerate(palettes, 1):
        found["article-%d.png" % index] = article(index, palette)
    for kind in MARKS:
        found["logo-%s.png" % kind] = mark(kind, 160)
        found["icon-%s.png" % kind] = mark(kind, 512)
    return found


def main(names):
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    OUT.mkdir(parents=True, exist_ok=True)
    wanted = pictures()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        for name, (width, height, drawing) in sorted(wanted.items()):
            if names and name not in names:
                continue
            page.set_viewport_size({"width": width, "height": height})
            page.set_content('<html><body style="margin:0;background:transparent">%s</body></html>' % drawing)
            page.screenshot(path=str(OUT / name), omit_background=True,
                            clip={"x": 0, "y": 0, "width": width, "height": height})
            print(OUT / name)
        browser.close()


if __name__ == "__main__":
    main(set(sys.argv[1:]))
