"""Notebook 03's exercises accept right answers and name the typical mistakes."""

from __future__ import annotations

import math

import pytest

from course_lib import Value
from course_lib.exercises import nb03


def sig(x):
    return 1 / (1 + math.exp(-x))


def run(exercise, *answer, capsys):
    ok = exercise.check(*answer)
    return ok, capsys.readouterr().out


# ---- q1 -------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    lambda x: sig(x) * (1 - sig(x)),
    lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
    lambda x: Value(x).sigmoid() * (1 - Value(x).sigmoid()),  # a Value counts by its data
])
def test_q1_accepts_right_answers(answer, capsys):
    assert run(nb03.q1, answer, capsys=capsys) == (True, "q1: correct!\n")


@pytest.mark.parametrize("answer, message", [
    (lambda x: sig(x), "returns sigmoid(x) itself"),
    (lambda x: -sig(x) * (1 - sig(x)), "the sign is flipped"),
    (lambda x: 1 - sig(x) ** 2, "that is tanh's pattern"),
    (lambda x: x * (1 - x), "you used x where sigmoid(x) belongs"),
    (lambda x: 1 - sig(x), "you still need to multiply by sigmoid(x)"),
    (lambda x: math.exp(-x) / (1 + math.exp(-x)), "the denominator squared"),  # the same function
    (lambda x: 0.25, "returns 0.25 for every x"),
    (lambda x: 2 * sig(x) * (1 - sig(x)), "at x = -3 your function gives 0.0903"),
    (lambda x: "slope", "dsigmoid(x) should give a number, got str"),
    (0.25, "q1 wants a function"),
])
def test_q1_names_the_mistake(answer, message, capsys):
    ok, out = run(nb03.q1, answer, capsys=capsys)
    assert not ok and out.startswith("q1: not yet.")
    assert message in out


def test_q1_placeholder_and_crash(capsys):
    ok, out = run(nb03.q1, ..., capsys=capsys)
    assert not ok and out.startswith("q1: no answer yet.")
    ok, out = run(nb03.q1, lambda x: 1 / 0, capsys=capsys)
    assert not ok and "raised ZeroDivisionError" in out


# ---- q2 -------------------------------------------------------------------------
E2 = math.exp(2)


def test_q2_accepts_right_answers_and_engine_values(capsys):
    assert run(nb03.q2, E2, E2 / 4, capsys=capsys)[0]
    x, y = Value(1.0), Value(2.0)
    f = (x * y).exp() / y
    f.backward()
    assert run(nb03.q2, x.grad, y.grad, capsys=capsys) == (True, "q2: correct!\n")


@pytest.mark.parametrize("answer, message", [
    ((E2 / 4, E2), "swapped"),
    ((E2 / 2, E2 / 4), "is f itself"),
    ((2 * E2, E2 / 4), "dropped the division by y"),
    ((-E2, E2 / 4), "df/dx = -7.38906 has the right size but the sign is flipped"),
    ((E2, E2 / 2), "only differentiates the numerator"),
    ((E2, 3 * E2 / 4), "the denominator's term has the wrong sign"),
    ((E2, -E2 / 4), "df/dy = -1.84726 has the right size but the sign is flipped"),
    ((E2, E2 / 8), "is off by a factor of 2 too small"),
    ((4 * E2, E2 / 4), "df/dx = 29.5562 is off by a factor of 4 too large"),
    ((E2 / 4 * 1.0001, E2 / 4), "is off by a factor of 4 too small"),
    ((E2,), "give both answers"),
    ((E2, "1.8"), "df/dy should be a number, got str"),
])
def test_q2_names_the_mistake(answer, message, capsys):
    ok, out = run(nb03.q2, *answer, capsys=capsys)
    assert not ok and out.startswith("q2: not yet.")
    assert message in out


# ---- q3 -------------------------------------------------------------------------
def push_right(node):
    for child, local in zip(node._prev, node._local):
        child.grad += local * node.grad


def push_with_backward(node):
    node._backward()


def push_assigns(node):
    for child, local in zip(node._prev, node._local):
        child.grad = local * node.grad


def push_no_grad(node):
    for child, local in zip(node._prev, node._local):
        child.grad += local


def push_no_local(node):
    for child in node._prev:
        child.grad += node.grad


def push_swapped(node):
    for child, local in zip(node._prev, reversed(node._local)):
        child.grad += local * node.grad


def push_twice(node):
    for child, local in zip(node._prev, node._local):
        child.grad += 2 * local * node.grad


def push_resets_node(node):
    push_right(node)
    node.grad = 0.0


def push_dedupes(node):  # visits each distinct child once: loses the second use in a + a
    for child, local in dict(zip(node._prev, node._local)).items():
        child.grad += local * node.grad


def push_resets_child_first(node):  # zeroes each child, then accumulates: loses other paths
    for child in node._prev:
        child.grad = 0.0
    push_right(node)


def push_doubles_repeats(node):  # right for distinct children, twice the share for a repeated one
    for child, local in zip(node._prev, node._local):
        child.grad += local * node.grad * (2 if node._prev.count(child) > 1 else 1)


def push_off_for_one_child(node):  # right for two children, a little off for a single child
    for child, local in zip(node._prev, node._local):
        child.grad += local * node.grad + (0.1 if len(node._prev) == 1 else 0.0)


@pytest.mark.parametrize("push", [push_right])
def test_q3_accepts_right_answers(push, capsys):
    assert run(nb03.q3, push, capsys=capsys) == (True, "q3: correct!\n")


@pytest.mark.parametrize("push, message", [
    (push_assigns, "the second push overwrote the first. Accumulate"),
    (push_dedupes, "your push gave it one share (it visits each distinct child once"),
    (push_with_backward, "push calls course_lib's own node._backward()"),
    (push_doubles_repeats, "for b = a + a with b.grad = 5: a.grad is 20, expected 10"),
    (push_off_for_one_child, "for t = tanh(a) with a.grad = 1 already and t.grad = 2: a.grad is"),
    (push_no_grad, "only the local derivatives"),
    (push_no_local, "you left out the local derivative"),
    (push_swapped, "got each other's share"),
    (push_twice, "a.grad is -20, expected -10 (off by a factor of 2)"),
    (push_resets_node, "push changed node.grad itself (from 5 to 0)"),
    (push_resets_child_first, "a.grad already held 1.0 from another path, and your push replaced it"),
    ("push", "q3 wants a function"),
])
def test_q3_names_the_mistake(push, message, capsys):
    ok, out = run(nb03.q3, push, capsys=capsys)
    assert not ok and out.startswith("q3: not yet.")
    assert message in out


def test_hints_and_solutions_print(capsys):
    for q in (nb03.q1, nb03.q2, nb03.q3):
        q.hint()
        q.solution()
        out = capsys.readouterr().out
        assert out.startswith(f"Hint for {q.name}: ") and f"A solution for {q.name}:" in out


def test_the_solutions_pass(capsys):
    """The code printed by .solution() really is accepted by .check()."""
    namespace = {"nb03": nb03, "Value": Value}
    exec(nb03.q1._solution, namespace)
    exec(nb03.q3._solution, namespace)
    assert nb03.q1.check(namespace["dsigmoid"])
    assert nb03.q3.check(namespace["push"])
    exec(nb03.q2._solution, namespace)  # calls nb03.q2.check itself
    assert "q2: correct!" in capsys.readouterr().out


# ---- q1: a lookup table of the fixed points is not a derivative ---------------------------
def test_q1_rejects_a_lookup_table_of_the_test_points(capsys):
    table = {x: sig(x) * (1 - sig(x)) for x in nb03.Q1_POINTS}
    ok, out = run(nb03.q1, lambda x: table.get(x, 0.0), capsys=capsys)
    assert not ok and "right at the usual test points but not at x =" in out


# ---- q2: pen-and-paper answers are rounded; "not yet" never gives the answer away -----------
@pytest.mark.parametrize("answer", [(7.389, 1.847), (7.39, 1.85), (7.389056, 1.847264)])
def test_q2_accepts_sensible_rounding(answer, capsys):
    assert run(nb03.q2, *answer, capsys=capsys) == (True, "q2: correct!\n")


@pytest.mark.parametrize("answer, message", [
    ((7.4, 1.9), "df/dy = 1.9 is close, but rounded too much"),
    ((7.3, 1.847), "df/dx = 7.3 is close, but rounded too much"),
    ((3.1, 1.847), "df/dx = 3.1 is not right yet"),
    ((E2, -E2 / 4), "df/dy = -1.84726 has the right size but the sign is flipped"),
])
def test_q2_messages_do_not_reveal_the_answer(answer, message, capsys):
    ok, out = run(nb03.q2, *answer, capsys=capsys)
    assert not ok and message in out
    for secret in ("7.389", "7.39", "1.847", "1.85"):
        assert secret not in out.replace(message, "")


# ---- q4: the learner's own engine -----------------------------------------------------------
import inspect  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from course_lib.exercises import nb04, reference_value  # noqa: E402
from course_lib.exercises.engine_check import check_engine  # noqa: E402

REFERENCE = "import math\n\n\n" + inspect.getsource(reference_value.MyValue)
NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "03_tanh_exp_backprop.ipynb"
# the exercise cell exactly as committed: it must stay a skeleton ("not yet"), not a solution
SKELETON = "import math\n" + "".join(next(cell["source"] for cell in json.loads(NOTEBOOK.read_text())["cells"]
                                           if cell.get("id") == "nb03-q4-skeleton"))


def engine(replace=(), source=REFERENCE):
    """The reference MyValue with one piece of code swapped for a typical mistake."""
    for old, new in replace:
        assert old in source, old
        source = source.replace(old, new)
    namespace = {}
    exec(compile(source, "<engine under test>", "exec"), namespace)
    return namespace["MyValue"]


@pytest.fixture(autouse=True)
def _save_in_tmp(tmp_path, monkeypatch):
    """q4 saves a passing class to my_value.py in the working directory: keep it out of the repo."""
    monkeypatch.chdir(tmp_path)


def test_q4_accepts_the_reference_but_saves_nothing_without_its_source(tmp_path, capsys):
    ok, out = run(nb03.q4, engine(), capsys=capsys)  # exec'd: Python has no source text for it
    assert ok and "Could not find the source of MyValue" in out
    assert not (tmp_path / "my_value.py").exists()


def test_q4_saves_a_class_from_a_notebook_cell(tmp_path, capsys):
    """IPython keeps each cell's text in linecache under a made-up file name; that is what we save."""
    body = REFERENCE.replace("import math\n", "")
    cell = "unrelated = 1  # other code in the cell\n\n" + body + "\nprint('hi')\n"
    filename = "/tmp/ipykernel_0/123456.py"
    linecache.cache[filename] = (len(cell), None, cell.splitlines(keepends=True), filename)
    namespace = {"math": __import__("math")}
    exec(compile(cell, filename, "exec"), namespace)
    try:
        ok, out = run(nb03.q4, namespace["MyValue"], capsys=capsys)
    finally:
        del linecache.cache[filename]
    assert ok and "Saved your class to my_value.py" in out
    saved = (tmp_path / "my_value.py").read_text()
    assert saved.startswith("# Your MyValue class from notebook 03") and "import math" in saved
    assert "class MyValue:" in saved and "unrelated" not in saved and "print('hi')" not in saved
    assert nb04.load_my_value() is not reference_value.MyValue


def test_q4_skeleton_is_not_yet_and_writes_no_file(tmp_path, capsys):
    ok, out = run(nb03.q4, engine(source=SKELETON), capsys=capsys)
    assert not ok and "For `x ** 3`" in out and "left x.grad unchanged" in out
    assert not (tmp_path / "my_value.py").exists()


def test_q4_saves_a_passing_class_from_a_file_and_04_loads_it(tmp_path, capsys):
    module = tmp_path / "learner.py"
    module.write_text(REFERENCE.replace("MyValue", "Mine"))
    cls = __import__("runpy").run_path(str(module))["Mine"]
    assert run(nb03.q4, cls, capsys=capsys)[0]
    saved = (tmp_path / "my_value.py").read_text()
    assert "class Mine" in saved and "MyValue = Mine" in saved
    loaded = nb04.load_my_value()
    assert loaded.__name__ == "Mine" and "Using your own MyValue" in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    (None, "There is no my_value.py"),
    ("syntax error here", "Could not load MyValue from my_value.py (SyntaxError"),
    ("REPLACED", "does not pass notebook 03's check any more"),
])
def test_04_falls_back_to_the_reference(content, message, tmp_path, capsys):
    if content == "REPLACED":
        content = REFERENCE.replace("self.grad += out.data * out.grad", "self.grad = out.data * out.grad")
    if content is not None:
        (tmp_path / "my_value.py").write_text(content)
    assert nb04.load_my_value() is reference_value.MyValue
    out = capsys.readouterr().out
    assert message in out and "reference solution" in out


def test_q4_refuses_course_lib_value_and_mixing(capsys):
    ok, out = run(nb03.q4, Value, capsys=capsys)
    assert not ok and "that is course_lib's Value" in out
    mixer = engine([('other = other if isinstance(other, MyValue) else MyValue(other)\n'
                     '        out = MyValue(self.data + other.data, (self, other), "+")',
                     'import course_lib\n        return course_lib.Value(self.data) + other.data')])
    ok, out = run(nb03.q4, mixer, capsys=capsys)
    assert not ok and "gave a course_lib Value" in out


LEAF_DEFAULT = "        self._backward = lambda: None  # a leaf has no inputs to pass a gradient to\n"

MISTAKES = [
    # operations
    ([("self.grad += n * self.data ** (n - 1) * out.grad", "self.grad += n * self.data ** n * out.grad")],
     "`x ** 3`", "lowers the exponent by one"),
    ([("self.grad += n * self.data ** (n - 1) * out.grad", "self.grad += self.data ** (n - 1) * out.grad")],
     "`x ** 3`", "needs the factor n"),
    ([("self.grad += out.data * out.grad", "self.grad += self.data * out.grad")],
     "`x.exp()`", "you used the input"),
    ([("self.grad += out.data * out.grad", "self.grad = out.data * out.grad")],
     "`x.exp()`", "replaced x.grad instead of adding to it"),
    ([("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - self.data**2) * out.grad")],
     "`x.tanh()`", "you squared the input"),
    ([("self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t) * out.grad")],
     "`x.tanh()`", "must be squared"),
    ([("self.grad += (1 - t**2) * out.grad", "self.grad += 1 - t**2")],
     "`x.tanh()`", "added the local derivative alone"),
    ([("self.grad += n * self.data ** (n - 1) * out.grad", "self.grad += n * self.data ** (n - 1)")],
     "`x ** 3`", "added the local derivative alone"),
    ([("        out._backward = _backward\n        return out\n\n    def tanh",
       "        return out\n\n    def tanh")],
     "`x.exp()`", "left x.grad unchanged"),
    ([("return self + (-other)", "return self + other")], "`x - y`", "at x = 1.5, y = -0.8 gives data"),
    ([("return self * other**-1", "return other * self**-1")], "`x / y`", "gives data"),
    ([("other.grad += self.data * out.grad", "other.grad -= self.data * out.grad")],
     "For `x * y` at x = 1.5, y = -0.8", "sign of y's gradient flipped"),
    ([("self.grad += n * self.data ** (n - 1) * out.grad", "self.grad += n * self.data ** n * out.grad")],
     "For `x ** 3` at x = 1.5, with", "lowers the exponent"),
    ([("return (-self) + other", "return self + (-other)")], "`1 - x`", "gives data"),
    ([("        out._backward = _backward\n        return out\n\n    def __neg__",
       "        out._backward = _backward\n\n    def __neg__")], "`x ** 3`", "end with `return out`"),
    ([("    def exp(self):\n", "    def exp(self):\n        raise NotImplementedError\n")],
     "`x.exp()`", "exp still raises NotImplementedError"),
    ([("        other = other if isinstance(other, MyValue) else MyValue(other)\n"
       "        return self * other**-1",
       "        return self * MyValue.__pow__(other, -1)")],
     "`x / 2` does not work yet", "Write __truediv__"),
    ([("(1 - t**2) * out.grad", "(t**2 - 1) * out.grad")], "`x.tanh()`", "the sign is flipped: 1 - t**2"),
    ([("(1 - t**2) * out.grad", "(1 - math.tanh(t)**2) * out.grad")], "`x.tanh()`", "you applied tanh twice"),
    ([("MyValue(self.data**n, (self,)", "MyValue(self.data**int(n), (self,)")], "`x ** 0.5`", "gives data"),
    ([("    def __rmul__(self, other):  # number * MyValue\n        return self * other\n", "")],
     "`2 * x` does not work yet", "Write __rmul__"),
    ([("return self * -1", "return MyValue(-self.data)")], "`-x`", "the result is not connected to x"),
    ([("t = math.tanh(self.data)", "t = MyValue(math.tanh(self.data))")],
     "`x.tanh()` gives data that is a MyValue, not a number", "(its .data)"),
    ([('MyValue(self.data**n, (self,), f"**{n}")', 'MyValue(self.data**n, (self, n), f"**{n}")')],
     "`x ** 3`: a node made by '**3' lists 3, a int", "_prev may only hold values of your class"),
    ([(LEAF_DEFAULT, ""),
      ("            node._backward()", "            getattr(node, '_backward', lambda: None)()"),
      ("        out._backward = _backward\n        return out\n\n    def tanh",
       "        return out\n\n    def tanh")],
     "`x.exp()`", "a node made by 'exp' has no _backward"),
    ([("    def tanh(self):", "    def tanh_(self):")], "`x.tanh()` does not work yet", "Write tanh"),
    # backward()
    ([("        self.grad = 1.0  # d(self)/d(self)\n", "")], "the neuron", "must start with self.grad = 1"),
    ([("for node in reversed(order):", "for node in order:")],
     "the neuron", "walks the topological order forwards"),
    ([("if node not in visited:", "if True:")], "tanh from exp", "more than once"),
    ([("""        visit(self)
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):  # from the output back to the inputs
            node._backward()""", """        self.grad = 1.0
        self._backward()""")], "the neuron", "or only runs the output's _backward()"),
    ([("""                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)""", """                visited.add(node)
                order.append(node)
                for child in node._prev:
                    visit(child)"""), ("for node in reversed(order):", "for node in order:")],
     "tanh from exp", "added to the order when it is first reached"),
]


@pytest.mark.parametrize("replace, where, message", MISTAKES, ids=[m[2][:30] for m in MISTAKES])
def test_q4_names_the_mistake(replace, where, message, tmp_path, capsys):
    ok, out = run(nb03.q4, engine(replace), capsys=capsys)
    assert not ok and out.startswith("q4: not yet.")
    assert where in out and message in out
    assert not (tmp_path / "my_value.py").exists()


def test_q4_names_the_first_node_that_differs(capsys):
    # a backward() that skips the output's own step: the output's children get nothing
    cls = engine([("for node in reversed(order):", "for node in reversed(order[:-1]):")])
    ok, out = run(nb03.q4, cls, capsys=capsys)
    assert not ok
    assert re.search(r"the first node \(from the output\) with a wrong gradient is 'n'", out)


def test_q4_solution_is_the_reference_and_passes():
    namespace = {}
    solution = nb03.q4._solution
    exec(solution, namespace)
    check_engine(namespace["MyValue"])


def test_q4_accepts_a_class_whose_leaves_have_no_backward(capsys):
    """Leaves without a _backward attribute are fine: the check skips them."""
    cls = engine([(LEAF_DEFAULT, ""),
                  ("            node._backward()", "            getattr(node, '_backward', lambda: None)()")])
    ok, out = run(nb03.q4, cls, capsys=capsys)
    assert ok, out


def test_q4_refuses_an_instance_instead_of_the_class(capsys):
    ok, out = run(nb03.q4, engine()(1.0), capsys=capsys)  # unwrapped to its number by the answer rule
    assert not ok and "pass your class itself, e.g. nb03.q4.check(MyValue); you gave a float" in out
    with pytest.raises(nb03.NotYet, match="you gave a MyValue"):
        check_engine(engine()(1.0))


# ---- q4 saving my_value.py: never lose the learner's file, never save a file 04 cannot use ---


def from_file(tmp_path, text, name="learner.py"):
    module = tmp_path / name
    module.write_text(text)
    return __import__("runpy").run_path(str(module))["MyValue"]


def test_q4_keeps_a_my_value_py_it_did_not_write(tmp_path, capsys):
    (tmp_path / "my_value.py").write_text("# my own notes, not from the check\n")
    (tmp_path / "my_value.py.bak").write_text("an older backup\n")
    ok, out = run(nb03.q4, from_file(tmp_path, REFERENCE), capsys=capsys)
    assert ok and "Saved your class to my_value.py" in out and "kept as my_value.py.bak2" in out
    assert (tmp_path / "my_value.py.bak2").read_text() == "# my own notes, not from the check\n"
    assert (tmp_path / "my_value.py.bak").read_text() == "an older backup\n"
    assert (tmp_path / "my_value.py").read_text().startswith("# Your MyValue class from notebook 03")
    # a file the check wrote itself is simply replaced
    ok, out = run(nb03.q4, from_file(tmp_path, REFERENCE), capsys=capsys)
    assert ok and "kept as" not in out and not (tmp_path / "my_value.py.bak3").exists()


@pytest.mark.parametrize("text, why", [
    ("def _as_value(x):\n    return x if isinstance(x, MyValue) else MyValue(x)\n\n\n"
     + REFERENCE.replace("other = other if isinstance(other, MyValue) else MyValue(other)\n"
                         "        out = MyValue(self.data + ",
                         "other = _as_value(other)\n        out = MyValue(self.data + "),
     "NameError: name '_as_value' is not defined"),
    ("import numpy as np\n" + REFERENCE.replace("t = math.tanh(self.data)", "t = float(np.tanh(self.data))"),
     "NameError: name 'np' is not defined"),
    (REFERENCE.replace("    def backward(self):", "    def backward_(self):")
     + "\n\nMyValue.backward = MyValue.backward_\n", "no backward() method"),
])
def test_q4_does_not_save_a_class_that_cannot_run_alone(tmp_path, capsys, text, why):
    """Only the class block is saved: helpers, imports and methods added later would be lost."""
    ok, out = run(nb03.q4, from_file(tmp_path, text), capsys=capsys)
    assert ok and "Your class is right, but it was not saved to my_value.py" in out and why in out
    assert "Saved your class" not in out and not (tmp_path / "my_value.py").exists()


def test_q4_says_when_saving_fails_without_blaming_the_class(tmp_path, capsys):
    (tmp_path / "my_value.py").mkdir()  # a folder where the file goes: it cannot be written
    ok, out = run(nb03.q4, from_file(tmp_path, REFERENCE), capsys=capsys)
    assert ok and "Your class is right, but it could not be saved to my_value.py" in out
    assert "your code raised" not in out and (tmp_path / "my_value.py").is_dir()


def test_q4_first_backup_is_my_value_py_bak(tmp_path, capsys):
    (tmp_path / "my_value.py").write_text("mine\n")
    ok, out = run(nb03.q4, from_file(tmp_path, REFERENCE), capsys=capsys)
    assert ok and "kept as my_value.py.bak." in out and (tmp_path / "my_value.py.bak").read_text() == "mine\n"
