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
   The whole course (notebooks, course_lib, course.py, ...) is zipped into the source tree as
   one download, linked from the home page and from every lesson. Where pyproject.toml's
   [project.urls] names the course's GitHub repository, each lesson also links to Colab and
   Binder; with no address there, no such links (none is made up).
   The instructor's guide page (instructor_guide.md) is generated here from the exercise
   modules and the notebooks (tools/instructor_guide.py); it is never committed.
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
import stat
import subprocess
import sys
import time
import tomllib
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import instructor_guide  # noqa: E402 - tools/ is not a package

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

# What the course download holds: what a learner needs for every README command (the lessons,
# course_lib, the set-up script and files, the tests, the site and benchmark tools), and none
# of what running it leaves behind (.venv, data, build/, caches, the learner's my_value.py).
COURSE_FILES = ("README.md", "LICENSE", "course.py", "pyproject.toml", "environment.yml", "Makefile",
                "conftest.py", ".gitignore", "notebooks", "course_lib", "tests", "tools", "docs",
                "benchmarks")
NOT_IN_DOWNLOAD = re.compile(r"(^|/)(__pycache__|\.ipynb_checkpoints|\.pytest_cache|\.ruff_cache|"
                             r"\.hypothesis|[^/]*\.egg-info|\.DS_Store)(/|$)|\.pyc$|\.log$|"
                             r"^notebooks/my_value\.py$|^tests/browser/screenshots/")
# In README.md, where the home page offers the course download (on GitHub the comment shows nothing).
DOWNLOAD_MARK = "<!-- site: course download -->"
# The home page from a staged lesson (the sections named after README's headings).
HOME = "../index.md"
# A course repository address in [project.urls] that Colab and Binder can open.
GITHUB_REPO = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")


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


def project_table(root: Path) -> dict:
    """pyproject.toml's [project] table ({} without the file)."""
    path = root / "pyproject.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")).get("project", {}) if path.is_file() else {}


def download_name(root: Path) -> str:
    """The course download's folder name: the project's name (the folder's own name without one)."""
    return project_table(root).get("name") or root.resolve().name


def course_files(root: Path) -> list[Path]:
    """The files of the course download, relative to root, sorted."""
    found = []
    for entry in COURSE_FILES:
        path = root / entry
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in candidates:
            relative = file.relative_to(root)
            if not NOT_IN_DOWNLOAD.search(relative.as_posix()):
                found.append(relative)
    return sorted(found)


def course_zip(root: Path, dest: Path) -> Path:
    """Zip the course into dest/NAME.zip, every file under one folder NAME/ (so it unpacks into a
    folder, and `pip install NAME.zip` installs course_lib from it). Same files, same zip: the
    dates are fixed; the permission bits are kept (course.py stays executable)."""
    name = download_name(root)
    target = dest / f"{name}.zip"
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in course_files(root):
            info = zipfile.ZipInfo(f"{name}/{relative.as_posix()}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | ((root / relative).stat().st_mode & 0o777)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / relative).read_bytes())
    return target


def repository_url(root: Path) -> str | None:
    """The course's GitHub repository from [project.urls] (Repository, Source, then any), or None."""
    urls = project_table(root).get("urls", {})
    preferred = sorted(urls, key=lambda key: key.lower() not in {"repository", "source", "source code"})
    for key in preferred:
        if GITHUB_REPO.match(urls[key].strip()):
            return urls[key].strip().removesuffix("/").removesuffix(".git")
    return None


def launch_links(repository: str | None, notebook: str) -> list[tuple[str, str]]:
    """(label, address) of the places that run `notebook` (e.g. "notebooks/03_x.ipynb") from the
    repository's default branch (HEAD): Colab and Binder. None without a repository."""
    match = repository and GITHUB_REPO.match(repository)
    if not match:
        return []
    org, repo = match[1], match[2]
    return [
        ("Open in Colab", f"https://colab.research.google.com/github/{org}/{repo}/blob/HEAD/{notebook}"),
        ("Launch on Binder", f"https://mybinder.org/v2/gh/{org}/{repo}/HEAD?urlpath=lab/tree/{notebook}"),
    ]


def get_the_course(archive: Path, repository: str | None) -> str:
    """What the home page says in place of README's DOWNLOAD_MARK: the course as one zip."""
    megabytes = archive.stat().st_size / 1e6
    text = (f"**Get the course:** [download it as one zip]({archive.name}) ({megabytes:.1f} MB: the "
            "notebooks, `course_lib`, the set-up script `course.py` and the tests) and unzip it")
    if repository:
        text += f", or clone [its repository]({repository})"
    return text + "."


def run_it_yourself(zip_name: str, repository: str | None, notebook: str) -> str:
    """The Markdown a lesson page shows under its introduction: where to run the lesson."""
    lines = [f"**Run this lesson yourself:** [download the whole course]({zip_name}) and follow "
             f"[the set-up]({HOME}#set-up-two-commands), or [run this notebook on its own]"
             f"({HOME}#run-one-notebook-elsewhere-colab-your-own-jupyter) in a Jupyter you have."]
    links = launch_links(repository, notebook)
    if links:
        lines[0] += " Or in the cloud: " + " · ".join(f"[{label}]({url})" for label, url in links) + "."
        lines.append(f'In Colab, first run `%pip install "git+{repository}"` in a cell, then '
                     "Runtime ▸ Restart session.")
    return "\n\n".join(lines)


def stage(root: Path = ROOT, stage_dir: Path = STAGE, guide_solutions: bool = True) -> Path:
    """Copy docs/, README.md and the lesson notebooks into one fresh Sphinx source tree, with the
    course download beside them."""
    notebooks = lesson_notebooks(root)
    if not notebooks:
        raise SiteError(f"no notebooks named NN_topic.ipynb in {root / 'notebooks'}")
    shutil.rmtree(stage_dir, ignore_errors=True)
    shutil.copytree(root / "docs", stage_dir, ignore=shutil.ignore_patterns("images"))
    archive = course_zip(root, stage_dir)
    repository = repository_url(root)
    readme = (root / "README.md").read_text(encoding="utf-8")
    (stage_dir / "README.md").write_text(readme.replace(DOWNLOAD_MARK, get_the_course(archive, repository)),
                                         encoding="utf-8")
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
        where = run_it_yourself(f"../{archive.name}", repository, f"notebooks/{path.name}")
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(where))
        nbformat.write(nb, stage_dir / "notebooks" / path.name)
    guide = instructor_guide.guide_markdown(root, solutions=guide_solutions)
    (stage_dir / "instructor_guide.md").write_text(guide, encoding="utf-8")
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


def build(out: Path = OUT, stage_dir: Path = STAGE, guide_solutions: bool = True,
          allow_missing_alt: bool = False) -> float:
    """Build the site into `out`; returns the seconds it took. Raises SiteError on failure."""
    start = time.perf_counter()
    prepare_out(out)  # first: a refused --out costs nothing and needs no Sphinx
    if importlib.util.find_spec("sphinx") is None:
        raise SiteError('Sphinx is not installed. Install the site extra: pip install -e ".[site]"')
    source = stage(ROOT, stage_dir, guide_solutions)
    alts = prepare_figures(source, allow_missing_alt)
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
    parser.add_argument("--guide-without-solutions", action="store_true",
                        help="leave the solutions out of the instructor's guide page")
    parser.add_argument("--allow-missing-alt", action="store_true",
                        help="build even when figures have no figure_alt metadata (a draft: each is listed)")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out.resolve(), guide_solutions=not args.guide_without_solutions,
                        allow_missing_alt=args.allow_missing_alt)
    except SiteError as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    print(f"Site built in {seconds:.1f} s: {args.out.resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
