"""Trace time along arcs against straight segments with the same number of pieces.

For random networks, traces a quarter circle x(t) = cos(t) x0 + sin(t) x1 and a straight
segment, both scaled so that they cross about the same number of pieces, and prints the time
per piece of each and their ratio (target: arcs at most 2x), and the cost of the exact arc
lengths (elliptic integrals) as a share of the arc trace.

    python benchmarks/arc_vs_segment.py [--quick] [--repeats 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # a 2-core VM: threaded BLAS is slower on these sizes

import numpy as np  # noqa: E402

from regions import Arc, Segment, random_network, trace  # noqa: E402
from regions._arc import ArcEngine
from regions._stages import lower  # noqa: E402


def _best(fn, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _best_pair(f, g, repeats: int) -> tuple[float, float]:
    """Best times of f and of g, measured alternately (the VM's speed drifts)."""
    bf = bg = math.inf
    for _ in range(repeats):
        bf = min(bf, _best(f, 1))
        bg = min(bg, _best(g, 1))
    return bf, bg


def _matched_segment(net, arc_pieces: int, x0, x1) -> Segment:
    """A segment along x0 -> x1, stretched until it crosses about ``arc_pieces`` pieces."""
    scale = 1.0
    for _ in range(40):
        seg = Segment(-scale * x0, scale * x1)
        pieces = trace(net, seg).num_pieces
        if pieces >= arc_pieces:
            return seg
        scale *= max(1.05, min(2.0, math.sqrt(arc_pieces / max(pieces, 1))))
    return seg


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    configs = [("hardtanh", 4.0, 10, 100), ("relu", 2.0, 10, 100), ("hardtanh", 16.0, 10, 100)]
    if args.quick:
        configs = [("hardtanh", 4.0, 3, 16), ("relu", 2.0, 3, 16)]
    rng = np.random.default_rng(args.seed)
    print("arc trace vs segment trace, same number of pieces; best of", args.repeats)
    print(f"{'network':28s} {'pieces arc/seg':>16s} {'arc ms':>9s} {'seg ms':>9s} "
          f"{'ratio/piece':>11s} {'lengths %':>9s}")
    rows = []
    for act, sw2, depth, width in configs:
        net = random_network([width] + [width] * depth + [1], act, math.sqrt(sw2), seed=rng)
        x0, x1 = rng.standard_normal(width), rng.standard_normal(width)
        arc = Arc(x0, x1)
        tr_arc = trace(net, arc)
        seg = _matched_segment(net, tr_arc.num_pieces, x0, x1)
        tr_seg = trace(net, seg)
        t_arc, t_seg = _best_pair(lambda: trace(net, arc), lambda: trace(net, seg),
                                  args.repeats)
        ratio = (t_arc / tr_arc.num_pieces) / (t_seg / tr_seg.num_pieces)
        # the share of elliptic-integral lengths: time the length step alone on the final pieces
        engine = ArcEngine(arc, 1e-11)
        for stage in lower(net, False).stages:
            engine.layer(stage)
        t_len = _best(engine._length, args.repeats) * (len(net.weights) + 1)
        name = f"{act} s_w^2={sw2:g} {depth}x{width}"
        print(f"{name:28s} {tr_arc.num_pieces:>7d}/{tr_seg.num_pieces:<8d} {1e3 * t_arc:9.1f} "
              f"{1e3 * t_seg:9.1f} {ratio:11.2f} {100 * t_len / t_arc:8.0f}%")
        rows.append({"network": name, "arc_pieces": tr_arc.num_pieces,
                     "segment_pieces": tr_seg.num_pieces, "arc_seconds": t_arc,
                     "segment_seconds": t_seg, "ratio_per_piece": ratio,
                     "length_share_upper_bound": t_len / t_arc})
    print("lengths %: elliptic-integral length evaluation at the final piece count, once per "
          "layer, as a share of the arc trace (an upper bound: early layers have fewer pieces)")
    return rows


if __name__ == "__main__":
    main()
