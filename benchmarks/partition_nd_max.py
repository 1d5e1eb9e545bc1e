"""What do group maxima cost the n-D ``regions.partition``? Maxout networks, float and exact.

For each case this prints the regions and cells (the engine's complex: a tournament's extra
walls and the whole space's starting fan cut regions into several cells, see
``regions._polyhedral_max``), the float-mode time and regions per second, the exact-mode
time (up to ``EXACT_UP_TO`` regions), and for rank 2 the same network written elementwise,
max(f1, f2) = f2 + relu(f1 - f2) (the same regions, cut by ReLUs): the time ratio is the
cost of the group-max path against the elementwise one. Networks: two maxout layers
(weights N(0, 1 / fan_in), biases N(0, 1)) and one linear output, in R^n0 and in the box
[-2, 2]^n0.

Timing: best of ``--repeats`` interleaved runs (maxout, twin, maxout, twin, ...), one BLAS
thread (``_bench.py``); exact mode is timed once. Run:
``python benchmarks/partition_nd_max.py [--quick] [--repeats N] [--seed S]``.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _bench  # noqa: E402  (first: one BLAS thread before NumPy loads)

import numpy as np  # noqa: E402

from regions import Box, GraphBuilder, partition  # noqa: E402

CASES = [(3, 8, 2), (3, 6, 3), (4, 6, 2), (4, 5, 3), (6, 6, 2), (3, 16, 2), (3, 12, 3),
         (6, 8, 2)]
EXACT_UP_TO = 3000  # regions (exact mode is timed below this)
QUICK = [(3, 4, 2), (4, 3, 3)]


def maxout_net(n0: int, units: int, rank: int, seed: int, twin: bool = False):
    """Two maxout layers of ``units`` units of ``rank`` pieces; ``twin``: the same function
    with ReLUs (rank 2 only)."""
    rng = np.random.default_rng(seed)
    b = GraphBuilder((n0,))
    h, n = b.input, n0
    for _ in range(2):
        W = rng.normal(size=(units * rank, n)) / np.sqrt(n)
        c = rng.normal(size=units * rank)
        if twin:
            r = b.activation(b.dense(h, W[0::2] - W[1::2], c[0::2] - c[1::2]), "relu")
            h = b.add(r, b.dense(h, W[1::2], c[1::2]))
        else:
            h = b.maxout(b.dense(h, W, c), rank)
        n = units
    return b.build(b.dense(h, rng.normal(size=(1, n))))


def main(argv: Sequence[str] | None = None) -> list[dict]:
    parser = _bench.arguments(__doc__, 1, 3, "seed of the weights",
                              "two small cases, no exact mode")
    args = _bench.parse(parser, argv)
    print(_bench.threads_line())
    rows = []
    for n0, units, rank in QUICK if args.quick else CASES:
        for dom in (None, Box([-2] * n0, [2] * n0)):
            net = maxout_net(n0, units, rank, args.seed)
            fns = [lambda: partition(net, dom, exact=False)]
            if rank == 2:
                twin = maxout_net(n0, units, rank, args.seed, twin=True)
                fns.append(lambda: partition(twin, dom, exact=False))
            times = _bench.best_times(fns, args.repeats, 0.0)
            part = fns[0]()
            row = {"n0": n0, "units": units, "rank": rank,
                   "domain": "whole" if dom is None else "box", "regions": part.num_regions,
                   "cells": part.num_cells, "float": times[0],
                   "twin_regions": fns[1]().num_regions if rank == 2 else None,
                   "ratio": times[0] / times[1] if rank == 2 else None, "exact": None}
            if not args.quick and part.num_regions <= EXACT_UP_TO:
                t = time.perf_counter()
                ex = partition(net, dom, exact=True)
                row["exact"] = time.perf_counter() - t
                assert ex.num_regions == part.num_regions
            rows.append(row)
            twin_text = "" if row["ratio"] is None else \
                f"  twin {row['twin_regions']} regions, maxout/twin time {row['ratio']:.2f}"
            print(f"n0={n0} {units}x{rank} {row['domain']:5s}: {row['regions']:6d} regions "
                  f"{row['cells']:6d} cells  float {_bench.fmt_time(row['float'])} "
                  f"({row['regions'] / row['float']:.0f} regions/s)  exact "
                  f"{_bench.fmt_time(row['exact'])}{twin_text}", flush=True)
    return rows


if __name__ == "__main__":
    main()
