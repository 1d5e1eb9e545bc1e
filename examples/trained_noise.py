"""Raghu et al. (ICML 2017): add Gaussian noise, relative to each layer's weight scale, to one
layer of a trained hard-tanh network; noise in a lower layer hurts the accuracy more. Part of
``python -m regions.reproduce --trained``.

    python examples/trained_noise.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import trained_noise
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(trained_noise.run, sys.argv[1:], trained_noise.TITLE)
