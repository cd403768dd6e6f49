"""A multi-layer perceptron for MNIST-sized images in PyTorch (notebooks 08 and 09).

    from course_lib.torch_mlp import MLP, count_parameters
    model = MLP(784, [128, 64], 10, activation="relu")

The notebook builds this class step by step; `benchmarks/mnist.py` imports it
from here so both train exactly the same model. This module imports torch at
the top, so only code that uses PyTorch imports it: `import course_lib` stays
free of torch.

Also here: `images_to_tensor` (uint8 images -> scaled float tensor),
`train_epoch` (one pass over a DataLoader), `evaluate` (accuracy) and
`pick_device` (a GPU if PyTorch can use one, else the CPU). `train_epoch` and
`evaluate` move each batch to the model's device, so the data can stay on the CPU.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def _check_size(value: object, what: str) -> int:
    """A layer size must be a whole number >= 1 (bools are not sizes)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{what} must be a whole number >= 1, got {value!r}")
    return int(value)


class MLP(nn.Module):
    """Flatten -> [Linear -> activation] per hidden size -> Linear -> LogSoftmax.

    n_in: inputs per example (784 for a 28x28 image; images are flattened).
    hidden_sizes: neurons per hidden layer, e.g. [128, 64]; [] gives a linear model.
    n_classes: number of outputs (10 for MNIST).
    activation: 'relu', 'tanh' or 'sigmoid'.
    dropout: probability p in [0, 1) of zeroing each hidden unit's output while training
        (`nn.Dropout(p)` after every hidden activation; notebook 09). 0 adds no Dropout layer,
        so the model is exactly the one without the argument.

    The output holds log-probabilities, shape (N, n_classes): train it with `nn.NLLLoss`.
    """

    def __init__(
        self,
        n_in: int,
        hidden_sizes: Sequence[int],
        n_classes: int,
        activation: str = "relu",
        dropout: float = 0.0,
    ):
        super().__init__()
        n_in = _check_size(n_in, "n_in (inputs per example)")
        n_classes = _check_size(n_classes, "n_classes")
        if n_classes < 2:  # log-softmax over one output is always 0: nothing to learn
            raise ValueError(f"a classifier needs at least 2 classes, got n_classes={n_classes}; for a "
                             "yes/no task use n_classes=2 (labels 0 and 1)")
        if isinstance(hidden_sizes, (int, str)) or not isinstance(hidden_sizes, Iterable):
            raise ValueError(f"hidden_sizes is a list of layer sizes such as [128, 64], got {hidden_sizes!r}")
        hidden = [_check_size(h, "every hidden size") for h in hidden_sizes]
        if activation not in ACTIVATIONS:
            hint = ""
            if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
                hint = f" (names are lower case: {activation.lower()!r})"
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}{hint}"
            )
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"dropout is a probability p with 0 <= p < 1 (0: no dropout), got {dropout!r}")
        self.n_in, self.hidden_sizes, self.n_classes, self.activation = n_in, hidden, n_classes, activation
        self.dropout = float(dropout)

        sizes = [n_in] + hidden
        layers: list[nn.Module] = [nn.Flatten()]  # (N, 28, 28) -> (N, 784); (N, 784) stays as it is
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), ACTIVATIONS[activation]()]
            if self.dropout:  # zeroes each output with probability p in training, nothing in eval()
                layers.append(nn.Dropout(self.dropout))
        layers += [nn.Linear(sizes[-1], n_classes), nn.LogSoftmax(dim=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, n_in) or (N, H, W) with H*W == n_in  ->  log-probabilities (N, n_classes).

        A NumPy array is turned into a tensor, and float64 inputs into the model's float32
        (PyTorch does not mix the two in one matrix product).
        """
        x = _as_tensor(x)
        if x.dim() < 2 or math.prod(x.shape[1:]) != self.n_in:
            raise ValueError(
                f"this MLP expects a batch of examples with {self.n_in} numbers each, shape (N, {self.n_in}) "
                f"or (N, 28, 28); got shape {tuple(x.shape)}. A single image needs a batch axis: x[None]."
            )
        if not x.is_floating_point():
            raise TypeError(
                f"the MLP needs float inputs, got {x.dtype}: convert uint8 images with "
                "images_to_tensor(images) or images.float() / 255"
            )
        dtype = next(self.parameters()).dtype
        return self.net(x if x.dtype == dtype else x.to(dtype))

    def describe(self) -> str:
        """One line such as '784-[32, 64, 128, 64]-10 tanh, 44,458 parameters' (', dropout 0.2' if any)."""
        shape = f"{self.n_in}-{self.hidden_sizes}-{self.n_classes}"
        dropout = f", dropout {self.dropout:g}" if self.dropout else ""
        return f"{shape} {self.activation}{dropout}, {count_parameters(self):,} parameters"


def _as_tensor(x: object) -> torch.Tensor:
    """A tensor as it is; a NumPy array as a tensor; anything else explained."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        return torch.from_numpy(x)
    raise TypeError(
        f"the MLP needs a tensor (or NumPy array) of shape (N, n_in), got {type(x).__name__}; "
        "make one with torch.tensor(...) or images_to_tensor(images)"
    )


def _empty_loader(what: str) -> ValueError:
    return ValueError(f"{what}: the loader gave no examples. Is the dataset empty (check len(dataset))?")


def pick_device() -> torch.device:
    """A CUDA GPU if PyTorch can use one, else Apple's MPS GPU, else the CPU.

    Move the model there once (`model.to(device)`) and every batch as it is used.
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)  # absent from some builds
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _device_of(model: nn.Module) -> torch.device:
    """Where the model's parameters live (the CPU for a model without any)."""
    return next(model.parameters(), torch.empty(0)).device


def _to(batch: object, device: torch.device) -> object:
    """A batch (tensor, or NumPy array made a tensor) on `device`."""
    return (torch.from_numpy(batch) if isinstance(batch, np.ndarray) else batch).to(device)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers (weights and biases) in a model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def images_to_tensor(
    images: np.ndarray, mean: float | None = None, std: float | None = None
) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> float32 tensor scaled to [0, 1], then (x - mean) / std if given.

    Use the *training* set's mean and std for both training and test images.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(
            f"expected uint8 images with values 0..255 (as load_mnist returns), got {images.dtype}"
        )
    x = torch.from_numpy(images).float() / 255.0
    if (mean is None) != (std is None):
        raise ValueError("give both mean and std to normalise, or neither")
    if mean is not None:
        if not std > 0:
            raise ValueError(f"std must be positive, got {std!r}")
        x = (x - mean) / std
    return x


def train_epoch(
    model: nn.Module,
    loader: Iterable,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable | None = None,
) -> float:
    """One pass over `loader`; returns the mean training loss over all examples.

    loss_fn defaults to `nn.NLLLoss()`, the loss for a model that outputs log-probabilities.
    """
    loss_fn = nn.NLLLoss() if loss_fn is None else loss_fn
    device = _device_of(model)
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        x, y = _to(x, device), _to(y, device)  # a no-op for CPU tensors on the CPU
        optimizer.zero_grad()  # forget the previous batch's gradients
        loss = loss_fn(model(x), y)
        loss.backward()  # fill p.grad for every parameter
        optimizer.step()  # move every parameter using p.grad
        total += loss.item() * len(y)
        count += len(y)
    if count == 0:
        raise _empty_loader("train_epoch has nothing to train on")
    return total / count


@torch.no_grad()
def evaluate(model: nn.Module, loader: Iterable) -> float:
    """Fraction of examples in `loader` whose most likely class is the true label."""
    device = _device_of(model)
    model.eval()
    correct, count = 0, 0
    for x, y in loader:
        x, y = _to(x, device), _to(y, device)
        if y.dim() != 1:  # (N, 1) would broadcast against (N,) into an N x N table
            raise ValueError(f"evaluate needs labels of shape (N,), one class number per example; got "
                             f"{tuple(y.shape)}: flatten them, e.g. y.squeeze(1)")
        correct += (model(x).argmax(dim=1) == y).sum().item()
        count += len(y)
    if count == 0:
        raise _empty_loader("evaluate has nothing to measure")
    return correct / count
