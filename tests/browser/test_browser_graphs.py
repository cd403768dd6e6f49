"""Graphs as a learner sees them in JupyterLab: in a notebook that has not been run (and so is not
trusted), inside the output column, with text at least 10 px tall; and the backprop stepper's
numbers readable, with a caption that keeps its height while the slider moves.

What is measured is in graph_checks.py. Expected graph counts come from the committed notebooks.
"""

from __future__ import annotations

import pytest
from graph_checks import graphs, problems
from jlab_harness import NOTEBOOKS, read_notebook, screenshot, wait_until

MIN_TEXT_PX = 10


def stored_graphs(name: str) -> int:
    """How many Graphviz pictures the committed notebook holds (outputs with an SVG of a graph)."""
    count = 0
    for cell in read_notebook(NOTEBOOKS / name)["cells"]:
        for out in cell.get("outputs", []):
            svg = out.get("data", {}).get("image/svg+xml", "")
            if 'class="node"' in ("".join(svg) if isinstance(svg, list) else svg):
                count += 1
    return count


WITH_GRAPHS = [p.name for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if stored_graphs(p.name)]


@pytest.mark.parametrize("name", WITH_GRAPHS)
def test_unrun_notebook_shows_its_graphs_inside_the_column(lab, name):
    """Opened as committed, not run: JupyterLab does not trust it, and must still draw every graph."""
    run = lab.open(name)
    page = run.page
    expected = stored_graphs(name)
    wait_until(lambda: len(graphs(page)) >= expected and all(g["loaded"] for g in graphs(page)), 20,
               f"{expected} graphs to be drawn in the unrun notebook")
    found = graphs(page)
    screenshot(page, f"{name[:2]}-unrun-graphs")
    assert len(found) == expected, f"{name}: {len(found)} graphs drawn, {expected} stored"
    assert all(g["column"] > 600 for g in found)  # measured against a real output column
    bad = problems(found, MIN_TEXT_PX)
    assert not bad, f"{name}:\n" + "\n".join(bad)
    assert not lab.browser_errors(run)


@pytest.fixture(scope="module")
def nb03(module_lab):
    run = module_lab.open("03_tanh_exp_backprop.ipynb")
    module_lab.run_all(run)
    return run


def test_stepper_numbers_are_readable_and_the_graph_does_not_jump(nb03):
    page = nb03.page
    stepper = page.locator(".nnfs-stepper")
    stepper.scroll_into_view_if_needed()
    handle = stepper.locator(".nnfs-stepper-slider .noUi-handle")
    caption = stepper.locator(".nnfs-stepper-caption p:not(.nnfs-stepper-sizer)")  # not the hidden sizer
    graph = stepper.locator(".nnfs-stepper-graph svg")
    n_steps = int(float(handle.get_attribute("aria-valuemax")))
    handle.focus()
    tops, heights = set(), set()
    for k in range(n_steps + 1):
        if k:
            handle.press("ArrowRight")
        wait_until(lambda k=k: f"step {k} of {n_steps}" in caption.inner_text(), 15, f"step {k}")
        page.wait_for_timeout(100)
        measured = [g for g in graphs(page) if g["kind"] == "svg"]
        assert len(measured) == 1, f"the stepper's graph at step {k}: {measured}"
        assert measured[0]["text_px"] >= MIN_TEXT_PX, f"step {k}: text {measured[0]['text_px']:.1f} px"
        assert measured[0]["overflow"] <= 1, f"step {k}: the graph sticks out of the column"
        assert any(t.startswith("grad ") for t in measured[0]["texts"])
        heights.add(round(stepper.locator(".nnfs-stepper-caption").bounding_box()["height"]))
        tops.add(round(graph.bounding_box()["y"]))
        if k in (0, n_steps):
            screenshot(page, f"03-stepper-readable-step{k}", stepper)
    assert len(heights) == 1, f"caption heights over the steps: {sorted(heights)} px"
    assert len(tops) == 1, f"the graph moved between steps: tops at {sorted(tops)} px"
