"""Deep versus shallow: region-count bounds beside the exact counts of constructions.

For k hidden layers of width n on n0 inputs, prints the deep lower bounds (Pascanu et al. 2013,
Montufar et al. 2014, Serra et al. 2018) and Serra et al.'s upper bound next to the maximal
number of regions of a shallow network (one hidden layer) with as many units (k n) and with
as many parameters (floor(P / (n0 + 1)) units, P the deep network's hidden-layer parameters),
from :func:`bounds.deep_vs_shallow`. For n0 = 1 it also builds three exact networks with this
architecture and counts their pieces with :func:`regions.trace` in exact (Fraction) mode:

* ``folding``: Montufar et al.'s folding network, pieces inside its box (= their bound);
* ``zigzag``: Arora et al.'s composed zig-zags, pieces on [0, 1] (n^k);
* ``serra``: :func:`regions.constructions.serra_one_input_network` (needs n >= 3), pieces
  over the whole line (= Serra's upper bound (n + 1)^k, the exact maximum).

For n0 = 2, 3 and 4 the folding network's regions inside its box are counted with
:func:`regions.partition` (the box as a polygon for n0 = 2, a :class:`regions.Box` beyond;
exact arithmetic up to 20,000 regions for n0 = 2 and 5,000 beyond, float64 above that,
marked "(float)"); the zig-zag and Serra constructions have one input ('n/a').

    python examples/deep_vs_shallow.py                  # the default table, a few seconds
    python examples/deep_vs_shallow.py --quick          # a tiny table
    python examples/deep_vs_shallow.py --out table.md   # also write it (.csv: CSV)

References: Pascanu, Montufar, Bengio, arXiv:1312.6098 (2013); Montufar, Pascanu, Cho, Bengio,
NIPS 2014; Serra, Tjandraatmadja, Ramalingam, ICML 2018; Arora, Basu, Mianjy, Mukherjee,
ICLR 2018.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from fractions import Fraction

import bounds
from regions import Box, Line, Segment, partition, trace
from regions.constructions import box_polygon, folding_network, serra_one_input_network, zigzag

DEFAULT = {1: ([3, 4, 6, 8], [1, 2, 3, 4]), 2: ([4, 6, 8], [2, 3, 4]), 3: ([6, 9], [2, 3]),
           4: ([8], [2, 3])}
QUICK = {1: ([3, 4], [1, 2]), 2: ([6], [2]), 3: ([6], [2])}

COLUMNS = [
    ("n0", "n0"), ("n", "n"), ("k", "k"), ("units", "units"), ("params", "params"),
    ("pascanu", "Pascanu"), ("montufar", "Montufar 14"), ("serra_lower", "Serra lower"),
    ("serra_upper", "Serra upper"), ("shallow_units", "shallow, = units"),
    ("shallow_params", "shallow, = params (width)"), ("folding", "folding (exact)"),
    ("zigzag", "zigzag (exact)"), ("serra_net", "serra net (exact)"),
]


EXACT_LIMIT = {2: 20_000, 3: 5_000, 4: 5_000}
"""Folding networks with more regions than this (by n0) are partitioned in float64."""


def _several_input_counts(n0: int, n: int, k: int, expected: int) -> dict:
    """The folding network with n0 >= 2 inputs: its regions inside its box."""
    net, (lo, hi) = folding_network([n] * k, n0=n0)
    box = box_polygon(lo, hi) if n0 == 2 else Box(lo, hi)
    exact = expected <= EXACT_LIMIT[n0]
    count = partition(net, box, exact=exact).num_regions
    return {"folding": count if exact else f"{count} (float)", "zigzag": None, "serra_net": None}


def _exact_counts(n: int, k: int) -> dict:
    """Exact piece counts of the three constructions with k hidden layers of width n."""
    line = Line([Fraction(0)], [Fraction(1)])
    net, (lo, hi) = folding_network([n] * k)
    folding = trace(net, Segment(lo, hi), exact=True).num_pieces
    zig = serra = None
    if n >= 2:
        net, (lo, hi) = zigzag(n, k)
        zig = trace(net, Segment(lo, hi), exact=True).num_pieces
    if n >= 3:
        net, _ = serra_one_input_network([n] * k)
        serra = trace(net, line, exact=True).num_pieces
    return {"folding": folding, "zigzag": zig, "serra_net": serra}


def row(n0: int, n: int, k: int, exact: bool) -> dict:
    widths = [n] * k
    cmp = bounds.deep_vs_shallow(n, k, n0, limits=False)
    out = {
        "n0": n0, "n": n, "k": k, "units": n * k, "params": int(cmp.parameters),
        "pascanu": int(bounds.pascanu_lower_bound(widths, n0)),
        "montufar": int(bounds.montufar_lower_bound(widths, n0)),
        "serra_lower": int(bounds.serra_lower_bound(widths, n0)) if n >= 3 * n0 else None,
        "serra_upper": int(bounds.serra_upper_bound(widths, n0)),
        "shallow_units": int(cmp.equal_units.max_regions),
        "shallow_params": int(cmp.equal_parameters.max_regions),
        "shallow_params_width": int(cmp.equal_parameters.width),
        "folding": None, "zigzag": None, "serra_net": None,
    }
    if exact and n0 >= 2:
        out.update(_several_input_counts(n0, n, k, out["montufar"]))
        if int(str(out["folding"]).split()[0]) != out["montufar"]:
            raise RuntimeError(f"folding has {out['folding']} regions for n0 = {n0}, n = {n}, "
                               f"k = {k}, expected {out['montufar']}")
    elif exact:
        out.update(_exact_counts(n, k))
        # every construction attains its formula (checked, not assumed)
        expected = {"folding": out["montufar"], "zigzag": int(bounds.arora_pieces(n, k)),
                    "serra_net": out["serra_upper"]}
        for key, value in expected.items():
            if out[key] is not None and out[key] != value:
                raise RuntimeError(f"{key} has {out[key]} pieces for n = {n}, k = {k}, "
                                   f"expected {value}")
    return out


def run(configs: dict) -> list[dict]:
    rows = []
    for n0, (widths, depths) in configs.items():
        for n in widths:
            for k in depths:
                rows.append(row(n0, n, k, exact=n0 in (1, 2, 3, 4)))
    return rows


def _cell(r: dict, key: str) -> str:
    value = r[key]
    if key == "shallow_params":
        return f"{value} ({r['shallow_params_width']})"
    if value is None:
        if key in ("folding", "zigzag", "serra_net") and r["n0"] != 1:
            return "n/a"
        return "-"
    return str(value)


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(h for _, h in COLUMNS) + " |",
             "|" + "|".join("---:" for _ in COLUMNS) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(_cell(r, key) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def to_csv(rows: list[dict]) -> str:
    keys = [key for key, _ in COLUMNS] + ["shallow_params_width"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({key: "" if r[key] is None else r[key] for key in keys})
    return buf.getvalue()


NOTES = """\
k hidden layers of width n on n0 inputs; units = k n; params = weights and biases of the
hidden layers. Pascanu / Montufar 14 / Serra lower: deep lower bounds (Serra's needs
n >= 3 n0, '-' otherwise); Serra upper: Serra et al.'s upper bound (for n0 = 1 the exact
maximum (n + 1)^k). shallow: the maximal region count of one hidden layer with k n units,
and with as many parameters (its width in brackets). Exact counts (regions.trace, Fraction
arithmetic): folding = Montufar et al.'s folding network inside its box, zigzag = Arora et
al.'s zig-zags on [0, 1], serra net = serra_one_input_network over the whole line (n >= 3).
n0 = 2, 3, 4: folding = regions.partition of the folding network's box (exact up to 20,000
regions for n0 = 2 and 5,000 beyond, float64 above); the other two constructions have one
input ('n/a')."""


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny table (smoke test)")
    parser.add_argument("--out", help="also write the table: CSV if the name ends in .csv, "
                                      "Markdown otherwise")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = run(QUICK if args.quick else DEFAULT)
    seconds = time.perf_counter() - start
    table = markdown(rows)
    print(table)
    print()
    print(NOTES)
    print(f"\nAll exact counts equal their formulas; {len(rows)} rows in {seconds:.1f} s.")
    if args.out:
        text = to_csv(rows) if args.out.lower().endswith(".csv") else table + "\n\n" + NOTES + "\n"
        with open(args.out, "w") as fh:
            fh.write(text)
        print(f"wrote {args.out}")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
