"""The Exercise object every notebook's checks are built on."""

import pytest

from course_lib.exercises import Exercise, NotYet, expect_close


def make():
    def checker(answer):
        expect_close("the gradient for b", answer, 4.0)

    return Exercise("Exercise 1", checker, hint="Use the chain rule.", solution="b.grad = 4.0")


def test_right_answer(capsys):
    assert make().check(4.0) is True
    assert "Exercise 1: correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer, message", [
    (8.0, "the gradient for b is 8, expected 4 (off by a factor of 2)."),
    (-4.0, "the gradient for b is -4, expected 4 (the sign is flipped)."),
    (1.0, "the gradient for b is 1, expected 4."),
    ("four", "the gradient for b should be a number, got str: 'four'"),
])
def test_wrong_answers_get_specific_messages(capsys, answer, message):
    assert make().check(answer) is False
    assert message in capsys.readouterr().out


def test_placeholder_and_crashing_code(capsys):
    ex = make()
    assert ex.check(...) is False
    assert "no answer yet" in capsys.readouterr().out

    def crashing_checker(fn):
        fn()

    crash = Exercise("Exercise 2", crashing_checker, "h", "s")
    assert crash.check(lambda: 1 / 0) is False
    assert "your code raised ZeroDivisionError" in capsys.readouterr().out


def test_hint_and_solution(capsys):
    ex = make()
    ex.hint()
    ex.solution()
    out = capsys.readouterr().out
    assert "Hint for Exercise 1: Use the chain rule." in out and "b.grad = 4.0" in out
    assert "check(answer)" in repr(ex)
    assert issubclass(NotYet, Exception)
