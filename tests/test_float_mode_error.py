"""Float mode's failures raise one class, FloatModeError (a FloatingPointError and a
RuntimeError), from every engine."""

import numpy as np
import pytest

from regions import FloatModeError, Network, Segment, partition, random_network, trace


def test_it_is_both_builtin_kinds():
    assert issubclass(FloatModeError, FloatingPointError)
    assert issubclass(FloatModeError, RuntimeError)


def test_trace_beyond_rounding():
    net = Network([[[1.0]], [[1.0]]], [[-(1 + 1e-12)], [0.0]], ["relu", "linear"])
    with pytest.raises(FloatModeError, match="exact=True"):
        trace(net, Segment([1.0], [2.0]), exact=False)


@pytest.mark.parametrize("factor, what", [(1e-200, "underflow"), (1e300, "overflow")])
def test_range_failures_in_trace_and_partition(factor, what):
    base = random_network([2, 8, 8, 1], "relu", sigma_w=1.4, seed=0)
    net = Network([w * factor for w in base.weights], base.biases, "relu")
    with pytest.raises(FloatModeError, match=what):
        trace(net, Segment([-1.0, 0.0], [1.0, 0.5]))
    with pytest.raises(FloatModeError, match=what):
        partition(net)


def test_exact_mode_answers_where_float_mode_raises():
    net = Network([[[1.0]], [[1.0]]], [[-(1 + 1e-12)], [0.0]], ["relu", "linear"])
    assert trace(net, Segment([1.0], [2.0]), exact=True).num_pieces == 2
    assert np.isfinite(trace(net, Segment([1.0], [2.0]), exact=True).lengths).all()
