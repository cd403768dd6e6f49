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
        seconds = build_site.build(tmp / "site", stage_dir=tmp / "src")
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
