"""Exercises for notebook 01 · Derivatives.

- `q1`: write `my_fn(f, x, h)`, the central-difference estimate of f'(x).
- `q2`: the chain rule by hand: dC/dw1 through a chain of three neurons-as-lines.
- `q3`: two paths: dC/dw1 when p1 reaches p4 through both p2 and p3.

Use them as `nb01.q1.check(my_fn)`, `nb01.q1.hint()`, `nb01.q1.solution()`.
"""

from __future__ import annotations

import math
from typing import Any

from course_lib.exercises import Exercise, NotYet, number

__all__ = ["q1", "q2", "q3"]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _number(name: str, got: Any) -> float:
    """The learner's answer as a float, or NotYet saying what came instead (the rule of all checks)."""
    return number(name, got)


def _diagnose(name: str, got: Any, want: float, mistakes: tuple[tuple[float, str], ...]) -> None:
    """Accept `got` if it is close to `want`; otherwise raise NotYet naming the likely mistake.

    `mistakes` pairs the number a typical slip produces with a message explaining it;
    a flipped sign and a factor of 2 are recognised for any answer.
    """
    value = _number(name, got)
    if _close(value, want):
        return
    for wrong, message in mistakes:
        if _close(value, wrong):
            raise NotYet(message)
    if _close(value, -want):
        raise NotYet(f"{name} has the right size but the sign is flipped.")
    for factor, words in ((2.0, "a factor of 2 too large"), (0.5, "a factor of 2 too small")):
        if _close(value, factor * want):
            raise NotYet(f"{name} is off by {words}.")
    raise NotYet(
        f"{name} is not right yet (you gave {value:g}). Work backwards from the cost one link "
        "at a time, and check your number with a central difference."
    )


# ---------------------------------------------------------------------------
# q1: a numerical derivative function
# ---------------------------------------------------------------------------

# (description, f, exact f', x, h): h is large enough that the formulas give clearly different numbers
_Q1_CASES = (
    ("f(x) = x**3", lambda x: x**3, lambda x: 3 * x**2, 2.0, 0.1),
    ("f(x) = sin(x)", math.sin, math.cos, 1.0, 0.01),
    ("f(x) = exp(x)", math.exp, math.exp, -0.5, 0.05),
)


def _check_q1(my_fn: Any) -> None:
    if not callable(my_fn):
        raise NotYet(f"my_fn should be a function my_fn(f, x, h), got {type(my_fn).__name__}: {my_fn!r}.")
    stencils = 0
    for text, f, exact, x, h in _Q1_CASES:
        where = f"for {text} at x = {x:g} with h = {h:g}"
        got = my_fn(f, x, h)
        if got is None:
            raise NotYet("my_fn returned None: did you forget the `return`?")
        got = _number(f"my_fn(f, x, h) {where}", got)
        central = (f(x + h) - f(x - h)) / (2 * h)
        if _close(got, central):
            continue
        # the five-point stencil: a central difference too, of higher order; just as right. Its
        # own error must show (closer to it than to the true slope), or a tiny h would pass too.
        stencil = (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)
        if abs(got - stencil) <= max(1e-12 * abs(stencil), 1e-3 * abs(stencil - exact(x))):
            stencils += 1
            continue
        forward = (f(x + h) - f(x)) / h
        backward = (f(x) - f(x - h)) / h
        if _close(got, forward) or _close(got, backward):
            raise NotYet(
                f"you used a one-sided difference ({where}): its error shrinks like h, not like h^2. "
                "Step to both sides of x: (f(x + h) - f(x - h)) / (2h)."
            )
        if _close(got, -central):
            raise NotYet(f"the sign is flipped ({where}): subtract f(x - h) from f(x + h), not the reverse.")
        if _close(got, 2 * central):
            raise NotYet(
                f"your answer is off by a factor of 2 ({where}): x - h and x + h are 2h apart, "
                "so divide by 2h, not by h."
            )
        if _close(got, central * h * h):
            raise NotYet(
                f"you divided by 2 and then multiplied by h ({where}): in Python `/ 2 * h` means "
                "`(.../ 2) * h`. Write `/ (2 * h)` with brackets."
            )
        if _close(got, 2 * h * central):
            raise NotYet(
                f"you forgot to divide by the step ({where}): a slope is a change in f "
                "divided by the change in x, which is 2h."
            )
        if abs(got - exact(x)) < 0.01 * abs(central - exact(x)):
            raise NotYet(
                f"your answer is much closer to the true slope than a central difference with this h "
                f"can be ({where}). Does my_fn use the h it is given, and the formula "
                "(f(x + h) - f(x - h)) / (2h)?"
            )
        raise NotYet(
            f"my_fn returned {got:.8g} {where}, but the central difference gives another number. "
            "Check the formula (f(x + h) - f(x - h)) / (2h)."
        )
    if stencils:
        print("That is the five-point stencil, a central difference of higher order (its error shrinks "
              "like h^4): right. The lesson uses the two-point one, (f(x + h) - f(x - h)) / (2h).")


q1 = Exercise(
    "q1 (numerical derivative)",
    _check_q1,
    hint="""Nudge x to both sides: evaluate f at x + h and at x - h, subtract, and divide by the
distance between the two points, which is 2h. Mind the brackets: `/ (2 * h)`.""",
    solution="""
def my_fn(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)

nb01.q1.check(my_fn)
""",
)


# ---------------------------------------------------------------------------
# q2: chain rule through three neurons-as-lines
# ---------------------------------------------------------------------------

Q2 = {"x": 3.0, "y": -4.0, "w1": 0.5, "b1": 0.5, "w2": -3.0, "b2": 4.0, "w3": 2.5, "b3": 0.5}


def _q2_numbers() -> tuple[float, dict[str, float]]:
    """The right dC/dw1 for Q2 and the numbers typical slips produce."""
    v = Q2
    p1 = v["w1"] * v["x"] + v["b1"]
    p2 = v["w2"] * p1 + v["b2"]
    p3 = v["w3"] * p2 + v["b3"]
    dc_dp3 = 2 * (p3 - v["y"])
    right = dc_dp3 * v["w3"] * v["w2"] * v["x"]
    slips = {
        "stopped_at_p1": dc_dp3 * v["w3"] * v["w2"],
        "skipped_w2": dc_dp3 * v["w3"] * v["x"],
        "skipped_w3": dc_dp3 * v["w2"] * v["x"],
        "w1_not_x": dc_dp3 * v["w3"] * v["w2"] * v["w1"],
        "no_2": right / 2,
    }
    return right, slips


def _check_q2(answer: Any) -> None:
    right, slips = _q2_numbers()
    _diagnose(
        "your dC/dw1",
        answer,
        right,
        (
            (slips["no_2"], "your dC/dw1 is off by a factor of 2: the derivative of (p3 - y)^2 "
                            "with respect to p3 is 2 (p3 - y), and the 2 is easy to drop."),
            (slips["stopped_at_p1"], "you stopped one link early: that is dC/dp1. Multiply by "
                                     "dp1/dw1 = x to reach w1."),
            (slips["w1_not_x"], "the last link is dp1/dw1 = x (the number w1 multiplies), not w1."),
            (slips["skipped_w2"], "you skipped a link of the chain: dp2/dp1 = w2 is missing."),
            (slips["skipped_w3"], "you skipped a link of the chain: dp3/dp2 = w3 is missing."),
        ),
    )


q2 = Exercise(
    "q2 (chain rule)",
    _check_q2,
    hint="""Run the chain forward first (p1, p2, p3). Then multiply the links from the cost back to w1:
dC/dp3 = 2 (p3 - y), dp3/dp2 = w3, dp2/dp1 = w2, dp1/dw1 = x.""",
    solution="""
x, y, w1, b1, w2, b2, w3, b3 = 3.0, -4.0, 0.5, 0.5, -3.0, 4.0, 2.5, 0.5
p1 = w1 * x + b1           # 2.0
p2 = w2 * p1 + b2          # -2.0
p3 = w3 * p2 + b3          # -4.5
dC_dp3 = 2 * (p3 - y)      # -1.0
dC_dw1 = dC_dp3 * w3 * w2 * x   # 22.5
nb01.q2.check(dC_dw1)
""",
)


# ---------------------------------------------------------------------------
# q3: a branch: the derivatives along two paths add
# ---------------------------------------------------------------------------

Q3 = {"x": 3.0, "y": 1.0, "w1": 0.5, "b1": 0.5, "w2": 4.0, "b2": -3.0, "w3": -1.5, "b3": 5.0,
      "w4": 0.5, "w5": 2.0, "b4": -1.0}


def _q3_numbers() -> tuple[float, dict[str, float]]:
    """The right dC/dw1 for Q3 and the numbers typical slips produce."""
    v = Q3
    p1 = v["w1"] * v["x"] + v["b1"]
    p2 = v["w2"] * p1 + v["b2"]
    p3 = v["w3"] * p1 + v["b3"]
    p4 = v["w4"] * p2 + v["w5"] * p3 + v["b4"]
    dc_dp4 = 2 * (p4 - v["y"])
    via_p2 = v["w4"] * v["w2"]  # dp4/dp1 along p1 -> p2 -> p4
    via_p3 = v["w5"] * v["w3"]  # dp4/dp1 along p1 -> p3 -> p4
    right = dc_dp4 * (via_p2 + via_p3) * v["x"]
    slips = {
        "only_p2": dc_dp4 * via_p2 * v["x"],
        "only_p3": dc_dp4 * via_p3 * v["x"],
        "multiplied": dc_dp4 * via_p2 * via_p3 * v["x"],
        "stopped_at_p1": dc_dp4 * (via_p2 + via_p3),
        "no_cost": (via_p2 + via_p3) * v["x"],
        "no_2": right / 2,
    }
    return right, slips


def _check_q3(answer: Any) -> None:
    right, slips = _q3_numbers()
    _diagnose(
        "your dC/dw1",
        answer,
        right,
        (
            (slips["only_p2"], "you followed only the path through p2. p1 also reaches p4 through p3: "
                               "add the derivative along that path too."),
            (slips["only_p3"], "you followed only the path through p3. p1 also reaches p4 through p2: "
                               "add the derivative along that path too."),
            (slips["multiplied"], "you multiplied the two paths. Along one path the links multiply, "
                                  "but the two paths add."),
            (slips["no_2"], "your dC/dw1 is off by a factor of 2: the derivative of (p4 - y)^2 "
                            "with respect to p4 is 2 (p4 - y)."),
            (slips["no_cost"], "that is dp4/dw1: you left out the cost. Multiply by dC/dp4 = 2 (p4 - y)."),
            (slips["stopped_at_p1"], "you stopped one link early: that is dC/dp1. Multiply by "
                                     "dp1/dw1 = x to reach w1."),
        ),
    )


q3 = Exercise(
    "q3 (two paths)",
    _check_q3,
    hint="""Compute p1, p2, p3, p4 first. p1 reaches p4 along two paths; along each path multiply
the links (w2 then w4, or w3 then w5), add the two paths, then multiply by dC/dp4 = 2 (p4 - y)
and by dp1/dw1 = x.""",
    solution="""
x, y = 3.0, 1.0
w1, b1, w2, b2, w3, b3, w4, w5, b4 = 0.5, 0.5, 4.0, -3.0, -1.5, 5.0, 0.5, 2.0, -1.0
p1 = w1 * x + b1                 # 2.0
p2 = w2 * p1 + b2                # 5.0
p3 = w3 * p1 + b3                # 2.0
p4 = w4 * p2 + w5 * p3 + b4      # 5.5
dp4_dp1 = w4 * w2 + w5 * w3      # path via p2 plus path via p3: 2.0 + (-3.0)
dC_dw1_branch = 2 * (p4 - y) * dp4_dp1 * x   # -27.0
nb01.q3.check(dC_dw1_branch)
""",
)
