#!/usr/bin/env python3
"""Set up and run the course with nothing but Python: the same on Linux, macOS and Windows.

    python course.py lab        open the course in JupyterLab
    python course.py test       run every test: ruff, unit tests, notebooks, browser tests

`make lab` and `make test` run exactly these; on Windows type `py course.py lab`. Both create
the virtual environment `.venv` and install the course into it the first time (and again
whenever pyproject.toml changes). Other commands:

    python course.py install                     only create or update .venv
    python course.py test fast|notebooks|browser one part of `test`
    python course.py versions                    unit tests and notebooks on the oldest and the
                                                 newest supported set-ups (what CI checks)
    python course.py site                        build the course website (tools/build_site.py)

PyTorch (only notebooks 08 and 09 need it) is chosen with `--torch` or the TORCH environment variable:
  auto  (default) Linux without an NVIDIA GPU: the small CPU-only build from PyTorch's own index;
        Linux with an NVIDIA GPU, macOS, Windows: PyPI's build (CUDA on Linux, several GB)
  cpu   the CPU-only build on every system
  cuda  PyPI's CUDA build (Linux; on Windows set TORCH_INDEX_URL, see README)
  none  no PyTorch: notebooks 08 and 09 and their tests are skipped
TORCH_INDEX_URL=<url> installs PyTorch from that index instead.

Design notes: only the standard library is used, so this runs before anything is installed.
What is installed is recorded in `.venv/.installed` (a hash of pyproject.toml and the choices),
so a second run starts at once. Each step prints what it does; a step that cannot work stops
with one line saying what to do, never a traceback.
"""

from __future__ import annotations  # so Python 3.8 can still print the version message below

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PYPROJECT = ROOT / "pyproject.toml"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_CHOICES = ("auto", "cpu", "cuda", "none")
TEST_PARTS = ("fast", "notebooks", "browser")
NBVAL = ["--nbval", "notebooks", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "--nbval-cell-timeout=600", "--nbval-current-env"]
# Every notebook again, as on other processors (tests/test_processor_variation.py): part of
# `test notebooks`, left out of the unit tests (`test fast`, `versions`) because it runs notebooks.
VARIATION = "tests/test_processor_variation.py"
UNIT = ["tests", "--ignore=tests/browser", f"--ignore={VARIATION}"]


class SetupError(Exception):
    """A problem the user can fix: the message says how. Printed as one line, no traceback."""


# ---------------------------------------------------------------------------------------------
# Python version: the minimum comes from pyproject.toml's requires-python, nowhere else


def required_python(pyproject_text: str) -> tuple[int, int]:
    # A regex, not tomllib: this must work on the old Pythons it refuses.
    match = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', pyproject_text, re.M)
    if not match:
        raise SetupError('pyproject.toml needs a line like requires-python = ">=3.11"')
    return int(match[1]), int(match[2])


def check_python(version: tuple[int, int], needed: tuple[int, int]) -> None:
    if version < needed:
        want = "{}.{}".format(*needed)
        raise SetupError(
            f"The course needs Python {want} or newer; this is {version[0]}.{version[1]} ({sys.executable}). "
            f"Install a newer one (python.org, or your package manager) and run this with it, "
            f"e.g. `python{want} course.py lab` or `make lab PYTHON=python{want}`."
        )


# ---------------------------------------------------------------------------------------------
# PyTorch: which build to install


@dataclass(frozen=True)
class TorchPlan:
    install: bool
    index_url: str | None  # None: from PyPI, like every other package
    why: str


def has_nvidia_gpu(which=shutil.which, exists=os.path.exists) -> bool:
    """An NVIDIA driver is installed: its nvidia-smi tool, or the Linux kernel module's file."""
    return which("nvidia-smi") is not None or exists("/proc/driver/nvidia/version")


def decide_torch(choice: str, system: str, nvidia_gpu: bool, index_url: str = "") -> TorchPlan:
    """Which PyTorch to install. `system` is platform.system(): "Linux", "Darwin" or "Windows"."""
    if choice not in TORCH_CHOICES:
        raise SetupError(f"TORCH={choice!r} is not one of {', '.join(TORCH_CHOICES)}.")
    if choice == "none":
        return TorchPlan(False, None, "TORCH=none: no PyTorch; notebooks 08 and 09 and their tests skip")
    if index_url:
        return TorchPlan(True, index_url, f"PyTorch from TORCH_INDEX_URL={index_url}")
    if choice == "cuda":
        if system != "Linux":
            raise SetupError(
                f"TORCH=cuda: PyPI has no CUDA build of PyTorch for {system}. On Windows, copy the "
                "index URL for your CUDA version from https://pytorch.org/get-started/locally/ and "
                "set TORCH_INDEX_URL to it; on macOS PyTorch uses the Apple GPU by itself (TORCH=auto)."
            )
        return TorchPlan(True, None, "TORCH=cuda: PyPI's CUDA build of PyTorch (several GB)")
    if system != "Linux":  # PyPI's macOS and Windows wheels are already the small ones
        return TorchPlan(True, None, f"PyPI's PyTorch for {system}")
    if choice == "cpu":
        return TorchPlan(True, CPU_INDEX, "TORCH=cpu: the CPU-only build of PyTorch")
    if nvidia_gpu:
        return TorchPlan(True, None, "NVIDIA GPU found: PyPI's CUDA build of PyTorch (several GB; "
                                     "TORCH=cpu for the small CPU-only one)")
    return TorchPlan(True, CPU_INDEX, "no NVIDIA GPU: the small CPU-only build of PyTorch "
                                      "(TORCH=cuda for PyPI's CUDA build)")


# ---------------------------------------------------------------------------------------------
# pyproject.toml


def load_project() -> dict:
    import tomllib  # here, not at the top: Python < 3.11 has none and gets the version message

    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]


_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<extras>\[[^\]]*\])?\s*"
    r"(?P<spec>[^;]*?)\s*(?P<marker>;.*)?$"
)


def minimum_pins(requirements: list[str]) -> list[str]:
    """`numpy>=1.24` -> `numpy==1.24`: every requirement at the lowest version it declares."""
    pins = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        lower = match and re.search(r">=\s*([0-9][0-9A-Za-z.]*)", match["spec"])
        if not lower:
            raise SetupError(
                f"pyproject.toml: {requirement!r} has no lower bound (>=); every dependency declares "
                "the oldest version it works with, and `course.py versions` tests that version."
            )
        pins.append(f"{match['name']}=={lower[1]}{match['marker'] or ''}")
    return pins


# ---------------------------------------------------------------------------------------------
# virtual environments


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(cmd: list, **kwargs) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    try:
        result = subprocess.run([str(c) for c in cmd], cwd=ROOT, **kwargs)
    except OSError as error:  # the program itself is missing or cannot be started
        raise SetupError(f"cannot run {cmd[0]} ({error.strerror or error}).") from None
    if result.returncode:
        raise SystemExit(result.returncode)


def installed_version(python: Path, package: str) -> str | None:
    code = (f"import importlib.metadata as m\ntry: print(m.version({package!r}))\n"
            "except m.PackageNotFoundError: pass")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() or None


def venv_dir(name: str) -> Path:
    """--venv as one absolute folder: a relative name is inside the course folder, wherever
    course.py is run from (every command runs with the course folder as working directory)."""
    return (ROOT / Path(name).expanduser()).absolute()


def _python_version(exe: Path) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([str(exe), "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True)
    except OSError:  # missing, a dangling link, not executable
        return None
    return tuple(int(v) for v in out.stdout.split()) if out.returncode == 0 else None


def _has_pip(exe: Path) -> bool:
    return subprocess.run([str(exe), "-m", "pip", "--version"], capture_output=True).returncode == 0


def make_venv(venv: Path, python: str, needed: tuple[int, int]) -> Path:
    """The venv's python, ready for `pip install`: created, or repaired where that is safe."""
    exe = venv_python(venv)
    if exe.is_symlink() and not exe.exists() and (venv / "pyvenv.cfg").is_file():
        # The Python that created the venv was upgraded or removed (Homebrew, pyenv).
        print(f"== {exe} points at a Python that no longer exists: recreating {venv}", flush=True)
        run([python, "-m", "venv", "--clear", venv])
    elif not exe.exists():
        print(f"== creating the virtual environment {venv}", flush=True)
        run([python, "-m", "venv", venv])
    version = _python_version(exe)
    if version is None or version < needed:
        found = "cannot run" if version is None else "is Python {}.{}".format(*version)
        raise SetupError(f"{exe} {found}. Delete the folder {venv} and run this again to recreate it.")
    if not _has_pip(exe):  # an interrupted first install: venv stopped before ensurepip finished
        print(f"== {venv} has no pip (an interrupted first install?): adding it", flush=True)
        subprocess.run([str(exe), "-m", "ensurepip", "--upgrade", "--default-pip"], capture_output=True)
        if not _has_pip(exe):
            raise SetupError(f"{venv} has no pip and ensurepip could not add it. Delete the folder "
                             f"{venv} and run this again to recreate it.")
    return exe


class PipLog:
    """pip's whole output goes to a log file (`.venv/install.log`); the terminal gets a few lines of
    progress. A cold install prints some 450 lines of pip output, which hide what matters."""

    EVERY = 40  # print a progress line every this many packages found

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")  # this run's log only

    def run(self, cmd: list, env: dict | None = None, quiet: bool = False) -> int:
        """Run pip with its output appended to the log; returns its exit status. On failure the
        last lines of the log are printed with where the rest is."""
        found = 0
        with self.path.open("a", encoding="utf-8") as log:
            log.write("+ " + " ".join(str(c) for c in cmd) + "\n")
            log.flush()
            process = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, errors="replace")
            for line in process.stdout:
                log.write(line)
                if quiet:
                    continue
                if line.startswith("Collecting "):
                    found += 1
                    if found % self.EVERY == 0:
                        print(f"   {found} packages found so far...", flush=True)
                elif line.startswith("Installing collected packages:"):
                    count = len(line.split(":", 1)[1].split(","))
                    print(f"   installing {count} packages...", flush=True)
                elif line.startswith("Successfully installed"):
                    print(f"   done: {len(line.split()) - 2} packages installed", flush=True)
            status = process.wait()
        if status:
            tail = self.path.read_text(encoding="utf-8", errors="replace").splitlines()[-12:]
            print("\n".join("   | " + line for line in tail), file=sys.stderr)
            print(f"pip failed (exit status {status}): its last lines are above; the full log is "
                  f"{self.path}", file=sys.stderr, flush=True)
        return status


@contextlib.contextmanager
def install_lock(venv: Path):
    """One install into `venv` at a time: a second `make lab` started while the first is still
    creating .venv waits for it (two at once leave a venv without pip). The operating system
    releases the lock when the process ends, however it ends, so a lock is never left stale."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.install-lock", "a+") as handle:
        if os.name == "nt":
            import msvcrt

            def lock(wait: bool) -> None:
                while True:
                    try:
                        return msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    except OSError:
                        if not wait:
                            raise
                        time.sleep(1)
        else:
            import fcntl

            def lock(wait: bool) -> None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        try:
            lock(wait=False)
        except OSError:
            print(f"== another course.py is installing into {venv}: waiting for it to finish", flush=True)
            lock(wait=True)
        yield  # released when the file is closed


def install_torch_from(pip: list, index_url: str, log: PipLog | None = None) -> bool:
    """pip-install the `torch` extra from index_url and nowhere else; True if it worked.

    A pip.conf may name more indexes or folders, and one holding PyPI's CUDA build would win
    (a higher version). Environment variables override pip.conf: point both at harmless
    values (empty ones are ignored), keeping the rest of pip.conf (proxy, certificates).
    """
    torch_extra = load_project()["optional-dependencies"]["torch"]
    with tempfile.TemporaryDirectory() as empty:
        env = dict(os.environ, PIP_EXTRA_INDEX_URL=index_url, PIP_FIND_LINKS=empty)
        cmd = pip + torch_extra + ["--index-url", index_url]
        if log is not None:
            return log.run(cmd, env=env) == 0
        result = subprocess.run([str(c) for c in cmd], env=env)
    return result.returncode == 0


@dataclass
class Install:
    venv: Path
    python: str  # the interpreter that creates the venv
    extras: list[str]
    torch: TorchPlan
    constraints: list[str]  # pins, e.g. the declared minimum versions

    def key(self) -> str:
        text = PYPROJECT.read_bytes() + json.dumps(
            [sorted(self.extras), self.torch.install, self.torch.index_url, self.constraints]
        ).encode()
        return hashlib.sha256(text).hexdigest()


def install(job: Install, needed: tuple[int, int]) -> Path:
    """Create job.venv if needed and install the course into it; returns the venv's python."""
    with install_lock(job.venv):
        return _install(job, needed)


def _install(job: Install, needed: tuple[int, int]) -> Path:
    exe = make_venv(job.venv, job.python, needed)
    stamp = job.venv / ".installed"
    if stamp.exists() and stamp.read_text() == job.key():
        stamp.touch()  # for make: newer than pyproject.toml
        return exe

    log = PipLog(job.venv / "install.log")
    print(f"== installing the course into {job.venv} (the first time takes a few minutes; "
          f"pip's full output: {log.path})", flush=True)
    pip = [exe, "-m", "pip", "install"]
    constraint_args = []
    if job.constraints:
        constraints = job.venv / "constraints.txt"
        constraints.write_text("\n".join(job.constraints) + "\n")
        constraint_args = ["-c", constraints]

    extras = list(job.extras)
    torch_failed = False
    print(f"== PyTorch: {job.torch.why}", flush=True)
    if job.torch.install:
        have = installed_version(exe, "torch")
        if have:
            print(f"   torch {have} is already installed: kept (pip uninstall torch to change it)")
        elif job.torch.index_url:  # on its own: that index has PyTorch, not the course's other packages
            print(f"   PyTorch from {job.torch.index_url}", flush=True)
            torch_failed = not install_torch_from(pip, job.torch.index_url, log)
        if not torch_failed:
            extras.append("torch")  # already installed by now, or from PyPI with the rest
    print("   the course's packages", flush=True)
    status = log.run(pip + ["-e", f".[{','.join(extras)}]" if extras else "."] + constraint_args)
    if status:
        raise SystemExit(status)

    if torch_failed:
        # Not recorded as done, so the next run tries PyTorch again.
        print(f"\nPyTorch could not be installed from {job.torch.index_url} (see pip's message above; "
              f"all of it is in {log.path}). "
              "Everything else is ready; only notebooks 08 and 09 need PyTorch and are skipped until then. "
              "The next run tries again; TORCH=cuda takes PyPI's build, TORCH=none stops trying.\n",
              file=sys.stderr)
    else:
        stamp.write_text(job.key())
    return exe


# ---------------------------------------------------------------------------------------------
# the commands


def course_install(args) -> Path:
    needed = required_python(PYPROJECT.read_text(encoding="utf-8"))
    extras = ["dev", "bench", "site"]  # one environment for the lessons, the tests and the website
    index_url = os.environ.get("TORCH_INDEX_URL", "")
    torch = decide_torch(args.torch, platform.system(), has_nvidia_gpu(), index_url)
    return install(Install(venv_dir(args.venv), sys.executable, extras, torch, []), needed)


FIRST_LESSON = "notebooks/01_derivatives.ipynb"
# JupyterLab settings the course's JupyterLab starts with (the learner can still change them):
# no "get notified about official Jupyter news?" pop-up over the first lesson, and no update
# check (a classroom network may have no internet).
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def lab_overrides(venv: Path) -> Path:
    """Write LAB_OVERRIDES into the venv's JupyterLab (share/jupyter/lab/settings/overrides.json),
    keeping any other overrides found there; returns the file."""
    path = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        settings = {}
    for plugin, values in LAB_OVERRIDES.items():
        settings.setdefault(plugin, {}).update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return path


def in_container(exists=os.path.exists, read=lambda p: Path(p).read_text(errors="replace")) -> bool:
    """True inside Docker, Podman or a Kubernetes pod (where running as root is the norm)."""
    if exists("/.dockerenv") or exists("/run/.containerenv"):
        return True
    try:
        return bool(re.search(r"docker|kubepods|containerd|libpod|lxc", read("/proc/1/cgroup")))
    except OSError:
        return False


def root_options(euid: int | None, container: bool, allowed: bool) -> list[str]:
    """JupyterLab's options for this user: as root, --allow-root inside a container (or with
    NNFS_ALLOW_ROOT=1), with a line that says so; else a SetupError that says what to do."""
    if euid != 0:
        return []
    if container or allowed:
        where = "in a container" if container else "NNFS_ALLOW_ROOT=1"
        print(f"== running as root ({where}): starting JupyterLab with --allow-root", flush=True)
        return ["--allow-root"]
    raise SetupError("JupyterLab does not run as root outside a container. Run `make lab` as your "
                     "normal user, or set NNFS_ALLOW_ROOT=1 to start it as root anyway.")


def lab_command(exe: Path, venv: Path, root: list[str]) -> list:
    """The first time: open lesson 01 (not the Launcher); afterwards the notebooks folder, where
    JupyterLab reopens the lessons left open. Either way the file browser shows notebooks/."""
    first = not (venv / ".lab-opened").exists()
    target = FIRST_LESSON if first and (ROOT / FIRST_LESSON).exists() else "notebooks"
    return [exe, "-m", "jupyter", "lab", target, *root]


def course_lab(args) -> None:
    exe = course_install(args)
    venv = venv_dir(args.venv)
    lab_overrides(venv)
    geteuid = getattr(os, "geteuid", None)
    allowed = os.environ.get("NNFS_ALLOW_ROOT") == "1"
    root = root_options(geteuid() if geteuid else None, in_container(), allowed)
    command = lab_command(exe, venv, root)
    (venv / ".lab-opened").touch()
    run(command)


def ensure_browser(exe: Path) -> None:
    if os.environ.get("NNFS_SKIP_BROWSER") == "1":
        print("== browser tests skipped on purpose: NNFS_SKIP_BROWSER=1")
        return
    print("== a Chromium for the browser tests", flush=True)
    result = subprocess.run([str(exe), "tests/browser/chromium_setup.py"], cwd=ROOT)
    if result.returncode:  # chromium_setup.py has printed the one line that says what to do
        raise SystemExit(result.returncode)


def course_test(args) -> None:
    exe = course_install(args)
    parts = args.parts or TEST_PARTS
    if "browser" in parts:  # first: a missing browser should stop the run now, not in 10 minutes
        ensure_browser(exe)
    for part in parts:
        print(f"== test {part}", flush=True)
        if part == "fast":
            run([exe, "-m", "ruff", "check", "."])
            run([exe, "-m", "pytest", *UNIT])
        elif part == "notebooks":
            run([exe, "-m", "pytest", *NBVAL])
            run([exe, "-m", "pytest", VARIATION])
        elif part == "browser":
            run([exe, "-m", "pytest", "tests/browser"])


def find_python(version: str) -> str:
    """An interpreter for `version` ("3.13"): pythonX.Y on PATH, or one that pyenv installed."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        found = Path(root, "versions").glob(f"{version}.*/bin/python{version}") if root else []
        candidates += sorted(found, key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.parent.name)],
                             reverse=True)
    for candidate in filter(None, candidates):
        out = subprocess.run([str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip() == version:
            return str(candidate)
    raise SetupError(f"No Python {version} found (python{version} on PATH or pyenv). Install it, "
                     f"e.g. `pyenv install {version}`, and run this again.")


def version_matrix() -> list[tuple[str, str, str, bool]]:
    """(name, Python version, venv, pin the minimum versions?) of each set-up `versions` tests."""
    needed = required_python(PYPROJECT.read_text(encoding="utf-8"))
    oldest = "{}.{}".format(*needed)
    return [
        ("newest releases, no PyTorch", "3.13", ".venv-py313", False),
        (f"declared minimum versions on Python {oldest}, no PyTorch", oldest, ".venv-min", True),
    ]


def course_versions(args) -> None:
    needed = required_python(PYPROJECT.read_text(encoding="utf-8"))
    project = load_project()
    failed = []
    for name, version, venv, pin in version_matrix():
        print(f"\n==== {name}: {venv}", flush=True)
        pins = minimum_pins(project["dependencies"]) if pin else []
        no_torch = TorchPlan(False, None, "not in the version matrix")
        exe = install(Install(ROOT / venv, find_python(version), ["dev"], no_torch, pins), needed)
        # Not the slow test of one notebook in a fresh venv: it installs the newest releases
        # there whatever this set-up pins, and `make test` has run it.
        for step in (UNIT + ["-m", "not slow"], NBVAL):
            result = subprocess.run([str(exe), "-m", "pytest", "-p", "no:cacheprovider", *step], cwd=ROOT)
            if result.returncode:
                failed.append(f"{name}: pytest {' '.join(step[:2])}")
    if failed:
        raise SetupError("Failed: " + "; ".join(failed))
    print("\n==== every set-up passed")


def course_site(args) -> None:
    exe = course_install(args)
    run([exe, ROOT / "tools" / "build_site.py", *site_arguments(args.rest)])


def site_arguments(rest: list[str]) -> list[str]:
    """build_site.py runs in the course folder: a relative --out is made absolute here, so it
    means the folder the user typed it in."""
    rest = list(rest)
    for i, arg in enumerate(rest):
        if arg == "--out" and i + 1 < len(rest):
            rest[i + 1] = str(Path(rest[i + 1]).expanduser().absolute())
        elif arg.startswith("--out="):
            rest[i] = "--out=" + str(Path(arg[len("--out="):]).expanduser().absolute())
    return rest


def course_student(args) -> None:
    exe = course_install(args)
    run([exe, ROOT / "tools" / "build_student.py", *args.rest])


def build_parser() -> argparse.ArgumentParser:
    # The options go after the command too (`course.py lab --torch cpu`): a parent parser.
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--venv", default=".venv",
                         help="the virtual environment (default .venv; relative: inside the course folder)")
    options.add_argument("--torch", default=os.environ.get("TORCH") or "auto", choices=TORCH_CHOICES,
                         help="which PyTorch to install (default: $TORCH, else auto)")
    parser = argparse.ArgumentParser(prog="course.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, run, help):
        sub = commands.add_parser(name, parents=[options], help=help)
        sub.set_defaults(run=run)
        return sub

    command("install", course_install, "create or update the virtual environment")
    command("lab", course_lab, "open the course in JupyterLab")
    test = command("test", course_test, "run the tests (all of them by default)")
    # No choices= here: argparse then rejects an empty list (`test --venv .venv`); checked below.
    test.add_argument("parts", nargs="*", metavar="{fast,notebooks,browser}")
    command("versions", course_versions, "test the oldest and newest supported set-ups")
    command("site", course_site, "build the course website (other arguments go to tools/build_site.py)")
    command("student", course_student, "write the class edition: notebooks without answers, solution() "
            "off (other arguments go to tools/build_student.py)")
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("site", "student"):  # only these pass arguments on
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.rest = rest
    unknown = set(getattr(args, "parts", [])) - set(TEST_PARTS)
    if unknown:
        choose = ", ".join(TEST_PARTS)
        parser.error(f"test: no part called {', '.join(sorted(unknown))}; choose from {choose}")
    return args


def main(argv: list[str]) -> None:
    args = parse(argv)
    try:
        check_python(sys.version_info[:2], required_python(PYPROJECT.read_text(encoding="utf-8")))
        args.run(args)
    except SetupError as error:
        sys.exit(f"course.py {args.command}: {error}")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main(sys.argv[1:])
