"""The harness itself, on tiny notebooks written here: does it see a clean run as clean,
skip exactly the `raises-exception` cells, catch an unexpected error, and drive a slider?"""

from __future__ import annotations

import json

import pytest
from jlab_harness import screenshot

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def write_notebook(path, cells):
    """A minimal nbformat-4 notebook from (cell_type, source, tags) triples."""
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
        "cells": [
            {
                "cell_type": kind,
                "id": f"cell-{i}",
                "metadata": {"tags": tags} if tags else {},
                "source": source,
                **({"outputs": [], "execution_count": None} if kind == "code" else {}),
            }
            for i, (kind, source, tags) in enumerate(cells)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def test_tiny_notebook_runs_clean_and_slider_moves(lab, jupyter_server):
    name = "_harness/tiny.ipynb"
    write_notebook(
        jupyter_server.root / name,
        [
            ("markdown", "# A tiny notebook", []),
            ("code", "import sys\nprint('to stderr, not an error', file=sys.stderr)\n1 + 1", []),
            ("code", "raise ValueError('on purpose')", ["raises-exception"]),
            ("code", "", []),
            # after a tagged error JupyterLab shows the queued cells as "[ ]", yet they still run
            ("code", "import time\ntime.sleep(1.5)", []),
            (
                "code",
                "import ipywidgets as w\n"
                "s = w.FloatLogSlider(value=0.1, min=-3, max=0, step=0.5)\n"
                "s.add_class('nnfs-tiny-slider')\ns",
                ["nbval-ignore-output"],
            ),
        ],
    )
    run = lab.open(name)
    lab.run_all(run)
    assert lab.problems(run) == []
    saved = json.loads((jupyter_server.root / name).read_text())
    assert saved["cells"][2]["outputs"][0]["output_type"] == "error"  # it did raise, and was skipped
    assert saved["cells"][4]["execution_count"] and saved["cells"][5]["execution_count"]

    handle = run.page.locator(".nnfs-tiny-slider .noUi-handle")
    assert float(handle.get_attribute("aria-valuenow")) == pytest.approx(-1)
    handle.focus()
    handle.press("ArrowRight")
    run.page.wait_for_function(
        "() => document.querySelector('.nnfs-tiny-slider .widget-readout').innerText.trim() === '0.316'"
    )
    screenshot(run.page, "harness-tiny")


def test_harness_catches_an_unexpected_error(lab, jupyter_server):
    name = "_harness/broken.ipynb"
    write_notebook(
        jupyter_server.root / name,
        [("code", "x = 1", []), ("code", "1 / 0", []), ("code", "print('never runs')", [])],
    )
    run = lab.open(name)
    with pytest.raises(AssertionError, match=r"cells \[2\] were not executed(?s:.*)ZeroDivisionError"):
        lab.run_all(run)
    assert any("ZeroDivisionError" in p for p in lab.problems(run))
