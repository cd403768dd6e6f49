"""How long drawing a course graph takes with each renderer: the `dot` program or the WebAssembly build.

    python benchmarks/graph_render.py            # both, each in a fresh Python process

Each renderer is timed in its own process, so the first call includes everything a learner
waits for the first time a kernel draws a graph (importing and compiling the WebAssembly module,
or starting the `dot` program). Graphs: notebook 03's neuron (10 values) and a 2-4-4-1 MLP's
output (about 100 values). Times are for `course_lib.viz.render(source)`, which is what
`draw_dot(...)` calls when it is shown (a long graph is rendered twice to choose its layout).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

CHILD = r"""
import random, time
from course_lib import MLP, Value, draw_dot
from course_lib.viz import render

x1, x2, w1, w2, b = (Value(v, label=n) for v, n in [(2, 'x1'), (0, 'x2'), (-3, 'w1'), (1, 'w2'), (6.88, 'b')])
small = draw_dot((x1 * w1 + x2 * w2 + b).tanh(), rankdir='LR').source
random.seed(0)
big = draw_dot(MLP(2, [4, 4, 1])([1.0, -1.0]), rankdir='LR', max_nodes=1000).source
for name, src in [('neuron, first call', small), ('neuron, 2nd call', small), ('neuron, 3rd call', small),
                  ('MLP, first call', big), ('MLP, 2nd call', big)]:
    t = time.perf_counter(); svg = render(src); ms = (time.perf_counter() - t) * 1000
    print(f'  {name:20s} {ms:8.1f} ms   ({len(svg):,} bytes of SVG)')
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as empty:
        runs = [("the dot program", os.environ["PATH"])] if shutil.which("dot") else []
        runs.append(("WebAssembly (dot hidden)", empty))  # a PATH with no dot on it
        for label, path in runs:
            print(label)
            env = dict(os.environ, PATH=path)
            subprocess.run([sys.executable, "-c", CHILD], env=env, check=True)


if __name__ == "__main__":
    main()
