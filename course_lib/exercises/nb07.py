"""Exercises for notebook 07 · MNIST in NumPy.

- `q1`: the gradient of the mean softmax cross-entropy, `softmax_ce_grad(logits, y)`
- `q2`: the gradient of squared error through a sigmoid, `sigmoid_se_grad(z, y)`, the loss whose
  learning slowdown section 3 shows

Each answer is a function of NumPy arrays; the check calls it on arrays of its own
and compares the result with the right answer and with typical mistakes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_lib.exercises import Exercise, NotYet
from course_lib.exercises.nb06 import _array, _check_untouched, _copies, _function, _precision, _same

# ---- q1: softmax cross-entropy gradient ----------------------------------------------
Q1_N, Q1_C = 8, 5


def _q1_data(scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(63)
    logits = rng.normal(size=(Q1_N, Q1_C)) * scale  # (N, C)
    y = rng.integers(0, Q1_C, size=Q1_N)  # (N,)
    y[:Q1_C] = np.arange(Q1_C)  # every class appears
    return logits, y


def _softmax(logits: np.ndarray, axis: int = 1) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _onehot(y: np.ndarray, c: int) -> np.ndarray:
    return np.eye(c)[y]


def _check_q1(softmax_ce_grad: Any) -> None:
    f = _function(softmax_ce_grad, "softmax_ce_grad(logits, y)")
    logits, y = _q1_data()
    n, c = logits.shape
    before = _copies(logits, y)
    got = f(logits, y)
    _check_untouched("logits y", before, (logits, y))
    if np.asarray(got, dtype=float).shape == (c, n):
        raise NotYet(f"your gradient has shape {(c, n)} but logits are {(n, c)}: transpose.")
    got, eps = _array(got, "softmax_ce_grad(logits, y)", (n, c))
    p, onehot = _softmax(logits), _onehot(y, c)
    want = (p - onehot) / n
    if not _same(got, want, eps):
        mistakes = (
            ((p - onehot), f"off by a factor of N = {n}: you forgot to average over the batch. The loss "
                           "is the mean over N examples, so every gradient entry gets a 1/N."),
            ((onehot - p) / n, "the sign is flipped: it is p - onehot(y). Raising the correct class's "
                               "score lowers the loss, so its gradient must be negative."),
            (p / n, "you forgot to subtract 1 at the correct class: the gradient is (p - onehot(y)) / N."),
            ((p - onehot) / (n * c), f"you divided by N * C = {n * c}; the mean is over the N = {n} "
                                     "examples only, not over the classes."),
            ((_softmax(logits, axis=0) - onehot) / n,
             "you took the softmax over axis 0 (down the examples); it must be over axis 1, so each "
             "row (one example's class scores) becomes probabilities that sum to 1."),
            (-onehot / n / np.where(onehot > 0, p, 1.0),
             "that is the gradient with respect to the probabilities p, -1/p at the correct class. "
             "Go one step further through the softmax: with respect to the logits it is (p - onehot) / N."),
        )
        for wrong, message in mistakes:
            if _same(got, wrong, eps):
                raise NotYet(message)
        if np.allclose(got.sum(axis=1), 0, atol=max(1e-8, 4 * eps * c * float(np.abs(got).max()))):
            raise NotYet("close: each row sums to 0 as it should, but the values differ from "
                         "(softmax(logits) - onehot(y)) / N.")
        raise NotYet("not yet the gradient: compute p = softmax(logits) row by row, subtract 1 at each "
                     "row's correct class y[i], and divide by N.")

    big_logits = logits * 1000.0  # scores this large overflow a plain exp()
    with np.errstate(over="ignore", invalid="ignore"):
        got_big_raw = f(big_logits, y)
        got_big = np.asarray(got_big_raw, dtype=float)
    if got_big.shape != (n, c) or not np.all(np.isfinite(got_big)):
        raise NotYet("right for ordinary scores, but with large scores (around 1000) your softmax gives "
                     "nan or inf: exp(1000) overflows. Subtract each row's maximum before exp(); the "
                     "softmax does not change.")
    if not _same(got_big, (_softmax(big_logits) - onehot) / n, _precision(got_big_raw)):
        raise NotYet("right for ordinary scores but wrong for large ones (around 1000): subtract each "
                     "row's maximum, logits.max(axis=1, keepdims=True), before exp().")


q1 = Exercise(
    "q1",
    _check_q1,
    hint="Three steps: p = softmax(logits) along axis 1 (subtract the row max before np.exp for "
    "safety); subtract 1 at each example's correct class, p[np.arange(N), y] -= 1; divide by N "
    "because the loss is a mean over the batch.",
    solution='''
def softmax_ce_grad(logits, y):
    """logits (N, C), y (N,) integer labels -> dL/dlogits (N, C) for the mean cross-entropy."""
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)        # (N, C), exp cannot overflow
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)  # (N, C) softmax
    p[np.arange(N), y] -= 1                                       # (N, C) p - onehot(y)
    return p / N                                                  # (N, C) the 1/N of the mean
''',
)


# ---- q2: squared error through a sigmoid ----------------------------------------------
def _q2_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(72)
    z = np.concatenate([np.array([-8.0, -4.0, -2.0, 0.5, 2.0, 6.0]), rng.normal(0.0, 2.0, size=14)])
    y = np.concatenate([np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0]), rng.integers(0, 2, size=14).astype(float)])
    return z.reshape(4, 5), y.reshape(4, 5)  # (4, 5) scores, saturated and not; targets 0 or 1


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


Q2_MISTAKES: tuple[tuple[Any, str], ...] = (
    (lambda s, z, y: s - y,
     "that is cross-entropy's gradient, sigmoid(z) - y (section 3). Squared error keeps two more factors: "
     "the 2 from the square and sigmoid's slope sigmoid(z) * (1 - sigmoid(z))."),
    (lambda s, z, y: 2 * (s - y),
     "you left out sigmoid's slope: the chain rule multiplies dL/dp = 2 (p - y) by "
     "dp/dz = p (1 - p), with p = sigmoid(z)."),
    (lambda s, z, y: (s - y) * s * (1 - s),
     "off by a factor of 2: the derivative of (p - y)**2 with respect to p is 2 (p - y)."),
    (lambda s, z, y: 2 * (y - s) * s * (1 - s),
     "the sign is flipped: L grows when p moves away from y, so dL/dp = 2 (p - y), not 2 (y - p)."),
    (lambda s, z, y: 2 * (s - y) * z * (1 - z),
     "you took sigmoid's slope at z itself: it is p (1 - p) with p = sigmoid(z), not z (1 - z)."),
    (lambda s, z, y: 2 * (s - y) * (1 - s ** 2),
     "that slope, 1 - p**2, is tanh's pattern. Sigmoid's slope is p (1 - p)."),
    (lambda s, z, y: 2 * (s - y) * s,
     "you left out the factor (1 - p) of sigmoid's slope p (1 - p)."),
    (lambda s, z, y: 2 * (z - y) * s * (1 - s),
     "the error must be measured on the probability p = sigmoid(z), not on the score: 2 (sigmoid(z) - y)."),
    (lambda s, z, y: (s - y) ** 2,
     "that is the loss itself; the exercise asks for its derivative with respect to z."),
    (lambda s, z, y: 2 * (s - y) * s * (1 - s) / z.size,
     f"you divided by the number of entries ({4 * 5}): the loss here is per entry, with no mean, so "
     "there is nothing to average."),
)


def _check_q2(sigmoid_se_grad: Any) -> None:
    f = _function(sigmoid_se_grad, "sigmoid_se_grad(z, y)")
    z, y = _q2_data()
    before = _copies(z, y)
    with np.errstate(over="ignore"):
        raw = f(z, y)
    _check_untouched("z y", before, (z, y))
    got, eps = _array(raw, "sigmoid_se_grad(z, y)", z.shape)
    s = _sigmoid(z)
    if _same(got, 2 * (s - y) * s * (1 - s), eps):
        return
    for mistake, message in Q2_MISTAKES:
        if _same(got, mistake(s, z, y), eps):
            raise NotYet(message)
    raise NotYet("not yet: with p = sigmoid(z), the chain rule gives dL/dz = dL/dp * dp/dz "
                 "= 2 (p - y) * p (1 - p), entry by entry.")


q2 = Exercise(
    "q2",
    _check_q2,
    hint="Two steps of the chain rule. With p = sigmoid(z): dL/dp = 2 (p - y), and sigmoid's slope is "
    "dp/dz = p (1 - p) (notebook 06, section 2). Multiply them entry by entry. At z = -8, y = 1 the "
    "answer is tiny, which is the learning slowdown of section 3.",
    solution='''
def sigmoid_se_grad(z, y):
    """dL/dz for L = (sigmoid(z) - y)**2, entry by entry; z and y of the same shape."""
    p = 0.5 * (1 + np.tanh(0.5 * z))     # sigmoid(z), without overflow
    return 2 * (p - y) * p * (1 - p)     # dL/dp times dp/dz
''',
)
