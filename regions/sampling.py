"""The sampling baseline: what published code measures, for comparison with :func:`trace`.

Raghu et al. (2017) and most code since count transitions and activation patterns by
evaluating the network at equally spaced points of a trajectory and comparing consecutive
patterns. Every region thinner than the sample gap can be missed, and nothing says how many
were. :func:`sample_trace` does exactly that. Its result shares the counting attributes of
:class:`~regions.Trace` (``num_pieces``, ``num_patterns``, ``transitions``,
``transitions_per_layer``, ``sign_transitions``, ``lengths``), so the two can be set side by
side; its ``patterns`` hold one row per sample, not per piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from . import _numbers
from ._pieces import internal_transitions
from ._stages import lower
from .graph import Graph
from .network import Network
from ._pieces import count_distinct_patterns
from .trajectory import Arc, Line, Polyline, Segment

__all__ = ["sample_trace", "SampledTrace"]


@dataclass(frozen=True, eq=False, repr=False)
class SampledTrace:
    """Pattern changes seen between equally spaced samples of a trajectory.

    Attributes
    ----------
    samples : ndarray
        The ``n`` parameter values, endpoints included.
    patterns : tuple of ndarray
        Per layer, the int8 pattern codes at each sample, shape ``(n, width)``. A sample lying
        exactly on a region boundary gets the tie-rule pattern of
        :mod:`regions.activations`.
    lengths : ndarray
        Per layer, the length of the polygon through the sampled images: a lower bound of the
        exact length that converges to it as ``n`` grows.
    outputs : ndarray
        Network outputs at the samples, shape ``(n, n_out)``.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 (transitions counted along a finely sampled trajectory).

    Examples
    --------
    >>> from regions import Network, Segment, sample_trace
    >>> net = Network([[[1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "relu")
    >>> sample_trace(net, Segment([-1.0], [3.0]), 6).num_pieces
    2

    With 5 samples one lands exactly on the boundary x = 0, where both units are off (the
    tie rule), a pattern of no piece:

    >>> sample_trace(net, Segment([-1.0], [3.0]), 5).patterns[0].tolist()
    [[0, 1], [0, 0], [1, 0], [1, 0], [1, 0]]
    """

    network: Network | Graph
    trajectory: object
    samples: np.ndarray
    patterns: tuple[np.ndarray, ...]
    lengths: np.ndarray
    outputs: np.ndarray
    layer_names: tuple[str, ...] = ()
    _is_max: tuple[bool, ...] = ()

    @cached_property
    def _step_transitions(self) -> np.ndarray:
        """(n - 1, num_layers): neurons switching between consecutive samples, per layer (a
        group maximum switches when its argmax changes)."""
        maxes = self._is_max or (False,) * len(self.patterns)
        cols = [internal_transitions(p.astype(np.int16), changes)
                for p, changes in zip(self.patterns, maxes)]
        return np.stack(cols, axis=1)

    @property
    def change_gaps(self) -> np.ndarray:
        """Indices i such that samples i and i + 1 have different patterns."""
        return np.flatnonzero(self._step_transitions.sum(axis=1) > 0)

    @property
    def num_changes(self) -> int:
        """Number of consecutive sample pairs whose patterns differ."""
        return int(self.change_gaps.shape[0])

    @property
    def num_pieces(self) -> int:
        """The sampling estimate of the number of pieces: ``num_changes + 1``, or
        ``max(1, num_changes)`` on a closed curve (its first and last samples coincide)."""
        if getattr(self.trajectory, "closed", False):
            return max(1, self.num_changes)
        return self.num_changes + 1

    @cached_property
    def num_patterns(self) -> int:
        """Distinct patterns among the samples."""
        return count_distinct_patterns(self.patterns)

    @property
    def transitions_per_layer(self) -> np.ndarray:
        return self._step_transitions.sum(axis=0)

    @property
    def transitions(self) -> int:
        return int(self._step_transitions.sum())

    @property
    def sign_transitions(self) -> int:
        """Sign changes of the scalar output between samples (zeros skipped)."""
        if self.outputs.shape[1] != 1:
            raise ValueError(
                f"sign_transitions needs a network with one output; this one has "
                f"{self.outputs.shape[1]}"
            )
        col = (self.outputs[:, 0] > 0).astype(np.int8) - (self.outputs[:, 0] < 0)
        col = col[col != 0]
        return int(np.count_nonzero(col[1:] != col[:-1]))

    def __repr__(self) -> str:
        return (
            f"SampledTrace(num_samples={self.samples.shape[0]}, num_pieces={self.num_pieces}, "
            f"transitions={self.transitions})"
        )


def sample_trace(
    net: Network, trajectory: Segment | Polyline | Arc, n: int, exact: bool | None = None
) -> SampledTrace:
    """Evaluate activation patterns at ``n`` equally spaced parameters and compare them.

    Parameters
    ----------
    net : Network or Graph
        A dense :class:`~regions.Network` or a :class:`~regions.Graph`.
    trajectory : Segment, Polyline or Arc
        A bounded trajectory (a :class:`~regions.Line` has no equally spaced samples). An
        arc is sampled at equally spaced angles, in float64 (its points are irrational).
    n : int
        Number of samples, at least 2, endpoints included.
    exact : bool or None
        As in :func:`regions.trace`: Fraction arithmetic if true (samples are then exact
        rationals), float64 if false, the inputs' kind if None.

    References
    ----------
    .. [1] M. Raghu et al., "On the Expressive Power of Deep Neural Networks", ICML 2017,
       Section 2.1: transitions counted along a finely sampled trajectory.

    Examples
    --------
    Sampling misses regions thinner than its gap; :func:`regions.trace` does not:

    >>> from regions import random_network, Segment, trace
    >>> net = random_network([2, 32, 32, 1], "hardtanh", sigma_w=4.0, seed=3)
    >>> seg = Segment([-1.0, 0.0], [1.0, 0.5])
    >>> coarse, exact = sample_trace(net, seg, 50), trace(net, seg)
    >>> coarse.num_pieces <= exact.num_pieces
    True
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    if isinstance(trajectory, Line):
        raise ValueError(
            "trajectory must be bounded to be sampled at equal spacing; got a Line (use a "
            "Segment of it)"
        )
    if not isinstance(trajectory, (Segment, Polyline, Arc)):
        raise TypeError(
            "trajectory must be a regions.Segment, Polyline or Arc, got "
            f"{type(trajectory).__name__}"
        )
    if trajectory.dim != net.input_size:
        raise ValueError(
            f"trajectory has dimension {trajectory.dim} but the network's input width is "
            f"{net.input_size}"
        )
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer number of samples, got {n!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2 (both endpoints), got {n}")
    lowered = lower(net, bool(exact) if exact is not None else net.is_exact)
    per_sample = net.input_size + sum(st.num_pre + st.width + st.carry.shape[0]
                                      for st in lowered.stages)
    needed = int(n) * per_sample * (8 if not net.is_exact else 64)
    if needed > 8 * 2**30:
        raise ValueError(
            f"n = {n} samples would need about {needed / 2**30:.0f} GiB (every sample's pattern "
            "and values are kept); sample sub-segments in chunks instead"
        )
    if exact is not None and not isinstance(exact, (bool, np.bool_)):
        raise TypeError(f"exact must be True, False or None, got {exact!r}")
    if isinstance(trajectory, Arc):
        if exact:
            raise ValueError(
                "exact=True cannot sample an Arc: its points are irrational; sample it in "
                "float (exact=False or None)"
            )
        exact = False
    if exact is None:
        exact = net.is_exact or trajectory.is_exact
    exact = bool(exact)
    if lowered.exact != exact:
        lowered = lower(net, exact)
    lo, hi = trajectory.domain
    if exact:
        lo_q, hi_q = Fraction(lo), Fraction(hi)  # (an exact trajectory's domain: integers)
        ts = np.array([lo_q + Fraction(i * (hi_q - lo_q), n - 1) for i in range(n)],
                      dtype=object)
        tr_points = _numbers.to_rational(trajectory(ts))
    else:
        ts = np.linspace(float(lo), float(hi), int(n))
        tr_points = _numbers.to_float(trajectory(ts).astype(np.float64)
                                      if trajectory.is_exact else trajectory(ts))
    patterns, layers = lowered.point_patterns(tr_points)
    images = [tr_points] + [z for _, z in layers]
    lengths = np.array([_polyline_length(z, exact) for z in images])
    return SampledTrace(net, trajectory, ts, tuple(patterns), lengths, layers[-1][1],
                        lowered.names, tuple(st.is_max for st in lowered.stages))


def _polyline_length(z: np.ndarray, exact: bool) -> float:
    d = np.diff(z, axis=0)
    sq = (d * d).sum(axis=1)
    return float(np.sqrt(sq.astype(np.float64)).sum())
