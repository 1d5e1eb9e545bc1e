"""Exact breakpoints of a piecewise-linear network along a straight or polygonal trajectory.

The algorithm works layer by layer on the whole trajectory at once. Before layer d the image
z^(d-1)(x(t)) is linear in t between consecutive *edges* t_0 < t_1 < ... < t_K, so it is
stored as its values at the edges (one row each); an unbounded end of a :class:`Line` is
stored as a slope vector dz/dt. Layer d then

1. evaluates h^(d) = W^(d) z^(d-1) + b^(d) at the edges: one matrix product, exactly the
   forward pass over the edges;
2. finds, for every piece [t_i, t_i+1] and neuron j and threshold theta of phi_d, the
   parameter where h_j crosses theta strictly inside the piece, in closed form:
   t = t_i + lambda (t_i+1 - t_i), lambda = (theta - h_j(t_i)) / (h_j(t_i+1) - h_j(t_i))
   (on an unbounded end, t = t_i + (theta - h_j(t_i)) / (dh_j/dt));
3. inserts those parameters as new edges, with interpolated rows, and reads each piece's
   pattern from the sides of the thresholds its two end values lie on;
4. applies phi_d to the edge values (phi_d is linear on each new piece, so the image stays
   linear between edges).

Every array operation is over all pieces and neurons at once; the only Python loops are over
layers, over the (at most two) thresholds of an activation, and over the output coordinates
when sign changes are counted.

Graphs
------
A :class:`~regions.Graph` runs through the same steps, one stage per piecewise-linear node
(:mod:`regions._stages`): the pre-activation is the affine sub-graph between the stored
values and the node (convolutions applied as convolutions), and values read again later (a
residual connection) ride along as extra columns, interpolated at every new edge. A group
maximum (max pooling, maxout) changes pattern where its argmax changes: on each piece the
group's entries are lines in t, and the breakpoints of their upper envelope are found in at
most k - 1 vectorised steps (from the steepest of the maxima at the piece's start, each step
moves to the line that overtakes the current one first; on ties, the steepest), so three
entries meeting at one point make one knot. Its pattern code is the position of the maximum
within the group (the first on ties), and a transition is a group whose argmax changes.
Along an :class:`~regions.Arc` the entries are sinusoids, so the arc engines split where any
two entries of a group tie (the sign changes of their differences, solved in closed form
like a neuron's crossings) and read the argmax inside each piece; a split where the argmax
does not change makes no transition and is not a knot.

Coincidences, exactly
---------------------
* Several neurons crossing at one parameter give one knot; each counts as a transition.
* A neuron that touches its threshold and turns back (its value at an edge equals theta and
  both neighbouring pieces lie on one side) makes no knot: a crossing must change side.
* A neuron constant on a piece never crosses inside it; if the constant is a threshold,
  the tie rule of :mod:`regions.activations` (the piece below) gives its code.
* A neuron crossing exactly at an existing edge creates no new edge; its transition is counted
  at that edge.

Float mode and its tolerance
----------------------------
With ``exact=False`` the arithmetic is float64 and one relative tolerance ``tol`` (default
``1e-11``) decides what counts as a coincidence:

* a pre-activation at an edge within ``tol * (sum_i |W_ji| |z_i| + |b_j|)`` of a
  threshold, the sizes of its own terms at that edge (a bound on its rounding error,
  scaled up: Higham 2002, eq. (3.5), gives ``|fl(w . z) - w . z| <= gamma_n |w| . |z|``;
  a far edge of a :class:`Line` does not loosen it at the near ones, nor a large input a
  neuron does not read; a new edge's bound interpolates its piece's ends', which bounds
  it since each term's size is convex along a piece, and on an unbounded end adds
  ``|t - t_i|`` times the slope's ``sum_i |W_ji| |g_i|``, so it grows with ``|t|``), is treated as
  lying on it **if it is within** :data:`ROUNDING_SHARE` (2^-10) **of that bound**: with
  the default ``tol``,
  about 1e-14 of its terms (44 machine epsilons; the share scales with ``tol``), rounding
  of a coincidence. A value farther from the threshold than that but
  still within the bound is a genuine near-miss the tolerance would merge: a piece
  narrower than the tolerance, or, along a :class:`Line` nearly parallel to a boundary, a
  value whose terms are ~``|t|`` times larger than itself (the error of the slopes, ~1e-16 of
  their terms, times ``|t|``, swamps it). Float mode raises ``FloatingPointError`` there
  (suggesting ``exact=True``) instead of snapping it (at edges, at new edges, and for the
  outputs whose signs are counted). The slope of an unbounded end within
  ``tol * sum_i |W_ji| |g_i|`` of zero (its own terms g) is zero, unless its sign decides
  a crossing far out (a boundary nearly parallel to the line, meeting it at ``|t| ~ 1e16`` or
  never) or the side of a threshold the end starts on: that sign is then recomputed
  exactly, in rational arithmetic from the float network and direction along the end's
  patterns (one vector per layer, only where needed). A crossing near the far end of a
  piece is computed from that end;
* a crossing within ``tol * max(1, |t|)`` of an existing edge is moved onto that edge, and
  crossings within that distance of each other are merged into one knot.

The tolerance is relative to the parameter value, so it depends on the parametrisation: a
:class:`Line` whose direction has norm 1e12 resolves proportionally coarser pieces of the same
curve (exact mode does not depend on it). Arcs are traced in t - start, so where an arc starts
does not matter. So no
float piece is narrower than ``tol * max(1, |t|)``; genuine pieces narrower than that, when
their crossings are found in one layer, are merged into a neighbour (the count can then be
one lower than the exact count), and the transitions of neurons crossing there are counted
at the merged knot. On generic networks
(no coincidences, no slivers of relative width 1e-11) float and exact modes give the same
knots to about 1e-13 and the same counts. Float mode raises ``FloatingPointError`` rather
than trace values that float64 cannot hold: pre-activations that overflow, or whose terms
are all below 1e-280 (underflow: a ReLU network scaled by 1e-100 per layer, or by 1e-200,
whose terms round to 0). What float mode still takes as a coincidence is a value within rounding (the share above)
of a threshold, and crossings within ``tol * max(1, |t|)`` of each other: a network whose
float weights miss a coincidence by less than that (decimal weights such as 1.6 and 1.2
that cancel exactly in decimal, not in binary) is answered as the coincidence, and a
genuine piece narrower than that (1e-15 of ``|t|``, below what float64 can place two knots
apart) is merged; exact mode, which takes float weights at their binary values, is the
reference there.

Exact mode
----------
``exact=True`` gives the answer of rational arithmetic, with no tolerance at all. On segments,
lines and polylines it is *certified* (:mod:`regions.certified`): this algorithm run on float
values that carry rigorous error bounds, with exact values computed only for the decisions
the bounds cannot settle. ``exact=regions.kinds.RATIONAL`` runs it in rational arithmetic
throughout (gmpy2 / python-flint when installed, Fractions otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from .errors import FloatModeError
from . import _numbers
from .certified import (CertifiedEngine, ExactOracle, FilterStats, Unsettled,
                        lower_certified, same_maps_certified)
from .kinds import RATIONAL, RATIONAL_FRACTION, CertifiedKind, NumberKind, as_kind, to_fraction
from .activations import Activation
from .network import Network
from ._arc import ArcEngine
from ._pieces import (BatchEngine, EngineBase, TraceEngine, count_distinct_patterns,
                      insert_edges, knot_starts, record_layer)
from ._stages import (Lowered, Stage, check_float_range, check_terms_underflow,
                      group_max_values, lower, padded_groups, same_neighbour_maps)
from .graph import Graph
from .memory import check_trace_layer
from ._pieces import merge_rows as _merge_rows
from .trajectory import Arc, Line, Polyline, Segment

__all__ = ["trace", "trace_rows", "run_straight", "trace_arc_window", "Trace", "DEFAULT_TOLERANCE",
           "ROUNDING_SHARE"]

_FINITE, _LEFT, _RIGHT = 0, 1, 2  # where a crossing lies: a finite piece or an unbounded end

DEFAULT_TOLERANCE = 1e-11
"""Default relative tolerance of float-mode tracing (see the module docstring)."""

ROUNDING_SHARE = 2.0 ** -10
"""Float mode: the share of a value's tolerance bound taken as rounding of a coincidence;
a value on a threshold within its bound but beyond this share of it raises (see the module
docstring)."""


@dataclass(frozen=True, eq=False, repr=False)
class Trace:
    """The exact piece structure of a network along a trajectory.

    Produced by :func:`trace`; all counts refer to the trajectory's parameter domain.

    Attributes
    ----------
    network, trajectory
        What was traced.
    exact : bool
        True if computed in rational arithmetic; then ``edges`` and ``knots`` hold Fractions
        (on an :class:`~regions.Arc` they hold float angles and ``exact_knots`` the exact
        values).
    tol : float
        The float-mode tolerance used (0 in exact mode).
    edges : ndarray
        The ``num_pieces + 1`` piece boundaries: the domain's ends (``-inf``/``inf`` for a
        :class:`~regions.Line`) and the knots.
    knot_transitions : ndarray of int, shape (num_knots, num_layers)
        How many neurons of each layer switch piece at each knot (a hard-tanh neuron moving
        two pieces at once, possible only through a float merge, counts two).
    lengths : ndarray of float, shape (num_layers + 1,)
        Length of the image of the trajectory at the input and after every layer's
        activation (the last entry is the output's). Computed as the sum of the chords of the
        pieces, which is exact because the image is straight on each piece; ``inf`` where an
        unbounded end has a non-constant image. In exact mode each chord's squared length is
        exact, its square root is rounded once to float64 and the sum is ``math.fsum``-ed:
        the relative error is below 1e-15 (square roots of rationals are irrational). On an
        :class:`~regions.Arc` each piece's image is an arc of an ellipse and its length the
        closed form through the incomplete elliptic integral of the second kind.
    closed : bool
        True for a closed curve (a full-turn :class:`~regions.Arc`).
    exact_knots : ndarray or None
        For an exact trace along an :class:`~regions.Arc`: the knots as exact values of
        s = -cot((t - start) / 2), quadratic irrationals p + q sqrt(d) (``edges`` and
        ``knots`` hold the float angles, since angles are transcendental). ``-inf`` marks
        the start point of a closed curve. None otherwise.
    arithmetic : str
        ``"float"``, ``"rational"`` (exact, in rational arithmetic throughout) or
        ``"certified"`` (exact: float decisions with rigorous error bounds, exact values
        where a bound does not settle one; see :mod:`regions.certified`). ``exact=True``
        means certified.
    filter_stats : FilterStats or None
        For a certified trace: how many decisions the float bounds settled, how many exact
        values were computed, and whether the run fell back to rational arithmetic.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 (transitions T, activation patterns A, trajectory length l).

    Examples
    --------
    >>> from regions import Network, Segment, trace
    >>> tr = trace(Network([[[1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "relu"),
    ...            Segment([-1.0], [3.0]))
    >>> tr.num_pieces, tr.knots.tolist(), tr.patterns[0].tolist()
    (2, [0.25], [[0, 1], [1, 0]])
    """

    network: Network | Graph
    trajectory: Any
    exact: bool
    tol: float
    _edges: np.ndarray = field(repr=False)
    knot_transitions: np.ndarray
    _lengths: np.ndarray = field(repr=False)
    _layer_index: tuple[np.ndarray, ...] = field(repr=False)
    _edge_layer: np.ndarray = field(repr=False)
    _piece_start: np.ndarray = field(repr=False)
    _rays: tuple[bool, bool] = field(repr=False)
    _sign_changes: np.ndarray = field(repr=False)
    _lowered: Lowered = field(repr=False)
    closed: bool = False
    _wrap: bool = field(default=False, repr=False)
    exact_knots: np.ndarray | None = field(default=None, repr=False)
    arithmetic: str = "float"
    filter_stats: FilterStats | None = field(default=None, repr=False)
    _deferred: Any = field(default=None, repr=False)

    # -- the exact values a certified run defers -------------------------------------------

    @cached_property
    def _exact_values(self) -> tuple[np.ndarray, np.ndarray]:
        """Edges and lengths from rational arithmetic (a certified trace computes its
        pieces in float with error bounds, and these values on first use)."""
        if self._deferred is None:
            return self._edges, self._lengths
        exact = self._deferred()
        if exact._edges.shape != self._edges.shape:  # pragma: no cover - a filter bug
            raise AssertionError("internal error: the certified and the exact traces differ "
                                 f"({self._edges.shape[0]} and {exact._edges.shape[0]} edges)")
        return exact._edges, exact._lengths

    @property
    def edges(self) -> np.ndarray:
        """The ``num_pieces + 1`` piece boundaries: the domain's ends (``-inf``/``inf`` for a
        :class:`~regions.Line`) and the knots (Fractions in exact mode)."""
        return self._exact_values[0]

    @property
    def lengths(self) -> np.ndarray:
        """Length of the image of the trajectory at the input and after every layer (see
        the class docstring)."""
        return self._exact_values[1]

    # -- counts ------------------------------------------------------------------------

    @property
    def knots(self) -> np.ndarray:
        """Sorted parameters where the activation pattern changes. On a closed curve the
        start point is included when the pattern changes there."""
        if self._wrap:
            return np.concatenate([self.edges[:1], self.edges[1:-1]])
        return self.edges[1:-1]

    @property
    def num_knots(self) -> int:
        return int(self._edges.shape[0]) - 2 + self._wrap

    @property
    def num_pieces(self) -> int:
        """Number of maximal parameter intervals with one activation pattern. On a closed
        curve the intervals at both ends of the parameter range join into one piece unless
        the pattern changes at the start point; there are then as many pieces as knots."""
        if self.closed:
            return max(1, self.num_knots)
        return int(self._edges.shape[0]) - 1

    @property
    def transitions_per_layer(self) -> np.ndarray:
        """Neuron transitions summed over the knots, per layer (output layer last, always 0
        when it is linear)."""
        return self.knot_transitions.sum(axis=0)

    @property
    def transitions(self) -> int:
        """Total number of neuron transitions along the trajectory."""
        return int(self.knot_transitions.sum())

    @property
    def sign_transitions(self) -> int:
        """Sign changes of the scalar output along the trajectory (Raghu et al.'s T).

        Values exactly zero (within the tolerance in float mode) do not count as a sign, so
        an output that touches zero and turns back makes no transition.
        """
        if self._sign_changes.shape[0] != 1:
            raise ValueError(
                "sign_transitions needs a network with one output; this one has "
                f"{self._sign_changes.shape[0]} (see sign_transitions_per_output)"
            )
        return int(self._sign_changes[0])

    @property
    def sign_transitions_per_output(self) -> np.ndarray:
        """Sign changes of each output coordinate along the trajectory."""
        return self._sign_changes.copy()

    @cached_property
    def patterns(self) -> tuple[np.ndarray, ...]:
        """The activation pattern of every interval between consecutive ``edges``: one int8
        array of shape ``(len(edges) - 1, width)`` per layer, with the codes of
        :mod:`regions.activations`. This is one row per piece, except on a closed curve
        without a knot at its start, where the first and last rows are one piece."""
        out = []
        for d, st in enumerate(self._lowered.stages):
            layer = st.codes[self._layer_index[d][self._pieces_at_layer(d)]]
            layer.setflags(write=False)
            out.append(layer)
        return tuple(out)

    @cached_property
    def num_patterns(self) -> int:
        """Number of distinct activation patterns met (equals ``num_pieces`` on straight
        trajectories, where each activation region is convex and met once)."""
        return count_distinct_patterns(self.patterns)

    @cached_property
    def num_linear_pieces(self) -> int:
        """Number of maximal intervals on which the network is one affine function of the
        input. Adjacent pieces are joined when the network's Jacobians on them agree
        (exactly, or within ``tol`` relative to the size of the terms in float mode); their
        offsets then agree too, by continuity at the shared edge."""
        if self.num_pieces == 1:
            return 1
        patterns = self.patterns
        if self.closed:  # compare the last piece with the first as well
            patterns = tuple(np.concatenate([p, p[:1]]) for p in patterns)
        same = self.same_neighbour_maps(patterns)  # (certified: exact where too close)
        changes = int(np.count_nonzero(~same))
        return max(1, changes) if self.closed else 1 + changes

    def end_patterns(self) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """The activation patterns of the first and of the last interval between
        consecutive ``edges`` (rows 0 and -1 of :attr:`patterns`), without building every
        piece's pattern: each is one int8 array per layer.

        Examples
        --------
        >>> from regions import Network, Segment, trace
        >>> tr = trace(Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], "relu"),
        ...            Segment([-1.0], [1.0]))
        >>> [[p.tolist() for p in end] for end in tr.end_patterns()]
        [[[0], [0]], [[1], [0]]]
        """
        stages = self._lowered.stages
        first = tuple(np.array(st.codes[ix[0]]) for st, ix in zip(stages, self._layer_index))
        last = tuple(np.array(st.codes[ix[-1]]) for st, ix in zip(stages, self._layer_index))
        return first, last

    def same_neighbour_maps(self, patterns: tuple[np.ndarray, ...] | None = None
                            ) -> np.ndarray:
        """For consecutive rows of ``patterns`` (default :attr:`patterns`), whether the
        network is the same affine map on both: exactly in exact mode, within ``tol``
        relative to the size of the terms in float mode (as
        :attr:`num_linear_pieces` decides). ``patterns`` may be any rows of patterns of this
        network (one int8 array per layer, e.g. a slice of :attr:`patterns`).

        Examples
        --------
        >>> from regions import Network, Segment, trace
        >>> tr = trace(Network([[[1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "relu"),
        ...            Segment([-1.0], [3.0]))
        >>> tr.same_neighbour_maps().tolist()
        [False]
        """
        pats = self.patterns if patterns is None else patterns
        n = pats[0].shape[0]
        if n < 2:
            return np.zeros(0, dtype=bool)
        if self.arithmetic == "certified":
            return same_maps_certified(self.network, pats, np.arange(n - 1),
                                       np.arange(1, n), RATIONAL)
        return same_neighbour_maps(self._lowered, pats, self.tol)

    @property
    def layer_names(self) -> tuple[str, ...]:
        """The name of each layer (piecewise-linear node) that ``patterns``,
        ``knot_transitions`` and ``lengths[1:]`` refer to: ``layer1, layer2, ...`` for a
        :class:`~regions.Network`, node names (module paths) for a graph."""
        return self._lowered.names

    def _pieces_at_layer(self, d: int) -> np.ndarray:
        """For each piece, the index of the layer-d piece that contains it."""
        exists = self._edge_layer <= d  # finite edges present after layer d
        # a piece starting at finite edge e lies in layer-d piece (#edges <= e) - 1 (+1 for
        # the left unbounded piece, which is piece 0 at every layer)
        counts = np.cumsum(exists) - 1 + self._rays[0]
        start = self._piece_start
        return np.where(start < 0, 0, counts[np.maximum(start, 0)])

    def __repr__(self) -> str:
        mode = "exact" if self.exact else f"float, tol={self.tol:g}"
        return (
            f"Trace(num_pieces={self.num_pieces}, transitions={self.transitions}, "
            f"widths={self.network.widths}, {mode})"
        )


def trace(
    net: Network | Graph,
    trajectory: Segment | Line | Polyline | Arc,
    exact: bool | NumberKind | None = None,
    *,
    tol: float | None = None,
) -> Trace:
    """Find every breakpoint of ``net`` along ``trajectory`` analytically.

    Parameters
    ----------
    net : Network or Graph
        The network: a dense :class:`~regions.Network`, or a :class:`~regions.Graph`
        (convolutions, pooling, residual connections, maxout; e.g. from
        :func:`regions.from_torch`). Layers are its piecewise-linear nodes, named in
        :attr:`Trace.layer_names`; a group maximum (max pooling, maxout) splits where its
        argmax changes.
    trajectory : Segment, Line, Polyline or Arc
        Its dimension must equal the network's input width. Arcs are traced by their own
        engine (:mod:`regions._arc`): closed-form crossings of a + b cos t + c sin t on each
        piece, elliptic-integral lengths.
    exact : bool, None or NumberKind
        ``True``: the exact answer (float entries are used at their exact binary values),
        certified (see the module docstring). ``False``: float64 with tolerance ``tol``.
        ``None`` (default): exact if the network or the trajectory holds Fractions, float
        otherwise. A :mod:`regions.kinds` kind chooses the arithmetic explicitly.
    tol : float, optional
        Float-mode relative tolerance, default :data:`DEFAULT_TOLERANCE`; see the module
        docstring for what it decides. Not allowed in exact mode.

    Returns
    -------
    Trace
        ``knots``, ``num_pieces``, ``num_patterns``, ``transitions``,
        ``transitions_per_layer``, ``sign_transitions``, ``num_linear_pieces``, ``lengths``,
        ``patterns``. In Raghu et al.'s notation ``transitions`` is the number of neuron
        transitions and ``num_patterns`` is A(F(x(t); W)), ``sign_transitions`` is
        T(F(x(t); W)), and ``lengths[d]`` is l(z^(d)(t)).

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.1 (transitions,
       activation patterns, trajectory length).
    .. [2] R. Pascanu, G. Montufar, Y. Bengio, "On the number of response regions of deep
       feed forward networks with piece-wise linear activations", 2013 (linear regions).

    Examples
    --------
    ``|x| = relu(x) + relu(-x)`` has one knot on the line, at 0:

    >>> from regions import Network, Line, Segment, trace
    >>> net = Network([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], "relu")
    >>> tr = trace(net, Line([0.0], [1.0]))
    >>> tr.knots, tr.num_pieces, tr.transitions, tr.num_linear_pieces
    (array([0.]), 2, 2, 2)

    Exact mode returns Fractions:

    >>> from fractions import Fraction
    >>> tr = trace(net, Segment([Fraction(-1)], [Fraction(2)]))
    >>> tr.knots.tolist(), tr.lengths.tolist()
    ([Fraction(1, 3)], [3.0, 3.0, 3.0])
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    if not isinstance(trajectory, (Segment, Line, Polyline, Arc)):
        raise TypeError(
            "trajectory must be a regions.Segment, Line, Polyline or Arc, got "
            f"{type(trajectory).__name__}"
        )
    n_in = net.widths[0] if isinstance(net, Network) else net.input_size
    if trajectory.dim != n_in:
        raise ValueError(
            f"trajectory has dimension {trajectory.dim} but the network's input width is "
            f"{n_in}"
        )
    kind = as_kind(exact, net.is_exact or trajectory.is_exact, tol, DEFAULT_TOLERANCE, "trace",
                   "net or trajectory")
    engine: TraceEngine
    if isinstance(trajectory, Arc):
        if kind.is_exact:  # quadratic irrationals, in Fractions
            from ._arc_exact import ExactArcEngine

            lowered = lower(net, RATIONAL_FRACTION)
            engine = ExactArcEngine(trajectory)
        else:
            lowered = lower(net, kind)
            engine = ArcEngine(trajectory, kind.tol)
    elif isinstance(kind, CertifiedKind):
        return _certified_trace(net, trajectory, kind)
    else:
        lowered = lower(net, kind)
        engine = _Engine(*trajectory.start_rows(kind), kind, model=net)
    _run_layers(engine, lowered, kind)
    return replace(_make_trace(engine, net, trajectory, lowered),
                   arithmetic="rational" if kind.is_exact else "float")


def _certified_trace(net: Network | Graph, trajectory: Segment | Line | Polyline,
                     kind: CertifiedKind) -> Trace:
    """Trace with the certified float engine (:mod:`regions.certified`); if a decision is
    not settled, in the rational kind underneath. Either way, exact mode's answer."""

    def exact_trace() -> Trace:
        return trace(net, trajectory, kind.exact)

    oracle = ExactOracle(net, trajectory)
    t, rows, left, right = trajectory.start_rows(trajectory.is_exact)
    engine = CertifiedEngine(t, rows, left, right, oracle)
    try:
        lowered = lower_certified(net)
        _run_layers(engine, lowered, kind)
        result = _make_trace(engine, net, trajectory, lowered)
    except Unsettled as why:
        result = exact_trace()
        stats = FilterStats(engine.decisions, engine.exact_decisions, True, str(why),
                            engine.refined)
        return replace(result, arithmetic="certified", filter_stats=stats)
    stats = FilterStats(engine.decisions, engine.exact_decisions, False, "", engine.refined)
    return replace(result, arithmetic="certified", filter_stats=stats, _deferred=exact_trace)


def _run_layers(engine: TraceEngine, lowered: Lowered, kind: NumberKind) -> None:
    """Run every stage on the engine; before each, :func:`regions.memory.check_trace_layer`
    raises MemoryError if the next layer's pieces (from the growth so far) would not fit."""
    widths = [st.num_pre + st.carry.shape[0] for st in lowered.stages]
    total, widest = sum(st.width for st in lowered.stages), max(widths + [lowered.input_size])
    before = now = int(engine.t.shape[0])
    for i, st in enumerate(lowered.stages):
        if st.is_max or st.activation.thresholds:  # (a linear node adds no piece)
            check_trace_layer(before, now, widths[i], widest, i, len(widths), total, kind)
        engine.layer(st)
        before, now = now, int(engine.t.shape[0])


def trace_rows(net: Network | Graph, t: np.ndarray, rows: np.ndarray,
               left: np.ndarray | None, right: np.ndarray | None, kind: NumberKind,
               domain: Any) -> Trace:
    """The trace of the path through ``rows`` (one input point per parameter in ``t``,
    straight between consecutive ones), extended beyond its first and last rows along the
    slopes ``left`` and ``right`` when given, in number kind ``kind`` (float or rational).

    The engine :func:`trace` runs, for callers that start it from rows of their own, e.g.
    :mod:`regions.streaming`, which traces a chunk of a trajectory in the trajectory's own
    parameter. ``domain`` is the object the result reports as its trajectory (anything with
    a ``domain`` attribute, the parameter interval).

    Examples
    --------
    >>> import numpy as np
    >>> from regions import FLOAT, Network, Segment
    >>> net = Network([[[1.0, 0.0]], [[1.0]]], [[0.0], [0.0]], ["relu", "linear"])
    >>> seg = Segment([-1.0, 0.0], [1.0, 0.0])
    >>> t = np.array([0.0, 1.0])
    >>> trace_rows(net, t, np.array([[-1.0, 0.0], [1.0, 0.0]]), None, None, FLOAT,
    ...            seg).num_pieces
    2
    """
    engine = _Engine(t, rows, left, right, kind, model=net)
    lowered = lower(net, kind)
    _run_layers(engine, lowered, kind)
    return _make_trace(engine, net, domain, lowered)


def run_straight(net: Network | Graph, t: np.ndarray, rows: np.ndarray, kind: NumberKind,
                 gaps: np.ndarray) -> tuple[BatchEngine, Lowered]:
    """Run the straight-trajectory engine of :func:`trace` on the path through ``rows`` (at
    parameters ``t``), leaving the pieces ``gaps[r]`` (from row r to r + 1) unsplit: several
    segments in one run, for :mod:`regions.batch`. Returns the finished engine (its
    :class:`~regions._pieces.BatchEngine` interface) and the lowered network."""
    engine = _Engine(t, rows, None, None, kind, model=net, gaps=gaps)
    lowered = lower(net, kind)
    _run_layers(engine, lowered, kind)
    return engine, lowered


class _ArcWindow:
    """The domain [angle(lo), angle(hi)] of a sub-arc traced by :func:`trace_arc_window`."""

    def __init__(self, arc: Arc, domain: tuple[float, float]) -> None:
        self.arc, self.domain = arc, domain


def trace_arc_window(net: Network | Graph, arc: Arc, lo: Any, hi: Any) -> Trace:
    """The exact trace of the part ``lo <= s <= hi`` of an :class:`~regions.Arc`, in the
    arc's exact parameter s = -cot((t - start) / 2) (``-inf`` is the start point).

    The engine :func:`trace` runs on an arc in exact mode, started on a window of it: for
    callers that cut an arc into sub-arcs with exact ends, e.g. :mod:`regions.streaming`.
    ``lo < hi`` are Fractions (or ``-inf``/``inf``); the arc's ``start`` and ``stop`` must
    be multiples of pi/2, as for an exact trace. ``exact_knots`` hold the knots in s (the
    same values as the whole arc's trace), ``knots`` and ``edges`` the float angles; the
    result is never closed.

    Examples
    --------
    >>> import math
    >>> from fractions import Fraction
    >>> from regions import Arc, Network
    >>> net = Network([[[1, 0]], [[1]]], [[0], [0]], ["relu", "linear"])
    >>> arc = Arc.circle([1, 0], [0, 1])            # x1 = cos t: zero at t = pi/2, 3 pi/2
    >>> tr = trace_arc_window(net, arc, Fraction(-2), Fraction(2))   # s = -1 is t = pi/2
    >>> [str(k) for k in tr.exact_knots], tr.num_pieces, tr.knots.round(12).tolist()
    (['-1', '1'], 3, [1.570796326795, 4.712388980385])
    """
    from ._arc_exact import ExactArcEngine

    if not isinstance(arc, Arc):
        raise TypeError(f"arc must be a regions.Arc, got {type(arc).__name__}")
    if not lo < hi:
        raise ValueError(f"lo must be below hi; got lo={lo!r}, hi={hi!r}")
    engine = ExactArcEngine(arc, (lo, hi))
    lowered = lower(net, RATIONAL_FRACTION)
    _run_layers(engine, lowered, RATIONAL)
    ts = engine.t
    window = _ArcWindow(arc, (float(ts[0]), float(ts[-1])))
    return replace(_make_trace(engine, net, window, lowered), arithmetic="rational")


def _make_trace(engine: TraceEngine, net: Network | Graph, trajectory,
                lowered: Lowered) -> Trace:
    """Assemble a :class:`Trace` from a finished engine (straight or arc)."""
    has_left, has_right = engine.left is not None, engine.right is not None
    k = engine.t.shape[0]
    # internal edges: every finite edge of a Line; all but the two ends otherwise
    lo, hi = (0, k) if has_left else (1, max(k - 1, 1))
    internal_layer = engine.edge_layer[lo:hi]
    per_knot = np.zeros((hi - lo, len(engine.layer_index)), dtype=np.int64)
    for d, trans in enumerate(engine.layer_transitions):
        per_knot[internal_layer <= d, d] = trans
    change = per_knot.sum(axis=1) > 0  # only trajectory vertices can fail this
    kept = np.flatnonzero(change) + lo
    lo_end, hi_end = trajectory.domain
    edge_exact = engine.edge_exact
    edges = np.empty(kept.shape[0] + 2, dtype=object if edge_exact else np.float64)
    edges[0] = -math.inf if has_left else _numbers.scalar(lo_end, edge_exact)
    edges[-1] = math.inf if has_right else _numbers.scalar(hi_end, edge_exact)
    knots = engine.knot_parameters(kept)
    edges[1:-1] = [to_fraction(v) for v in knots] if edge_exact else knots
    exact_knots = engine.exact_knot_values(kept)
    # each piece is named by the finite edge it starts at (-1: the left unbounded end)
    piece_start = np.concatenate([[-1 if has_left else 0], kept]).astype(np.int64)
    per_knot = per_knot[change]
    closed = bool(engine.closed)
    wrap = closed and sum(engine.wrap_transitions) > 0
    if wrap:  # the start of a closed curve is a knot: its row comes first
        per_knot = np.concatenate([np.asarray(engine.wrap_transitions)[None, :], per_knot])
        if exact_knots is not None:
            exact_knots = np.concatenate([np.array([-math.inf], dtype=object), exact_knots])
    lengths = np.asarray(engine.lengths, dtype=np.float64)
    for arr in (edges, per_knot, lengths):
        arr.setflags(write=False)
    return Trace(
        network=net,
        trajectory=trajectory,
        exact=engine.exact,
        tol=engine.tol,
        _edges=edges,
        knot_transitions=per_knot,
        _lengths=lengths,
        _layer_index=tuple(engine.layer_index),
        _edge_layer=engine.edge_layer,
        _piece_start=piece_start,
        _rays=(has_left, has_right),
        _sign_changes=engine.sign_changes(),
        _lowered=lowered,
        closed=closed,
        _wrap=wrap,
        exact_knots=exact_knots,
    )


class _Engine(EngineBase):
    """Mutable working state of one trace: edges, edge values and end slopes."""

    def __init__(self, t: np.ndarray, rows: np.ndarray, left: np.ndarray | None,
                 right: np.ndarray | None, kind: NumberKind,
                 model: Network | Graph | None = None, gaps: np.ndarray | None = None) -> None:
        self.t = t  # (K,) finite edges, sorted
        # batches (several segments in one run): gap[r] marks the piece [t_r, t_r+1] as not
        # traced (never split), origin[r] the parameter its segment starts at (the float
        # tolerance is relative to t - origin, as in a trace of that segment alone)
        self.gap: np.ndarray | None = None
        self.origin: np.ndarray | None = None
        if gaps is not None:
            self.gap = gap = np.asarray(gaps, dtype=bool)
            starts = np.concatenate([[True], gap[:-1]])
            self.origin = t[np.maximum.accumulate(np.where(starts, np.arange(t.shape[0]), 0))]
        self.segment_lengths: list[np.ndarray] = []
        self.z = rows  # (K, width) values of the current layer's image at the edges
        self.left = left  # slope dz/dt on (-inf, t[0]] or None
        self.right = right  # slope dz/dt on [t[-1], inf) or None
        self.kind = kind
        self.exact, self.tol = kind.is_exact, kind.tol
        self.edge_layer = np.full(t.shape[0], -1, dtype=np.int64)
        self.layer_index: list[np.ndarray] = []
        self.layer_transitions: list[np.ndarray] = []
        self.wrap_transitions: list[int] = []
        self.lengths = [self._length()]
        self._record_segment_lengths()
        self.noise: Any = 0  # float: rounding bound of each pre-activation, (rows, width)
        self.noise_slope: Any = (0, 0)  # float: bounds of the (left, right) end slopes
        self.terms: Any = None  # float: |A| |z| + |b| per row and neuron (sizes of its terms)
        self.slope_terms: Any = (None, None)  # float: |A| |g| of the (left, right) end slopes
        # float: the model and the input slopes, to settle an end slope's sign exactly
        self.model, self.slope0 = model, (left, right)
        self._exact_stages: list[Stage] | None = None

    # -- one layer -------------------------------------------------------------------

    def layer(self, st: Stage) -> None:
        """Split the pieces where stage ``st``'s node changes pattern, then apply it."""
        exact, tol, m = self.exact, self.tol, st.num_pre
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below
            h = _with_carry(st.pre(self.z, 1), self.z, st.carry)
            hl = None if self.left is None else _with_carry(
                st.pre(self.left[None, :], 0), self.left[None, :], st.carry)[0]
            hr = None if self.right is None else _with_carry(
                st.pre(self.right[None, :], 0), self.right[None, :], st.carry)[0]
            if not exact:  # sizes of the terms of each pre-activation, per row (edge)
                n_state = self.z.shape[1]
                zmag = np.abs(self.z).max(axis=1, initial=0.0)
                slope = st.pre_abs(np.ones((1, n_state)), 0)[0]  # sum_i |A_ji|
                offset = st.pre_abs(np.zeros((1, n_state)), 1)[0]  # |b_j|
                scale = self.terms = st.pre_abs(np.abs(self.z), 1)  # |A| |z| + |b|
                # each unbounded end: the sizes of its slope's own terms
                slope_scale: list[np.ndarray | float] = [
                    0.0 if g is None else st.pre_abs(np.abs(g)[None, :], 0)[0]
                    for g in (self.left, self.right)]
                self.slope_terms = tuple(slope_scale)
        noise: np.ndarray | float
        noise_slope: tuple[np.ndarray | float, ...]
        if exact:
            noise, noise_slope = 0, (0, 0)
        else:
            check_float_range(h, scale.max(axis=0, initial=0.0), st.name, "trace")
            check_terms_underflow(zmag, slope, offset, st.name, "trace")
            for g in (self.left, self.right):  # (a slope has no bias term)
                if g is not None:
                    check_terms_underflow(np.abs(g).max(keepdims=True, initial=0.0), slope,
                                          np.zeros_like(offset), st.name, "trace")
            for g, sc in zip((hl, hr), slope_scale):
                if g is not None:  # (then sc is its array of term sizes)
                    check_float_range(g[None, :], np.asarray(sc), st.name, "trace")
            noise = tol * scale
            noise_slope = tuple(tol * sc for sc in slope_scale)  # (left, right)
            for end, (g, ns, row) in enumerate(zip((hl, hr), noise_slope, (0, -1))):
                if g is not None:  # slopes within rounding of zero: settled exactly
                    # (ns: an array, updated in place; asarray returns it as it is)
                    self._settle_end_slopes(h[row, :m], g, np.asarray(ns), end, st)
        self.noise, self.noise_slope = noise, noise_slope
        if st.is_max:
            h, index = self._split_max(h, hl, hr, st.groups)
            record_layer(self, index, changes=True)
            out = group_max_values(h[:, :m], st.groups)
        else:
            act = st.activation
            h, index = self._split_elementwise(h, hl, hr, act, m)
            record_layer(self, index)
            out = act(h[:, :m])
        hl = None if hl is None else _advance_slope(st, hl, index[0], self.kind)
        hr = None if hr is None else _advance_slope(st, hr, index[-1], self.kind)
        self.z = out if h.shape[1] == m else np.concatenate([out, h[:, m:]], axis=1)
        self.left, self.right = hl, hr
        self.lengths.append(self._length(st.width))
        self._record_segment_lengths(st.width)

    def _split_elementwise(self, h, hl, hr, act: Activation, m: int):
        """Insert the threshold crossings of the first ``m`` columns; returns the rows and
        each piece's index of phi's piece per neuron."""
        exact, noise = self.exact, self.noise
        thresholds = [self.kind.scalar(th) for th in act.thresholds]
        if not thresholds:
            npieces = self.t.shape[0] - 1 + (hl is not None) + (hr is not None)
            return h, np.zeros((npieces, m), dtype=np.int8)
        hm = h[:, :m]
        sides = [self.kind.sides(hm - th if th else hm, noise) for th in thresholds]
        if not exact:  # values within rounding of a threshold are on it
            for th, sd in zip(thresholds, sides):
                self._check_snap(hm - th, noise, sd, "a pre-activation at an edge")
                np.copyto(hm, th, where=sd == 0)
        ends = (None if hl is None else hl[:m], None if hr is None else hr[:m])
        far = [self._far_sides(s, *ends, self.noise_slope) for s in sides]
        h, sides = self._split(h, hl, hr, thresholds, sides, far, m)
        far = [self._far_sides(s, *ends, self.noise_slope) for s in sides]
        index = None
        for s, (fl, fr) in zip(sides, far):
            ext = _extend(s, fl, fr)
            above = (ext[:-1] + ext[1:]) > 0
            index = above.view(np.int8) if index is None else index + above
        return h, np.asarray(index, dtype=np.int8)

    def _settle_end_slopes(self, h_end: np.ndarray, g: np.ndarray, noise_slope: np.ndarray,
                           end: int, st: Stage) -> None:
        """Float mode, in place: the slopes ``g`` of an unbounded end (``end`` 0: left, 1:
        right; ``h_end`` the values at its last edge) within their rounding bound
        ``noise_slope`` of zero. Where the sign decides something (it would take the value
        across a threshold far out, a boundary nearly parallel to the line, or off one it
        sits on), it is recomputed exactly from the float inputs (:meth:`_exact_end_slope`)
        and the bound dropped; the others are set to zero."""
        m = st.num_pre
        gm = g[:m]
        small = np.abs(gm) <= noise_slope
        if not small.any():
            return
        sign = 1 if end else -1
        decides = np.zeros(m, dtype=bool)
        for th in st.activation.thresholds if not st.is_max else ():
            d = np.sign(h_end - float(th))
            decides |= small & (gm != 0) & ((d == -sign * np.sign(gm)) | (d == 0))
        if decides.any():
            idx = np.flatnonzero(decides)
            exact = self._exact_end_slope(end, st)[idx]
            gm[idx] = [float(v) for v in exact]
            noise_slope[idx] = 0  # (a fresh array per layer)
            small[idx] = False
        gm[small] = 0

    def _exact_end_slope(self, end: int, st: Stage) -> np.ndarray:
        """Float mode: the exact slope of stage ``st``'s pre-activations along an unbounded
        end (``end`` 0: left, 1: right), in rational arithmetic from the float network and
        input slope (their binary values), through the patterns of that end so far."""
        if self.model is None:  # pragma: no cover - every caller passes the model
            raise FloatModeError(
                f"trace (float mode): node {st.name!r} changes at a rate within rounding of "
                "zero along an unbounded end of the line; use exact=True")
        if self._exact_stages is None:
            self._exact_stages = list(lower(self.model, RATIONAL).stages)
        row = 0 if end == 0 else -1
        g = RATIONAL.convert(np.asarray(self.slope0[end], dtype=np.float64))
        for d, xs in enumerate(self._exact_stages):
            h = _with_carry(xs.pre(g[None, :], 0), g[None, :], xs.carry)[0]
            if d == len(self.layer_index):  # the stage being split
                return h[: st.num_pre]
            g = _advance_slope(xs, h, self.layer_index[d][row], RATIONAL)
        raise AssertionError("internal error: stage not found")  # pragma: no cover

    def _check_snap(self, d: np.ndarray, noise: np.ndarray, sd: np.ndarray, where: str) -> None:
        """Float mode: values ``d`` (minus a threshold) within their bound ``noise`` are taken
        as on the threshold (``sd == 0``): rounding of a coincidence. One farther from it
        than :data:`ROUNDING_SHARE` of its bound is not rounding of the terms that made it;
        snapping it would merge a genuine sliver narrower than the tolerance (or a value
        whose terms are far larger than itself: a boundary nearly parallel to a long
        trajectory, at far parameters), and change the answer: raise instead."""
        on = np.flatnonzero(sd.reshape(-1) == 0)  # the values taken as on (few)
        if not on.shape[0]:
            return
        nz = np.broadcast_to(noise, d.shape).reshape(-1)[on]
        gap = np.abs(d.reshape(-1)[on])
        bad = np.flatnonzero(gap > ROUNDING_SHARE * nz)
        if bad.shape[0]:
            b = int(bad[0])
            raise FloatModeError(
                f"trace (float mode): {where} is {gap[b]:.3g} from a threshold (or from "
                f"zero), within the tolerance ({nz[b]:.3g}) but beyond rounding: float64 "
                "cannot tell a coincidence from a piece narrower than the tolerance there; "
                "use exact=True")

    def _new_terms(self, a: np.ndarray, kind: np.ndarray, lam: np.ndarray) -> np.ndarray:
        """Float mode: a bound of the terms' sizes ``|A| |z| + |b|`` at new rows ``lam``
        along the pieces anchored at rows ``a``, (rows, width): each entry is convex along a
        piece, so interpolating bounds it; on an unbounded end, the row's plus |lam| times
        the slope's ``|A| |g|``."""
        terms, K = self.terms, self.terms.shape[0]
        fin = kind == _FINITE
        out = np.empty((a.shape[0], terms.shape[1]))
        nxt = np.minimum(a + 1, K - 1)
        lf = lam[fin][:, None]
        out[fin] = (1 - lf) * terms[a[fin]] + lf * terms[nxt[fin]]
        for which, g in zip((_LEFT, _RIGHT), self.slope_terms):
            on = kind == which
            if on.any():
                out[on] = terms[a[on]] + np.abs(lam[on])[:, None] * (0.0 if g is None else g)
        return out

    def _insert_noise(self, new_terms: np.ndarray, is_new: np.ndarray) -> None:
        """Float mode: the terms' sizes and bounds of rows just inserted (``is_new``)."""
        self.noise = _merge_rows(self.noise, self.tol * new_terms, is_new)
        self.terms = _merge_rows(self.terms, new_terms, is_new)

    def _split_max(self, h, hl, hr, groups: np.ndarray):
        """Insert every point where the argmax of a group changes: the breakpoints of the
        upper envelope of the group's lines on each piece. Only the (piece, group) pairs
        whose ends have different argmaxes, or a tie, can change inside (on a piece the
        successive maxima have increasing slopes), so only those are walked. Returns the
        rows and each piece's argmax per group."""
        exact, tol, t = self.exact, self.tol, self.t
        cols, slack = padded_groups(groups), self._max_slack(groups)
        K, G = t.shape[0], groups.shape[0]
        arg, tied = _edge_argmax(h, groups, slack)
        parts: list[tuple[np.ndarray, np.ndarray, int]] = []  # (anchor rows, groups, kind)
        if K > 1:
            p, gp = np.nonzero((arg[:-1] != arg[1:]) | tied[:-1] | tied[1:])
            if self.gap is not None:  # a batch: no breakpoint inside a gap
                p, gp = p[~self.gap[p]], gp[~self.gap[p]]
            parts.append((p, gp, _FINITE))
        for ray, row, which in ((hl, 0, _LEFT), (hr, K - 1, _RIGHT)):
            if ray is not None:  # an unbounded end: every group is walked
                parts.append((np.full(G, row), np.arange(G), which))
        a = np.concatenate([p for p, _, _ in parts]).astype(np.int64)
        g = np.concatenate([q for _, q, _ in parts]).astype(np.int64)
        kind = np.concatenate([np.full(p.shape[0], w) for p, _, w in parts]).astype(np.int64)
        c = cols[g]  # the pairs' k columns: only these are gathered
        vb = h[a[:, None], c]
        vd = h[np.minimum(a + 1, K - 1)[:, None], c] - vb
        for ray, which, sign in ((hl, _LEFT, -1), (hr, _RIGHT, 1)):
            on = kind == which
            if ray is not None and on.any():
                vd[on] = sign * ray[c[on]]
        found = _envelope_breaks(vb, vd, kind == _FINITE)
        if found is not None:
            pair, lam = found
            a, kind = a[pair], kind[pair]
            dt = np.ones(a.shape[0], dtype=t.dtype)
            fin = kind == _FINITE
            dt[fin] = t[a[fin] + 1] - t[a[fin]]
            dt[kind == _LEFT] = -1
            tc = t[a] + lam * dt
            if not exact:  # a crossing within tol*max(1,|t|) of an edge moves onto it
                gap = tol * np.maximum(1.0, np.abs(self._local(tc, a)))
                near = np.abs(tc - t[a]) <= gap
                near |= fin & (np.abs(t[np.minimum(a + 1, K - 1)] - tc) <= gap)
                a, kind, lam, tc = (v[~near] for v in (a, kind, lam, tc))
            if tc.shape[0]:
                order = np.argsort(tc, kind="stable")
                first = order[np.flatnonzero(knot_starts(
                    tc[order], tol, exact, self._local(tc[order], a[order]) if not exact else None))]
                direction = _directions(h, hl, hr, a[first], kind[first])  # full rows
                new_rows = h[a[first]] + lam[first][:, None] * direction
                new_slack = slack
                if not exact:
                    new_terms = self._new_terms(a[first], kind[first], lam[first])
                    new_slack = self._max_slack(groups, self.tol * new_terms)
                is_new = self._insert(tc[first], a[first])
                h = _merge_rows(h, new_rows, is_new)
                if not exact:
                    self._insert_noise(new_terms, is_new)
                    slack = _merge_rows(slack, new_slack, is_new)
                new_arg, new_tied = _edge_argmax(new_rows, groups, new_slack)
                arg = _merge_rows(arg, new_arg, is_new)
                tied = _merge_rows(tied, new_tied, is_new)
        return h, self._piece_argmax(h, hl, hr, groups, slack, arg, tied)

    def _max_slack(self, groups: np.ndarray, noise: Any = None) -> Any:
        """Ties of a group maximum: exact equality, or (float) within twice the largest
        rounding bound of the group's entries, per row: (rows, groups)."""
        if self.exact:
            return 0
        noise = self.noise if noise is None else noise
        return 2 * noise[:, padded_groups(groups)].max(axis=2)

    def _piece_argmax(self, h, hl, hr, groups: np.ndarray, slack: Any, arg: np.ndarray,
                      tied: np.ndarray) -> np.ndarray:
        """The argmax of each group inside each piece (the first on ties): the argmax of
        both ends (``arg``, ``tied`` per row) where they agree without a tie, else the
        argmax at the piece's middle."""
        cols = padded_groups(groups)
        rows = []
        if hl is not None:
            rows.append(_argmax_at(h[:1] - hl, groups, slack if np.ndim(slack) == 0 else slack[0]))
        if h.shape[0] > 1:
            inner = arg[:-1].copy()
            p, g = np.nonzero((arg[:-1] != arg[1:]) | tied[:-1] | tied[1:])
            if p.shape[0]:
                c = cols[g]
                mid = (h[p[:, None], c] + h[p[:, None] + 1, c]) / 2
                sl = slack if np.ndim(slack) == 0 else np.maximum(slack[p, g], slack[p + 1, g])
                inner[p, g] = _first_within(mid, sl)
            rows.append(inner)
        if hr is not None:
            rows.append(_argmax_at(h[-1:] + hr, groups, slack if np.ndim(slack) == 0 else slack[-1]))
        return np.concatenate(rows).astype(np.int8)

    def _far_sides(self, s, hl, hr, noise_slope):
        """Side of each threshold far out on each unbounded end (None without one);
        ``noise_slope``: the (left, right) rounding bounds of the slopes (0 when exact)."""
        fl = fr = None
        nl, nr = noise_slope
        if hl is not None:
            fl = -self.kind.sides(hl, nl)
            fl = np.where(fl == 0, s[0], fl).astype(np.int8)
        if hr is not None:
            fr = self.kind.sides(hr, nr)
            fr = np.where(fr == 0, s[-1], fr).astype(np.int8)
        return fl, fr

    def _split(self, h, hl, hr, thresholds, sides, far, m):
        """Insert every threshold crossing of the first ``m`` columns as a new edge; return
        the new rows (every column) and sides."""
        exact, tol, t = self.exact, self.tol, self.t
        last = t.shape[0] - 1
        found = []  # per threshold: (anchor row, neuron, kind, parameter step, crossing t)
        for k, (theta, s, (fl, fr)) in enumerate(zip(thresholds, sides, far)):
            ext = _extend(s, fl, fr)
            piece, j = np.divmod(np.flatnonzero((ext[:-1] * ext[1:]) < 0), ext.shape[1])
            if piece.size == 0:
                continue
            a = piece - (hl is not None)  # anchor row: left end of a finite piece
            kind = np.where(a < 0, _LEFT, np.where(a >= last, _RIGHT, _FINITE))
            a = np.clip(a, 0, last)
            fin = kind == _FINITE
            if self.gap is not None:  # a batch: no crossing inside a gap
                live = ~(fin & self.gap[a])
                a, j, kind, fin = a[live], j[live], kind[live], fin[live]
            slope = np.empty(a.shape[0], dtype=h.dtype)
            slope[fin] = h[a[fin] + 1, j[fin]] - h[a[fin], j[fin]]
            for ray_kind, hray in ((_LEFT, hl), (_RIGHT, hr)):
                on = kind == ray_kind
                if on.any():
                    slope[on] = hray[j[on]]
            step = -(h[a, j] - theta) / slope  # lambda on a finite piece, delta-t on a ray
            dt = np.ones(a.shape[0], dtype=t.dtype)
            dt[fin] = t[a[fin] + 1] - t[a[fin]]
            tc = t[a] + step * dt
            back = step  # (exact: unused)
            if not exact:
                # from the nearer end: a crossing near the far end of a long piece (an edge
                # ~1e17 away) taken from the near one would carry that edge's rounding
                back = (h[np.minimum(a + 1, last), j] - theta) / slope  # 1 - lambda
                late = fin & (step > 0.5)
                tc[late] = t[a[late] + 1] - back[late] * dt[late]
                # a crossing within tol*max(1,|t|) of an edge moves onto it
                gap = tol * np.maximum(1.0, np.abs(self._local(tc, a)))
                near_a = np.abs(tc - t[a]) <= gap
                near_b = fin & (np.abs(t[np.minimum(a + 1, last)] - tc) <= gap) & ~near_a
                s[a[near_a], j[near_a]] = 0
                s[a[near_b] + 1, j[near_b]] = 0
                h[a[near_a], j[near_a]] = theta
                h[a[near_b] + 1, j[near_b]] = theta
                keep = ~(near_a | near_b)
                a, j, kind, step, tc = a[keep], j[keep], kind[keep], step[keep], tc[keep]
                back = back[keep]
            found.append((a, j, np.full(a.shape[0], k, dtype=np.int64), kind, step, tc, back))
        if not found or sum(f[0].shape[0] for f in found) == 0:
            return h, sides
        a, j, k, kind, step, tc, back = (np.concatenate(parts) for parts in zip(*found))
        order = np.argsort(tc, kind="stable")
        a, j, k, kind, step, tc, back = (v[order] for v in (a, j, k, kind, step, tc, back))

        # crossings at one parameter (exact) or within tol of each other (float): one knot
        starts = knot_starts(tc, tol, exact, None if exact else self._local(tc, a))
        group = np.cumsum(starts) - 1
        first = np.flatnonzero(starts)
        ga, gkind, gstep, gt = a[first], kind[first], step[first], tc[first]

        # the new rows: anchor row + step * direction; crossing neurons sit on their threshold
        direction = np.empty((first.shape[0], h.shape[1]), dtype=h.dtype)
        gfin = gkind == _FINITE
        direction[gfin] = h[ga[gfin] + 1] - h[ga[gfin]]
        for ray_kind, hray in ((_LEFT, hl), (_RIGHT, hr)):
            on = gkind == ray_kind
            if on.any():
                direction[on] = hray
        new_rows = h[ga] + gstep[:, None] * direction
        if not exact:  # from the nearer end (see above)
            late = np.flatnonzero(gfin & (gstep > 0.5))
            new_rows[late] = h[ga[late] + 1] - back[first][late][:, None] * direction[late]
        theta = np.asarray(thresholds, dtype=h.dtype)
        new_rows[group, j] = theta[k]
        new_pre = new_rows[:, :m]
        new_noise = 0
        if not exact:
            new_terms = self._new_terms(ga, gkind, gstep)
            new_noise = self.tol * new_terms
        new_sides = [self.kind.sides(new_pre - th if th else new_pre, new_noise)
                     for th in thresholds]
        for kk, (th, ns) in enumerate(zip(thresholds, new_sides)):
            sel = k == kk
            ns[group[sel], j[sel]] = 0
            if not exact:
                self._check_snap(new_pre - th, new_noise, ns, "a pre-activation at a new edge")
                np.copyto(new_pre, th, where=ns == 0)

        is_new = self._insert(gt, ga)
        h = _merge_rows(h, new_rows, is_new)
        if not exact:
            self._insert_noise(new_terms, is_new)
        sides = [_merge_rows(s, ns, is_new) for s, ns in zip(sides, new_sides)]
        return h, sides

    def _local(self, tc: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Parameters ``tc`` of crossings anchored at rows ``a``, from their segment's start
        (a batch) or as they are."""
        return tc if self.origin is None else tc - self.origin[a]

    def _insert(self, new_t: np.ndarray, anchors: np.ndarray) -> np.ndarray:
        """Insert edges ``new_t`` (sorted; inside the pieces anchored at rows ``anchors``);
        returns the mask of the new rows."""
        origin = None if self.origin is None else self.origin[anchors]
        is_new = insert_edges(self, new_t)
        if self.gap is not None and self.origin is not None and origin is not None:
            # (a batch: gap and origin are set together)
            self.gap = _merge_rows(self.gap, np.zeros(new_t.shape[0], dtype=bool), is_new)
            self.origin = _merge_rows(self.origin, origin, is_new)
        return is_new

    def segment_of_rows(self) -> np.ndarray:
        """A batch: the segment of every row (each row lies on exactly one segment)."""
        if self.gap is None:
            raise ValueError("internal error: segment_of_rows of an engine that is not a batch")
        return np.cumsum(np.concatenate([[False], self.gap[:-1]])).astype(np.int64)

    def _record_segment_lengths(self, width: int | None = None) -> None:
        """A batch: the image length of every segment's first ``width`` state columns."""
        if self.gap is None:
            return
        d = self.z[1:, :width] - self.z[:-1, :width]
        if self.exact:
            norms = np.array([_sqrt_fraction(q) for q in (d * d).sum(axis=1)], dtype=float)
        else:
            norms = _chord_lengths(d)
        norms[self.gap[:-1]] = 0.0
        seg = self.segment_of_rows()[:-1]
        self.segment_lengths.append(np.bincount(seg, weights=norms, minlength=int(seg[-1]) + 1
                                                if seg.shape[0] else 0))

    def edge_signs(self) -> np.ndarray:
        """The sign of every output coordinate at every edge, (edges, outputs): float mode
        takes values within their rounding bound of zero as zero (raising where such a value
        is beyond rounding, as at any edge)."""
        s = self.kind.sides(self.z, self.noise)
        if not self.exact and np.shape(self.noise) in ((), self.z.shape):  # (elementwise)
            self._check_snap(self.z, self.noise, s, "an output at an edge")
        return s

    # -- lengths and the result ----------------------------------------------------------

    def _length(self, width: int | None = None) -> float:
        """Length of the image of the first ``width`` state columns (all by default)."""
        for g in (self.left, self.right):
            if g is not None and np.any(g[:width] != 0):
                return math.inf
        if self.z.shape[0] < 2:
            return 0.0
        z = self.z[:, :width]
        d = z[1:] - z[:-1]
        if self.exact:
            return math.fsum(_sqrt_fraction(q) for q in (d * d).sum(axis=1))
        return float(_chord_lengths(d).sum())

    def sign_changes(self) -> np.ndarray:
        """Sign changes of every output coordinate along the trajectory."""
        s = self.edge_signs()  # (K, n_out)
        parts = []
        nl, nr = self.noise_slope
        if self.left is not None:
            fl = -self.kind.sides(self.left, nl)
            parts.append(np.where(fl == 0, s[0], fl)[None, :])
        parts.append(s)
        if self.right is not None:
            fr = self.kind.sides(self.right, nr)
            parts.append(np.where(fr == 0, s[-1], fr)[None, :])
        seq = np.concatenate(parts, axis=0).astype(np.int8)
        out = np.zeros(seq.shape[1], dtype=np.int64)
        for c in range(seq.shape[1]):  # one loop per output coordinate, not per piece
            col = seq[:, c]
            col = col[col != 0]
            out[c] = int(np.count_nonzero(col[1:] != col[:-1]))
        return out


def _with_carry(pre: np.ndarray, z: np.ndarray, carry: np.ndarray) -> np.ndarray:
    """The pre-activation with the carried state columns after it."""
    return pre if not carry.shape[0] else np.concatenate([pre, z[:, carry]], axis=1)


def _advance_slope(st: Stage, h: np.ndarray, index: np.ndarray, kind: NumberKind) -> np.ndarray:
    """The slope of stage ``st``'s output on a piece with pattern ``index``, from the slope
    ``h`` of its pre-activations (carried columns after them)."""
    m = st.num_pre
    if st.is_max:
        cols = padded_groups(st.groups)
        return np.concatenate([h[:m][cols[np.arange(cols.shape[0]), index]], h[m:]])
    slopes = kind.convert(np.array(st.activation.slopes, dtype=object))
    return np.concatenate([slopes[index] * h[:m], h[m:]])


def _edge_argmax(h: np.ndarray, groups: np.ndarray, slack: Any):
    """Per row of ``h`` and group: the position of the maximum (the first on ties) and
    whether another entry ties with it (within ``slack``), in one pass over the k positions
    (``-1`` padding left out), in place on (rows, groups) arrays."""
    K, (G, k) = h.shape[0], groups.shape
    best = h[:, groups[:, 0]]
    arg = np.zeros((K, G), dtype=np.int8)
    second = np.full((K, G), -math.inf, dtype=h.dtype)
    padded = bool(np.any(groups < 0))
    for j in range(1, k):
        v = h[:, np.maximum(groups[:, j], 0)]
        if padded:
            v = np.where(groups[:, j] >= 0, v, -math.inf)
        arg[v > best] = j
        np.maximum(second, np.minimum(best, v), out=second)  # the runner-up so far
        np.maximum(best, v, out=best)
    best -= second
    return arg, best <= slack


def _first_within(x: np.ndarray, slack: Any) -> np.ndarray:
    """Along the last axis: the first entry within ``slack`` of the maximum."""
    top = x.max(axis=-1, keepdims=True)
    sl = slack if np.ndim(slack) == 0 else np.asarray(slack)[..., None]
    return np.argmax(x >= top - sl, axis=-1)


def _argmax_at(row: np.ndarray, groups: np.ndarray, slack: Any) -> np.ndarray:
    """The argmax of every group at one point (a row), padding left out: shape (1, G)."""
    x = np.where(groups >= 0, row[0][padded_groups(groups)], -math.inf)
    return _first_within(x, slack)[None, :]


def _directions(h, hl, hr, a, kind) -> np.ndarray:
    """The change of every column along each piece (anchor row ``a``): to the next row on
    a finite piece, the slope away from the data on an unbounded end."""
    out = np.empty((a.shape[0], h.shape[1]), dtype=h.dtype)
    fin = kind == _FINITE
    out[fin] = h[a[fin] + 1] - h[a[fin]]
    if hl is not None:
        out[kind == _LEFT] = -hl
    if hr is not None:
        out[kind == _RIGHT] = hr
    return out


def _envelope_breaks(vb: np.ndarray, vd: np.ndarray, bounded: np.ndarray):
    """Breakpoints of the upper envelope of the lines ``vb + lam vd`` (one row of k lines
    per pair), lam in (0, 1) where ``bounded``, (0, inf) elsewhere: (pair, lam) of each, or
    None. The argmax just after lam = 0 is the steepest maximum; each step moves to the line
    that overtakes the current one first (on ties, the steepest, which wins right after), so
    a pair makes at most k - 1 steps and three lines through one point make one
    breakpoint."""
    n, k = vb.shape
    if k < 2 or n == 0:
        return None
    top = vb == vb.max(axis=1, keepdims=True)
    cur = np.argmax(np.where(top, vd, -math.inf), axis=1)
    pair = np.arange(n)
    out_p, out_l = [], []
    for _ in range(k - 1):
        rows = np.arange(pair.shape[0])
        b0, d0 = vb[rows, cur][:, None], vd[rows, cur][:, None]
        steeper = vd > d0
        lam = np.where(steeper, (b0 - vb) / np.where(steeper, vd - d0, 1), math.inf)
        best = lam.min(axis=1)
        ok = steeper.any(axis=1) & (~bounded | (best < 1))
        if not ok.any():
            break
        tie = (lam == best[:, None]) & steeper
        nxt = np.argmax(np.where(tie, vd, -math.inf), axis=1)  # steepest among the first
        sel = np.flatnonzero(ok)
        out_p.append(pair[sel])
        out_l.append(best[sel])
        pair, vb, vd, bounded, cur = pair[sel], vb[sel], vd[sel], bounded[sel], nxt[sel]
    if not out_p:
        return None
    return np.concatenate(out_p), np.concatenate(out_l)


def _extend(s: np.ndarray, fl, fr) -> np.ndarray:
    parts = ([fl[None, :]] if fl is not None else []) + [s] + ([fr[None, :]] if fr is not None else [])
    return s if len(parts) == 1 else np.concatenate(parts, axis=0)


def _chord_lengths(d: np.ndarray) -> np.ndarray:
    """Euclidean norms of the rows of ``d``, rescaling rows whose squares over- or
    underflow."""
    sq = np.einsum("ij,ij->i", d, d)
    bad = ~np.isfinite(sq) | ((sq < 1e-290) & np.any(d != 0, axis=1))
    norms = np.sqrt(sq)
    if bad.any():
        rows = d[bad]
        scale = np.abs(rows).max(axis=1, keepdims=True)
        norms[bad] = scale[:, 0] * np.sqrt(np.einsum("ij,ij->i", rows / scale, rows / scale))
    return norms


def _sqrt_fraction(q) -> float:
    """sqrt(q) for a non-negative Fraction, within an ulp or two, for any magnitude (``inf``
    beyond the float range)."""
    if q == 0:
        return 0.0
    e = (q.numerator.bit_length() - q.denominator.bit_length()) // 2
    # in [1/16, 16]: no overflow, no underflow (int factors keep q's element type)
    scaled = float(q / 4 ** e) if e >= 0 else float(q * 4 ** -e)
    try:
        return math.ldexp(math.sqrt(scaled), e)
    except OverflowError:
        return math.inf
