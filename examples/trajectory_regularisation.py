"""Raghu et al. (ICML 2017): trajectory regularisation (loss + lambda x current length / initial
length at one layer) against batch normalisation and against neither, on a hard-tanh network
that plain training struggles with. Part of
``python -m regions.reproduce --trained``.

    python examples/trajectory_regularisation.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import trained_regularisation
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(trained_regularisation.run, sys.argv[1:], trained_regularisation.TITLE)
