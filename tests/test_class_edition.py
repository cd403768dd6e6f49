"""The class edition (tools/build_student.py) and the notebooks' progress cell
(tools/add_progress_cells.py)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.exercises import CLASS_MARKER

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import add_progress_cells  # noqa: E402
import build_student  # noqa: E402


def fake_course(tmp_path: Path) -> Path:
    """A course folder with notebook 01 and a version of it whose check cell has stored outputs."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "01_derivatives.ipynb", root / "notebooks")
    nb = nbformat.read(ROOT / "notebooks" / "01_derivatives.ipynb", as_version=4)
    for cell in nb.cells:
        if ".check(" in cell.source:
            cell.source = cell.source.replace("my_fn = ...", "def my_fn(f, x, h):\n    return 0")
    extra = nbformat.v4.new_code_cell("nb01.q1.solution()", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="A solution for q1: return (f(x + h) ...")])
    nb.cells.append(extra)
    nbformat.write(nb, root / "notebooks" / "02_graded.ipynb")
    return root


def test_the_class_edition_has_no_stored_answers_and_carries_the_switch(tmp_path):
    root = fake_course(tmp_path)
    out = tmp_path / "class"
    report = build_student.build(out, root)
    assert sorted(p.name for p in out.iterdir()) == ["01_derivatives.ipynb", "02_graded.ipynb",
                                                     "README.md", CLASS_MARKER]
    assert len(report) == 2
    for path in out.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["course_lib"]["edition"] == "class"
        for cell in nb.cells:
            if cell.cell_type == "code" and (".check(" in cell.source or ".solution(" in cell.source):
                assert cell.outputs == [] and cell.execution_count is None
    graded = nbformat.read(out / "02_graded.ipynb", as_version=4)
    assert "return (f(x + h)" not in json.dumps(graded)
    hints = [c for c in graded.cells if c.cell_type == "code" and ".hint()" in c.source]
    assert hints and all(c.outputs for c in hints)  # hints keep their output
    marker = json.loads((out / CLASS_MARKER).read_text())
    assert marker["solutions"] == "off" and "02_graded.ipynb" in marker["notebooks"]


def test_the_class_edition_replaces_only_its_own_previous_build(tmp_path):
    root = fake_course(tmp_path)
    out = tmp_path / "class"
    build_student.build(out, root)
    (out / "stale.ipynb").write_text("{}")
    build_student.build(out, root)  # a previous class edition: replaced, stale file gone
    assert not (out / "stale.ipynb").exists()

    someone = tmp_path / "homework"
    someone.mkdir()
    (someone / "my_work.ipynb").write_text("{}")
    with pytest.raises(build_student.StudentError, match="refusing to replace it"):
        build_student.build(someone, root)
    assert (someone / "my_work.ipynb").read_text() == "{}"
    assert build_student.main(["--out", str(someone)]) == 1


def test_the_class_editions_notebooks_run_with_solutions_off(tmp_path):
    """Build it from the real notebooks and execute notebook 01 of it, with an extra solution() cell."""
    from nbclient import NotebookClient

    out = tmp_path / "class"
    build_student.build(out)
    nb = nbformat.read(out / "01_derivatives.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("nb01.q1.solution()"))
    env_before = os.environ.pop("COURSE_LIB_NO_SOLUTIONS", None)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(out)}}).execute()
    finally:
        if env_before is not None:
            os.environ["COURSE_LIB_NO_SOLUTIONS"] = env_before
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    said = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert said == ("q1 (numerical derivative): no solutions in this class edition: "
                    "try .hint() or ask your teacher.\n")


def without_progress_cell(source: Path, path: Path) -> None:
    """A copy of a lesson as it was before tools/add_progress_cells.py gave it its last cell."""
    nb = nbformat.read(source, as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.get("id") != "progress"]
    nbformat.write(nb, path)


def test_progress_cell_is_added_once_at_the_end(tmp_path):
    path = tmp_path / "05_xor.ipynb"
    without_progress_cell(ROOT / "notebooks" / "05_xor.ipynb", path)
    before = len(nbformat.read(path, as_version=4).cells)
    assert add_progress_cells.add_cell(path) == "added"
    once = path.read_bytes()
    assert add_progress_cells.add_cell(path) == "already there"
    assert path.read_bytes() == once  # idempotent, byte for byte
    nb = nbformat.read(path, as_version=4)
    assert len(nb.cells) == before + 1
    last = nb.cells[-1]
    assert last.id == "progress" and last.cell_type == "code"
    assert last.source.endswith('course_lib.progress("05")')
    nb.cells.append(nbformat.v4.new_markdown_cell("A section added later."))
    nbformat.write(nb, path)
    assert add_progress_cells.add_cell(path) == "moved to the end"
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[-1].id == "progress" and [c.id for c in nb.cells].count("progress") == 1


def test_no_progress_cell_without_exercises(tmp_path):
    path = tmp_path / "07_mnist_numpy.ipynb"
    without_progress_cell(ROOT / "notebooks" / "05_xor.ipynb", path)
    empty = tmp_path / "exercises"
    empty.mkdir()
    assert add_progress_cells.add_cell(path, exercises=empty).startswith("skipped")
    assert add_progress_cells.add_cell(path) in ("added", "skipped: no course_lib/exercises/nb07.py")
