"""Montufar, Pascanu, Cho, Bengio 2014: the folding lower bound, and the trivial 2^N bound.

A rectifier network with n_0 inputs and hidden widths n_1, ..., n_L, all n_i >= n_0, can
compute functions with at least

.. math:: \\Big(\\prod_{i=1}^{L-1} \\Big\\lfloor \\frac{n_i}{n_0}
   \\Big\\rfloor^{n_0}\\Big) \\sum_{j=0}^{n_0} \\binom{n_L}{j}

linear regions: each layer below the last folds every input coordinate floor(n_i/n0) times
(the box is folded floor(n_i/n0)^{n0}-to-1, see ``regions.constructions.folding_network``),
and the last layer's general-position arrangement is replicated in every fold. For L layers of
width n: Omega((n/n0)^{(L-1) n0} n^{n0}). This improves Pascanu et al. 2013 (exponent n0 on
each fold count).

Each of the N = n_1 + ... + n_L units is on or off, so there are at most 2^N activation
patterns and hence at most 2^N linear regions (the trivial upper bound).

* :func:`montufar_lower_bound`, :func:`montufar_lower_bound_uniform`
* :func:`montufar_trivial_upper_bound`, :func:`montufar_trivial_upper_bound_uniform`
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ._common import (
    binomial_sum,
    check_count,
    check_widths,
    floor_div,
    naming,
    power,
    product,
    require_at_least,
    result,
)

__all__ = [
    "montufar_lower_bound",
    "montufar_lower_bound_uniform",
    "montufar_trivial_upper_bound",
    "montufar_trivial_upper_bound_uniform",
]

_HYPOTHESIS = "Montufar et al. 2014, Theorem 4, need n_i >= n0 for every hidden layer"


def montufar_lower_bound(widths: Sequence[int | sp.Expr], n0: int | sp.Expr) -> sp.Expr:
    r"""Montufar et al.'s lower bound on the maximal number of linear regions.

    .. math:: \Big(\prod_{i=1}^{L-1} \Big\lfloor \frac{n_i}{n_0} \Big\rfloor^{n_0}\Big)
       \sum_{j=0}^{n_0} \binom{n_L}{j}, \qquad n_i \ge n_0

    For n0 = 1 it coincides with :func:`~bounds.pascanu_lower_bound`.

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= n0.
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
        ``widths`` is empty, ``n0 < 1``, or some ``widths[i] < n0`` (the hypothesis).

    References
    ----------
    .. [1] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of Deep
       Neural Networks", NIPS 2014, Theorem 4 (and Corollary 5 for the asymptotics).

    Examples
    --------
    >>> montufar_lower_bound([4, 4, 4], 1)
    80
    >>> montufar_lower_bound([10, 10, 10], 1)
    1100
    >>> montufar_lower_bound([4, 4, 4], 2)     # 2^2 * 2^2 * (1 + 4 + 6)
    176
    >>> montufar_lower_bound([6, 6, 6], 2)
    1782
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    for i, v in enumerate(ws):
        require_at_least(v, d, f"widths[{i}]", "n0", _HYPOTHESIS)
    with naming("montufar_lower_bound", widths=ws, n0=d):
        folds = product([power(floor_div(v, d), d) for v in ws[:-1]])
        return result(product([folds, binomial_sum(ws[-1], d)]))


def montufar_lower_bound_uniform(
    n: int | sp.Expr, L: int | sp.Expr, n0: int | sp.Expr
) -> sp.Expr:
    r"""Montufar et al.'s lower bound for L hidden layers of width n: symbolic in n, L, n0.

    .. math:: \Big\lfloor \frac{n}{n_0} \Big\rfloor^{n_0 (L-1)} \sum_{j=0}^{n_0}
       \binom{n}{j}, \qquad n \ge n_0

    Parameters
    ----------
    n : int or sympy.Expr
        Width of every hidden layer, >= n0.
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
        ``n0 < 1``, ``L < 1`` or ``n < n0`` (when SymPy can decide it).

    References
    ----------
    .. [1] G. Montufar et al., NIPS 2014, Theorem 4 and Corollary 5.

    Examples
    --------
    >>> from bounds.symbols import n, L, n0
    >>> montufar_lower_bound_uniform(n, L, n0)
    floor(n/n0)**(n0*(L - 1))*Sum(binomial(n, j), (j, 0, n0))
    >>> montufar_lower_bound_uniform(6, 3, 2)
    1782
    """
    d = check_count(n0, "n0", 1, "the input dimension")
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    require_at_least(width, d, "n", "n0", _HYPOTHESIS)
    with naming("montufar_lower_bound_uniform", n=width, L=layers, n0=d):
        folds = power(floor_div(width, d), d * (layers - 1))
        return result(product([folds, binomial_sum(width, d)]))


def montufar_trivial_upper_bound(widths: Sequence[int | sp.Expr]) -> sp.Expr:
    r"""The trivial upper bound 2^N, N = n_1 + ... + n_L: one region per activation pattern.

    Holds for any input dimension: every linear region contains an activation region, and
    there are at most 2^N on/off patterns of N ReLUs.

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        ``widths`` is not a sequence of integers or SymPy expressions.
    ValueError
        ``widths`` is empty or a width is below 1.

    References
    ----------
    .. [1] G. Montufar et al., "On the Number of Linear Regions of Deep Neural Networks",
       NIPS 2014: the trivial bound, one region per activation pattern (its place in the
       paper was not checked against the text).

    Examples
    --------
    >>> montufar_trivial_upper_bound([4, 4, 4])
    4096
    """
    ws = check_widths(widths)
    with naming("montufar_trivial_upper_bound", widths=ws):
        return result(power(2, sum(ws)))


def montufar_trivial_upper_bound_uniform(n: int | sp.Expr, L: int | sp.Expr) -> sp.Expr:
    r"""The trivial upper bound 2^{nL} for L hidden layers of width n.

    Parameters
    ----------
    n : int or sympy.Expr
        Width of every hidden layer, >= 1.
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
        ``n < 1`` or ``L < 1``.

    References
    ----------
    .. [1] G. Montufar et al., NIPS 2014: the trivial bound (place in the paper not checked).

    Examples
    --------
    >>> from bounds.symbols import n, L
    >>> montufar_trivial_upper_bound_uniform(n, L)
    2**(L*n)
    >>> montufar_trivial_upper_bound_uniform(4, 3)
    4096
    """
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    with naming("montufar_trivial_upper_bound_uniform", n=width, L=layers):
        return result(power(2, width * layers))
