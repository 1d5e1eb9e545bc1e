"""What sampling misses: pieces and neuron transitions seen at 10^3, 10^4, 10^5 equally spaced
points of the arc, against the exact trace, for the random hard-tanh networks of Raghu et al.'s
Fig. 1 (:mod:`._hardtanh`).

Run alone: ``python examples/exact_vs_sampled.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, run_steps, seeds
from ._hardtanh import configuration, sampled_counts
from ._hardtanh import measure as measure_network

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures"]

NAME = "exact_vs_sampled"
TITLE = "Exact trace against sampling along the arc"

SUBSTANTIAL = 0.5
"""A missed fraction of pieces at least this large counts as substantial."""


def _power(g: int) -> str:
    return f"10^{round(math.log10(g))}"


def _setup(quick: bool):
    """(combos (k, sigma_w^2), depth, number of seeds, gap counts)."""
    if quick:
        return ((32, 4), (32, 16), (64, 16)), 8, 2, (10**3, 10**4)
    return (((50, 4), (50, 16), (100, 2), (100, 4), (100, 16), (200, 16)), 10, 3,
            (10**3, 10**4, 10**5))


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Exact and sampled counts per network, and their means per (k, sigma_w^2)."""
    combos, depth, n_seeds, gaps = _setup(quick)
    net_seeds = seeds(seed, n_seeds)
    progress = progress or Progress(enabled=False)
    progress.add(len(combos) * n_seeds)

    records = []  # one per network
    for k, s2 in combos:
        for i, s in enumerate(net_seeds):
            exact = measure_network(k, s2, depth, s)
            net, arc = configuration(k, s2, depth, s)
            sampled = [sampled_counts(net, arc, g + 1) for g in gaps]
            records.append({
                "k": k, "sigma_w2": s2, "seed": i,
                "exact_pieces": exact["num_pieces"], "exact_transitions": exact["transitions"],
                "sampled_pieces": [p for p, _ in sampled],
                "sampled_transitions": [t for _, t in sampled],
            })
            progress.step(note=f"k={k} sigma_w^2={s2}: {exact['num_pieces']} pieces")

    summary = []
    for k, s2 in combos:
        rs = [r for r in records if r["k"] == k and r["sigma_w2"] == s2]
        miss_p = [float(np.mean([1 - r["sampled_pieces"][j] / r["exact_pieces"] for r in rs]))
                  for j in range(len(gaps))]
        miss_t = [float(np.mean([1 - r["sampled_transitions"][j] / r["exact_transitions"]
                                 for r in rs])) for j in range(len(gaps))]
        summary.append({"k": k, "sigma_w2": s2,
                        "exact_pieces": float(np.mean([r["exact_pieces"] for r in rs])),
                        "exact_transitions": float(np.mean([r["exact_transitions"]
                                                            for r in rs])),
                        "missed_pieces": miss_p, "missed_transitions": miss_t})
    return {"combos": [list(c) for c in combos], "depth": depth, "gaps": list(gaps),
            "seeds": n_seeds, "seed": seed, "records": records, "summary": summary}


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """The missed fractions against the number of gaps."""
    import matplotlib.pyplot as plt

    combos, depth, n_seeds, gaps = ([tuple(c) for c in data["combos"]], data["depth"],
                                    data["seeds"], data["gaps"])
    summary = data["summary"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, len(combos)))
    for colour, row in zip(colours, summary):
        label = f"k = {row['k']}, sigma_w^2 = {row['sigma_w2']} ({row['exact_pieces']:.0f} pieces)"
        axes[0].plot(gaps, row["missed_pieces"], "o-", color=colour, label=label)
        axes[1].plot(gaps, row["missed_transitions"], "o-", color=colour, label=label)
    for ax, what in zip(axes, ("pieces", "neuron transitions")):
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.set_ylim(0, 1.5)
        ax.set_xlabel("equal gaps along the arc (samples - 1)")
        ax.set_title(f"fraction of {what} missed (mean of {n_seeds} seeds)", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("1 - sampled / exact")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Random hard-tanh networks of depth {depth}, sigma_b = 0: sampling against "
                 "the exact trace", fontsize=10)
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Sampling never over-counts and misses pieces; more samples miss fewer; deep
    high-sigma_w networks lose a substantial fraction."""
    combos, depth, gaps = [tuple(c) for c in data["combos"]], data["depth"], data["gaps"]
    records, summary = data["records"], data["summary"]
    never_more = all(p <= r["exact_pieces"] and t <= r["exact_transitions"]
                     for r in records for p, t in zip(r["sampled_pieces"],
                                                      r["sampled_transitions"]))
    n_missing = sum(r["sampled_pieces"][0] < r["exact_pieces"] for r in records)
    misses = n_missing > 0
    monotone_net = all(all(a <= b for a, b in zip(r[key][:-1], r[key][1:]))
                       for r in records for key in ("sampled_pieces", "sampled_transitions"))
    decreasing = all(all(a > b or a == 0 for a, b in zip(row["missed_pieces"][:-1],
                                                         row["missed_pieces"][1:]))
                     for row in summary)
    deep = [row for row in summary if row["sigma_w2"] == max(s for _, s in combos)]
    substantial = all(row["missed_pieces"][0] >= SUBSTANTIAL for row in deep)
    return (
        Claim("sampling never sees more pieces or transitions than the exact trace, and misses "
              "some", never_more and misses,
              f"{len(records)} networks x {len(gaps)} sample sizes; pieces missed at "
              f"{_power(gaps[0])} gaps in {n_missing} of {len(records)} networks"),
        Claim("more samples miss fewer pieces (the mean missed fraction decreases, and per "
              "network the counts never drop on the nested grids)", decreasing and monotone_net,
              "; ".join(f"k={row['k']}, {row['sigma_w2']}: "
                        + " > ".join(f"{m:.3f}" for m in row["missed_pieces"])
                        for row in summary)),
        Claim(f"deep, high-sigma_w networks (depth {depth}, sigma_w^2 = {deep[0]['sigma_w2']}): "
              f"{_power(gaps[0])} gaps miss a substantial fraction (>= {SUBSTANTIAL:.0%}) of "
              "the pieces",
              substantial, "; ".join(f"k={row['k']}: {row['missed_pieces'][0]:.1%} of "
                                     f"{row['exact_pieces']:.0f}" for row in deep)),
    )


def report(data: dict[str, Any]) -> str:
    """The section's body: setup, table and reading."""
    combos, depth, n_seeds, gaps = ([tuple(c) for c in data["combos"]], data["depth"],
                                    data["seeds"], data["gaps"])
    summary, seed = data["summary"], data["seed"]
    header = ["k", "sigma_w^2", "exact pieces", "exact transitions"]
    header += [f"pieces missed, {_power(g)} gaps" for g in gaps]
    header += [f"transitions missed, {_power(g)}" for g in gaps]
    rows = [[row["k"], row["sigma_w2"], f"{row['exact_pieces']:.1f}",
             f"{row['exact_transitions']:.1f}",
             *[f"{m:.2%}" for m in row["missed_pieces"]],
             *[f"{m:.2%}" for m in row["missed_transitions"]]] for row in summary]
    table = markdown_table(header, rows)
    worst_t = max(m for row in summary for m in row["missed_transitions"])
    return f"""
Setup: the networks and arcs of the length experiment (hard-tanh [k, k x {depth}, 1], input
dimension k, sigma_b = 0, the arc x(t) = cos t p + sin t q, t in [0, pi/2], p and q standard
Gaussian in R^k), for (k, sigma_w^2) in {', '.join(f'({k}, {s2})' for k, s2 in combos)},
{n_seeds} seeds from {seed} (the first {n_seeds} seeds of the length experiment). Each network
is traced exactly (``regions.trace``) and sampled with ``regions.sample_trace`` at
g + 1 equally spaced angles, g in {{{', '.join(_power(g) for g in gaps)}}} gaps, endpoints
included (sampled in chunks of 10^4 gaps; the counts are those of one call). The grids are
nested, so per network a finer grid never sees fewer changes. Sampled pieces = (number of
consecutive sample pairs with different activation patterns) + 1, sampled transitions = the
sum over those pairs of the neurons whose pattern code differs (a hard-tanh neuron going from
-1 to +1 counts 2, as in the exact count). Missed fraction = 1 - sampled / exact, averaged over
the seeds; exact counts are seed means.

{table}

Sampling at g gaps sees at most g + 1 pieces, so a network with E > g + 1 exact pieces loses
at least 1 - (g + 1) / E of them on any grid of that size: this bounds the deep
high-sigma_w^2 rows from below. Transitions are missed far less (at most {worst_t:.1%} here): a gap
that holds several knots still shows every neuron whose code differs across it, and loses
only the neurons that leave and re-enter a piece within one gap and the pieces between the
knots. Raghu et al. counted transitions and activation patterns along sampled trajectories
(their sampling density is not stated in what this project checked); for networks like
theirs a sampled piece or pattern count is a lower bound that can be far below the exact one,
while a sampled transition count comes much closer.
"""


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
