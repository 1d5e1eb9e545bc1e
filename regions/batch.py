"""Many straight trajectories at once: trace a batch of segments in one vectorised run.

:func:`trace_segments` traces every segment ``starts[i] -> ends[i]`` through a network in
one run of the straight-trajectory engine of :mod:`regions.trace`: the segments are laid end
to end in one parameter (segment i on [2i, 2i + 1]) and the joins between them are *gaps*,
pieces the engine carries along but never splits, so each layer is one set of array
operations over the pieces of all segments together. Each segment's answer is the one
:func:`regions.trace` gives for ``Segment(starts[i], ends[i])`` alone: the same knots, pieces,
transitions, output sign transitions and image lengths (float mode measures its tolerance
from the segment's own start, as a single trace does).

:func:`segment_pairs` builds the usual batches from a set of data points: all pairs, or every
consecutive pair along a path through them. :class:`SegmentTraces` holds the answers as arrays
(one entry per segment), as a list of records, or as a pandas DataFrame when pandas is
installed.

Exact mode (``exact=True``) runs the batch in rational arithmetic (gmpy2 / python-flint when
installed): the answers of rational arithmetic, like a certified single trace, without its
float filter.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 2.1 (transitions and trajectory
   length along x(t)), Section 3 (straight trajectories between data points).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _numbers
from ._tables import dataframe
from .graph import Graph
from .kinds import RATIONAL, CertifiedKind, NumberKind, as_kind, cast
from .network import Network
from ._pieces import BatchEngine
from ._stages import Lowered
from .trace import DEFAULT_TOLERANCE, run_straight

__all__ = ["SegmentTraces", "segment_pairs", "trace_segments"]


@dataclass(frozen=True, eq=False)
class SegmentTraces:
    """The traces of a batch of segments, one entry per segment (see :func:`trace_segments`).

    Attributes
    ----------
    starts, ends : ndarray, shape (S, n0)
        The segments.
    num_pieces : ndarray of int, shape (S,)
        Linear pieces (activation regions crossed) along each segment.
    transitions_per_layer : ndarray of int, shape (S, L)
        Neuron transitions at each piecewise-linear layer (Raghu et al.'s count per layer).
    sign_transitions : ndarray of int, shape (S,)
        Sign changes of the (scalar) output along each segment (Raghu et al.'s T); for a
        network with several outputs, summed over them.
    lengths : ndarray of float, shape (S, L + 1)
        Length of each segment's image at the input and after every layer.
    knots : tuple of ndarray
        Each segment's knots, as the fraction of the way from its start (in (0, 1)).
    layer_names : tuple of str
        The layers, in order.
    arithmetic : str
        "float" or "rational".
    """

    starts: np.ndarray
    ends: np.ndarray
    num_pieces: np.ndarray
    transitions_per_layer: np.ndarray
    sign_transitions: np.ndarray
    lengths: np.ndarray
    knots: tuple[np.ndarray, ...]
    layer_names: tuple[str, ...]
    arithmetic: str

    @property
    def transitions(self) -> np.ndarray:
        """Neuron transitions along each segment, over all layers: shape (S,)."""
        return self.transitions_per_layer.sum(axis=1)

    def __len__(self) -> int:
        return int(self.num_pieces.shape[0])

    def records(self) -> list[dict[str, Any]]:
        """One dict per segment: ``segment``, ``num_pieces``, ``transitions``,
        ``sign_transitions``, ``length_in``, ``length_out`` and ``transitions_<layer>``
        for every layer."""
        rows = []
        for i in range(len(self)):
            row: dict[str, Any] = {
                "segment": i, "num_pieces": int(self.num_pieces[i]),
                "transitions": int(self.transitions[i]),
                "sign_transitions": int(self.sign_transitions[i]),
                "length_in": float(self.lengths[i, 0]), "length_out": float(self.lengths[i, -1]),
            }
            for name, v in zip(self.layer_names, self.transitions_per_layer[i]):
                row[f"transitions_{name}"] = int(v)
            rows.append(row)
        return rows

    def to_dataframe(self) -> Any:
        """:meth:`records` as a pandas DataFrame (needs pandas: ``pip install pandas``)."""
        return dataframe(self.records(), "SegmentTraces.to_dataframe", index="segment")

    def __repr__(self) -> str:
        return (f"SegmentTraces({len(self)} segments, {int(self.num_pieces.sum())} pieces, "
                f"{self.arithmetic})")


def segment_pairs(points: Any, how: str = "all") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments between data points: every pair (``how="all"``: i < j) or every consecutive
    pair along the path through them in order (``how="consecutive"``). Returns
    ``(starts, ends, pairs)``, ``pairs[k] = (i, j)`` the indices of segment k's ends.

    Examples
    --------
    >>> starts, ends, pairs = segment_pairs([[0, 0], [1, 0], [0, 1]])
    >>> pairs.tolist()
    [[0, 1], [0, 2], [1, 2]]
    >>> segment_pairs([[0, 0], [1, 0], [0, 1]], how="consecutive")[2].tolist()
    [[0, 1], [1, 2]]
    """
    pts = _numbers.coerce_array(points, "points", 2, "2-D array (one point per row)")
    if how == "all":
        i, j = np.triu_indices(pts.shape[0], k=1)
    elif how == "consecutive":
        i = np.arange(pts.shape[0] - 1)
        j = i + 1
    else:
        raise ValueError(f"how must be 'all' or 'consecutive', got {how!r}")
    return pts[i], pts[j], np.stack([i, j], axis=1).astype(np.int64)


def trace_segments(net: Network | Graph, starts: Any, ends: Any,
                   exact: bool | NumberKind | None = None,
                   tol: float | None = None) -> SegmentTraces:
    """Trace every segment ``starts[i] -> ends[i]`` through ``net`` in one vectorised run.

    Parameters
    ----------
    net : Network or Graph
    starts, ends : array_like, shape (S, n0)
        The segments' ends, floats or Fractions (one kind for both).
    exact : bool or None
        Rational arithmetic (True), float64 with tolerance ``tol`` (False), or inferred from
        the inputs (None: exact when the network or the points hold Fractions).
    tol : float, optional
        Float mode's relative tolerance (default :data:`regions.DEFAULT_TOLERANCE`).

    Returns
    -------
    SegmentTraces
        Per segment what ``regions.trace(net, Segment(starts[i], ends[i]))`` gives.

    See Also
    --------
    regions.trace : one trajectory.
    segment_pairs : all or consecutive pairs of data points.

    Examples
    --------
    >>> from regions import Network
    >>> net = Network([[[1, 0], [0, 1]], [[1, -1]]], [[0, 0], [0]], ["relu", "linear"])
    >>> out = trace_segments(net, [[-1, -1], [-1, 1]], [[1, 1], [1, 2]], exact=False)
    >>> out.num_pieces.tolist(), out.transitions.tolist(), out.sign_transitions.tolist()
    ([2, 2], [2, 1], [0, 0])
    >>> out.records()[1]["num_pieces"]
    2
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or Graph, got {type(net).__name__}")
    a, b = _numbers.coerce_arrays([(starts, "starts", 2), (ends, "ends", 2)], "starts and ends")
    n_in = net.widths[0] if isinstance(net, Network) else net.input_size
    _check_segments(a, b, n_in)
    kind = as_kind(exact, net.is_exact or a.dtype == object, tol, DEFAULT_TOLERANCE,
                   "trace_segments", "net or starts/ends")
    if isinstance(kind, CertifiedKind):  # (the certified filter traces one path)
        kind = RATIONAL
    return _summarise(*_run(net, a, b, kind), a, b, kind)


def _check_segments(a: np.ndarray, b: np.ndarray, n_in: int) -> None:
    if a.shape != b.shape:
        raise ValueError(f"starts and ends must have the same shape; got {a.shape} and "
                         f"{b.shape}")
    if a.shape[1] != n_in:
        raise ValueError(f"starts and ends must have {n_in} columns (the network's inputs); "
                         f"got {a.shape[1]}")
    if a.shape[0] == 0:
        raise ValueError("starts and ends must hold at least one segment; got none")
    same = np.flatnonzero(np.all(a == b, axis=1))
    if same.shape[0]:
        raise ValueError(f"segment {int(same[0])} has starts == ends: a zero-length segment "
                         "has no direction")


def _run(net: Network | Graph, a: np.ndarray, b: np.ndarray,
         kind: NumberKind) -> tuple[BatchEngine, Lowered]:
    """Run the engine on the segments end to end: rows a0, b0, a1, b1, ... at t = 0, 1, 2,
    3, ..., the pieces [b_i, a_i+1] gaps."""
    S = a.shape[0]
    rows = cast(np.stack([a, b], axis=1).reshape(2 * S, -1), kind)
    t = cast(np.arange(2 * S).astype(object), kind)
    gaps = np.zeros(2 * S, dtype=bool)
    gaps[1:-1:2] = True
    return run_straight(net, t, rows, kind, gaps)


def _summarise(engine: BatchEngine, lowered: Lowered, a: np.ndarray, b: np.ndarray,
               kind: NumberKind) -> SegmentTraces:
    """Per-segment answers from the finished engine (the batch interface of
    :class:`regions._pieces.BatchEngine`)."""
    S = a.shape[0]
    seg = engine.segment_of_rows()  # (K,)
    t = engine.t
    K = t.shape[0]
    inner = np.ones(K, dtype=bool)  # rows strictly inside a segment: the knots
    inner[0] = inner[-1] = False
    inner[1:-1] = seg[:-2] == seg[2:]
    layers = len(engine.layer_index)
    per_layer = np.zeros((K, layers), dtype=np.int64)  # transitions at each inner row
    for d, trans in enumerate(engine.layer_transitions):  # (one step per layer)
        made = engine.edge_layer[1:-1] <= d
        per_layer[1:-1][made, d] = trans
    knot = inner & (per_layer.sum(axis=1) > 0)
    pieces = np.bincount(seg[knot], minlength=S) + 1
    transitions = np.zeros((S, layers), dtype=np.int64)
    np.add.at(transitions, seg[knot], per_layer[knot])
    local = (t - 2 * seg)[knot]  # segment i starts at t = 2i
    knots = tuple(np.split(local.astype(np.float64) if not kind.is_exact else local,
                           np.cumsum(np.bincount(seg[knot], minlength=S))[:-1]))
    lengths = np.stack(engine.segment_lengths, axis=1)
    for arr in (pieces, transitions, lengths, a, b):
        arr.setflags(write=False)
    return SegmentTraces(
        starts=a, ends=b, num_pieces=pieces, transitions_per_layer=transitions,
        sign_transitions=_sign_changes(engine.edge_signs(), seg, S), lengths=lengths,
        knots=knots, layer_names=tuple(st.name for st in lowered.stages),
        arithmetic="rational" if kind.is_exact else "float")


def _sign_changes(signs: np.ndarray, seg: np.ndarray, S: int) -> np.ndarray:
    """Sign changes of every output along each segment, summed over outputs: consecutive
    non-zero signs of one segment that differ (zeros do not count as a sign)."""
    out = np.zeros(S, dtype=np.int64)
    for c in range(signs.shape[1]):  # one step per output coordinate
        r = np.flatnonzero(signs[:, c] != 0)
        v, sid = signs[r, c], seg[r]
        change = (v[1:] != v[:-1]) & (sid[1:] == sid[:-1])
        out += np.bincount(sid[1:][change], minlength=S)
    out.setflags(write=False)
    return out
