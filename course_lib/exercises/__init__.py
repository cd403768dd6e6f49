"""Checked exercises: `nb03.q1.check(answer)`, `.hint()`, `.solution()`.

Each notebook has a module here (`nb01`, `nb02`, ...) whose exercises are
`Exercise` objects. A check runs your answer and tells you specifically what
is wrong ("the gradient for b is off by a factor of 2"), not just False.

One rule for answers that are numbers, in every notebook (see `number()`):
ints, floats, NumPy scalars, 0-d arrays and `Value`s (by their `.data`) are
accepted; a string, a longer array or nan/inf gets a message saying what to give.
"""

from __future__ import annotations

import ctypes
import functools
import inspect
import math
import numbers
import os
import textwrap
import threading
from collections.abc import Callable
from typing import Any

WIDTH = 100  # printed hints and messages wrap at word boundaries to this many characters
TIMEOUT = 15.0  # seconds a check may run before your code counts as stuck (generous: a first
# PyTorch call on a slow laptop can take several seconds)


class NotYet(Exception):
    """Raised by a checker with a message that explains what is wrong."""


class CheckResult:
    """What `check()` returns: true when the answer is right.

    It works in `if q.check(x):` and `assert q.check(x)` like True/False, but shows
    nothing as a cell's result: the check has already printed its verdict.
    """

    __slots__ = ("passed",)

    def __init__(self, passed: bool) -> None:
        self.passed = bool(passed)

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: object) -> bool:
        return self.passed == (other.passed if isinstance(other, CheckResult) else other)

    def __hash__(self) -> int:
        return hash(self.passed)

    def __repr__(self) -> str:
        return repr(self.passed)

    def _ipython_display_(self) -> None:
        """Jupyter shows nothing (not `False`) under the printed message."""


def _say(text: str, reflow: bool = False) -> None:
    """Print `text` wrapped at word boundaries (never mid-word) to WIDTH characters.

    Long lines are wrapped and short ones kept. With `reflow` (prose such as hints),
    the lines of each paragraph are joined first, so no short orphan lines are left.
    """
    if reflow:
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
        lines = [line for p in paragraphs for line in (p, "")][:-1]
    else:
        lines = text.splitlines() or [""]
    _SAID.append(text)  # what a check said, for the learner's progress file
    print("\n".join(textwrap.fill(line, WIDTH, break_long_words=False, break_on_hyphens=False)
                    if len(line) > WIDTH else line for line in lines))


_SAID: list[str] = []


def _recorded(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Wrap `Exercise.check`: after the verdict is printed, record it in the learner's progress
    file (course_lib.learner_progress). A check with no answer yet (`...`) is not a try. Recording
    can never change or hide the verdict: any problem there is one printed line."""

    @functools.wraps(check)
    def checked(self: Exercise, *answer: Any) -> CheckResult:
        del _SAID[:]
        result = check(self, *answer)
        if answer and not any(a is None or a is Ellipsis for a in answer):
            try:
                from course_lib import learner_progress

                learner_progress.record_check(self, result.passed, "\n".join(_SAID))
            except Exception as err:  # noqa: BLE001 - a bug in recording must not break a check
                print(f"(your progress was not saved: {type(err).__name__}: {err})")
        return result

    return checked


SOLUTIONS_OFF = "COURSE_LIB_NO_SOLUTIONS"  # set to 1 (e.g. on a class's JupyterHub): solution() says no
CLASS_MARKER = "course_lib_class_edition.json"  # written by tools/build_student.py into a class copy


def solutions_switched_off() -> bool:
    """True on a class's JupyterHub ($COURSE_LIB_NO_SOLUTIONS=1) or in the class edition's folder."""
    if os.environ.get(SOLUTIONS_OFF, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        here = os.path.abspath(os.getcwd())
    except OSError:
        return False
    return os.path.exists(os.path.join(here, CLASS_MARKER))


def _is_value(obj: Any) -> bool:
    """A Value of any Value class (duck-typed); the class itself is not one."""
    return not isinstance(obj, type) and hasattr(obj, "data") and hasattr(obj, "_prev")


def number(name: str, got: Any) -> float:
    """The learner's answer as a float, or NotYet saying what to give instead.

    Accepted: int, float, NumPy scalars, 0-d arrays, and Values (their `.data`).
    """
    if _is_value(got):  # a Value (any Value class): its number
        got = got.data
    if isinstance(got, (str, bytes)):
        raise NotYet(f"{name} should be a number, got the text {got!r}: write the number without quotes.")
    if isinstance(got, bool):
        raise NotYet(f"{name} should be a number, got the boolean {got!r}.")
    shape = getattr(got, "shape", None)
    if shape is not None and shape != ():
        raise NotYet(f"{name} should be a single number, got an array of shape {tuple(shape)}; "
                     "if it holds one number, take it out with .item().")
    if shape == ():  # a 0-d array or NumPy scalar
        got = got.item()
    if not isinstance(got, numbers.Real) or isinstance(got, bool):
        raise NotYet(f"{name} should be a number, got {type(got).__name__}: {got!r}.")
    try:
        value = float(got)
    except OverflowError:  # a whole number beyond float's range, e.g. from ** typed for *
        digits = round(int(got).bit_length() * math.log10(2))
        raise NotYet(f"{name} is far too large (a whole number of about {digits} digits): not a sensible "
                     "number. Check the calculation that produced it (** typed for *?).") from None
    if not math.isfinite(value):
        raise NotYet(f"{name} is {value}, not a finite number; check the calculation that produced it.")
    return value


def _as_answer(name: str, answer: Any) -> Any:
    """An answer that is a number in any form becomes a plain int or float; others pass unchanged.

    Text, lists, arrays and functions are left to the exercise's own checker, which
    knows what it wants (and refuses text through `number`).
    """
    is_value = _is_value(answer)
    if isinstance(answer, bool) or not (
        is_value or getattr(answer, "shape", None) == () or isinstance(answer, numbers.Real)
    ):
        return answer
    value = number(name, answer)  # refuses nan and inf
    kind = getattr(getattr(answer, "dtype", None), "kind", "")
    if not is_value and (isinstance(answer, numbers.Integral) or kind in ("i", "u")):
        return int(answer)  # whole numbers stay whole (exact, even beyond 2**53)
    return value


class Exercise:
    """One exercise: a checker function, a hint and a worked solution.

    `timeout` (seconds) stops a check whose code never returns (an endless loop).
    """

    def __init__(self, name: str, checker: Callable[..., None], hint: str, solution: str,
                 timeout: float | None = None) -> None:
        self.name = name
        self._checker = checker
        self._hint = hint.strip()
        self._solution = solution.strip()
        self.timeout = timeout

    @_recorded
    def check(self, *answer: Any) -> CheckResult:
        """Check your answer; prints what is right or wrong and returns a true/false result."""
        if not answer or any(a is None or a is Ellipsis for a in answer):
            _say(f"{self.name}: no answer yet. Replace the `...` with your answer, then check again.")
            return CheckResult(False)
        try:
            answer = self._bind(answer)
        except NotYet as wrong:
            _say(f"{self.name}: not yet. {wrong}")
            return CheckResult(False)
        timeout = TIMEOUT if self.timeout is None else self.timeout
        try:
            _run_with_timeout(self._checker, answer, timeout)
        except NotYet as wrong:
            _say(f"{self.name}: not yet. {wrong}")
            return CheckResult(False)
        except _TooSlow as slow:
            if slow.still_running:  # e.g. inside one long NumPy call, or it caught the stop request
                _say(f"{self.name}: your code ran for more than {timeout:g} s and is still running in "
                     "the background: restart the kernel to stop it, then look for a loop that never ends.")
            else:
                _say(f"{self.name}: your code was stopped after running for {timeout:g} s. It probably "
                     "never returns: look for a loop whose condition never becomes false. "
                     "(If it is just slow, make it faster; the check uses small inputs.)")
            return CheckResult(False)
        except Exception as err:  # the learner's code crashed: say where, not a traceback
            _say(f"{self.name}: your code raised {type(err).__name__}: {err}")
            return CheckResult(False)
        _say(f"{self.name}: correct!")
        return CheckResult(True)

    def _bind(self, answer: tuple) -> tuple:
        """Check how many answers were given, and bring numbers to one form (see `number`)."""
        try:
            params = list(inspect.signature(self._checker).parameters.values())
        except (TypeError, ValueError):  # no signature to read: let the checker judge
            params = None
        positional = [p for p in params or () if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if params is not None:
            required = [p for p in positional if p.default is p.empty]
            takes_any = any(p.kind is p.VAR_POSITIONAL for p in params)
            if len(answer) < len(required) or (not takes_any and len(answer) > len(positional)):
                count = (f"{len(required)}" if len(required) == len(positional)
                         else f"{len(required)} to {len(positional)}")
                names = ", ".join(p.name for p in positional)
                raise NotYet(f"this check takes {count} answer{'s' * (count != '1')}, "
                             f"check({names}); you gave {len(answer)}.")
        names = [p.name for p in positional]
        names += [f"answer {i + 1}" for i in range(len(names), len(answer))]
        return tuple(_as_answer(name, a) for name, a in zip(names, answer))

    def hint(self) -> None:
        _say(f"Hint for {self.name}: {self._hint}", reflow=True)

    def solution(self) -> None:
        if solutions_switched_off():
            _say(f"{self.name}: no solutions in this class edition: try .hint() or ask your teacher.")
            return
        print(f"A solution for {self.name}:\n{self._solution}")  # code: printed as it is

    def __repr__(self) -> str:
        return f"<exercise {self.name}: use .check(answer), .hint(), .solution()>"


class _TooSlow(BaseException):
    """Raised inside a check that ran longer than its timeout.

    A BaseException, like KeyboardInterrupt: a learner's `except Exception:` inside a loop
    must not catch it and keep the loop (and a processor core) running."""

    def __init__(self, still_running: bool = False) -> None:
        super().__init__()
        self.still_running = still_running


def _run_with_timeout(checker: Callable[..., None], answer: tuple, timeout: float) -> None:
    """Run `checker(*answer)` in a helper thread and wait at most `timeout` seconds.

    A thread, not a signal alarm: signals exist only on Unix and only in the main
    thread, and this must work in Jupyter on Windows and macOS too. A thread cannot
    be killed, so a stuck one is asked to raise `_TooSlow` (CPython delivers it at
    the next line of Python code it runs; a loop of pure Python always gets there).
    """
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            checker(*answer)
        except BaseException as err:  # handed to the caller, which decides what to show
            outcome["error"] = err

    worker = threading.Thread(target=run, name="exercise-check", daemon=True)
    worker.start()
    try:
        worker.join(timeout)
    except BaseException:  # KeyboardInterrupt while waiting: stop the check too, then pass it on
        _raise_in(worker, KeyboardInterrupt)
        raise
    if worker.is_alive():
        _raise_in(worker, _TooSlow)
        worker.join(1.0)
        raise _TooSlow(still_running=worker.is_alive())
    if "error" in outcome:
        raise outcome["error"]


def _raise_in(thread: threading.Thread, error: type[BaseException]) -> None:
    """Ask `thread` to raise `error` (CPython's documented PyThreadState_SetAsyncExc)."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(error))


def expect_close(name: str, got: Any, want: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> None:
    """Raise NotYet with a specific message unless `got` is close to `want`."""
    got = number(name, got)
    if math.isclose(got, want, rel_tol=rel, abs_tol=abs_tol):
        return
    message = f"{name} is {got:.6g}, expected {want:.6g}"
    if got == -want:
        message += " (the sign is flipped)"
    elif want != 0 and got != 0:
        ratio = got / want
        for factor in (2, 3, 4, 0.5):
            if math.isclose(ratio, factor, rel_tol=1e-6):
                message += f" (off by a factor of {factor:g})"
    raise NotYet(message + ".")
