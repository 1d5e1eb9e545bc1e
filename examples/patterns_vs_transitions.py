"""Transitions and activation patterns along straight segments and closed circles: one to one
on a segment (Raghu et al.'s correspondence), not on a closed curve. Part of
``python -m regions.reproduce``.

    python examples/patterns_vs_transitions.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import patterns_vs_transitions
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(patterns_vs_transitions.run, sys.argv[1:], patterns_vs_transitions.TITLE)
