"""Raghu et al. Fig. 2: the number of neuron transitions along an arc against the length of the
arc's image, across depths, widths and sigma_w^2 (random hard-tanh networks, exact counts).

The networks and arcs are those of :mod:`.length_growth` (:mod:`._hardtanh`). The network of
depth d is the first d hidden layers of the depth-n network: its transitions are the exact
``Trace.transitions_per_layer`` of layers 1..d summed (a layer's pieces depend only on the
layers below it) and its last hidden layer's image has the exact length ``Trace.lengths[d]``.
A least-squares line log10 T = a + b log10 l is fitted (b = 1 is proportionality).

Run alone: ``python examples/raghu_fig2_transitions.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import time

import numpy as np

from ._common import Claim, Progress, Result, markdown_table
from ._hardtanh import SIGMA_W2, log_fit, measure, plan

__all__ = ["NAME", "TITLE", "run"]

NAME = "transitions_vs_length"
TITLE = "Transitions are proportional to trajectory length (Raghu et al. Fig. 2)"

LARGE = 4
"""sigma_w^2 from which the paper's large-sigma_w statement is tested."""


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    widths, depth, net_seeds, progress = plan(quick, seed, progress)
    n_seeds = len(net_seeds)

    points = []  # one per (k, sigma_w^2, seed, depth d)
    for k in widths:
        for s2 in SIGMA_W2:
            for i, s in enumerate(net_seeds):
                m = measure(k, s2, depth, s)
                cum = np.cumsum(m["transitions_per_layer"])
                for d in range(1, depth + 1):
                    points.append({"k": k, "sigma_w2": s2, "seed": i, "depth": d,
                                   "length": m["lengths"][d], "transitions": int(cum[d - 1]),
                                   "input_length": float(sum(m["lengths"][:d])),
                                   "layer_transitions": int(m["transitions_per_layer"][d - 1]),
                                   "previous_length": m["lengths"][d - 1]})
                progress.step(note=f"k={k} sigma_w^2={s2}")

    def fit(select, x="length"):
        sel = [p for p in points if select(p) and p["transitions"] > 0]
        a, b, r2 = log_fit([p[x] for p in sel], [p["transitions"] for p in sel])
        return {"points": len(sel), "intercept": a, "slope": b, "r2": r2}

    fits = {"sigma_w^2 >= 4": fit(lambda p: p["sigma_w2"] >= LARGE),
            "all sigma_w^2": fit(lambda p: True)}
    for s2 in SIGMA_W2:
        fits[f"sigma_w^2 = {s2}"] = fit(lambda p, s2=s2: p["sigma_w2"] == s2)
    for k in widths:
        fits[f"k = {k}, sigma_w^2 >= 4"] = fit(lambda p, k=k: p["k"] == k
                                               and p["sigma_w2"] >= LARGE)
    fits["all, against sum_(j<d) l(z^(j))"] = fit(lambda p: True, "input_length")
    zero = sum(p["transitions"] == 0 for p in points)

    # mean transitions per depth
    def mean_curve(k, s2):
        return [float(np.mean([p["transitions"] for p in points if p["k"] == k
                               and p["sigma_w2"] == s2 and p["depth"] == d]))
                for d in range(1, depth + 1)]

    curves = {(k, s2): mean_curve(k, s2) for k in widths for s2 in SIGMA_W2}

    # -- figure ----------------------------------------------------------------------------
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, len(SIGMA_W2)))
    markers = "osD^v"
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    for colour, s2 in zip(colours, SIGMA_W2):
        for marker, k in zip(markers, widths):
            sel = [p for p in points if p["sigma_w2"] == s2 and p["k"] == k
                   and p["transitions"] > 0]
            ax.scatter([p["length"] for p in sel], [p["transitions"] for p in sel], s=9,
                       color=colour, marker=marker, alpha=0.6,
                       label=f"sigma_w^2 = {s2}" if k == widths[0] else None)
    for key, style in (("sigma_w^2 >= 4", "k-"), ("all sigma_w^2", "k:")):
        f = fits[key]
        xs = np.array([min(p["length"] for p in points), max(p["length"] for p in points)])
        ax.plot(xs, 10 ** f["intercept"] * xs ** f["slope"], style, lw=1.2,
                label=f"fit {key}: slope {f['slope']:.2f}, R^2 = {f['r2']:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("exact length of the last hidden layer's image l(z^(d))")
    ax.set_ylabel("neuron transitions T (layers 1..d)")
    ax.set_title("markers: k = " + ", ".join(f"{k} ({m})" for m, k in zip(markers, widths)),
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    mid = widths[len(widths) // 2]
    ds = np.arange(1, depth + 1)
    for colour, s2 in zip(colours, SIGMA_W2):
        axes[1].plot(ds, curves[(mid, s2)], "o-", ms=3, color=colour, label=f"sigma_w^2 = {s2}")
    axes[1].set_title(f"k = {mid}: transitions against depth", fontsize=9)
    wcol = plt.cm.plasma(np.linspace(0.0, 0.8, len(widths)))
    for colour, k in zip(wcol, widths):
        axes[2].plot(ds, curves[(k, 16)], "o-", ms=3, color=colour, label=f"k = {k}")
    axes[2].set_title("sigma_w^2 = 16: transitions against depth, by width", fontsize=9)
    for ax in axes[1:]:
        ax.set_yscale("log")
        ax.set_xlabel("depth d")
        ax.set_ylabel(f"mean transitions over {n_seeds} seeds")
        ax.legend(fontsize=7)
        ax.grid(True, alpha=0.3)
    fig.suptitle("Random hard-tanh networks, sigma_b = 0, arc between two Gaussian inputs "
                 "(exact counts)", fontsize=10)
    fig.tight_layout()

    # -- claims ----------------------------------------------------------------------------
    large, every = fits["sigma_w^2 >= 4"], fits["all sigma_w^2"]
    per_layer = {}
    for k in widths:
        for s2 in SIGMA_W2:
            c = np.array(curves[(k, s2)])
            layer = np.diff(np.concatenate([[0.0], c]))  # mean transitions of layer d
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.log(layer[1:] / layer[:-1])
            per_layer[(k, s2)] = (float(np.exp(np.mean(logs))) if np.all(np.isfinite(logs))
                                  else float("nan"))
    grow = [(k, s2, per_layer[(k, s2)]) for k in widths for s2 in SIGMA_W2 if s2 >= LARGE]
    # transitions of layer d per unit length of the curve it receives, l(z^(d-1))
    density = {k: float(np.mean([p["layer_transitions"] / p["previous_length"] for p in points
                                 if p["k"] == k and p["sigma_w2"] >= LARGE]))
               for k in widths}
    width_gain = {s2: curves[(widths[-1], s2)][-1] / curves[(widths[0], s2)][-1]
                  for s2 in SIGMA_W2}
    claims = (
        Claim("sigma_w^2 >= 4: transitions correlate with the length of the last hidden "
              "layer's image (log-log fit, R^2 > 0.9)", large["r2"] > 0.9,
              f"R^2 = {large['r2']:.3f}, slope {large['slope']:.2f}, "
              f"{large['points']} points"),
        Claim("all sigma_w^2 (1 to 16): the same correlation, R^2 > 0.9", every["r2"] > 0.9,
              f"R^2 = {every['r2']:.3f}, slope {every['slope']:.2f}, {every['points']} points"
              f"; sigma_w^2 = 1 alone: R^2 = {fits['sigma_w^2 = 1']['r2']:.3f}"),
        Claim("sigma_w^2 >= 4: the transitions of layer d grow exponentially with d (mean "
              "per-layer ratio > 1 for every width)", all(g > 1 for _, _, g in grow),
              "; ".join(f"k={k}, {s2}: {g:.2f}" for k, s2, g in grow)),
    )

    total_slope = fits["all, against sum_(j<d) l(z^(j))"]["slope"]
    slope_text = ", ".join(f"{fits[f'sigma_w^2 = {s2}']['slope']:.2f} (sigma_w^2 = {s2})"
                           for s2 in SIGMA_W2 if s2 >= LARGE)
    density_text = ", ".join(f"k = {k}: {v:.2f}" for k, v in density.items())
    fit_rows = [[key, f["points"], f["slope"], f["intercept"], f["r2"]]
                for key, f in fits.items()]
    depth_rows = [[k, s2, *[f"{curves[(k, s2)][d - 1]:.1f}" for d in (1, depth // 2, depth)],
                   per_layer[(k, s2)]] for k in widths for s2 in SIGMA_W2]
    fit_table = markdown_table(["points", "n", "slope b", "intercept a", "R^2 (log-log)"],
                               fit_rows)
    depth_table = markdown_table(
        ["k", "sigma_w^2", "T at d = 1", f"d = {depth // 2}", f"d = {depth}",
         "per-layer ratio of layer transitions"], depth_rows)
    markdown = f"""
Setup: the networks and arcs of the length experiment: hard-tanh [k, k x {depth}, 1], input
dimension k, widths k in {{{', '.join(map(str, widths))}}}, sigma_w^2 in
{{{', '.join(map(str, SIGMA_W2))}}}, sigma_b = 0, {n_seeds} seeds from {seed}; the arc
x(t) = cos t p + sin t q, t in [0, pi/2], p and q standard Gaussian in R^k. Every network of
depth d = 1..{depth} is the first d hidden layers of the depth-{depth} network, so each
(k, sigma_w^2, seed) gives {depth} points: T = the exact number of neuron transitions of
layers 1..d along the arc (``Trace.transitions`` of the depth-d network) and l = the exact
length of the layer-d image. Fitted: least squares of log10 T = a + b log10 l (on log-log
axes, so b = 1 means T proportional to l and R^2 is the log-space R^2); points with T = 0 are
left out ({zero} of {len(points)}).

{fit_table}

The last row fits T against the total length of the curves entering layers 1..d,
sum_(j<d) l(z^(j)): each layer's transitions are its neurons' threshold crossings along the
curve it receives, so this is the mechanistic form of the same relation.

Transitions against depth (mean over seeds; the last column is the geometric mean of the
ratio of consecutive layers' transitions):

{depth_table}

Where this differs from the paper. Raghu et al. state the proportionality for large sigma_w,
and there it holds: for sigma_w^2 >= 4 the fit has R^2 = {large['r2']:.3f} and slope
{large['slope']:.2f}; the transitions grow exponentially with depth at about the rate of the
length, but only polynomially with the width (transitions at depth {depth}, k = {widths[-1]}
over k = {widths[0]}: {width_gain[16]:.2f} at sigma_w^2 = 16, for a width ratio of
{widths[-1] / widths[0]:.0f}: the length of the image scales as sqrt(k) and, per unit length,
a layer of k neurons crosses its thresholds about sqrt(k) times as often). Pooled over all
sigma_w^2 the fit is weaker (R^2 = {every['r2']:.3f}): at sigma_w^2 = 1 the image shrinks
with depth while every layer still adds
transitions, so T grows as l decreases (R^2 = {fits['sigma_w^2 = 1']['r2']:.3f} on those
points alone), and across widths the transitions per unit length differ by about sqrt(k)
(transitions of layer d per unit length of l(z^(d-1)), sigma_w^2 >= 4: {density_text}).
Within one sigma_w^2 >= 4 the slope is {slope_text}: T counts the crossings along the
curves that layers 1..d receive, of total length l(z^(0)) + ... + l(z^(d-1)); relative to
l(z^(d)) this
total is smallest at d = 1 and rises towards 1 / (r - 1) with depth (r the length's growth
ratio), so T rises faster than l(z^(d)) at small depth. Against that total length (last row
of the fit table) the slope is {total_slope:.2f}. The counts are exact; the paper counted
along a sampled trajectory (see the exact-against-sampled section for how much that misses
at these sizes).
"""
    data = {
        "widths": list(widths), "depth": depth, "sigma_w2": list(SIGMA_W2),
        "points": points, "fits": fits, "density": {str(k): v for k, v in density.items()},
        "curves": [{"k": k, "sigma_w2": s2, "mean_transitions": curves[(k, s2)],
                    "layer_ratio": per_layer[(k, s2)]} for k in widths for s2 in SIGMA_W2],
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data, claims,
                  time.perf_counter() - start)
