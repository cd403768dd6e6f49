"""Exercises for notebook 04 · Neuron, Layer, MLP.

- `q1.check(n_outputs, n_params)`: how many numbers Layer(5, 7) returns, and its parameter count.
- `q2.check(count_params)`: a function count_params(nin, nouts) giving len(MLP(nin, nouts).parameters()).
- `q3.check(train_step)`: a function train_step(net, xs, ys, lr) doing one step of gradient descent
  on the summed squared error, with zero_grad in the right place, and returning the loss.

`load_my_value()` gives section 9 the learner's own engine from notebook 03 (saved to
`my_value.py` by `nb03.q4.check`) if it is there and still passes that check, else the reference
solution, and says which one it uses.
"""

from __future__ import annotations

import functools
import math
import random
import runpy
from numbers import Real
from pathlib import Path

from course_lib.exercises import Exercise, NotYet, reference_value
from course_lib.exercises.engine_check import check_engine
from course_lib.nn import MLP


def _keeps_random_state(checker):
    """Run a checker, then put Python's random numbers back: checking must not change your results."""

    @functools.wraps(checker)
    def wrapped(*answer):
        state = random.getstate()
        try:
            return checker(*answer)
        finally:
            random.setstate(state)

    return wrapped


# ---- q1: the shape of a layer ---------------------------------------------------------------


def _check_layer(n_outputs, n_params) -> None:
    for name, value in (("n_outputs", n_outputs), ("n_params", n_params)):
        if not isinstance(value, Real) or isinstance(value, bool) or value != int(value):
            raise NotYet(f"{name} should be a whole number, got {type(value).__name__}: {value!r}.")
    if n_outputs == 5:
        raise NotYet("n_outputs: 5 is the number of inputs each neuron reads. Every neuron gives one "
                     "output, so count the neurons of Layer(5, 7).")
    if n_outputs == 1:
        raise NotYet("n_outputs: only a layer with a single neuron returns one Value; Layer(5, 7) "
                     "returns one output per neuron.")
    if n_outputs != 7:
        raise NotYet(f"n_outputs: {n_outputs} is not right. A layer returns one output per neuron.")
    wrong = {
        35: "35 = 5 × 7 counts only the weights: each of the 7 neurons also has a bias.",
        40: "40 = 5 × (7 + 1) gives a bias to each input; biases belong to neurons: (5 + 1) × 7.",
        36: "36 = 5 × 7 + 1 shares one bias across the layer; every neuron has its own bias.",
        12: "12 = 5 + 7 adds inputs and neurons; each neuron has one weight per input, plus a bias.",
        6: "6 is the parameter count of one neuron (5 weights + 1 bias); the layer has 7 of them.",
        48: "48 = (5 + 1) × (7 + 1) adds a bias to each input too; only the neurons have biases.",
    }
    if n_params in wrong:
        raise NotYet("n_params: " + wrong[n_params])
    if n_params != 42:
        raise NotYet(f"n_params: {n_params} is not right. Each of the 7 neurons has 5 weights and 1 bias.")


q1 = Exercise(
    "q1",
    _check_layer,
    hint="Layer(5, 7) is 7 neurons that all read the same 5 inputs. One neuron: how many outputs, "
         "how many weights, how many biases?",
    solution="""
n_outputs = 7                # one output per neuron
n_params = (5 + 1) * 7       # 5 weights + 1 bias per neuron = 42
# check: len(Layer(5, 7).parameters()) == 42 and len(Layer(5, 7)([1, 2, 3, 4, 5])) == 7
""",
)

# ---- q2: count the parameters of any MLP ---------------------------------------------------

_CASES = [(3, [4, 4, 1]), (2, [3]), (1, [1]), (4, [8, 8, 2]), (10, [16, 16, 16, 3]), (5, [2, 7])]


def _pairs(nin: int, nouts: list[int]) -> list[tuple[int, int]]:
    sizes = [nin, *nouts]
    return list(zip(sizes[:-1], sizes[1:]))


def _right(nin, nouts):
    return sum((a + 1) * b for a, b in _pairs(nin, nouts))


# typical mistakes, each with what went wrong
_MISTAKES = [
    (lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)),
     "you counted only the weights: every neuron also has a bias, so each layer has (n_in + 1) * n_out."),
    (lambda nin, nouts: sum(a * (b + 1) for a, b in _pairs(nin, nouts)),
     "you gave each input a bias (n_in * (n_out + 1)); the bias belongs to each neuron: (n_in + 1) * n_out."),
    (lambda nin, nouts: sum((nin + 1) * b for b in nouts),
     "you used the network's input size nin for every layer; a layer's inputs are the previous "
     "layer's outputs (only the first layer reads nin)."),
    (lambda nin, nouts: sum((a + 1) * b for a, b in _pairs(nin, nouts)[1:]),
     "you left out the first layer, from the nin inputs to nouts[0]."),
    (lambda nin, nouts: sum((a + 1) * b for a, b in _pairs(nin, nouts)[:-1]),
     "you left out the last layer (the outputs)."),
    (lambda nin, nouts: sum(nouts),
     "that is the number of neurons; count each neuron's weights (one per input) and its bias."),
    (lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)) + 1,
     "you added a single bias for the whole network; every neuron has its own bias."),
    (lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)) + len(nouts),
     "you added one bias per layer; every neuron has its own bias, so n_out biases per layer."),
]


@_keeps_random_state
def _check_count(count_params) -> None:
    if not callable(count_params):
        raise NotYet(f"pass the function itself, count_params (without parentheses), got "
                     f"{type(count_params).__name__}: {count_params!r}.")
    got = {}
    for nin, nouts in _CASES:
        value = count_params(nin, list(nouts))
        if value is None:
            raise NotYet("count_params returned None: write its body (replace the `...`) and `return` "
                         "the count.")
        if not isinstance(value, Real) or isinstance(value, bool):
            raise NotYet(f"count_params({nin}, {nouts}) returned {type(value).__name__} {value!r}; "
                         "return a whole number.")
        got[(nin, tuple(nouts))] = value
    wrong = [(nin, nouts) for nin, nouts in _CASES if got[(nin, tuple(nouts))] != _right(nin, nouts)]
    if not wrong:
        return
    for mistake, message in _MISTAKES:
        if all(got[(nin, tuple(nouts))] == mistake(nin, nouts) for nin, nouts in _CASES):
            nin, nouts = wrong[0]
            raise NotYet(f"count_params({nin}, {nouts}) gave {got[(nin, tuple(nouts))]}, expected "
                         f"{_right(nin, nouts)}: {message}")
    nin, nouts = wrong[0]
    raise NotYet(f"count_params({nin}, {nouts}) gave {got[(nin, tuple(nouts))]}, "
                 f"expected {_right(nin, nouts)}. Each layer with n_in inputs and n_out neurons has "
                 "(n_in + 1) * n_out parameters; add them up over the layers.")


q2 = Exercise(
    "q2",
    _check_count,
    hint="Walk through the layers in pairs (inputs of the layer, neurons of the layer): "
         "sizes = [nin] + nouts, then zip(sizes[:-1], sizes[1:]). Each pair adds (n_in + 1) * n_out.",
    solution="""
def count_params(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))

# count_params(3, [4, 4, 1]) == 41 == len(MLP(3, [4, 4, 1]).parameters())
""",
)

# ---- q3: one training step, zero_grad in the right place -----------------------------------

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
_SEED, _LR, _STEPS = 7, 0.05, 3


def _fresh_net() -> MLP:
    random.seed(_SEED)  # the checker restores the learner's random state afterwards
    return MLP(3, [4, 4, 1])


def _loss(net, xs, ys):
    return sum((net(x) - y) ** 2 for x, y in zip(xs, ys))


def _reference_step(net, xs, ys, lr, zero_grad=True):
    loss = _loss(net, xs, ys)
    if zero_grad:
        net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    return loss.data


def _trajectory(zero_grad: bool) -> tuple[list[list[float]], list[float]]:
    """Parameters after each of _STEPS steps (index 0: before any), and the losses returned."""
    net = _fresh_net()
    params, losses = [[p.data for p in net.parameters()]], []
    for _ in range(_STEPS):
        losses.append(_reference_step(net, XS, YS, _LR, zero_grad))
        params.append([p.data for p in net.parameters()])
    return params, losses


def _close(a: list[float], b: list[float]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a, b))


def _scale(moved: list[float], expected: list[float]) -> float | None:
    """c if moved == c * expected (one number for every parameter), else None."""
    big = max(range(len(expected)), key=lambda i: abs(expected[i]))
    if expected[big] == 0:
        return None
    c = moved[big] / expected[big]
    if all(math.isclose(m, c * e, rel_tol=1e-6, abs_tol=1e-12) for m, e in zip(moved, expected)):
        return c
    return None


@_keeps_random_state
def _check_step(train_step) -> None:
    if not callable(train_step):
        raise NotYet(f"pass the function itself, train_step (without parentheses), got "
                     f"{type(train_step).__name__}: {train_step!r}.")
    right, right_losses = _trajectory(zero_grad=True)
    stale, _ = _trajectory(zero_grad=False)
    net = _fresh_net()
    for step in range(1, _STEPS + 1):
        before = [p.data for p in net.parameters()]
        returned = train_step(net, [list(x) for x in XS], list(YS), _LR)
        after = [p.data for p in net.parameters()]
        if returned is None and after == before and all(p.grad == 0 for p in net.parameters()):
            raise NotYet("train_step did nothing yet: write its body (replace the `...`).")
        if _close(after, right[step]):
            _check_returned(returned, right_losses[step - 1], net)
            continue
        if after == before:
            if all(p.grad == 0 for p in net.parameters()):
                raise NotYet("the parameters did not move and every gradient is 0: you called zero_grad() "
                             "between backward() and the update, so the update used zeros. Zero the "
                             "gradients before backward() (at the start of the step).")
            raise NotYet("the parameters did not move: after backward(), update every parameter with "
                         "p.data -= lr * p.grad.")
        if step > 1 and _close(after, stale[step]):
            raise NotYet(f"the first step was right, but step {step} went wrong: the gradients of the "
                         "earlier steps were still there and backward() added to them. Call net.zero_grad() "
                         "before loss.backward() in every step.")
        moved = [a - b for a, b in zip(after, before)]
        expected = [a - b for a, b in zip(right[step], right[step - 1])]
        c = _scale(moved, expected)
        if c is not None and math.isclose(c, -1.0, rel_tol=1e-6):
            raise NotYet("the parameters moved the wrong way (uphill, so the loss grows): use "
                         "p.data -= lr * p.grad, with a minus.")
        if c is not None and math.isclose(c, 0.25, rel_tol=1e-6):
            raise NotYet("your step is a quarter of the expected one: did you average the loss over the "
                         "4 samples? Use the sum of squared errors, as in the lesson.")
        if c is not None:
            raise NotYet(f"your step is {c:.3g} times the expected one: move each parameter by exactly "
                         "lr * p.grad, with the lr you are given, and the loss sum((pred - y)**2).")
        raise NotYet(f"after step {step} the parameters differ from a correct step. The loss should be "
                     "sum((net(x) - y)**2 for x, y in zip(xs, ys)), then zero_grad(), backward(), and "
                     "p.data -= lr * p.grad for every parameter.")


def _check_returned(returned, loss_before: float, net) -> None:
    if returned is None:
        raise NotYet("the update is right, but train_step returned None: return the loss, so a training "
                     "loop can record it.")
    value = getattr(returned, "data", returned)
    if not isinstance(value, Real):
        raise NotYet(f"train_step returned {type(returned).__name__} {returned!r}; return the loss "
                     "(a Value or its .data).")
    if math.isclose(value, loss_before, rel_tol=1e-9):
        return
    if math.isclose(value, _loss(net, XS, YS).data, rel_tol=1e-9):
        raise NotYet("the update is right, but you returned the loss after the update (you computed it "
                     "again); return the loss that backward() started from.")
    raise NotYet(f"the update is right, but the returned loss {value:.6g} should be {loss_before:.6g}, "
                 "the summed squared error before the update.")


q3 = Exercise(
    "q3",
    _check_step,
    hint="Four things, in this order: forward pass and loss; net.zero_grad(); loss.backward(); "
         "p.data -= lr * p.grad for p in net.parameters(). zero_grad() must come before backward(), "
         "because backward() adds to .grad.",
    solution="""
def train_step(net, xs, ys, lr):
    loss = sum((net(x) - y) ** 2 for x, y in zip(xs, ys))   # forward pass
    net.zero_grad()                                          # forget last step's gradients
    loss.backward()                                          # fill in this step's gradients
    for p in net.parameters():
        p.data -= lr * p.grad                                # downhill
    return loss
""",
)


# ---- section 10: the learner's own engine from notebook 03 ----------------------------------
def load_my_value(path: str | Path = "my_value.py") -> type:
    """Your MyValue class from notebook 03 if `path` holds one that passes nb03.q4's check,
    otherwise the reference solution. Prints which one it is and why."""
    path = Path(path)
    fallback = ("Using the course's reference solution instead (course_lib/exercises/reference_value.py), "
                "so everything below still runs.")
    if not path.exists():
        print(f"There is no {path} next to this notebook yet: it is written when your class passes "
              f"nb03.q4.check(MyValue) in notebook 03. {fallback}")
        return reference_value.MyValue
    try:
        cls = runpy.run_path(str(path))["MyValue"]
        check_engine(cls)
    except NotYet as wrong:
        print(f"Your MyValue in {path} does not pass notebook 03's check any more: {wrong} {fallback}")
        return reference_value.MyValue
    except Exception as err:  # the file is the learner's: report, never crash the notebook
        print(f"Could not load MyValue from {path} ({type(err).__name__}: {err}). {fallback}")
        return reference_value.MyValue
    print(f"Using your own MyValue from {path} (notebook 03): it passes every check.")
    return cls
