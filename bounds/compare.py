"""Deep versus shallow: equal numbers of units, equal numbers of parameters.

Pascanu, Montufar, Bengio 2013 compare a deep rectifier network (k hidden layers of width n on
n_0 inputs) with a shallow one (one hidden layer): the shallow network with kn units has at
most sum_{j<=n0} C(kn, j) = O(k^{n0} n^{n0}) regions (:func:`~bounds.shallow_max_regions`,
attained), the deep one at least floor(n/n0)^{k-1} sum_{j<=n0} C(n, j) =
Omega(floor(n/n0)^{k-1} n^{n0}) (:func:`~bounds.pascanu_lower_bound_uniform`). Their ratio
(deep lower bound over shallow maximum; above 1 means the deep network provably has more
regions than any shallow one of that size) goes to infinity as n -> oo (k >= 2), and as
k -> oo when n >= 2 n0 (for n0 <= n < 2 n0 it goes to 0). :func:`deep_vs_shallow` computes
these ratios and their limits with SymPy; Montufar et al. 2014's stronger lower bound
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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from ._common import (
    Count,
    binomial_sum,
    check_choice,
    check_count,
    check_widths,
    floor_div,
    is_concrete,
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

FloorDiv = Callable[[Count, Count], Count]


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
    n0: int | sp.Expr, n: int | sp.Expr, L: int | sp.Expr
) -> sp.Expr:
    r"""Parameters of L hidden layers of width n on n0 inputs (no readout): symbolic.

    .. math:: (n_0 + 1) n + (L - 1)(n + 1) n

    Parameters
    ----------
    n0 : int or sympy.Expr
        Input dimension, >= 1.
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
        An argument is below 1.

    References
    ----------
    .. [1] R. Pascanu et al., arXiv:1312.6098, 2013 (the per-parameter comparison).

    Examples
    --------
    >>> num_parameters_uniform(2, 4, 3) == num_parameters([2, 4, 4, 4])
    True
    >>> from bounds.symbols import n0, n, L
    >>> num_parameters_uniform(n0, n, L)
    n*(L - 1)*(n + 1) + n*(n0 + 1)
    """
    d = check_count(n0, "n0", 1, "the input dimension")
    width = check_count(n, "n", 1, "the width of every hidden layer")
    layers = check_count(L, "L", 1, "the number of hidden layers")
    return result(_parameters(d, width, layers))


def _parameters(n0: Count, n: Count, k: Count) -> Count:
    return (n0 + 1) * n + (k - 1) * (n + 1) * n


def _deep_bound(n0: Count, n: Count, k: Count, which: str, fdiv: FloorDiv) -> Count:
    exponent = (k - 1) if which == "pascanu" else n0 * (k - 1)
    return fdiv(n, n0) ** exponent * binomial_sum(n, n0)


def _ratios(n0: int, n: Count, k: Count, which: str, fdiv: FloorDiv) -> tuple[sp.Expr, sp.Expr]:
    """(ratio at equal units, ratio at equal parameters), with ``fdiv`` for the floors."""
    deep = sp.sympify(_deep_bound(n0, n, k, which, fdiv))
    by_units = sp.sympify(binomial_sum(k * n, n0))
    by_params = sp.sympify(binomial_sum(fdiv(_parameters(n0, n, k), n0 + 1), n0))
    return deep / by_units, deep / by_params


def _limit_over_residues(
    n0: int, width: Count | None, depth: Count | None, which: str, period: int
) -> tuple[sp.Expr, sp.Expr]:
    """Limits of both ratios as the missing one of ``width``/``depth`` grows through integers.

    The growing variable runs over integers, so it is written ``period * q + r`` for each
    residue r. ``period`` is a multiple of every divisor under a floor (n0, n0 + 1), and
    every floored numerator is an integer polynomial in the variable, so on one residue class
    ``floor(a / b) = (a - (a(q=0) mod b)) / b`` exactly: a polynomial in q, no floor left,
    which SymPy's ``limit`` handles reliably (it does not with ``floor``). The limit exists
    when all residue classes agree; otherwise NaN is returned.
    """
    q = sp.Dummy("q", integer=True, nonnegative=True)  # a bound variable, not a user symbol
    found: list[tuple[sp.Expr, sp.Expr]] = []
    for r in range(period):
        var = period * q + r

        def fdiv(a: Count, b: Count) -> Count:
            if is_concrete(a, b):
                return a // b
            a = sp.expand(a)
            return sp.expand((a - int(a.subs(q, 0)) % b) / b)

        n = var if width is None else width
        k = var if depth is None else depth
        pair = []
        for ratio in _ratios(n0, n, k, which, fdiv):
            ratio = sp.cancel(sp.expand_func(ratio.doit()))
            pair.append(sp.limit(ratio, q, sp.oo))
        found.append((pair[0], pair[1]))
    out = []
    for i in range(2):
        values = {f[i] for f in found}
        out.append(values.pop() if len(values) == 1 else sp.nan)
    return out[0], out[1]


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
    n0: int | sp.Expr,
    width: int | sp.Expr,
    depth: int | sp.Expr,
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

    Parameters
    ----------
    n0 : int or sympy.Expr
        Input dimension, >= 1. Limits need it to be an integer.
    width : int or sympy.Expr
        n >= n0 (the bounds' hypothesis).
    depth : int or sympy.Expr
        k >= 1.
    deep_bound : {"pascanu", "montufar"}
        Which deep lower bound to use.
    limits : bool
        Compute the limits (a few SymPy limits per residue class: n0 (n0 + 1) classes for
        the width, n0 + 1 for the depth; keep n0 small). If False they are None.

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
    >>> cmp = deep_vs_shallow(1, 2, 2)     # n = 2 n0: deep wins already at k = 2
    >>> cmp.deep_regions, cmp.equal_units.max_regions, cmp.equal_units.ratio
    (6, 5, 6/5)
    >>> cmp.equal_units.limit_width, cmp.equal_units.limit_depth
    (oo, oo)
    >>> deep_vs_shallow(2, n, 3).equal_units.ratio
    floor(n/2)**2*Sum(binomial(n, j), (j, 0, 2))/Sum(binomial(3*n, j), (j, 0, 2))
    >>> deep_vs_shallow(2, 3, k).equal_units.limit_depth     # n < 2 n0: no gain from depth
    0
    >>> deep_vs_shallow(2, n, 3).equal_parameters.limit_width     # k = n0 + 1: a constant
    9/16
    """
    which = check_choice(deep_bound, "deep_bound", _DEEP_BOUNDS)
    if not isinstance(limits, bool):
        raise TypeError(f"limits must be a bool, got {limits!r} of type {type(limits).__name__}")
    d = check_count(n0, "n0", 1, "the input dimension")
    n = check_count(width, "width", 1, "the width of every hidden layer")
    k = check_count(depth, "depth", 1, "the number of hidden layers")
    require_at_least(n, d, "width", "n0", _HYPOTHESIS)

    deep = result(_deep_bound(d, n, k, which, floor_div))
    params = _parameters(d, n, k)
    shallow_widths = (k * n, floor_div(params, d + 1))

    limit_pairs: list[tuple[sp.Expr | None, sp.Expr | None]] = [(None, None), (None, None)]
    if limits and isinstance(d, int):
        by_width = by_depth = (None, None)
        if isinstance(k, int):
            by_width = _limit_over_residues(d, None, k, which, d * (d + 1))
        if isinstance(n, int):
            by_depth = _limit_over_residues(d, n, None, which, d + 1)
        limit_pairs = [(by_width[0], by_depth[0]), (by_width[1], by_depth[1])]

    comparisons = []
    for s, (lim_w, lim_k) in zip(shallow_widths, limit_pairs):
        regions = result(binomial_sum(s, d))
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
