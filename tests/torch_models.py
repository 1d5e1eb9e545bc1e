"""PyTorch test models and helpers shared by test_torch_import.py and test_onnx_roundtrip.py.

The ``*_for_onnx`` variants (and ``ConvMaxout(global_pool=True)``, ``ResidualWithHead``) are
the models test_onnx_roundtrip.py exports; the others are those test_torch_import.py imports.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models: threads only add overhead (grouped float64 convolutions most).

    Import it into a test module to use it there (module scope: once per test module)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- helpers -------------------------------------------------------------------------------


def _randomize_batch_norms(model, seed):
    """Non-trivial running statistics and affine parameters for every batch norm."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g))
                m.running_var.copy_(torch.rand(c, generator=g) * 2 + 0.2)
                if m.weight is not None:
                    m.weight.copy_(torch.randn(c, generator=g))
                    m.bias.copy_(torch.randn(c, generator=g))
    return model


def _scale_error(got, want):
    """Largest entry error relative to the output's scale."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))


# -- models --------------------------------------------------------------------------------


ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "hardtanh": lambda: nn.Hardtanh(-2.0, 3.0),
    "relu6": nn.ReLU6,
}


def _mlp(act):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), ACTIVATIONS[act](), nn.Linear(8, 6),
                         ACTIVATIONS[act](), nn.Dropout(0.3), nn.Linear(6, 2))


def _cnn():
    torch.manual_seed(1)
    return _randomize_batch_norms(nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(4, 3, 3, padding="same", bias=False), nn.BatchNorm2d(3, affine=False),
        nn.ReLU(), nn.AdaptiveAvgPool2d((2, 3)), nn.Flatten(), nn.Linear(18, 3)), 1)


def _cnn_for_onnx():
    """As _cnn, with affine batch norms and without the adaptive pooling."""
    torch.manual_seed(1)
    return _randomize_batch_norms(nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(4, 3, 3, padding=1, bias=False), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
        nn.Linear(27, 3)), 1)


def _cnn_max_pool():
    torch.manual_seed(2)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, stride=1, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1), nn.Conv2d(3, 4, 2), nn.LeakyReLU(0.1),
        nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=(1, 2)), nn.Flatten(),
        nn.LazyLinear(2))


def _cnn_max_pool_for_onnx():
    """As _cnn_max_pool, without the dilation and the lazy module."""
    torch.manual_seed(2)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1),
        nn.Conv2d(3, 4, 2), nn.LeakyReLU(0.1),
        nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1)), nn.Flatten(), nn.Linear(40, 2))


def _cnn_1d():
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv1d(2, 3, 3, stride=2, padding=2), nn.BatchNorm1d(3), nn.ReLU(),
        nn.MaxPool1d(3, stride=2, padding=1), nn.AvgPool1d(2, padding=1, count_include_pad=False),
        nn.Conv1d(3, 2, 2, dilation=2), nn.Hardtanh(), nn.Flatten(1), nn.Linear(2, 1))


def _cnn_1d_for_onnx():
    """As _cnn_1d, without the average pooling, with random batch-norm statistics."""
    torch.manual_seed(3)
    return _randomize_batch_norms(nn.Sequential(
        nn.Conv1d(2, 3, 3, stride=2, padding=2), nn.BatchNorm1d(3), nn.ReLU(),
        nn.MaxPool1d(3, stride=2, padding=1), nn.Conv1d(3, 2, 2, dilation=2), nn.Hardtanh(),
        nn.Flatten(1), nn.Linear(4, 1)), 3)


class Residual(nn.Module):
    """conv-bn-relu-conv-bn + skip, relu (the one in-place ReLU module is called twice)."""

    def __init__(self, channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x
        return self.relu(out)


class ResidualWithHead(nn.Module):
    """One Residual block on (channels, 4, 4) inputs, then a linear layer."""

    def __init__(self, channels=3):
        super().__init__()
        torch.manual_seed(4)
        self.block = Residual(channels)
        self.fc = nn.Linear(channels * 16, 2)
        _randomize_batch_norms(self, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.block(x), 1))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(4)
        self.stem = nn.Conv2d(2, 3, 3, padding=1)
        self.layer1 = nn.Sequential(Residual(), Residual())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(3, 2)
        _randomize_batch_norms(self, 4)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))


class TwoBranches(nn.Module):
    """torch.cat of two branches, with functional pooling and activations."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(5)
        self.a = nn.Conv2d(2, 3, 3, padding=1)
        self.b = nn.Conv2d(2, 2, 1)
        self.head = nn.Linear(5 * 2 * 2, 3)

    def forward(self, x):
        a = F.max_pool2d(F.leaky_relu(self.a(x), 0.3), 2, stride=2)
        b = F.avg_pool2d(F.relu6(self.b(x) * 3.0), kernel_size=2)
        h = torch.cat([a, b], dim=1)
        h = F.hardtanh(F.adaptive_avg_pool2d(h, (2, 2)), -0.5, 0.75)
        return self.head(h.view(h.size(0), -1))


class TwoBranchesForOnnx(TwoBranches):
    """TwoBranches' weights; max and average pooling, three activations (the leaky ReLU a
    module, whose slope _at_onnx_precision rounds), no adaptive pooling."""

    def __init__(self):
        super().__init__()
        self.leaky = nn.LeakyReLU(0.3)

    def forward(self, x):
        a = F.max_pool2d(self.leaky(self.a(x)), 2, stride=2)
        b = F.avg_pool2d(F.relu6(self.b(x)), kernel_size=2)
        h = torch.cat([a, b], dim=1)
        return self.head(F.hardtanh(h, -0.5, 0.75).flatten(1))


class Maxout(nn.Module):
    """Maxout units written as maxima over an axis after views."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(6)
        self.fc1 = nn.Linear(3, 12)
        self.fc2 = nn.Linear(4, 8)
        self.fc3 = nn.Linear(4, 6)
        self.fc4 = nn.Linear(3, 4)
        self.out = nn.Linear(2, 1)

    def forward(self, x):
        h = self.fc1(x).view(x.size(0), 4, 3).amax(-1)
        h = torch.amax(self.fc2(h).view(-1, 4, 2), dim=2)
        h = self.fc3(h)
        h = torch.max(h.reshape(h.shape[0], 3, 2), dim=2).values
        h = self.fc4(h)
        h = torch.max(h.view(-1, 2, 2), 2)[0] + h.view(-1, 2, 2).max(2)[0]
        return self.out(h)


class MaxoutForOnnx(Maxout):
    """Maxout's weights; maxima over an axis after views, a reshape and an unflatten (last:
    after an unflatten, the exporter fixes ``x.size(0)``, see test_exporter_fixed_...)."""

    def __init__(self):
        super().__init__()
        self.split = nn.Unflatten(1, (2, 2))

    def forward(self, x):
        h = self.fc1(x).view(x.size(0), 4, 3).amax(-1)
        h = torch.max(self.fc2(h).reshape(h.shape[0], 4, 2), 2)[0]
        h = torch.amax(self.fc3(h).view(-1, 3, 2), dim=2)
        h = torch.max(self.split(self.fc4(h)), dim=2).values
        return self.out(h)


class ConvMaxout(nn.Module):
    """Maxout over channels after an unflatten that splits them into (C, k); with
    ``global_pool``, then global max and min pooling over two axes."""

    def __init__(self, global_pool=False):
        super().__init__()
        torch.manual_seed(7)
        self.global_pool = global_pool
        self.conv = nn.Conv2d(2, 6, 3)
        self.split = nn.Unflatten(1, (3, 2))
        self.fc = nn.Linear(6 if global_pool else 3 * 3 * 3, 2)

    def forward(self, x):
        h = self.split(self.conv(x)).amax(dim=2)
        if self.global_pool:
            h = torch.cat([h.amax(dim=(2, 3), keepdim=True), h.amin(dim=(2, 3), keepdim=True)],
                          1)
        return self.fc(h.flatten(1))  # not view(h.size(0), -1): see test_exporter_fixed_...


# Input shapes (without the batch axis) by the names the test modules give the models above:
# a *_for_onnx variant takes the same as the model it varies.
INPUT_SHAPES = {
    "mlp": (3,), "cnn": (2, 6, 6), "cnn_max_pool": (1, 9, 9), "cnn_1d": (2, 11),
    "resnet": (2, 5, 5), "residual": (3, 4, 4), "two_branches": (2, 4, 4), "maxout": (3,),
    "conv_maxout": (2, 5, 5),
}
