"""The exactness policy, enforced once, at the boundary.

Every public entry point turns user input into one of two array kinds:

* **float**: a ``float64`` ndarray;
* **rational**: an ``object`` ndarray whose entries are all :class:`fractions.Fraction`.

Integers are exact in both kinds, so an integer-only array goes with either: alone it is
stored as float64, next to a Fraction array (:func:`coerce_arrays`) as Fractions. An integer
that float64 cannot hold exactly (beyond 2**53) is refused outside a Fraction array
(``ValueError``) rather than rounded. A value that mixes ``float`` and ``Fraction`` entries is
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


def describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} of type {type(value).__name__}"


_MAX_EXACT_INT = 2**53  # every integer of at most this magnitude is a float64


def _int_is_float(v: Any) -> bool:
    """True if the integer ``v`` is exactly representable as a float64."""
    v = int(v)
    if -_MAX_EXACT_INT <= v <= _MAX_EXACT_INT:
        return True
    try:
        return int(float(v)) == v
    except OverflowError:
        return False


def _inexact_int_error(name: str, index: tuple[int, ...], v: Any) -> ValueError:
    text = str(int(v))
    if len(text) > 40:
        text = text[:37] + "..."
    return ValueError(
        f"{name} must hold integers that float64 represents exactly (or Fractions); entry "
        f"{index} is the integer {text}, which float64 would round or overflow. Write it as a "
        "fractions.Fraction (with Fractions throughout) for exact arithmetic, or as a float to "
        "accept rounding"
    )


def _dims_text(dims: tuple[int, ...]) -> str:
    return " or ".join(f"{d}-D" for d in dims)


def coerce_array(
    value: Any, name: str, ndim: int | tuple[int, ...], expected: str | None = None
) -> np.ndarray:
    """Return ``value`` as a float64 array or a Fraction object array of dimension ``ndim``
    (an int, or a tuple of the allowed dimensions). ``expected`` replaces the default
    description of the wanted array (``"2-D array"``) in error messages.

    Raises ``TypeError`` for non-numeric entries and for mixed float/Fraction input,
    ``ValueError`` for ragged input, a wrong number of dimensions, NaN / infinity, or an
    integer that float64 cannot hold exactly (outside a Fraction array).
    """
    return _coerce(value, name, ndim, expected)[0]


def coerce_arrays(specs: Any, names: str) -> tuple[np.ndarray, ...]:
    """Coerce several arrays that must share one number kind.

    ``specs`` is a sequence of ``(value, name, ndim)``. Integer-only arrays are neutral: they
    become Fraction arrays when another array holds Fractions. A float array next to a
    Fraction array raises ``TypeError`` naming both (``names`` describes them together).
    """
    done = [(_coerce(value, name, ndim), name) for value, name, ndim in specs]
    floats = [name for (_, kind), name in done if kind == "float"]
    rationals = [name for (_, kind), name in done if kind == "rational"]
    if floats and rationals:
        raise TypeError(
            f"{names} mix float and Fraction entries: {floats[0]} holds floats but "
            f"{rationals[0]} holds Fractions; use Fraction entries throughout for exact "
            "arithmetic (Fraction('0.1') for decimals), or floats throughout"
        )
    if rationals:
        return tuple(to_rational(arr) for (arr, _), _ in done)
    return tuple(arr for (arr, _), _ in done)


def _is_tensor(value: Any) -> bool:
    """A torch (or torch-like) tensor, recognised without importing torch."""
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _coerce(
    value: Any, name: str, ndim: int | tuple[int, ...], expected: str | None = None
) -> tuple[np.ndarray, str]:
    """``(array, kind)`` with kind "float", "rational" or "integer" (stored as float64)."""
    dims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    wanted = _dims_text(dims)
    expected = expected or f"{wanted} array"
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a {expected} of real numbers, got {describe(value)}")
    if _is_tensor(value):  # a torch tensor (one that requires grad, or on a GPU, too)
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{name} must be a plain array; got a masked array (its mask would be ignored): "
            "fill or compress it first"
        )
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.dtype.kind == "f" and value.dtype.itemsize > 8:
            raise TypeError(
                f"{name} has dtype {value.dtype}, which float64 would round; convert it "
                "explicitly (astype(float)) or use Fractions for exact values"
            )
        if value.dtype.kind == "b":
            raise TypeError(f"{name} must hold real numbers, got a boolean array")
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold real numbers, got an array of dtype {value.dtype}")
        if value.dtype.kind in "iu":
            big = np.argwhere((value > _MAX_EXACT_INT) | (value < -_MAX_EXACT_INT))
            for row in big:
                index = tuple(int(i) for i in row)
                if not _int_is_float(value[index]):
                    raise _inexact_int_error(name, index, value[index])
            kind = "integer"
        else:
            kind = "float"
        arr = np.array(value, dtype=np.float64)
    else:
        try:
            raw = np.array(value, dtype=object)
        except ValueError as exc:  # ragged nesting numpy cannot even store
            raise ValueError(
                f"{name} must be a rectangular {wanted} array; got ragged nested sequences"
            ) from exc
        kind = _classify(raw, name, wanted, expected)
        if kind == "rational":
            arr = np.empty(raw.shape, dtype=object)
            flat_in, flat_out = raw.reshape(-1), arr.reshape(-1)
            flat_out[:] = [Fraction(v) for v in flat_in]
        else:
            arr = raw.astype(np.float64)
    if arr.ndim not in dims:
        given = (
            f"the scalar {describe(value)}" if arr.ndim == 0
            else f"an array of shape {arr.shape}"
        )
        raise ValueError(f"{name} must be a {expected}; got {given}")
    if kind != "rational" and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} must be finite; entry {tuple(int(i) for i in bad)} is {arr[tuple(bad)]}"
        )
    arr.setflags(write=False)
    return arr, kind


def _classify(raw: np.ndarray, name: str, wanted: str, expected: str) -> str:
    """Return "float", "rational" or "integer" for an object array of scalars, or raise."""
    has_float = has_fraction = None
    big_ints = []
    for index, v in np.ndenumerate(raw):
        if isinstance(v, (list, tuple, np.ndarray)):
            raise ValueError(
                f"{name} must be a rectangular {wanted} array; got ragged nested sequences "
                f"(entry {index} is itself a {type(v).__name__}, not a number)"
            )
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            if raw.ndim == 0:
                raise TypeError(
                    f"{name} must be a {expected} of real numbers, got {describe(v)}"
                )
            raise TypeError(
                f"{name} must hold real numbers (int, float or fractions.Fraction); "
                f"entry {index} is {describe(v)}"
            )
        if isinstance(v, Fraction):
            has_fraction = index if has_fraction is None else has_fraction
        elif isinstance(v, (numbers.Integral, np.integer)):
            if not (-_MAX_EXACT_INT <= int(v) <= _MAX_EXACT_INT):
                big_ints.append((index, v))
        elif isinstance(v, (float, np.floating)):
            if isinstance(v, np.floating) and v.dtype.itemsize > 8:
                raise TypeError(
                    f"{name} entry {index} is a {type(v).__name__}, which float64 would "
                    "round; convert it explicitly (float(v)) or use a Fraction for its exact "
                    "value"
                )
            if not np.isfinite(v):
                raise ValueError(f"{name} must be finite; entry {index} is {v}")
            has_float = index if has_float is None else has_float
        elif isinstance(v, numbers.Rational):
            has_fraction = index if has_fraction is None else has_fraction
        else:
            raise TypeError(
                f"{name} must hold real numbers (int, float or fractions.Fraction); "
                f"entry {index} is {describe(v)}"
            )
    if has_float is not None and has_fraction is not None:
        raise TypeError(
            f"{name} mixes float and Fraction entries (entry {has_float} is "
            f"{raw[has_float]!r}, entry {has_fraction} is {raw[has_fraction]!r}); use "
            "Fraction throughout for exact arithmetic (Fraction('0.1') for decimals) or "
            "float throughout"
        )
    if has_fraction is not None:
        return "rational"
    for index, v in big_ints:
        if not _int_is_float(v):
            raise _inexact_int_error(name, index, v)
    return "float" if has_float is not None else "integer"


def is_rational(arr: np.ndarray) -> bool:
    return arr.dtype == object


def to_rational(arr: np.ndarray) -> np.ndarray:
    """Exact conversion to a Fraction object array (floats keep their exact binary value)."""
    if arr.dtype == object:
        if all(type(v) is Fraction for v in arr.reshape(-1)):
            return arr
        # e.g. an object array of Python ints: every entry must become a Fraction
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = [Fraction(v) for v in arr.reshape(-1)]
        out.setflags(write=False)
        return out
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


def check_int(value: Any, name: str, minimum: int) -> int:
    """``value`` as an int of at least ``minimum``; TypeError / ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)
