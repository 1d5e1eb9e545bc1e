"""Exact real quadratic irrationals: the knots of a trajectory along an elliptic arc.

On the arc x(t) = c + cos(t) x0 + sin(t) x1, one pre-activation on one activation piece is
a + b cos t + c sin t with rational a, b, c. With s = tan(t/2) (cos t = (1 - s^2)/(1 + s^2),
sin t = 2s/(1 + s^2)) it meets a threshold theta where

    (a - theta - b) s^2 + 2 c s + (a - theta + b) = 0,

a quadratic with rational coefficients (the left side is (1 + s^2) times the pre-activation
minus theta, so it has the same sign). Every knot is therefore a real number p + q sqrt(d)
with p, q rational and d a non-negative integer, and this module orders, deduplicates and
separates such numbers exactly: no floating-point value ever decides a comparison.

Representation
--------------
:class:`QuadraticIrrational` ``(p, q, d)`` stands for p + q sqrt(d). It is normalised on
construction: a rational radicand n/m becomes the integer n m (sqrt(n/m) = sqrt(n m)/m),
square factors are moved from d into q, and a number whose square-root part vanishes
(q = 0, d = 0 or d a perfect square) is stored as the rational (p, 0, 1). ``d`` is free of
the squares of all primes below 2**12 and is never a perfect square; it is square-free
whenever its part free of primes below 2**12 is below 2**36 (in particular whenever
d < 2**36). Deciding square-freeness of larger radicands in general needs integer
factorisation, which the 100-digit discriminants of exact mode make impractical; nothing
below depends on it.

Exactness
---------
Equality and hashing use invariants of the number, not of its representation: an
irrational x = p + q sqrt(d) determines its rational part p and its signed "square part"
sign(q) q^2 d (x and its conjugate are the two roots of one rational quadratic), so
sqrt(8) == 2 sqrt(2) whatever the normalisation did. Order is decided by the sign of a
difference u + v sqrt(d1) + w sqrt(d2), computed by case analysis on signs and at most two
exact squarings in ``Fraction`` arithmetic (``_sign2``, ``_sign3``): a difference that is
exactly zero yields 0, never a guess. Floors are exact via :func:`math.isqrt`
(floor(y / E) = floor(floor(y) / E) for an integer E > 0), and so are the correctly rounded
:func:`to_float` and the simplest rational of :func:`rational_between`.

Functions
---------
* :func:`as_quadratic`: an int, Fraction or QuadraticIrrational as a QuadraticIrrational.
* :func:`compare`, :func:`sign`: elementwise exact comparison / sign of scalars or arrays.
* :func:`argsort`, :func:`sort`, :func:`unique`: stable exact sorting and deduplication.
* :func:`roots_in_interval`: the real roots of a rational quadratic in an open interval.
* :func:`rational_between`: the simplest rational strictly between two numbers.
* :func:`to_float`: correctly rounded float64 values.

``±inf`` (``math.inf``, a float) is accepted wherever an end of an interval is meant
(comparisons, sorting, interval ends, :func:`rational_between`); every other float is
refused with ``TypeError``, as in the rest of the package (:mod:`regions._numbers`): write
``Fraction(0.1)`` for a float's exact value.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from ._numbers import describe

__all__ = [
    "QuadraticIrrational",
    "IdenticallyZeroError",
    "as_quadratic",
    "compare",
    "sign",
    "argsort",
    "sort",
    "unique",
    "roots_in_interval",
    "rational_between",
    "to_float",
]

_ZERO = Fraction(0)
_ONE = Fraction(1)


# -- small primes, for the (partial) square-free reduction of radicands ------------------

_SMALL_PRIME_BOUND = 2**12


def _primes_below(n: int) -> list[int]:
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(n - 1) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(range(i * i, n, i)))
    return [i for i in range(n) if sieve[i]]


_SMALL_PRIMES = _primes_below(_SMALL_PRIME_BOUND)
_PRIMORIAL = math.prod(_SMALL_PRIMES)  # ~5,800 bits; gcd with it finds small prime factors


def _reduce_radicand(d: int) -> tuple[int, int]:
    """``(core, f)`` with ``d == core * f**2`` (``d >= 1``), square factors moved into f.

    All squares of primes below 2**12 are removed; the remaining part free of those primes
    is removed too when it is a perfect square. So ``core`` is 1 exactly when ``d`` is a
    perfect square, and square-free when that remaining part is below 2**36 (it then has at
    most two prime factors, which are distinct because it is not a square).
    """
    twos = (d & -d).bit_length() - 1  # powers of two are common (dyadic coefficients)
    f = 1 << (twos // 2)
    d >>= twos - twos % 2
    g = math.gcd(d, _PRIMORIAL)  # the product of the small primes dividing d
    h = math.gcd(g, d // g)  # ... of those whose square divides d
    if h > 1:
        for prime in _SMALL_PRIMES:
            if h % prime == 0:
                square = prime * prime
                while d % square == 0:
                    d //= square
                    f *= prime
                h //= prime
                if h == 1:
                    break
        g = math.gcd(d, _PRIMORIAL)
    cofactor = d // g  # no prime factor below 2**12
    if cofactor > 1:
        r = math.isqrt(cofactor)
        if r * r == cofactor:
            d //= cofactor
            f *= r
    return d, f


# -- argument checking -------------------------------------------------------------------


def _rational(value: Any, name: str) -> Fraction:
    """``value`` (int or Rational, not bool) as a Fraction, else TypeError naming ``name``."""
    if type(value) is Fraction:
        return value
    if type(value) is int:
        return Fraction(value)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a rational number (int or fractions.Fraction), got "
                        f"{describe(value)}")
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    hint = ""
    if isinstance(value, (float, np.floating)):
        hint = " (write Fraction(x) for a float's exact binary value)"
    raise TypeError(
        f"{name} must be a rational number (int or fractions.Fraction), got "
        f"{describe(value)}{hint}"
    )


def _is_inf(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and math.isinf(value)


def _value(value: Any, name: str) -> Any:
    """A QuadraticIrrational, or a float infinity, from an allowed scalar; else raise."""
    if type(value) is QuadraticIrrational:
        return value
    if isinstance(value, (float, np.floating)):
        if math.isinf(value):
            return float(value)
        if math.isnan(value):
            raise ValueError(f"{name} must not be NaN")
        raise TypeError(
            f"{name} must be an int, Fraction, QuadraticIrrational or an infinity, got "
            f"{describe(value)}; floats are not exact (write Fraction(x) for its exact value)"
        )
    if isinstance(value, QuadraticIrrational):
        return value
    try:
        return _rational_q(_rational(value, name))
    except TypeError:
        raise TypeError(
            f"{name} must be an int, Fraction, QuadraticIrrational or an infinity, got "
            f"{describe(value)}"
        ) from None


def _values(values: Any, name: str) -> np.ndarray:
    """An object array of QuadraticIrrationals / float infinities (0-d for a scalar)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must hold numbers, got {describe(values)}")
    if isinstance(values, np.ndarray) and values.dtype != object:
        if values.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold numbers, got an array of dtype {values.dtype}")
        values = values.astype(object)
    try:
        arr = np.array(values, dtype=object)
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a rectangular array; got ragged nested sequences"
        ) from exc
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, (index, v) in enumerate(np.ndenumerate(arr)):
        if isinstance(v, (list, tuple, np.ndarray)):
            raise ValueError(f"{name} must be a rectangular array; got ragged nested sequences")
        where = f"{name}[{', '.join(map(str, index))}]" if arr.ndim else name
        flat[i] = _value(v, where)
    return out


# -- exact sign decisions ----------------------------------------------------------------


def _sign2(a: Fraction, s: int, k: Fraction) -> int:
    """Sign of a + s sqrt(k), for rational a, s in {-1, 0, 1} and rational k >= 0."""
    sa = (a > 0) - (a < 0)
    if s == 0 or not k:
        return sa
    if sa == 0 or sa == s:
        return s
    a2 = a * a  # opposite signs: the larger magnitude wins
    return sa if a2 > k else (s if a2 < k else 0)


def _sign3(u: Fraction, s1: int, m1: Fraction, s2: int, m2: Fraction) -> int:
    """Sign of u + s1 sqrt(m1) + s2 sqrt(m2), for s1, s2 in {-1, 1} and m1, m2 > 0."""
    if s1 == s2:
        s_root = s1
    else:
        s_root = s1 if m1 > m2 else (s2 if m2 > m1 else 0)
    su = (u > 0) - (u < 0)
    if su == 0:
        return s_root
    if s_root == 0 or s_root == su:
        return su
    # u and S = s1 sqrt(m1) + s2 sqrt(m2) have opposite signs: sign(u + S) = su sign(u^2 - S^2),
    # and u^2 - S^2 = (u^2 - m1 - m2) - s1 s2 sqrt(4 m1 m2).
    return su * _sign2(u * u - m1 - m2, -s1 * s2, 4 * m1 * m2)


def _floor_parts(p: Fraction, s: int, m: Fraction) -> int:
    """floor(p + s sqrt(m)), exactly."""
    if s == 0 or not m:
        return math.floor(p)
    a, b = p.numerator, p.denominator
    c, e = m.numerator, m.denominator
    # p + s sqrt(m) = (A + s sqrt(N)) / E with integers A, N and E > 0
    big_e = b // math.gcd(b, e) * e
    big_a = a * (big_e // b)
    k = big_e // e
    n = k * k * c * e  # sqrt(m) = sqrt(c e) / e = sqrt(n) / E
    r = math.isqrt(n)
    if s < 0:
        r = -r if r * r == n else -r - 1
    return (big_a + r) // big_e  # floor(y / E) = floor(floor(y) / E)


# -- the value type ----------------------------------------------------------------------


class QuadraticIrrational:
    """The real number p + q sqrt(d), with p, q rational and d a non-negative radicand.

    Immutable, hashable and totally ordered, exactly; it compares and hashes equal to equal
    ints, Fractions and QuadraticIrrationals (``QuadraticIrrational(3) == 3``) and compares
    with the float infinities. Other floats are refused (comparisons return NotImplemented).

    Parameters
    ----------
    p, q : int or Fraction
        Rational part and coefficient of the square root (default ``q = 0``).
    d : int or Fraction, optional
        The radicand, ``d >= 0`` (default 1). A rational radicand n/m is rewritten as
        sqrt(n m) / m.

    Attributes
    ----------
    p, q : Fraction
        The normalised parts.
    d : int
        The normalised radicand: 1 when the number is rational (and then ``q == 0``),
        otherwise an integer >= 2 that is not a perfect square, free of the squares of
        all primes below 2**12 (square-free whenever d < 2**36; see the module docstring).

    Raises
    ------
    TypeError
        If p, q or d is not an int or Fraction (floats included), naming it.
    ValueError
        If d is negative.

    Examples
    --------
    >>> from fractions import Fraction
    >>> x = QuadraticIrrational(1, 2, 8)
    >>> x, str(x)
    (QuadraticIrrational(1, 4, 2), '1 + 4*sqrt(2)')
    >>> x == QuadraticIrrational(1, 1, 32), QuadraticIrrational(5, 3, 0) == 5
    (True, True)
    >>> QuadraticIrrational(0, 1, 2) < Fraction(3363, 1393) - 1 < QuadraticIrrational(0, 1, 3)
    True
    >>> QuadraticIrrational(0, 1, Fraction(1, 2))
    QuadraticIrrational(0, Fraction(1, 2), 2)
    """

    __slots__ = ("_p", "_q", "_d", "_s", "_m", "_hash", "_grid")

    _p: Fraction
    _q: Fraction
    _d: int
    _s: int  # sign of q
    _m: Fraction  # q**2 d >= 0: the number is p + _s sqrt(_m)
    _hash: int  # caches, set on first use (__hash__, _grid)
    _grid: int

    def __new__(cls, p: Any, q: Any = 0, d: Any = 1) -> "QuadraticIrrational":
        p = _rational(p, "p")
        q = _rational(q, "q")
        dd = _rational(d, "d")
        if dd < 0:
            raise ValueError(f"d must be non-negative (sqrt(d) must be real), got {d!r}")
        if not q or not dd:
            return _make(p, _ZERO, 1)
        # sqrt(n/m) = sqrt(n m) / m
        radicand = dd.numerator * dd.denominator
        q = q / dd.denominator
        core, factor = _reduce_radicand(radicand)
        if core == 1:
            return _make(p + q * factor, _ZERO, 1)
        return _make(p, q * factor, core)

    # -- read-only data --

    @property
    def p(self) -> Fraction:
        """The rational part."""
        return self._p

    @property
    def q(self) -> Fraction:
        """The coefficient of sqrt(d)."""
        return self._q

    @property
    def d(self) -> int:
        """The radicand (1 for a rational number)."""
        return self._d

    @property
    def is_rational(self) -> bool:
        """True when the number is rational (``q == 0``)."""
        return self._s == 0

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"QuadraticIrrational is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"QuadraticIrrational is immutable (cannot delete {name!r})")

    def __reduce__(self):
        return (QuadraticIrrational, (self._p, self._q, self._d))

    # -- display --

    def __repr__(self) -> str:
        def show(v: Fraction) -> str:
            return str(v.numerator) if v.denominator == 1 else repr(v)

        return f"QuadraticIrrational({show(self._p)}, {show(self._q)}, {self._d})"

    def __str__(self) -> str:
        if self._s == 0:
            return str(self._p)
        mag = abs(self._q)
        root = f"sqrt({self._d})" if mag == 1 else f"{mag}*sqrt({self._d})"
        if not self._p:
            return root if self._s > 0 else "-" + root
        return f"{self._p} {'+' if self._s > 0 else '-'} {root}"

    # -- exact comparison --

    def sign(self) -> int:
        """-1, 0 or 1: the exact sign.

        Examples
        --------
        >>> QuadraticIrrational(-3363, 1393, 2).sign(), QuadraticIrrational(4, -2, 4).sign()
        (-1, 0)
        """
        return _sign2(self._p, self._s, self._m)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, QuadraticIrrational):
            if isinstance(other, numbers.Rational) and not isinstance(other, (bool, np.bool_)):
                return self._s == 0 and self._p == _rational(other, "other")
            if _is_inf(other):
                return False
            return NotImplemented
        return self._p == other._p and self._s == other._s and self._m == other._m

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            h = hash(self._p) if self._s == 0 else hash((self._p, self._s * self._m))
            object.__setattr__(self, "_hash", h)
            return h

    def _cmp_other(self, other: Any) -> int | None:
        if isinstance(other, QuadraticIrrational):
            return _cmp(self, other)
        if isinstance(other, numbers.Rational) and not isinstance(other, (bool, np.bool_)):
            return _sign2(self._p - _rational(other, "other"), self._s, self._m)
        if _is_inf(other):
            return -1 if other > 0 else 1
        return None

    def __lt__(self, other: Any) -> bool:
        c = self._cmp_other(other)
        return NotImplemented if c is None else c < 0

    def __le__(self, other: Any) -> bool:
        c = self._cmp_other(other)
        return NotImplemented if c is None else c <= 0

    def __gt__(self, other: Any) -> bool:
        c = self._cmp_other(other)
        return NotImplemented if c is None else c > 0

    def __ge__(self, other: Any) -> bool:
        c = self._cmp_other(other)
        return NotImplemented if c is None else c >= 0

    # -- a few exact operations --

    def __bool__(self) -> bool:
        return bool(self._p) or self._s != 0

    def __neg__(self) -> "QuadraticIrrational":
        return _make(-self._p, -self._q, self._d)

    def __pos__(self) -> "QuadraticIrrational":
        return self

    def __abs__(self) -> "QuadraticIrrational":
        return -self if self.sign() < 0 else self

    def __floor__(self) -> int:
        return _floor_parts(self._p, self._s, self._m)

    def __ceil__(self) -> int:
        return -_floor_parts(-self._p, -self._s, self._m)

    def __float__(self) -> float:
        return _to_float(self)

    # -- field arithmetic: with rationals, or within one field Q(sqrt(d)) --

    def _field(self, other: Any) -> tuple[Fraction, Fraction, Fraction, Fraction, int] | None:
        """``(p1, q1, p2, q2, d)`` with self = p1 + q1 sqrt(d) and other = p2 + q2 sqrt(d),
        or None when ``other`` is not a number of the field Q(sqrt(d)) (nor a rational)."""
        if not isinstance(other, QuadraticIrrational):
            if isinstance(other, numbers.Rational) and not isinstance(other, (bool, np.bool_)):
                return self._p, self._q, _rational(other, "other"), _ZERO, self._d
            return None
        if other._s == 0 or other._d == self._d:
            return self._p, self._q, other._p, other._q, self._d
        if self._s == 0:
            return self._p, _ZERO, other._p, other._q, other._d
        product = self._d * other._d  # one field iff d1 d2 is a square r**2 (unreduced radicands)
        r = math.isqrt(product)
        if r * r != product:
            return None
        return self._p, self._q, other._p, other._q * Fraction(r, self._d), self._d

    def __add__(self, other: Any) -> "QuadraticIrrational":
        f = self._field(other)
        if f is None:
            return NotImplemented
        p1, q1, p2, q2, d = f
        return _make_checked(p1 + p2, q1 + q2, d)

    __radd__ = __add__

    def __sub__(self, other: Any) -> "QuadraticIrrational":
        f = self._field(other)
        if f is None:
            return NotImplemented
        p1, q1, p2, q2, d = f
        return _make_checked(p1 - p2, q1 - q2, d)

    def __rsub__(self, other: Any) -> "QuadraticIrrational":
        f = self._field(other)
        if f is None:
            return NotImplemented
        p1, q1, p2, q2, d = f
        return _make_checked(p2 - p1, q2 - q1, d)

    def __mul__(self, other: Any) -> "QuadraticIrrational":
        f = self._field(other)
        if f is None:
            return NotImplemented
        p1, q1, p2, q2, d = f
        return _make_checked(p1 * p2 + q1 * q2 * d, p1 * q2 + p2 * q1, d)

    __rmul__ = __mul__

    def _inverse(self) -> "QuadraticIrrational":
        if not self:
            raise ZeroDivisionError("division by a zero QuadraticIrrational")
        den = self._p * self._p - self._q * self._q * self._d
        return _make(self._p / den, -self._q / den, self._d)

    def __truediv__(self, other: Any) -> "QuadraticIrrational":
        if isinstance(other, QuadraticIrrational):
            if self._field(other) is None:
                return NotImplemented
            return self * other._inverse()
        if isinstance(other, numbers.Rational) and not isinstance(other, (bool, np.bool_)):
            r = _rational(other, "other")
            if not r:
                raise ZeroDivisionError("division by zero")
            return _make(self._p / r, self._q / r, self._d)
        return NotImplemented

    def __rtruediv__(self, other: Any) -> "QuadraticIrrational":
        if isinstance(other, numbers.Rational) and not isinstance(other, (bool, np.bool_)):
            return self._inverse() * _rational(other, "other")
        return NotImplemented


def _make(p: Fraction, q: Fraction, d: int) -> QuadraticIrrational:
    """Build from already normalised parts (no checks)."""
    x = object.__new__(QuadraticIrrational)
    setter = object.__setattr__
    setter(x, "_p", p)
    setter(x, "_q", q)
    setter(x, "_d", d)
    s = (q > 0) - (q < 0)
    setter(x, "_s", s)
    setter(x, "_m", q * q * d if s else _ZERO)
    return x


def _rational_q(p: Fraction) -> QuadraticIrrational:
    return _make(p, _ZERO, 1)


def _make_checked(p: Fraction, q: Fraction, d: int) -> QuadraticIrrational:
    """Like :func:`_make` for a normalised radicand d, but q may have become 0."""
    return _make(p, q, d) if q else _make(p, _ZERO, 1)


_GRID_BITS = 64


def _grid(x: QuadraticIrrational) -> int:
    """floor(x 2**64), exactly (cached): x lies in [n, n + 1) / 2**64."""
    try:
        return x._grid
    except AttributeError:
        p = x._p
        if x._s == 0:
            n = (p.numerator << _GRID_BITS) // p.denominator
        else:
            n = _floor_parts(p * (1 << _GRID_BITS), x._s, x._m * (1 << 2 * _GRID_BITS))
        object.__setattr__(x, "_grid", n)
        return n


def _cmp(x: QuadraticIrrational, y: QuadraticIrrational) -> int:
    """-1, 0 or 1: the exact sign of x - y."""
    # Exact integer bounds first: x < (nx + 1) / 2**64 <= ny / 2**64 <= y when nx < ny.
    nx, ny = _grid(x), _grid(y)
    if nx != ny:
        return -1 if nx < ny else 1
    if y._s == 0:
        return _sign2(x._p - y._p, x._s, x._m)
    if x._s == 0:
        return _sign2(x._p - y._p, -y._s, y._m)
    if x._d == y._d:
        dq = x._q - y._q
        return _sign2(x._p - y._p, (dq > 0) - (dq < 0), dq * dq * x._d)
    return _sign3(x._p - y._p, x._s, x._m, -y._s, y._m)


def _cmp_any(x: Any, y: Any) -> int:
    """Like :func:`_cmp`, also for float infinities."""
    if type(x) is float or type(y) is float:
        rx = (x > 0) - (x < 0) if type(x) is float else 0
        ry = (y > 0) - (y < 0) if type(y) is float else 0
        return (rx > ry) - (rx < ry)
    return _cmp(x, y)


class _Key:
    """Sort key for values that may include float infinities."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: "_Key") -> bool:
        return _cmp_any(self.v, other.v) < 0


# -- public functions --------------------------------------------------------------------


def as_quadratic(x: Any, name: str = "x") -> QuadraticIrrational:
    """``x`` (an int, Fraction or QuadraticIrrational) as a :class:`QuadraticIrrational`.

    Parameters
    ----------
    x : int, Fraction or QuadraticIrrational
    name : str, optional
        The argument name used in error messages.

    Raises
    ------
    TypeError
        For any other type, floats included, naming ``name``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> as_quadratic(Fraction(1, 3))
    QuadraticIrrational(Fraction(1, 3), 0, 1)
    """
    if isinstance(x, QuadraticIrrational):
        return x
    if isinstance(x, (float, np.floating)):
        raise TypeError(
            f"{name} must be an int, Fraction or QuadraticIrrational, got {describe(x)}; "
            "floats are not exact (write Fraction(x) for its exact value)"
        )
    try:
        return _rational_q(_rational(x, name))
    except TypeError:
        raise TypeError(
            f"{name} must be an int, Fraction or QuadraticIrrational, got {describe(x)}"
        ) from None


def _elementwise(func, arrays: list[np.ndarray], names: str) -> Any:
    try:
        bcast = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{names} must broadcast together; got shapes {shapes}") from None
    shape = bcast[0].shape
    out = np.fromiter(
        (func(*vals) for vals in zip(*(b.flat for b in bcast))), dtype=np.int8,
        count=math.prod(shape),
    ).reshape(shape)
    return int(out) if out.ndim == 0 else out


def compare(a: Any, b: Any) -> Any:
    """Exact elementwise comparison: -1 where a < b, 0 where a == b, 1 where a > b.

    Parameters
    ----------
    a, b : scalar or array_like
        Ints, Fractions, QuadraticIrrationals or float infinities (object arrays, nested
        sequences or scalars); the shapes broadcast.

    Returns
    -------
    int or numpy.ndarray
        An ``int`` when both are scalars, else an ``int8`` array of the broadcast shape.

    Raises
    ------
    TypeError
        For a finite float or non-number entry, naming the argument and the entry.
    ValueError
        For NaN, ragged input or shapes that do not broadcast.

    Examples
    --------
    >>> import math
    >>> from fractions import Fraction
    >>> r2 = QuadraticIrrational(0, 1, 2)
    >>> compare(r2, Fraction(1414, 1000))
    1
    >>> compare([r2, 1, -math.inf], [QuadraticIrrational(0, Fraction(1, 2), 8), 2, 0]).tolist()
    [0, -1, -1]
    """
    return _elementwise(_cmp_any, [_values(a, "a"), _values(b, "b")], "a and b")


def sign(a: Any) -> Any:
    """Exact elementwise sign (-1, 0 or 1).

    Parameters
    ----------
    a : scalar or array_like
        Ints, Fractions, QuadraticIrrationals or float infinities.

    Returns
    -------
    int or numpy.ndarray
        An ``int`` for a scalar, else an ``int8`` array of the same shape.

    Examples
    --------
    >>> sign([QuadraticIrrational(3, -2, 2), QuadraticIrrational(-3, 1, 9), 5]).tolist()
    [1, 0, 1]
    """
    def one(v: Any) -> int:
        return (v > 0) - (v < 0) if type(v) is float else v.sign()

    return _elementwise(one, [_values(a, "a")], "a")


def _one_d(values: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(the entries as given, as a 1-D object array; their checked values)."""
    conv = _values(values, name)
    if conv.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array; got shape {conv.shape}")
    raw = np.empty(conv.shape, dtype=object)
    raw[:] = list(values)
    return raw, conv


def argsort(values: Any) -> np.ndarray:
    """Indices that sort ``values`` exactly and stably (equal values keep their order).

    Parameters
    ----------
    values : array_like, 1-D
        Ints, Fractions, QuadraticIrrationals or float infinities.

    Returns
    -------
    numpy.ndarray
        ``intp`` indices.

    Examples
    --------
    >>> from fractions import Fraction
    >>> r2 = QuadraticIrrational(0, 1, 2)
    >>> argsort([1 + r2, Fraction(3363, 1393), 1, QuadraticIrrational(0, 1, 8)]).tolist()
    [2, 0, 1, 3]
    """
    _, conv = _one_d(values, "values")
    keys = [_Key(v) for v in conv]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return np.array(order, dtype=np.intp)


def sort(values: Any) -> np.ndarray:
    """``values`` sorted exactly and stably, as an object array of the given entries.

    Parameters
    ----------
    values : array_like, 1-D
        Ints, Fractions, QuadraticIrrationals or float infinities.

    Returns
    -------
    numpy.ndarray
        The entries themselves (not converted), reordered as by :func:`argsort`.

    Examples
    --------
    >>> sort([QuadraticIrrational(0, -1, 2), 0, -2]).tolist()
    [-2, QuadraticIrrational(0, -1, 2), 0]
    """
    raw, _ = _one_d(values, "values")
    return raw[argsort(values)]


def unique(values: Any, return_inverse: bool = False) -> Any:
    """The distinct values in increasing order (exact equality), as QuadraticIrrationals.

    Parameters
    ----------
    values : array_like, 1-D
        Ints, Fractions, QuadraticIrrationals or float infinities (kept as floats).
    return_inverse : bool, optional
        Also return indices into the result that rebuild ``values``.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        The sorted distinct values (object array), and the inverse indices if asked.

    Examples
    --------
    >>> u, inv = unique([QuadraticIrrational(0, 1, 8), 2, QuadraticIrrational(0, 2, 2)], True)
    >>> u.tolist(), inv.tolist()
    ([QuadraticIrrational(2, 0, 1), QuadraticIrrational(0, 2, 2)], [1, 0, 1])
    """
    if not isinstance(return_inverse, (bool, np.bool_)):
        raise TypeError(f"return_inverse must be a bool, got {describe(return_inverse)}")
    _, conv = _one_d(values, "values")
    order = argsort(conv)
    inverse = np.empty(len(conv), dtype=np.intp)
    kept: list[Any] = []
    for i in order:
        v = conv[i]
        if not kept or _cmp_any(kept[-1], v) != 0:
            kept.append(v)
        inverse[i] = len(kept) - 1
    out = np.empty(len(kept), dtype=object)
    out[:] = kept
    return (out, inverse) if return_inverse else out


class IdenticallyZeroError(ValueError):
    """Raised by :func:`roots_in_interval` for the zero polynomial (every s is a root)."""


def _end(value: Any, name: str) -> Any:
    try:
        return _value(value, name)
    except TypeError:
        raise TypeError(
            f"{name} must be an int, Fraction, QuadraticIrrational or -math.inf / math.inf, "
            f"got {describe(value)}"
            + ("; floats are not exact (write Fraction(x) for its exact value)"
               if isinstance(value, (float, np.floating)) else "")
        ) from None


def roots_in_interval(
    A: Any, B: Any, C: Any, lo: Any = -math.inf, hi: Any = math.inf, *,
    multiplicity: bool = False,
) -> list:
    """The real roots of A s^2 + B s + C = 0 strictly inside (lo, hi), sorted, exactly.

    By default only the roots where the polynomial changes sign (simple roots): a double
    root (tangency, discriminant zero) touches zero without crossing, so it is left out.
    With ``multiplicity=True`` every root is returned as a pair ``(root, m)``, m being 1
    or 2, double roots included.

    Parameters
    ----------
    A, B, C : int or Fraction
        The coefficients. ``A = 0`` gives the linear equation B s + C = 0 (one simple root
        if B != 0; none if B = 0 and C != 0).
    lo, hi : int, Fraction, QuadraticIrrational or float infinity, optional
        The open interval (default the whole line, ``-math.inf`` to ``math.inf``). Roots
        equal to an end are excluded. ``lo == hi`` gives no roots.
    multiplicity : bool, optional
        Return ``(root, multiplicity)`` pairs, double roots included.

    Returns
    -------
    list of QuadraticIrrational, or of (QuadraticIrrational, int)
        In increasing order.

    Raises
    ------
    IdenticallyZeroError
        (a ``ValueError``) if A = B = C = 0: every s is a root. On the arc this is a
        pre-activation constant at the threshold over the whole piece, which the caller
        handles (the tie rule), so it must not pass silently as "no roots".
    TypeError
        If a coefficient is not an int or Fraction, or an end not an int, Fraction,
        QuadraticIrrational or infinity, naming it.
    ValueError
        If an end is NaN or ``lo > hi``.

    Notes
    -----
    Only finite roots are reported. For the arc substitution s = tan(t/2) the point t = pi
    is s = infinity, a root of the homogenised quadratic of multiplicity 2 - deg: when
    A = 0 the pre-activation equals theta at t = pi (crossing there when B != 0, touching
    when B = 0), and the caller must treat t = pi itself.

    Examples
    --------
    >>> from fractions import Fraction
    >>> roots_in_interval(1, 0, -2)                  # s**2 = 2
    [QuadraticIrrational(0, -1, 2), QuadraticIrrational(0, 1, 2)]
    >>> roots_in_interval(1, 0, -2, lo=0, hi=Fraction(3, 2))
    [QuadraticIrrational(0, 1, 2)]
    >>> roots_in_interval(1, -2, 1)                  # (s - 1)**2: tangency, no crossing
    []
    >>> roots_in_interval(1, -2, 1, multiplicity=True)
    [(QuadraticIrrational(1, 0, 1), 2)]
    >>> roots_in_interval(0, 2, -1)                  # linear
    [QuadraticIrrational(Fraction(1, 2), 0, 1)]
    """
    a = _rational(A, "A")
    b = _rational(B, "B")
    c = _rational(C, "C")
    if not isinstance(multiplicity, (bool, np.bool_)):
        raise TypeError(f"multiplicity must be a bool, got {describe(multiplicity)}")
    left = _end(lo, "lo")
    right = _end(hi, "hi")
    if _cmp_any(left, right) > 0:
        raise ValueError(f"lo must not exceed hi; got lo={lo!r}, hi={hi!r}")
    roots: list[tuple[QuadraticIrrational, int]]
    if a:
        disc = b * b - 4 * a * c
        centre = -b / (2 * a)
        if disc < 0:
            roots = []
        elif not disc:
            roots = [(_rational_q(centre), 2)]
        else:
            half = abs(1 / (2 * a))
            roots = [(QuadraticIrrational(centre, -half, disc), 1),
                     (QuadraticIrrational(centre, half, disc), 1)]
    elif b:
        roots = [(_rational_q(-c / b), 1)]
    elif c:
        roots = []
    else:
        raise IdenticallyZeroError(
            "A, B and C are all zero: the quadratic vanishes identically, every s is a root"
        )
    roots = [(r, m) for r, m in roots if _cmp_any(left, r) < 0 and _cmp_any(r, right) < 0]
    if multiplicity:
        return roots
    return [r for r, m in roots if m == 1]


# -- separation by rationals -------------------------------------------------------------


def _recip(p: Fraction, s: int, m: Fraction) -> tuple[Fraction, int, Fraction]:
    """1 / (p + s sqrt(m)) = (p - s sqrt(m)) / (p^2 - m), for a non-zero number."""
    den = p * p - m
    return p / den, -s * ((den > 0) - (den < 0)), m / (den * den)


def _simplest_nonneg(lo: tuple, hi: tuple | None) -> Fraction:
    """The simplest rational in the open interval (lo, hi), 0 <= lo < hi (hi None: +inf).

    Numbers are triples (p, s, m) standing for p + s sqrt(m). The continued fraction of the
    answer is built one term at a time: if an integer lies in (lo, hi), the smallest one is
    the answer; otherwise both ends share the integer part n and the answer is
    n + 1 / (the simplest rational in (1 / (hi - n), 1 / (lo - n))).
    """
    terms: list[int] = []
    while True:
        p, s, m = lo
        n = _floor_parts(p, s, m)
        if hi is None or _sign2(hi[0] - (n + 1), hi[1], hi[2]) > 0:
            terms.append(n + 1)
            break
        terms.append(n)
        new_lo = _recip(hi[0] - n, hi[1], hi[2])
        hi = None if (s == 0 and p == n) else _recip(p - n, s, m)
        lo = new_lo
    num, den = 1, 0
    for t in reversed(terms):
        num, den = t * num + den, num
    return Fraction(num, den)


def rational_between(x: Any, y: Any) -> Fraction:
    """The simplest rational strictly between x < y: smallest denominator, then smallest
    absolute numerator (the Stern-Brocot / continued-fraction answer).

    Parameters
    ----------
    x, y : int, Fraction, QuadraticIrrational or float infinity
        The ends of the open interval, ``x < y``; ``x`` may be ``-math.inf`` and ``y``
        ``math.inf``.

    Returns
    -------
    Fraction

    Raises
    ------
    ValueError
        If ``x >= y`` (an empty interval), or for NaN.
    TypeError
        For any other type (finite floats included), naming the argument.

    Examples
    --------
    >>> import math
    >>> from fractions import Fraction
    >>> rational_between(QuadraticIrrational(0, 1, 2), QuadraticIrrational(0, 1, 3))
    Fraction(3, 2)
    >>> rational_between(QuadraticIrrational(1, 1, 2), Fraction(3363, 1393))
    Fraction(5741, 2378)
    >>> rational_between(-math.inf, QuadraticIrrational(0, -1, 2))
    Fraction(-2, 1)
    """
    lo = _value(x, "x")
    hi = _value(y, "y")
    if _cmp_any(lo, hi) >= 0:
        raise ValueError(f"x must be less than y; got x={x!r}, y={y!r}")
    if type(lo) is float and type(hi) is float:
        return Fraction(0)
    if type(lo) is float:  # (-inf, y)
        if hi.sign() > 0:
            return Fraction(0)
        return Fraction(math.ceil(hi) - 1)
    if type(hi) is float:  # (x, +inf)
        if lo.sign() < 0:
            return Fraction(0)
        return Fraction(math.floor(lo) + 1)
    if lo.sign() < 0 < hi.sign():
        return Fraction(0)
    if lo.sign() >= 0:
        return _simplest_nonneg((lo._p, lo._s, lo._m), (hi._p, hi._s, hi._m))
    return -_simplest_nonneg((-hi._p, -hi._s, hi._m), (-lo._p, -lo._s, lo._m))


# -- floats ------------------------------------------------------------------------------


def _to_float(x: QuadraticIrrational) -> float:
    """Correctly rounded (to nearest, ties to even) float of x."""
    if x._s == 0:
        return float(x._p)
    # x is irrational: it lies strictly between n / 2**k and (n + 1) / 2**k, n = floor(x 2**k),
    # and rounding is monotone, so once both ends round alike so does x; x is never a tie.
    k = 64
    while True:
        scale = 1 << k
        n = _floor_parts(x._p * scale, x._s, x._m * scale * scale)
        below = float(Fraction(n, scale))
        if below == float(Fraction(n + 1, scale)):
            return below
        k *= 2


def to_float(x: Any) -> Any:
    """Correctly rounded float64 value(s) (round to nearest, ties to even).

    Parameters
    ----------
    x : scalar or array_like
        Ints, Fractions, QuadraticIrrationals or float infinities.

    Returns
    -------
    float or numpy.ndarray
        A ``float`` for a scalar, else a ``float64`` array of the same shape.

    Raises
    ------
    OverflowError
        For a value beyond the float range, like ``float(Fraction)``.

    Examples
    --------
    >>> to_float(QuadraticIrrational(1, 1, 2))
    2.414213562373095
    >>> to_float([QuadraticIrrational(0, -1, 3), 1]).tolist()
    [-1.7320508075688772, 1.0]
    """
    arr = _values(x, "x")
    out = np.array([v if type(v) is float else _to_float(v) for v in arr.reshape(-1)],
                   dtype=np.float64).reshape(arr.shape)
    return float(out) if out.ndim == 0 else out
