"""regions.plot: the drawn artists against the partition and trace they show."""

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402

import regions  # noqa: E402
from regions import (  # noqa: E402
    Arc, Line, Network, Plane, Polyline, Segment, partition, random_network, trace,
)
from regions.plot import plot_partition, plot_trace  # noqa: E402

BOX = [[-1, -1], [1, -1], [1, 1], [-1, 1]]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def net():
    return random_network([2, 4, 4, 4, 1], "relu", sigma_b=1.0, seed=0)


@pytest.fixture(scope="module")
def whole(net):
    return partition(net)


@pytest.fixture(scope="module")
def boxed():
    # enough regions inside the box to be interesting
    return partition(random_network([2, 6, 6, 1], "relu", sigma_b=0.5, seed=3), BOX)


# -- helpers -----------------------------------------------------------------------------------


def _regions_art(ax) -> PolyCollection:
    found = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(found) == 1
    return found[0]


def _polygons(ax) -> list[np.ndarray]:
    out = []
    for path in _regions_art(ax).get_paths():
        v = np.asarray(path.vertices)
        if len(v) and np.array_equal(v[0], v[-1]):
            v = v[:-1]  # the closing vertex
        out.append(v)
    return out


def _area(v: np.ndarray) -> float:
    if len(v) < 3:
        return 0.0
    x, y = v[:, 0], v[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _layer_segments(ax) -> dict[str, int]:
    return {
        c.get_label(): len(c.get_segments())
        for c in ax.collections
        if isinstance(c, LineCollection) and c.get_label().startswith("layer ")
    }


def _orient(a, b, c):
    return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))


def _meets(a, b, window) -> bool:
    """Whether segment ab meets the open window: an end inside or a proper crossing of a
    side (an independent test from the clip in regions.plot)."""
    xmin, xmax, ymin, ymax = window
    for p in (a, b):
        if xmin < p[0] < xmax and ymin < p[1] < ymax:
            return True
    corners = [(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax)]
    for c, d in zip(corners, corners[1:] + corners[:1]):
        if (_orient(a, b, c) * _orient(a, b, d) < 0) and (_orient(c, d, a) * _orient(c, d, b) < 0):
            return True
    return False


def _expected_layer_counts(part, window) -> dict[str, int]:
    pts = part.points.astype(float)
    far = 1e7
    counts: dict[str, int] = {}
    for e in np.flatnonzero(part.edge_kinds == 0):
        i, j = part.edges[e]
        if part.at_infinity[i]:
            i, j = j, i
        a = pts[i]
        b = a + far * pts[j] if part.at_infinity[j] else pts[j]
        if _meets(a, b, window):
            key = f"layer {part.edge_layers[e] + 1}"
            counts[key] = counts.get(key, 0) + 1
    return counts


# -- plot_partition ----------------------------------------------------------------------------


@pytest.mark.parametrize("window", [None, (-3.0, 3.0, -2.0, 2.5), (40.0, 41.0, -7.0, -6.5)])
def test_whole_plane_tiles_the_window(whole, window):
    ax = plot_partition(whole, window=window)
    xmin, xmax, ymin, ymax = ax.get_xlim() + ax.get_ylim()
    if window is not None:
        assert (xmin, xmax, ymin, ymax) == window
    polys = _polygons(ax)
    assert len(polys) == whole.num_regions
    for v in polys:
        if len(v):
            assert np.all((v[:, 0] >= xmin) & (v[:, 0] <= xmax))
            assert np.all((v[:, 1] >= ymin) & (v[:, 1] <= ymax))
    areas = np.array([_area(v) for v in polys])
    assert np.all(areas >= -1e-12 * (xmax - xmin) * (ymax - ymin))  # counter-clockwise
    assert areas.sum() == pytest.approx((xmax - xmin) * (ymax - ymin), rel=1e-9)


def test_each_polygon_lies_in_its_region(whole):
    ax = plot_partition(whole, window=(-3.0, 3.0, -3.0, 3.0))
    polys = _polygons(ax)
    checked = 0
    for i, v in enumerate(polys):
        if _area(v) > 1e-6:
            centroid = v.mean(axis=0)
            assert whole.locate(centroid[None, :])[0] == i
            checked += 1
    assert checked >= 5


def test_default_window_leaves_out_far_outliers_only():
    """Two nearly parallel boundaries meet 1e6 away: the default view leaves that vertex out
    (Tukey's fences, OUTLIER_IQRS interquartile ranges) but holds every other vertex and the
    centroid of every bounded region whose vertices it holds."""
    from regions import Network
    from regions.plot import OUTLIER_IQRS, window_vertices

    net = Network([[[1, 0], [0, 1], [0, 1], [1, 1e-6], [1, -1]], [[1, 1, 1, 1, 1]]],
                  [[0, 0, -1, 1, 0.5], [0]], "relu")
    part = partition(net)
    finite = part.points[~part.at_infinity]
    assert np.abs(finite).max() > 1e5
    ax = plot_partition(part)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert max(x1 - x0, y1 - y0) < 10
    kept = window_vertices(part)
    q1, q3 = np.percentile(finite, [25, 75], axis=0)
    inside = np.all(np.abs(finite - (q1 + q3) / 2) <= (q3 - q1) / 2 + OUTLIER_IQRS * (q3 - q1),
                    axis=1)
    assert kept.shape[0] == int(inside.sum()) == finite.shape[0] - 1
    assert np.all((kept[:, 0] >= x0) & (kept[:, 0] <= x1) & (kept[:, 1] >= y0) & (kept[:, 1] <= y1))
    checked = 0
    for r in part:  # bounded regions whose vertices the view holds: their centroids too
        if r.bounded and all(any(np.array_equal(v, k) for k in kept) for v in r.vertices):
            c = np.asarray(r.vertices, dtype=float).mean(axis=0)
            assert x0 <= c[0] <= x1 and y0 <= c[1] <= y1
            checked += 1
    assert checked >= 1


def test_default_window_is_the_enlarged_box_of_the_kept_vertices(whole):
    from regions.plot import window_vertices

    ax = plot_partition(whole)
    finite = window_vertices(whole)
    assert 0 < finite.shape[0] <= int((~whole.at_infinity).sum())
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    centre, size = (lo + hi) / 2, 1.25 * (hi - lo)
    assert ax.get_xlim() == pytest.approx((centre[0] - size[0] / 2, centre[0] + size[0] / 2))
    assert ax.get_ylim() == pytest.approx((centre[1] - size[1] / 2, centre[1] + size[1] / 2))
    assert ax.get_aspect() == 1.0


def test_bounded_domain_areas_sum_to_the_domain(boxed):
    assert boxed.num_regions >= 8
    ax = plot_partition(boxed)
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_ylim() == (-1.0, 1.0)
    polys = _polygons(ax)
    assert len(polys) == boxed.num_regions
    areas = np.array([_area(v) for v in polys])
    assert areas.sum() == pytest.approx(4.0, rel=1e-9)
    assert areas == pytest.approx(boxed.areas, rel=1e-9, abs=1e-12)
    # the domain's boundary is drawn, outside the legend
    border = [c for c in ax.collections if c.get_label() == "_domain"]
    assert len(border) == 1 and len(border[0].get_segments()) == int((boxed.edge_kinds == 1).sum())


def test_half_plane_and_strip_exact_areas():
    # one line x = 1: two half-planes, each with one finite vertex
    half = partition(Network([[[1, 0]], [[1]]], [[-1], [0]], ["relu", "linear"]))
    ax = plot_partition(half, window=(-2, 2, -2, 2))
    assert sorted(_area(v) for v in _polygons(ax)) == pytest.approx([4.0, 12.0], rel=1e-12)
    # two parallel lines x = 0 and x = 1: a strip between two half-planes
    strip = partition(Network([[[1, 0], [1, 0]], [[1, 1]]], [[0, -1], [0]], ["relu", "linear"]))
    ax = plot_partition(strip, window=(-2, 2, -2, 2))
    assert sorted(_area(v) for v in _polygons(ax)) == pytest.approx([4.0, 4.0, 8.0], rel=1e-12)


def test_edge_collections_per_layer(whole):
    for window in [(-3.0, 3.0, -2.0, 2.5), (-400.0, 50.0, -300.0, 100.0)]:
        ax = plot_partition(whole, window=window)
        drawn = _layer_segments(ax)
        expected = _expected_layer_counts(whole, window)
        assert drawn == expected
        assert sum(drawn.values()) > 0
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == sorted(expected)
        for c in ax.collections:  # every drawn segment lies in the window
            if isinstance(c, LineCollection):
                for s in c.get_segments():
                    assert np.all((s[:, 0] >= window[0]) & (s[:, 0] <= window[1]))
                    assert np.all((s[:, 1] >= window[2]) & (s[:, 1] <= window[3]))


def test_layer_colors_are_used(whole):
    colors = ["red", "green", "blue", "black"]
    ax = plot_partition(whole, window=(-3, 3, -3, 3), layer_colors=colors)
    for c in ax.collections:
        if c.get_label().startswith("layer "):
            d = int(c.get_label().split()[1]) - 1
            assert np.allclose(c.get_colors()[0], matplotlib.colors.to_rgba(colors[d]))


def test_region_colours_deterministic_and_neighbours_differ(whole):
    window = (-3, 3, -3, 3)
    a = _regions_art(plot_partition(whole, window=window, seed=1)).get_facecolors()
    b = _regions_art(plot_partition(whole, window=window, seed=1)).get_facecolors()
    c = _regions_art(plot_partition(whole, window=window, seed=2)).get_facecolors()
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    er = whole.edge_regions[(whole.edge_regions >= 0).all(axis=1)]
    same = np.all(a[er[:, 0]] == a[er[:, 1]], axis=1)
    assert not same.any()


def test_without_region_colours_and_on_given_axes(whole):
    fig, ax = plt.subplots()
    out = plot_partition(whole, ax, color_regions=False, window=(-3, 3, -3, 3))
    assert out is ax
    assert not any(isinstance(c, PolyCollection) for c in ax.collections)
    assert _layer_segments(ax)


def test_exact_and_plane_slice_partitions():
    net = random_network([3, 5, 5, 1], "relu", sigma_b=1.0, seed=4)
    plane = Plane.through([0.0, 0.0, 0.0], [1.0, 0.0, 0.5], [0.0, 1.0, -0.5],
                          polygon=[[-2, -2], [2, -2], [2, 2], [-2, 2]])
    part = partition(net, plane)
    ax = plot_partition(part)
    assert sum(_area(v) for v in _polygons(ax)) == pytest.approx(16.0, rel=1e-9)
    assert "plane" in ax.get_xlabel()
    exact_net = Network([[[Fraction(1), Fraction(2)], [Fraction(-1), Fraction(1)]],
                         [[Fraction(1), Fraction(1)]]],
                        [[Fraction(0), Fraction(1, 3)], [Fraction(0)]], "relu")
    exact = partition(exact_net)
    assert exact.exact
    ax = plot_partition(exact, window=(-1, 1, -1, 1))
    assert sum(_area(v) for v in _polygons(ax)) == pytest.approx(4.0, rel=1e-12)


def test_save_png(whole, tmp_path):
    ax = plot_partition(whole)
    path = tmp_path / "partition.png"
    ax.figure.savefig(path, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- plot_trace --------------------------------------------------------------------------------


def _line(ax, label):
    found = [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    "traj",
    [
        Segment([-3.0, -2.0], [3.0, 2.5]),
        Polyline([[-2.0, -2.0], [2.0, -1.0], [0.0, 2.0]]),
        Arc.circle([2.0, 0.0], [0.0, 2.0]),
        Line([0.0, 0.5], [1.0, 0.3]),
    ],
    ids=["segment", "polyline", "circle", "line"],
)
def test_plot_trace(net, whole, traj, tmp_path):
    tr = trace(net, traj)
    fig = plot_trace(tr, whole)
    left, right = fig.axes[:2]
    path = _line(left, "trajectory")
    assert len(path.get_xdata()) >= 2
    knots = _line(left, "knots")
    assert len(knots.get_xdata()) == tr.num_knots == len(tr.knots)
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert "trajectory" in legend and "knots" in legend and "layer 1" in legend
    # the knots are on the trajectory, where the drawn partition changes region
    xy = np.column_stack([knots.get_xdata(), knots.get_ydata()])
    assert np.allclose(xy, np.asarray(traj(tr.knots), dtype=float).reshape(-1, 2))
    positive = tr.lengths[np.isfinite(tr.lengths) & (tr.lengths > 0)]
    spans = positive.size and positive.max() > 10 * positive.min()
    assert right.get_yscale() == ("log" if spans else "linear")
    assert right.get_xlabel() == "layer" and right.get_ylabel() == "trajectory length"
    ys = _line_data(right)
    assert len(ys) == len(tr.lengths)
    finite = np.isfinite(tr.lengths)
    assert np.allclose(ys[finite], tr.lengths[finite])
    fig.savefig(tmp_path / "trace.png", dpi=40)


def _line_data(ax):
    (line,) = ax.get_lines()
    return np.asarray(line.get_ydata(), dtype=float)


def test_plot_trace_without_partition_and_on_given_axes(net):
    tr = trace(net, Segment([-1.0, 0.0], [1.0, 0.5]))
    fig, axes = plt.subplots(1, 2)
    out = plot_trace(tr, axes=axes)
    assert tuple(out) == tuple(axes)
    assert len(_line(axes[0], "knots").get_xdata()) == tr.num_knots
    assert not axes[0].collections


def test_plot_trace_on_a_plane_slice():
    net = random_network([3, 6, 6, 1], "relu", sigma_b=1.0, seed=2)
    o, d0, d1 = np.zeros(3), np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, -1.0])
    plane = Plane(o, [d0, d1])
    part = partition(net, plane)
    inside = trace(net, Segment(o - d0 - d1, o + 2 * d0 + 0.5 * d1))
    fig = plot_trace(inside, part)
    xy = _line(fig.axes[0], "trajectory").get_xydata()
    assert np.allclose(xy, [[-1.0, -1.0], [2.0, 0.5]])
    off = trace(net, Segment([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="plane"):
        plot_trace(off, part)


# -- errors ------------------------------------------------------------------------------------


def test_errors(net, whole):
    with pytest.raises(TypeError, match="part"):
        plot_partition(net)
    with pytest.raises(ValueError, match="window"):
        plot_partition(whole, window=(1, 0, 0, 1))
    with pytest.raises(ValueError, match="window"):
        plot_partition(whole, window=(0, 1, 0))
    with pytest.raises(ValueError, match="window"):
        plot_partition(whole, window=(0, 1, 0, float("nan")))
    with pytest.raises(TypeError, match="window"):
        plot_partition(whole, window="0101")
    with pytest.raises(TypeError, match="window"):
        plot_partition(whole, window=(0, 1, "a", 2))
    with pytest.raises(TypeError, match="ax"):
        plot_partition(whole, "axes")
    with pytest.raises(ValueError, match="layer_colors"):
        plot_partition(whole, layer_colors=["red"])
    with pytest.raises(ValueError, match="cmap"):
        plot_partition(whole, cmap="no such map")
    with pytest.raises(TypeError, match="seed"):
        plot_partition(whole, seed=1.5)
    tr = trace(net, Segment([0.0, 0.0], [1.0, 1.0]))
    with pytest.raises(TypeError, match="tr"):
        plot_trace(whole)
    with pytest.raises(TypeError, match="part"):
        plot_trace(tr, "part")
    with pytest.raises(TypeError, match="axes"):
        plot_trace(tr, whole, axes=[1])
    with pytest.raises(ValueError, match="window"):
        plot_trace(tr, whole, window=(0, 0, 0, 1))
    net3 = random_network([3, 4, 1], "relu", seed=0)
    tr3 = trace(net3, Segment([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="inputs"):
        plot_trace(tr3, whole)
    with pytest.raises(ValueError, match="tr"):
        plot_trace(tr3)


def test_missing_matplotlib_message(whole, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'regions\[plot\]'") as info:
        plot_partition(whole)
    assert isinstance(info.value.__cause__, ImportError)


def test_importing_regions_does_not_import_matplotlib():
    code = "import regions, regions.plot, sys; assert 'matplotlib' not in sys.modules"
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
    assert regions.partition  # the package imported here too
