"""Raghu et al. Figs. 4-5: dichotomies of 15 fixed inputs reached by sweeping one layer's
weights along a great circle, counted exactly, against remaining depth and width (hard-tanh,
sigma_w^2 = 8). Part of ``python -m regions.reproduce``.

    python examples/raghu_fig45_dichotomies.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import dichotomies
from regions.experiments._common import standalone

if __name__ == "__main__":
    standalone(dichotomies.run, sys.argv[1:], dichotomies.TITLE)
