"""The few plots the notebooks share: loss curves and 2-D decision boundaries."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np


def _plain_number(x: object, what: str, fix: str) -> float:
    """A float from a number, a Value (.data) or a one-element tensor (.item()); else a message."""
    if hasattr(x, "_prev") and hasattr(x, "data"):  # a Value of any Value class
        x = x.data
    elif hasattr(x, "item") and getattr(x, "requires_grad", False):  # a tensor still in its graph
        x = x.detach()
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{what} should hold plain numbers, got {type(x).__name__}: {fix}") from None


def plot_loss(losses: Sequence[float], ax: plt.Axes | None = None, title: str = "Training loss",
              log: bool = False) -> plt.Axes:
    """Loss against step; `log=True` uses a log scale so late progress stays visible."""
    losses = [_plain_number(loss, "losses", "losses.append(loss.data), or loss.item() for a tensor")
              for loss in losses]
    ax = ax or plt.subplots(figsize=(5, 3))[1]
    ax.plot(range(len(losses)), losses)
    ax.set(xlabel="step", ylabel="loss", title=title)
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    return ax


def plot_decision_boundary(
    predict: Callable[[float, float], float],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    ax: plt.Axes | None = None,
    resolution: int = 40,
    margin: float = 0.5,
    title: str = "",
) -> plt.Axes:
    """Shade the plane by `predict(x1, x2)` and draw the labelled points on top.

    `predict` takes two floats and returns a float (e.g. the network's output);
    `resolution` points per axis keeps scalar `Value` networks fast enough.
    """
    X = np.asarray(X, dtype=float)
    ax = ax or plt.subplots(figsize=(4, 4))[1]
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    hint = "return out.data (a Value) or out.item() (a tensor) from predict"
    grid = np.array([[_plain_number(predict(float(a), float(b)), "predict(x1, x2)", hint) for a in xs]
                     for b in ys])
    mesh = ax.contourf(xs, ys, grid, levels=20, cmap="RdBu_r", alpha=0.7)
    ax.contour(xs, ys, grid, levels=[0.5], colors="k", linewidths=1)  # the 0.5 line separates the classes
    ax.scatter(X[:, 0], X[:, 1], c=list(y), cmap="RdBu_r", edgecolors="k", s=60, vmin=0, vmax=1)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title)
    plt.colorbar(mesh, ax=ax, fraction=0.046)
    return ax
