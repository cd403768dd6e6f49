"""The checks of notebook 02 accept right answers and explain typical wrong ones."""

from __future__ import annotations

import pytest

from course_lib import Value
from course_lib.exercises import nb02


def output(capsys) -> str:
    return capsys.readouterr().out


def run_solution(exercise) -> dict:
    """Execute an exercise's printed solution (which may call the check) and return its namespace."""
    namespace: dict = {"nb02": nb02}
    exec(exercise._solution, namespace)
    return namespace


# ---- q1: backpropagation by hand through L = (a*b + c) * f ---------------------------

RIGHT_Q1 = (-8.0, 12.0, 4.0, 2.0)  # dL/da, dL/db, dL/dc, dL/df for a=3, b=-2, c=8, f=4


def test_q1_right_answer_matches_the_engine(capsys):
    a, b, c, f = (Value(nb02.Q1[k]) for k in "abcf")
    L = (a * b + c) * f
    L.backward()
    assert (a.grad, b.grad, c.grad, f.grad) == RIGHT_Q1
    assert nb02.q1.check(*RIGHT_Q1)
    assert nb02.q1.check(-8, 12, 4, 2)
    assert nb02.q1.check(*(Value(g) for g in RIGHT_Q1))  # Values count by their data
    assert "correct!" in output(capsys)


def test_q1_solution_passes(capsys):
    run_solution(nb02.q1)
    assert output(capsys).endswith("correct!\n")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((-8.0, 24.0, 4.0, 2.0), "the gradient for b is off by a factor of 2 (too large)"),
        ((-8.0, 12.0, 4.0, -2.0), "the gradient for f has the sign flipped"),
        # 6 = a*d: d where the upstream f belongs (content review 2), not "a factor of 2"
        ((-8.0, 6.0, 4.0, 2.0), "the gradient for b: you multiplied by d, but the gradient arriving"),
        ((-8.0, 12.0, 4.0, 4.0), "so it is d, not f itself"),
        ((12.0, 12.0, 4.0, 2.0), "local derivative of a*b with respect to a is the other factor, b"),
        ((-2.0, 12.0, 4.0, 2.0), "multiply it by the upstream gradient"),
        ((-8.0, 12.0, 1.0, 2.0), "1 is only the local derivative of e + c"),
        ((-8.0, 12.0, 4.0, -6.0), "not just a*b"),
        ((-8.0, 12.0, 4.0, 7.0), "the gradient for f is not right yet (you gave 7)"),
    ],
)
def test_q1_names_the_wrong_gradient(capsys, answer, expected):
    assert not nb02.q1.check(*answer)
    text = output(capsys)
    assert expected in text, text
    for name, got, want in zip("abcf", answer, RIGHT_Q1):
        if got == want:  # right gradients are not mentioned
            assert f"the gradient for {name}" not in text, text


def test_q1_d_as_the_upstream_gradient_is_named_for_each_gradient(capsys):
    assert not nb02.q1.check(-4.0, 6.0, 2.0, 2.0)
    text = output(capsys)
    assert "3 of the gradients are not right yet" in text and text.count("you multiplied by d") == 3
    assert "factor of 2" not in text


def test_q1_lists_every_wrong_gradient(capsys):
    assert not nb02.q1.check(12.0, -8.0, 4.0, 2.0)  # a and b swapped
    text = output(capsys)
    assert "2 of the gradients are not right yet" in text
    assert "the gradient for a:" in text and "the gradient for b:" in text
    assert "the gradient for c" not in text


def test_q1_wrong_count_placeholder_and_non_numbers(capsys):
    assert not nb02.q1.check(-8.0, 12.0)
    assert "pass 4 numbers, the gradients for a, b, c, f in that order; you passed 2" in output(capsys)
    assert not nb02.q1.check(..., ..., ..., ...)
    assert "no answer yet" in output(capsys)
    assert not nb02.q1.check(-8.0, 12.0, [4.0], 2.0)
    assert "should be a number, got list" in output(capsys)


# ---- q2: mul_backward(a, b, out) -----------------------------------------------------


def right(a, b, out):
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def test_q2_accepts_right_function(capsys):
    assert nb02.q2.check(right)
    assert nb02.q2.check(run_solution(nb02.q2)["mul_backward"])
    assert output(capsys).count("correct!") == 3  # the solution runs the check itself, too


def overwrite(a, b, out):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def swapped(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def no_upstream(a, b, out):
    a.grad += b.data
    b.grad += a.data


def flipped(a, b, out):
    a.grad -= b.data * out.grad
    b.grad -= a.data * out.grad


def doubled(a, b, out):
    a.grad += 2 * b.data * out.grad
    b.grad += 2 * a.data * out.grad


def only_a(a, b, out):
    a.grad += b.data * out.grad


def returns_instead(a, b, out):
    return b.data * out.grad, a.data * out.grad


def placeholder_body(a, b, out):
    ...


def changes_upstream(a, b, out):
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad
    out.grad = 0.0


def second_overwrites(a, b, out):  # right for two different inputs, loses a contribution for x * x
    ga, gb = a.grad + b.data * out.grad, b.grad + a.data * out.grad
    a.grad, b.grad = ga, gb


@pytest.mark.parametrize(
    ("wrong", "expected"),
    [
        (overwrite, "you overwrote .grad with `=`: use `+=`"),
        (swapped, "the local derivatives are swapped"),
        (no_upstream, "you forgot the upstream gradient: multiply each local derivative by out.grad"),
        (flipped, "the sign is flipped"),
        (doubled, "off by a factor of 2"),
        (only_a, "b.grad became 0; it should grow by a.data * out.grad"),
        (returns_instead, "did not change a.grad or b.grad. It returned (-4.5, 3.0) instead"),
        (placeholder_body, "did not change a.grad or b.grad."),
        (changes_upstream, "should only add to a.grad and b.grad"),
        (second_overwrites, "x.grad should be 12"),
    ],
)
def test_q2_explains_typical_mistakes(capsys, wrong, expected):
    assert not nb02.q2.check(wrong)
    text = output(capsys)
    assert expected in text, text


def test_q2_rejects_non_function_and_crash(capsys):
    assert not nb02.q2.check("a.grad += b.data")
    assert "should be a function mul_backward(a, b, out)" in output(capsys)
    assert not nb02.q2.check(lambda a, b: None)
    assert "TypeError" in output(capsys)


# ---- q3: a value used twice ----------------------------------------------------------


def test_q3_right_answer_matches_the_engine(capsys):
    a, b, c = (Value(nb02.Q3[k]) for k in "abc")
    M = (a * b) * (a + c)
    M.backward()
    assert (a.grad, b.grad, c.grad) == (-42.0, 24.0, -6.0)
    assert nb02.q3.check(-42.0, 24.0, -6.0)
    run_solution(nb02.q3)
    assert output(capsys).count("correct!") == 2


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((-36.0, 24.0, -6.0), "only the path through a*b"),
        ((-6.0, 24.0, -6.0), "only the path through a + c"),
        ((216.0, 24.0, -6.0), "contributions from the two places a is used add"),
        ((-42.0, 12.0, -6.0), "multiply by the local derivative de/db = a"),
        ((-42.0, 24.0, 1.0), "1 is only the local derivative of a + c"),
        ((-42.0, -24.0, -6.0), "the gradient for b has the sign flipped"),
        ((-42.0, 24.0, -12.0), "the gradient for c is off by a factor of 2 (too large)"),
    ],
)
def test_q3_explains_typical_mistakes(capsys, answer, expected):
    assert not nb02.q3.check(*answer)
    text = output(capsys)
    assert expected in text, text


def test_hints_and_solutions_print(capsys):
    for exercise in (nb02.q1, nb02.q2, nb02.q3):
        exercise.hint()
        assert output(capsys).startswith(f"Hint for {exercise.name}")
        exercise.solution()
        assert output(capsys).startswith(f"A solution for {exercise.name}")
