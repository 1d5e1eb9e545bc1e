"""Pictures of partitions and traces (needs matplotlib: ``pip install 'regions[plot]'``).

* :func:`plot_partition` draws a :class:`~regions.Partition` in plane coordinates: every region
  filled, every boundary edge in the colour of the layer that creates it (the look of Raghu
  et al.'s Figure 3).
* :func:`plot_trace` draws a :class:`~regions.Trace`: the trajectory and its knots over a
  partition, and the image length per layer.

matplotlib is imported inside the functions, so ``import regions`` never imports it.

Unbounded regions are drawn clipped to the view window. Each direction d at infinity of a
region is replaced by far points p + R d of the region (p its finite neighbours on the
boundary), with R so large, region by region, that everything added lies outside the window
(arcs at infinity wider than 90 degrees are first split); the polygons are then clipped to
the window by Sutherland-Hodgman, all at once. Edges are clipped in homogeneous coordinates
(a ray is the positive combinations of its point (x, y, 1) and its direction (dx, dy, 0)).
Only drawing uses this float64 clip; the partition itself is exact.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import _numbers
from .partition import Partition
from .trace import Trace
from .trajectory import Arc, Polyline, Segment

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OUTLIER_IQRS", "plot_partition", "plot_trace", "window_vertices"]

_MISSING = "regions.plot needs matplotlib: pip install 'regions[plot]'"

Window = tuple[float, float, float, float]


def _matplotlib():
    """Import matplotlib (lazily), with an install hint if it is missing."""
    try:
        import matplotlib
        import matplotlib.axes  # noqa: F401
        import matplotlib.collections  # noqa: F401
        import matplotlib.colors  # noqa: F401
    except ImportError as err:
        raise ImportError(_MISSING) from err
    return matplotlib


def _pyplot():
    _matplotlib()
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - matplotlib without pyplot
        raise ImportError(_MISSING) from err
    return plt


# -- argument checks --------------------------------------------------------------------------


def _check_window(window: Any) -> Window | None:
    if window is None:
        return None
    if isinstance(window, (str, bytes)) or not hasattr(window, "__len__"):
        raise TypeError(
            "window must be None or 4 numbers (xmin, xmax, ymin, ymax); got "
            f"{type(window).__name__}"
        )
    values = list(window)
    if len(values) != 4:
        raise ValueError(
            f"window must be 4 numbers (xmin, xmax, ymin, ymax); got {len(values)} values"
        )
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"window must hold real numbers (xmin, xmax, ymin, ymax); got {v!r}"
            )
    xmin, xmax, ymin, ymax = (float(v) for v in values)
    if not all(np.isfinite([xmin, xmax, ymin, ymax])):
        raise ValueError(f"window must hold finite numbers; got {tuple(values)}")
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(
            "window must be (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax; got "
            f"{(xmin, xmax, ymin, ymax)}"
        )
    return (xmin, xmax, ymin, ymax)


def _check_axes(ax: Any, name: str) -> None:
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes, got {type(ax).__name__}")


def _check_partition(part: Any, name: str = "part") -> None:
    if not isinstance(part, Partition):
        raise TypeError(f"{name} must be a regions.Partition, got {type(part).__name__}")


# -- geometry ---------------------------------------------------------------------------------


def _homogeneous(part: Partition) -> np.ndarray:
    """Vertices as rows (x, y, w): w = 1 for points, 0 for directions at infinity."""
    pts = np.asarray(_numbers.to_float(part.points), dtype=np.float64)
    w = np.where(part.at_infinity, 0.0, 1.0)
    return np.column_stack([pts, w])


def _window_planes(window: Window) -> np.ndarray:
    """The window's four sides as homogeneous half-planes ``L . (x, y, w) >= 0``."""
    xmin, xmax, ymin, ymax = window
    return np.array(
        [[1.0, 0.0, -xmin], [-1.0, 0.0, xmax], [0.0, 1.0, -ymin], [0.0, -1.0, ymax]]
    )


OUTLIER_IQRS = 3.0
"""The whole plane's default view leaves out vertices farther than this many interquartile
ranges (of each coordinate) outside the quartiles (see :func:`window_vertices`)."""


def window_vertices(part: Partition) -> np.ndarray:
    """The finite vertices the whole plane's default view holds: those within
    :data:`OUTLIER_IQRS` interquartile ranges of the quartiles of each coordinate (Tukey's
    fences, widened). A vertex where two nearly parallel boundaries meet, 1e6 away, would
    otherwise squeeze every other region into a corner.

    >>> from regions import Network, partition
    >>> net = Network([[[1, 0], [0, 1], [0, 1], [1, 1e-6]], [[1, 1, 1, 1]]],
    ...               [[0, 0, -1, 1], [0]], "relu")    # x1 = -1 - 1e-6 x2 meets x1 = 0 at 1e6
    >>> part = partition(net)
    >>> float(abs(part.points[~part.at_infinity]).max()), len(window_vertices(part))
    (1000000.0, 4)
    """
    finite = np.asarray(_numbers.to_float(part.points), dtype=np.float64)[~part.at_infinity]
    if finite.shape[0] < 4:
        return finite
    q1, q3 = np.percentile(finite, [25, 75], axis=0)
    spread = np.maximum(q3 - q1, 1e-12 * np.maximum(1.0, np.abs(q1) + np.abs(q3)))
    keep = np.all((finite >= q1 - OUTLIER_IQRS * spread) & (finite <= q3 + OUTLIER_IQRS * spread),
                  axis=1)
    return finite[keep]


def _default_window(part: Partition) -> Window:
    """The view :func:`plot_partition` uses without ``window``: the domain's bounding box,
    or for the whole plane the bounding box of :func:`window_vertices` (far outliers left
    out) enlarged by 25% (a box of half-width 1 around the origin when there are none)."""
    if part.domain is not None:
        poly = np.asarray(_numbers.to_float(part.domain), dtype=np.float64)
        return _box(poly, 0.0)
    return _box(window_vertices(part), 0.25)


def _box(pts: np.ndarray, grow: float) -> Window:
    """Bounding box of ``pts`` scaled by ``1 + grow`` about its centre; a degenerate side
    gets the other side's size (or 2)."""
    if pts.shape[0] == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    size = hi - lo
    big = float(size.max())
    size = np.where(size > 0, size * (1.0 + grow), big if big > 0 else 2.0)
    centre = (lo + hi) / 2
    lo, hi = centre - size / 2, centre + size / 2
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def _cycle_next(offsets: np.ndarray, total: int) -> np.ndarray:
    """For each slot of a CSR list of cycles, the index of the next slot in its cycle."""
    counts = np.diff(offsets)
    nxt = np.arange(total) + 1
    nonempty = counts > 0
    nxt[offsets[1:][nonempty] - 1] = offsets[:-1][nonempty]
    return nxt


def _split_wide_arcs(V: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert directions into every arc at infinity (two consecutive directions) wider than
    90 degrees, until none is."""
    n = offsets.shape[0] - 1
    while True:
        counts = np.diff(offsets)
        region = np.repeat(np.arange(n), counts)
        a, b = V, V[_cycle_next(offsets, V.shape[0])]
        both = (a[:, 2] == 0) & (b[:, 2] == 0)
        crs = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        dot = a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]
        wide = both & ((crs <= 0) | (dot < 0))
        if not wide.any():
            return V, offsets
        at = np.flatnonzero(wide)
        ua = a[at, :2] / np.linalg.norm(a[at, :2], axis=1)[:, None]
        ub = b[at, :2] / np.linalg.norm(b[at, :2], axis=1)[:, None]
        half = ua + ub  # the bisector of an arc below 180 degrees
        turn = np.column_stack([-ua[:, 1], ua[:, 0]])  # a turned by +90 degrees otherwise
        m = np.where((crs[at] > 0)[:, None], half, turn)
        m /= np.abs(m).max(axis=1)[:, None]
        V = np.insert(V, at + 1, np.column_stack([m, np.zeros(at.shape[0])]), axis=0)
        counts = counts + np.bincount(region[at], minlength=n)
        offsets = np.concatenate([[0], np.cumsum(counts)])


def _far_points(
    V: np.ndarray, offsets: np.ndarray, window: Window
) -> tuple[np.ndarray, np.ndarray]:
    """Replace each direction d of each region by far points of the region: p + R d for the
    finite neighbour p on either side (a point of the region otherwise), with R so large
    that the chords between far points pass outside the window. Inside the window the
    polygon is then the region."""
    n = offsets.shape[0] - 1
    counts = np.diff(offsets)
    region = np.repeat(np.arange(n), counts)
    xmin, xmax, ymin, ymax = window
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    radius = 0.5 * float(np.hypot(xmax - xmin, ymax - ymin))
    finite = V[:, 2] != 0
    xy = V[:, :2]
    # a point of each region (its first finite vertex, else the window's centre: a region
    # with no finite vertex is the whole plane) and the farthest finite vertex from the centre
    base = np.tile(centre, (n, 1))
    first_region, first_slot = np.unique(region[finite], return_index=True)
    base[first_region] = xy[np.flatnonzero(finite)[first_slot]]
    far = np.zeros(n)
    np.maximum.at(far, region[finite], np.hypot(*(xy[finite] - centre).T))
    R = 4.0 * (far + radius) + 1.0
    nxt = _cycle_next(offsets, V.shape[0])
    prev = np.empty_like(nxt)
    prev[nxt] = np.arange(V.shape[0])
    before = np.where(finite[prev][:, None], xy[prev], base[region])
    after = np.where(finite[nxt][:, None], xy[nxt], base[region])
    Rs = R[region][:, None]
    emit = np.where(finite, 1, 2)
    start = np.cumsum(emit) - emit
    out = np.empty((int(emit.sum()), 3))
    out[:, 2] = 1.0
    out[start[finite], :2] = xy[finite]
    d = ~finite
    out[start[d], :2] = before[d] + Rs[d] * xy[d]
    out[start[d] + 1, :2] = after[d] + Rs[d] * xy[d]
    new_counts = np.bincount(region, weights=emit, minlength=n).astype(np.int64)
    return out, np.concatenate([[0], np.cumsum(new_counts)])


def _clip_polygons(
    V: np.ndarray, offsets: np.ndarray, planes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sutherland-Hodgman clip of many convex polygons (homogeneous vertices, CSR layout)
    against half-planes ``L . v >= 0``, all polygons at once."""
    n = offsets.shape[0] - 1
    for L in planes:
        counts = np.diff(offsets)
        if V.shape[0] == 0:
            break
        region = np.repeat(np.arange(n), counts)
        nxt = _cycle_next(offsets, V.shape[0])
        s = V @ L
        s_n = s[nxt]
        inside = s >= 0
        crosses = inside != inside[nxt]
        emit = inside.astype(np.int64) + crosses
        start = np.cumsum(emit) - emit
        out = np.empty((int(emit.sum()), 3))
        out[start[inside]] = V[inside]
        c = np.flatnonzero(crosses)
        lam = s[c] / (s[c] - s_n[c])  # in [0, 1]: a positive combination of the two ends
        out[start[c] + inside[c]] = V[c] + lam[:, None] * (V[nxt[c]] - V[c])
        new_counts = np.bincount(region, weights=emit, minlength=n).astype(np.int64)
        V, offsets = out, np.concatenate([[0], np.cumsum(new_counts)])
    return V, offsets


def _region_polygons(part: Partition, window: Window) -> list[np.ndarray]:
    """Each region clipped to ``window``, as an array of shape (k, 2) (k = 0 when the region
    misses the window), in region order."""
    V = _homogeneous(part)[part.region_vertices]
    offsets = np.asarray(part.region_offsets, dtype=np.int64)
    if not V[:, 2].all():
        V, offsets = _split_wide_arcs(V, offsets)
        V, offsets = _far_points(V, offsets, window)
    V, offsets = _clip_polygons(V, offsets, _window_planes(window))
    xy = V[:, :2] / V[:, 2:3]
    xmin, xmax, ymin, ymax = window
    xy[:, 0] = np.clip(xy[:, 0], xmin, xmax)  # rounding only
    xy[:, 1] = np.clip(xy[:, 1], ymin, ymax)
    return np.split(xy, offsets[1:-1])


def _clip_edges(part: Partition, which: np.ndarray, window: Window):
    """The edges ``which`` (indices) clipped to ``window``: segments of shape (m, 2, 2) and
    the indices of the edges that meet the window in more than a point."""
    H = _homogeneous(part)
    P, Q = H[part.edges[which, 0]], H[part.edges[which, 1]]
    t0 = np.zeros(which.shape[0])
    t1 = np.ones(which.shape[0])
    for L in _window_planes(window):
        sp, sq = P @ L, Q @ L
        with np.errstate(divide="ignore", invalid="ignore"):
            t = sp / (sp - sq)
        t0 = np.where((sp < 0) & (sq >= 0), np.maximum(t0, t), t0)
        t1 = np.where((sp >= 0) & (sq < 0), np.minimum(t1, t), t1)
        t1 = np.where((sp < 0) & (sq < 0), -1.0, t1)
    keep = t0 < t1
    P, Q, t0, t1 = P[keep], Q[keep], t0[keep], t1[keep]
    A = P + t0[:, None] * (Q - P)
    B = P + t1[:, None] * (Q - P)
    segs = np.stack([A[:, :2] / A[:, 2:3], B[:, :2] / B[:, 2:3]], axis=1)
    xmin, xmax, ymin, ymax = window
    segs[..., 0] = np.clip(segs[..., 0], xmin, xmax)
    segs[..., 1] = np.clip(segs[..., 1], ymin, ymax)
    return segs, which[keep]


def _region_colors(part: Partition, ncolors: int, seed: int | None) -> np.ndarray:
    """A colour index per region, random from ``seed``, re-drawn where neighbours agree."""
    rng = np.random.default_rng(seed)
    n = part.num_regions
    c = rng.integers(ncolors, size=n)
    er = part.edge_regions
    inner = (er >= 0).all(axis=1)
    left, right = er[inner, 0], er[inner, 1]
    if ncolors < 2:
        return c
    for _ in range(64):
        clash = np.flatnonzero(c[left] == c[right])
        if clash.size == 0:
            break
        pick = np.where(rng.random(clash.size) < 0.5, left[clash], right[clash])
        pick = np.unique(pick)
        c[pick] = rng.integers(ncolors, size=pick.size)
    return c


def _palette(cmap: Any) -> np.ndarray:
    """RGBA rows: the colours of a listed colormap with at most 20 entries, else 20
    samples across the map."""
    mpl = _matplotlib()
    from matplotlib.colors import Colormap, ListedColormap

    if isinstance(cmap, Colormap):
        cm = cmap
    elif isinstance(cmap, str):
        try:
            cm = mpl.colormaps[cmap]
        except KeyError as err:
            raise ValueError(f"cmap must be a matplotlib colormap name, got {cmap!r}") from err
    else:
        raise TypeError(
            f"cmap must be a colormap name or a matplotlib Colormap, got {type(cmap).__name__}"
        )
    if isinstance(cm, ListedColormap) and cm.N <= 20:
        return np.asarray(cm(np.arange(cm.N)))
    return np.asarray(cm(np.linspace(0.0, 1.0, 20)))


def _layer_palette(layer_colors: Any, num_layers: int) -> list[Any]:
    from matplotlib.colors import to_rgba

    if layer_colors is None:
        import matplotlib

        base = matplotlib.colormaps["Dark2"]
        # black first (layer 1 cuts the plane into big cells), then Dark2's colours
        return [to_rgba("black")] + [base(i % base.N) for i in range(max(0, num_layers - 1))]
    if isinstance(layer_colors, (str, bytes)) or not hasattr(layer_colors, "__len__"):
        raise TypeError(
            "layer_colors must be None or a sequence of colours, one per layer; got "
            f"{type(layer_colors).__name__}"
        )
    if len(layer_colors) < num_layers:
        raise ValueError(
            f"layer_colors must give a colour for each of the network's {num_layers} layers; "
            f"got {len(layer_colors)}"
        )
    out = []
    for i, col in enumerate(layer_colors):
        try:
            out.append(to_rgba(col))
        except (ValueError, TypeError) as err:
            raise ValueError(f"layer_colors[{i}] is not a matplotlib colour: {col!r}") from err
    return out


# -- public ----------------------------------------------------------------------------------


def _layer_label(part: Any, d: int) -> str:
    """Legend text of layer ``d``: its node name for a graph, ``layer d+1`` otherwise."""
    names = getattr(part, "layer_names", ())
    if d < len(names) and not names[d].startswith("layer"):
        return names[d]
    return f"layer {d + 1}"


def plot_partition(
    part: Partition,
    ax: "Axes | None" = None,
    *,
    window: Sequence[float] | None = None,
    color_regions: bool = True,
    cmap: Any = "tab20",
    layer_colors: Sequence[Any] | None = None,
    linewidth: float = 1.0,
    seed: int | None = 0,
) -> "Axes":
    """Draw the regions of a partition, boundaries coloured by the layer that creates them.

    Parameters
    ----------
    part : Partition
        From :func:`regions.partition`; drawn in its plane coordinates.
    ax : matplotlib Axes, optional
        Where to draw; a new figure with one Axes by default.
    window : (xmin, xmax, ymin, ymax), optional
        The view; regions and edges are clipped to it (unbounded regions too, from their
        directions at infinity). Default: the domain's bounding box, or for the whole plane
        the bounding box of the finite vertices, far outliers left out
        (:func:`window_vertices`), scaled by 1.25 about its centre (the box ``[-1, 1]^2`` if
        there is none).
    color_regions : bool
        Fill the regions (default). With False only the edges are drawn.
    cmap : str or Colormap
        The region colours: a listed map of at most 20 colours is used as it is, any other is
        sampled at 20 levels. Each region gets one at random (from ``seed``), re-drawn
        where it equals a neighbour's, so neighbouring regions usually differ; the fill is
        the colour lightened (mixed 60:40 with white) so that the boundaries stand out.
    layer_colors : sequence of colours, optional
        The edge colour of each layer (0-based, one per layer of the network). Default:
        black for layer 1, then the ``Dark2`` colours.
    linewidth : float
        Width of the region boundaries; the domain's boundary is drawn thin and grey, edges
        at infinity are not drawn.
    seed : int or None
        Seed of the region colours.

    Returns
    -------
    matplotlib Axes
        The collections added, in order: the regions when ``color_regions`` (a
        ``PolyCollection`` with one polygon per region, in region order, empty where a region
        misses the window), then one ``LineCollection`` per layer with boundaries in the window, labelled
        ``"layer 1"``, ``"layer 2"``, ... (the legend), then the domain's boundary.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Figure 3 (region boundaries of
       a network on a two-dimensional input, coloured by layer).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from regions import partition, random_network
    >>> from regions.plot import plot_partition
    >>> part = partition(random_network([2, 8, 8, 1], "relu", sigma_b=1.0, seed=0))
    >>> ax = plot_partition(part, window=(-3, 3, -3, 3))
    >>> len(ax.collections[0].get_paths()) == part.num_regions
    True
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['layer 1', 'layer 2']
    """
    _matplotlib()
    from matplotlib.collections import LineCollection, PolyCollection

    _check_partition(part)
    win = _check_window(window)
    if win is None:
        win = _default_window(part)
    if not isinstance(color_regions, (bool, np.bool_)):
        raise TypeError(f"color_regions must be True or False, got {color_regions!r}")
    if isinstance(linewidth, (bool, np.bool_)) or not isinstance(linewidth, numbers.Real):
        raise TypeError(f"linewidth must be a number, got {linewidth!r}")
    if not (np.isfinite(linewidth) and linewidth >= 0):
        raise ValueError(f"linewidth must be a finite number >= 0, got {linewidth}")
    if seed is not None and (
        isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral)
    ):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    num_layers = len(part.patterns)
    layer_rgba = _layer_palette(layer_colors, num_layers)
    palette = _palette(cmap) if color_regions else None
    if ax is None:
        ax = _pyplot().subplots()[1]
    else:
        _check_axes(ax, "ax")

    if color_regions:
        polys = _region_polygons(part, win)
        faces = palette[_region_colors(part, palette.shape[0], seed)].copy()
        faces[:, :3] = 0.6 * faces[:, :3] + 0.4  # lighter, so that the boundaries stand out
        regions_art = PolyCollection(
            polys, facecolors=faces, edgecolors="none", linewidths=0, label="_regions"
        )
        ax.add_collection(regions_art)

    kinds, layers = part.edge_kinds, part.edge_layers
    inner = np.flatnonzero(kinds == 0)
    segs, kept = _clip_edges(part, inner, win)
    kept_layers = layers[kept]
    for d in range(num_layers):
        on = kept_layers == d
        if on.any():
            ax.add_collection(
                LineCollection(
                    segs[on], colors=[layer_rgba[d]], linewidths=linewidth,
                    label=_layer_label(part, d), capstyle="round",
                )
            )
    stray = kept_layers < 0  # an edge between two regions with one pattern: not expected
    if stray.any():
        ax.add_collection(
            LineCollection(segs[stray], colors="0.5", linewidths=linewidth, label="_other")
        )
    border = np.flatnonzero(kinds == 1)
    if border.size:
        bsegs, _ = _clip_edges(part, border, win)
        ax.add_collection(
            LineCollection(bsegs, colors="0.4", linewidths=0.5 * linewidth, label="_domain")
        )

    ax.set_xlim(win[0], win[1])
    ax.set_ylim(win[2], win[3])
    ax.set_aspect("equal")
    if part.plane is None:
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    else:
        ax.set_xlabel("plane coordinate 1")
        ax.set_ylabel("plane coordinate 2")
    if any(not lbl.startswith("_") for lbl in (c.get_label() for c in ax.collections)):
        ax.legend(loc="upper right", fontsize="small", framealpha=0.85)
    return ax


def _plane_coords(part: Partition | None, pts: np.ndarray, name: str) -> np.ndarray:
    """Input points as plane coordinates of ``part``'s slice (identity without a slice);
    ValueError if they are off the plane."""
    if part is None or part.plane is None:
        return pts
    plane = part.plane
    o = np.asarray(_numbers.to_float(plane.origin), dtype=np.float64)
    D = np.asarray(_numbers.to_float(plane.directions), dtype=np.float64)
    coords, *_ = np.linalg.lstsq(D.T, (pts - o).T, rcond=None)
    coords = coords.T
    residual = np.abs(o + coords @ D - pts).max(initial=0.0)
    scale = max(1.0, float(np.abs(pts).max(initial=0.0)), float(np.abs(o).max(initial=0.0)))
    if residual > 1e-9 * scale:
        raise ValueError(
            f"{name}: the trajectory does not lie in part.plane (a point is {residual:.3g} "
            "away from it); trace along a trajectory inside the slice"
        )
    return coords


def _clip_line(p: np.ndarray, d: np.ndarray, window: Window) -> tuple[float, float] | None:
    """The parameter interval where p + t d lies in the window (None if it misses it)."""
    lo, hi = -np.inf, np.inf
    for k, (a, b) in enumerate(((window[0], window[1]), (window[2], window[3]))):
        if d[k] == 0:
            if not a <= p[k] <= b:
                return None
            continue
        t_a, t_b = (a - p[k]) / d[k], (b - p[k]) / d[k]
        lo, hi = max(lo, min(t_a, t_b)), min(hi, max(t_a, t_b))
    return (lo, hi) if lo < hi else None


def _trajectory_path(traj: Any, samples: int) -> np.ndarray | None:
    """Input points along a bounded trajectory (None for a Line)."""
    if isinstance(traj, Segment):
        return np.asarray(_numbers.to_float(np.stack([traj.x0, traj.x1])), dtype=np.float64)
    if isinstance(traj, Polyline):
        return np.asarray(_numbers.to_float(traj.points), dtype=np.float64)
    if isinstance(traj, Arc):
        ts = np.linspace(traj.start, traj.stop, samples)
        return np.asarray(traj._evaluate(ts), dtype=np.float64)
    return None


def plot_trace(
    tr: Trace,
    part: Partition | None = None,
    axes: Sequence["Axes"] | None = None,
    *,
    window: Sequence[float] | None = None,
    samples: int = 400,
) -> "Figure | tuple[Axes, Axes]":
    """Draw a trace: the trajectory and its knots over the regions, and the length per layer.

    Parameters
    ----------
    tr : Trace
        From :func:`regions.trace`.
    part : Partition, optional
        Regions to draw under the trajectory (:func:`plot_partition`). For a partition of a
        :class:`~regions.Plane` slice the trajectory must lie in the plane (it is drawn in
        plane coordinates); without a slice the network must have two inputs.
    axes : pair of matplotlib Axes, optional
        Where to draw (left: the plane, right: the lengths); a new figure by default.
    window : (xmin, xmax, ymin, ymax), optional
        The view of the left axes. Default: the partition's default view (see
        :func:`plot_partition`) grown to hold a bounded trajectory, or the trajectory's
        bounding box scaled by 1.25.
    samples : int
        Points drawn along an :class:`~regions.Arc` (straight trajectories are drawn from
        their vertices).

    Returns
    -------
    matplotlib Figure, or the pair of Axes when ``axes`` is given
        Left axes: the trajectory (a line labelled ``"trajectory"``) and one dot per knot (a
        line labelled ``"knots"``). Right axes: ``tr.lengths`` against the layer (0 is the
        input), log scale; infinite or zero lengths are left out.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Figure 3 (regions and
       boundaries by layer) and Section 2.1 (trajectory length per layer).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from regions import Segment, partition, random_network, trace
    >>> from regions.plot import plot_trace
    >>> net = random_network([2, 8, 8, 1], "relu", sigma_b=1.0, seed=0)
    >>> tr = trace(net, Segment([-2.0, -1.0], [2.0, 1.5]))
    >>> fig = plot_trace(tr, partition(net))
    >>> left, right = fig.axes[:2]
    >>> right.get_xlabel(), right.get_ylabel()   # a log axis where lengths span decades
    ('layer', 'trajectory length')
    """
    _matplotlib()
    if not isinstance(tr, Trace):
        raise TypeError(f"tr must be a regions.Trace, got {type(tr).__name__}")
    if part is not None:
        _check_partition(part)
        if part.network.widths[0] != tr.network.widths[0]:
            raise ValueError(
                f"tr traces a network with {tr.network.widths[0]} inputs but part partitions "
                f"one with {part.network.widths[0]}"
            )
    if (part is None or part.plane is None) and tr.trajectory.dim != 2:
        raise ValueError(
            f"tr: the trajectory has dimension {tr.trajectory.dim}; drawing it needs two "
            "dimensions, or part = a partition of a Plane slice holding it"
        )
    win = _check_window(window)
    if isinstance(samples, (bool, np.bool_)) or not isinstance(samples, numbers.Integral):
        raise TypeError(f"samples must be an integer, got {samples!r}")
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    if axes is None:
        plt = _pyplot()
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8))
    else:
        if isinstance(axes, (str, bytes)) or not hasattr(axes, "__len__") or len(axes) != 2:
            raise TypeError("axes must be None or a pair of matplotlib Axes (left, right)")
        left, right = axes
        _check_axes(left, "axes[0]")
        _check_axes(right, "axes[1]")
        fig = None

    traj = tr.trajectory
    knots_in = traj(tr.knots) if tr.num_knots else np.zeros((0, traj.dim))
    knots = _plane_coords(part, np.asarray(_numbers.to_float(knots_in), dtype=np.float64), "tr")
    knots = knots.reshape(-1, 2)
    path_in = _trajectory_path(traj, samples)
    path = None if path_in is None else _plane_coords(part, path_in, "tr")

    if win is None:
        if path is not None:
            grown = _box(np.concatenate([path, knots]), 0.25)
        elif knots.shape[0]:
            grown = _box(knots, 0.25)
        else:
            grown = None
        if part is not None:
            win = _default_window(part)
            if path is not None:
                lo = np.minimum([win[0], win[2]], path.min(axis=0))
                hi = np.maximum([win[1], win[3]], path.max(axis=0))
                pad = 0.05 * (hi - lo)
                lo = np.where(lo < [win[0], win[2]], lo - pad, lo)
                hi = np.where(hi > [win[1], win[3]], hi + pad, hi)
                win = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        else:
            win = grown if grown is not None else (-1.0, 1.0, -1.0, 1.0)
    if path is None:  # a Line: draw the part in the window
        p = _plane_coords(part, np.asarray(_numbers.to_float(traj.point), dtype=np.float64)
                          [None, :], "tr")[0]
        q = _plane_coords(
            part,
            np.asarray(_numbers.to_float(traj.point + traj.direction), dtype=np.float64)[None, :],
            "tr",
        )[0]
        span = _clip_line(p, q - p, win)
        path = np.zeros((0, 2)) if span is None else p + np.outer(span, q - p)

    if part is not None:
        plot_partition(part, left, window=win)
    else:
        left.set_xlim(win[0], win[1])
        left.set_ylim(win[2], win[3])
        left.set_aspect("equal")
    left.plot(path[:, 0], path[:, 1], color="crimson", linewidth=1.8, label="trajectory",
              zorder=3)
    left.plot(knots[:, 0], knots[:, 1], "o", color="white", markeredgecolor="crimson",
              markersize=5, label="knots", linestyle="none", zorder=4)
    left.set_title(f"{tr.num_knots} knots, {tr.num_pieces} pieces")
    left.legend(loc="upper right", fontsize="small", framealpha=0.85)  # layers, path, knots

    lengths = np.asarray(tr.lengths, dtype=np.float64)
    shown = np.where(np.isfinite(lengths) & (lengths > 0), lengths, np.nan)
    right.plot(np.arange(lengths.shape[0]), shown, marker="o", color="crimson",
               label="image length")
    positive = shown[np.isfinite(shown)]
    if positive.size and positive.max() > 10 * positive.min():  # log only across decades
        right.set_yscale("log")
    right.set_title("length after each layer")
    right.set_xlabel("layer")
    right.set_ylabel("trajectory length")
    from matplotlib.ticker import MaxNLocator

    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    if np.isnan(shown).all():
        right.text(0.5, 0.5, "no finite positive length", transform=right.transAxes,
                   ha="center", va="center")
    if fig is None:
        return left, right
    fig.tight_layout()
    return fig
