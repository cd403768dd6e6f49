"""Browser end-to-end tests: the notebooks run in a real JupyterLab, driven by Playwright.

Run them with (after the fast tests, as a separate pytest call):

    COURSE_LIB_DATA=/work/shared/datasets .venv/bin/pytest tests/browser -p no:cacheprovider

One JupyterLab server serves the whole session, on 127.0.0.1 with a free port and no token,
from a temporary copy of `notebooks/` (so autosave can never touch the committed notebooks),
with its own Jupyter config, data, runtime, lab-settings and workspaces folders. The venv's
and the system's data folders stay on the search path: they hold the `python3` kernelspec
and the ipywidgets lab extension.

Browser: $NNFS_CHROMIUM, $PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH, a system Chromium/Chrome, or
else Playwright's own, downloaded the first time (chromium_setup.py). Where none of these
works, the tests fail with one line that says what to do; `NNFS_SKIP_BROWSER=1` skips them.

Screenshots of every checked state go to tests/browser/screenshots/ and their paths are
listed at the end of the run (so CI logs keep them). The machinery is in jlab_harness.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import urllib.error
from pathlib import Path

import pytest
from jlab_harness import (
    ACTIVE_LABS,
    CHROMIUM_ARGS,
    HERE,
    SCREENSHOT_LOG,
    BrowserUnavailable,
    JupyterServer,
    Lab,
    ensure_chromium,
    screenshot,
)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("NNFS_SKIP_BROWSER") != "1":
        return
    skip = pytest.mark.skip(reason="browser tests skipped on purpose: NNFS_SKIP_BROWSER=1")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if not SCREENSHOT_LOG:
        return
    terminalreporter.section("browser screenshots")
    for path in SCREENSHOT_LOG:
        terminalreporter.write_line(str(path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep a screenshot of every page it had open."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or report.when == "teardown":
        return
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
    pages = [page for lab in ACTIVE_LABS for context in lab.contexts for page in context.pages]
    for n, page in enumerate(pages):
        with contextlib.suppress(Exception):  # a screenshot must not hide the real failure
            screenshot(page, f"FAILED-{name}-{n}")


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("NNFS_SKIP_BROWSER") == "1":  # also when a test is selected by id
        pytest.skip("browser tests skipped on purpose: NNFS_SKIP_BROWSER=1")
    try:
        executable = ensure_chromium()  # installs Playwright's Chromium when there is no other
    except BrowserUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    print(f"browser: {executable or 'playwright chromium'} {browser.version}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory, browser):
    # `browser` first: no server is started when there is no browser to drive it.
    server = JupyterServer(tmp_path_factory.mktemp("jupyterlab"))
    server.start()
    print(f"JupyterLab: {server.url}  root: {server.root}  log: {server.log_path}")
    yield server
    stray = server.stop()
    assert not stray, f"processes left behind by the JupyterLab server (killed now): {stray}"


@contextlib.contextmanager
def lab_for(server: JupyterServer, browser):
    lab = Lab(server, browser)
    try:
        yield lab
    finally:
        lab.close_all()
        # Shut this test's kernels down now (2 cores); the server's stop checks for leftovers.
        server.remember_children()
        for session in server.sessions():
            with contextlib.suppress(urllib.error.URLError, OSError):
                server.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)


@pytest.fixture
def lab(jupyter_server, browser):
    """Open and run notebooks in this test; their pages and kernels are closed after it."""
    with lab_for(jupyter_server, browser) as lab:
        yield lab


@pytest.fixture(scope="module")
def module_lab(jupyter_server, browser):
    """The same for a whole test module, whose tests share one run of a notebook."""
    with lab_for(jupyter_server, browser) as lab:
        yield lab
