"""course_lib.torch_graph: PyTorch's autograd graph drawn deterministically."""

import re
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from course_lib.torch_graph import draw_graph, trace_grad_fn  # noqa: E402


def neuron():
    """o = tanh(x . w + b), the neuron of notebook 03, after backward()."""
    x = torch.tensor([2.0, 0.0], dtype=torch.float64)
    w = torch.tensor([-3.0, 1.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(6.8813735870195432, dtype=torch.float64, requires_grad=True)
    o = torch.tanh(x @ w + b)
    o.backward()
    return o, w, b


def test_importing_the_module_does_not_import_torch():
    code = "import sys, course_lib.torch_graph; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_neuron_graph_shows_operations_leaves_and_gradients():
    o, w, b = neuron()
    source = draw_graph(o, {"w": w, "b": b}, output_name="o", rankdir="LR").source
    for text in ("TanhBackward0", "AddBackward0", "DotBackward0"):
        assert text in source
    # fields stacked (no braces in left-to-right), numbers to 4 significant digits
    assert '"w | shape (2,) | data [-3, 1] | grad [1, 0]"' in source
    assert '"b | shape () | data 6.881 | grad 0.5"' in source
    assert '"o | shape () | data 0.7071"' in source
    assert '"{ o | shape () | data 0.7071 }"' in draw_graph(o, output_name="o", rankdir="TB").source
    edges = re.findall(r"(\w+) -> (\w+)", source)
    assert len(edges) == 5  # dot->add, b->add, add->tanh, w->dot, tanh->out


def test_names_are_deterministic_and_free_of_addresses():
    first = draw_graph(neuron()[0]).source
    second = draw_graph(neuron()[0]).source
    assert first == second
    assert "0x" not in first
    assert not re.search(r"\d{6,}", first)  # no id() numbers
    names = set(re.findall(r"^\s*(\w+) \[", first, flags=re.M))
    assert names == {"n0", "n1", "n2", "n3", "n4", "out", "graph"}


def test_model_graph_names_parameters_and_hides_data():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    loss = ((model(torch.randn(4, 2)) - 1) ** 2).mean()
    graph = draw_graph(loss, dict(model.named_parameters()), output_name="loss", rankdir="LR")
    source = graph.source
    for name in ("0.weight", "0.bias", "2.weight", "2.bias", "AddmmBackward0", "TBackward0", "MeanBackward0"):
        assert name in source
    assert '"0.weight | shape (3, 2)"' in source  # 6 numbers: shape only
    assert "leaf" not in source  # every leaf has a name; the input data is not drawn
    assert repr(graph).startswith("<computation graph: 8 operations, 4 leaf tensors. ")


def test_shared_parameter_appears_once():
    w = torch.tensor(2.0, requires_grad=True)
    y = w * w + w
    nodes, edges = trace_grad_fn(y)
    leaves = [fn for fn in nodes if hasattr(fn, "variable")]
    assert len(leaves) == 1
    assert len(edges) == 4  # mul->add, w->mul twice, w->add
    assert "leaf | shape ()" in draw_graph(y).source  # unnamed leaves are called 'leaf'


def test_svg_renders():
    o, w, b = neuron()
    svg = draw_graph(o, {"w": w, "b": b}).pipe(format="svg", encoding="utf-8")
    assert "TanhBackward0" in svg and "<svg" in svg


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: 3.0, TypeError, "needs a torch.Tensor, got float"),
        (lambda: torch.tensor(1.0, requires_grad=True), ValueError, "no grad_fn"),
        (lambda: torch.tensor([1.0, 2.0]) * 2, ValueError, "requires_grad=True"),
    ],
)
def test_bad_outputs_give_clear_errors(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        draw_graph(make())


def test_bad_arguments_give_clear_errors():
    o, w, b = neuron()
    with pytest.raises(ValueError, match="max_nodes=5"):
        draw_graph(o, max_nodes=3)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(o, rankdir="up")
    with pytest.raises(TypeError, match=r"params\['w'\] should be a tensor"):
        draw_graph(o, {"w": [1.0, 2.0]})


def test_tiny_numbers_keep_their_digits():
    w = torch.tensor(3e-6, dtype=torch.float64, requires_grad=True)
    source = draw_graph(w * 1e300, {"w": w}, rankdir="LR").source
    assert "data 3e-06" in source and "data 3e+294" in source


def test_long_graph_fits_the_column_without_dot(monkeypatch, tmp_path):
    """08's MLP graph: drawn by the WebAssembly Graphviz, and no wider than the column."""
    from course_lib.viz import COLUMN_PX, FONT_PX, MIN_TEXT_PX, natural_size

    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    loss = ((model(torch.randn(4, 2)) - 1) ** 2).mean()
    graph = draw_graph(loss, dict(model.named_parameters()), output_name="loss")
    natural = natural_size(graph.svg())[0]
    shown = natural_size(graph.fitted_svg().replace("px", "pt"))[0] * 3 / 4
    assert shown <= COLUMN_PX and FONT_PX * shown / natural >= MIN_TEXT_PX
    assert "MeanBackward0" in graph._repr_mimebundle_()["image/svg+xml"]
