"""Argument checks and the two arithmetic modes shared by every bound (private).

Each bound is written once, over "counts": a count is a Python ``int`` when the argument was a
concrete integer and a SymPy expression otherwise. The helpers here (:func:`binomial_sum`,
:func:`floor_div`, :func:`minimum`) stay in Python integers when all their arguments are
integers, which is exact and fast, and build the SymPy expression otherwise. :func:`result`
turns the final value into a :class:`sympy.Integer` or returns the expression.

Accepted as an integer: ``int``, NumPy integers, :class:`sympy.Integer`. Accepted as
symbolic: any non-numeric SymPy expression that SymPy does not know to be a non-integer; a
hypothesis such as ``n >= n0`` is checked when SymPy can decide it and assumed otherwise.
Refused with ``TypeError``: ``bool``, ``float``, ``Fraction``, strings, ``None``, and other
non-numbers; with ``ValueError``: SymPy numbers that are not integers (``Rational(5, 2)``,
``Float``, ``oo``), values below the stated minimum, and expressions containing the reserved
summation index :data:`bounds.symbols.j`.

Answers of any size: concrete evaluation never sums or multiplies term by term where a closed
form exists (:func:`binomial_sum` is 2^m for d >= m, 2^{m-1} at the middle, 2^m minus the
shorter tail above it, and a binary-splitting sum otherwise), runs its big products and powers
in :data:`sympy.external.gmpy.MPZ` (FLINT's or GMP's integers when SymPy found them, else
Python's), and estimates the size of every product, power and sum *before* computing it:
an answer of more than :data:`MAX_BITS` bits is refused up front with ``OverflowError``
(:class:`AnswerTooLarge`) saying how many decimal digits and bytes it would have.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Union

import numpy as np
import sympy as sp
from sympy.external.gmpy import MPZ  # the fastest exact integer type SymPy itself uses

from .symbols import j as _INDEX

__all__: list[str] = []

#: An exact integer of type :data:`MPZ`: ``flint.fmpz``, ``gmpy2.mpz`` or ``int``, whichever
#: SymPy chose at import (no common static type exists, hence ``Any``).
BigInt = Any

#: A checked count: a Python int, or a SymPy expression when the argument was symbolic.
Count = Union[int, sp.Expr]


def describe(value: Any) -> str:
    """``repr`` (shortened) and type of ``value``, for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} of type {type(value).__name__}"


def check_count(value: Any, name: str, minimum: int = 0, what: str = "") -> Count:
    """``value`` as an ``int`` (or a SymPy expression), refusing anything below ``minimum``.

    ``name`` is the argument's name and ``what`` (optional) says what it is, for the message.
    """
    about = f" ({what})" if what else ""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name}{about} must be an integer or a SymPy expression, got {describe(value)}"
        )
    if isinstance(value, (int, np.integer)):
        v = int(value)
    elif isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise TypeError(
                f"{name}{about} must be an integer or a SymPy expression, got "
                f"{describe(value)}"
            )
        if value.is_number:
            if not value.is_Integer:
                raise ValueError(f"{name}{about} must be an integer, got the SymPy number {value}")
            v = int(value)
        else:
            if _INDEX in value.free_symbols:
                raise ValueError(
                    f"{name}{about} contains the symbol j, which the bounds reserve as their "
                    f"summation index (bounds.symbols.j); got {value}. Use another symbol"
                )
            if value.is_integer is False:
                raise ValueError(
                    f"{name}{about} must be integer-valued, got {value}, which SymPy knows is "
                    "not an integer"
                )
            if (value - minimum).is_negative:
                raise ValueError(
                    f"{name}{about} must be at least {minimum}, got {value}, which SymPy knows "
                    f"is below {minimum}"
                )
            return value
    else:
        raise TypeError(
            f"{name}{about} must be an integer or a SymPy expression, got {describe(value)}"
        )
    if v < minimum:
        raise ValueError(f"{name}{about} must be at least {minimum}, got {v}")
    return v


def check_widths(widths: Any, name: str = "widths", minimum: int = 1) -> list[Count]:
    """The hidden-layer widths ``n_1, ..., n_L`` as a non-empty list of counts."""
    if isinstance(widths, (str, bytes, sp.Basic)) or not isinstance(
        widths, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"{name} must be a sequence of hidden-layer widths n_1, ..., n_L such as [4, 4, 4], "
            f"got {describe(widths)}"
        )
    if isinstance(widths, np.ndarray) and widths.ndim != 1:
        raise TypeError(
            f"{name} must be a 1-D sequence of hidden-layer widths, got an array of shape "
            f"{widths.shape}"
        )
    if len(widths) == 0:
        raise ValueError(f"{name} must list at least one hidden layer, got an empty sequence")
    return [
        check_count(v, f"{name}[{i}]", minimum, "a hidden-layer width")
        for i, v in enumerate(widths)
    ]


def check_concrete(values: Sequence[Count], name: str, function: str, why: str) -> list[int]:
    """Refuse symbolic entries (``TypeError``) where only exact evaluation exists."""
    for i, v in enumerate(values):
        if not isinstance(v, int):
            raise TypeError(
                f"{name}[{i}] must be a concrete integer for {function} ({why}), got the "
                f"SymPy expression {v}"
            )
    return [int(v) for v in values]


def require_at_least(
    value: Count, bound: Count, name: str, bound_text: str, hypothesis: str
) -> None:
    """Raise ``ValueError`` unless ``value >= bound`` (when decidable)."""
    if isinstance(value, int) and isinstance(bound, int):
        below = value < bound
    else:
        below = bool(sp.sympify(value - bound).is_negative)
    if below:
        shown = bound_text if bound_text == str(bound) else f"{bound_text} = {bound}"
        raise ValueError(f"{name} must be >= {shown} ({hypothesis}), got {name} = {value}")


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """One of ``choices`` (strings)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)}, got {describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def is_concrete(*values: Count) -> bool:
    return all(isinstance(v, int) for v in values)


#: Concrete answers above this many bits (8 MiB, about 20.2 million decimal digits) are refused
#: up front with :class:`AnswerTooLarge`: the largest of them still evaluates in about a second.
MAX_BITS = 2**26

#: Values held on the way to an answer (a row of binomials in Serra's dynamic programme) are
#: refused above this many bits (128 MiB).
INTERMEDIATE_BITS = 2**30


class AnswerTooLarge(OverflowError):
    """An exact answer (or, with ``intermediate``, a value needed on the way) is too large.

    ``log2_size`` is its size in bits; ``what`` names it (``"2**1000000000000000"``).
    """

    def __init__(
        self, log2_size: float, what: str, intermediate: bool = False, message: str = ""
    ) -> None:
        self.log2_size = log2_size
        self.what = what
        self.intermediate = intermediate
        super().__init__(message or f"{what} would have {size_text(log2_size)}")


def size_text(log2_size: float) -> str:
    """``about 3.01e+14 decimal digits (125 TB)`` for a number of ``log2_size`` bits."""
    digits = log2_size * math.log10(2)
    nbytes = log2_size / 8
    units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    i = 0
    while nbytes >= 1000 and i < len(units) - 1:
        nbytes /= 1000
        i += 1
    shown = f"{digits:,.0f}" if digits < 1e7 else f"{digits:.3g}"
    return f"about {shown} decimal digits ({nbytes:.3g} {units[i]} to store)"


def refuse_above(log2_size: float, what: str) -> None:
    """Raise :class:`AnswerTooLarge` when ``log2_size > MAX_BITS``."""
    if log2_size > MAX_BITS:
        raise AnswerTooLarge(log2_size, what)


def short(value: Any) -> str:
    """An argument for a message: ints of more than 30 digits as ``~1.2e+45``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"~{float(value):.3g}" if abs(value) < 10**300 else f"~2**{log2(abs(value)):.6g}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(short(v) for v in value[:6])
        more = f", ... ({len(value)} entries)" if len(value) > 6 else ""
        return f"[{inner}{more}]"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@contextmanager
def naming(function: str, **arguments: Any) -> Iterator[None]:
    """Re-raise :class:`AnswerTooLarge` from the block naming ``function`` and its arguments."""
    try:
        yield
    except AnswerTooLarge as exc:
        call = ", ".join(f"{k}={short(v)}" for k, v in arguments.items())
        if exc.intermediate:
            detail = (f"its evaluation would hold {exc.what}, {size_text(exc.log2_size)}, "
                      f"more than the {INTERMEDIATE_BITS // 2**23} MiB allowed")
        else:
            detail = (f"the exact answer ({exc.what} or more) would have "
                      f"{size_text(exc.log2_size)}; exact answers are refused above "
                      f"2**26 bits ({size_text(MAX_BITS)})")
        raise AnswerTooLarge(
            exc.log2_size, exc.what, exc.intermediate,
            f"{function}({call}): {detail}. The bounds with a closed form also take SymPy "
            "symbols (bounds.symbols) and return the formula",
        ) from None


def log2(value: int) -> float:
    """log2 of a positive int of any size (0.0 for 0 and 1)."""
    return math.log2(value) if value > 1 else 0.0


def log2_binomial(m: int, k: int) -> float:
    """log2 C(m, k), accurate to O(1/k) bits for any size of m (Stirling)."""
    k = min(k, m - k)
    if k <= 0:
        return 0.0
    if k > MAX_BITS:  # C(m, k) >= 2^k for k <= m / 2: enough to refuse
        return float(k)
    rest = m - k
    # m H(k/m) in nats: k ln(m/k) + (m - k) ln(1 + k/(m - k)), then Stirling's sqrt term
    tail = float(k) if rest > 2**1000 else rest * math.log1p(k / rest)
    nats = k * (math.log(m) - math.log(k)) + tail - 0.5 * math.log(2 * math.pi * k * rest / m)
    return max(nats / math.log(2), 0.0)


def log2_binomial_sum(m: int, d: int) -> float:
    """An upper estimate of log2 sum_{j<=d} C(m, j) (within a few bits)."""
    if d < 0:
        return 0.0
    if 2 * d + 1 >= m:
        return float(m)
    # for d < m/2 the terms grow geometrically: sum <= C(m, d) (m - d + 1) / (m - 2d + 1)
    return log2_binomial(m, d) + log2(m - d + 1) - log2(m - 2 * d + 1)


def exact_binomial_sum(m: int, d: int) -> int:
    """sum_{j=0}^{d} C(m, j) for ints, at most ~min(d, m - d) terms, never term by term.

    2^m when d >= m; 2^{m-1} when m = 2d + 1; 2^m minus the sum up to m - d - 1 above the
    middle. Below the middle, the hypergeometric series (term ratio (m - s) / (s + 1)) is
    summed by binary splitting in :data:`MPZ`, O(M(size) log d) instead of d big-integer
    steps: upwards from j = 0, or, when d is nearer the middle h = floor((m - 1) / 2) than
    0, downwards from h, using sum_{j<=h} C(m, j) = 2^{m-1} (m odd) or
    (2^m - C(m, m/2)) / 2 (m even) and one binomial C(m, h) from its prime factorisation.
    """
    if d < 0:
        return 0
    if d >= m:
        refuse_above(float(m), f"2**{m}")
        return 1 << m
    if 2 * d + 1 == m:
        refuse_above(float(m - 1), f"2**{m - 1}")
        return 1 << (m - 1)
    if 2 * d + 1 > m:
        refuse_above(float(m), f"a sum of binomials C({m}, j)")
        return (1 << m) - exact_binomial_sum(m, m - d - 1)
    refuse_above(log2_binomial_sum(m, d), f"a sum of binomials C({m}, j), j <= {d}")
    if d < 32:
        total = term = 1
        for s in range(d):
            term = term * (m - s) // (s + 1)
            total += term
        return total
    half = (m - 1) // 2  # the largest j below the middle
    if 2 * (half - d) >= d:  # nearer 0: sum upwards from C(m, 0) = 1
        _, q, t = _split(m, 1, 0, d + 1)
        return int(t // q)
    # nearer the middle: sum_{j<=half} C(m, j) minus C(m, half) (1 + ratios) down to d + 1
    central = binomial(m, half)
    below_middle = (1 << (m - 1)) if m % 2 else ((1 << m) - central * (m - half) // (half + 1)) // 2
    _, q, t = _split(half, m - half + 1, 0, half - d)
    return int(below_middle - MPZ(central) * t // q)


def binomial(m: int, k: int) -> int:
    """C(m, k) exactly, from its prime factorisation (Legendre's exponents, a NumPy sieve)
    multiplied as a product tree in :data:`MPZ`: fast where ``math.comb`` is quadratic."""
    k = min(k, m - k)
    if k < 0:
        return 0
    if k < 256:
        return math.comb(m, k)
    sieve = np.ones(m + 1, dtype=bool)
    sieve[:2] = False
    for p in range(2, math.isqrt(m) + 1):
        if sieve[p]:
            sieve[p * p :: p] = False
    primes = np.flatnonzero(sieve).astype(np.int64)
    exponents = np.zeros(len(primes), dtype=np.int64)
    power_ = primes.copy()
    live = np.ones(len(primes), dtype=bool)
    while live.any():  # Legendre: e_p = sum_i floor(m/p^i) - floor(k/p^i) - floor((m-k)/p^i)
        pk = power_[live]
        exponents[live] += m // pk - k // pk - (m - k) // pk
        live &= power_ <= m // primes  # p^(i+1) <= m, without overflow
        power_[live] *= primes[live]
    factors: list[BigInt] = [MPZ(int(p)) ** int(e) if e > 1 else MPZ(int(p))
                             for p, e in zip(primes[exponents > 0], exponents[exponents > 0])]
    while len(factors) > 1:  # product tree: equal sizes meet
        paired = [a * b for a, b in zip(factors[::2], factors[1::2])]
        if len(factors) % 2:
            paired.append(factors[-1])
        factors = paired
    return int(factors[0]) if factors else 1


def _split(top: int, base: int, a: int, b: int) -> tuple[BigInt, BigInt, BigInt]:
    """(P, Q, T) of the series sum_{s=a}^{b-1} prod_{i=a}^{s-1} p_i / q_i on [a, b), with
    p_i = top - i and q_i = base + i: P = prod p_i, Q = prod q_i, T = Q * (the partial sum),
    all exact. (top = m, base = 1: the binomials C(m, s) / C(m, a).)"""
    if b - a <= 16:
        p = q = 1
        t = 0
        for i in range(b - 1, a - 1, -1):  # T(i) = Q(i) + p_i T(i + 1), Q(i) = q_i Q(i + 1)
            q *= base + i
            t = q + (top - i) * t
            p *= top - i
        return MPZ(p), MPZ(q), MPZ(t)
    c = (a + b) // 2
    p1, q1, t1 = _split(top, base, a, c)
    p2, q2, t2 = _split(top, base, c, b)
    return p1 * p2, q1 * q2, q2 * t1 + p1 * t2


def binomial_sum(m: Count, d: Count) -> Count:
    """``sum_{j=0}^{d} C(m, j)``: an int, or ``Sum(binomial(m, j), (j, 0, d))``."""
    if is_concrete(m, d):
        return exact_binomial_sum(m, d)
    return sp.Sum(sp.binomial(m, _INDEX), (_INDEX, 0, d))


def power(base: Count, exponent: Count) -> Count:
    """``base ** exponent``, refused up front (:class:`AnswerTooLarge`) when too large."""
    if is_concrete(base, exponent):
        if base <= 1 or exponent <= 1:
            return base**exponent
        refuse_above(exponent * log2(base), f"{short(base)}**{short(exponent)}")
        if base == 2:
            return 1 << exponent
        return int(MPZ(base) ** exponent)
    return base**exponent


def floor_div(a: Count, b: Count) -> Count:
    """``floor(a / b)``."""
    if is_concrete(a, b):
        return a // b
    return sp.floor(sp.sympify(a) / b)


def minimum(*values: Count) -> Count:
    """``min(values)``, or SymPy's ``Min``."""
    if is_concrete(*values):
        return min(values)
    return sp.Min(*values)


def product(values: Sequence[Count]) -> Count:
    """The product, exact; refused up front when the ints' product is too large."""
    ints = [v for v in values if isinstance(v, int)]
    if any(v == 0 for v in ints):
        ints = [0]
    refuse_above(sum(log2(abs(v)) for v in ints), f"a product of {len(ints)} factors")
    out: BigInt = 1
    for v in sorted(ints, key=abs):  # small first: the big ones meet once, in MPZ
        out = out * (MPZ(v) if abs(v) > 2**4096 else v)
    out = int(out)
    for v in values:
        if not isinstance(v, int):
            out = out * v
    return out


def result(value: Count) -> sp.Expr:
    """A :class:`sympy.Integer` for an int, else the SymPy expression."""
    if isinstance(value, int):
        return sp.Integer(value)
    return sp.sympify(value)
