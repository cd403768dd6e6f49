"""Shared test set-up for the unit tests."""

import pytest

import course_lib.exercises as exercises


@pytest.fixture(autouse=True)
def unwrapped_exercise_messages(monkeypatch):
    """Exercise messages wrap at 100 characters for learners; tests compare their words, so they
    see them on one line. The wrapping itself is tested in test_exercise_base.py."""
    monkeypatch.setattr(exercises, "WIDTH", 100_000)


@pytest.fixture(autouse=True)
def private_progress_file(tmp_path, monkeypatch):
    """Each test's checks record into a progress file of its own (the root conftest.py already keeps
    them away from the user's data folder); messages said once per session are said again."""
    from course_lib import learner_progress

    monkeypatch.setenv("COURSE_LIB_PROGRESS", str(tmp_path / "progress" / "progress.json"))
    monkeypatch.setattr(learner_progress, "_said", set())
