"""Short text for numbers and vectors in reprs and messages (one home for every module)."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["number", "vector", "short_fractions"]

_FRACTION = re.compile(r"(-?\d+)/(\d+)")


def number(q: Any) -> str:
    """A number as a reader writes it: an integer, a float's shortest repr (also for a
    Fraction that is a float's exact value), else ``p/q``.

    >>> number(Fraction(3602879701896397, 18014398509481984)), number(Fraction(1, 3)), number(2.0)
    ('0.2', '1/3', '2.0')
    """
    if isinstance(q, Fraction):
        if q.denominator == 1:
            return str(q.numerator)
        f = float(q)
        return repr(f) if Fraction(f) == q else f"{q.numerator}/{q.denominator}"
    if isinstance(q, (float, np.floating)):
        return repr(float(q))
    return str(q)


def vector(v: Any, limit: int = 6) -> str:
    """A vector in brackets, its middle elided past ``limit`` entries.

    >>> vector(np.arange(10.0))
    '[0.0, 1.0, 2.0, ..., 8.0, 9.0] (10 entries)'
    """
    arr = np.asarray(v, dtype=object)
    if arr.ndim > 1:  # a matrix: its rows, elided likewise
        rows = [vector(r, limit) for r in arr]
        if len(rows) > limit:
            rows = rows[: limit // 2] + ["..."] + rows[-(limit - limit // 2 - 1):]
        return "[" + ", ".join(rows) + "]"
    items = [number(x) for x in arr.reshape(-1)]
    if len(items) <= limit:
        return "[" + ", ".join(items) + "]"
    head, tail = items[: limit // 2], items[-(limit - limit // 2 - 1):]
    return "[" + ", ".join(head + ["..."] + tail) + f"] ({len(items)} entries)"


def short_fractions(text: str) -> str:
    """``text`` with each ``p/q`` in it written as :func:`number` writes it.

    >>> short_fractions("leaky_relu(3602879701896397/18014398509481984)")
    'leaky_relu(0.2)'
    """
    return _FRACTION.sub(lambda m: number(Fraction(int(m.group(1)), int(m.group(2)))), text)
