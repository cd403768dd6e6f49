"""Notebook 04's exercises accept right answers and explain typical wrong ones."""

import random

import pytest

from course_lib.exercises import nb04


def check(exercise, capsys, *answer):
    result = bool(exercise.check(*answer))
    return result, capsys.readouterr().out


# ---- q1: Layer(5, 7) -------------------------------------------------------------------------

def test_q1_right(capsys):
    assert check(nb04.q1, capsys, 7, 42) == (True, "q1: correct!\n")
    assert check(nb04.q1, capsys, 7.0, 42.0)[0] is True


@pytest.mark.parametrize("n_outputs, n_params, words", [
    (5, 42, "5 is the number of inputs each neuron reads"),
    (1, 42, "only a layer with a single neuron returns one Value"),
    (12, 42, "A layer returns one output per neuron"),
    (7, 35, "35 = 5 × 7 counts only the weights"),
    (7, 40, "gives a bias to each input"),
    (7, 36, "shares one bias across the layer"),
    (7, 12, "adds inputs and neurons"),
    (7, 6, "the parameter count of one neuron"),
    (7, 48, "adds a bias to each input too"),
    (7, 41, "n_params: 41 is not right. Each of the 7 neurons has 5 weights and 1 bias."),
    (7, "42", "n_params should be a whole number, got str"),
    (7.5, 42, "n_outputs should be a whole number"),
])
def test_q1_wrong(capsys, n_outputs, n_params, words):
    ok, out = check(nb04.q1, capsys, n_outputs, n_params)
    assert not ok and out.startswith("q1: not yet.") and words in out


def test_q1_placeholder_hint_solution(capsys):
    assert check(nb04.q1, capsys, ..., ...)[1].startswith("q1: no answer yet")
    nb04.q1.hint()
    nb04.q1.solution()
    out = capsys.readouterr().out
    assert "7 neurons" in out and "(5 + 1) * 7" in out


# ---- q2: count_params ------------------------------------------------------------------------

def count_right(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def count_with_mlp(nin, nouts):
    from course_lib import MLP
    return len(MLP(nin, nouts).parameters())


def count_loop(nin, nouts):  # a beginner's loop, also right
    total, previous = 0, nin
    for n in nouts:
        total += previous * n + n
        previous = n
    return total


@pytest.mark.parametrize("answer", [count_right, count_with_mlp, count_loop])
def test_q2_right(capsys, answer):
    assert check(nb04.q2, capsys, answer) == (True, "q2: correct!\n")


def _pairs(nin, nouts):
    sizes = [nin] + list(nouts)
    return list(zip(sizes[:-1], sizes[1:]))


@pytest.mark.parametrize("answer, words", [
    (lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)), "you counted only the weights"),
    (lambda nin, nouts: sum(a * (b + 1) for a, b in _pairs(nin, nouts)), "you gave each input a bias"),
    (lambda nin, nouts: sum((nin + 1) * b for b in nouts), "you used the network's input size nin for every"),
    (lambda nin, nouts: sum((a + 1) * b for a, b in _pairs(nin, nouts)[1:]), "you left out the first layer"),
    (lambda nin, nouts: sum((a + 1) * b for a, b in _pairs(nin, nouts)[:-1]), "you left out the last layer"),
    (lambda nin, nouts: sum(nouts), "that is the number of neurons"),
    (lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)) + 1, "a single bias for the whole network"),
    (lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)) + len(nouts), "one bias per layer"),
    (lambda nin, nouts: count_right(nin, nouts) + 2, "expected 41. Each layer with n_in inputs"),
    (lambda nin, nouts: None, "count_params returned None: write its body"),
    (lambda nin, nouts: "41", "returned str '41'; return a whole number"),
    (41, "pass the function itself"),
])
def test_q2_wrong(capsys, answer, words):
    ok, out = check(nb04.q2, capsys, answer)
    assert not ok and words in out


def test_q2_message_names_the_case(capsys):
    _, out = check(nb04.q2, capsys, lambda nin, nouts: sum(a * b for a, b in _pairs(nin, nouts)))
    assert "count_params(3, [4, 4, 1]) gave 32, expected 41: you counted only the weights" in out


def test_q2_placeholder_function(capsys):
    def count_params(nin, nouts):
        ...

    ok, out = check(nb04.q2, capsys, count_params)
    assert not ok and "replace the `...`" in out


# ---- q3: train_step --------------------------------------------------------------------------

def loss_of(net, xs, ys):
    return sum((net(x) - y) ** 2 for x, y in zip(xs, ys))


def step_right(net, xs, ys, lr):
    loss = loss_of(net, xs, ys)
    net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    return loss


def step_zero_grad_last(net, xs, ys, lr):  # also fine: the gradients are 0 when the next step starts
    loss = loss_of(net, xs, ys)
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    net.zero_grad()
    return loss.data


def step_own_loop(net, xs, ys, lr):  # different order of operations, same step
    for p in net.parameters():
        p.grad = 0.0
    loss = 0.0
    for x, y in zip(xs, ys):
        loss = loss + (y - net(x)) ** 2
    loss.backward()
    for p in net.parameters():
        p.data += -lr * p.grad
    return loss


@pytest.mark.parametrize("answer", [step_right, step_zero_grad_last, step_own_loop])
def test_q3_right(capsys, answer):
    assert check(nb04.q3, capsys, answer) == (True, "q3: correct!\n")


def step_no_zero_grad(net, xs, ys, lr):
    loss = loss_of(net, xs, ys)
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    return loss


def step_zero_grad_too_late(net, xs, ys, lr):
    loss = loss_of(net, xs, ys)
    loss.backward()
    net.zero_grad()
    for p in net.parameters():
        p.data -= lr * p.grad
    return loss


def step_no_update(net, xs, ys, lr):
    loss = loss_of(net, xs, ys)
    net.zero_grad()
    loss.backward()
    return loss


def step_wrong_sign(net, xs, ys, lr):
    loss = loss_of(net, xs, ys)
    net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data += lr * p.grad
    return loss


def step_mean_loss(net, xs, ys, lr):
    loss = loss_of(net, xs, ys) / len(xs)
    net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    return loss


def step_lr_ten(net, xs, ys, lr):
    return step_right(net, xs, ys, 10 * lr)


def step_abs_loss(net, xs, ys, lr):
    loss = sum(((net(x) - y) ** 2) ** 0.5 for x, y in zip(xs, ys))
    net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    return loss


def step_returns_nothing(net, xs, ys, lr):
    step_right(net, xs, ys, lr)


def step_returns_new_loss(net, xs, ys, lr):
    step_right(net, xs, ys, lr)
    return loss_of(net, xs, ys)


def step_returns_double_loss(net, xs, ys, lr):
    return 2 * step_right(net, xs, ys, lr).data


def step_placeholder(net, xs, ys, lr):
    ...


@pytest.mark.parametrize("answer, words", [
    (step_no_zero_grad, "the first step was right, but step 2 went wrong"),
    (step_zero_grad_too_late, "you called zero_grad() between backward() and the update"),
    (step_no_update, "update every parameter with p.data -= lr * p.grad"),
    (step_wrong_sign, "the parameters moved the wrong way"),
    (step_mean_loss, "did you average the loss"),
    (step_lr_ten, "your step is 10 times the expected one"),
    (step_abs_loss, "the parameters differ from a correct step"),
    (step_returns_nothing, "train_step returned None: return the loss"),
    (step_returns_new_loss, "you returned the loss after the update"),
    (step_returns_double_loss, "the update is right, but the returned loss 9.2639"),
    (step_placeholder, "train_step did nothing yet"),
    ("train_step", "pass the function itself"),
])
def test_q3_wrong(capsys, answer, words):
    ok, out = check(nb04.q3, capsys, answer)
    assert not ok and out.startswith("q3: not yet.") and words in out


def test_q3_crashing_step_is_reported(capsys):
    def step_crash(net, xs, ys, lr):
        return net(xs)  # the whole list instead of one sample

    ok, out = check(nb04.q3, capsys, step_crash)
    assert not ok and "your code raised ValueError: this neuron expects 3 inputs, got 4" in out


def test_checks_leave_random_numbers_alone(capsys):
    random.seed(11)
    expected = [random.random() for _ in range(3)]
    random.seed(11)
    nb04.q2.check(count_with_mlp)
    nb04.q3.check(step_right)
    assert [random.random() for _ in range(3)] == expected
