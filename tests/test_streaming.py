"""Streaming summaries (regions.streaming) equal the in-memory Trace / Partition."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from regions import Arc, Line, Plane, Polyline, Segment, partition, random_network, trace
from regions._streaming import DistinctKeys, Packer
from regions.streaming import partition_summary, trace_summary


def _same(summary, tr, rel=1e-12):
    assert summary.num_pieces == tr.num_pieces
    assert summary.num_patterns == tr.num_patterns
    assert summary.transitions_per_layer == tuple(int(v) for v in tr.transitions_per_layer)
    assert summary.sign_transitions_per_output == tuple(
        int(v) for v in tr.sign_transitions_per_output)
    assert summary.num_linear_pieces == tr.num_linear_pieces
    np.testing.assert_allclose(summary.lengths, tr.lengths, rtol=rel)


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_segment_float_equals_trace(act, seed):
    net = random_network([3, 12, 12, 12, 1], act, sigma_w=2.0, sigma_b=0.5, seed=seed)
    rng = np.random.default_rng(seed)
    seg = Segment(*rng.normal(size=(2, 3)) * 2)
    tr = trace(net, seg)
    s = trace_summary(net, seg, chunk_pieces=6, knots=True)
    assert s.num_chunks > 3 and not s.exact
    _same(s, tr)
    np.testing.assert_allclose(np.array(s.knots, dtype=float), tr.knots, rtol=0, atol=1e-12)


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_segment_exact_boundaries_on_knots(act):
    net = random_network([2, 10, 10, 2], act, sigma_w=2.0, sigma_b=0.5, seed=5)
    seg = Segment([-1.5, 0.25], [1.0, 0.5])
    tr = trace(net, seg, exact=True)
    k = list(tr.knots)
    assert len(k) > 12
    s = trace_summary(net, seg, exact=True, chunk_pieces=8, knots=True,
                      boundaries=[k[2], k[3], k[len(k) // 2], k[-1]])
    assert s.exact
    _same(s, tr, rel=1e-14)
    assert list(s.knots) == k  # the same Fractions, boundary knots included, once each


def test_polyline_exact_boundaries_on_knots_and_vertices():
    net = random_network([2, 10, 10, 1], "hardtanh", sigma_w=2.0, seed=3)
    path = Polyline([[-1, 0], [1, 0.5], [-0.5, -0.5], [1, 1], [-1, 0]])
    tr = trace(net, path, exact=True)
    k = list(tr.knots)
    assert tr.num_patterns < tr.num_pieces  # regions met twice: distinct keys matter
    s = trace_summary(net, path, exact=True, chunk_pieces=10, knots=True,
                      boundaries=[k[1], 1, 2, k[len(k) // 2], Fraction(7, 2)])
    _same(s, tr, rel=1e-14)
    assert list(s.knots) == k


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_polyline_float_equals_trace(act):
    net = random_network([4, 16, 16, 1], act, sigma_w=2.0, sigma_b=0.3, seed=7)
    pts = np.random.default_rng(7).normal(size=(5, 4))
    path = Polyline(np.concatenate([pts, pts[:1]]))
    tr = trace(net, path)
    _same(trace_summary(net, path, chunk_pieces=12), tr)


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
@pytest.mark.parametrize("seed", [0, 1])
def test_line_float_equals_trace(act, seed):
    net = random_network([2, 12, 12, 12, 1], act, sigma_w=2.0, sigma_b=0.5, seed=seed)
    line = Line([0.3, -0.2], [1.0, 0.4])
    tr = trace(net, line)
    s = trace_summary(net, line, chunk_pieces=6, knots=True)
    _same(s, tr)
    np.testing.assert_allclose(np.array(s.knots, dtype=float), tr.knots, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_line_exact_ends_on_knots(act):
    # one input: the whole line is every region; deep knots lie far outside the first
    # layer's window, so the unbounded ends hold knots of their own
    net = random_network([1, 8, 8, 8, 1], act, sigma_w=3.0, sigma_b=2.0, seed=2)
    line = Line([Fraction(1, 3)], [Fraction(1, 2)])
    tr = trace(net, line)
    k = list(tr.knots)
    for cuts in (None, [k[0], k[len(k) // 2], k[-1]], [k[1], k[-2]]):
        s = trace_summary(net, line, chunk_pieces=4, knots=True, boundaries=cuts)
        _same(s, tr)
        assert list(s.knots) == k


def test_output_zero_at_a_boundary():
    # |x| - 1 on the line: the output is exactly 0 at the chunk boundaries +-1
    from regions import Network

    net = Network([[[1], [-1]], [[1, 1]]], [[0, 0], [-1]], ["relu", "linear"])
    seg = Segment([Fraction(-3)], [Fraction(3)])
    tr = trace(net, seg)
    for cuts in ([Fraction(1, 3)], [Fraction(1, 3), Fraction(2, 3)], [Fraction(1, 2)]):
        s = trace_summary(net, seg, boundaries=cuts)
        _same(s, tr)
    assert tr.sign_transitions == 2


def test_knots_to_file(tmp_path):
    net = random_network([2, 8, 8, 1], "relu", sigma_w=2.0, sigma_b=1.0, seed=0)
    seg = Segment([Fraction(-2), Fraction(0)], [Fraction(2), Fraction(1)])
    tr = trace(net, seg)
    out = tmp_path / "knots.txt"
    s = trace_summary(net, seg, chunk_pieces=4, knots=out)
    assert s.knots is None
    assert [Fraction(v) for v in out.read_text().split()] == list(tr.knots)


def test_adaptive_chunks_stay_below_chunk_pieces(monkeypatch):
    from regions import _streaming as streaming

    seen = []
    real = streaming.trace_chunk

    def spy(*args, **kwargs):
        c = real(*args, **kwargs)
        seen.append(c.num_pieces)
        return c

    monkeypatch.setattr(streaming, "trace_chunk", spy)
    net = random_network([2, 32, 32, 1], "hardtanh", sigma_w=4.0, seed=1)
    seg = Segment([-2.0, -1.0], [2.0, 1.0])
    s = trace_summary(net, seg, chunk_pieces=20)
    assert s.num_pieces == trace(net, seg).num_pieces > 100
    # every chunk above chunk_pieces is traced again in halves, never kept
    assert len(seen) - s.num_chunks == sum(n > 20 for n in seen)
    assert s.num_chunks >= s.num_pieces / 20


def test_distinct_keys_spill_to_disk_exactly():
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 4, size=(3000, 5)).astype(np.uint8)
    d = DistinctKeys(budget=2000)
    for i in range(0, 3000, 250):
        d.add(rows[i: i + 250])
    assert len(d.runs) > 3
    assert d.count() == np.unique(rows, axis=0).shape[0]


def test_packer_keys_are_exact():
    net = random_network([2, 7, 5, 1], "hardtanh", seed=0)
    packer = Packer(net)
    assert packer.bits == 2
    rng = np.random.default_rng(1)
    pats = [rng.integers(-1, 2, size=(400, 7)), rng.integers(-1, 2, size=(400, 5)),
            np.zeros((400, 1), dtype=np.int8)]
    keys = packer.keys(pats)
    full = np.concatenate(pats, axis=1)
    assert np.unique(keys, axis=0).shape[0] == np.unique(full, axis=0).shape[0]


def test_partition_tiles_equal_partition():
    net = random_network([2, 8, 8, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=2)
    box = [[-2.0, -2.0], [2.0, -2.0], [2.0, 2.0], [-2.0, 2.0]]
    n = partition(net, box).num_regions
    s = partition_summary(net, [[-2, -2], [2, 2]], chunk_regions=10)
    assert s.num_tiles > 9 and not s.exact
    assert s.num_regions == n
    assert partition_summary(net, [[-2, -2], [2, 2]], cuts=([0.5], [-1, 1])).num_regions == n


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_partition_exact_cuts_through_a_vertex(act):
    net = random_network([2, 8, 8, 1], act, sigma_w=2.0, sigma_b=0.5, seed=4)
    box = [[Fraction(v) for v in p] for p in [[-1, -1], [1, -1], [1, 1], [-1, 1]]]
    part = partition(net, box, exact=True)
    pts = part.points[~part.at_infinity]
    inner = [p for p in pts if -1 < p[0] < 1 and -1 < p[1] < 1]
    v = inner[len(inner) // 2]
    s = partition_summary(net, [[Fraction(-1), Fraction(-1)], [Fraction(1), Fraction(1)]],
                          cuts=([v[0], inner[0][0]], [v[1]]))
    assert s.exact and s.num_tiles == 6
    assert s.num_regions == part.num_regions


def test_partition_plane_slice():
    net = random_network([5, 8, 8, 1], "hardtanh", sigma_w=2.0, seed=1)
    pl = Plane.through(*np.random.default_rng(0).normal(size=(3, 5)))
    sq = Plane(pl.origin, pl.directions, polygon=[[0, 0], [1, 0], [1, 1], [0, 1]])
    assert partition_summary(net, [[0, 0], [1, 1]], plane=pl, chunk_regions=15).num_regions \
        == partition(net, sq).num_regions


def test_errors_name_the_argument():
    net = random_network([2, 4, 1], "relu", seed=0)
    with pytest.raises(TypeError, match="trajectory must be a regions.Segment, Line, "
                                        "Polyline or Arc, got list"):
        trace_summary(net, [[0.0, 0.0], [1.0, 0.0]])
    arc = Arc([1.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"boundaries must lie strictly inside the arc's "
                                         r"domain \(0.0, 1.57"):
        trace_summary(net, arc, boundaries=[2.0])
    with pytest.raises(TypeError, match="boundaries must hold angles"):
        trace_summary(net, arc, boundaries=["a"])
    with pytest.raises(ValueError, match="exact tracing of an Arc needs start at a multiple "
                                         "of pi/2"):
        trace_summary(net, Arc([1.0, 0.0], [0.0, 1.0], 0.5, 2.0), exact=True)
    with pytest.raises(ValueError, match="chunk_pieces must be an integer >= 2, got 1"):
        trace_summary(net, Segment([0.0, 0.0], [1.0, 0.0]), chunk_pieces=1)
    with pytest.raises(ValueError, match="boundaries must lie strictly inside"):
        trace_summary(net, Segment([0.0, 0.0], [1.0, 0.0]), boundaries=[1.5])
    with pytest.raises(ValueError, match=r"box must be \[\[xmin, ymin\], \[xmax, ymax\]\]"):
        partition_summary(net, [[0, 0], [1, 1], [2, 2]])
    with pytest.raises(ValueError, match="box must have xmin < xmax"):
        partition_summary(net, [[1, 0], [0, 1]])


def test_import_regions_does_not_import_dask_or_pandas():
    code = ("import sys, regions, regions.streaming, regions.distributed, regions.sweep; "
            "bad = [m for m in ('dask', 'distributed', 'pandas', 'pyarrow') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_memory_error_before_a_trace_that_would_not_fit(monkeypatch):
    from regions.memory import LIMIT_VARIABLE

    net = random_network([8, 64, 64, 64, 64, 1], "hardtanh", sigma_w=4.0, seed=0)
    seg = Segment(np.ones(8), -np.ones(8))
    full = trace(net, seg)
    assert full.num_pieces > 500
    monkeypatch.setenv(LIMIT_VARIABLE, "1M")
    with pytest.raises(MemoryError, match=r"need about .* MB of memory, but about 1\.0 MB is "
                                          r"available.*regions\.streaming\.trace_summary"):
        trace(net, seg)
    with pytest.raises(MemoryError, match="trace_summary"):
        trace(net, seg, exact=True)
    # the streaming form fits under the same limit, and gives the same counts
    s = trace_summary(net, seg, chunk_pieces=16, linear_pieces=False)
    assert s.num_pieces == full.num_pieces and s.transitions == full.transitions
    monkeypatch.setenv(LIMIT_VARIABLE, "lots")
    with pytest.raises(ValueError, match="REGIONS_MEMORY_LIMIT must be a size"):
        trace(net, seg)


def test_memory_error_before_a_partition_that_would_not_fit(monkeypatch):
    from regions import Box
    from regions.memory import LIMIT_VARIABLE

    net = random_network([2, 32, 32, 32, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=0)
    square = [[-3, -3], [3, -3], [3, 3], [-3, 3]]
    full = partition(net, square).num_regions
    net3 = random_network([3, 10, 10, 10, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=0)
    cube = Box([-3.0] * 3, [3.0] * 3)
    full3 = partition(net3, cube).num_regions
    monkeypatch.setenv(LIMIT_VARIABLE, "200K")
    pattern = (r"partition: layer 3 of 3 would hold about .* cells .* need about .* of "
               r"memory .* but about 0\.2 MB is available.*"
               r"regions\.streaming\.partition_summary")
    for run in (lambda: partition(net, square), lambda: partition(net, square, exact=True),
                lambda: partition(net, square, exact=False, tol=1e-9),
                lambda: partition(net3, cube)):
        with pytest.raises(MemoryError, match=pattern):
            run()
    # no alarm where the estimate fits: a generous limit, and a one-layer network
    monkeypatch.setenv(LIMIT_VARIABLE, "4G")
    assert partition(net, square).num_regions == full
    monkeypatch.setenv(LIMIT_VARIABLE, "1K")
    assert partition(random_network([2, 20, 1], "relu", seed=0), square).num_regions > 20
    monkeypatch.delenv(LIMIT_VARIABLE)
    assert partition_summary(net3, cube, cuts=[[-1, 1]] * 3).num_regions == full3


# -- arcs ------------------------------------------------------------------------------------


def _rational_net(widths, act, seed, zero_at=()):
    """A network with small rational weights; first-layer neuron i is zero exactly at the
    point zero_at[i] (at a threshold, 0 for relu, 1 for hardtanh: a knot of every
    trajectory crossing it there)."""
    from regions import Network

    rng = np.random.default_rng(seed)
    ws, bs = [], []
    for a, b in zip(widths[:-1], widths[1:]):
        ws.append([[Fraction(int(v), 4) for v in row] for row in rng.integers(-8, 9, (b, a))])
        bs.append([Fraction(int(v), 8) for v in rng.integers(-4, 5, b)])
    for i, p in enumerate(zero_at):
        level = 1 if act == "hardtanh" else 0
        bs[0][i] = level - sum(w * Fraction(x) for w, x in zip(ws[0][i], p))
    acts = [act] * (len(widths) - 2) + ["linear"]
    return Network(ws, bs, acts)


def _arcs_exact():
    half = Fraction(1, 2)
    return [Arc([1, half], [-half, 1], 0.0, math.pi),
            Arc.circle([Fraction(3, 2), 0], [0, 1], center=[Fraction(1, 10), Fraction(1, 5)])]


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
@pytest.mark.parametrize("seed", [0, 1])
def test_arc_float_equals_trace(act, seed):
    net = random_network([2, 10, 10, 1], act, sigma_w=2.0, sigma_b=0.5, seed=seed)
    for arc in (Arc([1.0, 0.3], [-0.2, 1.2], 0.3, 4.0),
                Arc.circle([1.5, 0.0], [0.0, 1.0], center=[0.1, 0.2])):
        tr = trace(net, arc)
        s = trace_summary(net, arc, chunk_pieces=6, knots=True)
        assert s.num_chunks > 4 and not s.exact
        _same(s, tr)
        np.testing.assert_allclose(np.array(s.knots), tr.knots, rtol=0, atol=1e-9)


def test_arc_distinct_patterns_are_counted_once():
    # a region met twice along the curve: num_patterns < num_pieces, across chunks
    net = random_network([2, 10, 10, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=1)
    arc = Arc([1.0, 0.3], [-0.2, 1.2])
    tr = trace(net, arc)
    assert tr.num_patterns < tr.num_pieces
    _same(trace_summary(net, arc, chunk_pieces=3), tr)


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_arc_exact_chunk_boundaries_on_knots(act):
    # neurons zero at the points of angles pi/2 (a chunk boundary, s = -1) and 0 (the start
    # point: on the circle, a knot where the curve closes); both are exact knots
    half = Fraction(1, 2)
    for arc in _arcs_exact():
        c, x0, x1 = arc.center, arc.x0, arc.x1
        net = _rational_net([2, 6, 6, 1], act, seed=5, zero_at=[c + x1, c + x0])
        tr = trace(net, arc, exact=True)
        assert -1 in list(tr.exact_knots)
        if arc.closed:
            assert tr.exact_knots[0] == -math.inf  # the start point is a knot
        for extra in ([], [1.0, 2.5]):
            s = trace_summary(net, arc, chunk_pieces=4, knots=True, boundaries=extra)
            assert s.exact and s.num_chunks > 4
            _same(s, tr, rel=1e-13)
            assert list(s.knots) == list(tr.knots)  # the same angles, in order
    assert half  # (rationals throughout)


def test_arc_exact_output_zero_at_a_boundary():
    # the output is exactly zero at the chunk boundaries (quarter turns) and at the start
    from regions import Network

    for arc in _arcs_exact():
        base = _rational_net([2, 6, 1], "relu", seed=2)
        for point in (arc.center + arc.x1, arc.center + arc.x0):
            b = list(base.biases[-1])
            b[0] = b[0] - base(np.array([point], dtype=object))[0, 0]
            net = Network(base.weights, list(base.biases[:-1]) + [b], ["relu", "linear"])
            assert net(np.array([point], dtype=object))[0, 0] == 0
            tr = trace(net, arc, exact=True)
            for cp in (3, 50):
                _same(trace_summary(net, arc, chunk_pieces=cp), tr, rel=1e-13)


# -- n-dimensional partitions ----------------------------------------------------------------


def _integer_net(n0, act, seed):
    """Integer weights, zero first-layer biases: every first-layer hyperplane passes
    through the origin, a vertex of the partition that tile cuts at 0 pass through."""
    from regions import Network

    rng = np.random.default_rng(seed)
    widths = [n0, 6, 5, 1]
    ws = [rng.integers(-3, 4, (b, a)).tolist() for a, b in zip(widths[:-1], widths[1:])]
    bs = [[0] * widths[1]] + [rng.integers(-2, 3, b).tolist() for b in widths[2:]]
    return Network(ws, bs, [act, act, "linear"])


@pytest.mark.parametrize("n0", [3, 4])
def test_nd_partition_float_equals_partition(n0):
    from regions import Box

    for seed in (0, 1):
        net = random_network([n0, 8, 6, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
        lo, hi = [-2.0] * n0, [2.0] * n0
        full = partition(net, Box(lo, hi)).num_regions
        s = partition_summary(net, [lo, hi], chunk_regions=max(8, full // 3))
        assert (s.num_regions, s.exact) == (full, False) and s.num_tiles > 1
        c = partition_summary(net, Box(lo, hi), cuts=[[-0.5, 0.25]] * n0)
        assert (c.num_regions, c.num_tiles) == (full, 3 ** n0)


@pytest.mark.parametrize("n0", [3, 4])
@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_nd_partition_exact_cuts_through_a_vertex(n0, act):
    from regions import Box

    net = _integer_net(n0, act, seed=n0)
    lo, hi = [Fraction(-2)] * n0, [Fraction(3)] * n0
    full = partition(net, Box(lo, hi), exact=True).num_regions
    c = partition_summary(net, [lo, hi], cuts=[[0]] * n0)  # every cut through the origin
    assert (c.num_regions, c.num_tiles, c.exact) == (full, 2 ** n0, True)
    c = partition_summary(net, [lo, hi], cuts=[[0, 1]] + [[0]] * (n0 - 1))
    assert c.num_regions == full
    s = partition_summary(net, [lo, hi], chunk_regions=max(8, full // 2))
    assert s.num_regions == full


def test_nd_partition_errors():
    net = random_network([3, 4, 1], "relu", seed=0)
    with pytest.raises(ValueError, match="box must be"):
        partition_summary(net, [[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="lower < upper"):
        partition_summary(net, [[0, 0, 0], [1, -1, 1]])
    with pytest.raises(ValueError, match="cuts must hold one sequence per axis"):
        partition_summary(net, [[0, 0, 0], [1, 1, 1]], cuts=[[0.5]])
    with pytest.raises(ValueError, match="strictly inside"):
        partition_summary(net, [[0, 0, 0], [1, 1, 1]], cuts=[[0.5], [2], [0.5]])


# -- the public Trace helpers streaming uses ---------------------------------------------------


def test_trace_end_patterns_and_neighbour_maps_against_forward_passes():
    from regions import Network

    rng = np.random.default_rng(0)
    ws = [rng.integers(-3, 4, (6, 1)).tolist(), rng.integers(-3, 4, (5, 6)).tolist(),
          rng.integers(-3, 4, (1, 5)).tolist()]
    bs = [rng.integers(-3, 4, 6).tolist(), rng.integers(-3, 4, 5).tolist(), [0]]
    net = Network(ws, bs, ["relu", "relu", "linear"])
    seg = Segment([Fraction(-4)], [Fraction(4)])
    tr = trace(net, seg, exact=True)
    first, last = tr.end_patterns()
    assert all(np.array_equal(a, p[0]) and np.array_equal(b, p[-1])
               for a, b, p in zip(first, last, tr.patterns))
    # oracle: the slope of each piece from exact forward passes at its ends (1-D input)
    xs = [seg(t)[0] for t in tr.edges]
    ys = [net(np.array([[x]], dtype=object))[0, 0] for x in xs]
    slopes = [(y1 - y0) / (x1 - x0) for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:])]
    expected = [a == b for a, b in zip(slopes, slopes[1:])]
    assert tr.same_neighbour_maps().tolist() == expected
    assert tr.same_neighbour_maps(tuple(p[:2] for p in tr.patterns)).tolist() == expected[:1]


def test_trace_arc_window_equals_the_whole_arc():
    from regions.trace import trace_arc_window

    net = _rational_net([2, 6, 6, 1], "relu", seed=3)
    arc = Arc([1, Fraction(1, 2)], [Fraction(-1, 2), 1], 0.0, math.pi)  # s from -inf to 0
    whole = trace(net, arc, exact=True)
    win = trace_arc_window(net, arc, -math.inf, Fraction(0))
    assert list(win.exact_knots) == list(whole.exact_knots)
    assert win.num_pieces == whole.num_pieces and not win.closed
    np.testing.assert_allclose(win.lengths, whole.lengths, rtol=1e-14)
    left = trace_arc_window(net, arc, -math.inf, Fraction(-1))
    right = trace_arc_window(net, arc, Fraction(-1), Fraction(0))
    assert list(left.exact_knots) + list(right.exact_knots) == \
        [k for k in whole.exact_knots if k != -1]
    with pytest.raises(TypeError, match="arc must be a regions.Arc, got Segment"):
        trace_arc_window(net, Segment([0, 0], [1, 1]), 0, 1)
    with pytest.raises(ValueError, match="lo must be below hi; got lo=1, hi=0"):
        trace_arc_window(net, arc, 1, 0)


def test_merger_without_chunks_refuses_to_answer():
    """The merger's state is shaped by its first chunk: asked for a merged chunk before any
    was added, it says so (it used to fail on None inside)."""
    from regions._streaming import TraceMerger

    net = random_network([2, 3, 1], "relu", seed=0)
    merger = TraceMerger(net, True, False, None, True)
    with pytest.raises(ValueError, match="no chunk was added"):
        merger.as_chunk()
