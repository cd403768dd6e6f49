"""course_lib.plots with the answers learners really pass: Values and tensors, not only floats."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_lib import Value  # noqa: E402
from course_lib.plots import plot_decision_boundary, plot_loss  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_loss_takes_values_from_the_losses_append_loss_slip():
    ax = plot_loss([Value(2.0) * 1.0, Value(1.0), 0.5])
    assert list(ax.lines[0].get_ydata()) == [2.0, 1.0, 0.5]


def test_plot_loss_takes_tensors_that_require_grad():
    torch = pytest.importorskip("torch")
    w = torch.tensor(2.0, requires_grad=True)
    ax = plot_loss([w * 1.5, w * 0.5])
    assert list(ax.lines[0].get_ydata()) == [3.0, 1.0]


def test_plot_loss_explains_what_it_cannot_plot():
    with pytest.raises(TypeError, match=r"plain numbers, got str: losses.append\(loss.data\)"):
        plot_loss(["high", "low"])


def test_plot_decision_boundary_takes_a_predict_that_returns_a_value():
    X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]
    ax = plot_decision_boundary(lambda a, b: Value(a) * b, X, y, resolution=5)
    assert ax.collections
    with pytest.raises(TypeError, match=r"return out.data \(a Value\)"):
        plot_decision_boundary(lambda a, b: "yes", X, y, resolution=5)
