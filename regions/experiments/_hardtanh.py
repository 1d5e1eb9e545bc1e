"""The random hard-tanh networks and arcs of Raghu et al.'s Figs. 1-2, shared by
:mod:`.length_growth`, :mod:`.transitions_vs_length` and :mod:`.exact_vs_sampled`.

One *configuration* is (width k, sigma_w^2, depth n, seed): the network
[k, k, ..., k, 1] with n hard-tanh layers of width k, W ~ N(0, sigma_w^2 / fan_in), no biases
(sigma_b = 0), and the arc x(t) = cos t p + sin t q, t in [0, pi/2], between two standard
Gaussian vectors p, q of R^k (input dimension = width, so every layer has fan-in k). Both are
drawn from one generator seeded by ``seed``, so one seed means one arc and one weight draw
(scaled by sigma_w) across the sigma_w^2 values.

:func:`measure` traces one configuration exactly and keeps only plain numbers; it is cached,
so experiments run in one process (``python -m regions.reproduce``) trace each configuration
once.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..network import Network, random_network
from ..sampling import sample_trace
from ..trace import trace
from ..trajectory import Arc
from ._common import fit_line

__all__ = ["SIGMA_W2", "setup", "plan", "configuration", "measure", "readout_network",
           "readout_sign_transitions", "sampled_counts", "length_base", "mean_field_rates",
           "log_fit"]


SIGMA_W2 = (1, 2, 4, 8, 16)
"""The sigma_w^2 values of Raghu et al.'s Fig. 1 and Fig. 2 experiments."""


def setup(quick: bool) -> tuple[tuple[int, ...], int, int]:
    """(widths, depth, number of seeds) of Fig. 1 and Fig. 2: the same, so one process
    traces each network once."""
    return ((32, 64), 8, 2) if quick else ((50, 100, 200), 10, 5)


def plan(quick: bool, seed: int, progress):
    """The Fig. 1 / Fig. 2 grid for a run: (widths, depth, network seeds, progress bar with
    one step per (width, sigma_w^2, seed))."""
    from ._common import Progress, seeds

    widths, depth, n_seeds = setup(quick)
    progress = progress or Progress(enabled=False)
    progress.add(len(widths) * len(SIGMA_W2) * n_seeds)
    return widths, depth, seeds(seed, n_seeds), progress


def configuration(k: int, sigma_w2: float, depth: int, seed: int) -> tuple[Network, Arc]:
    """The network and the arc of one configuration (see the module docstring)."""
    rng = np.random.default_rng(seed)
    p, q = rng.standard_normal((2, k))
    net = random_network([k] * (depth + 1) + [1], "hardtanh", sigma_w=math.sqrt(sigma_w2),
                         sigma_b=0.0, seed=rng)
    return net, Arc.between(p, q)


@lru_cache(maxsize=None)
def measure(k: int, sigma_w2: float, depth: int, seed: int) -> dict:
    """Exact trace of one configuration: ``lengths`` (input and the n hidden layers' images,
    the scalar readout dropped), ``transitions_per_layer`` (n hidden layers),
    ``num_pieces``, ``transitions``. Cached; returns a fresh dict of plain numbers."""
    net, arc = configuration(k, sigma_w2, depth, seed)
    tr = trace(net, arc)
    return {
        "lengths": tuple(float(v) for v in tr.lengths[: depth + 1]),
        "transitions_per_layer": tuple(int(v) for v in tr.transitions_per_layer[:depth]),
        "num_pieces": int(tr.num_pieces),
        "transitions": int(tr.transitions),
    }


def readout_network(net: Network, rows: np.ndarray) -> Network:
    """``net`` ([k, k x n, 1], hard-tanh, scalar readout) with a scalar linear readout of
    every hidden layer: output d (d = 1..n) is r_d . z^(d) up to a positive factor, so its
    sign changes along a trajectory are those of the depth-d network [k, k x d, 1] with
    readout row r_d (``rows[d - 1]``).

    The readout of layer d < n is computed in layer d + 1 as c_d = r_d . z^(d) / (2 |r_d|_1)
    and carried to the output through the later hard-tanh layers with weight 1: since
    |z^(d)| <= 1 entrywise, |c_d| <= 1/2, where hard-tanh is the identity, so the carried
    units never change piece (no knot, no transition) and the hidden units' pieces are those
    of ``net``. Biases are ``net``'s (the carried units get 0).

    Parameters
    ----------
    net : Network
        A hard-tanh network [k, k x n, 1] (as :func:`configuration` draws).
    rows : array_like, shape (n, k)
        The readout rows r_1, ..., r_n.

    Returns
    -------
    Network
        [k, k, k + 1, ..., k + n - 1, n], hard-tanh hidden layers, linear output.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 (T, the sign
       transitions of the output) and Observation 1.

    Examples
    --------
    >>> import numpy as np
    >>> from regions import trace
    >>> net, arc = configuration(6, 4.0, 3, seed=0)
    >>> rows = np.ones((3, 6))
    >>> aug = readout_network(net, rows)
    >>> aug.widths
    (6, 6, 7, 8, 3)
    >>> trace(aug, arc).num_pieces == trace(net, arc).num_pieces
    True
    """
    n = len(net.weights) - 1
    k = net.widths[-2]
    rows = np.asarray(rows, dtype=float)
    if rows.shape != (n, k):
        raise ValueError(f"rows must have shape (depth, width) = ({n}, {k}), got {rows.shape}")
    scaled = rows / (2.0 * np.abs(rows).sum(axis=1, keepdims=True))
    weights, biases = [net.weights[0]], [net.biases[0]]
    for i in range(1, n):        # hidden layer i + 1: in [z^(i), c_1..c_(i-1)]
        w = np.zeros((k + i, k + i - 1))
        w[:k, :k] = net.weights[i]
        w[k:k + i - 1, k:] = np.eye(i - 1)
        w[k + i - 1, :k] = scaled[i - 1]
        weights.append(w)
        biases.append(np.concatenate([net.biases[i], np.zeros(i)]))
    out = np.zeros((n, k + n - 1))
    out[: n - 1, k:] = np.eye(n - 1)
    out[n - 1, :k] = rows[n - 1]
    weights.append(out)
    biases.append(np.zeros(n))
    return Network(weights, biases, "hardtanh")


@lru_cache(maxsize=None)
def readout_sign_transitions(k: int, sigma_w2: float, depth: int, seed: int) -> tuple[int, ...]:
    """Raghu et al.'s T for the depth-d networks of one configuration, d = 1..``depth``:
    the exact number of sign changes along the arc of a scalar random linear readout
    r_d . z^(d) of the last hidden layer (one trace of :func:`readout_network`). The readout
    of z^(depth) is the network's own (its Gaussian output row); the others are standard
    Gaussian rows drawn from a generator seeded by (``seed``, 1), so the network and the arc
    are those of :func:`configuration`. Cached."""
    net, arc = configuration(k, sigma_w2, depth, seed)
    rows = np.random.default_rng([seed, 1]).standard_normal((depth, k))
    rows[-1] = net.weights[-1][0]
    tr = trace(readout_network(net, rows), arc)
    return tuple(int(v) for v in tr.sign_transitions_per_output)


def sampled_counts(net: Network, arc: Arc, n: int, chunk: int = 10_000) -> tuple[int, int]:
    """(pieces, neuron transitions) seen by sampling ``arc`` at ``n`` equally spaced angles,
    endpoints included, as :func:`regions.sample_trace` counts them.

    The samples are taken in chunks of at most ``chunk + 1`` points (consecutive chunks share
    their end sample), because :func:`~regions.sample_trace` keeps every sample's layer values
    in memory; the counts are those of one call with ``n`` samples."""
    lo, hi = arc.domain
    step = (hi - lo) / (n - 1)
    changes = transitions = 0
    a = 0
    while a < n - 1:
        b = min(a + chunk, n - 1)
        sub = Arc(arc.x0, arc.x1, lo + a * step, lo + b * step if b < n - 1 else hi, arc.center)
        st = sample_trace(net, sub, b - a + 1)
        changes += st.num_changes
        transitions += st.transitions
        a = b
    return changes + 1, transitions


def length_base(k: int, sigma_w2: float, sigma_b2: float = 0.0) -> float:
    """Raghu et al.'s growth base for hard-tanh:
    sigma_w sqrt(k) / sqrt(sigma_w^2 + sigma_b^2 + k sqrt(sigma_w^2 + sigma_b^2)),
    sigma_w the weights' standard-deviation factor."""
    s = sigma_w2 + sigma_b2
    return math.sqrt(sigma_w2) * math.sqrt(k) / math.sqrt(s + k * math.sqrt(s))


def _hardtanh_second_moment(q: float) -> float:
    """E[hardtanh(h)^2] for h ~ N(0, q)."""
    if q <= 0:
        return 0.0
    a = 1.0 / math.sqrt(q)
    inside = math.erf(a / math.sqrt(2))  # P(|z| < a)
    return q * (inside - 2 * a * math.exp(-a * a / 2) / math.sqrt(2 * math.pi)) + (1 - inside)


def mean_field_rates(sigma_w2: float, depth: int, q0: float = 1.0) -> list[float]:
    """Infinite-width (mean-field, Poole et al. 2016) per-layer length ratios
    l(d+1)/l(d) = sqrt(chi_d), chi_d = sigma_w^2 P(|h^(d+1)| < 1), h^(d+1) ~ N(0, q_{d+1}),
    q_1 = sigma_w^2 q0 (q0 = |x|^2 / fan_in: 1 for a standard Gaussian input),
    q_{d+1} = sigma_w^2 E[hardtanh(h^(d))^2] (sigma_b = 0), for d = 0, ..., depth - 1."""
    rates, q = [], sigma_w2 * q0
    for _ in range(depth):
        rates.append(math.sqrt(sigma_w2 * math.erf(1.0 / math.sqrt(2 * q))))
        q = sigma_w2 * _hardtanh_second_moment(q)
    return rates


def log_fit(x, y) -> tuple[float, float, float]:
    """Least squares of log10 y = a + b log10 x: (a, b, R^2 in log space)."""
    return fit_line(np.log10(np.asarray(x, float)), np.log10(np.asarray(y, float)))
