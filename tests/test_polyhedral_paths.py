"""The n-dimensional engine's alternative code paths (issue 13, speed on small complexes)
build the same complex: the dense and the flat incidence join of a cut, one bucket of
vertex pairs or many. Each path is forced in turn on the same networks (float and exact,
box, whole space and polytope, generic and degenerate) and the complexes compared exactly:
the vertices, their labels, the cells and the patterns. Plus properties of the bucketing of
rows by size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import regions._polyhedral as engine
from regions import Box, Network, Polytope, partition, random_network


def _state(part):
    return (part.num_regions, [p.tolist() for p in part.patterns], part._X.tolist(),
            part._B.tolist(), part._cell_ptr.tolist(), part._cell_vertices.tolist(),
            part.cell_region.tolist())


def _networks():
    out = []
    for n0, widths, act in [(3, [6, 6], "relu"), (4, [5, 5], "relu"), (3, [5, 4], "hardtanh"),
                            (3, [5, 5], "leaky_relu")]:
        net = random_network([n0] + widths + [1], act, sigma_w=1.4, sigma_b=0.5, seed=n0)
        out.append((net, Box([-1.0] * n0, [1.0] * n0), False))
        out.append((net, None, False))
    net = random_network([3, 5, 4, 1], "relu", sigma_w=1.4, sigma_b=0.5, seed=7)
    A = np.vstack([np.eye(3), -np.eye(3), np.ones((1, 3))])
    out.append((net, Polytope(A, np.r_[np.ones(6), 1.5]), False))
    # degenerate: small integer weights, many neurons through common vertices and faces
    rng = np.random.default_rng(3)
    deg = Network([rng.integers(-2, 3, (6, 3)), rng.integers(-2, 3, (4, 6)), np.ones((1, 4))],
                  [rng.integers(-1, 2, 6), rng.integers(-1, 2, 4), [0]], "relu")
    for exact in (False, True):
        out.append((deg, Box([-1] * 3, [1] * 3), exact))
        out.append((deg, None, exact))
    out.append((random_network([3, 4, 4, 1], "relu", sigma_b=0.5, seed=2), None, True))
    return out


@pytest.mark.parametrize("case", range(len(_networks())))
def test_dense_and_flat_cut_paths_build_the_same_complex(case, monkeypatch):
    net, domain, exact = _networks()[case]
    monkeypatch.setattr(engine, "_DENSE", 0)
    flat = _state(partition(net, domain, exact=exact))
    monkeypatch.setattr(engine, "_DENSE", 1 << 60)
    dense = _state(partition(net, domain, exact=exact))
    assert dense == flat


@pytest.mark.parametrize("case", range(len(_networks())))
def test_one_bucket_and_many_buckets_find_the_same_edges(case, monkeypatch):
    net, domain, exact = _networks()[case]
    one = _state(partition(net, domain, exact=exact))
    monkeypatch.setattr(engine, "_BUCKET_SMALL", 0)  # every cut takes the bucketed path
    monkeypatch.setattr(engine, "_BUCKET_MIN", 1)
    many = _state(partition(net, domain, exact=exact))
    assert many == one


def test_a_six_dimensional_box_takes_many_buckets_and_agrees_with_a_forward_pass():
    """Cells of a 6-cube have up to ~100 vertices on a cut: several buckets of pairs. Every
    sampled point's pattern is a region's, and each point lies in the region of its
    pattern."""
    net = random_network([6, 6, 5, 1], "relu", sigma_w=2 ** 0.5, sigma_b=0.5, seed=1)
    part = partition(net, Box([-1.0] * 6, [1.0] * 6), exact=False)
    from regions._stages import lower

    pts = np.random.default_rng(0).uniform(-1, 1, (300, 6))
    rows, _ = lower(net, False).point_patterns(pts)
    have = {tuple(np.concatenate([p[i] for p in part.patterns]).tolist())
            for i in range(part.num_regions)}
    for i in range(pts.shape[0]):
        assert tuple(np.concatenate([r[i] for r in rows]).tolist()) in have
    assert abs(float(part.volumes.sum()) - 64.0) < 1e-9


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 200), min_size=0, max_size=400))
def test_buckets_cover_every_row_once_with_bounded_padding(counts):
    counts = np.asarray(counts, dtype=np.int64)
    buckets = engine._buckets(counts)
    seen = np.concatenate([rows for _, rows in buckets]) if buckets else np.zeros(0, int)
    assert sorted(seen.tolist()) == np.flatnonzero(counts >= 2).tolist()
    for K, rows in buckets:
        c = counts[rows]
        assert c.max() == K
        if len(buckets) > 1 and c.min() <= K / engine._BUCKET_RATIO:
            # grown only up to the minimum padded volume
            assert rows.shape[0] <= -(-engine._BUCKET_MIN // (K * K))
