"""The backprop stepper, driven from Python: move the slider, read the caption and the SVG."""

from __future__ import annotations

import html
import random
import re

import pytest

from course_lib import Value
from course_lib.widgets.stepper import HIGHLIGHT, BackpropStepper, draw_topological_order, topological_order


def neuron():
    """The lesson's two-input neuron; returns (output, {label: node})."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    nodes = dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n, o=o)
    for name, node in nodes.items():
        node.label = name
    return o, nodes


def highlighted_labels(svg: str) -> list[str]:
    """The text of every SVG node group filled with the stepper's highlight colour."""
    groups = re.findall(r'<g id="node\d+" class="node">(.*?)</g>', svg, flags=re.S)
    return [html.unescape(" ".join(re.findall(r">([^<]*)</text>", g)))
            for g in groups if f'fill="{HIGHLIGHT}"' in g]


def caption_text(st) -> str:
    """The caption as the learner reads it: the hidden sizer and tags removed, entities decoded."""
    shown = re.sub(r'<p class="nnfs-stepper-sizer".*?</p>', "", st.caption.value, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", shown))


def test_steps_follow_reverse_topological_order_and_skip_leaves():
    o, v = neuron()
    st = BackpropStepper(o)
    assert st.n_steps == 5  # five operations: tanh, +, +, *, *
    assert st.slider.min == 0 and st.slider.max == 5 and st.slider.value == 0
    assert [st.highlighted(k) for k in range(6)] == [o, o, v["n"], v["x1w1x2w2"], v["x2w2"], v["x1w1"]]
    assert st.order == o.topological_order()


def test_css_classes_for_browser_tests():
    st = BackpropStepper(neuron()[0])
    assert "nnfs-stepper" in st._dom_classes
    assert "nnfs-stepper-slider" in st.slider._dom_classes
    assert "nnfs-stepper-caption" in st.caption._dom_classes
    assert "nnfs-stepper-graph" in st.graph._dom_classes


def test_moving_the_slider_changes_graph_caption_and_highlight():
    st = BackpropStepper(neuron()[0])
    assert caption_text(st).startswith("step 0 of 5: seed: the output 'o' gets grad 1")
    assert "<b>step 0 of 5</b>" in st.caption.value
    assert highlighted_labels(st.graph.value) == ["#10 o data 0.7071 grad 1"]
    svg0, caption0 = st.graph.value, st.caption.value

    st.slider.value = 2
    assert st.graph.value != svg0 and st.caption.value != caption0
    assert "step 2 of 5: processing node 'n' (op +, grad 0.5)" in caption_text(st)
    assert highlighted_labels(st.graph.value) == ["#9 n data 0.8814 grad 0.5"]
    assert "grad of 'x1w1x2w2' 0 -> 0.5, 'b' 0 -> 0.5" in caption_text(st)

    st.slider.value = 5
    assert highlighted_labels(st.graph.value) == ["#3 x1w1 data -6 grad 0.5"]
    assert "Last step" in st.caption.value
    assert "grad -1.5<" in html.unescape(st.graph.value)  # x1's gradient has arrived

    st.slider.value = 0  # going back shows the seed again
    assert st.graph.value == svg0 and st.caption.value == caption0


def test_the_number_of_nonzero_grads_grows():
    st = BackpropStepper(neuron()[0])
    counts = []
    for k in range(st.n_steps + 1):
        st.slider.value = k
        counts.append(sum(g != 0 for g in st.grads_at(k)))
        assert st.graph.value.count(">grad 0<") == len(st.order) - counts[-1]
    assert counts == [1, 2, 4, 6, 7, 9]  # w2's gradient is x2 * 0.5 = 0 even at the end


def test_last_step_equals_backward_and_graph_is_left_as_it_was():
    o, v = neuron()
    v["w1"].grad = 7.0  # the learner's graph holds some state already
    before = [n.grad for n in o.topological_order()]
    st = BackpropStepper(o)
    for k in range(st.n_steps + 1):
        st.slider.value = k
    assert [n.grad for n in o.topological_order()] == before  # untouched
    for n in o.topological_order():
        n.grad = 0.0
    o.backward()
    assert st.grads_at(st.n_steps) == pytest.approx([n.grad for n in o.topological_order()])


def test_a_node_used_twice_receives_both_pushes():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    st = BackpropStepper(b)
    text = st.describe(1, width=None)
    assert text.count("to 'a'") == 2
    assert "grad of 'a' 0 -> 2" in text


def test_works_on_a_handwritten_class_and_shows_the_assignment_bug():
    class Mini:  # closure-style _backward, no _local, _prev a set as in micrograd
        def __init__(self, data, prev=(), op="", label=""):
            self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(prev), op, label
            self._backward = lambda: None

        def __add__(self, other):
            out = Mini(self.data + other.data, (self, other), "+")

            def _backward():
                self.grad = out.grad  # the bug: assigns instead of adding
                other.grad = out.grad

            out._backward = _backward
            return out

    a = Mini(3.0, label="a")
    b = a + a
    st = BackpropStepper(b)
    assert st.n_steps == 1
    assert st.describe(1, width=None).endswith("grad of 'a' 0 -> 1. Last step: every grad is now filled in, "
                                   "as after backward().")
    assert "pushes" not in st.describe(1)  # no local derivatives stored, so only the effect is shown
    assert a.grad == 0.0 and b.grad == 0.0


def test_unlabelled_nodes_are_named_by_their_place_in_the_order():
    x = Value(1.5, label="x")
    y = (x * 2).exp()
    st = BackpropStepper(y)
    assert st.describe(1).startswith("step 1 of 2: processing node #4 (op exp")
    assert "to #3" in st.describe(1)


def test_draw_topological_order_labels_and_leaves_graph_alone():
    o, v = neuron()
    dot = draw_topological_order(o)
    for i, node in enumerate(o.topological_order(), start=1):
        assert f"#{i} {node.label}" in dot.source
    assert all(n.label and not n.label.startswith("#") for n in v.values())


def test_topological_order_matches_the_engine():
    random.seed(3)
    xs = [Value(random.uniform(0.5, 2)) for _ in range(4)]
    out = xs[0]
    for _ in range(30):
        a, b, kind = random.choice(xs), random.choice(xs), random.randrange(3)
        if kind == 0:
            out = out * a + b
        elif kind == 1:
            out = (out - a) / b.exp()
        else:
            out = (out * b).tanh() + a
        xs.append(out)
    assert topological_order(out) == out.topological_order()


def test_single_value_has_only_the_seed_step():
    st = BackpropStepper(Value(2.0, label="x"))
    assert st.n_steps == 0 and st.slider.max == 0
    assert st.describe(0, width=None) == (
        "step 0 of 0: seed: the output 'x' gets grad 1 (d out / d out = 1); every other grad is 0.")


def test_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="needs the output of a computation"):
        BackpropStepper(3.0)
    o, _ = neuron()
    with pytest.raises(ValueError, match="start must be a whole number from 0 to 5"):
        BackpropStepper(o, start=9)
    st = BackpropStepper(o, start=5)
    assert st.slider.value == 5 and "Last step" in st.caption.value
    with pytest.raises(ValueError, match="step must be a whole number from 0 to 5"):
        st.describe(-1)
    big = Value(0.0)
    for _ in range(200):
        big = big + 1.0
    with pytest.raises(ValueError, match="at most 300"):
        BackpropStepper(big)


def test_captions_wrap_between_words_and_keep_one_height():
    o, _ = neuron()
    st = BackpropStepper(o)
    for k in range(st.n_steps + 1):
        lines = st.describe(k).splitlines()
        assert all(len(line) <= 100 for line in lines)
        assert " ".join(lines) == st.describe(k, width=None)  # breaks only at spaces
    # every step's caption box holds the same invisible copy of the longest caption
    sizers = set()
    for k in range(st.n_steps + 1):
        st.slider.value = k
        sizers.add(re.search(r'<p class="nnfs-stepper-sizer".*?</p>', st.caption.value, flags=re.S).group(0))
        assert "word-break: normal" in st.caption.value and "visibility: hidden" in st.caption.value
    assert len(sizers) == 1
    longest = max((st.describe(k, width=None) for k in range(st.n_steps + 1)), key=len)
    assert html.escape(longest.split(": ", 1)[1]) in sizers.pop()


def test_graph_is_readable_and_keeps_its_layout():
    """The neuron's graph: one layout for every step, no wider than the column, text >= 11 px."""
    from course_lib.viz import COLUMN_PX, FONT_PX, MIN_TEXT_PX, natural_size

    o, _ = neuron()
    st = BackpropStepper(o)
    layouts = {st.draw(k).graph_attr["rankdir"] for k in range(st.n_steps + 1)}
    assert layouts == {st.rankdir}
    natural = natural_size(st.draw(2).svg())[0]
    shown = float(re.search(r'<svg style="[^"]*" width="([\d.]+)px"', st.graph.value).group(1))
    assert shown <= COLUMN_PX
    assert FONT_PX * shown / natural >= MIN_TEXT_PX


def test_friendly_repr_without_a_kernel():
    o, _ = neuron()
    st = BackpropStepper(o)
    assert repr(st) == ("<BackpropStepper: 5 steps of backward() over 10 values; "
                        ".describe(k) and .draw(k) show step k>")
    assert st._repr_mimebundle_()["text/plain"] == repr(st)  # short enough not to be cut with "..."
