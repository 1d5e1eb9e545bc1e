"""The classification loss and accuracy."""

from __future__ import annotations

from typing import Any

import numpy as np

from .model import DenseModel, _check_model, _check_points, _float_array, forward

__all__ = ["accuracy", "softmax_cross_entropy"]


def _check_labels(labels: Any, n: int, num_classes: int, name: str = "labels") -> np.ndarray:
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D array of integer class indices, got a string")
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integer class indices, got an array of dtype {y.dtype}"
        )
    if y.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) (one label per row), got {y.shape}")
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"{name} must lie in 0..{num_classes - 1} (one per logit); got values in "
            f"{int(y.min())}..{int(y.max())}"
        )
    return y.astype(np.intp, copy=False)


def softmax_cross_entropy(logits: Any, labels: Any) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of a batch and its gradient with respect to the logits.

    loss = mean_i [ logsumexp(logits_i) - logits_i[labels_i] ];
    dlogits = (softmax(logits) - onehot(labels)) / n.

    Parameters
    ----------
    logits : array_like, shape (n, C)
    labels : array_like of int, shape (n,)
        Class indices in 0..C-1.

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (n, C)

    Examples
    --------
    >>> loss, d = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> round(loss, 6) == round(float(np.log(4)), 6), d[0].tolist()
    (True, [-0.375, 0.125, 0.125, 0.125])
    """
    z = _float_array(logits, "logits", 2)
    n, c = z.shape
    if n == 0 or c == 0:
        raise ValueError(f"logits must have at least one row and one column, got shape {z.shape}")
    y = _check_labels(labels, n, c)
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(total)
    rows = np.arange(n)
    loss = float(-log_probs[rows, y].mean())
    dlogits = exp / total
    dlogits[rows, y] -= 1.0
    dlogits /= n
    return loss, dlogits


def accuracy(model: DenseModel, x: Any, y: Any) -> float:
    """Fraction of points whose largest eval-mode logit is at their label.

    Examples
    --------
    >>> from regions.training import init_model
    >>> model = init_model([2, 4, 3], seed=0)
    >>> 0.0 <= accuracy(model, np.zeros((5, 2)), np.zeros(5, dtype=int)) <= 1.0
    True
    """
    _check_model(model)
    points = _check_points(model, x)
    labels = _check_labels(y, points.shape[0], model.widths[-1], "y")
    logits, _ = forward(model, points, train=False)
    return float(np.mean(np.argmax(logits, axis=1) == labels))
