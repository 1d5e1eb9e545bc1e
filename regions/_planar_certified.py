"""The certified planar engine: :class:`~regions._planar.PlanarEngine` run in float64 on
balls, its decisions taken only where the rounding bounds settle them.

What the planar engine decides
------------------------------
The arrangement the planar engine builds depends on the values at the vertices only
through their signs: the side of each threshold each neuron is on at each vertex (which
regions a line crosses, which edges it cuts, where the cut enters and leaves a region, the
pattern of every region, the piece of the activation at each vertex), and the sign of each
value at a direction (the activation's recession function). Whether a new vertex is a
point or a direction is structural: a combination of two directions is a direction,
anything else a point. The coordinates of the vertices matter for nothing the engine
decides on (group maxima aside, which this engine does not cover), only for the geometry
of the result, which a certified partition takes from the rational run on first use.

So this engine keeps, next to the values ``Z`` at the vertices, a radius array ``R``: a
rigorous bound on the distance of every stored value from the exact value of the rational
engine (for a direction, from a positive multiple of it: a direction's values are rates of
growth, defined up to the scale of the direction, and every decision on them is a sign).
Each sign is taken from the ball only when the ball settles it (``|z - theta| > r``, or
``z`` exactly on the threshold with radius 0, as at the vertices a cut creates on its own
line); otherwise :class:`~regions.certified.Unsettled` is raised and
:func:`regions.partition` recomputes in rational arithmetic. If every decision is settled,
every branch taken is the rational engine's, so the regions, patterns, vertex numbering and
edges are exactly the rational run's.

Error analysis
--------------
With u = 2^-53 (see :mod:`regions.certified` for the conventions and references):

* A stage's pre-activations at the vertices: :func:`regions.certified.pre_ball`,
  ``|A| r + gamma (|A| |z| + |b| w)``.
* A new vertex where neuron j crosses threshold theta on the edge (p, q), p a point
  whenever one of the two is: with d = z_j - theta w at both ends (opposite signs, or d_p
  exactly 0), ``lambda = |d_p| / s`` with s = |d_p| + |d_q| (two points or two directions:
  the new row is the convex combination z_p + lambda (z_q - z_p)) or s = |d_q| (p a point,
  q a direction: the new row is z_p + lambda z_q, on the ray from p). The exact lambda lies
  in ``[(|d_p| - e_p) / (s + e_s), (|d_p| + e_p) / (s - e_s)]`` (e: the radii of the |d|
  and of their sum), widened by 4u for the divisions, and the new row's radius is
  ``c_p r_p + lambda_hi r_q + |lambda - lambda*| |D| + rounding`` with D the step
  (z_q - z_p or z_q), c_p = 1 - lambda_lo for a convex combination and 1 on a ray (the
  convex form keeps the radii from growing along chains of cuts). The rounding,
  ``3u (lambda |D| + |z_new|)``, is 0 where the step D is exactly 0: a vertex cut on an
  edge that lies on an earlier neuron's threshold stays exactly on that threshold. The
  crossing neuron's value is set to theta (0 at a direction) with radius 0.
* The activation: :func:`regions.certified.activate_ball` at points; at a direction the
  slope of the outermost piece on the side of its certified sign.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._planar import PlanarEngine
from .certified import (U, Unsettled, activate_ball, coefficient_balls, inflate_bound,
                        input_ball, pre_ball)
from .kinds import CertifiedKind

__all__ = ["CertifiedPlanarEngine"]

_ETA = 2.0 ** -1000  # an absolute term covering underflow (as in regions.certified)


class CertifiedPlanarEngine(PlanarEngine):
    """The planar engine on float64 balls (see the module). Raises
    :class:`~regions.certified.Unsettled` when a decision is not settled by the bounds;
    ``decisions`` counts the signs it settled."""

    def __init__(self, polygon: np.ndarray | None, kind: CertifiedKind) -> None:
        mid, rad = (None, None) if polygon is None else input_ball(polygon)
        super().__init__(mid, kind)
        self.RH: np.ndarray = np.zeros(self.H.shape)
        self.R = np.zeros((0, 0))  # the radii of Z, made with it at each layer
        if rad is not None:
            self.RH[: rad.shape[0]] = rad
        self.decisions = 0

    # -- storage ---------------------------------------------------------------------------

    def _reserve_vertices(self, k: int) -> None:
        super()._reserve_vertices(k)
        if self.R.shape[0] < self.Z.shape[0]:
            self.R = self._grow_rows(self.R, self.Z.shape[0], 0.0)

    # -- one layer -------------------------------------------------------------------------

    def layer(self, st: Any) -> None:
        """As :meth:`PlanarEngine.layer`, for elementwise stages whose thresholds float64
        holds; a group maximum is not filtered (it decides on vertex coordinates)."""
        if st.is_max:
            raise Unsettled(f"node {st.name!r}: group maxima are not filtered")
        if any(float(th) != th for th in st.activation.thresholds):
            raise Unsettled(f"node {st.name!r}: thresholds that float64 cannot hold")
        super().layer(st)

    def _pre_values(self, st: Any, Z: np.ndarray) -> None:
        nV, m = self.nV, st.num_pre
        H, RH = self.H[:nV], self.RH[:nV]
        h, rh = pre_ball(st, H, RH, self.X[:nV, 2])
        Z[:nV, :m] = h
        Z[:nV, m:] = H[:, st.carry]
        self.R = np.zeros(Z.shape)
        self.R[:nV, :m] = rh
        self.R[:nV, m:] = RH[:, st.carry]

    # -- decisions -------------------------------------------------------------------------

    def _signs(self, d: np.ndarray, r: np.ndarray, shifted: bool) -> tuple[np.ndarray,
                                                                             np.ndarray]:
        """Certified (above, below) of the exact values within ``r`` of ``d``; ``shifted``:
        ``d`` was computed as a difference with a threshold (one more rounding)."""
        if shifted:
            r = inflate_bound(r + U * np.abs(d))
        above, below = d > r, d < -r
        if not np.all(above | below | ((d == 0) & (r == 0))):
            raise Unsettled("partition: a value within its rounding bound of a threshold "
                            "(a coincidence, or a region thinner than the rounding)")
        self.decisions += d.size
        return above, below

    def _block_signs(self, j0: int, j1: int, th: Any) -> tuple[np.ndarray, np.ndarray]:
        nV = self.nV
        d = self.Z[:nV, j0:j1] - th * self.X[:nV, 2:3]
        return self._signs(d, self.R[:nV, j0:j1], th != 0)

    def _sides_at(self, ids: Any, j: int, th: Any) -> np.ndarray:
        above, below = self._signs(self._values(ids, j, th), self.R[ids, j], th != 0)
        return above.view(np.int8) - below.view(np.int8)

    # -- new vertices ----------------------------------------------------------------------

    def _combine(self, a: np.ndarray, b: np.ndarray, j: int, th: Any) -> np.ndarray:
        """New vertices where neuron ``j`` crosses ``th`` on the segments (a, b), with the
        radii of their values (see the module); returns their ids."""
        X, Z, R = self.X, self.Z, self.R
        swap = (X[a, 2] == 0) & (X[b, 2] != 0)  # the anchor p: a point if there is one
        p, q = np.where(swap, b, a), np.where(swap, a, b)
        wp, wq = X[p, 2], X[q, 2]
        ray = (wp != 0) & (wq == 0)
        lam, lo, hi = self._crossing(p, q, j, th, ray)
        conv = (~ray).astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            D = Z[q] - conv[:, None] * Z[p]
            new = Z[p] + lam[:, None] * D
            Dx = X[q] - conv[:, None] * X[p]  # the coordinates: for the record only
            Xn = X[p] + lam[:, None] * Dx
            spread = np.maximum(hi - lam, lam - lo)
            step = lam[:, None] * np.abs(D)
            exact = (lam == 0)[:, None] | (D == 0)  # new = z_p: no rounding
            rounding = np.where(exact, 0.0, 3 * U * (step + np.abs(new)) + _ETA)
            rnew = (np.where(ray, 1.0, 1.0 - lo)[:, None] * R[p] + hi[:, None] * R[q]
                    + (spread * (1 + 2 * U))[:, None] * np.abs(D) + rounding)
        if not (np.all(np.isfinite(new)) and np.all(np.isfinite(rnew))):
            raise Unsettled("partition: a crossing beyond float64's range")
        finite = wp != 0  # a point unless both ends are directions
        Xn[:, 2] = np.where(finite, 1.0, 0.0)
        new[:, j] = np.where(finite, th, 0.0)
        rnew = inflate_bound(rnew)
        rnew[:, j] = 0.0
        k = new.shape[0]
        self._reserve_vertices(k)
        rows = slice(self.nV, self.nV + k)
        self.X[rows], self.Z[rows], self.R[rows] = Xn, new, rnew
        self.nV += k
        return np.arange(rows.start, rows.stop)

    def _crossing(self, p: np.ndarray, q: np.ndarray, j: int, th: Any,
                  ray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The step ``lambda`` to the crossing from p towards q (see the module) and an
        interval [lo, hi] holding the exact one."""
        dp, dq = self._values(p, j, th), self._values(q, j, th)
        ep, eq = self.R[p, j], self.R[q, j]
        if th != 0:
            ep, eq = ep + U * np.abs(dp), eq + U * np.abs(dq)
        zp, zq = np.abs(dp), np.abs(dq)
        total = zp + zq
        s = np.where(ray, zq, total)
        es = np.where(ray, eq, ep + eq + U * total)
        es = inflate_bound(es)
        ep = inflate_bound(ep)
        if not np.all(s > es):
            raise Unsettled("partition: a crossing on an edge within the rounding bounds")
        lam = zp / s
        lo = np.maximum((zp - ep) / (s + es) * (1 - 4 * U), 0.0)
        hi = (zp + ep) / (s - es) * (1 + 4 * U)
        hi = np.where(ray, hi, np.minimum(hi, 1.0))
        return lam, lo, hi

    # -- end of a layer --------------------------------------------------------------------

    def _activate(self, act: Any, carried: bool) -> None:
        """Points take the activation's piece of their certified side, directions the
        slope of the outermost piece on the side of their certified sign; radii alike."""
        nV, m = self.nV, self.m
        Z, R, w = self.Z[:nV, :m], self.R[:nV, :m], self.X[:nV, 2:3]
        index = np.zeros((nV, m), dtype=np.int64)
        positive = None
        for th in act.thresholds:
            above, _ = self._signs(Z - float(th) * w, R, th != 0)
            index += above
            positive = above  # at directions (w = 0) the same for every threshold
        z, r = activate_ball(act, Z, R, index)
        direction = np.flatnonzero(w[:, 0] == 0)
        if direction.shape[0]:
            a_tab, ea_tab = coefficient_balls(act.slopes)
            outer = np.full((direction.shape[0], m), 0, dtype=np.int64)
            if positive is not None:
                outer[positive[direction]] = a_tab.shape[0] - 1
            zd, rd = Z[direction], R[direction]
            a, ea = a_tab[outer], ea_tab[outer]
            z[direction] = a * zd
            exact = ((a == 0) | (np.abs(a) == 1)) & (ea == 0)
            r[direction] = inflate_bound(
                np.abs(a) * rd + np.where(exact, 0.0, ea * (np.abs(zd) + rd)
                                          + U * np.abs(a * zd)))
        self.Z[:nV, :m], self.R[:nV, :m] = z, r
        self.H, self.RH = self.Z, self.R
        self.nonnegative = False
        del self.Z, self.R
