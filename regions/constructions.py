"""Networks with rational weights whose piece counts are known in closed form.

Each function returns ``(network, box)``: an exact :class:`~regions.Network` and the input
box ``(lower, upper)`` (Fraction arrays) in which the counted pieces lie.

* :func:`sawtooth` -- Telgarsky's tent map composed L times: 2^L pieces on [0, 1].
* :func:`folding_network` -- Montufar et al.'s folding construction (one input, for now):
  prod_{l<L} n_l * (n_L + 1) pieces in its box, their lower bound.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from .network import Network

__all__ = ["sawtooth", "folding_network"]


def _box(lower: Sequence[Fraction], upper: Sequence[Fraction]) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([Fraction(v) for v in lower], dtype=object)
    hi = np.array([Fraction(v) for v in upper], dtype=object)
    return lo, hi


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def sawtooth(depth: int) -> tuple[Network, tuple[np.ndarray, np.ndarray]]:
    """Telgarsky's tent map f(x) = relu(2 relu(x) - 4 relu(x - 1/2)) composed ``depth`` times.

    f is 2x on [0, 1/2] and 2 - 2x on [1/2, 1]; f composed L times has 2^L affine pieces on
    [0, 1] with knots i / 2^L. The network has 2L hidden ReLU layers (widths 2, 1, 2, 1, ...)
    and a linear output.

    Parameters
    ----------
    depth : int
        L >= 1, the number of compositions.

    References
    ----------
    .. [1] M. Telgarsky, "Benefits of depth in neural networks", COLT 2016, Lemma 3.1 (and
       "Representation benefits of deep feedforward networks", 2015).

    Examples
    --------
    >>> from regions import Segment, trace
    >>> net, (lo, hi) = sawtooth(3)
    >>> trace(net, Segment(lo, hi)).num_pieces
    8
    """
    depth = _check_int(depth, "depth", 1)
    half = Fraction(1, 2)
    weights, biases = [], []
    for _ in range(depth):
        weights += [[[1], [1]], [[2, -4]]]
        biases += [[0, -half], [0]]
    weights.append([[1]])
    biases.append([0])
    ws = [[[Fraction(v) for v in row] for row in w] for w in weights]
    bs = [[Fraction(v) for v in b] for b in biases]
    return Network(ws, bs, "relu"), _box([0], [1])


def folding_network(
    widths: Sequence[int], n0: int = 1
) -> tuple[Network, tuple[np.ndarray, np.ndarray]]:
    """Montufar et al.'s folding construction attaining their deep lower bound.

    With one input (``n0 = 1``) and hidden widths n_1, ..., n_L: each of the first L - 1
    layers folds its input interval [0, n_l / 2] onto [0, 1/2] with n_l ReLU units
    h_i = relu(2 x - (i - 1)) (h_1 = relu(x)) whose alternating sum is a slope +-1 zig-zag;
    the next layer reads n_{l+1} times that sum, absorbed into its weights. The last hidden
    layer places n_L thresholds at (j + 1) / (2 (n_L + 1)) in (0, 1/2). Inside the box
    [0, n_1 / 2] the network has prod_{l<L} n_l * (n_L + 1) activation pieces, the bound of
    Montufar et al. for n0 = 1. Construction details: ../shared/REFERENCE.md.

    Parameters
    ----------
    widths : sequence of int
        Hidden widths n_1, ..., n_L (L >= 1, each >= 1).
    n0 : int
        Input dimension; only 1 is implemented so far.

    References
    ----------
    .. [1] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of
       Deep Neural Networks", NIPS 2014, Section 3.1 and Theorem 4 (the folding
       construction and its lower bound).

    Examples
    --------
    >>> from regions import Segment, trace
    >>> net, (lo, hi) = folding_network([4, 4, 4])
    >>> trace(net, Segment(lo, hi)).num_pieces
    80
    """
    n0 = _check_int(n0, "n0", 1)
    if n0 != 1:
        raise NotImplementedError("folding_network supports n0 = 1 so far")
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) == 0:
        raise ValueError(f"widths must be a non-empty sequence of hidden widths, got {widths!r}")
    ws_ = [_check_int(w, f"widths[{i}]", 1) for i, w in enumerate(widths)]
    F = Fraction
    weights, biases = [], []
    fan_in_signs = [F(1)]  # the previous layer's readout coefficients (input: x itself)
    for layer, p in enumerate(ws_[:-1]):
        # unit i (0-based) computes relu(c_i * s - i) with s = scale * (readout of the last
        # layer), c_0 = 1 and c_i = 2 otherwise; scale = p folds [0, 1/2] back to [0, p / 2]
        scale = F(1) if layer == 0 else F(p)
        rows = [[(F(1) if i == 0 else F(2)) * scale * c for c in fan_in_signs] for i in range(p)]
        weights.append(rows)
        biases.append([-F(i) for i in range(p)])
        fan_in_signs = [F((-1) ** i) for i in range(p)]
    last = ws_[-1]
    weights.append([list(fan_in_signs) for _ in range(last)])
    biases.append([-F(j + 1, 2 * (last + 1)) for j in range(last)])
    weights.append([[F(1)] * last])
    biases.append([F(0)])
    upper = F(ws_[0], 2) if len(ws_) > 1 else F(1, 2)
    return Network(weights, biases, "relu"), _box([0], [upper])
