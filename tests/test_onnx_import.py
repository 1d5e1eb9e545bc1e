"""Tests of regions.from_onnx: models built with onnx.helper, checked against NumPy references
written here from the ONNX operator specifications (float64, the same float32 weights)."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from regions import from_onnx, hardtanh
from regions.graph import Affine, Elementwise, GroupMax

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(20240601)


# -- building models -----------------------------------------------------------------------


class Model:
    """Collects initializers and nodes; ``build`` makes a checked ModelProto."""

    def __init__(self, dtype: Any = np.float32) -> None:
        self.dtype = dtype
        self.inits: list[Any] = []
        self.nodes: list[Any] = []
        self.values: dict[str, np.ndarray] = {}

    def param(self, name: str, *shape: int, scale: float = 0.5) -> np.ndarray:
        """A random initializer; returns its value in float64 (for the reference)."""
        value = (RNG.standard_normal(shape) * scale).astype(self.dtype)
        return self.const(name, value)

    def const(self, name: str, value: Any) -> np.ndarray:
        arr = np.asarray(value)
        self.inits.append(numpy_helper.from_array(arr, name))
        self.values[name] = arr
        return arr.astype(np.float64) if arr.dtype.kind == "f" else arr

    def node(self, op: str, inputs: list[str], output: str, name: str | None = None,
             **attrs: Any) -> None:
        self.nodes.append(helper.make_node(op, inputs, [output], name=name or output, **attrs))

    def build(self, input_shape: tuple[Any, ...], output_shape: tuple[Any, ...],
              opset: int = 13, output: str = "y", check: bool = True) -> Any:
        elem = TensorProto.FLOAT if self.dtype == np.float32 else TensorProto.DOUBLE
        graph = helper.make_graph(
            self.nodes, "test", [helper.make_tensor_value_info("x", elem, input_shape)],
            [helper.make_tensor_value_info(output, elem, output_shape)], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        if check:
            onnx.checker.check_model(model)
        return model


def assert_matches(model: Any, reference: Any, shape: tuple[int, ...], n: int = 4) -> Any:
    """The imported graph's forward equals ``reference`` to 1e-12 (relative to its size)."""
    g = from_onnx(model)
    x = RNG.standard_normal((n,) + shape)
    got, want = g(x), reference(x).reshape(n, -1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    return g


# -- NumPy references (batch first, float64) ------------------------------------------------


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def gemm(a, b, c=None, alpha=1.0, beta=1.0, trans_b=False):
    out = alpha * (a @ (b.T if trans_b else b))
    return out if c is None else out + beta * c


def conv2d(x, w, b=None, stride=(1, 1), pad=(0, 0), dil=(1, 1), group=1):
    """Cross-correlation, loops over outputs: the definition."""
    n, cin, h, wd = x.shape
    cout, cin_g, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, cout, oh, ow))
    per_group = cout // group
    for o in range(cout):
        g = o // per_group
        for i in range(oh):
            for j in range(ow):
                r, s = i * stride[0], j * stride[1]
                patch = xp[:, g * cin_g:(g + 1) * cin_g, r:r + dil[0] * (kh - 1) + 1:dil[0],
                           s:s + dil[1] * (kw - 1) + 1:dil[1]]
                out[:, o, i, j] = (patch * w[o]).sum(axis=(1, 2, 3))
    return out if b is None else out + b[None, :, None, None]


def conv1d(x, w, b=None, stride=1, pad=0, dil=1, group=1):
    return conv2d(x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, pad), (1, dil),
                  group)[:, :, 0, :]


def pool2d(x, kernel, stride, pad, kind, count_include_pad=False, dil=(1, 1)):
    """Max or average pooling, loops over outputs (max pads with -inf)."""
    n, c, h, wd = x.shape
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), constant_values=fill)
    ones = np.pad(np.ones((h, wd)), ((pad[0], pad[0]), (pad[1], pad[1])))
    oh = (h + 2 * pad[0] - dil[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * pad[1] - dil[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * stride[0], i * stride[0] + dil[0] * (kernel[0] - 1) + 1, dil[0])
            cols = slice(j * stride[1], j * stride[1] + dil[1] * (kernel[1] - 1) + 1, dil[1])
            win = xp[:, :, rows, cols]
            if kind == "max":
                out[:, :, i, j] = win.max(axis=(2, 3))
            else:
                count = kernel[0] * kernel[1] if count_include_pad else ones[rows, cols].sum()
                out[:, :, i, j] = win.sum(axis=(2, 3)) / count
    return out


def batch_norm(x, scale, bias, mean, var, eps):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    eps = float(np.float32(eps))
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * \
        scale.reshape(shape) + bias.reshape(shape)


# -- models and their forwards --------------------------------------------------------------


@pytest.mark.parametrize("opset", [13, 17])
def test_mlp_gemm_matmul_add_and_activations(opset):
    m = Model()
    w1, b1 = m.param("w1", 6, 3), m.param("b1", 6)
    w2, b2 = m.param("w2", 6, 5), m.param("b2", 5)
    w3, c3 = m.param("w3", 4, 5), m.param("c3", 1, 4)
    lo, hi = m.const("lo", np.float32(-0.7)), m.const("hi", np.float32(0.9))
    m.node("Gemm", ["x", "w1", "b1"], "h1", transB=1)
    m.node("Relu", ["h1"], "a1")
    m.node("MatMul", ["a1", "w2"], "h2")
    m.node("Add", ["h2", "b2"], "z2")
    m.node("LeakyRelu", ["z2"], "a2", alpha=0.2)
    m.node("Gemm", ["a2", "w3", "c3"], "h3", transB=1, alpha=0.75, beta=-1.5)
    m.node("Clip", ["h3", "lo", "hi"], "y")
    model = m.build(("N", 3), ("N", 4), opset=opset)
    alpha = float(np.float32(0.2))

    def reference(x):
        a1 = relu(gemm(x, w1, b1, trans_b=True))
        z2 = a1 @ w2 + b2
        a2 = np.where(z2 > 0, z2, alpha * z2)
        h3 = gemm(a2, w3, c3, alpha=0.75, beta=-1.5, trans_b=True)
        return np.clip(h3, float(lo), float(hi))

    g = assert_matches(model, reference, (3,))
    assert [n.name for n in g.nodes] == ["x", "h1", "a1", "h2", "a2", "h3", "y"]  # Add folded
    assert isinstance(g.node("h2"), Affine) and g.node("h2").bias is not None
    leaky = g.node("a2").activation
    assert leaky.slopes[0] == Fraction(float(np.float32(0.2))) != Fraction(1, 5)
    assert g.node("y").activation == hardtanh(float(lo), float(hi))


def test_clip_attributes_opset6_and_weights_exact():
    m = Model()
    w = m.param("w", 3, 4)
    m.node("MatMul", ["x", "w"], "h")
    m.node("Clip", ["h"], "y", min=-0.25, max=0.5)
    model = m.build(("N", 3), ("N", 4), opset=6)
    g = assert_matches(model, lambda x: np.clip(x @ w, -0.25, 0.5), (3,))
    assert g.node("y").activation == hardtanh(-0.25, 0.5)
    np.testing.assert_array_equal(g.node("h").op.matrix, m.values["w"].astype(np.float64).T)


@pytest.mark.parametrize("bounds, name, fn", [
    ((0.0, 6.0), "relu6", lambda h: np.clip(h, 0, 6)),
    ((0.0, None), "relu", relu),
    ((-1.5, None), "clip(-3/2, inf)", lambda h: np.maximum(h, -1.5)),
    ((None, 0.5), "clip(-inf, 1/2)", lambda h: np.minimum(h, 0.5)),
])
def test_clip_one_or_two_constant_bounds(bounds, name, fn):
    m = Model()
    w = m.param("w", 3, 5, scale=4.0)
    inputs = ["h"]
    for key, value in zip(("lo", "hi"), bounds):
        if value is not None:
            m.const(key, np.float32(value))
        inputs.append(key if value is not None else "")
    m.node("MatMul", ["x", "w"], "h")
    m.node("Clip", inputs, "y")
    g = assert_matches(m.build(("N", 3), ("N", 5)), lambda x: fn(x @ w), (3,))
    assert g.node("y").activation.name == name


@pytest.mark.parametrize("group, dilation", [(1, 1), (2, 2)])
def test_cnn_conv_batchnorm_pools_flatten_gemm(group, dilation):
    m = Model()
    w1, b1 = m.param("w1", 4, 2 // group, 3, 3), m.param("b1", 4)
    scale, bias, mean = m.param("s", 4), m.param("b", 4), m.param("mean", 4)
    var = m.const("var", (RNG.random(4) + 0.5).astype(np.float32))
    w2, cb = m.param("w2", 4, 4 // group, 2, 2), m.param("cb", 4, 1, 1)
    fc, fcb = m.param("fc", 5, 4), m.param("fcb", 5)
    m.node("Conv", ["x", "w1", "b1"], "c1", strides=[1, 2], pads=[1, 1, 1, 1],
           dilations=[dilation, 1], group=group)
    m.node("BatchNormalization", ["c1", "s", "b", "mean", "var"], "bn", epsilon=1e-3)
    m.node("Relu", ["bn"], "r1")
    m.node("AveragePool", ["r1"], "p1", kernel_shape=[2, 2], strides=[1, 1], pads=[1, 1, 1, 1])
    m.node("Conv", ["p1", "w2"], "c2", group=group)
    m.node("Add", ["c2", "cb"], "c2b")
    m.node("Abs", ["c2b"], "a2")
    m.node("AveragePool", ["a2"], "p2", kernel_shape=[2, 1], count_include_pad=1,
           pads=[1, 0, 1, 0])
    m.node("GlobalAveragePool", ["p2"], "gap")
    m.node("Flatten", ["gap"], "f")
    m.node("Gemm", ["f", "fc", "fcb"], "y", transB=1)
    model = m.build(("N", 2, 7, 8), ("N", 5))

    def reference(x):
        c1 = conv2d(x, w1, b1, (1, 2), (1, 1), (dilation, 1), group)
        r1 = relu(batch_norm(c1, scale, bias, mean, var, 1e-3))
        p1 = pool2d(r1, (2, 2), (1, 1), (1, 1), "avg")
        a2 = np.abs(conv2d(p1, w2, group=group) + cb)
        p2 = pool2d(a2, (2, 1), (1, 1), (1, 0), "avg", count_include_pad=True)
        return gemm(p2.mean(axis=(2, 3)), fc, fcb, trans_b=True)

    g = assert_matches(model, reference, (2, 7, 8))
    assert g.piecewise_linear_nodes == ("r1", "a2") and "c2b" not in [n.name for n in g.nodes]


def test_cnn_maxpool_with_pads():
    m = Model()
    w, b = m.param("w", 3, 1, 3, 3), m.param("b", 3)
    fc = m.param("fc", 27, 2)
    m.node("Conv", ["x", "w", "b"], "c", pads=[1, 1, 1, 1])
    m.node("Relu", ["c"], "r")
    m.node("MaxPool", ["r"], "p", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    m.node("MaxPool", ["p"], "q", kernel_shape=[2, 2], dilations=[2, 1], auto_pad="VALID",
           strides=[1, 1])
    m.node("Flatten", ["r"], "rf")  # unused branch: not converted
    m.node("Flatten", ["q"], "f")
    m.node("MatMul", ["f", "fc"], "y")
    model = m.build(("N", 1, 9, 8), ("N", 2))

    def reference(x):
        p = pool2d(relu(conv2d(x, w, b, pad=(1, 1))), (3, 3), (2, 2), (1, 1), "max")
        q = pool2d(p, (2, 2), (1, 1), (0, 0), "max", dil=(2, 1))
        return q.reshape(len(x), -1) @ fc

    g = assert_matches(model, reference, (1, 9, 8))
    assert g.piecewise_linear_nodes == ("r", "p", "q")
    assert isinstance(g.node("p"), GroupMax)


def test_residual_block_float64():
    m = Model(np.float64)
    w1, b1 = m.param("w1", 3, 3, 3), m.param("b1", 3)
    w2, b2 = m.param("w2", 3, 3, 3), m.param("b2", 3)
    m.nodes += [  # unnamed nodes
        helper.make_node("Conv", ["x", "w1", "b1"], ["t0"], pads=[1, 1]),
        helper.make_node("Relu", ["t0"], ["t1"]),
        helper.make_node("Conv", ["t1", "w2", "b2"], ["t2"], pads=[1, 1]),
        helper.make_node("Add", ["t2", "x"], ["t3"]),
        helper.make_node("Relu", ["t3"], ["y"]),
    ]
    model = m.build(("batch", 3, 10), ("batch", 3, 10))

    def reference(x):
        h = relu(conv1d(x, w1, b1, pad=1))
        return relu(conv1d(h, w2, b2, pad=1) + x)

    g = assert_matches(model, reference, (3, 10))
    assert [n.name for n in g.nodes] == ["x", "Conv_0", "Relu_1", "Conv_2", "Add_3", "Relu_4"]


@pytest.mark.parametrize("axis", [1, -1])
def test_concat_of_two_branches(axis):
    m = Model()
    wa, wb = m.param("wa", 2, 2, 3, 3), m.param("wb", 3, 2, 1, 1)
    size = (5 * 4 * 4) if axis == 1 else (2 * 4 * 8)
    fc, fcb = m.param("fc", size, 3), m.param("fcb", 3)
    m.node("Conv", ["x", "wa"], "a", pads=[1, 1, 1, 1])
    if axis == 1:
        m.node("Conv", ["x", "wb"], "b")
    else:
        m.node("Relu", ["x"], "b")
    m.node("Concat", ["a", "b"], "c", axis=axis)
    m.node("LeakyRelu", ["c"], "r", alpha=0.1)
    m.node("Flatten", ["r"], "f")
    m.node("MatMul", ["f", "fc"], "h")
    m.node("Add", ["fcb", "h"], "y")  # constant first
    model = m.build(("N", 2, 4, 4), ("N", 3))

    def reference(x):
        a = conv2d(x, wa, pad=(1, 1))
        b = conv2d(x, wb) if axis == 1 else relu(x)
        c = np.concatenate([a, b], axis=axis)
        r = np.where(c > 0, c, float(np.float32(0.1)) * c)
        return r.reshape(len(x), -1) @ fc + fcb

    assert_matches(model, reference, (2, 4, 4))


def test_reshape_constant_shape_and_matmul_on_either_side():
    m = Model()
    m.const("s1", np.array([0, -1, 4], dtype=np.int64))
    w = m.param("w", 4, 5)
    left = m.param("left", 3, 6)
    bias = (RNG.standard_normal((1, 5)) * 0.5).astype(np.float32)
    m.node("Reshape", ["x", "s1"], "r1")  # (N, 6, 4)
    m.node("MatMul", ["r1", "w"], "h1")  # (N, 6, 5)
    m.node("MatMul", ["left", "h1"], "h2")  # (N, 3, 5)
    m.nodes.append(helper.make_node("Constant", [], ["bias"], value=numpy_helper.from_array(
        bias)))  # after the MatMul it is folded into
    m.node("Add", ["h2", "bias"], "h3")
    m.node("Relu", ["h3"], "r2")
    m.nodes.append(helper.make_node("Constant", [], ["s2"], value=numpy_helper.from_array(
        np.array([-1, 15], dtype=np.int64))))
    m.node("Reshape", ["r2", "s2"], "r3")
    m.node("Identity", ["r3"], "i")
    m.node("Dropout", ["i"], "y")
    model = m.build(("N", 2, 3, 4), ("N", 15))

    def reference(x):
        h1 = x.reshape(len(x), 6, 4) @ w
        return relu(left @ h1 + bias.astype(np.float64)).reshape(len(x), 15)

    g = assert_matches(model, reference, (2, 3, 4))
    assert g.output_shape == (15,) and g.node("r1").shape == (6, 4)
    assert [n.name for n in g.nodes] == ["x", "r1", "h1", "h2", "r2", "r3"]


def test_add_of_a_constant_alone_is_an_affine_node():
    m = Model()
    shift = m.param("shift", 2, 1)
    m.node("Relu", ["x"], "r")
    m.node("Add", ["r", "shift"], "a")
    m.node("Abs", ["a"], "y")
    g = assert_matches(m.build(("N", 2, 3), ("N", 2, 3)), lambda x: np.abs(relu(x) + shift),
                       (2, 3))
    assert isinstance(g.node("a"), Affine) and g.piecewise_linear_nodes == ("r", "y")


def test_sources_path_bytes_and_model(tmp_path):
    m = Model()
    w = m.param("w", 2, 2)
    m.node("MatMul", ["x", "w"], "y")
    model = m.build((1, 2), (1, 2))
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    x = np.array([[1.0, -2.0]])
    for source in (model, path, str(path), model.SerializeToString()):
        np.testing.assert_allclose(from_onnx(source)(x), x @ w, rtol=1e-15)
    with pytest.raises(TypeError, match="ModelProto"):
        from_onnx(3)


def test_import_regions_does_not_import_onnx():
    code = "import sys, regions; assert 'onnx' not in sys.modules, 'onnx imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- errors --------------------------------------------------------------------------------


def _single_op(op: str, opset: int = 13, inputs: tuple[str, ...] = (), domain: str = "",
               **attrs: Any) -> Any:
    m = Model()
    m.param("w", 4, 4)
    m.node("MatMul", ["x", "w"], "h")
    m.nodes.append(helper.make_node(op, ["h", *inputs], ["y"], name="bad", domain=domain,
                                    **attrs))
    if domain:
        model = m.build(("N", 4), ("N", 4), opset=opset, check=False)
        model.opset_import.append(helper.make_opsetid(domain, 1))
        onnx.checker.check_model(model)
        return model
    return m.build(("N", 4), ("N", 4), opset=opset)


def _resize() -> Any:
    m = Model()
    m.const("scales", np.array([1, 1, 2, 2], np.float32))
    m.nodes.append(helper.make_node("Resize", ["x", "", "scales"], ["y"], name="bad"))
    return m.build(("N", 1, 3, 3), ("N", 1, 6, 6))


def _two_outputs() -> Any:
    m = Model()
    m.node("Relu", ["x"], "y")
    model = m.build(("N", 3), ("N", 3))
    model.graph.output.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3]))
    onnx.checker.check_model(model)
    return model


def _reshape_computed_shape() -> Any:
    m = Model()
    m.node("Relu", ["x"], "s")
    m.nodes.append(helper.make_node("Reshape", ["x", "s"], ["y"], name="bad"))
    return m.build(("N", 2), ("N", 2))


def _conv(**attrs: Any) -> Any:
    m = Model()
    m.param("w", 1, 1, 2, 2)
    m.nodes.append(helper.make_node("Conv", ["x", "w"], ["y"], name="bad", **attrs))
    return m.build(("N", 1, 4, 4), ("N", 1, 4, 4))


def _maxpool(outputs: int = 1, **attrs: Any) -> Any:
    m = Model()
    m.nodes.append(helper.make_node("MaxPool", ["x"], ["y", "idx"][:outputs], name="bad",
                                    kernel_shape=[2, 2], strides=[1, 1], **attrs))
    return m.build(("N", 1, 4, 4), ("N", 1, 3, 3))


def _matmul_computed_weight() -> Any:
    m = Model()
    m.node("Relu", ["x"], "r")
    m.nodes.append(helper.make_node("MatMul", ["x", "r"], ["y"], name="bad"))
    return m.build(("N", 3), ("N", 3))


def _concat_batch_axis() -> Any:
    m = Model()
    m.node("Relu", ["x"], "r")
    m.nodes.append(helper.make_node("Concat", ["x", "r"], ["y"], name="bad", axis=0))
    return m.build(("N", 3), ("N", 3))


def _gemm_trans_a() -> Any:
    m = Model()
    m.param("w", 3, 3)
    m.nodes.append(helper.make_node("Gemm", ["x", "w"], ["y"], name="bad", transA=1))
    return m.build(("N", 3), ("N", 3))


def _flatten_axis_2() -> Any:
    m = Model()
    m.nodes.append(helper.make_node("Flatten", ["x"], ["y"], name="bad", axis=2))
    return m.build(("N", 2, 3), ("N", 6))


def _two_inputs() -> Any:
    m = Model()
    m.node("Add", ["x", "z"], "y")
    model = m.build(("N", 3), ("N", 3), check=False)
    model.graph.input.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", 3]))
    onnx.checker.check_model(model)
    return model


def _unnamed_sigmoid() -> Any:
    m = Model()
    m.nodes.append(helper.make_node("Sigmoid", ["x"], ["y"]))
    return m.build(("N", 3), ("N", 3))


@pytest.mark.parametrize("make, error, match", [
    (lambda: _single_op("Sigmoid"), NotImplementedError, "'bad' .Sigmoid.: Sigmoid is not "
     "piecewise linear"),
    (lambda: _single_op("Tanh"), NotImplementedError, "'bad' .Tanh.*not piecewise linear"),
    (lambda: _single_op("Softmax", axis=1), NotImplementedError, "Softmax is not piecewise"),
    (lambda: _single_op("Gelu", opset=20), NotImplementedError, "Gelu is not piecewise"),
    (_resize, NotImplementedError, "'bad' .Resize.: unsupported operation 'Resize'"),
    (lambda: _single_op("Frobnicate", domain="com.example"), NotImplementedError,
     "unsupported operation 'Frobnicate' of domain 'com.example'"),
    (_unnamed_sigmoid, NotImplementedError, r"node #0 \(Sigmoid, unnamed\)"),
    (_two_outputs, NotImplementedError, "2 outputs"),
    (_reshape_computed_shape, NotImplementedError, "'bad' .Reshape.: the shape .input 1, 's'. "
     "must be a constant"),
    (lambda: _conv(pads=[0, 0, 1, 1]), NotImplementedError, "'bad' .Conv.: asymmetric padding"),
    (lambda: _conv(auto_pad="SAME_UPPER"), NotImplementedError, "auto_pad=SAME_UPPER"),
    (lambda: _maxpool(ceil_mode=1), NotImplementedError, "'bad' .MaxPool.: ceil_mode=1"),
    (lambda: _maxpool(outputs=2), NotImplementedError, "'bad' .MaxPool.: only the first output"),
    (_matmul_computed_weight, NotImplementedError, "'bad' .MatMul.: the weight"),
    (_concat_batch_axis, NotImplementedError, "'bad' .Concat.: .*batch axis"),
    (_gemm_trans_a, NotImplementedError, "'bad' .Gemm.: transA=1"),
    (_flatten_axis_2, NotImplementedError, "'bad' .Flatten.: Flatten with axis=2"),
    (_two_inputs, NotImplementedError, "2 inputs"),
])
def test_unsupported_models_raise_naming_the_node(make, error, match):
    with pytest.raises(error, match=match):
        from_onnx(make())


def test_same_padding_when_symmetric():
    m = Model()
    w = m.param("w", 2, 1, 3, 3)
    m.node("Conv", ["x", "w"], "y", auto_pad="SAME_LOWER")
    model = m.build(("N", 1, 5, 5), ("N", 2, 5, 5))
    assert_matches(model, lambda x: conv2d(x, w, pad=(1, 1)), (1, 5, 5))


def test_initializer_listed_as_input_repeated_names_and_declared_shape():
    m = Model()
    w = m.param("w", 3, 3)
    m.node("MatMul", ["x", "w"], "h", name="relu")
    m.node("Relu", ["h"], "y", name="relu")
    model = m.build(("N", 3), ("N", 3), check=False)
    model.graph.input.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [3, 3]))
    onnx.checker.check_model(model)
    g = assert_matches(model, lambda x: relu(x @ w), (3,))
    assert [n.name for n in g.nodes] == ["x", "relu", "relu_1"]
    with pytest.raises(ValueError, match=r"declared with per-example shape \(4,\)"):
        from_onnx(m.build(("N", 3), ("N", 4)))


def test_input_dimensions_must_be_concrete():
    m = Model()
    m.node("Relu", ["x"], "y")
    with pytest.raises(ValueError, match=r"concrete positive d1.*\('N', 'C'\)"):
        from_onnx(m.build(("N", "C"), ("N", "C")))


def test_relu_activation_node_is_elementwise():
    m = Model()
    m.node("Relu", ["x"], "y")
    g = from_onnx(m.build(("N", 2, 2), ("N", 2, 2)))
    assert isinstance(g.node("y"), Elementwise) and g.input_shape == (2, 2)
