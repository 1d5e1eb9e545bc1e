"""ReLU networks at He initialisation: trajectory length does not grow with depth (Hanin,
Jeong, Rolnick 2022), and the regions met along a line grow linearly in the number of
neurons (Hanin and Rolnick 2019). Both measured exactly with :func:`regions.trace`.

Part 1 traces Raghu et al.'s quarter circle x(t) = cos(t) x0 + sin(t) x1 between two random
inputs through deep ReLU networks at He initialisation (sigma_w^2 = 2) and at large sigma_w,
and reads the exact length of the image after every layer and the neuron transitions per
layer. Part 2 counts the exact number of pieces of segments of fixed length through the
input space, for several widths and depths at He initialisation, and fits them against the
number of neurons N.

Run alone: ``python examples/relu_he_init.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..network import random_network
from ..trace import trace
from ..trajectory import Arc, Segment
from ._common import Claim, Progress, Result, markdown_table, seeds, fit_line

__all__ = ["NAME", "TITLE", "run"]

NAME = "relu_he"
TITLE = "ReLU at He initialisation: length does not grow; regions per length grow with N"

SIGMA_B2 = 0.01          # bias variance in both parts ("small"; Hanin-Rolnick use tiny biases)
SIGMA_W2 = (2.0, 8.0, 16.0)  # He, and two large weight variances
HE = 2.0


def _growth_ratio(lengths: np.ndarray) -> float:
    """exp of the least-squares slope of log(length) against depth 0..L (one network)."""
    depth = np.arange(lengths.shape[0], dtype=float)
    slope = np.polyfit(depth, np.log(lengths), 1)[0]
    return float(math.exp(slope))


def _length_part(n_seeds: int, depth: int, width: int, dim: int, seed: int,
                 progress: Progress) -> dict:
    """Exact lengths and transitions per layer along a quarter circle between two random
    inputs; the same standard-normal draws for every sigma_w (paired comparison)."""
    lengths: dict[float, list[list[float]]] = {s: [] for s in SIGMA_W2}
    transitions: dict[float, list[list[int]]] = {s: [] for s in SIGMA_W2}
    for s_net in seeds(seed, n_seeds):
        rng = np.random.default_rng(s_net)
        x0, x1 = rng.normal(size=dim), rng.normal(size=dim)
        arc = Arc(x0, x1)  # x(t) = cos t x0 + sin t x1, t in [0, pi/2]
        for sw2 in SIGMA_W2:
            net = random_network([dim] + [width] * depth + [1], "relu",
                                 sigma_w=math.sqrt(sw2), sigma_b=math.sqrt(SIGMA_B2),
                                 seed=s_net + 1)
            tr = trace(net, arc)
            lengths[sw2].append(tr.lengths[: depth + 1].tolist())  # input and hidden layers
            transitions[sw2].append(tr.transitions_per_layer[:depth].tolist())
            progress.step(note=f"sigma_w^2={sw2:g}: {tr.transitions} transitions")
    return {"lengths": lengths, "transitions": transitions}


def _density_part(archs, n_seeds: int, n_segments: int, dim: int, seg_len: float,
                  seed: int, progress: Progress) -> dict:
    """Exact pieces of segments of length ``seg_len`` centred at random N(0, I) inputs in
    random directions, per architecture, He initialisation."""
    per_arch = []
    for a, (width, depth) in enumerate(archs):
        densities = []
        for s_net in seeds(seed + 1000 + a, n_seeds):
            net = random_network([dim] + [width] * depth + [1], "relu", sigma_w=math.sqrt(HE),
                                 sigma_b=math.sqrt(SIGMA_B2), seed=s_net)
            rng = np.random.default_rng(s_net + 1)
            for _ in range(n_segments):
                centre = rng.normal(size=dim)
                u = rng.normal(size=dim)
                u *= seg_len / (2 * np.linalg.norm(u))
                seg = Segment(centre - u, centre + u)
                densities.append(trace(net, seg).num_pieces / seg.length)
            progress.step(note=f"width {width}, depth {depth}")
        per_arch.append(densities)
    return {"densities": per_arch}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    progress = progress or Progress(enabled=False)
    if quick:
        depth, width, dim, n_seeds = 10, 50, 50, 3
        archs = [(w, d) for d in (1, 2, 4) for w in (16, 32, 64)]
        d_seeds, n_segments = 2, 8
    else:
        depth, width, dim, n_seeds = 20, 100, 100, 12
        archs = [(w, d) for d in (1, 2, 4, 8) for w in (16, 32, 64, 128)]
        d_seeds, n_segments = 5, 20
    b_dim, seg_len = 10, 1.0
    progress.add(len(SIGMA_W2) * n_seeds + len(archs) * d_seeds)

    # -- part 1: length and transitions against depth ------------------------------------
    part1 = _length_part(n_seeds, depth, width, dim, seed, progress)
    depths = list(range(depth + 1))
    ratio, ratio_se, length_mean, trans_mean, trans_ratio = {}, {}, {}, {}, {}
    for sw2 in SIGMA_W2:
        L = np.asarray(part1["lengths"][sw2])
        per_seed = np.array([_growth_ratio(row) for row in L])
        ratio[sw2] = float(per_seed.mean())
        ratio_se[sw2] = float(per_seed.std(ddof=1) / math.sqrt(len(per_seed)))
        length_mean[sw2] = L.mean(axis=0)
        T = np.asarray(part1["transitions"][sw2], dtype=float)
        trans_mean[sw2] = T.mean(axis=0)
        trans_ratio[sw2] = _growth_ratio(np.maximum(trans_mean[sw2], 1.0))

    # -- part 2: regions per unit length against N ---------------------------------------
    part2 = _density_part(archs, d_seeds, n_segments, b_dim, seg_len, seed, progress)
    neurons = np.array([w * d for w, d in archs], dtype=float)
    dens = np.array([np.mean(v) for v in part2["densities"]])
    dens_se = np.array([np.std(v, ddof=1) / math.sqrt(len(v)) for v in part2["densities"]])
    a, b, r2 = fit_line(neurons, dens)
    boundaries = dens - 1.0 / seg_len  # knots per unit length: (pieces - 1) / length
    loglog = float(np.polyfit(np.log(neurons), np.log(boundaries), 1)[0])

    # -- figures -------------------------------------------------------------------------
    colours = {2.0: "tab:blue", 8.0: "tab:orange", 16.0: "tab:red"}
    fig1, (ax_l, ax_t) = plt.subplots(1, 2, figsize=(11, 4.3))
    for sw2 in SIGMA_W2:
        L = np.asarray(part1["lengths"][sw2])
        T = np.asarray(part1["transitions"][sw2], dtype=float)
        lab = f"sigma_w^2 = {sw2:g}" + (" (He)" if sw2 == HE else "")
        ax_l.plot(depths, length_mean[sw2], "o-", ms=3, color=colours[sw2], label=lab)
        ax_l.fill_between(depths, L.min(axis=0), L.max(axis=0), color=colours[sw2], alpha=0.2)
        ax_t.plot(depths[1:], trans_mean[sw2], "o-", ms=3, color=colours[sw2], label=lab)
        ax_t.fill_between(depths[1:], np.maximum(T.min(axis=0), 0.5), T.max(axis=0),
                          color=colours[sw2], alpha=0.15)
    ax_l.set_yscale("log")
    ax_l.set_xlabel("layer d (0 = input)")
    ax_l.set_ylabel("exact length of z^(d)(t)")
    ax_l.set_title("trajectory length (mean, min-max band)")
    ax_l.legend(fontsize=8)
    ax_t.set_yscale("log")
    ax_t.set_xlabel("layer d")
    ax_t.set_ylabel("neuron transitions in layer d")
    ax_t.set_title("transitions per layer (mean, min-max band)")
    ax_t.legend(fontsize=8)
    fig1.suptitle(f"ReLU, width {width}, {depth} hidden layers, input dim {dim}, "
                  f"sigma_b^2 = {SIGMA_B2:g}, {n_seeds} networks")
    fig1.tight_layout()

    fig2, (ax_d, ax_g) = plt.subplots(1, 2, figsize=(11, 4.3))
    markers = {1: "o", 2: "s", 4: "^", 8: "D"}
    for dd in sorted({d for _, d in archs}):
        sel = np.array([d == dd for _, d in archs])
        ax_d.errorbar(neurons[sel], dens[sel], yerr=2 * dens_se[sel], fmt=markers.get(dd, "o"),
                      ms=5, capsize=2, label=f"depth {dd}")
        ax_g.plot(neurons[sel], boundaries[sel], markers.get(dd, "o"), ms=5,
                  label=f"depth {dd}")
    grid = np.linspace(0, neurons.max() * 1.05, 50)
    ax_d.plot(grid, a + b * grid, "k--", lw=1, label=f"{a:.2f} + {b:.4f} N, R^2 = {r2:.3f}")
    ax_d.set_xlabel("number of neurons N")
    ax_d.set_ylabel("regions per unit length")
    ax_d.set_title("regions met per unit length (mean +- 2 SE)")
    ax_d.legend(fontsize=8)
    ax_g.set_xscale("log")
    ax_g.set_yscale("log")
    c = math.exp(float(np.mean(np.log(boundaries) - loglog * np.log(neurons))))
    lgrid = np.geomspace(neurons.min(), neurons.max(), 30)
    ax_g.plot(lgrid, c * lgrid ** loglog, "k--", lw=1, label=f"slope {loglog:.2f}")
    ax_g.set_xlabel("number of neurons N")
    ax_g.set_ylabel("boundaries crossed per unit length")
    ax_g.set_title("log-log")
    ax_g.legend(fontsize=8)
    fig2.suptitle(f"ReLU, He init (sigma_w^2 = 2, sigma_b^2 = {SIGMA_B2:g}), input dim "
                  f"{b_dim}, segments of length {seg_len:g}")
    fig2.tight_layout()

    # -- report --------------------------------------------------------------------------
    show = sorted({0, depth // 4, depth // 2, 3 * depth // 4, depth})
    rows1 = []
    for sw2 in SIGMA_W2:
        rows1.append([f"{sw2:g}" + (" (He)" if sw2 == HE else ""),
                      f"{ratio[sw2]:.4f} +- {ratio_se[sw2]:.4f}",
                      f"{math.sqrt(sw2 / 2):.4f}",
                      *[float(length_mean[sw2][d]) for d in show],
                      float(trans_mean[sw2].mean()), f"{trans_ratio[sw2]:.3f}"])
    table1 = markdown_table(
        ["sigma_w^2", "fitted length ratio per layer (mean +- SE)", "sigma_w / sqrt 2",
         *[f"length, layer {d}" for d in show], "transitions per layer (mean)",
         "fitted transitions ratio"], rows1)
    rows2 = [[w, d, int(n), float(m), float(se), float(m - 1.0 / seg_len)]
             for (w, d), n, m, se in zip(archs, neurons, dens, dens_se)]
    table2 = markdown_table(["width", "depth", "N", "regions per unit length", "SE",
                             "boundaries per unit length"], rows2)
    he = HE
    markdown = f"""
**Part 1 (Hanin, Jeong, Rolnick, ICLR 2022).** ReLU networks with input dimension {dim},
{depth} hidden layers of width {width} and a scalar linear readout; W ~ N(0, sigma_w^2 /
fan_in), b ~ N(0, sigma_b^2) with sigma_b^2 = {SIGMA_B2:g}; sigma_w^2 in
{{{", ".join(f"{s:g}" for s in SIGMA_W2)}}}. {n_seeds} networks: for each, two inputs
x0, x1 ~ N(0, I_{dim}) and the quarter circle x(t) = cos(t) x0 + sin(t) x1, t in [0, pi/2].
For every sigma_w the same standard-normal draws are used (scaled), so the comparison is
paired. The length of the image z^(d)(t) after each hidden layer d (d = 0 is the input) and
the neuron transitions in each layer are exact (`trace(...).lengths`,
`.transitions_per_layer`). The per-layer growth ratio is exp of the least-squares slope of
log(length) over d = 0..{depth}, fitted per network; mean +- standard error over networks.

{table1}

At He initialisation the length does not grow with depth (ratio
{ratio[he]:.4f} +- {ratio_se[he]:.4f}; mean length at layer {depth} / at the input:
{length_mean[he][-1] / length_mean[he][0]:.3f}), as Hanin, Jeong and Rolnick prove,
while for sigma_w^2 = 8 and 16 it grows geometrically. The measured large-sigma_w ratios
are sigma_w / sqrt 2: with biases this small a ReLU network is (almost) positively
homogeneous, so multiplying every weight by c = sigma_w / sqrt 2 multiplies z^(d) and its
length by c^d and (almost) changes no activation pattern. That is why the transition counts
are nearly identical for the three sigma_w (the draws are paired): unlike hard-tanh, whose
saturation makes large weights fold the curve, ReLU's growth at large sigma_w is a pure
rescaling, and the number of transitions per layer stays flat at every sigma_w.

Where this differs from Raghu et al.: their unconfirmed ReLU form
(sigma_w sqrt(k) / sqrt(k + 1))^d would predict a ratio of
{math.sqrt(2) * math.sqrt(width) / math.sqrt(width + 1):.3f} per layer at He
initialisation; the measured ratio is about 1, so that form overstates the per-layer factor
by about sqrt 2 (ReLU zeroes about half of the coordinates, halving the squared length).
The lengths here are the hidden layers' images; the scalar output's length is not in the
fit (a width-1 image is much shorter).

**Part 2 (Hanin and Rolnick 2019).** He initialisation (sigma_w^2 = 2, sigma_b^2 =
{SIGMA_B2:g}), input dimension {b_dim}, a scalar linear readout, widths
{sorted({w for w, _ in archs})} x depths {sorted({d for _, d in archs})} (N = width x depth
neurons). For each architecture {d_seeds} networks and, per network, {n_segments} segments
of length {seg_len:g} in input space, centred at x ~ N(0, I_{b_dim}) in a uniformly random
direction; the exact number of pieces of each segment (`trace(...).num_pieces`) divided by
its length, averaged.

{table2}

Affine fit: regions per unit length = {a:.3f} + {b:.5f} N, R^2 = {r2:.4f}. A segment
with no knot is one region, so exact proportionality of the boundaries to N would give the
intercept 1 / length = {1 / seg_len:g}; the fitted intercept is dominated by the
large-N points' scatter.
Log-log slope of the boundaries crossed per unit length (regions minus 1 / length) against
N: {loglog:.3f}. As Hanin and Rolnick find, the number of regions along a line grows about
linearly in the number of neurons, whatever the split into width and depth, far below the
exponential-in-depth counts possible for the same N. The density depends on where the
segment lies: with (almost) no bias the boundaries are cones through the origin, so it
falls like 1/||x||; the constant here is for inputs of norm about sqrt({b_dim}).
"""
    he_hi = ratio[he] + 2 * ratio_se[he]
    big_lo = min(ratio[s] - 2 * ratio_se[s] for s in SIGMA_W2 if s != he)
    claims = (
        Claim("at He initialisation the ReLU trajectory length does not grow with depth "
              "(fitted per-layer ratio + 2 SE below 1.05)", he_hi < 1.05,
              f"ratio {ratio[he]:.4f} +- {ratio_se[he]:.4f}"),
        Claim("with large sigma_w the length grows with depth (ratio - 2 SE above 1.05 and "
              "above the He ratio + 2 SE)", big_lo > max(1.05, he_hi),
              ", ".join(f"sigma_w^2 = {s:g}: {ratio[s]:.3f}" for s in SIGMA_W2 if s != he)),
        Claim("regions per unit length grow linearly in N (affine fit R^2 > 0.9, log-log "
              "slope in [0.7, 1.3])", r2 > 0.9 and 0.7 <= loglog <= 1.3,
              f"R^2 = {r2:.3f}, slope {loglog:.3f}"),
    )
    data = {
        "depths": depths,
        "sigma_w2": list(SIGMA_W2),
        "sigma_b2": SIGMA_B2,
        "width": width,
        "input_dim": dim,
        "lengths": [part1["lengths"][s] for s in SIGMA_W2],  # [sigma][network][layer 0..L]
        "transitions": [part1["transitions"][s] for s in SIGMA_W2],  # [sigma][net][1..L]
        "growth_ratio": [ratio[s] for s in SIGMA_W2],
        "growth_ratio_se": [ratio_se[s] for s in SIGMA_W2],
        "archs": [list(x) for x in archs],
        "neurons": neurons.tolist(),
        "segment_length": seg_len,
        "density_input_dim": b_dim,
        "density": dens.tolist(),
        "density_se": dens_se.tolist(),
        "densities": part2["densities"],
        "fit": {"intercept": a, "slope": b, "r2": r2, "loglog_slope": loglog},
    }
    return Result(NAME, TITLE, markdown,
                  {f"{NAME}_length.png": fig1, f"{NAME}_density.png": fig2},
                  data, claims, time.perf_counter() - start)
