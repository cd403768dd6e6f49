"""Notebook 03's exercises accept right answers and name the typical mistakes."""

from __future__ import annotations

import math

import pytest

from course_lib import Value
from course_lib.exercises import nb03


def sig(x):
    return 1 / (1 + math.exp(-x))


def run(exercise, *answer, capsys):
    ok = exercise.check(*answer)
    return ok, capsys.readouterr().out


# ---- q1 -------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    lambda x: sig(x) * (1 - sig(x)),
    lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
    lambda x: Value(x).sigmoid() * (1 - Value(x).sigmoid()),  # a Value counts by its data
])
def test_q1_accepts_right_answers(answer, capsys):
    assert run(nb03.q1, answer, capsys=capsys) == (True, "q1: correct!\n")


@pytest.mark.parametrize("answer, message", [
    (lambda x: sig(x), "returns sigmoid(x) itself"),
    (lambda x: -sig(x) * (1 - sig(x)), "the sign is flipped"),
    (lambda x: 1 - sig(x) ** 2, "that is tanh's pattern"),
    (lambda x: x * (1 - x), "you used x where sigmoid(x) belongs"),
    (lambda x: 1 - sig(x), "you still need to multiply by sigmoid(x)"),
    (lambda x: 0.25, "returns 0.25 for every x"),
    (lambda x: 2 * sig(x) * (1 - sig(x)), "at x = -3 your function gives 0.0903"),
    (lambda x: "slope", "dsigmoid(x) should give a number, got str"),
    (0.25, "q1 wants a function"),
])
def test_q1_names_the_mistake(answer, message, capsys):
    ok, out = run(nb03.q1, answer, capsys=capsys)
    assert not ok and out.startswith("q1: not yet.")
    assert message in out


def test_q1_placeholder_and_crash(capsys):
    ok, out = run(nb03.q1, ..., capsys=capsys)
    assert not ok and out.startswith("q1: no answer yet.")
    ok, out = run(nb03.q1, lambda x: 1 / 0, capsys=capsys)
    assert not ok and "raised ZeroDivisionError" in out


# ---- q2 -------------------------------------------------------------------------
E2 = math.exp(2)


def test_q2_accepts_right_answers_and_engine_values(capsys):
    assert run(nb03.q2, E2, E2 / 4, capsys=capsys)[0]
    x, y = Value(1.0), Value(2.0)
    f = (x * y).exp() / y
    f.backward()
    assert run(nb03.q2, x.grad, y.grad, capsys=capsys) == (True, "q2: correct!\n")


@pytest.mark.parametrize("answer, message", [
    ((E2 / 4, E2), "swapped"),
    ((E2 / 2, E2 / 4), "is f itself"),
    ((2 * E2, E2 / 4), "dropped the division by y"),
    ((-E2, E2 / 4), "(the sign is flipped)"),
    ((E2, E2 / 2), "only differentiates the numerator"),
    ((E2, 3 * E2 / 4), "the denominator's term has the wrong sign"),
    ((E2, -E2 / 4), "df/dy is -1.84726, expected 1.84726 (the sign is flipped)"),
    ((E2, E2 / 8), "(off by a factor of 0.5)"),
    ((E2,), "give both answers"),
    ((E2, "1.8"), "df/dy should be a number, got str"),
])
def test_q2_names_the_mistake(answer, message, capsys):
    ok, out = run(nb03.q2, *answer, capsys=capsys)
    assert not ok and out.startswith("q2: not yet.")
    assert message in out


# ---- q3 -------------------------------------------------------------------------
def push_right(node):
    for child, local in zip(node._prev, node._local):
        child.grad += local * node.grad


def push_with_backward(node):
    node._backward()


def push_assigns(node):
    for child, local in zip(node._prev, node._local):
        child.grad = local * node.grad


def push_no_grad(node):
    for child, local in zip(node._prev, node._local):
        child.grad += local


def push_no_local(node):
    for child in node._prev:
        child.grad += node.grad


def push_swapped(node):
    for child, local in zip(node._prev, reversed(node._local)):
        child.grad += local * node.grad


def push_twice(node):
    for child, local in zip(node._prev, node._local):
        child.grad += 2 * local * node.grad


def push_resets_node(node):
    push_right(node)
    node.grad = 0.0


def push_dedupes(node):  # visits each distinct child once: loses the second use in a + a
    for child, local in dict(zip(node._prev, node._local)).items():
        child.grad += local * node.grad


def push_resets_child_first(node):  # zeroes each child, then accumulates: loses other paths
    for child in node._prev:
        child.grad = 0.0
    push_right(node)


@pytest.mark.parametrize("push", [push_right, push_with_backward])
def test_q3_accepts_right_answers(push, capsys):
    assert run(nb03.q3, push, capsys=capsys) == (True, "q3: correct!\n")


@pytest.mark.parametrize("push, message", [
    (push_assigns, "the second push overwrote the first. Accumulate"),
    (push_dedupes, "the second push overwrote the first. Accumulate"),
    (push_no_grad, "only the local derivatives"),
    (push_no_local, "you left out the local derivative"),
    (push_swapped, "got each other's share"),
    (push_twice, "a.grad is -20, expected -10 (off by a factor of 2)"),
    (push_resets_node, "push changed node.grad itself (from 5 to 0)"),
    (push_resets_child_first, "a.grad already held 1.0 from another path, and your push replaced it"),
    ("push", "q3 wants a function"),
])
def test_q3_names_the_mistake(push, message, capsys):
    ok, out = run(nb03.q3, push, capsys=capsys)
    assert not ok and out.startswith("q3: not yet.")
    assert message in out


def test_hints_and_solutions_print(capsys):
    for q in (nb03.q1, nb03.q2, nb03.q3):
        q.hint()
        q.solution()
        out = capsys.readouterr().out
        assert out.startswith(f"Hint for {q.name}: ") and f"A solution for {q.name}:" in out


def test_the_solutions_pass(capsys):
    """The code printed by .solution() really is accepted by .check()."""
    namespace = {"nb03": nb03, "Value": Value}
    exec(nb03.q1._solution, namespace)
    exec(nb03.q3._solution, namespace)
    assert nb03.q1.check(namespace["dsigmoid"])
    assert nb03.q3.check(namespace["push"])
    exec(nb03.q2._solution, namespace)  # calls nb03.q2.check itself
    assert "q2: correct!" in capsys.readouterr().out
