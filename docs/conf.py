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

import importlib
import pkgutil

project = "Neural Networks from Scratch"
author = "the course authors"
copyright = "the course authors, MIT licence"

extensions = [
    "myst_nb",  # notebooks and Markdown pages; brings myst_parser
    "sphinx.ext.autodoc",  # the course_lib API page, from its docstrings
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static: no CDN
]

root_doc = "index"
# README.md is staged only to be included by index.md; it is not a page of its own.
exclude_patterns = ["README.md", "**.ipynb_checkpoints"]

# ---- notebooks and Markdown -------------------------------------------------------------------
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README-style links to #a-heading work on the home page
nb_ipywidgets_js = {}  # its default loads require.js and the widget manager from CDNs
# Without widget state a widget view is an empty box: show the output's text form instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]

# ---- course_lib API ---------------------------------------------------------------------------
# Backticks in docstrings mean code, as they do in Markdown.
default_role = "literal"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Only notebook 07 needs PyTorch; the site must build without it.
autodoc_mock_imports = ["torch"]


def course_lib_modules() -> list[str]:
    """Every module of course_lib: the package first, then its modules alphabetically."""
    package = importlib.import_module("course_lib")
    found = [info.name for info in pkgutil.walk_packages(package.__path__, "course_lib.")]
    return ["course_lib", *sorted(found)]


def add_api_sections(app, docname: str, source: list[str]) -> None:
    """Append one autodoc section per course_lib module to the API page, so a new module can
    never be missing from it."""
    if docname != "api":
        return
    sections = []
    for name in course_lib_modules():
        # The package re-exports Value, MLP, ...: document them once, where they live.
        members = "" if name == "course_lib" else ":members:\n"
        sections.append(f"\n## `{name}`\n\n```{{automodule}} {name}\n{members}```\n")
    source[0] += "".join(sections)


def setup(app):
    app.connect("source-read", add_api_sections)


# ---- HTML -------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,  # the lesson as .ipynb, from the site itself
    "use_fullscreen_button": False,
    "navigation_with_keys": True,
}
