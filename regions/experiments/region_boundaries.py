"""Raghu et al. Fig. 3: the region boundaries of a 3-layer, 4-units-per-layer ReLU network on
a 2-D input, each layer's boundaries in their own colour, computed exactly with
:func:`regions.partition` over the whole plane.

Run alone: ``python examples/raghu_fig3_regions.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from ..network import random_network
from ..constructions import box_polygon
from ..partition import Partition, partition
from ._common import Claim, Progress, Result, markdown_table, run_steps, seeds

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures"]

NAME = "region_boundaries"
TITLE = "Region boundaries on a 2-D input (Raghu et al. Fig. 3)"


WINDOW = 2.5
"""The figure's window and the counted box: [-WINDOW, WINDOW]^2."""


def _network(s: int):
    return random_network([2, 4, 4, 4, 1], "relu", sigma_w=math.sqrt(2.0), sigma_b=1.0, seed=s)


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Per network: regions of the plane, linear regions, regions meeting the window, and
    the edges each layer makes (exact partitions)."""
    import bounds

    n_nets = 2 if quick else 4
    progress = progress or Progress(enabled=False)
    progress.add(n_nets)
    rows: list[list[int]] = []
    net_seeds = seeds(seed, n_nets)
    for s in net_seeds:
        net = _network(s)
        part = partition(net, exact=True)  # float weights, taken at their exact values
        assert isinstance(part, Partition)  # two inputs: a planar partition
        box = partition(net, box_polygon((-WINDOW, -WINDOW), (WINDOW, WINDOW)), exact=True)
        per_layer = [int(np.sum(part.edge_layers == d)) for d in range(3)]
        rows.append([len(rows), part.num_regions, part.num_linear_regions, box.num_regions,
                     *per_layer])
        progress.step(note=f"{part.num_regions} regions")
    return {"rows": rows, "serra": int(bounds.serra_upper_bound([4, 4, 4], 2)),
            "seeds": net_seeds, "seed": seed}


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Bent boundaries from the later layers; counts below Serra et al.'s bound."""
    rows, serra = data["rows"], data["serra"]
    counts = [r[1] for r in rows]
    bent = all(r[5] + r[6] > 0 for r in rows)
    return (
        Claim("later layers add boundaries (bent hyperplanes) beyond the first layer's lines",
              bent, "edges of layers 2-3 per network: " + ", ".join(str(r[5] + r[6])
                                                                      for r in rows)),
        Claim("region counts stay below Serra et al.'s upper bound", max(counts) <= serra,
              f"max {max(counts)} <= {serra}"),
    )


def report(data: dict[str, Any]) -> str:
    """The section's body: setup and the table of counts."""
    rows = data["rows"]
    counts = [r[1] for r in rows]
    table = markdown_table(
        ["network", "regions (plane)", "linear regions", f"regions meeting [-{WINDOW}, "
         f"{WINDOW}]²", "edges of layer 1", "layer 2", "layer 3"], rows)
    return f"""
{len(rows)} random ReLU networks with two inputs and three hidden layers of 4 units (σ_w² = 2,
σ_b² = 1, seeds from {data['seed']}), partitioned exactly over the whole plane; the picture
shows the window [-{WINDOW}, {WINDOW}]², each boundary coloured by the layer whose neuron
creates it. As in the paper, first-layer boundaries are straight lines across the plane, and
each later layer's boundaries bend where they meet an earlier layer's.

{table}

Serra et al.'s upper bound for this architecture is {data['serra']}; the random networks reach
{min(counts)} to {max(counts)} regions.
"""


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """Each network's partition in the window, boundaries coloured by layer (the partitions
    are recomputed from the seeds: a fraction of a second)."""
    import matplotlib.pyplot as plt

    from ..plot import plot_partition

    rows = data["rows"]
    fig, axes = plt.subplots(1, len(rows), figsize=(4.2 * len(rows), 4.4))
    for ax, s, row in zip(np.atleast_1d(axes), data["seeds"], rows):
        part = partition(_network(s), exact=True)
        assert isinstance(part, Partition)  # two inputs: a planar partition
        plot_partition(part, ax, window=(-WINDOW, WINDOW, -WINDOW, WINDOW))
        ax.set_title(f"network {row[0]}: {row[1]} regions")
    fig.suptitle("ReLU [2, 4, 4, 4, 1], He initialisation, σ_b = 1: boundaries by layer")
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
