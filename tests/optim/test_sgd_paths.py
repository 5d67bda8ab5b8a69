"""SGD's one-pass step: over several steps, with every option, a 0-d parameter (stepped on
NumPy scalars) moves bit for bit as a one-element array does, and both follow PyTorch's
trajectory (to the last bits: PyTorch fuses ``p + alpha * g`` into one rounding); the step
bumps the version counters."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

OPTIONS = [
    dict(lr=0.1),
    dict(lr=1.0),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05),
    dict(lr=0.1, maximize=True, momentum=0.5),
    dict(lr=0.1, maximize=True, weight_decay=0.2),
]
SHAPES = [(), (3,), (2, 3)]


def _trajectory(lib, shape, dtype, kw, steps=6):
    rng = np.random.default_rng(7)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]
    p = lib.nn.Parameter(lib.tensor(p0))
    opt = lib.optim.SGD([p], **kw)
    out = []
    for i, g in enumerate(grads):
        opt.zero_grad()
        if i != 2:  # one step without a gradient: skipped, momentum included
            p.grad = lib.tensor(g)
        opt.step()
        out.append(p.detach().numpy().copy())
        buf = opt.state[p].get("momentum_buffer") if p in opt.state else None
        out.append(np.zeros(shape, dtype) if buf is None else buf.numpy().copy())
    return out


TOL = {"float32": dict(rtol=2e-6, atol=1e-7), "float64": dict(rtol=1e-13, atol=1e-15)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("kw", OPTIONS, ids=[str(sorted(k.items())) for k in OPTIONS])
def test_sgd_follows_pytorch(kw, shape, dtype):
    got = _trajectory(ember, shape, dtype, kw)
    want = _trajectory(torch, shape, dtype, kw)
    assert not np.array_equal(got[0], got[-2])  # it moved
    for e, t in zip(got, want):
        assert e.dtype == t.dtype and e.shape == t.shape
        np.testing.assert_allclose(e, t, **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", OPTIONS, ids=[str(sorted(k.items())) for k in OPTIONS])
def test_sgd_scalar_parameter_steps_as_an_array_does(kw, dtype):
    scalar = _trajectory(ember, (), dtype, kw)
    # the same draws as one-element arrays, stepped by the array arithmetic
    rng = np.random.default_rng(7)
    p0 = rng.standard_normal(()).astype(dtype)
    grads = [rng.standard_normal(()).astype(dtype) for _ in range(6)]
    p = ember.nn.Parameter(ember.tensor(p0.reshape(1)))
    opt = ember.optim.SGD([p], **kw)
    for i, g in enumerate(grads):
        opt.zero_grad()
        if i != 2:
            p.grad = ember.tensor(g.reshape(1))
        opt.step()
        assert scalar[2 * i].shape == ()
        assert p.detach().numpy().reshape(()).tobytes() == scalar[2 * i].tobytes()
        buf = opt.state[p]["momentum_buffer"].numpy() if p in opt.state else np.zeros(1, dtype)
        assert buf.reshape(()).tobytes() == scalar[2 * i + 1].tobytes()


def test_sgd_tensor_lr_on_a_scalar_parameter():
    out = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor(np.float32(1.25)))
        opt = lib.optim.SGD([p], lr=lib.tensor(0.1, dtype=lib.float64), momentum=0.9)
        for k in range(4):
            p.grad = lib.tensor(np.float32(0.3 + k))
            opt.step()
        out.append(p.detach().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=2e-6)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sgd_step_bumps_versions_of_parameter_and_buffer(shape):
    p = ember.nn.Parameter(ember.ones(shape))
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ember.ones(shape)
    v0 = p._version
    opt.step()
    assert p._version == v0 + 1
    buf = opt.state[p]["momentum_buffer"]
    b0 = buf._version
    opt.step()
    assert p._version == v0 + 2 and buf._version == b0 + 1


def test_sgd_step_is_seen_by_saved_tensor_checks():
    # a step between forward and backward invalidates what the graph saved, as in PyTorch
    p = ember.nn.Parameter(ember.tensor(2.0))
    y = p * p
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.tensor(1.0)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_zero_grad_clears_every_group():
    a, b = ember.nn.Parameter(ember.ones(2)), ember.nn.Parameter(ember.ones(()))
    opt = ember.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = ember.ones(2), ember.ones(())
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    a.grad = ember.ones(2)
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0] and b.grad is None


def test_sgd_complex_scalar_parameter_follows_pytorch():
    out = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor(np.complex64(1.5 - 0.5j)))
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
        for k in range(4):
            p.grad = lib.tensor(np.complex64(0.3 + k - 0.2j * k))
            opt.step()
        out.append(p.detach().numpy())
    assert out[0].dtype == out[1].dtype
    np.testing.assert_allclose(out[0], out[1], rtol=2e-6)
