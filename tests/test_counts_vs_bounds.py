"""Exact counts of one-input networks over the whole line against the region-count bounds.

For one input, the activation pieces of a network along a :class:`~regions.Line` are its
activation regions of R, so every upper bound on the number of regions bounds them:

    ReLU:      pieces <= Serra <= Montufar 2017 <= Raghu (ReLU) <= 2^N;
    hard-tanh: pieces <= Raghu (hard-tanh, 2 n_l hyperplanes a layer) <= 3^N.

The ReLU bounds do NOT apply to hard-tanh networks: a hard-tanh unit has two thresholds, so
one unit alone cuts the line into 3 pieces, above Serra's, Montufar's and Raghu's ReLU count
(2) and above 2^N = 2 (:func:`test_relu_bounds_do_not_apply_to_hard_tanh`).

Widths passed to the bounds are the hidden widths ``net.widths[1:-1]`` (the output layer is
linear and adds no region); n0 = 1.
"""

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import bounds
from regions import Line, Network, trace
from regions.constructions import serra_one_input_network
from regions.strategies import lines, random_networks, rational_networks

F = Fraction

RELU_DEPTH = st.integers(1, 4)
RELU_WIDTH = st.integers(1, 5)


def _hidden(net):
    return list(net.widths[1:-1])


def _check_relu(net, tr):
    hidden = _hidden(net)
    serra = bounds.serra_upper_bound(hidden, 1)
    montufar = bounds.montufar2017_upper_bound(hidden, 1)
    raghu = bounds.raghu_layerwise_bound(hidden, 1, "relu")
    trivial = bounds.montufar_trivial_upper_bound(hidden)
    assert trivial == 2 ** sum(hidden)
    assert tr.num_pieces <= serra <= montufar <= raghu <= trivial
    assert serra <= math.prod(n + 1 for n in hidden)
    assert 1 <= tr.num_linear_pieces <= tr.num_pieces


def _check_hard_tanh(net, tr):
    hidden = _hidden(net)
    raghu = bounds.raghu_layerwise_bound(hidden, 1, "hardtanh")
    assert raghu == math.prod(2 * n + 1 for n in hidden)
    assert tr.num_pieces <= raghu <= 3 ** sum(hidden)
    assert 1 <= tr.num_linear_pieces <= tr.num_pieces


# -- ReLU ------------------------------------------------------------------------------------


@given(rational_networks(input_dim=1, depth=RELU_DEPTH, width=RELU_WIDTH,
                         activations=("relu",)), lines(1, exact=True))
@settings(max_examples=150)
def test_rational_relu_count_on_the_line_is_below_serra_montufar_raghu_2n(net, line):
    tr = trace(net, line)
    assert tr.exact
    _check_relu(net, tr)


@given(random_networks(input_dim=1, depth=RELU_DEPTH, width=st.integers(1, 8),
                       activations=("relu",)))
@settings(max_examples=100)
def test_random_relu_count_on_the_line_is_below_serra_montufar_raghu_2n(net):
    tr = trace(net, Line([0.0], [1.0]))
    assert not tr.exact
    _check_relu(net, tr)


# -- hard-tanh -------------------------------------------------------------------------------


@given(rational_networks(input_dim=1, depth=RELU_DEPTH, width=RELU_WIDTH,
                         activations=("hardtanh",)), lines(1, exact=True))
@settings(max_examples=150)
def test_rational_hard_tanh_count_is_below_raghu_hard_tanh_and_3n(net, line):
    _check_hard_tanh(net, trace(net, line))


@given(random_networks(input_dim=1, depth=RELU_DEPTH, width=st.integers(1, 8),
                       activations=("hardtanh",)))
@settings(max_examples=100)
def test_random_hard_tanh_count_is_below_raghu_hard_tanh_and_3n(net):
    _check_hard_tanh(net, trace(net, Line([0.0], [1.0])))


def test_relu_bounds_do_not_apply_to_hard_tanh():
    """One hard-tanh unit, x -> hardtanh(x): 3 pieces on the line (x < -1, |x| < 1, x > 1)."""
    net = Network([[[F(1)]], [[F(1)]]], [[F(0)], [F(0)]], "hardtanh")
    tr = trace(net, Line([F(0)], [F(1)]))
    assert tr.num_pieces == 3 == bounds.raghu_layerwise_bound([1], 1, "hardtanh")
    assert bounds.serra_upper_bound([1], 1) == 2
    assert bounds.montufar2017_upper_bound([1], 1) == 2
    assert bounds.raghu_layerwise_bound([1], 1, "relu") == 2
    assert bounds.montufar_trivial_upper_bound([1]) == 2
    # and deeper: two layers of width 1 reach 5 > 3 = Serra's bound for ReLU widths (1, 1)
    deep = Network([[[F(1)]], [[F(3)]], [[F(1)]]], [[F(0)], [F(0)], [F(0)]], "hardtanh")
    assert trace(deep, Line([F(0)], [F(1)])).num_pieces == 5 > bounds.serra_upper_bound([1, 1], 1)


# -- the one-input bounds themselves -----------------------------------------------------------


@given(st.lists(st.integers(3, 40), min_size=1, max_size=8))
def test_serra_upper_bound_for_one_input_is_prod_n_plus_one(widths):
    expected = math.prod(n + 1 for n in widths)
    assert bounds.serra_upper_bound(widths, 1) == expected
    assert bounds.serra_one_input_maximum(widths) == expected
    assert bounds.serra_lower_bound(widths, 1) == expected
    # the other bounds are at least as large; Montufar 2017 and Raghu coincide for n0 = 1
    assert bounds.montufar2017_upper_bound(widths, 1) == expected
    assert bounds.raghu_layerwise_bound(widths, 1) == expected
    assert expected <= bounds.montufar_trivial_upper_bound(widths)
    assert bounds.montufar_lower_bound(widths, 1) <= expected


@given(st.lists(st.integers(1, 6), min_size=1, max_size=5))
def test_serra_upper_bound_drops_below_prod_only_with_width_one_layers(widths):
    """A width-1 layer below the last one caps the dimension at 0 once its unit is active
    (Serra's J); otherwise the one-input bound is prod(n_l + 1)."""
    value = bounds.serra_upper_bound(widths, 1)
    full = math.prod(n + 1 for n in widths)
    if 1 in widths[:-1]:
        assert value < full
    else:
        assert value == full


def test_serra_bound_below_prod_is_attained_with_a_width_one_layer():
    """widths (1, 3): Serra's bound is 5 < 8 = prod(n_l + 1), and relu(x) followed by three
    thresholds on its active side reaches it (the inactive side is constant afterwards)."""
    net = Network([[[F(1)]], [[F(1)], [F(1)], [F(1)]], [[F(1), F(1), F(1)]]],
                  [[F(0)], [F(-1), F(-2), F(-3)], [F(0)]], "relu")
    assert trace(net, Line([F(0)], [F(1)])).num_pieces == 5 == bounds.serra_upper_bound([1, 3], 1)


@given(st.lists(st.integers(3, 6), min_size=1, max_size=3))
@settings(max_examples=25)
def test_serra_upper_bound_is_attained_for_one_input(widths):
    net, _ = serra_one_input_network(widths)
    assert trace(net, Line([F(0)], [F(1)])).num_pieces == bounds.serra_upper_bound(widths, 1)
