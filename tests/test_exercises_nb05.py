"""The checked exercises of notebook 05: right answers pass, typical slips get specific messages."""

import numpy as np
import pytest

from course_lib.exercises import nb05


def run(exercise, capsys, *answer):
    ok = exercise.check(*answer)
    return ok, capsys.readouterr().out


# ---- q1: gd_step -----------------------------------------------------------------------
def test_q1_accepts_a_right_step(capsys):
    ok, out = run(nb05.q1, capsys, lambda x, lr: x - lr * 2 * x)
    assert ok and "correct" in out


def test_q1_accepts_an_equivalent_form(capsys):
    ok, _ = run(nb05.q1, capsys, lambda x, lr: (1 - 2 * lr) * x)
    assert ok


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x, lr: x + lr * 2 * x, "stepped uphill"),
        (lambda x, lr: x - lr * x, "forgot the factor 2"),
        (lambda x, lr: x - lr * x**2, "slope f'(x) = 2x"),
        (lambda x, lr: x - 2 * x, "learning rate is missing"),
        (lambda x, lr: lr * 2 * x, "size of the step, not the new x"),
        (lambda x, lr: -lr * 2 * x, "change in x"),
        (lambda x, lr: x - lr * 3 * x, "f'(x) = 2x for f(x) = x**2"),
        (lambda x, lr: None, "forget the `return`"),
        (lambda x, lr: ..., "still returns `...`"),
        (lambda x, lr: [x], "should return a number"),
    ],
)
def test_q1_rejects_typical_slips(capsys, wrong, message):
    ok, out = run(nb05.q1, capsys, wrong)
    assert not ok
    assert message in out


def test_q1_says_when_the_function_itself_is_missing(capsys):
    ok, out = run(nb05.q1, capsys, 0.4)
    assert not ok and "pass the function itself" in out


def test_q1_reports_a_crash_without_a_traceback(capsys):
    ok, out = run(nb05.q1, capsys, lambda x: x)  # forgot the lr argument
    assert not ok and "raised TypeError" in out


def test_q1_placeholder_says_no_answer_yet(capsys):
    ok, out = run(nb05.q1, capsys, ...)
    assert not ok and "no answer yet" in out


# ---- q2: diverging rates -----------------------------------------------------------------
def test_q2_accepts_the_diverging_rates_in_any_container(capsys):
    for answer in ([1.05, 1.5, 2.0], {2.0, 1.5, 1.05}, (1.5, 2.0, 1.05), np.array([1.05, 1.5, 2.0])):
        ok, out = run(nb05.q2, capsys, answer)
        assert ok, out


def test_q2_accepts_the_formula_from_the_solution(capsys):
    ok, _ = run(nb05.q2, capsys, [lr for lr in nb05.q2_RATES if abs(1 - 2 * lr) > 1])
    assert ok


@pytest.mark.parametrize(
    "answer, message",
    [
        ([1.0, 1.05, 1.5, 2.0], "1.0 does not diverge"),
        ([0.9, 1.05, 1.5, 2.0], "0.9 does not diverge: |1 - 2 x 0.9| = 0.8 < 1, so x zigzags"),
        ([0.05, 1.05, 1.5, 2.0], "0.05 does not diverge"),
        ([1.5, 2.0], "1.05 diverges too"),
        ([2.0], "missing 2 of the 3"),
        ([], "1.05 diverges too"),
        ([1.05, 1.5, 3.0], "3.0 is not one of the rates"),
        ("1.05, 1.5, 2.0", "give a list or set"),
        (1.5, "give a list or set"),
        ([1.05, "1.5"], "should be a learning rate"),
    ],
)
def test_q2_rejects_wrong_predictions(capsys, answer, message):
    ok, out = run(nb05.q2, capsys, answer)
    assert not ok
    assert message in out


# ---- q3: XOR weights by hand ---------------------------------------------------------------
RIGHT = ([[1, 1], [1, 1]], [-0.5, -1.5], [1, -1], -0.5)


def test_q3_accepts_or_minus_and(capsys):
    ok, out = run(nb05.q3, capsys, *RIGHT)
    assert ok and "correct" in out


def test_q3_accepts_another_solution_and_numpy(capsys):
    # hidden: x1 AND NOT x2, x2 AND NOT x1; output: OR of the two
    ok, out = run(nb05.q3, capsys, np.array([[1.0, -1.0], [-1.0, 1.0]]), np.array([-0.5, -0.5]), [1, 1], -0.5)
    assert ok, out


@pytest.mark.parametrize(
    "answer, message",
    [
        (([[1, 1], [1, 1]], [-0.5, -1.5], [-1, 1], 0.5), "XNOR"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], [1, 0], -0.5), "OR: (1, 1) must give 0"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], [0, 1], -0.5), "AND"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], [1, -1], -5), "0 for every input"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], [1, -1], 5), "1 for every input"),
        (([[1, 1], [1, 1]], [-1, -1.5], [1, -1], -0.5), "exactly 0 for input (0, 1)"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], [1, -1], 0), "output unit gets exactly 0"),
        (([1, 1], [-0.5, -1.5], [1, -1], -0.5), "W[0] should be a list of 2 numbers"),
        (([[1, 1]], [-0.5, -1.5], [1, -1], -0.5), "W should hold 2 rows"),
        (([[1, 1], [1, 1]], [-0.5], [1, -1], -0.5), "b should be a list of 2 numbers"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], [1, -1], [-0.5]), "c (the output bias) should be a single number"),
        (([[1, 1], [1, 1]], [-0.5, -1.5], ["1", -1], -0.5), "v should hold numbers"),
    ],
)
def test_q3_rejects_wrong_weights(capsys, answer, message):
    ok, out = run(nb05.q3, capsys, *answer)
    assert not ok
    assert message in out, out


def test_q3_lists_the_wrong_inputs_for_an_unnamed_gate(capsys):
    # hidden unit 0 fires for x1 only, unit 1 never: the net computes "x1"
    ok, out = run(nb05.q3, capsys, [[1, 0], [0, 0]], [-0.5, -1], [1, 0], -0.5)
    assert not ok
    assert "wrong for (0, 1), (1, 1)" in out


def test_q3_placeholders_say_no_answer_yet(capsys):
    ok, out = run(nb05.q3, capsys, ..., ..., ..., ...)
    assert not ok and "no answer yet" in out


# ---- q4: a tent from ReLU hinges -----------------------------------------------------------
@pytest.mark.parametrize(
    "k, v",
    [
        ([0, 1, 2], [1, -2, 1]),
        ([2, 0, 1], [1, 1, -2]),                 # any order
        (np.array([0.0, 1.0, 2.0, 5.0]), np.array([1.0, -2.0, 1.0, 0.0])),  # a unit with v = 0 is harmless
        ([0, 1, 1, 2], [1, -1, -1, 1]),          # one bend split over two units
    ],
)
def test_q4_accepts_a_tent(capsys, k, v):
    ok, out = run(nb05.q4, capsys, k, v)
    assert ok, out


@pytest.mark.parametrize(
    "k, v, message",
    [
        ([0, 1, 2], [1, -1, 1], "needs v = -2"),
        ([0, 1], [1, -2], "keeps falling"),
        ([0, 1, 2], [1, -2, -1], "falls twice as fast"),
        ([0, -1, -2], [1, -2, 1], "bends at x = +k"),
        ([0, 1, 2], [2, -4, 2], "at x = 0.5 the tent's slope is 1, yours is 2"),
        ([1, 2], [-2, 1], "at x = 0.5 the tent's slope is 1, yours is 0"),
        ([0, 1.1, 2], [1, -2, 1], "put the kinks exactly where the tent bends"),
        ([0, 1, 2], [1, -2], "one slope change per unit"),
        # right on the plotted -1..3, wrong beyond it (content review 2)
        ([0, 1, 2, 4], [1, -2, 1, 1], "your unit with k = 4 bends the function at x = 4"),
        ([-3, -2.5, -2, 0, 1, 2], [1, -2, 1, 1, -2, 1], "your unit with k = -3 bends the function"),
        ("0, 1, 2", [1, -2, 1], "k should be a list"),
        ([0, 1, 2], [1, "x", 1], "v should hold numbers"),
    ],
)
def test_q4_rejects_wrong_hinges(capsys, k, v, message):
    ok, out = run(nb05.q4, capsys, k, v)
    assert not ok
    assert message in out, out


def test_q4_hinges_and_tent_are_the_formulas_the_notebook_states():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    assert list(nb05.tent(x)) == [0.0, 0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    assert list(nb05.hinges([1.0], [2.0], x)) == [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 4.0]


def test_hints_and_solutions_print(capsys):
    for q in (nb05.q1, nb05.q2, nb05.q3, nb05.q4):
        q.hint()
        q.solution()
    out = capsys.readouterr().out
    assert out.count("Hint for") == 4 and out.count("A solution for") == 4


def test_solutions_pass_their_own_checks(capsys):
    namespace = {"nb05": nb05, "q2_RATES": nb05.q2_RATES}
    exec(nb05.q1._solution, namespace)
    assert nb05.q1.check(namespace["gd_step"])
    exec(nb05.q2._solution, namespace)
    assert nb05.q2.check(namespace["diverging"])
    exec(nb05.q3._solution, namespace)  # the solution ends with its own check
    assert "q3 (XOR with hand-chosen weights): correct!" in capsys.readouterr().out
    exec(nb05.q4._solution, namespace)
    assert "q4 (a tent from ReLU hinges): correct!" in capsys.readouterr().out
