"""Serra et al.'s wide-input and bottleneck findings: claims recomputed from the data, and
the counts against an independent count of activation patterns."""

import itertools

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from bounds import serra_upper_bound  # noqa: E402
from regions import random_network  # noqa: E402
from regions.experiments import shallow_vs_deep_inputs as exp  # noqa: E402
from regions.experiments._common import seeds  # noqa: E402

from .experiment_fixtures import quick_run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    with quick_run(exp) as res:
        yield res


def test_claims_recomputed_from_the_data(result):
    rows = result.data["rows"]
    full, beaten, below, narrow = result.claims
    for r in rows:
        assert r["serra"] == serra_upper_bound(r["widths"], r["n0"])
    wide = [r for r in rows if r["n0"] >= r["N"]]
    assert full.holds == all(min(r["counts"]) == 2 ** r["N"] for r in wide
                             if len(r["widths"]) == 1)
    assert beaten.holds == all(max(r["counts"]) < 2 ** r["N"] for r in wide
                               if len(r["widths"]) > 1)
    assert below.holds == all(max(r["counts"]) <= r["serra"] for r in rows)
    by = {(r["n0"], tuple(r["widths"])): r for r in rows}
    a, b = by[4, (2, 8)], by[4, (8, 2)]
    assert narrow.holds == (max(a["counts"]) < min(b["counts"]) and a["serra"] < b["serra"])


def test_shallow_count_is_the_number_of_sign_vectors(result):
    """One layer with n0 >= N: the regions are the realisable sign vectors of N affine
    functions of R^n0; in general position all 2^N are, which a linear system confirms: for
    every sign vector s some x has sign(W x + b) = s (W has full row rank, so W x = s - b
    is solvable)."""
    r = next(r for r in result.data["rows"] if len(r["widths"]) == 1)
    for s in seeds(0, result.data["seeds"]):
        net = random_network([r["n0"], r["N"], 1], "relu", sigma_w=np.sqrt(2.0),
                             sigma_b=0.5, seed=s)
        w, b = net.weights[0], net.biases[0]
        assert np.linalg.matrix_rank(w) == r["N"]
        for sign in itertools.product((-1.0, 1.0), repeat=r["N"]):
            x = np.linalg.lstsq(w, np.array(sign) - b, rcond=None)[0]
            assert np.array_equal(np.sign(w @ x + b), np.array(sign))
    assert r["counts"] == [2 ** r["N"]] * result.data["seeds"]


def test_report_and_figure(result):
    assert "| n0 | widths | N |" in result.markdown
    (fig,) = result.figures.values()
    assert all(ax.get_yscale() == "log" for ax in fig.axes)
