"""Neuron, Layer and MLP: shapes, parameter counts, seeding, activations and errors."""

import random

import pytest

from course_lib import MLP, Layer, Neuron, Value


def test_mlp_layer_shapes():
    net = MLP(2, [3, 3, 1])
    shapes = [(len(layer.neurons), len(layer.neurons[0].w)) for layer in net.layers]
    assert shapes == [(3, 2), (3, 3), (1, 3)]
    assert len(net.parameters()) == (2 + 1) * 3 + (3 + 1) * 3 + (3 + 1) * 1 == 25


def test_parameter_count_of_the_lesson_network():
    assert len(MLP(3, [4, 4, 1]).parameters()) == 41


def test_seeding_reproduces_a_network():
    random.seed(42)
    first = [p.data for p in MLP(3, [4, 4, 1]).parameters()]
    random.seed(42)
    second = [p.data for p in MLP(3, [4, 4, 1]).parameters()]
    assert first == second
    assert all(-1 <= x <= 1 for x in first)
    assert len(set(first)) == len(first)  # biases are random too, not zero


def test_layer_returns_single_value_or_list():
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    outs = Layer(2, 3)([1.0, 2.0])
    assert isinstance(outs, list) and len(outs) == 3
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    assert len(MLP(2, [3, 2])([1.0, 2.0])) == 2


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", None])
def test_neuron_computes_activation_of_weighted_sum(activation):
    n = Neuron(2, activation=activation)
    x = [0.5, -2.0]
    z = n.w[0].data * x[0] + n.w[1].data * x[1] + n.b.data
    expected = {"tanh": Value(z).tanh().data, "relu": max(z, 0.0),
                "sigmoid": Value(z).sigmoid().data, None: z}[activation]
    assert n(x).data == pytest.approx(expected)


def test_output_activation_defaults_to_hidden_and_none_is_linear():
    net = MLP(2, [4, 1], activation="relu")
    assert [layer.neurons[0].activation for layer in net.layers] == ["relu", "relu"]
    net = MLP(2, [4, 1], activation="relu", output_activation=None)
    assert [layer.neurons[0].activation for layer in net.layers] == ["relu", None]


def test_zero_grad_resets_all_parameters():
    net = MLP(2, [3, 1])
    net([1.0, -1.0]).backward()
    assert any(p.grad != 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0 for p in net.parameters())


def test_training_reduces_loss():
    random.seed(0)
    net = MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    def loss():
        return sum(((net(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))

    start = loss().data
    for _ in range(50):
        out = loss()
        net.zero_grad()
        out.backward()
        for p in net.parameters():
            p.data -= 0.05 * p.grad
    assert loss().data < 0.2 * start


def test_reprs_are_informative():
    random.seed(0)
    assert repr(Neuron(3)) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 4, activation="relu")) == "Layer(3 -> 4, activation='relu')"
    assert repr(MLP(2, [3, 1])) == (
        "MLP([Layer(2 -> 3, activation='tanh'), Layer(3 -> 1, activation='tanh')], 13 parameters)"
    )


@pytest.mark.parametrize("call, message", [
    (lambda: Neuron(0), "inputs >= 1"),
    (lambda: Neuron(2.5), "inputs >= 1"),
    (lambda: Neuron(2, activation="softmax"), "unknown activation 'softmax'"),
    (lambda: Layer(2, 0), "neurons >= 1"),
    (lambda: MLP(2, 3), "list of layer sizes"),
    (lambda: MLP(2, []), "list of layer sizes"),
    (lambda: Neuron(3)([1.0, 2.0]), "expects 3 inputs, got 2"),
])
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- hardening (red-team report, issue 10) ----------------------------------------------
def test_numpy_integers_are_sizes():
    import numpy as np

    net = MLP(np.int64(2), np.array([3, 1]))
    assert len(net.parameters()) == 13
    assert repr(net) == repr(MLP(2, [3, 1]))  # plain ints inside: no np.int64(3) in messages
    assert len(Layer(np.int32(2), np.int64(4)).parameters()) == 12
    assert net([1.0, np.float64(2.0)]).data == net([1.0, 2.0]).data


@pytest.mark.parametrize("call, message", [
    (lambda: MLP(2, [3, 0]), r"every layer size must be a whole number >= 1, got 0"),
    (lambda: MLP(2, [3.0]), r"every layer size must be a whole number >= 1, got 3.0"),
    (lambda: MLP(True, [3]), r"nin \(the number of inputs\) must be a whole number >= 1, got True"),
    (lambda: MLP(2, "31"), "list of layer sizes"),
])
def test_size_messages_name_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_base_module_has_no_parameters_and_zero_grad_works():
    from course_lib.nn import Module

    assert Module().parameters() == []
    Module().zero_grad()
