"""Write the class edition of the course: the notebooks without answers, for a class.

    python tools/build_student.py                 # or: make student / python course.py student
    python tools/build_student.py --out /srv/class/nnfs

What changes in the copy (the lessons themselves are untouched):
- the stored outputs of every cell that calls `.check(` or `.solution(` are removed, and so are
  those of the progress cell (id "progress"): each learner starts from a clean slate;
- `solution()` is switched off: the folder holds a marker file (`course_lib_class_edition.json`)
  that `course_lib` looks for in the notebook's folder, and every notebook's metadata says
  `"course_lib": {"edition": "class"}`. On a shared JupyterHub also set the environment
  variable COURSE_LIB_NO_SOLUTIONS=1 for every learner, which works wherever the notebooks are
  copied to. A learner calling solution() then gets one friendly line, and hints stay on.

This is a speed bump, not a lock: the solutions ship inside the installed `course_lib` package.

The output folder is replaced only if it is empty, missing, or a previous class edition (it holds
the marker file); anything else is refused, so a typo cannot wipe someone's work.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "student"
sys.path.insert(0, str(ROOT))
from course_lib.exercises import CLASS_MARKER  # noqa: E402 - after sys.path is set

GRADED_CALL = re.compile(r"\.(check|solution)\(")
README = """\
# Neural Networks from Scratch: class edition

These are the course notebooks with the answers taken out: checks start empty and
`solution()` is switched off. Hints work as usual, and `course_lib.progress()` (the last cell of
each notebook) shows which exercises you have passed.

Open them with JupyterLab from this folder (`jupyter lab`), in an environment where
`course_lib` is installed (see the course's README).
"""


class StudentError(Exception):
    """The class edition could not be written; the message says why."""


def lesson_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def strip_answers(nb: nbformat.NotebookNode) -> int:
    """Remove the stored outputs of check, solution and progress cells; returns how many cells."""
    cleared = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if GRADED_CALL.search(cell.source) or cell.get("id") == "progress":
            if cell.outputs or cell.execution_count is not None:
                cleared += 1
            cell.outputs = []
            cell.execution_count = None
    nb.metadata["course_lib"] = {"edition": "class", "solutions": "off"}
    return cleared


def _commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def prepare(out: Path) -> None:
    """Make `out` an empty folder, refusing to replace anything but a previous class edition."""
    if out.exists():
        if not out.is_dir():
            raise StudentError(f"{out} is a file, not a folder; choose another --out.")
        if any(out.iterdir()):
            if not (out / CLASS_MARKER).is_file():
                raise StudentError(f"{out} is not empty and is not a class edition written by this "
                                   f"script (no {CLASS_MARKER} in it): refusing to replace it. "
                                   "Choose another --out, or empty it yourself.")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def build(out: Path = OUT, root: Path = ROOT) -> list[str]:
    """Write the class edition into `out`; returns one line per notebook."""
    notebooks = lesson_notebooks(root)
    if not notebooks:
        raise StudentError(f"no notebooks named NN_topic.ipynb in {root / 'notebooks'}")
    prepare(out)
    report = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        cleared = strip_answers(nb)
        nbformat.validate(nb)
        nbformat.write(nb, out / path.name)
        report.append(f"{path.name}: outputs of {cleared} check/solution/progress cell(s) removed")
    (out / "README.md").write_text(README, encoding="utf-8")
    marker = {"edition": "class", "solutions": "off",
              "built": datetime.now(UTC).isoformat(timespec="seconds"),
              "from_commit": _commit(root), "notebooks": [p.name for p in notebooks]}
    (out / CLASS_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    try:
        report = build(out)
    except StudentError as err:
        print(f"build_student: {err}", file=sys.stderr)
        return 1
    print("\n".join(report))
    print(f"Class edition written to {out} (solution() is off there; on a JupyterHub also set "
          "COURSE_LIB_NO_SOLUTIONS=1).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
