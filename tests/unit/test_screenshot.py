"""tools/screenshot: a headless Chromium screenshot of a page served on loopback."""

import struct
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGE = "<!doctype html><html><body style='margin:0;background:#2563eb'><h1>fabrik.deploy</h1></body></html>"


def test_screenshot_of_a_local_page_is_a_1280x900_png(tmp_path):
    (tmp_path / "index.html").write_text(PAGE)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        output = tmp_path / "shots" / "page.png"
        done = subprocess.run([str(REPO / "tools" / "screenshot"), "http://127.0.0.1:%d/" % server.server_port,
                               str(output)], capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    data = output.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900)
