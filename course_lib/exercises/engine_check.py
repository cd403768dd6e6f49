"""Check a learner's own Value class (notebook 03, exercise 4) against `course_lib.Value`.

`check_engine(cls)` raises `NotYet` with a specific message, or returns if the class is right:

1. every operation alone (`+ * ** - / exp tanh`, also with plain numbers): the forward number,
   then its `_backward` closure, run by a correct backward pass of ours, so a mistake in one
   operation is reported for that operation, not as a mysterious wrong gradient later;
2. the learner's `backward()` on four graphs (a neuron, a value used on two paths, tanh from
   exp, a small loss): every labelled node's gradient against `course_lib.Value`'s, naming the
   first node from the output that differs. When a typical `backward()` mistake (no seed,
   forward order, no visited set, ...) explains the numbers exactly, the message says which.

The learner's class is used only through `data`, `grad`, `_prev`, `_backward` and `backward`,
so any layout in the style of notebook 02 passes (`_prev` may be a tuple or a set).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from course_lib.engine import Value
from course_lib.exercises import NotYet

SEED_GRAD = 2.5  # out.grad when an operation is tested alone: 1 would hide a missing "* out.grad"
START_GRAD = 0.5  # x.grad before the backward step: "=" instead of "+=" would erase it


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-10)


def _nodes(out: Any, text: str = "") -> list:
    """Every node under `out`, each after its children (iterative: no recursion limit), by identity.

    A child that is not a node (a number listed in _prev) is the learner's slip: NotYet names it,
    with `text`, the expression being checked."""
    order, seen, stack = [], {id(out)}, [(out, iter(out._prev))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if not hasattr(child, "_prev"):
                where = f"`{text}`: " if text else ""
                raise NotYet(f"{where}a node made by {getattr(node, '_op', '?')!r} lists {child!r}, a "
                             f"{type(child).__name__}, among its children (_prev): _prev may only hold "
                             "values of your class, never plain numbers.")
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _run_backward_steps(nodes: list, text: str = "") -> None:
    """Call each node's `_backward` in the given order (leaves may have none)."""
    for node in nodes:
        step = getattr(node, "_backward", None)
        if step is None:
            if node._prev:
                where = f"`{text}`: " if text else ""
                raise NotYet(f"{where}a node made by {getattr(node, '_op', '?')!r} has no _backward: set "
                             "out._backward = _backward before returning out.")
            continue
        step()


# ---- 1. one operation at a time -------------------------------------------------------------
# (expression, method the learner writes, build(x, y)); x = 1.5 and y = -0.8 unless noted
X, Y = 1.5, -0.8
OPERATIONS: tuple[tuple[str, str, Callable[[Any, Any], Any]], ...] = (
    ("x + y", "__add__", lambda x, y: x + y),
    ("x * y", "__mul__", lambda x, y: x * y),
    ("x * 2", "__mul__", lambda x, y: x * 2),
    ("2 * x", "__rmul__", lambda x, y: 2 * x),
    ("2 + x", "__radd__", lambda x, y: 2 + x),
    ("x ** 3", "__pow__", lambda x, y: x**3),
    ("x ** -1", "__pow__", lambda x, y: x**-1),
    ("x ** 0.5", "__pow__", lambda x, y: x**0.5),
    ("x.exp()", "exp", lambda x, y: x.exp()),
    ("x.tanh()", "tanh", lambda x, y: x.tanh()),
    ("-x", "__neg__", lambda x, y: -x),
    ("x - y", "__sub__", lambda x, y: x - y),
    ("x - 1", "__sub__", lambda x, y: x - 1),
    ("1 - x", "__rsub__", lambda x, y: 1 - x),
    ("x / y", "__truediv__", lambda x, y: x / y),
    ("x / 2", "__truediv__", lambda x, y: x / 2),
    ("2 / x", "__rtruediv__", lambda x, y: 2 / x),
)

# wrong local derivatives of x that learners really write, with what to tell them
LOCAL_MISTAKES: dict[str, tuple[tuple[Callable[[float, float], float], str], ...]] = {
    "x ** 3": ((lambda x, t: 3 * x**3, "the power rule lowers the exponent by one: n * x**(n - 1)."),
               (lambda x, t: x**2, "the power rule needs the factor n in front: n * x**(n - 1)."),
               (lambda x, t: t, "that is the output itself (exp's rule); for x**n it is n * x**(n - 1).")),
    "x.exp()": ((lambda x, t: x, "you used the input, self.data. The slope of e^x is e^x itself: "
                                 "out.data."),
                (lambda x, t: 1.0, "the local derivative of exp is not 1: it is e^x, the output out.data.")),
    "x.tanh()": ((lambda x, t: 1 - x**2, "you squared the input. It is 1 - t**2 with t = tanh(x), "
                                         "the output."),
                 (lambda x, t: 1 - t, "tanh's slope is 1 - t**2: the output t must be squared."),
                 (lambda x, t: t**2 - 1, "the sign is flipped: 1 - t**2, which is positive."),
                 (lambda x, t: 1 - math.tanh(t) ** 2, "you applied tanh twice: out.data is already tanh(x), "
                                                       "so the slope is 1 - out.data**2.")),
}


def _expect_number(node: Any, what: str) -> None:
    """NotYet unless node.data is a plain number (a value of the class stored as data is a slip)."""
    data = getattr(node, "data", None)
    if not isinstance(data, numbers.Real) or isinstance(data, bool):
        hint = " (its .data)" if hasattr(data, "data") else ""
        raise NotYet(f"{what} gives data that is a {type(data).__name__}, not a number: store the "
                     f"number itself{hint} in .data.")


def _check_operation(cls: type, text: str, method: str, build: Callable) -> None:
    x, y = cls(X), cls(Y)
    try:
        out = build(x, y)
    except NotImplementedError:
        raise NotYet(f"`{text}` does not work yet: {method} still raises NotImplementedError. "
                     "Replace its TODO with your code.") from None
    except (AttributeError, TypeError) as err:
        raise NotYet(f"`{text}` does not work yet with your class ({type(err).__name__}: {err}). "
                     f"Write {method}.") from None
    if isinstance(out, Value):
        raise NotYet(f"`{text}` gave a course_lib Value, not a {cls.__name__}: your class must build its "
                     "results from itself only. Mixing the two engines in one graph does not work.")
    if not isinstance(out, cls):
        missing = f" (does {method} end with `return out`?)" if out is None else ""
        raise NotYet(f"`{text}` should give a {cls.__name__}, got {type(out).__name__}: {out!r}{missing}.")
    rx, ry = Value(X), Value(Y)
    ref = build(rx, ry)
    ref.backward()
    _expect_number(out, f"`{text}`")
    if not _close(out.data, ref.data):
        point = f"x = {X}, y = {Y}" if "y" in text else f"x = {X}"
        raise NotYet(f"`{text}` at {point} gives data {out.data!r}; it should be {ref.data:.6g}.")
    # the learner's _backward closures, run by a correct backward pass
    nodes = _nodes(out, text)
    for node in nodes:
        node.grad = 0.0
    x.grad = y.grad = START_GRAD
    out.grad = SEED_GRAD
    _run_backward_steps(reversed(nodes), text)
    got = x.grad - START_GRAD  # what the backward step added to x.grad
    want = rx.grad * SEED_GRAD  # d(out)/dx times out.grad
    if _close(got, want) and _close(y.grad - START_GRAD, ry.grad * SEED_GRAD):
        return
    name, gave = ("x", got) if not _close(got, want) else ("y", y.grad - START_GRAD)
    want, local = ((want, rx.grad) if name == "x" else (ry.grad * SEED_GRAD, ry.grad))
    point = f"x = {X}, y = {Y}" if "y" in text else f"x = {X}"
    start = f"For `{text}` at {point}, with out.grad = {SEED_GRAD:g}, your backward step"
    t = ref.data
    for wrong, message in LOCAL_MISTAKES.get(text, ()):
        if name == "x" and _close(gave, wrong(X, t) * SEED_GRAD):
            raise NotYet(f"{start} uses the wrong local derivative: {message}")
    if not any(node is (x if name == "x" else y) for node in nodes):
        raise NotYet(f"`{text}`: the result is not connected to {name}: following _prev from it never "
                     f"reaches {name}, so no gradient can flow back. Build it from {name}'s own operations "
                     "(e.g. -x = x * -1) or list it among the children.")
    if _close(gave, 0.0) and not _close(want, 0.0):
        target = "self" if name == "x" else "other"
        raise NotYet(f"{start} left {name}.grad unchanged: write its _backward (still a TODO?), which "
                     f"must add to {target}.grad, and set out._backward = _backward.")
    if _close(gave, want - START_GRAD):
        raise NotYet(f"{start} replaced {name}.grad instead of adding to it: it held {START_GRAD:g} "
                     "from another path, and that is lost. Use +=, never =.")
    if _close(gave, local):
        raise NotYet(f"{start} added the local derivative alone. The chain rule multiplies it by "
                     "the upstream gradient: += local * out.grad.")
    if _close(gave, -want):
        raise NotYet(f"{start} has the sign of {name}'s gradient flipped.")
    raise NotYet(f"{start} added {gave:.6g} to {name}.grad; it should add local derivative x out.grad "
                 f"= {local:.6g} x {SEED_GRAD:g} = {want:.6g}.")


# ---- 2. backward() on whole graphs ------------------------------------------------------------
def _named(node: Any, label: str) -> Any:
    node.label = label
    return node


def _neuron(V: type) -> tuple[Any, list]:
    x1, x2, w1, w2, b = (_named(V(v), n) for v, n in
                         ((2.0, "x1"), (0.0, "x2"), (-3.0, "w1"), (1.0, "w2"), (6.8813735870195432, "b")))
    x1w1, x2w2 = _named(x1 * w1, "x1*w1"), _named(x2 * w2, "x2*w2")
    n = _named(x1w1 + x2w2 + b, "n")
    o = _named(n.tanh(), "o")
    return o, [o, n, x2w2, x1w1, b, w2, x2, w1, x1]


def _two_paths(V: type) -> tuple[Any, list]:
    a, b = _named(V(-2.0), "a"), _named(V(3.0), "b")
    d, e = _named(a * b, "d"), _named(a + b, "e")
    f = _named(d * e, "f")
    return f, [f, e, d, b, a]


def _tanh_from_exp(V: type) -> tuple[Any, list]:
    n = _named(V(0.5), "n")
    e = _named((2 * n).exp(), "e")
    top, bottom = _named(e - 1, "e - 1"), _named(e + 1, "e + 1")
    o = _named(top / bottom, "o")
    return o, [o, bottom, top, e, n]


def _small_loss(V: type) -> tuple[Any, list]:
    w1, w2, b = _named(V(0.3), "w1"), _named(V(-0.7), "w2"), _named(V(0.1), "b")
    samples = ((1.0, 2.0, 1.0), (-1.0, 0.5, -1.0), (2.0, -1.0, 1.0))
    loss = _named(sum(((w1 * x1 + w2 * x2 + b).tanh() - y) ** 2 for x1, x2, y in samples), "loss")
    return loss, [loss, b, w2, w1]


GRAPHS = (
    ("the neuron o = tanh(x1*w1 + x2*w2 + b)", _neuron),
    ("f = (a*b) * (a+b), where a and b each reach f along two paths", _two_paths),
    ("tanh from exp, o = (e - 1)/(e + 1) with e = exp(2n) used twice", _tanh_from_exp),
    ("a loss, sum of (tanh(w1*x1 + w2*x2 + b) - y)**2 over three samples", _small_loss),
)


def _without_visited(out: Any) -> list:
    """The order a depth-first walk gives without a visited set: shared nodes appear repeatedly."""
    order = []

    def visit(node):
        for child in node._prev:
            visit(child)
        order.append(node)

    visit(out)
    return order


def _preorder(out: Any) -> list:
    """Pre-order: each node listed before its children, the order walked as is."""
    order, seen, stack = [], set(), [out]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            stack.extend(reversed(list(node._prev)))
    return order


# backward() as learners really get it wrong: (the order of _backward calls, seed?, message)
BACKWARD_MISTAKES: tuple[tuple[Callable[[Any], list], bool, str], ...] = (
    (lambda out: list(reversed(_nodes(out))), False,
     "backward() must start with self.grad = 1 (d out / d out = 1); without that seed every "
     "gradient stays 0."),
    # walking the order forwards and running only the output's step give the same numbers:
    # everything before the output pushes a zero gradient
    (lambda out: [out], True,
     "only the output's own inputs got a gradient: backward() either walks the topological order "
     "forwards (inputs first, so each node pushes before its own gradient is complete) or only runs "
     "the output's _backward(). Call _backward() on every node, output first: for node in reversed(order)."),
    (lambda out: list(reversed(_without_visited(out))), True,
     "some nodes ran _backward() more than once, so their share arrived twice: a value used in two "
     "places is reached along two paths. Keep a set of visited nodes and add each node to the order once."),
    (_preorder, True,
     "your order lists a node before all of its users have pushed: a node is added to the order when "
     "it is first reached (as a breadth-first walk, or a depth-first one that appends before visiting "
     "the children, does). Append a node only after visiting all of its children, then walk the "
     "order reversed."),
)


def _diagnose_backward(out: Any) -> str | None:
    """Which typical backward() mistake reproduces the learner's gradients, if any."""
    nodes = _nodes(out)
    theirs = [node.grad for node in nodes]
    for order_of, seed, message in BACKWARD_MISTAKES:
        for node in nodes:
            node.grad = 0.0
        if seed:
            out.grad = 1.0
        _run_backward_steps(order_of(out))
        if all(_close(node.grad, g) for node, g in zip(nodes, theirs)):
            return message
    return None


def _check_graph(cls: type, description: str, build: Callable) -> None:
    out, mine = build(cls)
    if not callable(getattr(out, "backward", None)):
        raise NotYet("your class has no backward() method yet: write it (see the hint).")
    try:
        out.backward()
    except NotImplementedError:
        raise NotYet("backward() still raises NotImplementedError: replace its TODO with your code.") \
            from None
    ref_out, ref = build(Value)
    ref_out.backward()
    for node, want in zip(mine, ref):  # from the output down: the first difference is the cause
        _expect_number(node, f"in {description}, node '{want.label}'")
        if not isinstance(node.grad, numbers.Real):
            raise NotYet(f"in {description}, node '{want.label}' has a gradient that is a "
                         f"{type(node.grad).__name__}, not a number: .grad must hold a plain number.")
        if not _close(node.data, want.data):
            raise NotYet(f"in {description}, node '{want.label}' has data {node.data:.6g}, expected "
                         f"{want.data:.6g}: check the forward computation of that operation.")
        if not _close(node.grad, want.grad):
            where = (f"in {description}, the first node (from the output) with a wrong gradient is "
                     f"'{want.label}': your backward() gives {node.grad:.6g}, course_lib.Value gives "
                     f"{want.grad:.6g}.")
            cause = _diagnose_backward(out) or (
                "Your operations pass their own checks, so look at backward(): seed self.grad = 1, "
                "build the topological order with a visited set, and call _backward() on every node "
                "in reverse order.")
            raise NotYet(f"{where} {cause}")


def check_engine(cls: Any) -> None:
    """Raise NotYet with what to fix, unless `cls` gives course_lib.Value's numbers everywhere."""
    if not isinstance(cls, type):
        raise NotYet(f"pass your class itself, e.g. nb03.q4.check(MyValue); you gave a {type(cls).__name__}.")
    if issubclass(cls, Value):
        raise NotYet("that is course_lib's Value (or built on it). Pass your own class, MyValue: the "
                     "check compares it with course_lib.Value, so it must not be the same engine.")
    for text, method, build in OPERATIONS:
        _check_operation(cls, text, method, build)
    for description, build in GRAPHS:
        _check_graph(cls, description, build)
