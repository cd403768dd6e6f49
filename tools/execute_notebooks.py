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
Without widget state a tqdm progress bar would be saved as its text fallback, a bar
frozen at 0%, so progress bars are dropped (cells that show one are tagged
nbval-ignore-output, since their live output varies anyway).
Each notebook runs with COURSE_LIB_PROGRESS pointing at a fresh, empty progress file, so its
last cell (`course_lib.progress("NN")`) stores what the notebook's own checks did, never the
progress of whoever runs this script, and never touches their progress file.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# tqdm's text, e.g. "epoch 1/8:   0%|          | 0/125 [00:00<?, ?it/s]"
PROGRESS_BAR = re.compile(r"\d+%\|.*\| *\d+/\d+ \[")


def _is_progress_bar(output) -> bool:
    data = output.get("data", {})
    return WIDGET_VIEW in data and bool(PROGRESS_BAR.search(str(data.get("text/plain", ""))))


def drop_progress_bars(nb) -> None:
    """Remove progress-bar widgets from every cell's outputs (in place).

    The printed lines the bars separated are joined again, so they read as one block.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if _is_progress_bar(out):
                continue
            last = outputs[-1] if outputs else None
            if last and out.output_type == last.output_type == "stream" and out.name == last.name:
                last.text += out.text
            else:
                outputs.append(out)
        cell.outputs = outputs


def run(path: Path, env: dict[str, str] | None = None):
    """Execute one notebook from a fresh kernel without saving it; returns (notebook, seconds).

    `env`: the kernel's environment variables (default: this process's). A cell that raises
    stops the run with nbclient's CellExecutionError, unless it is tagged raises-exception.
    """
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
    with tempfile.TemporaryDirectory(prefix="course-lib-progress-") as progress:
        # a fresh, empty progress file, so the stored progress table shows only this run's checks
        kernel_env = dict(os.environ if env is None else env)
        kernel_env["COURSE_LIB_PROGRESS"] = os.path.join(progress, "progress.json")
        client.execute(env=kernel_env)
    return nb, time.perf_counter() - start


def execute(path: Path) -> float:
    """Execute one notebook in place; returns the seconds it took."""
    nb, seconds = run(path)
    nb.metadata.pop("widgets", None)
    drop_progress_bars(nb)
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
