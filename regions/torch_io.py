"""Import a PyTorch model as a :class:`~regions.Graph`, and export a graph to PyTorch.

:func:`from_torch` captures a ``torch.nn.Module`` with ``torch.fx`` (so residual networks,
concatenations and functional calls import, not only ``nn.Sequential``), learns every
tensor's shape by running the model once on an example batch, and rebuilds the computation
node by node with :class:`~regions.GraphBuilder`. Parameters are read exactly: a float32
weight is the float64 of the same value. :func:`to_torch` goes the other way, a float64
``torch.nn.Module`` computing any graph, to check an import against the model's own forward
pass or to run a hand-built graph in PyTorch.

PyTorch is optional: this module imports it only inside these two functions, so ``import
regions`` never does.

Examples
--------
>>> import pytest; torch = pytest.importorskip("torch")  # the example needs PyTorch
>>> from regions import from_torch, to_torch
>>> _ = torch.manual_seed(0)
>>> model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
>>> graph = from_torch(model.double().eval(), torch.zeros(1, 2, dtype=torch.float64))
>>> graph.piecewise_linear_nodes
('1',)
>>> x = torch.randn(3, 2, dtype=torch.float64)
>>> bool(torch.allclose(to_torch(graph)(x), model(x), rtol=1e-12, atol=0))
True
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import operator
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from . import _numbers
from .activations import Activation, hardtanh, leaky_relu
from .graph import (Add, Affine, Concat, Elementwise, Graph, GraphBuilder, GroupMax, Node,
                    Reshape)
from .operators import (AveragePool, ChannelScale, Conv, Dense, LinearOperator, int_tuple)

__all__ = ["from_torch", "to_torch"]

_REQUIRED = object()
"""Marks a parameter without default in an argument specification."""

_Handler = Callable[["_Importer", Any], "str | None"]


# -- from_torch --------------------------------------------------------------------------


def from_torch(module: Any, example_input: Any) -> Graph:
    """The :class:`~regions.Graph` of a piecewise-linear PyTorch model.

    The model is traced with ``torch.fx.symbolic_trace`` and run once on ``example_input``
    (``torch.fx.passes.shape_prop.ShapeProp``) so that every tensor's shape is known; shape
    arithmetic in ``forward`` (``x.size(0)``, ``x.shape[1]``) is allowed and ignored, as the
    targets of views and reshapes are read from the shapes the run produced.

    Supported, as modules or functional calls (``F`` is ``torch.nn.functional``):

    * affine: ``nn.Linear``/``F.linear``, ``nn.Conv1d/2d/3d``/``F.conv1d/2d/3d`` (stride,
      padding as ints, tuples, ``"valid"`` or symmetric ``"same"``, dilation, groups;
      ``padding_mode="zeros"``), ``nn.BatchNorm1d/2d/3d`` and ``F.batch_norm`` in eval mode
      (running statistics, affine or not), ``nn.AvgPool1d/2d/3d``/``F.avg_pool*d``,
      ``nn.AdaptiveAvgPool1d/2d/3d``/``F.adaptive_avg_pool*d``, ``+``/``torch.add``
      (tensor + tensor, or + a constant), ``-``/``torch.sub``, negation, ``*`` and ``/`` by a
      scalar or a per-channel constant, ``torch.cat``;
    * piecewise linear: ``nn.ReLU``/``F.relu``/``torch.relu``, ``nn.LeakyReLU``/
      ``F.leaky_relu`` (any slope, at its exact float value), ``nn.Hardtanh``/``F.hardtanh``
      (any range), ``nn.ReLU6``/``F.relu6``, ``torch.clamp``, ``torch.abs``,
      ``nn.MaxPool1d/2d/3d``/``F.max_pool*d`` (``ceil_mode=False``),
      ``nn.AdaptiveMaxPool1d/2d/3d``, maxima over axes (``torch.amax``, ``torch.max(x,
      dim)`` with ``.values`` or ``[0]``, the same methods, and the ``min`` forms), which
      give maxout after a view that splits the channels, and ``torch.maximum``/
      ``torch.minimum``;
    * shape and identity: ``nn.Flatten``, ``nn.Unflatten``, ``view``, ``reshape``,
      ``flatten``/``torch.flatten``, ``unflatten``, ``squeeze``, ``unsqueeze``,
      ``contiguous``, ``nn.Identity``, ``nn.Dropout`` and ``F.dropout`` in eval mode.

    Parameters
    ----------
    module : torch.nn.Module
        In eval mode wherever it matters (batch normalisation, dropout). Its ``forward``
        takes one tensor and returns one tensor.
    example_input : torch.Tensor
        A batch, shaped ``(N, *input_shape)`` with the batch axis first, of the model's
        dtype. Only shapes are read from it (two or more examples make the check that
        every operation keeps the batch axis sharper).

    Returns
    -------
    Graph
        Input shape ``input_shape``, output shape the model's per-example output shape
        (``(1,)`` for one number per example), float64 parameters. Nodes are named after
        the module paths (``"features.0"``, ``"layer1.0.relu"``; a module called twice
        gets ``_1``, ``_2``... on later calls) or, for functional calls, the ``torch.fx``
        node names (``"add"``, ``"amax_1"``). Identity and dropout add no node.

    Raises
    ------
    TypeError
        If ``module`` is not a ``torch.nn.Module`` or ``example_input`` not a floating
        point tensor.
    ValueError
        If ``example_input`` is not a non-empty batch ``(N, *input_shape)``, or the model
        fails when run on it.
    NotImplementedError
        For anything outside the supported set, naming the ``torch.fx`` node (its module
        path or node name) and the operation: non-piecewise-linear operations (GELU,
        sigmoid, tanh, softmax...), batch normalisation or dropout in training mode, max or
        average pooling with ``ceil_mode=True``, ``padding_mode`` other than ``"zeros"``,
        asymmetric ``"same"`` padding, a view or reduction that mixes the batch axis,
        tensor products, indexing, several inputs or outputs; also when ``torch.fx``
        cannot trace the module (data-dependent control flow such as ``if x.sum() > 0``).

    Notes
    -----
    An in-place operation (``inplace=True``, ``relu_``, ``clamp_``...) replaces the tensor
    it modifies for the operations after it. ``torch.fx`` records ``x += y`` as ``x + y``:
    a tensor updated by an augmented assignment must not be read again through another name
    (an alias or a view of it), as the import would read the old values there.

    See Also
    --------
    to_torch : the converse, to check an import against the model.

    References
    ----------
    .. [1] J. Reed, Z. DeVito, H. He, A. Ussery, J. Ansel, "torch.fx: Practical Program
       Capture and Transformation for Deep Learning in Python", MLSys 2022.
    .. [2] A. Paszke et al., "PyTorch: An Imperative Style, High-Performance Deep Learning
       Library", NeurIPS 2019.
    .. [3] I. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville, Y. Bengio, "Maxout
       Networks", ICML 2013 (maxout as a maximum over groups of units).

    Examples
    --------
    A residual block; the graph's piecewise-linear nodes are the model's module paths:

    >>> import pytest; torch = pytest.importorskip("torch")  # the example needs PyTorch
    >>> from torch import nn
    >>> class Block(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.conv = nn.Conv1d(2, 2, 3, padding=1)
    ...         self.relu = nn.ReLU()
    ...     def forward(self, x):
    ...         return self.relu(self.conv(self.relu(x)) + x).amax(dim=2)
    >>> _ = torch.manual_seed(0)
    >>> block = Block().double().eval()
    >>> g = from_torch(block, torch.zeros(1, 2, 5, dtype=torch.float64))
    >>> g.input_shape, g.output_shape, g.piecewise_linear_nodes
    ((2, 5), (2,), ('relu', 'relu_1', 'amax'))
    >>> x = torch.randn(4, 2, 5, dtype=torch.float64)
    >>> bool(np.allclose(g(x.numpy()), block(x).detach().numpy(), rtol=1e-12, atol=1e-15))
    True
    """
    torch = _import_torch()
    _check_arguments(torch, module, example_input)
    gm = _trace(torch, module)
    _check_modules(torch, gm)
    _propagate(torch, gm, example_input)
    return _Importer(torch, gm, int(example_input.shape[0])).run()


def _import_torch() -> Any:
    try:
        import torch
        import torch.fx
    except ImportError as exc:  # pragma: no cover - torch is installed where this runs
        raise ImportError("from_torch and to_torch need PyTorch (pip install torch)") from exc
    return torch


def _check_arguments(torch: Any, module: Any, example_input: Any) -> None:
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    if not isinstance(example_input, torch.Tensor):
        raise TypeError(f"example_input must be a torch.Tensor (a batch, batch axis first), "
                        f"got {type(example_input).__name__}")
    if not example_input.is_floating_point():
        raise TypeError(f"example_input must be a floating point tensor; got "
                        f"{example_input.dtype}")
    if example_input.ndim < 2 or example_input.numel() == 0:
        raise ValueError(f"example_input must be a non-empty batch of shape (N, *input_shape)"
                         f"; got shape {tuple(example_input.shape)}")


def _trace(torch: Any, module: Any) -> Any:
    try:
        return torch.fx.symbolic_trace(module)
    except Exception as exc:
        raise NotImplementedError(
            f"from_torch: the module ({type(module).__name__}) could not be traced by "
            f"torch.fx: {type(exc).__name__}: {exc}. regions imports models whose forward "
            "is a fixed sequence of tensor operations (no control flow on tensor values)"
        ) from exc


def _check_modules(torch: Any, gm: Any) -> None:
    """Refuse unsupported modules and settings before the model is run (a training batch
    norm would update its running statistics)."""
    for node in gm.graph.nodes:
        if node.op == "call_module":
            module = gm.get_submodule(node.target)
            _module_handler(torch, node, module)
            _check_settings(torch.nn, node, module)


def _check_settings(nn: Any, node: Any, m: Any) -> None:
    if isinstance(m, nn.modules.batchnorm._BatchNorm) and (m.training or
                                                            m.running_mean is None):
        _unsupported(node, m, "batch normalisation in training mode (or without running "
                     "statistics) normalises by the batch; call module.eval()")
    if isinstance(m, nn.modules.dropout._DropoutNd) and m.training and m.p > 0:
        _unsupported(node, m, "dropout in training mode is random; call module.eval()")
    if isinstance(m, nn.modules.conv._ConvNd):
        if m.transposed:
            _unsupported(node, m, "transposed convolutions are not supported")
        if m.padding_mode != "zeros":
            _unsupported(node, m, f"padding_mode={m.padding_mode!r}; only 'zeros' is "
                         "supported")
        if isinstance(m.padding, str):
            _string_padding(node, m, m.padding, m.kernel_size, m.dilation)
    if getattr(m, "ceil_mode", False):
        _unsupported(node, m, "ceil_mode=True; only ceil_mode=False is supported")
    if getattr(m, "return_indices", False):
        _unsupported(node, m, "return_indices=True")


def _propagate(torch: Any, gm: Any, example_input: Any) -> None:
    """Run ``ShapeProp``: every tensor node gets ``meta["tensor_meta"]``."""
    from torch.fx.passes.shape_prop import ShapeProp

    class Shapes(ShapeProp):
        current: Any = None

        def run_node(self, n: Any) -> Any:
            self.current = n
            return super().run_node(n)

    shapes = Shapes(gm)
    try:  # ShapeProp prints the traceback of a failure: the error below says it all
        with torch.no_grad(), contextlib.redirect_stderr(io.StringIO()):
            shapes.propagate(example_input.clone())  # in-place operations may modify it
    except Exception as exc:
        cause = exc.__cause__ or exc
        where = "" if shapes.current is None else f" at node {_where(shapes.current)!r}"
        raise ValueError(
            f"from_torch: running the module on example_input (a {example_input.dtype} "
            f"tensor of shape {tuple(example_input.shape)}) failed{where}: "
            f"{type(cause).__name__}: {cause}") from exc


# -- errors and arguments ------------------------------------------------------------------


def _where(node: Any) -> str:
    return str(node.target) if node.op == "call_module" else node.name


def _what(node: Any, module: Any = None) -> str:
    if module is not None:
        cls = type(module)
        import torch

        if getattr(torch.nn, cls.__name__, None) is cls:
            return f"torch.nn.{cls.__name__}"
        return f"{cls.__module__}.{cls.__qualname__}"
    if node.op == "call_method":
        return f"call_method {node.target}"
    return f"{node.op} {getattr(node.target, '__name__', node.target)}"


def _unsupported(node: Any, module: Any, reason: str) -> Any:
    raise NotImplementedError(
        f"from_torch: node {_where(node)!r} ({_what(node, module)}) is not supported: {reason}")


_NOT_PL = ("regions imports piecewise-linear networks; see regions.from_torch for the "
           "supported operations")


def _bind(node: Any, spec: Sequence[str | tuple[str, Any]]) -> dict[str, Any]:
    """The call's arguments by name; ``spec`` lists the parameters, each a name (required)
    or ``(name, default)``, the tensor itself first for methods."""
    params = [(p, _REQUIRED) if isinstance(p, str) else p for p in spec]
    args, kwargs = list(node.args), dict(node.kwargs)
    if len(args) > len(params):
        _unsupported(node, None, f"{len(args)} positional arguments; expected at most "
                     f"{len(params)} ({', '.join(p for p, _ in params)})")
    bound = {name: value for (name, _), value in zip(params, args)}
    for name, default in params[len(args):]:
        if name in kwargs:
            bound[name] = kwargs.pop(name)
        elif default is _REQUIRED:
            _unsupported(node, None, f"missing argument {name!r}")
        else:
            bound[name] = default
    if kwargs:
        _unsupported(node, None, f"unexpected argument(s) {sorted(kwargs)}")
    return bound


def _array(tensor: Any) -> np.ndarray:
    """A tensor's values as float64 (exact from float16, bfloat16 and float32)."""
    import torch

    return np.array(tensor.detach().cpu().to(torch.float64).numpy(), dtype=np.float64)


def _exact(value: Any) -> Fraction:
    return Fraction(float(value))


# -- the importer --------------------------------------------------------------------------


class _Importer:
    """Walks the traced graph; ``names`` maps each tensor node to its Graph node."""

    def __init__(self, torch: Any, gm: Any, batch: int) -> None:
        self.torch = torch
        self.gm = gm
        self.batch = batch
        self.b: GraphBuilder | None = None
        self.names: dict[Any, str] = {}
        self.consts: dict[Any, np.ndarray] = {}
        self.pairs: dict[Any, str] = {}  # (values, indices) of a max: node of the values

    @property
    def builder(self) -> GraphBuilder:
        assert self.b is not None
        return self.b

    def run(self) -> Graph:
        output: str | None = None
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                self._placeholder(node)
            elif node.op == "get_attr":
                self.consts[node] = _array(_fetch_attr(self.gm, node.target))
            elif node.op == "output":
                output = self._output(node)
            else:
                self._call(node)
        if output is None:  # pragma: no cover - every fx graph has an output node
            raise ValueError("from_torch: the traced module has no output")
        return self.builder.build(output)

    # nodes

    def _placeholder(self, node: Any) -> None:
        meta = node.meta.get("tensor_meta")
        if meta is None:
            return  # an argument left at its (non-tensor) default
        if self.b is not None:
            _unsupported(node, None, "forward takes more than one tensor; regions imports "
                         "models of one input")
        self._check_batch(node, meta)
        self.b = GraphBuilder(_example_shape(meta), input_name=node.name)
        self.names[node] = node.name

    def _output(self, node: Any) -> str:
        value = node.args[0]
        if not (hasattr(value, "op") and value in self.names):
            raise NotImplementedError(
                f"from_torch: the module's forward returns {_arg_text(value)}; it must return "
                "one tensor computed from its input")
        return self.names[value]

    def _call(self, node: Any) -> None:
        meta = node.meta.get("tensor_meta")
        if meta is None:
            return  # shape arithmetic (x.size(0), x.shape[1], ...): not a tensor
        handler = self._handler(node)
        is_pair = _is_pair(meta)
        if is_pair and not (len(meta) == 2 and _is_max(node)):
            _unsupported(node, self._module(node), "it returns several tensors")
        self._check_batch(node, meta[0] if is_pair else meta)
        name = handler(self, node)
        if name is None:
            return
        expected = _example_shape(meta[0] if is_pair else meta)
        if self.builder.shape(name) != expected:
            _unsupported(node, self._module(node), f"it gives per-example shape {expected} "
                         f"in torch but {self.builder.shape(name)} as converted (broadcasting "
                         "is not supported)")
        if is_pair:
            self.pairs[node] = name
            return
        self.names[node] = name
        source = node.args[0] if node.args else None
        if _is_inplace(node, self._module(node)) and self.is_tensor(source):
            self.names[source] = name  # later readers of the input see the new values

    def _handler(self, node: Any) -> _Handler:
        if node.op == "call_module":
            return _module_handler(self.torch, node, self._module(node))
        if node.op == "call_method":
            handler = _METHODS.get(node.target)
        else:
            handler = _functions(self.torch).get(node.target)
        if handler is None:
            _unsupported(node, None, _NOT_PL)
        return handler  # type: ignore[return-value]

    def _module(self, node: Any) -> Any:
        return self.gm.get_submodule(node.target) if node.op == "call_module" else None

    def _check_batch(self, node: Any, meta: Any) -> None:
        shape = tuple(meta.shape)
        if not shape or shape[0] != self.batch:
            _unsupported(node, self._module(node), f"its output has shape {shape}, which mixes "
                         f"the batch axis (example_input has {self.batch} examples): every "
                         "operation must keep the batch axis first, e.g. x.view(x.size(0), -1)")

    # arguments

    def name(self, node: Any, suffix: str = "") -> str:
        """A fresh Graph node name: the module path or fx node name, ``_1``... if taken."""
        return self.builder.reserve(_where(node) + suffix)

    def tensor(self, node: Any, arg: Any, what: str = "input") -> str:
        if hasattr(arg, "op") and arg in self.names:
            return self.names[arg]
        _unsupported(node, self._module(node), f"its {what} must be a tensor computed from "
                     f"the model's input; got {_arg_text(arg)}")
        raise AssertionError  # pragma: no cover

    def is_tensor(self, arg: Any) -> bool:
        return hasattr(arg, "op") and arg in self.names

    def const(self, node: Any, arg: Any, what: str) -> np.ndarray | None:
        """A constant argument (a number or a parameter/buffer) as float64, None if absent."""
        if arg is None:
            return None
        if hasattr(arg, "op"):
            if arg in self.consts:
                return self.consts[arg]
            _unsupported(node, self._module(node), f"its {what} must be a constant (a number, "
                         f"parameter or buffer); got the computed value {arg.name!r}")
        if isinstance(arg, (bool, int, float)):
            return np.array(float(arg))
        _unsupported(node, self._module(node), f"its {what} must be a number or a constant "
                     f"tensor; got {_arg_text(arg)}")
        raise AssertionError  # pragma: no cover

    def required(self, node: Any, arg: Any, what: str) -> np.ndarray:
        """A constant argument that must be given."""
        value = self.const(node, arg, what)
        if value is None:
            _unsupported(node, self._module(node), f"its {what} must be given")
        return value  # type: ignore[return-value]

    def number(self, node: Any, arg: Any, what: str) -> float | None:
        value = self.const(node, arg, what)
        if value is None:
            return None
        if value.size != 1:
            _unsupported(node, self._module(node), f"its {what} must be one number; got "
                         f"shape {value.shape}")
        return float(value.reshape(()))

    def int_arg(self, node: Any, arg: Any, what: str) -> Any:
        """An int, or a tuple/list of ints, given literally (not computed in forward)."""
        items = arg if isinstance(arg, (tuple, list)) else [arg]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            _unsupported(node, self._module(node), f"its {what} must be given as int(s); got "
                         f"{_arg_text(arg)}")
        return tuple(arg) if isinstance(arg, (tuple, list)) else arg

    def shape_of(self, node: Any) -> tuple[int, ...]:
        return self.builder.shape(self.names[node])

    def axis(self, node: Any, tensor_name: str, dim: Any) -> int:
        """The per-example axis of torch dimension ``dim`` (never the batch axis)."""
        self.int_arg(node, dim, "dim")
        ndim = len(self.builder.shape(tensor_name)) + 1
        if not -ndim <= dim < ndim:
            _unsupported(node, self._module(node), f"dim {dim} out of range")
        if dim % ndim == 0:
            _unsupported(node, self._module(node), "it acts along the batch axis (dim 0)")
        return dim % ndim - 1

    def meta_shape(self, node: Any) -> tuple[int, ...]:
        meta = node.meta["tensor_meta"]
        return _example_shape(meta[0] if _is_pair(meta) else meta)

    # building blocks

    def scaled(self, node: Any, x: str, scale: Any = 1.0, bias: Any = None,
               suffix: str = "") -> str:
        """``scale * x + bias``, ``scale`` a number or one value per channel."""
        shape = self.builder.shape(x)
        factors = np.broadcast_to(np.asarray(scale, dtype=np.float64), (shape[0],)).copy()
        return self.builder.affine(x, ChannelScale(factors, shape), bias,
                                   name=self.name(node, suffix))

    def reshaped(self, node: Any, x: str) -> str:
        shape = self.meta_shape(node)
        if shape == self.builder.shape(x):
            return x
        return self.builder.reshape(x, shape, name=self.name(node))

    def activation(self, node: Any, x: str, act: str | Activation) -> str:
        return self.builder.activation(x, act, name=self.name(node))

    def maximum(self, node: Any, x: str, axes: tuple[int, ...], keepdim: bool,
                negate: bool = False) -> str:
        """The maximum (or with ``negate`` the minimum) of ``x`` along per-example axes."""
        if negate:
            x = self.scaled(node, x, -1.0, suffix=".neg")
        if len(axes) == 1:
            out = self.builder.max(x, axes[0], keepdim, name=self.name(node))
            return self.scaled(node, out, -1.0, suffix=".out") if negate else out
        shape = self.builder.shape(x)
        pos = np.moveaxis(np.arange(math.prod(shape)).reshape(shape), axes,
                          tuple(range(-len(axes), 0)))
        groups = pos.reshape(-1, math.prod(shape[a] for a in axes))
        out = self.builder.group_max(x, groups, self.meta_shape(node), name=self.name(node))
        return self.scaled(node, out, -1.0, suffix=".out") if negate else out

    def window_max(self, node: Any, x: str, index: np.ndarray) -> str:
        """Max pooling from a ``(L, K)`` window index of each channel (``-1`` padding)."""
        shape = self.builder.shape(x)
        size = math.prod(shape[1:])
        groups = np.concatenate([np.where(index >= 0, index + c * size, -1)
                                 for c in range(shape[0])])
        return self.builder.group_max(x, groups, self.meta_shape(node), name=self.name(node),
                                      kind="maxpool")


def _fetch_attr(gm: Any, target: str) -> Any:
    value = gm
    for part in target.split("."):
        value = getattr(value, part)
    return value


def _is_pair(meta: Any) -> bool:
    """Several tensors' metadata (a TensorMetadata, a named tuple itself, has a shape)."""
    return isinstance(meta, (tuple, list)) and not hasattr(meta, "shape")


def _example_shape(meta: Any) -> tuple[int, ...]:
    """Per-example shape: the batch axis dropped, ``(1,)`` for a number per example."""
    return tuple(int(v) for v in meta.shape[1:]) or (1,)


def _arg_text(arg: Any) -> str:
    return f"node {arg.name!r}" if hasattr(arg, "op") else repr(arg)


def _is_inplace(node: Any, module: Any) -> bool:
    """``inplace=True`` (module or argument), or an in-place method or function (``relu_``)."""
    if module is not None:
        return getattr(module, "inplace", False) is True
    name = node.target if node.op == "call_method" else getattr(node.target, "__name__", "")
    return node.kwargs.get("inplace") is True or (
        isinstance(name, str) and name.endswith("_") and not name.startswith("_"))


def _is_max(node: Any) -> bool:
    import torch

    return node.target in (torch.max, torch.min, "max", "min")


# -- handlers: modules ---------------------------------------------------------------------


def _module_handler(torch: Any, node: Any, module: Any) -> _Handler:
    for classes, handler in _module_table(torch):
        if isinstance(module, classes):
            return handler
    _unsupported(node, module, _NOT_PL)
    raise AssertionError  # pragma: no cover


@functools.lru_cache(maxsize=None)
def _module_table(torch: Any) -> tuple[tuple[Any, _Handler], ...]:
    nn = torch.nn
    return (
        (nn.Linear, _m_linear),
        (nn.modules.conv._ConvNd, _m_conv),
        (nn.modules.batchnorm._BatchNorm, _m_batch_norm),
        (nn.modules.pooling._MaxPoolNd, _m_max_pool),
        (nn.modules.pooling._AvgPoolNd, _m_avg_pool),
        (nn.modules.pooling._AdaptiveAvgPoolNd, _m_adaptive_avg_pool),
        (nn.modules.pooling._AdaptiveMaxPoolNd, _m_adaptive_max_pool),
        (nn.ReLU, lambda imp, node: imp.activation(node, _in(imp, node), "relu")),
        (nn.ReLU6, lambda imp, node: imp.activation(node, _in(imp, node), "relu6")),
        (nn.Hardtanh, _m_hardtanh),
        (nn.LeakyReLU, _m_leaky_relu),
        ((nn.Identity, nn.modules.dropout._DropoutNd), _in),
        ((nn.Flatten, nn.Unflatten), lambda imp, node: imp.reshaped(node, _in(imp, node))),
    )


def _in(imp: _Importer, node: Any) -> str:
    """The Graph node of a module call's one input (identity modules return it as is)."""
    if len(node.args) != 1 or node.kwargs:
        _unsupported(node, imp._module(node), "it must be called on one tensor")
    return imp.tensor(node, node.args[0])


def _m_linear(imp: _Importer, node: Any) -> str:
    m = imp._module(node)
    bias = None if m.bias is None else _array(m.bias)
    return _linear(imp, node, _in(imp, node), _array(m.weight), bias)


def _linear(imp: _Importer, node: Any, x: str, weight: np.ndarray,
            bias: np.ndarray | None) -> str:
    """``x @ W.T + b`` on the last axis: a dense layer, block diagonal when the input has
    more axes."""
    shape = imp.builder.shape(x)
    if weight.ndim != 2 or shape[-1] != weight.shape[1]:
        _unsupported(node, imp._module(node), f"weight of shape {weight.shape} does not fit "
                     f"an input of per-example shape {shape}")
    rows = math.prod(shape[:-1])
    matrix = weight if rows == 1 else np.kron(np.eye(rows), weight)
    flat_bias = None if bias is None else np.tile(bias, rows)
    op = Dense(matrix, in_shape=shape, out_shape=shape[:-1] + (weight.shape[0],))
    return imp.builder.affine(x, op, flat_bias, name=imp.name(node), kind="dense")


def _m_conv(imp: _Importer, node: Any) -> str:
    m = imp._module(node)
    bias = None if m.bias is None else _array(m.bias)
    return _conv(imp, node, _in(imp, node), _array(m.weight), bias, m.stride, m.padding,
                 m.dilation, m.groups)


def _conv(imp: _Importer, node: Any, x: str, kernel: np.ndarray, bias: np.ndarray | None,
          stride: Any, padding: Any, dilation: Any, groups: Any) -> str:
    d = kernel.ndim - 2
    dilation_ = int_tuple(imp.int_arg(node, dilation, "dilation"), d, "dilation", 1)
    if isinstance(padding, str):
        padding = _string_padding(node, imp._module(node), padding, kernel.shape[2:],
                                  dilation_)
    return imp.builder.conv(x, kernel, bias, imp.int_arg(node, stride, "stride"),
                            imp.int_arg(node, padding, "padding"), dilation_,
                            imp.int_arg(node, groups, "groups"), name=imp.name(node))


def _string_padding(node: Any, module: Any, padding: str, kernel: Sequence[int],
                    dilation: Sequence[int]) -> tuple[int, ...]:
    if padding == "valid":
        return (0,) * len(kernel)
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if padding != "same" or any(t % 2 for t in totals):
        _unsupported(node, module, f"padding={padding!r} with kernel {tuple(kernel)}"
                     f" and dilation {tuple(dilation)} pads asymmetrically; only symmetric "
                     "padding is supported")
    return tuple(t // 2 for t in totals)


def _m_batch_norm(imp: _Importer, node: Any) -> str:
    m = imp._module(node)
    weight = None if m.weight is None else _array(m.weight)
    bias = None if m.bias is None else _array(m.bias)
    return imp.builder.batch_norm(_in(imp, node), _array(m.running_mean),
                                  _array(m.running_var), weight, bias, float(m.eps),
                                  name=imp.name(node))


def _no_ceil(node: Any, ceil_mode: Any) -> None:
    if ceil_mode:
        _unsupported(node, None, "ceil_mode=True; only ceil_mode=False is supported")


def _m_max_pool(imp: _Importer, node: Any) -> str:
    m = imp._module(node)
    return imp.builder.max_pool(_in(imp, node), m.kernel_size, m.stride, m.padding,
                                m.dilation, name=imp.name(node))


def _m_avg_pool(imp: _Importer, node: Any) -> str:
    m = imp._module(node)
    return imp.builder.avg_pool(_in(imp, node), m.kernel_size, m.stride, m.padding,
                                m.count_include_pad, getattr(m, "divisor_override", None),
                                name=imp.name(node))


def _m_adaptive_avg_pool(imp: _Importer, node: Any) -> str:
    return imp.builder.adaptive_avg_pool(_in(imp, node), imp.meta_shape(node)[1:],
                                         name=imp.name(node))


def _m_adaptive_max_pool(imp: _Importer, node: Any) -> str:
    return _adaptive_max(imp, node, _in(imp, node))


def _adaptive_max(imp: _Importer, node: Any, x: str) -> str:
    bins = AveragePool.adaptive(imp.builder.shape(x), imp.meta_shape(node)[1:])
    return imp.window_max(node, x, bins.index)


def _m_hardtanh(imp: _Importer, node: Any) -> str:
    m = imp._module(node)
    return imp.activation(node, _in(imp, node), hardtanh(float(m.min_val), float(m.max_val)))


def _m_leaky_relu(imp: _Importer, node: Any) -> str:
    return _leaky(imp, node, _in(imp, node), imp._module(node).negative_slope)


def _leaky(imp: _Importer, node: Any, x: str, slope: Any) -> str:
    value = imp.number(node, slope, "negative_slope")
    if value == 1.0:
        return x  # the identity
    return imp.activation(node, x, leaky_relu(value))


# -- handlers: functions and methods -------------------------------------------------------


def _f_relu(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", ("inplace", False)))
    return imp.activation(node, imp.tensor(node, a["input"]), "relu")


def _f_relu6(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", ("inplace", False)))
    return imp.activation(node, imp.tensor(node, a["input"]), "relu6")


def _f_abs(imp: _Importer, node: Any) -> str:
    return imp.activation(node, imp.tensor(node, _bind(node, ("input",))["input"]), "abs")


def _f_leaky_relu(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", ("negative_slope", 0.01), ("inplace", False)))
    return _leaky(imp, node, imp.tensor(node, a["input"]), a["negative_slope"])


def _f_hardtanh(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", ("min_val", -1.0), ("max_val", 1.0), ("inplace", False)))
    lo, hi = imp.number(node, a["min_val"], "min_val"), imp.number(node, a["max_val"],
                                                                   "max_val")
    return imp.activation(node, imp.tensor(node, a["input"]), hardtanh(lo, hi))


def _f_clamp(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", ("min", None), ("max", None)))
    x = imp.tensor(node, a["input"])
    lo, hi = imp.number(node, a["min"], "min"), imp.number(node, a["max"], "max")
    if lo is not None and hi is not None:
        if not lo < hi:
            _unsupported(node, None, f"clamp with min {lo} not below max {hi}")
        return imp.activation(node, x, hardtanh(lo, hi))
    if lo is not None:
        return imp.activation(node, x, "relu" if lo == 0 else _clamp_min(lo))
    if hi is not None:
        return imp.activation(node, x, _clamp_max(hi))
    return x


def _clamp_min(lo: float) -> Activation:
    t, z, one = _exact(lo), Fraction(0), Fraction(1)
    return Activation(f"clamp_min({t})", (t,), (z, one), (t, z), (0, 1))


def _clamp_max(hi: float) -> Activation:
    t, z, one = _exact(hi), Fraction(0), Fraction(1)
    return Activation(f"clamp_max({t})", (t,), (one, z), (z, t), (0, 1))


def _f_dropout(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", ("p", 0.5), ("training", True), ("inplace", False)))
    if a["training"] and a["p"]:
        _unsupported(node, None, "dropout in training mode is random; pass "
                     "training=self.training and call module.eval()")
    return imp.tensor(node, a["input"])


def _f_identity(imp: _Importer, node: Any) -> str:
    """``contiguous()``, ``clone()``, ``detach()``: the same values."""
    return imp.tensor(node, node.args[0])


def _f_reshape(imp: _Importer, node: Any) -> str:
    """view, reshape, flatten, unflatten, squeeze, unsqueeze: the target is read from the
    traced output shape (the arguments may be computed from sizes)."""
    return imp.reshaped(node, imp.tensor(node, node.args[0] if node.args else
                                         node.kwargs.get("input")))


def _f_linear(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "weight", ("bias", None)))
    return _linear(imp, node, imp.tensor(node, a["input"]),
                   imp.required(node, a["weight"], "weight"), imp.const(node, a["bias"], "bias"))


def _f_conv(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "weight", ("bias", None), ("stride", 1), ("padding", 0),
                     ("dilation", 1), ("groups", 1)))
    kernel = imp.required(node, a["weight"], "weight")
    return _conv(imp, node, imp.tensor(node, a["input"]), kernel,
                 imp.const(node, a["bias"], "bias"), a["stride"], a["padding"],
                 a["dilation"], a["groups"])


def _f_batch_norm(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "running_mean", "running_var", ("weight", None), ("bias", None),
                     ("training", False), ("momentum", 0.1), ("eps", 1e-5)))
    if a["training"] or a["running_mean"] is None:
        _unsupported(node, None, "batch normalisation in training mode normalises by the "
                     "batch; pass training=False with running statistics")
    return imp.builder.batch_norm(
        imp.tensor(node, a["input"]), imp.const(node, a["running_mean"], "running_mean"),
        imp.const(node, a["running_var"], "running_var"), imp.const(node, a["weight"],
                                                                    "weight"),
        imp.const(node, a["bias"], "bias"), float(imp.required(node, a["eps"], "eps")),
        name=imp.name(node))


def _f_max_pool(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "kernel_size", ("stride", None), ("padding", 0), ("dilation", 1),
                     ("ceil_mode", False), ("return_indices", False)))
    _no_ceil(node, a["ceil_mode"])
    if a["return_indices"]:
        _unsupported(node, None, "return_indices=True")
    stride = a["stride"] or None  # torch takes stride=[] for the kernel size too
    return imp.builder.max_pool(imp.tensor(node, a["input"]), imp.int_arg(
        node, a["kernel_size"], "kernel_size"), stride, imp.int_arg(node, a["padding"],
                                                                    "padding"),
        imp.int_arg(node, a["dilation"], "dilation"), name=imp.name(node))


def _f_avg_pool(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "kernel_size", ("stride", None), ("padding", 0),
                     ("ceil_mode", False), ("count_include_pad", True),
                     ("divisor_override", None)))
    _no_ceil(node, a["ceil_mode"])
    return imp.builder.avg_pool(imp.tensor(node, a["input"]), imp.int_arg(
        node, a["kernel_size"], "kernel_size"), a["stride"] or None, imp.int_arg(
        node, a["padding"], "padding"), bool(a["count_include_pad"]), a["divisor_override"],
        name=imp.name(node))


def _f_adaptive_avg_pool(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "output_size"))
    return imp.builder.adaptive_avg_pool(imp.tensor(node, a["input"]),
                                         imp.meta_shape(node)[1:], name=imp.name(node))


def _f_adaptive_max_pool(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "output_size", ("return_indices", False)))
    if a["return_indices"]:
        _unsupported(node, None, "return_indices=True")
    return _adaptive_max(imp, node, imp.tensor(node, a["input"]))


def _f_cat(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("tensors", ("dim", 0)))
    if not isinstance(a["tensors"], (list, tuple)) or not a["tensors"]:
        _unsupported(node, None, "it takes a non-empty list of tensors")
    xs = [imp.tensor(node, t) for t in a["tensors"]]
    axis = imp.axis(node, xs[0], a["dim"])
    if len(xs) == 1:
        return xs[0]
    return imp.builder.concat(xs, axis, name=imp.name(node))


def _reduce(negate: bool) -> _Handler:
    """``amax``/``amin`` (function or method): the maximum over literal dims."""

    def handler(imp: _Importer, node: Any) -> str:
        a = _bind(node, ("input", ("dim", ()), ("keepdim", False)))
        return _max_over(imp, node, a["input"], a["dim"], a["keepdim"], negate)

    return handler


def _max_over(imp: _Importer, node: Any, arg: Any, dim: Any, keepdim: Any,
              negate: bool) -> str:
    x = imp.tensor(node, arg)
    dims = imp.int_arg(node, dim, "dim")
    dims = dims if isinstance(dims, tuple) else (dims,)
    if not dims:
        _unsupported(node, None, "a maximum over all axes includes the batch axis; give dim")
    axes = tuple(sorted({imp.axis(node, x, d) for d in dims}))
    return imp.maximum(node, x, axes, bool(keepdim), negate)


def _max_or_maximum(negate: bool) -> _Handler:
    """``torch.max(x, dim)`` (values and indices), ``torch.max(x, y)`` (elementwise)."""

    def handler(imp: _Importer, node: Any) -> str:
        a = _bind(node, ("input", ("dim", None), ("keepdim", False)))
        if imp.is_tensor(a["dim"]):
            return _pairwise(imp, node, a["input"], a["dim"], negate)
        if a["dim"] is None:
            _unsupported(node, None, "a maximum over all entries includes the batch axis; "
                         "give dim")
        return _max_over(imp, node, a["input"], a["dim"], a["keepdim"], negate)

    return handler


def _maximum(negate: bool) -> _Handler:
    def handler(imp: _Importer, node: Any) -> str:
        a = _bind(node, ("input", "other"))
        return _pairwise(imp, node, a["input"], a["other"], negate)

    return handler


def _pairwise(imp: _Importer, node: Any, first: Any, second: Any, negate: bool) -> str:
    """Elementwise max (min) of two tensors of one shape: a group max over both."""
    xs = [imp.tensor(node, first), imp.tensor(node, second, "other tensor")]
    if imp.builder.shape(xs[0]) != imp.builder.shape(xs[1]):
        _unsupported(node, None, f"broadcasting between shapes {imp.builder.shape(xs[0])} and"
                     f" {imp.builder.shape(xs[1])} is not supported")
    if negate:
        xs = [imp.scaled(node, x, -1.0, suffix=f".neg{i}") for i, x in enumerate(xs)]
    shape = imp.builder.shape(xs[0])
    both = imp.builder.concat(xs, 0, name=imp.name(node, ".pair"))
    size = math.prod(shape)
    groups = np.stack([np.arange(size), np.arange(size) + size], axis=1)
    out = imp.builder.group_max(both, groups, shape, name=imp.name(node))
    return imp.scaled(node, out, -1.0, suffix=".out") if negate else out


def _f_getitem(imp: _Importer, node: Any) -> str | None:
    source, key = node.args
    if source in imp.pairs:
        if key == 0:
            return imp.pairs[source]
        _unsupported(node, None, "the indices of a maximum (argmax) are not piecewise linear")
    _unsupported(node, None, "indexing or slicing a tensor is not supported")
    return None  # pragma: no cover


def _f_getattr(imp: _Importer, node: Any) -> str | None:
    source, key = node.args
    if source in imp.pairs:
        if key == "values":
            return imp.pairs[source]
        _unsupported(node, None, "the indices of a maximum (argmax) are not piecewise linear")
    _unsupported(node, None, f"the tensor attribute {key!r} is not supported")
    return None  # pragma: no cover


# arithmetic


def _f_add(sign: float) -> _Handler:
    """``a + alpha * b`` (``sign`` -1 for subtraction): tensors, numbers or constants."""

    def handler(imp: _Importer, node: Any) -> str:
        a = _bind(node, ("input", "other", ("alpha", 1)))
        alpha = imp.number(node, a["alpha"], "alpha")
        return _combine(imp, node, a["input"], a["other"], sign * (alpha or 0.0))

    return handler


def _combine(imp: _Importer, node: Any, first: Any, second: Any, factor: float) -> str:
    """``first + factor * second``."""
    if imp.is_tensor(first) and imp.is_tensor(second):
        x, y = imp.names[first], imp.names[second]
        if imp.builder.shape(x) != imp.builder.shape(y):
            _unsupported(node, None, f"broadcasting between shapes {imp.builder.shape(x)} and "
                         f"{imp.builder.shape(y)} is not supported")
        if x == y:
            return imp.scaled(node, x, 1.0 + factor)
        if factor != 1.0:
            y = imp.scaled(node, y, factor, suffix=".scale")
        return imp.builder.add(x, y, name=imp.name(node))
    if imp.is_tensor(first):
        x = imp.names[first]
        return imp.scaled(node, x, 1.0, _bias(imp, node, x, second, factor))
    x = imp.tensor(node, second)
    return imp.scaled(node, x, factor, _bias(imp, node, x, first, 1.0))


def _bias(imp: _Importer, node: Any, x: str, arg: Any, factor: float) -> np.ndarray:
    """A constant broadcast to the per-example shape of ``x``, flat, times ``factor``."""
    value = imp.required(node, arg, "constant operand")
    full = (imp.batch,) + imp.builder.shape(x)
    try:
        per_example = np.broadcast_to(value, full)[0]
    except ValueError:
        _unsupported(node, None, f"a constant of shape {np.shape(value)} does not broadcast to"
                     f" the tensor's shape {full}")
    return factor * per_example.reshape(-1)


def _f_mul(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "other"))
    first, second = a["input"], a["other"]
    if imp.is_tensor(first) == imp.is_tensor(second):
        _unsupported(node, None, "a product of two tensors is not piecewise linear"
                     if imp.is_tensor(first) else "it does not depend on the input")
    if not imp.is_tensor(first):
        first, second = second, first
    x = imp.names[first]
    return imp.scaled(node, x, _channel_factors(imp, node, x, second, divide=False))


def _f_div(imp: _Importer, node: Any) -> str:
    a = _bind(node, ("input", "other", ("rounding_mode", None)))
    if a["rounding_mode"] is not None:
        _unsupported(node, None, f"rounding_mode={a['rounding_mode']!r} is not linear")
    x = imp.tensor(node, a["input"], "numerator")
    return imp.scaled(node, x, _channel_factors(imp, node, x, a["other"], divide=True))


def _channel_factors(imp: _Importer, node: Any, x: str, arg: Any, divide: bool) -> np.ndarray:
    """A scalar or per-channel constant as one factor per channel (its reciprocal for a
    division, rounded to float64)."""
    shape = imp.builder.shape(x)
    per_entry = _bias(imp, node, x, arg, 1.0).reshape(shape[0], -1)
    if np.any(per_entry != per_entry[:, :1]):
        _unsupported(node, None, "only a scalar or per-channel constant factor is supported")
    factors = per_entry[:, 0]
    if divide:
        if np.any(factors == 0):
            _unsupported(node, None, "division by zero")
        factors = 1.0 / factors
    return factors


def _f_neg(imp: _Importer, node: Any) -> str:
    return imp.scaled(node, imp.tensor(node, _bind(node, ("input",))["input"]), -1.0)


@functools.lru_cache(maxsize=None)
def _functions(torch: Any) -> dict[Any, _Handler]:
    F = torch.nn.functional
    table: list[tuple[tuple[Any, ...], _Handler]] = [
        ((F.relu, torch.relu, F.relu_, torch.relu_), _f_relu),
        ((F.relu6,), _f_relu6),
        ((F.leaky_relu, F.leaky_relu_), _f_leaky_relu),
        ((F.hardtanh, F.hardtanh_), _f_hardtanh),
        ((torch.clamp, torch.clip), _f_clamp),
        ((torch.abs,), _f_abs),
        ((F.dropout,), _f_dropout),
        ((torch.flatten, torch.reshape, torch.squeeze, torch.unsqueeze), _f_reshape),
        ((F.linear,), _f_linear),
        ((F.conv1d, F.conv2d, F.conv3d), _f_conv),
        ((F.batch_norm,), _f_batch_norm),
        ((F.max_pool1d, F.max_pool2d, F.max_pool3d), _f_max_pool),
        ((F.avg_pool1d, F.avg_pool2d, F.avg_pool3d), _f_avg_pool),
        ((F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d),
         _f_adaptive_avg_pool),
        ((F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d),
         _f_adaptive_max_pool),
        ((torch.cat, torch.concat, torch.concatenate), _f_cat),
        ((torch.amax,), _reduce(False)),
        ((torch.amin,), _reduce(True)),
        ((torch.max,), _max_or_maximum(False)),
        ((torch.min,), _max_or_maximum(True)),
        ((torch.maximum,), _maximum(False)),
        ((torch.minimum,), _maximum(True)),
        ((operator.add, operator.iadd, torch.add), _f_add(1.0)),
        ((operator.sub, operator.isub, torch.sub), _f_add(-1.0)),
        ((operator.mul, operator.imul, torch.mul), _f_mul),
        ((operator.truediv, operator.itruediv, torch.div), _f_div),
        ((operator.neg, torch.neg), _f_neg),
        ((operator.getitem,), _f_getitem),
        ((getattr,), _f_getattr),
    ]
    return {f: handler for functions, handler in table for f in functions}


_METHODS: dict[str, _Handler] = {
    **{m: _f_reshape for m in ("view", "reshape", "flatten", "unflatten", "squeeze",
                               "unsqueeze", "view_as", "reshape_as")},
    **{m: _f_identity for m in ("contiguous", "clone", "detach")},
    **{m: _f_relu for m in ("relu", "relu_")},
    **{m: _f_clamp for m in ("clamp", "clamp_", "clip", "clip_")},
    "abs": _f_abs,
    "amax": _reduce(False),
    "amin": _reduce(True),
    "max": _max_or_maximum(False),
    "min": _max_or_maximum(True),
    "maximum": _maximum(False),
    "minimum": _maximum(True),
    **{m: _f_add(1.0) for m in ("add", "add_")},
    **{m: _f_add(-1.0) for m in ("sub", "sub_")},
    **{m: _f_mul for m in ("mul", "mul_")},
    **{m: _f_div for m in ("div", "div_")},
    "neg": _f_neg,
}


# -- to_torch ------------------------------------------------------------------------------


def to_torch(graph: Graph) -> Any:
    """A float64 ``torch.nn.Module`` computing ``graph``.

    Every node kind and operator of :mod:`regions.graph` and :mod:`regions.operators` is
    supported (an operator of another class through its dense matrix). Fraction parameters
    are rounded to float64. The module takes a batch shaped ``(N, *graph.input_shape)`` (or
    flat rows ``(N, graph.input_size)``), cast to its dtype, and returns ``(N,
    *graph.output_shape)``. Its ``layers`` are one small module per node, in order.

    Parameters
    ----------
    graph : Graph

    Returns
    -------
    torch.nn.Module
        In eval mode; ``.float()`` makes a float32 copy as for any module.

    Raises
    ------
    TypeError
        If ``graph`` is not a :class:`~regions.Graph`.

    See Also
    --------
    from_torch

    References
    ----------
    .. [1] A. Paszke et al., "PyTorch: An Imperative Style, High-Performance Deep Learning
       Library", NeurIPS 2019.

    Examples
    --------
    >>> import pytest; torch = pytest.importorskip("torch")  # the example needs PyTorch
    >>> from regions import GraphBuilder
    >>> b = GraphBuilder((1, 4))
    >>> h = b.conv(b.input, np.array([[[1.0, -1.0]]]), bias=[0.5], name="conv")
    >>> g = b.build(b.max_pool(b.activation(h, "relu"), 3, name="pool"))
    >>> module = to_torch(g)
    >>> module(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    tensor([[[2.5000]]], dtype=torch.float64)
    >>> g([1.0, 3.0, 2.0, 0.0])
    array([2.5])
    """
    if not isinstance(graph, Graph):
        raise TypeError(f"graph must be a regions.Graph, got {type(graph).__name__}")
    torch = _import_torch()
    layers = _torch_layers()
    position = {graph.nodes[0].name: 0}
    modules, inputs = [], []
    for node in graph.nodes[1:]:
        modules.append(_layer(layers, node))
        inputs.append(tuple(position[name] for name in node.inputs))
        position[node.name] = len(position)
    module = layers.GraphModule(modules, inputs, graph.input_shape, graph.output_shape,
                                position[graph.output])
    return module.to(torch.float64).eval()


def _float(values: Any) -> np.ndarray:
    return np.ascontiguousarray(_numbers.to_float(np.asarray(values)), dtype=np.float64)


def _layer(layers: Any, node: Node) -> Any:
    if isinstance(node, Affine):
        bias = None if node.bias is None else _float(node.bias)
        return layers.Affine(node.name, _operator(layers, node.op), bias)
    if isinstance(node, Elementwise):
        act = node.activation
        return layers.Elementwise(node.name, [float(v) for v in act.thresholds],
                                  [float(v) for v in act.slopes],
                                  [float(v) for v in act.intercepts])
    if isinstance(node, GroupMax):
        return layers.GroupMax(node.name, node.groups)
    if isinstance(node, Add):
        return layers.Add(node.name)
    if isinstance(node, Concat):
        return layers.Concat(node.name, node.order)
    if isinstance(node, Reshape):
        return layers.Reshape(node.name)
    raise TypeError(f"to_torch: node {node.name!r} of kind {node.kind} is not supported")


def _operator(layers: Any, op: LinearOperator) -> Any:
    if isinstance(op, Conv) and 1 <= len(op.in_shape) - 1 <= 3:
        return layers.Conv(_float(op.kernel), op.in_shape, op.stride, op.padding, op.dilation,
                           op.groups)
    if isinstance(op, AveragePool):
        return layers.Pool(_float(op.weights), op.index, op.channels)
    if isinstance(op, ChannelScale):
        return layers.Scale(_float(op.scale), op.in_shape[0])
    return layers.Dense(_float(op.to_dense()))


@functools.lru_cache(maxsize=None)
def _torch_layers() -> Any:
    """The module classes of :func:`to_torch` (defined once torch is imported)."""
    import types

    import torch
    from torch import nn

    F = nn.functional

    def buffer(values: Any, dtype: Any = torch.float64) -> Any:
        return torch.tensor(np.array(values)).to(dtype)  # a copy: numpy data may be read-only

    class Layer(nn.Module):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.node = name

        def extra_repr(self) -> str:
            return repr(self.node)

    class Dense(nn.Module):
        matrix: Any

        def __init__(self, matrix: np.ndarray) -> None:
            super().__init__()
            self.register_buffer("matrix", buffer(matrix))

        def forward(self, x: Any) -> Any:
            return x @ self.matrix.T

    class Conv(nn.Module):
        kernel: Any

        def __init__(self, kernel: np.ndarray, in_shape: tuple[int, ...], stride: Any,
                     padding: Any, dilation: Any, groups: int) -> None:
            super().__init__()
            self.register_buffer("kernel", buffer(kernel))
            self.in_shape = in_shape
            self.options = dict(stride=stride, padding=padding, dilation=dilation,
                                groups=groups)
            self.conv = (F.conv1d, F.conv2d, F.conv3d)[len(in_shape) - 2]

        def forward(self, x: Any) -> Any:
            y = self.conv(x.reshape(x.shape[0], *self.in_shape), self.kernel, **self.options)
            return y.reshape(x.shape[0], -1)

    class Pool(nn.Module):
        """Weighted sums of windows: ``index`` (L, K) per channel, -1 reading zero."""

        weights: Any
        index: Any

        def __init__(self, weights: np.ndarray, index: np.ndarray, channels: int) -> None:
            super().__init__()
            self.register_buffer("weights", buffer(weights))
            self.register_buffer("index", buffer(index, torch.long))
            self.channels = channels

        def forward(self, x: Any) -> Any:
            n = x.shape[0]
            padded = F.pad(x.reshape(n, self.channels, -1), (0, 1))
            index = torch.where(self.index < 0, padded.shape[2] - 1, self.index)
            return (padded[:, :, index] * self.weights).sum(-1).reshape(n, -1)

    class Scale(nn.Module):
        scale: Any

        def __init__(self, scale: np.ndarray, channels: int) -> None:
            super().__init__()
            self.register_buffer("scale", buffer(scale))
            self.channels = channels

        def forward(self, x: Any) -> Any:
            n = x.shape[0]
            return (x.reshape(n, self.channels, -1) * self.scale[:, None]).reshape(n, -1)

    class Affine(Layer):
        bias: Any

        def __init__(self, name: str, op: nn.Module, bias: np.ndarray | None) -> None:
            super().__init__(name)
            self.op = op
            self.register_buffer("bias", None if bias is None else buffer(bias))

        def forward(self, x: Any) -> Any:
            y = self.op(x)
            return y if self.bias is None else y + self.bias

    class Elementwise(Layer):
        """phi from its table: the piece is the number of thresholds below the value."""

        thresholds: Any
        slopes: Any
        intercepts: Any

        def __init__(self, name: str, thresholds: list[float], slopes: list[float],
                     intercepts: list[float]) -> None:
            super().__init__(name)
            self.register_buffer("thresholds", buffer(thresholds))
            self.register_buffer("slopes", buffer(slopes))
            self.register_buffer("intercepts", buffer(intercepts))

        def forward(self, x: Any) -> Any:
            if self.thresholds.numel() == 0:
                return x * self.slopes[0] + self.intercepts[0]
            piece = torch.bucketize(x, self.thresholds)  # count of thresholds < x
            return self.slopes[piece] * x + self.intercepts[piece]

    class GroupMax(Layer):
        groups: Any

        def __init__(self, name: str, groups: np.ndarray) -> None:
            super().__init__(name)
            self.register_buffer("groups", buffer(groups, torch.long))

        def forward(self, x: Any) -> Any:
            low = torch.full((x.shape[0], 1), -math.inf, dtype=x.dtype, device=x.device)
            padded = torch.cat([x, low], dim=1)
            index = torch.where(self.groups < 0, x.shape[1], self.groups)
            return padded[:, index].amax(dim=-1)

    class Add(Layer):
        def forward(self, *xs: Any) -> Any:
            out = xs[0]
            for x in xs[1:]:
                out = out + x
            return out

    class Concat(Layer):
        order: Any

        def __init__(self, name: str, order: np.ndarray) -> None:
            super().__init__(name)
            self.register_buffer("order", buffer(order, torch.long))

        def forward(self, *xs: Any) -> Any:
            return torch.cat(xs, dim=1)[:, self.order]

    class Reshape(Layer):
        def forward(self, x: Any) -> Any:
            return x  # values travel as flat rows

    class GraphModule(nn.Module):
        """A :class:`regions.Graph` as a module: the layers applied in order to flat rows."""

        dtype_probe: Any

        def __init__(self, layers: list[nn.Module], inputs: list[tuple[int, ...]],
                     input_shape: tuple[int, ...], output_shape: tuple[int, ...],
                     output: int) -> None:
            super().__init__()
            self.layers = nn.ModuleList(layers)
            self.inputs = inputs
            self.input_shape, self.output_shape, self.output = input_shape, output_shape, output
            self.register_buffer("dtype_probe", torch.zeros(0, dtype=torch.float64),
                                 persistent=False)

        def forward(self, x: Any) -> Any:
            size = math.prod(self.input_shape)
            if x.ndim < 2 or (tuple(x.shape[1:]) != self.input_shape and
                              tuple(x.shape[1:]) != (size,)):
                raise ValueError(f"input must have shape (N, *{self.input_shape}) or (N, "
                                 f"{size}); got {tuple(x.shape)}")
            values = [x.reshape(x.shape[0], -1).to(self.dtype_probe.dtype)]
            for layer, inputs in zip(self.layers, self.inputs):
                values.append(layer(*[values[i] for i in inputs]))
            return values[self.output].reshape(x.shape[0], *self.output_shape)

    return types.SimpleNamespace(
        Dense=Dense, Conv=Conv, Pool=Pool, Scale=Scale, Affine=Affine, Elementwise=Elementwise,
        GroupMax=GroupMax, Add=Add, Concat=Concat, Reshape=Reshape, GraphModule=GraphModule)
