"""Montufar 2017: the upper bound with the dimension capped by the narrowest layer so far.

Inside one activation region of layers 1..l-1 the input is mapped affinely onto a set of
dimension at most min(n_0, n_1, ..., n_{l-1}); layer l's n_l hyperplanes cut that region into
at most sum_{j<=d_l} C(n_l, j) pieces, d_l = min(n_0, n_1, ..., n_l) (including n_l in the
minimum changes nothing: C(n_l, j) = 0 for j > n_l). Hence

.. math:: \\prod_{l=1}^{L} \\sum_{j=0}^{d_l} \\binom{n_l}{j},
   \\qquad d_l = \\min(n_0, n_1, \\dots, n_l).

It refines the layer-by-layer count of Raghu et al. (:func:`~bounds.raghu_layerwise_bound`,
d_l = n_0) and is refined by Serra et al. (:func:`~bounds.serra_upper_bound`).

* :func:`montufar2017_upper_bound` -- explicit widths (integers or SymPy expressions).
* :func:`montufar2017_upper_bound_uniform` -- L layers of width n, symbolic in n, L, n0.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ._common import (
    binomial_sum,
    check_count,
    check_widths,
    minimum,
    naming,
    power,
    product,
    result,
)

__all__ = ["montufar2017_upper_bound", "montufar2017_upper_bound_uniform"]


def montufar2017_upper_bound(widths: Sequence[int | sp.Expr], n0: int | sp.Expr) -> sp.Expr:
    r"""Montufar's 2017 upper bound on the number of linear regions of a rectifier network.

    .. math:: \prod_{l=1}^{L} \sum_{j=0}^{d_l} \binom{n_l}{j},
       \qquad d_l = \min(n_0, n_1, \dots, n_l)

    With one layer it is :func:`~bounds.shallow_max_regions` (Zaslavsky).

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= 1.
    n0 : int or sympy.Expr
        Input dimension, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr
        Exact for integers; with SymPy entries the caps are ``Min(...)`` expressions.

    Raises
    ------
    TypeError
        ``widths`` is not a sequence, or an entry or ``n0`` is not an integer or SymPy
        expression.
    ValueError
        ``widths`` is empty, a width is below 1, or ``n0 < 1``.

    References
    ----------
    .. [1] G. Montufar, "Notes on the number of linear regions of deep neural networks",
       SampTA 2017: the upper bound with d_l = min(n0, n_1, ..., n_l) (its proposition
       number was not checked against the paper text).
    .. [2] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions
       of Deep Neural Networks", ICML 2018, which restates it (and improves it, Theorem 1).

    Examples
    --------
    >>> montufar2017_upper_bound([4, 4, 4], 2)     # (1 + 4 + 6)^3
    1331
    >>> montufar2017_upper_bound([4, 18], 784)     # 2^4 * sum_{j<=4} C(18, j)
    64768
    >>> from bounds.symbols import n0
    >>> montufar2017_upper_bound([3, 5], n0)
    Sum(binomial(3, j), (j, 0, Min(3, n0)))*Sum(binomial(5, j), (j, 0, Min(3, n0)))
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    with naming("montufar2017_upper_bound", widths=ws, n0=d):
        factors = []
        cap = d
        for v in ws:
            cap = minimum(cap, v)
            factors.append(binomial_sum(v, cap))
        return result(product(factors))


def montufar2017_upper_bound_uniform(
    n: int | sp.Expr, L: int | sp.Expr, n0: int | sp.Expr
) -> sp.Expr:
    r"""Montufar's 2017 upper bound for L hidden layers of width n: symbolic in n, L, n0.

    .. math:: \Big(\sum_{j=0}^{\min(n_0, n)} \binom{n}{j}\Big)^L

    Parameters
    ----------
    n : int or sympy.Expr
        Width of every hidden layer, >= 1.
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
        An argument is below 1.

    References
    ----------
    .. [1] G. Montufar, "Notes on the number of linear regions of deep neural networks",
       SampTA 2017.

    Examples
    --------
    >>> from bounds.symbols import n, L, n0
    >>> montufar2017_upper_bound_uniform(n, L, n0)
    Sum(binomial(n, j), (j, 0, Min(n, n0)))**L
    >>> montufar2017_upper_bound_uniform(6, 3, 2)
    10648
    """
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    d = check_count(n0, "n0", 1, "the input dimension")
    with naming("montufar2017_upper_bound_uniform", n=width, L=layers, n0=d):
        return result(power(binomial_sum(width, minimum(d, width)), layers))
