"""Exact partition of a two-dimensional input (or a plane slice) into linear regions.

:func:`partition` returns a :class:`Partition`: every activation region of the network in the
domain as a convex polygon (unbounded ones exactly, with directions at infinity as vertices,
never clipped to a box), its activation pattern, and the network's affine map on it; the
vertices and edges of the arrangement; ``num_regions`` and ``num_linear_regions``.

Conventions
-----------
* A region is a maximal set of positive area with one activation pattern (the codes of
  :mod:`regions.activations`; a point on a threshold belongs to the piece below, as in
  :func:`regions.trace`). Activation regions are convex, so each is one polygon.
* Vertices are points, or directions (``at_infinity``) for the ends of rays: an unbounded
  region's boundary is read counter-clockwise as a cycle of points and directions, the
  edge between two consecutive directions lying at infinity. With ``domain=None`` the
  arrangement is the whole plane closed by its line at infinity, so Euler's relation
  ``V - E + F = 1`` holds for the counts of points and directions, all edges, and regions.
* Exact mode (rational arithmetic) handles any coincidence: several boundaries through one
  vertex, a boundary along an existing edge, a neuron constant on a region. ``exact=True`` is
  certified: the planar engine runs in float64 with a rigorous error bound on every value
  and takes each decision where the bound settles it, else from the exact value at that
  vertex (its exact coordinates from the two boundary lines that meet there); what it does
  not cover (group maxima, an exhausted time budget) is recomputed in rational arithmetic
  (see :mod:`regions._planar_certified`). The result is rational arithmetic's either way, its
  vertices, maps and areas computed in rational arithmetic on first use.
* Float mode (``exact=False``) takes its decisions from the same certified engine, so its
  regions, patterns and edges are the exact ones, and keeps float64 geometry (vertices,
  maps, areas): ``arithmetic == "certified"``, about 1.1-2x the time of a float engine with a
  tolerance up to width 50, 4-5x at width 150 (``exact=regions.FLOAT`` runs that engine
  alone). A tolerance cannot be right everywhere: with one, boundaries nearly parallel
  to 1e-9 that meet far away lost regions silently (14 regions instead of 15; 30 instead of
  160 through a plane slice). Where the certified engine does not apply (group maxima:
  max pooling, maxout; values beyond float64's range; exact values over their time
  budget :data:`FLOAT_EXACT_BUDGET`), the float engine with relative tolerance ``tol`` runs instead (see
  :mod:`regions._planar`: ``arithmetic == "float"``, ``filter_stats.reason`` says why);
  it raises ``RuntimeError`` or ``FloatingPointError`` where it finds it cannot decide.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Figure 3.
.. [2] R. Pascanu, G. Montufar, Y. Bengio, "On the number of response regions of deep feed
   forward networks with piece-wise linear activations", 2013 (linear regions).
.. [3] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions of
   Deep Neural Networks", ICML 2018.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from typing import Any, Callable

import numpy as np

from . import _numbers
from .certified import FilterStats, Unsettled, lower_certified, same_maps_certified
from .kinds import CERTIFIED, FLOAT, RATIONAL, CertifiedKind, NumberKind, as_kind
from ._planar import PlanarEngine, convex_polygon, cross
from ._planar_certified import CertifiedPlanarEngine, deciding_stages
from ._pieces import pattern_rows
from .graph import Graph, compose_input
from .network import Network
from ._stages import lower, same_maps
from .plane import Plane
from .domains import Box, Polytope, Slice
from .memory import run_partition_layers
from .polyhedral import PolyhedralPartition, polyhedral_partition

__all__ = ["PARTITION_TOLERANCE", "Partition", "Region", "partition"]

PARTITION_TOLERANCE = 1e-13
"""The float engine's default relative tolerance, where float mode uses it (group maxima,
values beyond float64; otherwise float mode's decisions are certified): the rounding scale
of each value at each vertex is the sizes of the terms of the sums that made it, carried
through the layers and through the vertices made on edges (see :mod:`regions._planar`); a
pre-activation within this times its scale of a threshold is put on the threshold. Smaller
than :data:`regions.DEFAULT_TOLERANCE` because the scales are per vertex, not global."""

FLOAT_EXACT_BUDGET = (0.25, 0.5)
"""Float mode's budget for exact values in the certified engine: at most
max(0.25 s, half the time of the rest of the run). Past it (many slivers narrower than
float64's bounds: far-away vertices of large networks), float mode runs the tolerance
engine instead, as before certified decisions, and says so in ``filter_stats.reason``."""


@dataclass(frozen=True, eq=False)
class Region:
    """One activation region of a :class:`Partition`.

    Attributes
    ----------
    index : int
        Its index in the partition.
    vertices : ndarray, shape (k, 2)
        Its boundary counter-clockwise: points, and directions where ``at_infinity``.
    at_infinity : ndarray of bool, shape (k,)
    pattern : tuple of ndarray
        The activation pattern, one int8 vector per layer.
    linear_map, offset : ndarray
        The network on the region: ``x -> linear_map @ x + offset`` (plane coordinates).
    area : float or Fraction
        ``inf`` for an unbounded region; a Fraction in exact mode otherwise.
    """

    index: int
    vertices: np.ndarray
    at_infinity: np.ndarray
    pattern: tuple[np.ndarray, ...]
    linear_map: np.ndarray
    offset: np.ndarray
    area: Fraction | float  # exact: a Fraction; unbounded: inf

    @property
    def bounded(self) -> bool:
        return not bool(self.at_infinity.any())

    def contains(self, points: Any) -> np.ndarray:
        """Whether each point (rows, plane coordinates) lies in the closed region (exactly
        in exact mode; in float mode without a tolerance, so a point on a boundary may fall
        either way)."""
        exact = _numbers.is_rational(self.vertices)
        return _inside(self.vertices, self.at_infinity, _numbers.convert(_points(points), exact))


@dataclass(frozen=True, eq=False)
class Partition:
    """The linear regions of a network on a planar domain; made by :func:`partition`.

    Attributes
    ----------
    network : Network or Graph
        The network partitioned (for a plane slice, the original network).
    plane : Plane or None
        The slice, when the network has more than two inputs.
    domain : ndarray or None
        The convex polygon partitioned (plane coordinates), None for the whole plane.
    exact : bool
    tol : float
    points : ndarray, shape (V, 2)
        Vertex coordinates; the direction (max-norm 1) for vertices ``at_infinity``
        (Fractions in exact mode).
    at_infinity : ndarray of bool, shape (V,)
    edges : ndarray of int, shape (E, 2)
        Vertex pairs, each edge once, including the domain's boundary and, for the whole
        plane, the arcs at infinity between consecutive directions.
    edge_regions : ndarray of int, shape (E, 2)
        The regions left and right of each edge (``-1`` outside the domain / at infinity).
    region_offsets, region_vertices : ndarray of int
        Region ``i``'s boundary is ``region_vertices[region_offsets[i]:region_offsets[i+1]]``
        (vertex indices, counter-clockwise).
    patterns : tuple of ndarray
        One int8 array of shape (num_regions, width) per layer (for a group maximum, the
        position of each group's maximum).
    linear_maps : ndarray, shape (num_regions, outputs, 2)
    offsets : ndarray, shape (num_regions, outputs)
    layer_names : tuple of str
        The layer (piecewise-linear node) each entry of ``patterns`` belongs to, as
        :attr:`regions.Trace.layer_names`.
    arithmetic : str
        The arithmetic of the run: ``"float"``, ``"rational"`` or ``"certified"`` (float64
        with rigorous error bounds, see :mod:`regions.certified`; its vertices, maps and
        areas are computed in rational arithmetic on first use, as exact mode's).
    filter_stats : FilterStats or None
        For a certified run: the decisions taken, the vertex rows computed exactly where
        the float bounds did not settle a sign (``exact``), and whether the run fell back
        to rational arithmetic (and why).
    """

    network: Network | Graph
    plane: Plane | None
    domain: np.ndarray | None
    exact: bool
    tol: float
    _points: np.ndarray | None = field(repr=False)
    at_infinity: np.ndarray
    edges: np.ndarray
    edge_regions: np.ndarray
    region_offsets: np.ndarray
    region_vertices: np.ndarray
    patterns: tuple[np.ndarray, ...]
    _linear_maps: np.ndarray | None = field(repr=False)
    _offsets: np.ndarray | None = field(repr=False)
    layer_names: tuple[str, ...] = ()
    arithmetic: str = "float"
    filter_stats: FilterStats | None = field(default=None, repr=False)
    _deferred: Callable[[], "Partition"] | None = field(default=None, repr=False)

    # -- the exact geometry a certified run defers -------------------------------------------

    @cached_property
    def _geometry(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points, linear maps and offsets: a certified run decides the arrangement in
        float with error bounds and takes these exact values from the rational run on first
        use (its vertices and regions are numbered alike, which is checked)."""
        if self._deferred is None:
            return self._points, self._linear_maps, self._offsets  # type: ignore[return-value]
        exact = self._deferred()
        same = (exact.region_vertices.shape == self.region_vertices.shape
                and exact.edges.shape == self.edges.shape
                and np.array_equal(exact.region_vertices, self.region_vertices)
                and np.array_equal(exact.edges, self.edges)
                and np.array_equal(exact.at_infinity, self.at_infinity))
        if not same:  # pragma: no cover - a filter bug
            raise AssertionError("internal error: the certified and the rational partitions "
                                 "differ")
        return exact.points, exact.linear_maps, exact.offsets

    @property
    def points(self) -> np.ndarray:
        """Vertex coordinates, shape (V, 2): the direction (max-norm 1) for vertices
        ``at_infinity`` (Fractions in exact mode)."""
        return self._geometry[0]

    @property
    def linear_maps(self) -> np.ndarray:
        """The linear part of the network's map on each region, shape (num_regions,
        outputs, 2)."""
        return self._geometry[1]

    @property
    def offsets(self) -> np.ndarray:
        """The offset of the network's map on each region, shape (num_regions, outputs)."""
        return self._geometry[2]

    # -- counts ----------------------------------------------------------------------------

    @property
    def num_regions(self) -> int:
        """Number of activation regions (R in the papers' notation)."""
        return int(self.region_offsets.shape[0]) - 1

    @property
    def num_vertices(self) -> int:
        """Number of vertices, points and directions at infinity."""
        return int(self.at_infinity.shape[0])

    @property
    def num_edges(self) -> int:
        return int(self.edges.shape[0])

    @cached_property
    def linear_region_labels(self) -> np.ndarray:
        """For each region, the label of its linear region: adjacent regions (sharing an
        edge) with the same affine map get one label. Labels are 0, 1, ..."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        n = self.num_regions
        left, right = self.edge_regions[:, 0], self.edge_regions[:, 1]
        inner = (left >= 0) & (right >= 0)
        left, right = left[inner], right[inner]
        # equal linear parts suffice: the maps agree along the shared edge (continuity)
        if self._deferred is not None:  # a certified run: float filter, rational ties
            same = same_maps_certified(self._input_network, self.patterns, left, right,
                                       RATIONAL)
        elif self.exact:
            same = np.all(self.linear_maps[left] == self.linear_maps[right], axis=(1, 2))
        else:  # Jacobians from the patterns, compared as trace's num_linear_pieces does
            same = same_maps(lower(self._input_network, False), self.patterns, left, right,
                             self.tol)
        graph = coo_matrix(
            (np.ones(int(same.sum())), (left[same], right[same])), shape=(n, n)
        )
        return connected_components(graph, directed=False)[1]

    @cached_property
    def _input_network(self) -> Network | Graph:
        """The network as a function of the plane coordinates (the first layer composed
        with the plane's affine map for a slice)."""
        if self.plane is None:
            return self.network
        return _restrict(self.network, self.plane, self.exact)

    @property
    def num_linear_regions(self) -> int:
        """Number of linear regions: regions joined across edges where the network's affine
        map does not change (exactly; in float mode, Jacobians computed from the patterns
        as products of the weight matrices, equal within ``tol`` times the same products
        over absolute values)."""
        labels = self.linear_region_labels
        return int(labels.max()) + 1 if labels.size else 0

    # -- geometry --------------------------------------------------------------------------

    @cached_property
    def bounded(self) -> np.ndarray:
        """Whether each region is bounded."""
        inf = self.at_infinity[self.region_vertices].astype(np.int64)
        return np.add.reduceat(inf, self.region_offsets[:-1]) == 0

    @cached_property
    def exact_areas(self) -> np.ndarray:
        """Areas as an object array: exact (Fractions) in exact mode, None for unbounded
        regions."""
        return _areas(self, exact=True)

    @cached_property
    def areas(self) -> np.ndarray:
        """Areas as float64, ``inf`` for unbounded regions."""
        return _areas(self, exact=False)

    @cached_property
    def edge_kinds(self) -> np.ndarray:
        """Per edge: 0 a boundary between two regions, 1 the domain's boundary, 2 at
        infinity."""
        inf = self.at_infinity[self.edges].all(axis=1)
        inner = (self.edge_regions >= 0).all(axis=1)
        return np.where(inf, 2, np.where(inner, 0, 1)).astype(np.int8)

    @cached_property
    def edge_layers(self) -> np.ndarray:
        """Per edge between two regions: the first layer (0-based) with a neuron whose
        threshold it lies on, i.e. where the patterns of its two regions first differ (the
        layer colouring of Raghu et al.'s Figure 3); -1 for other edges."""
        out = np.full(self.num_edges, -1, dtype=np.int64)
        inner = self.edge_kinds == 0
        if not inner.any() or not self.patterns:
            return out
        left, right = self.edge_regions[inner, 0], self.edge_regions[inner, 1]
        first = np.full(left.shape[0], -1, dtype=np.int64)
        for d in range(len(self.patterns) - 1, -1, -1):
            differs = np.any(self.patterns[d][left] != self.patterns[d][right], axis=1)
            first[differs] = d
        out[inner] = first
        return out

    def region(self, i: int) -> Region:
        """Region ``i`` as a :class:`Region` value."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"i must be an integer region index, got {type(i).__name__}")
        if not -self.num_regions <= i < self.num_regions:
            raise ValueError(f"i must be a region index in [0, {self.num_regions}); got {i}")
        i = int(i) % self.num_regions
        ids = self.region_vertices[self.region_offsets[i]: self.region_offsets[i + 1]]
        area = self.exact_areas[i] if self.exact else self.areas[i]
        if area is None:
            area = float("inf")
        return Region(
            index=i,
            vertices=self.points[ids],
            at_infinity=self.at_infinity[ids],
            pattern=tuple(p[i] for p in self.patterns),
            linear_map=self.linear_maps[i],
            offset=self.offsets[i],
            area=area,
        )

    def __iter__(self):
        return (self.region(i) for i in range(self.num_regions))

    def __len__(self) -> int:
        return self.num_regions

    def locate(self, points: Any) -> np.ndarray:
        """The index of the region holding each point (rows, plane coordinates), found by its
        activation pattern; ``-1`` where no region has the point's pattern (a point on a
        boundary whose tie-rule pattern belongs to no region of positive area, or outside
        the domain)."""
        pts = _points(points)
        exact = self.exact or _numbers.is_rational(pts)
        inputs = self.plane.to_input(pts) if self.plane is not None else pts
        rows, _ = lower(self.network, exact).point_patterns(_numbers.convert(inputs, exact))
        query = pattern_rows(rows)
        keys = pattern_rows(self.patterns)
        order = np.argsort(keys)
        pos = np.searchsorted(keys[order], query)
        pos = np.minimum(pos, len(order) - 1)
        found = keys[order][pos] == query
        out = np.where(found, order[pos], -1)
        if self.domain is not None:
            inside = self._in_domain(pts, self.domain)
            out = np.where(inside, out, -1)
        return out

    @staticmethod
    def _in_domain(pts: np.ndarray, domain: np.ndarray) -> np.ndarray:
        exact = _numbers.is_rational(pts)
        poly = _numbers.convert(domain, exact)
        return _inside(poly, np.zeros(len(poly), dtype=bool), _numbers.convert(pts, exact))

    def __repr__(self) -> str:
        mode = "exact" if self.exact else f"float, tol={self.tol:g}"
        where = "whole plane" if self.domain is None else f"polygon of {len(self.domain)}"
        return (
            f"Partition(num_regions={self.num_regions}, vertices={self.num_vertices}, "
            f"edges={self.num_edges}, {where}, widths={self.network.widths}, {mode})"
        )


def partition(
    net: Network | Graph,
    domain: Any = None,
    exact: bool | NumberKind | None = None,
    *,
    tol: float | None = None,
) -> Partition | PolyhedralPartition:
    """Partition a domain into the activation regions of ``net``, exactly.

    A two-input network on the whole plane or a polygon, or a :class:`Plane` slice, gives
    a planar :class:`Partition` (polygons, edges, areas, plots); every other domain (any
    number of inputs with ``domain=None``, a :class:`~regions.Box`, a
    :class:`~regions.Polytope` or a :class:`~regions.Slice`) a
    :class:`~regions.polyhedral.PolyhedralPartition` from the n-dimensional engine
    (:mod:`regions.polyhedral`; exact mode there is rational arithmetic).

    Parameters
    ----------
    net : Network or Graph
        A dense :class:`~regions.Network` or a :class:`~regions.Graph`; a group maximum
        (max pooling, maxout) splits regions where its argmax changes.
    domain : None, array_like of shape (k, 2), Plane, Box, Polytope or Slice
        ``None``: the whole input space (the whole plane for two inputs); unbounded regions
        are kept exactly, with directions at infinity. A convex polygon (vertices in order, either
        orientation) in the input plane of a two-input network. A :class:`Plane` for a
        network with more inputs: the slice, restricted to ``plane.polygon`` if it has one.
    exact : bool, None or NumberKind
        ``True``: exact answers, certified (float64 with rigorous error bounds on every
        decision, falling back to rational arithmetic where they do not settle one; see
        :mod:`regions.certified`). ``False``: the same exact regions with float64
        geometry (float64 with tolerance ``tol`` where the certified engine does not apply:
        group maxima, values beyond float64; see the module). ``None``
        (default): exact if the network or the domain holds Fractions. Or a kind of
        :mod:`regions.kinds` (:data:`~regions.kinds.RATIONAL`: rational arithmetic
        throughout; :data:`~regions.kinds.FLOAT`: the float engine with tolerance ``tol``
        alone, no certified decisions: faster, but boundaries nearly parallel to 1e-9
        that meet far away can lose regions; for comparisons). This describes the planar
        engine; the n-dimensional one computes ``exact=True`` in rational arithmetic and
        float mode with the tolerance
        :data:`~regions.polyhedral.POLYHEDRAL_TOLERANCE` (no certified filtering yet).
    tol : float, optional
        Relative tolerance of the float engine where float mode uses it (default
        :data:`PARTITION_TOLERANCE`, 1e-13).

    Returns
    -------
    Partition
        ``num_regions``, ``num_linear_regions``, the regions (``region(i)``, iteration),
        ``patterns``, ``linear_maps``, ``offsets``, ``points``, ``edges``, ``areas``.

    Raises
    ------
    MemoryError
        Before a layer whose cells, growing as the last layer's did, would not fit in the
        memory available (:func:`regions.memory.check_partition_layer`; the environment
        variable ``REGIONS_MEMORY_LIMIT`` caps it); the message says how much is needed and
        points to :func:`regions.streaming.partition_summary`.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Figure 3.
    .. [2] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of
       Deep Neural Networks", NeurIPS 2014 (regions of the input space).

    Examples
    --------
    Two ReLUs with crossing lines cut the plane into four unbounded regions:

    >>> from regions import Network, partition
    >>> net = Network([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]], ["relu", "linear"])
    >>> part = partition(net)
    >>> part.num_regions, part.num_linear_regions, int(part.bounded.sum())
    (4, 4, 0)

    In a box, exactly, with areas:

    >>> from fractions import Fraction
    >>> box = [[-1, -1], [2, -1], [2, 1], [-1, 1]]
    >>> part = partition(net, [[Fraction(v) for v in p] for p in box])
    >>> sorted(part.exact_areas.tolist())
    [Fraction(1, 1), Fraction(1, 1), Fraction(2, 1), Fraction(2, 1)]
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    if domain is not None and not isinstance(domain, (Box, Polytope, Slice, Plane, list, tuple,
                                                      np.ndarray)):
        raise TypeError(
            "domain must be None (the whole input space), a convex polygon (array of shape "
            f"(k, 2)), a regions.Box, Polytope, Slice or Plane; got {type(domain).__name__}"
        )
    if isinstance(domain, (Box, Polytope, Slice)) or (domain is None and net.input_size != 2):
        return polyhedral_partition(net, domain, exact, tol=tol)
    plane, polygon = None, None
    if isinstance(domain, Plane):
        plane = domain
        if plane.dim != net.input_size:
            raise ValueError(
                f"domain is a Plane in {plane.dim} dimensions but the network's input width "
                f"is {net.input_size}"
            )
        polygon = plane.polygon
    elif net.input_size != 2:
        raise ValueError(
            f"net has {net.input_size} inputs; a polygon domain is planar: give a network with "
            "2 inputs, or domain=regions.Plane(...) (e.g. Plane.through(p0, p1, p2)) to slice "
            "its input space, or a regions.Box, Polytope or Slice in any dimension"
        )
    elif domain is not None:
        if not isinstance(domain, (list, tuple, np.ndarray)):
            raise TypeError(
                "domain must be None (the whole plane), a convex polygon (array of shape "
                f"(k, 2)) or a regions.Plane; got {type(domain).__name__}"
            )
        polygon = convex_polygon(domain, "domain")
    inferred = net.is_exact or (plane is not None and plane.is_exact) or (
        polygon is not None and _numbers.is_rational(polygon)
    )
    plain = exact is FLOAT  # the tolerance engine alone, at partition's default tolerance
    kind = as_kind(False if plain else exact, inferred, tol, PARTITION_TOLERANCE, "partition",
                   "net or domain")
    exact, tol = kind.is_exact, kind.tol
    model = net if plane is None else _restrict(net, plane, exact)
    if isinstance(kind, CertifiedKind):
        return _certified_partition(net, domain, model, plane, polygon, kind)
    unsettled = None
    if not exact and not plain:
        try:
            return _decided_by_certified(net, model, plane, polygon, tol)
        except Unsettled as why:  # group maxima, values beyond float64: plain float
            unsettled = str(why)
    engine = PlanarEngine(polygon, kind)
    lowered = lower(model, kind)
    # (RuntimeError where float64 cannot decide how boundaries meet)
    run_partition_layers(engine, lowered.stages)
    result = replace(_assemble(engine, net, plane, polygon, exact, tol),
                     layer_names=lowered.names, arithmetic=kind.name)
    if unsettled is not None:
        result = replace(result, filter_stats=FilterStats(
            0, 0, False, f"float64 with tolerance {tol:g}: {unsettled}"))
    return result


def _decided_by_certified(net: Network | Graph, model: Network | Graph, plane: Plane | None,
                          polygon: np.ndarray | None, tol: float) -> Partition:
    """Float mode: the certified engine decides every sign (from the float64 value where
    its rigorous bound settles it, else exactly), and the result keeps its float64
    geometry: the exact partition with float64 vertices, maps and areas
    (``arithmetic == "certified"``). Raises :class:`Unsettled` where the engine does not
    apply (group maxima, values beyond float64, exact values over their time budget)."""
    lowered = lower_certified(model)
    engine = CertifiedPlanarEngine(polygon, CERTIFIED, model, budget=FLOAT_EXACT_BUDGET,
                                   deciding=deciding_stages(lowered.stages))
    run_partition_layers(engine, lowered.stages)
    stats = FilterStats(engine.decisions, engine.exact_values, False,
                        refined=engine.refined)
    return replace(_assemble(engine, net, plane, polygon, False, tol),
                   layer_names=lowered.names, arithmetic="certified", filter_stats=stats)


def _certified_partition(net: Network | Graph, domain: Any, model: Network | Graph,
                         plane: Plane | None, polygon: np.ndarray | None,
                         kind: CertifiedKind) -> Partition:
    """Partition with the certified planar engine (:mod:`regions._planar_certified`, exact
    values from ``model`` where its bounds do not settle a decision); if it gives up, in the
    rational kind underneath. Either way, exact mode's
    answer; a certified run takes its points, maps and offsets from the rational run on
    first use."""

    def exact_partition() -> Partition:
        planar = partition(net, domain, kind.exact)
        if not isinstance(planar, Partition):  # the certified engine is planar only
            raise AssertionError("a certified partition's domain is planar")  # pragma: no cover
        return planar

    engine = None
    try:
        lowered = lower_certified(model)
        engine = CertifiedPlanarEngine(polygon, kind, model,
                                       deciding=deciding_stages(lowered.stages))
        run_partition_layers(engine, lowered.stages)
    except Unsettled as why:
        decisions, values = (0, 0) if engine is None else (engine.decisions,
                                                           engine.exact_values)
        stats = FilterStats(decisions, values, True, str(why))
        return replace(exact_partition(), arithmetic="certified", filter_stats=stats)
    result = _assemble(engine, net, plane, polygon, True, 0.0, geometry=False)
    return replace(result, layer_names=lowered.names, arithmetic="certified",
                   filter_stats=FilterStats(engine.decisions, engine.exact_values, False,
                                            refined=engine.refined),
                   _deferred=exact_partition)


def _restricted_first_layer(net: Network, plane: Plane, exact: bool):
    """The first layer as a function of plane coordinates: W D^T and W o + b."""
    w = _numbers.convert(net.weights[0], exact)
    d = _numbers.convert(plane.directions, exact)
    o = _numbers.convert(plane.origin, exact)
    return w @ d.T, w @ o + _numbers.convert(net.biases[0], exact)


def _restrict(net: Network | Graph, plane: Plane, exact: bool) -> Network | Graph:
    """The network as a function of the plane's coordinates."""
    if isinstance(net, Graph):
        return compose_input(net.convert(exact), _numbers.convert(plane.directions, exact).T,
                             _numbers.convert(plane.origin, exact))
    w0, b0 = _restricted_first_layer(net, plane, exact)
    return Network([w0] + [_numbers.convert(w, exact) for w in net.weights[1:]],
                   [b0] + [_numbers.convert(b, exact) for b in net.biases[1:]],
                   [a.name for a in net.activations])


# -- assembling the result ----------------------------------------------------------------------


def _assemble(engine: PlanarEngine, net, plane, polygon, exact: bool, tol: float,
              geometry: bool = True) -> Partition:
    """The :class:`Partition` of a finished engine; without ``geometry`` (a certified run)
    no points, maps or offsets (the result defers them)."""
    F, cnt = engine.faces()
    nF = F.shape[0]
    # patterns: follow each final region back through the layers
    backwards = []
    idx = np.arange(nF)
    for codes, parents in zip(reversed(engine.layer_codes), reversed(engine.layer_parents)):
        backwards.append(codes[idx])
        idx = parents[idx]
    patterns = tuple(reversed(backwards))
    for p in patterns:
        p.setflags(write=False)

    X = engine.X[: engine.nV]
    maps = offsets = points = None
    if geometry:
        maps, offsets = _affine_maps(engine.X, engine.H, F, cnt, engine.anchor)
        if not exact:
            _maps_of_slivers(maps, offsets, engine, net, plane, patterns, F, cnt)
        maps, offsets = engine.kind.export(maps), engine.kind.export(offsets)

    # keep the vertices in use (drops the whole plane's anchor), renumbered
    used = np.zeros(engine.nV, dtype=bool)
    used[F[F >= 0]] = True
    renumber = np.cumsum(used) - 1
    Fr = np.where(F >= 0, renumber[np.maximum(F, 0)], -1)
    X = X[used]
    at_infinity = X[:, 2] == 0
    if geometry:
        points = engine.kind.export(X[:, :2].copy())

    K = Fr.shape[1]
    k = np.arange(K)
    valid = k[None, :] < cnt[:, None]
    nxt = np.where(k[None, :] + 1 < cnt[:, None], k[None, :] + 1, 0)
    u = Fr[valid]
    v = np.take_along_axis(Fr, nxt, axis=1)[valid]
    face = np.broadcast_to(np.arange(nF)[:, None], Fr.shape)[valid]
    V = X.shape[0]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keys, inverse = np.unique(lo * V + hi, return_inverse=True)
    edges = np.stack([keys // V, keys % V], axis=1)
    edge_regions = np.full((keys.shape[0], 2), -1, dtype=np.int64)
    forward = u < v  # the region on the left of lo -> hi
    edge_regions[inverse[forward], 0] = face[forward]
    edge_regions[inverse[~forward], 1] = face[~forward]

    offsets_csr = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
    region_vertices = Fr[valid].astype(np.int64)
    for arr in (points, at_infinity, edges, edge_regions, offsets_csr, region_vertices, maps,
                offsets):
        if arr is not None:
            arr.setflags(write=False)
    return Partition(
        network=net,
        plane=plane,
        domain=polygon,
        exact=exact,
        tol=tol,
        _points=points,
        at_infinity=at_infinity,
        edges=edges,
        edge_regions=edge_regions,
        region_offsets=offsets_csr,
        region_vertices=region_vertices,
        patterns=patterns,
        _linear_maps=maps,
        _offsets=offsets,
    )


def _maps_of_slivers(maps: np.ndarray, offsets: np.ndarray, engine: PlanarEngine,
                     net: Network | Graph,
                     plane: Plane | None, patterns: tuple[np.ndarray, ...], F: np.ndarray,
                     cnt: np.ndarray) -> None:
    """Float mode: the maps of regions too thin for float64 coordinates to solve for (a
    region decided exactly whose vertices coincide in float64, e.g. in a 1e200 box), from
    their patterns instead (the Jacobian of the pattern's affine map), in place."""
    bad = np.flatnonzero(~(np.isfinite(maps).all(axis=(1, 2)) & np.isfinite(offsets).all(axis=1)))
    if bad.shape[0] == 0:
        return
    model = net if plane is None else _restrict(net, plane, False)
    jac = lower(model, FLOAT).jacobians(patterns, bad)
    finite = (np.arange(F.shape[1])[None, :] < cnt[bad, None]) & (engine.X[F[bad], 2] != 0)
    v0 = np.where(finite.any(axis=1), F[bad, np.argmax(finite, axis=1)], engine.anchor)
    maps[bad] = jac
    with np.errstate(over="ignore", invalid="ignore"):
        offsets[bad] = engine.H[v0] - np.einsum("rij,rj->ri", jac, engine.X[v0, :2])


def _affine_maps(X: np.ndarray, H: np.ndarray, F: np.ndarray, cnt: np.ndarray, anchor: int):
    """The affine map on each region from the output values at its vertices, solved
    relative to a point ``v0`` of the region (the whole plane uncut: the anchor), so the
    conditioning depends on the region's shape, not on its distance from the origin:
    A [r1 r2] = [h1 h2] for the two vertices r1 (farthest from v0) and r2 (largest
    |det(r1, r2)|), a point's r being x - v0 and a direction's its direction; then
    offset = h(v0) - A v0."""
    nF, K = F.shape
    rows = np.arange(nF)
    valid = np.arange(K)[None, :] < cnt[:, None]
    XF = X[F]
    finite = valid & (XF[:, :, 2] != 0)
    v0 = np.where(finite.any(axis=1), F[rows, np.argmax(finite, axis=1)], anchor)
    x0, h0 = X[v0], H[v0]
    r = XF[:, :, :2] - XF[:, :, 2:3] * x0[:, None, :2]
    h = H[F] - XF[:, :, 2:3] * h0[:, None, :]
    size = np.maximum(np.abs(r[:, :, 0]), np.abs(r[:, :, 1]))  # padding: 0
    k1 = np.argmax(size, axis=1)
    floats = r.dtype != object
    with (np.errstate(over="ignore", invalid="ignore", divide="ignore") if floats
          else contextlib.nullcontext()):  # float slivers: see _maps_of_slivers
        if floats:  # in units of the region's size (no overflow in det)
            unit = np.maximum(size[rows, k1], np.finfo(float).tiny)[:, None, None]
            r, h = r / unit, h / unit
        r1, h1 = r[rows, k1], h[rows, k1]
        det = r1[:, None, 0] * r[:, :, 1] - r1[:, None, 1] * r[:, :, 0]
        k2 = np.argmax(np.abs(det), axis=1)
        r2, h2, d = r[rows, k2], h[rows, k2], det[rows, k2]
        ax = (r2[:, None, 1] * h1 - r1[:, None, 1] * h2) / d[:, None]
        ay = (r1[:, None, 0] * h2 - r2[:, None, 0] * h1) / d[:, None]
        maps = np.ascontiguousarray(np.stack([ax, ay], axis=2))
        offsets = np.ascontiguousarray(h0 - ax * x0[:, None, 0] - ay * x0[:, None, 1])
    return maps, offsets


def _areas(part: Partition, exact: bool) -> np.ndarray:
    n = part.num_regions
    counts = np.diff(part.region_offsets)
    starts = part.region_offsets[:-1]
    ids = part.region_vertices
    nxt_pos = np.arange(ids.shape[0]) + 1
    last = starts + counts - 1
    nxt_pos[last] = starts
    p, q = part.points[ids], part.points[ids[nxt_pos]]
    if exact and part.exact:
        terms = p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1]
        out = np.add.reduceat(terms, starts) / 2 if n else np.empty(0, dtype=object)
        out = out.astype(object)
        out[~part.bounded] = None
        return out
    pf, qf = _numbers.to_float(p), _numbers.to_float(q)
    # relative to each region's first vertex, in units of its size: the square of a large
    # size overflows to inf (an area beyond float64) rather than to inf - inf
    first = np.repeat(pf[starts] if n else pf[:0], counts, axis=0)
    pf, qf = pf - first, qf - first
    unit = np.repeat(np.maximum.reduceat(np.abs(np.concatenate([pf, qf], axis=1)).max(axis=1),
                                         starts) if n else np.zeros(0), counts)
    unit = np.maximum(unit, np.finfo(float).tiny)
    terms = (pf[:, 0] / unit) * (qf[:, 1] / unit) - (qf[:, 0] / unit) * (pf[:, 1] / unit)
    with np.errstate(over="ignore"):
        sums = (np.add.reduceat(terms, starts) / 2 * unit[starts] * unit[starts] if n
                else np.zeros(0))
    if exact:  # float mode: the float areas as objects, None where unbounded
        out = sums.astype(object)
        out[~part.bounded] = None
        return out
    return np.where(part.bounded, sums, np.inf)


def _points(points: Any) -> np.ndarray:
    """Plane points as a (k, 2) array, or a ValueError naming ``points``."""
    pts = _numbers.coerce_array(points, "points", 2, "2-D array of shape (k, 2)")
    if pts.shape[1] != 2:
        raise ValueError(f"points must have shape (k, 2); got shape {pts.shape}")
    return pts


def _inside(vertices: np.ndarray, at_infinity: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Whether each point lies in the closed convex polygon whose counter-clockwise boundary
    is ``vertices`` (directions where ``at_infinity``): on the inner side of every edge, the
    edge being the line through its ends in homogeneous coordinates."""
    one = _numbers.scalar(1, _numbers.is_rational(vertices))
    p = np.concatenate([vertices, np.where(at_infinity, 0 * one, one)[:, None]], axis=1)
    normal = cross(p, np.roll(p, -1, axis=0))  # inside: normal . (x, y, 1) >= 0
    return np.all(pts @ normal[:, :2].T + normal[:, 2] >= 0, axis=1)
