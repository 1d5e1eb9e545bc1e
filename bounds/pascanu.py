"""Pascanu, Montufar, Bengio 2013: the first deep-versus-shallow lower bound.

A deep rectifier network with n_0 inputs and hidden widths n_1, ..., n_L >= n_0 can have at
least

.. math:: \\Big(\\prod_{i=1}^{L-1} \\Big\\lfloor \\frac{n_i}{n_0} \\Big\\rfloor\\Big)
   \\sum_{j=0}^{n_0} \\binom{n_L}{j}

linear regions: every layer below the last folds the input space floor(n_i / n_0) times onto
itself, and the last layer's arrangement (:func:`~bounds.shallow_max_regions`) is replicated
in every fold. For L layers of width n this is floor(n/n0)^{L-1} sum_{j<=n0} C(n, j) =
Omega(floor(n/n0)^{L-1} n^{n0}), against O(L^{n0} n^{n0}) for one layer of L n units.

The exact product form is derived from the folding argument and consistent with the paper's
abstract, which states the Omega(.) form (the product was not checked against the paper's
text); the shallow count is
:func:`~bounds.shallow_max_regions` and the comparison :func:`~bounds.deep_vs_shallow`.

* :func:`pascanu_lower_bound` -- explicit widths n_1, ..., n_L (integers or expressions).
* :func:`pascanu_lower_bound_uniform` -- L layers of width n, symbolic in n, L, n0.
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

__all__ = ["pascanu_lower_bound", "pascanu_lower_bound_uniform"]

_HYPOTHESIS = "Pascanu et al. 2013 need every hidden layer at least as wide as the input"


def pascanu_lower_bound(widths: Sequence[int | sp.Expr], n0: int | sp.Expr) -> sp.Expr:
    r"""Pascanu et al.'s lower bound on the maximal number of linear regions, explicit widths.

    .. math:: \Big(\prod_{i=1}^{L-1} \Big\lfloor \frac{n_i}{n_0} \Big\rfloor\Big)
       \sum_{j=0}^{n_0} \binom{n_L}{j}, \qquad n_i \ge n_0

    With one layer (L = 1) it is the shallow maximum
    :func:`~bounds.shallow_max_regions` ``(n_1, n0)``.

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        Hidden-layer widths n_1, ..., n_L, each >= n0.
    n0 : int or sympy.Expr
        Input dimension, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr
        Exact for integer widths; with SymPy entries, the formula in them.

    Raises
    ------
    TypeError
        ``widths`` is not a sequence, or an entry or ``n0`` is not an integer or SymPy
        expression.
    ValueError
        ``widths`` is empty, ``n0 < 1``, or some ``widths[i] < n0`` (the hypothesis).

    References
    ----------
    .. [1] R. Pascanu, G. Montufar, Y. Bengio, "On the number of response regions of deep feed
       forward networks with piece-wise linear activations", arXiv:1312.6098 (ICLR 2014),
       the lower bound for deep rectifier models (Omega(floor(n/n0)^{k-1} n^{n0}) in the
       abstract); the exact product form is derived, not checked against the text.

    Examples
    --------
    >>> pascanu_lower_bound([4, 4, 4], 1)     # 4 * 4 * (1 + 4)
    80
    >>> pascanu_lower_bound([4, 4, 4], 2)     # 2 * 2 * (1 + 4 + 6)
    44
    >>> pascanu_lower_bound([6, 6, 6], 2)
    198
    """
    ws = check_widths(widths)
    d = check_count(n0, "n0", 1, "the input dimension")
    for i, v in enumerate(ws):
        require_at_least(v, d, f"widths[{i}]", "n0", _HYPOTHESIS)
    with naming("pascanu_lower_bound", widths=ws, n0=d):
        folds = product([floor_div(v, d) for v in ws[:-1]])
        return result(product([folds, binomial_sum(ws[-1], d)]))


def pascanu_lower_bound_uniform(
    n: int | sp.Expr, L: int | sp.Expr, n0: int | sp.Expr
) -> sp.Expr:
    r"""Pascanu et al.'s lower bound for L hidden layers of width n: symbolic in n, L, n0.

    .. math:: \Big\lfloor \frac{n}{n_0} \Big\rfloor^{L-1} \sum_{j=0}^{n_0} \binom{n}{j},
       \qquad n \ge n_0

    Equal to :func:`pascanu_lower_bound` ``([n] * L, n0)``.

    Parameters
    ----------
    n : int or sympy.Expr
        Width of every hidden layer, >= n0.
    L : int or sympy.Expr
        Number of hidden layers (Pascanu et al.'s k), >= 1.
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
    .. [1] R. Pascanu, G. Montufar, Y. Bengio, arXiv:1312.6098 (ICLR 2014), the lower bound for
       k layers of width n (abstract: Omega(floor(n/n0)^{k-1} n^{n0})).

    Examples
    --------
    >>> from bounds.symbols import n, L, n0
    >>> expr = pascanu_lower_bound_uniform(n, L, n0)
    >>> expr
    floor(n/n0)**(L - 1)*Sum(binomial(n, j), (j, 0, n0))
    >>> expr.subs({n: 6, L: 3, n0: 2}).doit()
    198
    >>> pascanu_lower_bound_uniform(n, 1, 2).doit()     # one layer: the shallow count
    n + binomial(n, 2) + 1
    """
    d = check_count(n0, "n0", 1, "the input dimension")
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    require_at_least(width, d, "n", "n0", _HYPOTHESIS)
    with naming("pascanu_lower_bound_uniform", n=width, L=layers, n0=d):
        folds = power(floor_div(width, d), layers - 1)
        return result(product([folds, binomial_sum(width, d)]))
