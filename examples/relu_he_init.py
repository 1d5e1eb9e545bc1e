"""ReLU at He initialisation: exact trajectory length and transitions against depth (Hanin,
Jeong, Rolnick 2022: no growth at He init, growth at large sigma_w), and exact regions per
unit length along segments against the number of neurons (Hanin and Rolnick 2019). Part of
``python -m regions.reproduce``.

    python examples/relu_he_init.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import relu_he
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(relu_he.run, sys.argv[1:], relu_he.TITLE)
