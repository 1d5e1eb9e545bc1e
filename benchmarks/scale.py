"""Counts beyond one process's memory: streaming, a 2-worker local Dask cluster, and tiles.

Measures, on a hard-tanh network of width 100 with 100 inputs (sigma_w^2 = 16, zero biases,
one linear output; issue 14: depth 14 gives about 380,000 pieces along one segment, each
further layer about 1.8x more) along the segment between two seeded N(0, I) points:

1. Time per piece of :func:`regions.streaming.trace_summary` against the in-memory
   :func:`regions.trace` at about 10^5 pieces (depth 12): best of ``--repeats``, interleaved
   (target: streaming within 1.25x). Both without ``num_linear_pieces`` (a Jacobian per
   piece, lazily computed by the Trace; ``linear_pieces=False`` in the summary).
2. The streamed summary at ``--depth`` (default 20: about 1.4 x 10^7 pieces), in a child process
   whose peak resident memory is read from the operating system (``getrusage`` of the
   child, ``ru_maxrss``) (target: under 2 GB), and the in-memory trace of the same network
   in a child with ``REGIONS_MEMORY_LIMIT=2G``, which must raise MemoryError (it would need
   about 33 GB) before it allocates beyond the limit.
3. The same job with :func:`regions.distributed.trace_summary` on a LocalCluster of 2
   single-threaded worker processes (cluster start-up not timed), its counts checked equal to
   the single-process run (target: at least 1.7x faster; the workers' peak memory too).
4. :func:`regions.streaming.partition_summary` of the box [-1.25, 1.25]^2 in the plane of a
   two-input hard-tanh network [2, 64, 64, 64, 64, 64, 1] (sigma_w^2 = 16, sigma_b = 0.5: with
   zero biases every boundary of every layer passes through the origin, a coincidence that
   exact decisions handle but that costs time again in every tile meeting it) in a child
   process: regions, time and peak resident memory (target: at least 10^6 regions under
   2 GB).

BLAS is single-threaded (``_bench.py``).

    python benchmarks/scale.py [--quick] [--depth 20] [--repeats 3] [--seed 0]
    python benchmarks/scale.py --only cluster [--depth 16] [--repeats 3]

``--quick`` (depth 13, a smaller partition) is a smoke run of a minute or two.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _bench  # noqa: E402  (sets the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from regions import Segment, random_network, trace  # noqa: E402
from regions.streaming import partition_summary, trace_summary  # noqa: E402

GB = 2 ** 30


def _net(depth: int, seed: int):
    return random_network([100] + [100] * depth + [1], "hardtanh", sigma_w=4.0, seed=seed)


def _segment(seed: int) -> Segment:
    x0, x1 = np.random.default_rng(seed).normal(size=(2, 100))
    return Segment(x0, x1)


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _child_summary(depth: int, seed: int, chunk_pieces: int):
    start = time.perf_counter()
    s = trace_summary(_net(depth, seed), _segment(seed), chunk_pieces=chunk_pieces,
                      linear_pieces=False)
    return s, time.perf_counter() - start, _peak_rss()


def _child_in_memory(depth: int, seed: int):
    os.environ["REGIONS_MEMORY_LIMIT"] = "2G"
    start = time.perf_counter()
    try:
        tr = trace(_net(depth, seed), _segment(seed))
        return f"no error: {tr.num_pieces} pieces", time.perf_counter() - start, _peak_rss()
    except MemoryError as err:
        return f"MemoryError: {err}", time.perf_counter() - start, _peak_rss()


def _child_partition(width: int, depth: int, half: float, seed: int, chunk_regions: int):
    net = random_network([2] + [width] * depth + [1], "hardtanh", sigma_w=4.0, sigma_b=0.5,
                         seed=seed)
    start = time.perf_counter()
    s = partition_summary(net, [[-half, -half], [half, half]], chunk_regions=chunk_regions)
    return s, time.perf_counter() - start, _peak_rss()


def _in_child(fn, *args):
    """``fn(*args)`` in a fresh process (spawned: its own peak memory)."""
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


def _mark(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main(argv=None) -> None:
    parser = _bench.arguments(__doc__, seed=0, repeats=3, seed_help="network and segment seed",
                              quick_help="depth 13 and a small partition (a smoke run)")
    parser.add_argument("--depth", type=int, default=None,
                        help="depth of the large trace (default 20; 13 with --quick)")
    parser.add_argument("--chunk-pieces", type=int, default=100_000)
    parser.add_argument("--steps", default="1,2,3,4",
                        help="which measurements to run (3 needs 2; default %(default)s)")
    parser.add_argument("--only", choices=["cluster"], default=None,
                        help="cluster: only the 2-worker cluster against one process, "
                             "interleaved (best of --repeats each; cluster start-up not "
                             "timed, reported apart) at --depth (default 16; 13 with "
                             "--quick)")
    args = _bench.parse(parser, argv)
    if args.only == "cluster":
        print(f"# scale benchmark, cluster only: {_bench.threads_line()}; "
              f"{os.cpu_count()} CPUs")
        _cluster_only(args, args.depth or (13 if args.quick else 16))
        return
    steps = {int(v) for v in args.steps.split(",") if v.strip()}
    if 3 in steps:
        steps.add(2)
    depth = args.depth or (13 if args.quick else 20)
    print(f"# scale benchmark: {_bench.threads_line()}; {os.cpu_count()} CPUs")

    if 1 in steps:
        _per_piece(args)
    if 2 in steps:
        s, t_one = _large(args, depth)
    if 3 in steps:
        _cluster(args, depth, s, t_one)
    if 4 in steps:
        _partition(args)


def _per_piece(args) -> None:
    """1. time per piece at ~1e5 pieces."""
    small = 10 if args.quick else 12
    net, seg = _net(small, args.seed), _segment(args.seed)
    n = trace(net, seg).num_pieces
    t_mem, t_str = _bench.best_times(
        [lambda: trace(net, seg).num_pieces,
         lambda: trace_summary(net, seg, chunk_pieces=args.chunk_pieces,
                               linear_pieces=False).num_pieces], args.repeats, 0.0)
    ratio = t_str / t_mem
    print(f"\n1. depth {small}: {n:,} pieces. in-memory trace {t_mem:.2f} s "
          f"({t_mem / n * 1e6:.1f} us/piece); streamed {t_str:.2f} s "
          f"({t_str / n * 1e6:.1f} us/piece): ratio {ratio:.2f} (target <= 1.25: "
          f"{_mark(ratio <= 1.25)})")



def _large(args, depth: int):
    """2. the large trace, streamed, in a child process; the in-memory one refused."""
    s, t_one, rss = _in_child(_child_summary, depth, args.seed, args.chunk_pieces)
    print(f"\n2. depth {depth}: {s.num_pieces:,} pieces, {s.transitions:,} transitions, "
          f"{s.num_chunks} chunks, in {t_one:.0f} s ({t_one / s.num_pieces * 1e6:.1f} "
          f"us/piece); peak resident memory {rss / GB:.2f} GB (targets: >= 1e7 pieces "
          f"{_mark(s.num_pieces >= 1e7)}, < 2 GB {_mark(rss < 2 * GB)})")
    msg, t_fail, rss_fail = _in_child(_child_in_memory, depth, args.seed)
    print(f"   in-memory trace with REGIONS_MEMORY_LIMIT=2G: after {t_fail:.1f} s, peak "
          f"{rss_fail / GB:.2f} GB: {msg[:400]}")
    return s, t_one


def _cluster(args, depth: int, s, t_one: float) -> None:
    """3. the same on a 2-worker LocalCluster."""
    try:
        from regions import distributed as dist
    except ImportError:  # pragma: no cover
        dist = None
    if dist is None or not dist.dask_available():
        print("\n3. dask.distributed is not installed: skipped (pip install 'regions[dask]')")
    else:
        with dist.executor(workers=2) as ex:
            ex.client.run(lambda: __import__("regions.streaming"))  # warm the workers
            start = time.perf_counter()
            d = dist.trace_summary(_net(depth, args.seed), _segment(args.seed), executor=ex,
                                   chunk_pieces=args.chunk_pieces, linear_pieces=False)
            t_two = time.perf_counter() - start
            worker_rss = ex.client.run(_peak_rss)
        same = (d.num_pieces, d.transitions_per_layer, d.sign_transitions_per_output) == \
            (s.num_pieces, s.transitions_per_layer, s.sign_transitions_per_output)
        speed = t_one / t_two
        print(f"\n3. 2-worker LocalCluster: {t_two:.0f} s, {speed:.2f}x the single process "
              f"(target >= 1.7x: {_mark(speed >= 1.7)}); counts identical: {same}; workers' "
              f"peak memory {max(worker_rss.values()) / GB:.2f} GB")


def _cluster_only(args, depth: int) -> None:
    """The long-trajectory job in this process and on a 2-worker LocalCluster, interleaved
    (one, two, one, two, ...): both best times and their ratio. The cluster is started and
    its workers warmed (regions imported, the network built once) before any timing."""
    from regions import distributed as dist

    if not dist.dask_available():
        print("dask.distributed is not installed: nothing to compare "
              "(pip install 'regions[dask]')")
        return
    net, seg = _net(depth, args.seed), _segment(args.seed)
    start = time.perf_counter()
    with dist.executor(workers=2) as ex:
        ex.client.run(lambda: __import__("regions.streaming"))
        t_start = time.perf_counter() - start
        kw = dict(chunk_pieces=args.chunk_pieces, linear_pieces=False)
        warm = dist.trace_summary(net, seg, executor=ex, **kw)  # (imports, first tasks)
        one, two = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            s = trace_summary(net, seg, **kw)
            one.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            d = dist.trace_summary(net, seg, executor=ex, **kw)
            two.append(time.perf_counter() - t0)
        same = (s.num_pieces, s.transitions_per_layer) == \
            (d.num_pieces, d.transitions_per_layer) == \
            (warm.num_pieces, warm.transitions_per_layer)
    ratio = min(one) / min(two)
    print(f"depth {depth}: {s.num_pieces:,} pieces; one process {min(one):.2f} s, 2-worker "
          f"cluster {min(two):.2f} s (best of {args.repeats}, interleaved; cluster start-up "
          f"{t_start:.1f} s, not timed): speed-up {ratio:.2f}x (target >= 1.7x: "
          f"{_mark(ratio >= 1.7)}); counts identical: {same}")
    print("   all times, one process: " + ", ".join(f"{t:.2f}" for t in one) +
          "; cluster: " + ", ".join(f"{t:.2f}" for t in two))


def _partition(args) -> None:
    """4. a 2-D partition in tiles."""
    width, pdepth, half = (32, 4, 0.5) if args.quick else (64, 5, 1.25)
    p, t_p, rss_p = _in_child(_child_partition, width, pdepth, half, args.seed, 20_000)
    print(f"\n4. partition of [-{half}, {half}]^2, [2, {width} x {pdepth}, 1] hard-tanh "
          f"(sigma_b = 0.5): "
          f"{p.num_regions:,} regions in {p.num_tiles} tiles, {t_p:.0f} s; peak resident "
          f"memory {rss_p / GB:.2f} GB (targets: >= 1e6 regions "
          f"{_mark(p.num_regions >= 1e6)}, < 2 GB {_mark(rss_p < 2 * GB)})")


if __name__ == "__main__":
    main()
