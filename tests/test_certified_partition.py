"""The certified planar engine (partition(exact=True)) against rational arithmetic: the same
regions, patterns, vertices, maps and areas, whether the float filter settles every decision
or falls back."""

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import Network, Plane, partition, random_network
from regions.activations import hardtanh, leaky_relu
from regions.constructions import box_polygon, folding_network
from regions.graph import GraphBuilder
from regions.kinds import RATIONAL

F = Fraction
BOX = [[-2.5, -2.0], [3.0, -2.0], [3.0, 2.5], [-2.5, 2.5]]


def _rows(part):
    return {tuple(r) for r in np.concatenate(part.patterns, axis=1).tolist()}


def assert_same(cert, rat, fell_back=None):
    """Everything a partition reports, equal between the certified and rational runs."""
    assert cert.arithmetic == "certified" and cert.filter_stats is not None
    if fell_back is not None:
        assert cert.filter_stats.fell_back is fell_back, cert.filter_stats
    assert cert.exact and rat.exact
    assert cert.num_regions == rat.num_regions
    assert _rows(cert) == _rows(rat)
    assert cert.num_edges == rat.num_edges and cert.num_vertices == rat.num_vertices
    assert cert.num_linear_regions == rat.num_linear_regions
    assert Counter(cert.exact_areas.tolist()) == Counter(rat.exact_areas.tolist())
    assert {tuple(p) for p in cert.points.tolist()} == {tuple(p) for p in rat.points.tolist()}
    assert all(type(v) is Fraction for v in cert.points.reshape(-1))
    # the same numbering: region by region, the same boundary, pattern, map
    assert np.array_equal(cert.region_vertices, rat.region_vertices)
    assert np.array_equal(cert.edges, rat.edges)
    assert np.array_equal(cert.edge_regions, rat.edge_regions)
    for a, b in zip(cert.patterns, rat.patterns):
        assert np.array_equal(a, b)
    assert (cert.linear_maps == rat.linear_maps).all() and (cert.offsets == rat.offsets).all()
    assert cert.layer_names == rat.layer_names


def check(net, domain=None, fell_back=None):
    cert = partition(net, domain, exact=True)
    rat = partition(net, domain, exact=RATIONAL)
    assert rat.arithmetic == "rational"
    assert_same(cert, rat, fell_back)
    return cert


# -- generic float networks: the filter settles everything ------------------------------------


@pytest.mark.parametrize("widths", [[2, 8, 8, 1], [2, 16, 16, 1]])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generic_whole_plane_does_not_fall_back(widths, seed):
    net = random_network(widths, "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
    cert = check(net, fell_back=False)
    assert cert.filter_stats.decisions > 0
    # the numbers before the exact run: counts and patterns come from the float run
    fresh = partition(net, exact=True)
    assert "_geometry" not in fresh.__dict__
    assert fresh.num_regions == cert.num_regions and fresh.num_linear_regions > 0
    assert "_geometry" not in fresh.__dict__


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([[2, 8, 8, 1], [2, 16, 16, 1]]),
       st.sampled_from(["relu", "hardtanh", "leaky_relu"]), st.booleans())
@settings(max_examples=12, deadline=None)
def test_generic_networks(seed, widths, act, box):
    net = random_network(widths, act, sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
    check(net, BOX if box else None)


@given(st.integers(0, 2 ** 32 - 1), st.booleans())
@settings(max_examples=6, deadline=None)
def test_plane_slice_of_five_inputs(seed, with_polygon):
    net = random_network([5, 8, 8, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
    rng = np.random.default_rng(seed)
    p0, p1, p2 = rng.normal(size=(3, 5))
    plane = Plane.through(p0, p1, p2, polygon=BOX if with_polygon else None)
    check(net, plane)


def test_leaky_relu_slope_float_cannot_hold():
    """1/100 is not a float64: the activation's radius carries its rounding."""
    net = random_network([2, 8, 8, 1], leaky_relu(F(1, 100)), sigma_w=2 ** 0.5, sigma_b=1.0,
                         seed=5)
    check(net, fell_back=False)


def test_hardtanh_with_range():
    net = random_network([2, 8, 8, 1], hardtanh(-2, 3), sigma_w=2.0, sigma_b=1.0, seed=3)
    check(net, BOX, fell_back=False)


def test_fraction_polygon():
    net = random_network([2, 8, 8, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=7)
    poly = [[F(-7, 3), F(-2)], [F(3), F(-11, 5)], [F(1, 3), F(13, 6)]]
    check(net, poly)


# -- coincidences: fall back (or settle exactly), and still equal ------------------------------


def _fraction_net(rng, widths, denominator):
    ws = [[[F(int(k), denominator) for k in row] for row in rng.integers(-6, 7, size=(o, i))]
          for i, o in zip(widths[:-1], widths[1:])]
    bs = [[F(int(k), denominator) for k in rng.integers(-4, 5, size=o)] for o in widths[1:]]
    return Network(ws, bs, "relu")


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([1, 3, 10]), st.booleans())
@settings(max_examples=15, deadline=None)
def test_coincidence_heavy_fraction_networks(seed, denominator, box):
    net = _fraction_net(np.random.default_rng(seed), [2, 5, 5, 1], denominator)
    check(net, box_polygon([-2, -2], [2, 2]) if box else None)


@pytest.mark.parametrize("widths", [(2, 2), (3, 3), (3, 3, 3), (4, 4, 4)])
@pytest.mark.parametrize("box", [True, False])
def test_folding_network(widths, box):
    """Coincidences everywhere (folds through earlier vertices, along earlier edges): the
    filter settles them with exact values at the few vertices concerned, no fallback."""
    net, (lower, upper) = folding_network(widths, 2)
    cert = check(net, box_polygon(lower, upper) if box else None, fell_back=False)
    assert cert.filter_stats.decisions > 0


@pytest.mark.parametrize("box", [True, False])
def test_folding_network_6666(box):
    net, (lower, upper) = folding_network((6, 6, 6, 6), 2)
    cert = check(net, box_polygon(lower, upper) if box else None, fell_back=False)
    assert cert.num_regions == (16038 if box else 16232)
    assert cert.filter_stats.exact > 0  # exact values where the bounds did not settle


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([1, 3]), st.booleans())
@settings(max_examples=10, deadline=None)
def test_integer_and_thirds_networks_settle_without_falling_back(seed, denominator, box):
    """Integer and k/3 weights: many lines through common points and parallel lines (common
    directions at infinity); decided by exact values at the vertices, never whole."""
    net = _fraction_net(np.random.default_rng(seed), [2, 6, 6, 6, 1], denominator)
    check(net, box_polygon([-2, -2], [2, 2]) if box else None, fell_back=False)


def test_exact_values_are_counted_and_coincidences_exact():
    """Integer weights, three layers: the filter computes exact rows (counted in
    ``filter_stats.exact``) and the result is the rational one."""
    rng = np.random.default_rng(11)
    net = _fraction_net(rng, [2, 8, 8, 8, 1], 1)
    cert = check(net, fell_back=False)
    assert 0 < cert.filter_stats.exact < cert.filter_stats.decisions


def test_three_lines_through_a_point_is_settled_exactly():
    """Three lines through (1/3, 1/3): the biases are not floats, so the float values near
    the common point are within their bounds of the thresholds; the filter computes the
    third line's exact value at the vertex the first two make (zero: it passes through)."""
    net = Network([[[1, 0], [0, 1], [1, 1]], [[1, -2, 1]]],
                  [[F(-1, 3), F(-1, 3), F(-2, 3)], [F(1, 3)]], ["relu", "linear"])
    cert = check(net, fell_back=False)
    assert cert.filter_stats.exact >= 1


def test_coincidence_float_holds_exactly_is_settled():
    """Three lines through the origin with integer weights: every value is exact (radius 0),
    so the filter settles the coincidence without falling back."""
    net = Network([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[1.0, -2.0, 1.0]]],
                  [[0.0, 0.0, 0.0], [0.0]], ["relu", "linear"])
    check(net, fell_back=False)


def test_line_through_a_polygon_corner_is_settled_exactly():
    net = Network([[[1.0, -1.0]], [[1.0]]], [[0.0], [0.0]], ["relu", "linear"])
    check(net, [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0]], fell_back=False)


def test_without_the_model_unsettled_falls_back():
    """The engine alone (no model to compute exact values from) raises Unsettled."""
    from regions.certified import Unsettled, lower_certified
    from regions.kinds import CERTIFIED
    from regions._planar_certified import CertifiedPlanarEngine

    net = Network([[[1, 0], [0, 1], [1, 1]], [[1, -2, 1]]],
                  [[F(-1, 3), F(-1, 3), F(-2, 3)], [F(1, 3)]], ["relu", "linear"])
    engine = CertifiedPlanarEngine(None, CERTIFIED)
    with pytest.raises(Unsettled, match="rounding bound"):
        for stage in lower_certified(net).stages:
            engine.layer(stage)


# -- graphs --------------------------------------------------------------------------------


def _residual(seed):
    rng = np.random.default_rng(seed)
    b = GraphBuilder((2,))
    h = b.activation(b.dense(b.input, rng.normal(size=(6, 2)), rng.normal(size=6)), "relu")
    g = b.activation(b.dense(h, rng.normal(size=(6, 6)), rng.normal(size=6)),
                     leaky_relu("0.25"))
    s = b.add(g, h)
    return b.build(b.dense(s, rng.normal(size=(1, 6))))


def _maxout(seed):
    rng = np.random.default_rng(seed)
    b = GraphBuilder((2,))
    h = b.dense(b.input, rng.normal(size=(6, 2)), rng.normal(size=6))
    h = b.maxout(h, 3)
    h = b.activation(b.dense(h, rng.normal(size=(4, 2)), rng.normal(size=4)), "relu")
    return b.build(b.dense(h, rng.normal(size=(1, 4))))


@pytest.mark.parametrize("seed", [0, 1])
def test_graph_with_skip_connection(seed):
    check(_residual(seed), BOX, fell_back=False)


@pytest.mark.parametrize("seed", [0, 1])
def test_maxout_falls_back(seed):
    cert = check(_maxout(seed), BOX, fell_back=True)
    assert "group maxima" in cert.filter_stats.reason


def test_single_region_and_no_inner_edges():
    """One neuron whose line misses the box: one region, no pair of maps to compare."""
    net = Network([[[0.08890469, -0.09341224]], [[0.10490012]]], [[0.64042265], [-0.53566937]],
                  ["relu", "linear"])
    cert = check(net, BOX, fell_back=False)
    assert cert.num_regions == cert.num_linear_regions == 1

