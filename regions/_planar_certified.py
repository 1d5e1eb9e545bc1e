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
Each sign is taken from the ball when the ball settles it (``|z - theta| > r``, or ``z``
exactly on the threshold with radius 0, as at the vertices a cut creates on its own line);
otherwise from the exact value (below). Every branch taken is then the rational engine's, so
the regions, patterns, vertex numbering and edges are exactly the rational run's; a real
coincidence (a third line through a vertex, a line along an edge) has the exact value 0 and
takes the base engine's branches for side 0, as in rational arithmetic.

Exact values where the balls do not decide
------------------------------------------
The exact value at a vertex needs its exact coordinates, which the float run does not have.
They come from books kept on the lines of the arrangement:

* a *line* is the threshold theta of neuron j of layer d read on one region R of the start
  of layer d (before layer d splits anything): the pre-activation is affine on R with the
  pattern of layers < d forced to R's, so ``{x : a . x + c = theta}`` with exact (a, c)
  from that forced map, evaluated at the homogeneous rows (1, 0, 0), (0, 1, 0), (0, 0, 1)
  (:func:`regions.certified.exact_pre`; its rationals stay small: products of the weights
  along one pattern, not the long chains of interpolations of a rational run). The domain's
  edges and the line at infinity (0, 0, 1) are lines too. Each cut books one line per region
  it splits (``lines``: layer, neuron, threshold, region at the layer's start); the
  coefficients are computed on first use and cached.
* every region keeps, next to its vertex cycle ``F``, the line of each of its edges
  (``FL``: slot k is the edge from vertex k to vertex k + 1). A cut gives the edge along it
  the cut's line on both sides and the two pieces of a crossed edge the edge's line
  (:meth:`CertifiedPlanarEngine._record_cut`, from the base engine's
  :class:`~regions._planar.CutRecord`).
* a vertex made where a cut crosses an edge lies on the cut's line and on the edge's:
  ``vline`` books both. Its exact homogeneous coordinates are the cross product of the two
  lines' coefficient vectors: a point normalised to w = 1, a direction (made on an edge at
  infinity, between two directions a and b less than a half-turn apart) to max-norm 1 and
  oriented to lie between a and b (the sign of det(a, x) is that of det(a, b)). This is the
  rational engine's vertex: the same point, the same normalisation. The finite point
  inserted on a cut between two directions lies on the cut's line and on the segment
  (a, b) it was put on (``vends``), whose line is the cross product of a's and b's exact
  coordinates. The starting vertices (the domain's corners; the whole plane's +-x, +-y and
  anchor) are exact from the start. Coordinates are cached per vertex.
* the exact row of the layer at a vertex is then the network at that point (a direction:
  its recession function, each activation's outermost slope on the side of its value), by
  continuity the value every region around the vertex gives it
  (:func:`regions.certified.exact_pre`). Its signs decide the unsettled entries, and its
  rounding replaces the vertex's ball for the rest of the layer (a tight ball, so the
  vertices cut from it later inherit small radii). The exact rows of a layer are cached per
  vertex; ``exact_values`` counts them.

Only the few vertices whose balls leave a sign open are computed exactly (the loop over
them is in Python; every other step is vectorised over vertices and regions). The time
spent on exact values has the trace engine's budget (:data:`regions.certified.ORACLE_BUDGET`);
past it, and for what the engine does not cover (group maxima, thresholds float64 does
not hold, values beyond float64's range, a crossing whose step the bounds cannot bracket),
:class:`~regions.certified.Unsettled` is raised and :func:`regions.partition` recomputes
the partition in rational arithmetic.

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

import time
from typing import Any, Callable

import numpy as np

from ._planar import CutRecord, PlanarEngine, activate_in_place, cross
from ._stages import Lowered, lower
from . import _multifloat as mf
from .certified import (ORACLE_BUDGET, U, BallChain, Unsettled, activate_ball,
                        coefficient_balls, exact_pre, inflate_bound, input_ball, pre_ball)
from .kinds import RATIONAL, CertifiedKind

__all__ = ["CertifiedPlanarEngine", "deciding_stages"]

_ETA = 2.0 ** -1000  # an absolute term covering underflow (as in regions.certified)


class CertifiedPlanarEngine(PlanarEngine):
    """The planar engine on float64 balls (see the module). Decisions the bounds do not
    settle are taken from exact values at the vertices concerned, computed from ``model``
    (the network as a function of the plane's coordinates); without it, or past the time
    budget, :class:`~regions.certified.Unsettled` is raised. ``decisions`` counts the signs
    decided, ``exact_values`` the vertex rows computed exactly."""

    track_lines = True

    def __init__(self, polygon: np.ndarray | None, kind: CertifiedKind,
                 model: Any = None, budget: tuple[float, float] = ORACLE_BUDGET,
                 deciding: int | None = None) -> None:
        mid, rad = (None, None) if polygon is None else input_ball(polygon)
        super().__init__(mid, kind)
        self.RH: np.ndarray = np.zeros(self.H.shape)
        self.R = np.zeros((0, 0))  # the radii of Z, made with it at each layer
        if rad is not None:
            self.RH[: rad.shape[0]] = rad
        self.decisions = 0
        self.exact_values = 0
        self.model = model
        self.layer_pieces: list[np.ndarray] = []  # per layer: piece indices of the regions
        self._started, self._spent = time.perf_counter(), 0.0
        self.budget = budget  # (seconds, times the rest of the run) for exact values
        # stages from this index on decide nothing (see deciding_stages): no radii needed
        self.deciding = deciding
        self._rows: dict[int, np.ndarray] = {}  # exact rows of this layer's Z, by vertex
        # double-double balls (float64 midpoint and radius rows) of this layer's Z, by vertex
        self._balls: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.refined = 0
        self.stage_thresholds: dict[int, list[float]] = {}  # per stage index
        # the books on lines (see the module): per face slot the line of the edge from it
        one, zero = RATIONAL.one, RATIONAL.zero
        self.FL: np.ndarray = np.full(self.F.shape, -1, dtype=np.int64)
        self.vline = np.full((self.X.shape[0], 2), -1, dtype=np.int64)
        self.vends = np.full((self.X.shape[0], 2), -1, dtype=np.int64)
        self.points: dict[int, np.ndarray] = {}  # exact homogeneous vertices
        self.coefficients: dict[int, np.ndarray] = {}  # exact lines (a, b, c): ax + by + cw
        if polygon is None:
            exact = self.X[: self.nV].astype(np.int64)  # the directions +-x, +-y, the anchor
            n_special = 1
            self.coefficients[0] = _row([zero, zero, one])  # the line at infinity
            self.FL[0, :4] = 0
            for v in range(self.nV):
                self.points[v] = _row([RATIONAL.scalar(int(x)) for x in exact[v]])
        else:
            P = RATIONAL.convert(np.asarray(polygon))
            n_special = P.shape[0]
            for v in range(n_special):
                self.points[v] = _row([P[v, 0], P[v, 1], one])
            for i in range(n_special):  # the domain's edge from vertex i to vertex i + 1
                p, q = self.points[i], self.points[(i + 1) % n_special]
                self.coefficients[i] = cross(p[None], q[None])[0]
            self.FL[0, :n_special] = np.arange(n_special)
        # per line: (layer, neuron, threshold, region at the layer's start); -1: special
        self.lines = np.full((max(64, 2 * n_special), 4), -1, dtype=np.int64)
        self.nL = n_special

    # -- storage ---------------------------------------------------------------------------

    def _reserve_vertices(self, k: int) -> None:
        super()._reserve_vertices(k)
        if self.R.shape[0] < self.Z.shape[0]:
            self.R = self._grow_rows(self.R, self.Z.shape[0], 0.0)
        if self.vline.shape[0] < self.X.shape[0]:
            self.vline = self._grow_rows(self.vline, self.X.shape[0], -1)
            self.vends = self._grow_rows(self.vends, self.X.shape[0], -1)

    def _reserve_faces(self, k: int, width: int) -> None:
        super()._reserve_faces(k, width)
        if self.FL.shape != self.F.shape:
            FL = np.full(self.F.shape, -1, dtype=np.int64)
            FL[: self.FL.shape[0], : self.FL.shape[1]] = self.FL
            self.FL = FL

    # -- one layer -------------------------------------------------------------------------

    def layer(self, st: Any) -> None:
        """As :meth:`PlanarEngine.layer`, for elementwise stages whose thresholds float64
        holds; a group maximum is not filtered (it decides on vertex coordinates)."""
        if st.is_max:
            raise Unsettled(f"node {st.name!r}: group maxima are not filtered")
        if any(float(th) != th for th in st.activation.thresholds):
            raise Unsettled(f"node {st.name!r}: thresholds that float64 cannot hold")
        self.stage_index = len(self.layer_codes)  # (layer_codes grows before the activation)
        self.stage_thresholds[self.stage_index] = [float(th) for th in st.activation.thresholds]
        super().layer(st)

    def _undecided(self, after: int = 0) -> bool:
        """Whether no stage from ``stage_index + after`` on decides anything: values
        without radii are then enough (they only feed the result's float64 geometry)."""
        return self.deciding is not None and self.stage_index + after >= self.deciding

    def _pre_values(self, st: Any, Z: np.ndarray) -> None:
        if self._undecided():
            super()._pre_values(st, Z)
            self.R = np.zeros((0, 0))
            return
        nV, m = self.nV, st.num_pre
        H, RH = self.H[:nV], self.RH[:nV]
        h, rh = pre_ball(st, H, RH, self.X[:nV, 2])
        Z[:nV, :m] = h
        Z[:nV, m:] = H[:, st.carry]
        self.R = np.zeros(Z.shape)
        self.R[:nV, :m] = rh
        self.R[:nV, m:] = RH[:, st.carry]
        self._rows, self._balls = {}, {}

    def _record_patterns(self, act: Any) -> None:
        self.layer_pieces.append(self.index[: self.nF].copy())
        super()._record_patterns(act)

    # -- decisions -------------------------------------------------------------------------

    def _signs(self, d: np.ndarray, r: np.ndarray, shifted: bool,
               at: Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, Any, Any]]
               ) -> tuple[np.ndarray, np.ndarray]:
        """Certified (above, below) of the exact values within ``r`` of ``d``; ``shifted``:
        ``d`` was computed as a difference with a threshold (one more rounding). Entries the
        balls do not settle are decided exactly: ``at`` maps their indices to their vertices,
        columns and threshold (see :meth:`_exact_sides`)."""
        if shifted:
            r = inflate_bound(r + U * np.abs(d))
        above, below = d > r, d < -r
        self.decisions += d.size
        unsettled = ~(above | below)
        unsettled &= r != 0  # (r == 0 and neither: d is exactly 0)
        if unsettled.any():
            where = np.nonzero(unsettled)
            s = self._exact_sides(*at(where))
            above[where], below[where] = s > 0, s < 0
        return above, below

    def _block_signs(self, j0: int, j1: int, th: Any) -> tuple[np.ndarray, np.ndarray]:
        nV = self.nV
        d = self.Z[:nV, j0:j1] - th * self.X[:nV, 2:3]
        return self._signs(d, self.R[:nV, j0:j1], th != 0, _entries(j0, th))

    def _sides_at(self, ids: Any, j: int, th: Any) -> np.ndarray:
        ids = np.asarray(ids)
        above, below = self._signs(self._values(ids, j, th), self.R[ids, j], th != 0,
                                   lambda where: (ids[where], j, th))
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
        slope of the outermost piece on the side of their certified sign; radii alike.
        After the last deciding stage, plain float64 values (for the geometry only)."""
        if self._undecided(after=1):
            self._activate_plain(act)
            return
        nV, m = self.nV, self.m
        Z, R, w = self.Z[:nV, :m], self.R[:nV, :m], self.X[:nV, 2:3]
        index = np.zeros((nV, m), dtype=np.int8)
        positive = None
        for th in act.thresholds:
            d = Z if th == 0 else Z - float(th) * w
            above, _ = self._signs(d, R, th != 0, _entries(0, float(th)))
            index += above
            positive = above  # at directions (w = 0) the same for every threshold
        direction = np.flatnonzero(w[:, 0] == 0)
        zd, rd = Z[direction], R[direction]  # (copies: Z and R may be updated in place)
        z, r = activate_ball(act, Z, R, index, in_place=True)
        if direction.shape[0]:
            a_tab, ea_tab = coefficient_balls(act.slopes)
            outer = np.full((direction.shape[0], m), 0, dtype=np.int64)
            if positive is not None:
                outer[positive[direction]] = a_tab.shape[0] - 1
            a, ea = a_tab[outer], ea_tab[outer]
            z[direction] = a * zd
            exact = ((a == 0) | (np.abs(a) == 1)) & (ea == 0)
            r[direction] = inflate_bound(
                np.abs(a) * rd + np.where(exact, 0.0, ea * (np.abs(zd) + rd)
                                          + U * np.abs(a * zd)))
        if z is not Z:
            self.Z[:nV, :m], self.R[:nV, :m] = z, r
        self.H, self.RH = self.Z, self.R
        self.nonnegative = False
        del self.Z, self.R

    def _activate_plain(self, act: Any) -> None:
        """The activation in float64, no radii: points take phi(z), directions the slope
        of the outermost piece on z's side times z (a value within rounding of 0 may take
        the other side: both are within rounding of 0)."""
        nV, m = self.nV, self.m
        Z, w = self.Z[:nV, :m], self.X[:nV, 2]
        direction = np.flatnonzero(w == 0)
        zd = Z[direction]
        activate_in_place(act, Z)
        lo, hi = float(act.slopes[0]), float(act.slopes[-1])
        Z[direction] = np.where(zd > 0, hi * zd, lo * zd)
        self.H, self.RH = self.Z, np.zeros((0, 0))
        self.nonnegative = False
        del self.Z, self.R

    # -- the books on lines ----------------------------------------------------------------

    def _record_cut(self, cut: CutRecord) -> None:
        """Book the cut (see the module): its line, one per region cut; the line of every
        edge of the two sides (an edge along the cut takes the cut's line, the pieces of a
        crossed edge keep the edge's); and, for each new vertex, the two lines that meet
        there, or the cut's line and the segment it was put on."""
        cand, c = cut.cand, cut.cand.shape[0]
        d, t = len(self.layer_codes), self._thresholds_now.index(cut.th)
        if self.nL + c > self.lines.shape[0]:
            self.lines = self._grow_rows(self.lines, self.nL + c, -1)
        line = np.arange(self.nL, self.nL + c)
        self.lines[line] = np.column_stack([np.full(c, d), np.full(c, cut.j), np.full(c, t),
                                            self.origin[cand]])
        self.nL += c
        # the vertices on crossed edges: on the cut's line and the edge's
        region, slot = np.nonzero(cut.cross)
        region, slot = region[cut.first], slot[cut.first]
        self.vline[cut.new, 0] = line[region]
        self.vline[cut.new, 1] = self.FL[cand[region], slot]
        self.vends[cut.new, 0], self.vends[cut.new, 1] = cut.ends
        if cut.mid is not None and cut.mid_ends is not None:
            self.vline[cut.mid, 0] = line[cut.whole]
            self.vends[cut.mid, 0], self.vends[cut.mid, 1] = cut.mid_ends
        # the side above leaves the line's other side at its exit point, the side below at
        # its entry point: from there its next edge runs along the cut, as from the inserted
        # point; every other kept slot is on an edge of the region, which keeps its line
        s, s_next, zero = cut.s, cut.s_next, cut.zero
        sides = []
        for slots, leaving in ((cut.pos_slots, -1), (cut.neg_slots, 1)):
            region, before, after, _ = slots
            k, what = np.divmod(before, 3)  # slot 3k: vertex k, 3k + 1: crossing, 3k + 2: cut
            on_cut = ((what == 2) | ((what == 0) & zero[region, k]
                                     & (s_next[region, k] == leaving))
                      | ((what == 1) & (s[region, k] == -leaving)))
            out = np.full((c, self.FL.shape[1]), -1, dtype=np.int64)
            out[region, after] = np.where(on_cut, line[region], self.FL[cand[region], k])
            sides.append(out)
        self.FL[cand] = sides[0]
        self.FL[cut.first_row: cut.first_row + c] = sides[1]

    # -- exact values where the balls do not decide -----------------------------------------

    @property
    def lowered(self) -> Lowered:
        """The model's stages in rational arithmetic (made on first use)."""
        if "_lowered" not in self.__dict__:
            if self.model is None:
                raise Unsettled("partition: a value within its rounding bound of a threshold "
                                "(a coincidence, or a region thinner than the rounding)")
            self.__dict__["_lowered"] = lower(self.model, RATIONAL, collapse=False)
        return self.__dict__["_lowered"]

    def _exact_sides(self, v: np.ndarray, col: Any, th: float) -> np.ndarray:
        """Exact sides (int8) of threshold ``th`` at vertices ``v``, columns ``col`` of this
        layer: from the vertices' double-double balls where they settle it (see
        :meth:`_refine`), else from their exact rows (computed where missing, see
        :meth:`_exact_rows`)."""
        since = time.perf_counter()
        v = np.asarray(v, dtype=np.int64).reshape(-1)
        col = np.broadcast_to(np.asarray(col, dtype=np.int64), np.shape(v)).reshape(-1)
        out = np.zeros(v.shape[0], dtype=np.int8)
        open_ = np.ones(v.shape[0], dtype=bool)
        fresh = [i for i in np.unique(v).tolist()
                 if i not in self._rows and i not in self._balls]
        if fresh:
            self._refine(np.array(fresh, dtype=np.int64))
        balled = np.array([i in self._balls and i not in self._rows for i in v.tolist()],
                          dtype=bool)
        if balled.any():
            at = np.flatnonzero(balled)
            mid = np.array([self._balls[i][0][c] for i, c in zip(v[at].tolist(),
                                                                  col[at].tolist())])
            rad = np.array([self._balls[i][1][c] for i, c in zip(v[at].tolist(),
                                                                 col[at].tolist())])
            if th != 0:
                point = self.X[v[at], 2] != 0
                mid = np.where(point, mid - th, mid)
                rad = np.where(point, inflate_bound(rad + U * np.abs(mid)), rad)
            above, below = mid > rad, mid < -rad
            zero = (mid == 0) & (rad == 0)
            out[at] = above.view(np.int8) - below.view(np.int8)
            open_[at] = ~(above | below | zero)
        if open_.any():
            where = np.flatnonzero(open_)
            out[where] = self._rational_sides(v[where], col[where], th)
        self._charge(since)
        return out.reshape(np.shape(v))

    def _rational_sides(self, v: np.ndarray, col: np.ndarray, th: float) -> np.ndarray:
        """Exact sides (int8) from the vertices' exact rows (computed where missing)."""
        ids, inverse = np.unique(v, return_inverse=True)
        missing = np.array([i for i in ids.tolist() if i not in self._rows], dtype=np.int64)
        if missing.shape[0]:
            self._exact_rows(missing)
        table = np.stack([self._rows[i] for i in ids.tolist()])
        values = table[inverse.reshape(-1), col]
        if th != 0:
            point = self.X[v, 2] != 0
            values = np.where(point, values - RATIONAL.scalar(th), values)
        return (values > 0).astype(np.int8) - (values < 0).astype(np.int8)

    def _refine(self, v: np.ndarray) -> None:
        """Double-double balls (:class:`~regions.certified.BallChain`, about 100 bits) of
        this layer's pre-activations at the points among vertices ``v``, from their exact
        coordinates and the pattern of a region around each (by continuity the network's
        value there): kept for their signs, and their float64 roundings made the
        vertices' balls (tight, so later vertices cut from them inherit small radii). Only
        for dense chains; directions and other models keep exact rows alone."""
        chain = self.chain
        if chain is None:
            return
        v = v[self.X[v, 2] != 0]
        region = self._regions_at_start(v)
        v, region = v[region >= 0], region[region >= 0]
        if not v.shape[0]:
            return
        d = self.stage_index
        ball, _ = chain.forward(self._point_balls(v), d, self._pieces(region, d))
        mid, rad = mf.to_float_ball(ball)
        width = mid.shape[1]
        known = self.R[v, :width] == 0  # exact already (e.g. on a cut's own line): kept
        mid = np.where(known, self.Z[v, :width], mid)
        rad = np.where(known, 0.0, rad)
        tight = np.isfinite(rad).all(axis=1)
        self.Z[v[tight], :width] = mid[tight]
        self.R[v[tight], :width] = rad[tight]
        for i, m, r in zip(v.tolist(), mid, rad):
            self._balls[i] = (m, r)
        self.refined += v.shape[0]

    def _pieces(self, region: np.ndarray, d: int) -> list[np.ndarray]:
        """The activation pieces of the stages before ``d`` on each of the regions
        ``region`` of stage ``d``'s start (back through the layers' parents)."""
        patterns, idx = [], region
        for s in range(d - 1, -1, -1):
            patterns.append(self.layer_pieces[s][idx])
            idx = self.layer_parents[s][idx]
        return list(reversed(patterns))

    def _point_balls(self, v: np.ndarray) -> mf.Ball:
        """Double-double balls of the coordinates of the points ``v``: exact where known,
        else the meeting point of their two lines' balls (:meth:`_line_balls`); a point
        made on a segment between directions from its exact coordinates."""
        x, y = np.zeros((v.shape[0], 2)), np.zeros((v.shape[0], 2))
        r = np.zeros((v.shape[0], 2))
        lines = self.vline[v]
        crossed = (lines[:, 1] >= 0) & np.array([i not in self.points for i in v.tolist()],
                                                 dtype=bool)
        other = np.flatnonzero(~crossed)
        if other.shape[0]:
            exact = mf.from_exact(self._exact_points(v[other])[:, :2])
            x[other], y[other], r[other] = exact
        at = np.flatnonzero(crossed)
        if at.shape[0]:
            ids, inverse = np.unique(lines[at], return_inverse=True)
            balls = self._line_balls(ids)
            one = mf.take(balls, inverse.reshape(-1, 2)[:, 0])
            two = mf.take(balls, inverse.reshape(-1, 2)[:, 1])

            def det(i: int, j: int) -> mf.Ball:
                def entry(b: mf.Ball, k: int) -> mf.Ball:
                    return mf.take(b, (slice(None), k))
                return mf.sub(mf.mul(entry(one, i), entry(two, j)),
                              mf.mul(entry(one, j), entry(two, i)))

            w = det(0, 1)
            px, py = mf.div(det(1, 2), w), mf.div(det(2, 0), w)
            x[at, 0], y[at, 0], r[at, 0] = px
            x[at, 1], y[at, 1], r[at, 1] = py
        return mf.Ball(x, y, r)

    def _line_balls(self, ids: np.ndarray) -> mf.Ball:
        """Double-double balls of the coefficients (a, b, c) of lines ``ids`` (see
        :meth:`_line_coefficients`): exact ones where known, else the pre-activation of the
        line's neuron, its region's pattern forced, at (0, 0), (1, 0) and (0, 1) by
        :class:`~regions.certified.BallChain`, less the threshold."""
        out = mf.Ball(np.zeros((ids.shape[0], 3)), np.zeros((ids.shape[0], 3)),
                      np.zeros((ids.shape[0], 3)))
        known = np.array([i in self.coefficients for i in ids.tolist()], dtype=bool)
        for k in np.flatnonzero(known).tolist():
            ball = mf.from_exact(self.coefficients[int(ids[k])])
            out.x[k], out.y[k], out.r[k] = ball
        todo = np.flatnonzero(~known)
        info = self.lines[ids[todo]]
        unit = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        for d in np.unique(info[:, 0]).tolist():
            sel = np.flatnonzero(info[:, 0] == d)
            regions, back = np.unique(info[sel, 3], return_inverse=True)
            pieces = [np.repeat(p, 3, axis=0) for p in self._pieces(regions, d)]
            at = mf.from_float(np.tile(unit, (regions.shape[0], 1)))
            values, _ = self.chain.forward(at, d, pieces)  # type: ignore[union-attr]
            rows = 3 * back.reshape(-1)
            j = info[sel, 1]
            f0, f1, f2 = (mf.take(values, (rows + i, j)) for i in range(3))
            th = np.array(self.stage_thresholds[d])[info[sel, 2]]
            coefficients = (mf.sub(f1, f0), mf.sub(f2, f0), mf.sub(f0, mf.from_float(th)))
            for c, ball in enumerate(coefficients):
                out.x[todo[sel], c], out.y[todo[sel], c], out.r[todo[sel], c] = ball
        return out

    def _regions_at_start(self, v: np.ndarray) -> np.ndarray:
        """For each vertex of ``v``, a region of the start of this layer holding it (the
        origin of a current region with it as a vertex), or -1."""
        F = self.F[: self.nF]
        face, slot = np.nonzero(np.isin(F, v))
        ids = F[face, slot]
        found, first = np.unique(ids, return_index=True)
        out = np.full(v.shape[0], -1, dtype=np.int64)
        if not found.shape[0]:
            return out
        at = np.searchsorted(found, v)
        hit = (at < found.shape[0]) & (found[np.minimum(at, found.shape[0] - 1)] == v)
        out[hit] = self.origin[face[first[at[hit]]]]
        return out

    @property
    def chain(self) -> BallChain | None:
        """The model as a chain of dense layers on double-double balls (made on first use),
        or None (not a dense chain, or no model)."""
        if "_chain" not in self.__dict__:
            self.__dict__["_chain"] = None if self.model is None else BallChain.of(self.model)
        return self.__dict__["_chain"]

    def _charge(self, since: float) -> None:
        """Account time spent on exact values; past ``budget`` (by default
        :data:`~regions.certified.ORACLE_BUDGET`) give up (exact mode then recomputes the
        partition in rational arithmetic throughout, which shares its work: cheaper when
        many values must be exact; float mode runs the tolerance engine)."""
        self._spent += time.perf_counter() - since
        other = time.perf_counter() - self._started - self._spent
        if self._spent > max(self.budget[0], self.budget[1] * other):
            raise Unsettled(f"partition: exact values took {self._spent:.1f} s, more than "
                            "the budget")

    def _exact_rows(self, v: np.ndarray) -> None:
        """The exact rows of this layer's ``Z`` at vertices ``v``: kept for their signs, and
        their balls made tight (the rounding of the exact values)."""
        X = self._exact_points(v)
        rows = exact_pre(self.lowered, X, self.stage_index)
        mid, rad = input_ball(rows)
        width = rows.shape[1]
        self.Z[v, :width], self.R[v, :width] = mid, rad
        for i, row in zip(v.tolist(), rows):
            self._rows[i] = row
        self.exact_values += v.shape[0]

    def _exact_points(self, v: np.ndarray) -> np.ndarray:
        """Exact homogeneous coordinates of vertices ``v`` (cached): the meeting point of
        their two lines, or of their line and the segment they were put on; directions
        normalised to max-norm 1 and oriented between the two directions they were made
        from, points to w = 1 (see the module)."""
        todo, stack = set(), [i for i in v.tolist() if i not in self.points]
        while stack:  # the vertices needed: these and the ends they were made from
            i = stack.pop()
            if i in todo or i in self.points:
                continue
            todo.add(i)
            if self.vline[i, 1] < 0 or self.X[i, 2] == 0:
                stack.extend(int(e) for e in self.vends[i] if e >= 0)
        order = sorted(todo)  # a vertex is made after the ends it is made from
        if order:
            self._line_coefficients(np.unique(self.vline[order].reshape(-1)))
        for i in order:
            a, b = (int(e) for e in self.vends[i])
            if a < 0 or self.vline[i, 0] < 0:  # pragma: no cover - a book-keeping bug
                raise AssertionError(f"internal error: vertex {i} has no record")
            first = self.coefficients[int(self.vline[i, 0])]
            if self.vline[i, 1] >= 0:
                second = self.coefficients[int(self.vline[i, 1])]
            else:  # the segment from a to b
                second = cross(self.points[a][None], self.points[b][None])[0]
            p = cross(first[None], second[None])[0]
            if self.X[i, 2] != 0:
                if p[2] == 0:  # pragma: no cover - a book-keeping bug
                    raise AssertionError(f"internal error: vertex {i}'s lines are parallel")
                p = p / p[2]
            else:
                scale = max(abs(p[0]), abs(p[1]))
                if scale == 0 or p[2] != 0:  # pragma: no cover - a book-keeping bug
                    raise AssertionError(f"internal error: direction {i} is not at infinity")
                p = p / scale
                pa, pb = self.points[a], self.points[b]
                turn = pa[0] * pb[1] - pa[1] * pb[0]
                if (pa[0] * p[1] - pa[1] * p[0]) * turn < 0:
                    p = -p
            self.points[i] = p
        return np.stack([self.points[i] for i in v.tolist()])

    def _line_coefficients(self, ids: np.ndarray) -> None:
        """Exact coefficients of lines ``ids`` (cached): neuron j of layer d meets threshold
        theta where its pre-activation, affine with the pattern of the region the line was
        cut in forced, equals theta; that map is evaluated at the homogeneous rows (1, 0, 0),
        (0, 1, 0) and (0, 0, 1), once per region and layer."""
        ids = np.array([i for i in ids.tolist() if i >= 0 and i not in self.coefficients],
                       dtype=np.int64)
        if not ids.shape[0]:
            return
        info = self.lines[ids]
        one, zero = RATIONAL.one, RATIONAL.zero
        unit = np.array([[one, zero, zero], [zero, one, zero], [zero, zero, one]],
                        dtype=object)
        for d in np.unique(info[:, 0]).tolist():
            sel = np.flatnonzero(info[:, 0] == d)
            regions, back = np.unique(info[sel, 3], return_inverse=True)
            patterns, idx = [], regions
            for s in range(d - 1, -1, -1):  # each region's pieces, back through the layers
                patterns.append(self.layer_pieces[s][idx])
                idx = self.layer_parents[s][idx]
            patterns = [np.repeat(p, 3, axis=0) for p in reversed(patterns)]
            X = np.tile(unit, (regions.shape[0], 1))
            maps = exact_pre(self.lowered, X, d, patterns).reshape(regions.shape[0], 3, -1)
            thresholds = RATIONAL.convert(np.array(
                self.lowered.stages[d].activation.thresholds, dtype=object))
            for i, r in zip(sel.tolist(), back.reshape(-1).tolist()):
                _, j, k, _ = info[i]
                row = maps[r, :, j].copy()
                row[2] = row[2] - thresholds[k]
                self.coefficients[int(ids[i])] = row


def deciding_stages(stages: Any) -> int:
    """The number of leading stages that decide something (have thresholds or a group
    maximum): the stages after them, and the activation of the last of them, need no
    radii.

    >>> from regions import Network
    >>> from regions.certified import lower_certified
    >>> net = Network([[[1.0, 2.0]], [[1.0]]], [[0.0], [0.0]], ["relu", "linear"])
    >>> deciding_stages(lower_certified(net).stages)
    1
    """
    deciding = [i for i, st in enumerate(stages)
                if st.is_max or len(st.activation.thresholds)]
    return deciding[-1] + 1 if deciding else 0


def _entries(j0: int, th: Any) -> Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, Any,
                                                                            Any]]:
    """For :meth:`CertifiedPlanarEngine._signs` on a block of ``Z`` (all vertices, columns
    from ``j0``): the vertices, columns and threshold of entries given by their indices."""
    return lambda where: (where[0], j0 + where[1], th)


def _row(values: list) -> np.ndarray:
    """A 1-D object array of exact values."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
