"""utils.checkpoint: same gradients, fewer saved bytes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.autograd.graph import saved_bytes
from ember.utils.checkpoint import checkpoint

RNG = np.random.default_rng(3)
XA = RNG.standard_normal((4, 8))
W1 = RNG.standard_normal((8, 8))
W2 = RNG.standard_normal((8, 8))


def _setup():
    x = ember.tensor(XA, requires_grad=True)
    w1 = ember.tensor(W1, requires_grad=True)
    w2 = ember.tensor(W2, requires_grad=True)
    return x, w1, w2


def block(x, w1, w2):
    h = (x @ w1).tanh()
    h = (h @ w2).sigmoid() * h.exp()
    return h.tanh()


@pytest.mark.parametrize("reentrant", [False, True])
def test_same_gradients_and_fewer_saved_bytes(reentrant):
    x, w1, w2 = _setup()
    plain = block(x, w1, w2).sum()
    plain_bytes = saved_bytes(plain, include_leaves=False)
    assert plain_bytes >= 4 * XA.nbytes  # tanh, sigmoid, exp outputs and more
    plain.backward()
    ref = [t.grad.numpy().copy() for t in (x, w1, w2)]

    x, w1, w2 = _setup()
    out = checkpoint(block, x, w1, w2, use_reentrant=reentrant)
    loss = out.sum()
    assert saved_bytes(loss, include_leaves=False) == 0
    assert saved_bytes(loss) == XA.nbytes + W1.nbytes + W2.nbytes  # only the inputs
    loss.backward()
    for t, r in zip((x, w1, w2), ref):
        np.testing.assert_allclose(t.grad.numpy(), r, rtol=1e-12)


def test_non_reentrant_closure_parameters_and_autograd_grad():
    x, w1, w2 = _setup()
    data = ember.tensor(XA)  # the input itself needs no grad: only the weights do
    out = checkpoint(lambda d: block(d, w1, w2), data, use_reentrant=False)
    assert out.requires_grad
    g1, g2 = ember.autograd.grad(out.sum(), (w1, w2))
    x2, v1, v2 = _setup()
    r1, r2 = ember.autograd.grad(block(ember.tensor(XA), v1, v2).sum(), (v1, v2))
    np.testing.assert_allclose(g1.numpy(), r1.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g2.numpy(), r2.numpy(), rtol=1e-12)


def test_reentrant_without_grad_inputs_warns_and_default_warns():
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(lambda d: d * 2, ember.ones(2), use_reentrant=True)
    assert not out.requires_grad
    with pytest.warns(UserWarning, match="the use_reentrant parameter should be passed explicitly"):
        checkpoint(lambda d: d * 2, ember.ones(2, requires_grad=True))


def test_recompute_replays_random_numbers():
    x = ember.ones(16, dtype=ember.float64, requires_grad=True)

    def noisy(t):
        return t * ember.rand(16, dtype=ember.float64)

    ember.manual_seed(0)
    out = checkpoint(noisy, x, use_reentrant=False)
    mask = out.detach().numpy().copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.rand(5)  # move the generator on before backward
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), mask)
