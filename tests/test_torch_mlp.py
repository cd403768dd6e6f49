"""course_lib.torch_mlp: the MLP of notebooks 08 and 09 and its helpers."""

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from course_lib.torch_mlp import MLP, count_parameters, evaluate, images_to_tensor, train_epoch  # noqa: E402


def test_import_course_lib_does_not_import_torch():
    code = "import sys, course_lib, course_lib.viz, course_lib.nn; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_parameter_count_of_the_issue_example():
    model = MLP(784, [32, 64, 128, 64], 10, activation="tanh")
    assert count_parameters(model) == 44_458
    assert model.describe() == "784-[32, 64, 128, 64]-10 tanh, 44,458 parameters"


def test_no_hidden_layer_is_a_linear_model():
    assert count_parameters(MLP(784, [], 10)) == 784 * 10 + 10


@pytest.mark.parametrize("activation, module", [("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid")])
def test_activation_by_name(activation, module):
    model = MLP(4, [3, 3], 2, activation=activation)
    names = [type(m).__name__ for m in model.net]
    assert names == ["Flatten", "Linear", module, "Linear", module, "Linear", "LogSoftmax"]


def test_output_is_log_probabilities_for_images_and_flat_inputs():
    torch.manual_seed(0)
    model = MLP(784, [16], 10)
    images = torch.rand(5, 28, 28)
    out = model(images)
    assert out.shape == (5, 10)
    assert torch.allclose(out.exp().sum(dim=1), torch.ones(5), atol=1e-6)
    assert torch.equal(out, model(images.reshape(5, 784)))


def test_same_seed_same_model():
    torch.manual_seed(3)
    a = MLP(784, [8], 10)
    torch.manual_seed(3)
    b = MLP(784, [8], 10)
    x = torch.rand(2, 784)
    assert torch.equal(a(x), b(x))


def test_dropout_zero_is_the_model_without_dropout():
    torch.manual_seed(3)
    plain = MLP(784, [8, 8], 10)
    torch.manual_seed(3)
    zero = MLP(784, [8, 8], 10, dropout=0)
    assert str(plain) == str(zero) and plain.describe() == zero.describe()
    assert not any(isinstance(m, torch.nn.Dropout) for m in zero.modules())


def test_dropout_after_every_hidden_activation_only_in_training():
    torch.manual_seed(0)
    model = MLP(784, [64, 32], 10, dropout=0.25)
    kinds = [type(m).__name__ for m in model.net]
    hidden = ["Linear", "ReLU", "Dropout"]
    assert kinds == ["Flatten", *hidden, *hidden, "Linear", "LogSoftmax"]
    assert model.describe() == "784-[64, 32]-10 relu, dropout 0.25, 52,650 parameters"
    x = torch.rand(4, 784)
    model.eval()
    assert torch.equal(model(x), model(x))  # evaluation: nothing is dropped
    model.train()
    assert not torch.equal(model(x), model(x))  # training: a new random mask every call


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"activation": "gelu"}, "unknown activation 'gelu'; choose one of 'relu', 'tanh', 'sigmoid'"),
        ({"activation": "ReLU"}, "names are lower case: 'relu'"),
        ({"hidden_sizes": 128}, "list of layer sizes"),
        ({"hidden_sizes": [128, 0]}, "every hidden size must be a whole number >= 1, got 0"),
        ({"hidden_sizes": [12.5]}, "got 12.5"),
        ({"n_in": 0}, "n_in (inputs per example) must be a whole number >= 1"),
        ({"n_classes": True}, "n_classes must be a whole number"),
        ({"dropout": 1.0}, "dropout is a probability p with 0 <= p < 1"),
        ({"dropout": -0.1}, "got -0.1"),
        ({"dropout": "0.2"}, "got '0.2'"),
    ],
)
def test_bad_arguments_give_clear_errors(kwargs, message):
    args = {"n_in": 784, "hidden_sizes": [16], "n_classes": 10, **kwargs}
    with pytest.raises(ValueError) as err:
        MLP(**args)
    assert message in str(err.value)


def test_bad_inputs_give_clear_errors():
    model = MLP(784, [8], 10)
    with pytest.raises(ValueError, match=r"got shape \(28, 28\).*x\[None\]"):
        model(torch.rand(28, 28))
    with pytest.raises(ValueError, match="784 numbers each"):
        model(torch.rand(3, 27, 27))
    with pytest.raises(TypeError, match="float inputs"):
        model(torch.zeros(2, 28, 28, dtype=torch.uint8))


def test_images_to_tensor_scales_and_normalises():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x = images_to_tensor(images)
    assert x.dtype == torch.float32
    assert torch.allclose(x, torch.tensor([[[0.0, 1.0], [0.2, 0.4]]]))
    assert torch.allclose(images_to_tensor(images, 0.5, 0.5), (x - 0.5) / 0.5)
    with pytest.raises(TypeError, match="uint8"):
        images_to_tensor(images.astype(float))
    with pytest.raises(ValueError, match="both mean and std"):
        images_to_tensor(images, mean=0.1)
    with pytest.raises(ValueError, match="std must be positive"):
        images_to_tensor(images, 0.1, 0.0)


def test_train_epoch_and_evaluate_learn_a_separable_problem():
    from torch.utils.data import DataLoader, TensorDataset

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(200, 4, generator=gen)
    y = (x[:, 0] > 0).long()  # the class is the sign of the first input
    loader = DataLoader(TensorDataset(x, y), batch_size=20, shuffle=True, generator=gen)
    torch.manual_seed(0)
    model = MLP(4, [8], 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = evaluate(model, loader)
    losses = [train_epoch(model, loader, optimizer) for _ in range(10)]
    assert losses[-1] < losses[0]
    assert evaluate(model, loader) > max(before, 0.95)


# ---- hardening (red-team report, issue 10) ----------------------------------------------
def test_float64_and_numpy_inputs_are_converted():
    torch.manual_seed(0)
    model = MLP(4, [3], 2)
    x32 = torch.randn(5, 4)
    want = model(x32)
    torch.testing.assert_close(model(x32.double()), want)
    torch.testing.assert_close(model(x32.numpy()), want)
    torch.testing.assert_close(model(x32.double().numpy()), want)
    with pytest.raises(TypeError, match="needs a tensor"):
        model([[0.0] * 4])
    with pytest.raises(TypeError, match="images_to_tensor"):
        model(np.zeros((2, 4), dtype=np.uint8))


def test_an_empty_batch_gives_an_empty_result():
    model = MLP(4, [3], 2)
    assert model(torch.zeros(0, 4)).shape == (0, 2)
    with pytest.raises(ValueError, match="shape"):
        model(torch.zeros(0, 5))


def test_an_empty_loader_is_explained():
    model = MLP(4, [3], 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="train_epoch has nothing to train on: the loader gave no examples"):
        train_epoch(model, [], optimizer)
    with pytest.raises(ValueError, match="evaluate has nothing to measure"):
        evaluate(model, [])


# ---- red-team report 2 ------------------------------------------------------------------
def test_evaluate_refuses_labels_of_shape_n_1():
    """(N,) against (N, 1) broadcasts to N x N: an "accuracy" of 360% without this check."""
    from torch.utils.data import DataLoader, TensorDataset

    model = MLP(4, [3], 2)
    x, y = torch.randn(10, 4), torch.tensor([0, 1] * 5)
    with pytest.raises(ValueError, match=r"labels of shape \(N,\).*got \(10, 1\).*y.squeeze\(1\)"):
        evaluate(model, DataLoader(TensorDataset(x, y[:, None]), batch_size=10))
    assert 0.0 <= evaluate(model, DataLoader(TensorDataset(x, y), batch_size=10)) <= 1.0


def test_one_output_class_is_refused_as_numpy_mlp_does():
    with pytest.raises(ValueError, match="at least 2 classes, got n_classes=1.*n_classes=2"):
        MLP(2, [4], 1)
