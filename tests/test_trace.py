"""Properties of regions.trace on straight and polygonal trajectories."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from regions import Line, Network, Polyline, Segment, random_network, trace
from regions.sampling import sample_trace
from regions.strategies import (
    lines,
    points,
    polylines,
    random_networks,
    rational_networks,
    segments,
    small_fractions,
)

from .oracle import Oracle
from .reference_numbers import FOLDING_PIECES_N0_1

F = Fraction


def _frac_net(weights, biases, act="relu"):
    return Network(
        [[[F(v) for v in row] for row in w] for w in weights],
        [[F(v) for v in b] for b in biases],
        act,
    )


# -- exact mode against the brute-force oracle ------------------------------------------


@st.composite
def net_and_segment(draw, **kw):
    net = draw(rational_networks(**kw))
    seg = draw(segments(net.widths[0], exact=True))
    return net, seg


@given(net_and_segment(activations=("relu", "hardtanh", "leaky_relu", "abs")))
@settings(max_examples=150)
def test_exact_trace_matches_brute_force_oracle(case):
    net, seg = case
    tr = trace(net, seg)
    knots, pats, trans = Oracle(net).trace_segment(seg.x0, seg.x1)
    assert list(tr.knots) == knots
    full = np.concatenate(tr.patterns, axis=1)
    assert [tuple(int(v) for v in row) for row in full] == pats
    assert tr.knot_transitions.sum(axis=1).tolist() == trans
    assert tr.num_pieces == len(knots) + 1 == tr.num_patterns


@given(
    net_and_segment(activations=("relu", "hardtanh", "leaky_relu", "abs"), mixed=True,
                    output_dim=st.integers(1, 2), depth=st.integers(1, 3))
)
@settings(max_examples=100)
def test_mixed_activations_nonlinear_outputs_match_the_oracle(case):
    """Every layer its own activation, the output layer possibly non-linear, one or two
    outputs: knots, patterns, transitions and per-output sign changes against the oracle."""
    net, seg = case
    tr = trace(net, seg)
    oracle = Oracle(net)
    knots, pats, trans = oracle.trace_segment(seg.x0, seg.x1)
    assert list(tr.knots) == knots
    full = np.concatenate(tr.patterns, axis=1)
    assert [tuple(int(v) for v in row) for row in full] == pats
    assert tr.knot_transitions.sum(axis=1).tolist() == trans
    outputs = [oracle.output(seg(t)) for t in tr.edges]  # the output is affine between edges
    for c in range(net.widths[-1]):
        signs = [(y[c] > 0) - (y[c] < 0) for y in outputs]
        signs = [v for v in signs if v]
        assert tr.sign_transitions_per_output[c] == sum(a != b for a, b in zip(signs, signs[1:]))


@st.composite
def any_straight_trajectory(draw, dim):
    kind = draw(st.sampled_from(["segment", "line", "polyline"]))
    if kind == "segment":
        return draw(segments(dim))
    if kind == "line":
        return draw(lines(dim))
    return draw(polylines(dim, max_points=4))


@given(st.data())
@settings(max_examples=80)
def test_float_and_exact_agree_with_mixed_activations_and_outputs(data):
    net = data.draw(random_networks(activations=("relu", "hardtanh", "leaky_relu", "abs"),
                                    mixed=True, output_dim=st.integers(1, 2),
                                    width=st.integers(1, 6)))
    traj = data.draw(any_straight_trajectory(net.widths[0]))
    fl, ex = trace(net, traj, exact=False), trace(net, traj, exact=True)
    assume(_min_gap(ex) > 1e-6)
    assert fl.num_pieces == ex.num_pieces
    np.testing.assert_allclose(fl.knots, ex.knots.astype(float), rtol=1e-9, atol=1e-9)
    assert fl.transitions_per_layer.tolist() == ex.transitions_per_layer.tolist()
    for a, b in zip(fl.patterns, ex.patterns):
        np.testing.assert_array_equal(a, b)
    assert fl.num_linear_pieces == ex.num_linear_pieces


def test_coincidences_are_one_knot():
    # three ReLUs switch at x = 1/2; a fourth touches zero at x = 1/2 and turns back
    net = _frac_net(
        [[[2], [4], [-6]], [[1, 1, 1]]], [[-1, -2, 3], [0]]
    )
    tr = trace(net, Segment([F(0)], [F(1)]))
    assert tr.knots.tolist() == [F(1, 2)]
    assert tr.transitions == 3
    toucher = _frac_net([[[1], [-1]], [[1, 1]], [[1]]], [[F(-1, 2), F(1, 2)], [0], [0]])
    # layer 2 reads |x - 1/2|, which touches 0 at 1/2 and turns back: layer 2 never switches
    tr = trace(toucher, Segment([F(0)], [F(1)]))
    assert tr.knots.tolist() == [F(1, 2)]
    assert tr.transitions_per_layer.tolist() == [2, 0, 0]


def test_neuron_constant_at_threshold_uses_tie_rule():
    # layer 1: relu(x) and relu(-x); layer 2 reads relu(-x), constant 0 on x > 0
    net = _frac_net([[[1], [-1]], [[0, 1]], [[1]]], [[0, 0], [0], [0]])
    tr = trace(net, Segment([F(-1)], [F(1)]))
    assert tr.knots.tolist() == [F(1, 2)]
    # on x > 0 the second-layer neuron sits on its threshold: code 0 (the piece below)
    assert tr.patterns[1].tolist() == [[1], [0]]


# -- float against exact -------------------------------------------------------------------


@st.composite
def generic_case(draw, traj=segments):
    net = draw(random_networks(width=st.integers(1, 8)))
    return net, draw(traj(net.widths[0]))


def _min_gap(tr):
    """Narrowest finite piece, and distance of the knots from the trajectory's ends."""
    edges = [float(e) for e in tr.edges]
    gaps = np.diff(edges)
    gaps = gaps[np.isfinite(gaps)]
    return gaps.min() if gaps.size else np.inf


def test_float_mode_merges_a_piece_narrower_than_the_tolerance():
    """Shrunk from test_float_and_exact_agree_on_random_networks: a genuine piece of width
    ~1e-156 at the start of the segment. Exact mode finds it; float mode, by its documented
    tolerance, treats the crossing as lying on the segment's end."""
    net = random_network([2, 1, 1], "relu", 1.0, 0.0, 0)
    seg = Segment([0.0, -9.141780051697851e-156], [-1.0, 0.0])
    assert trace(net, seg, exact=True).num_pieces == 2
    assert trace(net, seg, exact=False).num_pieces == 1


@given(generic_case())
@settings(max_examples=80)
def test_float_and_exact_agree_on_random_networks(case):
    """Agreement is claimed where no exact piece is narrower than the tolerance allows."""
    net, seg = case
    fl, ex = trace(net, seg, exact=False), trace(net, seg, exact=True)
    assert _min_gap(ex) > 1e-6 or fl.num_pieces <= ex.num_pieces
    assume(_min_gap(ex) > 1e-6)
    # ... and no output within the tolerance of zero at an edge, unless exactly zero
    y = np.abs(net(seg(ex.edges)).astype(float))
    assume(np.all((y == 0) | (y > 1e-6)))
    assert fl.num_pieces == ex.num_pieces
    np.testing.assert_allclose(fl.knots, ex.knots.astype(float), rtol=0, atol=1e-9)
    assert fl.transitions_per_layer.tolist() == ex.transitions_per_layer.tolist()
    for a, b in zip(fl.patterns, ex.patterns):
        np.testing.assert_array_equal(a, b)
    assert fl.num_linear_pieces == ex.num_linear_pieces
    assert fl.sign_transitions == ex.sign_transitions
    np.testing.assert_allclose(fl.lengths, ex.lengths, rtol=1e-9)


@given(generic_case(traj=lines))
@settings(max_examples=40)
def test_float_and_exact_agree_on_lines(case):
    net, line = case
    fl, ex = trace(net, line, exact=False), trace(net, line, exact=True)
    assume(_min_gap(ex) > 1e-6)
    assert fl.num_pieces == ex.num_pieces
    np.testing.assert_allclose(fl.knots, ex.knots.astype(float), rtol=1e-9, atol=1e-9)
    assert fl.transitions == ex.transitions
    assert fl.sign_transitions == ex.sign_transitions


# -- sampling is a lower bound ---------------------------------------------------------------


def _check_samples_against_trace(tr, sm, exact):
    """Every sample strictly inside a piece has that piece's pattern; a sample whose pattern
    differs from its piece's lies on an edge (a boundary, where the tie rule decides). When no
    sample lies on a boundary, sampling finds at most the exact number of pieces and every
    pattern change between two samples has a knot between them."""
    edges, samples = tr.edges, sm.samples
    piece = np.clip(np.searchsorted(edges, samples, side="right") - 1, 0, tr.num_pieces - 1)
    match = np.ones(samples.shape[0], dtype=bool)
    for p_tr, p_sm in zip(tr.patterns, sm.patterns):
        match &= np.all(p_tr[piece] == p_sm, axis=1)
    dist = np.min(np.abs(np.subtract.outer(samples, edges)).astype(float), axis=1)
    at_edge = dist == 0 if exact else dist <= 1e-9
    assert np.all(match | at_edge)
    for i in sm.change_gaps:
        lo, hi = samples[i], samples[i + 1]
        assert np.any((tr.knots >= lo) & (tr.knots <= hi)) or not (match[i] and match[i + 1])
    if match.all():
        assert sm.num_pieces <= tr.num_pieces
        assert sm.num_patterns <= tr.num_patterns


@given(generic_case(), st.integers(2, 400))
@settings(max_examples=60)
@example(  # x0 lies on a ReLU hyperplane: the sample there has the boundary's pattern
    (random_network([1, 1, 1], "relu", 1.0, 0.0, 0), Segment([0.0], [1.0])), 2
)
def test_sampling_is_bounded_by_the_exact_trace(case, n):
    net, seg = case
    tr, sm = trace(net, seg), sample_trace(net, seg, n)
    _check_samples_against_trace(tr, sm, exact=False)
    # sampled image lengths are inscribed polygons: never longer than the exact length
    assert np.all(sm.lengths <= tr.lengths * (1 + 1e-9) + 1e-12)


@given(net_and_segment(), st.integers(2, 60))
def test_exact_sampling_is_bounded_by_the_exact_trace_at_coincidences(case, n):
    net, seg = case
    _check_samples_against_trace(trace(net, seg), sample_trace(net, seg, n), exact=True)


# -- structure: halves, rescaling, permutations ---------------------------------------------


@given(net_and_segment())
def test_segment_counts_equal_its_halves(case):
    net, seg = case
    mid = (seg.x0 + seg.x1) / 2
    whole = trace(net, seg)
    first, second = trace(net, Segment(seg.x0, mid)), trace(net, Segment(mid, seg.x1))
    changes_at_mid = not all(
        np.array_equal(p1[-1], p2[0]) for p1, p2 in zip(first.patterns, second.patterns)
    )
    expected = [k / 2 for k in first.knots] + ([F(1, 2)] if changes_at_mid else []) + [
        F(1, 2) + k / 2 for k in second.knots
    ]
    assert list(whole.knots) == expected
    extra = whole.knot_transitions[list(whole.knots).index(F(1, 2))].sum() if changes_at_mid else 0
    assert whole.transitions == first.transitions + second.transitions + extra
    assert whole.num_pieces == first.num_pieces + second.num_pieces - (0 if changes_at_mid else 1)


def _rescaled(net, layer, neuron, c):
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    ws[layer][neuron, :] *= c
    bs[layer][neuron] *= c
    ws[layer + 1][:, neuron] /= c
    return Network(ws, bs, [a.name for a in net.activations])


@given(
    net_and_segment(activations=("relu",), depth=st.integers(1, 3)),
    st.data(),
    small_fractions(5, 4).filter(lambda c: c > 0),
)
def test_relu_rescaling_leaves_knots_and_output_unchanged(case, data, c):
    net, seg = case
    layer = data.draw(st.integers(0, net.num_layers - 2))
    neuron = data.draw(st.integers(0, net.widths[layer + 1] - 1))
    other = _rescaled(net, layer, neuron, c)
    a, b = trace(net, seg), trace(other, seg)
    assert list(a.knots) == list(b.knots)
    for pa, pb in zip(a.patterns, b.patterns):
        np.testing.assert_array_equal(pa, pb)
    ts = [F(i, 7) for i in range(8)]
    np.testing.assert_array_equal(net(seg(ts)), other(seg(ts)))


@given(net_and_segment(depth=st.integers(1, 3), width=st.integers(2, 5)), st.data())
def test_permuting_hidden_neurons_changes_nothing(case, data):
    net, seg = case
    layer = data.draw(st.integers(0, net.num_layers - 2))
    perm = np.array(data.draw(st.permutations(range(net.widths[layer + 1]))))
    ws = list(net.weights)
    bs = list(net.biases)
    ws[layer], bs[layer] = ws[layer][perm], bs[layer][perm]
    ws[layer + 1] = ws[layer + 1][:, perm]
    other = Network(ws, bs, [a.name for a in net.activations])
    a, b = trace(net, seg), trace(other, seg)
    assert list(a.knots) == list(b.knots)
    assert a.transitions_per_layer.tolist() == b.transitions_per_layer.tolist()
    np.testing.assert_array_equal(a.patterns[layer][:, perm], b.patterns[layer])


# -- closed forms -----------------------------------------------------------------------------


@given(
    rational_networks(depth=1, width=st.integers(1, 6), activations=("relu", "hardtanh")),
    st.data(),
)
def test_one_hidden_layer_knots_are_the_closed_form_crossings(net, data):
    line = data.draw(lines(net.widths[0], exact=True))
    tr = trace(net, line)
    w, b = net.weights[0], net.biases[0]
    thresholds = (0,) if net.activations[0].name == "relu" else (-1, 1)
    slope = w @ line.direction
    start = w @ line.point + b
    crossings = [(th - start[j]) / slope[j] for j in range(len(b)) for th in thresholds if slope[j] != 0]
    assert list(tr.knots) == sorted(set(crossings))
    assert tr.transitions == len(crossings)


@pytest.mark.parametrize("depth", range(1, 11))
def test_sawtooth_has_two_to_the_depth_pieces(depth):
    from regions.constructions import sawtooth

    net, (lo, hi) = sawtooth(depth)
    tr = trace(net, Segment(lo, hi))
    assert tr.num_pieces == 2**depth
    assert tr.knots.tolist() == [F(i, 2**depth) for i in range(1, 2**depth)]
    assert tr.num_linear_pieces == 2**depth
    # each affine piece maps its interval onto [0, 1]: the output's image has length 2^L
    assert tr.lengths[-1] == pytest.approx(2**depth, rel=1e-15)


@pytest.mark.parametrize(
    "widths, pieces",
    sorted(FOLDING_PIECES_N0_1.items()),
)
def test_folding_network_pinned_counts(widths, pieces):
    """tests/reference_numbers.py: Montufar folding, n0 = 1, pieces inside the box
    [0, p/2]."""
    from regions.constructions import folding_network

    net, (lo, hi) = folding_network(widths)
    tr = trace(net, Segment(lo, hi))
    assert tr.num_pieces == pieces
    # over the whole line there are a few more pieces, outside the box
    assert trace(net, Line([F(0)], [F(1)])).num_pieces >= pieces


# -- lines and polylines against segments ------------------------------------------------------


@given(rational_networks(input_dim=st.integers(1, 2)), st.data())
def test_line_equals_a_segment_covering_all_knots(net, data):
    line = data.draw(lines(net.widths[0], exact=True))
    tr = trace(net, line)
    lo = (tr.knots[0] if tr.num_knots else F(0)) - 1
    hi = (tr.knots[-1] if tr.num_knots else F(0)) + 1
    # the output is affine beyond the outer knots: take in its zero there, if any
    oracle = Oracle(net)
    for end, step in ((lo, -1), (hi, 1)):
        y0, y1 = oracle.output(line(end))[0], oracle.output(line(end + step))[0]
        if y0 != y1 and (y0 / (y0 - y1)) >= 0:
            reach = end + step * (y0 / (y0 - y1)) + step
            lo, hi = min(lo, reach), max(hi, reach)
    seg = Segment(line.point + lo * line.direction, line.point + hi * line.direction)
    st_ = trace(net, seg)
    assert [lo + k * (hi - lo) for k in st_.knots] == list(tr.knots)
    for a, b in zip(tr.patterns, st_.patterns):
        np.testing.assert_array_equal(a, b)
    assert tr.sign_transitions == st_.sign_transitions


@given(net_and_segment(), st.integers(1, 4))
def test_polyline_through_collinear_points_equals_the_segment(case, cuts):
    net, seg = case
    pts = [seg(F(i, cuts + 1)) for i in range(cuts + 2)]
    poly, line_tr = trace(net, Polyline(pts)), trace(net, seg)
    assert [k / (cuts + 1) for k in poly.knots] == list(line_tr.knots)
    assert poly.transitions == line_tr.transitions
    assert poly.num_pieces == line_tr.num_pieces
    np.testing.assert_allclose(poly.lengths, line_tr.lengths, rtol=1e-12)


@given(rational_networks(), st.data())
def test_polyline_pieces_match_oracle_per_leg(net, data):
    poly = data.draw(polylines(net.widths[0], exact=True, max_points=4))
    tr = trace(net, poly)
    oracle = Oracle(net)
    expected = []
    pats = []
    for i, (a, b) in enumerate(zip(poly.points[:-1], poly.points[1:])):
        knots, leg_pats, _ = oracle.trace_segment(a, b)
        if i > 0:
            if leg_pats[0] != pats[-1]:
                expected.append(F(i))
            leg_pats = leg_pats if leg_pats[0] != pats[-1] else leg_pats[1:]
        expected += [i + k for k in knots]
        pats += leg_pats
    assert list(tr.knots) == expected
    full = np.concatenate(tr.patterns, axis=1)
    assert [tuple(int(v) for v in row) for row in full] == pats


# -- linear pieces, sign transitions, lengths ---------------------------------------------------


@given(net_and_segment(input_dim=1))
def test_linear_pieces_one_input_equal_slope_changes(case):
    """With one input an affine map of x is an affine map of t: count output-slope changes."""
    net, seg = case
    tr = trace(net, seg)
    oracle = Oracle(net)
    edges = list(tr.edges)
    ys = [oracle.output(seg(t))[0] for t in edges]
    slopes = [(y1 - y0) / (t1 - t0) for y0, y1, t0, t1 in zip(ys, ys[1:], edges, edges[1:])]
    assert tr.num_linear_pieces == 1 + sum(a != b for a, b in zip(slopes, slopes[1:]))
    assert tr.num_linear_pieces <= tr.num_pieces


@given(net_and_segment())
def test_sign_transitions_match_oracle(case):
    net, seg = case
    tr = trace(net, seg)
    oracle = Oracle(net)
    signs = [(y > 0) - (y < 0) for y in (oracle.output(seg(t))[0] for t in tr.edges)]
    signs = [s for s in signs if s]
    assert tr.sign_transitions == sum(a != b for a, b in zip(signs, signs[1:]))


@given(
    rational_networks(depth=1, activations=("relu",), input_dim=st.integers(1, 3)),
    st.data(),
)
def test_linear_network_maps_length_by_its_matrix(net, data):
    """A network with every layer linear maps a segment to a segment of length |A d|."""
    lin = Network(net.weights, net.biases, ["linear"] * net.num_layers)
    seg = data.draw(segments(net.widths[0], exact=True))
    a = np.array(lin.weights[0].astype(float))
    tr = trace(lin, seg)
    d = (seg.x1 - seg.x0).astype(float)
    assert tr.num_pieces == 1
    assert tr.lengths[0] == pytest.approx(np.linalg.norm(d), rel=1e-14)
    assert tr.lengths[1] == pytest.approx(np.linalg.norm(a @ d), rel=1e-14, abs=1e-300)


def test_line_lengths_are_infinite_unless_constant():
    net = _frac_net([[[1]], [[1]]], [[0], [0]])  # relu(x): constant 0 on the left
    tr = trace(net, Line([F(0)], [F(1)]))
    assert tr.lengths.tolist() == [np.inf, np.inf, np.inf]
    dead = _frac_net([[[0]], [[1]]], [[-1], [0]])
    assert trace(dead, Line([F(0)], [F(1)])).lengths.tolist() == [np.inf, 0.0, 0.0]


def test_vector_output_sign_transitions_needs_scalar():
    net = random_network([2, 4, 2], seed=0)
    tr = trace(net, Segment([0.0, 0.0], [1.0, 1.0]))
    assert tr.sign_transitions_per_output.shape == (2,)
    with pytest.raises(ValueError, match="one output"):
        tr.sign_transitions


def test_line_output_zero_beyond_the_last_knot_counts_as_a_sign_change():
    """Shrunk from test_line_equals_a_segment_covering_all_knots: y = 2 relu(3t/2) - 3 has
    its knot at 0 and its sign change at t = 1, on the unbounded piece."""
    net = _frac_net([[[0, 1]], [[2]]], [[0], [-3]])
    tr = trace(net, Line([F(0), F(0)], [F(0), F(3, 2)]))
    assert tr.knots.tolist() == [0]
    assert tr.sign_transitions == 1
    assert trace(net, Segment([F(0), F(-1)], [F(0), F(2)])).sign_transitions == 1
