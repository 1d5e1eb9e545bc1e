"""The rational matrix product gives the same rationals with and without python-flint."""

from fractions import Fraction

import numpy as np
import pytest

from regions import _rational, random_network, Segment, trace


def _fractions(rng, shape):
    return np.array([Fraction(v) for v in rng.normal(size=int(np.prod(shape)))],
                    dtype=object).reshape(shape)


def test_matmul_equals_numpy_object_product():
    rng = np.random.default_rng(0)
    a, b = _fractions(rng, (70, 20)), _fractions(rng, (20, 9))
    assert a.shape[0] * a.shape[1] * b.shape[1] >= _rational.MIN_WORK
    got = _rational.matmul(a, b)
    assert got.dtype == object and all(type(v) is Fraction for v in got.flat)
    assert np.array_equal(got, a @ b)


def test_exact_trace_is_the_same_without_python_flint(monkeypatch):
    net = random_network([6, 40, 40, 1], "hardtanh", sigma_w=3.0, seed=1)
    seg = Segment([Fraction(0)] * 6, [Fraction(1)] * 6)
    fast = trace(net, seg, exact=True)
    monkeypatch.setattr(_rational, "_flint", lambda: None)
    slow = trace(net, seg, exact=True)
    assert list(fast.knots) == list(slow.knots)
    assert fast.transitions_per_layer.tolist() == slow.transitions_per_layer.tolist()


def test_python_flint_is_used_when_installed():
    pytest.importorskip("flint")
    assert _rational._flint() is not None
