"""Domains of :func:`regions.partition` in any dimension: boxes, polytopes, affine slices and
neighbourhoods of data points.

* :class:`Box` -- ``[lower_1, upper_1] x ... x [lower_n, upper_n]``.
* :class:`Polytope` -- the points with ``A x <= b``; bounded or not.
* :class:`Slice` -- a d-dimensional affine slice ``x = origin + t @ directions`` of a
  higher-dimensional input, optionally restricted to a Box or Polytope in slice coordinates
  ``t`` (:class:`regions.Plane` is the d = 2 case with a polygon).
* :func:`neighbourhood` -- a cross-polytope (L1 ball) or box of a given radius in a random or
  given d-dimensional subspace through a point: the exact form of the *local complexity* of
  Humayun et al. (the number of regions meeting a neighbourhood of a data point).

Every domain has ``dim`` (the dimension of the space partitioned), ``is_exact`` (Fraction
entries) and an H-representation ``A``, ``b`` (``A t <= b`` in the domain's own
coordinates; no rows for the whole space). Entries are float64 or Fractions, never mixed
(see :mod:`regions._numbers`); Fractions stay exact.

References
----------
.. [1] A. I. Humayun, R. Balestriero, R. Baraniuk, "Deep Networks Always Grok and Here is
   Why", ICML 2024 (local complexity: the density of region boundaries in a neighbourhood
   of a data point, a cross-polytope in a random low-dimensional subspace).

Examples
--------
>>> from fractions import Fraction
>>> box = Box([0, 0, 0], [1, 2, Fraction(1, 2)])
>>> box.dim, box.is_exact, box.A.shape
(3, True, (6, 3))
>>> nb = neighbourhood([0.0, 0.0, 0.0, 0.0], 0.5, dim=2, seed=0)
>>> nb.dim, nb.input_dim, nb.domain.A.shape
(2, 4, (4, 2))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any, Union

import numpy as np

from ._display import vector
from . import _numbers

__all__ = ["Box", "Polytope", "Slice", "neighbourhood", "Domain"]


def _rank(m: np.ndarray) -> int:
    """The rank of a float or Fraction matrix (exact Gaussian elimination for Fractions)."""
    if m.dtype != object:
        return int(np.linalg.matrix_rank(m)) if m.size else 0
    rows = [[Fraction(v) for v in row] for row in m.tolist()]
    rank, cols = 0, m.shape[1] if m.ndim == 2 else 0
    for c in range(cols):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(rank + 1, len(rows)):
            f = rows[r][c] / rows[rank][c]
            if f:
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[rank])]
        rank += 1
    return rank


@dataclass(frozen=True, eq=False, init=False)
class Box:
    """The box ``[lower_1, upper_1] x...x [lower_n, upper_n]`` (any dimension n >= 1).

    Parameters
    ----------
    lower, upper : array_like, shape (n,)
        Corners, with ``lower < upper`` in every coordinate (float64 or Fractions).

    Examples
    --------
    >>> Box([0, 0], [1, 3]).volume
    3.0
    """

    lower: np.ndarray
    upper: np.ndarray

    def __init__(self, lower: Any, upper: Any) -> None:
        lo, hi = _numbers.coerce_arrays([(lower, "lower", 1), (upper, "upper", 1)],
                                        "lower and upper")
        if lo.shape[0] == 0:
            raise ValueError("lower must have at least one coordinate; got an empty vector")
        if lo.shape != hi.shape:
            raise ValueError(f"lower and upper must have the same length; got {lo.shape[0]} "
                             f"and {hi.shape[0]}")
        bad = np.flatnonzero(~(lo < hi))
        if bad.shape[0]:
            i = int(bad[0])
            raise ValueError(f"lower must be below upper in every coordinate; coordinate {i} "
                             f"has lower {lo[i]!r} and upper {hi[i]!r}")
        lo.setflags(write=False)
        hi.setflags(write=False)
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    @property
    def dim(self) -> int:
        return int(self.lower.shape[0])

    @property
    def is_exact(self) -> bool:
        return _numbers.is_rational(self.lower)

    @property
    def A(self) -> np.ndarray:
        """``[I; -I]``: the rows of ``A x <= b``."""
        eye = _numbers.convert(np.eye(self.dim), self.is_exact)
        return np.concatenate([eye, -eye], axis=0)

    @property
    def b(self) -> np.ndarray:
        return np.concatenate([self.upper, -self.lower])

    @property
    def volume(self) -> Any:
        """The product of the side lengths (a Fraction for an exact box)."""
        out = self.upper[0] - self.lower[0]
        for i in range(1, self.dim):
            out = out * (self.upper[i] - self.lower[i])
        return out if self.is_exact else float(out)

    def contains(self, points: Any) -> np.ndarray:
        """Whether each row of ``points`` lies in the closed box."""
        pts = _points(points, self.dim)
        return np.all((pts >= self.lower) & (pts <= self.upper), axis=1)

    def __repr__(self) -> str:
        return f"Box(lower={vector(self.lower)}, upper={vector(self.upper)})"


@dataclass(frozen=True, eq=False, init=False)
class Polytope:
    """The polyhedron ``{x : A x <= b}``: bounded or not, of positive volume.

    Parameters
    ----------
    A : array_like, shape (k, n)
        Rows, none zero (k >= 1).
    b : array_like, shape (k,)

    Examples
    --------
    >>> simplex = Polytope([[-1, 0], [0, -1], [1, 1]], [0, 0, 1])
    >>> simplex.dim, simplex.contains([[0.2, 0.2], [1.0, 1.0]]).tolist()
    (2, [True, False])
    """

    A: np.ndarray
    b: np.ndarray

    def __init__(self, A: Any, b: Any) -> None:
        a = _numbers.coerce_array(A, "A", 2, "2-D array of shape (k, n)")
        a, bb = _numbers.coerce_arrays([(a, "A", 2), (b, "b", 1)], "A and b")
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise ValueError(f"A must have at least one row and one column; got shape {a.shape}")
        if bb.shape[0] != a.shape[0]:
            raise ValueError(f"b must have one entry per row of A ({a.shape[0]}); got "
                             f"{bb.shape[0]}")
        zero = np.flatnonzero(np.all(a == 0, axis=1))
        if zero.shape[0]:
            raise ValueError(f"A must have no zero row (a constraint 0 <= b_i is no facet); "
                             f"row {int(zero[0])} is zero")
        a.setflags(write=False)
        bb.setflags(write=False)
        object.__setattr__(self, "A", a)
        object.__setattr__(self, "b", bb)

    @property
    def dim(self) -> int:
        return int(self.A.shape[1])

    @property
    def is_exact(self) -> bool:
        return _numbers.is_rational(self.A)

    def contains(self, points: Any) -> np.ndarray:
        """Whether each row of ``points`` satisfies ``A x <= b`` (exactly for Fractions)."""
        pts = _points(points, self.dim)
        exact = self.is_exact or _numbers.is_rational(pts)
        a, bb = _numbers.convert(self.A, exact), _numbers.convert(self.b, exact)
        return np.all(_numbers.convert(pts, exact) @ a.T <= bb, axis=1)

    def __repr__(self) -> str:
        return f"Polytope({self.A.shape[0]} half-spaces in {self.dim} dimensions)"


@dataclass(frozen=True, eq=False, init=False)
class Slice:
    """The d-dimensional affine slice ``x = origin + t @ directions`` of an n-dimensional
    input space, optionally restricted to a domain in slice coordinates ``t``.

    Parameters
    ----------
    origin : array_like, shape (n,)
    directions : array_like, shape (d, n)
        Linearly independent rows, 1 <= d <= n.
    domain : None, Box or Polytope
        In slice coordinates (dimension d); None for the whole slice.

    Examples
    --------
    >>> s = Slice([0.0, 0.0, 1.0], [[1.0, 0.0, 0.0]], Box([-1.0], [1.0]))
    >>> s.dim, s.input_dim, s.to_input([[0.5]]).tolist()
    (1, 3, [[0.5, 0.0, 1.0]])
    """

    origin: np.ndarray
    directions: np.ndarray
    domain: "Box | Polytope | None"

    def __init__(self, origin: Any, directions: Any, domain: Any = None) -> None:
        o = _numbers.coerce_array(origin, "origin", 1)
        d = _numbers.coerce_array(directions, "directions", 2, "2-D array of shape (d, n)")
        o, d = _numbers.coerce_arrays([(o, "origin", 1), (d, "directions", 2)],
                                      "origin and directions")
        if o.shape[0] == 0:
            raise ValueError("origin must have at least one coordinate; got an empty vector")
        if d.shape[1] != o.shape[0] or not 1 <= d.shape[0] <= o.shape[0]:
            raise ValueError(f"directions must have shape (d, {o.shape[0]}) with 1 <= d <= "
                             f"{o.shape[0]}; got shape {d.shape}")
        exact = _numbers.is_rational(o) or _numbers.is_rational(d)
        o, d = _numbers.convert(o, exact), _numbers.convert(d, exact)
        if _rank(d) < d.shape[0]:
            raise ValueError(f"directions must be linearly independent; got {vector(d)}")
        if domain is not None:
            if not isinstance(domain, (Box, Polytope)):
                raise TypeError(f"domain must be None, a regions.Box or a regions.Polytope (in "
                                f"slice coordinates); got {type(domain).__name__}")
            if domain.dim != d.shape[0]:
                raise ValueError(f"domain must have the slice's dimension {d.shape[0]}; got a "
                                 f"{type(domain).__name__} of dimension {domain.dim}")
        o.setflags(write=False)
        d.setflags(write=False)
        object.__setattr__(self, "origin", o)
        object.__setattr__(self, "directions", d)
        object.__setattr__(self, "domain", domain)

    @property
    def dim(self) -> int:
        """d, the dimension of the slice."""
        return int(self.directions.shape[0])

    @property
    def input_dim(self) -> int:
        """n, the dimension of the input space."""
        return int(self.origin.shape[0])

    @property
    def is_exact(self) -> bool:
        return _numbers.is_rational(self.origin) and (self.domain is None
                                                      or self.domain.is_exact)

    @property
    def A(self) -> np.ndarray:
        """The domain's ``A`` in slice coordinates (no rows for the whole slice)."""
        if self.domain is None:
            return _numbers.convert(np.zeros((0, self.dim)), _numbers.is_rational(self.origin))
        return self.domain.A

    @property
    def b(self) -> np.ndarray:
        if self.domain is None:
            return _numbers.convert(np.zeros(0), _numbers.is_rational(self.origin))
        return self.domain.b

    def to_input(self, t: Any) -> np.ndarray:
        """Input points ``origin + t @ directions`` for rows ``t`` of slice coordinates."""
        pts = _points(t, self.dim)
        exact = _numbers.is_rational(pts) or _numbers.is_rational(self.origin)
        return (_numbers.convert(self.origin, exact)
                + _numbers.convert(pts, exact) @ _numbers.convert(self.directions, exact))

    def __repr__(self) -> str:
        where = "whole slice" if self.domain is None else repr(self.domain)
        return f"Slice(d={self.dim} in {self.input_dim} dimensions, {where})"


Domain = Union[Box, Polytope, Slice, None]
"""What :func:`regions.partition` takes as ``domain`` beyond the planar forms."""


def neighbourhood(point: Any, radius: Any, dim: int = 2, *, directions: Any = None,
                  shape: str = "cross", seed: int | None = None) -> Slice:
    """A neighbourhood of ``point``: a cross-polytope (L1 ball) or a box of ``radius`` in a
    ``dim``-dimensional subspace through it, as a :class:`Slice`.

    Parameters
    ----------
    point : array_like, shape (n,)
        The centre (a data point).
    radius : float or Fraction
        Positive: the cross-polytope is ``sum |t_i| <= radius``, the box ``|t_i| <= radius``.
    dim : int
        d, the dimension of the subspace (1 <= d <= n); ignored when ``directions`` is given.
    directions : array_like, shape (d, n), optional
        The subspace's coordinate vectors, as given; default: d random orthonormal vectors
        (a QR factorisation of a Gaussian matrix drawn with ``seed``).
    shape : {"cross", "box"}
    seed : int, optional

    Returns
    -------
    Slice

    References
    ----------
    .. [1] A. I. Humayun, R. Balestriero, R. Baraniuk, "Deep Networks Always Grok and Here is
       Why", ICML 2024 (local complexity in a cross-polytope neighbourhood).

    Examples
    --------
    >>> s = neighbourhood([1.0, 2.0, 3.0], 0.25, dim=2, seed=1)
    >>> s.dim, s.domain.A.shape, bool(abs(s.directions @ s.directions.T - np.eye(2)).max() < 1e-12)
    (2, (4, 2), True)
    """
    p = _numbers.coerce_array(point, "point", 1)
    if p.shape[0] == 0:
        raise ValueError("point must have at least one coordinate; got an empty vector")
    if shape not in ("cross", "box"):
        raise ValueError(f"shape must be 'cross' or 'box'; got {shape!r}")
    if isinstance(radius, bool) or not isinstance(radius, (int, float, Fraction, np.integer,
                                                           np.floating)):
        raise TypeError(f"radius must be a positive number; got {radius!r}")
    if not radius > 0:
        raise ValueError(f"radius must be positive; got {radius!r}")
    n = p.shape[0]
    if directions is None:
        d = _numbers.check_int(dim, "dim", 1)
        if d > n:
            raise ValueError(f"dim must be at most the point's dimension {n}; got {d}")
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((n, d)))
        dirs: Any = q.T.copy()
    else:
        dirs = directions
    exact = _numbers.is_rational(p) or isinstance(radius, Fraction)
    if exact and not isinstance(radius, Fraction):
        radius = Fraction(float(radius)) if isinstance(radius, (float, np.floating)) else \
            Fraction(int(radius))
    if exact:
        p = _numbers.convert(p, True)
        dirs = _numbers.convert(_numbers.coerce_array(dirs, "directions", 2), True)
    d = np.asarray(dirs).shape[0] if np.asarray(dirs).ndim == 2 else 0
    if d == 0:
        raise ValueError("directions must have shape (d, n) with d >= 1")
    r = radius if exact else float(radius)
    if shape == "cross":
        signs = np.array(list(product([1, -1], repeat=d)), dtype=float)
        bvec = np.array([r] * signs.shape[0], dtype=object if exact else float)
        dom: Box | Polytope = Polytope(_numbers.convert(signs, exact), bvec)
    else:
        lo = np.array([-r] * d, dtype=object if exact else float)
        hi = np.array([r] * d, dtype=object if exact else float)
        dom = Box(lo, hi)
    return Slice(p, dirs, dom)


def _points(points: Any, dim: int) -> np.ndarray:
    pts = _numbers.coerce_array(points, "points", 2, f"2-D array of shape (k, {dim})")
    if pts.shape[1] != dim:
        raise ValueError(f"points must have shape (k, {dim}); got shape {pts.shape}")
    return pts
