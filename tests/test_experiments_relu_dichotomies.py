"""The relu_he and dichotomies experiments at quick size: their qualitative claims checked
directly on ``Result.data``, and the exact dichotomy counter against dense sampling."""

import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from regions import Network, random_network  # noqa: E402
from regions.experiments import dichotomies, relu_he  # noqa: E402


def _quick(module):
    import matplotlib.pyplot as plt

    result = module.run(quick=True, seed=0)
    yield result
    for fig in result.figures.values():
        plt.close(fig)


@pytest.fixture(scope="module")
def relu_result():
    yield from _quick(relu_he)


@pytest.fixture(scope="module")
def dich_result():
    yield from _quick(dichotomies)


def _per_layer_ratios(lengths):
    """exp(slope of log length against layer), one per network."""
    out = []
    for row in lengths:
        row = np.asarray(row, dtype=float)
        slope = np.polyfit(np.arange(row.size), np.log(row), 1)[0]
        out.append(math.exp(slope))
    return np.array(out)


# -- relu_he ------------------------------------------------------------------------------

def test_relu_result_shape(relu_result):
    data = relu_result.data
    assert set(relu_result.figures) == {"relu_he_length.png", "relu_he_density.png"}
    assert data["sigma_w2"][0] == 2.0 and max(data["sigma_w2"]) >= 8.0
    n_layers = len(data["depths"])
    for per_sigma in data["lengths"]:
        assert all(len(row) == n_layers for row in per_sigma)
        assert np.all(np.asarray(per_sigma) > 0)
    md = relu_result.markdown
    assert "| sigma_w^2 |" in md and "| width | depth | N |" in md
    assert all(c.holds for c in relu_result.claims)


def test_relu_he_length_does_not_grow_large_sigma_does(relu_result):
    data = relu_result.data
    ratios = [_per_layer_ratios(lengths) for lengths in data["lengths"]]
    he = ratios[data["sigma_w2"].index(2.0)]
    he_hi = he.mean() + 2 * he.std(ddof=1) / math.sqrt(he.size)
    assert he_hi < 1.05
    # the module's own numbers are the same fit
    assert he.mean() == pytest.approx(data["growth_ratio"][0], rel=1e-12)
    for sw2, r in zip(data["sigma_w2"], ratios):
        if sw2 == 2.0:
            continue
        assert r.min() > 1.05 and r.mean() > he_hi
        # ReLU with tiny biases is (almost) positively homogeneous: growth is sigma_w / sqrt 2
        assert r.mean() == pytest.approx(math.sqrt(sw2 / 2), rel=0.05)


def test_relu_transitions_almost_independent_of_sigma_w(relu_result):
    """Paired draws: scaling the weights changes no ReLU pattern when the biases are tiny."""
    trans = [np.asarray(t, dtype=float).sum() for t in relu_result.data["transitions"]]
    assert max(trans) <= 1.25 * min(trans)


def test_regions_per_length_linear_in_neurons(relu_result):
    data = relu_result.data
    n = np.asarray(data["neurons"], dtype=float)
    dens = np.array([np.mean(v) for v in data["densities"]])
    assert dens == pytest.approx(data["density"])
    assert np.all(dens >= 1.0 / data["segment_length"])  # at least one region per segment
    b, a = np.polyfit(n, dens, 1)
    r2 = 1 - np.sum((dens - a - b * n) ** 2) / np.sum((dens - dens.mean()) ** 2)
    assert b > 0 and r2 > 0.9
    knots = dens - 1.0 / data["segment_length"]
    slope = np.polyfit(np.log(n), np.log(knots), 1)[0]
    assert 0.7 <= slope <= 1.3


# -- dichotomies ----------------------------------------------------------------------------

def test_dichotomies_result_shape(dich_result):
    data = dich_result.data
    assert set(dich_result.figures) == {"dichotomies.png", "dichotomies_saturation.png"}
    assert data["swept_layer"] == 0  # Fig. 4 sweeps the first layer
    counts = np.asarray(data["counts"])
    assert counts.shape[:2] == (len(data["widths"]), len(data["depths"]))
    assert np.all(counts >= 2) and np.all(counts <= 2 ** data["num_inputs"])
    assert np.all(counts <= np.asarray(data["arcs"]))
    # sampling never finds more dichotomies than the exact count (widest k, network 0)
    assert np.all(np.asarray(data["sampled"]) <= counts[-1, :, 0])
    # the prefix counts: all 15 inputs is the count; monotone in s, at most doubling, <= 2^s
    by = np.asarray(data["count_by_size"])
    assert np.array_equal(by[..., -1], counts)
    assert np.all(np.diff(by, axis=-1) >= 0) and np.all(by[..., 1:] <= 2 * by[..., :-1])
    assert np.all(by <= 2 ** np.arange(1, by.shape[-1] + 1))
    # zero biases and odd activations: t -> t + pi negates every output, so the dichotomies
    # come in complementary pairs and every count is even
    assert np.all(by % 2 == 0)
    md = dich_result.markdown
    assert "| width |" in md and "| inputs | 2^s |" in md and "first* layer" in md


def test_dichotomies_claims_recomputed(dich_result):
    data = dich_result.data
    counts = np.asarray(data["counts"], dtype=float)
    geo = np.exp(np.log(counts).mean(axis=2))
    depths = np.asarray(data["depths"], dtype=float)
    slope, icpt = np.polyfit(depths, np.log(geo[-1]), 1)
    resid = np.log(geo[-1]) - (icpt + slope * depths)
    r2 = 1 - resid @ resid / ((np.log(geo[-1]) - np.log(geo[-1]).mean()) ** 2).sum()
    assert math.exp(slope) == pytest.approx(data["growth_factor"], rel=1e-9)
    grows = math.exp(slope) > 1.2 and r2 > 0.9 and geo[-1, -1] >= 4 * geo[-1, 0]
    w_slope = np.polyfit(np.log(data["widths"]), np.log(geo[:, -1]), 1)[0]
    wider = w_slope > 0 and geo[-1, -1] > geo[0, -1]
    by = np.asarray(data["count_by_size"], dtype=float)[-1]  # widest k: [depth][seed][s-1]
    frac = {s: by[:, :, s - 1].mean(axis=1) / 2 ** s for s in data["saturation_sizes"]}
    step = {s: math.exp(np.log(by[-1, :, s - 1]).mean() - np.log(by[-2, :, s - 1]).mean())
            for s in data["saturation_sizes"]}
    n = data["num_inputs"]
    sat = (all(frac[s][-1] >= 0.9 and step[s] < step[n]
               for s in data["saturation_sizes"] if s <= 4) and frac[n][-1] < 1.0)
    assert [c.holds for c in dich_result.claims] == [grows, wider, sat]
    for s in data["saturation_sizes"]:
        np.testing.assert_allclose(data["saturation_fraction"][str(s)], frac[s], rtol=1e-12)


def test_prefix_counts_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(20):
        signs = rng.choice([-1, 1], size=(rng.integers(1, 40), rng.integers(1, 9)))
        expect = [len({tuple(row[:s]) for row in signs}) for s in range(1, signs.shape[1] + 1)]
        assert dichotomies.prefix_counts(signs) == expect


def test_layer_inputs_is_the_forward_pass_below():
    net = random_network([4, 6, 5, 1], "hardtanh", sigma_w=2.0, sigma_b=0.5, seed=1)
    x = np.random.default_rng(0).normal(size=(7, 4))
    z = x
    for l in range(3):
        np.testing.assert_allclose(dichotomies.layer_inputs(net, l, x), z, rtol=1e-13, atol=0)
        z = np.clip(z @ net.weights[l].T + net.biases[l], -1.0, 1.0)


def _sampled_signs(net, layer, w_prime, inputs, num):
    """Independent baseline: the forward pass with W(t) = W cos t + W' sin t substituted,
    written out directly (hard-tanh = clip), at ``num`` equally spaced angles."""
    ts = np.arange(num) * (2 * math.pi / num)
    seen = set()
    for chunk in np.array_split(ts, max(1, num // 4000)):
        z = np.repeat(np.asarray(inputs, dtype=float)[None], chunk.size, axis=0)  # (T, s, m)
        for l, (w, b, act) in enumerate(zip(net.weights, net.biases, net.activations)):
            if l == layer:
                wt = (np.cos(chunk)[:, None, None] * w[None]
                      + np.sin(chunk)[:, None, None] * np.asarray(w_prime)[None])
                h = np.einsum("tsi,tji->tsj", z, wt) + b
            else:
                h = z @ w.T + b
            z = np.clip(h, -1.0, 1.0) if act.name == "hardtanh" else h
        sg = np.sign(z[:, :, 0]).astype(np.int8)
        seen.update(map(bytes, sg[np.all(sg != 0, axis=1)]))
    return len(seen)


def test_exact_counter_matches_dense_sampling_on_tiny_network():
    rng = np.random.default_rng(5)
    net = random_network([3, 4, 4, 1], "hardtanh", sigma_w=math.sqrt(8.0), seed=11)
    inputs = rng.normal(size=(15, 3))
    for layer in (0, 1, 2):
        w_prime = rng.normal(0.0, math.sqrt(8.0 / net.weights[layer].shape[1]),
                             size=net.weights[layer].shape)
        res = dichotomies.count_dichotomies(net, layer, w_prime, inputs)
        num = 20000
        sampled = _sampled_signs(net, layer, w_prime, inputs, num)
        assert sampled <= res["count"] <= res["arcs"]
        assert sum(res["flips"]) % 2 == 0
        if res["min_gap"] > 2 * (2 * math.pi / num):  # every arc holds a sample
            assert sampled == res["count"]
            for size in (1, 3, 7):
                assert res["count_by_size"][size - 1] == _sampled_signs(
                    net, layer, w_prime, inputs[:size], num)
        # the module's own sampler agrees with the independent one
        assert dichotomies.sample_dichotomies(net, layer, w_prime, inputs, num) == sampled


def test_exact_counter_never_below_sampling_on_deeper_network():
    rng = np.random.default_rng(2)
    net = random_network([10, 20, 20, 20, 20, 1], "hardtanh", sigma_w=math.sqrt(8.0), seed=3)
    inputs = rng.normal(size=(15, 10))
    w_prime = rng.normal(0.0, math.sqrt(8.0 / 10), size=net.weights[0].shape)
    res = dichotomies.count_dichotomies(net, 0, w_prime, inputs)
    sampled = _sampled_signs(net, 0, w_prime, inputs, 20000)
    assert 0 < sampled <= res["count"] <= res["arcs"]


def test_exact_counter_hand_case():
    """One hidden hard-tanh unit sweeping its own weight: y_i = hardtanh(cos t x_i + sin t
    x'_i) with x' from W' = [[0, 1]]: input (a, c) flips where a cos t + c sin t = 0."""
    net = Network([[[1.0, 0.0]], [[1.0]]], [[0.0], [0.0]], ["hardtanh", "linear"])
    inputs = np.array([[1.0, 0.0], [0.0, 1.0]])
    res = dichotomies.count_dichotomies(net, 0, [[0.0, 1.0]], inputs)
    # signs (cos t, sin t): quadrants give (+,+), (-,+), (-,-), (+,-): 4 dichotomies
    assert res["count"] == 4 and res["arcs"] == 4 and res["flips"] == [2, 2]
    assert res["min_gap"] == pytest.approx(math.pi / 2)
