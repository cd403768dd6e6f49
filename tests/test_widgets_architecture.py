"""The architecture explorer: shapes, parameter counts that agree with MLP, drawing, controls, speed."""

import random
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_lib import MLP  # noqa: E402
from course_lib.widgets.architecture import (  # noqa: E402
    MAX_LAYERS,
    MAX_NEURONS,
    PRESETS,
    ArchitectureExplorer,
    count_with_mlp,
    draw_network,
    formula_text,
    hidden_sizes,
    network_png,
    parameter_count,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_parameter_count_of_the_lesson_network():
    assert parameter_count([3, 4, 4, 1]) == 41 == len(MLP(3, [4, 4, 1]).parameters())
    assert formula_text([3, 4, 4, 1]) == "(3+1)×4 + (4+1)×4 + (4+1)×1 = 16 + 20 + 5 = 41"
    assert formula_text([3, 1]) == "(3+1)×1 = 4"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_formula_agrees_with_a_real_mlp_for_every_setting(preset):
    for layers in range(MAX_LAYERS + 1):
        for neurons in range(1, MAX_NEURONS + 1):
            for nin, nout in [(3, 1), (2, 3)]:
                nouts = hidden_sizes(preset, layers, neurons) + [nout]
                assert parameter_count([nin, *nouts]) == len(MLP(nin, nouts).parameters())


def test_preset_shapes():
    assert hidden_sizes("uniform", 3, 4) == [4, 4, 4]
    assert hidden_sizes("funnel", 5, 16) == [16, 8, 4, 2, 1]
    assert hidden_sizes("funnel", 3, 5) == [5, 3, 2]  # halving rounds up
    assert hidden_sizes("diamond", 5, 16) == [4, 8, 16, 8, 4]
    assert hidden_sizes("diamond", 4, 8) == [4, 8, 8, 4]
    assert hidden_sizes("autoencoder", 5, 16) == [16, 8, 4, 8, 16]
    assert hidden_sizes("autoencoder", 4, 8) == [8, 4, 4, 8]
    for preset in PRESETS:
        assert hidden_sizes(preset, 0, 8) == []
        for layers in range(1, MAX_LAYERS + 1):
            sizes = hidden_sizes(preset, layers, 9)
            assert len(sizes) == layers and max(sizes) == 9 and min(sizes) >= 1


@pytest.mark.parametrize("call, words", [
    (lambda: hidden_sizes("pyramid", 2, 4), "unknown preset 'pyramid'"),
    (lambda: hidden_sizes("uniform", 6, 4), "layers must be a whole number from 0 to 5"),
    (lambda: hidden_sizes("uniform", 2, 17), "neurons must be a whole number from 1 to 16"),
    (lambda: hidden_sizes("uniform", 2, 2.5), "got 2.5"),
    (lambda: ArchitectureExplorer(nin=0), "nin (the number of inputs) must be a whole number from 1 to 16"),
    (lambda: ArchitectureExplorer(nout=20), "nout (the number of outputs) must be"),
    (lambda: ArchitectureExplorer(preset="funel"), "choose one of"),
    (lambda: draw_network([3]), "at least one layer"),
    (lambda: draw_network([3, 0, 1]), "every layer size must be"),
])
def test_bad_settings_give_clear_errors(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)


def test_count_with_mlp_leaves_random_numbers_alone():
    random.seed(5)
    expected = [random.random() for _ in range(3)]
    random.seed(5)
    assert count_with_mlp(3, [16, 16, 1]) == parameter_count([3, 16, 16, 1])
    ArchitectureExplorer(layers=5, neurons=16)
    assert [random.random() for _ in range(3)] == expected


def test_default_explorer_shows_the_lesson_network():
    w = ArchitectureExplorer()
    assert w.sizes == [3, 4, 4, 1] and w.n_parameters == 41
    assert "Parameters: 41" in w.count.value
    assert "3 → 4 → 4 → 1" in w.count.value
    assert "(3+1)×4 + (4+1)×4 + (4+1)×1 = 16 + 20 + 5 = 41" in w.count.value
    assert bytes(w.drawing.value).startswith(PNG)
    assert "41 parameters" in repr(w)


def test_controls_update_count_and_drawing_at_once():
    w = ArchitectureExplorer()
    before = w.drawing.value
    w.layers.value = 3
    assert w.sizes == [3, 4, 4, 4, 1]
    assert f"Parameters: {len(MLP(3, [4, 4, 4, 1]).parameters())}" in w.count.value  # 61
    assert "Parameters: 61" in w.count.value
    assert bytes(w.drawing.value) != bytes(before) and bytes(w.drawing.value).startswith(PNG)

    w.neurons.value = 16
    w.preset.value = "diamond"
    assert w.hidden == [8, 16, 8]
    assert w.n_parameters == len(MLP(3, [8, 16, 8, 1]).parameters())
    assert f"Parameters: {w.n_parameters}<" in w.count.value

    w.preset.value = "autoencoder"
    assert w.hidden == [16, 8, 16]
    assert "3 → 16 → 8 → 16 → 1" in w.count.value


def test_no_hidden_layer_is_a_single_layer_and_disables_the_width():
    w = ArchitectureExplorer()
    w.layers.value = 0
    assert w.sizes == [3, 1] and "Parameters: 4<" in w.count.value
    assert w.neurons.disabled
    w.layers.value = 1
    assert not w.neurons.disabled and w.sizes == [3, 4, 1]


def test_input_and_output_sizes_are_configurable():
    w = ArchitectureExplorer(nin=2, nout=3)
    assert w.sizes == [2, 4, 4, 3]
    assert w.n_parameters == len(MLP(2, [4, 4, 3]).parameters()) == 47
    assert "MLP(2, [4, 4, 3])" in w.count.value


def test_css_classes_for_browser_tests():
    w = ArchitectureExplorer()
    assert "nnfs-arch" in w._dom_classes
    for part in ("layers", "neurons", "preset", "count", "drawing"):
        assert f"nnfs-arch-{part}" in getattr(w, part)._dom_classes
    assert w.layers.max == MAX_LAYERS and w.neurons.max == MAX_NEURONS
    assert not w.layers.continuous_update and not w.neurons.continuous_update


def test_biggest_setting_stays_fast():
    w = ArchitectureExplorer()
    start = time.perf_counter()
    w.layers.value = MAX_LAYERS
    w.neurons.value = MAX_NEURONS
    seconds = (time.perf_counter() - start) / 2
    assert w.n_parameters == 1169
    assert seconds < 2.0, f"one update took {seconds:.2f} s"


def test_static_drawing_and_png():
    figures = plt.get_fignums()
    assert network_png([3, 4, 4, 1]).startswith(PNG)
    assert plt.get_fignums() == figures  # the PNG helper leaves no pyplot figure behind
    ax = draw_network([3, 4, 4, 1])
    texts = [t.get_text() for t in ax.texts]
    assert "MLP(3, [4, 4, 1]): 41 parameters" in texts
    assert "(3+1)×4\n= 16" in texts and "inputs\n3" in texts and "output\n1" in texts
    assert len(ax.collections) == 3 + 4  # one set of lines per layer, one set of circles per column
    plt.close(ax.figure)


def test_numpy_integers_are_accepted_everywhere():
    import numpy as np

    from course_lib.widgets.architecture import ArchitectureExplorer, hidden_sizes, network_png

    w = ArchitectureExplorer(nin=np.int64(3), nout=np.int32(1), layers=np.int64(2), neurons=np.int64(4))
    assert w.sizes == [3, 4, 4, 1] and w.n_parameters == 41
    assert all(type(s) is int for s in w.sizes)
    assert hidden_sizes("funnel", np.int64(4), np.int64(8)) == [8, 4, 2, 1]
    assert network_png(np.array([3, 4, 1]))[:4] == b"\x89PNG"
