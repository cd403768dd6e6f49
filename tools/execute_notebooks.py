"""Run notebooks from a fresh kernel and save their outputs, ready to commit.

    python tools/execute_notebooks.py notebooks/03_tanh_exp_backprop.ipynb [...]
    python tools/execute_notebooks.py            # all notebooks, in order

Outputs are what `pytest --nbval` later compares against, so always re-run a
notebook this way after changing it or anything in course_lib it uses. Widget
state and per-cell timings are not stored: they change on every run and
would only add noise to diffs (and incomplete widget state breaks GitHub's viewer).
Stored widget state would not make the widgets work without a kernel either: the
controls would show but do nothing, and the pictures in them (PNG bytes) would
double the notebooks' size. Instead, without a kernel each widget shows its text
form (e.g. "<ParabolaWidget: learning rate 0.3: after 20 steps x = -1.1e-08
(converged)>") next to the static figures the notebook draws for that lesson.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> float:
    """Execute one notebook in place; returns the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # run in the notebook's folder, as nbval does
        store_widget_state=False,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(args: list[str]) -> None:
    paths = [Path(a) for a in args] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path.resolve()):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
