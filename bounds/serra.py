"""Serra, Tjandraatmadja, Ramalingam 2018: tighter upper and lower bounds, maxout.

Upper bound (rectifier networks, n_0 inputs, hidden widths n_1, ..., n_L):

.. math:: \\sum_{(j_1, \\dots, j_L) \\in J} \\prod_{l=1}^{L} \\binom{n_l}{j_l},

.. math:: J = \\{ (j_1, \\dots, j_L) \\in \\mathbb{Z}^L : 0 \\le j_l \\le
   \\min(n_0, n_1 - j_1, \\dots, n_{l-1} - j_{l-1}, n_l) \\}.

j_l counts the units of layer l that are active in a region; the n_l - j_l inactive units
of a layer output zeros, so the dimension of the image available to later layers drops to at
most n_l - j_l. J has exponentially many members (about prod_l (min(n0, n_l) + 1)), so
:func:`serra_upper_bound` never enumerates it: it runs a dynamic programme over layers whose
state is the running cap c_l = min(n_0, n_1 - j_1, ..., n_l - j_l), an integer in
[0, n_0]:

    S_0 = {n_0: 1};  S_l(min(c, n_l - j)) += S_{l-1}(c) * C(n_l, j)
    for 0 <= j <= min(c, n_l);  bound = sum_c S_L(c).

A cap c stays c for j <= n_l - c and becomes c' = n_l - j otherwise, so one layer is

    S_l(c) = S_{l-1}(c) sum_{j <= min(c, n_l - c)} C(n_l, j)
             + C(n_l, c) sum_{c'' >= max(c + 1, n_l - c)} S_{l-1}(c''),

prefix sums of one row of binomials and suffix sums of the states: O(min(n_0, n_l))
big-integer operations per layer (O(sum_l min(n_0, n_l)) in all, instead of ``|J|``
products), and the last layer only needs sum_c S_{L-1}(c) sum_{j <= c} C(n_L, j). With a
single state (the first layer, or every n_l >= 2 n_0) the binomial sums take the closed forms of
:func:`~bounds.zaslavsky_regions`. The answer is at most Montufar 2017's product, and is
refused up front when that estimate exceeds 2**26 bits, or when the programme's row of
binomials or its states (estimated from Montufar's partial products) would hold more than
2**30 bits.

Lower bound (n_l >= 3 n_0): (prod_{l<L} (floor(n_l/n0) + 1)^{n0}) sum_{j<=n0} C(n_L, j),
better than Montufar et al.'s floor(n_l/n0)^{n0}. For n_0 = 1 and every n_l >= 3 the two
bounds meet: the maximal number of regions is exactly prod_l (n_l + 1).

Maxout networks of rank k: prod_l sum_{j<=d_l} C(k(k-1)/2 n_l, j), d_l = min(n0, n_1..n_l):
a maxout unit of rank k is a max of k affine functions, whose regions are cut by the
k(k-1)/2 hyperplanes where two of them tie.

* :func:`serra_upper_bound` (exact, dynamic programming) and :func:`serra_index_set_size`
  (``|J|``, by the same programme).
* :func:`serra_lower_bound`, :func:`serra_lower_bound_uniform`.
* :func:`serra_one_input_maximum`, :func:`serra_one_input_maximum_uniform`.
* :func:`serra_maxout_upper_bound`, :func:`serra_maxout_upper_bound_uniform`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import sympy as sp

from ._common import (
    Count,
    binomial_sum,
    check_concrete,
    check_count,
    check_widths,
    INTERMEDIATE_BITS,
    MPZ,
    AnswerTooLarge,
    BigInt,
    exact_binomial_sum,
    floor_div,
    log2,
    log2_binomial,
    log2_binomial_sum,
    minimum,
    naming,
    power,
    product,
    refuse_above,
    require_at_least,
    result,
)

__all__ = [
    "serra_upper_bound",
    "serra_index_set_size",
    "serra_lower_bound",
    "serra_lower_bound_uniform",
    "serra_one_input_maximum",
    "serra_one_input_maximum_uniform",
    "serra_maxout_upper_bound",
    "serra_maxout_upper_bound_uniform",
]

_DP_REASON = (
    "it is evaluated exactly by dynamic programming over the index set J; J depends on the "
    "values, so there is no formula in symbolic widths"
)
_LOWER_HYPOTHESIS = "Serra et al. 2018's lower bound needs n_l >= 3 n0 for every hidden layer"
_ONE_INPUT_HYPOTHESIS = (
    "Serra et al. 2018: prod(n_l + 1) is the exact maximum for n0 = 1 when every n_l >= 3"
)


def _row(width: int, top: int, weighted: bool) -> tuple[list[BigInt], list[BigInt]]:
    """C(width, j) (or 1) for j <= top, and their prefix sums, as MPZ."""
    if weighted:
        half = min(top, width // 2)
        need = (top + 1) * log2_binomial(width, half)
        if need > INTERMEDIATE_BITS:
            raise AnswerTooLarge(need, f"a row of {top + 1} binomials C({width}, j)", True)
    row = [MPZ(1)]
    for j in range(top):
        row.append(row[-1] * (width - j) // (j + 1) if weighted else MPZ(1))
    prefix = []
    total = MPZ(0)
    for v in row:
        total += v
        prefix.append(total)
    return row, prefix


def _serra_dp(widths: list[int], n0: int, weighted: bool) -> int:
    """Sum over J of prod C(n_l, j_l) (``weighted``) or of 1, by DP over the running cap."""
    states: dict[int, BigInt] = {n0: MPZ(1)}
    for index, width in enumerate(widths):
        last = index == len(widths) - 1
        if len(states) == 1:
            ((cap, value),) = states.items()
            if last or width >= 2 * cap:  # caps cannot drop: one closed-form binomial sum
                block = exact_binomial_sum(width, cap) if weighted else min(cap, width) + 1
                if last:
                    return int(value * block)
                states = {cap: value * block}
                continue
        top = min(max(states), width)
        row, prefix = _row(width, top, weighted)
        if weighted:  # the next states: top + 1 values, each at most Montufar's partial product
            held = (top + 1) * _montufar2017_log2(widths[: index + 1], n0)
            if held > INTERMEDIATE_BITS:
                raise AnswerTooLarge(held, f"{top + 1} partial sums after layer {index + 1}", True)
        if last:
            return int(sum(v * prefix[min(c, width)] for c, v in states.items()))
        ascending = sorted(states)
        above: list[BigInt] = [MPZ(0)] * (len(ascending) + 1)  # sums of states[caps[i:]]
        for i in range(len(ascending) - 1, -1, -1):
            above[i] = above[i + 1] + states[ascending[i]]
        nxt: dict[int, BigInt] = {}
        for c, v in states.items():
            if c <= width:  # stays at c for j <= width - c
                nxt[c] = v * prefix[min(c, width - c)]
        for c_new in range(min(ascending[-1] - 1, width) + 1):  # from caps >= max(c+1, n-c)
            moved = above[bisect_left(ascending, max(c_new + 1, width - c_new))]
            if moved:
                nxt[c_new] = nxt.get(c_new, MPZ(0)) + row[c_new] * moved
        states = {c: v for c, v in nxt.items() if v}
    return int(sum(states.values()))


def _montufar2017_log2(widths: list[int], n0: int) -> float:
    """log2 of Montufar 2017's product (an upper estimate of Serra's bound), never computed."""
    total, cap = 0.0, n0
    for v in widths:
        cap = min(cap, v)
        total += log2_binomial_sum(v, cap)
    return total


def serra_upper_bound(widths: Sequence[int], n0: int) -> sp.Integer:
    r"""Serra et al.'s upper bound on the number of linear regions, exactly.

    .. math:: \sum_{(j_1, \dots, j_L) \in J} \prod_{l=1}^{L} \binom{n_l}{j_l}, \qquad
       J = \{ 0 \le j_l \le \min(n_0, n_1 - j_1, \dots, n_{l-1} - j_{l-1}, n_l) \}

    Evaluated by dynamic programming over the running cap min(n_0, n_1 - j_1, ...,
    n_l - j_l) (see the module docstring): O(sum_l min(n_0, n_l)) operations, never
    ``|J|``. At most
    :func:`~bounds.montufar2017_upper_bound` (J is inside Montufar's box j_l <= d_l); equal to
    it when every n_l >= 2 n0 (the caps never drop below n0), to Zaslavsky's count for one
    layer, and to prod(n_l + 1) for n0 = 1 and every n_l >= 2.

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths n_1, ..., n_L, each >= 1 (concrete integers).
    n0 : int
        Input dimension, >= 1.

    Returns
    -------
    sympy.Integer

    Raises
    ------
    TypeError
        ``widths`` is not a sequence, an entry or ``n0`` is not an integer (SymPy symbols
        included: there is no closed form in symbolic widths).
    ValueError
        ``widths`` is empty, a width is below 1, or ``n0 < 1``.

    References
    ----------
    .. [1] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions
       of Deep Neural Networks", ICML 2018, Theorem 1.

    Examples
    --------
    >>> serra_upper_bound([4, 4, 4], 1)     # = (4 + 1)^3, exact for one input
    125
    >>> serra_upper_bound([11, 11], 784)    # Montufar 2017 gives 2^22 = 4194304
    2449868
    >>> len(str(serra_upper_bound([100] * 100, 10)))     # digits, in milliseconds
    1329
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    ints = check_concrete(ws, "widths", "serra_upper_bound", _DP_REASON)
    if not isinstance(d, int):
        raise TypeError(f"n0 must be a concrete integer for serra_upper_bound ({_DP_REASON}), "
                        f"got the SymPy expression {d}")
    with naming("serra_upper_bound", widths=ints, n0=d):
        refuse_above(_montufar2017_log2(ints, d), "Montufar 2017's product, which bounds it")
        return sp.Integer(_serra_dp(ints, d, weighted=True))


def serra_index_set_size(widths: Sequence[int], n0: int) -> sp.Integer:
    r"""``|J|``, the number of index tuples in Serra et al.'s upper bound (by the same DP).

    What enumerating J would cost: the number of products a direct evaluation of
    :func:`serra_upper_bound` would sum.

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths n_1, ..., n_L, each >= 1.
    n0 : int
        Input dimension, >= 1.

    Returns
    -------
    sympy.Integer

    Raises
    ------
    TypeError, ValueError
        As for :func:`serra_upper_bound`.

    References
    ----------
    .. [1] T. Serra et al., ICML 2018, Theorem 1 (the set J).

    Examples
    --------
    >>> serra_index_set_size([1, 21], 784)     # j_1 = 0: j_2 in {0, 1}; j_1 = 1: j_2 = 0
    3
    >>> serra_index_set_size([4, 4, 4], 2)     # every j_l <= 2 is allowed: 3^3
    27
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    ints = check_concrete(ws, "widths", "serra_index_set_size", _DP_REASON)
    if not isinstance(d, int):
        raise TypeError(f"n0 must be a concrete integer for serra_index_set_size "
                        f"({_DP_REASON}), got the SymPy expression {d}")
    with naming("serra_index_set_size", widths=ints, n0=d):
        refuse_above(sum(log2(min(d, v) + 1) for v in ints), "prod_l (min(n0, n_l) + 1)")
        return sp.Integer(_serra_dp(ints, d, weighted=False))


def serra_lower_bound(widths: Sequence[int | sp.Expr], n0: int | sp.Expr) -> sp.Expr:
    r"""Serra et al.'s lower bound on the maximal number of linear regions.

    .. math:: \Big(\prod_{l=1}^{L-1} \Big(\Big\lfloor \frac{n_l}{n_0} \Big\rfloor + 1
       \Big)^{n_0}\Big) \sum_{j=0}^{n_0} \binom{n_L}{j}, \qquad n_l \ge 3 n_0

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= 3 n0.
    n0 : int or sympy.Expr
        Input dimension, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        ``widths`` is not a sequence, or an entry or ``n0`` is not an integer or SymPy
        expression.
    ValueError
        ``widths`` is empty, ``n0 < 1``, or some ``widths[l] < 3 n0`` (the hypothesis).

    References
    ----------
    .. [1] T. Serra, C. Tjandraatmadja, S. Ramalingam, ICML 2018, the lower bound for
       n_l >= 3 n0 (Section 4; theorem number not checked against the paper text).

    Examples
    --------
    >>> serra_lower_bound([6, 6, 6], 2)     # (3 + 1)^2 * (3 + 1)^2 * (1 + 6 + 15)
    5632
    >>> serra_lower_bound([4, 4, 4], 1)     # = prod(n_l + 1) for one input
    125
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    for i, v in enumerate(ws):
        require_at_least(v, 3 * d, f"widths[{i}]", "3 n0", _LOWER_HYPOTHESIS)
    with naming("serra_lower_bound", widths=ws, n0=d):
        folds = product([power(floor_div(v, d) + 1, d) for v in ws[:-1]])
        return result(product([folds, binomial_sum(ws[-1], d)]))


def serra_lower_bound_uniform(
    n: int | sp.Expr, L: int | sp.Expr, n0: int | sp.Expr
) -> sp.Expr:
    r"""Serra et al.'s lower bound for L hidden layers of width n: symbolic in n, L, n0.

    .. math:: \Big(\Big\lfloor \frac{n}{n_0} \Big\rfloor + 1\Big)^{n_0 (L-1)}
       \sum_{j=0}^{n_0} \binom{n}{j}, \qquad n \ge 3 n_0

    Parameters
    ----------
    n : int or sympy.Expr
        Width of every hidden layer, >= 3 n0.
    L : int or sympy.Expr
        Number of hidden layers, >= 1.
    n0 : int or sympy.Expr
        Input dimension, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        ``n0 < 1``, ``L < 1`` or ``n < 3 n0`` (when SymPy can decide it).

    References
    ----------
    .. [1] T. Serra et al., ICML 2018, the lower bound for n_l >= 3 n0.

    Examples
    --------
    >>> from bounds.symbols import n, L, n0
    >>> serra_lower_bound_uniform(n, L, n0)
    (floor(n/n0) + 1)**(n0*(L - 1))*Sum(binomial(n, j), (j, 0, n0))
    """
    d = check_count(n0, "n0", 1, "the input dimension")
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    require_at_least(width, 3 * d, "n", "3 n0", _LOWER_HYPOTHESIS)
    with naming("serra_lower_bound_uniform", n=width, L=layers, n0=d):
        folds = power(floor_div(width, d) + 1, d * (layers - 1))
        return result(product([folds, binomial_sum(width, d)]))


def serra_one_input_maximum(widths: Sequence[int | sp.Expr]) -> sp.Expr:
    r"""The exact maximal number of linear regions for one input (n0 = 1): prod_l (n_l + 1).

    For n0 = 1 and every n_l >= 3, Serra et al.'s lower bound (:func:`serra_lower_bound`) and
    upper bound (:func:`serra_upper_bound`) are both prod_l (n_l + 1), so this is the maximum.

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= 3.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        ``widths`` is not a sequence of integers or SymPy expressions.
    ValueError
        ``widths`` is empty or a width is below 3 (where the lower bound's construction
        does not apply).

    References
    ----------
    .. [1] T. Serra et al., ICML 2018: the bounds are tight for inputs of dimension one
       (abstract), Theorem 1 with the n_l >= 3 n0 lower bound.

    Examples
    --------
    >>> serra_one_input_maximum([4, 4, 4])
    125
    >>> serra_one_input_maximum([10, 10, 10])
    1331
    """
    ws = check_widths(widths)
    for i, v in enumerate(ws):
        require_at_least(v, 3, f"widths[{i}]", "3", _ONE_INPUT_HYPOTHESIS)
    with naming("serra_one_input_maximum", widths=ws):
        return result(product([v + 1 for v in ws]))


def serra_one_input_maximum_uniform(n: int | sp.Expr, L: int | sp.Expr) -> sp.Expr:
    r"""(n + 1)^L: the exact maximum for one input and L hidden layers of width n >= 3.

    Parameters
    ----------
    n : int or sympy.Expr
        Width of every hidden layer, >= 3.
    L : int or sympy.Expr
        Number of hidden layers, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        ``n < 3`` or ``L < 1``.

    References
    ----------
    .. [1] T. Serra et al., ICML 2018 (tight for n0 = 1).

    Examples
    --------
    >>> from bounds.symbols import n, L
    >>> serra_one_input_maximum_uniform(n, L)
    (n + 1)**L
    """
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    require_at_least(width, 3, "n", "3", _ONE_INPUT_HYPOTHESIS)
    with naming("serra_one_input_maximum_uniform", n=width, L=layers):
        return result(power(width + 1, layers))


def _maxout_hyperplanes(rank: Count, width: Count) -> Count:
    return rank * (rank - 1) // 2 * width if isinstance(rank, int) else (
        rank * (rank - 1) / 2 * width
    )


def serra_maxout_upper_bound(
    widths: Sequence[int | sp.Expr], n0: int | sp.Expr, rank: int | sp.Expr
) -> sp.Expr:
    r"""Serra et al.'s upper bound for maxout networks of rank k.

    .. math:: \prod_{l=1}^{L} \sum_{j=0}^{d_l} \binom{\frac{k(k-1)}{2} n_l}{j},
       \qquad d_l = \min(n_0, n_1, \dots, n_l)

    A rank-k maxout unit is linear between the k(k-1)/2 hyperplanes where two of its k
    affine functions tie; layer l thus contributes k(k-1)/2 n_l hyperplanes (Montufar 2017's
    argument with this count).

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Numbers of maxout units n_1, ..., n_L, each >= 1.
    n0 : int or sympy.Expr
        Input dimension, >= 1.
    rank : int or sympy.Expr
        k >= 2, the number of affine functions per maxout unit.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        An argument is not of the types above.
    ValueError
        ``widths`` is empty, a width is below 1, ``n0 < 1`` or ``rank < 2``.

    References
    ----------
    .. [1] T. Serra et al., ICML 2018, the upper bound for multi-layer maxout networks
       (theorem number not checked against the paper text).

    Examples
    --------
    >>> serra_maxout_upper_bound([4, 4], 2, 2)     # rank 2: one hyperplane per unit
    121
    >>> serra_maxout_upper_bound([2], 1, 3)         # 3 hyperplanes per unit, 6 in R^1
    7
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    kk = check_count(rank, "rank", 2, "the maxout rank k")
    with naming("serra_maxout_upper_bound", widths=ws, n0=d, rank=kk):
        factors = []
        cap = d
        for v in ws:
            cap = minimum(cap, v)
            factors.append(binomial_sum(_maxout_hyperplanes(kk, v), cap))
        return result(product(factors))


def serra_maxout_upper_bound_uniform(
    n: int | sp.Expr, L: int | sp.Expr, n0: int | sp.Expr, rank: int | sp.Expr
) -> sp.Expr:
    r"""Serra et al.'s maxout bound for L layers of n rank-k units: symbolic.

    .. math:: \Big(\sum_{j=0}^{\min(n_0, n)} \binom{\frac{k(k-1)}{2} n}{j}\Big)^L

    Parameters
    ----------
    n : int or sympy.Expr
        Number of maxout units per layer, >= 1.
    L : int or sympy.Expr
        Number of hidden layers, >= 1.
    n0 : int or sympy.Expr
        Input dimension, >= 1.
    rank : int or sympy.Expr
        k >= 2.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        ``n``, ``L`` or ``n0`` below 1, or ``rank < 2``.

    References
    ----------
    .. [1] T. Serra et al., ICML 2018, the maxout upper bound.

    Examples
    --------
    >>> from bounds.symbols import n, L, n0, k
    >>> serra_maxout_upper_bound_uniform(n, L, n0, k)
    Sum(binomial(k*n*(k - 1)/2, j), (j, 0, Min(n, n0)))**L
    >>> serra_maxout_upper_bound_uniform(4, 2, 2, 2)
    121
    """
    width = check_count(n, "n", 1, "the number of maxout units per layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    d = check_count(n0, "n0", 1, "the input dimension")
    kk = check_count(rank, "rank", 2, "the maxout rank k")
    with naming("serra_maxout_upper_bound_uniform", n=width, L=layers, n0=d, rank=kk):
        block = binomial_sum(_maxout_hyperplanes(kk, width), minimum(d, width))
        return result(power(block, layers))
