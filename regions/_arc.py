"""Float engine for elliptic arcs x(t) = c + cos(t) x0 + sin(t) x1 (used by regions.trace).

On a piece where every neuron keeps its linear piece of phi, each layer's image is
A + B cos(u) + C sin(u), u = t - (centre of the piece), with one coefficient row per piece
(rows of A, B, C have the layer's width). A layer maps (A, B, C) to (W A + b, W B, W C), then
phi maps them to (alpha (W A + b) + beta, alpha W B, alpha W C) with the slope alpha and
intercept beta of each neuron's piece.

Crossings. A pre-activation a + b cos u + c sin u meets theta where
    R cos(u - u*) = theta - a,   R = hypot(b, c),  u* = atan2(c, b),
so u = u* +- arccos((theta - a) / R): at most two per neuron, threshold and piece. The arc is
first cut into pieces no longer than pi/2 (vertices that are dropped at the end unless a
neuron switches there), so each piece holds at most one extremum of every pre-activation;
a neuron can then cross only if its end values have opposite signs, or if it has an
interior extremum on the far side of theta. Those candidates alone get the inverse
trigonometric functions. A double root (tangency) changes no sign and makes no knot.

Pattern of a piece: the sign of the *mean* of h - theta over the piece, which has the sign
of h - theta wherever that is non-zero (no sign change inside) and is zero only when h is
constantly theta.

Lengths. |dz/du|^2 = |B|^2 sin^2 u + |C|^2 cos^2 u - 2 B.C sin u cos u
= lambda (1 - m sin^2(u + psi/2)), so a piece contributes
sqrt(lambda) (E(delta + psi/2 | m) - E(-delta + psi/2 | m)), with E scipy's incomplete elliptic
integral of the second kind (``scipy.special.ellipeinc``, accurate to a few ulp).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ellipeinc

from .activations import Activation

__all__: list[str] = []


def _sides(d, noise):
    return (d > noise).view(np.int8) - (d < -noise).view(np.int8)


class ArcEngine:
    """Working state of a float trace along an :class:`~regions.Arc`."""

    exact = False
    left = right = None

    def __init__(self, arc, tol: float) -> None:
        x0, x1, c = (np.asarray(v, dtype=np.float64) for v in (arc.x0, arc.x1, arc.center))
        lo, hi = arc.start, arc.stop
        n = max(1, math.ceil((hi - lo) / (math.pi / 2) - 1e-9))
        edges = lo + (hi - lo) * np.arange(n + 1) / n
        edges[-1] = hi
        self.t = edges
        self.tol = tol
        self.closed = arc.closed
        self._set_pieces()
        tm = self.centre[:, None]
        # the coefficients A, B, C of every piece, stacked: shape (3, pieces, width)
        self.coef = np.stack([
            np.repeat(c[None, :], n, axis=0),
            np.cos(tm) * x0 + np.sin(tm) * x1,
            -np.sin(tm) * x0 + np.cos(tm) * x1,
        ])
        self.edge_layer = np.full(n + 1, -1, dtype=np.int64)
        self.layer_index: list[np.ndarray] = []
        self.layer_transitions: list[np.ndarray] = []
        self.wrap_transitions: list[int] = []
        self.noise = 0.0
        self.lengths = [self._length()]

    def _set_pieces(self) -> None:
        self.centre = (self.t[:-1] + self.t[1:]) / 2
        self.half = (self.t[1:] - self.t[:-1]) / 2

    # -- one layer ----------------------------------------------------------------------

    def layer(self, w: np.ndarray, b: np.ndarray, act: Activation) -> None:
        _, p, width = self.coef.shape
        zmax = sum(max(float(v.max()), -float(v.min())) for v in self.coef)
        coef = (self.coef.reshape(3 * p, width) @ w.T).reshape(3, p, w.shape[0])
        coef[0] += b
        self.noise = noise = self.tol * (np.abs(w).sum(axis=1) * zmax + np.abs(b))
        thresholds = [float(th) for th in act.thresholds]
        if thresholds:
            tc = self._crossings(coef, thresholds, noise)
            if tc.size:
                coef = self._split(coef, tc)
            mean = coef[0] + coef[1] * np.sinc(self.half / np.pi)[:, None]  # mean over piece
            index = np.zeros(mean.shape, dtype=np.int8)
            for th in thresholds:
                index += mean > noise + (th + self.tol * abs(th))
        else:
            index = np.zeros(coef.shape[1:], dtype=np.int8)
        self.layer_index.append(index)
        self.layer_transitions.append(
            np.abs(np.diff(index, axis=0)).sum(axis=1, dtype=np.int64)
            if index.shape[0] > 1 else np.zeros(0, dtype=np.int64)
        )
        self.wrap_transitions.append(
            int(np.abs(index[-1].astype(np.int64) - index[0]).sum()) if self.closed else 0
        )
        slopes = np.asarray(act.slopes, dtype=np.float64)
        if np.any(slopes != 1):
            coef *= np.take(slopes, index)[None]
        intercepts = np.asarray(act.intercepts, dtype=np.float64)
        if np.any(intercepts != 0):
            coef[0] += np.take(intercepts, index)
        self.coef = coef
        self.lengths.append(self._length())

    def _ends_and_extrema(self, coef):
        """Values at both ends of every piece (before subtracting a threshold) and where an
        interior maximum / minimum lies (at most one of either, pieces being <= pi/2)."""
        cd, sd = np.cos(self.half)[:, None], np.sin(self.half)[:, None]
        mid = coef[0] + coef[1] * cd
        cs = coef[2] * sd
        bs = coef[1] * sd
        cc = np.abs(coef[2] * cd)
        # derivative -B sin u + C cos u changes sign inside iff |C cos d| < |B sin d|;
        # a maximum if B > 0, a minimum if B < 0
        return mid - cs, mid + cs, cc < bs, cc < -bs

    def _roots(self, coef, theta: float, noise, ends=None, columns=None):
        """Parameters t of the sign-changing solutions of A + B cos u + C sin u = theta
        strictly inside the pieces (at least the tolerance away from their ends), with the
        piece and column of each."""
        tol = self.tol
        e_lo, e_hi, interior_max, interior_min = ends if ends is not None else (
            self._ends_and_extrema(coef))
        nz = noise + tol * abs(theta)
        s_lo, s_hi = _sides(e_lo - theta, nz), _sides(e_hi - theta, nz)
        cand = (
            (s_lo * s_hi < 0)
            | (interior_max & ((s_lo < 0) | (s_hi < 0)))
            | (interior_min & ((s_lo > 0) | (s_hi > 0)))
        )
        piece, col = np.divmod(np.flatnonzero(cand), cand.shape[1])
        if piece.size == 0:
            return piece, col, np.zeros(0)
        d, bb, cc_ = coef[0][piece, col] - theta, coef[1][piece, col], coef[2][piece, col]
        r = np.hypot(bb, cc_)
        q = -d / r
        ok = np.abs(q) < 1
        ustar = np.arctan2(cc_, bb)
        width = np.arccos(np.clip(q, -1.0, 1.0))
        half = self.half[piece]
        out_p, out_c, out_t = [], [], []
        for u in (ustar - width, ustar + width):
            u = np.mod(u + np.pi, 2 * np.pi) - np.pi  # into [-pi, pi)
            t = self.centre[piece] + u
            gap = tol * np.maximum(1.0, np.abs(t))
            inside = ok & (np.abs(u) < half - gap)
            out_p.append(piece[inside])
            out_c.append(col[inside])
            out_t.append(t[inside])
        return np.concatenate(out_p), np.concatenate(out_c), np.concatenate(out_t)

    def _crossings(self, coef, thresholds, noise) -> np.ndarray:
        """New edges: every crossing, crossings within the tolerance merged into one."""
        ends = self._ends_and_extrema(coef)
        tc = np.concatenate([self._roots(coef, th, noise, ends)[2] for th in thresholds])
        if tc.size == 0:
            return tc
        tc = np.sort(tc)
        keep = np.ones(tc.shape[0], dtype=bool)
        keep[1:] = (tc[1:] - tc[:-1]) > self.tol * np.maximum(1.0, np.abs(tc[1:]))
        return tc[keep]

    def _split(self, coef, tc):
        """Cut the pieces at the new edges ``tc`` and re-centre the parts' coefficients."""
        old_t, old_centre = self.t, self.centre
        is_new = np.zeros(old_t.shape[0] + tc.shape[0], dtype=bool)
        is_new[np.searchsorted(old_t, tc) + np.arange(tc.shape[0])] = True
        t = np.empty(is_new.shape[0])
        t[~is_new], t[is_new] = old_t, tc
        layer = np.empty(is_new.shape[0], dtype=np.int64)
        layer[~is_new], layer[is_new] = self.edge_layer, len(self.layer_index)
        self.t, self.edge_layer = t, layer
        self._set_pieces()
        parent = np.cumsum(~is_new)[:-1] - 1  # old piece holding each new piece
        coef = coef[:, parent]
        # only the parts of split pieces move their centre: rotate (B, C) by the shift
        moved = np.flatnonzero(is_new[:-1] | is_new[1:])
        shift = (self.centre[moved] - old_centre[parent[moved]])[:, None]
        cs, sn = np.cos(shift), np.sin(shift)
        b, c = coef[1][moved], coef[2][moved]
        coef[1][moved] = b * cs + c * sn
        coef[2][moved] = c * cs - b * sn
        return coef

    # -- lengths and output signs ----------------------------------------------------------

    def _length(self) -> float:
        B, C = self.coef[1], self.coef[2]
        P = np.einsum("ij,ij->i", B, B)
        Q = np.einsum("ij,ij->i", C, C)
        S = np.einsum("ij,ij->i", B, C)
        mean = (P + Q) / 2
        rho = np.hypot((Q - P) / 2, S)
        lam = mean + rho
        psi = np.arctan2(S, (Q - P) / 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.clip(np.where(lam > 0, 2 * rho / lam, 0.0), 0.0, 1.0)
        lo, hi = -self.half + psi / 2, self.half + psi / 2
        return math.fsum(np.sqrt(lam) * (ellipeinc(hi, m) - ellipeinc(lo, m)))

    def _sign_changes(self) -> np.ndarray:
        """Sign changes of each output coordinate: its zeros split the pieces, the sign of
        the mean on each part gives the sign sequence, zeros (constant 0) are skipped."""
        out = np.zeros(self.coef.shape[2], dtype=np.int64)
        for col in range(self.coef.shape[2]):  # one pass per output coordinate
            sub = self.coef[:, :, col:col + 1]
            a, b, c = sub
            noise = self.noise[col] if np.ndim(self.noise) else self.noise
            piece, _, tz = self._roots(sub, 0.0, np.asarray([noise]))
            order = np.lexsort((tz, piece))
            piece, tz = piece[order], tz[order]
            # parts: each piece cut at its zeros; u-interval of each part
            starts = np.concatenate([self.t[:-1], tz])
            owner = np.concatenate([np.arange(self.t.shape[0] - 1), piece])
            order = np.lexsort((starts, owner))
            starts, owner = starts[order], owner[order]
            ends = np.empty_like(starts)
            ends[:-1] = starts[1:]
            last_of_piece = np.ones(starts.shape[0], dtype=bool)
            last_of_piece[:-1] = owner[1:] != owner[:-1]
            ends[last_of_piece] = self.t[1:][owner[last_of_piece]]
            ua = starts - self.centre[owner]
            ub = ends - self.centre[owner]
            width = np.maximum(ub - ua, 1e-300)
            mean = a[owner, 0] + (b[owner, 0] * (np.sin(ub) - np.sin(ua))
                                  - c[owner, 0] * (np.cos(ub) - np.cos(ua))) / width
            sign = _sides(mean, noise)
            sign = sign[sign != 0]
            changes = int(np.count_nonzero(sign[1:] != sign[:-1]))
            if self.closed and sign.size:
                changes += int(sign[-1] != sign[0])
            out[col] = changes
        return out
