"""Sampling at arbitrary points: ``grid_sample`` and the grids ``affine_grid`` makes.

The sampling is composed of Ember ops: the source coordinates are a linear function of the
grid (their padding fold — clip or reflect — is piecewise linear, so its value and slope are
worked out on the host and the coordinate is rebuilt as ``slope * c + offset``); corner
indices are host integers, and the tensor work is a gather per corner times its weight.
Gradients with respect to the input (a scatter-add) and to the grid (through the weights)
follow from the composition, second order included.
"""

from __future__ import annotations

import itertools
import warnings

from ...backend import np
from ...dtypes import scalar_type_name
from ...tensor import Tensor

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75  # Keys' cubic convolution coefficient, as PyTorch's bicubic sampling uses
_DEFAULT_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _sizes(t):
    return list(t.shape)


def _check(input, grid, mode):
    """PyTorch's argument errors of ``grid_sampler``."""
    nd = input.dim()
    if grid.dim() != nd or nd not in (4, 5):
        if input.dim() == grid.dim() and nd < 4:
            raise RuntimeError(
                f"grid_sampler(): expected grid to have size {nd - 2} in last dimension, but "
                f"got grid with sizes {_sizes(grid)}"
            )
        raise RuntimeError(
            f"grid_sampler(): expected {nd}D input and grid with same number of dimensions, "
            f"but got input with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}"
        )
    if grid.shape[-1] != nd - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {nd - 2} in last dimension, but got "
            f"grid with sizes {_sizes(grid)}"
        )
    for d in range(2, nd):
        if input.shape[d] == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {_sizes(input)} with dimension {d} being empty"
            )
    if mode == "bicubic" and nd != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(input)} but found {scalar_type_name(grid)}"
        )
    if not input.is_floating_point():
        kernel = "grid_sampler_2d_cpu_kernel_impl" if nd == 4 else "grid_sampler_3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(input)}'")


def _unnormalize(c, size, align_corners):
    """Grid coordinate in [-1, 1] to a pixel coordinate along an axis of ``size`` pixels."""
    if align_corners:
        return (c + 1) * ((size - 1) / 2)
    return ((c + 1) * size - 1) / 2


def _reflect(x, low2, high2):
    """(value, slope) of ``x`` folded into [low2/2, high2/2] by reflections."""
    if low2 == high2:
        return np.zeros_like(x), np.zeros_like(x)
    lo, span = low2 / 2, (high2 - low2) / 2
    shifted = x - lo
    sign = np.where(shifted < 0, -1, 1).astype(x.dtype)
    shifted = np.abs(shifted)
    extra = np.fmod(shifted, span)
    even = np.floor(shifted / span) % 2 == 0
    value = np.where(even, extra + lo, span - extra + lo).astype(x.dtype)
    return value, np.where(even, sign, -sign).astype(x.dtype)


def _fold(x, size, padding_mode, align_corners):
    """(value, slope) of the padding fold of pixel coordinates ``x`` (host arrays)."""
    slope = np.ones_like(x)
    if padding_mode == "reflection":
        low2, high2 = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        x, slope = _reflect(x, low2, high2)
    if padding_mode in ("border", "reflection"):
        inside = (x > 0) & (x < size - 1)
        x = np.clip(x, 0, size - 1).astype(x.dtype)
        slope = np.where(inside, slope, 0).astype(x.dtype)
    return x, slope


def _through(c, value, slope):
    """A tensor equal to ``value`` whose derivative with respect to ``c`` is ``slope``."""
    s = Tensor._make(slope)
    return c * s + Tensor._make(value - c._data * slope)


def _gather(flat, index, valid, weight):
    """``flat`` (N, C, P_in) read at ``index`` (N, P) times ``weight`` (N, P), zero where not
    ``valid``."""
    n, ch = flat.shape[0], flat.shape[1]
    idx = Tensor._make(np.where(valid, index, 0).astype(np.int64)[:, None, :])
    picked = flat.gather(2, idx.expand(n, ch, index.shape[1]))
    w = weight * Tensor._make(valid.astype(weight._data.dtype))
    return picked * w.unsqueeze(1)


def _strides(spatial):
    """Row-major strides of a spatial shape, listed from the last axis (x) to the first."""
    strides, step = [], 1
    for s in reversed(spatial):
        strides.append(step)
        step *= s
    return strides


def _linear_or_nearest(flat, coords, spatial, mode):
    """Bilinear/trilinear or nearest sampling at folded pixel coordinates (x first)."""
    sizes = list(reversed(spatial))
    strides = _strides(spatial)
    if mode == "nearest":
        index, valid = 0, True
        for c, size, stride in zip(coords, sizes, strides):
            i = np.rint(c._data).astype(np.int64)
            valid = valid & (i >= 0) & (i < size)
            index = index + i * stride
        # The grid gets a zero gradient, as PyTorch gives it, not none.
        weight = coords[0] * 0 + 1
        return _gather(flat, index, valid, weight)
    lows = [np.floor(c._data).astype(np.int64) for c in coords]
    fracs = [c - Tensor._make(low.astype(c._data.dtype)) for c, low in zip(coords, lows)]
    out = None
    for corner in itertools.product((0, 1), repeat=len(coords)):
        index, valid, weight = 0, True, None
        for k, bit in enumerate(corner):
            i = lows[k] + bit
            valid = valid & (i >= 0) & (i < sizes[k])
            index = index + i * strides[k]
            w = fracs[k] if bit else 1 - fracs[k]
            weight = w if weight is None else weight * w
        term = _gather(flat, index, valid, weight)
        out = term if out is None else out + term
    return out


def _cubic_weights(t):
    """The four Keys cubic convolution weights for fractional offsets ``t``."""
    a = _CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(flat, coords, spatial, padding_mode, align_corners):
    """Bicubic sampling at unfolded pixel coordinates (x, y); padding applies per tap."""
    height, width = spatial
    lows = [np.floor(c._data) for c in coords]
    weights = [_cubic_weights(c - Tensor._make(low)) for c, low in zip(coords, lows)]
    out = None
    for j in range(4):
        for i in range(4):
            index, valid = 0, True
            for k, (tap, size, stride) in enumerate(zip((i, j), (width, height), (1, width))):
                x = lows[k] + (tap - 1)
                if padding_mode != "zeros":
                    x, _ = _fold(x, size, padding_mode, align_corners)
                pos = x.astype(np.int64)
                valid = valid & (x >= 0) & (pos < size)
                index = index + pos * stride
            term = _gather(flat, index, valid, weights[0][i] * weights[1][j])
            out = term if out is None else out + term
    return out


def grid_sample(
    input,
    grid,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners=None,
):
    """Sample ``input`` at the normalised coordinates ``grid`` (x, y[, z] in [-1, 1])."""
    if mode not in _MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in _PADDINGS:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    _check(input, grid, mode)
    return _sample(input, grid, mode, padding_mode, bool(align_corners))


def _sample(input, grid, mode, padding_mode, align_corners):
    n, ch = input.shape[0], input.shape[1]
    spatial = tuple(input.shape[2:])
    out_spatial = tuple(grid.shape[1:-1])
    points = int(np.prod(out_spatial))
    flat = input.reshape(n, ch, -1)
    g = grid.reshape(n, points, len(spatial))
    coords = []
    for k, size in enumerate(reversed(spatial)):
        c = _unnormalize(g[:, :, k], size, align_corners)
        if mode != "bicubic":
            value, slope = _fold(c._data, size, padding_mode, align_corners)
            c = _through(c, value, slope)
        coords.append(c)
    if mode == "bicubic":
        out = _bicubic(flat, coords, spatial, padding_mode, align_corners)
    else:
        out = _linear_or_nearest(flat, coords, spatial, mode)
    return out.reshape(n, ch, *out_spatial)


def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """``grid_sample`` with its modes as PyTorch's enum integers (top-level form)."""
    if interpolation_mode not in (0, 1, 2) or padding_mode not in (0, 1, 2):
        raise RuntimeError(
            f"grid_sampler(): unexpected interpolation_mode {interpolation_mode} or "
            f"padding_mode {padding_mode}"
        )
    _check(input, grid, _MODES[interpolation_mode])
    return _sample(
        input, grid, _MODES[interpolation_mode], _PADDINGS[padding_mode], bool(align_corners)
    )


def _axis(steps, align_corners, dtype):
    """Normalised pixel centres of one axis (0 for a single pixel)."""
    if steps <= 1:
        return np.zeros(steps, dtype=dtype)
    line = np.linspace(-1, 1, steps, dtype=dtype)
    return line if align_corners else (line * ((steps - 1) / steps)).astype(dtype)


def _base_grid(spatial, align_corners, dtype):
    """(prod(spatial), len(spatial) + 1) rows of (x, y[, z], 1) over the output pixels."""
    axes = [_axis(s, align_corners, dtype) for s in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    columns = [m.reshape(-1) for m in reversed(mesh)]
    columns.append(np.ones(int(np.prod(spatial)), dtype=dtype))
    return np.stack(columns, axis=1)


def affine_grid_generator(theta, size, align_corners: bool):
    """The sampling grid of the affine maps ``theta`` over an output of ``size`` (top level)."""
    n, spatial = size[0], tuple(size[2:])
    rows = len(spatial)
    if theta.shape[0] != n:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{n}, {rows + 1}] but got: [{theta.shape[0]}, {theta.shape[2]}]."
        )
    dtype = theta._data.dtype
    base = Tensor._make(_base_grid(spatial, align_corners, dtype))
    grid = base.expand(n, *base.shape).bmm(theta.transpose(1, 2))
    return grid.reshape(n, *spatial, rows)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid for ``grid_sample`` from a batch of 2-D (Nx2x3) or 3-D (Nx3x4) affine
    matrices ``theta``, for an output of ``size`` (N, C, H, W) or (N, C, D, H, W)."""
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    rows = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (rows, rows + 1):
        raise ValueError(
            f"Expected a batch of {rows}D affine matrices of shape Nx{rows}x{rows + 1} for "
            f"size {size}. Got {theta.shape}."
        )
    if align_corners and min(size[2:]) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    return affine_grid_generator(theta, list(size), bool(align_corners))
