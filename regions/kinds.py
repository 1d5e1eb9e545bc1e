"""Number kinds: the arithmetic of one computation, chosen once at the boundary.

A *number kind* is a small policy object, in the spirit of mpmath's contexts and
python-flint's rings: it knows its element type (``dtype``, ``zero``, ``one``), how to bring
an array into that type (``convert``, exact for the rational kinds) and back out to the
user's type (``export``), and how the engines decide: the sign test (``sides``) and the
snapping rule (``tol``: values within the rounding-error scale of a threshold are on it;
exact kinds snap nothing). The engines are written once against this interface.

* :data:`FLOAT` (:class:`FloatKind`): float64 with one relative tolerance; fast, and may
  refuse (``FloatingPointError``) what float64 cannot decide.
* :data:`RATIONAL` (:class:`RationalKind`): exact rational arithmetic. Its elements are
  gmpy2's ``mpq`` when gmpy2 is installed (the ``fast`` extra; about 7 times faster than
  :class:`fractions.Fraction` per operation), else Fractions; large matrix products go through
  python-flint's ``fmpq_mat`` when python-flint is installed. Results are the same rationals
  with or without the extra, and users always get :class:`fractions.Fraction` back.
* :data:`CERTIFIED` (:class:`CertifiedKind`): float64 arithmetic that carries a rigorous
  bound on the rounding error of every quantity it decides on; decisions the bound settles
  are final and the rest are made in rational arithmetic, so the answer is the rational
  kind's. ``exact=True`` means this kind where an engine supports it (see
  :mod:`regions.certified`), and :data:`RATIONAL` elsewhere.

Every public entry point takes ``exact=True``, ``False`` or ``None`` (exact when the input
holds Fractions), or one of these kinds.

Examples
--------
>>> from fractions import Fraction
>>> import numpy as np
>>> from regions.kinds import RATIONAL, FLOAT
>>> x = RATIONAL.convert(np.array([0.5, 1 / 3]))     # exact binary values
>>> RATIONAL.export(x * 3).tolist()[0]
Fraction(3, 2)
>>> FLOAT.sides(np.array([-1.0, 0.0, 2.0])).tolist()
[-1, 0, 1]
>>> RATIONAL.is_exact, FLOAT.is_exact, FLOAT.tol
(True, False, 1e-11)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from . import _numbers, _rational

__all__ = ["NumberKind", "FloatKind", "RationalKind", "CertifiedKind", "FLOAT", "RATIONAL",
           "RATIONAL_FRACTION", "CERTIFIED", "as_kind", "cast", "unchanged", "rational_backend",
           "to_fraction"]


@lru_cache(maxsize=1)
def _gmpy2() -> Any:
    """The gmpy2 module, or None (imported on first use, never by ``import regions``)."""
    try:
        import gmpy2
    except ImportError:
        return None
    return gmpy2


def rational_backend() -> str:
    """The element type exact mode computes with: ``"gmpy2"`` (``mpq``) when gmpy2 is
    installed, else ``"fraction"``.

    >>> rational_backend() in ("gmpy2", "fraction")
    True
    """
    return "gmpy2" if _gmpy2() is not None else "fraction"


def _sides(d: np.ndarray, noise: Any) -> np.ndarray:
    return (d > noise).view(np.int8) - (d < -noise).view(np.int8)


@dataclass(frozen=True)
class NumberKind:
    """What an engine needs to know about its numbers. Subclasses fix the element type.

    Attributes
    ----------
    name : str
        ``"float"``, ``"rational"`` or ``"certified"``.
    is_exact : bool
        Whether the answers are exact (rational and certified kinds).
    tol : float
        The relative tolerance of float decisions (0 for the exact kinds).
    """

    name: str = field(init=False, default="")
    is_exact: bool = field(init=False, default=False)

    @property
    def tol(self) -> float:
        return 0.0

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the working arrays: float64, or object for rationals."""
        return np.dtype(object) if self.is_exact else np.dtype(np.float64)

    @property
    def zero(self) -> Any:
        return self.scalar(0)

    @property
    def one(self) -> Any:
        return self.scalar(1)

    def scalar(self, value: Any) -> Any:
        """``value`` (int, float or rational) as one element of this kind."""
        raise NotImplementedError  # pragma: no cover - every kind overrides it

    def convert(self, arr: np.ndarray) -> np.ndarray:
        """``arr`` (float64, or an object array of rationals and ints) as a working array
        of this kind: exact for the rational kinds."""
        raise NotImplementedError  # pragma: no cover - every kind overrides it

    def export(self, arr: np.ndarray) -> np.ndarray:
        """A working array as the user gets it: float64, or Fractions."""
        return arr

    def zeros(self, shape: int | tuple[int, ...]) -> np.ndarray:
        """A working array of zeros."""
        out = np.zeros(shape, dtype=self.dtype)
        if out.dtype == object:  # (float64 zeros are zero already: pages stay untouched)
            out[...] = self.zero
        return out

    def sides(self, d: np.ndarray, noise: Any = 0) -> np.ndarray:
        """+1 / -1 / 0 (int8) for values above / below / on zero; in float kinds, within
        ``noise`` (an absolute rounding-error scale, scalar or per entry) counts as on."""
        return _sides(d, noise)

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``a @ b`` for 2-D working arrays."""
        return a @ b


@dataclass(frozen=True)
class FloatKind(NumberKind):
    """float64 arithmetic; ``tol`` scales the rounding-error bounds within which values count
    as equal (see :mod:`regions.trace` and :mod:`regions.partition`)."""

    tol_: float = 1e-11
    name: str = field(init=False, default="float")
    is_exact: bool = field(init=False, default=False)

    @property
    def tol(self) -> float:
        return self.tol_

    def scalar(self, value: Any) -> float:
        return float(value)

    def convert(self, arr: np.ndarray) -> np.ndarray:
        return arr if arr.dtype == np.float64 else np.asarray(arr, dtype=object).astype(
            np.float64)

    def with_tol(self, tol: float) -> "FloatKind":
        return self if tol == self.tol_ else FloatKind(tol)


@dataclass(frozen=True)
class RationalKind(NumberKind):
    """Exact rational arithmetic with ``backend`` elements: ``"gmpy2"`` (``mpq``) or
    ``"fraction"`` (:class:`fractions.Fraction`). ``RationalKind()`` takes the fastest one
    installed."""

    requested: str = ""
    name: str = field(init=False, default="rational")
    is_exact: bool = field(init=False, default=True)

    def __post_init__(self) -> None:
        if self.requested not in ("", "gmpy2", "fraction"):
            raise ValueError(f"backend must be 'gmpy2' or 'fraction', got {self.requested!r}")

    @property
    def backend(self) -> str:
        """``"gmpy2"`` or ``"fraction"``: the one requested, else the fastest installed
        (decided on first use, so ``import regions`` imports no optional package)."""
        if self.requested == "":
            return rational_backend()
        if self.requested == "gmpy2" and _gmpy2() is None:
            raise ImportError("backend 'gmpy2' needs the gmpy2 package (pip install gmpy2, or "
                              "the regions[fast] extra)")
        return self.requested

    @property
    def element(self) -> Callable[[Any], Any]:
        """The element constructor (exact from ints, floats and rationals)."""
        return _gmpy2().mpq if self.backend == "gmpy2" else Fraction

    def scalar(self, value: Any) -> Any:
        if isinstance(value, np.generic):
            value = value.item()
        return self.element(value)

    def convert(self, arr: np.ndarray) -> np.ndarray:
        make = self.element
        if arr.dtype == object:
            flat = arr.reshape(-1)
            if flat.size and all(type(v) is type(flat[0]) for v in flat) and \
                    type(flat[0]) is type(make(0)):
                return arr
            values = [make(v.item() if isinstance(v, np.generic) else v) for v in flat]
        else:  # exact binary values (from the integer ratio: faster than from a float)
            values = [make(*v.as_integer_ratio()) for v in arr.reshape(-1).tolist()]
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = values
        out.setflags(write=False)  # parameters are converted once and shared (see matmul)
        return out

    def export(self, arr: np.ndarray) -> np.ndarray:
        """Fractions (exact) for a working array, whatever the backend."""
        if arr.dtype != object or self.backend == "fraction":
            return arr
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = [to_fraction(v) for v in arr.reshape(-1)]
        return out

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _rational.matmul(a, b)


@dataclass(frozen=True)
class CertifiedKind(NumberKind):
    """Float arithmetic with rigorous error bounds, falling back to ``exact`` (a
    :class:`RationalKind`) for the decisions the bounds cannot settle. Its working arrays
    are float64; engines that support it carry the bounds themselves (see
    :mod:`regions.certified`)."""

    exact: RationalKind = field(default_factory=RationalKind)
    name: str = field(init=False, default="certified")
    is_exact: bool = field(init=False, default=True)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64)

    def scalar(self, value: Any) -> float:
        return float(value)

    def convert(self, arr: np.ndarray) -> np.ndarray:
        return FLOAT.convert(arr)


def to_fraction(v: Any) -> Fraction:
    """A rational element (mpq, Fraction or int) as a :class:`fractions.Fraction`."""
    if type(v) is Fraction:
        return v
    if isinstance(v, numbers.Rational) or hasattr(v, "denominator"):
        return _rational.fraction_from_ints(v.numerator, v.denominator)
    return Fraction(v)


def cast(arr: np.ndarray, exact: "bool | NumberKind") -> np.ndarray:
    """``arr`` as Fractions (``exact=True``), float64 (False), or the working array of a
    :class:`NumberKind`.

    >>> cast(np.array([0.5]), True).tolist()
    [Fraction(1, 2)]
    """
    if isinstance(exact, NumberKind):
        return exact.convert(arr)
    return _numbers.convert(arr, exact)


def unchanged(exact: "bool | NumberKind", is_exact: bool) -> bool:
    """Whether :func:`cast` to ``exact`` leaves entries of kind ``is_exact`` as they are (a
    kind may change the element type, so only a matching bool does)."""
    return not isinstance(exact, NumberKind) and exact == is_exact


FLOAT = FloatKind()
"""float64 with the default tolerance 1e-11."""

RATIONAL = RationalKind()
"""Exact rationals with the fastest installed backend."""

RATIONAL_FRACTION = RationalKind("fraction")
"""Exact rationals as :class:`fractions.Fraction` (the fallback, and the reference)."""

CERTIFIED = CertifiedKind()
"""Filtered float decisions with an exact fallback."""


def as_kind(exact: Any, inferred: bool, tol: float | None = None, default_tol: float = 1e-11,
            what: str = "computation", sources: str = "its input") -> NumberKind:
    """The kind of one computation from its ``exact`` and ``tol`` arguments.

    ``exact`` is True (:data:`CERTIFIED`), False (:data:`FLOAT` with ``tol``, default
    ``default_tol``), None (``inferred``: True when the input holds Fractions) or a
    :class:`NumberKind`. ``tol`` is refused with an exact kind. ``what`` and ``sources`` name
    the computation and the inputs whose Fractions make it exact, for the messages.

    >>> as_kind(None, inferred=False, tol=1e-9).tol
    1e-09
    >>> as_kind(True, inferred=False).name
    'certified'
    """
    if isinstance(exact, NumberKind):
        kind = exact
    elif exact is None:
        kind = CERTIFIED if inferred else FLOAT
    elif isinstance(exact, (bool, np.bool_)):
        kind = CERTIFIED if exact else FLOAT
    else:
        raise TypeError(f"exact must be True, False or None (or a regions.kinds number "
                        f"kind), got {exact!r}")
    if tol is None:
        return kind.with_tol(default_tol) if isinstance(kind, FloatKind) and \
            not isinstance(exact, NumberKind) else kind
    if kind.is_exact:
        raise ValueError(
            f"tol applies to float mode only; this {what} is exact (exact=True, or inferred "
            f"from Fraction entries in {sources}) and uses no tolerance"
        )
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)):
        raise TypeError(f"tol must be a float, got {tol!r}")
    if not (0.0 <= float(tol) < 1e-3):
        raise ValueError(f"tol must be in [0, 1e-3), got {tol}")
    assert isinstance(kind, FloatKind)
    return kind.with_tol(float(tol))
