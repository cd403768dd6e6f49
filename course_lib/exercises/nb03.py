"""Exercises for notebook 03 · tanh, exp and backpropagation.

- `q1`: the local derivative of sigmoid, as a function `dsigmoid(x)`
- `q2`: two gradients of f(x, y) = exp(x y) / y at x = 1, y = 2, by hand
- `q3`: one chain-rule step `push(node)`, which must accumulate
- `q4`: finish your own Value class (`**`, `-`, `/`, `exp`, `tanh`, `backward()`) in the closure
  style of notebook 02: `nb03.q4.check(MyValue)`. Once it passes, the check saves the class to
  `my_value.py` next to the notebook, and notebook 04 trains a network with it.
"""

from __future__ import annotations

import inspect
import linecache
import math
import numbers
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_lib.engine import Value
from course_lib.exercises import Exercise, NotYet, expect_close, reference_value
from course_lib.exercises.engine_check import check_engine


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _number(got: Any, what: str) -> float:
    """A float from the learner's answer (a Value counts by its data); `what` names it in messages."""
    if isinstance(got, Value):
        got = got.data
    if isinstance(got, numbers.Real) and not isinstance(got, bool):
        return float(got)
    raise NotYet(f"{what} should {'give' if '(' in what else 'be'} a number, "
                 f"got {type(got).__name__}: {got!r}")


# ---- q1: d sigmoid / dx ------------------------------------------------------------
Q1_POINTS = (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5)

# wrong formulas learners often write, each with what to tell them
Q1_MISTAKES: tuple[tuple[Callable[[float], float], str], ...] = (
    (lambda x: _sigmoid(x),
     "your function returns sigmoid(x) itself, the forward value. The derivative is a different "
     "function: sigmoid(x) * (1 - sigmoid(x))."),
    (lambda x: -_sigmoid(x) * (1 - _sigmoid(x)),
     "the sign is flipped: sigmoid only ever increases, so its slope is positive everywhere."),
    (lambda x: 1 - _sigmoid(x) ** 2,
     "that is tanh's pattern, 1 - (value)^2. For sigmoid the derivative is s * (1 - s) with s = sigmoid(x)."),
    (lambda x: x * (1 - x),
     "you used x where sigmoid(x) belongs: first compute s = sigmoid(x), then return s * (1 - s)."),
    # e^{-x} / (1 + e^{-x}) is the same function: this one entry covers both ways of writing it
    (lambda x: 1 - _sigmoid(x),
     "that is 1 - sigmoid(x) = e^{-x} / (1 + e^{-x}); you still need to multiply by sigmoid(x) "
     "(the chain rule through 1 / (1 + e^{-x}) gives e^{-x} / (1 + e^{-x})^2: the denominator squared)."),
)


def _check_q1(dsigmoid: Any) -> None:
    if not callable(dsigmoid):
        raise NotYet("q1 wants a function, like `def dsigmoid(x): ...`; "
                     f"you gave a {type(dsigmoid).__name__}.")
    got = [_number(dsigmoid(x), "dsigmoid(x)") for x in Q1_POINTS]
    want = [_sigmoid(x) * (1 - _sigmoid(x)) for x in Q1_POINTS]
    if all(math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-9) for g, w in zip(got, want)):
        # right at the fixed points; also at points nobody can know in advance (a table of the
        # seven answers would pass the fixed points alone)
        for x in (random.Random().uniform(-6.0, 6.0) for _ in range(5)):
            g, w = _number(dsigmoid(x), "dsigmoid(x)"), _sigmoid(x) * (1 - _sigmoid(x))
            if not math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-9):
                raise NotYet(f"your function is right at the usual test points but not at x = {x:.6g}: "
                             f"it gives {g:.6g} there. It must compute the slope for any x.")
        return
    for formula, message in Q1_MISTAKES:
        if all(math.isclose(g, formula(x), rel_tol=1e-6, abs_tol=1e-9) for g, x in zip(got, Q1_POINTS)):
            raise NotYet(message)
    if len(set(got)) == 1:
        raise NotYet(f"your function returns {got[0]:.6g} for every x; the derivative depends on x "
                     "(it is 0.25 at x = 0 and shrinks towards 0 on both sides).")
    x, g, w = next((x, g, w) for x, g, w in zip(Q1_POINTS, got, want)
                   if not math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-9))
    raise NotYet(f"at x = {x:g} your function gives {g:.6g}, but the slope of sigmoid there is {w:.6g}.")


q1 = Exercise(
    "q1",
    _check_q1,
    hint="Write s = sigmoid(x) = 1 / (1 + e^{-x}) and differentiate 1 / u with u = 1 + e^{-x}: "
    "d(1/u) = -u'/u^2, and u' = -e^{-x}. Then write the result using s only.",
    solution='''
import math

def dsigmoid(x):
    s = 1 / (1 + math.exp(-x))
    return s * (1 - s)   # e^{-x} / (1 + e^{-x})^2, rewritten with s
''',
)


# ---- q2: gradients of exp(x y) / y by hand -------------------------------------------
Q2_X, Q2_Y = 1.0, 2.0
_E2 = math.exp(Q2_X * Q2_Y)
Q2_DFDX = _E2  # y e^{xy} / y
Q2_DFDY = _E2 * (Q2_X * Q2_Y - 1) / Q2_Y**2  # x e^{xy} / y - e^{xy} / y^2


# A pen-and-paper answer is typed rounded: 7.389 or 7.39 for e^2 must pass. Three correct
# significant digits are enough (relative error below 2e-3); a wrong formula is off by far more.
Q2_ROUNDING = 2e-3


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=Q2_ROUNDING)


def _expect(name: str, got: float, want: float) -> None:
    """Accept a sensibly rounded answer; otherwise say what is off, never what the answer is."""
    if _close(got, want):
        return
    if math.isclose(got, want, rel_tol=0.03):
        raise NotYet(f"{name} = {got:g} is close, but rounded too much: give at least three "
                     "significant digits (you may use math.exp).")
    if _close(got, -want):
        raise NotYet(f"{name} = {got:g} has the right size but the sign is flipped.")
    for factor, words in ((2.0, "a factor of 2 too large"), (0.5, "a factor of 2 too small"),
                          (4.0, "a factor of 4 too large"), (0.25, "a factor of 4 too small")):
        if _close(got, factor * want):
            raise NotYet(f"{name} = {got:g} is off by {words}.")
    raise NotYet(f"{name} = {got:g} is not right yet. Write f = exp(xy) * y^-1 and differentiate "
                 "one factor at a time (see the hint).")


def _check_q2(dfdx: Any, dfdy: Any = None) -> None:
    if dfdy is None:
        raise NotYet("give both answers: nb03.q2.check(dfdx, dfdy).")
    dfdx, dfdy = _number(dfdx, "df/dx"), _number(dfdy, "df/dy")
    if _close(dfdx, Q2_DFDY) and _close(dfdy, Q2_DFDX):
        raise NotYet("your two numbers are swapped: pass df/dx first, then df/dy.")
    if _close(dfdx, _E2 / Q2_Y):
        raise NotYet(f"df/dx = {dfdx:g} is f itself. The chain rule through x*y multiplies "
                     "exp(xy) by d(xy)/dx = y, which then cancels the 1/y.")
    if _close(dfdx, Q2_Y * _E2):
        raise NotYet(f"df/dx = {dfdx:g}: you differentiated exp(xy) to y exp(xy) but dropped the "
                     "division by y that f still has.")
    _expect("df/dx", dfdx, Q2_DFDX)
    if _close(dfdy, Q2_X * _E2 / Q2_Y):
        raise NotYet(f"df/dy = {dfdy:g} only differentiates the numerator. y is also in the denominator: "
                     "add the term -exp(xy) / y^2 (quotient rule, or product rule on exp(xy) * y^-1).")
    if _close(dfdy, _E2 * (Q2_X * Q2_Y + 1) / Q2_Y**2):
        raise NotYet(f"df/dy = {dfdy:g}: the denominator's term has the wrong sign. "
                     "d(1/y)/dy = -1/y^2, so it is x exp(xy)/y - exp(xy)/y^2.")
    _expect("df/dy", dfdy, Q2_DFDY)


q2 = Exercise(
    "q2",
    _check_q2,
    hint="Write f = exp(x*y) * y**-1. For df/dx, y**-1 is a constant and d exp(xy)/dx = y exp(xy). "
    "For df/dy, y appears twice: use the product rule, with d(y**-1)/dy = -y**-2.",
    solution='''
import math
x, y = 1.0, 2.0
dfdx = y * math.exp(x * y) / y                            # = e^2, about 7.389
dfdy = x * math.exp(x * y) / y - math.exp(x * y) / y**2    # = e^2 / 4, about 1.847
nb03.q2.check(dfdx, dfdy)

# check with the engine:
# X, Y = Value(1.0), Value(2.0); f = (X * Y).exp() / Y; f.backward(); X.grad, Y.grad
''',
)


# ---- q3: one chain-rule step that accumulates ------------------------------------------
def _run_push(push: Callable, node: Value) -> None:
    before = node.grad
    push(node)
    if node.grad != before:
        raise NotYet(f"push changed node.grad itself (from {before:g} to {node.grad:g}); "
                     "it should only add to the children's .grad.")


class _Watched(Value):
    """A Value whose own chain-rule step refuses to run: q3 asks for that step, written by hand."""

    __slots__ = ()

    def _backward(self) -> None:
        raise NotYet("push calls course_lib's own node._backward(), which is exactly the step this "
                     "exercise asks you to write. Write it yourself with node._prev and node._local.")


def _check_q3(push: Any) -> None:
    if not callable(push):
        raise NotYet(f"q3 wants a function, like `def push(node): ...`; you gave a {type(push).__name__}.")
    # 1. two different children: is it local derivative x node.grad?
    a, b = _Watched(3.0), _Watched(-2.0)
    c = a * b
    c.grad = 5.0
    _run_push(push, c)
    if (a.grad, b.grad) == (-2.0, 3.0):
        raise NotYet("the children got only the local derivatives (b and a). The chain rule multiplies "
                     "them by node.grad: child.grad += local * node.grad.")
    if (a.grad, b.grad) == (5.0, 5.0):
        raise NotYet("the children got node.grad unchanged: you left out the local derivative. "
                     "Multiply by it: child.grad += local * node.grad, with local from node._local.")
    if (a.grad, b.grad) == (15.0, -10.0):
        raise NotYet("a and b got each other's share: pair node._prev with node._local in the same order, "
                     "e.g. zip(node._prev, node._local).")
    expect_close("for c = a * b with a = 3, b = -2, c.grad = 5: a.grad", a.grad, -10.0)
    expect_close("for c = a * b with a = 3, b = -2, c.grad = 5: b.grad", b.grad, 15.0)
    # 2. a node used twice: both contributions must arrive
    a = Value(3.0)
    twice = a + a
    twice.grad = 5.0
    _run_push(push, twice)
    if a.grad == 5.0:
        # overwritten (child.grad = ...) or pushed once per distinct child (a dict or set)? With a
        # gradient already in a, the first leaves 5 and the second 1 + 5.
        again = Value(3.0)
        again.grad = 1.0
        pair = again + again
        pair.grad = 5.0
        push(pair)
        if again.grad == 6.0:
            raise NotYet("for b = a + a with b.grad = 5, a.grad came out 5, not 10: a is a child twice, "
                         "but your push gave it one share (it visits each distinct child once: a dict or a "
                         "set?). Loop over zip(node._prev, node._local): a repeated child gets every share.")
        raise NotYet("for b = a + a with b.grad = 5, a.grad came out 5, not 10: a is a child twice, and the "
                     "second push overwrote the first. Accumulate: child.grad += ..., never child.grad = ...")
    expect_close("for b = a + a with b.grad = 5: a.grad", a.grad, 10.0)
    # 3. a child that already holds gradient from another path keeps it
    a = Value(0.5)
    a.grad = 1.0
    t = a.tanh()
    t.grad = 2.0
    _run_push(push, t)
    share = (1 - math.tanh(0.5) ** 2) * 2.0
    if math.isclose(a.grad, share):
        raise NotYet("a.grad already held 1.0 from another path, and your push replaced it. "
                     "Add to it: child.grad += local * node.grad.")
    expect_close("for t = tanh(a) with a.grad = 1 already and t.grad = 2: a.grad", a.grad, 1.0 + share)


q3 = Exercise(
    "q3",
    _check_q3,
    hint="node._prev holds the children and node._local their local derivatives, in the same order "
    "(a child used twice appears twice). Loop over both together and ADD local * node.grad to each child.",
    solution='''
def push(node):
    for child, local in zip(node._prev, node._local):
        child.grad += local * node.grad   # +=: a child may receive from several places
''',
)


# ---- q4: finish your own Value ----------------------------------------------------------------
SAVE_PATH = Path("my_value.py")  # next to the notebook (Jupyter runs a notebook in its own folder)

SAVED_HEADER = """\
# Your MyValue class from notebook 03, exercise 4, saved by nb03.q4.check() after it passed.
# Notebook 04 trains a network with it. Change the class in notebook 03 and check it again:
# the next passing check replaces this file.
import math


"""


def class_source(cls: type) -> str | None:
    """The source of a class defined in a notebook cell or a file, or None if Python cannot see it.

    `inspect.getsource` cannot find classes defined in a notebook, but their methods know the
    cell they came from (IPython keeps every cell's text in `linecache`).
    """
    methods = [f for f in vars(cls).values() if inspect.isfunction(f)]
    if not methods:
        return None
    code = methods[0].__code__
    lines = linecache.getlines(code.co_filename)
    header = re.compile(rf"\s*class\s+{re.escape(cls.__name__)}\b")
    starts = [i for i, line in enumerate(lines[: code.co_firstlineno]) if header.match(line)]
    if not starts:
        return None
    return "".join(inspect.getblock(lines[starts[-1]:]))


def _saved_alone_problem(text: str) -> str | None:
    """Why `text` (the file to save) would not give notebook 04 a working MyValue, or None.

    The class block is saved without the rest of its cell, so a helper function, an import or
    a method attached after the class is missing from the file: run it alone and check it."""
    namespace: dict[str, Any] = {"__name__": "my_value"}
    try:
        exec(compile(text, str(SAVE_PATH), "exec"), namespace)
        check_engine(namespace["MyValue"])
    except NotYet as wrong:
        return f"fails the check: {wrong}"
    except Exception as err:  # noqa: BLE001 - the learner's class, run alone: report, never crash
        return f"raises {type(err).__name__}: {err}"
    return None


def _is_ours(path: Path) -> bool:
    """`path` is a my_value.py this check wrote (it starts with SAVED_HEADER's first line)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return file.readline() == SAVED_HEADER.splitlines(keepends=True)[0]
    except OSError:
        return False


def _backup_name(path: Path) -> Path:
    """my_value.py.bak, or my_value.py.bak2, ...: a name no file has yet."""
    candidates = (path.with_name(f"{path.name}.bak{n if n > 1 else ''}") for n in range(1, 1000))
    return next(c for c in candidates if not c.exists())


def _save(text: str) -> str:
    """Write `text` to SAVE_PATH, keeping a copy of a file there that this check did not write.
    Returns what to add to the success message. OSError if it cannot be written."""
    kept = ""
    if SAVE_PATH.is_file() and not _is_ours(SAVE_PATH):
        backup = _backup_name(SAVE_PATH)
        SAVE_PATH.replace(backup)
        kept = f" Your own earlier {SAVE_PATH} was not written by this check: it is kept as {backup}."
    SAVE_PATH.write_text(text, encoding="utf-8")
    return kept


def _check_q4(cls: Any) -> None:
    check_engine(cls)
    source = class_source(cls)
    if source is None:
        print(f"(Could not find the source of {cls.__name__} to save it; notebook 04 will use the "
              "reference solution instead of your class.)")
        return
    alias = "" if cls.__name__ == "MyValue" else f"\n\nMyValue = {cls.__name__}\n"
    text = SAVED_HEADER + source + alias
    problem = _saved_alone_problem(text)
    if problem:
        print(f"Your class is right, but it was not saved to {SAVE_PATH}: only the class block is saved, "
              f"and on its own it {problem}\nPut the helpers and imports it uses inside the class, and "
              "define every method inside it; then check again. Until then notebook 04 uses the "
              "reference solution.")
        return
    try:
        kept = _save(text)
    except OSError as err:  # the folder, not the learner's code: the exercise still counts as passed
        print(f"Your class is right, but it could not be saved to {SAVE_PATH} ({err.strerror or err}), so "
              "notebook 04 will use the reference solution. Check that the notebook's folder is writable.")
        return
    print(f"Saved your class to {SAVE_PATH}: notebook 04 trains a network with it.{kept}")


q4 = Exercise(
    "q4",
    _check_q4,
    hint="One operation at a time, each like __mul__ in notebook 02: compute out, then define _backward, "
    "which ADDS local derivative * out.grad to each input's grad, and set out._backward = _backward. "
    "Local derivatives: x**n -> n * x**(n - 1); exp -> out.data; tanh -> 1 - t**2 with t = out.data. "
    "-, / need no closure of their own: -x = x * -1, x - y = x + (-y), x / y = x * y**-1. "
    "backward(): build the topological order (visit a node's children before appending the node, "
    "each node once), set self.grad = 1, then call _backward() on every node in reversed order.",
    solution="import math\n\n\n" + inspect.getsource(reference_value.MyValue)
    + "\n# the same class, with comments: course_lib/exercises/reference_value.py",
)
