"""Piecewise-linear activation functions and their linear pieces.

An activation phi is described by its sorted ``thresholds`` theta_1 < ... < theta_r, which cut
the real line into r + 1 linear pieces, and on piece k by phi(h) = slope_k * h + intercept_k.
A neuron's *pattern code* on a piece of a trajectory is the code of the piece of phi that its
pre-activation lies in. Codes follow Raghu et al. (2017): ReLU off/on is 0/1, hard-tanh
saturated-low / linear / saturated-high is -1/0/1.

Tie rule: a pre-activation exactly at a threshold belongs to the piece *below* it (ReLU at
h = 0 is "off"; hard-tanh at h = -1 is saturated-low, at h = +1 linear). This matters only for a
neuron that sits on its threshold over a whole piece of a trajectory; phi is continuous, so the
network's values never depend on it.

=============  ==============  =================  ===========
name           thresholds      slopes per piece   codes
=============  ==============  =================  ===========
``relu``       0               0, 1               0, 1
``hardtanh``   -1, 1           0, 1, 0            -1, 0, 1
``leaky_relu`` 0               1/100, 1           0, 1
``abs``        0               -1, 1              0, 1
``linear``     (none)          1                  0
=============  ==============  =================  ===========

Examples
--------
>>> from regions.activations import get_activation
>>> act = get_activation("hardtanh")
>>> act.thresholds, act.codes
((Fraction(-1, 1), Fraction(1, 1)), (-1, 0, 1))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """A continuous piecewise-linear activation function.

    Attributes
    ----------
    name : str
        Registry name (``"relu"``, ``"hardtanh"``, ``"leaky_relu"``, ``"abs"``, ``"linear"``).
    thresholds : tuple of Fraction
        Sorted breakpoints of phi.
    slopes, intercepts : tuple of Fraction
        phi(h) = slopes[k] * h + intercepts[k] on piece k (``len(thresholds) + 1`` pieces).
    codes : tuple of int
        Pattern code of each piece.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2 (ReLU and hard-tanh; the pattern codes).

    Examples
    --------
    >>> relu = get_activation("relu")
    >>> relu.thresholds, relu.slopes, relu.codes
    ((Fraction(0, 1),), (Fraction(0, 1), Fraction(1, 1)), (0, 1))
    """

    name: str
    thresholds: tuple[Fraction, ...]
    slopes: tuple[Fraction, ...]
    intercepts: tuple[Fraction, ...]
    codes: tuple[int, ...]

    @property
    def num_pieces(self) -> int:
        """Number of linear pieces of phi."""
        return len(self.slopes)

    def __call__(self, h: np.ndarray) -> np.ndarray:
        """Apply phi elementwise to a float64 or Fraction object array.

        >>> import numpy as np
        >>> get_activation("relu")(np.array([-1.5, 0.0, 2.0]))
        array([0., 0., 2.])
        """
        return _APPLY[self.name](np.asarray(h))


def _relu(h: np.ndarray) -> np.ndarray:
    return np.maximum(h, _zero(h))


def _hardtanh(h: np.ndarray) -> np.ndarray:
    if h.dtype == object:
        one = Fraction(1)
        return np.where(h > one, one, np.where(h < -one, -one, h))
    return np.clip(h, -1.0, 1.0)


def _leaky_relu(h: np.ndarray) -> np.ndarray:
    slope = Fraction(1, 100) if h.dtype == object else 0.01
    return np.where(h > 0, h, slope * h)


def _abs(h: np.ndarray) -> np.ndarray:
    return np.abs(h)


def _linear(h: np.ndarray) -> np.ndarray:
    return h


def _zero(h: np.ndarray):
    return Fraction(0) if h.dtype == object else 0.0


_APPLY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": _relu,
    "hardtanh": _hardtanh,
    "leaky_relu": _leaky_relu,
    "abs": _abs,
    "linear": _linear,
}

_F = Fraction
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType({
    "relu": Activation("relu", (_F(0),), (_F(0), _F(1)), (_F(0), _F(0)), (0, 1)),
    "hardtanh": Activation(
        "hardtanh", (_F(-1), _F(1)), (_F(0), _F(1), _F(0)), (_F(-1), _F(0), _F(1)), (-1, 0, 1)
    ),
    "leaky_relu": Activation(
        "leaky_relu", (_F(0),), (_F(1, 100), _F(1)), (_F(0), _F(0)), (0, 1)
    ),
    "abs": Activation("abs", (_F(0),), (_F(-1), _F(1)), (_F(0), _F(0)), (0, 1)),
    "linear": Activation("linear", (), (_F(1),), (_F(0),), (0,)),
})
"""The registry of supported activations, by name."""


def get_activation(name: str) -> Activation:
    """Return the :class:`Activation` registered under ``name``.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not a registered activation.

    >>> get_activation("relu").thresholds
    (Fraction(0, 1),)
    """
    return _resolve(name, "activation name")


def _resolve(value: object, argument: str) -> Activation:
    """The activation named by ``value``; errors name the caller's ``argument``."""
    if isinstance(value, Activation):
        # only the registered activations: the engines and evaluation rely on their tables
        if ACTIVATIONS.get(value.name) == value:
            return ACTIVATIONS[value.name]
        raise ValueError(
            f"{argument} must be one of the registered activations {sorted(ACTIVATIONS)}; got "
            f"a custom Activation {value.name!r} (custom activations are not supported)"
        )
    if not isinstance(value, str):
        raise TypeError(
            f"{argument} must be a string naming one of {sorted(ACTIVATIONS)}, "
            f"got {value!r} of type {type(value).__name__}"
        )
    try:
        return ACTIVATIONS[value]
    except KeyError:
        raise ValueError(
            f"{argument} must be one of {sorted(ACTIVATIONS)}; got unknown activation {value!r}"
        ) from None
