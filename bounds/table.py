"""Every region-count bound that applies to one network, as a table.

:func:`for_network` reads the architecture of a :class:`regions.Network`, a
:class:`regions.Graph` or plain layer widths, and evaluates each bound of this package whose
setting matches, with its hypothesis and whether that hypothesis holds for these widths.

What n0 means. Every bound counts the linear regions of a network restricted to an affine
subspace of dimension n0 of its input space: with n0 = the input dimension (the default)
it counts regions of the whole input space; **a trajectory (a line, segment or curve through
the input) is an n0 = 1 question, and a plane slice an n0 = 2 one**, whatever the input
dimension (a line through a 784-input network meets at most as many regions as a 1-input
network of the same hidden widths can have). On the slice, the network is a network with n0
inputs and the same hidden widths, so the bounds apply with that n0.

What the bounds say. Upper bounds hold for *every* choice of weights. Lower bounds are about
the *maximum over weights*: some network of these widths has at least that many regions
(a construction), not this one; a random or trained network usually sits far below them
(Hanin & Rolnick 2019: the expected count grows like N^{n0}, not exponentially in depth).

* :func:`for_network` returning a :class:`BoundsTable` of :class:`BoundRow`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import sympy as sp

from ._common import check_concrete, check_count, check_widths, describe
from .arrangements import shallow_max_regions
from .hanin_rolnick import hanin_rolnick_density
from .montufar import montufar_lower_bound, montufar_trivial_upper_bound
from .montufar2017 import montufar2017_upper_bound
from .pascanu import pascanu_lower_bound
from .raghu import raghu_layerwise_bound
from .serra import (
    serra_lower_bound,
    serra_maxout_upper_bound,
    serra_one_input_maximum,
    serra_upper_bound,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["BoundRow", "BoundsTable", "for_network"]

_ONE_BREAKPOINT = ("relu", "leaky_relu", "abs")


@dataclass(frozen=True)
class BoundRow:
    """One bound evaluated for one architecture.

    Attributes
    ----------
    name : str
        The function of :mod:`bounds` that computed it (``"serra_upper_bound"``).
    reference : str
        Paper and theorem.
    kind : str
        ``"upper"`` (holds for every choice of weights), ``"lower"`` (some choice of weights
        reaches it: a bound on the maximum), ``"exact"`` (the maximum itself) or
        ``"expected"`` (an order of magnitude at random initialisation, not a bound).
    value : sympy.Expr or None
        The exact value, or None when the hypothesis does not hold or the answer is too large
        to evaluate (see ``note``).
    hypothesis : str
        What the theorem assumes.
    holds : bool or None
        Whether the hypothesis holds for these widths and activations; None when it cannot be
        decided from the architecture (a :class:`regions.Graph`'s skip connections).
    note : str
        Why ``value`` is None, or an empty string.

    References
    ----------
    .. [1] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions
       of Deep Neural Networks", ICML 2018, Theorem 1 (the row of this example).

    Examples
    --------
    >>> row = for_network([1, 4, 4, 1])[3]
    >>> row.name, row.kind, row.value, row.holds
    ('serra_upper_bound', 'upper', 25, True)
    """

    name: str
    reference: str
    kind: str
    value: sp.Expr | None
    hypothesis: str
    holds: bool | None
    note: str = ""


@dataclass(frozen=True)
class BoundsTable(Sequence[BoundRow]):
    """An immutable sequence of :class:`BoundRow`, with the architecture it describes.

    Attributes
    ----------
    hidden_widths : tuple of int
        n_1, ..., n_L: the piecewise-linear layers.
    n0 : int
        The dimension of the input subspace the bounds count regions of.
    input_size : int
        The network's input dimension.
    activations : tuple of str
        One name per hidden layer.
    rows : tuple of BoundRow

    References
    ----------
    .. [1] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of
       Deep Neural Networks", NIPS 2014, Theorem 4 (the lower bound of this example).

    Examples
    --------
    >>> table = for_network([2, 4, 4, 1])
    >>> len(table), table.n0, table.hidden_widths
    (10, 2, (4, 4))
    >>> table.value("montufar_lower_bound"), [r.name for r in table if r.kind == "lower"][0]
    (44, 'pascanu_lower_bound')
    """

    hidden_widths: tuple[int, ...]
    n0: int
    input_size: int
    activations: tuple[str, ...]
    rows: tuple[BoundRow, ...]

    @overload
    def __getitem__(self, index: int) -> BoundRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BoundRow]: ...

    def __getitem__(self, index: int | slice) -> BoundRow | Sequence[BoundRow]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[BoundRow]:
        return iter(self.rows)

    def value(self, name: str) -> sp.Expr | None:
        """The value of the row computed by the function ``name`` (KeyError if absent)."""
        for row in self.rows:
            if row.name == name:
                return row.value
        raise KeyError(f"no row named {name!r}; the rows are {[r.name for r in self.rows]}")

    def to_dataframe(self) -> "pandas.DataFrame":
        """The rows as a :class:`pandas.DataFrame` (needs pandas; imported only here)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("BoundsTable.to_dataframe needs pandas (pip install pandas); "
                              "the table itself is a sequence of BoundRow") from exc
        return pd.DataFrame([row.__dict__ for row in self.rows])

    def __str__(self) -> str:
        head = (f"bounds for hidden widths {list(self.hidden_widths)} on n0 = {self.n0} "
                f"(input size {self.input_size})")
        lines = [head]
        for r in self.rows:
            shown = _shown(r.value) if r.value is not None else f"- ({r.note})"
            flag = {True: "holds", False: "does not hold", None: "not checked"}[r.holds]
            lines.append(f"  {r.kind:8s} {r.name:30s} {shown:>24s}  [{flag}]")
        return "\n".join(lines)


def _shown(value: sp.Expr) -> str:
    if isinstance(value, sp.Rational) and abs(value.p).bit_length() - value.q.bit_length() > 80:
        return f"~2^{abs(value.p).bit_length() - value.q.bit_length()}"
    if isinstance(value, sp.Rational) and not isinstance(value, sp.Integer):
        return f"{float(value):.6g}"
    return str(value)


def _architecture(net: Any) -> tuple[tuple[int, ...], tuple[str, ...], int, bool, int]:
    """(hidden widths, activation names, input size, is a plain chain, maxout rank or 0)."""
    if hasattr(net, "piecewise_linear_nodes") and hasattr(net, "node"):  # regions.Graph
        names, widths, ranks = [], [], set()
        for node_name in net.piecewise_linear_nodes:
            node = net.node(node_name)
            if hasattr(node, "activation"):
                names.append(node.activation.name)
            else:  # a group maximum (maxout)
                names.append("maxout")
                ranks.add(int(node.groups.shape[1]))
            widths.append(int(node.size))
        while names and names[-1] == "linear":  # a linear readout node adds no region
            names.pop()
            widths.pop()
        rank = ranks.pop() if len(ranks) == 1 else 0
        return tuple(widths), tuple(names), int(net.input_size), False, rank
    if hasattr(net, "activations") and hasattr(net, "widths"):  # regions.Network
        acts = [a.name for a in net.activations]
        sizes = list(net.widths[1:])
        while acts and acts[-1] == "linear":  # the linear readout adds no region
            acts.pop()
            sizes.pop()
        return tuple(sizes), tuple(acts), int(net.widths[0]), True, 0
    if isinstance(net, (str, bytes)) or not isinstance(net, Sequence):
        raise TypeError(
            "net must be a regions.Network, a regions.Graph, or layer widths (input, hidden "
            f"layers..., output) such as [784, 100, 100, 10]; got {describe(net)}"
        )
    widths = check_widths(net, "net")
    if len(widths) < 3:
        raise ValueError(
            "net as plain widths must list the input, at least one hidden layer and the output "
            f"(such as [2, 4, 4, 1]); got {len(widths)} width(s)"
        )
    ints = check_concrete(widths, "net", "for_network", "a table of exact values")
    return tuple(ints[1:-1]), ("relu",) * (len(ints) - 2), ints[0], True, 0


def for_network(net: Any, n0: int | None = None) -> BoundsTable:
    r"""Every bound of :mod:`bounds` that applies to ``net``, evaluated exactly.

    A trajectory is an n0 = 1 question and a plane slice an n0 = 2 one: pass ``n0=1`` to bound
    the pieces of :func:`regions.trace` along a line, ``n0=2`` for the regions of a
    :func:`regions.partition` of a plane, and leave the default (the input dimension) for
    the whole input space. Lower bounds are about the maximum over weights (some network of
    these widths reaches them), so a random or trained network may sit below them.

    Parameters
    ----------
    net : regions.Network, regions.Graph or sequence of int
        The network, or its layer widths (input, hidden layers, output), read as ReLU hidden
        layers and a linear output. A :class:`~regions.Network`'s trailing linear layers are
        the readout; its other layers are the hidden layers n_1, ..., n_L.
    n0 : int, optional
        Dimension of the input subspace whose regions are bounded, 1 <= n0 <= input size;
        defaults to the input size.

    Returns
    -------
    BoundsTable
        Rows: the trivial 2^N, Raghu's layerwise count, Montufar 2017 and Serra upper bounds;
        Pascanu, Montufar 2014 and Serra lower bounds; the exact maximum where known (one
        hidden layer: Zaslavsky; n0 = 1 and every n_l >= 3: prod (n_l + 1)); the maxout upper
        bound for a maxout Graph; Hanin & Rolnick's expected density. A row whose hypothesis
        does not hold has ``value`` None.

    Raises
    ------
    TypeError
        ``net`` is none of the above, or ``n0`` is not an integer.
    ValueError
        ``net`` has no hidden layer, ``n0 < 1`` or ``n0`` exceeds the input size.

    References
    ----------
    .. [1] T. Serra, C. Tjandraatmadja, S. Ramalingam, "Bounding and Counting Linear Regions
       of Deep Neural Networks", ICML 2018, Theorem 1 (and the bounds it restates).
    .. [2] G. Montufar, R. Pascanu, K. Cho, Y. Bengio, "On the Number of Linear Regions of
       Deep Neural Networks", NIPS 2014, Theorem 4.
    .. [3] B. Hanin, D. Rolnick, "Deep ReLU Networks Have Surprisingly Few Activation
       Patterns", NeurIPS 2019, Theorem 1.

    Examples
    --------
    >>> from regions import random_network
    >>> net = random_network([2, 6, 6, 1], "relu", seed=0)
    >>> table = for_network(net)            # n0 = 2: the whole input plane
    >>> table.value("serra_upper_bound"), table.value("serra_lower_bound")
    (484, 352)
    >>> for_network(net, n0=1).value("serra_one_input_maximum")    # along any line: exact
    49
    >>> [(r.name, r.holds) for r in for_network([784, 100, 10], n0=1) if r.kind == "exact"]
    [('shallow_max_regions', True), ('serra_one_input_maximum', True)]
    """
    widths, acts, input_size, chain, rank = _architecture(net)
    if not widths:
        raise ValueError(f"net has no piecewise-linear hidden layer (activations {acts})")
    if n0 is None:
        d = input_size
    else:
        d = check_count(n0, "n0", 1, "the dimension of the input subspace")
        if not isinstance(d, int):
            raise TypeError(f"n0 must be an integer, got the SymPy expression {d}")
        if d > input_size:
            raise ValueError(
                f"n0 must be at most the input size {input_size} (a slice of the input space), "
                f"got n0 = {d}"
            )
    ws = list(widths)
    relu = all(a == "relu" for a in acts)
    one_break = all(a in _ONE_BREAKPOINT for a in acts)
    hardtanh = all(a == "hardtanh" for a in acts)
    maxout = all(a == "maxout" for a in acts) and rank >= 2
    chain_text = "" if chain else " (not checked for a Graph: skip connections)"
    rows: list[BoundRow] = []

    def add(name: str, reference: str, kind: str, hypothesis: str, holds: bool | None,
            compute: Any) -> None:
        value, note = None, ""
        if holds is False:
            note = "hypothesis does not hold"
        else:
            try:
                value = compute()
            except OverflowError as exc:
                note = str(exc)
        rows.append(BoundRow(name, reference, kind, value, hypothesis, holds, note))

    def chained(ok: bool) -> bool | None:
        return None if ok and not chain else ok

    n_units = sum(ws)
    add("montufar_trivial_upper_bound", "Montufar et al., NIPS 2014 (one region per pattern)",
        "upper", "units with one breakpoint each (relu, leaky_relu, abs)", one_break,
        lambda: montufar_trivial_upper_bound(ws))
    add("raghu_layerwise_bound", "Raghu et al., ICML 2017, Theorem 1 (proof)", "upper",
        "every hidden layer relu-like, or every one hardtanh (2 hyperplanes per unit)",
        one_break or hardtanh,
        lambda: raghu_layerwise_bound(ws, d, "hardtanh" if hardtanh else "relu"))
    add("montufar2017_upper_bound", "Montufar, SampTA 2017", "upper",
        "a chain of layers of one-breakpoint units" + chain_text, chained(one_break),
        lambda: montufar2017_upper_bound(ws, d))
    add("serra_upper_bound", "Serra et al., ICML 2018, Theorem 1", "upper",
        "a chain of layers of one-breakpoint units" + chain_text, chained(one_break),
        lambda: serra_upper_bound(ws, d))
    if maxout:
        add("serra_maxout_upper_bound", "Serra et al., ICML 2018 (maxout)", "upper",
            f"a chain of maxout layers of rank {rank}" + chain_text, chained(True),
            lambda: serra_maxout_upper_bound(ws, d, rank))
    wide = all(v >= d for v in ws)
    add("pascanu_lower_bound", "Pascanu et al., arXiv:1312.6098 (ICLR 2014)", "lower",
        "ReLU, every n_l >= n0 (a bound on the maximum over weights)" + chain_text,
        chained(relu and wide), lambda: pascanu_lower_bound(ws, d))
    add("montufar_lower_bound", "Montufar et al., NIPS 2014, Theorem 4", "lower",
        "ReLU, every n_l >= n0 (a bound on the maximum over weights)" + chain_text,
        chained(relu and wide), lambda: montufar_lower_bound(ws, d))
    add("serra_lower_bound", "Serra et al., ICML 2018, Section 4", "lower",
        "ReLU, every n_l >= 3 n0 (a bound on the maximum over weights)" + chain_text,
        chained(relu and all(v >= 3 * d for v in ws)), lambda: serra_lower_bound(ws, d))
    add("shallow_max_regions", "Zaslavsky 1975; Pascanu et al. 2014 (shallow model)", "exact",
        "one hidden layer of ReLUs (the maximum over weights, attained)",
        relu and len(ws) == 1, lambda: shallow_max_regions(ws[0], d))
    add("serra_one_input_maximum", "Serra et al., ICML 2018 (tight for n0 = 1)", "exact",
        "ReLU, n0 = 1, every n_l >= 3 (the maximum over weights)" + chain_text,
        chained(relu and d == 1 and all(v >= 3 for v in ws)),
        lambda: serra_one_input_maximum(ws))
    add("hanin_rolnick_density", "Hanin & Rolnick, NeurIPS 2019, Theorem 1", "expected",
        "random ReLU network at initialisation; regions per unit volume up to C^n0, "
        "not a bound", relu, lambda: hanin_rolnick_density(n_units, d))
    return BoundsTable(tuple(ws), d, input_size, acts, tuple(rows))
