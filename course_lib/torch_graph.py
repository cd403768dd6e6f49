"""Draw the graph PyTorch's autograd records, in the style of `course_lib.viz.draw_dot`.

Every tensor computed from tensors that require gradients has a `grad_fn`: the
backward function of the operation that made it (`TanhBackward0`,
`AddmmBackward0`, ...). Its `next_functions` point to the backward functions of
the operation's inputs, down to one `AccumulateGrad` per leaf tensor (a
parameter), which adds the incoming gradient into that tensor's `.grad`.

`draw_graph(output, params)` walks that chain and draws circles for operations
and boxes for the leaves and the output. Node names come from the order of the
walk, never from memory addresses, so the same computation always gives the same
picture and DOT text.

torch is imported lazily, so importing this module does not need PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from course_lib.viz import Graph, choose_layout, number, record

MAX_NODES = 200
SMALL = 4  # tensors with at most this many numbers show their values, bigger ones their shape

Params = Mapping[str, Any] | Iterable[tuple[str, Any]] | None


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("draw_graph needs PyTorch: pip install torch") from None
    return torch


def trace_grad_fn(output: Any) -> tuple[list, list[tuple[Any, Any]]]:
    """All backward functions reachable from `output.grad_fn`, and the (input, user) edges.

    Depth-first from the output, following `next_functions` in their stored order,
    so the result is the same every time for the same computation. Iterative, so
    deep graphs work. `None` entries (inputs that need no gradient) are skipped.
    """
    torch = _torch()
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"draw_graph needs a torch.Tensor, got {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError(
            "this tensor has no grad_fn, so autograd recorded no graph for it: it is a leaf, "
            "or it was computed from tensors that do not require gradients (or inside torch.no_grad()). "
            "Compute it from a tensor with requires_grad=True, e.g. a model's parameters."
        )
    nodes, edges, seen = [], [], set()
    stack = [output.grad_fn]
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        nodes.append(fn)
        inputs = [nxt for nxt, _ in fn.next_functions if nxt is not None]
        edges.extend((nxt, fn) for nxt in inputs)
        stack.extend(reversed(inputs))  # so the first input is visited first
    return nodes, edges


def _values(t: Any) -> str:
    """A small tensor's numbers, 4 significant digits: '0.5' for one number, '[-3, 1.5]' for several."""
    if t.dim() == 0:
        return number(t.item())
    flat = t.detach().reshape(-1).tolist()
    return "[" + ", ".join(number(v) for v in flat) + "]"


def _describe(t: Any, name: str, rankdir: str) -> str:
    """Record label for a tensor: name / shape / data / grad (data and grad only when small)."""
    parts = [name, f"shape {tuple(t.shape)}"]
    if t.numel() <= SMALL:
        parts.append(f"data {_values(t)}")
        has_grad = t.is_leaf or t.retains_grad  # asking a non-leaf for .grad only warns
        if has_grad and t.grad is not None:
            parts.append(f"grad {_values(t.grad)}")
    return record(parts, rankdir)


def draw_graph(
    output: Any,
    params: Params = None,
    output_name: str = "output",
    rankdir: str | None = None,
    max_nodes: int = MAX_NODES,
    fit: bool = True,
) -> Graph:
    """Draw the autograd graph that computed `output` (a tensor with a `grad_fn`).

    params: names for the leaf tensors, e.g. `dict(model.named_parameters())` or
        `{'w': w, 'b': b}`; unnamed leaves are called 'leaf'.
    output_name: the label of the box for `output` itself (e.g. 'loss').
    Circles are backward functions (one per operation); boxes are tensors. Inputs
    that do not require gradients (the data) do not appear: autograd does not need them.
    rankdir: 'LR', 'TB', 'RL' or 'BT'; None (the default) draws left to right unless the
        graph is too long for the column. fit: False shows the natural size (see `draw_dot`).
    """
    torch = _torch()
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL', 'BT' or None, got {rankdir!r}")
    names: dict[int, str] = {}
    pairs = params.items() if isinstance(params, Mapping) else (params or ())
    for name, tensor in pairs:
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"params[{name!r}] should be a tensor, got {type(tensor).__name__}")
        names[id(tensor)] = str(name)

    nodes, edges = trace_grad_fn(output)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"this graph has {len(nodes)} operations and leaves, more than max_nodes={max_nodes}; "
            f"draw a smaller model, or pass max_nodes={len(nodes)} to draw it anyway."
        )
    ids = {id(fn): f"n{i}" for i, fn in enumerate(nodes)}  # walk order, not addresses

    n_ops = sum(1 for fn in nodes if not hasattr(fn, "variable"))

    def build(direction: str) -> Graph:
        dot = Graph.laid_out("autograd graph", direction, fit,
                             f"{n_ops} operations, {len(nodes) - n_ops} leaf tensors")
        for fn in nodes:
            node = ids[id(fn)]
            leaf: Any | None = getattr(fn, "variable", None)  # AccumulateGrad knows its leaf tensor
            if leaf is not None:
                dot.node(node, label=_describe(leaf, names.get(id(leaf), "leaf"), direction), shape="record")
            else:
                dot.node(node, label=type(fn).__name__, shape="ellipse")
        for src, dst in edges:
            dot.edge(ids[id(src)], ids[id(dst)])
        dot.node("out", label=_describe(output, output_name, direction), shape="record", style="filled",
                 fillcolor="#e8f1fa")
        dot.edge(ids[id(output.grad_fn)], "out")
        return dot

    return choose_layout(build, rankdir)
