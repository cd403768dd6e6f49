"""Sphinx configuration of the course website. Build it with `make site` or
`python tools/build_site.py`, not with sphinx-build directly: the script stages this folder, the
README and the notebooks into one source tree (build/site-src) and then runs Sphinx on it.

Design notes:
- Nothing is executed (`nb_execution_mode = "off"`): every page shows the outputs committed in
  the notebooks, the same ones nbval checks, so the site builds in seconds without a kernel,
  PyTorch or the data sets.
- Every page must work without a network (a classroom may share a copy of the folder):
  MathJax comes from the `sphinx-mathjax-offline` package and is copied into the site,
  ipywidgets' JavaScript (fetched from a CDN by default) is switched off, and widget outputs
  fall back to their text form. The stored outputs carry no widget state, so nothing could be
  drawn from them anyway; the static figures next to each widget tell the story.
- Warnings are errors (tools/build_site.py runs Sphinx with -W), so a broken link between
  lessons or a missing image fails the build instead of shipping.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from pathlib import Path

import astroid

project = "Neural Networks from Scratch"
author = "the course authors"
copyright = "the course authors, MIT licence"

extensions = [
    "myst_nb",  # notebooks and Markdown pages; brings myst_parser
    "autodoc2",  # the course_lib API pages, from its docstrings
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static: no CDN
    "sphinx.ext.githubpages",  # writes .nojekyll, or GitHub Pages would hide _static/
]

root_doc = "index"
# README.md is staged only to be included by index.md; it is not a page of its own. Nor is
# autodoc2's own index: api.md leads to the package's page.
exclude_patterns = ["README.md", "apidocs/index.rst", "**.ipynb_checkpoints"]

# ---- notebooks and Markdown -------------------------------------------------------------------
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README-style links to #a-heading work on the home page
nb_ipywidgets_js = {}  # its default loads require.js and the widget manager from CDNs
# Without widget state a widget view is an empty box: show the output's text form instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]

# ---- course_lib API ---------------------------------------------------------------------------
# sphinx-autodoc2 reads course_lib's source (nothing is imported, so PyTorch is not needed) and
# writes one page per module into apidocs/, every module found, none listed by hand. The
# docstrings are written in Markdown (backticks, `Value`s), so they are parsed as MyST.
# The path must be relative to this file, wherever tools/build_site.py staged it.
_course_lib = Path(importlib.util.find_spec("course_lib").origin).parent
autodoc2_packages = [os.path.relpath(_course_lib, Path(__file__).parent)]
autodoc2_render_plugin = "myst"
autodoc2_docstring_parser_regexes = [(r".*", "myst")]
autodoc2_hidden_objects = ["private", "dunder", "inherited"]
# An exercise module's members are its checkers and the tables of wrong answers with what to
# tell the learner: the API page shows only each module's docstring, which lists its exercises.
autodoc2_hidden_regexes = [r"course_lib\.exercises\.nb\d\d\..*"]


def modules_course_lib_imports(package: Path) -> set[str]:
    """Every module that course_lib's source imports, other than its own."""
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return {name for name in names if name.split(".")[0] != "course_lib"}


# autodoc2's parser (astroid) follows imports to infer attribute types, reading the whole
# source of NumPy, PyTorch and matplotlib: 6 times slower, for nothing the pages show.
astroid.MANAGER.module_denylist.update(modules_course_lib_imports(_course_lib))


# ---- HTML -------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["site.css"]
# Search results quote the lesson's own text, with its maths readable (not the page header,
# not raw LaTeX): see the file.
html_js_files = ["search-snippets.js", "small-screens.js"]
# Screen readers read each formula from the MathML MathJax hides beside it (assistiveMml); the
# formulas are no tab stops of their own (MathJax makes each one by default: 162 Tab presses to
# reach "Next" in lesson 03). Right-click still opens MathJax's menu.
mathjax3_config = {"options": {"menuOptions": {"settings": {"inTabOrder": False, "assistiveMml": True}}}}
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,  # the lesson as .ipynb, from the site itself
    "use_fullscreen_button": False,
    "navigation_with_keys": True,
}
