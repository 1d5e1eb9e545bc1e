"""What the trained-network experiments share (Raghu et al. Figs. 6-9, noise, trajectory
regularisation): the data set, the architecture, one training run, exact lengths.

Everything is trained with :mod:`regions.training` (NumPy, no deep-learning framework) on
scikit-learn's bundled 8x8 digits (no download): 1797 images of 64 pixels, 10 classes, a fixed
stratified split (``load_digits(seed=0)``: 1347 training and 450 test images, standardised
with the training split's statistics). Networks are [64, 100 x depth, 10] with hard-tanh
hidden layers and a linear readout, W ~ N(0, sigma_w^2 / fan_in), b = 0 at initialisation.
"""

from __future__ import annotations

import contextlib
import math
from functools import lru_cache
from typing import Callable

import numpy as np

from ..trace import trace
from ..trajectory import Arc
from ._common import Progress

WIDTH = 100
INPUTS, CLASSES = 64, 10
ACTIVATION = "hardtanh"


@lru_cache(maxsize=1)
def digits():
    """The digits data set, split once (seed 0) and shared by every experiment."""
    from ..training import load_digits

    return load_digits(test_fraction=0.25, seed=0)


def widths(depth: int, width: int = WIDTH) -> list[int]:
    """[64, width x depth, 10]."""
    return [INPUTS] + [width] * depth + [CLASSES]


def make_model(depth: int, sigma_w2: float, seed: int, *, width: int = WIDTH,
               batchnorm: bool = False):
    from ..training import init_model

    return init_model(widths(depth, width), ACTIVATION, math.sqrt(sigma_w2), 0.0, seed=seed,
                      batchnorm=batchnorm)


def test_accuracy(model) -> float:
    from ..training import accuracy

    data = digits()
    return float(accuracy(model, data.x_test, data.y_test))


def train_accuracy(model) -> float:
    from ..training import accuracy

    data = digits()
    return float(accuracy(model, data.x_train, data.y_train))


def fit(model, *, epochs: int, seed: int, lr: float = 1e-3, trainable=None,
        progress: Progress | None = None, every: int = 0,
        measure: Callable | None = None, **penalty):
    """Train ``model`` in place with Adam (batch 64) for ``epochs`` epochs; returns
    ``(history, records)``.

    ``progress`` steps once per epoch. With ``measure`` and ``every`` > 0, ``records`` lists
    ``(epoch, measure(model))`` at epoch 0 (before training), after every ``every``-th epoch
    and after the last. ``penalty`` is passed on (``penalty_weight``, ``penalty_layer``,
    ``penalty_arcs``).
    """
    from ..training import Adam, train

    records: list = []

    def callback(epoch: int, m) -> None:
        if measure is not None and every and (epoch % every == 0 or epoch == epochs):
            records.append((int(epoch), measure(m)))

    with one_blas_thread():
        history = train(model, digits(), epochs=epochs, batch_size=64, optimizer=Adam(lr=lr),
                        trainable=trainable, seed=seed, progress=progress, callback=callback,
                        **penalty)
    return history, records


def one_blas_thread():
    """A context in which BLAS uses one thread (threadpoolctl, which scikit-learn, the
    ``data`` extra of these experiments, brings; without it, a no-op).

    Training multiplies small matrices (batch 64 by width 100): there a second BLAS thread
    only adds contention. Measured on the shared 2-core machine, one epoch of the
    regularisation experiment's every-layer penalty run took a median 0.65 s with one
    thread and 27 s with two (interleaved, three repeats each).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def arc_pairs(n: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` pairs of distinct test inputs of different classes, drawn with ``seed``."""
    data = digits()
    rng = np.random.default_rng(seed)
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    while len(pairs) < n:
        i, j = rng.choice(len(data.y_test), size=2, replace=False)
        if data.y_test[i] != data.y_test[j]:
            pairs.append((np.asarray(data.x_test[i], float), np.asarray(data.x_test[j], float)))
    return pairs


def warm_batchnorm(model) -> None:
    """Set a batch-norm model's running statistics to those of the whole training set (one
    train-mode pass, no gradient step), so that its eval-mode function, which ``to_network``
    exports, is what the network computes; without batch norm nothing changes."""
    from ..training import forward

    if not model.batchnorm:
        return
    momentum = model.momentum_bn
    model.momentum_bn = 1.0
    try:
        forward(model, digits().x_train, train=True)
    finally:
        model.momentum_bn = momentum


def exact_lengths(model, pairs) -> np.ndarray:
    """Exact length l(z^(d)) of the image of every arc cos t p + sin t q (t in [0, pi/2])
    after every layer (d = 0 the input, ..., the readout last): shape (arcs, layers + 1)."""
    from ..training import to_network

    net = to_network(model)
    return np.array([trace(net, Arc.between(p, q)).lengths for p, q in pairs])
