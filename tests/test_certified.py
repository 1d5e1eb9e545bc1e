"""Certified tracing (regions.certified) against rational arithmetic.

``exact=True`` traces with float balls and exact values where a ball does not decide; these
tests hold it to the rational engine with Fractions (the previous exact engine, an
independent computation), to the fast rational backend, and check the filter itself: every
ball holds the exact value, and every decision it settles is the exact one.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import GraphBuilder, Line, Network, Segment, random_network, trace
from regions import _rational, certified
from regions.activations import hardtanh, leaky_relu
from regions.constructions import folding_network, sawtooth, zigzag
from regions.kinds import CERTIFIED, RATIONAL, RATIONAL_FRACTION
from regions.strategies import (lines, polylines, random_networks, rational_networks,
                                segments, small_fractions)

F = Fraction


def assert_same_trace(a, b):
    """Every answer of two traces agrees exactly."""
    assert a.num_pieces == b.num_pieces
    assert list(a.edges) == list(b.edges)
    assert np.array_equal(a.knot_transitions, b.knot_transitions)
    assert all(np.array_equal(x, y) for x, y in zip(a.patterns, b.patterns))
    assert np.array_equal(a.sign_transitions_per_output, b.sign_transitions_per_output)
    assert np.array_equal(a.lengths, b.lengths)
    assert a.num_linear_pieces == b.num_linear_pieces
    assert a.num_patterns == b.num_patterns


def trajectory_for(kind, dim, data, exact=False):
    strategy = {"segment": segments, "line": lines, "polyline": polylines}[kind]
    return data.draw(strategy(dim, exact=exact))


# -- generic networks: identical answers, and the filter decides in float ------------------


@given(net=random_networks(activations=("relu", "hardtanh", "leaky_relu", "abs"), mixed=True,
                           input_dim=st.integers(1, 4), width=st.integers(1, 8)),
       kind=st.sampled_from(["segment", "line", "polyline"]), data=st.data())
@settings(max_examples=120, deadline=None)
def test_certified_equals_fraction_arithmetic_on_random_networks(net, kind, data):
    path = trajectory_for(kind, net.widths[0], data)
    cert = trace(net, path, exact=True)
    assert cert.arithmetic == "certified"
    assert_same_trace(cert, trace(net, path, exact=RATIONAL_FRACTION))


def test_generic_networks_are_decided_in_float():
    rng = np.random.default_rng(7)
    for widths, act in (([20, 32, 32, 32, 1], "relu"), ([20, 50, 50, 50, 50, 1], "hardtanh")):
        net = random_network(widths, act, sigma_w=2.0, sigma_b=0.5, seed=rng)
        seg = Segment(rng.standard_normal(widths[0]), rng.standard_normal(widths[0]))
        tr = trace(net, seg, exact=True)
        assert not tr.filter_stats.fell_back
        assert tr.filter_stats.decisions > 1000 * tr.filter_stats.exact
        assert_same_trace(tr, trace(net, seg, exact=RATIONAL))


# -- coincidence-heavy networks --------------------------------------------------------------


thirds = st.integers(-6, 6).map(lambda k: F(k, 3))
tenths = st.integers(-20, 20).map(lambda k: F(k, 10))
integers = st.integers(-3, 3).map(F)


@given(entries=st.sampled_from([thirds, tenths, integers, small_fractions()]), data=st.data(),
       kind=st.sampled_from(["segment", "line", "polyline"]))
@settings(max_examples=120, deadline=None)
def test_certified_equals_fraction_arithmetic_on_coincidences(entries, kind, data):
    net = data.draw(rational_networks(entries=entries, activations=("relu", "hardtanh", "abs"),
                                      mixed=True, width=st.integers(1, 5)))
    path = trajectory_for(kind, net.widths[0], data, exact=True)
    assert_same_trace(trace(net, path), trace(net, path, exact=RATIONAL_FRACTION))


def test_three_neurons_crossing_at_one_point_make_one_knot():
    # relu(x), relu(-x) and relu(2x) all switch at x = 1/3 along the segment: one knot
    net = Network([[[1.0], [-1.0], [2.0]], [[1.0, 1.0, 1.0]]], [[0.0, 0.0, 0.0], [0.0]], "relu")
    tr = trace(net, Segment([-1.0], [2.0]), exact=True)
    assert tr.knots.tolist() == [F(1, 3)]
    assert tr.knot_transitions.tolist() == [[3, 0]]
    assert not tr.filter_stats.fell_back and tr.filter_stats.exact > 0


@pytest.mark.parametrize("widths", [(2, 2), (3, 3, 3), (2, 3, 4)])
def test_folding_networks(widths):
    net, (lo, hi) = folding_network(widths, n0=1)
    path = Segment(lo - 1, hi + 1)
    assert_same_trace(trace(net, path), trace(net, path, exact=RATIONAL_FRACTION))


@pytest.mark.parametrize("depth", [1, 3, 6])
def test_sawtooth_and_zigzag(depth):
    for net, (lo, hi) in (sawtooth(depth), zigzag(3, depth)):
        path = Segment(lo, hi)
        cert = trace(net, path)
        assert_same_trace(cert, trace(net, path, exact=RATIONAL_FRACTION))


@pytest.mark.parametrize("act", [hardtanh(F(-1, 3), F(2, 7)), leaky_relu(F(1, 3)),
                                 leaky_relu(0.25), leaky_relu(0.3)])
def test_activations_with_coefficients_float_cannot_hold(act):
    rng = np.random.default_rng(3)
    net = random_network([4, 10, 10, 1], "relu", sigma_w=1.5, sigma_b=0.3, seed=rng)
    net = Network(net.weights, net.biases, [act, act, "linear"])
    for path in (Segment(rng.standard_normal(4), rng.standard_normal(4)),
                 Line(rng.standard_normal(4), rng.standard_normal(4))):
        assert_same_trace(trace(net, path, exact=True), trace(net, path, exact=RATIONAL))


# -- graphs ----------------------------------------------------------------------------------


def _residual_conv_graph(seed, maxpool=False):
    rng = np.random.default_rng(seed)
    b = GraphBuilder((1, 4, 4))
    x = b.conv(b.input, rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2), padding=1)
    x = b.activation(x, "relu")
    y = b.conv(x, rng.standard_normal((2, 2, 3, 3)) * 0.5, None, padding=1)
    x = b.activation(b.add(x, y), "relu")
    if maxpool:
        x = b.max_pool(x, 2)
    x = b.flatten(x)
    x = b.dense(x, rng.standard_normal((1, int(np.prod(b.shape(x))))), [0.1])
    return b.build(x)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_graphs_with_convolutions_and_skips(seed):
    g = _residual_conv_graph(seed)
    rng = np.random.default_rng(seed)
    path = Segment(rng.standard_normal(16), rng.standard_normal(16))
    cert = trace(g, path, exact=True)
    assert not cert.filter_stats.fell_back
    assert_same_trace(cert, trace(g, path, exact=RATIONAL_FRACTION))


def test_group_maxima_fall_back_to_rational_arithmetic():
    g = _residual_conv_graph(0, maxpool=True)
    rng = np.random.default_rng(0)
    path = Segment(rng.standard_normal(16), rng.standard_normal(16))
    cert = trace(g, path, exact=True)
    assert cert.filter_stats.fell_back and "group maxima" in cert.filter_stats.reason
    assert_same_trace(cert, trace(g, path, exact=RATIONAL_FRACTION))


# -- the filter itself: balls hold the exact values, settled decisions are exact -------------


@given(net=random_networks(activations=("relu", "hardtanh"), input_dim=st.integers(1, 3),
                           depth=st.integers(1, 4), width=st.integers(1, 6)),
       kind=st.sampled_from(["segment", "line", "polyline"]), data=st.data())
@settings(max_examples=60, deadline=None)
def test_every_ball_holds_the_exact_value(net, kind, data):
    path = trajectory_for(kind, net.widths[0], data)
    checked = []
    original = certified.CertifiedEngine._edge_sides

    def checking(self, st_, d, h, rh, m):
        exact = self.oracle.pre(self._exact_ts(np.arange(h.shape[0])), d)  # unforced
        error = np.abs(h - np.array([[float(v) for v in row] for row in exact]))
        # the float image of the exact value is within a rounding of it
        assert np.all(error <= rh + 2.0 ** -52 * np.abs(h) + 2.0 ** -1074)
        sides, h2, rh2 = original(self, st_, d, h, rh, m)
        for s, th in zip(sides, self.thresholds[d]):
            assert np.array_equal(s, np.sign(exact[:, :m] - th).astype(np.int8))
        checked.append(h.size)
        return sides, h2, rh2

    certified.CertifiedEngine._edge_sides = checking
    try:
        tr = trace(net, path, exact=True)
    finally:
        certified.CertifiedEngine._edge_sides = original
    assert checked and not tr.filter_stats.fell_back


SMALL_NETS = random_networks(activations=("relu", "hardtanh", "leaky_relu"),
                             input_dim=st.integers(1, 3), depth=st.integers(1, 5),
                             width=st.integers(1, 8))
"""Random networks of up to 5 hidden layers of up to 8 units, three activations."""
STRAIGHT = st.sampled_from(["segment", "line", "polyline"])
"""The straight trajectory kinds."""


@given(net=SMALL_NETS, kind=STRAIGHT, data=st.data())
@settings(max_examples=60, deadline=None)
def test_every_new_row_ball_holds_the_exact_value(net, kind, data):
    """The balls of the rows at new edges (inside a finite piece: a convex combination of
    its ends' balls, (1 - lam) r_a + lam r_b, plus lam's error times the exact difference
    of the ends; on an unbounded end: the anchor's plus lam times the slope's) hold the
    exact pre-activation at the exact crossing point, computed in rational arithmetic."""
    path = trajectory_for(kind, net.widths[0], data)
    checked = []
    original = certified._Crossings.new_rows

    def checking(self, eng, d, h, rh, m):
        out = original(self, eng, d, h, rh, m)
        new, rnew = out[0], out[1]
        first = self.first
        after = np.where(self.kind[first] < 0, -1, self.a[first])
        ts = eng._crossing_ts(d, self.a[first], self.kind[first], self.j[first],
                              self.k[first])
        exact = eng._exact_values(d, after, ts)
        error = np.abs(new - np.array([[float(v) for v in row] for row in exact]))
        assert np.all(error <= rnew + 2.0 ** -52 * np.abs(new) + 2.0 ** -1074)
        checked.append(new.shape[0])
        return out

    certified._Crossings.new_rows = checking
    try:
        tr = trace(net, path, exact=True)
    finally:
        certified._Crossings.new_rows = original
    assert tr.arithmetic == "certified"


@given(net=SMALL_NETS, kind=STRAIGHT, data=st.data())
@settings(max_examples=60, deadline=None)
def test_every_crossing_interval_holds_the_exact_parameter(net, kind, data):
    """Each crossing's parameter interval [lo, hi] (inside a finite piece the monotone
    bounds of |d_a| / (|d_a| + |d_b|); on an unbounded end a distance in t) holds the
    exact crossing, computed in rational arithmetic from the exact edges."""
    path = trajectory_for(kind, net.widths[0], data)
    checked = []
    original = certified._Crossings.settle_order

    def checking(self, eng, d):
        ts = eng._crossing_ts(d, self.a, self.kind, self.j, self.k)
        last = eng.t.shape[0] - 1
        ends = eng._exact_ts(np.unique(np.concatenate([self.a, np.minimum(self.a + 1, last)])))
        exact_t = dict(zip(np.unique(np.concatenate([self.a, np.minimum(self.a + 1, last)])),
                           ends))
        for i in range(self.n):
            ta = exact_t[self.a[i]]
            if self.kind[i] == 0:
                lam = (ts[i] - ta) / (exact_t[self.a[i] + 1] - ta)
            else:
                lam = abs(ts[i] - ta)
            assert Fraction(self.lo[i]) <= lam
            assert np.isinf(self.hi[i]) or lam <= Fraction(self.hi[i])
        checked.append(self.n)
        return original(self, eng, d)

    certified._Crossings.settle_order = checking
    try:
        tr = trace(net, path, exact=True)
    finally:
        certified._Crossings.settle_order = original
    assert tr.arithmetic == "certified"


# -- the rational backends ---------------------------------------------------------------------


def test_same_answers_without_the_fast_backend(monkeypatch):
    rng = np.random.default_rng(11)
    net = random_network([6, 12, 12, 12, 1], "hardtanh", sigma_w=3.0, seed=rng)
    seg = Segment(rng.standard_normal(6), rng.standard_normal(6))
    fast = trace(net, seg, exact=RATIONAL)
    monkeypatch.setattr(_rational, "_flint", lambda: None)  # no python-flint products
    slow = trace(net, seg, exact=RATIONAL_FRACTION)  # and Fraction elements
    assert_same_trace(fast, slow)
    assert_same_trace(trace(net, seg, exact=True), slow)
    assert all(type(v) is Fraction for v in fast.knots)


def test_certified_is_what_exact_true_means():
    net = random_network([2, 4, 1], seed=0)
    seg = Segment([0.0, 0.0], [1.0, 1.0])
    assert trace(net, seg, exact=True).arithmetic == "certified"
    assert trace(net, seg, exact=CERTIFIED).arithmetic == "certified"
    assert trace(net, seg, exact=RATIONAL).arithmetic == "rational"
    assert trace(net, seg, exact=False).arithmetic == "float"
    with pytest.raises(TypeError, match="exact must be True, False or None"):
        trace(net, seg, exact="certified")


def test_import_regions_imports_no_fast_backend():
    import subprocess
    import sys

    code = ("import sys, regions; bad = [m for m in ('gmpy2', 'flint') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_rational_kind_names_its_backend():
    from regions.kinds import RationalKind

    assert RationalKind("fraction").backend == "fraction"
    with pytest.raises(ValueError, match="backend must be 'gmpy2' or 'fraction', got 'mpz'"):
        RationalKind("mpz")


def test_certified_without_gmpy2_and_flint_gives_the_same_answers(monkeypatch):
    from regions import kinds, partition

    rng = np.random.default_rng(5)
    net = random_network([3, 10, 10, 10, 1], "hardtanh", sigma_w=3.0, sigma_b=0.2, seed=rng)
    seg = Segment(rng.standard_normal(3), rng.standard_normal(3))
    fold, _ = folding_network((3, 3, 3), n0=2)
    with_fast = trace(net, seg, exact=True), partition(fold, exact=True)
    monkeypatch.setattr(kinds, "_gmpy2", lambda: None)
    monkeypatch.setattr(_rational, "_flint", lambda: None)
    assert kinds.RATIONAL.backend == "fraction"
    without = trace(net, seg, exact=True), partition(fold, exact=True)
    assert_same_trace(with_fast[0], without[0])
    assert with_fast[1].num_regions == without[1].num_regions
    assert sorted(with_fast[1].exact_areas[with_fast[1].bounded].tolist()) == \
        sorted(without[1].exact_areas[without[1].bounded].tolist())
    assert all(type(v) is Fraction for v in without[0].knots)


@pytest.mark.parametrize("factor", [1e-200, 1e-150, 1e120])
def test_certified_at_the_ends_of_float64_range_equals_rational(factor):
    """Pinned: with weights ~1e-200 per layer, products of tiny weights and tiny values
    underflowed to a zero error bound, and the certified partition said 16 regions (1
    linear) against 28; the certified trace divided 0 by 0. Bounds of sums with non-zero
    terms are never zero now, and a zero slope falls back."""
    from regions import partition

    base = random_network([2, 8, 8, 1], "relu", sigma_w=1.4, seed=0)
    net = Network([w * factor for w in base.weights], base.biases, "relu")
    cert, rat = partition(net, exact=True), partition(net, exact=RATIONAL)
    assert cert.num_regions == rat.num_regions == 28
    assert cert.num_linear_regions == rat.num_linear_regions
    assert ({tuple(np.concatenate(p)) for p in zip(*cert.patterns)}
            == {tuple(np.concatenate(p)) for p in zip(*rat.patterns)})
    for traj in (Segment([-1.0, 0.0], [1.0, 0.5]), Line([0.0, 0.0], [1.0, 0.5])):
        a, b = trace(net, traj, exact=True), trace(net, traj, exact=RATIONAL)
        assert list(a.edges) == list(b.edges)
        assert a.num_linear_pieces == b.num_linear_pieces
