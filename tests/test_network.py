"""Network evaluation and random initialisation."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regions import Network, random_network
from regions.strategies import points, rational_networks

from .oracle import Oracle


@given(rational_networks(activations=("relu", "hardtanh", "leaky_relu", "abs")), st.data())
def test_exact_evaluation_matches_oracle(net, data):
    x = data.draw(points(net.widths[0], exact=True))
    assert net(x).tolist() == Oracle(net).output(x)
    assert all(isinstance(v, Fraction) for v in net(x))


@given(st.integers(0, 2**32 - 1), st.sampled_from(["relu", "hardtanh", "abs"]))
def test_float_evaluation_matches_exact_evaluation(seed, act):
    net = random_network([3, 5, 4, 2], act, sigma_w=2.0, sigma_b=0.5, seed=seed)
    x = np.random.default_rng(seed).standard_normal((7, 3))
    exact_net = Network(
        [[[Fraction(v) for v in row] for row in w.tolist()] for w in net.weights],
        [[Fraction(v) for v in b.tolist()] for b in net.biases], act,
    )
    exact_out = exact_net([[Fraction(v) for v in row] for row in x.tolist()])
    np.testing.assert_allclose(net(x), exact_out.astype(float), rtol=1e-12, atol=1e-12)
    assert net(x[0]).shape == (2,)


def test_single_activation_string_leaves_the_last_layer_linear():
    net = random_network([2, 3, 3, 2], "hardtanh", seed=0)
    assert [a.name for a in net.activations] == ["hardtanh", "hardtanh", "linear"]
    assert net.num_neurons == 6
    listed = Network(net.weights, net.biases, ["relu", "abs", "relu"])
    assert [a.name for a in listed.activations] == ["relu", "abs", "relu"]


@pytest.mark.parametrize("sigma_w, sigma_b", [(1.0, 0.0), (2.0, 1.0), (np.sqrt(2), 0.3)])
def test_random_network_variances(sigma_w, sigma_b):
    """W_ij ~ N(0, sigma_w^2 / fan_in), b ~ N(0, sigma_b^2): sample moments of a 400 x 400
    layer are within 5 standard errors of the theory."""
    net = random_network([400, 400, 400], "relu", sigma_w=sigma_w, sigma_b=sigma_b, seed=1)
    w = net.weights[0]
    n = w.size
    var = sigma_w**2 / 400
    assert abs(w.mean()) < 5 * np.sqrt(var / n)
    assert abs(w.var() / var - 1) < 5 * np.sqrt(2 / n)
    b = np.concatenate([net.biases[0], net.biases[1]])
    if sigma_b == 0:
        assert np.all(b == 0)
    else:
        assert abs(b.var() / sigma_b**2 - 1) < 5 * np.sqrt(2 / b.size)


def test_random_network_is_reproducible():
    a = random_network([3, 4, 1], seed=7)
    b = random_network([3, 4, 1], seed=7)
    c = random_network([3, 4, 1], seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_network_is_immutable():
    net = random_network([2, 2, 1], seed=0)
    with pytest.raises(ValueError):
        net.weights[0][0, 0] = 1.0
    with pytest.raises(AttributeError):
        net.weights = ()
