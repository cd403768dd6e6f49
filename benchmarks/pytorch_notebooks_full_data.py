"""Run All of notebooks 08 and 09 on the full MNIST, timed: what a learner waits for.

A learner's `load_mnist` gives the full MNIST, 60,000 / 10,000 images, and the committed outputs
of 08 and 09 come from it; point COURSE_LIB_DATA at a folder holding it (`mnist/` with the four
IDX .gz files). Each notebook runs unchanged in its own fresh kernel, as after "Restart Kernel and
Run All"; nothing is saved unless --out-dir is given.

--kind fashion runs a copy of each notebook with its data set switched to Fashion-MNIST (same
tensor sizes, same work per epoch). The copies' assertions are written for digits and some fail
on clothes (accuracies are lower), so errors are recorded, not fatal.

Run:  COURSE_LIB_DATA=/path/to/datasets python benchmarks/pytorch_notebooks_full_data.py [--kind fashion]
      [--out-dir folder]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ("08_pytorch_basics.ipynb", "09_pytorch_mnist.ipynb")
# lines worth printing
SHOWN = ("training images in", "training:", "chosen:", "kept:", "rejected:", "accuracy of the chosen")


def _children_cpu() -> float:
    """Processor seconds (user + system) of finished child processes: here, the kernels."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_all(path: Path, kind: str, out_dir: Path | None) -> float:
    """Run a copy of the notebook at `path` on data set `kind`; returns the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    loads = [cell for cell in nb.cells if 'load_mnist(kind="digits", split="train")' in cell.source]
    if len(loads) != 1:
        raise SystemExit(f"expected one cell loading the digits' training set in {path.name}, "
                         f"found {len(loads)}")
    for cell in nb.cells:  # the test set too, if the notebook loads it
        cell.source = cell.source.replace('kind="digits"', f'kind="{kind}"')

    client = NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start, cpu_start = time.perf_counter(), _children_cpu()
    client.execute()  # starts the kernel, runs every cell, shuts the kernel down
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
    # the kernel's processor time does not grow when other programs compete for the cores
    print(f"{path.name} on {kind}: Run All {seconds:.1f} s wall, {cpu:.1f} s processor time of the kernel")
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and any(text in out.text for text in SHOWN):
                print("  " + out.text.strip().replace("\n", "\n  "))
            if out.output_type == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                print(f"  (error: {out.ename} in cell {cell.id})")
    if out_dir:
        nbformat.write(nb, out_dir / path.name)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=("digits", "fashion"), default="digits", help="data set")
    parser.add_argument("--out-dir", type=Path, help="folder for the executed copies (default: not saved)")
    args = parser.parse_args()
    total = sum(run_all(NOTEBOOKS / name, args.kind, args.out_dir) for name in NAMES)
    print(f"08 + 09 on {args.kind}: Run All {total:.1f} s in all")


if __name__ == "__main__":
    main()
