"""Import of PyTorch models (regions.from_torch) and export of graphs (regions.to_torch)."""

import copy
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from regions import (GraphBuilder, as_graph, from_torch, leaky_relu, random_network,  # noqa: E402
                     to_torch)
from regions.graph import GroupMax  # noqa: E402

from .torch_models import (ACTIVATIONS, INPUT_SHAPES, ConvMaxout, Maxout, ResNet,  # noqa: E402
                           TwoBranches, _cnn, _cnn_1d, _cnn_max_pool, _mlp, _scale_error)
from .torch_models import _one_thread  # noqa: E402, F401  (autouse fixture: applies here)

DTYPES = [torch.float64, torch.float32]


# -- helpers -------------------------------------------------------------------------------


def _train(model, input_shape, dtype, steps=3, seed=0):
    """A few SGD steps on random data (batch norms learn running statistics too)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, *input_shape, generator=g).to(dtype)
    model.train()
    for _ in range(steps):
        model.zero_grad()
        loss = ((model(x).reshape(16, -1) - 1.0) ** 2).mean()
        loss.backward()
        with torch.no_grad():  # plain SGD (torch.optim's first use is slow to import)
            for p in model.parameters():
                p -= 0.05 * p.grad
    return model.eval()


def _check(model, input_shape, dtype=torch.float64, seed=1, scale=1.0, batch=6):
    """Import ``model`` and compare the graph and ``to_torch`` of it with torch's forward:
    to 1e-12 of the float64 forward of the same weights, to float32 rounding of a float32
    model."""
    model = model.to(dtype).eval()
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(batch, *input_shape, generator=g) * scale).to(dtype)
    graph = from_torch(model, x[:2])
    assert graph.input_shape == tuple(input_shape)
    with torch.no_grad():
        want = model(x).reshape(batch, -1).numpy()
        want64 = copy.deepcopy(model).double()(x.double()).reshape(batch, -1).numpy()
        exported = to_torch(graph)(x.double())
    got = graph(x.double().numpy())
    assert got.shape == want.shape
    assert _scale_error(got, want64) < 1e-12
    assert _scale_error(exported.reshape(batch, -1).numpy(), want64) < 1e-12
    assert tuple(exported.shape[1:]) == graph.output_shape
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    assert _scale_error(got, want) < tol
    return graph, x


# -- models --------------------------------------------------------------------------------


def _grouped_dilated():
    torch.manual_seed(8)
    return nn.Sequential(
        nn.Conv2d(4, 6, 3, groups=2, dilation=2, padding=2), nn.ReLU(),
        nn.Conv2d(6, 6, 1, groups=6), nn.ReLU(),
        nn.Conv2d(6, 4, (2, 3), stride=(2, 1), dilation=(1, 2), groups=2, padding=(1, 0)),
        nn.Flatten(), nn.LazyLinear(2))


MODELS = {  # name -> (model factory, input shape without the batch axis)
    **{name: (make, INPUT_SHAPES[name]) for name, make in [
        ("cnn", _cnn), ("cnn_max_pool", _cnn_max_pool), ("cnn_1d", _cnn_1d), ("resnet", ResNet),
        ("two_branches", TwoBranches), ("maxout", Maxout), ("conv_maxout", ConvMaxout)]},
    "grouped_dilated": (_grouped_dilated, (4, 7, 7)),
}


def _build(name):
    make, shape = MODELS[name]
    model = make()
    with torch.no_grad():
        model(torch.zeros(1, *shape))  # materialises lazy modules
    return model, shape


# -- agreement with torch ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("trained", [False, True])
def test_mlp_matches_torch(act, dtype, trained):
    model = _mlp(act).to(dtype)
    if trained:
        _train(model, (3,), dtype)
    graph, _ = _check(model, (3,), dtype, scale=3.0)
    assert graph.piecewise_linear_nodes == ("1", "3")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_matches_torch(name, dtype):
    model, shape = _build(name)
    _check(model, shape, dtype, scale=2.0)


@pytest.mark.parametrize("name", ["cnn", "resnet", "cnn_1d", "maxout"])
def test_trained_model_matches_torch(name):
    model, shape = _build(name)
    _train(model.double(), shape, torch.float64, steps=2)
    _check(model, shape, torch.float64)


def test_leaky_relu_slope_is_the_exact_float():
    graph, _ = _check(_mlp("leaky_relu"), (3,))
    assert graph.node("1").activation == leaky_relu(0.2)
    assert graph.node("1").activation.slopes[0] == Fraction(0.2)


def test_linear_on_the_last_axis_of_a_tensor():
    torch.manual_seed(10)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Flatten(), nn.Linear(15, 2))
    graph, _ = _check(model, (3, 4))
    assert graph.node("0").shape == (3, 5)


def test_to_torch_of_a_dense_network():
    net = random_network([3, 4, 4, 2], "hardtanh", sigma_w=3.0, sigma_b=1.0, seed=0)
    x = np.random.default_rng(1).standard_normal((6, 3))
    got = to_torch(as_graph(net))(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, net(x), rtol=1e-12, atol=1e-12)


def test_batch_of_one_example_and_one_number_per_example():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1), nn.Flatten(0))
    graph = from_torch(model.double().eval(), torch.zeros(1, 2, dtype=torch.float64))
    assert graph.output_shape == (1,)


class Arithmetic(nn.Module):
    """Functional and arithmetic forms: constants, scalars, min forms, clamp, abs."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(9)
        self.w = nn.Parameter(torch.randn(4, 2, 3))
        self.v = nn.Parameter(torch.randn(8, 8))
        self.register_buffer("offset", torch.randn(4, 1))
        self.register_buffer("gain", torch.tensor([1.0, -2.0, 0.5, 3.0]).reshape(4, 1))
        self.register_buffer("mean", torch.randn(4))
        self.register_buffer("var", torch.rand(4) + 0.5)
        self.drop = nn.Dropout()
        self.same = nn.Identity()

    def forward(self, x):
        h = F.conv1d(x, self.w, padding=1)
        h = F.batch_norm(h, self.mean, self.var, training=False)
        h = torch.clamp(h + self.offset, min=-0.5) - 1.5 * h / 2.0
        h = torch.abs(-h * self.gain) + torch.clamp(h, max=0.25) - (2 - h)
        h = torch.maximum(h, torch.relu(h - 1)) + torch.minimum(h, h.clamp(-1, 1))
        h = F.dropout(self.drop(self.same(h)), 0.5, training=False)
        h = h.amin(dim=1) + torch.min(h, 1).values
        return F.linear(h.unsqueeze(1), self.v).squeeze(1) + F.adaptive_max_pool1d(
            x, 4).flatten(1)


class InPlace(nn.Module):
    """In-place operations whose input is read again afterwards."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(11)
        self.fc = nn.Linear(3, 4)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        h = self.fc(x)
        F.relu(h, inplace=True)  # result unused: h itself changes
        y = h.clamp_(max=0.5)
        z = self.act(y - 0.2)
        return h + y + z


def test_in_place_operations_update_their_input():
    graph, _ = _check(InPlace(), (3,), scale=2.0)
    assert graph.piecewise_linear_nodes == ("relu", "clamp_", "act")


def test_functional_and_arithmetic_forms_match_torch():
    graph, _ = _check(Arithmetic(), (2, 8), scale=2.0)
    assert sum(isinstance(n, GroupMax) for n in graph.nodes) == 5


# -- exact mode and export -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["cnn", "maxout", "resnet"])
def test_exact_graph_agrees_with_float_graph(name):
    model, shape = _build(name)
    model = model.double().eval()
    x = torch.randn(2, *shape, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    graph = from_torch(model, x)
    exact = graph.convert(True)
    assert exact.is_exact
    rows = x.reshape(2, -1).numpy()
    fractions = np.array([[Fraction(v) for v in row] for row in rows], dtype=object)
    out = exact(fractions)
    assert all(isinstance(v, Fraction) for v in out.reshape(-1))
    assert _scale_error(out.astype(float), graph(rows)) < 1e-12


def test_to_torch_of_a_hand_built_graph():
    b = GraphBuilder((2, 3, 4))
    h = b.conv(b.input, np.arange(24.0).reshape(3, 2, 2, 2) / 24 - 0.5, bias=[0.1, -0.2, 0.3],
               padding=1, stride=(1, 2), name="conv")
    h = b.activation(h, leaky_relu("0.3"), name="leaky")
    pool = b.max_pool(h, 2, stride=1, padding=1, name="pool")
    avg = b.adaptive_avg_pool(pool, (3, 2), name="avg")
    side = b.avg_pool(b.input, (2, 3), padding=1, count_include_pad=False, name="side")
    side = b.activation(b.conv(side, np.ones((3, 2, 2, 2)), name="side_conv"), "abs")
    side = b.adaptive_avg_pool(side, (3, 1))
    both = b.concat([avg, side], axis=2, name="cat")
    both = b.activation(b.batch_norm(both, [0.1, 0.2, 0.3], [1.0, 2.0, 3.0]), "hardtanh")
    flat = b.flatten(both)
    out = b.dense(b.maxout(b.dense(flat, np.ones((6, 27)) / 27), 3), [[1.0, -1.0]])
    graph = b.build(b.add(out, b.dense(b.reshape(b.input, (24,)), np.ones((1, 24))),
                          name="sum"))
    assert any(isinstance(n, GroupMax) and np.any(n.groups < 0) for n in graph.nodes)
    x = np.random.default_rng(0).standard_normal((5, 2, 3, 4))
    module = to_torch(graph)
    got = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, graph(x), rtol=1e-12, atol=1e-12)
    exact = to_torch(graph.convert(True))(torch.from_numpy(x)).numpy()  # Fractions rounded
    np.testing.assert_allclose(exact, graph(x), rtol=1e-12, atol=1e-12)
    flat_input = module(torch.from_numpy(x.reshape(5, -1)).float())  # cast to float64
    assert flat_input.dtype == torch.float64 and flat_input.shape == (5, 1)
    with pytest.raises(ValueError, match="input must have shape"):
        module(torch.zeros(5, 7))


def test_to_torch_rejects_a_non_graph():
    with pytest.raises(TypeError, match="regions.Graph"):
        to_torch(nn.Linear(2, 2))


# -- names ---------------------------------------------------------------------------------


def test_node_names_are_module_paths():
    model, shape = _build("resnet")
    graph = from_torch(model.double().eval(), torch.zeros(2, *shape, dtype=torch.float64))
    assert graph.piecewise_linear_nodes == (
        "layer1.0.relu", "layer1.0.relu_1", "layer1.1.relu", "layer1.1.relu_1")
    names = {n.name for n in graph.nodes}
    assert {"stem", "layer1.0.conv1", "layer1.0.bn1", "layer1.1.bn2", "pool", "fc"} <= names
    graph, _ = _check(Maxout(), (3,))
    assert graph.piecewise_linear_nodes[:2] == ("amax", "amax_1")


# -- errors --------------------------------------------------------------------------------


def _fails(model, shape, match, error=NotImplementedError, batch=2):
    x = torch.zeros(batch, *shape)
    with pytest.raises(error, match=match):
        from_torch(model.eval(), x)


@pytest.mark.parametrize("layer, text", [
    (nn.GELU(), r"node '1' \(torch\.nn\.GELU\)"),
    (nn.Sigmoid(), r"node '1' \(torch\.nn\.Sigmoid\)"),
    (nn.Softmax(dim=1), r"node '1' \(torch\.nn\.Softmax\)"),
    (nn.Tanh(), r"node '1' \(torch\.nn\.Tanh\)"),
])
def test_non_piecewise_linear_modules_are_refused(layer, text):
    _fails(nn.Sequential(nn.Linear(2, 3), layer, nn.Linear(3, 1)), (2,), text)


class Functional(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.fn = fn

    def forward(self, x):
        return self.fn(self.fc(x))


@pytest.mark.parametrize("fn, text", [
    (torch.sigmoid, r"node 'sigmoid' \(call_function sigmoid\)"),
    (torch.tanh, r"node 'tanh' \(call_function tanh\)"),
    (lambda h: F.softmax(h, dim=1), r"node 'softmax' \(call_function softmax\)"),
    (F.gelu, r"node 'gelu' \(call_function gelu\)"),
    (lambda h: h.sigmoid(), r"node 'sigmoid' \(call_method sigmoid\)"),
    (lambda h: h * h, "product of two tensors"),
    (lambda h: h[:, :2], "indexing or slicing"),
    (lambda h: h.sum(dim=1), r"call_method sum"),
    (lambda h: torch.max(h, 1)[1].double(), "argmax"),
    (lambda h: h.amax(dim=0), "batch axis"),
    (lambda h: torch.cat([h, h], dim=0), "batch axis"),
    (lambda h: h + torch.ones_like(h), "call_function ones_like"),
])
def test_unsupported_functions_are_refused(fn, text):
    _fails(Functional(fn), (2,), text)


def test_training_batch_norm_is_refused_before_running_the_model():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU()).train()
    before = model[1].running_mean.clone()
    with pytest.raises(NotImplementedError, match=r"node '1' \(torch\.nn\.BatchNorm2d\).*"
                                                  "training mode"):
        from_torch(model, torch.randn(4, 1, 5, 5))
    assert torch.equal(model[1].running_mean, before)  # the model was never run
    no_stats = nn.Sequential(nn.BatchNorm1d(2, track_running_stats=False)).eval()
    _fails(no_stats, (2,), "running statistics")


def test_training_dropout_is_refused():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)).train()
    with pytest.raises(NotImplementedError, match="dropout in training mode"):
        from_torch(model, torch.zeros(2, 2))
    _fails(Functional(lambda h: F.dropout(h, 0.5, training=True)), (2,),
           "dropout in training mode")


def test_max_pool_ceil_mode_is_refused():
    _fails(nn.Sequential(nn.MaxPool2d(2, ceil_mode=True)), (1, 5, 5),
           r"node '0' \(torch\.nn\.MaxPool2d\).*ceil_mode=True")
    _fails(nn.Sequential(nn.AvgPool1d(2, ceil_mode=True)), (1, 5), "ceil_mode=True")


def test_padding_mode_other_than_zeros_is_refused():
    _fails(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")), (1, 4, 4),
           r"node '0' \(torch\.nn\.Conv2d\).*padding_mode='reflect'")


def test_asymmetric_same_padding_is_refused():
    _fails(nn.Sequential(nn.Conv1d(1, 1, 2, padding="same")), (1, 4), "asymmetric")


class DataDependent(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return torch.relu(x)
        return x


def test_data_dependent_control_flow_is_refused():
    _fails(DataDependent(), (2,), "could not be traced by torch.fx.*control flow")


class MixesBatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(x.view(-1, 4))


def test_view_mixing_the_batch_axis_is_refused():
    _fails(MixesBatch(), (8,), r"node 'view' \(call_method view\).*mixes the batch axis")
    _fails(nn.Sequential(nn.Flatten(0)), (3,), "mixes the batch axis", batch=1)


class TwoInputs(nn.Module):
    def forward(self, x, y):
        return x + y


class TwoOutputs(nn.Module):
    def forward(self, x):
        return x, -x


def test_argument_errors():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        from_torch(lambda x: x, torch.zeros(1, 2))
    with pytest.raises(TypeError, match="torch.Tensor"):
        from_torch(nn.ReLU(), np.zeros((1, 2)))
    with pytest.raises(TypeError, match="floating point"):
        from_torch(nn.ReLU(), torch.zeros(3, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="batch"):
        from_torch(nn.ReLU(), torch.zeros(3))
    with pytest.raises(ValueError, match="running the module on example_input.*failed at "
                                         "node 'linear': RuntimeError: mat1 and mat2"):
        from_torch(nn.Linear(3, 2), torch.zeros(1, 4))
    with pytest.raises(ValueError, match="running the module on example_input"):
        from_torch(TwoInputs(), torch.zeros(1, 4))
    _fails(TwoOutputs(), (2,), "return one tensor")


def test_import_regions_does_not_import_torch():
    code = "import sys, regions; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tensors_that_require_grad_are_accepted_as_values():
    """Weights and points given as torch tensors (requiring grad, float32) are read at their
    values, as numpy arrays of them would be: no RuntimeError from inside torch."""
    from regions import Network, Segment, trace

    gen = torch.Generator().manual_seed(0)
    w1 = torch.randn(4, 2, generator=gen, requires_grad=True)
    w2 = torch.randn(1, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    b1 = torch.zeros(4, requires_grad=True)
    net = Network([w1, w2], [b1, torch.zeros(1)], ["relu", "linear"])
    ref = Network([w1.detach().numpy(), w2.detach().numpy()], [np.zeros(4), np.zeros(1)],
                  ["relu", "linear"])
    assert np.array_equal(net.weights[0], w1.detach().numpy().astype(np.float64))
    seg = Segment(torch.tensor([-1.0, -0.5], requires_grad=True), torch.tensor([1.0, 0.5]))
    assert trace(net, seg).knots.tolist() == trace(ref, Segment([-1.0, -0.5], [1.0, 0.5])).knots.tolist()
