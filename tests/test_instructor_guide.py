"""The instructor's guide (tools/instructor_guide.py) covers every exercise, from the checkers themselves."""

from __future__ import annotations

import html
import importlib
import re
import sys
from pathlib import Path

import pytest

from course_lib import learner_progress
from course_lib.exercises import Exercise

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import instructor_guide  # noqa: E402


@pytest.fixture(scope="module")
def guide() -> str:
    return instructor_guide.guide_markdown()


def every_exercise():
    for path in sorted((ROOT / "course_lib" / "exercises").glob("nb*.py")):
        stem = path.stem
        module = importlib.import_module(f"course_lib.exercises.{stem}")
        for name, value in vars(module).items():
            if re.fullmatch(r"q\d+", name) and isinstance(value, Exercise):
                yield stem[2:], name, value


def test_every_exercise_is_in_the_guide_with_its_hint_mistakes_and_folded_solution(guide):
    exercises = list(every_exercise())
    assert len(exercises) >= 25
    for number, q, exercise in exercises:
        start = guide.find(f'data-exercise="{number}.{q}"')
        assert start >= 0, f"nb{number}.{q} is missing from the instructor's guide"
        section = guide[start:guide.find("</details>", start)]
        assert html.escape(" ".join(exercise._hint.split())[:60]) in section, f"{number}.{q}: hint"
        assert "<details><summary>Solution" in section
        said = int(re.search(r"recognises \((\d+)\)", section).group(1))
        assert said > 0 and section.count("<tr><td>") == said, f"{number}.{q}: mistakes table"
        assert html.escape(exercise._solution.splitlines()[0]) in section, f"{number}.{q}: solution"


def test_the_guide_and_progress_find_the_same_exercises(guide):
    listed = set(re.findall(r'data-exercise="(\d\d)\.(q\d+)"', guide))
    found = {(nb, q) for nb, entry in learner_progress.discover().items() for q in entry.exercises}
    assert listed == found


def test_the_typical_mistakes_and_their_feedback_are_listed(guide):
    # from a table of (wrong formula, message): the formula as code, the message as the learner reads it
    uphill = ">x + lr * 2 * x</code></td><td>you stepped uphill: subtract lr * slope, do not add it"
    assert uphill in guide
    # a table of lambdas (nb03 q1): the wrong function's body
    assert ">1 - _sigmoid(x) ** 2</code></td><td>that is tanh&#x27;s pattern" in guide
    # a raise under a condition, with its run-time parts marked
    assert ">_close(got, -central)</code></td><td>the sign is flipped (‹where›)" in guide
    # a dict of known wrong outputs (nb05 q3)
    assert "XNOR (the opposite of XOR)" in guide


def test_a_new_mistake_in_a_checker_appears_without_another_step(tmp_path, monkeypatch):
    source = '''
from course_lib.exercises import NotYet

_SLIPS = ((2.0, "doubled: you counted every edge twice, once from each end."),)

def _check(n):
    for wrong, why in _SLIPS:
        if n == wrong:
            raise NotYet(why)
    if n < 0:
        raise NotYet(f"a count cannot be negative, and {n} is.")
'''
    (tmp_path / "made_up_checker.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("made_up_checker")
    mistakes = instructor_guide.mistakes_of(module._check)
    assert [(m.when, m.says) for m in mistakes] == [
        ("n < 0", "a count cannot be negative, and ‹n› is."),
        ("2.0", "doubled: you counted every edge twice, once from each end."),
    ]


def test_a_guide_without_solutions():
    guide = instructor_guide.guide_markdown(solutions=False)
    assert "<details>" not in guide and "def my_fn" not in guide
    assert guide.count("(solution left out of this copy of the guide)") == guide.count("data-exercise=")


def test_goals_and_time_come_from_the_notebooks_first_cell(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "# 42 · Test\n\nIntro.\n\n**What you will learn**\n\n- one thing;\n- another thing that goes\n"
        "  on over two lines.\n\n**Time:** main path 10–15 min, exercises 5–10 min.\n")]
    path = tmp_path / "42_test.ipynb"
    nbformat.write(nb, path)
    title, goals, time = instructor_guide.read_notebook(path)
    assert title == "42 · Test"
    assert goals == ["one thing", "another thing that goes on over two lines"]
    assert time == "main path 10–15 min, exercises 5–10 min."
    nb.cells[0].source = "# 43 · No time yet\n"
    nbformat.write(nb, path)
    assert instructor_guide.read_notebook(path) == ("43 · No time yet", [], "not stated")
