import math


class MyValue:
    """Your Value from notebook 02, to finish. Replace every TODO, then run the check below."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self.label = label
        self._backward = lambda: None  # a leaf has no inputs to pass a gradient to

    def __repr__(self):
        return f"MyValue(data={self.data:.4g}, grad={self.grad:.4g})"

    # ---- done in notebook 02; now plain numbers work too (x * 2, 1 + x) ----
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

    def __radd__(self, other):  # number + MyValue, e.g. in sum(), which starts from 0
        return self + other

    def __rmul__(self, other):  # number * MyValue
        return self * other

    # ---- your turn: each _backward adds local derivative * out.grad to self.grad ----
    def __pow__(self, n):  # self ** n for a plain number n
        out = MyValue(self.data**n, (self,), f"**{n}")

        def _backward():
            ...  # TODO: the power rule

        out._backward = _backward
        return out

    def exp(self):
        out = MyValue(math.exp(self.data), (self,), "exp")

        def _backward():
            ...  # TODO: the slope of e^x is e^x

        out._backward = _backward
        return out

    def tanh(self):
        out = MyValue(math.tanh(self.data), (self,), "tanh")

        def _backward():
            ...  # TODO: the slope of tanh x is 1 - tanh(x)**2

        out._backward = _backward
        return out

    # ---- these need no closure of their own: build them from the operations above ----
    def __neg__(self):  # -self
        raise NotImplementedError("TODO: a multiplication")

    def __sub__(self, other):  # self - other
        raise NotImplementedError("TODO: an addition and a negation")

    def __rsub__(self, other):  # number - MyValue
        raise NotImplementedError("TODO")

    def __truediv__(self, other):  # self / other
        raise NotImplementedError("TODO: a multiplication and a power -1 (wrap a plain number first)")

    def __rtruediv__(self, other):  # number / MyValue
        raise NotImplementedError("TODO")

    # ---- and the automatic backward pass ----
    def backward(self):
        raise NotImplementedError("TODO: topological order (each node once, after its children), "
                                  "seed self.grad = 1, then _backward() on every node in reverse order")
