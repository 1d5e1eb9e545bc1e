"""Graphs of operations: operators against naive loops, engines against forward passes and
brute force, float against exact, and the errors of the representation."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds import serra_maxout_upper_bound
from regions import (
    Arc, Graph, GraphBuilder, Line, Network, Plane, Segment, as_graph, partition, sample_trace,
    trace,
)
from regions.activations import hardtanh, leaky_relu
from regions.graph import Affine, Elementwise, GroupMax, Input, compose_input
from regions.operators import AveragePool, ChannelScale, Conv, Dense

F = Fraction


# -- independent oracles ---------------------------------------------------------------------


def naive_conv(x, kernel, stride, padding, dilation, groups):
    """Cross-correlation by explicit loops over one example (channels, *spatial)."""
    cout, cin_g = kernel.shape[:2]
    ksize, spatial = kernel.shape[2:], x.shape[1:]
    out_sp = [(s + 2 * p - d * (k - 1) - 1) // st + 1
              for s, k, st, p, d in zip(spatial, ksize, stride, padding, dilation)]
    y = np.zeros((cout, *out_sp), dtype=x.dtype)
    if x.dtype == object:
        y[...] = F(0)
    per_group = cout // groups
    for o in range(cout):
        g = o // per_group
        for pos in itertools.product(*[range(n) for n in out_sp]):
            acc = y[(o, *pos)]
            for c in range(cin_g):
                for k in itertools.product(*[range(n) for n in ksize]):
                    src = [p_ * st - pd + kk * d for p_, st, pd, kk, d in
                           zip(pos, stride, padding, k, dilation)]
                    if all(0 <= s_ < n for s_, n in zip(src, spatial)):
                        acc = acc + kernel[(o, c, *k)] * x[(g * cin_g + c, *src)]
            y[(o, *pos)] = acc
    return y


def naive_dense(op):
    """The matrix of an operator built without the operator's own apply: loops for a
    convolution, the definition for the others."""
    if isinstance(op, Conv):
        cols = []
        for i in range(op.in_size):
            e = np.zeros(op.in_size, dtype=object)
            e[...] = F(0)
            e[i] = F(1)
            cols.append(naive_conv(e.reshape(op.in_shape), op.kernel.astype(object), op.stride,
                                   op.padding, op.dilation, op.groups).reshape(-1))
        return np.stack(cols, axis=1)
    if isinstance(op, Dense):
        return op.matrix
    if isinstance(op, ChannelScale):
        return np.diag(np.repeat(op.scale, op.in_size // op.in_shape[0]))
    m = np.zeros((op.out_size, op.in_size), dtype=object)
    m[...] = F(0)
    c, s = op.in_shape[0], op.in_size // op.in_shape[0]
    for ch in range(c):
        for l, (row, wrow) in enumerate(zip(op.index, op.weights)):
            for i, w in zip(row, wrow):
                if i >= 0:
                    m[ch * op.index.shape[0] + l, ch * s + i] += w
    return m


def node_values(graph: Graph, x: np.ndarray) -> dict:
    """Every node's value at the rows ``x``, node by node with dense matrices from
    :func:`naive_dense` (no code shared with the engines' lowering)."""
    env = {graph.input.name: x}
    for n in graph.nodes[1:]:
        xs = [env[i] for i in n.inputs]
        if isinstance(n, Affine):
            m = naive_dense(n.op)
            v = xs[0] @ (m if x.dtype == object else m.astype(float)).T
            env[n.name] = v if n.bias is None else v + n.bias
        elif isinstance(n, Elementwise):
            env[n.name] = n.activation(xs[0])
        elif isinstance(n, GroupMax):
            env[n.name] = np.stack([xs[0][:, [i for i in g if i >= 0]].max(axis=1)
                                    for g in n.groups], axis=1)
        elif n.kind == "Add":
            env[n.name] = sum(xs[1:], xs[0])
        elif n.kind == "Concat":
            env[n.name] = np.concatenate(xs, axis=1)[:, n.order]
        else:
            env[n.name] = xs[0]
    return env


def pieces_are_linear(graph: Graph, tr, x0, x1) -> None:
    """Oracle for an exact trace: on every piece each piecewise-linear node stays on the
    linear piece its pattern names (checked at both ends, so by linearity on the whole
    piece), and neighbouring pieces differ in pattern."""
    exact_graph = graph.convert(True)
    x0 = np.array([F(v) for v in x0], dtype=object)
    x1 = np.array([F(v) for v in x1], dtype=object)
    edges = tr.edges
    ends = np.stack([x0 + F(t) * (x1 - x0) for t in edges])
    env = node_values(exact_graph, ends)
    pl = [n for n in exact_graph.nodes if isinstance(n, (Elementwise, GroupMax))]
    for layer, n in zip(tr.patterns, pl):
        h = env[n.inputs[0]]
        for side in (0, 1):
            vals = h[side: side + len(edges) - 1]
            if isinstance(n, GroupMax):
                groups = np.where(n.groups >= 0, n.groups, n.groups[:, :1])
                chosen = vals[np.arange(len(vals))[:, None], groups[np.arange(len(groups)),
                                                                    layer.astype(int)]]
                cand = vals[:, groups]
                assert np.all(cand <= chosen[:, :, None])
            else:
                act = n.activation
                idx = np.array([act.codes.index(c) for c in layer.reshape(-1)]).reshape(
                    layer.shape)
                lo = np.array([-math.inf] + list(act.thresholds), dtype=object)[idx]
                hi = np.array(list(act.thresholds) + [math.inf], dtype=object)[idx]
                assert np.all((lo <= vals) & (vals <= hi))
    rows = np.concatenate([p.astype(np.int64) for p in tr.patterns], axis=1)
    assert np.all(np.any(rows[1:] != rows[:-1], axis=1))


# -- graphs to test ----------------------------------------------------------------------------


def conv_chain(rng, exact=False):
    b = GraphBuilder((2, 5))
    h = b.conv(b.input, rng.normal(size=(3, 2, 3)), rng.normal(size=3), padding=1, stride=1)
    h = b.activation(h, "relu")
    h = b.conv(h, rng.normal(size=(2, 3, 2)), rng.normal(size=2), stride=2, dilation=1)
    h = b.activation(h, "hardtanh")
    g = b.build(b.dense(b.flatten(h), rng.normal(size=(1, 4))))
    return g.convert(True) if exact else g


def dense_network_of_chain(g: Graph) -> Network:
    """The dense Network of :func:`conv_chain`, its convolutions densified by loops."""
    affine = [n for n in g.nodes if isinstance(n, Affine)]
    return Network([naive_dense(n.op).astype(float) for n in affine],
                   [np.zeros(n.size) if n.bias is None else n.bias for n in affine],
                   ["relu", "hardtanh", "linear"])


def residual_pool(rng):
    b = GraphBuilder((1, 4, 4))
    x = b.input
    h = b.conv(x, rng.normal(size=(2, 1, 3, 3)), rng.normal(size=2) * 0.3, padding=1)
    h = b.batch_norm(h, rng.normal(size=2), rng.uniform(0.5, 2, size=2), rng.normal(size=2),
                     rng.normal(size=2))
    h = b.activation(h, leaky_relu("0.25"))
    h = b.conv(h, rng.normal(size=(1, 2, 3, 3)), padding=1)
    h = b.add(h, x)
    h = b.activation(h, hardtanh(-2, 3))
    p = b.max_pool(h, 2, padding=1, stride=2)
    q = b.avg_pool(h, 2, stride=2)
    cat = b.concat([p, b.adaptive_avg_pool(q, (3, 3))], axis=0)
    return b.build(b.dense(b.flatten(cat), rng.normal(size=(2, 18))))


def maxout_mlp(rng, n_in=2, units=3, rank=3):
    b = GraphBuilder((n_in,))
    h = b.dense(b.input, rng.normal(size=(units * rank, n_in)), rng.normal(size=units * rank))
    h = b.maxout(h, rank)
    h = b.dense(h, rng.normal(size=(4, units)), rng.normal(size=4))
    h = b.activation(h, "abs")
    return b.build(b.dense(h, rng.normal(size=(1, 4))))


# -- operators ---------------------------------------------------------------------------------


@settings(max_examples=30)
@given(st.integers(0, 10**6), st.sampled_from([1, 2]), st.integers(1, 2), st.integers(1, 2),
       st.integers(0, 2), st.integers(1, 2))
def test_conv_equals_naive_loops(seed, dims, groups, stride, padding, dilation):
    rng = np.random.default_rng(seed)
    cin, cout = 2 * groups, 2 * groups
    spatial = (6,) * dims
    kernel = rng.integers(-3, 4, size=(cout, cin // groups) + (2,) * dims).astype(float)
    op = Conv(kernel, (cin,) + spatial, stride, padding, dilation, groups)
    x = rng.integers(-5, 6, size=(cin,) + spatial).astype(float)
    want = naive_conv(x, kernel, op.stride, op.padding, op.dilation, groups)
    assert op.out_shape == want.shape
    assert np.array_equal(op.apply(x.reshape(1, -1))[0], want.reshape(-1))


@pytest.mark.parametrize("make", [
    lambda: Conv(np.arange(12.0).reshape(2, 2, 3) - 5, (2, 5), stride=2, padding=1),
    lambda: Conv(np.arange(8.0).reshape(2, 1, 2, 2) - 3, (2, 3, 4), groups=2, dilation=(1, 2)),
    lambda: AveragePool.window((2, 5, 4), 2, stride=1, padding=1, count_include_pad=False),
    lambda: AveragePool.window((1, 7), 3, stride=2, padding=1),
    lambda: AveragePool.adaptive((2, 5, 3), (2, 2)),
    lambda: AveragePool.adaptive((1, 2, 3), (3, 5)),  # growing: bins overlap
    lambda: ChannelScale([2.0, -0.5], (2, 3)),
    lambda: Dense(np.arange(6.0).reshape(2, 3)),
])
def test_operators_apply_transpose_and_absolute_exactly(make):
    op = make().convert(True)
    rng = np.random.default_rng(0)
    m = naive_dense(op)
    x = np.array([[F(int(v), 3) for v in rng.integers(-9, 9, size=op.in_size)]
                  for _ in range(2)], dtype=object)
    y = np.array([[F(int(v), 7) for v in rng.integers(-9, 9, size=op.out_size)]
                  for _ in range(2)], dtype=object)
    assert np.array_equal(op.apply(x), x @ m.T)
    assert np.array_equal(op.transpose(y), y @ m)
    assert np.array_equal(op.absolute().apply(x), x @ np.abs(m).T)
    assert np.array_equal(op.to_dense(), m)
    back = op.convert(False)
    assert np.allclose(back.apply(x.astype(float)), (x @ m.T).astype(float))


def test_convolution_is_never_made_dense():
    op = Conv(np.ones((4, 3, 3, 3)), (3, 64, 64), padding=1)
    assert op.in_size * op.out_size > 10**8
    x = np.random.default_rng(0).normal(size=(40, op.in_size))
    assert op.apply(x).shape == (40, op.out_size)  # gathers patches in chunks of rows


# -- engines against oracles -------------------------------------------------------------------


def test_trace_of_a_convolution_chain_equals_its_dense_network():
    rng = np.random.default_rng(1)
    g = conv_chain(rng)
    net = dense_network_of_chain(g)
    x0, x1 = rng.normal(size=10), rng.normal(size=10)
    for exact in (False, True):
        a, b = trace(g, Segment(x0, x1), exact), trace(net, Segment(x0, x1), exact)
        assert a.num_pieces == b.num_pieces > 3
        assert a.transitions_per_layer.tolist() == b.transitions_per_layer.tolist()
        if exact:
            assert list(a.knots) == list(b.knots)
        else:
            assert np.allclose(a.knots, b.knots, rtol=0, atol=1e-12)
        assert a.layer_names == ("relu1", "hardtanh1", "dense1")


@settings(max_examples=15)
@given(st.integers(0, 10**6))
def test_exact_trace_pieces_are_linear_pieces_of_the_forward_pass(seed):
    rng = np.random.default_rng(seed)
    g = residual_pool(rng) if seed % 2 else maxout_mlp(rng)
    x0, x1 = rng.normal(size=g.input_size) * 2, rng.normal(size=g.input_size) * 2
    tr = trace(g, Segment(x0, x1), exact=True)
    pieces_are_linear(g, tr, x0, x1)
    fl = trace(g, Segment(x0, x1))
    assert fl.num_pieces == tr.num_pieces
    assert fl.transitions_per_layer.tolist() == tr.transitions_per_layer.tolist()
    assert np.allclose(fl.knots, np.array(tr.knots, dtype=float), atol=1e-9)
    assert fl.num_linear_pieces == tr.num_linear_pieces
    assert np.allclose(fl.lengths, tr.lengths, rtol=1e-9)


def test_graph_forward_equals_the_node_by_node_oracle():
    rng = np.random.default_rng(3)
    for g in (residual_pool(rng), maxout_mlp(rng), conv_chain(rng)):
        x = rng.normal(size=(5, g.input_size))
        want = node_values(g, x)[g.output]
        assert np.allclose(g(x), want, rtol=1e-12, atol=1e-12)
        xe = np.array([[F(v) for v in row] for row in x], dtype=object)
        assert np.array_equal(g.convert(True)(xe), node_values(g.convert(True), xe)[g.output])


def _brute_force_max_pieces(a, b):
    """Pieces of t -> max_i (a_i + b_i t) over the whole line, from all pairwise ties."""
    ties = sorted({F(a[j] - a[i], b[i] - b[j]) for i in range(len(a)) for j in range(i)
                   if b[i] != b[j]})
    probes = ([ties[0] - 1] if ties else [F(0)]) + [
        (p + q) / 2 for p, q in zip(ties, ties[1:])] + ([ties[-1] + 1] if ties else [])
    arg = [max(range(len(a)), key=lambda i: (a[i] + b[i] * t, -i)) for t in probes]
    return 1 + sum(1 for p, q in zip(arg, arg[1:]) if p != q)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=2, max_size=5))
def test_group_max_pieces_along_a_line_equal_brute_force(lines):
    a = [F(p) for p, _ in lines]
    s = [F(q) for _, q in lines]
    b = GraphBuilder((1,))
    h = b.affine(b.input, Dense(np.array([[v] for v in s], dtype=object)),
                 np.array(a, dtype=object))
    g = b.build(b.max(h, 0))
    tr = trace(g, Line([F(0)], [F(1)]))
    assert tr.num_pieces == _brute_force_max_pieces(a, s)
    fl = trace(g.convert(False), Line([0.0], [1.0]))
    assert fl.num_pieces == tr.num_pieces


@pytest.mark.parametrize("units, rank", [(1, 2), (3, 3), (4, 5)])
def test_maxout_layer_with_one_input_reaches_its_maximum(units, rank):
    """Each unit is the envelope of ``rank`` tangents of x^2 at its own points: rank - 1
    breakpoints per unit, all distinct, so units (rank - 1) + 1 pieces on the line."""
    slopes, offsets = [], []
    for u in range(units):
        for r in range(rank):
            c = F(u * rank + r, 1) / (units * rank)  # tangent of x^2 at c: 2c x - c^2
            slopes.append(2 * c)
            offsets.append(-c * c)
    b = GraphBuilder((1,))
    h = b.affine(b.input, Dense(np.array([[v] for v in slopes], dtype=object)),
                 np.array(offsets, dtype=object))
    h = b.maxout(h, rank)
    g = b.build(b.dense(h, np.array([[F(1)] * units], dtype=object)))
    tr = trace(g, Line([F(0)], [F(1)]))
    assert tr.num_pieces == units * (rank - 1) + 1
    assert tr.num_pieces <= int(serra_maxout_upper_bound([units], 1, rank))
    assert tr.transitions_per_layer.tolist()[0] == units * (rank - 1)


def test_sample_trace_on_a_graph_counts_argmax_changes():
    rng = np.random.default_rng(5)
    g = maxout_mlp(rng)
    x0, x1 = rng.normal(size=2), rng.normal(size=2)
    exact = trace(g, Segment(x0, x1))
    fine = sample_trace(g, Segment(x0, x1), 20001)
    assert fine.layer_names == exact.layer_names
    assert fine.num_pieces <= exact.num_pieces
    assert np.all(fine.transitions_per_layer <= exact.transitions_per_layer)


def test_partition_of_a_residual_graph_float_equals_exact_and_forward():
    rng = np.random.default_rng(7)
    b = GraphBuilder((2,))
    h = b.activation(b.dense(b.input, rng.normal(size=(4, 2)), rng.normal(size=4)), "relu")
    h2 = b.dense(h, rng.normal(size=(4, 4)), rng.normal(size=4))
    h = b.activation(b.add(h, h2), "hardtanh")
    g = b.build(b.dense(b.concat([h, b.input]), rng.normal(size=(1, 6))))
    pf, pe = partition(g), partition(g, exact=True)
    assert pf.num_regions == pe.num_regions > 10
    assert pf.num_linear_regions == pe.num_linear_regions
    assert {tuple(np.concatenate(r)) for r in zip(*pf.patterns)} == {
        tuple(np.concatenate(r)) for r in zip(*pe.patterns)}
    pts = rng.normal(size=(50, 2)) * 3
    where = pe.locate(pts)
    ok = where >= 0
    maps = pe.linear_maps[where[ok]].astype(float)
    offs = pe.offsets[where[ok]].astype(float)
    got = np.einsum("nij,nj->ni", maps, pts[ok]) + offs
    assert np.allclose(got, node_values(g, pts[ok])[g.output], atol=1e-9)


def test_partition_of_a_convolution_slice_equals_the_dense_network_slice():
    rng = np.random.default_rng(11)
    g = conv_chain(rng)
    net = dense_network_of_chain(g)
    plane = Plane.through(*(rng.normal(size=10) for _ in range(3)),
                          polygon=[[-2, -2], [3, -2], [3, 3], [-2, 3]])
    a, b = partition(g, plane), partition(net, plane)
    assert a.num_regions == b.num_regions > 5
    assert a.num_linear_regions == b.num_linear_regions
    assert np.allclose(np.sort(a.areas), np.sort(b.areas))


# -- errors --------------------------------------------------------------------------------------


def _rank_two_maxout_and_twin(rng, units=3):
    """A rank-2 maxout layer and its elementwise twin, max(f1, f2) = f2 + relu(f1 - f2):
    the same function, with a knot of the maxout exactly where its twin's ReLU turns."""
    w = rng.integers(-3, 4, size=(2 * units, 2)).astype(float)
    c = rng.integers(-2, 3, size=2 * units).astype(float)
    out = rng.integers(-2, 3, size=(1, units)).astype(float)
    a = GraphBuilder((2,))
    maxout = a.build(a.dense(a.maxout(a.dense(a.input, w, c), 2), out))
    b = GraphBuilder((2,))
    h = b.dense(b.input, w, c)
    first, second = np.eye(2 * units)[0::2], np.eye(2 * units)[1::2]
    r = b.activation(b.dense(h, first - second), "relu")
    twin = b.build(b.dense(b.add(r, b.dense(h, second)), out))
    return maxout, twin


@pytest.mark.parametrize("exact", [False, True])
def test_group_maxima_along_arcs_and_lines_equal_their_elementwise_twin(exact):
    rng = np.random.default_rng(10)
    maxout, twin = _rank_two_maxout_and_twin(rng, units=4)
    for path in (Arc.circle([2.0, 0.0], [0.0, 2.0], center=[0.5, -0.25]),
                 Arc([1.0, 1.0], [-1.0, 2.0], 0.0, math.pi), Line([0.0, 0.0], [1.0, 0.75])):
        a, b = trace(maxout, path, exact=exact), trace(twin, path, exact=exact)
        assert a.num_pieces == b.num_pieces > 2
        assert a.transitions_per_layer.tolist() == b.transitions_per_layer.tolist()
        assert np.allclose(np.asarray(a.knots, dtype=float), np.asarray(b.knots, dtype=float),
                           atol=1e-12)
        if exact and isinstance(path, Arc):
            assert list(a.exact_knots) == list(b.exact_knots)
        assert np.allclose(a.lengths[-1], b.lengths[-1], rtol=1e-12)


def test_arcs_through_max_pooling_float_equal_exact_and_polylines():
    rng = np.random.default_rng(8)
    g = _pool_graph(rng).convert(False)
    arc = Arc.circle([1.5, 0.0], [0.0, 1.5])
    fl, ex = trace(g, arc), trace(g, arc, exact=True)
    assert fl.num_pieces == ex.num_pieces > 4
    assert fl.transitions_per_layer.tolist() == ex.transitions_per_layer.tolist()
    fine = sample_trace(g, arc, 2**14 + 1)
    assert fine.num_pieces <= fl.num_pieces
    assert np.all(fine.lengths <= fl.lengths * (1 + 1e-9))
    assert np.allclose(fine.lengths, fl.lengths, rtol=1e-3)


def test_arcs_through_a_residual_graph_float_equal_exact_and_polylines():
    rng = np.random.default_rng(4)
    b = GraphBuilder((2,))
    h = b.activation(b.dense(b.input, rng.normal(size=(5, 2)), rng.normal(size=5)), "relu")
    h = b.add(b.dense(h, rng.normal(size=(2, 5))), b.input)
    h = b.activation(h, "hardtanh")
    g = b.build(b.dense(b.concat([h, b.input]), rng.normal(size=(1, 4))))
    arc = Arc.circle([2.0, 0.0], [0.0, 2.0])
    fl, ex = trace(g, arc), trace(g, arc, exact=True)
    assert fl.num_pieces == ex.num_pieces > 4
    assert fl.transitions_per_layer.tolist() == ex.transitions_per_layer.tolist()
    assert np.allclose(fl.lengths, ex.lengths, rtol=1e-9)
    fine = sample_trace(g, arc, 2**14 + 1)
    assert np.all(fine.lengths <= fl.lengths * (1 + 1e-9))
    assert np.allclose(fine.lengths, fl.lengths, rtol=1e-3)


def test_graph_validation_errors():
    x = Input("input", (), (2,))
    relu = Elementwise("relu", ("input",), (2,), as_graph(
        Network([[[1.0, 0.0]]], [[0.0]], "relu")).node("layer1").activation)
    with pytest.raises(ValueError, match=r"node names must be unique; 'input' appears twice"):
        Graph([x, Input("input", (), (2,))], "input")
    with pytest.raises(ValueError, match=r"node 'relu' reads 'nope', which is not defined"):
        Graph([x, Elementwise("relu", ("nope",), (2,), relu.activation)], "relu")
    with pytest.raises(ValueError, match=r"every node must lead to the output"):
        Graph([x, relu, Elementwise("other", ("input",), (2,), relu.activation)], "relu")
    with pytest.raises(ValueError, match=r"output must name a node of the graph; got 'out'"):
        Graph([x, relu], "out")
    with pytest.raises(ValueError, match=r"its operator maps \(3,\) to \(1,\) but its input"):
        Graph([x, Affine("a", ("input",), (1,), Dense([[1.0, 2.0, 3.0]]), None)], "a")
    with pytest.raises(ValueError, match=r"nodes must start with the graph's Input node"):
        Graph([relu], "relu")


def test_builder_errors_name_the_argument():
    b = GraphBuilder((1, 4, 4))
    with pytest.raises(ValueError, match=r"kernel of shape \(2, 2, 3, 3\) with groups=1 needs 2"):
        b.conv(b.input, np.ones((2, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"no node named 'missing' has been added"):
        b.activation("missing", "relu")
    with pytest.raises(ValueError, match=r"unknown activation 'gelu'"):
        b.activation(b.input, "gelu")
    with pytest.raises(ValueError, match=r"rank must be a positive int dividing the input size"):
        b.maxout(b.input, 3)
    with pytest.raises(ValueError, match=r"cannot reshape \(1, 4, 4\) \(16 entries\) to \(5,\)"):
        b.reshape(b.input, (5,))
    with pytest.raises(ValueError, match=r"concat inputs must agree off axis 0"):
        b.concat([b.input, b.avg_pool(b.input, 2)])
    with pytest.raises(ValueError, match=r"bias must be a scalar, one value per channel"):
        b.conv(b.input, np.ones((2, 1, 3, 3)), bias=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"x must hold inputs of shape \(1, 4, 4\)"):
        b.build(b.input)(np.zeros((3, 5)))


def test_slice_of_a_graph_is_the_graph_on_the_plane():
    g = residual_pool(np.random.default_rng(2))
    d = np.random.default_rng(3).normal(size=(16, 2))
    o = np.random.default_rng(4).normal(size=16)
    s = compose_input(g, d, o)
    u = np.random.default_rng(5).normal(size=(4, 2))
    assert np.allclose(s(u), g(u @ d.T + o))


# -- group maxima in the plane -------------------------------------------------------------------


def _pool_graph(rng):
    """Two inputs lifted to a 1x3x3 image, a convolution, max pooling with padding, and a
    dense read-out: group maxima of shared candidates."""
    b = GraphBuilder((2,))
    img = b.reshape(b.dense(b.input, rng.integers(-3, 4, size=(9, 2)),
                            rng.integers(-2, 3, size=9)), (1, 3, 3))
    h = b.conv(img, rng.integers(-2, 3, size=(2, 1, 2, 2)), rng.integers(-1, 2, size=2),
               padding=1)
    h = b.max_pool(h, 2, stride=2, padding=1)
    return b.build(b.dense(b.flatten(h), rng.integers(-2, 3, size=(1, 18))))


@settings(max_examples=12)
@given(st.integers(0, 10**6), st.booleans())
def test_partition_with_group_maxima_equals_the_clipping_oracle(seed, pool):
    from .oracle_graph_2d import regions_in_box

    rng = np.random.default_rng(seed)
    g = (_pool_graph(rng) if pool else maxout_mlp(rng, units=2, rank=3)).convert(True)
    box = [[F(-3), F(-3)], [F(3), F(-3)], [F(3), F(3)], [F(-3), F(3)]]
    part = partition(g, box)
    count, cells = regions_in_box(g, (-3, -3), (3, 3), naive_dense)
    assert part.num_regions == count
    assert sorted(part.exact_areas.tolist()) == sorted(a for a, _ in cells)
    # the patterns: the oracle's codes per node, as the partition's
    want = sorted(tuple(np.concatenate([np.asarray(c, dtype=np.int64) for c in pat]))
                  for _, pat in cells)
    # (the partition's last layer is the identity output stage, which the oracle omits)
    got = sorted(tuple(np.concatenate([p[i].astype(np.int64) for p in part.patterns[:-1]]))
                 for i in range(part.num_regions))
    assert got == want
    assert partition(g.convert(False), [[-3, -3], [3, -3], [3, 3], [-3, 3]]).num_regions == count


@settings(max_examples=10)
@given(st.integers(0, 10**6))
def test_maxout_whole_plane_count_is_within_serra_bound(seed):
    rng = np.random.default_rng(seed)
    units, rank = 3, 3
    b = GraphBuilder((2,))
    h = b.maxout(b.dense(b.input, rng.normal(size=(units * rank, 2)),
                         rng.normal(size=units * rank)), rank)
    h = b.maxout(b.dense(h, rng.normal(size=(2 * rank, units)), rng.normal(size=2 * rank)),
                 rank)
    g = b.build(b.dense(h, rng.normal(size=(1, 2))))
    part = partition(g)
    assert part.num_regions <= int(serra_maxout_upper_bound([units, 2], 2, rank))
    exact = partition(g, exact=True)
    assert exact.num_regions == part.num_regions
    # every region's map is the forward pass at a point inside it
    pts = rng.normal(size=(40, 2)) * 4
    where = exact.locate(pts)
    ok = where >= 0
    got = np.einsum("nij,nj->ni", exact.linear_maps[where[ok]].astype(float), pts[ok]) + \
        exact.offsets[where[ok]].astype(float)
    assert np.allclose(got, node_values(g, pts[ok])[g.output], atol=1e-9)


def test_forward_and_reverse_jacobians_agree_exactly():
    from regions._stages import lower

    rng = np.random.default_rng(9)
    for g in (residual_pool(rng), maxout_mlp(rng), conv_chain(rng)):
        low = lower(g, True)
        x = np.array([[F(int(v), 4) for v in rng.integers(-8, 8, size=g.input_size)]
                      for _ in range(3)], dtype=object)
        patterns, _ = low.point_patterns(x)
        rows = np.arange(3)
        fwd = low._forward_jacobians(tuple(patterns), rows, False)
        rev = low._reverse_jacobians(tuple(patterns), rows, False)
        assert np.array_equal(fwd, rev)
        # and each equals a difference quotient of the forward pass (affine near x)
        eps = F(1, 10**9)
        for i in range(3):
            for j in range(g.input_size):
                step = np.zeros(g.input_size, dtype=object)
                step[...] = F(0)
                step[j] = eps
                here, there = g.convert(True)(x[i]), g.convert(True)(x[i] + step)
                assert np.array_equal((there - here) / eps, fwd[i][:, j])
