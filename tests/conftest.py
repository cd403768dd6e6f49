"""Shared test set-up for the unit tests."""

import pytest

import course_lib.exercises as exercises


@pytest.fixture(autouse=True)
def unwrapped_exercise_messages(monkeypatch):
    """Exercise messages wrap at 100 characters for learners; tests compare their words, so they
    see them on one line. The wrapping itself is tested in test_exercise_base.py."""
    monkeypatch.setattr(exercises, "WIDTH", 100_000)
