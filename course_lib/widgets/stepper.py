"""A backprop stepper: watch `backward()` fill in the gradients one node at a time.

    from course_lib.widgets.stepper import BackpropStepper
    stepper = BackpropStepper(o)      # o: the output Value of a small graph
    stepper                           # shows the slider, a caption and the graph

What one step means:

- step 0: every gradient is 0 except the output's, which is seeded to 1
  (d o / d o = 1). The output is highlighted: it is the next to push.
- step k: the first k *operation* nodes in reverse topological order have
  each called `_backward()`, pushing (local derivative x own grad) to their
  children. The k-th one, the node just processed, is highlighted. Leaves
  (inputs and weights) have no children, so they are not steps of their own.
- the last step shows the same gradients as a fresh `backward()`.

Your graph is left as it was. The gradients of every step are computed once,
when the stepper is built, on your own nodes (by calling their `_backward()`,
starting from all-zero grads); then every `.grad` is put back to the value it
had before. Moving the slider only redraws stored numbers and never touches
your graph. Call `o.backward()` yourself to keep the gradients.

Works on anything shaped like a `Value` (`data`, `grad`, `_prev`, `_op`,
`_backward()`, optional `label`), so a Value class written in a notebook can
be stepped through too, bugs included.

Readable at any step: the layout (left to right, or top to bottom for long
graphs) is chosen once, so the graph does not jump between steps; it is
scaled to the column with its text kept at least 11 px tall. The caption box
is as tall as the longest caption, so moving the slider never moves the graph.

CSS classes (for browser tests): `nnfs-stepper` (the whole widget),
`nnfs-stepper-slider`, `nnfs-stepper-caption`, `nnfs-stepper-graph`.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from course_lib.viz import MAX_NODES, _children, draw_dot, number

HIGHLIGHT = "#ff9f1c"  # orange: distinct from draw_dot's default yellow and from unfilled nodes


def topological_order(root: Any) -> list:
    """Every node reachable from `root`, each after all of its children.

    The same depth-first order as `Value.topological_order()`, but for any
    Value-like object, and without recursion.
    """
    order, seen = [], {id(root)}
    stack = [(root, iter(_children(root)))]
    while stack:
        node, kids = stack[-1]
        for child in kids:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(_children(child))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


class _Shadow:
    """A stand-in node for drawing: stored numbers, never the learner's live grads."""

    __slots__ = ("data", "grad", "label", "_prev", "_op")

    def __init__(self, data: float, grad: float, label: str, op: str) -> None:
        self.data, self.grad, self.label, self._op = data, grad, label, op
        self._prev: tuple = ()


def draw_topological_order(root: Any, grads: list[float] | None = None, rankdir: str | None = None,
                           highlight: tuple = (), highlight_color: str = HIGHLIGHT):
    """Draw the graph of `root` with each value labelled `#i label`, i its place in the order.

    `backward()` handles the nodes from the highest number down to #1. `grads`
    (one per node, in topological order) replaces the grads shown; `highlight`
    takes nodes of the original graph. The original graph is not changed.
    rankdir: as in `draw_dot` (None: left to right unless the graph is too long).
    """
    order = topological_order(root)
    if len(order) > MAX_NODES:
        raise ValueError(
            f"this graph has {len(order)} values; the stepper draws at most {MAX_NODES}. "
            "Step through a smaller expression."
        )
    grads = [n.grad for n in order] if grads is None else grads
    shadows = {}
    for i, (node, g) in enumerate(zip(order, grads), start=1):
        label = str(getattr(node, "label", "") or "")
        shadows[id(node)] = _Shadow(node.data, g, f"#{i} {label}".rstrip(), str(node._op))
    for node in order:
        shadows[id(node)]._prev = tuple(shadows[id(c)] for c in _children(node))
    marked = [shadows[id(n)] for n in highlight]
    return draw_dot(shadows[id(root)], rankdir=rankdir, highlight=marked, highlight_color=highlight_color)


@dataclass
class Step:
    """One step of the backward pass: `node` pushed `amounts` to `children`."""

    node: Any
    children: list
    locals_: list[float]
    node_grad: float
    amounts: list[float]
    grads: list[float]  # every node's grad after this step, in topological order
    before: list[float] | None = None  # every node's grad before this step


class BackpropStepper(widgets.VBox):
    """A slider over the steps of `backward()` with the graph redrawn at each step.

    Attributes: `slider` (IntSlider, 0..n_steps), `caption` (HTML readout),
    `graph` (HTML holding the SVG), `order` (nodes in topological order),
    `steps` (list of `Step`; `steps[0]` is the seed). Methods: `describe(k)`,
    `draw(k)`, `svg(k)`, `grads_at(k)`, `highlighted(k)`.
    """

    def __init__(self, root: Any, rankdir: str | None = None, highlight_color: str = HIGHLIGHT,
                 start: int = 0) -> None:
        for attr in ("data", "grad", "_prev", "_op", "_backward"):
            if not hasattr(root, attr):
                raise TypeError(
                    f"BackpropStepper needs the output of a computation (a Value), got "
                    f"{type(root).__name__} with no attribute {attr!r}"
                )
        self.root, self.rankdir, self.highlight_color = root, rankdir, highlight_color
        self.order = topological_order(root)
        if len(self.order) > MAX_NODES:
            raise ValueError(
                f"this graph has {len(self.order)} values; the stepper draws at most {MAX_NODES}. "
                "Step through a smaller expression."
            )
        self._pos = {id(n): i for i, n in enumerate(self.order, start=1)}
        self.steps = self._record_steps()
        self.n_steps = len(self.steps) - 1
        if not isinstance(start, int) or not 0 <= start <= self.n_steps:
            raise ValueError(f"start must be a whole number from 0 to {self.n_steps}, got {start!r}")
        self._svg_cache: dict[int, str] = {}
        if rankdir is None:  # choose once, from the last step, so every step has the same layout
            self.rankdir = self.draw(self.n_steps).graph_attr["rankdir"]
        # an invisible copy of the longest caption gives the caption box a fixed height
        longest = max((self.describe(k, width=None) for k in range(self.n_steps + 1)), key=len)
        self._sizer = self._caption_html(longest, 'class="nnfs-stepper-sizer" aria-hidden="true" '
                                                  'style="grid-area: 1 / 1; visibility: hidden; margin: 0"')

        self.slider = widgets.IntSlider(value=start, min=0, max=self.n_steps, step=1,
                                        description="step", continuous_update=True)
        self.caption = widgets.HTML()
        self.graph = widgets.HTML()
        self.slider.add_class("nnfs-stepper-slider")
        self.caption.add_class("nnfs-stepper-caption")
        self.graph.add_class("nnfs-stepper-graph")
        super().__init__([self.slider, self.caption, self.graph])
        self.add_class("nnfs-stepper")
        self.slider.observe(self._on_change, names="value")
        self._show(start)

    # ---- the numbers ----------------------------------------------------------
    def _record_steps(self) -> list[Step]:
        """Run backward one `_backward()` at a time on the real graph, then restore every grad."""
        saved = [n.grad for n in self.order]
        try:
            for n in self.order:
                n.grad = 0.0
            self.root.grad = 1.0
            steps = [Step(self.root, [], [], 1.0, [], self._grads())]
            for node in reversed(self.order):
                kids = list(_children(node))
                if not kids:  # a leaf has nobody to pass its gradient to
                    continue
                g = float(node.grad)
                local = [float(x) for x in getattr(node, "_local", ())]
                before = self._grads()
                node._backward()
                steps.append(Step(node, kids, local, g, [lo * g for lo in local], self._grads(), before))
        finally:
            for n, g in zip(self.order, saved):
                n.grad = g
        return steps

    def _grads(self) -> list[float]:
        return [float(n.grad) for n in self.order]

    def _check(self, k: int) -> int:
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= self.n_steps:
            raise ValueError(f"step must be a whole number from 0 to {self.n_steps}, got {k!r}")
        return k

    def grads_at(self, k: int) -> list[float]:
        """Every node's gradient after step k, in topological order."""
        return list(self.steps[self._check(k)].grads)

    def highlighted(self, k: int) -> Any:
        """The node highlighted at step k: the output at step 0, else the node just processed."""
        return self.steps[self._check(k)].node

    def name(self, node: Any) -> str:
        """How captions refer to a node: its label in quotes, or its place in the order."""
        label = str(getattr(node, "label", "") or "")
        return f"'{label}'" if label else f"#{self._pos[id(node)]}"

    def describe(self, k: int, width: int | None = 100) -> str:
        """The caption of step k, as plain text wrapped at `width` characters (None: one line)."""
        text = self._describe(k)
        return textwrap.fill(text, width, break_on_hyphens=False) if width else text

    def _describe(self, k: int) -> str:
        step = self.steps[self._check(k)]
        head = f"step {k} of {self.n_steps}: "
        if k == 0:
            nxt = self.steps[1].node if self.n_steps else None
            text = (f"seed: the output {self.name(self.root)} gets grad 1 (d out / d out = 1); "
                    "every other grad is 0.")
            if nxt is not None:
                text += f" Next, {self.name(nxt)} (op {nxt._op}) pushes to its children."
            return head + text
        text = f"processing node {self.name(step.node)} (op {step.node._op}, grad {number(step.node_grad)}): "
        if len(step.locals_) == len(step.children):  # local derivatives known: show each push
            text += "pushes local derivative x grad: " + ", ".join(
                f"{number(lo)} x {number(step.node_grad)} = {number(a)} to {self.name(c)}"
                for c, lo, a in zip(step.children, step.locals_, step.amounts)
            ) + "; "
        where = [self._pos[id(c)] - 1 for c in {id(c): c for c in step.children}.values()]  # each child once
        text += "grad of " + ", ".join(
            f"{self.name(self.order[i])} {number(step.before[i])} -> {number(step.grads[i])}" for i in where
        ) + "."
        if k == self.n_steps:
            text += " Last step: every grad is now filled in, as after backward()."
        return head + text

    # ---- the pictures -----------------------------------------------------------
    def draw(self, k: int):
        """The graph at step k (a Graphviz object: shows inline, works without a kernel)."""
        step = self.steps[self._check(k)]
        return draw_topological_order(self.root, step.grads, rankdir=self.rankdir,
                                      highlight=(step.node,), highlight_color=self.highlight_color)

    def svg(self, k: int) -> str:
        """The SVG text of the graph at step k, fitted to the column (cached: Graphviz runs once per step)."""
        k = self._check(k)
        if k not in self._svg_cache:
            self._svg_cache[k] = self.draw(k).fitted_svg()
        return self._svg_cache[k]

    @staticmethod
    def _caption_html(text: str, attributes: str) -> str:
        head, rest = text.split(": ", 1)  # "step k of n", then what happens
        # wrap between words only (a caption names nodes like 'x1w1x2w2')
        style = "white-space: normal; overflow-wrap: normal; word-break: normal; line-height: 1.4"
        return f'<p {attributes[:-1]}; {style}"><b>{html.escape(head)}</b>: {html.escape(rest)}</p>'

    def _show(self, k: int) -> None:
        # the graph first: the browser applies updates in order, so once the caption says step k,
        # the graph shows step k too. The fitted SVG is at most the column's width; narrower
        # windows scale it further.
        self.graph.value = self.svg(k).replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)
        shown = self._caption_html(self.describe(k, width=None), 'style="grid-area: 1 / 1; margin: 0"')
        self.caption.value = f'<div style="display: grid">{shown}{self._sizer}</div>'

    def __repr__(self) -> str:
        # Jupyter cuts a widget's text form at 110 characters
        return (f"<BackpropStepper: {self.n_steps} steps of backward() over {len(self.order)} values; "
                f".describe(k) and .draw(k) show step k>")

    def _on_change(self, change: dict) -> None:
        self._show(change["new"])
