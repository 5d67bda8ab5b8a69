"""``grid_sample`` and ``affine_grid``: PyTorch's argument checks and warnings in front of
the sampling and grid nodes (``ops.grid_sample``), and their top-level forms."""

from __future__ import annotations

import warnings

from ...dtypes import scalar_type_name
from ...ops.grid_sample import MODES, PADDINGS, AffineGridGenerator, grid_sampler_core

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


def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None):  # fmt: skip
    """Sample ``input`` at the normalised coordinates ``grid`` (x, y[, z] in [-1, 1])."""
    if mode not in MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in PADDINGS:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    _check(input, grid, mode)
    return grid_sampler_core(input, grid, mode, padding_mode, align_corners)


def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """``grid_sample`` with its modes as PyTorch's enum integers (top-level form)."""
    return _by_number(input, grid, interpolation_mode, padding_mode, align_corners, None)


def grid_sampler_2d(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """``grid_sampler`` of 4-D inputs only."""
    return _by_number(input, grid, interpolation_mode, padding_mode, align_corners, 4)


def grid_sampler_3d(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """``grid_sampler`` of 5-D inputs only."""
    return _by_number(input, grid, interpolation_mode, padding_mode, align_corners, 5)


def _by_number(input, grid, interpolation_mode, padding_mode, align_corners, dims):
    if interpolation_mode not in (0, 1, 2) or padding_mode not in (0, 1, 2):
        # PyTorch reads an unknown number as garbage; Ember says so instead.
        raise RuntimeError(
            f"grid_sampler(): unexpected interpolation_mode {interpolation_mode} or "
            f"padding_mode {padding_mode}"
        )
    mode = MODES[interpolation_mode]
    _check(input, grid, mode)
    if dims is not None and input.dim() != dims:
        raise RuntimeError(
            f"grid_sampler(): expected {dims}D input and grid with same number of dimensions, "
            f"but got input with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}"
        )
    return grid_sampler_core(input, grid, mode, PADDINGS[padding_mode], align_corners)


def affine_grid_generator(theta, size, align_corners: bool):
    """The sampling grid of the affine maps ``theta`` over an output of ``size`` (top level)."""
    n, spatial = size[0], tuple(size[2:])
    rows = len(spatial)
    if theta.shape[0] != n:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{n}, {rows + 1}] but got: [{theta.shape[0]}, {theta.shape[2]}]."
        )
    return AffineGridGenerator.apply(theta, spatial, bool(align_corners))


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
