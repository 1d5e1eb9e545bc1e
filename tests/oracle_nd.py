"""An independent LP-based oracle for the activation regions of a small network in R^n0.

Shares no code with the ``regions`` package: it reads a network's weights, biases and
activation *names* (``net.weights``, ``net.biases``, ``net.activations[i].name``) and does
everything else here with NumPy and SciPy (HiGHS through ``scipy.optimize.linprog``, Qhull
through ``scipy.spatial``). Float64 throughout: Fraction weights are rounded.

Method
------
For an activation pattern (one code per neuron, the codes of Raghu et al.: ReLU 0/1,
hard-tanh -1/0/1), every pre-activation is an affine function of the input, computed layer
by layer with the pattern's slope on each neuron. The pattern's region is the polyhedron
where each pre-activation lies in its code's interval of the activation (threshold rows
``g . y <= e``) and inside the domain. With every row normalised to a unit normal, the LP

    maximise s  subject to  g_k . y + s <= e_k  (every row k),  s <= 1

gives the radius s of the largest ball inside the region (capped at 1): the region is
full-dimensional when s > ``margin``. A neuron whose pre-activation is constant on the
region is no row: its code is checked against the constant (at a threshold it takes the
piece below, the library's tie rule).

Group maxima (max pooling, maxout): a layer whose activation is named ``"max"`` and has
``groups`` (rows of positions of the layer's pre-activation, ``-1`` padding) outputs the
maximum of each group; its code is the position of the maximum, the first on ties. Its rows
for the code a of a group are f_b - f_a <= 0 for every other entry b (a difference constant
on the region is checked instead: strictly below f_a for an earlier b, at most f_a for a
later one).

Regions are enumerated by breadth-first search over facets, from the region of a random
point. For a region and each of its rows k, a second LP maximises the slack s of every
other row with row k held at equality (rows that coincide with row k, duplicated
neurons, are held at equality too): s > ``margin`` means row k carries a facet. Stepping a
short way (a thousandth of s) across that facet's Chebyshev centre and evaluating the
network there (a plain forward pass) gives the pattern of the neighbouring region, which is
queued and recorded as adjacent. The dual graph of the full-dimensional cells of a convex
domain is connected through facets, so every region is reached.

Bounded regions: the recession cone {d : G d <= 0} of the region (all its rows, domain
rows included) is {0} iff the rows span R^n and some strictly positive combination of them
vanishes (the cone they generate is then the whole space): one rank and one LP.

Volumes of bounded regions: their vertices by ``scipy.spatial.HalfspaceIntersection`` from
the Chebyshev centre, then ``ConvexHull(...).volume`` (the length of the interval for
n = 1). Float, for small n only.

Assumptions: the regions the oracle can see have an inscribed ball of radius > ``margin``
(regions thinner than that are missed; general position makes that unlikely for the small
nets of the tests); the facet step lands inside the neighbouring region (true when the
neighbouring region is not a sliver thinner than the step). Small networks only: the cost
is about (regions x rows) LPs of ~1 ms each.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy.optimize import linprog
from scipy.spatial import ConvexHull, HalfspaceIntersection

# (thresholds, codes, slopes, intercepts) per activation name; the library documents the
# same table (regions.activations), written again here from the definitions.
TABLE = {
    "relu": ((0.0,), (0, 1), (0.0, 1.0), (0.0, 0.0)),
    "hardtanh": ((-1.0, 1.0), (-1, 0, 1), (0.0, 1.0, 0.0), (-1.0, 0.0, 1.0)),
    "leaky_relu": ((0.0,), (0, 1), (0.01, 1.0), (0.0, 0.0)),
    "abs": ((0.0,), (0, 1), (-1.0, 1.0), (0.0, 0.0)),
    "linear": ((), (0,), (1.0,), (0.0,)),
}

_LP_OPTIONS = {"presolve": True}


class Region:
    """One full-dimensional activation region found by the oracle."""

    def __init__(self, pattern, rows, rhs, out_map, out_offset, centre, radius):
        self.pattern = pattern  # tuple of tuples of codes, one per layer
        self.rows = rows  # (k, n) unit normals, domain rows included
        self.rhs = rhs  # (k,)
        self.linear_map = out_map  # (outputs, n)
        self.offset = out_offset  # (outputs,)
        self.centre = centre
        self.radius = radius
        self.bounded = None
        self.volume = None

    @property
    def key(self):
        return tuple(c for layer in self.pattern for c in layer)


class OracleND:
    """Enumerate the activation regions of ``net`` in a convex domain of R^n.

    Parameters
    ----------
    net
        An object with ``weights``, ``biases`` (array_like per layer) and ``activations``
        (objects with a ``name``), e.g. a ``regions.Network``.
    box : (lower, upper), optional
        The domain is this box (in the input, or in the slice's coordinates).
    polytope : (A, b), optional
        The domain is {y : A y <= b}.
    origin, directions : optional
        A slice x = origin + y @ directions of the input space (directions of shape
        (d, n0)); the regions are those of the slice's d coordinates y.
    margin : float
        Chebyshev radius above which a region counts.
    seed : int
        For the random start point.
    """

    def __init__(self, net, *, box=None, polytope=None, origin=None, directions=None,
                 margin=1e-7, seed=0):
        self.weights = [np.array(np.asarray(w).tolist(), dtype=float) for w in net.weights]
        self.biases = [np.array(np.asarray(b).tolist(), dtype=float) for b in net.biases]
        self.names = [a.name for a in net.activations]
        self.groups = [[[int(i) for i in row if i >= 0] for row in np.asarray(a.groups).tolist()]
                       if a.name == "max" else None for a in net.activations]
        for name in self.names:
            if name not in TABLE and name != "max":
                raise ValueError(f"oracle: unsupported activation {name}")
        n0 = self.weights[0].shape[1]
        if directions is None:
            self.M0 = np.eye(n0)
            self.c0 = np.zeros(n0)
        else:
            d = np.array(np.asarray(directions).tolist(), dtype=float)
            self.M0 = d.T.copy()  # x = origin + M0 @ y
            self.c0 = np.array(np.asarray(origin).tolist(), dtype=float)
        self.dim = self.M0.shape[1]
        rows, rhs = [], []
        self.box = None
        if box is not None:
            lo = np.array(np.asarray(box[0]).tolist(), dtype=float)
            hi = np.array(np.asarray(box[1]).tolist(), dtype=float)
            self.box = (lo, hi)
            eye = np.eye(self.dim)
            rows += [eye, -eye]
            rhs += [hi, -lo]
        if polytope is not None:
            A = np.array(np.asarray(polytope[0]).tolist(), dtype=float)
            b = np.array(np.asarray(polytope[1]).tolist(), dtype=float)
            rows.append(A)
            rhs.append(b)
        if rows:
            A = np.vstack(rows)
            b = np.concatenate(rhs)
            norms = np.linalg.norm(A, axis=1)
            self.dom_A = A / norms[:, None]
            self.dom_b = b / norms
        else:
            self.dom_A = np.zeros((0, self.dim))
            self.dom_b = np.zeros(0)
        self.margin = margin
        self.rng = np.random.default_rng(seed)
        self.regions: list[Region] = []
        self.index: dict = {}
        self.adjacency: set = set()
        self.lp_count = 0
        self._run()

    # -- the network, one pattern at a time ------------------------------------------------

    def _layers(self, y):
        """Per layer at the point y (slice coordinates): the pieces (tie -> below), their
        pattern codes, and the layer's output."""
        z = self.c0 + self.M0 @ np.asarray(y, dtype=float)
        for W, b, name, groups in zip(self.weights, self.biases, self.names, self.groups):
            h = W @ z + b
            if name == "max":  # the first maximum of each group
                first = [max(range(len(g)), key=lambda a, g=g: (h[g[a]], -a)) for g in groups]
                z = np.array([h[g[a]] for g, a in zip(groups, first)])
                yield tuple(first), z
                continue
            th, codes, slopes, icpt = TABLE[name]
            piece = np.zeros(len(h), dtype=int)
            for t in th:
                piece += h > t
            z = np.array([slopes[p] * v + icpt[p] for p, v in zip(piece, h)])
            yield tuple(codes[p] for p in piece), z

    def pattern_at(self, y):
        """The pattern (tuple per layer) at the point y (slice coordinates), tie -> below."""
        return tuple(codes for codes, _ in self._layers(y))

    def forward(self, y):
        """The network's output at y (slice coordinates)."""
        z = None
        for _, z in self._layers(y):
            pass
        return z

    def constraints(self, pattern):
        """(rows, rhs, output map, output offset) of a pattern, rows normalised, domain
        rows appended; None if a constant neuron contradicts its code."""
        M, c = self.M0, self.c0
        rows, rhs = [], []
        scale = 1.0 + max((np.abs(W).max() for W in self.weights), default=0.0)
        for W, b, name, groups, codes_l in zip(self.weights, self.biases, self.names,
                                               self.groups, pattern):
            G = W @ M
            e = W @ c + b
            if name == "max":
                sel = []
                for grp, a in zip(groups, codes_l):
                    ia = grp[a]
                    sel.append(ia)
                    for pos, ib in enumerate(grp):
                        if pos == a:
                            continue
                        g, gap = G[ib] - G[ia], e[ia] - e[ib]  # f_b - f_a <= 0
                        norm = np.linalg.norm(g)
                        if norm <= 1e-12 * scale:  # constant on the region: check it
                            if gap < 0 or (pos < a and gap <= 0):
                                return None
                            continue
                        rows.append(g / norm)
                        rhs.append(gap / norm)
                M, c = G[sel], e[sel]
                continue
            th, codes, slopes, icpt = TABLE[name]
            piece = [codes.index(k) for k in codes_l]
            for j, p in enumerate(piece):
                g = G[j]
                norm = np.linalg.norm(g)
                if norm <= 1e-12 * scale:  # constant on the region: check the code
                    if sum(e[j] > t for t in th) != p:
                        return None
                    continue
                if p > 0:  # h > th[p-1]  ->  -g.y <= e - th
                    rows.append(-g / norm)
                    rhs.append((e[j] - th[p - 1]) / norm)
                if p < len(th):  # h <= th[p]  ->  g.y <= th - e
                    rows.append(g / norm)
                    rhs.append((th[p] - e[j]) / norm)
            s = np.array([slopes[p] for p in piece])
            t0 = np.array([icpt[p] for p in piece])
            M = s[:, None] * G
            c = s * e + t0
        A = np.vstack(rows + [self.dom_A]) if rows or len(self.dom_A) else np.zeros((0, self.dim))
        b = np.concatenate([np.array(rhs), self.dom_b]) if rows or len(self.dom_b) else np.zeros(0)
        return A.reshape(-1, self.dim), b, M, c

    def _chebyshev(self, A, b, equal=None):
        """Max s (<= 1) with A y + s <= b on every row (rows in ``equal`` held at equality,
        without slack); (s, y) or (-inf, None) if infeasible."""
        n = self.dim
        self.lp_count += 1
        if len(A) == 0:
            return 1.0, np.zeros(n)
        slack = np.ones(len(A))
        A_eq = b_eq = None
        if equal is not None and len(equal):
            slack[equal] = 0.0
            A_eq = np.hstack([A[equal], np.zeros((len(equal), 1))])
            b_eq = b[equal]
            keep = np.setdiff1d(np.arange(len(A)), equal)
            A_ub = np.hstack([A[keep], slack[keep][:, None]])
            b_ub = b[keep]
        else:
            A_ub = np.hstack([A, slack[:, None]])
            b_ub = b
        cost = np.zeros(n + 1)
        cost[-1] = -1.0
        bounds = [(None, None)] * n + [(None, 1.0)]
        res = linprog(cost, A_ub=A_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                      A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs",
                      options=_LP_OPTIONS)
        if res.status != 0:
            return -np.inf, None
        return -res.fun, res.x[:n]

    # -- enumeration -------------------------------------------------------------------------

    def _region(self, pattern):
        cons = self.constraints(pattern)
        if cons is None:
            return None
        A, b, M, c = cons
        s, y = self._chebyshev(A, b)
        if s <= self.margin:
            return None
        return Region(pattern, A, b, M, c, y, s)

    def _start(self):
        A, b = self.dom_A, self.dom_b
        if len(A):
            s, centre = self._chebyshev(A, b)
            if s <= self.margin:
                raise ValueError("oracle: the domain has no interior")
            spread = s
        else:
            centre, spread = np.zeros(self.dim), 1.0
        for _ in range(200):
            y = centre + 0.5 * spread * self.rng.uniform(-1, 1, self.dim) / np.sqrt(self.dim)
            region = self._region(self.pattern_at(y))
            if region is not None:
                return region
        raise RuntimeError("oracle: no start region found")  # pragma: no cover

    def _add(self, region):
        key = region.key
        if key in self.index:
            return self.index[key], False
        self.index[key] = len(self.regions)
        self.regions.append(region)
        return self.index[key], True

    def _run(self):
        first = self._start()
        self._add(first)
        queue = deque([0])
        n_dom = len(self.dom_A)
        while queue:
            i = queue.popleft()
            region = self.regions[i]
            A, b = region.rows, region.rhs
            n_neuron_rows = len(A) - n_dom
            for k in range(n_neuron_rows):
                same = np.flatnonzero(
                    (np.abs(A - A[k]).max(axis=1) <= 1e-9) & (np.abs(b - b[k]) <= 1e-9)
                )
                if np.any(same >= n_neuron_rows):
                    continue  # the facet lies on the domain's boundary
                s, p = self._chebyshev(A, b, equal=same)
                if s <= self.margin:
                    continue
                neighbour = None
                for step in (1e-3, 1e-5, 1e-2):
                    y = p + step * s * A[k]
                    if n_dom and np.any(self.dom_A @ y - self.dom_b > -1e-12):
                        break
                    neighbour = self._region(self.pattern_at(y))
                    if neighbour is not None:
                        break
                if neighbour is None:
                    continue
                j, new = self._add(neighbour)
                if new:
                    queue.append(j)
                if j != i:
                    self.adjacency.add((min(i, j), max(i, j)))

    # -- results -----------------------------------------------------------------------------

    @property
    def num_regions(self):
        return len(self.regions)

    def patterns(self):
        """The set of patterns, each the tuple of all codes (layers concatenated)."""
        return {r.key for r in self.regions}

    def bounded(self):
        """A bool per region (computed on first use)."""
        out = []
        for r in self.regions:
            if r.bounded is None:
                r.bounded = self._is_bounded(r.rows)
            out.append(r.bounded)
        return np.array(out, dtype=bool)

    def _is_bounded(self, G):
        n = self.dim
        if len(G) == 0 or np.linalg.matrix_rank(G, tol=1e-9) < n:
            return False
        self.lp_count += 1
        res = linprog(np.zeros(len(G)), A_eq=G.T, b_eq=np.zeros(n),
                      bounds=[(1.0, None)] * len(G), method="highs")
        return res.status == 0

    def volumes(self):
        """Float volume of each bounded region (inf for unbounded ones)."""
        bounded = self.bounded()
        out = []
        for r, bnd in zip(self.regions, bounded):
            if not bnd:
                out.append(np.inf)
                continue
            if r.volume is None:
                r.volume = self._volume(r)
            out.append(r.volume)
        return np.array(out, dtype=float)

    def vertices(self, r):
        hs = HalfspaceIntersection(np.hstack([r.rows, -r.rhs[:, None]]), r.centre)
        return hs.intersections

    def _volume(self, r):
        if self.dim == 1:
            a = r.rows[:, 0]
            upper = min(bb / aa for aa, bb in zip(a, r.rhs) if aa > 0)
            lower = max(bb / aa for aa, bb in zip(a, r.rhs) if aa < 0)
            return upper - lower
        return ConvexHull(self.vertices(r)).volume

    def locate(self, points):
        """Index of the region of each point (by its pattern), -1 if none (outside the
        domain, or a pattern the oracle did not find)."""
        out = []
        for y in np.atleast_2d(np.asarray(points, dtype=float)):
            if len(self.dom_A) and np.any(self.dom_A @ y > self.dom_b + 1e-12):
                out.append(-1)
                continue
            key = tuple(c for layer in self.pattern_at(y) for c in layer)
            out.append(self.index.get(key, -1))
        return np.array(out, dtype=int)


def zaslavsky(m, d):
    """Regions of m hyperplanes in general position in R^d: sum_{j<=d} C(m, j)."""
    from math import comb

    return sum(comb(m, j) for j in range(d + 1))


def assert_agrees(part, oracle, keys, okeys, total=None):
    """An n-D partition against the LP oracle, regions matched by their pattern keys
    (``keys`` for ``part``'s regions, ``okeys`` for the oracle's): the same regions, the same
    bounded ones, the same facet adjacency, and with a bounded domain of volume ``total`` the
    same volumes, summing to it."""
    import pytest

    assert part.num_regions == oracle.num_regions
    assert sorted(keys) == sorted(okeys)
    flag = dict(zip(okeys, oracle.bounded().tolist()))
    assert [flag[k] for k in keys] == np.asarray(part.bounded, dtype=bool).tolist()
    mine = {frozenset((keys[i], keys[j])) for i, j in np.asarray(part.adjacency).tolist()}
    theirs = {frozenset((okeys[i], okeys[j])) for i, j in oracle.adjacency}
    assert mine == theirs
    if total is not None:  # a bounded domain of this volume
        vol = dict(zip(okeys, oracle.volumes().tolist()))
        got = np.array([float(v) for v in part.volumes])
        assert np.allclose(got, [vol[k] for k in keys], rtol=1e-6, atol=1e-9)
        assert got.sum() == pytest.approx(total, rel=1e-9)
