"""Raghu et al. Fig. 2 (Observation 1): the exact sign transitions of a random linear readout
along an arc against the exact length of the last hidden layer's image, across depths, widths
and sigma_w^2 of random hard-tanh networks (and, as a second table, all neuron transitions).
Part of ``python -m regions.reproduce``.

    python examples/raghu_fig2_transitions.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import transitions_vs_length
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(transitions_vs_length.run, sys.argv[1:], transitions_vs_length.TITLE)
