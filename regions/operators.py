"""Structured linear operators: the linear part of a graph's affine nodes.

An operator maps a batch of rows to a batch of rows, ``(N, in_size) -> (N, out_size)``, each
row the C-order flattening of one tensor of shape ``in_shape`` (channels first, as in PyTorch
and ONNX, without the batch axis). Every operator applies to float64 arrays and to Fraction
object arrays alike, and offers its transpose (for Jacobians) and its entrywise absolute
value (for rounding-error bounds), so no engine needs the dense matrix. A convolution is
applied as a convolution: its input patches are gathered in chunks of rows and multiplied by
the kernel, never expanded into an ``(out_size, in_size)`` matrix.

=====================  ===========================================================
:class:`Dense`         a matrix (``nn.Linear``, ``Gemm``, ``MatMul``)
:class:`Conv`          N-d convolution with stride, padding, dilation and groups
:class:`AveragePool`   average pooling over windows (or adaptive bins)
:class:`ChannelScale`  one factor per channel (batch normalisation in eval mode)
=====================  ===========================================================

Examples
--------
>>> import numpy as np
>>> conv = Conv(np.ones((1, 1, 2, 2)), in_shape=(1, 3, 3))
>>> conv.out_shape
(1, 2, 2)
>>> conv.apply(np.arange(9.0)[None, :])
array([[ 8., 12., 20., 24.]])
>>> np.array_equal(conv.to_dense() @ np.arange(9.0), conv.apply(np.arange(9.0)[None, :])[0])
True
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from . import _numbers
from .kinds import NumberKind, unchanged
from .kinds import cast as _cast
from ._rational import batched_matmul, matmul

__all__ = ["LinearOperator", "Dense", "Conv", "AveragePool", "ChannelScale"]

_CHUNK = 1 << 22
"""Entries of a gathered patch array processed at once (bounds the memory of a convolution)."""


def int_tuple(value: Any, n: int, name: str, minimum: int) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, each at least ``minimum``, as a tuple."""
    values = [value] * n if isinstance(value, (int, np.integer)) else list(value)
    if len(values) != n or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"{name} must be an int or {n} ints; got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{name} must be at least {minimum}; got {value!r}")
    return tuple(int(v) for v in values)


def _shape(value: Any, name: str) -> tuple[int, ...]:
    shape = tuple(value) if isinstance(value, (tuple, list)) else None
    if not shape or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in shape):
        raise ValueError(f"{name} must be a non-empty tuple of positive ints; got {value!r}")
    return tuple(int(v) for v in shape)


def _entries(value: Any, name: str, ndim: int) -> np.ndarray:
    """A float64 or Fraction array (the library's two number kinds), validated."""
    return _numbers.coerce_array(value, name, ndim)




def window_index(
    spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
    padding: Sequence[int], dilation: Sequence[int],
) -> tuple[tuple[int, ...], np.ndarray]:
    """Output spatial shape and, for each output position (C order) and kernel offset (C
    order), the flat input position it reads, ``-1`` where the window is in the padding.

    >>> out, idx = window_index((4,), (2,), (2,), (0,), (1,))
    >>> out, idx.tolist()
    ((2,), [[0, 1], [2, 3]])
    """
    out = []
    for s, k, st, p, d in zip(spatial, kernel, stride, padding, dilation):
        n = (s + 2 * p - d * (k - 1) - 1) // st + 1
        if n < 1:
            raise ValueError(
                f"the kernel (size {k}, dilation {d}) is larger than the padded input (size "
                f"{s}, padding {p})"
            )
        out.append(n)
    # per axis: (out positions, kernel offsets) input coordinate
    coords = [np.arange(n)[:, None] * st - p + np.arange(k)[None, :] * d
              for n, k, st, p, d in zip(out, kernel, stride, padding, dilation)]
    flat: np.ndarray = np.zeros((1, 1), dtype=np.int64)
    valid: np.ndarray = np.ones((1, 1), dtype=bool)
    for axis, (c, s) in enumerate(zip(coords, spatial)):
        flat = (flat[:, None, :, None] * s + c[None, :, None, :]).reshape(
            flat.shape[0] * c.shape[0], flat.shape[1] * c.shape[1])
        ok = (c >= 0) & (c < s)
        valid = (valid[:, None, :, None] & ok[None, :, None, :]).reshape(flat.shape)
    return tuple(out), np.where(valid, flat, -1)


class LinearOperator:
    """A linear map between flattened tensors, applied to batches of rows.

    Subclasses set ``in_shape`` and ``out_shape`` and implement ``_apply``,
    ``_transpose``, ``absolute`` and ``convert``.

    Attributes
    ----------
    in_shape, out_shape : tuple of int
        Per-example tensor shapes (channels first, no batch axis).
    is_exact : bool
        True when the entries are Fractions.
    """

    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]

    @property
    def in_size(self) -> int:
        return math.prod(self.in_shape)

    @property
    def out_size(self) -> int:
        return math.prod(self.out_shape)

    @property
    def is_exact(self) -> bool:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def apply(self, x: np.ndarray) -> np.ndarray:
        """The image of each row of ``x`` (shape ``(N, in_size)``)."""
        if x.ndim != 2 or x.shape[1] != self.in_size:
            raise ValueError(
                f"x must have shape (N, {self.in_size}) for {self!r}; got {x.shape}"
            )
        return self._apply(x)

    def transpose(self, y: np.ndarray) -> np.ndarray:
        """The transpose applied to each row of ``y`` (shape ``(N, out_size)``)."""
        if y.ndim != 2 or y.shape[1] != self.out_size:
            raise ValueError(
                f"y must have shape (N, {self.out_size}) for {self!r}; got {y.shape}"
            )
        return self._transpose(y)

    def to_dense(self) -> np.ndarray:
        """The ``(out_size, in_size)`` matrix (for small operators and tests)."""
        eye = np.eye(self.in_size)
        if self.is_exact:
            eye = _numbers.to_rational(eye)
        return self.apply(eye).T

    def absolute(self) -> "LinearOperator":
        """The operator with every entry replaced by its absolute value (computed once)."""
        cached = self.__dict__.get("_absolute_cache")
        if cached is None:
            cached = self.__dict__["_absolute_cache"] = self._absolute()
        return cached

    def _absolute(self) -> "LinearOperator":  # pragma: no cover - abstract
        raise NotImplementedError

    def convert(self, exact: bool | NumberKind) -> "LinearOperator":  # pragma: no cover
        """The same operator with Fraction (``exact``) or float64 entries, or the working
        entries of a :class:`~regions.kinds.NumberKind`."""
        raise NotImplementedError

    def _apply(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transpose(self, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.in_shape} -> {self.out_shape})"


class Dense(LinearOperator):
    """A dense matrix ``(out_size, in_size)``: ``y = W x``.

    >>> Dense([[1.0, 2.0]]).apply(np.array([[3.0, 4.0]]))
    array([[11.]])
    """

    def __init__(self, matrix: Any, in_shape: Sequence[int] | None = None,
                 out_shape: Sequence[int] | None = None) -> None:
        m = matrix if isinstance(matrix, np.ndarray) and matrix.ndim == 2 and (
            matrix.dtype == np.float64 or _numbers.is_rational(matrix)) else _entries(
            matrix, "matrix", 2)
        self.matrix = m
        self.in_shape = (m.shape[1],) if in_shape is None else _shape(in_shape, "in_shape")
        self.out_shape = (m.shape[0],) if out_shape is None else _shape(out_shape, "out_shape")
        if self.in_size != m.shape[1] or self.out_size != m.shape[0]:
            raise ValueError(
                f"matrix of shape {m.shape} does not map in_shape {self.in_shape} to "
                f"out_shape {self.out_shape}"
            )

    @property
    def is_exact(self) -> bool:
        return self.matrix.dtype == object

    def _apply(self, x: np.ndarray) -> np.ndarray:
        return matmul(x, self.matrix.T)

    def _transpose(self, y: np.ndarray) -> np.ndarray:
        return matmul(y, self.matrix)

    def to_dense(self) -> np.ndarray:
        return self.matrix

    def _absolute(self) -> "Dense":
        return Dense(np.abs(self.matrix), self.in_shape, self.out_shape)

    def convert(self, exact: bool | NumberKind) -> "Dense":
        if unchanged(exact, self.is_exact):
            return self
        return Dense(_cast(self.matrix, exact), self.in_shape, self.out_shape)


def _per_group(p: np.ndarray, mats: np.ndarray) -> np.ndarray:
    """``p[:, g] @ mats[g]`` for every group g (``p``: (N, G, L, K), ``mats``: (G, K, M))."""
    if p.dtype != object:
        return p @ mats[None]
    return np.stack([batched_matmul(p[:, g], mats[g]) for g in range(mats.shape[0])], axis=1)


class _Windowed(LinearOperator):
    """Shared gather/scatter of input windows: ``self.index`` (L, K) flat spatial positions,
    ``-1`` in the padding (which reads zero)."""

    index: np.ndarray
    channels: int

    def _gather(self, x: np.ndarray) -> np.ndarray:
        """(N, C * S) -> (N, C, L, K) window values, zero in the padding."""
        n, c = x.shape[0], self.channels
        padded = np.zeros((n, c, x.shape[1] // c + 1), dtype=x.dtype)
        if x.dtype == object:
            padded[...] = Fraction(0)
        padded[:, :, :-1] = x.reshape(n, c, -1)
        return padded[:, :, self.index]  # index -1 reads the zero slot

    def _scatter(self, g: np.ndarray) -> np.ndarray:
        """Adjoint of :meth:`_gather`: (N, C, L, K) -> (N, C * S)."""
        n, c = g.shape[0], self.channels
        size = self.in_size // c
        out = np.zeros((n, c, size + 1), dtype=g.dtype)
        if g.dtype == object:
            out[...] = Fraction(0)
        if self._repeats():  # windows of one offset overlap (adaptive bins growing a size)
            for k in range(self.index.shape[1]):
                np.add.at(out, (slice(None), slice(None), self.index[:, k]),  # type: ignore[arg-type]
                          g[:, :, :, k])
        else:
            for k in range(self.index.shape[1]):  # one window offset at a time
                out[:, :, self.index[:, k]] += g[:, :, :, k]
        return out[:, :, :-1].reshape(n, -1)

    def _repeats(self) -> bool:
        """Whether some window offset reads one input position for several outputs."""
        cached = getattr(self, "_has_repeats", None)
        if cached is None:
            cols = np.sort(np.where(self.index >= 0, self.index, -1 - np.arange(
                self.index.shape[0])[:, None]), axis=0)
            cached = self._has_repeats = bool(np.any(cols[1:] == cols[:-1]))
        return cached

    def _rows_per_chunk(self) -> int:
        per_row = self.channels * self.index.size
        return max(1, _CHUNK // max(per_row, 1))

    def _apply(self, x: np.ndarray) -> np.ndarray:
        return self._chunked(self._apply_rows, x, self.out_size)

    def _transpose(self, y: np.ndarray) -> np.ndarray:
        return self._chunked(self._transpose_rows, y, self.in_size)

    def _apply_rows(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transpose_rows(self, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _chunked(self, fn, x: np.ndarray, width: int) -> np.ndarray:
        step = self._rows_per_chunk()
        if x.shape[0] <= step:
            return fn(x)
        out = np.empty((x.shape[0], width), dtype=x.dtype)
        for i in range(0, x.shape[0], step):  # chunks of rows bound the patch memory
            out[i: i + step] = fn(x[i: i + step])
        return out


class Conv(_Windowed):
    """Convolution (cross-correlation, as in PyTorch and ONNX) over 1, 2 or more spatial axes.

    Parameters
    ----------
    kernel : array_like, shape (out_channels, in_channels / groups, k_1, ..., k_d)
    in_shape : tuple of int
        ``(in_channels, s_1, ..., s_d)``.
    stride, padding, dilation : int or sequence of d ints
        Zero padding on both sides of each spatial axis.
    groups : int
        Both channel counts must be divisible by it.

    >>> Conv(np.ones((2, 1, 3)), in_shape=(2, 5), groups=2, padding=1).out_shape
    (2, 5)
    """

    def __init__(self, kernel: Any, in_shape: Sequence[int], stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1) -> None:
        k = kernel if isinstance(kernel, np.ndarray) and kernel.ndim >= 3 and (
            kernel.dtype == np.float64 or _numbers.is_rational(kernel)) else _numbers.coerce_array(
            kernel, "kernel", tuple(range(3, 8)))
        self.kernel = k
        shape = _shape(in_shape, "in_shape")
        d = k.ndim - 2
        if len(shape) != d + 1:
            raise ValueError(
                f"in_shape must be (channels, {d} spatial sizes) for a kernel of shape "
                f"{k.shape}; got {shape}"
            )
        if not isinstance(groups, (int, np.integer)) or groups < 1:
            raise ValueError(f"groups must be a positive int; got {groups!r}")
        cout, cin_g = k.shape[0], k.shape[1]
        if cout % groups or shape[0] != cin_g * groups:
            raise ValueError(
                f"kernel of shape {k.shape} with groups={groups} needs {cin_g * groups} input "
                f"channels and out_channels divisible by {groups}; in_shape is {shape}"
            )
        self.stride = int_tuple(stride, d, "stride", 1)
        self.padding = int_tuple(padding, d, "padding", 0)
        self.dilation = int_tuple(dilation, d, "dilation", 1)
        self.groups = int(groups)
        self.channels = shape[0]
        out, self.index = window_index(shape[1:], k.shape[2:], self.stride, self.padding,
                                       self.dilation)
        self.in_shape = shape
        self.out_shape = (cout,) + out
        # (G, Cin_g * K, Cout_g): the kernel as one matrix per group
        g = self.groups
        self._mat = k.reshape(g, cout // g, cin_g * self.index.shape[1]).transpose(0, 2, 1)
        # (G, L, Cin_g * K): positions in a row padded with one zero per channel, so that a
        # single gather gives each group's patches in the order of _mat's rows
        size = math.prod(shape[1:]) + 1
        slot = np.where(self.index >= 0, self.index, size - 1)  # (L, K)
        chan = np.arange(shape[0]).reshape(g, cin_g)
        self._patches = (chan[:, None, :, None] * size + slot[None, :, None, :]).reshape(
            g, slot.shape[0], cin_g * slot.shape[1])

    @property
    def is_exact(self) -> bool:
        return self.kernel.dtype == object

    def _apply_rows(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        padded = np.zeros((n, self.channels, x.shape[1] // self.channels + 1), dtype=x.dtype)
        if x.dtype == object:
            padded[...] = Fraction(0)
        padded[:, :, :-1] = x.reshape(n, self.channels, -1)
        p = padded.reshape(n, -1)[:, self._patches]  # (N, G, L, Cin_g * K)
        y = _per_group(p, self._mat)  # (N, G, L, Cout_g)
        return y.transpose(0, 1, 3, 2).reshape(n, -1)

    def _transpose_rows(self, y: np.ndarray) -> np.ndarray:
        n, g = y.shape[0], self.groups
        L, K = self.index.shape
        cout_g = self.out_shape[0] // g
        yg = y.reshape(n, g, cout_g, L).transpose(0, 1, 3, 2)  # (N, G, L, Cout_g)
        p = _per_group(yg, self._mat.transpose(0, 2, 1))  # (N, G, L, Cin_g * K)
        p = p.reshape(n, g, L, self.channels // g, K).transpose(0, 1, 3, 2, 4)
        return self._scatter(p.reshape(n, self.channels, L, K))

    def _absolute(self) -> "Conv":
        return self._like(np.abs(self.kernel))

    def convert(self, exact: bool | NumberKind) -> "Conv":
        return self if unchanged(exact, self.is_exact) else self._like(_cast(self.kernel, exact))

    def _like(self, kernel: np.ndarray) -> "Conv":
        return Conv(kernel, self.in_shape, self.stride, self.padding, self.dilation, self.groups)

    def __repr__(self) -> str:
        return (f"Conv({self.in_shape} -> {self.out_shape}, kernel {self.kernel.shape[2:]}, "
                f"stride {self.stride}, padding {self.padding}, dilation {self.dilation}, "
                f"groups {self.groups})")


class AveragePool(_Windowed):
    """Each output is a weighted sum of an input window of its own channel; made by
    :meth:`window` (``nn.AvgPool``, ``AveragePool``) or :meth:`adaptive`
    (``nn.AdaptiveAvgPool``, ``GlobalAveragePool``).

    Parameters
    ----------
    in_shape : tuple of int
        ``(channels, s_1, ..., s_d)``.
    out_spatial : tuple of int
    index : ndarray of int, shape (L, K)
        Flat input positions of each output's window, ``-1`` for none.
    weights : ndarray, shape (L, K)
        Weight of each window entry (0 where ``index`` is -1).

    >>> pool = AveragePool.window((1, 4), kernel_size=2)
    >>> pool.apply(np.array([[1.0, 3.0, 5.0, 9.0]]))
    array([[2., 7.]])
    """

    def __init__(self, in_shape: Sequence[int], out_spatial: Sequence[int], index: np.ndarray,
                 weights: np.ndarray) -> None:
        self.in_shape = _shape(in_shape, "in_shape")
        self.channels = self.in_shape[0]
        self.out_shape = (self.channels,) + tuple(int(v) for v in out_spatial)
        self.index = np.asarray(index, dtype=np.int64)
        self.weights = weights
        if self.index.shape != weights.shape or self.index.shape[0] != math.prod(out_spatial):
            raise ValueError("index and weights must both have shape (outputs, window size)")

    @classmethod
    def window(cls, in_shape: Sequence[int], kernel_size: Any, stride: Any = None,
               padding: Any = 0, count_include_pad: bool = True,
               divisor_override: int | None = None) -> "AveragePool":
        """Average over sliding windows, zero padding counted in the divisor unless
        ``count_include_pad`` is False (PyTorch's and ONNX's conventions)."""
        shape = _shape(in_shape, "in_shape")
        d = len(shape) - 1
        kernel = int_tuple(kernel_size, d, "kernel_size", 1)
        stride_ = kernel if stride is None else int_tuple(stride, d, "stride", 1)
        pad = int_tuple(padding, d, "padding", 0)
        out, index = window_index(shape[1:], kernel, stride_, pad, (1,) * d)
        if divisor_override is not None:
            count = np.full(index.shape[0], int(divisor_override))
        elif count_include_pad:
            # torch counts the padding but not windows running past it (impossible here)
            count = np.full(index.shape[0], math.prod(kernel))
        else:
            count = (index >= 0).sum(axis=1)
        weights = np.array([[Fraction(1, int(c)) if i >= 0 else Fraction(0) for i in row]
                            for row, c in zip(index, count)], dtype=object).reshape(index.shape)
        return cls(shape, out, index, weights)

    @classmethod
    def adaptive(cls, in_shape: Sequence[int], output_size: Any) -> "AveragePool":
        """PyTorch's adaptive average pooling: output i of an axis of size s averages inputs
        floor(i s / n) to ceil((i + 1) s / n) - 1."""
        shape = _shape(in_shape, "in_shape")
        d = len(shape) - 1
        out = int_tuple(output_size, d, "output_size", 1)
        bins = []
        for s, n in zip(shape[1:], out):
            lo = [(i * s) // n for i in range(n)]
            hi = [-((-(i + 1) * s) // n) for i in range(n)]
            bins.append([list(range(a, b)) for a, b in zip(lo, hi)])
        strides = [math.prod(shape[2 + a:]) for a in range(d)]
        rows = [
            [sum(q * st for q, st in zip(point, strides)) for point in itertools.product(*cell)]
            for cell in itertools.product(*bins)
        ]
        width = max(len(r) for r in rows)
        index = np.full((len(rows), width), -1, dtype=np.int64)
        weights = np.full((len(rows), width), Fraction(0), dtype=object)
        for i, r in enumerate(rows):
            index[i, : len(r)] = r
            weights[i, : len(r)] = Fraction(1, len(r))
        return cls(shape, out, index, weights)

    @property
    def is_exact(self) -> bool:
        return self.weights.dtype == object

    def _apply_rows(self, x: np.ndarray) -> np.ndarray:
        w = self._weights_like(x)
        return (self._gather(x) * w).sum(axis=-1).reshape(x.shape[0], -1)

    def _transpose_rows(self, y: np.ndarray) -> np.ndarray:
        w = self._weights_like(y)
        g = y.reshape(y.shape[0], self.channels, -1)[:, :, :, None] * w
        return self._scatter(g)

    def _weights_like(self, x: np.ndarray) -> np.ndarray:
        if x.dtype == object or not self.is_exact:
            return self.weights
        return self._float_weights()

    def _float_weights(self) -> np.ndarray:
        cached = getattr(self, "_fw", None)
        if cached is None:
            cached = self._fw = _numbers.to_float(self.weights)
        return cached

    def _absolute(self) -> "AveragePool":
        return AveragePool(self.in_shape, self.out_shape[1:], self.index, np.abs(self.weights))

    def convert(self, exact: bool | NumberKind) -> "AveragePool":
        if unchanged(exact, self.is_exact):
            return self
        return AveragePool(self.in_shape, self.out_shape[1:], self.index,
                           _cast(self.weights, exact))


class ChannelScale(LinearOperator):
    """Multiply each channel by its own factor (``in_shape == out_shape``): batch
    normalisation in eval mode is ``ChannelScale(gamma / sqrt(var + eps))`` plus a bias.

    >>> ChannelScale([2.0, -1.0], in_shape=(2, 2)).apply(np.array([[1.0, 2.0, 3.0, 4.0]]))
    array([[ 2.,  4., -3., -4.]])
    """

    def __init__(self, scale: Any, in_shape: Sequence[int]) -> None:
        s = scale if isinstance(scale, np.ndarray) and scale.ndim == 1 and (
            scale.dtype == np.float64 or _numbers.is_rational(scale)) else _entries(
            scale, "scale", 1)
        self.scale = s
        self.in_shape = self.out_shape = _shape(in_shape, "in_shape")
        if s.shape[0] != self.in_shape[0]:
            raise ValueError(
                f"scale must have one entry per channel ({self.in_shape[0]}); got {s.shape[0]}"
            )

    @property
    def is_exact(self) -> bool:
        return self.scale.dtype == object

    def _apply(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        return (x.reshape(n, self.in_shape[0], -1) * self.scale[:, None]).reshape(n, -1)

    def _transpose(self, y: np.ndarray) -> np.ndarray:
        return self._apply(y)  # a diagonal map is its own transpose

    def _absolute(self) -> "ChannelScale":
        return ChannelScale(np.abs(self.scale), self.in_shape)

    def convert(self, exact: bool | NumberKind) -> "ChannelScale":
        return self if unchanged(exact, self.is_exact) else ChannelScale(_cast(self.scale, exact),
                                                                self.in_shape)
