"""Reference numbers the tests pin, with their sources: a committed copy of the "Numbers to
pin" of the project's reference sheet (REFERENCE.md, kept outside the repository), each
re-derived by hand from the formula named beside it.

Bounds (exact integers) are keyed by ``(function, widths, n0)``; construction counts by
``(construction, widths, n0)``.
"""

ZASLAVSKY = {(4, 2): 11, (2, 2): 4}
"""Zaslavsky's regions of m lines in general position in R^d: 1 + 4 + 6 and 1 + 2 + 1."""

BOUNDS = {
    # n0 = 1, widths (4, 4, 4): 4 * 4 * 5 twice; (4 + 1)^3; 2^12.
    ("pascanu_lower_bound", (4, 4, 4), 1): 80,
    ("montufar_lower_bound", (4, 4, 4), 1): 80,
    ("serra_upper_bound", (4, 4, 4), 1): 125,
    ("serra_one_input_maximum", (4, 4, 4), 1): 125,
    ("montufar_trivial_upper_bound", (4, 4, 4), 1): 4096,
    # n0 = 1, widths (10, 10, 10): 10 * 10 * 11; 11^3.
    ("montufar_lower_bound", (10, 10, 10), 1): 1100,
    ("serra_upper_bound", (10, 10, 10), 1): 1331,
    # n0 = 2, widths (4, 4, 4): 2 * 2 * 11; 2^2 * 2^2 * 11; 11^3 (every j_l <= 2 allowed).
    ("pascanu_lower_bound", (4, 4, 4), 2): 44,
    ("montufar_lower_bound", (4, 4, 4), 2): 176,
    ("serra_upper_bound", (4, 4, 4), 2): 1331,
    ("montufar2017_upper_bound", (4, 4, 4), 2): 1331,
    # n0 = 2, widths (6, 6, 6): 3 * 3 * 22; 3^2 * 3^2 * 22; 4^2 * 4^2 * 22; 22^3.
    ("pascanu_lower_bound", (6, 6, 6), 2): 198,
    ("montufar_lower_bound", (6, 6, 6), 2): 1782,
    ("serra_lower_bound", (6, 6, 6), 2): 5632,
    ("serra_upper_bound", (6, 6, 6), 2): 10648,
}
"""Published bounds at small widths (Pascanu et al. 2013; Montufar et al. 2014; Montufar 2017;
Serra et al. 2018, Theorems 1 and 7 and the one-input maximum)."""

SERRA_784 = {(1, 21): (23, 44), (4, 18): (9109, 64768), (8, 14): (600370, 3305216),
             (11, 11): (2449868, 4194304), (14, 8): (3913704, 4194304),
             (21, 1): (4194303, 4194304)}
"""Serra et al. 2018's two-layer table at n0 = 784, n1 + n2 = 22: (n1, n2) -> (Serra's upper
bound, Montufar 2017's)."""

TELGARSKY = {1: 2, 2: 4, 3: 8, 4: 16, 5: 32, 6: 64}
"""Telgarsky's sawtooth: 2^L affine pieces on [0, 1]."""

HANIN_ROLNICK_EXAMPLE = ((96, 2), 4608)
"""Hanin and Rolnick 2019 (NeurIPS) example: 96^2 / 2! regions per unit area."""

FOLDING_PIECES_N0_1 = {(4, 4, 4): 80, (3, 3, 3): 36, (2, 2, 2, 3): 32, (10, 10, 10): 1100}
"""Montufar et al.'s folding network with one input: activation pieces inside its box
[0, p/2] (p = the folding width), equal to their lower bound."""

FOLDING_REGIONS_N0_2 = {(4, 4, 4): 176}
"""The folding network with two inputs, widths (4, 4, 4): regions in its box, equal to the
bound."""
