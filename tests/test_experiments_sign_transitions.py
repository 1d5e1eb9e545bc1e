"""Raghu et al.'s Theorem 2 experiment: claims recomputed from its data, counts checked in
exact arithmetic."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from regions import Arc, Network, random_network, trace  # noqa: E402
from regions.experiments import sign_transitions_large_sigma as exp  # noqa: E402
from .experiment_fixtures import quick_fixture  # noqa: E402
from regions.experiments._common import fit_line, seeds  # noqa: E402


result = quick_fixture(exp)


def test_claims_recomputed_from_the_data(result):
    rows = result.data["rows"]
    for r in rows:
        mean = np.mean(r["counts"], axis=0)
        assert np.allclose(mean, r["mean"])
        _, slope, r2 = fit_line(np.arange(2, len(mean) + 1), np.log(mean[1:]))
        assert np.isclose(np.exp(slope), r["growth"]) and np.isclose(r2, r["r2"])
        assert r["base"] == pytest.approx(np.sqrt(r["k"]))
    grows, rising, below = result.claims
    assert grows.holds == all(r["growth"] > 1.3 and r["r2"] >= 0.9 for r in rows
                              if r["sigma_w2"] >= exp.LARGE)
    assert rising.holds == (rows[-1]["growth"] > rows[0]["growth"])
    assert below.holds == all(r["growth"] <= np.sqrt(r["k"]) for r in rows)


def test_first_network_counts_in_exact_arithmetic(result):
    """The sign changes of the readout at every depth, for the first network of each row,
    recounted by the exact arc engine (quadratic irrationals) on the same weights."""
    depth = result.data["depth"]
    s = seeds(0, result.data["seeds"])[0]
    for r in result.data["rows"]:
        k = r["k"]
        rng = np.random.default_rng(s)
        net = random_network([k] * (depth + 1) + [1], "hardtanh",
                             sigma_w=float(np.sqrt(r["sigma_w2"])), seed=s)
        p, q = rng.normal(size=(2, k))
        readout = rng.normal(size=(1, k)) / np.sqrt(k)
        for d in range(1, depth + 1):
            sub = Network(list(net.weights[:d]) + [readout],
                          list(net.biases[:d]) + [np.zeros(1)], ["hardtanh"] * d + ["linear"])
            tr = trace(sub, Arc.circle(p, q), exact=True)
            assert tr.sign_transitions == r["counts"][0][d - 1], (r["sigma_w2"], d)


def test_base_and_report(result):
    assert exp.base(16, 100.0) == 4.0
    assert exp.base(4, 1.0, 3.0) == pytest.approx(1.0)
    assert "| k | σ_w² |" in result.markdown
