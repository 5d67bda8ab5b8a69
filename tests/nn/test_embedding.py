"""Embedding against PyTorch: padding_idx, scale_grad_by_freq, max_norm, double backward."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._compare import check_module, to_np, torch

R = np.random.default_rng(0)


@pytest.mark.parametrize("padding_idx", [None, 1, -1])
@pytest.mark.parametrize("scale", [False, True])
def test_embedding_grads_match_pytorch(padding_idx, scale):
    kw = {"padding_idx": padding_idx, "scale_grad_by_freq": scale}
    em, tm = nn.Embedding(6, 3, **kw), torch.nn.Embedding(6, 3, **kw)
    assert repr(em) == repr(tm)
    idx = np.array([[0, 1, 1, 5], [4, 1, 2, 1]])
    check_module(em, tm, idx)


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_scale_grad_by_freq_divides_by_count_and_double_backward(padding_idx):
    w = R.standard_normal((5, 3))
    idx = np.array([[0, 0, 1], [2, 0, 4]])
    we, wt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    kw = {"padding_idx": padding_idx, "scale_grad_by_freq": True}
    ze = nn.functional.embedding(ember.tensor(idx), we, **kw)
    zt = torch.nn.functional.embedding(torch.tensor(idx), wt, **kw)
    (ge,) = ember.autograd.grad((ze**3).sum(), we, create_graph=True)
    (gt,) = torch.autograd.grad((zt**3).sum(), wt, create_graph=True)
    np.testing.assert_allclose(to_np(ge), to_np(gt), rtol=1e-12)
    (ge**2).sum().backward()
    (gt**2).sum().backward()
    np.testing.assert_allclose(to_np(we.grad), to_np(wt.grad), rtol=1e-12)
    # Row 0 is used three times: the gradient of a plain sum is 1 there, not 3.
    w1 = ember.tensor(w, requires_grad=True)
    nn.functional.embedding(ember.tensor(idx), w1, **kw).sum().backward()
    np.testing.assert_allclose(w1.grad.numpy()[0], 1.0, rtol=1e-12)


def test_embedding_max_norm_renormalises_used_rows_in_place():
    w = R.standard_normal((5, 4)) * 3
    em = nn.Embedding.from_pretrained(ember.tensor(w.copy()), max_norm=1.0)
    tm = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), max_norm=1.0)
    idx = [[0, 2], [2, 3]]
    out_e, out_t = em(ember.tensor(idx)), tm(torch.tensor(idx))
    np.testing.assert_allclose(to_np(out_e), to_np(out_t), rtol=1e-6)
    np.testing.assert_allclose(to_np(em.weight), to_np(tm.weight), rtol=1e-6)
    assert repr(em) == repr(tm)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_dtypes(dtype):
    em = nn.Embedding(4, 2, dtype=getattr(ember, dtype))
    assert em.weight.dtype == getattr(ember, dtype)
    assert em(ember.tensor([1, 3])).dtype == getattr(ember, dtype)


def test_embedding_errors():
    e = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        e(ember.tensor([4]))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        e(ember.tensor([1.0]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.functional.embedding(ember.tensor([1]), ember.randn(4, 2), padding_idx=5)
