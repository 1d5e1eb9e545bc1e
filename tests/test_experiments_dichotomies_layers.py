"""Raghu et al. Fig. 5 (each layer swept in turn) at quick size: the remaining-depth claim
recomputed from ``Result.data`` with SciPy's Kruskal-Wallis test, the test's helper, and the
dichotomy counter's argument errors."""

import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
stats = pytest.importorskip("scipy.stats")

from regions import Network, random_network  # noqa: E402
from regions.experiments import EXPERIMENTS, dichotomies, dichotomies_layers  # noqa: E402


@pytest.fixture(scope="module")
def layers_result():
    import matplotlib.pyplot as plt

    result = dichotomies_layers.run(quick=True, seed=0)
    yield result
    for fig in result.figures.values():
        plt.close(fig)


def test_registered_after_fig4():
    i = EXPERIMENTS.index("dichotomies")
    assert EXPERIMENTS[i + 1] == "dichotomies_layers"


def test_layers_result_shape(layers_result):
    data = layers_result.data
    assert set(layers_result.figures) == {"dichotomies_layers.png"}
    assert len(data["total_depths"]) >= 2
    for D in data["total_depths"]:
        rows = np.asarray(data["counts"][str(D)])
        assert rows.shape[1] == D  # one sweep per hidden layer, indexed by remaining depth
        assert np.all(rows >= 2) and np.all(rows <= 2 ** data["num_inputs"])
        assert np.all(rows % 2 == 0)  # complementary pairs (zero biases, odd activation)
    assert "| remaining depth |" in layers_result.markdown
    assert "Kruskal-Wallis" in layers_result.markdown


def _groups(data, r):
    return [[row[r] for row in data["counts"][str(D)]] for D in data["total_depths"] if D > r]


def _kw(groups):
    pooled = np.concatenate([np.asarray(g, float) for g in groups])
    if np.all(pooled == pooled[0]):
        return 1.0
    return float(stats.kruskal(*groups).pvalue)


def test_remaining_depth_claims_recomputed(layers_result):
    data = layers_result.data
    alpha = data["alpha"]
    top = max(data["total_depths"])
    shared = [r for r in range(top) if len(_groups(data, r)) >= 2]
    assert shared == data["shared_remaining_depths"] and shared
    p_same = {r: _kw(_groups(data, r)) for r in shared}
    same = all(min(1.0, p * len(shared)) >= alpha for p in p_same.values())
    pooled = {r: sum(_groups(data, r), []) for r in range(top)}
    p_step = [_kw([pooled[r], pooled[r + 1]]) for r in range(top - 1)]
    detected = sum(1 for p in p_step if min(1.0, p * len(p_step)) < alpha)
    p_all = _kw([pooled[r] for r in range(top)])
    geo = [math.exp(np.mean(np.log(pooled[r]))) for r in range(top)]
    factor = math.exp(np.polyfit(np.arange(top), np.log(geo), 1)[0])
    grows = factor > 1.2 and p_all < 1e-3 and 2 * detected >= len(p_step)
    assert [c.holds for c in layers_result.claims] == [same, grows]
    assert data["p_all"] == pytest.approx(p_all, rel=1e-12)
    for r in shared:
        assert data["p_same"][str(r)] == pytest.approx(p_same[r], rel=1e-12)


def test_kruskal_p_helper():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=5), rng.normal(size=6) + 1, rng.normal(size=4)
    assert dichotomies_layers.kruskal_p([a, b, c]) == pytest.approx(stats.kruskal(a, b, c).pvalue)
    assert dichotomies_layers.kruskal_p([[4, 4], [4]]) == 1.0
    with pytest.raises(ValueError, match="at least 2 non-empty samples"):
        dichotomies_layers.kruskal_p([[1, 2]])
    with pytest.raises(ValueError, match="at least 2 non-empty samples"):
        dichotomies_layers.kruskal_p([[1, 2], []])


def test_counter_bad_arguments_name_themselves():
    net = random_network([3, 4, 1], "hardtanh", sigma_w=2.0, seed=0)
    x = np.random.default_rng(0).normal(size=(5, 3))
    wp = np.zeros((4, 3))
    two_out = random_network([3, 4, 2], "hardtanh", seed=0)
    cases = [
        (lambda: dichotomies.count_dichotomies("net", 0, wp, x), TypeError, "net must be"),
        (lambda: dichotomies.count_dichotomies(net, 1.0, wp, x), TypeError, "layer must be"),
        (lambda: dichotomies.count_dichotomies(net, True, wp, x), TypeError, "layer must be"),
        (lambda: dichotomies.count_dichotomies(net, 2, wp, x), ValueError, r"0\.\.1"),
        (lambda: dichotomies.count_dichotomies(net, 0, np.zeros((3, 4)), x), ValueError,
         r"w_prime must have shape \(4, 3\)"),
        (lambda: dichotomies.count_dichotomies(net, 0, wp + np.nan, x), ValueError, "finite"),
        (lambda: dichotomies.count_dichotomies(net, 0, wp, x[:, :2]), ValueError,
         r"inputs must have shape \(s, 3\)"),
        (lambda: dichotomies.count_dichotomies(net, 0, wp, x[0]), ValueError, "inputs must be"),
        (lambda: dichotomies.count_dichotomies(two_out, 0, wp, x), ValueError, "one output"),
        (lambda: dichotomies.count_dichotomies(net, 0, wp, np.ones((63, 3))), ValueError,
         "at most 62"),
        (lambda: dichotomies.sample_dichotomies(net, 0, wp, x, 0), ValueError, "num must be"),
        (lambda: dichotomies.prefix_counts([1, -1]), ValueError, "signs must be a 2-D"),
        (lambda: dichotomies.layer_inputs(net, 0, np.zeros((2, 5))), ValueError, "inputs"),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()


def test_sweeping_a_later_layer_is_sweeping_the_first_layer_of_the_rest():
    """Property: sweeping weight layer l of a network equals sweeping layer 0 of the network
    above it fed with the layer-l inputs (z_i = the forward pass below, written out)."""
    net = random_network([3, 5, 5, 1], "hardtanh", sigma_w=math.sqrt(8.0), seed=4)
    rng = np.random.default_rng(9)
    x = rng.normal(size=(9, 3))
    wp = rng.normal(0.0, 1.2, size=net.weights[1].shape)
    z = np.clip(x @ net.weights[0].T + net.biases[0], -1.0, 1.0)
    upper = Network(net.weights[1:], net.biases[1:], ["hardtanh", "linear"])
    a = dichotomies.count_dichotomies(net, 1, wp, x)
    b = dichotomies.count_dichotomies(upper, 0, wp, z)
    assert a["count"] == b["count"] and a["flips"] == b["flips"]
    assert a["count_by_size"] == b["count_by_size"]
