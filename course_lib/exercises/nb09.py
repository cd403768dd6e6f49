"""Exercises for notebook 09 (PyTorch on MNIST).

    from course_lib.exercises import nb09
    nb09.q1.check(standard_error)        # one standard error of a validation accuracy
    nb09.q2.check(fashion_predictions)   # predicted labels for the Fashion-MNIST test set
    nb09.q3.check(my_dropout)            # dropout written by hand

Nothing here imports torch at import time, so importing this module does not need it.
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
        (_standard_error(n=1000), "that is for 1,000 images; this validation set has 7,500."),
        (math.sqrt(p / n), "the spread of right/wrong is p (1 - p), not p: sqrt(p (1 - p) / n)."),
        (math.sqrt(p * (1 - p)) / n, "the square root covers the division by n too: sqrt(p (1 - p) / n)."),
        (1 / n, "that is what one image is worth (1 / n), not the standard error, sqrt(p (1 - p) / n)."),
        (2 * right, "that is two standard errors; one is sqrt(p (1 - p) / n)."),
        (math.sqrt(2) * right, "that is the standard error of the difference of two independent accuracies, "
         "sqrt(2) times one; the question asks for one accuracy, sqrt(p (1 - p) / n)."),
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
    hint="Section 3 computes it for 96%: sqrt(0.96 * 0.04 / 7500). Put in p = 0.97 instead, and give the "
    "result as a fraction, not in percentage points.",
    solution="""
math.sqrt(0.97 * 0.03 / 7500) = 0.00197, about 0.2 percentage points. Two set-ups compared on the
same images do better still: section 3 counts only the images where exactly one of them is right.""",
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
s = final_setup  # the set-up sections 3 and 4 chose (the random shifts left out)
torch.manual_seed(0)
fashion_model = torch_mlp.MLP(784, s['hidden'], 10, activation=s['activation'], dropout=s['dropout'])
optimizer = torch.optim.SGD(fashion_model.parameters(), lr=s['lr'], momentum=0.9,
                            weight_decay=s['weight_decay'])
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=8) if s['cosine'] else None
for epoch in range(8):
    torch_mlp.train_epoch(fashion_model, loader_f, optimizer)
    if scheduler is not None:
        scheduler.step()
fashion_model.eval()
with torch.no_grad():
    fashion_predictions = fashion_model(Xf_test_t).argmax(dim=1)""",
)


# ---- q3: dropout by hand ---------------------------------------------------------------------------

Q3_P = 0.3  # the dropout probability the checker uses


def _torch():
    try:
        import torch
    except ImportError:
        raise NotYet("this exercise needs PyTorch: pip install torch") from None
    return torch


def _dropout_input(torch):
    """Positive hidden outputs (none of them 0, so a 0 in the result means 'dropped'), 200 x 500."""
    return torch.rand(200, 500, generator=torch.Generator().manual_seed(0)) + 0.5


def _call(my_dropout, h, p, training):
    """Call the learner's function on a copy of h; say what is wrong with its result's type or shape."""
    torch = _torch()
    given = h.clone()
    out = my_dropout(given, p, training)
    if out is None:
        raise NotYet("my_dropout returned None: return the new tensor (for example h * mask / (1 - p))")
    if not isinstance(out, torch.Tensor):
        raise NotYet(f"return a tensor of the same shape as h, got {type(out).__name__}")
    if out.shape != h.shape:
        raise NotYet(f"the result has shape {tuple(out.shape)}, but h has shape {tuple(h.shape)}: "
                     "drop entries, do not remove them")
    if not torch.equal(given, h):
        raise NotYet("my_dropout changed h itself (in place): build a new tensor, e.g. h * mask / (1 - p), "
                     "and leave h as it is (other code may still need it)")
    return out.detach().float()


def _check_dropout(my_dropout: Any) -> None:
    if not callable(my_dropout):
        raise NotYet(
            f"pass your function itself, nb09.q3.check(my_dropout), not the result of calling it "
            f"(got {type(my_dropout).__name__})"
        )
    torch = _torch()
    torch.manual_seed(0)
    h, p = _dropout_input(torch), Q3_P
    n = h.numel()
    outs = [_call(my_dropout, h, p, True) for _ in range(4)]
    fractions = [(out == 0).float().mean().item() for out in outs]
    if all(f == 0 for f in fractions):
        raise NotYet("in training nothing was dropped: set each entry to 0 with probability p, "
                     "e.g. keep = torch.rand_like(h) >= p")
    if any(f in (0.0, 1.0) for f in fractions):
        raise NotYet("some calls dropped everything and others nothing: draw one random number per entry "
                     "(torch.rand_like(h)), not one for the whole tensor")
    tolerance = 5 * math.sqrt(p * (1 - p) / n)  # five standard errors of the dropped fraction
    fraction = fractions[0]
    if abs(fraction - (1 - p)) < tolerance:
        raise NotYet(f"{fraction:.0%} of the entries were dropped, that is 1 - p: drop with probability p "
                     "(torch.rand_like(h) < p marks the dropped ones)")
    kept = outs[0] != 0
    if bool((kept == kept[0]).all()):
        raise NotYet("every row got the same mask: each entry needs its own random number, "
                     "torch.rand_like(h), not one per column")
    if abs(fraction - p) >= tolerance:
        raise NotYet(f"{fraction:.1%} of the entries were dropped; with p = {p} about {p:.0%} should be")
    if all(torch.equal(out != 0, kept) for out in outs[1:]):
        raise NotYet("every call dropped the same entries: draw a new random mask at every call")
    ratio = (outs[0][kept] / h[kept]).mean().item()
    for factor, message in (
        (1.0, "the kept entries are unchanged: multiply them by 1 / (1 - p), so that on average "
              "the output equals h"),
        (1 - p, "you multiplied the kept entries by 1 - p: divide by 1 - p instead"),
        (1 / p, "you divided by p: divide by 1 - p, the probability of keeping an entry"),
        (p, "you multiplied by p: divide by 1 - p, the probability of keeping an entry"),
    ):
        if math.isclose(ratio, factor, rel_tol=1e-3):
            raise NotYet(message)
    if not torch.allclose(outs[0][kept], h[kept] / (1 - p), rtol=1e-5):
        raise NotYet("the kept entries should be h / (1 - p); yours are not")
    out_eval = _call(my_dropout, h, p, False)
    if not torch.equal(out_eval, h):
        if bool((out_eval == 0).any()):
            raise NotYet("with training=False something was dropped: in evaluation dropout does nothing, "
                         "return h unchanged")
        raise NotYet("with training=False the values changed: in evaluation return h as it is "
                     "(the 1 / (1 - p) scaling belongs to training)")
    out_zero = _call(my_dropout, h, 0.0, True)
    if not torch.allclose(out_zero, h):
        raise NotYet("with p = 0 nothing should change, even in training")


q3 = Exercise(
    "Exercise 3 (dropout by hand)",
    _check_dropout,
    hint="Make a mask of True/False with one random number per entry: keep = torch.rand_like(h) >= p keeps "
    "each entry with probability 1 - p. Multiply h by the mask and divide by 1 - p. When training is False, "
    "return h.",
    solution="""
def my_dropout(h, p, training):
    if not training:
        return h
    keep = torch.rand_like(h) >= p          # True with probability 1 - p, one per entry
    return h * keep / (1 - p)               # a new tensor: h itself is unchanged

The division keeps the expected value: an entry survives with probability 1 - p and is then
h / (1 - p), so on average it is h, in training as in evaluation.""",
)
