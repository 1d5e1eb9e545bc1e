"""Deep versus shallow (Pascanu et al. 2013, Montufar et al. 2014, Serra et al. 2018): exact
region counts of constructed and random ReLU networks with one and two inputs against every
region-count bound, at equal units and equal parameters (log scale). Part of
``python -m regions.reproduce``. (``examples/deep_vs_shallow.py`` prints the bounds table.)

    python examples/deep_vs_shallow_regions.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import deep_vs_shallow
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(deep_vs_shallow.run, sys.argv[1:], deep_vs_shallow.TITLE)
