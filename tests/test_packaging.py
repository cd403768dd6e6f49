"""The two ways to install (pip and conda) must ask for the same things."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge package name -> PyPI name, where they differ
CONDA_TO_PYPI = {"python-graphviz": "graphviz", "pytorch-cpu": "torch"}
CONDA_ONLY = {"python", "pip", "graphviz"}  # the interpreter, the installer, the `dot` program


def name_of(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {name_of(r): r.replace(" ", "") for r in reqs}


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section
            for req in dep["pip"]:
                if not req.startswith("-e"):
                    found[name_of(req)] = req.replace(" ", "")
            continue
        conda_name = name_of(dep)
        if conda_name not in CONDA_ONLY:
            pypi = CONDA_TO_PYPI.get(conda_name, conda_name)
            found[pypi] = dep.replace(" ", "").replace(conda_name, pypi, 1)
    return found


def test_same_packages_and_bounds():
    assert environment_requirements() == pyproject_requirements()


def test_environment_installs_the_course_and_graphviz_program():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    assert "graphviz" in env["dependencies"]
    assert env["channels"] == ["conda-forge"]


def test_lower_bounds_not_pins():
    """Exact pins break on new Python versions; only the benchmark's reference is pinned."""
    pinned = {n for n, r in pyproject_requirements().items() if "==" in r.split(";")[0]}  # not the marker
    assert pinned == {"micrograd"}


def test_torch_range_admits_the_ci_build():
    assert pyproject_requirements()["torch"] == "torch>=2.2"


def test_no_module_imports_torch_at_import_time():
    import subprocess
    import sys

    code = (
        "import sys, course_lib, course_lib.engine, course_lib.nn, course_lib.viz, course_lib.gradcheck, "
        "course_lib.plots, course_lib.datasets, course_lib.exercises; "
        "import pkgutil, importlib, course_lib.widgets; "
        "[importlib.import_module('course_lib.widgets.' + m.name) "
        " for m in pkgutil.iter_modules(course_lib.widgets.__path__)]; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_one_minimum_python_everywhere():
    """pyproject.toml's requires-python is the one source; the conda file and README agree."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"  # 3.10 reached its end of life in October 2026
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{requires}" in env["dependencies"]
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11 or newer" in readme and "3.10" not in readme


def test_readme_set_up_is_two_commands_per_system():
    readme = (ROOT / "README.md").read_text()
    setup = readme[readme.index("## Set up") : readme.index("### PyTorch")]
    blocks = re.findall(r"```\w*\n(.*?)```", setup, re.S)
    commands = [[line.split("#")[0].strip() for line in b.splitlines()] for b in blocks]
    assert commands == [["make lab", "make test"], ["py course.py lab", "py course.py test"]]


def test_make_targets_run_the_script_that_windows_uses():
    makefile = (ROOT / "Makefile").read_text()
    for target, command in [("lab", "lab"), ("test", "test"), ("test-versions", "versions")]:
        recipe = re.search(rf"^{target}:\n\t(.*)$", makefile, re.M)
        assert recipe and recipe[1] == f"$(COURSE) {command} --venv $(VENV)", target
    assert "COURSE := $(PYTHON) course.py" in makefile


def test_ci_runs_the_readme_test_command_and_the_version_matrix():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test ||" in ci and "\nmake test-versions ||" in ci
    assert "torch==2.13.0" in ci
