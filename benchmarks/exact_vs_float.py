"""What do exact answers cost against float64, in trace and in partition?

For each case below this prints, from one run: the piece or region count (and whether float,
certified and rational agree), the time of float mode, of certified mode (``exact=True``)
and of rational mode (``exact=regions.RATIONAL``), each exact time over the float time, and
what the certified filter did: the exact values it computed over the decisions it took in
float with an error bound (trace), with the values its double-double middle stage settled in
parentheses, or that it fell back to rational arithmetic throughout.

Cases (networks from :func:`regions.random_network`, W ~ N(0, sigma_w^2 / fan_in), one
linear output; segments between two seeded N(0, I) points):

* ``trace(net, Segment(x0, x1), exact=...)`` on a [20, 32, 32, 32, 1] ReLU net (sigma_w^2 = 2,
  zero biases), a [20, 50, 50, 50, 50, 1] hard-tanh net (sigma_w^2 = 16, zero biases), and
  depth-10 width-100 nets with 100 inputs: ReLU (sigma_w^2 = 2) and hard-tanh (sigma_w^2 = 4,
  as in ``trace_vs_forward.py``), zero biases;
* ``partition(net, exact=...)`` of the whole plane on [2, 16 x 3, 1], [2, 32 x 3, 1] and
  [2, 50 x 3, 1] ReLU nets (He initialisation sigma_w^2 = 2, sigma_b = 1);
* a coincidence-heavy construction: Montufar et al.'s folding network
  (:func:`regions.constructions.folding_network`, two inputs, hidden widths (6, 6, 6, 6)),
  whose fold lines meet in many common points, partitioned over the whole plane and in its
  box (where the exact count must be their closed-form bound, 16,038). Its weights are
  Fractions; float mode converts them to float64, and may raise or disagree (reported).

Float mode is ``exact=regions.FLOAT``: float64 with a tolerance (for ``partition``, the
tolerance engine alone; ``partition(exact=False)`` takes the certified decisions with float
geometry, about the certified time). Certified mode is ``exact=True`` (:mod:`regions.certified`): float decisions with rigorous
error bounds, exact values where a bound does not settle one; its counts are those of
rational arithmetic. Rational mode is ``exact=regions.RATIONAL``: float weights and points
at their exact binary values, gmpy2 ``mpq`` numbers and python-flint matrix products when
installed (the header says which). A certified result computes its exact geometry (knots,
lengths; vertices, maps, areas) when first read: not timed here, it costs about a rational
run.

Timing: each float call is run once first, untimed (its count, or the error it raises).
Then one timed float repeat, one run of each exact mode stopped by a timer (SIGALRM) after
``--budget`` seconds, then ``--repeats - 1`` further repeats of every mode that finished,
interleaved by :func:`_bench.best_times`; each mode's time is its best of ``--repeats``. A
stopped exact run is reported as ``> budget`` (a lower bound) and not repeated. A repeat of a fast call
loops it until it lasts ``min_time`` and reports the time per call. BLAS is made
single-threaded (see ``_bench.py``). Without SIGALRM (Windows, or not the main thread) the
exact runs are not capped.

    python benchmarks/exact_vs_float.py [--quick] [--repeats 3] [--seed 20240611] [--budget 120]
        [--only trace|partition] [--match TEXT] [--no-rational]

(``--only trace --no-rational`` times the trace rows in float and certified mode only, in
seconds; ``--match 'hardtanh [100'`` keeps the rows whose network name contains the text.)

takes about 5 minutes on a 2-vCPU VM with gmpy2 and python-flint (the slowest case, the
depth-10 hard-tanh trace, takes ~40 s per rational run; ``--budget`` bounds such cases). ``--quick`` runs
tiny networks ([4, 8, 8, 1] traces, a [2, 6, 6, 1] partition, folding (2, 2)) in a few
seconds.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import (  # noqa: E402  (first: one BLAS thread)
    arguments, best_times, fmt_time, parse, threads_line,
)

import numpy as np  # noqa: E402

from regions import Segment, partition, random_network, trace  # noqa: E402
from regions import _rational  # noqa: E402
from regions.kinds import FLOAT, RATIONAL, rational_backend  # noqa: E402
from regions.constructions import box_polygon, folding_network  # noqa: E402

# Cases. trace: (widths, activation, sigma_w^2); partition: (widths, sigma_w^2, sigma_b),
# ReLU; folding: hidden widths (two inputs). min_time: a timing repeat loops a fast call until
# it lasts this long. (A plain namespace, not a dataclass: the smoke test loads this file
# without registering it as a module.)
Config = types.SimpleNamespace

FULL = Config(
    trace=[([20, 32, 32, 32, 1], "relu", 2.0),
           ([20, 50, 50, 50, 50, 1], "hardtanh", 16.0),
           ([100] + [100] * 10 + [1], "relu", 2.0),
           ([100] + [100] * 10 + [1], "hardtanh", 4.0)],
    partition=[([2, 16, 16, 16, 1], 2.0, 1.0),
               ([2, 32, 32, 32, 1], 2.0, 1.0),
               ([2, 50, 50, 50, 1], 2.0, 1.0)],
    folding=(6, 6, 6, 6), min_time=0.2)
QUICK = Config(
    trace=[([4, 8, 8, 1], "relu", 2.0),
           ([4, 8, 8, 1], "hardtanh", 16.0)],
    partition=[([2, 6, 6, 1], 2.0, 1.0)],
    folding=(2, 2), min_time=0.01)


# -- an exact run under a time budget ----------------------------------------------------------


class _OverBudget(Exception):
    pass


def can_cap():
    return (hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
            and threading.current_thread() is threading.main_thread())


def run_capped(fn, budget):
    """``(result, seconds, stopped)`` of one call of ``fn``, stopped after ``budget`` seconds
    (then result None, stopped True). Uncapped when SIGALRM is unavailable."""
    if not can_cap():
        start = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - start, False
    state = {"done": False}

    def on_alarm(signum, frame):
        if not state["done"]:
            raise _OverBudget

    previous = signal.signal(signal.SIGALRM, on_alarm)
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        out = fn()
        state["done"] = True
        stopped = False
    except _OverBudget:
        out, stopped = None, True
    finally:
        state["done"] = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return out, time.perf_counter() - start, stopped


def measure(modes, count, repeats, min_time, budget):
    """Counts and times of one case in each mode (``modes``: (label, fn) pairs, float
    first); see the module docstring. Returns a dict per label."""
    out = {}
    label0, float_fn = modes[0]
    try:
        out[label0] = {"result": float_fn(), "error": None, "stopped": False}
    except Exception as exc:  # float mode may fail on coincidences: report it
        out[label0] = {"result": None, "error": f"{type(exc).__name__}: {exc}",
                       "stopped": False}
    out[label0]["time"] = None if out[label0]["error"] else \
        best_times([float_fn], 1, min_time)[0]
    for label, fn in modes[1:]:  # each exact mode once under the budget
        result, seconds, stopped = run_capped(fn, budget)
        out[label] = {"result": result, "error": None, "stopped": stopped, "time": seconds}
    live = [(label, fn) for label, fn in modes
            if not out[label]["error"] and not out[label]["stopped"]]
    if live and repeats > 1:  # interleaved repeats of every mode that finished
        times = best_times([fn for _, fn in live], repeats - 1, min_time)
        for (label, _), t in zip(live, times):
            out[label]["time"] = min(out[label]["time"], t)
    for r in out.values():
        r["count"] = None if r["result"] is None else count(r["result"])
        stats = getattr(r["result"], "filter_stats", None)
        r["stats"] = stats
        r["result"] = None
    t0 = out[label0]["time"]
    for r in out.values():
        r["ratio"] = None if t0 is None or r["time"] is None else r["time"] / t0
    return out


# -- formatting --------------------------------------------------------------------------------


def fmt_ratio(r):
    if r["ratio"] is None:
        return "-"
    text = f"{r['ratio']:,.0f}" if r["ratio"] >= 100 else f"{r['ratio']:.1f}"
    return ("> " if r["stopped"] else "") + text


def fmt_count(n):
    return "?" if n is None else f"{n:,}"


def fmt_filter(stats):
    """The certified run's filter: exact values per decision, or that it fell back."""
    if stats is None:
        return "-"
    if stats.fell_back:
        return f"fell back ({stats.reason.split(':')[-1].strip()[:40]})"
    refined = getattr(stats, "refined", 0)
    return f"{stats.exact:,} / {stats.decisions:,}" + (
        f" ({refined:,} double-double)" if refined else "")


def agreement(out):
    counts = {label: r["count"] for label, r in out.items() if r["count"] is not None}
    errors = [label for label, r in out.items() if r["error"]]
    text = "yes" if len(set(counts.values())) <= 1 else "NO"
    return text + ("" if not errors else " (float raised)")


def net_name(widths, activation, sigma_w2, sigma_b=0.0):
    hidden = widths[1:-1]
    inner = (f"{hidden[0]}x{len(hidden)}" if len(set(hidden)) == 1
             else ", ".join(map(str, hidden)))
    text = f"{activation} [{widths[0]}, {inner}, {widths[-1]}] s_w^2={sigma_w2:g}"
    return text + (f" s_b={sigma_b:g}" if sigma_b else "")


def folding_bound(widths, n0):
    """Montufar et al.'s count in the folding network's box."""
    folds = math.prod((w // n0) ** n0 for w in widths[:-1])
    return folds * sum(math.comb(widths[-1], j) for j in range(n0 + 1))


def flint_line():
    flint = _rational._flint()
    if flint is None:
        return "python-flint: not installed (exact products in NumPy object arrays)"
    return f"python-flint: installed ({getattr(flint, '__version__', '?')})"


# -- the benchmark -----------------------------------------------------------------------------


def main(argv=None):
    """Run the benchmark, print the table; returns one dict of numbers per row."""
    parser = arguments(__doc__, 20240611, 3, "seed of the segments and the networks",
                       "tiny networks, for a smoke test of a few seconds")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds after which an exact run is stopped and reported as a "
                             "lower bound (default %(default)s)")
    parser.add_argument("--only", choices=("trace", "partition"), default=None,
                        help="run only the trace rows or only the partition rows (with the "
                             "folding network)")
    parser.add_argument("--match", default=None,
                        help="run only the cases whose network name contains this text "
                             "(e.g. 'hardtanh [100')")
    parser.add_argument("--no-rational", action="store_true",
                        help="skip the rational mode (time float and certified only)")
    args = parse(parser, argv)
    if not args.budget > 0:
        parser.error("--budget must be positive")
    cfg = QUICK if args.quick else FULL
    run_start = time.perf_counter()

    print("exact vs float mode" + (" (--quick: tiny sizes)" if args.quick else ""))
    print(f"  cpus: {os.cpu_count()}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"  {flint_line()}; rational elements: {rational_backend()}")
    print(f"  BLAS threads: {threads_line()}")
    print(f"  seed {args.seed}, best of {args.repeats} repeats (time.perf_counter), exact runs "
          f"stopped after {args.budget:g} s"
          + ("" if can_cap() else " (NOT capped here: no SIGALRM in this thread)"))
    print("  traces on a segment between two N(0, I) points; partitions of the whole plane")
    print(flush=True)

    seeds = iter(np.random.SeedSequence(args.seed).spawn(2 * len(cfg.trace)
                                                         + len(cfg.partition)))
    cases = []  # (network, what, {mode: fn}, count)

    def modes(call):
        out = [("float", lambda: call(FLOAT)), ("certified", lambda: call(True))]
        return out if args.no_rational else out + [("rational", lambda: call(RATIONAL))]

    for widths, act, sw2 in cfg.trace:
        net = random_network(widths, act, sigma_w=math.sqrt(sw2),
                             seed=np.random.default_rng(next(seeds)))
        rng = np.random.default_rng(next(seeds))
        seg = Segment(rng.standard_normal(widths[0]), rng.standard_normal(widths[0]))
        cases.append((net_name(widths, act, sw2), "trace",
                      modes(lambda ex, net=net, seg=seg: trace(net, seg, exact=ex)),
                      lambda tr: tr.num_pieces))
    for widths, sw2, sb in cfg.partition:
        net = random_network(widths, "relu", sigma_w=math.sqrt(sw2), sigma_b=sb,
                             seed=np.random.default_rng(next(seeds)))
        cases.append((net_name(widths, "relu", sw2, sb), "partition",
                      modes(lambda ex, net=net: partition(net, exact=ex)),
                      lambda part: part.num_regions))
    fold, (lo, hi) = folding_network(cfg.folding, n0=2)
    fold_name = f"folding {tuple(cfg.folding)}, 2 inputs"
    box = box_polygon(lo, hi)
    cases.append((fold_name, "partition", modes(lambda ex: partition(fold, exact=ex)),
                  lambda part: part.num_regions))
    cases.append((fold_name, "partition (box)", modes(lambda ex: partition(fold, box, exact=ex)),
                  lambda part: part.num_regions))

    if args.only is not None:
        cases = [c for c in cases if c[1].startswith(args.only)]
    if args.match is not None:
        cases = [c for c in cases if args.match in c[0]]
    results = []
    for name, what, mode_fns, count in cases:
        out = measure(mode_fns, count, args.repeats, cfg.min_time, args.budget)
        results.append({"network": name, "what": what, "modes": out})
        print(f"  done: {name}, {what} ({time.perf_counter() - run_start:.0f} s so far)",
              flush=True)

    header = ("network", "what", "count", "agree", "float", "certified", "cert./float",
              "rational", "rat./float", "exact values / decisions")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
    for r in results:
        m = r["modes"]
        f, c = m["float"], m["certified"]
        q = m.get("rational", {"time": None, "stopped": False, "ratio": None, "count": None})
        count = c["count"] if c["count"] is not None else q["count"]
        print("| " + " | ".join((
            r["network"], r["what"], fmt_count(count), agreement(m),
            fmt_time(f["time"]) if f["time"] is not None else "raised",
            fmt_time(c["time"], c["stopped"]), fmt_ratio(c),
            fmt_time(q["time"], q["stopped"]), fmt_ratio(q), fmt_filter(c["stats"]))) + " |")
    print()
    if results and results[-1]["what"] == "partition (box)":
        expected = folding_bound(cfg.folding, 2)
        got = results[-1]["modes"]["certified"]["count"]
        check = ("not known (exact run stopped)" if got is None
                 else f"{got:,} ({'ok' if got == expected else 'MISMATCH'})")
        print(f"folding box: Montufar et al.'s count {expected:,}, exact partition {check}")
    for r in results:
        for label, m in r["modes"].items():
            if m["stopped"]:
                print(f"{r['network']}, {r['what']}: {label} run stopped after "
                      f"{fmt_time(m['time'])} (budget {args.budget:g} s); lower bounds")
            if m["error"] is not None:
                print(f"{r['network']}, {r['what']}: {label} mode raised {m['error']}")
    print(f"total run time {time.perf_counter() - run_start:.1f} s")
    return results


if __name__ == "__main__":
    main()
