"""One input: piece counts of composed zig-zags (Telgarsky; Arora et al.).

* :func:`telgarsky_pieces` -- the tent map f(x) = relu(2 relu(x) - 4 relu(x - 1/2)) composed L
  times has 2^L affine pieces on [0, 1] (knots i / 2^L).
* :func:`arora_pieces` -- composing k zig-zags of w pieces each gives w^k pieces on [0, 1].

Each composition multiplies the count because a zig-zag of w pieces maps each of its pieces
onto all of [0, 1]: the next map's pieces are replicated w times. These are counts of
explicit constructions (``regions.constructions.sawtooth`` builds Telgarsky's), hence lower
bounds on the maximal number of pieces of networks of that size.
"""

from __future__ import annotations

import sympy as sp

from ._common import check_count, naming, power, result

__all__ = ["telgarsky_pieces", "arora_pieces"]


def telgarsky_pieces(L: int | sp.Expr) -> sp.Expr:
    r"""Number of affine pieces on [0, 1] of Telgarsky's tent map composed L times: 2^L.

    The tent map f(x) = relu(2 relu(x) - 4 relu(x - 1/2)) is 2x on [0, 1/2] and 2 - 2x on
    [1/2, 1]; f^L has 2^L pieces with knots i / 2^L, from a network of 2L hidden ReLU
    layers of widths 2, 1, 2, 1, ... (3L units). Telgarsky uses it to show that much
    shallower networks need exponentially many units to approximate f^L.

    Parameters
    ----------
    L : int or sympy.Expr
        Number of compositions, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        ``L`` is not an integer or a SymPy expression.
    ValueError
        ``L < 1``.

    References
    ----------
    .. [1] M. Telgarsky, "Benefits of depth in neural networks", COLT 2016, Lemma 3.1 (and
       "Representation benefits of deep feedforward networks", arXiv:1509.08101, 2015).

    Examples
    --------
    >>> [int(telgarsky_pieces(L)) for L in range(1, 7)]
    [2, 4, 8, 16, 32, 64]
    >>> from bounds.symbols import L
    >>> telgarsky_pieces(L)
    2**L
    """
    layers = check_count(L, "L", 1, "the number of compositions")
    with naming("telgarsky_pieces", L=layers):
        return result(power(2, layers))


def arora_pieces(w: int | sp.Expr, k: int | sp.Expr) -> sp.Expr:
    r"""Number of affine pieces on [0, 1] of k composed zig-zags of w pieces each: w^k.

    A zig-zag with w pieces (slopes alternately +w and -w, each piece onto [0, 1]) is one
    hidden ReLU layer of width w; composing k of them (depth k + 1, width w) gives w^k
    pieces. w = 2 is Telgarsky's tent map.

    Parameters
    ----------
    w : int or sympy.Expr
        Pieces of one zig-zag, >= 2.
    k : int or sympy.Expr
        Number of compositions, >= 1.

    Returns
    -------
    sympy.Integer or sympy.Expr

    Raises
    ------
    TypeError
        An argument is not an integer or a SymPy expression.
    ValueError
        ``w < 2`` or ``k < 1``.

    References
    ----------
    .. [1] R. Arora, A. Basu, P. Mianjy, A. Mukherjee, "Understanding Deep Neural Networks
       with Rectified Linear Units", ICLR 2018, the depth gap construction (composed zig-zag
       functions; section and theorem numbers not checked against the paper text).

    Examples
    --------
    >>> arora_pieces(3, 4)
    81
    >>> arora_pieces(2, 5) == telgarsky_pieces(5)
    True
    >>> from bounds.symbols import w, k
    >>> arora_pieces(w, k)
    w**k
    """
    pieces = check_count(w, "w", 2, "the number of pieces of one zig-zag")
    depth = check_count(k, "k", 1, "the number of compositions")
    with naming("arora_pieces", w=pieces, k=depth):
        return result(power(pieces, depth))
