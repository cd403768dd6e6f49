"""Values and gradients of every Value operation, its error messages, and very deep graphs."""

import gc
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.engine import Value

# (name, function of Values, inputs, function of floats, d/d(each input) of floats)
UNARY = [
    ("tanh", lambda a: a.tanh(), 0.7, math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    ("exp", lambda a: a.exp(), 0.7, math.exp, math.exp),
    ("log", lambda a: a.log(), 0.7, math.log, lambda x: 1 / x),
    ("relu+", lambda a: a.relu(), 0.7, lambda x: max(x, 0.0), lambda x: 1.0),
    ("relu-", lambda a: a.relu(), -0.7, lambda x: max(x, 0.0), lambda x: 0.0),
    ("sigmoid", lambda a: a.sigmoid(), 0.7, lambda x: 1 / (1 + math.exp(-x)),
     lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    ("neg", lambda a: -a, 0.7, lambda x: -x, lambda x: -1.0),
    ("square", lambda a: a**2, -1.5, lambda x: x**2, lambda x: 2 * x),
    ("cube root", lambda a: a ** (1 / 3), 8.0, lambda x: x ** (1 / 3), lambda x: x ** (-2 / 3) / 3),
    ("reciprocal", lambda a: a**-1, 4.0, lambda x: 1 / x, lambda x: -1 / x**2),
    ("2**a", lambda a: 2**a, 1.5, lambda x: 2**x, lambda x: 2**x * math.log(2)),
]

BINARY = [
    ("add", lambda a, b: a + b, lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    ("sub", lambda a, b: a - b, lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    ("mul", lambda a, b: a * b, lambda x, y: x * y, lambda x, y: (y, x)),
    ("div", lambda a, b: a / b, lambda x, y: x / y, lambda x, y: (1 / y, -x / y**2)),
    ("pow", lambda a, b: a**b, lambda x, y: x**y, lambda x, y: (y * x ** (y - 1), x**y * math.log(x))),
]


@pytest.mark.parametrize("name, op, x, f, df", UNARY, ids=[u[0] for u in UNARY])
def test_unary_value_and_gradient(name, op, x, f, df):
    a = Value(x)
    out = op(a)
    out.backward()
    assert out.data == pytest.approx(f(x), rel=1e-12)
    assert a.grad == pytest.approx(df(x), rel=1e-12)


@pytest.mark.parametrize("name, op, f, df", BINARY, ids=[b[0] for b in BINARY])
def test_binary_value_and_gradient(name, op, f, df):
    x, y = 1.7, 0.6
    a, b = Value(x), Value(y)
    out = op(a, b)
    out.backward()
    assert out.data == pytest.approx(f(x, y), rel=1e-12)
    assert (a.grad, b.grad) == pytest.approx(df(x, y), rel=1e-12)


@pytest.mark.parametrize("name, op, f, df", BINARY, ids=[b[0] for b in BINARY])
def test_plain_numbers_on_either_side(name, op, f, df):
    x, y = 1.7, 0.6
    left, right = Value(x), Value(y)
    out_left, out_right = op(left, y), op(x, right)
    out_left.backward()
    out_right.backward()
    assert out_left.data == pytest.approx(f(x, y)) and out_right.data == pytest.approx(f(x, y))
    assert left.grad == pytest.approx(df(x, y)[0])
    assert right.grad == pytest.approx(df(x, y)[1])


def test_the_blog_post_expression():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad, d.grad, e.grad) == (6.0, -4.0, -2.0, 4.0, -2.0, -2.0)
    assert (e.label, e._op, set(e._prev)) == ("e", "*", {a, b})


def test_blog_style_constructor_and_manual_backward():
    a, b = Value(2.0), Value(3.0)
    c = Value(a.data + b.data, (a, b), "+", label="c")
    assert (c._prev, c._op, c.label, c.grad) == ((a, b), "+", "c", 0.0)
    c.grad = 1.0
    c._backward()  # one chain-rule step by hand, as in the lectures
    assert (a.grad, b.grad) == (1.0, 1.0)


def test_reused_node_accumulates():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a2 = Value(3.0)
    (a2 * a2).backward()
    assert a2.grad == 6.0


def test_backward_twice_doubles_leaf_gradients_like_pytorch():
    a, b = Value(2.0), Value(-3.0)
    out = (a * b + a).tanh()
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]))
    assert out.grad == 1.0


def test_numpy_scalars_are_accepted():
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(3)).data == 3.0
    assert (Value(2.0) * np.float64(3.0)).data == 6.0
    assert (Value(2.0) + np.int32(1)).data == 3.0
    assert (Value(2.0) ** np.int64(2)).data == 4.0
    assert type(Value(np.float64(2.0)).data) is float


@pytest.mark.parametrize("bad", ["a", None, [1], (1,), {"x": 1}, 1 + 2j])
def test_bad_data_names_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_bad_operand_names_the_type(op):
    with pytest.raises(TypeError, match="str"):
        eval(f"Value(1.0) {op} 'a'")


def test_string_on_the_left_fails_cleanly():
    with pytest.raises(TypeError, match="str"):
        "a" + Value(1.0)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 355.0, -800.0])
def test_tanh_and_sigmoid_saturate_without_overflow(x):
    t, s = Value(x), Value(x)
    out_t, out_s = t.tanh(), s.sigmoid()
    out_t.backward()
    out_s.backward()
    assert out_t.data == math.copysign(1.0, x)
    assert out_s.data == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-150))
    assert math.isfinite(t.grad) and math.isfinite(s.grad)
    assert t.grad == pytest.approx(0.0) and s.grad == pytest.approx(0.0)


def test_exp_overflow_names_the_operation_and_value():
    with pytest.raises(OverflowError, match=r"exp\(1000\.0\)"):
        Value(1000.0).exp()


@pytest.mark.parametrize("x", [0.0, -2.5])
def test_log_of_non_positive(x):
    with pytest.raises(ValueError, match=rf"log\({x!r}\)"):
        Value(x).log()


def test_division_by_zero_names_the_operation():
    with pytest.raises(ZeroDivisionError, match=r"3\.0 / 0\.0"):
        Value(3.0) / 0
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        1 / Value(0.0)


def test_zero_to_a_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"0 \*\* -1\.0"):
        Value(0.0) ** -1


def test_negative_base_with_fractional_exponent():
    with pytest.raises(ValueError, match="whole-number exponent"):
        Value(-8.0) ** 0.5


def test_value_exponent_with_zero_or_negative_base_matches_pytorch():
    # values and gradients as torch.float64 gives them
    x, e = Value(0.0), Value(2.0)
    out = x**e
    out.backward()
    assert (out.data, x.grad, e.grad) == (0.0, 0.0, 0.0)
    e = Value(3.0)
    out = (-2) ** e
    out.backward()
    assert out.data == -8.0 and math.isnan(e.grad)  # no slope in the exponent for a negative base
    x, e = Value(-2.0), Value(3.0)
    (x**e).backward()
    assert x.grad == 12.0
    with pytest.raises(ValueError, match="whole-number exponent"):
        Value(-2.0) ** Value(0.5)


def test_power_overflow_is_explained():
    with pytest.raises(OverflowError, match=r"10\.0 \*\* 400"):
        Value(10.0) ** 400


def test_power_edge_cases():
    assert (Value(-2.0) ** 3).data == -8.0
    zero = Value(0.0)
    (zero**2).backward()
    assert zero.grad == 0.0
    assert (Value(0.0) ** 0).data == 1.0


def test_million_operation_chain_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 1_000_001.0


def test_graph_is_freed_without_the_cycle_collector():
    """No reference cycles: a dropped graph is freed by reference counting alone."""
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            a = Value(1.0)
            out = (a * 2.0 + 1.0).tanh() / (a.exp() - 0.5) ** 2
            out.backward()
            del a, out
        assert gc.collect() == 0  # nothing was left for the cycle collector to find
    finally:
        gc.enable()


def test_repr_is_readable():
    assert repr(Value(2.0, label="a")) == "Value(data=2, grad=0, label='a')"


def test_topological_order_puts_children_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = d.topological_order()
    assert order[-1] is d
    pos = {id(n): i for i, n in enumerate(order)}
    assert all(pos[id(ch)] < pos[id(n)] for n in order for ch in n._prev)
    assert len(order) == 4


# ---- against finite differences and PyTorch on random graphs ----------------------------

OPS = ["add", "sub", "mul", "div", "tanh", "exp", "sigmoid", "relu", "square", "neg"]


@st.composite
def expression_programs(draw):
    """A random program over 3 inputs whose steps may reuse any earlier node."""
    inputs = draw(st.lists(st.floats(-2, 2), min_size=3, max_size=3))
    steps = []
    for i in range(draw(st.integers(1, 12))):
        op = draw(st.sampled_from(OPS))
        n_nodes = 3 + i
        steps.append((op, draw(st.integers(0, n_nodes - 1)), draw(st.integers(0, n_nodes - 1))))
    return inputs, steps


def run_program(inputs, steps, lib):
    """Evaluate a program with `lib` giving the unary functions; returns the last node."""
    nodes = list(inputs)
    for op, i, j in steps:
        a, b = nodes[i], nodes[j]
        if op == "add":
            out = a + b
        elif op == "sub":
            out = a - b
        elif op == "mul":
            out = a * b
        elif op == "div":
            out = a / (lib["sq"](b) + 1.0)  # denominator >= 1: no division by ~0
        elif op == "square":
            out = a**2
        elif op == "neg":
            out = -a
        elif op == "exp":
            out = lib["exp"](lib["tanh"](a))  # bounded input: no overflow
        else:
            out = lib[op](a)
        nodes.append(out)
    return nodes[-1] + 0.0 * nodes[0] + 0.0 * nodes[1] + 0.0 * nodes[2]  # every input reaches the output


VALUE_LIB = {
    "tanh": Value.tanh, "exp": Value.exp, "sigmoid": Value.sigmoid, "relu": Value.relu,
    "sq": lambda v: v * v,
}


def value_gradients(inputs, steps):
    """The program's value and its gradient with respect to each input, from Value."""
    leaves = [Value(x) for x in inputs]
    out = run_program(leaves, steps, VALUE_LIB)
    out.backward()
    return out.data, [v.grad for v in leaves]


@settings(max_examples=150, deadline=None)
@given(expression_programs())
def test_random_graphs_match_finite_differences(program):
    inputs, steps = program
    relu_inputs = []  # finite differences are meaningless within h of relu's kink
    lib = dict(VALUE_LIB, relu=lambda v: relu_inputs.append(v.data) or v.relu())
    leaves = [Value(x) for x in inputs]
    run_program(leaves, steps, lib).backward()
    if any(abs(x) < 1e-4 for x in relu_inputs):
        return
    h = 1e-6
    for i in range(3):
        up, down = list(inputs), list(inputs)
        up[i] += h
        down[i] -= h
        f_up = run_program([Value(x) for x in up], steps, VALUE_LIB).data
        f_down = run_program([Value(x) for x in down], steps, VALUE_LIB).data
        assert leaves[i].grad == pytest.approx((f_up - f_down) / (2 * h), rel=1e-4, abs=1e-5)


@settings(max_examples=150, deadline=None)
@given(expression_programs())
def test_random_graphs_match_pytorch(program):
    torch = pytest.importorskip("torch")
    inputs, steps = program
    value, grads = value_gradients(inputs, steps)
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    torch_lib = {"tanh": torch.tanh, "exp": torch.exp, "sigmoid": torch.sigmoid, "relu": torch.relu,
                 "sq": lambda t: t * t}
    out = run_program(leaves, steps, torch_lib)
    out.backward()
    assert value == pytest.approx(out.item(), rel=1e-9, abs=1e-12)
    for ours, theirs in zip(grads, leaves):
        # relu'(0) is 0 in both; everything else is exact up to rounding
        assert ours == pytest.approx(theirs.grad.item(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name, op, x, f, df", UNARY, ids=[u[0] for u in UNARY])
def test_unary_against_pytorch(name, op, x, f, df):
    torch = pytest.importorskip("torch")
    a = Value(x)
    out = op(a)
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ops = {"tanh": torch.tanh, "exp": torch.exp, "log": torch.log, "relu+": torch.relu, "relu-": torch.relu,
           "sigmoid": torch.sigmoid, "neg": lambda v: -v, "square": lambda v: v**2,
           "cube root": lambda v: v ** (1 / 3), "reciprocal": lambda v: v**-1, "2**a": lambda v: 2**v}
    t_out = ops[name](t)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12)
    assert a.grad == pytest.approx(t.grad.item(), rel=1e-12)


# ---- hardening (red-team report, issue 10) ----------------------------------------------
def test_division_is_exactly_pythons():
    assert (Value(7) / 10).data == 7 / 10 == 0.7
    assert (Value(1e-320) / Value(1e-320)).data == 1.0
    a, b = Value(1.7), Value(0.3)
    (a / b).backward()
    assert (a.grad, b.grad) == pytest.approx((1 / 0.3, -1.7 / 0.3**2), rel=1e-15)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6).filter(lambda y: abs(y) > 1e-6))
@settings(max_examples=300, deadline=None)
def test_division_matches_python_for_any_numbers(x, y):
    assert (Value(x) / y).data == x / y


def test_mixing_two_value_classes_is_explained():
    class Value2:  # a learner's own class, as in notebook 02
        def __init__(self, data):
            self.data, self._prev = data, ()

    with pytest.raises(TypeError, match="two different Value classes are mixed") as err:
        Value(1.0) + Value2(2.0)
    assert "Value2" in str(err.value) and "course_lib.engine.Value" in str(err.value)
    assert "re-run" in str(err.value)


def test_wrapping_a_value_in_a_value_is_explained():
    with pytest.raises(TypeError, match=r"got the Value .*use its number, v\.data"):
        Value(Value(2.0))


def test_mixing_value_classes_after_reload():
    import importlib.util

    import course_lib.engine as engine

    # a second copy of the module, as importlib.reload makes (without replacing the real one)
    spec = importlib.util.spec_from_file_location("engine_reloaded", engine.__file__)
    reloaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reloaded)
    with pytest.raises(TypeError, match="two different Value classes"):
        reloaded.Value(2.0) * Value(1.0)


def test_relu_propagates_nan():
    x = Value(float("nan"))
    out = x.relu()
    out.backward()
    assert math.isnan(out.data)
    assert Value(-0.0).relu().data == 0.0 and Value(2.0).relu().data == 2.0


def test_power_edge_cases_match_pytorch():
    out = Value(-2.0) ** float("nan")
    assert math.isnan(out.data)
    x = Value(1e-300)
    out = x**-1
    out.backward()  # the value 1e300 fits; only the slope -1/x^2 is too large: -inf, as in torch
    assert out.data == pytest.approx(1e300) and x.grad == -math.inf
    x = Value(-1e-300)
    (x**-1).backward()
    assert x.grad == -math.inf
    x = Value(-1e-120)
    (x**-2).backward()  # -2 x^-3 at a tiny negative x: +inf
    assert x.grad == math.inf
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf


@pytest.mark.parametrize("make", [
    lambda: Value(1e308) * 10,
    lambda: Value(1e308) + 1e308,
    lambda: Value(-1e308) - 1e308,
    lambda: Value(1e308) / 1e-10,
    lambda: Value(800.0).exp(),
    lambda: Value(10.0) ** 400,
    lambda: 10 ** Value(400.0),
], ids=["mul", "add", "sub", "div", "exp", "pow", "rpow"])
def test_every_operation_raises_on_overflow(make):
    with pytest.raises(OverflowError, match="too large for a float"):
        make()


def test_infinity_already_in_the_graph_flows_on():
    assert (Value(math.inf) * 2).data == math.inf
    assert math.isnan((Value(math.inf) - math.inf).data)
    assert (Value(math.inf) + 1).data == math.inf


def _deep_chain(n):
    x = Value(1.0, label="x")
    y = x
    for _ in range(n):
        y = y * 1.0 + 0.0
    return x, y


def test_deepcopy_of_a_deep_graph():
    import copy

    x, y = _deep_chain(50_000)
    y2 = copy.deepcopy(y)
    assert y2 is not y and y2.data == y.data
    y2.backward()
    order = y2.topological_order()
    leaf = order[0]
    assert leaf.label == "x" and leaf is not x and leaf.grad == 1.0 and x.grad == 0.0
    pair = copy.deepcopy([x, y])  # sharing is kept: the copied y depends on the copied x
    pair[1].backward()
    assert pair[0].grad == 1.0


def test_pickle_of_a_deep_graph_keeps_shared_leaves():
    import pickle

    x, y = _deep_chain(50_000)
    x2, y2 = pickle.loads(pickle.dumps((x, y)))
    assert y2.data == y.data and x2.label == "x"
    y2.backward()
    assert x2.grad == 1.0
    a = Value(3.0)
    b = a * a + a
    b.grad = 5.0
    b2 = pickle.loads(pickle.dumps(b))
    assert (b2.data, b2.grad, b2._op, len(b2.topological_order())) == (12.0, 5.0, "+", 3)


def test_a_cycle_is_refused_by_backward():
    a = Value(1.0)
    b = a + 1
    a._prev, a._local = (b,), (1.0,)
    with pytest.raises(ValueError, match="cycle"):
        b.backward()


def test_hand_built_node_without_local_derivatives_is_refused():
    x = Value(3.0)
    out = Value(x.data**2, (x,), "sq")  # forgot out._local = (2 * x.data,)
    with pytest.raises(ValueError, match=r"_local = \(d out/d child"):
        out.backward()
    out._local = (2 * x.data,)
    out.backward()
    assert x.grad == 6.0
    a, b = Value(2.0), Value(3.0)
    c = Value(a.data + b.data, (a, b), "+")  # "+" keeps the lectures' slopes of 1
    c.backward()
    assert (a.grad, b.grad) == (1.0, 1.0)


def test_subclass_keeps_its_class_through_operations():
    class MyValue(Value):
        __slots__ = ()

        def sin(self):
            return self._result(math.sin(self.data), (self,), "sin", (math.cos(self.data),))

    x = MyValue(1.0)
    out = (x * 2).sin()
    assert type(out) is MyValue
    out.backward()
    assert x.grad == pytest.approx(2 * math.cos(2.0))


# ---- red-team 2 and mutation testing ---------------------------------------------------------


def test_relu_slope_at_exactly_zero_is_zero_as_in_pytorch():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0
    torch = pytest.importorskip("torch")
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    t.relu().backward()
    assert t.grad.item() == x.grad


class Tagged(Value):
    pass


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_copies_keep_a_subclass_s_own_attributes(how):
    import copy
    import pickle

    x = Tagged(1.5)
    x.unit = "m"
    y = x * 2.0
    y.unit = "m2"
    clone = {"copy": copy.copy, "deepcopy": copy.deepcopy,
             "pickle": lambda v: pickle.loads(pickle.dumps(v))}[how]
    assert clone(x).unit == "m" and clone(y).unit == "m2"
    assert clone(y)._prev[0].unit == "m"


def test_backward_works_for_a_subclass_that_defines_eq():
    """__eq__ without __hash__ makes a class unhashable: the graph walk must use id()."""
    class C(Value):
        def __eq__(self, other):
            return self.data == other.data

    a, b = C(2.0), C(3.0)
    out = a * b + a
    out.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)
    import copy

    assert copy.deepcopy(out).data == 8.0


def test_a_number_as_a_child_is_refused_when_the_node_is_built():
    x = Value(0.5)
    with pytest.raises(TypeError, match=r"the child 0.5 is a float, not a Value.*not its number \(x.data\)"):
        Value(math.sin(x.data), (x.data,), "sin")
