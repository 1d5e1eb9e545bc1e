"""A batch of segments in one run (``regions.trace_segments``) against a loop of ``trace``.

For every pair of N data points (``segment_pairs(points)``: N (N - 1) / 2 segments) through
random ReLU and hard-tanh networks, prints the batch's time and the loop's (float mode, best
of ``--repeats``, interleaved), their ratio, and whether every segment's piece count agrees.

    python benchmarks/batch_vs_loop.py [--quick] [--repeats 3] [--seed 0]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _bench  # noqa: E402  (first: one BLAS thread; the checkout's package)

import numpy as np  # noqa: E402

from regions import Segment, random_network, segment_pairs, trace, trace_segments  # noqa: E402

CASES = [  # (widths, activation, sigma_w, points)
    ([10, 32, 32, 32, 1], "relu", 2.0, 30),
    ([10, 32, 32, 32, 1], "hardtanh", 4.0, 30),
    ([784, 100, 100, 10], "relu", 2.0, 20),
]


def main(argv: list[str] | None = None) -> list[dict]:
    args = _bench.parse(_bench.arguments(__doc__, 0, 3, "seed of networks and points",
                                         "smaller batches"), argv)
    print(_bench.threads_line())
    print(f"{'network':<24} {'segments':>8} {'pieces':>7} {'batch':>9} {'loop':>9} "
          f"{'loop/batch':>10} agree")
    rows = []
    for widths, act, sigma_w, n in CASES:
        n = min(n, 8) if args.quick else n
        net = random_network(widths, act, sigma_w=sigma_w, sigma_b=0.3, seed=args.seed)
        pts = np.random.default_rng(args.seed).normal(size=(n, widths[0]))
        a, b, _ = segment_pairs(pts)
        out = trace_segments(net, a, b, exact=False)
        loop = [trace(net, Segment(x, y), exact=False).num_pieces for x, y in zip(a, b)]
        tb, tl = _bench.best_times(
            [lambda: trace_segments(net, a, b, exact=False),
             lambda: [trace(net, Segment(x, y), exact=False) for x, y in zip(a, b)]],
            args.repeats, 0.2)
        agree = out.num_pieces.tolist() == loop
        name = f"{widths} {act}"
        print(f"{name:<24} {len(a):>8} {int(out.num_pieces.sum()):>7} "
              f"{_bench.fmt_time(tb):>9} {_bench.fmt_time(tl):>9} {tl / tb:>9.1f}x "
              f"{'yes' if agree else 'NO'}")
        rows.append({"network": name, "segments": len(a), "batch": tb, "loop": tl,
                     "agree": agree})
    return rows


if __name__ == "__main__":
    main()
