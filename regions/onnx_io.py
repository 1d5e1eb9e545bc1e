"""Import a piecewise-linear network from ONNX: :func:`from_onnx`.

The model is read with the ``onnx`` package alone (no runtime, no PyTorch) and converted
node by node into a :class:`~regions.graph.Graph`. ONNX tensors are batch first,
``(N, C, ...)``; a graph tensor is one example, ``(C, ...)``, so the batch axis is dropped
and every operation must act on each example separately.

==========================================  ===============================================
ONNX operation                              graph node
==========================================  ===============================================
``Gemm``, ``MatMul`` (constant weight)      :class:`~regions.operators.Dense` affine node
``Conv``                                    :class:`~regions.operators.Conv` affine node
``BatchNormalization``                      per-channel affine node (inference form)
``AveragePool``, ``GlobalAveragePool``      :class:`~regions.operators.AveragePool` node
``MaxPool``                                 :class:`~regions.graph.GroupMax` node
``ReduceMax``, ``ReduceMin``                :class:`~regions.graph.GroupMax` node over
                                            per-example axes (maxout, global max pooling;
                                            a minimum between two negations)
``Relu``, ``LeakyRelu``, ``Abs``, ``Clip``  :class:`~regions.graph.Elementwise` node
``Add``                                     :class:`~regions.graph.Add` node (two tensors) or
                                            an affine node (a tensor plus a constant)
``Concat``                                  :class:`~regions.graph.Concat` node
``Flatten``, ``Reshape``                    :class:`~regions.graph.Reshape` node
``Identity``, ``Dropout``                   nothing (inference: the identity)
``Constant``                                a constant (like an initializer)
``Shape``, ``Gather``, ... on constants     a constant, folded (see below)
==========================================  ===============================================

``Clip`` becomes ``hardtanh(min, max)``, ``relu6`` for (0, 6), ``relu`` for a lone min of 0,
or a one-sided clip. An ``Add`` of a constant that is the only reader of a ``Gemm``,
``MatMul``, ``Conv`` or ``AveragePool`` output is folded into that node's bias.

Operations whose inputs are all constants are evaluated once, at import (constant folding):
``Shape`` (of any tensor: its per-example shape is known), ``ConstantOfShape``, ``Cast``,
``Unsqueeze``, ``Squeeze``, ``Gather``, ``Slice``, ``Concat``, ``Reshape``, ``Expand``,
``Range``, ``Add``, ``Sub``, ``Mul``, ``Div``, ``Mod``, ``Neg``, ``Equal``, ``Where``. This is
how the ``Shape -> Gather -> Unsqueeze -> Concat`` chains that PyTorch's exporter writes for
``x.view(x.size(0), -1)`` become a constant ``Reshape`` shape. The batch size may be
symbolic: shape values computed from it are followed as such, and a ``Reshape`` whose first
target entry is the batch size keeps the batch axis (as would ``0`` or ``-1``); a batch size
anywhere else, or in a weight, is not supported. Applied to tensors computed from the graph
input, these operations are not supported (except those in the table).

Graph nodes take the ONNX node names (``op_type`` and the node's index, ``Relu_3``, for an
unnamed node; a ``_1``, ``_2``... suffix if a name repeats); the input node takes the graph input's
name. Parameters become float64 arrays (float32 and float16 values exactly).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from .activations import ACTIVATIONS, Activation, hardtanh, leaky_relu
from .graph import Graph, GraphBuilder
from .operators import AveragePool, ChannelScale, Conv, Dense, LinearOperator

if TYPE_CHECKING:  # pragma: no cover
    import onnx

__all__ = ["from_onnx"]

_DEFAULT_DOMAINS = ("", "ai.onnx")

_NOT_PIECEWISE_LINEAR = frozenset({
    "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Gelu", "Elu", "Selu", "Celu", "Softplus",
    "Softsign", "Exp", "Log", "Erf", "Mish", "HardSwish", "Swish", "Sqrt", "Pow", "Reciprocal",
})


def from_onnx(model_or_path: onnx.ModelProto | str | os.PathLike[str] | bytes) -> Graph:
    """Convert an ONNX model of a piecewise-linear network into a :class:`~regions.Graph`.

    Parameters
    ----------
    model_or_path : onnx.ModelProto, str, os.PathLike or bytes
        A loaded model, the path of a ``.onnx`` file, or a serialized model.

    Returns
    -------
    Graph
        Input shape: the graph input's dimensions after the batch axis (the batch dimension
        may be symbolic; the others must be concrete). Output: the model's one output.

    Raises
    ------
    NotImplementedError
        The model is valid ONNX but uses something outside the supported subset: an
        operation that is not piecewise linear (``Sigmoid``, ``Tanh``, ``Softmax``, ``Gelu``,
        ...) or not supported (``Resize``, an unknown or custom-domain op, shape arithmetic
        such as ``Gather`` applied to a tensor computed from the input), a weight or
        ``Reshape`` shape computed from the input (or from the batch size, except as the
        first ``Reshape`` entry), asymmetric pads, ``ceil_mode=1``, a second node output
        (``MaxPool`` indices), an operation across the batch axis (``Concat`` on axis 0,
        ``Flatten`` with ``axis != 1``, ``Gemm`` with ``transA=1``, ``ReduceMax`` over
        it), broadcasting between two non-constant tensors, or a graph with several inputs
        or outputs.
    ValueError
        The model is malformed or lacks what is needed: no input or output, a tensor read
        before it is produced, a non-batch input dimension that is not a concrete positive
        int, shapes that do not fit, or a declared output shape that disagrees.
    TypeError
        ``model_or_path`` is none of the accepted kinds.

    Errors about a node name it (or give its index and ``op_type`` if it has no name), and
    its operation.

    Notes
    -----
    Only the nodes that lead to the output are converted. ``Clip`` takes its bounds from
    constant inputs (opset 11 and later) or attributes (earlier opsets); float32 attributes
    (``LeakyRelu``'s ``alpha``, ``Gemm``'s ``alpha`` and ``beta``, ``epsilon``) are taken at
    their exact float32 values. ``MatMul`` with inputs of more than two axes applies its
    constant matrix to each example's last axes, stored as a dense (block) matrix.
    ``ReduceMax`` takes its axes from the ``axes`` attribute (opset 17 and earlier) or a
    constant second input (opset 18 and later), and keeps them with ``keepdims=1`` (the
    default).

    Models exported by PyTorch (``torch.onnx.export(model, (x,), f, dynamo=False)``)
    import to the graph of :func:`regions.from_torch` up to ONNX's float32 attributes
    (``LeakyRelu``'s ``alpha``, ``BatchNormalization``'s ``epsilon``) and, with the
    exporter's default constant folding, a batch normalisation merged into the
    convolution before it (its weights then rounded to the model's dtype by the exporter).
    With a symbolic batch axis (``dynamic_axes``), that exporter writes ``x.size(0)`` as the
    batch size it traced with once the batch axis is lost to its shape inference (after an
    ``unflatten``): such a ``Reshape`` is refused, as it holds for that batch size only.

    References
    ----------
    .. [1] ONNX operator specifications, https://onnx.ai/onnx/operators/ (the semantics of
       every converted operation, attribute defaults and broadcasting).
    .. [2] ONNX intermediate representation, https://onnx.ai/onnx/repo-docs/IR.html (graphs,
       initializers, value types and symbolic dimensions).

    Examples
    --------
    >>> import numpy as np
    >>> from onnx import TensorProto, helper, numpy_helper
    >>> w = numpy_helper.from_array(np.array([[1, -1], [2, 0.5]], np.float32), "w")
    >>> nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="fc"),
    ...          helper.make_node("Relu", ["h"], ["y"], name="relu")]
    >>> x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])
    >>> y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])
    >>> model = helper.make_model(helper.make_graph(nodes, "mlp", [x], [y], [w]))
    >>> g = from_onnx(model)
    >>> g.input_shape, g.piecewise_linear_nodes
    ((2,), ('relu',))
    >>> g([[1.0, 1.0], [-1.0, 1.0]])
    array([[3. , 0. ],
           [1. , 1.5]])
    """
    return _Converter(_load(model_or_path).graph).convert()


# -- loading and reading protos ------------------------------------------------------------


def _load(source: Any) -> onnx.ModelProto:
    import onnx

    if isinstance(source, onnx.ModelProto):
        return source
    if isinstance(source, (bytes, bytearray)):
        return onnx.load_model_from_string(bytes(source))
    if isinstance(source, (str, os.PathLike)):
        return onnx.load(os.fspath(source))
    raise TypeError(f"model_or_path must be an onnx.ModelProto, a path or bytes; got "
                    f"{type(source).__name__}")


def _attributes(node: onnx.NodeProto) -> dict[str, Any]:
    from onnx import helper

    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    return {k: v.decode() if isinstance(v, bytes) else v for k, v in attrs.items()}


def _is_default(node: onnx.NodeProto, op_type: str) -> bool:
    """Whether ``node`` is the ONNX operation ``op_type`` (of the default domain)."""
    return node.op_type == op_type and node.domain in _DEFAULT_DOMAINS


def _required(node: _Node, key: str) -> Any:
    """A required attribute."""
    if key not in node.attrs:
        raise ValueError(f"the required attribute {key!r} is missing")
    return node.attrs[key]


def _constant(node: _Node) -> np.ndarray:
    """The value of a ``Constant`` node."""
    from onnx import numpy_helper

    attrs = node.attrs
    if "value" in attrs:
        return numpy_helper.to_array(attrs["value"])
    for key in ("value_float", "value_floats", "value_int", "value_ints"):
        if key in attrs:
            return np.asarray(attrs[key])
    raise NotImplementedError(f"a Constant with attribute(s) {sorted(attrs)} (only value, "
                              "value_float(s) and value_int(s) are supported)")


def _input_shape(value: onnx.ValueInfoProto) -> tuple[int, ...]:
    """The per-example shape of the graph input (its dimensions after the batch axis)."""
    from onnx import TensorProto

    t = value.type.tensor_type
    if not value.type.HasField("tensor_type") or not t.HasField("shape"):
        raise ValueError(f"the graph input {value.name!r} must be a tensor of known rank")
    if t.elem_type not in (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16,
                           TensorProto.BFLOAT16):
        raise ValueError(f"the graph input {value.name!r} must be a floating-point tensor; "
                         f"its element type is {TensorProto.DataType.Name(t.elem_type)}")
    dims = [d.dim_value if d.HasField("dim_value") else d.dim_param or "?" for d in t.shape.dim]
    rest = dims[1:]
    if not rest or not all(isinstance(d, int) and d > 0 for d in rest):
        raise ValueError(
            f"the graph input {value.name!r} must have shape (batch, d1, ...) with concrete "
            f"positive d1, ...; got {tuple(dims)}"
        )
    return tuple(int(d) for d in rest)


def _batch_size(value: onnx.ValueInfoProto) -> int | None:
    """The graph input's batch dimension if concrete, None if symbolic."""
    dims = value.type.tensor_type.shape.dim
    return int(dims[0].dim_value) if dims and dims[0].HasField("dim_value") and \
        dims[0].dim_value > 0 else None


def _declared_shape(value: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    """The per-example shape declared for a graph output, if fully concrete."""
    t = value.type.tensor_type
    if not value.type.HasField("tensor_type") or not t.HasField("shape"):
        return None
    dims = t.shape.dim
    if len(dims) < 2 or not all(d.HasField("dim_value") for d in dims[1:]):
        return None
    return tuple(int(d.dim_value) for d in dims[1:])


def _real(arr: np.ndarray, what: str) -> np.ndarray:
    """A constant as float64 (exact for float16/float32 and moderate integers)."""
    if arr.dtype.kind not in "fiu":
        raise NotImplementedError(f"{what} must be a real tensor; got dtype {arr.dtype}")
    return np.asarray(arr, dtype=np.float64)


def _broadcast_bias(c: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """``c`` broadcast (ONNX/NumPy rules) over one batch-first example of ``shape``, flat;
    None if it does not broadcast to exactly ``(1, *shape)``."""
    if c.ndim > len(shape) + 1 or c.dtype.kind not in "fiu":
        return None
    try:
        full = np.broadcast_to(c, (1,) + shape)
    except ValueError:
        return None
    return np.asarray(full, dtype=np.float64).reshape(-1)


# -- the converter ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """An ONNX node being converted: its proto, index and graph name."""

    proto: Any
    index: int
    name: str

    @cached_property
    def attrs(self) -> dict[str, Any]:
        return _attributes(self.proto)

    @property
    def label(self) -> str:
        p = self.proto
        return f"ONNX node {p.name!r} ({p.op_type})" if p.name else \
            f"ONNX node #{self.index} ({p.op_type}, unnamed)"


_SYMBOLIC_BATCH = (5, 7)
"""Two batch sizes that stand for a symbolic one: shape arithmetic is evaluated with both,
and a constant whose values differ depends on the batch size."""


class _Converter:
    """Converts one ONNX graph; ``tensors`` maps ONNX tensor names to graph node names and
    ``consts`` holds the constant tensors (initializers, ``Constant`` outputs and folded
    computations). A constant that depends on a symbolic batch size is evaluated at
    ``_SYMBOLIC_BATCH[0]`` in ``consts`` and at ``_SYMBOLIC_BATCH[1]`` in ``alt``."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        from onnx import numpy_helper

        self.graph = graph
        self.consts: dict[str, np.ndarray] = {
            t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.output = self._output_name()
        self.nodes = [(graph.node[i], i) for i in self._needed_nodes()]
        self.readers: dict[str, list[int]] = {}  # tensor -> the converted nodes reading it
        for proto, index in self.nodes:
            for t in set(proto.input):
                self.readers.setdefault(t, []).append(index)
        for proto, index in self.nodes:  # constants first: an Add may read a later one
            if _is_default(proto, "Constant"):
                self.consts[proto.output[0]] = self._guard(_Node(proto, index, ""), _constant)
        inp = self._input()
        self.builder = GraphBuilder(_input_shape(inp), input_name=inp.name)
        self.batch = _batch_size(inp)  # None: symbolic
        self.alt: dict[str, np.ndarray] = {}
        self.tensors: dict[str, str] = {inp.name: inp.name}
        self.folded: dict[int, str] = {}  # node index -> the graph node it was folded into

    # structure

    def _output_name(self) -> str:
        outs = [o.name for o in self.graph.output]
        if len(outs) != 1:
            if not outs:
                raise ValueError("the ONNX graph has no output")
            raise NotImplementedError(f"the ONNX graph has {len(outs)} outputs {outs}; a "
                                      "regions Graph has exactly one")
        return outs[0]

    def _input(self) -> onnx.ValueInfoProto:
        inputs = [v for v in self.graph.input if v.name not in self.consts]
        if len(inputs) != 1:
            if not inputs:
                raise ValueError("the ONNX graph has no input besides its initializers")
            raise NotImplementedError(
                f"the ONNX graph has {len(inputs)} inputs {[v.name for v in inputs]} that are "
                "not initializers; a regions Graph has exactly one")
        return inputs[0]

    def _needed_nodes(self) -> list[int]:
        """Indices of the nodes the output depends on, in order."""
        producer = {o: i for i, n in enumerate(self.graph.node) for o in n.output if o}
        needed: set[int] = set()
        stack = [self.output]
        while stack:
            i = producer.get(stack.pop())
            if i is not None and i not in needed:
                needed.add(i)
                stack.extend(t for t in self.graph.node[i].input if t)
        return sorted(needed)

    def _name(self, proto: Any, index: int, base: str | None = None) -> str:
        """A fresh graph node name: the ONNX node's name, ``op_type_index`` if it has none,
        ``_1``, ``_2``... if taken."""
        return self.builder.reserve(base or proto.name or f"{proto.op_type}_{index}")

    # conversion

    def convert(self) -> Graph:
        for proto, index in self.nodes:
            if index in self.folded:
                self.tensors[proto.output[0]] = self.folded[index]
            elif not _is_default(proto, "Constant"):
                self._guard(_Node(proto, index, self._name(proto, index)), self._convert_node)
        if self.output in self.consts or self.output not in self.tensors:
            raise ValueError(f"the graph output {self.output!r} must be computed from the graph "
                             "input (it is a constant or is never produced)")
        graph = self.builder.build(self.tensors[self.output])
        declared = _declared_shape(self.graph.output[0])
        if declared is not None and declared != graph.output_shape:
            raise ValueError(f"the graph output {self.output!r} is declared with per-example "
                             f"shape {declared} but computes {graph.output_shape}")
        return graph

    @staticmethod
    def _guard(node: _Node, fn: Callable[[_Node], Any]) -> Any:
        """``fn(node)``, its errors prefixed with the node's label."""
        try:
            return fn(node)
        except (NotImplementedError, ValueError, TypeError) as e:
            kind = next(k for k in (NotImplementedError, ValueError, TypeError)
                        if isinstance(e, k))
            raise kind(f"{node.label}: {e}") from e

    def _convert_node(self, node: _Node) -> None:
        p = node.proto
        if p.domain not in _DEFAULT_DOMAINS:
            raise NotImplementedError(f"unsupported operation {p.op_type!r} of domain "
                                      f"{p.domain!r} (only the default ONNX domain converts)")
        if p.op_type in _NOT_PIECEWISE_LINEAR:
            raise NotImplementedError(f"{p.op_type} is not piecewise linear (only "
                                      "piecewise-linear networks have linear regions)")
        handler = _HANDLERS.get(p.op_type)
        folder = _FOLDERS.get(p.op_type)
        if folder is not None and (p.op_type == "Shape" or all(
                self._is_const(node, i) for i, t in enumerate(p.input) if t)):
            self._fold(node, folder)
            return
        if handler is None:
            if folder is not None:
                i, t = next((i, t) for i, t in enumerate(p.input) if t and not
                            self._is_const(node, i))
                raise NotImplementedError(
                    f"{p.op_type} is supported on constants only (shape arithmetic, folded "
                    f"at import); its input {i} ({t!r}) is computed from the graph input")
            raise NotImplementedError(
                f"unsupported operation {p.op_type!r}; supported: "
                f"{', '.join(sorted([*_HANDLERS, 'Constant']))}; on constants only: "
                f"{', '.join(sorted(set(_FOLDERS) - set(_HANDLERS)))}")
        extra = [o for o in p.output[1:] if o]
        if extra:
            raise NotImplementedError(f"only the first output converts; it also has outputs "
                                      f"{extra}")
        result = handler(self, node)
        if result is not None:  # None: the output is a constant, recorded by the handler
            self.tensors[p.output[0]] = result

    def _fold(self, node: _Node, fn: Callable[[_Node, list[np.ndarray | None]], np.ndarray]
              ) -> None:
        """Evaluate a node on constants (twice if an input depends on a symbolic batch size:
        the result depends on it too if the two values differ)."""
        p = node.proto
        extra = [o for o in p.output[1:] if o]
        if extra:
            raise NotImplementedError(f"only the first output converts; it also has outputs "
                                      f"{extra}")
        if p.op_type == "Shape":
            value, other = self._shape_values(node)
        else:
            value = np.asarray(fn(node, self._fold_inputs(node, False)))
            other = np.asarray(fn(node, self._fold_inputs(node, True))) if any(
                t in self.alt for t in p.input) else None
        self.consts[p.output[0]] = value
        if other is not None and (other.shape != value.shape or
                                  not np.array_equal(other, value)):
            self.alt[p.output[0]] = other

    def _fold_inputs(self, node: _Node, alt: bool) -> list[np.ndarray | None]:
        return [None if not t else self.alt[t] if alt and t in self.alt else self.consts[t]
                for t in node.proto.input]

    def _shape_values(self, node: _Node) -> tuple[np.ndarray, np.ndarray | None]:
        """``Shape``: a constant's own shape, or (batch, per-example shape); and its value at
        the second symbolic batch size if it depends on it."""
        name = self._tensor(node, 0)
        if not name:
            raise ValueError("input 0 is missing")
        self._check_defined(name)
        if name in self.consts:
            first = self.consts[name].shape
            second = self.alt[name].shape if name in self.alt else None
        else:
            per = self._shape(self.tensors[name])
            if self.batch is not None:
                first, second = (self.batch, *per), None
            else:
                first, second = ((b, *per) for b in _SYMBOLIC_BATCH)
        start, end = int(node.attrs.get("start", 0)), node.attrs.get("end")
        part = slice(start, None if end is None else int(end))
        return (np.array(first[part], dtype=np.int64),
                None if second is None else np.array(second[part], dtype=np.int64))

    # inputs

    def _tensor(self, node: _Node, i: int) -> str:
        """Input ``i``'s tensor name ('' if absent)."""
        return node.proto.input[i] if i < len(node.proto.input) else ""

    def _is_const(self, node: _Node, i: int) -> bool:
        name = self._tensor(node, i)
        self._check_defined(name)
        return name in self.consts

    def _check_defined(self, name: str) -> None:
        if name and name not in self.consts and name not in self.tensors:
            raise ValueError(f"it reads tensor {name!r}, which no earlier node produces")

    def _runtime(self, node: _Node, i: int = 0) -> str:
        """The graph node computing input ``i``, which must depend on the graph input."""
        name = self._tensor(node, i)
        if not name:
            raise ValueError(f"input {i} is missing")
        self._check_defined(name)
        if name in self.consts:
            raise NotImplementedError(f"input {i} ({name!r}) must be computed from the graph "
                                      "input; constant-only computations are not supported")
        return self.tensors[name]

    def _const(self, node: _Node, i: int, what: str) -> np.ndarray:
        """Input ``i``, which must be a constant (an initializer or a Constant output)."""
        name = self._tensor(node, i)
        if not name:
            raise ValueError(f"the {what} (input {i}) is missing")
        self._check_defined(name)
        if name not in self.consts:
            raise NotImplementedError(
                f"the {what} (input {i}, {name!r}) must be a constant (an initializer or a "
                "Constant node); a value computed from the graph input is not supported")
        if name in self.alt:
            raise NotImplementedError(f"the {what} (input {i}, {name!r}) depends on the batch "
                                      "size; only a Reshape's first shape entry may")
        return self.consts[name]

    def _optional_const(self, node: _Node, i: int, what: str) -> np.ndarray | None:
        return self._const(node, i, what) if self._tensor(node, i) else None

    def _shape(self, x: str) -> tuple[int, ...]:
        return self.builder.shape(x)

    # shared pieces

    def _affine(self, node: _Node, x: str, op: LinearOperator, bias: np.ndarray | None) -> str:
        """An affine node; an ``Add`` of a constant that alone reads its output is folded in
        as (more) bias."""
        extra, add_index = self._following_bias(node, op.out_shape)
        if extra is not None:
            bias = extra if bias is None else bias + extra
        name = self.builder.affine(x, op, bias, name=node.name)
        if add_index is not None:
            self.folded[add_index] = name
        return name

    def _following_bias(self, node: _Node, shape: tuple[int, ...]) -> tuple[
            np.ndarray | None, int | None]:
        out = node.proto.output[0]
        if out == self.output:
            return None, None
        readers = self.readers.get(out, [])
        if len(readers) != 1:
            return None, None
        i = readers[0]
        p = self.graph.node[i]
        if not _is_default(p, "Add") or len(p.input) != 2 or \
                p.attribute or list(p.input).count(out) != 1:
            return None, None
        other = p.input[1] if p.input[0] == out else p.input[0]
        bias = _broadcast_bias(self.consts[other], shape) if other in self.consts and \
            other not in self.alt else None
        return (None, None) if bias is None else (bias, i)

    def _spatial(self, node: _Node, x: str, kernel: Sequence[int], dilations_attr: bool = True
                 ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """Strides, (symmetric) pads and dilations of a windowed operation."""
        spatial = self._shape(x)[1:]
        d = len(spatial)
        if len(kernel) != d or d < 1:
            raise ValueError(f"a kernel of {len(kernel)} spatial axes does not fit an input of "
                             f"shape (batch, {', '.join(map(str, self._shape(x)))})")
        a = node.attrs
        strides = tuple(int(v) for v in a.get("strides", [1] * d))
        dilations = tuple(int(v) for v in a.get("dilations", [1] * d))
        if not dilations_attr and any(v != 1 for v in dilations):
            raise NotImplementedError(f"dilations {list(dilations)} are not supported")
        if a.get("ceil_mode", 0):
            raise NotImplementedError("ceil_mode=1 is not supported (only ceil_mode=0)")
        if len(strides) != d or len(dilations) != d:
            raise ValueError(f"strides and dilations must have {d} entries; got "
                             f"{list(strides)} and {list(dilations)}")
        begin, end = _pads(a, spatial, kernel, strides, dilations)
        if begin != end:
            how = "" if a.get("auto_pad", "NOTSET") == "NOTSET" else \
                f" (auto_pad={a['auto_pad']} on this input)"
            raise NotImplementedError(
                f"asymmetric padding (begins {list(begin)}, ends {list(end)}){how} is not "
                "supported; only equal padding at both ends of each axis")
        return strides, begin, dilations


def _pads(attrs: dict[str, Any], spatial: Sequence[int], kernel: Sequence[int],
          strides: Sequence[int], dilations: Sequence[int]) -> tuple[tuple[int, ...],
                                                                    tuple[int, ...]]:
    """The padding at the beginning and at the end of each spatial axis (``pads`` or
    ``auto_pad``; SAME pads so that the output size is ``ceil(size / stride)``)."""
    d = len(spatial)
    auto = attrs.get("auto_pad", "NOTSET")
    if auto == "NOTSET":
        pads = [int(v) for v in attrs.get("pads", [0] * 2 * d)]
        if len(pads) != 2 * d:
            raise ValueError(f"pads must have {2 * d} entries; got {pads}")
        return tuple(pads[:d]), tuple(pads[d:])
    if auto == "VALID":
        return (0,) * d, (0,) * d
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        raise ValueError(f"unknown auto_pad {auto!r}")
    total = [max(0, (-(-s // st) - 1) * st + (k - 1) * dl + 1 - s)
             for s, k, st, dl in zip(spatial, kernel, strides, dilations)]
    small, large = tuple(t // 2 for t in total), tuple(t - t // 2 for t in total)
    return (small, large) if auto == "SAME_UPPER" else (large, small)


# -- the operations ------------------------------------------------------------------------


def _gemm(c: _Converter, node: _Node) -> str:
    if c._is_const(node, 0):
        raise NotImplementedError("input A must be computed from the graph input (and B be a "
                                  "constant); a constant A would contract the batch axis")
    x = c._runtime(node, 0)
    a = node.attrs
    if a.get("transA", 0):
        raise NotImplementedError("transA=1 would transpose the batch axis into the features")
    if len(c._shape(x)) != 1:
        raise ValueError(f"Gemm needs a 2-D input (batch, features); got (batch, "
                         f"{', '.join(map(str, c._shape(x)))})")
    b = _real(c._const(node, 1, "weight B"), "B")
    if b.ndim != 2:
        raise ValueError(f"B must be a matrix; got shape {b.shape}")
    w = (b.T if a.get("transB", 0) else b) * float(a.get("alpha", 1.0))  # (K, M)
    bias = None
    c_value = c._optional_const(node, 2, "bias C")
    if c_value is not None:
        bias = _broadcast_bias(_real(c_value, "C") * float(a.get("beta", 1.0)), (w.shape[1],))
        if bias is None:
            raise ValueError(f"C of shape {c_value.shape} does not broadcast to one row of "
                             f"{w.shape[1]} outputs (it must not vary over the batch)")
    return c._affine(node, x, Dense(np.ascontiguousarray(w.T), in_shape=c._shape(x)), bias)


def _matmul(c: _Converter, node: _Node) -> str:
    left = c._is_const(node, 0)
    if left == c._is_const(node, 1):
        what = "one of the two inputs" if left else "the weight (one of the two inputs)"
        raise NotImplementedError(f"{what} must be a constant and the other computed from the "
                                  "graph input")
    x = c._runtime(node, 1 if left else 0)
    w = _real(c._const(node, 0 if left else 1, "weight"), "the weight")
    s = c._shape(x)
    if w.ndim != 2:
        raise NotImplementedError(f"only a 2-D constant weight is supported; got shape "
                                  f"{w.shape}")
    if not left:  # x (N, ..., K) @ w (K, M)
        if s[-1] != w.shape[0]:
            raise ValueError(f"cannot multiply an input of shape (batch, {s}) by {w.shape}")
        out, matrix = s[:-1] + (w.shape[1],), np.kron(np.eye(math.prod(s[:-1])), w.T)
    else:  # w (M, K) @ x (N, ..., K, P)
        if len(s) < 2:
            raise NotImplementedError("a constant on the left of a 2-D input would contract "
                                      "the batch axis")
        if s[-2] != w.shape[1]:
            raise ValueError(f"cannot multiply {w.shape} by an input of shape (batch, {s})")
        out = s[:-2] + (w.shape[0], s[-1])
        matrix = np.kron(np.eye(math.prod(s[:-2])), np.kron(w, np.eye(s[-1])))
    return c._affine(node, x, Dense(matrix, in_shape=s, out_shape=out), None)


def _conv(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    w = _real(c._const(node, 1, "weight W"), "W")
    kernel = tuple(w.shape[2:])
    if tuple(node.attrs.get("kernel_shape", kernel)) != kernel:
        raise ValueError(f"kernel_shape {node.attrs['kernel_shape']} disagrees with W of shape "
                         f"{w.shape}")
    strides, pads, dilations = c._spatial(node, x, kernel)
    op = Conv(w, c._shape(x), strides, pads, dilations, int(node.attrs.get("group", 1)))
    b = c._optional_const(node, 2, "bias B")
    if b is not None and b.shape != (op.out_shape[0],):
        raise ValueError(f"B must have one entry per output channel ({op.out_shape[0]}); got "
                         f"shape {b.shape}")
    bias = None if b is None else np.repeat(_real(b, "B"), op.out_size // op.out_shape[0])
    return c._affine(node, x, op, bias)


def _batch_norm(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    a = node.attrs
    if a.get("training_mode", 0) or not a.get("spatial", 1):
        raise NotImplementedError("only inference mode with spatial=1 is supported")
    scale, bias, mean, var = (_real(c._const(node, i, what), what) for i, what in
                              enumerate(("scale", "B", "input_mean", "input_var"), start=1))
    return c.builder.batch_norm(x, mean, var, scale, bias, eps=float(np.float32(
        a.get("epsilon", 1e-5))), name=node.name)


def _average_pool(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    kernel = tuple(int(v) for v in _required(node, "kernel_shape"))
    strides, pads, _ = c._spatial(node, x, kernel, dilations_attr=False)
    op = AveragePool.window(c._shape(x), kernel, strides, pads,
                            bool(node.attrs.get("count_include_pad", 0)))
    return c._affine(node, x, op, None)


def _global_average_pool(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    return c.builder.adaptive_avg_pool(x, (1,) * (len(c._shape(x)) - 1), name=node.name)


def _max_pool(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    kernel = tuple(int(v) for v in _required(node, "kernel_shape"))
    strides, pads, dilations = c._spatial(node, x, kernel)
    return c.builder.max_pool(x, kernel, strides, pads, dilations, name=node.name)


def _activation(act: str | Activation) -> Callable[[_Converter, _Node], str]:
    def convert(c: _Converter, node: _Node) -> str:
        return c.builder.activation(c._runtime(node, 0), act, name=node.name)
    return convert


def _leaky_relu(c: _Converter, node: _Node) -> str:
    alpha = float(np.float32(node.attrs.get("alpha", 0.01)))
    x = c._runtime(node, 0)
    return x if alpha == 1 else c.builder.activation(x, leaky_relu(alpha), name=node.name)


def _clip(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    bounds = []
    for i, key in ((1, "min"), (2, "max")):
        value = c._optional_const(node, i, key)
        if value is not None:
            if value.size != 1:
                raise ValueError(f"{key} must be a scalar; got shape {value.shape}")
            bounds.append(float(_real(value, key).reshape(-1)[0]))
        else:
            bounds.append(float(node.attrs[key]) if key in node.attrs else math.nan)
    lo, hi = (None if math.isnan(v) or math.isinf(v) else v for v in bounds)
    act = _clip_activation(lo, hi)
    return x if act is None else c.builder.activation(x, act, name=node.name)


def _clip_activation(lo: float | None, hi: float | None) -> Activation | None:
    """``min(max(x, lo), hi)`` as an activation (None: no bound, the identity)."""
    if lo is not None and hi is not None:
        return ACTIVATIONS["relu6"] if (lo, hi) == (0, 6) else hardtanh(lo, hi)
    zero, one = Fraction(0), Fraction(1)
    if lo is not None:
        if lo == 0:
            return ACTIVATIONS["relu"]
        t = Fraction(lo)
        return Activation(f"clip({t}, inf)", (t,), (zero, one), (t, zero), (0, 1))
    if hi is not None:
        t = Fraction(hi)
        return Activation(f"clip(-inf, {t})", (t,), (one, zero), (zero, t), (0, 1))
    return None


def _add(c: _Converter, node: _Node) -> str:
    if "axis" in node.attrs:
        raise NotImplementedError("the legacy axis attribute (opset < 7) is not supported")
    if len(node.proto.input) != 2:
        raise ValueError(f"Add takes two inputs; got {len(node.proto.input)}")
    consts = [c._is_const(node, i) for i in (0, 1)]
    if all(consts):
        raise NotImplementedError("an Add of two constants is not supported")
    if not any(consts):
        xs = [c._runtime(node, i) for i in (0, 1)]
        if c._shape(xs[0]) != c._shape(xs[1]):
            raise NotImplementedError(f"broadcasting between two computed tensors is not "
                                      f"supported; got shapes {[c._shape(v) for v in xs]}")
        return c.builder.add(*xs, name=node.name)
    k = consts.index(True)
    x = c._runtime(node, 1 - k)
    shape = c._shape(x)
    bias = _broadcast_bias(c._const(node, k, "constant term"), shape)
    if bias is None:
        raise NotImplementedError(
            f"the constant of shape {c.consts[node.proto.input[k]].shape} must broadcast to one "
            f"example (batch, {', '.join(map(str, shape))}) without changing its shape")
    return c.builder.affine(x, ChannelScale(np.ones(shape[0]), shape), bias, name=node.name)


def _concat(c: _Converter, node: _Node) -> str:
    xs = [c._runtime(node, i) for i in range(len(node.proto.input))]
    rank = len(c._shape(xs[0])) + 1
    axis = int(_required(node, "axis"))
    axis = axis + rank if axis < 0 else axis
    if axis == 0:
        raise NotImplementedError("concatenation along axis 0 (the batch axis) is not "
                                  "supported")
    return c.builder.concat(xs, axis - 1, name=node.name)


def _flatten(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    rank = len(c._shape(x)) + 1
    axis = int(node.attrs.get("axis", 1))
    axis = axis + rank if axis < 0 else axis
    if axis != 1:
        raise NotImplementedError(f"Flatten with axis={node.attrs.get('axis')} merges the batch "
                                  "axis with others; only axis=1 is supported")
    return c.builder.flatten(x, name=node.name)


def _reshape(c: _Converter, node: _Node) -> str:
    x = c._runtime(node, 0)
    name = c._tensor(node, 1)
    batch = c.batch
    if name in c.alt:  # computed from a symbolic batch size: it may be the first entry
        first, second = (np.asarray(v).reshape(-1) for v in (c.consts[name], c.alt[name]))
        if len(first) != len(second) or not len(first) or \
                (first[0], second[0]) != _SYMBOLIC_BATCH or \
                not np.array_equal(first[1:], second[1:]):
            raise NotImplementedError(f"the shape (input 1, {name!r}) depends on the batch "
                                      "size other than by its first entry being the batch size")
        batch = _SYMBOLIC_BATCH[0]
        target = [int(v) for v in first]
    else:
        target = [int(v) for v in c._const(node, 1, "shape").reshape(-1)]
    return c.builder.reshape(x, _reshape_dims(c._shape(x), target,
                                              bool(node.attrs.get("allowzero", 0)), batch,
                                              c.batch is None),
                             name=node.name)


def _reshape_dims(shape: tuple[int, ...], target: list[int], allowzero: bool,
                  batch: int | None = None, symbolic: bool = False) -> list[int]:
    """The per-example shape of ``Reshape`` to ``target`` (batch first) of ``(N, *shape)``;
    a first entry equal to the batch size ``batch`` (if known) keeps the batch axis.
    ``symbolic``: the graph's batch size is symbolic (for the error message)."""
    full = (None,) + shape
    size = math.prod(shape)
    given = target
    if target and batch is not None and target[0] == batch:
        target = [0] + target[1:]
        allowzero = allowzero and 0 in target[1:]
    if not target or target[0] not in (0, -1) or (allowzero and 0 in target):
        hint = ""
        if symbolic and target and target[0] > 0:
            hint = (f"; its first entry {target[0]} is a fixed batch size but the graph "
                    "input's batch size is symbolic (an exporter may have written the batch "
                    "size it traced with: export with a fixed batch size, or flatten with "
                    "flatten(1) rather than view(x.size(0), -1))")
        raise NotImplementedError(f"shape {given} must keep the batch axis first (its first "
                                  f"entry 0 or -1, or the batch size){hint}")
    dims = []
    for i, v in enumerate(target[1:], start=1):
        if v == 0:
            if i >= len(full):
                raise ValueError(f"shape {target}: entry {i} is 0 but the input has rank "
                                 f"{len(full)}")
            v = full[i]  # type: ignore[assignment]
        dims.append(v)
    if any(v < -1 for v in dims) or dims.count(-1) > (target[0] != -1):
        raise ValueError(f"shape {target} is not a valid target shape")
    if -1 in dims:
        rest = math.prod(v for v in dims if v != -1)
        if rest == 0 or size % rest:
            raise ValueError(f"cannot reshape (batch, {shape}) to {target}")
        dims[dims.index(-1)] = size // rest
    if math.prod(dims) != size:
        raise NotImplementedError(f"reshaping (batch, {shape}) to {target} would move entries "
                                  "across examples")
    return dims


def _reduce_max(c: _Converter, node: _Node, negate: bool = False) -> str:
    """``ReduceMax`` (``ReduceMin`` with ``negate``: the negated maximum of the negation)
    over per-example axes: a group maximum, through :meth:`GraphBuilder.max` for one axis."""
    x = c._runtime(node, 0)
    shape = c._shape(x)
    rank = len(shape) + 1
    a = node.attrs
    if c._tensor(node, 1):  # opset 18 and later: the axes are an input
        axes_value: Any = [int(v) for v in c._const(node, 1, "axes").reshape(-1)]
    else:
        axes_value = a.get("axes")
    if axes_value is not None and len(axes_value) == 0:
        axes_value = None
    if axes_value is None:
        if a.get("noop_with_empty_axes", 0):
            return x
        raise NotImplementedError("a reduction over all axes includes the batch axis")
    axes = sorted({int(v) + rank if int(v) < 0 else int(v) for v in axes_value})
    if any(not 0 <= v < rank for v in axes):
        raise ValueError(f"axes {list(axes_value)} out of range for an input of rank {rank}")
    if axes[0] == 0:
        raise NotImplementedError(f"axes {list(axes_value)} include the batch axis (0); only "
                                  "maxima within each example are supported")
    keep = bool(a.get("keepdims", 1))
    per = [v - 1 for v in axes]
    if negate:
        x = c.builder.affine(x, ChannelScale(-np.ones(shape[0]), shape), None,
                             name=c._name(node.proto, node.index, f"{node.name}.neg"))
    if len(per) == 1:
        out = c.builder.max(x, per[0], keep, name=node.name)
    else:
        rest = [v for v in range(len(shape)) if v not in per]
        pos = np.arange(math.prod(shape)).reshape(shape).transpose(rest + per)
        groups = pos.reshape(-1, math.prod(shape[v] for v in per))
        dims = [1 if v in per else n for v, n in enumerate(shape) if keep or v not in per]
        out = c.builder.group_max(x, groups, dims or [1], name=node.name)
    if negate:
        s = c._shape(out)
        out = c.builder.affine(out, ChannelScale(-np.ones(s[0]), s), None,
                               name=c._name(node.proto, node.index, f"{node.name}.out"))
    return out


def _reduce_min(c: _Converter, node: _Node) -> str:
    return _reduce_max(c, node, negate=True)


def _identity(c: _Converter, node: _Node) -> str | None:
    name = c._tensor(node, 0)
    c._check_defined(name)
    if name in c.consts:
        c.consts[node.proto.output[0]] = c.consts[name]
        if name in c.alt:
            c.alt[node.proto.output[0]] = c.alt[name]
        return None
    return c.tensors[name]


def _dropout(c: _Converter, node: _Node) -> str | None:
    mode = c._optional_const(node, 2, "training_mode")
    if mode is not None and bool(mode.reshape(-1)[0]):
        raise NotImplementedError("training_mode=True is not supported (inference only)")
    return _identity(c, node)


_HANDLERS: dict[str, Callable[[_Converter, _Node], str | None]] = {  # Constant: in __init__
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Conv": _conv,
    "BatchNormalization": _batch_norm,
    "AveragePool": _average_pool,
    "GlobalAveragePool": _global_average_pool,
    "MaxPool": _max_pool,
    "Relu": _activation("relu"),
    "Abs": _activation("abs"),
    "LeakyRelu": _leaky_relu,
    "Clip": _clip,
    "Add": _add,
    "Concat": _concat,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "ReduceMax": _reduce_max,
    "ReduceMin": _reduce_min,
    "Identity": _identity,
    "Dropout": _dropout,
}


# -- constant folding (shape arithmetic) -----------------------------------------------------
# Each takes the node and its input values (None for an absent optional input) and returns
# the output's value, following the ONNX specification of the operation.


def _axes(node: _Node, values: list[np.ndarray | None], i: int) -> list[int] | None:
    """The ``axes`` of a node: input ``i`` (newer opsets) or the attribute (older ones)."""
    if i < len(values) and values[i] is not None:
        return [int(v) for v in np.asarray(values[i]).reshape(-1)]
    axes = node.attrs.get("axes")
    return None if axes is None else [int(v) for v in axes]


def _value(values: list[np.ndarray | None], i: int) -> np.ndarray:
    v = values[i] if i < len(values) else None
    if v is None:
        raise ValueError(f"input {i} is missing")
    return v


def _fold_constant_of_shape(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    from onnx import numpy_helper

    fill = node.attrs.get("value")
    value = np.zeros(1, np.float32) if fill is None else numpy_helper.to_array(fill)
    dims = tuple(int(v) for v in _value(values, 0).reshape(-1))
    return np.full(dims, value.reshape(-1)[0], dtype=value.dtype)


def _fold_cast(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    from onnx import helper

    return _value(values, 0).astype(helper.tensor_dtype_to_np_dtype(int(_required(node, "to"))))


def _fold_unsqueeze(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    x = _value(values, 0)
    axes = _axes(node, values, 1)
    if axes is None:
        raise ValueError("the axes are missing")
    rank = x.ndim + len(axes)
    for axis in sorted(v + rank if v < 0 else v for v in axes):
        x = np.expand_dims(x, axis)
    return x


def _fold_squeeze(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    x = _value(values, 0)
    axes = _axes(node, values, 1)
    return np.squeeze(x) if axes is None else np.squeeze(x, tuple(axes))


def _fold_gather(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    return np.take(_value(values, 0), _value(values, 1).astype(np.int64),
                   axis=int(node.attrs.get("axis", 0)))


def _fold_slice(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    x = _value(values, 0)
    a = node.attrs
    if len(values) > 1:  # opset 10 and later: inputs starts, ends, axes, steps
        starts, ends = (_value(values, i).reshape(-1).tolist() for i in (1, 2))
        axes = _axes(node, values, 3) if len(values) > 3 and values[3] is not None else None
        steps = values[4].reshape(-1).tolist() if len(values) > 4 and \
            values[4] is not None else None
    else:
        starts, ends, axes, steps = a["starts"], a["ends"], a.get("axes"), None
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis, step = int(axis) % x.ndim, int(step)
        n = x.shape[axis]
        start, end = int(start), int(end)
        start, end = start + n if start < 0 else start, end + n if end < 0 else end
        lo, hi = (0, n) if step > 0 else (0, n - 1)
        start = min(max(start, lo), hi)
        end = min(max(end, lo), n) if step > 0 else min(max(end, -1), n - 1)
        x = np.take(x, np.arange(start, end, step, dtype=np.int64), axis=axis)
    return x


def _fold_concat(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    return np.concatenate([_value(values, i) for i in range(len(values))],
                          axis=int(_required(node, "axis")))


def _fold_reshape(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    x, target = _value(values, 0), [int(v) for v in _value(values, 1).reshape(-1)]
    if not node.attrs.get("allowzero", 0):
        target = [x.shape[i] if v == 0 else v for i, v in enumerate(target)]
    return x.reshape(target)


def _fold_expand(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    x, dims = _value(values, 0), tuple(int(v) for v in _value(values, 1).reshape(-1))
    return np.broadcast_to(x, np.broadcast_shapes(x.shape, dims)).copy()


def _fold_range(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    start, limit, delta = (_value(values, i).reshape(-1)[0].item() for i in range(3))
    return np.arange(start, limit, delta, dtype=_value(values, 0).dtype)


def _fold_div(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    a, b = _value(values, 0), _value(values, 1)
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":  # integers: truncated towards zero
        return (np.trunc(a / b)).astype(np.result_type(a, b))
    return np.asarray(a / b)


def _fold_mod(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    a, b = _value(values, 0), _value(values, 1)
    return np.fmod(a, b) if node.attrs.get("fmod", 0) else np.mod(a, b)


def _fold_binary(fn: Callable[[np.ndarray, np.ndarray], Any]
                 ) -> Callable[[_Node, list[np.ndarray | None]], np.ndarray]:
    def fold(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
        return np.asarray(fn(_value(values, 0), _value(values, 1)))
    return fold


def _fold_shape(node: _Node, values: list[np.ndarray | None]) -> np.ndarray:
    raise AssertionError("Shape is folded by _Converter._shape_values")  # pragma: no cover


_FOLDERS: dict[str, Callable[[_Node, list[np.ndarray | None]], np.ndarray]] = {
    "Shape": _fold_shape,
    "ConstantOfShape": _fold_constant_of_shape,
    "Cast": _fold_cast,
    "Unsqueeze": _fold_unsqueeze,
    "Squeeze": _fold_squeeze,
    "Gather": _fold_gather,
    "Slice": _fold_slice,
    "Concat": _fold_concat,
    "Reshape": _fold_reshape,
    "Expand": _fold_expand,
    "Range": _fold_range,
    "Add": _fold_binary(np.add),
    "Sub": _fold_binary(np.subtract),
    "Mul": _fold_binary(np.multiply),
    "Div": _fold_div,
    "Mod": _fold_mod,
    "Neg": lambda node, values: np.negative(_value(values, 0)),
    "Equal": _fold_binary(np.equal),
    "Where": lambda node, values: np.where(_value(values, 0), _value(values, 1),
                                           _value(values, 2)),
}
