"""Deep versus shallow: equal numbers of units, equal numbers of parameters.

Pascanu, Montufar, Bengio 2013 compare a deep rectifier network (k hidden layers of width n on
n_0 inputs) with a shallow one (one hidden layer): the shallow network with kn units has at
most sum_{j<=n0} C(kn, j) = O(k^{n0} n^{n0}) regions (:func:`~bounds.shallow_max_regions`,
attained), the deep one at least floor(n/n0)^{k-1} sum_{j<=n0} C(n, j) =
Omega(floor(n/n0)^{k-1} n^{n0}) (:func:`~bounds.pascanu_lower_bound_uniform`). Their ratio
(deep lower bound over shallow maximum; above 1 means the deep network provably has more
regions than any shallow one of that size) goes to infinity as n -> oo (k >= 2), and as
k -> oo when n >= 2 n0 (for n0 <= n < 2 n0 it goes to 0). :func:`deep_vs_shallow` computes
these ratios exactly and their limits in closed form (checked in the tests against SymPy's
``limit`` over residue classes); Montufar et al. 2014's stronger lower bound
(:func:`~bounds.montufar_lower_bound_uniform`) can replace Pascanu's.

Parameters of a dense network with widths (n_0, n_1, ..., n_L): sum_l (n_{l-1} + 1) n_l
(weights and biases, :func:`num_parameters`). The comparisons count the hidden layers only
(the readout does not change the regions).

Derived here (the limits :func:`deep_vs_shallow` reports, with Pascanu's bound):

* equal units, n -> oo: oo for k >= 2 (1 for k = 1);
* equal units, k -> oo: oo when n >= 2 n0, 0 when n0 <= n < 2 n0;
* equal parameters (shallow width floor(P / (n0 + 1)), P ~ (k-1) n^2), n -> oo: the deep
  bound grows like n^{k-1+n0}, the shallow maximum like n^{2 n0}: oo only when
  k >= n0 + 2, a constant when k = n0 + 1 (2 for n0 = 1, k = 2; 9/16 for n0 = 2, k = 3),
  0 below;
* equal parameters, k -> oo: oo when n >= 2 n0 (exponential against polynomial).

With n = 2 n0 and small k the ratio with Pascanu's bound exceeds 1 only for small n0
(n0 = 1: from k = 2, 6/5; n0 = 2: from k = 6, 352/301; n0 = 3: from k = 12); with Montufar
et al.'s bound it does from k = 2 for n0 <= 4 (n0 = 2: 44/37) and from k = 3 for n0 = 5, 6
(equal units; checked up to n0 = 6).

* :func:`num_parameters`, :func:`num_parameters_uniform`
* :func:`deep_vs_shallow` returning :class:`DeepVsShallow` (two :class:`ShallowComparison`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ._common import (
    Count,
    binomial_sum,
    check_choice,
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
    "num_parameters",
    "num_parameters_uniform",
    "ShallowComparison",
    "DeepVsShallow",
    "deep_vs_shallow",
]

_DEEP_BOUNDS = ("pascanu", "montufar")
_HYPOTHESIS = "the deep lower bounds need every hidden layer at least as wide as the input"

def num_parameters(widths: Sequence[int | sp.Expr]) -> sp.Expr:
    r"""Number of weights and biases of a dense network with layer widths n_0, n_1, ..., n_L.

    .. math:: \sum_{l=1}^{L} (n_{l-1} + 1)\, n_l

    ``widths`` lists every layer, input first; include the output layer to count the
    readout.

    Parameters
    ----------
    widths : sequence of int or sympy.Expr
        At least two widths (input and one more layer), each >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        ``widths`` is not a sequence of integers or SymPy expressions.
    ValueError
        Fewer than two widths, or a width below 1.

    References
    ----------
    .. [1] R. Pascanu, G. Montufar, Y. Bengio, arXiv:1312.6098, 2013, and G. Montufar et
       al., NIPS 2014, which compare deep and shallow networks per parameter.

    Examples
    --------
    >>> num_parameters([2, 4, 4, 1])     # 3*4 + 5*4 + 5*1
    37
    >>> from bounds.symbols import n0, n
    >>> num_parameters([n0, n, n])
    n*(n + 1) + n*(n0 + 1)
    """
    ws = check_widths(widths)
    if len(ws) < 2:
        raise ValueError(
            f"widths must list the input width and at least one more layer, got {len(ws)} "
            "width"
        )
    total: Count = sum((a + 1) * b for a, b in zip(ws[:-1], ws[1:]))
    return result(total)


def num_parameters_uniform(
    n: int | sp.Expr, L: int | sp.Expr, n0: int | sp.Expr
) -> sp.Expr:
    r"""Parameters of L hidden layers of width n on n0 inputs (no readout): symbolic.

    .. math:: (n_0 + 1) n + (L - 1)(n + 1) n

    Arguments in the package's order, width first and input dimension last (changed in this
    release from ``(n0, n, L)``; keyword calls are unaffected).

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
    .. [1] R. Pascanu et al., arXiv:1312.6098, 2013 (the per-parameter comparison).

    Examples
    --------
    >>> num_parameters_uniform(4, 3, 2) == num_parameters([2, 4, 4, 4])
    True
    >>> from bounds.symbols import n0, n, L
    >>> num_parameters_uniform(n, L, n0)
    n*(L - 1)*(n + 1) + n*(n0 + 1)
    """
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    d = check_count(n0, "n0", 1, "the input dimension")
    return result(_parameters(d, width, layers))


def _parameters(n0: Count, n: Count, k: Count) -> Count:
    return (n0 + 1) * n + (k - 1) * (n + 1) * n


def _deep_bound(n0: Count, n: Count, k: Count, which: str) -> Count:
    exponent = (k - 1) if which == "pascanu" else n0 * (k - 1)
    return product([power(floor_div(n, n0), exponent), binomial_sum(n, n0)])


def _limits(n0: int, width: int | None, depth: int | None, which: str) -> tuple[sp.Expr, sp.Expr]:
    """Closed-form limits of (ratio at equal units, ratio at equal parameters) as the missing
    one of ``width``/``depth`` grows through the integers (see the module docstring).

    Width n -> oo, depth k fixed: both bounds are polynomials in n up to the floors, which do
    not change leading coefficients (floor(n/n0) = n/n0 - r/n0). Deep: (n/n0)^E n^{n0}/n0!,
    E = k - 1 (Pascanu) or n0 (k - 1) (Montufar); shallow by units (kn)^{n0}/n0!, by
    parameters s^{n0}/n0! with s ~ (k - 1) n^2 / (n0 + 1). So by units: 1 for k = 1 (the
    networks coincide), oo otherwise; by parameters: 1 for k = 1, else oo, 0 or
    n0^{-E} ((n0 + 1)/(k - 1))^{n0} as E + n0 is above, below or equal to 2 n0.
    Depth k -> oo, width n fixed: the deep bound is floor(n/n0)^E times a constant, the shallow
    maxima polynomials in k: oo when floor(n/n0) >= 2, 0 when it is 1.
    """
    if width is None:  # n -> oo, depth fixed
        k = int(depth)  # type: ignore[arg-type]
        if k == 1:
            return sp.Integer(1), sp.Integer(1)
        exponent = (k - 1) if which == "pascanu" else n0 * (k - 1)
        if exponent + n0 > 2 * n0:
            by_params: sp.Expr = sp.oo
        elif exponent + n0 < 2 * n0:
            by_params = sp.Integer(0)
        else:
            by_params = sp.Rational(1, n0**exponent) * sp.Rational(n0 + 1, k - 1) ** n0
        return sp.oo, by_params
    grows = sp.oo if width // n0 >= 2 else sp.Integer(0)
    return grows, grows


@dataclass(frozen=True)
class ShallowComparison:
    """A one-hidden-layer network set against the deep one.

    Attributes
    ----------
    width : sympy.Expr
        Number of units of the shallow network.
    parameters : sympy.Expr
        Its parameters (n0 + 1) * width (no readout).
    max_regions : sympy.Expr
        Its maximal number of linear regions, sum_{j<=n0} C(width, j) (attained).
    ratio : sympy.Expr
        Deep lower bound / ``max_regions``; above 1: the deep network provably has more
        regions than any shallow network of this size.
    limit_width : sympy.Expr or None
        Limit of ``ratio`` as the deep width n -> oo through the integers, n0 and depth held
        at their given values; None when either is symbolic (NaN if no limit).
    limit_depth : sympy.Expr or None
        Limit of ``ratio`` as the depth -> oo, n0 and width held; None when either is
        symbolic.
    """

    width: sp.Expr
    parameters: sp.Expr
    max_regions: sp.Expr
    ratio: sp.Expr
    limit_width: sp.Expr | None
    limit_depth: sp.Expr | None

    @property
    def deep_wins(self) -> bool | None:
        """``ratio > 1`` when it is a number, else None."""
        return bool(self.ratio > 1) if self.ratio.is_number else None


@dataclass(frozen=True)
class DeepVsShallow:
    """The deep and shallow counts of :func:`deep_vs_shallow`.

    Attributes
    ----------
    n0, width, depth : sympy.Expr
        The deep network: ``depth`` hidden layers of ``width`` units on ``n0`` inputs.
    deep_bound : str
        Which lower bound ``deep_regions`` is: "pascanu" or "montufar".
    deep_regions : sympy.Expr
        The deep network's lower bound on its maximal number of regions.
    units : sympy.Expr
        Its hidden units, depth * width.
    parameters : sympy.Expr
        Its parameters, (n0 + 1) width + (depth - 1)(width + 1) width (no readout).
    equal_units : ShallowComparison
        Against one layer of ``units`` units.
    equal_parameters : ShallowComparison
        Against one layer of floor(parameters / (n0 + 1)) units, the widest shallow network
        with at most as many parameters.
    """

    n0: sp.Expr
    width: sp.Expr
    depth: sp.Expr
    deep_bound: str
    deep_regions: sp.Expr
    units: sp.Expr
    parameters: sp.Expr
    equal_units: ShallowComparison
    equal_parameters: ShallowComparison


def deep_vs_shallow(
    width: int | sp.Expr,
    depth: int | sp.Expr,
    n0: int | sp.Expr,
    *,
    deep_bound: str = "pascanu",
    limits: bool = True,
) -> DeepVsShallow:
    r"""Compare a deep network's region lower bound with the shallow maximum.

    Deep: ``depth`` = k hidden layers of ``width`` = n units on n0 inputs, with Pascanu et
    al.'s lower bound floor(n/n0)^{k-1} sum_{j<=n0} C(n, j) (or Montufar et al.'s
    floor(n/n0)^{n0(k-1)} sum_{j<=n0} C(n, j)). Shallow: one hidden layer with s units and
    its maximum sum_{j<=n0} C(s, j), for s = kn (equal units) and for
    s = floor(P / (n0 + 1)), P = (n0 + 1) n + (k - 1)(n + 1) n (equal parameters, hidden
    layers only). Reports both ratios deep / shallow, as SymPy expressions (exact rationals
    for integers), and their limits as n -> oo and as k -> oo (SymPy ``limit``, taken over
    each residue class of the growing variable so that the floors disappear; see the module
    docstring for the values).

    Arguments come in the package's one order, widths first, input dimension last (changed
    in this release from ``deep_vs_shallow(n0, width, depth)``; the names are unchanged, so
    calls by keyword are unaffected; a positional call in the old order is indistinguishable
    from a new one, so it is not detected, except that the width-below-n0 error says so).

    Parameters
    ----------
    width : int or sympy.Expr
        n >= n0 (the bounds' hypothesis).
    depth : int or sympy.Expr
        k >= 1.
    n0 : int or sympy.Expr
        Input dimension, >= 1. Limits need it to be an integer.
    deep_bound : {"pascanu", "montufar"}
        Which deep lower bound to use.
    limits : bool
        Compute the limits (closed forms, derived in the module docstring, for an integer
        n0 and an integer fixed variable). If False they are None.

    Returns
    -------
    DeepVsShallow

    Raises
    ------
    TypeError
        A count is not an integer or SymPy expression, ``deep_bound`` is not a string or
        ``limits`` not a bool.
    ValueError
        A count is below 1, ``width < n0``, or ``deep_bound`` is unknown.
    OverflowError
        The deep bound would have more than 2**26 bits (about 20 million digits).

    References
    ----------
    .. [1] R. Pascanu, G. Montufar, Y. Bengio, "On the number of response regions of deep feed
       forward networks with piece-wise linear activations", arXiv:1312.6098 (ICLR 2014):
       the asymptotic comparison of the abstract (O(k^{n0} n^{n0}) shallow against
       Omega(floor(n/n0)^{k-1} n^{n0}) deep; deep wins as n -> oo, or k -> oo with
       n >= 2 n0; and already for small k when n = 2 n0).
    .. [2] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, NIPS 2014, Theorem 4, Corollary 5.

    Examples
    --------
    >>> from bounds.symbols import n, k
    >>> cmp = deep_vs_shallow(2, 2, 1)     # n = 2 n0: deep wins already at k = 2
    >>> cmp.deep_regions, cmp.equal_units.max_regions, cmp.equal_units.ratio
    (6, 5, 6/5)
    >>> cmp.equal_units.limit_width, cmp.equal_units.limit_depth
    (oo, oo)
    >>> deep_vs_shallow(n, 3, 2).equal_units.ratio
    floor(n/2)**2*Sum(binomial(n, j), (j, 0, 2))/Sum(binomial(3*n, j), (j, 0, 2))
    >>> deep_vs_shallow(3, k, 2).equal_units.limit_depth     # n < 2 n0: no gain from depth
    0
    >>> deep_vs_shallow(n, 3, 2).equal_parameters.limit_width     # k = n0 + 1: a constant
    9/16
    >>> big = deep_vs_shallow(4, 10**6, 2)     # a million layers: exact, and instant
    >>> big.equal_units.limit_width, big.deep_regions == 2**(10**6 - 1) * 11
    (oo, True)
    """
    which = check_choice(deep_bound, "deep_bound", _DEEP_BOUNDS)
    if not isinstance(limits, bool):
        raise TypeError(f"limits must be a bool, got {limits!r} of type {type(limits).__name__}")
    n = check_count(width, "width", 1, "the width of every hidden layer")
    k = check_count(depth, "depth", 1, "the number of hidden layers")
    d = check_count(n0, "n0", 1, "the input dimension")
    require_at_least(
        n, d, "width", "n0",
        _HYPOTHESIS + "; note the argument order is deep_vs_shallow(width, depth, n0), "
        "changed from (n0, width, depth)",
    )

    with naming("deep_vs_shallow", width=n, depth=k, n0=d):
        deep = result(_deep_bound(d, n, k, which))
        params = _parameters(d, n, k)
        shallow_widths = (k * n, floor_div(params, d + 1))
        shallow_regions = [result(binomial_sum(s, d)) for s in shallow_widths]

    limit_pairs: list[tuple[sp.Expr | None, sp.Expr | None]] = [(None, None), (None, None)]
    if limits and isinstance(d, int):
        by_width: tuple[sp.Expr | None, sp.Expr | None] = (None, None)
        by_depth: tuple[sp.Expr | None, sp.Expr | None] = (None, None)
        if isinstance(k, int):
            by_width = _limits(d, None, k, which)
        if isinstance(n, int):
            by_depth = _limits(d, n, None, which)
        limit_pairs = [(by_width[0], by_depth[0]), (by_width[1], by_depth[1])]

    comparisons = []
    for s, regions, (lim_w, lim_k) in zip(shallow_widths, shallow_regions, limit_pairs):
        comparisons.append(
            ShallowComparison(
                width=result(s),
                parameters=result((d + 1) * s),
                max_regions=regions,
                ratio=deep / regions,
                limit_width=lim_w,
                limit_depth=lim_k,
            )
        )
    return DeepVsShallow(
        n0=result(d),
        width=result(n),
        depth=result(k),
        deep_bound=which,
        deep_regions=deep,
        units=result(k * n),
        parameters=result(params),
        equal_units=comparisons[0],
        equal_parameters=comparisons[1],
    )
