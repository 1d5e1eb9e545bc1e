"""Group maxima (maxout, max pooling) in the n-dimensional partition (issue 13): the planar
engine at n0 = 2, the independent LP oracle (tests/oracle_nd.py) at n0 = 3 and 4, closed
forms (Voronoi diagrams as maxout units, products of them), degenerate ties in exact mode,
float against exact, located points against a plain forward pass, and a PyTorch max-pool
convolution."""

from __future__ import annotations

from fractions import Fraction
from itertools import product as iproduct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import Box, GraphBuilder, Network, Polytope, Slice, partition
from regions.polyhedral import polyhedral_partition

from .oracle_nd import OracleND, assert_agrees

F = Fraction


# -- networks: one spec, read by the oracle and (through GraphBuilder) by the library -------


class _Act:
    def __init__(self, name, groups=None):
        self.name, self.groups = name, groups


class Spec:
    """Layers ``(W, b, activation)``: an activation name, or ``"max"`` with groups (rows of
    positions of the layer's pre-activation)."""

    def __init__(self, layers):
        self.weights = [np.asarray(w) for w, _, _ in layers]
        self.biases = [np.asarray(b) for _, b, _ in layers]
        self.activations = [a if isinstance(a, _Act) else _Act(a) for _, _, a in layers]

    @property
    def input_size(self):
        return self.weights[0].shape[1]

    def graph(self, exact=False):
        conv = (lambda v: F(v) if not isinstance(v, F) else v) if exact else float
        b = GraphBuilder((self.input_size,))
        h = b.input
        for w, bias, act in zip(self.weights, self.biases, self.activations):
            w = np.array([[conv(v) for v in row] for row in w.tolist()], dtype=object if exact
                         else float)
            bias = np.array([conv(v) for v in bias.tolist()], dtype=object if exact else float)
            h = b.dense(h, w, bias)
            if act.name == "max":
                h = b.group_max(h, np.asarray(act.groups, dtype=np.int64))
            elif act.name != "linear":
                h = b.activation(h, act.name)
        return b.build(h)

    def forward(self, x):
        """(codes of the non-linear layers, output) at a float point: a plain forward pass
        (first maximum on ties; a value at 0 is below, the library's tie rule)."""
        z = np.asarray(x, dtype=float)
        codes = []
        for w, bias, act in zip(self.weights, self.biases, self.activations):
            h = np.asarray(w, dtype=float) @ z + np.asarray(bias, dtype=float)
            if act.name == "max":
                first = [int(np.argmax(h[np.asarray(g)])) for g in act.groups]
                codes += first
                z = np.array([h[g[a]] for g, a in zip(act.groups, first)])
            elif act.name == "relu":
                codes += [int(v > 0) for v in h]
                z = np.maximum(h, 0)
            elif act.name == "abs":
                codes += [int(v > 0) for v in h]
                z = np.abs(h)
            else:
                z = h
        return tuple(codes), z


def maxout_spec(rng, widths, rank, tail="relu"):
    """Maxout layers of the given widths (units), each of ``rank`` pieces, then a ``tail``
    layer of 2 neurons (``None``: no tail) and a linear output."""
    layers, n = [], widths[0]
    for units in widths[1:]:
        layers.append((rng.normal(size=(units * rank, n)), rng.normal(size=units * rank),
                       _Act("max", np.arange(units * rank).reshape(units, rank))))
        n = units
    if tail is not None:
        layers.append((rng.normal(size=(2, n)), rng.normal(size=2), tail))
        n = 2
    layers.append((rng.normal(size=(1, n)), np.zeros(1), "linear"))
    return Spec(layers)


def pool_spec(rng, n0=2, tail=True):
    """dense (8) -> ReLU -> max pooling of 2 x 2 windows of two 2 x 2 channels -> (with
    ``tail``: dense -> abs ->) linear."""
    eye = np.eye(8)
    layers = [(rng.normal(size=(8, n0)), rng.normal(size=8), "relu"),
              (eye, np.zeros(8), _Act("max", [[0, 1, 2, 3], [4, 5, 6, 7]]))]
    if tail:
        layers.append((rng.normal(size=(3, 2)), rng.normal(size=3), "abs"))
    layers.append((rng.normal(size=(1, 3 if tail else 2)), np.zeros(1), "linear"))
    return Spec(layers)


def _pool_graph(spec):
    """The same network as :func:`pool_spec`, with the library's max pooling node."""
    b = GraphBuilder((spec.input_size,))
    h = b.dense(b.input, spec.weights[0], spec.biases[0])
    h = b.activation(h, "relu")
    h = b.flatten(b.max_pool(b.reshape(h, (2, 2, 2)), 2))
    if len(spec.weights) == 4:
        h = b.activation(b.dense(h, spec.weights[2], spec.biases[2]), "abs")
    return b.build(b.dense(h, spec.weights[-1], spec.biases[-1]))


def _keys(part, spec):
    """One tuple of codes (non-linear layers only) per region."""
    pats = list(part.patterns)
    if spec.activations[-1].name == "linear":
        pats = pats[:-1]
    if not pats:
        return [()] * part.num_regions
    return [tuple(int(v) for v in row) for row in np.concatenate(pats, axis=1).tolist()]


def _oracle_keys(oracle, spec):
    keep = [a.name != "linear" for a in spec.activations]
    return [tuple(c for layer, k in zip(r.pattern, keep) if k for c in layer)
            for r in oracle.regions]


def _cube(n, r=2):
    return Box([-r] * n, [r] * n)


# -- n0 = 2: the planar engine ----------------------------------------------------------------


def _planar_agrees(got, planar, spec):
    assert got.num_regions == planar.num_regions
    keys, want = _keys(got, spec), _keys(planar, spec)
    assert sorted(keys) == sorted(want)
    flag = dict(zip(want, planar.bounded.tolist()))
    assert [flag[k] for k in keys] == np.asarray(got.bounded, dtype=bool).tolist()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["maxout", "pool"])
def test_two_inputs_equal_the_planar_partition(seed, kind):
    """Regions, patterns and bounded flags in a box and in the whole plane, float and exact;
    in the box (exact) every region's vertices are the planar polygon's."""
    rng = np.random.default_rng(seed)
    if kind == "maxout":
        spec = maxout_spec(rng, [2, 3], 3, tail="abs" if seed % 2 else "relu")
        graphs = [spec.graph(), spec.graph(exact=True)]
    else:
        spec = pool_spec(rng)
        graphs = [_pool_graph(spec), _pool_graph(spec).convert(True)]
    for g in graphs:
        planar = partition(g, _cube(2))
        got = polyhedral_partition(g, _cube(2))
        _planar_agrees(got, planar, spec)
        _planar_agrees(polyhedral_partition(g), partition(g), spec)
    exact = polyhedral_partition(graphs[1], _cube(2))
    planar = partition(graphs[1], _cube(2))
    where = {k: i for i, k in enumerate(_keys(planar, spec))}
    for i, k in enumerate(_keys(exact, spec)):
        mine = {tuple(v) for v in exact.region(i).vertices.tolist()}
        theirs = {tuple(v) for v in planar.region(where[k]).vertices.tolist()}
        assert mine == theirs
    assert sum(exact.volumes) == 16


# -- n0 = 3, 4: the LP oracle -----------------------------------------------------------------


def _agrees_with_oracle(part, oracle, spec, total=None):
    assert_agrees(part, oracle, _keys(part, spec), _oracle_keys(oracle, spec), total)


@pytest.mark.parametrize("n0,widths,rank,seed", [
    (3, [3, 3], 3, 0), (3, [3, 2], 4, 1), (3, [3, 2, 2], 2, 2), (4, [4, 2], 3, 3),
    (4, [4, 3], 2, 4), (4, [4, 4], 2, 5), (3, [3, 3, 2], 2, 6),
])
@pytest.mark.parametrize("where", ["whole", "box"])
def test_maxout_nets_agree_with_the_lp_oracle(n0, widths, rank, seed, where):
    """Count, patterns, bounded flags, adjacency and (box) volumes."""
    rng = np.random.default_rng(100 + seed)
    spec = maxout_spec(rng, widths, rank, tail="relu" if seed % 2 else None)
    g = spec.graph()
    if where == "whole":
        _agrees_with_oracle(partition(g), OracleND(spec), spec)
    else:
        _agrees_with_oracle(partition(g, _cube(n0)), OracleND(spec, box=([-2] * n0, [2] * n0)),
                            spec, 4.0 ** n0)


def test_a_polytope_and_a_slice_agree_with_the_lp_oracle():
    """A maxout net in the cross-polytope |x|_1 <= 2 of R^3, and a 3-D slice (in a box) of
    a five-input maxout net."""
    rng = np.random.default_rng(11)
    spec = maxout_spec(rng, [3, 3], 3, tail="relu")
    A = np.array(list(iproduct([-1.0, 1.0], repeat=3)))
    b = np.full(len(A), 2.0)
    _agrees_with_oracle(partition(spec.graph(), Polytope(A, b)),
                        OracleND(spec, polytope=(A, b)), spec, 4.0 ** 3 / 6)
    spec = maxout_spec(rng, [5, 3], 2, tail="relu")
    origin = rng.normal(size=5)
    dirs = rng.normal(size=(3, 5))
    part = partition(spec.graph(), Slice(origin, dirs, domain=_cube(3, 1)))
    oracle = OracleND(spec, box=([-1] * 3, [1] * 3), origin=origin, directions=dirs)
    _agrees_with_oracle(part, oracle, spec, 8.0)


@pytest.mark.parametrize("n0", [3, 4])
def test_max_pooling_agrees_with_the_lp_oracle(n0):
    rng = np.random.default_rng({3: 10, 4: 3}[n0])  # (78 regions in 4-D: the oracle's cost)
    spec = pool_spec(rng, n0, tail=False)
    _agrees_with_oracle(partition(_pool_graph(spec), _cube(n0, 1)),
                        OracleND(spec, box=([-1] * n0, [1] * n0)), spec, 2.0 ** n0)


@pytest.mark.parametrize("whole", [True, False])
def test_padded_max_pooling_agrees_with_the_lp_oracle(whole):
    """Max pooling with padding (windows of one real entry and -1 padding) after a ReLU
    layer, n0 = 3: windows written by hand for the oracle."""
    rng = np.random.default_rng(21)
    W1, c1 = rng.normal(size=(6, 3)), rng.normal(size=6)
    W2 = rng.normal(size=(1, 4))
    b = GraphBuilder((3,))
    h = b.activation(b.dense(b.input, W1, c1), "relu")
    h = b.max_pool(b.reshape(h, (2, 3)), 2, stride=2, padding=1)
    g = b.build(b.dense(b.flatten(h), W2))
    spec = Spec([(W1, c1, "relu"), (np.eye(6), np.zeros(6), _Act("max", [[0, -1], [1, 2],
                                                                         [3, -1], [4, 5]])),
                 (W2, np.zeros(1), "linear")])
    if whole:
        _agrees_with_oracle(partition(g), OracleND(spec), spec)
    else:
        _agrees_with_oracle(partition(g, _cube(3)), OracleND(spec, box=([-2] * 3, [2] * 3)),
                            spec, 64.0)


# -- closed forms -----------------------------------------------------------------------------


def _voronoi_unit(sites, n0, coords):
    """Pieces <s, x> - |s|^2 / 2 on the coordinates ``coords`` of x: the maximum is attained
    by the nearest site, so each piece is the maximum exactly on its Voronoi cell (nonempty:
    it holds its site); rows (Fractions) and offsets."""
    rows, offs = [], []
    for s in sites:
        row = [F(0)] * n0
        for c, v in zip(coords, s):
            row[c] = F(v)
        rows.append(row)
        offs.append(-sum(F(v) ** 2 for v in s) / 2)
    return rows, offs


def _units_spec(units, n0):
    """A layer of maxout units (sites, coordinates) and their sum as output."""
    rows, offs, groups, pos = [], [], [], 0
    for sites, coords in units:
        r, o = _voronoi_unit(sites, n0, coords)
        rows += r
        offs += o
        groups.append(list(range(pos, pos + len(sites))))
        pos += len(sites)
    k = max(len(g) for g in groups)
    groups = [g + [-1] * (k - len(g)) for g in groups]
    W = np.array(rows, dtype=object)
    return Spec([(W, np.array(offs, dtype=object), _Act("max", groups)),
                 (np.array([[F(1)] * len(units)], dtype=object), np.array([F(0)], dtype=object),
                  "linear")])


def _simplex_and_centre(n):
    """The n + 1 vertices of a simplex in R^n (0 and the unit vectors) and its centroid:
    n + 2 Voronoi cells, of which only the centroid's is bounded."""
    pts = [[F(0)] * n] + [[F(int(i == j)) for j in range(n)] for i in range(n)]
    centre = [sum(p[j] for p in pts) / (n + 1) for j in range(n)]
    return pts + [centre]


@pytest.mark.parametrize("n0", [2, 3, 4, 5])
@pytest.mark.parametrize("exact", [True, False])
def test_one_maxout_unit_of_rank_k_has_k_regions(n0, exact):
    """A single unit whose pieces are Voronoi cells: k regions in R^n0 (whole space), one of
    them bounded, each with its own piece; in a box holding every site, k regions too."""
    sites = _simplex_and_centre(n0)
    k = len(sites)
    spec = _units_spec([(sites, list(range(n0)))], n0)
    g = spec.graph(exact=True)
    whole = polyhedral_partition(g, exact=exact)
    assert whole.num_regions == k
    assert sorted(_keys(whole, spec)) == [(a,) for a in range(k)]
    assert np.asarray(whole.bounded, dtype=bool).tolist() == [a == k - 1 for a in
                                                             (p for (p,) in _keys(whole, spec))]
    assert whole.adjacency.shape[0] == k * (k - 1) // 2  # every pair of cells shares a facet
    box = polyhedral_partition(g, Box([F(-1)] * n0, [F(2)] * n0), exact=exact)
    assert box.num_regions == k
    if exact:
        assert sum(box.volumes) == 3 ** n0
        # the bounded cell's facets: one per other site (its bisector)
        i = next(r for r, (p,) in enumerate(_keys(whole, spec)) if p == k - 1)
        assert whole.region(i).A.shape == (k - 1, n0)


@pytest.mark.parametrize("n0,split", [(3, (2, 1)), (4, (2, 2)), (4, (3, 1)), (5, (2, 3))])
def test_units_on_disjoint_coordinates_multiply(n0, split):
    """Two units on disjoint coordinates: the partition is the product of their Voronoi
    diagrams, k1 k2 regions (whole space and a box holding every site)."""
    a, b = split
    s1 = _simplex_and_centre(a) if a > 1 else [[F(0)], [F(1)], [F(3)]]
    s2 = _simplex_and_centre(b) if b > 1 else [[F(0)], [F(1)], [F(3)]]
    spec = _units_spec([(s1, list(range(a))), (s2, list(range(a, a + b)))], n0)
    g = spec.graph(exact=True)
    for exact in (True, False):
        whole = partition(g, exact=exact)
        assert whole.num_regions == len(s1) * len(s2)
        assert sorted(_keys(whole, spec)) == sorted(iproduct(range(len(s1)), range(len(s2))))
        assert int(np.sum(whole.bounded)) == 1  # the centroid's cell (the middle interval)
        box = partition(g, Box([F(-1)] * n0, [F(4)] * n0), exact=exact)
        assert box.num_regions == len(s1) * len(s2)


# -- degenerate ties (exact) ------------------------------------------------------------------


@pytest.mark.parametrize("n0", [2, 3, 4])
def test_identical_pieces_the_first_wins(n0):
    """A unit whose pieces repeat (a site twice): the regions are the distinct sites' cells,
    the pattern names the first copy; no region for a later copy."""
    sites = _simplex_and_centre(n0)
    dup = [sites[0], sites[1], sites[0], sites[2], sites[1]] + sites[3:]
    spec = _units_spec([(dup, list(range(n0)))], n0)
    g = spec.graph(exact=True)
    for dom in (None, Box([F(-1)] * n0, [F(2)] * n0)):
        part = polyhedral_partition(g, dom, exact=True)
        assert part.num_regions == len(sites)
        assert sorted(k for (k,) in _keys(part, spec)) == [0, 1, 3] + list(range(5, len(dup)))
        if dom is not None:
            assert sum(part.volumes) == 3 ** n0
            for i in range(part.num_regions):  # every vertex where its pattern says
                reg = part.region(i)
                assert reg.vertices.shape[0] >= n0 + 1
    if n0 == 2:
        _planar_agrees(polyhedral_partition(g, _cube(2)), partition(g, _cube(2)), spec)


@pytest.mark.parametrize("n0", [3, 4])
def test_concurrent_pieces_and_a_central_arrangement(n0):
    """Pieces <s, x> with the sites on the coordinate axes, +-e_i: every cell is a cone at
    the origin (all 2 n0 pieces meet there), and the count is 2 n0; then a second layer
    through the same point."""
    sites = [[F(int(i == j)) * sgn for j in range(n0)] for i in range(n0) for sgn in (1, -1)]
    W = np.array(sites, dtype=object)
    spec = Spec([(W, np.array([F(0)] * len(sites), dtype=object),
                  _Act("max", [list(range(len(sites)))])),
                 (np.array([[F(1)]], dtype=object), np.array([F(0)], dtype=object), "linear")])
    g = spec.graph(exact=True)
    part = partition(g, exact=True)
    assert part.num_regions == 2 * n0
    assert not np.any(part.bounded)
    box = partition(g, Box([F(-1)] * n0, [F(1)] * n0), exact=True)
    assert box.num_regions == 2 * n0
    assert sum(box.volumes) == 2 ** n0
    assert all(v == F(2 ** n0, 2 * n0) for v in box.volumes)  # the cube's 2 n0 pyramids


@pytest.mark.parametrize("n0", [3, 4])
def test_a_central_maxout_layer_with_repeated_pieces_against_the_oracle(n0):
    """Every piece through the origin (integer weights, no bias: all the tournament's
    hyperplanes meet at one point, several coincide), groups sharing pieces, a repeated
    piece; exact, and float (the whole space starts from cones of the first round's walls,
    pinned exactly), against the LP oracle."""
    rng = np.random.default_rng(n0)
    base = rng.integers(-2, 3, size=(4, n0))
    W = np.concatenate([base, base[[1, 0, 2, 2]], rng.integers(-2, 3, size=(4, n0))])
    units = W.shape[0] // 2
    Wf = np.vectorize(F, otypes=[object])(W)
    spec = Spec([(Wf, np.array([F(0)] * W.shape[0], dtype=object),
                  _Act("max", np.arange(W.shape[0]).reshape(units, 2))),
                 (np.array([[F(1)] * units], dtype=object), np.array([F(0)], dtype=object),
                  "linear")])
    g = spec.graph(exact=True)
    oracle = OracleND(Spec([(W.astype(float), np.zeros(W.shape[0]), spec.activations[0]),
                            (np.ones((1, units)), np.zeros(1), "linear")]))
    for exact in (True, False):
        _agrees_with_oracle(partition(g, exact=exact), oracle, spec)


@st.composite
def _small_integer_maxout(draw, n0):
    """A maxout layer with small integer weights (many ties, coincident and concurrent
    walls, repeated pieces), then a ReLU layer: exact arithmetic's degenerate cases."""
    rank = draw(st.integers(2, 3))
    units = draw(st.integers(1, 3))
    ints = st.integers(-2, 2)
    W1 = np.array(draw(st.lists(st.lists(ints, min_size=n0, max_size=n0),
                                min_size=units * rank, max_size=units * rank)))
    c1 = np.array(draw(st.lists(ints, min_size=units * rank, max_size=units * rank)))
    W2 = np.array(draw(st.lists(st.lists(ints, min_size=units, max_size=units),
                                min_size=2, max_size=2)))
    c2 = np.array(draw(st.lists(ints, min_size=2, max_size=2)))
    fr = np.vectorize(F, otypes=[object])
    return Spec([(fr(W1), fr(c1), _Act("max", np.arange(units * rank).reshape(units, rank))),
                 (fr(W2), fr(c2), "relu"),
                 (np.array([[F(1), F(-1)]], dtype=object), np.array([F(0)], dtype=object),
                  "linear")])


@given(_small_integer_maxout(2))
@settings(max_examples=40, deadline=None)
def test_degenerate_integer_nets_in_the_plane_equal_the_planar_engine(spec):
    """Exact: the n-D engine at n0 = 2 against the planar engine (regions, patterns,
    bounded flags, every region's vertices), in a box and in the whole plane."""
    g = spec.graph(exact=True)
    box = Box([F(-2), F(-2)], [F(3), F(2)])
    got, planar = polyhedral_partition(g, box, exact=True), partition(g, box, exact=True)
    _planar_agrees(got, planar, spec)
    where = {k: i for i, k in enumerate(_keys(planar, spec))}
    for i, k in enumerate(_keys(got, spec)):
        assert ({tuple(v) for v in got.region(i).vertices.tolist()}
                == {tuple(v) for v in planar.region(where[k]).vertices.tolist()})
    assert sum(got.volumes) == 20
    # the whole plane: against the planar engine, and patterns against a forward pass
    whole = polyhedral_partition(g, exact=True)
    _planar_agrees(whole, partition(g, exact=True), spec)
    pts = np.random.default_rng(0).uniform(-5, 5, size=(20, 2))
    idx = whole.locate(pts)
    assert np.all(idx >= 0)
    keys = _keys(whole, spec)
    assert all(keys[i] == spec.forward(x)[0] for i, x in zip(idx.tolist(), pts))


def _constant_unit():
    b = GraphBuilder((2,))
    return b.build(b.maxout(b.dense(b.input, np.zeros((2, 2)), np.array([0.0, 1.0])), 2))


@pytest.mark.parametrize("exact", [True, False])
def test_whole_plane_constant_group_argmax_nd(exact):
    """Pinned (found by the hypothesis test above): a maxout unit of two constant pieces
    0 and 1 on the whole plane: one region, argmax the second piece, where a point is."""
    part = polyhedral_partition(_constant_unit(), exact=exact)
    assert part.num_regions == 1 and part.patterns[0].tolist() == [[1]]
    assert part.locate([[0.3, 0.2]]).tolist() == [0]


@pytest.mark.parametrize("exact", [True, False])
def test_planar_whole_plane_constant_group_argmax(exact):
    """Pinned (found by the hypothesis test above): the planar engine read the uncut
    plane's argmax at its directions only, where constant pieces all tie, and took the
    first (pattern [[0]], and locate() found no region for a point)."""
    part = partition(_constant_unit(), exact=exact)
    assert part.patterns[0].tolist() == [[1]]
    assert part.locate([[0.3, 0.2]]).tolist() == [0]


@given(_small_integer_maxout(3), st.integers(0, 2**31))
@settings(max_examples=25, deadline=None)
def test_degenerate_integer_nets_in_three_dimensions(spec, seed):
    """Exact, n0 = 3: the volumes fill the box exactly, random points are located in a
    region whose pattern is the forward pass's, each region's vertices satisfy its facets
    and float agrees where it answers."""
    g = spec.graph(exact=True)
    box = Box([F(-2)] * 3, [F(2)] * 3)
    part = partition(g, box, exact=True)
    assert sum(part.volumes) == 64
    pts = np.random.default_rng(seed).uniform(-2, 2, size=(30, 3))
    idx = part.locate(pts)
    assert np.all(idx >= 0)
    keys = _keys(part, spec)
    for i, x in zip(idx.tolist(), pts):
        assert keys[i] == spec.forward(x)[0]
    for i in range(min(part.num_regions, 6)):
        reg = part.region(i)
        assert np.all(reg.vertices @ reg.A.T <= reg.b)
        assert reg.vertices.shape[0] >= 4
    whole = partition(g, exact=True)
    assert whole.num_regions >= 1
    assert np.all(whole.locate(pts) >= 0)


def test_rank_two_maxout_equals_its_relu_twin():
    """max(f1, f2) = f2 + relu(f1 - f2): the regions of a rank-2 maxout layer and of its
    elementwise twin are the same sets (counts and volumes, exact), in R^3."""
    rng = np.random.default_rng(5)
    n0, units = 3, 4
    w = rng.integers(-3, 4, size=(2 * units, n0))
    c = rng.integers(-2, 3, size=2 * units)
    out = rng.integers(-3, 4, size=(2, units))
    Fr = np.vectorize(F, otypes=[object])
    w, c, out = Fr(w), Fr(c), Fr(out)
    a = GraphBuilder((n0,))
    maxout = a.build(a.dense(a.maxout(a.dense(a.input, w, c), 2), out))
    diff, base = w[0::2] - w[1::2], w[1::2]
    b = GraphBuilder((n0,))
    r = b.activation(b.dense(b.input, diff, c[0::2] - c[1::2]), "relu")
    lin = b.dense(b.input, base, c[1::2])
    twin = b.build(b.dense(b.add(r, lin), out))
    for dom in (None, Box([F(-2)] * n0, [F(2)] * n0)):
        p, q = partition(maxout, dom, exact=True), partition(twin, dom, exact=True)
        assert p.num_regions == q.num_regions
        assert p.num_linear_regions == q.num_linear_regions
        if dom is not None:
            assert sorted(p.volumes) == sorted(q.volumes)


# -- float against exact, points against a forward pass ---------------------------------------


@given(st.integers(0, 10**6), st.sampled_from([3, 4]), st.sampled_from([2, 3]),
       st.booleans())
@settings(max_examples=12, deadline=None)
def test_float_equals_exact_on_generic_nets(seed, n0, rank, whole):
    rng = np.random.default_rng(seed)
    spec = maxout_spec(rng, [n0, 2, 2], rank, tail="relu")
    g = spec.graph()
    dom = None if whole else _cube(n0)
    fl, ex = partition(g, dom, exact=False), partition(g, dom, exact=True)
    assert fl.num_regions == ex.num_regions
    assert sorted(_keys(fl, spec)) == sorted(_keys(ex, spec))
    assert np.array_equal(np.asarray(fl.bounded)[np.argsort(_sort_index(fl, spec))],
                          np.asarray(ex.bounded)[np.argsort(_sort_index(ex, spec))])
    if not whole:
        fv = np.array([float(v) for v in fl.volumes])[np.argsort(_sort_index(fl, spec))]
        ev = np.array([float(v) for v in ex.volumes])[np.argsort(_sort_index(ex, spec))]
        assert np.allclose(fv, ev, rtol=1e-8, atol=1e-12)


def _sort_index(part, spec):
    keys = _keys(part, spec)
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


@pytest.mark.parametrize("n0,seed", [(3, 0), (3, 1), (4, 2)])
@pytest.mark.parametrize("whole", [True, False])
def test_located_points_have_their_regions_pattern_and_map(n0, seed, whole):
    """Random points: the located region's pattern is the forward pass's, its affine map
    gives the network's output there, and the point satisfies the region's facets."""
    rng = np.random.default_rng(seed)
    spec = maxout_spec(rng, [n0, 3, 2], 3, tail="abs")
    g = spec.graph()
    part = partition(g, None if whole else _cube(n0))
    pts = rng.uniform(-2, 2, size=(200, n0))
    idx = part.locate(pts)
    assert np.all(idx >= 0)
    keys = _keys(part, spec)
    for i, x in zip(idx.tolist()[:60], pts[:60]):
        code, out = spec.forward(x)
        assert keys[i] == code
        assert np.allclose(part.linear_maps[i] @ x + part.offsets[i], out, atol=1e-9)
        reg = part.region(i)
        assert np.all(reg.A @ x <= reg.b + 1e-9)


# -- a PyTorch max-pool convolution -----------------------------------------------------------


def test_torch_max_pool_conv_net_in_four_dimensions():
    """Conv1d -> ReLU -> MaxPool1d -> Linear on a length-4 signal (n0 = 4), imported with
    from_torch, against the LP oracle on the same weights (the convolution densified by
    torch itself on the unit vectors)."""
    torch = pytest.importorskip("torch")
    from torch import nn

    from regions import from_torch

    torch.manual_seed(3)
    conv = nn.Conv1d(1, 2, 2)
    lin = nn.Linear(2, 1)
    model = nn.Sequential(conv, nn.ReLU(), nn.MaxPool1d(2), nn.Flatten(), lin).double().eval()
    g = from_torch(model, torch.zeros(1, 1, 4, dtype=torch.float64))
    with torch.no_grad():
        eye = torch.eye(4, dtype=torch.float64).reshape(4, 1, 4)
        bias = conv(torch.zeros(1, 1, 4, dtype=torch.float64)).reshape(-1).numpy()
        W = conv(eye).reshape(4, -1).numpy().T - bias[:, None]  # (6, 4)
        Wl, bl = lin.weight.numpy().copy(), lin.bias.numpy().copy()
    spec = Spec([(W, bias, "relu"),
                 (np.eye(6), np.zeros(6), _Act("max", [[0, 1], [3, 4]])),
                 (Wl, bl, "linear")])
    part = partition(g, _cube(4))
    _agrees_with_oracle(part, OracleND(spec, box=([-2] * 4, [2] * 4)), spec, 4.0 ** 4)
    exact = partition(g, _cube(4), exact=True)
    assert exact.num_regions == part.num_regions
    assert sum(exact.volumes) == 256
    pts = np.random.default_rng(0).uniform(-2, 2, size=(50, 4))
    with torch.no_grad():
        want = model(torch.tensor(pts).reshape(50, 1, 4)).numpy()
    idx = part.locate(pts)
    got = np.einsum("roi,ri->ro", part.linear_maps[idx], pts) + part.offsets[idx]
    assert np.allclose(got, want, atol=1e-9)


# -- the benchmark script runs ----------------------------------------------------------------


def test_the_benchmark_runs_quick():
    """benchmarks/partition_nd_max.py --quick: every rank-2 maxout net has its ReLU twin's
    regions."""
    from .scripts import load

    rows = load("benchmarks/partition_nd_max.py").main(["--quick", "--repeats", "1"])
    assert rows and all(r["twin_regions"] in (None, r["regions"]) for r in rows)
    assert all(r["cells"] >= r["regions"] for r in rows)


# -- no regression: a dense Network keeps its answer --------------------------------------------


def test_dense_networks_unchanged():
    net = Network([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 1]]], [[0, 0, 0], [0]], "relu")
    assert partition(net).num_regions == 8
