"""How the widgets look without a kernel (their text form) and how sharp their pictures are."""

from __future__ import annotations

import io
import re

import matplotlib.image as mpimg

from course_lib.widgets.architecture import ArchitectureExplorer
from course_lib.widgets.learning_rate import ParabolaWidget, XorWidget


def png_width(data: bytes) -> int:
    return mpimg.imread(io.BytesIO(data), format="png").shape[1]


def shown_width(image) -> int:
    return int(re.fullmatch(r"(\d+)px", image.layout.width).group(1))


def test_pictures_are_shown_one_png_pixel_per_css_pixel():
    """A PNG shown wider than it is gets stretched and blurred (they were stretched 1.34-1.38x)."""
    parabola = ParabolaWidget(lr=0.3)
    xor = XorWidget(lr=0.1, epochs=5, resolution=4)
    explorer = ArchitectureExplorer()
    for image in (parabola.plot, xor.plot, explorer.drawing):
        assert shown_width(image) == png_width(image.value)
        assert image.layout.max_width == "100%" and image.layout.height == "auto"  # narrow windows: scaled


def test_text_forms_say_what_the_widget_shows():
    """GitHub, nbviewer and an unrun notebook show a widget's text form: make it true and useful."""
    parabola = ParabolaWidget(lr=0.3)
    assert repr(parabola) == "<ParabolaWidget: learning rate 0.3: after 20 steps x = -1.1e-08 (converged)>"
    xor = XorWidget(lr=0.1, epochs=5, resolution=4)
    assert re.fullmatch(r"<XorWidget: learning rate 0.1, 5 epochs, loss [\d.e+-]+ \((XOR solved|not XOR)\)>",
                        repr(xor))
    for widget in (parabola, xor):
        text = widget._repr_mimebundle_()["text/plain"]
        assert text == repr(widget) and "children=" not in text and "0x" not in text  # not cut at 110
