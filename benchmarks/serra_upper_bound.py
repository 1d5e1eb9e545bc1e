"""How fast is Serra et al.'s upper bound by dynamic programming, and what would enumeration cost?

Serra, Tjandraatmadja, Ramalingam (ICML 2018) bound the number of linear regions by a sum over
an index set J of L-tuples (j_1, ..., j_L), 0 <= j_l <= min(n0, n_1 - j_1, ...,
n_{l-1} - j_{l-1}, n_l), of prod_l C(n_l, j_l). :func:`bounds.serra_upper_bound` evaluates it
exactly by dynamic programming over the running cap (O(sum_l min(n0, n_l)) big-integer
operations).

For 100 hidden layers of width 100 with n0 = 10 (the default) this prints:

* the time of ``serra_upper_bound`` (best of ``--repeats``; target: under one second) and the
  number of digits of the exact result;
* the size of J (counted by the same dynamic programme, not enumerated) and of the box
  prod_l (min(n0, n_l) + 1) that ``itertools.product`` would walk, with the time
  enumeration would take at the per-tuple rate measured on a small architecture where it
  is actually run (and checked against the dynamic programme).

Run ``python benchmarks/serra_upper_bound.py``; ``--quick`` for a smaller smoke run
(20 layers of width 20, n0 = 5, one repeat).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import time

try:
    import bounds  # noqa: F401
except ImportError:  # run from a checkout without installing: use the repository's package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bounds import montufar2017_upper_bound, serra_index_set_size, serra_upper_bound  # noqa: E402

TARGET_SECONDS = 1.0
# Small enough to enumerate J outright: the oracle and the per-tuple rate (full, quick).
SMALL = {False: ((6, 5, 7, 4, 6, 5, 6, 7), 4), True: ((4, 3, 5, 3, 4, 5), 3)}
SECONDS_PER_YEAR = 365.25 * 24 * 3600


def brute_force(widths, n0):
    """Sum over J by enumerating the box prod_l [0, min(n0, n_l)] and filtering: the
    definition, term by term. Returns (bound, |J|)."""
    total = 0
    size = 0
    for js in itertools.product(*(range(min(n0, w) + 1) for w in widths)):
        cap = n0
        ok = True
        for w, j in zip(widths, js):
            if j > min(cap, w):
                ok = False
                break
            cap = min(cap, w - j)
        if ok:
            size += 1
            total += math.prod(math.comb(w, j) for w, j in zip(widths, js))
    return total, size


def best_time(func, repeats):
    best = math.inf
    value = None
    for _ in range(repeats):
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return best, value


def _digits(x: int) -> int:
    """Decimal digits of x > 0 without str() (Python refuses str of ints over 4300 digits)."""
    d = max(1, int((x.bit_length() - 1) * math.log10(2)))
    while 10**d <= x:
        d += 1
    while d > 1 and 10 ** (d - 1) > x:
        d -= 1
    return d


def _sci(x: int) -> str:
    digits = _digits(x)
    if digits <= 12:
        return str(x)
    lead = str(x // 10 ** (digits - 4))
    return f"{lead[0]}.{lead[1:]}e{digits - 1}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--layers", type=int, default=None, help="hidden layers (100)")
    parser.add_argument("--width", type=int, default=None, help="width of every layer (100)")
    parser.add_argument("--n0", type=int, default=None, help="input dimension (10)")
    parser.add_argument("--repeats", type=int, default=None, help="timing repeats (5)")
    args = parser.parse_args(argv)
    layers = args.layers or (20 if args.quick else 100)
    width = args.width or (20 if args.quick else 100)
    n0 = args.n0 or (5 if args.quick else 10)
    repeats = args.repeats or (1 if args.quick else 5)
    widths = [width] * layers
    small_widths, small_n0 = SMALL[args.quick]

    # The oracle on a small architecture: enumerate J, compare, and measure the rate.
    start = time.perf_counter()
    small_bound, small_size = brute_force(small_widths, small_n0)
    brute_seconds = time.perf_counter() - start
    dp_small = serra_upper_bound(small_widths, small_n0)
    if dp_small != small_bound or serra_index_set_size(small_widths, small_n0) != small_size:
        raise SystemExit(f"dynamic programme disagrees with enumeration on {small_widths}")
    box_small = math.prod(min(small_n0, w) + 1 for w in small_widths)
    per_tuple = brute_seconds / box_small

    seconds, value = best_time(lambda: serra_upper_bound(widths, n0), repeats)
    montufar = montufar2017_upper_bound(widths, n0)
    size_j = int(serra_index_set_size(widths, n0))
    box = math.prod(min(n0, w) + 1 for w in widths)
    # in logarithms: the box overflows a float for long networks
    log10_years = math.log10(box) + math.log10(per_tuple) - math.log10(SECONDS_PER_YEAR)
    digits = _digits(int(value))

    print(f"Serra et al. upper bound, {layers} hidden layers of width {width}, n0 = {n0}")
    print(f"  dynamic programme: {seconds * 1e3:.2f} ms (best of {repeats}; target < "
          f"{TARGET_SECONDS:.0f} s), {'OK' if seconds < TARGET_SECONDS else 'TOO SLOW'}")
    print(f"  exact value: {digits} digits, {_sci(int(value))}")
    print(f"  Montufar 2017 upper bound: {_digits(int(montufar))} digits, "
          f"{'equal' if montufar == value else 'larger'}"
          + (" (every n_l >= 2 n0: the caps never bind)" if width >= 2 * n0 else ""))
    print(f"  enumeration would need |J| = {_sci(size_j)} index tuples ({_digits(size_j)} "
          f"digits), walking a box of {_sci(box)} with itertools.product")
    years = (f"10^{log10_years:.1f}" if log10_years > 6 else f"{10**log10_years:.3g}")
    print(f"  at the measured {per_tuple * 1e6:.2f} us per box tuple that is {years} years")
    print(f"  oracle: enumeration of J for widths {list(small_widths)}, n0 = {small_n0} "
          f"({small_size} tuples in a box of {box_small}, {brute_seconds * 1e3:.0f} ms) "
          f"agrees with the dynamic programme: {small_bound}")
    return {
        "layers": layers,
        "width": width,
        "n0": n0,
        "seconds": seconds,
        "digits": digits,
        "value": int(value),
        "index_set_size": size_j,
        "box_size": box,
        "equals_montufar2017": montufar == value,
    }


if __name__ == "__main__":
    main()
