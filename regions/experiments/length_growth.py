"""Raghu et al. Fig. 1: the exact length of a circular arc's image after every layer of random
hard-tanh networks, against the theorem's growth base.

For widths k and sigma_w^2 in {1, 2, 4, 8, 16} (sigma_b = 0), depth n, a few seeds: the arc
x(t) = cos t p + sin t q, t in [0, pi/2], between two standard Gaussian vectors of R^k is traced
exactly through [k, k x n hard-tanh, 1] (:mod:`._hardtanh`), and ``Trace.lengths`` gives
l(z^(d)) for d = 0 (the input) to n. The per-layer growth ratio is the geometric mean of
l(d+1)/l(d) over the n layers and the seeds, set beside Raghu et al.'s base
sigma_w sqrt(k) / sqrt(sigma_w^2 + sigma_b^2 + k sqrt(sigma_w^2 + sigma_b^2)) and the
infinite-width (mean-field) rate.

The theorem is a lower bound in expectation stated with O(.), and called tight in the limits
of large sigma_w and k. For large sigma_w (and k >> sigma_w) the measured ratio falls below the
base by a factor tending to (2/pi)^(1/4) ~ 0.893 (the base takes the probability that a unit
is in its linear region, ~ sqrt(2/pi) / sigma_w, as ~ 1 / sigma_w). To show that limit the
experiment adds sigma_w^2 = 64 and 256 (:data:`LARGE_SIGMA_W2`, on fewer layers, since the
number of pieces grows like (0.89 sqrt(sigma_w))^d) and sets measured / base against
(2/pi)^(1/4) as sigma_w grows. The appendix's "more exact lower bound" is not quoted in the
project's reference notes, so it is not tested here.

Run alone: ``python examples/raghu_fig1_length.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Theorem 1 (trajectory length) and Fig. 1.
.. [2] B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, "Exponential
   expressivity in deep neural networks through transient chaos", NeurIPS 2016 (mean field).
"""

from __future__ import annotations

import math
import time

import numpy as np

from ._common import Claim, Progress, Result, markdown_table
from ._hardtanh import SIGMA_W2, length_base, mean_field_rates, measure, plan

__all__ = ["NAME", "TITLE", "LARGE_SIGMA_W2", "LIMIT", "LIMIT_TOL", "WIDE", "run"]

NAME = "length_growth"
TITLE = "Trajectory length grows with depth (Raghu et al. Fig. 1)"

LARGE_SIGMA_W2 = {64: 6, 256: 5}
"""The larger sigma_w^2 values and the number of layers traced for each (full run)."""

LARGE_SIGMA_W2_QUICK = {64: 4, 256: 3}

LIMIT = (2 / math.pi) ** 0.25
"""The factor measured / base tends to for large sigma_w and k >> sigma_w."""

LIMIT_TOL = 0.03
"""How close to :data:`LIMIT` measured / base must come where k >= 10 sigma_w and
sigma_w^2 >= 16: the infinite-width prediction itself is 0.026 above the limit at
sigma_w^2 = 16 (an O(1 / sigma_w) correction), so a tighter tolerance would test the
correction, not the limit."""

WIDE = 10
"""k >= WIDE * sigma_w counts as k >> sigma_w (the regime of the limit)."""


def _row(k: int, s2: float, layers: int, lengths: np.ndarray) -> dict:
    """One (k, sigma_w^2) row from the lengths (seeds, layers + 1)."""
    logs = np.log(lengths[:, 1:] / lengths[:, :-1]).ravel()
    log_ratio = float(logs.mean())
    log_se = float(logs.std(ddof=1) / math.sqrt(logs.size))
    ratio, se = math.exp(log_ratio), math.exp(log_ratio) * log_se
    return {
        "k": k, "sigma_w2": s2, "layers": layers, "ratio": ratio, "se": se,
        "base": length_base(k, s2),
        "mean_field": math.exp(float(np.mean(np.log(mean_field_rates(s2, layers))))),
        "lengths": lengths.tolist(), "mean_lengths": lengths.mean(axis=0).tolist(),
    }


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    widths, depth, net_seeds, progress = plan(quick, seed, progress)
    large = LARGE_SIGMA_W2_QUICK if quick else LARGE_SIGMA_W2
    progress.add(len(widths) * len(large) * len(net_seeds))
    n_seeds = len(net_seeds)

    curves, data_rows = {}, []
    for s2, layers in [(s2, depth) for s2 in SIGMA_W2] + list(large.items()):
        for k in widths:
            lengths = []
            for s in net_seeds:
                lengths.append(measure(k, s2, layers, s)["lengths"])
                progress.step(note=f"k={k} sigma_w^2={s2}")
            curves[(k, s2)] = np.array(lengths)                  # (seeds, layers + 1)
            data_rows.append(_row(k, s2, layers, curves[(k, s2)]))
    by = {(r["k"], r["sigma_w2"]): r for r in data_rows}
    all_s2 = list(SIGMA_W2) + list(large)

    # -- figure 1: the length against the layer, one panel per width --------------------------
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, len(SIGMA_W2)))
    fig, axes = plt.subplots(1, len(widths), figsize=(4.6 * len(widths), 4.2), sharey=True)
    layer_axis = np.arange(depth + 1)
    for ax, k in zip(np.atleast_1d(axes), widths):
        for colour, s2 in zip(colours, SIGMA_W2):
            ls = curves[(k, s2)]
            mean = ls.mean(axis=0)
            ax.plot(layer_axis, mean, "o-", color=colour, ms=3, label=rf"$\sigma_w^2 = {s2}$")
            ax.fill_between(layer_axis, ls.min(axis=0), ls.max(axis=0), color=colour,
                            alpha=0.2)
            ax.plot(layer_axis, mean[0] * length_base(k, s2) ** layer_axis, "--", color=colour,
                    lw=1)
            mf = np.concatenate([[1.0], np.cumprod(mean_field_rates(s2, depth))])
            ax.plot(layer_axis, mean[0] * mf, ":", color=colour, lw=1)
        ax.set_yscale("log")
        ax.set_xlabel("layer d (0 = input)")
        ax.set_title(f"k = {k}")
        ax.grid(True, which="major", alpha=0.3)
    first = np.atleast_1d(axes)[0]
    first.set_ylabel(r"exact length of the image $l(z^{(d)})$")
    first.legend(fontsize=7, loc="upper left")
    fig.suptitle(rf"Random hard-tanh networks, $\sigma_b = 0$: mean of {n_seeds} seeds (band: "
                 "min-max); dashed: l(0) base^d (Raghu et al.); dotted: mean-field rate",
                 fontsize=9)
    fig.tight_layout()

    # -- figure 2: measured / base against sigma_w --------------------------------------------
    sw = np.sqrt(np.array(all_s2, dtype=float))
    fig2, ax2 = plt.subplots(figsize=(6.4, 4.3))
    wcol = plt.cm.plasma(np.linspace(0.0, 0.8, len(widths)))
    for colour, k in zip(wcol, widths):
        rs = [by[(k, s2)] for s2 in all_s2]
        ax2.errorbar(sw, [r["ratio"] / r["base"] for r in rs],
                     yerr=[2 * r["se"] / r["base"] for r in rs], fmt="o-", ms=4, capsize=2,
                     color=colour, label=f"measured / base, k = {k}")
        ax2.plot(sw, [r["mean_field"] / r["base"] for r in rs], ":", color=colour, lw=1)
    fine = np.geomspace(1.0, sw.max(), 60)
    ax2.plot(fine, [math.exp(float(np.mean(np.log(mean_field_rates(v * v, 6))))) / math.sqrt(v)
                    for v in fine], "k-", lw=1, label=r"$k \to \infty$: mean-field / $\sqrt{\sigma_w}$")
    ax2.axhline(LIMIT, color="k", ls="--", lw=1, label=r"$(2/\pi)^{1/4}$")
    ax2.axhline(1.0, color="0.5", lw=0.8)
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel(r"$\sigma_w$")
    ax2.set_ylabel("per-layer growth ratio / base")
    ax2.set_title("dotted: mean-field rate / base for the same k", fontsize=9)
    ax2.legend(fontsize=7)
    ax2.grid(True, alpha=0.3)
    fig2.tight_layout()

    # -- claims --------------------------------------------------------------------------
    grow4 = []
    for k in widths:
        r = by[(k, 4)]
        mean = np.array(r["mean_lengths"])
        monotone = bool(np.all(np.diff(mean) > 0))
        grow4.append((k, monotone, r["ratio"] - 2 * r["se"]))
    grows = all(m or lo > 1 for _, m, lo in grow4)
    big = [r for r in data_rows if r["sigma_w2"] >= 4]
    reach = [(r["ratio"] + 2 * r["se"]) / r["base"] for r in big]
    tight = all(v >= 1 for v in reach)
    wide = [r for r in big if r["k"] >= WIDE * math.sqrt(r["sigma_w2"])]
    up_to = [(r["ratio"] + 2 * r["se"]) / (LIMIT * r["base"]) for r in wide]
    bound_up_to = bool(wide) and all(v >= 1 for v in up_to)
    kmax = widths[-1]
    regime = [s2 for s2 in all_s2 if s2 >= 16 and kmax >= WIDE * math.sqrt(s2)]
    gaps = {s2: by[(kmax, s2)]["ratio"] / by[(kmax, s2)]["base"] - LIMIT for s2 in all_s2}
    falling = [gaps[s2] for s2 in all_s2 if s2 >= 4 and kmax >= WIDE * math.sqrt(s2)]
    approach = (bool(regime) and all(abs(gaps[s2]) <= LIMIT_TOL for s2 in regime)
                and all(a > b for a, b in zip(falling[:-1], falling[1:])))
    narrow_rows = [r for r in big if r not in wide]
    lowest = min(narrow_rows, key=lambda r: r["ratio"] / r["base"]) if narrow_rows else None
    flat = [by[(k, 1)] for k in widths]
    no_growth = all(r["ratio"] + 2 * r["se"] < 1 and r["mean_lengths"][-1] < r["mean_lengths"][0]
                    for r in flat)
    rel_base = [r["ratio"] / r["base"] for r in big]
    claims = (
        Claim("σ_w² = 4: the length grows with depth (every layer's mean length above the "
              "previous one, or the growth ratio's lower end ratio - 2 SE above 1)", grows,
              "; ".join(f"k={k}: monotone {'yes' if m else 'no'}, ratio - 2 SE = {lo:.3f}"
                        for k, m, lo in grow4)),
        Claim("the lower bound, up to a constant in the base: where k ≥ 10 σ_w (σ_w² ≥ 4) the "
              "measured per-layer ratio is at least (2/π)^(1/4) × base within sampling error "
              "(ratio + 2 SE ≥ 0.893 base)", bound_up_to,
              f"(ratio + 2 SE) / (0.893 base) from {min(up_to, default=float('nan')):.3f} to "
              f"{max(up_to, default=float('nan')):.3f} in {len(wide)} rows"),
        Claim("the tightness Raghu et al. claim for large σ_w and k: the measured ratio "
              "reaches the base itself (ratio + 2 SE ≥ base for σ_w² ≥ 4)", tight,
              f"measured / base from {min(rel_base):.3f} to {max(rel_base):.3f}, "
              f"(ratio + 2 SE) / base below 1 in {sum(v < 1 for v in reach)} of {len(big)} rows:"
              " the bound holds up to a constant in the base, the claimed tightness fails"
              if not tight else f"(ratio + 2 SE) / base >= {min(reach):.3f}"),
        Claim(f"as σ_w grows (k ≫ σ_w), measured / base approaches (2/π)^(1/4) = {LIMIT:.3f}: "
              f"at k = {kmax} the gap shrinks with every step of σ_w² ≥ 4 (k ≥ 10 σ_w) and is "
              f"within ±{LIMIT_TOL} for σ_w² ≥ 16 "
              f"(σ_w² = {', '.join(map(str, regime)) or 'none'})", approach,
              f"measured / base - {LIMIT:.3f} at k = {kmax}: "
              + ", ".join(f"{gaps[s2]:+.3f} (σ_w² = {s2})" for s2 in all_s2)),
        Claim("σ_w² = 1: no growth (ratio + 2 SE < 1 and the last layer's mean length "
              "below the input's)", no_growth,
              "; ".join(f"k={r['k']}: ratio {r['ratio']:.3f} ± {r['se']:.3f}, l(0) = "
                        f"{r['mean_lengths'][0]:.1f} -> l({depth}) = {r['mean_lengths'][-1]:.1f}"
                        for r in flat)),
    )

    # -- tables and text -------------------------------------------------------------------
    rows = [[r["k"], r["sigma_w2"], r["layers"], f"{r['ratio']:.4f} ± {r['se']:.4f}",
             r["base"], r["mean_field"], float(r["mean_lengths"][0]),
             float(r["mean_lengths"][-1])] for s2 in all_s2 for k in widths
            for r in [by[(k, s2)]]]
    table = markdown_table(["k", "σ_w²", "layers n", "measured ratio ± SE", "base (Raghu)",
                            "mean-field rate", "mean l(0)", "mean l(n)"], rows)
    limit_rows = []
    for s2 in all_s2:
        limit_rows.append([s2, by[(widths[0], s2)]["layers"],
                           *[f"{by[(k, s2)]['ratio'] / by[(k, s2)]['base']:.3f}"
                             for k in widths],
                           by[(kmax, s2)]["mean_field"] / by[(kmax, s2)]["base"],
                           by[(kmax, s2)]["mean_field"] / math.sqrt(math.sqrt(s2))])
    limit_table = markdown_table(
        ["σ_w²", "layers", *[f"k = {k}" for k in widths], f"mean-field / base (k = {kmax})",
         "mean-field / √σ_w (k → ∞)"], limit_rows)
    ge2 = [r for r in data_rows if r["sigma_w2"] >= 2]
    below = [r for r in ge2 if r["ratio"] + 2 * r["se"] < r["base"]]
    rel_mf = [r["ratio"] / r["mean_field"] for r in data_rows]
    mf_by_k = "; ".join(
        f"k = {k}: {np.mean([r['ratio'] / r['mean_field'] for r in data_rows if r['k'] == k]):.3f}"
        for k in widths)
    flat_text = ", ".join(f"{r['ratio']:.3f} (base {r['base']:.4f})" for r in flat)
    narrow_text = (f". Where σ_w is not small against k the finite width costs more: at k = "
                   f"{lowest['k']}, σ_w² = {lowest['sigma_w2']} (k / σ_w = "
                   f"{lowest['k'] / math.sqrt(lowest['sigma_w2']):.1f}) measured / base is "
                   f"{lowest['ratio'] / lowest['base']:.3f}, and measured / mean-field "
                   f"{lowest['ratio'] / lowest['mean_field']:.3f}" if lowest else "")
    large_text = " and ".join(f"σ_w² = {s2} on {n} layers" for s2, n in large.items())
    markdown = f"""
Setup: hard-tanh networks [k, k × n, 1] with input dimension equal to the width k (so every
layer has fan-in k), widths k ∈ {{{', '.join(map(str, widths))}}}, depth n = {depth} for
σ_w² ∈ {{{', '.join(map(str, SIGMA_W2))}}}, and {large_text} (the number of pieces along the
arc grows like (0.89 √σ_w)^d, so the largest σ_w² are traced through fewer layers), σ_b = 0,
W ~ N(0, σ_w² / fan_in); {n_seeds} seeds (derived from seed {seed}), each drawing one arc and
one weight draw (scaled by σ_w, so the same seed gives the same directions for every σ_w²).
The trajectory is Raghu et al.'s arc x(t) = cos t p + sin t q, t ∈ [0, π/2], between two
standard Gaussian vectors p, q of R^k (|p|, |q| ≈ √k, nearly orthogonal: nearly a quarter
circle of radius √k). Each length l(z^(d)) of the image after hidden layer d is exact (the
image is an elliptic arc on every linear piece, summed in closed form), not a sampled
polygon; the scalar readout is left out of the plot and the ratios.

Measured ratio: exp of the mean of log l(d+1)/l(d) over the n layers (input to layer 1
included) and the {n_seeds} seeds, i.e. the geometric mean; SE: the standard error of that mean
log ratio (n × {n_seeds} values per row, layers and seeds treated as independent draws) times
the ratio. Base: σ_w √k / √(σ_w² + σ_b² + k √(σ_w² + σ_b²)) = √(σ_w k / (σ_w + k)) with
σ_b = 0 (σ_w the standard-deviation factor). Mean-field rate: the infinite-width prediction
√χ_d, χ_d = σ_w² P(|h| < 1), h ~ N(0, q_d), with the variance map q_1 = σ_w²,
q_(d+1) = σ_w² E[hardtanh(h)²] (Poole et al. 2016), geometric mean over the same layers.

{table}

Measured ratio / base against σ_w (per width; the last two columns are the infinite-width
prediction, for the widest k and for k → ∞, where the base is √σ_w):

{limit_table}

What the paper claims and what the data say. Theorem 1 is a lower bound on the expected length,
E l(z^(d)) ≥ O(base^d) l(x), called tight in the limits of large σ_w and k. The qualitative
result is reproduced: for σ_w² ≥ 2 the length grows exponentially with depth (nearly straight
lines on the log scale), faster for larger σ_w², at a rate that hardly depends on the width k;
for σ_w² = 1 it shrinks. The bound holds up to a constant in the base: measured / base is
{min(rel_base):.3f} to {max(rel_base):.3f} for σ_w² ≥ 4; where k ≥ 10 σ_w it is
{min(r['ratio'] / r['base'] for r in wide):.3f} or more, at least (2/π)^(1/4) = {LIMIT:.3f}
within sampling error{narrow_text}. The claimed tightness fails: the measured ratio is below the base
by more than twice its standard error in {len(below)} of the {len(ge2)} rows with σ_w² ≥ 2, and
the shortfall does not vanish for large σ_w and k but tends to the factor (2/π)^(1/4). The reason:
the base is the mean-field rate with the probability of a unit's linear region,
P(|h| < 1) ≈ √(2/π) / σ_w for large σ_w, replaced by 1 / σ_w; for k ≫ σ_w the base tends to
√σ_w and the rate to √(√(2/π) σ_w) = 0.893 √σ_w. Read as a rate (E l(z^(d)) ≥ c base^d l(x)
for one constant c and every depth d) the bound fails, since no constant absorbs a per-layer
factor below 1; the O(.) must be read as a constant in the base. The limit needs k ≫ σ_w:
once σ_w is no longer small against k, the base's factor √(k / (σ_w + k)) lowers the base,
while only about k √(2/π) / σ_w units of a layer are in their linear region, and the
finite-width shortfall of the measured rate grows; so the approach to (2/π)^(1/4) is checked
only where k ≥ 10 σ_w. The data follow the mean-field rate: measured / mean-field is
{min(rel_mf):.3f} to {max(rel_mf):.3f} over all rows (mean per width: {mf_by_k}); it is below 1
at finite width, since E|Ju| ≤ √(E|Ju|²), and approaches 1 as k grows.
The first layers grow more slowly than later ones (the pre-activation variance starts at σ_w²
and relaxes to its fixed point q*, e.g. 2.77 for σ_w² = 4; the mean-field column includes
this). For σ_w² = 1 the base is just below 1 and the mean-field rate tends to 1 from below
(q* → 0: the network becomes linear); the measured ratios are {flat_text}. The paper also
mentions a more exact lower bound in its appendix; its statement is not quoted in the
reference notes this reproduction works from, so it is not tested here.
"""
    data = {
        "widths": list(widths), "depth": depth, "seeds": net_seeds,
        "sigma_w2": list(SIGMA_W2), "large_sigma_w2": {str(k): v for k, v in large.items()},
        "limit": LIMIT, "limit_tol": LIMIT_TOL, "wide": WIDE, "rows": data_rows,
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig, f"{NAME}_ratio.png": fig2},
                  data, claims, time.perf_counter() - start)
