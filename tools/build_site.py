"""Build the course website into build/site/ from the committed notebooks and the README.

    python tools/build_site.py      # or: make site
    python tools/build_site.py --out /some/folder

Nothing is executed: the pages show the outputs stored in the notebooks (the ones nbval
checks), so the build needs no kernel, no PyTorch and no data sets, and takes seconds.
The result is one folder of static files that works offline: open index.html, copy the folder
to a USB stick, or publish it on any static web host.

Steps:
1. stage one Sphinx source tree in build/site-src: docs/ (conf.py, the home and API pages),
   README.md (the home page includes its overview, lessons and set-up between two markers) and
   notebooks/NN_*.ipynb, so the README's `notebooks/NN_x.ipynb` links and the notebooks' own
   `NN_x.ipynb` links point at lesson pages; other files the README links become downloads.
   Stored outputs of `.solution()` calls are dropped from the staged copies (the site must not
   give away the exercises), and a cell's printed text, stored in pieces, is joined into one.
2. run Sphinx with warnings as errors: a broken link or a missing image fails the build.
3. delete the MathJax bundles no page loads (15 of the site's 37 MB).
4. check that no page loads anything from another host (scripts, styles, fonts, images).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
STAGE = ROOT / "build" / "site-src"
OUT = ROOT / "build" / "site"
# Written into every folder the site is built into: only a folder holding it is ever emptied.
MARKER = ".nnfs-course-site"

SOLUTION_CALL = re.compile(r"\.solution\(")
MARKDOWN_LINK = re.compile(r"\]\(<?([^)\s>]+)>?\)")
# Tag/attribute pairs that make a browser fetch something while showing a page.
FETCHING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
            ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])(https?:)?//""")


class SiteError(Exception):
    """The site could not be built; the message says what to fix."""


def lesson_notebooks(root: Path = ROOT) -> list[Path]:
    """The course's notebooks in course order (their names start with the lesson number)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def hide_solutions(nb: nbformat.NotebookNode) -> int:
    """Drop the stored outputs of cells that call `.solution()`; returns how many cells."""
    hidden = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("outputs") and SOLUTION_CALL.search(cell.source):
            cell.outputs = []
            cell.execution_count = None
            hidden += 1
    return hidden


def merge_streams(nb: nbformat.NotebookNode) -> None:
    """Join back-to-back stdout (or stderr) outputs of a cell into one, as Jupyter shows them.

    A cell's prints may be stored in several pieces (they arrive at different times); shown one
    box each, a table would be cut in two. myst-nb's own merging adds line breaks of its own."""
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def files_the_readme_links(root: Path) -> list[Path]:
    """Files of the repository the README links to that are not lessons or pages (course.py,
    environment.yml, ...): the site offers them as downloads, so the links keep working."""
    found = []
    for target in MARKDOWN_LINK.findall((root / "README.md").read_text(encoding="utf-8")):
        target = target.split("#")[0]
        if not target or ":" in target or target.startswith("notebooks/"):
            continue  # a web address, an anchor, or a lesson (staged as a page)
        path = (root / target).resolve()
        if path.is_file() and path.is_relative_to(root.resolve()) and path.suffix not in {".md", ".ipynb"}:
            found.append(path.relative_to(root.resolve()))
    return found


def stage(root: Path = ROOT, stage_dir: Path = STAGE) -> Path:
    """Copy docs/, README.md and the lesson notebooks into one fresh Sphinx source tree."""
    notebooks = lesson_notebooks(root)
    if not notebooks:
        raise SiteError(f"no notebooks named NN_topic.ipynb in {root / 'notebooks'}")
    shutil.rmtree(stage_dir, ignore_errors=True)
    shutil.copytree(root / "docs", stage_dir, ignore=shutil.ignore_patterns("images"))
    shutil.copy2(root / "README.md", stage_dir / "README.md")
    for relative in files_the_readme_links(root):
        (stage_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, stage_dir / relative)
    (stage_dir / "notebooks").mkdir()
    for path in notebooks:
        try:
            nb = nbformat.read(path, as_version=4)
        except (ValueError, TypeError, KeyError, AttributeError) as err:  # NotJSONError is a ValueError
            reason = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
            raise SiteError(f"{path.name} is not a valid notebook ({reason}): resolve the merge "
                            "conflict in it, or restore it with `git checkout -- notebooks/"
                            f"{path.name}`") from None
        if hide_solutions(nb):
            print(f"{path.name}: outputs of .solution() calls left out of the site")
        merge_streams(nb)
        nbformat.write(nb, stage_dir / "notebooks" / path.name)
    return stage_dir


class _FetchFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in FETCHING and value and re.match(r"(https?:)?//", value):
                self.urls.append(f"<{tag} {name}={value}>")
            if name == "style" and value and CSS_URL.search(value):
                self.urls.append(f"<{tag} style={value}>")


def outside_requests(site: Path) -> list[str]:
    """Everything a page of `site` would load from another host ("page: what")."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            finder = _FetchFinder()
            finder.feed(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(site)}: {url}" for url in finder.urls]
        elif path.suffix == ".css" and CSS_URL.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{path.relative_to(site)}: a url(...) or @import to another host")
    return found


def prune_mathjax(site: Path) -> int:
    """Delete the MathJax bundles no page loads; returns the bytes saved.

    sphinx-mathjax-offline copies all of MathJax (24 MB), including a dozen alternative
    single-file bundles. Pages load one; the files it loads on demand (TeX extensions, the menu,
    speech) are in subfolders and stay. This keeps the folder small enough to pass around."""
    mathjax = site / "_static" / "mathjax"
    pages = "".join(page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
    saved = 0
    for bundle in mathjax.glob("*.js"):
        if f"_static/mathjax/{bundle.name}" not in pages:
            saved += bundle.stat().st_size
            bundle.unlink()
    return saved


def prepare_out(out: Path, root: Path | None = None, default: Path | None = None) -> None:
    """Make `out` an empty folder holding only MARKER, or refuse with a SiteError.

    Only a previous build of the site is replaced: a folder with our MARKER file, or the
    course's own build/site. Anything else (docs/, the course folder, a folder of the learner's
    files) is never emptied: the builder would otherwise delete what is in it."""
    root = (ROOT if root is None else root).resolve()
    default = OUT if default is None else default
    out = out.resolve()
    if root.is_relative_to(out) or any(out.is_relative_to(root / part) for part in ("docs", "notebooks")):
        raise SiteError(f"--out {out} would put the site over the course's own files: choose a new "
                        f"folder, for example {default}")
    if out.exists() and not out.is_dir():
        raise SiteError(f"--out {out} is a file, not a folder: choose a new folder for the site")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file() and out != default.resolve():
            raise SiteError(f"--out {out} already holds files that are not a build of this site "
                            f"(no {MARKER} file in it), and building would delete them: choose "
                            "an empty or new folder, or delete that one yourself")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("A build of the course website (tools/build_site.py). The next build "
                              "into this folder deletes everything in it.\n", encoding="utf-8")


def build(out: Path = OUT, stage_dir: Path = STAGE) -> float:
    """Build the site into `out`; returns the seconds it took. Raises SiteError on failure."""
    if importlib.util.find_spec("sphinx") is None:
        raise SiteError('Sphinx is not installed. Install the site extra: pip install -e ".[site]"')
    start = time.perf_counter()
    prepare_out(out)  # first: a refused --out costs nothing
    source = stage(ROOT, stage_dir)
    doctrees = stage_dir.parent / f"{stage_dir.name}-doctrees"
    # -W: warnings are errors; --keep-going: report them all, not just the first; -q: only those.
    # A process of its own, so a caller (the browser test) gets no Sphinx state or warnings.
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E",
               "-d", str(doctrees), str(source), str(out)]
    if subprocess.run(command).returncode != 0:
        raise SiteError(f"Sphinx reported the problems above (warnings count as errors). Files under "
                        f"{stage_dir} are copies: fix the notebook, README.md or docs/ file, then "
                        "build again.")
    prune_mathjax(out)
    leaks = outside_requests(out)
    if leaks:
        raise SiteError("these pages would load something from another host, which fails "
                        "offline:\n  " + "\n  ".join(leaks))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT})")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out.resolve())
    except SiteError as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    print(f"Site built in {seconds:.1f} s: {args.out.resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
