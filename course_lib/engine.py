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
  so graphs a million operations deep work.
"""

from __future__ import annotations

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
    raise TypeError(
        f"{context} needs a real number (int, float or NumPy scalar), "
        f"got {type(x).__name__}: {x!r}"
    )


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
        self._op = _op
        # d(self)/d(child) for each child; ones when built by hand as in the blog posts
        self._local: tuple[float, ...] = (1.0,) * len(self._prev)

    def _result(self, data: float, children: tuple, op: str, local: tuple) -> Value:
        """Make an output node; skips __init__'s checks because data is already a float."""
        out = Value.__new__(Value)
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
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero in {self.data!r} / {other.data!r}")
        inv = 1.0 / other.data  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return self._result(self.data * inv, (self, other), "/", (inv, -self.data * inv * inv))

    def __neg__(self) -> Value:
        return self._result(-self.data, (self,), "neg", (-1.0,))  # d(-a) = -1

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _power(self, other)
        n, x = _as_float(other, "**"), self.data
        if x == 0 and n < 0:
            raise ZeroDivisionError(f"0 ** {n!r}: zero cannot be raised to a negative power")
        if x < 0 and n != int(n):
            raise ValueError(f"{x!r} ** {n!r}: a negative base needs a whole-number exponent")
        out = _checked_pow(x, n)
        # d(x^n) = n x^(n-1); at x = 0 with 0 < n < 1 the slope is infinite
        local = n * x ** (n - 1) if (x != 0 or n >= 1) else (math.inf if n > 0 else 0.0)
        return self._result(out, (self,), f"**{n:g}", (local,))

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
        x = self.data
        return self._result(x if x > 0 else 0.0, (self,), "ReLU", (1.0 if x > 0 else 0.0,))  # slope 1 or 0

    # ---- backpropagation ----------------------------------------------------
    def _backward(self) -> None:
        """Pass this node's gradient to its children (one step of the chain rule)."""
        for child, local in zip(self._prev, self._local):
            child.grad += local * self.grad

    def topological_order(self) -> list[Value]:
        """Every node of the graph, each after all of the nodes it depends on."""
        order: list[Value] = []
        seen = {self}
        stack = [(self, iter(self._prev))]  # each node with the children still to visit
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:  # go one level deeper first
                    seen.add(child)
                    stack.append((child, iter(child._prev)))
                    break
            else:  # all children placed: the node itself can go
                stack.pop()
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

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g}{label})"


def _power(base: Value, exponent: Value) -> Value:
    """base ** exponent when the exponent is a Value too: needs a positive base."""
    a, b = base.data, exponent.data
    if a <= 0:
        raise ValueError(
            f"{a!r} ** Value({b!r}): with a Value exponent the base must be positive, "
            "because the gradient with respect to the exponent uses log(base)"
        )
    out = _checked_pow(a, b)
    # d(a^b)/da = b a^(b-1);  d(a^b)/db = a^b ln a
    return base._result(out, (base, exponent), "**", (b * a ** (b - 1), out * math.log(a)))


def _checked_pow(x: float, n: float) -> float:
    """x ** n, with an error that says which power was too large."""
    try:
        return x**n
    except OverflowError:
        raise OverflowError(f"{x!r} ** {n!r} is too large for a float") from None
