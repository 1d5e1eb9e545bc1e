"""A two-dimensional slice of a higher-dimensional input space.

A :class:`Plane` maps plane coordinates ``(a, b)`` to the input point
``origin + a * directions[0] + b * directions[1]``, optionally restricted to a convex polygon
given in plane coordinates. :func:`regions.partition` partitions the plane by composing the
network's first layer with this affine map, so the slice is exact whenever the network and
the plane are rational.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._display import vector
from . import _numbers

__all__ = ["Plane"]


@dataclass(frozen=True, eq=False, init=False)
class Plane:
    """The plane ``{origin + a d0 + b d1}`` through an input space of any dimension.

    Parameters
    ----------
    origin : array_like, shape (n,)
        The input point with plane coordinates (0, 0).
    directions : array_like, shape (2, n)
        ``d0`` and ``d1``, linearly independent; the input points with plane coordinates
        (1, 0) and (0, 1) are ``origin + d0`` and ``origin + d1``.
    polygon : array_like, shape (k, 2), optional
        A convex polygon in plane coordinates, vertices in order (either orientation). None
        (default) means the whole plane.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Figure 3 (region boundaries on
       a two-dimensional input).

    Examples
    --------
    The plane through three points, with the triangle they span:

    >>> plane = Plane.through([0.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0],
    ...                       polygon=[[0, 0], [1, 0], [0, 1]])
    >>> plane.to_input([[0.5, 0.25]])
    array([[0.5 , 0.25, 1.  ]])
    """

    origin: np.ndarray
    directions: np.ndarray
    polygon: np.ndarray | None

    def __init__(self, origin: Any, directions: Any, polygon: Any = None) -> None:
        o = _numbers.coerce_array(origin, "origin", 1)
        d = _numbers.coerce_array(directions, "directions", 2, "2-D array of shape (2, n)")
        # one number kind for both, as for every other pair of inputs
        o, d = _numbers.coerce_arrays([(o, "origin", 1), (d, "directions", 2)],
                                      "origin and directions")
        if o.shape[0] == 0:
            raise ValueError("origin must have at least one coordinate; got an empty vector")
        if d.shape != (2, o.shape[0]):
            raise ValueError(
                f"directions must have shape (2, {o.shape[0]}) (two vectors of the origin's "
                f"dimension); got shape {d.shape}"
            )
        exact = _numbers.is_rational(o) or _numbers.is_rational(d)
        o, d = _numbers.convert(o, exact), _numbers.convert(d, exact)
        if not _independent(d):
            raise ValueError(
                "directions must be linearly independent (they span the plane); got "
                f"{vector(d)}"
            )
        poly = None
        if polygon is not None:
            from ._planar import convex_polygon

            poly = convex_polygon(polygon, "polygon")
        object.__setattr__(self, "origin", o)
        object.__setattr__(self, "directions", d)
        object.__setattr__(self, "polygon", poly)

    @classmethod
    def through(cls, p0: Any, p1: Any, p2: Any, polygon: Any = None) -> "Plane":
        """The plane through three input points: ``p0`` at (0, 0), ``p1`` at (1, 0) and
        ``p2`` at (0, 1) in plane coordinates (Raghu et al.'s Figure 3 slices)."""
        a, b, c = _numbers.coerce_arrays(
            [(p0, "p0", 1), (p1, "p1", 1), (p2, "p2", 1)], "p0, p1 and p2"
        )
        if not a.shape == b.shape == c.shape:
            raise ValueError(
                "p0, p1 and p2 must have the same dimension; got "
                f"{a.shape[0]}, {b.shape[0]} and {c.shape[0]}"
            )
        if not _independent(np.stack([b - a, c - a])):
            raise ValueError(
                "p0, p1 and p2 must not be collinear (they span the plane); got "
                f"{vector(a)}, {vector(b)}, {vector(c)}"
            )
        return cls(a, np.stack([b - a, c - a]), polygon)

    @property
    def dim(self) -> int:
        """Dimension of the input space."""
        return int(self.origin.shape[0])

    @property
    def is_exact(self) -> bool:
        return _numbers.is_rational(self.origin)

    def to_input(self, coords: Any) -> np.ndarray:
        """Input points (rows) of plane coordinates ``coords`` (shape (k, 2) or (2,))."""
        c = _numbers.coerce_array(coords, "coords", (1, 2))
        single = c.ndim == 1
        c2 = c[None, :] if single else c
        if c2.shape[1] != 2:
            raise ValueError(f"coords must have 2 entries per point; got shape {c.shape}")
        exact = self.is_exact or _numbers.is_rational(c2)
        c2 = _numbers.convert(c2, exact)
        out = _numbers.convert(self.origin, exact) + c2 @ _numbers.convert(self.directions, exact)
        return out[0] if single else out

    def __repr__(self) -> str:
        poly = "None" if self.polygon is None else f"{len(self.polygon)} vertices"
        return (
            f"Plane(origin={vector(self.origin)}, directions={vector(self.directions)}, "
            f"polygon={poly})"
        )


def _independent(d: np.ndarray) -> bool:
    """Whether the two rows of ``d`` are linearly independent (exactly for Fractions)."""
    if _numbers.is_rational(d):
        n = d.shape[1]
        return any(d[0, i] * d[1, j] != d[0, j] * d[1, i] for i in range(n) for j in range(i + 1, n))
    scale = float(np.abs(d).max(initial=0.0))
    if scale == 0.0:
        return False
    s = np.linalg.svd(d / scale, compute_uv=False)
    return bool(s[-1] > 1e-12 * s[0])
