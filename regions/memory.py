"""Clear errors before a trace or a partition outgrows memory.

:func:`regions.trace` works layer by layer on all pieces at once, so its memory grows with
the number of pieces (about 3.3 kB per piece for a dense network of width 100: the edge
values, their rounding bounds and the per-layer patterns). Before each layer it estimates
what the next layer will hold, from the growth of the piece count so far (the pieces after
this layer times the factor the last layer multiplied them by), and raises
:class:`MemoryError` when that estimate exceeds the memory available, saying how much it
needs and pointing to :func:`regions.streaming.trace_summary`, which counts in memory
bounded by a chunk size.

:func:`regions.partition` (planar and n-dimensional engines) checks likewise before each
layer that can cut regions (:func:`check_partition_layer`): half the engine's arrays now
times the factor the last layer multiplied its cells by, against the memory available, pointing to
:func:`regions.streaming.partition_summary` (tiles) when it would not fit.

The memory available is the smallest of the operating system's ``MemAvailable``
(``/proc/meminfo``), the control group's limit (``memory.max``), the process's address
space limit (``RLIMIT_AS``), and the environment variable ``REGIONS_MEMORY_LIMIT``
(bytes, or with a suffix ``K``, ``M``, ``G``: ``REGIONS_MEMORY_LIMIT=2G``). Where none can be
read, nothing is checked.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017 (the number of pieces grows exponentially
   with depth, hence the memory).

Examples
--------
>>> parse_size("1.5G"), parse_size("512M"), parse_size("1000")
(1610612736, 536870912, 1000)
"""

from __future__ import annotations

import math
import os
from typing import Any

__all__ = ["available_memory", "parse_size", "check_trace_layer", "check_partition_layer",
           "engine_bytes", "run_partition_layers", "LIMIT_VARIABLE"]

LIMIT_VARIABLE = "REGIONS_MEMORY_LIMIT"
"""The environment variable that caps the memory the checks assume available."""

_UNITS = {"": 1, "B": 1, "K": 2 ** 10, "M": 2 ** 20, "G": 2 ** 30, "T": 2 ** 40}


def parse_size(text: str) -> int:
    """Bytes from ``"123"``, ``"64K"``, ``"512M"``, ``"2G"`` (binary units; a trailing
    ``B`` or ``iB`` is allowed)."""
    s = str(text).strip().upper().replace("IB", "").rstrip("B") or "0"
    unit = s[-1] if s[-1] in _UNITS else ""
    number = s[: len(s) - len(unit)] if unit else s
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{LIMIT_VARIABLE} must be a size such as 2G, 512M or 1000000 "
                         f"(bytes); got {text!r}") from None
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{LIMIT_VARIABLE} must be a positive size; got {text!r}")
    return int(value * _UNITS[unit])


def _meminfo() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cgroup() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2 ** 60:
            used = None
            for cur in ("/sys/fs/cgroup/memory.current",
                        "/sys/fs/cgroup/memory/memory.usage_in_bytes"):
                try:
                    with open(cur) as f:
                        used = int(f.read().strip())
                    break
                except (OSError, ValueError):
                    continue
            return int(text) - (used or 0)
    return None


def _rlimit() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def available_memory() -> int | None:
    """Bytes this process may still allocate, as far as can be told (see the module); None
    when nothing says."""
    found = [v for v in (_meminfo(), _cgroup(), _rlimit()) if v is not None]
    env = os.environ.get(LIMIT_VARIABLE)
    if env:
        found.append(parse_size(env))
    return min(found) if found else None


def _bytes_per_piece(width: int, num_layers: int, total_width: int, kind: Any) -> float:
    """Memory per piece of a trace: a few rows of ``width`` values (edge values, their
    rounding bounds, the pre-activation and its new rows) and one int8 code per neuron."""
    per_value = 8.0
    if getattr(kind, "is_exact", False) and getattr(kind, "name", "") != "certified":
        per_value = 120.0  # rational objects
    elif getattr(kind, "name", "") == "certified":
        per_value = 16.0  # a value and its error bound
    return 4 * width * per_value + total_width + 16 * num_layers + 64


def check_trace_layer(pieces_before: int, pieces_now: int, next_width: int, max_width: int,
                      layers_done: int, num_layers: int, total_width: int, kind: Any,
                      what: str = "trace") -> None:
    """Raise :class:`MemoryError` if the next layer of a trace would need more than the
    memory available: ``pieces_now`` pieces after ``layers_done`` layers, multiplied again
    by ``pieces_now / pieces_before``."""
    if layers_done >= num_layers:
        return
    avail = available_memory()
    if avail is None:
        return
    growth = max(1.0, pieces_now / max(1, pieces_before))
    expected = pieces_now * growth
    need = expected * _bytes_per_piece(max(next_width, max_width), num_layers, total_width,
                                       kind)
    if need > avail:
        raise MemoryError(
            f"{what}: layer {layers_done + 1} of {num_layers} would hold about "
            f"{expected:,.0f} pieces ({pieces_now:,} after layer {layers_done}, growing "
            f"x{growth:.2g} per layer) and need about {_gb(need)} of memory, but about "
            f"{_gb(avail)} is available. Count in bounded memory with "
            "regions.streaming.trace_summary(net, trajectory, chunk_pieces=...), or on "
            "several machines with regions.distributed"
        )


def engine_bytes(engine: Any) -> int:
    """The bytes held by an engine's NumPy arrays (its attributes, and arrays in tuples or
    lists of them), an object array's elements (Fractions) counted at 64 bytes each beyond
    their pointers. Cheap: no array is scanned."""
    total = 0
    for value in vars(engine).values():
        items = value if isinstance(value, (tuple, list)) else (value,)
        for v in items:
            if hasattr(v, "nbytes") and hasattr(v, "dtype"):
                total += int(v.nbytes) + (64 * int(v.size) if v.dtype == object else 0)
    return total


def check_partition_layer(engine: Any, cells_before: int, cells_now: int, layers_done: int,
                          num_layers: int, what: str = "partition") -> None:
    """Raise :class:`MemoryError` if the next layer of a partition would need more than the
    memory available: half the engine's arrays now (:func:`engine_bytes`; they grow by
    doubling, so at least half is in use) times the factor the last layer multiplied its
    cells by (``cells_now / cells_before``), the growth it would repeat. Checked from the
    third cutting layer on (the first layer grows from one cell, which says nothing about
    the next). Arrays grow with the cells, so this is a lower bound on what the next layer
    allocates if it multiplies the cells as the last one did: no alarm on a guess beyond
    that."""
    if layers_done >= num_layers or layers_done < 2:
        return  # (the first layer's growth, from one cell, says nothing of the next's)
    avail = available_memory()
    if avail is None:
        return
    growth = max(1.0, cells_now / max(1, cells_before))
    held = engine_bytes(engine)
    need = held * growth / 2  # (arrays grow by doubling: at least half of them is in use)
    if need > avail:
        raise MemoryError(
            f"{what}: layer {layers_done + 1} of {num_layers} would hold about "
            f"{cells_now * growth:,.0f} cells ({cells_now:,} after layer {layers_done}, "
            f"growing x{growth:.2g} per layer) and need about {_gb(need)} of memory at "
            f"least (half the {_gb(held)} of arrays held now, times that growth), but about "
            f"{_gb(avail)} is available. "
            "Count the regions in bounded memory, tile by tile, with "
            "regions.streaming.partition_summary(net, box, chunk_regions=...), or on "
            "several machines with regions.distributed.partition_summary"
        )


def run_partition_layers(engine: Any, stages: Any, what: str = "partition") -> None:
    """``engine.layer(st)`` for every stage, with :func:`check_partition_layer` before each
    that can add cells (a linear stage adds none). ``engine.nF`` is its number of cells."""
    stages = list(stages)
    before = now = int(engine.nF)
    cutting = [i for i, st in enumerate(stages) if st.is_max or st.activation.thresholds]
    for i, st in enumerate(stages):
        if i in cutting:
            check_partition_layer(engine, before, now, cutting.index(i), len(cutting), what)
        engine.layer(st)
        if i in cutting:
            before, now = now, int(engine.nF)


def _gb(n: float) -> str:
    return f"{n / 2 ** 30:.2f} GB" if n >= 2 ** 28 else f"{n / 2 ** 20:.1f} MB"
