"""The patterns-vs-transitions experiment: its claims recomputed from its data, and its
counts against independent traces."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from regions import Arc, Segment, random_network, trace  # noqa: E402
from regions.experiments import patterns_vs_transitions as exp  # noqa: E402
from .experiment_fixtures import quick_fixture  # noqa: E402
from regions.experiments._common import seeds  # noqa: E402


result = quick_fixture(exp)


def test_claims_recomputed_from_the_data(result):
    recs = result.data["records"]
    seg = [r["segment"] for r in recs]
    circ = [r["circle"] for r in recs]
    once, one_to_one, closed = result.claims
    assert once.holds == all(s["patterns"] == s["pieces"] for s in seg)
    assert one_to_one.holds == all(s["transitions"] == s["pieces"] - 1 for s in seg)
    assert closed.holds == (any(c["patterns"] < c["pieces"] for c in circ)
                            and all(c["transitions"] >= c["pieces"] for c in circ
                                    if c["pieces"] > 1))


def test_counts_against_float_traces_of_the_same_networks(result):
    """Each record's counts equal a float trace of the network rebuilt from the setup (an
    independent arithmetic: float64 with its tolerance against the exact engine)."""
    data = result.data
    m, depth = data["input_dim"], data["depth"]
    for r, s in zip(data["records"], seeds(0, data["seeds"]) * len(data["nets"])):
        net = random_network([m] + [r["k"]] * depth + [1], r["activation"],
                             sigma_w=float(np.sqrt(r["sigma_w2"])),
                             sigma_b=0.5 if r["activation"] == "relu" else 0.0, seed=s)
        p, q = np.random.default_rng(s).normal(size=(2, m))
        for path, traj in (("segment", Segment(p, q)), ("circle", Arc.circle(p, q))):
            tr = trace(net, traj, exact=False)
            assert (tr.num_pieces, tr.num_patterns, tr.transitions) == (
                r[path]["pieces"], r[path]["patterns"], r[path]["transitions"])


def test_report_and_figure(result):
    assert "| φ | k | σ_w² |" in result.markdown
    (fig,) = result.figures.values()
    assert [ax.get_xlabel() for ax in fig.axes] == ["distinct activation patterns A"] * 2
