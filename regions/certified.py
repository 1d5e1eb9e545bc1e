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

A decision the float64 balls leave open is retried on double-double balls (the middle
stage, :mod:`regions._multifloat`, for chains of dense layers): the values it needs are
recomputed from the exact input at about 2^-18 times float64's rounding per layer (Ozaki's
error-free sliced matrix products), and taken from there when those balls settle them.
Only what they leave open (a coincidence, a tie narrower than that) is computed exactly
(:class:`ExactOracle`). If every decision is settled the pieces, patterns, transitions and
sign changes are exactly those of rational arithmetic, because every branch the algorithm
took is the one it takes on the exact values. If one is not settled even exactly (values
out of float64's range on an unbounded end, a node the filter does not cover: group
maxima, or exact values past :data:`ORACLE_BUDGET`), the computation raises
:class:`Unsettled` internally and :func:`regions.trace` recomputes the trace in rational
arithmetic (:data:`regions.kinds.RATIONAL`). Either way the result equals
exact mode's. The exact knots and lengths of a certified trace are computed from the exact
input the first time they are read (they are rationals and roundings of irrationals that the
float run does not have).

:func:`regions.partition` has a certified planar engine built on the same balls
(:mod:`regions._planar_certified`); the helpers it shares with the trace engine are public
here (:func:`pre_ball`, :func:`ball_sides`, :func:`activate_ball`, ...), and
:func:`same_maps_certified` compares the Jacobians of pieces exactly behind a float filter.

Error analysis
--------------
In plain-text notation::

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
    ends, of opposite signs, so the sum has no cancellation; e the radii of the d's, the
    threshold's rounding included) lies in
    [(|d_a| - e_a) / (|d_a| - e_a + |d_b| + e_b), (|d_a| + e_a) / (|d_a| + e_a + |d_b| - e_b)]
    (x / (x + y) increases in x and decreases in y), each end widened by 6u for its rounding:
    about ((1 - lambda) e_a + lambda e_b) / D either side, half of what
    [(|d_a| - e_a) / (D + e_D), (|d_a| + e_a) / (D - e_D)] (D = |d_a| + |d_b|, e_D = e_a + e_b)
    gives, the interval still used on an unbounded end. A new
    row z = z_a + lambda (z_b - z_a) differs from the exact one, (1 - lambda*) z*_a + lambda*
    z*_b, by (1 - lambda) (z_a - z*_a) + lambda (z_b - z*_b) + (lambda - lambda*) (z*_b - z*_a)
    plus rounding: it is within |1 - lambda| r_a + |lambda| r_b + |lambda - lambda*|
    (|z_b - z_a| (1 + u) + r_a + r_b) + 3u (|z_a| + |z|) (the ends' errors enter as a convex
    combination, not as r_a + lambda (r_a + r_b): half the radius at a midpoint, and fewer rows
    for the middle stage at depth). On an unbounded end, z_a + lambda g (lambda >= 0 the
    distance in t) is within r_a + lambda_hi r_g + |lambda - lambda*| (|g| (1 + u) + r_g) +
    3u (|z_a| + |z|). The crossing neuron sits exactly on its
    threshold there (radius 0). An activation's piece k maps a ball (h, r) to
    (slope_k h + c_k, |slope_k| r + 3u (|slope_k h| + |c_k|)).

The middle stage. The float64 radii grow by the absolute row sums of the weights at every
layer (about 16 per layer for width 100 and sigma_w = 2), so at depth 9-10 some decisions
whose values are well apart from their thresholds are still not settled in float64. Such a
decision's values are recomputed by :class:`BallChain` on double-double balls
(:mod:`regions._multifloat`, whose docstring has the bounds of every operation): the
pattern of the layers before it forced, at the two ends of the trajectory's leg (exact
points, balls of radius u^2), through each layer's matrix product cut in slices (the
products of the leading slices exact in float64, the rest bounded by gamma_k at about
2^-(53 - rho) times float64's, rho = ceil((55 + ceil(log2 k)) / 2): 2^-22 for k <= 128)
and the activation's forced piece (constants and the identity exactly). The parameter of
an edge made by neuron j at layer s is the ball (theta - h_a) / (h_b - h_a) of the values
at the leg's ends (its radius from the division's bound, unbounded if the divisor's ball
holds zero), and the values at it are h_a + lambda (h_b - h_a) on balls. A side, an order
of two crossings (the difference of their parameter balls) or an output sign is taken
from these balls only when their radius does not reach zero; the crossing neuron itself
sits on its threshold by construction, as in the exact path. What they leave open goes on
to :class:`ExactOracle`. Rows that share a leg end and a piece up to a layer are computed
once up to it. A network's chain (its sliced matrices) is built once and cached by the
network object while it lives (its parameters are read-only arrays). ``FilterStats.refined``
counts the values the middle stage settled.

References
----------
.. [1] N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., SIAM 2002,
   Section 3.1 (Lemma 3.1, the dot-product bound (3.5)).
.. [2] J. R. Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust
   Geometric Predicates", Discrete & Computational Geometry 18, 1997 (filtered predicates).
.. [3] S. M. Rump, "Fast and parallel interval arithmetic", BIT 39, 1999 (midpoint-radius
   arithmetic).
.. [4] K. Ozaki, T. Ogita, S. Oishi, S. M. Rump, "Error-free transformations of matrix
   multiplication by using fast routines of matrix multiplication and its applications",
   Numerical Algorithms 59, 2012 (the middle stage's products).
"""

from __future__ import annotations

import bisect
import time
import weakref
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from . import _multifloat as mf
from ._pieces import EngineBase, merge_rows, record_layer
from ._stages import Lowered, Stage, lower, same_maps
from .graph import Affine, Add
from .kinds import CERTIFIED, FLOAT, RATIONAL, RATIONAL_FRACTION, NumberKind

__all__ = ["Unsettled", "FilterStats", "CertifiedEngine", "ExactOracle", "lower_certified", "U",
           "stage_gamma", "inflate_bound", "pre_ball", "ball_sides", "input_ball",
           "activate_ball", "coefficient_balls", "jacobian_bound", "same_maps_certified",
           "exact_pre", "ORACLE_BUDGET", "BallChain", "DenseChain", "dense_layers", "LEVELS"]

U = 2.0 ** -53
_INFLATE = 1.0 + 2.0 ** -40
_ETA = 2.0 ** -1000


LEVELS = 1
"""Slices of the middle stage's matrix products (:func:`regions._multifloat.matmul`): each
level rounds about 2^-22 times float64's (for fan-ins up to 128)."""

ORACLE_BUDGET = (2.0, 100.0)
"""Exact evaluations may take max(2 s, 100 times the rest of the certified run); beyond
that the trace is recomputed in rational arithmetic throughout."""


class Unsettled(ArithmeticError):
    """A decision the float bounds cannot settle; the caller recomputes exactly."""


@dataclass(frozen=True)
class FilterStats:
    """What the filter decided: ``decisions`` taken in float with a bound, ``exact`` the
    exact values computed where a bound did not settle one (parameters of edges and rows at
    edges for a trace, rows at vertices for a partition), whether the whole run fell back
    to rational arithmetic (then ``reason`` says why), and ``refined``: the values (rows at
    edges, crossing parameters) that float64's bounds left open and double-double balls
    settled before any exact computation (traces of dense chains; 0 elsewhere)."""

    decisions: int
    exact: int
    fell_back: bool
    reason: str = ""
    refined: int = 0

    @property
    def exact_share(self) -> float:
        """Exact computations per decision (1.0 when the run fell back)."""
        if self.fell_back:
            return 1.0
        return self.exact / max(1, self.decisions)


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
    out = np.asarray(r * _INFLATE)
    out += _ETA
    np.putmask(out, np.asarray(r) == 0, 0.0)
    return out


def pre_ball(st: Stage, z: np.ndarray, r: np.ndarray, w: Any) -> tuple[np.ndarray, np.ndarray]:
    """The stage's pre-activation at rows ``z`` (radii ``r``), with radii:
    ``|A| r + gamma (|A| |z| + |b| w)``, computed as one product ``|A| (r + gamma |z|) +
    |b| gamma w``. Underflow: every non-zero bound gets an absolute 2^-1000 (far above what
    subnormal products can lose), and a bound that came out zero gets it too unless every
    term of its sum was zero (a product of tiny weights and tiny values can underflow to a
    zero bound while the exact value is not zero: weights ~1e-200 per layer)."""
    gamma = stage_gamma(st)
    with np.errstate(over="ignore", invalid="ignore"):
        h = st.pre(z, w)
        rh = st.pre_abs(r + gamma * np.abs(z), np.full(z.shape[0], gamma * w))
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(rh))):
        raise Unsettled(f"node {st.name!r}: values beyond float64's range")
    rh = inflate_bound(rh)
    rows = np.flatnonzero((rh == 0).any(axis=1))
    if rows.shape[0]:  # which zero bounds had non-zero terms (underflow)?
        some = ((z[rows] != 0) | (r[rows] > 0)).astype(np.float64)
        terms = st.pre_abs(some, np.zeros(rows.shape[0]))  # |A| applied to indicators
        rh[rows] = np.where((rh[rows] == 0) & (terms > 0), _ETA, rh[rows])
    return h, rh


def ball_sides(x: np.ndarray, r: np.ndarray, what: str) -> np.ndarray:
    """Certified signs (int8) of the exact values within ``r`` of ``x``; raises
    :class:`Unsettled` where the ball holds zero but is not exactly zero."""
    pos, neg = x > r, x < -r
    zero = (x == 0) & (r == 0)
    if not np.all(pos | neg | zero):
        raise Unsettled(f"{what}: a value within its rounding bound of a threshold")
    return pos.view(np.int8) - neg.view(np.int8)


class CertifiedEngine(EngineBase):
    """The straight-trajectory engine of :mod:`regions.trace` on balls (see the module).

    ``oracle`` gives exact values at chosen parameters; decisions the balls do not settle
    are taken from it (see :class:`ExactOracle`)."""

    exact = True
    tol = 0.0

    @property
    def edge_exact(self) -> bool:
        """False: the result keeps the float parameters of its edges; the exact ones are
        computed when first read (:func:`regions.trace` defers them to rational arithmetic),
        so they are not converted here."""
        return False

    def __init__(self, t, rows, left, right, oracle: "ExactOracle") -> None:
        self.t = np.array([float(v) for v in t], dtype=np.float64)
        self.z, self.r = input_ball(rows)
        self.left: Any = None
        self.right: Any = None
        self.rl: Any = None
        self.rr: Any = None
        if left is not None:
            self.left, self.rl = input_ball(left)
            self.right, self.rr = input_ball(right)
        self.oracle = oracle
        n = t.shape[0]
        self.edge_layer = np.full(n, -1, dtype=np.int64)
        self.edge_neuron = np.full(n, -1, dtype=np.int64)
        self.edge_threshold = np.full(n, -1, dtype=np.int64)
        self.exact_t = np.empty(n, dtype=object)
        self.exact_t[:] = list(oracle.t0)
        self.thresholds: list[tuple[Any, ...]] = []  # exact thresholds of each layer
        self.layer_index: list[np.ndarray] = []
        self.layer_transitions: list[np.ndarray] = []
        self.wrap_transitions: list[int] = []
        self.lengths: list[float] = []
        self.decisions = 0
        self.exact_decisions = 0
        self.refined = 0  # values the double-double stage settled
        self._chain: Any = False  # the middle stage's BallChain (built on first use)
        self._leg_balls: dict[int, Any] = {}
        self._threshold_balls: dict[int, Any] = {}

    def layer(self, st: Stage) -> None:
        if st.is_max:
            raise Unsettled(f"node {st.name!r}: group maxima are not filtered")
        m, act = st.num_pre, st.activation
        d = len(self.layer_index)
        h, rh = self._carry(st, self.z, self.r, 1)
        ends: list[Any] = []
        for g, rg in ((self.left, self.rl), (self.right, self.rr)):
            ends.append(None if g is None else self._carry(st, g[None, :], rg[None, :], 0))
        self.thresholds.append(tuple(act.thresholds))
        h, rh, sides, ext = self._split(st, d, h, rh, ends, m)
        index: Any = None
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
        """An unbounded end's slope through the activation: the outermost piece's slope
        (a ball, rounded where float64 does not hold it) times the slope ball."""
        mid, err = coefficient_balls(act.slopes)
        a, ea = mid[index], err[index]
        gm, rgm = g[0, :m], rg[0, :m]
        out = a * gm
        rad = np.abs(a) * rgm + ea * (np.abs(gm) + rgm) + 3 * U * np.abs(out)
        exact_op = ((a == 0) | (a == 1)) & (ea == 0)  # no rounding
        rad = np.where(exact_op, np.abs(a) * rgm, rad)
        return (np.concatenate([out, g[0, m:]]),
                inflate_bound(np.concatenate([rad, rg[0, m:]])))

    # -- exact values where the balls do not decide -----------------------------------------

    def _exact_ts(self, rows: np.ndarray) -> list[Any]:
        """Exact parameters of the edges ``rows``. An edge made at layer d by neuron j is the
        root of h_j^(d) - theta, which is affine along the trajectory's leg with the
        pattern of the layers before d fixed (the pattern of the pieces the edge lies
        inside): evaluated exactly at the leg's two ends (simple rationals) with that
        pattern forced, one forward pass per layer d for all such edges."""
        rows = np.asarray(rows, dtype=np.int64)
        todo = np.array([e for e in rows if self.exact_t[e] is None], dtype=np.int64)
        for d in np.unique(self.edge_layer[todo]) if todo.shape[0] else []:
            level = todo[self.edge_layer[todo] == d]
            ts = self._roots(int(d), level, self.edge_neuron[level], self.edge_threshold[level])
            for e, t in zip(level, ts):
                self.exact_t[e] = t
        return [self.exact_t[int(e)] for e in rows]

    def _roots(self, d: int, after: np.ndarray, j: np.ndarray, k: np.ndarray) -> list[Any]:
        """Exact parameters where neuron ``j`` of layer ``d`` meets threshold ``k``, each in
        the interval just after edge row ``after`` (-1: the left unbounded end), whose
        pattern for the layers before ``d`` is fixed."""
        patterns = [self._piece_patterns(after, s) for s in range(d)]
        legs = [self.oracle.leg(self._leg_index(int(e))) for e in after]
        n = after.shape[0]
        points = np.concatenate([np.array([leg[1] for leg in legs], dtype=object),
                                 np.array([leg[3] for leg in legs], dtype=object)])
        values = self.oracle.forced(points, [np.concatenate([p, p]) for p in patterns], d)
        out = []
        for i in range(n):
            ta, _, tb, _ = legs[i]
            theta = self.thresholds[d][int(k[i])]
            ha, hb = values[i, int(j[i])], values[n + i, int(j[i])]
            out.append(ta + (theta - ha) / (hb - ha) * (tb - ta))
        self.exact_decisions += n
        return out

    def _piece_patterns(self, after: np.ndarray, s: int) -> np.ndarray:
        """The layer-``s`` piece indices (per neuron) of the pieces holding the intervals
        just after the edge rows ``after``."""
        return self.layer_index[s][self._piece_ids(after, s)]

    def _piece_ids(self, after: np.ndarray, s: int) -> np.ndarray:
        """The pieces of layer ``s`` (between the edges made up to layer ``s``) holding the
        intervals just after the edge rows ``after``."""
        exists = np.cumsum(self.edge_layer <= s)
        has_left = self.left is not None
        return np.where(after < 0, 0, exists[np.maximum(after, 0)] - 1 + has_left)

    def _leg_index(self, after: int) -> int:
        """The trajectory leg (between original edges; -1 and len - 1 the unbounded ends)
        holding the interval just after edge row ``after``."""
        if after < 0:
            return -1
        return int(np.count_nonzero(self.edge_layer[: after + 1] < 0)) - 1

    def _crossing_ts(self, d: int, a: np.ndarray, kind: np.ndarray, j: np.ndarray,
                     k: np.ndarray) -> list[Any]:
        """Exact parameters of crossings of layer ``d`` anchored at rows ``a``."""
        after = np.where(kind < 0, -1, a)
        return self._roots(d, after, j, k)

    def _exact_values(self, d: int, after: np.ndarray, ts: list[Any], pre: bool = True):
        """Exact values at the parameters ``ts``, each in the closure of the interval just
        after edge row ``after``: stage ``d``'s pre-activation and carried columns (``pre``)
        or the state before it. The interval's map (the pattern of the layers before ``d``
        forced) is evaluated at its leg's two ends, small rationals, and interpolated at t
        (the values are affine along the leg with that pattern, and continuous)."""
        after = np.asarray(after, dtype=np.int64)
        n = after.shape[0]
        patterns = [np.concatenate([p, p]) for p in
                    (self._piece_patterns(after, s) for s in range(d))]
        legs = [self.oracle.leg(self._leg_index(int(e))) for e in after]
        points = np.array([leg[1] for leg in legs] + [leg[3] for leg in legs], dtype=object)
        values = self.oracle.forced(points.reshape(2 * n, -1), patterns, d, pre)
        va, vb = values[:n], values[n:]
        w = np.array([(t - leg[0]) / (leg[2] - leg[0]) for t, leg in zip(ts, legs)],
                     dtype=object)
        return va + w[:, None] * (vb - va)

    def _edge_after(self, rows: np.ndarray) -> np.ndarray:
        """For edge rows: an interval whose closure holds each (the one after it, or the
        one before the last edge of a bounded trajectory)."""
        last = self.t.shape[0] - 1
        return np.where((rows == last) & (self.right is None), rows - 1, rows)

    def _exact_rows(self, d: int, after: np.ndarray, ts: list[Any], m: int):
        """Tight balls of the stage's rows (pre-activation and carried columns) at exact
        parameters (in the intervals after ``after``), and their exact sides for each
        threshold."""
        values = self._exact_values(d, after, ts)
        mid, rad = input_ball(values)
        sides = [np.sign(values[:, :m] - th).astype(np.int8) for th in self.thresholds[d]]
        return mid, rad, sides

    # -- the middle stage: double-double balls where float64's do not decide -------------

    @property
    def chain(self) -> "BallChain | None":
        """The model on double-double balls, or None (not a chain of dense layers)."""
        if self._chain is False:
            self._chain = BallChain.of(self.oracle.net)
        return self._chain

    def _theta_ball(self, d: int) -> "mf.Ball":
        """The exact thresholds of layer ``d`` as balls."""
        if d not in self._threshold_balls:
            self._threshold_balls[d] = mf.from_exact(np.array(self.thresholds[d], dtype=object))
        return self._threshold_balls[d]

    def _leg_ball(self, i: int) -> tuple["mf.Ball", "mf.Ball", "mf.Ball", "mf.Ball"]:
        """Balls of the two exact (parameter, point) pairs of :meth:`ExactOracle.leg`."""
        if i not in self._leg_balls:
            ta, xa, tb, xb = self.oracle.leg(i)
            self._leg_balls[i] = (mf.from_exact(np.array([ta], dtype=object)),
                                  mf.from_exact(np.asarray(xa, dtype=object)[None, :]),
                                  mf.from_exact(np.array([tb], dtype=object)),
                                  mf.from_exact(np.asarray(xb, dtype=object)[None, :]))
        return self._leg_balls[i]

    def _edge_which(self, rows: np.ndarray) -> list[Any]:
        """For edge rows: the exact parameter where known, else the crossing that made the
        edge, ``(layer, neuron, threshold)``."""
        return [self.exact_t[e] if self.exact_t[e] is not None else
                (int(self.edge_layer[e]), int(self.edge_neuron[e]), int(self.edge_threshold[e]))
                for e in rows]

    def _refined(self, d: int, after: np.ndarray, which: list[Any], pre: bool = True):
        """Double-double balls of the parameters and of stage ``d``'s values (its
        pre-activation, or the state before it unless ``pre``) at points each in the
        closure of the interval just after edge row ``after``; each point is given by
        ``which``: an exact parameter, or ``(s, j, k)``, where neuron ``j`` of stage ``s``
        meets threshold ``k`` on the interval's map. The same computation as
        :meth:`_roots` and :meth:`_exact_values` (the map of the interval, the pattern of
        the layers before ``d`` forced, at its leg's two ends; the root and the values
        interpolated along the leg), on balls. None without a middle stage."""
        chain = self.chain
        if chain is None:
            return None
        after = np.asarray(after, dtype=np.int64)
        n = after.shape[0]
        patterns = [np.concatenate([p, p]) for p in
                    (self._piece_patterns(after, s) for s in range(d))]
        starts = np.cumsum(self.edge_layer < 0) - 1  # the leg each edge row starts
        index = np.where(after < 0, -1, starts[np.maximum(after, 0)])
        legs_used, which_leg = np.unique(index, return_inverse=True)
        balls = [self._leg_ball(int(i)) for i in legs_used]
        # rows with one leg end and one piece at a stage share the computation up to it
        end = np.repeat([0, 1], n)
        groups = [2 * np.concatenate([index, index]) + end] + \
            [2 * np.concatenate([g, g]) + end
             for g in (self._piece_ids(after, s) for s in range(d + pre))]
        ta, xa, tb, xb = (mf.take(mf.Ball(*(np.concatenate(v) for v in zip(*parts))),
                                  which_leg.reshape(-1))
                          for parts in zip(*balls))
        points = mf.Ball(*(np.concatenate([a, b]) for a, b in zip(xa, xb)))
        stages = {x[0] for x in which if isinstance(x, tuple)}
        values, pres = chain.forward(points, d, patterns, pre, stages, groups)
        w = mf.from_float(np.zeros(n))
        known = [i for i, x in enumerate(which) if not isinstance(x, tuple)]
        if known:
            exact = []
            for i in known:
                ta_i, _, tb_i, _ = self.oracle.leg(int(index[i]))
                exact.append((which[i] - ta_i) / (tb_i - ta_i))
            w = _set(w, np.array(known), mf.from_exact(np.array(exact, dtype=object)))
        roots = np.array([i for i, x in enumerate(which) if isinstance(x, tuple)], dtype=np.int64)
        if roots.shape[0]:
            spec = np.array([which[i] for i in roots], dtype=np.int64).reshape(-1, 3)
            for s in np.unique(spec[:, 0]):
                on = spec[:, 0] == s
                i, j, k = roots[on], spec[on, 1], spec[on, 2]
                ha, hb = mf.take(pres[s], (i, j)), mf.take(pres[s], (i + n, j))
                theta = mf.take(self._theta_ball(int(s)), k)
                w = _set(w, i, mf.div(mf.sub(theta, ha), mf.sub(hb, ha)))
        va, vb = mf.take(values, slice(0, n)), mf.take(values, slice(n, 2 * n))
        col = mf.take(w, (slice(None), None))
        v = mf.add(va, mf.mul(col, mf.sub(vb, va)))
        t = mf.add(ta, mf.mul(w, mf.sub(tb, ta)))
        return t, v

    def _ball_sides(self, d: int, v: "mf.Ball", m: int):
        """Per threshold of layer ``d``: the sides of ``v``'s first ``m`` columns, and the
        rows where any side is unsettled."""
        thetas = self._theta_ball(d)
        sides, bad = [], np.zeros(v.x.shape[0], dtype=bool)
        for kk in range(thetas.x.shape[0]):
            s, b = mf.signs(mf.sub(mf.take(v, (slice(None), slice(0, m))),
                                   mf.take(thetas, kk)))
            sides.append(s)
            bad |= b.any(axis=1)
        return sides, bad

    def _refine_edges(self, d, rows, h, rh, sides, m):
        """Settle the edge rows ``rows`` of layer ``d`` on double-double balls where they
        decide every side (their float balls made tight); returns the rows left."""
        got = self._refined(d, self._edge_after(rows), self._edge_which(rows))
        if got is None:
            return rows
        v = got[1]
        new_sides, bad = self._ball_sides(d, v, m)
        ok = ~bad
        done = rows[ok]
        for s, ns in zip(sides, new_sides):
            s[done] = ns[ok]
        h[done], rh[done] = mf.to_float_ball(mf.take(v, ok))
        self.refined += done.shape[0]
        return rows[bad]

    # -- the split ------------------------------------------------------------------------

    def _edge_sides(self, st, d, h, rh, m):
        """Certified sides of every threshold at the edges; rows with an unsettled entry are
        recomputed exactly (and their balls made tight)."""
        sides, unsure = [], np.zeros(h.shape[0], dtype=bool)
        for th in self.thresholds[d]:
            s, bad = _try_sides(h[:, :m] - float(th), rh[:, :m] + _rounding(th))
            sides.append(s)
            unsure |= bad.any(axis=1)
        self.decisions += h.shape[0] * m * len(sides)
        rows = np.flatnonzero(unsure)
        if rows.shape[0]:
            rows = self._refine_edges(d, rows, h, rh, sides, m)
        if rows.shape[0]:
            h[rows], rh[rows], exact = self._exact_rows(d, self._edge_after(rows),
                                                        self._exact_ts(rows), m)
            for s, e in zip(sides, exact):
                s[rows] = e
        return sides, h, rh

    def _split(self, st, d, h, rh, ends, m):
        """Certified sides at the edges, crossings ordered by disjoint parameter intervals
        (exactly where they overlap, merging coincident ones), new rows with radii; returns
        the rows, radii, per-threshold sides at the edges and the sides extended by the far
        sides of unbounded ends."""
        K = h.shape[0]
        has_rays = self.left is not None
        thresholds = [float(th) for th in self.thresholds[d]]
        sides, h, rh = self._edge_sides(st, d, h, rh, m)
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
        for k, s in enumerate(sides):
            ext = s if not has_rays else np.concatenate([far[k][0][None], s, far[k][1][None]])
            p, j = np.divmod(np.flatnonzero((ext[:-1] * ext[1:]) < 0), m)
            found.append((p, j, np.full(p.shape[0], k)))
        p, j, k = (np.concatenate(v) for v in zip(*found))
        if p.shape[0] == 0:
            return h, rh, sides, self._extended(sides, far)
        eth = _roundings(self.thresholds[d])[k]
        c = _Crossings(self, h, rh, ends, p, j, k, np.asarray(thresholds)[k], has_rays, eth)
        self.decisions += c.n
        c.settle_order(self, d)
        new, rnew, new_sides, tn, texact = c.new_rows(self, d, h, rh, m)
        # insertion: the new edges of piece p go before old edge p + 1 - has_rays
        first = c.first
        before = c.p[first] + 1 - has_rays
        is_new = np.zeros(K + first.shape[0], dtype=bool)
        is_new[before + np.arange(first.shape[0])] = True
        self.t = merge_rows(self.t, tn, is_new)
        for name, values in (("edge_layer", np.full(first.shape[0], d, dtype=np.int64)),
                             ("edge_neuron", c.j[first]), ("edge_threshold", c.k[first]),
                             ("exact_t", texact)):
            setattr(self, name, merge_rows(getattr(self, name), values, is_new))
        h, rh = merge_rows(h, new, is_new), merge_rows(rh, rnew, is_new)
        sides = [merge_rows(s, ns, is_new) for s, ns in zip(sides, new_sides)]
        return h, rh, sides, self._extended(sides, _far(sides, ray_sides))

    def _extended(self, sides, far):
        if not far:
            return sides
        return [np.concatenate([f[0][None], s, f[1][None]]).astype(np.int8)
                for s, f in zip(sides, far)]

    def sign_changes(self) -> np.ndarray:
        """Certified sign changes of every output coordinate along the trajectory."""
        s, bad = _try_sides(self.z, self.r)
        rows = np.flatnonzero(bad.any(axis=1))
        if rows.shape[0]:
            got = self._refined(len(self.layer_index), self._edge_after(rows),
                                self._edge_which(rows), pre=False)
            if got is not None:
                signs, unsure = mf.signs(mf.take(got[1], (slice(None), slice(0, s.shape[1]))))
                ok = ~unsure.any(axis=1)
                s[rows[ok]] = signs[ok]
                self.refined += int(ok.sum())
                rows = rows[~ok]
        if rows.shape[0]:
            exact = self._exact_values(len(self.layer_index), self._edge_after(rows),
                                       self._exact_ts(rows), pre=False)
            s[rows] = np.sign(exact[:, : s.shape[1]]).astype(np.int8)
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
        for col_index in range(seq.shape[1]):  # one loop per output coordinate
            col = seq[:, col_index]
            col = col[col != 0]
            out[col_index] = int(np.count_nonzero(col[1:] != col[:-1]))
        return out


class _Crossings:
    """The threshold crossings of one layer: where, in which order, and the new rows."""

    def __init__(self, eng, h, rh, ends, p, j, k, theta, has_rays, eth=0.0) -> None:
        K = h.shape[0]
        a = p - has_rays  # anchor row
        kind = np.where(a < 0, -1, np.where(a >= K - 1, 1, 0))  # left ray, finite, right ray
        a = np.clip(a, 0, K - 1)
        da = np.abs(h[a, j] - theta)
        ea = rh[a, j] + U * da + eth  # (eth: the thresholds' rounding)
        direction, rdir = _directions(h, rh, ends, a, kind)
        rows = np.arange(a.shape[0])
        slope = np.abs(direction[rows, j])
        eslope = rdir[rows, j] + U * slope
        # inside a finite piece lambda* = |d*_a| / (|d*_a| + |d*_b|), increasing in |d*_a|
        # and decreasing in |d*_b| (both settled away from zero, of opposite signs)
        fin = kind == 0
        b = np.minimum(a + 1, K - 1)
        db = np.abs(h[b, j] - theta)
        eb = rh[b, j] + U * db + eth
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = da / slope
            lo = np.maximum((da - ea) / (slope + eslope) * (1 - 4 * U), 0.0)
            hi = np.where(slope - eslope > 0, (da + ea) / (slope - eslope) * (1 + 4 * U),
                          np.inf)
            lo_fin = (da - ea) / ((da - ea) + (db + eb)) * (1 - 6 * U)
            hi_fin = (da + ea) / ((da + ea) + (db - eb)) * (1 + 6 * U)
            ok = fin & (da > ea) & (db > eb)
            lo = np.where(ok, np.maximum(lo_fin, 0.0), lo)
            hi = np.where(ok, np.minimum(hi_fin, 1.0), hi)
        if not np.all(np.isfinite(lam)):  # a slope that underflowed to zero
            raise Unsettled("a crossing's slope is zero in float64 (underflow)")
        key = np.where(kind < 0, -lam, lam)  # along t (a left ray runs backwards)
        order = np.lexsort((key, p))
        self.n = p.shape[0]
        self.p, self.j, self.k, self.a, self.kind = p[order], j[order], k[order], a[order], \
            kind[order]
        self.theta, self.lam, self.lo, self.hi = theta[order], lam[order], lo[order], hi[order]
        self.direction, self.rdir = direction[order], rdir[order]
        self.texact = np.empty(self.n, dtype=object)
        self.refined = np.empty(self.n, dtype=object)  # double-double rows, where computed
        self.first = np.arange(self.n)
        self.starts = np.ones(self.n, dtype=bool)

    def settle_order(self, eng, d) -> None:
        """Where two crossings of one piece have overlapping parameter intervals, take the
        exact parameters of every crossing of that piece: order by them, and merge equal
        ones (several neurons crossing at one point: one knot)."""
        p, kind, lo, hi = self.p, self.kind, self.lo, self.hi
        same = p[1:] == p[:-1]
        apart = np.where(kind[1:] < 0, lo[:-1] > hi[1:], hi[:-1] < lo[1:])
        apart &= np.isfinite(hi[:-1]) & np.isfinite(hi[1:])
        bad = np.unique(p[1:][same & ~apart])
        if bad.shape[0]:
            bad = self._refine_order(eng, d, bad)
        if bad.shape[0] == 0:
            return
        p = self.p
        sel = np.flatnonzero(np.isin(p, bad))
        ts = eng._crossing_ts(d, self.a[sel], self.kind[sel], self.j[sel], self.k[sel])
        self.texact[sel] = ts
        # reorder inside the unsettled pieces by exact parameter (Python sort: few entries)
        ranked = sorted(range(sel.shape[0]), key=lambda i: (int(p[sel[i]]), ts[i]))
        perm = np.arange(self.n)
        perm[sel] = sel[np.array(ranked, dtype=np.int64)]
        for name in self._FIELDS:
            setattr(self, name, getattr(self, name)[perm])
        t = self.texact
        starts = np.ones(self.n, dtype=bool)
        both = (t[1:] != None) & (t[:-1] != None) & (self.p[1:] == self.p[:-1])  # noqa: E711
        starts[1:][both] = [bool(x != y) for x, y in zip(t[1:][both], t[:-1][both])]
        self.starts = starts
        self.first = np.flatnonzero(starts)

    _FIELDS = ("p", "j", "k", "a", "kind", "theta", "lam", "lo", "hi", "direction", "rdir",
               "texact", "refined")

    def _refine_order(self, eng, d, bad):
        """Order the crossings of the pieces ``bad`` by double-double balls of their
        parameters where those are disjoint; returns the pieces left (balls that overlap:
        a coincidence, or a gap below double-double's rounding)."""
        sel = np.flatnonzero(np.isin(self.p, bad))
        after = np.where(self.kind[sel] < 0, -1, self.a[sel])
        got = eng._refined(d, after, [(d, int(j), int(k)) for j, k in
                                      zip(self.j[sel], self.k[sel])])
        if got is None:
            return bad
        t, v = got
        self.refined[sel] = [(v.x[i], v.y[i], v.r[i]) for i in range(sel.shape[0])]
        ranked = np.lexsort((t.x + t.y, self.p[sel]))
        ps = self.p[sel][ranked]
        gap = mf.signs(mf.sub(mf.take(t, ranked[1:]), mf.take(t, ranked[:-1])))
        apart = (gap[0] > 0) & ~gap[1]
        left = np.unique(ps[1:][(ps[1:] == ps[:-1]) & ~apart])
        done = ~np.isin(ps, left)
        perm = np.arange(self.n)
        perm[sel[done]] = sel[ranked[done]]
        for name in self._FIELDS:
            setattr(self, name, getattr(self, name)[perm])
        eng.refined += int(done.sum())
        return left

    def _refine_new(self, eng, d, rows, new, rnew, new_sides, m):
        """Settle the new rows ``rows`` (single crossings, parameters not exact) on
        double-double balls where they decide every side; returns the rows left."""
        sel = self.first[rows]
        after = np.where(self.kind[sel] < 0, -1, self.a[sel])
        j, k = self.j[sel], self.k[sel]
        have = self.refined[sel] != None  # noqa: E711  (computed while ordering)
        if have.all():
            v = mf.Ball(*(np.stack(part) for part in zip(*self.refined[sel])))
        else:
            todo = np.flatnonzero(~have)
            got = eng._refined(d, after[todo], [(d, int(j[i]), int(k[i])) for i in todo])
            if got is None:
                return rows
            v = mf.Ball(*(np.empty((rows.shape[0], got[1].x.shape[1])) for _ in range(3)))
            v = _set(v, todo, got[1])
            if have.any():
                v = _set(v, np.flatnonzero(have),
                         mf.Ball(*(np.stack(part) for part in zip(*self.refined[sel][have]))))
        thetas = eng._theta_ball(d)
        i = np.arange(rows.shape[0])
        v = _set(v, (i, j), mf.take(thetas, k))  # the crossing neuron: on its threshold
        sides, bad = [], np.zeros(rows.shape[0], dtype=bool)
        for kk in range(thetas.x.shape[0]):
            s, b = mf.signs(mf.sub(mf.take(v, (slice(None), slice(0, m))),
                                   mf.take(thetas, kk)))
            on = k == kk
            s[i[on], j[on]] = 0
            b[i[on], j[on]] = False
            sides.append(s)
            bad |= b.any(axis=1)
        ok = ~bad
        done = rows[ok]
        for s, ns in zip(new_sides, sides):
            s[done] = ns[ok]
        mid, rad = mf.to_float_ball(mf.take(v, ok))
        mid[i[: done.shape[0]], j[ok]] = self.theta[sel[ok]]
        rad[i[: done.shape[0]], j[ok]] = _roundings(eng.thresholds[d])[k[ok]]
        new[done], rnew[done] = mid, rad
        eng.refined += done.shape[0]
        return rows[bad]

    def new_rows(self, eng, d, h, rh, m):
        """Rows at the new edges (one per distinct crossing point): interpolated balls, or
        tight balls from exact values where the parameter is exact; then certified sides,
        recomputing exactly the rows that stay unsettled."""
        first, group = self.first, np.cumsum(self.starts) - 1
        a, lam, direction = self.a[first], self.lam[first], self.direction[first]
        new = h[a] + lam[:, None] * direction
        spread = np.maximum(self.hi[first] - lam, lam - self.lo[first])
        # inside a finite piece the new row is a convex combination of its ends, so their
        # errors enter as (1 - lam) r_a + lam r_b, and lam's error times the exact
        # difference of the ends, |direction| + r_a + r_b; on an unbounded end the anchor's
        # error plus lam times the slope's, and lam's error times the exact slope
        ray = self.kind[first] != 0
        b = np.minimum(a + 1, h.shape[0] - 1)
        ra, col = rh[a], lam[:, None]
        rb = np.where(ray[:, None], 0.0, rh[b])
        rdir = np.where(ray[:, None], self.rdir[first], ra + rb)
        rnew = (np.where(ray[:, None], ra + self.hi[first][:, None] * rdir,
                         np.abs(1 - col) * ra + np.abs(col) * rb)
                + spread[:, None] * (np.abs(direction) * (1 + U) + rdir)
                + 3 * U * (np.abs(h[a]) + np.abs(new)))
        texact = self.texact[first]
        known = np.flatnonzero(texact != None)  # noqa: E711
        exact_sides = None
        if known.shape[0]:
            after = np.where(self.kind[first] < 0, -1, a)[known]
            new[known], rnew[known], exact_sides = eng._exact_rows(d, after,
                                                                   list(texact[known]), m)
        with np.errstate(invalid="ignore"):
            rnew = inflate_bound(rnew)
        # the crossing neurons sit on their thresholds (exactly, up to a threshold's rounding)
        new[group, self.j] = self.theta
        rnew[group, self.j] = _roundings(eng.thresholds[d])[self.k]
        new_sides, unsure = [], np.zeros(first.shape[0], dtype=bool)
        for kk, th in enumerate(eng.thresholds[d]):
            s, bad = _try_sides(new[:, :m] - float(th), rnew[:, :m] + _rounding(th))
            on = self.k == kk  # the crossing neurons: exactly on this threshold
            s[group[on], self.j[on]] = 0
            bad[group[on], self.j[on]] = False
            new_sides.append(s)
            unsure |= bad.any(axis=1)
        if exact_sides is not None:
            for s, e in zip(new_sides, exact_sides):
                s[known] = e
            unsure[known] = False
        eng.decisions += new.shape[0] * m * len(new_sides)
        rows = np.flatnonzero(unsure)
        if rows.shape[0]:
            rows = self._refine_new(eng, d, rows, new, rnew, new_sides, m)
        if rows.shape[0]:
            sel = first[rows]
            ts = eng._crossing_ts(d, self.a[sel], self.kind[sel], self.j[sel], self.k[sel])
            texact[rows] = ts
            after = np.where(self.kind[sel] < 0, -1, self.a[sel])
            new[rows], rnew[rows], exact_sides = eng._exact_rows(d, after, ts, m)
            for s, e in zip(new_sides, exact_sides):
                s[rows] = e
        tn = _new_t(eng.t, a, self.kind[first], lam)
        exact_t = np.array([float(x) for x in texact[known]]) if known.shape[0] else None
        if exact_t is not None:
            tn[known] = exact_t
        return new, rnew, new_sides, tn, texact


def _set(ball: "mf.Ball", index: Any, values: "mf.Ball") -> "mf.Ball":
    """A copy of ``ball`` with the entries ``index`` replaced by ``values``."""
    out = mf.Ball(ball.x.copy(), ball.y.copy(), ball.r.copy())
    out.x[index], out.y[index], out.r[index] = values
    return out


def _directions(h, rh, ends, a, kind):
    """Each crossing's piece as anchor row plus lambda times a direction (the next row
    minus the anchor, or the slope away from the data on an unbounded end), with radii."""
    K = h.shape[0]
    b = np.minimum(a + 1, K - 1)
    direction = h[b] - h[a]
    rdir = rh[a] + rh[b] + U * np.abs(direction)
    if ends[0] is not None:
        (gl, rgl), (gr, rgr) = ends
        for which, g, rg, sign in ((-1, gl, rgl, -1.0), (1, gr, rgr, 1.0)):
            on = kind == which
            direction[on] = sign * g[0]
            rdir[on] = rg[0]
    return direction, rdir


def _new_t(t, a, kind, lam):
    """Float parameters of new edges (for reference only: decisions never use them)."""
    b = np.minimum(a + 1, t.shape[0] - 1)
    return np.where(kind == 0, t[a] + lam * (t[b] - t[a]),
                    np.where(kind < 0, t[a] - lam, t[a] + lam))


def _try_sides(x: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signs of the values within ``r`` of ``x`` (the rounding of ``x`` itself included),
    and where the ball does not settle them. (The absolute 2^-1000 is added everywhere: where
    the bound is zero, x and r are, and the exact zero is settled below.)"""
    rad = np.abs(x)
    rad *= U
    rad += r
    rad *= _INFLATE
    rad += _ETA
    pos = x > rad
    np.negative(rad, out=rad)
    neg = x < rad
    bad = ~(pos | neg)
    idx = np.flatnonzero(bad)
    if idx.shape[0]:  # an exact zero (value and radius) is settled: on the threshold
        on = (x.reshape(-1)[idx] == 0) & (r.reshape(-1)[idx] == 0)
        bad.reshape(-1)[idx[on]] = False
    return pos.view(np.int8) - neg.view(np.int8), bad


class ExactOracle:
    """Exact values of the model along the trajectory at exact parameters, from the exact
    input (built on first use)."""

    def __init__(self, net: Any, trajectory: Any) -> None:
        self.net, self.trajectory = net, trajectory
        t, rows, left, _ = trajectory.start_rows(RATIONAL)
        self.t0 = list(t)
        self.rows0, self.ray = rows, left
        self.started = time.perf_counter()
        self.spent = 0.0  # seconds in exact evaluations

    def _charge(self, since: float) -> None:
        """Account an exact evaluation; past :data:`ORACLE_BUDGET`, give up (the caller
        then computes everything in rational arithmetic, which shares its work across
        pieces: cheaper when many values must be exact)."""
        self.spent += time.perf_counter() - since
        other = time.perf_counter() - self.started - self.spent
        if self.spent > max(ORACLE_BUDGET[0], ORACLE_BUDGET[1] * other):
            raise Unsettled(f"exact values took {self.spent:.1f} s, more than the budget")

    @cached_property
    def lowered(self) -> Lowered:
        return lower(self.net, RATIONAL, collapse=False)

    @cached_property
    def dense(self) -> "DenseChain | None":
        """The fast exact path (python-flint matrices) for a chain of dense layers, or
        None (other graphs, or python-flint absent)."""
        return DenseChain.of(self.net)

    def points(self, ts: list[Any]) -> np.ndarray:
        """The exact input points x(t)."""
        t0, rows, out = self.t0, self.rows0, []
        for t in ts:
            i = bisect.bisect_right(t0, t) - 1
            if i < 0:
                out.append(rows[0] + (t - t0[0]) * self.ray)
            elif i >= len(t0) - 1:
                out.append(rows[-1] if self.ray is None else rows[-1] + (t - t0[-1]) * self.ray)
            else:
                w = (t - t0[i]) / (t0[i + 1] - t0[i])
                out.append(rows[i] + w * (rows[i + 1] - rows[i]))
        return np.array(out, dtype=object).reshape(len(ts), rows.shape[1])

    def leg(self, i: int) -> tuple[Any, np.ndarray, Any, np.ndarray]:
        """Two exact (parameter, point) pairs on leg ``i`` of the trajectory (between its
        original edges i and i + 1; one unit into an unbounded end for -1 and the last)."""
        t0, rows = self.t0, self.rows0
        if i < 0:
            return t0[0] - 1, rows[0] - self.ray, t0[0], rows[0]
        if i >= len(t0) - 1:
            return t0[-1], rows[-1], t0[-1] + 1, rows[-1] + self.ray
        return t0[i], rows[i], t0[i + 1], rows[i + 1]

    def _forward(self, points: np.ndarray, d: int, patterns: list[np.ndarray] | None,
                 pre: bool) -> np.ndarray:
        """The exact state before stage ``d`` at ``points`` (``pre``: stage ``d``'s
        pre-activation and carried columns instead), each earlier neuron on its actual
        piece, or on the piece ``patterns`` forces (piece indices per row)."""
        since = time.perf_counter()
        if self.dense is not None:
            out = self.dense.forward(points, d, patterns, pre)
            self._charge(since)
            return out
        z = points
        for s, st in enumerate(self.lowered.stages[:d]):
            h = st.pre(z, 1)
            if patterns is None:
                y = st.output(h)
            else:
                act = st.activation
                slopes = RATIONAL.convert(np.array(act.slopes, dtype=object))[patterns[s]]
                icpt = RATIONAL.convert(np.array(act.intercepts, dtype=object))[patterns[s]]
                y = slopes * h + icpt
            z = y if not st.carry.shape[0] else np.concatenate([y, z[:, st.carry]], axis=1)
        if pre:
            st = self.lowered.stages[d]
            h = st.pre(z, 1)
            z = h if not st.carry.shape[0] else np.concatenate([h, z[:, st.carry]], axis=1)
        self._charge(since)
        return z

    def forced(self, points: np.ndarray, patterns: list[np.ndarray], d: int,
               pre: bool = True) -> np.ndarray:
        """Stage ``d``'s exact pre-activation and carried columns at ``points`` (``pre``;
        else the state before stage ``d``) with the piece of every earlier neuron forced to
        ``patterns`` (piece indices per row): the affine map of the region with that
        pattern, extended to everything."""
        return self._forward(points, d, patterns, pre)

    def pre(self, ts: list[Any], d: int) -> np.ndarray:
        """Stage ``d``'s exact pre-activation and carried columns at x(t)."""
        return self._forward(self.points(ts), d, None, True)


class DenseChain:
    """A chain of dense layers (a :class:`~regions.Network`, or a graph of dense and
    elementwise nodes only) evaluated exactly with python-flint's rational matrices: each
    layer one ``fmpq_mat`` product with the bias as an extra row, the activation entry by
    entry in ``fmpq``. Converted once, from the exact parameters."""

    def __init__(self, flint: Any, layers: list[tuple[Any, Any, Any, Any]], make: Any) -> None:
        self.flint, self.layers, self.make = flint, layers, make

    @classmethod
    def of(cls, net: Any) -> "DenseChain | None":
        from . import _rational

        flint = _rational.flint_module()
        layers = dense_layers(net)
        if flint is None or layers is None:
            return None
        out = []
        for w, b, act in layers:
            rows = np.concatenate([w.T, np.asarray(b).reshape(1, -1)])
            out.append((_fmpq_mat(flint, rows), [_fmpq(flint, v) for v in act.slopes],
                        [_fmpq(flint, v) for v in act.intercepts],
                        [_fmpq(flint, v) for v in act.thresholds]))
        return cls(flint, out, RATIONAL.element)

    def forward(self, points: np.ndarray, d: int, patterns: list[np.ndarray] | None,
                pre: bool) -> np.ndarray:
        """As :meth:`ExactOracle._forward`, as an object array of the rational kind's
        elements. The activation works on NumPy object arrays of ``fmpq`` (a selection by
        piece, then one multiply-add only where a piece is neither constant nor the
        identity), so Python runs per layer, not per entry."""
        flint = self.flint
        k = points.shape[0]
        z: np.ndarray = np.empty(points.shape, dtype=object)
        z[...] = [[_fmpq(flint, v) for v in row] for row in points]
        ones = np.full((k, 1), flint.fmpq(1), dtype=object)
        for s, (mat, slopes, icpt, thresholds) in enumerate(self.layers[: d + pre]):
            width = z.shape[1] + 1
            flat = np.concatenate([z, ones], axis=1).reshape(-1).tolist()
            h = np.array((flint.fmpq_mat(k, width, flat) * mat).entries(),
                          dtype=object).reshape(k, -1)
            if s == d:  # the pre-activation of stage d
                z = h
                break
            if patterns is None:
                index = np.zeros(h.shape, dtype=np.int64)
                for th in thresholds:
                    index += (h > th).astype(np.int64)
            else:
                index = np.asarray(patterns[s], dtype=np.int64)
            z = _apply_pieces(h, index, slopes, icpt)
        make = self.make
        out = np.empty(z.shape, dtype=object)
        out.reshape(-1)[:] = [make(int(v.p), int(v.q)) for v in z.reshape(-1)]
        return out


def dense_layers(net: Any) -> list[tuple[np.ndarray, np.ndarray, Any]] | None:
    """The stages of a chain of dense layers (a :class:`~regions.Network`, or a graph of
    dense and elementwise nodes only) as ``(matrix, bias, activation)``, exact (Fraction
    object arrays) for an exact model, float64 otherwise; None for other graphs."""
    from .graph import as_graph
    from .operators import Dense

    graph = as_graph(net)
    lowered = lower(graph, RATIONAL_FRACTION if graph.is_exact else FLOAT, collapse=False)
    width = lowered.input_size
    layers = []
    for st in lowered.stages:
        node = st.program[0] if len(st.program) == 1 else None
        if (node is None or not isinstance(node, Affine) or not isinstance(node.op, Dense)
                or st.carry.shape[0] or st.is_max or st.sources[0][1:] != (0, width)):
            return None
        w = node.op.matrix
        b = node.bias if node.bias is not None else np.zeros(w.shape[0])
        layers.append((w, np.asarray(b), st.activation))
        width = st.width
    return layers


class BallChain:
    """A chain of dense layers evaluated on double-double balls (:mod:`regions._multifloat`):
    the certified engine's middle filter. Each layer is one sliced matrix product
    (:func:`~regions._multifloat.matmul`, ``levels`` slices deep) plus the bias, and the
    activation's piece forced per entry (a constant piece or the identity exactly, other
    pieces by ball arithmetic). Built once from the exact parameters; a float64 model's
    parameters are exact balls of radius zero."""

    CHUNK = 512  # rows per product: NumPy's temporaries then stay in the caches

    def __init__(self, layers: list[tuple[Any, Any, Any, np.ndarray, np.ndarray]],
                 levels: int = LEVELS) -> None:
        self.layers, self.levels = layers, levels
        self.frozen = False  # built from read-only parameters (then cached per network)

    @classmethod
    def of(cls, net: Any, levels: int = LEVELS) -> "BallChain | None":
        """The chain of ``net``, or None (not a chain of dense layers). Built once per
        network whose parameters are read-only arrays (a :class:`~regions.Network`'s are):
        cached by the network object, while it lives."""
        try:
            hit = _CHAINS.get(net, {})
        except TypeError:  # unhashable or without weak references: not cached
            hit = None
        if hit is not None and levels in hit:
            return hit[levels]
        chain = cls._build(net, levels)
        if hit is not None and (chain is None or chain.frozen):
            try:
                _CHAINS.setdefault(net, {})[levels] = chain
            except TypeError:  # pragma: no cover - no weak references
                pass
        return chain

    @classmethod
    def _build(cls, net: Any, levels: int) -> "BallChain | None":
        layers = dense_layers(net)
        if layers is None:
            return None
        frozen = all(_read_only(w) and _read_only(np.asarray(b)) for w, b, _ in layers)
        out = []
        for w, b, act in layers:
            wt = np.concatenate([w.T, np.asarray(b).reshape(1, -1)])  # the bias: a row
            if wt.dtype == object:
                ball = mf.from_exact(wt)
                matrix = mf.SlicedMatrix(ball.x, ball.y, ball.r, slices=levels)
            else:
                matrix = mf.SlicedMatrix(wt, slices=levels)
            slopes = mf.from_exact(np.array(act.slopes, dtype=object))
            icpt = mf.from_exact(np.array(act.intercepts, dtype=object))
            exact = (slopes.r == 0) & (slopes.y == 0) & (icpt.r == 0) & (icpt.y == 0)
            constant = exact & (slopes.x == 0)
            identity = exact & (slopes.x == 1) & (icpt.x == 0)
            out.append((matrix, slopes, icpt, constant, identity))
        chain = cls(out, levels)
        chain.frozen = frozen
        return chain

    def forward(self, points: "mf.Ball", d: int, patterns: list[np.ndarray],
                pre: bool = True, keep: Any = (),
                groups: list[np.ndarray] | None = None) -> tuple["mf.Ball",
                                                                 dict[int, "mf.Ball"]]:
        """As :meth:`ExactOracle.forced` on balls of the points: the balls of stage ``d``'s
        pre-activation (``pre``) or of the state before stage ``d``, and those of the
        pre-activations of the stages ``keep``.

        ``groups`` (optional, one integer array per row for the input and for each stage
        before ``d + pre``): rows with equal ids have equal points (the first array), or
        equal states after that stage (the same point and pattern so far), and are
        computed once."""
        n = points.x.shape[0]
        if groups is None:
            groups = [np.arange(n)] * (d + pre + 1)
        _, first, where = np.unique(groups[0], return_index=True, return_inverse=True)
        z = mf.take(points, first)
        kept = {}
        for s, (matrix, slopes, icpt, constant, identity) in enumerate(self.layers[: d + pre]):
            h = self._product(z, matrix)
            if s in keep:
                kept[s] = mf.take(h, where)
            if s == d:
                return mf.take(h, where), kept
            _, first, inverse = np.unique(groups[s + 1], return_index=True,
                                          return_inverse=True)
            h = mf.take(h, where[first])  # each group's parent
            index = np.asarray(patterns[s][first], dtype=np.int64)
            where = inverse.reshape(-1)
            on = constant[index]
            if (constant | identity).all():  # no arithmetic: constants (exact floats), h
                z = mf.Ball(np.where(on, icpt.x[index], h.x), np.where(on, 0.0, h.y),
                            np.where(on, 0.0, h.r))
                continue
            c = mf.take(icpt, index)
            general = ~(constant | identity)
            out = h if not general[index].any() else \
                mf.add(mf.mul(mf.take(slopes, index), h), c)
            z = mf.where(on, c, out)
        return mf.take(z, where), kept

    def _product(self, z: "mf.Ball", matrix: "mf.SlicedMatrix") -> "mf.Ball":
        """The affine map of a layer (its bias the matrix's last row), in row chunks of
        :attr:`CHUNK` (NumPy's temporaries then stay in the caches)."""
        parts = []
        for lo in range(0, max(1, z.x.shape[0]), self.CHUNK):
            part = mf.take(z, slice(lo, lo + self.CHUNK))
            part = mf.Ball(*(np.concatenate([v, np.full((v.shape[0], 1), one)], axis=1)
                             for v, one in zip(part, (1.0, 0.0, 0.0))))
            parts.append(mf.matmul(part, matrix, self.levels))
        return parts[0] if len(parts) == 1 else \
            mf.Ball(*(np.concatenate(v) for v in zip(*parts)))


_CHAINS: "weakref.WeakKeyDictionary[Any, dict[int, BallChain | None]]" = \
    weakref.WeakKeyDictionary()


def _read_only(a: np.ndarray) -> bool:
    """Whether neither ``a`` nor the array owning its memory can be written."""
    owner = a if a.base is None else a.base
    return not a.flags.writeable and not (isinstance(owner, np.ndarray)
                                          and owner.flags.writeable)


def _fmpq_mat(flint: Any, rows: np.ndarray) -> Any:
    """An exact matrix (float64, or exact numbers) as python-flint's fmpq_mat. Float64
    entries go in as the integer pairs of ``float.as_integer_ratio`` of a plain list (the
    fastest of the constructions measured: per-entry ``fmpq`` conversion, and one integer
    matrix over a common power-of-two denominator, whose canonicalisation costs more)."""
    if rows.dtype != object:
        return flint.fmpq_mat(rows.shape[0], rows.shape[1],
                              [flint.fmpq(*v.as_integer_ratio()) for v in
                               np.asarray(rows, dtype=np.float64).reshape(-1).tolist()])
    return flint.fmpq_mat(rows.shape[0], rows.shape[1],
                          [_fmpq(flint, v) for v in rows.reshape(-1)])


def _apply_pieces(h: np.ndarray, index: np.ndarray, slopes: list[Any],
                  intercepts: list[Any]) -> np.ndarray:
    """``slopes[index] h + intercepts[index]`` entrywise on an object array, with the
    constant pieces and the identity taken without arithmetic."""
    out = np.empty(h.shape, dtype=object)
    for p, (a, c) in enumerate(zip(slopes, intercepts)):
        on = index == p
        if not on.any():
            continue
        if a == 0:
            out[on] = c
        elif a == 1 and c == 0:
            out[on] = h[on]
        else:
            out[on] = h[on] * a + c
    return out


def _fmpq(flint: Any, v: Any) -> Any:
    """An exact number (float, int, Fraction, mpq) as python-flint's fmpq."""
    if isinstance(v, (float, np.floating)):
        return flint.fmpq(*float(v).as_integer_ratio())
    if isinstance(v, (int, np.integer)):
        return flint.fmpq(int(v))
    return flint.fmpq(int(v.numerator), int(v.denominator))


def exact_pre(lowered: Lowered, X: np.ndarray, d: int,
              patterns: list[np.ndarray] | None = None) -> np.ndarray:
    """Stage ``d``'s exact pre-activation and carried columns at homogeneous input rows.

    Parameters
    ----------
    lowered : Lowered
        The model's stages in rational arithmetic (``lower(model, RATIONAL,
        collapse=False)``), elementwise up to stage ``d``.
    X : ndarray of rationals, shape (n, k + 1)
        Rows ``(x, w)``: ``w = 1`` for a point, ``w = 0`` for a direction.
    d : int
        The stage.
    patterns : list of ndarray, optional
        Piece indices (shape (n, width)) of stages ``0..d-1`` to force: each row then takes
        the affine map of the region with that pattern, ``slopes[p] h + intercepts[p] w``,
        extended to everywhere (homogeneous, so it is linear in ``(x, w)``). Without it,
        the network itself: a point takes each activation's piece of its side of the
        thresholds (on a threshold the piece below, the value being the same), a direction
        the activation's recession function (the slope of the outermost piece on the side
        of its value), which is the network's rate of growth along the direction.

    Returns
    -------
    ndarray of rationals, shape (n, num_pre + carried)
    """
    z, w = X[:, :-1], X[:, -1]
    direction = np.array([v == 0 for v in w], dtype=bool)
    for s, st in enumerate(lowered.stages[:d]):
        h = st.pre(z, w)
        act = st.activation
        if patterns is not None:
            index = np.asarray(patterns[s], dtype=np.int64)
        else:
            index = np.zeros(h.shape, dtype=np.int64)
            for th in RATIONAL.convert(np.array(act.thresholds, dtype=object)):
                index += (h > th).astype(np.int64)
            if direction.any():
                index[direction] = np.where(h[direction] > 0, len(act.slopes) - 1, 0)
        slopes = RATIONAL.convert(np.array(act.slopes, dtype=object))[index]
        icpt = RATIONAL.convert(np.array(act.intercepts, dtype=object))[index]
        out = slopes * h + icpt * w[:, None]
        z = out if not st.carry.shape[0] else np.concatenate([out, z[:, st.carry]], axis=1)
    st = lowered.stages[d]
    h = st.pre(z, w)
    return h if not st.carry.shape[0] else np.concatenate([h, z[:, st.carry]], axis=1)


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


def activate_ball(act: Any, h: np.ndarray, rh: np.ndarray, index: np.ndarray,
                  in_place: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The activation's piece ``index`` (per entry) applied to the balls ``(h, rh)``: the
    values and their radii. Coefficients float64 cannot hold (leaky ReLU's 1/100) are used
    rounded, their rounding added to the radii. ``in_place``: ``h`` and ``rh`` may be
    overwritten (they are, for activations of constant and identity pieces only)."""
    a_tab, ea_tab = coefficient_balls(act.slopes)
    c_tab, ec_tab = coefficient_balls(act.intercepts)
    held = (ea_tab == 0) & (ec_tab == 0)
    constant = held & (a_tab == 0)
    if np.all(constant | (held & (a_tab == 1) & (c_tab == 0))):
        # constants and the identity only (ReLU, hard-tanh): the same values and radii, no
        # arithmetic (so nothing to inflate)
        if in_place:
            for p in np.flatnonzero(constant).tolist():
                on = index == p
                np.copyto(h, c_tab[p], where=on)
                np.copyto(rh, 0.0, where=on)
            return h, rh
        on = constant[index]
        return np.where(on, c_tab[index], h), np.where(on, 0.0, rh)
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
    try:
        mid, rad = _coefficient_table(tuple(values))
    except TypeError:  # unhashable
        mid, rad = _coefficient_table.__wrapped__(tuple(values))
    return mid.copy(), rad.copy()


@lru_cache(maxsize=256)
def _coefficient_table(values: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
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


def _roundings(values: Any) -> np.ndarray:
    """:func:`_rounding` of each of a few exact constants (an activation's thresholds), as
    an array to index by threshold."""
    return np.array([_rounding(v) for v in values], dtype=np.float64)


@lru_cache(maxsize=4096)
def _rounding(value: Any) -> float:
    """A bound on the rounding of an exact constant to float64 (0 if it is a float)."""
    return float(coefficient_balls([value])[1][0])
