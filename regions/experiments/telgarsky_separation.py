"""Telgarsky's separation, measured exactly: how far shallow networks of growing width stay
from the sawtooth with 2^L pieces, in L1 distance on [0, 1] computed piece by piece.

The sawtooth (the tent map composed L times, :func:`regions.constructions.sawtooth`: depth 2L,
2 units per layer) has 2^L pieces. A shallow network with w ReLU units has at most w + 1
pieces. For each w two shallow networks are fitted by least squares (knots at j / w, or at
the sawtooth's first w knots; coefficients on 64 2^L points), the nearer one is kept, and the
L1 distance between the two functions is computed
exactly: both are piecewise linear, so merging their knots and integrating |f - g| on each
interval (split where it changes sign) gives a rational number, in rational arithmetic from
the fitted float weights' binary values.

Run alone: ``python examples/telgarsky_separation.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] M. Telgarsky, "Benefits of depth in neural networks", COLT 2016, Theorem 1.1 and
   Lemma 3.1 (the sawtooth; a network with fewer than about 2^L pieces stays at a constant
   L1 distance from it).
"""

from __future__ import annotations

import sys
from fractions import Fraction
from typing import Any

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, run_steps

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures", "l1_distance",
           "fit_shallow"]

NAME = "telgarsky_separation"
TITLE = "Telgarsky's separation: shallow width needed for the sawtooth (exact L1 distance)"

FAR = 0.1
"""An L1 distance at least this large counts as far from the sawtooth."""


def _setup(quick: bool) -> tuple[list[int], list[int]]:
    """(depths L, widths w as powers of 2 from 2 up to 2^(L+1))."""
    return ([3, 4], [1, 2, 3]) if quick else ([3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 8])


KNOTS = ("uniform", "leading")
"""Where a fitted shallow network puts its knots: at j / w (spread evenly), or at the
sawtooth's own first w knots j / 2^L (exact on the teeth it covers, flat after)."""


def fit_shallow(L: int, width: int, knots: str = "uniform") -> Any:
    """A shallow ReLU network ``[1, width, 1]`` fitted to the sawtooth with 2^L pieces by least
    squares on 64 2^L points of [0, 1], its knots placed as ``knots`` says (:data:`KNOTS`)."""
    from ..constructions import sawtooth
    from ..network import Network

    net, _ = sawtooth(L)
    x = np.linspace(0.0, 1.0, 64 * 2 ** L + 1)
    y = np.array([float(v) for v in net(np.array([[Fraction(v)] for v in x], dtype=object))[:, 0]])
    if knots not in KNOTS:
        raise ValueError(f"knots must be one of {KNOTS}, got {knots!r}")
    t = np.arange(width) / (width if knots == "uniform" else 2 ** L)
    basis = np.column_stack([np.maximum(x[:, None] - t[None, :], 0.0), np.ones_like(x)])
    coef = np.linalg.lstsq(basis, y, rcond=None)[0]
    return Network([np.ones((width, 1)), coef[None, :width]], [-t, coef[width:]],
                   ["relu", "linear"])


def l1_distance(f: Any, g: Any) -> Fraction:
    """The exact integral of |f - g| over [0, 1] for two networks with one input and one
    output: their knots merged (exact traces), |f - g| integrated on each interval, split
    where f - g changes sign.

    >>> from regions import Network
    >>> f = Network([[[1]], [[1]]], [[0], [0]], ["relu", "linear"])     # x on [0, 1]
    >>> g = Network([[[1]], [[0]]], [[0], [Fraction(1, 2)]], ["relu", "linear"])  # 1/2
    >>> l1_distance(f, g)
    Fraction(1, 4)
    """
    from ..trace import trace
    from ..trajectory import Segment

    seg = Segment([Fraction(0)], [Fraction(1)])
    xs = sorted({Fraction(0), Fraction(1)} | {Fraction(k) for k in trace(f, seg).knots}
                | {Fraction(k) for k in trace(g, seg, exact=True).knots})
    pts = np.array([[x] for x in xs], dtype=object)
    d = [a - b for a, b in zip(f(pts)[:, 0], _exact(g)(pts)[:, 0])]
    total = Fraction(0)
    for x0, x1, d0, d1 in zip(xs[:-1], xs[1:], d[:-1], d[1:]):
        h = x1 - x0
        if d0 * d1 >= 0:
            total += h * (abs(d0) + abs(d1)) / 2
        else:  # the zero splits the interval into two triangles
            total += h * (d0 * d0 + d1 * d1) / (2 * (abs(d0) + abs(d1)))
    return total


def _exact(net: Any) -> Any:
    """The network with its float entries at their exact binary values."""
    from ..network import Network

    if net.is_exact:
        return net
    to_q = np.vectorize(Fraction, otypes=[object])
    return Network([to_q(w) for w in net.weights], [to_q(b) for b in net.biases],
                   list(net.activations))


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """The exact L1 distance for every depth L and shallow width w = 2^j."""
    from ..constructions import sawtooth

    Ls, js = _setup(quick)
    progress = progress or Progress(enabled=False)
    progress.add(len(Ls))
    rows = []
    for L in Ls:
        f, _ = sawtooth(L)
        for j in js:
            if j > L + 1:
                continue
            dists = {k: l1_distance(f, fit_shallow(L, 2 ** j, k)) for k in KNOTS}
            best = min(dists.values())
            rows.append({"L": L, "width": 2 ** j, "distance": float(best), "exact": str(best),
                         **{f"distance_{k}": float(v) for k, v in dists.items()}})
        progress.step(note=f"L={L}")
    return {"Ls": Ls, "rows": rows}


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Far below width 2^(L-1), on the sawtooth at width 2^L; the width needed doubles with L."""
    rows = data["rows"]
    far = all(r["distance"] >= FAR for r in rows if r["width"] < 2 ** (r["L"] - 1))
    exact = all(r["distance"] < 1e-9 for r in rows if r["width"] >= 2 ** r["L"])
    needed = {L: min((r["width"] for r in rows if r["L"] == L and r["distance"] < FAR),
                     default=None) for L in data["Ls"]}
    doubles = all(needed[L] == 2 ** (L - 1) or needed[L] == 2 ** L for L in data["Ls"])
    return (
        Claim(f"shallow networks narrower than 2^(L-1) stay far from the sawtooth (L1 "
              f"distance >= {FAR})", far,
              "; ".join(f"L={r['L']}, w={r['width']}: {r['distance']:.3f}" for r in rows
                        if r["width"] == 2 ** (r["L"] - 2))),
        Claim("width 2^L reproduces it exactly (distance 0 up to the fit's rounding)", exact,
              "; ".join(f"L={r['L']}: {r['distance']:.1e}" for r in rows
                        if r["width"] == 2 ** r["L"])),
        Claim("the width needed to come within the distance doubles with each composition "
              "(2^(L-1) or 2^L), while the deep network grows by 3 units", doubles,
              "; ".join(f"L={L}: {w}" for L, w in needed.items())),
    )


def report(data: dict[str, Any]) -> str:
    """The section's body: the distance table."""
    widths = sorted({r["width"] for r in data["rows"]})
    by = {(r["L"], r["width"]): r["distance"] for r in data["rows"]}
    rows = [[L, 2 ** L, 3 * L, *[f"{by[L, w]:.4f}" if (L, w) in by else "" for w in widths]]
            for L in data["Ls"]]
    table = markdown_table(["L", "sawtooth pieces", "deep units", *[f"w = {w}" for w in widths]],
                           rows)
    return f"""
Setup: the sawtooth f_L (Telgarsky's tent map composed L times: 2^L pieces on [0, 1], a
network of 2L hidden layers with 3L units in all, exact weights) against shallow ReLU
networks [1, w, 1] fitted by least squares, with knots at j / w or at the sawtooth's first
w knots, the nearer kept. Each entry is the exact L1 distance
∫|f_L - g| over [0, 1], computed piece by piece in rational arithmetic (``regions.trace``
finds both networks' knots exactly):

{table}

A shallow network needs about as many units as the sawtooth has pieces: spread evenly, fewer
than 2^L knots leave the least-squares fit at the constant 1/2 (distance 1/4); put on the
sawtooth's own knots, they reproduce only the teeth they cover, and the distance falls only
linearly in w, about (1 - w / 2^L) / 4, while the deep network that makes the sawtooth has 3L
units.
"""


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """L1 distance against shallow width, one line per L."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for L in data["Ls"]:
        rs = [r for r in data["rows"] if r["L"] == L]
        ax.plot([r["width"] for r in rs], [max(r["distance"], 1e-6) for r in rs], "o-",
                label=f"L = {L} ({2 ** L} pieces)")
    ax.axhline(FAR, color="k", linestyle="--", linewidth=0.8, label=f"distance {FAR}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("shallow width w")
    ax.set_ylabel("exact L1 distance to the sawtooth")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
