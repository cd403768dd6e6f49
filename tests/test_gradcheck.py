"""The numerical gradient checks and their plain-words verdicts."""

import numpy as np
import pytest

from course_lib.engine import Value
from course_lib.gradcheck import (
    NOT_FINITE,
    gradcheck,
    numerical_grad,
    numerical_gradient_array,
    relative_error,
    verdict,
)


def test_correct_gradients_pass_with_a_healthy_verdict(capsys):
    result = gradcheck(lambda a, b: (a * b + a.exp()).tanh(), [0.3, -0.8], names=["a", "b"])
    assert result and result.ok
    assert result.max_rel_error < 1e-7
    out = capsys.readouterr().out
    assert "analytic" in out and "numeric" in out
    assert "excellent: the gradients agree" in out
    assert out.splitlines()[1].split()[0] == "a"


def broken_product(a, b):
    """a * b with a bug in its backward pass: both local derivatives set to 1."""
    out = a * b
    out._local = (1.0, 1.0)
    return out


def test_a_wrong_gradient_is_caught(capsys):
    result = gradcheck(broken_product, [2.0, 5.0])
    assert not result
    assert result.rel_errors[0] == pytest.approx(relative_error(1.0, 5.0))
    assert "wrong: the analytic gradient has a bug" in capsys.readouterr().out


def test_numerical_grad_matches_known_derivative():
    (d,) = numerical_grad(lambda x: x**3, [2.0])
    assert d == pytest.approx(12.0, rel=1e-8)


def test_numerical_gradient_array_restores_the_array():
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    before = x.copy()
    grad = numerical_gradient_array(lambda: float(np.sum(x**2)), x)
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    "err, word", [(1e-9, "excellent"), (1e-6, "good"), (1e-4, "suspicious"), (0.1, "wrong"),
                  (5e-5, "suspicious"), (5e-3, "wrong"), (5e-6, "good"), (5e-4, "suspicious")]
)
def test_verdict_words(err, word):
    assert verdict(err).startswith(word)


def test_relative_error_edge_cases():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, -1.0) == 2.0


def test_bad_inputs():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda a: 3.0, [1.0], verbose=False)
    with pytest.raises(ValueError, match="2 names for 1 inputs"):
        gradcheck(lambda a: a * 2, [1.0], names=["a", "b"], verbose=False)


# ---- hardening (red-team report, issue 10) ----------------------------------------------
def nan_product(x, y):
    out = Value(x.data * y.data, (x, y), "mul")
    out._local = (y.data, float("nan"))  # the second input's gradient is nan
    return out


def test_a_nan_gradient_anywhere_is_wrong(capsys):
    result = gradcheck(nan_product, [2.0, 3.0], names=["x", "y"])
    assert not result
    out = capsys.readouterr().out
    assert NOT_FINITE in out and "(y)" in out
    assert "excellent" not in out


def test_an_infinite_gradient_in_the_only_input_is_wrong_without_crashing(capsys):
    result = gradcheck(lambda x: (x * x) ** 0.5, [0.0])  # slope inf * 0 -> nan at 0
    assert not result
    assert "wrong" in repr(result) and "wrong" in capsys.readouterr().out
    assert verdict(float("nan")) == verdict(float("inf")) == NOT_FINITE
    assert relative_error(float("nan"), 1.0) == relative_error(1.0, float("inf")) == float("inf")
    assert max([relative_error(1.0, 1.0), relative_error(float("nan"), 1.0)]) == float("inf")


@pytest.mark.parametrize("f, x", [
    (lambda x: x.tanh(), 15.0),  # slope 3.7e-13 vs 0
    (lambda x: x.tanh(), 10.0),
    (lambda x: x**3, 1e-3),
])
def test_tiny_gradients_are_numerical_noise_not_bugs(f, x, capsys):
    result = gradcheck(f, [x])
    assert result
    out = capsys.readouterr().out
    assert "wrong" not in out and "suspicious" not in out


def test_saturated_tanh_reports_noise_and_shows_small_numbers(capsys):
    result = gradcheck(lambda w, b: (w * 2.0 + b).tanh(), [5.0, 1.0], names=["w", "b"])
    assert result
    out = capsys.readouterr().out
    assert "0.00000000" not in out  # small gradients are shown, not rounded to zero
    assert "e-09" in out or "e-10" in out
    assert "below numerical noise" in out


def test_all_noise_gets_its_own_summary_line(capsys):
    from course_lib.gradcheck import BELOW_NOISE

    assert gradcheck(lambda x: x.tanh(), [15.0])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("every difference is below") and BELOW_NOISE in last


def test_the_default_tolerance_is_1e_5():
    def off_by_5e_5(x):  # a slope with a relative error of about 5e-5
        out = x**3
        out._local = (out._local[0] * (1 + 5e-5),)
        return out

    assert not gradcheck(off_by_5e_5, [0.7], verbose=False)
    assert gradcheck(off_by_5e_5, [0.7], verbose=False, tolerance=1e-4)


def test_numerical_gradient_array_needs_an_array():
    with pytest.raises(TypeError, match="NumPy array"):
        numerical_gradient_array(lambda: 0.0, [1.0, 2.0])


def test_numerical_gradient_array_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 3:  # the nudge up of the second entry
            raise KeyboardInterrupt
        return float(x.sum())

    with pytest.raises(KeyboardInterrupt):
        numerical_gradient_array(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_a_real_bug_in_a_small_gradient_is_still_caught():
    def bad_cube(x):
        out = x**3
        out._local = (2 * out._local[0],)  # twice the slope
        return out

    assert not gradcheck(bad_cube, [0.5], verbose=False)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float16, np.float32])
def test_numerical_gradient_array_refuses_narrow_arrays(dtype):
    x = np.array([1, 2, 3], dtype=dtype)
    before = x.copy()
    with pytest.raises(TypeError, match=r"astype\(np.float64\)"):
        numerical_gradient_array(lambda: float((x**2).sum()), x)
    np.testing.assert_array_equal(x, before)


def test_noise_in_one_input_and_a_real_gradient_in_another_reports_the_real_one(capsys):
    assert gradcheck(lambda x, y: x * 1e-12 + y.exp(), [0.3, 3.0], names=["x", "y"])
    rows = capsys.readouterr().out.strip().splitlines()
    assert "below numerical noise" in rows[1]  # x: a difference far below atol
    assert rows[-1].startswith("largest relative error") and "(y): excellent" in rows[-1]
