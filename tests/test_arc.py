"""Properties of regions.trace along elliptic arcs."""

import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from regions import Arc, Network, Segment, random_network, trace
from regions.sampling import sample_trace
from regions.strategies import arcs, random_networks

TWO_PI = 2 * math.pi


@st.composite
def net_and_arc(draw, closed=None, **kw):
    net = draw(random_networks(**kw))
    return net, draw(arcs(net.widths[0], closed))


def _on_circle(knots, start):
    return np.sort(np.mod(np.asarray(knots, dtype=float) - start, TWO_PI))


def test_dip_below_the_tolerance_is_a_touch_in_float_and_two_crossings_exactly():
    """x(t) = 1 + cos t + 3.4e-6 sin t dips 6e-12 below zero just after t = pi: two genuine
    crossings 7e-6 apart, which exact mode finds; float mode, whose tolerance is 1e-11 of the
    values' scale, treats the dip as touching zero (no knot)."""
    net = random_network([1, 1, 1], "relu", 1.0, 0.0, 0)
    arc = Arc([1.0], [3.4277318e-06], 0.0, TWO_PI, [1.0])
    assert trace(net, arc, exact=False).num_knots == 0
    ex = trace(net, arc, exact=True)
    assert ex.num_knots == 2
    # 1 + cos t + e sin t = 0 at t = pi exactly and at pi + d with d^2/2 = e d: d = 2e
    np.testing.assert_allclose(ex.knots, [math.pi, math.pi + 2 * 3.4277318e-06], atol=1e-12)
    assert ex.exact_knots[0] == 0  # s = -cot(pi / 2) = 0, exactly


@given(net_and_arc(closed=True, depth=1, width=st.integers(1, 8)))
def test_one_hidden_layer_on_a_full_circle_matches_closed_form(case):
    net, arc = case
    w, b = net.weights[0], net.biases[0]
    a = w @ arc.center + b
    bc, cc = w @ arc.x0, w @ arc.x1
    thresholds = (0.0,) if net.activations[0].name == "relu" else (-1.0, 1.0)
    expected = []
    for j in range(len(b)):
        r = math.hypot(bc[j], cc[j])
        for th in thresholds:
            q = (th - a[j]) / r if r > 0 else 2.0
            assume(abs(abs(q) - 1) > 1e-9)  # a near-tangency is within the tolerance
            if abs(q) < 1:
                ustar, width = math.atan2(cc[j], bc[j]), math.acos((th - a[j]) / r)
                expected += [ustar - width, ustar + width]
    got = _on_circle(trace(net, arc).knots, arc.start)
    want = _on_circle(expected, arc.start)
    assume(np.all(np.diff(want) > 1e-6) and (want.size == 0 or (want[0] > 1e-6 and want[-1] < TWO_PI - 1e-6)))
    np.testing.assert_allclose(got, want, atol=1e-9)


@given(net_and_arc(width=st.integers(1, 8)), st.integers(2, 500))
@settings(max_examples=60)
def test_exact_counts_bound_dense_sampling_on_arcs(case, n):
    net, arc = case
    tr, sm = trace(net, arc), sample_trace(net, arc, n)
    edges = tr.edges
    piece = np.clip(np.searchsorted(edges, sm.samples, side="right") - 1, 0, len(edges) - 2)
    match = np.ones(n, dtype=bool)
    for p_tr, p_sm in zip(tr.patterns, sm.patterns):
        match &= np.all(p_tr[piece] == p_sm, axis=1)
    near_edge = np.min(np.abs(np.subtract.outer(sm.samples, edges)), axis=1) <= 1e-7
    assert np.all(match | near_edge)
    for i in sm.change_gaps:
        lo, hi = sm.samples[i], sm.samples[i + 1]
        assert np.any((edges >= lo - 1e-9) & (edges <= hi + 1e-9)), (lo, hi)
    if match.all():
        assert sm.num_pieces <= len(edges) - 1  # intervals; on a closed curve ends join
        assert sm.num_patterns <= tr.num_patterns
    assert np.all(sm.lengths <= tr.lengths * (1 + 1e-9) + 1e-12)


@pytest.mark.parametrize("radius", [0.5, 1.0, 3.0, 1e3])
def test_circle_of_radius_r_has_length_two_pi_r(radius):
    net = random_network([2, 3, 1], seed=0)
    tr = trace(net, Arc.circle([radius, 0.0], [0.0, radius], center=[0.3, -0.2]))
    assert tr.lengths[0] == pytest.approx(TWO_PI * radius, rel=1e-14)
    half = trace(net, Arc([0.0, radius], [radius, 0.0], 0.0, math.pi))
    assert half.lengths[0] == pytest.approx(math.pi * radius, rel=1e-14)


@given(net_and_arc(width=st.integers(2, 8), depth=st.integers(1, 3)))
@settings(max_examples=25)
@example(  # fine structure: the output's polygon is still 0.04% short at 65537 points
    (random_network([2, 5, 2, 2, 1], "hardtanh", 4.0, 0.5, 16),
     Arc([0.0, 0.0], [0.0, 1.375], 0.0, 1.0))
)
def test_lengths_are_the_limit_of_refined_polylines(case):
    """Inscribed polygons on nested refinements grow monotonically toward the exact length
    of every layer's image."""
    net, arc = case
    exact = trace(net, arc).lengths
    previous = np.zeros_like(exact)
    for k in (4, 8, 12, 16):
        poly = sample_trace(net, arc, 2**k + 1).lengths
        assert np.all(poly >= previous * (1 - 1e-12) - 1e-12)
        assert np.all(poly <= exact * (1 + 1e-10) + 1e-12)
        previous = poly
    np.testing.assert_allclose(previous, exact, rtol=2e-3, atol=1e-9)


@given(net_and_arc(closed=False, width=st.integers(1, 8)), st.floats(0.1, 0.9))
@settings(max_examples=60)
def test_arc_traced_in_two_parts_gives_the_same_knots(case, frac):
    net, arc = case
    mid = arc.start + frac * (arc.stop - arc.start)
    whole = trace(net, arc)
    first = trace(net, Arc(arc.x0, arc.x1, arc.start, mid, arc.center))
    second = trace(net, Arc(arc.x0, arc.x1, mid, arc.stop, arc.center))
    assume(np.all(np.abs(whole.knots - mid) > 1e-7))
    changes = not all(np.array_equal(a[-1], b[0]) for a, b in zip(first.patterns, second.patterns))
    expected = np.concatenate([first.knots, [mid] if changes else [], second.knots])
    np.testing.assert_allclose(whole.knots, expected, atol=1e-9)
    assert whole.transitions == first.transitions + second.transitions + (
        int(whole.knot_transitions[np.argmin(np.abs(whole.knots - mid))].sum()) if changes else 0
    )


@given(
    st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1), st.floats(0.1, TWO_PI)
)
@example(1, 1, 1, 1.0470852217722628)  # a 1-D image turning back: mpmath gives 0.1147034349861340
@example(1, 2, 916301, 5.0625)  # a 1-D input: mpmath gives 8.941367044331118
def test_linear_network_maps_an_arc_to_an_ellipse_arc_of_predicted_length(m, k, seed, span):
    rng = np.random.default_rng(seed)
    net = random_network([m, k], "relu", seed=seed)  # one layer: linear
    x0, x1 = rng.standard_normal(m), rng.standard_normal(m)
    arc = Arc(x0, x1, 0.3, 0.3 + span)
    w = net.weights[0]
    speed = lambda t: np.linalg.norm(w @ (-np.sin(t) * x0 + np.cos(t) * x1))  # noqa: E731
    # |W x'(t)| has kinks where a one-dimensional image turns back: integrate between them
    kinks = []
    if k == 1 or m == 1:  # the image is one-dimensional: |x'| vanishes where it turns
        base = (math.atan2(float(x1[0]), float(x0[0])) if m == 1
                else math.atan2(float(w[0] @ x1), float(w[0] @ x0)))
        kinks = [base + i * math.pi for i in range(-4, 5) if 0.3 < base + i * math.pi < 0.3 + span]
    expected, _ = quad(speed, 0.3, 0.3 + span, points=kinks or None, epsabs=1e-14,
                       epsrel=1e-13, limit=200)
    tr = trace(net, arc)
    assert tr.num_pieces == 1
    assert tr.lengths[-1] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_closed_curve_enters_a_region_twice():
    """relu(x - 1/2) and relu(x + 1/2) on the unit circle: four knots, four pieces, three
    patterns (the middle strip is entered twice); the intervals at both ends of [0, 2 pi]
    are one piece."""
    net = Network([[[1.0, 0.0], [1.0, 0.0]], [[1.0, 1.0]]], [[-0.5, 0.5], [0.0]], "relu")
    tr = trace(net, Arc.circle([1.0, 0.0], [0.0, 1.0]))
    np.testing.assert_allclose(tr.knots, [math.pi / 3, 2 * math.pi / 3, 4 * math.pi / 3, 5 * math.pi / 3])
    assert tr.num_pieces == 4 and tr.num_patterns == 3
    assert len(tr.edges) - 1 == 5 and np.array_equal(tr.patterns[0][0], tr.patterns[0][-1])
    assert tr.transitions == 4
    # the open quarter-turn arc from t = 0 sees two pieces
    assert trace(net, Arc([1.0, 0.0], [0.0, 1.0], 0.0, math.pi / 2)).num_pieces == 2


def test_closed_curve_with_a_knot_at_its_start():
    net = Network([[[0.0, 1.0]], [[1.0]]], [[0.0], [0.0]], "relu")  # relu(y)
    tr = trace(net, Arc.circle([1.0, 0.0], [0.0, 1.0]))
    np.testing.assert_allclose(tr.knots, [0.0, math.pi], atol=1e-12)
    assert tr.num_pieces == 2 and tr.transitions == 2 and tr.sign_transitions == 0
    lin = Network([[[0.0, 1.0]]], [[0.25]], "linear")  # y + 1/4 changes sign twice
    assert trace(lin, Arc.circle([1.0, 0.0], [0.0, 1.0])).sign_transitions == 2


@given(net_and_arc(width=st.integers(1, 6)))
@settings(max_examples=40)
def test_arc_sign_transitions_match_dense_sampling(case):
    net, arc = case
    tr = trace(net, arc)
    t = np.linspace(arc.start, arc.stop, 20001)
    y = net(arc(t))[:, 0]
    scale = np.abs(y).max() + 1e-300
    assume(np.all(np.abs(y) > 1e-6 * scale))  # no sample near a zero of the output
    s = np.sign(y)
    changes = int(np.count_nonzero(s[1:] != s[:-1]))
    # sampling can miss a pair of close zeros, never invent one; with non-zero ends the parity
    # of the sign changes is fixed by the signs at the two ends (equal on a closed curve)
    assert changes <= tr.sign_transitions
    assert changes % 2 == tr.sign_transitions % 2


# -- exact mode ----------------------------------------------------------------------------

from fractions import Fraction  # noqa: E402

from regions._quadratic import QuadraticIrrational  # noqa: E402


def quarter_arcs(dim):
    return arcs(dim, quarter_turns=True)


@given(st.data())
@settings(max_examples=40)
def test_float_and_exact_agree_on_arcs(data):
    net = data.draw(random_networks(width=st.integers(1, 6), depth=st.integers(1, 2)))
    arc = data.draw(quarter_arcs(net.widths[0]))
    fl, ex = trace(net, arc, exact=False), trace(net, arc, exact=True)
    gaps = np.diff(ex.edges)
    assume(gaps.size == 0 or gaps.min() > 1e-6)
    assert fl.num_pieces == ex.num_pieces
    np.testing.assert_allclose(fl.knots, ex.knots, atol=1e-9)
    assert fl.transitions_per_layer.tolist() == ex.transitions_per_layer.tolist()
    for a, b in zip(fl.patterns, ex.patterns):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(fl.lengths, ex.lengths, rtol=1e-9)
    assert fl.num_linear_pieces == ex.num_linear_pieces
    # every exact knot is a quadratic irrational whose angle is the reported float knot
    for s, t in zip(ex.exact_knots, ex.knots):
        if s != -math.inf:
            assert isinstance(s, QuadraticIrrational)
            assert math.isclose(-1 / math.tan((t - arc.start) / 2), float(s), rel_tol=1e-9, abs_tol=1e-9)


def _frac(rows):
    return [[Fraction(v) for v in r] for r in rows]


def test_exact_arc_coincidences_and_tangency():
    """On the unit circle: relu(x - 1/2) and relu(2x - 1) switch at the same two points (one
    knot each, two transitions each); relu(y - 1) touches its threshold at t = pi/2 and turns
    back (no knot); x = 1/2 at t = pi/3 is cos(t) = 1/2: the knot is the quadratic irrational
    s = -cot(pi/6) = -sqrt(3)."""
    net = Network(
        [_frac([[1, 0], [2, 0], [0, 1]]), _frac([[1, 1, 1]])],
        [[Fraction(-1, 2), Fraction(-1), Fraction(-1)], [Fraction(0)]],
        "relu",
    )
    circle = Arc.circle([Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)])
    ex = trace(net, circle, exact=True)
    assert ex.num_knots == 2 and ex.transitions == 4
    assert ex.exact_knots.tolist() == [QuadraticIrrational(0, -1, 3), QuadraticIrrational(0, 1, 3)]
    np.testing.assert_allclose(ex.knots, [math.pi / 3, 5 * math.pi / 3])
    fl = trace(net, circle, exact=False)
    assert fl.num_knots == 2 and fl.transitions == 4


def test_exact_arc_needs_quarter_turn_ends():
    net = random_network([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match="start at a multiple of pi/2"):
        trace(net, Arc([1.0, 0.0], [0.0, 1.0], 0.1, 1.0), exact=True)
    with pytest.raises(ValueError, match="exact=True cannot sample an Arc"):
        sample_trace(net, Arc([1.0, 0.0], [0.0, 1.0]), 10, exact=True)


@pytest.mark.parametrize("seed, act", [(0, "relu"), (1, "hardtanh")])
def test_arc_lengths_match_30_digit_quadrature(seed, act):
    """Every layer's image length against mpmath quadrature of |dz/dt| at 30 digits, split
    at the knots and at the zeros of each velocity component (kinks of |dz/dt|)."""
    import mpmath

    mpmath.mp.dps = 30
    net = random_network([2, 4, 3, 1], act, sigma_w=2.0, sigma_b=0.3, seed=seed)
    rng = np.random.default_rng(seed)
    arc = Arc(rng.standard_normal(2), rng.standard_normal(2), 0.0, math.pi)
    W = [[[mpmath.mpf(float(v)) for v in row] for row in w] for w in net.weights]
    B = [[mpmath.mpf(float(v)) for v in b] for b in net.biases]
    x0 = [mpmath.mpf(float(v)) for v in arc.x0]
    x1 = [mpmath.mpf(float(v)) for v in arc.x1]

    def velocities(t):
        z = [mpmath.cos(t) * a + mpmath.sin(t) * b for a, b in zip(x0, x1)]
        dz = [-mpmath.sin(t) * a + mpmath.cos(t) * b for a, b in zip(x0, x1)]
        out = [dz]
        for w, b, a in zip(W, B, net.activations):
            h = [sum(wi * zi for wi, zi in zip(row, z)) + bi for row, bi in zip(w, b)]
            dh = [sum(wi * zi for wi, zi in zip(row, dz)) for row in w]
            if a.name == "relu":
                dz, z = [d if v > 0 else 0 for v, d in zip(h, dh)], [max(v, 0) for v in h]
            elif a.name == "hardtanh":
                dz = [d if -1 < v < 1 else 0 for v, d in zip(h, dh)]
                z = [min(max(v, -1), 1) for v in h]
            else:
                dz, z = dh, h
            out.append(dz)
        return out

    def bisect(g, u, v):
        gu = g(u)
        for _ in range(110):
            mid = (u + v) / 2
            if g(mid) * gu > 0:
                u, gu = mid, g(mid)
            else:
                v = mid
        return (u + v) / 2

    tr = trace(net, arc)
    edges = [mpmath.mpf(float(e)) for e in tr.edges]
    ref = [mpmath.mpf(0)] * len(tr.lengths)
    for a, b in zip(edges[:-1], edges[1:]):
        grid = [a + (b - a) * i / 16 for i in range(17)]
        for d in range(len(ref)):
            pts = [a, b]
            for comp in range(len(velocities((a + b) / 2)[d])):
                g = lambda t, d=d, comp=comp: velocities(t)[d][comp]  # noqa: E731
                pts += [bisect(g, u, v) for u, v in zip(grid[:-1], grid[1:]) if g(u) * g(v) < 0]
            speed = lambda t, d=d: mpmath.sqrt(sum(v * v for v in velocities(t)[d]))  # noqa: E731
            ref[d] += mpmath.quad(speed, sorted(pts))
    np.testing.assert_allclose(tr.lengths, [float(r) for r in ref], rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(trace(net, arc, exact=True).lengths, [float(r) for r in ref],
                               rtol=1e-13, atol=1e-300)


def test_a_full_turn_is_closed_wherever_it_starts():
    """stop - start rounds below 2 pi for start = 20 pi: still one closed curve, in float and
    exact mode alike (found in review)."""
    net = Network([[[1.0, 0.0]], [[1.0]]], [[0.0], [0.0]], "relu")
    for k in (0, 10, 1000):
        arc = Arc([1.0, 0.0], [0.0, 1.0], 2 * k * math.pi, 2 * (k + 1) * math.pi)
        assert arc.closed
        assert trace(net, arc).num_pieces == trace(net, arc, exact=True).num_pieces == 2


def test_sampling_a_closed_curve_does_not_count_its_ends_twice():
    net = Network([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "relu")
    circle = Arc.circle([1.0, 0.0], [0.0, 1.0], center=[0.1, 0.2])
    assert sample_trace(net, circle, 100001).num_pieces == trace(net, circle).num_pieces == 4


def test_exact_arcs_refuse_ends_off_a_quarter_turn_by_more_than_rounding():
    net = random_network([2, 2, 1], seed=0)
    start = 636620 * math.pi / 2 + 5e-7
    with pytest.raises(ValueError, match="start at a multiple of pi/2"):
        trace(net, Arc([1.0, 0.0], [0.0, 1.0], start, start + 1.0), exact=True)


def test_angles_may_be_fractions():
    arc = Arc([1.0, 0.0], [0.0, 1.0], Fraction(0), Fraction(3, 2))
    assert arc.start == 0.0 and arc.stop == 1.5


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_lengths_at_extreme_scales(scale):
    net = Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], "relu")
    for exact in (False, True):
        seg = trace(net, Segment([0.0], [scale]), exact=exact).lengths
        np.testing.assert_allclose(seg, [scale] * 3, rtol=1e-14)
        quarter = trace(net, Arc([scale], [0.0]), exact=exact).lengths
        np.testing.assert_allclose(quarter, [scale] * 3, rtol=1e-14)


@given(net_and_arc(width=st.integers(1, 6)), st.sampled_from([1, 1000, 159155]))
@settings(max_examples=40)
def test_shifting_an_arc_by_whole_turns_changes_nothing(case, turns):
    net, arc = case
    shift = 2 * math.pi * turns
    moved = Arc(arc.x0, arc.x1, arc.start + shift, arc.stop + shift, arc.center)
    a, b = trace(net, arc), trace(net, moved)
    gaps = np.diff(a.edges)
    assume(gaps.size == 0 or gaps.min() > 1e-6)
    assert a.num_pieces == b.num_pieces
    assert a.transitions_per_layer.tolist() == b.transitions_per_layer.tolist()
    # the knots agree up to the rounding of start + u at the shifted angle
    np.testing.assert_allclose(b.knots - shift, a.knots, atol=1e-9 + 8 * math.ulp(shift))
    # the shifted span itself rounds at the ulp of the shifted angles
    span_error = 8 * math.ulp(shift) / (arc.stop - arc.start)
    np.testing.assert_allclose(a.lengths, b.lengths, rtol=1e-9 + span_error)
