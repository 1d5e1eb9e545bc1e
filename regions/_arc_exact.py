"""Exact engine for elliptic arcs: knots certified as quadratic irrationals.

Route. Rotate the parameter so the arc starts at u = -pi: u = t - r with r = start + pi. When
``start`` and ``stop`` are multiples of pi/2, cos r and sin r are 0 or +-1, so the rotated
arc c + P cos u + Q sin u keeps rational coefficients. The half-angle substitution
s = tan(u/2) = -cot((t - start)/2) maps u in (-pi, pi) one-to-one onto the real line
(the start point is s = -inf, a full turn ends at s = +inf), and on an activation piece a
pre-activation a + b cos u + c sin u (a, b, c rational: products of the rational weights and
of the slopes and intercepts of the pattern) minus a threshold theta has the sign of

    (a - theta - b) s^2 + 2 c s + (a - theta + b),

its product with 1 + s^2 > 0. Its sign-changing roots inside the piece are the knots
(:func:`regions._quadratic.roots_in_interval`, exact quadratic irrationals p + q sqrt(d));
they are ordered and deduplicated exactly, and the pattern of each new piece is read off at a
rational point strictly inside it (:func:`regions._quadratic.rational_between`), where the
quadratic's sign is computed in Fractions. No floating-point value decides anything; the
reported angles ``t = start + pi + 2 atan(s)`` and the lengths are floats computed from the
exact data at the end.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from . import _numbers
from ._arc import ellipse_arc_length
from ._pieces import EngineBase, record_layer
from ._quadratic import (
    IdenticallyZeroError,
    argsort,
    rational_between,
    roots_in_interval,
    sort,
    unique,
)
from ._stages import Stage, argmax_from_signs, group_pairs, padded_groups

__all__ = ["ExactArcEngine", "s_domain", "rotated_coefficients", "arc_points",
           "s_of_angle"]

_QUARTER = math.pi / 2
_COS_SIN = [(1, 0), (0, 1), (-1, 0), (0, -1)]  # cos, sin of k quarter turns


def _quarter_turns(angle: float, name: str) -> int:
    k = round(angle / _QUARTER)
    # a few ulp: k pi/2 computed in floating point, nothing coarser (an angle 1e-7 off a
    # quarter turn must not be traced as if it were one)
    if abs(angle - k * _QUARTER) > 8 * math.ulp(max(1.0, abs(angle))):
        raise ValueError(
            f"exact tracing of an Arc needs {name} at a multiple of pi/2 (so that the "
            f"half-angle substitution keeps rational coefficients); got {name}={angle!r}. "
            "Use exact=False for other angles"
        )
    return k


def s_domain(arc) -> tuple:
    """The arc's parameter interval in s = -cot((t - start) / 2): ``(-inf, s_hi)`` with
    ``s_hi`` -1, 0, 1 or inf (one to four quarter turns). ValueError unless ``start`` and
    ``stop`` are multiples of pi/2."""
    k0, k1 = _quarter_turns(arc.start, "start"), _quarter_turns(arc.stop, "stop")
    turns = 4 if arc.closed else k1 - k0  # one rule for closedness, as the float engine's
    return -math.inf, {1: Fraction(-1), 2: Fraction(0), 3: Fraction(1), 4: math.inf}[turns]


def rotated_coefficients(arc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rational (c, p, q) with x = c + p (1 - s^2)/(1 + s^2) + q 2s/(1 + s^2) on the arc."""
    k0 = _quarter_turns(arc.start, "start")
    cos_r, sin_r = _COS_SIN[(k0 + 2) % 4]
    x0, x1, c = (_numbers.to_rational(v) for v in (arc.x0, arc.x1, arc.center))
    return c, x0 * cos_r + x1 * sin_r, x1 * cos_r - x0 * sin_r


def arc_points(arc, s_values) -> np.ndarray:
    """The exact (rational) points of the arc at parameters s (rows; +-inf: the start
    point)."""
    c, p, q = rotated_coefficients(arc)
    rows = []
    for s in s_values:
        if s in (math.inf, -math.inf):
            rows.append(c - p)
            continue
        s = Fraction(s)
        den = 1 + s * s
        rows.append(c + p * ((1 - s * s) / den) + q * (2 * s / den))
    return np.array(rows, dtype=object).reshape(len(rows), -1)


def s_of_angle(arc, t: float):
    """The exact s of the angle t when t - start is a multiple of pi/2 (within a few ulp),
    else a short rational within about 2**-32 of the float -cot((t - start) / 2) (the
    simplest with a denominator up to 2**16: exact arithmetic on a window's ends stays
    cheap). Non-decreasing in t, one value per float t."""
    u = t - arc.start
    k = round(u / _QUARTER)
    if abs(u - k * _QUARTER) <= 8 * math.ulp(max(1.0, abs(t), abs(arc.start))):
        return {0: -math.inf, 1: Fraction(-1), 2: Fraction(0), 3: Fraction(1),
                4: math.inf}[k]
    return Fraction(-1 / math.tan(u / 2)).limit_denominator(1 << 16)


class ExactArcEngine(EngineBase):
    """Working state of an exact trace along an :class:`~regions.Arc`."""

    exact = True
    edge_exact = False  # the reported angles are floats; the knots in s are exact

    def __init__(self, arc, window: tuple | None = None) -> None:
        c, p, q = rotated_coefficients(arc)
        s_lo, s_hi = s_domain(arc)
        self.start = arc.start
        self.closed = s_hi == math.inf
        if window is not None:  # the sub-arc s_lo <= s <= s_hi, never closed
            s_lo, s_hi = window
            self.closed = False
        self.s = np.array([s_lo, s_hi], dtype=object)
        self.coef = np.stack([c[None, :], p[None, :], q[None, :]])  # (3, pieces, width)
        self.edge_layer = np.full(2, -1, dtype=np.int64)
        self.layer_index: list[np.ndarray] = []
        self.layer_transitions: list[np.ndarray] = []
        self.wrap_transitions: list[int] = []
        self.tol = 0.0
        self.lengths = [self._length()]

    def exact_knot_values(self, kept: np.ndarray) -> np.ndarray:
        """The knots as exact values of s = -cot((t - start) / 2)."""
        return self.s[kept]

    @property
    def t(self) -> np.ndarray:  # type: ignore[override]  # derived from the exact edges
        """The edges as float angles."""
        return np.array([self._angle(s) for s in self.s], dtype=np.float64)

    def _angle(self, s) -> float:
        if s == -math.inf:
            return self.start
        if s == math.inf:
            return self.start + 2 * math.pi
        return self.start + math.pi + 2 * math.atan(float(s))

    # -- one layer ----------------------------------------------------------------------

    def layer(self, st: Stage) -> None:
        """One stage (see :func:`regions.trace`); carried columns ride along."""
        if st.is_max:
            self._max_layer(st)
            return
        act, m = st.activation, st.num_pre
        _, p, width = self.coef.shape
        # the constant coefficients are points (bias), the cos and sin ones directions
        w = np.repeat(np.array([1, 0, 0]), p)
        coef = st.pre(self.coef.reshape(3 * p, width), w).reshape(3, p, m)
        if st.carry.shape[0]:
            coef = np.concatenate([coef, self.coef[:, :, st.carry]], axis=2)
        thresholds = list(act.thresholds)
        if thresholds:
            new = [r for th in thresholds for r in self._roots(coef[:, :, :m], th)]
            if new:
                coef = self._split(coef, unique(np.array(new, dtype=object)))
            index = np.zeros((coef.shape[1], m), dtype=np.int8)
            points = self._inner_points()
            for th in thresholds:
                index += self._signs(coef[:, :, :m], th, points) > 0
        else:
            index = np.zeros((coef.shape[1], m), dtype=np.int8)
        record_layer(self, index)
        slopes = np.array(act.slopes, dtype=object)[index]
        coef[:, :, :m] = coef[:, :, :m] * slopes[None]
        coef[0, :, :m] += np.array(act.intercepts, dtype=object)[index]
        self.coef = coef
        self.lengths.append(self._length(st.width))

    def _max_layer(self, st: Stage) -> None:
        """A group maximum: split where any two entries of a group tie (exact roots of their
        differences), then the argmax of each piece from the signs of the differences at
        a rational point inside it; the piece's output is its argmax entry."""
        m = st.num_pre
        _, p, width = self.coef.shape
        w = np.repeat(np.array([1, 0, 0]), p)
        pre = st.pre(self.coef.reshape(3 * p, width), w).reshape(3, p, m)
        _, _, _, ca, cb = group_pairs(st.groups)
        diff = pre[:, :, ca] - pre[:, :, cb]
        d = diff.shape[2]
        coef = np.concatenate([diff, pre, self.coef[:, :, st.carry]], axis=2)
        new = self._roots(coef[:, :, :d], 0)
        if new:
            coef = self._split(coef, unique(np.array(new, dtype=object)))
        signs = self._signs(coef[:, :, :d], 0, self._inner_points())
        index = argmax_from_signs(signs, st.groups)
        record_layer(self, index, changes=True)
        cand = coef[:, :, d: d + m]
        cols = padded_groups(st.groups)
        pick = cols[np.arange(cols.shape[0])[None, :], index.astype(np.int64)]  # (p, G)
        out = np.take_along_axis(cand, pick[None], axis=2)
        self.coef = np.concatenate([out, coef[:, :, d + m:]], axis=2)
        self.lengths.append(self._length(st.width))

    def _quadratic(self, coef, theta):
        a = coef[0] - theta
        return a - coef[1], 2 * coef[2], a + coef[1]

    def _roots(self, coef, theta, column: int | None = None) -> list:
        """Sign-changing roots (in s) of every pre-activation minus theta inside its piece."""
        qa, qb, qc = self._quadratic(coef, theta)
        if column is not None:
            qa, qb, qc = qa[:, column:column + 1], qb[:, column:column + 1], qc[:, column:column + 1]
        disc = qb * qb - 4 * qa * qc
        cand = (disc > 0) | ((qa == 0) & (qb != 0))  # a sign-changing root is possible
        out = []
        for piece, j in zip(*np.nonzero(cand)):  # candidates only; Fractions are Python
            try:
                roots = roots_in_interval(qa[piece, j], qb[piece, j], qc[piece, j],
                                          self.s[piece], self.s[piece + 1])
            except IdenticallyZeroError:
                roots = []
            out.extend(roots)
        return out

    def _split(self, coef, roots: np.ndarray):
        old = self.s
        merged = np.concatenate([old, roots])
        order = argsort(merged)
        self.s = merged[order]
        is_new = np.zeros(merged.shape[0], dtype=bool)
        is_new[old.shape[0]:] = True
        is_new = is_new[order]
        layer = np.concatenate([self.edge_layer, np.full(roots.shape[0], len(self.layer_index))])
        self.edge_layer = layer[order]
        parent = np.cumsum(~is_new)[:-1] - 1
        return coef[:, parent]

    def _inner_points(self) -> np.ndarray:
        return np.array(
            [rational_between(lo, hi) for lo, hi in zip(self.s[:-1], self.s[1:])], dtype=object
        )

    def _signs(self, coef, theta, points) -> np.ndarray:
        """Sign of each pre-activation minus theta inside each piece, exactly."""
        qa, qb, qc = self._quadratic(coef, theta)
        x = points[:, None]
        value = (qa * x + qb) * x + qc
        sign = (value > 0).astype(np.int8) - (value < 0).astype(np.int8)
        # a zero at the chosen point: constant at theta (the tie rule: 0), or a double root
        # there, when the sign elsewhere in the piece is the sign at any other point
        for piece, j in zip(*np.nonzero(sign == 0)):
            if qa[piece, j] == 0 and qb[piece, j] == 0 and qc[piece, j] == 0:
                continue
            y = rational_between(self.s[piece], points[piece])
            v = (qa[piece, j] * y + qb[piece, j]) * y + qc[piece, j]
            sign[piece, j] = (v > 0) - (v < 0)
        return sign

    # -- lengths and output signs ----------------------------------------------------------

    def _length(self, width: int | None = None) -> float:
        """Length of the image of the first ``width`` state columns (all by default)."""
        b, c = self.coef[1, :, :width], self.coef[2, :, :width]
        exact = [(b * b).sum(axis=1), (c * c).sum(axis=1), (b * c).sum(axis=1)]
        # a common power of two keeps the floats in range: P, Q, S scale by 4^-e, length by 2^e
        top = max((abs(v) for arr in exact for v in arr), default=Fraction(0))
        if top == 0:
            return 0.0
        e = (top.numerator.bit_length() - top.denominator.bit_length()) // 2
        P, Q, S = (np.array([float(v / Fraction(4) ** e) for v in arr]) for arr in exact)
        u = np.array([-math.pi if s == -math.inf else math.pi if s == math.inf
                      else 2 * math.atan(float(s)) for s in self.s])
        try:
            return math.ldexp(ellipse_arc_length(P, Q, S, u[:-1], u[1:]), e)
        except OverflowError:
            return math.inf

    def sign_changes(self) -> np.ndarray:
        out = np.zeros(self.coef.shape[2], dtype=np.int64)
        for col in range(self.coef.shape[2]):
            roots = self._roots(self.coef, 0, column=col)
            cuts = sort(np.concatenate([self.s, np.array(roots, dtype=object)]))
            signs = []
            for lo, hi in zip(cuts[:-1], cuts[1:]):  # the pieces cut at the output's zeros
                x = rational_between(lo, hi)
                piece = self._piece_of(x)
                qa, qb, qc = (v[piece, col] for v in self._quadratic(self.coef, 0))
                v = (qa * x + qb) * x + qc
                signs.append((v > 0) - (v < 0))
            signs = [s for s in signs if s]
            changes = sum(a != b for a, b in zip(signs, signs[1:]))
            if self.closed and signs:
                changes += signs[-1] != signs[0]
            out[col] = changes
        return out

    def _piece_of(self, x) -> int:
        lo, hi = 0, self.s.shape[0] - 1  # pieces 0 .. hi - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.s[mid] < x:
                lo = mid
            else:
                hi = mid
        return lo
