"""Exact quadratic irrationals (regions._quadratic), against independent oracles.

SymPy's exact algebraic numbers decide signs and roots (its zero test for algebraic numbers
is exact); Python's ``decimal`` at 100 digits gives sort keys and correctly rounded floats.
Neither is used by the module itself.
"""

import math
import pickle
import random
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, example, given
from hypothesis import strategies as st

from regions._quadratic import (
    IdenticallyZeroError,
    QuadraticIrrational,
    argsort,
    as_quadratic,
    compare,
    rational_between,
    roots_in_interval,
    sign,
    sort,
    to_float,
    unique,
)

F = Fraction
Q = QuadraticIrrational
INF = math.inf


# -- oracles -----------------------------------------------------------------------------


def sym(x):
    """An exact SymPy number for an int, Fraction or QuadraticIrrational."""
    if isinstance(x, QuadraticIrrational):
        return sp.Rational(x.p.numerator, x.p.denominator) + sp.Rational(
            x.q.numerator, x.q.denominator
        ) * sp.sqrt(x.d)
    x = F(x)
    return sp.Rational(x.numerator, x.denominator)


def sym_sign(expr):
    s = sp.sign(expr)
    assert s in (-1, 0, 1), expr
    return int(s)


def dec(x, digits=100):
    """x to ``digits`` significant digits (from the normalised parts, so equal normalised
    numbers get equal keys)."""
    with localcontext() as ctx:
        ctx.prec = digits + 10
        x = as_quadratic(x)
        v = Decimal(x.p.numerator) / Decimal(x.p.denominator)
        if x.q:
            v += Decimal(x.q.numerator) / Decimal(x.q.denominator) * Decimal(x.d).sqrt()
        ctx.prec = digits
        return +v


# -- strategies --------------------------------------------------------------------------

rationals = st.fractions(min_value=-50, max_value=50, max_denominator=1000)
small_rationals = st.fractions(min_value=-5, max_value=5, max_denominator=12)
radicands = st.one_of(
    st.integers(0, 60),
    st.integers(0, 10**6),
    st.sampled_from([2, 3, 5, 8, 12, 18, 50, 98, 2 * 4099**2, 3 * 2**40, 4099**2]),
    st.fractions(min_value=0, max_value=100, max_denominator=50),
)
quadratics = st.builds(Q, rationals, rationals, radicands)
# few distinct values, so that pairs often share parts and equal numbers occur
small_quadratics = st.builds(
    Q, small_rationals, small_rationals, st.sampled_from([0, 1, 2, 3, 8, 12, 18, 27, 4, 50])
)


@st.composite
def quadratic_roots(draw):
    """Roots of rational quadratics, the way the arc engine produces them."""
    A, B, C = (draw(rationals) for _ in range(3))
    assume(A != 0 or B != 0 or C != 0)
    roots = roots_in_interval(A, B, C)
    assume(roots)
    return draw(st.sampled_from(roots))


any_quadratic = st.one_of(quadratics, small_quadratics, quadratic_roots())


@st.composite
def equal_rewritings(draw):
    """(x, y): one number written twice, p + q sqrt(d) = p + (q/k) sqrt(k**2 d)."""
    p, q = draw(rationals), draw(rationals)
    d = draw(st.integers(0, 5000))
    k = draw(st.integers(1, 60))
    return Q(p, q, d), Q(p, F(q, k), d * k * k)


# -- the value type: normalisation, equality, hashing ---------------------------------------


@pytest.mark.parametrize(
    "args, parts",
    [
        ((0, 1, 8), (0, 2, 2)),
        ((1, 2, 8), (1, 4, 2)),
        ((3, 0, 7), (3, 0, 1)),
        ((1, 2, 9), (7, 0, 1)),
        ((1, 5, 0), (1, 0, 1)),
        ((F(1, 2), -1, 12), (F(1, 2), -2, 3)),
        ((0, 1, F(1, 2)), (0, F(1, 2), 2)),
        ((0, 1, F(8, 9)), (0, F(2, 3), 2)),
        ((0, 3, F(4, 9)), (2, 0, 1)),
        ((0, 1, 2 * 4099**2), (0, 4099, 2)),  # square of a prime above the trial bound
        ((0, 1, 3 * (10**40 + 1) ** 2), (0, 10**40 + 1, 3)),
        ((0, 1, 2**61), (0, 2**30, 2)),
        ((5,), (5, 0, 1)),
    ],
)
def test_normal_form(args, parts):
    x = Q(*args)
    assert (x.p, x.q, x.d) == parts
    assert type(x.p) is F and type(x.q) is F and type(x.d) is int


@given(rationals, rationals, radicands)
def test_normal_form_keeps_the_value_and_is_reduced(p, q, d):
    x = Q(p, q, d)
    assert sym_sign(sym(x) - (sym(p) + sym(q) * sp.sqrt(sym(d)))) == 0
    if x.is_rational:
        assert x.q == 0 and x.d == 1
    else:
        assert x.q != 0 and x.d >= 2 and math.isqrt(x.d) ** 2 != x.d
        if x.d < 2**36:
            assert all(e == 1 for e in sp.factorint(x.d).values()), x.d


def test_unreduced_large_radicand_still_equal_and_hashes_equal():
    # 4099**2 * 4111 * 4127: the square of a prime above the trial-division bound next to
    # other large primes is not detected without factoring, but equality and hashing use
    # invariants (p and q**2 d), not the representation.
    x, y = Q(1, 1, 4099**2 * 4111 * 4127), Q(1, 4099, 4111 * 4127)
    assert (x.q, x.d) != (y.q, y.d)
    assert x == y and hash(x) == hash(y) and compare(x, y) == 0
    assert x - y == 0 and (x - y).is_rational
    assert not x < y and not x > y and x <= y
    assert x != Q(1, -4099, 4111 * 4127)


@given(equal_rewritings())
def test_equal_numbers_written_differently(pair):
    x, y = pair
    assert x == y and hash(x) == hash(y)
    assert compare(x, y) == 0 and not x < y and not y < x and x <= y and x >= y
    assert len({x, y}) == 1


@given(rationals)
def test_rationals_equal_and_hash_like_fractions(r):
    for x in (Q(r), Q(r, 0, 5), Q(r - 3, 1, 9), as_quadratic(r)):
        assert x == r and r == x and hash(x) == hash(r) and x.is_rational
    if r.denominator == 1:
        assert Q(r) == int(r) and hash(Q(r)) == hash(int(r))
        assert Q(r) == np.int64(int(r))


def test_irrational_never_equals_a_rational_or_other_field():
    assert Q(0, 1, 2) != F(1414213562373095, 10**15)
    assert Q(1, 1, 2) != Q(1, 1, 3)
    assert Q(0, 1, 2) != Q(0, -1, 2)
    assert Q(0, 1, 2) != 1.4142135623730951  # floats are never equal
    assert Q(3) != 3.0 and Q(0, 1, 2) != "sqrt(2)"


def test_immutable_picklable_and_repr_round_trips():
    x = Q(F(1, 3), -F(2, 5), 7)
    with pytest.raises(AttributeError, match="immutable"):
        x.p = 1
    with pytest.raises(AttributeError, match="immutable"):
        del x.q
    assert pickle.loads(pickle.dumps(x)) == x
    assert eval(repr(x), {"QuadraticIrrational": Q, "Fraction": F}) == x
    assert repr(Q(1, 1, 2)) == "QuadraticIrrational(1, 1, 2)"
    assert str(x) == "1/3 - 2/5*sqrt(7)"
    assert str(Q(0, -1, 2)) == "-sqrt(2)" and str(Q(F(1, 2))) == "1/2"


# -- exact comparison ----------------------------------------------------------------------


@given(any_quadratic, any_quadratic)
@example(Q(1, 1, 2), Q(F(3363, 1393)))
@example(Q(0, 1, 3), Q(F(-1, 2), 1, 2))
@example(Q(1, 2, 3), Q(F(1, 2), 1, 5))
def test_compare_matches_sympy(x, y):
    expected = sym_sign(sym(x) - sym(y))
    assert compare(x, y) == expected
    assert compare(y, x) == -expected
    assert (x < y, x <= y, x == y, x != y, x >= y, x > y) == (
        expected < 0, expected <= 0, expected == 0, expected != 0, expected >= 0, expected > 0
    )
    if expected == 0:
        assert hash(x) == hash(y)


@given(small_quadratics, small_quadratics)
def test_compare_matches_sympy_on_crowded_values(x, y):
    assert compare(x, y) == sym_sign(sym(x) - sym(y))


@given(any_quadratic)
def test_sign_matches_sympy(x):
    s = sym_sign(sym(x))
    assert x.sign() == s == sign(x)
    assert bool(x) == (s != 0)
    assert (-x).sign() == -s and abs(x).sign() == abs(s)


@given(any_quadratic, rationals)
def test_compare_with_rationals(x, r):
    s = sym_sign(sym(x) - sym(r))
    assert compare(x, r) == s and compare(r, x) == -s
    assert (x < r) == (s < 0) and (r < x) == (s > 0) and (r <= x) == (s >= 0)


def _pell_convergents(n):
    """Convergents h/k of sqrt(2): 1, 3/2, 7/5, 17/12, ..., alternately below and above."""
    h, k, out = 1, 1, []
    for _ in range(n):
        out.append(F(h, k))
        h, k = h + 2 * k, h + k
    return out


def test_near_equal_rationals_from_convergents():
    one_plus_root2 = Q(1, 1, 2)
    assert Q(F(3363, 1393)) > one_plus_root2 > Q(F(8119, 3363))
    for i, c in enumerate(_pell_convergents(120)):  # up to |sqrt(2) - h/k| ~ 1e-90
        below = i % 2 == 0
        assert (Q(0, 1, 2) > c) == below
        assert (one_plus_root2 > 1 + c) == below
        assert compare(c, Q(0, 1, 2)) == (-1 if below else 1)
        with localcontext() as ctx:
            ctx.prec = 250
            assert (Decimal(c.numerator) / Decimal(c.denominator) < dec(Q(0, 1, 2), 200)) == below


def test_near_equal_irrationals_in_different_fields():
    # sqrt(3) - sqrt(2) approximated to ~1e-70 by a rational r: then r + sqrt(2) vs sqrt(3)
    # agree to 70 digits and only the exact squaring steps can separate them.
    with localcontext() as ctx:
        ctx.prec = 120
        target = Decimal(3).sqrt() - Decimal(2).sqrt()
    for digits in (5, 20, 40, 70, 100):
        r = F(int(target.scaleb(digits).to_integral_value()), 10**digits)
        x, y = Q(r, 1, 2), Q(0, 1, 3)
        expected = sym_sign(sym(x) - sym(y))
        assert expected != 0 and compare(x, y) == expected and (x < y) == (expected < 0)
        # both off rational parts, and scaled: still only the squaring steps separate them
        for x2, y2 in [(Q(r + F(1, 7), 1, 2), Q(F(1, 7), 1, 3)), (Q(3 * r, 3, 2), Q(0, 3, 3))]:
            assert compare(x2, y2) == sym_sign(sym(x2) - sym(y2)) == expected


@given(any_quadratic, st.integers(1, 200))
def test_tiny_exact_differences_are_ordered(x, k):
    eps = F(1, 10**k)
    assert x < x + eps and x - eps < x and x + eps != x
    y = Q(x.p, x.q + (eps if x.q >= 0 else -eps), x.d if x.d > 1 else 2)
    assert compare(x, y) == sym_sign(sym(x) - sym(y)) != 0


def test_comparison_with_infinities_and_floats():
    x = Q(0, 1, 2)
    assert -INF < x < INF and x > -INF and x <= np.inf and not x > INF
    assert compare([x, INF, -INF], [INF, INF, x]).tolist() == [-1, 0, -1]
    with pytest.raises(TypeError):
        x < 1.5  # noqa: B015 - floats are not exact values
    with pytest.raises(TypeError):
        x >= 0.0  # noqa: B015


short_lists = st.lists(any_quadratic, min_size=1, max_size=6)


@given(short_lists, short_lists)
def test_compare_broadcasts_like_the_scalar_version(xs, ys):
    a = np.array(xs, dtype=object)[:, None]
    b = np.array(ys, dtype=object)[None, :]
    out = compare(a, b)
    assert out.shape == (len(xs), len(ys)) and out.dtype == np.int8
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            assert out[i, j] == compare(x, y)
    assert sign(np.array(xs, dtype=object)).tolist() == [x.sign() for x in xs]
    assert isinstance(compare(xs[0], ys[0]), int) and isinstance(sign(xs[0]), int)


# -- sorting and deduplication -------------------------------------------------------------


@st.composite
def mixed_lists(draw):
    """Lists mixing QuadraticIrrationals, Fractions and ints, with repeated values written
    in different ways."""
    base = draw(st.lists(st.one_of(any_quadratic, rationals.map(Q)), min_size=0, max_size=25))
    out = []
    for x in base:
        out.append(x)
        if draw(st.booleans()):  # the same number again, written differently
            if x.is_rational:
                out.append(draw(st.sampled_from([x.p, Q(x.p, 0, 7), Q(x.p - 2, 1, 4)])))
            else:
                k = draw(st.integers(2, 5))
                out.append(Q(x.p, x.q / k, x.d * k * k))
    return draw(st.permutations(out))


@given(mixed_lists())
def test_argsort_is_stable_and_matches_a_60_digit_key(values):
    keys = [dec(v, 60) for v in values]
    expected = sorted(range(len(values)), key=lambda i: (keys[i], i))
    order = argsort(values)
    assert order.tolist() == expected
    assert order.dtype == np.intp
    result = sort(values)
    assert [id(v) for v in result] == [id(values[i]) for i in expected]  # the given entries
    # numpy's own sort on an object array agrees (it uses __lt__)
    arr = np.array([as_quadratic(v) for v in values], dtype=object)
    assert all(compare(u, v) == 0 for u, v in zip(np.sort(arr), result))


@given(mixed_lists())
def test_order_is_total_and_consistent(values):
    values = values[:12]
    for x in values:
        for y in values:
            c = compare(x, y)
            lt, eq, gt = as_quadratic(x) < y, as_quadratic(x) == y, as_quadratic(x) > y
            assert (lt, eq, gt).count(True) == 1
            assert (lt, eq, gt) == (c < 0, c == 0, c > 0)
            assert eq == (dec(x, 60) == dec(y, 60))
            if eq:
                assert hash(as_quadratic(x)) == hash(as_quadratic(y))


@given(mixed_lists())
def test_unique(values):
    u, inverse = unique(values, return_inverse=True)
    keys = sorted({dec(v, 60) for v in values})
    assert [dec(v, 60) for v in u] == keys
    assert all(compare(u[inverse[i]], v) == 0 for i, v in enumerate(values))
    assert len(set(as_quadratic(v) for v in values)) == len(u)  # hashing agrees
    assert all(compare(a, b) < 0 for a, b in zip(u, u[1:]))


def test_sort_with_infinities_and_empty():
    assert sort([INF, Q(0, 1, 2), -INF, 1]).tolist() == [-INF, 1, Q(0, 1, 2), INF]
    assert argsort([]).tolist() == [] and unique([]).tolist() == []


# -- roots ----------------------------------------------------------------------------------


def sympy_roots(A, B, C):
    """[(root, multiplicity)] of A s^2 + B s + C by SymPy (real roots, in order)."""
    s = sp.Symbol("s")
    poly = sp.Poly(sym(A) * s**2 + sym(B) * s + sym(C), s)
    if poly.degree() <= 0:
        return []
    out = []
    for r in sp.real_roots(poly):
        if out and sym_sign(out[-1][0] - r) == 0:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((r, 1))
    return out


ends = st.one_of(
    st.just(-INF), st.just(INF), rationals, quadratics, quadratic_roots()
)


@given(rationals, rationals, rationals, ends, ends)
@example(F(1), F(0), F(-2), Q(0, -1, 2), Q(0, 1, 2))  # roots at both open ends
@example(F(1), F(-2), F(1), -INF, INF)  # double root
@example(F(0), F(3), F(1), -INF, INF)  # linear
def test_roots_in_interval_match_sympy(A, B, C, lo, hi):
    assume(A or B or C)
    if compare(lo, hi) > 0:
        lo, hi = hi, lo

    def inside(r):
        above = lo == -INF if isinstance(lo, float) else sym_sign(r - sym(lo)) > 0
        below = hi == INF if isinstance(hi, float) else sym_sign(r - sym(hi)) < 0
        return above and below

    expected = [(r, m) for r, m in sympy_roots(A, B, C) if inside(r)]
    got = roots_in_interval(A, B, C, lo, hi, multiplicity=True)
    assert [m for _, m in got] == [m for _, m in expected]
    for (x, _), (r, _) in zip(got, expected):
        assert sym_sign(sym(x) - r) == 0
        assert A * x * x + B * x + C == 0  # exact, in Q(sqrt(d))
    simple = roots_in_interval(A, B, C, lo, hi)
    assert simple == [x for x, m in got if m == 1]
    assert all(compare(a, b) < 0 for a, b in zip(simple, simple[1:]))


@given(small_rationals.filter(bool), small_rationals, small_rationals)
def test_double_root_is_tangency_not_crossing(a, r, lo):
    # a (s - r)^2 touches zero at r without changing sign
    A, B, C = a, -2 * a * r, a * r * r
    assert roots_in_interval(A, B, C) == []
    assert roots_in_interval(A, B, C, multiplicity=True) == [(Q(r), 2)]
    assert roots_in_interval(A, B, C, lo, INF, multiplicity=True) == (
        [(Q(r), 2)] if lo < r else []
    )


@given(rationals, rationals, rationals, rationals)
def test_arc_substitution(a, b, c, theta):
    # a + b cos t + c sin t = theta  <=>  (a - theta - b) s^2 + 2 c s + (a - theta + b) = 0
    A, B, C = a - theta - b, 2 * c, a - theta + b
    assume(A or B or C)
    for s in roots_in_interval(A, B, C):
        t = 2 * math.atan(to_float(s))
        value = float(a) + float(b) * math.cos(t) + float(c) * math.sin(t)
        assert value == pytest.approx(float(theta), abs=1e-9 * (1 + abs(a) + abs(b) + abs(c)))


def test_degenerate_quadratics():
    assert roots_in_interval(0, 0, 5) == []
    assert roots_in_interval(0, 0, 5, multiplicity=True) == []
    assert roots_in_interval(0, 2, -1) == [Q(F(1, 2))]
    assert roots_in_interval(0, 2, -1, lo=F(1, 2)) == []
    assert roots_in_interval(1, 0, 1) == []  # no real roots
    assert roots_in_interval(1, 0, -4) == [Q(-2), Q(2)]  # rational roots
    assert roots_in_interval(1, 0, -2, 0, 0) == []  # lo == hi: empty interval
    assert roots_in_interval(1, 0, -2, INF, INF) == []
    with pytest.raises(IdenticallyZeroError, match="all zero"):
        roots_in_interval(0, 0, 0)
    with pytest.raises(ValueError, match="identically"):
        roots_in_interval(F(0), 0, F(0), 0, 1)


def test_roots_with_large_dyadic_coefficients():
    # the kind of coefficients exact mode produces from float weights
    rng = random.Random(5)
    for _ in range(50):
        A, B, C = (F(rng.randint(-(2**53), 2**53), 2 ** rng.randint(0, 80)) for _ in range(3))
        roots = roots_in_interval(A, B, C)
        disc = B * B - 4 * A * C
        assert len(roots) == (2 if disc > 0 else 0)
        for x in roots:
            assert A * x * x + B * x + C == 0
        assert roots == sorted(roots)


# -- rational_between -----------------------------------------------------------------------


def _is_simplest(r, x, y):
    """Brute force: no rational in (x, y) has a smaller denominator than r, nor the same
    denominator and a smaller absolute numerator (x, y finite)."""
    x, y = as_quadratic(x), as_quadratic(y)
    for k in range(1, r.denominator + 1):
        lo_n, hi_n = math.floor(x * k) + 1, math.ceil(y * k) - 1  # x < n/k < y
        if lo_n <= hi_n:
            n = min(max(0, lo_n), hi_n)  # the one of least |n|
            return k == r.denominator and abs(n) == abs(r.numerator)
    return False


@given(any_quadratic, any_quadratic)
@example(Q(0, 1, 2), Q(0, 1, 3))
@example(Q(F(3363, 1393)), Q(1, 1, 2))
def test_rational_between_is_strictly_between_and_simplest(x, y):
    assume(x != y)
    x, y = min(x, y), max(x, y)
    r = rational_between(x, y)
    assert type(r) is F
    assert x < r < y
    assert sym_sign(sym(r) - sym(x)) > 0 and sym_sign(sym(y) - sym(r)) > 0
    if r.denominator <= 300:
        assert _is_simplest(r, x, y)


@given(any_quadratic, st.integers(1, 120), st.booleans())
def test_rational_between_very_close_pairs(x, k, irrational_gap):
    eps = F(1, 10**k)
    if irrational_gap:  # y - x = eps * sqrt(2) or so: y in another field than x
        y = x + Q(0, eps, 2) if x.d in (1, 2) else Q(x.p, x.q, x.d) + eps
    else:
        y = x + eps
    r = rational_between(x, y)
    assert x < r < y
    with localcontext() as ctx:
        ctx.prec = 300
        assert dec(x, 150) - Decimal(10) ** -135 <= Decimal(r.numerator) / Decimal(r.denominator)


@given(any_quadratic)
def test_rational_between_with_infinite_ends(x):
    r = rational_between(-INF, x)
    assert r < x and r.denominator == 1 and (r == 0 or r == math.ceil(x) - 1)
    r = rational_between(x, INF)
    assert r > x and r.denominator == 1 and (r == 0 or r == math.floor(x) + 1)
    assert rational_between(-INF, INF) == 0


def test_rational_between_examples():
    assert rational_between(Q(0, 1, 2), Q(0, 1, 3)) == F(3, 2)
    assert rational_between(Q(1, 1, 2), F(3363, 1393)) == F(5741, 2378)
    assert rational_between(0, F(1, 2)) == F(1, 3)
    assert rational_between(F(-1, 2), F(1, 2)) == 0
    assert rational_between(Q(0, -1, 3), Q(0, -1, 2)) == F(-3, 2)
    assert rational_between(1, 2) == F(3, 2)
    assert rational_between(-INF, -1) == -2 and rational_between(1, INF) == 2


# -- floats ---------------------------------------------------------------------------------


@given(any_quadratic)
def test_to_float_is_correctly_rounded(x):
    expected = float(dec(x, 100))
    assert to_float(x) == expected == float(x)


def test_to_float_next_to_a_rounding_midpoint():
    mid = F(1) + F(1, 2**53)  # halfway between 1.0 and the next float
    tiny = Q(-1, 1, 2) * F(1, 10**40)  # (sqrt(2) - 1) 1e-40 > 0, irrational
    assert to_float(mid + tiny) == 1.0 + 2**-52
    assert to_float(mid - tiny) == 1.0
    assert to_float(-(mid + tiny)) == -(1.0 + 2**-52)
    assert to_float(Q(0, 1, 2) * F(1, 2**1070)) == math.sqrt(2) * 2.0**-1070  # subnormal


def test_to_float_arrays_and_edge_values():
    out = to_float([[Q(0, 1, 2), F(1, 3)], [INF, -7]])
    assert out.dtype == np.float64 and out.shape == (2, 2)
    assert out.tolist() == [[math.sqrt(2), 1 / 3], [INF, -7.0]]
    assert to_float(-INF) == -INF and isinstance(to_float(Q(1)), float)
    with pytest.raises(OverflowError):
        to_float(Q(10**400, 1, 2))


@given(any_quadratic)
def test_floor_and_ceil_exact(x):
    assert math.floor(x) == int(sp.floor(sym(x)))
    assert math.ceil(x) == int(sp.ceiling(sym(x)))


# -- field arithmetic -----------------------------------------------------------------------


def sym_is_zero(expr):
    """Exact zero test for expressions in one field Q(sqrt(d)) (denominators rationalised)."""
    return sp.expand(sp.radsimp(expr)) == 0


@given(small_quadratics, small_quadratics, small_rationals)
def test_arithmetic_in_one_field_matches_sympy(x, y, r):
    if not x.is_rational and not y.is_rational and x.d != y.d:
        with pytest.raises(TypeError):
            x + y
        with pytest.raises(TypeError):
            x / y
        return
    for got, want in [
        (x + y, sym(x) + sym(y)), (x - y, sym(x) - sym(y)), (x * y, sym(x) * sym(y)),
        (x + r, sym(x) + sym(r)), (r - x, sym(r) - sym(x)), (r * x, sym(r) * sym(x)),
    ]:
        assert isinstance(got, QuadraticIrrational) and sym_is_zero(sym(got) - want)
    if y:
        assert sym_is_zero(sym(x / y) - sym(x) / sym(y))
        assert sym_is_zero(sym(r / y) - sym(r) / sym(y))
    if r:
        assert sym_is_zero(sym(x / r) - sym(x) / sym(r))


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError):
        Q(1, 1, 2) / 0
    with pytest.raises(ZeroDivisionError):
        1 / Q(2, -1, 4)


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, exc, pattern",
    [
        ((0.5,), TypeError, r"p must be a rational number.*0\.5 of type float.*Fraction\(x\)"),
        ((1, 1.5), TypeError, r"q must be a rational number"),
        ((1, 1, 2.0), TypeError, r"d must be a rational number"),
        ((True,), TypeError, r"p must be a rational number.*bool"),
        (("1",), TypeError, r"p must be a rational number.*str"),
        ((1, 1, -2), ValueError, r"d must be non-negative.*-2"),
        ((1, 1, F(-1, 3)), ValueError, r"d must be non-negative"),
        ((Q(0, 1, 2),), TypeError, r"p must be a rational number.*QuadraticIrrational"),
    ],
)
def test_constructor_rejects(args, exc, pattern):
    with pytest.raises(exc, match=pattern):
        Q(*args)


def test_functions_reject_bad_input_naming_the_argument():
    x = Q(0, 1, 2)
    with pytest.raises(TypeError, match=r"a must be an int, Fraction.*0\.5 of type float"):
        compare(0.5, x)
    with pytest.raises(TypeError, match=r"b\[1\] must be an int, Fraction"):
        compare(x, [1, 0.25])
    with pytest.raises(ValueError, match=r"a must not be NaN"):
        compare(math.nan, x)
    with pytest.raises(ValueError, match=r"a and b must broadcast.*\(2,\) and \(3,\)"):
        compare([x, x], [1, 2, 3])
    with pytest.raises(ValueError, match=r"a must be a rectangular array"):
        compare([[1, 2], [3]], 1)
    with pytest.raises(TypeError, match=r"a must hold numbers.*str"):
        sign("sqrt(2)")
    with pytest.raises(TypeError, match=r"a must hold numbers.*dtype bool"):
        sign(np.array([True]))
    with pytest.raises(ValueError, match=r"values must be a 1-D array; got shape \(1, 1\)"):
        argsort([[x]])
    with pytest.raises(TypeError, match=r"values\[1\] must be an int"):
        sort([x, 0.5])
    with pytest.raises(TypeError, match=r"return_inverse must be a bool"):
        unique([x], return_inverse="yes")
    with pytest.raises(TypeError, match=r"lo must be an int, Fraction.*float"):
        as_quadratic(1.5, name="lo")
    with pytest.raises(TypeError, match=r"x must hold numbers.*str"):
        to_float("1")
    with pytest.raises(TypeError, match=r"x\[0\] must be an int, Fraction.*float"):
        to_float([1.5])


def test_roots_in_interval_rejects():
    with pytest.raises(TypeError, match=r"A must be a rational number.*float"):
        roots_in_interval(1.0, 0, -2)
    with pytest.raises(TypeError, match=r"C must be a rational number"):
        roots_in_interval(1, 0, None)
    with pytest.raises(TypeError, match=r"lo must be an int, Fraction, Quadratic.* or -math\.inf"):
        roots_in_interval(1, 0, -2, lo=0.5)
    with pytest.raises(TypeError, match=r"hi must be"):
        roots_in_interval(1, 0, -2, hi="1")
    with pytest.raises(ValueError, match=r"hi must not be NaN"):
        roots_in_interval(1, 0, -2, hi=math.nan)
    with pytest.raises(ValueError, match=r"lo must not exceed hi"):
        roots_in_interval(1, 0, -2, lo=1, hi=0)
    with pytest.raises(TypeError, match=r"multiplicity must be a bool"):
        roots_in_interval(1, 0, -2, multiplicity=1)


def test_rational_between_rejects():
    x = Q(0, 1, 2)
    with pytest.raises(ValueError, match=r"x must be less than y"):
        rational_between(x, x)
    with pytest.raises(ValueError, match=r"x must be less than y"):
        rational_between(Q(0, 2, 2), Q(0, 1, 8))
    with pytest.raises(ValueError, match=r"x must be less than y"):
        rational_between(2, x)
    with pytest.raises(ValueError, match=r"x must be less than y"):
        rational_between(INF, INF)
    with pytest.raises(TypeError, match=r"x must be an int.*float"):
        rational_between(0.5, x)
    with pytest.raises(ValueError, match=r"y must not be NaN"):
        rational_between(x, math.nan)


# -- speed ----------------------------------------------------------------------------------


def test_sorting_engine_sized_inputs_is_fast():
    import time

    rng = random.Random(0)
    values = []
    while len(values) < 2000:
        A, B, C = (F(rng.randint(-(10**15), 10**15), 2 ** rng.randint(40, 60)) for _ in range(3))
        values += roots_in_interval(A, B, C)
    start = time.perf_counter()
    order = argsort(values)
    elapsed = time.perf_counter() - start
    assert all(values[i] <= values[j] for i, j in zip(order, order[1:]))
    assert elapsed < 2.0  # about 10 ms on a laptop; generous for slow CI machines
