"""scaled_dot_product_attention, MultiheadAttention and the transformer stack against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._compare import check_module, copy_weights, torch
from ._oracle import outcome

tnn = torch.nn
R = np.random.default_rng(0)


def _sdpa(lib, q, k, v, mask=None, **kw):
    F = lib.nn.functional
    args = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
    m = None if mask is None else lib.tensor(mask)
    out = F.scaled_dot_product_attention(*args, attn_mask=m, **kw)
    return out, args


SDPA_CASES = [
    ("plain", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), None, {}),
    ("bool mask", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "bool", {}),
    ("float mask", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "float", {}),
    ("fully masked row", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "dead", {}),
    ("causal", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), None, {"is_causal": True}),
    ("causal long query", (1, 2, 8, 5), (1, 2, 6, 5), (1, 2, 6, 3), None, {"is_causal": True}),
    ("scale", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), "float", {"scale": 0.3}),
    ("gqa", (2, 6, 4, 5), (2, 3, 6, 5), (2, 1, 6, 7), None, {"enable_gqa": True}),
    ("3-d", (3, 4, 5), (3, 6, 5), (3, 6, 7), "bool", {}),
    ("2-d", (4, 5), (6, 5), (6, 7), None, {"is_causal": True}),
]


@pytest.mark.parametrize("name, qs, ks, vs, mask, kw", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_matches_pytorch(name, qs, ks, vs, mask, kw, dtype):
    q, k, v = (R.standard_normal(s).astype(dtype) for s in (qs, ks, vs))
    m = None
    if mask == "bool":
        m = R.uniform(size=(qs[-2], ks[-2])) > 0.3
    elif mask == "float":
        m = R.standard_normal((qs[-2], ks[-2])).astype(dtype)
    elif mask == "dead":
        m = np.ones((qs[-2], ks[-2]), bool)
        m[1] = False
    eo, ea = _sdpa(ember, q, k, v, m, **kw)
    to, ta = _sdpa(torch, q, k, v, m, **kw)
    tol = {"atol": 1e-10} if dtype == np.float64 else {"atol": 2e-5}
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), **tol)
    g = R.standard_normal(tuple(to.shape)).astype(dtype)
    (eo * ember.tensor(g)).sum().backward()
    (to * torch.tensor(g)).sum().backward()
    for a, b in zip(ea, ta):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)


def test_sdpa_dropout_and_errors():
    q, k, v = (
        R.standard_normal((2, 3, 4, 5)),
        R.standard_normal((2, 3, 6, 5)),
        R.standard_normal((2, 3, 6, 7)),
    )
    out, _ = _sdpa(ember, q, k, v, dropout_p=1.0)
    assert np.all(out.detach().numpy() == 0)
    ember.manual_seed(0)
    out, _ = _sdpa(ember, q, k, v, dropout_p=0.5)
    full, _ = _sdpa(ember, q, k, v)
    assert not np.allclose(out.detach().numpy(), full.detach().numpy())
    bad = [
        lambda lib: _sdpa(lib, q, k, v, np.zeros((4, 6), np.int64))[0],
        lambda lib: _sdpa(lib, q, k, v, np.zeros((4, 6), bool), is_causal=True)[0],
        lambda lib: _sdpa(lib, R.standard_normal((2, 5, 4, 5)), k, v, enable_gqa=True)[0],
        lambda lib: lib.nn.functional.scaled_dot_product_attention(
            lib.tensor(q), lib.tensor(k, dtype=lib.float32), lib.tensor(v)
        ),
        lambda lib: lib.nn.functional.scaled_dot_product_attention(
            lib.tensor(q[0, 0, 0]), lib.tensor(k[0, 0, 0]), lib.tensor(v[0, 0, 0])
        ),
        lambda lib: lib.nn.functional.scaled_dot_product_attention(
            lib.tensor(q.astype(np.float32)),
            lib.tensor(k.astype(np.float32)),
            lib.tensor(v.astype(np.float32)),
            attn_mask=lib.tensor(np.zeros((4, 6))),
        ),
    ]
    for call in bad:
        assert outcome(lambda c=call: c(ember)) == outcome(lambda c=call: c(torch))


MODULES = [
    ("mha", lambda m: m.MultiheadAttention(8, 2), [(4, 2, 8), (5, 2, 8), (5, 2, 8)]),
    (
        "mha_kdim_vdim",
        lambda m: m.MultiheadAttention(8, 2, kdim=6, vdim=3),
        [(4, 2, 8), (5, 2, 6), (5, 2, 3)],
    ),
    (
        "mha_bias_kv",
        lambda m: m.MultiheadAttention(8, 2, add_bias_kv=True),
        [(4, 2, 8), (5, 2, 8), (5, 2, 8)],
    ),
    (
        "mha_zero_attn_nobias",
        lambda m: m.MultiheadAttention(8, 2, add_zero_attn=True, bias=False),
        [(4, 2, 8), (5, 2, 8), (5, 2, 8)],
    ),
    (
        "mha_everything_batch_first",
        lambda m: m.MultiheadAttention(
            8, 4, add_zero_attn=True, add_bias_kv=True, kdim=5, vdim=7, batch_first=True
        ),
        [(2, 4, 8), (2, 5, 5), (2, 5, 7)],
    ),
    ("mha_unbatched", lambda m: m.MultiheadAttention(8, 2), [(4, 8), (5, 8), (5, 8)]),
    (
        "decoder_layer",
        lambda m: m.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
        [(4, 2, 8), (5, 2, 8)],
    ),
    (
        "decoder_layer_norm_first_gelu",
        lambda m: m.TransformerDecoderLayer(
            8, 2, 16, dropout=0.0, norm_first=True, activation="gelu", batch_first=True
        ),
        [(2, 4, 8), (2, 5, 8)],
    ),
    (
        "decoder",
        lambda m: m.TransformerDecoder(
            m.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2, m.LayerNorm(8)
        ),
        [(4, 2, 8), (5, 2, 8)],
    ),
    (
        "encoder_layer_gelu_module",
        lambda m: m.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=m.GELU()),
        [(4, 2, 8)],
    ),
    ("transformer", lambda m: m.Transformer(8, 2, 2, 2, 16, dropout=0.0), [(5, 2, 8), (4, 2, 8)]),
    (
        "transformer_batch_first_norm_first_nobias",
        lambda m: m.Transformer(
            8, 2, 1, 2, 16, dropout=0.0, batch_first=True, norm_first=True, bias=False
        ),
        [(2, 5, 8), (2, 4, 8)],
    ),
]


@pytest.mark.parametrize("name, make, shapes", MODULES, ids=[c[0] for c in MODULES])
@pytest.mark.parametrize("train", [True, False])
def test_attention_modules_match_pytorch(name, make, shapes, train):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        em, tm = make(nn), make(tnn)
    assert repr(em) == repr(tm)
    check_module(em, tm, *[R.standard_normal(s) for s in shapes], train=train)


@pytest.mark.parametrize(
    "name, make, shapes",
    MODULES[:6] + MODULES[10:11],
    ids=[c[0] for c in MODULES[:6] + MODULES[10:11]],
)
def test_attention_modules_float32(name, make, shapes):
    em, tm = make(nn), make(tnn)
    copy_weights(em, tm)
    xs = [R.standard_normal(s).astype(np.float32) for s in shapes]
    eo = em(*[ember.tensor(x) for x in xs])
    to = tm(*[torch.tensor(x) for x in xs])
    eo, to = (eo[0], to[0]) if isinstance(eo, tuple) else (eo, to)
    assert eo.dtype == ember.float32
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), atol=2e-5)


def _pair(make, train=True):
    em, tm = make(nn).double().train(train), make(tnn).double().train(train)
    copy_weights(em, tm)
    return em, tm


def _both(em, tm, arrays, **masks):
    ea = [ember.tensor(a) for a in arrays]
    ta = [torch.tensor(a) for a in arrays]
    ek = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in masks.items()}
    tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in masks.items()}
    eo, to = em(*ea, **ek), tm(*ta, **tk)
    eo, to = (eo, to) if isinstance(eo, tuple) else ((eo,), (to,))
    for a, b in zip(eo, to):
        if b is None:
            assert a is None
            continue
        np.testing.assert_allclose(
            a.detach().numpy(), b.detach().numpy(), atol=1e-10, equal_nan=True
        )
    return eo


CAUSAL = np.triu(np.ones((4, 5), bool), 1)
KPM = np.array([[False] * 5, [False] * 3 + [True] * 2])
FLOAT = R.standard_normal((4, 5))
MASK3 = R.standard_normal((4, 4, 5))


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("mask", [None, CAUSAL, FLOAT, MASK3], ids=["none", "bool", "float", "3d"])
@pytest.mark.parametrize("kpm", [None, KPM], ids=["no_kpm", "kpm"])
def test_mha_masks_and_weights_match_pytorch(need_weights, average, mask, kpm):
    em, tm = _pair(lambda m: m.MultiheadAttention(8, 2))
    q, k = R.standard_normal((4, 2, 8)), R.standard_normal((5, 2, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns about mixed mask types, as Ember does
        _both(
            em,
            tm,
            [q, k, k],
            attn_mask=mask,
            key_padding_mask=kpm,
            need_weights=need_weights,
            average_attn_weights=average,
        )


def test_mha_fully_masked_rows_nan_with_weights_zero_without():
    em, tm = _pair(lambda m: m.MultiheadAttention(8, 2))
    q, k = R.standard_normal((4, 2, 8)), R.standard_normal((5, 2, 8))
    dead = np.zeros((4, 5), bool)
    dead[0] = True
    out = _both(em, tm, [q, k, k], attn_mask=dead)
    assert np.isnan(out[0].detach().numpy()[0]).all()
    out = _both(em, tm, [q, k, k], attn_mask=dead, need_weights=False)
    assert np.all(out[0].detach().numpy()[0] == 0)


def test_mha_is_causal_is_a_hint_as_in_pytorch():
    em, tm = _pair(lambda m: m.MultiheadAttention(8, 2))
    q = R.standard_normal((4, 2, 8))
    causal = nn.Transformer.generate_square_subsequent_mask(4).numpy()
    _both(em, tm, [q, q, q], attn_mask=causal, is_causal=True, need_weights=False)
    # The hint wins over a mask that is not causal, in PyTorch as here.
    _both(em, tm, [q, q, q], attn_mask=FLOAT[:, :4], is_causal=True, need_weights=False)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        em(ember.tensor(q), ember.tensor(q), ember.tensor(q), is_causal=True)


def test_mha_errors_match_pytorch():
    q, k = R.standard_normal((4, 2, 8)), R.standard_normal((5, 2, 8))
    cases = [
        ((q, k, k[:, :, :4]), {}),
        ((q, k[0], k[0]), {}),
        ((q[0], k, k), {}),
        ((q[None], k, k), {}),
        ((q, k, k), {"attn_mask": np.zeros((3, 5), bool)}),
        ((q, k, k), {"attn_mask": np.zeros((2, 4, 5))}),
        ((q, k, k), {"attn_mask": np.zeros((1, 1, 4, 5))}),
        ((q, k, k), {"key_padding_mask": np.zeros((2, 4), bool)}),
        ((q, k, k), {"key_padding_mask": np.zeros(5, bool)}),
        ((q, k, k), {"attn_mask": np.zeros((4, 5), np.int64)}),
        ((R.standard_normal((4, 2, 6)), k, k), {}),
    ]
    for arrays, kw in cases:

        def call(lib, arrays=arrays, kw=kw):
            lib.manual_seed(0)
            m = lib.nn.MultiheadAttention(8, 2).double()
            out = m(*[lib.tensor(a) for a in arrays], **{k: lib.tensor(v) for k, v in kw.items()})
            return out[0]

        e, t = outcome(lambda c=call: c(ember)), outcome(lambda c=call: c(torch))
        assert e[0] == t[0]
        if e[0] == "ok":
            assert e[1] == t[1]
    for kw in ({"embed_dim": 0, "num_heads": 2}, {"embed_dim": 7, "num_heads": 2}):
        e = outcome(lambda kw=kw: nn.MultiheadAttention(**kw))
        t = outcome(lambda kw=kw: tnn.MultiheadAttention(**kw))
        assert e[0] == t[0] and e[1] == t[1]


def test_mha_state_dict_keys_match_pytorch():
    for kw in ({}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"bias": False}):
        assert list(nn.MultiheadAttention(8, 2, **kw).state_dict()) == list(
            tnn.MultiheadAttention(8, 2, **kw).state_dict()
        )


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("grad", [True, False])
def test_encoder_padding_mask_matches_pytorch_nested_path(train, grad):
    def make(m):
        layer = m.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        return m.TransformerEncoder(layer, 2, m.LayerNorm(8))

    em, tm = _pair(make, train)
    x = R.standard_normal((3, 4, 8))
    kpm = np.zeros((3, 4), bool)
    kpm[1, -1] = kpm[2, -2] = kpm[2, -1] = True
    with ember.set_grad_enabled(grad), torch.set_grad_enabled(grad):
        out = _both(em, tm, [x], src_key_padding_mask=kpm)[0].detach().numpy()
    if not train and not grad:
        # PyTorch's nested-tensor path: padded positions leave the stack as zeros.
        np.testing.assert_allclose(out[2, -1], to_np_layer_norm_of_zeros(em.norm))


def to_np_layer_norm_of_zeros(norm):
    return norm(ember.zeros(8, dtype=ember.float64)).detach().numpy()


def test_transformer_masks_and_causal_detection_match_pytorch():
    sq = nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(
        sq.numpy(), tnn.Transformer.generate_square_subsequent_mask(4).numpy()
    )
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64).dtype == (
        ember.float64
    )
    for train in (True, False):
        em, tm = _pair(lambda m: m.Transformer(8, 2, 1, 1, 16, dropout=0.0), train)
        src, tgt = R.standard_normal((5, 2, 8)), R.standard_normal((4, 2, 8))
        _both(
            em,
            tm,
            [src, tgt],
            tgt_mask=sq.numpy(),
            src_key_padding_mask=KPM,
            memory_key_padding_mask=KPM,
        )
        _both(em, tm, [src, tgt], tgt_mask=sq.numpy(), tgt_is_causal=True)
    em = nn.Transformer(8, 2, 1, 1, 16)
    for bad in ((R.standard_normal((5, 3, 8)), tgt), (R.standard_normal((5, 2, 6)), tgt)):
        e = outcome(lambda b=bad: em(*[ember.tensor(a, dtype=ember.float32) for a in b]))
        t = outcome(
            lambda b=bad: tnn.Transformer(8, 2, 1, 1, 16)(
                *[torch.tensor(a, dtype=torch.float32) for a in b]
            )
        )
        assert e == t


def test_activation_errors_and_nested_tensor_warning_match_pytorch():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    for kw in ({}, {"batch_first": True, "norm_first": True}, {"batch_first": True}):
        with warnings.catch_warnings(record=True) as e_w:
            warnings.simplefilter("always")
            nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, **kw), 1)
        with warnings.catch_warnings(record=True) as t_w:
            warnings.simplefilter("always")
            tnn.TransformerEncoder(tnn.TransformerEncoderLayer(8, 2, 16, **kw), 1)
        assert [str(w.message) for w in e_w] == [str(w.message) for w in t_w]
