"""Chunked jobs (regions.distributed): a real two-process LocalCluster gives the results of
the single-process run, which equal the in-memory Trace / Partition."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from regions import Polyline, Segment, partition, random_network, trace
from regions import distributed as dist
from regions.streaming import trace_summary as stream_summary

IN_PROCESS = dist.Executor("in-process", 1)


def _long_job():
    net = random_network([4, 32, 32, 32, 1], "hardtanh", sigma_w=4.0, sigma_b=0.5, seed=3)
    rng = np.random.default_rng(3)
    return net, Segment(*rng.normal(size=(2, 4)) * 2)


def _partition_job():
    return random_network([2, 10, 10, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=2), \
        [[-3, -3], [3, 3]]


def _nd_partition_job():
    from regions import Box

    net = random_network([4, 8, 6, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=1)
    return net, Box([Fraction(-2)] * 4, [Fraction(2)] * 4)


def _sweep_job():
    net = random_network([3, 16, 16, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=4)
    return net, dist.pairs(np.random.default_rng(4).normal(size=(4, 3)))


def test_in_process_equals_trace_and_streaming():
    net, seg = _long_job()
    tr = trace(net, seg)
    s = dist.trace_summary(net, seg, executor=IN_PROCESS, tasks=5, chunk_pieces=40)
    assert tr.num_pieces > 250
    assert (s.num_pieces, s.transitions_per_layer, s.num_linear_pieces,
            s.sign_transitions) == (tr.num_pieces, tuple(tr.transitions_per_layer),
                                    tr.num_linear_pieces, tr.sign_transitions)
    one = stream_summary(net, seg, chunk_pieces=40)
    assert s.num_pieces == one.num_pieces and s.transitions == one.transitions
    np.testing.assert_allclose(s.lengths, tr.lengths, rtol=1e-12)


def test_in_process_exact_ranges_on_knots_polyline():
    net = random_network([2, 8, 8, 1], "hardtanh", sigma_w=2.0, seed=6)
    path = Polyline([[-1, 0], [1, 0.5], [-0.5, -0.5], [1, 1], [-1, 0]])
    tr = trace(net, path, exact=True)
    k = list(tr.knots)
    s = dist.trace_summary(net, path, executor=IN_PROCESS, exact=True, tasks=3, knots=True,
                           boundaries=[k[2], k[len(k) // 2], Fraction(5, 2)], chunk_pieces=6)
    assert list(s.knots) == k
    assert (s.num_pieces, s.num_patterns, s.transitions, s.num_linear_pieces,
            s.sign_transitions) == (tr.num_pieces, tr.num_patterns, tr.transitions,
                                    tr.num_linear_pieces, tr.sign_transitions)


def test_in_process_line_with_ends_on_knots():
    from regions import Line

    net = random_network([1, 8, 8, 8, 1], "hardtanh", sigma_w=3.0, sigma_b=2.0, seed=2)
    line = Line([Fraction(1, 3)], [Fraction(1, 2)])
    tr = trace(net, line)
    k = list(tr.knots)
    s = dist.trace_summary(net, line, executor=IN_PROCESS, tasks=4, knots=True,
                           boundaries=[k[0], k[-1]], chunk_pieces=4)
    assert list(s.knots) == k
    assert (s.num_pieces, s.transitions, s.num_linear_pieces, s.sign_transitions) == \
        (tr.num_pieces, tr.transitions, tr.num_linear_pieces, tr.sign_transitions)


def test_in_process_partition_and_sweep():
    net, box = _partition_job()
    (x0, y0), (x1, y1) = box
    full = partition(net, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    s = dist.partition_summary(net, box, executor=IN_PROCESS, chunk_regions=20)
    assert s.num_regions == full.num_regions and s.num_tiles >= 4
    net, segs = _sweep_job()
    out = dist.trace_summaries(net, segs, executor=IN_PROCESS, chunk_pieces=10)
    assert [o.num_pieces for o in out] == [trace(net, g).num_pieces for g in segs]


def test_in_process_arcs_equal_trace():
    from tests.test_streaming import _arcs_exact, _rational_net, _same

    from regions import Arc

    net = random_network([2, 10, 10, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=1)
    for arc in (Arc([1.0, 0.3], [-0.2, 1.2]),
                Arc.circle([1.5, 0.0], [0.0, 1.0], center=[0.1, 0.2])):
        tr = trace(net, arc)
        for tasks in (None, 5):
            _same(dist.trace_summary(net, arc, executor=IN_PROCESS, tasks=tasks,
                                     chunk_pieces=4), tr)
    for arc in _arcs_exact():  # knots at the start point and on a range boundary (pi/2)
        c = arc.center
        net = _rational_net([2, 6, 6, 1], "relu", seed=5, zero_at=[c + arc.x1, c + arc.x0])
        tr = trace(net, arc, exact=True)
        s = dist.trace_summary(net, arc, executor=IN_PROCESS, chunk_pieces=4, knots=True)
        _same(s, tr, 1e-13)
        assert list(s.knots) == list(tr.knots)


def test_in_process_nd_partition():
    from regions import Box

    net = random_network([3, 8, 6, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=0)
    box = Box([-2.0] * 3, [2.0] * 3)
    s = dist.partition_summary(net, box, executor=IN_PROCESS, chunk_regions=80)
    assert s.num_regions == partition(net, box).num_regions and s.num_tiles >= 4


def test_executor_errors():
    with pytest.raises(ValueError, match="workers must be a positive integer or None, got 0"):
        dist.executor(workers=0)
    with pytest.raises(ValueError, match="workers applies to a local cluster"):
        dist.executor(workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(TypeError, match="executor must be a regions.distributed.Executor"):
        dist.trace_summaries(random_network([2, 3, 1], "relu", seed=0), [], executor="local")
    with pytest.raises(ValueError, match="points must be a 2-D array of at least two rows"):
        dist.pairs([[0.0]])


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed")
    ex = dist.executor(workers=2)
    assert ex.kind == "local-cluster"
    info = ex.client.scheduler_info()["workers"]
    assert len(info) == 2 and all(w["nthreads"] == 1 for w in info.values())
    yield ex
    ex.close()


def test_local_cluster_equals_single_process(cluster):
    net, seg = _long_job()
    kw = dict(tasks=6, chunk_pieces=40)
    assert dist.trace_summary(net, seg, executor=cluster, **kw) == \
        dist.trace_summary(net, seg, executor=IN_PROCESS, **kw)
    net, box = _partition_job()
    assert dist.partition_summary(net, box, executor=cluster, chunk_regions=20) == \
        dist.partition_summary(net, box, executor=IN_PROCESS, chunk_regions=20)
    net, box = _nd_partition_job()
    assert dist.partition_summary(net, box, executor=cluster, chunk_regions=60) == \
        dist.partition_summary(net, box, executor=IN_PROCESS, chunk_regions=60)
    net, segs = _sweep_job()
    assert dist.trace_summaries(net, segs, executor=cluster, chunk_pieces=20) == \
        dist.trace_summaries(net, segs, executor=IN_PROCESS, chunk_pieces=20)


def test_scheduler_address_uses_that_cluster(cluster):
    address = cluster.client.scheduler.address
    with dist.executor(scheduler=address) as ex:
        assert ex.kind == "scheduler" and ex.workers == 2
        net, seg = _long_job()
        s = dist.trace_summary(net, seg, executor=ex, tasks=4, chunk_pieces=50)
        assert s.num_pieces == trace(net, seg).num_pieces
    # closing a client of an existing cluster leaves the cluster running
    assert len(cluster.client.scheduler_info()["workers"]) == 2


def test_sweep_on_the_local_cluster(cluster, tmp_path):
    from regions.sweep import sweep
    from tests.test_sweep import GRID, pieces

    here = sweep(pieces, GRID, tmp_path / "here.csv")
    there = sweep(pieces, GRID, tmp_path / "there.csv", executor=cluster)
    assert there == here


def test_reproduce_on_a_scheduler_equals_the_sequential_run(cluster, tmp_path):
    pytest.importorskip("matplotlib")
    from regions import reproduce

    only = ["--quick", "--only", "region_boundaries,deep_vs_shallow", "--no-progress"]
    here = reproduce.main(only + ["--out", str(tmp_path / "here")])
    there = reproduce.main(only + ["--out", str(tmp_path / "there"),
                                   "--scheduler", cluster.client.scheduler.address])
    assert [r.name for r in there] == ["region_boundaries", "deep_vs_shallow"]
    for a, b in zip(here, there):  # counts equal; floats to rounding (BLAS sums may differ)
        _close_data(a.data, b.data)
        assert [c.holds for c in a.claims] == [c.holds for c in b.claims]
        for filename in a.figures:
            assert (tmp_path / "there" / filename).stat().st_size > 1000
    assert (tmp_path / "there" / "report.md").read_text().count("\n## ") == 2
    with pytest.raises(SystemExit):
        reproduce.main(only + ["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])


def _close_data(a, b):
    if isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for k in a:
            _close_data(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close_data(x, y)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
    else:
        assert a == b
