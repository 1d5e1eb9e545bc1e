"""regions.batch: a batch of segments traced in one run equals a loop of single traces."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import GraphBuilder, Network, Segment, random_network, trace
from regions.batch import SegmentTraces, segment_pairs, trace_segments


def _single(net, a, b, exact):
    """The reference: one trace per segment."""
    return [trace(net, Segment(x, y), exact=exact) for x, y in zip(a, b)]


def _assert_matches_loop(out: SegmentTraces, singles, exact: bool):
    assert len(out) == len(singles)
    for i, tr in enumerate(singles):
        assert out.num_pieces[i] == tr.num_pieces, i
        assert np.array_equal(out.transitions_per_layer[i], tr.transitions_per_layer), i
        assert out.sign_transitions[i] == int(tr.sign_transitions_per_output.sum()), i
        if exact:
            assert list(out.knots[i]) == list(tr.exact_knots if tr.exact_knots is not None
                                              else tr.knots), i
            np.testing.assert_allclose(out.lengths[i], tr.lengths, rtol=1e-12)
        else:
            np.testing.assert_allclose(out.knots[i], tr.knots, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(out.lengths[i], tr.lengths, rtol=1e-9)


def _maxout_graph(rng):
    b = GraphBuilder((3,))
    h = b.dense(b.input, rng.normal(size=(9, 3)), rng.normal(size=9))
    h = b.maxout(h, 3)
    h = b.activation(b.dense(h, rng.normal(size=(4, 3)), rng.normal(size=4)), "hardtanh")
    return b.build(b.dense(h, rng.normal(size=(1, 4))))


@pytest.mark.parametrize("activation", ["relu", "hardtanh", "leaky_relu"])
def test_float_batch_equals_a_loop_of_traces(activation):
    net = random_network([5, 12, 12, 12, 1], activation, sigma_w=2.0, sigma_b=0.5, seed=3)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(40, 5)) * 3, rng.normal(size=(40, 5)) * 3
    _assert_matches_loop(trace_segments(net, a, b, exact=False), _single(net, a, b, False),
                         False)


def test_batch_of_a_graph_with_maxout():
    rng = np.random.default_rng(5)
    g = _maxout_graph(rng)
    a, b = rng.normal(size=(15, 3)) * 2, rng.normal(size=(15, 3)) * 2
    _assert_matches_loop(trace_segments(g, a, b, exact=False), _single(g, a, b, False), False)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_exact_batch_on_coincidence_heavy_nets_equals_exact_traces(seed):
    """Weights k/3 and integer points: many segments pass through vertices of the
    arrangement and along boundaries; every count is rational arithmetic's."""
    rng = np.random.default_rng(seed)
    widths = [2, 4, 4, 1]
    ws = [[[F(int(rng.integers(-3, 4)), 3) for _ in range(widths[i])]
           for _ in range(widths[i + 1])] for i in range(3)]
    bs = [[F(int(rng.integers(-3, 4)), 3) for _ in range(widths[i + 1])] for i in range(3)]
    net = Network(ws, bs, ["relu", "hardtanh", "linear"])
    grid = np.unique(rng.integers(-3, 4, size=(6, 2)), axis=0)  # distinct points
    pts = [[F(int(v)) for v in p] for p in grid]
    a, b, _ = segment_pairs(np.array(pts, dtype=object))
    out = trace_segments(net, a, b)
    assert out.arithmetic == "rational"
    _assert_matches_loop(out, _single(net, a, b, True), True)


def test_far_apart_segments_keep_the_single_trace_tolerance():
    """Segment 299 lies at parameter ~600 of the batch; float mode measures its tolerance
    from the segment's start, so a piece 1e-10 wide (merged at a tolerance 600x larger)
    is kept, as a single trace keeps it."""
    net = Network([[[1.0], [1.0]], [[1.0, 1.0]]], [[0.0, -1e-10], [0.0]], ["relu", "linear"])
    a = np.full((300, 1), -1.0)
    b = np.full((300, 1), 1.0)
    out = trace_segments(net, a, b, exact=False)
    assert trace(net, Segment([-1.0], [1.0])).num_pieces == 3
    assert out.num_pieces.tolist() == [3] * 300


def test_consecutive_pairs_along_a_path_equal_the_polyline():
    """The segments of a path through the data traced as a batch: their pieces add up to the
    polyline's (no knot at a shared vertex here)."""
    from regions import Polyline

    net = random_network([4, 10, 10, 1], "relu", sigma_w=2.0, sigma_b=0.3, seed=1)
    pts = np.random.default_rng(2).normal(size=(12, 4)) * 2
    a, b, pairs = segment_pairs(pts, how="consecutive")
    out = trace_segments(net, a, b, exact=False)
    poly = trace(net, Polyline(pts), exact=False)
    assert pairs.tolist() == [[i, i + 1] for i in range(11)]
    assert int(out.transitions.sum()) == poly.transitions
    np.testing.assert_allclose(out.lengths.sum(axis=0), poly.lengths, rtol=1e-9)


def test_records_and_dataframe():
    net = random_network([3, 6, 1], "relu", seed=0)
    rng = np.random.default_rng(1)
    out = trace_segments(net, rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    rec = out.records()
    assert [r["num_pieces"] for r in rec] == out.num_pieces.tolist()
    assert rec[0]["transitions_layer1"] == out.transitions_per_layer[0, 0]
    assert set(rec[0]) >= {"segment", "num_pieces", "transitions", "sign_transitions",
                           "length_in", "length_out"}
    pd = pytest.importorskip("pandas")
    df = out.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert df["num_pieces"].tolist() == out.num_pieces.tolist()
    assert "4 segments" in repr(out)


def test_bad_input_is_named():
    net = random_network([2, 3, 1], "relu", seed=0)
    with pytest.raises(ValueError, match="starts and ends must have the same shape"):
        trace_segments(net, np.zeros((2, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="must have 2 columns"):
        trace_segments(net, np.zeros((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="segment 1 has starts == ends"):
        trace_segments(net, [[0, 0], [1, 1]], [[1, 0], [1, 1]])
    with pytest.raises(ValueError, match="at least one segment"):
        trace_segments(net, np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(TypeError, match="net must be"):
        trace_segments("net", [[0, 0]], [[1, 1]])
    with pytest.raises(TypeError, match="mix float and Fraction"):
        trace_segments(net, [[F(0), F(0)]], [[0.5, 1.0]])
    with pytest.raises(ValueError, match="how must be"):
        segment_pairs([[0, 0], [1, 1]], how="every")
