"""Raghu et al.'s Figure 3: the linear regions of a small ReLU network on a 2-D input, each
layer's boundaries in their own colour, computed exactly with :func:`regions.partition`.

The network has 3 hidden layers of 4 ReLU units (He initialisation, sigma_b = 1, fixed
seed). The script prints the exact counts (whole plane and in the window), draws the
partition in the window, and beside it a circle traced over the partition with its image
length at every layer (:func:`regions.plot.plot_trace`).

    python examples/partition_figure.py                     # docs/partition.png
    python examples/partition_figure.py --out my.png --seed 3 --width 6
    python examples/partition_figure.py --quick             # a smaller network (smoke test)

Needs the ``plot`` extra (matplotlib): ``pip install -e ".[plot]"``.

Reference: M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
Expressive Power of Deep Neural Networks", ICML 2017, Figure 3.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import bounds
from regions import Arc, partition, random_network, trace


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=4, help="units per hidden layer (4)")
    parser.add_argument("--depth", type=int, default=3, help="hidden layers (3)")
    parser.add_argument("--seed", type=int, default=2, help="network seed (2)")
    parser.add_argument("--window", type=float, default=2.5,
                        help="half-width of the square window drawn (2.5)")
    parser.add_argument("--out", default="docs/partition.png", help="PNG to write")
    parser.add_argument("--quick", action="store_true", help="a smaller network")
    args = parser.parse_args(argv)
    width, depth = (3, 2) if args.quick else (args.width, args.depth)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from regions.plot import plot_partition, plot_trace

    widths = [2] + [width] * depth + [1]
    net = random_network(widths, "relu", sigma_w=math.sqrt(2.0), sigma_b=1.0, seed=args.seed)
    s = args.window
    window = (-s, s, -s, s)
    start = time.perf_counter()
    whole = partition(net)
    seconds = time.perf_counter() - start
    box = partition(net, [[-s, -s], [s, -s], [s, s], [-s, s]])
    circle = trace(net, Arc.circle([s / 2, 0.0], [0.0, s / 2]))
    serra = int(bounds.serra_upper_bound(widths[1:-1], 2))
    print(f"network {widths} ReLU, sigma_w^2 = 2, sigma_b^2 = 1, seed {args.seed}")
    print(f"regions in the whole plane: {whole.num_regions} ({whole.num_linear_regions} "
          f"linear), exact count in {seconds * 1e3:.1f} ms; Serra et al.'s upper bound {serra}")
    print(f"regions meeting the window [-{s:g}, {s:g}]^2: {box.num_regions}")
    print(f"circle of radius {s / 2:g}: {circle.num_pieces} pieces, image length per layer "
          + ", ".join(f"{v:.3g}" for v in circle.lengths))

    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    plot_partition(whole, axes[0], window=window)
    axes[0].set_title(f"{whole.num_regions} regions ({box.num_regions} in view)")
    plot_trace(circle, whole, axes=(axes[1], axes[2]), window=window)
    axes[1].set_title(f"a circle: {circle.num_pieces} pieces")
    fig.suptitle(f"ReLU network {widths}: boundaries coloured by layer (Raghu et al. Fig. 3)")
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"wrote {out}")
    return {"regions": whole.num_regions, "in_window": box.num_regions, "serra": serra,
            "pieces": circle.num_pieces, "out": str(out)}


if __name__ == "__main__":
    main()
