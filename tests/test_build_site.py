"""tools/build_site.py without Sphinx: what it stages and what it refuses to publish.
The built site itself is checked in a browser by tests/browser/test_site.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402


def notebook_with(*sources: str, output: str = "shown\n") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for source in sources:
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
        cell.execution_count = 1
        nb.cells.append(cell)
    return nb


def test_solution_outputs_are_dropped_and_nothing_else():
    nb = notebook_with("nb03.q1.hint()", "nb03.q1.solution()", "x = 1\nnb03.q2.solution()")
    assert build_site.hide_solutions(nb) == 2
    assert [len(cell.outputs) for cell in nb.cells] == [1, 0, 0]


def test_prints_stored_in_pieces_show_as_one_output_in_order():
    nb = notebook_with("print(...)")
    out = nb.cells[0].outputs
    out[0].text = "input  tanh()"
    out.append(nbformat.v4.new_output("stream", name="stdout", text="\nx1  -1.5\n"))
    out.append(nbformat.v4.new_output("stream", name="stderr", text="careful\n"))
    out.append(nbformat.v4.new_output("stream", name="stdout", text="x2  0.5\n"))
    out.append(nbformat.v4.new_output("display_data", data={"text/plain": "7"}))
    out.append(nbformat.v4.new_output("stream", name="stdout", text="done\n"))
    build_site.merge_streams(nb)
    shown = [(o.output_type, o.get("name"), o.get("text")) for o in nb.cells[0].outputs]
    assert shown == [
        ("stream", "stdout", "input  tanh()\nx1  -1.5\n"),
        ("stream", "stderr", "careful\n"),
        ("stream", "stdout", "x2  0.5\n"),
        ("display_data", None, None),
        ("stream", "stdout", "done\n"),
    ]


def make_repo(tmp_path: Path, names: list[str]) -> Path:
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "conf.py").write_text("")
    (tmp_path / "README.md").write_text("# Course\n")
    (tmp_path / "notebooks").mkdir()
    for name in names:
        nbformat.write(notebook_with("nb01.q1.solution()", output="A solution for q1"),
                       tmp_path / "notebooks" / name)
    return tmp_path


def test_stage_takes_numbered_notebooks_in_order_without_solutions(tmp_path):
    repo = make_repo(tmp_path / "repo", ["02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "08_c.ipynb"])
    staged = build_site.stage(repo, tmp_path / "stage")
    lessons = ["01_a.ipynb", "02_b.ipynb", "08_c.ipynb"]
    assert [p.name for p in build_site.lesson_notebooks(repo)] == lessons
    assert sorted(p.name for p in (staged / "notebooks").iterdir()) == lessons
    assert "A solution" not in (staged / "notebooks" / "01_a.ipynb").read_text()
    assert (staged / "README.md").exists() and (staged / "conf.py").exists()
    # the committed notebook is untouched
    assert "A solution" in (repo / "notebooks" / "01_a.ipynb").read_text()


def test_files_the_readme_links_are_staged_as_downloads(tmp_path):
    repo = make_repo(tmp_path / "repo", ["01_a.ipynb"])
    (repo / "course.py").write_text("print('set up')\n")
    (repo / "docs" / "notes.txt").write_text("notes\n")
    (tmp_path / "outside.txt").write_text("not ours\n")
    (repo / "README.md").write_text(
        "# Course\n[the script](course.py), [notes](docs/notes.txt#top), [lesson](notebooks/01_a.ipynb),\n"
        "[web](https://example.org/x.py), [gone](missing.txt), [up](../outside.txt), [more](docs/)\n"
    )
    assert build_site.files_the_readme_links(repo) == [Path("course.py"), Path("docs/notes.txt")]
    staged = build_site.stage(repo, tmp_path / "stage")
    assert (staged / "course.py").read_text() == "print('set up')\n"
    assert not (staged / "missing.txt").exists()
    assert not list(staged.rglob("outside.txt"))


def test_stage_without_notebooks_says_so(tmp_path):
    repo = make_repo(tmp_path / "repo", [])
    with pytest.raises(build_site.SiteError, match="no notebooks named NN_topic.ipynb"):
        build_site.stage(repo, tmp_path / "stage")


def test_outside_requests_flags_what_a_page_would_load_not_links(tmp_path):
    (tmp_path / "a.html").write_text(
        '<a href="https://example.org/read-more">ok, a link</a>'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/f.css">'
        '<img src="_images/local.png"><div style="background: url(https://example.org/b.png)"></div>'
    )
    (tmp_path / "s.css").write_text("@font-face { src: url('https://example.org/font.woff2'); }")
    (tmp_path / "ok.css").write_text("@font-face { src: url('../fonts/font.woff2'); }")
    found = build_site.outside_requests(tmp_path)
    assert found == [
        "a.html: <script src=https://cdn.example.org/x.js>",
        "a.html: <link href=//fonts.example.org/f.css>",
        "a.html: <div style=background: url(https://example.org/b.png)>",
        "s.css: a url(...) or @import to another host",
    ]


def test_prune_mathjax_keeps_the_bundle_pages_load_and_its_parts(tmp_path):
    mathjax = tmp_path / "_static" / "mathjax"
    (mathjax / "input" / "tex" / "extensions").mkdir(parents=True)
    for name in ("tex-chtml.js", "tex-svg.js", "mml-chtml.js", "input/tex/extensions/ams.js"):
        (mathjax / name).write_text("x" * 10)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01.html").write_text('<script src="../_static/mathjax/tex-chtml.js"></script>')
    assert build_site.prune_mathjax(tmp_path) == 20
    left = sorted(p.relative_to(mathjax).as_posix() for p in mathjax.rglob("*.js"))
    assert left == ["input/tex/extensions/ams.js", "tex-chtml.js"]


def course_repo(tmp_path: Path, urls: dict[str, str] | None) -> Path:
    """A small course folder like the real one, with [project.urls] only if `urls` is given."""
    repo = make_repo(tmp_path / "repo", ["01_a.ipynb", "02_b.ipynb"])
    for nb in (repo / "notebooks").glob("*.ipynb"):
        lesson = nbformat.read(nb, as_version=4)
        lesson.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {nb.stem}\n\n**Time:** 5 min"))
        nbformat.write(lesson, nb)
    table = "".join(f'{key} = "{url}"\n' for key, url in (urls or {}).items())
    (repo / "pyproject.toml").write_text('[project]\nname = "tiny-course"\nversion = "1.0"\n'
                                         + ("[project.urls]\n" + table if urls is not None else ""))
    (repo / "README.md").write_text("# Course\n\n## Set up\n\n" + build_site.DOWNLOAD_MARK + "\n\nmake lab\n")
    for name in ("course.py", "Makefile", "environment.yml", "course_lib/__init__.py",
                 "course_lib/__pycache__/x.pyc", "notebooks/my_value.py", ".venv/bin/python",
                 "build/site/index.html", "data/mnist/x.gz", "tests/test_x.py", "benchmarks/run.log"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("x\n")
    return repo


def test_the_course_zip_is_one_folder_of_the_course_without_clutter(tmp_path):
    import zipfile

    repo = course_repo(tmp_path, None)
    (repo / "course.py").chmod(0o755)
    archive = build_site.course_zip(repo, tmp_path / "out")
    assert archive.name == "tiny-course.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = sorted(zipped.namelist())
        mode = zipped.getinfo("tiny-course/course.py").external_attr >> 16
    assert names == ["tiny-course/" + n for n in (
        "Makefile", "README.md", "course.py", "course_lib/__init__.py", "docs/conf.py", "environment.yml",
        "notebooks/01_a.ipynb", "notebooks/02_b.ipynb", "pyproject.toml", "tests/test_x.py")]
    assert mode & 0o111, "course.py keeps its executable bit"
    again = build_site.course_zip(repo, tmp_path / "again")
    assert again.read_bytes() == archive.read_bytes(), "the same files give the same zip"


def staged_lesson(staged: Path, name: str = "01_a.ipynb") -> str:
    return nbformat.read(staged / "notebooks" / name, as_version=4).cells[1].source


def test_without_a_public_address_no_colab_or_binder_links(tmp_path):
    for urls in (None, {"Documentation": "https://example.org/course"}):
        repo = course_repo(tmp_path / str(bool(urls)), urls)
        assert build_site.repository_url(repo) is None
        staged = build_site.stage(repo, tmp_path / str(bool(urls)) / "stage")
        lesson = staged_lesson(staged)
        assert "[download the whole course](../tiny-course.zip)" in lesson
        assert "Colab]" not in lesson and "Binder]" not in lesson and "http" not in lesson
        home = (staged / "README.md").read_text()
        assert build_site.DOWNLOAD_MARK not in home and "[download it as one zip](tiny-course.zip)" in home
        assert "clone [its repository]" not in home
        assert (staged / "tiny-course.zip").is_file()


def test_a_github_repository_in_project_urls_gives_colab_and_binder_links(tmp_path):
    repo = course_repo(tmp_path, {"Homepage": "https://example.org/course",
                                  "Repository": "https://github.com/someone/nn-course.git"})
    assert build_site.repository_url(repo) == "https://github.com/someone/nn-course"
    staged = build_site.stage(repo, tmp_path / "stage")
    lesson = staged_lesson(staged, "02_b.ipynb")
    assert ("[Open in Colab](https://colab.research.google.com/github/someone/nn-course/blob/HEAD/"
            "notebooks/02_b.ipynb)") in lesson
    assert ("[Launch on Binder](https://mybinder.org/v2/gh/someone/nn-course/HEAD?urlpath=lab/tree/"
            "notebooks/02_b.ipynb)") in lesson
    assert '%pip install "git+https://github.com/someone/nn-course"' in lesson
    home = (staged / "README.md").read_text()
    assert "clone [its repository](https://github.com/someone/nn-course)" in home
    # the lesson's own first cell (title, time) stays first; the links come right after it
    first = nbformat.read(staged / "notebooks" / "02_b.ipynb", as_version=4).cells[0]
    assert first.source.startswith("# 02_b")
# ---- figures for every reader (issue 18) ------------------------------------------------------
def figure_cell(pngs: list[bytes], alts=None) -> nbformat.NotebookNode:
    import base64

    cell = nbformat.v4.new_code_cell("plt.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(p).decode()})
                    for p in pngs]
    if alts is not None:
        cell.metadata["figure_alt"] = alts
    return cell


def test_every_figure_needs_its_own_description():
    import hashlib

    nb = nbformat.v4.new_notebook()
    nb.cells = [figure_cell([b"one", b"two"], ["the first picture", "the second picture"]),
                figure_cell([b"three"]),  # none
                figure_cell([b"four", b"five"], ["only one"]),  # too few
                figure_cell([b"six"], [""])]  # empty
    alts, problems = build_site.figure_alts(nb, "07_x.ipynb")
    assert alts == {f"{hashlib.sha256(b'one').hexdigest()}.png": "the first picture",
                    f"{hashlib.sha256(b'two').hexdigest()}.png": "the second picture"}
    assert [p.split(":")[0] for p in problems] == ["07_x.ipynb, cell 1 (id " + nb.cells[1].id + ")",
                                                    "07_x.ipynb, cell 2 (id " + nb.cells[2].id + ")",
                                                    "07_x.ipynb, cell 3 (id " + nb.cells[3].id + ")"]
    assert "figure_alt is none" in problems[0]


def test_the_build_stops_on_a_figure_without_description_unless_a_draft(tmp_path):
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure_cell([b"png"])]
    nbformat.write(nb, tmp_path / "notebooks" / "01_x.ipynb")
    with pytest.raises(build_site.SiteError, match="01_x.ipynb, cell 0 .*figure_alt is none"):
        build_site.prepare_figures(tmp_path)
    assert build_site.prepare_figures(tmp_path, allow_missing_alt=True) == {}


def test_graphs_become_files_described_by_their_svg_without_a_minimum_width(tmp_path):
    from course_lib import Value, draw_dot

    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    out = a * b
    out.label = "out"
    bundle = draw_dot(out)._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("draw_dot(out)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    nb.cells = [cell]
    assert build_site.graph_files(nb, tmp_path / "graphs") == 1
    html = nb.cells[0].outputs[0].data["text/html"]
    assert "data:image" not in html and "min-width" not in html and "overflow-x" not in html
    (svg,) = (tmp_path / "graphs").iterdir()
    assert f'src="../_static/graphs/{svg.name}"' in html and f'href="../_static/graphs/{svg.name}"' in html
    assert 'alt="Computation graph of out = a * b: 3 values, 1 operation; output out = 6, gradient 0"' in html


def test_pages_get_alt_texts_figure_links_and_named_buttons(tmp_path):
    digest = "a" * 64
    page = tmp_path / "notebooks" / "01_x.html"
    page.parent.mkdir()
    page.write_text(
        f'<img alt="../_images/{digest}.png" src="../_images/{digest}.png" />'
        '<button class="btn search-button-field search-button__button" title="Search" aria-label="Search">'
        '<a class="reference internal" href="../api.html">The <code>course_lib</code> API</a>'
        '<details open="open"><summary><span class="toctree-toggle" role="presentation"></span></summary>')
    build_site.finish_pages(tmp_path, {f"{digest}.png": 'a curve "falling"'})
    text = page.read_text()
    assert (f'<a class="nnfs-full-size" href="../_images/{digest}.png" title="open the full-size picture">'
            f'<img alt="a curve &quot;falling&quot;" src="../_images/{digest}.png" /></a>') in text
    assert 'aria-label="Search"' not in text  # named by what it shows: "Search Ctrl+K"
    assert '<summary aria-label="show or hide the pages under The course_lib API">' in text
# ------------------------------------------------------------------ --out: only a site is replaced


@pytest.fixture
def fake_sphinx(monkeypatch, tmp_path):
    """build() with staging and Sphinx replaced by stand-ins that write one page: what build()
    does to the --out folder is then all that is tested."""
    def fake_run(command, **kwargs):
        out = Path(command[-1])
        (out / "index.html").write_text("<p>site</p>")
        return subprocess.CompletedProcess(command, 0)

    find_spec = build_site.importlib.util.find_spec  # Sphinx may not be installed (make test-versions)
    monkeypatch.setattr(build_site.importlib.util, "find_spec",
                        lambda name, *args: object() if name == "sphinx" else find_spec(name, *args))
    monkeypatch.setattr(build_site, "stage", lambda root, stage_dir, *options: stage_dir)
    monkeypatch.setattr(build_site.subprocess, "run", fake_run)
    return tmp_path / "stage"


def test_out_folder_of_other_files_is_refused_and_kept(fake_sphinx, tmp_path):
    out = tmp_path / "Desktop"
    out.mkdir()
    (out / "thesis.txt").write_text("two years of work")
    with pytest.raises(build_site.SiteError, match="not a build of this site"):
        build_site.build(out, fake_sphinx)
    assert (out / "thesis.txt").read_text() == "two years of work"
    assert not (out / "index.html").exists()


@pytest.mark.parametrize("where", [".", "docs", "notebooks", "docs/site"])
def test_out_over_the_course_itself_is_refused(fake_sphinx, tmp_path, monkeypatch, where):
    # a stand-in course folder: with the old builder this test deleted the folder it ran in
    repo = make_repo(tmp_path / "repo", ["01_a.ipynb"])
    (repo / "course.py").write_text("print('set up')\n")
    monkeypatch.setattr(build_site, "ROOT", repo)
    monkeypatch.setattr(build_site, "OUT", repo / "build" / "site")
    with pytest.raises(build_site.SiteError, match="course's own files"):
        build_site.build(repo / where, fake_sphinx)
    assert sorted(p.name for p in (repo / "docs").iterdir()) == ["conf.py"]
    assert (repo / "course.py").exists() and (repo / "notebooks" / "01_a.ipynb").exists()


def test_out_previous_build_is_replaced_and_marked(fake_sphinx, tmp_path):
    out = tmp_path / "site"
    build_site.build(out, fake_sphinx)  # a new folder
    assert (out / build_site.MARKER).is_file() and (out / "index.html").exists()
    (out / "old-page.html").write_text("from the last build")
    build_site.build(out, fake_sphinx)  # our own build: replaced
    assert not (out / "old-page.html").exists() and (out / build_site.MARKER).is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    build_site.build(empty, fake_sphinx)  # an empty folder is fine too
    assert (empty / "index.html").exists()


def test_out_that_is_a_file_is_refused(fake_sphinx, tmp_path):
    out = tmp_path / "notes.txt"
    out.write_text("mine")
    with pytest.raises(build_site.SiteError, match="is a file"):
        build_site.build(out, fake_sphinx)
    assert out.read_text() == "mine"


def test_main_reports_a_refused_out_in_one_line(fake_sphinx, tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    assert build_site.main(["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("build_site: ") and "Traceback" not in err and (tmp_path / "keep.txt").exists()


@pytest.mark.parametrize("text", ['{\n<<<<<<< HEAD\n  "cells": []\n', '["valid JSON, not a notebook"]'])
def test_a_broken_notebook_is_a_site_error_not_a_traceback(tmp_path, text):
    repo = make_repo(tmp_path / "repo", ["01_a.ipynb"])
    (repo / "notebooks" / "01_a.ipynb").write_text(text)
    with pytest.raises(build_site.SiteError, match="01_a.ipynb is not a valid notebook"):
        build_site.stage(repo, tmp_path / "stage")
