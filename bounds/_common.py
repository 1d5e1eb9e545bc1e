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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import sympy as sp

from .symbols import j as _INDEX

__all__: list[str] = []

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


def binomial_sum(m: Count, d: Count) -> Count:
    """``sum_{j=0}^{d} C(m, j)``: an int, or ``Sum(binomial(m, j), (j, 0, d))``."""
    if is_concrete(m, d):
        return sum(math.comb(m, s) for s in range(min(m, d) + 1)) if d >= 0 else 0
    return sp.Sum(sp.binomial(m, _INDEX), (_INDEX, 0, d))


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
    out: Count = 1
    for v in values:
        out = out * v
    return out


def result(value: Count) -> sp.Expr:
    """A :class:`sympy.Integer` for an int, else the SymPy expression."""
    if isinstance(value, int):
        return sp.Integer(value)
    return sp.sympify(value)
