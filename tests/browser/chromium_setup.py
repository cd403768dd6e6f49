"""A Chromium for the browser tests: find one, or install Playwright's; else say what to do.

    python tests/browser/chromium_setup.py     # prints the browser to use, installing one if needed

`python course.py test` (`make test`) runs this before any test, so a missing browser stops the
run at once; the `browser` fixture in conftest.py calls the same ensure_chromium(). The order:

1. $NNFS_CHROMIUM, then $PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH: used as given;
2. chromium, chromium-browser or google-chrome on PATH (your OS's package), if it starts;
3. Playwright's own Chromium, if it is installed and starts;
4. otherwise `python -m playwright install chromium --only-shell` downloads it, once.

Everything that can go wrong raises BrowserUnavailable with a one-line message that ends in
what to do; run as a script, that line is all that is printed (exit status 1), no traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome")
WHAT_TO_DO = (
    "Install Chromium with your system's package manager (e.g. `sudo apt-get install chromium`) or "
    "point NNFS_CHROMIUM at a Chromium/Chrome executable; to skip the browser tests, set NNFS_SKIP_BROWSER=1."
)
INSTALL_HINT = f"No Chromium for the browser tests: `playwright install chromium` gets one. {WHAT_TO_DO}"


class BrowserUnavailable(Exception):
    """No browser can be used; the message is one line that says what to do."""


def first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def find_chromium(environ=os.environ, which=shutil.which) -> str | None:
    """A Chromium named by the environment or found on PATH (not started), or None."""
    for var in ("NNFS_CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH"):
        value = environ.get(var)
        if value:
            path = which(value) or value
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                raise BrowserUnavailable(f"{var}={value!r} is not an executable file. {WHAT_TO_DO}")
            return path
    for name in SYSTEM_NAMES:
        path = which(name, path=environ.get("PATH"))
        if path:
            return path
    return None


def launch_error(executable: str | None) -> str | None:
    """None if this Chromium (None: Playwright's own) starts headless, else the first line of why not."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            pw.chromium.launch(executable_path=executable, headless=True).close()
        except Error as exc:
            return first_line(str(exc).replace("BrowserType.launch: ", ""))
    return None


def install_playwright_chromium() -> None:
    print("Downloading Playwright's Chromium (once)...", file=sys.stderr, flush=True)
    # --only-shell: the headless shell is all the tests use, half the download of full Chromium.
    cmd = [sys.executable, "-m", "playwright", "install", "chromium", "--only-shell"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        # The installer's first "Error: ..." line is the cause, e.g. "getaddrinfo ENOTFOUND <host>".
        output = (result.stderr + "\n" + result.stdout).splitlines()  # the download's own errors first
        errors = [line.strip().removeprefix("Error: ") for line in output if line.strip().startswith("Error")]
        why = errors[0] if errors else first_line(result.stderr or result.stdout)
        raise BrowserUnavailable(f"Could not download Playwright's Chromium ({why}). {WHAT_TO_DO}")


def ensure_chromium() -> str | None:
    """The Chromium executable to launch, or None for Playwright's own (installed if needed)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        raise BrowserUnavailable(
            "Playwright for Python is not installed: run `python course.py install` (or `pip install -e "
            f'".[dev]"`). {WHAT_TO_DO}'
        ) from None
    explicit = any(os.environ.get(v) for v in ("NNFS_CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH"))
    system = find_chromium()
    if system:
        why = launch_error(system)
        if why is None:
            return system
        if explicit:
            raise BrowserUnavailable(f"{system} does not start ({why}). {WHAT_TO_DO}")
        print(f"{system} does not start ({why}); trying Playwright's Chromium.", file=sys.stderr)
    why = launch_error(None)
    if why and "Executable doesn't exist" in why:
        install_playwright_chromium()
        why = launch_error(None)
    if why:
        if "missing dependencies" in why:
            raise BrowserUnavailable(
                f"Playwright's Chromium does not start: {why}. Install its libraries with "
                f"`sudo {sys.executable} -m playwright install-deps chromium`, or: {WHAT_TO_DO}"
            )
        raise BrowserUnavailable(f"Playwright's Chromium does not start ({why}). {WHAT_TO_DO}")
    return None


def main() -> int:
    try:
        executable = ensure_chromium()
    except BrowserUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    print("browser:", executable or "Playwright's Chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
