"""The certified planar engine's middle stage: double-double balls at the vertices that the
float64 balls leave open (:meth:`CertifiedPlanarEngine._refine`).

An engine that trusts no float64 ball sends every sign through the middle stage (and, where
a double-double ball does not settle it either, through exact rows); run in lockstep with
the rational engine it must build the same arrangement, and every double-double ball must
hold the exact value of its vertex.
"""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from regions import Network, partition
from regions._planar import PlanarEngine
from regions._planar_certified import CertifiedPlanarEngine
from regions._stages import lower
from regions.certified import exact_pre, lower_certified
from regions.kinds import CERTIFIED, RATIONAL
from regions.strategies import random_networks, rational_networks


class _Distrusting(CertifiedPlanarEngine):
    """Takes no sign from a float64 ball of positive radius, and checks each
    double-double ball made."""

    checked = 0

    def _signs(self, d, r, shifted, at):
        # (a radius 0 is an exactly known value, as at padding and at cut vertices)
        return super()._signs(d, np.where(np.asarray(r) == 0, 0.0, np.inf), shifted, at)

    def _refine(self, v):
        super()._refine(v)
        points = np.array([i for i in v.tolist() if i in self._balls], dtype=np.int64)
        if not points.shape[0]:
            return
        exact = exact_pre(self.lowered, self._exact_points(points), self.stage_index)
        for i, row in zip(points.tolist(), exact):
            mid, rad = self._balls[i]
            for m, r, e in zip(mid, rad, row):
                assert abs(Fraction(m) - e) <= Fraction(r)
            _Distrusting.checked += 1


def _lockstep(net, polygon=None):
    cert = _Distrusting(polygon, CERTIFIED, net)
    exact = PlanarEngine(polygon, RATIONAL)
    for sc, se in zip(lower_certified(net).stages, lower(net, RATIONAL).stages):
        cert.layer(sc)
        exact.layer(se)
        assert cert.nV == exact.nV and cert.nF == exact.nF
        for a, b in zip(cert.layer_codes, exact.layer_codes):
            assert np.array_equal(a, b)
    return cert


@given(net=random_networks(input_dim=2, activations=("relu", "hardtanh", "leaky_relu"),
                           mixed=True, depth=st.integers(2, 3), width=st.integers(1, 4)))
@settings(max_examples=25, deadline=None)
def test_middle_stage_decides_as_rational_arithmetic(net):
    before = _Distrusting.checked
    engine = _lockstep(net)
    assert engine.refined == _Distrusting.checked - before


@given(net=rational_networks(input_dim=2, activations=("relu", "hardtanh"),
                             depth=st.integers(2, 3), width=st.integers(1, 3)))
@settings(max_examples=20, deadline=None)
def test_middle_stage_on_coincidence_heavy_networks(net):
    _lockstep(net)  # exact zeros: the balls cannot settle them, exact rows do


def test_middle_stage_settles_generic_vertices_in_a_box():
    rng = np.random.default_rng(5)
    w = [rng.standard_normal((6, 2)), rng.standard_normal((6, 6)), rng.standard_normal((1, 6))]
    net = Network(w, [rng.standard_normal(6), rng.standard_normal(6), np.zeros(1)],
                  ["relu", "relu", "linear"])
    box = np.array([[-3.0, -3.0], [3.0, -3.0], [3.0, 3.0], [-3.0, 3.0]])
    engine = _lockstep(net, box)
    assert engine.refined > 0
    # generic float weights: no exact row is needed where the balls are ~100 bits
    assert engine.exact_values <= engine.refined // 10


def test_a_wide_partition_needs_few_exact_rows():
    """[2, 40 x 3, 1]: float64's balls leave some vertices open; double-double settles
    nearly all of them, and the result is the rational engine's."""
    from regions import random_network

    net = random_network([2, 40, 40, 40, 1], "relu", seed=11)
    fl = partition(net, exact=False)
    ex = partition(net, exact=RATIONAL)
    assert fl.num_regions == ex.num_regions
    assert {tuple(np.concatenate(p)) for p in zip(*fl.patterns)} == \
        {tuple(np.concatenate(p)) for p in zip(*ex.patterns)}
    stats = fl.filter_stats
    assert not stats.fell_back and stats.reason == ""
