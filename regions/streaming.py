"""Counts of a trace or a partition in memory bounded by a chunk size, not by the answer.

:func:`trace_summary` splits a trajectory into consecutive sub-trajectories (*chunks*),
traces them one at a time with :func:`regions.trace`, and merges what each one found into a
:class:`TraceSummary`: the counts of :class:`regions.Trace` (pieces, distinct patterns,
transitions per layer, sign transitions, linear pieces) and the image lengths per layer,
with the knots on demand. Trajectories: :class:`~regions.Segment`, :class:`~regions.Line`,
:class:`~regions.Polyline` and :class:`~regions.Arc`. :func:`partition_summary` does the
same for the regions of a rectangle (in the plane of a two-input network, or of a
:class:`~regions.Plane` slice) or of a box of any dimension (a network of n != 2 inputs,
by the n-dimensional engine of :mod:`regions.polyhedral`), cut into tiles partitioned one
at a time.

Merging is exact
----------------
* A piece that continues across a chunk boundary is one piece: the last piece of a chunk and
  the first of the next have the same activation pattern exactly when no neuron switches at
  the boundary (a trace's knots are exactly the parameters where a neuron switches). Where
  the patterns differ, the boundary is a knot and the neurons that switch there are counted
  as :func:`regions.trace` counts them (a hard-tanh or ReLU neuron by how many pieces of its
  activation it moves, a group maximum by whether its argmax changes).
* Linear pieces join across a boundary where the network's affine map is the same on both
  sides, decided as :attr:`regions.Trace.num_linear_pieces` decides it.
* Sign transitions: the signs at a boundary are read by a forward pass (exactly in exact
  mode; in float mode with the trace's tolerance on a dense network), so an output that is
  zero at the boundary is skipped as the trace skips it.
* Distinct patterns are counted with their exact keys (the codes, bit-packed), never a hash:
  a set in memory up to ``memory_budget`` bytes, then sorted runs written to a temporary
  directory and merged. Along a straight trajectory (a :class:`~regions.Segment` or
  :class:`~regions.Line`) every
  activation region is convex and met at most once, so ``num_patterns == num_pieces`` and no
  key is kept. In a partition each region is convex, so a pattern met in several tiles is
  one region: ``num_regions`` is the number of distinct patterns over the tiles.
* Lengths are the sums of the chunks' lengths (each the chords of its pieces, straight on
  each piece), equal to the in-memory lengths to rounding (about 1e-15 relative).

In exact mode (``exact=True`` or Fraction input) chunk boundaries are exact rationals, and
every count equals the in-memory result exactly, also with a boundary exactly on a knot or a
vertex. In float mode each chunk is traced by the float engine in the trajectory's own
parameter, started from the points at the chunk's ends, so its tolerance (crossings within
``tol * max(1, |t|)`` merged) means what it means for the whole trace and the counts do not
depend on the chunk widths; they equal the in-memory float trace's on generic inputs (the
points at the chunk ends are rounded once, so a decision within rounding of a threshold
could differ), and knots agree to rounding.

Chunks are adaptive: the first is small, and each next one is sized from the piece density
of the last so that it holds about half ``chunk_pieces`` pieces; a chunk that comes out
above ``chunk_pieces`` is discarded and traced again in halves. Peak memory is that of a
trace of about ``chunk_pieces`` pieces (plus the kept keys and, when asked, the knots).

A :class:`~regions.Line` is cut into a window holding every crossing of its first layer,
widened by its own width on each side (or reaching the outermost ``boundaries``), which is
chunked, and its two unbounded ends, each traced whole by the trace engine (in rational
arithmetic in exact mode); the ends hold the pieces beyond the window, usually few, but
their memory is not bounded by ``chunk_pieces``.

An :class:`~regions.Arc` is chunked by angle, always cut at the quarter turns from its
``start``. A float chunk is the sub-arc ``Arc(x0, x1, a, b, center)`` traced by the float
arc engine. An exact chunk is a window of the exact arc engine
(:func:`regions.trace.trace_arc_window`) in the arc's own exact parameter
s = -cot((t - start) / 2): its ends are rationals (exactly -1, 0, 1 at the quarter turns,
else a short rational next to the float angle's s), so its knots are the whole arc's exact
knots, boundary knots included. An arc is curved: a region can be met more than once, so
distinct patterns are counted with their keys, as on a polyline. The first and last output
signs of an exact chunk are read, where an output is zero at its end, from the quadratic
that (1 + s^2) times the output is on each piece (interpolated exactly at three rational
points). A closed curve's last piece is joined to its first as :class:`regions.Trace`
joins them (one piece unless the pattern changes at the start point, which is then the
first knot; in a knots file it comes last).

A box of n dimensions is cut along its axes into a grid of boxes (sized from a first tile
of half the box along every axis; a tile above ``chunk_regions`` regions is halved along
every axis and done again), each partitioned by the n-dimensional engine. In dimension
three and more, many regions meet near a vertex, so a tile's count falls slowly with its
size: a ``chunk_regions`` far below the regions around one vertex makes many tiles.

Not covered here: the number of linear regions of a partition (a linear region can
continue across a tile side along which its two activation regions meet without meeting
inside any one tile; this module does not match edges across tiles, so it leaves that
count out rather than give a wrong one); Parquet output (the sweeps of
:mod:`regions.sweep` write CSV).

Examples
--------
>>> from regions import Arc, Box, partition, random_network, trace
>>> net = random_network([2, 10, 10, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=1)
>>> arc = Arc([1.0, 0.3], [-0.2, 1.2])
>>> s, tr = trace_summary(net, arc, chunk_pieces=3), trace(net, arc)
>>> (s.num_pieces, s.num_patterns) == (tr.num_pieces, tr.num_patterns), s.num_chunks > 3
(True, True)
>>> net3 = random_network([3, 8, 6, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=0)
>>> box = Box([-2.0] * 3, [2.0] * 3)
>>> p = partition_summary(net3, box, cuts=[[0.0], [0.0], [0.0]])
>>> p.num_regions == partition(net3, box).num_regions, p.num_tiles
(True, 8)

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 2.1 (transitions, activation patterns,
   trajectory length).
.. [2] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of Deep
   Neural Networks", NeurIPS 2014 (regions of the input space).
"""

from __future__ import annotations

from ._streaming import (DEFAULT_CHUNK_PIECES, DEFAULT_CHUNK_REGIONS, PartitionSummary,
                         TraceSummary, partition_summary, trace_summary)

__all__ = ["TraceSummary", "PartitionSummary", "trace_summary", "partition_summary",
           "DEFAULT_CHUNK_PIECES", "DEFAULT_CHUNK_REGIONS"]
