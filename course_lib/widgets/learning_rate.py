"""Learning-rate widgets for notebook 05: gradient descent on x**2, and XOR retrained.

    from course_lib.widgets.learning_rate import ParabolaWidget, XorWidget
    ParabolaWidget()   # slide the rate, watch 20 steps of gradient descent on f(x) = x**2
    XorWidget()        # slide the rate, retrain the seeded XOR network, see loss and boundary

Both are `ipywidgets.VBox`es that update synchronously when the slider moves, so
Python code (and tests) can set `widget.slider.value = 0.3` and read
`widget.plot.value` (PNG bytes) and `widget.text` right away.

The rate used is the slider's value rounded to 3 significant digits, which is
exactly what the slider's readout shows; the readout text then prints that rate
and the result computed with it. `parabola_readout(rate)` and `xor_readout(...)`
build the same text, so a test can compute what the page must say.

CSS classes (stable names for browser tests):

- `nnfs-lr-parabola`: the whole parabola widget (a VBox)
- `nnfs-lr-parabola-slider`: its FloatLogSlider, learning rate 0.01 to 1.1
- `nnfs-lr-parabola-plot`: its Image: the path on the parabola and x against step (PNG)
- `nnfs-lr-parabola-result`: its HTML readout, for example
  "learning rate 0.3: after 20 steps x = -1.1e-08 (converged)"
- `nnfs-lr-xor`: the whole XOR widget (a VBox)
- `nnfs-lr-xor-slider`: its FloatLogSlider, learning rate 0.001 to 2, continuous_update=False
- `nnfs-lr-xor-plot`: its Image: loss curve and decision boundary (PNG)
- `nnfs-lr-xor-result`: its HTML readout, for example "learning rate 0.1: after 1000 epochs
  loss = 0.000412, predictions [0.00, 0.99, 0.99, 0.00] round to [0, 1, 1, 0] (XOR solved)"
- `nnfs-lr-keys`: the line beside each slider that says which keys move it

Keys: one arrow press multiplies or divides the rate by 1.26 (a tenth of a power of ten in
log10, `LOG_STEP`: ten presses from 0.1 to 1), PageUp/PageDown by 3.16 (five presses), and
Home/End jump to the smallest and largest rate; or type a rate into the box.

The XOR widget retrains with NumPy (`course_lib.xor_seeds.XorNet`: the same network, weights
and loop as `train_xor`, one array operation per layer) and redraws into one figure it keeps,
so a move takes a fraction of the second the `Value` loop needs (benchmarks/xor_slider.py).
"""

from __future__ import annotations

import html
import io
import math
import numbers
import random
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

from course_lib.nn import MLP
from course_lib.plots import plot_loss
from course_lib.xor_seeds import XorNet

# ---- shared constants (the notebook uses the same ones) ------------------------
XOR_X = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_Y = (0.0, 1.0, 1.0, 0.0)
XOR_SEED = 5  # solves XOR (clearly: see XOR_MARGIN) at rates 0.01 to 0.3; 0.003 is too slow for 1,000 epochs
XOR_SIZES = (3, 3, 1)
XOR_EPOCHS = 1000
XOR_RESOLUTION = 30  # boundary grid of the widget: 30 x 30 forward passes (the notebook uses 40)

PARABOLA_START = -1.0
PARABOLA_STEPS = 20
CONVERGED = 1e-3  # |x| below this counts as "at the minimum"
DIVERGED = 1e100  # |x| beyond this counts as "gone": the path stops there (x**2 would soon overflow)
XOR_MARGIN = 0.25  # "solved" needs every output this far on its target's side of 0.5 (>= 0.75 or <= 0.25)

_PLOT_LIMIT = 1.6  # the parabola panel shows x in [-1.6, 1.6]
PARABOLA_FIGSIZE = (9, 3.2)  # inches; 900 x 320 px on screen
XOR_FIGSIZE = (9, 3.5)


def shown_rate(lr: object) -> float:
    """The learning rate rounded to 3 significant digits, as the sliders display it."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"the learning rate must be a number, got {type(lr).__name__}: {lr!r}")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a positive, finite number, got {lr!r}")
    return float(f"{lr:.3g}")


DPI = 100  # PNG pixels per inch of figure; the Image is shown at exactly that many CSS pixels


def _png(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes; closes it so the notebook does not also show it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()


def _image(figsize: tuple[float, float]) -> widgets.Image:
    """An Image shown one PNG pixel per CSS pixel (a flex box would stretch it, and blur it)."""
    width = round(figsize[0] * DPI)
    return widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", max_width="100%",
                                                             height="auto"))


LOG_STEP = 0.1  # one arrow press: log10(rate) moves by this, so the rate by 10**0.1 = 1.26
KEYS_HELP = ("Keys: ←/→ ×1.26, PageUp/PageDown ×3.2, Home/End smallest/largest rate; "
             "or type a rate in the box.")


def _log_slider(value: float, lo: float, hi: float, continuous: bool) -> widgets.FloatLogSlider:
    return widgets.FloatLogSlider(
        value=value, base=10, min=math.log10(lo), max=math.log10(hi), step=LOG_STEP,
        description="learning rate", readout_format=".3g", continuous_update=continuous,
        style={"description_width": "initial"}, layout=widgets.Layout(width="480px"),
    )


def _keys_help() -> widgets.HTML:
    """The line beside a slider that tells keyboard users which keys move it, and how far."""
    keys = widgets.HTML(f"<small>{html.escape(KEYS_HELP)}</small>",
                        layout=widgets.Layout(margin="0 0 0 12px"))
    keys.add_class("nnfs-lr-keys")
    return keys


# ---- gradient descent on f(x) = x**2 ----------------------------------------------
def parabola_path(lr: float, x0: float = PARABOLA_START, steps: int = PARABOLA_STEPS) -> list[float]:
    """[x0, x1, ..., x_steps] of gradient descent on f(x) = x**2, whose slope is 2x.

    Each step is x <- x - lr * 2 * x, so x is multiplied by (1 - 2 lr) every step.
    A diverging path stops early, at the first |x| beyond DIVERGED (1e100).
    """
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a positive, finite number, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    path = [float(x0)]
    for _ in range(steps):
        x = path[-1]
        path.append(x - lr * (2 * x))  # step downhill: minus the rate times the slope
        if abs(path[-1]) > DIVERGED:  # gone for good; later steps would overflow to inf
            break
    return path


def parabola_verdict(path: Sequence[float]) -> str:
    """A few words on how the path ended: converged, stuck, diverging or still on its way."""
    start, end = abs(path[0]), abs(path[-1])
    if len(path) == 1:
        return "no steps taken"
    if end < CONVERGED:
        return "converged"
    if end > start:
        return "diverging: |x| grows every step"
    if end == start:
        return "stuck: bouncing between the same two points"
    zigzag = any(a * b < 0 for a, b in zip(path, path[1:]))
    return "not there yet: zigzagging" if zigzag else "not there yet: crawling"


def parabola_readout(lr: float, steps: int = PARABOLA_STEPS) -> str:
    """The parabola widget's readout text for this rate (rounded as the slider shows it)."""
    lr = shown_rate(lr)
    path = parabola_path(lr, steps=steps)
    taken = len(path) - 1
    if taken < steps:  # stopped early: diverged
        return (f"learning rate {lr:g}: after {taken} of {steps} steps |x| = {abs(path[-1]):.3g}, "
                f"past {DIVERGED:.0e}, so the path stops there ({parabola_verdict(path)})")
    return f"learning rate {lr:g}: after {steps} steps x = {path[-1]:.3g} ({parabola_verdict(path)})"


def plot_parabola_path(lr: float, ax: plt.Axes, steps: int = PARABOLA_STEPS) -> plt.Axes:
    """The curve f(x) = x**2 with the points gradient descent visits on it."""
    path = parabola_path(lr, steps=steps)
    xs = np.linspace(-_PLOT_LIMIT, _PLOT_LIMIT, 200)
    ax.plot(xs, xs**2, color="0.6", lw=1.5)
    px = np.array(path)
    ax.plot(px, px**2, "-o", color="C3", ms=3.5, lw=0.8, alpha=0.8, clip_on=True)
    ax.plot(px[:1], px[:1] ** 2, "s", color="k", ms=6, label="start")
    ax.set(xlim=(-_PLOT_LIMIT, _PLOT_LIMIT), ylim=(-0.15, _PLOT_LIMIT**2 + 0.1),
           xlabel="$x$", ylabel="$f(x) = x^2$", title=f"lr = {lr:g}: {parabola_verdict(path)}")
    if np.abs(px).max() > _PLOT_LIMIT:
        ax.text(0, 2.3, "the path leaves the plot", ha="center", fontsize=9, color="C3")
    ax.title.set_fontsize(10)
    return ax


def plot_parabola_steps(lr: float, ax: plt.Axes, steps: int = PARABOLA_STEPS) -> plt.Axes:
    """x against the step number: zigzags, crawls, settles or blows up."""
    path = parabola_path(lr, steps=steps)
    ax.axhline(0, color="0.6", lw=1)
    ax.plot(range(len(path)), path, "-o", color="C0", ms=3.5, lw=1)
    ax.set(xlabel="step", ylabel="$x$", title=f"lr = {lr:g}: $x$ after each step")
    ax.title.set_fontsize(10)
    ax.grid(alpha=0.3)
    return ax


class ParabolaWidget(widgets.VBox):
    """A FloatLogSlider over the learning rate that redraws gradient descent on x**2.

    Attributes: `slider` (FloatLogSlider), `plot` (Image, PNG), `result` (HTML readout),
    `text` (the readout as plain text), `lr` (the rate used, as the slider shows it).
    """

    def __init__(self, lr: float = 0.3, steps: int = PARABOLA_STEPS) -> None:
        lr = shown_rate(lr)
        if not 0.01 <= lr <= 1.1:
            raise ValueError(f"this widget's slider runs from 0.01 to 1.1, got a starting rate of {lr!r}")
        parabola_path(lr, steps=steps)  # checks steps
        self.steps = steps
        self.slider = _log_slider(lr, 0.01, 1.1, continuous=True)  # fast: redraw while dragging
        self.plot = _image(PARABOLA_FIGSIZE)
        self.result = widgets.HTML()
        self.slider.add_class("nnfs-lr-parabola-slider")
        self.plot.add_class("nnfs-lr-parabola-plot")
        self.result.add_class("nnfs-lr-parabola-result")
        super().__init__([widgets.HBox([self.slider, _keys_help()]), self.result, self.plot])
        self.add_class("nnfs-lr-parabola")
        self.slider.observe(self._redraw, names="value")
        self._redraw()

    def _redraw(self, change: dict | None = None) -> None:
        self.lr = shown_rate(self.slider.value)
        self.text = parabola_readout(self.lr, self.steps)
        self.result.value = html.escape(self.text)
        fig, (ax_path, ax_steps) = plt.subplots(1, 2, figsize=PARABOLA_FIGSIZE)
        plot_parabola_path(self.lr, ax_path, self.steps)
        plot_parabola_steps(self.lr, ax_steps, self.steps)
        fig.tight_layout()
        self.plot.value = _png(fig)

    def __repr__(self) -> str:
        return f"<ParabolaWidget: {self.text}>"  # Jupyter cuts text forms at 110 characters


# ---- XOR retrained at any learning rate ---------------------------------------------
def train_xor(
    lr: float = 0.1,
    epochs: int = XOR_EPOCHS,
    seed: int = XOR_SEED,
    sizes: Sequence[int] = XOR_SIZES,
    activation: str | None = "tanh",
    output_activation: str | None = "tanh",
) -> tuple[MLP, list[float]]:
    """Train MLP(2, sizes) on XOR by full-batch gradient descent on the summed squared error.

    The same loop as in notebook 05: `random.seed(seed)`, build the net, then each
    epoch forward all four points, backward, and step every parameter by -lr * grad.
    Returns the trained net and the loss before each step. If the numbers grow too large
    for a float (a learning rate far too large), training stops there and the last loss is
    inf or nan: `xor_readout` then says the training diverged.
    """
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a positive, finite number, got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    random.seed(seed)
    net = MLP(2, list(sizes), activation=activation, output_activation=output_activation)
    losses = []
    for _ in range(epochs):
        try:
            preds = [net(x) for x in XOR_X]
            loss = sum((p - y) ** 2 for p, y in zip(preds, XOR_Y))
        except OverflowError:  # the engine refuses numbers beyond a float's range
            losses.append(math.inf)
            break
        losses.append(loss.data)
        if not math.isfinite(loss.data):  # an inf or nan weight from an earlier step
            break
        net.zero_grad()
        loss.backward()
        for p in net.parameters():
            p.data -= lr * p.grad
    return net, losses


def xor_predictions(net: MLP) -> list[float]:
    """The network's outputs for the four XOR inputs, as floats (nan where it overflows)."""
    outputs = []
    for x in XOR_X:
        try:
            outputs.append(net(list(x)).data)
        except OverflowError:
            outputs.append(math.nan)
    return outputs


def xor_verdict(preds: Sequence[float]) -> str:
    """'XOR solved' only when every output is clearly on its target's side of 0.5."""
    if not all(math.isfinite(p) for p in preds):
        return "diverged"
    sides = [(p - 0.5) * (1 if y else -1) for p, y in zip(preds, XOR_Y)]  # > 0: the right side
    if all(side >= XOR_MARGIN for side in sides):
        return "XOR solved"
    if all(side > 0 for side in sides):
        return f"not solved yet: every output is on the right side of 0.5, but not by {XOR_MARGIN:g}"
    return "not XOR"


def xor_readout(lr: float, losses: Sequence[float], preds: Sequence[float]) -> str:
    """The XOR widget's readout text: rate, final loss, predictions and their rounding."""
    if not losses or not math.isfinite(losses[-1]) or xor_verdict(preds) == "diverged":
        return (f"learning rate {shown_rate(lr):g}: training diverged after {len(losses)} epochs: "
                "the numbers grew too large for a float. Try a smaller learning rate.")
    rounded = [round(p) for p in preds]
    shown = ", ".join(f"{p:.2f}".replace("-0.00", "0.00") for p in preds)
    verdict = xor_verdict(preds)
    return (f"learning rate {shown_rate(lr):g}: after {len(losses)} epochs loss = {losses[-1]:.3g}, "
            f"predictions [{shown}] round to {rounded} ({verdict})")


def plot_xor_output(net: MLP, ax: plt.Axes, resolution: int = 40, title: str = "") -> plt.Axes:
    """The network's output over the plane on a FIXED colour scale (0 blue, 1 red).

    Like `course_lib.plots.plot_decision_boundary`, but the colours do not rescale
    to each network's range, so they mean the same at every learning rate; a
    saturated net that outputs 1.00 everywhere is one flat red.
    """
    xs = np.linspace(-0.5, 1.5, resolution)
    grid = np.array([[net([float(a), float(b)]).data for a in xs] for b in xs])
    mesh = ax.contourf(xs, xs, grid, levels=np.linspace(0, 1, 11), cmap="RdBu_r", extend="both", alpha=0.7)
    if grid.min() < 0.5 < grid.max() and np.ptp(grid) > 1e-3:  # a flat output has no real boundary
        ax.contour(xs, xs, grid, levels=[0.5], colors="k", linewidths=1)
    X = np.array(XOR_X)
    ax.scatter(X[:, 0], X[:, 1], c=list(XOR_Y), cmap="RdBu_r", edgecolors="k", s=60, vmin=0, vmax=1)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")
    ax.figure.colorbar(mesh, ax=ax, fraction=0.046, ticks=[0, 0.5, 1])
    return ax


def plot_xor_run(net: MLP, losses: Sequence[float], lr: float, ax_loss: plt.Axes,
                 ax_boundary: plt.Axes, resolution: int = 40) -> None:
    """Loss curve (log scale) and output map (fixed colour scale) of one trained XOR network."""
    plot_loss(losses, ax=ax_loss, log=True, title=f"lr = {lr:g}: loss")
    plot_xor_output(net, ax_boundary, resolution, title=f"lr = {lr:g}: output")


XOR_GRID = (-0.5, 1.5)  # the output map's square: x1 and x2 from -0.5 to 1.5
XOR_LEVELS = np.linspace(0, 1, 11)  # its colour bands, as in plot_xor_output
XOR_LOSS_RANGE = (1e-5, 10.0)  # the loss axis, the same at every rate (a loss beyond it sits on the edge)


class XorWidget(widgets.VBox):
    """A FloatLogSlider (continuous_update=False) that retrains the XOR network and redraws it.

    Each change trains the seeded MLP(2, [3, 3, 1]) for `epochs` epochs (1,000 by
    default, as in the notebook) with `course_lib.xor_seeds.XorNet` (the notebook's loop in
    NumPy) and draws its loss and its output on a `resolution` x `resolution` grid (30 by
    default; the notebook's plots use 40) into the figure it keeps, changing only what moved.
    Attributes: `slider`, `plot` (Image, PNG), `result` (HTML), `text`, `lr`,
    `net` (an XorNet), `losses`, `predictions`.
    """

    def __init__(self, lr: float = 0.1, epochs: int = XOR_EPOCHS, resolution: int = XOR_RESOLUTION,
                 seed: int = XOR_SEED) -> None:
        lr = shown_rate(lr)
        if not 0.001 <= lr <= 2:
            raise ValueError(f"this widget's slider runs from 0.001 to 2, got a starting rate of {lr!r}")
        if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
            raise ValueError(f"resolution must be a whole number >= 2, got {resolution!r}")
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
        self.epochs, self.resolution, self.seed = epochs, resolution, seed
        self.slider = _log_slider(lr, 0.001, 2, continuous=False)  # redraw when a move ends
        self.plot = _image(XOR_FIGSIZE)
        self.result = widgets.HTML()
        self.slider.add_class("nnfs-lr-xor-slider")
        self.plot.add_class("nnfs-lr-xor-plot")
        self.result.add_class("nnfs-lr-xor-result")
        super().__init__([widgets.HBox([self.slider, _keys_help()]), self.result, self.plot])
        self.add_class("nnfs-lr-xor")
        self._figure()
        self.slider.observe(self._redraw, names="value")
        self._redraw()

    def _figure(self) -> None:
        """The figure every redraw reuses: loss on the left, output map on the right.

        Everything that stays (axes, ticks, labels, colour bar) is drawn once and kept as a
        background; a redraw pastes it and draws only what moves (the loss curve, the map, its
        boundary, the points over it, the titles). The loss axis is fixed, 1e-5 to 10, so
        curves at different rates can be compared, like the map's fixed colours."""
        self._fig = fig = Figure(figsize=XOR_FIGSIZE, dpi=DPI)
        self._canvas = FigureCanvasAgg(fig)  # no pyplot: nothing is shown in the notebook by itself
        self._ax_loss, self._ax_map = fig.subplots(1, 2)
        ax = self._ax_loss
        (self._loss_line,) = ax.plot([], [], color="C0", animated=True)
        ax.set(xlabel="epoch", ylabel="loss", yscale="log", xlim=(0, self.epochs), ylim=XOR_LOSS_RANGE)
        ax.grid(alpha=0.3)
        xs = np.linspace(*XOR_GRID, self.resolution)
        g1, g2 = np.meshgrid(xs, xs)
        self._grid_points = np.column_stack([g1.ravel(), g2.ravel()])
        self._grid_x = xs
        norm = BoundaryNorm(XOR_LEVELS, plt.get_cmap("RdBu_r").N, extend="both")
        self._map = self._ax_map.imshow(np.zeros((self.resolution, self.resolution)), origin="lower",
                                        extent=(*XOR_GRID, *XOR_GRID), cmap="RdBu_r", norm=norm, alpha=0.7,
                                        interpolation="bilinear", animated=True)
        self._boundary = None
        X = np.array(XOR_X)
        self._points = self._ax_map.scatter(X[:, 0], X[:, 1], c=list(XOR_Y), cmap="RdBu_r", edgecolors="k",
                                            s=60, vmin=0, vmax=1, zorder=3, animated=True)
        self._ax_map.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
        fig.colorbar(self._map, ax=self._ax_map, fraction=0.046, ticks=[0, 0.5, 1])
        for axes in (self._ax_loss, self._ax_map):
            axes.set_title("lr = 0.000: output")  # room for the titles; they are drawn each time
            axes.title.set_animated(True)
        fig.tight_layout()
        self._canvas.draw()  # everything but the animated artists
        self._background = self._canvas.copy_from_bbox(fig.bbox)

    def _redraw(self, change: dict | None = None) -> None:
        self.lr = shown_rate(self.slider.value)
        self.net = XorNet.train(XOR_SIZES, self.seed, self.lr, self.epochs)
        self.losses = self.net.losses
        self.predictions = [float(p) for p in self.net(np.array(XOR_X))]
        self.text = xor_readout(self.lr, self.losses, self.predictions)
        self.result.value = html.escape(self.text)
        self.plot.value = self._draw()

    def _draw(self) -> bytes:
        """Draw the current network over the kept background; the picture as PNG bytes."""
        losses = np.array(self.losses, dtype=float)
        epochs = np.arange(len(losses))
        shown = np.isfinite(losses)
        self._loss_line.set_data(epochs[shown], np.clip(losses[shown], *XOR_LOSS_RANGE))
        self._ax_loss.set_title(f"lr = {self.lr:g}: loss")
        grid = self.net(self._grid_points).reshape(self.resolution, self.resolution)
        self._map.set_data(np.nan_to_num(grid, nan=0.5))
        self._boundary = None
        if np.isfinite(grid).all() and grid.min() < 0.5 < grid.max() and np.ptp(grid) > 1e-3:
            self._boundary = self._ax_map.contour(self._grid_x, self._grid_x, grid, levels=[0.5],
                                                  colors="k", linewidths=1)
            self._boundary.remove()  # drawn below by hand, never kept in the axes
        self._ax_map.set_title(f"lr = {self.lr:g}: output")
        canvas = self._canvas
        canvas.restore_region(self._background)
        self._ax_loss.draw_artist(self._loss_line)
        self._ax_map.draw_artist(self._map)
        if self._boundary is not None:
            self._boundary.axes = self._ax_map
            self._ax_map.draw_artist(self._boundary)
        self._ax_map.draw_artist(self._points)
        self._ax_loss.draw_artist(self._ax_loss.title)
        self._ax_map.draw_artist(self._ax_map.title)
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        PIL.Image.fromarray(rgba).save(buf, format="png", compress_level=3)
        return buf.getvalue()

    def __repr__(self) -> str:
        verdict = self.text[self.text.rindex("("):]  # e.g. "(XOR solved)"; Jupyter cuts at 110 characters
        return (f"<XorWidget: learning rate {self.lr:g}, {len(self.losses)} epochs, "
                f"loss {self.losses[-1]:.3g} {verdict}>")
