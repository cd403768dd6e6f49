"""Exercises for notebook 08 (PyTorch: from `Value` to tensors).

    from course_lib.exercises import nb08
    nb08.q1.check(84060)                 # parameters of MLP(784, [100, 50], 10)
    nb08.q2.check(train_step)            # your function: zero_grad / backward / step
    nb08.q3.check(step_size)             # how far momentum moves a parameter per step

torch is imported inside the checkers, so importing this module does not need it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_lib.exercises import Exercise, NotYet, number

# ---- q1: counting parameters ------------------------------------------------------------------

Q1_SIZES = (784, 100, 50, 10)  # MLP(784, [100, 50], 10)


def _layers(sizes=Q1_SIZES) -> list[tuple[int, int]]:
    return list(zip(sizes[:-1], sizes[1:]))


def _check_parameter_count(answer: Any) -> None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise NotYet(f"the answer is a whole number of parameters, got {type(answer).__name__}: {answer!r}")
    if not math.isfinite(answer):
        raise NotYet(f"{answer} is not a finite number: count the weights and biases of each layer")
    if answer != int(answer):
        raise NotYet(f"{answer} is not a whole number: parameters are counted, not measured")
    answer = int(answer)
    layers = _layers()
    weights = sum(a * b for a, b in layers)
    biases = sum(b for _, b in layers)
    right = weights + biases
    if answer == right:
        return
    known = {
        weights: f"{answer:,} counts the weights only: every Linear layer also has one bias per "
        "output neuron (100 + 50 + 10 of them).",
        biases: f"{answer:,} counts the biases only: every Linear(a, b) layer also has a*b weights.",
        weights + sum(a for a, _ in layers): f"{answer:,} gives each layer one bias per *input*; a layer "
        "has one bias per *output* neuron: Linear(784, 100) has 100 biases, not 784.",
        right - (784 * 100 + 100): f"{answer:,} leaves out the first layer, Linear(784, 100), which holds "
        "most of the parameters (78,500).",
        right - (50 * 10 + 10): f"{answer:,} leaves out the output layer, Linear(50, 10): "
        "the 10 class scores need weights too.",
        sum(Q1_SIZES): f"{answer:,} counts neurons (and inputs), not parameters: the parameters are the "
        "weights on the connections between layers, plus one bias per neuron.",
        784 * 100 * 50 * 10: f"{answer:,} multiplies all the sizes together; add the layers up instead: "
        "a*b weights + b biases for each Linear(a, b).",
    }
    raise NotYet(
        known.get(
            answer,
            f"{answer:,} is not it. Each Linear(a, b) layer has a*b weights and b biases; "
            "add them up for 784 -> 100, 100 -> 50 and 50 -> 10.",
        )
    )


q1 = Exercise(
    "Exercise 1 (parameter count)",
    _check_parameter_count,
    hint="A Linear(a, b) layer has a weight matrix of shape (b, a) and a bias vector of shape (b,). "
    "MLP(784, [100, 50], 10) has three Linear layers; the activations and LogSoftmax have no parameters.",
    solution="""
(784 * 100 + 100) + (100 * 50 + 50) + (50 * 10 + 10)
= 78,500 + 5,050 + 510 = 84,060
Check: count_parameters(MLP(784, [100, 50], 10)) == 84060""",
)

# ---- q2: the order of zero_grad, backward and step ------------------------------------------------


def _torch():
    try:
        import torch
    except ImportError:
        raise NotYet("this exercise needs PyTorch: pip install torch") from None
    return torch


def _reference_step(model, optimizer, loss_fn, x, y) -> float:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def _ordered_step(order: str) -> Callable:
    """A train step doing Z(ero_grad), B(ackward) and S(tep) in the given order (forward right before B)."""

    def step(model, optimizer, loss_fn, x, y):
        loss = None
        for op in order:
            if op == "Z":
                optimizer.zero_grad()
            elif op == "S":
                optimizer.step()
            else:
                loss = loss_fn(model(x), y)
                loss.backward()
        return loss.item()

    return step


# Wrong orders learners write, and what to tell them when their parameters move exactly like these.
_WRONG_ORDERS = {
    "BS": "the first update is right, but later ones are too big: without optimizer.zero_grad() each "
    "backward() ADDS this batch's gradient to the ones already in p.grad. Call zero_grad() before "
    "backward() (or after step()).",
    "SZB": "your updates are one batch behind: step() comes before backward(), so each step uses the "
    "gradient of the previous call (and the first step does nothing). Call backward() before step().",
    "SB": "step() comes before backward() and zero_grad() is missing: each update uses the gradients "
    "of all previous calls summed up, and the first step does nothing. The order is zero_grad(), "
    "backward(), step().",
}


def _run(train_step: Callable, n_calls: int = 3):
    """Parameters after each call and the returned losses, on a tiny fixed classification problem."""
    torch = _torch()
    nn = torch.nn
    gen = torch.Generator().manual_seed(7)
    batches = [
        (torch.randn(6, 3, generator=gen, dtype=torch.float64), torch.randint(0, 3, (6,), generator=gen))
        for _ in range(n_calls)
    ]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.LogSoftmax(dim=1)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = nn.NLLLoss()

    def flat():
        return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone()

    snapshots, losses = [flat()], []
    for x, y in batches:
        losses.append(train_step(model, optimizer, loss_fn, x, y))
        snapshots.append(flat())
    return snapshots, losses


def _same(a: list, b: list) -> bool:
    torch = _torch()
    return all(torch.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(a, b))


# A loss returned in float32 (e.g. torch.tensor(loss.item())) is rounded to about 7 significant
# digits; float32's spacing is 1.2e-7 of the value, so allow a few of those.
LOSS_RTOL = 1e-6


def _differing_digits(a: float, b: float) -> tuple[str, str]:
    """a and b printed with just enough significant digits to tell them apart."""
    for digits in range(7, 18):
        shown = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return repr(a), repr(b)


def _check_train_step(train_step: Any) -> None:
    torch = _torch()
    if not callable(train_step):
        raise NotYet(
            f"pass your function itself, nb08.q2.check(train_step), not the result of calling it "
            f"(got {type(train_step).__name__})"
        )
    want, want_losses = _run(_reference_step)
    got, got_losses = _run(train_step)
    if _same(got, want):
        for loss, right in zip(got_losses, want_losses):
            if loss is None:
                raise NotYet(
                    "the parameters move correctly, but your function returns None: return loss.item()"
                )
            if isinstance(loss, torch.Tensor) and loss.requires_grad:
                raise NotYet(
                    "return loss.item(), a plain float: returning the loss tensor keeps its whole "
                    "computation graph alive, and summing such tensors over an epoch grows the graph"
                )
            try:
                value = float(loss)
            except (TypeError, ValueError):
                message = f"return the loss as a number (loss.item()), got {type(loss).__name__}"
                raise NotYet(message) from None
            if not math.isclose(value, right, rel_tol=LOSS_RTOL, abs_tol=LOSS_RTOL):
                shown, wanted = _differing_digits(value, right)
                raise NotYet(
                    f"the parameters move correctly, but you returned {shown} instead of the batch's "
                    f"loss {wanted} (the loss computed before step())"
                )
        return
    if _same(got, [got[0]] * len(got)):
        raise NotYet(
            "your parameters never changed: step() never saw a gradient. Call loss.backward() and then "
            "optimizer.step(), with no zero_grad() between them (zero_grad() wipes the gradient "
            "step() needs)."
        )
    for order, message in _WRONG_ORDERS.items():
        try:
            pattern, _ = _run(_ordered_step(order))
        except RuntimeError:
            continue
        if _same(got, pattern):
            raise NotYet(message)
    if not _same(got[:2], want[:2]):
        raise NotYet(
            "after the first call the parameters differ from one plain SGD step. Use the optimizer you are "
            "given: zero_grad(), loss = loss_fn(model(x), y), loss.backward(), optimizer.step()."
        )
    raise NotYet(
        "the first step is right but a later one is not: does your function depend on earlier calls?"
    )


q2 = Exercise(
    "Exercise 2 (zero_grad, backward, step)",
    _check_train_step,
    hint="backward() ADDS gradients into p.grad; step() moves each parameter using p.grad. So the old "
    "gradients must be gone before backward(), and step() must come after backward().",
    solution="""
def train_step(model, optimizer, loss_fn, x, y):
    optimizer.zero_grad()          # forget the previous batch's gradients
    loss = loss_fn(model(x), y)    # forward pass
    loss.backward()                # p.grad = d loss / d p for every parameter
    optimizer.step()               # p -= lr * p.grad (plus momentum, weight decay, ...)
    return loss.item()""",
)

# ---- q3: momentum's speed-up ----------------------------------------------------------------------

Q3_LR, Q3_MOMENTUM, Q3_GRADIENT = 0.05, 0.9, 2.0  # eta, mu and the steady gradient g


def _momentum_step() -> float:
    """How far p moves per step once v has settled: v = mu v + g gives v = g / (1 - mu)."""
    return Q3_LR * Q3_GRADIENT / (1 - Q3_MOMENTUM)


def _momentum_mistakes() -> list[tuple[float, str]]:
    """Answers learners really give, each with what to tell them."""
    lr, mu, g = Q3_LR, Q3_MOMENTUM, Q3_GRADIENT
    return [
        (lr * g, "that is one step WITHOUT momentum (eta * g). With momentum v keeps growing, "
         "v <- mu v + g, until it settles where v = mu v + g."),
        (lr * g * (1 + mu), "that is the second step (eta * g * (1 + mu)); keep going: the steps keep "
         "growing until v settles where v = mu v + g."),
        (lr * g * mu, "that multiplies by mu once; v is a running SUM of past gradients, "
         "g + mu g + mu^2 g + ..., which settles at g / (1 - mu)."),
        (g / (1 - mu), "that is v, the settled velocity; the parameter moves eta * v per step."),
        (1 / (1 - mu), "that is how many times farther than plain SGD momentum moves p; the step itself is "
         "eta * g times that."),
        (lr / (1 - mu), "the gradient g = 2 is missing: v settles at g / (1 - mu), and p moves eta * v."),
        (lr * g / (1 + mu), "the factor is 1 / (1 - mu), not 1 / (1 + mu): solve v = mu v + g for v."),
        (lr * g * (1 - mu), "you multiplied by (1 - mu); divide instead: v = mu v + g gives "
         "v = g / (1 - mu)."),
        (lr * g / mu, "the factor is 1 / (1 - mu), not 1 / mu: solve v = mu v + g for v."),
        (-lr * g / (1 - mu), "the question asks how FAR p moves per step: give the size, without the sign."),
    ]


def _check_momentum_step(answer: Any) -> None:
    got = number("step_size", answer)
    right = _momentum_step()
    if math.isclose(got, right, rel_tol=1e-3):
        return
    for wrong, message in _momentum_mistakes():
        if math.isclose(got, wrong, rel_tol=1e-3):
            raise NotYet(f"{got:g}: {message}")
    raise NotYet(
        f"{got:g} is not it. Once the steps stop growing, v no longer changes: v = mu v + g. "
        "Solve that for v; the parameter moves eta * v per step."
    )


q3 = Exercise(
    "Exercise 3 (momentum's speed-up)",
    _check_momentum_step,
    hint="The update is v <- mu v + g, p <- p - eta v. When the steps stop growing, v is the same before "
    "and after an update: v = mu v + g. Solve for v, then multiply by eta.",
    solution="""
v = mu v + g  =>  v = g / (1 - mu) = 2 / 0.1 = 20
step = eta * v = 0.05 * 20 = 1.0   (10 times the 0.1 of plain SGD)

Check with PyTorch (the loss 2p has gradient 2 everywhere):
p = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([p], lr=0.05, momentum=0.9)
for _ in range(200):
    optimizer.zero_grad()
    (2 * p).sum().backward()
    before = p.item()
    optimizer.step()
print(before - p.item())   # 1.0""",
)
