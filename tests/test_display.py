"""Short reprs (readable Hypothesis failures) and the joint network/trajectory strategy."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import (Arc, Line, Network, Plane, Polyline, Segment, hardtanh, leaky_relu,
                     random_network)
from regions.strategies import networks_and_trajectories


def test_activation_and_network_reprs_are_short():
    assert repr(leaky_relu(0.2)) == "leaky_relu(0.2)"  # the float's exact value, shortest
    assert repr(leaky_relu("1/3")) == "leaky_relu(1/3)"  # a true fraction stays one
    assert repr(hardtanh(-2, 3)) == "hardtanh(-2, 3)"
    net = Network(random_network([2, 3, 1], seed=0).weights, [np.zeros(3), np.zeros(1)],
                  [leaky_relu(0.2), "linear"])
    assert repr(net) == "Network(widths=(2, 3, 1), activations=(leaky_relu(0.2), linear), float64)"


def test_trajectory_reprs_elide_long_vectors():
    seg = Segment(np.arange(100.0), np.ones(100))
    text = repr(seg)
    assert len(text) < 120 and "(100 entries)" in text and "..." in text
    assert repr(Segment([0, 1], [F(1, 3), 2])) == "Segment(x0=[0, 1], x1=[1/3, 2])"
    assert repr(Polyline(np.zeros((50, 784)) + np.arange(50)[:, None])).startswith(
        "Polyline(50 points in 784 dimensions")
    assert "[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]" in repr(Plane([0, 0, 0], [[1.0, 0, 0], [0, 1, 0]]))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_networks_and_trajectories_match_dimensions(data):
    exact = data.draw(st.booleans())
    kinds = data.draw(st.sampled_from([("segment",), ("line", "polyline"), ("arc",)]))
    net, path = data.draw(networks_and_trajectories(exact=exact, kinds=kinds,
                                                    input_dim=st.integers(1, 4)))
    assert path.dim == net.widths[0]
    assert {Segment: "segment", Line: "line", Polyline: "polyline", Arc: "arc"}[type(path)] in kinds
    assert net.is_exact == exact
    if exact and not isinstance(path, Arc):
        assert path.is_exact


@settings(max_examples=1)
@given(st.data())
def test_networks_and_trajectories_refuses_unknown_kinds(data):
    with pytest.raises(ValueError, match="kinds must be a non-empty sequence"):
        data.draw(networks_and_trajectories(kinds=("circle",)))
