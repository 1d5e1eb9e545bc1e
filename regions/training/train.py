"""Mini-batch training with optional frozen layers and trajectory-length regularisation."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .. import _numbers

from .data import Dataset
from .losses import _check_labels, accuracy, softmax_cross_entropy
from .model import DenseModel, _check_model, backward, forward
from .optim import Adam, SGD, check_trainable
from .penalty import check_layers, random_arcs, trajectory_lengths

__all__ = ["DEFAULT_PENALTY_ARCS", "DEFAULT_POINTS_PER_ARC", "History", "train"]

DEFAULT_PENALTY_ARCS = 8
"""Number of arcs of the trajectory penalty when ``penalty_arcs`` is None."""
DEFAULT_POINTS_PER_ARC = 32
"""Points per arc when :func:`train` draws the arcs itself."""


@dataclass(eq=False)
class History:
    """Per-epoch measurements of a :func:`train` run (entry k is after epoch k + 1).

    Attributes
    ----------
    train_loss : list of float
        Mean softmax cross-entropy over the epoch's mini-batches (train mode, before each
        step; the penalty is not included).
    train_accuracy, test_accuracy : list of float
        Eval-mode accuracy on the whole training and test splits after the epoch.
    length_ratio : list of float
        With a penalty: the sampled length at the penalised layer after the epoch divided by
        ``initial_length`` (several penalised layers: the mean over them of each layer's
        ratio); empty without a penalty.
    initial_length : float or None
        The sampled length at the penalised layer when training started (several layers:
        the sum of ``initial_lengths``; None without a penalty).
    penalty_layers : tuple of int
        The penalised hidden layers (1-based; empty without a penalty).
    initial_lengths : tuple of float
        The sampled length at each penalised layer when training started.
    layer_length_ratios : list of list of float
        After each epoch, each penalised layer's length divided by its initial length.
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    length_ratio: list = field(default_factory=list)
    initial_length: float | None = None
    penalty_layers: tuple = ()
    initial_lengths: tuple = ()
    layer_length_ratios: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def _batches(n: int, batch_size: int, merge_single: bool) -> list[tuple[int, int]]:
    bounds = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
    if merge_single and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


def train(
    model: DenseModel,
    data: Dataset,
    *,
    epochs: int,
    batch_size: int = 64,
    optimizer: SGD | Adam,
    trainable: Any = None,
    penalty_weight: float = 0.0,
    penalty_layer: int | Sequence[int] | str | None = None,
    penalty_arcs: Any = None,
    seed: int | np.random.Generator | None = 0,
    progress: Any = None,
    callback: Callable[[int, DenseModel], Any] | None = None,
) -> History:
    """Train ``model`` in place by mini-batch gradient descent on softmax cross-entropy.

    Every epoch visits the training split in a fresh random order (from ``seed``), in
    mini-batches of ``batch_size`` (with batch norm, a final batch of one point is merged
    into the one before). Each step: a train-mode forward pass (updating the running
    batch-norm averages), the loss gradient, plus with ``penalty_weight`` = lambda > 0 the
    gradient of lambda * sum_d l_d / l_d(0) over the penalised hidden layers d
    (``penalty_layer``), where l_d is the sampled length of fixed arcs at layer d
    (:func:`~regions.training.trajectory_lengths`, train mode) and l_d(0) its value when this
    call started: Raghu et al.'s regularisation of the length relative to its initial value
    (one term per layer where the regulariser replaces a batch-norm layer). Then
    ``optimizer.step`` on the ``trainable`` layers.

    Parameters
    ----------
    model : DenseModel
        Updated in place.
    data : Dataset
    epochs : int
        >= 0.
    batch_size : int
        >= 1.
    optimizer : SGD or Adam
        Its state carries over between calls.
    trainable : set of int or None
        Weight layers to train (0-based indices of ``model.weights``; a hidden layer's
        batch-norm parameters go with it); None: all. Raghu et al.'s train-one-layer
        experiment is ``trainable={l}``.
    penalty_weight : float
        lambda >= 0; 0 disables the penalty.
    penalty_layer : int, sequence of int, "all" or None
        Hidden layer d = 1..L-1 (1-based, z^(d)), several distinct ones, or ``"all"`` (every
        hidden layer); None: the last hidden layer.
    penalty_arcs : None, int, (int, int) or array_like
        None: ``DEFAULT_PENALTY_ARCS`` arcs; an int: that many arcs; a pair
        ``(num_arcs, points_per_arc)``. Drawn arcs join random pairs of training inputs
        (from ``seed``; ``DEFAULT_POINTS_PER_ARC`` points each unless given) and stay fixed
        for the whole call. Or the arc points themselves, shape (num_arcs, n, features) or
        (n, features).
    seed : int, numpy.random.Generator or None
        Seed of the arcs and the batch order: the same seed (and the same model, data and a
        fresh optimiser) gives the same parameters and history.
    progress : object or None
        Something with ``step(n=1, note="")`` (e.g. the experiments' ``Progress``) or a
        callable ``progress(epoch)``; called after each epoch.
    callback : callable or None
        ``callback(epoch, model)``, called with epoch 0 before training and after every
        epoch 1..epochs (for measurements during training).

    Returns
    -------
    History

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 4 (training only one
       layer; trajectory regularisation).

    Examples
    --------
    >>> from regions.training import dataset_from_arrays, init_model
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> data = dataset_from_arrays(x, (x[:, 0] > 0).astype(int))
    >>> model = init_model([2, 8, 2], "relu", sigma_w=1.4, seed=0)
    >>> hist = train(model, data, epochs=20, batch_size=32, optimizer=Adam(lr=0.02))
    >>> hist.test_accuracy[-1] > 0.9
    True
    """
    _check_model(model)
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset, got {type(data).__name__}")
    if data.x_train.shape[1] != model.widths[0]:
        raise ValueError(
            f"data has {data.x_train.shape[1]} features but the model's input width is "
            f"{model.widths[0]}"
        )
    if data.num_classes > model.widths[-1]:
        raise ValueError(
            f"data has {data.num_classes} classes but the model has {model.widths[-1]} logits"
        )
    epochs = _numbers.check_int(epochs, "epochs", 0)
    batch_size = _numbers.check_int(batch_size, "batch_size", 1)
    if not isinstance(optimizer, (SGD, Adam)) and not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must be an SGD or Adam, got {type(optimizer).__name__}")
    layers = check_trainable(trainable, model.num_layers)
    if (isinstance(penalty_weight, (bool, np.bool_))
            or not isinstance(penalty_weight, numbers.Real)):
        raise TypeError(f"penalty_weight must be a real number, got {penalty_weight!r}")
    if not (np.isfinite(float(penalty_weight)) and penalty_weight >= 0):
        raise ValueError(f"penalty_weight must be finite and >= 0, got {penalty_weight}")
    if progress is not None and not (hasattr(progress, "step") or callable(progress)):
        raise TypeError("progress must have a step() method or be callable")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")
    y_train = _check_labels(data.y_train, data.x_train.shape[0], model.widths[-1], "data.y_train")

    rng = np.random.default_rng(seed)
    history = History()
    lam = float(penalty_weight)
    arcs = None
    if lam > 0:
        pen_layers = check_layers(model, penalty_layer)
        if penalty_arcs is None or isinstance(penalty_arcs, (int, np.integer)) or (
            isinstance(penalty_arcs, tuple) and len(penalty_arcs) == 2
            and all(isinstance(v, (int, np.integer)) for v in penalty_arcs)
        ):
            spec = DEFAULT_PENALTY_ARCS if penalty_arcs is None else penalty_arcs
            count, points = spec if isinstance(spec, tuple) else (spec, DEFAULT_POINTS_PER_ARC)
            if isinstance(count, (bool, np.bool_)) or count < 1:
                raise ValueError(f"penalty_arcs must ask for at least 1 arc, got {penalty_arcs}")
            arcs = random_arcs(data.x_train, int(count), points, rng)
        else:
            arcs = penalty_arcs
        initial, _ = trajectory_lengths(model, arcs, pen_layers, train=True)
        if not np.all(initial > 0):
            flat = [d for d, v in zip(pen_layers, initial) if not v > 0]
            raise ValueError(
                f"the penalty arcs have zero length at layer(s) {flat}: nothing to regularise "
                "relative to"
            )
        history.penalty_layers = pen_layers
        history.initial_lengths = tuple(float(v) for v in initial)
        history.initial_length = float(initial.sum()) if len(initial) > 1 else float(initial[0])

    if callback is not None:
        callback(0, model)
    x_train = data.x_train
    n = x_train.shape[0]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        total = 0.0
        for start, stop in _batches(n, batch_size, model.batchnorm):
            idx = order[start:stop]
            logits, cache = forward(model, x_train[idx], train=True)
            loss, dlogits = softmax_cross_entropy(logits, y_train[idx])
            total += loss * (stop - start)
            grads = backward(model, cache, dlogits)
            if arcs is not None:
                _, grad_fn = trajectory_lengths(model, arcs, pen_layers, train=True)
                grads = grads.add(grad_fn(lam / initial))
            optimizer.step(model, grads, layers)
        history.train_loss.append(total / n)
        history.train_accuracy.append(accuracy(model, data.x_train, data.y_train))
        history.test_accuracy.append(accuracy(model, data.x_test, data.y_test))
        if arcs is not None:
            values, _ = trajectory_lengths(model, arcs, pen_layers, train=True)
            ratios = values / initial
            history.layer_length_ratios.append([float(v) for v in ratios])
            history.length_ratio.append(float(ratios.mean()))
        if progress is not None:
            if hasattr(progress, "step"):
                progress.step(1, note=f"epoch {epoch}: loss {history.train_loss[-1]:.3f}")
            else:
                progress(epoch)
        if callback is not None:
            callback(epoch, model)
    return history
