"""How close is :func:`regions.trace` to the cost of a forward pass, and what does sampling cost?

For each random network this prints, from one run:

* the time of ``trace`` on a :class:`~regions.Segment`;
* the time of a plain NumPy forward pass (matrix product, bias, activation per layer,
  float64) over as many points of the segment as the trace has pieces; a forward pass over
  the pieces is the floor for ``trace``, and the target is a ratio trace / forward of at
  most 2;
* how many equally spaced samples :func:`regions.sampling.sample_trace` needs to find 99% of
  the exact pieces, and how long ``sample_trace`` takes at that number of samples.

Networks (widths ``[dim, width x depth, 1]``, zero biases, ``random_network`` so that
W ~ N(0, sigma_w^2 / fan_in)):

* hard-tanh, depth 10, width 100, sigma_w^2 = 4;
* ReLU, depth 10, width 100, sigma_w^2 = 2 (He initialisation);
* hard-tanh, width 100, sigma_w^2 = 16, with the smallest depth (from 10 up) that gives over
  10^5 pieces on the segment.

Timings are the best of ``--repeats`` repeats with :func:`time.perf_counter`, trace and
forward pass measured in the same run with their repeats interleaved (the machine this was
written on, a 2-vCPU VM, drifts by up to 2x over minutes); a repeat of a fast call loops it
enough times to last a measurable while and reports the time per call. BLAS is made
single-threaded (see below) unless the environment says otherwise.

Sampling search
---------------
On a straight segment every activation region is convex, so it is met in one piece and the
pieces have pairwise different patterns. Two consecutive samples therefore have different
patterns exactly when they lie in different pieces, and ``sample_trace(net, seg,
n).num_pieces`` equals the number of exact pieces that contain at least one of the ``n``
samples. The script uses this (computed from ``trace(...).edges`` in O(pieces) per ``n``) to
find the smallest ``n`` by doubling and then integer bisection, and then *runs*
``sample_trace`` at that ``n`` (timed: that is the reported sampling time) to check that it
really reaches 99%, and at ``n - 1`` (when that is quick enough) to check that it does not.
Running ``sample_trace`` itself inside the search would cost minutes per network for the
deep one (~35 us per sample there on this machine). If the smallest ``n`` exceeds
``--max-samples`` or its estimated ``sample_trace`` time exceeds ``--sample-budget``, the
table says ``> cap`` and the details give the prediction.

``sample_trace`` keeps the pre-activations, activations and patterns of every layer for every
sample (about 20 kB per sample at depth 12, width 100), so millions of samples do not fit in
memory at once. It is therefore run on consecutive chunks of the parameter range: chunk
``[s, e]`` of the global sample indices is ``sample_trace(net, Segment(x(t_s), x(t_e)),
e - s + 1)``, whose samples are the global samples ``t_s .. t_e`` (up to rounding in the last
bits of the points, which moves a count only if a knot lies within ~1e-15 of a sample).
Chunks do not overlap, and the pattern change between the last sample of one chunk and the
first sample of the next is counted too, so the total is the count ``sample_trace`` would
give in one call. The reported time is the sum over the chunks.

Run ``python benchmarks/trace_vs_forward.py`` (about four minutes on 2 vCPUs, most of it
sampling the deep network), ``--quick`` for a few-second smoke run on tiny networks,
``--profile`` to print a cProfile of ``trace`` for every network whose ratio exceeds 2.
"""

from __future__ import annotations

import math
import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import (  # noqa: E402  (first: one BLAS thread)
    arguments, best_times, fmt_time, parse, print_profile, threads_line,
)

import numpy as np  # noqa: E402

from regions import Segment, random_network, trace  # noqa: E402
from regions.sampling import sample_trace  # noqa: E402

TARGET_RATIO = 2.0
FRACTION = 0.99


# Sizes and limits. dim: input dimension; width, depth: the two fixed networks (hidden
# layers); deep_*: the search for the deep network; max_samples, sample_budget: caps of the
# sampling search (sample_budget bounds one sample_trace run at the found n, in seconds);
# check_below_budget: also run sample_trace at n - 1 when the run at n took less than this;
# chunk_bytes: memory of one sample_trace chunk; min_time: a timing repeat loops a fast call
# until it lasts this long. (A plain namespace, not a dataclass: the smoke test loads this
# file without registering it as a module.)
Config = types.SimpleNamespace

FULL = Config(dim=100, width=100, depth=10, deep_sigma_w2=16.0, deep_min_pieces=10**5,
              deep_start_depth=10, deep_max_depth=24, max_samples=2 * 10**7,
              sample_budget=600.0, check_below_budget=30.0, chunk_bytes=512 * 2**20,
              min_time=0.2)
QUICK = Config(dim=16, width=16, depth=3, deep_sigma_w2=16.0, deep_min_pieces=300,
               deep_start_depth=3, deep_max_depth=12, max_samples=2**18,
               sample_budget=2.0, check_below_budget=0.5, chunk_bytes=8 * 2**20,
               min_time=0.01)


# -- the floor: a plain NumPy forward pass ---------------------------------------------------


def make_forward(net):
    """A plain float64 forward pass written here (not the library's): per layer one matrix
    product, the bias and the activation, in place where possible."""
    layers = [(np.ascontiguousarray(w.T, dtype=np.float64), np.asarray(b, dtype=np.float64),
               act.name) for w, b, act in zip(net.weights, net.biases, net.activations)]
    for _, _, name in layers:
        if name not in ("relu", "hardtanh", "linear"):
            raise ValueError(f"no baseline for activation {name!r}")

    def forward(x):
        z = x
        for wt, b, name in layers:
            h = z @ wt
            h += b
            if name == "relu":
                np.maximum(h, 0.0, out=h)
            elif name == "hardtanh":
                np.clip(h, -1.0, 1.0, out=h)
            z = h
        return z

    return forward


FORWARD_BLOCK = 512


def forward_on_segment(forward, x0, x1, n, block=None):
    """The baseline that is timed: ``n`` equally spaced points of the segment, then the
    forward pass over them, in one batch (``block=None``) or in blocks of ``block`` points
    taken through all layers in turn. Blocks keep the layer arrays in cache and avoid
    allocating (and page-faulting) a fresh n x width array per layer, which is faster once
    n is in the tens of thousands; the faster of the two is the floor."""
    t = np.linspace(0.0, 1.0, n)
    d = x1 - x0
    if block is None or n <= block:
        return forward(x0 + t[:, None] * d)
    out = None
    for s in range(0, n, block):
        z = forward(x0 + t[s:s + block, None] * d)
        if out is None:
            out = np.empty((n, z.shape[1]))
        out[s:s + block] = z
    return out


# -- timing ------------------------------------------------------------------------------------


# -- sampling ------------------------------------------------------------------------------------


def pieces_hit(edges, n):
    """``sample_trace(net, seg, n).num_pieces`` predicted from the exact piece edges: the
    number of pieces [e_j, e_j+1) holding a sample i / (n - 1) (see the module docstring)."""
    m = n - 1
    first = np.ceil(edges[:-1] * m)  # first sample index at or after the piece's start
    end = edges[1:] * m
    hit = first < end
    hit[-1] = first[-1] <= end[-1]  # the last piece is closed: it holds the sample t = 1
    return int(np.count_nonzero(hit))


def smallest_n(edges, target, cap):
    """Smallest n >= 2 with ``pieces_hit(edges, n) >= target``: doubling (n = 2^k + 1), then
    integer bisection. None if it exceeds ``cap``. The count is not exactly monotone in n
    (the grids are not nested), so this is the bisection's threshold, with the count at n
    reaching the target and at n - 1 not."""
    lo, hi = 1, 2
    while pieces_hit(edges, hi) < target:
        if hi > cap:
            return None
        lo, hi = hi, 2 * hi - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid >= 2 and pieces_hit(edges, mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi if hi <= cap else None


def chunk_samples(net, cfg):
    """Samples per ``sample_trace`` chunk so that one chunk stays near ``cfg.chunk_bytes``."""
    widths = net.widths
    per_sample = 8 * (2 * sum(widths[1:]) + 3 * widths[0]) + sum(widths[1:])
    return max(256, cfg.chunk_bytes // per_sample)


def chunked_sample_pieces(net, seg, n, chunk, max_chunks=None):
    """``sample_trace(net, seg, n).num_pieces`` computed on chunks of at most ``chunk``
    samples (see the module docstring); returns (num_pieces, seconds). With ``max_chunks``
    only the first chunks are run (to estimate the time of the whole)."""
    parts = math.ceil(n / chunk)
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)  # every chunk has >= 2 samples
    changes, prev_last = 0, None
    start = time.perf_counter()
    for s, stop in list(zip(bounds[:-1], bounds[1:]))[:max_chunks]:
        s, e = int(s), int(stop) - 1
        # the points of global samples s and e, evaluated by the segment itself
        xa, xb = seg(np.array([s / (n - 1), e / (n - 1)]))
        st = sample_trace(net, Segment(xa, xb), e - s + 1)
        changes += st.num_changes
        if prev_last is not None and any(
            not np.array_equal(p[0], q) for p, q in zip(st.patterns, prev_last)
        ):
            changes += 1  # the pattern changes across the chunk border
        prev_last = [p[-1].copy() for p in st.patterns]
        del st
    return changes + 1, time.perf_counter() - start


def sampling_search(net, seg, edges, cfg):
    """Returns a dict describing the search: n, time, counts at n and n - 1, or a cap."""
    pieces = edges.shape[0] - 1
    target = math.ceil(FRACTION * pieces)
    n = smallest_n(edges, target, cfg.max_samples)
    info = {"target": target, "n": n, "capped": None, "time": None, "count": None,
            "below": None, "predicted_below": None}
    if n is None:
        info["capped"] = f"n > {cfg.max_samples:,} (max samples)"
        return info
    info["predicted_below"] = pieces_hit(edges, n - 1) if n > 2 else None
    chunk = chunk_samples(net, cfg)
    if n > chunk:  # estimate the time from the first chunk before committing to the run
        _, probe_time = chunked_sample_pieces(net, seg, n, chunk, max_chunks=1)
        estimate = probe_time * n / chunk
        if estimate > cfg.sample_budget:
            info["capped"] = (f"estimated {estimate:.0f} s > {cfg.sample_budget:g} s budget "
                              f"(predicted n = {n:,})")
            return info
    info["count"], info["time"] = chunked_sample_pieces(net, seg, n, chunk)
    if n > 2 and info["time"] < cfg.check_below_budget:
        info["below"], _ = chunked_sample_pieces(net, seg, n - 1, chunk)
    return info


# -- the benchmark -----------------------------------------------------------------------------


def build_deep(cfg, rng_seed, seg):
    """The smallest depth (from cfg.deep_start_depth) whose hard-tanh net with sigma_w^2 =
    cfg.deep_sigma_w2 gives over cfg.deep_min_pieces pieces; returns (net, depth)."""
    sigma_w = math.sqrt(cfg.deep_sigma_w2)
    for depth in range(cfg.deep_start_depth, cfg.deep_max_depth + 1):
        net = random_network([cfg.dim] + [cfg.width] * depth + [1], "hardtanh",
                             sigma_w=sigma_w, seed=np.random.default_rng(rng_seed))
        if trace(net, seg).num_pieces > cfg.deep_min_pieces:
            return net, depth
    raise RuntimeError(f"no depth up to {cfg.deep_max_depth} gives over "
                       f"{cfg.deep_min_pieces} pieces")


def blas_name():
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]
        blas = deps.get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


def fmt_pct(count, total):
    """Percentage rounded down, so that a count below 99% never prints as 99.00%."""
    return f"{math.floor(10000 * count / total) / 100:.2f}%"


def main(argv=None):
    """Run the benchmark, print the table; returns one dict of numbers per network."""
    parser = arguments(__doc__, 20240611, 3, "seed of the segment and the networks",
                       "tiny networks, for a smoke test of a few seconds")
    parser.add_argument("--max-samples", type=int, default=None,
                        help="cap on the samples of the 99%% search")
    parser.add_argument("--sample-budget", type=float, default=None,
                        help="seconds allowed for one sample_trace run at the found n")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of trace for every network with ratio > 2")
    args = parse(parser, argv)
    cfg = QUICK if args.quick else FULL
    if args.max_samples is not None:
        cfg = Config(**{**vars(cfg), "max_samples": args.max_samples})
    if args.sample_budget is not None:
        cfg = Config(**{**vars(cfg), "sample_budget": args.sample_budget})
    run_start = time.perf_counter()

    seeds = np.random.SeedSequence(args.seed).spawn(4)
    rng = np.random.default_rng(seeds[0])
    x0, x1 = rng.standard_normal(cfg.dim), rng.standard_normal(cfg.dim)
    seg = Segment(x0, x1)

    print("trace vs forward pass" + (" (--quick: tiny sizes)" if args.quick else ""))
    print(f"  cpus: {os.cpu_count()}, numpy {np.__version__} (BLAS: {blas_name()}), "
          f"python {sys.version.split()[0]}")
    print(f"  BLAS threads: {threads_line()}")
    print(f"  seed {args.seed}, best of {args.repeats} repeats (time.perf_counter)")
    print(f"  input dimension {cfg.dim}; segment between two N(0, I) points with norms "
          f"{np.linalg.norm(x0):.2f} and {np.linalg.norm(x1):.2f} (length "
          f"{np.linalg.norm(x1 - x0):.2f})")
    print(f"  networks: widths [{cfg.dim}, {cfg.width} x depth, 1], zero biases, "
          "W ~ N(0, sigma_w^2 / fan_in)")
    print(f"  forward = NumPy float64 forward pass over num_pieces points of the segment; "
          f"target ratio trace/forward <= {TARGET_RATIO:g}")
    print(f"  samples for {FRACTION:.0%}: smallest n with sample_trace(net, seg, n).num_pieces "
          f">= {FRACTION:.0%} of the exact count; cap {cfg.max_samples:,} samples or "
          f"{cfg.sample_budget:g} s for the sample_trace run")
    print(flush=True)

    sw_ht, sw_relu = math.sqrt(4.0), math.sqrt(2.0)
    nets = [
        (f"hardtanh s_w^2=4 depth {cfg.depth}",
         random_network([cfg.dim] + [cfg.width] * cfg.depth + [1], "hardtanh",
                        sigma_w=sw_ht, seed=np.random.default_rng(seeds[1]))),
        (f"relu s_w^2=2 depth {cfg.depth}",
         random_network([cfg.dim] + [cfg.width] * cfg.depth + [1], "relu",
                        sigma_w=sw_relu, seed=np.random.default_rng(seeds[2]))),
    ]
    deep, deep_depth = build_deep(cfg, seeds[3], seg)
    nets.append((f"hardtanh s_w^2={cfg.deep_sigma_w2:g} depth {deep_depth}", deep))
    print(f"  deep network: depth {deep_depth} is the smallest from {cfg.deep_start_depth} "
          f"giving over {cfg.deep_min_pieces:,} pieces", flush=True)

    rows, details, slow, results = [], [], [], []
    for name, net in nets:
        tr = trace(net, seg)
        pieces = tr.num_pieces
        forward = make_forward(net)
        check = np.linspace(0.0, 1.0, 7)
        ref = net(x0 + check[:, None] * (x1 - x0))
        got = forward_on_segment(forward, x0, x1, 7)
        got_blocks = forward_on_segment(forward, x0, x1, 7, 3)
        scale = 1e-9 * max(1.0, float(np.abs(ref).max()))
        if not (np.allclose(got, ref, rtol=1e-9, atol=scale)
                and np.allclose(got_blocks, ref, rtol=1e-9, atol=scale)):
            raise AssertionError(f"baseline forward pass disagrees with the network on {name}")
        fns = [lambda: trace(net, seg), lambda: forward_on_segment(forward, x0, x1, pieces)]
        if pieces > FORWARD_BLOCK:
            fns.append(lambda: forward_on_segment(forward, x0, x1, pieces, FORWARD_BLOCK))
        times = best_times(fns, args.repeats, cfg.min_time)
        t_trace, t_batch, t_block = times[0], times[1], times[-1]
        t_fwd = min(t_batch, t_block)
        ratio = t_trace / t_fwd
        if ratio > TARGET_RATIO:
            slow.append((name, net))
        info = sampling_search(net, seg, np.asarray(tr.edges, dtype=np.float64), cfg)
        if info["capped"]:
            n_text, s_text = "> cap", "> cap"
        else:
            n_text, s_text = f"{info['n']:,}", fmt_time(info["time"])
        rows.append((name, f"{pieces:,}", fmt_time(t_trace), fmt_time(t_fwd),
                     f"{ratio:.2f}", n_text, s_text))
        results.append({"network": name, "depth": net.num_layers - 1, "pieces": pieces,
                        "trace_s": t_trace, "forward_s": t_fwd, "forward_batch_s": t_batch,
                        "forward_blocks_s": t_block, "ratio": ratio,
                        "samples_99": None if info["capped"] else info["n"],
                        "sample_trace_s": info["time"], "sampled_pieces": info["count"],
                        "capped": info["capped"]})
        details.append((name, pieces, info, t_batch, t_block))
        print(f"  done: {name} ({time.perf_counter() - run_start:.0f} s so far)", flush=True)

    header = ("network", "pieces", "trace", "forward", "trace/fwd", f"samples {FRACTION:.0%}",
              "sample_trace")
    table = [header] + rows
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    for k, r in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))

    print()
    print(f"forward variants (the table uses the faster): one batch / blocks of "
          f"{FORWARD_BLOCK} points")
    for name, pieces, _, t_batch, t_block in details:
        print(f"  {name}: {fmt_time(t_batch)} / "
              + (fmt_time(t_block) if pieces > FORWARD_BLOCK else "(same: one block)"))
    print()
    print("sampling details:")
    for name, pieces, info, _, _ in details:
        line = f"  {name}: need {info['target']:,} of {pieces:,} pieces; "
        if info["capped"]:
            line += info["capped"]
        else:
            line += (f"sample_trace at n = {info['n']:,} found {info['count']:,} "
                     f"({fmt_pct(info['count'], pieces)})")
            if info["below"] is not None:
                line += f", at n - 1 {info['below']:,} ({fmt_pct(info['below'], pieces)})"
            elif info["predicted_below"] is not None:
                line += (f", at n - 1 not run (slow); predicted {info['predicted_below']:,} "
                         f"({fmt_pct(info['predicted_below'], pieces)})")
            ok = info["count"] >= info["target"] and (
                info["below"] is None or info["below"] < info["target"])
            if not ok:
                line += "  [prediction from the exact edges NOT confirmed]"
        print(line)
    worst = max(r["ratio"] for r in results)
    print()
    print(f"worst ratio trace/forward: {worst:.2f} (target <= {TARGET_RATIO:g}: "
          f"{'met' if worst <= TARGET_RATIO else 'NOT met'})")
    print(f"total run time {time.perf_counter() - run_start:.1f} s")

    if args.profile:
        for name, net in slow:
            print_profile(f"cProfile of trace on {name} (ratio > {TARGET_RATIO:g}):",
                          lambda: trace(net, seg), 10)
    return results


if __name__ == "__main__":
    main()
