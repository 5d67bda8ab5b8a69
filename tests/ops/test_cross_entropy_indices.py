"""cross_entropy's node for plain class indices gives the general node's values bit for bit
(forward, gradient, special values), PyTorch's within rounding, and steps aside for what
it does not handle."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")


def _run(lib, x, t, general=False, **kw):
    xt = lib.tensor(x, requires_grad=True)
    w = lib.ones(x.shape[1], dtype=xt.dtype) if general else None  # weight 1: the general node
    loss = lib.nn.functional.cross_entropy(xt, lib.tensor(t), weight=w, **kw)
    loss.backward(lib.ones_like(loss))
    return loss, xt.grad


def _logits(dtype, special=False):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((9, 5)) * 4).astype(dtype)
    if special:
        x[1, 2] = -np.inf
        x[2, :] = -np.inf
        x[3, 0] = np.inf
        x[4, 4] = np.nan
        x[5, 1] = 80.0  # exp(80 - max) fine, but large
    return x


TARGETS = np.array([0, 1, 4, 2, 3, 1, 0, 4, 2])


@pytest.mark.parametrize("special", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_bits_as_the_general_node(dtype, reduction, special):
    x = _logits(dtype, special)
    fast, gf = _run(ember, x, TARGETS, reduction=reduction)
    slow, gs = _run(ember, x, TARGETS, general=True, reduction=reduction)
    assert type(fast.grad_fn).__name__ == "NllLossBackward0"
    assert fast.dtype == slow.dtype and fast.shape == slow.shape
    assert fast.detach().numpy().tobytes() == slow.detach().numpy().tobytes()
    assert gf.numpy().tobytes() == gs.numpy().tobytes()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_pytorch(dtype, reduction):
    x = _logits(dtype)
    e, ge = _run(ember, x, TARGETS, reduction=reduction)
    t, gt = _run(torch, x, TARGETS, reduction=reduction)
    tol = 1e-6 if dtype == "float32" else 1e-14
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=tol, atol=tol)


def test_second_order_matches_pytorch():
    x = _logits("float64")
    out = []
    for lib in (ember, torch):
        xt = lib.tensor(x, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(xt, lib.tensor(TARGETS))
        (g,) = lib.autograd.grad(loss, xt, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), xt)
        out.append((g.detach().numpy(), gg.numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_ignored_and_out_of_range_targets_keep_the_general_behaviour():
    x = _logits("float32")
    t = TARGETS.copy()
    t[3] = -100
    e, ge = _run(ember, x, t)
    tt, gt = _run(torch, x, t)
    np.testing.assert_allclose(e.detach().numpy(), tt.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=1e-6, atol=1e-7)
    t[3] = 5
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(ember.tensor(x), ember.tensor(t))
    t[3] = 2  # a valid class that is also ignore_index: that row is ignored
    e, _ = _run(ember, x, t, ignore_index=2)
    tt, _ = _run(torch, x, t, ignore_index=2)
    np.testing.assert_allclose(e.detach().numpy(), tt.detach().numpy(), rtol=1e-6)


def test_vmap_takes_the_general_node():
    x = _logits("float64").reshape(3, 3, 5)
    t = TARGETS.reshape(3, 3)
    got = ember.func.vmap(F.cross_entropy)(ember.tensor(x), ember.tensor(t))
    want = torch.func.vmap(torch.nn.functional.cross_entropy)(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
