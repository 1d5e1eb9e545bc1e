"""Hanin and Rolnick's regions per area and distance to the boundary: claims recomputed from
the data, the counts and distances against independent computations."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from regions import random_network  # noqa: E402
from regions.experiments import regions_per_area as exp  # noqa: E402
from regions.experiments._common import fit_line  # noqa: E402

from .experiment_fixtures import quick_run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    with quick_run(exp) as res:
        yield res


def test_claims_recomputed_from_the_data(result):
    data = result.data
    quad, flat, inv = result.claims
    slopes_a, slopes_d, ratios = [], [], []
    for L in data["depths"]:
        rs = [r for r in data["records"] if r["depth"] == L]
        Ns = sorted({r["N"] for r in rs})
        if len(Ns) < 3:
            continue
        gm = {N: [np.exp(np.mean([np.log(r[k]) for r in rs if r["N"] == N]))
                  for k in ("per_area", "distance")] for N in Ns}
        slopes_a.append(fit_line(np.log(Ns), np.log([gm[N][0] for N in Ns]))[1])
        slopes_d.append(fit_line(np.log(Ns), np.log([gm[N][1] for N in Ns]))[1])
    assert quad.holds == all(1.6 <= a <= 2.4 for a in slopes_a)
    assert inv.holds == all(-1.3 <= b <= -0.7 for b in slopes_d)
    for N in data["Ns"]:
        by_depth = {r["depth"]: [] for r in data["records"] if r["N"] == N}
        for r in data["records"]:
            if r["N"] == N:
                by_depth[r["depth"]].append(np.log(r["per_area"]))
        if max(by_depth) > 1:
            ratios.append(np.exp(np.mean(by_depth[max(by_depth)]) - np.mean(by_depth[1])))
    assert flat.holds == all(q <= 1.5 for q in ratios)


def test_one_layer_counts_and_distances_against_the_arrangement():
    """With one hidden layer the boundaries are whole lines w_j . x + b_j = 0: a point's
    distance to the nearest one is min_j |w_j . x + b_j| / |w_j|, and the square's regions
    number 1 + (lines crossing it) + (their crossings inside it), lines in general position."""
    from regions import partition
    from regions.constructions import box_polygon

    net = random_network([2, 12, 1], "relu", sigma_w=np.sqrt(2.0), sigma_b=0.1, seed=3)
    w, b = net.weights[0], net.biases[0]
    pts = np.random.default_rng(0).uniform(-1, 1, size=(100, 2))
    outer = partition(net, box_polygon([-2, -2], [2, 2]), exact=False)
    want = np.min(np.abs(pts @ w.T + b) / np.linalg.norm(w, axis=1), axis=1)
    ok = want < 1.0  # (the nearest point of the line lies inside the outer square)
    np.testing.assert_allclose(exp.boundary_distances(outer, pts)[ok], want[ok], rtol=1e-9)
    # regions of the inner square: each line crossing it adds 1 + (its crossings with
    # earlier lines inside the square) regions (lines in general position)
    count, lines = 1, []
    for j in range(w.shape[0]):
        a, c = w[j], b[j]
        corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]]) @ a + c
        if corners.min() < 0 < corners.max():
            count += 1
            for a2, c2 in lines:
                x = np.linalg.solve(np.array([a, a2]), -np.array([c, c2]))
                count += bool(np.all(np.abs(x) < 1))
            lines.append((a, c))
    assert partition(net, box_polygon([-1, -1], [1, 1]), exact=True).num_regions == count


def test_report_and_figure(result):
    assert "| N | depth | width |" in result.markdown
    (fig,) = result.figures.values()
    assert [ax.get_xlabel() for ax in fig.axes] == ["neurons N"] * 2
