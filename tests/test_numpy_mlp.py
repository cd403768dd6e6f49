"""Tests for course_lib.numpy_mlp: shapes, gradients against finite differences, training."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient_array
from course_lib.numpy_mlp import (
    PARAM_NAMES,
    NumpyMLP,
    images_to_inputs,
    softmax,
    softmax_cross_entropy,
    train_epoch,
)


def small_problem(seed: int = 0, n: int = 6, d: int = 5, h: int = 7, c: int = 4):
    rng = np.random.default_rng(seed)
    model = NumpyMLP(n_in=d, n_hidden=h, n_out=c, seed=seed)
    for name in PARAM_NAMES:  # nonzero biases too, so their gradients are tested in general
        model.params[name] += rng.normal(0, 0.1, model.params[name].shape)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, c, size=n)
    return model, X, y


def max_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def test_shapes_of_params_and_grads():
    model, X, y = small_problem()
    assert model.params["W1"].shape == (5, 7) and model.params["b1"].shape == (7,)
    assert model.params["W2"].shape == (7, 4) and model.params["b2"].shape == (4,)
    assert model.forward(X).shape == (6, 4)
    model.loss(X, y)
    grads = model.backward()
    for name in PARAM_NAMES:
        assert grads[name].shape == model.params[name].shape


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_finite_differences(seed):
    model, X, y = small_problem(seed)
    model.loss(X, y)
    analytic = {k: v.copy() for k, v in model.backward().items()}
    for name in PARAM_NAMES:
        numeric = numerical_gradient_array(lambda: model.loss(X, y), model.params[name])
        assert max_rel_error(analytic[name], numeric) < 1e-6, name


def test_softmax_cross_entropy_gradient_and_value():
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(5, 3))
    y = np.array([0, 2, 1, 1, 0])
    loss, dlogits = softmax_cross_entropy(logits, y)
    p = softmax(logits)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(5), y])))
    numeric = numerical_gradient_array(lambda: softmax_cross_entropy(logits, y)[0], logits)
    assert max_rel_error(dlogits, numeric) < 1e-7
    assert np.allclose(dlogits.sum(axis=1), 0)  # p sums to 1 and one 1 is subtracted per row


def test_softmax_is_stable_for_huge_scores():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    loss, dlogits = softmax_cross_entropy(logits, np.array([0]))
    assert np.isfinite(loss) and loss == pytest.approx(0.0)
    assert np.all(np.isfinite(dlogits))
    assert np.allclose(softmax(logits).sum(), 1.0)


def test_step_moves_against_the_gradient_and_lowers_the_loss():
    model, X, y = small_problem()
    before = model.loss(X, y)
    grads = {k: v.copy() for k, v in model.backward().items()}
    old = {k: v.copy() for k, v in model.params.items()}
    model.step(0.01)
    for name in PARAM_NAMES:
        assert np.allclose(model.params[name], old[name] - 0.01 * grads[name])
    assert model.loss(X, y) < before


def test_same_seed_same_network_and_he_scale():
    a, b = NumpyMLP(seed=4), NumpyMLP(seed=4)
    for name in PARAM_NAMES:
        assert np.array_equal(a.params[name], b.params[name])
    assert a.params["W1"].std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)
    assert not np.array_equal(a.params["W1"], NumpyMLP(seed=5).params["W1"])
    assert repr(a) == "NumpyMLP(784 -> 100 ReLU -> 10, 79,510 parameters)"


def test_train_epoch_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, size=(3, 8))
    y = rng.integers(0, 3, size=300)
    X = centers[y] + rng.normal(size=(300, 8))
    model = NumpyMLP(n_in=8, n_hidden=16, n_out=3, seed=0)
    first = train_epoch(model, X, y, lr=0.1, batch_size=32, rng=np.random.default_rng(1))
    assert len(first) == 10  # 300 / 32 -> 9 full batches and one of 12
    for _ in range(5):
        last = train_epoch(model, X, y, lr=0.1, batch_size=32, rng=np.random.default_rng(1))
    assert np.mean(last) < np.mean(first)
    assert model.accuracy(X, y) > 0.95
    assert model.predict(X).shape == (300,)


def test_train_epoch_is_reproducible_with_a_seeded_rng():
    X = np.random.default_rng(0).normal(size=(50, 4))
    y = np.arange(50) % 2
    runs = []
    for _ in range(2):
        model = NumpyMLP(n_in=4, n_hidden=5, n_out=2, seed=0)
        runs.append(train_epoch(model, X, y, batch_size=8, rng=np.random.default_rng(7)))
    assert runs[0] == runs[1]


def test_images_to_inputs():
    images = np.full((3, 28, 28), 255, dtype=np.uint8)
    X = images_to_inputs(images)
    assert X.shape == (3, 784) and X.dtype == np.float64 and X.max() == 1.0
    assert images_to_inputs(images, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="batch of images"):
        images_to_inputs(np.zeros(5))


def test_clear_errors():
    model = NumpyMLP(n_in=4, n_hidden=3, n_out=2)
    with pytest.raises(RuntimeError, match="before backward"):
        model.backward()
    with pytest.raises(RuntimeError, match="before step"):
        model.step(0.1)
    with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
        model.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="flatten images"):
        NumpyMLP().forward(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="0..1"):
        model.loss(np.zeros((2, 4)), np.array([0, 2]))
    with pytest.raises(ValueError, match=r"integers 0\.\.1, got dtype float"):
        model.loss(np.zeros((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        model.loss(np.zeros((2, 4)), np.array([0, 1, 1]))
    model.loss(np.zeros((2, 4)), np.array([0, 0]))  # every z1 is exactly 0 (zero inputs, zero biases)
    assert not model.backward()["b1"].any()  # ReLU's slope at 0 is 0, as in PyTorch
    model.loss(np.zeros((2, 4)), np.array([0, 1]))
    model.backward()
    with pytest.raises(ValueError, match="positive"):
        model.step(-0.1)
    with pytest.raises(ValueError, match="n_hidden"):
        NumpyMLP(n_hidden=0)
    with pytest.raises(ValueError, match="2 classes"):
        NumpyMLP(n_out=1)
    with pytest.raises(ValueError, match="batch_size"):
        train_epoch(model, np.zeros((2, 4)), np.array([0, 1]), batch_size=0)
    with pytest.raises(ValueError, match="labels"):
        train_epoch(model, np.zeros((2, 4)), np.array([0, 1, 1]))


def test_predicting_between_loss_and_backward_keeps_the_gradients():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 4)), np.array([0, 1, 2, 0, 1, 2])
    other = rng.normal(size=(3, 4))
    reference = NumpyMLP(4, 5, 3, seed=0)
    reference.loss(X, y)
    want = {k: v.copy() for k, v in reference.backward().items()}
    model = NumpyMLP(4, 5, 3, seed=0)
    model.loss(X, y)
    model.predict(other)  # a valid call order: the last loss() is still the one to differentiate
    model.accuracy(other, np.array([0, 1, 2]))
    model.forward(other)
    got = model.backward()
    for name in want:
        np.testing.assert_array_equal(got[name], want[name])


def test_images_to_inputs_refuses_a_single_image():
    """A single (28, 28) image is not 28 examples of 28 pixels: a batch of one is image[None]."""
    image = np.zeros((28, 28), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"got shape \(28, 28\): for one image, pass a batch of one"):
        images_to_inputs(image)
    assert images_to_inputs(image[None]).shape == (1, 784)
    assert images_to_inputs(np.zeros((2, 1, 28, 28))).shape == (2, 784)  # channels too


def test_train_epoch_uses_every_example_once_even_with_batches_of_one():
    model = NumpyMLP(n_in=2, n_hidden=3, n_out=2, seed=0)
    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 1])
    assert len(train_epoch(model, X, y, batch_size=1)) == 3
    assert len(train_epoch(model, X, y, batch_size=2)) == 2


def test_one_full_batch_epoch_is_one_manual_step():
    model, X, y = small_problem(seed=3)
    twin, _, _ = small_problem(seed=3)
    losses = train_epoch(model, X, y, lr=0.5, batch_size=len(X))
    assert losses == [twin.loss(X, y)]
    twin.backward()
    twin.step(0.5)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(model.params[name], twin.params[name])


def test_plain_lists_work_everywhere_arrays_do():
    model = NumpyMLP(n_in=2, n_hidden=3, n_out=2, seed=0)
    X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], [0, 1, 1, 0]
    assert np.isfinite(model.loss(X, y)) and 0.0 <= model.accuracy(X, y) <= 1.0
    assert len(train_epoch(model, X, y, batch_size=4)) == 1
