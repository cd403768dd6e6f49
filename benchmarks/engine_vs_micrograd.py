"""course_lib.engine against micrograd 0.1.0 on micrograd's own demo workload.

Workload (as in micrograd's demo notebook): MLP 2-16-16-1, ReLU hidden layers, linear
output, 100 two-moons points, mean squared error, then forward + backward + SGD step.
Both networks start from the same weights and build the same graph: every + and *
is its own node.

Run:  python benchmarks/engine_vs_micrograd.py        (needs: pip install -e ".[bench]")
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import time
import tracemalloc

from micrograd import engine as mg_engine
from micrograd import nn as mg_nn

from course_lib import engine, nn


def two_moons(n: int, noise: float = 0.1, seed: int = 0) -> tuple[list, list]:
    """n points on two interleaving half circles, labels -1 / +1."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        upper = i % 2 == 0
        x, y = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(1.0 if upper else -1.0)
    return xs, ys


def make_pair():
    """A micrograd MLP and a course_lib MLP with identical weights."""
    random.seed(1337)
    mg = mg_nn.MLP(2, [16, 16, 1])  # ReLU hidden, linear output
    ours = nn.MLP(2, [16, 16, 1], activation="relu", output_activation=None)
    for p_ours, p_mg in zip(ours.parameters(), mg.parameters(), strict=True):
        p_ours.data = p_mg.data
    return mg, ours


def step(model, Value, xs, ys, lr=0.05) -> float:
    """One forward + backward + SGD step; the graph is dropped at the end."""
    scores = [model([Value(a), Value(b)]) for a, b in xs]
    loss = sum(((s - y) * (s - y) for s, y in zip(scores, ys)), Value(0.0)) * (1.0 / len(ys))
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def time_steps(models, xs, ys, steps: int, rounds: int = 3) -> list[float]:
    """Mean seconds per step for each (model, Value) pair, from its best block.

    Each engine runs `steps` steps in a row, so it pays for collecting its own
    garbage as in a real training loop; collecting between blocks keeps one
    engine's garbage from being charged to the other. Blocks alternate for
    `rounds` rounds, so a burst of load on the machine slows both alike, and
    the best block is the least disturbed measurement. A block's mean (not its
    fastest step) is what counts: the collector's big sweeps hit only some steps.
    """
    best = [math.inf] * len(models)
    for _ in range(rounds):
        for i, (model, Value) in enumerate(models):
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(steps):
                step(model, Value, xs, ys)
            best[i] = min(best[i], (time.perf_counter() - t0) / steps)
    return best


def bytes_per_node(model, Value, xs, ys) -> float:
    """Memory held by one forward graph (loss alive), divided by its node count."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    scores = [model([Value(a), Value(b)]) for a, b in xs]
    loss = sum(((s - y) * (s - y) for s, y in zip(scores, ys)), Value(0.0)) * (1.0 / len(ys))
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / count_nodes(loss)


def count_nodes(root) -> int:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node._prev)
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="timed steps per engine and round")
    args = parser.parse_args()

    xs, ys = two_moons(100)
    mg, ours = make_pair()
    # Same weights and graph => same losses; check before timing anything.
    loss_mg, loss_ours = step(mg, mg_engine.Value, xs, ys), step(ours, engine.Value, xs, ys)
    assert abs(loss_mg - loss_ours) < 1e-9, (loss_mg, loss_ours)

    t_mg, t_ours = time_steps([(mg, mg_engine.Value), (ours, engine.Value)], xs, ys, args.steps)
    m_mg = bytes_per_node(mg, mg_engine.Value, xs, ys)
    m_ours = bytes_per_node(ours, engine.Value, xs, ys)

    print(f"first-step loss (both): {loss_ours:.6f}")
    print(f"seconds per step   micrograd {t_mg:.4f}   course_lib {t_ours:.4f}   "
          f"speed-up {t_mg / t_ours:.2f}x")
    print(f"bytes per node     micrograd {m_mg:.0f}   course_lib {m_ours:.0f}   ratio {m_ours / m_mg:.2f}")


if __name__ == "__main__":
    main()
