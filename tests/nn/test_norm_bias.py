"""Normalisation layers' keyword-only ``bias`` switch, checked against PyTorch."""

import numpy as np
import pytest
import torch

import ember

from ._compare import check_module

CASES = [
    ("BatchNorm1d", (3,), {}, (4, 3, 5)),
    ("BatchNorm2d", (3,), {"affine": False}, (2, 3, 4, 4)),
    ("InstanceNorm1d", (3,), {"affine": True}, (2, 3, 5)),
    ("InstanceNorm2d", (3,), {}, (2, 3, 4, 4)),
    ("GroupNorm", (1, 3), {}, (2, 3, 5)),
    ("GroupNorm", (3, 3), {"affine": False}, (2, 3, 5)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_bias_switch_matches_torch(name, args, kwargs, shape, bias):
    em = getattr(ember.nn, name)(*args, **kwargs, bias=bias)
    tm = getattr(torch.nn, name)(*args, **kwargs, bias=bias)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    x = np.random.default_rng(0).standard_normal(shape)
    check_module(em, tm, x)


@pytest.mark.parametrize("name", ["BatchNorm1d", "InstanceNorm1d", "GroupNorm", "LayerNorm"])
def test_reset_parameters_restores_ones_and_zeros(name):
    args = (1, 3) if name == "GroupNorm" else (3,)
    extra = {"affine": True} if name == "InstanceNorm1d" else {}
    em = getattr(ember.nn, name)(*args, **extra)
    with ember.no_grad():
        for p in em.parameters():
            p.fill_(5.0)
    em.reset_parameters()
    tm = getattr(torch.nn, name)(*args, **extra)
    assert [p.tolist() for p in em.parameters()] == [p.tolist() for p in tm.parameters()]


@pytest.mark.parametrize("name", ["LazyBatchNorm1d", "LazyInstanceNorm1d"])
def test_lazy_norm_without_bias(name):
    em, tm = getattr(ember.nn, name)(bias=False), getattr(torch.nn, name)(bias=False)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    em(ember.zeros(2, 3, 4))
    tm(torch.zeros(2, 3, 4))
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert type(em).__name__ == type(tm).__name__
