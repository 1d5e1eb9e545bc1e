"""The papers' random-network experiments, measured exactly (run them all with
``python -m regions.reproduce``; each is also an ``examples/`` script).

Each module has ``NAME``, ``TITLE`` and ``run(quick=False, seed=0, progress=None) ->``
:class:`Result`; :data:`EXPERIMENTS` lists them in report order. They need the ``plot`` extra
(matplotlib).
"""

from ._common import Claim, Progress, Result

__all__ = ["Claim", "EXPERIMENTS", "Progress", "Result"]

EXPERIMENTS = (
    "length_growth",          # Raghu Fig. 1
    "transitions_vs_length",  # Raghu Fig. 2
    "relu_he",                # ReLU at He initialisation; Hanin and Rolnick 2019
    "region_boundaries",      # Raghu Fig. 3
    "dichotomies",            # Raghu Figs. 4-5
    "deep_vs_shallow",        # Pascanu 2013, Montufar 2014, Serra 2018
    "exact_vs_sampled",       # sampling against the exact trace
)
"""Module names under :mod:`regions.experiments`, in report order."""
