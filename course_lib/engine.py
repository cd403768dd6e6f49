"""A scalar that remembers how it was computed, so it can compute gradients.

Every operation on a `Value` does two things:

1. compute the output number (the forward pass), and
2. record, for each input, the *local derivative* d(output)/d(input).

`backward()` then walks the graph from the output back to the leaves and applies
the chain rule: each input's gradient grows by local derivative x output gradient.

Design notes (why it looks the way it does):
- Local derivatives are stored as plain numbers in `_local`, not as closures.
  A closure that captures its own output node forms a reference cycle, and
  cycles are only freed by Python's slow cyclic garbage collector. Without
  cycles, a graph is freed the moment the last reference to it goes away.
- `__slots__` keeps each node small; `_prev` is a tuple, so `b = a + a`
  correctly lists `a` twice and `a` receives both contributions.
- The topological order is built with an explicit stack, not recursion,
  so graphs a million operations deep work. For the same reason copying
  (`copy.deepcopy`) and `pickle` walk the graph with a loop, not recursion.

Numbers that do not fit in a float (one policy for every operation):
- Bad input raises an error that says what went wrong: `log(0)`, `1 / 0`,
  `(-8) ** 0.5` and a result too large for a float from ordinary finite inputs
  (`Value(1e308) * 10`, `exp(800)`, `10 ** 400`) all raise, naming the operation.
  A silent `inf` would only turn into a confusing `nan` a few steps later.
- An `inf` or `nan` that is already in the graph (you put it there) flows on as
  it does in IEEE arithmetic and in PyTorch: `Value(nan).relu()` is nan.
- Gradients follow PyTorch: a local derivative that is too large becomes
  `inf` (the slope of x ** -1 at 1e-300), and `backward()` never raises for it.
  `course_lib.gradcheck` flags any `inf` or `nan` gradient as wrong.

Adding your own operation (the extension point): make the output node and
give it one local derivative per child, in the order of its children:

    def sin(x):
        out = Value(math.sin(x.data), (x,), "sin")
        out._local = (math.cos(x.data),)  # d sin(x) / dx
        return out

A node built by hand gets local derivatives of 1 only for "+" (as in the
lectures); for any other operation `backward()` refuses until `_local` is set.
Subclasses of `Value` keep their class through every operation, so a method
such as `def sin(self): return self._result(math.sin(self.data), (self,), "sin",
(math.cos(self.data),))` works on their results too.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Iterable

Number = int | float


def _as_float(x: object, context: str) -> float:
    """Convert a plain number (including NumPy scalars) to float, or raise TypeError."""
    if type(x) is float:  # fast path: by far the most common case
        return x
    if isinstance(x, numbers.Real):
        return float(x)
    if isinstance(x, Value):  # Value(v) with v a Value: only its number can be wrapped
        raise TypeError(f"{context} needs a number, got the Value {x!r}: use its number, v.data")
    if hasattr(x, "data") and hasattr(x, "_prev"):  # a Value, but of another class
        raise TypeError(
            f"{context}: two different Value classes are mixed: {_class_name(x)} and "
            f"course_lib's {_class_name(Value)}. This happens when a notebook defines its own "
            "class Value, or after importlib.reload / autoreload. Build all the values with one "
            "class: re-run the cells that create them (or restart the kernel)."
        )
    raise TypeError(
        f"{context} needs a real number (int, float or NumPy scalar), "
        f"got {type(x).__name__}: {x!r}"
    )


def _class_name(x: object) -> str:
    cls = x if isinstance(x, type) else type(x)
    return f"{cls.__module__}.{cls.__qualname__}"


class Value:
    """A scalar node in a computation graph, with its gradient."""

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local")

    def __init__(
        self,
        data: Number,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        self.data = data if type(data) is float else _as_float(data, "Value()")
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)
        for child in self._prev:
            if not isinstance(child, Value):
                raise TypeError(
                    f"Value(): the child {child!r} is a {type(child).__name__}, not a Value: list the "
                    "Value itself (x), not its number (x.data), among the children."
                )
        self._op = _op
        # d(self)/d(child) for each child. Built by hand, only "+" has known slopes (all 1,
        # as in the lectures); for other ops the builder must set _local, or backward() refuses.
        self._local: tuple[float, ...] = (1.0,) * len(self._prev) if _op == "+" else ()

    def _result(self, data: float, children: tuple, op: str, local: tuple) -> Value:
        """Make an output node (of this node's class); skips __init__'s checks on `data`."""
        # + - * / overflow to inf silently in Python; exp and ** raise by themselves
        if data - data != 0.0 and op in ("+", "-", "*", "/") and all(math.isfinite(c.data) for c in children):
            a, b = children
            raise OverflowError(
                f"{a.data!r} {op} {b.data!r} is too large for a float (the largest is about 1.8e308): "
                "the numbers in your graph have grown out of range (is a learning rate too large?)"
            )
        out = object.__new__(type(self))
        out.data, out.grad, out.label = data, 0.0, ""
        out._prev, out._op, out._local = children, op, local
        return out

    # ---- arithmetic -------------------------------------------------------
    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(_as_float(other, "+"))
        return self._result(self.data + other.data, (self, other), "+", (1.0, 1.0))  # d(a+b) = 1, 1

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(_as_float(other, "*"))
        # d(ab)/da = b, d(ab)/db = a
        return self._result(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __sub__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(_as_float(other, "-"))
        return self._result(self.data - other.data, (self, other), "-", (1.0, -1.0))  # d(a-b) = 1, -1

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(_as_float(other, "/"))
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(f"division by zero in {a!r} / {b!r}")
        out = a / b  # exactly Python's a / b (a * (1/b) can be one rounding off)
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b (no b*b, which can underflow to 0)
        return self._result(out, (self, other), "/", (1.0 / b, -out / b))

    def __neg__(self) -> Value:
        return self._result(-self.data, (self,), "neg", (-1.0,))  # d(-a) = -1

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _power(self, other)
        n = _as_float(other, "**")
        out, local = _pow_and_slope(self.data, n)
        return self._result(out, (self,), f"**{n:g}", (local,))  # d(x^n) = n x^(n-1)

    def __rpow__(self, base: Number) -> Value:  # number ** Value
        return _power(Value(_as_float(base, "**")), self)

    # number (op) Value: addition and multiplication commute; the rest do not
    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return Value(_as_float(other, "-")) - self

    def __rtruediv__(self, other: Number) -> Value:
        return Value(_as_float(other, "/")) / self

    # ---- functions ----------------------------------------------------------
    def tanh(self) -> Value:
        t = math.tanh(self.data)  # stable for any input: tanh(1000) is exactly 1.0
        return self._result(t, (self,), "tanh", (1.0 - t * t,))  # d tanh = 1 - tanh^2

    def sigmoid(self) -> Value:
        x = self.data
        if x >= 0:  # pick the form whose exp() cannot overflow
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return self._result(s, (self,), "sigmoid", (s * (1.0 - s),))  # d sigma = sigma (1 - sigma)

    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) is too large for a float (the largest input is about 709.78)"
            ) from None
        return self._result(e, (self,), "exp", (e,))  # d e^x = e^x

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log({self.data!r}) is undefined: log needs a positive input")
        return self._result(math.log(self.data), (self,), "log", (1.0 / self.data,))  # d ln x = 1/x

    def relu(self) -> Value:
        x = self.data  # written with <= so that nan stays nan, as in PyTorch
        return self._result(0.0 if x <= 0 else x, (self,), "ReLU", (0.0 if x <= 0 else 1.0,))  # slope 0 or 1

    # ---- backpropagation ----------------------------------------------------
    def _backward(self) -> None:
        """Pass this node's gradient to its children (one step of the chain rule)."""
        _check_local(self)
        for child, local in zip(self._prev, self._local):
            child.grad += local * self.grad

    def topological_order(self) -> list[Value]:
        """Every node of the graph, each after all of the nodes it depends on."""
        order: list[Value] = []
        # by id(), not by hash: a subclass may define __eq__ (and so lose its hash)
        seen = {id(self)}
        on_path = {id(self)}  # nodes whose children are still being visited: meeting one again is a cycle
        stack = [(self, iter(self._prev))]  # each node with the children still to visit
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) not in seen:  # go one level deeper first
                    seen.add(id(child))
                    on_path.add(id(child))
                    stack.append((child, iter(child._prev)))
                    break
                if id(child) in on_path:
                    raise ValueError(
                        f"the graph has a cycle: {child!r} depends on itself, so it has no "
                        "gradient. A node's _prev may only list values computed before it."
                    )
            else:  # all children placed: the node itself can go
                stack.pop()
                on_path.discard(id(node))
                if len(node._local) != len(node._prev):
                    _check_local(node)
                order.append(node)
        return order

    def backward(self) -> None:
        """Fill in `.grad` of every node with d(self)/d(node).

        Like PyTorch, leaf gradients *accumulate*: calling `backward()` twice without
        resetting `.grad` to 0 (e.g. with `zero_grad()`) doubles them. Intermediate
        nodes are reset first, so they always show this pass's gradient.
        """
        order = self.topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):
            g = node.grad
            for child, local in zip(node._prev, node._local):
                child.grad += local * g

    # ---- copying and saving, without recursion (see the design notes) -------
    def __deepcopy__(self, memo: dict) -> Value:
        for node in _order_skipping(self, memo):  # children before parents
            twin = object.__new__(type(node))
            twin.data, twin.grad, twin.label = node.data, node.grad, node.label
            twin._prev = tuple(memo[id(child)] for child in node._prev)
            twin._op, twin._local = node._op, node._local
            memo[id(node)] = twin
            if hasattr(node, "__dict__"):  # a subclass's own attributes
                twin.__dict__.update(copy.deepcopy(node.__dict__, memo))
        return memo[id(self)]

    def __reduce__(self) -> tuple:
        """Pickle a result as its leaves plus a flat table of the nodes computed from them.

        The leaves stay shared with everything else pickled alongside; the computed nodes
        are rebuilt for this output (two outputs that share one get a copy each).
        """
        if not self._prev:
            return (_leaf, (type(self), self.data, self.grad, self.label, _own_attributes(self)))
        order = self.topological_order()
        leaves = [node for node in order if not node._prev]
        index = {id(node): i for i, node in enumerate(order)}
        table = [(type(n), n.data, n.grad, n.label, n._op, n._local, [index[id(c)] for c in n._prev],
                  _own_attributes(n)) for n in order if n._prev]
        return (_graph, (leaves, [index[id(n)] for n in leaves], table))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g}{label})"


def _check_local(node: Value) -> None:
    """Refuse a hand-built node whose local derivatives do not match its children."""
    if len(node._local) != len(node._prev):
        raise ValueError(
            f"the node {node!r} (op {node._op!r}) has {len(node._prev)} children but "
            f"{len(node._local)} local derivatives, so backward() cannot pass gradients through it. "
            "A node built by hand needs out._local = (d out/d child, ...), one per child in _prev."
        )


def _order_skipping(root: Value, memo: dict) -> list[Value]:
    """Topological order of the nodes under `root` that are not yet in `memo`."""
    order, seen, stack = [], set(), [(root, iter(root._prev))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in memo and id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _own_attributes(node: Value) -> dict | None:
    """The instance attributes a subclass added (its __dict__), for copy and pickle."""
    return dict(node.__dict__) if getattr(node, "__dict__", None) else None


def _leaf(cls: type, data: float, grad: float, label: str, attributes: dict | None = None) -> Value:
    node = object.__new__(cls)
    node.data, node.grad, node.label, node._prev, node._op, node._local = data, grad, label, (), "", ()
    if attributes:
        node.__dict__.update(attributes)
    return node


def _graph(leaves: list[Value], positions: list[int], table: list[tuple]) -> Value:
    """Rebuild a pickled graph: the leaves go to their positions, each other node follows."""
    nodes: list[Value | None] = [None] * (len(leaves) + len(table))
    for leaf, i in zip(leaves, positions):
        nodes[i] = leaf
    row = iter(table)
    for i, slot in enumerate(nodes):
        if slot is None:
            cls, data, grad, label, op, local, children, attributes = next(row)
            node = _leaf(cls, data, grad, label, attributes)
            node._prev, node._op, node._local = tuple(nodes[c] for c in children), op, local
            nodes[i] = node
    return nodes[-1]


def _pow_and_slope(x: float, n: float) -> tuple[float, float]:
    """x ** n and its slope n x^(n-1), with clear errors where the power is undefined."""
    if x == 0 and n < 0:
        raise ZeroDivisionError(f"0 ** {n!r}: zero cannot be raised to a negative power")
    if x < 0 and math.isfinite(n) and not n.is_integer():
        raise ValueError(f"{x!r} ** {n!r}: a negative base needs a whole-number exponent")
    out = _checked_pow(x, n)
    if x == 0:  # the slope of x^n at 0: 1 for n = 1, 0 for n > 1 or n = 0, infinite for 0 < n < 1
        return out, (1.0 if n == 1 else 0.0 if (n > 1 or n == 0) else math.inf if n > 0 else math.nan)
    try:
        slope = n * x ** (n - 1)
    except OverflowError:  # only the slope is out of range: it is infinite, as in PyTorch
        odd = x < 0 and (n - 1) % 2 == 1
        slope = math.copysign(math.inf, -n if odd else n)
    return out, slope


def _power(base: Value, exponent: Value) -> Value:
    """base ** exponent when the exponent is a Value too."""
    a, b = base.data, exponent.data
    out, slope = _pow_and_slope(a, b)
    # d(a^b)/db = a^b ln a. At a = 0 it is 0 (a^b stays 0); for a < 0, a^b exists only at
    # whole-number b, so there is no slope in b: nan, as in PyTorch.
    d_exponent = out * math.log(a) if a > 0 else (0.0 if a == 0 else math.nan)
    return base._result(out, (base, exponent), "**", (slope, d_exponent))


def _checked_pow(x: float, n: float) -> float:
    """x ** n, with an error that says which power was too large."""
    try:
        return x**n
    except OverflowError:
        raise OverflowError(f"{x!r} ** {n!r} is too large for a float") from None
