"""Check gradients from `backward()` against numerical estimates.

The numerical estimate nudges one input up and down by a small step h and
measures how the output changes (a central difference):

    df/dx  ~  (f(x + h) - f(x - h)) / (2h)

Its error shrinks like h^2, so with h = 1e-5 it agrees with the exact
gradient to about 8-10 significant digits for smooth functions.

Two gradients that are both tiny (a saturated tanh has a slope of 1e-13) can
differ a lot *relatively* while both are just rounding noise, so a difference
below an absolute floor `atol` counts as agreement, like `numpy.allclose`.
A gradient that is nan or infinite can never be checked: it counts as wrong.
"""

from __future__ import annotations

import math
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
NOT_FINITE = "wrong: a gradient is nan or infinite, so it cannot be right"
BELOW_NOISE = "numerical noise: both gradients are practically 0, and they agree"
ATOL = 1e-8  # differences smaller than this are rounding noise of the central difference


def relative_error(a: float, b: float) -> float:
    """|a - b| scaled by the larger of |a|, |b|; 0 when both are 0; inf if either is nan or inf."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf  # inf, not nan: max() keeps it and verdict() calls it wrong
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def verdict(rel_error: float) -> str:
    """A plain-words reading of a relative error (nan and inf read as wrong)."""
    if not math.isfinite(rel_error):
        return NOT_FINITE
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
    time and always restored, so `x` is unchanged afterwards. `x` must hold float64
    (or wider) numbers: an integer array cannot hold x + h, and float32 rounds it.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be the NumPy array that f() reads, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating) or x.dtype.itemsize < 8:
        raise TypeError(
            f"x holds {x.dtype} numbers, which cannot hold a nudge of h = {h:g} exactly "
            "(an integer array truncates it, float16/float32 round it), so the estimate would be "
            "wrong. Check a float64 array: x = x.astype(np.float64), and let f() read that array."
        )
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            f_up = f()
            x[idx] = old - h
            f_down = f()
        finally:  # also when f() raises or the check is interrupted: x is never left nudged
            x[idx] = old
        grad[idx] = (f_up - f_down) / (2 * h)
    return grad


@dataclass
class GradcheckResult:
    """Analytic and numeric gradients side by side; truthy when all agree.

    An input agrees when both gradients are finite and either differ by less than
    `atol` (rounding noise) or have a relative error below `tolerance`.
    """

    names: list[str]
    analytic: list[float]
    numeric: list[float]
    rel_errors: list[float]
    tolerance: float
    atol: float = ATOL

    def _noise(self, i: int) -> bool:
        """True when a relative error that is not already excellent comes from a difference below atol."""
        a, n = self.analytic[i], self.numeric[i]
        return self.rel_errors[i] >= VERDICTS[0][0] and math.isfinite(a - n) and abs(a - n) <= self.atol

    @property
    def max_rel_error(self) -> float:
        """The largest relative error among inputs whose difference is above the noise floor."""
        return max((e for i, e in enumerate(self.rel_errors) if not self._noise(i)), default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_rel_error < self.tolerance

    def __bool__(self) -> bool:
        return self.ok

    def report(self) -> str:
        rows = [f"{'input':>8} {'analytic':>14} {'numeric':>14} {'rel. error':>11}"]
        for i, (name, a, n, e) in enumerate(zip(self.names, self.analytic, self.numeric, self.rel_errors)):
            note = "  (below numerical noise)" if self._noise(i) else ""
            rows.append(f"{name:>8} {a:>14.8g} {n:>14.8g} {e:>11.1e}{note}")
        worst = self.max_rel_error
        if worst == 0.0 and any(self._noise(i) for i in range(len(self.names))):
            rows.append(f"every difference is below {self.atol:g}, {BELOW_NOISE}")
        else:
            where = f" ({self.names[self.rel_errors.index(worst)]})" if worst in self.rel_errors else ""
            rows.append(f"largest relative error {worst:.1e}{where}: {verdict(worst)}")
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
    atol: float = ATOL,
) -> GradcheckResult:
    """Compare `backward()` gradients of `f(*Values)` with central differences.

    Prints a table (unless verbose=False) and returns a result that is truthy
    when every gradient is finite and each relative error is below `tolerance`
    (or the difference is below `atol`, numerical noise).
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
    result = GradcheckResult(names, analytic, numeric, errors, tolerance, atol)
    if verbose:
        print(result.report())
    return result
