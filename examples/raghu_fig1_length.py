"""Raghu et al. Fig. 1: the exact length of a circular arc's image after every layer of random
hard-tanh networks (several widths and sigma_w^2 up to 256), against the theorem's growth base,
and measured / base against (2/pi)^(1/4) as sigma_w grows. Part of
``python -m regions.reproduce``.

    python examples/raghu_fig1_length.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import length_growth
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(length_growth.run, sys.argv[1:], length_growth.TITLE)
