"""Every notebook in notebooks/ opens in JupyterLab and runs all cells without an error.

Cells tagged `raises-exception` demonstrate an error on purpose and are left out of the check;
everything else must run without an error output, without a traceback on stderr, and without
an error in the browser console.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jlab_harness import NOTEBOOKS, cell_source, read_notebook, screenshot

ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def needs_torch(name: str) -> bool:
    nb = read_notebook(NOTEBOOKS / name)
    return any(
        re.search(r"^\s*(import torch|from torch\b)", cell_source(c), re.M)
        for c in nb["cells"]
        if c["cell_type"] == "code"
    )


def torch_importable() -> bool:
    # In a subprocess with the kernel's interpreter: importing torch here would cost the test
    # process seconds and hundreds of MB for nothing.
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def test_there_are_notebooks():
    assert ALL, f"no notebooks found in {NOTEBOOKS}"


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_clean_in_jupyterlab(lab, name):
    if needs_torch(name) and not torch_importable():
        pytest.skip(f"{name} needs PyTorch, which is not importable here (pip install -e .[torch])")
    run = lab.open(name)
    lab.run_all(run)
    problems = lab.problems(run)
    stem = Path(name).stem
    screenshot(run.page, f"{stem}-ran")
    print(f"{name}: Run All Cells took {run.seconds:.1f} s")
    if problems and not os.environ.get("COURSE_LIB_DATA"):
        problems.append("(COURSE_LIB_DATA is not set: the notebooks that load MNIST need it)")
    assert not problems, f"{name} did not run clean in JupyterLab:\n" + "\n".join(problems)
