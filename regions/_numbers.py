"""The exactness policy, enforced once, at the boundary.

Every public entry point turns user input into one of two array kinds:

* **float**: a ``float64`` ndarray;
* **rational**: an ``object`` ndarray whose entries are all :class:`fractions.Fraction`.

Integers are exact in both kinds. A value that mixes ``float`` and ``Fraction`` entries is
refused (``TypeError``): the user either meant decimals as exact rationals (write
``Fraction("0.1")``) or meant floats throughout, and guessing would silently change the
answer. Converting a float array to the rational kind is exact (every float is a dyadic
rational); converting a rational array to the float kind rounds, and happens only when the
caller asks for float mode explicitly.
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

import numpy as np

__all__: list[str] = []


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} of type {type(value).__name__}"


def coerce_array(value: Any, name: str, ndim: int) -> np.ndarray:
    """Return ``value`` as a float64 array or a Fraction object array of dimension ``ndim``.

    Raises ``TypeError`` for non-numeric entries and for mixed float/Fraction input,
    ``ValueError`` for ragged input, a wrong number of dimensions, or NaN / infinity.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(value)}")
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.dtype.kind == "b":
            raise TypeError(f"{name} must hold real numbers, got a boolean array")
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold real numbers, got an array of dtype {value.dtype}")
        arr = np.array(value, dtype=np.float64)
        kind = "float"
    else:
        try:
            raw = np.array(value, dtype=object)
        except ValueError as exc:  # ragged nesting
            raise ValueError(
                f"{name} must be a rectangular {ndim}-D array; got ragged nested sequences"
            ) from exc
        kind = _classify(raw, name)
        if kind == "rational":
            arr = np.empty(raw.shape, dtype=object)
            flat_in, flat_out = raw.reshape(-1), arr.reshape(-1)
            flat_out[:] = [Fraction(v) for v in flat_in]
        else:
            arr = raw.astype(np.float64)
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array; got an array of shape {arr.shape}"
        )
    if kind == "float" and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} must be finite; entry {tuple(int(i) for i in bad)} is {arr[tuple(bad)]}"
        )
    arr.setflags(write=False)
    return arr


def _classify(raw: np.ndarray, name: str) -> str:
    """Return "float" or "rational" for an object array of scalars, or raise."""
    has_float = has_fraction = False
    for index, v in np.ndenumerate(raw):
        if isinstance(v, (bool, np.bool_)):
            raise TypeError(
                f"{name} must hold real numbers; entry {index} is {_describe(v)}"
            )
        if isinstance(v, Fraction):
            has_fraction = True
        elif isinstance(v, (numbers.Integral, np.integer)):
            pass
        elif isinstance(v, (float, np.floating)):
            if not np.isfinite(v):
                raise ValueError(f"{name} must be finite; entry {index} is {v}")
            has_float = True
        elif isinstance(v, numbers.Rational):
            has_fraction = True
        else:
            raise TypeError(
                f"{name} must hold real numbers (int, float or fractions.Fraction); "
                f"entry {index} is {_describe(v)}"
            )
    if has_float and has_fraction:
        raise TypeError(
            f"{name} mixes float and Fraction entries; use Fraction throughout for exact "
            "arithmetic (Fraction('0.1') for decimals) or float throughout"
        )
    return "rational" if has_fraction else "float"


def is_rational(arr: np.ndarray) -> bool:
    return arr.dtype == object


def to_rational(arr: np.ndarray) -> np.ndarray:
    """Exact conversion to a Fraction object array (floats keep their exact binary value)."""
    if arr.dtype == object:
        return arr
    out = np.empty(arr.shape, dtype=object)
    out.reshape(-1)[:] = [Fraction(float(v)) for v in arr.reshape(-1)]
    out.setflags(write=False)
    return out


def to_float(arr: np.ndarray) -> np.ndarray:
    """Conversion to float64 (rounds Fractions to the nearest float)."""
    if arr.dtype == object:
        out = arr.astype(np.float64)
        out.setflags(write=False)
        return out
    return arr


def convert(arr: np.ndarray, exact: bool) -> np.ndarray:
    return to_rational(arr) if exact else to_float(arr)


def scalar(value: Any, exact: bool) -> Any:
    """``value`` as a Fraction (exact) or a float."""
    return Fraction(value) if exact else float(value)
