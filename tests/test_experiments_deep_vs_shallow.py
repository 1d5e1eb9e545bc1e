"""The deep-versus-shallow experiment at its quick size: its numbers checked against the bounds
recomputed here."""

import pytest

import bounds


@pytest.fixture(scope="module")
def result():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from regions.experiments import deep_vs_shallow

    res = deep_vs_shallow.run(quick=True, seed=0)
    yield res
    for fig in res.figures.values():
        plt.close(fig)


def _panels(result):
    panels = result.data["panels"]
    assert {p["n0"] for p in panels} == {1, 2, 3}
    return panels


def test_result_shape(result):
    assert list(result.figures) == ["deep_vs_shallow.png"]
    assert "| n | k | units |" in result.markdown
    assert len(result.claims) >= 4
    n_seeds = result.data["seeds"]
    for p in _panels(result):
        assert p["depths"] == list(range(1, len(p["depths"]) + 1))
        assert len(p["depths"]) >= 3
        assert all(len(r) == n_seeds for r in p["random"] + p["random_shallow"])
        assert all(isinstance(c, int) for r in p["random"] for c in r)


def test_deep_beats_shallow_at_equal_units_at_largest_depth(result):
    for p in _panels(result):
        n0, n, k = p["n0"], p["n"], p["depths"][-1]
        shallow = int(bounds.shallow_max_regions(k * n, n0))
        assert p["shallow_units"][-1] == shallow
        assert p["folding"][-1] > shallow
        # depth 1 is the shallow network itself: a tie
        assert p["folding"][0] == int(bounds.shallow_max_regions(n, n0))


def test_folding_counts_equal_montufar_bound(result):
    for p in _panels(result):
        for k, count in zip(p["depths"], p["folding"]):
            assert count == int(bounds.montufar_lower_bound([p["n"]] * k, p["n0"]))


def test_every_count_at_most_serra_upper_bound(result):
    for p in _panels(result):
        n0, n = p["n0"], p["n"]
        for i, k in enumerate(p["depths"]):
            serra = int(bounds.serra_upper_bound([n] * k, n0))
            counts = [p["folding"][i], *p["random"][i]]
            if p["serra_net"][i] is not None:
                counts.append(p["serra_net"][i])
            assert max(counts) <= serra
            assert max(p["random_shallow"][i]) <= int(bounds.serra_upper_bound([k * n], n0))
            if n0 == 1:
                assert max(p["random"][i]) <= (n + 1) ** k
                assert p["serra_net"][i] == (n + 1) ** k == serra


def test_random_networks_below_the_construction_at_depth(result):
    for p in _panels(result):
        assert max(p["random"][-1]) < p["folding"][-1]


def test_three_input_counts_are_exact(result):
    """n0 = 3 is counted exactly (the n-dimensional partition), not sampled: the folding
    network in its box up to EXACT_LIMIT_ND regions, and the random networks recounted in
    rational arithmetic at the quick size."""
    from regions.experiments.deep_vs_shallow import EXACT_LIMIT_ND

    (p,) = [p for p in _panels(result) if p["n0"] == 3]
    assert [e for e, c in zip(p["folding_exact"], p["folding"]) if c <= EXACT_LIMIT_ND] == \
        [True] * sum(c <= EXACT_LIMIT_ND for c in p["folding"]) and any(p["folding_exact"])
    from regions.experiments.deep_vs_shallow import RANDOM_EXACT_LIMIT

    for key in ("random", "random_shallow"):
        for counts, flags in zip(p[key], p[key + "_exact"]):
            assert all(f for c, f in zip(counts, flags) if c <= RANDOM_EXACT_LIMIT)
    # one hidden layer of n units in general position: Zaslavsky's sum_{j <= 3} C(n, j)
    assert all(c == int(bounds.shallow_max_regions(p["n"], 3)) for c in p["random"][0])


def test_claims_hold_at_quick_size(result):
    failing = [c.text for c in result.claims if not c.holds]
    assert not failing
