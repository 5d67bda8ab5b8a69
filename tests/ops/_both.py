"""Run one expression in Ember and in PyTorch; assert the same values or the same error."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _arrays(out):
    if isinstance(out, (tuple, list)):
        return [a for o in out for a in _arrays(o)]
    if hasattr(out, "detach"):
        return [np.asarray(out.detach().numpy())]
    return [np.asarray(out)]


def both(fn, rtol=1e-6, atol=1e-6, message=True):
    """``fn(lib)`` in both libraries: equal values, shapes and dtypes, or the same exception
    type (and the same first line of its message when ``message``).  Returns Ember's result."""
    results = []
    for lib in (ember, torch):
        try:
            results.append((fn(lib), None))
        except Exception as e:  # noqa: BLE001 - the exception is what we compare
            results.append((None, e))
    (ev, ee), (tv, te) = results
    if te is not None or ee is not None:
        # PyTorch's LinAlgError is torch._C._LinAlgError; Ember's ember.linalg.LinAlgError.
        names = [type(e).__name__.lstrip("_") for e in (ee, te)]
        assert names[0] == names[1], f"Ember raised {ee!r}, PyTorch {te!r}"
        if message:
            assert str(ee).split("\n")[0].startswith(str(te).split("\n")[0]), (str(ee), str(te))
        return ee
    ea, ta = _arrays(ev), _arrays(tv)
    assert len(ea) == len(ta)
    for e, t in zip(ea, ta):
        assert e.shape == t.shape, (e.shape, t.shape)
        assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
        if e.dtype.kind in "fc":
            np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_array_equal(e, t)
    return ev


def grads(fn, *arrays, rtol=1e-6, atol=1e-8):
    """The gradients of ``fn(lib, *tensors).sum()`` (float64) agree between the libraries."""
    out = []
    for lib in (ember, torch):
        xs = [lib.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
        y = fn(lib, *xs)
        y = y if not isinstance(y, (tuple, list)) else y[0]
        (y * lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape).cos()).sum().backward()
        out.append([x.grad.numpy() if x.grad is not None else None for x in xs])
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, equal_nan=True)
