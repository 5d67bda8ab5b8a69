"""3-d adaptive max pooling, and the ``*_with_indices`` spellings of max pooling.

Cell ``i`` of an adaptive window along an axis of length ``n`` pooled to ``o`` spans
``[floor(i n / o), ceil((i + 1) n / o))``; each cell takes its first maximum (a NaN is
the maximum, the last NaN winning, as PyTorch's kernel does).  Values are gathered with
``TakeFlat``, so the gradient and its higher orders are max pooling's.
"""

from __future__ import annotations

import math

from ..backend import np, xp_of
from ..dtypes import scalar_type_name
from ._spec import OpSpec
from .conv import ndindex
from .losses import F
from .pooling import (
    TakeFlat,
    _gather,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    distinct,
    max_pool3d,
)
from .registry import LOOP, declare, op


class AdaptiveMaxPool3d(TakeFlat):
    """d max over each adaptive 3-d window = grad to the window's first maximal element"""


def _output_size(output_size, size):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 3:
            raise RuntimeError(
                "adaptive_max_pool3d(): internal error: output_size.size() must be 3"
            )
        out = tuple(s if o is None else int(o) for o, s in zip(output_size, size))
    else:
        out = (int(output_size),) * 3
    return out


def _first_max(xp, vals):
    """Per row, the position of the first maximum (of the last NaN where there is one)."""
    arg = xp.argmax(vals, axis=1)
    if vals.dtype.kind == "f":
        nan = xp.isnan(vals)
        if nan.any():
            last = vals.shape[1] - 1 - xp.argmax(nan[:, ::-1], axis=1)
            arg = xp.where(nan.any(axis=1), last, arg)
    return arg


@op(None, public=False)
def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed (D, H, W) output size."""
    if input.dim() not in (4, 5):
        raise RuntimeError(
            f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: {list(input.shape)}"
        )
    for d in range(input.dim() - 3, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(
                "adaptive_max_pool3d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {d} being "
                "empty"
            )
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"adaptive_max_pool3d_cpu\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
    size = tuple(input.shape[-3:])
    o = _output_size(output_size, size)
    lead = tuple(input.shape[:-3])
    if any(v < 0 for v in o):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(o)}: {list(lead + o)}"
        )
    data = input._data
    xp = xp_of(data)
    rows = math.prod(lead)
    cube = data.reshape((rows,) + size)
    ind = xp.zeros((rows,) + o, dtype=np.int64)
    for cell in ndindex(o):
        box = [(c * n // k, -(-((c + 1) * n) // k)) for c, n, k in zip(cell, size, o)]
        part = cube[(slice(None),) + tuple(slice(a, b) for a, b in box)]
        arg = _first_max(xp, part.reshape(rows, math.prod(part.shape[1:])))
        at = xp.unravel_index(arg, part.shape[1:])
        d, h, w = (start + a for (start, _), a in zip(box, at))
        ind[(slice(None),) + cell] = (d * size[1] + h) * size[2] + w
    base = (xp.arange(rows) * math.prod(size)).reshape((rows,) + (1, 1, 1))
    shape = lead + o
    idx, ind = (ind + base).reshape(shape), ind.reshape(shape)
    return _gather(AdaptiveMaxPool3d, input, idx, ind, False, return_indices)


@op(None, public=False)
def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool3d`` returning ``(values, indices)``."""
    return adaptive_max_pool3d(input, output_size, True)


@op(None, public=False)
def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning ``(values, indices)``."""
    return adaptive_max_pool2d(input, output_size, True)


@op(None, public=False)
def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning ``(values, indices)``."""
    return adaptive_max_pool1d(input, output_size, True)


@op(None, public=False)
def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """``max_pool3d`` returning ``(values, indices)``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


declare(
    AdaptiveMaxPool3d,
    None,
    grad_fn="AdaptiveMaxPool3DBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "adaptive_max_pool3d",
        lambda t, x: F(t, "adaptive_max_pool3d")(x, (2, 3, None)),
        [((1, 2, 3, 5, 4),), ((2, 5, 3, 2),)],
        shapes=None,
        domain=distinct,
    ),
)

__all__: list = []
