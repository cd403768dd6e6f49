"""Neurons, layers and multi-layer perceptrons built from `Value`s.

A neuron computes activation(w . x + b); a layer is several neurons that read
the same inputs; an MLP is layers in sequence. Every weight is a `Value`, so
`loss.backward()` fills in the gradient of every weight at once.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence

from course_lib.engine import Value

Input = Value | float | int

ACTIVATIONS = ("tanh", "relu", "sigmoid", None)
_SAME = object()  # marks "output_activation not given": use the hidden activation


def _size(value: object, what: str) -> int:
    """A size must be a whole number >= 1: int or NumPy integer, not bool or float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{what} >= 1, got {value!r}")
    return int(value)  # plain int, so reprs and messages read 3, not np.int64(3)


class Module:
    """Anything with parameters: gives `parameters()` and `zero_grad()`."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0 before the next backward pass.

        `backward()` adds to `.grad`, so forgetting this makes each step use the sum
        of all gradients so far.
        """
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """activation(w . x + b) with `nin` weights; activation is 'tanh', 'relu', 'sigmoid' or None."""

    def __init__(self, nin: int, activation: str | None = "tanh") -> None:
        nin = _size(nin, "a neuron needs a whole number of inputs")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {ACTIVATIONS}")
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.activation = activation

    def __call__(self, x: Sequence[Input]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron expects {len(self.w)} inputs, got {len(x)}")
        total = self.b
        for wi, xi in zip(self.w, x):  # every * and + is its own node in the graph
            total = total + wi * xi
        if self.activation is None:
            return total
        return getattr(total, self.activation)()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons that all read the same `nin` inputs."""

    def __init__(self, nin: int, nout: int, **neuron_kwargs) -> None:
        nout = _size(nout, "a layer needs a whole number of neurons")
        self.neurons = [Neuron(nin, **neuron_kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs  # a single output is easier to use as a loss

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.w)} -> {len(self.neurons)}, activation={n.activation!r})"


class MLP(Module):
    """Layers in sequence: MLP(2, [3, 3, 1]) maps 2 inputs through 3, 3 and 1 neurons."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "tanh",
        output_activation: str | None = _SAME,  # type: ignore[assignment]
    ) -> None:
        if isinstance(nouts, (numbers.Number, str)) or not hasattr(nouts, "__len__") or not len(nouts):
            raise ValueError(f"nouts is a list of layer sizes such as [4, 4, 1], got {nouts!r}")
        if output_activation is _SAME:
            output_activation = activation
        sizes = [_size(nin, "nin (the number of inputs) must be a whole number")]
        sizes += [_size(n, "every layer size must be a whole number") for n in nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=output_activation if i == last else activation)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
            x = [x] if isinstance(x, Value) else x  # the next layer wants a list
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP([{layers}], {len(self.parameters())} parameters)"
