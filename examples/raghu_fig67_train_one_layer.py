"""Raghu et al. Figs. 6-7: train one hidden layer of a hard-tanh network on the digits data, the
others frozen at their random initialisation; training a lower layer gives the better accuracy
(NumPy training, no download). Part of
``python -m regions.reproduce --trained``.

    python examples/raghu_fig67_train_one_layer.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import trained_one_layer
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(trained_one_layer.run, sys.argv[1:], trained_one_layer.TITLE)
