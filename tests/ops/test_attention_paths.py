"""The array paths a GPT step runs on: batched-by-matrix products, softmax's array backward
over masked scores, causal scaled-dot-product attention; values and gradients vs PyTorch."""

import math

import numpy as np
import pytest
import torch

import ember


def _pair(a):
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _close(e, t, tol=1e-5):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("rows", [5, 700])  # small operands and ones folded into one GEMM
def test_batch_times_matrix_matches_torch(contiguous, rows):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, rows, 4)).astype(np.float32)
    b = rng.standard_normal((4, 6)).astype(np.float32)
    (ea, ta), (eb, tb) = _pair(a), _pair(b)
    xa, ya = (ea, ta) if contiguous else (ea.transpose(0, 1), ta.transpose(0, 1))
    eo, to = xa @ eb, ya @ tb
    _close(eo, to)
    assert eo.shape == to.shape
    assert eo.grad_fn.name() == to.grad_fn.name()
    g = rng.standard_normal(tuple(to.shape)).astype(np.float32)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    _close(ea.grad, ta.grad)
    _close(eb.grad, tb.grad, 1e-5 * math.sqrt(3 * rows))  # a sum over 3 * rows products


def test_masked_softmax_backward_matches_torch():
    rng = np.random.default_rng(2)
    s = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    keep = np.tril(np.ones((5, 5), bool))
    g = rng.standard_normal(s.shape).astype(np.float32)
    (es, ts) = _pair(s)
    eo = es.masked_fill(ember.tensor(~keep), float("-inf")).softmax(-1)
    to = ts.masked_fill(torch.tensor(~keep), float("-inf")).softmax(-1)
    _close(eo, to, 1e-6)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    _close(es.grad, ts.grad, 1e-6)


def test_softmax_double_backward_still_recorded():
    x = np.random.default_rng(3).standard_normal((3, 4))
    (ex, tx) = _pair(x)
    outs = []
    for lib, t in ((ember, ex), (torch, tx)):
        y = (t.softmax(-1) ** 2).sum()
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        (g2,) = lib.autograd.grad(g.sum(), t)
        outs.append(g2)
    _close(*outs, 1e-10)


@pytest.mark.parametrize("n_q,n_k", [(4, 4), (5, 3), (3, 6)])
def test_causal_sdpa_matches_torch(n_q, n_k):
    rng = np.random.default_rng(4)
    q, k, v = (rng.standard_normal((2, 2, n, 3)).astype(np.float32) for n in (n_q, n_k, n_k))
    (eq, tq), (ek, tk), (ev, tv) = _pair(q), _pair(k), _pair(v)
    eo = ember.nn.functional.scaled_dot_product_attention(eq, ek, ev, is_causal=True)
    to = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, is_causal=True)
    _close(eo, to)
    eo.sum().backward()
    to.sum().backward()
    for e, t in ((eq, tq), (ek, tk), (ev, tv)):
        _close(e.grad, t.grad)
    assert not math.isnan(float(eo.detach().sum()))


@pytest.mark.parametrize("dropout_p", [0.0, 0.5])
@pytest.mark.parametrize("backends", ["MATH", "FLASH_ATTENTION", "EFFICIENT_ATTENTION"])
def test_sdpa_kernel_switches_choose_as_pytorch(backends, dropout_p):
    import warnings

    def outcome(lib):
        from importlib import import_module

        attention = import_module(f"{lib.__name__}.nn.attention")
        q = lib.ones(1, 2, 4, 8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                with attention.sdpa_kernel([getattr(attention.SDPBackend, backends)]):
                    out = lib.nn.functional.scaled_dot_product_attention(
                        q, q, q, dropout_p=dropout_p
                    )
            except RuntimeError as e:
                return str(e)
        return tuple(out.shape)

    assert outcome(ember) == outcome(torch)
