"""Constructions attain their closed-form counts, exactly (regions.constructions)."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bounds
from regions import Line, Network, Segment, trace
from bounds import montufar_lower_bound
from regions.constructions import folding_network, sawtooth, serra_one_input_network, zigzag

from .reference_numbers import FOLDING_PIECES_N0_1, FOLDING_REGIONS_N0_2

F = Fraction
LINE = Line([F(0)], [F(1)])


def _widths(min_width, max_width, max_depth, max_product):
    """Hidden widths whose exact trace stays small: prod(n_l + 1) <= max_product."""
    return st.lists(st.integers(min_width, max_width), min_size=1, max_size=max_depth).filter(
        lambda ws: math.prod(w + 1 for w in ws) <= max_product
    )


# -- Telgarsky's sawtooth and Arora et al.'s zig-zags ----------------------------------------


@pytest.mark.parametrize("depth", range(1, 11))
def test_sawtooth_pieces_knots_and_linear_pieces(depth):
    net, (lo, hi) = sawtooth(depth)
    assert (lo.tolist(), hi.tolist()) == ([F(0)], [F(1)])
    tr = trace(net, Segment(lo, hi))
    assert tr.exact
    assert tr.num_pieces == tr.num_linear_pieces == 2**depth == bounds.telgarsky_pieces(depth)
    assert tr.knots.tolist() == [F(i, 2**depth) for i in range(1, 2**depth)]


@pytest.mark.parametrize("teeth, depth", [(2, 1), (2, 6), (3, 1), (3, 3), (4, 2), (4, 3),
                                          (5, 3), (7, 2), (10, 2)])
def test_zigzag_has_w_to_the_k_pieces(teeth, depth):
    net, (lo, hi) = zigzag(teeth, depth)
    tr = trace(net, Segment(lo, hi))
    expected = teeth**depth
    assert tr.num_pieces == tr.num_linear_pieces == expected == bounds.arora_pieces(teeth, depth)
    assert tr.knots.tolist() == [F(i, expected) for i in range(1, expected)]
    assert net.widths == (1,) + (teeth,) * depth + (1,)


def test_zigzag_with_two_teeth_is_the_sawtooth_count():
    for depth in range(1, 6):
        a = trace(*_on_box(zigzag(2, depth)))
        b = trace(*_on_box(sawtooth(depth)))
        assert a.knots.tolist() == b.knots.tolist()


def _on_box(construction):
    net, (lo, hi) = construction
    return net, Segment(lo, hi)


# -- Montufar et al.'s folding network: their lower bound inside the box ---------------------


@given(_widths(1, 6, 4, 400))
@settings(max_examples=40)
def test_folding_network_attains_montufar_and_pascanu_in_its_box(widths):
    net, (lo, hi) = folding_network(widths)
    assert net.widths == (1, *widths, 1)
    tr = trace(net, Segment(lo, hi))
    expected = math.prod(widths[:-1]) * (widths[-1] + 1)
    assert tr.num_pieces == expected
    assert tr.num_pieces == bounds.montufar_lower_bound(widths, 1)
    assert tr.num_pieces == bounds.pascanu_lower_bound(widths, 1)
    # over the whole line only pieces outside the box are added, and no upper bound is broken
    whole = trace(net, LINE).num_pieces
    assert tr.num_pieces <= whole <= bounds.serra_upper_bound(widths, 1)


@pytest.mark.parametrize("widths, pieces", sorted(FOLDING_PIECES_N0_1.items()))
def test_folding_network_reference_numbers(widths, pieces):
    """The pinned numbers of tests/reference_numbers.py (n0 = 1, pieces inside the box
    [0, p/2])."""
    net, (lo, hi) = folding_network(widths)
    assert trace(net, Segment(lo, hi)).num_pieces == pieces == bounds.montufar_lower_bound(
        widths, 1
    )


# -- serra_one_input_network: Serra et al.'s exact maximum over the whole line ---------------


@given(_widths(3, 8, 4, 700))
@settings(max_examples=40)
def test_serra_network_reaches_prod_n_plus_one_over_the_whole_line(widths):
    net, (lo, hi) = serra_one_input_network(widths)
    assert net.widths == (1, *widths, 1) and net.is_exact
    tr = trace(net, LINE)
    expected = math.prod(w + 1 for w in widths)
    assert tr.num_pieces == expected
    assert tr.num_pieces == bounds.serra_upper_bound(widths, 1)
    assert tr.num_pieces == bounds.serra_one_input_maximum(widths)
    assert tr.num_pieces == bounds.serra_lower_bound(widths, 1)
    # the output is a zig-zag: every activation piece is its own affine piece
    assert tr.num_linear_pieces == expected
    # every knot lies inside the box, so the box sees every piece
    assert lo[0] < tr.knots[0] and tr.knots[-1] < hi[0]
    assert trace(net, Segment(lo, hi)).num_pieces == expected


@pytest.mark.parametrize("widths, pieces", [((3,), 4), ((4, 4, 4), 125), ((10, 10, 10), 1331)])
def test_serra_network_reference_numbers(widths, pieces):
    net, _ = serra_one_input_network(widths)
    assert trace(net, LINE).num_pieces == pieces == bounds.serra_upper_bound(widths, 1)


def test_serra_network_beats_folding_on_the_whole_line():
    folded, _ = folding_network([4, 4, 4])
    serra, _ = serra_one_input_network([4, 4, 4])
    assert trace(folded, LINE).num_pieces < 125 == trace(serra, LINE).num_pieces


# -- float mode agrees with exact mode on the constructions ----------------------------------


@pytest.mark.parametrize(
    "name, construction",
    [
        ("sawtooth(6)", lambda: sawtooth(6)),
        ("zigzag(3, 3)", lambda: zigzag(3, 3)),
        ("zigzag(5, 2)", lambda: zigzag(5, 2)),
        ("folding(4, 4, 4)", lambda: folding_network([4, 4, 4])),
        ("folding(3, 5, 2)", lambda: folding_network([3, 5, 2])),
        ("serra(3, 3, 3)", lambda: serra_one_input_network([3, 3, 3])),
        ("serra(6, 4, 5)", lambda: serra_one_input_network([6, 4, 5])),
    ],
)
def test_float_mode_agrees_with_exact_mode(name, construction):
    net, (lo, hi) = construction()
    for traj, float_traj in (
        (Segment(lo, hi), Segment([float(lo[0])], [float(hi[0])])),
        (LINE, Line([0.0], [1.0])),
    ):
        exact = trace(net, traj, exact=True)
        approx = trace(net, float_traj, exact=False)
        assert approx.num_pieces == exact.num_pieces, name
        assert approx.num_linear_pieces == exact.num_linear_pieces, name
        np.testing.assert_allclose(
            approx.knots.astype(float), exact.knots.astype(float), rtol=0, atol=1e-9
        )


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: sawtooth(0), ValueError, "depth"),
        (lambda: sawtooth(-2), ValueError, "depth"),
        (lambda: sawtooth(2.0), TypeError, "depth"),
        (lambda: sawtooth(True), TypeError, "depth"),
        (lambda: sawtooth("3"), TypeError, "depth"),
        (lambda: zigzag(1, 2), ValueError, "teeth"),
        (lambda: zigzag(3, 0), ValueError, "depth"),
        (lambda: zigzag(3.0, 2), TypeError, "teeth"),
        (lambda: zigzag(3, None), TypeError, "depth"),
        (lambda: folding_network([]), ValueError, "widths"),
        (lambda: folding_network(4), ValueError, "widths"),
        (lambda: folding_network("44"), ValueError, "widths"),
        (lambda: folding_network([4, 0]), ValueError, r"widths\[1\]"),
        (lambda: folding_network([4, 2.5]), TypeError, r"widths\[1\]"),
        (lambda: folding_network([4], n0=0), ValueError, "n0"),
        (lambda: folding_network([4], n0=1.0), TypeError, "n0"),
        (lambda: folding_network([1, 4], n0=2), ValueError, r"widths\[0\] must be >= n0"),
        (lambda: serra_one_input_network([]), ValueError, "widths"),
        (lambda: serra_one_input_network(3), ValueError, "widths"),
        (lambda: serra_one_input_network(None), ValueError, "widths"),
        (lambda: serra_one_input_network("333"), ValueError, "widths"),
        (lambda: serra_one_input_network([2]), ValueError, r"widths\[0\] must be >= 3 \(Serra"),
        (lambda: serra_one_input_network([4, 2, 5]), ValueError, r"widths\[1\].*n_l >= 3"),
        (lambda: serra_one_input_network([3, 0]), ValueError, r"widths\[1\]"),
        (lambda: serra_one_input_network([3, -1]), ValueError, r"widths\[1\]"),
        (lambda: serra_one_input_network([3, 4.0]), TypeError, r"widths\[1\]"),
        (lambda: serra_one_input_network([True, 3]), TypeError, r"widths\[0\]"),
        (lambda: serra_one_input_network([F(3)]), TypeError, r"widths\[0\]"),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_integer_widths_are_accepted():
    net, _ = serra_one_input_network(np.array([3, 4]))
    assert trace(net, LINE).num_pieces == 20
    net, _ = folding_network((np.int64(4), np.int32(4)))
    assert net.widths == (1, 4, 4, 1)


# -- the folding construction with several inputs ----------------------------------------------

@pytest.mark.parametrize(
    "widths, n0",
    [([4, 4, 4], 2), ([2, 2, 3], 2), ([6, 6, 4], 2), ([5, 4], 2),
     ([3, 3, 3], 3), ([3, 4], 3), ([6, 6], 3), ([6, 6, 3], 3), ([8, 5], 4), ([4, 4, 4], 4)],
)
def test_folding_network_attains_montufar_bound_with_several_inputs(widths, n0):
    """The exact number of regions in the box equals the bound (tests/reference_numbers.py:
    n0 = 2, widths (4, 4, 4): 176): the plane partition for two inputs, the n-dimensional one for three and
    four (exact mode: rational arithmetic, every coincidence of the fold lines decided)."""
    from regions import Box, partition
    from regions.constructions import box_polygon

    net, (lo, hi) = folding_network(widths, n0=n0)
    assert all(v == 0 for v in lo) and len(set(hi.tolist())) == 1
    domain = box_polygon(lo, hi) if n0 == 2 else Box(lo, hi)
    part = partition(net, domain, exact=True)
    assert part.num_regions == int(montufar_lower_bound(widths, n0))
    if widths == [4, 4, 4] and n0 == 2:
        assert int(montufar_lower_bound(widths, n0)) == 176


def test_folding_network_needs_n0_units_per_folding_layer():
    with pytest.raises(ValueError, match=r"widths\[0\] must be >= n0 = 2"):
        folding_network([1, 4], n0=2)


# -- exact two-input counts, by the independent polygon-clipping oracle -----------------------

from itertools import combinations  # noqa: E402

from hypothesis import assume  # noqa: E402

from regions.strategies import rational_networks, small_fractions  # noqa: E402

from .oracle_2d import regions_in_box  # noqa: E402


@given(st.lists(st.tuples(small_fractions(4, 3), small_fractions(4, 3), small_fractions(4, 3)),
                min_size=1, max_size=6))
def test_polygon_oracle_counts_a_line_arrangement_like_zaslavsky(lines):
    """Validates the oracle: n lines in general position, with every vertex inside the box,
    cut it into sum_{j<=2} C(n, j) regions (one hidden ReLU layer)."""
    lines = [(a, b, c) for a, b, c in lines if (a, b) != (0, 0)]
    assume(lines)
    for (a1, b1, _), (a2, b2, _) in combinations(lines, 2):
        assume(a1 * b2 - a2 * b1 != 0)  # no two parallel
    vertices = []
    for (a1, b1, c1), (a2, b2, c2) in combinations(lines, 2):
        det = a1 * b2 - a2 * b1
        vertices.append(((-c1 * b2 + c2 * b1) / det, (-a1 * c2 + a2 * c1) / det))
    for (a, b, c) in lines:  # no three through one point
        assume(sum(1 for x, y in vertices if a * x + b * y + c == 0) <= len(lines) - 1)
    assume(len(set(vertices)) == len(vertices))
    # the box holds every vertex and, strictly inside, every line's point nearest the origin
    nearest = [(-a * c / (a * a + b * b), -b * c / (a * a + b * b)) for a, b, c in lines]
    bound = 1 + max(abs(v) for xy in vertices + nearest for v in xy)
    net = Network([[[a, b] for a, b, _ in lines], [[Fraction(1)] * len(lines)]],
                  [[c for _, _, c in lines], [Fraction(0)]], "relu")
    expected = int(bounds.zaslavsky_regions(len(lines), 2))
    assert regions_in_box(net, [-bound, -bound], [bound, bound]) == expected


@pytest.mark.parametrize("widths", [[4, 4, 4], [5, 4], [6, 6, 4], [5, 5, 5], [7, 4],
                                    [4, 4, 4, 4], [2, 2, 3]])
def test_folding_network_two_inputs_exact_count_equals_montufar_bound(widths):
    """tests/reference_numbers.py: n0 = 2, widths (4, 4, 4): 176 regions in the box, exactly
    the bound."""
    net, (lo, hi) = folding_network(widths, n0=2)
    assert regions_in_box(net, lo, hi) == int(montufar_lower_bound(widths, 2))
    if tuple(widths) in FOLDING_REGIONS_N0_2:
        assert regions_in_box(net, lo, hi) == FOLDING_REGIONS_N0_2[tuple(widths)]


@given(rational_networks(input_dim=2, depth=st.integers(1, 2), width=st.integers(1, 4),
                         activations=("relu",)))
@settings(max_examples=40)
def test_two_input_relu_counts_never_exceed_the_upper_bounds(net):
    """Regions of a random two-input ReLU network in a large box, counted exactly, never exceed
    Serra et al.'s upper bound, nor Montufar 2017's, nor 2^N."""
    hidden = list(net.widths[1:-1])
    count = regions_in_box(net, [-50, -50], [50, 50])
    serra = int(bounds.serra_upper_bound(hidden, 2))
    assert count <= serra <= int(bounds.montufar2017_upper_bound(hidden, 2))
    assert serra <= int(bounds.montufar_trivial_upper_bound(hidden))
