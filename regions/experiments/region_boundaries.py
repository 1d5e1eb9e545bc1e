"""Raghu et al. Fig. 3: the region boundaries of a 3-layer, 4-units-per-layer ReLU network on
a 2-D input, each layer's boundaries in their own colour, computed exactly with
:func:`regions.partition` over the whole plane.

Run alone: ``python examples/raghu_fig3_regions.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..network import random_network
from ..constructions import box_polygon
from ..partition import Partition, partition
from ._common import Claim, Progress, Result, markdown_table, seeds

__all__ = ["NAME", "TITLE", "run"]

NAME = "region_boundaries"
TITLE = "Region boundaries on a 2-D input (Raghu et al. Fig. 3)"


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    import bounds

    from ..plot import plot_partition

    start = time.perf_counter()
    n_nets = 2 if quick else 4
    progress = progress or Progress(enabled=False)
    progress.add(n_nets)
    window = 2.5
    rows: list[list[int]] = []
    parts: list[Partition] = []
    for s in seeds(seed, n_nets):
        net = random_network([2, 4, 4, 4, 1], "relu", sigma_w=math.sqrt(2.0), sigma_b=1.0,
                             seed=s)
        part = partition(net, exact=True)  # float weights, taken at their exact values
        assert isinstance(part, Partition)  # two inputs: a planar partition
        box = partition(net, box_polygon((-window, -window), (window, window)), exact=True)
        per_layer = [int(np.sum(part.edge_layers == d)) for d in range(3)]
        rows.append([len(rows), part.num_regions, part.num_linear_regions, box.num_regions,
                     *per_layer])
        parts.append(part)
        progress.step(note=f"{part.num_regions} regions")
    serra = int(bounds.serra_upper_bound([4, 4, 4], 2))
    fig, axes = plt.subplots(1, len(parts), figsize=(4.2 * len(parts), 4.4))
    for ax, part, row in zip(np.atleast_1d(axes), parts, rows):
        plot_partition(part, ax, window=(-window, window, -window, window))
        ax.set_title(f"network {row[0]}: {row[1]} regions")
    fig.suptitle("ReLU [2, 4, 4, 4, 1], He initialisation, sigma_b = 1: boundaries by layer")
    fig.tight_layout()
    counts = [r[1] for r in rows]
    table = markdown_table(
        ["network", "regions (plane)", "linear regions", f"regions meeting [-{window}, "
         f"{window}]^2", "edges of layer 1", "layer 2", "layer 3"], rows)
    markdown = f"""
{n_nets} random ReLU networks with two inputs and three hidden layers of 4 units (sigma_w^2 = 2,
sigma_b^2 = 1, seeds from {seed}), partitioned exactly over the whole plane; the picture shows
the window [-{window}, {window}]^2, each boundary coloured by the layer whose neuron creates
it. As in the paper, first-layer boundaries are straight lines across the plane, and each
later layer's boundaries bend where they meet an earlier layer's.

{table}

Serra et al.'s upper bound for this architecture is {serra}; the random networks reach
{min(counts)} to {max(counts)} regions.
"""
    bent = all(r[5] + r[6] > 0 for r in rows)
    claims = (
        Claim("later layers add boundaries (bent hyperplanes) beyond the first layer's lines",
              bent, "edges of layers 2-3 per network: " + ", ".join(str(r[5] + r[6])
                                                                      for r in rows)),
        Claim("region counts stay below Serra et al.'s upper bound", max(counts) <= serra,
              f"max {max(counts)} <= {serra}"),
    )
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig},
                  {"rows": rows, "serra": serra}, claims, time.perf_counter() - start)
