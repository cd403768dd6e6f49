"""Checked exercises: `nb03.q1.check(answer)`, `.hint()`, `.solution()`.

Each notebook has a module here (`nb01`, `nb02`, ...) whose exercises are
`Exercise` objects. A check runs your answer and tells you specifically what
is wrong ("the gradient for b is off by a factor of 2"), not just False.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class NotYet(Exception):
    """Raised by a checker with a message that explains what is wrong."""


class Exercise:
    """One exercise: a checker function, a hint and a worked solution."""

    def __init__(self, name: str, checker: Callable[..., None], hint: str, solution: str) -> None:
        self.name = name
        self._checker = checker
        self._hint = hint.strip()
        self._solution = solution.strip()

    def check(self, *answer: Any) -> bool:
        """Check your answer; prints what is right or wrong and returns True/False."""
        if not answer or any(a is None or a is Ellipsis for a in answer):
            print(f"{self.name}: no answer yet. Replace the `...` with your answer, then check again.")
            return False
        try:
            self._checker(*answer)
        except NotYet as wrong:
            print(f"{self.name}: not yet. {wrong}")
            return False
        except Exception as err:  # the learner's code crashed: say where, not a traceback
            print(f"{self.name}: your code raised {type(err).__name__}: {err}")
            return False
        print(f"{self.name}: correct!")
        return True

    def hint(self) -> None:
        print(f"Hint for {self.name}: {self._hint}")

    def solution(self) -> None:
        print(f"A solution for {self.name}:\n{self._solution}")

    def __repr__(self) -> str:
        return f"<exercise {self.name}: use .check(answer), .hint(), .solution()>"


def expect_close(name: str, got: Any, want: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> None:
    """Raise NotYet with a specific message unless `got` is close to `want`."""
    try:
        got = float(got)
    except (TypeError, ValueError):
        raise NotYet(f"{name} should be a number, got {type(got).__name__}: {got!r}") from None
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
