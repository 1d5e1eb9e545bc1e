"""A network as a graph of operations: the representation every engine runs on.

A :class:`Graph` is a DAG of nodes with one input and one output. Each node computes one
tensor (per example; shapes are channels first and carry no batch axis, and a tensor travels
between nodes as the C-order flattening of that shape):

====================  ===================================================================
:class:`Affine`        ``op(x) + bias`` with a structured :mod:`~regions.operators` operator
                       (dense, convolution, average pooling, per-channel scale)
:class:`Elementwise`   a piecewise-linear :class:`~regions.activations.Activation` per entry
:class:`GroupMax`      the maximum of each group of entries (max pooling, maxout)
:class:`Add`           the sum of its inputs (residual connections)
:class:`Concat`        concatenation along an axis
:class:`Reshape`       a new shape, same entries (flatten, view)
====================  ===================================================================

The *piecewise-linear nodes* (:class:`Elementwise` and :class:`GroupMax`) are where the
network's linear pieces change: the engines record an activation pattern for each of them,
by name, and everything between two of them is affine. A dense :class:`~regions.Network` is
the graph ``affine, elementwise, affine, elementwise, ...`` (:func:`as_graph`); graphs of real
models come from :func:`regions.from_torch` and :func:`regions.from_onnx`, or are built with
:class:`GraphBuilder`.

Examples
--------
A residual block on a 1-D signal, built by hand:

>>> import numpy as np
>>> b = GraphBuilder((1, 6))
>>> h = b.conv(b.input, np.ones((2, 1, 3)) / 3, padding=1, name="conv")
>>> h = b.activation(h, "relu", name="relu")
>>> h = b.conv(h, np.ones((1, 2, 1)), name="mix")
>>> h = b.add(h, b.input, name="skip")
>>> out = b.max_pool(h, 2, name="pool")
>>> g = b.build(out)
>>> g.output_shape, g.piecewise_linear_nodes
((1, 3), ('relu', 'pool'))
>>> g(np.array([1.0, -2.0, 3.0, 0.0, 1.0, -1.0]))
array([1.        , 3.66666667, 1.        ])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from . import _numbers
from .kinds import FLOAT, RATIONAL, NumberKind, cast
from .activations import Activation, _resolve
from .operators import (AveragePool, ChannelScale, Conv, Dense, LinearOperator, int_tuple,
                        window_index)

__all__ = [
    "Graph",
    "GraphBuilder",
    "Node",
    "Input",
    "Affine",
    "Elementwise",
    "GroupMax",
    "Add",
    "Concat",
    "Reshape",
    "as_graph",
    "compose_input",
]


# -- nodes ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Node:
    """A node: its ``name``, the names of its ``inputs`` and its output ``shape``."""

    name: str
    inputs: tuple[str, ...]
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, eq=False)
class Input(Node):
    """The graph's input."""


@dataclass(frozen=True, eq=False)
class Affine(Node):
    """``op(x) + bias``; ``bias`` is a flat array of ``op.out_size`` entries or None."""

    op: LinearOperator
    bias: np.ndarray | None = None

    def evaluate(self, xs: list[np.ndarray], w: Any) -> np.ndarray:
        """Rows ``xs[0]`` mapped; ``w`` is 1 for points and 0 for directions (no bias)."""
        y = self.op.apply(xs[0])
        if self.bias is None:
            return y
        return _add_bias(y, self.bias, w, in_place=not np.may_share_memory(y, xs[0]))

    def evaluate_abs(self, xs: list[np.ndarray], w: Any) -> np.ndarray:
        """``|op| x + |bias| w`` for non-negative rows ``x``: bounds on the terms' sizes."""
        y = self.op.absolute().apply(xs[0])
        if self.bias is None:
            return y
        return _add_bias(y, np.abs(self.bias), w, in_place=not np.may_share_memory(y, xs[0]))

    def transpose(self, g: np.ndarray, absolute: bool = False) -> list[np.ndarray]:
        op = self.op.absolute() if absolute else self.op
        return [op.transpose(g)]

    def convert(self, exact: bool | NumberKind) -> "Affine":
        bias = None if self.bias is None else cast(self.bias, exact)
        return Affine(self.name, self.inputs, self.shape, self.op.convert(exact), bias)


@dataclass(frozen=True, eq=False)
class Elementwise(Node):
    """A piecewise-linear activation applied to every entry."""

    activation: Activation


@dataclass(frozen=True, eq=False)
class GroupMax(Node):
    """Output ``i`` is the maximum of the input entries ``groups[i]`` (``-1`` pads short
    groups). Its pattern code is the position of the maximum within the group (the first one
    on ties)."""

    groups: np.ndarray


@dataclass(frozen=True, eq=False)
class Add(Node):
    """The sum of the inputs (all of one shape)."""

    def evaluate(self, xs: list[np.ndarray], w: Any) -> np.ndarray:
        out = xs[0] + xs[1]
        for x in xs[2:]:
            out = out + x
        return out

    evaluate_abs = evaluate

    def transpose(self, g: np.ndarray, absolute: bool = False) -> list[np.ndarray]:
        return [g] * len(self.inputs)


@dataclass(frozen=True, eq=False)
class Concat(Node):
    """Concatenation along ``axis`` of the per-example shapes (0: channels)."""

    axis: int
    order: np.ndarray = field(repr=False)
    parts: np.ndarray = field(repr=False)

    def evaluate(self, xs: list[np.ndarray], w: Any) -> np.ndarray:
        return np.concatenate(xs, axis=1)[:, self.order]

    evaluate_abs = evaluate

    def transpose(self, g: np.ndarray, absolute: bool = False) -> list[np.ndarray]:
        flat = np.empty_like(g)
        flat[:, self.order] = g
        sizes = np.cumsum([0] + list(np.bincount(self.parts, minlength=len(self.inputs))))
        return [flat[:, a:b] for a, b in zip(sizes[:-1], sizes[1:])]


@dataclass(frozen=True, eq=False)
class Reshape(Node):
    """The same entries under a new shape (flatten, unflatten, view)."""

    def evaluate(self, xs: list[np.ndarray], w: Any) -> np.ndarray:
        return xs[0]

    evaluate_abs = evaluate

    def transpose(self, g: np.ndarray, absolute: bool = False) -> list[np.ndarray]:
        return [g]


def _add_bias(y: np.ndarray, bias: np.ndarray, w: Any, in_place: bool = False) -> np.ndarray:
    """``y + w bias`` (rows ``y``, ``w``: 1 at points, 0 at directions); ``in_place``: ``y``
    is a fresh array that may be overwritten (no temporary of its size)."""
    if isinstance(w, (int, float)) or (np.ndim(w) == 0):
        return y + bias if w else y
    w = np.asarray(w)
    directions = w == 0
    c = w[np.argmin(directions)] if w.shape[0] else 1
    if np.all(directions | (w == c)):  # one value at points (1, or a bound's factor)
        cb = bias if c == 1 else c * bias
        if in_place and y.dtype != object:
            np.add(y, cb, out=y, where=~directions[:, None])
            return y
        out = y + cb
        out[directions] = y[directions]
        return out
    return y + w.reshape(-1, 1) * bias


PIECEWISE_LINEAR = (Elementwise, GroupMax)
AFFINE = (Affine, Add, Concat, Reshape)


# -- the graph -----------------------------------------------------------------------------


class Graph:
    """A network as a DAG of operations with one input and one output.

    Parameters
    ----------
    nodes : sequence of Node
        In topological order, the first an :class:`Input`; names unique.
    output : str
        The output node's name; every node must lead to it.

    Attributes
    ----------
    input_shape, output_shape : tuple of int
    piecewise_linear_nodes : tuple of str
        The names of the :class:`Elementwise` and :class:`GroupMax` nodes, in order: the
        layers of a :class:`~regions.Trace` or :class:`~regions.Partition`.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2 (activation patterns
       of every layer).
    .. [2] I. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville, Y. Bengio, "Maxout
       Networks", ICML 2013 (group maxima).

    Examples
    --------
    >>> from regions import Network
    >>> g = as_graph(Network([[[1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "relu"))
    >>> g.piecewise_linear_nodes, g([[-3.0], [2.0]]).tolist()
    (('layer1', 'layer2'), [[3.0], [2.0]])
    """

    def __init__(self, nodes: Sequence[Node], output: str) -> None:
        nodes = tuple(nodes)
        _check_nodes(nodes, output)
        self.nodes = nodes
        self.output = output
        self._by_name = {n.name: n for n in nodes}

    # -- description -----------------------------------------------------------------------

    @property
    def input(self) -> Input:
        return self.nodes[0]  # type: ignore[return-value]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.nodes[0].shape

    @property
    def input_size(self) -> int:
        return self.nodes[0].size

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self._by_name[self.output].shape

    @property
    def output_size(self) -> int:
        return self._by_name[self.output].size

    def node(self, name: str) -> Node:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"the graph has no node named {name!r}") from None

    @property
    def piecewise_linear_nodes(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes if isinstance(n, PIECEWISE_LINEAR))

    @property
    def widths(self) -> tuple[int, ...]:
        """``(input size, size of each piecewise-linear node, ...)``, with the output's size
        last when the output is not piecewise-linear: the layers of a trace, as
        :attr:`regions.Network.widths`."""
        sizes = [n.size for n in self.nodes if isinstance(n, PIECEWISE_LINEAR)]
        if not isinstance(self._by_name[self.output], PIECEWISE_LINEAR):
            sizes.append(self.output_size)
        return (self.input_size, *sizes)

    @property
    def num_neurons(self) -> int:
        """Entries of the non-linear piecewise-linear nodes (group maxima count one each)."""
        return sum(n.size for n in self.nodes if isinstance(n, GroupMax) or (
            isinstance(n, Elementwise) and n.activation.thresholds))

    @property
    def is_exact(self) -> bool:
        """True when every parameter is a Fraction (no float entries)."""
        ops = [n for n in self.nodes if isinstance(n, Affine)]
        return bool(ops) and all(n.op.is_exact and (n.bias is None or n.bias.dtype == object)
                                 for n in ops)

    def convert(self, exact: bool | NumberKind) -> "Graph":
        """The same graph with Fraction (exact: the float entries' exact values) or float64
        parameters, or the working entries of a :class:`~regions.kinds.NumberKind`."""
        return Graph([n.convert(exact) if isinstance(n, Affine) else n for n in self.nodes],
                     self.output)

    # -- evaluation ------------------------------------------------------------------------

    def __call__(self, x: Any) -> np.ndarray:
        """Evaluate on one input or a batch (rows flat or shaped as ``input_shape``); returns
        flat output rows. Fraction input or an exact graph evaluates in Fractions."""
        points, single = self._rows(x)
        kind = RATIONAL if self.is_exact or _numbers.is_rational(points) else FLOAT
        from ._stages import lower  # the stage program is the one evaluation path

        out = kind.export(lower(self, kind).forward(kind.convert(points))[-1][1])
        return out[0] if single else out

    def _rows(self, x: Any) -> tuple[np.ndarray, bool]:
        arr = _numbers.coerce_array(x, "x", tuple(range(1, len(self.input_shape) + 3)))
        shape = arr.shape
        if shape == self.input_shape and len(self.input_shape) > 1:
            return arr.reshape(1, -1), True
        if shape[1:] == self.input_shape and len(self.input_shape) > 1:
            return arr.reshape(shape[0], -1), False
        if arr.ndim == 1 and shape[0] == self.input_size:
            return arr[None, :], True
        if arr.ndim == 2 and shape[1] == self.input_size:
            return arr, False
        raise ValueError(
            f"x must hold inputs of shape {self.input_shape} (or flat, {self.input_size} "
            f"entries), one or a batch; got an array of shape {shape}"
        )

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for n in self.nodes[1:]:
            kinds[n.kind] = kinds.get(n.kind, 0) + 1
        text = ", ".join(f"{v} {k}" for k, v in kinds.items())
        return f"Graph({self.input_shape} -> {self.output_shape}: {text})"


def _check_nodes(nodes: tuple[Node, ...], output: str) -> None:
    if not nodes or not isinstance(nodes[0], Input):
        raise ValueError("nodes must start with the graph's Input node")
    shapes: dict[str, tuple[int, ...]] = {}
    for i, n in enumerate(nodes):
        if not isinstance(n, Node):
            raise TypeError(f"nodes[{i}] must be a regions.graph Node, got {type(n).__name__}")
        if n.name in shapes:
            raise ValueError(f"node names must be unique; {n.name!r} appears twice")
        if isinstance(n, Input) and i > 0:
            raise ValueError(f"a graph has one Input node; {n.name!r} is a second")
        for src in n.inputs:
            if src not in shapes:
                raise ValueError(
                    f"node {n.name!r} reads {src!r}, which is not defined before it (nodes "
                    "must be in topological order)"
                )
        _check_node_shape(n, [shapes[s] for s in n.inputs])
        shapes[n.name] = n.shape
    if output not in shapes:
        raise ValueError(f"output must name a node of the graph; got {output!r}")
    used = {output}
    for n in reversed(nodes):
        if n.name in used:
            used.update(n.inputs)
    dead = [n.name for n in nodes if n.name not in used]
    if dead:
        raise ValueError(f"every node must lead to the output {output!r}; {dead} do not")


def _check_node_shape(n: Node, shapes: list[tuple[int, ...]]) -> None:
    sizes = [math.prod(s) for s in shapes]
    arity = {Input: 0, Affine: 1, Elementwise: 1, GroupMax: 1, Reshape: 1}
    for kind, count in arity.items():
        if type(n) is kind and len(shapes) != count:
            raise ValueError(f"node {n.name!r} ({kind.__name__}) takes {count} input(s); "
                             f"got {len(shapes)}")
    if isinstance(n, Affine):
        if n.op.in_size != sizes[0] or n.op.out_size != n.size:
            raise ValueError(
                f"node {n.name!r}: its operator maps {n.op.in_shape} to {n.op.out_shape} but "
                f"its input has shape {shapes[0]} and its output shape is {n.shape}"
            )
        if n.bias is not None and n.bias.shape != (n.size,):
            raise ValueError(f"node {n.name!r}: bias must be flat with {n.size} entries; got "
                             f"shape {n.bias.shape}")
    elif isinstance(n, (Elementwise,)) and shapes[0] != n.shape:
        raise ValueError(f"node {n.name!r}: an elementwise node keeps its input's shape "
                         f"{shapes[0]}; got {n.shape}")
    elif isinstance(n, Reshape) and sizes[0] != n.size:
        raise ValueError(f"node {n.name!r}: cannot reshape {shapes[0]} ({sizes[0]} entries) to "
                         f"{n.shape} ({n.size} entries)")
    elif isinstance(n, Add) and (len(shapes) < 2 or any(s != n.shape for s in shapes)):
        raise ValueError(f"node {n.name!r}: Add takes two or more inputs of its shape {n.shape};"
                         f" got {shapes}")
    elif isinstance(n, GroupMax):
        g = n.groups
        if g.ndim != 2 or g.shape[0] != n.size or g.shape[1] < 1 or np.any(g[:, 0] < 0) or \
                np.any(g >= sizes[0]) or np.any(g < -1):
            raise ValueError(
                f"node {n.name!r}: groups must be an int array of shape ({n.size}, k) of input "
                f"positions below {sizes[0]} (-1 padding after the first column)"
            )


def _concat_order(shapes: list[tuple[int, ...]], axis: int) -> tuple[tuple[int, ...], np.ndarray,
                                                                    np.ndarray]:
    """Output shape, and for each output entry its position in the inputs' flat rows placed
    side by side, and which input it comes from."""
    offsets = np.cumsum([0] + [math.prod(s) for s in shapes])
    blocks = [np.arange(a, b).reshape(s) for a, b, s in zip(offsets[:-1], offsets[1:], shapes)]
    order = np.concatenate(blocks, axis=axis)
    parts = np.concatenate([np.full(s, i) for i, s in enumerate(shapes)], axis=axis)
    return order.shape, order.reshape(-1), parts.reshape(-1)


# -- building ------------------------------------------------------------------------------


class GraphBuilder:
    """Builds a :class:`Graph` node by node; each method returns the new node's name.

    Parameters are taken as given (float64, or Fractions for an exact graph); nodes get
    readable default names (``conv1``, ``relu2``, ...) unless ``name`` is given.

    Examples
    --------
    A maxout layer of rank 3 on 6 dense units:

    >>> import numpy as np
    >>> b = GraphBuilder((2,))
    >>> h = b.maxout(b.dense(b.input, np.arange(12.0).reshape(6, 2)), 3)
    >>> g = b.build(b.dense(h, [[1.0, -1.0]]))
    >>> g.piecewise_linear_nodes
    ('maxout1',)
    """

    def __init__(self, input_shape: Sequence[int] | int, input_name: str = "input") -> None:
        shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
        self._nodes: list[Node] = [Input(input_name, (), _shape(shape, "input_shape"))]
        self._shapes = {input_name: self._nodes[0].shape}
        self._count: dict[str, int] = {}
        self._reserved: set[str] = set()

    @property
    def input(self) -> str:
        return self._nodes[0].name

    def shape(self, x: str) -> tuple[int, ...]:
        """The output shape of node ``x``."""
        try:
            return self._shapes[x]
        except KeyError:
            raise ValueError(f"no node named {x!r} has been added") from None

    def reserve(self, base: str) -> str:
        """A fresh node name, ``base`` or ``base_1``, ``base_2``, ..., kept for a node
        added later (importers name nodes by module path or ONNX node name).

        >>> b = GraphBuilder((2,))
        >>> b.reserve("relu"), b.reserve("relu"), b.reserve("input")
        ('relu', 'relu_1', 'input_1')
        """
        name, k = base, 0
        while name in self._shapes or name in self._reserved:
            k += 1
            name = f"{base}_{k}"
        self._reserved.add(name)
        return name

    def _name(self, kind: str, name: str | None) -> str:
        if name is not None:
            if not isinstance(name, str) or not name:
                raise TypeError(f"name must be a non-empty string, got {name!r}")
            return name
        while True:
            self._count[kind] = self._count.get(kind, 0) + 1
            candidate = f"{kind}{self._count[kind]}"
            if candidate not in self._shapes and candidate not in self._reserved:
                return candidate

    def add_node(self, node: Node) -> str:
        """Append a node (its inputs must exist); returns its name."""
        for src in node.inputs:
            self.shape(src)
        if node.name in self._shapes:
            raise ValueError(f"node names must be unique; {node.name!r} is taken")
        _check_node_shape(node, [self._shapes[s] for s in node.inputs])
        self._nodes.append(node)
        self._shapes[node.name] = node.shape
        self._reserved.discard(node.name)
        return node.name

    # affine nodes

    def affine(self, x: str, op: LinearOperator, bias: Any = None, name: str | None = None,
               kind: str = "affine") -> str:
        """``op(x) + bias``; ``bias`` broadcasts over ``op.out_shape`` from a scalar, a flat
        array, or one value per channel."""
        flat = None if bias is None else _bias(bias, op.out_shape, op.is_exact)
        return self.add_node(Affine(self._name(kind, name), (x,), op.out_shape, op, flat))

    def dense(self, x: str, matrix: Any, bias: Any = None, name: str | None = None) -> str:
        """``W x + b`` on the flattened input (``W`` of shape ``(out, in)``)."""
        m = _numbers.coerce_array(matrix, "matrix", 2)
        return self.affine(x, Dense(m, in_shape=self.shape(x)), bias, name, "dense")

    def conv(self, x: str, kernel: Any, bias: Any = None, stride: int | Sequence[int] = 1,
             padding: int | Sequence[int] = 0, dilation: int | Sequence[int] = 1,
             groups: int = 1, name: str | None = None) -> str:
        """Convolution with kernel ``(out_channels, in_channels / groups, *k)``; ``bias`` per
        output channel."""
        op = Conv(kernel, self.shape(x), stride, padding, dilation, groups)
        return self.affine(x, op, bias, name, "conv")

    def avg_pool(self, x: str, kernel_size: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
                 count_include_pad: bool = True, divisor_override: int | None = None,
                 name: str | None = None) -> str:
        op = AveragePool.window(self.shape(x), kernel_size, stride, padding, count_include_pad,
                                divisor_override)
        return self.affine(x, op, None, name, "avgpool")

    def adaptive_avg_pool(self, x: str, output_size: int | Sequence[int],
                          name: str | None = None) -> str:
        op = AveragePool.adaptive(self.shape(x), output_size)
        return self.affine(x, op, None, name, "avgpool")

    def batch_norm(self, x: str, mean: Any, var: Any, weight: Any = None, bias: Any = None,
                   eps: float = 1e-5, name: str | None = None) -> str:
        """Batch normalisation in eval mode, ``(x - mean) / sqrt(var + eps) * weight + bias``
        per channel, kept as a per-channel affine map. The square root is taken in float64
        (once, here); the resulting scale and shift are then the node's exact parameters."""
        c = self.shape(x)[0]
        vals = {}
        for key, value, default in (("mean", mean, 0.0), ("var", var, 1.0),
                                    ("weight", weight, 1.0), ("bias", bias, 0.0)):
            arr = np.full(c, default) if value is None else _numbers.to_float(
                _numbers.coerce_array(value, key, 1))
            if arr.shape != (c,):
                raise ValueError(f"{key} must have one entry per channel ({c}); got shape "
                                 f"{arr.shape}")
            vals[key] = arr
        if np.any(vals["var"] + eps <= 0):
            raise ValueError("var + eps must be positive in every channel")
        scale = vals["weight"] / np.sqrt(vals["var"] + eps)
        shift = vals["bias"] - vals["mean"] * scale
        return self.affine(x, ChannelScale(scale, self.shape(x)), shift, name, "batchnorm")

    def add(self, *xs: str, name: str | None = None) -> str:
        shape = self.shape(xs[0]) if xs else ()
        return self.add_node(Add(self._name("add", name), tuple(xs), shape))

    def concat(self, xs: Sequence[str], axis: int = 0, name: str | None = None) -> str:
        """Concatenate along ``axis`` of the per-example shapes (0: channels)."""
        shapes = [self.shape(x) for x in xs]
        if not shapes or any(len(s) != len(shapes[0]) for s in shapes) or not (
                -len(shapes[0]) <= axis < len(shapes[0])):
            raise ValueError(f"concat needs inputs of one rank with axis in range; got shapes "
                             f"{shapes} and axis {axis}")
        axis %= len(shapes[0])
        if any(s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]
               for s in shapes):
            raise ValueError(f"concat inputs must agree off axis {axis}; got shapes {shapes}")
        shape, order, parts = _concat_order(shapes, axis)
        return self.add_node(Concat(self._name("concat", name), tuple(xs), shape, axis, order,
                                    parts))

    def reshape(self, x: str, shape: Sequence[int], name: str | None = None) -> str:
        """A new shape (one entry may be -1)."""
        size = math.prod(self.shape(x))
        dims = [int(v) for v in shape]
        if dims.count(-1) == 1:
            rest = math.prod(v for v in dims if v != -1)
            dims[dims.index(-1)] = size // rest if rest and size % rest == 0 else -1
        return self.add_node(Reshape(self._name("reshape", name), (x,),
                                     _shape(dims, "shape")))

    def flatten(self, x: str, name: str | None = None) -> str:
        return self.reshape(x, (math.prod(self.shape(x)),), name=name or self._name(
            "flatten", None))

    # piecewise-linear nodes

    def activation(self, x: str, activation: str | Activation, name: str | None = None) -> str:
        """An elementwise activation: a registered name (``"relu"``, ``"hardtanh"``,
        ``"leaky_relu"``, ``"abs"``, ``"relu6"``, ``"linear"``) or an
        :class:`~regions.activations.Activation` (e.g. ``leaky_relu(0.2)``)."""
        act = _resolve(activation, "activation")
        kind = act.name.split("(")[0]
        return self.add_node(Elementwise(self._name(kind, name), (x,), self.shape(x), act))

    def group_max(self, x: str, groups: Any, shape: Sequence[int] | None = None,
                  name: str | None = None, kind: str = "max") -> str:
        """Output ``i`` is the maximum of the entries ``groups[i]`` of ``x`` (flat positions,
        ``-1`` padding)."""
        g = np.asarray(groups)
        if g.dtype.kind not in "iu" or g.ndim != 2:
            raise TypeError(f"groups must be a 2-D int array; got {g.dtype} of shape {g.shape}")
        out = (g.shape[0],) if shape is None else _shape(shape, "shape")
        return self.add_node(GroupMax(self._name(kind, name), (x,), out, g.astype(np.int64)))

    def max_pool(self, x: str, kernel_size: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
                 dilation: int | Sequence[int] = 1, name: str | None = None) -> str:
        """Max pooling over windows of each channel (padding never wins: it is left out)."""
        shape = self.shape(x)
        d = len(shape) - 1
        kernel = int_tuple(kernel_size, d, "kernel_size", 1)
        stride_ = kernel if stride is None else int_tuple(stride, d, "stride", 1)
        out, idx = window_index(shape[1:], kernel, stride_, int_tuple(padding, d, "padding", 0),
                                int_tuple(dilation, d, "dilation", 1))
        if np.any(idx.max(axis=1) < 0):
            raise ValueError("max_pool: a window lies wholly in the padding")
        idx = np.sort(np.where(idx < 0, np.iinfo(np.int64).max, idx), axis=1)
        idx[idx == np.iinfo(np.int64).max] = -1
        s = math.prod(shape[1:])
        groups = np.concatenate([np.where(idx >= 0, idx + c * s, -1) for c in range(shape[0])])
        return self.group_max(x, groups, (shape[0],) + out, name, "maxpool")

    def max(self, x: str, axis: int, keepdim: bool = False, name: str | None = None) -> str:
        """The maximum along one axis (``torch.amax``)."""
        shape = self.shape(x)
        axis %= len(shape)
        pos = np.moveaxis(np.arange(math.prod(shape)).reshape(shape), axis, -1)
        out: tuple[int, ...] = pos.shape[:-1]
        if keepdim:
            out = shape[:axis] + (1,) + shape[axis + 1:]
        return self.group_max(x, pos.reshape(-1, shape[axis]), out or (1,), name)

    def maxout(self, x: str, rank: int, name: str | None = None) -> str:
        """Maxout of rank ``rank``: consecutive groups of ``rank`` entries of the flat input
        (Goodfellow et al. 2013)."""
        size = math.prod(self.shape(x))
        if not isinstance(rank, (int, np.integer)) or rank < 1 or size % rank:
            raise ValueError(f"rank must be a positive int dividing the input size {size}; got "
                             f"{rank!r}")
        return self.group_max(x, np.arange(size).reshape(-1, rank), None, name, "maxout")

    def build(self, output: str) -> Graph:
        """The graph of the nodes leading to ``output``."""
        self.shape(output)
        used = {output}
        for n in reversed(self._nodes):
            if n.name in used:
                used.update(n.inputs)
        return Graph([n for n in self._nodes if n.name in used or isinstance(n, Input)], output)


def _shape(value: Any, name: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(v) for v in value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of positive ints; got {value!r}") from None
    if not dims or any(v < 1 for v in dims):
        raise ValueError(f"{name} must be a non-empty sequence of positive ints; got {value!r}")
    return dims


def _bias(bias: Any, shape: tuple[int, ...], exact: bool) -> np.ndarray:
    b = _numbers.coerce_array(bias, "bias", (0, 1)) if np.ndim(bias) <= 1 else \
        _numbers.coerce_array(np.asarray(bias).reshape(-1), "bias", 1)
    size = math.prod(shape)
    if b.ndim == 0:
        b = np.full(size, b[()], dtype=b.dtype)
    elif b.shape[0] == shape[0] and size != shape[0]:
        b = np.repeat(b, size // shape[0])
    if b.shape != (size,):
        raise ValueError(f"bias must be a scalar, one value per channel ({shape[0]}) or flat "
                         f"({size}); got {b.shape[0]} values")
    return b


def compose_input(graph: Graph, matrix: Any, offset: Any, name: str = "slice") -> Graph:
    """The graph of ``u -> graph(matrix @ u + offset)``: ``graph`` read on an affine slice of
    its input space (``matrix`` of shape ``(input_size, d)``, ``offset`` of ``input_size``
    entries). The new input is named ``name``; the old input becomes the affine node.

    >>> from regions import random_network
    >>> g = as_graph(random_network([3, 4, 1], seed=0))
    >>> s = compose_input(g, np.eye(3)[:, :2], np.zeros(3))
    >>> s.input_shape, bool(np.allclose(s([[1.0, 2.0]]), g([[1.0, 2.0, 0.0]])))
    ((2,), True)
    """
    m = _numbers.coerce_array(matrix, "matrix", 2)
    if m.shape[0] != graph.input_size:
        raise ValueError(f"matrix must have {graph.input_size} rows (the graph's input size); "
                         f"got shape {m.shape}")
    if any(n.name == name for n in graph.nodes):
        raise ValueError(f"name {name!r} is taken by a node of the graph")
    first = Input(name, (), (m.shape[1],))
    op = Dense(m, out_shape=graph.input_shape)
    bias = _bias(offset, graph.input_shape, op.is_exact)
    lift = Affine(graph.input.name, (name,), graph.input_shape, op, bias)
    return Graph([first, lift] + list(graph.nodes[1:]), graph.output)


def as_graph(model: Any) -> Graph:
    """The :class:`Graph` of a dense :class:`~regions.Network` (affine and elementwise nodes
    ``linear1, layer1, linear2, layer2, ...``), or a Graph itself.

    >>> from regions import random_network
    >>> as_graph(random_network([3, 4, 1], seed=0)).piecewise_linear_nodes
    ('layer1', 'layer2')
    """
    if isinstance(model, Graph):
        return model
    from .network import Network

    if not isinstance(model, Network):
        raise TypeError(f"model must be a regions.Network or regions.Graph, got "
                        f"{type(model).__name__}")
    b = GraphBuilder((model.widths[0],))
    h = b.input
    for i, (w, bias, act) in enumerate(zip(model.weights, model.biases, model.activations)):
        h = b.affine(h, Dense(w), bias, name=f"linear{i + 1}")
        h = b.add_node(Elementwise(f"layer{i + 1}", (h,), (w.shape[0],), act))
    return b.build(h)
