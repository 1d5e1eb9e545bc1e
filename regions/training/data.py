"""Classification data sets: scikit-learn's bundled digits, or the user's own arrays.

Both loaders split with a fixed stratified split drawn from ``seed`` (pure NumPy: every class
sends about test_fraction * its size points to the test split, by largest remainders, so
that the test split has exactly ceil(test_fraction * n) points, as in scikit-learn's
``train_test_split``) and standardise every feature with the mean and
standard deviation of the *training* split only (a feature constant on the training split is
only centred).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Dataset", "dataset_from_arrays", "load_digits"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split of a classification data set.

    Attributes
    ----------
    x_train, x_test : ndarray of float64, shape (n, features)
    y_train, y_test : ndarray of int, shape (n,)
        Class indices in 0..num_classes-1.
    num_classes : int
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int

    @property
    def num_features(self) -> int:
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        return (f"Dataset(train={self.x_train.shape}, test={self.x_test.shape}, "
                f"num_classes={self.num_classes})")


def _check_fraction(test_fraction: Any) -> float:
    if isinstance(test_fraction, (bool, np.bool_)) or not isinstance(test_fraction, numbers.Real):
        raise TypeError(f"test_fraction must be a real number, got {test_fraction!r}")
    f = float(test_fraction)
    if not (0.0 < f < 1.0):
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    return f


def _stratified_split(y: np.ndarray, test_fraction: float, seed: Any) -> tuple[np.ndarray, np.ndarray]:
    n = y.shape[0]
    # ceil, as scikit-learn's train_test_split (the 1e-9 absorbs rounding in the product)
    n_test = int(np.ceil(test_fraction * n - 1e-9))
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"test_fraction={test_fraction} of {n} points leaves an empty train or test split"
        )
    rng = np.random.default_rng(seed)
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    ideal = test_fraction * counts
    take = np.floor(ideal).astype(int)
    short = n_test - int(take.sum())
    if short > 0:  # largest remainders first (ties by class), never more than a class holds
        order = np.lexsort((np.arange(classes.size), -(ideal - take)))
        order = order[take[order] < counts[order]]
        take[order[:short]] += 1
    perm = rng.permutation(n)
    # rank of every point within its class, in the random order
    by_class = perm[np.argsort(inverse[perm], kind="stable")]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(n) - np.repeat(starts, counts)
    is_test = np.zeros(n, dtype=bool)
    is_test[by_class] = rank < np.repeat(take, counts)
    test = np.flatnonzero(is_test)
    train = np.flatnonzero(~is_test)
    return rng.permutation(train), rng.permutation(test)


def _standardise(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (x_train - mean) / std, (x_test - mean) / std


def dataset_from_arrays(
    x: Any,
    y: Any,
    test_fraction: float = 0.25,
    seed: int | np.random.Generator | None = 0,
    *,
    standardize: bool = True,
) -> Dataset:
    """A :class:`Dataset` from the user's own arrays (e.g. MNIST).

    Parameters
    ----------
    x : array_like, shape (n, features) or (n, ...)
        One example per row; extra dimensions (images) are flattened.
    y : array_like of int, shape (n,)
        Class indices 0, 1, ...; ``num_classes`` is ``max(y) + 1``. Integer-valued floats
        are accepted.
    test_fraction : float
        In (0, 1).
    seed : int, numpy.random.Generator or None
        Seed of the stratified split.
    standardize : bool, keyword-only
        Standardise the features with the training split's statistics (default True).

    Examples
    --------
    >>> x = np.arange(40.0).reshape(20, 2)
    >>> y = np.arange(20) % 2
    >>> data = dataset_from_arrays(x, y, test_fraction=0.5)
    >>> data.x_train.shape, data.x_test.shape, np.bincount(data.y_test).tolist()
    ((10, 2), (10, 2), [5, 5])
    """
    if isinstance(x, (str, bytes)):
        raise TypeError("x must be an array of numbers, got a string")
    xa = np.asarray(x)
    if xa.dtype.kind == "b" or xa.dtype.kind not in "iuf":
        raise TypeError(f"x must hold real numbers, got an array of dtype {xa.dtype}")
    if xa.ndim < 2:
        raise ValueError(
            f"x must be a 2-D array with one example per row (shape (n, features)); got shape "
            f"{xa.shape}"
        )
    n = xa.shape[0]
    xa = xa.reshape(n, -1).astype(np.float64)
    if xa.shape[1] == 0:
        raise ValueError(f"x must have at least one feature, got shape {np.shape(x)}")
    if not np.all(np.isfinite(xa)):
        raise ValueError("x must hold finite numbers (no NaN or infinity)")
    if isinstance(y, (str, bytes)):
        raise TypeError("y must be a 1-D array of integer labels, got a string")
    ya = np.asarray(y)
    if ya.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {ya.shape}")
    if ya.shape[0] != n:
        raise ValueError(
            f"x and y must have the same length: x has {n} examples, y has {ya.shape[0]} labels"
        )
    if ya.dtype.kind == "f":
        if not np.all(np.isfinite(ya)) or np.any(ya != np.round(ya)):
            raise ValueError("y must hold integer class labels; got non-integer values")
        ya = ya.astype(np.int64)
    elif ya.dtype.kind not in "iu" or ya.dtype.kind == "b":
        raise ValueError(
            f"y must hold integer class labels, got an array of dtype {ya.dtype} (map labels "
            "to 0, 1, ... first, e.g. np.unique(y, return_inverse=True)[1])"
        )
    if n and ya.min() < 0:
        raise ValueError(f"y must hold non-negative class indices, got {int(ya.min())}")
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be a bool, got {standardize!r}")
    f = _check_fraction(test_fraction)
    if n < 2:
        raise ValueError(f"x must hold at least 2 examples to split, got {n}")
    train, test = _stratified_split(ya, f, seed)
    x_train, x_test = xa[train], xa[test]
    if standardize:
        x_train, x_test = _standardise(x_train, x_test)
    return Dataset(x_train, ya[train].astype(np.int64), x_test, ya[test].astype(np.int64),
                   int(ya.max()) + 1)


def load_digits(test_fraction: float = 0.25, seed: int | np.random.Generator | None = 0) -> Dataset:
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, 64 features, 10 classes).

    No download: the data ship with scikit-learn (the optional extra ``data``:
    ``pip install "regions[data]"``). Split and standardisation as in
    :func:`dataset_from_arrays`.

    Examples
    --------
    >>> data = load_digits()
    >>> data.x_train.shape, data.x_test.shape, data.num_classes
    ((1347, 64), (450, 64), 10)
    """
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "load_digits needs scikit-learn: install the optional extra 'data' "
            '(pip install "regions[data]") or scikit-learn>=1.2'
        ) from exc
    _check_fraction(test_fraction)
    bunch = _sk_load_digits()
    return dataset_from_arrays(bunch.data, bunch.target, test_fraction, seed)
