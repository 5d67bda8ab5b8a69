"""Resizing: ``interpolate`` in every mode, as separable per-axis resampling.

Each spatial axis is resampled on its own: for every output position a few input
positions (``taps``) and their weights are computed on the host, in the input's
precision as PyTorch's CPU kernels do; the tensor work is then one gather along the
axis, a multiply and a sum over the taps, so gradients (a scatter-add) come for free.
"""

from __future__ import annotations

import math
import warnings

from ...backend import np
from ...tensor import Tensor

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {"linear": 3, "bilinear": 4, "bicubic": 4, "lanczos": 4, "trilinear": 5}
_CUBIC_A = -0.75  # PyTorch's bicubic (Keys) coefficient; antialiased bicubic uses -0.5


# ----- per-axis taps and weights (host side) ---------------------------------------------
def _scale(n_in, n_out, align_corners, factor, ft):
    """Input step per output step (PyTorch's area_pixel_compute_scale)."""
    if align_corners:
        return ft((n_in - 1) / (n_out - 1)) if n_out > 1 else ft(0)
    if factor is not None and factor > 0:
        return ft(1.0 / factor)
    return ft(n_in) / ft(n_out)


def _source(scale, n_out, align_corners, cubic, ft):
    """Where each output position samples the input (PyTorch's source-index rule)."""
    i = np.arange(n_out, dtype=ft)
    if align_corners:
        return scale * i
    src = scale * (i + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))


def _nearest(n_in, n_out, factor, exact, ft):
    scale = _scale(n_in, n_out, False, factor, ft)
    i = np.arange(n_out, dtype=ft)
    if exact:
        src = np.floor(np.maximum(scale * (i + ft(0.5)) - ft(0.5), ft(0)) + ft(0.5))
    else:
        src = np.floor(scale * i)
    return np.minimum(src.astype(np.int64), n_in - 1)[:, None], None


def _floor_and_frac(src, n_in):
    base = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    frac = np.clip(src - base, 0, 1).astype(src.dtype)
    return base, frac


def _linear(n_in, n_out, align_corners, factor, ft):
    if n_in == n_out:
        return np.arange(n_out)[:, None], None
    src = _source(_scale(n_in, n_out, align_corners, factor, ft), n_out, align_corners, False, ft)
    lo, lam = _floor_and_frac(src, n_in)
    hi = lo + (lo < n_in - 1)
    return np.stack([lo, hi], 1), np.stack([ft(1) - lam, lam], 1)


def _cubic_weights(t, a):
    """Keys' cubic convolution weights of the four taps around fraction ``t``."""

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one = t.dtype.type(1)
    return np.stack([far(t + one), near(t), near(one - t), far(one - t + one)], 1)


def _cubic(n_in, n_out, align_corners, factor, ft):
    src = _source(_scale(n_in, n_out, align_corners, factor, ft), n_out, align_corners, True, ft)
    base, t = _floor_and_frac(src, n_in)
    idx = np.clip(base[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return idx, _cubic_weights(t, ft(_CUBIC_A))


def _triangle(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0)


def _keys_half(x):
    x = np.abs(x)
    a = x.dtype.type(-0.5)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0))


def _lanczos3(x):
    return np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0)


_AA_FILTERS = {"bilinear": (_triangle, 2), "bicubic": (_keys_half, 4), "lanczos": (_lanczos3, 6)}


def _antialiased(n_in, n_out, align_corners, factor, mode, ft):
    """Filter taps widened by the downscale factor and normalised (PIL's resampling)."""
    kernel, width = _AA_FILTERS[mode]
    scale = _scale(n_in, n_out, align_corners, factor, ft)
    support = (width * 0.5) * scale if scale >= 1 else width * 0.5
    taps = int(math.ceil(support)) * 2 + 1
    inv = ft(1) / scale if scale >= 1 else ft(1)
    center = scale * (np.arange(n_out, dtype=ft) + ft(0.5))
    lo = np.maximum((center - ft(support) + ft(0.5)).astype(np.int64), 0)
    size = np.minimum((center + ft(support) + ft(0.5)).astype(np.int64), n_in) - lo
    size = np.clip(size, 0, taps)
    j = np.arange(taps)
    w = kernel(((j[None, :] + lo[:, None]).astype(ft) - center[:, None] + ft(0.5)) * inv)
    w = np.where(j[None, :] < size[:, None], w, 0).astype(ft)
    total = w.sum(1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w).astype(ft)
    idx = np.minimum(lo[:, None] + j[None, :], n_in - 1)
    return idx, w


def _adaptive(n_in, n_out, ft):
    """Adaptive average pooling windows: [floor(i n/o), ceil((i+1) n/o)) each."""
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    taps = int((end - start).max()) if n_out else 1
    j = np.arange(taps)
    inside = j[None, :] < (end - start)[:, None]
    idx = np.minimum(start[:, None] + j[None, :], n_in - 1)
    w = np.where(inside, 1.0 / (end - start)[:, None], 0.0).astype(ft)
    return idx, w


# ----- the tensor side ----------------------------------------------------------------------
def _resample_axis(x, axis, idx, w):
    """Gather ``idx`` (out, taps) along ``axis`` and sum the taps weighted by ``w``."""
    n_out, taps = idx.shape
    if taps == 1 and w is None:
        return x.index_select(axis, Tensor._make(idx[:, 0].astype(np.int64)))
    moved = x.movedim(axis, -1)
    g = moved.index_select(-1, Tensor._make(idx.reshape(-1).astype(np.int64)))
    g = g.reshape(tuple(moved.shape[:-1]) + (n_out, taps))
    out = (g * Tensor._make(w.astype(x._data.dtype))).sum(-1)
    return out.movedim(-1, axis)


def _opmath(x):
    """Host dtype for positions and weights: the input's, float32 for half."""
    dt = x._data.dtype
    return np.float32 if dt.itemsize < 4 else dt.type


def adaptive_avg_pool3d(input, output_size):
    """Average over adaptive windows to a fixed (D, H, W) on (N, C, D, H, W) or (C, D, H, W)."""
    if input.dim() not in (4, 5):
        raise RuntimeError(
            f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got {list(input.shape)}"
        )
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 3
    if len(sizes) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    in_sz = tuple(input.shape[-3:])
    sizes = tuple(n if s is None else s for s, n in zip(sizes, in_sz))
    x = input
    for k in range(3):
        axis = input.dim() - 3 + k
        x = _resample_axis(x, axis, *_adaptive(in_sz[k], sizes[k], _opmath(input)))
    return x


def _size_error(in_sz, out_sz):
    names = ("D", "H", "W")[3 - len(in_sz) :]

    def fmt(v):
        return ", ".join(f"{n}: {s}" for n, s in zip(names, v))

    joint = " and output " if len(in_sz) == 1 else " output "
    return RuntimeError(
        f"Input and output sizes should be greater than 0, but got input ({fmt(in_sz)})"
        f"{joint}({fmt(out_sz)})"
    )


def _target(input, size, scale_factor, recompute, mode):
    """Output sizes and the per-axis scale factors the kernels use (``None`` where derived)."""
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                    "in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(s, int) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}"
                )
            out = list(size)
        else:
            out = [size] * dim
        factors = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format."
                )
            factors = [float(f) for f in scale_factor]
        else:
            factors = [float(scale_factor)] * dim
        out = [int(n * f) for n, f in zip(spatial, factors)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute or mode == "area":
        # The size is fixed from the factor and the factor forgotten.
        out = [
            math.floor(float(n) * f) if f is not None else o
            for n, f, o in zip(spatial, factors, out)
        ]
        factors = [None] * dim
    return out, factors


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False):  # fmt: skip
    """Resize the spatial dimensions of (N, C, *) ``input`` to ``size`` or by ``scale_factor``.

    Modes: nearest, nearest-exact, linear (3-D input), bilinear and bicubic (4-D),
    trilinear (5-D), area (adaptive average pooling), and lanczos (antialiased only);
    ``antialias`` applies to bilinear, bicubic and lanczos on 4-D inputs.
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    out, factors = _target(input, size, scale_factor, recompute_scale_factor, mode)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
            "a 4-D tensor as input"
        )
    nd = input.dim()
    supported = mode in ("nearest", "nearest-exact", "area") and nd in (3, 4, 5)
    if not supported and _NEEDS.get(mode) != nd:
        if mode in ("linear", "bilinear", "trilinear") and nd in (3, 4, 5):
            raise NotImplementedError(
                f"Got {nd}D input, but {mode} mode needs {_NEEDS[mode]}D input"
            )
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the modes: "
            f"{_MODES} (got {mode})"
        )
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    in_sz = tuple(input.shape[2:])
    if mode == "area":
        if nd == 3:
            from .. import functional as F

            return F.adaptive_avg_pool1d(input, out[0])
        if nd == 4:
            from .. import functional as F

            return F.adaptive_avg_pool2d(input, tuple(out))
        return adaptive_avg_pool3d(input, tuple(out))
    if any(n <= 0 for n in in_sz) or any(o <= 0 for o in out):
        raise _size_error(in_sz, out)
    ft = _opmath(input)
    x = input
    for k in range(nd - 2):
        n_in, n_out, f = in_sz[k], out[k], factors[k]
        if mode in ("nearest", "nearest-exact"):
            taps = _nearest(n_in, n_out, f, mode == "nearest-exact", ft)
        elif antialias:
            taps = _antialiased(n_in, n_out, align_corners, f, mode, ft)
        elif mode == "bicubic":
            taps = _cubic(n_in, n_out, align_corners, f, ft)
        else:
            taps = _linear(n_in, n_out, align_corners, f, ft)
        x = _resample_axis(x, 2 + k, *taps)
    return x


def _deprecated(name, hint=""):
    warnings.warn(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.{hint}",
        stacklevel=3,
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated spelling of ``interpolate``."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
