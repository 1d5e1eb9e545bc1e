"""A trainable dense network: parameters, forward and backward passes, and export to the exact engine.

The model computes, for hidden layers d = 1, ..., L-1 (``weights[d-1]``),

    h^(d) = W^(d) z^(d-1) + b^(d),    a^(d) = BN(h^(d)) (or h^(d) without batch norm),
    z^(d) = phi(a^(d)),

and the logits h^(L) = W^(L) z^(L-1) + b^(L) (the last layer is linear). ``phi`` is ReLU or
hard-tanh. Batch normalisation (Ioffe and Szegedy 2015) is applied to the hidden
pre-activations, before the activation, one (gamma, beta) pair per hidden layer:

* **train mode** normalises with the batch mean and (biased) variance,
  ``BN(h) = gamma * (h - mean) / sqrt(var + eps) + beta``, and updates the running averages
  ``running = (1 - momentum_bn) * running + momentum_bn * batch`` (PyTorch's convention; the
  running variance is fed the *unbiased* batch variance, as in Ioffe and Szegedy's inference
  network);
* **eval mode** uses the running averages, so the model is a fixed piecewise-linear function,
  which :func:`to_network` exports with batch norm folded into the affine layers.

The backward pass differentiates through the batch statistics in train mode (the full
formula) and through the fixed affine map in eval mode. Everything is float64 and vectorised
over the batch (rows are points).

Layer indices: ``weights[l]`` is W^(l+1) (0-based lists, as in :class:`regions.Network`);
``gammas[l]`` etc. belong to hidden layer l+1.

References
----------
.. [1] S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by
   Reducing Internal Covariate Shift", ICML 2015, Algorithms 1 and 2 (train and inference
   modes) and Section 3 (the backward pass through the batch statistics).
.. [2] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 2 (notation h^(d), z^(d)).
"""

from __future__ import annotations

import copy
import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..activations import get_activation

from ..network import Network, random_network

__all__ = [
    "ACTIVATIONS",
    "Cache",
    "DenseModel",
    "Grads",
    "backward",
    "copy_model",
    "forward",
    "hidden_outputs",
    "init_model",
    "to_network",
]

ACTIVATIONS = ("relu", "hardtanh")
"""Hidden activations a :class:`DenseModel` supports."""


def _float_array(value: Any, name: str, ndim: int) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a {ndim}-D array of real numbers, got a string")
    arr = np.asarray(value)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers (no NaN or infinity)")
    if arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    return arr


@dataclass(eq=False, init=False)
class DenseModel:
    """A dense classifier with ReLU or hard-tanh hidden layers and optional batch norm.

    Parameters and attributes
    -------------------------
    weights : list of ndarray
        ``weights[l]`` has shape ``(width_out, width_in)`` (W^(l+1)).
    biases : list of ndarray
        ``biases[l]`` has shape ``(width_out,)``.
    activation : str
        ``"relu"`` or ``"hardtanh"``, for every hidden layer; the last layer is linear
        (its outputs are the logits).
    batchnorm : bool
        Whether the hidden pre-activations are batch-normalised.
    gammas, betas, running_means, running_vars : list of ndarray
        One vector per hidden layer when ``batchnorm`` (a list left out or given as None
        defaults to ones, zeros, zeros and ones); empty lists otherwise.
    momentum_bn : float
        Weight of the new batch in the running averages (default 0.1).
    eps : float
        Added to the variance before the square root (default 1e-5).

    Arrays are stored as float64 and updated in place by the optimisers.

    Examples
    --------
    >>> model = init_model([4, 8, 3], "relu", sigma_w=np.sqrt(2.0), seed=0, batchnorm=True)
    >>> model.widths, len(model.gammas), model.num_layers
    ((4, 8, 3), 1, 2)
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str
    batchnorm: bool
    gammas: list[np.ndarray]
    betas: list[np.ndarray]
    running_means: list[np.ndarray]
    running_vars: list[np.ndarray]
    momentum_bn: float
    eps: float

    def __init__(self, weights: Sequence[Any], biases: Sequence[Any], activation: str = "relu",
                 batchnorm: bool = False, gammas: Sequence[Any] | None = None,
                 betas: Sequence[Any] | None = None,
                 running_means: Sequence[Any] | None = None,
                 running_vars: Sequence[Any] | None = None, momentum_bn: float = 0.1,
                 eps: float = 1e-5) -> None:
        # (an explicit __init__ rather than the dataclass's: the batch-norm lists accept None
        # for "the default", but as attributes they are always lists)
        if not isinstance(weights, (list, tuple)) or len(weights) == 0:
            raise TypeError("weights must be a non-empty list of 2-D arrays")
        if not isinstance(biases, (list, tuple)):
            raise TypeError("biases must be a list of 1-D arrays")
        if len(biases) != len(weights):
            raise ValueError(
                f"biases must have one entry per layer: {len(weights)} weight matrices "
                f"but {len(biases)} bias vectors"
            )
        self.weights = [_float_array(w, f"weights[{i}]", 2) for i, w in enumerate(weights)]
        self.biases = [_float_array(b, f"biases[{i}]", 1) for i, b in enumerate(biases)]
        self.activation = activation
        self.batchnorm = batchnorm
        self.momentum_bn = momentum_bn
        self.eps = eps
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            if i > 0 and w.shape[1] != self.weights[i - 1].shape[0]:
                raise ValueError(
                    f"weights[{i}] must have {self.weights[i - 1].shape[0]} columns (the width "
                    f"of layer {i}); got shape {w.shape}"
                )
            if b.shape != (w.shape[0],):
                raise ValueError(
                    f"biases[{i}] must have shape ({w.shape[0]},) to match weights[{i}]; "
                    f"got shape {b.shape}"
                )
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {ACTIVATIONS}, got {self.activation!r}"
            )
        if not isinstance(self.batchnorm, (bool, np.bool_)):
            raise TypeError(f"batchnorm must be a bool, got {self.batchnorm!r}")
        self.batchnorm = bool(self.batchnorm)
        for name, value, low, high in (("momentum_bn", self.momentum_bn, 0.0, 1.0),
                                       ("eps", self.eps, 0.0, np.inf)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a real number, got {value!r}")
            if not (low < float(value) <= high) or not np.isfinite(float(value)):
                raise ValueError(f"{name} must be finite and in ({low}, {high}], got {value}")
        self.gammas = self._bn_list("gammas", gammas, 1.0)
        self.betas = self._bn_list("betas", betas, 0.0)
        self.running_means = self._bn_list("running_means", running_means, 0.0)
        self.running_vars = self._bn_list("running_vars", running_vars, 1.0)

    def _bn_list(self, name: str, value: Sequence[Any] | None, fill: float) -> list[np.ndarray]:
        """The checked batch-norm list ``name`` (``fill`` everywhere when ``value`` is None)."""
        hidden = [w.shape[0] for w in self.weights[:-1]]
        if not self.batchnorm:
            if value:
                raise ValueError(f"{name} must be empty or None when batchnorm is False")
            return []
        if value is None:
            return [np.full(n, fill) for n in hidden]
        if not isinstance(value, (list, tuple)) or len(value) != len(hidden):
            raise ValueError(
                f"{name} must be a list of {len(hidden)} vectors (one per hidden layer)"
            )
        arrays = [_float_array(v, f"{name}[{i}]", 1) for i, v in enumerate(value)]
        for i, (arr, n) in enumerate(zip(arrays, hidden)):
            if arr.shape != (n,):
                raise ValueError(f"{name}[{i}] must have shape ({n},), got {arr.shape}")
        if name == "running_vars" and any(np.any(a < 0) for a in arrays):
            raise ValueError("running_vars must be non-negative")
        return arrays

    @property
    def widths(self) -> tuple[int, ...]:
        """``(input width, hidden widths..., number of logits)``."""
        return (int(self.weights[0].shape[1]),) + tuple(int(w.shape[0]) for w in self.weights)

    @property
    def num_layers(self) -> int:
        """Number of weight layers L (hidden layers plus the output layer)."""
        return len(self.weights)

    def __repr__(self) -> str:
        bn = ", batchnorm" if self.batchnorm else ""
        return f"DenseModel(widths={self.widths}, activation={self.activation!r}{bn})"


@dataclass(eq=False)
class Cache:
    """What :func:`forward` keeps for :func:`backward`.

    Attributes
    ----------
    train : bool
        The mode of the forward pass.
    inputs : list of ndarray
        ``inputs[l]`` is the input of layer l (``inputs[0]`` = x, ``inputs[d]`` = z^(d)).
    pre : list of ndarray
        The activation's inputs a^(d) (after batch norm), one per hidden layer.
    xhat, inv_std : list of ndarray
        The normalised pre-activations and 1 / sqrt(var + eps) per hidden layer (batch
        norm only; the batch's statistics in train mode, the running ones in eval mode).
    """

    train: bool
    inputs: list
    pre: list
    xhat: list = field(default_factory=list)
    inv_std: list = field(default_factory=list)


@dataclass(eq=False)
class Grads:
    """Gradients aligned with a :class:`DenseModel`.

    Attributes
    ----------
    weights, biases : list of ndarray
        d loss / d ``weights[l]``, d loss / d ``biases[l]``.
    gammas, betas : list of ndarray
        For the batch-norm parameters (empty lists without batch norm).
    hidden : list of ndarray
        ``hidden[d-1]``: d loss / d z^(d), the gradient with respect to hidden layer d's
        output at every point of the batch (including any gradient injected there through
        ``dhidden``).
    inputs : ndarray
        d loss / d x.
    """

    weights: list
    biases: list
    gammas: list
    betas: list
    hidden: list
    inputs: np.ndarray | None = None

    def add(self, other: "Grads", scale: float = 1.0) -> "Grads":
        """Return ``self + scale * other`` (parameter gradients only; ``hidden`` and
        ``inputs`` are dropped, since the two may come from different batches)."""

        def comb(a: list, b: list) -> list:
            return [x + scale * y for x, y in zip(a, b)]

        return Grads(comb(self.weights, other.weights), comb(self.biases, other.biases),
                     comb(self.gammas, other.gammas), comb(self.betas, other.betas), [])


def init_model(
    widths: Sequence[int],
    activation: str = "relu",
    sigma_w: float = 1.0,
    sigma_b: float = 0.0,
    seed: int | np.random.Generator | None = 0,
    batchnorm: bool = False,
) -> DenseModel:
    """A model with Raghu et al.'s random initialisation.

    W_ij ~ N(0, sigma_w^2 / fan_in), b_i ~ N(0, sigma_b^2): the draws of
    :func:`regions.random_network` with the same arguments (so the same seed gives the same
    weights). With ``batchnorm``, gammas start at 1, betas at 0, running means at 0 and
    running variances at 1.

    Parameters
    ----------
    widths : sequence of int
        ``[input width, hidden widths..., number of classes]``.
    activation : {"relu", "hardtanh"}
    sigma_w, sigma_b : float
        sigma_w > 0 (``sqrt(2)`` is He initialisation), sigma_b >= 0.
    seed : int, numpy.random.Generator or None
    batchnorm : bool

    Returns
    -------
    DenseModel

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2.

    Examples
    --------
    >>> model = init_model([2, 16, 16, 3], "hardtanh", sigma_w=2.0, seed=1)
    >>> model.widths, model.weights[0].shape
    ((2, 16, 16, 3), (16, 2))
    """
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if not isinstance(batchnorm, (bool, np.bool_)):
        raise TypeError(f"batchnorm must be a bool, got {batchnorm!r}")
    net = random_network(widths, activation, sigma_w, sigma_b, seed)
    return DenseModel(
        [np.array(w, dtype=np.float64) for w in net.weights],
        [np.array(b, dtype=np.float64) for b in net.biases],
        activation,
        bool(batchnorm),
    )


def copy_model(model: DenseModel) -> DenseModel:
    """A deep copy of ``model`` (no array is shared).

    Examples
    --------
    >>> a = init_model([2, 4, 2], seed=0)
    >>> b = copy_model(a)
    >>> b.weights[0] += 1.0
    >>> bool(np.all(a.weights[0] == b.weights[0]))
    False
    """
    _check_model(model)
    return copy.deepcopy(model)


def _check_model(model: Any, name: str = "model") -> None:
    if not isinstance(model, DenseModel):
        raise TypeError(f"{name} must be a DenseModel, got {type(model).__name__}")


def _check_points(model: DenseModel, x: Any, name: str = "x") -> np.ndarray:
    points = _float_array(x, name, 2)
    if points.shape[1] != model.widths[0]:
        raise ValueError(
            f"{name} must have {model.widths[0]} columns (the model's input width); "
            f"got shape {points.shape}"
        )
    if points.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one point (row)")
    return points


def _phi(name: str, a: np.ndarray) -> np.ndarray:
    return get_activation(name)(a)


def _dphi(name: str, a: np.ndarray) -> np.ndarray:
    """The slope of the activation's piece at each value (the tie rule of
    :mod:`regions.activations`: a value on a threshold belongs to the piece below)."""
    act = get_activation(name)
    index = np.zeros(a.shape, dtype=np.intp)
    for theta in act.thresholds:
        index += a > float(theta)
    return np.array([float(v) for v in act.slopes])[index]


def forward(model: DenseModel, x: Any, train: bool = False, *,
            update_stats: bool = True) -> tuple[np.ndarray, Cache]:
    """Logits of a batch of points, and the cache for :func:`backward`.

    Parameters
    ----------
    model : DenseModel
    x : array_like, shape (n, input width)
        One point per row.
    train : bool
        Train mode (batch statistics; needs n >= 2 with batch norm) or eval mode (running
        averages). Without batch norm both modes compute the same function.
    update_stats : bool, keyword-only
        In train mode, whether to update the running averages (default True; the trajectory
        penalty's separate forward pass uses False).

    Returns
    -------
    logits : ndarray, shape (n, number of classes)
    cache : Cache

    References
    ----------
    .. [1] S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by
       Reducing Internal Covariate Shift", ICML 2015, Algorithm 1.

    Examples
    --------
    >>> model = init_model([3, 5, 2], "relu", sigma_w=1.0, seed=0, batchnorm=True)
    >>> x = np.random.default_rng(0).normal(size=(10, 3))
    >>> logits, cache = forward(model, x, train=True)
    >>> logits.shape, np.allclose(cache.xhat[0].mean(axis=0), 0.0)
    ((10, 2), True)
    """
    _check_model(model)
    z = _check_points(model, x)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be a bool, got {train!r}")
    n = z.shape[0]
    if train and model.batchnorm and n < 2:
        raise ValueError(
            "x must hold at least 2 points in train mode with batch norm (the batch variance "
            f"of one point is 0); got {n}"
        )
    cache = Cache(bool(train), [z], [])
    last = model.num_layers - 1
    for l, (w, b) in enumerate(zip(model.weights, model.biases)):
        h = z @ w.T + b
        if l == last:
            return h, cache
        if model.batchnorm:
            if train:
                mean = h.mean(axis=0)
                var = h.var(axis=0)
                if update_stats:
                    m = model.momentum_bn
                    model.running_means[l] *= 1.0 - m
                    model.running_means[l] += m * mean
                    model.running_vars[l] *= 1.0 - m
                    model.running_vars[l] += m * var * (n / (n - 1))
            else:
                mean, var = model.running_means[l], model.running_vars[l]
            inv = 1.0 / np.sqrt(var + model.eps)
            xhat = (h - mean) * inv
            a = model.gammas[l] * xhat + model.betas[l]
            cache.xhat.append(xhat)
            cache.inv_std.append(inv)
        else:
            a = h
        z = _phi(model.activation, a)
        cache.pre.append(a)
        cache.inputs.append(z)
    raise AssertionError("unreachable")  # pragma: no cover


def backward(
    model: DenseModel,
    cache: Cache,
    dlogits: Any = None,
    dhidden: Mapping[int, Any] | None = None,
) -> Grads:
    """Gradients of a loss by backpropagation through the pass recorded in ``cache``.

    Parameters
    ----------
    model : DenseModel
        The model ``cache`` was computed with (unchanged since).
    cache : Cache
        From :func:`forward`.
    dlogits : array_like or None
        d loss / d logits, shape (n, number of classes); None means the loss does not
        depend on the logits.
    dhidden : mapping or None
        ``{d: d loss / d z^(d)}`` for hidden layers d = 1..L-1 (shape (n, width of layer
        d)): gradients injected at hidden outputs, e.g. by a penalty on them. Layers above
        the highest injection get zero gradients without being visited.

    Returns
    -------
    Grads

    References
    ----------
    .. [1] S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by
       Reducing Internal Covariate Shift", ICML 2015, Section 3 (gradients through the
       batch statistics).

    Examples
    --------
    >>> model = init_model([3, 4, 2], seed=0)
    >>> logits, cache = forward(model, np.ones((5, 3)))
    >>> grads = backward(model, cache, np.ones_like(logits))
    >>> grads.weights[1].shape, grads.biases[1].tolist()
    ((2, 4), [5.0, 5.0])
    """
    _check_model(model)
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be the Cache returned by forward, got {type(cache).__name__}")
    L = model.num_layers
    if len(cache.inputs) != L:
        raise ValueError("cache does not match model (different number of layers)")
    n = cache.inputs[0].shape[0]
    inject: dict[int, np.ndarray] = {}
    for d, g in (dhidden or {}).items():
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or not 1 <= d < L:
            raise ValueError(f"dhidden keys must be hidden layers 1..{L - 1}, got {d!r}")
        g = _float_array(g, f"dhidden[{d}]", 2)
        if g.shape != (n, model.widths[d]):
            raise ValueError(f"dhidden[{d}] must have shape {(n, model.widths[d])}, got {g.shape}")
        inject[int(d)] = g
    if dlogits is not None:
        dlogits = _float_array(dlogits, "dlogits", 2)
        if dlogits.shape != (n, model.widths[-1]):
            raise ValueError(
                f"dlogits must have shape {(n, model.widths[-1])}, got {dlogits.shape}"
            )
        top = L - 1  # 0-based index of the highest weight layer that receives a gradient
    else:
        top = max(inject) - 1 if inject else -1

    weights = [np.zeros_like(w) for w in model.weights]
    biases = [np.zeros_like(b) for b in model.biases]
    gammas = [np.zeros_like(g) for g in model.gammas]
    betas = [np.zeros_like(b) for b in model.betas]
    hidden = [np.zeros((n, w)) for w in model.widths[1:-1]]
    dz = None
    if top == L - 1:
        weights[L - 1] = dlogits.T @ cache.inputs[L - 1]
        biases[L - 1] = dlogits.sum(axis=0)
        dz = dlogits @ model.weights[L - 1]
        top = L - 2
    for l in range(top, -1, -1):
        # dz: gradient w.r.t. z^(l+1) = output of hidden layer l+1, from above
        if l + 1 in inject:
            dz = inject[l + 1] if dz is None else dz + inject[l + 1]
        if dz is None:
            dz = np.zeros((n, model.widths[l + 1]))
        hidden[l] = dz
        da = dz * _dphi(model.activation, cache.pre[l])
        if model.batchnorm:
            xhat, inv = cache.xhat[l], cache.inv_std[l]
            gammas[l] = (da * xhat).sum(axis=0)
            betas[l] = da.sum(axis=0)
            dxhat = da * model.gammas[l]
            if cache.train:
                dh = (inv / n) * (
                    n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)
                )
            else:
                dh = dxhat * inv
        else:
            dh = da
        weights[l] = dh.T @ cache.inputs[l]
        biases[l] = dh.sum(axis=0)
        dz = dh @ model.weights[l]
    inputs = dz if dz is not None else np.zeros_like(cache.inputs[0])
    return Grads(weights, biases, gammas, betas, hidden, inputs)


def hidden_outputs(model: DenseModel, x: Any, train: bool = False) -> list[np.ndarray]:
    """The post-activation outputs z^(1), ..., z^(L-1) of the hidden layers at points ``x``.

    In train mode with batch norm the batch statistics of ``x`` are used and the running
    averages are *not* updated (this is a measurement).

    Examples
    --------
    >>> model = init_model([2, 6, 4, 3], seed=0)
    >>> [z.shape for z in hidden_outputs(model, np.zeros((7, 2)))]
    [(7, 6), (7, 4)]
    """
    _, cache = forward(model, x, train, update_stats=False)
    return cache.inputs[1:]


def to_network(model: DenseModel) -> Network:
    """The eval-mode function of ``model`` as a :class:`regions.Network` (float64).

    Batch norm with running statistics is an affine map, folded into the layer below it:
    W' = diag(gamma / sqrt(var + eps)) W and b' = gamma (b - mean) / sqrt(var + eps) + beta.
    The activations are ``[activation] * (L - 1) + ["linear"]``, so
    ``regions.trace(to_network(model), trajectory)`` gives the exact pieces, transitions and
    lengths of the trained model.

    Examples
    --------
    >>> from regions import Segment, trace
    >>> model = init_model([2, 8, 2], "relu", sigma_w=1.5, seed=0, batchnorm=True)
    >>> net = to_network(model)
    >>> x = np.random.default_rng(1).normal(size=(4, 2))
    >>> bool(np.allclose(net(x), forward(model, x)[0], rtol=0, atol=1e-12))
    True
    >>> trace(net, Segment([-1.0, 0.0], [1.0, 0.0])).num_pieces >= 1
    True
    """
    _check_model(model)
    weights, biases = [], []
    for l, (w, b) in enumerate(zip(model.weights, model.biases)):
        if model.batchnorm and l < model.num_layers - 1:
            scale = model.gammas[l] / np.sqrt(model.running_vars[l] + model.eps)
            weights.append(scale[:, None] * w)
            biases.append(scale * (b - model.running_means[l]) + model.betas[l])
        else:
            weights.append(w.copy())
            biases.append(b.copy())
    return Network(weights, biases, model.activation)
