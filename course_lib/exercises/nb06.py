"""Exercises for notebook 06 · A two-layer MLP in NumPy.

- `q1`: the backward pass of a ReLU layer, `relu_backward(dh, z)`
- `q2`: the backward pass of a linear layer Z = X W + b, `linear_backward(X, W, dZ)` -> (dX, dW, db)

(The softmax cross-entropy gradient, once `q3` here, is notebook 07's `nb07.q1`.)

Each answer is a function of NumPy arrays; the check calls it on arrays of its own
and compares the result with the right answer and with typical mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_lib.exercises import Exercise, NotYet


def _function(got: Any, signature: str) -> Callable:
    if not callable(got):
        raise NotYet(f"this exercise wants a function, like `def {signature}: ...`; "
                     f"you gave a {type(got).__name__}.")
    return got


def _returned_something(got: Any, what: str) -> None:
    if got is None:
        raise NotYet(f"{what} returned None: did you forget the `return` line?")
    if got is Ellipsis:
        raise NotYet(f"{what} still returns `...`: replace it with your code.")


def _array(got: Any, what: str, shape: tuple[int, ...]) -> tuple[np.ndarray, float]:
    """The learner's result as a float64 array of the expected shape, with the precision it was
    computed in (see `_same`); or a specific NotYet."""
    _returned_something(got, what)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(f"{what} should be a NumPy array, got {type(got).__name__}: {got!r}") from None
    if arr.shape != shape:
        raise NotYet(f"{what} has shape {arr.shape}, but it should have shape {shape}, "
                     "the shape of the array it is the gradient for.")
    if not np.all(np.isfinite(arr)):
        raise NotYet(f"{what} contains nan or inf.")
    return arr, _precision(got)


F64_EPS = float(np.finfo(np.float64).eps)


def _precision(got: Any) -> float:
    """The machine epsilon of the learner's float type: 2.2e-16 for float64, 9.8e-4 for float16."""
    dtype = np.asarray(got).dtype
    return float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.floating) else F64_EPS


def _same(got: np.ndarray, want: np.ndarray, eps: float = F64_EPS) -> bool:
    """`got` equals `want` up to the rounding of the type it was computed in.

    float64 answers must agree to 1e-6. An answer computed in float32 or float16 is just as
    right but carries that type's rounding error, about eps relative to the largest entry,
    so it gets four of its own epsilons of slack (4e-3 for float16): still far tighter than
    any mistake in the tables below, which are off by factors, signs or masks.
    """
    if got.shape != want.shape:
        return False
    rtol = max(1e-6, 4 * eps)
    atol = max(1e-10, 4 * eps * float(np.abs(want).max(initial=0.0)))
    return bool(np.allclose(got, want, rtol=rtol, atol=atol))


def _copies(*arrays: np.ndarray) -> list[np.ndarray]:
    return [a.copy() for a in arrays]


def _check_untouched(names: str, before: list[np.ndarray], after: tuple[np.ndarray, ...]) -> None:
    for name, old, new in zip(names.split(), before, after):
        if not np.array_equal(old, new):
            raise NotYet(f"your function changed its input `{name}` in place. Backward passes must "
                         "not overwrite what the forward pass stored; work on a new array "
                         f"(e.g. `{name} * mask` or `{name}.copy()`).")


# ---- q1: ReLU backward -------------------------------------------------------------
def _q1_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(61)
    z = rng.normal(size=(6, 5))  # pre-activations, no exact zeros
    z[0, :] = np.abs(z[0, :]) + 0.1  # some rows fully active, some fully off
    z[1, :] = -np.abs(z[1, :]) - 0.1
    dh = rng.normal(size=(6, 5))  # gradient arriving from above
    return dh, z


Q1_MISTAKES: tuple[tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], str], ...] = (
    (lambda dh, z: dh,
     "you passed dh through unchanged. Where the unit was off (z <= 0) ReLU is flat, so the "
     "gradient there must be 0: multiply dh by the mask (z > 0)."),
    (lambda dh, z: dh * (z <= 0),
     "your mask is inverted: the gradient flows where the unit was ON (z > 0) and is 0 where it was off."),
    (lambda dh, z: -dh * (z > 0),
     "the sign is flipped: ReLU's slope is +1 where it is active, not -1."),
    (lambda dh, z: dh * z,
     "you multiplied by z, the input. The chain rule needs ReLU's slope, which is 1 or 0: "
     "multiply by (z > 0) instead."),
    (lambda dh, z: dh * np.maximum(z, 0),
     "you multiplied by ReLU(z), the forward output. The chain rule needs ReLU's slope, which is "
     "1 where z > 0 and 0 elsewhere."),
    (lambda dh, z: (z > 0).astype(float),
     "you returned the local derivative (the 0/1 mask) alone. The chain rule multiplies it by the "
     "gradient arriving from above: dh * (z > 0)."),
    (lambda dh, z: np.maximum(dh, 0),
     "you applied ReLU to the gradient. Whether a gradient passes depends on the forward input z "
     "(was the unit on?), not on the sign of dh."),
)


def _check_q1(relu_backward: Any) -> None:
    f = _function(relu_backward, "relu_backward(dh, z)")
    dh, z = _q1_data()
    before = _copies(dh, z)
    got, eps = _array(f(dh, z), "relu_backward(dh, z)", z.shape)
    _check_untouched("dh z", before, (dh, z))
    if _same(got, dh * (z > 0), eps):
        return
    for mistake, message in Q1_MISTAKES:
        if _same(got, mistake(dh, z), eps):
            raise NotYet(message)
    raise NotYet("not the gradient of ReLU yet. For every entry: if z > 0 the gradient is dh, "
                 "otherwise it is 0.")


q1 = Exercise(
    "q1",
    _check_q1,
    hint="h = max(z, 0) has slope 1 where z > 0 and slope 0 where z < 0. The chain rule multiplies "
    "the gradient arriving from above, dh, by that slope, entry by entry. `(z > 0)` is an array of "
    "True/False that NumPy treats as 1/0 in arithmetic.",
    solution='''
def relu_backward(dh, z):
    """dh: gradient of the loss w.r.t. h = ReLU(z), shape (N, H); z: the forward input, (N, H)."""
    return dh * (z > 0)   # (N, H): dh where the unit was on, 0 where it was off
''',
)


# ---- q2: linear layer backward -----------------------------------------------------
Q2_N, Q2_D, Q2_H = 64, 10, 100  # the shapes of notebook 06's first layer


def _q2_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(62)
    X = rng.normal(size=(Q2_N, Q2_D))  # (N, D)
    W = rng.normal(size=(Q2_D, Q2_H))  # (D, H)
    dZ = rng.normal(size=(Q2_N, Q2_H)) / Q2_N  # (N, H), already holding the 1/N of a mean loss
    return X, W, dZ


def _check_q2(linear_backward: Any) -> None:
    f = _function(linear_backward, "linear_backward(X, W, dZ)")
    X, W, dZ = _q2_data()
    n, d, h = Q2_N, Q2_D, Q2_H
    before = _copies(X, W, dZ)
    result = f(X, W, dZ)
    _check_untouched("X W dZ", before, (X, W, dZ))
    _returned_something(result, "linear_backward(X, W, dZ)")
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise NotYet("return three arrays, `return dX, dW, db`, in that order.")
    shape_names = {(n, d): "dX", (d, h): "dW", (h,): "db"}  # the three shapes differ, so they name the arrays
    returned = [shape_names.get(np.shape(r)) for r in result]
    if sorted(map(str, returned)) == ["dW", "dX", "db"] and returned != ["dX", "dW", "db"]:
        raise NotYet(f"you returned ({', '.join(returned)}), going by their shapes: return dX, dW, db "
                     "in this order.")
    dX_got, dW_got, db_got = result

    # dW first: it is the one the lesson is about
    dW_arr = np.asarray(dW_got, dtype=float)
    if dW_arr.shape == (h, d):
        raise NotYet(f"dW has shape {dW_arr.shape} but W is {W.shape}: transpose. X.T @ dZ has "
                     "W's shape (D, H); dZ.T @ X gives its transpose.")
    dW, eps = _array(dW_got, "dW", W.shape)
    want_dW = X.T @ dZ
    if not _same(dW, want_dW, eps):
        if _same(dW, want_dW / n, eps):
            raise NotYet(f"dW is off by a factor of N = {n}: you divided by the batch size again. dZ "
                         "already holds the 1/N of the mean loss, so dW = X.T @ dZ, without another / N.")
        if _same(dW, want_dW * n, eps):
            raise NotYet(f"dW is {n} times too large (a factor of N): dZ already holds the 1/N of "
                         "the mean loss, do not multiply it back.")
        if _same(dW, -want_dW, eps):
            raise NotYet("dW has the sign flipped: Z = X W + b increases with W wherever X is "
                         "positive, so dW = +X.T @ dZ.")
        raise NotYet("dW has the right shape but wrong values. Each entry is "
                     "dW[d, j] = sum over examples n of X[n, d] * dZ[n, j], which is X.T @ dZ.")

    db_arr = np.asarray(db_got, dtype=float)
    if db_arr.shape == (n,):
        raise NotYet(f"db has shape ({n},), one number per example: sum over axis 0 (the examples), "
                     f"not axis 1, to get one number per unit, shape ({h},).")
    if db_arr.shape == (1, h):
        raise NotYet(f"db has shape (1, {h}) but b is ({h},): sum without keepdims.")
    db, eps = _array(db_got, "db", (h,))
    want_db = dZ.sum(axis=0)
    if not _same(db, want_db, eps):
        if _same(db, dZ.mean(axis=0), eps):
            raise NotYet(f"db is off by a factor of N = {n}: you took the mean over the batch. dZ "
                         "already holds the 1/N of the mean loss, so sum it: dZ.sum(axis=0).")
        raise NotYet("db has the right shape but wrong values: b is added to every example, so its "
                     "gradient collects dZ from every example, dZ.sum(axis=0).")

    dX_arr = np.asarray(dX_got, dtype=float)
    if dX_arr.shape == (d, n):
        raise NotYet(f"dX has shape {dX_arr.shape} but X is {X.shape}: transpose. dZ @ W.T has X's shape.")
    dX, eps = _array(dX_got, "dX", X.shape)
    if not _same(dX, dZ @ W.T, eps):
        if _same(dX, dZ @ W.T / n, eps):
            raise NotYet(f"dX is off by a factor of N = {n}: do not divide by the batch size again.")
        raise NotYet("dX has the right shape but wrong values. Each input X[n, d] feeds every unit j "
                     "through W[d, j], so dX[n, d] = sum over j of dZ[n, j] * W[d, j], which is dZ @ W.T.")


q2 = Exercise(
    "q2",
    _check_q2,
    hint="Let the shapes guide you. X is (N, D), W is (D, H), dZ is (N, H). dW must be (D, H): the "
    "only product of X and dZ with that shape is X.T @ dZ, and it sums over the examples for you. "
    "dX must be (N, D): dZ @ W.T. The bias is added to every row, so db sums dZ over the rows.",
    solution='''
def linear_backward(X, W, dZ):
    """Z = X @ W + b. X (N, D), W (D, H), dZ = dL/dZ (N, H)."""
    dX = dZ @ W.T          # (N, H) @ (H, D) -> (N, D)
    dW = X.T @ dZ          # (D, N) @ (N, H) -> (D, H), same shape as W
    db = dZ.sum(axis=0)    # (H,), same shape as b
    return dX, dW, db
''',
)
