"""nn.attention.flex_attention (flex_attention, BlockMask, create_block_mask) against PyTorch.

Values are compared with PyTorch's own flex_attention; PyTorch's CPU build has no backward
for it, so gradients are compared with PyTorch autograd on the same computation written out
(scores, score_mod, mask, safe softmax) and, for plain masks, with scaled_dot_product_attention.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.attention as eattn
import ember.nn.attention.flex_attention as efa

from ._compare import torch

tfa = pytest.importorskip("torch.nn.attention.flex_attention")
tattn = torch.nn.attention
R = np.random.default_rng(0)
LIBS = ((torch, tfa), (ember, efa))


@pytest.fixture(autouse=True)
def _quiet_eager_torch(monkeypatch):
    # PyTorch's own eager path, without its compile-based wrapper (slow to start on CPU)
    monkeypatch.setattr(tfa, "_FLEX_ATTENTION_DISABLE_COMPILE_DEBUG", True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def causal(b, h, q, kv):
    return q >= kv


def sliding(b, h, q, kv):
    return (q - kv).abs() <= 5


def head_one_sees_all(b, h, q, kv):
    return (h == 1) | (q >= kv)


def late_queries(b, h, q, kv):
    return q >= 5  # the first five query rows have nothing to attend to


def prefix(b, h, q, kv):
    return kv < 4


def document(lib):
    """A mask_mod closing over a document id per position (documents of 7, 12 and 21)."""
    ids = lib.tensor([0] * 7 + [1] * 12 + [2] * 21)

    def document_mask(b, h, q, kv):
        return ids[q] == ids[kv]

    return document_mask


def relative_bias(score, b, h, q, kv):
    return score + (q - kv) * 0.1


def softcap(score, b, h, q, kv):
    return 3 * (score / 3).tanh()


def where_mod(lib):
    def clip_far(score, b, h, q, kv):
        return lib.where((q - kv).abs() > 10, score * 0.5, score + b + h)

    return clip_far


ATTRS = (
    "kv_num_blocks",
    "kv_indices",
    "full_kv_num_blocks",
    "full_kv_indices",
    "q_num_blocks",
    "q_indices",
    "full_q_num_blocks",
    "full_q_indices",
    "dq_write_order",
    "dq_write_order_full",
)


def _same_tensor(e, t):
    if e is None or t is None:
        assert e is None and t is None
        return
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def _same_block_mask(e, t):
    for a in ATTRS:
        _same_tensor(getattr(e, a), getattr(t, a))
    assert e.shape == t.shape and e.BLOCK_SIZE == t.BLOCK_SIZE and e.seq_lengths == t.seq_lengths
    assert e.sparsity() == pytest.approx(t.sparsity(), abs=1e-12)
    assert str(e) == str(t)
    assert repr(e) == repr(t)
    _same_tensor(e.to_dense(), t.to_dense())


def _outcome(fn):
    try:
        r = fn()
    except Exception as ex:  # noqa: BLE001 - the type and message are what is compared
        return type(ex).__name__, str(ex)
    return "ok", repr(r) if not hasattr(r, "shape") else tuple(r.shape)


# ----- BlockMask ---------------------------------------------------------------------------
@pytest.mark.parametrize("mask_mod", [causal, sliding, head_one_sees_all])
@pytest.mark.parametrize(
    "sizes, kw",
    [
        ((2, 3, 300, 300), {}),
        ((None, None, 50, 70), {"BLOCK_SIZE": 16}),
        ((1, 2, 64, 40), {"BLOCK_SIZE": (16, 8)}),
        ((2, 2, 40, 40), {"BLOCK_SIZE": 8, "separate_full_blocks": False}),
        ((2, 2, 40, 48), {"BLOCK_SIZE": 8, "compute_dq_write_order": True}),
        ((1, 2, 40, 48), {"BLOCK_SIZE": 8, "compute_dq_write_order": True, "dq_kv_order": False}),
    ],
)
def test_create_block_mask_matches(mask_mod, sizes, kw):
    t = tfa.create_block_mask(mask_mod, *sizes, device="cpu", **kw)
    e = efa.create_block_mask(mask_mod, *sizes, device="cpu", **kw)
    _same_block_mask(e, t)
    assert e.mask_mod is mask_mod
    assert e.to_string(grid_size=4, limit=2) == t.to_string(grid_size=4, limit=2)
    assert e.to_string(grid_size=-1) == t.to_string(grid_size=-1)


def test_block_mask_of_combined_and_closure_masks():
    for make in (
        lambda fa, lib: fa.and_masks(causal, sliding),
        lambda fa, lib: fa.or_masks(causal, prefix),
        lambda fa, lib: document(lib),
        lambda fa, lib: fa.noop_mask,
    ):
        t = tfa.create_block_mask(make(tfa, torch), 2, 1, 40, 40, device="cpu", BLOCK_SIZE=8)
        e = efa.create_block_mask(make(efa, ember), 2, 1, 40, 40, device="cpu", BLOCK_SIZE=8)
        _same_block_mask(e, t)


@pytest.mark.parametrize("index", [0, -1, (1,), (slice(None), 1), (0, slice(0, 2), [1])])
def test_block_mask_indexing(index):
    t = tfa.create_block_mask(sliding, 2, 3, 40, 40, device="cpu", BLOCK_SIZE=8)
    e = efa.create_block_mask(sliding, 2, 3, 40, 40, device="cpu", BLOCK_SIZE=8)
    if isinstance(index, tuple) and isinstance(index[-1], list):
        ti = index[:-1] + (torch.tensor(index[-1], dtype=torch.int32),)
        ei = index[:-1] + (ember.tensor(index[-1], dtype=ember.int32),)
    else:
        ti = ei = index
    _same_block_mask(e[ei], t[ti])
    with pytest.raises(RuntimeError, match="Cannot use mask_mod from a sliced BlockMask"):
        e[ei].mask_mod(*(ember.tensor(0),) * 4)


@pytest.mark.parametrize("new", [(24, 24), (40, 20), (16, 40)])
def test_block_mask_adjust_matches_or_fails_alike(new):
    t = tfa.create_block_mask(causal, 1, 2, 40, 40, device="cpu", BLOCK_SIZE=8)
    e = efa.create_block_mask(causal, 1, 2, 40, 40, device="cpu", BLOCK_SIZE=8)
    t_out, e_out = _outcome(lambda: t._adjust(*new)), _outcome(lambda: e._adjust(*new))
    assert e_out[0] == t_out[0]
    if t_out[0] == "ok":
        _same_block_mask(e._adjust(*new), t._adjust(*new))
    else:
        assert e_out == t_out


def test_from_kv_blocks_as_tuple_and_to():
    num = [[[1, 2, 1]]]
    idx = [[[[1, 0, 2], [0, 2, 1], [2, 0, 1]]]]
    t = tfa.BlockMask.from_kv_blocks(
        torch.tensor(num, dtype=torch.int32), torch.tensor(idx, dtype=torch.int32), BLOCK_SIZE=4
    )
    e = efa.BlockMask.from_kv_blocks(
        ember.tensor(num, dtype=ember.int32), ember.tensor(idx, dtype=ember.int32), BLOCK_SIZE=4
    )
    _same_block_mask(e, t)
    _same_block_mask(e.to("cpu"), t.to("cpu"))
    te, tt = e.as_tuple(), t.as_tuple()
    assert len(te) == len(tt) and te[:2] == tt[:2] and te[-3:-1] == tt[-3:-1]
    assert te[-1] is efa.noop_mask and tt[-1] is tfa.noop_mask
    assert e.as_tuple(flatten=False)[0] == t.as_tuple(flatten=False)[0] == (12, 12)
    assert e.numel() == t.numel()


def test_create_mask_from_mask_and_score_mods():
    def neg_inf_far(score, b, h, q, kv):
        return score - (q - kv).abs() * 0 + (q - kv > 3) * -math.inf

    for mod in (causal, neg_inf_far):
        t = tfa.create_mask(mod, 2, 2, 9, 11, device="cpu")
        e = efa.create_mask(mod, 2, 2, 9, 11, device="cpu")
        _same_tensor(e, t)


def test_block_mask_errors_match():
    def three(b, h, q):
        return q

    def not_bool(b, h, q, kv):
        return q - kv

    calls = [
        lambda fa, lib: fa.create_block_mask(relative_bias, 1, 1, 8, 8, device="cpu"),
        lambda fa, lib: fa.create_block_mask(three, 1, 1, 8, 8, device="cpu"),
        lambda fa, lib: fa.create_block_mask(not_bool, 1, 1, 8, 8, device="cpu"),
        lambda fa, lib: fa.create_block_mask(causal, 1, 1, 8, 8, device="cpu", dq_kv_order=1),
        lambda fa, lib: fa.and_masks(causal, 3),
        lambda fa, lib: fa.or_masks(None),
        lambda fa, lib: fa.BlockMask.from_kv_blocks(lib.ones(2), lib.ones(2)),
        lambda fa, lib: fa.BlockMask.from_kv_blocks(
            lib.ones(1, 1, 2), lib.ones(1, 1, 2, 2), lib.ones(1, 1, 2)
        ),
    ]
    for call in calls:
        t = _outcome(lambda call=call: call(tfa, torch))
        e = _outcome(lambda call=call: call(efa, ember))
        assert e[0] == t[0] != "ok"
        if "Got <function" not in t[1]:
            assert e == t


def test_public_names_match():
    assert sorted(efa.__all__) == sorted(tfa.__all__)
    assert efa.AuxRequest()._fields == tfa.AuxRequest()._fields == ("lse", "max_scores")
    assert efa.AuxOutput() == (None, None)
    assert set(efa.FlexKernelOptions.__annotations__) == set(tfa.FlexKernelOptions.__annotations__)


# ----- flex_attention values against PyTorch's ---------------------------------------------
def _qkv(hq=4, hkv=4, L=40, S=40, E=8, Ev=6, B=2, Bkv=None):
    return (
        R.standard_normal((B, hq, L, E)),
        R.standard_normal((Bkv or B, hkv, S, E)),
        R.standard_normal((Bkv or B, hkv, S, Ev)),
    )


def _run(lib, fa, arrays, mask_mod=None, block_size=8, mask_b=None, mask_h=None, **kw):
    q, k, v = (lib.tensor(a) for a in arrays)
    if mask_mod is not None:
        mm = mask_mod(lib) if mask_mod in (document,) else mask_mod
        kw["block_mask"] = fa.create_block_mask(
            mm, mask_b, mask_h, q.shape[-2], k.shape[-2], device="cpu", BLOCK_SIZE=block_size
        )
    sm = kw.pop("score_mod", None)
    if sm is where_mod:
        sm = where_mod(lib)
    return fa.flex_attention(q, k, v, score_mod=sm, **kw)


VALUE_CASES = [
    ("plain", {}, {}),
    ("causal", {}, {"mask_mod": causal}),
    ("sliding window", {}, {"mask_mod": sliding}),
    ("document", {}, {"mask_mod": document}),
    ("per-head mask", {}, {"mask_mod": head_one_sees_all, "mask_h": 4}),
    ("fully masked rows", {}, {"mask_mod": late_queries}),
    ("relative bias", {}, {"score_mod": relative_bias, "mask_mod": causal}),
    ("softcap", {}, {"score_mod": softcap, "scale": 0.3}),
    ("where score_mod", {}, {"score_mod": where_mod}),
    ("gqa", {"hq": 6, "hkv": 2}, {"enable_gqa": True, "mask_mod": causal}),
    ("cross lengths", {"L": 24, "S": 40}, {"mask_mod": prefix}),
    ("broadcast kv batch", {"B": 3, "Bkv": 1}, {"mask_mod": causal, "mask_b": 3}),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, shapes, kw", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_flex_attention_values(name, shapes, kw, dtype):
    arrays = tuple(a.astype(dtype) for a in _qkv(**shapes))
    tol = dict(atol=1e-12, rtol=1e-10) if dtype == "float64" else dict(atol=2e-6, rtol=2e-5)
    t_out, t_lse = _run(torch, tfa, arrays, return_lse=True, **dict(kw))
    e_out, e_lse = _run(ember, efa, arrays, return_lse=True, **dict(kw))
    assert str(e_out.dtype) == str(t_out.dtype) and str(e_lse.dtype) == str(t_lse.dtype)
    np.testing.assert_allclose(e_out.numpy(), t_out.numpy(), **tol)
    np.testing.assert_allclose(e_lse.numpy(), t_lse.numpy(), **tol)
    e_aux = _run(ember, efa, arrays, return_aux=efa.AuxRequest(lse=True), **dict(kw))[1]
    t_aux = _run(torch, tfa, arrays, return_aux=tfa.AuxRequest(lse=True), **dict(kw))[1]
    assert e_aux.max_scores is None and t_aux.max_scores is None
    np.testing.assert_allclose(e_aux.lse.numpy(), t_aux.lse.numpy(), **tol)


def test_float16_inputs_give_float16_output():
    arrays = tuple(a.astype("float16") for a in _qkv(L=16, S=16))
    t = _run(torch, tfa, arrays, mask_mod=causal)
    e = _run(ember, efa, arrays, mask_mod=causal)
    assert e.dtype == ember.float16
    np.testing.assert_allclose(e.numpy().astype(float), t.numpy().astype(float), atol=2e-3)


# ----- gradients against PyTorch autograd on the written-out computation -------------------
def _reference(q, k, v, score_mod, mask_mod, scale=None):
    """PyTorch's math formulation of flex_attention with autograd: (out, lse, max)."""
    group = q.size(1) // k.size(1)
    k, v = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
    B, H, L, S = q.size(0), q.size(1), q.size(2), k.size(2)
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    s = q @ k.transpose(-2, -1) * scale
    grids = (
        torch.arange(B).view(B, 1, 1, 1),
        torch.arange(H).view(1, H, 1, 1),
        torch.arange(L).view(1, 1, L, 1),
        torch.arange(S).view(1, 1, 1, S),
    )
    keep = mask_mod(*grids).expand(B, H, L, S)
    post = torch.where(keep, score_mod(s, *grids), torch.tensor(-math.inf, dtype=s.dtype))
    dead = (post == -math.inf).all(-1)
    lse = torch.where(dead, -math.inf, torch.where(dead[..., None], 0.0, post).logsumexp(-1))
    return torch._safe_softmax(post, -1) @ v, lse, post.max(-1).values


def _leaves(lib, arrays):
    return [lib.tensor(a, requires_grad=True) for a in arrays]


def _check_grads(e_leaves, t_leaves, e_loss, t_loss, tol=1e-10):
    e_loss.backward()
    t_loss.backward()
    for e, t in zip(e_leaves, t_leaves):
        assert e.grad is not None
        assert np.isfinite(e.grad.numpy()).all()
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=tol, rtol=tol)


GRAD_CASES = [
    ("causal", {}, causal, None, {}),
    ("sliding", {}, sliding, relative_bias, {}),
    ("document softcap", {}, document, softcap, {"scale": 0.4}),
    ("fully masked rows", {}, late_queries, None, {}),
    ("gqa where", {"hq": 4, "hkv": 2}, causal, where_mod, {"enable_gqa": True}),
]


@pytest.mark.parametrize("name, shapes, mask, mod, kw", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_flex_attention_gradients(name, shapes, mask, mod, kw):
    arrays = _qkv(L=24, S=24, **shapes)
    gw = R.standard_normal((arrays[0].shape[:3]) + (arrays[2].shape[-1],))
    lw = R.standard_normal(arrays[0].shape[:3])
    e_in, t_in = _leaves(ember, arrays), _leaves(torch, arrays)
    e_mask, t_mask = (mask(ember), mask(torch)) if mask is document else (mask, mask)
    e_mod, t_mod = (mod(ember), mod(torch)) if mod is where_mod else (mod, mod)
    bm = efa.create_block_mask(e_mask, None, None, 24, 24, device="cpu", BLOCK_SIZE=8)
    e_out, e_lse = efa.flex_attention(*e_in, score_mod=e_mod, block_mask=bm, return_lse=True, **kw)
    t_out, t_lse, _ = _reference(*t_in, t_mod or (lambda s, *_: s), t_mask, scale=kw.get("scale"))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=1e-12)
    finite = np.isfinite(lw * t_lse.detach().numpy())
    e_loss = (e_out * ember.tensor(gw)).sum() + (e_lse * ember.tensor(lw * finite)).nan_to_num(
        0.0, 0.0, 0.0
    ).sum()
    t_loss = (t_out * torch.tensor(gw)).sum() + (t_lse * torch.tensor(lw * finite)).nan_to_num(
        0.0, 0.0, 0.0
    ).sum()
    _check_grads(e_in, t_in, e_loss, t_loss)


@pytest.mark.parametrize("mask", [causal, sliding, None])
def test_flex_gradients_match_sdpa_with_dense_mask(mask):
    arrays = _qkv(L=16, S=16, hq=2, hkv=2)
    e_in, t_in = _leaves(ember, arrays), _leaves(torch, arrays)
    kw = {}
    t_kw = {}
    if mask is not None:
        kw["block_mask"] = efa.create_block_mask(mask, None, None, 16, 16, device="cpu")
        t_kw["attn_mask"] = tfa.create_mask(mask, 1, 1, 16, 16, device="cpu")
    e_out = efa.flex_attention(*e_in, **kw)
    t_out = torch.nn.functional.scaled_dot_product_attention(*t_in, **t_kw)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=1e-12)
    gw = R.standard_normal(tuple(t_out.shape))
    _check_grads(e_in, t_in, (e_out * ember.tensor(gw)).sum(), (t_out * torch.tensor(gw)).sum())


def test_gradients_reach_tensors_the_score_mod_closes_over():
    H, L = 2, 12
    arrays = _qkv(L=L, S=L, hq=H, hkv=H, B=1)
    bias = R.standard_normal((H, L, L))
    slopes = R.standard_normal(H)

    def make(lib, b_, s_):
        def mod(score, b, h, q, kv):
            return score + b_[h, q, kv] + s_[h] * (kv - q)

        return mod

    e_in = _leaves(ember, arrays + (bias, slopes))
    t_in = _leaves(torch, arrays + (bias, slopes))
    bm = efa.create_block_mask(causal, None, None, L, L, device="cpu", BLOCK_SIZE=4)
    e_out = efa.flex_attention(*e_in[:3], score_mod=make(ember, *e_in[3:]), block_mask=bm)
    t_out, _, _ = _reference(*t_in[:3], make(torch, *t_in[3:]), causal)
    gw = R.standard_normal(tuple(t_out.shape))
    _check_grads(e_in, t_in, (e_out * ember.tensor(gw)).sum(), (t_out * torch.tensor(gw)).sum())
    # the reference is PyTorch's own flex_attention computation: same values without grad
    with torch.no_grad():
        t_flex = tfa.flex_attention(
            *(x.detach() for x in t_in[:3]),
            score_mod=make(torch, *(x.detach() for x in t_in[3:])),
            block_mask=tfa.create_block_mask(causal, None, None, L, L, device="cpu"),
        )
    np.testing.assert_allclose(t_flex.numpy(), t_out.detach().numpy(), atol=1e-12)


def test_max_scores_and_lse_of_aux_output():
    # PyTorch's CPU build refuses max_scores; its value is that of the GPU kernels: row maxima
    arrays = _qkv(L=16, S=16, hq=2, hkv=2)
    e_in, t_in = _leaves(ember, arrays), _leaves(torch, arrays)
    bm = efa.create_block_mask(late_queries, None, None, 16, 16, device="cpu", BLOCK_SIZE=4)
    req = efa.AuxRequest(lse=True, max_scores=True)
    e_out, aux = efa.flex_attention(*e_in, score_mod=relative_bias, block_mask=bm, return_aux=req)
    assert isinstance(aux, efa.AuxOutput)
    _, t_lse, t_max = _reference(*t_in, relative_bias, late_queries)
    np.testing.assert_allclose(aux.lse.detach().numpy(), t_lse.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(aux.max_scores.detach().numpy(), t_max.detach().numpy())
    only_max = efa.flex_attention(*e_in, return_aux=efa.AuxRequest(max_scores=True))[1]
    assert only_max.lse is None and only_max.max_scores is not None


# ----- errors -------------------------------------------------------------------------------
def test_flex_attention_errors_match():
    def call(lib, fa, q=(1, 2, 8, 4), k=(1, 2, 8, 4), v=(1, 2, 8, 4), mask=None, **kw):
        args = [lib.ones(s) for s in (q, k, v)]
        if mask is not None:
            kw["block_mask"] = mask(fa)
        return fa.flex_attention(*args, **kw)

    def mask_of(lq, lk):
        return lambda fa: fa.create_block_mask(causal, 1, 1, lq, lk, device="cpu", BLOCK_SIZE=4)

    cases = [
        dict(q=(2, 8, 4)),
        dict(q=(4,)),
        dict(k=(1, 2, 8, 5)),
        dict(k=(1, 1, 8, 4), v=(1, 1, 8, 4)),
        dict(q=(1, 3, 8, 4), k=(1, 2, 8, 4), v=(1, 2, 8, 4), enable_gqa=True),
        dict(q=(2, 2, 8, 4)),
        dict(mask=mask_of(4, 8)),
        dict(mask=mask_of(16, 8)),
        dict(mask=mask_of(8, 16)),
        dict(mask=lambda fa: fa.create_block_mask(causal, 2, 1, 8, 8, device="cpu")[0]),
        dict(return_lse=True, return_aux=efa.AuxRequest(lse=True)),
        dict(kernel_options={"BACKEND": "CUDA"}),
        dict(kernel_options={"BACKEND": "AUTO", "FORCE_USE_FLEX_ATTENTION": True}),
        dict(kernel_options={"OUTPUT_MAX": True}),
    ]
    for kw in cases:
        t_kw = dict(kw)
        if "return_aux" in kw:
            t_kw["return_aux"] = tfa.AuxRequest(lse=True)
        t = _outcome(lambda t_kw=t_kw: call(torch, tfa, **t_kw))
        e = _outcome(lambda kw=kw: call(ember, efa, **kw))
        assert t[0] != "ok", kw
        assert e == t, kw


def test_return_lse_is_deprecated():
    efa._WARNINGS_SHOWN.discard("return_lse")
    q = ember.ones(1, 1, 4, 2)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        efa.flex_attention(q, q, q, return_lse=True)
        efa.flex_attention(q, q, q, return_lse=True)
    assert [type(w.message) for w in seen] == [FutureWarning]  # once, as PyTorch
    assert "return_aux=AuxRequest(lse=True)" in str(seen[0].message)


# ----- nn.attention: SDPBackend and sdpa_kernel ---------------------------------------------
def test_sdp_backend_enum_matches():
    t_members = {n: int(v) for n, v in tattn.SDPBackend.__members__.items()}
    e_members = {n: int(v) for n, v in eattn.SDPBackend.__members__.items()}
    assert e_members == t_members
    for name in t_members:
        e, t = getattr(eattn.SDPBackend, name), getattr(tattn.SDPBackend, name)
        assert repr(e) == repr(t) and str(e) == str(t) and e.name == t.name
    assert eattn.WARN_FOR_UNFUSED_KERNELS is tattn.WARN_FOR_UNFUSED_KERNELS


@pytest.mark.parametrize(
    "backends, set_priority",
    [("MATH", False), (["FLASH_ATTENTION", "MATH"], False), (["MATH", "CUDNN_ATTENTION"], True)],
)
def test_sdpa_kernel_switches_and_restores(backends, set_priority):
    def names(lib_attn):
        if isinstance(backends, str):
            return getattr(lib_attn.SDPBackend, backends)
        return [getattr(lib_attn.SDPBackend, b) for b in backends]

    def state(lib, lib_attn):
        c = lib.backends.cuda
        flags = (
            c.flash_sdp_enabled(),
            c.mem_efficient_sdp_enabled(),
            c.math_sdp_enabled(),
            c.cudnn_sdp_enabled(),
        )
        order = [b.name for b in lib_attn._cur_sdpa_kernel_backends(with_priority=True)]
        return flags, order

    seen = {}
    for lib, lib_attn in ((torch, tattn), (ember, eattn)):
        before = state(lib, lib_attn)
        with lib_attn.sdpa_kernel(names(lib_attn), set_priority=set_priority) as ctx:
            assert ctx == {}
            inside = state(lib, lib_attn)
        assert state(lib, lib_attn) == before
        seen[lib.__name__] = (before, inside)
    assert seen["ember"] == seen["torch"]


def test_sdpa_kernel_rejects_other_types():
    for lib_attn in (tattn, eattn):
        with pytest.raises(AssertionError, match="got str"):
            with lib_attn.sdpa_kernel("MATH"):
                pass


@pytest.mark.parametrize("separate", [False, True])
def test_private_helpers_code_imports_match(separate):
    # used directly by public code: block masks built from a dense mask
    dense = R.random((2, 1, 20, 28)) < 0.3
    dense[..., :8, :8] = True
    out = []
    for fa, lib in ((tfa, torch), (efa, ember)):
        tiles = fa._convert_mask_to_block_mask(
            lib.tensor(dense), Q_BLOCK_SIZE=8, KV_BLOCK_SIZE=4, separate_full_blocks=separate
        )
        out.append(fa._create_sparse_block_from_block_mask(tiles, causal, (20, 28), 8, 4))
    _same_block_mask(out[1], out[0])
    assert efa._DEFAULT_SPARSE_BLOCK_SIZE == tfa._DEFAULT_SPARSE_BLOCK_SIZE
    assert efa._mask_mod_signature is not None and efa._score_mod_signature is not None
