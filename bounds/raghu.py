"""Raghu et al. 2017: the number of activation regions, counted layer by layer.

Raghu et al. bound the number of activation patterns (regions) of a network with input
dimension m and n hidden layers of width k by O(k^{mn}) for ReLU and O((2k)^{mn}) for
hard-tanh. Their proof counts, layer by layer, the regions of a hyperplane arrangement: inside
one region of the layers below, layer d is an affine function of the input, and its k units
put k hyperplanes (ReLU: h = 0) or 2k hyperplanes (hard-tanh: h = -1 and h = +1) through
R^m, which cut the region into at most sum_{j<=m} C(k, j) (resp. C(2k, j)) pieces. This gives
this project's

.. math:: U(n, k, m) = \\prod_{d=1}^{n} \\sum_{j=0}^{m} \\binom{k}{j}
   = \\Big(\\sum_{j=0}^{m} \\binom{k}{j}\\Big)^n

(2k in place of k for hard-tanh). The product form is derived from the proof; the paper states
the O(.) form (the product's wording was not checked against the paper's text).

Arguments follow the package's one order, widths first and the input dimension last:
``raghu_u(k, n, m)`` is U(n, k, m) for n layers of width k on m inputs (changed in this
release: it was ``raghu_u(n, k, m)``; the names k, n, m keep their meaning, so calls by
keyword are unaffected, and positional calls must swap the first two arguments).

* :func:`raghu_u` -- U(n, k, m), symbolic or exact.
* :func:`raghu_leading_term` -- its leading term (k^m / m!)^n as k grows, which is O(k^{mn}).
* :func:`raghu_layerwise_bound` -- the same layer-by-layer count for arbitrary widths
  n_1, ..., n_L on n_0 inputs: prod_l sum_{j<=n0} C(n_l, j) (ReLU).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy as sp

from ._common import (
    Count,
    binomial_sum,
    check_choice,
    check_count,
    check_widths,
    is_concrete,
    log2,
    naming,
    power,
    product,
    refuse_above,
    result,
)

__all__ = ["raghu_u", "raghu_leading_term", "raghu_layerwise_bound"]

_ACTIVATIONS = ("relu", "hardtanh")


def _hyperplanes(width: Count, activation: str) -> Count:
    return width if activation == "relu" else 2 * width


def raghu_u(
    k: int | sp.Expr, n: int | sp.Expr, m: int | sp.Expr, activation: str = "relu"
) -> sp.Expr:
    r"""Raghu et al.'s bound U(n, k, m) on the number of activation regions of R^m.

    .. math:: U(n, k, m) = \Big(\sum_{j=0}^{m} \binom{h}{j}\Big)^n,
       \qquad h = k \text{ (ReLU)}, \; h = 2k \text{ (hard-tanh)}

    for n hidden layers of width k on m inputs: each layer's h hyperplanes cut every region
    of the layers below into at most sum_{j<=m} C(h, j) pieces (Zaslavsky). It is O(k^{mn})
    (:func:`raghu_leading_term`). It bounds activation regions, hence linear regions.

    Arguments come in the package's order (width, layers, input dimension), so
    ``raghu_u(k, n, m)`` is the paper's U(n, k, m).

    Parameters
    ----------
    k : int or sympy.Expr
        Width of every hidden layer, >= 1.
    n : int or sympy.Expr
        Number of hidden layers, >= 1.
    m : int or sympy.Expr
        Input dimension, >= 1.
    activation : {"relu", "hardtanh"}
        Hard-tanh has two breakpoints per unit: 2k hyperplanes per layer.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        A count is not an integer or a SymPy expression, or ``activation`` is not a string.
    ValueError
        A count is below 1, or ``activation`` is not "relu" or "hardtanh".
    OverflowError
        The exact answer would have more than 2**26 bits (about 20 million digits).

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
       Power of Deep Neural Networks", ICML 2017: Theorem 1 (upper bound on the number of
       activation patterns: O(k^{mn}) for ReLU, O((2k)^{mn}) for hard-tanh) and its proof;
       the product form is derived here from the proof.

    Examples
    --------
    >>> raghu_u(4, 3, 1)     # 3 layers of width 4 on a line: (1 + 4)^3
    125
    >>> raghu_u(4, 2, 2, "hardtanh")     # 8 hyperplanes per layer: (1 + 8 + 28)^2
    1369
    >>> from bounds.symbols import n, k, m
    >>> raghu_u(k, n, m)
    Sum(binomial(k, j), (j, 0, m))**n
    """
    act = check_choice(activation, "activation", _ACTIVATIONS)
    width = check_count(k, "k", 1, "the width of every hidden layer")
    layers = check_count(n, "n", 1, "the number of hidden layers")
    dim = check_count(m, "m", 1, "the input dimension")
    with naming("raghu_u", k=width, n=layers, m=dim):
        return result(power(binomial_sum(_hyperplanes(width, act), dim), layers))


def raghu_leading_term(
    k: int | sp.Expr, n: int | sp.Expr, m: int | sp.Expr, activation: str = "relu"
) -> sp.Expr:
    r"""Leading term of :func:`raghu_u` as the width k grows: (h^m / m!)^n, h = k or 2k.

    sum_{j<=m} C(h, j) = h^m / m! + O(h^{m-1}), so U(n, k, m) ~ (k^m / m!)^n = O(k^{mn})
    for ReLU and ((2k)^m / m!)^n = O((2k)^{mn}) for hard-tanh, the form Raghu et al. state.
    U / leading term -> 1 as k -> oo.

    Parameters
    ----------
    k, n, m, activation
        As for :func:`raghu_u` (width, layers, input dimension).

    Returns
    -------
    sympy.Rational or sympy.Expr
        Exact rational for integers (generally not an integer).

    Raises
    ------
    TypeError, ValueError
        As for :func:`raghu_u`.

    References
    ----------
    .. [1] M. Raghu et al., "On the Expressive Power of Deep Neural Networks", ICML 2017,
       Theorem 1 (the O(k^{mn}) statement).

    Examples
    --------
    >>> from sympy import expand_func, limit, oo
    >>> from bounds.symbols import k
    >>> raghu_leading_term(k, 3, 2)
    k**6/8
    >>> u = expand_func(raghu_u(k, 3, 2).doit())     # binomials as polynomials in k
    >>> u
    (k*(k - 1)/2 + k + 1)**3
    >>> limit(u / raghu_leading_term(k, 3, 2), k, oo)
    1
    """
    act = check_choice(activation, "activation", _ACTIVATIONS)
    width = check_count(k, "k", 1, "the width of every hidden layer")
    layers = check_count(n, "n", 1, "the number of hidden layers")
    dim = check_count(m, "m", 1, "the input dimension")
    h = _hyperplanes(width, act)
    if is_concrete(h, dim, layers):
        with naming("raghu_leading_term", k=width, n=layers, m=dim):
            refuse_above(dim * log2(h) * layers, f"{h}**{dim * layers}")
            refuse_above(layers * dim * log2(dim), f"(m!)**{layers}")
            return sp.Rational(power(h, dim * layers), power(math.factorial(dim), layers))
    return (sp.sympify(h) ** dim / sp.factorial(dim)) ** layers


def raghu_layerwise_bound(
    widths: Sequence[int | sp.Expr], n0: int | sp.Expr, activation: str = "relu"
) -> sp.Expr:
    r"""The layer-by-layer arrangement count of Raghu et al. for arbitrary widths.

    .. math:: \prod_{l=1}^{L} \sum_{j=0}^{n_0} \binom{h_l}{j},
       \qquad h_l = n_l \text{ (ReLU)}, \; 2 n_l \text{ (hard-tanh)}

    The argument of :func:`raghu_u` with layer l contributing n_l (or 2 n_l) hyperplanes of
    R^{n0}. For uniform widths it equals ``raghu_u(n, L, n0)``; Montufar's 2017 bound
    (:func:`~bounds.montufar2017_upper_bound`) refines it by capping the dimension.

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= 1.
    n0 : int or sympy.Expr
        Input dimension, >= 1.
    activation : {"relu", "hardtanh"}

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        ``widths`` is not a sequence, or an entry or ``n0`` is not an integer or SymPy
        expression.
    ValueError
        ``widths`` is empty, a width is below 1, or ``n0 < 1``.

    References
    ----------
    .. [1] M. Raghu et al., "On the Expressive Power of Deep Neural Networks", ICML 2017,
       proof of Theorem 1.

    Examples
    --------
    >>> raghu_layerwise_bound([4, 4, 4], 2)
    1331
    >>> raghu_layerwise_bound([1, 21], 784)     # at most 2^N
    4194304
    """
    act = check_choice(activation, "activation", _ACTIVATIONS)
    ws = check_widths(widths)
    dim = check_count(n0, "n0", 1, "the input dimension")
    with naming("raghu_layerwise_bound", widths=ws, n0=dim):
        value = product([binomial_sum(_hyperplanes(v, act), dim) for v in ws])
    if not is_concrete(*ws, dim):
        value = sp.sympify(value)
    return result(value)
