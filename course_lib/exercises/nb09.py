"""Exercises for notebook 09 (PyTorch on MNIST).

    from course_lib.exercises import nb09
    nb09.q1.check(standard_error)        # one standard error of a validation accuracy
    nb09.q2.check(fashion_predictions)   # predicted labels for the Fashion-MNIST test set

Nothing here imports torch, so importing this module does not need it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from course_lib.exercises import Exercise, NotYet, number

# ---- q1: the standard error of a validation accuracy ------------------------------------------------

Q1_ACCURACY, Q1_N = 0.97, 7500  # a validation accuracy and the size of the validation set


def _standard_error(p: float = Q1_ACCURACY, n: int = Q1_N) -> float:
    return math.sqrt(p * (1 - p) / n)


def _standard_error_mistakes() -> list[tuple[float, str]]:
    """Answers learners really give, each with what to tell them."""
    p, n = Q1_ACCURACY, Q1_N
    right = _standard_error()
    return [
        (100 * right, "that is in percentage points; give it as a fraction (divide by 100)."),
        (p * (1 - p) / n, "that is the variance, p (1 - p) / n; the standard error is its square root."),
        (math.sqrt(p * (1 - p)), "you left out n: the more validation images, the smaller the error, "
         "sqrt(p (1 - p) / n)."),
        (_standard_error(n=1000), "that is for 1,000 images, the sample's validation set; "
         "this one has 7,500."),
        (math.sqrt(p / n), "the spread of right/wrong is p (1 - p), not p: sqrt(p (1 - p) / n)."),
        (math.sqrt(p * (1 - p)) / n, "the square root covers the division by n too: sqrt(p (1 - p) / n)."),
        (1 / n, "that is what one image is worth (1 / n), not the standard error, sqrt(p (1 - p) / n)."),
        (2 * right, "that is two standard errors; one is sqrt(p (1 - p) / n)."),
    ]


def _check_standard_error(answer: Any) -> None:
    got = number("standard_error", answer)
    right = _standard_error()
    if math.isclose(got, right, rel_tol=0.02):  # 0.00197 or 0.002 are both fine
        return
    for wrong, message in _standard_error_mistakes():
        if math.isclose(got, wrong, rel_tol=0.02):
            raise NotYet(f"{got:g}: {message}")
    if math.isclose(got, right, rel_tol=0.1):  # e.g. 0.0019: the right formula, cut short
        raise NotYet(f"{got:g} is close, but rounded too much: give at least three significant digits "
                     "(you may compute it with math.sqrt).")
    raise NotYet(
        f"{got:g} is not it. Each validation image is right with probability p = 0.97; the accuracy "
        "averages n = 7,500 of them, so its standard error is sqrt(p (1 - p) / n)."
    )


q1 = Exercise(
    "Exercise 1 (standard error)",
    _check_standard_error,
    hint="Section 3 computes it for 1,000 images at 96%: sqrt(0.96 * 0.04 / 1000). Put in p = 0.97 and "
    "n = 7,500, and give the result as a fraction, not in percentage points.",
    solution="""
math.sqrt(0.97 * 0.03 / 7500) = 0.00197, about 0.2 percentage points:
with the full data, differences of a few tenths of a point between set-ups start to mean something.""",
)

# ---- q2: Fashion-MNIST -------------------------------------------------------------------------

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


def _fashion_test_labels() -> np.ndarray:
    """The true labels of the Fashion-MNIST test set (the checker compares against these)."""
    from course_lib.datasets import DatasetError, load_labels

    try:
        return load_labels(kind="fashion", split="test")  # the labels only: a small file
    except DatasetError as err:  # the check's own data, not the learner's code
        raise NotYet(f"the check needs the Fashion-MNIST test labels and could not load them: "
                     f"{str(err).splitlines()[0]} Connect to the internet once, or set COURSE_LIB_DATA "
                     "to a folder holding fashion-mnist/ (see the README).") from None


def _check_fashion(predictions: Any) -> None:
    if hasattr(predictions, "detach"):  # a torch tensor
        predictions = predictions.detach().cpu().numpy()
    pred = np.asarray(predictions)
    if pred.ndim == 2 and pred.shape[1] == 10:
        raise NotYet(
            f"you passed a {pred.shape} array of scores; pass the predicted labels, "
            "shape (N,): log_probs.argmax(dim=1)"
        )
    if pred.ndim != 1:
        raise NotYet(f"pass one predicted label per test image, shape (N,), got shape {pred.shape}")
    if pred.dtype.kind not in "iu" or pred.size and (pred.min() < 0 or pred.max() > 9):
        raise NotYet("predicted labels are whole numbers 0..9 (the index of the most likely class)")
    labels = _fashion_test_labels()
    if len(pred) != len(labels):
        raise NotYet(
            f"you passed {len(pred):,} predictions, but the Fashion-MNIST test set has "
            f"{len(labels):,} images: predict on load_mnist(kind='fashion', split='test'), "
            "all of it, in order"
        )
    accuracy = float((pred == labels).mean())
    if accuracy < 0.3:
        raise NotYet(
            f"test accuracy {accuracy:.1%} is close to guessing (10%). Train AND test on kind='fashion', and "
            "keep the test images in their order (shuffle=False for the test DataLoader)."
        )
    if accuracy < 0.8:
        raise NotYet(
            f"test accuracy {accuracy:.1%}: the model learns, but this MLP reaches about 85-89% on "
            "Fashion-MNIST. Train for more epochs, and normalise with the Fashion training set's own "
            "mean and std."
        )
    print(
        f"Fashion-MNIST test accuracy: {accuracy:.1%}. Compare it with the digits: clothes are harder, "
        "because shirts, T-shirts, pullovers and coats look alike at 28x28 pixels."
    )


q2 = Exercise(
    "Exercise 2 (Fashion-MNIST)",
    _check_fashion,
    hint="Only the loading changes: load_mnist(kind='fashion', split='train') and split='test'. Recompute "
    "the mean and std from the Fashion training images, rebuild the DataLoaders and a fresh model, train, "
    "then predict the labels of all test images in order: model(X_test).argmax(dim=1).",
    solution="""
from course_lib import torch_mlp

Xf_train, yf_train = load_mnist(kind='fashion', split='train')
Xf_test, yf_test = load_mnist(kind='fashion', split='test')
xf = torch_mlp.images_to_tensor(Xf_train)
mean_f, std_f = xf.mean().item(), xf.std().item()
Xf_train_t = torch_mlp.images_to_tensor(Xf_train, mean_f, std_f)
Xf_test_t = torch_mlp.images_to_tensor(Xf_test, mean_f, std_f)
loader_f = DataLoader(TensorDataset(Xf_train_t, torch.from_numpy(yf_train).long()),
                      batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(0))
torch.manual_seed(0)
fashion_model = torch_mlp.MLP(784, [256], 10, activation='relu')  # section 3's set-up, without shifts
optimizer = torch.optim.SGD(fashion_model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
for epoch in range(10):
    torch_mlp.train_epoch(fashion_model, loader_f, optimizer)
    scheduler.step()
fashion_model.eval()
with torch.no_grad():
    fashion_predictions = fashion_model(Xf_test_t).argmax(dim=1)""",
)
