"""draw_dot and trace: DOT content, determinism, size limit, missing Graphviz, other Value classes."""

import re
import shutil

import graphviz
import pytest

from course_lib import Value, draw_dot, trace
from course_lib.viz import DOT_MISSING


def blog_graph():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, (a, b, c, d, e, f)


def test_trace_finds_every_node_and_edge_in_order():
    L, (a, b, c, d, e, f) = blog_graph()
    nodes, edges = trace(L)
    assert [n.label for n in nodes] == ["L", "d", "e", "a", "b", "c", "f"]
    assert [(child.label, parent.label) for child, parent in edges] == [
        ("d", "L"), ("f", "L"), ("e", "d"), ("c", "d"), ("a", "e"), ("b", "e")]


def test_dot_source_has_records_and_operation_nodes():
    L, _ = blog_graph()
    L.backward()
    src = draw_dot(L).source
    assert 'v0 [label="{ L | data -8.0000 | grad 1.0000 }" shape=record]' in src
    assert 'v3 [label="{ a | data 2.0000 | grad 6.0000 }" shape=record]' in src
    assert 'v0_op [label="*" shape=circle' in src
    assert "rankdir=LR" in src
    assert len(re.findall(r"shape=record", src)) == 7  # one record per value
    assert len(re.findall(r"shape=circle", src)) == 3  # one circle per operation
    assert src.count("->") == 6 + 3  # data edges + operation -> result edges


def test_drawing_is_deterministic_and_has_no_addresses():
    first = draw_dot(blog_graph()[0])
    second = draw_dot(blog_graph()[0])  # a new graph: new objects at new addresses
    assert first.source == second.source
    assert "0x" not in first.source and "0x" not in repr(first)
    assert repr(first) == "<computation graph: 7 values, 3 operations; show it in Jupyter, or see .source>"


def test_reused_node_draws_two_edges():
    a = Value(3.0, label="a")
    b = a + a
    assert draw_dot(b).source.count("v1 -> v0_op") == 2


def test_rankdir_and_highlight():
    L, (a, *_) = blog_graph()
    src = draw_dot(L, rankdir="TB", highlight=[a]).source
    assert "rankdir=TB" in src
    assert re.search(r'v3 \[label="\{ a \|.*fillcolor="#ffd166".*style=filled', src)
    assert src.count("fillcolor") == 1
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(L, rankdir="sideways")


def test_labels_with_record_characters_are_escaped():
    v = Value(1.0, label="{x|y}")
    assert r"\{x\|y\}" in draw_dot(v).source


def test_size_limit_explains_how_to_override():
    x = Value(0.0)
    for _ in range(400):
        x = x + 1.0
    with pytest.raises(ValueError, match=r"801 values, more than max_nodes=300.*max_nodes=801"):
        draw_dot(x)
    assert draw_dot(x, max_nodes=801).source.count("shape=record") == 801


class LearnerValue:
    """A hand-written Value in the style of the lectures: children in a set."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(_children), _op, label

    def __add__(self, other):
        return LearnerValue(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return LearnerValue(self.data * other.data, (self, other), "*")


def test_draws_a_learners_own_class_deterministically():
    def build():
        a, b, c = LearnerValue(2.0, label="a"), LearnerValue(-3.0, label="b"), LearnerValue(10.0, label="c")
        return a * b + c

    sources = {draw_dot(build()).source for _ in range(20)}
    assert len(sources) == 1
    assert "{ a | data 2.0000 | grad 0.0000 }" in sources.pop()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_renders_svg_inline():
    bundle = draw_dot(blog_graph()[0])._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert svg.count('class="node"') == 7 + 3
    assert ">data &#45;8.0000<" in svg or ">data -8.0000<" in svg


def test_missing_dot_program_gives_one_clear_message(monkeypatch):
    def no_dot(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot", "-Kdot", "-Tsvg"])

    monkeypatch.setattr(graphviz.Digraph, "_repr_mimebundle_", no_dot)
    bundle = draw_dot(blog_graph()[0])._repr_mimebundle_()
    assert bundle == {"text/plain": DOT_MISSING}
    assert "conda install -c conda-forge graphviz" in DOT_MISSING
    assert "apt-get install graphviz" in DOT_MISSING


def test_missing_dot_program_for_real(monkeypatch, tmp_path):
    """With an empty PATH the real graphviz package cannot find dot."""
    monkeypatch.setenv("PATH", str(tmp_path))
    bundle = draw_dot(blog_graph()[0])._repr_mimebundle_()
    assert bundle == {"text/plain": DOT_MISSING}
