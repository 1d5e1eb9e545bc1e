"""Run a function over a grid of settings, writing a tidy table row by row, resumably.

:func:`sweep` calls ``fn(**point)`` for every point of a grid (architectures x seeds x
trajectories x checkpoints, ...) on an executor of :mod:`regions.distributed` (in this
process, a local Dask cluster, or a scheduler address) and appends one row per point to a
CSV file as soon as it is done: the point's settings, then what ``fn`` returned. Each row is
written whole and flushed, so a sweep that is interrupted (killed, an error in ``fn``, a lost
machine) leaves the rows it finished; run the same call again and it reads them, skips their
points, and computes only the rest: no row is computed twice and none is written twice. A
half-written last line (the process killed while writing) is dropped on resume.

A point is identified by its settings written as the table writes them (``str`` of ints,
strings and booleans, ``repr`` of floats, which round-trips), so settings must be such
scalars. Values returned by ``fn`` may be any scalars.

References
----------
.. [1] H. Wickham, "Tidy Data", Journal of Statistical Software 59(10), 2014 (one row per
   observation, one column per variable).

Examples
--------
>>> import tempfile, os
>>> from regions import random_network, Segment, trace
>>> def count(width, seed):
...     net = random_network([2, width, width, 1], "relu", seed=seed)
...     return {"pieces": trace(net, Segment([-1.0, 0.0], [1.0, 0.0])).num_pieces}
>>> path = os.path.join(tempfile.mkdtemp(), "sweep.csv")
>>> rows = sweep(count, {"width": [4, 8], "seed": [0, 1]}, path)
>>> len(rows), sorted(rows[0])
(4, ['pieces', 'seed', 'width'])
>>> len(sweep(count, {"width": [4, 8], "seed": [0, 1]}, path))   # nothing left to compute
4
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from typing import Any, Callable, Iterable, Mapping, Sequence

__all__ = ["sweep", "grid_points", "read_table"]


def grid_points(grid: Mapping[str, Sequence[Any]] | Iterable[Mapping[str, Any]]
                ) -> list[dict]:
    """The points of a grid: the Cartesian product of a mapping name -> values (in the
    mapping's order, the last name varying fastest), or the given mappings as they are.

    >>> grid_points({"a": [1, 2], "b": ["x"]})
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'x'}]
    """
    if isinstance(grid, Mapping):
        names = list(grid)
        for n in names:
            if isinstance(grid[n], (str, bytes)) or not isinstance(grid[n], Iterable):
                raise TypeError(f"grid[{n!r}] must be a sequence of values, got "
                                f"{type(grid[n]).__name__}")
        values = [list(grid[n]) for n in names]
        return [dict(zip(names, combo)) for combo in itertools.product(*values)]
    points = [dict(p) for p in grid]
    if points and any(set(p) != set(points[0]) for p in points):
        raise ValueError("grid points must all have the same settings (names); got "
                         f"{sorted(points[0])} and others")
    return points


def _cell(value: Any, name: str) -> str:
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return _cell(value.item(), name)
    except ImportError:  # pragma: no cover
        pass
    if value is None:
        return ""
    raise TypeError(f"{name} must be a scalar (int, float, str, bool), got "
                    f"{type(value).__name__}: {value!r}")


def read_table(path: str | os.PathLike) -> list[dict[str, str]]:
    """The complete rows of a sweep's CSV table (strings; a half-written last line left
    out)."""
    with open(path, newline="") as f:
        text = f.read()
    if not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    return list(csv.DictReader(io.StringIO(text)))


def _call(point: dict, func: Callable) -> dict:
    out = func(**point)
    if not isinstance(out, Mapping):
        raise TypeError(f"fn must return a mapping of column -> value (one row); for "
                        f"{point} it returned {type(out).__name__}")
    clash = set(out) & set(point)
    if clash:
        raise ValueError(f"fn's result names {sorted(clash)} are also settings of the grid")
    return dict(out)


def sweep(fn: Callable[..., Mapping[str, Any]],
          grid: Mapping[str, Sequence[Any]] | Iterable[Mapping[str, Any]],
          path: str | os.PathLike, *, executor: Any = None, progress: bool = False
          ) -> list[dict[str, str]]:
    """Call ``fn(**point)`` for every point of ``grid`` not already in the table at
    ``path``, appending one row per point.

    Parameters
    ----------
    fn : callable
        Takes the settings as keyword arguments, returns a mapping column -> scalar. On a
        cluster it must be importable by the workers (a module-level function).
    grid : mapping or iterable of mappings
        See :func:`grid_points`.
    path : str or path-like
        The CSV table (created with a header; its rows are resumed from).
    executor : regions.distributed.Executor, optional
        Where to run (default: in this process).
    progress : bool
        A progress line on stderr.

    Returns
    -------
    list of dict
        Every row of the table (strings), finished earlier or now.

    References
    ----------
    .. [1] H. Wickham, "Tidy Data", Journal of Statistical Software 59(10), 2014.
    """
    from .distributed import Executor

    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    ex = executor if executor is not None else Executor("in-process", 1)
    if not isinstance(ex, Executor):
        raise TypeError(f"executor must be a regions.distributed.Executor or None, got "
                        f"{type(ex).__name__}")
    points = grid_points(grid)
    names = list(points[0]) if points else []
    keys = [tuple(_cell(p[n], f"grid setting {n!r}") for n in names) for p in points]
    path = os.fspath(path)
    header: list[str] | None = None
    done: set[tuple[str, ...]] = set()
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path, "r+", newline="") as f:  # drop a half-written last line
            text = f.read()
            if not text.endswith("\n"):
                f.seek(0)
                f.truncate(len(text[: text.rfind("\n") + 1].encode()))
        rows = read_table(path)
        with open(path, newline="") as f:
            header = next(csv.reader(f), None)
        if header is None or not set(names) <= set(header):
            raise ValueError(f"path {path!r} holds a table whose columns {header} do not "
                             f"include the grid's settings {names}")
        done = {tuple(r[n] for n in names) for r in rows}
    todo = [p for p, k in zip(points, keys) if k not in done]
    bar = None
    if progress:
        from .experiments._common import Progress

        bar = Progress(total=len(points), label="sweep")
        bar.step(len(points) - len(todo), "resumed")
    with open(path, "a", newline="") as f:
        writer = csv.writer(f)
        for point, out in zip(todo, ex.map(_call, todo, func=fn)):
            if header is None:
                header = names + list(out)
                writer.writerow(header)
            extra = set(out) - set(header)
            if extra:
                raise ValueError(f"fn returned columns {sorted(extra)} that the table at "
                                 f"{path!r} does not have (its columns: {header})")
            row = {**{n: _cell(point[n], n) for n in names},
                   **{k: _cell(v, f"result {k!r}") for k, v in out.items()}}
            writer.writerow([row.get(c, "") for c in header])
            f.flush()
            os.fsync(f.fileno())
            if bar is not None:
                bar.step(1)
    if bar is not None:
        bar.close()
    return read_table(path) if os.path.exists(path) else []
