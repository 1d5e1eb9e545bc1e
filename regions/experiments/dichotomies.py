"""Raghu et al. Figs. 4-5: the number of dichotomies of s = 15 fixed inputs reached by
sweeping one layer's weights along a great circle, counted exactly.

Sweeping layer d's weights as W(t) = cos(t) W + sin(t) W' (t in [0, 2 pi)) moves the
pre-activation of input x_i along the closed ellipse h_i(t) = cos(t) (W z_i) + sin(t) (W' z_i)
+ b in R^k, where z_i is the (fixed) input of layer d. The scalar output for x_i is the rest
of the network (layer d's activation onward) along that ellipse, so :func:`regions.trace`
along ``Arc.circle(W z_i, W' z_i, center=b)`` of the "rest" network -- an identity layer with
layer d's activation, the later layers, and one appended ReLU neuron y -> relu(y) whose
threshold turns every sign change of the output into a knot -- finds every angle where the
label of x_i flips, exactly. The angles of the 15 inputs cut the circle into arcs on which no
label changes; the distinct sign vectors over those arcs are the dichotomies.

Run alone: ``python examples/raghu_fig45_dichotomies.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..network import Network, _layer_values, random_network
from ..trace import trace
from ..trajectory import Arc
from ._common import Claim, Progress, Result, markdown_table, seeds, fit_line

__all__ = ["NAME", "TITLE", "run", "count_dichotomies", "sample_dichotomies"]

NAME = "dichotomies"
TITLE = "Dichotomies reached by sweeping one layer (Raghu et al. Figs. 4-5)"

SIGMA_W2 = 8.0
SIGMA_B2 = 0.0
NUM_INPUTS = 15
_TWO_PI = 2 * math.pi


def _layer_inputs(net: Network, layer: int, inputs: np.ndarray) -> np.ndarray:
    """z_i: the inputs of weight layer ``layer`` (0-based), one row per input."""
    z = np.asarray(inputs, dtype=np.float64)
    return z if layer == 0 else _layer_values(net, z, False)[layer - 1][1]


def _head(net: Network, layer: int, relu_out: bool) -> Network:
    """Layer ``layer``'s activation (behind an identity layer) and every later layer; with
    ``relu_out`` one more neuron relu(y) on the scalar output."""
    k = net.weights[layer].shape[0]
    weights = [np.eye(k)] + list(net.weights[layer + 1:])
    biases = [np.zeros(k)] + list(net.biases[layer + 1:])
    acts = [a.name for a in net.activations[layer:]]
    if relu_out:
        weights, biases, acts = weights + [np.ones((1, 1))], biases + [np.zeros(1)], acts + ["relu"]
    return Network(weights, biases, acts)


def _sweep(net: Network, layer: int, w_prime, inputs):
    """The swept layer's pre-activation h_i(t) = cos t a0_i + sin t a1_i + b for every input
    and the network above it: ``(inputs, a0, a1, b, head)``."""
    if net.widths[-1] != 1:
        raise ValueError(f"net must have one output to give dichotomies; it has {net.widths[-1]}")
    x = np.asarray(inputs, dtype=np.float64)
    w, wp, b = net.weights[layer], np.asarray(w_prime, dtype=np.float64), net.biases[layer]
    if wp.shape != w.shape:
        raise ValueError(f"w_prime must have shape {w.shape}; got {wp.shape}")
    z = _layer_inputs(net, layer, x)
    return x, z @ w.T, z @ wp.T, b, _head(net, layer, False)


def count_dichotomies(net: Network, layer: int, w_prime, inputs) -> dict:
    """Exact number of distinct sign vectors of the scalar output of ``net`` over ``inputs``
    when weight layer ``layer`` (0-based) is swept as W cos t + W' sin t, t in [0, 2 pi).

    Returns a dict: ``count`` (distinct dichotomies), ``arcs`` (arcs of the circle between
    consecutive flip angles: an upper bound on ``count``), ``flips`` (sign changes of each
    input's output over the full turn), ``min_gap`` (the shortest such arc, radians) and
    ``signs`` (the sign vector on every arc, one row each).
    """
    x, a0, a1, b, head = _sweep(net, layer, w_prime, inputs)
    rest = _head(net, layer, True)
    flip_angles = []
    for i in range(x.shape[0]):
        tr = trace(rest, Arc.circle(a0[i], a1[i], center=b))
        switch = np.asarray(tr.knot_transitions)[:, -1] > 0
        angles = np.mod(np.asarray(tr.knots, dtype=np.float64)[switch], _TWO_PI)
        if angles.shape[0] % 2:
            raise RuntimeError(f"input {i}: an odd number of sign changes on a closed curve")
        flip_angles.append(np.sort(angles))
    # each input's sign just after angle 0 (on the arc that wraps round), from one point far
    # from its own flips: the midpoint of its longest flip-free arc
    ref = np.empty(x.shape[0])
    for i, f in enumerate(flip_angles):
        if f.shape[0] == 0:
            ref[i] = 0.0
            continue
        gaps = np.diff(np.concatenate([f, [f[0] + _TWO_PI]]))
        j = int(np.argmax(gaps))
        ref[i] = np.mod(f[j] + gaps[j] / 2, _TWO_PI)
    h_ref = np.cos(ref)[:, None] * a0 + np.sin(ref)[:, None] * a1 + b
    y_ref = np.asarray(head(h_ref), dtype=np.float64)[:, 0]
    before = np.array([np.count_nonzero(f <= r) for f, r in zip(flip_angles, ref)])
    sign0 = np.sign(y_ref) * np.where(before % 2, -1, 1)
    if np.any(sign0 == 0):
        raise RuntimeError("an output is exactly zero at a reference angle")
    all_angles = np.unique(np.concatenate(flip_angles)) if flip_angles else np.empty(0)
    if all_angles.shape[0] == 0:
        return {"count": 1, "arcs": 1, "flips": [0] * x.shape[0], "min_gap": _TWO_PI,
                "signs": sign0[None, :].astype(np.int8)}
    # arc j runs from all_angles[j] to the next angle (the last one wraps round to the first)
    counts = np.stack([np.searchsorted(f, all_angles, side="right") for f in flip_angles],
                      axis=1)
    signs = (sign0[None, :] * np.where(counts % 2, -1, 1)).astype(np.int8)
    gaps = np.diff(np.concatenate([all_angles, [all_angles[0] + _TWO_PI]]))
    distinct = np.unique(signs, axis=0).shape[0]
    return {"count": int(distinct), "arcs": int(all_angles.shape[0]),
            "flips": [int(f.shape[0]) for f in flip_angles], "min_gap": float(gaps.min()),
            "signs": signs}


def sample_dichotomies(net: Network, layer: int, w_prime, inputs, num: int,
                       chunk: int = 2048) -> int:
    """Distinct sign vectors seen at ``num`` equally spaced angles (the sampling baseline;
    never more than :func:`count_dichotomies`, up to outputs exactly zero)."""
    x, a0, a1, b, head = _sweep(net, layer, w_prime, inputs)
    ts = np.arange(num) * (_TWO_PI / num)
    seen = set()
    for s in range(0, num, chunk):
        t = ts[s:s + chunk]
        h = (np.cos(t)[:, None, None] * a0[None] + np.sin(t)[:, None, None] * a1[None] + b)
        y = np.asarray(head(h.reshape(-1, h.shape[-1])), dtype=np.float64)
        sg = np.sign(y.reshape(t.shape[0], x.shape[0])).astype(np.int8)
        sg = sg[np.all(sg != 0, axis=1)]
        seen.update(map(bytes, sg))
    return len(seen)


def _draw(widths, seed: int):
    """A hard-tanh network, a second draw of each weight matrix, and the 15 inputs."""
    net = random_network(widths, "hardtanh", sigma_w=math.sqrt(SIGMA_W2),
                         sigma_b=math.sqrt(SIGMA_B2), seed=seed)
    rng = np.random.default_rng(seed + 1)
    primes = [rng.normal(0.0, math.sqrt(SIGMA_W2 / w.shape[1]), size=w.shape)
              for w in net.weights]
    inputs = rng.normal(size=(NUM_INPUTS, widths[0]))
    return net, primes, inputs


def _loglin(x, y) -> tuple[float, float]:
    """Growth factor per unit of x (exp of the slope of log y) and the R^2 of that fit."""
    _, slope, r2 = fit_line(x, np.log(np.asarray(y, dtype=float)))
    return math.exp(slope), r2


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    start = time.perf_counter()
    progress = progress or Progress(enabled=False)
    if quick:
        dim, depth, width, n_seeds = 20, 5, 30, 2
        w_depth, w_widths, w_seeds = 4, (5, 20, 80), 3
        n_sample = 2000
    else:
        dim, depth, width, n_seeds = 100, 8, 100, 4
        w_depth, w_widths, w_seeds = 6, (10, 20, 50, 100, 128), 4
        n_sample = 2000
    progress.add(n_seeds * depth + w_seeds * len(w_widths))

    # -- Fig. 4: sweep every hidden layer of one deep network ----------------------------
    remaining = list(range(depth))  # sweeping hidden layer d (1-based) leaves depth - d
    depth_counts = [[0] * depth for _ in range(n_seeds)]  # [seed][remaining depth]
    depth_arcs = [[0] * depth for _ in range(n_seeds)]
    depth_flips = [[0.0] * depth for _ in range(n_seeds)]
    sampled = [0] * depth  # first network only
    for si, s in enumerate(seeds(seed, n_seeds)):
        net, primes, inputs = _draw([dim] + [width] * depth + [1], s)
        for layer in range(depth):
            r = depth - 1 - layer
            res = count_dichotomies(net, layer, primes[layer], inputs)
            depth_counts[si][r] = res["count"]
            depth_arcs[si][r] = res["arcs"]
            depth_flips[si][r] = float(np.mean(res["flips"]))
            if si == 0:
                sampled[r] = sample_dichotomies(net, layer, primes[layer], inputs, n_sample)
            progress.step(note=f"remaining depth {r}: {res['count']}")
    dc = np.asarray(depth_counts, dtype=float)
    mean_depth = dc.mean(axis=0)
    factor, r2_depth = _loglin(remaining, mean_depth)

    # -- Fig. 5: sweep the first layer, several widths -----------------------------------
    width_counts = [[0] * len(w_widths) for _ in range(w_seeds)]
    width_arcs = [[0] * len(w_widths) for _ in range(w_seeds)]
    for wi, k in enumerate(w_widths):
        for si, s in enumerate(seeds(seed + 1, w_seeds)):
            net, primes, inputs = _draw([dim] + [k] * w_depth + [1], s)
            res = count_dichotomies(net, 0, primes[0], inputs)
            width_counts[si][wi] = res["count"]
            width_arcs[si][wi] = res["arcs"]
            progress.step(note=f"width {k}: {res['count']}")
    wc = np.asarray(width_counts, dtype=float)
    mean_width = wc.mean(axis=0)

    # -- figures -------------------------------------------------------------------------
    cap = 2 ** NUM_INPUTS
    fig4, ax = plt.subplots(figsize=(6, 4.4))
    for row in dc:
        ax.plot(remaining, row, "o", color="tab:blue", alpha=0.35, ms=4)
    ax.plot(remaining, mean_depth, "-", color="tab:blue", label=f"exact, mean of {n_seeds}")
    ax.plot(remaining, dc[0], "-", color="tab:green", lw=1, label="exact, network 0")
    ax.plot(remaining, sampled, "s--", color="tab:green", ms=4,
            label=f"sampled at {n_sample} angles, network 0")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("remaining depth (hidden layers above the swept one)")
    ax.set_ylabel("distinct dichotomies of 15 inputs")
    ax.set_title(f"hard-tanh, width {width}, {depth} hidden layers, sigma_w^2 = {SIGMA_W2:g}")
    ax.legend(fontsize=8)
    fig4.tight_layout()
    fig5, ax = plt.subplots(figsize=(6, 4.4))
    for row in wc:
        ax.plot(w_widths, row, "o", color="tab:purple", alpha=0.35, ms=4)
    ax.plot(w_widths, mean_width, "-", color="tab:purple", label=f"exact, mean of {w_seeds}")
    ax.set_yscale("log")
    ax.set_xlabel("width k")
    ax.set_ylabel("distinct dichotomies of 15 inputs")
    ax.set_title(f"sweeping layer 1 of {w_depth} hidden layers, sigma_w^2 = {SIGMA_W2:g}")
    ax.legend(fontsize=8)
    fig5.tight_layout()

    # -- report --------------------------------------------------------------------------
    rows4 = []
    for r in remaining:
        rows4.append([r, depth - r, float(mean_depth[r]), int(dc[:, r].min()),
                      int(dc[:, r].max()), float(np.mean([a[r] for a in depth_arcs])),
                      float(np.mean([f[r] for f in depth_flips])), sampled[r]])
    table4 = markdown_table(
        ["remaining depth", "swept layer", "dichotomies (mean)", "min", "max",
         "arcs between flips (mean)", "sign changes per input (mean)",
         f"sampled, {n_sample} angles (network 0)"], rows4)
    sw = math.sqrt(SIGMA_W2)
    rows5 = [[k, float(mean_width[i]), int(wc[:, i].min()), int(wc[:, i].max()),
              float(np.mean([a[i] for a in width_arcs])), math.sqrt(sw * k / (sw + k))]
             for i, k in enumerate(w_widths)]
    table5 = markdown_table(["width k", "dichotomies (mean)", "min", "max",
                             "arcs between flips (mean)",
                             "Raghu's length base sqrt(sigma_w k / (sigma_w + k))"], rows5)
    under = sum(1 for r in remaining if sampled[r] < dc[0, r])
    markdown = f"""
Hard-tanh networks, W ~ N(0, sigma_w^2 / fan_in) with sigma_w^2 = {SIGMA_W2:g}, zero biases,
a scalar linear readout; {NUM_INPUTS} fixed inputs x_i ~ N(0, I_{dim}). One weight layer is
swept along the great circle W(t) = cos(t) W + sin(t) W' (W' an independent draw of that
layer, t in [0, 2 pi)), the others stay fixed; a dichotomy is the vector of output signs
over the {NUM_INPUTS} inputs. Counted exactly: for each input the angles where its output
changes sign are the knots of an appended ReLU neuron along the closed ellipse that its
layer-d pre-activation traces (`trace` along `Arc.circle(W z_i, W' z_i, center=b)`), the 15
inputs' angles cut the circle into arcs, and each arc's sign vector follows from the parity
of the flips and one direct evaluation per input. (An output that touches 0 and turns back
is not a flip.) At most 2^{NUM_INPUTS} = {cap} dichotomies exist; the number of arcs is an
upper bound for the count.

**Fig. 4 (remaining depth).** One network of {depth} hidden layers of width {width} per seed,
{n_seeds} seeds; sweeping hidden layer d leaves {depth} - d hidden layers above it (the
readout always follows).

{table4}

Fitted growth per extra layer of remaining depth (exp of the slope of log mean count):
{factor:.3f}, R^2 of the log-linear fit {r2_depth:.3f}.

**Fig. 5 (width).** The first layer swept, {w_depth} hidden layers of width k, {w_seeds}
seeds per width.

{table5}

As in the paper, the dichotomies reached grow about exponentially with the remaining depth
and grow with width. The growth with width slows down as k grows, as Raghu et al.'s
per-layer length factor sqrt(sigma_w k / (sigma_w + k)) (last column) does: it approaches
sqrt(sigma_w) = {math.sqrt(sw):.3f} once k is well above sigma_w = {sw:.3f}, so width adds
little beyond a few tens of units (neighbouring widths there can swap order from seed
noise), while each extra layer of remaining depth multiplies the
count by about {factor:.2f}. Differences from the paper: the counts here are exact, whereas Raghu
et al. sampled the angle; sampling at {n_sample} angles misses dichotomies in {under} of the
{depth} rows above (those whose arcs become shorter than the sampling step). The counts stay
far below 2^{NUM_INPUTS}, so no saturation is visible at these depths; the paper's networks
(input dimension, the exact sizes of its deepest nets) are not fully specified in our notes,
so the absolute numbers are not comparable, only the trends. Remaining depth here counts
hidden layers above the swept one (if the paper counts the swept layer as well, its axis
is ours plus one).
"""
    steps_up = int(np.sum(np.diff(mean_depth) > 0))
    ratio_depth = float(mean_depth[-1] / mean_depth[0])
    w_slope = float(np.polyfit(np.log(w_widths), np.log(mean_width), 1)[0])
    claims = (
        Claim("the number of dichotomies grows with the remaining depth (log-linear growth "
              "factor > 1.2 per layer, deepest sweep >= 4x the shallowest)",
              factor > 1.2 and ratio_depth >= 4,
              "means " + ", ".join(f"{v:.0f}" for v in mean_depth)
              + f"; factor {factor:.2f} per layer; {steps_up} of {depth - 1} steps up"),
        Claim("the growth with remaining depth is roughly exponential (R^2 of log count "
              "against depth > 0.9)", r2_depth > 0.9, f"R^2 = {r2_depth:.3f}"),
        Claim("the number of dichotomies grows with width (log-log slope of the mean count "
              "against k > 0, largest k above smallest k)",
              w_slope > 0 and mean_width[-1] > mean_width[0],
              f"slope {w_slope:.2f}; means " + ", ".join(
                  f"k={k}: {v:.0f}" for k, v in zip(w_widths, mean_width))),
    )
    data = {
        "sigma_w2": SIGMA_W2, "sigma_b2": SIGMA_B2, "num_inputs": NUM_INPUTS,
        "input_dim": dim, "depth": depth, "width": width,
        "remaining_depth": remaining,
        "depth_counts": depth_counts,  # [seed][remaining depth]
        "depth_arcs": depth_arcs,
        "depth_mean": mean_depth.tolist(),
        "depth_sampled": sampled, "num_sampled_angles": n_sample,
        "depth_growth_factor": factor, "depth_r2": r2_depth,
        "width_depth": w_depth, "widths": list(w_widths),
        "width_counts": width_counts,  # [seed][width]
        "width_arcs": width_arcs,
        "width_mean": mean_width.tolist(),
        "width_loglog_slope": w_slope,
    }
    return Result(NAME, TITLE, markdown,
                  {f"{NAME}_depth.png": fig4, f"{NAME}_width.png": fig5},
                  data, claims, time.perf_counter() - start)
