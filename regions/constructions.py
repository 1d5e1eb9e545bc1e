"""Networks with rational weights whose piece counts are known in closed form.

Each function returns ``(network, box)``: an exact :class:`~regions.Network` and the input
box ``(lower, upper)`` (Fraction arrays) in which the counted pieces lie.

* :func:`sawtooth` -- Telgarsky's tent map composed L times: 2^L pieces on [0, 1].
* :func:`zigzag` -- Arora et al.'s composition of zig-zags: w^k pieces on [0, 1].
* :func:`folding_network` -- Montufar et al.'s folding construction for any n0:
  prod_{l<L} floor(n_l / n0)^n0 * sum_{j <= n0} C(n_L, j) regions in its box, their bound.
* :func:`serra_one_input_network` -- one input, hidden widths n_l >= 3: prod_l (n_l + 1)
  pieces over the whole real line, Serra et al.'s exact maximum (all of them meet the box).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from . import _numbers

from .network import Network

__all__ = ["sawtooth", "zigzag", "folding_network", "serra_one_input_network", "box_polygon"]


def _box(lower: Sequence[int | Fraction],
         upper: Sequence[int | Fraction]) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([Fraction(v) for v in lower], dtype=object)
    hi = np.array([Fraction(v) for v in upper], dtype=object)
    return lo, hi


def box_polygon(lower: Sequence, upper: Sequence) -> list[list]:
    """The two-dimensional box [lower[0], upper[0]] x [lower[1], upper[1]] as a polygon,
    counter-clockwise, for :func:`regions.partition`'s ``domain`` (entries kept as given, so
    a Fraction box stays exact).

    >>> from regions import partition
    >>> net, (lo, hi) = folding_network([4, 4, 4], n0=2)
    >>> partition(net, box_polygon(lo, hi)).num_regions    # Montufar et al.'s bound
    176
    """
    (x0, y0), (x1, y1) = lower, upper
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


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
    depth = _numbers.check_int(depth, "depth", 1)
    half = Fraction(1, 2)
    weights: list[list[list[int]]] = []
    biases: list[list[int | Fraction]] = []
    for _ in range(depth):
        weights += [[[1], [1]], [[2, -4]]]
        biases += [[0, -half], [0]]
    weights.append([[1]])
    biases.append([0])
    ws = [[[Fraction(v) for v in row] for row in w] for w in weights]
    bs = [[Fraction(v) for v in b] for b in biases]
    return Network(ws, bs, "relu"), _box([0], [1])


def zigzag(teeth: int, depth: int) -> tuple[Network, tuple[np.ndarray, np.ndarray]]:
    """Arora et al.'s composition of ``depth`` zig-zags with ``teeth`` linear pieces each.

    One zig-zag g maps each [i/w, (i+1)/w] (w = ``teeth``) linearly onto [0, 1], alternately
    up and down: g = w relu(x) - 2w sum_{i=1}^{w-1} (-1)^(i+1) relu(x - i/w). A hidden layer of
    w ReLU units computes the terms; the signed sum is absorbed into the next layer's weights
    (and into the linear output). Composed k times: k hidden layers of width w, w^k affine
    pieces on [0, 1], knots at i / w^k.

    Parameters
    ----------
    teeth : int
        w >= 2, the pieces of one zig-zag (and the width).
    depth : int
        k >= 1, the number of compositions (hidden layers).

    References
    ----------
    .. [1] R. Arora, A. Basu, P. Mianjy, A. Mukherjee, "Understanding Deep Neural Networks
       with Rectified Linear Units", ICLR 2018 (the zig-zag composition giving w^k pieces).

    Examples
    --------
    >>> from regions import Segment, trace
    >>> net, (lo, hi) = zigzag(3, 2)
    >>> trace(net, Segment(lo, hi)).num_pieces
    9
    """
    w = _numbers.check_int(teeth, "teeth", 2)
    k = _numbers.check_int(depth, "depth", 1)
    F = Fraction
    # g = sum_i coef[i] * h_i with h_0 = relu(s), h_i = relu(s - i/w)
    coef = [F(w)] + [F(-2 * w * (-1) ** (i + 1)) for i in range(1, w)]
    first = [[F(1)] for _ in range(w)]
    later = [list(coef) for _ in range(w)]
    weights = [first] + [later] * (k - 1) + [[list(coef)]]
    bias = [-F(i, w) for i in range(w)]
    biases = [bias] * k + [[F(0)]]
    return Network(weights, biases, "relu"), _box([0], [1])


def folding_network(
    widths: Sequence[int], n0: int = 1
) -> tuple[Network, tuple[np.ndarray, np.ndarray]]:
    """Montufar et al.'s folding construction attaining their deep lower bound.

    Inputs x in the box [0, p_1 / 2]^n0 with p_l = floor(n_l / n0). Each of the first L - 1
    hidden layers folds every input coordinate separately: a group of p_l ReLU units
    h_1 = relu(s), h_i = relu(2 s - (i - 1)) whose alternating sum g = h_1 - h_2 + ... is a
    slope +-1 zig-zag mapping each of [0, 1/2], [1/2, 1], ..., [(p - 1)/2, p/2] onto [0, 1/2];
    s is the coordinate itself for the first layer and p_l times the previous layer's g
    afterwards (the alternating signs and the factor are absorbed into the weights). Units
    beyond n0 p_l have zero weights. One layer thus folds the box p_l^n0-to-1.

    The last hidden layer reads g = (g_1, ..., g_n0) in [0, 1/2]^n0 and places n_L hyperplanes
    a_k . g = c_k in general position with every vertex strictly inside (0, 1/2)^n0, so all
    sum_{j <= n0} C(n_L, j) regions of the arrangement (each has a vertex, the arrangement
    being simple) meet the box. The normals lie on the moment curve, a_k = (1, m_k, m_k^2, ...)
    with distinct m_k = 0, 1, -1, 2, -2, ... (any n0 of them independent); the offsets are the centre plus small
    generic shifts, scaled so that every vertex stays within 1/8 of the centre (1/4, ..., 1/4),
    and general position (no n0 + 1 hyperplanes through a point) is verified in exact
    arithmetic. With n_L < n0 the hyperplanes all pass through the centre instead.

    Inside the box the network has prod_{l<L} p_l^n0 * sum_{j <= n0} C(n_L, j) activation
    regions, Montufar et al.'s lower bound. The tests check the count exactly: for n0 = 1 by
    tracing the segment [0, p_1 / 2], for n0 = 2 with an independent exact polygon-clipping
    count of the regions in the box (e.g. 176 for widths (4, 4, 4)); for n0 = 3 sampling at
    points off every boundary finds that many regions.

    Parameters
    ----------
    widths : sequence of int
        Hidden widths n_1, ..., n_L (L >= 1); the folding layers need n_l >= n0.
    n0 : int
        Input dimension, >= 1.

    Returns
    -------
    network, (lower, upper)
        The exact network (one linear output summing the last layer) and its box.

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
    >>> net, (lo, hi) = folding_network([4, 4, 4], n0=2)
    >>> net.widths, hi.tolist()
    ((2, 4, 4, 4, 1), [Fraction(1, 1), Fraction(1, 1)])
    """
    n0 = _numbers.check_int(n0, "n0", 1)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) == 0:
        raise ValueError(f"widths must be a non-empty sequence of hidden widths, got {widths!r}")
    ws_ = [_numbers.check_int(w, f"widths[{i}]", 1) for i, w in enumerate(widths)]
    for i, w in enumerate(ws_[:-1]):
        if w < n0:
            raise ValueError(
                f"widths[{i}] must be >= n0 = {n0} (Montufar et al.'s construction folds every "
                f"input coordinate with floor(n_l / n0) >= 1 units), got {w}"
            )
    F = Fraction
    weights, biases = [], []
    # readout[j]: coefficients over the previous layer giving coordinate j (x_j at the input)
    fan_in = n0
    readout = [[F(int(i == j)) for i in range(n0)] for j in range(n0)]
    for layer, width in enumerate(ws_[:-1]):
        p = width // n0
        scale = F(1) if layer == 0 else F(p)
        rows, bias = [], []
        for j in range(n0):
            for i in range(p):
                c = F(1) if i == 0 else F(2)
                rows.append([c * scale * v for v in readout[j]])
                bias.append(-F(i))
        rows += [[F(0)] * fan_in for _ in range(width - n0 * p)]
        bias += [F(0)] * (width - n0 * p)
        weights.append(rows)
        biases.append(bias)
        readout = [
            [F((-1) ** (u - j * p)) if j * p <= u < (j + 1) * p else F(0) for u in range(width)]
            for j in range(n0)
        ]
        fan_in = width
    normals, offsets = _hyperplanes_in_box(ws_[-1], n0)
    weights.append([
        [sum((a[j] * readout[j][u] for j in range(n0)), F(0)) for u in range(fan_in)]
        for a in normals
    ])
    biases.append([-c for c in offsets])
    weights.append([[F(1)] * ws_[-1]])
    biases.append([F(0)])
    upper = F(ws_[0] // n0, 2) if len(ws_) > 1 else F(1, 2)
    return Network(weights, biases, "relu"), _box([0] * n0, [upper] * n0)


def _solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction] | None:
    """Exact Gaussian elimination; None for a singular system."""
    n = len(b)
    m = [row[:] + [rhs] for row, rhs in zip(a, b)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if m[r][col] != 0), None)
        if pivot is None:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def _hyperplanes_in_box(count: int,
                        n0: int) -> tuple[list[list[Fraction]], list[Fraction]]:
    """``count`` hyperplanes a . g = c in general position, every vertex within 1/8 of the
    centre of (0, 1/2)^n0 (all of them through the centre when count < n0)."""
    from itertools import combinations

    F = Fraction
    centre = [F(1, 4)] * n0
    # m = 0, 1, -1, 2, -2, ...: spread-out normals, so the cells are not slivers
    m = [F((k + 1) // 2) * (1 if k % 2 else -1) for k in range(count)]
    normals = [[mk ** e for e in range(n0)] for mk in m]
    through_centre = [sum((x * y for x, y in zip(a, centre)), F(0)) for a in normals]
    if count < n0:
        return normals, through_centre
    for attempt in range(1, 50):
        shift = [F(1, k + 1 + attempt) + F(k * k, 7 + attempt) for k in range(count)]
        reach, ok = F(0), True
        for subset in combinations(range(count), n0):
            x = _solve([normals[k] for k in subset], [shift[k] for k in subset])
            if x is None:  # Vandermonde rows of distinct m: never singular
                raise AssertionError("singular hyperplanes")  # pragma: no cover
            reach = max(reach, max(abs(v) for v in x))
        for subset in combinations(range(count), n0 + 1):
            x = _solve([normals[k] for k in subset[:-1]], [shift[k] for k in subset[:-1]])
            if x is None:  # Vandermonde rows of distinct m: never singular
                raise AssertionError("singular hyperplanes")  # pragma: no cover
            last = subset[-1]
            if sum((a * v for a, v in zip(normals[last], x)), F(0)) == shift[last]:
                ok = False
                break
        if ok:
            scale = F(1, 8) / reach if reach else F(1)
            return normals, [c + scale * d for c, d in zip(through_centre, shift)]
    raise AssertionError("no general-position offsets found")  # pragma: no cover


_SERRA_HYPOTHESIS = (
    "Serra et al. 2018: prod(n_l + 1) is the exact maximum for one input when every "
    "n_l >= 3"
)


def serra_one_input_network(
    widths: Sequence[int],
) -> tuple[Network, tuple[np.ndarray, np.ndarray]]:
    """A one-input ReLU network with prod_l (n_l + 1) activation pieces on the whole line.

    Serra et al. show that for one input and hidden widths n_l >= 3 the maximal number of
    linear regions is exactly prod_l (n_l + 1) (their upper bound, which for n0 = 1 is
    prod_l (n_l + 1), meets their lower bound). This network attains it over all of R, so
    ``trace(net, Line([Fraction(0)], [Fraction(1)])).num_pieces`` equals
    :func:`bounds.serra_upper_bound` ``(widths, 1)`` and
    :func:`bounds.serra_one_input_maximum` ``(widths)``. Its output is a zig-zag with as
    many affine pieces, so ``num_linear_pieces`` is the same number.

    Construction (derived here). Every layer, with n units, reads a scalar u (the input x for
    layer 1) and computes h_k = relu(u - k) for k = 1, ..., n except h_3 = relu(3 - u): unit 3
    is *left-oriented*, active on the left. Its readout is

        G(u) = 3 h_1 - 2 h_2 + 2 h_3 + sum_{k=4}^{n} 2 (-1)^(k+1) h_k - 4,

    and layer l + 1 reads u' = (n_{l+1} + 1) G(u) (the coefficients go into its weights,
    the -4 into its bias); the linear output is G of the last layer.

    *Why G.* A unit relu(o (u - k)), o = +-1, changes the slope of c h by c at u = k
    whatever o, and contributes -c to the slope on the left ray exactly when o = -1. So a
    readout sum_k c_k h_k with slopes s_0 (left ray), s_1, ..., s_n (right ray) needs
    c_k = s_k - s_{k-1} and s_0 = -sum_{k left-oriented} c_k. For every piece, rays included,
    to cross all of the next layer's thresholds, the slopes must be non-zero and alternate.
    Take G(k) = 0 for odd k and 1 for even k (interior slopes +-1), left-ray slope s_0 = -2
    and right-ray slope +-1. Then c_1 = 3 and c_k = 2 (-1)^(k+1) for 2 <= k <= n, and
    s_0 = -c_3 = -2 holds with unit 3 alone left-oriented (for n = 3 it is also
    the last unit); the right-ray slope sum_{k != 3} c_k = 1 - 2 [n even] is then automatic.
    This needs a unit 3, i.e. n >= 3. With n = 2 nothing works: with slopes s_0, s_1, s_2
    the left-oriented set {}, {1}, {1, 2} forces s_0, s_1 or s_2 to be 0, and {2} gives
    s_0 = s_1 - s_2, of the sign of s_1; so two units cannot make a function crossing a
    level on all three pieces, which is where the hypothesis n_l >= 3 comes from.

    *Why it counts.* On [0, n + 1] G maps [0, 1] onto [0, 2] and each of [1, 2], ...,
    [n - 1, n], [n, n + 1] onto [0, 1]; it takes the values 0 and 1 at its breakpoints, and
    outside [0, n + 1] it stays outside (0, 1) (G > 2 on u < 0; G > 1 or G < 0 on
    u > n + 1). By induction over layers: every piece of the first l - 1 layers (the whole
    line for l = 1) is an interval on which u_l is affine with non-zero slope and covers
    [0, n_l + 1], and at every knot of the first l - 1 layers u_l lies outside (0, n_l + 1).
    Layer l's thresholds 1, ..., n_l lie inside, so each piece splits into n_l + 1 pieces at
    distinct new knots, each mapping G onto a superset of [0, 1], i.e. u_{l+1} onto a
    superset of [0, n_{l+1} + 1]; at the new knots G is 0 or 1 and at the old ones outside
    (0, 1). So the count multiplies by n_l + 1 at every layer, and no knot is shared.

    Parameters
    ----------
    widths : sequence of int
        Hidden widths n_1, ..., n_L (L >= 1), each >= 3 (Serra et al.'s hypothesis).

    Returns
    -------
    network : Network
        Exact (Fraction) ReLU network with widths (1, n_1, ..., n_L, 1) and integer weights.
    box : tuple of ndarray
        ``([0], [n_1 + 1])``. The pieces are counted over the whole line; the box holds every
        knot (all lie in (1/2, n_1 + 1)), so each of the prod(n_l + 1) pieces meets it and
        ``trace`` along ``Segment(lo, hi)`` gives the same count as along the
        :class:`~regions.Line`. The two end pieces continue to -inf and +inf.

    Raises
    ------
    TypeError
        A width is not an integer.
    ValueError
        ``widths`` is not a non-empty sequence, or a width is below 3.

    References
    ----------
    .. [1] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions
       of Deep Neural Networks", ICML 2018 (the bounds are tight for one input: the maximum
       is prod_l (n_l + 1) when every n_l >= 3). The explicit network here is derived in
       this docstring, not copied from the paper.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from regions import Line, trace
    >>> from bounds import serra_upper_bound
    >>> net, (lo, hi) = serra_one_input_network([3, 4])
    >>> tr = trace(net, Line([Fraction(0)], [Fraction(1)]))
    >>> tr.num_pieces, tr.num_linear_pieces, serra_upper_bound([3, 4], 1)
    (20, 20, 20)
    >>> lo.tolist(), hi.tolist()
    ([Fraction(0, 1)], [Fraction(4, 1)])
    """
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) == 0:
        raise ValueError(f"widths must be a non-empty sequence of hidden widths, got {widths!r}")
    ws_ = [_numbers.check_int(w, f"widths[{i}]", 1) for i, w in enumerate(widths)]
    for i, n in enumerate(ws_):
        if n < 3:
            raise ValueError(
                f"widths[{i}] must be >= 3 ({_SERRA_HYPOTHESIS}), got widths[{i}] = {n}"
            )
    F = Fraction
    weights: list[list[list[Fraction]]] = []
    biases: list[list[Fraction]] = []
    readout: list[Fraction] = []  # coefficients of G over the previous layer
    offset = F(-4)  # G's constant term
    for layer, n in enumerate(ws_):
        orient = [F(-1) if k == 3 else F(1) for k in range(1, n + 1)]
        if layer == 0:  # layer 1 reads u = x
            rows = [[o] for o in orient]
            bias = [-o * k for o, k in zip(orient, range(1, n + 1))]
        else:  # u = (n + 1) G(previous layer)
            rows = [[o * (n + 1) * c for c in readout] for o in orient]
            bias = [o * ((n + 1) * offset - k) for o, k in zip(orient, range(1, n + 1))]
        weights.append(rows)
        biases.append(bias)
        readout = [F(3)] + [F(2 * (-1) ** (k + 1)) for k in range(2, n + 1)]
    weights.append([list(readout)])
    biases.append([offset])
    return Network(weights, biases, "relu"), _box([0], [ws_[0] + 1])
