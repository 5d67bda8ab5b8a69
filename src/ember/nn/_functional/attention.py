"""Attention: scaled dot-product attention and the multi-head attention forward pass."""

from __future__ import annotations

import math
import warnings

from ... import dtypes

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int"}


def _c_name(dtype):
    return _C_NAMES.get(dtype.name, dtype.name)


def _safe_softmax(scores):
    """Softmax over the last dimension whose fully masked (all -inf) rows are 0, not NaN."""
    from ...ops.where import where

    dead = (scores == float("-inf")).all(-1, keepdim=True)
    if not bool(dead.any()):
        return scores.softmax(-1)
    weights = where(dead, 0.0, scores).softmax(-1)
    return where(dead, 0.0, weights)


def _repeat_heads(t, n_heads):
    """``t`` (..., H, S, E) with each head repeated to ``n_heads`` (repeat_interleave on -3)."""
    h = t.shape[-3]
    if h == n_heads:
        return t
    if n_heads % h:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    lead, (s, e) = tuple(t.shape[:-3]), tuple(t.shape[-2:])
    rep = n_heads // h
    return t.unsqueeze(-3).expand(lead + (h, rep, s, e)).reshape(lead + (n_heads, s, e))


def _check_backend(dropout_p):
    """PyTorch's CPU choice of kernel under ``sdpa_kernel``: the math kernel if allowed, else
    the flash kernel (which has no dropout), else none (its errors, word for word)."""
    from ...backends import cuda as _switches

    if _switches.math_sdp_enabled():
        return
    if not _switches.flash_sdp_enabled():
        raise RuntimeError(
            "No viable backend for scaled_dot_product_attention was found. This is likely due "
            "to turning off both the math kernel and the fused kernels."
        )
    if dropout_p > 0:
        warnings.warn("Flash attention kernel not used because:", UserWarning, stacklevel=3)
        warnings.warn(
            "Both fused kernels do not support non-zero dropout.", UserWarning, stacklevel=3
        )
        raise RuntimeError("No available kernel.  Aborting execution.")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None,
                                 enable_gqa: bool = False):  # fmt: skip
    """``softmax(Q K^T * scale + mask) V`` over the last two dimensions.

    A bool ``attn_mask`` marks the positions that may be attended to; a float one is added
    to the scores. ``is_causal`` masks every key after its query (top-left aligned). Rows
    with nothing to attend to give 0. ``enable_gqa`` repeats key/value heads to match the
    query's.
    """
    from .dropout import dropout

    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead."
        )
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_c_name(query.dtype)} key.dtype: {_c_name(key.dtype)} and value.dtype: "
            f"{_c_name(value.dtype)} instead."
        )
    _check_backend(dropout_p)
    if attn_mask is not None and attn_mask.dtype not in (dtypes.bool, dtypes.float32, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_c_name(attn_mask.dtype)} and  query.dtype: "
            f"{_c_name(query.dtype)} instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if enable_gqa and query.dim() >= 3:
        key = _repeat_heads(key, query.shape[-3])
        value = _repeat_heads(value, query.shape[-3])
    n_q, n_k = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        from ...creation import ones

        keep = ones((n_q, n_k), dtype=dtypes.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    elif attn_mask is not None:
        if attn_mask.dtype == dtypes.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    # a causal mask leaves every row its first key: no fully masked row to guard against
    weights = scores.softmax(-1) if is_causal and n_k else _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value


# ----- multi-head attention ---------------------------------------------------------------
def canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A float mask (-inf where a bool mask is True); warns when the two masks' types differ."""
    if mask is None:
        return None
    if mask.dtype != dtypes.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if mask.dtype == dtypes.bool:
        from ...creation import zeros

        return zeros(tuple(mask.shape), dtype=target_type).masked_fill(mask, float("-inf"))
    return mask


# a query's dimension: how PyTorch's messages name it, and its key padding mask's dimension
_QUERY_KINDS = {3: ("batched (3-D)", 2), 2: ("unbatched (2-D)", 1)}


def _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the call is batched; PyTorch's assertion for inconsistent dimensions."""
    d = query.dim()
    if d not in _QUERY_KINDS:
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {d}-D query tensor"
        )
    kind, want_kpm = _QUERY_KINDS[d]
    if key.dim() != d or value.dim() != d:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {d}-D but found "
            f"{key.dim()}-D and {value.dim()}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.dim() != want_kpm:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {want_kpm}-D but "
            f"found {key_padding_mask.dim()}-D tensor instead"
        )
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                f"{attn_mask.dim()}-D tensor instead"
            )
        if query.dim() == 2 and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                )
    return query.dim() == 3


def _project(query, key, value, separate, w, b, wq, wk, wv):
    from .. import functional as F

    e = query.shape[-1]
    if separate:
        bq = bk = bv = None
        if b is not None:
            bq, bk, bv = b[:e], b[e : 2 * e], b[2 * e :]
        return F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)
    if key is value and query is key:
        return F.linear(query, w, b).chunk(3, -1)
    qb = kb = vb = None
    if b is not None:
        qb, kb, vb = b[:e], b[e : 2 * e], b[2 * e :]
    return (
        F.linear(query, w[:e], qb),
        F.linear(key, w[e : 2 * e], kb),
        F.linear(value, w[2 * e :], vb),
    )


def _heads(t, groups, head_dim):
    """(S, N, E) -> (N * heads, S, head_dim)."""
    return t.reshape(t.shape[0], groups, head_dim).transpose(0, 1)


def _attn_mask_3d(attn_mask, tgt_len, src_len, bsz, num_heads):
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                f"{(tgt_len, src_len)}."
            )
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                f"{(bsz * num_heads, tgt_len, src_len)}."
            )
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _append_key(k, v, attn_mask, key_padding_mask, k_extra, v_extra, dim):
    """Append one key/value position (a learnt bias or zeros) and widen the masks by one."""
    import ember

    from .padding import pad

    k = ember.cat([k, k_extra], dim)
    v = ember.cat([v, v_extra], dim)
    if attn_mask is not None:
        attn_mask = pad(attn_mask, (0, 1))
    if key_padding_mask is not None:
        key_padding_mask = pad(key_padding_mask, (0, 1))
    return k, v, attn_mask, key_padding_mask


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True,
                                 is_causal=False):  # fmt: skip
    """Multi-head attention on (L, N, E) query and (S, N, E_k/E_v) key/value (or unbatched).

    Returns ``(output, weights)``; weights are ``None`` unless ``need_weights`` (then averaged
    over heads unless ``average_attn_weights`` is False).
    """
    import ember

    from .. import functional as F
    from .dropout import dropout

    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask",
                                      None if attn_mask is None else attn_mask.dtype, "attn_mask",
                                      query.dtype)  # fmt: skip
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone says causal: attention masks by position
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    q, k, v = _project(query, key, value, use_separate_proj_weight, in_proj_weight, in_proj_bias,
                       q_proj_weight, k_proj_weight, v_proj_weight)  # fmt: skip
    if attn_mask is not None:
        attn_mask = _attn_mask_3d(attn_mask, tgt_len, src_len, bsz, num_heads)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k, v, attn_mask, key_padding_mask = _append_key(
            k, v, attn_mask, key_padding_mask, bias_k.expand(1, bsz, embed_dim),
            bias_v.expand(1, bsz, embed_dim), 0)  # fmt: skip
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (
        k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
        if static_k is None
        else static_k
    )
    v = (
        v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
        if static_v is None
        else static_v
    )
    if add_zero_attn:
        zeros = ember.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k, v, attn_mask, key_padding_mask = _append_key(
            k, v, attn_mask, key_padding_mask, zeros, zeros.to(v.dtype), 1
        )
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                f"{key_padding_mask.shape}"
            )
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = (q * math.sqrt(1.0 / float(head_dim))) @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = scores.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p, True)
        out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    return (out if batched else out.squeeze(1)), None
