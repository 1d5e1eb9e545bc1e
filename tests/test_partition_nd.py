"""Properties of regions.partition in any input dimension (issue 13): the polyhedral
partition of R^n0, of boxes, polytopes and slices, against closed forms (Zaslavsky, central
and parallel arrangements, Montufar's folding networks), the bounds, the planar engine, the
1-D engine along lines, forward passes at points and an independent LP oracle
(tests/oracle_nd.py)."""

from __future__ import annotations

from fractions import Fraction
from itertools import product as iproduct
from math import comb, factorial, prod

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bounds
from regions import (
    Box,
    Network,
    Plane,
    PolyhedralPartition,
    Polytope,
    Segment,
    Slice,
    neighbourhood,
    partition,
    random_network,
    trace,
)
from regions.constructions import box_polygon, folding_network
from regions.strategies import random_networks, rational_networks

from .oracle_nd import OracleND, assert_agrees, zaslavsky

F = Fraction


# -- helpers (numpy only: the network's own forward pass, written here) ---------------------

_TABLE = {  # thresholds, codes, slopes, intercepts (tie: a value at a threshold is below it)
    "relu": ((0,), (0, 1), (0, 1), (0, 0)),
    "hardtanh": ((-1, 1), (-1, 0, 1), (0, 1, 0), (-1, 0, 1)),
    "leaky_relu": ((0,), (0, 1), (0.01, 1), (0, 0)),
    "abs": ((0,), (0, 1), (-1, 1), (0, 0)),
    "linear": ((), (0,), (1,), (0,)),
}


def _forward(net, x):
    """(pattern over the non-linear layers, output) of a float point, by a plain forward pass."""
    z = np.asarray(x, dtype=float)
    codes = []
    for w, b, act in zip(net.weights, net.biases, net.activations):
        h = np.asarray(w, dtype=float) @ z + np.asarray(b, dtype=float)
        th, cd, sl, ic = _TABLE[act.name]
        piece = np.zeros(len(h), dtype=int)
        for t in th:
            piece += h > t
        if act.name != "linear":
            codes += [cd[p] for p in piece]
        z = np.array([sl[p] * v + ic[p] for p, v in zip(piece, h)], dtype=float)
    return tuple(codes), z


def _hidden(net):
    return [a.name != "linear" for a in net.activations]


def _keys(part, net):
    """One tuple of codes (non-linear layers only) per region of a partition result."""
    pats = list(part.patterns)
    if len(pats) == len(net.activations):
        pats = [p for p, keep in zip(pats, _hidden(net)) if keep]
    if not pats:
        return [()] * part.num_regions
    return [tuple(int(v) for v in row) for row in np.concatenate(pats, axis=1).tolist()]


def _oracle_keys(oracle, net):
    keep = _hidden(net)
    return [tuple(c for layer, k in zip(r.pattern, keep) if k for c in layer)
            for r in oracle.regions]


def _exact(net):
    """The same network with its float64 entries as exact Fractions."""
    return Network([[[F(float(v)) for v in row] for row in np.asarray(w).tolist()]
                    for w in net.weights],
                   [[F(float(v)) for v in np.asarray(b).tolist()] for b in net.biases],
                   [a.name for a in net.activations])


def _cube(n, r=2):
    return Box([-r] * n, [r] * n)


def _moment_normals(m, n):
    """m normals (1, t, t^2, ...) on the moment curve, t = 0, 1, -1, 2, -2, ...: any n of
    them are linearly independent (a Vandermonde matrix)."""
    ts = [((k + 1) // 2) * (1 if k % 2 else -1) for k in range(m)]
    return [[F(t) ** e for e in range(n)] for t in ts]


def _one_layer(normals, offsets, act="relu"):
    m = len(normals)
    return Network([normals, [[F(1)] * m]], [[F(c) for c in offsets], [F(0)]], [act, "linear"])


# -- closed forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("n0", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("n", [1, 3, 7])
def test_zaslavsky_one_hidden_layer_whole_space(n0, n):
    """n hyperplanes in general position cut R^n0 into sum_{j<=n0} C(n, j) regions, of
    which C(n - 1, n0) are bounded (both from the arrangement's characteristic polynomial:
    (-1)^n0 chi(-1) and |chi(1)|)."""
    net = random_network([n0, n, 1], "relu", sigma_b=1.0, seed=100 * n0 + n)
    part = partition(net)
    assert isinstance(part, PolyhedralPartition) or n0 == 2
    assert part.num_regions == sum(comb(n, j) for j in range(n0 + 1))
    assert int(np.sum(part.bounded)) == comb(n - 1, n0)
    if n0 != 2:
        assert part.dim == n0
        # every pattern is different, and the one-layer map differs on every region
        assert len(set(_keys(part, net))) == part.num_regions


@pytest.mark.parametrize("n0,m", [(3, 4), (3, 6), (4, 5), (5, 6)])
def test_central_arrangement_exact(n0, m):
    """m hyperplanes through the origin whose normals are in general position (any n0
    independent): 2 sum_{j<n0} C(m - 1, j) regions, all unbounded cones.

    Derivation: the regions of a central arrangement come in opposite pairs, one of each pair
    meeting the affine hyperplane x . a_m = 1 (a_m the last normal); there the other m - 1
    hyperplanes trace an arrangement of m - 1 affine hyperplanes of R^{n0-1} in general
    position (any n0 - 1 of them meet in a point, since with a_m any n0 normals are
    independent), with sum_{j<=n0-1} C(m-1, j) regions (Zaslavsky). In a box around the
    origin every cone is met, so the count is the same."""
    net = _one_layer(_moment_normals(m, n0), [0] * m)
    expected = 2 * sum(comb(m - 1, j) for j in range(n0))
    whole = partition(net, exact=True)
    assert whole.num_regions == expected
    assert not np.any(whole.bounded)
    boxed = partition(net, _cube(n0, 1), exact=True)
    assert boxed.num_regions == expected
    assert sum(boxed.volumes) == F(2) ** n0


@pytest.mark.parametrize("n0,m", [(1, 3), (2, 2), (3, 3), (3, 4), (4, 4)])
def test_hardtanh_one_layer_parallel_pairs(n0, m):
    """One hard-tanh layer of m generic units: each unit gives two parallel hyperplanes
    h = -1 and h = 1. Regions = sum_{j<=n0} C(m, j) 2^j.

    Derivation (Whitney's formula with Zaslavsky's theorem: the number of regions is the sum,
    over the subsets S of hyperplanes with a non-empty common intersection, of
    (-1)^{|S| - rank S}). Here S has a common point iff it takes at most one hyperplane of
    each unit (the two are parallel) and |S| <= n0 (more than n0 generic affine hyperplanes
    share no point); such S have independent normals, so each adds +1. Choosing j units and
    one of the two hyperplanes of each: C(m, j) 2^j. Check:
    one unit on a line, 3 pieces; two units in the plane, a 3 x 3 grid, 9."""
    net = random_network([n0, m, 1], "hardtanh", sigma_w=3.0, sigma_b=0.5, seed=7 * n0 + m)
    expected = sum(comb(m, j) * 2 ** j for j in range(n0 + 1))
    assert partition(net).num_regions == expected
    assert partition(_exact(net), exact=True).num_regions == expected


def test_parallel_families_grid_exact():
    """p, q and r parallel planes with normals e1, e2, e3: a grid of (p+1)(q+1)(r+1) boxes,
    in a box around the crossings the same count, with volumes summing to the box's."""
    rows, offs = [], []
    for axis, cuts in enumerate(([F(-1), F(0), F(1, 2)], [F(1, 3)], [F(-1, 2), F(1, 4)])):
        for c in cuts:
            rows.append([F(int(i == axis)) for i in range(3)])
            offs.append(-c)
    net = _one_layer(rows, offs)
    assert partition(net, exact=True).num_regions == 4 * 2 * 3
    part = partition(net, Box([F(-2)] * 3, [F(2)] * 3), exact=True)
    assert part.num_regions == 24
    assert sum(part.volumes) == 64
    assert all(part.bounded)


def test_degenerate_duplicates_zero_rows_and_faces_exact():
    """Degenerate constructions, exact mode, against hand counts.

    * 4 generic planes of R^3 (moment normals, generic offsets): Zaslavsky 1+4+6+4 = 15.
    * The same 4 planes plus a duplicate of each unit, a positive multiple of one, a negated
      copy of another (same hyperplane, the opposite side active) and three zero-weight units
      (bias 1: always on; 0: on its threshold everywhere, hence off by the tie rule; -1:
      off): the hyperplanes are the same 4, so still 15 regions; the constant units take one
      code everywhere.
    * A second layer whose units are relu(u_1) (a copy of a first-layer unit: its zero set
      is the whole closed half-space where u_1 is off, a boundary along an existing face),
      a dead unit (-u_1 - u_2 - 1 on outputs >= 0: never above 0) and 0 * u + 0: no new
      boundary, 15 regions.
    * Three planes through one line (x1 = 0, x2 = 0, x1 + x2 = 0: a pencil) plus x3 = 0:
      the pencil cuts R^3 into 6 wedges, x3 = 0 halves each: 12.
    * Four planes through one point, x1, x2, x3, x1 + x2 + x3 (a central arrangement of 4
      generic normals): 2 (1 + 3 + 3) = 14; shifting the last one to x1 + x2 + x3 = 1 makes
      it generic: 15.
    """
    normals = _moment_normals(4, 3)
    offsets = [F(1, 3), F(-1, 5), F(2, 7), F(-3, 11)]
    base = _one_layer(normals, offsets)
    assert partition(base, exact=True).num_regions == 15

    rows = normals + normals + [[2 * v for v in normals[0]], [-v for v in normals[1]]] + \
        [[F(0)] * 3] * 3
    offs = offsets + offsets + [2 * offsets[0], -offsets[1], F(1), F(0), F(-1)]
    dup = _one_layer(rows, offs)
    part = partition(dup, exact=True)
    assert part.num_regions == 15
    codes = np.concatenate(part.patterns, axis=1)[:, :len(rows)]
    assert np.all(codes[:, -3] == 1) and np.all(codes[:, -2] == 0) and np.all(codes[:, -1] == 0)
    assert np.array_equal(codes[:, :4], codes[:, 4:8])  # duplicates share their codes
    assert np.array_equal(codes[:, 0], codes[:, 8])
    assert np.array_equal(codes[:, 1], 1 - codes[:, 9])  # the negated copy: opposite codes

    second = Network(
        [normals, [[F(1), F(0), F(0), F(0)], [F(-1), F(-1), F(0), F(0)], [F(0)] * 4],
         [[F(1)] * 3]],
        [offsets, [F(0), F(-1), F(0)], [F(0)]], ["relu", "relu", "linear"])
    assert partition(second, exact=True).num_regions == 15
    assert partition(second, _cube(3, 5), exact=True).num_regions == \
        partition(base, _cube(3, 5), exact=True).num_regions

    e = [[F(1), F(0), F(0)], [F(0), F(1), F(0)], [F(0), F(0), F(1)]]
    pencil = _one_layer([e[0], e[1], [F(1), F(1), F(0)], e[2]], [0, 0, 0, 0])
    assert partition(pencil, exact=True).num_regions == 12
    ones = [F(1), F(1), F(1)]
    assert partition(_one_layer(e + [ones], [0, 0, 0, 0]), exact=True).num_regions == 14
    assert partition(_one_layer(e + [ones], [0, 0, 0, -1]), exact=True).num_regions == 15


# -- volumes and the face complex -------------------------------------------------------------


three_input_rational = rational_networks(
    input_dim=3, depth=st.integers(1, 2), width=st.integers(1, 3), mixed=True,
    activations=("relu", "hardtanh", "leaky_relu"),
)


@given(three_input_rational)
@settings(max_examples=25)
def test_volumes_sum_to_the_box_exactly(net):
    """Exact mode: the volumes of the regions of a box are Fractions summing to its volume,
    for any rational network (degenerate ones included); every region is bounded."""
    part = partition(net, Box([F(-1), F(-2), F(0)], [F(2), F(1), F(1, 2)]), exact=True)
    assert part.exact
    assert all(isinstance(v, Fraction) for v in part.volumes)
    assert all(v > 0 for v in part.volumes)
    assert sum(part.volumes) == F(9, 2)
    assert np.all(part.bounded)


@given(three_input_rational)
@settings(max_examples=15)
def test_volumes_sum_to_the_simplex_exactly(net):
    """A Polytope domain: the simplex x >= 0, x1 + x2 + x3 <= 2 has volume 8/6."""
    A = [[F(-1), F(0), F(0)], [F(0), F(-1), F(0)], [F(0), F(0), F(-1)], [F(1), F(1), F(1)]]
    part = partition(net, Polytope(A, [F(0), F(0), F(0), F(2)]), exact=True)
    assert sum(part.volumes) == F(4, 3)


def _faces(vertices, A, b):
    """All non-empty faces of a bounded polytope as frozensets of vertex indices (into
    ``vertices``), itself included: the non-empty intersections of its facets' vertex sets."""
    tight = [frozenset(i for i, v in enumerate(vertices)
                       if sum(a * x for a, x in zip(row, v)) == rhs)
             for row, rhs in zip(A, b)]
    facets = {t for t in tight if t}
    faces = {frozenset(range(len(vertices)))} | facets
    frontier = set(facets)
    while frontier:
        new = set()
        for f in frontier:
            for g in facets:
                h = f & g
                if h and h not in faces:
                    new.add(h)
        faces |= new
        frontier = new
    return faces


def _dim(points):
    p = np.array([[float(v) for v in q] for q in points])
    return int(np.linalg.matrix_rank(p[1:] - p[0], tol=1e-9)) if len(p) > 1 else 0


@pytest.mark.parametrize("widths,seed", [([3, 4, 1], 1), ([3, 3, 3, 1], 2), ([4, 4, 1], 3)])
def test_euler_characteristic_of_the_complex_in_a_box(widths, seed):
    """The regions of a box and all their faces form a polyhedral complex whose union is a
    ball: sum over faces of (-1)^dim = 1 (Euler-Poincare). Faces are read from the regions'
    exact vertices and irredundant H-representations and identified across regions by their
    vertex sets (the complex of a generic network is face-to-face: each face is where a set
    of continuous pre-activations vanish)."""
    net = _exact(random_network(widths, "relu", sigma_b=1.0, seed=seed))
    n0 = widths[0]
    part = partition(net, Box([F(-1)] * n0, [F(1)] * n0), exact=True)
    ids: dict = {}
    faces = set()
    for region in part:
        vs = [tuple(F(v) for v in row) for row in region.vertices.tolist()]
        gid = [ids.setdefault(v, len(ids)) for v in vs]
        A = [[F(v) for v in row] for row in np.asarray(region.A).tolist()]
        b = [F(v) for v in np.asarray(region.b).tolist()]
        for face in _faces(vs, A, b):
            faces.add(frozenset(gid[i] for i in face))
    coords = {i: v for v, i in ids.items()}
    chi = sum((-1) ** _dim([coords[i] for i in f]) for f in faces)
    assert chi == 1
    # and every region is an n0-dimensional polytope with at least n0 + 1 vertices
    assert all(len(r.vertices) >= n0 + 1 for r in part)


# -- against the planar and the 1-D engines ---------------------------------------------------


two_input_random = random_networks(
    input_dim=2, depth=st.integers(1, 3), width=st.integers(1, 5), sigma_b=st.just(1.0),
    activations=("relu", "hardtanh"),
)


@given(two_input_random)
@settings(max_examples=25)
def test_two_inputs_equal_the_planar_partition(net):
    """n0 = 2: a Box, the same square as a Polytope, and the whole plane as a 2-D Slice of the
    input give the planar engine's regions (count and patterns)."""
    planar_box = partition(net, box_polygon([-2, -2], [2, 2]))
    want = sorted(_keys(planar_box, net))
    for dom in (Box([-2, -2], [2, 2]),
                Polytope([[1, 0], [-1, 0], [0, 1], [0, -1]], [2, 2, 2, 2]),
                Slice([0, 0], [[1, 0], [0, 1]], domain=Box([-2, -2], [2, 2]))):
        got = partition(net, dom)
        assert got.num_regions == planar_box.num_regions
        assert sorted(_keys(got, net)) == want
    whole = partition(net)
    sliced = partition(net, Slice([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]))
    assert sliced.num_regions == whole.num_regions
    assert sorted(_keys(sliced, net)) == sorted(_keys(whole, net))


@given(random_networks(input_dim=3, depth=st.integers(1, 2), width=st.integers(1, 5),
                       sigma_b=st.just(1.0)),
       st.integers(0, 2**16))
@settings(max_examples=20)
def test_a_two_dimensional_slice_equals_the_plane_partition(net, seed):
    """A 2-D Slice of a 3-input network equals the planar engine on the same Plane."""
    rng = np.random.default_rng(seed)
    origin, dirs = rng.normal(size=3), rng.normal(size=(2, 3))
    square = box_polygon([-1.5, -1.5], [1.5, 1.5])
    planar = partition(net, Plane(origin, dirs, polygon=square))
    nd = partition(net, Slice(origin, dirs, domain=Box([-1.5, -1.5], [1.5, 1.5])))
    assert nd.num_regions == planar.num_regions
    assert sorted(_keys(nd, net)) == sorted(_keys(planar, net))


@given(random_networks(input_dim=1, depth=st.integers(1, 3), width=st.integers(1, 6),
                       sigma_b=st.just(1.0)),
       rational_networks(input_dim=1, depth=st.integers(1, 3), width=st.integers(1, 4),
                         mixed=True))
@settings(max_examples=30)
def test_one_input_equals_trace(net, exact_net):
    """n0 = 1: the regions of an interval are trace's pieces (each pattern is one interval),
    float and exact, and the whole line's are those of a long enough Line-segment."""
    for model, lo, hi in ((net, -3.0, 3.0), (exact_net, F(-3), F(5, 2))):
        part = partition(model, Box([lo], [hi]))
        tr = trace(model, Segment([lo], [hi]))
        assert part.num_regions == tr.num_pieces == tr.num_patterns
        assert sorted(_keys(part, model)) == sorted(_keys(tr, model))
        if part.exact:
            assert sum(part.volumes) == hi - lo
        else:
            assert float(sum(part.volumes)) == pytest.approx(float(hi - lo))


def _random_segment(rng, n0, r=2.0):
    while True:
        a, b = rng.uniform(-r, r, n0), rng.uniform(-r, r, n0)
        if np.linalg.norm(a - b) > 0.5:
            return a, b


@given(random_networks(input_dim=st.integers(3, 4), depth=st.integers(1, 3),
                       width=st.integers(2, 5), sigma_b=st.just(1.0)),
       st.integers(0, 2**16), st.booleans())
@settings(max_examples=25)
def test_a_line_crosses_exactly_the_facets_trace_finds(net, seed, whole):
    """Along a random segment, trace's pieces are regions of the partition: the midpoint of
    each piece is located in a region with the piece's pattern, consecutive pieces lie in
    regions sharing a facet (an edge of ``adjacency``), and no region is met twice (regions
    are convex)."""
    n0 = net.input_size
    part = partition(net, None if whole else _cube(n0))
    a, b = _random_segment(np.random.default_rng(seed), n0)
    tr = trace(net, Segment(a, b))
    edges = np.asarray(tr.edges, dtype=float)
    mids = [a + (s + t) / 2 * (b - a) for s, t in zip(edges[:-1], edges[1:])]
    where = part.locate(np.array(mids))
    assert np.all(where >= 0)
    assert len(set(where.tolist())) == tr.num_pieces  # never re-entered
    keys = _keys(part, net)
    assert [keys[i] for i in where] == _keys(tr, net)
    adjacent = set(map(tuple, np.sort(np.asarray(part.adjacency), axis=1).tolist()))
    for i, j in zip(where[:-1], where[1:]):
        assert (min(i, j), max(i, j)) in adjacent


# -- against forward passes -----------------------------------------------------------------


@given(random_networks(input_dim=st.integers(3, 6), depth=st.integers(1, 2),
                       width=st.integers(1, 4), output_dim=st.integers(1, 2),
                       activations=("relu", "hardtanh", "leaky_relu"), mixed=True,
                       sigma_b=st.just(1.0)),
       st.integers(0, 2**16), st.booleans())
@settings(max_examples=20)
def test_points_are_located_in_the_region_of_their_pattern_and_map(net, seed, whole):
    """Each random point is located in the region whose pattern and affine map the forward
    pass gives, inside that region's H-representation. (Engine at 6bf23d8: with
    --hypothesis-seed=11 one example, a (6, 4, 4, 2) hard-tanh/leaky net in a box, takes
    ~100 s in ``part.region(i)`` for a region of 136 vertices and 16 facets: an engine
    performance issue, not a property failure.)"""
    n0 = net.input_size
    part = partition(net, None if whole else _cube(n0))
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-2, 2, size=(20, n0))
    where = part.locate(pts)
    keys = _keys(part, net)
    maps = np.asarray(part.linear_maps, dtype=float)
    offs = np.asarray(part.offsets, dtype=float)
    for x, i in zip(pts, where):
        pattern, out = _forward(net, x)
        assert i >= 0
        assert keys[i] == pattern
        assert np.allclose(maps[i] @ x + offs[i], out, rtol=1e-9, atol=1e-9)
        region = part.region(int(i))
        A, b = np.asarray(region.A, dtype=float), np.asarray(region.b, dtype=float)
        assert np.all(A @ x <= b + 1e-9)
    if not whole:
        outside = np.full((1, n0), 2.5)
        assert part.locate(outside).tolist() == [-1]
    assert part.num_linear_regions <= part.num_regions


# -- constructions and bounds -----------------------------------------------------------------


@pytest.mark.parametrize("widths,n0", [((6, 3), 3), ((6, 4), 3), ((6, 6, 3), 3), ((8, 4), 4)])
def test_folding_networks_meet_montufar_bound_exactly(widths, n0):
    """Montufar et al.'s folding network has exactly their lower bound's number of regions
    in its box (exact mode): prod_{l<L} floor(n_l/n0)^n0 * sum_{j<=n0} C(n_L, j)."""
    net, (lo, hi) = folding_network(list(widths), n0=n0)
    expected = int(bounds.montufar_lower_bound(list(widths), n0))
    p = [w // n0 for w in widths[:-1]]
    assert expected == prod(q ** n0 for q in p) * sum(comb(widths[-1], j) for j in range(n0 + 1))
    part = partition(net, Box(lo, hi), exact=True)
    assert part.num_regions == expected
    assert sum(part.volumes) == prod(h - l for l, h in zip(lo, hi))


@pytest.mark.parametrize("n0", [3, 4, 5, 6])
@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_whole_space_counts_within_the_upper_bounds(n0, act):
    """Activation regions of R^n0 never exceed Raghu et al.'s U(n, k, m) (2k hyperplanes per
    hard-tanh layer) nor, for ReLU (their hypothesis), Serra et al.'s and Montufar's 2017
    upper bounds. Widths and scales chosen so that the counts are far from trivial."""
    k, depth = (5, 2) if n0 <= 4 else (4, 2)
    if act == "hardtanh" and n0 >= 4:
        k = 3  # 2k hyperplanes per layer: keep the count (and the time) moderate
    widths = [n0] + [k] * depth + [1]
    sigma_w = 2.0 ** 0.5 if act == "relu" else 3.0
    for seed in range(2):
        net = random_network(widths, act, sigma_w=sigma_w, sigma_b=1.0, seed=seed)
        part = partition(net)
        assert part.num_regions <= int(bounds.raghu_u(k, depth, n0, act))
        if act == "relu":
            assert part.num_regions <= int(bounds.serra_upper_bound([k] * depth, n0))
            assert part.num_regions <= int(bounds.montufar2017_upper_bound([k] * depth, n0))
        assert part.num_linear_regions <= part.num_regions
        if act == "relu":  # layer 1's generic arrangement, which the deeper layers refine
            assert part.num_regions >= zaslavsky(k, n0)


# -- against the LP oracle -------------------------------------------------------------------


@pytest.mark.parametrize("n0,n", [(1, 4), (3, 5), (4, 5)])
def test_the_oracle_itself_on_closed_forms(n0, n):
    """The oracle is trusted on its own: Zaslavsky's counts (total and bounded) for one
    generic layer (and, below, the planar engine's regions, patterns and bounded flags)."""
    net = random_network([n0, n, 1], "relu", sigma_b=1.0, seed=n0)
    oracle = OracleND(net)
    assert oracle.num_regions == zaslavsky(n, n0)
    assert int(oracle.bounded().sum()) == comb(n - 1, n0)


def test_the_oracle_itself_against_the_planar_engine():
    plane_net = random_network([2, 3, 2, 1], "hardtanh", sigma_w=2.0, sigma_b=1.0, seed=3)
    oracle = OracleND(plane_net)
    planar = partition(plane_net)
    assert sorted(_oracle_keys(oracle, plane_net)) == sorted(_keys(planar, plane_net))
    flag = dict(zip(_oracle_keys(oracle, plane_net), oracle.bounded().tolist()))
    assert [flag[k] for k in _keys(planar, plane_net)] == planar.bounded.tolist()


small_nets = random_networks(
    input_dim=st.integers(3, 4), depth=st.integers(1, 2), width=st.integers(1, 4),
    activations=("relu", "hardtanh", "leaky_relu"), mixed=True, sigma_b=st.just(1.0),
)


@given(small_nets, st.sampled_from(["whole", "box", "polytope"]))
@settings(max_examples=20)
def test_the_lp_oracle_agrees(net, where):
    """Count, set of patterns, bounded flags, adjacency (as pairs of patterns) and, in a box,
    volumes (to float precision) against the independent LP oracle."""
    n0 = net.input_size
    if where == "whole":
        part, oracle = partition(net), OracleND(net)
    elif where == "box":
        part = partition(net, _cube(n0))
        oracle = OracleND(net, box=([-2] * n0, [2] * n0))
    else:  # the cross-polytope |x|_1 <= 2
        A = np.array(list(iproduct([-1.0, 1.0], repeat=n0)))
        b = np.full(len(A), 2.0)
        part = partition(net, Polytope(A, b))
        oracle = OracleND(net, polytope=(A, b))
    total = None if where == "whole" else 4.0 ** n0 if where == "box" else \
        4.0 ** n0 / factorial(n0)
    _agrees_with_oracle(part, oracle, net, total)


def _agrees_with_oracle(part, oracle, net, total=None):
    assert_agrees(part, oracle, _keys(part, net), _oracle_keys(oracle, net), total)


@pytest.mark.parametrize("n0,box", [(5, False), (5, True), (6, False)])
@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_the_lp_oracle_agrees_in_five_and_six_dimensions(n0, act, box):
    """(Volumes by Qhull in 6-D are the slow part of the oracle: the box is checked in 5-D.)"""
    net = random_network([n0, 4, 3, 1], act, sigma_w=2.0, sigma_b=1.0, seed=n0)
    if box:
        part = partition(net, _cube(n0))
        oracle = OracleND(net, box=([-2] * n0, [2] * n0))
        _agrees_with_oracle(part, oracle, net, 4.0 ** n0)
    else:
        _agrees_with_oracle(partition(net), OracleND(net), net)


@given(random_networks(input_dim=3, depth=st.integers(1, 2), width=st.integers(1, 4),
                       sigma_b=st.just(1.0)),
       st.integers(0, 2**16))
@settings(max_examples=6)
def test_a_three_dimensional_slice_of_six_inputs_agrees_with_the_oracle(net, seed):
    """A 3-D Slice of a 6-input network: the oracle composes the slice itself."""
    rng = np.random.default_rng(seed)
    big = random_network([6] + list(net.widths[1:]), net.activations[0].name, sigma_b=1.0,
                         seed=seed)
    origin, dirs = rng.normal(size=6), rng.normal(size=(3, 6))
    part = partition(big, Slice(origin, dirs))
    oracle = OracleND(big, origin=origin, directions=dirs)
    assert part.dim == 3
    assert part.num_regions == oracle.num_regions
    assert sorted(_keys(part, big)) == sorted(_oracle_keys(oracle, big))


# -- float against exact -------------------------------------------------------------------


@given(random_networks(input_dim=st.integers(3, 4), depth=st.integers(1, 2),
                       width=st.integers(1, 4), sigma_b=st.just(1.0)),
       st.booleans())
@settings(max_examples=15)
def test_float_equals_exact_on_generic_networks(net, whole):
    n0 = net.input_size
    dom = None if whole else _cube(n0)
    fl = partition(net, dom, exact=False)
    ex = partition(_exact(net), None if whole else Box([F(-2)] * n0, [F(2)] * n0), exact=True)
    assert fl.arithmetic == "float" and ex.exact
    assert fl.num_regions == ex.num_regions
    assert fl.num_linear_regions == ex.num_linear_regions
    assert sorted(_keys(fl, net)) == sorted(_keys(ex, net))
    fb = dict(zip(_keys(fl, net), np.asarray(fl.bounded).tolist()))
    assert [fb[k] for k in _keys(ex, net)] == np.asarray(ex.bounded).tolist()
    if not whole:
        fv = dict(zip(_keys(fl, net), np.asarray(fl.volumes, dtype=float).tolist()))
        assert np.allclose([fv[k] for k in _keys(ex, net)],
                           [float(v) for v in ex.volumes], rtol=1e-9, atol=1e-12)


# -- result structure -------------------------------------------------------------------


def test_result_structure_on_a_small_network():
    net = random_network([3, 4, 3, 2], "relu", sigma_b=1.0, seed=11)
    part = partition(net, _cube(3))
    R = part.num_regions
    assert len(part) == R == len(list(part))
    assert part.dim == 3 and part.arithmetic == "float" and not part.exact
    assert all(p.shape[0] == R and p.dtype == np.int8 for p in part.patterns)
    assert np.asarray(part.linear_maps).shape == (R, 2, 3)
    assert np.asarray(part.offsets).shape == (R, 2)
    adj = np.asarray(part.adjacency)
    assert adj.ndim == 2 and adj.shape[1] == 2 and np.all(adj[:, 0] < adj[:, 1])
    for i, region in enumerate(part):
        A, b = np.asarray(region.A, dtype=float), np.asarray(region.b, dtype=float)
        V = np.asarray(region.vertices, dtype=float)
        assert region.bounded and len(np.asarray(region.rays).reshape(-1)) == 0
        assert np.all(A @ V.T <= b[:, None] + 1e-9)  # vertices satisfy the H-rep
        # irredundant: every row is tight at n0 affinely independent vertices (a facet)
        for row, rhs in zip(A, b):
            on = V[np.abs(V @ row - rhs) <= 1e-9]
            assert len(on) >= 3 and np.linalg.matrix_rank(on[1:] - on[0], tol=1e-9) == 2
        assert float(region.volume) == pytest.approx(float(part.volumes[i]))
    whole = partition(net)
    unb = [r for r in whole if not r.bounded]
    assert unb and all(len(np.asarray(r.rays)) > 0 for r in unb)
    assert all(v == np.inf for v, bd in zip(whole.volumes, whole.bounded) if not bd)


def test_neighbourhood_slices_and_their_volume_exactly():
    """neighbourhood(point, radius, dim, directions=...) is a Slice through the point: the
    point lies in one of its regions, and the regions' volumes (slice coordinates) add up to
    the cross-polytope's (2r)^d / d! or the box's (2r)^d."""
    net = _exact(random_network([5, 4, 4, 1], "relu", sigma_b=1.0, seed=5))
    point = [F(1, 3), F(-1, 2), F(0), F(1, 5), F(2)]
    dirs = [[F(int(i == j)) for i in range(5)] for j in range(3)]
    r = F(1, 2)
    for shape, volume in (("cross", (2 * r) ** 3 / 6), ("box", (2 * r) ** 3)):
        sl = neighbourhood(point, r, dim=3, directions=dirs, shape=shape)
        assert isinstance(sl, Slice)
        part = partition(net, sl, exact=True)
        assert part.dim == 3
        assert sum(part.volumes) == volume
        assert part.locate([[F(0)] * 3])[0] >= 0
    sl = neighbourhood([0.0] * 5, 0.3, dim=2, seed=1)
    assert partition(random_network([5, 6, 1], seed=1, sigma_b=1.0), sl).dim == 2


# -- bad input -------------------------------------------------------------------------------


def test_bad_input_names_the_argument():
    net3 = random_network([3, 4, 1], seed=0)
    with pytest.raises(ValueError, match="lower|upper"):
        Box([0, 0], [1])
    with pytest.raises(ValueError, match="lower|upper"):
        Box([0, 2], [1, 1])
    with pytest.raises(ValueError, match="domain|Box|dimension"):
        partition(net3, Box([0, 0], [1, 1]))
    with pytest.raises(ValueError, match=r"\bA\b|\bb\b"):
        Polytope([[1, 0, 0], [0, 1, 0]], [1, 1, 1])
    with pytest.raises(ValueError, match="directions"):
        Slice([0, 0, 0], [[1, 0, 0], [2, 0, 0]])
    with pytest.raises(ValueError, match="directions|origin"):
        Slice([0, 0, 0], [[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="radius"):
        neighbourhood([0.0, 0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="radius"):
        neighbourhood([0.0, 0.0, 0.0], -1.0)
    with pytest.raises(ValueError, match="shape"):
        neighbourhood([0.0, 0.0, 0.0], 1.0, shape="ball")
    with pytest.raises(TypeError, match="radius"):
        neighbourhood([0.0, 0.0, 0.0], "big")
    with pytest.raises((TypeError, ValueError), match="domain"):
        partition(net3, "everywhere")
    with pytest.raises(TypeError, match="domain"):
        partition(net3, 3.5)
    with pytest.raises(ValueError, match="dim|directions"):
        neighbourhood([0.0, 0.0, 0.0], 1.0, dim=4)
