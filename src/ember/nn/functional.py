"""``ember.nn.functional``: the functional forms of layers, activations and losses.

Convolution, pooling and losses live in ``ember.ops`` (conv, pooling, losses) and are
re-exported here; activations, softmax and friends come from their op families at
call time (any name not defined here is looked up on ``ember``), so this module
imports even while a family is missing.
"""

from __future__ import annotations

import math

from ..ops import inplace as _inplace
from ..ops.conv import (  # noqa: F401
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from ..ops.losses import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
)
from ..ops.pooling import (  # noqa: F401
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
)
from ..tensor import Tensor

_found = {}


def _lookup(name):
    """The op family's function ``name`` (activation, nn_ops, then any ``ember.<name>``)."""
    fn = _found.get(name)
    if fn is None:
        fn = _found[name] = _search(name)
    return fn


def _search(name):
    import importlib

    for family in ("activation", "nn_ops"):
        try:
            mod = importlib.import_module(f"ember.ops.{family}")
        except ModuleNotFoundError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn) and getattr(fn, "__module__", None) == mod.__name__:
            return fn
    import ember

    fn = getattr(ember, name, None)
    if fn is None:
        raise AttributeError(f"module 'ember.nn.functional' has no attribute '{name}'")
    return fn


def __getattr__(name):
    # Activations, softmax, one_hot, ... come from their op families, looked up late.
    if name.startswith("_"):
        raise AttributeError(name)
    return _lookup(name)


def _maybe_inplace(input, fn, inplace):
    if inplace:
        return _inplace.inplace(input, fn)
    return fn(input)


def relu(input, inplace: bool = False):
    """max(x, 0)."""
    from ..ops.unary import relu as _relu

    if inplace:
        return _inplace.inplace(input, _relu)
    return _relu(input)


def sigmoid(input):
    """1 / (1 + exp(-x))."""
    return _lookup("sigmoid")(input)


def tanh(input):
    """Hyperbolic tangent."""
    return _lookup("tanh")(input)


# ----- linear, dropout, embedding ------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``."""
    try:
        fused = _lookup("linear")
    except AttributeError:
        fused = None
    if fused is not None and fused is not linear:
        return fused(input, weight, bias)
    out = input.matmul(weight.t()) if weight.dim() == 2 else input.matmul(weight)
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """``x1^T A x2 + b`` for each output feature."""
    y = (input1.unsqueeze(-2).unsqueeze(-2) @ weight).squeeze(-2)  # (..., out, in2)
    out = (y * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


def _dropout_check(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (train only)."""
    _dropout_check(p)
    if not training or p == 0.0:
        return input
    from ..random import _rng

    data = input._data
    keep = _rng(None).random(data.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make(keep.astype(data.dtype) * data.dtype.type(scale))
    return _maybe_inplace(input, lambda t: t * mask, inplace)


def _channel_dropout(input, p, training, inplace, batched_dims):
    _dropout_check(p)
    if not training or p == 0.0:
        return input
    from ..random import _rng

    data = input._data
    shape = data.shape[:batched_dims] + (1,) * (data.ndim - batched_dims)
    keep = _rng(None).random(shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make(keep.astype(data.dtype) * data.dtype.type(scale))
    return _maybe_inplace(input, lambda t: t * mask, inplace)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, L) inputs."""
    return _channel_dropout(input, p, training, inplace, 2 if input.dim() == 3 else 1)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, H, W) inputs."""
    return _channel_dropout(input, p, training, inplace, 2 if input.dim() == 4 else 1)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, D, H, W) inputs."""
    return _channel_dropout(input, p, training, inplace, 2 if input.dim() == 5 else 1)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _dropout_check(p)
    if not training or p == 0.0:
        return input
    from ..random import _rng

    alpha_p = -1.7580993408473766
    data = input._data
    keep = (_rng(None).random(data.shape) >= p).astype(data.dtype)
    a = (1 - p + alpha_p**2 * p * (1 - p)) ** -0.5
    b = -a * alpha_p * p
    return input * Tensor._make(keep * a) + Tensor._make((1 - keep) * (a * alpha_p) + b)


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` at the indices ``input``; no gradient reaches ``padding_idx``."""
    idx = input._data if isinstance(input, Tensor) else input
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    n_rows = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(
            f"index out of range in self. Index {bad} is outside the {n_rows} rows of the "
            "embedding weight."
        )
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    out = weight[Tensor._make(idx)]
    if padding_idx is not None and weight._requires_grad:
        from ..ops.where import where

        pad = Tensor._make((idx != padding_idx)[..., None])
        out = where(pad, out, out.detach())
    return out


def _renorm_rows(weight, idx, max_norm, norm_type):
    from ..backend import xp_of

    xp = xp_of(weight._data)
    rows = xp.unique(idx)
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] *= scale[:, None].astype(w.dtype)
    weight._version[0] += 1


# ----- normalisation ----------------------------------------------------------------------
def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalise per channel with batch statistics (training) or running statistics.

    Training normalises with the biased batch variance and folds the unbiased one
    into ``running_var``.
    """
    x = input
    if x.dim() < 2:
        raise ValueError(f"expected 2D or higher input (got {x.dim()}D input)")
    c = x.shape[1]
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    dims = (0,) + tuple(range(2, x.dim()))
    shape = (1, c) + (1,) * (x.dim() - 2)
    if training:
        n = x.numel() // max(c, 1)
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape}"
            )
        mean = x.mean(dims, keepdim=True)
        d = x - mean
        var = (d * d).mean(dims, keepdim=True)
        if running_mean is not None or running_var is not None:
            m = 0.0 if momentum is None else momentum
            if running_mean is not None:
                rm = running_mean._data
                rm *= 1 - m
                rm += m * mean._data.reshape(c).astype(rm.dtype)
                running_mean._version[0] += 1
            if running_var is not None:
                rv = running_var._data
                rv *= 1 - m
                rv += m * var._data.reshape(c).astype(rv.dtype) * (n / (n - 1))
                running_var._version[0] += 1
        out = d * (var + eps).rsqrt()
    else:
        for name, t in (("running_mean", running_mean), ("running_var", running_var)):
            if t is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
        rm = running_mean.reshape(shape)
        rv = running_var.reshape(shape)
        out = (x - rm) * (rv + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Normalise each (sample, channel) over its spatial positions."""
    x = input
    n, c = x.shape[:2]
    dims = tuple(range(2, x.dim()))
    shape = (1, c) + (1,) * (x.dim() - 2)
    if use_input_stats:
        mean = x.mean(dims, keepdim=True)
        d = x - mean
        var = (d * d).mean(dims, keepdim=True)
        if running_mean is not None:
            k = x.numel() // (n * c)
            rm, rv = running_mean._data, running_var._data
            rm *= 1 - momentum
            rm += momentum * mean._data.reshape(n, c).mean(0).astype(rm.dtype)
            rv *= 1 - momentum
            rv += momentum * (var._data.reshape(n, c) * (k / (k - 1))).mean(0).astype(rv.dtype)
        out = d * (var + eps).rsqrt()
    else:
        out = (x - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over the last ``len(normalized_shape)`` dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.dim() - k :]) != normalized_shape or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{list(input.shape)}"
        )
    dims = tuple(range(input.dim() - k, input.dim()))
    mean = input.mean(dims, keepdim=True)
    d = input - mean
    var = (d * d).mean(dims, keepdim=True)
    out = d * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Scale by the root mean square over the last dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    dims = tuple(range(input.dim() - len(normalized_shape), input.dim()))
    if eps is None:
        import numpy

        eps = float(numpy.finfo(input._data.dtype).eps)
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over groups of channels (and all spatial positions)."""
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {input.shape} and num_groups={num_groups}"
        )
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    d = x - mean
    var = (d * d).mean(-1, keepdim=True)
    out = (d * (var + eps).rsqrt()).reshape(input.shape)
    shape = (1, c) + (1,) * (input.dim() - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):  # pragma: no cover
    """Not implemented in Ember."""
    raise NotImplementedError("local_response_norm is not implemented in Ember")


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    from ..ops.where import where

    if p == 2:
        norm = (input * input).sum(dim, keepdim=True).sqrt()
    else:
        norm = (input.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    return input / where(norm < eps, eps, norm)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``."""
    from ..ops.where import where

    n1 = (x1 * x1).sum(dim).sqrt()
    n2 = (x2 * x2).sum(dim).sqrt()
    n1 = where(n1 < eps, eps, n1)
    n2 = where(n2 < eps, eps, n2)
    return ((x1 / n1.unsqueeze(dim)) * (x2 / n2.unsqueeze(dim))).sum(dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """p-norm of ``x1 - x2 + eps`` along the last dimension."""
    d = x1 - x2 + eps
    if p == 2:
        return (d * d).sum(-1, keepdim=keepdim).sqrt()
    return (d.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


# ----- padding -------------------------------------------------------------------------------
def pad(input, pad, mode: str = "constant", value=None):
    """Pad the last ``len(pad) // 2`` dimensions (pairs given from the last dimension back)."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    pairs = [(0, 0)] * (input.dim() - nd) + [
        (pad[2 * (nd - 1 - i)], pad[2 * (nd - 1 - i) + 1]) for i in range(nd)
    ]
    if mode == "constant":
        return _constant_pad(input, pairs, 0.0 if value is None else value)
    import numpy

    x = input
    for axis, (lo, hi) in enumerate(pairs):
        if not lo and not hi:
            continue
        n = x.shape[axis]
        pos = numpy.arange(-lo, n + hi)
        if mode == "reflect":
            if lo >= n or hi >= n:
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input "
                    f"{list(input.shape)}"
                )
            period = 2 * (n - 1) if n > 1 else 1
            m = numpy.mod(pos, period)
            idx = numpy.where(m < n, m, period - m)
        elif mode == "replicate":
            idx = numpy.clip(pos, 0, n - 1)
        elif mode == "circular":
            idx = numpy.mod(pos, n)
        else:
            raise NotImplementedError(f"Unsupported padding mode: {mode}")
        index = (slice(None),) * axis + (Tensor._make(idx.astype(numpy.int64)),)
        x = x[index]
    return x


def _constant_pad(input, pairs, value):
    from ..creation import full

    crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, input.shape))
    x = input[crop] if any(lo < 0 or hi < 0 for lo, hi in pairs) else input
    pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if not any(lo or hi for lo, hi in pairs):
        return x
    shape = tuple(n + lo + hi for (lo, hi), n in zip(pairs, x.shape))
    out = full(shape, value, dtype=x.dtype)
    region = tuple(slice(lo, lo + n) for (lo, _), n in zip(pairs, x.shape))
    out[region] = x
    return out


# ----- misc -------------------------------------------------------------------------------
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L) of sliding blocks."""
    from ..ops.conv import ConvNd, _tuple

    k = _tuple(kernel_size, 2)
    n, c = input.shape[:2]
    eye = Tensor._make(
        __import__("numpy").eye(math.prod(k), dtype=input._data.dtype).reshape((-1, 1) + k)
    )
    x = input.reshape((n * c, 1) + tuple(input.shape[2:]))
    pads = tuple((p, p) for p in _tuple(padding, 2))
    geom = (_tuple(stride, 2), pads, _tuple(dilation, 2), 1)
    cols = ConvNd.apply(x, eye, geom)  # (N*C, K, oh, ow)
    return cols.reshape(n, c * math.prod(k), -1)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: the adjoint of ``unfold`` (overlapping values add up)."""
    from ..ops.conv import ConvTransposeNd, _tuple

    k = _tuple(kernel_size, 2)
    osz = _tuple(output_size, 2)
    st, dl = _tuple(stride, 2), _tuple(dilation, 2)
    pd = _tuple(padding, 2)
    n = input.shape[0]
    kk = math.prod(k)
    c = input.shape[1] // kk
    oh = (osz[0] + 2 * pd[0] - dl[0] * (k[0] - 1) - 1) // st[0] + 1
    ow = (osz[1] + 2 * pd[1] - dl[1] * (k[1] - 1) - 1) // st[1] + 1
    cols = input.reshape(n * c, kk, oh, ow)
    eye = Tensor._make(__import__("numpy").eye(kk, dtype=input._data.dtype).reshape((kk, 1) + k))
    geom = (st, tuple((p, p) for p in pd), dl, 1)
    out = ConvTransposeNd.apply(cols, eye, geom, osz)
    return out.reshape((n, c) + osz)


def pixel_shuffle(input, upscale_factor: int):
    """(N, C r^2, H, W) -> (N, C, H r, W r)."""
    r = upscale_factor
    n, c, h, w = input.shape[-4:]
    x = input.reshape(n, c // (r * r), r, r, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor: int):
    """(N, C, H r, W r) -> (N, C r^2, H, W)."""
    r = downscale_factor
    n, c, h, w = input.shape[-4:]
    x = input.reshape(n, c, h // r, r, w // r, r).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * r * r, h // r, w // r)


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize with ``mode='nearest'`` (other modes are not implemented in Ember)."""
    import numpy

    if mode != "nearest":
        raise NotImplementedError(f"interpolate mode '{mode}' is not implemented in Ember")
    nd = input.dim() - 2
    in_sz = input.shape[2:]
    if size is None:
        sf = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
        size = tuple(int(math.floor(s * f)) for s, f in zip(in_sz, sf))
        scales = sf
    else:
        size = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        scales = tuple(o / i for o, i in zip(size, in_sz))
    x = input
    for i in range(nd):
        idx = numpy.minimum(
            numpy.floor(numpy.arange(size[i]) / scales[i]).astype(numpy.int64), in_sz[i] - 1
        )
        x = x[(slice(None),) * (2 + i) + (Tensor._make(idx),)]
    return x


def _public_names():
    names = [n for n in globals() if not n.startswith("_")]
    names = [n for n in names if n not in ("math", "Tensor", "annotations")]
    import importlib

    for family, attr in (("activation", "FUNCTIONAL"), ("nn_ops", "__all__")):
        try:
            mod = importlib.import_module(f"ember.ops.{family}")
        except ModuleNotFoundError:
            continue
        names += [n for n in getattr(mod, attr, ()) if n not in names]
    return names


__all__ = _public_names()
