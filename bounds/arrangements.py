"""Hyperplane arrangements: Zaslavsky's count and the one-hidden-layer maximum.

* :func:`zaslavsky_regions` -- m hyperplanes in general position cut R^d into
  sum_{s=0}^{d} C(m, s) regions, the most any m hyperplanes can make.
* :func:`shallow_max_regions` -- a network with one hidden layer of ``units`` ReLUs on ``n0``
  inputs has at most sum_{j=0}^{n0} C(units, j) linear regions, and this is attained.
"""

from __future__ import annotations

import sympy as sp

from ._common import Count, binomial_sum, check_count, naming, result

__all__ = ["zaslavsky_regions", "shallow_max_regions"]


def zaslavsky_regions(num_hyperplanes: int | sp.Expr, dim: int | sp.Expr) -> sp.Expr:
    r"""Number of regions of ``m`` hyperplanes in general position in ``R^d``.

    .. math:: r(m, d) = \sum_{s=0}^{d} \binom{m}{s}

    This is the maximum over all arrangements of m affine hyperplanes in R^d (Zaslavsky's
    theorem counts the regions of any arrangement from its intersection poset; general
    position maximises it). For m <= d it is 2^m, for m = 2d + 1 it is 2^{m-1}, and above
    the middle 2^m minus the shorter tail: evaluated with those closed forms, and by binary
    splitting otherwise, never term by term; an answer of more than 2**26 bits is refused
    up front (``OverflowError``, with its size).

    Parameters
    ----------
    num_hyperplanes : int or sympy.Expr
        m >= 0, the number of hyperplanes.
    dim : int or sympy.Expr
        d >= 1, the dimension of the space.

    Returns
    -------
    sympy.Integer or sympy.Expr
        Exact for integers; ``Sum(binomial(m, j), (j, 0, d))`` for symbols.

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        ``num_hyperplanes < 0`` or ``dim < 1``.
    OverflowError
        The exact answer would have more than 2**26 bits (about 20 million digits).

    References
    ----------
    .. [1] T. Zaslavsky, "Facing up to arrangements: face-count formulas for partitions of
       space by hyperplanes", Memoirs of the AMS 154, 1975.
    .. [2] R. P. Stanley, "An introduction to hyperplane arrangements", 2004, Proposition 2.4
       (the general-position count).

    Examples
    --------
    >>> zaslavsky_regions(4, 2)     # 4 lines in the plane
    11
    >>> zaslavsky_regions(2, 2)
    4
    >>> zaslavsky_regions(10**6, 10**6) == 2**10**6     # d >= m: every sign vector
    True
    >>> from bounds.symbols import m, d
    >>> zaslavsky_regions(m, d)
    Sum(binomial(m, j), (j, 0, d))
    >>> zaslavsky_regions(m, d).subs({m: 4, d: 2}).doit()
    11
    """
    m = check_count(num_hyperplanes, "num_hyperplanes", 0, "the number of hyperplanes m")
    dd = check_count(dim, "dim", 1, "the dimension d of the space")
    with naming("zaslavsky_regions", num_hyperplanes=m, dim=dd):
        return result(binomial_sum(m, dd))


def shallow_max_regions(units: int | sp.Expr, n0: int | sp.Expr) -> sp.Expr:
    r"""Maximal number of linear regions of one hidden layer of ``units`` ReLUs on ``n0`` inputs.

    .. math:: \sum_{j=0}^{n_0} \binom{n_1}{j}

    Each unit contributes one hyperplane of R^{n0}; the regions of the arrangement are the
    activation regions, so this is :func:`zaslavsky_regions` ``(units, n0)``, attained when the
    hyperplanes are in general position (generic weights and biases). Pascanu et al. use it
    as the count of the shallow model.

    Parameters
    ----------
    units : int or sympy.Expr
        n_1 >= 1, the number of hidden units.
    n0 : int or sympy.Expr
        n_0 >= 1, the input dimension.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        ``units < 1`` or ``n0 < 1``.

    References
    ----------
    .. [1] T. Zaslavsky, Memoirs of the AMS 154, 1975.
    .. [2] R. Pascanu, G. Montufar, Y. Bengio, "On the number of response regions of deep feed
       forward networks with piece-wise linear activations", arXiv:1312.6098, 2013: the
       shallow model (one hidden layer) via Zaslavsky's theorem.

    Examples
    --------
    >>> shallow_max_regions(12, 1)    # 12 units on a line: 12 knots, 13 pieces
    13
    >>> shallow_max_regions(12, 2)
    79
    >>> from bounds.symbols import N, n0
    >>> shallow_max_regions(N, n0)
    Sum(binomial(N, j), (j, 0, n0))
    """
    u: Count = check_count(units, "units", 1, "the number of hidden units")
    d: Count = check_count(n0, "n0", 1, "the input dimension")
    with naming("shallow_max_regions", units=u, n0=d):
        return result(binomial_sum(u, d))
