"""A solution to notebook 03's big exercise: the `Value` of notebook 02, finished.

Notebook 02 built a `Value` with `+` and `*`, each leaving behind a `_backward`
closure. This class adds the operations a neuron and a loss need (`**`, `-`, `/`,
`exp`, `tanh`) in the same style, and a `backward()` that finds the order of the
backward steps by itself (a topological sort).

It is deliberately the plain closure version. `course_lib.Value` does the same job
with local derivatives stored as numbers (no reference cycles), clear errors for
bad input and a non-recursive sort; compare the two once yours works.

The layout follows Andrej Karpathy's micrograd (MIT licence),
https://github.com/karpathy/micrograd, and his lecture "The spelled-out intro to
neural networks and backpropagation".
"""

import math


class MyValue:
    """A number that remembers how it was computed, and can backpropagate."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self.label = label
        self._backward = lambda: None  # a leaf has no inputs to pass a gradient to

    def __repr__(self):
        return f"MyValue(data={self.data:.4g}, grad={self.grad:.4g})"

    # ---- given in the notebook: + and * (with plain numbers allowed) ----
    def __add__(self, other):
        other = other if isinstance(other, MyValue) else MyValue(other)
        out = MyValue(self.data + other.data, (self, other), "+")

        def _backward():  # d(out)/d(self) = d(out)/d(other) = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, MyValue) else MyValue(other)
        out = MyValue(self.data * other.data, (self, other), "*")

        def _backward():  # d(out)/d(self) = other, d(out)/d(other) = self
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):  # number + MyValue, e.g. sum() starting from 0
        return self + other

    def __rmul__(self, other):  # number * MyValue
        return self * other

    # ---- the exercise ----
    def __pow__(self, n):  # self ** n, for a plain number n
        out = MyValue(self.data**n, (self,), f"**{n}")

        def _backward():  # power rule: d(x^n)/dx = n x^(n-1)
            self.grad += n * self.data ** (n - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self):  # -self, built from *: no new derivative needed
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __rsub__(self, other):  # number - MyValue
        return (-self) + other

    def __truediv__(self, other):  # self / other = self * other^-1
        other = other if isinstance(other, MyValue) else MyValue(other)
        return self * other**-1

    def __rtruediv__(self, other):  # number / MyValue
        return self**-1 * other

    def exp(self):
        out = MyValue(math.exp(self.data), (self,), "exp")

        def _backward():  # d(e^x)/dx = e^x, which is out.data
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh never overflows, unlike (e^2x - 1)/(e^2x + 1)
        out = MyValue(t, (self,), "tanh")

        def _backward():  # d(tanh x)/dx = 1 - tanh(x)^2
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        # topological order: every node after all of its children
        order, visited = [], set()

        def visit(node):
            if node not in visited:  # each node once, however many paths lead to it
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):  # from the output back to the inputs
            node._backward()
