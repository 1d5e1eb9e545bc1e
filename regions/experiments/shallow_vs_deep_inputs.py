"""When the input is wide, shallow beats deep, and a narrow early layer is a bottleneck (Serra
et al. 2018), with exact counts of regions of the whole input space.

Random ReLU networks (He initialisation, σ_b = 0.5) with a fixed number of neurons N split
into layers in every way listed below, partitioned exactly over all of R^n0
(``regions.partition(net, None, exact=True)``, the n-dimensional engine), against Serra et
al.'s upper bound. With n0 >= N one layer of N neurons in general position reaches all 2^N
activation patterns, while a deeper split is capped by the dimensions its narrower layers
leave; with n0 < N the order of the widths matters: a narrow first layer caps everything
after it.

Run alone: ``python examples/shallow_vs_deep_inputs.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions of
   Deep Neural Networks", ICML 2018, Theorem 1 (the upper bound with the dimensions
   min(n0, n_1 - j_1, ...)), Section 4 (shallow networks have more regions when the input
   dimension is at least the number of neurons; the bottleneck effect of narrow early layers).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, run_steps, seeds

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures"]

NAME = "shallow_vs_deep_inputs"
TITLE = "Wide inputs: shallow beats deep, narrow early layers are bottlenecks (Serra et al. 2018)"


def _setup(quick: bool) -> tuple[list[tuple[int, tuple[int, ...]]], int]:
    """((n0, hidden widths) cases, seeds). The first case of each n0 block is the shallow
    one (n0 >= N) or the wide-first one (n0 < N)."""
    wide = [(6, (6,)), (6, (3, 3)), (6, (4, 2)), (6, (2, 4)), (6, (2, 2, 2))]
    bottleneck = [(4, (8, 2)), (4, (5, 5)), (4, (2, 8))]
    if quick:
        return wide[:3] + bottleneck, 2
    return wide + [(8, (8,)), (8, (4, 4)), (8, (6, 2)), (8, (2, 6))] + bottleneck + [
        (4, (10, 2)), (4, (2, 10))], 5


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Exact region counts of R^n0 per case and network, and Serra's upper bound."""
    from bounds import serra_upper_bound

    from ..network import random_network
    from ..partition import partition

    cases, n_seeds = _setup(quick)
    progress = progress or Progress(enabled=False)
    progress.add(len(cases))
    rows = []
    for n0, widths in cases:
        counts = []
        for s in seeds(seed, n_seeds):
            net = random_network([n0, *widths, 1], "relu", sigma_w=float(np.sqrt(2.0)),
                                 sigma_b=0.5, seed=s)
            counts.append(int(partition(net, None, exact=True).num_regions))
        rows.append({"n0": n0, "widths": list(widths), "N": sum(widths), "counts": counts,
                     "serra": int(serra_upper_bound(list(widths), n0))})
        progress.step(note=f"n0={n0} {list(widths)}: max {max(counts)}")
    return {"rows": rows, "seeds": n_seeds}


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Shallow reaches 2^N and beats every deeper split when n0 >= N; no count above the
    bound; a narrow first layer below the reversed order."""
    rows = data["rows"]
    wide = [r for r in rows if r["n0"] >= r["N"]]
    shallow = [r for r in wide if len(r["widths"]) == 1]
    deep = [r for r in wide if len(r["widths"]) > 1]
    full = all(min(r["counts"]) == 2 ** r["N"] for r in shallow)
    beaten = all(max(r["counts"]) < 2 ** r["N"] for r in deep)
    below = all(max(r["counts"]) <= r["serra"] for r in rows)
    pairs = [(a, b) for a in rows for b in rows if a["n0"] == b["n0"] < a["N"] == b["N"]
             and len(a["widths"]) == 2 and a["widths"] == b["widths"][::-1]
             and a["widths"][0] < a["widths"][1]]
    narrow = all(max(a["counts"]) < min(b["counts"]) and a["serra"] < b["serra"]
                 for a, b in pairs)
    return (
        Claim("with n0 >= N a single layer of N neurons reaches all 2^N regions", full,
              "; ".join(f"n0={r['n0']}, N={r['N']}: {min(r['counts'])} to "
                        f"{max(r['counts'])}" for r in shallow)),
        Claim("... and every deeper split of the same N neurons has fewer, in every network "
              "(shallow beats deep when n0 >= N)", beaten,
              "; ".join(f"{r['widths']}: at most {max(r['counts'])} of {2 ** r['N']}"
                        for r in deep)),
        Claim("no exact count exceeds Serra et al.'s upper bound", below,
              f"{sum(len(r['counts']) for r in rows)} networks"),
        Claim("a narrow first layer is a bottleneck: widths (a, b) with a < b give fewer "
              "regions than (b, a), in every network and in the bound", narrow and bool(pairs),
              "; ".join(f"{a['widths']} at most {max(a['counts'])} (bound {a['serra']}) vs "
                        f"{b['widths']} at least {min(b['counts'])} (bound {b['serra']})"
                        for a, b in pairs)),
    )


def report(data: dict[str, Any]) -> str:
    """The section's body: setup and the table of counts."""
    rows = [[r["n0"], str(r["widths"]), r["N"], min(r["counts"]),
             f"{np.mean(r['counts']):.1f}", max(r["counts"]), r["serra"], 2 ** r["N"]]
            for r in data["rows"]]
    table = markdown_table(["n0", "widths", "N", "min", "mean", "max", "Serra upper bound",
                            "2^N"], rows)
    return f"""
Setup: ReLU networks [n0, widths, 1] with σ_w² = 2 and σ_b = 0.5, {data['seeds']} per row;
every count is the exact number of activation regions of all of R^n0
(``regions.partition(net, None, exact=True)``, rational arithmetic).

{table}

With n0 >= N one layer reaches every one of the 2^N patterns; splitting the neurons over
layers leaves later layers fewer dimensions (Serra et al.'s min(n0, n_1 - j_1, ...)),
so shallow beats deep. With n0 < N the order matters: a first layer narrower than the input
caps the dimension every later layer works in.
"""


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """Counts per architecture beside the bound, one panel per input dimension."""
    import matplotlib.pyplot as plt

    n0s = sorted({r["n0"] for r in data["rows"]}, reverse=True)
    fig, axes = plt.subplots(1, len(n0s), figsize=(4.5 * len(n0s), 4), squeeze=False)
    for ax, n0 in zip(axes[0], n0s):
        rs = [r for r in data["rows"] if r["n0"] == n0]
        x = np.arange(len(rs))
        for i, r in enumerate(rs):
            ax.plot([i] * len(r["counts"]), r["counts"], "o", color="C0", alpha=0.6,
                    label="exact counts" if i == 0 else None)
        ax.plot(x, [r["serra"] for r in rs], "k_", markersize=18, label="Serra upper bound")
        ax.set_xticks(x, [str(r["widths"]) for r in rs], rotation=30, fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("regions of R^n0")
        ax.set_title(f"n0 = {n0}", fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
