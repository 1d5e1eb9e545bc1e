"""Sign transitions of random hard-tanh networks at large sigma_w against depth, with the
per-layer growth fitted and compared with Raghu et al.'s Theorem 2 base sqrt(k). Part of
``python -m regions.reproduce``.

    python examples/sign_transitions_large_sigma.py [--quick] [--out reproduction] [--seed 0]
"""

import sys

from regions.experiments import sign_transitions_large_sigma
from regions.experiments import standalone

if __name__ == "__main__":
    standalone(sign_transitions_large_sigma.run, sys.argv[1:],
               sign_transitions_large_sigma.TITLE)
