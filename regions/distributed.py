"""Chunked jobs on a Dask cluster, or in this process, with the same exact results.

One job is split into independent tasks whose results merge exactly, as in
:mod:`regions.streaming`:

* :func:`trace_summary`: one long trajectory, cut into parameter ranges (each traced chunk
  by chunk in bounded memory on a worker, then merged in order: pieces continuing across a
  range boundary joined, transitions there counted, lengths summed); a Segment, Line,
  Polyline or Arc (angle ranges; a closed curve joined at its start at the end). At least
  eight ranges per worker, so that a worker done early takes another while a slow one
  finishes; the network and the trajectory are sent to each worker once (scattered), not
  with every task;
* :func:`partition_summary`: the regions of a rectangle or of an n-dimensional box, cut
  into tiles (distinct activation patterns over the tiles, counted with their exact keys);
* :func:`trace_summaries`: many trajectories (e.g. all pairs of a set of inputs,
  :func:`pairs`), one task each.

Where they run is an :class:`Executor` (:func:`executor`): ``scheduler="tcp://host:8786"``
uses that ``dask.distributed`` cluster as it is (your own cluster, dask-jobqueue on SLURM,
Kubernetes); with no address and dask installed, a ``LocalCluster`` with one single-threaded
worker process per core (``workers=`` to choose); without dask (or ``workers=1``), a plain
loop in this process. The results are identical in every case. Install dask with the
``dask`` extra: ``pip install "regions[dask]"``; ``import regions`` never imports it.

References
----------
.. [1] M. Rocklin, "Dask: Parallel Computation with Blocked algorithms and Task
   Scheduling", Proceedings of the 14th Python in Science Conference, 2015.
.. [2] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017 (transitions along trajectories between inputs).

Examples
--------
>>> from regions import random_network, Segment, trace
>>> from regions.distributed import executor, trace_summary
>>> net = random_network([2, 16, 16, 1], "hardtanh", sigma_w=2.0, seed=0)
>>> seg = Segment([-1.0, 0.0], [1.0, 0.5])
>>> with executor(workers=1) as ex:        # in this process; no address: a LocalCluster
...     s = trace_summary(net, seg, executor=ex, tasks=4)
>>> s.num_pieces == trace(net, seg).num_pieces, ex.kind
(True, 'in-process')
"""

from __future__ import annotations

import functools
import itertools
import math
import os
from fractions import Fraction
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .graph import Graph
from .kinds import NumberKind
from .network import Network
from .domains import Box
from .plane import Plane
from .trajectory import Arc, Line, Polyline, Segment
from . import _streaming as _st

__all__ = ["Executor", "executor", "trace_summary", "trace_summaries", "partition_summary",
           "pairs", "dask_available"]


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


class Executor:
    """Runs functions over items on a Dask cluster or in this process, results in order.

    Made by :func:`executor`; use it as a context manager (a cluster it started is shut
    down on exit; a cluster given by address is left running).

    Attributes
    ----------
    kind : str
        ``"in-process"``, ``"local-cluster"`` or ``"scheduler"``.
    workers : int
        Worker processes (1 in process).
    client : distributed.Client or None
    """

    def __init__(self, kind: str, workers: int, client: Any = None, cluster: Any = None):
        self.kind, self.workers, self.client, self._cluster = kind, workers, client, cluster

    def map(self, fn: Callable, items: Iterable, /, *, shared: dict | None = None,
            **kwargs: Any) -> Iterator:
        """``fn(item, **shared, **kwargs)`` for every item, yielded in the items' order.

        On a cluster, ``shared`` (large arguments common to every task, such as the
        network) is sent to the workers once (scattered, broadcast) rather than with every
        task; ``kwargs`` travel with the tasks."""
        shared = dict(shared or {})
        if self.client is None:
            for item in items:
                yield fn(item, **shared, **kwargs)
            return
        items = list(items)
        # (a partial: Client.map's own keywords, such as func or key, must not collide)
        call = functools.partial(_apply, fn, kwargs)
        if shared:
            box = self.client.scatter([_Shared(shared)], broadcast=True, hash=False)[0]
            futures = self.client.map(call, items, [box] * len(items), pure=False)
        else:
            futures = self.client.map(call, items, pure=False)
        try:
            for f in futures:
                yield f.result()
                f.release()
        finally:
            for f in futures:
                f.cancel()

    def close(self) -> None:
        if self.kind == "local-cluster":
            self.client.close()
            self._cluster.close()
        elif self.kind == "scheduler":
            self.client.close()

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Executor(kind={self.kind!r}, workers={self.workers})"


class _Shared:
    """Arguments common to all tasks, scattered as one object (a dict would be scattered
    value by value)."""

    def __init__(self, kwargs: dict) -> None:
        self.kwargs = kwargs


def _apply(fn: Callable, kwargs: dict, item: Any, shared: _Shared | None = None) -> Any:
    return fn(item, **kwargs, **(shared.kwargs if shared is not None else {}))


def executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Where chunked jobs run.

    Parameters
    ----------
    workers : int, optional
        Worker processes of a local cluster (default: this machine's cores). ``1``: in
        this process, without dask.
    scheduler : str, optional
        The address of a running ``dask.distributed`` scheduler (``"tcp://host:8786"``),
        used as it is; ``workers`` must then be None.

    Returns
    -------
    Executor
        In process when dask is not installed (and no ``scheduler`` is given).

    Examples
    --------
    >>> with executor(workers=1) as ex:
    ...     list(ex.map(abs, [-1, 2, -3]))
    [1, 2, 3]
    """
    if scheduler is not None:
        if not isinstance(scheduler, str):
            raise TypeError(f"scheduler must be an address string such as "
                            f"'tcp://host:8786', got {type(scheduler).__name__}")
        if workers is not None:
            raise ValueError("workers applies to a local cluster; with scheduler= the "
                             f"cluster's own workers run the tasks (got workers={workers})")
        try:
            from distributed import Client
        except ImportError:
            raise ImportError("scheduler= needs dask.distributed: pip install "
                              "'regions[dask]' (or 'dask[distributed]')") from None
        client = Client(scheduler)
        n = len(client.scheduler_info().get("workers", {})) or 1
        return Executor("scheduler", n, client)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n == 1 or not dask_available():
        return Executor("in-process", 1)
    import dask
    from distributed import Client, LocalCluster

    # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in the workers, which fixes glibc's
    # mmap threshold at 128 kB: every large temporary array of a trace is then mapped and
    # unmapped afresh (page faults), about 2x slower. Ours keep large blocks in the heap.
    env = "distributed.nanny.pre-spawn-environ."
    with dask.config.set({env + "MALLOC_TRIM_THRESHOLD_": _MALLOC_THRESHOLD,
                          env + "MALLOC_MMAP_THRESHOLD_": _MALLOC_THRESHOLD}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    return Executor("local-cluster", n, Client(cluster), cluster)


_MALLOC_THRESHOLD = 2 ** 28  # bytes (see executor)


def _own(ex: Executor | None) -> tuple[Executor, bool]:
    if ex is None:
        return executor(), True
    if not isinstance(ex, Executor):
        raise TypeError(f"executor must be a regions.distributed.Executor (from "
                        f"executor(...)) or None, got {type(ex).__name__}")
    return ex, False


# -- one long trajectory ---------------------------------------------------------------------


def _range_task(span, net, trajectory, **kwargs) -> Any:
    return _st.trace_range(net, trajectory, span[0], span[1], **kwargs)


_TASKS_PER_WORKER = 8
"""Least number of parameter ranges per worker of a long trajectory: enough that a worker
done early takes another range while a slow one finishes (load balancing)."""


def _ranges(net, trajectory, tasks: int | None, n_workers: int, chunk_pieces: int, exact,
            tol, is_exact: bool, boundaries,
            span=None) -> tuple[list[tuple[Fraction | float, Fraction | float]], float | None]:
    """Equal parameter ranges (dyadic in exact mode; Polyline ranges on whole segments where
    there are enough), at least ``4 n_workers``, more when a probe of 1/1024 of the domain
    says the pieces need it; and the probe's pieces per unit parameter (None without
    one), from which each task sizes its first chunk."""
    if isinstance(trajectory, Line) and span is None:  # the window, and the two ends
        line_cuts = _st.mandatory_cuts(trajectory, boundaries, is_exact,
                                       (-math.inf, math.inf))[1:-1]
        a, b = _st.line_window(net, trajectory, is_exact)
        a, b = min([a] + line_cuts), max([b] + line_cuts)
        inner, density = _ranges(net, trajectory, None if tasks is None else
                                 max(1, tasks - 2), n_workers, chunk_pieces, exact, tol,
                                 is_exact, [c for c in line_cuts if a < c < b], (a, b))
        return [(-math.inf, a)] + inner + [(b, math.inf)], density
    arc = isinstance(trajectory, Arc)  # (angles: floats, in exact mode too)
    lo, hi = (float(v) if arc else _st.parameter_value(v, is_exact, "domain")
              for v in (span or trajectory.domain))
    density = None
    if tasks is None:
        width = (hi - lo) * (Fraction(1, 1024) if is_exact and not arc else 1 / 1024)
        end = lo + width if arc else _st.snap_chunk_end(lo, hi, width, trajectory, is_exact)
        probe = _st.trace_chunk(net, trajectory, lo, end, exact, tol, False, False, False,
                                 is_exact)
        estimate = probe.num_pieces * (hi - lo) / (end - lo)
        tasks = max(_TASKS_PER_WORKER * n_workers, math.ceil(estimate / max(1, chunk_pieces)))
        density = float(probe.num_pieces / (end - lo))
    elif isinstance(tasks, bool) or not isinstance(tasks, int) or tasks < 1:
        raise ValueError(f"tasks must be a positive integer or None, got {tasks!r}")
    if arc:
        step = (hi - lo) / tasks
        cuts = {lo + step * i for i in range(1, tasks)} | \
            set(_st.arc_cuts(trajectory, boundaries, span))
        edges = sorted(c for c in cuts | {lo, hi} if lo <= c <= hi)
        edges = [e for i, e in enumerate(edges) if i == 0 or e - edges[i - 1] > 1e-9 * (hi - lo)]
        edges[-1] = hi
        return list(zip(edges[:-1], edges[1:])), density
    step = (hi - lo) / tasks
    cuts = {lo + step * i for i in range(1, tasks)}
    if isinstance(trajectory, Polyline) and tasks <= hi - lo:  # whole segments
        cuts = {lo + round(step * i) for i in range(1, tasks)}
    cuts |= set(_st.mandatory_cuts(trajectory, boundaries, is_exact, span))
    edges = sorted(c if not is_exact else Fraction(c) for c in cuts | {lo, hi})
    return list(zip(edges[:-1], edges[1:])), density


def trace_summary(net: Network | Graph, trajectory: Segment | Line | Polyline | Arc, *,
                  executor: Executor | None = None, tasks: int | None = None,
                  chunk_pieces: int = _st.DEFAULT_CHUNK_PIECES,
                  exact: bool | NumberKind | None = None,
                  tol: float | None = None, knots: bool = False,
                  boundaries: Sequence[Fraction | float] | None = None,
                  linear_pieces: bool = True) -> _st.TraceSummary:
    """:func:`regions.streaming.trace_summary`, its parameter ranges run as tasks.

    Parameters
    ----------
    net, trajectory, chunk_pieces, exact, tol, boundaries, linear_pieces
        As in :func:`regions.streaming.trace_summary` (``chunk_pieces`` bounds each
        worker's memory).
    executor : Executor, optional
        Where to run (default: :func:`executor` ``()``, started and closed here).
    tasks : int, optional
        Number of parameter ranges (default: at least four per worker, more when a probe
        of the piece density says the trajectory has many pieces).
    knots : bool
        Return the knots (memory grows with them).

    Returns
    -------
    TraceSummary
        Identical to the single-process :func:`regions.streaming.trace_summary`'s counts.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017.

    Examples
    --------
    >>> from regions import random_network, Polyline, trace
    >>> net = random_network([2, 8, 8, 1], "relu", sigma_w=2.0, sigma_b=0.5, seed=1)
    >>> path = Polyline([[-1, 0], [1, 0.5], [0, -1]])
    >>> s = trace_summary(net, path, executor=Executor("in-process", 1), tasks=3)
    >>> (s.num_pieces, s.num_patterns) == (trace(net, path).num_pieces,
    ...                                    trace(net, path).num_patterns)
    True
    """
    _st.check_trajectory(net, trajectory)
    chunk_pieces = _st.check_chunk_pieces(chunk_pieces)
    if not isinstance(knots, bool):
        raise TypeError(f"knots must be True or False here (a file needs the streaming "
                        f"form), got {knots!r}")
    ex, own = _own(executor)
    try:
        is_exact = _st.is_exact_mode(net, trajectory, exact, tol)
        spans, density = _ranges(net, trajectory, tasks, ex.workers, chunk_pieces, exact,
                                 tol, is_exact, boundaries)
        straight = isinstance(trajectory, (Segment, Line))
        closed = isinstance(trajectory, Arc) and trajectory.closed
        merger = _st.TraceMerger(net, straight, knots, None, linear_pieces, closed=closed)
        for c in ex.map(_range_task, spans, shared={"net": net, "trajectory": trajectory},
                        chunk_pieces=chunk_pieces, exact=exact, tol=tol, want_knots=knots,
                        linear=linear_pieces, density=density):
            merger.add(c)
        return merger.result()
    finally:
        if own:
            ex.close()


# -- many trajectories -----------------------------------------------------------------------


def _one_summary(trajectory, net, **kwargs):
    return _st.trace_summary(net, trajectory, **kwargs)


def pairs(points: Any) -> list[Segment]:
    """The segments between all pairs of ``points`` (rows), in the order of
    ``itertools.combinations``.

    >>> [s.x1.tolist() for s in pairs([[0.0], [1.0], [2.0]])]
    [[1.0], [2.0], [2.0]]
    """
    pts = np.asarray(points) if not isinstance(points, np.ndarray) else points
    if pts.ndim != 2 or pts.shape[0] < 2:
        raise ValueError(f"points must be a 2-D array of at least two rows (one point each); "
                         f"got shape {pts.shape}")
    return [Segment(pts[i], pts[j]) for i, j in itertools.combinations(range(len(pts)), 2)]


def trace_summaries(net: Network | Graph, trajectories: Iterable[Segment | Polyline], *,
                    executor: Executor | None = None, **kwargs: Any
                    ) -> list[_st.TraceSummary]:
    """:func:`regions.streaming.trace_summary` of every trajectory, one task each, in order.

    ``kwargs`` go to :func:`regions.streaming.trace_summary` (``chunk_pieces``, ``exact``,
    ``tol``, ``linear_pieces``).

    Examples
    --------
    >>> from regions import random_network
    >>> net = random_network([2, 8, 1], "relu", seed=0)
    >>> out = trace_summaries(net, pairs([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
    ...                       executor=Executor("in-process", 1))
    >>> len(out)
    3
    """
    ex, own = _own(executor)
    try:
        return list(ex.map(_one_summary, list(trajectories), shared={"net": net}, **kwargs))
    finally:
        if own:
            ex.close()


# -- one partition ---------------------------------------------------------------------------


def _tile_task(tile, net, plane, exact, chunk_regions):
    a, b, c, d = tile
    return _st.tile_task(net, plane, a, b, c, d, exact, chunk_regions)


def partition_summary(net: Network | Graph, box: Any, *, plane: Plane | None = None,
                      executor: Executor | None = None,
                      chunk_regions: int = _st.DEFAULT_CHUNK_REGIONS,
                      exact: bool | NumberKind | None = None
                      ) -> _st.PartitionSummary:
    """:func:`regions.streaming.partition_summary`, its tiles run as tasks (at least four
    per worker; each splits itself while above ``chunk_regions`` regions): rectangles of
    the plane, or boxes of any dimension (``box`` of shape (2, n) for a network of n != 2
    inputs, or a :class:`regions.Box`).

    Examples
    --------
    >>> from regions import random_network, partition
    >>> net = random_network([2, 8, 8, 1], "relu", sigma_w=2 ** 0.5, sigma_b=1.0, seed=2)
    >>> s = partition_summary(net, [[-2, -2], [2, 2]], executor=Executor("in-process", 1))
    >>> s.num_regions == partition(net, [[-2, -2], [2, -2], [2, 2], [-2, 2]]).num_regions
    True
    """
    if not isinstance(net, (Network, Graph)):
        raise TypeError(f"net must be a regions.Network or regions.Graph, got "
                        f"{type(net).__name__}")
    ex, own = _own(executor)
    try:
        from .kinds import as_kind
        from . import _numbers

        _st.check_chunk_regions(chunk_regions)
        if isinstance(box, Box):
            box = [box.lower, box.upper]
        if plane is None and net.input_size != 2:  # n-dimensional tiles
            lo, hi, is_exact = _st.nd_box(net, box, exact)
            packer = _st.Packer(net)
            axes = _st.nd_grid(net, lo, hi, exact, packer, chunk_regions, is_exact,
                                4 * ex.workers)
            tiles = _st.nd_grid_tiles(axes)
            distinct = _st.DistinctKeys()
            for keys in ex.map(_st.nd_tile_task, tiles, shared={"net": net}, exact=exact,
                               chunk_regions=chunk_regions):
                distinct.add(keys)
            return _st.PartitionSummary(num_regions=distinct.count(), num_tiles=len(tiles),
                                        exact=is_exact)
        arr = _numbers.coerce_array(box, "box", 2, "[[xmin, ymin], [xmax, ymax]]")
        inferred = net.is_exact or (plane is not None and plane.is_exact) or \
            _numbers.is_rational(arr)
        is_exact = as_kind(exact, inferred, None, 1e-13, "partition_summary",
                           "net, plane or box").is_exact
        (x0, y0), (x1, y1) = _st.planar_box(box, is_exact)
        packer = _st.Packer(net)
        xs, ys = _st.tile_grid(net, plane, x0, x1, y0, y1, exact, packer, chunk_regions,
                                is_exact, 4 * ex.workers)
        tiles = [(a, b, c, d) for c, d in zip(ys[:-1], ys[1:]) for a, b in zip(xs[:-1], xs[1:])]
        distinct = _st.DistinctKeys()
        for keys in ex.map(_tile_task, tiles, shared={"net": net, "plane": plane},
                           exact=exact, chunk_regions=chunk_regions):
            distinct.add(keys)
        return _st.PartitionSummary(num_regions=distinct.count(), num_tiles=len(tiles),
                                    exact=is_exact)
    finally:
        if own:
            ex.close()
