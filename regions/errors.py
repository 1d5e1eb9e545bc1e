"""The exception float mode raises when it cannot answer correctly.

Float mode (``exact=False``) decides with one documented, data-scaled tolerance and raises
rather than answer wrongly: a value within its tolerance of a threshold but beyond rounding
of a coincidence, pre-activations beyond float64's range or made of underflowing terms, a
near-degenerate vertex that rounding makes inconsistent. All of these raise
:class:`FloatModeError`; exact mode (``exact=True``) answers them.

>>> from regions import Network, Segment, trace
>>> net = Network([[[1.0]], [[1.0]]], [[-(1 + 1e-12)], [0.0]], ["relu", "linear"])
>>> try:
...     trace(net, Segment([1.0], [2.0]), exact=False)
... except FloatModeError as err:
...     print("use exact=True" in str(err))
True
>>> trace(net, Segment([1.0], [2.0]), exact=True).num_pieces
2
"""

from __future__ import annotations

__all__ = ["FloatModeError"]


class FloatModeError(FloatingPointError, RuntimeError):
    """Float mode cannot tell the answer here; the message says why and suggests
    ``exact=True``. A :class:`FloatingPointError` and a :class:`RuntimeError`, so code that
    catches either keeps working."""
