"""The papers' experiments, measured exactly (run them all with ``python -m regions.reproduce``,
the trained-network ones with ``--trained``; each is also an ``examples/`` script).

Each module has ``NAME``, ``TITLE`` and ``run(quick=False, seed=0, progress=None) ->``
:class:`Result`; :data:`EXPERIMENTS` (random networks) and :data:`TRAINED` (networks trained
with :mod:`regions.training` on the bundled digits data) list them in report order. They need
the ``plot`` extra (matplotlib); the trained ones also the ``data`` extra (scikit-learn).
"""

from ._common import Claim, Progress, Result, standalone

__all__ = ["Claim", "EXPERIMENTS", "Progress", "Result", "TRAINED", "standalone"]

EXPERIMENTS = (
    "length_growth",          # Raghu Fig. 1
    "transitions_vs_length",  # Raghu Fig. 2
    "patterns_vs_transitions",  # Raghu Sec. 2.2: transitions and patterns, segments vs circles
    "sign_transitions_large_sigma",  # Raghu Theorem 2: sign transitions at large sigma_w
    "relu_he",                # ReLU at He initialisation; Hanin and Rolnick 2019
    "regions_per_area",       # Hanin and Rolnick 2019: regions per area, distance ~ 1/N
    "region_boundaries",      # Raghu Fig. 3
    "dichotomies",            # Raghu Fig. 4: the first layer swept, depth and width
    "dichotomies_layers",     # Raghu Fig. 5: each layer swept, remaining depth
    "deep_vs_shallow",        # Pascanu 2013, Montufar 2014, Serra 2018
    "shallow_vs_deep_inputs",  # Serra 2018: n0 >= N, bottlenecks (exact n-D counts)
    "telgarsky_separation",   # Telgarsky 2016: shallow width needed for the sawtooth
    "exact_vs_sampled",       # sampling against the exact trace
)
"""Module names under :mod:`regions.experiments`, in report order."""

TRAINED = (
    "trained_one_layer",       # Raghu Figs. 6-7: train one layer only
    "trained_noise",           # Raghu (ICML): noise in one layer's weights
    "trained_length",          # Raghu Figs. 8-9: trajectory length during training (exact)
    "trained_regularisation",  # Raghu (ICML): trajectory regularisation vs batch norm
)
"""Trained-network experiments (``python -m regions.reproduce --trained``), in report order."""
