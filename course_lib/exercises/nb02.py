"""Exercises for notebook 02 · The Value class.

- `q1`: backpropagate by hand through L = (a*b + c) * f with new numbers:
  `nb02.q1.check(dL_da, dL_db, dL_dc, dL_df)`.
- `q2`: write the backward step of `*`: `nb02.q2.check(mul_backward)`, where
  `mul_backward(a, b, out)` adds to `a.grad` and `b.grad` for `out = a * b`.
- `q3`: a value used twice: gradients of M = (a*b) * (a + c):
  `nb02.q3.check(dM_da, dM_db, dM_dc)`.
"""

from __future__ import annotations

import math
from typing import Any

from course_lib.exercises import Exercise, NotYet, number

__all__ = ["q1", "q2", "q3"]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _number(name: str, got: Any) -> float:
    """The learner's answer as a float (a Value counts by its .data), or NotYet."""
    return number(name, got)


def _check_gradients(
    answers: tuple, want: dict[str, float], slips: dict[str, tuple[tuple[float, str], ...]]
) -> None:
    """Compare one answer per input with `want`; list every wrong one with its likely cause."""
    names = list(want)
    if len(answers) != len(names):
        raise NotYet(
            f"pass {len(names)} numbers, the gradients for {', '.join(names)} in that order; "
            f"you passed {len(answers)}."
        )
    problems = []
    for name, got in zip(names, answers):
        value = _number(f"the gradient for {name}", got)
        right = want[name]
        if _close(value, right):
            continue
        for wrong, message in slips.get(name, ()):
            if _close(value, wrong):
                problems.append(f"the gradient for {name}: {message}")
                break
        else:
            if _close(value, -right):
                problems.append(f"the gradient for {name} has the sign flipped.")
            elif _close(value, 2 * right):
                problems.append(f"the gradient for {name} is off by a factor of 2 (too large).")
            elif _close(value, right / 2):
                problems.append(f"the gradient for {name} is off by a factor of 2 (too small).")
            else:
                problems.append(
                    f"the gradient for {name} is not right yet (you gave {value:g}): "
                    "local derivative x upstream gradient, one node at a time from the output."
                )
    if problems:
        if len(problems) == 1:
            raise NotYet(problems[0])
        raise NotYet(f"{len(problems)} of the gradients are not right yet:\n  - " + "\n  - ".join(problems))


# ---------------------------------------------------------------------------
# q1: backpropagation by hand through L = (a*b + c) * f
# ---------------------------------------------------------------------------

Q1 = {"a": 3.0, "b": -2.0, "c": 8.0, "f": 4.0}


def _q1_numbers() -> tuple[dict[str, float], dict[str, tuple[tuple[float, str], ...]]]:
    a, b, c, f = Q1["a"], Q1["b"], Q1["c"], Q1["f"]
    d = a * b + c  # e = a*b, d = e + c, L = d * f
    want = {"a": b * f, "b": a * f, "c": f, "f": d}
    no_upstream = "you stopped at the local derivative: multiply it by the upstream gradient dL/de = f."
    # d where f belongs: L = d*f sends dL/dd = f (the other factor) down, not d itself
    d_upstream = "you multiplied by d, but the gradient arriving from L = d*f is dL/dd = f, the other factor."
    slips = {
        "a": ((a * f, "you used a, but the local derivative of a*b with respect to a is the other "
                      "factor, b."),
              (b, no_upstream),
              (b * d, d_upstream)),
        "b": ((b * f, "you used b, but the local derivative of a*b with respect to b is the other "
                      "factor, a."),
              (a, no_upstream),
              (a * d, d_upstream)),
        "c": ((1.0, "1 is only the local derivative of e + c; multiply by the upstream gradient "
                    "dL/dd = f."),
              (d, d_upstream)),
        "f": ((a * b, "dL/df is the other factor of the product, d = a*b + c, not just a*b."),
              (1.0, "dL/df is the other factor of the product d * f, so it is d, not 1."),
              (f, "dL/df is the other factor of the product d * f, so it is d, not f itself.")),
    }
    return want, slips


def _check_q1(*answers: Any) -> None:
    want, slips = _q1_numbers()
    _check_gradients(answers, want, slips)


q1 = Exercise(
    "q1 (backpropagation by hand)",
    _check_q1,
    hint="""Name the middle values as in the lesson: e = a*b, d = e + c, L = d*f. Start with dL/dL = 1,
then go backwards: for a product the local derivative is the other factor, for a sum it is 1,
and each gradient is local derivative x the gradient of the node above.""",
    solution="""
a, b, c, f = 3.0, -2.0, 8.0, 4.0
e = a * b              # -6.0
d = e + c              # 2.0
L = d * f              # 8.0
dL_dd = f              # 4.0   (L = d*f: the other factor)
dL_df = d              # 2.0
dL_de = 1.0 * dL_dd    # 4.0   (a sum passes the gradient on unchanged)
dL_dc = 1.0 * dL_dd    # 4.0
dL_da = b * dL_de      # -8.0
dL_db = a * dL_de      # 12.0
nb02.q1.check(dL_da, dL_db, dL_dc, dL_df)
""",
)


# ---------------------------------------------------------------------------
# q2: the backward step of *
# ---------------------------------------------------------------------------


class _Node:
    """A stand-in for a Value: just data and grad."""

    def __init__(self, data: float, grad: float = 0.0) -> None:
        self.data = data
        self.grad = grad


def _run(mul_backward: Any, a: _Node, b: _Node, out: _Node) -> Any:
    """Call the learner's function and make sure it left data and out.grad alone."""
    before = (a.data, b.data, out.data, out.grad)
    returned = mul_backward(a, b, out)
    if (a.data, b.data, out.data, out.grad) != before:
        raise NotYet("mul_backward changed a .data or out.grad: it should only add to a.grad and b.grad.")
    return returned


def _check_q2(mul_backward: Any) -> None:
    if not callable(mul_backward):
        raise NotYet(
            "mul_backward should be a function mul_backward(a, b, out), "
            f"got {type(mul_backward).__name__}: {mul_backward!r}."
        )
    # 1. fresh gradients: out = a * b with a = 2, b = -3 and an upstream gradient of 1.5
    a, b = _Node(2.0), _Node(-3.0)
    out = _Node(a.data * b.data, grad=1.5)
    returned = _run(mul_backward, a, b, out)
    want_a, want_b = b.data * out.grad, a.data * out.grad  # -4.5, 3.0
    got = (a.grad, b.grad)
    if got == (0.0, 0.0):
        message = "mul_backward did not change a.grad or b.grad."
        if returned is not None:
            message += f" It returned {returned!r} instead: it must change them in place."
        raise NotYet(message)
    if not (_close(a.grad, want_a) and _close(b.grad, want_b)):
        if _close(a.grad, a.data * out.grad) and _close(b.grad, b.data * out.grad):
            raise NotYet("the local derivatives are swapped: d(a*b)/da is b.data (the other factor), "
                         "and d(a*b)/db is a.data.")
        if _close(a.grad, b.data) and _close(b.grad, a.data):
            raise NotYet("you forgot the upstream gradient: multiply each local derivative by out.grad.")
        if _close(a.grad, -want_a) and _close(b.grad, -want_b):
            raise NotYet("the sign is flipped: a.grad should grow by b.data * out.grad, not shrink.")
        if _close(a.grad, 2 * want_a) and _close(b.grad, 2 * want_b):
            raise NotYet("both gradients are off by a factor of 2.")
        for name, value, want, other in (("a", a.grad, want_a, "b"), ("b", b.grad, want_b, "a")):
            if not _close(value, want):
                raise NotYet(
                    f"for a = 2, b = -3 and out.grad = 1.5, {name}.grad became {value:g}; it should grow "
                    f"by {other}.data * out.grad."
                )
    # 2. gradients that already hold something must grow, not be replaced
    a, b = _Node(2.0, grad=1.0), _Node(-3.0, grad=1.0)
    out = _Node(a.data * b.data, grad=1.5)
    _run(mul_backward, a, b, out)
    if _close(a.grad, want_a) and _close(b.grad, want_b):
        raise NotYet("you overwrote .grad with `=`: use `+=`, so that contributions from every place a "
                     "value is used add up.")
    if not (_close(a.grad, 1.0 + want_a) and _close(b.grad, 1.0 + want_b)):
        raise NotYet(f"when a.grad and b.grad start at 1, they should end at {1 + want_a:g} and "
                     f"{1 + want_b:g}; yours ended at {a.grad:g} and {b.grad:g}.")
    # 3. a value times itself: x * x must collect both contributions, 2 * x * out.grad
    x = _Node(3.0)
    out = _Node(x.data * x.data, grad=2.0)
    _run(mul_backward, x, x, out)
    if not _close(x.grad, 2 * x.data * out.grad):
        raise NotYet(f"for out = x * x with x = 3 and out.grad = 2, x.grad should be 12 (both factors are x, "
                     f"so both contributions add), but it is {x.grad:g}. Use `+=` for both updates.")


q2 = Exercise(
    "q2 (backward of *)",
    _check_q2,
    hint="""For out = a * b: d(out)/da = b and d(out)/db = a. Each input's gradient grows by its local
derivative times out.grad. Add with `+=`, and return nothing: the function changes a.grad and
b.grad in place.""",
    solution="""
def mul_backward(a, b, out):
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad

nb02.q2.check(mul_backward)
""",
)


# ---------------------------------------------------------------------------
# q3: a value used twice: M = (a*b) * (a + c)
# ---------------------------------------------------------------------------

Q3 = {"a": 2.0, "b": -3.0, "c": 10.0}


def _q3_numbers() -> tuple[dict[str, float], dict[str, tuple[tuple[float, str], ...]]]:
    a, b, c = Q3["a"], Q3["b"], Q3["c"]
    e, s = a * b, a + c  # M = e * s
    via_e, via_s = s * b, e * 1.0  # the two paths from a to M
    want = {"a": via_e + via_s, "b": s * a, "c": e}
    slips = {
        "a": ((via_e, "you counted only the path through a*b. a is also used in a + c: "
                      "add that path's contribution too."),
              (via_s, "you counted only the path through a + c. a is also used in a*b: "
                      "add that path's contribution too."),
              (via_e * via_s, "you multiplied the two contributions; contributions from the two "
                              "places a is used add.")),
        "b": ((s, "you stopped at dM/de = a + c: multiply by the local derivative de/db = a."),),
        "c": ((1.0, "1 is only the local derivative of a + c; multiply by the upstream gradient "
                    "dM/ds = a*b."),),
    }
    return want, slips


def _check_q3(*answers: Any) -> None:
    want, slips = _q3_numbers()
    _check_gradients(answers, want, slips)


q3 = Exercise(
    "q3 (a value used twice)",
    _check_q3,
    hint="""Name the parts e = a*b and s = a + c, so M = e * s. a feeds both e and s: find its
gradient along each path (local derivative x upstream gradient) and add the two.""",
    solution="""
a, b, c = 2.0, -3.0, 10.0
e = a * b                      # -6.0
s = a + c                      # 12.0
dM_de, dM_ds = s, e            # product: the other factor
dM_da = b * dM_de + 1.0 * dM_ds   # two paths add: -36 + (-6) = -42
dM_db = a * dM_de              # 24.0
dM_dc = 1.0 * dM_ds            # -6.0
nb02.q3.check(dM_da, dM_db, dM_dc)
""",
)
