"""Exact trace against sampling: how many pieces and neuron transitions 10^3, 10^4 and 10^5
equally spaced samples of the arc miss on the random hard-tanh networks of Raghu et al.'s
Fig. 1. Part of ``python -m regions.reproduce``.

    python examples/exact_vs_sampled.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import exact_vs_sampled
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(exact_vs_sampled.run, sys.argv[1:], exact_vs_sampled.TITLE)
