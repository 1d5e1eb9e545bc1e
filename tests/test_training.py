"""Tests of regions.training: gradients against finite differences, batch norm, optimisers,
determinism, data, the trajectory penalty, and that training works."""

from __future__ import annotations

import numpy as np
import pytest

from regions import Arc, trace
from regions.training import (
    SGD,
    Adam,
    Dataset,
    DenseModel,
    Grads,
    arc_points,
    backward,
    copy_model,
    dataset_from_arrays,
    forward,
    hidden_outputs,
    init_model,
    load_digits,
    random_arcs,
    softmax_cross_entropy,
    to_network,
    train,
    trajectory_length,
    trajectory_lengths,
)
from regions.training.losses import accuracy

H = 1e-6  # finite-difference step
MARGIN = 1e-4  # no pre-activation this close to a threshold


# -- helpers ---------------------------------------------------------------------------------


def _param_names(model):
    return ["weights", "biases"] + (["gammas", "betas"] if model.batchnorm else [])


def _numeric_grads(model, f, names=None):
    """Central finite differences of the scalar f(model) w.r.t. every parameter entry."""
    out = {}
    for name in names or _param_names(model):
        out[name] = []
        for arr in getattr(model, name):
            g = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + H
                fp = f(model)
                arr[idx] = old - H
                fm = f(model)
                arr[idx] = old
                g[idx] = (fp - fm) / (2 * H)
            out[name].append(g)
    return out


def _rel_err(a, b):
    a, b = np.concatenate([x.ravel() for x in a]), np.concatenate([x.ravel() for x in b])
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def _assert_grads(model, grads, num, train_mode, layers=None):
    """Analytic against numeric gradients, relative error < 1e-6, on ``layers`` (default
    all). A bias below train-mode batch norm has gradient 0 in exact arithmetic (the batch
    mean cancels it): both sides must then be rounding noise, with no ratio to compare."""
    layers = range(model.num_layers) if layers is None else layers
    for name in _param_names(model):
        a = [getattr(grads, name)[l] for l in layers if l < len(getattr(model, name))]
        b = [num[name][l] for l in layers if l < len(getattr(model, name))]
        if name == "biases" and model.batchnorm and train_mode:
            hidden = [l for l in layers if l < model.num_layers - 1]
            for l in hidden:
                assert np.abs(grads.biases[l]).max() < 1e-12
                assert np.abs(num["biases"][l]).max() < 1e-7
            a = [grads.biases[l] for l in layers if l not in hidden]
            b = [num["biases"][l] for l in layers if l not in hidden]
            if not a:
                continue
        assert _rel_err(a, b) < 1e-6, name


def _thresholds(activation):
    return (0.0,) if activation == "relu" else (-1.0, 1.0)


def _margin(model, x, train):
    """Smallest distance of an activation input to a threshold (copying the model so the
    running averages are untouched)."""
    _, cache = forward(copy_model(model), x, train)
    return min(abs(a - t).min() for a in cache.pre for t in _thresholds(model.activation))


def _well_posed(make, x_of, train=False):
    """Resample (model, x) until no pre-activation is within MARGIN of a threshold."""
    for s in range(200):
        model, x = make(s), x_of(s)
        if _margin(model, x, train) > MARGIN:
            return model, x
    raise AssertionError("no sample away from the kinks")  # pragma: no cover


def _randomise_bn(model, rng):
    for l in range(len(model.gammas)):
        k = model.gammas[l].shape[0]
        model.gammas[l][:] = rng.uniform(0.5, 2.0, k)
        model.betas[l][:] = rng.normal(0.0, 0.5, k)
        model.running_means[l][:] = rng.normal(0.0, 0.5, k)
        model.running_vars[l][:] = rng.uniform(0.5, 2.0, k)


# -- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "hardtanh"])
@pytest.mark.parametrize("batchnorm,train_mode", [(False, False), (True, True), (True, False)])
def test_backward_matches_finite_differences(activation, batchnorm, train_mode):
    sigma = 2.5 if activation == "hardtanh" else 1.5

    def make(s):
        m = init_model([3, 5, 4, 3], activation, sigma_w=sigma, sigma_b=0.3, seed=s,
                       batchnorm=batchnorm)
        if batchnorm:
            _randomise_bn(m, np.random.default_rng(100 + s))
        return m

    model, x = _well_posed(make, lambda s: np.random.default_rng(s).normal(size=(7, 3)),
                           train_mode)
    y = np.array([0, 1, 2, 0, 1, 2, 1])

    def loss(m):
        logits, _ = forward(m, x, train_mode, update_stats=False)
        return softmax_cross_entropy(logits, y)[0]

    logits, cache = forward(model, x, train_mode, update_stats=False)
    grads = backward(model, cache, softmax_cross_entropy(logits, y)[1])
    num = _numeric_grads(model, loss)
    _assert_grads(model, grads, num, train_mode)
    if activation == "hardtanh":  # the sample exercises all three pieces
        pre = np.concatenate([a.ravel() for a in cache.pre])
        assert (pre < -1).any() and (pre > 1).any() and (abs(pre) < 1).any()


def test_input_and_hidden_gradients():
    model, x = _well_posed(
        lambda s: init_model([3, 6, 4, 2], "relu", sigma_w=1.5, sigma_b=0.2, seed=s),
        lambda s: np.random.default_rng(s).normal(size=(5, 3)),
    )
    r = np.random.default_rng(0).normal(size=(5, 2))
    logits, cache = forward(model, x)
    grads = backward(model, cache, r)
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += H
        xm[idx] -= H
        num[idx] = ((forward(model, xp)[0] * r).sum() - (forward(model, xm)[0] * r).sum()) / (2 * H)
    assert _rel_err([grads.inputs], [num]) < 1e-6
    # hidden[1] = dL/dz^(2) = r W^(3)
    np.testing.assert_allclose(grads.hidden[1], r @ model.weights[2], rtol=1e-12)


def test_softmax_cross_entropy_gradient():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4)) * 3
    y = rng.integers(0, 4, 6)
    loss, d = softmax_cross_entropy(z, y)
    num = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += H
        zm[idx] -= H
        num[idx] = (softmax_cross_entropy(zp, y)[0] - softmax_cross_entropy(zm, y)[0]) / (2 * H)
    assert _rel_err([d], [num]) < 1e-6
    # the loss itself, directly
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(6), y]).mean(), rel=1e-12)
    # huge logits stay finite
    big, dbig = softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(big) and big == pytest.approx(500.0) and np.all(np.isfinite(dbig))


def _penalty_case(activation, sigma, batchnorm, bn_seed, arc_seed):
    """A [3, 5, 5, 4, 2] model (batch norm randomised) and two arcs of 12 points, redrawn
    until the penalty is well posed (see :func:`_well_posed`)."""

    def make(s):
        m = init_model([3, 5, 5, 4, 2], activation, sigma_w=sigma, sigma_b=0.2, seed=s,
                       batchnorm=batchnorm)
        if batchnorm:
            _randomise_bn(m, np.random.default_rng(bn_seed + s))
        return m

    def arcs_of(s):
        rng = np.random.default_rng(arc_seed + s)
        return arc_points(rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 12)

    model, arcs = _well_posed(make, lambda s: arcs_of(s).reshape(-1, 3), train=batchnorm)
    return model, arcs.reshape(2, 12, 3)


@pytest.mark.parametrize("activation,batchnorm", [("relu", False), ("hardtanh", False),
                                                  ("relu", True), ("hardtanh", True)])
def test_trajectory_length_gradient(activation, batchnorm):
    sigma = 2.5 if activation == "hardtanh" else 1.5

    model, arcs = _penalty_case(activation, sigma, batchnorm, 50, 1000)
    value, grad_fn = trajectory_length(model, arcs, layer=2, train=batchnorm)
    grads = grad_fn(scale=1.0)
    num = _numeric_grads(model, lambda m: trajectory_length(m, arcs, 2, batchnorm)[0])
    _assert_grads(model, grads, num, batchnorm, layers=[0, 1])
    for name in _param_names(model):
        for l, g in enumerate(getattr(grads, name)):
            if l >= 2:  # layers above the penalised one get exactly zero
                assert not np.any(g), (name, l)
                assert np.allclose(num[name][l], 0.0, atol=1e-8)
    assert _rel_err(grad_fn(scale=3.0).weights, [3 * g for g in grads.weights]) < 1e-14


# -- batch norm ------------------------------------------------------------------------------


def test_batchnorm_train_mode_normalises():
    rng = np.random.default_rng(0)
    model = init_model([4, 6, 5, 3], "relu", sigma_w=1.5, sigma_b=1.0, seed=0, batchnorm=True)
    _randomise_bn(model, rng)
    x = rng.normal(3.0, 2.0, size=(50, 4))
    _, cache = forward(model, x, train=True)
    for l, xhat in enumerate(cache.xhat):
        np.testing.assert_allclose(xhat.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(xhat.var(axis=0), 1.0, atol=1e-4)  # var / (var + eps)
        np.testing.assert_allclose(cache.pre[l], model.gammas[l] * xhat + model.betas[l],
                                   rtol=1e-14)
        # the first layer's statistics are those of h = W x + b
    h = x @ model.weights[0].T + model.biases[0]
    np.testing.assert_allclose(cache.xhat[0], (h - h.mean(0)) / np.sqrt(h.var(0) + model.eps),
                               rtol=1e-12)


def test_batchnorm_running_stats_converge_and_eval_uses_them():
    rng = np.random.default_rng(1)
    model = init_model([3, 4, 4, 2], "hardtanh", sigma_w=1.0, sigma_b=0.5, seed=1,
                       batchnorm=True)
    x = rng.normal(1.0, 3.0, size=(40, 3))
    for _ in range(400):
        _, cache = forward(model, x, train=True)
    h0 = x @ model.weights[0].T + model.biases[0]
    np.testing.assert_allclose(model.running_means[0], h0.mean(0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.running_vars[0], h0.var(0, ddof=1), rtol=1e-10)
    h1 = cache.inputs[1] @ model.weights[1].T + model.biases[1]
    np.testing.assert_allclose(model.running_means[1], h1.mean(0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.running_vars[1], h1.var(0, ddof=1), rtol=1e-10)
    # eval mode: the affine map of the running statistics, independent of the batch
    _randomise_bn(model, rng)
    x1 = x[:1]
    logits, cache = forward(model, x1, train=False)
    h = x1 @ model.weights[0].T + model.biases[0]
    a = model.gammas[0] * (h - model.running_means[0]) / np.sqrt(
        model.running_vars[0] + model.eps) + model.betas[0]
    np.testing.assert_allclose(cache.pre[0], a, rtol=1e-13)
    np.testing.assert_allclose(forward(model, x, train=False)[0][:1], logits, rtol=1e-13)
    # eval mode and hidden_outputs never touch the running averages
    before = [v.copy() for v in model.running_vars]
    forward(model, x, train=False)
    hidden_outputs(model, x, train=True)
    forward(model, x, train=True, update_stats=False)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.running_vars))


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("activation", ["relu", "hardtanh"])
def test_to_network_equals_eval_forward(batchnorm, activation):
    rng = np.random.default_rng(2)
    model = init_model([5, 7, 6, 4], activation, sigma_w=2.0, sigma_b=0.5, seed=3,
                       batchnorm=batchnorm)
    if batchnorm:
        _randomise_bn(model, rng)
    net = to_network(model)
    assert net.widths == model.widths
    assert [a.name for a in net.activations] == [activation] * 2 + ["linear"]
    x = rng.normal(size=(200, 5)) * 3
    np.testing.assert_allclose(net(x), forward(model, x)[0], rtol=0, atol=1e-10)
    for z, z_net in zip(hidden_outputs(model, x), _net_hidden(net, x)):
        np.testing.assert_allclose(z, z_net, rtol=0, atol=1e-10)


def _net_hidden(net, x):
    out, z = [], x
    for w, b, act in zip(net.weights[:-1], net.biases[:-1], net.activations[:-1]):
        h = z @ w.T + b
        z = np.maximum(h, 0) if act.name == "relu" else np.clip(h, -1, 1)
        out.append(z)
    return out


def test_batchnorm_needs_two_points_in_train_mode():
    model = init_model([2, 3, 2], seed=0, batchnorm=True)
    with pytest.raises(ValueError, match="x must hold at least 2 points"):
        forward(model, np.ones((1, 2)), train=True)
    forward(model, np.ones((1, 2)), train=False)


# -- optimisers ------------------------------------------------------------------------------


def _one_weight_model(w):
    return DenseModel([np.array([[w]])], [np.array([0.0])], "relu")


def _grads(g):
    return Grads([np.array([[g]])], [np.array([0.0])], [], [], [])


def test_sgd_momentum_hand_computed():
    model = _one_weight_model(1.0)
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(model, _grads(2.0))  # buffer 2, w = 1 - 0.2
    assert model.weights[0][0, 0] == pytest.approx(0.8, abs=1e-15)
    opt.step(model, _grads(-1.0))  # buffer 0.9 * 2 - 1 = 0.8, w = 0.8 - 0.08
    assert model.weights[0][0, 0] == pytest.approx(0.72, abs=1e-15)
    plain = _one_weight_model(1.0)
    SGD(lr=0.5, momentum=0.0).step(plain, _grads(2.0))
    assert plain.weights[0][0, 0] == 0.0


def test_adam_hand_computed():
    model = _one_weight_model(1.0)
    opt = Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.step(model, _grads(2.0))
    # m = 0.2, v = 0.004; m_hat = 2, v_hat = 4: step 0.1 * 2 / (2 + 1e-8)
    w1 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8)
    assert model.weights[0][0, 0] == pytest.approx(w1, abs=1e-15)
    opt.step(model, _grads(-1.0))
    # m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996
    m_hat, v_hat = 0.08 / (1 - 0.81), 0.004996 / (1 - 0.998001)
    w2 = w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    assert model.weights[0][0, 0] == pytest.approx(w2, abs=1e-14)
    assert w2 == pytest.approx(0.9 - 0.1 * 0.42105263157894735 / 1.5809018, abs=1e-7)


@pytest.mark.parametrize("make_opt", [lambda: SGD(lr=0.1), lambda: Adam(lr=0.01)])
def test_frozen_layers_do_not_change(make_opt):
    data = _blobs(seed=0)
    model = init_model([2, 6, 5, 3], "relu", sigma_w=1.5, seed=0, batchnorm=True)
    before = copy_model(model)
    train(model, data, epochs=2, batch_size=16, optimizer=make_opt(), trainable={1})
    for name in ["weights", "biases", "gammas", "betas"]:
        assert np.array_equal(getattr(model, name)[0], getattr(before, name)[0]), name
        assert not np.array_equal(getattr(model, name)[1], getattr(before, name)[1]), name
    for name in ["weights", "biases"]:
        assert np.array_equal(getattr(model, name)[2], getattr(before, name)[2]), name


# -- training --------------------------------------------------------------------------------


def _blobs(seed=0, n=150):
    rng = np.random.default_rng(seed)
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    y = np.arange(n) % 3
    return dataset_from_arrays(centres[y] + rng.normal(0, 0.6, size=(n, 2)), y, seed=seed)


def _run(seed, **kw):
    model = init_model([2, 6, 5, 3], "relu", sigma_w=1.5, seed=0, batchnorm=True)
    seen = []
    hist = train(model, _blobs(), epochs=3, batch_size=16, optimizer=Adam(lr=0.01), seed=seed,
                 penalty_weight=0.1, penalty_layer=1, penalty_arcs=3,
                 callback=lambda e, m: seen.append(e), **kw)
    return model, hist, seen


def test_train_is_deterministic_under_seed():
    m1, h1, seen = _run(5)
    m2, h2, _ = _run(5)
    m3, h3, _ = _run(6)
    assert seen == [0, 1, 2, 3]
    for name in ["weights", "biases", "gammas", "betas", "running_means", "running_vars"]:
        for a, b in zip(getattr(m1, name), getattr(m2, name)):
            assert np.array_equal(a, b), name
    for key in ["train_loss", "train_accuracy", "test_accuracy", "length_ratio"]:
        assert getattr(h1, key) == getattr(h2, key), key
    assert h1.initial_length == h2.initial_length
    assert not np.array_equal(m1.weights[0], m3.weights[0])
    assert h1.train_loss != h3.train_loss
    assert len(h1.length_ratio) == 3 and h1.epochs == 3


def test_training_digits_reaches_high_accuracy():
    data = load_digits(seed=0)
    model = init_model([64, 32, 10], "relu", sigma_w=np.sqrt(2.0), seed=0)
    hist = train(model, data, epochs=3, batch_size=32, optimizer=Adam(lr=0.01), seed=0)
    assert hist.test_accuracy[-1] > 0.8
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert accuracy(model, data.x_test, data.y_test) == hist.test_accuracy[-1]


def test_training_digits_with_batchnorm_and_sgd():
    data = load_digits(seed=1)
    model = init_model([64, 24, 24, 10], "hardtanh", sigma_w=1.0, seed=1, batchnorm=True)
    hist = train(model, data, epochs=3, batch_size=64, optimizer=SGD(lr=0.05, momentum=0.9),
                 seed=1)
    assert hist.test_accuracy[-1] > 0.8


def test_penalty_shortens_trajectories():
    data = _blobs(seed=1)
    base = init_model([2, 16, 16, 3], "hardtanh", sigma_w=3.0, seed=2)
    free, reg = copy_model(base), copy_model(base)
    kw = dict(epochs=4, batch_size=16, seed=0, penalty_layer=2, penalty_arcs=4)
    h_free = train(free, data, optimizer=Adam(lr=0.01), **kw, penalty_weight=1e-12)
    h_reg = train(reg, data, optimizer=Adam(lr=0.01), **kw, penalty_weight=5.0)
    assert h_reg.initial_length == h_free.initial_length
    # the same arcs given as a (num_arcs, points_per_arc) pair or as points
    arcs = random_arcs(data.x_train, 4, 32, np.random.default_rng(0))
    check = copy_model(base)
    h_pair = train(check, data, optimizer=Adam(lr=0.01), epochs=0, seed=0, penalty_weight=1.0,
                   penalty_layer=2, penalty_arcs=(4, 32))
    assert h_pair.initial_length == h_free.initial_length
    assert trajectory_length(base, arcs, 2, True)[0] == h_free.initial_length
    assert h_reg.length_ratio[-1] < 0.9 * h_free.length_ratio[-1]


# -- data ------------------------------------------------------------------------------------


def test_load_digits_split_and_standardisation():
    data = load_digits(test_fraction=0.25, seed=0)
    assert isinstance(data, Dataset) and data.num_classes == 10
    assert data.x_train.shape == (1347, 64) and data.x_test.shape == (450, 64)
    assert data.y_train.shape == (1347,) and data.y_test.shape == (450,)
    counts = np.bincount(np.concatenate([data.y_train, data.y_test]), minlength=10)
    test_counts = np.bincount(data.y_test, minlength=10)
    assert np.all(np.abs(test_counts - 0.25 * counts) <= 1)  # stratified
    np.testing.assert_allclose(data.x_train.mean(0), 0.0, atol=1e-12)
    std = data.x_train.std(0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    assert np.abs(data.x_test.mean(0)).max() > 1e-3  # the test split is not self-standardised
    again = load_digits(seed=0)
    assert np.array_equal(again.x_train, data.x_train)
    other = load_digits(seed=1)
    assert not np.array_equal(other.y_test, data.y_test)
    assert load_digits(test_fraction=0.5).x_test.shape[0] == 899  # ceil, as scikit-learn


def test_standardisation_uses_the_training_split_only():
    rng = np.random.default_rng(0)
    n = 60
    ids = np.arange(n, dtype=float)
    x = np.column_stack([ids, rng.normal(5.0, 3.0, n), np.full(n, 7.0)])
    y = np.arange(n) % 3
    raw = dataset_from_arrays(x, y, 0.3, seed=4, standardize=False)
    std = dataset_from_arrays(x, y, 0.3, seed=4)
    assert np.array_equal(raw.y_train, std.y_train)
    mean, sd = raw.x_train.mean(0), raw.x_train.std(0)
    sd[sd == 0] = 1.0
    np.testing.assert_allclose(std.x_test, (raw.x_test - mean) / sd, rtol=1e-13)
    np.testing.assert_allclose(std.x_train, (raw.x_train - mean) / sd, rtol=1e-13)
    assert np.all(std.x_train[:, 2] == 0)  # constant feature: centred only
    # every point lands in exactly one split, labels stay attached
    all_ids = np.sort(np.concatenate([raw.x_train[:, 0], raw.x_test[:, 0]]))
    assert np.array_equal(all_ids, ids)
    assert np.array_equal(raw.y_train, y[raw.x_train[:, 0].astype(int)])
    assert raw.x_test.shape[0] == 18 and np.bincount(raw.y_test).tolist() == [6, 6, 6]


def test_dataset_from_arrays_flattens_images():
    x = np.zeros((20, 4, 4))
    data = dataset_from_arrays(x, np.arange(20) % 4, standardize=False)
    assert data.x_train.shape == (15, 16) and data.num_classes == 4


@pytest.mark.parametrize(
    "x,y,kw,exc,match",
    [
        (np.zeros(10), np.zeros(10, int), {}, ValueError, "x must be a 2-D"),
        (np.zeros((10, 2)), np.zeros((10, 1), int), {}, ValueError, "y must be a 1-D"),
        (np.zeros((10, 2)), np.zeros(9, int), {}, ValueError, "x and y must have the same length"),
        (np.zeros((10, 2)), np.full(10, 0.5), {}, ValueError, "y must hold integer"),
        (np.zeros((10, 2)), np.array(list("ababababab")), {}, ValueError, "y must hold integer"),
        (np.zeros((10, 2)), -np.ones(10, int), {}, ValueError, "y must hold non-negative"),
        (np.full((10, 2), np.nan), np.zeros(10, int), {}, ValueError, "x must hold finite"),
        (np.zeros((10, 2)), np.zeros(10, int), {"test_fraction": 1.5}, ValueError, "test_fraction"),
        (np.zeros((10, 2)), np.zeros(10, int), {"test_fraction": 0.95}, ValueError,
         "test_fraction"),
        (np.zeros((10, 2)), np.zeros(10, int), {"test_fraction": "a"}, TypeError, "test_fraction"),
        ("abc", np.zeros(10, int), {}, TypeError, "x must be"),
    ],
)
def test_dataset_from_arrays_validation(x, y, kw, exc, match):
    with pytest.raises(exc, match=match):
        dataset_from_arrays(x, y, **kw)


def test_integer_valued_float_labels_are_accepted():
    data = dataset_from_arrays(np.zeros((8, 1)), np.arange(8.0) % 2, 0.5)
    assert data.y_train.dtype.kind == "i" and data.num_classes == 2


# -- penalty ---------------------------------------------------------------------------------


def test_arc_points_ends_and_formula():
    rng = np.random.default_rng(0)
    p, q = rng.normal(size=4), rng.normal(size=4)
    pts = arc_points(p, q, 9)
    assert pts.shape == (9, 4)
    assert np.array_equal(pts[0], p) and np.array_equal(pts[-1], q)
    t = np.pi / 2 * 3 / 8
    np.testing.assert_allclose(pts[3], np.cos(t) * p + np.sin(t) * q, rtol=1e-15)
    P, Q = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    many = arc_points(P, Q, 5)
    assert many.shape == (3, 5, 4)
    assert np.array_equal(many[:, 0], P) and np.array_equal(many[:, -1], Q)
    np.testing.assert_array_equal(many[1], arc_points(P[1], Q[1], 5))
    arcs = random_arcs(rng.normal(size=(10, 4)), 6, 7, seed=1)
    assert arcs.shape == (6, 7, 4)
    assert all(not np.array_equal(a[0], a[-1]) for a in arcs)


def test_sampled_length_of_identity_model_is_the_polyline_length():
    # relu hidden layer with W = I, b = 0 on positive inputs: z^(1) = x exactly
    model = DenseModel([np.eye(3), np.ones((2, 3))], [np.zeros(3), np.zeros(2)], "relu")
    rng = np.random.default_rng(3)
    p, q = rng.uniform(0.5, 2.0, size=(2, 3)), rng.uniform(0.5, 2.0, size=(2, 3))
    arcs = arc_points(p, q, 40)
    value, _ = trajectory_length(model, arcs, layer=1)
    polyline = sum(np.linalg.norm(np.diff(a, axis=0), axis=1).sum() for a in arcs)
    assert value == pytest.approx(polyline, rel=1e-14)
    # and it approaches the exact arc length from below
    exact = sum(trace(to_network(model), Arc.between(p[i], q[i])).lengths[1] for i in range(2))
    assert value < exact and value == pytest.approx(exact, rel=1e-3)


def test_sampled_length_is_below_the_exact_length():
    model = init_model([3, 8, 8, 2], "hardtanh", sigma_w=3.0, seed=4, batchnorm=True)
    _randomise_bn(model, np.random.default_rng(4))
    rng = np.random.default_rng(5)
    p, q = rng.normal(size=3), rng.normal(size=3)
    value, _ = trajectory_length(model, arc_points(p, q, 2000), layer=2, train=False)
    exact = trace(to_network(model), Arc.between(p, q)).lengths[2]
    assert value <= exact * (1 + 1e-12) and value == pytest.approx(exact, rel=1e-2)


# -- argument errors -------------------------------------------------------------------------


def test_bad_arguments_name_themselves():
    model = init_model([2, 3, 3], seed=0)
    data = _blobs()
    x = np.zeros((4, 2))
    cases = [
        (lambda: init_model([2, 3, 2], "tanh"), ValueError, "activation"),
        (lambda: init_model([2, 0, 2]), ValueError, "widths"),
        (lambda: init_model([2, 3, 2], sigma_w=-1.0), ValueError, "sigma_w"),
        (lambda: forward(model, np.zeros((4, 3))), ValueError, "x must have 2 columns"),
        (lambda: forward(model, np.zeros(2)), ValueError, "x must be a 2-D"),
        (lambda: forward(model, x, train="yes"), TypeError, "train"),
        (lambda: forward("model", x), TypeError, "model"),
        (lambda: backward(model, forward(model, x)[1], np.zeros((4, 2))), ValueError, "dlogits"),
        (lambda: backward(model, forward(model, x)[1], None, {2: np.zeros((4, 3))}), ValueError,
         "dhidden"),
        (lambda: softmax_cross_entropy(np.zeros((3, 2)), np.array([0, 1, 2])), ValueError,
         "labels"),
        (lambda: softmax_cross_entropy(np.zeros((3, 2)), np.array([0.0, 1.0, 1.0])), TypeError,
         "labels"),
        (lambda: softmax_cross_entropy(np.zeros((3, 2)), np.array([0, 1])), ValueError, "labels"),
        (lambda: SGD(lr=-1.0), ValueError, "lr"),
        (lambda: SGD(lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda: Adam(beta2=1.0), ValueError, "beta2"),
        (lambda: Adam(eps=0.0), ValueError, "eps"),
        (lambda: SGD(0.1).step(model, backward(model, forward(model, x)[1], None), {2}),
         ValueError, "trainable"),
        (lambda: SGD(0.1).step(model, backward(model, forward(model, x)[1], None), 1),
         TypeError, "trainable"),
        (lambda: train(model, data, epochs=1, optimizer=SGD(0.1), batch_size=0), ValueError,
         "batch_size"),
        (lambda: train(model, data, epochs=-1, optimizer=SGD(0.1)), ValueError, "epochs"),
        (lambda: train(model, data, epochs=1, optimizer=SGD(0.1), penalty_weight=-1.0),
         ValueError, "penalty_weight"),
        (lambda: train(model, data, epochs=1, optimizer=SGD(0.1), penalty_weight=1.0,
                       penalty_layer=0), ValueError, "layer"),
        (lambda: train(model, data, epochs=1, optimizer=SGD(0.1), penalty_weight=1.0,
                       penalty_layer=2), ValueError, "layer"),
        (lambda: train(model, (x, x), epochs=1, optimizer=SGD(0.1)), TypeError, "data"),
        (lambda: train(init_model([3, 3, 3], seed=0), data, epochs=1, optimizer=SGD(0.1)),
         ValueError, "features"),
        (lambda: arc_points([0.0, 1.0], [1.0], 5), ValueError, "p and q"),
        (lambda: arc_points([0.0], [1.0], 1), ValueError, "n must be at least 2"),
        (lambda: trajectory_length(model, np.zeros((2, 5, 3)), 1), ValueError, "arcs"),
        (lambda: DenseModel([np.eye(2)], [np.zeros(3)], "relu"), ValueError, "biases"),
        (lambda: DenseModel([np.eye(2), np.eye(3)], [np.zeros(2), np.zeros(3)]), ValueError,
         "weights"),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()


# -- the penalty at several layers (Raghu et al.'s regulariser in place of each batch norm) ---


@pytest.mark.parametrize("batchnorm", [False, True])
def test_trajectory_lengths_values_and_weighted_gradient(batchnorm):
    model, arcs = _penalty_case("hardtanh", 2.5, batchnorm, 60, 2000)
    values, grad_fn = trajectory_lengths(model, arcs, "all", train=batchnorm)
    # each value is the single-layer penalty's value (itself checked against polylines above)
    assert values.tolist() == [trajectory_length(model, arcs, d, batchnorm)[0] for d in (1, 2, 3)]
    scales = [0.5, -2.0, 3.0]
    grads = grad_fn(scales)
    num = _numeric_grads(model, lambda m: float(
        np.dot(scales, [trajectory_length(m, arcs, d, batchnorm)[0] for d in (1, 2, 3)])))
    _assert_grads(model, grads, num, batchnorm, layers=[0, 1, 2])
    # layers in any order, a subset, and one scale for all
    v2, g2 = trajectory_lengths(model, arcs, [3, 1], train=batchnorm)
    assert v2.tolist() == [values[2], values[0]]
    one = trajectory_lengths(model, arcs, 2, train=batchnorm)[1](1.0)
    assert _rel_err(one.weights, trajectory_length(model, arcs, 2, batchnorm)[1]().weights) < 1e-14
    assert _rel_err(g2(2.0).weights, g2([2.0, 2.0]).weights) == 0.0


def test_penalty_at_every_layer_shortens_every_layer():
    data = _blobs(seed=1)
    base = init_model([2, 16, 16, 3], "hardtanh", sigma_w=3.0, seed=2)
    free, reg = copy_model(base), copy_model(base)
    kw = dict(epochs=4, batch_size=16, seed=0, penalty_layer="all", penalty_arcs=4)
    h_free = train(free, data, optimizer=Adam(lr=0.01), **kw, penalty_weight=1e-12)
    h_reg = train(reg, data, optimizer=Adam(lr=0.01), **kw, penalty_weight=5.0)
    arcs = random_arcs(data.x_train, 4, 32, np.random.default_rng(0))
    initial = trajectory_lengths(base, arcs, "all", True)[0]
    assert h_reg.penalty_layers == (1, 2)
    assert h_reg.initial_lengths == tuple(initial.tolist()) == h_free.initial_lengths
    assert h_reg.initial_length == pytest.approx(initial.sum(), rel=1e-15)
    assert len(h_reg.layer_length_ratios) == 4
    # the recorded ratios are the lengths of the final model over the initial ones
    final = trajectory_lengths(reg, arcs, "all", True)[0] / initial
    np.testing.assert_allclose(h_reg.layer_length_ratios[-1], final, rtol=1e-12)
    assert h_reg.length_ratio[-1] == pytest.approx(final.mean(), rel=1e-12)
    for d in range(2):
        assert h_reg.layer_length_ratios[-1][d] < 0.9 * h_free.layer_length_ratios[-1][d]
    # one layer given as a list is the single-layer penalty
    one = copy_model(base)
    h_one = train(one, data, optimizer=Adam(lr=0.01), epochs=0, seed=0, penalty_weight=1.0,
                  penalty_layer=[2], penalty_arcs=4)
    assert h_one.initial_length == trajectory_length(base, arcs, 2, True)[0]


def test_penalty_layers_bad_arguments_name_themselves():
    model = init_model([2, 3, 3, 3], seed=0)
    data = _blobs()
    arcs = arc_points([[1.0, 0.0]], [[0.0, 1.0]], 5)

    def fit(layer):
        return train(model, data, epochs=0, optimizer=SGD(0.1), penalty_weight=1.0,
                     penalty_layer=layer)

    cases = [
        (lambda: fit("every"), ValueError, 'layers must be None, a hidden layer.*"all"'),
        (lambda: fit([]), ValueError, "at least one hidden layer"),
        (lambda: fit([1, 1]), ValueError, "distinct"),
        (lambda: fit([1, 3]), ValueError, "hidden layer d = 1..2"),
        (lambda: fit(1.5), TypeError, "layers must be None, an integer"),
        (lambda: fit([1.0]), TypeError, "layer must be an integer"),
        (lambda: trajectory_lengths(model, arcs, "all")[1]([1.0]), TypeError,
         r"scales must be 2 real number\(s\)"),
        (lambda: trajectory_lengths(model, arcs, "all")[1]("x"), TypeError, "scales"),
        (lambda: trajectory_lengths(model, arcs, "all", train=1), TypeError, "train"),
        (lambda: trajectory_lengths(model, np.zeros((2, 5, 3)), "all"), ValueError, "arcs"),
        (lambda: train(model, data, epochs=0, optimizer=SGD(0.1), penalty_weight=1.0,
                       penalty_layer="all", penalty_arcs=np.ones((1, 5, 2))), ValueError,
         r"zero length at layer\(s\) \[1, 2\]"),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()
