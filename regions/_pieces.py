"""Bookkeeping shared by the tracing engines: sides of thresholds, edge insertion, knot
grouping, per-layer transitions, and the defaults every engine answers to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:  # (no import at run time: _stages imports the engines' modules)
    from ._stages import Stage

__all__: list[str] = []


def sides(d: np.ndarray, noise: Any = 0) -> np.ndarray:
    """+1 / -1 / 0 for values above / below / on zero (within ``noise``; exact mode passes 0,
    and the comparisons then work on Fraction object arrays too)."""
    return (d > noise).view(np.int8) - (d < -noise).view(np.int8)


def internal_transitions(index: np.ndarray, changes: bool = False) -> np.ndarray:
    """Pieces switched at each edge between neighbouring pieces: sum over neurons of
    |change of piece index| (with ``changes``: the number of entries that change, as for
    the argmax of a group maximum)."""
    if index.shape[0] < 2:
        return np.zeros(0, dtype=np.int64)
    if changes:
        return (index[1:] != index[:-1]).sum(axis=1, dtype=np.int64)
    return np.abs(np.diff(index, axis=0)).sum(axis=1, dtype=np.int64)


def knot_starts(tc: np.ndarray, tol: float, exact: bool,
                local: np.ndarray | None = None) -> np.ndarray:
    """For sorted crossing parameters, where a new knot starts: crossings at one parameter
    (exact) or within ``tol * max(1, |t|)`` of the previous one (float; t measured as
    ``local`` when given, e.g. from the start of a batch's segment) share a knot."""
    starts = np.ones(tc.shape[0], dtype=bool)
    if exact:
        starts[1:] = tc[1:] != tc[:-1]
    else:
        size = np.abs(tc[1:] if local is None else local[1:])
        starts[1:] = (tc[1:] - tc[:-1]) > tol * np.maximum(1.0, size)
    return starts


def merge_rows(old: np.ndarray, new: np.ndarray, is_new: np.ndarray) -> np.ndarray:
    """Rows of ``old`` and ``new`` interleaved: ``new`` where ``is_new`` is set."""
    out = np.empty((is_new.shape[0],) + old.shape[1:], dtype=old.dtype)
    out[~is_new] = old
    out[is_new] = new
    return out


def insert_edges(engine: Any, new_t: np.ndarray) -> np.ndarray:
    """Insert the sorted parameters ``new_t`` (each strictly inside a piece) into the
    engine's edges, recording the current layer as their creator; returns the mask of the new
    edges among all edges."""
    old = engine.t
    is_new = np.zeros(old.shape[0] + new_t.shape[0], dtype=bool)
    is_new[np.searchsorted(old, new_t) + np.arange(new_t.shape[0])] = True
    engine.t = merge_rows(old, new_t, is_new)
    layer = np.full(new_t.shape[0], len(engine.layer_index), dtype=np.int64)
    engine.edge_layer = merge_rows(engine.edge_layer, layer, is_new)
    return is_new


def record_layer(engine: Any, index: np.ndarray, changes: bool = False) -> None:
    """Store a layer's pattern index and its transitions (between neighbouring pieces, and
    across the start point of a closed curve); ``changes`` as in
    :func:`internal_transitions`."""
    engine.layer_index.append(index)
    engine.layer_transitions.append(internal_transitions(index, changes))
    wrap = 0
    if engine.closed:
        step = index[-1].astype(np.int64) - index[0]
        wrap = int(np.count_nonzero(step) if changes else np.abs(step).sum())
    engine.wrap_transitions.append(wrap)


class TraceEngine(Protocol):
    """The interface between a tracing engine and the driver that builds a
    :class:`~regions.Trace` from it. Engines (straight, arc, exact arc, certified) implement
    it; the driver reads nothing else.

    Attributes
    ----------
    exact : bool
        Whether the answer is exact.
    tol : float
        Float tolerance (0 when exact).
    t : ndarray
        The finite edges' parameters, sorted along the trajectory.
    edge_layer : ndarray of int
        Per edge, the layer that made it (-1: the trajectory's own edges).
    layer_index, layer_transitions, wrap_transitions : lists
        Per layer: the piece index of every piece and neuron, the transitions at every
        internal edge, and across the start point of a closed curve (see
        :func:`record_layer`).
    lengths : list of float
        The image's length at the input and after every layer.
    left, right : ndarray or None
        Slopes on unbounded ends (None without one).
    closed : bool
        A closed curve.
    """

    exact: bool
    tol: float
    edge_layer: np.ndarray
    layer_index: list[np.ndarray]
    layer_transitions: list[np.ndarray]
    wrap_transitions: list[int]
    lengths: list[float]
    left: np.ndarray | None
    right: np.ndarray | None
    closed: bool

    @property
    def t(self) -> np.ndarray:
        """The finite edges' parameters (read only: an engine may derive them)."""

    def layer(self, st: Stage) -> None:
        """Split the pieces where stage ``st`` changes pattern, record it, apply it."""

    @property
    def edge_exact(self) -> bool:
        """Whether the reported edges are exact numbers."""

    def knot_parameters(self, kept: np.ndarray) -> np.ndarray:
        """The parameters of the edges ``kept``."""

    def exact_knot_values(self, kept: np.ndarray) -> np.ndarray | None:
        """Exact values of the edges ``kept`` where the parameters are not exact."""

    def sign_changes(self) -> np.ndarray:
        """Sign changes of every output coordinate along the trajectory."""


class BatchEngine(TraceEngine, Protocol):
    """A :class:`TraceEngine` run on several segments laid end to end (gaps between them
    never split): what :mod:`regions.batch` reads besides the trace interface.

    Attributes
    ----------
    segment_lengths : list of ndarray
        At the input and after every layer: each segment's image length, shape (S,).
    """

    segment_lengths: list[np.ndarray]

    def segment_of_rows(self) -> np.ndarray:
        """The segment of every edge (row)."""

    def edge_signs(self) -> np.ndarray:
        """The sign of every output at every edge, (edges, outputs), as the trace decides it."""


class EngineBase:
    """Defaults of :class:`TraceEngine` for a straight trajectory: no unbounded ends unless
    set, not closed, knots reported as the parameters of the edges themselves."""

    left: np.ndarray | None = None
    right: np.ndarray | None = None
    closed = False
    exact: bool
    t: np.ndarray

    @property
    def edge_exact(self) -> bool:
        """Whether the reported edges are exact numbers (Fractions)."""
        return self.exact

    def knot_parameters(self, kept: np.ndarray) -> np.ndarray:
        """The parameters t of the edges ``kept``."""
        return self.t[kept]

    def exact_knot_values(self, kept: np.ndarray) -> np.ndarray | None:
        """Exact values of the edges ``kept`` where the parameters themselves are not exact
        (arcs); None otherwise."""
        return None


def pattern_rows(patterns) -> np.ndarray:
    """One comparable (void) key per row of the per-layer pattern arrays placed side by side:
    equal keys, equal patterns."""
    full = np.ascontiguousarray(np.concatenate([p.astype(np.int8) for p in patterns], axis=1))
    return full.view(np.dtype((np.void, full.shape[1]))).reshape(-1)


def count_distinct_patterns(patterns) -> int:
    """Number of distinct rows of the per-layer pattern arrays placed side by side."""
    return int(np.unique(pattern_rows(patterns)).shape[0])

