"""The SymPy symbols of the bounds, created once.

Every bound accepts these (or any SymPy expressions of your own) wherever it accepts an
integer, and then returns a SymPy expression instead of an exact :class:`sympy.Integer`.
All are declared ``integer=True, positive=True`` except the summation index :data:`j`
(``integer=True, nonnegative=True``), so that SymPy can simplify ``floor``, ``Min`` and limits.

=========  =================================================================================
Symbol     Meaning
=========  =================================================================================
``n0``     input dimension (Pascanu, Montufar, Serra: n_0)
``n``      width of every hidden layer, for uniform architectures
``L``      number of hidden layers (Pascanu et al. call it k)
``k``      Raghu et al.: width of every hidden layer; Pascanu et al.: number of layers;
           maxout: the rank
``m``      Raghu et al.: input dimension; arrangements: the number of hyperplanes
``d``      dimension of the space an arrangement lives in
``w``      Arora et al.: number of affine pieces of one zig-zag
``N``      total number of hidden units
``j``      the summation index of every ``Sum(binomial(., j), (j, 0, .))``; reserved: an
           argument containing it is refused (``ValueError``)
=========  =================================================================================

Examples
--------
>>> from bounds.symbols import n, L, n0
>>> from bounds import pascanu_lower_bound_uniform
>>> pascanu_lower_bound_uniform(n, L, n0)
floor(n/n0)**(L - 1)*Sum(binomial(n, j), (j, 0, n0))
"""

from __future__ import annotations

import sympy as sp

__all__ = ["n0", "n", "L", "k", "m", "d", "w", "N", "j"]

_POSITIVE_INTEGER = {"integer": True, "positive": True}

n0: sp.Symbol = sp.Symbol("n0", **_POSITIVE_INTEGER)
n: sp.Symbol = sp.Symbol("n", **_POSITIVE_INTEGER)
L: sp.Symbol = sp.Symbol("L", **_POSITIVE_INTEGER)
k: sp.Symbol = sp.Symbol("k", **_POSITIVE_INTEGER)
m: sp.Symbol = sp.Symbol("m", **_POSITIVE_INTEGER)
d: sp.Symbol = sp.Symbol("d", **_POSITIVE_INTEGER)
w: sp.Symbol = sp.Symbol("w", **_POSITIVE_INTEGER)
N: sp.Symbol = sp.Symbol("N", **_POSITIVE_INTEGER)
j: sp.Symbol = sp.Symbol("j", integer=True, nonnegative=True)
