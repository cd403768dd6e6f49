"""course.py, the set-up script behind `make lab` / `make test` (and `py course.py ...` on Windows):
its decisions are tested here as plain functions; the browser step is run for real."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
course = sys.modules["course_script"] = importlib.util.module_from_spec(_spec)  # dataclasses need it
_spec.loader.exec_module(course)

CPU = course.CPU_INDEX


# ------------------------------------------------------------------------------- PyTorch choice


@pytest.mark.parametrize(
    "choice, system, gpu, index, expected",
    [
        # auto: the CPU index exactly where PyPI would hand out the multi-GB CUDA build unasked
        ("auto", "Linux", False, CPU, None),
        ("auto", "Linux", True, None, "CUDA"),
        ("auto", "Darwin", False, None, None),
        ("auto", "Windows", True, None, None),
        ("cpu", "Linux", True, CPU, None),
        ("cpu", "Windows", False, None, None),
        ("cuda", "Linux", False, None, "CUDA"),
    ],
)
def test_torch_index_by_system_and_gpu(choice, system, gpu, index, expected):
    plan = course.decide_torch(choice, system, gpu)
    assert plan.install and plan.index_url == index
    if expected:
        assert expected in plan.why


def test_torch_none_installs_nothing_and_says_what_is_skipped():
    plan = course.decide_torch("none", "Linux", False)
    assert not plan.install and "notebooks 08 and 09" in plan.why


def test_torch_index_url_wins_over_the_choice():
    url = "https://download.pytorch.org/whl/cu126"
    for system in ("Linux", "Windows"):
        assert course.decide_torch("auto", system, False, url).index_url == url
        assert course.decide_torch("cuda", system, False, url).index_url == url


def test_torch_cuda_where_pypi_has_none_says_what_to_do():
    with pytest.raises(course.SetupError, match="TORCH_INDEX_URL"):
        course.decide_torch("cuda", "Windows", True)
    with pytest.raises(course.SetupError, match="macOS"):
        course.decide_torch("cuda", "Darwin", False)
    with pytest.raises(course.SetupError, match="auto, cpu, cuda, none"):
        course.decide_torch("gpu", "Linux", True)


def test_nvidia_gpu_detection():
    nothing = dict(which=lambda name: None, exists=lambda path: False)
    assert not course.has_nvidia_gpu(**nothing)
    assert course.has_nvidia_gpu(which=lambda name: "/usr/bin/nvidia-smi", exists=lambda path: False)
    assert course.has_nvidia_gpu(which=lambda name: None, exists=lambda p: p == "/proc/driver/nvidia/version")


def _fake_torch_wheel(folder: Path, version: str) -> str:
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    name, info = f"torch-{version}-py3-none-any.whl", f"torch-{version}.dist-info"
    with zipfile.ZipFile(folder / name, "w") as wheel:
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")
    return name


def test_torch_comes_only_from_the_chosen_index(tmp_path, monkeypatch):
    """For real, with pip: a pip.conf-style extra index and find-links folder both offer a newer
    torch (as PyPI's CUDA build would be); the CPU index's older one must still be chosen."""
    cpu = _fake_torch_wheel(tmp_path / "files", "2.2.0+cpu")
    (tmp_path / "simple" / "torch").mkdir(parents=True)
    (tmp_path / "simple" / "torch" / "index.html").write_text(
        f'<a href="../../files/{cpu.replace("+", "%2B")}">{cpu}</a>')
    _fake_torch_wheel(tmp_path / "decoys", "2.14.0")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "decoys"))
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", (tmp_path / "decoys").as_uri())
    out = tmp_path / "out"
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", out]  # like install
    assert course.install_torch_from(pip, (tmp_path / "simple").as_uri())
    assert [p.name for p in out.iterdir()] == [cpu]


# ------------------------------------------------------------------------------ Python version


def test_required_python_comes_from_pyproject():
    assert course.required_python((ROOT / "pyproject.toml").read_text()) == (3, 11)
    with pytest.raises(course.SetupError, match="requires-python"):
        course.required_python("[project]\nname = 'x'\n")


def test_old_python_is_refused_with_what_to_do():
    course.check_python((3, 13), (3, 11))
    course.check_python((3, 11), (3, 11))
    message = r"Python 3\.11 or newer; this is 3\.10.*python3\.11 course\.py"
    with pytest.raises(course.SetupError, match=message):
        course.check_python((3, 10), (3, 11))


def test_the_script_refuses_an_old_python_before_anything_else(tmp_path):
    """Run by a real Python 3.10 if there is one (pyenv): one line, no traceback, nothing made."""
    try:
        old = course.find_python("3.10")
    except course.SetupError:
        pytest.skip("no Python 3.10 here")
    out = subprocess.run([old, str(ROOT / "course.py"), "lab", "--venv", str(tmp_path / "v")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
    assert out.stderr.startswith("course.py lab: The course needs Python 3.11 or newer; this is 3.10")
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "v").exists()


# ------------------------------------------------------------------------- the version matrix


def test_minimum_pins_follow_every_lower_bound():
    assert course.minimum_pins(["numpy>=1.24", "graphviz >= 0.20", "torch>=2.2,<3",
                                "wasmtime>=20.0; platform_machine != 'armv7l'", "a[b]>=1.0.post1"]) == [
        "numpy==1.24", "graphviz==0.20", "torch==2.2", "wasmtime==20.0; platform_machine != 'armv7l'",
        "a==1.0.post1"]


def test_a_dependency_without_lower_bound_is_refused():
    with pytest.raises(course.SetupError, match="'numpy' has no lower bound"):
        course.minimum_pins(["numpy"])
    with pytest.raises(course.SetupError, match="no lower bound"):
        course.minimum_pins(["numpy<3"])


def test_every_runtime_dependency_gets_its_minimum_tested():
    """The pins come from pyproject.toml itself, so a new dependency is covered without a list."""
    project = course.load_project()
    pins = course.minimum_pins(project["dependencies"])
    assert len(pins) == len(project["dependencies"])
    assert "numpy==1.24" in pins and "matplotlib==3.8" in pins


def test_matrix_covers_oldest_python_with_minimums_and_newest_python():
    matrix = course.version_matrix()
    assert ("3.11", True) in [(version, pinned) for _, version, _, pinned in matrix]
    assert ("3.13", False) in [(version, pinned) for _, version, _, pinned in matrix]
    assert len({venv for _, _, venv, _ in matrix}) == len(matrix)


def test_find_python_says_how_to_get_a_missing_version():
    with pytest.raises(course.SetupError, match="pyenv install 2.1"):
        course.find_python("2.1")


# ----------------------------------------------------------------------------- the browser step


def test_chromium_named_by_the_environment_must_exist(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        import chromium_setup
    finally:
        sys.path.pop(0)
    env = {"NNFS_CHROMIUM": str(tmp_path / "nope"), "PATH": ""}
    with pytest.raises(chromium_setup.BrowserUnavailable, match="NNFS_CHROMIUM=.*not an executable.*SKIP"):
        chromium_setup.find_chromium(env)
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert chromium_setup.find_chromium({"PATH": str(tmp_path)}) == str(fake)
    assert chromium_setup.find_chromium({"PATH": str(tmp_path / "empty")}) is None


@pytest.mark.skipif(os.name == "nt", reason="a PATH without Chromium is built the POSIX way")
def test_no_chromium_and_no_download_stops_with_one_line(tmp_path):
    """For real: no system Chromium on PATH, an empty Playwright cache, and a download host that
    cannot be reached. Playwright's installer runs and fails; we get one line saying what to do."""
    pytest.importorskip("playwright")
    named = ("NNFS_CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH")
    env = {k: v for k, v in os.environ.items() if k not in named}
    env.update(PATH=str(tmp_path), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "browsers"),
               PLAYWRIGHT_DOWNLOAD_HOST="http://127.0.0.1:9")  # port 9 (discard): refused at once
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "browser" / "chromium_setup.py")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("Downloading Playwright's Chromium")
    assert len(lines) == 2 and "Traceback" not in out.stderr, out.stderr
    assert lines[1].startswith("Could not download Playwright's Chromium (")
    assert "apt-get install chromium" in lines[1] and "NNFS_SKIP_BROWSER=1" in lines[1]


def test_browser_step_is_skipped_on_purpose(monkeypatch, capsys):
    monkeypatch.setenv("NNFS_SKIP_BROWSER", "1")
    course.ensure_browser(Path("/nonexistent/python"))  # would fail if it ran anything
    assert "NNFS_SKIP_BROWSER=1" in capsys.readouterr().out


# ------------------------------------------------------------------ notebooks without PyTorch


def _root_conftest():
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_the_pytorch_notebooks_need_torch():
    conftest = _root_conftest()
    needing = {p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if conftest.needs_torch(p)}
    assert needing == {"08_pytorch_basics.ipynb", "09_pytorch_mnist.ipynb"}


def test_nbval_skips_notebooks_that_need_torch_only_where_torch_is_missing(monkeypatch):
    conftest = _root_conftest()

    class Item:
        def __init__(self, path):
            self.path, self.markers = path, []

        def add_marker(self, marker):
            self.markers.append(marker)

    notebooks = sorted((ROOT / "notebooks").glob("0[6-9]_*.ipynb"))
    items = [Item(p) for p in notebooks] + [Item(ROOT / "tests" / "test_engine.py")]
    conftest.pytest_collection_modifyitems(None, items)  # torch is installed here, or not
    if importlib.util.find_spec("torch") is not None:
        assert all(not item.markers for item in items)
    monkeypatch.setattr(conftest.importlib.util, "find_spec", lambda name: None)
    conftest.pytest_collection_modifyitems(None, items)
    skipped = [item.path.name for item in items if item.markers]
    assert skipped == ["08_pytorch_basics.ipynb", "09_pytorch_mnist.ipynb"]
    assert all("needs PyTorch" in item.markers[0].kwargs["reason"] for item in items if item.markers)


# ----------------------------------------------------------------------------- the command line


def test_every_make_recipe_is_a_valid_command_line():
    """`make test` once failed in argparse before doing anything: parse what make really runs."""
    import re

    recipes = re.findall(r"^\t\$\(COURSE\) (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert len(recipes) >= 7
    for recipe in recipes:
        args = course.parse(recipe.replace("$(VENV)", "my-venv").split())
        assert args.venv == "my-venv", recipe
        assert getattr(args, "parts", []) in ([], ["fast"], ["notebooks"], ["browser"])


def test_options_after_the_command_and_bad_parts_refused(capsys):
    args = course.parse(["lab", "--torch", "none"])
    assert (args.command, args.torch, args.venv) == ("lab", "none", ".venv")
    args = course.parse(["site", "--venv", "v", "--clean"])
    assert (args.venv, args.rest) == ("v", ["--clean"])
    args = course.parse(["student", "--out", "/srv/class"])
    assert (args.command, args.rest) == ("student", ["--out", "/srv/class"])
    with pytest.raises(SystemExit):
        course.main(["test", "fats"])
    assert "no part called fats; choose from fast, notebooks, browser" in capsys.readouterr().err


# ---------------------------------------------------------------- the first `make lab` (issue 18)


def test_first_lab_opens_lesson_01_then_the_folder(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    first = course.lab_command(Path("python"), venv, [])
    assert first[1:] == ["-m", "jupyter", "lab", "notebooks/01_derivatives.ipynb"]
    (venv / ".lab-opened").touch()  # what course_lab leaves behind
    later = course.lab_command(Path("python"), venv, ["--allow-root"])
    assert later[3:] == ["lab", "notebooks", "--allow-root"]


def test_lab_settings_turn_off_the_news_popup_and_keep_other_overrides(tmp_path):
    import json

    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    assert course.lab_overrides(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false",
                                                                       "checkForUpdates": False}
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}


def test_root_starts_with_allow_root_in_a_container_and_says_so(capsys):
    assert course.root_options(1000, container=False, allowed=False) == []
    assert course.root_options(0, container=True, allowed=False) == ["--allow-root"]
    assert "running as root (in a container)" in capsys.readouterr().out
    assert course.root_options(0, container=False, allowed=True) == ["--allow-root"]
    with pytest.raises(course.SetupError, match="normal user, or set NNFS_ALLOW_ROOT=1"):
        course.root_options(0, container=False, allowed=False)


def test_container_detection():
    assert course.in_container(exists=lambda p: p == "/.dockerenv", read=lambda p: "")
    assert course.in_container(exists=lambda p: False, read=lambda p: "0::/kubepods/burstable/pod1")
    assert not course.in_container(exists=lambda p: False, read=lambda p: "0::/user.slice/session-2.scope")


FAKE_PIP = """
import sys
for i in range(90):
    print(f"Collecting package{i}")
    print(f"  Downloading package{i}-1.0-py3-none-any.whl (10 kB)")
print("Installing collected packages: " + ", ".join(f"package{i}" for i in range(90)))
print("Successfully installed " + " ".join(f"package{i}-1.0" for i in range(90)))
sys.exit(int(sys.argv[1]))
"""


def test_install_shows_a_few_lines_and_keeps_pips_output_in_a_log(tmp_path, capsys):
    log = course.PipLog(tmp_path / "install.log")
    assert log.run([sys.executable, "-c", FAKE_PIP, "0"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown == ["   40 packages found so far...", "   80 packages found so far...",
                     "   installing 90 packages...", "   done: 90 packages installed"]
    kept = (tmp_path / "install.log").read_text()
    assert kept.count("\nCollecting package") == 90 and "Downloading package89" in kept


def test_a_failed_install_points_at_the_log(tmp_path, capsys):
    log = course.PipLog(tmp_path / "install.log")
    assert log.run([sys.executable, "-c", FAKE_PIP, "1"]) == 1
    err = capsys.readouterr().err
    assert "Successfully installed" in err  # pip's last lines
    assert f"the full log is {tmp_path / 'install.log'}" in err
# ------------------------------------------------------------------- a venv that needs repair


NEEDED = (3, 11)


@pytest.mark.skipif(os.name == "nt", reason="a symlinked venv python is the POSIX layout")
def test_a_venv_whose_python_was_removed_is_recreated(tmp_path):
    """The Python that created .venv was upgraded away (Homebrew, pyenv): bin/python dangles."""
    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    exe = course.venv_python(venv)
    exe.unlink()
    exe.symlink_to("/gone/python3.10")
    assert course.make_venv(venv, sys.executable, NEEDED) == exe
    assert subprocess.run([str(exe), "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_a_venv_without_pip_gets_pip(tmp_path):
    """An interrupted first install (or two at once) leaves a venv without pip."""
    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    exe = course.make_venv(venv, sys.executable, NEEDED)
    assert subprocess.run([str(exe), "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_a_python_that_cannot_be_started_is_one_line(tmp_path, capsys):
    venv = tmp_path / "v"
    course.venv_python(venv).parent.mkdir(parents=True)
    course.venv_python(venv).symlink_to(tmp_path / "gone")  # not a venv (no pyvenv.cfg): not touched
    with pytest.raises(course.SetupError, match="cannot run.*Delete the folder"):
        course.make_venv(venv, sys.executable, NEEDED)
    with pytest.raises(course.SetupError, match="cannot run /no/such/python"):
        course.run(["/no/such/python", "-m", "venv", venv])


def test_venv_is_found_in_the_course_folder_from_anywhere(tmp_path, monkeypatch):
    """`cd ~ && python3 ~/course/course.py install`: one .venv, in the course folder."""
    seen = []
    monkeypatch.setattr(course, "install", lambda job, needed: seen.append(job.venv))
    monkeypatch.chdir(tmp_path)
    course.course_install(course.parse(["install", "--torch", "none"]))
    course.course_install(course.parse(["install", "--torch", "none", "--venv", str(tmp_path / "v")]))
    assert seen == [course.ROOT / ".venv", tmp_path / "v"]
    assert course.site_arguments(["--out", "site", "-x"]) == ["--out", str(tmp_path / "site"), "-x"]
    assert course.site_arguments(["--out=s"]) == ["--out=" + str(tmp_path / "s")]


def test_a_second_install_waits_for_the_first(tmp_path):
    """Two `make lab` at once: the second waits (says so) until the first releases the lock."""
    venv = tmp_path / "v"
    code = ("import importlib.util, sys, time\n"
            f"spec = importlib.util.spec_from_file_location('c', {str(ROOT / 'course.py')!r})\n"
            "c = sys.modules['c'] = importlib.util.module_from_spec(spec); spec.loader.exec_module(c)\n"
            f"with c.install_lock(c.Path({str(venv)!r})):\n"
            "    print('inside', flush=True); time.sleep(float(sys.argv[1]))\n")
    first = subprocess.Popen([sys.executable, "-c", code, "2"], stdout=subprocess.PIPE, text=True)
    assert first.stdout.readline() == "inside\n"
    second = subprocess.run([sys.executable, "-c", code, "0"], capture_output=True, text=True, timeout=60)
    first.wait(timeout=60)
    assert "another course.py is installing" in second.stdout and second.stdout.endswith("inside\n")


def test_make_does_not_take_venv_from_the_environment():
    """`export VENV=~/venvs/work` for something else must not make `make clean` delete it."""
    import shutil

    if shutil.which("make") is None:
        pytest.skip("no make")
    env = dict(os.environ, VENV="/tmp/someone-elses-venv")
    dry = subprocess.run(["make", "-n", "clean"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry.returncode == 0 and "someone-elses" not in dry.stdout and ".venv" in dry.stdout
    dry = subprocess.run(["make", "-n", "lab", "VENV=mine"], cwd=ROOT, capture_output=True, text=True)
    assert "--venv mine" in dry.stdout
