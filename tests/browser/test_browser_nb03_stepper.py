"""Notebook 03 in JupyterLab: the graph of the two-input neuron, and the backprop stepper.

The expected numbers are worked out here from the neuron's definition in the notebook,
o = tanh(x1*w1 + x2*w2 + b) with x1=2, x2=0, w1=-3, w2=1, b=6.8813735870195432, not read
from course_lib.
"""

from __future__ import annotations

import math
import re

import pytest
from jlab_harness import NOTEBOOKS, cell_source, read_notebook, screenshot, svg_nodes, wait_until

NAME = "03_tanh_exp_backprop.ipynb"
HIGHLIGHT = "#ff9f1c"  # the stepper's highlight colour (course_lib/widgets/stepper.py)

# The neuron, by hand: every value in its graph and d o / d value.
X1, X2, W1, W2, B = 2.0, 0.0, -3.0, 1.0, 6.8813735870195432
N = X1 * W1 + X2 * W2 + B
DN = 1 - math.tanh(N) ** 2  # d tanh(n) / dn = 1 - tanh(n)^2 (= 0.5 here)
FINAL_GRADS = {
    "o": 1.0,
    "n": DN,
    "b": DN,  # n = x1w1x2w2 + b: a sum passes the gradient on unchanged
    "x1w1x2w2": DN,
    "x1w1": DN,
    "x2w2": DN,
    "x1": W1 * DN,  # x1w1 = x1 * w1: each factor gets the other times the gradient
    "w1": X1 * DN,
    "x2": W2 * DN,
    "w2": X2 * DN,  # x2 = 0, so w2's gradient is 0 even after the last step
}
VALUES = set(FINAL_GRADS)  # 5 inputs + 5 computed values = 10 value nodes
OPERATIONS = 5  # *, *, +, +, tanh


def values_of(nodes: list[dict]) -> dict[str, dict]:
    """Value nodes (not operation circles) by label: {'o': {'grad': 1.0, 'fill': ...}, ...}.

    A value's record reads `label | data 0.7071 | grad 1.0000`; the stepper prefixes the
    label with its place in the topological order ('#10 o').
    """
    found = {}
    for node in nodes:
        if node["title"].endswith("_op"):
            continue
        texts = node["texts"]
        label = re.sub(r"^#\d+\s*", "", texts[0])
        grad = next(float(t.split()[1]) for t in texts if t.startswith("grad "))
        found[label] = {"grad": grad, "fill": node["fill"]}
    return found


def first_draw_dot_cell(nb: dict) -> int:
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and re.search(r"^draw_dot\(o\)", cell_source(cell), re.M):
            return index
    raise AssertionError(f"{NAME}: no cell draws the neuron with draw_dot(o)")


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


def test_draw_dot_graph_is_an_inline_svg(ran):
    page = ran.page
    index = first_draw_dot_cell(read_notebook(ran.path))
    output = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(  # the SVG as an <img>, via HTML
        '.jp-OutputArea-output[data-mime-type="text/html"] img'
    )
    output.scroll_into_view_if_needed()
    assert output.is_visible()
    wait_until(lambda: output.evaluate("img => img.complete && img.naturalWidth > 0"), 10, "the SVG to load")
    nodes = svg_nodes(output)
    values = values_of(nodes)
    assert set(values) == VALUES, f"value nodes drawn: {sorted(values)}"
    assert len(nodes) - len(values) == OPERATIONS
    assert all(v["grad"] == 0 for v in values.values())  # only the forward pass has run here
    screenshot(page, "03-draw_dot-graph")


def test_backprop_stepper_moves_forward(ran):
    page = ran.page
    stepper = page.locator(".nnfs-stepper")
    handle = stepper.locator(".nnfs-stepper-slider .noUi-handle")
    caption = stepper.locator(".nnfs-stepper-caption p:not(.nnfs-stepper-sizer)")  # not the hidden sizer
    graph = stepper.locator(".nnfs-stepper-graph svg")
    stepper.scroll_into_view_if_needed()
    n_steps = int(float(handle.get_attribute("aria-valuemax")))
    assert n_steps == OPERATIONS  # one step per operation node

    def state():
        values = values_of(svg_nodes(graph))
        lit = [label for label, v in values.items() if v["fill"] == HIGHLIGHT]
        filled = {label for label, v in values.items() if v["grad"] != 0}
        return lit, filled, values

    # step 0: only the output's gradient is seeded, and the output is highlighted
    assert handle.get_attribute("aria-valuenow") == "0.0"
    lit, filled, _ = state()
    assert lit == ["o"] and filled == {"o"}
    assert "step 0 of 5" in caption.inner_text()
    screenshot(page, "03-stepper-step0", stepper)

    # two steps forward with the keyboard: o, then n, have pushed their gradient
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    wait_until(lambda: "step 2 of 5" in caption.inner_text(), 15, "the caption to say step 2")
    lit, filled, values = state()
    assert lit == ["n"], f"highlighted at step 2: {lit}"
    assert filled == {"o", "n", "x1w1x2w2", "b"}, f"gradients filled in at step 2: {sorted(filled)}"
    assert values["n"]["grad"] == pytest.approx(DN, abs=5e-5)
    screenshot(page, "03-stepper-step2", stepper)

    # to the last step: every gradient is what backward() gives
    handle.press("End")
    last = f"step {n_steps} of {n_steps}"
    wait_until(lambda: last in caption.inner_text(), 15, "the caption to say the last step")
    lit, filled, values = state()
    assert len(lit) == 1 and lit[0] in {"x1w1", "x2w2"}, f"highlighted at the last step: {lit}"
    assert len(filled) > 4
    assert {k: v["grad"] for k, v in values.items()} == pytest.approx(FINAL_GRADS, abs=5e-5)
    screenshot(page, "03-stepper-last-step", stepper)
