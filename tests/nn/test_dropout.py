"""Dropout variants: mask shapes, scaling, alpha statistics, errors and warnings as PyTorch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

from ._compare import torch

TF = torch.nn.functional


def _outcome(fn, *args, **kw):
    """('ok', warning texts) or (exception type name, message) for one call."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            return type(e).__name__, str(e)
    return "ok", [str(w.message) for w in rec]


@pytest.mark.parametrize("name", ["dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"])
@pytest.mark.parametrize("ndim", [1, 2, 3, 4, 5, 6])
def test_channel_dropout_errors_and_warnings_match_pytorch(name, ndim):
    shape = (2, 3, 2, 2, 2, 2)[:ndim]
    e = _outcome(getattr(F, name), ember.ones(*shape), 0.5, True)
    t = _outcome(getattr(TF, name), torch.ones(*shape), 0.5, True)
    assert e == t


@pytest.mark.parametrize(
    "name, shape, lead",
    [
        ("dropout1d", (4, 6, 5), 2),
        ("dropout1d", (6, 5), 1),
        ("dropout2d", (4, 6, 3, 3), 2),
        ("dropout2d", (6, 3, 3), 2),  # PyTorch reads 3-D as (N, C, L)
        ("dropout3d", (4, 6, 2, 2, 2), 2),
        ("dropout3d", (6, 2, 2, 2), 1),
    ],
)
def test_channel_dropout_zeros_whole_channels(name, shape, lead):
    ember.manual_seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = getattr(F, name)(ember.ones(*shape), 0.5, True).numpy()
    per = y.reshape(int(np.prod(shape[:lead])), -1)
    assert np.all((per == 0).all(1) | (per == 2).all(1))
    assert 0 < (per == 0).all(1).sum() < per.shape[0]


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(0)
    x = ember.randn(200_000, dtype=ember.float64)
    y = F.alpha_dropout(x, 0.3, True)
    assert abs(y.mean().item()) < 0.02
    assert abs(y.std().item() - 1.0) < 0.02
    assert F.alpha_dropout(x, 0.3, False) is x
    z = F.feature_alpha_dropout(ember.ones(300, 40, 5), 0.4, True).numpy()
    assert np.all(z == z[..., :1])  # one draw per (sample, channel)
    assert np.allclose(
        z.std(),
        torch.nn.functional.feature_alpha_dropout(torch.ones(300, 40, 5), 0.4, True).std().item(),
        atol=0.05,
    )


@pytest.mark.parametrize("fn", ["dropout", "alpha_dropout", "feature_alpha_dropout", "dropout2d"])
def test_p_one_gives_zeros_and_zero_grad(fn):
    x = ember.ones(2, 3, 4, 4, requires_grad=True)
    y = getattr(F, fn)(x, 1.0, True)
    assert np.all(y.detach().numpy() == 0)
    y.sum().backward()
    assert np.all(x.grad.numpy() == 0)


def test_inplace_dropout_returns_its_input():
    ember.manual_seed(1)
    for fn in (F.dropout, F.alpha_dropout):
        x = ember.ones(50)
        y = fn(x, 0.5, True, inplace=True)
        assert y is x
        assert len(set(np.round(x.numpy(), 4))) == 2


@pytest.mark.parametrize(
    "cls", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
)
def test_dropout_modules_repr_and_eval(cls):
    e, t = getattr(nn, cls)(0.2), getattr(torch.nn, cls)(0.2)
    assert repr(e) == repr(t)
    assert repr(getattr(nn, cls)(0.2, True)) == repr(getattr(torch.nn, cls)(0.2, True))
    x = ember.ones(*{"Dropout1d": (2, 3, 4), "Dropout3d": (2, 3, 4, 4, 2)}.get(cls, (2, 3, 4, 4)))
    assert e.eval()(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        getattr(nn, cls)(-0.1)
