"""Exact region counts of R^n0 when the input is at least as wide as the network (shallow
beats deep) and with narrow early layers (bottlenecks), against Serra et al.'s bound. Part of
``python -m regions.reproduce``.

    python examples/shallow_vs_deep_inputs.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import shallow_vs_deep_inputs, standalone

if __name__ == "__main__":
    standalone(shallow_vs_deep_inputs.run, sys.argv[1:], shallow_vs_deep_inputs.TITLE)
