"""Seconds per epoch on MNIST-sized data: the PyTorch MLP of notebooks 08-09 and the NumPy MLP of notebook 07.

Data: the full Fashion-MNIST, 60,000 training and 10,000 test images of 28x28 pixels, exactly
the tensor sizes of full MNIST (so the seconds per epoch are those of full MNIST too; the
accuracies are Fashion-MNIST's, which is harder). `--kind digits` uses MNIST instead.

Models, each trained for --epochs epochs in a seeded shuffled order:
  torch-nb09   notebook 09's final set-up: course_lib.torch_mlp.MLP(784, [256], 10, 'relu'), SGD
               with lr 0.1, momentum 0.9, weight decay 5e-4, cosine schedule, mini-batches of 128,
               each image shifted by a random offset of up to 2 pixels (the notebook's random_shift);
               DataLoader over a TensorDataset, inputs normalised by the training mean and std.
  torch-07net  the same network as notebook 07 in PyTorch: 784-[100]-10 ReLU, plain SGD lr 0.2,
               batches of 64, inputs in [0, 1]: compares the frameworks on the same work.
  numpy-nb07   course_lib.numpy_mlp.NumpyMLP(784, 100, 10), float64, SGD lr 0.2, batches of 64,
               as in notebook 07.

Timings count training only (not evaluation). Threads are pinned (default 1: PyTorch's
set_num_threads and the BLAS variables, set before NumPy is imported), so runs are comparable;
with --repeats N every model is trained N times and the fastest run is reported.

Run:  COURSE_LIB_DATA=/path/to/datasets python benchmarks/mnist.py [--epochs 3] [--repeats 1]
(needs: pip install -e ".[torch]")
"""

from __future__ import annotations

import argparse
import os
import platform
import time

BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
MODELS = ("torch-nb09", "torch-07net", "numpy-nb07")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (default 3)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per model; the fastest is reported")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch and BLAS threads (default 1)")
    parser.add_argument("--kind", choices=("fashion", "digits"), default="fashion", help="data set")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS), help="models to time")
    args = parser.parse_args(argv)
    for name in ("epochs", "repeats", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def load(kind: str):
    """Training and test images (uint8, (N, 28, 28)) and labels."""
    from course_lib.datasets import load_mnist

    return load_mnist(kind=kind, split="train"), load_mnist(kind=kind, split="test")


def random_shift(x, generator, background: float, max_shift: int = 2):
    """Notebook 09's augmentation: each image of x (N, 28, 28) moved by its own random offset."""
    import torch
    import torch.nn.functional as F

    n, h, w = x.shape
    m = max_shift
    padded = F.pad(x, (m, m, m, m), value=background)  # (N, h + 2m, w + 2m)
    top = torch.randint(0, 2 * m + 1, (n, 1, 1), generator=generator)
    left = torch.randint(0, 2 * m + 1, (n, 1, 1), generator=generator)
    rows = top + torch.arange(h).view(1, h, 1)  # (N, h, 1)
    cols = left + torch.arange(w).view(1, 1, w)  # (N, 1, w)
    return padded[torch.arange(n).view(n, 1, 1), rows, cols]


class Shifted:
    """The batches of `loader`, every image randomly shifted; a fresh pass each time it is iterated."""

    def __init__(self, loader, generator, background: float):
        self.loader, self.generator, self.background = loader, generator, background

    def __iter__(self):
        for x, y in self.loader:
            yield random_shift(x, self.generator, self.background), y


def run_torch(data, epochs: int, notebook_config: bool, seed: int = 0) -> tuple[list[float], float]:
    """Train one PyTorch model; returns (seconds of each epoch, final test accuracy)."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from course_lib.torch_mlp import MLP, evaluate, images_to_tensor, train_epoch

    (X_train, y_train), (X_test, y_test) = data
    if notebook_config:
        scaled = images_to_tensor(X_train)
        mean, std = scaled.mean().item(), scaled.std().item()
    else:
        mean = std = None
    train_set = TensorDataset(images_to_tensor(X_train, mean, std), torch.from_numpy(y_train).long())
    test_set = TensorDataset(images_to_tensor(X_test, mean, std), torch.from_numpy(y_test).long())
    train_loader = DataLoader(
        train_set, batch_size=128 if notebook_config else 64, shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    test_loader = DataLoader(test_set, batch_size=1000)

    torch.manual_seed(seed)
    if notebook_config:
        model = MLP(784, [256], 10, activation="relu")
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
        train_loader = Shifted(train_loader, torch.Generator().manual_seed(seed + 1), (0 - mean) / std)
    else:
        model = MLP(784, [100], 10, activation="relu")
        optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
        scheduler = None

    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        train_epoch(model, train_loader, optimizer)
        seconds.append(time.perf_counter() - start)
        if scheduler is not None:
            scheduler.step()
    return seconds, evaluate(model, test_loader)


def run_numpy(data, epochs: int, seed: int = 0) -> tuple[list[float], float]:
    """Train notebook 07's NumPy MLP; returns (seconds of each epoch, final test accuracy)."""
    import numpy as np

    from course_lib.numpy_mlp import NumpyMLP, images_to_inputs, train_epoch

    (X_train, y_train), (X_test, y_test) = data
    X_train, X_test = images_to_inputs(X_train), images_to_inputs(X_test)
    model = NumpyMLP(n_in=784, n_hidden=100, n_out=10, seed=seed)
    order = np.random.default_rng(seed)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        train_epoch(model, X_train, y_train, lr=0.2, batch_size=64, rng=order)
        seconds.append(time.perf_counter() - start)
    return seconds, model.accuracy(X_test, y_test)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    for var in BLAS_VARIABLES:  # before NumPy (and PyTorch) are imported below
        os.environ[var] = str(args.threads)

    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    data = load(args.kind)
    (X_train, _), (X_test, _) = data
    print(f"{args.kind}: {len(X_train):,} training / {len(X_test):,} test images of 28x28")
    print(
        f"Python {platform.python_version()}, PyTorch {torch.__version__}, NumPy {np.__version__}, "
        f"{args.threads} thread(s), {os.cpu_count()} CPU(s); {args.epochs} epoch(s), best of {args.repeats}"
    )
    print(f"{'model':12} {'network':22} {'s/epoch':>8} {'fastest':>8} {'test acc':>9}")
    networks = {"torch-nb09": "784-[256]-10 relu", "torch-07net": "784-[100]-10 relu",
                "numpy-nb07": "784-100-10 relu"}
    for name in args.models:
        runs = []
        for _ in range(args.repeats):
            if name == "numpy-nb07":
                runs.append(run_numpy(data, args.epochs))
            else:
                runs.append(run_torch(data, args.epochs, notebook_config=(name == "torch-nb09")))
        seconds, accuracy = min(runs, key=lambda run: sum(run[0]))  # the fastest run
        mean = sum(seconds) / len(seconds)
        print(f"{name:12} {networks[name]:22} {mean:8.2f} {min(seconds):8.2f} {accuracy:9.2%}", flush=True)


if __name__ == "__main__":
    main()
