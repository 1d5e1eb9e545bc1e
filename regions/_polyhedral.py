"""The n-dimensional engine behind :func:`regions.partition`: a polyhedral complex refined
neuron by neuron over arrays, by edge subdivision with a combinatorial edge test.

Design
------
The complex lives in homogeneous coordinates, as in :mod:`regions._planar`: a vertex is a
row ``(x, w)``, ``w = 1`` for a point and ``w = 0`` for a direction (a point at infinity), so
unbounded cells are polytopes like any other. Global arrays hold

* every vertex's coordinates, the current layer's values there (the network is continuous,
  so values belong to vertices; at a direction they are the rates of growth along it), and
  its *zero set* Z(v): a bitset (uint64 words) over *labels*. A label is a hyperplane every
  cell lies on one side of: every neuron and threshold processed so far, every facet of the
  domain, the face at infinity (``w >= 0``) and, for unbounded domains, the walls of the
  starting fan (artificial labels, dropped when cells are merged into regions);
* the edges of the complex (vertex pairs, each once);
* the cells, each a run of vertex ids (in increasing order) in one pool array, found by
  its start and count (a cut rewrites its cells' runs at the pool's end; dead runs are
  compacted away when the pool fills), with per cell its piece index of every neuron of
  the current layer.

Cutting a cell R by a neuron h (affine on R): if h takes both strict signs at R's vertices,
every global edge whose ends have strict opposite signs gets one new vertex (coordinates
and all value columns interpolated once, shared by every cell containing the edge), with
Z(new) = (Z(u) & Z(v)) | {h}; old vertices where h is 0 get the label h. The cells
containing both ends of a crossing edge (sorted joins over the cut cells' incidences, or,
while the candidate cells times the vertices are at most :data:`_DENSE`, a dense boolean
incidence matrix: fewer NumPy calls on a small complex) get its new vertex. The edges of R & h join pairs (a, b) of V_h (its new and zero-valued
vertices) such that no other c in V_h has Z(a) & Z(b) contained in Z(c): the combinatorial
adjacency test of the double description method (Fukuda and Prodon), exact for any pointed
polyhedron, degenerate ones included, because every label is a valid inequality of every
cell and the labels are complete (a vertex on a label's hyperplane has the label: by
linearity along the edge it was made on). Pairs are prefiltered by
``popcount(Z(a) & Z(b)) >= n - 1`` (an edge's equality set has rank n - 1 in homogeneous
coordinates) and tested once per pair (an edge of one cell is an edge of every cell
containing both ends: the complex is face-to-face); the test is skipped where a or b is
*simple* (exactly n labels: a vertex's labels have rank n, so n of them are independent,
and the n - 1 shared cut out a face of dimension one that holds both ends, i.e. the edge
and no other vertex), which is every pair of a generic arrangement. Cut cells are taken in
a few buckets of similar |V_h| (counts within a factor of 1.3, a bucket of few padded
pairs taking smaller counts too, or all in one bucket while the padded pair count is
small), padded with a label-free row that fails every pair and
test, so the NumPy calls per cut stay few on small complexes and padding stays bounded on
large ones. R+ and R- are the old vertices of each sign plus the new ones. Per cut the
fixed cost is that of its NumPy calls (about 0.2-0.4 ms measured on a shared 2-vCPU VM),
which bounds small complexes from below.
The sign of a later neuron is a function on vertices, so all cells sharing a face see the
same signs: the complex stays face-to-face.

Neurons come in blocks of :data:`BLOCK`: at a block's start, one pass over the cells'
incidences marks which cells (the parents) each neuron of the block crosses, and adds the
piece of every neuron that does not cross them; a neuron then examines only the
descendants of its marked parents.

Starting complexes: a box starts from its 2^n corners (its facets are real labels). The
whole space starts, when the first layer has n independent neurons, from the 2^n cones of
their hyperplanes (apex their common point p, directions +-d_j for the dual basis of their
normals): every wall is a neuron's, so cells are regions and none is cut by the start.
Otherwise it starts from the fan of the n + 1 simplicial cones spanned by n of the vectors
e_1, ..., e_n, -(e_1 + ... + e_n), whose C(n + 1, 2) walls are artificial labels. Every cell
is pointed (a cone has a vertex). A polytope is the whole space cut by its half-spaces as if
they were neurons, the outer cells dropped. A region is the union of the cells with one
activation pattern (``{x : pattern(x) = s}`` is convex, so cells with equal patterns form
exactly one region).

Cost: per block, one pass over all cell incidences (I) for the marks; per neuron and
threshold, O(V + E) for the signs and crossing edges, O(I_c) over the candidate cells'
incidences, and for the cut cells a sort of their new vertices, searchsorted joins, and
O(k_h^2 W) per cut cell for the pairs of V_h and their tests (W words of labels). Memory:
the vertices' coordinates, current values (V x layer width) and labels; the edges; the
pool. Activations: points take phi(z), directions the recession function of phi.

Float mode snaps a pre-activation within ``tol`` times its scale of a threshold onto it.
The scale is data-scaled per vertex and neuron: ``M_v sum_i |A_ji| + |b_j| w_v`` with
``M_v`` bounding both the size and the error scale of the state at vertex v (at the input
the largest coordinate's magnitude; after a layer the largest of the outputs' magnitudes
and of their error scales, where an output on a piece of slope s has s times its
pre-activation's scale and an output on a flat piece or at a threshold none: a saturated
hard-tanh or a dead ReLU is exact, however far out the vertex), interpolated like the
values at new vertices. A value within the tolerance of two thresholds (the band is wider
than their gap: far out, float64 cannot tell them apart), a new vertex with fewer than
n - 1 edges in its cut, or a crossing edge in no cut cell (only float rounding can make
any of these) raises ``RuntimeError``. Exact
mode runs in :data:`regions.kinds.RATIONAL`; certified filtering (float with error bounds)
is not done for n dimensions yet. Group maxima (max pooling, maxout) are cut by a
tournament of such cuts, in :mod:`regions._polyhedral_max`.

References
----------
.. [1] A. Berzins, "Polyhedral Complex Extraction from ReLU Networks using Edge
   Subdivision", ICML 2023.
.. [2] K. Fukuda, A. Prodon, "Double description method revisited", Combinatorics and
   Computer Science, LNCS 1120, 1996 (the combinatorial adjacency test).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

import numpy as np

from .errors import FloatModeError
from .kinds import NumberKind
from ._stages import check_float_range
from .activations import ACTIVATIONS
from ._polyhedral_max import MaxStageMixin, first_round, mark_artificial, max_stage_labels

__all__ = ["PolyhedralEngine", "BLOCK"]

_PAIR_CHUNK = 1 << 18

_DENSE = 1 << 13
"""A cut takes its candidate cells' incidences as a dense (cells, vertices) matrix while
it has at most this many entries (few NumPy calls on a small complex)."""

BLOCK = 32
"""Neurons per block in a layer (see :meth:`PolyhedralEngine.layer`)."""


_BUCKET_RATIO = 1.3
_BUCKET_SMALL = 1 << 15
_BUCKET_MIN = 1 << 12
_EMPTY = np.zeros(0, dtype=np.int64)


def _buckets(counts: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """The indices i with ``counts[i] >= 2`` grouped into buckets ``(K, indices)`` whose
    counts lie in ``(K / _BUCKET_RATIO, K]`` (padding at most a fixed fraction), all in one
    bucket while the padded pair count is small (a few NumPy calls per cut on small
    complexes); a bucket of fewer than :data:`_BUCKET_MIN` padded pairs takes smaller
    counts too (a bucket's NumPy calls cost more than that much padding)."""
    idx = (counts >= 2).nonzero()[0]
    if not idx.shape[0]:
        return []
    c = counts[idx]
    top = int(c.max())
    if idx.shape[0] * top * top <= _BUCKET_SMALL:
        return [(top, idx)]
    order = np.argsort(c, kind="stable")
    idx, c = idx[order], c[order]
    out = []
    end = c.shape[0]
    while end > 0:
        K = int(c[end - 1])
        start = min(int(np.searchsorted(c, K / _BUCKET_RATIO, "right")), end - 1)
        start = max(0, min(start, end - -(-_BUCKET_MIN // (K * K))))
        out.append((K, idx[start:end]))
        end = start
    return out


_PAIRS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(k, 1)``, cached."""
    got = _PAIRS.get(k)
    if got is None:
        got = _PAIRS[k] = np.triu_indices(k, 1)
    return got


def _padded(flat: np.ndarray, starts: np.ndarray, counts: np.ndarray, K: int,
            pad: int) -> np.ndarray:
    """Rows ``flat[starts[i]:starts[i] + counts[i]]`` padded with ``pad`` to width K."""
    k = np.arange(K)
    where = starts[:, None] + k[None, :]
    valid = k[None, :] < counts[:, None]
    return np.where(valid, flat[np.where(valid, where, 0)], pad)


def _first_cut(stages: Any, n: int, kind: NumberKind) -> Any:
    """n independent neurons of the first stage (at its first threshold), their common
    point and the dual basis of their normals, or None (no such neurons)."""
    if not stages or (not stages[0].is_max and not stages[0].activation.thresholds):
        return None
    st = stages[0]
    if st.is_max:  # the first round of its tournament: regions._polyhedral_max
        L, c = first_round(st, n, kind)
    else:
        L = st.pre(kind.convert(np.eye(n)), 0)  # (n, m): column j is neuron j's gradient
        c = st.pre(kind.convert(np.zeros((1, n))), 1)[0]
    m = L.shape[1]
    if m < n:
        return None
    Lf = np.asarray(L, dtype=float)
    if not np.all(np.isfinite(Lf)):
        return None
    from scipy.linalg import qr

    _, R, piv = qr(Lf, pivoting=True, mode="economic")
    diag = np.abs(np.diag(R))
    if diag.shape[0] < n or diag[n - 1] <= 1e-8 * max(diag[0], 1e-300):
        return None
    sel = np.sort(piv[:n])
    th = kind.zero if st.is_max else kind.scalar(st.activation.thresholds[0])
    A = L[:, sel].T  # (n, n): rows the normals
    rhs = th - c[sel]
    if kind.is_exact:
        inv = _inverse(A, kind)
        if inv is None:
            return None
        p = inv @ rhs
    else:
        inv = np.linalg.inv(A)
        p = np.linalg.solve(A, rhs)
    return sel, p, inv, th


def _inverse(A: np.ndarray, kind: NumberKind) -> np.ndarray | None:
    """Exact inverse by Gauss-Jordan elimination, or None if singular."""
    n = A.shape[0]
    M = [[A[i, j] for j in range(n)] + [kind.one if i == j else kind.zero for j in range(n)]
         for i in range(n)]
    for col in range(n):
        p = next((r for r in range(col, n) if M[r][col] != 0), None)
        if p is None:
            return None
        M[col], M[p] = M[p], M[col]
        piv = M[col][col]
        M[col] = [v / piv for v in M[col]]
        for r in range(n):
            if r != col and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    out = kind.zeros((n, n))
    for i in range(n):
        out[i] = M[i][n:]
    return out


class PolyhedralEngine(MaxStageMixin):
    """The complex's state and the cuts (see the module docstring).

    Parameters
    ----------
    n : int
        Dimension of the space partitioned.
    kind : NumberKind
        FLOAT (with its tol) or a rational kind.
    stages : sequence of Stage
        The stages to come (to reserve their labels).
    box : (lower, upper) or None
        Start from this box; else from the fan of the whole space.
    halfspaces : (A, b) or None
        Cut the start by ``A x <= b`` first (a polytope domain).
    """

    def __init__(self, n: int, kind: NumberKind, stages: Any, box: Any = None,
                 halfspaces: Any = None) -> None:
        self.n, self.kind = n, kind
        self.exact, self.tol = kind.is_exact, kind.tol
        self.zero, self.one = kind.zero, kind.one
        k_half = 0 if halfspaces is None else halfspaces[0].shape[0]
        adapted = _first_cut(stages, n, kind) if box is None else None
        fan = box is None and adapted is None
        n_art = n * (n + 1) // 2 if fan else 0
        n_dom = 2 * n if box is not None else 0
        T = [st.groups.shape[1] - 1 if st.is_max else max(1, len(st.activation.thresholds))
             for st in stages]  # (a group maximum: its tournament's rounds)
        sizes = [max_stage_labels(st) if st.is_max else st.num_pre * t
                 for st, t in zip(stages, T)]
        total = n_art + 1 + n_dom + k_half + sum(sizes)
        self.W = total // 64 + 1
        self.real = np.ones(total, dtype=bool)
        self.real[:n_art] = False
        self.stage_bases = list(n_art + 1 + n_dom + k_half + np.cumsum([0] + sizes)[:-1])
        mark_artificial(self.real, stages, self.stage_bases)
        self.stages_done = 0
        self.nlab = n_art
        self.inf_label = self._new_label()
        self.layer_codes: list[np.ndarray] = []
        self.layer_parents: list[np.ndarray] = []
        self.pinned: Any = None
        if adapted is not None:
            sel, apex, dual, th0 = adapted
            self._start_cones(sel, apex, dual, th0, T[0] if stages else 1)
        elif fan:
            self._start_fan(n_art)
        else:
            self._start_box(*box)
        self.origin = np.arange(self.start.shape[0], dtype=np.int64)
        self.parent = self.origin.copy()
        if halfspaces is not None:
            self._cut_halfspaces(*halfspaces)
        self.H = self.X[:, :n].copy()
        if not self.exact:
            self.M = self._grow_vec(np.abs(self.H[: self.nV]).max(axis=1, initial=0.0))

    # -- labels and storage ----------------------------------------------------------------

    def _new_label(self) -> int:
        self.nlab += 1
        return self.nlab - 1

    def _set_label(self, rows: Any, label: int) -> None:
        self.B[rows, label // 64] |= np.uint64(1) << np.uint64(label % 64)

    def _alloc(self, X: np.ndarray, B: np.ndarray) -> None:
        cap = 2 * X.shape[0] + 64
        self.nV = X.shape[0]
        self.X = self.kind.zeros((cap, self.n + 1))
        self.X[: self.nV] = X
        self.B = np.zeros((cap, self.W), dtype=np.uint64)
        self.B[: self.nV] = B

    def _set_edges(self, u: np.ndarray, v: np.ndarray) -> None:
        cap = 2 * u.shape[0] + 64
        self.EU = np.zeros(cap, dtype=np.int64)
        self.EV = np.zeros(cap, dtype=np.int64)
        self.nE = u.shape[0]
        self.EU[: self.nE], self.EV[: self.nE] = u, v

    def _start_fan(self, n_art: int) -> None:
        n, kind = self.n, self.kind
        gens = np.eye(n + 1, n)
        gens[n] = -1.0
        X = np.zeros((n + 2, n + 1))
        X[0, n] = 1.0
        X[1:, :n] = gens
        B = np.zeros((n + 2, self.W), dtype=np.uint64)
        self._alloc(kind.convert(X), B)
        pairs = list(combinations(range(n + 1), 2))
        for lab, (i, j) in enumerate(pairs):
            rows = [0] + [1 + l for l in range(n + 1) if l not in (i, j)]
            self._set_label(np.array(rows), lab)
        self._set_label(np.arange(1, n + 2), self.inf_label)
        u = [0] * (n + 1) + ([1 + i for i, j in pairs] if n >= 2 else [])
        v = list(range(1, n + 2)) + ([1 + j for i, j in pairs] if n >= 2 else [])
        self._set_edges(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64))
        F = np.array([[0] + [1 + l for l in range(n + 1) if l != k] for k in range(n + 1)])
        self._init_cells(F.astype(np.int64))
        self.anchor = 0

    def _start_cones(self, sel: np.ndarray, p: np.ndarray, D: np.ndarray, th: Any,
                     T: int) -> None:
        """Start from the 2^n cones of n independent neurons of the first layer (``sel``,
        hyperplanes a_i x + c_i = th through ``p``, ``D`` the dual basis: a_i . d_j = delta_ij):
        apex p and directions +-d_j; every wall is a real label, so no region is cut by
        the start."""
        n, kind = self.n, self.kind
        X = kind.zeros((2 * n + 1, n + 1))
        X[0, :n], X[0, n] = p, self.one
        for j in range(n):
            d = D[:, j]
            size = np.abs(d).max()
            X[1 + 2 * j, :n] = d / size
            X[2 + 2 * j, :n] = -d / size
        B = np.zeros((2 * n + 1, self.W), dtype=np.uint64)
        self._alloc(X, B)
        base = int(self.stage_bases[0])
        rows, cols, vals = [], [], []
        for i in range(n):
            on = [0] + [1 + 2 * j + e for j in range(n) if j != i for e in (0, 1)]
            self._set_label(np.array(on), base + int(sel[i]) * T)
            rows += on
            cols += [int(sel[i])] * len(on)
            vals += [th] + [self.zero] * (len(on) - 1)
        self.pinned = (np.array(rows), np.array(cols), np.array(vals, dtype=kind.dtype))
        self._set_label(np.arange(1, 2 * n + 1), self.inf_label)
        u = [0] * (2 * n)
        v = list(range(1, 2 * n + 1))
        for j in range(n):
            for k in range(j + 1, n):
                for e in (0, 1):
                    for f in (0, 1):
                        u.append(1 + 2 * j + e)
                        v.append(1 + 2 * k + f)
        self._set_edges(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64))
        signs = np.array(list(np.ndindex(*(2,) * n)), dtype=np.int64).reshape(-1, n)
        F = np.concatenate([np.zeros((signs.shape[0], 1), np.int64),
                            1 + 2 * np.arange(n)[None, :] + signs], axis=1)
        self._init_cells(F)
        self.anchor = 0

    def _start_box(self, lower: np.ndarray, upper: np.ndarray) -> None:
        n, kind = self.n, self.kind
        corners = np.array(list(np.ndindex(*(2,) * n)), dtype=np.int64)[:, ::-1]  # bit i
        lo, hi = kind.convert(lower), kind.convert(upper)
        X = kind.zeros((corners.shape[0], n + 1))
        X[:, :n] = np.where(corners == 1, hi[None, :], lo[None, :])
        X[:, n] = self.one
        B = np.zeros((corners.shape[0], self.W), dtype=np.uint64)
        self._alloc(X, B)
        ids = corners @ (1 << np.arange(n))
        for i in range(n):
            lab_lo, lab_hi = self._new_label(), self._new_label()
            self._set_label(np.flatnonzero(corners[:, i] == 0), lab_lo)
            self._set_label(np.flatnonzero(corners[:, i] == 1), lab_hi)
        u, v = [], []
        pos = {int(c): k for k, c in enumerate(ids)}
        for k, c in enumerate(ids.tolist()):
            for i in range(n):
                if not (c >> i) & 1:
                    u.append(k)
                    v.append(pos[c | (1 << i)])
        self._set_edges(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64))
        self._init_cells(np.arange(corners.shape[0], dtype=np.int64)[None, :])
        self.anchor = -1

    def _reserve_vertices(self, k: int) -> None:
        need = self.nV + k + 1  # one spare zero row past the end: padding (-1) reads it
        if need <= self.X.shape[0]:
            return
        cap = max(need, 2 * self.X.shape[0])
        names = ["X", "B", "Z"] + ([] if self.exact else ["M"])
        for name in names:
            arr = getattr(self, name, None)
            if arr is None:
                continue
            out = (self.kind.zeros((cap,) + arr.shape[1:]) if arr.dtype == object
                   else np.zeros((cap,) + arr.shape[1:], dtype=arr.dtype))
            out[: self.nV] = arr[: self.nV]
            setattr(self, name, out)

    def _grow_vec(self, v: np.ndarray) -> np.ndarray:
        out = np.zeros(self.X.shape[0])
        out[: v.shape[0]] = v
        return out

    def _append_edges(self, u: np.ndarray, v: np.ndarray) -> None:
        need = self.nE + u.shape[0]
        if need > self.EU.shape[0]:
            cap = max(need, 2 * self.EU.shape[0])
            for name in ("EU", "EV"):
                arr = getattr(self, name)
                out = np.zeros(cap, dtype=np.int64)
                out[: self.nE] = arr[: self.nE]
                setattr(self, name, out)
        self.EU[self.nE: need], self.EV[self.nE: need] = u, v
        self.nE = need

    # -- cells: rows of vertex ids in a pool (each row contiguous, anywhere in it) --------

    def _init_cells(self, F: np.ndarray) -> None:
        valid = F >= 0
        cnt = valid.sum(axis=1).astype(np.int64)
        cap = 2 * F.shape[0] + 16
        self.pool = np.zeros(4 * int(cnt.sum()) + 64, dtype=np.int64)
        self.pool_n = int(cnt.sum())
        self.pool[: self.pool_n] = F[valid]
        self.start = np.zeros(cap, dtype=np.int64)
        self.start[: F.shape[0]] = cnt.cumsum() - cnt
        self.cnt = np.zeros(cap, dtype=np.int64)
        self.cnt[: F.shape[0]] = cnt
        self.nF = F.shape[0]

    def rows(self, sel: np.ndarray) -> np.ndarray:
        """The vertex ids of the cells ``sel``, padded with -1 to the longest."""
        cnt = self.cnt[sel]
        K = max(1, int(cnt.max(initial=1)))
        k = np.arange(K)
        valid = k[None, :] < cnt[:, None]
        where = np.where(valid, self.start[sel][:, None] + k[None, :], 0)
        return np.where(valid, self.pool[where], -1)

    def cells_flat(self) -> tuple[np.ndarray, np.ndarray]:
        """All cells as (ptr, vertices): cell c is ``vertices[ptr[c]:ptr[c + 1]]``."""
        cnt = self.cnt[: self.nF]
        ptr = np.zeros(self.nF + 1, dtype=np.int64)
        np.cumsum(cnt, out=ptr[1:])
        where = np.arange(int(ptr[-1])) + np.repeat(self.start[: self.nF] - ptr[:-1], cnt)
        return ptr, self.pool[where]

    def _reserve_rows(self, k: int) -> None:
        need = self.nF + k
        if need <= self.start.shape[0]:
            return
        cap = max(need, 2 * self.start.shape[0])
        for name in ("start", "cnt", "origin", "parent", "index"):
            arr = getattr(self, name, None)
            if arr is None:
                continue
            grown = np.zeros((cap,) + arr.shape[1:], dtype=arr.dtype)
            grown[: self.nF] = arr[: self.nF]
            setattr(self, name, grown)

    def _write(self, sel: np.ndarray, flat: np.ndarray, counts: np.ndarray) -> None:
        """Set the cells ``sel`` to consecutive runs of ``flat`` of lengths ``counts``."""
        need = self.pool_n + flat.shape[0]
        if need > self.pool.shape[0]:
            live = int(self.cnt[: self.nF].sum())
            if 2 * live < self.pool_n:  # mostly dead rows: compact
                ptr, kept = self.cells_flat()
                self.pool[: kept.shape[0]] = kept
                self.start[: self.nF] = ptr[:-1]
                self.pool_n = kept.shape[0]
                need = self.pool_n + flat.shape[0]
            if need > self.pool.shape[0]:
                grown = np.zeros(max(need, 2 * self.pool.shape[0]), dtype=np.int64)
                grown[: self.pool_n] = self.pool[: self.pool_n]
                self.pool = grown
        self.pool[self.pool_n: need] = flat
        self.start[sel] = self.pool_n + counts.cumsum() - counts
        self.cnt[sel] = counts
        self.pool_n = need

    # -- the domain's half-spaces ------------------------------------------------------------

    def _cut_halfspaces(self, A: np.ndarray, b: np.ndarray) -> None:
        n, nV = self.n, self.nV
        k = A.shape[0]
        A, b = self.kind.convert(A), self.kind.convert(b)
        Xv = self.X[:nV]
        self.Z = self.kind.zeros((self.X.shape[0], k))
        self.Z[:nV] = Xv[:, n:] * b[None, :] - Xv[:, :n] @ A.T
        if not self.exact:
            self.M = self._grow_vec(np.abs(Xv[:, :n]).max(axis=1, initial=0.0))
            self.colsum, self.babs = np.abs(A).sum(axis=1), np.abs(b)
        self.m, self._thresholds = k, [self.zero]
        if not self.exact:
            self._snap(np.arange(nV))
        self.index = np.zeros((self.start.shape[0], k), dtype=np.int8)
        for i in range(k):
            self._cut(i, self.zero, self._new_label(), np.arange(self.nF))
            s = self._signs(i, self.zero)
            outside = s[self.rows(np.arange(self.nF))] < 0
            kept = np.flatnonzero(~outside.any(axis=1))
            cap = self.start.shape[0]
            self.start[: kept.shape[0]] = self.start[kept]
            self.cnt[: kept.shape[0]] = self.cnt[kept]
            self.origin = np.arange(cap, dtype=np.int64)
            self.parent = self.origin.copy()
            self.nF = kept.shape[0]
            if self.nF == 0:
                raise ValueError("domain must have positive volume; its half-spaces A x <= b "
                                 "leave no interior")
            eu, ev = self.EU[: self.nE], self.EV[: self.nE]
            good = (s[eu] >= 0) & (s[ev] >= 0)
            self._set_edges(eu[good].copy(), ev[good].copy())
        del self.Z, self.index

    # -- one layer -------------------------------------------------------------------------

    def layer(self, st: Any) -> None:
        """Cut the cells where stage ``st``'s elementwise node changes pattern, record the
        cells' patterns, then apply the activation."""
        if st.is_max:  # max pooling, maxout: regions._polyhedral_max
            self._max_layer(st)
            return
        act = st.activation
        n, nV, m = self.n, self.nV, st.num_pre
        self._reserve_vertices(2 * nV + 1024)  # room for the layer's new vertices up front
        cap = self.X.shape[0]
        w = self.X[:nV, n]
        self.Z = self.kind.zeros((cap, m + st.carry.shape[0]))
        with np.errstate(over="ignore", invalid="ignore"):
            self.Z[:nV, :m] = st.pre(self.H[:nV], w)
        self.Z[:nV, m:] = self.H[:nV][:, st.carry]
        if not self.exact:
            width = self.H.shape[1]
            self.colsum = st.pre_abs(np.ones((1, width)), 0)[0]
            self.babs = st.pre_abs(np.zeros((1, width)), 1)[0]
            scale = self.M[:nV, None] * self.colsum[None, :] + w[:, None] * self.babs[None, :]
            check_float_range(self.Z[:nV, :m], scale, st.name, "partition")
            del scale
        self.m = m
        thresholds = [self.kind.scalar(t) for t in act.thresholds]
        self._thresholds = thresholds
        if not self.exact:
            self._snap(slice(0, nV))
        if self.pinned is not None and self.stages_done == 0:
            rows, cols, vals = self.pinned  # exact zeros of the starting cones' neurons
            self.Z[rows, cols] = vals
        self.origin = np.arange(self.start.shape[0], dtype=np.int64)
        base, T = int(self.stage_bases[self.stages_done]), len(thresholds)
        labels = {(j, t): base + j * T + t for j in range(m) for t in range(T)}
        self.stages_done += 1
        self.nlab = max(self.nlab, base + m * T)
        # neurons in blocks: each block marks which cells present at its start (parents)
        # each of its neurons crosses; a neuron then examines only their descendants
        # each cell's piece per neuron, kept up to date as cells split
        self.index = np.zeros((self.start.shape[0], m), dtype=np.int8)
        for j0 in range(0, m if thresholds else 0, BLOCK):  # (a linear stage cuts nothing)
            j1 = min(m, j0 + BLOCK)
            self.parent = np.arange(self.start.shape[0], dtype=np.int64)
            crosses, above = self._parents_crossed(j0, j1, thresholds)
            for t in range(len(thresholds)):  # the parents not crossed: their side
                self.index[: self.nF, j0:j1] += above[t]
            for j in range(j0, j1):
                for t, th in enumerate(thresholds):
                    marked = crosses[t][:, j - j0]
                    if not marked.any():
                        self._label_zeros(j, th, labels[j, t])
                        continue
                    cand = (marked[self.parent[: self.nF]]).nonzero()[0]
                    self._cut(j, th, labels[j, t], cand)
        codes = np.asarray(act.codes, dtype=np.int8)
        self.layer_codes.append(codes[self.index[: self.nF]])
        self.layer_parents.append(self.origin[: self.nF].copy())
        del self.index
        self._activate(act, bool(st.carry.shape[0]))

    def _parents_crossed(self, j0: int, j1: int,
                         thresholds: list) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per threshold, two (cells, j1 - j0) arrays: whether the column takes both strict
        signs at the cell's vertices (it crosses the cell), and whether it is above the
        threshold at some vertex and below at none."""
        nV, n, nF = self.nV, self.n, self.nF
        cnt = self.cnt[:nF]
        offs = cnt.cumsum() - cnt
        where = np.arange(int(cnt.sum())) + np.repeat(self.start[:nF] - offs, cnt)
        verts = self.pool[where]
        w = self.X[:nV, n][:, None]
        crosses, above = [], []
        for th in thresholds:
            d = self.Z[:nV, j0:j1] - th * w
            sg = np.asarray(d > 0, dtype=np.int8) - np.asarray(d < 0, dtype=np.int8)
            flat = sg[verts]
            top = np.maximum.reduceat(flat, offs, axis=0) > 0
            bottom = np.minimum.reduceat(flat, offs, axis=0) < 0
            crosses.append(top & bottom)
            above.append((top & ~bottom).astype(np.int8))
        return crosses, above

    def _label_zeros(self, j: int, th: Any, label: int) -> None:
        s = self._signs(j, th)
        self._set_label((s[: self.nV] == 0).nonzero()[0], label)

    def _signs(self, j: int, th: Any) -> np.ndarray:
        """Sides of threshold ``th`` of column ``j`` at every vertex (homogeneous: z - th w),
        with one 0 past the end for padding (-1) reads."""
        nV = self.nV
        d = self.Z[:nV, j] - th * self.X[:nV, self.n] if th != 0 else self.Z[:nV, j]
        s = np.zeros(nV + 1, dtype=np.int8)
        s[:nV] = np.sign(d) if d.dtype != object else \
            (d > 0).astype(np.int8) - (d < 0).astype(np.int8)
        return s

    def _snap(self, rows: np.ndarray | slice, first: int = 0) -> None:
        """Float mode: values (of the columns from ``first`` on: the neurons still to cut)
        within ``tol`` times their scale of a threshold go onto it. ``rows``: vertex ids,
        or a slice of them (then one threshold is snapped in place)."""
        m, n = self.m, self.n
        if first >= m:
            return
        w = self.X[rows, n][:, None]
        Zr = self.Z[rows, first:m]
        Sr = self.M[rows, None] * self.colsum[None, first:] + w * self.babs[None, first:]
        if len(self._thresholds) == 1 and isinstance(rows, slice):  # Zr is a view
            th = self._thresholds[0]
            if th == 0:  # the same decision and value as below, fewer temporaries
                np.putmask(Zr, np.abs(Zr) <= self.tol * Sr, 0.0)
            else:
                target = th * w
                near = np.abs(Zr - target) <= self.tol * (Sr + abs(th) * w)
                Zr[...] = np.where(near, target, Zr)
            return
        out, hits = Zr, None
        for th in self._thresholds:
            target = th * w
            near = np.abs(Zr - target) <= self.tol * (Sr + abs(th) * w)
            out = np.where(near, target, out)
            if len(self._thresholds) > 1:
                hits = near.astype(np.int8) if hits is None else hits + near
        if hits is not None and np.any((hits > 1) & (w != 0)):
            raise FloatModeError(
                "partition: a value lies within the float tolerance of two thresholds (the "
                "data's scale there is too large for float64 to tell them apart); use "
                "exact=True")
        self.Z[rows, first:m] = out

    def _cut(self, j: int, th: Any, label: int, cand: np.ndarray) -> None:
        """Cut the cells ``cand`` (and no others) that column ``j`` crosses at ``th``."""
        nV0 = self.nV
        s = self._signs(j, th)
        zeros = (s[:nV0] == 0).nonzero()[0]
        if zeros.shape[0]:
            self._set_label(zeros, label)
        # the candidates' vertex signs, flat (no padding): both strict signs -> cut
        cnt = self.cnt[cand]
        if not cnt.all():
            nonempty = cnt > 0
            cand, cnt = cand[nonempty], cnt[nonempty]
        if not cand.shape[0]:
            return
        offs = cnt.cumsum() - cnt
        verts_all = self.pool[np.arange(int(offs[-1] + cnt[-1]))
                              + np.repeat(self.start[cand] - offs, cnt)]
        sv_flat = s[verts_all]
        top = np.maximum.reduceat(sv_flat, offs) > 0
        hit = top & (np.minimum.reduceat(sv_flat, offs) < 0)
        self.index[cand[top ^ hit], j] += 1  # wholly above: the next piece
        cr = cand[hit]
        c = cr.shape[0]
        if c == 0:
            return
        eu, ev = self.EU[: self.nE], self.EV[: self.nE]
        su, sv = s[eu], s[ev]
        ce = (su * sv < 0).nonzero()[0]
        u, v = eu[ce], ev[ce]
        zero_edges = None
        if zeros.shape[0]:
            both_zero = (su == 0) & (sv == 0)
            if both_zero.any():
                zu, zv = eu[both_zero], ev[both_zero]
                zero_edges = np.minimum(zu, zv) * (nV0 + 1) + np.maximum(zu, zv)
        new = self._combine(u, v, j, th, label)
        k = new.shape[0]
        self.EV[ce] = new
        self._append_edges(new, v)
        if cand.shape[0] * (nV0 + k) <= _DENSE:
            flat, counts, VH, vh_ptr, vh_counts = self._sides_dense(
                s, zeros, cand, cnt, verts_all, hit, u, v, nV0)
        else:
            flat, counts, VH, vh_ptr, vh_counts = self._sides_flat(
                s, zeros, cr, u, v, new, nV0)
        # the edges of R & h, for every cut cell R: among its new and zero vertices
        self._new_edges(VH, vh_ptr, vh_counts, nV0, zero_edges, new)
        # the two sides: R+ in the cut cells' rows, R- in new rows
        self._reserve_rows(c)
        start = self.nF
        rows = np.arange(start, start + c)
        self.index[rows] = self.index[cr]  # the side below
        self.index[cr, j] += 1
        self._write(np.concatenate([cr, rows]), flat, counts)
        self.origin[rows] = self.origin[cr]
        self.parent[rows] = self.parent[cr]
        self.nF += c

    def _sides_dense(self, s: np.ndarray, zeros: np.ndarray, cand: np.ndarray,
                     cnt: np.ndarray, verts_all: np.ndarray, hit: np.ndarray, u: np.ndarray,
                     v: np.ndarray, nV0: int) -> tuple[np.ndarray, ...]:
        """:meth:`_sides_flat` for a small complex, over a dense (cut cells, vertices)
        incidence matrix: fewer NumPy calls. The new vertex of crossing edge e is
        ``nV0 + e``, so the columns of a row, in order, are its vertex ids, increasing."""
        k = u.shape[0]
        inc = np.zeros((cand.shape[0], nV0 + k), dtype=bool)
        inc[np.repeat(np.arange(cand.shape[0]), cnt), verts_all] = True
        inc = inc[hit]
        old = inc[:, :nV0]
        both = old[:, u] & old[:, v]  # cut cell r holds both ends of crossing edge e
        inc[:, nV0:] = both
        if k and not both.any(axis=0).all():
            self._inconsistent("a crossing edge lies in no cut cell")
        if zeros.shape[0]:
            zc = inc.copy()
            zc[:, :nV0] &= s[:nV0] == 0
            VH = zc.nonzero()[1]
            vh_counts = np.count_nonzero(zc, axis=1)
        else:  # the new vertices only
            VH = both.nonzero()[1] + nV0
            vh_counts = np.count_nonzero(both, axis=1)
        vh_ptr = np.zeros(vh_counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(vh_counts, out=vh_ptr[1:])
        sides = np.repeat(inc[None], 2, axis=0)
        sides[:, :, :nV0] &= np.stack([s[:nV0] >= 0, s[:nV0] <= 0])[:, None, :]
        sides = sides.reshape(-1, nV0 + k)
        return sides.nonzero()[1], np.count_nonzero(sides, axis=1), VH, vh_ptr, vh_counts

    def _sides_flat(self, s: np.ndarray, zeros: np.ndarray, cr: np.ndarray, u: np.ndarray,
                    v: np.ndarray, new: np.ndarray, nV0: int) -> tuple[np.ndarray, ...]:
        """The cut cells' two sides, flat: vertex ids (R+ of every cut cell, then R- of
        every one) and counts; and their cuts' vertices (new and zero-valued) as vertex
        ids, row pointers and counts. Cells keep their vertex ids in increasing order."""
        c = cr.shape[0]
        k = new.shape[0]
        cnt_c = self.cnt[cr]
        offs_c = cnt_c.cumsum() - cnt_c
        verts = self.pool[np.arange(int(cnt_c.sum())) + np.repeat(self.start[cr] - offs_c, cnt_c)]
        rloc = np.repeat(np.arange(c), cnt_c)
        sc = s[verts]
        Vc = np.int64(self.nV + 1)
        # which cut cells contain both ends of each crossing edge
        rv = rloc * Vc + verts  # sorted: cells keep their vertex ids in increasing order
        # for every incidence (cell, vertex) whose vertex is the first end u of crossing
        # edges: those edges, kept if the cell holds their other end v too
        ou = np.argsort(u, kind="stable")
        if 8 * verts.shape[0] < nV0:  # few incidences: binary searches
            us = u[ou]
            lo = np.searchsorted(us, verts, "left")
            cnts = np.searchsorted(us, verts, "right") - lo
        else:  # a table of the crossing edges per first end
            by_vertex = np.bincount(u, minlength=nV0)
            cnts = by_vertex[verts]
            lo = (by_vertex.cumsum() - by_vertex)[verts]
        inc = (cnts).nonzero()[0]
        cnts = cnts[inc]
        inc_idx = np.repeat(inc, cnts)
        offs = cnts.cumsum() - cnts
        within = np.arange(inc_idx.shape[0]) - np.repeat(offs, cnts)
        e = ou[lo[inc_idx] + within]
        rows_c = rloc[inc_idx]
        q = rows_c * Vc + v[e]
        at = np.minimum(np.searchsorted(rv, q), rv.shape[0] - 1)
        found = rv[at] == q
        m_e, m_r = e[found], rows_c[found]
        if k and np.bincount(m_e, minlength=k).min() == 0:
            self._inconsistent("a crossing edge lies in no cut cell")
        # the new vertices of each cut cell, in increasing order
        key = np.sort(m_r * Vc + new[m_e])
        new_r, new_v = key // Vc, key % Vc
        ncount = np.bincount(new_r, minlength=c)
        nrank = np.arange(new_r.shape[0]) - (ncount.cumsum() - ncount)[new_r]

        def side(keep: np.ndarray, first_new: bool = False) -> tuple[np.ndarray, ...]:
            """The kept old vertices and the new ones of every cut cell, flat: (vertex
            ids, row pointers, counts); new ones first with ``first_new``."""
            kr, kv = rloc[keep], verts[keep]
            old = np.bincount(kr, minlength=c)
            total = old + ncount
            ptr = np.zeros(c + 1, dtype=np.int64)
            np.cumsum(total, out=ptr[1:])
            out = np.empty(int(ptr[-1]), dtype=np.int64)
            orank = np.arange(kr.shape[0]) - (old.cumsum() - old)[kr]
            out[ptr[kr] + orank + (ncount[kr] if first_new else 0)] = kv
            out[ptr[new_r] + nrank + (0 if first_new else old[new_r])] = new_v
            return out, ptr, total

        if zeros.shape[0]:
            VH, vh_ptr, vh_counts = side(sc == 0)
        else:  # the new vertices only
            vh_ptr = np.zeros(c + 1, dtype=np.int64)
            np.cumsum(ncount, out=vh_ptr[1:])
            VH, vh_counts = new_v, ncount
        Fp, _, cp = side(sc >= 0)
        Fn, _, cn = side(sc <= 0)
        return np.concatenate([Fp, Fn]), np.concatenate([cp, cn]), VH, vh_ptr, vh_counts

    def _new_edges(self, VH: np.ndarray, ptr: np.ndarray, counts: np.ndarray, nV0: int,
                   zero_edges: np.ndarray | None, new: np.ndarray) -> None:
        """Add the edges of every R & h (row i: ``VH[ptr[i]:ptr[i + 1]]``, its vertices, in
        increasing order) by the combinatorial test, each once. Rows are taken in a few
        buckets of similar counts (:func:`_buckets`), padded to the bucket's largest with
        the spare zero row past the last vertex (no labels: a pair or a test with it always
        fails)."""
        n, B, W = self.n, self.B, self.W
        top = int(counts.max(initial=0))
        if top < 2:
            if n >= 2 and new.shape[0]:
                self._inconsistent("a cut has a single vertex")
            return
        pad = self.nV  # an all-zero label row (see _reserve_vertices)
        nrow = counts.shape[0]
        parts_a, parts_b, parts_r = [], [], []
        all_simple = False
        buckets: Sequence[tuple[int, np.ndarray | None]]
        if nrow * top * top <= _BUCKET_SMALL:  # one bucket of every row
            buckets = [(top, None)]
        else:
            buckets = _buckets(counts)
        for K, rows_k in buckets:
            ia, ib = _pairs(K)
            if rows_k is None:
                sub = np.full((nrow, K), pad, dtype=np.int64)
                sub[np.arange(K) < counts[:, None]] = VH  # the rows are consecutive in VH
                Bs = B[sub, 0] if W == 1 else B[sub]
                # prefilter: an edge's ends share at least n - 1 labels (its equality set)
                shared = np.bitwise_count(Bs[:, ia] & Bs[:, ib])
                if W > 1:
                    shared = shared.sum(axis=2, dtype=np.int16)
                rr, pp = (shared >= max(n - 1, 1)).nonzero()
                parts_a.append(sub[rr, ia[pp]])
                parts_b.append(sub[rr, ib[pp]])
                parts_r.append(rr)
                pop = np.bitwise_count(Bs)
                if W > 1:
                    pop = pop.sum(axis=2)
                all_simple = not ((pop != n) & (sub != pad)).any()  # then nothing to test
                continue
            step = max(1, _PAIR_CHUNK // (ia.shape[0] * W))
            for r0 in range(0, rows_k.shape[0], step):
                rows = rows_k[r0: r0 + step]
                sub = _padded(VH, ptr[rows], counts[rows], K, pad)
                Bs = B[sub]  # (rows, K, W)
                shared = np.bitwise_count(Bs[:, ia] & Bs[:, ib])
                shared = shared.sum(axis=2, dtype=np.int16) if W > 1 else shared[:, :, 0]
                rr, pp = (shared >= max(n - 1, 1)).nonzero()
                parts_a.append(sub[rr, ia[pp]])
                parts_b.append(sub[rr, ib[pp]])
                parts_r.append(rows[rr])
        if not parts_a:
            return
        a, b, pr = (np.concatenate(p) if len(p) > 1 else p[0]
                    for p in (parts_a, parts_b, parts_r))
        if not a.shape[0]:
            return
        # a < b: rows are increasing and the pairs (ia, ib) have ia < ib
        Vc = np.int64(self.nV + 1)
        key = a * Vc + b
        nrow64 = np.int64(nrow)
        if all_simple:  # no test: no row needed
            key = np.sort(key)
            first = np.empty(key.shape[0], dtype=bool)
            first[0] = True
            np.not_equal(key[1:], key[:-1], out=first[1:])
            a, b = np.divmod(key[first], Vc)
            pr = None
        elif float(Vc) * float(Vc) * float(nrow) < 2.0 ** 62:  # one plain sort of packed keys
            key, pr = np.divmod(np.sort(key * nrow64 + pr), nrow64)
            first = np.empty(key.shape[0], dtype=bool)
            first[0] = True
            np.not_equal(key[1:], key[:-1], out=first[1:])
            key, pr = key[first], pr[first]
            a, b = np.divmod(key, Vc)
        else:
            key, first = np.unique(key, return_index=True)
            a, b, pr = a[first], b[first], pr[first]
        if zero_edges is not None:
            old = (a < nV0) & (b < nV0)
            if old.any():
                okey = a * np.int64(nV0 + 1) + b
                keep = ~(old & np.isin(okey, zero_edges))
                a, b = a[keep], b[keep]
                pr = None if pr is None else pr[keep]
        # the test: (a, b) is an edge iff a and b are the only vertices c of the row with
        # Z(a) & Z(b) contained in Z(c) (the padding has no labels: never). Not needed if
        # a or b is simple (exactly n labels): its labels are then independent (a vertex's
        # labels have rank n), so the n - 1 it shares with the other end cut out a face of
        # dimension one, which holds both ends: the edge (a, b) and no other vertex.
        if pr is None:
            tested = _EMPTY
        else:
            pop = np.bitwise_count(B[np.concatenate([a, b])])
            pop = pop.sum(axis=1) if W > 1 else pop[:, 0]
            tested = ((pop[: a.shape[0]] != n) & (pop[a.shape[0]:] != n)).nonzero()[0]
        if pr is not None and tested.shape[0]:  # (pr is None leaves nothing to test)
            inter = B[a[tested]] & B[b[tested]]
            adjacent = np.ones(a.shape[0], dtype=bool)
            kk = counts[pr[tested]]
            for K, sel in _buckets(kk):
                step = max(1, _PAIR_CHUNK // max(1, K * W))
                for i0 in range(0, sel.shape[0], step):
                    s_ = sel[i0: i0 + step]
                    C = _padded(VH, ptr[pr[tested[s_]]], kk[s_], K, pad)
                    inside = ~np.any(inter[s_, None, :] & ~B[C], axis=2)
                    adjacent[tested[s_]] = inside.sum(axis=1) == 2  # a and b themselves only
            a, b = a[adjacent], b[adjacent]
        if n >= 2 and new.shape[0]:
            deg = np.bincount(np.concatenate([a, b]), minlength=self.nV)[new]
            if deg.min() < n - 1:
                self._inconsistent("a new vertex has fewer than n - 1 edges in its cut")
        self._append_edges(a, b)

    def _inconsistent(self, what: str) -> None:
        if self.exact:  # pragma: no cover - a bug
            raise AssertionError(f"internal error: {what}")
        raise FloatModeError(
            f"partition: {what} (float rounding at a near-degenerate vertex); use exact=True, "
            "or a larger tol")

    def _combine(self, u: np.ndarray, v: np.ndarray, j: int, th: Any, label: int) -> np.ndarray:
        """New vertices where column ``j`` crosses ``th`` on the edges (u, v) (strict opposite
        signs): |z_v| u + |z_u| v normalised (points to w = 1, directions to max-norm 1),
        values combined alike; returns their ids (consecutive, from ``nV``)."""
        n, k = self.n, u.shape[0]
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        X, Z = self.X, self.Z
        zu, zv = Z[u, j], Z[v, j]
        if th != 0:
            zu, zv = zu - th * X[u, n], zv - th * X[v, n]
        za, zb = np.abs(zu), np.abs(zv)
        if not self.exact:
            total = za + zb
            za, zb = za / total, zb / total
        Xn = zb[:, None] * X[u] + za[:, None] * X[v]
        wn = Xn[:, n]
        finite = wn != 0
        if finite.all():  # points only
            scale = wn
            ca, cb = zb / scale, za / scale
            Xn = Xn / scale[:, None]
            Xn[:, n] = self.one
        else:
            size = np.abs(Xn[:, :n]).max(axis=1)
            scale = np.where(finite, wn, size)
            ca, cb = zb / scale, za / scale
            Xn = Xn / scale[:, None]
            Xn[:, n] = np.where(finite, self.one, self.zero)
        self._reserve_vertices(k)
        X, Z = self.X, self.Z
        nV = self.nV
        rows = slice(nV, nV + k)
        X[rows] = Xn
        Zn = ca[:, None] * Z[u] + cb[:, None] * Z[v]
        Zn[:, j] = th * Xn[:, n] if th != 0 else self.zero
        Z[rows] = Zn
        self.B[rows] = self.B[u] & self.B[v]
        self.nV += k
        self._set_label(rows, label)
        if not self.exact:
            self.M[rows] = ca * self.M[u] + cb * self.M[v]
            self._snap(rows, j + 1)
        return np.arange(nV, nV + k)

    # -- end of a layer --------------------------------------------------------------------

    def _activate(self, act: Any, carried: bool) -> None:
        nV, m, n = self.nV, self.m, self.n
        Z = self.Z
        direction = np.flatnonzero(self.X[:nV, n] == 0)
        zd = Z[direction, :m].copy()
        if not self.exact:
            err = self._activation_error(act, Z[:nV, :m])
        if not self.exact and act is ACTIVATIONS["relu"]:
            np.maximum(Z[:nV, :m], 0.0, out=Z[:nV, :m])
        elif not self.exact and act is ACTIVATIONS["hardtanh"]:
            np.clip(Z[:nV, :m], -1.0, 1.0, out=Z[:nV, :m])
        else:
            Z[:nV, :m] = act(Z[:nV, :m])
        lo, hi = self.kind.scalar(act.slopes[0]), self.kind.scalar(act.slopes[-1])
        Z[direction, :m] = np.where(zd > 0, hi * zd, lo * zd)
        self.H = Z
        del self.Z
        if not self.exact:  # the new state's sizes and error scales
            top = np.maximum(Z[:nV, :m].max(axis=1, initial=0.0),
                             -Z[:nV, :m].min(axis=1, initial=0.0))
            np.maximum(top, err, out=top)
            if carried:
                np.maximum(top, self.M[:nV], out=top)
            self.M[:nV] = top

    def _activation_error(self, act: Any, pre: np.ndarray) -> np.ndarray:
        """Float mode: per vertex, a bound on the error scale of the activation's outputs:
        the largest slope of the pieces its values are on times the pre-activations' term
        size (``M_v max_j sum_i |A_ji| + max_j |b_j| w_v``) if some value is on a sloped
        piece, and 0 if every value is on a flat piece (a dead ReLU, a saturated hard-tanh:
        the output is a constant) or at a threshold (snapped: exactly phi(threshold)). At
        directions (w = 0) the piece is the recession function's (the sign of the rate).
        One boolean pass per threshold over the values (no float temporaries)."""
        nV, n = pre.shape[0], self.n
        w = self.X[:nV, n]
        term = self.M[:nV] * float(self.colsum.max(initial=0.0)) + w * float(
            self.babs.max(initial=0.0))
        if act is ACTIVATIONS["relu"]:  # slope 1 above 0, flat below
            return np.where((pre > 0).any(axis=1), term, 0.0)
        slopes = np.abs(np.array([float(s) for s in act.slopes]))
        ths = [float(t) for t in act.thresholds]
        worst = np.zeros(nV)
        for k, s in enumerate(slopes.tolist()):  # piece k: between thresholds k - 1 and k
            if s == 0:
                continue
            inside = np.ones(pre.shape, dtype=bool)
            if k > 0:
                inside &= pre > ths[k - 1] * w[:, None]
            if k < len(ths):
                inside &= pre < ths[k] * w[:, None]
            if not ths:
                inside &= pre != 0
            np.maximum(worst, np.where(inside.any(axis=1), s, 0.0), out=worst)
        return worst * term

    # -- results ---------------------------------------------------------------------------

    def cell_patterns(self) -> tuple[np.ndarray, ...]:
        """Per layer, every final cell's codes."""
        out = []
        idx = np.arange(self.nF)
        for codes, parents in zip(reversed(self.layer_codes), reversed(self.layer_parents)):
            out.append(codes[idx])
            idx = parents[idx]
        return tuple(reversed(out))
