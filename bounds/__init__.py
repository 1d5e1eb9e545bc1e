"""Region-count bounds for piecewise-linear networks, symbolic and exact.

Every bound takes integers or SymPy expressions: with integers it returns an exact
:class:`sympy.Integer` (a :class:`sympy.Rational` for the two non-integer quantities,
:func:`raghu_leading_term` and :func:`hanin_rolnick_density`), with SymPy symbols (for
instance those of :mod:`bounds.symbols`) the formula as a SymPy expression, with partial
binomial sums left as unevaluated ``Sum(binomial(n, j), (j, 0, n0))`` (call ``.doit()``).
Bounds over a list of widths n_1, ..., n_L cannot be symbolic in L; each has a ``_uniform``
twin for L layers of width n, symbolic in n, L and n0, where the closed form exists.
Serra et al.'s upper bound has none: it is evaluated exactly, by dynamic programming.

Notation: n0 inputs, hidden widths n_1, ..., n_L, N = n_1 + ... + n_L units. Every function
takes its arguments in one order: widths first (a list n_1, ..., n_L, or a width n and a
number of layers L), then n0, then any option (``deep_vs_shallow(width, depth, n0)``,
``raghu_u(k, n, m)`` = U(n, k, m) for n layers of width k on m inputs,
``num_parameters_uniform(n, L, n0)``; these three changed order in this release).

For a network, :func:`for_network` lists every bound that applies with its hypothesis. n0 is
the dimension of the input subspace counted: a trajectory is an n0 = 1 question and a plane
slice an n0 = 2 one, whatever the input size. Upper bounds hold for every choice of weights;
lower bounds are about the maximum over weights, so a random network may sit below them.

Concrete answers of any size: closed forms where they exist, fast exact summation
otherwise, and ``OverflowError`` up front, with the number of digits and bytes, for an
answer of more than 2**26 bits (about 20 million digits).

======================================  ======================================================
Module                                  Public names
======================================  ======================================================
:mod:`bounds.arrangements`              :func:`zaslavsky_regions`, :func:`shallow_max_regions`
:mod:`bounds.raghu`                     :func:`raghu_u`, :func:`raghu_leading_term`,
                                        :func:`raghu_layerwise_bound`
:mod:`bounds.pascanu`                   :func:`pascanu_lower_bound`, ``..._uniform``
:mod:`bounds.montufar`                  :func:`montufar_lower_bound`, ``..._uniform``,
                                        :func:`montufar_trivial_upper_bound` (2^N),
                                        ``..._uniform``
:mod:`bounds.montufar2017`              :func:`montufar2017_upper_bound`, ``..._uniform``
:mod:`bounds.serra`                     :func:`serra_upper_bound`, :func:`serra_index_set_size`,
                                        :func:`serra_lower_bound`, ``..._uniform``,
                                        :func:`serra_one_input_maximum`, ``..._uniform``,
                                        :func:`serra_maxout_upper_bound`, ``..._uniform``
:mod:`bounds.sawtooth`                  :func:`telgarsky_pieces`, :func:`arora_pieces`
:mod:`bounds.hanin_rolnick`             :func:`hanin_rolnick_density`
:mod:`bounds.compare`                   :func:`num_parameters`, :func:`num_parameters_uniform`,
                                        :func:`deep_vs_shallow`, :class:`DeepVsShallow`,
                                        :class:`ShallowComparison`
:mod:`bounds.table`                     :func:`for_network` (every bound that applies to a
                                        network, as a :class:`BoundsTable`)
:mod:`bounds.symbols`                   the symbols ``n0, n, L, k, m, d, w, N`` and the
                                        reserved summation index ``j``
======================================  ======================================================

Ordering, for any architecture (checked by the tests): serra_upper_bound <=
montufar2017_upper_bound <= raghu_layerwise_bound <= 2^N, and where their hypotheses hold
pascanu_lower_bound <= montufar_lower_bound <= serra_upper_bound and serra_lower_bound <=
serra_upper_bound.

Bad arguments raise ``TypeError`` (wrong type: bool, float, str, ...) or ``ValueError``
(a value outside a bound's hypothesis: negative or zero widths, n0 = 0, non-integer SymPy
numbers, widths below n0 or 3 n0 where a theorem needs them); the message names the argument,
the hypothesis, what was expected and what was given. Symbolic hypotheses are checked when
SymPy can decide them and assumed otherwise.

Theorem numbers in the docstrings are given where known; where the paper text could not be
checked the docstring says so.

Examples
--------
>>> from bounds import serra_upper_bound, montufar2017_upper_bound, pascanu_lower_bound
>>> pascanu_lower_bound([6, 6, 6], 2), serra_upper_bound([6, 6, 6], 2)
(198, 10648)
>>> serra_upper_bound([8, 14], 784), montufar2017_upper_bound([8, 14], 784)
(600370, 3305216)
"""

from . import symbols
from .arrangements import shallow_max_regions, zaslavsky_regions
from .compare import (
    DeepVsShallow,
    ShallowComparison,
    deep_vs_shallow,
    num_parameters,
    num_parameters_uniform,
)
from .hanin_rolnick import hanin_rolnick_density
from .montufar import (
    montufar_lower_bound,
    montufar_lower_bound_uniform,
    montufar_trivial_upper_bound,
    montufar_trivial_upper_bound_uniform,
)
from .montufar2017 import montufar2017_upper_bound, montufar2017_upper_bound_uniform
from .pascanu import pascanu_lower_bound, pascanu_lower_bound_uniform
from .raghu import raghu_layerwise_bound, raghu_leading_term, raghu_u
from .sawtooth import arora_pieces, telgarsky_pieces
from .table import BoundRow, BoundsTable, for_network
from .serra import (
    serra_index_set_size,
    serra_lower_bound,
    serra_lower_bound_uniform,
    serra_maxout_upper_bound,
    serra_maxout_upper_bound_uniform,
    serra_one_input_maximum,
    serra_one_input_maximum_uniform,
    serra_upper_bound,
)

__all__ = [
    "for_network",
    "BoundsTable",
    "BoundRow",
    "symbols",
    "zaslavsky_regions",
    "shallow_max_regions",
    "raghu_u",
    "raghu_leading_term",
    "raghu_layerwise_bound",
    "pascanu_lower_bound",
    "pascanu_lower_bound_uniform",
    "montufar_lower_bound",
    "montufar_lower_bound_uniform",
    "montufar_trivial_upper_bound",
    "montufar_trivial_upper_bound_uniform",
    "montufar2017_upper_bound",
    "montufar2017_upper_bound_uniform",
    "serra_upper_bound",
    "serra_index_set_size",
    "serra_lower_bound",
    "serra_lower_bound_uniform",
    "serra_one_input_maximum",
    "serra_one_input_maximum_uniform",
    "serra_maxout_upper_bound",
    "serra_maxout_upper_bound_uniform",
    "telgarsky_pieces",
    "arora_pieces",
    "hanin_rolnick_density",
    "num_parameters",
    "num_parameters_uniform",
    "deep_vs_shallow",
    "DeepVsShallow",
    "ShallowComparison",
]
