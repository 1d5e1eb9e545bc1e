"""The certified engine's middle stage: double-double balls (regions._multifloat).

Decisions float64's balls leave open are retried on double-double balls before any exact
computation. These tests hold the kernel's balls to Fraction arithmetic, the middle stage's
balls (parameters of edges and crossings, values at them) to the exact oracle on small deep
networks, and the traces it decides to the rational engine, also with every float decision
forced through it.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import Segment, random_network, trace
from regions import _multifloat as mf
from regions import certified
from regions.kinds import RATIONAL, RATIONAL_FRACTION, to_fraction
from regions.strategies import random_networks, rational_networks, segments
from tests.test_certified import assert_same_trace, trajectory_for

F = Fraction


def exact_of(ball):
    """The exact midpoints x + y of a ball, as Fractions."""
    return np.array([F(x) + F(y) for x, y in zip(ball.x.reshape(-1), ball.y.reshape(-1))],
                    dtype=object).reshape(ball.x.shape)


def assert_holds(ball, exact):
    """Every exact value lies in its ball (a ball with an infinite or NaN part, beyond
    float64's range, claims nothing: it settles no sign)."""
    finite = np.isfinite(ball.x) & np.isfinite(ball.y) & np.isfinite(ball.r)
    assert mf.signs(ball)[1][~finite].all()
    ball = mf.Ball(*(np.where(finite, part, 0.0) for part in ball))
    mid = exact_of(ball)
    for e, m, r, ok in zip(np.asarray(exact, dtype=object).reshape(-1), mid.reshape(-1),
                           ball.r.reshape(-1), finite.reshape(-1)):
        assert not ok or abs(to_fraction(e) - m) <= F(r), (e, m, r)


# -- the kernel ------------------------------------------------------------------------------

floats = st.builds(lambda m, e: m * 2.0 ** e, st.floats(-2, 2, allow_nan=False),
                   st.integers(-60, 60))


@st.composite
def balls(draw, shape):
    n = int(np.prod(shape))
    x = np.array(draw(st.lists(floats, min_size=n, max_size=n))).reshape(shape)
    y = x * np.array(draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n))).reshape(
        shape) * 2.0 ** -53
    r = np.abs(x) * draw(st.sampled_from([0.0, 2.0 ** -100, 2.0 ** -60]))
    return mf.Ball(x, y, r)


def members(ball, data):
    """Exact values inside the ball (a corner or the midpoint)."""
    side = data.draw(st.sampled_from([-1, 0, 1]))
    return exact_of(ball) + np.vectorize(lambda r: side * F(r), otypes=[object])(ball.r)


@given(data=st.data())
@settings(max_examples=100, deadline=None)
def test_elementwise_balls_hold_the_exact_results(data):
    a, b = data.draw(balls((4,))), data.draw(balls((4,)))
    ea, eb = members(a, data), members(b, data)
    assert_holds(mf.add(a, b), ea + eb)
    assert_holds(mf.sub(a, b), ea - eb)
    assert_holds(mf.mul(a, b), ea * eb)
    if all(v != 0 for v in eb) and np.all(b.r < np.abs(b.x) / 2):
        assert_holds(mf.div(a, b), ea / eb)
    assert_holds(mf.from_exact(ea), ea)


@given(data=st.data(), levels=st.integers(1, 3), rational=st.booleans(),
       n=st.integers(1, 4), k=st.integers(1, 40), m=st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_sliced_products_hold_the_exact_products(data, levels, rational, n, k, m):
    z = data.draw(balls((n, k)))
    exact_w = np.array([[F(data.draw(floats)) / (3 if rational else 1) for _ in range(m)]
                        for _ in range(k)], dtype=object)
    w = mf.from_exact(exact_w)
    sliced = mf.SlicedMatrix(w.x, w.y, w.r, slices=levels)
    out = mf.matmul(z, sliced, levels)
    ez = members(z, data)
    assert_holds(out, ez.dot(exact_w))
    # about 2^-(22 levels) of float64's rounding (on the scale of the row's and column's
    # largest entries), far below float64's
    scale = k * np.outer(np.abs(z.x).max(axis=1), np.abs(w.x).max(axis=0))
    assert np.all(out.r <= 2.0 ** -60 * scale + z.r @ np.abs(w.x) * 2 + 2.0 ** -900)


def test_a_sign_is_settled_only_off_zero():
    third = mf.from_exact(np.array([F(1, 3)], dtype=object))
    s, unsure = mf.signs(mf.sub(mf.mul(third, mf.from_float(np.array([3.0]))),
                                mf.from_float(np.array([1.0]))))
    assert unsure.tolist() == [True]  # 1/3 * 3 - 1 = 0, within rounding: not settled
    s, unsure = mf.signs(mf.sub(third, mf.from_float(np.array([1 / 3]))))
    assert unsure.tolist() == [False] and s.tolist() == [1]  # 1/3 > fl(1/3)
    s, unsure = mf.signs(mf.from_float(np.array([0.0, -2.0, 1e300 * 1e10])))
    assert s.tolist()[:2] == [0, -1] and unsure.tolist() == [False, False, True]


# -- the middle stage's balls hold the exact values ------------------------------------------


def _exact_ts(eng, rows):
    """Exact parameters of edge rows (without storing them in the engine)."""
    out = np.empty(rows.shape[0], dtype=object)
    for i, e in enumerate(rows):
        if eng.exact_t[e] is not None:
            out[i] = eng.exact_t[e]
        else:
            out[i] = eng._roots(int(eng.edge_layer[e]), np.array([e]),
                                eng.edge_neuron[[e]], eng.edge_threshold[[e]])[0]
    return list(out)


def _check_edges(eng, d, pre=True):
    rows = np.arange(eng.t.shape[0] if pre else eng.z.shape[0])
    after = eng._edge_after(rows)
    got = eng._refined(d, after, eng._edge_which(rows), pre)
    if got is None:
        return 0
    ts = _exact_ts(eng, rows)
    assert_holds(got[0], ts)
    assert_holds(got[1], eng._exact_values(d, after, ts, pre))
    return rows.shape[0]


def install_checks(monkeypatch):
    """Check every middle-stage ball against the exact oracle: at every layer, the values at
    all edges; for every crossing, its parameter and the values there; at the end, the
    outputs at all edges."""
    checked = []
    E, C = certified.CertifiedEngine, certified._Crossings
    edge_sides, settle_order, sign_changes = E._edge_sides, C.settle_order, E.sign_changes

    def edges(self, st_, d, h, rh, m):
        checked.append(_check_edges(self, d))
        return edge_sides(self, st_, d, h, rh, m)

    def crossings(self, eng, d):
        after = np.where(self.kind < 0, -1, self.a)
        got = eng._refined(d, after, [(d, int(j), int(k)) for j, k in zip(self.j, self.k)])
        if got is not None:
            ts = eng._crossing_ts(d, self.a, self.kind, self.j, self.k)
            assert_holds(got[0], ts)
            assert_holds(got[1], eng._exact_values(d, after, ts))
            checked.append(len(ts))
        return settle_order(self, eng, d)

    def outputs(self):
        checked.append(_check_edges(self, len(self.layer_index), pre=False))
        return sign_changes(self)

    monkeypatch.setattr(E, "_edge_sides", edges)
    monkeypatch.setattr(C, "settle_order", crossings)
    monkeypatch.setattr(E, "sign_changes", outputs)
    return checked


@given(net=random_networks(activations=("relu", "hardtanh", "leaky_relu"), mixed=True,
                           input_dim=st.integers(1, 3), depth=st.integers(4, 8),
                           width=st.integers(2, 6)),
       kind=st.sampled_from(["segment", "line", "polyline"]), data=st.data())
@settings(max_examples=25, deadline=None)
def test_every_middle_ball_holds_the_exact_value(net, kind, data):
    path = trajectory_for(kind, net.widths[0], data)
    with pytest.MonkeyPatch.context() as mp:
        checked = install_checks(mp)
        tr = trace(net, path, exact=True)
    assert sum(checked) > 0 and not tr.filter_stats.fell_back


@given(net=rational_networks(activations=("relu", "hardtanh"), depth=st.integers(2, 4),
                             width=st.integers(1, 4)),
       data=st.data())
@settings(max_examples=20, deadline=None)
def test_middle_balls_hold_with_rational_weights(net, data):
    path = data.draw(segments(net.widths[0], exact=True))
    with pytest.MonkeyPatch.context() as mp:
        install_checks(mp)
        trace(net, path, exact=True)


# -- traces decided by the middle stage --------------------------------------------------------


def float_decides_nothing(monkeypatch):
    """Every float decision unsettled: edge sides, crossing order and output signs go to the
    middle stage (and on to exact values where it does not settle them)."""
    try_sides = certified._try_sides

    def unsure(x, r):
        s, bad = try_sides(x, r)
        return s, np.ones_like(bad)

    init = certified._Crossings.__init__

    def overlapping(self, *args):
        init(self, *args)
        self.lo = np.zeros_like(self.lo)
        self.hi = np.full_like(self.hi, 1e100)  # no two intervals apart

    monkeypatch.setattr(certified, "_try_sides", unsure)
    monkeypatch.setattr(certified._Crossings, "__init__", overlapping)


@given(net=random_networks(activations=("relu", "hardtanh", "leaky_relu", "abs"), mixed=True,
                           input_dim=st.integers(1, 3), depth=st.integers(1, 6),
                           width=st.integers(1, 8)),
       kind=st.sampled_from(["segment", "line", "polyline"]), data=st.data())
@settings(max_examples=40, deadline=None)
def test_traces_decided_by_the_middle_stage_are_exact(net, kind, data):
    path = trajectory_for(kind, net.widths[0], data)
    with pytest.MonkeyPatch.context() as mp:
        float_decides_nothing(mp)
        cert = trace(net, path, exact=True)
    assert not cert.filter_stats.fell_back and cert.filter_stats.refined > 0
    assert_same_trace(cert, trace(net, path, exact=RATIONAL_FRACTION))


@given(entries=st.sampled_from([st.integers(-6, 6).map(lambda k: F(k, 3)),
                                st.integers(-3, 3).map(F)]),
       data=st.data(), kind=st.sampled_from(["segment", "line", "polyline"]))
@settings(max_examples=40, deadline=None)
def test_coincidences_through_the_middle_stage(entries, data, kind):
    net = data.draw(rational_networks(entries=entries, activations=("relu", "hardtanh", "abs"),
                                      mixed=True, width=st.integers(1, 5)))
    path = trajectory_for(kind, net.widths[0], data, exact=True)
    with pytest.MonkeyPatch.context() as mp:
        float_decides_nothing(mp)
        cert = trace(net, path, exact=True)
    assert_same_trace(cert, trace(net, path, exact=RATIONAL_FRACTION))


def test_unsettled_middle_balls_go_on_to_exact_values(monkeypatch):
    float_decides_nothing(monkeypatch)
    signs = mf.signs
    monkeypatch.setattr(mf, "signs", lambda a: (signs(a)[0], np.ones(a.x.shape, dtype=bool)))
    rng = np.random.default_rng(2)
    net = random_network([3, 6, 6, 6, 1], "hardtanh", sigma_w=3.0, sigma_b=0.3, seed=rng)
    seg = Segment(rng.standard_normal(3), rng.standard_normal(3))
    cert = trace(net, seg, exact=True)
    assert cert.filter_stats.refined == 0 and cert.filter_stats.exact > 0
    assert_same_trace(cert, trace(net, seg, exact=RATIONAL_FRACTION))


@pytest.mark.parametrize("act, sigma_w", [("hardtanh", 4.0), ("relu", 2.0 ** 0.5),
                                          ("hardtanh", 2.0)])
@pytest.mark.parametrize("depth, width", [(8, 16), (10, 8), (10, 12)])
def test_deep_generic_networks(act, sigma_w, depth, width):
    rng = np.random.default_rng(depth * 100 + width)
    net = random_network([width] + [width] * depth + [1], act, sigma_w=sigma_w, seed=rng)
    seg = Segment(rng.standard_normal(width) * 3, rng.standard_normal(width) * 3)
    cert = trace(net, seg, exact=True)
    assert not cert.filter_stats.fell_back
    assert_same_trace(cert, trace(net, seg, exact=RATIONAL))


def test_deep_wide_trace_is_settled_before_exact_values():
    # depth 14, width 40: float64's bounds widen several times per layer and leave decisions
    # open at the last layers; double-double balls settle them, no exact value is computed
    # (at depth 10, with the convex bounds of new rows and crossing parameters, float64's
    # balls settle everything)
    rng = np.random.default_rng(20240611)
    net = random_network([40] + [40] * 14 + [1], "hardtanh", sigma_w=2.0, seed=rng)
    seg = Segment(rng.standard_normal(40), rng.standard_normal(40))
    cert = trace(net, seg, exact=True)
    stats = cert.filter_stats
    assert stats.refined > 0 and stats.exact == 0 and not stats.fell_back
    assert cert.num_pieces == trace(net, seg).num_pieces


def test_the_middle_stage_is_built_once_per_network():
    """A network's double-double chain (its sliced matrices) is cached by the network
    object (whose parameters are read-only), and gives the same answers from the cache."""
    rng = np.random.default_rng(5)
    net = random_network([3, 6, 6, 6, 1], "hardtanh", sigma_w=3.0, seed=rng)
    twin = random_network([3, 6, 6, 6, 1], "hardtanh", sigma_w=3.0,
                          seed=np.random.default_rng(5))
    chain = certified.BallChain.of(net)
    assert chain is not None and chain.frozen
    assert certified.BallChain.of(net) is chain
    assert certified.BallChain.of(twin) is not chain
    seg = Segment(rng.standard_normal(3), rng.standard_normal(3))
    with pytest.MonkeyPatch.context() as mp:
        float_decides_nothing(mp)
        first, again = trace(net, seg, exact=True), trace(net, seg, exact=True)
    assert first.filter_stats.refined > 0
    assert_same_trace(first, again)
    assert_same_trace(first, trace(net, seg, exact=RATIONAL_FRACTION))
