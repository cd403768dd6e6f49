"""The instructor's guide on the built website: every exercise of every notebook is on the page,
with its hint and mistakes visible and its solution folded away until clicked.

The site is built once for this module (the fixtures of test_site.py), offline, every request
outside it blocked.
"""

from __future__ import annotations

import re

import pytest
from jlab_harness import screenshot
from test_site import built_site, offline_page, open_page, site  # noqa: F401 - fixtures used below

from course_lib import learner_progress


@pytest.fixture
def page(browser, site):  # noqa: F811 - `site` is the fixture imported above
    with offline_page(browser, site) as page:
        yield page


def test_every_exercise_is_on_the_guide_page(page):
    open_page(page, "index.html")
    page.locator("nav a", has_text="guide").first.click()  # linked from the sidebar
    page.wait_for_url("**/instructor_guide.html*")
    expected = [f"{number}.{q}" for number, entry in learner_progress.discover().items()
                for q in entry.exercises]
    assert len(expected) >= 25
    shown = page.locator("article .guide-exercise").evaluate_all(
        "els => els.map(e => e.dataset.exercise)")
    assert shown == expected
    for exercise in expected:
        box = page.locator(f'article [data-exercise="{exercise}"]')
        assert box.is_visible(), exercise
        text = box.inner_text()
        assert "Hint the learner gets:" in text
        said = int(re.search(r"Typical mistakes the checker recognises \((\d+)\)", text).group(1))
        assert said > 0 and box.locator("table.guide-mistakes tbody tr").count() == said, exercise
        solution = box.locator("details pre")
        assert not solution.is_visible(), f"{exercise}: the solution should be folded away"
    last = page.locator(f'article [data-exercise="{expected[-1]}"]')
    last.locator("summary").click()
    assert last.locator("details pre").is_visible()
    page.locator('article [data-exercise="05.q1"]').scroll_into_view_if_needed()
    screenshot(page, "site-instructor-guide")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_guide_fits_a_desktop_and_a_phone(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, "instructor_guide.html")
    # nothing sticks out of the page; a wide table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sticking_out = page.locator("article .guide-exercise").evaluate_all(
        """els => els.filter(e => e.getBoundingClientRect().right >
                             e.closest('article').getBoundingClientRect().right + 1)
                     .map(e => e.dataset.exercise)""")
    assert sticking_out == []
    screenshot(page, f"site-instructor-guide-{width}")
