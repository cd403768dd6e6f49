"""Draw a computation graph with Graphviz.

`draw_dot(root)` shows one box per value (label | data | grad) and one small
circle per operation, with arrows in the direction the computation flows.

It works on anything shaped like a `Value`: objects with `data`, `grad`,
`_prev` and `_op` (and optionally `label`), so the class you write yourself in
a notebook can be drawn too. Node names come from the order of a traversal,
never from memory addresses, so drawing the same graph twice gives the same
picture and the same DOT source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import graphviz

MAX_NODES = 300  # beyond this Graphviz gets slow and the picture unreadable

DOT_MISSING = """\
Graphviz's `dot` program was not found, so the graph cannot be drawn.
(`pip install graphviz` installs only the Python wrapper, not the program.)
Install the program, then restart the kernel:
  conda:          conda install -c conda-forge graphviz
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (then reopen the terminal)
The graph's DOT text is still available as `.source`."""


def _children(node: Any) -> list:
    """A node's inputs in a fixed order.

    Tuples and lists keep their order. A set (as in many hand-written Value
    classes) iterates in memory-address order, which changes between runs, so
    sort it by what the node shows instead.
    """
    prev = node._prev
    if isinstance(prev, (set, frozenset)):
        return sorted(prev, key=lambda c: (str(getattr(c, "label", "")), str(c._op), c.data))
    return list(prev)


def trace(root: Any) -> tuple[list, list[tuple[Any, Any]]]:
    """All nodes reachable from `root` and the (child, parent) edges between them.

    Both lists come in depth-first order from the root, so the result is the same
    every time for the same graph. Iterative, so very deep graphs work.
    """
    nodes, edges = [], []
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        kids = _children(node)
        edges.extend((child, node) for child in kids)
        stack.extend(reversed(kids))  # so the first child is visited first
    return nodes, edges


class Graph(graphviz.Digraph):
    """A `graphviz.Digraph` that explains itself when Graphviz is not installed."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": DOT_MISSING}

    def __repr__(self) -> str:
        return f"<computation graph: {self._counts}; show it in Jupyter, or see .source>"


def draw_dot(
    root: Any,
    rankdir: str = "LR",
    max_nodes: int = MAX_NODES,
    highlight: Iterable = (),
    highlight_color: str = "#ffd166",
) -> Graph:
    """Draw the graph that computed `root`: boxes are values, circles operations.

    rankdir: 'LR' (left to right) or 'TB' (top to bottom).
    max_nodes: refuse graphs with more values than this (raise it to draw bigger ones).
    highlight: nodes to fill with `highlight_color` (e.g. the one being processed).
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    nodes, edges = trace(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"this graph has {len(nodes)} values, more than max_nodes={max_nodes}; "
            f"Graphviz would be slow and the picture unreadable. Draw a smaller expression, "
            f"or pass max_nodes={len(nodes)} to draw it anyway."
        )
    marked: Collection[int] = {id(n) for n in highlight}
    names = {id(n): f"v{i}" for i, n in enumerate(nodes)}  # traversal order, not addresses

    dot = Graph(format="svg", graph_attr={"rankdir": rankdir})
    dot._counts = f"{len(nodes)} values, {sum(1 for n in nodes if n._op)} operations"
    for node in nodes:
        name = names[id(node)]
        label = str(getattr(node, "label", "") or "")
        fill = {"style": "filled", "fillcolor": highlight_color} if id(node) in marked else {}
        text = f"{{ {_escape(label)} | data {node.data:.4f} | grad {node.grad:.4f} }}"
        dot.node(name, label=text, shape="record", **fill)
        if node._op:  # a small node for the operation that produced this value
            dot.node(name + "_op", label=_escape(str(node._op)), shape="circle", width="0.3")
            dot.edge(name + "_op", name)
    for child, parent in edges:
        dot.edge(names[id(child)], names[id(parent)] + ("_op" if parent._op else ""))
    return dot


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a Graphviz record label."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text
