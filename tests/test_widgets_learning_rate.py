"""The learning-rate widgets of notebook 05, driven from Python as a learner's slider would."""

import math
import re

import ipywidgets as widgets
import numpy as np
import pytest

from course_lib.widgets import learning_rate as lr_widgets
from course_lib.widgets.learning_rate import (
    ParabolaWidget,
    XorWidget,
    parabola_path,
    parabola_readout,
    shown_rate,
    train_xor,
    xor_predictions,
    xor_readout,
)
from course_lib.xor_seeds import XorNet

PNG = b"\x89PNG\r\n\x1a\n"


def png(w):
    """The widget's image as bytes (ipywidgets hands out a memoryview)."""
    return bytes(w.plot.value)


READOUT = re.compile(r"^learning rate (\S+): after 20 steps x = (\S+) \((.+)\)$")


# ---- gradient descent on x**2 ----------------------------------------------------------------
def test_path_multiplies_x_by_one_minus_two_lr_each_step():
    for lr in (0.05, 0.3, 0.9, 1.0, 1.1):
        path = parabola_path(lr, steps=20)
        assert len(path) == 21 and path[0] == -1.0
        assert math.isclose(path[-1], -((1 - 2 * lr) ** 20), rel_tol=1e-9, abs_tol=1e-15)


def test_the_four_rates_of_the_lesson():
    after_20 = "after 20 steps x ="
    stuck = "stuck: bouncing between the same two points"
    assert parabola_readout(1) == f"learning rate 1: {after_20} -1 ({stuck})"
    assert parabola_readout(0.9) == f"learning rate 0.9: {after_20} -0.0115 (not there yet: zigzagging)"
    assert parabola_readout(0.3) == f"learning rate 0.3: {after_20} -1.1e-08 (converged)"
    assert parabola_readout(0.05) == f"learning rate 0.05: {after_20} -0.122 (not there yet: crawling)"
    assert parabola_readout(1.1) == f"learning rate 1.1: {after_20} -38.3 (diverging: |x| grows every step)"


def test_rate_is_rounded_as_the_slider_shows_it():
    assert shown_rate(0.30000000000000004) == 0.3
    assert shown_rate(10**-0.52) == 0.302
    assert parabola_readout(10**-0.52) == parabola_readout(0.302)


@pytest.mark.parametrize("bad", [0, -0.1, math.inf, math.nan])
def test_bad_rates_are_refused_clearly(bad):
    with pytest.raises(ValueError, match="positive, finite"):
        parabola_path(bad)
    with pytest.raises(ValueError, match="positive, finite"):
        shown_rate(bad)


def test_bad_types_and_steps_are_refused_clearly():
    with pytest.raises(TypeError, match="must be a number"):
        shown_rate("0.3")
    with pytest.raises(ValueError, match="steps must be a whole number"):
        parabola_path(0.3, steps=-1)
    with pytest.raises(ValueError, match="runs from 0.01 to 1.1"):
        ParabolaWidget(lr=5)


def test_parabola_widget_parts_and_css_classes():
    w = ParabolaWidget()
    assert isinstance(w, widgets.VBox)
    assert isinstance(w.slider, widgets.FloatLogSlider)
    assert isinstance(w.plot, widgets.Image) and isinstance(w.result, widgets.HTML)
    assert "nnfs-lr-parabola" in w._dom_classes
    assert "nnfs-lr-parabola-slider" in w.slider._dom_classes
    assert "nnfs-lr-parabola-plot" in w.plot._dom_classes
    assert "nnfs-lr-parabola-result" in w.result._dom_classes
    assert math.isclose(w.slider.min, math.log10(0.01)) and math.isclose(w.slider.max, math.log10(1.1))
    assert png(w).startswith(PNG)
    assert w.text == "learning rate 0.3: after 20 steps x = -1.1e-08 (converged)"
    assert w.result.value == w.text  # nothing in it needs HTML escaping


@pytest.mark.parametrize("rate", [1.0, 0.9, 0.05, 1.1, 0.01, 0.5, 10**-0.52, 0.123456])
def test_parabola_slider_redraws_and_readout_matches_the_rate(rate):
    w = ParabolaWidget(lr=0.3)
    before_png, before_text = png(w), w.text
    w.slider.value = rate
    assert png(w).startswith(PNG) and png(w) != before_png
    assert w.text != before_text and w.result.value == w.text
    shown, x, _ = READOUT.match(w.text).groups()
    assert float(shown) == shown_rate(rate) == w.lr
    assert f"{w.slider.value:.3g}" == shown  # what the slider's own readout displays
    # the printed x is x after 20 steps of x <- (1 - 2 lr) x at the printed rate
    want = -((1 - 2 * float(shown)) ** 20)
    assert math.isclose(float(x), want, rel_tol=5e-3, abs_tol=1e-300)


def test_parabola_verdicts_follow_the_slider():
    w = ParabolaWidget()
    verdicts = {}
    for rate in (1.0, 0.9, 0.3, 0.05, 1.1):
        w.slider.value = rate
        verdicts[rate] = READOUT.match(w.text).group(3)
    assert verdicts == {
        1.0: "stuck: bouncing between the same two points",
        0.9: "not there yet: zigzagging",
        0.3: "converged",
        0.05: "not there yet: crawling",
        1.1: "diverging: |x| grows every step",
    }


# ---- XOR retrained --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lesson_widget():
    """The XOR widget at the lesson's settings (1,000 epochs, lr 0.1): built once, it takes a second."""
    return XorWidget()


def test_train_xor_solves_xor_at_the_lesson_settings(lesson_widget):
    net, losses = train_xor(0.1)
    assert len(losses) == 1000 and losses[-1] < 0.01
    assert [round(p) for p in xor_predictions(net)] == [0, 1, 1, 0]
    # The widget trains the same network from the same weights with NumPy: the same run as the
    # notebook's, up to rounding in the last bits (which later epochs may amplify a little).
    assert len(lesson_widget.losses) == 1000
    np.testing.assert_allclose(lesson_widget.losses[:150], losses[:150], rtol=1e-9)
    np.testing.assert_allclose(lesson_widget.predictions, xor_predictions(net), atol=0.02)
    assert lesson_widget.text.endswith("(XOR solved)")


def test_train_xor_is_reproducible_and_refuses_bad_input():
    assert train_xor(0.2, epochs=50)[1] == train_xor(0.2, epochs=50)[1]
    with pytest.raises(ValueError, match="positive, finite"):
        train_xor(-0.1)
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        train_xor(0.1, epochs=0)


def test_xor_widget_parts_css_classes_and_first_drawing(lesson_widget):
    w = lesson_widget
    assert isinstance(w.slider, widgets.FloatLogSlider) and w.slider.continuous_update is False
    assert "nnfs-lr-xor" in w._dom_classes
    assert "nnfs-lr-xor-slider" in w.slider._dom_classes
    assert "nnfs-lr-xor-plot" in w.plot._dom_classes
    assert "nnfs-lr-xor-result" in w.result._dom_classes
    assert png(w).startswith(PNG)
    assert w.text.startswith("learning rate 0.1: after 1000 epochs loss = ")
    assert w.text.endswith("round to [0, 1, 1, 0] (XOR solved)")


def test_xor_slider_retrains_and_readout_matches_the_rate():
    w = XorWidget(lr=0.1, epochs=300, resolution=10)  # fewer epochs: a faster test of the same code
    before_png = png(w)
    w.slider.value = 0.5  # too large: the tanh units saturate and the output is 1 everywhere
    assert png(w).startswith(PNG) and png(w) != before_png
    losses = XorNet.train([3, 3, 1], seed=5, lr=0.5, epochs=300).losses
    assert w.losses == losses
    np.testing.assert_allclose(losses[:20], train_xor(0.5, epochs=20)[1], rtol=1e-9)  # the Value run
    assert w.text == xor_readout(0.5, losses, w.predictions)
    assert w.text.startswith(f"learning rate 0.5: after 300 epochs loss = {losses[-1]:.3g}, predictions [")
    assert w.text.endswith("round to [1, 1, 1, 1] (not XOR)")
    assert w.result.value == w.text


def test_xor_rate_rounding_and_bad_settings():
    w = XorWidget(lr=0.1, epochs=20, resolution=5)
    w.slider.value = 10**-1.52  # 0.0302 on the slider's readout
    assert w.lr == 0.0302 and w.text.startswith("learning rate 0.0302: after 20 epochs")
    np.testing.assert_allclose(w.losses, train_xor(0.0302, epochs=20)[1], rtol=1e-9)
    with pytest.raises(ValueError, match="runs from 0.001 to 2"):
        XorWidget(lr=3)
    with pytest.raises(ValueError, match="resolution must be"):
        XorWidget(resolution=1)


def test_readout_formats_predictions_without_negative_zero():
    text = xor_readout(0.1, [1.0, 0.5], [-0.001, 0.99, 0.98, 0.004])
    assert text == ("learning rate 0.1: after 2 epochs loss = 0.5, "
                    "predictions [0.00, 0.99, 0.98, 0.00] round to [0, 1, 1, 0] (XOR solved)")


def test_module_docstring_lists_every_css_class():
    for widget in ("parabola", "xor"):
        for part in ("slider", "plot", "result"):
            assert f"nnfs-lr-{widget}-{part}" in lr_widgets.__doc__


# ---- hardening (red-team report, issues 10 and 11) ----------------------------------------------
def test_xor_verdict_needs_every_output_clearly_on_its_side():
    losses = [0.7, 0.594]
    low = xor_readout(0.00214, losses, [0.19, 0.65, 0.56, 0.49])  # the browser review's case
    assert "(XOR solved)" not in low
    assert "(not solved yet: every output is on the right side of 0.5, but not by 0.25)" in low
    assert xor_readout(0.01, losses, [0.3, 0.6, 0.4, 0.2]).endswith("(not XOR)")
    assert xor_readout(0.1, [0.01], [0.05, 0.8, 0.9, 0.2]).endswith("(XOR solved)")
    assert lr_widgets.xor_verdict([0.25, 0.75, 0.75, 0.25]) == "XOR solved"


@pytest.mark.parametrize("kwargs", [
    {"activation": None, "output_activation": None},
    {"activation": "relu", "output_activation": None},
])
def test_train_xor_reports_divergence_in_words(kwargs):
    net, losses = train_xor(2.0, epochs=200, **kwargs)
    assert not math.isfinite(losses[-1]) and len(losses) < 200
    text = xor_readout(2.0, losses, xor_predictions(net))
    assert f"training diverged after {len(losses)} epochs" in text and "smaller learning rate" in text


def test_parabola_with_many_steps_stops_at_divergence(recwarn):
    path = parabola_path(1.1, steps=10_000)
    assert all(math.isfinite(x) for x in path) and abs(path[-1]) > lr_widgets.DIVERGED
    assert len(path) < 10_001
    text = parabola_readout(1.1, steps=10_000)
    assert f"after {len(path) - 1} of 10000 steps" in text and "diverging" in text
    w = ParabolaWidget(lr=1.1, steps=10_000)
    assert w.plot.value[:4] == b"\x89PNG"
    assert not [w for w in recwarn.list if issubclass(w.category, RuntimeWarning)]


def test_zero_steps_is_not_called_stuck():
    assert parabola_readout(0.3, steps=0) == "learning rate 0.3: after 0 steps x = -1 (no steps taken)"
    assert ParabolaWidget(lr=0.3, steps=0).text.endswith("(no steps taken)")


# ---- keyboard and speed (issue 18) ------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: ParabolaWidget(), lambda: XorWidget(epochs=20, resolution=5)])
def test_sliders_take_ten_presses_per_tenfold_and_say_which_keys_move_them(make):
    w = make()
    assert w.slider.step == lr_widgets.LOG_STEP == 0.1  # log10 steps: 0.1 -> 1 in 10 arrow presses
    row = w.children[0]
    assert isinstance(row, widgets.HBox) and row.children[0] is w.slider
    keys = row.children[1]
    assert "nnfs-lr-keys" in keys._dom_classes
    for key in ("PageUp", "PageDown", "Home", "End", "×1.26"):
        assert key in keys.value
    assert 10 ** (2 * lr_widgets.LOG_STEP) == pytest.approx(1.585, abs=1e-3)  # what "×1.26" per press means


def test_xor_widget_redraws_in_the_same_figure_and_the_picture_follows_the_rate():
    w = XorWidget(lr=0.1, epochs=200, resolution=12)
    figure, first = w._fig, png(w)
    pictures = {first}
    for rate in (0.003, 0.5, 0.1):
        w.slider.value = rate
        assert w._fig is figure  # the figure is kept, only what moves is drawn again
        pictures.add(png(w))
    assert png(w) == first  # back at 0.1: the very same picture
    assert len(pictures) == 3
    assert w._ax_loss.title.get_text() == "lr = 0.1: loss"
    assert w._ax_map.title.get_text() == "lr = 0.1: output"


def test_xor_net_outputs_are_its_trained_forward_pass():
    net = XorNet.train([3, 3, 1], seed=5, lr=0.1, epochs=50)
    random_points = np.random.default_rng(0).uniform(-1, 2, size=(7, 2))
    h = random_points
    for W, b in zip(net.Ws, net.bs):
        h = np.tanh(h @ W[0] + b[0, 0])
    np.testing.assert_allclose(net(random_points), h[:, 0], rtol=1e-12)
    assert len(net.losses) == 50 and all(math.isfinite(v) for v in net.losses)
