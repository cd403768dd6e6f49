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
"""

from __future__ import annotations

import argparse
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
        nb = nbformat.read(path, as_version=4)
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


def build(out: Path = OUT, stage_dir: Path = STAGE, guide_solutions: bool = True) -> float:
    """Build the site into `out`; returns the seconds it took. Raises SiteError on failure."""
    if importlib.util.find_spec("sphinx") is None:
        raise SiteError('Sphinx is not installed. Install the site extra: pip install -e ".[site]"')
    start = time.perf_counter()
    source = stage(ROOT, stage_dir, guide_solutions)
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
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out.resolve(), guide_solutions=not args.guide_without_solutions)
    except SiteError as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    print(f"Site built in {seconds:.1f} s: {args.out.resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
