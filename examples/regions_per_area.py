"""Regions per unit area and the distance to the nearest boundary against the number of
neurons, at several depths, counted exactly on 2-D inputs (Hanin and Rolnick 2019). Part of
``python -m regions.reproduce``.

    python examples/regions_per_area.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import regions_per_area, standalone

if __name__ == "__main__":
    standalone(regions_per_area.run, sys.argv[1:], regions_per_area.TITLE)
