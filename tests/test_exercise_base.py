"""The Exercise object every notebook's checks are built on."""

import math
import time

import numpy as np
import pytest

import course_lib.exercises as base
from course_lib.engine import Value
from course_lib.exercises import CheckResult, Exercise, NotYet, expect_close, number


def make():
    def checker(answer):
        expect_close("the gradient for b", answer, 4.0)

    return Exercise("Exercise 1", checker, hint="Use the chain rule.", solution="b.grad = 4.0")


def test_right_answer(capsys):
    assert make().check(4.0)
    assert "Exercise 1: correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer, message", [
    (8.0, "the gradient for b is 8, expected 4 (off by a factor of 2)."),
    (-4.0, "the gradient for b is -4, expected 4 (the sign is flipped)."),
    (1.0, "the gradient for b is 1, expected 4."),
    ("four", "the gradient for b should be a number, got the text 'four': write the number without quotes."),
])
def test_wrong_answers_get_specific_messages(capsys, answer, message):
    assert not make().check(answer)
    assert message in capsys.readouterr().out


def test_placeholder_and_crashing_code(capsys):
    ex = make()
    assert not ex.check(...)
    assert "no answer yet" in capsys.readouterr().out

    def crashing_checker(fn):
        fn()

    crash = Exercise("Exercise 2", crashing_checker, "h", "s")
    assert not crash.check(lambda: 1 / 0)
    assert "your code raised ZeroDivisionError" in capsys.readouterr().out


def test_hint_and_solution(capsys):
    ex = make()
    ex.hint()
    ex.solution()
    out = capsys.readouterr().out
    assert "Hint for Exercise 1: Use the chain rule." in out and "b.grad = 4.0" in out
    assert "check(answer)" in repr(ex)
    assert issubclass(NotYet, Exception)


# ---- hardening (red-team report, issues 10 and 11) ---------------------------------------------
def two_answers():
    def checker(dfdx, dfdy):
        expect_close("df/dx", dfdx, 1.0)
        expect_close("df/dy", dfdy, 2.0)

    return Exercise("q2", checker, "h", "s")


def test_wrong_number_of_answers_says_how_many(capsys):
    assert not make().check(4.0, 1)
    out = capsys.readouterr().out
    assert "this check takes 1 answer, check(answer); you gave 2." in out
    assert "your code raised" not in out
    assert not two_answers().check(1.0)
    assert "this check takes 2 answers, check(dfdx, dfdy); you gave 1." in capsys.readouterr().out


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -math.inf, np.float64("nan"), np.array(np.inf)])
def test_nan_or_inf_answers_are_not_finite_numbers(capsys, bad):
    assert not two_answers().check(1.0, bad)
    out = capsys.readouterr().out
    assert "dfdy is" in out and "not a finite number" in out
    assert "your code raised" not in out


@pytest.mark.parametrize("form", [
    2.0, 2, np.float64(2.0), np.float32(2.0), np.int64(2), np.array(2.0), np.array(2), Value(2.0),
], ids=["float", "int", "np.float64", "np.float32", "np.int64", "0-d float", "0-d int", "Value"])
def test_every_number_form_is_accepted(capsys, form):
    assert two_answers().check(1.0, form)
    assert "correct!" in capsys.readouterr().out


@pytest.mark.parametrize("bad, words", [
    ("2.0", "should be a number, got the text '2.0': write the number without quotes"),
    (np.array([2.0]), "should be a single number, got an array of shape (1,)"),
    (True, "got the boolean True"),
    ([2.0], "should be a number, got list"),
])
def test_other_forms_are_refused_with_a_message(bad, words):
    with pytest.raises(NotYet) as err:
        number("df/dy", bad)
    assert words in str(err.value)


def test_number_forms_reach_the_checker_as_plain_numbers():
    seen = []
    ex = Exercise("q", lambda a, b, c: seen.extend([a, b, c]), "h", "s")
    ex.check(np.int64(3), np.array(0.5), Value(2))
    assert seen == [3, 0.5, 2.0]
    assert [type(x) for x in seen] == [int, float, float]


def test_check_result_is_true_or_false_but_shows_nothing(capsys):
    right, wrong = make().check(4.0), make().check(3.0)
    assert isinstance(right, CheckResult) and right and not wrong
    assert right == True and wrong == False  # noqa: E712
    assert right._ipython_display_() is None  # Jupyter: handled, nothing displayed


def test_check_result_is_hidden_in_ipython():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(make().check(...))
    assert data == {}


def test_a_check_whose_code_never_returns_is_stopped(capsys):
    def checker(fn):
        fn()

    def loops_forever():
        while True:
            pass

    ex = Exercise("q9", checker, "h", "s", timeout=0.5)
    start = time.perf_counter()
    assert not ex.check(loops_forever)
    assert time.perf_counter() - start < 5
    out = capsys.readouterr().out
    assert "stopped after running for 0.5 s" in out and "never returns" in out


def test_the_default_timeout_applies(monkeypatch, capsys):
    monkeypatch.setattr(base, "TIMEOUT", 0.3)

    def checker(fn):
        fn()

    assert not Exercise("q9", checker, "h", "s").check(lambda: time.sleep(3))
    # sleep() cannot be interrupted from another thread: the message says it is still running
    assert "ran for more than 0.3 s and is still running" in capsys.readouterr().out


def test_keyboard_interrupt_and_system_exit_still_propagate():
    def checker(error):
        raise error

    for error in (KeyboardInterrupt, SystemExit):
        with pytest.raises(error):
            Exercise("q", checker, "h", "s").check(error)


def test_hints_and_messages_wrap_at_word_boundaries(capsys, monkeypatch):
    monkeypatch.setattr(base, "WIDTH", 100)  # tests/conftest.py widens it for the other tests
    words = "supercalifragilistic " * 12
    ex = Exercise("q1", lambda answer: None, hint=words + "\nSecond line.", solution="x = 1  # " + "y" * 120)
    ex.hint()
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= base.WIDTH for line in lines)
    assert all(set(line.split()) <= {"Hint", "for", "q1:", "supercalifragilistic", "Second", "line."}
               for line in lines)  # no word cut in two
    assert lines[-1].endswith("supercalifragilistic Second line.")  # prose is reflowed, no orphans
    ex.solution()  # code is printed as it is: wrapping would break it
    assert "x = 1  # " + "y" * 120 in capsys.readouterr().out


def test_not_yet_messages_wrap_at_word_boundaries(capsys, monkeypatch):
    monkeypatch.setattr(base, "WIDTH", 100)
    long_reason = "your answer is off " * 12 + "by a factor of two"

    def checker(answer):
        raise NotYet(long_reason)

    assert not Exercise("q9", checker, hint="h", solution="s").check(1.0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and all(len(line) <= 100 for line in lines)
    assert " ".join(" ".join(lines).split()) == "q9: not yet. " + " ".join(long_reason.split())


def test_the_answer_rule_holds_across_notebooks(capsys):
    from course_lib.exercises import nb01, nb03, nb05

    assert nb01.q2.check(Value(22.5)) and nb01.q2.check(np.array(22.5)) and nb01.q2.check(np.float32(22.5))
    assert not nb01.q2.check("22.5")
    assert "should be a number, got the text '22.5'" in capsys.readouterr().out
    assert not nb01.q2.check(np.array([22.5]))
    assert "got an array of shape (1,)" in capsys.readouterr().out
    e2 = math.exp(2)
    assert nb03.q2.check(np.array(e2), np.array(e2 / 4))  # 0-d arrays, as every check accepts
    assert nb05.q1.check(lambda x, lr: Value(x) - lr * 2 * x)  # a Value counts by its .data


def test_a_value_class_is_not_taken_for_a_value():
    # A check that wants a class (nb03's own engine) must get the class, not its `data` slot.
    assert base._as_answer("cls", Value) is Value
    with pytest.raises(NotYet, match="should be a number"):
        number("x", Value)


def test_a_catch_all_in_the_learners_loop_does_not_swallow_the_stop(capsys):
    """`while True: try: step() except Exception: pass` must still be stopped, not spin on."""
    steps = []

    def step():
        steps.append(1)

    def stuck(answer):
        deadline = time.monotonic() + 6  # a bound, so a failing test leaves no thread behind
        while time.monotonic() < deadline:
            try:  # nearly all the time is spent inside the try: the stop request arrives there
                for _ in range(1000):
                    step()
            except Exception:
                pass

    assert not Exercise("t", stuck, "", "", timeout=0.3).check(1)
    assert "was stopped after running for 0.3 s" in capsys.readouterr().out
    count = len(steps)
    time.sleep(0.3)
    assert len(steps) == count  # nothing runs on in the background


def test_a_check_that_cannot_be_stopped_says_it_is_still_running(capsys):
    def in_c_code(answer):
        time.sleep(2.5)  # the stop request is only seen between lines of Python

    assert not Exercise("t", in_c_code, "", "", timeout=0.2).check(1)
    out = capsys.readouterr().out
    assert "still running in the background: restart the kernel" in out and "was stopped" not in out


@pytest.mark.parametrize("huge", [10**400, -(10**400), np.array(10**400, dtype=object)])
def test_a_huge_whole_number_is_a_message_not_a_traceback(capsys, huge):
    """10**400 (`**` typed for `*`) does not fit a float: say so instead of raising OverflowError."""
    assert not Exercise("t", lambda x: None, "", "").check(huge)
    out = capsys.readouterr().out
    assert "far too large (a whole number of about 400 digits)" in out
    with pytest.raises(NotYet, match="far too large"):
        number("dC/dw1", 10**400)
