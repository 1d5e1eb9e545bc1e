"""Telgarsky's separation measured exactly: the L1 distance between the sawtooth with 2^L
pieces and fitted shallow networks of growing width. Part of ``python -m regions.reproduce``.

    python examples/telgarsky_separation.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import standalone, telgarsky_separation

if __name__ == "__main__":
    standalone(telgarsky_separation.run, sys.argv[1:], telgarsky_separation.TITLE)
