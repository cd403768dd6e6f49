"""Notebook 05 in JupyterLab: the learning-rate sliders.

Parabola: gradient descent on f(x) = x**2 from x = -1 for 20 steps multiplies x by (1 - 2 lr)
each step, so the page must print x = -(1 - 2 lr)**20 for the rate its readout box shows.
The slider is moved three ways: keyboard, mouse drag, and typing into the readout box.
XOR: a new rate retrains the network and redraws within a few seconds.
"""

from __future__ import annotations

import math
import re
import time

import pytest
from jlab_harness import NOTEBOOKS, drag_slider, image_digest, screenshot, type_into_readout, wait_until

NAME = "05_xor.ipynb"
START, STEPS = -1.0, 20
XOR_REDRAW_LIMIT = 10.0  # s: "within a few seconds", with room for a busy 2-core machine
XOR_RESULT = re.compile(
    r"after (\d+) epochs loss = ([0-9.e+-]+), predictions \[([^\]]*)\] round to \[([^\]]*)\]"
)
RESULT = re.compile(r"learning rate ([0-9.e+-]+): after (\d+) steps x = ([0-9.e+-]+|nan|-?inf)")


@pytest.fixture(scope="module")
def ran(module_lab):
    """One run of the notebook, shared by this module's tests."""
    lab = module_lab
    assert (NOTEBOOKS / NAME).exists(), f"notebooks/{NAME} is missing"
    run = lab.open(NAME)
    lab.run_all(run)
    yield run
    problems = lab.browser_errors(run)
    assert not problems, "browser errors while using the widgets:\n" + "\n".join(problems)


def readout_rate(slider) -> float | None:
    """The rate in the slider's readout box (None while it does not hold a number)."""
    try:
        return float(slider.locator(".widget-readout").inner_text())
    except ValueError:
        return None


def test_parabola_slider_three_ways(ran):
    page = ran.page
    widget = page.locator(".nnfs-lr-parabola")
    slider = widget.locator(".nnfs-lr-parabola-slider")
    handle = slider.locator(".noUi-handle")
    result = widget.locator(".nnfs-lr-parabola-result")
    plot = widget.locator("img.nnfs-lr-parabola-plot")
    widget.scroll_into_view_if_needed()

    def settled(before: str | None, old_rate: float | None):
        """(digest, rate) once the readout shows a new rate and the plot and text follow it."""
        rate = readout_rate(slider)
        found = RESULT.search(result.inner_text())
        digest = image_digest(plot)
        if rate == old_rate or not found or float(found.group(1)) != rate or not digest or digest == before:
            return None
        return digest, rate

    def check(way: str, before: str | None, old_rate: float | None) -> tuple[str, float]:
        what = f"{way}: plot and result follow the rate"
        digest, rate = wait_until(lambda: settled(before, old_rate), 20, what)
        found = RESULT.search(result.inner_text())
        # The slider works on log10(rate): the handle's position says the same rate as the box.
        assert 10 ** float(handle.get_attribute("aria-valuetext")) == pytest.approx(rate, rel=0.012)
        expected = START * (1 - 2 * rate) ** STEPS
        assert int(found.group(2)) == STEPS
        assert float(found.group(3)) == pytest.approx(expected, rel=5.1e-3, abs=1e-300), (
            f"{way}: rate {rate} printed {found.group(0)!r}, expected x = {expected:.3g}"
        )
        print(f"parabola, {way}: rate {rate} -> {found.group(0)}")
        screenshot(page, f"05-parabola-{way}", widget)
        return digest, rate

    digest, rate = check("start", None, None)

    # The keys, as the line beside the slider says: one arrow press moves log10(rate) by 0.1,
    # PageUp/PageDown by five presses, Home/End to the ends (0.01 and 1.1).
    assert "PageUp" in widget.locator(".nnfs-lr-keys").inner_text()
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft")
    digest, new_rate = check("keyboard", digest, rate)
    assert new_rate == pytest.approx(rate / 10**0.3, rel=0.03)
    handle.press("PageUp")
    digest, rate = check("pageup", digest, new_rate)
    assert rate == pytest.approx(new_rate * 10**0.5, rel=0.03)
    handle.press("Home")
    digest, rate = check("home", digest, rate)
    assert rate == pytest.approx(0.01, rel=0.012)
    handle.press("End")
    digest, rate = check("end", digest, rate)
    assert rate == pytest.approx(1.1, rel=0.012)

    drag_slider(page, slider, 0.95)
    digest, rate = check("mouse-drag", digest, rate)
    assert rate > 0.5  # dragged far right: near the top of the range

    type_into_readout(slider, "0.05")
    digest, rate = check("typed", digest, rate)
    assert rate == pytest.approx(0.05, rel=0.012)  # typed: the rate itself, not a step of the slider


def test_xor_slider_retrains_and_redraws(ran):
    page = ran.page
    widget = page.locator(".nnfs-lr-xor")
    slider = widget.locator(".nnfs-lr-xor-slider")
    result = widget.locator(".nnfs-lr-xor-result")
    plot = widget.locator("img.nnfs-lr-xor-plot")
    widget.scroll_into_view_if_needed()
    old_rate = readout_rate(slider)
    before = wait_until(lambda: image_digest(plot), 10, "the XOR plot to load")
    screenshot(page, "05-xor-before", widget)

    start = time.monotonic()
    type_into_readout(slider, "0.03")

    def redrawn():
        rate = readout_rate(slider)
        found = re.match(r"learning rate ([0-9.e+-]+):", result.inner_text())
        digest = image_digest(plot)
        new_rate = rate != old_rate and found and float(found.group(1)) == rate
        return new_rate and digest and digest != before and rate

    rate = wait_until(redrawn, 60, "the XOR widget to retrain at the new rate", interval=0.05)
    seconds = time.monotonic() - start
    text = result.inner_text()
    print(f"XOR at rate {rate}: retrained and redrawn in {seconds:.1f} s: {text}")
    screenshot(page, "05-xor-after", widget)
    found = XOR_RESULT.search(text)
    assert found, text
    predictions = [float(p) for p in found.group(3).split(",")]
    assert [round(p) for p in predictions] == [int(r) for r in found.group(4).split(",")]
    assert math.isfinite(float(found.group(2)))
    assert seconds < XOR_REDRAW_LIMIT, f"retraining + redrawing took {seconds:.1f} s"
