"""Mutation testing: does the test suite notice a small bug in a module?

    python tools/mutation.py course_lib/engine.py                 # its usual tests, up to 80 mutants
    python tools/mutation.py course_lib/nn.py --max 0             # every mutant
    python tools/mutation.py course_lib/gradcheck.py --tests tests/test_gradcheck.py --timeout 30
    python tools/mutation.py course_lib/engine.py --list          # only show the mutants
    python tools/mutation.py course_lib/engine.py --line 204 --max 0 \
        --tests tests/test_engine.py::test_relu_slope_at_exactly_zero_is_zero_as_in_pytorch
                                                  # does this one test catch that line's mutants?

Each mutant changes ONE thing in the module (an operator, a comparison, a constant, a condition,
a deleted statement), in a private copy of the course; the module's own tests then run with
`pytest -x`. A mutant the tests fail on (or that runs past the timeout) is *killed*; one they
pass is a *survivor*: a bug the suite would not notice. The score is killed / tried.

Design notes:
- Our own small AST mutator, not mutmut: mutmut 3 rewrites every function of the package into a
  trampoline and runs from a `mutants/` copy, which this layout (notebooks reading course_lib,
  tests that run subprocesses) does not survive; here the module is changed in place in a copy,
  so anything that imports course_lib sees exactly one change.
- Only the changed segment of the file is replaced (parenthesised), so comments and the other
  lines stay as they are and a survivor is reported at its real line.
- Never mutated: docstrings and other strings, annotations, and the arguments of `raise ...(...)`,
  `NotYet(...)` and `print(...)` (message text: counted as "message-only", not tried).
- With more candidates than --max, one mutant is drawn from each of --max equal slices of the
  line-sorted list (seeded), so the sample covers the whole file.
- CPU: one mutant at a time, one pytest process; a full run of one module takes minutes. The
  machine is yours to share: run one module at a time.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The tests that exercise each module (paths relative to the course folder).
TESTS = {
    "course_lib/engine.py": ["tests/test_engine.py"],
    "course_lib/nn.py": ["tests/test_nn.py"],
    "course_lib/gradcheck.py": ["tests/test_gradcheck.py", "tests/test_numpy_mlp.py"],
    "course_lib/numpy_mlp.py": ["tests/test_numpy_mlp.py"],
    "course_lib/exercises/__init__.py": ["tests/test_exercise_base.py"],
    "course_lib/exercises/engine_check.py": ["tests/test_exercises_nb03.py"],
    "course_lib/exercises/reference_value.py": ["tests/test_exercises_nb03.py"],
}
for _n in ("01", "02", "03", "04", "05", "06", "07", "08", "09"):
    TESTS[f"course_lib/exercises/nb{_n}.py"] = [f"tests/test_exercises_nb{_n}.py"]
TESTS["course_lib/exercises/nb04.py"].append("tests/test_exercises_nb03.py")  # nb04.load_my_value

# What a copy of the course needs for the tests to run.
COPY = ("course_lib", "tests", "notebooks", "conftest.py", "pyproject.toml", "tools", "docs", "README.md")

SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
              ast.Pow: ast.Mult, ast.Mod: ast.Mult, ast.MatMult: ast.Mult, ast.FloorDiv: ast.Div}
SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
MESSAGE_CALLS = {"NotYet", "print", "_say", "SiteError", "SetupError", "DatasetError"}


@dataclass
class Mutant:
    line: int
    what: str
    start: tuple[int, int]  # (line, col) of the replaced segment
    end: tuple[int, int]
    new: str

    def apply(self, source: str) -> str:
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line.encode("utf-8")))
        data = source.encode("utf-8")
        a = offsets[self.start[0] - 1] + self.start[1]
        b = offsets[self.end[0] - 1] + self.end[1]
        return (data[:a] + self.new.encode("utf-8") + data[b:]).decode("utf-8")


def _segment(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)


def _expr(node: ast.AST) -> str:
    return f"({ast.unparse(node)})"


class _Finder(ast.NodeVisitor):
    """Collect the mutants of one module; skips docstrings, annotations and message text."""

    def __init__(self) -> None:
        self.mutants: list[Mutant] = []
        self.message_only = 0
        self._in_message = 0

    def add(self, node: ast.AST, what: str, new: str) -> None:
        if self._in_message:
            self.message_only += 1
            return
        start, end = _segment(node)
        self.mutants.append(Mutant(node.lineno, what, start, end, new))

    # ---- places that are not mutated
    def visit_Raise(self, node: ast.Raise) -> None:
        self._delete(node, "delete raise")
        self._in_message += 1
        self.generic_visit(node)
        self._in_message -= 1

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in MESSAGE_CALLS:
            self._in_message += 1
            self.generic_visit(node)
            self._in_message -= 1
        else:
            self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:  # f-string: formatting, not logic
        return

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_arg(self, node: ast.arg) -> None:  # annotations of arguments
        return

    def _body(self, body: list[ast.stmt]) -> None:
        for i, stmt in enumerate(body):
            is_docstring = (i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                            and isinstance(stmt.value.value, str))
            if not is_docstring:
                self.visit(stmt)

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        self._body(node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._body(node.body)

    # ---- statements
    def _delete(self, node: ast.stmt, what: str) -> None:
        self.add(node, what, "pass")

    def visit_Expr(self, node: ast.Expr) -> None:
        if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            self._delete(node, "delete statement")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._delete(node, "delete assignment")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._delete(node, "delete assignment")
        swap = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}.get(type(node.op))
        if swap:
            new = ast.unparse(ast.AugAssign(node.target, swap(), node.value))
            self.add(node, "swap augmented operator", new)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self.add(node, "return None", "return None")
        self.generic_visit(node)

    def visit_Continue(self, node: ast.Continue) -> None:
        self._delete(node, "delete continue")

    def visit_Break(self, node: ast.Break) -> None:
        self._delete(node, "delete break")

    def _negate(self, test: ast.expr, what: str) -> None:
        self.add(test, what, f"(not {_expr(test)})")

    def visit_If(self, node: ast.If) -> None:
        self._negate(node.test, "negate if")
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self._negate(node.test, "negate while")
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._negate(node.test, "negate conditional expression")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        for test in node.ifs:
            self._negate(test, "negate comprehension filter")
        self.generic_visit(node)

    # ---- expressions
    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = SWAP_BINOP.get(type(node.op))
        if swap:
            self.add(node, f"{type(node.op).__name__} -> {swap.__name__}",
                     _expr(ast.BinOp(node.left, swap(), node.right)))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for i, op in enumerate(node.ops):
            swap = SWAP_CMP.get(type(op))
            if swap:
                ops = list(node.ops)
                ops[i] = swap()
                self.add(node, f"{type(op).__name__} -> {swap.__name__}",
                         _expr(ast.Compare(node.left, ops, node.comparators)))
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add(node, f"{type(node.op).__name__} -> {type(other).__name__}",
                 _expr(ast.BoolOp(other, node.values)))
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, (ast.Not, ast.USub)):
            self.add(node, f"drop {type(node.op).__name__}", _expr(node.operand))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, f"{value} -> {not value}", repr(not value))
        elif isinstance(value, int):
            self.add(node, f"{value} -> {value + 1}", repr(value + 1))
        elif isinstance(value, float):
            new = value * 10 if 0 < abs(value) < 1e-2 else value + 1.0
            self.add(node, f"{value!r} -> {new!r}", repr(new))


def find_mutants(source: str) -> tuple[list[Mutant], int]:
    finder = _Finder()
    finder.visit(ast.parse(source))
    original = ast.dump(ast.parse(source))
    kept = []
    for mutant in finder.mutants:
        try:
            changed = ast.dump(ast.parse(mutant.apply(source)))
        except SyntaxError:
            continue
        if changed != original:  # e.g. `not (x)` of a `not`-less... anything that parses the same
            kept.append(mutant)
    kept.sort(key=lambda m: (m.line, m.start))
    return kept, finder.message_only


def sample(mutants: list[Mutant], most: int, seed: int) -> list[Mutant]:
    if not most or len(mutants) <= most:
        return mutants
    rng = random.Random(seed)
    edges = [round(i * len(mutants) / most) for i in range(most + 1)]
    return [mutants[rng.randrange(a, b)] for a, b in zip(edges[:-1], edges[1:]) if b > a]


def run_tests(copy: Path, tests: list[str], timeout: float) -> str:
    """'passed', 'failed' or 'timeout'."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               "--hypothesis-seed=0", *tests]
    shutil.rmtree(copy / ".hypothesis", ignore_errors=True)
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    return "passed" if done.returncode == 0 else "failed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="e.g. course_lib/engine.py")
    parser.add_argument("--tests", nargs="+", help="test files (default: the module's usual tests)")
    parser.add_argument("--max", type=int, default=80, help="most mutants to try; 0: all (default 80)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per mutant (a timeout kills)")
    parser.add_argument("--line", type=int, action="append", default=[],
                        help="only the mutants on this line (repeat for more lines)")
    parser.add_argument("--what", help="only the mutants whose description contains this, e.g. 'Lt ->'")
    parser.add_argument("--list", action="store_true", help="only list the mutants that would be tried")
    args = parser.parse_args(argv)

    module = Path(args.module).as_posix()
    path = ROOT / module
    if not path.is_file():
        print(f"mutation: no file {path}", file=sys.stderr)
        return 2
    tests = args.tests or TESTS.get(module)
    if not tests:
        print(f"mutation: which tests cover {module}? Name them with --tests.", file=sys.stderr)
        return 2
    source = path.read_text(encoding="utf-8")
    every, message_only = find_mutants(source)
    if args.line or args.what:
        every = [m for m in every if (not args.line or m.line in args.line)
                 and (not args.what or args.what in m.what)]
    chosen = sample(every, args.max, args.seed)
    print(f"{module}: {len(every)} mutants ({message_only} message-only left out), trying {len(chosen)}; "
          f"tests: {' '.join(tests)}", flush=True)
    if args.list:
        for m in chosen:
            print(f"  {module}:{m.line}  {m.what}  ->  {m.new[:80]}", flush=True)
        return 0

    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy = Path(tmp)
        for name in COPY:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, copy / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif (ROOT / name).exists():
                shutil.copy2(ROOT / name, copy / name)
        target = copy / module
        start = time.perf_counter()
        if run_tests(copy, tests, args.timeout * 3) != "passed":
            print("mutation: the tests fail on the unchanged code; fix that first.", file=sys.stderr)
            return 2
        killed, timeouts, survivors = 0, 0, []
        for i, mutant in enumerate(chosen, 1):
            target.write_text(mutant.apply(source), encoding="utf-8")
            outcome = run_tests(copy, tests, args.timeout)
            target.write_text(source, encoding="utf-8")
            if outcome == "passed":
                survivors.append(mutant)
            else:
                killed += 1
                timeouts += outcome == "timeout"
            mark = {"passed": "SURVIVED", "failed": "killed", "timeout": "killed (timeout)"}[outcome]
            print(f"  [{i}/{len(chosen)}] {module}:{mutant.line} {mutant.what}: {mark}", flush=True)
        minutes = (time.perf_counter() - start) / 60

    tried = len(chosen)
    score = 100 * killed / max(tried, 1)
    print(f"\n{module}: {killed}/{tried} killed ({timeouts} by timeout) = {score:.1f}% in {minutes:.1f} min")
    for m in survivors:
        line = source.splitlines()[m.line - 1].strip()
        print(f"  survived  {module}:{m.line}  {m.what}: {line[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
