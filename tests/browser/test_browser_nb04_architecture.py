"""Notebook 04 in JupyterLab: the architecture explorer redraws and recounts as it is changed.

The parameter count a page must show is worked out here: a layer with n_in inputs and n_out
neurons has n_out * n_in weights and n_out biases.
"""

from __future__ import annotations

import math
import re

import pytest
from jlab_harness import NOTEBOOKS, drag_slider, image_digest, screenshot, type_into_readout, wait_until

NAME = "04_neuron_layer_mlp.ipynb"
NIN, NOUT = 3, 1  # the notebook shows ArchitectureExplorer(nin=3, nout=1)


def hidden_layers(shape: str, layers: int, widest: int) -> list[int]:
    """Hidden sizes for the two shapes used here: all the same, or halving (rounded up)."""
    if shape == "same width":
        return [widest] * layers
    if shape == "funnel (narrowing)":
        return [max(1, math.ceil(widest / 2**i)) for i in range(layers)]
    raise AssertionError(f"this test does not know the shape {shape!r}")


def expected_parameters(hidden: list[int]) -> int:
    sizes = [NIN, *hidden, NOUT]
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:]))


@pytest.fixture
def ran(lab):
    assert (NOTEBOOKS / NAME).exists(), f"notebooks/{NAME} is missing"
    run = lab.open(NAME)
    lab.run_all(run)
    yield run
    problems = lab.browser_errors(run)
    assert not problems, "browser errors while using the widget:\n" + "\n".join(problems)


def test_architecture_explorer_redraws_and_counts(ran):
    page = ran.page
    explorer = page.locator(".nnfs-arch")
    layers = explorer.locator(".nnfs-arch-layers")
    neurons = explorer.locator(".nnfs-arch-neurons")
    preset = explorer.locator(".nnfs-arch-preset select")
    count = explorer.locator(".nnfs-arch-count")
    drawing = explorer.locator("img.nnfs-arch-drawing")
    explorer.scroll_into_view_if_needed()

    def controls() -> tuple[str, int, int]:
        value = lambda s: int(s.locator(".noUi-handle").get_attribute("aria-valuetext"))  # noqa: E731
        return preset.input_value(), value(layers), value(neurons)

    def shown_count() -> int | None:
        found = re.search(r"Parameters: (\d+)", count.inner_text())
        return int(found.group(1)) if found else None

    def check(step: str, before: str | None) -> str:
        """Wait for the redraw; the count shown must be the one computed for the controls shown."""
        def redrawn():
            shape, n_layers, widest = controls()
            want = expected_parameters(hidden_layers(shape, n_layers, widest))
            digest = image_digest(drawing)
            return digest and digest != before and shown_count() == want and (digest, want)

        what = f"{step}: redrawn with the right count ({count.inner_text()!r})"
        digest, want = wait_until(redrawn, 20, what)
        print(f"{step}: {controls()} -> {want} parameters")
        screenshot(page, f"04-arch-{step}", explorer)
        return digest

    assert controls() == ("same width", 2, 4)
    assert shown_count() == expected_parameters([4, 4]) == 41
    digest = check("start", None)

    layers.locator(".noUi-handle").focus()  # keyboard: one more hidden layer
    layers.locator(".noUi-handle").press("ArrowRight")
    digest = check("3-layers-keyboard", digest)
    assert controls()[1] == 3

    drag_slider(page, neurons, 0.7)  # mouse: wider layers
    digest = check("wider-by-drag", digest)
    assert controls()[2] > 4

    preset.select_option("funnel (narrowing)")
    digest = check("funnel", digest)

    type_into_readout(layers, "0")  # no hidden layer: the inputs feed the output neuron
    check("no-hidden-layer-typed", digest)
    assert controls()[1] == 0 and shown_count() == (NIN + 1) * NOUT
