"""Deep versus shallow (Pascanu et al. 2013, Montufar et al. 2014, Serra et al. 2018): exact
region counts of constructed and random ReLU networks with one to four inputs, set against
every region-count bound, at equal numbers of units and at equal numbers of parameters.

For n0 inputs, k hidden layers of width n (k n units):

* bounds (:mod:`bounds`): Serra et al.'s upper bound, Montufar 2017's upper bound, 2^N,
  Serra et al.'s lower bound (n >= 3 n0), Montufar et al. 2014's and Pascanu et al. 2013's
  lower bounds, and the maximum of a shallow network (one hidden layer) with k n units and
  with as many parameters (:func:`bounds.deep_vs_shallow`);
* constructions (exact rational networks, :mod:`regions.constructions`): Montufar et al.'s
  folding network, counted in its box (one input: :func:`regions.trace` of the box segment,
  Fraction arithmetic; two or more inputs: :func:`regions.partition` of the box (a polygon,
  or a :class:`regions.Box` for n0 >= 3), exact up to ``EXACT_LIMIT`` regions (n0 = 2) or
  ``EXACT_LIMIT_ND`` (n0 >= 3), float64 beyond) - it attains Montufar et al.'s bound; for one input
  also :func:`~regions.constructions.serra_one_input_network` over the whole line, which
  attains Serra's bound (n + 1)^k;
* random networks (He initialisation sigma_w^2 = 2, sigma_b = 1) with the same architecture
  and random shallow networks with k n units, counted over the whole input space (one input:
  exact trace of the whole line; two inputs: partition of the whole plane, whose float mode
  takes certified decisions (exact regions); three and four inputs: partition of the whole
  of R^n0 in float64, recounted exactly when it has at most ``RANDOM_EXACT_LIMIT`` regions).

Run alone: ``python examples/deep_vs_shallow_regions.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

import numpy as np

from ..constructions import box_polygon, folding_network, serra_one_input_network
from ..domains import Box
from ..network import random_network
from ..partition import partition
from ..trace import trace
from ..trajectory import Line, Segment
from ._common import Claim, Progress, Result, markdown_table, seeds

__all__ = ["NAME", "TITLE", "run"]

NAME = "deep_vs_shallow"
TITLE = ("Deep versus shallow: exact region counts against the bounds (Pascanu 2013, "
         "Montufar 2014, Serra 2018)")

FULL: dict[str, Any] = {"widths": {1: (4, 8), 2: (4, 6, 8), 3: (6,), 4: (8,)}, "depth": 5,
                        "seeds": 5}
QUICK: dict[str, Any] = {"widths": {1: (4,), 2: (4,), 3: (6,)}, "depth": {1: 3, 2: 3, 3: 4},
                         "seeds": 3}
"""``depth``: the largest depth, or one per n0."""

MAX_FOLDING = 200_000
"""Depths whose folding network would have more regions than this are left out."""
EXACT_LIMIT = 20_000
"""Two-input folding networks with more regions than this are partitioned in float64."""
EXACT_LIMIT_ND = 5_000
"""Folding networks with three or more inputs and more regions than this are partitioned in
float64 (the n-dimensional engine's exact mode is rational arithmetic throughout)."""
SERRA_NET_LIMIT = 60_000
"""The one-input Serra network is traced (exactly) up to this many pieces."""
RANDOM_EXACT_LIMIT = 2_000
"""Random networks with three or more inputs whose float64 partition has at most this many
regions are recounted in exact arithmetic (the exact count is the one reported). Two-input
partitions are exact in float mode (certified decisions)."""
SIGMA_W, SIGMA_B = math.sqrt(2.0), 1.0


def _count_line(net) -> int:
    """Exact pieces of a one-input network over the whole real line."""
    return int(trace(net, Line([Fraction(0)], [Fraction(1)]), exact=True).num_pieces)


def _count_space(net, mismatches: list) -> tuple[int, bool]:
    """Regions of a network over the whole input space R^n0, n0 >= 2: (count, exact?)."""
    part = partition(net, exact=False)
    count = int(part.num_regions)
    if part.arithmetic == "certified":  # the planar engine: exact regions
        return count, True
    if count > RANDOM_EXACT_LIMIT:
        return count, False
    exact = int(partition(net, exact=True).num_regions)
    if exact != count:
        mismatches.append((count, exact))
    return exact, True


def _folding(n0: int, n: int, k: int, expected: int) -> tuple[int, bool]:
    """Montufar et al.'s folding network, regions in its box: (count, exact?)."""
    net, (lo, hi) = folding_network([n] * k, n0=n0)
    if n0 == 1:
        return int(trace(net, Segment(lo, hi), exact=True).num_pieces), True
    if n0 == 2:
        exact = expected <= EXACT_LIMIT
        return int(partition(net, box_polygon(list(lo), list(hi)), exact=exact).num_regions), exact
    exact = expected <= EXACT_LIMIT_ND
    return int(partition(net, Box(lo, hi), exact=exact).num_regions), exact


def _bounds(n0: int, n: int, k: int) -> dict:
    import bounds

    widths = [n] * k
    cmp = bounds.deep_vs_shallow(n, k, n0, limits=False)
    return {
        "units": n * k,
        "params": int(cmp.parameters),
        "serra_upper": int(bounds.serra_upper_bound(widths, n0)),
        "montufar2017_upper": int(bounds.montufar2017_upper_bound(widths, n0)),
        "trivial_upper": int(bounds.montufar_trivial_upper_bound(widths)),
        "serra_lower": int(bounds.serra_lower_bound(widths, n0)) if n >= 3 * n0 else None,
        "montufar_lower": int(bounds.montufar_lower_bound(widths, n0)),
        "pascanu_lower": int(bounds.pascanu_lower_bound(widths, n0)),
        "shallow_units": int(bounds.shallow_max_regions(n * k, n0)),
        "shallow_params": int(cmp.equal_parameters.max_regions),
        "shallow_params_width": int(cmp.equal_parameters.width),
    }


_LIST_KEYS = ("depths", "units", "params", "serra_upper", "montufar2017_upper",
              "trivial_upper", "serra_lower", "montufar_lower", "pascanu_lower",
              "shallow_units", "shallow_params", "shallow_params_width", "folding",
              "folding_exact", "serra_net", "random", "random_exact", "random_shallow",
              "random_shallow_exact")


def _max_depth(cfg: dict, n0: int) -> int:
    depth = cfg["depth"]
    return int(depth[n0]) if isinstance(depth, dict) else int(depth)


def _panel_depths(n0: int, n: int, depth: int) -> list[int]:
    import bounds

    return [k for k in range(1, depth + 1)
            if int(bounds.montufar_lower_bound([n] * k, n0)) <= MAX_FOLDING]


def _measure(n0: int, n: int, ks: list[int], net_seeds: list, progress: Progress,
             mismatches: list) -> dict:
    panel: dict = {"n0": n0, "n": n}
    panel.update({key: [] for key in _LIST_KEYS})
    for k, (deep_seeds, shallow_seeds) in zip(ks, net_seeds):
        b = _bounds(n0, n, k)
        panel["depths"].append(k)
        for key, value in b.items():
            panel[key].append(value)
        fold, fold_exact = _folding(n0, n, k, b["montufar_lower"])
        panel["folding"].append(fold)
        panel["folding_exact"].append(fold_exact)
        serra_net = None
        if n0 == 1 and n >= 3 and (n + 1) ** k <= SERRA_NET_LIMIT:
            serra_net = _count_line(serra_one_input_network([n] * k)[0])
        panel["serra_net"].append(serra_net)
        for key, widths, ss in (("random", [n0] + [n] * k + [1], deep_seeds),
                                ("random_shallow", [n0, n * k, 1], shallow_seeds)):
            counts, flags = [], []
            for s in ss:
                net = random_network(widths, "relu", SIGMA_W, SIGMA_B, seed=s)
                if n0 == 1:
                    counts.append(_count_line(net))
                    flags.append(True)
                else:
                    c, e = _count_space(net, mismatches)
                    counts.append(c)
                    flags.append(e)
            panel[key].append(counts)
            panel[key + "_exact"].append(flags)
        progress.step(note=f"n0={n0} n={n} k={k}: {fold} folding")
    return panel


def _mean(xs) -> float:
    return float(np.mean(xs))


def _table(panels: list[dict], n0: int) -> str:
    """Three narrow tables for the ``n0``-input panels: the bounds; the constructions beside
    the shallow maxima; random networks."""
    bounds, built, random = [], [], []
    for p in (p for p in panels if p["n0"] == n0):
        for i, k in enumerate(p["depths"]):
            fold = f"{p['folding'][i]}" + ("" if p["folding_exact"][i] else " (float)")
            rnd = p["random"][i]
            rnd_cell = f"{_mean(rnd):.1f} [{min(rnd)}-{max(rnd)}]"
            if not all(p["random_exact"][i]):
                rnd_cell += " (float)" if not any(p["random_exact"][i]) else " (part float)"
            sh = p["random_shallow"][i]
            sh_cell = f"{_mean(sh):.1f}" + ("" if all(p["random_shallow_exact"][i])
                                             else " (float)")
            row = [p["n"], k, p["units"][i], p["params"][i], p["pascanu_lower"][i]]
            if n0 > 1:
                row.append(p["montufar_lower"][i])
            row += ["-" if p["serra_lower"][i] is None else p["serra_lower"][i],
                    p["serra_upper"][i]]
            if n0 > 1:
                row.append(p["montufar2017_upper"][i])
            row.append(p["trivial_upper"][i])
            bounds.append(row)
            row = [p["n"], k, fold]
            if n0 == 1:
                row.append("-" if p["serra_net"][i] is None else p["serra_net"][i])
            row += [p["shallow_units"][i],
                    f"{p['shallow_params'][i]} ({p['shallow_params_width'][i]})"]
            built.append(row)
            random.append([p["n"], k, rnd_cell, sh_cell, round(p["folding"][i] / _mean(rnd), 1)])
    header = ["n", "k", "units", "params", "Pascanu"]
    if n0 > 1:
        header.append("Montufar 14")
    header += ["Serra lower", "Serra upper"]
    if n0 > 1:
        header.append("Montufar 17")
    header.append("2^N")
    built_header = ["n", "k", "folding (= Montufar 14)" if n0 == 1 else "folding"]
    if n0 == 1:
        built_header.append("Serra net (exact)")
    built_header += ["shallow max, = units", "shallow max, = params (width)"]
    return "\n\n".join([
        "Bounds (k layers of width n):", markdown_table(header, bounds),
        "Exact counts of the constructions, beside the shallow maximum:",
        markdown_table(built_header, built),
        "Random networks (exact counts; deep: mean [min-max]):",
        markdown_table(["n", "k", "random deep", "random shallow (k n units)",
                        "folding / random"], random)])


def _first_win(deep: list, shallow: list, depths: list) -> int | None:
    """The smallest depth from which deep > shallow at every larger depth (None: never)."""
    first = None
    for d, a, b in zip(depths, deep, shallow):
        if a > b:
            first = d if first is None else first
        else:
            first = None
    return first


def _plot(panels: list[dict], plt):
    ncols = 3 if len(panels) > 2 else len(panels) + 1
    nrows = math.ceil((len(panels) + 1) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.0 * ncols, 4.3 * nrows), squeeze=False)
    flat = list(axes.ravel())
    ratio_ax = flat[len(panels)]
    for ax in flat[len(panels) + 1:]:
        ax.set_visible(False)
    for ax, p in zip(flat, panels):
        x = np.array(p["units"])
        ax.plot(x, p["serra_upper"], "-", color="C3", lw=2, label="Serra 2018 upper")
        if p["n0"] > 1:
            ax.plot(x, p["montufar2017_upper"], "--", color="C1", lw=1.5,
                    label="Montufar 2017 upper")
        if any(v is not None for v in p["serra_lower"]) and p["n0"] > 1:
            xs = [u for u, v in zip(x, p["serra_lower"]) if v is not None]
            ax.plot(xs, [v for v in p["serra_lower"] if v is not None], ":", color="C3",
                    lw=1.5, label="Serra 2018 lower")
        ax.plot(x, p["montufar_lower"], "-", color="C0", lw=1.2,
                label="Montufar 2014 lower")
        exact = np.array(p["folding_exact"])
        fold = np.array(p["folding"], dtype=float)
        ax.plot(x[exact], fold[exact], "o", color="C0", ms=7,
                label="folding net (exact count)")
        if (~exact).any():
            ax.plot(x[~exact], fold[~exact], "o", mfc="none", color="C0", ms=7,
                    label="folding net (float64 count)")
        if any(v is not None for v in p["serra_net"]):
            xs = [u for u, v in zip(x, p["serra_net"]) if v is not None]
            ax.plot(xs, [v for v in p["serra_net"] if v is not None], "s", mfc="none",
                    color="C3", ms=9, label="Serra one-input net (exact)")
        ax.plot(x, p["pascanu_lower"], "--", color="C9", lw=1.2, label="Pascanu 2013 lower")
        ax.plot(x, p["shallow_units"], "-", color="k", lw=1.2,
                label="shallow max, same units")
        ax.plot(x, p["shallow_params"], "-.", color="0.45", lw=1.2,
                label="shallow max, same parameters")
        rnd = [np.array(r, dtype=float) for r in p["random"]]
        mean = np.array([r.mean() for r in rnd])
        ax.fill_between(x, [r.min() for r in rnd], [r.max() for r in rnd], color="C2",
                        alpha=0.25, lw=0)
        ax.plot(x, mean, "-^", color="C2", ms=5, label="random deep (mean, min-max)")
        ax.plot(x, [np.mean(r) for r in p["random_shallow"]], "x", color="C4", ms=8, mew=2,
                label="random shallow, same units")
        ax.set_yscale("log")
        ax.set_xticks(x)
        ax.set_xlabel("units k n (k = " + ", ".join(map(str, p["depths"])) + ")")
        ax.set_ylabel("linear regions" if p["n0"] > 1 else "linear pieces")
        where = {1: "whole line", 2: "whole plane (folding: its box)"}.get(
            p["n0"], f"all of R^{p['n0']} (folding: its box)")
        ax.set_title(f"n0 = {p['n0']}, width n = {p['n']}: {where}", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
    handles, labels = [], []
    for ax in flat[:len(panels)]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    for j, p in enumerate(panels):
        x = np.array(p["units"])
        shallow = np.array(p["shallow_units"], dtype=float)
        colour = f"C{j}"
        tag = f"n0={p['n0']}, n={p['n']}"
        ratio_ax.plot(x, np.array(p["folding"]) / shallow, "-o", color=colour, ms=4,
                      label=f"{tag}: folding")
        ratio_ax.plot(x, np.array([np.mean(r) for r in p["random"]]) / shallow, "--^",
                      color=colour, ms=4, label=f"{tag}: random mean")
    ratio_ax.axhline(1.0, color="k", lw=0.8)
    ratio_ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ratio_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    lo, hi = ratio_ax.get_ylim()
    ratio_ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}") if hi / lo < 30
                                       else NullFormatter())
    ratio_ax.set_xlabel("units k n")
    ratio_ax.set_ylabel("regions / shallow max with as many units")
    ratio_ax.set_title("deep over shallow at equal units (> 1: deep wins)", fontsize=10)
    ratio_ax.legend(fontsize=7, ncol=1)
    ratio_ax.grid(True, which="major", alpha=0.3)
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), fontsize=8,
               bbox_to_anchor=(0.5, -0.01))
    fig.suptitle("Deep versus shallow: exact region counts against the bounds "
                 "(log scale; He init sigma_w^2 = 2, sigma_b = 1 for the random networks)")
    fig.tight_layout(rect=(0, 0.07 if nrows > 1 else 0.12, 1, 1))
    return fig


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    cfg = QUICK if quick else FULL
    progress = progress or Progress(enabled=False)
    plan = [(n0, n, _panel_depths(n0, n, _max_depth(cfg, n0)))
            for n0, widths in cfg["widths"].items() for n in widths]
    progress.add(sum(len(ks) for _, _, ks in plan))
    n_seeds = cfg["seeds"]
    pool = iter(seeds(seed, 2 * n_seeds * sum(len(ks) for _, _, ks in plan)))
    panels: list[dict] = []
    mismatches: list = []
    for n0, n, ks in plan:
        net_seeds = [([next(pool) for _ in range(n_seeds)], [next(pool) for _ in range(n_seeds)])
                     for _ in ks]
        panels.append(_measure(n0, n, ks, net_seeds, progress, mismatches))
    fig = _plot(panels, plt)

    # ---- claims, from the data ----
    wins_units, wins_params, pascanu_wins, lines_a, lines_p = [], [], [], [], []
    for p in panels:
        tag = f"n0={p['n0']}, n={p['n']}"
        fu = _first_win(p["folding"], p["shallow_units"], p["depths"])
        fp = _first_win(p["folding"], p["shallow_params"], p["depths"])
        pw = _first_win(p["pascanu_lower"], p["shallow_units"], p["depths"])
        wins_units.append(fu is not None)
        wins_params.append(fp is not None)
        pascanu_wins.append(pw)
        not_u = [f"k={k}: {a} vs {b}" for k, a, b in zip(p["depths"], p["folding"],
                                                        p["shallow_units"]) if a <= b]
        lines_a.append(f"{tag}: from k={fu}" if fu is not None else f"{tag}: never")
        if not_u:
            lines_a[-1] += " (not at " + "; ".join(not_u) + ")"
        not_p = [f"k={k}: {a} vs {b}" for k, a, b in zip(p["depths"], p["folding"],
                                                        p["shallow_params"]) if a <= b]
        lines_p.append(f"{tag}: from k={fp}" if fp is not None else f"{tag}: never")
        if not_p:
            lines_p[-1] += " (not at " + "; ".join(not_p) + ")"

    import bounds

    over, checked = [], 0
    for p in panels:
        for i, k in enumerate(p["depths"]):
            cap = p["serra_upper"][i]
            shallow_cap = int(bounds.serra_upper_bound([p["n"] * k], p["n0"]))
            deep = [p["folding"][i]] + list(p["random"][i])
            if p["serra_net"][i] is not None:
                deep.append(p["serra_net"][i])
            checked += len(deep) + len(p["random_shallow"][i])
            over += [(p["n0"], p["n"], k, c, cap) for c in deep if c > cap]
            over += [(p["n0"], p["n"], k, c, shallow_cap) for c in p["random_shallow"][i]
                     if c > shallow_cap]
            if p["n0"] == 1:
                over += [(1, p["n"], k, c, (p["n"] + 1) ** k) for c in p["random"][i]
                         if c > (p["n"] + 1) ** k]
    attained = all(f == m for p in panels for f, m in zip(p["folding"], p["montufar_lower"]))
    serra_hit = [(v, u) for p in panels for v, u in zip(p["serra_net"], p["serra_upper"])
                 if v is not None]
    ratios = []
    for p in panels:
        r = [f / _mean(rs) for f, rs in zip(p["folding"], p["random"])]
        ratios.append((p, r))
    below_last = all(max(p["random"][-1]) < p["folding"][-1] for p in panels)
    exceptions = [f"n0={p['n0']}, n={p['n']}, k={k}: random {max(rs)} >= folding {f}"
                  for p in panels for f, rs, k in zip(p["folding"], p["random"], p["depths"])
                  if k >= 2 and max(rs) >= f]
    grows = all(all(b > a for a, b in zip(r, r[1:])) for _, r in ratios)
    random_vs_shallow = [[_mean(rs) / s for rs, s in zip(p["random"], p["shallow_units"])]
                         for p in panels]
    hr_min = min(min(r) for r in random_vs_shallow)
    hr_max = max(max(r) for r in random_vs_shallow)
    fold_vs_shallow = [[f / s for f, s in zip(p["folding"], p["shallow_units"])]
                       for p in panels]
    fold_max = max(max(r) for r in fold_vs_shallow)
    fold_grows = all(all(b > a for a, b in zip(r, r[1:])) for r in fold_vs_shallow)
    shallow_attains = all(c == s for p in panels
                          for cs, s in zip(p["random_shallow"], p["shallow_units"]) for c in cs)

    claims = (
        Claim("deep beats shallow at equal units: the folding network's count exceeds "
              "the maximum of a one-hidden-layer network with as many units (k n), at the "
              "largest depths of every panel",
              all(wins_units), "; ".join(lines_a)),
        Claim("deep beats shallow at equal parameters from some depth on (the folding "
              "count exceeds the maximum of the widest shallow network with at most as "
              "many parameters)", all(wins_params), "; ".join(lines_p)),
        Claim("the constructions attain their bounds: folding count = Montufar et al.'s "
              "lower bound (every depth), Serra's one-input net = (n + 1)^k",
              attained and all(v == u for v, u in serra_hit),
              f"{sum(len(p['folding']) for p in panels)} folding counts, "
              f"{len(serra_hit)} Serra-net counts checked"),
        Claim("every count is <= Serra et al.'s upper bound (random one-input "
              "counts <= (n + 1)^k; random shallow counts <= the shallow maximum)",
              not over, f"{checked} counts checked, {len(over)} above"
              + (": " + str(over[:5]) if over else "")),
        Claim("random networks fall far below the constructions, the more so the deeper "
              "(Hanin and Rolnick): the ratio folding / mean random count grows with depth in "
              "every panel, and at the largest depth every random count is below the "
              "folding count",
              below_last and grows,
              "folding / mean random: " + "; ".join(
                  f"n0={p['n0']}, n={p['n']}: " + ", ".join(f"{v:.3g}" for v in r)
                  + f" (k = 1..{p['depths'][-1]})" for p, r in ratios)
              + (". A random net reaches the folding count at "
                 + "; ".join(exceptions) if exceptions else
                 ". No random net reaches the folding count at any k >= 2")),
        Claim("random deep networks gain little from depth: their mean count stays within "
              "a factor 2 of the shallow maximum with as many units (Hanin and Rolnick: "
              "~ N^n0 regions), while the folding network's ratio to it grows with depth",
              hr_max <= 2.0 and fold_grows,
              f"mean random / shallow max between {hr_min:.3g} and {hr_max:.3g}; folding / "
              f"shallow max up to {fold_max:.3g}"),
    )

    # ---- markdown ----
    seeds_text = f"{n_seeds} seeds from {seed}"

    def pascanu_from(p: dict, found: int | None) -> str:
        if found is not None:
            return f"from k={found}"
        later = next((k for k in range(p["depths"][-1] + 1, 41)
                      if bounds.deep_vs_shallow(p["n"], k, p["n0"], limits=False)
                      .equal_units.ratio > 1), None)
        return (f"not up to k={p['depths'][-1]}; the bound alone first wins at k={later}"
                if later else "not up to k=40")

    pas = "; ".join(f"n0={p['n0']}, n={p['n']}: {pascanu_from(p, w)}"
                    for p, w in zip(panels, pascanu_wins))
    exact_two = [(p["n0"], p["n"], k) for p in panels if p["n0"] >= 2
                 for k, e in zip(p["depths"], p["folding_exact"]) if not e]
    n_rand2 = sum(len(f) for p in panels if p["n0"] >= 3 for f in p["random_exact"])
    n_rand2_exact = sum(sum(f) for p in panels if p["n0"] >= 3 for f in p["random_exact"])
    n_sh2 = sum(len(f) for p in panels if p["n0"] >= 3 for f in p["random_shallow_exact"])
    n_sh2_exact = sum(sum(f) for p in panels if p["n0"] >= 3
                      for f in p["random_shallow_exact"])
    n0s = sorted({p["n0"] for p in panels})
    more_tables = "".join(f"\n{n0} inputs (regions of R^{n0}):\n\n{_table(panels, n0)}\n"
                          for n0 in n0s if n0 >= 3)
    dropped = [f"n0={n0}, n={n}: k <= {ks[-1]}" for n0, n, ks in plan
               if ks[-1] < _max_depth(cfg, n0)]
    n_shallow = sum(len(cs) for p in panels for cs in p["random_shallow"])
    m17_same = all(a == b for p in panels
                   for a, b in zip(p["serra_upper"], p["montufar2017_upper"]))
    params_first = "; ".join(lines_p)
    mismatch_text = (f"; float and exact counts disagreed {len(mismatches)} times, the exact "
                     "ones are reported" if mismatches else
                     "; wherever both were computed, float and exact counts agreed")
    dropped_text = ("\nDepths whose folding network would exceed " + f"{MAX_FOLDING:,}"
                    + " regions are left out (" + "; ".join(dropped) + ").\n"
                    if dropped else "")
    shallow_float = n_sh2 - n_sh2_exact
    shallow_text = (f"which random *shallow* networks attain (all {n_shallow} of them here"
                    + (f", {shallow_float} of these counts in float64" if shallow_float else "")
                    + ": their hyperplanes are in general position with probability one, and "
                    "the whole input space is counted)" if shallow_attains else
                    "which random shallow networks attain in general position (here not "
                    "always; see the table)")
    exceptions_text = (" Only at small depth, where the construction has barely started "
                       "folding, can a random network match it (" + "; ".join(exceptions)
                       + "; the random count is over the whole plane, the folding count in "
                       "its box)."
                       if exceptions else "")
    markdown = f"""
Networks with n0 = {", ".join(map(str, n0s))} inputs and k = 1..{max(_max_depth(cfg, d) for d in n0s)} hidden ReLU layers of width
n, plotted against their number of units k n (log scale). Lines: the bounds of `bounds`
(Serra et al. 2018's upper bound, Montufar 2017's upper bound, Serra et al.'s lower bound
where n >= 3 n0, Montufar et al. 2014's and Pascanu et al. 2013's lower bounds) and the
maximum of a shallow network (one hidden layer) with the same number of units,
sum_(j <= n0) C(k n, j), and with the same number of parameters (hidden layers only; the
widest shallow network with at most as many, from `bounds.deep_vs_shallow`). Markers: counts.

* **Folding network** (Montufar et al.'s construction, `folding_network`), regions in its
  box: n0 = 1 by an exact (Fraction) trace of the box segment; n0 >= 2 by an exact partition
  of the box (`regions.partition`, a `regions.Box` for n0 >= 3) up to {EXACT_LIMIT:,} regions
  (n0 = 2) or {EXACT_LIMIT_ND:,} (n0 >= 3), float64 beyond (hollow markers, "(float)"{
  ": " + "; ".join(f"n0={d}, n={n}, k={k}" for d, n, k in exact_two) if exact_two else ""}).
* **Serra's one-input network** (`serra_one_input_network`, n0 = 1), exact trace of the
  whole line.
* **Random networks**, He initialisation (sigma_w^2 = 2, sigma_b = 1), {seeds_text}, with the
  same architecture (line: mean, band: min-max) and random shallow networks with k n units
  (crosses), over the whole input space: n0 = 1 exact traces of the whole line; n0 = 2
  partitions of the whole plane (float mode, whose decisions are certified: exact counts);
  n0 >= 3 float64 partitions of all of R^n0, recounted exactly when at most
  {RANDOM_EXACT_LIMIT:,} regions ({n_rand2_exact} of {n_rand2} deep and {n_sh2_exact} of
  {n_sh2} shallow random nets{mismatch_text}); "(float)" / "(part float)" in the tables mark
  float64 counts.
{dropped_text}
The last panel shows the folding and mean random counts divided by the shallow maximum with
as many units (above 1: deep beats shallow).

One input (pieces of R; for n0 = 1 Pascanu's and Montufar's lower bounds coincide, and
Serra's upper bound is the exact maximum (n + 1)^k):

{_table(panels, 1)}

Two inputs (regions of R^2):

{_table(panels, 2)}
{more_tables}
{"For these architectures Serra's and Montufar 2017's upper bounds coincide (the curves "
 "overlap); Serra's improvement needs a narrow layer (a bottleneck)." if m17_same else
 "Serra's upper bound is below Montufar 2017's where the table shows it."}

**Where this differs from the papers, and why.**

* The bounds are about the *maximum* over all weights. The constructions attain the lower
  bounds exactly, and for one input Serra's network attains the upper bound, so for n0 = 1
  the maximum is known exactly, (n + 1)^k, above Montufar's n^(k-1) (n + 1). For two inputs
  the folding construction stays far below Serra's upper bound, and Serra's own lower bound
  (n >= 3 n0) is higher than the folding count; no construction for it is counted here, so
  for n0 = 2 the true maximum lies somewhere between the two.
* Deep beats shallow only beyond some depth, and which deep count is used matters. At k = 1
  deep and shallow are the same network class (ties). The folding network beats the shallow
  maximum with as many units from k = 2 on in every panel; *Pascanu et al.'s bound* alone
  does so later when n is small compared with n0 ({pas}). At equal parameters the shallow
  network is much wider (a deep layer costs ~n^2 parameters, a shallow unit n0 + 1), so the
  deep network may need one more layer to win ({params_first}).
* Random networks are nowhere near the constructions: at He initialisation their counts
  grow roughly like the number of units to the power n0 (Hanin and Rolnick 2019), not
  exponentially in depth, and stay around the shallow maximum with as many units (mean
  random / shallow maximum between {hr_min:.2f} and {hr_max:.2f}), {shallow_text}. Depth buys
  exponentially many regions only for carefully constructed weights.{exceptions_text}
"""
    data = {
        "panels": panels,
        "seeds": n_seeds,
        "exact_limit": EXACT_LIMIT,
        "random_exact_limit": RANDOM_EXACT_LIMIT,
        "float_exact_mismatches": mismatches,
        "random_shallow_attains_max": shallow_attains,
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data, claims,
                  time.perf_counter() - start)
