"""Training piecewise-linear classifiers in pure NumPy, to measure their regions exactly.

A small float64 toolkit for Raghu et al.'s (2017) trained-network experiments: a dense model
with ReLU or hard-tanh hidden layers and optional batch norm (:mod:`.model`), softmax
cross-entropy (:mod:`.losses`), SGD with momentum and Adam (:mod:`.optim`), data sets
(:mod:`.data`; scikit-learn's bundled digits need the optional extra ``data``), the
trajectory-length penalty (:mod:`.penalty`) and the training loop (:mod:`.train`).
:func:`to_network` exports the eval-mode model as a :class:`regions.Network`, so
:func:`regions.trace` measures its exact pieces and lengths.

Everything is vectorised over the batch; gradients are by hand-written backpropagation and
are checked against finite differences in the tests.

Conventions and where this differs from the shared contract (deviations kept minimal)
-----------------------------------------------------------------------------------
* **Layer indices.** ``trainable`` holds 0-based *weight-layer* indices l (``weights[l]`` =
  W^(l+1), as in :class:`regions.Network`; a hidden layer's gammas/betas go with it). The
  penalty's ``layer`` / ``penalty_layer`` is a 1-based *hidden-layer number* d = 1..L-1
  (Raghu et al.'s z^(d), the output of ``weights[d-1]``, i.e. ``hidden_outputs(...)[d-1]``);
  d = 0 (the input) is refused. ``None`` means the last hidden layer; ``penalty_layer``
  also takes several distinct layers or ``"all"`` (every hidden layer: Raghu et al.'s
  regulariser in place of each batch-norm layer), measured in one pass by
  **trajectory_lengths(model, arcs, layers="all", train=False) -> (values, grad_fn)**.
* **trajectory_length(model, arcs, layer=None, train=False) -> (value, grad_fn)**: ``arcs``
  is the array of arc points, shape (num_arcs, n, dim) or (n, dim) (from
  :func:`arc_points` / :func:`random_arcs`); ``value`` is the sum over the arcs of the
  polyline lengths at layer d; ``grad_fn(scale=1.0)`` returns the :class:`Grads` of
  ``scale * value``. With batch norm, ``train=True`` normalises the arc points with their
  own batch statistics (no running-average update), differentiably; :func:`train` uses that.
* **forward(model, x, train=False, *, update_stats=True)**: the extra keyword lets a train-mode
  pass leave the running averages alone. **backward(model, cache, dlogits, dhidden=None)**:
  ``dhidden = {d: dL/dz^(d)}`` injects gradients at hidden outputs; ``dlogits`` may be None.
  :class:`Grads` also has ``.inputs`` (dL/dx) and ``.add(other, scale)``.
* **DenseModel**: without batch norm, ``gammas``/``betas``/``running_*`` are empty lists;
  with it, omitted ones default to ones/zeros/zeros/ones. Running variances are updated with
  the unbiased batch variance, running = (1 - momentum_bn) running + momentum_bn batch.
* **train**: ``callback(epoch, model)`` is called with epoch 0 before the first step and
  after each epoch 1..epochs. ``penalty_arcs`` is None (8 arcs), an int (that many arcs of 32
  points between random training inputs, fixed for the call), a pair (num_arcs,
  points_per_arc), or arc points. The penalty is
  lambda * sum_d l_d / l_d(0) over the penalised layers, with l_d(0) measured when the call
  starts. :class:`History` has ``train_loss``, ``train_accuracy``, ``test_accuracy``,
  ``length_ratio`` (with a penalty; the mean over penalised layers), ``initial_length``,
  ``penalty_layers``, ``initial_lengths`` and ``layer_length_ratios``. ``progress`` is an
  object with ``step(n, note)`` or a callable.
* **dataset_from_arrays** has a keyword-only ``standardize=True``; it flattens x of shape
  (n, ...) and takes ``num_classes = max(y) + 1``. Also exported: :func:`random_arcs`.
* Adam's bias correction counts steps per parameter (a layer unfrozen later starts at t = 1).

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 4 (training one layer; trajectory
   regularisation).
.. [2] S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by
   Reducing Internal Covariate Shift", ICML 2015.
.. [3] D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.

Examples
--------
>>> import numpy as np
>>> from regions import Segment, trace
>>> from regions.training import Adam, init_model, load_digits, to_network, train
>>> data = load_digits(seed=0)
>>> model = init_model([64, 16, 16, 10], "relu", sigma_w=np.sqrt(2.0), seed=0)
>>> history = train(model, data, epochs=2, optimizer=Adam(lr=0.01), seed=0)
>>> history.test_accuracy[-1] > 0.8
True
>>> tr = trace(to_network(model), Segment(data.x_test[0], data.x_test[1]))
>>> tr.num_pieces >= 1
True
"""

from .data import Dataset, dataset_from_arrays, load_digits
from .losses import accuracy, softmax_cross_entropy
from .model import (
    Cache,
    DenseModel,
    Grads,
    backward,
    copy_model,
    forward,
    hidden_outputs,
    init_model,
    to_network,
)
from .optim import SGD, Adam
from .penalty import arc_points, random_arcs, trajectory_length, trajectory_lengths
from .train import History, train

__all__ = [
    "Adam",
    "Cache",
    "Dataset",
    "DenseModel",
    "Grads",
    "History",
    "SGD",
    "accuracy",
    "arc_points",
    "backward",
    "copy_model",
    "dataset_from_arrays",
    "forward",
    "hidden_outputs",
    "init_model",
    "load_digits",
    "random_arcs",
    "softmax_cross_entropy",
    "to_network",
    "train",
    "trajectory_length",
    "trajectory_lengths",
]
