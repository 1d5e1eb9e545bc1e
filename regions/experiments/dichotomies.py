"""Raghu et al. Fig. 4: the number of dichotomies of s = 15 fixed inputs reached by sweeping
the *first* layer's weights along a great circle, against depth and against width, counted
exactly; and how the count saturates towards 2^s.

Sweeping layer d's weights as W(t) = cos(t) W + sin(t) W' (t in [0, 2 pi)) moves the
pre-activation of input x_i along the closed ellipse h_i(t) = cos(t) (W z_i) + sin(t) (W' z_i)
+ b in R^k, where z_i is the (fixed) input of layer d. The scalar output for x_i is the rest
of the network (layer d's activation onward) along that ellipse, so :func:`regions.trace`
along ``Arc.circle(W z_i, W' z_i, center=b)`` of the "rest" network -- an identity layer with
layer d's activation, the later layers, and one appended ReLU neuron y -> relu(y) whose
threshold turns every sign change of the output into a knot -- finds every angle where the
label of x_i flips, exactly. The angles of the 15 inputs cut the circle into arcs on which no
label changes; the distinct sign vectors over those arcs are the dichotomies. The same arcs
give the count for the first s inputs, every s <= 15, at no extra cost (distinct prefixes of
the arcs' sign vectors), which is how the saturation towards 2^s is measured.

Fig. 5 of the paper (each layer swept in turn: the count depends on the remaining depth) is
the experiment :mod:`regions.experiments.dichotomies_layers`, which uses
:func:`count_dichotomies` from here.

Run alone: ``python examples/raghu_fig4_dichotomies.py [--quick] [--out DIR] [--seed S]``.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017 (arXiv 1606.05336): dichotomies,
   Figs. 4 and 5.
"""

from __future__ import annotations

import math
import time
from typing import Any, TypedDict

import numpy as np

from ..network import Network, random_network
from ..trace import trace
from ..trajectory import Arc
from ._common import Claim, Progress, Result, fit_line, markdown_table, seeds

__all__ = ["NAME", "TITLE", "count_dichotomies", "draw_sweep", "layer_inputs", "run",
           "sample_dichotomies"]

NAME = "dichotomies"
TITLE = ("Dichotomies reached by sweeping the first layer, against depth and width "
         "(Raghu et al. Fig. 4)")

SIGMA_W2 = 8.0
SIGMA_B2 = 0.0
NUM_INPUTS = 15
SATURATION_SIZES = (2, 4, 6, 8, 15)
"""Input counts s whose count / 2^s is tabulated (the first s of the 15 inputs)."""
_TWO_PI = 2 * math.pi



class _Config(TypedDict):
    """The sizes of one run: input dimension, widths k, depths n, networks per (k, n), and
    the number of angles of the sampling baseline."""

    dim: int
    widths: tuple[int, ...]
    depths: tuple[int, ...]
    seeds: int
    sampled: int


FULL: _Config = {"dim": 100, "widths": (8, 16, 32, 64, 128), "depths": (1, 2, 3, 4, 5, 6),
                 "seeds": 3, "sampled": 2000}
QUICK: _Config = {"dim": 20, "widths": (4, 16), "depths": (1, 2, 3, 4), "seeds": 2,
                  "sampled": 2000}


def _check_layer(net: Any, layer: Any) -> int:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a regions.Network, got {type(net).__name__}")
    if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)):
        raise TypeError(f"layer must be an integer (a 0-based weight layer index), got {layer!r}")
    if not 0 <= layer < net.num_layers:
        raise ValueError(
            f"layer must be a weight layer index 0..{net.num_layers - 1} of net; got {layer}"
        )
    return int(layer)


def layer_inputs(net: Network, layer: int, inputs: Any) -> np.ndarray:
    """z_i: the inputs of weight layer ``layer`` (0-based), one row per input (float64).

    Examples
    --------
    >>> net = Network([[[2.0]], [[1.0]]], [[0.0], [0.0]], ["hardtanh", "linear"])
    >>> layer_inputs(net, 1, [[0.25], [3.0]]).tolist()
    [[0.5], [1.0]]
    """
    layer = _check_layer(net, layer)
    z = np.asarray(inputs, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] != net.widths[0]:
        raise ValueError(f"inputs must have shape (s, {net.widths[0]}) (one input per row); "
                         f"got shape {z.shape}")
    if layer == 0:
        return z
    below = Network(net.weights[:layer], net.biases[:layer],
                    [a.name for a in net.activations[:layer]])
    return np.asarray(below(z), dtype=np.float64)


def _head(net: Network, layer: int, relu_out: bool) -> Network:
    """Layer ``layer``'s activation (behind an identity layer) and every later layer; with
    ``relu_out`` one more neuron relu(y) on the scalar output."""
    k = net.weights[layer].shape[0]
    weights = [np.eye(k)] + list(net.weights[layer + 1:])
    biases = [np.zeros(k)] + list(net.biases[layer + 1:])
    acts = [a.name for a in net.activations[layer:]]
    if relu_out:
        weights, biases = weights + [np.ones((1, 1))], biases + [np.zeros(1)]
        acts = acts + ["relu"]
    return Network(weights, biases, acts)


def _sweep(net: Network, layer: int, w_prime, inputs):
    """The swept layer's pre-activation h_i(t) = cos t a0_i + sin t a1_i + b for every input
    and the network above it: ``(inputs, a0, a1, b, head)``."""
    layer = _check_layer(net, layer)
    if net.widths[-1] != 1:
        raise ValueError(f"net must have one output to give dichotomies; it has {net.widths[-1]}")
    x = np.asarray(inputs, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"inputs must be a 2-D array with one input per row; got shape {x.shape}")
    w, b = net.weights[layer], net.biases[layer]
    wp = np.asarray(w_prime, dtype=np.float64)
    if wp.shape != w.shape:
        raise ValueError(f"w_prime must have shape {w.shape} (that of weights[{layer}]); "
                         f"got {wp.shape}")
    if not np.all(np.isfinite(wp)):
        raise ValueError("w_prime must hold finite numbers")
    z = layer_inputs(net, layer, x)
    return x, z @ w.T, z @ wp.T, np.asarray(b, dtype=np.float64), _head(net, layer, False)


def count_dichotomies(net: Network, layer: int, w_prime, inputs) -> dict:
    """Exact number of distinct sign vectors of the scalar output of ``net`` over ``inputs``
    when weight layer ``layer`` (0-based) is swept as W cos t + W' sin t, t in [0, 2 pi).

    Parameters
    ----------
    net : Network
        A float network with one output.
    layer : int
        The swept weight layer, 0 .. ``net.num_layers - 1``.
    w_prime : array_like
        W', the same shape as ``net.weights[layer]``.
    inputs : array_like, shape (s, net.widths[0])
        The s fixed inputs (at most 62, so that a sign vector packs into one integer).

    Returns
    -------
    dict
        ``count`` (distinct dichotomies), ``arcs`` (arcs of the circle between consecutive
        flip angles: an upper bound on ``count``), ``flips`` (sign changes of each input's
        output over the full turn), ``min_gap`` (the shortest such arc, radians), ``signs``
        (the sign vector on every arc, one row each) and ``count_by_size`` (entry s - 1: the
        number of distinct dichotomies of the first s inputs, s = 1 .. len(inputs)).

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017 (dichotomies, Figs. 4 and 5).

    Examples
    --------
    One hard-tanh unit sweeping its own weight; input (a, c) flips where a cos t + c sin t = 0:

    >>> net = Network([[[1.0, 0.0]], [[1.0]]], [[0.0], [0.0]], ["hardtanh", "linear"])
    >>> res = count_dichotomies(net, 0, [[0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    >>> res["count"], res["flips"], res["count_by_size"]
    (4, [2, 2], [2, 4])
    """
    x, a0, a1, b, head = _sweep(net, layer, w_prime, inputs)
    if x.shape[0] > 62:
        raise ValueError(f"inputs must hold at most 62 inputs; got {x.shape[0]}")
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
    all_angles = np.unique(np.concatenate(flip_angles))
    if all_angles.shape[0] == 0:
        signs = sign0[None, :].astype(np.int8)
        return {"count": 1, "arcs": 1, "flips": [0] * x.shape[0], "min_gap": _TWO_PI,
                "signs": signs, "count_by_size": [1] * x.shape[0]}
    # arc j runs from all_angles[j] to the next angle (the last one wraps round to the first)
    counts = np.stack([np.searchsorted(f, all_angles, side="right") for f in flip_angles],
                      axis=1)
    signs = (sign0[None, :] * np.where(counts % 2, -1, 1)).astype(np.int8)
    gaps = np.diff(np.concatenate([all_angles, [all_angles[0] + _TWO_PI]]))
    return {"count": int(np.unique(signs, axis=0).shape[0]), "arcs": int(all_angles.shape[0]),
            "flips": [int(f.shape[0]) for f in flip_angles], "min_gap": float(gaps.min()),
            "signs": signs, "count_by_size": prefix_counts(signs)}


def prefix_counts(signs: Any) -> list[int]:
    """Distinct rows of ``signs[:, :s]`` for s = 1 .. columns: the number of dichotomies of
    the first s inputs (their sign vectors are the prefixes of the arcs' sign vectors).

    Examples
    --------
    >>> prefix_counts([[1, 1, 1], [1, -1, 1], [1, -1, -1]])
    [1, 2, 3]
    """
    sg = np.asarray(signs)
    if sg.ndim != 2 or sg.shape[1] > 62:
        raise ValueError(
            f"signs must be a 2-D array with at most 62 columns; got shape {sg.shape}")
    bits = (sg < 0).astype(np.int64) << np.arange(sg.shape[1], dtype=np.int64)
    codes = np.cumsum(bits, axis=1)  # column s - 1: the code of the first s signs
    return [int(np.unique(codes[:, s]).shape[0]) for s in range(sg.shape[1])]


def sample_dichotomies(net: Network, layer: int, w_prime, inputs, num: int,
                       chunk: int = 2048) -> int:
    """Distinct sign vectors seen at ``num`` equally spaced angles (the sampling baseline;
    never more than :func:`count_dichotomies`, up to outputs exactly zero).

    Examples
    --------
    >>> net = Network([[[1.0, 0.0]], [[1.0]]], [[0.0], [0.0]], ["hardtanh", "linear"])
    >>> sample_dichotomies(net, 0, [[0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], num=7)
    4
    """
    if isinstance(num, (bool, np.bool_)) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"num must be a positive integer (angles to sample); got {num!r}")
    x, a0, a1, b, head = _sweep(net, layer, w_prime, inputs)
    ts = np.arange(num) * (_TWO_PI / num)
    seen: set[bytes] = set()
    for s in range(0, num, chunk):
        t = ts[s:s + chunk]
        h = (np.cos(t)[:, None, None] * a0[None] + np.sin(t)[:, None, None] * a1[None] + b)
        y = np.asarray(head(h.reshape(-1, h.shape[-1])), dtype=np.float64)
        sg = np.sign(y.reshape(t.shape[0], x.shape[0])).astype(np.int8)
        sg = sg[np.all(sg != 0, axis=1)]
        seen.update(map(bytes, sg))
    return len(seen)


def draw_sweep(widths, seed: int, num_inputs: int = NUM_INPUTS):
    """A hard-tanh network (sigma_w^2 = 8, zero biases), an independent second draw W' of
    each weight matrix, and ``num_inputs`` inputs x_i ~ N(0, I): ``(net, primes, inputs)``.

    Examples
    --------
    >>> net, primes, inputs = draw_sweep([5, 7, 1], seed=0)
    >>> net.widths, [p.shape for p in primes], inputs.shape
    ((5, 7, 1), [(7, 5), (1, 7)], (15, 5))
    """
    net = random_network(widths, "hardtanh", sigma_w=math.sqrt(SIGMA_W2),
                         sigma_b=math.sqrt(SIGMA_B2), seed=seed)
    rng = np.random.default_rng(seed + 1)
    primes = [rng.normal(0.0, math.sqrt(SIGMA_W2 / w.shape[1]), size=w.shape)
              for w in net.weights]
    inputs = rng.normal(size=(num_inputs, widths[0]))
    return net, primes, inputs


def _loglin(x, y) -> tuple[float, float]:
    """Growth factor per unit of x (exp of the slope of log y) and the R^2 of that fit."""
    _, slope, r2 = fit_line(x, np.log(np.asarray(y, dtype=float)))
    return math.exp(slope), r2


def _geo(a, axis=None):
    return np.exp(np.mean(np.log(np.asarray(a, dtype=float)), axis=axis))


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    start = time.perf_counter()
    progress = progress or Progress(enabled=False)
    cfg = QUICK if quick else FULL
    dim, widths, depths, n_seeds, n_sample = (cfg["dim"], cfg["widths"], cfg["depths"],
                                              cfg["seeds"], cfg["sampled"])
    progress.add(len(widths) * len(depths) * n_seeds)

    # counts[w][n][seed]: first layer swept, n hidden layers of width k = widths[w]
    counts = np.zeros((len(widths), len(depths), n_seeds), dtype=np.int64)
    arcs = np.zeros_like(counts)
    by_size = np.zeros((len(widths), len(depths), n_seeds, NUM_INPUTS), dtype=np.int64)
    sampled = [0] * len(depths)  # widest k, network 0
    for wi, k in enumerate(widths):
        for ni, n in enumerate(depths):
            for si, s in enumerate(seeds(seed + 1000 * wi + n, n_seeds)):
                net, primes, inputs = draw_sweep([dim] + [k] * n + [1], s)
                res = count_dichotomies(net, 0, primes[0], inputs)
                counts[wi, ni, si], arcs[wi, ni, si] = res["count"], res["arcs"]
                by_size[wi, ni, si] = res["count_by_size"]
                if wi == len(widths) - 1 and si == 0:
                    sampled[ni] = sample_dichotomies(net, 0, primes[0], inputs, n_sample)
                progress.step(note=f"k={k}, depth {n}: {res['count']}")
    geo = _geo(counts, axis=2)
    cap = 2 ** NUM_INPUTS

    # -- fits -----------------------------------------------------------------------------
    wide = len(widths) - 1
    factor, r2_depth = _loglin(depths, geo[wide])
    factors = [_loglin(depths, geo[w])[0] for w in range(len(widths))]
    w_slope = float(np.polyfit(np.log(widths), np.log(geo[:, -1]), 1)[0])
    # saturation: count_s / 2^s at the widest k, mean over seeds, per depth
    sizes = [s for s in SATURATION_SIZES if s <= NUM_INPUTS]
    frac = {s: (by_size[wide, :, :, s - 1].mean(axis=1) / 2 ** s).tolist() for s in sizes}
    last_step = {s: float(_geo(by_size[wide, -1, :, s - 1]) / _geo(by_size[wide, -2, :, s - 1]))
                 for s in sizes}

    # -- figures ---------------------------------------------------------------------------
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.5, 4.4))
    colours = plt.cm.viridis(np.linspace(0.0, 0.85, len(widths)))
    for wi, k in enumerate(widths):
        ax0.plot(depths, geo[wi], "o-", ms=4, color=colours[wi], label=f"k = {k}")
    ax0.plot(depths, counts[wide, :, 0], "-", lw=1, color="tab:red",
             label=f"k = {widths[-1]}, exact, network 0")
    ax0.plot(depths, sampled, "s--", ms=4, color="tab:red",
             label=f"k = {widths[-1]}, sampled at {n_sample} angles (network 0)")
    ax0.axhline(cap, color="grey", lw=0.8, ls=":")
    ax0.set_yscale("log")
    ax0.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax0.set_xlabel("depth n (hidden layers; the first layer is swept)")
    ax0.set_ylabel(f"distinct dichotomies of {NUM_INPUTS} inputs (geometric mean)")
    ax0.set_title("against depth (dotted: 2^15)", fontsize=9)
    ax0.legend(fontsize=7)
    dcol = plt.cm.plasma(np.linspace(0.0, 0.85, len(depths)))
    for ni, n in enumerate(depths):
        ax1.plot(widths, geo[:, ni], "o-", ms=4, color=dcol[ni], label=f"depth {n}")
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    ax1.set_xlabel("width k")
    ax1.set_title("against width", fontsize=9)
    ax1.legend(fontsize=7)
    fig.suptitle(f"Raghu Fig. 4: hard-tanh, σ_w² = {SIGMA_W2:g}, first layer swept, exact",
                 fontsize=10)
    fig.tight_layout()
    fig_sat, ax = plt.subplots(figsize=(6, 4.2))
    scol = plt.cm.cividis(np.linspace(0.0, 0.85, len(sizes)))
    for c, s in zip(scol, sizes):
        ax.plot(depths, frac[s], "o-", ms=4, color=c, label=f"s = {s} (2^s = {2 ** s})")
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("depth n (first layer swept)")
    ax.set_ylabel("dichotomies of the first s inputs / 2^s")
    ax.set_title(f"saturation towards 2^s, k = {widths[-1]} (mean of {n_seeds})", fontsize=9)
    ax.legend(fontsize=7)
    fig_sat.tight_layout()

    # -- report ----------------------------------------------------------------------------
    rows_d = [[f"k = {k}", *(float(geo[wi, ni]) for ni in range(len(depths))),
               float(factors[wi])] for wi, k in enumerate(widths)]
    table_d = markdown_table(["width"] + [f"n = {n}" for n in depths] + ["growth per layer"],
                             rows_d)
    rows_s = [[f"s = {s}", 2 ** s, *(float(v) for v in frac[s]), last_step[s]]
              for s in sizes]
    table_s = markdown_table(["inputs", "2^s"] + [f"n = {n}" for n in depths]
                             + [f"growth n = {depths[-2]} to {depths[-1]}"], rows_s)
    under = sum(1 for ni in range(len(depths)) if sampled[ni] < counts[wide, ni, 0])
    markdown = f"""
Hard-tanh networks with n hidden layers of width k, W ~ N(0, σ_w²/fan_in) with
σ_w² = {SIGMA_W2:g}, zero biases, a scalar linear readout; s = {NUM_INPUTS} fixed inputs
x_i ~ N(0, I_{dim}). As in the paper's Fig. 4, the *first* layer's weights are swept along the
great circle W(t) = cos(t) W + sin(t) W' (W' an independent draw, t in [0, 2π)), all other
layers fixed, and a dichotomy is the vector of output signs over the inputs. Counted exactly:
for each input the angles where its output changes sign are the knots of an appended ReLU
neuron along the closed ellipse that its first-layer pre-activation traces (`trace` along
`Arc.circle(W x_i, W' x_i)`); the inputs' angles cut the circle into arcs, and each arc's
sign vector follows from the parity of the flips and one direct evaluation per input.
{n_seeds} independent networks per (k, n); the tables give geometric means (counts spread
over orders of magnitude). The paper's Fig. 5 design (each layer swept in turn, k = 128) is
the next section.

Dichotomies of the {NUM_INPUTS} inputs against depth n (rows: width k):

{table_d}

Dichotomies of the first s inputs relative to the 2^s labellings that exist, k = {widths[-1]}
(mean over networks; last column: geometric-mean growth over the last layer):

{table_s}

The count grows about exponentially with depth (k = {widths[-1]}: ×{factor:.2f} per layer,
R² of the log-linear fit {r2_depth:.3f}) and more slowly with width (log-log slope
{w_slope:.2f} at depth {depths[-1]}): depth enters as the exponent, width only through the
base. With s = {NUM_INPUTS} inputs the counts stay far below 2^{NUM_INPUTS} = {cap} at these
depths (reaching the cap would need at least {cap} arcs, i.e. thousands of sign changes per
input); the saturation the paper describes shows on fewer inputs: the count of the first s
inputs climbs to 2^s, and its growth per layer falls to 1 once it is there, while for
s = {NUM_INPUTS} it still grows by the full factor. Sampling the angle at {n_sample} points,
as the paper did, misses dichotomies in {under} of the {len(depths)} depths (k = {widths[-1]},
network 0): arcs shorter than the sampling step. The paper's input dimension and its
networks' exact sizes are not in our notes, so only the trends are comparable.
"""
    small = [s for s in sizes if s <= 4]
    claims = (
        Claim("the number of dichotomies grows exponentially with depth when the first layer "
              f"is swept (k = {widths[-1]}: log-linear growth factor > 1.2 per layer, R² > 0.9, "
              "deepest >= 4x shallowest)",
              factor > 1.2 and r2_depth > 0.9 and geo[wide, -1] >= 4 * geo[wide, 0],
              f"factor {factor:.2f}, R² {r2_depth:.3f}; geometric means "
              + ", ".join(f"{v:.0f}" for v in geo[wide])),
        Claim("the number of dichotomies grows with width (log-log slope of the count against "
              f"k > 0 at depth {depths[-1]}, widest above narrowest)",
              w_slope > 0 and geo[-1, -1] > geo[0, -1],
              f"slope {w_slope:.2f}; " + ", ".join(
                  f"k={k}: {v:.0f}" for k, v in zip(widths, geo[:, -1]))),
        Claim("the count saturates towards 2^s: for s <= 4 inputs the deepest networks reach "
              ">= 90% of the 2^s labellings, the last layer's growth is below that of s = "
              f"{NUM_INPUTS}, and s = {NUM_INPUTS} stays below 2^{NUM_INPUTS}",
              all(frac[s][-1] >= 0.9 and last_step[s] < last_step[NUM_INPUTS] for s in small)
              and frac[NUM_INPUTS][-1] < 1.0,
              "; ".join(f"s={s}: {frac[s][-1]:.3f} of 2^s, growth {last_step[s]:.2f}"
                        for s in sizes)),
    )
    data = {
        "sigma_w2": SIGMA_W2, "sigma_b2": SIGMA_B2, "num_inputs": NUM_INPUTS,
        "input_dim": dim, "swept_layer": 0, "widths": list(widths), "depths": list(depths),
        "counts": counts.tolist(),          # [width][depth][seed]
        "arcs": arcs.tolist(),
        "count_by_size": by_size.tolist(),  # [width][depth][seed][s - 1]
        "sampled": sampled, "num_sampled_angles": n_sample,
        "growth_factor": factor, "depth_r2": r2_depth, "width_loglog_slope": w_slope,
        "saturation_sizes": sizes, "saturation_fraction": {str(s): frac[s] for s in sizes},
    }
    return Result(NAME, TITLE, markdown,
                  {f"{NAME}.png": fig, f"{NAME}_saturation.png": fig_sat},
                  data, claims, time.perf_counter() - start)
