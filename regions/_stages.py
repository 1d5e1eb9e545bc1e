"""A graph lowered to *stages*: the interface between networks and the engines.

Every engine keeps the values of one *state* at its sample rows (a trace's edges, a
partition's vertices): a matrix whose columns are the outputs of the piecewise-linear nodes
(or the input) that later nodes still read. Stage ``s`` is one piecewise-linear node P:

1. ``pre(Z, w)``: its pre-activation, the affine sub-graph between the state and P applied to
   the rows ``Z`` (``w`` = 1 for points, 0 for directions, which take no bias);
2. the engine splits its pieces where P's pattern changes (a threshold of an
   :class:`~regions.graph.Elementwise` node, a change of argmax of a
   :class:`~regions.graph.GroupMax`), interpolating every state column at new rows;
3. the new state is ``[P's output, Z[:, carry]]``: the columns still needed later ride along.

A graph whose output is not piecewise-linear gets a last identity stage named after its
output node, as a dense :class:`~regions.Network`'s linear output layer is a layer. For a
Network the stages are its layers and ``pre`` is ``Z @ W.T + b``, the computation the engines
always did.

Also here, shared by the engines and the results: :func:`lower`, the forward pass with
patterns (:meth:`Lowered.forward`, :meth:`Lowered.point_patterns`) and the Jacobians of
pieces from their patterns (:meth:`Lowered.jacobians`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import FloatModeError
from .kinds import FLOAT, RATIONAL_FRACTION, NumberKind
from .activations import ACTIVATIONS, Activation
from .graph import (AFFINE, PIECEWISE_LINEAR, Affine, Elementwise, Graph, GroupMax, Node,
                    as_graph)
from .operators import Dense

__all__: list[str] = []

_CHUNK = 1 << 22  # entries of a Jacobian block processed at once


@dataclass(frozen=True, eq=False)
class Stage:
    """One piecewise-linear node and the affine program that feeds it (see the module)."""

    name: str
    node: Any  # an Elementwise or GroupMax node
    width: int  # outputs of the node
    num_pre: int  # columns of its pre-activation
    carry: np.ndarray  # state columns kept after its outputs
    program: tuple[Any, ...]  # affine nodes, in order, from the state to the pre-activation
    sources: tuple[tuple[str, int, int], ...]  # (node, start, stop) columns read from the state
    target: str  # the pre-activation node

    @property
    def activation(self) -> Activation:
        """The activation of an elementwise stage."""
        if not isinstance(self.node, Elementwise):
            raise AttributeError(f"stage {self.name!r} is a group maximum: no activation")
        return self.node.activation

    @property
    def groups(self) -> np.ndarray:
        """The groups of a group-max stage."""
        if not isinstance(self.node, GroupMax):
            raise AttributeError(f"stage {self.name!r} is elementwise: no groups")
        return self.node.groups

    @property
    def is_max(self) -> bool:
        return isinstance(self.node, GroupMax)

    @property
    def codes(self) -> np.ndarray:
        """Pattern code of each piece index (for a group max: the argmax position)."""
        if self.is_max:
            return np.arange(self.node.groups.shape[1], dtype=np.int8)
        return np.asarray(self.node.activation.codes, dtype=np.int8)

    @property
    def slopes(self) -> tuple[Any, ...]:
        return self.node.activation.slopes

    # -- the pre-activation ----------------------------------------------------------------

    def _run(self, Z: np.ndarray, w: Any, method: str) -> np.ndarray:
        env = {name: Z[:, a:b] for name, a, b in self.sources}
        for node in self.program:
            env[node.name] = getattr(node, method)([env[i] for i in node.inputs], w)
        return env[self.target]

    def pre(self, Z: np.ndarray, w: Any) -> np.ndarray:
        """The pre-activation at rows ``Z`` (``w``: 1, 0, or one homogeneous weight per
        row). Returns a new array (never a view of ``Z``)."""
        out = self._run(Z, w, "evaluate")
        return out.copy() if _shares(out, Z) else out

    def pre_abs(self, M: np.ndarray, w: Any) -> np.ndarray:
        """``|A| M + |b| w`` for non-negative rows ``M``: the size of the terms that make the
        pre-activation (float rounding-error scale)."""
        return self._run(M, w, "evaluate_abs")

    def pre_transpose(self, G: np.ndarray, n_state: int, absolute: bool = False) -> np.ndarray:
        """The transpose of the pre-activation's linear part applied to rows ``G``: rows of
        the state's width."""
        adj: dict[str, np.ndarray] = {self.target: G}
        for node in reversed(self.program):
            g = adj.pop(node.name, None)
            if g is None:
                continue
            for src, part in zip(node.inputs, node.transpose(g, absolute)):
                adj[src] = adj[src] + part if src in adj else part
        out = np.zeros((G.shape[0], n_state), dtype=G.dtype)
        if G.dtype == object:
            out[...] = Fraction(0)
        for name, a, b in self.sources:
            if name in adj:
                out[:, a:b] += adj[name]
        return out

    # -- the node itself -------------------------------------------------------------------

    def output(self, H: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
        """The node's outputs from its pre-activation rows ``H`` (pieces of an elementwise
        node follow its activation; a group max takes the maxima)."""
        if self.is_max:
            return group_max_values(H, self.node.groups)
        return self.node.activation(H)


def _shares(a: np.ndarray, b: np.ndarray) -> bool:
    return a is b or (a.base is not None and np.shares_memory(a, b))


SMALLEST_SCALE = 1e-280
"""Float mode refuses pre-activations whose terms are all smaller than this: their products
would fall below float64's normal range (about 2.2e-308) and lose digits (underflow)."""


def check_float_range(values: np.ndarray, scale: np.ndarray, name: str, what: str) -> None:
    """Float mode: raise rather than answer from values float64 cannot hold. ``values`` are
    a node's pre-activations, ``scale`` the sizes of the terms that make each of them (for
    example ``Stage.pre_abs`` of the inputs' magnitudes)."""
    if not np.all(np.isfinite(values)) or not np.all(np.isfinite(scale)):
        raise FloatModeError(
            f"{what} (float mode): the pre-activations of node {name!r} exceed float64's range "
            "(overflow); rescale the network's weights or inputs, or use exact=True"
        )
    positive = scale[scale > 0]
    if positive.size and float(positive.min()) < SMALLEST_SCALE:
        raise FloatModeError(
            f"{what} (float mode): the pre-activations of node {name!r} are made of terms as "
            f"small as {float(positive.min()):.3g}, where float64 loses digits (underflow); "
            "rescale the network's weights (a ReLU network is positively homogeneous) or "
            "use exact=True"
        )


def check_terms_underflow(sizes: np.ndarray, slope: np.ndarray, offset: np.ndarray,
                          name: str, what: str) -> None:
    """Float mode: raise where the terms of a pre-activation underflow as a whole: the
    largest input size (``sizes``: per row) times weights of total size ``slope`` (per
    column) below
    :data:`SMALLEST_SCALE` (possibly rounded to zero, which :func:`check_float_range`
    cannot see), with no bias term to carry the value (``offset`` below it too)."""
    live = (sizes > 0) & (sizes < np.inf)
    cols = (slope > 0) & (offset < SMALLEST_SCALE)
    if not live.any() or not cols.any():
        return
    smallest = float(sizes[live].max()) * float(slope[cols].min())  # the largest input's
    if smallest < SMALLEST_SCALE:
        raise FloatModeError(
            f"{what} (float mode): the pre-activations of node {name!r} are made of terms "
            f"{'that round to 0' if smallest == 0 else f'as small as {smallest:.3g}'}, where "
            "float64 loses digits (underflow); rescale the "
            "network's weights (a ReLU network is positively homogeneous) or use exact=True"
        )


def padded_groups(groups: np.ndarray) -> np.ndarray:
    """The groups with each ``-1`` replaced by the group's first entry (a repeat never wins a
    maximum, and never takes the argmax from the first)."""
    return np.where(groups >= 0, groups, groups[:, :1])


def group_max_values(H: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Maximum over each group (``-1`` padding left out) of every row of ``H``."""
    return H[:, padded_groups(groups)].max(axis=2)


def group_pairs(groups: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every pair of entries i < j of every group (padding left out): the group, the two
    positions and the two columns. Where the argmax of a group changes, two of its entries
    tie, so splitting at the sign changes of all differences f_i - f_j finds every change
    (and some where the argmax does not change, which make no transition)."""
    g, i, j = [], [], []
    k = groups.shape[1]
    for a in range(k):  # positions within a group: k(k - 1)/2 pairs
        for b in range(a + 1, k):
            ok = np.flatnonzero((groups[:, a] >= 0) & (groups[:, b] >= 0))
            g.append(ok)
            i.append(np.full(ok.shape[0], a))
            j.append(np.full(ok.shape[0], b))
    g_, i_, j_ = (np.concatenate(v).astype(np.int64) if v else np.zeros(0, np.int64)
                  for v in (g, i, j))
    return g_, i_, j_, groups[g_, i_], groups[g_, j_]


def argmax_from_signs(signs: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The argmax of each group (the first on ties) from the signs (rows, pairs) of the
    differences f_i - f_j of :func:`group_pairs`: the first entry a with f_a > f_b for
    every earlier b and f_a >= f_b for every later one."""
    g, i, j, _, _ = group_pairs(groups)
    rows, (G, k) = signs.shape[0], groups.shape
    beaten = np.zeros((rows, G, k), dtype=bool)  # entry a loses to some other entry
    np.logical_or.at(beaten, (slice(None), g, i), signs < 0)  # type: ignore[arg-type]
    np.logical_or.at(beaten, (slice(None), g, j), signs >= 0)  # type: ignore[arg-type]
    # (f_i < f_j: i loses; f_i >= f_j: j, the later, loses)
    beaten |= (groups < 0)[None]
    return np.argmax(~beaten, axis=2).astype(np.int8)


def group_argmax(H: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Position of the maximum in each group (the first one on ties): int8 (N, G)."""
    cand = H[:, padded_groups(groups)]
    if cand.dtype == object:
        best = cand.max(axis=2)
        return np.argmax(cand == best[:, :, None], axis=2).astype(np.int8)
    return np.argmax(cand, axis=2).astype(np.int8)


@dataclass(frozen=True, eq=False)
class Lowered:
    """A model as stages, with its parameters in one number kind."""

    graph: Graph
    stages: tuple[Stage, ...]
    kind: NumberKind

    @property
    def exact(self) -> bool:
        """Whether the arithmetic is exact (rational working arrays)."""
        return self.kind.dtype == object

    @property
    def input_size(self) -> int:
        return self.graph.input_size

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def forward(self, points: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per stage: (pre-activation, output) at the rows ``points`` (already of this
        number kind)."""
        z, out = points, []
        for st in self.stages:
            h = st.pre(z, 1)
            y = st.output(h)
            out.append((h, y))
            z = y if not st.carry.shape[0] else np.concatenate([y, z[:, st.carry]], axis=1)
        return out

    def point_patterns(self, points: np.ndarray) -> tuple[list[np.ndarray], list]:
        """The activation pattern of each row, one int8 code array per stage (a value on a
        threshold takes the piece below; a tie for a maximum, the first), and the values."""
        layers = self.forward(points)
        patterns = []
        for (h, _), st in zip(layers, self.stages):
            if st.is_max:
                patterns.append(group_argmax(h, st.node.groups))
            else:
                patterns.append(st.codes[st.node.activation.piece_index(h)])
        return patterns, layers

    def jacobians(self, patterns: tuple[np.ndarray, ...], rows: np.ndarray,
                  absolute: bool = False) -> np.ndarray:
        """The Jacobian (n_out, n_in) of the model on the pieces ``rows`` from their
        patterns (one code row per piece and stage): forward mode through the stages when
        there are fewer inputs than outputs (a plane slice), reverse mode otherwise. With
        ``absolute``, the same products over absolute values (a rounding-error scale)."""
        n_out = self.stages[-1].width
        if self.input_size <= n_out:
            return self._forward_jacobians(patterns, rows, absolute)
        return self._reverse_jacobians(patterns, rows, absolute)

    def _forward_jacobians(self, patterns, rows, absolute):
        n_in, p = self.input_size, rows.shape[0]
        tangent = self.kind.convert(np.tile(np.eye(n_in), (p, 1)))
        for s, st in enumerate(self.stages):
            codes = np.repeat(self._index_of(s, patterns[s][rows]), n_in, axis=0)
            pre = st.pre_abs(tangent, 0) if absolute else st.pre(tangent, 0)
            out = _through_node_forward(st, pre, codes, absolute)
            tangent = out if not st.carry.shape[0] else np.concatenate(
                [out, tangent[:, st.carry]], axis=1)
        return tangent.reshape(p, n_in, -1).transpose(0, 2, 1)

    def _reverse_jacobians(self, patterns, rows, absolute):
        n_out = self.stages[-1].width
        p = rows.shape[0]
        dtype = object if self.exact else np.float64
        adj = self.kind.convert(np.tile(np.eye(n_out), (p, 1)))
        widths = self._state_widths()
        for s in range(len(self.stages) - 1, -1, -1):
            st = self.stages[s]
            codes = np.repeat(self._index_of(s, patterns[s][rows]), n_out, axis=0)
            out_adj, carried = adj[:, : st.width], adj[:, st.width:]
            g = _through_node(st, out_adj, codes, absolute, dtype)
            prev = st.pre_transpose(g, widths[s], absolute)
            if st.carry.shape[0]:
                prev[:, st.carry] += carried  # distinct columns
            adj = prev
        return adj.reshape(p, n_out, -1)

    def _index_of(self, s: int, codes: np.ndarray) -> np.ndarray:
        """Pattern codes of stage ``s`` as piece indices (argmax positions for a maximum)."""
        st = self.stages[s]
        if st.is_max:
            return codes.astype(np.int64)
        lookup = {int(c): i for i, c in enumerate(st.codes)}
        table = np.zeros(int(st.codes.max()) - int(st.codes.min()) + 1, dtype=np.int64)
        for c, i in lookup.items():
            table[c - int(st.codes.min())] = i
        return table[codes.astype(np.int64) - int(st.codes.min())]

    def _state_widths(self) -> list[int]:
        """Width of the state before each stage."""
        widths = [self.input_size]
        for st in self.stages[:-1]:
            widths.append(st.width + st.carry.shape[0])
        return widths


def _through_node_forward(st: Stage, pre: np.ndarray, codes: np.ndarray,
                          absolute: bool) -> np.ndarray:
    """Tangents of the node's outputs from the tangents of its pre-activation, on pieces
    with the piece-index rows ``codes`` (argmax positions for a maximum)."""
    if st.is_max:
        cols = padded_groups(st.node.groups)[np.arange(st.width)[None, :], codes]
        return np.take_along_axis(pre, cols, axis=1)
    slopes = st.node.activation.slopes
    exact = pre.dtype == object
    table = np.array(slopes if exact else [float(v) for v in slopes], dtype=pre.dtype)
    alpha = table[codes]
    return pre * (np.abs(alpha) if absolute else alpha)


def _through_node(st: Stage, out_adj: np.ndarray, codes: np.ndarray, absolute: bool,
                  dtype: Any) -> np.ndarray:
    """Adjoint of the pre-activation from the adjoint of the node's outputs, on pieces with
    the piece-index rows ``codes`` (argmax positions for a maximum)."""
    if st.is_max:
        groups = st.node.groups
        g = np.zeros((out_adj.shape[0], st.num_pre), dtype=dtype)
        if dtype == object:
            g[...] = Fraction(0)
        cols = padded_groups(groups)[np.arange(groups.shape[0])[None, :], codes]
        rows = np.broadcast_to(np.arange(out_adj.shape[0])[:, None], cols.shape)
        g[rows, cols] = out_adj  # the maxima of one row are distinct entries
        return g
    slopes = st.node.activation.slopes
    table = np.array(slopes if dtype == object else [float(v) for v in slopes], dtype=dtype)
    alpha = table[codes]
    return out_adj * (np.abs(alpha) if absolute else alpha)


def same_maps(lowered: Lowered, patterns: tuple[np.ndarray, ...], a: np.ndarray,
              b: np.ndarray, tol: float) -> np.ndarray:
    """For each pair of pieces ``(a[i], b[i])``: whether the model's Jacobians on them are
    equal (exactly; in float mode within ``tol`` times the same products over absolute
    values). Computed in blocks of pairs, so memory stays bounded."""
    n_out, n_in = lowered.stages[-1].width, lowered.input_size
    widest = max([n_in] + [st.num_pre + st.carry.shape[0] for st in lowered.stages])
    step = max(1, _CHUNK // max(1, min(n_out, n_in) * widest))
    out = np.empty(a.shape[0], dtype=bool)
    for i in range(0, a.shape[0], step):
        ra, rb = a[i: i + step], b[i: i + step]
        ids, inv = np.unique(np.concatenate([ra, rb]), return_inverse=True)
        ja, jb = inv[: ra.shape[0]], inv[ra.shape[0]:]  # each piece's Jacobian once
        jac = lowered.jacobians(patterns, ids)
        diff = jac[ja] - jac[jb]
        if lowered.exact:
            out[i: i + step] = np.all(diff == 0, axis=(1, 2))
        else:
            scale = lowered.jacobians(patterns, ids, True)
            out[i: i + step] = np.all(np.abs(diff) <= tol * (scale[ja] + scale[jb]),
                                      axis=(1, 2))
    return out


def same_neighbour_maps(lowered: Lowered, patterns: tuple[np.ndarray, ...],
                        tol: float) -> np.ndarray:
    """:func:`same_maps` for consecutive pieces (rows i and i + 1)."""
    n = patterns[0].shape[0]
    return same_maps(lowered, patterns, np.arange(n - 1), np.arange(1, n), tol)


def lower(model: Any, exact: bool | NumberKind, collapse: bool = True) -> Lowered:
    """Lower a :class:`~regions.Network` or :class:`~regions.Graph` to stages, its parameters
    converted once to the working arrays of a number kind (``exact``: a
    :class:`~regions.kinds.NumberKind`, or True for Fractions, False for float64). With
    ``collapse`` a small-input first stage becomes one dense map (see :func:`_collapsed`)."""
    kind = exact if isinstance(exact, NumberKind) else RATIONAL_FRACTION if exact else FLOAT
    graph = as_graph(model).convert(kind)
    nodes = graph.nodes
    by_name = {n.name: n for n in nodes}
    pl = [n for n in nodes if isinstance(n, PIECEWISE_LINEAR)]
    out_node = by_name[graph.output]
    if not isinstance(out_node, PIECEWISE_LINEAR):  # the output as an identity stage
        pl.append(Elementwise(graph.output, (graph.output,), out_node.shape,
                              ACTIVATIONS["linear"]))
    sources = [_cone(by_name, n.inputs[0]) for n in pl]
    stages = []
    layout = [(graph.input.name, graph.input_size)]  # the state's column blocks
    for s, (node, (program, reads)) in enumerate(zip(pl, sources)):
        starts = np.cumsum([0] + [size for _, size in layout])
        where = {name: (int(a), int(a) + size) for (name, size), a in zip(layout, starts)}
        missing = [r for r in reads if r not in where]
        if missing:  # pragma: no cover - the lowering keeps every later source
            raise AssertionError(f"internal error: {missing} not in the state")
        later = set().union(*(r for _, r in sources[s + 1:]))
        kept = [(name, size) for name, size in layout if name in later and name != node.name]
        carry = np.concatenate([np.arange(*where[name]) for name, _ in kept]) if kept else \
            np.zeros(0, dtype=np.int64)
        width = node.size
        stage = Stage(
            name=node.name, node=node, width=width, num_pre=by_name[node.inputs[0]].size,
            carry=carry.astype(np.int64), program=program,
            sources=tuple((r, *where[r]) for r in reads), target=node.inputs[0],
        )
        stages.append(_collapsed(stage, graph, kind) if s == 0 and collapse else stage)
        layout = [(node.name, width)] + kept
    return Lowered(graph, tuple(stages), kind)


SMALL_INPUT = 8
"""A first stage reading at most this many inputs through structured operators is made one
dense map (a plane slice of an image model: 2 columns instead of convolutions per row)."""


def _collapsed(st: Stage, graph: Graph, kind: NumberKind) -> Stage:
    """The first stage with its affine program replaced by the equivalent dense map, when
    the input is small and the program is more than one dense operator (the map is the
    program applied to the unit vectors, w = 0, and to the origin, w = 1: exact in exact
    mode)."""
    n = graph.input_size
    simple = len(st.program) == 1 and isinstance(getattr(st.program[0], "op", None), Dense)
    if n > SMALL_INPUT or simple or not st.program:
        return st
    linear = st.pre(kind.convert(np.eye(n)), 0).T
    offset = st.pre(kind.convert(np.zeros((1, n))), 1)[0]
    node = Affine(st.target, (graph.input.name,), st.program[-1].shape, Dense(linear), offset)
    return replace(st, program=(node,), sources=((graph.input.name, 0, n),))


def _cone(by_name: dict[str, Node], target: str) -> tuple[tuple[Node, ...], set[str]]:
    """The affine nodes between the state and ``target`` (in order) and the state nodes
    (input or piecewise-linear) they read."""
    program: list[Node] = []
    reads: set[str] = set()
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        node = by_name[name]
        if isinstance(node, AFFINE):
            for src in node.inputs:
                visit(src)
            program.append(node)
        else:
            reads.add(name)

    visit(target)
    return tuple(program), reads

