"""Notebook 07's exercises accept right answers and name the typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises import nb07


def run(exercise, *answer, capsys):
    ok = exercise.check(*answer)
    return ok, capsys.readouterr().out


def softmax(logits, axis=1):
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def onehot(y, c):
    return np.eye(c)[y]


def test_placeholder_says_no_answer_yet(capsys):
    for exercise in (nb07.q1, nb07.q2):
        ok, out = run(exercise, ..., capsys=capsys)
        assert not ok and "no answer yet" in out


def test_hints_and_solutions_print(capsys):
    for exercise in (nb07.q1, nb07.q2):
        exercise.hint()
        exercise.solution()
    out = capsys.readouterr().out
    assert "Hint for q1" in out and "def softmax_ce_grad" in out and "def sigmoid_se_grad" in out


def test_the_printed_solutions_pass(capsys):
    """Run the code each solution prints, and check it: the solutions must never drift."""
    for exercise, name in ((nb07.q1, "softmax_ce_grad"), (nb07.q2, "sigmoid_se_grad")):
        exercise.solution()
        code = capsys.readouterr().out.split("\n", 1)[1]
        namespace = {"np": np}
        exec(code, namespace)
        assert run(exercise, namespace[name], capsys=capsys) == (True, f"{exercise.name}: correct!\n")


# ---- q1 -------------------------------------------------------------------------
def good_q1(logits, y):
    n = len(logits)
    return (softmax(logits) - onehot(y, logits.shape[1])) / n


@pytest.mark.parametrize("answer", [
    good_q1,
    lambda logits, y: (softmax(logits) - (np.arange(logits.shape[1]) == y[:, None])) / len(y),
])
def test_q1_accepts_right_answers(answer, capsys):
    assert run(nb07.q1, answer, capsys=capsys) == (True, "q1: correct!\n")


def naive_softmax(logits, y):
    e = np.exp(logits)
    return (e / e.sum(axis=1, keepdims=True) - onehot(y, logits.shape[1])) / len(y)


def shift_by_global_max(logits, y):  # stable for nan, but a huge spread still underflows to 0/0
    e = np.exp(logits - logits.max())
    return (e / e.sum(axis=1, keepdims=True) - onehot(y, logits.shape[1])) / len(y)


def subtract_in_place(logits, y):
    logits -= logits.max(axis=1, keepdims=True)
    return good_q1(logits, y)


@pytest.mark.parametrize("answer, message", [
    (lambda lg, y: softmax(lg) - onehot(y, lg.shape[1]),
     "off by a factor of N = 8: you forgot to average over the batch"),
    (lambda lg, y: (onehot(y, lg.shape[1]) - softmax(lg)) / len(y), "the sign is flipped"),
    (lambda lg, y: softmax(lg) / len(y), "you forgot to subtract 1 at the correct class"),
    (lambda lg, y: (softmax(lg) - onehot(y, lg.shape[1])) / lg.size, "you divided by N * C = 40"),
    (lambda lg, y: (softmax(lg, axis=0) - onehot(y, lg.shape[1])) / len(y), "softmax over axis 0"),
    (lambda lg, y: -onehot(y, lg.shape[1]) / len(y) / np.where(onehot(y, lg.shape[1]) > 0, softmax(lg), 1),
     "gradient with respect to the probabilities"),
    (lambda lg, y: good_q1(lg, y).T, "has shape (5, 8) but logits are (8, 5): transpose"),
    (lambda lg, y: good_q1(lg, y) * 1.01, "close: each row sums to 0"),
    (lambda lg, y: np.ones_like(lg), "not yet the gradient"),
    (naive_softmax, "exp(1000) overflows"),
    (subtract_in_place, "changed its input `logits` in place"),
    (lambda lg, y: good_q1(lg, y)[:, :4], "has shape (8, 4), but it should have shape (8, 5)"),
])
def test_q1_rejects_typical_mistakes(answer, message, capsys):
    with np.errstate(over="ignore", invalid="ignore"):
        ok, out = run(nb07.q1, answer, capsys=capsys)
    assert not ok
    assert out.startswith("q1: ")
    assert message in out


def test_q1_global_max_shift_is_either_accepted_or_explained(capsys):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        ok, out = run(nb07.q1, shift_by_global_max, capsys=capsys)
    assert ok or "large scores" in out or "large ones" in out


def as_dtype(answer, dtype):
    """The same answer, computed from inputs cast to `dtype` (as a learner saving memory would)."""
    def cast(*arrays):
        out = answer(*(a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays))
        return tuple(np.asarray(o) for o in out) if isinstance(out, tuple) else out
    return cast


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_lower_precision_right_answers_are_accepted(dtype, capsys):
    # q1 casts only its result: exp() of float16 scores near 1000 overflows whatever one does
    q1_answer = lambda lg, y: good_q1(lg, y).astype(dtype)  # noqa: E731
    assert run(nb07.q1, q1_answer, capsys=capsys) == (True, "q1: correct!\n")
    assert run(nb07.q2, as_dtype(good_q2, dtype), capsys=capsys) == (True, "q2: correct!\n")


def test_float16_q1_mistakes_are_still_named(capsys):
    ok, out = run(nb07.q1, lambda lg, y: (-good_q1(lg, y)).astype(np.float16), capsys=capsys)
    assert not ok and "the sign is flipped" in out
    ok, out = run(nb07.q1, lambda lg, y: (good_q1(lg, y) * 1.01).astype(np.float16), capsys=capsys)
    assert not ok and "close: each row sums to 0" in out


# ---- q2 -------------------------------------------------------------------------
def sig(z):
    return 1 / (1 + np.exp(-z))


def good_q2(z, y):
    return 2 * (sig(z) - y) * sig(z) * (1 - sig(z))


@pytest.mark.parametrize("answer", [
    good_q2,
    lambda z, y: 2 * (sig(z) - y) * sig(z) * sig(-z),       # 1 - sigmoid(z) = sigmoid(-z)
    lambda z, y: 2 * (sig(z) - y) * np.exp(-z) / (1 + np.exp(-z)) ** 2,
    lambda z, y: (2 * (sig(z) - y) * sig(z) * (1 - sig(z))).tolist(),
])
def test_q2_accepts_right_answers(answer, capsys):
    assert run(nb07.q2, answer, capsys=capsys) == (True, "q2: correct!\n")


def overwrite_z(z, y):
    z *= 1.0
    z += 0.0
    z[0, 0] = 0.0
    return good_q2(z, y)


@pytest.mark.parametrize("answer, message", [
    (lambda z, y: sig(z) - y, "that is cross-entropy's gradient"),
    (lambda z, y: 2 * (sig(z) - y), "you left out sigmoid's slope"),
    (lambda z, y: (sig(z) - y) * sig(z) * (1 - sig(z)), "off by a factor of 2"),
    (lambda z, y: 2 * (y - sig(z)) * sig(z) * (1 - sig(z)), "the sign is flipped"),
    (lambda z, y: 2 * (sig(z) - y) * z * (1 - z), "sigmoid's slope at z itself"),
    (lambda z, y: 2 * (sig(z) - y) * (1 - sig(z) ** 2), "tanh's pattern"),
    (lambda z, y: 2 * (sig(z) - y) * sig(z), "left out the factor (1 - p)"),
    (lambda z, y: 2 * (z - y) * sig(z) * (1 - sig(z)), "not on the score"),
    (lambda z, y: (sig(z) - y) ** 2, "that is the loss itself"),
    (lambda z, y: good_q2(z, y) / z.size, "you divided by the number of entries (20)"),
    (lambda z, y: good_q2(z, y) * 1.01, "not yet: with p = sigmoid(z)"),
    (lambda z, y: good_q2(z, y).sum(), "has shape (), but it should have shape (4, 5)"),
    (overwrite_z, "changed its input `z` in place"),
    (lambda z, y: None, "returned None"),
    (2.0, "wants a function, like `def sigmoid_se_grad(z, y): ...`"),
    (lambda z: z, "your code raised TypeError"),
])
def test_q2_rejects_typical_mistakes(answer, message, capsys):
    ok, out = run(nb07.q2, answer, capsys=capsys)
    assert not ok
    assert out.startswith("q2: ")
    assert message in out


def test_q2_float16_mistakes_are_still_named(capsys):
    ok, out = run(nb07.q2, as_dtype(lambda z, y: sig(z) - y, np.float16), capsys=capsys)
    assert not ok and "cross-entropy's gradient" in out
