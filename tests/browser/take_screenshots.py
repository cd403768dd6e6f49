"""Screenshots of every notebook as a learner sees it, to look at after a change.

    COURSE_LIB_DATA=/path/to/datasets .venv/bin/python tests/browser/take_screenshots.py [--run] [NN ...]

Opens each notebook (or those whose names start with NN, e.g. 02 03) in a private JupyterLab, in
headless Chromium at 1400 x 1000 with the file browser open, as the browser tests do (same
harness, same Chromium: $NNFS_CHROMIUM or the system's). Without --run the notebook is shown as
committed and not run, as a learner first opens it (JupyterLab does not trust it yet); with
--run it is run first (Run > Run All Cells).

Pictures go to tests/browser/screenshots/notebooks/: NN_unrun_KK.png (or NN_run_KK.png), one per
screenful from top to bottom, and NN_unrun_graph_cellCC.png, one per graph, scrolled to it. Every
Graphviz graph on the page is measured too; graphs that stick out of the output column or have
text under 10 px are listed at the end (exit code 1).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from graph_checks import graphs, problems  # noqa: E402
from jlab_harness import CHROMIUM_ARGS, NOTEBOOKS, SCREENSHOTS, JupyterServer, Lab, find_chromium  # noqa: E402

OUT = SCREENSHOTS / "notebooks"
SCROLLER = ".jp-NotebookPanel .jp-WindowedPanel-outer"  # the notebook's scrolling box


def shoot(page, stem: str) -> list[Path]:
    """One screenshot per screenful of the notebook, top to bottom."""
    shots = []
    page.evaluate(f"() => document.querySelector('{SCROLLER}').scrollTo(0, 0)")
    page.wait_for_timeout(300)
    for k in range(200):
        path = OUT / f"{stem}_{k:02d}.png"
        page.screenshot(path=str(path))
        shots.append(path)
        moved = page.evaluate(f"""() => {{
            const s = document.querySelector('{SCROLLER}');
            const before = s.scrollTop;
            s.scrollBy(0, s.clientHeight - 80);   // keep a little overlap between screenfuls
            return s.scrollTop > before;
        }}""")
        if not moved:
            break
        page.wait_for_timeout(250)  # images in the newly shown part decode
    return shots


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="run all cells before the screenshots")
    parser.add_argument("notebooks", nargs="*", help="name prefixes, e.g. 02 03 (default: all)")
    args = parser.parse_args(argv)
    names = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                   if not args.notebooks or any(p.name.startswith(n) for n in args.notebooks))
    OUT.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    found_problems = []
    with tempfile.TemporaryDirectory() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        server = JupyterServer(Path(base))
        server.start()
        try:
            lab = Lab(server, browser)
            for name in names:
                run = lab.open(name)
                if args.run:
                    lab.run_all(run)
                stem = f"{name[:2]}_{'run' if args.run else 'unrun'}"
                run.page.wait_for_timeout(1000)
                shots = shoot(run.page, stem)
                measured = graphs(run.page)
                for g in measured:  # and one page per graph, scrolled to it
                    cell = run.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(g["cell"])
                    cell.locator(".jp-OutputArea-output").first.scroll_into_view_if_needed()
                    run.page.wait_for_timeout(200)
                    run.page.screenshot(path=str(OUT / f"{stem}_graph_cell{g['cell']:02d}.png"))
                bad = problems(measured)
                found_problems += [f"{name}: {b}" for b in bad]
                print(f"{name}: {len(shots)} screenshots ({shots[0].name} ...), {len(measured)} graphs, "
                      f"widths {[round(g['width']) for g in measured]} px, smallest text "
                      f"{min((g['text_px'] for g in measured), default=0):.1f} px", flush=True)
                lab.close_all()
                for session in server.sessions():
                    server.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)
        finally:
            stray = server.stop()
            browser.close()
    if stray:
        print(f"processes left behind by JupyterLab (killed): {stray}")
    print(f"screenshots in {OUT}")
    for line in found_problems:
        print("PROBLEM", line)
    return 1 if found_problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
