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

Pictures for every reader (the "figures" section below): every matplotlib figure needs its cell's
`figure_alt` metadata (one description per image/png output, in order; the build stops and
lists every figure without one), which becomes the picture's alt text; each graph's alt text is
written from its SVG (`course_lib.viz.describe_svg`: what it computes, the output's value and
gradient), and its SVG becomes a file of its own. On the pages, every figure and graph links to
its full-size picture (a phone shrinks it to the screen), and two theme controls get names
screen readers can use (the search buttons, the sidebar's expand buttons).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
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
        nb = nbformat.read(path, as_version=4)
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


# ---- figures: alt texts, graphs as files, links to the full-size picture (issue 18) -----------
GRAPH_IMG = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"([^>]*)>')
SCROLL_BOX = '<div style="overflow-x: auto">'
FIGURE_ALT_HELP = ('give the cell "figure_alt" metadata: a list with one description per picture, in '
                   'order, saying what it shows (axes, what rises or falls, the point of it), e.g. in '
                   'JupyterLab: the cell\'s property inspector (gear icon) > Cell Metadata')


def figure_alts(nb: nbformat.NotebookNode, name: str) -> tuple[dict[str, str], list[str]]:
    """{picture file name myst-nb will give it: alt text} for every image/png output of `nb`,
    and a line for each cell whose `figure_alt` metadata is missing or does not match."""
    alts, problems = {}, []
    for number, cell in enumerate(nb.cells):
        pngs = [out.data["image/png"] for out in cell.get("outputs", [])
                if "image/png" in out.get("data", {})]
        if not pngs:
            continue
        given = cell.metadata.get("figure_alt")
        where = f"{name}, cell {number} (id {cell.get('id', '?')})"
        if not isinstance(given, list) or len(given) != len(pngs) or not all(
                isinstance(text, str) and text.strip() for text in given):
            have = "none" if given is None else f"{given!r:.60}"
            problems.append(f"{where}: {len(pngs)} figure(s), figure_alt is {have}")
            continue
        for png, text in zip(pngs, given):
            # myst-nb names a picture file after the SHA-256 of its bytes (myst_nb.core.render)
            digest = hashlib.sha256(base64.b64decode("".join(png))).hexdigest()
            alts[f"{digest}.png"] = text.strip()
    return alts, problems


def graph_files(nb: nbformat.NotebookNode, static: Path) -> int:
    """Turn every graph (an <img> of an SVG data URI in an HTML output) into a file in `static`
    (`_static/graphs/`), described by its alt text, no minimum width, linked to its full size.

    The stored alt text may predate `describe_svg`; the SVG says all it needs. Returns how many."""
    from course_lib.viz import describe_svg

    count = 0

    def as_file(match: re.Match) -> str:
        nonlocal count
        svg = base64.b64decode(match.group(1))
        file = f"{hashlib.sha256(svg).hexdigest()[:20]}.svg"
        static.mkdir(parents=True, exist_ok=True)
        (static / file).write_bytes(svg)
        width = re.search(r'width="(\d+)"', match.group(2))
        alt = html.escape(describe_svg(svg.decode("utf-8")), quote=True)
        src = f"../_static/graphs/{file}"
        count += 1
        return (f'<a class="nnfs-full-size" href="{src}" title="open the full-size picture">'
                f'<img class="nnfs-graph" src="{src}" alt="{alt}"'
                f'{f" width={width.group(1)!r}" if width else ""}></a>')

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                text = "".join(data["text/html"])
                if GRAPH_IMG.search(text):
                    data["text/html"] = GRAPH_IMG.sub(as_file, text).replace(SCROLL_BOX, "<div>")
    return count


def prepare_figures(stage_dir: Path, allow_missing_alt: bool = False) -> dict[str, str]:
    """Graphs to files and alt texts for the staged notebooks; {png file name: alt text}.
    Raises SiteError listing every figure without a description (unless allow_missing_alt)."""
    alts, problems = {}, []
    for path in sorted((stage_dir / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found, missing = figure_alts(nb, path.name)
        alts.update(found)
        problems += missing
        if graph_files(nb, stage_dir / "_static" / "graphs"):
            nbformat.write(nb, path)
    if problems and not allow_missing_alt:
        raise SiteError("figures without a description for screen readers; " + FIGURE_ALT_HELP
                        + ":\n  " + "\n  ".join(problems))
    for line in problems:
        print(f"build_site: no figure_alt (allowed by --allow-missing-alt): {line}", file=sys.stderr)
    return alts


PNG_IMG = re.compile(r'<img alt="[^"]*" src="(\.\./_images/([0-9a-f]{64}\.png))"\s*/?>')
SEARCH_FIELD = re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"')
TOGGLER = re.compile(r'(<img src="_static/minus.png" class="toggler"[^>]*?) alt="-"')
SUMMARY = re.compile(r'(<a class="[^"]*" href="[^"]*">(.*?)</a><details[^>]*>)<summary>')


def finish_pages(site: Path, alts: dict[str, str]) -> None:
    """The last touches on every page: figures get their alt text and a link to their full-size
    picture; the search buttons, whose visible text is "Search Ctrl+K", are named by it (axe:
    label-content-name-mismatch); the sidebar's expand buttons get a name (axe: summary-name), and
    the module index's expand button says what it does (its alt text was "-")."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")

        def figure(match: re.Match) -> str:
            src, file = match.group(1), match.group(2)
            alt = html.escape(alts.get(file, f"figure {file}"), quote=True)
            return (f'<a class="nnfs-full-size" href="{src}" title="open the full-size picture">'
                    f'<img alt="{alt}" src="{src}" /></a>')

        def summary(match: re.Match) -> str:
            name = html.escape(re.sub(r"<[^>]+>", "", match.group(2)), quote=True)
            return f'{match.group(1)}<summary aria-label="show or hide the pages under {name}">'

        new = SUMMARY.sub(summary, SEARCH_FIELD.sub(r"\1", PNG_IMG.sub(figure, text)))
        new = TOGGLER.sub(r'\1 alt="show or hide the modules of this package"', new)  # py-modindex
        if new != text:
            page.write_text(new, encoding="utf-8")


def build(out: Path = OUT, stage_dir: Path = STAGE, allow_missing_alt: bool = False) -> float:
    """Build the site into `out`; returns the seconds it took. Raises SiteError on failure."""
    if importlib.util.find_spec("sphinx") is None:
        raise SiteError('Sphinx is not installed. Install the site extra: pip install -e ".[site]"')
    start = time.perf_counter()
    source = stage(ROOT, stage_dir)
    alts = prepare_figures(source, allow_missing_alt)
    shutil.rmtree(out, ignore_errors=True)
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
    finish_pages(out, alts)
    leaks = outside_requests(out)
    if leaks:
        raise SiteError("these pages would load something from another host, which fails "
                        "offline:\n  " + "\n  ".join(leaks))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT})")
    parser.add_argument("--allow-missing-alt", action="store_true",
                        help="build even when figures have no figure_alt metadata (a draft: each is listed)")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out.resolve(), allow_missing_alt=args.allow_missing_alt)
    except SiteError as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    print(f"Site built in {seconds:.1f} s: {args.out.resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
