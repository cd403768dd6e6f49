"""How long notebook 05's XOR learning-rate slider takes to retrain and redraw, in Python.

    python benchmarks/xor_slider.py             # 15 moves, median and range
    python benchmarks/xor_slider.py --moves 30

What a learner waits for after each key press on the slider, minus the browser: setting
`XorWidget.slider.value` runs the widget's whole update (retrain 1,000 epochs, readout text,
new PNG) synchronously, so the time of that assignment is the time of one update. The widget
is built once (as in the notebook); the moves then walk the rates a keyboard user meets going
right and back from 0.1 (every rate is different, so nothing can be cached). Run it with 2 cores
(`taskset -c 0,1`) to match the target: median under 0.25 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=15)
    args = parser.parse_args()

    import numpy as np

    from course_lib.widgets.learning_rate import XorWidget

    start = time.perf_counter()
    widget = XorWidget(lr=0.1)
    first = time.perf_counter() - start
    # Rates a keyboard user meets: up from 0.1 in 20%-ish steps, then back down past it.
    ups = [0.1 * 1.26 ** k for k in range(1, args.moves // 2 + 1)]
    downs = [0.1 / 1.26 ** k for k in range(1, args.moves - len(ups) + 1)]
    times, cpu = [], []
    for rate in ups + downs:
        t, c = time.perf_counter(), time.process_time()
        widget.slider.value = rate
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    ms = [1000 * s for s in times]
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"first drawing (building the widget): {1000 * first:.0f} ms")
    print(f"{len(ms)} slider moves: median {statistics.median(ms):.0f} ms, "
          f"range {min(ms):.0f}-{max(ms):.0f} ms (wall clock); CPU time of this process: median "
          f"{1000 * statistics.median(cpu):.0f} ms (what a move costs when nothing else runs)")
    print(f"last readout: {widget.text}")


if __name__ == "__main__":
    main()
