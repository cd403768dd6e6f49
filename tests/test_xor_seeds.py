"""course_lib.xor_seeds: many seeds at once must give what the Value loop gives, seed by seed."""

import random

import numpy as np
import pytest

from course_lib import MLP
from course_lib.xor_seeds import XOR_X, XOR_Y, initial_weights, solves_xor, train_xor_seeds


def train_value_net(sizes, seed, lr, epochs, output_activation="tanh"):
    # notebook 05's `train`, with Values
    random.seed(seed)
    net = MLP(2, sizes, activation="tanh", output_activation=output_activation)
    for _ in range(epochs):
        loss = sum((net(list(x)) - y) ** 2 for x, y in zip(XOR_X, XOR_Y))
        net.zero_grad()
        loss.backward()
        for p in net.parameters():
            p.data -= lr * p.grad
    return [net(list(x)).data for x in XOR_X]


def test_initial_weights_are_the_mlps():
    (W1, b1), (W2, b2) = initial_weights([3, 1], seed=7)
    random.seed(7)
    net = MLP(2, [3, 1])
    assert W1.shape == (2, 3) and b1.shape == (3,) and W2.shape == (3, 1) and b2.shape == (1,)
    assert W1[1, 2] == net.layers[0].neurons[2].w[1].data
    assert b2[0] == net.layers[1].neurons[0].b.data


@pytest.mark.parametrize("sizes, output_activation",
                         [([2, 1], "tanh"), ([3, 2, 1], "tanh"), ([3, 1], "sigmoid")])
def test_each_seed_matches_the_value_loop(sizes, output_activation):
    seeds = [0, 2, 5]
    batched = train_xor_seeds(sizes, seeds, lr=0.3, epochs=60, output_activation=output_activation)
    assert batched.shape == (3, 4)
    for row, seed in zip(batched, seeds):
        np.testing.assert_allclose(row, train_value_net(sizes, seed, 0.3, 60, output_activation), atol=1e-10)


def test_solves_xor_rounds_like_the_notebook():
    outputs = np.array([[0.01, 0.97, 0.96, -0.3], [0.0, 0.5001, 0.9, 0.0], [0.0, 0.49, 0.9, 0.0]])
    assert list(solves_xor(outputs)) == [True, True, False]


def test_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="'tanh' or 'sigmoid'"):
        train_xor_seeds([2, 1], [0], output_activation="relu")
    with pytest.raises(ValueError, match="positive"):
        train_xor_seeds([2, 1], [0], lr=0)
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        train_xor_seeds([2, 1], [0], epochs=-1)
    with pytest.raises(ValueError, match="at least one seed"):
        train_xor_seeds([2, 1], [])
