"""Exercises of notebook 08 (PyTorch basics): right answers pass, typical wrong ones get their message."""

import re
import subprocess
import sys

import numpy as np
import pytest

from course_lib.exercises import nb08


def check(exercise, answer, capsys):
    """Run a check; return (passed, printed text)."""
    passed = exercise.check(answer)
    return passed, capsys.readouterr().out


def test_importing_the_exercises_does_not_import_torch():
    code = "import sys, course_lib, course_lib.exercises.nb08; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---- q1 -------------------------------------------------------------------------------------------


def test_q1_accepts_the_parameter_count(capsys):
    passed, out = check(nb08.q1, 84060, capsys)
    assert passed and "correct" in out
    assert nb08.q1.check(np.int64(84060)) and nb08.q1.check(84060.0)


def test_q1_answer_matches_the_library_model():
    torch_mlp = pytest.importorskip("course_lib.torch_mlp")
    assert torch_mlp.count_parameters(torch_mlp.MLP(784, [100, 50], 10)) == 84060


@pytest.mark.parametrize(
    "answer, message",
    [
        (83900, "weights only"),
        (160, "biases only"),
        (84834, "one bias per *input*"),
        (5560, "leaves out the first layer"),
        (83550, "leaves out the output layer"),
        (944, "counts neurons"),
        (39200000, "multiplies all the sizes"),
        (12345, "a*b weights and b biases"),
        ("84060", "whole number of parameters"),
        (84060.5, "not a whole number"),
        (True, "whole number of parameters"),
        (float("inf"), "not a finite number"),
        (float("nan"), "not a finite number"),
    ],
)
def test_q1_rejects_typical_mistakes(answer, message, capsys):
    passed, out = check(nb08.q1, answer, capsys)
    assert not passed
    assert message in out


def test_q1_placeholder_means_no_answer_yet(capsys):
    passed, out = check(nb08.q1, ..., capsys)
    assert not passed and "no answer yet" in out


# ---- q2 -------------------------------------------------------------------------------------------


def _step(*order):
    """A train step doing the named calls in order; 'forward' computes the loss."""

    def train_step(model, optimizer, loss_fn, x, y):
        loss = None
        for op in order:
            if op == "zero":
                optimizer.zero_grad()
            elif op == "forward":
                loss = loss_fn(model(x), y)
            elif op == "backward":
                loss.backward()
            elif op == "step":
                optimizer.step()
        return loss.item()

    return train_step


@pytest.mark.parametrize(
    "order",
    [("zero", "forward", "backward", "step"), ("forward", "backward", "step", "zero"),
     ("forward", "zero", "backward", "step")],
)
def test_q2_accepts_correct_orders(order, capsys):
    pytest.importorskip("torch")
    passed, out = check(nb08.q2, _step(*order), capsys)
    assert passed, out


def test_q2_accepts_model_zero_grad(capsys):
    pytest.importorskip("torch")

    def train_step(model, optimizer, loss_fn, x, y):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    assert check(nb08.q2, train_step, capsys)[0]


@pytest.mark.parametrize(
    "order, message",
    [
        (("forward", "backward", "step"), "without optimizer.zero_grad()"),
        (("step", "zero", "forward", "backward"), "one batch behind"),
        (("step", "forward", "backward"), "zero_grad() is missing"),
        (("forward", "backward", "zero", "step"), "never changed"),
        (("zero", "step", "forward", "backward"), "never changed"),
        (("zero", "forward", "step"), "never changed"),
        (("zero", "forward", "backward"), "never changed"),
    ],
)
def test_q2_rejects_wrong_orders(order, message, capsys):
    pytest.importorskip("torch")
    passed, out = check(nb08.q2, _step(*order), capsys)
    assert not passed
    assert message in out


def test_q2_rejects_a_missing_or_wrong_return_value(capsys):
    torch = pytest.importorskip("torch")

    def returns_nothing(model, optimizer, loss_fn, x, y):
        _step("zero", "forward", "backward", "step")(model, optimizer, loss_fn, x, y)

    passed, out = check(nb08.q2, returns_nothing, capsys)
    assert not passed and "returns None" in out

    def returns_tensor(model, optimizer, loss_fn, x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    passed, out = check(nb08.q2, returns_tensor, capsys)
    assert not passed and "loss.item()" in out

    def returns_loss_after_step(model, optimizer, loss_fn, x, y):
        _step("zero", "forward", "backward", "step")(model, optimizer, loss_fn, x, y)
        with torch.no_grad():
            return loss_fn(model(x), y).item()

    passed, out = check(nb08.q2, returns_loss_after_step, capsys)
    assert not passed and "computed before step()" in out


def test_q2_accepts_the_loss_rounded_to_float32(capsys):
    torch = pytest.importorskip("torch")

    def returns_float32(model, optimizer, loss_fn, x, y):
        loss = _step("zero", "forward", "backward", "step")(model, optimizer, loss_fn, x, y)
        return torch.tensor(loss)  # float32: about 7 significant digits

    passed, out = check(nb08.q2, returns_float32, capsys)
    assert passed, out


def test_q2_shows_digits_that_differ_for_a_slightly_wrong_loss(capsys):
    pytest.importorskip("torch")

    def slightly_off(model, optimizer, loss_fn, x, y):
        return _step("zero", "forward", "backward", "step")(model, optimizer, loss_fn, x, y) * (1 + 1e-5)

    passed, out = check(nb08.q2, slightly_off, capsys)
    assert not passed and "computed before step()" in out
    returned, wanted = re.search(r"you returned (\S+) instead of the batch's loss (\S+) ", out).groups()
    assert returned != wanted
    assert float(returned) == pytest.approx(float(wanted) * (1 + 1e-5), rel=1e-6)


def test_q2_rejects_a_result_instead_of_a_function(capsys):
    pytest.importorskip("torch")
    passed, out = check(nb08.q2, 0.25, capsys)
    assert not passed and "pass your function itself" in out


def test_q2_rejects_a_different_update(capsys):
    torch = pytest.importorskip("torch")

    def doubled_lr(model, optimizer, loss_fn, x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 1.0 * p.grad
        return loss.item()

    passed, out = check(nb08.q2, doubled_lr, capsys)
    assert not passed and "differ from one plain SGD step" in out


# ---- q3 -------------------------------------------------------------------------------------------


def test_q3_accepts_the_settled_step(capsys):
    passed, out = check(nb08.q3, 1.0, capsys)
    assert passed and "correct" in out
    assert nb08.q3.check(np.float64(1.0)) and nb08.q3.check(1)


def test_q3_answer_matches_pytorch_sgd():
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=nb08.Q3_LR, momentum=nb08.Q3_MOMENTUM)
    for _ in range(300):
        optimizer.zero_grad()
        (nb08.Q3_GRADIENT * p).sum().backward()
        before = p.item()
        optimizer.step()
    assert before - p.item() == pytest.approx(nb08._momentum_step(), rel=1e-4)
    assert nb08._momentum_step() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "answer, message",
    [
        (0.1, "WITHOUT momentum"),
        (0.19, "second step"),
        (0.09, "running SUM"),
        (20, "settled velocity"),
        (10, "how many times farther"),
        (0.5, "gradient g = 2 is missing"),
        (0.05263, "not 1 / (1 + mu)"),
        (0.01, "divide instead"),
        (0.1111, "not 1 / mu"),
        (-1.0, "without the sign"),
        (3.7, "Solve that for v"),
        ("1.0", "without quotes"),
        (float("nan"), "not a finite number"),
    ],
)
def test_q3_rejects_typical_mistakes(answer, message, capsys):
    passed, out = check(nb08.q3, answer, capsys)
    assert not passed
    assert message in out


def test_q3_mistake_table_has_no_right_answer_and_no_duplicates():
    wrong = [value for value, _ in nb08._momentum_mistakes()]
    assert all(abs(value - nb08._momentum_step()) > 1e-2 for value in wrong)
    assert len({round(value, 6) for value in wrong}) == len(wrong)


def test_q3_placeholder_means_no_answer_yet(capsys):
    passed, out = check(nb08.q3, ..., capsys)
    assert not passed and "no answer yet" in out
