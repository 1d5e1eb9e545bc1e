"""Double-double balls: about 100-bit values with rigorous radii, vectorised in NumPy.

A :class:`Ball` holds arrays ``x``, ``y`` and ``r``: the exact value it stands for is within
``r`` of the unevaluated sum ``x + y`` (a double-double midpoint, Dekker's representation,
with ``|y|`` about 2^-53 ``|x|`` or less). Every operation here returns a ball that contains
every exact result of its operands' balls, so a sign taken from a ball whose radius does not
reach zero is the exact sign. The certified engine (:mod:`regions.certified`) uses these as
its middle filter, between float64 balls and exact rational arithmetic.

Matrix products use the error-free transformation of Ozaki, Ogita, Oishi and Rump: the
left operand is cut row-wise, the right one column-wise, into slices whose entries are
multiples of one power of two per row (column) with few enough significant bits that every
product of two slices is computed exactly by a float64 BLAS product (any summation order).
The leading slice products are exact; the rest of the product (the slices against the
other operand's remainders, the remainder and the low parts against the whole matrix) is
computed by ordinary float64 products, whose rounding is bounded with Higham's gamma_k on
the scale of the slices: ``levels`` slices below float64's rounding by about 2^-22 each
(k <= 128). One level (four float64 products and the radius's product) is what the
certified engine uses: it settles what float64's balls leave open at depth 10.

Error analysis
--------------
u = 2^-53, gamma_n = n u / (1 - n u); TwoSum is exact (Knuth), TwoProduct by Veltkamp's
splitting is exact below 2^996 and above underflow (Dekker). With ``a ~ (x1 + y1, r1)`` and
``b ~ (x2 + y2, r2)``:

* ``a + b``: ``(s, e) = TwoSum(x1, x2)``, ``t = fl(y1 + y2 + e)``, midpoint
  ``TwoSum(s, t)``, radius ``r1 + r2 + gamma_2 (|y1| + |y2| + |e|)``;
* ``a b``: ``(p, e) = TwoProduct(x1, x2)``, ``t = fl(x1 y2 + y1 x2 + y1 y2 + e)``, radius
  ``(|x1| + |y1|) r2 + (|x2| + |y2|) r1 + r1 r2 + gamma_4 (|x1 y2| + |y1 x2| + |y1 y2| + |e|)``;
* ``a / b``: ``q1 = fl(x1 / x2)``, the residual ``a - q1 b`` of the midpoints by TwoProduct
  and TwoSum, ``q2 = fl(residual / x2)``; radius
  ``(|a - q b| + r1 + |q| r2) / (|x2| - |y2| - r2)`` with ``|a - q b|`` bounded from the
  residual's rounding plus 2^-1000 for underflow (the ball is unbounded when the divisor's
  ball holds zero);
* the matrix product ``Z W`` (Z a ball, n x k; W exact, given as float64 ``W_hi + W_lo``
  within ``W_r``), with ``rho = ceil((55 + ceil(log2 k)) / 2)``: row r of Z's midpoints
  ``X`` (``|X_r| < 2^e_r``) is cut on the ladder ``sigma_i = 2^(e_r + rho - i (53 - rho))``
  (``A_i = fl(fl(R + sigma_i) - sigma_i)``, ``R <- R - A_i`` exactly, after which
  ``|R| <= 2^(e_r - (i + 1) (53 - rho))``), ``W_hi``'s columns likewise from their maxima
  (slices ``B_j``, remainders ``S_j``); each slice entry is an integer times its unit of at
  most 2^(54 - rho) in magnitude, so a product of slices is exact (at most
  k 2^(108 - 2 rho) <= 2^53 units in any partial sum). With ``L = levels``: ``A_0 B_0`` and
  the ``A_i B_j``, ``i + j < L``, are exact, ``A_i S_(L-i)`` and ``fl(R + Y) W_hi`` (and
  ``X W_lo``) are float64 products (gamma_k |.| |.| each, bounded through the ladder's
  powers of two and the columns' maxima, plus u |R + Y| |W| for the sum ``fl(R + Y)``);
  all but ``A_0 B_0`` are summed in float64 (gamma_c over the c terms' bounds), and the
  midpoint is ``TwoSum(A_0 B_0, sum)``. The radius adds ``R_Z |W|`` and ``|Z| W_r``;
  every product with ``|W|`` is enlarged by ``(1 + 2 gamma_k)`` for its own rounding.

Each radius is computed in float64 and then inflated by (1 + 2^-40) and an absolute
2^-1000 (the rounding of the bound itself, and underflow in any step). Beyond float64's
range (TwoProduct's splitting overflows above 2^996) the steps give infinities or NaNs, which
reach the radius or the midpoint, and such a ball settles nothing; a matrix product gives
rows whose midpoints pass 2^900 an infinite radius, and underflow in its products is
covered by the absolute term (k 2^-1074 per entry at most).

References
----------
.. [1] K. Ozaki, T. Ogita, S. Oishi, S. M. Rump, "Error-free transformations of matrix
   multiplication by using fast routines of matrix multiplication and its applications",
   Numerical Algorithms 59, 2012.
.. [2] T. J. Dekker, "A floating-point technique for extending the available precision",
   Numerische Mathematik 18, 1971 (double-double arithmetic, TwoProduct).
.. [3] D. E. Knuth, "The Art of Computer Programming", vol. 2, 3rd ed., 1998, Section 4.2.2
   (TwoSum).
.. [4] N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., SIAM 2002,
   Section 3.1 (the dot-product bound).

Examples
--------
>>> from fractions import Fraction
>>> import numpy as np
>>> third = from_exact(np.array([Fraction(1, 3)], dtype=object))
>>> b = mul(third, from_float(np.array([3.0])))          # 1/3 * 3, about 100 bits
>>> bool(abs(b.x[0] + b.y[0] - 1) <= b.r[0] < 2.0 ** -100)
True
>>> z = from_float(np.array([[0.1, 0.2]]))
>>> w = SlicedMatrix(np.array([[3.0], [-1.4]]))        # 0.1 * 3 - 0.2 * 1.4, about 0.02
>>> h = matmul(z, w)
>>> bool(h.r[0, 0] < 2.0 ** -70), signs(h)[0].tolist()
(True, [[1]])
>>> signs(sub(third, third))[1].tolist()               # zero, within rounding: unsettled
[True]
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Ball", "two_sum", "two_prod", "from_float", "from_exact", "add", "sub", "mul",
           "div", "take", "where", "signs", "to_float_ball", "SlicedMatrix", "matmul",
           "gamma"]

U = 2.0 ** -53
_INFLATE = 1.0 + 2.0 ** -40
_ETA = 2.0 ** -1000
_BIG = 2.0 ** 900
_SPLITTER = 134217729.0  # 2^27 + 1


class Ball(NamedTuple):
    """The exact values within ``r`` of ``x + y`` (arrays of one shape)."""

    x: np.ndarray
    y: np.ndarray
    r: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.x.shape


def gamma(n: int) -> float:
    """Higham's gamma_n = n u / (1 - n u), slightly enlarged."""
    return n * U / (1 - n * U) * _INFLATE


def _finish(x: np.ndarray, y: np.ndarray, r: np.ndarray) -> Ball:
    """A ball from a midpoint and a computed radius: the radius inflated for its own
    rounding, plus 2^-1000 for underflow. (Out of float64's range the error-free steps
    overflow to infinities and NaNs, which reach the radius or the midpoint: such a ball
    settles no sign.)"""
    with np.errstate(invalid="ignore", over="ignore"):
        return Ball(x, y, r * _INFLATE + _ETA)


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e = a + b`` exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(p, e)`` with ``p = fl(a b)`` and ``p + e = a b`` exactly (Dekker; for
    ``|a|, |b| < 2^996`` and no underflow)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def from_float(x: np.ndarray) -> Ball:
    """Float64 values as exact balls."""
    x = np.asarray(x, dtype=np.float64)
    z = np.zeros(x.shape)
    return Ball(x, z, np.where(np.isfinite(x), 0.0, np.inf))


def from_exact(values: np.ndarray) -> Ball:
    """Exact numbers (an object array of ints, Fractions, mpq, or floats) as tight balls:
    the nearest float64, the nearest float64 to the rest, and the rounding of the rest."""
    flat = np.asarray(values, dtype=object).reshape(-1)
    x: np.ndarray = np.empty(flat.shape[0])
    y: np.ndarray = np.zeros(flat.shape[0])
    r: np.ndarray = np.zeros(flat.shape[0])
    for i, v in enumerate(flat):
        if isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, bool):
            x[i] = float(v)
            if isinstance(v, (int, np.integer)) and Fraction(x[i]) != v:
                rest = Fraction(int(v)) - Fraction(x[i])
                y[i] = float(rest)
                r[i] = U * abs(y[i]) + 2.0 ** -1074
            continue
        try:
            hi = float(v)
        except OverflowError:
            hi = math.inf
        x[i] = hi
        if not math.isfinite(hi):
            r[i] = math.inf
            continue
        rest = Fraction(int(v.numerator), int(v.denominator)) - Fraction(hi)
        if rest:
            y[i] = float(rest)
            r[i] = U * abs(y[i]) + 2.0 ** -1074
    shape = np.shape(values)
    x, y, r = x.reshape(shape), y.reshape(shape), r.reshape(shape)
    return Ball(x, y, np.where(np.abs(x) < _BIG, r, np.inf))


def add(a: Ball, b: Ball) -> Ball:
    """``a + b`` (broadcasting)."""
    s, e = two_sum(a.x, b.x)
    t = (a.y + b.y) + e
    x, y = two_sum(s, t)
    exact = (a.r == 0) & (b.r == 0) & (a.y == 0) & (b.y == 0) & (e == 0)
    r = a.r + b.r + gamma(2) * (np.abs(a.y) + np.abs(b.y) + np.abs(e))
    out = _finish(x, y, r)
    return out._replace(r=np.where(exact & (np.abs(x) < _BIG), 0.0, out.r))


def sub(a: Ball, b: Ball) -> Ball:
    """``a - b`` (broadcasting)."""
    return add(a, Ball(-b.x, -b.y, b.r))


def mul(a: Ball, b: Ball) -> Ball:
    """``a b`` (broadcasting)."""
    with np.errstate(invalid="ignore", over="ignore"):
        p, e = two_prod(a.x, b.x)
        c1, c2, c3 = a.x * b.y, a.y * b.x, a.y * b.y
        t = ((c1 + c2) + c3) + e
        x, y = two_sum(p, t)
        ma, mb = np.abs(a.x) + np.abs(a.y), np.abs(b.x) + np.abs(b.y)
        r = (ma * b.r + mb * a.r + a.r * b.r
             + gamma(4) * (np.abs(c1) + np.abs(c2) + np.abs(c3) + np.abs(e)))
    return _finish(x, y, r)


def div(a: Ball, b: Ball) -> Ball:
    """``a / b`` (broadcasting); unbounded where ``b``'s ball holds zero."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        q1 = a.x / b.x
        p, e = two_prod(q1, b.x)
        s1, s2 = two_sum(a.x, -p)  # a.x - q1 b.x = s1 + s2 - e exactly
        c = q1 * b.y
        res = (((s2 - e) + a.y) - c) + s1
        # |res - (a_mid - q1 b_mid)| <= gamma_5 (|s1| + |s2| + |e| + |a.y| + |c|)
        err_res = gamma(5) * (np.abs(s1) + np.abs(s2) + np.abs(e) + np.abs(a.y) + np.abs(c))
        q2 = res / b.x
        x, y = two_sum(q1, q2)
        # a_mid - q b_mid = (res - q2 b.x) - q2 b.y + (residual's error); |res - q2 b.x|
        # <= u |res| since q2 = fl(res / b.x)
        # (+ 2^-1000: underflow in TwoProduct and the residual, before the division)
        num = (2 * U * np.abs(res) + err_res + np.abs(q2 * b.y) * (1 + 2 * U) + a.r
               + (np.abs(x) + np.abs(y)) * b.r + _ETA)
        den = (np.abs(b.x) - np.abs(b.y) - b.r) * (1 - 4 * U)
        r = np.where(den > 0, num / den * (1 + 4 * U), np.inf)
    return _finish(x, y, r)


def take(a: Ball, index: Any) -> Ball:
    """The entries ``a[index]`` of every part."""
    return Ball(a.x[index], a.y[index], a.r[index])


def where(cond: np.ndarray, a: Ball, b: Ball) -> Ball:
    """``a`` where ``cond``, else ``b`` (broadcasting)."""
    return Ball(np.where(cond, a.x, b.x), np.where(cond, a.y, b.y), np.where(cond, a.r, b.r))


def signs(a: Ball) -> tuple[np.ndarray, np.ndarray]:
    """The signs (int8) of the exact values in the balls, and where a ball does not settle
    its sign (it holds zero without being exactly zero)."""
    with np.errstate(invalid="ignore"):
        m = a.x + a.y  # |m - (x + y)| <= u |m|
        rad = (a.r + 2 * U * np.abs(m)) * _INFLATE
        pos, neg = m > rad, m < -rad
        zero = (a.x == 0) & (a.y == 0) & (a.r == 0)
    return pos.view(np.int8) - neg.view(np.int8), ~(pos | neg | zero)


def to_float_ball(a: Ball) -> tuple[np.ndarray, np.ndarray]:
    """A float64 midpoint and radius holding the same values: ``fl(x + y)`` and ``r`` plus
    that rounding (0 where the ball is an exact float)."""
    with np.errstate(invalid="ignore", over="ignore"):
        m = a.x + a.y
        exact = (a.r == 0) & (a.y == 0)
        r = np.where(exact, 0.0, (a.r + U * np.abs(m)) * _INFLATE + _ETA * (a.y != 0))
    return m, r


def _rho(k: int) -> int:
    """Bits each slice's entries lie below their row's (column's) power of two, so that a
    product of two slices with inner dimension ``k`` is exact in float64."""
    return (56 + max(1, k - 1).bit_length()) // 2


def _slices(a: np.ndarray, count: int, rho: int, axis: int) -> tuple[list[np.ndarray],
                                                                   list[np.ndarray],
                                                                   list[np.ndarray]]:
    """``a`` cut into ``count`` slices along ``axis`` (rows: 1, columns: 0), each slice's
    entries multiples of one power of two per row (column), at most 2^(54 - rho) of them in
    magnitude; returns the slices, their maxima per row (column), and the exact remainders
    ``a - (first s slices)`` for s = 1..count."""
    parts, maxima, rests = [], [], []
    rest = a
    for _ in range(count):
        mu = np.max(np.abs(rest), axis=axis, keepdims=True, initial=0.0)
        _, e = np.frexp(mu)  # mu < 2^e
        sigma = np.ldexp(1.0, e + rho)
        piece = (rest + sigma) - sigma
        rest = rest - piece  # exact
        parts.append(piece)
        maxima.append(np.max(np.abs(piece), axis=axis, initial=0.0))
        rests.append(rest)
    return parts, maxima, rests


class SlicedMatrix:
    """An exact k x m matrix ``hi + lo`` (float64 parts, within ``rad`` of the exact one:
    ``lo`` and ``rad`` zero for float64 matrices) for :func:`matmul`, cut once into
    column slices.

    Parameters
    ----------
    hi, lo, rad : ndarray, shape (k, m)
        ``lo`` and ``rad`` default to zero.
    slices : int
        How many slices of ``hi`` to cut (each about ``53 - rho`` bits): the most
        ``levels`` :func:`matmul` can use with it.
    """

    def __init__(self, hi: np.ndarray, lo: np.ndarray | None = None,
                 rad: np.ndarray | None = None, slices: int = 3) -> None:
        self.hi = np.ascontiguousarray(hi, dtype=np.float64)
        k = self.k = self.hi.shape[0]
        self.rho = _rho(k)
        self.parts, self.maxima, self.rests = _slices(self.hi, slices, self.rho, 0)
        self.rest_maxima = [np.max(np.abs(r), axis=0, initial=0.0) for r in self.rests]
        self.lo = None if lo is None or not np.any(lo) else np.asarray(lo, dtype=np.float64)
        self.rad = None if rad is None or not np.any(rad) else np.asarray(rad, dtype=np.float64)
        wabs = np.abs(self.hi) + (0 if self.lo is None else np.abs(self.lo))
        if self.rad is not None:
            wabs = wabs + self.rad
        self.abs = wabs * (1 + 2 * gamma(k))  # covers the rounding of products with it
        self.max = np.max(np.abs(self.hi), axis=0, initial=0.0)
        self._bounds: dict[int, tuple[np.ndarray, float, int]] = {}

    def bound(self, levels: int) -> tuple[np.ndarray, float, int]:
        """For :func:`matmul` at ``levels``: the row vector ``B`` such that ``2^e B``
        bounds the error of the slice products of a row whose entries are below 2^e, the
        factor ``c`` of ``|Y| |W|`` in the radius, and the number of summed terms."""
        if levels not in self._bounds:
            k, step = self.k, 53 - self.rho
            pairs = [(i, j) for i in range(levels) for j in range(levels - i) if i + j]
            count = len(pairs) + levels + 1 + (self.lo is not None)
            g_sum, g_dot = gamma(count), gamma(k)
            a = [2.0 ** (1 - i * step) for i in range(levels)]  # slice i below 2^(e + a_i)
            a_rest = 2.0 ** (-levels * step)
            c_low = U + (1 + U) * (g_dot + g_sum * (1 + g_dot))
            b = sum((g_sum * a[i] * self.maxima[j] for i, j in pairs), np.zeros(self.max.shape))
            b = b + sum((g_dot + g_sum * (1 + g_dot)) * a[i] * self.rest_maxima[levels - i - 1]
                        for i in range(levels))
            b = b + c_low * a_rest * self.max
            self._bounds[levels] = (k * b * (1 + 2 * gamma(count + 4)), c_low, count)
        return self._bounds[levels]


def matmul(z: Ball, w: SlicedMatrix, levels: int = 1) -> Ball:
    """The product of a ball matrix ``z`` (n x k) and an exact matrix (see the module).

    ``z``'s midpoints ``X = A_0 + ... + A_(L-1) + R`` are cut on a fixed ladder (row r's
    slice i holds the bits from 2^(e_r - i (53 - rho)) down, ``|X_r| < 2^e_r``) and
    ``w = B_0 + ... + B_(L-1) + S_L`` column-wise, ``L = levels``; the products
    ``A_i B_j`` with ``i + j < L`` are exact, the rest ``sum_i A_i S_(L-i) + (R + Y) W`` is
    computed in float64 and bounded with gamma_k: each level is ``53 - rho`` bits (22 for
    k <= 128) below the one before, so the rounding is about 2^-(22 L) of float64's."""
    n, k = z.x.shape
    m = w.hi.shape[1]
    levels = max(1, min(levels, len(w.parts)))
    if n == 0:
        return Ball(np.zeros((0, m)), np.zeros((0, m)), np.zeros((0, m)))
    b_row, c_low, _ = w.bound(levels)
    with np.errstate(invalid="ignore", over="ignore"):
        zx = z.x
        mu = np.maximum(np.max(zx, axis=1, initial=-np.inf), -np.min(zx, axis=1, initial=np.inf))
        big = ~(mu < _BIG)
        if big.any():
            zx = np.where(big[:, None], 0.0, zx)
            mu = np.where(big, 0.0, mu)
        _, e = np.frexp(mu)  # |X_r| <= mu_r < 2^e_r
        scale = np.where(mu > 0, np.ldexp(1.0, e), 0.0)  # a zero row: no rounding
        rest, parts = zx, []
        for i in range(levels):
            sigma = np.ldexp(1.0, e + w.rho - i * (53 - w.rho))[:, None]
            piece = (rest + sigma) - sigma
            rest = rest - piece  # exact; below 2^(e - (i + 1) (53 - rho))
            parts.append(piece)
        first = parts[0] @ w.parts[0]
        tail = (rest + z.y) @ w.hi
        for i in range(levels):
            for j in range(levels - i):
                if i + j:
                    tail += parts[i] @ w.parts[j]
            tail += parts[i] @ w.rests[levels - i - 1]
        rad = (z.r + c_low * np.abs(z.y)) @ w.abs
        rad += scale[:, None] * b_row
        if w.lo is not None:
            g = gamma(k) + gamma(levels * levels + 4)
            tail += zx @ w.lo
            rad += (g * np.abs(zx) + np.abs(z.y)) @ np.abs(w.lo) * (1 + 2 * gamma(k))
        if w.rad is not None:
            rad += (np.abs(zx) + np.abs(z.y) + z.r) @ w.rad * (1 + 2 * gamma(k + 2))
        x, y = two_sum(first, tail)
    out = _finish(x, y, rad)
    if big.any():
        out.r[big] = np.inf
    return out
