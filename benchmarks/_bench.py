"""Shared set-up of the benchmark scripts, imported first by each of them.

* One BLAS thread: set here, before NumPy loads (on a 2-vCPU VM threaded OpenBLAS is much
  slower on the engines' small products). Set the variables yourself to override.
* The repository's own package when ``regions`` is not installed (a plain checkout).
* :func:`best_times`: interleaved best-of-k timing, so that a slow spell of the shared
  machine hits every compared function alike.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import sys
import pstats
import time
from typing import Callable, Sequence

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NUMPY_PRELOADED = "numpy" in sys.modules
if not NUMPY_PRELOADED:
    for _var in BLAS_ENV:
        os.environ.setdefault(_var, "1")

try:
    import regions  # noqa: F401
except ImportError:  # run from a checkout without installing: use the repository's package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def arguments(doc: str | None, seed: int, repeats: int, seed_help: str,
              quick_help: str) -> argparse.ArgumentParser:
    """The arguments every benchmark takes: ``--seed``, ``--repeats`` and ``--quick``
    (the description is the first paragraph of the script's docstring)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=seed,
                        help=f"{seed_help} (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=repeats,
                        help="best-of-N interleaved timing repeats (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``, refusing fewer than one repeat."""
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def threads_line() -> str:
    """The BLAS thread settings, for a benchmark's header."""
    text = ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in BLAS_ENV)
    if NUMPY_PRELOADED:
        text += " (numpy was imported before the benchmark, so these may not apply)"
    return text


def best_times(fns: Sequence[Callable[[], object]], repeats: int,
               min_time: float) -> list[float]:
    """Best of ``repeats`` per-call times of each function in ``fns``. A repeat loops a fast
    function until the loop lasts ``min_time``; the repeats of the functions are interleaved
    (f, g, f, g, ...) so that a slow spell of the machine hits them alike."""
    numbers, best = [], []
    for fn in fns:  # calibrate the loop counts (this batch counts as the first repeat)
        number = 1
        while True:
            start = time.perf_counter()
            for _ in range(number):
                fn()
            elapsed = time.perf_counter() - start
            if elapsed >= min_time or number >= 2**20:
                break
            number *= 2 if elapsed == 0 else max(2, min(10, math.ceil(1.2 * min_time / elapsed)))
        numbers.append(number)
        best.append(elapsed / number)
    for _ in range(repeats - 1):
        for k, (fn, number) in enumerate(zip(fns, numbers)):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[k] = min(best[k], (time.perf_counter() - start) / number)
    return best


def fmt_time(seconds: float | None, lower: bool = False) -> str:
    """A duration in us, ms or s (``-`` for None; ``> `` before a lower bound)."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        text = f"{seconds * 1e6:.0f} us"
    elif seconds < 1:
        text = f"{seconds * 1e3:.1f} ms"
    else:
        text = f"{seconds:.2f} s"
    return "> " + text if lower else text


def print_profile(title: str, fn: Callable[[], object], times: int = 1) -> None:
    """Print a cProfile (top 20 by own time) of ``times`` calls of ``fn``."""
    print()
    print(title)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(times):
        fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(20)
    print(out.getvalue())
