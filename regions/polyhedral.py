"""Exact partition of an input space of any dimension into activation regions.

:func:`polyhedral_partition` (reached through :func:`regions.partition` for every domain
that is not planar) returns a :class:`PolyhedralPartition`: every activation region of the
network in the domain as a convex polyhedron (unbounded ones exactly, with their rays,
never clipped to a box), its activation pattern and the network's affine map on it, its
H-representation (facets), vertices, rays and volume, and the facet-adjacency graph.

Conventions
-----------
* A region is a maximal set of positive volume with one activation pattern (the codes of
  :mod:`regions.activations`; a point on a threshold belongs to the piece below, as in
  :func:`regions.partition` and :func:`regions.trace`). Patterns, Jacobians and offsets are
  those of :class:`regions.Partition`.
* The engine (:mod:`regions._polyhedral`) refines a polyhedral complex neuron by neuron;
  a region is the union of the complex's cells with its pattern (the whole space starts
  from a fan of n + 1 cones, whose walls cut regions into several cells; a group maximum,
  max pooling or maxout, is cut as a tournament whose extra walls do too:
  :mod:`regions._polyhedral_max`). For a group maximum the code is the position of the
  maximum in each group, the first on ties, as in :func:`regions.partition`.
* Exact mode computes in rational arithmetic (``regions.kinds.RATIONAL``; ``exact=True``
  means it here: certified filtering is not done in n dimensions yet). Float mode snaps
  values within ``tol`` times their data scale of a threshold (see
  :mod:`regions._polyhedral`) and raises ``RuntimeError`` where its complex is inconsistent.
* Region vertices, rays and facets are computed from the cells' vertex-label incidences
  (a vertex of a region has a maximal zero set over the real labels; a facet is a maximal
  label face), facet inequalities from the facet's vertices, on first use per region (in
  Python: :meth:`PolyhedralPartition.region`). The tables over all regions are built over
  arrays: volumes from a pulling triangulation of every bounded cell (made level by level
  for all cells at once, determinants over the stack of simplices, exact in exact mode),
  the facet adjacency from the cells' label faces matched by sorting, and linear regions
  as connected components (``scipy.sparse.csgraph``) of adjacent regions with equal maps.

References
----------
.. [1] A. Berzins, "Polyhedral Complex Extraction from ReLU Networks using Edge
   Subdivision", ICML 2023.
.. [2] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of
   Deep Neural Networks", NIPS 2014.
.. [3] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions of
   Deep Neural Networks", ICML 2018.

Examples
--------
Three ReLUs in general position cut R^3 into 2^3 = 8 regions, a box into as many:

>>> from regions import Network, Box, partition
>>> net = Network([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 1]]], [[0, 0, 0], [0]], "relu")
>>> part = partition(net)
>>> part.num_regions, part.dim, int(part.bounded.sum())
(8, 3, 0)
>>> part = partition(net, Box([-1, -1, -1], [1, 1, 2]))
>>> part.num_regions, float(part.volumes.sum())
(8, 12.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Iterator

import numpy as np

from .errors import FloatModeError
from . import _numbers
from .domains import Box, Polytope, Slice
from .graph import Graph, compose_input
from .kinds import RATIONAL, CertifiedKind, NumberKind, as_kind, to_fraction
from .network import Network
from ._pieces import pattern_rows
from .memory import run_partition_layers
from ._polyhedral import PolyhedralEngine
from ._stages import lower, same_maps

__all__ = ["POLYHEDRAL_TOLERANCE", "PolyhedralPartition", "PolyhedralRegion",
           "polyhedral_partition"]

POLYHEDRAL_TOLERANCE = 1e-11
"""Float mode's default relative tolerance in n dimensions: a value within this times the
size of the terms of its sum (carried through the layers and interpolated at new vertices)
of a threshold is put on it."""


@dataclass(frozen=True, eq=False)
class PolyhedralRegion:
    """One activation region of a :class:`PolyhedralPartition`.

    Attributes
    ----------
    index : int
    pattern : tuple of ndarray
        One int8 code vector per layer.
    linear_map, offset : ndarray
        The network on the region: ``x -> linear_map @ x + offset`` (domain coordinates).
    A, b : ndarray
        Its facets: the region is ``{x : A x <= b}``, one row per facet (irredundant).
    vertices : ndarray, shape (k, d)
        Its vertices (points).
    rays : ndarray, shape (r, d)
        Its extreme recession directions (max-norm 1); empty if bounded.
    bounded : bool
    volume : float or Fraction
        ``inf`` if unbounded; a Fraction in exact mode otherwise.
    """

    index: int
    pattern: tuple[np.ndarray, ...]
    linear_map: np.ndarray
    offset: np.ndarray
    A: np.ndarray
    b: np.ndarray
    vertices: np.ndarray
    rays: np.ndarray
    bounded: bool
    volume: Any

    def contains(self, points: Any) -> np.ndarray:
        """Whether each row of ``points`` satisfies ``A x <= b`` (exactly in exact mode; in
        float mode with no tolerance)."""
        pts = _numbers.coerce_array(points, "points", 2)
        exact = _numbers.is_rational(self.A)
        return np.all(_numbers.convert(pts, exact) @ self.A.T <= self.b, axis=1)


@dataclass(frozen=True, eq=False)
class PolyhedralPartition:
    """The activation regions of a network on a domain of any dimension; made by
    :func:`regions.partition`.

    Attributes
    ----------
    network : Network or Graph
        The network partitioned (for a slice, the original network).
    domain : None, Box, Polytope or Slice
    dim : int
        d, the dimension of the space partitioned (the slice's for a Slice).
    exact : bool
    arithmetic : str
        ``"float"`` or ``"rational"``.
    tol : float
    patterns : tuple of ndarray
        One int8 array of shape (num_regions, width) per layer (the codes of
        :class:`regions.Partition`).
    layer_names : tuple of str
    cell_region : ndarray of int
        The region of each cell of the engine's complex.

    Also: ``num_regions``, ``num_linear_regions``, ``linear_maps`` (R, outputs, d),
    ``offsets`` (R, outputs), ``bounded``, ``volumes``, ``adjacency`` (E, 2), ``locate``,
    ``region(i)`` (a :class:`PolyhedralRegion`), iteration and ``len``. Maps, volumes,
    adjacency and regions are computed on first use.

    References
    ----------
    .. [1] A. Berzins, "Polyhedral Complex Extraction from ReLU Networks using Edge
       Subdivision", ICML 2023.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from regions import Network, Box, partition
    >>> net = Network([[[1, 1, 0], [0, 1, -1]], [[1, 1]]], [[0, 0], [0]], "relu")
    >>> part = partition(net, Box([Fraction(-1)] * 3, [Fraction(1)] * 3))
    >>> part.num_regions, part.adjacency.tolist(), part.volumes.tolist()
    (4, [[0, 1], [0, 2], [1, 3], [2, 3]], [Fraction(8, 3), Fraction(4, 3), Fraction(4, 3), Fraction(8, 3)])
    >>> reg = part.region(0)
    >>> reg.pattern[0].tolist(), reg.A.shape, reg.vertices.shape, reg.bounded
    ([1, 1], (5, 3), (5, 3), True)
    """

    network: Network | Graph
    domain: Any
    dim: int
    exact: bool
    arithmetic: str
    tol: float
    patterns: tuple[np.ndarray, ...]
    layer_names: tuple[str, ...]
    cell_region: np.ndarray = field(repr=False)
    _X: np.ndarray = field(repr=False)  # homogeneous vertex rows (working kind)
    _B: np.ndarray = field(repr=False)  # label bitsets per vertex
    _real: np.ndarray = field(repr=False)  # real labels (bool per label)
    _inf: int = field(repr=False)  # the label of the face at infinity
    _cell_ptr: np.ndarray = field(repr=False)  # cell c: _cell_vertices[ptr[c]:ptr[c + 1]]
    _cell_vertices: np.ndarray = field(repr=False)
    _out: np.ndarray = field(repr=False)  # network outputs at the vertices
    _model: Network | Graph = field(repr=False)  # the network in domain coordinates
    _kind: NumberKind = field(repr=False)

    # -- counts ----------------------------------------------------------------------------

    @property
    def num_regions(self) -> int:
        """Number of activation regions."""
        return int(self.patterns[0].shape[0]) if self.patterns else 1

    def __len__(self) -> int:
        return self.num_regions

    def __iter__(self) -> Iterator[PolyhedralRegion]:
        return (self.region(i) for i in range(self.num_regions))

    @property
    def num_cells(self) -> int:
        """Number of cells of the engine's complex (regions cut by the fan's walls)."""
        return int(self._cell_ptr.shape[0]) - 1

    def _cell(self, c: int) -> np.ndarray:
        return self._cell_vertices[self._cell_ptr[c]: self._cell_ptr[c + 1]]

    @cached_property
    def _region_cells(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.cell_region, kind="stable")
        starts = np.searchsorted(self.cell_region[order], np.arange(self.num_regions + 1))
        return order, starts

    def _cells_of(self, i: int) -> np.ndarray:
        order, starts = self._region_cells
        return order[starts[i]: starts[i + 1]]

    @cached_property
    def bounded(self) -> np.ndarray:
        """Whether each region is bounded."""
        points = (self._X[:, -1] != 0)[self._cell_vertices].astype(np.int8)
        cell_bounded = np.minimum.reduceat(points, self._cell_ptr[:-1]) > 0
        out = np.ones(self.num_regions, dtype=bool)
        np.logical_and.at(out, self.cell_region, cell_bounded)
        return out

    # -- maps ------------------------------------------------------------------------------

    @cached_property
    def _maps(self) -> tuple[np.ndarray, np.ndarray]:
        lowered = lower(self._model, self._kind)
        R = self.num_regions
        J = lowered.jacobians(self.patterns, np.arange(R))
        # the offset from a finite vertex of each region's first cell
        first = self._cells_of_first()
        is_point = np.flatnonzero(self._X[self._cell_vertices, -1] != 0)  # every cell has one
        v = self._cell_vertices[is_point[np.searchsorted(is_point, self._cell_ptr[first])]]
        x, out = self._X[v, :-1], self._out[v]
        off = out - np.einsum("roi,ri->ro", J, x) if J.dtype != object else \
            out - np.array([Ji @ xi for Ji, xi in zip(J, x)]).reshape(out.shape)
        return self._kind.export(np.ascontiguousarray(J)), self._kind.export(off)

    def _cells_of_first(self) -> np.ndarray:
        order, starts = self._region_cells
        return order[starts[:-1]]

    @property
    def linear_maps(self) -> np.ndarray:
        """The linear part of the network on each region, shape (num_regions, outputs, d)."""
        return self._maps[0]

    @property
    def offsets(self) -> np.ndarray:
        """The offset of the network on each region, shape (num_regions, outputs)."""
        return self._maps[1]

    # -- adjacency and linear regions -------------------------------------------------------

    @cached_property
    def adjacency(self) -> np.ndarray:
        """Pairs ``(i, j)``, i < j, of regions sharing a facet ((d - 1)-dimensional
        intersection), shape (E, 2).

        Found from the cells, over arrays: the complex is face to face, so two cells share
        a facet iff they have the same facet, i.e. the same vertex set F(c, l) of a label l
        (a label face with a point, not the whole cell) that is maximal (no other label
        face of the cell strictly contains it: every label common to F's vertices has a
        face F or the whole cell). Faces are matched by two 64-bit hashes of their vertex
        sets and their sizes, and matched faces compared vertex by vertex."""
        pairs = _cell_adjacency(self._cell_ptr, self._cell_vertices, self._B, self._X,
                                self._inf, self.dim)
        reg = self.cell_region[pairs]
        reg = reg[reg[:, 0] != reg[:, 1]]
        reg = np.sort(reg, axis=1)
        out = np.unique(reg, axis=0) if reg.shape[0] else reg.reshape(0, 2)
        out = np.ascontiguousarray(out, dtype=np.int64)
        out.setflags(write=False)
        return out

    @cached_property
    def linear_region_labels(self) -> np.ndarray:
        """For each region, the label of its linear region: adjacent regions with the same
        affine map get one label (exactly; in float mode, Jacobians from the patterns
        equal within ``tol`` times the same products over absolute values)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        R = self.num_regions
        left, right = self.adjacency[:, 0], self.adjacency[:, 1]
        if self.exact:
            maps = self.linear_maps
            same = np.all(maps[left] == maps[right], axis=(1, 2))
        else:
            same = same_maps(lower(self._model, False), self.patterns, left, right, self.tol)
        graph = coo_matrix((np.ones(int(same.sum())), (left[same], right[same])), shape=(R, R))
        return connected_components(graph, directed=False)[1]

    @property
    def num_linear_regions(self) -> int:
        """Number of linear regions: regions joined across facets where the affine map does
        not change."""
        labels = self.linear_region_labels
        return int(labels.max()) + 1 if labels.size else 0

    # -- volumes ---------------------------------------------------------------------------

    @cached_property
    def volumes(self) -> np.ndarray:
        """Volume of each region: ``inf`` if unbounded; Fractions (object array) in exact
        mode, float64 otherwise. Sums of the cells' volumes from a pulling triangulation."""
        out = self._volumes_of(np.arange(self.num_cells))
        out.setflags(write=False)
        return out

    def _volumes_of(self, cells: np.ndarray) -> np.ndarray:
        """The regions' volumes summed over the given cells only (the other regions get 0,
        unbounded ones ``inf``): simplices of a pulling triangulation of every bounded cell
        (:func:`_pulling_simplices`), their determinants over arrays (exact in exact
        mode)."""
        R, n = self.num_regions, self.dim
        cells = cells[self.bounded[self.cell_region[cells]]]
        cnt = np.diff(self._cell_ptr)[cells]
        ptr = np.zeros(cells.shape[0] + 1, dtype=np.int64)
        np.cumsum(cnt, out=ptr[1:])
        where = np.arange(int(ptr[-1])) + np.repeat(self._cell_ptr[cells] - ptr[:-1], cnt)
        simplices, owner = _pulling_simplices(ptr, self._cell_vertices[where], self._B, n)
        owner = self.cell_region[cells[owner]]
        fact = math.factorial(n)
        if self.exact:
            out = np.empty(R, dtype=object)
            out[:] = [Fraction(0)] * R
            if simplices.shape[0]:
                P = self._X[simplices, :-1]
                det = _exact_dets(P[:, 1:] - P[:, :1])
                vol = np.array([abs(to_fraction(v)) for v in det], dtype=object)
                np.add.at(out, owner, vol)
                out = np.array([v / fact for v in out], dtype=object)
            out[~self.bounded] = float("inf")
        else:
            out = np.zeros(R)
            if simplices.shape[0]:
                P = self._X[simplices, :-1].astype(float)
                vol = np.abs(np.linalg.det(P[:, 1:] - P[:, :1])) / fact
                np.add.at(out, owner, vol)
            out[~self.bounded] = np.inf
        return out

    # -- one region ------------------------------------------------------------------------

    def region(self, i: int) -> PolyhedralRegion:
        """Region ``i`` as a :class:`PolyhedralRegion` (facets, vertices and rays computed
        from the cells' vertex-label incidences)."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"i must be an integer region index, got {type(i).__name__}")
        R = self.num_regions
        if not -R <= i < R:
            raise ValueError(f"i must be a region index in [0, {R}); got {i}")
        i = int(i) % R
        cells = self._cells_of(i)
        ids = np.unique(np.concatenate([self._cell(int(c)) for c in cells]))
        real = self._real
        masks = _label_masks(ids, self._B, real)
        # the region's vertices: maximal zero sets over the real labels
        Zs = [0] * len(ids)
        for lab, m in masks.items():
            for k in _bits(m):
                Zs[k] |= 1 << lab
        keep = [k for k in range(len(ids))
                if not any(k2 != k and Zs[k] & ~Zs[k2] == 0 for k2 in range(len(ids)))]
        ids = ids[keep]
        masks = _label_masks(ids, self._B, real)
        X = self._X[ids]
        d = self.dim
        masks.pop(self._inf, None)  # the face at infinity is no facet (nor any face of
        facets = _facets(ids, self._B, real, d, masks, _points_mask(X))  # directions only)
        rows_a, rows_b = [], []
        for f in facets:
            on = _bits(f)
            off = [k for k in range(len(ids)) if not (f >> k) & 1]
            normal = _null_vector(X[on], self.exact)
            val = X[off[0]] @ normal
            if val < 0:
                normal = -normal
            rows_a.append(-normal[:-1])
            rows_b.append(normal[-1])
        export = self._kind.export
        A = export(np.array(rows_a, dtype=X.dtype).reshape(-1, d))
        b = export(np.array(rows_b, dtype=X.dtype).reshape(-1))
        finite = X[:, -1] != 0
        # one region's volume from its own cells, unless every volume is known already
        vol = (self.volumes[i] if "volumes" in self.__dict__
               else self._volumes_of(np.asarray(cells, dtype=np.int64))[i])
        return PolyhedralRegion(
            index=i, pattern=tuple(p[i] for p in self.patterns),
            linear_map=self.linear_maps[i], offset=self.offsets[i], A=A, b=b,
            vertices=export(X[finite, :-1]), rays=export(X[~finite, :-1]),
            bounded=bool(self.bounded[i]), volume=vol)

    # -- points ----------------------------------------------------------------------------

    def locate(self, points: Any) -> np.ndarray:
        """The index of the region holding each point (rows, domain coordinates), found by
        its activation pattern; ``-1`` outside the domain, or where a point on a boundary
        has a tie-rule pattern (the piece below on every threshold it lies on) that no
        region of positive volume has (a point on a single boundary gets one of the two
        regions beside it)."""
        pts = _numbers.coerce_array(points, "points", 2, f"2-D array of shape (k, {self.dim})")
        if pts.shape[1] != self.dim:
            raise ValueError(f"points must have shape (k, {self.dim}); got shape {pts.shape}")
        exact = self.exact or _numbers.is_rational(pts)
        kind = RATIONAL if exact else self._kind
        rows, _ = lower(self._model, kind).point_patterns(kind.convert(pts))
        query = pattern_rows(rows)
        keys = pattern_rows(self.patterns)
        order = np.argsort(keys)
        pos = np.minimum(np.searchsorted(keys[order], query), max(0, len(order) - 1))
        found = keys[order][pos] == query
        out = np.where(found, order[pos], -1)
        dom = self.domain.domain if isinstance(self.domain, Slice) else self.domain
        if dom is not None:
            out = np.where(dom.contains(pts), out, -1)
        return out

    def __repr__(self) -> str:
        where = "whole space" if self.domain is None else repr(self.domain)
        return (f"PolyhedralPartition(num_regions={self.num_regions}, dim={self.dim}, {where}, "
                f"{self.arithmetic})")


# -- combinatorics on vertex-label incidences --------------------------------------------------


def _cell_adjacency(ptr: np.ndarray, flat: np.ndarray, B: np.ndarray, X: np.ndarray,
                    inf: int, n: int) -> np.ndarray:
    """Pairs of cells sharing a facet (see :attr:`PolyhedralPartition.adjacency`)."""
    nF = ptr.shape[0] - 1
    cnt = np.diff(ptr)
    cell_of = np.repeat(np.arange(nF), cnt)
    W = B.shape[1]
    L = 64 * W
    # (incidence, label) pairs, sorted by (cell, label), vertices increasing within
    Bf = B[flat]
    Bf[:, inf // 64] &= ~np.uint64(1 << (inf % 64))
    inc, lab = _incidence_labels(flat, B, inf)
    if not inc.shape[0]:
        return np.zeros((0, 2), dtype=np.int64)
    total = int(flat.shape[0])
    inc, starts, count, fkey = _groups(cell_of[inc] * np.int64(L) + lab, inc, total)
    fcell = fkey // L
    # candidate facets: at least n vertices, not the whole cell, with a point; their
    # incidences gathered (faces in order, vertices increasing within)
    cand = np.flatnonzero((count >= n) & (count < cnt[fcell]))
    k = count[cand]
    verts = flat[inc[np.repeat(starts[cand], k) + _ranks(k)]]
    cstart = np.cumsum(k) - k
    points = np.add.reduceat((X[verts, -1] != 0).astype(np.int64), cstart) > 0 \
        if cand.shape[0] else np.zeros(0, dtype=bool)
    # maximality: every label common to the face's vertices has the face or the cell
    common = np.bitwise_and.reduceat(Bf[inc[np.repeat(starts[cand], k) + _ranks(k)]], cstart,
                                     axis=0) if cand.shape[0] else np.zeros((0, W), np.uint64)
    ok = points.copy()
    r, lab2 = _set_bits(common)
    ci = cand[r]
    q = fcell[ci] * np.int64(L) + lab2
    at = np.minimum(np.searchsorted(fkey, q), fkey.shape[0] - 1)
    c2 = np.where(fkey[at] == q, count[at], -1)
    bad = (c2 != count[ci]) & (c2 != cnt[fcell[ci]])
    ok[r[bad]] = False
    sel = np.flatnonzero(ok)
    cand, cstart, k = cand[sel], cstart[sel], k[sel]
    # one entry per (cell, face), then faces matched across cells by two hashes of their
    # vertex sets and their sizes
    rng = np.random.default_rng(20230723)
    h1 = np.asarray(rng.integers(0, 2**63, size=X.shape[0], dtype=np.int64)).view(np.uint64)
    h2 = np.asarray(rng.integers(0, 2**63, size=X.shape[0], dtype=np.int64)).view(np.uint64)
    fv = verts[np.repeat(cstart, k) + _ranks(k)]
    fstart = np.cumsum(k) - k
    with np.errstate(over="ignore"):
        s1 = np.add.reduceat(h1[fv], fstart) if k.shape[0] else np.zeros(0, np.uint64)
        s2 = np.add.reduceat(h2[fv], fstart) if k.shape[0] else np.zeros(0, np.uint64)
    cols = (s1.view(np.int64), s2.view(np.int64), k, fcell[cand])
    order = np.lexsort(cols[::-1])
    table = np.stack([c[order] for c in cols], axis=1)
    fresh = np.r_[True, np.any(table[1:] != table[:-1], axis=1)]  # one per (face, cell)
    order, table = order[fresh], table[fresh]
    same = np.all(table[1:, :3] == table[:-1, :3], axis=1)
    i = np.flatnonzero(same)
    a, b = order[i], order[i + 1]
    if i.shape[0] and np.any(same[1:] & same[:-1]):
        raise FloatModeError("partition: a facet is shared by more than two cells (float "
                           "rounding at a near-degenerate vertex); use exact=True")
    # compare the matched faces' vertices (hash collisions)
    ka = k[a]
    pos = _ranks(ka)
    va = fv[np.repeat(fstart[a], ka) + pos]
    vb = fv[np.repeat(fstart[b], ka) + pos]
    equal = np.logical_and.reduceat(va == vb, np.cumsum(ka) - ka) if ka.shape[0] else \
        np.zeros(0, dtype=bool)
    fc = fcell[cand]
    return np.stack([fc[a][equal], fc[b][equal]], axis=1)


def _incidence_labels(flat: np.ndarray, B: np.ndarray,
                      drop: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(incidence, label) pairs of the vertex ids ``flat``: every label of each vertex
    (but ``drop``), the bits extracted once per distinct vertex and expanded."""
    ids, where = np.unique(flat, return_inverse=True)
    words = B[ids]
    if drop is not None:
        words[:, drop // 64] &= ~np.uint64(1 << (drop % 64))
    vrow, vlab = _set_bits(words)
    order = np.argsort(vrow, kind="stable")
    vlab = vlab[order]
    per = np.bincount(vrow, minlength=ids.shape[0])
    start = per.cumsum() - per
    k = per[where.reshape(-1)]
    inc = np.repeat(np.arange(flat.shape[0]), k)
    lab = vlab[np.repeat(start[where.reshape(-1)], k) + _ranks(k)]
    return inc, lab


def _groups(key: np.ndarray, inc: np.ndarray, total: int) -> tuple[np.ndarray, ...]:
    """The ``(key, inc)`` pairs grouped by key: ``inc`` sorted by key, then increasing
    (non-negative, below ``total``), and each group's start, size and key. One sort of the
    two packed into an int64 where they fit, else a lexsort."""
    bits = max(1, total.bit_length())
    if int(key.max(initial=0)) < (1 << (62 - bits)):
        packed = np.sort((key << bits) | inc)
        key, inc = packed >> bits, packed & ((1 << bits) - 1)
    else:
        order = np.lexsort((inc, key))
        key, inc = key[order], inc[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return inc, starts, np.diff(np.r_[starts, key.shape[0]]), key[starts]


def _set_bits(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The set bits of rows of uint64 words (N, W): (row, bit index) pairs, lowest bit
    first, by repeatedly taking each row's lowest set bit."""
    rows_out, bits_out = [], []
    for w in range(words.shape[1]):
        x = words[:, w].copy()
        live = np.flatnonzero(x)
        while live.shape[0]:
            xs = x[live]
            low = xs & (~xs + np.uint64(1))
            rows_out.append(live)
            bits_out.append(64 * w + np.log2(low.astype(np.float64)).astype(np.int64))
            x[live] = xs ^ low
            live = live[x[live] != 0]
    if not rows_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows_out), np.concatenate(bits_out)


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., c - 1 for every c in ``counts``, concatenated."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


_SIMPLEX_CHUNK = 1 << 16


def _pulling_simplices(ptr: np.ndarray, flat: np.ndarray, B: np.ndarray,
                       n: int) -> tuple[np.ndarray, np.ndarray]:
    """A pulling triangulation of every bounded cell c (its vertex ids
    ``flat[ptr[c]:ptr[c + 1]]``, increasing; labels ``B``): rows of n + 1 vertex ids and
    the cell of each simplex.

    Level by level over arrays: a face F of dimension d with d + 1 vertices is a simplex;
    otherwise F is coned from its first vertex v0 over its facets that miss v0, each a
    maximal proper label face ``{v in F : l in Z(v)}`` (labels are complete, so every
    facet is one; it has at least d vertices, and it is maximal iff no label common to
    its vertices has a face strictly between it and F). Equal vertex sets from several
    labels are taken once. Cells are taken in chunks of about :data:`_SIMPLEX_CHUNK`
    vertex incidences."""
    ncell = ptr.shape[0] - 1
    L = 64 * B.shape[1]
    rng = np.random.default_rng(20230723)
    h1 = np.asarray(rng.integers(0, 2**62, size=B.shape[0], dtype=np.int64))
    h2 = np.asarray(rng.integers(0, 2**62, size=B.shape[0], dtype=np.int64))
    out_s, out_o = [], []
    cum = ptr[1:]
    c0 = 0
    while c0 < ncell:
        c1 = int(np.searchsorted(cum, ptr[c0] + _SIMPLEX_CHUNK, "right"))
        c1 = min(ncell, max(c1, c0 + 1))
        owner = np.arange(c0, c1)
        cnt = np.diff(ptr[c0: c1 + 1])
        verts = flat[ptr[c0]: ptr[c1]]
        prefix = np.zeros((owner.shape[0], 0), dtype=np.int64)
        for d in range(n, 0, -1):
            start = np.cumsum(cnt) - cnt
            done = np.flatnonzero(cnt == d + 1)
            if done.shape[0]:
                V = verts[start[done][:, None] + np.arange(d + 1)[None, :]]
                out_s.append(np.concatenate([prefix[done], V], axis=1))
                out_o.append(owner[done])
            live = np.flatnonzero(cnt > d + 1)
            if not live.shape[0] or d == 1:
                break
            cnt_l = cnt[live]
            verts = verts[np.repeat(start[live], cnt_l) + _ranks(cnt_l)]
            owner, prefix, cnt = owner[live], prefix[live], cnt_l
            start = np.cumsum(cnt) - cnt
            total = int(cnt.sum())
            state_of = np.repeat(np.arange(cnt.shape[0]), cnt)
            # (face, label) groups of incidences, incidences increasing within a group
            inc, lab = _incidence_labels(verts, B)
            inc, gstart, gcount, gkey = _groups(state_of[inc] * np.int64(L) + lab, inc, total)
            gstate = gkey // L
            cand = np.flatnonzero((gcount >= d) & (gcount < cnt[gstate]))
            # facets: maximal; and the ones missing v0 (a group's first incidence)
            gv = verts[inc]
            common = np.bitwise_and.reduceat(B[gv], gstart, axis=0)[cand]
            r, lab2 = _set_bits(common)
            cs = gstate[cand[r]]
            at = np.searchsorted(gkey, cs * np.int64(L) + lab2)
            c2 = gcount[at]
            bad = (c2 != gcount[cand[r]]) & (c2 != cnt[cs])
            ok = np.ones(cand.shape[0], dtype=bool)
            ok[r[bad]] = False
            cand = cand[ok]
            cand = cand[inc[gstart[cand]] != start[gstate[cand]]]
            # one per vertex set
            with np.errstate(over="ignore"):
                s1 = np.add.reduceat(h1[gv], gstart)[cand]
                s2 = np.add.reduceat(h2[gv], gstart)[cand]
            cols = (gstate[cand], gcount[cand], s1, s2)
            order = np.lexsort(cols[::-1])
            table = np.stack([c[order] for c in cols], axis=1)
            fresh = np.r_[True, np.any(table[1:] != table[:-1], axis=1)]
            cand = cand[order[fresh]]
            # the children
            gc = gcount[cand]
            st = gstate[cand]
            v0 = verts[start[st]]
            verts = gv[np.repeat(gstart[cand], gc) + _ranks(gc)]
            prefix = np.concatenate([prefix[st], v0[:, None]], axis=1)
            owner, cnt = owner[st], gc
        c0 = c1
    if not out_s:
        return np.zeros((0, n + 1), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_s), np.concatenate(out_o)


def _exact_dets(M: np.ndarray) -> np.ndarray:
    """Exact determinants of a stack (S, k, k) of rational matrices (object arrays):
    Gaussian elimination over the stack, each matrix pivoting on its own first nonzero
    entry of the column."""
    S, k = M.shape[0], M.shape[1]
    M = M.copy()
    one = M.flat[0] ** 0 if M.size else 1
    det = np.empty(S, dtype=object)
    det[:] = [one] * S
    alive = np.ones(S, dtype=bool)
    for c in range(k):
        nz = (M[:, c:, c] != 0).astype(bool)
        has = nz.any(axis=1)
        alive &= has
        p = c + np.argmax(nz, axis=1)
        idx = np.flatnonzero(has & (p != c))
        if idx.shape[0]:
            row = M[idx, c].copy()
            M[idx, c] = M[idx, p[idx]]
            M[idx, p[idx]] = row
            det[idx] = -det[idx]
        piv = np.where(has, M[:, c, c], one)
        det = det * piv
        if c + 1 < k:
            f = M[:, c + 1:, c] / piv[:, None]
            M[:, c + 1:, c:] = M[:, c + 1:, c:] - f[:, :, None] * M[:, None, c, c:]
    det[~alive] = 0 * one
    return det


def _bits(mask: int) -> list[int]:
    out, k = [], 0
    while mask:
        if mask & 1:
            out.append(k)
        mask >>= 1
        k += 1
    return out


def _label_masks(ids: np.ndarray, B: np.ndarray, real: np.ndarray | None) -> dict[int, int]:
    """For every label present at the vertices ``ids``: the bitmask of those vertices
    (positions in ``ids``) having it (only ``real`` labels if given)."""
    bits = np.unpackbits(B[ids].view(np.uint8), axis=1, bitorder="little").astype(bool)
    if real is not None:
        bits[:, real.shape[0]:] = False
        bits[:, : real.shape[0]] &= real[None, :]
    out = {}
    for lab in np.flatnonzero(bits.any(axis=0)).tolist():
        col = np.packbits(bits[:, lab], bitorder="little")
        out[lab] = int.from_bytes(col.tobytes(), "little")
    return out


def _maximal(sets: set[int]) -> list[int]:
    items = sorted(sets, key=lambda s: -bin(s).count("1"))
    out: list[int] = []
    for s in items:
        if not any(s & ~t == 0 for t in out):
            out.append(s)
    return out


def _points_mask(X: np.ndarray) -> int:
    """The bitmask of the rows of ``X`` that are points (w != 0)."""
    return sum(1 << k for k in np.flatnonzero(X[:, -1] != 0).tolist())


def _facets(ids: np.ndarray, B: np.ndarray, real: np.ndarray | None, n: int,
            masks: dict[int, int] | None = None, points: int = -1) -> list[int]:
    """The facets of the polyhedron with vertices ``ids`` (homogeneous: points and
    directions) as bitmasks over ``ids``: the maximal proper label faces with a point
    (``points``: the mask of the points; a face of directions only lies at infinity)."""
    if masks is None:
        masks = _label_masks(ids, B, real)
    full = (1 << len(ids)) - 1
    cand = {m for m in masks.values()
            if m != full and m & points and bin(m).count("1") >= n}
    return _maximal(cand)


def _null_vector(P: np.ndarray, exact: bool) -> np.ndarray:
    """A nonzero vector a with P a = 0, P of rank (columns - 1)."""
    if not exact:
        _, _, vt = np.linalg.svd(P.astype(float))
        a = vt[-1]
        return a / np.abs(a[:-1]).max()
    rows = [[to_fraction(v) for v in row] for row in P.tolist()]
    m = P.shape[1]
    pivots, r = [], 0
    for c in range(m):
        p = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        piv = rows[r][c]
        rows[r] = [v / piv for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        pivots.append(c)
        r += 1
    free = next(c for c in range(m) if c not in pivots)
    a = [Fraction(0)] * m
    a[free] = Fraction(1)
    for i, c in enumerate(pivots):
        a[c] = -rows[i][free]
    scale = max(abs(v) for v in a[:-1])
    return RATIONAL.convert(np.array([v / scale for v in a], dtype=object))


# -- the driver ----------------------------------------------------------------------------------


def _restrict(net: Network | Graph, sl: Slice, exact: bool) -> Network | Graph:
    """The network as a function of the slice's coordinates."""
    D = _numbers.convert(sl.directions, exact)
    o = _numbers.convert(sl.origin, exact)
    if isinstance(net, Graph):
        return compose_input(net.convert(exact), D.T, o)
    w = [_numbers.convert(x, exact) for x in net.weights]
    b = [_numbers.convert(x, exact) for x in net.biases]
    return Network([w[0] @ D.T] + w[1:], [w[0] @ o + b[0]] + b[1:],
                   [a.name for a in net.activations])


def polyhedral_partition(net: Network | Graph, domain: Any = None,
                         exact: bool | NumberKind | None = None, *,
                         tol: float | None = None) -> PolyhedralPartition:
    """Partition a domain of any dimension into the activation regions of ``net``.

    :func:`regions.partition` calls this for every domain but the planar ones.

    Parameters
    ----------
    net : Network or Graph
        Elementwise activations (ReLU, leaky ReLU, hard-tanh, ...) and group maxima (max
        pooling, maxout).
    domain : None, Box, Polytope or Slice
        None: all of R^n0 (unbounded regions kept exactly).
    exact : bool, None or NumberKind
        True: rational arithmetic (:data:`regions.kinds.RATIONAL`); False: float64 with
        ``tol``; None: exact if the network or the domain holds Fractions.
    tol : float, optional
        Float mode's relative tolerance (default :data:`POLYHEDRAL_TOLERANCE`).

    Returns
    -------
    PolyhedralPartition

    References
    ----------
    .. [1] A. Berzins, "Polyhedral Complex Extraction from ReLU Networks using Edge
       Subdivision", ICML 2023.

    Examples
    --------
    >>> from regions import random_network
    >>> net = random_network([4, 6, 1], "relu", sigma_b=1.0, seed=0)
    >>> polyhedral_partition(net).num_regions    # 6 hyperplanes in general position in R^4
    57
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    if domain is not None and not isinstance(domain, (Box, Polytope, Slice)):
        raise TypeError(f"domain must be None, a regions.Box, a regions.Polytope or a "
                        f"regions.Slice; got {type(domain).__name__}")
    n0 = net.input_size
    if isinstance(domain, Slice):
        if domain.input_dim != n0:
            raise ValueError(f"domain is a Slice of a {domain.input_dim}-dimensional input but "
                             f"the network's input width is {n0}")
        inner = domain.domain
        d = domain.dim
    else:
        inner = domain
        d = n0
        if domain is not None and domain.dim != n0:
            raise ValueError(f"domain must have the network's input dimension {n0}; got a "
                             f"{type(domain).__name__} of dimension {domain.dim}")
    inferred = net.is_exact or (domain is not None and domain.is_exact)
    kind = as_kind(exact, inferred, tol, POLYHEDRAL_TOLERANCE, "partition", "net or domain")
    if isinstance(kind, CertifiedKind):
        kind = kind.exact
    is_exact = kind.is_exact
    model = _restrict(net, domain, is_exact) if isinstance(domain, Slice) else net
    lowered = lower(model, kind)
    box = halfspaces = None
    if isinstance(inner, Box):
        box = (inner.lower, inner.upper)
    elif isinstance(inner, Polytope):
        halfspaces = (inner.A, inner.b)
    engine = PolyhedralEngine(d, kind, lowered.stages, box=box, halfspaces=halfspaces)
    run_partition_layers(engine, lowered.stages)
    cell_patterns = engine.cell_patterns()
    if engine.real.all():  # no artificial walls: every cell is a region
        cell_region = np.arange(engine.nF, dtype=np.int64)
        firsts = cell_region
    else:  # cells with one pattern make one region, numbered in the order of first cells
        keys = pattern_rows(cell_patterns) if cell_patterns else np.zeros(engine.nF, "V1")
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        rank = np.empty(first.shape[0], dtype=np.int64)
        rank[np.argsort(first)] = np.arange(first.shape[0])
        cell_region = rank[inverse.reshape(-1)]
        firsts = np.sort(first)
    patterns = tuple(p[firsts].copy() for p in cell_patterns)
    for p in patterns:
        p.setflags(write=False)
    nV = engine.nV
    ptr, flat = engine.cells_flat()
    n_out = lowered.stages[-1].width
    return PolyhedralPartition(
        network=net, domain=domain, dim=d, exact=is_exact, arithmetic=kind.name,
        tol=kind.tol, patterns=patterns, layer_names=lowered.names, cell_region=cell_region,
        _X=engine.X[: nV + 1].copy(), _B=engine.B[: nV + 1].copy(), _real=engine.real,
        _inf=engine.inf_label,
        _cell_ptr=ptr, _cell_vertices=flat, _out=engine.H[: nV + 1, :n_out].copy(),
        _model=model, _kind=kind)
