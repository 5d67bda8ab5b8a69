"""Run an OpSpec in Ember and in PyTorch on the same NumPy inputs and compare."""

from __future__ import annotations

import numpy as np

import ember


def make_inputs(spec, shapes, np_dtype, rng):
    """Random NumPy inputs for ``shapes`` in the spec's domain."""
    arrays = []
    for shape in shapes:
        if callable(spec.domain):
            a = spec.domain(rng.standard_normal(shape))
        else:
            lo, hi = spec.domain
            a = rng.uniform(lo, hi, size=shape)
        arrays.append(np.asarray(a, dtype=np_dtype))
    return arrays


def grad_flags(spec, n):
    return tuple(spec.grad) if spec.grad is not None else (True,) * n


def as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def float_outputs(outs, lib):
    return [o for o in outs if o.dtype in (lib.float16, lib.float32, lib.float64)]


def run(lib, spec, arrays, flags, upstream, extra=()):
    """Forward, then backward with ``upstream`` gradients; returns outputs and input grads."""
    if lib is ember:
        ins = [ember.Tensor._make(a.copy()) for a in arrays]
        ex = [ember.Tensor._make(np.array(e)) for e in extra]
    else:
        import torch

        ins = [torch.from_numpy(a.copy()) for a in arrays]
        ex = [torch.from_numpy(np.array(e)) for e in extra]
    for t, f in zip(ins, flags):
        if f:
            t.requires_grad_(True)
    outs = as_tuple(spec.fn(lib, *ins, *ex))
    grads = [None] * len(ins)
    diff = [o for o in float_outputs(outs, lib) if o.requires_grad]
    if diff and any(flags):
        if upstream is None:
            upstream = [np.random.default_rng(1).standard_normal(tuple(o.shape)) for o in diff]
        gos = [
            lib.tensor(u, dtype=o.dtype) if lib is not ember else ember.tensor(u, dtype=o.dtype)
            for u, o in zip(upstream, diff)
        ]
        wrt = [t for t, f in zip(ins, flags) if f]
        gs = lib.autograd.grad(diff, wrt, gos, allow_unused=True)
        it = iter(gs)
        grads = [next(it) if f else None for f in flags]
    return outs, grads


def to_np(t):
    if t is None:
        return None
    if hasattr(t, "detach") and not isinstance(t, np.ndarray):
        t = t.detach()
        return t.numpy() if not hasattr(t, "_data") else t._data
    return np.asarray(t)


def assert_close(e, t, atol, rtol, what):
    e_np, t_np = to_np(e), to_np(t)
    assert e_np.shape == t_np.shape, f"{what}: shape {e_np.shape} != torch {t_np.shape}"
    assert str(e_np.dtype) == str(t_np.dtype), f"{what}: dtype {e_np.dtype} != torch {t_np.dtype}"
    if e_np.dtype.kind in "fc":
        np.testing.assert_allclose(e_np, t_np, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(e_np, t_np, err_msg=what)


def compare(spec, shapes, dtype_name, seed=0):
    """Run ``spec`` on ``shapes`` in both libraries and assert values and gradients agree."""
    import torch

    rng = np.random.default_rng(seed)
    np_dtype = np.dtype(dtype_name)
    arrays = make_inputs(spec, shapes, np_dtype, rng)
    extra = spec.extra(rng, shapes) if spec.extra else ()
    flags = grad_flags(spec, len(arrays))
    if dtype_name == "float64":
        atol, rtol = 1e-10, 1e-9
    else:
        atol, rtol = spec.atol, spec.rtol
    try:
        run(torch, spec, arrays, (False,) * len(arrays), None, extra)
    except Exception as torch_error:  # PyTorch refuses: Ember must refuse the same way
        import pytest

        with pytest.raises(type(torch_error)):
            run(ember, spec, arrays, (False,) * len(arrays), None, extra)
        return
    e_outs, _ = run(ember, spec, arrays, (False,) * len(arrays), None, extra)
    diff = [o for o in float_outputs(e_outs, ember)]
    upstream = [rng.standard_normal(tuple(o.shape)) for o in diff]
    e_outs, e_grads = run(ember, spec, arrays, flags, upstream, extra)
    t_outs, t_grads = run(torch, spec, arrays, flags, upstream, extra)
    assert len(e_outs) == len(t_outs)
    for k, (eo, to) in enumerate(zip(e_outs, t_outs)):
        assert_close(eo, to, atol, rtol, f"{spec.name} output {k} {shapes} {dtype_name}")
        assert eo.requires_grad == to.requires_grad, f"{spec.name} output {k} requires_grad"
    for k, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            continue
        assert eg is not None, f"{spec.name}: no gradient for input {k}, torch has one"
        assert_close(eg, tg, atol * 10, rtol * 10, f"{spec.name} grad {k} {shapes} {dtype_name}")
