"""Regions per unit area and the distance to the nearest boundary grow with the number of
neurons, not exponentially with depth (Hanin and Rolnick 2019), counted exactly on 2-D inputs.

Random ReLU networks at He initialisation with N neurons split over 1, 2, 4 or 8 hidden
layers of equal width, two inputs; each is partitioned exactly (``regions.partition``) in the
square [-1, 1]^2 (its regions, per unit area) and in [-2, 2]^2, where for random points of the
inner square the distance to the nearest region boundary (an edge between two regions, not
the square's side) is measured on the exact polygons.

Run alone: ``python examples/regions_per_area.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] B. Hanin, D. Rolnick, "Complexity of Linear Regions in Deep Networks", ICML 2019,
   Theorems 1 and 3 (regions per unit volume grow like N^{n0}; the distance to the nearest
   boundary is of order 1/N, at initialisation, for any depth).
.. [2] B. Hanin, D. Rolnick, "Deep ReLU Networks Have Surprisingly Few Activation
   Patterns", NeurIPS 2019 (the count in a cube grows like (N T)^{n0} / n0!).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._common import Claim, Progress, Result, fit_line, markdown_table, run_steps, seeds

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures",
           "boundary_distances"]

NAME = "regions_per_area"
TITLE = "Regions per unit area and distance to the nearest boundary (Hanin and Rolnick 2019)"

INNER = 1.0
"""The counted square is [-INNER, INNER]^2, inside the partitioned [-2 INNER, 2 INNER]^2."""


MIN_WIDTH = 16
"""Narrower layers are left out: at He initialisation a layer of a few units is often dead
on most of the square (a regime Hanin and Rolnick's bounds do not describe)."""


def _setup(quick: bool) -> tuple[list[int], list[int], int, int, int]:
    """(neuron counts N, depths, seeds, random points per network, narrowest width)."""
    if quick:
        return [8, 16, 32], [1, 2], 1, 50, 4
    return [16, 32, 64, 128, 256], [1, 2, 4, 8], 3, 200, MIN_WIDTH


def boundary_distances(part: Any, points: np.ndarray, chunk: int = 16) -> np.ndarray:
    """The distance from each point to the nearest edge between two regions of ``part`` (a
    planar :class:`~regions.Partition`; the domain's own sides do not count).

    >>> from regions import Network, partition
    >>> from regions.constructions import box_polygon
    >>> net = Network([[[1, 0]], [[1]]], [[0], [0]], ["relu", "linear"])   # boundary x1 = 0
    >>> part = partition(net, box_polygon([-2, -2], [2, 2]))
    >>> boundary_distances(part, np.array([[0.5, 0.0], [-0.25, 1.0]])).tolist()
    [0.5, 0.25]
    """
    pts = np.asarray(part.points, dtype=np.float64)
    edges = part.edges[part.edge_kinds == 0]
    a, b = pts[edges[:, 0]], pts[edges[:, 1]]
    d = b - a
    dd = np.maximum((d * d).sum(axis=1), 1e-300)
    out = np.empty(points.shape[0])
    for s in range(0, points.shape[0], chunk):  # (points x edges) in chunks: bounded memory
        p = points[s:s + chunk, None, :]
        lam = np.clip(((p - a) * d).sum(axis=2) / dd, 0.0, 1.0)
        near = a + lam[:, :, None] * d
        out[s:s + chunk] = np.sqrt(((p - near) ** 2).sum(axis=2)).min(axis=1)
    return out


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Per (N, depth, network): regions meeting the inner square, and the mean distance from
    random inner points to the nearest boundary."""
    from ..constructions import box_polygon
    from ..network import random_network
    from ..partition import partition

    Ns, depths, n_seeds, n_points, min_width = _setup(quick)
    progress = progress or Progress(enabled=False)
    cases = [(N, L) for N in Ns for L in depths if N // L >= min_width]
    progress.add(len(cases) * n_seeds)
    inner = box_polygon([-INNER] * 2, [INNER] * 2)
    outer = box_polygon([-2 * INNER] * 2, [2 * INNER] * 2)  # (distances: no side effects)
    records = []
    for N, L in cases:
        for i, s in enumerate(seeds(seed, n_seeds)):
            net = random_network([2] + [N // L] * L + [1], "relu", sigma_w=float(np.sqrt(2.0)),
                                 sigma_b=0.1, seed=s)
            count = partition(net, inner, exact=False).num_regions  # regions meeting it
            pts = np.random.default_rng(s).uniform(-INNER, INNER, size=(n_points, 2))
            dist = boundary_distances(partition(net, outer, exact=False), pts)
            records.append({"N": N, "depth": L, "seed": i, "regions": count,
                            "per_area": count / (2 * INNER) ** 2,
                            "distance": float(dist.mean())})
            progress.step(note=f"N={N} depth={L}: {count} regions")
    return {"Ns": Ns, "depths": depths, "seeds": n_seeds, "points": n_points,
            "min_width": min_width, "records": records}


def _means(data: dict[str, Any]) -> dict[tuple[int, int], tuple[float, float]]:
    out = {}
    for N in data["Ns"]:
        for L in data["depths"]:
            rs = [r for r in data["records"] if (r["N"], r["depth"]) == (N, L)]
            if rs:
                out[N, L] = (float(np.exp(np.mean([np.log(r["per_area"]) for r in rs]))),
                             float(np.exp(np.mean([np.log(r["distance"]) for r in rs]))))
    return out


def _slopes(data: dict[str, Any]) -> dict[int, tuple[float, float]]:
    """Per depth: log-log slopes of regions per area and of the distance against N."""
    means = _means(data)
    out = {}
    for L in data["depths"]:
        Ns = [N for N in data["Ns"] if (N, L) in means]
        if len(Ns) >= 3:
            x = np.log(Ns)
            out[L] = (fit_line(x, np.log([means[N, L][0] for N in Ns]))[1],
                      fit_line(x, np.log([means[N, L][1] for N in Ns]))[1])
    return out


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Quadratic growth in N, no exponential growth in depth, distance of order 1/N."""
    slopes, means = _slopes(data), _means(data)
    quad = all(1.6 <= a <= 2.4 for a, _ in slopes.values())
    inv = all(-1.3 <= b <= -0.7 for _, b in slopes.values())
    deepest = {N: max((L for L in data["depths"] if (N, L) in means), default=1)
               for N in data["Ns"]}
    ratio = {N: means[N, deepest[N]][0] / means[N, 1][0] for N in data["Ns"]
             if deepest[N] > 1}
    flat = all(r <= 1.5 for r in ratio.values())
    return (
        Claim("regions per unit area grow like N^2 for two inputs (log-log slope in "
              "[1.6, 2.4] at every depth)", quad,
              "; ".join(f"depth {L}: {a:.2f}" for L, (a, _) in slopes.items())),
        Claim("not exponentially with depth: at a fixed N the deepest network has at most "
              "1.5 times the regions of the shallow one", flat,
              "; ".join(f"N={N}: {r:.2f}" for N, r in ratio.items())),
        Claim("the distance to the nearest boundary is of order 1/N (log-log slope in "
              "[-1.3, -0.7] at every depth)", inv,
              "; ".join(f"depth {L}: {b:.2f}" for L, (_, b) in slopes.items())),
    )


def report(data: dict[str, Any]) -> str:
    """The section's body: setup and the table of geometric means."""
    means = _means(data)
    rows = [[N, L, N // L, f"{means[N, L][0]:.1f}", f"{means[N, L][0] / N ** 2:.3f}",
             f"{means[N, L][1]:.4f}", f"{means[N, L][1] * N:.2f}"]
            for (N, L) in sorted(means)]
    table = markdown_table(["N", "depth", "width", "regions per unit area",
                            "per area / N²", "mean distance", "distance × N"], rows)
    return f"""
Setup: ReLU networks [2, N/L x L, 1] at He initialisation (σ_w² = 2, σ_b = 0.1), hidden
layers at least {data['min_width']} wide, {data['seeds']} per (N, L), partitioned exactly in float mode (``regions.partition``); the
regions of [-1, 1]² are counted and divided by its area 4; the mean distance from
{data['points']} uniform points of [-1, 1]² to the nearest edge between two regions is
measured on the exact polygons of the partition of [-2, 2]² (so that no side of the counted
square is taken for a boundary). Geometric means over the networks:

{table}

Hanin and Rolnick's count grows like N^(n0) = N² per unit area and the distance to the
nearest boundary like 1/N, for any depth; depth at a fixed N changes both by a bounded
factor here (deeper networks have slightly fewer regions), far from the exponential growth in
depth that the maximum over weights allows.
"""


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """Regions per area and mean distance against N, one line per depth, log-log."""
    import matplotlib.pyplot as plt

    means = _means(data)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for L in data["depths"]:
        Ns = [N for N in data["Ns"] if (N, L) in means]
        axes[0].plot(Ns, [means[N, L][0] for N in Ns], "o-", label=f"depth {L}")
        axes[1].plot(Ns, [means[N, L][1] for N in Ns], "o-", label=f"depth {L}")
    grid = np.array(data["Ns"], dtype=float)
    axes[0].plot(grid, grid ** 2 / 2, "k--", linewidth=0.8, label="N² / 2")
    axes[1].plot(grid, 1 / grid, "k--", linewidth=0.8, label="1 / N")
    for ax, what in zip(axes, ("regions per unit area", "mean distance to a boundary")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("neurons N")
        ax.set_ylabel(what)
        ax.legend(fontsize=8)
    axes[0].set_title("regions meeting [-1, 1]²", fontsize=10)
    axes[1].set_title("random points of [-1, 1]²", fontsize=10)
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
