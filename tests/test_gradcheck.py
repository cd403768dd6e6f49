"""The numerical gradient checks and their plain-words verdicts."""

import numpy as np
import pytest

from course_lib.gradcheck import (
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
    "err, word", [(1e-9, "excellent"), (1e-6, "good"), (1e-4, "suspicious"), (0.1, "wrong")]
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
