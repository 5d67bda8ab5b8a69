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


W = R.standard_normal((6, 3))
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 0, 2, 2])


def _bag(lib, idx, off=None, psw=None, grad=True, dtype=np.float64, **kw):
    """Output, weight grad and per-sample-weight grad of one embedding_bag call."""
    w = lib.tensor(W.astype(dtype), requires_grad=grad)
    p = None if psw is None else lib.tensor(psw, requires_grad=True)
    o = None if off is None else lib.tensor(off)
    r = lib.nn.functional.embedding_bag(lib.tensor(idx), w, o, per_sample_weights=p, **kw)
    g = np.random.default_rng(1).standard_normal(tuple(r.shape))
    if grad:
        (r * lib.tensor(g)).sum().backward()
    return (
        np.round(r.detach().numpy(), 10).tolist(),
        None if not grad else np.round(w.grad.numpy(), 10).tolist(),
        None if p is None else np.round(p.grad.numpy(), 10).tolist(),
    )


BAG_CASES = [
    (IDX, [0, 4], None, {}),
    (IDX, [0, 4], None, {"mode": "sum"}),
    (IDX, [0, 4], None, {"mode": "max"}),
    (IDX, [0, 4, 4, 7], None, {"mode": "max"}),
    (IDX, [0, 4, 4, 7], None, {"mode": "mean"}),
    (IDX, [0, 4, 8, 10], None, {"include_last_offset": True}),
    (IDX, [0, 4, 8], None, {"mode": "sum", "padding_idx": 2}),
    (IDX, [0, 4, 8], None, {"mode": "mean", "padding_idx": 2}),
    (IDX, [0, 4, 8], None, {"mode": "max", "padding_idx": 2}),
    (IDX, [0, 4, 8], None, {"mode": "mean", "padding_idx": -4}),
    (IDX.reshape(2, 5), None, None, {}),
    (IDX.reshape(2, 5), None, None, {"mode": "max"}),
    (IDX.reshape(2, 5), None, R.standard_normal((2, 5)), {"mode": "sum"}),
    (IDX, [0, 3], R.standard_normal(10), {"mode": "sum", "padding_idx": 4}),
    (IDX, [0, 4], None, {"scale_grad_by_freq": True}),
    (IDX, [0, 4], None, {"mode": "sum", "scale_grad_by_freq": True, "padding_idx": 2}),
    (np.array([], dtype=np.int64), [0, 0], None, {"mode": "sum"}),
]


@pytest.mark.parametrize("idx, off, psw, kw", BAG_CASES)
def test_embedding_bag_matches_pytorch(idx, off, psw, kw):
    off = None if off is None else np.array(off)
    assert _bag(ember, idx, off, psw, **kw) == _bag(torch, idx, off, psw, **kw)


@pytest.mark.parametrize("idx, off, psw, kw", BAG_CASES)
def test_embedding_bag_float32_matches_pytorch(idx, off, psw, kw):
    off = None if off is None else np.array(off)
    psw = None if psw is None else psw.astype(np.float32)
    e = _bag(ember, idx, off, psw, dtype=np.float32, **kw)
    t = _bag(torch, idx, off, psw, dtype=np.float32, **kw)
    for a, b in zip(e, t):
        if b is not None:
            np.testing.assert_allclose(np.array(a), np.array(b), atol=1e-5)


BAG_ERRORS = [
    (np.array([1, 7]), [0], None, {"mode": "max"}),
    (IDX, None, None, {}),
    (IDX, [0, 4], np.ones(10), {"mode": "mean"}),
    (IDX, [0, 4], np.ones(9), {"mode": "sum"}),
    (IDX, [1, 4], None, {}),
    (IDX, [0, 11], None, {}),
    (np.array([7]), [0], None, {}),
    (IDX.astype(float), [0], None, {}),
    (IDX, [0, 4], None, {"mode": "foo"}),
    (IDX.reshape(2, 5, 1), None, None, {}),
    (IDX, [[0, 4]], None, {}),
    (IDX, [0, 4], None, {"mode": "max", "scale_grad_by_freq": True}),
    (IDX, [0, 4], None, {"padding_idx": 7}),
]


@pytest.mark.parametrize("idx, off, psw, kw", BAG_ERRORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_embedding_bag_errors_match_pytorch(idx, off, psw, kw, dtype):
    from ._oracle import outcome

    off = None if off is None else np.array(off)
    psw = None if psw is None else psw.astype(dtype)
    e = outcome(lambda: _bag(ember, idx, off, psw, dtype=dtype, **kw)[0])
    t = outcome(lambda: _bag(torch, idx, off, psw, dtype=dtype, **kw)[0])
    assert e[:2] == t[:2]


def test_embedding_bag_max_norm_and_2d_offsets_error():
    e, t = (
        _bag(ember, IDX, np.array([0, 4]), max_norm=1.0),
        _bag(torch, IDX, np.array([0, 4]), max_norm=1.0),
    )
    np.testing.assert_allclose(e[0], t[0], atol=1e-7)
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        nn.functional.embedding_bag(
            ember.tensor(IDX.reshape(2, 5)), ember.tensor(W), ember.tensor([0, 4])
        )


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"mode": "max", "padding_idx": 1},
        {"max_norm": 2.0, "mode": "sum"},
        {"scale_grad_by_freq": True, "include_last_offset": True, "padding_idx": -1},
    ],
)
def test_embedding_bag_module_matches_pytorch(kw):
    em, tm = nn.EmbeddingBag(6, 3, **kw), torch.nn.EmbeddingBag(6, 3, **kw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    check_module(em, tm, IDX.reshape(2, 5))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(6, 3, padding_idx=6)
    pre = nn.EmbeddingBag.from_pretrained(ember.tensor(W), mode="sum")
    assert not pre.weight.requires_grad
    np.testing.assert_allclose(
        to_np(pre(ember.tensor(IDX.reshape(2, 5)))),
        to_np(
            torch.nn.EmbeddingBag.from_pretrained(torch.tensor(W), mode="sum")(
                torch.tensor(IDX.reshape(2, 5))
            )
        ),
        rtol=1e-12,
    )
