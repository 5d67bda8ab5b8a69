"""Run the same distribution code on Ember and on PyTorch and compare (float64)."""

from __future__ import annotations

import numpy as np
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

LIBS = {"ember": (ember, ED), "torch": (torch, TD)}


def leaves(lib, params, requires_grad=True):
    """Float64 leaf tensors of ``lib`` for a dict of numpy arrays (ints stay ints)."""
    out = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            floating = v.dtype.kind == "f"
            t = lib.tensor(v, dtype=lib.float64 if floating else None)
            out[k] = t.requires_grad_() if (requires_grad and floating) else t
        else:
            out[k] = v
    return out


def to_np(t):
    """A numpy copy of a tensor of either library (or a tuple/Size as is)."""
    if isinstance(t, (ember.Tensor, torch.Tensor)):
        return np.array(t.detach().numpy())
    return t


def run(make, params, fn, grads=True):
    """Evaluate ``fn(dist, lib)`` on both libraries; returns {lib: (value, grads) or exc}."""
    results = {}
    for name, (lib, D) in LIBS.items():
        p = leaves(lib, params, requires_grad=grads)
        try:
            out = fn(make(D, p, lib), lib)
            results[name] = (to_np(out), _grads(lib, p, out) if grads else {})
        except Exception as e:  # noqa: BLE001 - compared across libraries
            results[name] = e
    return results


def _grads(lib, p, out):
    """Gradients of a weighted sum of the finite entries of ``out`` w.r.t. the leaves."""
    if not isinstance(out, (ember.Tensor, torch.Tensor)) or not out.requires_grad:
        return {}
    w = lib.tensor(np.linspace(0.5, 1.5, max(out.numel(), 1)).reshape(out.shape)).to(out.dtype)
    finite = (out == out) & (out.abs() != float("inf"))
    total = (lib.where(finite, out, lib.zeros_like(out)) * w).sum()
    names = [k for k, v in p.items() if getattr(v, "requires_grad", False)]
    got = lib.autograd.grad(total, [p[k] for k in names], allow_unused=True)
    return {k: (None if x is None else to_np(x)) for k, x in zip(names, got)}


def assert_same(results, rtol=1e-9, atol=1e-10, what=""):
    """Values, dtypes and gradients equal across libraries (or the same exception type)."""
    e, t = results["ember"], results["torch"]
    if isinstance(t, Exception) or isinstance(e, Exception):
        assert type(e).__name__ == type(t).__name__, f"{what}: ember {e!r} vs torch {t!r}"
        return
    (ev, eg), (tv, tg) = e, t
    if isinstance(tv, np.ndarray):
        assert isinstance(ev, np.ndarray), what
        if tv.dtype == np.float32:  # float32 results may differ in the last bits
            rtol, atol = max(rtol, 2e-6), max(atol, 1e-6)
        assert ev.shape == tv.shape, f"{what}: shape {ev.shape} vs {tv.shape}"
        assert ev.dtype == tv.dtype, f"{what}: dtype {ev.dtype} vs {tv.dtype}"
        np.testing.assert_allclose(ev, tv, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        assert ev == tv, f"{what}: {ev!r} vs {tv!r}"
    for k, tgrad in tg.items():
        egrad = eg.get(k)
        if tgrad is None:
            assert egrad is None or not np.any(egrad), f"{what}: grad {k} should be None/zero"
            continue
        assert egrad is not None, f"{what}: ember gave no gradient for {k}"
        np.testing.assert_allclose(
            egrad, tgrad, rtol=rtol * 10, atol=atol * 10, equal_nan=True, err_msg=f"{what} d/d{k}"
        )
