"""Optimisers: SGD with momentum and Adam, updating a :class:`DenseModel` in place.

A *layer* is a weight layer l (0-based, ``weights[l]``); its parameters are ``weights[l]``,
``biases[l]`` and, for a hidden layer of a batch-norm model, ``gammas[l]`` and ``betas[l]``.
``step(model, grads, trainable)`` updates only the layers in ``trainable`` (None: all); a
frozen layer's parameters, batch-norm ones included, and its optimiser state do not change.
The running batch-norm averages are not parameters (the forward pass updates them).
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable, Iterator

import numpy as np

from .model import DenseModel, Grads, _check_model

__all__ = ["Adam", "SGD"]


def _real(value: Any, name: str, low: float, high: float, low_open: bool, high_open: bool) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    ok = np.isfinite(v) and (v > low if low_open else v >= low) and (
        v < high if high_open else v <= high
    )
    if not ok:
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be finite and in {lo}{low}, {high}{hi}, got {value}")
    return v


def check_trainable(trainable: Any, num_layers: int) -> frozenset[int]:
    """The set of trainable layers (0-based weight-layer indices); None means all."""
    if trainable is None:
        return frozenset(range(num_layers))
    if isinstance(trainable, (str, bytes)) or not isinstance(trainable, Iterable):
        raise TypeError(
            f"trainable must be None or a set of layer indices, got {trainable!r}"
        )
    layers = set()
    for l in trainable:
        if isinstance(l, (bool, np.bool_)) or not isinstance(l, (int, np.integer)):
            raise TypeError(f"trainable must hold integer layer indices, got {l!r}")
        if not 0 <= l < num_layers:
            raise ValueError(
                f"trainable must hold layer indices 0..{num_layers - 1} (weight layers, "
                f"0-based), got {l}"
            )
        layers.add(int(l))
    return frozenset(layers)


def _pairs(model: DenseModel, grads: Grads, layers: frozenset[int]) -> Iterator[tuple]:
    """``(key, parameter array, gradient array)`` of every parameter of ``layers``."""
    if not isinstance(grads, Grads):
        raise TypeError(f"grads must be a Grads (from backward), got {type(grads).__name__}")
    names = ["weights", "biases"] + (["gammas", "betas"] if model.batchnorm else [])
    for name in names:
        params, gs = getattr(model, name), getattr(grads, name)
        if len(gs) != len(params):
            raise ValueError(f"grads.{name} does not match the model ({len(gs)} entries, "
                             f"expected {len(params)})")
        for l, (p, g) in enumerate(zip(params, gs)):
            if l not in layers:
                continue
            if np.shape(g) != p.shape:
                raise ValueError(f"grads.{name}[{l}] has shape {np.shape(g)}, expected {p.shape}")
            yield (name, l), p, g


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    buffer <- momentum * buffer + grad;  parameter <- parameter - lr * buffer
    (PyTorch's convention; momentum = 0 is plain SGD).

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    momentum : float
        In [0, 1).

    Examples
    --------
    >>> from regions.training import init_model, forward, backward, softmax_cross_entropy
    >>> model = init_model([2, 4, 2], seed=0)
    >>> x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> logits, cache = forward(model, x, train=True)
    >>> before, d = softmax_cross_entropy(logits, y)
    >>> SGD(lr=0.1).step(model, backward(model, cache, d))
    >>> softmax_cross_entropy(forward(model, x)[0], y)[0] < before
    True
    """

    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        self.lr = _real(lr, "lr", 0.0, np.inf, True, True)
        self.momentum = _real(momentum, "momentum", 0.0, 1.0, False, True)
        self.state: dict = {}

    def step(self, model: DenseModel, grads: Grads, trainable: Any = None) -> None:
        """Update ``model`` in place with ``grads`` on the layers in ``trainable``."""
        _check_model(model)
        layers = check_trainable(trainable, model.num_layers)
        for key, p, g in list(_pairs(model, grads, layers)):
            if self.momentum:
                buf = self.state.get(key)
                if buf is None:
                    buf = self.state[key] = np.array(g, dtype=np.float64)
                else:
                    buf *= self.momentum
                    buf += g
                p -= self.lr * buf
            else:
                p -= self.lr * np.asarray(g)

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum})"


class Adam:
    """Adam (Kingma and Ba 2015), with bias correction.

    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
    parameter <- parameter - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps),
    where t counts the steps that updated this parameter (a layer unfrozen later starts its
    own count).

    Parameters
    ----------
    lr : float
        > 0 (default 1e-3).
    beta1, beta2 : float
        In [0, 1).
    eps : float
        > 0.

    References
    ----------
    .. [1] D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
       Algorithm 1.

    Examples
    --------
    >>> from regions.training import init_model, Grads
    >>> model = init_model([1, 1], seed=0)
    >>> w0 = model.weights[0].copy()
    >>> g = Grads([np.array([[3.0]])], [np.array([0.0])], [], [], [])
    >>> Adam(lr=0.1).step(model, g)   # the first step moves by lr * sign(g)
    >>> np.round(model.weights[0] - w0, 9).tolist()
    [[-0.1]]
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.lr = _real(lr, "lr", 0.0, np.inf, True, True)
        self.beta1 = _real(beta1, "beta1", 0.0, 1.0, False, True)
        self.beta2 = _real(beta2, "beta2", 0.0, 1.0, False, True)
        self.eps = _real(eps, "eps", 0.0, np.inf, True, True)
        self.state: dict = {}

    def step(self, model: DenseModel, grads: Grads, trainable: Any = None) -> None:
        """Update ``model`` in place with ``grads`` on the layers in ``trainable``."""
        _check_model(model)
        layers = check_trainable(trainable, model.num_layers)
        for key, p, g in list(_pairs(model, grads, layers)):
            g = np.asarray(g, dtype=np.float64)
            if key not in self.state:
                self.state[key] = [np.zeros_like(p), np.zeros_like(p), 0]
            m, v, t = self.state[key]
            t += 1
            self.state[key][2] = t
            c1 = 1.0 - self.beta1 ** t
            c2 = 1.0 - self.beta2 ** t
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"
