"""``torch.nn.attention.flex_attention``: attention with a user score_mod and a block mask.

Computed eagerly on the whole score matrix: ``scores = Q K^T * scale``, then
``score_mod(score, b, h, q_idx, kv_idx)`` where the block mask's ``mask_mod`` allows the
position and ``-inf`` elsewhere, a softmax (rows with nothing allowed give 0) and ``@ V``.
The index arguments are int64 tensors shaped to broadcast against the (B, H, Q, KV) scores,
so functions written with tensor ops, indexing and ``torch.where`` apply to every position
at once; gradients reach the query, key, value and any tensor the score_mod closes over.
"""

from __future__ import annotations

import math
import operator
import typing
from typing import Callable, NamedTuple, TypedDict

from ... import dtypes
from ...tensor import Tensor
from ._block_mask import (  # noqa: F401  (private helpers code imports from this module)
    _DEFAULT_SPARSE_BLOCK_SIZE,
    _LARGE_SPARSE_BLOCK_SIZE,
    BlockMask,
    _convert_mask_to_block_mask,
    _create_empty_block_mask,
    _create_sparse_block_from_block_mask,
    _dense_to_ordered,
    _ordered_to_dense,
    _sliced_mask_mod_error,
    create_block_mask,
    create_mask,
    index_grids,
    noop_mask,
)

__all__ = [
    "BlockMask",
    "flex_attention",
    "AuxOutput",
    "AuxRequest",
    "FlexKernelOptions",
    "create_block_mask",
    "create_mask",
    "or_masks",
    "and_masks",
    "noop_mask",
]

_score_mod_signature = Callable[[Tensor, Tensor, Tensor, Tensor, Tensor], Tensor]
_mask_mod_signature = Callable[[Tensor, Tensor, Tensor, Tensor], Tensor]
_Backend = typing.Literal["AUTO", "TRITON", "FLASH", "TRITON_DECODE"]


class FlexKernelOptions(TypedDict, total=False):
    """Options of the fused kernels (accepted and checked; this eager version has none)."""

    num_warps: int
    num_stages: int
    BLOCK_M: int
    BLOCK_N: int
    BLOCK_M1: int
    BLOCK_N1: int
    BLOCK_M2: int
    BLOCK_N2: int
    PRESCALE_QK: bool
    ROWS_GUARANTEED_SAFE: bool
    BLOCKS_ARE_CONTIGUOUS: bool
    WRITE_DQ: bool
    FORCE_USE_FLEX_ATTENTION: bool
    USE_TMA: bool
    kpack: int
    matrix_instr_nonkdim: int
    waves_per_eu: int
    BACKEND: _Backend


class AuxRequest(NamedTuple):
    """Which auxiliary outputs flex_attention should return."""

    lse: bool = False
    max_scores: bool = False


class AuxOutput(NamedTuple):
    """Auxiliary outputs of flex_attention (None where not requested)."""

    lse: typing.Any = None
    max_scores: typing.Any = None


def _identity(score, batch, head, token_q, token_kv):
    """The score_mod that leaves scores unchanged."""
    return score


def _joined(mask_mods, outer, name, start, join):
    """A mask_mod folding the answers of ``mask_mods`` with ``join``, from ``start``."""
    if not all(callable(m) for m in mask_mods):
        raise RuntimeError(f"All inputs should be callable mask_mods: {mask_mods}")

    def mask(b, h, q_idx, kv_idx):
        result = b.new_full((), start, dtype=dtypes.bool)
        for m in mask_mods:
            result = join(result, m(b, h, q_idx, kv_idx))
        return result

    mask.__name__, mask.__qualname__ = name, f"{outer}.<locals>.{name}"
    return mask


def or_masks(*mask_mods):
    """A mask_mod allowing a position where any of ``mask_mods`` allows it."""
    return _joined(mask_mods, "or_masks", "or_mask", False, operator.or_)


def and_masks(*mask_mods):
    """A mask_mod allowing a position where every one of ``mask_mods`` allows it."""
    return _joined(mask_mods, "and_masks", "and_mask", True, operator.and_)


_WARNINGS_SHOWN: set = set()


def _check_inputs(query, key, value, enable_gqa):
    if query.device != key.device or query.device != value.device:
        raise ValueError(
            "Expected query, key, and value to have the same device type, but got query.device: "
            f"{query.device}, key.device: {key.device}, and value.device: {value.device} instead."
        )
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise ValueError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{query.dim()}, key.dim: {key.dim()} and value.dim: {value.dim()} instead."
        )
    if query.size(-1) != key.size(-1):
        raise ValueError(
            "Expect query and key/value to have the same embedding dimension but got "
            f"E={query.size(-1)} and E={key.size(-1)}."
        )
    if query.dim() != 4 or key.dim() != 4 or value.dim() != 4:
        raise NotImplementedError("NYI: query, key, and value must be 4D tensors")
    hq, hkv = query.size(1), key.size(1)
    if not enable_gqa and hq != hkv:
        raise ValueError(
            "Expect query and key/value to have the same number of heads but got "
            f"Hq={hq} and Hkv={hkv}. Try setting enable_gqa=True for GQA."
        )
    if enable_gqa and hq % hkv != 0:
        raise ValueError(
            "Expect number of query heads to be a multiple of kv heads for GQA but got "
            f"Hq={hq} and Hkv={hkv}."
        )


def _check_block_mask(block_mask, query, key):
    if query.size(0) != key.size(0):
        if block_mask is None:
            raise ValueError(
                "Expect query and key/value to have the same batch size, or non-none block_mask, "
                f"but got block_mask=None, Bq={query.size(0)}, and Bkv={key.size(0)}."
            )
        if block_mask.kv_num_blocks.size(0) != query.size(0):
            raise ValueError(
                "Expect query and key/value to have the same batch size, or block_mask and query "
                f"to have the same batch size, but got Bq={query.size(0)}, Bkv={key.size(0)}, "
                f"B_block_mask={block_mask.kv_num_blocks.size(0)}."
            )
    if block_mask is None:
        return _create_empty_block_mask(query)
    if getattr(block_mask, "mask_mod", None) is _sliced_mask_mod_error:
        raise RuntimeError("Cannot use mask_mod from a sliced BlockMask")
    if tuple(block_mask.BLOCK_SIZE) == (_LARGE_SPARSE_BLOCK_SIZE, _LARGE_SPARSE_BLOCK_SIZE):
        return block_mask
    mq, mkv = block_mask.shape[-2], block_mask.shape[-1]
    lq, lkv = query.size(-2), key.size(-2)
    made_for = f"block_mask was created for block_mask.shape={block_mask.shape} but got q_len={lq} "
    if lq > mq or lkv > mkv:
        raise ValueError(
            made_for + f"and kv_len={lkv}. As the block mask was created for a smaller length "
            "than you're using it for, you likely need to create a new block mask."
        )
    if lq != mq or lkv != mkv:
        raise ValueError(
            made_for + f"and kv_len={lkv}. As the block mask was created for a larger length than "
            "you're using it for, you can either 1. create a new block mask with the correct "
            "length, or 2. 'adjust' the existing block mask to the correct length by calling "
            "block_mask._adjust(q_len, kv_len). This essentially 'crops' the block mask to the "
            "upper left corner, which does not work for all mask_mods!"
        )
    return block_mask


def _check_kernel_options(kernel_options, want_max):
    options = {} if kernel_options is None else dict(kernel_options)
    if "BACKEND" in options and options.get("FORCE_USE_FLEX_ATTENTION", False):
        raise RuntimeError(
            "BACKEND cannot be combined with legacy FORCE_USE_FLEX_ATTENTION. BACKEND supersedes "
            "the legacy knob; please drop FORCE_USE_FLEX_ATTENTION and only specify the desired "
            "BACKEND."
        )
    valid = typing.get_args(_Backend)
    if "BACKEND" in options and options["BACKEND"] not in valid:
        raise ValueError(f"Invalid BACKEND value '{options['BACKEND']}'. Must be one of {valid}")
    for internal in ("OUTPUT_LOGSUMEXP", "OUTPUT_MAX"):
        if internal in options:
            raise AssertionError(f"{internal} must not be in kernel_options")
    if options.get("BACKEND") == "FLASH" and want_max:
        raise NotImplementedError(
            "Returning max scores is not supported with BACKEND='FLASH'. Use "
            "return_aux=AuxRequest(lse=True) or omit max_scores."
        )


def _attend(query, key, value, score_mod, mask_mod, scale, want_max):
    """(output, lse, max_scores or None); statistics in the working precision."""
    from ...creation import full
    from ...ops.where import where
    from .._functional.attention import _safe_softmax

    group = query.size(1) // key.size(1)
    if group != 1:
        key = key.repeat_interleave(group, dim=1)
        value = value.repeat_interleave(group, dim=1)
    bq, bkv = query.size(0), key.size(0)
    if not (bq == bkv or (bq > 1 and bkv == 1)):
        raise RuntimeError(f"Bq and Bkv must broadcast. Got Bq={bq} and Bkv={bkv}")
    key = key.expand((bq, *key.shape[1:]))
    value = value.expand((bq, *value.shape[1:]))
    work = dtypes.float64 if query.dtype == dtypes.float64 else dtypes.float32
    scores = (query.to(work) @ key.to(work).transpose(-2, -1)) * scale
    shape = tuple(scores.shape)
    grids = index_grids(*shape, scores.device)
    keep = mask_mod(*grids).expand(shape)
    modded = score_mod(scores, *grids)
    neg_inf = full((), float("-inf"), dtype=work, device=scores.device)
    post = where(keep, modded, neg_inf).expand(shape)
    dead = (post == float("-inf")).all(dim=-1)
    # logsumexp of a row with nothing allowed is -inf; computed on zeros so no NaN flows back
    lse = where(dead, neg_inf, where(dead.unsqueeze(-1), 0.0, post).logsumexp(dim=-1))
    probs = _safe_softmax(post)
    out = probs.to(query.dtype) @ value.to(query.dtype)
    return out, lse, (post.max(dim=-1).values if want_max else None)


def flex_attention(query, key, value, score_mod=None, block_mask=None, scale=None, enable_gqa=False,
                   return_lse=False, kernel_options=None, *, return_aux=None):  # fmt: skip
    """Attention over (B, Hq, L, E) query and (B, Hkv, S, E/Ev) key/value with a score_mod.

    ``block_mask``'s mask_mod decides which positions may be attended to; ``return_lse``
    (deprecated) or ``return_aux`` add the log-sum-exp (and max) of each query's scores.
    """
    _check_inputs(query, key, value, enable_gqa)
    block_mask = _check_block_mask(block_mask, query, key)
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    if query.device != block_mask.kv_num_blocks.device:
        raise RuntimeError(
            "Expect q/k/v and block_mask to be on the same device but got "
            f"{query.device} and {block_mask.kv_num_blocks.device}."
        )
    if return_lse and return_aux is not None:
        raise ValueError(
            "Cannot specify both return_lse and return_aux. return_lse is deprecated, please use "
            "return_aux=AuxRequest(lse=True) instead."
        )
    if return_lse and "return_lse" not in _WARNINGS_SHOWN:
        import warnings

        _WARNINGS_SHOWN.add("return_lse")
        warnings.warn(
            "return_lse is deprecated and will be removed in v2.10. Please use "
            "return_aux=AuxRequest(lse=True) instead.",
            FutureWarning,
            stacklevel=2,
        )
    want_max = return_aux is not None and return_aux.max_scores
    _check_kernel_options(kernel_options, want_max)
    mod = _identity if score_mod is None else score_mod
    out, lse, max_scores = _attend(query, key, value, mod, block_mask.mask_mod, scale, want_max)
    if return_aux is not None:
        return out, AuxOutput(
            lse=lse if return_aux.lse else None,
            max_scores=max_scores,
        )
    if return_lse:
        return out, lse
    return out
