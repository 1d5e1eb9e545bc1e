"""Adversarial float-mode cases: float mode gives the exact answer or raises a clear error
(suggesting exact=True), never a silently different one. Each case is compared with
``exact=True`` (rational arithmetic)."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from regions import Network, Plane, partition, random_network


def _pattern_set(part):
    return {tuple(np.concatenate(p)) for p in zip(*part.patterns)}


def nearly_parallel_net(widths, eps, seed):
    """A ReLU network whose first-layer rows are one row times (1 + eps * noise): its
    boundaries are nearly parallel and meet ~1/eps away; random biases and deeper layers."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=widths[0])
    w1 = np.tile(base, (widths[1], 1)) * (1 + eps * rng.normal(size=(widths[1], widths[0])))
    weights = [w1] + [rng.normal(size=(widths[i + 1], widths[i]))
                      for i in range(1, len(widths) - 1)]
    biases = [rng.normal(size=w) for w in widths[1:]]
    return Network(weights, biases, ["relu"] * (len(widths) - 2) + ["linear"])


# -- 1. nearly parallel first-layer boundaries: partition ---------------------------------


@pytest.mark.parametrize("widths, eps, seed", [
    ([2, 3, 3, 1], 1e-10, 23),  # was 14 regions against 15: a thin triangle at ~5e9 lost
    ([2, 3, 3, 1], 1e-10, 29),  # was 12 against 15: a far vertex's value snapped by 0.15
    ([2, 3, 3, 1], 1e-9, 12),   # was 17 against 19
    ([2, 8, 8, 1], 1e-8, 7),    # was 84 against 89
])
def test_nearly_parallel_boundaries_raise_instead_of_losing_regions(widths, eps, seed):
    """With one tolerance times the terms' sizes, values at vertices where nearly parallel
    boundaries meet (far away, ill-conditioned) were snapped onto thresholds they are not
    on, and whole regions vanished or changed pattern. Float mode now carries per-vertex
    error bounds through the vertices it makes and refuses a snap that moves a vertex far."""
    net = nearly_parallel_net(widths, eps, seed)
    exact = partition(net, exact=True)
    assert exact.num_regions > 0
    with pytest.raises(RuntimeError, match="exact=True"):
        partition(net, exact=False)


def test_nearly_parallel_boundaries_decided_exactly_when_the_bounds_allow():
    """Was 23 regions against 24: a far vertex's value (layer 2) carried the previous layer's
    term sizes (~1e10) as its rounding scale; with the error bounds per column (exact zeros
    at the vertex where two boundaries meet) float mode gets the exact regions."""
    net = nearly_parallel_net([2, 3, 3, 1], 1e-8, 7)
    fl, ex = partition(net, exact=False), partition(net, exact=True)
    assert fl.num_regions == ex.num_regions == 24
    assert _pattern_set(fl) == _pattern_set(ex)


@pytest.mark.parametrize("eps", [1e-6, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-14])
def test_nearly_parallel_sweep_float_is_exact_or_raises(eps):
    for seed in range(4):
        net = nearly_parallel_net([2, 3, 3, 1], eps, seed)
        try:
            fl = partition(net, exact=False)
        except RuntimeError as err:
            assert "exact=True" in str(err)
            continue
        ex = partition(net, exact=True)
        assert fl.num_regions == ex.num_regions
        assert _pattern_set(fl) == _pattern_set(ex)


@pytest.mark.parametrize("eps", [1e-9, 1e-10, 1e-11])
def test_plane_slice_with_nearly_parallel_directions_is_exact_or_raises(eps):
    """A Plane whose two directions differ by eps: every restricted first-layer boundary is
    nearly parallel to every other (was 30 regions against 160)."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        net = random_network([4, 8, 8, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
        d = rng.normal(size=4)
        try:
            plane = Plane(rng.normal(size=4), [d, d * (1 + eps * rng.normal(size=4))])
        except ValueError:  # directions dependent to float precision
            continue
        try:
            fl = partition(net, plane, exact=False)
        except RuntimeError as err:
            assert "exact=True" in str(err)
            continue
        ex = partition(net, plane, exact=True)
        assert fl.num_regions == ex.num_regions
        assert _pattern_set(fl) == _pattern_set(ex)


@pytest.mark.parametrize("seed", range(6))
def test_generic_networks_do_not_raise_and_agree(seed):
    """The checks cost generic networks nothing: no error, the exact regions."""
    act = ["relu", "hardtanh", "leaky_relu"][seed % 3]
    net = random_network([2, 6, 6, 1], act, sigma_w=2 ** 0.5, sigma_b=1.0, seed=seed)
    for domain in (None, [[-3.0, -3.0], [3.0, -3.0], [3.0, 3.0], [-3.0, 3.0]]):
        fl, ex = partition(net, domain, exact=False), partition(net, domain, exact=True)
        assert fl.num_regions == ex.num_regions
        assert _pattern_set(fl) == _pattern_set(ex)


def test_coincidences_within_rounding_still_snap():
    """A boundary through a far vertex whose value is rounding (a fraction 1e-16 of its
    edges) still shares the vertex: the leaky chain of the earlier snapping regression."""
    weights = [[[-1, 0]], [[1.5], [0]], [[-.5, 1.5], [1.5, 0], [0, 0]], [[0, .5, 0], [0, .5, 0]],
               [[1, 1], [0, 0], [-2, 0], [0, 0]], [[2, 1, -.5, -1], [1, 3, 0, 1.5]]]
    biases = [[-1], [0, 0], [0, -1, .5], [3, 3], [0, -2, 1, 1], [0, -.5]]
    net = Network([np.array(w, dtype=float) for w in weights],
                  [np.array(b, dtype=float) for b in biases], ["leaky_relu"] * 5 + ["hardtanh"])
    fl, ex = partition(net, exact=False), partition(net, exact=True)
    assert fl.num_regions == ex.num_regions
    assert _pattern_set(fl) == _pattern_set(ex)
