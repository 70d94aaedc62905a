"""What a visitor's browser sees of a site: Playwright for Python driving Debian's Chromium.

No browser is downloaded: Playwright starts the system's Chromium (bindep.txt installs it) through its
executable path, off the network but for the site (the flags of tools/screenshot). ``look(page, url)``
loads a page and measures, in the page, what the presets' browser tests assert: pictures loaded and
where from, overflow, headings broken inside a word, text without side padding, header and footer links,
button colours and the head's SEO tags.
"""

import shutil
from urllib.parse import urlsplit

import pytest

WIDTHS = {"desktop": 1280, "mobile": 390}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Runs in the page after load: lazy pictures loaded, then the measurements (a JSON-able dict).
MEASURE = r"""
async () => {
  const images = [...document.images];
  images.forEach((image) => { image.loading = 'eager'; });
  await Promise.all(images.map((image) => image.complete ? null
    : new Promise((done) => { image.onload = image.onerror = done; setTimeout(done, 10000); })));
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
  };
  // A heading word broken across lines: its characters' boxes sit on more than one line.
  const broken = [];
  document.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach((heading) => {
    if (!visible(heading)) return;
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter((rect) => rect.width > 0)
          .map((rect) => Math.round(rect.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  });
  const wide = [...document.querySelectorAll('body *')].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.right > window.innerWidth + 1 && getComputedStyle(element).position !== 'fixed';
  }).slice(0, 5).map((element) => element.tagName.toLowerCase() + '.' + [...element.classList].join('.'));
  // Text closer than EDGE px to a side of the screen (a phone's content without side padding); fixed
  // elements (the consent banner) aside.
  const EDGE = 8;
  const fixed = (element) => {
    for (let node = element; node; node = node.parentElement) {
      if (getComputedStyle(node).position === 'fixed') return true;
    }
    return false;
  };
  const edge = [];
  const region = document.querySelector('main') || document.body;
  const texts = document.createTreeWalker(region, NodeFilter.SHOW_TEXT);
  for (let node = texts.nextNode(); node && edge.length < 5; node = texts.nextNode()) {
    const parent = node.parentElement;
    if (!node.data.trim() || !parent || !visible(parent) || fixed(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    // (text moved off the screen on purpose, the form's honeypot label, is not on it)
    if ([...range.getClientRects()].some((rect) => rect.width > 0 && rect.right > 0 && rect.left < window.innerWidth
        && (rect.left < EDGE || rect.right > window.innerWidth - EDGE))) edge.push(node.data.trim().slice(0, 40));
  }
  const meta = (selector) => { const found = document.querySelector(selector); return found ? found.content : null; };
  const links = (selector) => [...document.querySelectorAll(selector)].map((link) => link.href);
  const main = document.querySelector('main') || document.body;
  const firstHeading = main.querySelector('h1, h2');
  const hero = main.querySelector('.wp-block-cover, .fabrik-hero');
  const titles = [...document.querySelectorAll('.wp-block-post-title')].filter(visible)
    .filter((title) => !title.closest('.wp-block-post-template, .wp-block-query'));
  const buttons = [...main.querySelectorAll('.wp-block-button:not(.is-style-outline) > .wp-block-button__link')]
    .filter(visible);
  return {
    images: images.map((image) => ({src: image.currentSrc || image.src, width: image.naturalWidth})),
    scroll_width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    wide: wide,
    broken: broken,
    edge_text: edge,
    header_links: links('header a[href]'),
    footer_links: links('footer a[href]'),
    footer_text: (document.querySelector('footer') || {}).innerText || '',
    body_text: document.body.innerText,
    page_titles: titles.map((title) => title.innerText),
    title_above_hero: hero !== null && titles.some((title) =>
      title.getBoundingClientRect().top < hero.getBoundingClientRect().top),
    first_heading: firstHeading ? firstHeading.innerText : null,
    button_colors: buttons.map((button) => getComputedStyle(button).backgroundColor),
    description: meta('meta[name="description"]'),
    og_title: meta('meta[property="og:title"]'),
    og_image: meta('meta[property="og:image"]'),
    twitter_card: meta('meta[name="twitter:card"]'),
    json_ld: [...document.querySelectorAll('script[type="application/ld+json"]')].map((script) => script.text),
    scripts: [...document.scripts].filter((script) => script.src).map((script) => script.src),
    cookies: document.cookie,
  };
}
"""


def chromium():
    """The system's Chromium (bindep.txt), or a skip naming what is missing."""
    try:
        import playwright.sync_api  # noqa: F401 pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        pytest.skip("Playwright for Python is not installed (requirements-dev.txt; make setup)")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Chromium is not installed (bindep.txt; make setup)")
    return path


def rgb(color):
    """``#rrggbb`` (or ``#rgb``) as the ``rgb(r, g, b)`` a computed style gives."""
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(char * 2 for char in color)
    return "rgb(%d, %d, %d)" % tuple(int(color[index:index + 2], 16) for index in (0, 2, 4))


def look(page, url, screenshot=None, first_screen=None):
    """Load ``url`` in ``page`` (a Playwright page at its viewport) and measure it (MEASURE's dict, plus
    ``status`` and ``failed``: the requests that failed or went to another host).

    ``screenshot``: a path for the whole page as a visitor sees it once they answered the consent banner
    (a full-page shot would otherwise show the fixed banner in the middle of the page); ``first_screen``: a
    path for what the first screen shows on a first visit, the banner included."""
    host = urlsplit(url).netloc
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("request", lambda request: failed.append(request.url)
            if urlsplit(request.url).netloc not in (host, "") and not request.url.startswith("data:") else None)
    response = page.goto(url, wait_until="load", timeout=60000)
    measured = page.evaluate(MEASURE)
    measured.update(status=response.status if response else None, failed=failed)
    if first_screen:
        first_screen.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(first_screen))
    if screenshot:
        banner = page.locator("#fabrik-consent")
        if banner.count() and banner.is_visible():
            banner.locator('[data-fabrik-consent-choice="denied"]').click()
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return measured


def problems(measured, url, brand_color, front=False, legal_slugs=("privacy-policy", "terms")):
    """What a finished site must not show, as readable lines (empty: the page is fine)."""
    found = []
    host = urlsplit(url).netloc
    if measured["status"] != 200:
        found.append("status %s" % measured["status"])
    if measured["failed"]:
        found.append("requests failed or to another host: %s" % measured["failed"][:5])
    for image in measured["images"]:
        if image["width"] <= 0:
            found.append("picture not loaded: %s" % image["src"])
        if urlsplit(image["src"]).netloc not in (host, ""):
            found.append("picture from another host: %s" % image["src"])
    if measured["scroll_width"] > measured["viewport"] or measured["wide"]:
        found.append("wider than the viewport (%s > %s): %s" % (measured["scroll_width"], measured["viewport"],
                                                                measured["wide"]))
    if measured["broken"]:
        found.append("heading words broken across lines: %s" % measured["broken"])
    if measured["edge_text"]:
        found.append("text at the screen's edge (no side padding): %s" % measured["edge_text"])
    if front and (measured["title_above_hero"] or measured["page_titles"]):
        found.append("page title on the front page: %s" % measured["page_titles"])
    if len(measured["header_links"]) < 3:
        found.append("header menu missing: %s" % measured["header_links"])
    for slug in legal_slugs:
        if not any("/%s/" % slug in link for link in measured["footer_links"]):
            found.append("no footer link to %s: %s" % (slug, measured["footer_links"]))
    if "Proudly powered by WordPress" in measured["footer_text"]:
        found.append("the theme's credit in the footer")
    if brand_color and measured["button_colors"] and rgb(brand_color) not in measured["button_colors"]:
        found.append("buttons %s, not the brand's %s" % (measured["button_colors"], rgb(brand_color)))
    for key in ("description", "og_title", "og_image"):
        if not measured[key]:
            found.append("no %s in the head" % key)
    if not any('"Organization"' in text for text in measured["json_ld"]):
        found.append("no JSON-LD of the organisation")
    for sample in ("Hello world!", "Sample Page", "Mindblown"):
        if sample in measured["body_text"]:
            found.append("sample content: %s" % sample)
    return found
