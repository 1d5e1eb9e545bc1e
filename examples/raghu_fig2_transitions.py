"""Raghu et al. Fig. 2: exact neuron transitions along an arc against the exact length of its
image, across depths, widths and sigma_w^2 of random hard-tanh networks, and transitions
against depth. Part of ``python -m regions.reproduce``.

    python examples/raghu_fig2_transitions.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import transitions_vs_length
from regions.experiments._common import standalone

if __name__ == "__main__":
    standalone(transitions_vs_length.run, sys.argv[1:], transitions_vs_length.TITLE)
