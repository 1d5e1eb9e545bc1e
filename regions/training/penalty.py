"""The trajectory-length penalty of Raghu et al. (2017), differentiable by backpropagation.

An arc between two inputs p and q is x(t) = cos(t) p + sin(t) q, t in [0, pi/2] (the circular
interpolation of Raghu et al.; :class:`regions.Arc` ``.between(p, q)`` is the same curve). It
is sampled at n equally spaced parameters, and its length at hidden layer d is the length of
the polyline through the images,

    l_d = sum_i || z^(d)(x(t_{i+1})) - z^(d)(x(t_i)) ||,

a lower bound on the exact length that :func:`regions.trace` computes on
``to_network(model)``. Its gradient is the backward pass of the model with
d l / d z^(d)(x(t_i)) = u_{i-1} - u_i injected at layer d, where u_i is the unit chord
(a zero chord contributes 0, a subgradient).

Batch norm: with ``train=True`` all arc points are one batch, normalised with *their own*
batch statistics (the running averages are not updated) and differentiated through them; with
``train=False`` they go through the eval-mode (running-average) affine map. :func:`train`
uses ``train=True``, consistent with the training loss.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Sections 2.1 (trajectories, the arc
   interpolation) and 4 (trajectory regularisation).
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import numpy as np

from .model import DenseModel, Grads, _check_model, _float_array, backward, forward

__all__ = ["arc_points", "check_layers", "random_arcs", "trajectory_length", "trajectory_lengths"]


def _check_n(n: Any, name: str = "n") -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {n!r}")
    if n < 2:
        raise ValueError(f"{name} must be at least 2 (the arc's two ends), got {n}")
    return int(n)


def arc_points(p: Any, q: Any, n: int) -> np.ndarray:
    """``n`` points cos(t) p + sin(t) q at t = 0, pi/(2(n-1)), ..., pi/2.

    Parameters
    ----------
    p, q : array_like, shape (dim,) or (num_arcs, dim)
        The ends (one arc, or one arc per row).
    n : int
        Points per arc, >= 2. The first point is exactly p and the last exactly q.

    Returns
    -------
    ndarray, shape (n, dim) or (num_arcs, n, dim)

    Examples
    --------
    >>> pts = arc_points([1.0, 0.0], [0.0, 1.0], 3)
    >>> np.round(pts, 4).tolist()
    [[1.0, 0.0], [0.7071, 0.7071], [0.0, 1.0]]
    """
    n = _check_n(n)
    pa = np.asarray(p)
    ndim = pa.ndim if pa.ndim in (1, 2) else 2
    pa = _float_array(p, "p", ndim)
    qa = _float_array(q, "q", ndim)
    if pa.shape != qa.shape:
        raise ValueError(f"p and q must have the same shape, got {pa.shape} and {qa.shape}")
    t = np.linspace(0.0, np.pi / 2, n)
    c, s = np.cos(t), np.sin(t)
    c[0], s[0], c[-1], s[-1] = 1.0, 0.0, 0.0, 1.0
    if ndim == 1:
        return c[:, None] * pa + s[:, None] * qa
    return c[None, :, None] * pa[:, None, :] + s[None, :, None] * qa[:, None, :]


def random_arcs(x: Any, num_arcs: int, n: int,
                seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """Arcs between random pairs of distinct rows of ``x`` (e.g. training inputs).

    Returns
    -------
    ndarray, shape (num_arcs, n, dim)

    Examples
    --------
    >>> arcs = random_arcs(np.eye(5), num_arcs=4, n=10, seed=0)
    >>> arcs.shape
    (4, 10, 5)
    """
    xa = _float_array(x, "x", 2)
    if xa.shape[0] < 2:
        raise ValueError(f"x must hold at least 2 points to draw arcs between, got {xa.shape[0]}")
    if isinstance(num_arcs, (bool, np.bool_)) or not isinstance(num_arcs, (int, np.integer)):
        raise TypeError(f"num_arcs must be an integer, got {num_arcs!r}")
    if num_arcs < 1:
        raise ValueError(f"num_arcs must be at least 1, got {num_arcs}")
    n = _check_n(n)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, xa.shape[0], size=num_arcs)
    j = (i + rng.integers(1, xa.shape[0], size=num_arcs)) % xa.shape[0]  # j != i
    return arc_points(xa[i], xa[j], n)


def _check_layer(model: DenseModel, layer: Any) -> int:
    last = model.num_layers - 1
    if last < 1:
        raise ValueError("model has no hidden layer to measure a trajectory length at")
    if layer is None:
        return last
    if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)):
        raise TypeError(f"layer must be an integer (hidden layer d = 1..{last}), got {layer!r}")
    if not 1 <= layer <= last:
        raise ValueError(
            f"layer must be a hidden layer d = 1..{last} (z^(d), the output of weights[d-1]), "
            f"got {layer}"
        )
    return int(layer)


def check_layers(model: DenseModel,
                 layers: int | Sequence[int] | str | None) -> tuple[int, ...]:
    """The hidden layers a penalty measures: None (the last hidden layer), one layer
    d = 1..L-1, a sequence of distinct such layers, or ``"all"`` (every hidden layer, where
    Raghu et al. put their regulariser in place of each batch-norm layer).

    Examples
    --------
    >>> from regions.training import init_model
    >>> model = init_model([2, 4, 4, 4, 2], seed=0)
    >>> check_layers(model, None), check_layers(model, 2), check_layers(model, "all")
    ((3,), (2,), (1, 2, 3))
    """
    _check_model(model)
    if isinstance(layers, str):
        if layers != "all":
            raise ValueError(f'layers must be None, a hidden layer, a sequence of them or "all"; '
                             f"got {layers!r}")
        if model.num_layers < 2:
            raise ValueError("model has no hidden layer to measure a trajectory length at")
        return tuple(range(1, model.num_layers))
    if layers is None or isinstance(layers, (int, np.integer, bool, np.bool_)):
        return (_check_layer(model, layers),)
    try:
        items = list(layers)
    except TypeError:
        raise TypeError(f'layers must be None, an integer, a sequence of integers or "all"; '
                        f"got {layers!r}") from None
    if not items:
        raise ValueError("layers must name at least one hidden layer; got an empty sequence")
    out = tuple(_check_layer(model, d) for d in items)
    if len(set(out)) != len(out):
        raise ValueError(f"layers must be distinct; got {list(out)}")
    return out


def trajectory_lengths(
    model: DenseModel,
    arcs: Any,
    layers: int | Sequence[int] | str | None = "all",
    train: bool = False,
) -> tuple[np.ndarray, Callable[..., Grads]]:
    """Sampled lengths of the images of arcs at several hidden layers, and the gradient of
    any weighted sum of them, from one forward and one backward pass.

    Parameters
    ----------
    model : DenseModel
    arcs : array_like, shape (n, dim) or (num_arcs, n, dim)
        Points along each arc, in order (from :func:`arc_points` or :func:`random_arcs`).
    layers : None, int, sequence of int or "all"
        Hidden layers d (1-based, z^(d)); see :func:`check_layers`. Default: every hidden
        layer.
    train : bool
        Batch-norm mode of the forward pass (see the module docstring).

    Returns
    -------
    values : ndarray, shape (len(layers),)
        The sum over arcs of the polyline lengths at each layer, in the order of ``layers``.
    grad_fn : callable
        ``grad_fn(scales) -> Grads``: the gradient of ``sum_j scales[j] * values[j]`` with
        respect to the model's parameters (``scales`` one real number per layer, or one
        number for all); call it before the model changes.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 4 (trajectory
       regularisation in place of batch normalisation).

    Examples
    --------
    >>> from regions.training import init_model
    >>> model = init_model([2, 8, 8, 2], "relu", sigma_w=1.5, seed=0)
    >>> arcs = arc_points([[1.0, 0.0]], [[0.0, 1.0]], 50)
    >>> values, grad_fn = trajectory_lengths(model, arcs, "all")
    >>> bool(values[0] == trajectory_length(model, arcs, 1)[0])
    True
    >>> float(np.abs(grad_fn([1.0, 0.0]).weights[1]).max())   # layer 2 weighted 0
    0.0
    """
    _check_model(model)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be a bool, got {train!r}")
    a = np.asarray(arcs)
    pts = _float_array(arcs, "arcs", a.ndim if a.ndim in (2, 3) else 3)
    if pts.ndim == 2:
        pts = pts[None]
    num_arcs, n, dim = pts.shape
    if n < 2:
        raise ValueError(f"arcs must hold at least 2 points per arc, got {n}")
    if dim != model.widths[0]:
        raise ValueError(
            f"arcs must have {model.widths[0]} coordinates per point (the model's input "
            f"width), got {dim}"
        )
    ds = check_layers(model, layers)
    _, cache = forward(model, pts.reshape(num_arcs * n, dim), bool(train), update_stats=False)
    values = np.empty(len(ds))
    dzs = []
    for j, d in enumerate(ds):  # one vectorised pass per penalised layer (a handful)
        z = cache.inputs[d].reshape(num_arcs, n, -1)
        chords = np.diff(z, axis=1)
        norms = np.sqrt(np.einsum("aik,aik->ai", chords, chords))
        values[j] = float(norms.sum())
        unit = np.divide(chords, norms[..., None], out=np.zeros_like(chords),
                         where=norms[..., None] > 0)
        dz = np.zeros_like(z)
        dz[:, 1:] += unit
        dz[:, :-1] -= unit
        dzs.append(dz.reshape(num_arcs * n, -1))

    def grad_fn(scales: Any = 1.0) -> Grads:
        if isinstance(scales, numbers.Real) and not isinstance(scales, (bool, np.bool_)):
            sc = [float(scales)] * len(ds)
        else:
            try:
                sc = [s for s in scales]
            except TypeError:
                raise TypeError(f"scales must be a real number or one per layer, got "
                                f"{scales!r}") from None
            if len(sc) != len(ds) or any(
                    isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Real)
                    for s in sc):
                raise TypeError(f"scales must be {len(ds)} real number(s) (one per layer), "
                                f"got {scales!r}")
        return backward(model, cache, None,
                        {d: float(s) * dz for d, s, dz in zip(ds, sc, dzs)})

    return values, grad_fn


def trajectory_length(
    model: DenseModel,
    arcs: Any,
    layer: int | None = None,
    train: bool = False,
) -> tuple[float, Callable[..., Grads]]:
    """Sampled length of the images of arcs at hidden layer ``layer``, and its gradient.

    Parameters
    ----------
    model : DenseModel
    arcs : array_like, shape (n, dim) or (num_arcs, n, dim)
        Points along each arc, in order (from :func:`arc_points` or :func:`random_arcs`).
    layer : int or None
        Hidden layer d = 1..L-1 (1-based, Raghu et al.'s z^(d) = ``hidden_outputs(...)[d-1]``);
        None: the last hidden layer.
    train : bool
        Batch-norm mode of the forward pass (see the module docstring). The running averages
        are never updated.

    Returns
    -------
    value : float
        The sum over arcs of the polyline lengths at layer d.
    grad_fn : callable
        ``grad_fn(scale=1.0) -> Grads``: the gradient of ``scale * value`` with respect to
        the model's parameters (zero above layer d); call it before the model changes.

    References
    ----------
    .. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the
       Expressive Power of Deep Neural Networks", ICML 2017, Section 4.

    Examples
    --------
    >>> from regions.training import init_model
    >>> model = init_model([2, 8, 8, 2], "relu", sigma_w=1.5, seed=0)
    >>> arcs = arc_points([[1.0, 0.0]], [[0.0, 1.0]], 50)
    >>> value, grad_fn = trajectory_length(model, arcs, layer=1)
    >>> g = grad_fn()
    >>> value > 0, float(np.abs(g.weights[2]).max())   # nothing above layer 1
    (True, 0.0)
    """
    _check_model(model)
    d = _check_layer(model, layer)
    values, grads = trajectory_lengths(model, arcs, d, train)

    def grad_fn(scale: float = 1.0) -> Grads:
        if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Real):
            raise TypeError(f"scale must be a real number, got {scale!r}")
        return grads(float(scale))

    return float(values[0]), grad_fn
