"""Train notebook 05's XOR network from many random seeds at once, with NumPy.

One `Value` network trains on XOR in a fraction of a second, but "from how many
random starts does this architecture solve XOR?" needs a hundred runs. This module
runs the notebook's loop for many seeds side by side:

    outputs = train_xor_seeds([3, 1], seeds=range(100))   # (100, 4) final outputs
    solves_xor(outputs).sum()                              # how many runs solved XOR

Each run starts from exactly the weights `random.seed(seed); MLP(2, sizes)` draws,
then takes `epochs` full-batch gradient-descent steps on the summed squared error,
as `train` in notebook 05 does. Only the arithmetic is different: one array
operation per layer for all seeds at once instead of one `Value` per number (the
notebook checks that both give the same outputs). Notebook 06 explains how such
array code computes the same gradients.

Shapes, with S seeds and the 4 XOR points: a layer's weights are (S, n_in, n_out),
its biases (S, 1, n_out), its activations (S, 4, n_out).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

import numpy as np

from course_lib.nn import MLP

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2)
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])  # (4,)


def initial_weights(sizes: Sequence[int], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (W, b) of each layer of `MLP(2, sizes)` built after `random.seed(seed)`.

    W[i, j] is neuron j's weight for input i, shape (n_in, n_out); b has shape (n_out,).
    """
    random.seed(seed)
    net = MLP(2, list(sizes))
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]).T,
             np.array([n.b.data for n in layer.neurons]))
            for layer in net.layers]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^-z) without overflow for large |z|


def train_xor_seeds(sizes: Sequence[int], seeds: Iterable[int], lr: float = 0.1, epochs: int = 1000,
                    output_activation: str = "tanh") -> np.ndarray:
    """Train `MLP(2, sizes)` (tanh hidden units) on XOR from every seed; the final outputs, (S, 4).

    `output_activation` is "tanh" (as in `MLP(2, sizes)`) or "sigmoid".
    """
    if output_activation not in ("tanh", "sigmoid"):
        raise ValueError(f"output_activation must be 'tanh' or 'sigmoid', got {output_activation!r}")
    if not lr > 0:
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("give at least one seed, e.g. seeds=range(100)")
    starts = [initial_weights(sizes, s) for s in seeds]
    Ws = [np.stack([start[k][0] for start in starts]) for k in range(len(sizes))]  # (S, n_in, n_out)
    bs = [np.stack([start[k][1] for start in starts])[:, None, :] for k in range(len(sizes))]  # (S, 1, n_out)
    _descend(Ws, bs, lr, epochs, output_activation)
    return _forward(Ws, bs, output_activation)[-1][:, :, 0]


def _descend(Ws: list[np.ndarray], bs: list[np.ndarray], lr: float, epochs: int, output_activation: str,
             losses: list[float] | None = None) -> None:
    """`epochs` gradient-descent steps on every seed's weights, in place. With `losses` (one seed),
    append the loss before each step, and stop at the first loss that is not finite."""
    for _ in range(epochs):
        hs = _forward(Ws, bs, output_activation)
        if losses is not None:
            losses.append(float(((hs[-1][0, :, 0] - XOR_Y) ** 2).sum()))
            if not np.isfinite(losses[-1]):
                return
        # backward: d(summed squared error)/d(output), then layer by layer towards the inputs
        dh = 2.0 * (hs[-1] - XOR_Y[:, None])  # (S, 4, 1)
        for k in reversed(range(len(Ws))):
            h = hs[k + 1]
            sigmoid_out = k == len(Ws) - 1 and output_activation == "sigmoid"
            dz = dh * (h * (1 - h) if sigmoid_out else 1 - h * h)  # times the activation's slope
            dh = dz @ Ws[k].transpose(0, 2, 1)  # (S, 4, n_in), with W before its update
            Ws[k] = Ws[k] - lr * (hs[k].transpose(0, 2, 1) @ dz)  # dW: (S, n_in, n_out)
            bs[k] = bs[k] - lr * dz.sum(axis=1, keepdims=True)  # db: (S, 1, n_out)


class XorNet:
    """One network of `MLP(2, sizes)` (tanh units) trained on XOR with the arrays above: what notebook
    05's learning-rate widget retrains at every move of its slider (a few ms instead of a second).

        net = XorNet.train([3, 3, 1], seed=5, lr=0.1, epochs=1000)
        net.losses          # the summed squared error before each step
        net(np.array([[0.0, 1.0]]))  # outputs for any (N, 2) points, shape (N,)

    The weights start as `random.seed(seed); MLP(2, sizes)` draws them, as in `train_xor_seeds`.
    A learning rate far too large makes the numbers overflow: training stops at the first loss
    that is inf or nan (the last one in `losses`), with NumPy's overflow warnings silenced.
    """

    def __init__(self, Ws: list[np.ndarray], bs: list[np.ndarray], losses: list[float],
                 output_activation: str = "tanh") -> None:
        self.Ws, self.bs, self.losses, self.output_activation = Ws, bs, losses, output_activation

    @classmethod
    def train(cls, sizes: Sequence[int], seed: int, lr: float = 0.1, epochs: int = 1000,
              output_activation: str = "tanh") -> XorNet:
        start = initial_weights(sizes, seed)
        Ws = [W[None] for W, _ in start]  # one seed: (1, n_in, n_out)
        bs = [b[None, None, :] for _, b in start]  # (1, 1, n_out)
        losses: list[float] = []
        with np.errstate(over="ignore", invalid="ignore"):
            _descend(Ws, bs, lr, epochs, output_activation, losses)
        return cls(Ws, bs, losses, output_activation)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            hs = [points[None]]
            for k, (W, b) in enumerate(zip(self.Ws, self.bs)):
                z = hs[-1] @ W + b
                last_sigmoid = k == len(self.Ws) - 1 and self.output_activation == "sigmoid"
                hs.append(_sigmoid(z) if last_sigmoid else np.tanh(z))
        return hs[-1][0, :, 0]


def _forward(Ws: list[np.ndarray], bs: list[np.ndarray], output_activation: str) -> list[np.ndarray]:
    """Every layer's activations for the 4 XOR points, inputs first: [(S, 4, 2), ..., (S, 4, 1)]."""
    hs = [np.broadcast_to(XOR_X, (len(Ws[0]), 4, 2))]
    for k, (W, b) in enumerate(zip(Ws, bs)):
        z = hs[-1] @ W + b  # (S, 4, n_out)
        sigmoid_out = k == len(Ws) - 1 and output_activation == "sigmoid"
        hs.append(_sigmoid(z) if sigmoid_out else np.tanh(z))
    return hs


def solves_xor(outputs: np.ndarray) -> np.ndarray:
    """True for each run whose four outputs round to [0, 1, 1, 0], as in notebook 05."""
    return np.all(np.round(np.asarray(outputs)) == XOR_Y, axis=-1)
