"""The bounds package: pinned numbers, a brute-force oracle for Serra's bound, properties,
symbolic against exact evaluation, deep-versus-shallow limits, bad input, the benchmark.

Pinned numbers come from tests/reference_numbers.py (the reference sheet's "Numbers to pin",
committed); each was re-derived
by hand from the formula (see the comments).
"""

import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import bounds
from bounds import (
    BoundRow,
    BoundsTable,
    DeepVsShallow,
    ShallowComparison,
    arora_pieces,
    deep_vs_shallow,
    for_network,
    hanin_rolnick_density,
    montufar2017_upper_bound,
    montufar2017_upper_bound_uniform,
    montufar_lower_bound,
    montufar_lower_bound_uniform,
    montufar_trivial_upper_bound,
    montufar_trivial_upper_bound_uniform,
    num_parameters,
    num_parameters_uniform,
    pascanu_lower_bound,
    pascanu_lower_bound_uniform,
    raghu_layerwise_bound,
    raghu_leading_term,
    raghu_u,
    serra_index_set_size,
    serra_lower_bound,
    serra_lower_bound_uniform,
    serra_maxout_upper_bound,
    serra_maxout_upper_bound_uniform,
    serra_one_input_maximum,
    serra_one_input_maximum_uniform,
    serra_upper_bound,
    shallow_max_regions,
    telgarsky_pieces,
    zaslavsky_regions,
)
from bounds.symbols import L, N, d, j, k, m, n, n0, w

from .reference_numbers import BOUNDS, HANIN_ROLNICK_EXAMPLE, TELGARSKY, ZASLAVSKY
from .reference_numbers import SERRA_784 as SERRA_784_TABLE
from regions import random_network

ROOT = Path(__file__).resolve().parents[1]
p = sp.Symbol("p", integer=True, nonnegative=True)  # n = n0 + p encodes n >= n0


def _is_int(value, expected):
    """An exact sympy.Integer equal to ``expected``."""
    return isinstance(value, sp.Integer) and value == expected


# -- numbers pinned in tests/reference_numbers.py ------------------------------------------


ONE_ARGUMENT = {"serra_one_input_maximum", "montufar_trivial_upper_bound"}
"""The bounds of widths alone."""

PINNED = [
    *[(lambda a=args: zaslavsky_regions(*a), v) for args, v in ZASLAVSKY.items()],
    *[(lambda f=f, w=w, n=n: (getattr(bounds, f)(list(w)) if f in ONE_ARGUMENT
                              else getattr(bounds, f)(list(w), n)), v)
      for (f, w, n), v in BOUNDS.items()],
    *[(lambda L=L_: telgarsky_pieces(L), v) for L_, v in TELGARSKY.items()],
    (lambda: hanin_rolnick_density(*HANIN_ROLNICK_EXAMPLE[0]), HANIN_ROLNICK_EXAMPLE[1]),
]
"""The numbers of tests/reference_numbers.py (re-derived there, formula by formula)."""


@pytest.mark.parametrize("value, expected", PINNED)
def test_pinned_numbers(value, expected):
    assert _is_int(value(), expected)


def test_telgarsky_sequence():
    assert [int(telgarsky_pieces(L_)) for L_ in range(1, 7)] == [2, 4, 8, 16, 32, 64]


# Serra et al.'s two-layer MNIST-sized table: n0 = 784, n1 + n2 = 22.
SERRA_784 = [(w, a, b) for w, (a, b) in sorted(SERRA_784_TABLE.items())]


@pytest.mark.parametrize("widths, serra, montufar", SERRA_784, ids=str)
def test_pinned_two_layer_784(widths, serra, montufar):
    assert _is_int(serra_upper_bound(widths, 784), serra)
    assert _is_int(montufar2017_upper_bound(widths, 784), montufar)


def test_pinned_by_hand_derivations():
    # (1, 21): j1 = 0 leaves cap 1: C(1,0) (1 + 21) = 22; j1 = 1 leaves cap 0: 1. Total 23.
    assert serra_upper_bound([1, 21], 784) == 22 + 1
    # (21, 1): j2 <= min(21 - j1, 1): 2 choices unless j1 = 21, so 2 * 2^21 - 1.
    assert serra_upper_bound([21, 1], 784) == 2 * 2**21 - 1
    # Montufar 2017 (8, 14): 2^8 * sum_{j<=8} C(14, j) = 256 * 12911.
    assert montufar2017_upper_bound([8, 14], 784) == 256 * 12911


# -- return types ------------------------------------------------------------------------


INTEGER_CALLS = [
    lambda: zaslavsky_regions(4, 2),
    lambda: shallow_max_regions(5, 2),
    lambda: raghu_u(3, 2, 2),
    lambda: raghu_u(3, 2, 2, "hardtanh"),
    lambda: raghu_layerwise_bound([3, 4], 2),
    lambda: pascanu_lower_bound([4, 4], 2),
    lambda: pascanu_lower_bound_uniform(4, 2, 2),
    lambda: montufar_lower_bound([4, 4], 2),
    lambda: montufar_lower_bound_uniform(4, 2, 2),
    lambda: montufar_trivial_upper_bound([4, 4]),
    lambda: montufar_trivial_upper_bound_uniform(4, 2),
    lambda: montufar2017_upper_bound([4, 4], 2),
    lambda: montufar2017_upper_bound_uniform(4, 2, 2),
    lambda: serra_upper_bound([4, 4], 2),
    lambda: serra_index_set_size([4, 4], 2),
    lambda: serra_lower_bound([6, 6], 2),
    lambda: serra_lower_bound_uniform(6, 2, 2),
    lambda: serra_one_input_maximum([4, 4]),
    lambda: serra_one_input_maximum_uniform(4, 2),
    lambda: serra_maxout_upper_bound([4, 4], 2, 3),
    lambda: serra_maxout_upper_bound_uniform(4, 2, 2, 3),
    lambda: telgarsky_pieces(3),
    lambda: arora_pieces(3, 2),
    lambda: num_parameters([2, 4, 1]),
    lambda: num_parameters_uniform(4, 3, 2),
]


@pytest.mark.parametrize("call", INTEGER_CALLS)
def test_integers_give_sympy_integers(call):
    assert isinstance(call(), sp.Integer)


def test_numpy_and_sympy_integers_are_accepted():
    assert _is_int(serra_upper_bound(np.array([4, 4, 4]), np.int64(2)), 1331)
    assert _is_int(pascanu_lower_bound([sp.Integer(6)] * 3, sp.Integer(2)), 198)


@pytest.mark.parametrize(
    "call, free",
    [
        (lambda: zaslavsky_regions(m, d), {m, d}),
        (lambda: shallow_max_regions(N, n0), {N, n0}),
        (lambda: raghu_u(k, n, m), {n, k, m}),
        (lambda: raghu_leading_term(k, n, m, "hardtanh"), {n, k, m}),
        (lambda: pascanu_lower_bound_uniform(n, L, n0), {n, L, n0}),
        (lambda: pascanu_lower_bound([n, n, n], n0), {n, n0}),
        (lambda: montufar_lower_bound_uniform(n, L, n0), {n, L, n0}),
        (lambda: montufar_trivial_upper_bound_uniform(n, L), {n, L}),
        (lambda: montufar2017_upper_bound_uniform(n, L, n0), {n, L, n0}),
        (lambda: serra_lower_bound_uniform(n, L, n0), {n, L, n0}),
        (lambda: serra_one_input_maximum_uniform(n, L), {n, L}),
        (lambda: serra_maxout_upper_bound_uniform(n, L, n0, k), {n, L, n0, k}),
        (lambda: telgarsky_pieces(L), {L}),
        (lambda: arora_pieces(w, k), {w, k}),
        (lambda: hanin_rolnick_density(N, n0), {N, n0}),
        (lambda: num_parameters_uniform(n, L, n0), {n0, n, L}),
    ],
)
def test_symbols_give_expressions(call, free):
    expr = call()
    assert isinstance(expr, sp.Expr) and not expr.is_number
    assert expr.free_symbols == free


def test_public_names():
    assert set(bounds.__all__) >= {"serra_upper_bound", "deep_vs_shallow", "symbols"}
    assert all(not name.startswith("_") for name in bounds.__all__)
    for name in bounds.__all__:
        assert hasattr(bounds, name)


# -- Serra's upper bound against enumeration of J -----------------------------------------


def serra_by_enumeration(widths, n0_):
    """The definition: enumerate every tuple of the box, keep those in J, sum the products."""
    total = size = 0
    for js in itertools.product(*(range(n_l + 1) for n_l in widths)):
        in_j = all(
            0 <= js[l] <= min([n0_] + [widths[i] - js[i] for i in range(l)] + [widths[l]])
            for l in range(len(widths))
        )
        if in_j:
            size += 1
            total += math.prod(math.comb(n_l, j_l) for n_l, j_l in zip(widths, js))
    return total, size


small_widths = st.lists(st.integers(1, 6), min_size=1, max_size=4)
any_widths = st.lists(st.integers(1, 14), min_size=1, max_size=6)
input_dims = st.integers(1, 7)


@given(small_widths, st.integers(1, 5))
def test_serra_dynamic_programme_matches_enumeration(widths, n0_):
    total, size = serra_by_enumeration(widths, n0_)
    assert serra_upper_bound(widths, n0_) == total
    assert serra_index_set_size(widths, n0_) == size


def test_serra_large_architecture_is_exact_and_quick():
    value = serra_upper_bound([100] * 100, 10)
    # every n_l >= 2 n0: the caps never bind, so it equals Montufar 2017: (sum C(100, j))^100
    assert value == sum(math.comb(100, s) for s in range(11)) ** 100
    assert len(str(value)) == 1329
    assert serra_index_set_size([100] * 100, 10) == 11**100


# -- properties --------------------------------------------------------------------------


@given(any_widths, input_dims)
def test_upper_bounds_are_ordered(widths, n0_):
    serra = serra_upper_bound(widths, n0_)
    montufar = montufar2017_upper_bound(widths, n0_)
    raghu = raghu_layerwise_bound(widths, n0_)
    assert serra <= montufar <= raghu <= montufar_trivial_upper_bound(widths)
    assert raghu <= raghu_layerwise_bound(widths, n0_, "hardtanh")


@given(st.integers(1, 12), st.integers(1, 6), input_dims)
def test_uniform_upper_bounds_below_raghu_u(width, layers, n0_):
    widths = [width] * layers
    assert montufar2017_upper_bound(widths, n0_) <= raghu_u(width, layers, n0_)
    assert raghu_layerwise_bound(widths, n0_) == raghu_u(width, layers, n0_)
    assert raghu_u(width, layers, n0_) <= montufar_trivial_upper_bound_uniform(width, layers)
    assert raghu_layerwise_bound(widths, n0_, "hardtanh") == raghu_u(width, layers, n0_,
                                                                      "hardtanh")


@given(st.lists(st.integers(2, 30), min_size=1, max_size=6))
def test_one_input_serra_is_the_product(widths):
    assert serra_upper_bound(widths, 1) == math.prod(v + 1 for v in widths)


def test_one_input_width_one_layer_is_below_the_product():
    # A width-1 layer leaves a half-line: (1, 1) on one input has at most 3 pieces, not 4.
    assert serra_upper_bound([1, 1], 1) == 3


@given(st.lists(st.integers(3, 30), min_size=1, max_size=6))
def test_one_input_bounds_meet(widths):
    exact = serra_one_input_maximum(widths)
    assert serra_lower_bound(widths, 1) == exact == serra_upper_bound(widths, 1)
    assert montufar_lower_bound(widths, 1) == pascanu_lower_bound(widths, 1) <= exact


@st.composite
def widths_at_least(draw, factor):
    n0_ = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(factor * n0_, factor * n0_ + 8), min_size=1,
                           max_size=5))
    return widths, n0_


@given(widths_at_least(1))
def test_lower_bounds_below_upper_bounds(case):
    widths, n0_ = case
    upper = serra_upper_bound(widths, n0_)
    assert pascanu_lower_bound(widths, n0_) <= montufar_lower_bound(widths, n0_) <= upper


@given(widths_at_least(3))
def test_serra_lower_bound_below_upper(case):
    widths, n0_ = case
    lower = serra_lower_bound(widths, n0_)
    assert montufar_lower_bound(widths, n0_) <= lower <= serra_upper_bound(widths, n0_)


@given(widths_at_least(2))
def test_serra_equals_montufar2017_when_caps_never_bind(case):
    widths, n0_ = case
    assert serra_upper_bound(widths, n0_) == montufar2017_upper_bound(widths, n0_)


@given(st.integers(1, 40), st.integers(1, 40))
def test_one_layer_is_zaslavsky(width, n0_):
    z = zaslavsky_regions(width, n0_)
    assert z == shallow_max_regions(width, n0_)
    assert serra_upper_bound([width], n0_) == z
    assert montufar2017_upper_bound([width], n0_) == z
    assert raghu_u(width, 1, n0_) == z


@given(st.lists(st.integers(1, 8), min_size=1, max_size=4), st.integers(1, 4))
def test_maxout_rank_two_is_relu_montufar2017(widths, n0_):
    # rank 2: one tie hyperplane per unit, like a ReLU
    assert serra_maxout_upper_bound(widths, n0_, 2) == montufar2017_upper_bound(widths, n0_)
    assert serra_maxout_upper_bound(widths, n0_, 3) >= serra_maxout_upper_bound(widths, n0_, 2)


# -- symbolic against exact ----------------------------------------------------------------


def _at(expr, values):
    """Substitute and evaluate the sums: an exact SymPy number."""
    out = expr.subs(values).doit()
    assert out.is_number
    return out


@given(st.integers(1, 5), st.integers(0, 12), st.integers(1, 5))
def test_uniform_symbolic_matches_integers(n0_, extra, layers):
    width = n0_ + extra
    values = {n: width, L: layers, n0: n0_}
    widths = [width] * layers
    pairs = [
        (pascanu_lower_bound_uniform(n, L, n0), pascanu_lower_bound(widths, n0_)),
        (montufar_lower_bound_uniform(n, L, n0), montufar_lower_bound(widths, n0_)),
        (montufar2017_upper_bound_uniform(n, L, n0), montufar2017_upper_bound(widths, n0_)),
        (montufar_trivial_upper_bound_uniform(n, L), montufar_trivial_upper_bound(widths)),
        (raghu_u(n, L, n0), raghu_layerwise_bound(widths, n0_)),
        (raghu_u(n, L, n0, "hardtanh"), raghu_layerwise_bound(widths, n0_, "hardtanh")),
        (serra_maxout_upper_bound_uniform(n, L, n0, 3),
         serra_maxout_upper_bound(widths, n0_, 3)),
        (num_parameters_uniform(n, L, n0), num_parameters([n0_] + widths)),
        (zaslavsky_regions(n, n0), zaslavsky_regions(width, n0_)),
    ]
    if width >= 3 * n0_:
        pairs.append((serra_lower_bound_uniform(n, L, n0), serra_lower_bound(widths, n0_)))
    if n0_ == 1 and width >= 3:
        pairs.append((serra_one_input_maximum_uniform(n, L), serra_upper_bound(widths, 1)))
    for expr, exact in pairs:
        got = _at(expr, values)
        assert isinstance(got, sp.Integer) and got == exact, (expr, got, exact)
    # the uniform functions given integers agree with their list twins
    assert pascanu_lower_bound_uniform(width, layers, n0_) == pascanu_lower_bound(widths, n0_)
    assert montufar2017_upper_bound_uniform(width, layers, n0_) == montufar2017_upper_bound(
        widths, n0_)


@given(st.lists(st.integers(1, 9), min_size=1, max_size=4), st.integers(1, 4), st.integers(2, 4))
def test_symbolic_widths_match_integers(widths, n0_, rank):
    syms = sp.symbols(f"x0:{len(widths)}", integer=True, positive=True)
    values = dict(zip(syms, widths))
    values[n0] = n0_
    pairs = [
        (montufar2017_upper_bound(list(syms), n0), montufar2017_upper_bound(widths, n0_)),
        (raghu_layerwise_bound(list(syms), n0), raghu_layerwise_bound(widths, n0_)),
        (montufar_trivial_upper_bound(list(syms)), montufar_trivial_upper_bound(widths)),
        (serra_maxout_upper_bound(list(syms), n0, rank),
         serra_maxout_upper_bound(widths, n0_, rank)),
        (num_parameters([n0, *syms]), num_parameters([n0_, *widths])),
    ]
    if min(widths) >= n0_:
        pairs.append((pascanu_lower_bound(list(syms), n0), pascanu_lower_bound(widths, n0_)))
        pairs.append((montufar_lower_bound(list(syms), n0), montufar_lower_bound(widths, n0_)))
    for expr, exact in pairs:
        assert _at(expr, values) == exact, (expr, exact)


def test_symbolic_identities():
    zero = sp.Integer(0)
    # One layer: Pascanu's and Montufar's lower bounds are the shallow count.
    assert pascanu_lower_bound_uniform(n, 1, n0) == shallow_max_regions(n, n0)
    assert pascanu_lower_bound([n], n0) == shallow_max_regions(n, n0)
    assert montufar_lower_bound_uniform(n, 1, n0) == shallow_max_regions(n, n0)
    # One layer: Montufar 2017 is Zaslavsky (Min(n0 + p, n0) = n0 for p >= 0).
    assert montufar2017_upper_bound([n0 + p], n0) == zaslavsky_regions(n0 + p, n0)
    assert montufar2017_upper_bound_uniform(n0 + p, 1, n0) == zaslavsky_regions(n0 + p, n0)
    # Raghu with one layer is Zaslavsky; the layerwise count of equal widths is U.
    assert raghu_u(k, 1, m) == zaslavsky_regions(k, m)
    assert raghu_layerwise_bound([k, k, k], m) == raghu_u(k, 3, m)
    # n0 = 1: Montufar 2014 = Pascanu; Serra's lower bound = (n + 1)^L.
    assert montufar_lower_bound_uniform(n, L, 1) == pascanu_lower_bound_uniform(n, L, 1)
    assert sp.simplify(serra_lower_bound_uniform(n, L, 1).doit()
                       - serra_one_input_maximum_uniform(n, L)) == zero
    # Arora with w = 2 is Telgarsky; Montufar 2017 uniform is a power of one layer.
    assert arora_pieces(2, L) == telgarsky_pieces(L)
    assert (montufar2017_upper_bound_uniform(n, L, n0)
            == montufar2017_upper_bound_uniform(n, 1, n0) ** L)
    # Rank-2 maxout is ReLU.
    assert serra_maxout_upper_bound_uniform(n, L, n0, 2) == montufar2017_upper_bound_uniform(
        n, L, n0)
    # n0 = 2 expanded: the partial binomial sum is a polynomial.
    assert sp.expand(sp.expand_func(zaslavsky_regions(m, 2).doit())
                     - (1 + m + m * (m - 1) / 2)) == zero


@pytest.mark.parametrize("layers, dim, activation", [(1, 1, "relu"), (3, 2, "relu"),
                                                     (2, 3, "hardtanh"), (2, 2, "hardtanh")])
def test_raghu_leading_term(layers, dim, activation):
    u = sp.expand_func(raghu_u(k, layers, dim, activation).doit())
    lead = raghu_leading_term(k, layers, dim, activation)
    assert sp.limit(sp.cancel(u / lead), k, sp.oo) == 1
    assert sp.degree(sp.expand(u), k) == layers * dim  # O(k^{mn})
    h = 1 if activation == "relu" else 2
    assert lead == (h * k) ** (dim * layers) / sp.factorial(dim) ** layers


def test_raghu_leading_term_exact_value():
    assert raghu_leading_term(4, 2, 2) == sp.Rational(64)
    assert raghu_leading_term(3, 1, 2) == sp.Rational(9, 2)


# -- parameters --------------------------------------------------------------------------


@given(st.lists(st.integers(1, 9), min_size=2, max_size=5))
def test_num_parameters_counts_a_real_network(widths):
    net = random_network(widths, "relu", seed=0)
    real = sum(np.size(wt) + np.size(b) for wt, b in zip(net.weights, net.biases))
    assert _is_int(num_parameters(widths), real)


# -- deep versus shallow -----------------------------------------------------------------


def test_deep_vs_shallow_is_a_frozen_dataclass():
    cmp = deep_vs_shallow(2, 2, 1)
    assert isinstance(cmp, DeepVsShallow)
    assert isinstance(cmp.equal_units, ShallowComparison)
    with pytest.raises(AttributeError):
        cmp.deep_regions = 0
    assert (cmp.n0, cmp.width, cmp.depth, cmp.units, cmp.parameters) == (1, 2, 2, 4, 10)
    assert cmp.equal_parameters.width == 5 and cmp.equal_parameters.parameters == 10


def test_deep_vs_shallow_concrete_numbers():
    # n0 = 1, n = 2 n0 = 2, k = 2: deep >= 2 * 3 = 6, shallow with 4 units: 5.
    cmp = deep_vs_shallow(2, 2, 1)
    assert (cmp.deep_regions, cmp.equal_units.max_regions) == (6, 5)
    assert cmp.equal_units.ratio == sp.Rational(6, 5) and cmp.equal_units.deep_wins
    # k = 3: 12 against 7.
    assert deep_vs_shallow(2, 3, 1).equal_units.ratio == sp.Rational(12, 7)
    # n0 = 2, n = 4: with Pascanu's bound deep wins from k = 6 (352 against 301) ...
    ratios = [deep_vs_shallow(4, kk, 2, limits=False).equal_units.ratio for kk in range(1, 7)]
    assert ratios[0] == 1 and all(r < 1 for r in ratios[1:5])
    assert ratios[5] == sp.Rational(352, 301)
    # ... with Montufar et al.'s bound from k = 2 (44 against 37).
    mont = deep_vs_shallow(4, 2, 2, deep_bound="montufar", limits=False)
    assert mont.deep_regions == 44 and mont.equal_units.max_regions == 37
    assert mont.equal_units.deep_wins
    # equal parameters, n0 = 1, n = 2, k = 3: P = 4 + 2*6 = 16, shallow width 8, 9 regions.
    par = deep_vs_shallow(2, 3, 1).equal_parameters
    assert (par.width, par.max_regions, par.ratio) == (8, 9, sp.Rational(12, 9))


def test_deep_vs_shallow_n_equals_2n0_wins_at_small_depth():
    for n0_ in range(1, 7):
        cmp = deep_vs_shallow(2 * n0_, 3, n0_, deep_bound="montufar", limits=False)
        assert cmp.equal_units.deep_wins, n0_


@pytest.mark.parametrize("n0_, depth", [(1, 2), (1, 3), (2, 2), (2, 3), (3, 2)])
@pytest.mark.parametrize("deep_bound", ["pascanu", "montufar"])
def test_ratio_grows_with_width(n0_, depth, deep_bound):
    assert deep_vs_shallow(n, depth, n0_, deep_bound=deep_bound).equal_units.limit_width == sp.oo


@pytest.mark.parametrize("n0_, width", [(1, 2), (1, 3), (2, 4), (2, 5), (3, 6)])
@pytest.mark.parametrize("deep_bound", ["pascanu", "montufar"])
def test_ratio_grows_with_depth_when_width_at_least_2n0(n0_, width, deep_bound):
    cmp = deep_vs_shallow(width, k, n0_, deep_bound=deep_bound)
    assert cmp.equal_units.limit_depth == sp.oo
    assert cmp.equal_parameters.limit_depth == sp.oo
    assert cmp.equal_units.limit_width is None


@pytest.mark.parametrize("n0_, width", [(2, 2), (2, 3), (3, 5)])
def test_depth_does_not_help_below_2n0(n0_, width):
    cmp = deep_vs_shallow(width, k, n0_)
    assert cmp.equal_units.limit_depth == 0 and cmp.equal_parameters.limit_depth == 0


@pytest.mark.parametrize(
    "n0_, depth, expected",
    [(1, 2, sp.Integer(2)), (1, 3, sp.oo), (2, 2, sp.Integer(0)), (2, 3, sp.Rational(9, 16)),
     (2, 4, sp.oo)],
)
def test_equal_parameters_width_limit(n0_, depth, expected):
    cmp = deep_vs_shallow(n, depth, n0_)
    assert cmp.equal_parameters.limit_width == expected
    if expected.is_finite:
        # the concrete ratio at a large width is close to the limit
        big = deep_vs_shallow(10**6 * n0_ * (n0_ + 1) + 1, depth, n0_, limits=False)
        assert abs(float(big.equal_parameters.ratio) - float(expected)) < 1e-3


def test_depth_one_ratio_is_one():
    cmp = deep_vs_shallow(n, 1, 2)
    assert cmp.equal_units.limit_width == 1 and cmp.equal_parameters.limit_width == 1
    assert deep_vs_shallow(7, 1, 2, limits=False).equal_units.ratio == 1


@given(st.integers(1, 3), st.integers(0, 10), st.integers(1, 5))
def test_deep_vs_shallow_symbolic_matches_concrete(n0_, extra, depth):
    width = n0_ + extra
    concrete = deep_vs_shallow(width, depth, n0_, limits=False)
    symbolic = deep_vs_shallow(n, k, n0, limits=False)
    values = {n0: n0_, n: width, k: depth}
    for field in ("deep_regions", "units", "parameters"):
        assert _at(getattr(symbolic, field), values) == getattr(concrete, field)
    for part in ("equal_units", "equal_parameters"):
        for field in ("width", "max_regions", "ratio"):
            got = _at(getattr(getattr(symbolic, part), field), values)
            assert got == getattr(getattr(concrete, part), field), (part, field)
    assert symbolic.equal_units.limit_width is None and symbolic.equal_units.deep_wins is None


def test_symbolic_n0_has_no_limits():
    cmp = deep_vs_shallow(4 * n0, 3, n0)
    assert cmp.equal_units.limit_width is None and cmp.equal_units.limit_depth is None


# -- bad input ---------------------------------------------------------------------------


BAD = [
    # (call, exception, regex naming the argument)
    (lambda: zaslavsky_regions(-1, 2), ValueError, r"num_hyperplanes .*at least 0, got -1"),
    (lambda: zaslavsky_regions(3, 0), ValueError, r"dim .*at least 1, got 0"),
    (lambda: zaslavsky_regions(2.5, 2), TypeError, r"num_hyperplanes .*integer.*2\.5.*float"),
    (lambda: zaslavsky_regions(4.0, 2), TypeError, r"num_hyperplanes .*float"),
    (lambda: zaslavsky_regions(sp.Rational(5, 2), 2), ValueError,
     r"num_hyperplanes .*must be an integer, got the SymPy number 5/2"),
    (lambda: zaslavsky_regions(sp.Symbol("x", integer=False), 2), ValueError,
     r"num_hyperplanes .*integer-valued"),
    (lambda: zaslavsky_regions(j, 2), ValueError, r"num_hyperplanes .*summation index"),
    (lambda: zaslavsky_regions(sp.Symbol("x", negative=True), 2), ValueError,
     r"num_hyperplanes .*below 0"),
    (lambda: shallow_max_regions(0, 2), ValueError, r"units .*at least 1, got 0"),
    (lambda: shallow_max_regions(3, True), TypeError, r"n0 .*got True of type bool"),
    (lambda: raghu_u(3, 0, 2), ValueError, r"n \(the number of hidden layers\).*got 0"),
    (lambda: raghu_u(-3, 2, 2), ValueError, r"k \(the width.*got -3"),
    (lambda: raghu_u(3, 2, 0), ValueError, r"m \(the input dimension\).*got 0"),
    (lambda: raghu_u(3, 2, 2, "tanh"), ValueError, r"activation must be one of.*'tanh'"),
    (lambda: raghu_u(3, 2, 2, None), TypeError, r"activation must be one of.*None"),
    (lambda: raghu_leading_term("3", 2, 2), TypeError, r"k .*'3' of type str"),
    (lambda: raghu_layerwise_bound([3, 0], 2), ValueError, r"widths\[1\] .*at least 1, got 0"),
    (lambda: raghu_layerwise_bound([3], 2, "sigmoid"), ValueError, r"activation"),
    (lambda: pascanu_lower_bound([4, 1, 4], 2), ValueError,
     r"widths\[1\] must be >= n0 = 2 \(Pascanu.*\), got widths\[1\] = 1"),
    (lambda: pascanu_lower_bound([4, 4], 0), ValueError, r"n0 \(the input dimension\).*got 0"),
    (lambda: pascanu_lower_bound([], 2), ValueError, r"widths must list at least one"),
    (lambda: pascanu_lower_bound(4, 2), TypeError, r"widths must be a sequence.*4 of type int"),
    (lambda: pascanu_lower_bound("44", 2), TypeError, r"widths must be a sequence"),
    (lambda: pascanu_lower_bound(n, 2), TypeError, r"widths must be a sequence"),
    (lambda: pascanu_lower_bound(np.ones((2, 2), dtype=int), 2), TypeError,
     r"widths must be a 1-D.*shape \(2, 2\)"),
    (lambda: pascanu_lower_bound([4, -4], 2), ValueError, r"widths\[1\] .*got -4"),
    (lambda: pascanu_lower_bound([4, None], 2), TypeError, r"widths\[1\] .*None"),
    (lambda: pascanu_lower_bound_uniform(1, 3, 2), ValueError,
     r"n must be >= n0 = 2 .*got n = 1"),
    (lambda: pascanu_lower_bound_uniform(n0 - 1, L, n0), ValueError,
     r"n must be >= n0 .*got n = n0 - 1"),
    (lambda: pascanu_lower_bound_uniform(n, 0, n0), ValueError, r"L \(the number.*got 0"),
    (lambda: montufar_lower_bound([4, 1, 4], 2), ValueError,
     r"widths\[1\] must be >= n0 = 2 \(Montufar et al\. 2014, Theorem 4.*got widths\[1\] = 1"),
    (lambda: montufar_lower_bound([4, 4], 2.0), TypeError, r"n0 .*float"),
    (lambda: montufar_lower_bound_uniform(3, 2, 4), ValueError, r"n must be >= n0 = 4"),
    (lambda: montufar_trivial_upper_bound([0]), ValueError, r"widths\[0\] .*got 0"),
    (lambda: montufar_trivial_upper_bound_uniform(3, -1), ValueError, r"L .*got -1"),
    (lambda: montufar2017_upper_bound([4, 4], -2), ValueError, r"n0 .*got -2"),
    (lambda: montufar2017_upper_bound({4, 4}, 2), TypeError, r"widths must be a sequence"),
    (lambda: montufar2017_upper_bound_uniform(0, 2, 2), ValueError, r"n \(the width.*got 0"),
    (lambda: serra_upper_bound([n, 3], 2), TypeError,
     r"widths\[0\] must be a concrete integer for serra_upper_bound.*got the SymPy "
     r"expression n"),
    (lambda: serra_upper_bound([3, 3], n0), TypeError, r"n0 must be a concrete integer"),
    (lambda: serra_upper_bound([3, 3], 0), ValueError, r"n0 .*got 0"),
    (lambda: serra_upper_bound([3, 1.5], 2), TypeError, r"widths\[1\] .*1\.5.*float"),
    (lambda: serra_index_set_size([3, 0], 2), ValueError, r"widths\[1\] .*got 0"),
    (lambda: serra_lower_bound([6, 5], 2), ValueError,
     r"widths\[1\] must be >= 3 n0 = 6 \(Serra.*\), got widths\[1\] = 5"),
    (lambda: serra_lower_bound_uniform(5, 2, 2), ValueError, r"n must be >= 3 n0 = 6"),
    (lambda: serra_one_input_maximum([4, 2]), ValueError,
     r"widths\[1\] must be >= 3 .*n0 = 1.*got widths\[1\] = 2"),
    (lambda: serra_one_input_maximum_uniform(2, 3), ValueError, r"n must be >= 3"),
    (lambda: serra_maxout_upper_bound([3], 2, 1), ValueError, r"rank .*at least 2, got 1"),
    (lambda: serra_maxout_upper_bound_uniform(3, 2, 2, "2"), TypeError, r"rank .*str"),
    (lambda: telgarsky_pieces(0), ValueError, r"L .*at least 1, got 0"),
    (lambda: telgarsky_pieces(2.0), TypeError, r"L .*float"),
    (lambda: arora_pieces(1, 3), ValueError, r"w .*at least 2, got 1"),
    (lambda: arora_pieces(3, 0), ValueError, r"k .*at least 1, got 0"),
    (lambda: hanin_rolnick_density(0, 2), ValueError, r"num_neurons .*got 0"),
    (lambda: hanin_rolnick_density(96, sp.oo), ValueError, r"n0 .*SymPy number oo"),
    (lambda: num_parameters([3]), ValueError, r"widths must list the input width and at least"),
    (lambda: num_parameters([3, 0]), ValueError, r"widths\[1\] .*got 0"),
    (lambda: num_parameters_uniform(3, 2, 0), ValueError, r"n0 .*got 0"),
    (lambda: deep_vs_shallow(1, 3, 2), ValueError, r"width must be >= n0 = 2 .*got width = 1"),
    (lambda: deep_vs_shallow(1, 3, 0), ValueError, r"n0 .*got 0"),
    (lambda: deep_vs_shallow(4, 0, 2), ValueError, r"depth .*got 0"),
    (lambda: deep_vs_shallow(4, 3, 2, deep_bound="serra"), ValueError,
     r"deep_bound must be one of \['pascanu', 'montufar'\], got 'serra'"),
    (lambda: deep_vs_shallow(4, 3, 2, limits="yes"), TypeError, r"limits must be a bool"),
    (lambda: deep_vs_shallow(4.0, 3, 2), TypeError, r"width .*float"),
    # for_network: the network (Network, Graph or widths) and n0
    (lambda: for_network("relu"), TypeError, r"net must be a regions.Network.*str"),
    (lambda: for_network(3), TypeError, r"net must be .*int"),
    (lambda: for_network([2, 4]), ValueError, r"at least one hidden layer.*2 width"),
    (lambda: for_network([2, 0, 1]), ValueError, r"net\[1\].*at least 1, got 0"),
    (lambda: for_network([2, 4, 1], 3), ValueError, r"n0 must be at most the input size 2"),
    (lambda: for_network([2, 4, 1], 0), ValueError, r"n0 .*at least 1, got 0"),
    (lambda: for_network([2, 4, 1], 1.0), TypeError, r"n0 .*float"),
    (lambda: for_network([2, n, 1]), TypeError, r"net\[1\] must be a concrete integer"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# -- the benchmark runs ------------------------------------------------------------------


def _benchmark(name):
    """The script benchmarks/<name>.py as a module."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark",
                                                  ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_quick(capsys):
    out = _benchmark("serra_upper_bound").main(["--quick"])
    assert out["value"] == serra_upper_bound([out["width"]] * out["layers"], out["n0"])
    assert out["digits"] == len(str(out["value"]))
    assert out["index_set_size"] == serra_index_set_size([out["width"]] * out["layers"],
                                                         out["n0"])
    text = capsys.readouterr().out
    assert "digits" in text and "|J|" in text and "agrees" in text


@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.integers(5, 12))
def test_serra_dynamic_programme_with_n0_above_the_widths(widths, n0_):
    # caps then come from the widths alone (n0 = 784-like): the "moves" of the programme
    total, size = serra_by_enumeration(widths, n0_)
    assert serra_upper_bound(widths, n0_) == total
    assert serra_index_set_size(widths, n0_) == size


# -- answers at any size (issue 16, item 6) -------------------------------------------------


def _timed(call, seconds=10.0):
    """Run ``call``; the work is milliseconds by construction, the margin is for a busy CI."""
    import time

    start = time.perf_counter()
    try:
        return call()
    finally:
        assert time.perf_counter() - start < seconds


@given(st.integers(0, 260), st.integers(1, 300))
def test_binomial_sums_against_math_comb(m_, d_):
    # closed forms (d >= m, the middle, the complement) and binary splitting (d >= 32)
    assert zaslavsky_regions(m_, d_) == sum(math.comb(m_, s) for s in range(min(m_, d_) + 1))


@pytest.mark.parametrize("m_", [99, 100, 101, 1000, 1001, 4000, 4001])
def test_binomial_sums_around_the_middle(m_):
    # below the middle and near it: summed downwards from C(m, floor((m-1)/2)), which comes
    # from its prime factorisation when above 255
    for d_ in [*range(m_ // 2 - 3, m_ // 2 + 4), (m_ // 2) * 9 // 10, m_ // 3]:
        assert zaslavsky_regions(m_, d_) == sum(math.comb(m_, s) for s in range(d_ + 1))


@pytest.mark.parametrize("m_, d_", [(2 * 10**6, 10**6 - 5), (2 * 10**6 + 1, 10**6 - 7)])
def test_binomial_sums_near_the_middle_at_two_million(m_, d_):
    # Pascal's rule across parities (m even and m - 1 odd take different closed forms)
    value = _timed(lambda: zaslavsky_regions(m_, d_))
    assert value == zaslavsky_regions(m_ - 1, d_) + zaslavsky_regions(m_ - 1, d_ - 1)
    assert value.p.bit_length() == m_ - 1  # just below 2^(m-1), the sum up to the middle


def test_zaslavsky_at_a_million():
    assert _timed(lambda: zaslavsky_regions(10**6, 10**6)) == 2**10**6
    assert _timed(lambda: zaslavsky_regions(32000, 32000)) == 2**32000
    assert _timed(lambda: zaslavsky_regions(2 * 10**6 + 1, 10**6)) == 2 ** (2 * 10**6)
    # Pascal's rule, an identity the code does not use: r(m, d) = r(m - 1, d) + r(m - 1, d - 1)
    m_, d_ = 10**5, 1000
    assert _timed(lambda: zaslavsky_regions(m_, d_)) == (
        zaslavsky_regions(m_ - 1, d_) + zaslavsky_regions(m_ - 1, d_ - 1))


def test_serra_at_a_million():
    assert _timed(lambda: serra_upper_bound([10**6], 10**6)) == 2**10**6
    # every n_l >= 2 n0: Montufar 2017's product, computed independently
    widths = [10**5, 3 * 10**5]
    assert _timed(lambda: serra_upper_bound(widths, 500)) == montufar2017_upper_bound(widths, 500)
    value = _timed(lambda: serra_upper_bound([4096] * 3, 784))
    assert value == montufar2017_upper_bound([4096] * 3, 784)


@pytest.mark.parametrize(
    "call, argument, digits",
    [
        (lambda: telgarsky_pieces(10**15), "L=1000000000000000", "3.01e+14 decimal digits"),
        (lambda: montufar_lower_bound_uniform(4, 10**12, 2), "L=1000000000000",
         "6.02e+11 decimal digits"),
        (lambda: deep_vs_shallow(4, 10**12, 2), "depth=1000000000000", "decimal digits"),
        (lambda: montufar_trivial_upper_bound([10**9] * 3), "widths=", "9.03e+08 decimal digits"),
        (lambda: zaslavsky_regions(10**9, 10**9), "num_hyperplanes=1000000000",
         "3.01e+08 decimal digits"),
        (lambda: raghu_u(10**6, 10**7, 2), "n=10000000", "decimal digits"),
        (lambda: arora_pieces(3, 10**9), "k=1000000000", "4.77e+08 decimal digits"),
        (lambda: serra_one_input_maximum_uniform(10, 10**8), "L=100000000", "decimal digits"),
        (lambda: hanin_rolnick_density(10**6, 10**7), "n0=10000000", "decimal digits"),
        (lambda: serra_upper_bound([10**6, 10**6], 10**6), "widths=[1000000, 1000000]",
         "row of 1000001 binomials"),
    ],
)
def test_too_large_is_refused_up_front(call, argument, digits):
    with pytest.raises(OverflowError, match="decimal digits") as info:
        _timed(call, 5.0)
    text = str(info.value)
    assert argument in text and digits in text and "to store" in text


def test_deep_vs_shallow_a_million_layers():
    cmp = _timed(lambda: deep_vs_shallow(4, 10**6, 2))
    # Pascanu: floor(4/2)^(k - 1) * (1 + 4 + 6); shallow: 4k units on 2 inputs
    assert cmp.deep_regions == 2 ** (10**6 - 1) * 11
    units = 4 * 10**6
    assert cmp.equal_units.max_regions == 1 + units + units * (units - 1) // 2
    assert cmp.equal_units.limit_width == sp.oo and cmp.equal_units.limit_depth == sp.oo


def _limits_by_sympy(n0_, width, depth, which):
    """Oracle: SymPy's ``limit`` of both ratios, the growing variable written period*q + r
    over each residue class r so that the floors become polynomials (the method the package
    used before its closed forms)."""
    q = sp.Dummy("q", integer=True, nonnegative=True)
    period = n0_ * (n0_ + 1) if width is None else n0_ + 1
    found = []
    for r in range(period):
        var = period * q + r
        n_ = var if width is None else width
        k_ = var if depth is None else depth

        def fdiv(a, b):
            a = sp.expand(sp.sympify(a))
            if a.is_number:
                return a // b
            return sp.expand((a - int(a.subs(q, 0)) % b) / b)

        exponent = (k_ - 1) if which == "pascanu" else n0_ * (k_ - 1)
        deep = fdiv(n_, n0_) ** exponent * sp.Sum(sp.binomial(n_, j), (j, 0, n0_))
        params = (n0_ + 1) * n_ + (k_ - 1) * (n_ + 1) * n_
        shallow = [k_ * n_, fdiv(params, n0_ + 1)]
        pair = []
        for s in shallow:
            ratio = deep / sp.Sum(sp.binomial(s, j), (j, 0, n0_))
            ratio = sp.cancel(sp.expand_func(ratio.doit()))
            pair.append(sp.limit(ratio, q, sp.oo))
        found.append(tuple(pair))
    return tuple({f[i] for f in found}.pop() if len({f[i] for f in found}) == 1 else sp.nan
                 for i in range(2))


@pytest.mark.parametrize("which", ["pascanu", "montufar"])
@pytest.mark.parametrize("n0_, depth", [(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (2, 4)])
def test_width_limits_match_sympy(which, n0_, depth):
    cmp = deep_vs_shallow(n, depth, n0_, deep_bound=which)
    oracle = _limits_by_sympy(n0_, None, depth, which)
    assert (cmp.equal_units.limit_width, cmp.equal_parameters.limit_width) == oracle


@pytest.mark.parametrize("which", ["pascanu", "montufar"])
@pytest.mark.parametrize("n0_, width", [(1, 1), (1, 2), (2, 3), (2, 4), (3, 5)])
def test_depth_limits_match_sympy(which, n0_, width):
    cmp = deep_vs_shallow(width, k, n0_, deep_bound=which)
    oracle = _limits_by_sympy(n0_, width, None, which)
    assert (cmp.equal_units.limit_depth, cmp.equal_parameters.limit_depth) == oracle


def test_reordered_functions_keep_their_keywords():
    # the names kept their meaning, so keyword calls written for the old order still agree
    assert raghu_u(n=3, k=4, m=1) == raghu_u(4, 3, 1) == 125
    assert raghu_leading_term(n=2, k=4, m=2) == raghu_leading_term(4, 2, 2) == 64
    assert num_parameters_uniform(n0=2, n=4, L=3) == num_parameters_uniform(4, 3, 2) == 52
    old = deep_vs_shallow(n0=1, width=2, depth=2)
    assert old == deep_vs_shallow(2, 2, 1) and old.equal_units.ratio == sp.Rational(6, 5)


def test_old_positional_order_error_says_the_order_changed():
    with pytest.raises(ValueError, match=r"deep_vs_shallow\(width, depth, n0\)"):
        deep_vs_shallow(2, 4, 3)  # meant n0=2, width=4, depth=3 in the old order


# -- for_network (issue 16, item 1) ----------------------------------------------------------


EXPECTED_ROWS = {
    "montufar_trivial_upper_bound", "raghu_layerwise_bound", "montufar2017_upper_bound",
    "serra_upper_bound", "pascanu_lower_bound", "montufar_lower_bound", "serra_lower_bound",
    "shallow_max_regions", "serra_one_input_maximum", "hanin_rolnick_density",
}


@given(st.lists(st.integers(1, 9), min_size=1, max_size=4), st.integers(1, 4), st.data())
def test_for_network_against_the_bound_functions(hidden, input_size, data):
    n0_ = data.draw(st.integers(1, input_size))
    widths = [input_size] + hidden + [1]
    net = random_network(widths, "relu", seed=0)
    for table in (for_network(net, n0_), for_network(widths, n0_)):
        assert isinstance(table, BoundsTable) and table.n0 == n0_
        assert table.hidden_widths == tuple(hidden) and table.input_size == input_size
        assert {r.name for r in table} == EXPECTED_ROWS
        rows = {r.name: r for r in table}
        wide, wide3 = all(v >= n0_ for v in hidden), all(v >= 3 * n0_ for v in hidden)
        expect = {
            "montufar_trivial_upper_bound": (True, montufar_trivial_upper_bound(hidden)),
            "raghu_layerwise_bound": (True, raghu_layerwise_bound(hidden, n0_)),
            "montufar2017_upper_bound": (True, montufar2017_upper_bound(hidden, n0_)),
            "serra_upper_bound": (True, serra_upper_bound(hidden, n0_)),
            "pascanu_lower_bound": (wide, wide and pascanu_lower_bound(hidden, n0_)),
            "montufar_lower_bound": (wide, wide and montufar_lower_bound(hidden, n0_)),
            "serra_lower_bound": (wide3, wide3 and serra_lower_bound(hidden, n0_)),
            "shallow_max_regions": (len(hidden) == 1, shallow_max_regions(hidden[0], n0_)),
            "hanin_rolnick_density": (True, hanin_rolnick_density(sum(hidden), n0_)),
        }
        one = n0_ == 1 and all(v >= 3 for v in hidden)
        expect["serra_one_input_maximum"] = (one, one and serra_one_input_maximum(hidden))
        for name, (holds, value) in expect.items():
            row = rows[name]
            assert row.holds is holds, name
            assert row.value == (value if holds else None), name
            assert (row.note == "") is holds
        # the default n0 is the input size
        assert for_network(net).n0 == input_size


def test_for_network_table_is_immutable_and_ordered_upper_over_lower():
    table = for_network([3, 6, 6, 6, 1])
    assert isinstance(table[0], BoundRow) and len(table) == len(list(table)) == 10
    with pytest.raises(AttributeError):
        table.rows = ()
    with pytest.raises(AttributeError):
        table[0].value = 0
    upper = min(r.value for r in table if r.kind == "upper")
    assert all(r.value <= upper for r in table if r.kind in ("lower", "exact") and r.holds)
    assert "serra_upper_bound" in str(table) and "n0 = 3" in str(table)


def test_for_network_counts_sit_below_the_upper_bounds_along_a_line():
    from fractions import Fraction as F

    from regions import Line, trace

    net = random_network([5, 6, 6, 1], "relu", seed=3)
    count = trace(net, Line([F(0)] * 5, [F(1)] * 5)).num_pieces
    table = for_network(net, n0=1)  # a line is an n0 = 1 question
    assert count <= table.value("serra_upper_bound") == 49
    assert table.value("serra_one_input_maximum") == 49


def test_for_network_hard_tanh_and_graph():
    hard = random_network([2, 4, 4, 1], "hardtanh", seed=0)
    rows = {r.name: r for r in for_network(hard)}
    assert rows["raghu_layerwise_bound"].value == raghu_layerwise_bound([4, 4], 2, "hardtanh")
    assert rows["serra_upper_bound"].holds is False and rows["serra_upper_bound"].value is None
    assert rows["montufar_lower_bound"].holds is False
    from regions import as_graph

    net = random_network([2, 4, 4, 1], "relu", seed=0)
    graph_rows = {r.name: r for r in for_network(as_graph(net))}
    assert graph_rows["raghu_layerwise_bound"].holds is True
    assert graph_rows["serra_upper_bound"].holds is None  # skip connections not checked
    assert graph_rows["serra_upper_bound"].value == serra_upper_bound([4, 4], 2)


def test_for_network_reports_too_large_rows_without_failing():
    rows = {r.name: r for r in for_network([4, 10**8, 10**8, 1])}
    assert rows["montufar_trivial_upper_bound"].value is None
    assert "decimal digits" in rows["montufar_trivial_upper_bound"].note


def test_for_network_dataframe():
    pd = pytest.importorskip("pandas")
    frame = for_network([2, 4, 4, 1]).to_dataframe()
    assert isinstance(frame, pd.DataFrame) and list(frame["name"])[0] == (
        "montufar_trivial_upper_bound")


def test_import_bounds_imports_no_optional_extra():
    import subprocess
    import sys

    code = ("import sys, bounds, regions; bad = [m for m in ('pandas', 'torch', 'dask') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout + out.stderr




def test_bounds_at_scale_benchmark_quick(capsys):
    module = _benchmark("bounds_at_scale")
    out = module.main(["--quick"])
    assert set(out["calls"]) == {name for name, _ in module.CALLS}
    assert out["ratio"] > 1
    text = capsys.readouterr().out
    assert "refused" in text and "answered" in text and "equal" in text


def test_for_network_maxout_graph():
    from fractions import Fraction as F

    from regions import Line, trace
    from regions.graph import GraphBuilder
    from regions.operators import Dense

    units, rank = 3, 3
    b = GraphBuilder((1,))  # each unit: the envelope of rank tangents of x^2 (distinct kinks)
    cs = [F(i, units * rank) for i in range(units * rank)]
    h = b.affine(b.input, Dense(np.array([[2 * c] for c in cs], dtype=object)),
                 np.array([-c * c for c in cs], dtype=object))
    g = b.build(b.dense(b.maxout(h, rank), np.array([[F(1)] * units], dtype=object)))
    rows = {r.name: r for r in for_network(g)}
    assert rows["serra_maxout_upper_bound"].value == serra_maxout_upper_bound([units], 1, rank)
    assert rows["serra_maxout_upper_bound"].holds is None  # a Graph: chain not checked
    assert rows["serra_upper_bound"].holds is False  # ReLU-type bounds do not apply
    assert trace(g, Line([F(0)], [F(1)])).num_pieces <= rows["serra_maxout_upper_bound"].value
