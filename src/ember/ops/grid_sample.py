"""Sampling at arbitrary points (``GridSampler2DBackward0``/``3D``) and the affine grids that
drive it (``AffineGridGeneratorBackward0``): one node each, as PyTorch records them.

Each spatial axis gives a few taps per output point: an integer position on the host (with
its padding fold and bounds), a weight that is a function of the sampled coordinate, and
that weight's derivative. The output is the sum over tap combinations of the input read at
the combined position times the product of the weights. The backward is written with Ember
ops on the saved input and grid: the input's gradient scatter-adds ``grad * weight`` back to
the positions read, the grid's gradient weights the values read by the derivative of the
product; so it is differentiable again.
"""

from __future__ import annotations

import itertools

from ..autograd.node import Node
from ..backend import np
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec
from .join import cat, stack
from .losses import F
from .registry import LOOP, declare

MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75  # Keys' cubic convolution coefficient, as PyTorch's bicubic sampling uses


# ----- the coordinate of each output point along one axis (host side) ----------------------
def _scale(size, align_corners):
    """d(pixel coordinate) / d(grid coordinate) along an axis of ``size`` pixels."""
    return (size - 1) / 2 if align_corners else size / 2


def _unnormalize(g, size, align_corners):
    """Grid coordinates in [-1, 1] to pixel coordinates (host arrays, rounding after each
    step in the grid's precision as PyTorch's kernel does: it shows in float16)."""
    if align_corners:
        return ((g + 1) / 2) * (size - 1)
    return ((g + 1) * size - 1) / 2


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


# ----- the taps of one axis: positions (host) and weights (Ember ops of the grid) ----------
def _near(a, x):
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _near_slope(a, x):
    return (3 * (a + 2) * x - 2 * (a + 3)) * x


def _far(a, x):
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _far_slope(a, x):
    return (3 * a * x - 10 * a) * x + 8 * a


def _tracked(value, delta, slope):
    """A tensor equal to ``value`` whose derivative along ``delta`` (``g - g.detach()``, or
    None when nothing is recorded) is ``slope``."""
    t = Tensor._make(value)
    return t if delta is None else t + delta * slope


def _axis_taps(g, size, mode, padding_mode, align_corners, track):
    """Taps of one axis for grid coordinates ``g`` (a tensor, N x P): a list of
    (position, in-bounds mask, weight, d weight / d g); with ``track`` the weights are
    recorded functions of ``g`` (for a differentiable backward)."""
    raw = _unnormalize(g._data, size, align_corners)
    scale = _scale(size, align_corners)
    delta = g - g.detach() if track else None
    if mode == "bicubic":
        low = np.floor(raw)
        t = _tracked(raw - low, delta, scale)
        a = _CUBIC_A
        # PyTorch's order of operations (it shows in float16): the last weight from 1 - t.
        weights = [_far(a, t + 1), _near(a, t), _near(a, 1 - t), _far(a, (1 - t) + 1)]
        slopes = [
            _far_slope(a, t + 1) * scale,
            _near_slope(a, t) * scale,
            _near_slope(a, 1 - t) * -scale,
            _far_slope(a, 2 - t) * -scale,
        ]
        taps = []
        for i in range(4):
            x = low + (i - 1)
            if padding_mode != "zeros":
                x, _ = _fold(x, size, padding_mode, align_corners)
            pos = x.astype(np.int64)
            taps.append((pos, (x >= 0) & (pos < size), weights[i], slopes[i]))
        return taps
    value, slope = _fold(raw, size, padding_mode, align_corners)
    if mode == "nearest":
        pos = np.rint(value).astype(np.int64)
        one = Tensor._make(np.ones_like(value))
        return [(pos, (pos >= 0) & (pos < size), one, one * 0)]
    low = np.floor(value)
    d = Tensor._make((slope * scale).astype(value.dtype))
    pos = low.astype(np.int64)
    return [
        (pos, (pos >= 0) & (pos < size), _tracked((low + 1) - value, delta, -d), -d),
        (pos + 1, (pos + 1 >= 0) & (pos + 1 < size), _tracked(value - low, delta, d), d),
    ]


def _axes(grid, spatial, mode, padding_mode, align_corners, track):
    """The taps of every axis (x first) and the flat spacing of each axis."""
    n, points = grid.shape[0], int(np.prod(grid.shape[1:-1]))
    g = grid.reshape(n, points, len(spatial))
    sizes = list(reversed(spatial))
    per_axis = [
        _axis_taps(g[:, :, k], sizes[k], mode, padding_mode, align_corners, track)
        for k in range(len(spatial))
    ]
    return per_axis, [int(s) for s in np.cumprod([1] + sizes[:-1])]


def _combine(combo, strides):
    """Flat position and mask of one tap per axis."""
    position, valid = 0, True
    for (pos, ok, _, _), stride in zip(combo, strides):
        position = position + pos * stride
        valid = valid & ok
    return np.where(valid, position, 0).astype(np.int64), valid


def _combinations(grid, spatial, mode, padding_mode, align_corners, track=True):
    """For each combination of one tap per axis, in PyTorch's order (x varying fastest):
    (flat position, mask, [weight per axis], [weight slope per axis]), axes x first."""
    per_axis, strides = _axes(grid, spatial, mode, padding_mode, align_corners, track)
    for reversed_combo in itertools.product(*reversed(per_axis)):
        combo = reversed_combo[::-1]
        position, valid = _combine(combo, strides)
        yield position, valid, [c[2] for c in combo], [c[3] for c in combo]


def _product(factors):
    out = factors[0]
    for f in factors[1:]:
        out = out * f
    return out


def _read(flat, position):
    """``flat`` (N, C, P_in) at ``position`` (N, P) for every channel: (N, C, P)."""
    n, ch = flat.shape[0], flat.shape[1]
    idx = Tensor._make(position[:, None, :])
    return flat.gather(2, idx.expand(n, ch, position.shape[1]))


def _masked_read(flat, position, valid):
    return _read(flat, position) * Tensor._make(valid.astype(flat._data.dtype)[:, None, :])


def sample(input, grid, mode, padding_mode, align_corners):
    """The sampled output, composed of Ember ops in PyTorch's order of operations (the
    forward of the node)."""
    n, ch = input.shape[0], input.shape[1]
    flat = input.reshape(n, ch, -1)
    spatial = tuple(input.shape[2:])
    out = None
    if mode == "bicubic":
        # Separable, as PyTorch computes it: each row of taps along x, then the rows along y.
        (xs, ys), strides = _axes(grid, spatial, mode, padding_mode, align_corners, False)
        for y_tap in ys:
            row = None
            for x_tap in xs:
                position, valid = _combine((x_tap, y_tap), strides)
                term = _masked_read(flat, position, valid) * x_tap[2].unsqueeze(1)
                row = term if row is None else row + term
            term = row * y_tap[2].unsqueeze(1)
            out = term if out is None else out + term
    else:
        for position, valid, weights, _ in _combinations(
            grid, spatial, mode, padding_mode, align_corners, track=False
        ):
            term = _masked_read(flat, position, valid) * _product(weights).unsqueeze(1)
            out = term if out is None else out + term
    return out.reshape(n, ch, *grid.shape[1:-1])


class GridSampler2D(Node):
    """out = sum_taps x[p] w(grid): dx = grad w scattered to p; dgrid = sum grad x[p] w'."""

    upcast_float16 = False  # PyTorch's kernel rounds to float16 after each step

    def forward(self, x, grid, mode, padding_mode, align_corners):
        self.options = (mode, padding_mode, align_corners)
        self.save_for_backward(x, grid)
        return sample(Tensor._make(x), Tensor._make(grid), *self.options)._data

    def backward(self, grad):
        x, grid = self.saved_tensors
        if x._data.dtype.itemsize < 4:
            # In single precision, rounded once: PyTorch's float16 kernel accumulates in
            # float16 one addition at a time, which is ten times further from the answer.
            dx, dgrid, *rest = self._backward(x.float(), grid.float(), grad.float())
            return (
                dx if dx is None else dx.to(x.dtype),
                None if dgrid is None else dgrid.to(x.dtype),
                *rest,
            )
        return self._backward(x, grid, grad)

    def _backward(self, x, grid, grad):
        mode, padding_mode, align_corners = self.options
        n, ch = x.shape[0], x.shape[1]
        spatial = tuple(x.shape[2:])
        flat = x.reshape(n, ch, -1)
        g = grad.reshape(n, ch, -1)
        dims = len(spatial)
        want_x, want_grid = self.needs_input_grad[0], self.needs_input_grad[1]
        positions, pieces, d_axes = [], [], [None] * dims
        for position, valid, weights, slopes in _combinations(
            grid, spatial, mode, padding_mode, align_corners
        ):
            mask = Tensor._make(valid.astype(x._data.dtype))
            if want_x:
                positions.append(position)
                pieces.append(g * (_product(weights) * mask).unsqueeze(1))
            if want_grid and mode != "nearest":
                seen = (g * _read(flat, position)).sum(1) * mask
                for k in range(dims):
                    factors = [slopes[j] if j == k else weights[j] for j in range(dims)]
                    term = seen * _product(factors)
                    d_axes[k] = term if d_axes[k] is None else d_axes[k] + term
        dx = dgrid = None
        if want_x:
            index = Tensor._make(np.concatenate(positions, axis=1)[:, None, :])
            src = cat(pieces, 2)
            dx = flat.new_zeros(flat.shape).scatter_add(2, index.expand(*src.shape), src)
            dx = dx.reshape(x.shape)
        if want_grid:
            if mode == "nearest":
                dgrid = grid.new_zeros(grid.shape)
            else:
                dgrid = stack(d_axes, -1).reshape(grid.shape)
        return dx, dgrid, None, None, None


class GridSampler3D(GridSampler2D):
    """Trilinear or nearest sampling of volumes (same rule as the 2-D node)"""


def grid_sampler_core(input, grid, mode, padding_mode, align_corners):
    """The node for ``grid_sample`` of checked arguments (modes by name)."""
    node = GridSampler2D if input.dim() == 4 else GridSampler3D
    return node.apply(input, grid, mode, padding_mode, bool(align_corners))


# ----- affine grids ------------------------------------------------------------------------
def _axis(steps, align_corners, dtype):
    """Normalised pixel centres of one axis (0 for a single pixel)."""
    if steps <= 1:
        return np.zeros(steps, dtype=dtype)
    line = np.linspace(-1, 1, steps, dtype=dtype)
    return line if align_corners else (line * ((steps - 1) / steps)).astype(dtype)


def base_grid(spatial, align_corners, dtype):
    """(prod(spatial), len(spatial) + 1) rows of (x, y[, z], 1) over the output pixels."""
    axes = [_axis(s, align_corners, dtype) for s in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    columns = [m.reshape(-1) for m in reversed(mesh)]
    columns.append(np.ones(int(np.prod(spatial)), dtype=dtype))
    return np.stack(columns, axis=1)


class AffineGridGenerator(Node):
    """grid = base theta^T per sample: dtheta = grad^T base."""

    def forward(self, theta, spatial, align_corners):
        self.base = base_grid(spatial, align_corners, theta.dtype)
        out = self.xp.matmul(self.xp.asarray(self.base)[None], self.xp.swapaxes(theta, 1, 2))
        return out.reshape(theta.shape[0], *spatial, theta.shape[1])

    def backward(self, grad):
        rows = grad.shape[-1]
        g = grad.reshape(grad.shape[0], -1, rows)
        base = Tensor._make(self.base.astype(grad._data.dtype))
        return g.transpose(1, 2).matmul(base), None, None


def _sampler(mode, padding_mode, align_corners):
    """A spec's expression: ``grid_sample`` with these options."""
    return lambda t, x, g: F(t, "grid_sample")(x, g, mode, padding_mode, align_corners)


_GRID_SPECS = tuple(
    OpSpec(
        f"grid_sample_{mode}_{pad}_{int(ac)}",
        _sampler(mode, pad, ac),
        [((2, 2, 4, 5), (2, 3, 2, 2))],
        shapes=None,
        domain=(-1.2, 1.2),
        grad=(True, mode != "nearest"),
        # Piecewise in the grid (taps, folds): finite differences only where smooth enough.
        fd=mode == "bilinear",
        atol=1e-4,
    )
    for mode, pad, ac in (
        ("bilinear", "zeros", False),
        ("bilinear", "reflection", True),
        ("nearest", "border", False),
        ("bicubic", "zeros", True),
        ("bicubic", "reflection", False),
    )
)

declare(GridSampler2D, None, vmap=LOOP, spec=_GRID_SPECS)
declare(
    GridSampler3D,
    None,
    vmap=LOOP,
    spec=OpSpec(
        "grid_sample_3d",
        lambda t, x, g: F(t, "grid_sample")(x, g, "bilinear", "border", False),
        [((1, 2, 3, 4, 3), (1, 2, 2, 3, 3))],
        shapes=None,
        domain=(-1.2, 1.2),
        fd=True,
        atol=1e-4,
    ),
)
declare(
    AffineGridGenerator,
    None,
    vmap=LOOP,
    spec=OpSpec(
        "affine_grid",
        lambda t, th: F(t, "affine_grid")(th, (2, 3, 4, 5), False),
        [((2, 2, 3),)],
        shapes=None,
    ),
)
