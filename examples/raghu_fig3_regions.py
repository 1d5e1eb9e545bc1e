"""Raghu et al. Fig. 3: region boundaries of random 3-layer, 4-unit ReLU networks on a 2-D
input, coloured by layer (exact partition of the whole plane). Part of
``python -m regions.reproduce``.

    python examples/raghu_fig3_regions.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import region_boundaries
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(region_boundaries.run, sys.argv[1:], region_boundaries.TITLE)
