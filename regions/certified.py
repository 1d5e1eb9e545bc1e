"""Certified tracing: float64 speed, the answers of rational arithmetic.

The certified engine runs the algorithm of :mod:`regions.trace` in float64 and carries, for
every stored value, a rigorous bound on its distance from the exact rational value (a
*ball*: midpoint and radius, as in Rump's midpoint-radius interval arithmetic). Each decision
the algorithm makes is taken from the balls only when they settle it:

* the side of a threshold a pre-activation lies on at an edge, and the sign of a slope on an
  unbounded end: settled when ``|value - theta| > radius`` (or the value is exactly the
  threshold with radius 0, as for a ReLU's zeros);
* the order of the crossings inside one piece: settled when their parameter intervals are
  disjoint (two neurons crossing at one point, a coincidence, never is);
* the sign of each output at each edge (sign transitions).

If every decision is settled the pieces, patterns, transitions and sign changes are exactly
those of rational arithmetic, because every branch the algorithm took is the one it takes on
the exact values. If one is not (a coincidence, a tie, a sliver narrower than the rounding,
values out of float64's range, or a node the filter does not cover: group maxima), the
computation raises :class:`Unsettled` internally and :func:`regions.trace` recomputes the
trace in rational arithmetic (:data:`regions.kinds.RATIONAL`). Either way the result equals
exact mode's. The exact knots and lengths of a certified trace are computed from the exact
input the first time they are read (they are rationals and roundings of irrationals that the
float run does not have).

:func:`regions.partition` has a certified planar engine built on the same balls
(:mod:`regions._planar_certified`); the helpers it shares with the trace engine are public
here (:func:`pre_ball`, :func:`ball_sides`, :func:`activate_ball`, ...), and
:func:`same_maps_certified` compares the Jacobians of pieces exactly behind a float filter.

Error analysis
--------------
Let u = 2^-53 (the unit roundoff of float64) and gamma_n = n u / (1 - n u). A dot product of
n terms evaluated in floating point in any order satisfies
|fl(x . y) - x . y| <= gamma_n |x| . |y| (Higham, Lemma 3.1 and (3.5)), underflow aside.
With stored values z whose exact values z* satisfy |z - z*| <= r, an affine node
h = A z + b computed in float64 has

    |fl(h) - h*| <= |A| r + gamma_(n+2) (|A| |z| + |b|),

the extra two terms covering the bias and the rounding of the weights themselves when they
were given as Fractions (|A~ - A| <= u |A|). A program of several affine nodes (convolution,
batch-norm scale, addition) adds one such gamma per node, bounded through |A_k ... A_1| <=
|A_k| ... |A_1|. The bounds are computed in floating point and then inflated by a factor
(1 + 2^-40) and an absolute 2^-1000 (covering the rounding of the bound itself and
underflow); values whose terms leave float64's normal range are not filtered (the run
falls back). A crossing at lambda = |d_a| / (|d_a| + |d_b|) (d = h - theta at the piece's two
ends, of opposite signs, so the sum has no cancellation) lies in
[(|d_a| - e_a) / (D + e_D), (|d_a| + e_a) / (D - e_D)] with e the radii of the d's, and a new
row z_a + lambda (z_b - z_a) is within r_a + lambda_hi (r_a + r_b) + |lambda - lambda*|
|z_b - z_a| + 3u (|z_a| + |z_b|) of the exact one. The crossing neuron sits exactly on its
threshold there (radius 0). An activation's piece k maps a ball (h, r) to
(slope_k h + c_k, |slope_k| r + 3u (|slope_k h| + |c_k|)).

References
----------
.. [1] N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., SIAM 2002,
   Section 3.1 (Lemma 3.1, the dot-product bound (3.5)).
.. [2] J. R. Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust
   Geometric Predicates", Discrete & Computational Geometry 18, 1997 (filtered predicates).
.. [3] S. M. Rump, "Fast and parallel interval arithmetic", BIT 39, 1999 (midpoint-radius
   arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from ._pieces import EngineBase, merge_rows, record_layer
from ._stages import Lowered, Stage, lower, same_maps
from .graph import Affine, Add
from .kinds import CERTIFIED, FLOAT, NumberKind

__all__ = ["Unsettled", "FilterStats", "lower_certified", "U", "stage_gamma", "inflate_bound",
           "pre_ball", "ball_sides", "input_ball", "activate_ball",
           "coefficient_balls", "jacobian_bound", "same_maps_certified"]

U = 2.0 ** -53
_INFLATE = 1.0 + 2.0 ** -40
_ETA = 2.0 ** -1000
_SMALLEST = 1e-280  # terms below this are not filtered (subnormal products lose the bound)


class Unsettled(ArithmeticError):
    """A decision the float bounds cannot settle; the caller recomputes exactly."""


@dataclass(frozen=True)
class FilterStats:
    """What the filter decided: ``decisions`` settled in float, and whether the run fell back
    to rational arithmetic (then ``reason`` says at which decision)."""

    decisions: int
    fell_back: bool
    reason: str = ""


def lower_certified(model: Any) -> Lowered:
    """The model's stages in float64 for the certified engine: the parameters rounded once
    each (covered by the bounds) and no stage collapsed into a precomputed map (whose
    entries would carry rounding the bounds do not know)."""
    from .graph import as_graph

    graph = as_graph(model)
    return replace(lower(graph.convert(False) if graph.is_exact else graph, FLOAT,
                         collapse=False), kind=CERTIFIED)


def stage_gamma(st: Stage) -> float:
    """The relative rounding factor of a stage's affine program (see the module)."""
    n = 0
    for node in st.program:
        if isinstance(node, Affine):
            n += node.op.in_size + 3
        elif isinstance(node, Add):
            n += len(node.inputs) + 1
    return n * U / (1 - n * U) * _INFLATE if n else 0.0


def inflate_bound(r: np.ndarray) -> np.ndarray:
    """A computed error bound made rigorous: inflated for its own rounding, plus an absolute
    term for underflow where it is not zero (a zero bound means no rounding happened)."""
    return r * _INFLATE + _ETA * (r > 0)


def pre_ball(st: Stage, z: np.ndarray, r: np.ndarray, w: Any) -> tuple[np.ndarray, np.ndarray]:
    """The stage's pre-activation at rows ``z`` (radii ``r``), with radii."""
    with np.errstate(over="ignore", invalid="ignore"):
        h = st.pre(z, w)
        size = st.pre_abs(np.abs(z), w)
        rh = st.pre_abs(r, 0) + stage_gamma(st) * size
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(rh))):
        raise Unsettled(f"node {st.name!r}: values beyond float64's range")
    tiny = (size > 0) & (size < _SMALLEST)
    if tiny.any():
        raise Unsettled(f"node {st.name!r}: terms below float64's normal range")
    return h, inflate_bound(rh)


def ball_sides(x: np.ndarray, r: np.ndarray, what: str) -> np.ndarray:
    """Certified signs (int8) of the exact values within ``r`` of ``x``; raises
    :class:`Unsettled` where the ball holds zero but is not exactly zero."""
    pos, neg = x > r, x < -r
    zero = (x == 0) & (r == 0)
    if not np.all(pos | neg | zero):
        raise Unsettled(f"{what}: a value within its rounding bound of a threshold")
    return pos.view(np.int8) - neg.view(np.int8)


class CertifiedEngine(EngineBase):
    """The straight-trajectory engine of :mod:`regions.trace` on balls (see the module)."""

    exact = True
    tol = 0.0

    def __init__(self, t, rows, left, right) -> None:
        self.t = t.astype(np.float64)
        self.z, self.r = input_ball(rows)
        self.left = self.right = None
        self.rl = self.rr = None
        if left is not None:
            self.left, self.rl = input_ball(left)
            self.right, self.rr = input_ball(right)
        self.edge_layer = np.full(t.shape[0], -1, dtype=np.int64)
        self.layer_index: list[np.ndarray] = []
        self.layer_transitions: list[np.ndarray] = []
        self.wrap_transitions: list[int] = []
        self.lengths: list[float] = []
        self.decisions = 0

    def layer(self, st: Stage) -> None:
        if st.is_max:
            raise Unsettled(f"node {st.name!r}: group maxima are not filtered")
        m, act = st.num_pre, st.activation
        h, rh = self._carry(st, self.z, self.r, 1)
        ends = []
        for g, rg in ((self.left, self.rl), (self.right, self.rr)):
            ends.append(None if g is None else self._carry(st, g[None, :], rg[None, :], 0))
        thresholds = [float(th) for th in act.thresholds]
        if any(float(th) != th for th in act.thresholds):
            raise Unsettled(f"node {st.name!r}: thresholds that float64 cannot hold")
        h, rh, sides, ext = self._split(st, h, rh, ends, thresholds, m)
        index = None
        for e in ext:
            above = (e[:-1] + e[1:]) > 0
            index = above.astype(np.int8) if index is None else index + above
        if index is None:
            npieces = self.t.shape[0] - 1 + (self.left is not None) * 2
            index = np.zeros((npieces, m), dtype=np.int8)
        record_layer(self, index)
        z, r = activate_ball(act, h[:, :m], rh[:, :m], _piece_of(sides, m, h.shape[0]))
        self.z = np.concatenate([z, h[:, m:]], axis=1)
        self.r = np.concatenate([r, rh[:, m:]], axis=1)
        if self.left is not None:
            (gl, rgl), (gr, rgr) = ends
            self.left, self.rl = self._ray_out(act, gl, rgl, index[0], m)
            self.right, self.rr = self._ray_out(act, gr, rgr, index[-1], m)

    def _carry(self, st, z, r, w):
        h, rh = pre_ball(st, z, r, w)
        if st.carry.shape[0]:
            h = np.concatenate([h, z[:, st.carry]], axis=1)
            rh = np.concatenate([rh, r[:, st.carry]], axis=1)
        return h, rh

    def _ray_out(self, act, g, rg, index, m):
        slopes = np.array([float(s) for s in act.slopes])
        if any(float(s) != s for s in act.slopes):
            raise Unsettled("an activation slope that float64 cannot hold")
        a = slopes[index]
        out = np.concatenate([a * g[0, :m], g[0, m:]])
        rad = np.concatenate([np.abs(a) * rg[0, :m], rg[0, m:]])
        return out, rad

    # -- the split ------------------------------------------------------------------------

    def _split(self, st, h, rh, ends, thresholds, m):
        """Certified sides at the edges, crossings with disjoint parameter intervals, new
        rows with radii; returns the rows, radii, per-threshold sides at the edges and the
        sides extended by the far sides of unbounded ends."""
        K = h.shape[0]
        has_rays = self.left is not None
        sides = []
        for th in thresholds:
            d = h[:, :m] - th
            sides.append(ball_sides(d, inflate_bound(rh[:, :m] + U * np.abs(d)), st.name))
        self.decisions += K * m * len(thresholds)
        if not thresholds:
            return h, rh, sides, []
        ray_sides = None
        if has_rays:
            (gl, rgl), (gr, rgr) = ends
            ray_sides = (-ball_sides(gl[:, :m], rgl[:, :m], st.name)[0],
                         ball_sides(gr[:, :m], rgr[:, :m], st.name)[0])
            self.decisions += 2 * m
        far = _far(sides, ray_sides)
        found = []
        for k, (th, s) in enumerate(zip(thresholds, sides)):
            ext = s if not has_rays else np.concatenate([far[k][0][None], s, far[k][1][None]])
            p, j = np.divmod(np.flatnonzero((ext[:-1] * ext[1:]) < 0), m)
            found.append((p, j, np.full(p.shape[0], k)))
        p, j, k = (np.concatenate(v) for v in zip(*found))
        if p.shape[0] == 0:
            return h, rh, sides, self._extended(sides, far)
        th_arr = np.asarray(thresholds)[k]
        a = p - has_rays  # anchor row
        kind = np.where(a < 0, -1, np.where(a >= K - 1, 1, 0))  # left ray, finite, right ray
        a = np.clip(a, 0, K - 1)
        da = np.abs(h[a, j] - th_arr)
        ea = rh[a, j] + U * da
        direction, rdir = self._directions(h, rh, ends, a, kind)
        slope = np.abs(direction[np.arange(a.shape[0]), j])
        eslope = rdir[np.arange(a.shape[0]), j] + U * slope
        lam = da / slope
        lo = (da - ea) / (slope + eslope) * (1 - 4 * U)
        with np.errstate(divide="ignore"):
            hi = np.where(slope - eslope > 0, (da + ea) / (slope - eslope) * (1 + 4 * U), np.inf)
        # order inside each piece: along t (a left ray runs backwards from its edge)
        key = np.where(kind < 0, -lam, lam)
        order = np.lexsort((key, p))
        p, j, k, a, kind, lam, lo, hi, th_arr = (v[order] for v in
                                                (p, j, k, a, kind, lam, lo, hi, th_arr))
        direction, rdir = direction[order], rdir[order]
        same = p[1:] == p[:-1]
        fwd = np.where(kind[1:] < 0, lo[:-1] > hi[1:], hi[:-1] < lo[1:])
        self.decisions += int(same.sum())
        if np.any(same & ~fwd):
            raise Unsettled(f"node {st.name!r}: two crossings closer than their bounds")
        # new rows: anchor + lambda * direction; radius as in the module docstring
        new = h[a] + lam[:, None] * direction
        spread = np.maximum(hi - lam, lam - lo)
        rnew = (rh[a] + hi[:, None] * rdir + spread[:, None] * np.abs(direction)
                + 3 * U * (np.abs(h[a]) + np.abs(new)))
        if not np.all(np.isfinite(rnew)):
            raise Unsettled(f"node {st.name!r}: a crossing far out on an unbounded end")
        rows = np.arange(p.shape[0])
        new[rows, j] = th_arr
        rnew[rows, j] = 0.0
        rnew = inflate_bound(rnew)
        new_sides = []
        for kk, th in enumerate(thresholds):
            d = new[:, :m] - th
            ns = ball_sides(d, inflate_bound(rnew[:, :m] + U * np.abs(d)), st.name)
            new_sides.append(ns)
        self.decisions += new.shape[0] * m * len(thresholds)
        # insertion: the new edges of piece p go before old edge p + 1 - has_rays
        before = p + 1 - has_rays
        is_new = np.zeros(K + p.shape[0], dtype=bool)
        is_new[before + np.arange(p.shape[0])] = True
        tn = self._new_t(a, kind, lam)
        self.t = merge_rows(self.t, tn, is_new)
        layer = np.full(p.shape[0], len(self.layer_index), dtype=np.int64)
        self.edge_layer = merge_rows(self.edge_layer, layer, is_new)
        h, rh = merge_rows(h, new, is_new), merge_rows(rh, rnew, is_new)
        sides = [merge_rows(s, ns, is_new) for s, ns in zip(sides, new_sides)]
        return h, rh, sides, self._extended(sides, _far(sides, ray_sides))

    def _extended(self, sides, far):
        if not far:
            return sides
        return [np.concatenate([f[0][None], s, f[1][None]]).astype(np.int8)
                for s, f in zip(sides, far)]

    def _directions(self, h, rh, ends, a, kind):
        K = h.shape[0]
        b = np.minimum(a + 1, K - 1)
        direction = h[b] - h[a]
        rdir = rh[a] + rh[b] + U * np.abs(direction)
        if self.left is not None:
            (gl, rgl), (gr, rgr) = ends
            for which, g, rg, sign in ((-1, gl, rgl, -1.0), (1, gr, rgr, 1.0)):
                on = kind == which
                direction[on] = sign * g[0]
                rdir[on] = rg[0]
        return direction, rdir

    def _new_t(self, a, kind, lam):
        t = self.t
        K = t.shape[0]
        b = np.minimum(a + 1, K - 1)
        return np.where(kind == 0, t[a] + lam * (t[b] - t[a]),
                        np.where(kind < 0, t[a] - lam, t[a] + lam))

    def sign_changes(self) -> np.ndarray:
        """Certified sign changes of every output coordinate along the trajectory."""
        s = ball_sides(self.z, self.r, "the output")
        parts = []
        if self.left is not None:
            fl = -ball_sides(self.left[None], self.rl[None], "the output")[0]
            parts.append(np.where(fl == 0, s[0], fl)[None, :])
        parts.append(s)
        if self.right is not None:
            fr = ball_sides(self.right[None], self.rr[None], "the output")[0]
            parts.append(np.where(fr == 0, s[-1], fr)[None, :])
        seq = np.concatenate(parts, axis=0).astype(np.int8)
        out = np.zeros(seq.shape[1], dtype=np.int64)
        for c in range(seq.shape[1]):  # one loop per output coordinate
            col = seq[:, c]
            col = col[col != 0]
            out[c] = int(np.count_nonzero(col[1:] != col[:-1]))
        return out


def input_ball(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A float ball around exact or float input values: the rounding of each entry."""
    if values.dtype == object:
        mid = np.array([float(v) for v in values.reshape(-1)]).reshape(values.shape)
        if not np.all(np.isfinite(mid)):
            raise Unsettled("input beyond float64's range")
        exact = np.array([Fraction(m) == v for v, m in
                          zip(values.reshape(-1), mid.reshape(-1))]).reshape(values.shape)
        rad = np.where(exact, 0.0, U * np.abs(mid) + 2.0 ** -1074)
        return mid, rad
    return values.astype(np.float64), np.zeros(values.shape)


def _far(sides, ray_sides):
    """Per threshold: the sides far out on the left and right unbounded ends (a zero slope
    keeps the side of the end row), or [] without rays."""
    if ray_sides is None:
        return []
    fl, fr = ray_sides
    return [(np.where(fl == 0, s[0], fl), np.where(fr == 0, s[-1], fr)) for s in sides]


def _piece_of(sides: list[np.ndarray], m: int, rows: int) -> np.ndarray:
    """Each entry's piece of phi from its certified sides (on a threshold: the piece below;
    the value is then the same from both pieces)."""
    index = np.zeros((rows, m), dtype=np.int64)
    for s in sides:
        index += s > 0
    return index


def activate_ball(act: Any, h: np.ndarray, rh: np.ndarray,
                  index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The activation's piece ``index`` (per entry) applied to the balls ``(h, rh)``: the
    values and their radii. Coefficients float64 cannot hold (leaky ReLU's 1/100) are used
    rounded, their rounding added to the radii."""
    a_tab, ea_tab = coefficient_balls(act.slopes)
    c_tab, ec_tab = coefficient_balls(act.intercepts)
    a, c, ea, ec = a_tab[index], c_tab[index], ea_tab[index], ec_tab[index]
    z = a * h + c
    r = (np.abs(a) * rh + ea * (np.abs(h) + rh) + ec
         + 3 * U * (np.abs(a * h) + np.abs(c)))
    # a constant or the identity, held exactly: no rounding
    exact_op = ((a == 0) | ((a == 1) & (c == 0))) & (ea == 0) & (ec == 0)
    r = np.where(exact_op, np.abs(a) * rh, r)
    return z, inflate_bound(r)


def coefficient_balls(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Exact coefficients (Fractions) as float64 midpoints and rigorous radii (0 where
    float64 holds the value)."""
    mid = np.array([float(v) for v in values], dtype=np.float64)
    rad = np.array([float(abs(Fraction(m) - Fraction(v))) * (1 + 2.0 ** -50)
                    for m, v in zip(mid, values)], dtype=np.float64)
    return mid, rad


_JACOBIAN_CHUNK = 1 << 16  # pieces whose Jacobians are computed at once


def jacobian_bound(lowered: Lowered) -> float:
    """A relative bound ``e``: the Jacobian of a piece computed in float64 from its pattern
    (:meth:`~regions._stages.Lowered.jacobians` of :func:`lower_certified`'s stages) is
    within ``e`` times the same product over absolute values (computed alike) of the exact
    Jacobian. Each stage multiplies by one affine program (its :func:`stage_gamma`, which
    covers the rounding of its dot products and of its parameters), by the activation's
    slopes (one rounding, and the slopes' own rounding) and adds the carried columns (one
    rounding): the bound is the product of (1 + those) minus 1 (Higham, Section 3.5),
    doubled to cover the rounding of the absolute product itself."""
    factor = 1.0
    for st in lowered.stages:
        slope = 0.0
        if not st.is_max:
            mid, rad = coefficient_balls(st.activation.slopes)
            nonzero = mid != 0
            slope = float((rad[nonzero] / np.abs(mid[nonzero])).max(initial=0.0))
        factor *= 1 + stage_gamma(st) + slope + 4 * U
    return 2 * (factor - 1) * _INFLATE


def same_maps_certified(model: Any, patterns: tuple[np.ndarray, ...], a: np.ndarray,
                        b: np.ndarray, exact: NumberKind) -> np.ndarray:
    """For each pair of pieces ``(a[i], b[i])`` of ``model``: whether its Jacobians on
    them (from their patterns) are equal, exactly. Computed in float64 with the bound of
    :func:`jacobian_bound`: pairs whose Jacobians differ by more than their bounds differ;
    the others (equal maps, or too close to tell) are compared in the rational kind
    ``exact``."""
    out = np.zeros(a.shape[0], dtype=bool)
    if not a.shape[0]:
        return out
    lowered = lower_certified(model)
    rel = jacobian_bound(lowered)
    ids, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    jac, size = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(0, ids.shape[0], _JACOBIAN_CHUNK):
            rows = ids[i: i + _JACOBIAN_CHUNK]
            jac.append(lowered.jacobians(patterns, rows))
            size.append(lowered.jacobians(patterns, rows, True))
        J, S = np.concatenate(jac), np.concatenate(size)
        ja, jb = inv[: a.shape[0]], inv[a.shape[0]:]
        diff = np.abs(J[ja] - J[jb])
        bound = inflate_bound(rel * (S[ja] + S[jb]) + U * diff)
    settled = np.isfinite(bound).all(axis=(1, 2)) & np.isfinite(diff).all(axis=(1, 2))
    differ = settled & np.any(diff > bound, axis=(1, 2))
    unsure = np.flatnonzero(~differ)
    if unsure.shape[0]:
        out[unsure] = same_maps(lower(model, exact), patterns, a[unsure], b[unsure], 0.0)
    return out

