"""Float engine for elliptic arcs x(t) = c + cos(t) x0 + sin(t) x1 (used by regions.trace).

On a piece where every neuron keeps its linear piece of phi, each layer's image is
a + b cos(u) + c sin(u), u = t - (centre of the piece). Three numbers per coordinate fix it,
so the engine carries, as the straight engine does, the image's values at the edges (shared
by neighbouring pieces) and at the midpoint of each piece: 2P + 1 rows for P pieces. A layer
is one matrix product over those rows, and phi, affine on each piece, is applied pointwise.
Where needed the local coefficients come back in closed form from the values v_a, v_m, v_b
at u = -delta, 0, +delta:

    c = (v_b - v_a) / (2 sin delta),   b = (2 v_m - v_a - v_b) / (4 sin^2(delta / 2)),
    a = v_m - b.

Crossings. With s = tan(u/2), a + b cos u + c sin u = theta becomes the quadratic
(v_m - theta - 2 b) s^2 + 2 c s + (v_m - theta) = 0, solved in the numerically stable form.
The arc is first cut into pieces no longer than pi/2 (vertices dropped at the end unless a
neuron switches there), so each piece holds at most one extremum of every pre-activation,
which lies inside iff |v_b - v_a| < |2 v_m - v_a - v_b| (1 + cos delta) / cos delta. A neuron
can then cross only if its end values lie on opposite sides of theta, or if it has an
interior extremum on the far side; only those candidates are solved. A double root
(tangency) changes no sign and makes no knot.

Pattern of a piece: the side of theta of the midpoint value, or, when that lies on theta
(within the tolerance), of the end values: no sign change inside means they agree, and all
three on theta means the pre-activation is constantly theta (three values fix it).

Lengths. |dz/du|^2 = |b|^2 sin^2 u + |c|^2 cos^2 u - 2 b.c sin u cos u
= lambda (1 - m sin^2(u + psi/2)), so a piece contributes
sqrt(lambda) (E(delta + psi/2 | m) - E(-delta + psi/2 | m)), with E scipy's incomplete elliptic
integral of the second kind (``scipy.special.ellipeinc``, accurate to a few ulp).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ellipeinc

from ._pieces import EngineBase, insert_edges, knot_starts, merge_rows, record_layer
from ._pieces import sides as _sides
from ._stages import Stage, check_float_range, group_max_values, group_pairs, padded_groups

__all__: list[str] = []


def ellipse_arc_length(P, Q, S, lo, hi) -> float:
    """Total length of the pieces z(u) = a + b cos u + c sin u, u in [lo, hi], given
    P = |b|^2, Q = |c|^2, S = b.c per piece: |z'|^2 = lambda (1 - m sin^2(u + psi/2))."""
    mean = (P + Q) / 2
    rho = np.hypot((Q - P) / 2, S)
    lam = mean + rho
    psi = np.arctan2(S, (Q - P) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.clip(np.where(lam > 0, 2 * rho / lam, 0.0), 0.0, 1.0)
    return math.fsum(np.sqrt(lam) * (ellipeinc(hi + psi / 2, m) - ellipeinc(lo + psi / 2, m)))


def _curvature(v, m):
    """2 v_m - v_a - v_b for every piece, in place (one temporary)."""
    curv = np.multiply(m, 2.0)
    curv -= v[:-1]
    curv -= v[1:]
    return curv


class ArcEngine(EngineBase):
    """Working state of a float trace along an :class:`~regions.Arc`."""

    exact = False

    def __init__(self, arc, tol: float) -> None:
        x0, x1, c = (np.asarray(v, dtype=np.float64) for v in (arc.x0, arc.x1, arc.center))
        # work in u = t - start, with the axes rotated by start once: the engine then does
        # not depend on where the arc starts (cos and sin of a large t would lose u's digits)
        self.t_offset = arc.start
        cs, sn = math.cos(arc.start), math.sin(arc.start)
        x0, x1 = cs * x0 + sn * x1, cs * x1 - sn * x0
        span = arc.stop - arc.start
        if arc.closed:
            span = 2 * math.pi
        n = max(1, math.ceil(span / (math.pi / 2) - 1e-9))
        edges = span * np.arange(n + 1) / n
        edges[-1] = span
        self.t = edges  # the edges in u
        self.tol = tol
        self.closed = arc.closed
        self._set_pieces()

        def point(t):
            return c + np.cos(t)[:, None] * x0 + np.sin(t)[:, None] * x1

        self.v, self.m = point(self.t), point(self.centre)  # values at edges and midpoints
        if self.closed:
            self.v[-1] = self.v[0]  # one point, whatever cos and sin round 2 pi to
        self.edge_layer = np.full(n + 1, -1, dtype=np.int64)
        self.layer_index: list[np.ndarray] = []
        self.layer_transitions: list[np.ndarray] = []
        self.wrap_transitions: list[int] = []
        self.noise: np.ndarray | float = 0.0  # float: rounding bound per column
        self.lengths = [self._length()]

    def knot_parameters(self, kept: np.ndarray) -> np.ndarray:
        return self.t[kept] + self.t_offset  # the engine works in u = t - start

    def _set_pieces(self) -> None:
        self.centre = (self.t[:-1] + self.t[1:]) / 2
        self.half = (self.t[1:] - self.t[:-1]) / 2

    def _local(self, rows, va, vm, vb):
        """Local coefficients (b, c) of the pieces ``rows`` from their three values."""
        half = self.half[rows][:, None]
        c = (vb - va) / (2 * np.sin(half))
        b = (2 * vm - va - vb) / (4 * np.sin(half / 2) ** 2)
        return b, c

    # -- one layer ----------------------------------------------------------------------

    def layer(self, st: Stage) -> None:
        """One stage (see :func:`regions.trace`); carried columns ride along."""
        if st.is_max:
            self._max_layer(st)
            return
        act, m = st.activation, st.num_pre
        k = self.v.shape[0]
        zmax = max(float(self.v.max()), -float(self.v.min()), float(self.m.max()),
                   -float(self.m.min()))
        rows = np.concatenate([self.v, self.m])
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below
            h = st.pre(rows, 1)
        if st.carry.shape[0]:
            h = np.concatenate([h, rows[:, st.carry]], axis=1)
        hv, hm = h[:k], h[k:]
        with np.errstate(over="ignore"):
            scale = st.pre_abs(np.full((1, self.v.shape[1]), zmax), 1)[0]
        check_float_range(h, scale, st.name, "trace")
        self.noise = noise = self.tol * scale
        thresholds = [float(th) for th in act.thresholds]
        if thresholds:
            found = self._crossings(hv[:, :m], hm[:, :m], thresholds, noise)
            if found is not None:
                hv, hm = self._split(hv, hm, thresholds, *found)
        index = np.zeros((hm.shape[0], m), dtype=np.int8)
        pv, pm = hv[:, :m], hm[:, :m]  # views: snapping writes through
        if thresholds:
            for th in thresholds:
                nz = noise + self.tol * abs(th)
                sm = _sides(pm - th, nz)
                sv = _sides(pv - th, nz)
                index += np.where(sm != 0, sm, sv[:-1] + sv[1:]) > 0
                # values within rounding of a threshold are on it (as in the straight engine)
                np.copyto(pm, th, where=sm == 0)
                np.copyto(pv, th, where=sv == 0)
        record_layer(self, index)
        hv[:, :m], hm[:, :m] = act(pv), act(pm)
        self.v, self.m = hv, hm
        self.lengths.append(self._length(st.width))

    def _max_layer(self, st: Stage) -> None:
        """A group maximum: the pieces are split where any two entries of a group tie (the
        sign changes of their differences, solved like a neuron's crossings of 0); the
        argmax of each piece is then read at its midpoint (the first within the noise)."""
        m, k = st.num_pre, self.v.shape[0]
        zmax = max(float(np.abs(self.v).max()), float(np.abs(self.m).max()))
        rows = np.concatenate([self.v, self.m])
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below
            pre = st.pre(rows, 1)
        with np.errstate(over="ignore"):
            scale = st.pre_abs(np.full((1, self.v.shape[1]), zmax), 1)[0]
        check_float_range(pre, scale, st.name, "trace")
        noise = self.tol * scale
        _, _, _, ca, cb = group_pairs(st.groups)
        diff = pre[:, ca] - pre[:, cb]
        h = np.concatenate([diff, pre, rows[:, st.carry]], axis=1)
        hv, hm = h[:k], h[k:]
        d = diff.shape[1]
        found = self._crossings(hv[:, :d], hm[:, :d], [0.0], noise[ca] + noise[cb])
        if found is not None:
            hv, hm = self._split(hv, hm, [0.0], *found)
        cand_v, cand_m = hv[:, d: d + m], hm[:, d: d + m]
        cols = padded_groups(st.groups)
        slack = 2 * noise[cols].max(axis=1)
        top = np.where(st.groups >= 0, cand_m[:, cols], -math.inf)
        best = top.max(axis=2, keepdims=True)
        index = np.argmax(top >= best - slack[None, :, None], axis=2).astype(np.int8)
        record_layer(self, index, changes=True)
        self.v = np.concatenate([group_max_values(cand_v, st.groups), hv[:, d + m:]], axis=1)
        self.m = np.concatenate([group_max_values(cand_m, st.groups), hm[:, d + m:]], axis=1)
        self.noise = noise
        self.lengths.append(self._length(st.width))

    def _extrema(self, hv, hm):
        """Where each pre-activation has an interior maximum / minimum (threshold-free)."""
        curv = _curvature(hv, hm)
        kappa = ((1 + np.cos(self.half)) / np.cos(self.half))[:, None]
        is_max = curv > 0
        np.abs(curv, out=curv)
        curv *= kappa
        dv = np.subtract(hv[1:], hv[:-1])
        np.abs(dv, out=dv)
        interior = dv < curv
        return interior & is_max, interior & ~is_max

    def _roots(self, hv, hm, theta: float, noise, extrema=None):
        """Sign-changing solutions of value = theta strictly inside the pieces (at least the
        tolerance from their ends): arrays piece, column, t."""
        tol = self.tol
        nz = noise + tol * abs(theta)
        sv = _sides(hv - theta, nz)
        lo, hi = sv[:-1], sv[1:]
        interior_max, interior_min = extrema if extrema is not None else self._extrema(hv, hm)
        cand = (
            (lo * hi < 0)
            | (interior_max & ((lo < 0) | (hi < 0)))
            | (interior_min & ((lo > 0) | (hi > 0)))
        )
        piece, col = np.divmod(np.flatnonzero(cand), cand.shape[1])
        if piece.size == 0:
            return piece, col, np.zeros(0)
        va, vb, vm = hv[piece, col], hv[piece + 1, col], hm[piece, col]
        half = self.half[piece]
        cc = (vb - va) / (2 * np.sin(half))
        bb = (2 * vm - va - vb) / (4 * np.sin(half / 2) ** 2)
        qa, qb, qc = vm - theta - 2 * bb, 2 * cc, vm - theta
        # the roots do not depend on the quadratic's scale: divide it out, so that the
        # discriminant neither overflows for large values nor underflows for small ones
        size = np.maximum(np.maximum(np.abs(qa), np.abs(qb)), np.abs(qc))
        size[size == 0] = 1.0
        qa, qb, qc = qa / size, qb / size, qc / size
        disc = qb * qb - 4 * qa * qc
        ok = disc > 0
        # no sign change at the ends: two crossings only if the extreme value a +- R is
        # beyond theta by more than the tolerance (else it touches: a rounded tangency)
        same_side = (lo * hi >= 0)[piece, col]
        extreme = vm - bb + np.sign(bb) * np.hypot(bb, cc)
        ok &= ~(same_side & (np.abs(extreme - theta) <= nz[col]))
        root = np.sqrt(np.where(ok, disc, 0.0))
        q = -0.5 * (qb + np.copysign(root, qb))
        with np.errstate(divide="ignore", invalid="ignore"):
            s1 = np.where(qa != 0, q / qa, np.nan)
            s2 = np.where(q != 0, qc / q, np.nan)
        out_p, out_c, out_t = [], [], []
        for s in (s1, s2):
            u = 2 * np.arctan(s)
            t = self.centre[piece] + u
            gap = tol * np.maximum(1.0, np.abs(t))
            inside = ok & np.isfinite(s) & (np.abs(u) < half - gap)
            out_p.append(piece[inside])
            out_c.append(col[inside])
            out_t.append(t[inside])
        return np.concatenate(out_p), np.concatenate(out_c), np.concatenate(out_t)

    def _crossings(self, hv, hm, thresholds, noise):
        """Crossings of all thresholds, sorted; those within the tolerance of each other
        share one knot. Returns (piece, column, threshold number, t, group) or None."""
        extrema = self._extrema(hv, hm)
        parts = [self._roots(hv, hm, th, noise, extrema) for th in thresholds]
        piece = np.concatenate([p[0] for p in parts])
        if piece.size == 0:
            return None
        col = np.concatenate([p[1] for p in parts])
        t = np.concatenate([p[2] for p in parts])
        which = np.concatenate([np.full(p[0].shape[0], i) for i, p in enumerate(parts)])
        order = np.argsort(t, kind="stable")
        piece, col, t, which = piece[order], col[order], t[order], which[order]
        starts = knot_starts(t, self.tol, exact=False)
        return piece, col, which, t, np.cumsum(starts) - 1, starts

    def _split(self, hv, hm, thresholds, piece, col, which, t, group, starts):
        """Insert the knots: rows at the new edges and new midpoints of the parts."""
        first = np.flatnonzero(starts)
        gt, gpiece = t[first], piece[first]
        old_centre = self.centre
        split = np.unique(gpiece)  # pieces that are cut
        b, c = self._local(split, hv[split], hm[split], hv[split + 1])
        slot = np.searchsorted(split, gpiece)

        def values(pieces_slot, u):
            return hm[split[pieces_slot]] - b[pieces_slot] * (1 - np.cos(u))[:, None] + \
                c[pieces_slot] * np.sin(u)[:, None]

        new_v = values(slot, gt - old_centre[gpiece])
        new_v[group, col] = np.asarray(thresholds)[which]  # crossing neurons sit on theta
        is_new = insert_edges(self, gt)
        out_v = merge_rows(hv, new_v, is_new)
        self._set_pieces()
        parent = np.cumsum(~is_new)[:-1] - 1
        out_m = hm[parent]
        moved = np.flatnonzero(is_new[:-1] | is_new[1:])  # parts of cut pieces
        pslot = np.searchsorted(split, parent[moved])
        out_m[moved] = values(pslot, self.centre[moved] - old_centre[parent[moved]])
        return out_v, out_m

    # -- lengths and output signs ----------------------------------------------------------

    def _length(self, width: int | None = None) -> float:
        """Length of the image of the first ``width`` state columns (all by default)."""
        # b = curv / kb and c = dv / kc (see _local): dot products of the differences, of the
        # values scaled to at most 1 (no overflow or underflow in the squares)
        v, mid = self.v[:, :width], self.m[:, :width]
        scale = max(float(np.abs(v).max()), float(np.abs(mid).max()))
        if scale == 0 or not math.isfinite(scale):
            return 0.0 if scale == 0 else math.inf
        v, mid = v / scale, mid / scale
        dv = v[1:] - v[:-1]
        curv = _curvature(v, mid)
        kc, kb = 2 * np.sin(self.half), 4 * np.sin(self.half / 2) ** 2
        P = np.einsum("ij,ij->i", curv, curv) / (kb * kb)
        Q = np.einsum("ij,ij->i", dv, dv) / (kc * kc)
        S = np.einsum("ij,ij->i", curv, dv) / (kb * kc)
        return scale * ellipse_arc_length(P, Q, S, -self.half, self.half)

    def sign_changes(self) -> np.ndarray:
        """Sign changes of each output coordinate: its zeros cut the pieces, the sign at the
        middle of each part gives the sign sequence, zeros (constant 0) are skipped."""
        out = np.zeros(self.v.shape[1], dtype=np.int64)
        for col in range(self.v.shape[1]):  # one pass per output coordinate
            hv, hm = self.v[:, col:col + 1], self.m[:, col:col + 1]
            noise = np.asarray([self.noise[col] if isinstance(self.noise, np.ndarray)
                                and self.noise.ndim else self.noise])
            piece, _, tz = self._roots(hv, hm, 0.0, noise)
            cuts = np.concatenate([self.t, tz])
            order = np.argsort(cuts, kind="stable")
            cuts = cuts[order]
            mids = (cuts[:-1] + cuts[1:]) / 2
            own = np.clip(np.searchsorted(self.t, mids, side="right") - 1, 0, self.m.shape[0] - 1)
            b, c = self._local(own, hv[own], hm[own], hv[own + 1])
            u = (mids - self.centre[own])[:, None]
            val = hm[own] - b * (1 - np.cos(u)) + c * np.sin(u)
            sign = _sides(val[:, 0], noise[0])
            sign = sign[sign != 0]
            changes = int(np.count_nonzero(sign[1:] != sign[:-1]))
            if self.closed and sign.size:
                changes += int(sign[-1] != sign[0])
            out[col] = changes
        return out
