"""Hanin & Rolnick 2019: the expected density of regions at initialisation.

For a ReLU network with N neurons and n_0 inputs, with random weights and biases (their
setting: He-normal weights, small biases), Hanin & Rolnick bound the expected number of
regions per unit volume of input space by, up to a constant factor C^{n0} that depends on the
distributions of weights and biases (bounds on gradients and bias densities),

.. math:: \\frac{N^{n_0}}{n_0!}

-- polynomial in N, not exponential in depth: typical networks are far from the
worst-case bounds of :mod:`bounds.serra` and friends. Along a line (n_0 = 1) the expected
number of regions grows linearly in N.

* :func:`hanin_rolnick_density` -- N^{n0} / n0! (the constant taken as 1).

The exact constants and theorem wording are not reproduced here (their worked example:
96^2 / 2! = 4608); treat the value as the order of magnitude the theorem predicts.
"""

from __future__ import annotations

import math

import sympy as sp

from ._common import check_count, is_concrete, log2, naming, power, refuse_above

__all__ = ["hanin_rolnick_density"]


def hanin_rolnick_density(num_neurons: int | sp.Expr, n0: int | sp.Expr) -> sp.Expr:
    r"""N^{n0} / n0!: Hanin & Rolnick's expected regions per unit volume, constant set to 1.

    .. math:: \frac{N^{n_0}}{n_0!}

    Parameters
    ----------
    num_neurons : int or sympy.Expr
        N >= 1, the number of ReLU neurons (all hidden layers together).
    n0 : int or sympy.Expr
        Input dimension, >= 1.

    Returns
    -------
    sympy.Rational or sympy.Expr
        Exact; an :class:`sympy.Integer` when n0! divides N^{n0}.

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        An argument is below 1.

    References
    ----------
    .. [1] B. Hanin, D. Rolnick, "Deep ReLU Networks Have Surprisingly Few Activation
       Patterns", NeurIPS 2019, Theorem 1 (the bound (C N)^{n0} / n0! on the expected number
       of regions per unit volume; constant and numbering not checked against the paper
       text).
    .. [2] B. Hanin, D. Rolnick, "Complexity of Linear Regions in Deep Networks", ICML 2019
       (the one-dimensional case: linear growth in N).

    Examples
    --------
    >>> hanin_rolnick_density(96, 2)     # 96^2 / 2!
    4608
    >>> from bounds.symbols import N, n0
    >>> hanin_rolnick_density(N, n0)
    N**n0/factorial(n0)
    """
    neurons = check_count(num_neurons, "num_neurons", 1, "the number of neurons N")
    d = check_count(n0, "n0", 1, "the input dimension")
    if is_concrete(neurons, d):
        with naming("hanin_rolnick_density", num_neurons=neurons, n0=d):
            refuse_above(d * log2(d), f"{d}!")
            return sp.Rational(power(neurons, d), math.factorial(d))
    return sp.sympify(neurons) ** d / sp.factorial(d)
