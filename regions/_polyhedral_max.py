"""Group maxima (max pooling, maxout) in the n-dimensional engine :mod:`regions._polyhedral`.

A group-max stage outputs, per group g of entries f_1..f_k (affine on every cell of the
complex at the stage's start), ``max_a f_a``; its activation pattern on a region is, per
group, the position of the maximum (the first one on ties), as in the planar engine
(:mod:`regions._planar`) and :meth:`regions._stages.Lowered.point_patterns`.

Method: a tournament, then regions as unions of cells
------------------------------------------------------
With m the running maximum of entries 1..i-1 of a group (affine on every cell once those
entries are done), the cells are cut where g_i = f_i - m crosses 0, for i = 2..k: g_i is
continuous and affine on every cell, so this is exactly the engine's neuron cut (threshold
0, edge subdivision, the combinatorial edge test), with its own *tournament label*. A cell
is only cut where the challenger beats the current maximum on part of it (both strict signs
at its vertices), so a group costs at most k - 1 cuts per cell, the comparisons that matter
in a tournament. Afterwards m = max(m, f_i) is affine on every cell again. A cell's code is
the first entry equal to the final m at all of its vertices (points and directions), which
on a cell where f_a - m is affine and <= 0 means on the whole cell: the pattern of every
interior point, first on ties, in exact mode even when two entries are identical.

A tournament can cut where the final argmax does not change (an entry that is later
overtaken on both sides of an earlier cut). The planar engine merges such fragments back;
here they stay cells of one region: merging a cell in n dimensions leaves vertices of its
neighbours (which may be split there by the same cut, with different argmaxes) inside the
merged cell's facets, and the engine needs a face-to-face complex. Instead the tournament
labels are *artificial* (like the walls of the starting fan), and a region is the union of
the cells with its pattern (:func:`regions.polyhedral.polyhedral_partition` already merges
cells by pattern, exactly: ``{x : pattern(x) = s}`` is convex). The region boundaries get
real labels: for every group and pair a < b of its entries, the label "f_a = f_b = max",
set at every vertex where it holds. It is a face of every cell (f_a - f_b >= 0 on a cell
whose argmax is a; the intersection of the faces f_c = f_a and f_c = f_b on one whose argmax
is c), and complete (a vertex made later on an edge has it iff both ends have it), so the
labels stay valid for the engine's combinatorial adjacency test, and every facet of a region
that a group maximum makes is one of these labels, as the region's facets, vertices and rays
(:meth:`regions.polyhedral.PolyhedralPartition.region`) need. For k = 2 the one tournament
wall f_2 = f_1 is the argmax boundary everywhere (on a cell where f_1 = f_2 identically it
holds on the whole cell, which is no facet): its label is real and there are no pair labels
(duplicate labels would only weaken the engine's prefilter of vertex pairs).

The order of the tournament is free (the codes are read off the final maximum), and it sets
how many cuts are wasted: each group's entries go by the number of vertices of the complex
where they are the maximum, most first (a measured 2632 cells instead of 2743 to 4907 for
the fixed orders, 1354 regions, two rank-3 maxout layers in a 4-D box). When the first stage
is a group maximum and the domain is the whole space, the first round's functions
f_b - f_a are global affine functions, so the engine starts from the cones of n independent
ones (:func:`first_round`, their walls tournament labels) instead of its fan of n + 1 cones
(its order then fixed from the origin and the directions +-e_i); with fewer than n groups it
keeps the fan.

Cost: per stage, k - 1 rounds of cuts, each a neuron cut per group (O(V + E) signs and
crossing edges, the candidate cells' incidences, the new vertices' edges by the
combinatorial test; every state column, candidates included, is interpolated at new
vertices); the cells' codes in one pass over the cells' incidences (O(I G k)); the pair
labels in one pass over the vertices (O(V G k^2)); both from one (V, G, k) comparison
packed to bits, in blocks. The complex can have more cells than regions (the tournament's
extra cuts, a factor that depends on the order of the entries: 1 for k = 2, 1.3 to 2.3
measured for k = 3), and later stages cut those cells too. Labels per stage: G (k - 1) artificial
and G k (k - 1) / 2 real (k > 2; G real for k = 2).

Float mode snaps g_i within ``tol`` times its scale of 0 (twice the largest scale of the
group's entries, the engine's data-scaled per-vertex scale), and takes an entry as equal to
the maximum within the same tolerance; a cell with no entry equal to its maximum raises
``RuntimeError``.

Examples
--------
One maxout unit whose four pieces <s, x> - |s|^2 / 2 are maximal on the Voronoi cells of the
sites s = 0, e_1, e_2, e_3 cuts R^3 into four unbounded regions, one per piece:

>>> import numpy as np
>>> from regions import GraphBuilder, partition
>>> sites = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
>>> b = GraphBuilder((3,))
>>> h = b.maxout(b.dense(b.input, sites, -(sites ** 2).sum(axis=1) / 2), 4)
>>> part = partition(b.build(h))
>>> part.num_regions, sorted(part.patterns[0][:, 0].tolist()), bool(part.bounded.any())
(4, [0, 1, 2, 3], False)

References
----------
.. [1] I. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville, Y. Bengio, "Maxout
   Networks", ICML 2013.
.. [2] A. Berzins, "Polyhedral Complex Extraction from ReLU Networks using Edge
   Subdivision", ICML 2023 (edge subdivision).
.. [3] K. Fukuda, A. Prodon, "Double description method revisited", LNCS 1120, 1996 (the
   combinatorial adjacency test, valid for any complete set of face labels).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._stages import check_float_range, padded_groups

__all__ = ["MaxStageMixin", "first_round", "max_stage_labels", "mark_artificial"]

_CHUNK = 1 << 18  # entries of a (rows, groups, k) comparison block


def _pairs(k: int) -> int:
    """Pair labels per group: none for k = 2, where the one tournament wall f_2 = f_1 is
    the argmax boundary and its label is real."""
    return k * (k - 1) // 2 if k > 2 else 0


def max_stage_labels(st: Any) -> int:
    """Labels a group-max stage reserves: G (k - 1) tournament labels, then G k (k - 1) / 2
    pair labels ("f_a = f_b = max") if k > 2."""
    G, k = st.groups.shape
    return G * (k - 1) + G * _pairs(k)


def mark_artificial(real: np.ndarray, stages: Any, bases: Any) -> None:
    """Mark the tournament labels of every group-max stage with k > 2 as artificial in
    ``real``."""
    for st, base in zip(stages, bases):
        if st.is_max and st.groups.shape[1] > 2:
            G, k = st.groups.shape
            real[int(base): int(base) + G * (k - 1)] = False


def first_round(st: Any, n: int, kind: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first round of a first stage's tournament, g_j = f_b - f_a (a, b the first two
    entries of group j in :func:`_start_order`; 0 for a group of one entry), as gradients
    (n, G) and offsets (G,): global affine functions, from which the engine starts the
    whole space with the cones of n independent ones (their walls are tournament labels)."""
    L = st.pre(kind.convert(np.eye(n)), 0)  # (n, P)
    c = st.pre(kind.convert(np.zeros((1, n))), 1)[0]
    groups = padded_groups(st.groups)
    present = st.groups >= 0
    order = _start_order(st, n, kind)
    rounds = np.take_along_axis(groups, order, axis=1)
    if groups.shape[1] < 2:
        return L[:, :0], c[:0]
    live = np.take_along_axis(present, order, axis=1)[:, 1]
    a, b = rounds[:, 0], np.where(live, rounds[:, 1], rounds[:, 0])
    return L[:, b] - L[:, a], c[b] - c[a]


def _start_order(st: Any, n: int, kind: Any) -> np.ndarray:
    """The tournament order of a first stage (on an input of width ``n``) started from
    cones, fixed before the complex exists: vertex wins at the origin and the directions
    +-e_i."""
    eye = np.eye(n)
    Z = np.concatenate([st.pre(kind.convert(np.concatenate([eye, -eye])), 0),
                        st.pre(kind.convert(np.zeros((1, n))), 1)])
    return _tournament_order(Z, padded_groups(st.groups), st.groups >= 0)


def _tournament_order(F: np.ndarray, groups: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per group, the order of its entries in the tournament: by the number of vertices
    of the complex where each is the maximum, most first (padding last). The codes do not
    depend on it (they are read off the final maximum); the number of cuts that a later
    entry makes useless does."""
    cand = F[:, groups]  # (V, G, k)
    if cand.dtype == object:
        best = cand.max(axis=2)
        first = np.argmax(np.asarray(cand == best[:, :, None], dtype=bool), axis=2)
    else:
        first = np.argmax(cand, axis=2)
    G, k = groups.shape
    wins = np.zeros((G, k), dtype=np.int64)
    np.add.at(wins, (np.broadcast_to(np.arange(G), first.shape), first), 1)
    wins = np.where(present, wins, -1)
    return np.argsort(-wins, axis=1, kind="stable")


class MaxStageMixin:
    """The group-max stage of :class:`regions._polyhedral.PolyhedralEngine` (see the
    module docstring). Uses the engine's cut machinery: ``_parents_crossed``, ``_cut``,
    ``_label_zeros``, ``_snap`` and its arrays."""

    # provided by the engine
    n: int
    nV: int
    nF: int
    exact: bool
    tol: float
    kind: Any

    def _max_layer(self, st: Any) -> None:
        from ._polyhedral import BLOCK

        eng: Any = self
        n, nV = eng.n, eng.nV
        groups = padded_groups(st.groups)
        present = st.groups >= 0
        G, k = groups.shape
        P, c = st.num_pre, st.carry.shape[0]
        eng._reserve_vertices(2 * nV + 1024)
        cap = eng.X.shape[0]
        w = eng.X[:nV, n]
        # columns: [g_i per group | candidates | running maximum per group | carried]
        Z = eng.kind.zeros((cap, G + P + G + c))
        with np.errstate(over="ignore", invalid="ignore"):
            Z[:nV, G: G + P] = st.pre(eng.H[:nV], w)
        Z[:nV, G + P + G:] = eng.H[:nV][:, st.carry]
        run = slice(G + P, G + P + G)
        started = eng.pinned is not None and eng.stages_done == 0  # from first_round's cones
        order = _start_order(st, n, eng.kind) if started else \
            _tournament_order(Z[:nV, G: G + P], groups, present)
        rounds = np.take_along_axis(groups, order, axis=1)
        live = np.take_along_axis(present, order, axis=1)
        Z[:nV, run] = Z[:nV, G + rounds[:, 0]]
        eng.Z = Z
        zero = eng.zero
        if not eng.exact:
            width = eng.H.shape[1]
            cs = st.pre_abs(np.ones((1, width)), 0)[0]
            bb = st.pre_abs(np.zeros((1, width)), 1)[0]
            scale = eng.M[:nV, None] * cs[None, :] + w[:, None] * bb[None, :]
            check_float_range(Z[:nV, G: G + P], scale, st.name, "partition")
            del scale
            # g_i = f_i - m: twice the largest scale of the group's entries
            eng.colsum = 2 * cs[groups].max(axis=1)
            eng.babs = 2 * bb[groups].max(axis=1)
        eng.m = G
        eng._thresholds = [zero]
        eng.origin = np.arange(eng.start.shape[0], dtype=np.int64)
        base = int(eng.stage_bases[eng.stages_done])
        pair_base = base + G * (k - 1)
        eng.stages_done += 1
        eng.nlab = max(eng.nlab, base + max_stage_labels(st))
        eng.index = np.zeros((eng.start.shape[0], G), dtype=np.int8)  # (unused by codes)
        for i in range(1, k):
            nv = eng.nV
            Z = eng.Z
            Z[:nv, :G] = Z[:nv, G + rounds[:, i]] - Z[:nv, run]
            if started and i == 1:
                rows, cols, vals = eng.pinned  # exact zeros on the starting cones' walls
                Z[rows, cols] = vals
            if not eng.exact:
                eng._snap(np.arange(nv))
            for j0 in range(0, G, BLOCK):
                j1 = min(G, j0 + BLOCK)
                eng.parent = np.arange(eng.start.shape[0], dtype=np.int64)
                crosses, _ = eng._parents_crossed(j0, j1, [zero])
                for j in range(j0, j1):
                    if not live[j, i]:  # padding: f_first - m <= 0, never crosses
                        continue
                    label = base + j * (k - 1) + (i - 1)
                    marked = crosses[0][:, j - j0]
                    if not marked.any():
                        eng._label_zeros(j, zero, label)
                        continue
                    cand = np.flatnonzero(marked[eng.parent[: eng.nF]])
                    eng._cut(j, zero, label, cand)
            nv, Z = eng.nV, eng.Z
            up = np.flatnonzero(live[:, i])  # (padding repeats an entry already in m)
            Z[:nv, G + P + up] = np.maximum(Z[:nv, G + P + up], Z[:nv, G + rounds[up, i]])
        del eng.index
        packed = self._equal_to_max(groups, present, G, P)
        codes = self._cell_codes(packed, G, k)
        if k > 2:
            self._pair_labels(packed, G, k, pair_base)
        eng.layer_codes.append(codes)
        eng.layer_parents.append(eng.origin[: eng.nF].copy())
        nv = eng.nV
        if not eng.exact:
            top = float(cs.max(initial=0.0))
            eng.M[:nv] = eng.M[:nv] * max(top, 1.0) + eng.X[:nv, n] * float(
                bb.max(initial=0.0))
        eng.H = np.ascontiguousarray(eng.Z[:, G + P:])
        del eng.Z

    def _equal_to_max(self, groups: np.ndarray, present: np.ndarray, G: int,
                      P: int) -> np.ndarray:
        """Whether each entry equals its group's maximum at each vertex (float: within the
        tolerance; padding never), bits packed along the entries: (vertices, G, ceil(k/8))
        uint8, computed in blocks of vertices."""
        eng: Any = self
        n, nV = eng.n, eng.nV
        k = groups.shape[1]
        out = np.zeros((nV, G, (k + 7) // 8), dtype=np.uint8)
        step = max(1, _CHUNK // max(1, G * k))
        for r0 in range(0, nV, step):
            r1 = min(nV, r0 + step)
            Zr = eng.Z[r0:r1]
            cand = Zr[:, G + groups]  # (r, G, k)
            top = Zr[:, G + P: G + P + G][:, :, None]
            if eng.exact:
                eq = np.asarray(cand == top, dtype=bool)
            else:
                sc = (eng.M[r0:r1, None] * eng.colsum[None, :]
                      + eng.X[r0:r1, n][:, None] * eng.babs[None, :])
                eq = cand >= top - eng.tol * sc[:, :, None]
            out[r0:r1] = np.packbits(eq & present[None], axis=2, bitorder="little")
        return out

    def _cell_codes(self, packed: np.ndarray, G: int, k: int) -> np.ndarray:
        """Each cell's code per group: the first entry equal to the maximum at all of the
        cell's vertices (an AND of the packed bits over the cell's incidences)."""
        eng: Any = self
        ptr, flat = eng.cells_flat()
        if not flat.shape[0]:
            return np.zeros((eng.nF, G), dtype=np.int8)
        ok = np.bitwise_and.reduceat(packed[flat], ptr[:-1], axis=0)  # (cells, G, bytes)
        bits = np.unpackbits(ok, axis=2, count=k, bitorder="little").astype(bool)
        if not bits.any(axis=2).all():
            eng._inconsistent("a cell has no entry equal to its group's maximum")
        return np.argmax(bits, axis=2).astype(np.int8)

    def _pair_labels(self, packed: np.ndarray, G: int, k: int, pair_base: int) -> None:
        """Set the label "f_a = f_b = max" (group g, pair a < b) at every vertex where it
        holds."""
        eng: Any = self
        nV = packed.shape[0]
        ia, ib = np.triu_indices(k, 1)
        npairs = ia.shape[0]
        step = max(1, _CHUNK // max(1, G * npairs))
        one = np.uint64(1)
        for r0 in range(0, nV, step):
            rows = np.arange(r0, min(nV, r0 + step))
            eq = np.unpackbits(packed[rows], axis=2, count=k, bitorder="little").astype(bool)
            both = eq[:, :, ia] & eq[:, :, ib]  # (r, G, pairs)
            r, g, p = np.nonzero(both)
            if not r.shape[0]:
                continue
            lab = pair_base + g * npairs + p
            np.bitwise_or.at(eng.B, (rows[r], lab // 64),
                             one << (lab % 64).astype(np.uint64))
