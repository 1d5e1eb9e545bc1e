"""Raghu et al. Fig. 5: sweeping each layer in turn (k = 128), the number of dichotomies
depends on the *remaining* depth above the swept layer, not on the total depth; counted
exactly with :func:`regions.experiments.dichotomies.count_dichotomies`.

Networks of several total depths are drawn; in each, every hidden weight layer is swept in
turn along W(t) = cos(t) W + sin(t) W'. The claim is tested as a statistical statement: at
each remaining depth that several total depths share, the counts of the different total
depths are samples of one distribution (Kruskal-Wallis across total depths, Bonferroni over
the remaining depths tested), while the same test separates neighbouring remaining depths
(so it has the power to see a one-layer difference).

Run alone: ``python examples/raghu_fig5_dichotomies_layers.py [--quick] [--out DIR]
[--seed S]``.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017 (arXiv 1606.05336), Fig. 5 (remaining depth).
.. [2] W. H. Kruskal, W. A. Wallis, "Use of ranks in one-criterion variance analysis",
   JASA 47 (1952).
"""

from __future__ import annotations

import math
import time
from typing import Any, Sequence, TypedDict

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, seeds
from .dichotomies import NUM_INPUTS, SIGMA_W2, count_dichotomies, draw_sweep

__all__ = ["ALPHA", "NAME", "TITLE", "kruskal_p", "run"]

NAME = "dichotomies_layers"
TITLE = "Dichotomies depend on the remaining depth: each layer swept in turn (Raghu et al. Fig. 5)"

ALPHA = 0.05
"""Family-wise significance level of the remaining-depth tests."""


class _Config(TypedDict):
    """The sizes of one run: input dimension, hidden width k, total depths, networks each."""

    dim: int
    width: int
    total_depths: tuple[int, ...]
    seeds: int


FULL: _Config = {"dim": 100, "width": 128, "total_depths": (2, 4, 6), "seeds": 5}
QUICK: _Config = {"dim": 10, "width": 10, "total_depths": (2, 3), "seeds": 3}


def kruskal_p(groups: Sequence[Any]) -> float:
    """Kruskal-Wallis p-value that ``groups`` (samples of counts) come from one distribution;
    1.0 when every value is the same (no evidence of a difference).

    Examples
    --------
    >>> kruskal_p([[3, 3], [3, 3]])
    1.0
    >>> kruskal_p([[1, 2, 3, 4, 5], [11, 12, 13, 14, 15]]) < 0.05
    True
    """
    from scipy.stats import kruskal

    arrays = [np.asarray(g, dtype=float).ravel() for g in groups]
    if len(arrays) < 2 or any(a.size == 0 for a in arrays):
        raise ValueError(f"groups must be at least 2 non-empty samples; got sizes "
                         f"{[a.size for a in arrays]}")
    pooled = np.concatenate(arrays)
    if np.all(pooled == pooled[0]):
        return 1.0
    return float(kruskal(*arrays).pvalue)


def _geo(a) -> float:
    return float(np.exp(np.mean(np.log(np.asarray(a, dtype=float)))))


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    start = time.perf_counter()
    progress = progress or Progress(enabled=False)
    cfg = QUICK if quick else FULL
    dim, k, totals, n_seeds = cfg["dim"], cfg["width"], cfg["total_depths"], cfg["seeds"]
    progress.add(n_seeds * sum(totals))

    # counts[str(D)][seed][r]: total depth D, hidden layer D - r swept (remaining depth r)
    counts: dict[str, list[list[int]]] = {}
    for D in totals:
        per_seed: list[list[int]] = []
        for s in seeds(seed + 100 * D, n_seeds):
            net, primes, inputs = draw_sweep([dim] + [k] * D + [1], s)
            by_r = [0] * D
            for layer in range(D):
                r = D - 1 - layer
                by_r[r] = count_dichotomies(net, layer, primes[layer], inputs)["count"]
                progress.step(note=f"depth {D}, remaining {r}: {by_r[r]}")
            per_seed.append(by_r)
        counts[str(D)] = per_seed
    max_r = max(totals)

    def group(D: int, r: int) -> list[int]:
        return [row[r] for row in counts[str(D)]]

    # -- same remaining depth, different total depth -----------------------------------------
    shared = [r for r in range(max_r) if sum(1 for D in totals if D > r) >= 2]
    p_same = {r: kruskal_p([group(D, r) for D in totals if D > r]) for r in shared}
    bonf = {r: min(1.0, p * len(shared)) for r, p in p_same.items()}
    spread = {r: max(_geo(group(D, r)) for D in totals if D > r)
              / min(_geo(group(D, r)) for D in totals if D > r) for r in shared}
    same_holds = all(p >= ALPHA for p in bonf.values())
    # -- power: neighbouring remaining depths, pooled over total depths ----------------------
    pooled = {r: sum((group(D, r) for D in totals if D > r), []) for r in range(max_r)}
    p_step = {r: kruskal_p([pooled[r], pooled[r + 1]]) for r in range(max_r - 1)}
    step_bonf = {r: min(1.0, p * len(p_step)) for r, p in p_step.items()}
    p_all = kruskal_p([pooled[r] for r in range(max_r)])
    geo_r = [_geo(pooled[r]) for r in range(max_r)]
    factor = math.exp(np.polyfit(np.arange(max_r), np.log(geo_r), 1)[0]) if max_r > 1 else 1.0
    detected = [r for r in p_step if step_bonf[r] < ALPHA]

    # -- figure ------------------------------------------------------------------------------
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.5, 4.4), sharey=True)
    colours = plt.cm.viridis(np.linspace(0.0, 0.85, len(totals)))
    for c, D in zip(colours, totals):
        arr = np.asarray(counts[str(D)], dtype=float)
        rs = np.arange(D)
        for one in arr:
            ax0.plot(rs, one, "o", color=c, alpha=0.3, ms=3)
        ax0.plot(rs, np.exp(np.log(arr).mean(axis=0)), "o-", color=c, ms=4,
                 label=f"{D} hidden layers")
        # the same data against the swept layer's index (1-based): the curves separate
        ax1.plot(D - rs, np.exp(np.log(arr).mean(axis=0)), "o-", color=c, ms=4,
                 label=f"{D} hidden layers")
    for ax in (ax0, ax1):
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=7)
    ax0.set_xlabel("remaining depth (hidden layers above the swept one)")
    ax0.set_ylabel(f"distinct dichotomies of {NUM_INPUTS} inputs")
    ax0.set_title("against remaining depth (the paper: one curve)", fontsize=9)
    ax1.set_xlabel("swept hidden layer (1 = first)")
    ax1.set_title("the same counts against the swept layer's index", fontsize=9)
    fig.suptitle(f"Raghu Fig. 5: hard-tanh, k = {k}, σ_w² = {SIGMA_W2:g}, each layer swept "
                 "in turn, exact", fontsize=10)
    fig.tight_layout()

    # -- report --------------------------------------------------------------------------------
    rows: list[list[Any]] = []
    for r in range(max_r):
        row: list[Any] = [r]
        for D in totals:
            row.append(f"{_geo(group(D, r)):.4g} (layer {D - r})" if D > r else "")
        if r in p_same:
            row += [p_same[r], bonf[r], spread[r]]
        else:
            row += ["", "", ""]
        rows.append(row)
    table = markdown_table(["remaining depth"] + [f"{D} hidden layers" for D in totals]
                           + ["p (Kruskal-Wallis)", "p x tests (Bonferroni)",
                              "largest / smallest"], rows)
    step_rows = [[f"{r} vs {r + 1}", _geo(pooled[r]), _geo(pooled[r + 1]), p_step[r],
                  step_bonf[r]] for r in p_step]
    table_step = markdown_table(["remaining depths", "geometric mean", "next",
                                 "p (Kruskal-Wallis)", "p x tests"], step_rows)
    verdict = ("no total depth differs from another at any shared remaining depth"
               if same_holds else
               "at remaining depth(s) " + ", ".join(str(r) for r in bonf if bonf[r] < ALPHA)
               + " the total depths differ")
    raw = [r for r in shared if p_same[r] < ALPHA]
    if raw:
        verdict += (" (without the correction, remaining depth(s) "
                    + ", ".join(f"{r} (p = {p_same[r]:.2g}, ratio {spread[r]:.2f})" for r in raw)
                    + f" would reject at {ALPHA:g}: one of {len(shared)} tests, as chance allows)")
    markdown = f"""
The paper's Fig. 5 design: hard-tanh networks with {', '.join(str(D) for D in totals)} hidden
layers of width k = {k}, σ_w² = {SIGMA_W2:g}, zero biases, s = {NUM_INPUTS} inputs
x_i ~ N(0, I_{dim}), {n_seeds} networks per total depth; in each network every hidden layer
is swept in turn along W(t) = cos(t) W + sin(t) W' and its dichotomies counted exactly
(as in the previous section). Remaining depth = hidden layers above the swept one (the
readout always follows; if the paper counts the swept layer too, its axis is ours plus one).
Cells: geometric mean of the counts, with the swept layer (1-based) in brackets.

{table}

Criterion ("same count within sampling error"): at every remaining depth that at least two
total depths share, the Kruskal-Wallis test (ranks, no distributional assumption) does not
reject that the total depths' counts come from one distribution at family-wise level
{ALPHA:g} (Bonferroni over the {len(shared)} remaining depths tested). Result: {verdict}.
That this is not a lack of power shows in the same test between neighbouring remaining
depths (pooled over total depths), where one layer more multiplies the count by about
{factor:.2f} (indicative: the two samples share networks, which the test does not model):

{table_step}

Kruskal-Wallis across all remaining depths: p = {p_all:.2g}. So, as the paper says, what
decides how many dichotomies a layer's weights reach is how many layers lie above it, not
how deep the whole network is; the first layer (whose inputs are the raw x_i rather than
hard-tanh outputs) is part of the comparison at every remaining depth of a shallower net.
"""
    claims = (
        Claim("the count depends on the remaining depth, not the total depth: at every shared "
              "remaining depth the total depths' counts agree (Kruskal-Wallis, Bonferroni, "
              f"family-wise level {ALPHA:g})", same_holds,
              "Bonferroni p " + ", ".join(f"r={r}: {bonf[r]:.2g}" for r in shared)
              + "; largest/smallest geometric mean " + ", ".join(
                  f"{spread[r]:.2f}" for r in shared)),
        Claim("the count grows with the remaining depth (growth > 1.2 per layer, "
              "Kruskal-Wallis across remaining depths p < 0.001, neighbouring remaining depths "
              "told apart at family-wise 0.05 in at least half the steps)",
              factor > 1.2 and p_all < 1e-3 and 2 * len(detected) >= len(p_step),
              f"×{factor:.2f} per layer, p = {p_all:.2g}; {len(detected)} of {len(p_step)} "
              "steps significant"),
    )
    data = {
        "sigma_w2": SIGMA_W2, "num_inputs": NUM_INPUTS, "input_dim": dim, "width": k,
        "total_depths": list(totals), "counts": counts,   # counts[str(D)][seed][r]
        "shared_remaining_depths": shared, "alpha": ALPHA,
        "p_same": {str(r): p for r, p in p_same.items()},
        "p_step": {str(r): p for r, p in p_step.items()}, "p_all": p_all,
        "growth_factor": factor,
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data, claims,
                  time.perf_counter() - start)
