"""Raghu et al. Figs. 8-9: the exact trajectory length of arcs between test inputs at every
layer during training (regions.trace of regions.training.to_network), for sigma_w^2 = 16
(training shrinks it) and sigma_w^2 = 3 (training grows it). Part of
``python -m regions.reproduce --trained``.

    python examples/raghu_fig89_trained_length.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import trained_length
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(trained_length.run, sys.argv[1:], trained_length.TITLE)
