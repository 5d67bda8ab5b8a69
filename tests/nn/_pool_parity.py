"""Run one pooling call on Ember and on PyTorch: values, gradients or the error agree."""

from __future__ import annotations

import warnings

import numpy as np

import ember

from ._compare import torch


def _run(lib, fn, x, dtype, g_seed):
    t = lib.tensor(x.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = fn(lib, t)
    outs = outs if isinstance(outs, tuple) else (outs,)
    rng = np.random.default_rng(g_seed)
    loss = 0
    for o in outs:
        if o.dtype in (lib.float32, lib.float64):
            g = rng.standard_normal(tuple(o.shape)).astype(dtype)
            loss = loss + (o * lib.tensor(g)).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss.backward()
    vals = [np.asarray(o.detach().numpy()) for o in outs]
    return vals, np.asarray(t.grad.numpy())


def check(fn, x, dtypes=("float32", "float64")):
    """``fn(lib, tensor)`` gives equal outputs (dtypes too) and input gradients on both."""
    for dtype in dtypes:
        tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
        e_vals, e_grad = _run(ember, fn, x, dtype, 1)
        t_vals, t_grad = _run(torch, fn, x, dtype, 1)
        assert len(e_vals) == len(t_vals)
        for e, t in zip(e_vals, t_vals):
            assert e.shape == t.shape and e.dtype == t.dtype
            np.testing.assert_allclose(e, t, equal_nan=True, **tol)
        np.testing.assert_allclose(e_grad, t_grad, equal_nan=True, **tol)


def same_error(fn, *arrays):
    """``fn(lib, *tensors)`` raises the same exception type and message on both libraries."""
    got = []
    for lib in (ember, torch):
        try:
            fn(lib, *[lib.tensor(a) for a in arrays])
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            got.append((type(e).__name__, str(e)))
        else:
            got.append(None)
    assert got[1] is not None, "PyTorch accepts this call"
    assert got[0] == got[1]
