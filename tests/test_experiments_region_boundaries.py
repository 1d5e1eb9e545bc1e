"""Raghu et al.'s Fig. 3: claims recomputed from the data, counts against float partitions."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from bounds import serra_upper_bound  # noqa: E402
from regions import partition  # noqa: E402
from regions.experiments import region_boundaries as exp  # noqa: E402

from .experiment_fixtures import quick_fixture  # noqa: E402

result = quick_fixture(exp)


def test_claims_recomputed_from_the_data(result):
    rows = result.data["rows"]
    bent, below = result.claims
    assert result.data["serra"] == serra_upper_bound([4, 4, 4], 2)
    assert bent.holds == all(r[5] + r[6] > 0 for r in rows)
    assert below.holds == (max(r[1] for r in rows) <= result.data["serra"])


def test_counts_against_float_partitions(result):
    """The exact counts equal float mode's on these generic networks (an independent
    arithmetic), and every edge belongs to one of the three layers."""
    for s, row in zip(result.data["seeds"], result.data["rows"]):
        part = partition(exp._network(s), exact=False)
        assert (part.num_regions, part.num_linear_regions) == (row[1], row[2])
        assert sum(row[4:]) == int(np.sum(part.edge_layers >= 0))
