"""Check gradients from `backward()` against numerical estimates.

The numerical estimate nudges one input up and down by a small step h and
measures how the output changes (a central difference):

    df/dx  ~  (f(x + h) - f(x - h)) / (2h)

Its error shrinks like h^2, so with h = 1e-5 it agrees with the exact
gradient to about 8-10 significant digits for smooth functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from course_lib.engine import Value

# What a relative error tells you (the thresholds CS231n-style checks use).
VERDICTS = (
    (1e-7, "excellent: the gradients agree"),
    (1e-5, "good: differences this small are rounding noise"),
    (1e-3, "suspicious: fine only near a kink such as ReLU at 0, otherwise look for a bug"),
    (float("inf"), "wrong: the analytic gradient has a bug"),
)


def relative_error(a: float, b: float) -> float:
    """|a - b| scaled by the larger of |a|, |b|; 0 when both are 0."""
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def verdict(rel_error: float) -> str:
    """A plain-words reading of a relative error."""
    return next(text for limit, text in VERDICTS if rel_error < limit)


def numerical_grad(f: Callable[..., Value], inputs: Sequence[float], h: float = 1e-5) -> list[float]:
    """Central-difference estimate of df/dx_i for each input of `f(*Values)`."""
    grads = []
    for i in range(len(inputs)):
        up = [Value(x + h if j == i else x) for j, x in enumerate(inputs)]
        down = [Value(x - h if j == i else x) for j, x in enumerate(inputs)]
        grads.append((f(*up).data - f(*down).data) / (2 * h))
    return grads


def numerical_gradient_array(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar `f()` with respect to the array `x`.

    `f` takes no arguments and reads `x`, which is nudged in place one entry at a
    time and always restored, so `x` is unchanged afterwards.
    """
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_up = f()
        x[idx] = old - h
        f_down = f()
        x[idx] = old
        grad[idx] = (f_up - f_down) / (2 * h)
    return grad


@dataclass
class GradcheckResult:
    """Analytic and numeric gradients side by side; truthy when all agree."""

    names: list[str]
    analytic: list[float]
    numeric: list[float]
    rel_errors: list[float]
    tolerance: float

    @property
    def max_rel_error(self) -> float:
        return max(self.rel_errors, default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_rel_error < self.tolerance

    def __bool__(self) -> bool:
        return self.ok

    def report(self) -> str:
        rows = [f"{'input':>8} {'analytic':>14} {'numeric':>14} {'rel. error':>11}"]
        for name, a, n, e in zip(self.names, self.analytic, self.numeric, self.rel_errors):
            rows.append(f"{name:>8} {a:>14.8f} {n:>14.8f} {e:>11.1e}")
        rows.append(f"largest relative error {self.max_rel_error:.1e}: {verdict(self.max_rel_error)}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        return self.report()


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    names: Sequence[str] | None = None,
    h: float = 1e-5,
    tolerance: float = 1e-5,
    verbose: bool = True,
) -> GradcheckResult:
    """Compare `backward()` gradients of `f(*Values)` with central differences.

    Prints a table (unless verbose=False) and returns a result that is truthy
    when every relative error is below `tolerance`.
    """
    values = [Value(x) for x in inputs]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {type(out).__name__}")
    out.backward()
    analytic = [v.grad for v in values]
    numeric = numerical_grad(f, [float(x) for x in inputs], h)
    names = list(names) if names is not None else [f"x{i}" for i in range(len(values))]
    if len(names) != len(values):
        raise ValueError(f"got {len(names)} names for {len(values)} inputs")
    errors = [relative_error(a, n) for a, n in zip(analytic, numeric)]
    result = GradcheckResult(names, analytic, numeric, errors, tolerance)
    if verbose:
        print(result.report())
    return result
