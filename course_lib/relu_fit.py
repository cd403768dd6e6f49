"""A one-hidden-layer ReLU network that fits a curve y = f(x), in NumPy (notebook 05).

    y_hat(x) = c + sum_j v_j * relu(w_j * x + b_j),      j = 1 .. H hidden units

Each hidden unit is a *hinge*: 0 on one side of x = -b_j / w_j and a straight line on
the other. A sum of hinges is a straight line between neighbouring hinge points, so
the network's output is **piecewise linear with at most H kinks**, one at each
x = -b_j / w_j (`kinks`). Training moves the kinks and changes the slopes.

    params = init_params(10, (-3, 3), seed=1)
    losses, snapshots = train(params, x, y, lr=0.02, steps=10_000, record=(0, 100, 1000))
    snapshots[-1].loss, kinks(snapshots[-1].params)

`hinge_interpolant(f, knots)` builds such a network by hand: it passes through f at
every knot, which is the idea behind the universal approximation theorem in 1-D.
Parameters are a dict of arrays: w, b, v of shape (H,) and c of shape ().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np

Params = dict[str, np.ndarray]


class Snapshot(NamedTuple):
    step: int  # gradient steps taken so far
    params: Params  # a copy of the parameters at that step
    loss: float  # mean squared error on the training points


def init_params(n_hidden: int, x_range: tuple[float, float], seed: int = 0) -> Params:
    """Random start with the H kinks at uniformly random places in `x_range`.

    Weights w_j are +1 or -1 (which side of its kink a hinge is active on), biases put
    the kinks at uniform random points of the range (b_j = -w_j * kink_j), output
    weights are small, so the untrained network is almost flat.
    """
    if isinstance(n_hidden, bool) or not isinstance(n_hidden, (int, np.integer)) or n_hidden < 1:
        raise ValueError(f"n_hidden must be a whole number >= 1, got {n_hidden!r}")
    lo, hi = x_range
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    rng = np.random.default_rng(seed)
    w = rng.choice([-1.0, 1.0], n_hidden)
    kink = rng.uniform(lo, hi, n_hidden)
    return {"w": w, "b": -w * kink, "v": rng.normal(0.0, 0.1, n_hidden), "c": np.array(0.0)}


def predict(params: Params, x: np.ndarray) -> np.ndarray:
    """The network's output for every x (any shape)."""
    x = np.asarray(x, dtype=float)
    hidden = np.maximum(0.0, x[..., None] * params["w"] + params["b"])  # (..., H)
    return hidden @ params["v"] + params["c"]


def kinks(params: Params) -> np.ndarray:
    """Sorted x positions -b_j / w_j of the hidden units that can bend the output (w_j, v_j != 0)."""
    active = (params["w"] != 0) & (params["v"] != 0)  # a flat hinge or a zero output weight bends nothing
    return np.sort(-params["b"][active] / params["w"][active])


def mse(params: Params, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of the fit on the points (x, y)."""
    return float(np.mean((predict(params, x) - np.asarray(y, dtype=float)) ** 2))


def gradients(params: Params, x: np.ndarray, y: np.ndarray) -> Params:
    """d(mean squared error)/d(parameter), by the chain rule (notebook 06 derives these step by step)."""
    z = x[:, None] * params["w"] + params["b"]  # (N, H)
    hidden = np.maximum(0.0, z)  # (N, H)
    d_out = 2.0 * (hidden @ params["v"] + params["c"] - y) / len(x)  # (N,)
    dz = d_out[:, None] * params["v"] * (z > 0)  # (N, H): only active hinges pass gradient
    return {"w": dz.T @ x, "b": dz.sum(axis=0), "v": hidden.T @ d_out, "c": d_out.sum()}


def train(params: Params, x: Sequence[float], y: Sequence[float], lr: float, steps: int,
          record: Iterable[int] = ()) -> tuple[list[float], list[Snapshot]]:
    """Full-batch gradient descent on the mean squared error; `params` are updated in place.

    Returns the loss before every step and after the last one (steps + 1 numbers), and a
    Snapshot (step, copy of params, loss) at each step number in `record` (0 = before
    training) and at the end.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got shapes {x.shape} and {y.shape}")
    if len(x) == 0:
        raise ValueError("x and y hold no points: give at least one point to fit")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must hold finite numbers (no nan or inf)")
    if not lr > 0:
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    record = set(record) | {steps}
    losses, history = [], []
    for step in range(steps + 1):
        losses.append(mse(params, x, y))
        if step in record:
            history.append(Snapshot(step, {k: v.copy() for k, v in params.items()}, losses[-1]))
        if step == steps:
            break
        if not losses[-1] < 1e100:  # the steps overshoot more every time: stop before inf and nan
            raise FloatingPointError(f"the fit diverged at step {step}: lower the learning rate (was {lr})")
        for name, grad in gradients(params, x, y).items():
            params[name] = params[name] - lr * grad
    return losses, history


def hinge_interpolant(f: Callable[[np.ndarray], np.ndarray], knots: Sequence[float]) -> Params:
    """A ReLU network, one hinge per knot but the last, that passes through f at every knot.

    Between neighbouring knots it is the straight line joining f's values: the first
    hinge sets the first slope, every later one changes the slope by what is needed.
    """
    knots = np.asarray(knots, dtype=float)
    if knots.ndim != 1 or len(knots) < 2 or np.any(np.diff(knots) <= 0):
        raise ValueError("knots must be at least 2 numbers in increasing order")
    values = np.asarray(f(knots), dtype=float)
    slopes = np.diff(values) / np.diff(knots)  # the slope on each piece
    w = np.ones(len(slopes))
    return {"w": w, "b": -knots[:-1], "v": np.diff(slopes, prepend=0.0), "c": np.array(values[0])}
