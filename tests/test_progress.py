"""course_lib.progress(): what check() records, how it is shown, and that no record is ever lost."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import course_lib
from course_lib import learner_progress as lp
from course_lib.exercises import Exercise, nb01, nb05

ROOT = Path(__file__).resolve().parents[1]


def right_gd_step(x, lr):
    return x - lr * 2 * x


def uphill_gd_step(x, lr):
    return x + lr * 2 * x


def saved() -> dict:
    return json.loads(lp.progress_path().read_text(encoding="utf-8"))["exercises"]


def row(progress: lp.Progress, notebook: str, q: str) -> lp.Row:
    return next(r for r in progress.rows if (r.notebook, r.exercise) == (notebook, q))


# ---- what is recorded and shown --------------------------------------------------------------

def test_the_suite_never_writes_into_the_users_data_folder():
    import platformdirs

    real = Path(platformdirs.user_data_dir("course_lib", appauthor=False)).resolve()
    assert real not in lp.progress_path().resolve().parents


def test_passed_tried_and_not_tried(capsys):
    assert not nb05.q1.check(uphill_gd_step)
    said = capsys.readouterr().out
    assert "stepped uphill" in said  # the verdict is shown as before
    shown = course_lib.progress("05")
    tried = row(shown, "05", "q1")
    assert tried.status == "tried" and "stepped uphill" in tried.feedback and tried.tries == 1
    assert tried.feedback.startswith("not yet. gd_step(")  # without the exercise's name again
    assert row(shown, "05", "q2").status == "not tried yet"

    assert nb05.q1.check(right_gd_step)
    assert not nb05.q1.check(uphill_gd_step)  # a later slip does not take the pass away
    record = saved()["05/q1"]
    assert record["passed"] and record["tries"] == 3 and record["last"] == "not yet"
    assert row(course_lib.progress(5), "05", "q1").status == "passed"


def test_no_answer_yet_is_not_a_try(capsys):
    nb01.q2.check(...)
    assert "no answer yet" in capsys.readouterr().out
    assert not lp.progress_path().exists()
    assert row(course_lib.progress("01"), "01", "q2").status == "not tried yet"


def test_every_exercise_of_every_notebook_is_shown():
    shown = course_lib.progress()
    for number, entry in lp.discover().items():
        for q in entry.exercises:
            assert row(shown, number, q).status == "not tried yet"
    assert {"01", "02", "03", "04", "05", "06"} <= set(shown.notebooks)
    html = shown._repr_html_()
    assert html.count("<tr>") == len(shown.rows) + len(shown.notebooks)  # a header per table
    text = repr(shown)
    assert "05 · XOR" in text and "0 of 4 passed" in text


def test_notebook_titles_from_the_modules_docstrings():
    assert lp.module_title("Exercises for notebook 05 · XOR and the learning rate.\n\nMore.", "05") == \
        "XOR and the learning rate"
    assert lp.module_title("Exercises for notebook 09 (PyTorch on MNIST).", "09") == "PyTorch on MNIST"
    assert lp.module_title(None, "07") == lp.module_title("Checks.", "07") == "notebook 07"


def test_one_notebook_by_any_usual_name():
    for name in ("05", 5, "nb05", "05_xor", "notebooks/05_xor.ipynb"):
        assert list(course_lib.progress(name).notebooks) == ["05"], name
    nothing = course_lib.progress("42")
    assert not nothing.rows and "no exercises found for notebook '42'" in repr(nothing)


def test_the_shown_table_is_the_same_on_every_machine(tmp_path, monkeypatch):
    """The notebooks' last cell shows it; nbval compares it, so no paths or times may appear."""
    nb05.q1.check(uphill_gd_step)
    first = course_lib.progress("05")
    monkeypatch.setenv("COURSE_LIB_PROGRESS", str(tmp_path / "elsewhere.json"))
    nb05.q1.check(uphill_gd_step)
    second = course_lib.progress("05")
    assert repr(first) == repr(second) and first._repr_html_() == second._repr_html_()
    assert str(tmp_path) not in repr(first) + first._repr_html_()


def test_feedback_is_escaped_in_html():
    lp.record("05", "q1", False, "<script>alert(1)</script> & more")
    html = course_lib.progress("05")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_exercise_made_elsewhere_is_not_recorded(capsys):
    def checker(answer):
        pass

    Exercise("mine", checker, hint="h", solution="s").check(1)
    assert "mine: correct!" in capsys.readouterr().out
    assert not lp.progress_path().exists()


def test_progress_survives_a_kernel_restart():
    """One process checks, a new one (a restarted kernel) sees it."""
    code = textwrap.dedent("""
        from course_lib.exercises import nb01
        nb01.q2.check(22.5)
    """)
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=os.environ.copy())
    later = subprocess.run([sys.executable, "-c", "import course_lib; print(course_lib.progress('01'))"],
                           check=True, capture_output=True, text=True, env=os.environ.copy()).stdout
    assert "1 of 3 passed" in later and "✓ q2 (chain rule)" in later


HAMMER = textwrap.dedent("""
    import sys
    from course_lib import learner_progress as lp
    who, n = sys.argv[1], int(sys.argv[2])
    for i in range(n):
        lp.record("01", f"{who}{i}", i % 2 == 0, f"try {i} of {who}")
        lp.record("99", "shared", False, who)
""")


def test_two_kernels_writing_at_once_both_keep_every_record():
    n = 60
    procs = [subprocess.Popen([sys.executable, "-c", HAMMER, who, str(n)], env=os.environ.copy())
             for who in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    records = saved()
    for who in "ab":
        for i in range(n):
            assert records[f"01/{who}{i}"]["feedback"] == f"try {i} of {who}"
    assert records["99/shared"]["tries"] == 2 * n  # every increment survived: no lost update
    assert not list(lp.progress_path().parent.glob("*.tmp"))
    assert not lp.progress_path().with_name("progress.json.lock").exists()


def test_a_lock_left_by_a_dead_kernel_is_broken(monkeypatch):
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    lock = path.with_name("progress.json.lock")
    lock.write_text("12345\n")
    old = time.time() - lp.STALE - 5
    os.utime(lock, (old, old))
    lp.record("01", "q1", True, "correct")
    assert saved()["01/q1"]["passed"]


def test_a_lock_of_a_process_that_no_longer_runs_is_broken_at_once(monkeypatch):
    import socket

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    path.with_name("progress.json.lock").write_text(f"{dead.pid} {socket.gethostname()}\n")
    monkeypatch.setattr(lp, "LOCK_WAIT", 0.5)
    start = time.monotonic()
    lp.record("01", "q1", True, "correct")
    assert saved()["01/q1"]["passed"] and time.monotonic() - start < 0.5
    # a live holder, or one on another machine, is waited for
    for holder in (f"{os.getppid()} {socket.gethostname()}", "1 elsewhere"):
        path.with_name("progress.json.lock").write_text(holder + "\n")
        with pytest.raises(lp.ProgressError, match="stayed locked"):
            lp.record("01", "q2", True, "correct")
    path.with_name("progress.json.lock").unlink()


# ---- faults: one clear line, never a failed check --------------------------------------------

def test_an_unreadable_file_is_moved_aside_and_a_fresh_one_started(capsys):
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 1, "exercises": {"01/q1": {"pass', encoding="utf-8")
    assert nb01.q2.check(22.5)
    out = capsys.readouterr().out
    assert "q2 (chain rule): correct!" in out
    moved = list(path.parent.glob("progress.json.unreadable-*"))
    assert len(moved) == 1 and moved[0].read_text().startswith('{"format": 1')
    assert f"moved aside to {moved[0]}" in out and len(out.splitlines()) == 2  # one line about it
    assert list(saved()) == ["01/q2"]


@pytest.mark.parametrize("content", [b"\xff\xfe not text", b"[1, 2]", b'{"exercises": {}}',
                                     b"[" * 100_000])
def test_any_unreadable_content_is_moved_aside(capsys, content):
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert "not tried yet" in repr(course_lib.progress("01"))
    assert nb01.q2.check(22.5)
    assert [p.read_bytes() for p in path.parent.glob("progress.json.unreadable-*")] == [content]
    assert list(saved()) == ["01/q2"]


def test_odd_entries_from_a_hand_edit_are_kept():
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 1, "exercises": {"01/q1": "done", "01/q2": {"passed": "yes"}}}')
    assert row(course_lib.progress("01"), "01", "q1").status == "not tried yet"
    lp.record("01", "q3", True, "correct")
    assert saved()["01/q1"] == "done"


def test_a_busy_lock_costs_the_record_not_the_check(monkeypatch, capsys):
    monkeypatch.setattr(lp, "LOCK_WAIT", 0.2)
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    path.with_name("progress.json.lock").write_text("1\n")  # fresh: another kernel is writing
    assert nb01.q2.check(22.5)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q2 (chain rule): correct!"
    assert len(out) == 2 and "progress not saved" in out[1] and "stayed locked" in out[1]


def test_a_folder_that_cannot_be_created(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_LIB_PROGRESS", str(blocker / "sub" / "progress.json"))
    assert nb01.q2.check(22.5)
    assert not nb01.q3.check(1.0)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q2 (chain rule): correct!"
    assert "progress not saved: cannot create" in out[1]
    assert len(out) == 3 and out[2].startswith("q3 (two paths): not yet")  # said once a session
    assert "not tried yet" in repr(course_lib.progress("01"))  # showing still works


@pytest.mark.parametrize("error", [errno.EROFS, errno.EACCES])
def test_a_read_only_folder(monkeypatch, capsys, error):
    real_open = os.open

    def refuse(path, flags, *args):
        if flags & os.O_CREAT:
            raise OSError(error, os.strerror(error), path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(lp.os, "open", refuse)
    assert nb01.q2.check(22.5)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q2 (chain rule): correct!"
    assert len(out) == 2 and f"cannot write in {lp.progress_path().parent} ({os.strerror(error)})" in out[1]


def test_a_full_disk_keeps_the_old_file_whole(monkeypatch, capsys):
    lp.record("01", "q1", True, "correct")
    before = lp.progress_path().read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(lp.os, "fsync", full)
    assert nb01.q2.check(22.5)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q2 (chain rule): correct!"
    assert len(out) == 2 and "progress not saved" in out[1] and os.strerror(errno.ENOSPC) in out[1]
    assert lp.progress_path().read_bytes() == before
    assert not list(lp.progress_path().parent.glob("*.tmp"))


def test_a_file_from_a_newer_version_is_left_alone(capsys):
    path = lp.progress_path()
    path.parent.mkdir(parents=True)
    newer = {"format": lp.FORMAT + 1, "exercises": {"01/q1": {"passed": True}}, "other": [1]}
    path.write_text(json.dumps(newer), encoding="utf-8")
    assert nb01.q2.check(22.5)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "q2 (chain rule): correct!" and "newer course_lib" in out[1]
    assert json.loads(path.read_text()) == newer
    shown = course_lib.progress("01")
    assert row(shown, "01", "q1").status == "passed"  # shown as far as it can be read
    assert any("newer course_lib" in note for note in shown.notes)


def test_records_of_exercises_that_no_longer_exist_are_kept_and_counted(capsys):
    lp.record("05", "q99", True, "correct")
    lp.record("77", "q1", False, "gone")
    assert nb05.q1.check(right_gd_step)
    assert set(saved()) == {"05/q99", "77/q1", "05/q1"}
    one = course_lib.progress("05")
    assert [n for n in one.notes if "no longer exist (05/q99)" in n]
    everything = course_lib.progress()
    assert [n for n in everything.notes if "2 record(s)" in n and "77/q1" in n]
    assert not [r for r in everything.rows if r.exercise == "q99"]


def test_reset_starts_over_and_keeps_a_backup():
    lp.record("01", "q1", True, "correct")
    old = lp.progress_path().read_text()
    shown = course_lib.progress(reset=True)
    backups = list(lp.progress_path().parent.glob("progress.json.backup-*"))
    assert len(backups) == 1 and backups[0].read_text() == old
    assert any(str(backups[0]) in note for note in shown.notes)
    assert row(shown, "01", "q1").status == "not tried yet"
    assert "nothing to reset" in " ".join(course_lib.progress(reset=True).notes)


def test_a_notebook_module_that_appears_later_is_found(tmp_path, monkeypatch):
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "nb01.py").write_text((ROOT / "course_lib/exercises/nb01.py").read_text())
    monkeypatch.setattr(lp, "_exercises_folder", lambda: folder)
    assert list(course_lib.progress().notebooks) == ["01"]
    (folder / "nb07.py").write_text('"""Exercises for notebook 07 · MNIST in NumPy."""\n'
                                    'q2 = Exercise("q2 (later)", c, hint="", solution="")\n'
                                    'q1 = Exercise("q1 (first)", c, hint="", solution="")\n')
    (folder / "nb08.py").write_text("def half_written(:\n")  # being edited: skipped, not a crash
    shown = course_lib.progress()
    assert list(shown.notebooks) == ["01", "07"]
    assert [r.name for r in shown.rows if r.notebook == "07"] == ["q1 (first)", "q2 (later)"]
    assert "07 · MNIST in NumPy: 0 of 2 passed" in repr(shown)


# ---- solutions switched off for a class ----------------------------------------------------

def test_solution_switched_off_by_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LIB_NO_SOLUTIONS", "1")
    nb01.q1.solution()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "no solutions in this class edition" in out and "return" not in out
    nb01.q1.hint()
    assert "Nudge x" in capsys.readouterr().out  # hints stay on
    monkeypatch.setenv("COURSE_LIB_NO_SOLUTIONS", "0")
    nb01.q1.solution()
    assert "def my_fn" in capsys.readouterr().out


def test_solution_switched_off_in_the_class_editions_folder(tmp_path, monkeypatch, capsys):
    from course_lib.exercises import CLASS_MARKER

    monkeypatch.delenv("COURSE_LIB_NO_SOLUTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    nb01.q1.solution()
    assert "def my_fn" in capsys.readouterr().out
    (tmp_path / CLASS_MARKER).write_text("{}")
    nb01.q1.solution()
    assert "no solutions in this class edition" in capsys.readouterr().out
