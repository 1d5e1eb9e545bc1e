"""Raghu et al. Fig. 4: dichotomies of 15 fixed inputs reached by sweeping the first layer's
weights along a great circle, counted exactly, against depth and width, and their saturation
towards 2^s (hard-tanh, sigma_w^2 = 8). Part of ``python -m regions.reproduce``.

    python examples/raghu_fig4_dichotomies.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import dichotomies
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(dichotomies.run, sys.argv[1:], dichotomies.TITLE)
