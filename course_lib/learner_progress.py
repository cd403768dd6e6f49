"""Your progress through the exercises, kept in one small JSON file on this computer.

    import course_lib
    course_lib.progress()            # every exercise of every notebook
    course_lib.progress("05")        # notebook 05 only
    course_lib.progress(reset=True)  # start over; the old file is kept as a backup

Every `check()` of an exercise records its verdict here (passed, or tried with the feedback you
got). Nothing leaves the machine: the file sits in your user data folder (from `platformdirs`,
e.g. ~/.local/share/course_lib/progress.json on Linux), or wherever $COURSE_LIB_PROGRESS says.

Design notes:
- Never lose a record. A write takes a lock file (created with O_EXCL, so exactly one process
  holds it), re-reads the file, changes one exercise's entry, writes a temporary file and
  `os.replace`s it over the old one, which is atomic on every OS. Two kernels checking at the
  same moment therefore both keep their results, and a crash mid-write leaves the old file whole.
  A lock left behind by a kernel that died is broken at once if it names a process of this
  machine that no longer runs, else after `STALE` seconds.
- A file that cannot be read (cut off, edited by hand) is moved aside, never deleted, with one
  line saying where it went; a fresh one is started.
- Recording never fails a check: the verdict is printed before recording starts, and every
  problem (read-only or full disk, a file from a newer course_lib, a lock that stays busy)
  becomes one line, said once per session.
- The exercises are found by reading the source of `course_lib/exercises/nbNN.py` (with `ast`,
  without importing them), so a notebook's exercises appear as soon as its module exists, and
  records of exercises that no longer exist are kept and counted, not dropped.
"""

from __future__ import annotations

import ast
import contextlib
import html
import importlib.util
import json
import os
import random
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = 1  # the file's layout; a file with a larger number comes from a newer course_lib
ENV = "COURSE_LIB_PROGRESS"
LOCK_WAIT = 10.0  # seconds to wait for another kernel's write before giving up on this record
STALE = 30.0  # a lock older than this was left by a kernel that died: it is broken
FEEDBACK_CHARS = 600  # the stored feedback of one try is cut to this length

_said: set[str] = set()  # messages already shown in this session (said once, not at every check)


class ProgressError(Exception):
    """The progress file could not be used; the message is one line for the learner."""


def _say_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        print(message)


# ---------------------------------------------------------------------------------------------
# Where the file is, and the exercises it can hold
# ---------------------------------------------------------------------------------------------

def progress_path() -> Path:
    """$COURSE_LIB_PROGRESS (a file, or a folder to put progress.json in), else the user data folder."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        path = Path(chosen).expanduser()
        return path / "progress.json" if path.is_dir() else path
    import platformdirs  # only here: importing course_lib stays fast

    return Path(platformdirs.user_data_dir("course_lib", appauthor=False)) / "progress.json"


@dataclass
class NotebookExercises:
    number: str  # "05"
    title: str  # "XOR and the learning rate"
    exercises: dict[str, str] = field(default_factory=dict)  # "q1" -> its name, e.g. "q1 (one step)"


def module_title(doc: str | None, number: str) -> str:
    """The notebook's title from an exercise module's docstring: "Exercises for notebook 05 · XOR."
    or "Exercises for notebook 09 (PyTorch on MNIST)." give "XOR" and "PyTorch on MNIST"."""
    first = (doc or "").strip().splitlines()[0] if (doc or "").strip() else ""
    match = re.search(r"notebook \d+\s*(?:·\s*(.+?)|\((.+)\))\.?\s*$", first)
    return (match.group(1) or match.group(2)).strip() if match else f"notebook {number}"


def _exercises_folder() -> Path:
    spec = importlib.util.find_spec("course_lib.exercises")
    return Path(next(iter(spec.submodule_search_locations)))


def discover(folder: Path | None = None) -> dict[str, NotebookExercises]:
    """Every notebook that has an exercise module (nbNN.py), with its exercises in order.

    Read afresh at every call, so a module added while a kernel runs is found too.
    """
    found = {}
    for file in sorted((folder or _exercises_folder()).glob("nb[0-9][0-9].py")):
        number = file.stem[2:]
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue  # a module being written right now: it shows up once it parses
        entry = NotebookExercises(number, module_title(ast.get_docstring(tree), number))
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and re.fullmatch(r"q\d+", node.targets[0].id)
                    and isinstance(node.value, ast.Call)):
                continue
            func = node.value.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if not called.endswith("Exercise"):
                continue
            args = node.value.args
            name = args[0].value if args and isinstance(args[0], ast.Constant) else node.targets[0].id
            entry.exercises[node.targets[0].id] = str(name)
        entry.exercises = dict(sorted(entry.exercises.items(), key=lambda kv: int(kv[0][1:])))
        if entry.exercises:
            found[number] = entry
    return found


def where(exercise: Any) -> tuple[str, str] | None:
    """("05", "q1") for an exercise object of a loaded nbNN module; None for any other object."""
    for module_name, module in list(sys.modules.items()):
        match = re.fullmatch(r"course_lib\.exercises\.nb(\d\d)", module_name)
        if match and module is not None:
            for attr, value in vars(module).items():
                if value is exercise and re.fullmatch(r"q\d+", attr):
                    return match.group(1), attr
    return None


# ---------------------------------------------------------------------------------------------
# Reading and writing the file safely
# ---------------------------------------------------------------------------------------------

def _fresh() -> dict:
    return {"format": FORMAT, "exercises": {}}


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _aside(path: Path, why: str) -> Path:
    """A free name next to `path` for a file moved aside: progress.json.unreadable-20261206-120000."""
    target = path.with_name(f"{path.name}.{why}-{_stamp()}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{why}-{_stamp()}-{n}")
    return target


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def _holder_died(lock: Path) -> bool:
    """True if the lock names a process of this machine that no longer runs (POSIX only: on
    Windows os.kill would end the process, and a lock from another machine is left to STALE)."""
    try:
        pid, host = lock.read_text(encoding="utf-8").split()
        if os.name != "posix" or host != socket.gethostname() or int(pid) == os.getpid():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError):  # unreadable, half written, or not ours to signal: wait
        return False
    return False


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold `path`.lock while the block runs (one process at a time), or raise ProgressError."""
    lock = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            with contextlib.suppress(OSError):  # it may vanish meanwhile: then simply try again
                if time.time() - lock.stat().st_mtime > STALE or _holder_died(lock):
                    lock.unlink()  # left by a kernel that died while writing
                    continue
            if time.monotonic() > deadline:
                raise ProgressError(f"progress not saved: {lock} stayed locked for {LOCK_WAIT:g} s "
                                    f"(if no kernel is running, delete that file).") from None
            time.sleep(0.005 + 0.02 * random.random())
        except OSError as err:
            raise ProgressError(f"progress not saved: cannot write in {path.parent} "
                                f"({_reason(err)}); set {ENV} to a file in a folder you can write to."
                                ) from None
    try:
        with contextlib.suppress(OSError):
            os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


def _read(path: Path, repair: bool) -> tuple[dict, list[str]]:
    """The file's content and any notes to show. With `repair` (only under the lock), an
    unreadable file is moved aside and a fresh start returned."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _fresh(), []
    except OSError as err:
        return _fresh(), [f"progress file {path} cannot be read ({_reason(err)})."]
    try:
        data = json.loads(raw.decode("utf-8"))
        if not (isinstance(data, dict) and isinstance(data.get("exercises"), dict)):
            raise ValueError("not a progress file")
        if not isinstance(data.get("format"), int):
            raise ValueError("no format number")
    except (ValueError, RecursionError):  # not JSON, not UTF-8, not our layout, absurdly nested
        if not repair:
            return _fresh(), [f"progress file {path} is unreadable; it is moved aside at the next check."]
        moved = _aside(path, "unreadable")
        try:
            os.replace(path, moved)
        except OSError as err:
            raise ProgressError(f"progress file {path} is unreadable and cannot be moved aside "
                                f"({_reason(err)}); progress not saved.") from None
        note = f"progress file was unreadable: moved aside to {moved}; starting a fresh one."
        _say_once(note)
        return _fresh(), [note]
    return data, []  # entries that are not what we write (a hand edit) are kept, and shown as not tried


def _write(path: Path, data: dict) -> None:
    """Write `data` to `path` atomically: a temporary file in the same folder, then os.replace."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as err:
        raise ProgressError(f"progress not saved: writing {path} failed ({_reason(err)}).") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _too_new(data: dict, path: Path) -> str | None:
    if data.get("format", FORMAT) > FORMAT:
        return (f"progress file {path} was written by a newer course_lib (format {data['format']}); "
                "it is left as it is: update course_lib to record new checks.")
    return None


def record(notebook: str, exercise: str, passed: bool, feedback: str, path: Path | None = None) -> None:
    """Add one check's verdict to the file. Raises ProgressError (one line) if it cannot."""
    path = path or progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ProgressError(f"progress not saved: cannot create {path.parent} ({_reason(err)}); "
                            f"set {ENV} to a file in a folder you can write to.") from None
    with _locked(path):
        data, _ = _read(path, repair=True)
        newer = _too_new(data, path)
        if newer:
            raise ProgressError(newer)
        key = f"{notebook}/{exercise}"
        old = data["exercises"].get(key)
        old = old if isinstance(old, dict) else {}
        tries = old.get("tries", 0)
        data["exercises"][key] = {
            "passed": bool(passed) or bool(old.get("passed")),  # once passed, passed for good
            "last": "passed" if passed else "not yet",
            "feedback": feedback.strip()[:FEEDBACK_CHARS],
            "tries": (tries if isinstance(tries, int) else 0) + 1,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write(path, data)


def record_check(exercise: Any, passed: bool, feedback: str) -> None:
    """Called by `Exercise.check`: record the verdict, or say in one line why it was not."""
    found = where(exercise)
    if found is None:  # an Exercise made outside the course's modules (a test, a learner's own)
        return
    name = getattr(exercise, "name", "")
    said = "\n".join(line.removeprefix(f"{name}: ") for line in feedback.splitlines())
    try:
        record(*found, passed, said)
    except ProgressError as err:
        _say_once(str(err))


# ---------------------------------------------------------------------------------------------
# What the learner sees
# ---------------------------------------------------------------------------------------------

def _notebook_number(which: Any) -> str | None:
    match = re.match(r"\D*(\d{1,2})(?!\d)", str(which))
    return f"{int(match.group(1)):02d}" if match else None


@dataclass
class Row:
    notebook: str
    exercise: str  # "q1"
    name: str  # "q1 (numerical derivative)"
    status: str  # "passed", "tried", "not tried yet"
    feedback: str = ""
    tries: int = 0


STATUS_MARK = {"passed": "✓", "tried": "…", "not tried yet": "·"}


class Progress:
    """What `course_lib.progress()` returns: a table in Jupyter, text anywhere else."""

    def __init__(self, notebooks: dict[str, NotebookExercises], rows: list[Row], notes: list[str],
                 path: Path) -> None:
        self.notebooks = notebooks
        self.rows = rows
        self.notes = notes
        self.path = path

    def counts(self, notebook: str | None = None) -> tuple[int, int]:
        rows = [r for r in self.rows if notebook is None or r.notebook == notebook]
        return sum(r.status == "passed" for r in rows), len(rows)

    def _heading(self, number: str) -> str:
        passed, total = self.counts(number)
        return f"{number} · {self.notebooks[number].title}: {passed} of {total} passed"

    def __repr__(self) -> str:
        lines = []
        for number in self.notebooks:
            lines.append(self._heading(number))
            width = max(len(r.name) for r in self.rows if r.notebook == number)
            for r in (r for r in self.rows if r.notebook == number):
                status = r.status
                if r.status == "tried":
                    status += f" ({r.tries}x): {_short(r.feedback, 90)}"
                lines.append(f"  {STATUS_MARK[r.status]} {r.name.ljust(width)}  {status}")
        return "\n".join(lines + self.notes)

    def _repr_html_(self) -> str:
        parts = ['<div class="course-progress">']
        for number in self.notebooks:
            parts.append(f"<p><strong>{html.escape(self._heading(number))}</strong></p>")
            parts.append('<table><thead><tr><th style="text-align:left">Exercise</th>'
                         '<th style="text-align:left">Status</th>'
                         '<th style="text-align:left">Your last check said</th></tr></thead><tbody>')
            for r in (r for r in self.rows if r.notebook == number):
                tries = f" ({r.tries} tries)" if r.status == "tried" and r.tries > 1 else ""
                said = html.escape(_short(r.feedback, 300)) if r.status != "not tried yet" else ""
                parts.append(f'<tr><td style="text-align:left">{html.escape(r.name)}</td>'
                             f'<td style="text-align:left; white-space:nowrap">'
                             f"{STATUS_MARK[r.status]} {r.status}{tries}</td>"
                             f'<td style="text-align:left">{said}</td></tr>')
            parts.append("</tbody></table>")
        parts += [f"<p>{html.escape(note)}</p>" for note in self.notes]
        return "\n".join(parts + ["</div>"])


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def progress(notebook: Any = None, *, reset: bool = False) -> Progress:
    """Show which exercises you passed, tried or have not tried yet.

    `progress()` covers every notebook, `progress("05")` (or 5, "nb05", "05_xor") one of them.
    `progress(reset=True)` starts over; the old file is kept next to the new one as a backup.
    """
    path = progress_path()
    notes: list[str] = []
    if reset:
        notes.append(_reset(path))
    try:
        with _locked(path):
            data, read_notes = _read(path, repair=True)
    except ProgressError:  # cannot take the lock (read-only folder): still show what the file says
        data, read_notes = _read(path, repair=False)
    notes += read_notes
    newer = _too_new(data, path)
    if newer:
        notes.append(newer)
    known = discover()
    shown = known
    if notebook is not None:
        number = _notebook_number(notebook)
        if number not in known:
            have = ", ".join(known) or "none"
            return Progress({}, [], [f"no exercises found for notebook {notebook!r}; "
                                     f"the notebooks with exercises are: {have}."], path)
        shown = {number: known[number]}
    records = data["exercises"]
    rows = []
    for number, entry in shown.items():
        for q, name in entry.exercises.items():
            rec = records.get(f"{number}/{q}")
            if not isinstance(rec, dict) or not rec:
                rows.append(Row(number, q, name, "not tried yet"))
                continue
            tries = rec.get("tries") if isinstance(rec.get("tries"), int) else 0
            rows.append(Row(number, q, name, "passed" if rec.get("passed") else "tried",
                            str(rec.get("feedback", "")), tries))
    def exists(key: str) -> bool:
        number, _, q = key.partition("/")
        return number in known and q in known[number].exercises

    gone = sorted(k for k in records if not exists(k) and (notebook is None or k.split("/")[0] in shown))
    if gone:
        notes.append(f"{len(gone)} record(s) for exercises that no longer exist ({', '.join(gone)}) "
                     "are kept in the file but not shown.")
    return Progress(shown, rows, notes, path)


def _reset(path: Path) -> str:
    if not path.exists():
        return "nothing to reset: no exercise has been checked yet."
    try:
        with _locked(path):
            if not path.exists():
                return "nothing to reset: no exercise has been checked yet."
            backup = _aside(path, "backup")
            os.replace(path, backup)
            return f"started over; your old progress is kept in {backup}."
    except ProgressError as err:
        return str(err).replace("progress not saved", "progress not reset")
    except OSError as err:
        return f"progress not reset: {_reason(err)}."
