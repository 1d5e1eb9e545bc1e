"""Telgarsky's separation: the exact L1 distance against closed forms and a fine quadrature,
and the claims recomputed from the data."""

from fractions import Fraction

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from regions import Network  # noqa: E402
from regions.constructions import sawtooth  # noqa: E402
from regions.experiments import telgarsky_separation as exp  # noqa: E402

from .experiment_fixtures import quick_run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    with quick_run(exp) as res:
        yield res


@pytest.mark.parametrize("L", [1, 2, 4])
def test_distance_to_a_constant_is_a_quarter(L):
    """The sawtooth's values cover [0, 1] uniformly on every tooth: |f - 1/2| averages 1/4."""
    f, _ = sawtooth(L)
    half = Network([[[Fraction(1)]], [[Fraction(0)]]], [[Fraction(0)], [Fraction(1, 2)]],
                   ["relu", "linear"])
    assert exp.l1_distance(f, half) == Fraction(1, 4)
    assert exp.l1_distance(f, f) == 0


def test_distance_against_a_fine_quadrature():
    f, _ = sawtooth(4)
    g = exp.fit_shallow(4, 8, "leading")
    x = (np.arange(200_000) + 0.5) / 200_000
    gx = g(x[:, None])[:, 0]
    tooth = 2 ** 4 * x % 2
    fx = np.where(tooth < 1, tooth, 2 - tooth)  # the tent map composed 4 times
    assert np.allclose(fx[::997], f(x[::997, None]).astype(float)[:, 0])
    want = np.abs(fx - gx).mean()
    assert float(exp.l1_distance(f, g)) == pytest.approx(want, abs=1e-6)


def test_claims_recomputed_from_the_data(result):
    rows = result.data["rows"]
    far, exact, doubles = result.claims
    for r in rows:
        assert r["distance"] == min(r[f"distance_{k}"] for k in exp.KNOTS)
    assert far.holds == all(r["distance"] >= exp.FAR for r in rows
                            if r["width"] < 2 ** (r["L"] - 1))
    assert exact.holds == all(r["distance"] < 1e-9 for r in rows if r["width"] >= 2 ** r["L"])
    with pytest.raises(ValueError, match="knots must be one of"):
        exp.fit_shallow(3, 4, "random")
