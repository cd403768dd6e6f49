"""One notebook on its own, as a learner who downloaded it gets it (README: "Run one notebook
elsewhere"): the course as the website's zip, a wheel built from it, a fresh virtual environment
that sees nothing of this repository, and an empty folder with one notebook in it.

Marked `slow` (about 75 s of processor time, 4 minutes on a busy 2-core machine: the fresh
environment installs the course's dependencies with pip, from the package index or pip's cache);
`pytest -m "not slow"` leaves it out. `make test` and CI run it; pytest -s prints each step's time.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from course_lib.exercises import reference_value

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

pytestmark = pytest.mark.slow

NOTEBOOKS = build_site.lesson_notebooks(ROOT)
KERNEL = "learner"
TIMES: dict[str, float] = {}  # seconds per step, printed at the end (pytest -s shows them)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def timed(step: str, command: list) -> None:
    start = time.perf_counter()
    subprocess.run([str(c) for c in command], check=True, cwd=ROOT)
    TIMES[step] = time.perf_counter() - start


def build_wheel(archive: Path, out: Path) -> Path:
    """`pip wheel` straight from the course zip, as a learner could. Without build isolation when
    this Python has a recent setuptools (no download needed), else pip fetches setuptools."""
    isolation = []
    if importlib.util.find_spec("setuptools") is not None:
        import setuptools

        if int(setuptools.__version__.split(".")[0]) >= 64:
            isolation = ["--no-build-isolation"]
    timed("build the wheel", [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation,
                              "-w", out, archive])
    return next(out.glob("*.whl"))


def without_dot(path: str) -> str:
    """PATH without the folders that hold Graphviz's `dot`: the graphs must come from its
    WebAssembly build, as on a computer without Graphviz."""
    names = ("dot", "dot.exe")
    return os.pathsep.join(d for d in path.split(os.pathsep) if not any(Path(d, n).exists() for n in names))


def write_kernelspec(folder: Path, python: Path, env: dict[str, str]) -> Path:
    spec = folder / KERNEL
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": KERNEL, "language": "python",
                                                  "env": env}))
    return folder


def run(nb: nbformat.NotebookNode, kernels: Path, folder: Path, allow_errors: bool = False):
    """Execute nb in a new kernel of the fresh venv, in `folder`. Cells tagged raises-exception may
    raise; any other error fails (nbclient's CellExecutionError)."""
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    # The kernel's own messages (ipykernel's start-up warnings) go to a file beside the kernel
    # spec, not into the test run's output; the cells' outputs and errors are in the notebook.
    with open(kernels / "kernel.log", "a") as log:
        try:
            NotebookClient(nb, km=km, timeout=600, allow_errors=allow_errors,
                           resources={"metadata": {"path": str(folder)}}).execute(stderr=log)
        finally:  # nbclient leaves a kernel it did not create running
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    return nb


def first_code_cell(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    nb.cells = [next(c for c in nb.cells if c.cell_type == "code")]
    return nb


def finish_exercise_4(nb: nbformat.NotebookNode) -> None:
    """Append what a learner who finished exercise 4 has: their MyValue (here the reference
    solution), defined in a cell, and the check that saves it to my_value.py."""
    source = ("import math\n\nfrom course_lib.exercises import nb03\n\n\n"
              + inspect.getsource(reference_value.MyValue) + "\n\nnb03.q4.check(MyValue)\n")
    nb.cells.append(nbformat.v4.new_code_cell(source))


def texts(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    """Does everything once, in the order a learner would: the first cells run before course_lib
    is installed, the notebooks after."""
    base = tmp_path_factory.mktemp("learner")
    archive = build_site.course_zip(ROOT, base / "download")
    wheel = build_wheel(archive, base / "dist")

    venv = base / "venv"
    timed("create the venv", [sys.executable, "-m", "venv", venv])  # no system site-packages
    python = venv_python(venv)
    timed("install ipykernel", [python, "-m", "pip", "install", "-q", "ipykernel"])
    env = {"PATH": without_dot(os.environ.get("PATH", "")), "PYTHONPATH": "",
           "XDG_CACHE_HOME": str(base / "cache"), "COURSE_LIB_DATA": ""}
    kernels = write_kernelspec(base / "kernels", python, env)

    bare = base / "bare"
    bare.mkdir()
    start = time.perf_counter()
    first_cells = {}
    for path in NOTEBOOKS:
        first_cells[path.name] = run(first_code_cell(path), kernels, bare, allow_errors=True).cells[0]
    TIMES["first cells without course_lib"] = time.perf_counter() - start

    timed("install the wheel and its dependencies", [python, "-m", "pip", "install", "-q", wheel])
    folder = base / "empty"
    folder.mkdir()
    ran = {}
    for name in ("03_tanh_exp_backprop.ipynb", "04_neuron_layer_mlp.ipynb"):
        shutil.copy2(ROOT / "notebooks" / name, folder / name)
        nb = nbformat.read(folder / name, as_version=4)
        if name.startswith("03"):
            finish_exercise_4(nb)
        start = time.perf_counter()
        ran[name] = run(nb, kernels, folder)
        TIMES[f"run {name}"] = time.perf_counter() - start
    print("\n" + "\n".join(f"{step}: {seconds:.1f} s" for step, seconds in TIMES.items()))
    return {"archive": archive, "wheel": wheel, "venv": venv, "python": python, "folder": folder,
            "bare": bare, "first_cells": first_cells, "ran": ran}


def test_the_download_holds_the_course_and_no_clutter(learner):
    with zipfile.ZipFile(learner["archive"]) as archive:
        names = archive.namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {build_site.download_name(ROOT)}
    files = {name.split("/", 1)[1] for name in names}
    assert {"course.py", "pyproject.toml", "README.md", "environment.yml", "Makefile",
            "course_lib/__init__.py", "notebooks/03_tanh_exp_backprop.ipynb"} <= files
    assert not [f for f in files if f.startswith((".venv", "build/", "data")) or "__pycache__" in f]


def test_wheel_is_course_lib_alone(learner):
    with zipfile.ZipFile(learner["wheel"]) as wheel:
        packages = {name.split("/")[0] for name in wheel.namelist() if not name.split("/")[0].endswith(
            (".dist-info", ".data"))}
    assert packages == {"course_lib"}


def test_without_course_lib_the_first_cell_says_how_to_install_it(learner):
    for name, cell in learner["first_cells"].items():
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1 and errors[0].ename == "SystemExit", name
        message = errors[0].evalue
        assert "pip install" in message and "Run one notebook elsewhere" in message, name
        assert "\n" not in message, name  # one line
        # no traceback wall: at most the exception's own line, never the frames of a stack
        shown = "\n".join(errors[0].traceback)
        assert "File " not in shown and "Traceback" not in shown and len(errors[0].traceback) <= 2, shown
        # Nothing else, except the two lines of IPython's own warning after a SystemExit
        # ("UserWarning: To exit: use 'exit', 'quit', or Ctrl-D.").
        others = [o for o in cell.outputs if o.output_type != "error"]
        stderr = "".join(o.get("text", "") for o in others if o.get("name") == "stderr")
        assert all(o.get("name") == "stderr" for o in others), name
        assert not stderr or ("To exit: use 'exit'" in stderr and len(stderr.splitlines()) <= 2), stderr


def test_one_notebook_runs_in_an_empty_folder_with_only_the_wheel(learner):
    nb03 = learner["ran"]["03_tanh_exp_backprop.ipynb"]
    # every cell ran (run() fails on any error in a cell not tagged raises-exception)
    assert all(c.execution_count for c in nb03.cells if c.cell_type == "code")
    outputs = [o for c in nb03.cells if c.cell_type == "code" for o in c.outputs]
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert svgs, "no graph drawn: the WebAssembly Graphviz should draw them without the dot program"
    # course_lib came from the wheel in the fresh venv, not from this repository, and the data
    # sets would go to the user's cache
    check = run(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import course_lib, course_lib.datasets\nprint(course_lib.__file__)\n"
        "print(course_lib.datasets.data_dir())")]), learner["folder"].parent / "kernels", learner["folder"])
    package, data = (Path(line).resolve() for line in texts(check.cells[0]).splitlines())
    assert package.is_relative_to(learner["venv"].resolve()) and not package.is_relative_to(ROOT)
    assert not data.is_relative_to(ROOT) and not data.is_relative_to(learner["venv"].resolve())
    if sys.platform.startswith("linux"):  # elsewhere the cache is not where XDG_CACHE_HOME says
        assert data.is_relative_to((learner["folder"].parent / "cache").resolve())


def test_my_value_is_saved_next_to_the_notebook_and_04_uses_it(learner):
    assert "Saved your class to my_value.py" in texts(learner["ran"]["03_tanh_exp_backprop.ipynb"].cells[-1])
    assert (learner["folder"] / "my_value.py").is_file()
    assert not list(learner["venv"].rglob("my_value.py"))
    out = "".join(texts(c) for c in learner["ran"]["04_neuron_layer_mlp.ipynb"].cells)
    assert "Using your own MyValue from my_value.py (notebook 03)" in out
