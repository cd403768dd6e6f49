"""An architecture explorer: pick an MLP's shape, see it drawn and its parameters counted.

    from course_lib.widgets.architecture import ArchitectureExplorer
    ArchitectureExplorer()                  # 3 inputs, two hidden layers of 4, 1 output
    ArchitectureExplorer(nin=2, nout=3)     # another input or output size (1 to 16)

What is drawn and counted: `MLP(nin, hidden + [nout])`. The input size `nin`
(3 by default) and the output size `nout` (1 by default) are fixed when you
create the explorer; the controls choose only the hidden layers:

- `layers`: how many hidden layers (0 to 5; 0 means the inputs feed the
  output neurons directly).
- `neurons`: the width of the *widest* hidden layer (1 to 16).
- `preset`: the shape of the hidden layers, built from those two numbers by
  `hidden_sizes()`: 'uniform' (all the same width), 'funnel' (halving towards
  the output), 'diamond' (narrow, widest in the middle, narrow) and
  'autoencoder' (wide, a bottleneck in the middle, wide).

The readout "Parameters: 41" is `len(MLP(...).parameters())` of a real network
built on the spot (Python's random state is restored afterwards, so your own
seeded results do not change), shown beside the formula
sum over layers of (n_in + 1) * n_out.

Attributes and CSS classes (for browser tests):

- the whole widget          `nnfs-arch`
- `.layers`  (IntSlider)    `nnfs-arch-layers`
- `.neurons` (IntSlider)    `nnfs-arch-neurons`
- `.preset`  (Dropdown)     `nnfs-arch-preset`
- `.count`   (HTML)         `nnfs-arch-count`   e.g. "Parameters: 41" and the sum
- `.drawing` (Image, PNG)   `nnfs-arch-drawing`

`draw_network(sizes)` makes the same drawing as a normal matplotlib figure, for
a static picture that reads without a running kernel.
"""

from __future__ import annotations

import io
import math
import numbers
import random
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from course_lib.nn import MLP

MAX_LAYERS = 5  # hidden layers
MAX_NEURONS = 16  # per layer, inputs and outputs included: beyond this the drawing is a grey blur
PRESETS = {
    "uniform": "same width",
    "funnel": "funnel (narrowing)",
    "diamond": "diamond (wide middle)",
    "autoencoder": "autoencoder (bottleneck)",
}
COLORS = {"input": "#8ecae6", "hidden": "#ffd166", "output": "#ef476f"}


def _whole(name: str, value: object, low: int, high: int) -> int:
    """`value` as an int if it is a whole number (int or NumPy integer) in [low, high], else a ValueError."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def hidden_sizes(preset: str, layers: int, neurons: int) -> list[int]:
    """The hidden layer sizes of a preset shape; `neurons` is the widest layer.

    >>> hidden_sizes('funnel', 4, 8)
    [8, 4, 2, 1]
    >>> hidden_sizes('diamond', 4, 8), hidden_sizes('autoencoder', 5, 8)
    ([4, 8, 8, 4], [8, 4, 2, 4, 8])
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {list(PRESETS)}")
    layers = _whole("layers", layers, 0, MAX_LAYERS)
    neurons = _whole("neurons", neurons, 1, MAX_NEURONS)
    middle = (layers - 1) / 2
    sizes = []
    for i in range(layers):
        steps_from_middle = math.floor(abs(i - middle))  # 0 for the middle layer (both middle ones if even)
        halvings = {
            "uniform": 0,
            "funnel": i,  # each layer half as wide as the one before
            "diamond": steps_from_middle,  # widest in the middle
            "autoencoder": math.floor(middle) - steps_from_middle,  # narrowest in the middle
        }[preset]
        sizes.append(max(1, -(-neurons // 2**halvings)))  # halve, rounding up
    return sizes


def parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of an MLP with layer sizes [n_in, hidden..., n_out].

    Each layer with n_in inputs and n_out neurons has n_out * n_in weights and
    n_out biases, so (n_in + 1) * n_out parameters.
    """
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def count_with_mlp(nin: int, nouts: Sequence[int]) -> int:
    """len(MLP(nin, nouts).parameters()), without disturbing Python's random numbers."""
    state = random.getstate()
    try:
        return len(MLP(nin, list(nouts)).parameters())
    finally:
        random.setstate(state)  # building the MLP drew random weights; undo that


def formula_text(sizes: Sequence[int]) -> str:
    """The parameter count written out: '(3+1)×4 + (4+1)×4 + (4+1)×1 = 16 + 20 + 5 = 41'."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    terms = " + ".join(f"({a}+1)×{b}" for a, b in pairs)
    if len(pairs) == 1:
        return f"{terms} = {parameter_count(sizes)}"
    values = " + ".join(str((a + 1) * b) for a, b in pairs)
    return f"{terms} = {values} = {parameter_count(sizes)}"


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes lists the inputs and at least one layer, e.g. [3, 4, 4, 1]; got {sizes!r}")
    if len(sizes) > MAX_LAYERS + 2:
        raise ValueError(f"at most {MAX_LAYERS} hidden layers can be drawn, got {len(sizes) - 2}")
    return [_whole("every layer size", s, 1, MAX_NEURONS) for s in sizes]


def draw_network(sizes: Sequence[int], ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Draw an MLP with layer sizes [n_in, hidden..., n_out]: neurons as circles, weights as lines.

    Each column is a layer (inputs on the left); every neuron is joined to every
    neuron of the previous column, one line per weight. Above each gap between
    columns is that layer's parameter count, (n_in + 1) × n_out.
    """
    sizes = _check_sizes(sizes)
    if ax is None:
        ax = plt.subplots(figsize=(7, 3.6))[1]
    # neurons are one unit apart, centred on 0; the tallest column fills the band
    # between BOTTOM and TOP (fractions of the axes height), the text goes around it
    bottom, top = 0.2, 0.76
    spread = max(max(sizes) - 1, 1)
    room = spread / (top - bottom)  # the whole y range, in neuron spacings
    ax.set_ylim(-spread / 2 - bottom * room, spread / 2 + (1 - top) * room)
    last = len(sizes) - 1
    ax.set_xlim(-0.6, last + 0.6)
    ax.axis("off")
    at_height = blended_transform_factory(ax.transData, ax.transAxes)  # x in layers, y in axes fractions
    ys = [[(n - 1) / 2 - j for j in range(n)] for n in sizes]

    for i in range(last):  # the weights between column i and column i + 1, and their count
        segments = [[(i, a), (i + 1, b)] for a in ys[i] for b in ys[i + 1]]
        crowd = len(segments)
        ax.add_collection(LineCollection(segments, colors="0.45", zorder=1,
                                         linewidths=1.2 if crowd <= 16 else 0.6,
                                         alpha=min(0.9, 3.0 / math.sqrt(crowd))))
        a, b = sizes[i], sizes[i + 1]
        ax.text(i + 0.5, top + 0.03, f"({a}+1)×{b}\n= {(a + 1) * b}", transform=at_height,
                ha="center", va="bottom", fontsize=8, color="0.25")

    # circles: at most 20 points wide, and smaller when neurons are packed closer
    band_points = ax.figure.get_size_inches()[1] * 72 * ax.get_position().height * (top - bottom)
    diameter = min(20.0, 0.62 * band_points / max(max(sizes), 2))
    for i, n in enumerate(sizes):
        kind = "input" if i == 0 else "output" if i == last else "hidden"
        ax.scatter([i] * n, ys[i], s=diameter**2, c=COLORS[kind], edgecolors="k", linewidths=0.8, zorder=2)
        name = "inputs" if i == 0 else "output" if i == last else f"hidden {i}"
        ax.text(i, bottom - 0.06, f"{name}\n{n}", transform=at_height, ha="center", va="top", fontsize=8)

    if title is None:
        title = f"MLP({sizes[0]}, {sizes[1:]}): {parameter_count(sizes)} parameters"
    # a plain text, not ax.set_title: placing a title measures the (hidden) axes, which is slow
    ax.text(0.5, 1.0, title, transform=ax.transAxes, ha="center", va="top", fontsize=10)
    return ax


def network_png(sizes: Sequence[int], dpi: int = 100) -> bytes:
    """`draw_network(sizes)` as PNG bytes; nothing is shown and no pyplot figure is left open."""
    fig = Figure(figsize=(7, 3.6))  # not pyplot: nothing to close, nothing shown by accident
    draw_network(sizes, ax=fig.add_axes((0.01, 0.01, 0.98, 0.98)))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class ArchitectureExplorer(widgets.VBox):
    """Sliders for the hidden layers, a preset shape, the network drawn and its parameter count.

    nin, nout: the input size and the number of output neurons (fixed, 1 to 16).
    layers, neurons, preset: the starting values of the controls.

    Attributes: `layers`, `neurons` (IntSlider), `preset` (Dropdown), `count`
    (HTML readout), `drawing` (Image, PNG); `nin`, `nout`; `n_parameters` (the
    count shown); properties `hidden` (hidden sizes) and `sizes` ([nin, *hidden, nout]).
    """

    def __init__(self, nin: int = 3, nout: int = 1, layers: int = 2, neurons: int = 4,
                 preset: str = "uniform") -> None:
        self.nin = _whole("nin (the number of inputs)", nin, 1, MAX_NEURONS)
        self.nout = _whole("nout (the number of outputs)", nout, 1, MAX_NEURONS)
        hidden_sizes(preset, layers, neurons)  # checks all three, with clear messages
        layers, neurons = _whole("layers", layers, 0, MAX_LAYERS), _whole("neurons", neurons, 1, MAX_NEURONS)
        self.n_parameters = 0

        self.layers = widgets.IntSlider(value=layers, min=0, max=MAX_LAYERS, description="hidden layers",
                                        continuous_update=False, style={"description_width": "initial"})
        self.neurons = widgets.IntSlider(value=neurons, min=1, max=MAX_NEURONS, description="widest layer",
                                         continuous_update=False, style={"description_width": "initial"})
        self.preset = widgets.Dropdown(options=[(text, key) for key, text in PRESETS.items()], value=preset,
                                       description="shape")
        self.count = widgets.HTML()
        # shown one PNG pixel per CSS pixel (network_png is 7 in x 100 dpi): not stretched, not blurred
        self.drawing = widgets.Image(format="png", layout=widgets.Layout(width="700px", max_width="100%",
                                                                         height="auto"))
        for part, name in [(self.layers, "layers"), (self.neurons, "neurons"), (self.preset, "preset"),
                           (self.count, "count"), (self.drawing, "drawing")]:
            part.add_class(f"nnfs-arch-{name}")
        controls = widgets.HBox([self.layers, self.neurons, self.preset],
                                layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([controls, self.count, self.drawing])
        self.add_class("nnfs-arch")

        for control in (self.layers, self.neurons, self.preset):
            control.observe(self._update, names="value")
        self._update()

    @property
    def hidden(self) -> list[int]:
        return hidden_sizes(self.preset.value, self.layers.value, self.neurons.value)

    @property
    def sizes(self) -> list[int]:
        return [self.nin, *self.hidden, self.nout]

    def _update(self, change: object = None) -> None:
        sizes = self.sizes
        self.neurons.disabled = self.layers.value == 0  # no hidden layer: width means nothing
        self.n_parameters = count_with_mlp(self.nin, sizes[1:])
        arrows = " → ".join(str(s) for s in sizes)
        self.count.value = (
            f"<b>Parameters: {self.n_parameters}</b> &nbsp; MLP({self.nin}, {sizes[1:]}), "
            f"layer sizes {arrows}<br>sum of (n_in + 1) × n_out: {formula_text(sizes)}"
        )
        self.drawing.value = network_png(sizes)

    def __repr__(self) -> str:
        return f"<ArchitectureExplorer: MLP({self.nin}, {self.sizes[1:]}), {self.n_parameters} parameters>"

