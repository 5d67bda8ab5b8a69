"""Helpers that run one call on Ember and on PyTorch and compare what happens."""

from __future__ import annotations

import warnings

import numpy as np

import ember

from ._compare import torch


def outcome(fn):
    """``('ok', shape, rounded values)`` or ``(exception type name, message)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            return type(e).__name__, str(e)
    return "ok", tuple(r.shape), np.round(np.asarray(r.tolist(), dtype=float), 8).ravel().tolist()


def same_outcome(call, x):
    """``call(lib, F, tensor)`` gives the same result or the same error on both libraries."""
    e = outcome(lambda: call(ember, ember.nn.functional, ember.tensor(x)))
    t = outcome(lambda: call(torch, torch.nn.functional, torch.tensor(x)))
    assert e == t


def grads_match(call, x, dtype=np.float64, seed=0):
    """Values and input gradients of ``call(lib, F, tensor)`` agree (float64 or float32)."""
    x = np.asarray(x, dtype=dtype)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = call(ember, ember.nn.functional, xe), call(torch, torch.nn.functional, xt)
    assert tuple(ye.shape) == tuple(yt.shape)
    assert ye.dtype.name == str(yt.dtype).split(".")[1]
    tol = dict(atol=1e-10, rtol=1e-9) if dtype == np.float64 else dict(atol=2e-5, rtol=1e-5)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), **tol)
    g = np.random.default_rng(seed).standard_normal(tuple(yt.shape)).astype(dtype)
    (ye * ember.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), **tol)
