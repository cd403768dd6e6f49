"""Write the instructor's guide, a page of the course website, from the exercises themselves.

    python tools/instructor_guide.py build/guide.md   # tools/build_site.py does this at every build

One source of truth: nothing here is written by hand. Per notebook, the learning goals (the
"What you will learn" list of its first Markdown cell) and its time (the `**Time:**` line there,
"not stated" where a notebook has none yet). Per exercise of `course_lib/exercises/nbNN.py`: its
goal (the module docstring's line for it), the hint, every typical mistake the checker
recognises with the feedback a learner gets, and the solution, folded away.

How the mistakes are found (design note). The checkers keep their knowledge in tables of
(wrong answer, message) pairs and in `raise NotYet("...")` lines, in several shapes that other
people keep extending. Rather than force one shape on them, this reads each checker's source
with `ast`, following the module's own helpers and tables it uses (and the shared engine
checker of notebook 03): a table row shows the wrong answer it matches (as code) with its
message; a `raise NotYet` shows the condition it sits under. Parts of a message filled in at
check time are shown as ‹name›. So a mistake added to any checker appears here with no extra
step, and `tests/test_instructor_guide.py` fails if an exercise is missing.
"""

from __future__ import annotations

import ast
import html
import importlib
import inspect
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
MIN_MESSAGE = 25  # shorter strings in a table are labels ("a factor of 2"), not feedback
MAX_WHEN = 160  # characters of checker code shown for one mistake
WRAP = "white-space: pre-wrap; overflow-wrap: anywhere"  # long checker code wraps inside its cell


@dataclass
class Mistake:
    when: str  # checker code: the wrong answer it matches, or the condition of the raise
    says: str  # what the learner is told (‹…› where it is filled in at check time)


@dataclass
class ExerciseInfo:
    notebook: str
    q: str
    name: str
    goal: str
    hint: str
    solution: str
    mistakes: list[Mistake] = field(default_factory=list)


@dataclass
class NotebookInfo:
    number: str
    title: str
    file: str | None = None
    goals: list[str] = field(default_factory=list)
    time: str = "not stated"
    exercises: list[ExerciseInfo] = field(default_factory=list)


# ---- notebooks: goals and time --------------------------------------------------------------

def read_notebook(path: Path) -> tuple[str, list[str], str]:
    """(title, learning goals, time) from a notebook's first Markdown cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next((c for c in cells if c["cell_type"] == "markdown"), None)
    text = "".join(first["source"]) if first else ""
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
    goals: list[str] = []
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.search(r"what you will learn", line, re.I)), None)
    if start is not None:
        for line in lines[start + 1:]:
            if re.match(r"\s*[-*] ", line):
                goals.append(re.sub(r"^\s*[-*] ", "", line).strip())
            elif goals and line.startswith((" ", "\t")) and line.strip():
                goals[-1] += " " + line.strip()  # a goal continued on the next line
            elif goals and not line.strip():
                break
            elif line.strip() and not goals:
                continue
            elif goals:
                break
    time = next((line.strip() for line in lines if line.strip().startswith("**Time:**")), None)
    time = time[len("**Time:**"):].strip() if time else "not stated"
    return title, [g.rstrip(";").rstrip(".") for g in goals], time


# ---- exercises: goals, hints, mistakes, solutions ----------------------------------------------

def _goals_from_docstring(module: ModuleType) -> dict[str, str]:
    """The module docstring's "- `q1`: what to do" lines, continuation lines joined."""
    goals: dict[str, str] = {}
    current = None
    for line in (module.__doc__ or "").splitlines():
        usage = re.match(r"\s*nb\d\d\.(q\d+)\.check\(.*\)\s+#\s*(.+)", line)  # nb08.q1.check(x)  # what
        if usage:
            goals.setdefault(usage.group(1), usage.group(2).strip())
            continue
        match = re.match(r"\s*[-*]\s+`(q\d+)`\s*:?\s*(.*)", line)
        if match:
            current = match.group(1)
            goals[current] = match.group(2).strip()
        elif current and line.startswith("  ") and line.strip():
            goals[current] += " " + line.strip()
        else:
            current = None
    return goals


def _stringy(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _stringy(node.left) or _stringy(node.right)
    return False


def render(node: ast.AST) -> str:
    """A message as the learner reads it; parts computed at check time become ‹expression›."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(render(part) for part in node.values)
    if isinstance(node, ast.FormattedValue):
        return f"‹{ast.unparse(node.value)}›"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return render(node.left) + render(node.right)
    return f"‹{ast.unparse(node)}›"


def _literal_text(message: str) -> int:
    return len(re.sub(r"‹[^›]*›", "", message).strip())


def _when(node: ast.AST) -> str:
    code = ast.unparse(node)
    code = re.sub(r"^lambda [^:]*: ", "", code)
    return code if len(code) <= MAX_WHEN else code[: MAX_WHEN - 1] + "…"


class _Source:
    """The parsed source of the exercise modules, and where each module-level name is defined."""

    def __init__(self) -> None:
        self.trees: dict[str, ast.Module] = {}

    def tree(self, module_name: str) -> ast.Module | None:
        if module_name not in self.trees:
            try:
                module = importlib.import_module(module_name)
                self.trees[module_name] = ast.parse(inspect.getsource(module))
            except (ImportError, OSError, TypeError, SyntaxError):
                self.trees[module_name] = None
        return self.trees[module_name]

    def definition(self, module_name: str, name: str) -> tuple[str, ast.AST] | None:
        """Where `name` (used in `module_name`) is defined: in the module, or in an exercise
        module it imports from. The package's own helpers (`number`, `expect_close`) are left out:
        their messages are about the form of an answer, the same for every exercise."""
        tree = self.tree(module_name)
        if tree is None:
            return None
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                return module_name, node
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
                    return module_name, node.value
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_lib.exercises."):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return self.definition(node.module, alias.name)
        return None


def mistakes_of(checker, source: _Source | None = None) -> list[Mistake]:
    """Every typical mistake `checker` recognises, with its message, read from the source."""
    source = source or _Source()
    checker = inspect.unwrap(checker)
    start = source.definition(checker.__module__, checker.__name__)
    if start is None:
        return []
    found: list[Mistake] = []
    seen_messages: set[str] = set()
    todo, visited = [start], set()

    def add(when: str, node: ast.AST) -> None:
        says = render(node)
        if _literal_text(says) >= MIN_MESSAGE and says not in seen_messages:
            seen_messages.add(says)
            found.append(Mistake(when, says))

    while todo:
        module_name, root = todo.pop(0)
        if id(root) in visited:
            continue
        visited.add(id(root))
        parents = {child: parent for parent in ast.walk(root) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id != checker.__name__:
                target = source.definition(module_name, node.id)
                if target is not None:
                    todo.append(target)
            if isinstance(node, (ast.Tuple, ast.List)) and node.elts and all(
                    isinstance(e, ast.Tuple) and len(e.elts) >= 2 and _stringy(e.elts[-1])
                    for e in node.elts):
                for entry in node.elts:  # a table: (wrong answer, ..., message)
                    key = entry.elts[0] if len(entry.elts) == 2 else ast.Tuple(entry.elts[:-1], ast.Load())
                    add(_when(key), entry.elts[-1])
            elif isinstance(node, ast.Dict) and node.values and all(_stringy(v) for v in node.values):
                for key, value in zip(node.keys, node.values):
                    if key is not None:
                        add(_when(key), value)
            elif (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                  and getattr(node.exc.func, "id", "") == "NotYet" and node.exc.args
                  and _stringy(node.exc.args[0])):
                parent = parents.get(node)
                while parent is not None and not isinstance(parent, (ast.If, ast.For, ast.FunctionDef)):
                    parent = parents.get(parent)
                if isinstance(parent, ast.If):
                    when = _when(parent.test)
                else:
                    when = "otherwise"
                add(when, node.exc.args[0])
    return sorted(found, key=lambda m: m.when == "otherwise")  # the fall-through messages last


def exercise_modules() -> list[str]:
    folder = ROOT / "course_lib" / "exercises"
    return sorted(path.stem for path in folder.glob("nb[0-9][0-9].py"))


def collect(root: Path = ROOT) -> tuple[list[NotebookInfo], list[str]]:
    """Every notebook and exercise module; also the problems met (a module that fails to import)."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from course_lib import learner_progress  # noqa: PLC0415 - after sys.path is set
    from course_lib.exercises import Exercise  # noqa: PLC0415

    notebooks: dict[str, NotebookInfo] = {}
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        title, goals, time = read_notebook(path)
        notebooks[path.name[:2]] = NotebookInfo(path.name[:2], title, path.name, goals, time)
    problems = []
    source = _Source()
    for stem in exercise_modules():
        number = stem[2:]
        try:
            module = importlib.import_module(f"course_lib.exercises.{stem}")
        except Exception as err:  # noqa: BLE001 - one broken module must not hide the others
            problems.append(f"course_lib.exercises.{stem} could not be imported: {type(err).__name__}: {err}")
            continue
        title = learner_progress.module_title(module.__doc__, number)
        info = notebooks.setdefault(number, NotebookInfo(number, f"{number} · {title}"))
        goals = _goals_from_docstring(module)
        names = sorted((n for n, v in vars(module).items()
                        if re.fullmatch(r"q\d+", n) and isinstance(v, Exercise)), key=lambda n: int(n[1:]))
        for q in names:
            ex = getattr(module, q)
            checker = ex._checker
            goal = goals.get(q) or (inspect.getdoc(checker) or "").split("\n\n")[0] or ex.name
            info.exercises.append(ExerciseInfo(number, q, ex.name, goal, ex._hint, ex._solution,
                                               mistakes_of(checker, source)))
    return [notebooks[k] for k in sorted(notebooks)], problems


# ---- the page -------------------------------------------------------------------------------

def _inline(text: str) -> str:
    """HTML for a line of prose: escaped, with `code` spans kept as code."""
    parts = re.split(r"(`[^`]+`)", text)
    return "".join(f"<code>{html.escape(p[1:-1])}</code>" if len(p) > 1 and p[0] == p[-1] == "`"
                   else html.escape(p) for p in parts)


def _raw(block: str) -> str:
    fence = "`" * max(4, 1 + max((len(m) for m in re.findall(r"`+", block)), default=0))
    return f"{fence}{{raw}} html\n{block}\n{fence}\n"


def exercise_html(ex: ExerciseInfo, solutions: bool = True) -> str:
    anchor = f"guide-{ex.notebook}-{ex.q}"
    rows = "\n".join(f'<tr><td><code style="{WRAP}">{html.escape(m.when)}</code></td>'
                     f"<td>{_inline(m.says)}</td></tr>"
                     for m in ex.mistakes)
    mistakes = "<p>(no specific mistakes: a generic message)</p>"
    if ex.mistakes:
        mistakes = ('<div class="guide-table" style="overflow-x: auto"><table class="guide-mistakes">\n'
                    "<thead><tr><th>Recognised by (checker code)</th><th>What the learner is told</th></tr>"
                    f"</thead>\n<tbody>\n{rows}\n</tbody></table></div>")
    return (f'<div class="guide-exercise" id="{anchor}" data-exercise="{ex.notebook}.{ex.q}">\n'
            f"<p><strong>Call:</strong> <code>nb{ex.notebook}.{ex.q}.check(...)</code></p>\n"
            f"<p><strong>Goal:</strong> {_inline(ex.goal)}</p>\n"
            f"<p><strong>Hint the learner gets:</strong> {_inline(' '.join(ex.hint.split()))}</p>\n"
            f"<p><strong>Typical mistakes the checker recognises ({len(ex.mistakes)}):</strong></p>\n"
            f"{mistakes}\n"
            + (f"<details><summary>Solution (folded away)</summary>\n"
               f'<pre class="guide-solution"><code>{html.escape(ex.solution)}</code></pre>\n</details>\n'
               if solutions else "<p>(solution left out of this copy of the guide)</p>\n")
            + "</div>")


INTRO = """\
# Instructor's guide

This page is generated from the course itself every time the website is built: the learning
goals and times come from the first cell of each notebook, and everything about an exercise
(its goal, the hint, each typical mistake the checker recognises with the exact feedback, and
the solution) comes from the checker modules in `course_lib/exercises/`. When a checker learns a
new mistake, it appears here at the next build.

In each table, the left column is the checker's own code: the wrong answer it matches, or the
condition under which the message is given; ‹…› in a message is filled in at check time (the
learner's number, the input that failed). Every check also says what to give when an answer has
the wrong form (text for a number, an array of the wrong shape); those messages are left out.

Running the course for a class (JupyterHub, Binder, the class edition without solutions, and how
learners see their progress) is described in the README's section *Teaching with this course*.
"""


def guide_markdown(root: Path = ROOT, solutions: bool = True) -> str:
    notebooks, problems = collect(root)
    out = [INTRO]
    if problems:
        out.append("**Not included (fix and rebuild):** " + "; ".join(problems) + "\n")
    total = sum(len(nb.exercises) for nb in notebooks)
    mistakes = sum(len(ex.mistakes) for nb in notebooks for ex in nb.exercises)
    out.append(f"{len(notebooks)} notebooks, {total} checked exercises, "
               f"{mistakes} messages for specific mistakes.\n")
    for nb in notebooks:
        out.append(f"## {nb.title}\n")
        out.append(f"**Time:** {nb.time}\n")
        if nb.goals:
            out.append("**Learning goals**\n\n" + "\n".join(f"- {g}" for g in nb.goals) + "\n")
        else:
            out.append("**Learning goals:** not stated in the notebook's first cell.\n")
        if not nb.exercises:
            out.append("No checked exercises.\n")
        for ex in nb.exercises:
            label = ex.name if ex.name.startswith(ex.q) else f"{ex.q}: {ex.name}"
            out.append(f"### {nb.number} · {label}\n")
            out.append(_raw(exercise_html(ex, solutions)))
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/instructor_guide.py OUTPUT.md", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(guide_markdown(), encoding="utf-8")
    print(f"instructor's guide written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
