"""Raghu et al. Fig. 5: each layer of hard-tanh networks of several depths swept in turn
(k = 128); the exact number of dichotomies depends on the remaining depth, not the total depth
(Kruskal-Wallis across total depths). Part of ``python -m regions.reproduce``.

    python examples/raghu_fig5_dichotomies_layers.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import dichotomies_layers
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(dichotomies_layers.run, sys.argv[1:], dichotomies_layers.TITLE)
