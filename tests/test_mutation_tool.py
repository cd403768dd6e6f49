"""tools/mutation.py: which mutants it makes, and that each changes exactly one thing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import mutation  # noqa: E402

SOURCE = '''"""A docstring is never mutated."""


def f(x: float = 1.0) -> float:
    """Nor this one."""
    if x < 0:  # a comment stays
        raise NotYet(f"x is {x + 1}, too small")
    return x * 2
'''


def test_mutants_change_one_thing_and_keep_the_rest():
    mutants, message_only = mutation.find_mutants(SOURCE)
    kinds = {m.what for m in mutants}
    assert {"Lt -> LtE", "negate if", "Mult -> Div", "2 -> 3", "1.0 -> 2.0", "0 -> 1", "return None",
            "delete raise"} <= kinds
    for m in mutants:
        changed = m.apply(SOURCE)
        assert "# a comment stays" in changed and changed.count('"""') == 4
        assert ast.dump(ast.parse(changed)) != ast.dump(ast.parse(SOURCE))
    assert not any("x + 1" in m.new or "Add" in m.what for m in mutants)  # message text is left alone


def test_sampling_spreads_over_the_file_and_is_seeded():
    mutants, _ = mutation.find_mutants((ROOT / "course_lib" / "engine.py").read_text())
    chosen = mutation.sample(mutants, 10, seed=0)
    assert len(chosen) == 10 and chosen == mutation.sample(mutants, 10, seed=0)
    assert chosen[0].line <= mutants[len(mutants) // 10].line <= chosen[-1].line
    assert chosen[-1].line >= mutants[-len(mutants) // 10].line  # the last slice is sampled too
    assert mutation.sample(mutants, 0, seed=0) == mutants


def test_every_module_with_a_goal_has_its_tests():
    for module in ("engine", "nn", "gradcheck", "numpy_mlp", "exercises/engine_check", "exercises/nb03"):
        for test in mutation.TESTS[f"course_lib/{module}.py"]:
            assert (ROOT / test).is_file(), test
