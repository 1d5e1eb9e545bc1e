"""Bounds that answer at any size: the calls of issue 16 (item 6), timed, and a check against
the term-by-term definition where that still runs.

Before this change ``zaslavsky_regions(32000, 32000)`` took 464 s (summing math.comb term by
term), ``telgarsky_pieces(10**15)`` and ``montufar_lower_bound_uniform(4, 10**12, 2)`` failed
after 75-83 s with a bare MemoryError and ``deep_vs_shallow(2, 4, 10**6)`` (old order) after
214 s inside SymPy's ``limit``. Now each call either answers exactly (closed forms, binary
splitting, the O(sum_l min(n0, n_l)) dynamic programme, closed-form limits) or raises
``OverflowError`` up front with the size of the answer.

Printed: one line per call with its time (best of ``--repeats``), and whether it answered
(with the answer's bit length) or refused; then the term-by-term sum of binomials
(``sum(math.comb(m, s))``) against :func:`bounds.zaslavsky_regions` on a size where both run,
interleaved, with their ratio. ``--quick``: smaller reference sizes, one repeat.

Run ``python benchmarks/bounds_at_scale.py`` (``--quick`` for the smoke run the tests use).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Sequence

# this checkout's bounds, ahead of any installed copy (an installed one may be an older version)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import bounds  # noqa: E402

CALLS: list[tuple[str, Callable[[], object]]] = [
    ("zaslavsky_regions(32000, 32000)", lambda: bounds.zaslavsky_regions(32000, 32000)),
    ("zaslavsky_regions(10**6, 10**6)", lambda: bounds.zaslavsky_regions(10**6, 10**6)),
    ("zaslavsky_regions(10**6, 10**5)", lambda: bounds.zaslavsky_regions(10**6, 10**5)),
    ("serra_upper_bound([10**6], 10**6)", lambda: bounds.serra_upper_bound([10**6], 10**6)),
    ("serra_upper_bound([4096] * 3, 784)", lambda: bounds.serra_upper_bound([4096] * 3, 784)),
    ("telgarsky_pieces(10**15)", lambda: bounds.telgarsky_pieces(10**15)),
    ("montufar_lower_bound_uniform(4, 10**12, 2)",
     lambda: bounds.montufar_lower_bound_uniform(4, 10**12, 2)),
    ("deep_vs_shallow(4, 10**6, 2)", lambda: bounds.deep_vs_shallow(4, 10**6, 2)),
    ("deep_vs_shallow(4, 10**12, 2)", lambda: bounds.deep_vs_shallow(4, 10**12, 2)),
]


def _once(call: Callable[[], object]) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        value = call()
    except OverflowError as exc:
        return time.perf_counter() - start, "refused: " + str(exc).split(": ", 1)[1][:70]
    elapsed = time.perf_counter() - start
    number = getattr(value, "deep_regions", value)
    return elapsed, f"answered, {int(number).bit_length()} bits"


def main(argv: Sequence[str] | None = None) -> dict:
    """Time every call and the term-by-term reference; return the measurements."""
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    repeats = 1 if quick else 3
    out: dict = {"calls": {}}
    for name, call in CALLS:
        best, what = min(_once(call) for _ in range(repeats))
        out["calls"][name] = best
        print(f"{name:45s} {best:10.5f} s  {what}")
    m, d = (4000, 1000) if quick else (20000, 5000)
    ref = new = math.inf
    for _ in range(repeats):  # interleaved: definition, package, definition, package, ...
        start = time.perf_counter()
        expected = sum(math.comb(m, s) for s in range(d + 1))
        ref = min(ref, time.perf_counter() - start)
        start = time.perf_counter()
        got = bounds.zaslavsky_regions(m, d)
        new = min(new, time.perf_counter() - start)
        assert got == expected
    out.update(reference=ref, package=new, ratio=ref / new, m=m, d=d)
    print(f"sum of C({m}, s), s <= {d}: term by term {ref:.4f} s, zaslavsky_regions "
          f"{new:.5f} s (ratio {ref / new:.0f}x); equal")
    return out


if __name__ == "__main__":
    main()
