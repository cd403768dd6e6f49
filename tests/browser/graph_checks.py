"""Measure the graphs a notebook page shows: how wide they are against the output column, and
how tall their text is on screen. Used by test_browser_graphs.py and take_screenshots.py.

A Graphviz picture reaches the page in one of three ways:
- an <img> with an SVG data URI, from a graph's text/html output (how course_lib shows graphs,
  also in a notebook JupyterLab does not trust) or from an image/svg+xml output;
- an inline <svg>, in the backprop stepper widget.
Text size on screen = the SVG font-size x the scale from SVG units to screen pixels.
"""

from __future__ import annotations

# One entry per Graphviz picture in the page: cell index, how it is shown, its width on screen, the
# width of its output area, whether it sticks out on the right, and its smallest text in px.
GRAPHS_JS = r"""() => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')];
  const found = [];
  const svgOf = img => {
    const src = img.getAttribute('src') || '';
    if (!src.startsWith('data:image/svg+xml')) return null;
    const body = src.slice(src.indexOf(',') + 1);
    const text = src.slice(0, src.indexOf(',')).endsWith(';base64')
      ? new TextDecoder().decode(Uint8Array.from(atob(body), c => c.charCodeAt(0)))
      : decodeURIComponent(body);
    return new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
  };
  const smallestFont = svg => Math.min(...[...svg.querySelectorAll('text')].map(
    t => parseFloat(t.getAttribute('font-size') || '14')));
  cells.forEach((cell, index) => {
    for (const output of cell.querySelectorAll('.jp-OutputArea-output')) {
      const area = output.getBoundingClientRect();
      const mime = output.getAttribute('data-mime-type');
      for (const img of output.querySelectorAll('img')) {
        const svg = svgOf(img);
        if (!svg || !svg.querySelector('g.node')) continue;
        const box = img.getBoundingClientRect();
        const viewBox = (svg.getAttribute('viewBox') || '0 0 1 1').split(/[ ,]+/).map(Number);
        found.push({cell: index, kind: 'img', mime, loaded: img.complete && img.naturalWidth > 0,
                    width: box.width, column: area.width, overflow: box.right - area.right,
                    text_px: smallestFont(svg) * box.width / viewBox[2],
                    texts: [...svg.querySelectorAll('g.node text')].map(t => t.textContent.trim())});
      }
      for (const svg of output.querySelectorAll('svg')) {
        if (!svg.querySelector('g.node')) continue;
        const box = svg.getBoundingClientRect();
        const sizes = [...svg.querySelectorAll('text')].map(t => {
          const m = t.getScreenCTM();
          return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
        });
        found.push({cell: index, kind: 'svg', mime, loaded: true, width: box.width,
                    column: area.width, overflow: box.right - area.right,
                    text_px: Math.min(...sizes),
                    texts: [...svg.querySelectorAll('g.node text')].map(t => t.textContent.trim())});
      }
    }
  });
  return found;
}"""


def graphs(page) -> list[dict]:
    """Every Graphviz picture in the open notebook, measured (see GRAPHS_JS)."""
    return page.evaluate(GRAPHS_JS)


def problems(found: list[dict], min_text_px: float = 10.0) -> list[str]:
    """What is wrong with the measured graphs: not loaded, cut off, or text too small."""
    bad = []
    for g in found:
        where = f"cell {g['cell']} ({g['kind']}, {g['mime']})"
        if not g["loaded"]:
            bad.append(f"{where}: the picture did not load")
        if g["overflow"] > 1:
            bad.append(f"{where}: {g['width']:.0f} px wide, sticks out {g['overflow']:.0f} px past the "
                       f"{g['column']:.0f} px output column")
        if g["text_px"] < min_text_px:
            bad.append(f"{where}: text only {g['text_px']:.1f} px tall")
    return bad
