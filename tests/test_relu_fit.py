"""course_lib.relu_fit: a 1-D ReLU network is piecewise linear with its kinks where it says."""

import numpy as np
import pytest

from course_lib.relu_fit import gradients, hinge_interpolant, init_params, kinks, mse, predict, train


def test_init_puts_kinks_in_the_range_and_starts_nearly_flat():
    p = init_params(50, (-2.0, 3.0), seed=1)
    assert p["w"].shape == p["b"].shape == p["v"].shape == (50,)
    assert set(np.abs(p["w"])) == {1.0}
    assert np.all((kinks(p) >= -2) & (kinks(p) <= 3))
    assert np.abs(p["v"]).max() < 0.5


def test_predict_is_the_formula():
    p = {"w": np.array([1.0, -2.0]), "b": np.array([0.5, 1.0]), "v": np.array([3.0, 1.0]),
         "c": np.array(-1.0)}
    x = 0.25
    want = -1.0 + 3.0 * max(0.0, x + 0.5) + 1.0 * max(0.0, -2 * x + 1.0)
    assert predict(p, np.array([x]))[0] == pytest.approx(want)


def test_kinks_skip_units_that_cannot_bend_the_output():
    p = {"w": np.array([2.0, 0.0, 1.0]), "b": np.array([-1.0, 3.0, 4.0]), "v": np.array([1.0, 1.0, 0.0]),
         "c": np.array(0.0)}
    assert list(kinks(p)) == [0.5]


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 20)
    y = np.sin(x)
    p = init_params(5, (-3, 3), seed=2)
    p["v"] = rng.normal(0, 1, 5)
    grads = gradients(p, x, y)
    for name in p:
        flat = p[name].reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + 1e-6
            up = mse(p, x, y)
            flat[i] = old - 1e-6
            down = mse(p, x, y)
            flat[i] = old
            assert grads[name].reshape(-1)[i] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-7)


def test_output_is_a_straight_line_between_neighbouring_kinks():
    p = init_params(7, (-3, 3), seed=3)
    p["v"] = np.random.default_rng(3).normal(0, 1, 7)
    edges = np.concatenate([[-4.0], kinks(p), [4.0]])
    for a, b in zip(edges, edges[1:]):
        xs = np.linspace(a, b, 9)
        ys = predict(p, xs)
        line = ys[0] + (ys[-1] - ys[0]) * (xs - a) / (b - a)
        np.testing.assert_allclose(ys, line, atol=1e-9)


def test_training_lowers_the_loss_and_records_snapshots():
    x = np.linspace(-3, 3, 41)
    y = np.sin(2 * x) + 0.3 * x
    p = init_params(10, (-3, 3), seed=1)
    losses, history = train(p, x, y, lr=0.02, steps=2000, record=(0, 100))
    assert len(losses) == 2001
    assert [s.step for s in history] == [0, 100, 2000]
    assert history[0].loss == losses[0] and history[-1].loss == losses[-1]
    assert losses[-1] < 0.3 * losses[0]
    assert history[0].params["w"] is not p["w"]  # copies, not the live arrays


def test_a_too_large_rate_stops_with_advice_instead_of_nan():
    x = np.linspace(-3, 3, 41)
    p = init_params(10, (-3, 3), seed=0)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        train(p, x, np.sin(x), lr=5.0, steps=1000)


def test_hinge_interpolant_passes_through_the_knots_and_is_linear_between():
    knots = np.linspace(-3, 3, 7)
    p = hinge_interpolant(np.sin, knots)
    np.testing.assert_allclose(predict(p, knots), np.sin(knots), atol=1e-12)
    mid = (knots[:-1] + knots[1:]) / 2
    np.testing.assert_allclose(predict(p, mid), (np.sin(knots[:-1]) + np.sin(knots[1:])) / 2, atol=1e-12)
    assert len(kinks(p)) <= len(knots) - 1


def test_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="n_hidden"):
        init_params(0, (-1, 1))
    with pytest.raises(ValueError, match="low < high"):
        init_params(3, (1, -1))
    with pytest.raises(ValueError, match="same length"):
        train(init_params(3, (-1, 1)), [0.0, 1.0], [0.0], lr=0.1, steps=1)
    with pytest.raises(ValueError, match="finite"):
        train(init_params(3, (-1, 1)), [0.0, 1.0], [0.0, np.nan], lr=0.1, steps=1)
    with pytest.raises(ValueError, match="steps must be a whole number"):
        train(init_params(3, (-1, 1)), [0.0, 1.0], [0.0, 1.0], lr=0.1, steps=2.5)
    with pytest.raises(ValueError, match="increasing"):
        hinge_interpolant(np.sin, [1.0, 0.0])


def test_no_points_is_a_clear_error_not_a_learning_rate_problem():
    p = init_params(3, (-1, 1), seed=0)
    with pytest.raises(ValueError, match="x and y hold no points"):
        train(p, [], [], lr=0.01, steps=3)
