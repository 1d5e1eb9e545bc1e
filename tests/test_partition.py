"""Properties of regions.partition: the planar arrangement against independent oracles
(polygon clipping in Fractions, the 1-D engine along segments, forward passes at points,
Zaslavsky's count, the bounds)."""

from fractions import Fraction
from itertools import combinations
from math import comb

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import bounds
import sympy
from regions import Network, Plane, Segment, partition, random_network, trace
from regions.constructions import box_polygon, folding_network
from regions.strategies import (
    convex_polygons,
    planes,
    points,
    random_networks,
    rational_networks,
    small_fractions,
)

from .oracle_2d import regions_in_box

F = Fraction
BOX = [[F(-3), F(-3)], [F(3), F(-3)], [F(3), F(3)], [F(-3), F(3)]]

two_input_rational = rational_networks(
    input_dim=2, depth=st.integers(1, 3), width=st.integers(1, 4), mixed=True,
    activations=("relu", "hardtanh", "abs", "leaky_relu"), output_dim=st.integers(1, 2),
)
two_input_random = random_networks(
    input_dim=2, depth=st.integers(1, 3), width=st.integers(1, 6), sigma_b=st.just(1.0),
)


def _interior_point(region):
    """A point inside a region: the mean of its points plus the sum of its directions (the
    whole plane, with no point, from the origin)."""
    v, inf = region.vertices, region.at_infinity
    finite = v[~inf]
    if not len(finite):
        return v[0] * 0  # the whole plane uncut: the origin is inside
    base = finite.sum(axis=0) / len(finite)
    return base + v[inf].sum(axis=0) if inf.any() else base


def _pattern_set(part):
    return sorted(np.concatenate(part.patterns, axis=1).tolist())


def _euler(part):
    return part.num_vertices - part.num_edges + part.num_regions


# -- structure ------------------------------------------------------------------------------


@given(two_input_rational, st.booleans())
@settings(max_examples=80)
def test_euler_relation_and_edge_sides_exact(net, whole):
    """V - E + F = 1 (a disk: the domain, or the plane closed by its line at infinity); every
    edge between two regions separates two different patterns; every other edge has one
    region."""
    part = partition(net, None if whole else BOX)
    assert _euler(part) == 1
    left, right = part.edge_regions[:, 0], part.edge_regions[:, 1]
    inner = part.edge_kinds == 0
    assert np.all((left >= 0) | (right >= 0))
    assert np.all(left[inner] != right[inner])
    keys = np.concatenate(part.patterns, axis=1)
    assert np.all(np.any(keys[left[inner]] != keys[right[inner]], axis=1))
    # every region's pattern is different (activation regions are convex)
    assert len({row.tobytes() for row in keys}) == part.num_regions
    # every region has at least 3 vertices, and its boundary's edges are edges of the list
    assert np.all(np.diff(part.region_offsets) >= 3)
    edge_set = set(map(tuple, np.sort(part.edges, axis=1).tolist()))
    for r in range(part.num_regions):
        ids = part.region_vertices[part.region_offsets[r]: part.region_offsets[r + 1]].tolist()
        assert all(tuple(sorted(e)) in edge_set for e in zip(ids, ids[1:] + ids[:1]))


@given(two_input_rational, convex_polygons(exact=True))
@settings(max_examples=60)
def test_counts_and_areas_match_the_clipping_oracle(net, poly):
    """In a box, the count equals the independent Fraction polygon-clipping oracle; in any
    convex polygon the region areas sum to its area exactly."""
    box = partition(net, BOX)
    assert box.num_regions == regions_in_box(net, (-3, -3), (3, 3))
    assert sum(box.exact_areas) == 36
    part = partition(net, poly)
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(poly, poly[1:] + poly[:1])) / 2
    assert sum(part.exact_areas) == area
    assert _euler(part) == 1


@given(two_input_rational)
@settings(max_examples=40)
@example(Network([[[F(1), F(0)], [F(1), F(0)], [F(0), F(1)]], [[F(1), F(-1), F(1)]]],
                 [[F(0), F(-1), F(0)], [F(0)]], ["relu", "linear"]))  # parallel lines
def test_whole_plane_holds_every_box_and_regions_are_unbounded_iff_rays(net):
    whole = partition(net)
    assert whole.num_regions >= partition(net, BOX).num_regions
    assert not whole.bounded.all()  # the plane is unbounded: some region is too


# -- against the 1-D engine ---------------------------------------------------------------


def _edge_crossings(part, x0, x1):
    """Parameters t in (0, 1) where the segment x0 -> x1 meets an edge between two regions,
    in exact arithmetic (homogeneous coordinates; rays and segments alike)."""
    x0 = [F(v) for v in x0]
    d = [F(b) - a for a, b in zip(x0, x1)]
    out = set()
    for (i, j), kind in zip(part.edges.tolist(), part.edge_kinds.tolist()):
        if kind != 0:
            continue
        P = [F(v) for v in part.points[i]] + [F(0 if part.at_infinity[i] else 1)]
        Q = [F(v) for v in part.points[j]] + [F(0 if part.at_infinity[j] else 1)]
        line = (P[1] * Q[2] - P[2] * Q[1], P[2] * Q[0] - P[0] * Q[2], P[0] * Q[1] - P[1] * Q[0])
        at0 = line[0] * x0[0] + line[1] * x0[1] + line[2]
        slope = line[0] * d[0] + line[1] * d[1]
        if slope == 0:
            assert at0 != 0, "segment runs along an edge: excluded by the caller"
            continue
        t = -at0 / slope
        if not 0 < t < 1:
            continue
        X = (x0[0] + t * d[0], x0[1] + t * d[1], F(1))

        def cr(a, b):
            return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                    a[0] * b[1] - a[1] * b[0])

        def dot(a, b):
            return sum(u * v for u, v in zip(a, b))

        if dot(cr(P, X), line) >= 0 and dot(cr(X, Q), line) >= 0:
            out.add(t)
    return sorted(out)


def _runs_along_an_edge(part, x0, x1):
    x0 = [F(v) for v in x0]
    d = [F(b) - a for a, b in zip(x0, x1)]
    for i, j in part.edges[part.edge_kinds == 0].tolist():
        P = [F(v) for v in part.points[i]] + [F(0 if part.at_infinity[i] else 1)]
        Q = [F(v) for v in part.points[j]] + [F(0 if part.at_infinity[j] else 1)]
        line = (P[1] * Q[2] - P[2] * Q[1], P[2] * Q[0] - P[0] * Q[2], P[0] * Q[1] - P[1] * Q[0])
        if line[0] * d[0] + line[1] * d[1] == 0 and line[0] * x0[0] + line[1] * x0[1] + line[2] == 0:
            return True
    return False


@given(two_input_rational, points(2, exact=True), points(2, exact=True), st.booleans())
@settings(max_examples=80)
def test_segments_cross_exactly_the_partition_edges_exact(net, a, b, whole):
    """The 1-D engine's knots along any segment inside the domain are exactly the points
    where the segment crosses an edge of the partition."""
    assume(a != b)
    assume(whole or all(-3 <= v <= 3 for v in a + b))  # inside the domain
    part = partition(net, None if whole else BOX)
    assume(not _runs_along_an_edge(part, a, b))
    knots = trace(net, Segment(a, b)).knots.tolist()
    assert knots == _edge_crossings(part, a, b)


@given(two_input_random, points(2), points(2))
@settings(max_examples=40)
def test_segments_cross_the_partition_edges_float(net, a, b):
    assume(max(abs(u - v) for u, v in zip(a, b)) > 1e-2)
    part = partition(net)
    knots = trace(net, Segment(a, b)).knots
    crossings = np.array([float(t) for t in _edge_crossings(part, a, b)])
    assert len(knots) == len(crossings)
    assert np.allclose(knots, crossings, rtol=0, atol=1e-7)


# -- against forward passes -----------------------------------------------------------------


@given(two_input_rational, st.lists(points(2, exact=True), min_size=1, max_size=8),
       st.booleans())
@settings(max_examples=60)
def test_points_lie_in_the_region_of_their_pattern_exact(net, pts, whole):
    """Every point of the domain lies in some closed region; a point in exactly one region
    is located there by its pattern, and the region's affine map gives net(x) there."""
    part = partition(net, None if whole else BOX)
    regions = list(part)
    pts = [p for p in pts if whole or all(-3 <= v <= 3 for v in p)]
    assume(pts)
    located = part.locate(pts)
    for p, i in zip(pts, located):
        inside = [r.index for r in regions if r.contains([p])[0]]
        assert inside, "the regions must cover the domain"
        if len(inside) == 1:
            assert i == inside[0]
        if i >= 0:
            r = regions[i]
            assert r.contains([p])[0]
            value = r.linear_map @ np.array(p, dtype=object) + r.offset
            assert value.tolist() == net(np.array([p], dtype=object))[0].tolist()


@given(two_input_rational, st.booleans())
@settings(max_examples=60)
@example(  # shrunk: a zero network leaves the whole plane uncut, a region without points
    Network([np.array([[F(0), F(0)]], dtype=object), np.array([[F(0)]], dtype=object)],
            [np.array([F(0)], dtype=object), np.array([F(0)], dtype=object)], "relu"),
    True,
)
def test_patterns_and_maps_agree_with_a_forward_pass_inside_each_region(net, whole):
    part = partition(net, None if whole else BOX)
    pts = np.array([_interior_point(r) for r in part], dtype=object)
    out = net(pts)
    maps = np.einsum("rij,rj->ri", part.linear_maps.astype(object), pts) + part.offsets
    assert (maps == out).all()
    assert part.locate(pts).tolist() == list(range(part.num_regions))


# -- float against exact --------------------------------------------------------------------


def _rationalise(net):
    return Network(
        [[[F(v) for v in row] for row in w.tolist()] for w in net.weights],
        [[F(v) for v in b.tolist()] for b in net.biases],
        [a.name for a in net.activations],
    )


@given(two_input_random, st.booleans())
@settings(max_examples=40)
@example(Network([[[0.12573022, -0.13210486]], [[0.14835117]], [[0.51137263]]],
                 [[0.64042265], [-0.53566937], [1.30400005]], ["relu", "relu", "linear"]),
         False)  # a constant output: float maps differ by rounding, one linear region
def test_float_and_exact_agree_on_generic_networks(net, whole):
    domain = None if whole else [[-3.0, -3.0], [3.0, -3.0], [3.0, 3.0], [-3.0, 3.0]]
    fl = partition(net, domain)
    ex = partition(_rationalise(net), domain, exact=True)
    # generic: no two vertices closer than the float tolerance can resolve
    finite = ex.points[~ex.at_infinity].astype(float)
    if len(finite) > 1:
        gaps = np.sqrt(((finite[:, None] - finite[None]) ** 2).sum(-1))
        assume(gaps[np.triu_indices(len(finite), 1)].min() > 1e-6)
    assert fl.num_regions == ex.num_regions
    assert fl.num_vertices == ex.num_vertices and fl.num_edges == ex.num_edges
    assert _pattern_set(fl) == _pattern_set(ex)
    assert fl.num_linear_regions == ex.num_linear_regions
    if domain is not None:
        assert np.isclose(fl.areas.sum(), 36.0, rtol=1e-12)


# -- closed forms and bounds ------------------------------------------------------------------


@given(st.lists(st.tuples(small_fractions(7, 5), small_fractions(7, 5), small_fractions(7, 5)),
                min_size=1, max_size=8))
@settings(max_examples=60)
def test_one_hidden_layer_in_general_position_has_zaslavsky_many_regions(lines):
    """n lines in general position cut the whole plane into sum_{j<=2} C(n, j) regions."""
    lines = [(a, b, c) for a, b, c in lines if (a, b) != (0, 0)]
    assume(lines)
    for (a1, b1, _), (a2, b2, _) in combinations(lines, 2):
        assume(a1 * b2 - a2 * b1 != 0)
    for l1, l2, l3 in combinations(lines, 3):
        m = [[F(v) for v in l] for l in (l1, l2, l3)]
        det = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
               - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
               + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))
        assume(det != 0)  # no three through one point
    n = len(lines)
    net = Network([[[a, b] for a, b, _ in lines], [[F(1)] * n]], [[c for *_, c in lines], [F(0)]],
                  ["relu", "linear"])
    part = partition(net)
    assert part.num_regions == sum(comb(n, j) for j in range(3))
    assert part.num_regions == int(bounds.zaslavsky_regions(n, 2))
    assert _euler(part) == 1


def test_parallel_and_concurrent_lines_whole_plane():
    """Special positions, by hand: k parallel lines give k + 1 strips; k lines through one
    point give 2k sectors; both families together give (k + 1) + ... (counted by Euler)."""
    for k in range(1, 6):
        par = Network([[[F(1), F(0)]] * k, [[F(1)] * k]], [[F(i) for i in range(k)], [F(0)]],
                      ["relu", "linear"])
        assert partition(par).num_regions == k + 1
        conc = Network([[[F(i), F(1)] for i in range(k)], [[F(1)] * k]],
                       [[F(0)] * k, [F(0)]], ["relu", "linear"])
        assert partition(conc).num_regions == 2 * k
    # a grid of 3 vertical and 2 horizontal lines: 4 x 3 cells
    grid = Network([[[F(1), F(0)]] * 3 + [[F(0), F(1)]] * 2, [[F(1)] * 5]],
                   [[F(0), F(1), F(2), F(0), F(1)], [F(0)]], ["relu", "linear"])
    part = partition(grid)
    assert part.num_regions == 12 and _euler(part) == 1
    assert int(part.bounded.sum()) == 2


def test_boundaries_along_existing_edges_and_through_vertices():
    """A second layer whose boundary runs exactly along a first-layer line, and lines through
    the box's corners: exact mode neither splits nor leaves slivers."""
    # relu(x) then relu(relu(x) - 0) + a neuron on the diagonal through the corners
    net = Network(
        [[[F(1), F(0)], [F(1), F(-1)], [F(1), F(1)]], [[F(1), F(0), F(0)], [F(0), F(1), F(1)]],
         [[F(1), F(1)]]],
        [[F(0), F(0), F(0)], [F(0), F(0)], [F(0)]],
        ["relu", "relu", "linear"],
    )
    box = [[F(-1), F(-1)], [F(1), F(-1)], [F(1), F(1)], [F(-1), F(1)]]
    part = partition(net, box)
    assert part.num_regions == regions_in_box(net, (-1, -1), (1, 1))
    assert sum(part.exact_areas) == 4 and _euler(part) == 1
    whole = partition(net)
    assert whole.num_regions == 6 and _euler(whole) == 1  # three lines through the origin


@given(rational_networks(input_dim=2, depth=st.integers(1, 3), width=st.integers(1, 4),
                         activations=("relu",)))
@settings(max_examples=40)
def test_whole_plane_relu_counts_never_exceed_the_upper_bounds(net):
    hidden = list(net.widths[1:-1])
    count = partition(net).num_regions
    serra = int(bounds.serra_upper_bound(hidden, 2))
    assert count <= serra <= int(bounds.montufar2017_upper_bound(hidden, 2))


@pytest.mark.parametrize("seed", range(6))
def test_random_relu_whole_plane_below_serra(seed):
    widths = [2, 6, 6, 6, 1]
    net = random_network(widths, "relu", sigma_w=2.0 ** 0.5, sigma_b=1.0, seed=seed)
    assert partition(net).num_regions <= int(bounds.serra_upper_bound(widths[1:-1], 2))


@pytest.mark.parametrize("widths", [[4, 4, 4], [5, 4], [6, 6, 4], [2, 2, 3]])
def test_folding_network_attains_montufar_bound_in_its_box(widths):
    """tests/reference_numbers.py: n0 = 2, widths (4, 4, 4) has 176 regions in its box,
    exactly Montufar et al.'s bound (the construction is tight); the whole plane has at
    least as many."""
    net, (lo, hi) = folding_network(widths, n0=2)
    box = box_polygon(lo, hi)
    bound = int(bounds.montufar_lower_bound(widths, 2))
    assert partition(net, box).num_regions == bound
    assert partition(net).num_regions >= bound
    if widths == [4, 4, 4]:
        assert bound == 176


# -- linear regions ---------------------------------------------------------------------------


def test_linear_regions_merge_regions_with_one_affine_map():
    """relu(x) - relu(x) is identically 0: two activation regions, one linear region;
    |x| = relu(x) + relu(-x) has two activation regions and two linear regions."""
    zero = Network([[[F(1), F(0)], [F(1), F(0)]], [[F(1), F(-1)]]], [[F(0), F(0)], [F(0)]],
                   ["relu", "linear"])
    part = partition(zero)
    assert (part.num_regions, part.num_linear_regions) == (2, 1)
    absval = Network([[[F(1), F(0)], [F(-1), F(0)]], [[F(1), F(1)]]], [[F(0), F(0)], [F(0)]],
                     ["relu", "linear"])
    assert partition(absval).num_linear_regions == 2


@given(two_input_rational)
@settings(max_examples=40)
def test_linear_regions_match_union_find_over_forward_passes(net):
    """Independent count: the affine map of each region from forward passes at three points
    of it, joined across shared edges by union-find."""
    part = partition(net, BOX)
    maps = []
    for r in part:
        c = _interior_point(r)
        v = r.vertices[0]
        pts = np.array([c, (c + v) / 2, (c + r.vertices[1]) / 2], dtype=object)
        y = net(pts)
        x = np.concatenate([pts, np.full((3, 1), F(1), dtype=object)], axis=1)
        # solve x @ T = y exactly (SymPy rational LU)
        T = sympy.Matrix(x.tolist()).LUsolve(sympy.Matrix(y.tolist()))
        maps.append(tuple(F(int(e.p), int(e.q)) for e in T))
    parent = list(range(part.num_regions))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in part.edge_regions.tolist():
        if a >= 0 and b >= 0 and maps[a] == maps[b]:
            parent[find(a)] = find(b)
    assert part.num_linear_regions == len({find(i) for i in range(part.num_regions)})


# -- plane slices -----------------------------------------------------------------------------


@given(rational_networks(input_dim=3, depth=st.integers(1, 2), width=st.integers(1, 4),
                         mixed=True), planes(3, exact=True, polygon=True))
@settings(max_examples=40)
def test_plane_slice_equals_the_restricted_two_input_network(net, plane):
    part = partition(net, plane)
    w1 = net.weights[0]
    d, o = plane.directions, plane.origin
    restricted = Network(
        [(w1 @ d.T).tolist()] + [w.tolist() for w in net.weights[1:]],
        [(w1 @ o + net.biases[0]).tolist()] + [b.tolist() for b in net.biases[1:]],
        [a.name for a in net.activations],
    )
    direct = partition(restricted, plane.polygon)
    assert part.num_regions == direct.num_regions
    assert sorted(map(bytes, np.concatenate(part.patterns, axis=1))) == sorted(
        map(bytes, np.concatenate(direct.patterns, axis=1)))
    pts = np.array([_interior_point(r) for r in part], dtype=object)
    assert (net(plane.to_input(pts)) == np.einsum(
        "rij,rj->ri", part.linear_maps.astype(object), pts) + part.offsets).all()


def test_plane_through_three_points_raghu_figure_3_setting():
    net = random_network([10, 4, 4, 4, 1], "relu", sigma_w=2.0 ** 0.5, sigma_b=1.0, seed=3)
    rng = np.random.default_rng(0)
    p0, p1, p2 = rng.normal(size=(3, 10))
    plane = Plane.through(p0, p1, p2, polygon=[[-2, -2], [3, -2], [3, 3], [-2, 3]])
    part = partition(net, plane)
    assert part.num_regions > 1 and _euler(part) == 1
    assert np.isclose(part.areas.sum(), 25.0, rtol=1e-12)
    # the points of the plane evaluate to the network's values through the maps
    c = np.array([_interior_point(r) for r in part], dtype=float)
    via_maps = np.einsum("rij,rj->ri", part.linear_maps, c) + part.offsets
    assert np.allclose(via_maps, net(plane.to_input(c)), rtol=1e-9, atol=1e-9)


# -- float-mode regressions (pinned counterexamples) ------------------------------------------


@pytest.mark.parametrize("far", [10.0, 1e3, 1e4, 1e5])
def test_float_maps_of_small_regions_far_from_the_origin_are_accurate(far):
    """Review counterexample: a constant output (1/3) over regions near (far, far) came out
    as two linear regions with offsets off by up to 1e-5 when maps were solved in raw
    coordinates; solved relative to a vertex of each region they are exact here."""
    net = Network([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.0, 0.0, 0.0]]],
                  [[-far, -far, -(2 * far + 0.1)], [1 / 3]], ["relu", "linear"])
    part = partition(net, exact=False)
    assert part.num_linear_regions == 1
    assert np.abs(part.offsets - 1 / 3).max() <= 1e-15
    assert np.abs(part.linear_maps).max() == 0


@pytest.mark.parametrize(
    "weights, biases, acts",
    [
        # the line x = 1e-4 was snapped away because another vertex lies at x = 1e8
        ([[[1, 0], [0, 1], [1, 0]], [[1, 0, 0]]], [[0, 0, -1e8], [-1e-4]], ["relu", "relu"]),
        # a leaky-ReLU chain with a breakpoint near x = 8.6e9
        ([[[-1, 0]], [[1.5], [0]], [[-.5, 1.5], [1.5, 0], [0, 0]], [[0, .5, 0], [0, .5, 0]],
          [[1, 1], [0, 0], [-2, 0], [0, 0]], [[2, 1, -.5, -1], [1, 3, 0, 1.5]]],
         [[-1], [0, 0], [0, -1, .5], [3, 3], [0, -2, 1, 1], [0, -.5]],
         ["leaky_relu"] * 5 + ["hardtanh"]),
    ],
    ids=["far-vertex", "leaky-chain"],
)
def test_float_snapping_is_relative_to_each_vertex_not_the_farthest(weights, biases, acts):
    """Review counterexamples: with one global rounding scale, a vertex far away made every
    vertex's snapping tolerance large and real regions vanished (6 of 8, 8 of 9)."""
    net = Network([np.array(w, dtype=float) for w in weights],
                  [np.array(b, dtype=float) for b in biases], acts)
    fl, ex = partition(net, exact=False), partition(net, exact=True)
    assert fl.num_regions == ex.num_regions
    assert _pattern_set(fl) == _pattern_set(ex)


@pytest.mark.parametrize("seed", range(3))
def test_float_box_around_every_vertex_has_the_whole_plane_regions(seed):
    """Benchmark counterexample: in a box holding every vertex (corners far out, ~1e5), the
    regions are the whole plane's; with one tolerance scaled by the corners, float mode lost
    tiny regions near the origin."""
    net = random_network([2, 40, 40, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
    whole = partition(net)
    finite = whole.points[~whole.at_infinity]
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    c, h = (lo + hi) / 2, (hi - lo) / 2 * 1.1 + 1.0
    box = [[c[0] - h[0], c[1] - h[1]], [c[0] + h[0], c[1] - h[1]], [c[0] + h[0], c[1] + h[1]],
           [c[0] - h[0], c[1] + h[1]]]
    part = partition(net, box)
    assert part.num_regions == whole.num_regions and _pattern_set(part) == _pattern_set(whole)
