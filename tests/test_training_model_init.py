"""DenseModel's constructor: the batch-norm lists accept None (the defaults) but are always
lists of float64 vectors as attributes (issue 16 item 7: typed attributes, no behaviour
change). Oracles: the definition of the defaults (ones, zeros, zeros, ones per hidden layer)
and the constructor's field names."""

import copy
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions.training import DenseModel, init_model

BN = ("gammas", "betas", "running_means", "running_vars")
FILL = {"gammas": 1.0, "betas": 0.0, "running_means": 0.0, "running_vars": 1.0}


@settings(max_examples=25, deadline=None)
@given(widths=st.lists(st.integers(1, 5), min_size=2, max_size=5), bn=st.booleans())
def test_bn_lists_are_lists_of_defaults(widths, bn):
    model = init_model(widths, "relu", seed=0, batchnorm=bn)
    explicit = DenseModel(model.weights, model.biases, "relu", bn,
                          None, None, None, None)
    for m in (model, explicit):
        for name in BN:
            value = getattr(m, name)
            assert isinstance(value, list)
            if not bn:
                assert value == []
                continue
            assert [v.shape for v in value] == [(k,) for k in widths[1:-1]]
            assert all(v.dtype == np.float64 and np.all(v == FILL[name]) for v in value)


def test_given_lists_are_checked_and_kept():
    model = init_model([2, 3, 2], "relu", seed=0, batchnorm=True)
    given_ = DenseModel(model.weights, model.biases, batchnorm=True,
                        gammas=[[2, 2, 2]], running_vars=([0.5, 1, 1],))
    assert isinstance(given_.gammas, list) and isinstance(given_.running_vars, list)
    assert given_.gammas[0].dtype == np.float64 and list(given_.gammas[0]) == [2.0] * 3
    assert list(given_.running_vars[0]) == [0.5, 1.0, 1.0]
    with pytest.raises(ValueError, match="running_vars must be non-negative"):
        DenseModel(model.weights, model.biases, batchnorm=True, running_vars=[[-1, 1, 1]])
    with pytest.raises(ValueError, match="gammas must be empty or None"):
        DenseModel(model.weights, model.biases, gammas=[[1, 1, 1]])


def test_fields_and_copies_unchanged():
    names = [f.name for f in dataclasses.fields(DenseModel)]
    assert names == ["weights", "biases", "activation", "batchnorm", *BN, "momentum_bn", "eps"]
    model = init_model([2, 4, 2], "hardtanh", seed=1, batchnorm=True)
    twin = dataclasses.replace(model)
    deep = copy.deepcopy(model)
    for m in (twin, deep):
        for name in ("weights", "biases", *BN):
            assert all(np.array_equal(a, b) for a, b in zip(getattr(m, name),
                                                             getattr(model, name)))
