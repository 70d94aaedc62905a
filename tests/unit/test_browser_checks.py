"""tests/integration/browser.py: the presets' browser checks find what they look for.

A page that breaks every rule and one that keeps them all, served on loopback and measured in Debian's
Chromium under Playwright, as the presets' browser tests measure every page of a built site.
"""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.integration.browser import CHROMIUM_FLAGS, chromium, look, problems, rgb

BRAND = "#0a6cff"
HEAD = ('<meta name="description" content="A page."><meta property="og:title" content="Page">'
        '<meta property="og:image" content="/pixel.png">'
        '<script type="application/ld+json">{"@type":"Organization","name":"X"}</script>')
BODY = """
<header><a href="/">Home</a><a href="/about/">About</a><a href="/contact/">Contact</a></header>
<main>%s</main>
<footer><a href="/privacy-policy/">Privacy</a><a href="/terms/">Terms</a></footer>
"""
GOOD = BODY % """
<div class="wp-block-cover"><h1>A short title</h1></div>
<img src="/pixel.png" alt="">
<div class="wp-block-button"><a class="wp-block-button__link" style="background:#0a6cff">Go</a></div>
"""
BAD = BODY % """
<h1 class="wp-block-post-title">Home</h1>
<div class="wp-block-cover"><h2 style="width:90px;word-break:break-all">Transparent Experienced</h2></div>
<img src="/missing.png" alt=""><img src="http://192.0.2.1/elsewhere.png" alt="">
<div style="width:2000px">wide</div>
<p style="margin-left:-8px">Flush left</p>
<div class="wp-block-button"><a class="wp-block-button__link" style="background:#ff0000">Go</a></div>
<p>Hello world!</p>
"""
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8cff00f0005040201a5f2d1b30000000049454e44ae426082")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    directory = tmp_path_factory.mktemp("site")
    (directory / "good.html").write_text("<!doctype html><html><head>%s</head><body>%s</body></html>" % (HEAD, GOOD))
    (directory / "bad.html").write_text("<!doctype html><html><head></head><body>%s</body></html>" % BAD)
    (directory / "pixel.png").write_bytes(PIXEL)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_port
    server.shutdown()


@pytest.fixture(scope="module")
def page():
    executable = chromium()
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 390, "height": 900})
        context.route("http://192.0.2.1/**", lambda route: route.abort())  # another host, unreachable
        yield context
        browser.close()


def test_rgb_is_the_computed_style_of_a_hex_colour():
    assert rgb("#0a6cff") == "rgb(10, 108, 255)"
    assert rgb("#fff") == "rgb(255, 255, 255)"


def test_a_page_that_keeps_every_rule_has_no_problem(served, page):
    url = served + "/good.html"
    assert problems(look(page.new_page(), url), url, BRAND, front=True) == []


def test_a_page_that_breaks_every_rule_shows_each_problem(served, page):
    url = served + "/bad.html"
    found = "\n".join(problems(look(page.new_page(), url), url, BRAND, front=True))
    for expected in ("picture not loaded: %s/missing.png" % served, "picture from another host: http://192.0.2.1/",
                     "requests failed or to another host", "wider than the viewport", "heading words broken",
                     "text at the screen's edge (no side padding): ['Flush left']",
                     "page title on the front page", "not the brand's rgb(10, 108, 255)", "no description",
                     "no og_title", "no og_image", "no JSON-LD", "sample content: Hello world!"):
        assert expected in found, found
