"""Every notebook runs to the end on other processors and maths libraries (issue 15).

Rounding differs in the last bits between processors (AVX2, AVX-512, Arm), BLAS kernels, maths
libraries and NumPy versions, and chaotic training amplifies it. A notebook's checks must assert
only what holds everywhere. This runs every notebook (notebooks/0*.ipynb, found afresh each time)
from a fresh kernel twice more, outputs not compared:

- no-avx512: NumPy's AVX-512 kernels switched off (NPY_DISABLE_CPU_FEATURES), as on a processor
  without them (on one without AVX-512, such as an AVX2-only machine, this is NumPy's normal path);
- perturbed-libm: math and numpy tanh, exp and log nudged by 1 or 2 ulps, deterministically
  (tests/perturb/sitecustomize.py on the kernel's PYTHONPATH), as another maths library rounds.

A cell that raises fails the test, unless it is tagged raises-exception (nbclient allows those).
The two runs of a notebook go in parallel. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left alone.
COURSE_LIB_DATA, when set, reaches the kernels as it is (the full MNIST for the committed runs).
`course.py test notebooks` runs this file after nbval; `course.py test fast` leaves it out.
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
PERTURB = ROOT / "tests" / "perturb"
# The AVX-512 dispatch targets of NumPy 1.x and 2.x (X86_V4 and the AVX512_* groups since 2.4).
AVX512 = ("AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4").split()


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


execute_notebooks = _load(ROOT / "tools" / "execute_notebooks.py", "execute_notebooks")
root_conftest = _load(ROOT / "conftest.py", "root_conftest")  # needs_torch: which notebooks import torch


def dispatched_avx512() -> list[str]:
    """The AVX-512 names this NumPy dispatches to (and so accepts in NPY_DISABLE_CPU_FEATURES).

    Naming a feature it does not dispatch is ignored by some NumPy versions and an error in others.
    """
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__
    return [name for name in AVX512 if name in __cpu_dispatch__]


def variant_env(variant: str) -> dict[str, str]:
    env = dict(os.environ)
    if variant == "no-avx512":
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(dispatched_avx512())
    elif variant == "perturbed-libm":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PERTURB), env.get("PYTHONPATH")]))
    else:
        raise ValueError(variant)
    return env


VARIANTS = ("no-avx512", "perturbed-libm")


def run_variant(path: Path, variant: str) -> str | None:
    """Run the notebook; None if every cell ran, else one paragraph saying which cell raised what."""
    try:
        _, seconds = execute_notebooks.run(path, variant_env(variant))
    except CellExecutionError as error:
        nb = nbformat.read(path, as_version=4)
        text = str(error)
        failing = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                        and cell.source.strip() and cell.source.strip() in text), None)
        where = f"cell [{failing}] (id {nb.cells[failing].get('id')})" if failing is not None else "a cell"
        return f"{path.name}, {variant}: {where} raised {error.ename}: {error.evalue}"
    print(f"{path.name}, {variant}: {seconds:.1f} s")
    return None


NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_to_the_end_on_other_processors(path):
    if importlib.util.find_spec("torch") is None and root_conftest.needs_torch(path):
        pytest.skip(f"{path.name} needs PyTorch, which is not installed (optional: see README)")
    variants = [v for v in VARIANTS if v != "no-avx512" or dispatched_avx512()]
    with ThreadPoolExecutor(len(variants)) as pool:
        failures = [f for f in pool.map(lambda v: run_variant(path, v), variants) if f]
    assert not failures, "\n".join(failures)


# ---- the harness itself: it must really change what the kernel computes ----------------------


def _notebook(tmp_path: Path, *sources: str) -> Path:
    path = tmp_path / "probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


PROBE = """\
import math
import numpy as np
from course_lib import Value
assert math.exp(1) != 2.718281828459045, "math.exp is not perturbed"
assert np.exp(1.0) != 2.718281828459045, "np.exp is not perturbed"
assert np.tanh(np.array([0.5]))[0] != 0.46211715726000974, "np.tanh is not perturbed"
assert math.log(3.0) != 1.0986122886681098, "math.log is not perturbed"
assert Value(1.0).exp().data != 2.718281828459045, "Value.exp is not perturbed"
assert math.tanh(0.0) == 0.0 and np.exp(0.0) == 1.0   # exact results stay exact
"""


def test_the_perturbed_kernel_computes_other_last_bits(tmp_path):
    assert run_variant(_notebook(tmp_path, PROBE), "perturbed-libm") is None


def test_without_the_harness_the_probe_fails(tmp_path):
    # The same probe in a kernel without the harness: math.exp(1) is e to the last bit, so it fails.
    with pytest.raises(CellExecutionError, match="math.exp is not perturbed"):
        execute_notebooks.run(_notebook(tmp_path, PROBE))


def ulps_between(a, b):
    """How many floats from a to b (signed), for arrays of floats of the same sign."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (b.view(np.int64) - a.view(np.int64)) * np.where(a < 0, -1, 1)


def test_the_perturbation_is_one_or_two_ulps_and_deterministic():
    harness = _load(PERTURB / "sitecustomize.py", "perturb_probe")  # patches this process's math too
    try:
        import math

        x = np.linspace(-3, 3, 1001)
        for name in ("tanh", "exp", "log"):
            inputs = x if name != "log" else np.abs(x) + 0.5
            exact, exact_np = getattr(math, name).__wrapped__, getattr(np, name)._ufunc
            got = np.array([getattr(math, name)(v) for v in inputs])
            want = np.array([exact(v) for v in inputs])
            steps = ulps_between(want, got)
            assert set(steps[~np.isin(want, [0.0, 1.0, -1.0])]) <= {-2, -1, 1, 2}, name  # exact ones stay
            assert np.array_equal(got, [getattr(math, name)(v) for v in inputs])  # the same every time
            steps_np = ulps_between(exact_np(inputs), getattr(np, name)(inputs))
            assert np.array_equal(steps_np, steps), name  # numpy nudges the same way
    finally:
        for name in ("tanh", "exp", "log"):
            setattr(math, name, getattr(math, name).__wrapped__)
            setattr(np, name, getattr(np, name)._ufunc)
        del harness


def test_avx512_variant_names_only_features_numpy_dispatches():
    names = variant_env("no-avx512")["NPY_DISABLE_CPU_FEATURES"].split()
    assert set(names) <= set(AVX512)
    assert names == dispatched_avx512()


def test_a_cell_that_raises_fails_the_run(tmp_path):
    message = run_variant(_notebook(tmp_path, "x = 1", "assert x == 2, 'boom'"), "no-avx512")
    assert message is not None and "cell [1]" in message and "AssertionError" in message
