"""The two-layer NumPy network of notebooks 06 (its gradients derived) and 07 (trained on MNIST).

    X (N, D) -> z1 = X W1 + b1 (N, H) -> h1 = ReLU(z1) (N, H) -> logits = h1 W2 + b2 (N, C)
             -> softmax cross-entropy, averaged over the N examples

Shapes: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,). For MNIST D = 784 pixels, C = 10
digits and H = 100 hidden units by default. Each row of X is one example, so a
layer is `X @ W + b` and its weight matrix is stored (inputs, outputs).

Use it as the notebook does:

    model = NumpyMLP(seed=0)
    for epoch in range(3):
        train_epoch(model, X_train, y_train, lr=0.1, batch_size=64, rng=rng)
    model.accuracy(X_test, y_test)

or one step at a time: `model.loss(X, y)`, `model.backward()`, `model.step(lr)`.
"""

from __future__ import annotations

import numpy as np

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, C) scores; each row becomes probabilities summing to 1."""
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, C); exp never overflows
    e = np.exp(shifted)  # (N, C)
    return e / e.sum(axis=1, keepdims=True)  # (N, C)


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of (N, C) scores against N integer labels, and its gradient.

    loss = -(1/N) sum_i log p[i, y_i] with p = softmax(logits); the gradient with
    respect to the logits is (p - onehot(y)) / N, of shape (N, C).
    """
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, C)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C) log-softmax
    rows = np.arange(n)  # (N,)
    loss = -log_p[rows, y].mean()  # scalar
    dlogits = np.exp(log_p)  # (N, C) the probabilities p
    dlogits[rows, y] -= 1.0  # (N, C) p - onehot(y)
    return float(loss), dlogits / n  # (N, C): the 1/N of the mean


def images_to_inputs(images: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """uint8 images (N, 28, 28) -> floats in [0, 1] of shape (N, 784), one row per image.

    Always a batch: a single (28, 28) image is refused, not read as 28 examples of 28 pixels
    (pass images[None], a batch of one)."""
    images = np.asarray(images)
    if images.ndim == 2:
        raise ValueError(f"expected a batch of images (N, height, width), got shape {images.shape}: "
                         "for one image, pass a batch of one, image[None]")
    if images.ndim < 3:
        raise ValueError(f"expected a batch of images (N, height, width), got shape {images.shape}")
    return images.reshape(len(images), -1).astype(dtype) / 255.0


class NumpyMLP:
    """Linear -> ReLU -> Linear -> softmax cross-entropy, with hand-written gradients.

    Weights start as He initialisation, N(0, 2 / fan_in), biases as zeros; `seed`
    makes them reproducible. Parameters live in the dict `params` and their
    gradients, after `backward()`, in `grads` (same keys, same shapes).
    """

    def __init__(self, n_in: int = 784, n_hidden: int = 100, n_out: int = 10, seed: int = 0,
                 dtype: type = np.float64) -> None:
        for name, size in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {size!r}")
        if n_out < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got n_out={n_out}")
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {
            "W1": (rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_hidden))).astype(dtype),  # (D, H)
            "b1": np.zeros(n_hidden, dtype=dtype),  # (H,)
            "W2": (rng.normal(0.0, np.sqrt(2.0 / n_hidden), (n_hidden, n_out))).astype(dtype),  # (H, C)
            "b2": np.zeros(n_out, dtype=dtype),  # (C,)
        }
        self.grads: dict[str, np.ndarray] = {}
        self._cache: tuple | None = None

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, C): inputs, hidden units, classes."""
        d, h = self.params["W1"].shape
        return d, h, self.params["W2"].shape[1]

    def _check_inputs(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        d = self.sizes[0]
        if X.ndim != 2 or X.shape[1] != d:
            hint = " (flatten images first: images_to_inputs(images))" if X.ndim == 3 else ""
            raise ValueError(f"X must have shape (N, {d}), one example per row; got {X.shape}{hint}")
        return X

    def _check_labels(self, y: np.ndarray, n: int) -> np.ndarray:
        y = np.asarray(y)
        c = self.sizes[2]
        if y.shape != (n,):
            raise ValueError(f"y must hold one integer label per example, shape ({n},); got {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"labels must be integers 0..{c - 1}, got dtype {y.dtype}")
        if n and (y.min() < 0 or y.max() >= c):
            raise ValueError(f"labels must lie in 0..{c - 1}, got values from {y.min()} to {y.max()}")
        return y

    def _layers(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The forward pass with its intermediate arrays: (X, z1, h1, logits)."""
        X = self._check_inputs(X)
        p = self.params
        z1 = X @ p["W1"] + p["b1"]  # (N, H)
        h1 = np.maximum(z1, 0.0)  # (N, H)
        logits = h1 @ p["W2"] + p["b2"]  # (N, C)
        return X, z1, h1, logits

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Scores (logits) of shape (N, C) for inputs X of shape (N, D).

        Only `loss()` remembers its arrays for `backward()`, so predicting or measuring
        accuracy between `loss()` and `backward()` does not disturb the gradients.
        """
        return self._layers(X)[3]

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean softmax cross-entropy on (X, y); remembers what `backward()` needs."""
        X, z1, h1, logits = self._layers(X)  # (N, D), (N, H), (N, H), (N, C)
        y = self._check_labels(y, len(logits))
        value, dlogits = softmax_cross_entropy(logits, y)  # scalar, (N, C)
        self._cache = (X, z1, h1, dlogits)
        return value

    def backward(self) -> dict[str, np.ndarray]:
        """Gradients of the last `loss()` with respect to every parameter (also stored in `grads`)."""
        if self._cache is None or self._cache[3] is None:
            raise RuntimeError("call loss(X, y) before backward(): there is no loss to differentiate yet")
        X, z1, h1, dlogits = self._cache  # (N, D), (N, H), (N, H), (N, C)
        W2 = self.params["W2"]  # (H, C)
        dW2 = h1.T @ dlogits  # (H, N) @ (N, C) -> (H, C)
        db2 = dlogits.sum(axis=0)  # (C,)
        dh1 = dlogits @ W2.T  # (N, C) @ (C, H) -> (N, H)
        dz1 = dh1 * (z1 > 0)  # (N, H): ReLU passes the gradient only where it was active
        dW1 = X.T @ dz1  # (D, N) @ (N, H) -> (D, H)
        db1 = dz1.sum(axis=0)  # (H,)
        self.grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        return self.grads

    def step(self, lr: float) -> None:
        """One gradient-descent step: every parameter moves by -lr times its gradient."""
        if not self.grads:
            raise RuntimeError("call loss(X, y) and backward() before step(lr): there are no gradients yet")
        if not lr > 0:
            raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
        for name in PARAM_NAMES:
            self.params[name] -= lr * self.grads[name]  # in place, same shape

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most likely class for each row of X, shape (N,)."""
        return self.forward(X).argmax(axis=1)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows of X whose predicted class equals y."""
        y = self._check_labels(y, len(np.asarray(X)))
        return float((self.predict(X) == y).mean())

    def __repr__(self) -> str:
        d, h, c = self.sizes
        n = sum(p.size for p in self.params.values())
        return f"NumpyMLP({d} -> {h} ReLU -> {c}, {n:,} parameters)"


def train_epoch(model: NumpyMLP, X: np.ndarray, y: np.ndarray, lr: float = 0.1, batch_size: int = 64,
                rng: np.random.Generator | None = None) -> list[float]:
    """One pass over (X, y) in shuffled mini-batches of `batch_size`; returns each batch's loss.

    Pass a seeded `rng` (np.random.default_rng(seed)) for a reproducible order;
    without one the data are visited in their stored order.
    """
    X, y = np.asarray(X), np.asarray(y)  # plain lists too, as loss() takes them
    n = len(X)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    if len(y) != n:
        raise ValueError(f"X has {n} examples but y has {len(y)} labels")
    order = rng.permutation(n) if rng is not None else np.arange(n)  # (N,)
    losses = []
    for start in range(0, n, batch_size):
        batch = order[start:start + batch_size]  # (B,); the last batch may be smaller
        losses.append(model.loss(X[batch], y[batch]))
        model.backward()
        model.step(lr)
    return losses
