"""The engine of :mod:`regions.streaming` and :mod:`regions.distributed`: chunks of a
trajectory traced and merged exactly, tiles of a box partitioned, exact pattern keys.

See :mod:`regions.streaming` for what is computed and why the merges are exact. The names
here without a leading underscore are shared by those two modules (and their tests); they
are not part of the public API.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 2.1.
"""

from __future__ import annotations

import heapq
import math
import os
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from . import _numbers
from .graph import Graph
from .kinds import RATIONAL, NumberKind, as_kind, to_fraction
from .network import Network
from .domains import Box
from .plane import Plane
from .trace import DEFAULT_TOLERANCE, trace
from .trajectory import Arc, Line, Polyline, Segment

__all__ = ["TraceSummary", "PartitionSummary", "trace_summary", "partition_summary",
           "DEFAULT_CHUNK_PIECES", "DEFAULT_CHUNK_REGIONS", "TraceMerger", "Packer",
           "DistinctKeys", "check_trajectory", "check_chunk_pieces", "check_chunk_regions",
           "is_exact_mode", "trace_chunk", "trace_range", "mandatory_cuts", "line_window",
           "parameter_value", "snap_chunk_end", "arc_cuts", "planar_box", "tile_grid",
           "tile_task", "nd_box", "nd_grid", "nd_grid_tiles", "nd_tile_task"]

DEFAULT_CHUNK_PIECES = 100_000
"""Default most pieces traced at once by :func:`trace_summary` (about 0.3 GB on a dense
network of width 100 and depth 14)."""

DEFAULT_CHUNK_REGIONS = 20_000
"""Default most regions partitioned at once by :func:`partition_summary`."""

_Param = Fraction | float  # a trajectory parameter: exact (Fraction) or float

_MEMORY_BUDGET = 256 * 2 ** 20  # bytes of pattern keys kept in memory before spilling


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceSummary:
    """The counts of a trace, computed chunk by chunk (see :func:`trace_summary`).

    Attributes
    ----------
    num_pieces, num_patterns, num_linear_pieces : int
        As :class:`regions.Trace`'s.
    transitions_per_layer : tuple of int
        Neuron transitions per layer (output layer last).
    sign_transitions_per_output : tuple of int
        Sign changes of each output coordinate.
    lengths : tuple of float
        Image length at the input and after every layer.
    num_chunks : int
        How many sub-trajectories were traced (and kept).
    exact : bool
        Whether the chunks were traced in exact arithmetic.
    knots : tuple or None
        The knots (Fractions in exact mode) when asked for with ``knots=True``.
    """

    num_pieces: int
    num_patterns: int
    transitions_per_layer: tuple[int, ...]
    sign_transitions_per_output: tuple[int, ...]
    num_linear_pieces: int
    lengths: tuple[float, ...]
    num_chunks: int
    exact: bool
    knots: tuple | None = field(default=None, repr=False)

    @property
    def transitions(self) -> int:
        """Total number of neuron transitions."""
        return int(sum(self.transitions_per_layer))

    @property
    def num_knots(self) -> int:
        return self.num_pieces - 1

    @property
    def sign_transitions(self) -> int:
        """Sign changes of the scalar output (Raghu et al.'s T)."""
        if len(self.sign_transitions_per_output) != 1:
            raise ValueError("sign_transitions needs a network with one output; this one has "
                             f"{len(self.sign_transitions_per_output)} (see "
                             "sign_transitions_per_output)")
        return self.sign_transitions_per_output[0]


@dataclass(frozen=True)
class PartitionSummary:
    """The region count of a rectangle, computed tile by tile (see
    :func:`partition_summary`).

    Attributes
    ----------
    num_regions : int
        Distinct activation patterns over the tiles: the activation regions of positive area
        in the rectangle, as :attr:`regions.Partition.num_regions`.
    num_tiles : int
    exact : bool
    """

    num_regions: int
    num_tiles: int
    exact: bool


# -- exact distinct keys ---------------------------------------------------------------------


class Packer:
    """Pattern rows (per-layer int8 codes) to fixed-length byte keys, bit-packed from the
    network's code ranges, so equal keys mean equal patterns."""

    def __init__(self, net: Network | Graph) -> None:
        from ._stages import lower

        stages = lower(net, False).stages
        self.is_max = [st.is_max for st in stages]
        lows = [int(np.min(st.codes)) if not st.is_max else 0 for st in stages]
        highs = [int(np.max(st.codes)) if not st.is_max else int(st.groups.shape[1]) - 1
                 for st in stages]
        self.low = np.concatenate([np.full(st.width, lo, dtype=np.int16)
                                   for st, lo in zip(stages, lows)])
        span = max(h - lo for h, lo in zip(highs, lows))
        self.bits = 1 if span < 2 else 2 if span < 4 else 4 if span < 16 else 8

    def keys(self, patterns: Sequence[np.ndarray]) -> np.ndarray:
        """One row of uint8 per pattern row: shape (rows, key length)."""
        full = np.concatenate([np.asarray(p, dtype=np.int16) for p in patterns], axis=1)
        full = (full - self.low).astype(np.uint8)
        if self.bits == 8:
            return np.ascontiguousarray(full)
        per = 8 // self.bits
        pad = (-full.shape[1]) % per
        if pad:
            full = np.concatenate([full, np.zeros((full.shape[0], pad), np.uint8)], axis=1)
        full = full.reshape(full.shape[0], -1, per)
        shifts = (np.arange(per, dtype=np.uint8) * self.bits)
        return np.ascontiguousarray((full << shifts).sum(axis=2, dtype=np.uint16)
                                    .astype(np.uint8))


class DistinctKeys:
    """Counts distinct fixed-length byte keys exactly: a set in memory, then (beyond
    ``budget`` bytes) sorted runs on disk merged at the end."""

    def __init__(self, budget: int = _MEMORY_BUDGET, tmpdir: str | None = None) -> None:
        self.budget, self.tmpdir = budget, tmpdir
        self.keys: set[bytes] = set()
        self.width = 0
        self.runs: list[str] = []
        self._dir: tempfile.TemporaryDirectory | None = None

    def add(self, rows: np.ndarray) -> None:
        if rows.shape[0] == 0:
            return
        self.width = rows.shape[1]
        uniq = np.unique(rows, axis=0)
        self.keys.update(map(bytes, uniq))
        if len(self.keys) * (self.width + 80) > self.budget:
            self._spill()

    def _spill(self) -> None:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="regions-keys-", dir=self.tmpdir)
        path = os.path.join(self._dir.name, f"run{len(self.runs)}.bin")
        with open(path, "wb") as f:
            for k in sorted(self.keys):
                f.write(k)
        self.runs.append(path)
        self.keys = set()

    def count(self) -> int:
        if not self.runs:
            return len(self.keys)
        if self.keys:
            self._spill()
        files = [open(p, "rb") for p in self.runs]
        try:
            def read(f) -> Iterator[bytes]:
                while True:
                    k = f.read(self.width)
                    if not k:
                        return
                    yield k
            n, last = 0, None
            for k in heapq.merge(*(read(f) for f in files)):
                if k != last:
                    n, last = n + 1, k
            return n
        finally:
            for f in files:
                f.close()
            if self._dir is not None:
                self._dir.cleanup()


# -- one chunk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """What the merge needs of one traced chunk [lo, hi] (small; picklable)."""

    lo: Fraction | float  # the chunk's parameter interval (exact or float)
    hi: Fraction | float
    num_pieces: int
    transitions: np.ndarray
    sign_changes: np.ndarray
    num_linear_pieces: int
    lengths: np.ndarray
    first: tuple[np.ndarray, ...]  # pattern of the first / last piece, per layer
    last: tuple[np.ndarray, ...]
    first_signs: np.ndarray  # first / last non-zero output sign (0: none in the chunk)
    last_signs: np.ndarray
    arithmetic: str
    tol: float
    keys: np.ndarray | None = None  # distinct pattern keys (polylines, arcs)
    knots: np.ndarray | None = None  # in the parent's parameter
    at: Fraction | float | None = None  # the knot value reported when lo is a knot (default lo)


def _signs(net, points: np.ndarray, exact: bool, tol: float) -> np.ndarray:
    """Output signs at points (rows): exact, or as a float trace reads them on a dense
    network (zero within ``tol`` times the size of the last layer's terms)."""
    if exact or not isinstance(net, Network):
        out = net(points)
        return (out > 0).astype(np.int8) - (out < 0).astype(np.int8)
    prev = np.asarray(points, dtype=np.float64)  # the last layer's input
    for w, b, act in zip(net.weights[:-1], net.biases[:-1], net.activations[:-1]):
        prev = act(prev @ np.asarray(w, dtype=np.float64).T + np.asarray(b, dtype=np.float64))
    w, b = (np.asarray(v, dtype=np.float64) for v in (net.weights[-1], net.biases[-1]))
    out = net.activations[-1](prev @ w.T + b)
    noise = tol * (np.abs(prev) @ np.abs(w).T + np.abs(b)[None, :])  # |A| |z| + |b|
    return ((out > noise).astype(np.int8) - (out < -noise).astype(np.int8))


def _end_signs(net, sub, tr, exact: bool, tol: float, from_end: bool) -> np.ndarray:
    """The first (or last) non-zero output sign of each output along a traced chunk,
    reading edges from one end until every output has one (0 where it has none); the
    trace's edges (exact values: a certified trace computes them on first use) are read
    only when the output is zero at the chunk's end."""
    end = sub.domain[1] if from_end else sub.domain[0]
    pts = sub(np.array([end], dtype=object if exact else np.float64))
    found = _signs(net, pts, exact, tol)[0]
    if np.all(found != 0):
        return found
    edges = tr.edges
    n = len(edges)
    order = range(n - 1, -1, -1) if from_end else range(n)
    found = None
    batch = 1
    idx = list(order)
    pos = 0
    while pos < n:
        ts = idx[pos: pos + batch]
        pts = sub(np.array([edges[i] for i in ts], dtype=object if exact else float))
        s = _signs(net, pts, exact, tol)
        if found is None:
            found = np.zeros(s.shape[1], dtype=np.int8)
        for row in s:
            need = found == 0
            found[need] = row[need]
        if np.all(found != 0):
            break
        pos += batch
        batch *= 4
    return found


def trace_chunk(net, traj, lo, hi, exact, tol, keep_keys: bool, want_knots: bool,
                 linear: bool, is_exact: bool) -> _Chunk:
    """Trace ``traj`` on the parameter interval [lo, hi]: exactly, as a sub-trajectory of
    its own (its parameter rescaled: exact knots do not depend on it); in float mode in the
    trajectory's own parameter (see :func:`_float_trace`); an Arc as a sub-arc (see
    :func:`_arc_chunk`)."""
    if isinstance(traj, Arc):
        return _arc_chunk(net, traj, lo, hi, exact, tol, want_knots, linear, is_exact)
    if is_exact:
        sub, offset = _sub_trajectory(traj, lo, hi, is_exact)
        tr = trace(net, sub, exact)
        scale = hi - lo if isinstance(sub, Segment) else 1
    else:
        sub, tr = _float_trace(net, traj, lo, hi, exact, tol)
        scale = None  # (knots already in the trajectory's parameter)
    first, last = tr.end_patterns()
    use_tol = tr.tol if not tr.exact else 0.0
    firsts = _end_signs(net, sub, tr, tr.exact, use_tol, False)
    lasts = _end_signs(net, sub, tr, tr.exact, use_tol, True)
    knots = None
    if want_knots:
        k = tr.knots
        knots = np.array([lo + scale * v for v in k], dtype=object) if tr.exact \
            else np.asarray(k, dtype=np.float64)
    keys = None
    if keep_keys:
        keys = Packer(net).keys(tr.patterns)
        keys = np.unique(keys, axis=0)
    return _Chunk(lo=lo, hi=hi, num_pieces=tr.num_pieces,
                  transitions=np.asarray(tr.transitions_per_layer, dtype=np.int64),
                  sign_changes=tr.sign_transitions_per_output,
                  num_linear_pieces=tr.num_linear_pieces if linear else 0,
                  lengths=np.asarray(tr.lengths, dtype=np.float64), first=first, last=last,
                  first_signs=firsts, last_signs=lasts, arithmetic=tr.arithmetic,
                  tol=use_tol, keys=keys, knots=knots)


def _arc_chunk(net, arc: Arc, ta: float, tb: float, exact, tol, want_knots: bool,
               linear: bool, is_exact: bool) -> _Chunk:
    """The sub-arc ta <= t <= tb (float angles). Exact: the exact engine on the window
    s(ta) <= s <= s(tb) of the arc's own s = -cot((t - start) / 2) (exact at quarter turns,
    else the float s as an exact binary rational), so its knots are the whole arc's exact
    knots. Float: the float engine on the sub-arc ``Arc(x0, x1, ta, tb, center)``."""
    from ._arc_exact import s_of_angle
    from .trace import trace_arc_window

    if is_exact:
        window = (s_of_angle(arc, ta), s_of_angle(arc, tb))
        tr = trace_arc_window(net, arc, *window)
        at = float(tr.edges[0])  # the angle the exact engine reports at s(ta)
    else:
        window = None
        tr = trace(net, Arc(arc.x0, arc.x1, ta, tb, arc.center), exact, tol=tol)
        at = ta
    use_tol = tr.tol if not tr.exact else 0.0
    signs = _arc_end_signs(net, arc, tr, window, use_tol)
    first, last = tr.end_patterns()
    keys = np.unique(Packer(net).keys(tr.patterns), axis=0)
    return _Chunk(lo=ta, hi=tb, num_pieces=tr.num_pieces,
                  transitions=np.asarray(tr.transitions_per_layer, dtype=np.int64),
                  sign_changes=tr.sign_transitions_per_output,
                  num_linear_pieces=tr.num_linear_pieces if linear else 0,
                  lengths=np.asarray(tr.lengths, dtype=np.float64), first=first, last=last,
                  first_signs=signs[0], last_signs=signs[1], arithmetic=tr.arithmetic,
                  tol=use_tol, keys=keys,
                  knots=np.asarray(tr.knots, dtype=np.float64) if want_knots else None,
                  at=at)


def _arc_end_signs(net, arc: Arc, tr, window, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last non-zero sign of each output along a traced sub-arc (0 where
    an output is zero throughout it).

    Exact (``window`` = its s interval): on each piece, (1 + s^2) times an output is a
    quadratic in s, interpolated exactly from three rational points inside the piece; the
    sign just inside an end of the piece is the sign of the first non-zero term of its
    Taylor expansion there (of its leading term at an infinite s). Pieces are read from
    the end inwards until every output has a sign. Float: the signs at the end point, then
    at points inside the pieces from the end inwards, with the trace's tolerance."""
    if window is None:
        edges = [tr.trajectory.domain[0]] + [float(k) for k in tr.knots] + \
            [tr.trajectory.domain[1]]
        out = []
        for from_end in (False, True):
            pairs = list(zip(edges[:-1], edges[1:]))
            ts = [edges[-1] if from_end else edges[0]]
            for a, b in (reversed(pairs) if from_end else pairs):
                fr = [2.0 ** -20, 0.25, 0.5]
                ts += [b - f * (b - a) if from_end else a + f * (b - a) for f in fr]
            found = None
            for i in range(0, len(ts), 16):
                sg = _signs(net, arc(np.array(ts[i: i + 16])), False, tol)
                for row in sg:
                    found = row.copy() if found is None else np.where(found != 0, found, row)
                if np.all(found != 0):
                    break
            assert found is not None  # ts holds at least the end point
            out.append(found)
        return out[0], out[1]
    from ._arc_exact import arc_points
    from ._quadratic import rational_between

    edges = [window[0]] + list(tr.exact_knots) + [window[1]]
    pairs = list(zip(edges[:-1], edges[1:]))
    out = []
    for from_end in (False, True):
        found = None
        for a, b in (reversed(pairs) if from_end else pairs):
            y1 = rational_between(a, b)
            ys = [rational_between(a, y1), y1, rational_between(y1, b)]
            vals = np.asarray(net(arc_points(arc, ys)), dtype=object) * \
                np.array([1 + y * y for y in ys], dtype=object)[:, None]
            signs = np.array([_quadratic_side(ys, vals[:, j], b if from_end else a,
                                              from_end) for j in range(vals.shape[1])],
                             dtype=np.int8)
            found = signs if found is None else np.where(found != 0, found, signs)
            if np.all(found != 0):
                break
        assert found is not None  # a trace has at least one piece
        out.append(found)
    return out[0], out[1]


def _quadratic_side(ys, vs, e, left: bool) -> int:
    """The sign just beside ``e`` (to its left with ``left``, else its right) of the
    quadratic through (ys[i], vs[i]) (exact; e may be +-inf)."""
    (y0, y1, y2), (v0, v1, v2) = ys, vs
    d01, d02, d12 = y0 - y1, y0 - y2, y1 - y2
    # Lagrange: q = sum v_i prod (s - y_j)/(y_i - y_j), as A s^2 + B s + C
    l0, l1, l2 = v0 / (d01 * d02), -v1 / (d01 * d12), v2 / (d02 * d12)
    A = l0 + l1 + l2
    B = -(l0 * (y1 + y2) + l1 * (y0 + y2) + l2 * (y0 + y1))
    C = l0 * y1 * y2 + l1 * y0 * y2 + l2 * y0 * y1

    def sgn(x) -> int:
        return (x > 0) - (x < 0)

    if e in (math.inf, -math.inf):
        for deg, lead in ((2, A), (1, B), (0, C)):
            if lead != 0:
                return sgn(lead) * (-1 if (e < 0 and deg % 2) else 1)
        return 0
    direction = -1 if left else 1
    for v in (A * e * e + B * e + C, (2 * A * e + B) * direction, A):
        if v != 0:
            return sgn(v)
    return 0


class _Span:
    """[lo, hi] of a trajectory in its own parameter: the domain of a float chunk, and its
    points."""

    def __init__(self, traj, lo, hi) -> None:
        self.traj, self.domain = traj, (lo, hi)

    def _evaluate(self, ts: np.ndarray) -> np.ndarray:
        return np.array(_numbers.to_float(self.traj._evaluate(np.asarray(ts, dtype=np.float64))),
                        dtype=np.float64)

    __call__ = _evaluate  # (points as _end_signs reads them from a sub-trajectory)


def _float_trace(net, traj, lo: float, hi: float, exact, tol):
    """A float trace of ``traj`` on [lo, hi] in the trajectory's own parameter t: the trace
    engine started from the points at lo, hi (and a Polyline's vertices between), as
    :func:`regions.trace` starts from the trajectory's. Float mode merges crossings within
    ``tol * max(1, |t|)`` of each other, so in this parameter a chunk resolves pieces as
    the whole trace does (a rescaled sub-segment would resolve finer ones, and the counts
    would depend on the chunk widths)."""
    from dataclasses import replace

    from .trace import trace_rows

    kind = as_kind(exact, False, tol, DEFAULT_TOLERANCE, "trace")
    lo, hi = float(lo), float(hi)
    inner = []
    if isinstance(traj, Polyline):
        inner = [float(i) for i in range(math.floor(lo) + 1, math.ceil(hi))]
    ts = np.array([lo] + inner + [hi], dtype=np.float64)
    span = _Span(traj, lo, hi)
    return span, replace(trace_rows(net, ts, span._evaluate(ts), None, None, kind, span),
                         arithmetic="float")


class _Ray:
    """The parameter domain of the traced end of a Line (see :func:`_ray_chunk`)."""

    domain = (-math.inf, math.inf)


def _ray_chunk(net, line: Line, at, left: bool, exact, tol, want_knots: bool,
               linear: bool, is_exact: bool) -> _Chunk:
    """The unbounded end of ``line`` beyond parameter ``at`` (t <= at with ``left``), traced
    as :func:`regions.trace` traces a Line's ends (in rational arithmetic in exact mode:
    the certified engine starts from a public trajectory; its answers are the same).

    The end is traced as u >= 0 along x = q + u e (q = x(at), e = +-direction) by the
    trace engine started with a constant (zero-slope) end on the other side, whose one
    extra piece (the pattern at q itself) is then taken off."""
    from dataclasses import replace

    from .kinds import cast
    from .trace import trace_rows

    kind = RATIONAL if is_exact else as_kind(exact, False, tol, DEFAULT_TOLERANCE, "trace")
    p = _numbers.convert(line.point, is_exact)
    d = _numbers.convert(line.direction, is_exact)
    q = p + at * d  # (exact: Fractions; float: rounded once, as a chunk's end is)
    e = cast(-d if left else d, kind)
    tr = replace(trace_rows(net, cast(np.array([0], dtype=object), kind),
                            cast(q, kind)[None, :], e * 0, e, kind, _Ray()),
                 arithmetic="rational" if is_exact else "float")
    extra = tr.num_knots > 0 and tr.edges[1] == 0  # the pattern at q is a piece of its own
    pats = tr.patterns
    real = tuple(pt[1:] for pt in pats) if extra else pats
    per_knot = tr.knot_transitions[1:] if extra else tr.knot_transitions
    knots_u = tr.knots[1:] if extra else tr.knots
    n = real[0].shape[0]
    lin = 0
    if linear:
        same = tr.same_neighbour_maps(real)
        lin = 1 + int(np.count_nonzero(~same))
    near_pattern = tuple(pt[0].copy() for pt in real)
    far_pattern = tuple(pt[-1].copy() for pt in real)
    use_tol = 0.0 if is_exact else tr.tol
    offsets = [0] + [v for v in knots_u]
    near = _scan_signs(net, line, at, offsets, is_exact, use_tol, left)
    knots = None
    if want_knots:
        vals = [at - v for v in knots_u][::-1] if left else [at + v for v in knots_u]
        knots = np.array(vals, dtype=object if is_exact else np.float64)
    zero = np.zeros_like(near)
    return _Chunk(lo=-math.inf if left else at, hi=at if left else math.inf, num_pieces=n,
                  transitions=per_knot.sum(axis=0).astype(np.int64),
                  sign_changes=tr.sign_transitions_per_output, num_linear_pieces=lin,
                  lengths=np.asarray(tr.lengths, dtype=np.float64),
                  first=far_pattern if left else near_pattern,
                  last=near_pattern if left else far_pattern,
                  first_signs=zero if left else near, last_signs=near if left else zero,
                  arithmetic=tr.arithmetic, tol=use_tol, keys=None, knots=knots)


def _scan_signs(net, line: Line, at, offsets, exact: bool, tol: float, left: bool):
    """The first non-zero output sign of each output going away from ``at`` along an
    unbounded end: at its edges ``at + offsets`` (nearest first), then far out (the sign of
    the output's slope beyond the last edge, or its value there if constant)."""
    p = _numbers.convert(line.point, exact)
    d = _numbers.convert(line.direction, exact)
    d = -d if left else d
    at_point = p + at * _numbers.convert(line.direction, exact)
    found = None
    for off in list(offsets):
        s = _signs(net, (at_point + off * d)[None, :], exact, tol)[0]
        found = s if found is None else np.where(found != 0, found, s)
        if np.all(found != 0):
            return found
    last = offsets[-1] if len(offsets) else 0
    if exact:
        v0, v1 = (net((at_point + (last + k) * d)[None, :])[0] for k in (0, 1))
        far = np.array([(x > 0) - (x < 0) if x != 0 else (y > 0) - (y < 0)
                        for x, y in zip(v1 - v0, v0)], dtype=np.int8)
    else:
        far = _signs(net, (at_point + (last + 1e6) * d)[None, :], exact, tol)[0]
    return far if found is None else np.where(found != 0, found, far)


def line_window(net, line: Line, exact: bool):
    """A parameter window [a, b] of a Line holding every crossing of the first layer (a
    dense network; [-1, 1] for a graph), widened by its own width each side: chunks inside,
    the two unbounded ends outside."""
    a, b = -1.0, 1.0
    if isinstance(net, Network):
        w = np.asarray(_numbers.to_float(net.weights[0]), dtype=np.float64)
        c = np.asarray(_numbers.to_float(net.biases[0]), dtype=np.float64)
        h0 = w @ _numbers.to_float(line.point) + c
        slope = w @ _numbers.to_float(line.direction)
        per_threshold = [((float(th) - h0) / slope)[slope != 0]
                         for th in net.activations[0].thresholds]
        ts = np.concatenate(per_threshold) if per_threshold else np.zeros(0)
        ts = ts[np.isfinite(ts)]
        if ts.size:
            a, b = float(ts.min()), float(ts.max())
    span = max(b - a, 1.0)
    a, b = math.floor(a - span), math.ceil(b + span)
    return (Fraction(a), Fraction(b)) if exact else (float(a), float(b))


def _sub_trajectory(traj, lo, hi, exact: bool):
    """The piece [lo, hi] of a Segment (a Segment, parameter rescaled) or of a Polyline (a
    Polyline when lo and hi are vertices, else a Segment inside one of its segments)."""
    if isinstance(traj, Line):  # [lo, hi] of p + t d: the segment from p + lo d to p + hi d
        a = _numbers.convert(traj.point, exact)
        b = a + _numbers.convert(traj.direction, exact)
        if exact:
            return Segment(a + lo * (b - a), a + hi * (b - a)), lo
        d = traj.direction
        return Segment(traj.point + lo * d, traj.point + hi * d), lo
    if isinstance(traj, Segment):
        a, b = _numbers.convert(traj.x0, exact), _numbers.convert(traj.x1, exact)
        if exact:  # (exact values of float entries: Fraction * float would round)
            return Segment(a + lo * (b - a), a + hi * (b - a)), lo
        pts = traj._evaluate(np.array([lo, hi], dtype=np.float64))
        return Segment(pts[0], pts[1]), lo
    i0, i1 = int(math.floor(lo)), int(math.ceil(hi))
    if lo == i0 and hi == i1 and i1 - i0 >= 1:
        return Polyline(_numbers.convert(traj.points[i0: i1 + 1], exact)), lo
    i = int(math.floor(lo))
    a, b = (_numbers.convert(traj.points[j], exact) for j in (i, i + 1))
    if exact:
        return Segment(a + (lo - i) * (b - a), a + (hi - i) * (b - a)), lo
    pts = traj._evaluate(np.array([lo, hi], dtype=np.float64))
    return Segment(pts[0], pts[1]), lo


# -- merging ---------------------------------------------------------------------------------


class TraceMerger:
    """Merges consecutive chunks into a :class:`TraceSummary`, exactly."""

    def __init__(self, net, straight: bool, want_knots, knots_file, linear: bool,
                 closed: bool = False) -> None:
        self.net = net
        self.closed = closed  # a closed curve: the last piece meets the first
        self.with_linear = linear
        self._lowered: dict = {}
        self.packer = Packer(net)
        self.straight = straight
        self.distinct: DistinctKeys | None = None if straight else DistinctKeys()
        self.pieces = 0
        self.linear = 0
        # per layer / per output counts and end signs: shaped by the first chunk added
        self.transitions: np.ndarray = np.zeros(0, dtype=np.int64)
        self.signs: np.ndarray = np.zeros(0, dtype=np.int64)
        self.lengths: list[np.ndarray] = []
        self.last: tuple[np.ndarray, ...] | None = None  # pattern of the last piece so far
        self.last_signs: np.ndarray = np.zeros(0, dtype=np.int8)
        self.chunks = 0
        self.exact = False
        self.want_knots = want_knots
        self.knots: list[Fraction | float] = []
        self.knots_file = knots_file
        self.first_chunk: _Chunk | None = None
        self.first_signs: np.ndarray = np.zeros(0, dtype=np.int8)
        self.hi: Fraction | float | None = None
        self.arithmetic: str = "float"
        self.tol: float = 0.0
        self.key_parts: list[np.ndarray] | None = None  # (as_chunk: the keys, not counted)

    def _same_map(self, c: _Chunk, pa, pb) -> bool:
        from ._stages import lower, same_neighbour_maps
        from .certified import same_maps_certified

        patterns = tuple(np.stack([a, b]) for a, b in zip(pa, pb))
        if c.arithmetic == "certified":
            return bool(same_maps_certified(self.net, patterns, np.arange(1), np.arange(1, 2),
                                            RATIONAL)[0])
        kind = RATIONAL if c.arithmetic == "rational" else as_kind(False, False, c.tol,
                                                                     DEFAULT_TOLERANCE)
        if c.arithmetic not in self._lowered:
            self._lowered[c.arithmetic] = lower(self.net, kind)
        lowered = self._lowered[c.arithmetic]
        return bool(same_neighbour_maps(lowered, patterns, c.tol)[0])

    def _write_knots(self, values: Iterable) -> None:
        if self.knots_file is not None:
            for v in values:
                self.knots_file.write(f"{v!s}\n" if isinstance(v, Fraction) else f"{v!r}\n")
        if self.want_knots:
            self.knots.extend(values)

    def add(self, c: _Chunk) -> None:
        """Append the next chunk (chunks must come in order and meet end to end)."""
        if self.hi is not None and c.lo != self.hi:
            raise ValueError(f"internal error: chunk [{c.lo}, {c.hi}] does not start where "
                             f"the last one ended ({self.hi})")
        self.hi = c.hi
        self.chunks += 1
        self.exact = c.arithmetic != "float"
        self.arithmetic, self.tol = c.arithmetic, c.tol
        if self.first_chunk is None:
            self.first_chunk = c
            self.transitions = np.zeros_like(c.transitions)
            self.signs = np.zeros_like(c.sign_changes)
            self.last_signs = np.zeros_like(c.last_signs)
            self.first_signs = np.zeros_like(c.first_signs)
        self.first_signs = np.where(self.first_signs != 0, self.first_signs, c.first_signs)
        self.pieces += c.num_pieces
        self.linear += c.num_linear_pieces
        self.transitions = self.transitions + c.transitions
        self.signs = self.signs + c.sign_changes
        if self.last is not None:
            same = all(np.array_equal(a, b) for a, b in zip(self.last, c.first))
            if same:
                self.pieces -= 1
                self.linear -= 1
            else:
                self.transitions = self.transitions + self._step(self.last, c.first)
                self._write_knots([c.lo if c.at is None else c.at])
                if self.with_linear and self._same_map(c, self.last, c.first):
                    self.linear -= 1
            flip = (self.last_signs != 0) & (c.first_signs != 0) & \
                (self.last_signs != c.first_signs)
            self.signs = self.signs + flip.astype(np.int64)
        if c.knots is not None:
            self._write_knots(list(c.knots))
        self.last_signs = np.where(c.last_signs != 0, c.last_signs, self.last_signs)
        self.last = c.last
        self.lengths.append(c.lengths)
        if self.key_parts is not None and c.keys is not None:
            self.key_parts.append(c.keys)
        elif self.distinct is not None and c.keys is not None:
            self.distinct.add(c.keys)

    def _step(self, before: Sequence[np.ndarray], after: Sequence[np.ndarray]) -> np.ndarray:
        """Neuron transitions per layer where the pattern ``before`` meets ``after``: how
        many pieces each neuron moves (a group maximum: whether its argmax changes)."""
        return np.array([
            int(np.count_nonzero(a != b)) if mx else int(np.abs(a.astype(np.int64) - b).sum())
            for a, b, mx in zip(before, after, self.packer.is_max)], dtype=np.int64)

    def _started(self) -> tuple[_Chunk, tuple[np.ndarray, ...], Fraction | float]:
        """The first chunk, the last piece's pattern and the end (after an :meth:`add`)."""
        if self.first_chunk is None or self.last is None or self.hi is None:
            raise ValueError("internal error: no chunk was added to the merger")
        return self.first_chunk, self.last, self.hi

    def as_chunk(self) -> _Chunk:
        """The chunks added so far as one chunk (to be merged with its neighbours)."""
        first, last, hi = self._started()
        keys = None
        if self.key_parts is not None:
            keys = np.unique(np.concatenate(self.key_parts), axis=0)
        return _Chunk(lo=first.lo, hi=hi, num_pieces=self.pieces,
                      transitions=self.transitions, sign_changes=self.signs,
                      num_linear_pieces=self.linear if self.with_linear else 0,
                      lengths=np.array([math.fsum(col) for col in np.array(self.lengths).T]),
                      first=first.first, last=last, first_signs=self.first_signs,
                      last_signs=self.last_signs, arithmetic=self.arithmetic, tol=self.tol,
                      keys=keys, at=first.at, knots=np.array(self.knots, dtype=object if self.exact
                                                else np.float64) if self.want_knots else None)

    def _close(self) -> None:
        """Join the end of a closed curve to its start, as :class:`regions.Trace` does: one
        piece across the start point unless the pattern changes there (then a knot, first
        among the knots), one more comparison of output signs and of affine maps."""
        first, last, _ = self._started()
        pieces_open = self.pieces
        if all(np.array_equal(a, b) for a, b in zip(last, first.first)):
            self.pieces = max(1, pieces_open - 1)
            self.linear = max(1, self.linear - 1)
        else:
            self.transitions = self.transitions + self._step(last, first.first)
            start = first.lo if first.at is None else first.at
            if self.want_knots:
                self.knots.insert(0, start)
            if self.knots_file is not None:
                self.knots_file.write(f"{start!r}\n")
            if self.with_linear:  # changes = linear - 1 (+1 unless the maps agree)
                same = self._same_map(first, last, first.first)
                self.linear = max(1, self.linear - 1 + (not same))
        flip = (self.last_signs != 0) & (self.first_signs != 0) & \
            (self.last_signs != self.first_signs)
        self.signs = self.signs + flip.astype(np.int64)

    def result(self) -> TraceSummary:
        if self.closed:
            self._close()
        linear = self.with_linear
        lengths = tuple(math.fsum(col) for col in np.array(self.lengths).T)
        patterns = self.pieces if self.distinct is None else self.distinct.count()
        return TraceSummary(
            num_pieces=self.pieces, num_patterns=patterns,
            transitions_per_layer=tuple(int(v) for v in self.transitions),
            sign_transitions_per_output=tuple(int(v) for v in self.signs),
            num_linear_pieces=self.linear if linear else -1, lengths=lengths,
            num_chunks=self.chunks, exact=self.exact,
            knots=tuple(self.knots) if self.want_knots else None)


# -- the driver ------------------------------------------------------------------------------


def check_trajectory(net, trajectory) -> None:
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    if not isinstance(trajectory, (Segment, Line, Polyline, Arc)):
        raise TypeError("trajectory must be a regions.Segment, Line, Polyline or Arc, got "
                        f"{type(trajectory).__name__}")
    if trajectory.dim != net.input_size:
        raise ValueError(f"trajectory has dimension {trajectory.dim} but the network's input "
                         f"width is {net.input_size}")


def is_exact_mode(net, trajectory, exact, tol) -> bool:
    return as_kind(exact, net.is_exact or trajectory.is_exact, tol, DEFAULT_TOLERANCE,
                   "trace_summary", "net or trajectory").is_exact


def parameter_value(v, exact: bool, name: str):
    if exact:
        try:
            return to_fraction(v) if not isinstance(v, float) else Fraction(v)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold real numbers, got {v!r}") from None
    return float(v)


def mandatory_cuts(trajectory, boundaries, exact: bool, span=None) -> list:
    lo, hi = trajectory.domain if span is None else span
    lo = lo if lo == -math.inf else parameter_value(lo, exact, "domain")
    hi = hi if hi == math.inf else parameter_value(hi, exact, "domain")
    cuts = [lo, hi]
    if boundaries is not None:
        for b in boundaries:
            v = parameter_value(b, exact, "boundaries")
            if not lo < v < hi:
                raise ValueError(f"boundaries must lie strictly inside the trajectory's "
                                 f"domain ({lo}, {hi}); got {b!r}")
            cuts.append(v)
    return sorted(set(cuts))


def snap_chunk_end(lo, hi, width, trajectory, exact: bool):
    """The end of the next chunk from ``lo``: ``lo + width`` (dyadic in exact mode), at
    most ``hi``; on a Polyline, whole segments from a vertex, else up to the next
    vertex."""
    if exact:
        width = Fraction(width).limit_denominator(2 ** 40) if not isinstance(width, Fraction) \
            else width
        width = max(width, Fraction(1, 2 ** 60))
    end = lo + width
    if isinstance(trajectory, Polyline):
        nxt = math.floor(lo) + 1
        if lo == math.floor(lo) and end >= nxt:
            end = math.floor(end)
        else:
            end = min(end, nxt)
        if exact:
            end = Fraction(end)
        else:
            end = float(end)
    return min(end, hi)


def check_chunk_pieces(chunk_pieces) -> int:
    if isinstance(chunk_pieces, bool) or not isinstance(chunk_pieces, (int, np.integer)) \
            or chunk_pieces < 2:
        raise ValueError(f"chunk_pieces must be an integer >= 2, got {chunk_pieces!r}")
    return int(chunk_pieces)


def _chunks(net, trajectory, *, chunk_pieces, exact, tol, boundaries, keep_keys,
            want_knots, linear, first_fraction=1 / 1024, span=None,
            density=None) -> Iterator[_Chunk]:
    """Trace the trajectory (or its parameter interval ``span``) chunk after chunk,
    adapting the chunk width to the piece density; yields the chunks in order."""
    is_exact = is_exact_mode(net, trajectory, exact, tol)
    if isinstance(trajectory, Arc):
        yield from _arc_chunks(net, trajectory, chunk_pieces=chunk_pieces, exact=exact,
                               tol=tol, boundaries=boundaries, want_knots=want_knots,
                               linear=linear, span=span, density=density,
                               is_exact=is_exact)
        return
    if isinstance(trajectory, Line) and span is None:
        cuts = mandatory_cuts(trajectory, boundaries, is_exact, (-math.inf, math.inf))
        a, b = line_window(net, trajectory, is_exact)
        a, b = min(a, cuts[1] if len(cuts) > 2 else a), max(b, cuts[-2] if len(cuts) > 2 else b)
        yield _ray_chunk(net, trajectory, a, True, exact, tol, want_knots, linear, is_exact)
        yield from _chunks(net, trajectory, chunk_pieces=chunk_pieces, exact=exact, tol=tol,
                           boundaries=[c for c in cuts[1:-1] if a < c < b],
                           keep_keys=keep_keys, want_knots=want_knots, linear=linear,
                           span=(a, b))
        yield _ray_chunk(net, trajectory, b, False, exact, tol, want_knots, linear, is_exact)
        return
    cuts = mandatory_cuts(trajectory, boundaries, is_exact, span)
    total = cuts[-1] - cuts[0]
    width = total * (Fraction(1, 1024) if is_exact else first_fraction)
    if density:  # pieces per unit of parameter, measured before: start at a quarter chunk
        width = min(total, (chunk_pieces / 4) / density)
        if is_exact:
            width = Fraction(2) ** math.floor(math.log2(width))
    for a, b in zip(cuts[:-1], cuts[1:]):
        lo = a
        while lo < b:
            hi = snap_chunk_end(lo, b, width, trajectory, is_exact)
            c = trace_chunk(net, trajectory, lo, hi, exact, tol, keep_keys, want_knots,
                             linear, is_exact)
            if _too_large(c, lo, hi, chunk_pieces, total * 1e-12):
                width = _halved(c, lo, hi, chunk_pieces)
                del c
                continue
            yield c
            width = _grown(c, lo, hi, chunk_pieces)
            if is_exact:  # dyadic widths keep the boundaries short rationals
                width = Fraction(2) ** math.floor(math.log2(width)) if width > 0 else width
            lo = hi


def arc_cuts(arc: Arc, boundaries, span=None) -> list[float]:
    """The angles where an arc's chunks must end: its ends (or ``span``'s), the quarter
    turns from ``start`` inside (where an exact s is -1, 0 or 1, and a closed curve is
    never one chunk) and ``boundaries``."""
    lo, hi = (float(v) for v in (span if span is not None else arc.domain))
    quarter = [arc.start + k * math.pi / 2 for k in (1, 2, 3)]
    slack = 8 * math.ulp(max(1.0, abs(arc.start), abs(arc.stop)))
    cuts = [lo, hi] + [q for q in quarter if lo + slack < q < hi - slack]
    if boundaries is not None:
        for b in boundaries:
            if isinstance(b, bool) or not isinstance(b, (int, float, np.integer,
                                                         np.floating, Fraction)):
                raise TypeError(f"boundaries must hold angles (real numbers) on an Arc, "
                                f"got {b!r}")
            v = float(b)
            if not arc.start < v < arc.stop:
                raise ValueError(f"boundaries must lie strictly inside the arc's domain "
                                 f"({arc.start}, {arc.stop}); got {b!r}")
            if lo < v < hi and all(abs(v - c) > slack for c in cuts):
                cuts.append(v)
    return sorted(cuts)


def _arc_chunks(net, arc: Arc, *, chunk_pieces, exact, tol, boundaries, want_knots, linear,
                span, density, is_exact) -> Iterator[_Chunk]:
    """:func:`_chunks` on an Arc: angle intervals (floats, in exact mode too: the exact
    engine takes the rational s of each end, see :func:`_arc_chunk`), sized adaptively
    from the piece density, cut at :func:`arc_cuts`."""
    from ._arc_exact import s_of_angle

    cuts = arc_cuts(arc, boundaries, span)
    total = cuts[-1] - cuts[0]
    width = total / 64 if not density else min(total, (chunk_pieces / 4) / density)
    for a, b in zip(cuts[:-1], cuts[1:]):
        lo = a
        while lo < b:
            hi = b if lo + width >= b - total * 1e-9 else lo + width
            if is_exact and hi < b and not s_of_angle(arc, lo) < s_of_angle(arc, hi):
                width *= 2  # (the two ends' rationals coincide: a wider chunk)
                continue
            c = _arc_chunk(net, arc, lo, hi, exact, tol, want_knots, linear, is_exact)
            if _too_large(c, lo, hi, chunk_pieces, total * 1e-9):
                width = _halved(c, lo, hi, chunk_pieces)
                del c
                continue
            yield c
            width = _grown(c, lo, hi, chunk_pieces)
            lo = hi


def _too_large(c: _Chunk, lo: _Param, hi: _Param, chunk_pieces: int, least: _Param) -> bool:
    """Whether chunk ``c`` of [lo, hi] holds more than ``chunk_pieces`` pieces and is
    wider than ``least`` (then it is traced again narrower)."""
    return c.num_pieces > chunk_pieces and (hi - lo) > least


def _halved(c: _Chunk, lo: _Param, hi: _Param, chunk_pieces: int) -> _Param:
    """The width to trace a too-large chunk again with: half, and less by its excess."""
    return (hi - lo) / 2 / max(1, c.num_pieces // chunk_pieces)


def _grown(c: _Chunk, lo: _Param, hi: _Param, chunk_pieces: int) -> _Param:
    """The next chunk's width, sized from this one's piece density for about half
    ``chunk_pieces`` pieces (within a factor 4 of this width)."""
    grow = (chunk_pieces / 2) / max(c.num_pieces, 1)
    return (hi - lo) * min(4.0, max(0.25, grow))


def trace_range(net, trajectory, lo, hi, *, chunk_pieces, exact, tol, want_knots,
                 linear, density=None) -> _Chunk:
    """The parameter interval [lo, hi] traced chunk by chunk and merged into one chunk (a
    task of :mod:`regions.distributed`)."""
    is_exact = is_exact_mode(net, trajectory, exact, tol)
    if lo == -math.inf or hi == math.inf:  # an unbounded end of a Line
        left = lo == -math.inf
        return _ray_chunk(net, trajectory, hi if left else lo, left, exact, tol, want_knots,
                          linear, is_exact)
    straight = isinstance(trajectory, (Segment, Line))
    merger = TraceMerger(net, straight, want_knots, None, linear)
    if not straight:
        merger.key_parts = []
    for c in _chunks(net, trajectory, chunk_pieces=chunk_pieces, exact=exact, tol=tol,
                     boundaries=None, keep_keys=not straight, want_knots=want_knots,
                     linear=linear, span=(lo, hi), density=density):
        merger.add(c)
    return merger.as_chunk()


def trace_summary(net: Network | Graph, trajectory: Segment | Line | Polyline | Arc, *,
                  chunk_pieces: int = DEFAULT_CHUNK_PIECES,
                  exact: bool | NumberKind | None = None,
                  tol: float | None = None, knots: bool | str | os.PathLike[str] = False,
                  boundaries: Sequence[_Param] | None = None,
                  linear_pieces: bool = True) -> TraceSummary:
    """The counts of ``trace(net, trajectory)`` in memory bounded by ``chunk_pieces``.

    Parameters
    ----------
    net : Network or Graph
    trajectory : Segment, Line, Polyline or Arc
        A Line is cut into a window around its first layer's crossings (chunked) and its
        two unbounded ends (each traced whole, as :func:`regions.trace` traces them). An
        Arc is chunked by angle (see :mod:`regions.streaming`).
    chunk_pieces : int
        At most this many pieces are traced at once (chunks are sized adaptively to about
        half of it); default :data:`DEFAULT_CHUNK_PIECES`.
    exact, tol
        As in :func:`regions.trace`.
    knots : bool, str or path-like
        ``True``: return the knots in ``TraceSummary.knots`` (memory grows with them). A
        path: write them to that text file, one per line (Fractions as ``p/q``), in order.
    boundaries : sequence of numbers, optional
        Parameters where a chunk must end (Fractions for an exact trace), in addition to
        the adaptive ones. On an Arc: angles (floats; in exact mode exact at the quarter
        turns, which are always boundaries, elsewhere the short rational s next to them).
    linear_pieces : bool
        Compute ``num_linear_pieces`` (one Jacobian per piece; ``-1`` when False).

    Returns
    -------
    TraceSummary
        Equal to the in-memory :class:`regions.Trace`'s counts (see the module docstring).

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1.

    Examples
    --------
    >>> from regions import random_network, Segment, trace
    >>> from regions.streaming import trace_summary
    >>> net = random_network([2, 16, 16, 1], "hardtanh", sigma_w=2.0, seed=0)
    >>> seg = Segment([-1.0, 0.0], [1.0, 0.5])
    >>> s = trace_summary(net, seg, chunk_pieces=8)
    >>> tr = trace(net, seg)
    >>> s.num_pieces, tr.num_pieces, s.transitions == tr.transitions, s.num_chunks > 5
    (41, 41, True, True)
    """
    check_trajectory(net, trajectory)
    chunk_pieces = check_chunk_pieces(chunk_pieces)
    if not isinstance(linear_pieces, bool):
        raise TypeError(f"linear_pieces must be True or False, got {linear_pieces!r}")
    want_knots = knots is True
    path = None if isinstance(knots, bool) or knots is None else os.fspath(knots)
    if not isinstance(knots, bool) and knots is not None and path is None:
        raise TypeError(f"knots must be True, False or a file path, got {knots!r}")
    straight = isinstance(trajectory, (Segment, Line))
    handle = open(path, "w") if path is not None else None
    try:
        merger = TraceMerger(net, straight, want_knots, handle, linear_pieces,
                              closed=isinstance(trajectory, Arc) and trajectory.closed)
        for c in _chunks(net, trajectory, chunk_pieces=chunk_pieces, exact=exact, tol=tol,
                         boundaries=boundaries, keep_keys=not straight,
                         want_knots=want_knots or handle is not None, linear=linear_pieces):
            merger.add(c)
        return merger.result()
    finally:
        if handle is not None:
            handle.close()


# -- partitions ------------------------------------------------------------------------------


def planar_box(box: Any, exact: bool):
    arr = _numbers.coerce_array(box, "box", 2, "[[xmin, ymin], [xmax, ymax]]")
    if arr.shape != (2, 2):
        raise ValueError(f"box must be [[xmin, ymin], [xmax, ymax]] (shape (2, 2)); got shape "
                         f"{arr.shape}")
    lo, hi = arr[0], arr[1]
    if not (lo[0] < hi[0] and lo[1] < hi[1]):
        raise ValueError(f"box must have xmin < xmax and ymin < ymax; got {arr.tolist()}")
    conv = (lambda v: parameter_value(v, True, "box")) if exact else float
    return [conv(v) for v in lo], [conv(v) for v in hi]


def tile_task(net, plane, x0, x1, y0, y1, exact, chunk_regions: int) -> np.ndarray:
    """The distinct pattern keys of one tile, split further while above
    ``chunk_regions`` regions (a task of :mod:`regions.distributed`)."""
    packer = Packer(net)
    parts = list(_tile_stack(net, plane, [x0, x1], [y0, y1], exact, packer, chunk_regions,
                             split=True, scale=x1 - x0))
    return np.unique(np.concatenate(parts), axis=0)


def _tile_keys(net, plane, x0, x1, y0, y1, exact, packer) -> tuple[np.ndarray, int]:
    from .partition import partition

    poly = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    domain = poly if plane is None else Plane(plane.origin, plane.directions, polygon=poly)
    part = partition(net, domain, exact)
    keys = np.unique(packer.keys(part.patterns), axis=0) if part.num_regions else \
        np.zeros((0, 1), np.uint8)
    return keys, part.num_regions


def partition_summary(net: Network | Graph, box: Any, *, plane: Plane | None = None,
                      chunk_regions: int = DEFAULT_CHUNK_REGIONS,
                      exact: bool | NumberKind | None = None,
                      cuts: Sequence[Sequence[_Param]] | None = None
                      ) -> PartitionSummary:
    """The number of activation regions in a rectangle or an n-dimensional box, tile by
    tile.

    Parameters
    ----------
    net : Network or Graph
        Two inputs (the planar engine), any number with ``plane``; n != 2 inputs without
        ``plane``: boxes of the n-dimensional engine (:mod:`regions.polyhedral`).
    box : array_like of shape (2, n), or Box
        ``[lower, upper]``: ``[[xmin, ymin], [xmax, ymax]]`` in the input plane (plane
        coordinates with ``plane``), or the corners of a box of the network's n inputs.
    plane : Plane, optional
        A slice of a higher-dimensional input space (its own polygon is ignored: ``box``
        is the domain).
    chunk_regions : int
        Tiles are sized (from the region density of a first tile) to hold about half this
        many regions; a tile above it is halved along every axis and done again.
    exact : bool or None
        As in :func:`regions.partition` (its regions are exact either way).
    cuts : sequence of n sequences, optional
        Tile sides to use instead of the adaptive grid: per axis, the coordinates strictly
        inside the box where tiles are cut (``(xs, ys)`` in the plane).

    Returns
    -------
    PartitionSummary
        ``num_regions`` equals ``partition(net, box polygon).num_regions`` (of
        ``partition(net, Box(lower, upper))`` in n dimensions).

    References
    ----------
    .. [1] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of
       Deep Neural Networks", NeurIPS 2014.

    Examples
    --------
    >>> from regions import random_network, partition
    >>> from regions.streaming import partition_summary
    >>> net = random_network([2, 8, 8, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=2)
    >>> s = partition_summary(net, [[-2, -2], [2, 2]], cuts=([0.5], [-1, 1]))
    >>> box = [[-2, -2], [2, -2], [2, 2], [-2, 2]]
    >>> s.num_regions == partition(net, box).num_regions, s.num_tiles
    (True, 6)
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    if plane is not None and not isinstance(plane, Plane):
        raise TypeError(f"plane must be a regions.Plane or None, got {type(plane).__name__}")
    check_chunk_regions(chunk_regions)
    if isinstance(box, Box):
        box = [box.lower, box.upper]
    if plane is None and net.input_size != 2:  # the n-dimensional engine, in box tiles
        lo, hi, is_exact = nd_box(net, box, exact)
        packer = Packer(net)
        distinct = DistinctKeys()
        tiles = 0
        for keys in _nd_tiles(net, lo, hi, exact, packer, chunk_regions, cuts, is_exact):
            distinct.add(keys)
            tiles += 1
        return PartitionSummary(num_regions=distinct.count(), num_tiles=tiles,
                                exact=is_exact)
    inferred = net.is_exact or (plane is not None and plane.is_exact) or \
        _numbers.is_rational(_numbers.coerce_array(box, "box", 2, "[[xmin, ymin], [xmax, ymax]]"))
    is_exact = as_kind(exact, inferred, None, 1e-13, "partition_summary",
                       "net, plane or box").is_exact
    (x0, y0), (x1, y1) = planar_box(box, is_exact)
    packer = Packer(net)
    distinct = DistinctKeys()
    tiles = 0
    for keys in _tiles(net, plane, x0, x1, y0, y1, exact, packer, chunk_regions, cuts,
                       is_exact):
        distinct.add(keys)
        tiles += 1
    return PartitionSummary(num_regions=distinct.count(), num_tiles=tiles, exact=is_exact)


def check_chunk_regions(chunk_regions) -> None:
    if isinstance(chunk_regions, bool) or not isinstance(chunk_regions, (int, np.integer)) \
            or chunk_regions < 1:
        raise ValueError(f"chunk_regions must be a positive integer, got {chunk_regions!r}")


def nd_box(net, box, exact):
    """The corners of an n-dimensional box (n = the network's inputs), and exact mode."""
    n = net.input_size
    arr = _numbers.coerce_array(box, "box", 2, "[lower, upper] (two rows of the network's "
                                "input width)")
    if arr.shape != (2, n):
        raise ValueError(f"box must be [lower, upper] with {n} coordinates each (shape "
                         f"(2, {n}), the network's input width), or give plane= for a "
                         f"2-D slice; got shape {arr.shape}")
    if not all(a < b for a, b in zip(arr[0], arr[1])):
        raise ValueError(f"box must have lower < upper in every coordinate; got "
                         f"{arr.tolist()}")
    inferred = net.is_exact or _numbers.is_rational(arr)
    is_exact = as_kind(exact, inferred, None, 1e-13, "partition_summary",
                       "net or box").is_exact
    conv = (lambda v: parameter_value(v, True, "box")) if is_exact else float
    return [conv(v) for v in arr[0]], [conv(v) for v in arr[1]], is_exact


def _nd_tile_keys(net, lo, hi, exact, packer) -> tuple[np.ndarray, int]:
    """The distinct pattern keys of the n-dimensional tile [lo, hi], and its regions."""
    from .partition import partition

    part = partition(net, Box(lo, hi), exact)
    if not part.patterns:
        return np.zeros((1, 1), np.uint8), 1
    return np.unique(packer.keys(part.patterns), axis=0), part.num_regions


def nd_grid(net, lo, hi, exact, packer, chunk_regions, is_exact, least: int) -> list:
    """Per axis, the cut coordinates of a k^n grid of tiles of about half
    ``chunk_regions`` regions each (from a first tile of half the box along every axis),
    with at least ``least`` tiles."""
    n = len(lo)
    _, m = _nd_tile_keys(net, lo, [a + (b - a) / 2 for a, b in zip(lo, hi)], exact, packer)
    per_box = max(1.0, m * 2.0 ** n)
    k = max(1, math.ceil((per_box / (chunk_regions / 2)) ** (1 / n) - 1e-9),
            math.ceil(least ** (1 / n) - 1e-9))
    axes = []
    for a, b in zip(lo, hi):
        ax = [a + (b - a) * (Fraction(i, k) if is_exact else i / k) for i in range(k + 1)]
        ax[-1] = b
        axes.append(ax)
    return axes


def nd_grid_tiles(axes) -> list:
    """The tiles (lower, upper) of the grid with cut coordinates ``axes``."""
    import itertools

    spans = [list(zip(ax[:-1], ax[1:])) for ax in axes]
    return [([p[0] for p in combo], [p[1] for p in combo])
            for combo in itertools.product(*spans)]


def _nd_tiles(net, lo, hi, exact, packer, chunk_regions, cuts, is_exact
              ) -> Iterator[np.ndarray]:
    """Pattern keys of every tile; a tile above ``chunk_regions`` is halved along every
    axis and done again (unless the cuts are given)."""
    if cuts is not None:
        if len(cuts) != len(lo):
            raise ValueError(f"cuts must hold one sequence per axis ({len(lo)}); got "
                             f"{len(cuts)}")
        axes = [_grid(a, b, c, is_exact, f"cuts[{i}]")
                for i, (a, b, c) in enumerate(zip(lo, hi, cuts))]
    else:
        axes = nd_grid(net, lo, hi, exact, packer, chunk_regions, is_exact, 1)
    yield from _nd_tile_stack(net, nd_grid_tiles(axes), exact, packer, chunk_regions,
                              split=cuts is None, scale=hi[0] - lo[0])


def _nd_tile_stack(net, tiles, exact, packer, chunk_regions, split: bool, scale):
    stack = list(reversed(tiles))
    while stack:
        a, b = stack.pop()
        keys, m = _nd_tile_keys(net, a, b, exact, packer)
        if m > chunk_regions and split and (b[0] - a[0]) > scale * 1e-9:
            mid = [(x + y) / 2 for x, y in zip(a, b)]
            halves = [[(x, m_), (m_, y)] for x, m_, y in zip(a, mid, b)]
            stack.extend(reversed(nd_grid_tiles([[h[0][0], h[0][1], h[1][1]]
                                                   for h in halves])))
            continue
        yield keys


def nd_tile_task(tile, net, exact, chunk_regions: int) -> np.ndarray:
    """The distinct pattern keys of one n-dimensional tile ``(lower, upper)``, split further
    while above ``chunk_regions`` regions (a task of :mod:`regions.distributed`)."""
    packer = Packer(net)
    parts = list(_nd_tile_stack(net, [tile], exact, packer, chunk_regions, split=True,
                                scale=tile[1][0] - tile[0][0]))
    return np.unique(np.concatenate(parts), axis=0)


def _grid(lo, hi, inner, exact: bool, name: str) -> list:
    vals = [parameter_value(v, exact, name) for v in inner]
    for v in vals:
        if not lo < v < hi:
            raise ValueError(f"{name} must lie strictly inside the box ({lo}, {hi}); got {v}")
    return [lo] + sorted(set(vals)) + [hi]


def _tiles(net, plane, x0, x1, y0, y1, exact, packer, chunk_regions, cuts,
           is_exact) -> Iterator[np.ndarray]:
    """Pattern keys of every tile; a tile above ``chunk_regions`` is split in four."""
    if cuts is not None:
        xs = _grid(x0, x1, cuts[0], is_exact, "cuts[0]")
        ys = _grid(y0, y1, cuts[1], is_exact, "cuts[1]")
    else:
        xs, ys = tile_grid(net, plane, x0, x1, y0, y1, exact, packer, chunk_regions,
                            is_exact, 1)
    yield from _tile_stack(net, plane, xs, ys, exact, packer, chunk_regions,
                           split=cuts is None, scale=x1 - x0)


def tile_grid(net, plane, x0, x1, y0, y1, exact, packer, chunk_regions, is_exact,
               least: int):
    """A k x k grid of tiles of about half ``chunk_regions`` regions each (from a first
    tile of 1/64 of the box), with at least ``least`` tiles."""
    keys, n = _tile_keys(net, plane, x0, x0 + (x1 - x0) / 8, y0, y0 + (y1 - y0) / 8,
                         exact, packer)
    per_box = max(1.0, n * 64.0)
    k = max(1, math.ceil(math.sqrt(per_box / (chunk_regions / 2))), math.ceil(math.sqrt(least)))
    xs = [x0 + (x1 - x0) * (Fraction(i, k) if is_exact else i / k) for i in range(k + 1)]
    ys = [y0 + (y1 - y0) * (Fraction(i, k) if is_exact else i / k) for i in range(k + 1)]
    xs[-1], ys[-1] = x1, y1
    return xs, ys


def _tile_stack(net, plane, xs, ys, exact, packer, chunk_regions, split: bool, scale):
    """Pattern keys of the tiles of the grid ``xs`` x ``ys``; with ``split`` a tile above
    ``chunk_regions`` regions is split in four and done again."""
    stack = [(a, b, c, d) for c, d in zip(ys[:-1], ys[1:]) for a, b in zip(xs[:-1], xs[1:])]
    stack.reverse()
    while stack:
        a, b, c, d = stack.pop()
        keys, n = _tile_keys(net, plane, a, b, c, d, exact, packer)
        if n > chunk_regions and split and (b - a) > scale * 1e-9:
            ma, mc = (a + b) / 2, (c + d) / 2
            stack.extend([(ma, b, mc, d), (a, ma, mc, d), (ma, b, c, mc), (a, ma, c, mc)])
            continue
        yield keys
