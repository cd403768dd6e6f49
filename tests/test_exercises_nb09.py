"""Exercises of notebook 09 (PyTorch on MNIST): right answers pass, typical wrong ones get their message."""

import math
import subprocess
import sys

import numpy as np
import pytest

from course_lib.exercises import nb09


def check(exercise, answer, capsys):
    """Run a check; return (passed, printed text)."""
    passed = exercise.check(answer)
    return passed, capsys.readouterr().out


def test_importing_the_exercises_does_not_import_torch():
    code = "import sys, course_lib, course_lib.exercises.nb09; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---- q1 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [0.00197, 0.002, math.sqrt(0.97 * 0.03 / 7500), np.float32(0.00197)])
def test_q1_accepts_the_standard_error(answer, capsys):
    passed, out = check(nb09.q1, answer, capsys)
    assert passed and "correct" in out


def test_q1_right_answer_is_the_spread_of_simulated_accuracies():
    # 7,500 images each right with probability 0.97: the accuracy's spread over many such sets
    accuracies = np.random.default_rng(0).binomial(7500, 0.97, size=20000) / 7500
    assert accuracies.std() == pytest.approx(nb09._standard_error(), rel=0.02)


@pytest.mark.parametrize(
    "answer, message",
    [
        (0.197, "percentage points"),
        (3.88e-6, "the variance"),
        (0.1706, "you left out n"),
        (0.00539, "1,000 images"),
        (0.01137, "not p"),
        (2.27e-5, "covers the division by n"),
        (1 / 7500, "one image is worth"),
        (0.00394, "two standard errors"),
        (0.00279, "difference of two independent accuracies"),
        (0.05, "sqrt(p (1 - p) / n)"),
        (0.0019, "is close, but rounded too much"),  # as nb03.q2 says it (content review 2)
        ("0.002", "without quotes"),
        (np.array([0.002, 0.002]), "single number"),
    ],
)
def test_q1_rejects_typical_mistakes(answer, message, capsys):
    passed, out = check(nb09.q1, answer, capsys)
    assert not passed
    assert message in out


def test_q1_mistake_table_has_no_right_answer():
    right = nb09._standard_error()
    assert all(not math.isclose(value, right, rel_tol=0.05) for value, _ in nb09._standard_error_mistakes())


def test_q1_placeholder_means_no_answer_yet(capsys):
    passed, out = check(nb09.q1, ..., capsys)
    assert not passed and "no answer yet" in out


# ---- q2 -------------------------------------------------------------------------------------------


@pytest.fixture
def fashion_labels(monkeypatch):
    """Small stand-in for the Fashion-MNIST test labels, so these tests need no data set."""
    labels = np.random.default_rng(0).integers(0, 10, size=500).astype(np.uint8)
    monkeypatch.setattr(nb09, "_fashion_test_labels", lambda: labels)
    return labels


def _with_errors(labels, fraction, seed=1):
    """Labels with `fraction` of them changed to a different class."""
    rng = np.random.default_rng(seed)
    pred = labels.astype(np.int64).copy()
    wrong = rng.choice(len(pred), size=int(fraction * len(pred)), replace=False)
    pred[wrong] = (pred[wrong] + 1) % 10
    return pred


def test_q2_accepts_good_predictions(fashion_labels, capsys):
    passed, out = check(nb09.q2, _with_errors(fashion_labels, 0.12), capsys)
    assert passed
    assert "Fashion-MNIST test accuracy: 88.0%" in out


def test_q2_accepts_a_tensor(fashion_labels, capsys):
    torch = pytest.importorskip("torch")
    passed, _ = check(nb09.q2, torch.from_numpy(_with_errors(fashion_labels, 0.1)), capsys)
    assert passed


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda y: _with_errors(y, 0.9), "close to guessing"),
        (lambda y: _with_errors(y, 0.4), "the model learns"),
        (lambda y: _with_errors(y, 0.1)[:200], "has 500 images"),
        (lambda y: np.eye(10)[y], "pass the predicted labels"),
        (lambda y: y.reshape(50, 10)[:, :5], "shape (N,)"),
        (lambda y: y.astype(float) + 0.5, "whole numbers 0..9"),
        (lambda y: y.astype(np.int64) + 1, "whole numbers 0..9"),
    ],
)
def test_q2_rejects_typical_mistakes(fashion_labels, make, message, capsys):
    passed, out = check(nb09.q2, make(fashion_labels), capsys)
    assert not passed
    assert message in out


# ---- q3 -------------------------------------------------------------------------------------------

torch = pytest.importorskip("torch")


def right_dropout(h, p, training):
    if not training:
        return h
    return h * (torch.rand_like(h) >= p) / (1 - p)


def _inplace(h, p, training):
    if training:
        h.mul_((torch.rand_like(h) >= p) / (1 - p))
    return h


@pytest.mark.parametrize(
    "answer",
    [
        right_dropout,
        lambda h, p, training: torch.nn.functional.dropout(h, p, training),
        lambda h, p, training: torch.where(torch.rand(h.shape) < p, torch.zeros_like(h), h / (1 - p))
        if training else h.clone(),
    ],
)
def test_q3_accepts_dropout(answer, capsys):
    passed, out = check(nb09.q3, answer, capsys)
    assert passed and "correct" in out


def keep(h, p):
    """A fresh True/False mask, True with probability 1 - p."""
    return torch.rand_like(h) >= p


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda h, p, training: h * keep(h, p) if training else h, "multiply them by 1 / (1 - p)"),
        (lambda h, p, training: h * keep(h, p) * (1 - p) if training else h, "divide by 1 - p instead"),
        (lambda h, p, training: h * keep(h, p) / p if training else h, "you divided by p"),
        (lambda h, p, training: h * (torch.rand_like(h) < p) / (1 - p) if training else h, "that is 1 - p"),
        (lambda h, p, training: h * keep(h, p) / (1 - p), "training=False something was dropped"),
        (lambda h, p, training: h * keep(h, p) / (1 - p) if training else h / (1 - p),
         "scaling belongs to training"),
        (lambda h, p, training: h.clone(), "nothing was dropped"),
        (lambda h, p, training: h * 0 if training and torch.rand(1).item() < 0.5 else h.clone(),
         "one random number per entry"),
        (lambda h, p, training: h * (torch.rand(h.shape[1]) >= p) / (1 - p) if training else h,
         "every row got the same mask"),
        (lambda h, p, training: h * (torch.rand(h.shape, generator=torch.Generator().manual_seed(1)) >= p)
         / (1 - p) if training else h, "every call dropped the same entries"),
        (_inplace, "changed h itself"),
        (lambda h, p, training: None, "returned None"),
        (lambda h, p, training: h.numpy(), "return a tensor"),
        (lambda h, p, training: h[torch.rand_like(h) >= p], "drop entries, do not remove them"),
        (right_dropout(torch.ones(3), 0.5, True), "pass your function itself"),
        (..., "no answer yet"),
    ],
)
def test_q3_rejects_typical_mistakes(answer, message, capsys):
    passed, out = check(nb09.q3, answer, capsys)
    assert not passed
    assert message in " ".join(out.split()), out
def test_q2_without_the_test_labels_is_not_yet_not_your_code(monkeypatch, tmp_path, capsys):
    """No Fashion-MNIST files and no network: the check's own data is missing, not the learner's fault."""
    from course_lib import datasets

    monkeypatch.setenv("COURSE_LIB_DATA", str(tmp_path))
    monkeypatch.setattr(datasets, "MIRRORS", {"digits": [], "fashion": ["http://127.0.0.1:9/"]})
    passed, out = check(nb09.q2, np.zeros(10_000, dtype=np.int64), capsys)
    assert not passed and "not yet" in out and "your code raised" not in out
    assert "the check needs the Fashion-MNIST test labels" in out and "COURSE_LIB_DATA" in out
    assert "t10k-labels-idx1-ubyte.gz" in out and "t10k-images" not in out
