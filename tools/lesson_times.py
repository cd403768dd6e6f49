"""How long each lesson takes, by the rule in the README ("How long each lesson takes").

    python tools/lesson_times.py                 the numbers and the Time line of every notebook
    python tools/lesson_times.py notebooks/05_xor.ipynb

The rule, so that anyone can recompute it:
- A notebook is cut into sections at its `## ` headings. A section whose heading starts with
  "Exercises" holds the exercises; one starting with "Optional" is skipped; the rest, including
  the summary and "What comes next", is the main path.
- Main path: its prose words / 120 per minute + 1 minute per code cell, as a range of +-15%
  (rounded outwards to 5 minutes). Words are runs of letters and digits in the markdown, with
  LaTeX commands, URLs and Markdown markup left out.
- Exercises: one per `.check(` call. Its code cells (since the previous check) decide its size:
  a `class` to write (03's engine) 45-90 minutes, a function (`def name(`, also when only a
  comment names it) 15-30, anything else (numbers or a short expression) 5-10. The ranges add up.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_MINUTE = 120
MINUTES_PER_CODE_CELL = 1
SPREAD = 0.15
EXERCISE_MINUTES = {"engine": (45, 90), "function": (15, 30), "value": (5, 10)}
TIME_LINE = re.compile(r"^\*\*Time:\*\* main path (\d+)–(\d+) min, exercises (\d+)–(\d+) min", re.M)
NOTE = '(how these are estimated: README, "How long each lesson takes")'


def count_words(markdown: str) -> int:
    text = re.sub(r"https?://\S+|\([^()\s]*\.ipynb[^()\s]*\)", " ", markdown)  # link targets
    text = re.sub(r"\\[A-Za-z]+", " ", text)  # LaTeX commands: \frac, \partial
    return len(re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?", text))


@dataclass
class Lesson:
    name: str
    words: int = 0
    code_cells: int = 0
    exercises: list[str] = field(default_factory=list)  # "engine", "function" or "value", in order

    @property
    def main_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * self.code_cells

    def main_range(self) -> tuple[int, int]:
        low, high = self.main_minutes * (1 - SPREAD), self.main_minutes * (1 + SPREAD)
        return 5 * math.floor(low / 5), 5 * math.ceil(high / 5)

    def exercise_range(self) -> tuple[int, int]:
        return (sum(EXERCISE_MINUTES[e][0] for e in self.exercises),
                sum(EXERCISE_MINUTES[e][1] for e in self.exercises))

    def time_line(self) -> str:
        (a, b), (c, d) = self.main_range(), self.exercise_range()
        return f"**Time:** main path {a}–{b} min, exercises {c}–{d} min {NOTE}."


def measure(path: Path) -> Lesson:
    nb = nbformat.read(path, as_version=4)
    lesson = Lesson(path.stem)
    section = "main"
    pending_code = ""  # the exercise's code cells since the last check
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for part in re.split(r"(?m)^(?=## )", cell.source):
                heading = re.match(r"## +(.*)", part)
                if heading:
                    title = heading[1].strip().lower()
                    section = ("exercises" if title.startswith("exercise")
                               else "optional" if title.startswith("optional") else "main")
                if section == "main":
                    lesson.words += count_words(part)
        elif cell.cell_type == "code" and cell.source.strip():
            if section == "main":
                lesson.code_cells += 1
            elif section == "exercises":
                pending_code += cell.source + "\n"
                if re.search(r"\.q\w+\.check\(", cell.source):
                    kind = ("engine" if re.search(r"\bclass \w+", pending_code)
                            else "function" if re.search(r"\bdef \w+\(", pending_code) else "value")
                    lesson.exercises.append(kind)
                    pending_code = ""
    return lesson


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def main(args: list[str]) -> None:
    for path in [Path(a) for a in args] or notebooks():
        lesson = measure(path)
        print(f"{lesson.name}: {lesson.words} words, {lesson.code_cells} code cells, "
              f"exercises {lesson.exercises}\n  {lesson.time_line()}")


if __name__ == "__main__":
    main(sys.argv[1:])
