"""Dense piecewise-linear networks: the value type and a random initialiser.

Notation (Raghu et al. 2017): the input is z^(0) = x; layer d computes the pre-activation
h^(d) = W^(d) z^(d-1) + b^(d) and the activation z^(d) = phi_d(h^(d)). Layers are numbered
from 1 in the papers and from 0 in ``Network.weights``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import _numbers
from .activations import Activation, _resolve

__all__ = ["Network", "random_network"]


@dataclass(frozen=True, eq=False, init=False)
class Network:
    """A dense feed-forward network with piecewise-linear activations.

    Parameters
    ----------
    weights : sequence of 2-D array_like
        ``weights[l]`` has shape ``(width_out, width_in)`` (W^(l+1) in the papers).
    biases : sequence of 1-D array_like
        ``biases[l]`` has shape ``(width_out,)``.
    activations : str or sequence of str
        One name (``"relu"``, ``"hardtanh"``, ``"leaky_relu"``, ``"abs"``) applied to every layer
        except the last, which is ``"linear"``; or one name per layer.

    Entries are ints and floats (stored as float64) or ints and ``fractions.Fraction``
    (stored exactly, as Fraction object arrays: an *exact* network). Mixing floats and
    Fractions raises ``TypeError``.

    Attributes
    ----------
    widths : tuple of int
        ``(input width, width of layer 1, ..., output width)``.
    is_exact : bool
        True when the entries are Fractions.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2 (the networks h^(d) = W^(d) z^(d-1) + b^(d)).

    Examples
    --------
    A one-input ReLU network computing relu(x) + relu(-x) = ``|x|``:

    >>> net = Network([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], "relu")
    >>> net.widths
    (1, 2, 1)
    >>> net([[-3.0], [2.0]])
    array([[3.],
           [2.]])

    With Fraction entries the network evaluates exactly:

    >>> from fractions import Fraction
    >>> half = Network([[[Fraction(1, 2)]]], [[0]], "linear")
    >>> half([[Fraction(1, 3)]])[0, 0]
    Fraction(1, 6)
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[Activation, ...]

    def __init__(
        self,
        weights: Sequence[Any],
        biases: Sequence[Any],
        activations: str | Sequence[str] = "relu",
    ) -> None:
        ws, bs, acts = _validate(weights, biases, activations)
        object.__setattr__(self, "weights", ws)
        object.__setattr__(self, "biases", bs)
        object.__setattr__(self, "activations", acts)

    @property
    def widths(self) -> tuple[int, ...]:
        return (int(self.weights[0].shape[1]),) + tuple(int(w.shape[0]) for w in self.weights)

    @property
    def input_size(self) -> int:
        """Number of inputs (``widths[0]``; the name :class:`~regions.Graph` uses too)."""
        return int(self.weights[0].shape[1])

    @property
    def num_layers(self) -> int:
        """Number of weight layers (hidden layers plus the output layer)."""
        return len(self.weights)

    @property
    def num_neurons(self) -> int:
        """Number of neurons with a non-linear activation (N in the papers)."""
        return sum(
            w.shape[0] for w, a in zip(self.weights, self.activations) if a.name != "linear"
        )

    @property
    def is_exact(self) -> bool:
        return _numbers.is_rational(self.weights[0])

    def __call__(self, x: Any) -> np.ndarray:
        """Evaluate the network on a point (1-D) or a batch of points (2-D, one per row).

        An exact network, or Fraction input, is evaluated in Fractions (as :func:`regions.trace`
        does with ``exact=None``); float input to a float network in float64.
        """
        points = _numbers.coerce_array(x, "x", (1, 2))
        single = points.ndim == 1
        if single:
            points = points[None, :]
        if points.shape[1] != self.widths[0]:
            given = "a point" if single else "points"
            raise ValueError(
                f"x must have {self.widths[0]} coordinate(s) per point (the network's input "
                f"width); got {given} of dimension {points.shape[1]} (x of shape "
                f"{points.shape[1:] if single else points.shape})"
            )
        # Fraction input evaluates exactly, as in trace(exact=None): never rounded silently
        exact = self.is_exact or _numbers.is_rational(points)
        z = _layer_values(self, _numbers.convert(points, exact), exact)[-1][1]
        return z[0] if single else z

    def __repr__(self) -> str:
        kinds = ", ".join(repr(a) for a in self.activations)
        mode = "exact" if self.is_exact else "float64"
        return f"Network(widths={self.widths}, activations=({kinds}), {mode})"


def _layer_values(net: Network, points: np.ndarray, exact: bool):
    """Pre-activations and activations of every layer at a batch of points (rows)."""
    z, out = points, []
    for w, b, act in zip(net.weights, net.biases, net.activations):
        h = z @ _numbers.convert(w, exact).T + _numbers.convert(b, exact)
        z = act(h)
        out.append((h, z))
    return out


def _point_patterns(net: Network, points: np.ndarray, exact: bool):
    """The activation pattern of each point (rows), one int8 array of codes per layer (a value
    on a threshold takes the piece below, the tie rule of :mod:`regions.activations`), and
    the layer values from :func:`_layer_values`."""
    layers = _layer_values(net, points, exact)
    patterns = []
    for (h, _), act in zip(layers, net.activations):
        index = np.zeros(h.shape, dtype=np.int8)
        for theta in act.thresholds:
            index += h > _numbers.scalar(theta, exact)
        patterns.append(np.asarray(act.codes, dtype=np.int8)[index])
    return patterns, layers


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_))


def _validate(weights: Any, biases: Any, activations: Any):
    if isinstance(weights, np.ndarray) and weights.dtype != object and weights.ndim == 2:
        raise TypeError(
            "weights must be a sequence of 2-D weight matrices, one per layer; "
            f"got a single 2-D array of shape {weights.shape} (wrap it in a list for a "
            "one-layer network)"
        )
    if not isinstance(weights, (list, tuple)) and not (
        isinstance(weights, np.ndarray) and weights.dtype == object
    ):
        given = (
            f"an ndarray of shape {weights.shape}" if isinstance(weights, np.ndarray)
            else type(weights).__name__
        )
        raise TypeError(f"weights must be a list or tuple of 2-D arrays, got {given}")
    if (
        len(weights) > 0
        and all(isinstance(row, (list, tuple)) and len(row) > 0 for row in weights)
        and len({len(row) for row in weights}) == 1
        and all(_is_number(v) for row in weights for v in row)
    ):
        raise TypeError(
            "weights must be a sequence of 2-D weight matrices, one per layer; got a single "
            f"{len(weights)}x{len(weights[0])} matrix written as a list of rows (wrap it in a "
            "list for a one-layer network)"
        )
    if not isinstance(biases, (list, tuple)) and not (
        isinstance(biases, np.ndarray) and biases.ndim in (1, 2)
    ):
        given = (
            f"an ndarray of shape {biases.shape}" if isinstance(biases, np.ndarray)
            else type(biases).__name__
        )
        raise TypeError(f"biases must be a list or tuple of 1-D arrays, got {given}")
    if len(weights) == 0:
        raise ValueError("weights must hold at least one layer; got an empty sequence")
    if len(biases) > 0 and all(_is_number(v) for v in biases):
        raise TypeError(
            "biases must be a sequence of 1-D bias vectors, one per layer; got a single "
            f"vector of {len(biases)} numbers (wrap it in a list for a one-layer network)"
        )
    if len(biases) != len(weights):
        raise ValueError(
            f"biases must have one entry per layer: {len(weights)} weight matrices "
            f"but {len(biases)} bias vectors"
        )
    arrays = _numbers.coerce_arrays(
        [(w, f"weights[{i}]", 2) for i, w in enumerate(weights)]
        + [(b, f"biases[{i}]", 1) for i, b in enumerate(biases)],
        "weights and biases",
    )
    ws, bs = arrays[: len(weights)], arrays[len(weights):]
    for i, (w, b) in enumerate(zip(ws, bs)):
        if w.shape[0] == 0 or w.shape[1] == 0:
            raise ValueError(f"weights[{i}] must have at least one row and column; got shape {w.shape}")
        if i > 0 and w.shape[1] != ws[i - 1].shape[0]:
            raise ValueError(
                f"weights[{i}] must have {ws[i - 1].shape[0]} columns (the width of layer {i}); "
                f"got shape {w.shape}"
            )
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"biases[{i}] must have shape ({w.shape[0]},) to match weights[{i}] of shape "
                f"{w.shape}; got shape {b.shape}"
            )
    if isinstance(activations, (str, Activation)):
        act = _resolve(activations, "activations")
        acts = (act,) * (len(ws) - 1) + (_resolve("linear", "activations"),)
    else:
        if not isinstance(activations, (list, tuple)):
            raise TypeError(
                "activations must be a string or a list of strings, got "
                f"{activations!r} of type {type(activations).__name__}"
            )
        if len(activations) != len(ws):
            raise ValueError(
                f"activations must name one activation per layer: {len(ws)} layers but "
                f"{len(activations)} activations"
            )
        acts = tuple(_resolve(a, f"activations[{i}]") for i, a in enumerate(activations))
    return ws, bs, acts


def random_network(
    widths: Sequence[int],
    activation: str = "relu",
    sigma_w: float = 1.0,
    sigma_b: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> Network:
    """Draw a random network with Raghu et al.'s initialisation.

    W_ij ~ N(0, sigma_w^2 / fan_in) and b_i ~ N(0, sigma_b^2), independently; ``sigma_w`` is a
    standard-deviation factor, so ``sigma_w**2 == 2`` is He initialisation. Every layer but the
    last uses ``activation``; the last is linear.

    Parameters
    ----------
    widths : sequence of int
        ``[input width, hidden widths..., output width]``, at least two entries, all >= 1.
    activation : str
        Hidden activation (see :mod:`regions.activations`).
    sigma_w, sigma_b : float
        sigma_w > 0 and sigma_b >= 0 (sigma_b = 0 gives zero biases).
    seed : int, numpy.random.Generator or None
        Seed or generator for reproducibility.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 2 (random networks).

    Examples
    --------
    >>> net = random_network([2, 8, 8, 1], "hardtanh", sigma_w=2.0, seed=0)
    >>> net.widths, net.num_neurons
    ((2, 8, 8, 1), 16)
    """
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise TypeError(f"widths must be a sequence of positive integers, got {widths!r}")
    if len(widths) < 2:
        raise ValueError(
            f"widths must list the input width and at least one layer width; got {list(widths)}"
        )
    for i, w in enumerate(widths):
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, np.integer)):
            raise TypeError(f"widths[{i}] must be an integer, got {w!r}")
        if w < 1:
            raise ValueError(f"widths[{i}] must be at least 1, got {w}")
    _resolve(activation, "activation")
    for name, value, positive in (("sigma_w", sigma_w, True), ("sigma_b", sigma_b, False)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
            )
        if not np.isfinite(float(value)) or value < 0 or (positive and value == 0):
            expected = "> 0" if positive else ">= 0"
            raise ValueError(f"{name} must be finite and {expected}, got {value}")
    sigma_w, sigma_b = float(sigma_w), float(sigma_b)
    if not (
        seed is None
        or isinstance(seed, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence))
        or (isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)))
    ):
        raise TypeError(
            "seed must be an int, a numpy.random.Generator or None, got "
            f"{seed!r} of type {type(seed).__name__}"
        )
    if isinstance(seed, (int, np.integer)) and seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        weights.append(rng.normal(0.0, sigma_w / np.sqrt(fan_in), size=(fan_out, fan_in)))
        biases.append(rng.normal(0.0, sigma_b, size=fan_out) if sigma_b > 0 else np.zeros(fan_out))
    return Network(weights, biases, activation)
