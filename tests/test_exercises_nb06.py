"""Notebook 06's exercises accept right answers and name the typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises import nb06


def run(exercise, *answer, capsys):
    ok = exercise.check(*answer)
    return ok, capsys.readouterr().out


def softmax(logits, axis=1):
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def onehot(y, c):
    return np.eye(c)[y]


def test_placeholder_says_no_answer_yet(capsys):
    for exercise in (nb06.q1, nb06.q2):
        ok, out = run(exercise, ..., capsys=capsys)
        assert not ok and "no answer yet" in out


def test_hints_and_solutions_print(capsys):
    for exercise in (nb06.q1, nb06.q2):
        exercise.hint()
        exercise.solution()
    out = capsys.readouterr().out
    assert "Hint for q1" in out and "def relu_backward" in out
    assert "def linear_backward" in out


def test_the_printed_solutions_pass(capsys):
    """Run the code each solution prints, and check it: the solutions must never drift."""
    for exercise, name in ((nb06.q1, "relu_backward"), (nb06.q2, "linear_backward")):
        exercise.solution()
        code = capsys.readouterr().out.split("\n", 1)[1]
        namespace = {"np": np}
        exec(code, namespace)
        assert run(exercise, namespace[name], capsys=capsys) == (True, f"{exercise.name}: correct!\n")


# ---- q1 -------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    lambda dh, z: dh * (z > 0),
    lambda dh, z: np.where(z > 0, dh, 0.0),
    lambda dh, z: dh * (z >= 0),  # the same away from z == 0, and the check has no exact zeros
    lambda dh, z: (dh * (z > 0)).tolist(),  # a nested list counts as an array
])
def test_q1_accepts_right_answers(answer, capsys):
    assert run(nb06.q1, answer, capsys=capsys) == (True, "q1: correct!\n")


def in_place(dh, z):
    dh[z <= 0] = 0
    return dh


@pytest.mark.parametrize("answer, message", [
    (lambda dh, z: dh, "you passed dh through unchanged"),
    (lambda dh, z: dh * (z <= 0), "your mask is inverted"),
    (lambda dh, z: dh * (z < 0), "your mask is inverted"),
    (lambda dh, z: -dh * (z > 0), "the sign is flipped"),
    (lambda dh, z: dh * z, "you multiplied by z, the input"),
    (lambda dh, z: dh * np.maximum(z, 0), "you multiplied by ReLU(z), the forward output"),
    (lambda dh, z: z > 0, "you returned the local derivative (the 0/1 mask) alone"),
    (lambda dh, z: np.maximum(dh, 0), "you applied ReLU to the gradient"),
    (in_place, "changed its input `dh` in place"),
    (lambda dh, z: (dh * (z > 0)).sum(axis=0), "has shape (5,), but it should have shape (6, 5)"),
    (lambda dh, z: 2 * dh * (z > 0), "not the gradient of ReLU yet"),
    (lambda dh, z: "grad", "should be a NumPy array, got str"),
    (lambda dh, z: dh / 0 * (z > 0), "contains nan or inf"),
    (3.0, "wants a function, like `def relu_backward(dh, z): ...`"),
    (lambda dh, z: None, "returned None: did you forget the `return` line?"),
    (lambda dh, z: ..., "still returns `...`"),
    (lambda dh: dh, "your code raised TypeError"),
])
def test_q1_rejects_typical_mistakes(answer, message, capsys):
    with np.errstate(divide="ignore", invalid="ignore"):
        ok, out = run(nb06.q1, answer, capsys=capsys)
    assert not ok
    assert out.startswith("q1: ")
    assert message in out


# ---- q2 -------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)),
    lambda X, W, dZ: [np.dot(dZ, W.T), np.einsum("nd,nh->dh", X, dZ), np.sum(dZ, 0)],
])
def test_q2_accepts_right_answers(answer, capsys):
    assert run(nb06.q2, answer, capsys=capsys) == (True, "q2: correct!\n")


def right(X, W, dZ):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def overwrite_dZ(X, W, dZ):
    dZ /= 2
    return right(X, W, dZ)


@pytest.mark.parametrize("answer, message", [
    (lambda X, W, dZ: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)),
     "dW has shape (100, 10) but W is (10, 100): transpose"),
    (lambda X, W, dZ: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)), "dW is off by a factor of N = 64"),
    (lambda X, W, dZ: (dZ @ W.T, X.T @ dZ * len(X), dZ.sum(axis=0)), "dW is 64 times too large"),
    (lambda X, W, dZ: (dZ @ W.T, -X.T @ dZ, dZ.sum(axis=0)), "dW has the sign flipped"),
    (lambda X, W, dZ: (dZ @ W.T, np.outer(X.sum(0), dZ.sum(0)), dZ.sum(axis=0)),
     "dW has the right shape but wrong values"),
    (lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)), "db has shape (64,), one number per example"),
    (lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)), "sum without keepdims"),
    (lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)), "db is off by a factor of N = 64"),
    (lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.max(axis=0)), "db has the right shape but wrong values"),
    (lambda X, W, dZ: (W @ dZ.T, X.T @ dZ, dZ.sum(axis=0)), "dX has shape (10, 64) but X is (64, 10)"),
    (lambda X, W, dZ: (dZ @ W.T / 64, X.T @ dZ, dZ.sum(axis=0)), "dX is off by a factor of N = 64"),
    (lambda X, W, dZ: (np.zeros_like(X), X.T @ dZ, dZ.sum(axis=0)), "dX has the right shape but wrong"),
    (lambda X, W, dZ: X.T @ dZ, "return three arrays, `return dX, dW, db`"),
    (lambda X, W, dZ: None, "linear_backward(X, W, dZ) returned None"),
    (overwrite_dZ, "changed its input `dZ` in place"),
    (lambda X, W, dZ: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)), "your code raised ValueError"),
    (lambda X, W, dZ: (X.T @ dZ, dZ @ W.T, dZ.sum(axis=0)), "you returned (dW, dX, db)"),
    (lambda X, W, dZ: (dZ.sum(axis=0), X.T @ dZ, dZ @ W.T), "return dX, dW, db in this order"),
])
def test_q2_rejects_typical_mistakes(answer, message, capsys):
    ok, out = run(nb06.q2, answer, capsys=capsys)
    assert not ok
    assert out.startswith("q2: ")
    assert message in out


# ---- answers computed in float32 or float16 (red-team item 19) --------------------
def as_dtype(answer, dtype):
    """The same answer, computed from inputs cast to `dtype` (as a learner saving memory would)."""
    def cast(*arrays):
        out = answer(*(a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays))
        return tuple(np.asarray(o) for o in out) if isinstance(out, tuple) else out
    return cast


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_lower_precision_right_answers_are_accepted(dtype, capsys):
    relu_backward = as_dtype(lambda dh, z: dh * (z > 0), dtype)
    assert run(nb06.q1, relu_backward, capsys=capsys) == (True, "q1: correct!\n")
    assert run(nb06.q2, as_dtype(right, dtype), capsys=capsys) == (True, "q2: correct!\n")


@pytest.mark.parametrize("exercise, answer, message", [
    (nb06.q1, lambda dh, z: dh * (z <= 0), "your mask is inverted"),
    (nb06.q1, lambda dh, z: dh * (z > 0) * 1.01, "not the gradient of ReLU yet"),
    (nb06.q2, lambda X, W, dZ: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)),
     "dW is off by a factor of N = 64"),
    (nb06.q2, lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)), "db is off by a factor of N = 64"),
])
def test_float16_mistakes_are_still_named(exercise, answer, message, capsys):
    ok, out = run(exercise, as_dtype(answer, np.float16), capsys=capsys)
    assert not ok and message in out
