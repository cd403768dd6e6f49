"""The checks of notebook 01 accept right answers and explain typical wrong ones."""

from __future__ import annotations

import math

import pytest

from course_lib.exercises import nb01


def output(capsys) -> str:
    return capsys.readouterr().out


def run_solution(exercise) -> dict:
    """Execute an exercise's printed solution (which calls the check) and return its namespace."""
    namespace: dict = {"nb01": nb01}
    exec(exercise._solution, namespace)
    return namespace


# ---- q1: my_fn(f, x, h) -------------------------------------------------


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def central_rearranged(f, x, h):  # the same formula written differently must pass too
    return f(x + h) / (2 * h) - f(x - h) / (2 * h)


def test_q1_accepts_central_difference(capsys):
    assert nb01.q1.check(central)
    assert nb01.q1.check(central_rearranged)
    assert "correct!" in output(capsys)


def test_q1_solution_passes(capsys):
    my_fn = run_solution(nb01.q1)["my_fn"]
    assert output(capsys).endswith("correct!\n")
    assert nb01.q1.check(my_fn)


@pytest.mark.parametrize(
    ("wrong", "expected"),
    [
        (lambda f, x, h: (f(x + h) - f(x)) / h, "one-sided difference"),
        (lambda f, x, h: (f(x) - f(x - h)) / h, "one-sided difference"),
        (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "sign is flipped"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / h, "factor of 2"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "`/ (2 * h)` with brackets"),
        (lambda f, x, h: f(x + h) - f(x - h), "forgot to divide by the step"),
        (lambda f, x, h: (f(x + 1e-6) - f(x - 1e-6)) / 2e-6, "use the h it is given"),
        (lambda f, x, h: f(x), "the central difference gives another number"),
    ],
)
def test_q1_explains_typical_mistakes(capsys, wrong, expected):
    assert not nb01.q1.check(wrong)
    text = output(capsys)
    assert "not yet" in text and expected in text, text


def test_q1_one_sided_message_names_the_error_orders(capsys):
    nb01.q1.check(lambda f, x, h: (f(x + h) - f(x)) / h)
    assert "error shrinks like h, not like h^2" in output(capsys)


def test_q1_rejects_non_functions_and_missing_return(capsys):
    assert not nb01.q1.check(3.0)
    assert "should be a function" in output(capsys)

    def forgot_return(f, x, h):
        (f(x + h) - f(x - h)) / (2 * h)

    assert not nb01.q1.check(forgot_return)
    assert "forget the `return`" in output(capsys)
    assert not nb01.q1.check(lambda f, x, h: "12")
    assert not nb01.q1.check(lambda f, x, h: [1.0])
    assert "should be a number" in output(capsys)


def test_q1_placeholder_and_crash(capsys):
    assert not nb01.q1.check(...)
    assert "no answer yet" in output(capsys)
    assert not nb01.q1.check(lambda f, x, h: 1 / 0)
    assert "ZeroDivisionError" in output(capsys)


# ---- q2: chain rule ------------------------------------------------------


def test_q2_numbers_are_distinct():
    right, slips = nb01._q2_numbers()
    values = [right, -right, 2 * right, *slips.values()]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert not math.isclose(a, b), values


def test_q2_accepts_right_answer(capsys):
    right, _ = nb01._q2_numbers()
    assert right == 22.5
    assert nb01.q2.check(22.5)
    assert nb01.q2.check(22.5 + 1e-9)  # a numerical estimate is fine
    assert run_solution(nb01.q2)["dC_dw1"] == 22.5
    assert output(capsys).count("correct!") == 3


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (11.25, "off by a factor of 2"),
        (-22.5, "sign is flipped"),
        (45.0, "off by a factor of 2 too large"),
        (7.5, "stopped one link early"),
        (3.75, "not w1"),
        (-7.5, "dp2/dp1 = w2 is missing"),
        (9.0, "dp3/dp2 = w3 is missing"),
        (1.0, "not right yet (you gave 1)"),
        ("22.5?", "should be a number"),
        (float("nan"), "finite number"),
    ],
)
def test_q2_explains_typical_mistakes(capsys, answer, expected):
    assert not nb01.q2.check(answer)
    text = output(capsys)
    assert expected in text, text


# ---- q3: two paths ---------------------------------------------------------


def test_q3_numbers_are_distinct():
    right, slips = nb01._q3_numbers()
    values = [right, -right, 2 * right, *slips.values()]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert not math.isclose(a, b), values


def test_q3_accepts_right_answer(capsys):
    assert nb01._q3_numbers()[0] == -27.0
    assert nb01.q3.check(-27.0)
    assert nb01.q3.check(-27)
    assert run_solution(nb01.q3)["dC_dw1_branch"] == -27.0
    assert output(capsys).count("correct!") == 3


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (54.0, "only the path through p2"),
        (-81.0, "only the path through p3"),
        (-162.0, "the two paths add"),
        (-13.5, "off by a factor of 2"),
        (-3.0, "you left out the cost"),
        (-9.0, "stopped one link early"),
        (27.0, "sign is flipped"),
        (5.0, "not right yet"),
    ],
)
def test_q3_explains_typical_mistakes(capsys, answer, expected):
    assert not nb01.q3.check(answer)
    text = output(capsys)
    assert expected in text, text


def test_hints_and_solutions_print(capsys):
    for exercise in (nb01.q1, nb01.q2, nb01.q3):
        exercise.hint()
        assert output(capsys).startswith(f"Hint for {exercise.name}")
        exercise.solution()
        assert output(capsys).startswith(f"A solution for {exercise.name}")


def test_q1_accepts_the_five_point_stencil_with_a_note(capsys):
    """A higher-order central difference is just as right (content review 2)."""
    def stencil(f, x, h):
        return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)

    assert nb01.q1.check(stencil)
    out = capsys.readouterr().out
    assert "five-point stencil" in out and out.endswith("correct!\n")
