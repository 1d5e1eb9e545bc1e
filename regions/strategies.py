"""Hypothesis strategies for networks and trajectories, for your own property tests.

Two kinds of network:

* :func:`random_networks` -- Gaussian weights through :func:`regions.random_network`:
  *generic* networks (no two breakpoints coincide, almost surely), where float and exact
  tracing must agree;
* :func:`rational_networks` -- small-denominator Fraction weights: *adversarial* networks
  full of coincidences (several neurons switching at one point, neurons touching a threshold,
  neurons constant at a threshold), for exact-mode claims.

Requires the ``test`` extra (``hypothesis``).

Examples
--------
>>> from hypothesis import given, settings
>>> from regions import trace
>>> @settings(max_examples=5)
... @given(rational_networks(input_dim=1), segments(dim=1, exact=True))
... def test_patterns_match_pieces(net, seg):
...     assert trace(net, seg).num_patterns == trace(net, seg).num_pieces
>>> test_patterns_match_pieces()
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np
from hypothesis import strategies as st

from .network import Network, random_network
from .plane import Plane
from .trajectory import Arc, Line, Polyline, Segment

__all__ = [
    "small_fractions",
    "random_networks",
    "rational_networks",
    "points",
    "segments",
    "lines",
    "polylines",
    "arcs",
    "networks_and_trajectories",
    "convex_polygons",
    "planes",
]


def _as_strategy(value, default_range: tuple[int, int]) -> st.SearchStrategy[int]:
    if value is None:
        return st.integers(*default_range)
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def small_fractions(max_numerator: int = 4, max_denominator: int = 3) -> st.SearchStrategy[Fraction]:
    """Fractions p/q with ``|p|`` <= max_numerator and 1 <= q <= max_denominator."""
    return st.builds(
        Fraction,
        st.integers(-max_numerator, max_numerator),
        st.integers(1, max_denominator),
    )


@st.composite
def _widths(draw, input_dim, depth, width, output_dim) -> list[int]:
    n_in = draw(_as_strategy(input_dim, (1, 3)))
    n_hidden = draw(_as_strategy(depth, (1, 3)))
    hidden = [draw(_as_strategy(width, (1, 5))) for _ in range(n_hidden)]
    return [n_in, *hidden, draw(_as_strategy(output_dim, (1, 1)))]


def _activation_list(draw, activations: Sequence[str], layers: int, mixed: bool) -> list[str]:
    """One activation for every hidden layer and a linear output, or (``mixed``) one drawn
    per layer, the output layer included (``linear`` among its choices)."""
    if not mixed:
        act = draw(st.sampled_from(list(activations)))
        return [act] * (layers - 1) + ["linear"]
    hidden = [draw(st.sampled_from(list(activations))) for _ in range(layers - 1)]
    return hidden + [draw(st.sampled_from(list(activations) + ["linear"]))]


@st.composite
def random_networks(
    draw,
    *,
    input_dim: int | st.SearchStrategy[int] | None = None,
    depth: int | st.SearchStrategy[int] | None = None,
    width: int | st.SearchStrategy[int] | None = None,
    output_dim: int | st.SearchStrategy[int] = 1,
    activations: Sequence[str] = ("relu", "hardtanh"),
    mixed: bool = False,
    sigma_w: float | st.SearchStrategy[float] = st.sampled_from([1.0, 2.0 ** 0.5, 2.0, 4.0]),
    sigma_b: float | st.SearchStrategy[float] = st.sampled_from([0.0, 0.5, 1.0]),
) -> Network:
    """Float networks with Raghu et al.'s Gaussian initialisation (generic networks).

    ``input_dim``, ``depth`` (number of hidden layers), ``width`` and ``output_dim`` are
    ints or integer strategies (defaults: 1-3 inputs, 1-3 hidden layers of 1-5 units, one
    output). Weights are drawn by NumPy from a Hypothesis-chosen seed. With ``mixed=True``
    every layer draws its own activation from ``activations``, and the output layer may be
    non-linear.
    """
    widths = draw(_widths(input_dim, depth, width, output_dim))
    acts = _activation_list(draw, activations, len(widths) - 1, mixed)
    sw = draw(_as_strategy(sigma_w, (1, 1)))
    sb = draw(_as_strategy(sigma_b, (0, 0)))
    net = random_network(widths, acts[0] if acts[0] != "linear" else "relu", sw, sb,
                         draw(st.integers(0, 2**32 - 1)))
    return Network(net.weights, net.biases, acts)


@st.composite
def rational_networks(
    draw,
    *,
    input_dim=None,
    depth=None,
    width=None,
    output_dim=1,
    activations: Sequence[str] = ("relu", "hardtanh"),
    mixed: bool = False,
    entries: st.SearchStrategy[Fraction] | None = None,
) -> Network:
    """Exact networks whose entries are small fractions (coincidences are common).

    ``entries`` overrides the entry strategy (default :func:`small_fractions`); ``mixed`` as
    in :func:`random_networks`.
    """
    widths = draw(_widths(input_dim, depth, width, output_dim))
    entry = entries if entries is not None else small_fractions()
    act = _activation_list(draw, activations, len(widths) - 1, mixed)
    weights = [
        [[draw(entry) for _ in range(n_in)] for _ in range(n_out)]
        for n_in, n_out in zip(widths[:-1], widths[1:])
    ]
    biases = [[draw(entry) for _ in range(n_out)] for n_out in widths[1:]]
    return Network(weights, biases, act)


def points(dim: int, exact: bool = False) -> st.SearchStrategy[list]:
    """Points of R^dim: small fractions (exact) or floats in [-3, 3] (float)."""
    coord = small_fractions(6, 4) if exact else st.floats(-3, 3, allow_subnormal=False)
    return st.lists(coord, min_size=dim, max_size=dim)


def segments(dim: int = 1, exact: bool = False) -> st.SearchStrategy[Segment]:
    """Non-degenerate :class:`~regions.Segment` objects in R^dim."""
    return st.tuples(points(dim, exact), points(dim, exact)).filter(
        lambda ab: ab[0] != ab[1] and _distinct(ab[0], ab[1], exact)
    ).map(lambda ab: Segment(*ab))


def lines(dim: int = 1, exact: bool = False) -> st.SearchStrategy[Line]:
    """:class:`~regions.Line` objects in R^dim with a non-zero direction."""
    return st.tuples(points(dim, exact), points(dim, exact)).filter(
        lambda pd: any(v != 0 for v in pd[1]) and _distinct(pd[1], [0] * dim, exact)
    ).map(lambda pd: Line(*pd))


def polylines(dim: int = 1, exact: bool = False, max_points: int = 5) -> st.SearchStrategy[Polyline]:
    """:class:`~regions.Polyline` objects with 2 to ``max_points`` vertices."""
    return st.lists(points(dim, exact), min_size=2, max_size=max_points).filter(
        lambda ps: all(_distinct(a, b, exact) for a, b in zip(ps, ps[1:]))
    ).map(Polyline)


def _distinct(a, b, exact: bool) -> bool:
    """Points far enough apart to make a non-degenerate trajectory."""
    if exact:
        return list(a) != list(b)
    return float(np.max(np.abs(np.subtract(a, b, dtype=float)))) > 1e-3


@st.composite
def arcs(draw, dim: int = 2, closed: bool | None = None, quarter_turns: bool = False) -> Arc:
    """Float :class:`~regions.Arc` objects in R^dim: x0, x1 and the centre in [-2, 2]^dim.

    ``closed`` forces a full turn (True) or an open arc (False); None draws either.
    ``quarter_turns`` puts ``start`` and ``stop`` at multiples of pi/2, as exact tracing of an
    arc requires.
    """
    import math

    vec = st.lists(st.floats(-2, 2, allow_subnormal=False), min_size=dim, max_size=dim)
    x0, x1, c = draw(vec), draw(vec), draw(vec)
    if max(map(abs, x0 + x1)) <= 1e-2:
        x0 = [1.0] + list(x0[1:])
    full = draw(st.booleans()) if closed is None else closed
    if quarter_turns:
        k0 = draw(st.integers(-4, 4))
        turns = 4 if full else draw(st.integers(1, 3))
        return Arc(x0, x1, k0 * math.pi / 2, (k0 + turns) * math.pi / 2, c)
    start = draw(st.floats(-4, 4))
    span = 2 * math.pi if full else draw(st.floats(0.05, 2 * math.pi * 0.999))
    return Arc(x0, x1, start, start + span, c)


TRAJECTORY_KINDS = ("segment", "line", "polyline", "arc")


@st.composite
def networks_and_trajectories(draw, *, exact: bool = False,
                              kinds: Sequence[str] = ("segment", "line", "polyline"),
                              **network_options) -> tuple[Network, Segment | Line | Polyline | Arc]:
    """A network and a trajectory through its input space, dimensions matched.

    The network is drawn by :func:`rational_networks` (``exact=True``) or
    :func:`random_networks` with ``network_options`` (``input_dim``, ``depth``, ``width``,
    ``activations``, ...); the trajectory is one of ``kinds`` ("segment", "line",
    "polyline", "arc"; an exact arc has its ends at multiples of pi/2) in R^n0, exact
    (Fraction coordinates) with ``exact``.

    >>> from hypothesis import given, settings
    >>> from regions import trace
    >>> @settings(max_examples=5)
    ... @given(networks_and_trajectories(input_dim=3))
    ... def test_transitions_bound_pieces(pair):
    ...     net, path = pair
    ...     tr = trace(net, path)
    ...     assert tr.num_pieces - 1 <= tr.transitions
    >>> test_transitions_bound_pieces()
    """
    bad = [k for k in kinds if k not in TRAJECTORY_KINDS]
    if bad or not kinds:
        raise ValueError(f"kinds must be a non-empty sequence of {TRAJECTORY_KINDS}; got "
                         f"{list(kinds)!r}")
    net = draw(rational_networks(**network_options) if exact
               else random_networks(**network_options))
    dim = net.widths[0]
    kind = draw(st.sampled_from(list(kinds)))
    if kind == "arc":
        return net, draw(arcs(dim, quarter_turns=exact))
    make = {"segment": segments, "line": lines, "polyline": polylines}[kind]
    return net, draw(make(dim, exact))


def _hull(pts: list) -> list:
    """Convex hull, counter-clockwise, without collinear points (Andrew's monotone chain;
    exact for Fractions)."""
    pts = sorted(set(map(tuple, pts)))

    def turn(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    upper: list = []
    for p in pts:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


@st.composite
def convex_polygons(draw, exact: bool = False, max_vertices: int = 6) -> list:
    """Convex polygons in the plane (lists of vertices, counter-clockwise): the convex hull
    of 3 to ``max_vertices`` points of :func:`points`, of positive area, for
    :func:`regions.partition`'s ``domain``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(convex_polygons(exact=True))
    ... def test_has_three_corners(poly):
    ...     assert len(poly) >= 3
    >>> test_has_three_corners()
    """
    pts = draw(st.lists(points(2, exact), min_size=3, max_size=max(3, max_vertices)))
    hull = _hull(pts)
    if not exact:
        area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(hull, hull[1:] + hull[:1]))
        if len(hull) < 3 or area2 < 1e-2:
            hull = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
    elif len(hull) < 3:
        hull = [(Fraction(-1), Fraction(-1)), (Fraction(1), Fraction(-1)), (Fraction(0), Fraction(1))]
    return [list(p) for p in hull]


@st.composite
def planes(draw, dim: int, exact: bool = False, polygon: bool | None = None) -> Plane:
    """:class:`~regions.Plane` slices of R^dim (``dim >= 2``) through three points of
    :func:`points`, with a polygon from :func:`convex_polygons` (``polygon=True``), without
    (``False``), or either (None)."""
    p0, p1, p2 = draw(points(dim, exact)), draw(points(dim, exact)), draw(points(dim, exact))
    d = np.array([[float(a - b) for a, b in zip(p1, p0)], [float(a - b) for a, b in zip(p2, p0)]])
    if np.linalg.matrix_rank(d, tol=1e-3) < 2:
        one = Fraction(1) if exact else 1.0
        p1 = [p0[0] + one] + list(p0[1:])
        p2 = [p0[0], p0[1] + one] + list(p0[2:])
    with_polygon = draw(st.booleans()) if polygon is None else polygon
    poly = draw(convex_polygons(exact)) if with_polygon else None
    return Plane.through(p0, p1, p2, polygon=poly)
