"""Exercises for notebook 05 · XOR and the learning rate.

- `q1`: write `gd_step(x, lr)`, one gradient-descent step on f(x) = x**2.
- `q2`: which of `q2_RATES` make gradient descent on x**2 diverge?
- `q3`: choose weights by hand for a 2-2-1 network of step units that computes XOR.
- `q4`: build a "tent" out of ReLU hinges: choose kinks `k` and slope changes `v`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from course_lib.exercises import Exercise, NotYet, number

# ---- q1: one gradient-descent step ---------------------------------------------------
_Q1_CASES = ((-1.0, 0.3), (2.0, 0.1), (0.5, 0.9), (-3.0, 0.05), (1.5, 1.1))


def _check_gd_step(gd_step: Callable[[float, float], float]) -> None:
    if not callable(gd_step):
        raise NotYet(f"pass the function itself, `gd_step`, not {type(gd_step).__name__}: {gd_step!r}.")
    for x, lr in _Q1_CASES:
        got = gd_step(x, lr)
        want = x - lr * 2 * x
        if got is Ellipsis:
            raise NotYet("gd_step still returns `...`: replace the `...` with the new x.")
        if got is None:
            raise NotYet("gd_step returned None: did you forget the `return`?")
        try:
            got = number("x", got)  # the rule of all checks: a Value or 0-d array counts too
        except NotYet:
            raise NotYet(f"gd_step({x}, {lr}) should return a number (the new x), "
                         f"got {type(got).__name__}: {got!r}.") from None
        if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            continue
        start = f"gd_step({x}, {lr}) returned {got:.6g}, expected {want:.6g}"
        diagnoses = (  # typical slips, each with what went wrong
            (x + lr * 2 * x, "you stepped uphill: subtract lr * slope, do not add it"),
            (x - lr * x, "the slope of x**2 is 2x, not x: you forgot the factor 2"),
            (x - lr * x * x, "you used f(x) = x**2 as the step; the step uses the slope f'(x) = 2x"),
            (x - 2 * x, "the learning rate is missing: the step is lr * slope, not the slope alone"),
            (lr * 2 * x, "that is the size of the step, not the new x: return x minus the step"),
            (-lr * 2 * x, "that is the change in x; add it to x and return the new x"),
            (2 * x, "that is the slope 2x; the new x is x - lr * 2x"),
        )
        for wrong, why in diagnoses:
            if math.isclose(got, wrong, rel_tol=1e-9, abs_tol=1e-12):
                raise NotYet(f"{start}: {why}.")
        raise NotYet(f"{start}. The new x is x - lr * f'(x), and f'(x) = 2x for f(x) = x**2.")


q1 = Exercise(
    "q1 (one gradient-descent step)",
    _check_gd_step,
    hint="The slope of f(x) = x**2 is f'(x) = 2x. Gradient descent moves against the slope: "
         "new x = x - lr * slope.",
    solution='''
def gd_step(x, lr):
    """One gradient-descent step on f(x) = x**2."""
    slope = 2 * x          # f'(x)
    return x - lr * slope  # move downhill by lr times the slope
''',
)

# ---- q2: which rates diverge? -------------------------------------------------------
q2_RATES = (0.05, 0.3, 0.5, 0.9, 1.0, 1.05, 1.5, 2.0)
_Q2_DIVERGE = frozenset(lr for lr in q2_RATES if abs(1 - 2 * lr) > 1)  # {1.05, 1.5, 2.0}


def _factor(lr: float) -> str:
    return f"|1 - 2 x {lr:g}| = {abs(1 - 2 * lr):.2g}"


def _check_diverging(answer: Any) -> None:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise NotYet(f"give a list or set of rates taken from q2_RATES, e.g. [0.05, 0.3], got {answer!r}.")
    chosen = list(answer)
    for lr in chosen:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise NotYet(f"every entry should be a learning rate (a number), "
                         f"got {type(lr).__name__}: {lr!r}.")
        if not any(math.isclose(lr, r) for r in q2_RATES):
            raise NotYet(f"{lr!r} is not one of the rates to judge; choose from q2_RATES = {q2_RATES}.")
    chosen_set = {r for r in q2_RATES if any(math.isclose(lr, r) for lr in chosen)}
    wrongly_in = sorted(chosen_set - _Q2_DIVERGE)
    missing = sorted(_Q2_DIVERGE - chosen_set)
    if 1.0 in wrongly_in:
        raise NotYet(f"1.0 does not diverge: {_factor(1.0)}, so x flips between -1 and 1 forever, "
                     "stuck but not growing. Diverging needs |1 - 2 lr| > 1.")
    if wrongly_in:
        lr = wrongly_in[-1]
        what = "zigzags around 0 but shrinks" if lr > 0.5 else "shrinks towards 0"
        raise NotYet(f"{lr:g} does not diverge: {_factor(lr)} < 1, so x {what} every step.")
    if missing:
        lr = missing[0]
        raise NotYet(f"{lr:g} diverges too: {_factor(lr)} > 1, so |x| grows every step "
                     f"(you are missing {len(missing)} of the {len(_Q2_DIVERGE)} diverging rates).")


q2 = Exercise(
    "q2 (which learning rates diverge)",
    _check_diverging,
    hint="One step on x**2 gives x - lr * 2x = (1 - 2 lr) x. After n steps x is multiplied by "
         "(1 - 2 lr)^n: it grows when |1 - 2 lr| > 1.",
    solution="""
# x is multiplied by (1 - 2 lr) every step; it diverges when that factor has size > 1.
diverging = [lr for lr in q2_RATES if abs(1 - 2 * lr) > 1]   # [1.05, 1.5, 2.0]
# 1.0 is the edge: the factor is -1, so x bounces between -1 and 1 forever.
""",
)

# ---- q3: XOR by hand -----------------------------------------------------------------
_XOR = {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}
_KNOWN = {  # outputs for (0,0), (0,1), (1,0), (1,1) that are a well-known gate
    (1, 0, 0, 1): "XNOR (the opposite of XOR): flip the signs of the output weights and bias",
    (0, 1, 1, 1): "OR: (1, 1) must give 0, so the output must subtract a hidden unit that fires "
                  "only when both inputs are on (an AND)",
    (0, 0, 0, 1): "AND: XOR is 'OR but not AND'",
    (1, 1, 1, 0): "NAND: it is right except for (0, 0), which must give 0",
    (0, 0, 0, 0): "0 for every input: the output unit never fires; raise its bias or its weights",
    (1, 1, 1, 1): "1 for every input: the output unit always fires; lower its bias",
}


def step(z: float) -> int:
    """The unit's activation: 1 if z > 0, else 0."""
    return 1 if z > 0 else 0


def xor_net(W: Any, b: Any, v: Any, c: Any, x: tuple[float, float]) -> int:
    """h_j = step(W[j][0] x1 + W[j][1] x2 + b[j]) for j = 0, 1;  out = step(v[0] h_0 + v[1] h_1 + c)."""
    h = [step(W[j][0] * x[0] + W[j][1] * x[1] + b[j]) for j in range(2)]
    return step(v[0] * h[0] + v[1] * h[1] + c)


def _numbers(name: str, value: Any, n: int) -> list[float]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != n:
        raise NotYet(f"{name} should be a list of {n} numbers, got {value!r}.")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise NotYet(f"{name} should hold numbers, got {type(item).__name__}: {item!r}.")
    return [float(item) for item in value]


def _check_xor_weights(W: Any, b: Any, v: Any, c: Any) -> None:
    if isinstance(W, (str, bytes)) or not hasattr(W, "__len__") or len(W) != 2:
        raise NotYet(f"W should hold 2 rows (one per hidden unit) of 2 weights, "
                     f"like [[1, 1], [1, 1]]; got {W!r}.")
    W = [_numbers(f"W[{j}]", row, 2) for j, row in enumerate(W)]
    b, v = _numbers("b", b, 2), _numbers("v", v, 2)
    if isinstance(c, bool) or not isinstance(c, numbers.Real):
        raise NotYet(f"c (the output bias) should be a single number, got {type(c).__name__}: {c!r}.")
    c = float(c)
    for x in _XOR:  # a pre-activation of exactly 0 sits on the edge of the step: fragile
        for j in range(2):
            if W[j][0] * x[0] + W[j][1] * x[1] + b[j] == 0:
                raise NotYet(f"hidden unit {j} gets exactly 0 for input {x}, right on its threshold; "
                             "shift its bias (e.g. by 0.5) so every input is clearly on one side.")
        h = [step(W[j][0] * x[0] + W[j][1] * x[1] + b[j]) for j in range(2)]
        if v[0] * h[0] + v[1] * h[1] + c == 0:
            raise NotYet(f"the output unit gets exactly 0 for input {x}, right on its threshold; "
                         "shift c (e.g. by 0.5).")
    outs = tuple(xor_net(W, b, v, c, x) for x in _XOR)
    if outs == tuple(_XOR.values()):
        return
    got = ", ".join(f"{x} -> {o}" for x, o in zip(_XOR, outs))
    if outs in _KNOWN:
        raise NotYet(f"your network gives {got}, which is {_KNOWN[outs]}.")
    wrong = [x for x, o in zip(_XOR, outs) if o != _XOR[x]]
    raise NotYet(f"your network gives {got}; wrong for {', '.join(map(str, wrong))}. "
                 "Try one hidden unit for OR, one for AND, and output 'OR and not AND'.")


q3 = Exercise(
    "q3 (XOR with hand-chosen weights)",
    _check_xor_weights,
    hint="XOR = 'x1 OR x2, but not both'. Make hidden unit 0 an OR gate (fires when x1 + x2 > 0.5), "
         "hidden unit 1 an AND gate (fires when x1 + x2 > 1.5), then let the output fire for "
         "OR minus AND.",
    solution="""
W = [[1, 1],    # hidden unit 0: x1 + x2 - 0.5 > 0  -> OR
     [1, 1]]    # hidden unit 1: x1 + x2 - 1.5 > 0  -> AND
b = [-0.5, -1.5]
v = [1, -1]     # output: OR - AND - 0.5 > 0  -> OR but not AND = XOR
c = -0.5
nb05.q3.check(W, b, v, c)
""",
)

# ---- q4: a tent from ReLU hinges ------------------------------------------------------
_TENT_PIECES = ((-1.0, 0.0, 0.0), (0.0, 1.0, 1.0), (1.0, 2.0, -1.0), (2.0, 3.0, 0.0))  # (from, to, slope)
_Q4_SLIPS = {  # (k, v) that learners write, each with what to tell them
    ((0.0, 1.0, 2.0), (1.0, -1.0, 1.0)): "after x = 1 your function is flat. Going from slope +1 to "
                                         "slope -1 is a change of -2, so the unit at k = 1 needs v = -2",
    ((0.0, 1.0), (1.0, -2.0)): "after x = 2 your function keeps falling. A third unit at k = 2 must "
                               "change the slope from -1 back to 0",
    ((0.0, 1.0, 2.0), (1.0, -2.0, -1.0)): "after x = 2 your function falls twice as fast. The last unit "
                                          "must bring the slope from -1 back to 0, a change of +1",
    ((0.0, -1.0, -2.0), (1.0, -2.0, 1.0)): "relu(x - k) bends at x = +k: for bends at 1 and 2 use k = 1 and "
                                           "k = 2, not -1 and -2",
}


def tent(x: np.ndarray) -> np.ndarray:
    """The target: 0 up to x = 0, up to 1 at x = 1, down to 0 at x = 2, then 0 again."""
    return np.maximum(0.0, 1.0 - np.abs(np.asarray(x, dtype=float) - 1.0))


def hinges(k: Any, v: Any, x: np.ndarray) -> np.ndarray:
    """sum_j v[j] * relu(x - k[j]) for every x."""
    x = np.asarray(x, dtype=float)
    return np.maximum(0.0, x[..., None] - np.asarray(k, dtype=float)) @ np.asarray(v, dtype=float)


def _check_tent(k: Any, v: Any) -> None:
    if isinstance(k, (str, bytes)) or not hasattr(k, "__len__"):
        raise NotYet(f"k should be a list of kink positions, one per unit, like [0, 1, 2]; got {k!r}.")
    k = _numbers("k", k, len(k))
    if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != len(k):
        raise NotYet(f"v should be a list with one slope change per unit, as many as k has ({len(k)}); "
                     f"got {v!r}.")
    v = _numbers("v", v, len(k))
    # Both functions are straight between their kinks: agreeing at every kink of either, and one
    # step beyond the outermost ones, they agree everywhere (not just on the plotted -1..3).
    xs = np.sort(np.concatenate([np.linspace(-1.0, 3.0, 401), k,
                                 [min([*k, -1.0]) - 1.0, max([*k, 3.0]) + 1.0]]))
    if np.allclose(hinges(k, v, xs), tent(xs), atol=1e-9):
        return
    key = (tuple(k), tuple(v))
    if key in _Q4_SLIPS:
        raise NotYet(_Q4_SLIPS[key] + ".")
    for start, end, slope in _TENT_PIECES:  # compare the slope in the middle of each piece
        mid = (start + end) / 2
        yours = float((hinges(k, v, mid + 1e-6) - hinges(k, v, mid - 1e-6)) / 2e-6)
        if not math.isclose(yours, slope, abs_tol=1e-6):
            raise NotYet(f"at x = {mid:g} the tent's slope is {slope:g}, yours is {yours:.3g}. Slopes add up "
                         "from the left: each unit v * relu(x - k) adds v to the slope for every x > k.")
    outside = [kj for kj, vj in zip(k, v) if vj != 0 and not -1.0 < kj < 3.0]
    if outside:
        raise NotYet(f"your unit with k = {outside[0]:g} bends the function at x = {outside[0]:g}, where the "
                     "tent is flat (0 on both sides): the tent bends only at x = 0, 1 and 2, so the slope "
                     "changes v must add up to 0 by x = 2.")
    worst = xs[np.argmax(np.abs(hinges(k, v, xs) - tent(xs)))]
    raise NotYet(f"your slopes are right in the middle of each piece, but at x = {worst:.2f} your function "
                 f"is {float(hinges(k, v, worst)):.3g} where the tent is {float(tent(worst)):.3g}: put the "
                 "kinks exactly where the tent bends, at x = 0, 1 and 2.")


q4 = Exercise(
    "q4 (a tent from ReLU hinges)",
    _check_tent,
    hint="Walk from left to right. The tent's slope is 0, then +1 from x = 0, then -1 from x = 1, then 0 "
         "from x = 2. A unit v * relu(x - k) adds v to the slope for every x > k, so you need one unit "
         "at each bend, with v = the change of slope there.",
    solution="""
k = [0, 1, 2]    # the tent bends at x = 0, 1 and 2
v = [1, -2, 1]   # slope changes: 0 -> +1, +1 -> -1, -1 -> 0
nb05.q4.check(k, v)
""",
)
