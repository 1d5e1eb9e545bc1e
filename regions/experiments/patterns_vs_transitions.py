"""Transitions and activation patterns: one to one on a straight trajectory, not on a closed
curve (Raghu et al. 2017, Section 2.2: transitions count the changes of activation pattern
along x(t); an activation region is convex, so a straight line meets it once).

For random hard-tanh and ReLU networks, each traced exactly along a straight segment and
along a full circle through the same two random inputs, this counts the pieces, the distinct
activation patterns met (A) and the neuron transitions (T). On a segment every piece has its
own pattern (A = pieces) and, on generic weights, one neuron changes at each knot, so
T = A - 1: each transition is a new pattern. On the closed circle the curve can leave a
region and come back to it, so A < pieces is possible while T still counts every crossing.

Run alone: ``python examples/patterns_vs_transitions.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 2.2 (transitions and activation
   patterns along a trajectory).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._common import Claim, Progress, Result, run_steps, markdown_table, seeds

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures"]

NAME = "patterns_vs_transitions"
TITLE = "Transitions and activation patterns on straight and closed trajectories"


def _setup(quick: bool) -> tuple[list[tuple[str, int, float]], int, int, int]:
    """(networks (activation, width k, sigma_w^2), depth, input dimension, seeds)."""
    if quick:
        return [("hardtanh", 8, 4.0), ("relu", 8, 2.0)], 3, 2, 3
    return [("hardtanh", 10, 4.0), ("hardtanh", 10, 16.0), ("relu", 16, 2.0)], 4, 2, 6


def _count(tr: Any) -> dict[str, int]:
    return {"pieces": int(tr.num_pieces), "patterns": int(tr.num_patterns),
            "transitions": int(tr.transitions)}


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Trace every network along the segment p -> q and the circle cos t p + sin t q
    (p, q standard Gaussian in R^m), exactly; one record per network."""
    from ..network import random_network
    from ..trace import trace
    from ..trajectory import Arc, Segment

    nets, depth, m, n_seeds = _setup(quick)
    progress = progress or Progress(enabled=False)
    progress.add(len(nets) * n_seeds)
    records: list[dict[str, Any]] = []
    for act, k, s2 in nets:
        for i, s in enumerate(seeds(seed, n_seeds)):
            net = random_network([m] + [k] * depth + [1], act, sigma_w=float(np.sqrt(s2)),
                                 sigma_b=0.5 if act == "relu" else 0.0, seed=s)
            p, q = np.random.default_rng(s).normal(size=(2, m))
            rec: dict[str, Any] = {"activation": act, "k": k, "sigma_w2": s2, "seed": i,
                   "segment": _count(trace(net, Segment(p, q), exact=True)),
                   "circle": _count(trace(net, Arc.circle(p, q), exact=True))}
            records.append(rec)
            progress.step(note=f"{act} k={k}: {rec['circle']['pieces']} circle pieces")
    return {"nets": [list(n) for n in nets], "depth": depth, "input_dim": m,
            "seeds": n_seeds, "records": records}


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """The paper's correspondence on segments, and what closed curves do, from ``data``."""
    recs = data["records"]
    seg_once = all(r["segment"]["patterns"] == r["segment"]["pieces"] for r in recs)
    seg_one_to_one = sum(r["segment"]["transitions"] == r["segment"]["patterns"] - 1
                         for r in recs)
    revisits = [r for r in recs if r["circle"]["patterns"] < r["circle"]["pieces"]]
    circle_t = all(r["circle"]["transitions"] >= r["circle"]["pieces"] for r in recs
                   if r["circle"]["pieces"] > 1)
    share = np.mean([r["circle"]["patterns"] / r["circle"]["pieces"] for r in recs])
    return (
        Claim("on a straight trajectory every piece has its own activation pattern (A = "
              "number of pieces: a convex region is met once)", seg_once,
              f"{len(recs)} segments"),
        Claim("on a straight trajectory transitions and new patterns correspond one to one "
              "(T = A - 1: generic weights change one neuron per knot)",
              seg_one_to_one == len(recs), f"{seg_one_to_one} of {len(recs)} segments"),
        Claim("on a closed curve they need not: some circles re-enter a region (A < pieces), "
              "while T still counts every crossing (T >= pieces)",
              bool(revisits) and circle_t,
              f"{len(revisits)} of {len(recs)} circles re-enter a region; mean A / pieces "
              f"{share:.3f}"),
    )


def _summary(data: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for act, k, s2 in data["nets"]:
        rs = [r for r in data["records"] if (r["activation"], r["k"], r["sigma_w2"]) ==
              (act, k, s2)]

        def mean(path: str, key: str, rs: list = rs) -> float:
            return float(np.mean([r[path][key] for r in rs]))

        rows.append([act, k, s2, mean("segment", "pieces"), mean("segment", "transitions"),
                     mean("circle", "pieces"), mean("circle", "patterns"),
                     mean("circle", "transitions"),
                     sum(r["circle"]["patterns"] < r["circle"]["pieces"] for r in rs)])
    return rows


def report(data: dict[str, Any]) -> str:
    """The report section's body: setup and the table of mean counts."""
    table = markdown_table(
        ["φ", "k", "σ_w²", "segment: pieces (= A)", "segment: T", "circle: pieces",
         "circle: A", "circle: T", "circles with A < pieces"], _summary(data))
    return f"""
Setup: random networks [m, k x {data['depth']}, 1] with m = {data['input_dim']} inputs
(hard-tanh with σ_b = 0, ReLU with σ_b = 0.5), {data['seeds']} seeds each; for each network
two standard Gaussian points p, q, the segment from p to q and the full circle
x(t) = cos t p + sin t q, t in [0, 2π] (an ellipse through the input plane), both traced exactly (``regions.trace``, arcs solved
in closed form). A = distinct activation patterns met, T = neuron transitions (a hard-tanh
neuron going from -1 to +1 counts 2), pieces = linear pieces of the trajectory (on the
circle the pieces at both ends of [0, 2π] are one).

{table}

On the segments every count is as the correspondence says. On the circles the curve crosses
some regions twice (two arcs of the circle in one convex region), so fewer patterns than
pieces are met, while every crossing is still a transition: counting transitions measures
length-like complexity, counting patterns measures how many regions are visited, and the two
agree only on straight trajectories.
"""


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """T against A on segments and on circles, one point per network."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, path in zip(axes, ("segment", "circle")):
        for act, marker in (("hardtanh", "o"), ("relu", "s")):
            rs = [r for r in data["records"] if r["activation"] == act]
            ax.scatter([r[path]["patterns"] for r in rs], [r[path]["transitions"] for r in rs],
                       marker=marker, alpha=0.7, label=act)
        top = max(max(r[path]["patterns"], r[path]["transitions"]) for r in data["records"])
        ax.plot([1, top], [0, top - 1], "k--", linewidth=0.8, label="T = A - 1")
        ax.set_xlabel("distinct activation patterns A")
        ax.set_ylabel("neuron transitions T")
        ax.set_title(f"{path}s", fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
