"""The browser-test harness: a private JupyterLab server, and helpers to drive it with Playwright.

The pytest fixtures and hooks live in conftest.py; everything they and the tests use is here,
in a module with its own name (a second conftest.py elsewhere in tests/ cannot shadow it).
See README.md in this folder for what the tests check and how to run them.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# Finding or installing a browser is in chromium_setup.py (course.py runs it too); re-exported here.
from chromium_setup import INSTALL_HINT, BrowserUnavailable, ensure_chromium, find_chromium  # noqa: F401

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = HERE / "screenshots"

SERVER_START_TIMEOUT = 90  # s until /api/status answers (2 busy cores: be generous)
SERVER_STOP_TIMEOUT = 20  # s after SIGTERM before SIGKILL
PAGE_READY_TIMEOUT = 90_000  # ms until the notebook is open and its kernel idle
RUN_ALL_TIMEOUT = 240  # s for "Run All Cells" of one notebook (09 trains a net)

# Flags measured on this machine: headless Chromium as root needs no sandbox; without the
# background-networking flags it keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Lab user settings written before the server starts.
LAB_SETTINGS = {
    # No "get notified about news?" toast on first launch, and no calls to the internet.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # Put every cell in the DOM: the default windowing mode skips rendering off-screen cells,
    # and the tests read every cell's prompt and outputs.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # The extension manager would query PyPI; nothing here needs it.
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}

# Browser console errors JupyterLab logs by itself that say nothing about the notebooks.
# Keep each pattern narrow, with the reason it is harmless.
BENIGN_CONSOLE_ERRORS: list[re.Pattern] = []

SCREENSHOT_LOG: list[Path] = []
ACTIVE_LABS: list = []  # Lab objects with pages open, for screenshots of failures


# ---------------------------------------------------------------------------------------------
# screenshots


def screenshot(page, name: str, locator=None) -> Path:
    """Save a screenshot of the page (or of one element) and remember its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if locator is not None:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path))
    SCREENSHOT_LOG.append(path)
    print(f"screenshot: {path}")
    return path


# ---------------------------------------------------------------------------------------------
# the JupyterLab server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Pids of all living processes below `pid` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # the name in (...) may hold spaces
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        if not Path("/proc").is_dir():
            try:
                os.kill(pid, 0)
                return True
            except OSError:
                return False
        return False
    return state[state.rindex(")") + 2] != "Z"  # a zombie is dead, just not yet reaped


class JupyterServer:
    """A JupyterLab server we started, and a tiny REST client for it."""

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "root"  # the copy of notebooks/ the server serves
        self.log_path = base / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.seen_children: set[int] = set()
        self.pages_opened = 0
        self._cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._cookies))

    # -- setup ---------------------------------------------------------------------------------
    def prepare(self) -> dict:
        if NOTEBOOKS.is_dir():
            shutil.copytree(NOTEBOOKS, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            self.root.mkdir()
        dirs = {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",  # user data dir only: venv + system data dirs stay on the path
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
            "IPYTHONDIR": "ipython",  # no personal IPython profile/startup files in the kernels
        }
        env = dict(os.environ)  # the kernels inherit it: COURSE_LIB_DATA reaches the notebooks
        for var, name in dirs.items():
            (self.base / name).mkdir()
            env[var] = str(self.base / name)
        env["PYTHONUNBUFFERED"] = "1"
        for plugin, settings in LAB_SETTINGS.items():
            path = self.base / "lab-settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        return env

    def start(self) -> None:
        env = self.prepare()
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root}",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                cmd, env=env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                if self.api("GET", "/api/status") is not None:
                    return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"JupyterLab did not answer /api/status in {SERVER_START_TIMEOUT} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # -- REST ----------------------------------------------------------------------------------
    def api(self, method: str, path: str, timeout: float = 10):
        headers = {}
        if method != "GET":  # the server wants the _xsrf cookie echoed back on changes
            xsrf = next((c.value for c in self._cookies if c.name == "_xsrf"), None)
            if xsrf is None:
                self._opener.open(self.url + "/lab", timeout=timeout).read()
                xsrf = next((c.value for c in self._cookies if c.name == "_xsrf"), "")
            headers["X-XSRFToken"] = xsrf
        request = urllib.request.Request(self.url + path, method=method, headers=headers)
        with self._opener.open(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def session_for(self, path: str) -> dict | None:
        return next((s for s in self.sessions() if s.get("path") == path), None)

    def shutdown_kernels(self) -> None:
        for kernel in self.api("GET", "/api/kernels"):
            with contextlib.suppress(urllib.error.URLError, OSError):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)

    def remember_children(self) -> None:
        """Note every process below the server (kernels), to check later that none survive."""
        if self.proc is not None:
            self.seen_children |= descendants(self.proc.pid)

    # -- teardown ------------------------------------------------------------------------------
    def stop(self) -> list[int]:
        """Stop kernels and server; returns pids that had to be killed (should be empty)."""
        if self.proc is None:
            return []
        self.remember_children()
        if self.proc.poll() is None:
            with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
                self.shutdown_kernels()
            self.remember_children()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        # Anything the server started that is still alive now is a leak: kill it by its pid.
        deadline = time.monotonic() + 10
        stray = {pid for pid in self.seen_children if alive(pid)}
        while stray and time.monotonic() < deadline:
            time.sleep(0.2)
            stray = {pid for pid in stray if alive(pid)}
        for pid in stray:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.proc = None
        return sorted(stray)


# ---------------------------------------------------------------------------------------------
# driving JupyterLab


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def cell_tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


# Returns, for every cell in document order, its kind, prompt and outputs as rendered.
CELLS_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')].map(c => ({
    code: c.classList.contains('jp-CodeCell'),
    prompt: ((c.querySelector('.jp-InputArea-prompt') || {}).innerText || '').trim(),
    outputs: [...c.querySelectorAll('.jp-OutputArea-output')].map(o => ({
      mime: o.getAttribute('data-mime-type'),
      text: (o.innerText || '').slice(0, 2000),
    })),
  }))"""

STDERR = "application/vnd.jupyter.stderr"
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b.*$", re.M)


@dataclass
class NotebookRun:
    """A notebook open in a browser page, after "Run All Cells"."""

    name: str
    page: object
    path: Path  # the server's copy
    console_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def cell_states(self) -> list[dict]:
        return self.page.evaluate(CELLS_JS)


class Lab:
    """Helpers to open notebooks in JupyterLab and run them as a person would."""

    def __init__(self, server: JupyterServer, browser):
        self.server = server
        self.browser = browser
        self.contexts = []
        ACTIVE_LABS.append(self)

    def open(self, name: str) -> NotebookRun:
        """Open `name` (relative to the server root) in a fresh browser context; wait for its kernel."""
        committed = NOTEBOOKS / name
        if committed.is_file():
            # Start from the committed notebook, as a learner does, not from the copy an earlier
            # test saved. (Reopening a notebook that JupyterLab saved after a live run and running
            # it again makes @jupyter-widgets log "widget model not found" for the old widget ids.)
            shutil.copy2(committed, self.server.root / name)
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        page = context.new_page()
        run = NotebookRun(name=name, page=page, path=self.server.root / name)
        page.on("console", lambda msg: msg.type == "error" and run.console_errors.append(msg_text(msg)))
        page.on("pageerror", lambda exc: run.console_errors.append(f"pageerror: {exc}"))
        # A workspace of its own, reset: JupyterLab would otherwise reopen (and start kernels for)
        # the notebooks an earlier page had open.
        self.server.pages_opened += 1
        workspace = f"test{self.server.pages_opened}"
        page.goto(f"{self.server.url}/lab/workspaces/{workspace}/tree/{name}?reset")
        self.wait_kernel_ready(run)
        return run

    def wait_kernel_ready(self, run: NotebookRun) -> None:
        """The status bar shows the kernel's name and Idle, and the server's session says idle.

        (The notebook's own execution indicator says idle too early: Run All then runs nothing.)
        """
        nb = read_notebook(run.path)
        display = nb.get("metadata", {}).get("kernelspec", {}).get("display_name", "Python 3 (ipykernel)")
        run.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=PAGE_READY_TIMEOUT)
        run.page.wait_for_function(
            "text => (document.querySelector('#jp-main-statusbar') || {}).innerText?.includes(text)",
            arg=f"{display} | Idle",
            timeout=PAGE_READY_TIMEOUT,
        )
        self.wait_session_idle(run, timeout=PAGE_READY_TIMEOUT / 1000)
        self.server.remember_children()

    def wait_session_idle(self, run: NotebookRun, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            session = self.server.session_for(run.name)
            state = session and session["kernel"]["execution_state"]
            if state == "idle":
                return
            if state == "dead":
                break
            time.sleep(0.25)
        raise AssertionError(f"{run.name}: kernel not idle (state {state!r}) after {timeout:.0f} s")

    def menu(self, run: NotebookRun, menu: str, item: str) -> None:
        """Click `menu` in the main menu bar, then its item `item` (exact label)."""
        page = run.page
        page.locator("#jp-MainMenu .lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
        label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$"))
        page.locator(".lm-Menu .lm-Menu-item").filter(has=label).click()

    def run_all(self, run: NotebookRun, timeout: float = RUN_ALL_TIMEOUT) -> None:
        """Clear the committed outputs, then Run > Run All Cells; wait until all ran and idle."""
        nb = read_notebook(run.path)
        expected = [  # JupyterLab does not execute empty code cells: they keep "[ ]"
            bool(cell_source(c).strip()) for c in nb["cells"] if c["cell_type"] == "code"
        ]
        start = time.monotonic()
        self.menu(run, "Edit", "Clear Outputs of All Cells")
        run.page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
            ".some(p => /\\d/.test(p.innerText))"
        )
        self.menu(run, "Run", "Run All Cells")
        # Done when every non-empty code cell has its number. Not "when no cell shows [*]": after
        # a cell tagged raises-exception fails, JupyterLab shows "[ ]" on the cells still queued,
        # and the kernel runs them afterwards all the same. If an untagged cell fails, the kernel
        # drops the queued cells: stop waiting once such an error is shown and nothing has changed
        # for a few seconds with the kernel idle.
        tagged = {i for i, c in enumerate(nb["cells"]) if "raises-exception" in cell_tags(c)}
        deadline = start + timeout
        started = retried = False
        last, since = None, time.monotonic()
        checked = since
        while True:
            cells = run.cell_states()
            prompts = [c["prompt"] for c in cells if c["code"]]
            done = [bool(re.search(r"\d", p)) for p in prompts]
            started = started or any("*" in p for p in prompts) or any(done)
            if prompts != last:
                last, since = prompts, time.monotonic()
            if len(done) == len(expected) and all(d or not w for d, w in zip(done, expected)):
                break
            failed = any(
                out["mime"] == STDERR and TRACEBACK.search(out["text"])
                for i, c in enumerate(cells)
                if i not in tagged
                for out in c["outputs"]
            )
            if failed and time.monotonic() - since > 3:
                session = self.server.session_for(run.name)
                if session and session["kernel"]["execution_state"] == "idle":
                    break  # an unexpected error stopped Run All: reported below
            if not started and not retried and time.monotonic() - start > 20:
                # Known race: a Run All sent while the kernel is still settling can run nothing.
                print(f"{run.name}: Run All Cells did not start in 20 s; clicking it once more")
                retried = True
                self.menu(run, "Run", "Run All Cells")
            if time.monotonic() - checked > 2:
                checked = time.monotonic()
                session = self.server.session_for(run.name)
                state = session and session["kernel"]["execution_state"]
                if state in ("dead", "restarting", "autorestarting"):
                    screenshot(run.page, f"{Path(run.name).stem}-kernel-{state}")
                    raise AssertionError(f"{run.name}: the kernel died during Run All Cells ({state})")
            if time.monotonic() > deadline:
                screenshot(run.page, f"{Path(run.name).stem}-timeout")
                raise AssertionError(
                    f"{run.name}: Run All Cells not finished after {timeout:.0f} s ({sum(done)} of "
                    f"{sum(expected)} code cells done)\n{self.error_report(run)}"
                )
            time.sleep(0.25)
        self.wait_session_idle(run, timeout=60)
        run.seconds = time.monotonic() - start
        self.server.remember_children()
        code_cells = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
        prompts = [c["prompt"] for c in run.cell_states() if c["code"]]
        shown = f"{run.name}: {len(prompts)} code cells shown, {len(code_cells)} in the file"
        assert len(prompts) == len(code_cells), shown
        not_run = [i for i, p, want in zip(code_cells, prompts, expected) if want and not re.search(r"\d", p)]
        assert not not_run, (
            f"{run.name}: cells {not_run} were not executed: an earlier cell probably failed "
            f"and stopped Run All.\n{self.error_report(run)}"
        )

    def save(self, run: NotebookRun) -> dict:
        """Save the notebook (File > Save Notebook) and return the saved JSON."""
        before = run.path.stat().st_mtime_ns
        self.menu(run, "File", "Save Notebook")
        deadline = time.monotonic() + 30
        while run.path.stat().st_mtime_ns == before:
            assert time.monotonic() < deadline, f"{run.name}: not saved within 30 s"
            time.sleep(0.1)
        run.page.wait_for_selector(".jp-mod-current.jp-mod-dirty", state="detached")
        return read_notebook(run.path)

    def error_report(self, run: NotebookRun) -> str:
        """Cells whose rendered output shows a traceback."""
        lines = []
        for index, cell in enumerate(run.cell_states()):
            for out in cell["outputs"]:
                if out["mime"] == STDERR and TRACEBACK.search(out["text"]):
                    lines.append(f"cell {index}: {out['text'][-800:]}")
        return "\n".join(lines)

    def problems(self, run: NotebookRun) -> list[str]:
        """Everything that says the run went wrong: error outputs, tracebacks, console errors.

        Cells tagged `raises-exception` demonstrate an error on purpose and are left out (read
        from the notebook JSON, as nbval does). The notebook is saved first (into the server's
        temporary copy) so the check sees the real output types, not only how they render.
        """
        saved = self.save(run)
        found = []
        cells = saved["cells"]
        rendered = run.cell_states()
        assert len(rendered) == len(cells), f"{run.name}: {len(rendered)} cells shown, {len(cells)} saved"
        for index, (cell, shown) in enumerate(zip(cells, rendered)):
            if cell["cell_type"] != "code" or "raises-exception" in cell_tags(cell):
                continue
            for out in cell.get("outputs", []):
                if out["output_type"] == "error":
                    found.append(f"cell {index}: error output {out['ename']}: {out['evalue']}")
                elif out["output_type"] == "stream" and out["name"] == "stderr":
                    text = cell_source({"source": out.get("text", "")})
                    if TRACEBACK.search(text):
                        found.append(f"cell {index}: traceback on stderr: {text[-500:]}")
            for out in shown["outputs"]:
                if out["mime"] == STDERR and TRACEBACK.search(out["text"]):
                    found.append(f"cell {index}: rendered stderr traceback: {out['text'][-500:]}")
        return found + self.browser_errors(run)

    def browser_errors(self, run: NotebookRun) -> list[str]:
        """Errors the page logged to the browser console, or threw, so far (minus known benign ones)."""
        return [e for e in run.console_errors if not any(p.search(e) for p in BENIGN_CONSOLE_ERRORS)]

    def close_all(self) -> None:
        if self in ACTIVE_LABS:
            ACTIVE_LABS.remove(self)
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()
        self.contexts.clear()


# ---------------------------------------------------------------------------------------------
# reading widgets and pictures in the page

# Graphviz draws each node as <g class="node"><title>name</title><polygon fill=...>
# <text>...</text></g>; draw_dot names values v0, v1, ... and operations v0_op, ...
SVG_NODES_JS = """svg => [...svg.querySelectorAll('g.node')].map(g => ({
  title: (g.querySelector('title') || {}).textContent,
  fill: (g.querySelector('polygon, ellipse, path') || {getAttribute: () => null}).getAttribute('fill'),
  texts: [...g.querySelectorAll('text')].map(t => t.textContent.trim()),
}))"""

# An <img> showing an SVG data URL (how JupyterLab renders image/svg+xml outputs, URL-encoded, and
# how course_lib's text/html graph outputs show it, base64): parse it.
IMG_SVG_NODES_JS = (
    """img => { const src = img.getAttribute('src') || '';
  const body = src.slice(src.indexOf(',') + 1);
  const text = src.slice(0, src.indexOf(',')).endsWith(';base64')
    ? new TextDecoder().decode(Uint8Array.from(atob(body), c => c.charCodeAt(0)))
    : decodeURIComponent(body);
  const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
  return (""" + SVG_NODES_JS + """)(svg); }"""
)

# The bytes an <img> shows (ipywidgets Image uses blob: URLs), as a SHA-256 hex digest.
IMAGE_DIGEST_JS = """async img => {
  if (!img.complete || !img.naturalWidth) return null;
  const response = await fetch(img.src);
  const digest = await crypto.subtle.digest('SHA-256', await response.arrayBuffer());
  return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def svg_nodes(locator) -> list[dict]:
    """The Graphviz nodes of an inline <svg> (or of an <img> holding an SVG data URL)."""
    if locator.evaluate("e => e.tagName.toLowerCase()") == "img":
        return locator.evaluate(IMG_SVG_NODES_JS)
    return locator.evaluate(SVG_NODES_JS)


def image_digest(locator) -> str | None:
    """Digest of the picture an <img> shows now (None while it is loading or being replaced)."""
    try:
        return locator.evaluate(IMAGE_DIGEST_JS)
    except Exception:  # the blob URL was revoked because a new picture just arrived: look again
        return None


def drag_slider(page, slider, fraction: float) -> None:
    """Drag an ipywidgets slider's handle with the mouse to `fraction` (0..1) of its track."""
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").bounding_box()
    base = slider.locator(".noUi-base").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(base["x"] + fraction * base["width"], y, steps=12)
    page.mouse.up()


def type_into_readout(slider, text: str) -> None:
    """Replace the number in a slider's editable readout box, then press Enter."""
    readout = slider.locator(".widget-readout")
    readout.click()
    readout.press("Control+A")
    readout.type(text)
    readout.press("Enter")


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Poll `check()` until it returns something truthy; fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(interval)


def msg_text(msg) -> str:
    location = msg.location or {}
    where = f" ({location.get('url')}:{location.get('lineNumber')})" if location.get("url") else ""
    return f"console.{msg.type}: {msg.text}{where}"
