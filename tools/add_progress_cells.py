"""Give every notebook a last cell that shows the learner's progress in that notebook.

    python tools/add_progress_cells.py                 # every notebooks/NN_*.ipynb
    python tools/add_progress_cells.py notebooks/05_xor.ipynb

The cell (id "progress") runs `course_lib.progress("05")`: a table of that notebook's exercises,
passed / tried with the last feedback / not tried yet. Idempotent: a notebook that already has
the cell is left byte for byte as it is; a notebook whose cell is not the last any more gets it
moved back to the end (its source refreshed). Notebooks without checked exercises get none.

Re-execute the notebooks afterwards (tools/execute_notebooks.py) so the cell's output is
stored; it is deterministic there, because execution and the tests point COURSE_LIB_PROGRESS at
a fresh empty file: it shows what the notebook's own cells checked, nothing of yours.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "progress"
EXERCISES = ROOT / "course_lib" / "exercises"


def source_for(number: str) -> str:
    return ("# Your progress in this notebook's exercises (kept on this computer only;\n"
            "# course_lib.progress() shows every notebook).\n"
            "import course_lib\n\n"
            f'course_lib.progress("{number}")')


def has_exercises(number: str, exercises: Path = EXERCISES) -> bool:
    return (exercises / f"nb{number}.py").exists()


def add_cell(path: Path, exercises: Path = EXERCISES) -> str:
    """Make sure `path` ends with the progress cell; returns what was done, in a few words."""
    number = path.name[:2]
    if not re.fullmatch(r"\d\d", number):
        return "skipped: not named NN_topic.ipynb"
    if not has_exercises(number, exercises):
        return f"skipped: no course_lib/exercises/nb{number}.py"
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.get("id") == CELL_ID]
    wanted = source_for(number)
    if len(cells) == 1 and nb.cells[-1] is cells[0] and cells[0].source == wanted:
        return "already there"
    nb.cells = [c for c in nb.cells if c.get("id") != CELL_ID]
    cell = nbformat.v4.new_code_cell(wanted)
    cell.id = CELL_ID
    # No nbval-ignore-output tag: the output is deterministic (conftest.py and
    # execute_notebooks.py give every run an empty progress file), so nbval checks it.
    nb.cells.append(cell)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return "moved to the end" if cells else "added"


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {add_cell(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
