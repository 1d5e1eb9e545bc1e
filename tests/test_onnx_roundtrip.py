"""PyTorch models exported to ONNX (torch's TorchScript exporter, ``dynamo=False``) import with
regions.from_onnx to the graph regions.from_torch makes of the model itself: same shapes, same
piecewise-linear nodes (kinds, sizes, activations, groups), same forward pass and the same
linear pieces along a segment.

ONNX stores some attributes in float32 (LeakyRelu's alpha, BatchNormalization's epsilon), so
the torch side is the model with those rounded to float32 (``_at_onnx_precision``); with that,
the graphs agree to float64 rounding. The exporter's default constant folding merges each
batch norm into the convolution before it, in the model's dtype: in float32 that rounds the
merged weights, and the graphs then agree to float32 rounding only.
"""

from __future__ import annotations

import copy
import io
import warnings

import numpy as np
import pytest

import regions
from regions.graph import Affine, Elementwise, GroupMax

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from torch import nn  # noqa: E402

from .torch_models import (ACTIVATIONS, INPUT_SHAPES, ConvMaxout, MaxoutForOnnx,  # noqa: E402
                           ResidualWithHead, TwoBranchesForOnnx, _cnn_1d_for_onnx,
                           _cnn_for_onnx, _cnn_max_pool_for_onnx, _mlp, _scale_error)
from .torch_models import _one_thread  # noqa: E402, F401  (autouse fixture: applies here)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# -- models --------------------------------------------------------------------------------


class ViewFlatten(nn.Module):
    """``x.view(x.size(0), -1)``: a Shape -> Gather -> Unsqueeze -> Concat chain in ONNX."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(11)
        self.conv = nn.Conv2d(1, 2, 3)
        self.fc = nn.Linear(2 * 3 * 3, 2)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        return self.fc(h.view(h.size(0), -1))


MODELS = {  # name -> (model factory, input shape without the batch axis)
    **{f"mlp_{act}": (lambda act=act: _mlp(act), INPUT_SHAPES["mlp"]) for act in ACTIVATIONS},
    **{name: (make, INPUT_SHAPES[name]) for name, make in [
        ("cnn", _cnn_for_onnx), ("cnn_max_pool", _cnn_max_pool_for_onnx),
        ("cnn_1d", _cnn_1d_for_onnx), ("residual", ResidualWithHead),
        ("two_branches", TwoBranchesForOnnx), ("maxout", MaxoutForOnnx),
        ("conv_maxout", lambda: ConvMaxout(global_pool=True))]},
    "view_flatten": (ViewFlatten, (1, 5, 5)),
}
HAS_BATCH_NORM = {"cnn", "cnn_1d", "residual"}

# How the model is exported: the exporter's defaults (constant folding: a batch norm is merged
# into its convolution) with a fixed batch size, the same with a symbolic batch size, and
# without constant folding (BatchNormalization nodes; shape arithmetic left to the importer).
EXPORTS = {
    "default": dict(do_constant_folding=True, dynamic_batch=False),
    "dynamic": dict(do_constant_folding=True, dynamic_batch=True),
    "unfolded": dict(do_constant_folding=False, dynamic_batch=True),
}


# -- helpers -------------------------------------------------------------------------------


def _export(model, x, opset, do_constant_folding=True, dynamic_batch=False):
    """The model's ONNX bytes, from the TorchScript exporter."""
    f = io.BytesIO()
    dynamic = {"x": {0: "N"}, "y": {0: "N"}} if dynamic_batch else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), f, dynamo=False, opset_version=opset,
                          do_constant_folding=do_constant_folding, input_names=["x"],
                          output_names=["y"], dynamic_axes=dynamic)
    return f.getvalue()


def _at_onnx_precision(model):
    """The model with the attributes ONNX stores in float32 rounded to float32."""
    model = copy.deepcopy(model)
    for m in model.modules():
        if isinstance(m, nn.LeakyReLU):
            m.negative_slope = float(np.float32(m.negative_slope))
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eps = float(np.float32(m.eps))
    return model


def _signature(g):
    return [(type(g.node(n)).__name__, g.node(n).size) for n in g.piecewise_linear_nodes]


def _assert_same_graph(got, want, tol, rng):
    """Same shapes, piecewise-linear nodes, forward pass (to ``tol``) and the same pieces
    along a random segment."""
    assert got.input_shape == want.input_shape
    assert got.output_shape == want.output_shape
    assert _signature(got) == _signature(want)
    for a, b in zip(got.piecewise_linear_nodes, want.piecewise_linear_nodes):
        a, b = got.node(a), want.node(b)
        assert a.shape == b.shape
        if isinstance(a, Elementwise):
            assert a.activation == b.activation
        else:
            assert isinstance(a, GroupMax)
            np.testing.assert_array_equal(a.groups, b.groups)
    x = rng.standard_normal((8, *got.input_shape)) * 2.0
    assert _scale_error(got(x), want(x)) < tol
    x0, x1 = rng.standard_normal((2, got.input_size)) * 3.0
    seg = regions.Segment(x0, x1)
    a, b = regions.trace(got, seg), regions.trace(want, seg)
    assert a.num_pieces == b.num_pieces > 1
    np.testing.assert_array_equal(a.transitions_per_layer, b.transitions_per_layer)


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize("opset", [13, 17])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_exported_model_imports_to_the_same_graph(name, dtype, opset, export):
    make, shape = MODELS[name]
    model = make().to(dtype).eval()
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0)).to(dtype)
    got = regions.from_onnx(_export(model, x, opset, **EXPORTS[export]))
    want = regions.from_torch(_at_onnx_precision(model), x)
    merged = EXPORTS[export]["do_constant_folding"] and name in HAS_BATCH_NORM
    rng = np.random.default_rng(sorted(MODELS).index(name))
    if merged and dtype == torch.float32:
        # The exporter rounded the merged weights to float32: the forward passes agree to
        # float32 rounding; the pieces still agree here (no two knots that close).
        _assert_same_graph(got, want, 1e-6, rng)
    else:
        _assert_same_graph(got, want, 1e-12, rng)
    if merged:
        assert sum(isinstance(n, Affine) for n in got.nodes) < \
            sum(isinstance(n, Affine) for n in want.nodes)


@pytest.mark.parametrize("name", ["maxout", "conv_maxout", "view_flatten"])
@pytest.mark.parametrize("dynamic_batch", [False, True])
def test_opset_18_reduce_max_axes_as_an_input(name, dynamic_batch):
    make, shape = MODELS[name]
    model = make().double().eval()
    x = torch.zeros(2, *shape, dtype=torch.float64)
    data = _export(model, x, 18, do_constant_folding=False, dynamic_batch=dynamic_batch)
    if name != "view_flatten":
        ops = [n for n in onnx.load_model_from_string(data).graph.node
               if n.op_type in ("ReduceMax", "ReduceMin")]
        assert ops and all(len(n.input) == 2 and {a.name for a in n.attribute} <= {"keepdims"}
                           for n in ops)
    _assert_same_graph(regions.from_onnx(data), regions.from_torch(model, x), 1e-12,
                       np.random.default_rng(18))


def test_leaky_relu_slope_is_onnx_float32_alpha():
    """The one difference from the model itself: ONNX keeps LeakyRelu's alpha in float32."""
    model = _mlp("leaky_relu").double().eval()
    x = torch.zeros(2, 3, dtype=torch.float64)
    got = regions.from_onnx(_export(model, x, 17))
    want = regions.from_torch(model, x)
    assert want.node(want.piecewise_linear_nodes[0]).activation == regions.leaky_relu(0.2)
    assert got.node(got.piecewise_linear_nodes[0]).activation == \
        regions.leaky_relu(float(np.float32(0.2)))
    xs = np.random.default_rng(0).standard_normal((8, 3))
    assert _scale_error(got(xs), want(xs)) < 1e-7


def test_symbolic_batch_reshape_accepts_only_the_batch_size_first():
    """A Reshape shape computed from a symbolic batch size keeps the batch axis when the batch
    size is its first entry; anywhere else it is refused with the node named."""

    class Bad(nn.Module):
        def forward(self, x):
            return x.reshape(2, x.size(0) * 3)  # (N, 6) -> (2, 3N): mixes examples

    x = torch.zeros(4, 6)
    data = _export(Bad(), x, 17, do_constant_folding=False, dynamic_batch=True)
    with pytest.raises(NotImplementedError, match=r"\(Reshape\): the shape .* depends on "
                       "the batch size other than by its first entry"):
        regions.from_onnx(data)


def test_exporter_fixed_batch_size_under_a_symbolic_batch_is_refused():
    """After an unflatten, torch's exporter writes ``h.size(0)`` as the batch size it traced
    with (2) even with a symbolic batch axis: that model only runs at batch size 2, and the
    import says so. With a fixed batch size (or flatten(1)) it imports."""

    class UnflattenView(nn.Module):
        def forward(self, x):
            h = x.unflatten(1, (3, 2)).amax(dim=2)
            return h.view(h.size(0), -1)

    model, x = UnflattenView(), torch.zeros(2, 6, 4)
    data = _export(model, x, 17, dynamic_batch=True)
    with pytest.raises(NotImplementedError, match=r"\(Reshape\): shape \[2, -1\] must keep "
                       r"the batch axis first.*batch size is symbolic"):
        regions.from_onnx(data)
    _assert_same_graph(regions.from_onnx(_export(model, x, 17)), regions.from_torch(model, x),
                       1e-12, np.random.default_rng(2))


def test_shape_arithmetic_on_computed_tensors_is_refused():
    class Indexing(nn.Module):
        def forward(self, x):
            return torch.relu(x)[:, 1:]

    data = _export(Indexing(), torch.zeros(2, 4), 17, dynamic_batch=True)
    with pytest.raises(NotImplementedError, match=r"\(Slice\): Slice is supported on "
                       "constants only"):
        regions.from_onnx(data)


# -- constant folding against ONNX's reference evaluator ------------------------------------


def _const(name, value):
    from onnx import helper, numpy_helper

    return helper.make_node("Constant", [], [name],
                            value=numpy_helper.from_array(np.asarray(value), name))


def _folding_cases():
    """Chains of shape arithmetic PyTorch's exporter does not write for the models above
    (negative steps, attribute forms of older opsets...), each ending in a bias ``b`` of 4
    entries, or (``reshape``) in the shape of a Reshape; with their opsets."""
    from onnx import TensorProto, helper, numpy_helper

    node, c = helper.make_node, _const
    fill = numpy_helper.from_array(np.array([2.5], np.float32))
    return {
        "range_slice_negative_step": ([
            c("s", np.int64(0)), c("l", np.int64(10)), c("d", np.int64(1)),
            node("Range", ["s", "l", "d"], ["r"]), c("st", [-1]), c("en", [-100]),
            c("ax", [0]), c("sp", [-3]), node("Slice", ["r", "st", "en", "ax", "sp"], ["q"]),
            node("Cast", ["q"], ["b"], to=TensorProto.FLOAT)], 13),
        "integer_div_mod": ([
            c("a", [7, -7, 9, 3]), c("d", [2, 2, -4, 3]), node("Div", ["a", "d"], ["q"]),
            node("Mod", ["a", "d"], ["m"]), node("Mul", ["q", "m"], ["p"]),
            node("Sub", ["p", "q"], ["n"]), node("Neg", ["n"], ["k"]),
            node("Cast", ["k"], ["b"], to=TensorProto.FLOAT)], 13),
        "where_equal_expand": ([
            c("a", np.float32([1, 2, 3, 4])), c("e", np.float32([1, 0, 3, 0])),
            node("Equal", ["a", "e"], ["eq"]), c("shape", [4]),
            node("ConstantOfShape", ["shape"], ["z"], value=fill), c("o", np.float32([-1.5])),
            node("Expand", ["o", "shape"], ["oe"]), node("Where", ["eq", "z", "oe"], ["b"])],
            13),
        "gather_unsqueeze_squeeze_opset11": ([
            c("a", np.float32([[1, 2, 3, 4], [5, 6, 7, 8]])), c("i", np.int64(-1)),
            node("Gather", ["a", "i"], ["g"], axis=0),
            node("Unsqueeze", ["g"], ["u"], axes=[0, -1]), node("Squeeze", ["u"], ["b"])], 11),
        "reshape_slice_concat_opset9": ([
            c("a", np.arange(8, dtype=np.float32).reshape(2, 4)), c("t", [0, 2, -1]),
            node("Reshape", ["a", "t"], ["r"]),
            node("Slice", ["r"], ["s"], starts=[1, 1], ends=[2, 2], axes=[0, 1]),
            c("two", [1, 2]), node("Reshape", ["s", "two"], ["s2"]),
            node("Concat", ["s2", "s2"], ["b2"], axis=1), c("f", [4]),
            node("Reshape", ["b2", "f"], ["b"])], 9),
        "reshape": ([  # h (N, 4) to (N, 2, 2) to (N, 4), the batch size from Shape(end=1)
            node("Shape", ["h"], ["n"], end=1), c("rest", [2, 2]),
            node("Concat", ["n", "rest"], ["t"], axis=0), node("Reshape", ["h", "t"], ["h3"]),
            node("Shape", ["h3"], ["s3"]), c("i", [0]), node("Gather", ["s3", "i"], ["n3"]),
            c("four", [4]), node("Concat", ["n3", "four"], ["t2"], axis=0),
            node("Reshape", ["h3", "t2"], ["h4"]), c("b", np.float32([0.5, -1, 2, 0]))], 15),
    }


@pytest.mark.parametrize("case", sorted(_folding_cases()))
def test_constant_folding_matches_the_onnx_reference_evaluator(case):
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    nodes, opset = _folding_cases()[case]
    w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(3, 4) / 7, "w")
    h = "h4" if case == "reshape" else "h"
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"]), *nodes,
         helper.make_node("Add", [h, "b"], ["y"])], case,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model, full_check=True)
    x = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)
    want = ReferenceEvaluator(model).run(None, {"x": x})[0]  # in float32
    np.testing.assert_allclose(regions.from_onnx(model)(x.astype(np.float64)), want,
                               rtol=1e-6, atol=1e-6)
