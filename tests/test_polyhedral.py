"""The n-dimensional engine (regions._polyhedral) through regions.partition: counts against
closed forms, the planar engine, exact against float, degenerate arrangements in exact mode,
and the geometry of the result (facets, vertices, volumes, locate)."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest

from bounds.montufar import montufar_lower_bound
from regions import (Box, Network, PolyhedralPartition, Polytope, Slice, neighbourhood,
                     partition, random_network)
from regions.constructions import box_polygon, folding_network


def _zaslavsky(n: int, n0: int) -> int:
    return sum(comb(n, j) for j in range(n0 + 1))


def _distinct_patterns(net, points) -> int:
    """Distinct activation patterns among sample points (a lower bound on the count)."""
    from regions._stages import lower

    rows, _ = lower(net, False).point_patterns(np.asarray(points, dtype=float))
    full = np.concatenate([r.astype(np.int8) for r in rows], axis=1)
    return len(np.unique(full, axis=0))


# -- counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("n0", [1, 2, 3, 4, 5, 6])
def test_one_hidden_layer_in_general_position_gives_zaslavsky(n0):
    n = n0 + 3
    net = random_network([n0, n, 1], "relu", sigma_b=1.0, seed=n0)
    part = partition(net, exact=False)
    assert isinstance(part, PolyhedralPartition) or n0 == 2
    assert part.num_regions == _zaslavsky(n, n0)
    if n0 <= 4:
        assert partition(net, exact=True).num_regions == _zaslavsky(n, n0)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_two_inputs_equal_the_planar_engine(seed, act):
    net = random_network([2, 8, 6, 1], act, sigma_w=1.5, sigma_b=0.5, seed=seed)
    lo, hi = [-1.5, -1.0], [1.0, 2.0]
    polygon = partition(net, box_polygon(lo, hi)).num_regions
    assert partition(net, Box(lo, hi)).num_regions == polygon
    box_rows = Polytope([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], hi + [1.5, 1.0])
    assert partition(net, box_rows).num_regions == polygon
    planar = partition(net)
    # the whole plane itself through a d = 2 slice of the identity
    sl = Slice([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]])
    nd = partition(net, sl)
    assert nd.num_regions == planar.num_regions
    assert nd.num_linear_regions == planar.num_linear_regions
    assert int(nd.bounded.sum()) == int(planar.bounded.sum())


@pytest.mark.parametrize("n0,widths,act", [(3, [6, 6], "relu"), (4, [6, 5], "relu"),
                                           (3, [5, 4], "hardtanh"), (3, [5, 5], "leaky_relu")])
def test_exact_equals_float_on_generic_networks(n0, widths, act):
    net = random_network([n0] + widths + [1], act, sigma_w=1.5, sigma_b=0.5, seed=7)
    fl, ex = partition(net, exact=False), partition(net, exact=True)
    assert ex.arithmetic == "rational" and fl.arithmetic == "float"
    assert fl.num_regions == ex.num_regions
    keys = lambda p: sorted(map(bytes, np.concatenate(p.patterns, axis=1)))  # noqa: E731
    assert keys(fl) == keys(ex)
    assert fl.num_linear_regions == ex.num_linear_regions


def test_montufar_folding_networks_attain_the_lower_bound_in_their_box():
    for widths, n0 in [([6, 4], 3), ([6, 6, 4], 3), ([8, 5], 4)]:
        net, (lo, hi) = folding_network(widths, n0=n0)
        part = partition(net, Box(lo, hi))
        assert part.exact
        assert part.num_regions == int(montufar_lower_bound(widths, n0))
        assert part.volumes.sum() == Box(lo, hi).volume  # exactly


# -- degenerate arrangements (exact) --------------------------------------------------------


def _net(W1, b1, rest=()):
    F = Fraction
    W1 = [[F(v) for v in row] for row in W1]
    ws, bs = [W1], [[F(v) for v in b1]]
    for W, b in rest:
        ws.append([[F(v) for v in row] for row in W])
        bs.append([F(v) for v in b])
    ws.append([[F(1)] * len(ws[-1])])
    bs.append([F(0)])
    return Network(ws, bs, "relu")


def test_several_hyperplanes_through_one_vertex():
    # four planes through (1, 1, 1), normals in general position: 2 + 4 * 3 regions
    W = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 2, 3]]
    net = _net(W, [-1, -1, -1, -6])
    part = partition(net)
    assert part.num_regions == 14
    assert partition(net, exact=False).num_regions == 14
    pts = np.random.default_rng(0).normal(size=(20000, 3)) + 1
    assert _distinct_patterns(net, pts) == 14
    # five planes through the origin, and a box around it
    W5 = W + [[3, -1, 2]]
    net5 = _net(W5, [0, 0, 0, 0, 0])
    assert partition(net5).num_regions == 2 + 5 * 4
    box = Box([Fraction(-1)] * 3, [Fraction(1)] * 3)
    part5 = partition(net5, box)
    assert part5.num_regions == 22 and part5.volumes.sum() == 8


def test_coincident_neurons():
    W = [[1, 2, 0], [0, 1, -1], [1, 0, 1]]
    b = [1, 0, -2]
    base = partition(_net(W, b)).num_regions
    assert base == _zaslavsky(3, 3)
    dup = partition(_net(W + [W[0], [-v for v in W[1]]], b + [b[0], -b[1]]))
    assert dup.num_regions == base
    assert len(dup.adjacency) == len(partition(_net(W, b)).adjacency)


def test_boundary_along_an_existing_face():
    # layer 1: relu(x), relu(-x), relu(y), relu(z); layer 2: h1 - h2 = x (along x = 0), and
    # h3 (along y = 0 where x, z are anything)
    W1 = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, 0, 1]]
    W2 = [[1, -1, 0, 0], [0, 0, 1, 0]]
    net = _net(W1, [0, 0, 0, 0], [(W2, [0, 0])])
    part = partition(net)
    assert part.num_regions == 8
    assert partition(net, Box([Fraction(-1)] * 3, [Fraction(2)] * 3)).num_regions == 8
    # a layer-2 plane through an edge of the layer-1 complex: x + y = 0 on h's side
    W2b = [[1, -1, 1, 0]]
    netb = _net(W1, [0, 0, 0, 0], [(W2b, [0])])
    pts = np.random.default_rng(1).normal(size=(20000, 3))
    assert partition(netb).num_regions == _distinct_patterns(netb, pts)


def test_constant_neurons():
    W = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    base = partition(_net(W, [0, 0, 0])).num_regions
    net = _net(W + [[0, 0, 0]] * 3, [0, 0, 0, 0, 1, -1])
    part = partition(net)
    assert part.num_regions == base == 8
    # the constant neurons take their piece: at 0 the piece below (off), 1 on, -1 off
    assert (part.patterns[0][:, 3:] == [0, 1, 0]).all()
    assert partition(net, exact=False).num_regions == 8


# -- the result's geometry ----------------------------------------------------------------


def test_regions_facets_vertices_rays_and_maps():
    net = random_network([3, 5, 4, 2], "relu", sigma_b=0.5, seed=3)
    for exact in (False, True):
        part = partition(net, exact=exact)
        assert part.dim == 3 and len(part) == part.num_regions
        assert part.linear_maps.shape == (part.num_regions, 2, 3)
        for reg in part:
            if exact:
                assert all(type(v) is Fraction for v in reg.A.reshape(-1))
            assert reg.bounded == (reg.rays.shape[0] == 0)
            tight = 1e-9 if not exact else 0
            lhs = reg.vertices @ reg.A.T - reg.b
            assert (lhs <= tight).all()
            assert (reg.rays @ reg.A.T <= tight).all()
            # every facet holds at least d vertices and rays (homogeneously)
            on = (np.abs(np.asarray(lhs, float)) <= 1e-9).sum(axis=0) + (
                np.abs(np.asarray(reg.rays @ reg.A.T, float)) <= 1e-9).sum(axis=0)
            assert (on >= 3).all()
            # an interior point: the map and the pattern there are the region's
            x = np.asarray(reg.vertices, float).mean(axis=0) + np.asarray(reg.rays, float).sum(0)
            assert part.locate(x[None, :])[0] == reg.index
            assert np.allclose(np.asarray(reg.linear_map, float) @ x
                               + np.asarray(reg.offset, float), net(x[None, :])[0])
            assert (reg.volume == float("inf")) != reg.bounded


def test_box_volumes_sum_to_the_box_and_locate():
    net = random_network([3, 6, 6, 1], "hardtanh", sigma_w=2.0, sigma_b=0.5, seed=5)
    box = Box([Fraction(-1), Fraction(-1), Fraction(0)], [Fraction(1), Fraction(1, 2),
                                                         Fraction(2)])
    part = partition(net, box)
    assert part.exact and part.bounded.all()
    assert sum(part.volumes) == box.volume
    fl = partition(net, box, exact=False)
    assert abs(fl.volumes.sum() - float(box.volume)) < 1e-9
    pts = np.random.default_rng(0).uniform([-1, -1, 0], [1, 0.5, 2], size=(300, 3))
    loc = fl.locate(pts)
    assert (loc >= 0).all()
    maps = np.einsum("rij,rj->ri", fl.linear_maps[loc], pts) + fl.offsets[loc]
    assert np.allclose(maps, net(pts))
    assert (fl.locate([[5.0, 0.0, 0.0]]) == -1).all()


def test_adjacency_pairs_share_a_facet():
    net = random_network([3, 6, 1], "relu", sigma_b=1.0, seed=2)
    part = partition(net, exact=True)
    adj = part.adjacency
    assert (adj[:, 0] < adj[:, 1]).all()
    # one hidden layer: adjacent regions differ in exactly one neuron
    P = part.patterns[0]
    assert ((P[adj[:, 0]] != P[adj[:, 1]]).sum(axis=1) == 1).all()
    # and every region with a neighbour across each of its facets
    total_facets = sum(r.A.shape[0] for r in part)
    assert 2 * len(adj) == total_facets


def test_slices_and_neighbourhoods():
    net = random_network([5, 8, 6, 1], "relu", sigma_b=0.5, seed=4)
    o = np.zeros(5)
    D = np.eye(5)[:3]
    sl = partition(net, Slice(o, D))
    restricted = Network([net.weights[0][:, :3]] + list(net.weights[1:]),
                         list(net.biases), [a.name for a in net.activations])
    assert sl.num_regions == partition(restricted).num_regions
    nb = partition(net, neighbourhood(np.ones(5), 0.3, dim=3, seed=1))
    assert nb.dim == 3 and nb.bounded.all()
    assert abs(nb.volumes.sum() - 8 * 0.3 ** 3 / 6) < 1e-12
    line = partition(net, neighbourhood(np.ones(5), 2.0, dim=1, seed=1))
    assert line.dim == 1 and abs(line.volumes.sum() - 4.0) < 1e-12


def test_domain_validation():
    with pytest.raises(ValueError, match="lower must be below upper"):
        Box([0, 1], [1, 1])
    with pytest.raises(ValueError, match="no zero row"):
        Polytope([[0, 0]], [1])
    with pytest.raises(ValueError, match="linearly independent"):
        Slice([0, 0, 0], [[1, 0, 0], [2, 0, 0]])
    with pytest.raises(TypeError, match="mix float and Fraction"):
        Box([0.5, 0], [Fraction(1), Fraction(1)])
    with pytest.raises(ValueError, match="shape must be 'cross' or 'box'"):
        neighbourhood([0, 0], 1.0, shape="ball")
    net = random_network([3, 4, 1], seed=0)
    with pytest.raises(ValueError, match="input dimension 3"):
        partition(net, Box([0, 0], [1, 1]))
    with pytest.raises(ValueError, match="positive volume"):
        partition(net, Polytope([[1, 0, 0], [-1, 0, 0]], [0, -1]))


def test_planar_inputs_keep_the_planar_result_and_group_maxima_are_cut():
    """(Group maxima raised NotImplementedError in n dimensions before; they are cut now:
    tests/test_partition_nd_max.py.)"""
    from regions import GraphBuilder, Partition, PolyhedralPartition

    net = random_network([2, 4, 1], "relu", sigma_b=1.0, seed=0)
    assert isinstance(partition(net), Partition)
    assert isinstance(partition(net, [[0, 0], [1, 0], [0, 1]]), Partition)
    rng = np.random.default_rng(0)
    b = GraphBuilder((3,))
    h = b.maxout(b.dense(b.input, rng.normal(size=(6, 3)), rng.normal(size=6)), 3)
    graph = b.build(b.dense(h, rng.normal(size=(1, 2))))
    part = partition(graph)
    assert isinstance(part, PolyhedralPartition)
    assert part.layer_names[0] == "maxout1" and part.patterns[0].shape[1] == 2
    assert set(np.unique(part.patterns[0]).tolist()) <= {0, 1, 2}


def test_one_region_does_not_compute_every_volume():
    """Pinned: region(i) read every cell's volume (a pulling triangulation of each, in
    Python): ~100 s for one 6-D region of a net with 1,164 regions in a box. It triangulates
    its own cells only, and agrees with the full table."""
    from regions import Box, partition, random_network

    net = random_network([4, 6, 6, 1], "hardtanh", sigma_w=2.0, sigma_b=0.5, seed=3)
    part = partition(net, Box([-2] * 4, [2] * 4))
    i = int(np.argmax(part.bounded))
    region = part.region(i)
    assert "volumes" not in part.__dict__
    assert region.volume == pytest.approx(part.volumes[i], rel=1e-12)


# -- float mode far from the origin, and the vectorised result tables ----------------------


def test_a_domain_facet_far_out_is_counted_right_in_float():
    """Pinned: a half-plane x <= 1e9 around a hard-tanh net gave 355 regions in float mode
    against 353 exact (and 353 for the whole plane by the planar engine): far vertices kept
    a scale of 1e9 through the saturated layer, so the next layer snapped values far from
    its thresholds onto them. The scale after a layer now comes from the pieces (a
    saturated hard-tanh output is exact)."""
    net = random_network([2, 8, 6, 1], "hardtanh", sigma_w=1.5, sigma_b=0.5, seed=0)
    planar = partition(net).num_regions
    exact = partition(net, Polytope([[Fraction(1), Fraction(0)]], [Fraction(10**9)]),
                      exact=True).num_regions
    assert exact == planar
    assert partition(net, Polytope([[1.0, 0.0]], [1e9]), exact=False).num_regions == exact
    box = Box([-1.0, -1.0], [1e9, 1.0])
    exact_box = Box([Fraction(-1), Fraction(-1)], [Fraction(10**9), Fraction(1)])
    assert partition(net, box, exact=False).num_regions == \
        partition(net, exact_box, exact=True).num_regions


@pytest.mark.parametrize("far", [1e6, 1e9, 1e12, 1e15])
@pytest.mark.parametrize("act", ["relu", "hardtanh", "leaky_relu"])
def test_float_far_facets_are_right_or_raise(far, act):
    """Float mode with a facet far out (three inputs): the exact count, or RuntimeError
    (at 1e12 the tolerance band around a hard-tanh threshold, tol times a scale of 1e12,
    holds both thresholds: float64 cannot tell them apart there), never another count."""
    net = random_network([3, 6, 5, 1], act, sigma_w=1.5, sigma_b=0.5, seed=2)
    exact = partition(net, Polytope([[Fraction(1), Fraction(0), Fraction(0)]],
                                    [Fraction(int(far))]), exact=True).num_regions
    try:
        got = partition(net, Polytope([[1.0, 0.0, 0.0]], [far]), exact=False).num_regions
    except RuntimeError as why:
        assert "exact=True" in str(why)
    else:
        assert got == exact


def test_values_within_tolerance_of_two_thresholds_raise():
    net = random_network([2, 8, 6, 1], "hardtanh", sigma_w=1.5, sigma_b=0.5, seed=0)
    with pytest.raises(RuntimeError, match="two thresholds"):
        partition(net, Polytope([[1.0, 0.0]], [1e12]), exact=False)


@pytest.mark.parametrize("n0,widths,whole", [(3, [7, 6], False), (4, [6, 5], True),
                                             (5, [5, 4], False)])
def test_volumes_equal_qhull_on_every_bounded_region(n0, widths, whole):
    """The vectorised pulling triangulation against Qhull's volume of each bounded
    region's vertices (an independent computation), and exact against float."""
    from scipy.spatial import ConvexHull

    net = random_network([n0] + widths + [1], "relu", sigma_w=1.5, sigma_b=0.5, seed=n0)
    domain = None if whole else Box([-1.0] * n0, [1.0] * n0)
    part = partition(net, domain, exact=False)
    vols = part.volumes
    bounded = np.flatnonzero(part.bounded)
    assert bounded.shape[0] > 5
    for i in bounded[:60].tolist():
        assert vols[i] == pytest.approx(ConvexHull(part.region(i).vertices).volume, rel=1e-9)
    assert np.isinf(vols[~part.bounded]).all()
    if n0 <= 4:
        ex_domain = None if whole else Box([Fraction(-1)] * n0, [Fraction(1)] * n0)
        ex = partition(net, ex_domain, exact=True)
        assert all(isinstance(v, Fraction) for v in ex.volumes[ex.bounded])
        assert np.allclose([float(v) for v in ex.volumes[ex.bounded]], vols[part.bounded],
                           rtol=1e-9)


def test_adjacency_and_linear_regions_against_pattern_neighbours():
    """Adjacency from shared facets against an independent criterion in a box with one
    hidden layer in general position: two regions are adjacent iff their patterns differ
    in one neuron and the LP oracle finds the shared facet; linear regions from connected
    components of adjacent regions with equal maps equal the count of distinct maps on
    this net (every region of a one-layer net with a nonzero output weight per neuron has
    its own map)."""
    from .oracle_nd import OracleND

    net = random_network([4, 7, 1], "relu", sigma_w=1.5, sigma_b=0.5, seed=11)
    part = partition(net, Box([-2.0] * 4, [2.0] * 4))
    oracle = OracleND(net, box=([-2] * 4, [2] * 4))
    key = lambda P, i: bytes(P[i])  # noqa: E731
    mine = {frozenset((key(part.patterns[0], i), key(part.patterns[0], j)))
            for i, j in part.adjacency.tolist()}
    opat = [bytes(np.asarray(r.pattern[0], dtype=np.int8)) for r in oracle.regions]
    assert sorted(opat) == sorted(key(part.patterns[0], i) for i in range(part.num_regions))
    theirs = {frozenset((opat[i], opat[j])) for i, j in oracle.adjacency}
    assert mine == theirs
    assert part.num_linear_regions == part.num_regions
