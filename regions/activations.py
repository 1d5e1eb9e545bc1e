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
``relu6``      0, 6            0, 1, 0            0, 1, 2
=============  ==============  =================  ===========

Any other continuous piecewise-linear function is a table entry too: :func:`leaky_relu` with
any slope, :func:`hardtanh` with any range, or an :class:`Activation` built from its
thresholds, slopes and intercepts (checked for continuity). The engines read only the table.

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
from typing import Any, Callable, Mapping

import numpy as np

from ._display import short_fractions

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "hardtanh", "leaky_relu"]


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

    def __post_init__(self) -> None:
        _check_table(self)

    @property
    def num_pieces(self) -> int:
        """Number of linear pieces of phi."""
        return len(self.slopes)

    def __call__(self, h: np.ndarray) -> np.ndarray:
        """Apply phi elementwise to a float64 or Fraction object array.

        >>> import numpy as np
        >>> get_activation("relu")(np.array([-1.5, 0.0, 2.0]))
        array([0., 0., 2.])
        >>> hardtanh(-2, 3)(np.array([-5.0, 1.0, 5.0]))
        array([-2.,  1.,  3.])
        """
        h = np.asarray(h)
        fast = _APPLY.get(self.name)
        if fast is not None and ACTIVATIONS.get(self.name) is self:
            return fast(h)
        return _apply_table(self, h)

    def piece_index(self, h: np.ndarray) -> np.ndarray:
        """The piece of phi each value lies in (int8; a value on a threshold takes the piece
        below, the tie rule above)."""
        h = np.asarray(h)
        index = np.zeros(h.shape, dtype=np.int8)
        for theta in self.thresholds:
            index += h > (theta if h.dtype == object else float(theta))
        return index

    def __repr__(self) -> str:
        return short_fractions(self.name)


def _relu(h: np.ndarray) -> np.ndarray:
    return np.maximum(h, _zero(h))


def _hardtanh(h: np.ndarray) -> np.ndarray:
    if h.dtype == object:
        one = _const(h, 1)
        return np.where(h > one, one, np.where(h < -one, -one, h))
    return np.clip(h, -1.0, 1.0)


def _leaky_relu(h: np.ndarray) -> np.ndarray:
    slope = _const(h, Fraction(1, 100)) if h.dtype == object else 0.01
    return np.where(h > 0, h, slope * h)


def _abs(h: np.ndarray) -> np.ndarray:
    return np.abs(h)


def _linear(h: np.ndarray) -> np.ndarray:
    return h


def _apply_table(act: Activation, h: np.ndarray) -> np.ndarray:
    """phi from its table: slope_k h + intercept_k on the piece k of each value."""
    index = act.piece_index(h)
    if h.dtype == object:
        slopes = np.array([_const(h, v) for v in act.slopes], dtype=object)
        intercepts = np.array([_const(h, v) for v in act.intercepts], dtype=object)
    else:
        slopes = np.array([float(v) for v in act.slopes])
        intercepts = np.array([float(v) for v in act.intercepts])
    return slopes[index] * h + intercepts[index]


def _check_table(act: Activation) -> None:
    """Refuse an inconsistent table: unsorted thresholds, wrong lengths, a jump."""
    if not isinstance(act.name, str) or not act.name:
        raise TypeError(f"Activation name must be a non-empty string, got {act.name!r}")
    r = len(act.thresholds)
    for field_name, values, n in (("slopes", act.slopes, r + 1),
                                  ("intercepts", act.intercepts, r + 1),
                                  ("codes", act.codes, r + 1)):
        if len(values) != n:
            raise ValueError(
                f"Activation {act.name!r}: {field_name} must have {n} entries (one per piece, "
                f"{r} threshold(s)); got {len(values)}"
            )
    for field_name in ("thresholds", "slopes", "intercepts"):
        for v in getattr(act, field_name):
            if not isinstance(v, Fraction):
                raise TypeError(
                    f"Activation {act.name!r}: {field_name} must hold fractions.Fraction "
                    f"values (exact tables); got {v!r} of type {type(v).__name__}"
                )
    if any(b <= a for a, b in zip(act.thresholds, act.thresholds[1:])):
        raise ValueError(f"Activation {act.name!r}: thresholds must increase strictly; got "
                         f"{[str(t) for t in act.thresholds]}")
    if len(set(act.codes)) != len(act.codes):
        raise ValueError(f"Activation {act.name!r}: codes must be distinct; got {act.codes}")
    for k, theta in enumerate(act.thresholds):
        below = act.slopes[k] * theta + act.intercepts[k]
        above = act.slopes[k + 1] * theta + act.intercepts[k + 1]
        if below != above:
            raise ValueError(
                f"Activation {act.name!r} must be continuous: at threshold {theta} the piece "
                f"below gives {below} and the piece above {above}"
            )
    for k in range(r):
        if act.slopes[k] == act.slopes[k + 1]:
            raise ValueError(
                f"Activation {act.name!r}: pieces {k} and {k + 1} have the same slope "
                f"{act.slopes[k]}, so threshold {act.thresholds[k]} is not a breakpoint"
            )


def _zero(h: np.ndarray):
    return _const(h, 0) if h.dtype == object else 0.0


def _const(h: np.ndarray, value: Any) -> Any:
    """An exact constant in the element type of the rational array ``h`` (Fraction, or the
    fast backend's mpq: mixing would be exact too, only slower)."""
    kind = type(h.flat[0]) if h.size else Fraction
    return Fraction(value) if kind is int else kind(value)


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
    "relu6": Activation(
        "relu6", (_F(0), _F(6)), (_F(0), _F(1), _F(0)), (_F(0), _F(0), _F(6)), (0, 1, 2)
    ),
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


def _exact_number(value: object, argument: str) -> Fraction:
    """A real number as the Fraction of its exact value (floats at their binary value)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, Fraction,
                                                                      np.integer, np.floating)):
        raise TypeError(f"{argument} must be a real number, got {value!r} of type "
                        f"{type(value).__name__}")
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        raise ValueError(f"{argument} must be finite, got {value}")
    if isinstance(value, (np.floating, float)):
        return Fraction(float(value))
    return value if isinstance(value, Fraction) else Fraction(int(value))


def leaky_relu(slope: object = Fraction(1, 100)) -> Activation:
    """Leaky ReLU with negative-side ``slope``: phi(h) = h for h > 0, slope * h otherwise.

    ``slope`` is taken at its exact value (a float at its binary value; pass a Fraction or a
    string such as ``"0.01"`` for a decimal). The default, 1/100, is the registered
    ``"leaky_relu"``. Codes: 0 below the threshold, 1 above.

    >>> leaky_relu("0.2").slopes
    (Fraction(1, 5), Fraction(1, 1))
    """
    s = Fraction(slope) if isinstance(slope, str) else _exact_number(slope, "slope")
    if s == 1:
        raise ValueError("slope must differ from 1 (leaky_relu(1) is the identity, 'linear')")
    if s == Fraction(1, 100):
        return ACTIVATIONS["leaky_relu"]
    return Activation(f"leaky_relu({s})", (Fraction(0),), (s, Fraction(1)),
                      (Fraction(0), Fraction(0)), (0, 1))


def hardtanh(min_val: object = -1, max_val: object = 1) -> Activation:
    """Hard-tanh clipped to ``[min_val, max_val]`` (``min_val < max_val``, exact values).

    The default range [-1, 1] is the registered ``"hardtanh"``; codes are -1 (saturated low),
    0 (linear), 1 (saturated high) for every range, as in Raghu et al.

    >>> hardtanh(0, 6).thresholds
    (Fraction(0, 1), Fraction(6, 1))
    """
    lo, hi = _exact_number(min_val, "min_val"), _exact_number(max_val, "max_val")
    if not lo < hi:
        raise ValueError(f"min_val must be below max_val; got min_val={lo}, max_val={hi}")
    if (lo, hi) == (-1, 1):
        return ACTIVATIONS["hardtanh"]
    z, one = Fraction(0), Fraction(1)
    return Activation(f"hardtanh({lo}, {hi})", (lo, hi), (z, one, z), (lo, z, hi), (-1, 0, 1))


def _resolve(value: object, argument: str) -> Activation:
    """The activation named by ``value``; errors name the caller's ``argument``."""
    if isinstance(value, Activation):
        registered = ACTIVATIONS.get(value.name)
        if registered == value:
            return registered
        if registered is not None:
            raise ValueError(
                f"{argument} is a custom Activation named {value.name!r}, which is the name of "
                "a registered activation with a different table; give it another name"
            )
        return value
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
