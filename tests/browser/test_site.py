"""The course website in headless Chromium with every request outside the site blocked.

The site is built afresh from the committed notebooks and README (tools/build_site.py, the
same code as `make site`) into a temporary folder and served from 127.0.0.1. Every request to
any other address is aborted and recorded; a test fails if any page tried one, or if a page
raised a JavaScript error. What a learner sees is checked on a few pages: the math typeset by
the bundled MathJax, graphs (SVG) and figures (PNG) drawn and no wider than the text column,
every link on every lesson page answering, the notebooks' own links leading to the next lesson,
and the search page finding "backpropagation".
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import urldefrag

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
from jlab_harness import screenshot  # noqa: E402

LESSONS = [path.stem for path in build_site.lesson_notebooks()]
TIMEOUT = 30_000  # ms: MathJax typesets a long lesson in a few seconds even on a busy machine


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def built_site(tmp_path_factory, browser):
    # `browser` first: no build when there is no browser to look at it.
    tmp = tmp_path_factory.mktemp("site")
    try:
        # Figures without figure_alt are reported by their own test, not by every test here.
        seconds = build_site.build(tmp / "site", stage_dir=tmp / "src", allow_missing_alt=True)
    except build_site.SiteError as err:
        pytest.fail(f"the site did not build: {err}", pytrace=False)
    print(f"site built in {seconds:.1f} s")
    return tmp / "site"


@pytest.fixture(scope="module")
def site(built_site):
    """The site's address on a local web server."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@contextlib.contextmanager
def offline_page(browser, site: str, expected_js_errors: frozenset = frozenset()):
    """A page that may load only what is under `site`; anything else is blocked and fails, and
    so does a file missing from the site (a 404)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside, js_errors, missing = [], [], []

    def only_the_site(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def not_found(response):
        # Chromium asks every site for /favicon.ico; this one has none (a tab icon only).
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            missing.append(f"{response.status} {response.url}")

    context.route("**/*", only_the_site)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda err: js_errors.append(str(err)))
    page.on("response", not_found)
    page.site = site
    yield page
    context.close()
    assert outside == [], f"pages asked other hosts for: {outside}"
    assert missing == [], f"pages asked the site for files it does not have: {missing}"
    unexpected = [err for err in js_errors if err not in expected_js_errors]
    assert unexpected == [], f"JavaScript errors on the site: {unexpected}"


@pytest.fixture
def page(browser, site):
    with offline_page(browser, site) as page:
        yield page


def open_page(page, path: str):
    response = page.goto(page.site + path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    return page


def test_home_page_has_the_overview_the_lessons_in_order_and_the_setup(page):
    open_page(page, "index.html")
    article = page.locator("article")
    assert "Neural Networks from Scratch" in page.title()
    text = article.inner_text()
    assert "make lab" in text and "environment.yml" in text  # the set-up, from the README
    # The README's lesson table links notebooks/NN_x.ipynb: here they are lesson pages, in order.
    table_links = article.locator("table a").evaluate_all("links => links.map(a => a.href)")
    lesson_links = [link for link in table_links if "/notebooks/" in link]
    assert lesson_links == [f"{page.site}notebooks/{name}.html" for name in LESSONS]


def test_every_link_on_every_lesson_page_answers(page):
    checked = set()
    for name in LESSONS:
        open_page(page, f"notebooks/{name}.html")
        links = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
        for link in links:
            url = urldefrag(link).url
            if not url.startswith(page.site) or url in checked:
                continue
            response = page.request.get(url)
            assert response.status == 200, f"{name}: link to {url} answers {response.status}"
            checked.add(url)
    assert len(checked) > len(LESSONS)  # lessons, API, index, search, downloads...


def test_a_notebooks_own_link_leads_to_the_next_lesson(page):
    first, second = LESSONS[0], LESSONS[1]
    open_page(page, f"notebooks/{first}.html")
    # The notebook's markdown says [..](02_value_class.ipynb); the site must turn it into a page.
    link = page.locator(f"article a[href^='{second}.html']").first
    link.click()
    page.wait_for_url(f"{page.site}notebooks/{second}.html*")
    assert page.locator("article h1").first.inner_text().startswith(second[:2])


def wait_for_typeset_math(page):
    # MathJax replaces each math span's TeX with an <mjx-container>; wait until all are done.
    page.wait_for_function(
        """() => {
            const math = document.querySelectorAll('article .math');
            return math.length > 0 && [...math].every(m => m.querySelector('mjx-container'));
        }"""
    )
    assert page.locator("article mjx-merror").count() == 0, "MathJax could not parse some TeX"


@pytest.mark.parametrize("name", [LESSONS[0], LESSONS[2]])
def test_math_is_typeset_by_the_bundled_mathjax(page, name):
    open_page(page, f"notebooks/{name}.html")
    wait_for_typeset_math(page)
    # The README's picture of a lesson page (docs/images/site-lesson.png) is this screenshot:
    # the page scrolled until its first picture ends at the bottom of the window.
    first_picture = page.locator("article .cell_output img").first
    first_picture.evaluate("img => window.scrollTo(0, img.getBoundingClientRect().bottom + scrollY - 970)")
    screenshot(page, f"site-{name}")


def test_the_folder_works_opened_from_disk(browser, built_site):
    """A copy of the folder, opened with a double click (file://), with no server at all."""
    # Opened as files, the browser does not let the search page fetch the pages it quotes under
    # each result ("Failed to fetch"); the results themselves are listed all the same.
    with offline_page(browser, built_site.as_uri() + "/", frozenset({"Failed to fetch"})) as page:
        page.goto(page.site + f"notebooks/{LESSONS[0]}.html")
        wait_for_typeset_math(page)
        page.goto(page.site + "search.html?q=backpropagation")
        page.locator("ul.search li a").first.wait_for()


def images_in_article(page) -> list[dict]:
    """Each output picture, and the box it is seen in: the picture itself, or the scrolling box
    around it (a graph too wide to read when shrunk may scroll sideways inside the column)."""
    page.wait_for_load_state("load")
    return page.locator("article .cell_output img").evaluate_all(
        """imgs => imgs.map(img => {
            let box = img;
            for (let el = img.parentElement; el && el.tagName !== 'ARTICLE'; el = el.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) { box = el; break; }
            }
            return {src: img.getAttribute('src'), complete: img.complete,
                    natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
                    box: box.getBoundingClientRect().right,
                    column: img.closest('article').getBoundingClientRect().right};
        })"""
    )


@pytest.mark.parametrize("name, kind", [(LESSONS[1], "svg"), (LESSONS[5], "png")])
def test_graphs_and_figures_are_drawn_inside_the_column(page, name, kind):
    open_page(page, f"notebooks/{name}.html")
    images = images_in_article(page)
    # a picture file of the site, or a picture inside an HTML output (a data: URI)
    assert any(image["src"].endswith(f".{kind}") or image["src"].startswith(f"data:image/{kind}")
               for image in images), f"no {kind} output on {name}"
    for image in images:
        src = image["src"][:80]
        drawn = image["complete"] and image["natural"] > 0 and image["shown"] > 0
        assert drawn, f"{name}: {src} is not drawn"
        assert image["box"] <= image["column"] + 1, f"{name}: {src} sticks out of the column"
    no_sideways_scroll = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(no_sideways_scroll), f"{name}: the page scrolls sideways"


def widget_texts(name: str) -> list[str]:
    """The first line of the text form of every widget output stored in notebook `name`."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return [
        "".join(output.data["text/plain"]).splitlines()[0]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    ]


def test_widgets_show_their_text_form_not_an_empty_box(page):
    with_widgets = [name for name in LESSONS if widget_texts(name)]
    assert with_widgets, "no lesson has a widget output: this test checks nothing"
    for name in with_widgets:
        open_page(page, f"notebooks/{name}.html")
        assert page.locator("script[type='application/vnd.jupyter.widget-view+json']").count() == 0
        text = page.locator("article").inner_text()
        for line in widget_texts(name):
            assert line[:40] in text, f"{name}: the widget's text form {line[:40]!r} is not shown"


def test_search_finds_backpropagation(page):
    open_page(page, "search.html?q=backpropagation")
    results = page.locator("ul.search li a")
    results.first.wait_for()
    hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(f"notebooks/{LESSONS[2]}" in href for href in hrefs), hrefs


# ---- every page, for every reader (issue 18): desktop, phone, screen readers, axe-core ----------
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
AXE_VERSION = "4.14.1"
# An alt text that is a file name or a hash (what Sphinx writes when it has nothing better).
NOT_A_DESCRIPTION = r"(\.(png|svg|jpe?g|gif)\b|_images/|^[0-9a-f]{16,}|^figure [0-9a-f]+|^graph$)"


def site_pages(built_site) -> list[str]:
    """Every page of the site (the theme's template fragments in _static/ are no pages)."""
    return sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*.html")
                  if not str(p.relative_to(built_site)).startswith("_static"))


def settle(page):
    """Wait until the page is drawn: pictures loaded and, where there is maths, MathJax done
    (small-screens.js then fits wide formulas to the column)."""
    page.wait_for_load_state("load")
    if page.locator("article .math").count():
        wait_for_typeset_math(page)
        page.wait_for_timeout(300)


def bad_alt_texts(page) -> list[str]:
    import re

    found = page.locator("img").evaluate_all(
        "imgs => imgs.filter(img => img.checkVisibility())"  # a hidden one is not read out either
        "            .map(img => [img.getAttribute('alt'), (img.getAttribute('src') || '').slice(0, 60)])")
    bad = []
    for alt, src in found:
        text = (alt or "").strip()
        if len(text) < 15 or len(text.split()) < 3 or re.search(NOT_A_DESCRIPTION, text):
            bad.append(f"{src}: alt={alt!r}")
    return bad


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory) -> str:
    """axe-core's browser script, fetched with npm into a temporary folder ($NNFS_AXE_JS: a copy)."""
    import os
    import shutil
    import subprocess

    given = os.environ.get("NNFS_AXE_JS")
    if given:
        return Path(given).read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("the accessibility check needs axe-core from npm, and npm is not installed: install "
                    "Node.js's npm (e.g. `sudo apt-get install npm`) or point NNFS_AXE_JS at axe.min.js",
                    pytrace=False)
    folder = tmp_path_factory.mktemp("axe")
    result = subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                             "--loglevel=error", f"axe-core@{AXE_VERSION}"], capture_output=True, text=True)
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if result.returncode or not script.exists():
        why = (result.stderr or result.stdout).strip().splitlines()
        pytest.fail(f"npm could not install axe-core {AXE_VERSION} ({why[-1] if why else 'no message'}); "
                    "point NNFS_AXE_JS at a copy of axe.min.js to run the check without npm", pytrace=False)
    return script.read_text(encoding="utf-8")


def test_every_figure_in_the_notebooks_has_a_description():
    """Every matplotlib figure's cell carries figure_alt (one description per picture)."""
    problems = []
    for path in build_site.lesson_notebooks():
        problems += build_site.figure_alts(nbformat.read(path, as_version=4), path.name)[1]
    assert problems == [], build_site.FIGURE_ALT_HELP + ":\n" + "\n".join(problems)


def test_every_page_on_a_desktop_code_fits_and_axe_finds_nothing_serious(browser, site, built_site,
                                                                          axe_source):
    problems = []
    with offline_page(browser, site) as page:
        page.set_viewport_size(DESKTOP)
        for path in site_pages(built_site):
            open_page(page, path)
            settle(page)
            sideways = page.locator("article pre, article div.highlight").evaluate_all(
                "els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
                "          .map(e => e.textContent.trim().split('\\n')[0].slice(0, 50))")
            problems += [f"{path}: scrolls sideways at 1400 px: {text!r}" for text in sideways]
            problems += [f"{path}: {bad}" for bad in bad_alt_texts(page)]
            page.add_script_tag(content=axe_source)
            violations = page.evaluate(
                """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                     .filter(v => ['serious', 'critical'].includes(v.impact))
                     .map(v => v.id + ' (' + v.impact + '): '
                               + v.nodes.slice(0, 3).map(n => n.target).join(' '))""")
            problems += [f"{path}: axe {v}" for v in violations]
        screenshot(page, "site-desktop-last-page")
    assert problems == [], "\n".join(problems)


def test_every_page_on_a_phone_fits_the_screen_with_every_picture_and_formula_whole(browser, site,
                                                                                     built_site):
    problems = []
    with offline_page(browser, site) as page:
        page.set_viewport_size(PHONE)
        for path in site_pages(built_site):
            open_page(page, path)
            settle(page)
            widths = page.evaluate(
                """() => {
                    const doc = document.documentElement;
                    const article = document.querySelector('article');
                    const column = article ? article.getBoundingClientRect()
                                           : {left: 0, right: doc.clientWidth};
                    const out = [];
                    if (doc.scrollWidth > doc.clientWidth + 1)
                        out.push(`the page is ${doc.scrollWidth} px wide on a ${doc.clientWidth} px screen`);
                    for (const img of document.querySelectorAll('article img')) {
                        const r = img.getBoundingClientRect();
                        if (r.right > column.right + 1 || r.left < column.left - 1)
                            out.push(`picture ${(img.getAttribute('src') || '').slice(0, 50)} spans `
                                     + `${Math.round(r.left)}-${Math.round(r.right)} px, the column `
                                     + `${Math.round(column.left)}-${Math.round(column.right)} px`);
                    }
                    // A formula fits, or (shrunk to 60%, still too wide) shows that it scrolls.
                    for (const m of document.querySelectorAll('article mjx-container[display="true"]'))
                        if (m.scrollWidth > m.clientWidth + 1 && !m.classList.contains('nnfs-scrolls'))
                            out.push(`a formula is cut: ${m.scrollWidth} px in ${m.clientWidth} px`);
                    return out;
                }""")
            problems += [f"{path}: {w}" for w in widths]
        screenshot(page, "site-phone-last-page")
    assert problems == [], "\n".join(problems)


def test_maths_is_no_tab_stop_and_header_buttons_show_their_focus(page):
    open_page(page, f"notebooks/{LESSONS[2]}.html")
    wait_for_typeset_math(page)
    # Screen readers read the hidden MathML beside each formula; no formula is a tab stop.
    assert page.locator("article mjx-container[tabindex='0']").count() == 0
    assert page.locator("article mjx-assistive-mml").count() > 0
    button = page.locator(".article-header-buttons button, .article-header-buttons .btn").first
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert ring not in ("", "0px"), f"the focused header button has no visible ring (outline {ring})"


def test_search_results_quote_the_lesson_not_the_header_or_tex(page):
    open_page(page, "search.html?q=backpropagation")
    page.locator("ul.search li p.context").first.wait_for()
    page.wait_for_timeout(1000)  # the quotes arrive one page at a time
    quotes = page.locator("ul.search li p.context").all_inner_texts()
    assert quotes
    for quote in quotes:
        assert "Light Dark" not in quote and "\\frac" not in quote and "\\(" not in quote, quote
