"""The built documentation site renders in a real headless browser, offline, without console errors.

Build the site first (``python -m sphinx -W --keep-going -b html docs docs/_build/html``); the test is
skipped, with the reason, when the site, the ``playwright`` package or Chromium is missing. It serves the
site with ``http.server`` on a free local port and opens the index, an API page, a page with math and a
gallery page: every image must have loaded (``naturalWidth > 0``), the gallery page must show a figure,
and no console error, page error or failed request (a 404 of a theme asset, a CDN the machine cannot
reach) may occur.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.docs

SITE = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
CHROMIUM = os.environ.get("DUALARRAY_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {  # page -> the least number of images it must show
    "index.html": 0,
    "api/generated/dualarray.jacobian.html": 0,
    "how-it-works.html": 0,
    "auto_examples/plot_derivatives.html": 1,
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.skip(f"the documentation is not built ({SITE} has no index.html); build it with "
                    "python -m sphinx -W --keep-going -b html docs docs/_build/html")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield context
        finally:
            context.close()


@pytest.mark.parametrize("page_path", sorted(PAGES))
def test_page_renders_offline(site_url, browser, page_path):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} ({req.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        response = page.goto(site_url + page_path, wait_until="networkidle")
        assert response is not None and response.ok, f"{page_path}: {response and response.status}"
        assert page.title(), f"{page_path} has no title"
        images = page.eval_on_selector_all(
            "article img", "imgs => imgs.map(i => [i.currentSrc || i.src, i.complete, i.naturalWidth])")
        broken = [src for src, complete, width in images if not complete or width == 0]
        assert not broken, f"{page_path}: images that did not load: {broken}"
        assert len(images) >= PAGES[page_path], f"{page_path}: {len(images)} images, expected a figure"
        if page_path == "how-it-works.html":  # MathJax (served from _static) typeset the formulas
            page.wait_for_selector("mjx-container", timeout=10_000)
        assert not problems, f"{page_path}:\n" + "\n".join(problems)
    finally:
        page.close()
