"""The planar engine behind :func:`regions.partition`: the arrangement of a two-input
network's region boundaries, built layer by layer and neuron by neuron over arrays.

Geometry in homogeneous coordinates
-----------------------------------
A vertex is a row ``(x, y, w)``: ``w = 1`` for a point, ``w = 0`` for a point at infinity,
i.e. a direction (the oriented projective plane). Unbounded regions are therefore convex
polygons like any other, some of whose vertices are directions; the edge between two
consecutive directions lies at infinity, and an edge from a point to a direction is a ray.
The whole plane starts as the four directions +x, +y, -x, -y. Points are normalised to
``w = 1`` and directions to max(|x|, |y|) = 1, so both are exact for Fractions.

Values on the arrangement
-------------------------
Every vertex carries the current layer's values there: for a point the layer's outputs,
for a direction the outputs' rates of growth along it (the linear part of the region's
affine map applied to the direction). The network is continuous, so these values belong
to the vertex, not to a region, and the pre-activation of a neuron at a new vertex
``|z_q| p + |z_p| q`` on an edge ``(p, q)`` is the same combination of the values at ``p`` and
``q`` (every layer's values are affine on every region of the layers before it). After a
layer, points take ``phi(z)`` and directions the activation's recession function (the slope
of the outermost piece on the side of ``z``: hard-tanh gives 0, ReLU ``max(z, 0)``).

Splitting
---------
A layer computes its pre-activations at all vertices with one matrix product. It then marks,
for every region present at the start of the layer (a *parent*) and every neuron and
threshold, whether the threshold's line crosses it (values of both strict signs at the
parent's vertices). Neuron by neuron, only the regions descending from marked parents are
examined; the ones with values of both signs are split along the line, the crossing points
being created once per edge (edges are shared by the regions on their two sides). The
values at a region's vertices decide everything, so the regions on both sides of an edge
see the same signs: no T-junctions, the arrangement stays a planar graph. A line that
passes exactly through a vertex uses it (several boundaries meet there); a line that runs
along an existing edge splits nothing there. When both ends of a cut are directions (the
cut is a whole line, e.g. across a strip), a finite point of the line is inserted on the
cut so no edge joins two opposite directions.

Group maxima
------------
A group-max node (max pooling, maxout) is cut as a tournament: with m the running maximum of
the first i - 1 entries of a group, regions are cut where g_i = f_i - m crosses 0, for
i = 2..k. g_i is continuous and affine on every region once the previous entries are done,
so this is a neuron cut like any other. A tournament can cut where the final argmax does not
change (an entry that wins on both sides of an earlier cut), so afterwards the pieces of one
region of the stage's start that have the same argmax in every group are merged: their union
is convex (an intersection of convex sets), and its boundary is the cycle of their edges
whose reverse is not in the class, chained end to start over all classes at once. Vertices
that end up straight in every region (where a merged cut ended on an edge) are dropped when
both their neighbours are points. A region's argmax is the first entry equal to the running
maximum at all its vertices.

Float mode snaps a pre-activation z_j at vertex v within ``tol`` times its rounding scale of
a threshold onto it: ``sum_i |W_ji| m_v + sum_i |W_ji| s_vi + (|b_j| + |theta|) w_v``, where
m_v = max_i |h_vi| and s_vi is the size of the terms of the previous layer's sum that made
h_vi. The scale belongs to the vertex (a far vertex does not loosen it elsewhere), and the
previous layer's terms keep a value that is the rounding noise of a cancelled sum from
being its own scale. New vertices interpolate the scales like their values. Snapping is
done for old vertices at the layer start and for every new vertex, so boundaries meeting
within rounding share one vertex instead of leaving slivers. A region whose vertex values
change sign more than twice around it (possible only through float rounding) raises
``RuntimeError`` rather than producing a wrong split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import FloatModeError
from . import _numbers
from .kinds import NumberKind
from ._stages import check_float_range, check_terms_underflow, padded_groups
from .activations import ACTIVATIONS

__all__ = ["PlanarEngine", "CutRecord", "convex_polygon", "cross", "compact_rows",
           "compact_slots", "compact_with", "BLOCK"]


def convex_polygon(value: Any, name: str) -> np.ndarray:
    """Validate a convex polygon (vertices in order, either orientation) and return its
    vertices counter-clockwise, consecutive repeats and collinear middle vertices kept out.
    """
    poly = _numbers.coerce_array(value, name, 2, "2-D array of shape (k, 2)")
    if poly.shape[1] != 2:
        raise ValueError(
            f"{name} must have shape (k, 2): vertices in plane coordinates; got shape "
            f"{poly.shape}"
        )
    keep = np.ones(poly.shape[0], dtype=bool)
    keep[1:] = np.any(poly[1:] != poly[:-1], axis=1)
    poly = poly[keep]
    if poly.shape[0] > 1 and np.all(poly[0] == poly[-1]):
        poly = poly[:-1]
    if poly.shape[0] < 3:
        raise ValueError(
            f"{name} must have at least 3 distinct vertices (a convex polygon of positive "
            f"area); got {poly.shape[0]}"
        )
    # the signs below do not depend on the scale: in float, units of the largest coordinate
    unit = poly if poly.dtype == object else poly / np.abs(poly).max()
    nxt, prv = np.roll(unit, -1, axis=0), np.roll(unit, 1, axis=0)
    turn = (unit[:, 0] - prv[:, 0]) * (nxt[:, 1] - unit[:, 1]) - (unit[:, 1] - prv[:, 1]) * (
        nxt[:, 0] - unit[:, 0]
    )
    area2 = (unit[:, 0] * nxt[:, 1] - nxt[:, 0] * unit[:, 1]).sum()
    if area2 == 0:
        raise ValueError(f"{name} must have positive area; its vertices are collinear")
    if area2 < 0:
        poly, turn = poly[::-1].copy(), -turn[::-1]
    if np.any(turn < 0):
        raise ValueError(
            f"{name} must be convex with its vertices in order around it; vertex "
            f"{int(np.flatnonzero(turn < 0)[0])} turns the wrong way"
        )
    poly = poly[turn > 0]  # collinear middle vertices are not corners
    # every turn is to the left; the boundary must also go round once, not several times:
    # the edge directions pass from the lower half-plane to the upper one exactly once
    d = np.roll(poly, -1, axis=0) - poly
    lower = (d[:, 1] < 0) | ((d[:, 1] == 0) & (d[:, 0] < 0))
    wraps = int(np.count_nonzero(lower & ~np.roll(lower, -1)))
    if wraps != 1:
        raise ValueError(f"{name} must be a simple convex polygon; its boundary winds {wraps} times")
    return poly


BLOCK = 16
"""Neurons per block in a layer (see :meth:`PlanarEngine.layer`)."""


@dataclass(frozen=True)
class CutRecord:
    """What one call of :meth:`PlanarEngine._cut` did, for engines that keep books on the
    arrangement's lines (``track_lines``). Row i of the (c, K) arrays is region ``cand[i]``
    before the cut, its vertices in order; slot k stands for the vertex k and the edge from
    it to vertex k + 1.

    Attributes
    ----------
    j, th : neuron and threshold cut along.
    cand : (c,) the regions split; each keeps its row for its side above the threshold,
        its side below is row ``first_row + i``.
    s, s_next : (c, K) int8 sides of the threshold at vertex k and vertex k + 1.
    zero : (c, K) vertex k on the line; cross : (c, K) edge k crossed strictly.
    first : indices, into the crossed slots in row-major order, of the first slot of each
        distinct crossed edge; new : the vertex made on each such edge, whose ends are
        ``ends``.
    whole : rows whose cut runs between two directions; mid : the finite point inserted
        on the line there, on the segment ``mid_ends`` (None if no such row).
    keep_pos, keep_neg : (c, 3K) which slots of the sequences (vertex k, crossing point of
        edge k, inserted point) the two sides keep, in order; pos_slots, neg_slots: where
        they go (:func:`compact_slots`).
    """

    j: int
    th: Any
    cand: np.ndarray
    first_row: int
    s: np.ndarray
    s_next: np.ndarray
    zero: np.ndarray
    cross: np.ndarray
    first: np.ndarray
    new: np.ndarray
    ends: tuple[np.ndarray, np.ndarray]
    whole: np.ndarray
    mid: np.ndarray | None
    mid_ends: tuple[np.ndarray, np.ndarray] | None
    keep_pos: np.ndarray
    keep_neg: np.ndarray
    pos_slots: tuple[np.ndarray, np.ndarray, np.ndarray, int]
    neg_slots: tuple[np.ndarray, np.ndarray, np.ndarray, int]


class PlanarEngine:
    """Arrangement state: vertex arrays with spare capacity, padded region arrays."""

    track_lines = False
    """Whether :meth:`_cut` reports each cut to :meth:`_record_cut`."""

    # set per layer (see the layer methods): the vertices' values of the current node,
    # float term sizes at the input and the previous stage, and per region its parent
    # region, the region it started from and its pattern of the current layer
    Z: np.ndarray
    mag_in: np.ndarray
    mag_prev: np.ndarray
    parent: np.ndarray
    origin: np.ndarray
    index: np.ndarray

    def __init__(self, polygon: np.ndarray | None, kind: NumberKind) -> None:
        self.kind = kind
        self.exact, self.tol = kind.is_exact, kind.tol
        zero = self.zero = kind.zero
        if polygon is None:
            one = kind.one
            X = np.array(
                [[one, zero, zero], [zero, one, zero], [-one, zero, zero], [zero, -one, zero],
                 [zero, zero, one]],  # the last row: an anchor point in no region
                dtype=kind.dtype,
            )
            faces = np.array([[0, 1, 2, 3]])
            self.anchor = 4
        else:
            poly = kind.convert(polygon)
            ones = np.full((poly.shape[0], 1), kind.one, dtype=kind.dtype)
            X = np.concatenate([poly, ones], axis=1)
            faces = np.arange(poly.shape[0])[None, :]
            self.anchor = -1
        self.nV = X.shape[0]
        self.X = self._blank((2 * self.nV + 8, 3))
        self.X[: self.nV] = X
        self.H = self._blank((self.X.shape[0], 2))
        self.H[: self.nV] = X[:, :2]
        self.nF = 1
        self.F = np.full((16, max(8, faces.shape[1] + 2)), -1, dtype=np.int64)
        self.F[0, : faces.shape[1]] = faces[0]
        self.cnt = np.zeros(16, dtype=np.int64)
        self.cnt[0] = faces.shape[1]
        self.nonnegative = False  # every vertex value >= 0 (after a ReLU layer)
        self.prev_abs: Any = None  # float mode: the previous stage's term sizes per column
        self.noise: Any = None  # float mode: (slope, alpha, offset) rounding scales
        self.layer_codes: list[np.ndarray] = []   # per layer: (regions then, width) int8
        self.layer_parents: list[np.ndarray] = []  # per layer: region -> region of layer before

    # -- storage ---------------------------------------------------------------------------

    def _blank(self, shape: tuple[int, int]) -> np.ndarray:
        return self.kind.zeros(shape)

    def _grow_rows(self, arr: np.ndarray, need: int, fill: Any) -> np.ndarray:
        if need <= arr.shape[0]:
            return arr
        cap = max(need, 2 * arr.shape[0])
        if arr.dtype == object or fill != 0:
            out = np.full((cap,) + arr.shape[1:], fill, dtype=arr.dtype)
        else:  # zeroed pages come free from the allocator
            out = np.zeros((cap,) + arr.shape[1:], dtype=arr.dtype)
        out[: arr.shape[0]] = arr
        return out

    def _reserve_vertices(self, k: int) -> None:
        need = self.nV + k + 1  # one spare row of zeros stays past the end: padding reads it
        if need > self.X.shape[0]:
            self.X = self._grow_rows(self.X, need, self.zero)
            self.Z = self._grow_rows(self.Z, need, self.zero)
            if not self.exact:
                self.mag_in = self._grow_rows(self.mag_in, need, 0.0)
                self.mag_prev = self._grow_rows(self.mag_prev, need, 0.0)

    def _reserve_faces(self, k: int, width: int) -> None:
        need = self.nF + k
        if need > self.F.shape[0]:
            self.F = self._grow_rows(self.F, need, -1)
            self.cnt = self._grow_rows(self.cnt, need, 0)
            self.parent = self._grow_rows(self.parent, need, 0)
            self.origin = self._grow_rows(self.origin, need, 0)
            self.index = self._grow_rows(self.index, need, 0)
        if width > self.F.shape[1]:
            wide = np.full((self.F.shape[0], max(width, self.F.shape[1] + 4)), -1, np.int64)
            wide[:, : self.F.shape[1]] = self.F
            self.F = wide

    # -- one layer -------------------------------------------------------------------------

    def layer(self, st: Any) -> None:
        """Split the regions where stage ``st``'s elementwise node changes pattern (see
        :mod:`regions._stages`), then apply it."""
        if st.is_max:
            self._max_layer(st)
            return
        act = st.activation
        exact, nV, m = self.exact, self.nV, st.num_pre
        # room for the layer's new vertices up front: zeroed pages cost nothing until used,
        # while growing a (vertices x width) array copies it
        room = 4 * nV + 1024
        if room > self.X.shape[0]:
            self.X = self._grow_rows(self.X, room, self.zero)
        H = self.H[:nV]
        Z = self._blank((self.X.shape[0], m + st.carry.shape[0]))
        self._pre_values(st, Z)
        self.Z, self.m = Z, m
        thresholds = [self.kind.scalar(th) for th in act.thresholds]
        self._thresholds_now = thresholds
        if exact:
            self.noise = None
        else:
            self._layer_noise(st, H)
            for th in thresholds:
                self._snap(slice(0, nV), th)
        self.origin = np.arange(self.F.shape[0], dtype=np.int64)
        self._cut_columns(thresholds, m)
        self._record_patterns(act)
        self._activate(act, carried=bool(st.carry.shape[0]))

    def _pre_values(self, st: Any, Z: np.ndarray) -> None:
        """Write the stage's pre-activations at the vertices into the first ``num_pre``
        columns of ``Z`` (points take the bias, directions not) and the carried state
        columns after them."""
        nV, m = self.nV, st.num_pre
        H = self.H[:nV]
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused later
            Z[:nV, :m] = st.pre(H, self.X[:nV, 2])
        Z[:nV, m:] = H[:, st.carry]

    def _cut_columns(self, thresholds: list, m: int) -> None:
        """Split every region crossed by a threshold line of one of the first ``m`` columns
        of ``Z``, keeping ``self.index`` (each region's piece per column) up to date."""
        # each region's piece per neuron, kept up to date as regions split
        self.index = np.zeros((self.F.shape[0], m), dtype=np.int8)
        if not thresholds:
            return
        # Neurons in blocks: each block marks which of the regions present at its start
        # (the parents) each of its neurons crosses; a neuron then examines only the
        # regions descending from its parents, not every region.
        for j0 in range(0, m, BLOCK):
            j1 = min(j0 + BLOCK, m)
            self.parent = np.arange(self.F.shape[0], dtype=np.int64)
            self.block_start = self.nF
            cuts = self._parents_cut(thresholds, j0, j1)  # also counts sides in index
            mark = np.zeros(self.nF, dtype=bool)
            for j in range(j0, j1):
                for t, th in enumerate(thresholds):
                    plist = cuts[t][j - j0]
                    if plist.shape[0]:
                        self._cut(j, th, plist, mark)

    # -- group maxima ----------------------------------------------------------------------

    def _max_layer(self, st: Any) -> None:
        """A group-max stage. Tournament: after candidates 1..i-1 each region has one
        argmax a, and the running maximum m is affine on it; the regions are cut where the
        i-th candidate overtakes it, along g_i = f_i - m (continuous, affine on every region,
        so cut exactly like a neuron with threshold 0). The tournament may cut a region where
        the final argmax does not change (an earlier winner later overtaken on both sides),
        so afterwards the pieces of one region of the stage's start with the same argmaxes
        are merged back into one convex region (:func:`_merge_fragments`)."""
        exact, nV = self.exact, self.nV
        groups = padded_groups(st.groups)
        G, k = groups.shape
        P, c = st.num_pre, st.carry.shape[0]
        room = 4 * nV + 1024
        if room > self.X.shape[0]:
            self.X = self._grow_rows(self.X, room, self.zero)
        H = self.H[:nV]
        # columns: [g_i per group | candidates | running maximum per group | carried]
        Z = self._blank((self.X.shape[0], G + P + G + c))
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below
            Z[:nV, G: G + P] = st.pre(H, self.X[:nV, 2])
        Z[:nV, G + P + G:] = H[:, st.carry]
        Z[:nV, G + P: G + P + G] = Z[:nV, G + groups[:, 0]]
        self.Z, self.m = Z, G
        zero = self.zero
        self._thresholds_now = [zero]
        if not exact:
            self._layer_noise(st, H, first=G)
            # g_i = f_i - m: twice the largest candidate scale of the group
            self.noise = tuple(2 * v[groups].max(axis=1) for v in self.noise)
            self.prev_abs = tuple(np.concatenate([v[groups].max(axis=1), v[P:]])
                                  for v in self.prev_abs)
        first_new = nV
        self.origin = np.arange(self.F.shape[0], dtype=np.int64)
        run = slice(G + P, G + P + G)
        for i in range(1, k):
            n, Z = self.nV, self.Z
            Z[:n, :G] = Z[:n, G + groups[:, i]] - Z[:n, run]
            if not exact:
                self._snap(slice(0, n), zero)
            self._cut_columns([zero], G)
            n, Z = self.nV, self.Z
            Z[:n, run] = np.maximum(Z[:n, run], Z[:n, G + groups[:, i]])
        del self.index
        codes = self._region_argmax(groups, G, run)
        keep, F, cnt = _merge_fragments(self.F[: self.nF], self.cnt[: self.nF],
                                        self.origin[: self.nF], codes, self.X)
        F, cnt = _drop_straight_vertices(F, cnt, self.X, first_new, self.exact, self.tol)
        F, cnt = F.copy(), cnt.copy()  # (they may be views of the arrays rewritten below)
        nF = F.shape[0]
        self._reserve_faces(0, F.shape[1])
        self.F[:] = -1  # rows past nF must read as empty: later splits write only a prefix
        self.F[:nF, : F.shape[1]] = F
        self.cnt[:] = 0
        self.cnt[:nF] = cnt
        self.nF = nF
        self.layer_codes.append(codes[keep])
        self.layer_parents.append(self.origin[: len(codes)][keep].copy())
        self.H = np.ascontiguousarray(self.Z[:, G + P:])
        del self.Z
        self.nonnegative = False

    def _region_argmax(self, groups: np.ndarray, G: int, run: slice) -> np.ndarray:
        """Each region's argmax per group: the first candidate equal to the maximum (columns
        ``run``) at all of the region's vertices, hence on the whole region (float: within
        the noise)."""
        nF = self.nF
        F, cnt = self.F[:nF], self.cnt[:nF]
        K, k = F.shape[1], groups.shape[1]
        out = np.zeros((nF, G), dtype=np.int8)
        step = max(1, (1 << 22) // max(1, K * G * k))
        for r0 in range(0, nF, step):  # blocks of regions bound the memory
            ids = F[r0: r0 + step]
            valid = np.arange(K)[None, :] < cnt[r0: r0 + step, None]
            v = np.where(valid, ids, ids[:, :1])  # padding repeats the first vertex
            cand = self.Z[v][:, :, G + groups]  # (r, K, G, k)
            top = self.Z[v][:, :, run][:, :, :, None]
            if self.exact:
                ok = np.all(cand == top, axis=1)
            else:
                slope, alpha, offset = self.noise
                scale = (self.mag_in[v][:, :, None] * slope
                         + self.mag_prev[v][:, :, None] * alpha
                         + self.X[v, 2][:, :, None] * offset)
                ok = np.all(cand >= top - scale[:, :, :, None], axis=1)
            if self.anchor >= 0 and nF == 1 and not np.any(self.X[F[0, : cnt[0]], 2] != 0):
                # the uncut plane (directions only): its values at a point too, or constant
                # entries would all tie at the directions
                a = np.array([[self.anchor]])
                cand_a = self.Z[a][:, :, G + groups]
                top_a = self.Z[a][:, :, run][:, :, :, None]
                if self.exact:
                    ok &= np.all(cand_a == top_a, axis=1)
                else:
                    scale_a = (self.mag_in[a][:, :, None] * slope
                               + self.mag_prev[a][:, :, None] * alpha
                               + self.X[a, 2][:, :, None] * offset)
                    ok &= np.all(cand_a >= top_a - scale_a[:, :, :, None], axis=1)
            out[r0: r0 + step] = np.argmax(ok, axis=2)
        return out


    def _layer_noise(self, st: Any, H: np.ndarray, first: int = 0) -> None:
        """Float mode: the rounding-error scales of this stage's pre-activations (see
        :meth:`_snap`), and the sizes this stage passes on to the next."""
        nV, cap, n_state = self.nV, self.X.shape[0], H.shape[1]
        # the sizes of the terms of this layer's sums and of the previous layer's, which
        # made h_v (so that an h_v that is the rounding noise of a cancelled sum is not its
        # own scale)
        prev = self.mag_in[:nV] if self.prev_abs is not None else None
        self.mag_in = np.zeros(cap)
        if self.nonnegative:  # after a ReLU layer: |h| = h, one pass
            self.mag_in[:nV] = H.max(axis=1, initial=0.0)
        else:
            self.mag_in[:nV] = np.abs(H).max(axis=1, initial=0.0)
        self.mag_prev = np.zeros(cap)
        slope = st.pre_abs(np.ones((1, n_state)), 0)[0]  # sum_i |A_ji|
        offset = st.pre_abs(np.zeros((1, n_state)), 1)[0]  # the bias terms
        top = float(self.mag_in[:nV].max(initial=0.0))
        with np.errstate(over="ignore", invalid="ignore"):
            check_float_range(self.Z[:nV, first: first + st.num_pre], slope * top + offset, st.name,
                              "partition")
        check_terms_underflow(self.mag_in[:nV], slope, offset, st.name, "partition")
        if prev is None:
            alpha = beta = np.zeros(st.num_pre)
            carried = (np.zeros(st.carry.shape[0]),) * 2
        else:
            self.mag_prev[:nV] = prev
            alpha = st.pre_abs(self.prev_abs[0][None, :], 0)[0]
            beta = st.pre_abs(self.prev_abs[1][None, :], 0)[0]
            carried = (self.prev_abs[0][st.carry], self.prev_abs[1][st.carry])
        self.noise = (self.tol * slope, self.tol * alpha, self.tol * (offset + beta))
        self.prev_abs = (np.concatenate([slope, carried[0]]),
                         np.concatenate([offset, carried[1]]))

    def _snap(self, rows: slice, th: Any) -> None:
        """Float mode: values within the noise of threshold ``th`` are set onto it. The
        noise of z_j at vertex v (rows of a slice) is tol times
        ``sum_i |W_ji| m_v + sum_i |W_ji| s_vi + (|b_j| + |th|) w_v``, with m_v = max_i |h_vi|
        and s_vi = sum_k |W'_ik| m'_v + |b'_i| w_v the size of the terms of the previous
        layer's sum that made h_vi (W', b', m' of the previous layer)."""
        Z, wcol = self.Z[rows, : self.m], self.X[rows, 2]
        m_in, m_prev = self.mag_in[rows], self.mag_prev[rows]
        slope, alpha, offset = self.noise
        offset = offset + self.tol * abs(th)
        target = th * wcol[:, None]
        diff = np.abs(Z - target) if th else np.abs(Z)
        # a cheap bound per row first; the exact bound only where it may hold
        rough = (m_in * slope.max(initial=0.0) + m_prev * alpha.max(initial=0.0)
                 + wcol * offset.max(initial=0.0))
        r, c = np.nonzero(diff <= rough[:, None])
        near = diff[r, c] <= m_in[r] * slope[c] + m_prev[r] * alpha[c] + wcol[r] * offset[c]
        r, c = r[near], c[near]
        Z[r, c] = th * wcol[r]

    def _values(self, ids: Any, j: int, th: Any) -> np.ndarray:
        return self.Z[ids, j] - th * self.X[ids, 2]

    def _sides_at(self, ids: Any, j: int, th: Any) -> np.ndarray:
        """+1 / -1 / 0 (int8): the side of threshold ``th`` neuron ``j`` is on at the
        vertices ``ids`` (any shape; -1 padding reads the blank row past the end)."""
        return self.kind.sides(self._values(ids, j, th))

    def _block_signs(self, j0: int, j1: int, th: Any) -> tuple[np.ndarray, np.ndarray]:
        """Whether each vertex's value of neurons ``j0:j1`` is above and below ``th``: two
        boolean arrays of shape (vertices, j1 - j0)."""
        d = self.Z[: self.nV, j0:j1] - th * self.X[: self.nV, 2:3]
        return d > 0, d < 0

    def _parents_cut(self, thresholds: list, j0: int, j1: int) -> list[list[np.ndarray]]:
        """For each threshold and neuron j0 <= j < j1: the regions (now) it crosses."""
        nF, m = self.nF, j1 - j0
        F = self.F[:nF]
        out = []
        for th in thresholds:
            # bit 1: a value above the threshold, bit 2: below; crossed: both bits
            above, below = self._block_signs(j0, j1, th)
            bits = np.zeros((self.Z.shape[0], m), dtype=np.uint8)  # padding reads 0
            bits[: self.nV] = above.view(np.uint8) | (below.view(np.uint8) << 1)
            seen = _or_over_vertices(bits, F, self.cnt[:nF])
            if self.anchor >= 0 and nF == 1 and not np.any(self.X[F[0], 2] != 0):
                seen[0] |= bits[self.anchor]  # the uncut plane: its values at a point
            # a region not crossed is above iff a vertex is (none: on the threshold, below)
            self.index[:nF, j0:j1] += (seen == 1).view(np.int8)
            neuron, par = np.nonzero(np.ascontiguousarray((seen == 3).T))
            bounds = np.searchsorted(neuron, np.arange(m + 1))
            out.append([par[bounds[j]: bounds[j + 1]] for j in range(m)])
        return out

    def _cut(self, j: int, th: Any, plist: np.ndarray, mark: np.ndarray) -> None:
        # the parents themselves (each keeps its row) and the rows split off them since
        mark[plist] = True
        start = self.block_start
        later = np.flatnonzero(mark[self.parent[start: self.nF]]) + start
        mark[plist] = False
        cand = np.concatenate([plist, later]) if later.shape[0] else plist
        ids = self.F[cand]
        s = self._sides_at(ids, j, th)
        above: np.ndarray = np.any(s > 0, axis=1)
        split = above & (s < 0).any(axis=1)
        whole_side = cand[~split]
        self.index[whole_side, j] += above[~split].view(np.int8)
        if not split.any():
            return
        cand, ids, s = cand[split], ids[split], s[split]
        n = self.cnt[cand]
        c, K = ids.shape
        k = np.arange(K)
        valid = k[None, :] < n[:, None]
        nxt = np.where(k[None, :] + 1 < n[:, None], k[None, :] + 1, 0)
        ids_next = np.take_along_axis(ids, nxt, axis=1)
        s_next = np.take_along_axis(s, nxt, axis=1)
        cross = valid & (s * s_next < 0)

        # one new vertex per crossed edge (the regions on both sides share it)
        u, v = ids[cross], ids_next[cross]
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        _, first, inverse = np.unique(lo * self.X.shape[0] + hi, return_index=True,
                                         return_inverse=True)
        a, b = lo[first], hi[first]
        new = self._combine(a, b, j, th)
        cross_id = np.full((c, K), -1, dtype=np.int64)
        cross_id[cross] = new[inverse.reshape(-1)]

        # where the cut leaves the + side (exit) and enters it again (entry)
        zero = valid & (s == 0)
        exits = (zero & (s_next < 0)) | (cross & (s > 0))
        entries = (zero & (s_next > 0)) | (cross & (s < 0))
        if np.any(exits.sum(axis=1) != 1) or np.any(entries.sum(axis=1) != 1):
            # a convex region meets a line in one segment; only float rounding can break it
            raise FloatModeError(
                "partition: a region's vertex values change sign more than twice around it "
                "(float rounding at a near-degenerate vertex); use exact=True, or a larger tol"
            )
        exit_k = np.argmax(exits, axis=1)
        entry_k = np.argmax(entries, axis=1)
        rows = np.arange(c)
        exit_pt = np.where(zero[rows, exit_k], ids[rows, exit_k], cross_id[rows, exit_k])
        entry_pt = np.where(zero[rows, entry_k], ids[rows, entry_k], cross_id[rows, entry_k])
        wcol = self.X[:, 2]
        whole = np.flatnonzero((wcol[exit_pt] == 0) & (wcol[entry_pt] == 0))

        L = 3 * K
        seq_pos = np.full((c, L), -1, dtype=np.int64)
        seq_neg = np.full((c, L), -1, dtype=np.int64)
        seq_pos[:, 0::3] = np.where(valid & (s >= 0), ids, -1)
        seq_neg[:, 0::3] = np.where(valid & (s <= 0), ids, -1)
        seq_pos[:, 1::3] = cross_id
        seq_neg[:, 1::3] = cross_id
        mid = ends = None
        if whole.shape[0]:
            ends = self._line_ends(ids[whole], s[whole], valid[whole], j, th)
            mid = self._combine(ends[0], ends[1], j, th)
            seq_pos[whole, 3 * exit_k[whole] + 2] = mid
            seq_neg[whole, 3 * entry_k[whole] + 2] = mid

        keep_pos, keep_neg = seq_pos >= 0, seq_neg >= 0
        pos_slots, neg_slots = compact_slots(keep_pos), compact_slots(keep_neg)
        pos_ids, pos_n = compact_with(seq_pos, keep_pos, pos_slots), keep_pos.sum(axis=1)
        neg_ids, neg_n = compact_with(seq_neg, keep_neg, neg_slots), keep_neg.sum(axis=1)
        width = int(max(pos_n.max(), neg_n.max()))
        self._reserve_faces(c, width)
        self.F[cand] = -1
        self.F[cand, : pos_ids.shape[1]] = pos_ids
        self.cnt[cand] = pos_n
        start = self.nF
        self.F[start: start + c, : neg_ids.shape[1]] = neg_ids
        self.cnt[start: start + c] = neg_n
        self.parent[start: start + c] = self.parent[cand]
        self.origin[start: start + c] = self.origin[cand]
        self.index[start: start + c] = self.index[cand]  # the side below: no increment
        self.index[cand, j] += 1
        if self.track_lines:
            self._record_cut(CutRecord(
                j=j, th=th, cand=cand, first_row=start, s=s, s_next=s_next, zero=zero,
                cross=cross, first=first, new=new, ends=(a, b), whole=whole, mid=mid,
                mid_ends=ends, keep_pos=keep_pos, keep_neg=keep_neg, pos_slots=pos_slots,
                neg_slots=neg_slots))
        self.nF += c

    def _record_cut(self, cut: CutRecord) -> None:
        """Called after each cut when ``track_lines`` (the new rows written, ``nF`` not yet
        advanced)."""

    def _combine(self, a: np.ndarray, b: np.ndarray, j: int, th: Any) -> np.ndarray:
        """New vertices where neuron ``j`` crosses threshold ``th`` on the segments (a, b)
        (the ends' values have opposite signs, or ``a``'s is zero): |z_b| a + |z_a| b,
        normalised, with the values combined alike; returns their ids."""
        za = np.abs(self._values(a, j, th))
        zb = np.abs(self._values(b, j, th))
        if not self.exact:  # weights at most 1: large values times large coordinates
            total = za + zb  # would overflow (the point is the same)
            za, zb = za / total, zb / total
        Xn = zb[:, None] * self.X[a] + za[:, None] * self.X[b]
        finite = Xn[:, 2] != 0
        scale = np.where(finite, Xn[:, 2], np.maximum(np.abs(Xn[:, 0]), np.abs(Xn[:, 1])))
        ca, cb = (zb / scale)[:, None], (za / scale)[:, None]
        Xn = Xn / scale[:, None]
        Xn[:, 2] = np.where(finite, self.kind.one, self.zero)
        k = Xn.shape[0]
        self._reserve_vertices(k)
        new = slice(self.nV, self.nV + k)
        self.X[new] = Xn
        Zn = self.Z[new]  # a view: the values are written in place
        np.multiply(self.Z[a], ca, out=Zn)
        Zn += self.Z[b] * cb
        if not self.exact:
            self.mag_in[new] = ca[:, 0] * self.mag_in[a] + cb[:, 0] * self.mag_in[b]
            self.mag_prev[new] = ca[:, 0] * self.mag_prev[a] + cb[:, 0] * self.mag_prev[b]
            for other in self._thresholds_now:
                self._snap(new, other)
        Zn[:, j] = np.where(finite, th, self.zero) if th != 0 else self.zero
        self.nV += k
        return np.arange(new.start, new.stop)

    def _line_ends(self, ids, s, valid, j: int, th: Any) -> tuple[np.ndarray, np.ndarray]:
        """For each region (rows of ``ids``) whose cut runs between two directions, the ends
        ``(a, b)`` of a segment the cut line crosses inside the region, where a finite point
        of the line is inserted: ``a`` a point of the region (the anchor for the whole
        plane), ``b`` a vertex on the other side of the line."""
        wcol = self.X[:, 2]
        finite = valid & (wcol[ids] != 0) & (s != 0)
        has = finite.any(axis=1)
        rows = np.arange(ids.shape[0])
        a = np.where(has, ids[rows, np.argmax(finite, axis=1)], self.anchor)
        if np.any(a < 0):  # pragma: no cover - a region of a bounded domain has points
            raise AssertionError("internal error: a region without a finite vertex")
        sa = self._sides_at(a, j, th)
        other = valid & np.where(sa[:, None] == 0, s != 0, s == -sa[:, None])
        b = ids[rows, np.argmax(other, axis=1)]
        return a, b

    # -- end of a layer --------------------------------------------------------------------

    def _record_patterns(self, act: Any) -> None:
        nF = self.nF
        codes = np.asarray(act.codes, dtype=np.int8)
        self.layer_codes.append(codes[self.index[:nF]])
        self.layer_parents.append(self.origin[:nF].copy())
        del self.index

    def _activate(self, act: Any, carried: bool) -> None:
        """Points take phi(z); directions the recession function of phi (the slope of the
        outermost piece on z's side times z); carried columns stay. The pre-activations'
        storage is reused."""
        nV, m = self.nV, self.m
        Z = self.Z[:, :m] if carried else self.Z
        self.nonnegative = False
        direction = np.flatnonzero(self.X[:nV, 2] == 0)
        zd = Z[direction]
        if self.exact:
            Z[:nV] = act(Z[:nV])
        else:
            # (directions too for ReLU: its recession function is ReLU)
            self.nonnegative = activate_in_place(act, Z[:nV]) and not carried
        lo, hi = self.kind.scalar(act.slopes[0]), self.kind.scalar(act.slopes[-1])
        Z[direction] = np.where(zd > 0, hi * zd, lo * zd)
        self.H = self.Z
        del self.Z

    # -- results ---------------------------------------------------------------------------

    def faces(self) -> tuple[np.ndarray, np.ndarray]:
        """The regions' vertex ids (padded with -1 to the largest region) and counts."""
        cnt = self.cnt[: self.nF]
        return self.F[: self.nF, : int(cnt.max())], cnt


def activate_in_place(act: Any, Z: np.ndarray) -> bool:
    """Apply the activation to the float64 array ``Z`` in place (without a temporary for
    ReLU and hard-tanh); returns whether the values are now non-negative (ReLU)."""
    if act is ACTIVATIONS["relu"]:
        np.maximum(Z, 0.0, out=Z)
        return True
    if act is ACTIVATIONS["hardtanh"]:
        np.clip(Z, -1.0, 1.0, out=Z)
    else:
        Z[...] = act(Z)
    return False


def _merge_fragments(F: np.ndarray, cnt: np.ndarray, origin: np.ndarray, codes: np.ndarray,
                     X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge the regions with one ``origin`` (region at the stage's start) and one row of
    ``codes`` into one region each. Such a class is convex (an intersection of convex sets),
    so its boundary is one cycle: the fragments' edges (all counter-clockwise) whose reverse
    is not an edge of the same class, chained end to start. Returns the indices of the rows
    kept (the first fragment of each class, in order) and the new rows and counts."""
    nF, K = F.shape
    _, cls = np.unique(np.column_stack([origin, codes]), axis=0, return_inverse=True)
    cls = cls.reshape(-1)
    size = np.bincount(cls)
    first = np.full(size.shape[0], nF)
    np.minimum.at(first, cls, np.arange(nF))
    keep = np.sort(first)
    multi = size[cls] > 1
    if not multi.any():
        return keep, F, cnt
    # directed edges of the fragments to merge
    k = np.arange(K)
    rows = np.flatnonzero(multi)
    valid = k[None, :] < cnt[rows, None]
    nxt = np.where(k[None, :] + 1 < cnt[rows, None], k[None, :] + 1, 0)
    u = F[rows][valid]
    v = np.take_along_axis(F[rows], nxt, axis=1)[valid]
    c = np.broadcast_to(cls[rows][:, None], valid.shape)[valid]
    V = np.int64(X.shape[0])
    if int(cls.max() + 1) * int(V) * int(V) >= 2**62:  # pragma: no cover - beyond memory
        raise MemoryError("partition: too many vertices to merge the regions of a maximum")
    fw = (c * V + u) * V + v
    rev = (c * V + v) * V + u
    boundary = ~np.isin(rev, fw)
    u, v, c = u[boundary], v[boundary], c[boundary]
    start_key = c * V + u
    order = np.argsort(start_key, kind="stable")
    u, v, c, start_key = u[order], v[order], c[order], start_key[order]
    if np.any(start_key[1:] == start_key[:-1]):
        raise FloatModeError(
            "partition: the regions of a maximum do not merge into convex regions (float "
            "rounding at a near-degenerate vertex); use exact=True, or a larger tol"
        )
    succ = np.searchsorted(start_key, c * V + v)
    # walk every class's cycle at once from its first edge
    heads = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    length = np.diff(np.r_[heads, c.shape[0]])
    width = int(length.max())
    cycle = np.full((heads.shape[0], width), -1, dtype=np.int64)
    cur = heads.copy()
    for step in range(width):  # one step along every cycle at once
        live = step < length
        cycle[live, step] = u[cur[live]]
        cur = succ[cur]
    out_rows = first[c[heads]]  # the row each merged class keeps
    Fn = F
    if width > K:
        Fn = np.full((nF, width), -1, dtype=F.dtype)
        Fn[:, :K] = F
    else:
        Fn = F.copy()
    cntn = cnt.copy()
    Fn[out_rows] = -1
    Fn[out_rows, :width] = cycle
    cntn[out_rows] = length
    return keep, Fn[keep], cntn[keep]


def _drop_straight_vertices(F: np.ndarray, cnt: np.ndarray, X: np.ndarray, first_new: int,
                            exact: bool, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Remove vertices made in this stage (ids >= ``first_new``) that are a corner of no
    region: straight (collinear with both neighbours, both points) wherever they appear,
    left over where a merged cut ended on an edge."""
    nF, K = F.shape
    k = np.arange(K)
    valid = k[None, :] < cnt[:, None]
    nxt = np.where(k[None, :] + 1 < cnt[:, None], k[None, :] + 1, 0)
    prv = np.where(k[None, :] > 0, k[None, :] - 1, cnt[:, None] - 1)
    ids = np.where(valid, F, 0)
    p, q, r = (X[np.take_along_axis(ids, j, axis=1)] for j in (prv, np.broadcast_to(k, F.shape),
                                                                  nxt))
    finite = (p[..., 2] != 0) & (r[..., 2] != 0) & (q[..., 2] != 0)
    a, b = p[..., :2] - q[..., :2], r[..., :2] - q[..., :2]
    det = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    if exact:
        straight = det == 0
    else:
        size = (np.abs(p[..., :2]).sum(-1) + np.abs(q[..., :2]).sum(-1)
                + np.abs(r[..., :2]).sum(-1))
        straight = np.abs(det) <= tol * size * (np.abs(a).sum(-1) + np.abs(b).sum(-1))
    straight &= finite & valid & (F >= first_new)
    n = X.shape[0]
    seen = np.bincount(F[valid], minlength=n)
    flat = np.bincount(F[straight], minlength=n)
    drop = (flat == seen) & (seen > 0)
    if not drop.any():
        return F, cnt
    gone = valid & drop[np.where(valid, F, 0)]
    return compact_rows(np.where(gone | ~valid, -1, F))


def cross(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise cross products of homogeneous 3-vectors (float or Fraction)."""
    return np.stack(
        [p[:, 1] * q[:, 2] - p[:, 2] * q[:, 1],
         p[:, 2] * q[:, 0] - p[:, 0] * q[:, 2],
         p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]],
        axis=1,
    )


def _or_over_vertices(table: np.ndarray, F: np.ndarray, cnt: np.ndarray) -> np.ndarray:
    """Bitwise or of ``table``'s rows over each region's vertices (rows of ``F``, ``cnt[i]``
    valid entries, at least 3); only the regions with a k-th vertex read the k-th slot."""
    acc = table[F[:, 0]]
    acc |= table[F[:, 1]]
    acc |= table[F[:, 2]]
    for k in range(3, F.shape[1]):
        rows = np.flatnonzero(cnt > k)
        if not rows.shape[0]:
            break
        acc[rows] |= table[F[rows, k]]
    return acc


def compact_rows(seq: np.ndarray, keep: np.ndarray | None = None) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """Move the entries of each row of ``seq`` where ``keep`` (default: ``seq >= 0``) to
    its front, in order, padding with -1; return the rows and the counts."""
    if keep is None:
        keep = seq >= 0
    return compact_with(seq, keep, compact_slots(keep)), keep.sum(axis=1)


def compact_slots(keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Where :func:`compact_rows` takes the kept entries from and puts them (row-major
    order): their rows, their columns before and after, and the width of the result."""
    rows, before = np.nonzero(keep)
    after = (np.cumsum(keep, axis=1) - 1)[keep]
    return rows, before, after, int(after.max(initial=-1)) + 1


def compact_with(seq: np.ndarray, keep: np.ndarray,
                 slots: tuple[np.ndarray, np.ndarray, np.ndarray, int]) -> np.ndarray:
    """:func:`compact_rows` of ``seq`` with the slots of ``keep`` computed already."""
    rows, _, after, width = slots
    out = np.full((seq.shape[0], width), -1, dtype=seq.dtype)
    out[rows, after] = seq[keep]
    return out
