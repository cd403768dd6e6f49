"""Every notebook states its time in its first markdown cell (README: "How long each lesson takes")."""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("lesson_times", ROOT / "tools" / "lesson_times.py")
lesson_times = importlib.util.module_from_spec(spec)
sys.modules["lesson_times"] = lesson_times  # dataclasses look the module up
spec.loader.exec_module(lesson_times)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_markdown_cell_has_a_time_line(path):
    first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    match = lesson_times.TIME_LINE.search(first.source)
    wanted = lesson_times.measure(path).time_line()
    assert match, f"{path.name}: its first markdown cell needs a line like {wanted}"
    low, high, ex_low, ex_high = map(int, match.groups())
    assert 0 < low < high and 0 <= ex_low <= ex_high, match[0]
    assert "about 45 minutes" not in first.source


def test_the_rule_counts_words_cells_and_exercise_sizes(tmp_path):
    cells = [nbformat.v4.new_markdown_cell("# Title\n\n" + "word " * 240),  # 2 minutes of prose
             nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("y = 2"),
             nbformat.v4.new_markdown_cell("## Exercises\n\nMany words here " * 50),
             nbformat.v4.new_code_cell("def f(x):\n    return ...\n\nnb01.q1.check(f)"),
             nbformat.v4.new_code_cell("answer = ...\nnb01.q2.check(answer)"),
             nbformat.v4.new_code_cell("class MyValue:\n    ...\nnb03.q4.check(MyValue)"),
             nbformat.v4.new_markdown_cell("## Optional: more\n\n" + "skipped " * 1000),
             nbformat.v4.new_code_cell("z = 3")]
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    lesson = lesson_times.measure(path)
    assert (lesson.words, lesson.code_cells) == (241, 2)  # "Title" counts; exercise and optional prose do not
    assert lesson.exercises == ["function", "value", "engine"]
    assert lesson.main_range() == (0, 5) and lesson.exercise_range() == (65, 130)
    assert lesson.time_line().startswith("**Time:** main path 0–5 min, exercises 65–130 min")
