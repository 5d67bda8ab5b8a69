"""Which dtype an op's inputs take under CPU autocast: PyTorch's CPU op lists.

An op asks once per call, at the top of its public function::

    from ..amp import policy, state
    if state.cpu_enabled():
        a, b = policy.autocast_args("mm", a, b)

``autocast_args`` returns the arguments with every eligible floating tensor cast (through
``Tensor.to``, so the cast is recorded for autograd as PyTorch records it); other arguments
pass through. Ops missing from the lists run in their inputs' dtypes, as in PyTorch.
"""

from __future__ import annotations

from . import state

LOWER = "lower_precision_fp"  # run in the autocast dtype (bfloat16 by default)
FP32 = "fp32"  # run in float32
PROMOTE = "promote"  # run in the widest floating dtype among the inputs

_LOWER_OPS = (
    "conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d conv_transpose3d "
    "bmm mm linalg_vecdot baddbmm addmm addbmm linear matmul prelu "
    "scaled_dot_product_attention _native_multi_head_attention mkldnn_rnn_layer"
)
_FP32_OPS = (
    "avg_pool3d binary_cross_entropy grid_sampler grid_sampler_2d grid_sampler_3d polar prod "
    "quantile nanquantile stft cdist trace view_as_complex cholesky cholesky_inverse "
    "cholesky_solve inverse lu_solve orgqr ormqr pinverse max_pool3d max_unpool2d max_unpool3d "
    "adaptive_avg_pool3d reflection_pad1d reflection_pad2d replication_pad1d replication_pad2d "
    "replication_pad3d mse_loss cosine_embedding_loss nll_loss nll_loss2d hinge_embedding_loss "
    "poisson_nll_loss smooth_l1_loss cross_entropy cross_entropy_loss l1_loss huber_loss "
    "margin_ranking_loss soft_margin_loss triplet_margin_loss multi_margin_loss ctc_loss kl_div "
    "multilabel_margin_loss binary_cross_entropy_with_logits fft_fft fft_ifft fft_fft2 "
    "fft_ifft2 fft_fftn fft_ifftn fft_rfft fft_irfft fft_rfft2 fft_irfft2 fft_rfftn fft_irfftn "
    "fft_hfft fft_ihfft linalg_cond linalg_matrix_rank linalg_solve linalg_cholesky "
    "linalg_svdvals linalg_eigvals linalg_eigvalsh linalg_inv linalg_householder_product "
    "linalg_tensorinv linalg_tensorsolve fake_quantize_per_tensor_affine geqrf qr svd "
    "triangular_solve fractional_max_pool2d fractional_max_pool3d adaptive_max_pool3d "
    "linalg_qr linalg_cholesky_ex linalg_svd linalg_eig linalg_eigh linalg_lstsq linalg_inv_ex"
)
_PROMOTE_OPS = "stack cat index_copy"

CPU_OPS = {
    **dict.fromkeys(_LOWER_OPS.split(), LOWER),
    **dict.fromkeys(_FP32_OPS.split(), FP32),
    **dict.fromkeys(_PROMOTE_OPS.split(), PROMOTE),
}


def category(op_name: str):
    """The CPU autocast category of an op name (``LOWER``, ``FP32``, ``PROMOTE``), or None."""
    return CPU_OPS.get(op_name)


def _eligible(x) -> bool:
    # Only floating CPU tensors are cast, and float64 never is (PyTorch leaves doubles alone).
    from ..tensor import Tensor

    return isinstance(x, Tensor) and x.is_floating_point() and not x.is_cuda


def target_dtype(op_category, tensors):
    """The dtype CPU autocast casts eligible inputs of an op of ``op_category`` to, or None.

    None means: autocast is off, or the category asks for no cast.
    """
    if not state.STATE.cpu or op_category is None:
        return None
    if op_category == LOWER:
        return state.get_autocast_dtype("cpu")
    if op_category == FP32:
        from ..dtypes import float32

        return float32
    return _widest(state.get_autocast_dtype("cpu"), tensors)


def _widest(lower, tensors):
    # PyTorch's ranking: float64 over float32 over the autocast dtype; any other floating
    # dtype (float16 under a bfloat16 region) met before a wider one is an error.
    from ..dtypes import float32, float64

    current = lower
    for t in tensors:
        if not _eligible(t):
            continue
        d = t.dtype
        if current is float64 or current is float32:
            if d is float64:
                current = float64
            continue
        if d is float64 or d is float32:
            current = d
        elif d is not current:
            raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return current


def _flat_tensors(args):
    for a in args:
        if isinstance(a, (list, tuple)):
            yield from a
        else:
            yield a


def autocast_args(op_name: str, *args):
    """``args`` with eligible floating tensors cast as CPU autocast wants for ``op_name``.

    Lists and tuples of tensors (``cat``, ``stack``) are cast element by element. Returns a
    tuple of the same length as ``args``.
    """
    target = target_dtype(category(op_name), _flat_tensors(args))
    if target is None:
        return args
    from ..dtypes import float64

    def cast(x):
        if _eligible(x) and x.dtype is not float64 and x.dtype is not target:
            return x.to(target)
        return x

    return tuple(
        type(a)(cast(x) for x in a) if isinstance(a, (list, tuple)) else cast(a) for a in args
    )
