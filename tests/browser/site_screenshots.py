"""Screenshots of the course website on a desktop and on a phone, to look at after a change.

    .venv/bin/python tests/browser/site_screenshots.py            # every lesson and the home page
    .venv/bin/python tests/browser/site_screenshots.py 02 05      # pages whose names start so
    .venv/bin/python tests/browser/site_screenshots.py --site build/site   # an existing build

Builds the site into a temporary folder (as `make site`, but a draft: figures without
figure_alt are allowed), serves it on 127.0.0.1 and opens each page in headless Chromium
($NNFS_CHROMIUM or the system's) at 1400 x 1000 (desktop) and 390 x 844 (phone, 2x pixels).
For each page and size: the top of the page, then the page scrolled to its first graph, first
figure, first display formula and its longest code or output block. Pictures go to
tests/browser/screenshots/site/: desktop_05_xor_top.png, phone_05_xor_graph.png, ...
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))

import build_site  # noqa: E402
from jlab_harness import CHROMIUM_ARGS, SCREENSHOTS, find_chromium  # noqa: E402

OUT = SCREENSHOTS / "site"
SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}
TARGETS = {  # what to scroll to, after the top of the page
    "graph": "article img.nnfs-graph",
    "figure": "article .cell_output img[src$='.png']",
    "formula": "article mjx-container[display='true']",
}
LONGEST_BLOCK = """() => {
    const blocks = [...document.querySelectorAll('article pre')];
    if (!blocks.length) return false;
    const longest = blocks.reduce((a, b) => Math.max(...a.textContent.split('\\n').map(l => l.length))
        >= Math.max(...b.textContent.split('\\n').map(l => l.length)) ? a : b);
    longest.scrollIntoView({block: 'center'});
    return true;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def shoot(browser, base: str, pages: list[str]) -> list[Path]:
    shots = []
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=2 if size == "phone" else 1)
        page = context.new_page()
        for name in pages:
            page.goto(base + name)
            page.wait_for_load_state("load")
            page.wait_for_timeout(2500)  # MathJax, and small-screens.js fitting the formulas
            stem = Path(name).stem
            path = OUT / f"{size}_{stem}_top.png"
            page.screenshot(path=str(path))
            shots.append(path)
            for what, selector in TARGETS.items():
                found = page.locator(selector)
                if found.count():
                    found.first.evaluate("el => el.scrollIntoView({block: 'center'})")
                    page.wait_for_timeout(300)
                    path = OUT / f"{size}_{stem}_{what}.png"
                    page.screenshot(path=str(path))
                    shots.append(path)
            if page.evaluate(LONGEST_BLOCK):
                page.wait_for_timeout(300)
                path = OUT / f"{size}_{stem}_longest_block.png"
                page.screenshot(path=str(path))
                shots.append(path)
        context.close()
    return shots


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site to use instead of building one")
    parser.add_argument("pages", nargs="*", help="name prefixes of lessons, e.g. 02 05 (default: all)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build_site.build(site, stage_dir=Path(tmp) / "src", allow_missing_alt=True)
        lessons = [f"notebooks/{p.stem}.html" for p in build_site.lesson_notebooks()
                   if not args.pages or any(p.name.startswith(n) for n in args.pages)]
        pages = (["index.html"] if not args.pages else []) + lessons
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                 functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=find_chromium(), headless=True,
                                             args=CHROMIUM_ARGS)
                shots = shoot(browser, f"http://127.0.0.1:{server.server_address[1]}/", pages)
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    print(f"{len(shots)} screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
