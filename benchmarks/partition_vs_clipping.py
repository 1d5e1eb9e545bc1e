"""Regions per second of :func:`regions.partition` against per-region polygon clipping.

For two-input ReLU networks with about 10^4 and about 10^5 regions this prints, from one
run, the time of ``regions.partition`` (float mode) on the whole plane and in a box, the time
of a straightforward polygon-clipping baseline written here in the same box, the regions per
second of each and the speed-up. The target is at least 10^5 regions per second for
``regions.partition`` in float mode.

The baseline
------------
A Python list of regions, each a convex polygon (a float64 array of its vertices) with the
affine map ``x -> A x + c`` of the current layer's outputs on it (``A``: m x 2, ``c``: m;
the input layer's is the identity). For each layer and each region (a Python loop) it
computes every neuron's pre-activation ``g_j . x + e_j`` on the region (``g = W A``,
``e = W c + b``) and its values at the region's vertices (one matrix product); a neuron
whose line does not cross the region only sets the region's pattern bit, and the region
is clipped neuron by neuron by the others: every piece so far is cut by Sutherland-Hodgman
against ``g.x + e >= 0`` and ``<= 0`` (vectorised over the piece's vertices with NumPy),
pieces of zero area being dropped. The ReLU pattern of each final piece is then composed
into its new affine map (``A' = D g``, ``c' = D e``, ``D`` the pattern). A value within
``tol * (|g_j|_1 max|x| + |e_j|)`` of zero (``tol`` = regions.DEFAULT_TOLERANCE) counts as
zero, and a point on a line belongs to the piece below, as in ``regions.partition``.

The baseline cannot represent unbounded regions, so both are compared in one box: the
bounding box of the finite vertices of the whole-plane partition, its half-widths enlarged by
10%, so that it holds every vertex and meets every region. ``partition(net, box).num_regions``
must equal the baseline's count, and the baseline's activation patterns must be those of
``partition(net, box)``: a correctness cross-check as well. On a mismatch the script says
which patterns only one side has and which ones ``partition`` gives to several regions,
checks up to ``--verify`` of each kind in exact arithmetic (does the pattern have a region
of positive area in the box?). When every disputed pattern is checked and ``partition`` is
right on all of them (the float baseline, whose tolerance is relative to the box, loses
tiny regions) the run goes on; otherwise it prints the table all the same and then raises. The
whole-plane partition's patterns are compared with the baseline's too, for information.

Timing: ``partition`` is the best of ``--repeats`` runs (whole plane and box), interleaved
with runs of the baseline; the baseline is repeated only when a run of it is cheap
(under ``cheap`` seconds), otherwise it is run once. A baseline run that exceeds
``--baseline-limit`` seconds is stopped; its time is then *extrapolated* from the regions it
produced per second in the layer it was stopped in (the count each layer must reach is known
from ``partition(net, box).patterns``), the table marks the figure with ``~`` and says so,
and the cross-check covers the regions of the parents it completed.

    python benchmarks/partition_vs_clipping.py [--quick] [--repeats 3] [--baseline-limit 120]

takes about a minute on an idle 2-vCPU VM (most of it the baseline at 10^5 regions, about
20 s, and the exact checks of a mismatch); ``--quick`` runs tiny networks in a couple of
seconds; ``--profile`` prints a cProfile of ``partition`` (whole plane) on the largest net.
"""

from __future__ import annotations

import math
import os
import sys
import time
import types
from collections import Counter
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import (  # noqa: E402  (first: one BLAS thread)
    arguments, fmt_time, parse, print_profile, threads_line,
)

import numpy as np  # noqa: E402

from regions import DEFAULT_TOLERANCE, partition, random_network  # noqa: E402

TARGET_RATE = 1e5  # regions per second of regions.partition, float mode

# Networks: (hidden width, depth), ReLU, He initialisation sigma_w^2 = 2, sigma_b = 1, one
# linear output. Widths chosen by trying (with the default seed) for about 10^4 and 10^5
# regions on the whole plane. cheap: the baseline is repeated when a run takes less than
# this many seconds. (A plain namespace, not a dataclass: the smoke test loads this file
# without registering it as a module.)
Config = types.SimpleNamespace

FULL = Config(nets=[(47, 3), (150, 3)], sigma_w2=2.0, sigma_b=1.0, cheap=10.0)
QUICK = Config(nets=[(6, 3), (10, 3)], sigma_w2=2.0, sigma_b=1.0, cheap=1.0)


# -- the baseline: per-region polygon clipping ----------------------------------------------


def _area2(poly):
    """Twice the signed area of a polygon (vertex rows in order)."""
    x, y = poly[:, 0], poly[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _split(poly, v):
    """Sutherland-Hodgman of a convex polygon against v >= 0 and v <= 0, where ``v`` are the
    (affine) values at its vertices, zeros where on the line, both strict signs present.
    Returns (part above, part below), vertex rows in order."""
    v_next = np.roll(v, -1)
    cross = v * v_next < 0
    k = v.shape[0]
    pts = np.empty((k, 2, 2))
    pts[:, 0] = poly
    p, q = poly[cross], np.roll(poly, -1, axis=0)[cross]
    t = v[cross] / (v[cross] - v_next[cross])
    pts[cross, 1] = p + t[:, None] * (q - p)
    up = np.empty((k, 2), dtype=bool)
    down = np.empty((k, 2), dtype=bool)
    up[:, 0] = v >= 0
    down[:, 0] = v <= 0
    up[:, 1] = down[:, 1] = cross
    flat = pts.reshape(-1, 2)
    return flat[up.reshape(-1)], flat[down.reshape(-1)]


def clipping_regions(weights, biases, box, tol=DEFAULT_TOLERANCE, limit=None, progress=None):
    """The ReLU regions in ``box`` (a convex polygon, counter-clockwise) by per-region
    polygon clipping (see the module docstring).

    ``weights``, ``biases``: the hidden ReLU layers (float64). Returns a dict: ``keys`` (one
    bytes pattern key per region: the bool patterns of all layers, concatenated),
    ``complete`` (False when stopped after ``limit`` seconds), ``layer_times``, and for a
    stopped run ``stopped_layer``, ``parents_done``, ``parents`` (of that layer),
    ``done_keys`` (the parent keys completed there) and ``children`` (their regions'
    keys)."""
    start = time.perf_counter()
    R = float(np.abs(box).max())
    m0 = weights[0].shape[1]
    # a region: (polygon, A, c, key)
    cells = [(np.asarray(box, dtype=np.float64), np.eye(m0), np.zeros(m0), b"")]
    layer_times = []
    for layer, (W, b) in enumerate(zip(weights, biases)):
        t_layer = time.perf_counter()
        out = []
        for done, (poly, A, c, key) in enumerate(cells):
            if limit is not None and done and time.perf_counter() - start > limit:
                # (at least one parent per layer is done: the layer's rate is measured)
                layer_times.append(time.perf_counter() - t_layer)
                return {"keys": None, "complete": False, "layer_times": layer_times,
                        "stopped_layer": layer, "parents_done": done, "parents": len(cells),
                        "done_keys": [cell[3] for cell in cells[:done]],
                        "children": [cell[3] for cell in out],
                        "elapsed": time.perf_counter() - start}
            G = W @ A  # pre-activation of neuron j on the region: G[j] . x + E[j]
            E = W @ c + b
            eps = tol * (np.abs(G).sum(axis=1) * R + np.abs(E))
            V = poly @ G.T + E  # (vertices, neurons)
            above = (V > eps).any(axis=0)
            below = (V < -eps).any(axis=0)
            pieces = [(poly, above.copy())]  # pattern: on iff some vertex strictly above
            for j in np.flatnonzero(above & below):
                g, e, ej = G[j], E[j], eps[j]
                nxt = []
                for P, pat in pieces:
                    v = P @ g + e
                    pos, neg = v > ej, v < -ej
                    if not neg.any():
                        pat[j] = pos.any()
                        nxt.append((P, pat))
                        continue
                    if not pos.any():
                        pat[j] = False
                        nxt.append((P, pat))
                        continue
                    P_up, P_down = _split(P, np.where(pos | neg, v, 0.0))
                    up_ok = P_up.shape[0] >= 3 and _area2(P_up) > 0
                    down_ok = P_down.shape[0] >= 3 and _area2(P_down) > 0
                    if up_ok and down_ok:
                        pat_down = pat.copy()
                        pat[j], pat_down[j] = True, False
                        nxt.append((P_up, pat))
                        nxt.append((P_down, pat_down))
                    else:  # a piece of zero area: the other side keeps the polygon
                        pat[j] = up_ok
                        nxt.append((P, pat))
                pieces = nxt
            for P, pat in pieces:
                out.append((P, G * pat[:, None], E * pat, key + pat.tobytes()))
        cells = out
        layer_times.append(time.perf_counter() - t_layer)
        if progress:
            progress(layer, len(cells), time.perf_counter() - start)
    return {"keys": [cell[3] for cell in cells], "complete": True, "layer_times": layer_times,
            "elapsed": time.perf_counter() - start}


def hidden_layers(net):
    """The ReLU layers of ``net`` (float64); the layers after the last ReLU must be linear
    (they split nothing)."""
    names = [act.name for act in net.activations]
    k = len(names)
    while k and names[k - 1] == "linear":
        k -= 1
    if any(name != "relu" for name in names[:k]):
        raise ValueError(f"the baseline handles ReLU layers then linear ones; got {names}")
    return ([np.asarray(w, dtype=np.float64) for w in net.weights[:k]],
            [np.asarray(b, dtype=np.float64) for b in net.biases[:k]])


# -- cross-checks against regions.partition ---------------------------------------------------


def prefix_keys(part, layers):
    """Per region of ``part``: its pattern over the first ``layers`` layers as a bool bytes
    key (the baseline's encoding)."""
    if layers == 0:
        return [b""] * part.num_regions
    rows = np.concatenate([p != 0 for p in part.patterns[:layers]], axis=1)
    rows = np.ascontiguousarray(rows)
    return [r.tobytes() for r in rows]


def exact_area(weights, biases, box, key):
    """Area (a Fraction) in ``box`` of the points whose ReLU pattern is ``key`` (the
    baseline's encoding), in rational arithmetic: the box clipped by every neuron's
    half-plane ``g.x + e >= 0`` (on) or ``<= 0`` (off), layer by layer, the network's
    float weights taken exactly. Positive iff the pattern has a region of positive area
    there. Slow (Fractions): for a few disputed patterns only."""
    widths = [w.shape[0] for w in weights]
    bits = np.frombuffer(key, dtype=bool)
    poly = [tuple(Fraction(float(v)) for v in p) for p in box]
    A = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]]
    c = [Fraction(0), Fraction(0)]
    pos = 0
    for W, b, m in zip(weights, biases, widths):
        Wf = [[Fraction(float(v)) for v in row] for row in W]
        G = [[sum(wr[k] * A[k][i] for k in range(len(A))) for i in range(2)] for wr in Wf]
        E = [sum(wr[k] * c[k] for k in range(len(c))) + Fraction(float(bj))
             for wr, bj in zip(Wf, b)]
        pat = bits[pos: pos + m]
        pos += m
        for (g0, g1), e, on in zip(G, E, pat):
            vals = [g0 * x + g1 * y + e for x, y in poly]
            out = []
            for i, (p, fp) in enumerate(zip(poly, vals)):
                q, fq = poly[(i + 1) % len(poly)], vals[(i + 1) % len(poly)]
                if (fp >= 0) if on else (fp <= 0):
                    out.append(p)
                if fp * fq < 0:
                    lam = fp / (fp - fq)
                    out.append((p[0] + lam * (q[0] - p[0]), p[1] + lam * (q[1] - p[1])))
            poly = [v for i, v in enumerate(out) if v != out[i - 1]] if len(out) > 1 else out
            if len(poly) < 3:
                return Fraction(0)
        A = [row if on else [Fraction(0), Fraction(0)] for row, on in zip(G, pat)]
        c = [e if on else Fraction(0) for e, on in zip(E, pat)]
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(poly, poly[1:] + poly[:1]))) / 2


def check_baseline(run, part_box, weights, biases, box, verify):
    """Compare the baseline's regions with those of ``partition(net, box)``: the counts and
    the activation patterns. Returns (ok, lines describing the comparison). On a mismatch
    the lines say which patterns only one side has, which patterns ``partition`` gives to
    more than one region, and whether up to ``verify`` patterns of each such group have
    positive area in exact arithmetic (i.e. are real regions)."""
    if run["complete"]:
        layers = len(run["layer_times"])
        got = list(run["keys"])
        want = prefix_keys(part_box, layers)
        what = "in the box"
    else:
        # stopped in layer L: the regions of the completed parents must be partition's
        # regions after layer L (distinct pattern prefixes over layers <= L) whose pattern
        # over layers < L is one of those parents'
        L = run["stopped_layer"]
        done = set(run["done_keys"])
        parent_len = len(next(iter(done))) if done else 0
        want = sorted({k for k in prefix_keys(part_box, L + 1) if k[:parent_len] in done})
        got = list(run["children"])
        what = (f"in layer {L + 1} (stopped), the regions of the {len(done):,} completed "
                f"parents (of {run['parents']:,})")
    if len(got) == len(want) and sorted(got) == sorted(want):
        return True, [f"{what}: counts equal ({len(got):,}) and activation patterns equal"]
    lines = [f"MISMATCH {what}: baseline {len(got):,} regions, partition(net, box) "
             f"{len(want):,}"]
    got_set, counts = set(got), Counter(want)
    groups = [
        ("patterns only the baseline has", sorted(got_set - set(counts))),
        ("patterns only partition has", sorted(set(counts) - got_set)),
        ("patterns partition gives to more than one region",
         sorted(k for k, n in counts.items() if n > 1)),
    ]
    if len(got_set) != len(got):
        groups.append(("patterns the baseline gives to more than one region",
                       sorted(k for k, n in Counter(got).items() if n > 1)))
    # partition is right if every pattern only it has is a real region, every pattern only
    # the baseline has is not, and it repeats none, all checked in exact arithmetic
    partition_right = True
    for label, keys in groups:
        line = f"{len(keys):,} {label}"
        if label.startswith("patterns partition gives"):
            extra = sum(counts[k] - 1 for k in keys)
            line += f" ({extra:,} surplus regions)"
            partition_right &= not keys
        if keys and verify > 0:
            areas = [exact_area(weights, biases, box, k) for k in keys[:verify]]
            real = [a for a in areas if a > 0]
            line += (f"; exact check of {len(areas)}: {len(real)} have positive area"
                     + (f" (smallest {float(min(real)):.2g}, largest {float(max(real)):.2g})"
                        if real else ""))
            if label == "patterns only partition has":
                partition_right &= len(areas) == len(keys) and len(real) == len(keys)
            elif label == "patterns only the baseline has":
                partition_right &= len(areas) == len(keys) and not real
        elif keys:
            partition_right = False
        lines.append(line)
    if partition_right:
        lines.append("every disputed pattern checked exactly: partition(net, box) is right, "
                     "the float baseline is not (it loses or invents tiny regions)")
    return partition_right, lines


def compare_plane(run, part):
    """One line comparing the whole-plane partition's patterns with the baseline's (the box
    meets every region of the plane, so they should be the same set). Informational."""
    keys = prefix_keys(part, len(run["layer_times"]))
    counts, got = Counter(keys), set(run["keys"])
    missing, extra = len(got - set(counts)), len(set(counts) - got)
    dup = sum(n - 1 for n in counts.values() if n > 1)
    if not (missing or extra or dup):
        return "whole plane: partition(net)'s patterns are the baseline's"
    return (f"whole plane (not checked, for information): partition(net) lacks {missing:,} "
            f"of the baseline's patterns, has {extra:,} it lacks, and {dup:,} surplus "
            "regions with a repeated pattern")


def layer_counts(part, layers):
    """Regions after each of the first ``layers`` layers (distinct pattern prefixes)."""
    return [len(set(prefix_keys(part, k))) for k in range(1, layers + 1)]


def extrapolated_time(run, counts):
    """Estimated time of a stopped baseline run: finished layers as measured; the stopped
    layer and the later ones at the rate (regions produced per second) of the stopped layer.
    ``counts``: regions after each layer, from partition."""
    L = run["stopped_layer"]
    finished = sum(run["layer_times"][:L])
    t_stop = run["layer_times"][L]
    produced = len(run["children"])
    if produced == 0 or t_stop <= 0:
        return math.inf
    rate = produced / t_stop
    return finished + counts[L] / rate + sum(counts[L + 1:]) / rate


# -- the benchmark -----------------------------------------------------------------------------


def blas_name():
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]
        blas = deps.get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


def load_average():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):  # not on every platform
        return "unknown"


def fmt_rate(rate):
    return f"{rate:,.0f}"


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv=None):
    """Run the benchmark, print the table; returns one dict of numbers per network."""
    parser = arguments(__doc__, 20240611, 3, "seed of the networks",
                       "tiny networks, for a smoke test of a few seconds")
    parser.add_argument("--baseline-limit", type=float, default=120.0,
                        help="seconds after which a baseline run is stopped and its time "
                             "extrapolated (default %(default)s)")
    parser.add_argument("--verify", type=int, default=1000,
                        help="on a mismatch, check this many disputed patterns per kind in "
                             "exact arithmetic (default %(default)s; slow: about 1 s each at "
                             "width 150)")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of partition (whole plane) on the largest net")
    args = parse(parser, argv)
    if not args.baseline_limit > 0:
        parser.error("--baseline-limit must be positive")
    cfg = QUICK if args.quick else FULL
    run_start = time.perf_counter()

    print("regions.partition vs per-region polygon clipping"
          + (" (--quick: tiny sizes)" if args.quick else ""))
    print(f"  cpus: {os.cpu_count()}, numpy {np.__version__} (BLAS: {blas_name()}), "
          f"python {sys.version.split()[0]}, load average {load_average()}")
    print(f"  BLAS threads: {threads_line()}")
    print(f"  seed {args.seed}; partition: best of {args.repeats} runs (float mode: certified "
          f"decisions, float64 geometry); baseline: repeated only while a run takes < {cfg.cheap:g} s, "
          f"stopped after {args.baseline_limit:g} s")
    print(f"  networks: widths [2, width x depth, 1], ReLU, W ~ N(0, {cfg.sigma_w2:g} / fan_in), "
          f"b ~ N(0, {cfg.sigma_b:g}^2)")
    print("  box: bounding box of the whole-plane partition's finite vertices, half-widths "
          "x 1.1")
    print(flush=True)

    seeds = np.random.SeedSequence(args.seed).spawn(len(cfg.nets))
    results, rows, notes, mismatches, largest = [], [], [], [], None
    for (width, depth), ss in zip(cfg.nets, seeds):
        widths = [2] + [width] * depth + [1]
        name = f"[2, {width} x {depth}, 1]"
        net = random_network(widths, "relu", sigma_w=math.sqrt(cfg.sigma_w2),
                             sigma_b=cfg.sigma_b, seed=np.random.default_rng(ss))
        weights, biases = hidden_layers(net)

        t_plane, part = timed(lambda: partition(net, exact=False))
        finite = part.points[~part.at_infinity]
        lo, hi = finite.min(axis=0), finite.max(axis=0)
        centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2, 1e-9) * 1.1
        box = np.array([[centre[0] - half[0], centre[1] - half[1]],
                        [centre[0] + half[0], centre[1] - half[1]],
                        [centre[0] + half[0], centre[1] + half[1]],
                        [centre[0] - half[0], centre[1] + half[1]]])
        t_box, part_box = timed(lambda: partition(net, box, exact=False))
        print(f"  {name}: {part.num_regions:,} regions on the whole plane, "
              f"{part_box.num_regions:,} in the box [{box[0, 0]:.3g}, {box[1, 0]:.3g}] x "
              f"[{box[0, 1]:.3g}, {box[2, 1]:.3g}]", flush=True)

        def progress(layer, count, elapsed):
            print(f"    baseline layer {layer + 1}: {count:,} regions, {elapsed:.1f} s",
                  flush=True)

        best_plane, best_box, best_base = t_plane, t_box, math.inf
        base_runs, run = 0, None
        for r in range(args.repeats):
            if r > 0:
                best_plane = min(best_plane, timed(lambda: partition(net, exact=False))[0])
                best_box = min(best_box, timed(lambda: partition(net, box, exact=False))[0])
            if run is None or (run["complete"] and best_base < cfg.cheap):
                this = clipping_regions(weights, biases, box, limit=args.baseline_limit,
                                        progress=progress if run is None and not args.quick
                                        else None)
                base_runs += 1
                if run is None:
                    run = this
                    ok, lines = check_baseline(run, part_box, weights, biases, box,
                                               args.verify)
                    if run["complete"]:
                        lines.append(compare_plane(run, part))
                    for line in lines:
                        print(f"    cross-check: {line}", flush=True)
                    if not ok:
                        mismatches.append((name, lines))
                if this["complete"]:
                    best_base = min(best_base, this["elapsed"])
        if run["complete"]:
            base_count = len(run["keys"])
            t_base, extrapolated = best_base, False
        else:
            counts = layer_counts(part_box, len(weights))
            t_base, extrapolated = extrapolated_time(run, counts), True
            base_count = None
            L = run["stopped_layer"]
            notes.append(
                f"{name}: baseline stopped after {fmt_time(run['elapsed'])} in layer {L + 1} of "
                f"{len(weights)} ({run['parents_done']:,} of {run['parents']:,} parents, "
                f"{len(run['children']):,} of {counts[L]:,} regions); its time is "
                f"EXTRAPOLATED at the {len(run['children']) / run['layer_times'][L]:,.0f} "
                f"regions/s of that layer: {fmt_time(t_base)}")
        n_plane, n_box = part.num_regions, part_box.num_regions
        rate_plane, rate_box = n_plane / best_plane, n_box / best_box
        rate_base = n_box / t_base
        speedup = t_base / best_box
        mark = "~" if extrapolated else ""
        rows.append((name, f"{n_plane:,}", f"{n_box:,}",
                     f"{base_count:,}" if base_count is not None else "(stopped)",
                     fmt_time(best_plane), fmt_time(best_box), mark + fmt_time(t_base),
                     fmt_rate(rate_plane), fmt_rate(rate_box), mark + fmt_rate(rate_base),
                     f"{mark}{speedup:.1f}x"))
        results.append({"network": name, "widths": widths, "regions_plane": n_plane,
                        "regions_box": n_box, "baseline_regions": base_count,
                        "partition_plane_s": best_plane, "partition_box_s": best_box,
                        "baseline_s": t_base, "baseline_runs": base_runs,
                        "baseline_extrapolated": extrapolated, "rate_plane": rate_plane,
                        "rate_box": rate_box, "rate_baseline": rate_base, "speedup": speedup})
        largest = (name, net)
        print(f"  done: {name} ({time.perf_counter() - run_start:.0f} s so far)", flush=True)

    header = ("network", "regions plane", "in box", "baseline", "partition plane",
              "partition box", "baseline", "plane reg/s", "box reg/s", "baseline reg/s",
              "speed-up")
    table = [header] + rows
    col = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    for k, r in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, col))))
        if k == 0:
            print("  ".join("-" * w for w in col))
    print()
    print("  regions: plane = partition(net), in box = partition(net, box), baseline = the "
          "clipping baseline's count in the box")
    print("  times: best of the runs; speed-up = baseline time / partition box time (same "
          "box, same regions)")
    for note in notes:
        print("  ~ " + note)
    for r in results:
        if r["baseline_runs"] > 1:
            print(f"  {r['network']}: baseline best of {r['baseline_runs']} runs")
    print()
    worst_plane = min(r["rate_plane"] for r in results)
    worst_box = min(r["rate_box"] for r in results)
    met = worst_plane >= TARGET_RATE
    print(f"target >= {TARGET_RATE:,.0f} regions/s for regions.partition (float): whole plane "
          f"lowest {worst_plane:,.0f}/s: {'met' if met else 'NOT met'}; in the box lowest "
          f"{worst_box:,.0f}/s: {'met' if worst_box >= TARGET_RATE else 'NOT met'}")
    print(f"total run time {time.perf_counter() - run_start:.1f} s, load average "
          f"{load_average()}")
    if mismatches:
        print()
        print("CROSS-CHECK FAILED: the baseline and partition(net, box) disagree on")
        for name, lines in mismatches:
            print(f"  {name}:")
            for line in lines:
                print(f"    {line}")

    if args.profile and largest is not None:
        name, net = largest
        print_profile(f"cProfile of partition(net) on {name}:",
                      lambda: partition(net, exact=False))
    if mismatches:
        raise AssertionError("the baseline's regions differ from partition(net, box)'s for "
                             + ", ".join(name for name, _ in mismatches)
                             + " (details printed above)")
    return results


if __name__ == "__main__":
    main()
