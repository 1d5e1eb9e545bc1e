"""Exact rational matrix products, fast when python-flint is installed.

Exact mode keeps its numbers as :class:`fractions.Fraction` entries of NumPy object arrays.
Their elementwise arithmetic is cheap next to a matrix product, which NumPy evaluates one
Python multiply-add at a time (a 400 x 32 by 32 x 32 product of float-valued Fractions takes
about 5 s). :func:`matmul` hands large products to python-flint's ``fmpq_mat`` (FLINT's
multi-modular rational matrix product) and converts the entries there and back, about 17
times faster on that example; without python-flint (the ``fast`` extra) it is NumPy's object
product. The results are the same rationals either way, so nothing else changes.
"""

from __future__ import annotations

from fractions import Fraction
import weakref
from functools import lru_cache
from typing import Any

import numpy as np

__all__: list[str] = []

MIN_WORK = 4096
"""Products with fewer multiply-adds stay in NumPy (conversion would dominate)."""


def flint_module() -> Any:
    """The python-flint module when installed (with rational matrices), else None."""
    return _flint()


@lru_cache(maxsize=1)
def _flint() -> Any:
    """The python-flint module, or None (imported on first use: never by ``import regions``)."""
    try:
        import flint
    except ImportError:
        return None
    return flint if hasattr(flint, "fmpq_mat") else None


def fraction_from_ints(p: Any, q: Any) -> Fraction:
    """The Fraction p/q for integers (of any integer type) already in lowest terms with
    q > 0, as fmpq and mpq entries are: no gcd is computed.

    >>> fraction_from_ints(2, 3)
    Fraction(2, 3)
    """
    try:
        return Fraction(int(p), int(q), _normalize=False)  # type: ignore[call-overload]
    except TypeError:  # Python >= 3.12 has no _normalize
        return Fraction(int(p), int(q))


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D arrays; Fraction object arrays go through python-flint when it is
    installed and the product is large enough, everything else through NumPy.

    >>> x = np.array([[Fraction(1, 3), Fraction(2)]], dtype=object)
    >>> matmul(x, np.array([[Fraction(3)], [Fraction(1, 2)]], dtype=object))
    array([[Fraction(2, 1)]], dtype=object)
    """
    flint = _flint()
    if (a.dtype != object or b.dtype != object or flint is None
            or a.shape[0] * a.shape[1] * b.shape[1] < MIN_WORK or 0 in a.shape + b.shape):
        return a @ b
    fa = _fmpq_mat(flint, a)
    fb = _cached_fmpq_mat(flint, b)
    entries = (fa * fb).entries()
    out = np.empty(len(entries), dtype=object)
    make = _element_type(a)
    if make is None:
        out[:] = [fraction_from_ints(e.p, e.q) for e in entries]
    else:  # the fast element type of the input (gmpy2's mpq: exact from two ints)
        out[:] = [make(int(e.p), int(e.q)) for e in entries]
    return out.reshape(a.shape[0], b.shape[1])


def _element_type(a: np.ndarray) -> Any:
    """The first entry type of ``a`` other than Fraction and int (gmpy2's mpq), or None."""
    for x in a.flat:
        if type(x) is not Fraction and not isinstance(x, int):
            return type(x)
    return None


_CACHE: dict[int, tuple[Any, tuple[int, ...], tuple[int, ...], Any]] = {}
_CACHE_SIZE = 64


def _cached_fmpq_mat(flint: Any, b: np.ndarray) -> Any:
    """``_fmpq_mat`` of a read-only right operand (a layer's weights, possibly a transposed
    view), converted once: keyed by the array that owns the memory, its shape and strides."""
    owner = b if b.base is None else b.base
    if b.flags.writeable or (isinstance(owner, np.ndarray) and owner.flags.writeable):
        return _fmpq_mat(flint, b)
    key = id(owner)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is owner and hit[1] == b.shape and hit[2] == b.strides:
        return hit[3]
    mat = _fmpq_mat(flint, b)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    try:
        _CACHE[key] = (weakref.ref(owner), b.shape, b.strides, mat)
    except TypeError:  # pragma: no cover - an owner without weak references
        pass
    return mat


def _fmpq_mat(flint: Any, a: np.ndarray) -> Any:
    fmpq = flint.fmpq
    return flint.fmpq_mat(a.shape[0], a.shape[1],
                          [fmpq(int(x.numerator), int(x.denominator)) for x in a.flat])


def batched_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for ``a`` of shape (..., K) and a 2-D ``b`` (K, M): one :func:`matmul`."""
    lead = a.shape[:-1]
    return matmul(a.reshape(-1, a.shape[-1]), b).reshape(*lead, b.shape[1])
