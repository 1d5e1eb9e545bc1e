"""Straight and piecewise-straight trajectories x(t) through input space.

A trajectory is a curve t -> x(t) in R^m with a parameter domain:

* :class:`Segment` -- x(t) = x0 + t (x1 - x0), t in [0, 1];
* :class:`Line` -- x(t) = point + t direction, t in (-inf, inf);
* :class:`Polyline` -- through ``points[0], points[1], ...``, with x(i) = points[i] and
  straight between, t in [0, len(points) - 1].

Coordinates are float64, or Fractions for exact work (see :mod:`regions.network` for the
number policy). Each is an immutable value; :func:`regions.trace` does the work.
"""

from __future__ import annotations

import math
import numbers

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import _numbers
from ._display import vector
from .kinds import NumberKind, cast

__all__ = ["Segment", "Line", "Polyline", "Arc", "Trajectory"]


def _endpoints(a: Any, b: Any, name_a: str, name_b: str) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D coordinate vectors of one number kind (integer-only vectors go with either)."""
    p, q = _numbers.coerce_arrays([(a, name_a, 1), (b, name_b, 1)], f"{name_a} and {name_b}")
    for arr, name in ((p, name_a), (q, name_b)):
        if arr.shape[0] == 0:
            raise ValueError(f"{name} must have at least one coordinate; got an empty vector")
    if p.shape != q.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same dimension; got {p.shape[0]} and "
            f"{q.shape[0]}"
        )
    return p, q


def _is_zero(v: np.ndarray) -> bool:
    return bool(np.all(v == 0))


class _Base:
    """Shared read-only behaviour of the trajectory value types."""

    @property
    def dim(self) -> int:
        """Dimension m of the input space."""
        return int(self._rows()[0].shape[-1])

    @property
    def is_exact(self) -> bool:
        return _numbers.is_rational(self._rows()[0])

    def __call__(self, t: Any) -> np.ndarray:
        """Points x(t) for a scalar or a 1-D array of parameter values (rows of the result)."""
        scalar = np.ndim(t) == 0
        ts = _numbers.coerce_array(t, "t", (0, 1)).reshape(-1)
        ts = _numbers.convert(ts, self.is_exact)
        lo, hi = self.domain
        if np.any(ts < lo) or np.any(ts > hi):
            raise ValueError(f"t must lie in the trajectory's domain [{lo}, {hi}]")
        out = self._evaluate(ts)
        return out[0] if scalar else out

    def _rows(self) -> tuple[np.ndarray, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def domain(self) -> tuple[float, float]:  # pragma: no cover - abstract
        """The parameter domain [lo, hi] (each subclass sets its own)."""
        raise NotImplementedError

    def _evaluate(self, ts: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False, init=False)
class Segment(_Base):
    """The straight segment x(t) = x0 + t (x1 - x0) for t in [0, 1].

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 (trajectories x(t) through input space).

    Examples
    --------
    >>> seg = Segment([0.0, 0.0], [3.0, 4.0])
    >>> seg(0.5), seg.length
    (array([1.5, 2. ]), 5.0)
    """

    x0: np.ndarray
    x1: np.ndarray

    def __init__(self, x0: Any, x1: Any) -> None:
        a, b = _endpoints(x0, x1, "x0", "x1")
        if _is_zero(b - a):
            raise ValueError(
                "x0 and x1 must differ: a zero-length segment has no direction; got "
                f"x0 == x1 == {vector(a)}"
            )
        object.__setattr__(self, "x0", a)
        object.__setattr__(self, "x1", b)

    domain = (0, 1)

    @property
    def length(self) -> float:
        return float(np.linalg.norm(_numbers.to_float(self.x1 - self.x0)))

    def _rows(self):
        return (self.x0, self.x1)

    def _evaluate(self, ts: np.ndarray) -> np.ndarray:
        # (1 - t) x0 + t x1 is exact at both ends in floating point; x0 + t (x1 - x0) is not
        return (1 - ts)[:, None] * self.x0[None, :] + ts[:, None] * self.x1[None, :]

    def start_rows(self, exact: bool | NumberKind) -> tuple[Any, Any, Any, Any]:
        """Where the straight-trajectory engine starts: ``(t, rows, left, right)``, the
        parameters and points of the trajectory's own edges and the slopes of its unbounded
        ends (None without one), in number kind ``exact``."""
        rows = np.stack([cast(self.x0, exact), cast(self.x1, exact)])
        return cast(np.array([0, 1], dtype=object), exact), rows, None, None

    def __repr__(self) -> str:
        return f"Segment(x0={vector(self.x0)}, x1={vector(self.x1)})"


@dataclass(frozen=True, eq=False, init=False)
class Line(_Base):
    """The whole line x(t) = point + t direction, t over the real line.

    Tracing a network with one input along ``Line([0], [1])`` counts its pieces over all of R.

    References
    ----------
    .. [1] R. Pascanu, G. Montufar, Y. Bengio, "On the number of response regions of deep
       feed forward networks with piece-wise linear activations", 2013 (regions of R^n0; with
       one input a Line counts them all).

    Examples
    --------
    >>> Line([1.0], [2.0])(3.0)
    array([7.])
    """

    point: np.ndarray
    direction: np.ndarray

    def __init__(self, point: Any, direction: Any) -> None:
        p, d = _endpoints(point, direction, "point", "direction")
        if _is_zero(d):
            raise ValueError(f"direction must be non-zero; got {vector(d)}")
        object.__setattr__(self, "point", p)
        object.__setattr__(self, "direction", d)

    domain = (-np.inf, np.inf)

    def _rows(self):
        return (self.point, self.direction)

    def _evaluate(self, ts: np.ndarray) -> np.ndarray:
        return self.point[None, :] + ts[:, None] * self.direction[None, :]

    def start_rows(self, exact: bool | NumberKind) -> tuple[Any, Any, Any, Any]:
        p = cast(self.point, exact)
        d = cast(self.direction, exact)
        return cast(np.array([0], dtype=object), exact), p[None, :], d, d

    def __repr__(self) -> str:
        return f"Line(point={vector(self.point)}, direction={vector(self.direction)})"


@dataclass(frozen=True, eq=False, init=False)
class Polyline(_Base):
    """The polygonal path through ``points``: x(i) = points[i], straight in between.

    The parameter runs over [0, len(points) - 1]. Consecutive points must differ.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 (trajectories x(t) through input space).

    Examples
    --------
    >>> path = Polyline([[0, 0], [1, 0], [1, 1]])
    >>> path(1.5), path.domain
    (array([1. , 0.5]), (0, 2))
    """

    points: np.ndarray

    def __init__(self, points: Any) -> None:
        pts = _numbers.coerce_array(
            points, "points", 2,
            "2-D array with one row per point (on a line too: [[0], [1], ...])",
        )
        if pts.shape[0] < 2:
            raise ValueError(
                f"points must hold at least two points; got {pts.shape[0]} (shape {pts.shape})"
            )
        if pts.shape[1] == 0:
            raise ValueError(
                f"points must have at least one coordinate each; got shape {pts.shape}"
            )
        steps = np.diff(pts, axis=0)
        zero = np.flatnonzero(np.all(steps == 0, axis=1))
        if zero.size:
            i = int(zero[0])
            raise ValueError(
                f"points[{i}] and points[{i + 1}] are equal: consecutive points must differ "
                "(a zero-length segment has no direction)"
            )
        object.__setattr__(self, "points", pts)

    @property
    def domain(self) -> tuple[int, int]:
        return (0, int(self.points.shape[0]) - 1)

    def _rows(self):
        return (self.points,)

    @property
    def dim(self) -> int:
        return int(self.points.shape[1])

    def _evaluate(self, ts: np.ndarray) -> np.ndarray:
        last = self.points.shape[0] - 2
        if ts.dtype == object:
            idx = np.minimum(np.array([math.floor(t) for t in ts], dtype=np.int64), last)
        else:
            idx = np.minimum(np.floor(ts).astype(np.int64), last)
        frac = (ts - idx)[:, None]
        return (1 - frac) * self.points[idx] + frac * self.points[idx + 1]

    def start_rows(self, exact: bool | NumberKind) -> tuple[Any, Any, Any, Any]:
        n = self.points.shape[0]
        ts = cast(np.arange(n).astype(object), exact)
        return ts, cast(self.points, exact), None, None

    def __repr__(self) -> str:
        n, d = self.points.shape
        return f"Polyline({n} points in {d} dimensions, from {vector(self.points[0])})"


def _angle(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (an angle in radians), got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


_TWO_PI = 2 * math.pi


def _closes(start: float, stop: float) -> bool:
    """Whether [start, stop] is a full turn, up to the rounding of the two angles."""
    slack = 8 * np.finfo(float).eps * max(abs(start), abs(stop), _TWO_PI)
    return bool(stop - start >= _TWO_PI - slack)


@dataclass(frozen=True, eq=False, init=False)
class Arc(_Base):
    """The elliptic arc x(t) = center + cos(t) x0 + sin(t) x1 for t in [start, stop].

    A circle when x0 and x1 are orthogonal with equal norms, an ellipse otherwise (a
    segment traversed back and forth when they are parallel). ``stop - start`` may be up to
    2 pi, where the curve closes: then the pieces at both ends of the parameter interval are
    one piece of the closed curve, and a region can be entered twice.

    Raghu et al. (2017) trace the quarter circle x(t) = cos(t) x0 + sin(t) x1, t in
    [0, pi/2], from x0 to x1 (the default); :meth:`between` builds the circular
    interpolation between two data points.

    Parameters
    ----------
    x0, x1 : array_like
        The cosine and sine axes (not both zero).
    start, stop : float
        Parameter interval, ``0 < stop - start <= 2 pi``.
    center : array_like, optional
        The center c (default the origin).

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 and the experiments of Section 3 (the circular arc x(t) = cos(t) x0 + sin(t) x1).

    Examples
    --------
    >>> import numpy as np
    >>> arc = Arc([1.0, 0.0], [0.0, 1.0])
    >>> arc(np.pi / 2).round(12), arc.closed
    (array([0., 1.]), False)
    >>> Arc.circle([2.0, 0.0], [0.0, 2.0]).closed
    True
    """

    x0: np.ndarray
    x1: np.ndarray
    center: np.ndarray
    start: float
    stop: float

    def __init__(self, x0: Any, x1: Any, start: float = 0.0, stop: float = math.pi / 2,
                 center: Any = None) -> None:
        if center is None:
            a, b = _endpoints(x0, x1, "x0", "x1")
            c = _numbers.convert(np.zeros(a.shape[0]), _numbers.is_rational(a))
        else:
            a, b, c = _numbers.coerce_arrays(
                [(x0, "x0", 1), (x1, "x1", 1), (center, "center", 1)], "x0, x1 and center"
            )
            if not (a.shape == b.shape == c.shape) or a.shape[0] == 0:
                raise ValueError(
                    "x0, x1 and center must be non-empty vectors of one dimension; got "
                    f"dimensions {a.shape[0]}, {b.shape[0]} and {c.shape[0]}"
                )
        if _is_zero(a) and _is_zero(b):
            raise ValueError("x0 and x1 must not both be zero: the arc would be a single point")
        lo, hi = _angle(start, "start"), _angle(stop, "stop")
        span = hi - lo
        if not span > 0:
            raise ValueError(f"stop must exceed start; got start={lo}, stop={hi}")
        if span > _TWO_PI + 8 * np.finfo(float).eps * max(abs(lo), abs(hi), _TWO_PI):
            raise ValueError(
                f"stop - start must be at most 2 pi (a closed curve); got {span}"
            )
        object.__setattr__(self, "x0", a)
        object.__setattr__(self, "x1", b)
        object.__setattr__(self, "center", c)
        object.__setattr__(self, "start", lo)
        object.__setattr__(self, "stop", hi)

    @classmethod
    def circle(cls, x0: Any, x1: Any, center: Any = None) -> "Arc":
        """The closed curve t in [0, 2 pi]."""
        return cls(x0, x1, 0.0, _TWO_PI, center)

    @classmethod
    def between(cls, p: Any, q: Any, center: Any = None) -> "Arc":
        """Circular interpolation from ``p`` (t = 0) to ``q`` (t = pi/2).

        Without ``center`` this is Raghu et al.'s x(t) = cos(t) p + sin(t) q. With a center c
        it is c + cos(t) (p - c) + sin(t) (q - c): through p and q, a quarter of an ellipse
        centred at c (a circle when ``|p - c| = |q - c|`` and p - c is orthogonal to q - c).
        """
        if center is None:
            return cls(p, q)
        pp, qq, cc = _numbers.coerce_arrays(
            [(p, "p", 1), (q, "q", 1), (center, "center", 1)], "p, q and center"
        )
        return cls(pp - cc, qq - cc, 0.0, math.pi / 2, cc)

    @property
    def domain(self) -> tuple[float, float]:
        return (self.start, self.stop)

    @property
    def closed(self) -> bool:
        """True when the arc is the whole closed curve (``stop - start == 2 pi``)."""
        return _closes(self.start, self.stop)

    def _rows(self):
        return (self.x0, self.x1, self.center)

    def _evaluate(self, ts: np.ndarray) -> np.ndarray:
        tf = ts.astype(np.float64)
        x0, x1, c = (_numbers.to_float(v) for v in (self.x0, self.x1, self.center))
        return c[None, :] + np.cos(tf)[:, None] * x0[None, :] + np.sin(tf)[:, None] * x1[None, :]

    def __repr__(self) -> str:
        return (
            f"Arc(x0={vector(self.x0)}, x1={vector(self.x1)}, start={self.start!r}, "
            f"stop={self.stop!r}, center={vector(self.center)})"
        )


Trajectory = Segment | Line | Polyline | Arc
"""Any trajectory accepted by :func:`regions.trace`."""
