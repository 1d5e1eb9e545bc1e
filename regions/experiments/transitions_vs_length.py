"""Raghu et al. Fig. 2 (Observation 1): the number of sign transitions of the output along an
arc is proportional to the length of the last hidden layer's image (random hard-tanh networks,
exact counts).

The networks and arcs are those of :mod:`.length_growth` (:mod:`._hardtanh`). The network of
depth d is the first d hidden layers of the depth-n network with a scalar random linear
readout r_d . z^(d) (r_d a fixed Gaussian row; for d = n the network's own output row). Its T
is the exact number of sign changes of that readout along the arc
(:func:`._hardtanh.readout_sign_transitions`: one trace of a network that carries every
layer's readout to the output) and l(z^(d)) the exact length of the layer-d image
(``Trace.lengths[d]``). A least-squares line log10 T = a + b log10 l is fitted on the means over
seeds of each (k, sigma_w^2, d): per width pooled over all sigma_w^2 (the judged claim), per
sigma_w^2, and over everything (b = 1 is proportionality). The paper states Observation 1 for every sigma_w and sets no threshold; the
claim is judged with :data:`SLOPE_TOL` and :data:`R2_MIN` (see the report text for why).

The earlier form of this experiment, all *neuron* transitions of layers 1..d against
l(z^(d)), is kept as a second table, labelled as such: it is not the paper's T.

Run alone: ``python examples/raghu_fig2_transitions.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 2.2, Observation 1 and Fig. 2.
"""

from __future__ import annotations

import time

import numpy as np

from ._common import Claim, Progress, Result, markdown_table
from ._hardtanh import SIGMA_W2, log_fit, measure, plan, readout_sign_transitions

__all__ = ["NAME", "TITLE", "SLOPE_TOL", "R2_MIN", "run"]

NAME = "transitions_vs_length"
TITLE = "Sign transitions are proportional to trajectory length (Raghu et al. Fig. 2)"

SLOPE_TOL = 0.15
"""Proportionality is accepted when the log-log slope is within 1 +- SLOPE_TOL: over the two to
three decades of length the data span, T / l then drifts by less than a factor 2.8."""

R2_MIN = 0.9
"""... and the log-log fit explains at least this share of the variance of log T."""

LARGE = 4
"""sigma_w^2 from which the neuron-transition fit is also reported separately."""


def _fit(xs, ys) -> dict:
    """Log-log least squares on the pairs with y > 0, and T per unit length over all pairs."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    pos = ys > 0
    a, b, r2 = log_fit(xs[pos], ys[pos]) if pos.sum() >= 3 else (np.nan, np.nan, np.nan)
    return {"points": int(pos.sum()), "zeros": int((~pos).sum()), "intercept": float(a),
            "slope": float(b), "r2": float(r2), "l_min": float(xs.min()),
            "l_max": float(xs.max()), "per_length": float(ys.sum() / xs.sum())}


def _proportional(f: dict) -> bool:
    return bool(abs(f["slope"] - 1) <= SLOPE_TOL and f["r2"] >= R2_MIN)



def _scatter(ax, rows: list, y: str, size: float, alpha: float, colours, markers,
             widths) -> None:
    """Length against ``y`` (positive values), a colour per sigma_w^2 and a marker per k."""
    for colour, s2 in zip(colours, SIGMA_W2):
        for marker, k in zip(markers, widths):
            sel = [m for m in rows if m["sigma_w2"] == s2 and m["k"] == k and m[y] > 0]
            ax.scatter([m["length"] for m in sel], [m[y] for m in sel], s=size, color=colour,
                       marker=marker, alpha=alpha,
                       label=rf"$\sigma_w^2 = {s2}$" if k == widths[0] else None)

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
                signs = readout_sign_transitions(k, s2, depth, s)
                cum = np.cumsum(m["transitions_per_layer"])
                for d in range(1, depth + 1):
                    points.append({"k": k, "sigma_w2": s2, "seed": i, "depth": d,
                                   "length": m["lengths"][d],
                                   "sign_transitions": int(signs[d - 1]),
                                   "transitions": int(cum[d - 1]),
                                   "input_length": float(sum(m["lengths"][:d])),
                                   "layer_transitions": int(m["transitions_per_layer"][d - 1]),
                                   "previous_length": m["lengths"][d - 1]})
                progress.step(note=f"k={k} sigma_w^2={s2}")

    # -- sign transitions: seed means per (k, sigma_w^2, d), fitted per width and pooled -----
    means = []
    for k in widths:
        for s2 in SIGMA_W2:
            for d in range(1, depth + 1):
                sel = [p for p in points if p["k"] == k and p["sigma_w2"] == s2
                       and p["depth"] == d]
                means.append({"k": k, "sigma_w2": s2, "depth": d,
                              "length": float(np.mean([p["length"] for p in sel])),
                              "sign_transitions": float(np.mean([p["sign_transitions"]
                                                                 for p in sel]))})

    def sign_fit(select, scaled: bool = False) -> dict:
        sel = [m for m in means if select(m)]
        return _fit([m["length"] / (np.sqrt(m["k"]) if scaled else 1.0) for m in sel],
                    [m["sign_transitions"] for m in sel])

    sign_fits = {}
    for k in widths:
        sign_fits[f"k = {k}"] = sign_fit(lambda m, k=k: m["k"] == k)
    for s2 in SIGMA_W2:
        sign_fits[f"sigma_w^2 = {s2}"] = sign_fit(lambda m, s2=s2: m["sigma_w2"] == s2)
    sign_fits["all"] = sign_fit(lambda m: True)
    sign_fits["all, l / sqrt(k)"] = sign_fit(lambda m: True, scaled=True)

    # -- neuron transitions of layers 1..d (the second table) ------------------------------
    def fit(select, x="length"):
        sel = [p for p in points if select(p) and p["transitions"] > 0]
        a, b, r2 = log_fit([p[x] for p in sel], [p["transitions"] for p in sel])
        return {"points": len(sel), "intercept": a, "slope": b, "r2": r2}

    fits = {"sigma_w^2 >= 4": fit(lambda p: p["sigma_w2"] >= LARGE),
            "all sigma_w^2": fit(lambda p: True)}
    for s2 in SIGMA_W2:
        fits[f"sigma_w^2 = {s2}"] = fit(lambda p, s2=s2: p["sigma_w2"] == s2)
    fits["all, against sum_(j<d) l(z^(j))"] = fit(lambda p: True, "input_length")
    zero = sum(p["transitions"] == 0 for p in points)

    def mean_curve(k, s2, key="transitions"):
        return [float(np.mean([p[key] for p in points if p["k"] == k
                               and p["sigma_w2"] == s2 and p["depth"] == d]))
                for d in range(1, depth + 1)]

    curves = {(k, s2): mean_curve(k, s2) for k in widths for s2 in SIGMA_W2}
    sign_curves = {(k, s2): mean_curve(k, s2, "sign_transitions")
                   for k in widths for s2 in SIGMA_W2}

    # -- figure ----------------------------------------------------------------------------
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, len(SIGMA_W2)))
    markers = "osD^v"
    lo = min(m["length"] for m in means)
    hi = max(m["length"] for m in means)
    xs = np.array([lo, hi])
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    _scatter(ax, means, "sign_transitions", 12, 0.7, colours, markers, widths)
    for marker, k in zip(markers, widths):
        f = sign_fits[f"k = {k}"]
        ax.plot(xs, 10 ** f["intercept"] * xs ** f["slope"], "k-", lw=0.8,
                label=f"fit, k = {k} ({marker}): slope {f['slope']:.2f}, "
                      f"$R^2$ = {f['r2']:.3f}")
    ax.set_title("sign transitions T of a random readout (mean over seeds)", fontsize=9)
    ax.set_ylabel("sign transitions T")
    ax = axes[1]
    _scatter(ax, points, "transitions", 9, 0.6, colours, markers, widths)
    f = fits["all sigma_w^2"]
    ax.plot(xs, 10 ** f["intercept"] * xs ** f["slope"], "k:", lw=1.2,
            label=f"fit, all: slope {f['slope']:.2f}, $R^2$ = {f['r2']:.3f}")
    ax.set_title("second table: neuron transitions of layers 1..d (every seed)", fontsize=9)
    ax.set_ylabel("neuron transitions (layers 1..d)")
    for ax in axes[:2]:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"exact length of the last hidden layer's image $l(z^{(d)})$")
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(True, alpha=0.3)
    mid = widths[len(widths) // 2]
    ds = np.arange(1, depth + 1)
    for colour, s2 in zip(colours, SIGMA_W2):
        axes[2].plot(ds, sign_curves[(mid, s2)], "o-", ms=3, color=colour,
                     label=rf"$\sigma_w^2 = {s2}$")
    axes[2].set_title(f"k = {mid}: sign transitions against depth", fontsize=9)
    axes[2].set_yscale("symlog", linthresh=1)
    axes[2].set_xlabel("depth d")
    axes[2].set_ylabel(f"mean sign transitions over {n_seeds} seeds")
    axes[2].legend(fontsize=7)
    axes[2].grid(True, alpha=0.3)
    fig.suptitle(r"Random hard-tanh networks, $\sigma_b = 0$, arc between two Gaussian inputs "
                 f"(exact counts; markers: k = {', '.join(map(str, widths))})", fontsize=10)
    fig.tight_layout()

    # -- claims ----------------------------------------------------------------------------
    by_width = [sign_fits[f"k = {k}"] for k in widths]
    scaled = sign_fits["all, l / sqrt(k)"]
    per_length = {s2: sign_fits[f"sigma_w^2 = {s2}"]["per_length"] for s2 in SIGMA_W2}
    spread = max(per_length.values()) / min(per_length.values())
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

    def fit_text(f: dict) -> str:
        return (f"slope {f['slope']:.2f}, R² = {f['r2']:.3f}, {f['points']} seed means"
                + (f" ({f['zeros']} with T = 0 left out)" if f["zeros"] else ""))

    claims = (
        Claim("Observation 1: at each width k, pooled over every σ_w² ("
              f"{', '.join(map(str, SIGMA_W2))}), the sign transitions T of a random readout "
              f"are proportional to l(z^(d)) (log-log slope within 1 ± {SLOPE_TOL}, "
              f"R² ≥ {R2_MIN})", all(_proportional(f) for f in by_width),
              "; ".join(f"k = {k}: {fit_text(f)}" for k, f in zip(widths, by_width))),
        Claim("the same pooled over the widths too, with the length in units of √k (the "
              "scale of a k-dimensional hard-tanh image)", _proportional(scaled),
              fit_text(scaled)),
        Claim("one constant for every σ_w²: T per unit length within a factor 2 across σ_w²",
              bool(spread <= 2),
              "T / l (sum over the seed means, zeros included): "
              + ", ".join(f"{v:.3f} (σ_w² = {s2})" for s2, v in per_length.items())
              + f"; largest / smallest {spread:.2f}"),
        Claim("neuron transitions (not the paper's T), σ_w² ≥ 4: the transitions of layer d "
              "grow exponentially with d (mean per-layer ratio > 1 for every width)",
              all(g > 1 for _, _, g in grow),
              "; ".join(f"k={k}, σ_w² = {s2}: {g:.2f}" for k, s2, g in grow)),
    )

    # -- tables and text ---------------------------------------------------------------------
    def fit_label(key: str) -> str:
        return (key.replace("sigma_w^2", "σ_w²").replace("l / sqrt(k)", "l / √k")
                .replace("all", "all k and σ_w²", 1))

    sign_rows = [[fit_label(key), f["points"], f["zeros"],
                  f"{f['l_min']:.3g} to {f['l_max']:.3g}", f["slope"], f["r2"], f["per_length"]]
                 for key, f in sign_fits.items()]
    sign_table = markdown_table(["points", "fitted", "T = 0", "length range", "slope b", "R²",
                                 "T / length"], sign_rows)
    sign_depth_rows = [[k, s2,
                        *[f"{sign_curves[(k, s2)][d - 1]:.1f}" for d in (1, depth // 2, depth)]]
                       for k in widths for s2 in SIGMA_W2]
    sign_depth_table = markdown_table(["k", "σ_w²", "T at d = 1", f"d = {depth // 2}",
                                       f"d = {depth}"], sign_depth_rows)

    def label(key: str) -> str:
        return (key.replace("sigma_w^2", "σ_w²").replace("sum_(j<d) l(z^(j))",
                                                         "Σ_(j<d) l(z^(j))"))

    fit_rows = [[label(key), f["points"], f["slope"], f["intercept"], f["r2"]]
                for key, f in fits.items()]
    fit_table = markdown_table(["points", "n", "slope b", "intercept a", "R² (log-log)"],
                               fit_rows)
    depth_rows = [[k, s2, *[f"{curves[(k, s2)][d - 1]:.1f}" for d in (1, depth // 2, depth)],
                   per_layer[(k, s2)]] for k in widths for s2 in SIGMA_W2]
    depth_table = markdown_table(
        ["k", "σ_w²", "at d = 1", f"d = {depth // 2}", f"d = {depth}", "per-layer ratio"],
        depth_rows)
    total_slope = fits["all, against sum_(j<d) l(z^(j))"]["slope"]
    whole = sign_fits["all"]
    width_rates = ", ".join(f"{f['per_length']:.3f} (k = {k})" for k, f in zip(widths, by_width))
    markdown = f"""
Setup: the networks and arcs of the length experiment: hard-tanh [k, k × {depth}, 1], input
dimension k, widths k ∈ {{{', '.join(map(str, widths))}}}, σ_w² ∈
{{{', '.join(map(str, SIGMA_W2))}}}, σ_b = 0, {n_seeds} seeds from {seed}; the arc
x(t) = cos t p + sin t q, t ∈ [0, π/2], p and q standard Gaussian in R^k. The network of depth
d = 1..{depth} is the first d hidden layers of the depth-{depth} network followed by a scalar
random linear readout r_d · z^(d) (r_d a fixed Gaussian row, drawn once per seed and depth).
T is the exact number of sign changes of that readout along the arc (Raghu et al.'s sign
transitions), l the exact length of the layer-d image. Fitted: least squares of
log10 T = a + b log10 l on the mean over the seeds of each (k, σ_w², d), per width (pooled over
σ_w²), per σ_w² (pooled over widths) and over everything (b = 1 means T proportional to l; R²
is the log-space R²); means with T = 0 are left out of the fit and counted. T / length is the
total of the mean counts over the total of the mean lengths, zeros included: the
proportionality constant.

Sign transitions of the output (the paper's T, Observation 1):

{sign_table}

The paper states Observation 1 for every σ_w and sets no threshold. Here T is called
proportional to l when the fitted slope is within 1 ± {SLOPE_TOL} and R² ≥ {R2_MIN}: over the
two to three decades of length that the data span, a slope of 1 ± {SLOPE_TOL} lets T / l drift
by at most a factor 10^({SLOPE_TOL} × 3) ≈ {10 ** (SLOPE_TOL * 3):.1f} end to end, while a
square-root or a quadratic law (slope 0.5 or 2) is rejected; R² ≥ {R2_MIN} asks that the line,
not the scatter, carries the relation. The counts are small at small lengths (a readout of a
short image changes sign 0, 1 or 2 times), so the means over seeds are fitted rather than
single counts.

The claim is judged per width, pooled over σ_w² (the paper states it for every σ_w): the
constant of proportionality depends on the width, T / length = {width_rates}, because the
length of a k-dimensional hard-tanh image scales like √k while the sign changes of one readout
do not. Pooling the widths as well mixes three constants (slope {whole['slope']:.2f},
R² = {whole['r2']:.3f}); measuring the length in units of √k removes that (the row l / √k).
Per σ_w², pooled over the widths, the slope is close to 1 wherever the lengths span a decade or
more, with R² lowered by the same width effect; for σ_w² = 1 and 2 the image barely grows
(less than a decade of length), so those points alone cannot show a slope, and they enter the
pooled fits.

Mean sign transitions against depth (over seeds):

{sign_depth_table}

Second table, neuron transitions (not the paper's T): the number of neuron transitions of
layers 1..d along the arc (every hidden unit's changes of linear piece, one point per
network) against the same lengths; points with none are left out ({zero} of {len(points)}).

{fit_table}

The last row fits them against the total length of the curves entering layers 1..d,
Σ_(j<d) l(z^(j)): each layer's transitions are its units' threshold crossings along the curve
it receives, so this is the mechanistic form of the same relation (slope {total_slope:.2f}).
Mean neuron transitions against depth, with the geometric mean of the ratio of consecutive
layers' transitions:

{depth_table}

The neuron transitions grow with the width as well as with the length (a layer of k units
crosses its thresholds about √k times as often per unit length), which is why the pooled
neuron fit scatters more than the sign fit: the readout's sign changes do not count units.
The counts are exact; the paper counted along a sampled trajectory (the exact-against-sampled
section shows how much sampling misses at these sizes).
"""
    data = {
        "widths": list(widths), "depth": depth, "sigma_w2": list(SIGMA_W2),
        "slope_tol": SLOPE_TOL, "r2_min": R2_MIN,
        "points": points, "means": means, "sign_fits": sign_fits, "fits": fits,
        "curves": [{"k": k, "sigma_w2": s2, "mean_transitions": curves[(k, s2)],
                    "mean_sign_transitions": sign_curves[(k, s2)],
                    "layer_ratio": per_layer[(k, s2)]} for k in widths for s2 in SIGMA_W2],
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data, claims,
                  time.perf_counter() - start)
